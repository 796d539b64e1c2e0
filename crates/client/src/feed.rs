//! The lead feed: socket events joined to the alert policy. Front ends (the desktop shell, the
//! `watch` command) consume this, so the rule for when to alert is written once.

use crokodial_core::ws::NewLeadNotification;
use tokio::sync::watch;

use crate::alert::{AlertPlayer, Playback};
use crate::session::Session;
use crate::socket::{ConnectionState, SocketEvent, SocketHandle};

pub struct LeadFeed {
    socket: SocketHandle,
    alert: AlertPlayer,
}

/// A new lead, and the alert it set off (if it was one to alert for).
pub struct FeedEvent {
    pub lead: NewLeadNotification,
    pub alert: Option<Playback>,
}

impl LeadFeed {
    /// Connects the session's socket. Needs a tokio runtime.
    pub fn start(session: &Session, alert: AlertPlayer) -> Self {
        let api = session.api();
        let token = api.token().cloned().expect("a session always holds its token");
        LeadFeed { socket: SocketHandle::spawn(api.socket_url(), token), alert }
    }

    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.socket.state()
    }

    /// The next new lead; the alert has already been started when this returns.
    pub async fn next(&mut self) -> Option<FeedEvent> {
        loop {
            match self.socket.next_event().await? {
                SocketEvent::NewLead(lead) => {
                    let alert = lead.should_alert().then(|| self.alert.play());
                    return Some(FeedEvent { lead, alert });
                }
                SocketEvent::NotesUpdated { .. } => continue,
            }
        }
    }
}
