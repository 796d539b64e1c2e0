//! Pumps the engine's lead feed into the UI (`lead-received`, `connection-changed`) and into OS
//! notifications. The socket and the sound live in the engine, never in the webview.

use crokodial_client::feed::LeadFeed;
use crokodial_client::session::Session;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::dto::{ConnectionState, LeadEvent, LeadRow};
use crate::state::AppState;

pub const LEAD_RECEIVED: &str = "lead-received";
pub const CONNECTION_CHANGED: &str = "connection-changed";

/// Starts (or restarts) the live feed for `session`.
pub fn start(app: &AppHandle, session: &Session) {
    stop(app);
    let state = app.state::<AppState>();
    let alert = state.alert.clone();
    let session = session.clone();
    let app2 = app.clone();
    let task = tauri::async_runtime::spawn(async move {
        let mut feed = match LeadFeed::start(session.api(), alert) {
            Ok(feed) => feed,
            Err(e) => return tracing::error!(error = %e, "cannot start the live feed"),
        };
        let mut states = feed.state();
        let app3 = app2.clone();
        tauri::async_runtime::spawn(async move {
            loop {
                let now = ConnectionState::from(&*states.borrow_and_update());
                set_connection(&app3, now);
                if states.changed().await.is_err() {
                    return;
                }
            }
        });
        while let Some(event) = feed.next().await {
            let row = LeadRow::from_notification(&event.lead, chrono::Utc::now());
            if event.announce {
                notify(&app2, &row);
            }
            if let Err(e) = app2.emit(LEAD_RECEIVED, LeadEvent { lead: row, announced: event.announce }) {
                tracing::warn!(error = %e, "cannot send a lead to the UI");
            }
        }
    });
    *state.live.lock().expect("live lock") = Some(task);
}

/// Stops the live feed, closing the socket.
pub fn stop(app: &AppHandle) {
    let state = app.state::<AppState>();
    if let Some(task) = state.live.lock().expect("live lock").take() {
        task.abort();
    }
    set_connection(app, ConnectionState::IDLE);
}

fn set_connection(app: &AppHandle, now: ConnectionState) {
    *app.state::<AppState>().connection.lock().expect("connection lock") = now.clone();
    let _ = app.emit(CONNECTION_CHANGED, now);
}

fn notify(app: &AppHandle, lead: &LeadRow) {
    let phone = lead.phone.as_deref().map(crokodial_core::phone::format_us);
    let body =
        [Some(lead.name.clone()), phone, lead.state.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
    let title = format!("New {} lead", lead.source.as_deref().unwrap_or("vendor"));
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "cannot show a notification");
    }
}
