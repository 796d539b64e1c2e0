//! Pumps the engine's lead feed into the UI (`lead-received`, `connection-changed`), into OS
//! notifications, and into the unread count (tray, taskbar). The socket and the sound live in the
//! engine, never in the webview.

use std::sync::atomic::Ordering;

use chrono::Utc;
use crokodial_client::feed::{FeedEvent, LeadFeed};
use crokodial_client::session::Session;
use tauri::{AppHandle, Emitter, Manager, UserAttentionType};
use tauri_plugin_notification::NotificationExt;

use crate::dto::{rfc3339, AlertSettings, ConnectionState, Latency, LeadEvent, LeadRow};
use crate::state::AppState;

pub const LEAD_RECEIVED: &str = "lead-received";
pub const CONNECTION_CHANGED: &str = "connection-changed";
pub const UNREAD_CHANGED: &str = "unread-changed";
pub const ALERT_SETTINGS_CHANGED: &str = "alert-settings-changed";

/// Starts (or restarts) the live feed for `session`.
pub fn start(app: &AppHandle, session: &Session) {
    stop(app);
    let state = app.state::<AppState>();
    let alert = state.alert.clone();
    let settings = state.alert_settings.subscribe();
    let session = session.clone();
    let app2 = app.clone();
    let task = tauri::async_runtime::spawn(async move {
        let mut feed = match LeadFeed::start(session.api(), alert, settings) {
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
            deliver(&app2, event).await;
        }
    });
    *state.live.lock().expect("live lock") = Some(task);
}

async fn deliver(app: &AppHandle, event: FeedEvent) {
    let arrived = Utc::now();
    let FeedEvent { lead, announce, alert, hush } = event;
    let sound_ms = match alert {
        Some(mut playback) => playback.started_after().await.map(|d| d.as_secs_f64() * 1e3),
        None => None,
    };
    let delivery_ms = lead
        .lead
        .as_ref()
        .and_then(|l| l.created_at)
        .and_then(|c| arrived.signed_duration_since(c).to_std().ok())
        .map(|d| d.as_secs_f64() * 1e3);
    let row = LeadRow::from_notification(&lead, arrived);
    if announce {
        notify(app, &row);
        unseen(app);
    }
    let latency = Latency { server_ms: lead.process_ms, delivery_ms, sound_ms };
    let event = LeadEvent { lead: row, announced: announce, hush: hush.map(Into::into), latency };
    if let Err(e) = app.emit(LEAD_RECEIVED, event) {
        tracing::warn!(error = %e, "cannot send a lead to the UI");
    }
    let mut now = app.state::<AppState>().connection.lock().expect("connection lock").clone();
    now.last_event_at = Some(rfc3339(arrived));
    set_connection(app, now);
}

/// Stops the live feed, closing the socket.
pub fn stop(app: &AppHandle) {
    let state = app.state::<AppState>();
    if let Some(task) = state.live.lock().expect("live lock").take() {
        task.abort();
    }
    set_connection(app, ConnectionState::IDLE);
    seen(app);
}

fn set_connection(app: &AppHandle, mut now: ConnectionState) {
    let state = app.state::<AppState>();
    let mut current = state.connection.lock().expect("connection lock");
    if now.last_event_at.is_none() && now.status != crate::dto::ConnectionStatus::Idle {
        now.last_event_at = current.last_event_at.clone();
    }
    *current = now.clone();
    drop(current);
    let _ = app.emit(CONNECTION_CHANGED, now);
}

/// One more announced lead the rep has not seen: count it, and ask for attention if the window
/// is not in front and the rep wants that.
fn unseen(app: &AppHandle) {
    let state = app.state::<AppState>();
    let unread = state.unread.fetch_add(1, Ordering::SeqCst) + 1;
    unread_changed(app, unread);
    if let Some(window) = app.get_webview_window("main") {
        if state.alerts().taskbar_attention && !window.is_focused().unwrap_or(false) {
            let _ = window.request_user_attention(Some(UserAttentionType::Critical));
        }
    }
}

/// The rep has looked: clear the count and the attention request.
pub fn seen(app: &AppHandle) {
    let state = app.state::<AppState>();
    if state.unread.swap(0, Ordering::SeqCst) != 0 {
        unread_changed(app, 0);
    }
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.request_user_attention(None);
    }
}

fn unread_changed(app: &AppHandle, unread: u32) {
    crate::tray::show_unread(app, unread);
    let _ = app.emit(UNREAD_CHANGED, unread);
}

/// Tells the UI and the tray that the alert settings changed (from the UI or the tray menu).
pub fn alert_settings_changed(app: &AppHandle) {
    let alerts = app.state::<AppState>().alerts();
    crate::tray::show_muted(app, alerts.muted_until.is_some_and(|u| u > Utc::now()));
    let _ = app.emit(ALERT_SETTINGS_CHANGED, AlertSettings::from(&alerts));
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
