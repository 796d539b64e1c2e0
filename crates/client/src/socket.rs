//! The socket supervisor: one task that owns the WebSocket to the server. It connects,
//! authenticates, decodes events into typed values, publishes its connection state, and
//! reconnects with backoff when the connection drops, or at once when nudged (the machine woke
//! up, the network changed: see [`crate::netwatch`]).
//!
//! Only a token the server refuses stops it: an `auth_failure` or a policy close (1008) is
//! checked over HTTP (`GET /api/auth/verify`), and retried with backoff unless the server
//! refuses the token there too (an authentication timeout, a server error). The deployed server
//! keeps one signed-in socket per user and closes the older with 4000 when the same user's web
//! app connects, which the web app does after every close and every quiet minute. Rather than
//! fight it, the supervisor then listens without signing in: that server sends every event to
//! every open socket, signed in or not, and never closes one that is not.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crokodial_core::ws::{ClaimNotification, ClientMessage, NewLeadNotification, OfferNotification, ServerMessage};
use futures_util::{FutureExt, SinkExt, StreamExt};
use rand::Rng;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::Url;

use crate::api::ApiClient;
use crate::error::ClientError;
use crate::secrets::Sensitive;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
const BACKOFF_START: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
const READ_BUFFER: usize = 16 * 1024;
/// How often a socket that listens without signing in has the token checked over HTTP.
const LISTEN_RECHECK: Duration = Duration::from_secs(10 * 60);
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
    /// Hearing every event, without signing in: another session of this account (the web app)
    /// holds the server's one signed-in socket per user.
    Listening,
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

impl ConnectionState {
    /// Whether events arrive now (signed in, or listening beside the web app).
    pub fn is_live(&self) -> bool {
        matches!(self, Self::Live | Self::Listening)
    }
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
    /// Signed in to a server that routes new leads (ours): a lead rings a rep only when it is
    /// offered to them. Sent at each sign-in, before any event of that connection.
    Routing,
    /// Who a lead is offered to now.
    Offered(OfferNotification),
    /// A rep claimed a lead.
    Claimed(ClaimNotification),
    /// A resuming connection has had everything it missed, and the offers open to its rep.
    CaughtUp,
}

/// The running supervisor. Dropping it stops the task and closes the socket.
pub struct SocketHandle {
    state: watch::Receiver<ConnectionState>,
    events: mpsc::Receiver<SocketEvent>,
    nudge: Nudge,
    task: JoinHandle<()>,
}

/// Tells the supervisor to reconnect now: skip the rest of a backoff, or replace a live
/// connection that may have died while the machine slept or the network changed.
#[derive(Clone, Default)]
pub struct Nudge(Arc<Notify>);

impl Nudge {
    pub fn reconnect_now(&self) {
        self.0.notify_one();
    }
}

/// Asks the server whether it still takes the session's token, after the socket refused it.
pub(crate) trait TokenCheck: Send + 'static {
    /// Why the token is refused, if it is; `None` when the server takes it, or cannot say now.
    fn refused(&mut self) -> impl Future<Output = Option<String>> + Send;
}

impl TokenCheck for ApiClient {
    async fn refused(&mut self) -> Option<String> {
        match self.verify().await {
            Err(ClientError::Unauthorized(why)) => Some(why),
            _ => None,
        }
    }
}

/// How the supervisor opens a WebSocket. Production uses TCP (and TLS for `wss:`); the
/// supervisor's tests use an in-memory pipe so they can run on tokio's paused clock.
pub(crate) trait Connect: Send + 'static {
    type Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    fn connect(&mut self) -> impl Future<Output = Result<WebSocketStream<Self::Stream>, String>> + Send;
}

struct Tcp(Url);

impl Connect for Tcp {
    type Stream = MaybeTlsStream<TcpStream>;

    async fn connect(&mut self) -> Result<WebSocketStream<Self::Stream>, String> {
        // tungstenite zero-fills its whole read buffer on every read: keep it near an event's size
        // (its 128 KiB default made a 128 KiB memset per event). Nagle off: an event must leave at
        // once, not wait for the next one.
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
        match tokio_tungstenite::connect_async_with_config(self.0.as_str(), Some(config), true).await {
            Ok((ws, _)) => Ok(ws),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl Drop for SocketHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SocketHandle {
    /// Starts the supervisor for a logged-in client on the current tokio runtime.
    pub fn spawn(api: &ApiClient) -> Result<Self, ClientError> {
        Self::spawn_with(api, Heartbeat::default())
    }

    pub fn spawn_with(api: &ApiClient, heartbeat: Heartbeat) -> Result<Self, ClientError> {
        let token = api.token().cloned().ok_or(ClientError::NotLoggedIn)?;
        Ok(Self::spawn_over(Tcp(api.socket_url()), token, heartbeat, api.clone()))
    }

    pub(crate) fn spawn_over(
        connector: impl Connect,
        token: Sensitive<String>,
        heartbeat: Heartbeat,
        check: impl TokenCheck,
    ) -> Self {
        let (state_tx, state) = watch::channel(ConnectionState::Connecting);
        let (events_tx, events) = mpsc::channel(256);
        let nudge = Nudge::default();
        let link = Link { token, heartbeat, nudge: nudge.clone(), state: state_tx, events: events_tx };
        let task = tokio::spawn(supervise(connector, check, link));
        SocketHandle { state, events, nudge, task }
    }

    /// A handle that makes the supervisor reconnect now; see [`Nudge`].
    pub fn nudge(&self) -> Nudge {
        self.nudge.clone()
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
    /// Refused by the socket (`auth_failure`, a policy close): the token is to be checked.
    AuthFailed(String),
    /// Closed with 4000: another session of the same user signed in.
    Replaced,
    /// Told to reconnect now.
    Nudged,
    /// Listened for [`LISTEN_RECHECK`]: time to ask whether the token is still taken.
    Recheck,
    Unwanted,
}

/// What the supervisor remembers across connections.
#[derive(Debug, Default)]
struct Progress {
    /// The highest event sequence number seen; a reconnect resumes after it.
    last_seq: Option<u64>,
    /// Whether a connection has been authenticated before (so the next one is a reconnect).
    was_connected: bool,
    /// Listen without signing in: another session of the user holds the signed-in socket.
    listen: bool,
}

/// What the supervisor works with and reports to.
struct Link {
    token: Sensitive<String>,
    heartbeat: Heartbeat,
    nudge: Nudge,
    state: watch::Sender<ConnectionState>,
    events: mpsc::Sender<SocketEvent>,
}

async fn supervise(mut connector: impl Connect, mut check: impl TokenCheck, link: Link) {
    let mut delay = BACKOFF_START;
    let mut progress = Progress::default();
    loop {
        // A socket that listens never hears the token refused (it expires after 30 days): ask.
        if progress.listen {
            if let Some(why) = check.refused().await {
                tracing::warn!(%why, "the server refuses the session");
                link.state.send_replace(ConnectionState::AuthFailed { reason: why });
                return;
            }
        }
        link.state.send_replace(ConnectionState::Connecting);
        // A nudge from before this attempt is answered by this attempt.
        let _ = link.nudge.0.notified().now_or_never();
        match connect_once(&mut connector, &link, &mut progress).await {
            Ended::Dropped { reason, was_live } => {
                tracing::info!(%reason, "socket offline; reconnecting");
                link.state.send_replace(ConnectionState::Offline { reason, retrying: true });
                if was_live {
                    delay = BACKOFF_START;
                }
            }
            Ended::AuthFailed(reason) => match check.refused().await {
                Some(why) => {
                    tracing::warn!(%reason, %why, "the server refuses the session");
                    link.state.send_replace(ConnectionState::AuthFailed { reason: why });
                    return;
                }
                None => {
                    tracing::info!(%reason, "socket authentication failed, but the server takes the session; retrying");
                    let reason = format!("{reason}; retrying");
                    link.state.send_replace(ConnectionState::Offline { reason, retrying: true });
                }
            },
            Ended::Replaced => {
                tracing::info!("another session of this account took the socket; listening beside it");
                progress.listen = true;
                continue;
            }
            Ended::Nudged => {
                tracing::info!("woke up or the network changed: reconnecting now");
                delay = BACKOFF_START;
                continue;
            }
            Ended::Recheck => continue,
            Ended::Unwanted => return,
        }
        // Jitter in [delay/2, delay], so many clients do not reconnect in step.
        let jittered = delay.mul_f64(rand::thread_rng().gen_range(0.5..=1.0));
        tokio::select! {
            _ = tokio::time::sleep(jittered) => delay = (delay * 2).min(BACKOFF_MAX),
            _ = link.nudge.0.notified() => delay = BACKOFF_START,
        }
    }
}

async fn connect_once<C: Connect>(connector: &mut C, link: &Link, progress: &mut Progress) -> Ended {
    let dropped = |reason: String| Ended::Dropped { reason, was_live: false };
    let mut ws = match timeout(CONNECT_TIMEOUT, connector.connect()).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => return dropped(e),
        Err(_) => return dropped("connection timed out".into()),
    };
    if progress.listen {
        // Every event still comes; only the signed-in socket is the other session's.
        link.state.send_replace(ConnectionState::Listening);
        if events_follow(link, progress, false).await.is_err() {
            return Ended::Unwanted;
        }
        return pump(&mut ws, link, progress).await;
    }
    let hello = ClientMessage::Authenticate { token: link.token.0.clone(), resume_after: progress.last_seq };
    let hello = serde_json::to_string(&hello).expect("serialisable");
    if let Err(e) = ws.send(Message::text(hello)).await {
        return dropped(e.to_string());
    }

    // Until authenticated, only the answer to our hello matters.
    let deadline = tokio::time::Instant::now() + AUTH_TIMEOUT;
    let (server_seq, routing) = loop {
        let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return dropped("no answer to authentication".into()),
            Ok(None) => return dropped("closed during authentication".into()),
            Ok(Some(Err(e))) => return dropped(e.to_string()),
            Ok(Some(Ok(msg))) => msg,
        };
        match msg {
            Message::Text(text) => match serde_json::from_str::<ServerMessage>(&text) {
                Ok(ServerMessage::AuthSuccess { seq, routing, .. }) => break (seq, routing),
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
    link.state.send_replace(ConnectionState::Live);
    if routing && link.events.send(SocketEvent::Routing).await.is_err() {
        return Ended::Unwanted;
    }
    if events_follow(link, progress, resumed).await.is_err() {
        return Ended::Unwanted;
    }
    pump(&mut ws, link, progress).await
}

/// Tells the feed a connection follows an earlier one (`resumed`: the server replays what was
/// missed), unless it is the first.
async fn events_follow(link: &Link, progress: &mut Progress, resumed: bool) -> Result<(), ()> {
    if std::mem::replace(&mut progress.was_connected, true) {
        link.events.send(SocketEvent::Reconnected { resumed }).await.map_err(|_| ())?;
    }
    Ok(())
}

/// Reads events from a live connection, and pings it, until it ends.
async fn pump<S>(ws: &mut WebSocketStream<S>, link: &Link, progress: &mut Progress) -> Ended
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (heartbeat, nudge, events) = (link.heartbeat, &link.nudge, &link.events);
    let mut ping = tokio::time::interval(heartbeat.interval);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ping.tick().await; // the first tick is immediate
                       // Set when we ping; cleared by any frame from the server.
    let mut answer_due: Option<tokio::time::Instant> = None;
    let recheck = tokio::time::sleep(if progress.listen { LISTEN_RECHECK } else { Duration::MAX / 4 });
    tokio::pin!(recheck);
    loop {
        let frame = tokio::select! {
            frame = ws.next() => frame,
            () = &mut recheck => {
                let _ = timeout(Duration::from_millis(500), ws.close(None)).await;
                return Ended::Recheck;
            }
            _ = nudge.0.notified() => {
                // The old connection may be dead; do not wait long to say goodbye.
                let _ = timeout(Duration::from_millis(500), ws.close(None)).await;
                return Ended::Nudged;
            }
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
                    SocketEvent::NotesUpdated { lead_id, notes: notes.unwrap_or_default() }
                }
                Ok(ServerMessage::LeadOffered { data }) => SocketEvent::Offered(data),
                Ok(ServerMessage::LeadClaimed { data, seq }) => {
                    if let Some(seq) = seq {
                        progress.last_seq = Some(progress.last_seq.map_or(seq, |last| last.max(seq)));
                    }
                    SocketEvent::Claimed(data)
                }
                Ok(ServerMessage::CaughtUp) => SocketEvent::CaughtUp,
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

/// The supervisor's state machine on tokio's paused clock: an in-memory pipe stands in for TCP,
/// and the test plays the server, so every timeout is checked to the millisecond in no real time.
#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    use tokio::io::DuplexStream;
    use tokio::time::Instant;
    use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

    use super::*;

    type ServerSide = WebSocketStream<DuplexStream>;

    /// Connections to a server the test plays; it can refuse them all.
    #[derive(Clone)]
    struct Pipe {
        accepted: mpsc::UnboundedSender<ServerSide>,
        refuse: Arc<AtomicBool>,
        attempts: Arc<Mutex<Vec<Instant>>>,
    }

    impl Connect for Pipe {
        type Stream = DuplexStream;

        async fn connect(&mut self) -> Result<WebSocketStream<DuplexStream>, String> {
            self.attempts.lock().unwrap().push(Instant::now());
            if self.refuse.load(Ordering::SeqCst) {
                return Err("connection refused".into());
            }
            let (client, server) = tokio::io::duplex(1 << 16);
            let _ = self.accepted.send(WebSocketStream::from_raw_socket(server, Role::Server, None).await);
            Ok(WebSocketStream::from_raw_socket(client, Role::Client, None).await)
        }
    }

    struct Rig {
        handle: SocketHandle,
        accepted: mpsc::UnboundedReceiver<ServerSide>,
        pipe: Pipe,
        verdict: Verdict,
    }

    /// What the HTTP check says of the token: refused with this reason, or taken (`None`).
    #[derive(Clone, Default)]
    struct Verdict(Arc<Mutex<Option<String>>>, Arc<std::sync::atomic::AtomicUsize>);

    impl TokenCheck for Verdict {
        async fn refused(&mut self) -> Option<String> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.lock().unwrap().clone()
        }
    }

    const BEAT: Heartbeat = Heartbeat { interval: Duration::from_secs(10), deadline: Duration::from_secs(5) };

    fn rig() -> Rig {
        let (tx, accepted) = mpsc::unbounded_channel();
        let pipe = Pipe { accepted: tx, refuse: Arc::default(), attempts: Arc::default() };
        let verdict = Verdict::default();
        let handle = SocketHandle::spawn_over(pipe.clone(), Sensitive("t".into()), BEAT, verdict.clone());
        Rig { handle, accepted, pipe, verdict }
    }

    impl Rig {
        /// Accepts the next connection and answers its hello; returns the hello's `resumeAfter`.
        async fn accept(&mut self, seq: Option<u64>) -> (ServerSide, Option<u64>) {
            let mut ws = self.accepted.recv().await.expect("a connection");
            let Some(Ok(Message::Text(hello))) = ws.next().await else { panic!("no hello") };
            let hello: serde_json::Value = serde_json::from_str(&hello).unwrap();
            assert_eq!(hello["type"], "authenticate");
            let resume = hello["resumeAfter"].as_u64();
            send(&mut ws, serde_json::json!({"type": "auth_success", "message": "Authenticated", "seq": seq})).await;
            self.wait(|s| *s == ConnectionState::Live).await;
            (ws, resume)
        }

        async fn wait(&self, want: impl Fn(&ConnectionState) -> bool) -> ConnectionState {
            self.handle.state().wait_for(|s| want(s)).await.expect("supervisor alive").clone()
        }
    }

    async fn send(ws: &mut ServerSide, v: serde_json::Value) {
        ws.send(Message::text(v.to_string())).await.unwrap();
    }

    fn lead(id: &str, seq: u64) -> serde_json::Value {
        serde_json::json!({"type": "new_lead_notification", "seq": seq,
            "data": {"leadId": id, "name": "Ann", "source": "NextGen", "isNew": true}})
    }

    /// Answers pings (tungstenite does, while the stream is read) until the connection ends.
    fn keep_answering(mut ws: ServerSide) -> JoinHandle<()> {
        tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} })
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_server_is_dropped_exactly_one_interval_and_deadline_after_it_went_quiet() {
        let mut rig = rig();
        let (ws, _) = rig.accept(Some(0)).await;
        let live_at = Instant::now();
        // Holding the stream without reading it: pings go unanswered, like a half-open socket.
        let state = rig.wait(|s| matches!(s, ConnectionState::Offline { .. })).await;
        let took = live_at.elapsed();
        assert!(
            took >= BEAT.interval + BEAT.deadline && took < BEAT.interval + BEAT.deadline + Duration::from_millis(50),
            "{took:?}"
        );
        assert_eq!(state, ConnectionState::Offline { reason: "the server stopped answering".into(), retrying: true });
        drop(ws);
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_that_answers_pings_stays_live() {
        let mut rig = rig();
        let (ws, _) = rig.accept(Some(0)).await;
        let _answering = keep_answering(ws);
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(*rig.handle.state().borrow(), ConnectionState::Live);
        assert_eq!(rig.pipe.attempts.lock().unwrap().len(), 1, "never reconnected");
    }

    #[tokio::test(start_paused = true)]
    async fn no_answer_to_the_hello_times_out() {
        let mut rig = rig();
        let ws = rig.accepted.recv().await.unwrap();
        let started = Instant::now();
        let state = rig.wait(|s| matches!(s, ConnectionState::Offline { .. })).await;
        assert_eq!(started.elapsed(), AUTH_TIMEOUT);
        assert_eq!(state, ConnectionState::Offline { reason: "no answer to authentication".into(), retrying: true });
        drop(ws);
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_doubles_with_jitter_up_to_the_cap() {
        let rig = rig();
        rig.pipe.refuse.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(300)).await;
        let attempts = rig.pipe.attempts.lock().unwrap().clone();
        assert!(attempts.len() >= 10, "{}", attempts.len());
        let mut ceiling = BACKOFF_START;
        for pair in attempts.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(gap >= ceiling / 2 && gap <= ceiling, "gap {gap:?} outside [{:?}, {ceiling:?}]", ceiling / 2);
            ceiling = (ceiling * 2).min(BACKOFF_MAX);
        }
        assert_eq!(ceiling, BACKOFF_MAX, "the cap was reached");
    }

    #[tokio::test(start_paused = true)]
    async fn a_nudge_cuts_a_long_backoff_short() {
        let mut rig = rig();
        rig.pipe.refuse.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(100)).await; // well into 30 s waits
        rig.pipe.refuse.store(false, Ordering::SeqCst);
        let nudged = Instant::now();
        rig.handle.nudge().reconnect_now();
        let (_ws, _) = rig.accept(Some(0)).await;
        assert!(nudged.elapsed() < Duration::from_millis(10), "{:?}", nudged.elapsed());
    }

    #[tokio::test(start_paused = true)]
    async fn a_nudge_while_live_reconnects_at_once_and_resumes_after_the_last_event() {
        let mut rig = rig();
        let (mut ws, resume) = rig.accept(Some(3)).await;
        assert_eq!(resume, None, "a first connection resumes nothing");
        send(&mut ws, lead("L4", 4)).await;
        send(&mut ws, lead("L5", 5)).await;
        for want in ["L4", "L5"] {
            let Some(SocketEvent::NewLead(n)) = rig.handle.next_event().await else { panic!() };
            assert_eq!(n.lead_id.as_deref(), Some(want));
        }
        let _old = keep_answering(ws);
        let nudged = Instant::now();
        rig.handle.nudge().reconnect_now();
        let (_ws, resume) = rig.accept(Some(5)).await;
        assert!(nudged.elapsed() < Duration::from_secs(1), "no backoff after a nudge: {:?}", nudged.elapsed());
        assert_eq!(resume, Some(5));
        assert_eq!(rig.handle.next_event().await, Some(SocketEvent::Reconnected { resumed: true }));
    }

    #[tokio::test(start_paused = true)]
    async fn replaced_by_the_same_users_web_app_it_listens_without_signing_in() {
        let mut rig = rig();
        let (mut ws, _) = rig.accept(None).await;
        ws.close(Some(CloseFrame { code: CloseCode::from(CLOSE_REPLACED), reason: "New session established".into() }))
            .await
            .unwrap();
        // At once, no backoff: the close is routine.
        let mut listener = rig.accepted.recv().await.expect("a new connection");
        rig.wait(|s| *s == ConnectionState::Listening).await;
        assert_eq!(rig.handle.next_event().await, Some(SocketEvent::Reconnected { resumed: false }));
        let said = timeout(Duration::from_secs(30), async {
            loop {
                match listener.next().await {
                    Some(Ok(Message::Text(t))) => return Some(t),
                    Some(Ok(_)) => continue, // pings
                    _ => return None,
                }
            }
        })
        .await;
        assert!(said.is_err(), "no hello: it never takes the socket back ({said:?})");
        send(&mut listener, lead("L1", 1)).await;
        let Some(SocketEvent::NewLead(n)) = rig.handle.next_event().await else { panic!() };
        assert_eq!(n.lead_id.as_deref(), Some("L1"));

        // A drop while listening: it listens again after the backoff, still without signing in.
        drop(listener);
        rig.wait(|s| matches!(s, ConnectionState::Offline { retrying: true, .. })).await;
        let mut again = rig.accepted.recv().await.expect("reconnected");
        rig.wait(|s| *s == ConnectionState::Listening).await;
        let said = timeout(Duration::from_secs(5), async {
            while let Some(Ok(m)) = again.next().await {
                if m.is_text() {
                    return Some(m);
                }
            }
            None
        })
        .await;
        assert!(said.is_err(), "no hello: {said:?}");
        assert_eq!(rig.pipe.attempts.lock().unwrap().len(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_is_retried_unless_the_server_refuses_the_token_over_http_too() {
        for during_hello in [false, true] {
            let mut rig = rig();
            // An authentication timeout or a server error: the token is still good.
            if during_hello {
                let mut ws = rig.accepted.recv().await.unwrap();
                let _hello = ws.next().await;
                send(
                    &mut ws,
                    serde_json::json!({"type": "auth_failure", "message": "Server error", "code": "AUTH_ERROR"}),
                )
                .await;
            } else {
                let (mut ws, _) = rig.accept(None).await;
                ws.close(Some(CloseFrame { code: CloseCode::Policy, reason: "Authentication timeout".into() }))
                    .await
                    .unwrap();
            }
            let state = rig.wait(|s| matches!(s, ConnectionState::Offline { .. })).await;
            assert!(matches!(state, ConnectionState::Offline { retrying: true, .. }), "{state:?}");
            let (mut ws, _) = rig.accept(None).await;
            assert_eq!(rig.verdict.1.load(Ordering::SeqCst), 1, "checked once over HTTP");

            // Now the server refuses the token itself: stop, and say why.
            *rig.verdict.0.lock().unwrap() = Some("jwt expired".into());
            ws.close(Some(CloseFrame { code: CloseCode::Policy, reason: "Authentication failed".into() }))
                .await
                .unwrap();
            let state = rig.wait(|s| matches!(s, ConnectionState::AuthFailed { .. })).await;
            assert_eq!(state, ConnectionState::AuthFailed { reason: "jwt expired".into() });
            tokio::time::sleep(Duration::from_secs(120)).await;
            assert_eq!(rig.pipe.attempts.lock().unwrap().len(), 2, "no retry after a refused token");
        }
    }
}
