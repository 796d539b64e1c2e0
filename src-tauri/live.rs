//! Pumps the engine's lead feed into the UI (`lead-received`, `connection-changed`), into OS
//! notifications, and into the unread count (tray, taskbar). The socket and the sound live in the
//! engine, never in the webview.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use chrono::Utc;

use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheError, LeadCache, SharedCache};
use crokodial_client::feed::{FeedEvent, LeadArrival, LeadFeed};
use crokodial_client::session::Session;
use crokodial_client::socket::ConnectionState as EngineState;
use crokodial_client::sync;
use crokodial_client::AbortOnDrop;
use tauri::{AppHandle, Emitter, Manager, UserAttentionType};
use tokio::sync::{watch, Notify};

use crate::dto::{rfc3339, AlertSettings, AudioHealth, ConnectionState, Latency, LeadEvent, LeadRow, SyncStatus};
use crate::state::AppState;

pub const LEAD_RECEIVED: &str = "lead-received";
pub const CONNECTION_CHANGED: &str = "connection-changed";
pub const UNREAD_CHANGED: &str = "unread-changed";
pub const ALERT_SETTINGS_CHANGED: &str = "alert-settings-changed";
pub const OPEN_LEAD: &str = "open-lead";
pub const LEADS_SYNCED: &str = "leads-synced";
pub const AUDIO_CHANGED: &str = "audio-changed";

/// Starts (or restarts) the live feed for `session`, with its lead cache, and keeps the cache in
/// sync (see [`keep_synced`]).
pub fn start(app: &AppHandle, session: &Session) {
    stop(app);
    let state = app.state::<AppState>();
    let alert = state.alert.clone();
    let settings = state.alert_settings.subscribe();
    let cache = match LeadCache::open(&state.home, &session.profile.server_url, &session.user().id) {
        Ok(cache) => Some(Arc::new(tokio::sync::Mutex::new(cache))),
        Err(e) => {
            tracing::error!(error = %e, "no local lead cache: the list comes from the server");
            None
        }
    };
    *state.cache.lock().expect("cache lock") = cache.clone();
    let session = session.clone();
    let app2 = app.clone();
    let task = tauri::async_runtime::spawn(async move {
        let mut feed = match LeadFeed::start(session.api(), alert, settings) {
            Ok(feed) => feed,
            Err(e) => return tracing::error!(error = %e, "cannot start the live feed"),
        };
        // Syncing runs beside the feed, and stops with it (logout, another login).
        let mut _sync = None;
        if let Some(cache) = cache {
            feed = feed.with_cache(cache.clone());
            let (app, api, live) = (app2.clone(), session.api().clone(), feed.state());
            let state = app.state::<AppState>();
            let (edits, now) = (state.edits_queued.clone(), state.sync_wanted.clone());
            _sync = Some(AbortOnDrop(tokio::spawn(keep_synced(app, api, cache, live, edits, now))));
        }
        let mut states = feed.state();
        let app3 = app2.clone();
        tauri::async_runtime::spawn(async move {
            loop {
                let engine = ConnectionState::from(&*states.borrow_and_update());
                update_connection(&app3, |c| (c.status, c.detail) = (engine.status, engine.detail));
                if states.changed().await.is_err() {
                    return;
                }
            }
        });
        while let Some(event) = feed.next().await {
            match event {
                FeedEvent::Lead(arrival) => deliver(&app2, arrival).await,
                // Notes written elsewhere, an upload elsewhere: already in the cache; the list
                // and the open lead read it again, quietly.
                FeedEvent::Changed(change) => {
                    tracing::info!(?change, "leads changed elsewhere");
                    let cache = app2.state::<AppState>().cache.lock().expect("cache lock").clone();
                    if let Some(cache) = cache {
                        report(&app2, &cache).await;
                    }
                }
            }
        }
    });
    *state.live.lock().expect("live lock") = Some(task);
}

/// Keeps the cache in step with the server: a sync (the rep's queued edits first, then the
/// server's changes) whenever the socket comes live, at start and after every outage; and the
/// outbox alone as soon as the rep makes an edit while live; and again every few minutes while
/// live (deletions, and the deployed server's edits, are not announced on the socket); and when
/// asked (`sync_wanted`: after an import). Each run ends with `leads-synced`.
async fn keep_synced(
    app: AppHandle,
    api: ApiClient,
    cache: SharedCache,
    mut live: watch::Receiver<EngineState>,
    edits: Arc<Notify>,
    wanted: Arc<Notify>,
) {
    // A sync runs at the first look, and after any change of the connection (even a blip too
    // short to be seen as offline) or a quiet spell, whenever the socket is live by then.
    let mut due = true;
    loop {
        let is_live = live.borrow_and_update().is_live();
        if is_live && due {
            // The rep's edits first (each sync sends them), then the server's changes.
            match sync::sync(&api, &cache).await {
                Ok(r) => {
                    tracing::info!(fetched = r.fetched, cached = r.cached, pushed = ?r.pushed, took = ?r.took, "synced")
                }
                Err(e) => tracing::warn!(error = %e, "sync failed; the list shows the cached leads"),
            }
            report(&app, &cache).await;
        }
        due = false;
        tokio::select! {
            changed = live.changed() => if changed.is_err() { return } else { due = true },
            () = tokio::time::sleep(RESYNC_EVERY) => due = true,
            () = wanted.notified() => due = true,
            () = edits.notified() => {
                if is_live {
                    if let Err(e) = sync::push(&api, &cache).await {
                        tracing::info!(error = %e, "edits kept for the next sync");
                    }
                }
                report(&app, &cache).await;
            }
        }
    }
}

const RESYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The rep made an edit: have the sync task send it.
pub fn edits_queued(app: &AppHandle) {
    app.state::<AppState>().edits_queued.notify_one();
}

/// Have the sync task sync now (when live), e.g. to bring in the leads of an import.
pub fn sync_wanted(app: &AppHandle) {
    app.state::<AppState>().sync_wanted.notify_one();
}

pub fn sync_status(cache: &LeadCache) -> Result<SyncStatus, CacheError> {
    let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    let outbox = cache.outbox_counts()?;
    Ok(SyncStatus {
        cached: n(cache.count()?),
        pending: n(outbox.pending),
        conflicts: n(outbox.conflict),
        failed: n(outbox.failed),
        synced_at: sync::last_synced(cache)?.map(rfc3339),
    })
}

async fn report(app: &AppHandle, cache: &SharedCache) {
    match sync_status(&*cache.lock().await) {
        Ok(status) => _ = app.emit(LEADS_SYNCED, status),
        Err(e) => tracing::warn!(error = %e, "cannot read the cache"),
    }
}

async fn deliver(app: &AppHandle, event: LeadArrival) {
    let arrived = Utc::now();
    let LeadArrival { lead, announce, alert, hush } = event;
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
    let mut notification_hidden = None;
    if announce {
        let (app2, id) = (app.clone(), row.id.clone());
        crate::notify::show_lead(app, &row, move || open_lead(&app2, &id));
        notification_hidden = crate::notify::hidden_by_os();
        if let Some(why) = notification_hidden {
            tracing::info!(why, "the OS is hiding the notification of a new lead; the sound still plays");
        }
        unseen(app);
    }
    let latency = Latency { server_ms: lead.process_ms, delivery_ms, sound_ms };
    let event = LeadEvent {
        lead: row,
        announced: announce,
        hush: hush.map(Into::into),
        notification_hidden: notification_hidden.map(str::to_owned),
        latency,
    };
    if let Err(e) = app.emit(LEAD_RECEIVED, event) {
        tracing::warn!(error = %e, "cannot send a lead to the UI");
    }
    update_connection(app, |c| c.last_event_at = Some(rfc3339(arrived)));
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

/// Stops the live feed, closing the socket.
pub fn stop(app: &AppHandle) {
    let state = app.state::<AppState>();
    if let Some(task) = state.live.lock().expect("live lock").take() {
        task.abort();
    }
    state.cache.lock().expect("cache lock").take();
    update_connection(app, |c| *c = ConnectionState::IDLE);
    seen(app);
}

/// Changes what the UI shows of the connection (its state; when the last lead came) and tells it.
fn update_connection(app: &AppHandle, change: impl FnOnce(&mut ConnectionState)) {
    let now = {
        let state = app.state::<AppState>();
        let mut current = state.connection.lock().expect("connection lock");
        change(&mut current);
        current.clone()
    };
    let _ = app.emit(CONNECTION_CHANGED, now);
}

/// One more announced lead the rep has not seen: count it, and ask for attention if the window
/// is not in front and the rep wants that.
fn unseen(app: &AppHandle) {
    let state = app.state::<AppState>();
    let window = app.get_webview_window("main");
    if window.as_ref().is_some_and(|w| w.is_focused().unwrap_or(false)) {
        return; // the rep is looking at it
    }
    let unread = state.unread.fetch_add(1, Ordering::SeqCst) + 1;
    unread_changed(app, unread);
    if let Some(window) = window {
        if state.alerts().taskbar_attention {
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
