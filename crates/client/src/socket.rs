//! The socket supervisor: one task that owns the WebSocket to the server. It connects,
//! authenticates, decodes events into typed values, publishes its connection state, and
//! reconnects with backoff when the connection drops.

use std::time::Duration;

use crokodial_core::ws::{ClientMessage, NewLeadNotification, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use url::Url;

use crate::secrets::Sensitive;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
const BACKOFF_START: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// The deployed server closes an older socket of the same user with this code.
const CLOSE_REPLACED: u16 = 4000;

/// Timing of the supervisor's heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    /// How often we ping the server.
    pub interval: Duration,
    /// How long after a ping we wait for any frame before calling the connection dead. A
    /// half-open connection (a sleeping laptop, a vanished Wi-Fi) is found within
    /// `interval + deadline`.
    pub deadline: Duration,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Heartbeat { interval: Duration::from_secs(10), deadline: Duration::from_secs(5) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Live,
    /// Not connected; the supervisor retries unless `retrying` is false.
    Offline {
        reason: String,
        retrying: bool,
    },
    /// The server refused the session; log in again.
    AuthFailed {
        reason: String,
    },
}

/// A typed event from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum SocketEvent {
    NewLead(NewLeadNotification),
    NotesUpdated {
        lead_id: String,
        notes: String,
    },
    /// Authenticated again after a drop. `resumed`: the server replays what was missed (ours);
    /// otherwise (the deployed server) events sent while offline are lost and must be fetched.
    Reconnected {
        resumed: bool,
    },
}

/// The running supervisor. Dropping it stops the task and closes the socket.
pub struct SocketHandle {
    state: watch::Receiver<ConnectionState>,
    events: mpsc::Receiver<SocketEvent>,
    task: JoinHandle<()>,
}

impl Drop for SocketHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SocketHandle {
    /// Starts the supervisor on the current tokio runtime.
    pub fn spawn(url: Url, token: Sensitive<String>) -> Self {
        Self::spawn_with(url, token, Heartbeat::default())
    }

    pub fn spawn_with(url: Url, token: Sensitive<String>, heartbeat: Heartbeat) -> Self {
        let (state_tx, state) = watch::channel(ConnectionState::Connecting);
        let (events_tx, events) = mpsc::channel(256);
        let task = tokio::spawn(supervise(url, token, heartbeat, state_tx, events_tx));
        SocketHandle { state, events, task }
    }

    /// The connection state, to watch for changes.
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    /// The next event; `None` once the supervisor has stopped for good.
    pub async fn next_event(&mut self) -> Option<SocketEvent> {
        self.events.recv().await
    }
}

enum Ended {
    /// The connection ended; `was_live` tells whether it had authenticated.
    Dropped {
        reason: String,
        was_live: bool,
    },
    AuthFailed(String),
    Replaced,
    Unwanted,
}

/// What the supervisor remembers across connections.
#[derive(Debug, Default)]
struct Progress {
    /// The highest event sequence number seen; a reconnect resumes after it.
    last_seq: Option<u64>,
    /// Whether a connection has been authenticated before (so the next one is a reconnect).
    was_connected: bool,
}

async fn supervise(
    url: Url,
    token: Sensitive<String>,
    heartbeat: Heartbeat,
    state: watch::Sender<ConnectionState>,
    events: mpsc::Sender<SocketEvent>,
) {
    let mut delay = BACKOFF_START;
    let mut progress = Progress::default();
    loop {
        state.send_replace(ConnectionState::Connecting);
        match connect_once(&url, &token, heartbeat, &mut progress, &state, &events).await {
            Ended::Dropped { reason, was_live } => {
                tracing::info!(%reason, "socket offline; reconnecting");
                state.send_replace(ConnectionState::Offline { reason, retrying: true });
                if was_live {
                    delay = BACKOFF_START;
                }
            }
            Ended::AuthFailed(reason) => {
                tracing::warn!(%reason, "socket authentication failed");
                state.send_replace(ConnectionState::AuthFailed { reason });
                return;
            }
            Ended::Replaced => {
                let reason = "this account connected from another device".to_owned();
                state.send_replace(ConnectionState::Offline { reason, retrying: false });
                return;
            }
            Ended::Unwanted => return,
        }
        // Full jitter in [delay/2, delay], so many clients do not reconnect in step.
        let jittered = delay.mul_f64(rand::thread_rng().gen_range(0.5..=1.0));
        tokio::time::sleep(jittered).await;
        delay = (delay * 2).min(BACKOFF_MAX);
    }
}

async fn connect_once(
    url: &Url,
    token: &Sensitive<String>,
    heartbeat: Heartbeat,
    progress: &mut Progress,
    state: &watch::Sender<ConnectionState>,
    events: &mpsc::Sender<SocketEvent>,
) -> Ended {
    let dropped = |reason: String| Ended::Dropped { reason, was_live: false };
    let mut ws =
        match timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async_with_config(url.as_str(), None, true)).await {
            Ok(Ok((ws, _))) => ws,
            Ok(Err(e)) => return dropped(e.to_string()),
            Err(_) => return dropped("connection timed out".into()),
        };
    let hello = ClientMessage::Authenticate { token: token.0.clone(), resume_after: progress.last_seq };
    let hello = serde_json::to_string(&hello).expect("serialisable");
    if let Err(e) = ws.send(Message::text(hello)).await {
        return dropped(e.to_string());
    }

    // Until authenticated, only the answer to our hello matters.
    let deadline = tokio::time::Instant::now() + AUTH_TIMEOUT;
    let server_seq = loop {
        let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return dropped("no answer to authentication".into()),
            Ok(None) => return dropped("closed during authentication".into()),
            Ok(Some(Err(e))) => return dropped(e.to_string()),
            Ok(Some(Ok(msg))) => msg,
        };
        match msg {
            Message::Text(text) => match serde_json::from_str::<ServerMessage>(&text) {
                Ok(ServerMessage::AuthSuccess { seq, .. }) => break seq,
                Ok(ServerMessage::AuthFailure { message, .. }) => return Ended::AuthFailed(message),
                _ => {}
            },
            Message::Close(frame) => return close_reason(frame, false),
            _ => {}
        }
    };

    // A server that tells its sequence number resumes: from where we were, or, on a first
    // connection, from now. The deployed server tells none.
    let mut resumed = server_seq.is_some() && progress.last_seq.is_some();
    if let (Some(now), Some(last)) = (server_seq, progress.last_seq) {
        if now < last {
            // The server's history is not the one we followed (a reset database): start over.
            resumed = false;
            progress.last_seq = Some(now);
        }
    }
    if progress.last_seq.is_none() {
        progress.last_seq = server_seq;
    }
    state.send_replace(ConnectionState::Live);
    if std::mem::replace(&mut progress.was_connected, true)
        && events.send(SocketEvent::Reconnected { resumed }).await.is_err()
    {
        return Ended::Unwanted;
    }
    let mut ping = tokio::time::interval(heartbeat.interval);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ping.tick().await; // the first tick is immediate
                       // Set when we ping; cleared by any frame from the server.
    let mut answer_due: Option<tokio::time::Instant> = None;
    loop {
        let frame = tokio::select! {
            frame = ws.next() => frame,
            _ = ping.tick() => {
                answer_due.get_or_insert(tokio::time::Instant::now() + heartbeat.deadline);
                if let Err(e) = ws.send(Message::Ping(Vec::new().into())).await {
                    return Ended::Dropped { reason: e.to_string(), was_live: true };
                }
                continue;
            }
            _ = tokio::time::sleep_until(answer_due.unwrap_or_else(tokio::time::Instant::now)), if answer_due.is_some() => {
                return Ended::Dropped { reason: "the server stopped answering".into(), was_live: true };
            }
        };
        answer_due = None;
        let msg = match frame {
            None => return Ended::Dropped { reason: "connection closed".into(), was_live: true },
            Some(Err(e)) => return Ended::Dropped { reason: e.to_string(), was_live: true },
            Some(Ok(msg)) => msg,
        };
        let event = match msg {
            Message::Text(text) => match serde_json::from_str::<ServerMessage>(&text) {
                Ok(ServerMessage::NewLead { data, seq, .. }) => {
                    if let Some(seq) = seq {
                        progress.last_seq = Some(progress.last_seq.map_or(seq, |last| last.max(seq)));
                    }
                    SocketEvent::NewLead(data)
                }
                Ok(ServerMessage::LeadNotesUpdated { lead_id, notes, .. }) => {
                    SocketEvent::NotesUpdated { lead_id, notes }
                }
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "undecodable socket message ignored");
                    continue;
                }
            },
            Message::Close(frame) => return close_reason(frame, true),
            _ => continue,
        };
        if events.send(event).await.is_err() {
            return Ended::Unwanted;
        }
    }
}

fn close_reason(frame: Option<tokio_tungstenite::tungstenite::protocol::CloseFrame>, was_live: bool) -> Ended {
    match frame {
        Some(f) if u16::from(f.code) == CLOSE_REPLACED => Ended::Replaced,
        Some(f) if f.code == CloseCode::Policy => Ended::AuthFailed(format!("closed by the server: {}", f.reason)),
        Some(f) => {
            Ended::Dropped { reason: format!("closed by the server ({}) {}", u16::from(f.code), f.reason), was_live }
        }
        None => Ended::Dropped { reason: "closed by the server".into(), was_live },
    }
}
