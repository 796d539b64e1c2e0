//! One loop over the signed-in account's events: into UI events (`lead-received`,
//! `connection-changed`, `leads-synced`), OS notifications and the unread count (tray,
//! taskbar). The socket, the sync and the sound live in the engine, never in the webview.

use std::sync::Arc;

use chrono::Utc;

use crokodial_client::account::{Account, AccountEvent, AccountState, Arrival, DueCallback, Routed};
use crokodial_client::lock;
use crokodial_client::settings::Hush;
use crokodial_client::socket::ConnectionState as EngineState;
use crokodial_core::rfc3339;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, UserAttentionType};
use tokio::sync::{mpsc, watch};
use ts_rs::TS;

use crate::commands::alerts::{AlertSettings, AudioHealth};
use crate::commands::followups::FollowUpRow;
use crate::commands::leads::{LeadRow, SyncStatus};
use crate::commands::routing::OfferInfo;
use crate::error::CmdResult;
use crate::state::AppState;

pub const LEAD_RECEIVED: &str = "lead-received";
pub const CONNECTION_CHANGED: &str = "connection-changed";
pub const UNREAD_CHANGED: &str = "unread-changed";
pub const ALERT_SETTINGS_CHANGED: &str = "alert-settings-changed";
pub const OPEN_LEAD: &str = "open-lead";
pub const LEADS_SYNCED: &str = "leads-synced";
pub const AUDIO_CHANGED: &str = "audio-changed";
pub const LEAD_CLAIMED: &str = "lead-claimed";
pub const LEAD_WITHDRAWN: &str = "lead-withdrawn";
pub const LEADS_MISSED: &str = "leads-missed";
pub const CALLBACK_DUE: &str = "callback-due";

/// Makes `account` the signed-in one (the one before is closed) and takes it live.
pub fn start(app: &AppHandle, account: Account) -> CmdResult<()> {
    let state = app.state::<AppState>();
    let events = account.go_live(state.alert.clone(), state.settings.subscribe())?;
    let (now, rep) = (account.state(), account.session().user().id.clone());
    state.replace_account(Some(Arc::new(account)));
    seen(app); // the last account's unread leads are not this one's
    tauri::async_runtime::spawn(watch_state(app.clone(), now));
    tauri::async_runtime::spawn(pump(app.clone(), events, rep));
    Ok(())
}

/// The account's state, to the UI (`connection-changed`) and the tray, whenever what they show
/// of it changes: the connection, the last lead's time, whether the rep takes routed leads. The
/// one writer of both.
async fn watch_state(app: AppHandle, mut now: watch::Receiver<AccountState>) {
    let mut shown: Option<ConnectionState> = None;
    loop {
        let state = ConnectionState::from(&*now.borrow_and_update());
        if shown.as_ref() != Some(&state) {
            if shown.as_ref().map(|s| s.available) != Some(state.available) {
                crate::tray::show_available(&app, state.available);
            }
            let _ = app.emit(CONNECTION_CHANGED, &state);
            shown = Some(state);
        }
        if now.changed().await.is_err() {
            return;
        }
    }
}

/// Until the account (of `rep`, their user id) is closed (logout, another login) or its session
/// refused.
async fn pump(app: AppHandle, mut events: mpsc::UnboundedReceiver<AccountEvent>, rep: String) {
    while let Some(event) = events.recv().await {
        match event {
            AccountEvent::Lead(arrival) => deliver(&app, *arrival, &rep),
            // The state's watch tells the UI (`watch_state`).
            AccountEvent::Connection(_) => {}
            AccountEvent::Sync(status) => _ = app.emit(LEADS_SYNCED, SyncStatus::from(&status)),
            // A `Sync` follows with the counts: the list reads the cache again then.
            AccountEvent::Changed(_) => {}
            AccountEvent::Routing(routed) => routing(&app, routed, &rep),
            AccountEvent::CallbackDue(due) => callback_due(&app, &due),
        }
    }
}

/// A claim anywhere, an offer that went to others, what came while away.
fn routing(app: &AppHandle, routed: Routed, rep: &str) {
    match routed {
        Routed::Claimed(lead) => {
            let Some(claim) = &lead.claim else { return };
            let mine = claim.by == rep;
            // Claimed here, or by this rep elsewhere: no longer waiting either way.
            let why = if mine { "You claimed it".to_owned() } else { format!("Claimed by {}", claim.name) };
            withdraw(app, &lead.id, &why);
            let event = ClaimEvent { lead: LeadRow::from(&*lead), mine };
            let _ = app.emit(LEAD_CLAIMED, event);
        }
        Routed::Withdrawn { lead_id, to } => {
            withdraw(app, &lead_id, &format!("Now offered to {to}"));
            let _ = app.emit(LEAD_WITHDRAWN, Withdrawal { lead_id, to });
        }
        Routed::Missed(leads) => {
            let rows: Vec<LeadRow> = leads.iter().map(LeadRow::from).collect();
            let _ = app.emit(LEADS_MISSED, rows);
        }
    }
}

/// A callback came due (its sound has started): a notification that opens the lead or snoozes
/// it, `callback-due` to the UI, and the taskbar's attention.
fn callback_due(app: &AppHandle, due: &DueCallback) {
    let row = FollowUpRow::new(&due.followup, due.lead.as_ref());
    let name = if row.lead_name.is_empty() { "a lead".to_owned() } else { row.lead_name.clone() };
    let body = match &row.note {
        Some(note) => format!("Call {name} back: {note}"),
        None => format!("Call {name} back"),
    };
    let (app2, lead_id, id) = (app.clone(), row.lead_id.clone(), row.id.clone());
    crate::notify::show_callback(app, &row.lead_id, body, move |answer| match answer {
        crate::notify::Answer::Snooze => crate::commands::followups::snooze_from_notification(&app2, &id),
        _ => open_lead(&app2, &lead_id),
    });
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.request_user_attention(Some(UserAttentionType::Critical));
    }
    let _ = app.emit(CALLBACK_DUE, CallbackDue { callback: row });
}

/// Sent with `callback-due`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CallbackDue {
    pub callback: FollowUpRow,
}

/// A lead the rep was told of is no longer theirs to take: out of the unread count, and its
/// notification says why.
fn withdraw(app: &AppHandle, lead_id: &str, why: &str) {
    let state = app.state::<AppState>();
    let unread = {
        let mut unread = lock(&state.unread);
        unread.remove(lead_id).then_some(unread.len() as u32)
    };
    if let Some(left) = unread {
        unread_changed(app, left);
    }
    crate::notify::withdraw(app, lead_id, why);
}

/// The connection as the UI shows it.
pub fn connection(state: &AppState) -> ConnectionState {
    state.signed_in().map_or(ConnectionState::IDLE, |a| ConnectionState::from(&*a.state().borrow()))
}

fn deliver(app: &AppHandle, arrival: Arrival, rep: &str) {
    let Arrival { lead, announce, hush, latency, unannounced, offer, .. } = arrival;
    let row = LeadRow::from(&lead);
    let offer = offer.map(|o| OfferInfo::new(&o, rep));
    let mut notification_hidden = None;
    if announce {
        let (app2, id) = (app.clone(), row.id.clone());
        let claimable = offer.as_ref().is_some_and(|o| o.mine);
        crate::notify::show_lead(app, &row, claimable, move |answer| match answer {
            crate::notify::Answer::Open => open_lead(&app2, &id),
            crate::notify::Answer::Claim => crate::commands::routing::claim_from_notification(&app2, &id),
            crate::notify::Answer::Snooze => {}
        });
        notification_hidden = crate::notify::hidden_by_os();
        if let Some(why) = notification_hidden {
            tracing::info!(why, "the OS is hiding the notification of a new lead; the sound still plays");
        }
        unseen(app, &row.id);
    }
    let latency =
        Latency { server_ms: latency.server_ms, delivery_ms: latency.delivery_ms, sound_ms: latency.sound_ms };
    let event = LeadEvent {
        lead: row,
        announced: announce,
        hush: hush.map(Into::into),
        notification_hidden: notification_hidden.map(str::to_owned),
        latency,
        not_alerted: unannounced.map(|u| u.to_string()),
        offer,
    };
    if let Err(e) = app.emit(LEAD_RECEIVED, event) {
        tracing::warn!(error = %e, "cannot send a lead to the UI");
    }
}

/// Puts settings changes in force wherever they come from (the UI, the tray, `crokodial alerts`
/// in another process): the alert output, the tray's mute, the UI's alert panel, the log level.
pub fn watch_settings(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let _follow = state.settings.follow_file(crokodial_client::settings::FOLLOW_EVERY);
        let mut settings = state.settings.subscribe();
        let mut last = settings.borrow_and_update().clone();
        while settings.changed().await.is_ok() {
            let now = settings.borrow_and_update().clone();
            if now.alerts.device != last.alerts.device {
                state.alert.use_device(now.alerts.device.clone()).await;
            }
            if now.alerts != last.alerts {
                alert_settings_changed(&app);
            }
            if now.desktop.log_level != last.desktop.log_level {
                crate::logging::set_level(now.desktop.log_level);
            }
            last = now;
        }
    });
}

/// Tells the UI whenever the alert sound's output goes, falls back to the default or comes back.
pub fn watch_audio(app: &AppHandle) {
    let mut updates = app.state::<AppState>().alert.status_updates();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while updates.changed().await.is_ok() {
            let health = AudioHealth::from(&*updates.borrow_and_update());
            let _ = app.emit(AUDIO_CHANGED, health);
        }
    });
}

/// Closes the signed-in account: its socket, sync and sound stop.
pub fn stop(app: &AppHandle) {
    app.state::<AppState>().replace_account(None);
    crate::tray::show_available(app, None);
    let _ = app.emit(CONNECTION_CHANGED, ConnectionState::IDLE);
    seen(app);
}

/// One more announced lead the rep has not seen: count it, and ask for attention if the window
/// is not in front and the rep wants that.
fn unseen(app: &AppHandle, lead_id: &str) {
    let state = app.state::<AppState>();
    let window = app.get_webview_window("main");
    if window.as_ref().is_some_and(|w| w.is_focused().unwrap_or(false)) {
        return; // the rep is looking at it
    }
    let unread = {
        let mut unread = lock(&state.unread);
        unread.insert(lead_id.to_owned());
        unread.len() as u32
    };
    unread_changed(app, unread);
    if let Some(window) = window {
        if state.settings.alerts().taskbar_attention {
            let _ = window.request_user_attention(Some(UserAttentionType::Critical));
        }
    }
}

/// The rep has looked: clear the count and the attention request.
pub fn seen(app: &AppHandle) {
    let state = app.state::<AppState>();
    if !std::mem::take(&mut *lock(&state.unread)).is_empty() {
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
    let alerts = app.state::<AppState>().settings.alerts();
    crate::tray::show_muted(app, alerts.muted_at(Utc::now()).is_some());
    let _ = app.emit(ALERT_SETTINGS_CHANGED, AlertSettings::from(&alerts));
}

/// Brings the window to the front and tells the UI to open lead `id` (`open-lead`).
pub fn open_lead(app: &AppHandle, id: &str) {
    bring_forward(app);
    seen(app);
    let _ = app.emit(OPEN_LEAD, id);
}

/// Shows the window in front, from the tray or minimised.
pub fn bring_forward(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

/// Sent with the `lead-received` event.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadEvent {
    pub lead: LeadRow,
    /// A new, fresh lead from a source that alerts, seen for the first time (an update or a
    /// replay is not).
    pub announced: bool,
    /// Why an announced lead made no sound.
    pub hush: Option<AlertHush>,
    /// Why the OS is keeping this lead's notification out of sight (on Windows: a full-screen
    /// app, presentation mode, quiet time), when it tells; the sound still plays.
    pub notification_hidden: Option<String>,
    pub latency: Latency,
    /// Why it did not alert this rep ("offered to Bo Chan", "claimed by Ann Lee"…), when it did not.
    pub not_alerted: Option<String>,
    /// Who it is offered to, from a server that routes leads.
    pub offer: Option<OfferInfo>,
}

/// Sent with the `lead-claimed` event: the lead as it is now (`lead.claim` says who).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClaimEvent {
    pub lead: LeadRow,
    /// This rep claimed it (here or on another of their devices).
    pub mine: bool,
}

/// Sent with the `lead-withdrawn` event: a lead offered to this rep went to others.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawal {
    pub lead_id: String,
    /// Who it is offered to now, by name.
    pub to: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AlertHush {
    Muted,
    QuietHours,
}

impl From<Hush> for AlertHush {
    fn from(h: Hush) -> Self {
        match h {
            Hush::Muted { .. } => AlertHush::Muted,
            Hush::QuietHours => AlertHush::QuietHours,
        }
    }
}

/// How long a lead took to reach the rep, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    /// The server's own time from webhook to broadcast, when it says (`processMs`).
    pub server_ms: Option<f64>,
    /// From the server receiving the webhook to this app receiving the event. It spans two
    /// clocks, so it is only as good as their agreement (exact on one machine).
    pub delivery_ms: Option<f64>,
    /// From this app receiving the event to the alert sound starting; none when no sound.
    pub sound_ms: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionStatus {
    Idle,
    Connecting,
    Live,
    /// Live beside this account's web app, which holds the server's one signed-in socket.
    Shared,
    Offline,
    AuthFailed,
}

/// Sent with the `connection-changed` event.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionState {
    pub status: ConnectionStatus,
    pub detail: Option<String>,
    /// RFC 3339: when the last lead event arrived.
    pub last_event_at: Option<String>,
    /// Whether the rep takes routed leads; none from a server that does not route leads (or
    /// until it is known).
    pub available: Option<bool>,
}

impl ConnectionState {
    pub const IDLE: ConnectionState =
        ConnectionState { status: ConnectionStatus::Idle, detail: None, last_event_at: None, available: None };
}

impl From<&crokodial_client::account::AccountState> for ConnectionState {
    fn from(s: &crokodial_client::account::AccountState) -> Self {
        ConnectionState {
            last_event_at: s.last_event_at.map(rfc3339),
            available: s.available,
            ..ConnectionState::from(&s.connection)
        }
    }
}

impl From<&EngineState> for ConnectionState {
    fn from(s: &EngineState) -> Self {
        let (status, detail) = match s {
            EngineState::Connecting => (ConnectionStatus::Connecting, None),
            EngineState::Live => (ConnectionStatus::Live, None),
            EngineState::Listening => (
                ConnectionStatus::Shared,
                Some(
                    "this account's web app took the signed-in connection; Crokodial listens beside it, and new leads still ring here"
                        .into(),
                ),
            ),
            EngineState::Offline { reason, .. } => (ConnectionStatus::Offline, Some(reason.clone())),
            EngineState::AuthFailed { reason } => (ConnectionStatus::AuthFailed, Some(reason.clone())),
        };
        ConnectionState { status, detail, last_event_at: None, available: None }
    }
}
