//! How the app lives on this computer: start at login, log level, updates; the diagnostics zip.

use crokodial_client::logs;
use crokodial_client::settings::Settings;
use tauri::{AppHandle, State};
use tauri_plugin_autostart::ManagerExt;
use tauri_plugin_dialog::DialogExt;

use crate::dto::{AppSettings, UpdateStatus};
use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

#[tauri::command]
pub fn app_settings(app: AppHandle, state: State<'_, AppState>) -> CmdResult<AppSettings> {
    let desktop = Settings::load(&state.home).desktop;
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
    let mut kept = Settings::load(&state.home);
    kept.desktop.log_level = settings.log_level.into();
    kept.desktop.check_for_updates = settings.check_for_updates;
    kept.save(&state.home).map_err(AppError::internal)?;
    crate::logging::set_level(kept.desktop.log_level);
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
        ("server", state.session().map_or("not logged in".into(), |s| s.profile.server_url.clone())),
    ];
    let home = state.home.clone();
    let written = tokio::task::spawn_blocking(move || logs::write_diagnostics(&home, &path, &about).map(|_| path))
        .await
        .map_err(AppError::internal)?
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
