//! What the shell keeps between commands.

use std::sync::atomic::{AtomicBool, AtomicU32};
use std::sync::{Arc, Mutex};

use crokodial_client::alert::AlertPlayer;
use crokodial_client::cache::SharedCache;
use crokodial_client::home::Home;
use crokodial_client::secrets::OsKeychain;
use crokodial_client::session::Session;
use crokodial_client::settings::{AlertSettings, SaveError, Settings};
use crokodial_client::textdrip::Texting;
use tauri::async_runtime::JoinHandle;
use tokio::sync::{watch, Notify};

use crate::dto::ConnectionState;

/// The server the login form starts with; the run script points it at the local demo server.
pub const SERVER_ENV: &str = "CROKODIAL_SERVER";

pub struct AppState {
    pub home: Home,
    pub keychain: OsKeychain,
    pub alert: AlertPlayer,
    /// The alert settings in force; the lead feed reads them at each lead.
    pub alert_settings: watch::Sender<AlertSettings>,
    pub default_server: Option<String>,
    pub session: Mutex<Option<Session>>,
    /// The task pumping the lead feed into the UI; aborting it closes the socket.
    pub live: Mutex<Option<JoinHandle<()>>>,
    pub connection: Mutex<ConnectionState>,
    /// The logged-in account's local lead cache (none if it could not be opened).
    pub cache: Mutex<Option<SharedCache>>,
    /// Announced leads the rep has not looked at yet.
    pub unread: AtomicU32,
    /// Rung when the rep makes an edit, so the sync task sends it.
    pub edits_queued: Arc<Notify>,
    /// Rung to have the sync task sync now.
    pub sync_wanted: Arc<Notify>,
    /// An import is running (one at a time).
    pub import_running: AtomicBool,
    /// Set to cancel the running import.
    pub import_cancel: Arc<AtomicBool>,
    /// The rep's Textdrip, once used in this session (its token read from the keychain).
    pub texting: Mutex<Option<Arc<Texting>>>,
    /// The tray icon was made: closing the window hides it instead of quitting.
    pub tray: AtomicBool,
    /// The UI listens for `open-lead`; until then a link's lead waits in `pending_lead`.
    pub ui_ready: AtomicBool,
    pub pending_lead: Mutex<Option<String>>,
    pub updates: crate::updates::Updates,
}

impl AppState {
    /// The state of an app whose profile is `home`, holding `settings` (read once at start).
    pub fn new(home: Home, settings: Settings) -> Result<Self, Box<dyn std::error::Error>> {
        tracing::info!(home = %home.dir().display(), "profile directory");
        Ok(AppState {
            // Every sound decoded once, now; played from memory on the player's own thread.
            alert: AlertPlayer::start(settings.alerts.device.clone())?,
            alert_settings: watch::channel(settings.alerts).0,
            home,
            keychain: OsKeychain::default(),
            default_server: std::env::var(SERVER_ENV).ok().filter(|s| !s.trim().is_empty()),
            session: Mutex::new(None),
            live: Mutex::new(None),
            connection: Mutex::new(ConnectionState::IDLE),
            cache: Mutex::new(None),
            unread: AtomicU32::new(0),
            edits_queued: Arc::new(Notify::new()),
            sync_wanted: Arc::new(Notify::new()),
            import_running: AtomicBool::new(false),
            import_cancel: Arc::new(AtomicBool::new(false)),
            texting: Mutex::new(None),
            tray: AtomicBool::new(false),
            ui_ready: AtomicBool::new(false),
            pending_lead: Mutex::new(None),
            updates: crate::updates::Updates::new(),
        })
    }

    pub fn session(&self) -> Option<Session> {
        self.session.lock().expect("session lock").clone()
    }

    /// The session, for a command that needs one.
    pub fn signed_in(&self) -> crate::error::CmdResult<Session> {
        self.session().ok_or_else(|| crokodial_client::ClientError::NotLoggedIn.into())
    }

    pub fn cache(&self) -> Option<SharedCache> {
        self.cache.lock().expect("cache lock").clone()
    }

    pub fn alerts(&self) -> AlertSettings {
        self.alert_settings.borrow().clone()
    }

    /// Saves `alerts` to the settings file and puts them in force.
    pub fn set_alerts(&self, alerts: AlertSettings) -> Result<(), SaveError> {
        let mut settings = Settings::load(&self.home);
        settings.alerts = alerts.clone();
        settings.save(&self.home)?;
        self.alert_settings.send_replace(alerts);
        Ok(())
    }
}
