//! The real-time socket: raw WebSocket on any path, authenticated by the first message.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use crokodial_core::ws::{failure, ClientMessage, OfferNotification, ServerMessage};
use tokio::time::{sleep_until, Instant};

use crate::auth;
use crate::error::ApiError;
use crate::hub::{Queued, Subscription};
use crate::routes::lead_event;
use crate::state::AppState;
use crate::store;

/// A socket must authenticate within this time.
pub const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// Close code for policy violations (no or bad authentication).
const POLICY: u16 = 1008;
const MAX_MESSAGE: usize = 64 * 1024;

/// The router's fallback: upgrades WebSocket requests on any path, 404 JSON otherwise.
pub async fn fallback(
    State(state): State<AppState>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    match ws {
        Ok(ws) => ws
            .max_message_size(MAX_MESSAGE)
            .read_buffer_size(READ_BUFFER)
            .on_upgrade(move |socket| serve(socket, state)),
        Err(_) => ApiError::no_route().into_response(),
    }
}

async fn send(socket: &mut WebSocket, msg: &ServerMessage) -> bool {
    match serde_json::to_string(msg) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

async fn close(mut socket: WebSocket, code: u16, reason: &str) {
    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
}

/// Client messages are small. tungstenite zero-fills its whole read buffer on every read, so its
/// 128 KiB default costs a 128 KiB memset per message (11% of the bench's CPU with 100 sockets).
const READ_BUFFER: usize = 8 * 1024;

/// Changes replayed per storage read.
const REPLAY_PAGE: usize = 500;

/// Sends the tenant's changes after `after`, from storage, oldest first. Returns the last sequence
/// number sent (at least `after`), or `None` if the socket or the store failed.
async fn replay(socket: &mut WebSocket, state: &AppState, tenant: &str, after: u64) -> Option<u64> {
    let mut upto = after;
    // A lead changed again between two pages (enriched, updated) comes back on a later page: it
    // is new only the first time.
    let mut sent = std::collections::HashSet::new();
    loop {
        let t = tenant.to_owned();
        let page = store::run(&state.store, move |s| s.changes_after(&t, upto, REPLAY_PAGE)).await.ok()?;
        for change in &page {
            let is_new = sent.insert(change.lead.id.clone()) && change.is_new_since(after);
            if !send(socket, &lead_event(change, is_new, None)).await {
                return None;
            }
            upto = change.seq;
        }
        if page.len() < REPLAY_PAGE {
            return Some(upto);
        }
    }
}

/// Sends the offers still open to the user (see `Router::open_offers`): a rep who was offline
/// mid-offer gets it. Leads created after `upto` are left to the live events, which carry their
/// offer, so no offer comes before its lead. False if the socket or the store failed.
async fn send_open_offers(socket: &mut WebSocket, state: &AppState, tenant: &str, user: &str, upto: u64) -> bool {
    let open = state.router.open_offers(tenant, user, chrono::Utc::now());
    if open.is_empty() {
        return true;
    }
    let t = tenant.to_owned();
    let Ok(found) = store::run(&state.store, move |s| {
        let mut found = Vec::with_capacity(open.len());
        for route in open {
            match s.latest_change(&t, &route.lead_id)? {
                Some(change) if change.created_seq > upto => {}
                change => found.push((change.map(|c| Box::new(c.lead)), route)),
            }
        }
        Ok(found)
    })
    .await
    else {
        return false;
    };
    for (lead, route) in found {
        let data = OfferNotification { lead_id: route.lead_id, offer: route.offer, lead };
        if !send(socket, &ServerMessage::LeadOffered { data }).await {
            return false;
        }
    }
    true
}

async fn serve(mut socket: WebSocket, state: AppState) {
    let auth_deadline = Instant::now() + AUTH_TIMEOUT;
    let mut sub: Option<Subscription> = None;
    let mut shutdown = state.shutdown.clone();
    let mut ping = tokio::time::interval_at(Instant::now() + state.ping_interval, state.ping_interval);
    let mut last_seen = Instant::now();
    // The highest sequence number a replay has sent this socket; queued live events up to it are
    // duplicates. A socket that did not ask to resume gets every live event.
    let mut sent_upto = 0u64;
    // The authenticated user, to tell a deactivation from lagging when the hub drops us.
    let mut user_id: Option<String> = None;

    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { return };
                last_seen = Instant::now();
                let text = match msg {
                    Message::Text(t) => t,
                    Message::Close(_) => return,
                    _ => continue,
                };
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Err(_) => {
                        let err = ServerMessage::Error { message: "Invalid message format".into() };
                        if !send(&mut socket, &err).await { return }
                    }
                    Ok(value) => match serde_json::from_value::<ClientMessage>(value) {
                        Ok(ClientMessage::Authenticate { token, resume_after }) => match auth::user_for_token(&state, &token).await {
                            Ok(user) => {
                                // Join first, then read storage: nothing written in between is missed;
                                // what both deliver is sent once (see `sent_upto`).
                                // Re-authenticating moves the socket to the (possibly new) tenant.
                                sub = Some(state.hub.subscribe(&user.tenant_id, &user.id));
                                // Deactivated between the token check and joining: the hub's
                                // `disconnect_user` may have run before we joined.
                                if !still_active(&state, &user.id).await {
                                    return refuse_deactivated(socket).await;
                                }
                                user_id = Some(user.id.clone());
                                let tenant = user.tenant_id.clone();
                                let Ok(last) = store::run(&state.store, move |s| s.last_seq(&tenant)).await else { return };
                                let ok = ServerMessage::AuthSuccess {
                                    message: "WebSocket authenticated".into(),
                                    seq: Some(last),
                                    routing: true,
                                };
                                if !send(&mut socket, &ok).await { return }
                                sent_upto = 0;
                                if let Some(after) = resume_after {
                                    match replay(&mut socket, &state, &user.tenant_id, after).await {
                                        Some(upto) => sent_upto = upto,
                                        None => return,
                                    }
                                }
                                let upto = last.max(sent_upto);
                                if !send_open_offers(&mut socket, &state, &user.tenant_id, &user.id, upto).await { return }
                                if resume_after.is_some() && !send(&mut socket, &ServerMessage::CaughtUp).await { return }
                            }
                            Err(e) => {
                                let code = if e.status.is_server_error() { failure::AUTH_ERROR } else { failure::INVALID_TOKEN };
                                let fail = ServerMessage::AuthFailure { message: e.message, code: Some(code.into()) };
                                send(&mut socket, &fail).await;
                                return close(socket, POLICY, "Authentication failed").await;
                            }
                        },
                        // Other message types are not ours to handle; ignore them.
                        Err(_) => tracing::debug!("ignoring an unknown client message"),
                    },
                }
            }
            event = async { sub.as_mut().expect("guarded").rx.recv().await }, if sub.is_some() => {
                match event {
                    // Already sent by the replay.
                    Some(Queued { seq: Some(seq), .. }) if seq <= sent_upto => {}
                    Some(Queued { text, .. }) => if socket.send(Message::Text(text)).await.is_err() { return },
                    // The hub dropped us: the user was deactivated, or the socket lagged.
                    None => match &user_id {
                        Some(id) if !still_active(&state, id).await => return refuse_deactivated(socket).await,
                        _ => return close(socket, 1013, "Too slow").await,
                    },
                }
            }
            _ = sleep_until(auth_deadline), if sub.is_none() => {
                return close(socket, POLICY, "Authentication timeout").await;
            }
            _ = ping.tick() => {
                if last_seen.elapsed() > state.ping_interval * 2 {
                    tracing::debug!("dropping a silent socket");
                    return;
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() { return }
            }
            _ = shutdown.changed() => {
                return close(socket, 1001, "Server shutting down").await;
            }
        }
    }
}

/// Whether the user is still there and active (a storage error counts as yes: the token was good).
async fn still_active(state: &AppState, user_id: &str) -> bool {
    let id = user_id.to_owned();
    match store::run(&state.store, move |s| s.user_by_id(&id)).await {
        Ok(user) => user.is_some_and(|u| u.active),
        Err(_) => true,
    }
}

/// Tells a deactivated user's socket why, and closes it as an authentication failure (so the
/// client stops instead of reconnecting).
async fn refuse_deactivated(mut socket: WebSocket) {
    let fail =
        ServerMessage::AuthFailure { message: auth::DEACTIVATED.into(), code: Some(failure::INVALID_TOKEN.into()) };
    send(&mut socket, &fail).await;
    close(socket, POLICY, "Account deactivated").await
}
