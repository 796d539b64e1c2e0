//! What the shell keeps between commands.

use std::sync::Mutex;

use crokodial_client::alert::{AlertPlayer, DEFAULT_SOUND, DEFAULT_VOLUME};
use crokodial_client::home::Home;
use crokodial_client::secrets::OsKeychain;
use crokodial_client::session::Session;
use tauri::async_runtime::JoinHandle;

use crate::dto::ConnectionState;

/// The server the login form starts with; the run script points it at the local demo server.
pub const SERVER_ENV: &str = "CROKODIAL_SERVER";

pub struct AppState {
    pub home: Home,
    pub keychain: OsKeychain,
    pub alert: AlertPlayer,
    pub default_server: Option<String>,
    pub session: Mutex<Option<Session>>,
    /// The task pumping the lead feed into the UI; aborting it closes the socket.
    pub live: Mutex<Option<JoinHandle<()>>>,
    pub connection: Mutex<ConnectionState>,
}

impl AppState {
    pub fn new() -> Result<Self, Box<dyn std::error::Error>> {
        let home = Home::resolve(None);
        tracing::info!(home = %home.dir().display(), "profile directory");
        Ok(AppState {
            home,
            keychain: OsKeychain::default(),
            // Decoded once, now; plays from memory on the player's own thread.
            alert: AlertPlayer::start(DEFAULT_SOUND, DEFAULT_VOLUME)?,
            default_server: std::env::var(SERVER_ENV).ok().filter(|s| !s.trim().is_empty()),
            session: Mutex::new(None),
            live: Mutex::new(None),
            connection: Mutex::new(ConnectionState::IDLE),
        })
    }

    pub fn session(&self) -> Option<Session> {
        self.session.lock().expect("session lock").clone()
    }
}
