//! Updates, when the build has the updater (feature `updater`; distribution packages are built
//! without it). A check finds the manifest the build names (`plugins.updater` in the config), then
//! downloads the new version in the background and verifies its signature against the build's
//! public key; the UI is told it is ready (`update-status`) and it is installed only when the rep
//! chooses to restart. Never silently, never mid-call.

use std::sync::Mutex;
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::commands::settings::{UpdateState, UpdateStatus};
use crate::state::AppState;

/// The event the UI follows.
pub const UPDATE_STATUS: &str = "update-status";
/// The first automatic check, after start-up settles; then one every [`EVERY`].
const FIRST: Duration = Duration::from_secs(30);
const EVERY: Duration = Duration::from_secs(6 * 3600);
/// Longest a download may take before it counts as failed (the plugin sets no limit).
#[cfg(feature = "updater")]
const DOWNLOAD_LIMIT: Duration = Duration::from_secs(15 * 60);

pub struct Updates {
    status: Mutex<UpdateStatus>,
    #[cfg(feature = "updater")]
    ready: Mutex<Option<(tauri_plugin_updater::Update, Vec<u8>)>>,
}

impl Updates {
    pub fn new() -> Self {
        let state = if cfg!(feature = "updater") { UpdateState::Idle } else { UpdateState::Disabled };
        Updates {
            status: Mutex::new(UpdateStatus { state, version: None, notes: None, message: None }),
            #[cfg(feature = "updater")]
            ready: Mutex::new(None),
        }
    }

    pub fn status(&self) -> UpdateStatus {
        crokodial_client::lock(&self.status).clone()
    }
}

pub fn available() -> bool {
    cfg!(feature = "updater")
}

fn set(app: &AppHandle, status: UpdateStatus) -> UpdateStatus {
    *crokodial_client::lock(&app.state::<AppState>().updates.status) = status.clone();
    let _ = app.emit(UPDATE_STATUS, &status);
    status
}

fn status(state: UpdateState, message: Option<String>) -> UpdateStatus {
    UpdateStatus { state, version: None, notes: None, message }
}

/// Checks now unless the rep turned automatic checks off; then every few hours.
pub fn start_checking(app: &AppHandle) {
    if !available() {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST).await;
        loop {
            let wanted = app.state::<AppState>().settings.get().desktop.check_for_updates;
            // A ready update waits for the rep; a check under way is not started twice (`begin`).
            let ready = app.state::<AppState>().updates.status().state == UpdateState::Ready;
            if wanted && !ready {
                check(&app).await;
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

#[cfg(not(feature = "updater"))]
pub async fn check(app: &AppHandle) -> UpdateStatus {
    set(app, status(UpdateState::Disabled, Some("This build updates through its package manager.".into())))
}

#[cfg(not(feature = "updater"))]
pub async fn restart_to_update(_app: &AppHandle) -> Result<(), String> {
    Err("this build updates through its package manager".into())
}

/// Starts a check unless one is under way (checking or downloading): `Err` with the status then.
#[cfg(feature = "updater")]
fn begin(app: &AppHandle) -> Result<(), UpdateStatus> {
    let state = app.state::<AppState>();
    let mut current = crokodial_client::lock(&state.updates.status);
    if matches!(current.state, UpdateState::Checking | UpdateState::Downloading) {
        return Err(current.clone());
    }
    // A new check replaces what was ready: the status always says what is kept.
    crokodial_client::lock(&state.updates.ready).take();
    *current = status(UpdateState::Checking, None);
    Ok(())
}

/// The updater this build names. In debug builds (tests) `CROKODIAL_UPDATE_URL` and
/// `CROKODIAL_UPDATER_PUBKEY` may name another manifest and key; release builds take only the
/// configuration they were built with.
#[cfg(feature = "updater")]
fn updater(app: &AppHandle) -> Result<tauri_plugin_updater::Updater, String> {
    use tauri_plugin_updater::UpdaterExt;
    let mut builder = app.updater_builder().timeout(Duration::from_secs(60));
    if cfg!(debug_assertions) {
        if let Some(url) = std::env::var("CROKODIAL_UPDATE_URL").ok().filter(|u| !u.is_empty()) {
            let url = url.parse().map_err(|e| format!("update address {url:?}: {e}"))?;
            builder = builder.endpoints(vec![url]).map_err(|e| e.to_string())?;
        }
        if let Some(key) = std::env::var("CROKODIAL_UPDATER_PUBKEY").ok().filter(|k| !k.is_empty()) {
            builder = builder.pubkey(key);
        }
    }
    builder.build().map_err(|e| match e {
        tauri_plugin_updater::Error::EmptyEndpoints => "this build names no update address".to_owned(),
        other => other.to_string(),
    })
}

/// Looks for a new version; if there is one, downloads and verifies it in the background (the UI
/// hears `ready`, or `failed` with why: a bad signature is refused there).
#[cfg(feature = "updater")]
pub async fn check(app: &AppHandle) -> UpdateStatus {
    if let Err(under_way) = begin(app) {
        return under_way;
    }
    let updater = match updater(app) {
        Ok(u) => u,
        Err(why) => return set(app, status(UpdateState::Disabled, Some(why))),
    };
    set(app, status(UpdateState::Checking, None));
    let update = match updater.check().await {
        Ok(Some(update)) => update,
        Ok(None) => return set(app, status(UpdateState::UpToDate, None)),
        Err(e) => {
            tracing::warn!(error = %e, "update check failed");
            return set(app, status(UpdateState::Failed, Some(format!("cannot check for updates: {e}"))));
        }
    };
    let (version, notes) = (update.version.clone(), update.body.clone());
    tracing::info!(%version, "update found; downloading");
    let downloading = set(
        app,
        UpdateStatus {
            state: UpdateState::Downloading,
            version: Some(version.clone()),
            notes: notes.clone(),
            message: None,
        },
    );
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // The download verifies the signature before it returns the bytes.
        let downloaded = tokio::time::timeout(DOWNLOAD_LIMIT, update.download(|_, _| {}, || {}))
            .await
            .unwrap_or_else(|_| Err(tauri_plugin_updater::Error::Io(std::io::ErrorKind::TimedOut.into())));
        match downloaded {
            Ok(bytes) => {
                *crokodial_client::lock(&app.state::<AppState>().updates.ready) = Some((update, bytes));
                tracing::info!(%version, "update ready");
                set(&app, UpdateStatus { state: UpdateState::Ready, version: Some(version), notes, message: None });
            }
            Err(e) => {
                tracing::warn!(error = %e, %version, "update refused");
                let why = format!("the update to {version} was refused: {e}");
                set(
                    &app,
                    UpdateStatus { state: UpdateState::Failed, version: Some(version), notes, message: Some(why) },
                );
            }
        }
    });
    downloading
}

/// Installs the downloaded update and restarts into it: only when the rep asks. Installing may
/// wait on the OS's password prompt (a .deb or .rpm), so it runs off the main thread; if it
/// fails, the update stays ready.
#[cfg(feature = "updater")]
pub async fn restart_to_update(app: &AppHandle) -> Result<(), String> {
    let ready = crokodial_client::lock(&app.state::<AppState>().updates.ready).take();
    let (update, bytes) = ready.ok_or("no update is ready")?;
    tracing::info!(version = %update.version, "installing the update");
    let (update, bytes, installed) = tauri::async_runtime::spawn_blocking(move || {
        let installed = update.install(&bytes);
        (update, bytes, installed)
    })
    .await
    .map_err(|e| e.to_string())?;
    if let Err(e) = installed {
        tracing::warn!(error = %e, "the update could not be installed");
        *crokodial_client::lock(&app.state::<AppState>().updates.ready) = Some((update, bytes));
        return Err(format!("cannot install the update: {e}"));
    }
    tracing::info!("update installed; restarting");
    app.restart()
}
