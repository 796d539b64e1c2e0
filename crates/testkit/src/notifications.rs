//! A stand-in desktop notification daemon on a test's private session bus. It keeps every
//! notification it is sent, and can click one as a person would (the `ActionInvoked` signal of
//! the freedesktop notification spec), or press one of its buttons.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use zbus::object_server::SignalEmitter;
use zbus::OwnedVariant;

const PATH: &str = "/org/freedesktop/Notifications";

/// A notification as the daemon received it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub id: u32,
    pub summary: String,
    pub body: String,
    /// Pairs of (key, label), flattened as on the wire.
    pub actions: Vec<String>,
}

struct Daemon {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Daemon {
    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into(), "body-markup".into()]
    }

    #[allow(clippy::too_many_arguments)] // the spec's signature
    fn notify(
        &self,
        _app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().expect("shown");
        let id = if replaces_id != 0 { replaces_id } else { shown.len() as u32 + 1 };
        shown.push(Shown { id, summary, body, actions });
        id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_server_information(&self) -> (String, String, String, String) {
        ("crokodial-test".into(), "crokodial".into(), "1".into(), "1.2".into())
    }

    #[zbus(signal)]
    async fn action_invoked(emitter: &SignalEmitter<'_>, id: u32, action_key: &str) -> zbus::Result<()>;
}

pub struct NotificationDaemon {
    conn: zbus::Connection,
    shown: Arc<Mutex<Vec<Shown>>>,
}

impl NotificationDaemon {
    /// Serves `org.freedesktop.Notifications` on the bus at `address`.
    pub async fn start(address: &str) -> anyhow::Result<Self> {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let conn = zbus::connection::Builder::address(address)
            .name("org.freedesktop.Notifications")
            .serve_at(PATH, Daemon { shown: shown.clone() })
            .build()
            .await
            .context("serving org.freedesktop.Notifications")?;
        Ok(NotificationDaemon { conn, shown })
    }

    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().expect("shown").clone()
    }

    /// Waits for a notification that `matches`.
    pub async fn wait_for(&self, wait: Duration, matches: impl Fn(&Shown) -> bool) -> anyhow::Result<Shown> {
        let until = Instant::now() + wait;
        loop {
            if let Some(found) = self.shown().into_iter().find(|s| matches(s)) {
                return Ok(found);
            }
            if Instant::now() > until {
                bail!("no such notification in {wait:?}; shown: {:?}", self.shown());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks notification `id` (its default action).
    pub async fn click(&self, id: u32) -> anyhow::Result<()> {
        self.press(id, "default").await
    }

    /// Presses the button `action_key` of notification `id`.
    pub async fn press(&self, id: u32, action_key: &str) -> anyhow::Result<()> {
        let iface = self.conn.object_server().interface::<_, Daemon>(PATH).await?;
        Daemon::action_invoked(iface.signal_emitter(), id, action_key).await?;
        Ok(())
    }
}
