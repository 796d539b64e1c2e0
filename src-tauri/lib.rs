//! The Tauri shell of Crokodial Desktop: a thin layer over `crokodial-client`.
//!
//! - [`commands`]: what the UI may call, one module per feature, a few lines each.
//! - [`live`]: pumps the engine's lead feed into UI events, OS notifications and the unread count.
//! - [`notify`]: lead notifications on each OS (a click opens the lead), and whether the OS hides them.
//! - [`tray`]: the tray icon (unread count; open, mute for 1 h, quit).
//! - [`desktop`]: one instance, `crokodial://lead/<id>` links, close to the tray, start minimised.
//! - [`updates`]: the in-app updater (feature `updater`), never installing without the rep.
//! - [`logging`]: the daily log files (secrets scrubbed) and the level the rep chose.
//! - [`error`]: the one error type that crosses, `{code, message}`.
//!
//! Invariant: the UI never sees a secret. The token stays in the engine and the OS keychain.

mod commands;
mod desktop;
mod error;
mod live;
mod logging;
mod notify;
mod state;
mod tray;
mod updates;

use crokodial_client::home::Home;
use crokodial_client::settings::SettingsStore;
use tauri::Manager;
use tauri_plugin_deep_link::DeepLinkExt;

pub fn run() {
    let home = Home::resolve(None);
    let settings = SettingsStore::open(&home);
    logging::init(&home, settings.get().desktop.log_level);

    tauri::Builder::default()
        // First: a second launch hands its arguments (a crokodial:// link) over and exits; two
        // instances writing one cache would lose writes.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| live::bring_forward(app)))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_autostart::Builder::new().args([desktop::MINIMIZED]).app_name("Crokodial").build())
        // Size and position remembered in the profile (an absolute file name is used as it is);
        // whether the window shows is ours to decide (start at login: in the tray).
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_filename(home.dir().join("window-state.json").to_string_lossy())
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all() - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        // Used from Rust only (open_link); the UI is granted none of its commands.
        .plugin(tauri_plugin_opener::init())
        // The import's file picker and "save error file", from Rust only, as the opener.
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            #[cfg(feature = "updater")]
            app.handle().plugin(tauri_plugin_updater::Builder::new().build())?;
            notify::register(app.handle());
            app.manage(state::AppState::new(home.clone(), settings.clone())?);
            live::watch_settings(app.handle());
            live::watch_audio(app.handle());
            match tray::build(app.handle()) {
                Ok(()) if tray::host_present() => {
                    app.state::<state::AppState>().tray.store(true, std::sync::atomic::Ordering::Release)
                }
                Ok(()) => tracing::info!("no tray host on this desktop: the window stays, and closing it quits"),
                Err(e) => tracing::warn!(error = %e, "no tray icon"),
            }
            // The installers register crokodial:// links; a portable copy on Windows does it
            // here, per user (on Linux the packages' desktop entry does, and macOS reads the
            // bundle's Info.plist).
            #[cfg(windows)]
            if let Err(e) = app.deep_link().register_all() {
                tracing::warn!(error = %e, "cannot register crokodial:// links");
            }
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| desktop::open_links(&handle, &event.urls()));
            match app.deep_link().get_current() {
                Ok(Some(urls)) => desktop::open_links(app.handle(), &urls),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the link the app was started with"),
            }
            desktop::show_at_start(app.handle());
            updates::start_checking(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| match event {
            tauri::WindowEvent::Focused(true) => live::seen(window.app_handle()),
            tauri::WindowEvent::CloseRequested { api, .. } if window.label() == "main" => {
                desktop::close_to_tray(window.app_handle(), window, api)
            }
            _ => {}
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("Crokodial could not start");
}
