//! The tray icon: the unread-lead count at a glance, and a menu to open the window, go away or
//! come back (a server that routes leads), mute alerts for an hour, or quit. On a Linux desktop with no tray host (no StatusNotifier host: GNOME
//! without its AppIndicator extension) the icon would show nowhere, so the app counts as having
//! no tray: the window always shows, and closing it quits.

use crokodial_client::settings::MUTE_MINUTES;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Wry};

const OPEN: &str = "open";
const AVAILABLE: &str = "available";
const MUTE: &str = "mute";
const QUIT: &str = "quit";

/// What the tray needs to update later.
struct Tray {
    icon: TrayIcon,
    mute: MenuItem<Wry>,
    /// Available or away (shown once the server says it routes leads).
    available: MenuItem<Wry>,
}

/// Whether a tray icon would be seen: on Linux, a StatusNotifier host is registered on the
/// session bus; elsewhere the OS always has a tray.
pub fn host_present() -> bool {
    #[cfg(target_os = "linux")]
    {
        let asked = async {
            let bus = zbus::Connection::session().await?;
            let watcher = zbus::Proxy::new(
                &bus,
                "org.kde.StatusNotifierWatcher",
                "/StatusNotifierWatcher",
                "org.kde.StatusNotifierWatcher",
            )
            .await?;
            watcher.get_property::<bool>("IsStatusNotifierHostRegistered").await
        };
        let limited = async { tokio::time::timeout(std::time::Duration::from_secs(2), asked).await };
        matches!(tauri::async_runtime::block_on(limited), Ok(Ok(true)))
    }
    #[cfg(not(target_os = "linux"))]
    true
}

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Crokodial", true, None::<&str>)?;
    let available = MenuItem::with_id(app, AVAILABLE, AVAILABILITY_UNKNOWN, false, None::<&str>)?;
    let mute = MenuItem::with_id(app, MUTE, "Mute alerts for 1 hour", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &available, &mute, &quit])?;
    let mut builder = TrayIconBuilder::with_id("main").tooltip("Crokodial").menu(&menu).on_menu_event(on_menu);
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let icon = builder.build(app)?;
    app.manage(Tray { icon, mute, available });
    Ok(())
}

fn on_menu(app: &AppHandle, event: tauri::menu::MenuEvent) {
    match event.id.as_ref() {
        OPEN => crate::live::bring_forward(app),
        MUTE => {
            let muted = app.state::<crate::state::AppState>().settings.alerts().muted_at(chrono::Utc::now()).is_some();
            if let Err(e) = crate::commands::alerts::mute(app, if muted { 0 } else { MUTE_MINUTES }) {
                tracing::warn!(error = %e.message, "cannot change the mute from the tray");
            }
        }
        AVAILABLE => {
            let Some(account) = app.state::<crate::state::AppState>().signed_in() else { return };
            let now = account.state().borrow().available;
            // The account's state carries the change back here (`live::watch_state`).
            tauri::async_runtime::spawn(async move {
                if let Err(e) = account.set_available(!now.unwrap_or(true)).await {
                    tracing::warn!(error = %e, "cannot change availability from the tray");
                }
            });
        }
        QUIT => app.exit(0),
        _ => {}
    }
}

pub fn show_unread(app: &AppHandle, unread: u32) {
    let Some(tray) = app.try_state::<Tray>() else { return };
    let (title, tooltip) = match unread {
        0 => (None, "Crokodial".to_owned()),
        1 => (Some("1".to_owned()), "Crokodial: 1 new lead".to_owned()),
        n => (Some(n.to_string()), format!("Crokodial: {n} new leads")),
    };
    let _ = tray.icon.set_title(title);
    let _ = tray.icon.set_tooltip(Some(tooltip));
}

const AVAILABILITY_UNKNOWN: &str = "Lead routing: not offered";

/// Available (the item offers to go away), away (it offers to come back), or not known: no
/// routing, or not signed in.
pub fn show_available(app: &AppHandle, available: Option<bool>) {
    let Some(tray) = app.try_state::<Tray>() else { return };
    let (text, enabled) = match available {
        Some(true) => ("Available: go away", true),
        Some(false) => ("Away: take leads again", true),
        None => (AVAILABILITY_UNKNOWN, false),
    };
    let _ = tray.available.set_text(text);
    let _ = tray.available.set_enabled(enabled);
}

pub fn show_muted(app: &AppHandle, muted: bool) {
    let Some(tray) = app.try_state::<Tray>() else { return };
    let _ = tray.mute.set_text(if muted { "Unmute alerts" } else { "Mute alerts for 1 hour" });
}
