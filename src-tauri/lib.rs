//! The Tauri shell of Crokodial Desktop: a thin layer over `crokodial-client`.
//!
//! - [`commands`]: what the UI may call, one module per feature, a few lines each.
//! - [`live`]: pumps the engine's lead feed into UI events, OS notifications and the unread count.
//! - [`tray`]: the tray icon (unread count; open, mute for 1 h, quit).
//! - [`dto`]: the types that cross to the UI (TypeScript generated from them).
//! - [`error`]: the one error type that crosses, `{code, message}`.
//!
//! Invariant: the UI never sees a secret. The token stays in the engine and the OS keychain.

mod commands;
mod dto;
mod error;
mod live;
mod state;
mod tray;

use tauri::Manager;

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("CROKODIAL_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();

    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        // Used from Rust only (open_link); the UI is granted none of its commands.
        .plugin(tauri_plugin_opener::init())
        // The import's file picker and "save error file", from Rust only, as the opener.
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let state = state::AppState::new()?;
            app.manage(state);
            if let Err(e) = tray::build(app.handle()) {
                tracing::warn!(error = %e, "no tray icon");
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Focused(true) = event {
                live::seen(window.app_handle());
            }
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("Crokodial could not start");
}
