//! The sync service: when an account's cache and the server are brought together.
//!
//! - a sync (the rep's queued edits, then the server's changes) whenever the socket comes live:
//!   at start and after every outage, even a blip too short to be seen as offline;
//! - every [`RESYNC_EVERY`] while live (the deployed server announces neither its deletions nor
//!   its edits) and when asked (after an import);
//! - the outbox alone as soon as the rep makes an edit or a call while live.
//!
//! Offline, nothing is tried: edits wait in the outbox and the next live moment sends them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

use crate::socket::ConnectionState;

pub const RESYNC_EVERY: Duration = Duration::from_secs(5 * 60);

/// What the service runs; the account's is the real sync against its server.
pub trait Syncing: Send + Sync + 'static {
    /// A whole sync: edits out, changes in.
    fn sync(&self) -> impl Future<Output = ()> + Send;
    /// The outbox only (edits, calls).
    fn push(&self) -> impl Future<Output = ()> + Send;
}

/// How the rest of the account asks the service for work.
#[derive(Default)]
pub struct Nudges {
    /// The rep queued an edit or a call.
    pub outbox: Notify,
    /// Sync now (after an import).
    pub sync: Notify,
    /// The rep's callbacks changed: the reminder looks again.
    pub followups: Notify,
}

/// Runs until `live`'s sender is gone (the account was dropped).
pub async fn keep_synced(target: impl Syncing, mut live: watch::Receiver<ConnectionState>, nudges: Arc<Nudges>) {
    let mut due = true;
    loop {
        let is_live = live.borrow_and_update().is_live();
        if is_live && due {
            target.sync().await;
        }
        due = false;
        tokio::select! {
            changed = live.changed() => if changed.is_err() { return } else { due = true },
            () = tokio::time::sleep(RESYNC_EVERY) => due = true,
            () = nudges.sync.notified() => due = true,
            () = nudges.outbox.notified() => if is_live { target.push().await },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use tokio::time::Instant;

    use super::*;

    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<(&'static str, Duration)>>>, Option<Instant>);

    impl Recorder {
        fn runs(&self) -> Vec<(&'static str, u64)> {
            self.0.lock().unwrap().iter().map(|(what, at)| (*what, at.as_secs())).collect()
        }
        fn note(&self, what: &'static str) {
            self.0.lock().unwrap().push((what, self.1.expect("started").elapsed()));
        }
    }

    impl Syncing for Recorder {
        async fn sync(&self) {
            self.note("sync");
            tokio::time::sleep(Duration::from_secs(2)).await; // a sync takes a while
        }
        async fn push(&self) {
            self.note("push");
        }
    }

    /// The whole policy on a paused clock: time moves only as the test says.
    #[tokio::test(start_paused = true)]
    async fn syncs_when_live_every_five_minutes_and_on_request_and_pushes_edits_at_once() {
        let (state, live) = watch::channel(ConnectionState::Connecting);
        let nudges = Arc::new(Nudges::default());
        let recorder = Recorder(Arc::default(), Some(Instant::now()));
        let service = tokio::spawn(keep_synced(recorder.clone(), live, nudges.clone()));
        let at = |secs: u64| tokio::time::sleep_until(recorder.1.unwrap() + Duration::from_secs(secs));

        at(10).await;
        assert_eq!(recorder.runs(), [], "nothing is tried before the socket is live");
        nudges.outbox.notify_one();
        at(11).await;
        assert_eq!(recorder.runs(), [], "an edit made offline waits");

        state.send_replace(ConnectionState::Live);
        at(20).await;
        assert_eq!(recorder.runs(), [("sync", 11)], "live: one sync, which sends the waiting edit");

        nudges.outbox.notify_one();
        at(30).await;
        assert_eq!(recorder.runs()[1..], [("push", 20)], "an edit while live goes at once, alone");

        at(20 + 300 + 5).await;
        assert_eq!(recorder.runs()[2..], [("sync", 320)], "five quiet minutes: a sync");

        nudges.sync.notify_one();
        at(400).await;
        assert_eq!(recorder.runs()[3..], [("sync", 325)], "asked (an import was sent): a sync");

        state.send_replace(ConnectionState::Offline { reason: "cut".into(), retrying: true });
        at(410).await;
        state.send_replace(ConnectionState::Live);
        at(420).await;
        assert_eq!(recorder.runs()[4..], [("sync", 410)], "back after an outage: a sync");

        state.send_replace(ConnectionState::Listening);
        at(430).await;
        assert_eq!(recorder.runs()[5..], [("sync", 420)], "listening beside the web app is live too");

        drop(state);
        at(440).await;
        assert!(service.is_finished(), "the service ends with its account");
    }
}
