//! How the app lives on this computer: start at login, log level, updates; the diagnostics zip.

use crokodial_client::{logs, settings};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_plugin_autostart::ManagerExt;
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

#[tauri::command]
pub fn app_settings(app: AppHandle, state: State<'_, AppState>) -> CmdResult<AppSettings> {
    let desktop = state.settings.get().desktop;
    Ok(AppSettings {
        start_at_login: app.autolaunch().is_enabled().unwrap_or(false),
        log_level: desktop.log_level.into(),
        check_for_updates: desktop.check_for_updates,
        updater_available: crate::updates::available(),
    })
}

#[tauri::command]
pub fn save_app_settings(app: AppHandle, state: State<'_, AppState>, settings: AppSettings) -> CmdResult<AppSettings> {
    let autostart = app.autolaunch();
    if settings.start_at_login != autostart.is_enabled().unwrap_or(false) {
        let done = if settings.start_at_login { autostart.enable() } else { autostart.disable() };
        done.map_err(|e| AppError::internal(format!("cannot change start at login: {e}")))?;
        tracing::info!(on = settings.start_at_login, "start at login changed");
    }
    // `live::watch_settings` puts the log level in force.
    state
        .settings
        .update(|kept| {
            kept.desktop.log_level = settings.log_level.into();
            kept.desktop.check_for_updates = settings.check_for_updates;
        })
        .map_err(AppError::internal)?;
    app_settings(app, state)
}

/// Asks where to save, then writes the zip support needs: logs, versions, settings. Never a
/// token. `null` when the rep cancelled.
#[tauri::command]
pub async fn export_diagnostics(app: AppHandle, state: State<'_, AppState>) -> CmdResult<Option<String>> {
    let name = format!("crokodial-diagnostics-{}.zip", chrono::Local::now().format("%Y-%m-%d-%H%M"));
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_file_name(&name).add_filter("Zip", &["zip"]).save_file(move |path| {
        let _ = tx.send(path);
    });
    let Some(path) = rx.await.ok().flatten() else { return Ok(None) };
    let path = path.into_path().map_err(AppError::internal)?;
    let about = [
        ("app", format!("Crokodial {}", env!("CARGO_PKG_VERSION"))),
        ("os", format!("{} {}", std::env::consts::OS, std::env::consts::ARCH)),
        ("webview", tauri::webview_version().unwrap_or_else(|e| format!("unknown ({e})"))),
        ("updater", crate::updates::available().to_string()),
        ("server", state.signed_in().map_or("not logged in".into(), |a| a.session().profile.server_url.clone())),
    ];
    let home = state.home.clone();
    let written = crokodial_client::off_runtime(move || logs::write_diagnostics(&home, &path, &about).map(|_| path))
        .await
        .map_err(|e| AppError::internal(format!("cannot write the diagnostics: {e}")))?;
    tracing::info!(path = %written.display(), "diagnostics exported");
    Ok(Some(written.display().to_string()))
}

#[tauri::command]
pub fn update_status(state: State<'_, AppState>) -> UpdateStatus {
    state.updates.status()
}

#[tauri::command]
pub async fn check_for_update(app: AppHandle) -> UpdateStatus {
    crate::updates::check(&app).await
}

/// Installs the downloaded update and restarts: only ever when the rep asks.
#[tauri::command]
pub async fn restart_to_update(app: AppHandle) -> CmdResult<()> {
    let code = if crate::updates::available() { ErrorCode::Internal } else { ErrorCode::Unsupported };
    crate::updates::restart_to_update(&app).await.map_err(|why| AppError::new(code, why))
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

/// How much the log file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl From<settings::LogLevel> for LogLevel {
    fn from(l: settings::LogLevel) -> Self {
        match l {
            settings::LogLevel::Error => LogLevel::Error,
            settings::LogLevel::Warn => LogLevel::Warn,
            settings::LogLevel::Info => LogLevel::Info,
            settings::LogLevel::Debug => LogLevel::Debug,
            settings::LogLevel::Trace => LogLevel::Trace,
        }
    }
}

impl From<LogLevel> for settings::LogLevel {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::Error => settings::LogLevel::Error,
            LogLevel::Warn => settings::LogLevel::Warn,
            LogLevel::Info => settings::LogLevel::Info,
            LogLevel::Debug => settings::LogLevel::Debug,
            LogLevel::Trace => settings::LogLevel::Trace,
        }
    }
}

/// How the app lives on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppSettings {
    /// Start at login, minimised to the tray (the OS's own start-up entry).
    pub start_at_login: bool,
    pub log_level: LogLevel,
    pub check_for_updates: bool,
    /// False in builds for distribution packages (no updater); ignored when saving.
    pub updater_available: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
// Without the updater only `Disabled` is ever said; the type stays whole for the UI.
#[cfg_attr(not(feature = "updater"), allow(dead_code))]
pub enum UpdateState {
    /// No updater in this build, or none configured.
    Disabled,
    Idle,
    Checking,
    UpToDate,
    Downloading,
    /// Downloaded and verified: installed when the rep restarts.
    Ready,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UpdateStatus {
    pub state: UpdateState,
    pub version: Option<String>,
    pub notes: Option<String>,
    /// Why, for failed or disabled.
    pub message: Option<String>,
}
