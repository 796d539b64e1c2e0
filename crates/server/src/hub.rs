//! Fan-out of events to the authenticated sockets of one tenant.
//!
//! Each socket has a bounded queue. Broadcasting never waits: a socket whose queue is full is
//! dropped from the hub (its task then sees the queue close and ends the connection).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use crokodial_core::ws::ServerMessage;
use tokio::sync::mpsc;

/// Events a socket may have queued before it counts as lagging.
pub const QUEUE: usize = 64;

/// An encoded event and its sequence number (if it has one), as queued for each socket.
#[derive(Debug, Clone)]
pub struct Queued {
    pub seq: Option<u64>,
    /// Encoded once; each socket's copy is a reference count, not a copy of the text.
    pub text: Utf8Bytes,
}

/// Per tenant: each socket's id, user and queue.
type Subscribers = HashMap<String, Vec<(u64, String, mpsc::Sender<Queued>)>>;

#[derive(Clone, Default)]
pub struct Hub {
    tenants: Arc<Mutex<Subscribers>>,
    next_id: Arc<AtomicU64>,
}

/// A socket's membership; leaving the hub happens on drop.
pub struct Subscription {
    hub: Hub,
    tenant: String,
    id: u64,
    pub rx: mpsc::Receiver<Queued>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut tenants = self.hub.lock();
        if let Some(subs) = tenants.get_mut(&self.tenant) {
            subs.retain(|(id, _, _)| *id != self.id);
            if subs.is_empty() {
                tenants.remove(&self.tenant);
            }
        }
    }
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Subscribers> {
        self.tenants.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Joins a socket of `user` to its tenant's events.
    pub fn subscribe(&self, tenant: &str, user: &str) -> Subscription {
        let (tx, rx) = mpsc::channel(QUEUE);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().entry(tenant.to_owned()).or_default().push((id, user.to_owned(), tx));
        Subscription { hub: self.clone(), tenant: tenant.to_owned(), id, rx }
    }

    /// Sends `msg` to every socket of `tenant`; returns how many got it.
    pub fn broadcast(&self, tenant: &str, msg: &ServerMessage) -> usize {
        let seq = match msg {
            ServerMessage::NewLead { seq, .. } | ServerMessage::LeadClaimed { seq, .. } => *seq,
            _ => None,
        };
        let text: Utf8Bytes = match serde_json::to_string(msg) {
            Ok(t) => t.into(),
            Err(e) => {
                tracing::error!("cannot encode event: {e}");
                return 0;
            }
        };
        let mut tenants = self.lock();
        let Some(subs) = tenants.get_mut(tenant) else {
            return 0;
        };
        subs.retain(|(id, _, tx)| match tx.try_send(Queued { seq, text: text.clone() }) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(socket = id, "dropping a socket that is not keeping up");
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
        subs.len()
    }

    /// Drops every socket of `user` (their tasks see the queue close and end the connection);
    /// returns how many.
    pub fn disconnect_user(&self, tenant: &str, user: &str) -> usize {
        let mut tenants = self.lock();
        let Some(subs) = tenants.get_mut(tenant) else { return 0 };
        let before = subs.len();
        subs.retain(|(_, u, _)| u != user);
        before - subs.len()
    }

    /// The users with a socket joined to `tenant` now.
    pub fn users(&self, tenant: &str) -> std::collections::HashSet<String> {
        self.lock().get(tenant).map(|subs| subs.iter().map(|(_, u, _)| u.clone()).collect()).unwrap_or_default()
    }

    /// Sockets currently joined to `tenant`.
    pub fn count(&self, tenant: &str) -> usize {
        self.lock().get(tenant).map_or(0, Vec::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> ServerMessage {
        ServerMessage::Error { message: "x".into() }
    }

    #[test]
    fn only_the_tenant_hears_and_laggards_are_dropped() {
        let hub = Hub::default();
        let mut a = hub.subscribe("a", "ann");
        let mut b = hub.subscribe("b", "bo");
        assert_eq!(hub.broadcast("a", &msg()), 1);
        assert!(a.rx.try_recv().is_ok());
        assert!(b.rx.try_recv().is_err());

        let slow = hub.subscribe("a", "ann");
        for _ in 0..QUEUE {
            hub.broadcast("a", &msg());
            a.rx.try_recv().unwrap();
        }
        assert_eq!(hub.broadcast("a", &msg()), 1, "the full queue is dropped, the live one stays");
        drop(slow);
        drop(a);
        assert_eq!(hub.count("a"), 0);
    }

    #[test]
    fn a_users_sockets_are_dropped_and_no_one_elses() {
        let hub = Hub::default();
        let mut ann1 = hub.subscribe("a", "ann");
        let mut ann2 = hub.subscribe("a", "ann");
        let mut cy = hub.subscribe("a", "cy");
        assert_eq!(hub.disconnect_user("a", "ann"), 2);
        assert!(matches!(ann1.rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected)));
        assert!(matches!(ann2.rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected)));
        assert_eq!(hub.broadcast("a", &msg()), 1);
        assert!(cy.rx.try_recv().is_ok());
        assert_eq!(hub.disconnect_user("b", "ann"), 0);
    }
}
