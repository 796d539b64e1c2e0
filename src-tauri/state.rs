//! What the shell keeps between commands: the engine's one `Account` (none when logged out),
//! the settings' one owner, the alert player, and the window's own bits.

use std::collections::HashSet;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use crokodial_client::account::Account;
use crokodial_client::alert::AlertPlayer;
use crokodial_client::home::Home;
use crokodial_client::lock;
use crokodial_client::secrets::{OsKeychain, SecretStore};
use crokodial_client::settings::SettingsStore;

use crate::error::CmdResult;

/// The server the login form starts with; the run script points it at the local demo server.
pub const SERVER_ENV: &str = "CROKODIAL_SERVER";

pub struct AppState {
    pub home: Home,
    pub keychain: Arc<dyn SecretStore>,
    pub alert: AlertPlayer,
    pub settings: SettingsStore,
    pub default_server: Option<String>,
    /// The signed-in rep; logging out closes it, which stops its socket and sync.
    account: Mutex<Option<Arc<Account>>>,
    /// Announced leads the rep has not looked at yet (a claim elsewhere takes one out).
    pub unread: Mutex<HashSet<String>>,
    /// The tray icon was made: closing the window hides it instead of quitting.
    pub tray: AtomicBool,
    /// The UI listens for `open-lead`; until then a link's lead waits in `pending_lead`.
    pub ui_ready: AtomicBool,
    pub pending_lead: Mutex<Option<String>>,
    pub updates: crate::updates::Updates,
}

impl AppState {
    pub fn new(home: Home, settings: SettingsStore) -> Result<Self, Box<dyn std::error::Error>> {
        tracing::info!(home = %home.dir().display(), "profile directory");
        Ok(AppState {
            // Every sound decoded once, now; played from memory on the player's own thread.
            alert: AlertPlayer::start(settings.alerts().device)?,
            settings,
            home,
            keychain: Arc::new(OsKeychain::default()),
            default_server: std::env::var(SERVER_ENV).ok().filter(|s| !s.trim().is_empty()),
            account: Mutex::new(None),
            unread: Mutex::new(HashSet::new()),
            tray: AtomicBool::new(false),
            ui_ready: AtomicBool::new(false),
            pending_lead: Mutex::new(None),
            updates: crate::updates::Updates::new(),
        })
    }

    /// The signed-in account, for a command that needs one.
    pub fn account(&self) -> CmdResult<Arc<Account>> {
        self.signed_in().ok_or_else(|| crokodial_client::ClientError::NotLoggedIn.into())
    }

    pub fn signed_in(&self) -> Option<Arc<Account>> {
        lock(&self.account).clone()
    }

    /// Puts `account` in place of the one before, which is closed: its socket, sync and sound
    /// stop now, even while a command still holds it.
    pub fn replace_account(&self, account: Option<Arc<Account>>) {
        if let Some(old) = std::mem::replace(&mut *lock(&self.account), account) {
            old.close();
        }
    }
}
