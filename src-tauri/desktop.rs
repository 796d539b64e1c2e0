//! Living on the desktop: one instance (a second launch hands its deep link over and exits),
//! `crokodial://lead/<id>` links, closing to the tray (told once), starting minimised at login.

use std::sync::atomic::Ordering;

use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

use crate::state::AppState;

/// The argument the start-at-login entry launches the app with.
pub const MINIMIZED: &str = "--minimized";

/// The lead a `crokodial://lead/<id>` link opens.
pub fn lead_of_link(url: &url::Url) -> Option<String> {
    if url.scheme() != "crokodial" || url.host_str() != Some("lead") {
        return None;
    }
    let mut segments = url.path_segments()?.filter(|s| !s.is_empty());
    let id = segments.next()?;
    let decoded = percent_encoding::percent_decode_str(id).decode_utf8().ok()?;
    let plausible = segments.next().is_none()
        && (1..=64).contains(&decoded.len())
        && decoded.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then(|| decoded.into_owned())
}

/// Opens the lead of each link (the last one wins), or keeps it for the UI to take once it is
/// ready (a link that started the app arrives before the UI listens).
pub fn open_links(app: &AppHandle, urls: &[url::Url]) {
    let Some(id) = urls.iter().rev().find_map(lead_of_link) else {
        if !urls.is_empty() {
            tracing::warn!(count = urls.len(), "ignoring links that are not crokodial://lead/<id>");
        }
        return;
    };
    let state = app.state::<AppState>();
    if state.ui_ready.load(Ordering::Acquire) {
        crate::live::open_lead(app, &id);
    } else {
        *crokodial_client::lock(&state.pending_lead) = Some(id);
        crate::live::bring_forward(app);
    }
}

/// Closing the main window hides it: alerts keep coming. The first time, a notification says so.
pub fn close_to_tray(app: &AppHandle, window: &tauri::Window, api: &tauri::CloseRequestApi) {
    if !app.state::<AppState>().tray.load(Ordering::Acquire) {
        return; // No tray to come back from: closing quits.
    }
    api.prevent_close();
    let _ = window.hide();
    // Kept now, not only at exit: a session ended by the OS may never let the app exit.
    if let Err(e) = app.save_window_state(StateFlags::all() - StateFlags::VISIBLE) {
        tracing::warn!(error = %e, "cannot keep the window's size and place");
    }
    let settings = &app.state::<AppState>().settings;
    if settings.get().desktop.told_about_tray {
        return;
    }
    let shown = app
        .notification()
        .builder()
        .title("Crokodial is still running")
        .body("New leads still ring. Open Crokodial or quit it from its tray icon.")
        .show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "cannot say that Crokodial stays in the tray");
        return;
    }
    if let Err(e) = settings.update(|s| s.desktop.told_about_tray = true) {
        tracing::warn!(error = %e, "cannot remember that the tray notice was shown");
    }
}

/// Shows the main window unless the app was started at login (minimised to the tray), or there is
/// no tray to find it in.
pub fn show_at_start(app: &AppHandle) {
    let minimized = std::env::args().any(|a| a == MINIMIZED);
    let tray = app.state::<AppState>().tray.load(Ordering::Acquire);
    if minimized && tray {
        tracing::info!("started at login: in the tray");
        return;
    }
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(link: &str) -> Option<String> {
        lead_of_link(&link.parse().unwrap())
    }

    #[test]
    fn only_lead_links_with_a_plain_id_open_a_lead() {
        assert_eq!(lead("crokodial://lead/65a1b2c3d4e5f60718293a4b").as_deref(), Some("65a1b2c3d4e5f60718293a4b"));
        assert_eq!(lead("crokodial://lead/abc-123/").as_deref(), Some("abc-123"));
        assert_eq!(lead("crokodial://lead/ab%63").as_deref(), Some("abc"));
        for refused in [
            "crokodial://lead/",
            "crokodial://lead/a/b",
            "crokodial://settings/x",
            "https://lead/abc",
            "crokodial://lead/%3Cimg%3E",
            "crokodial://lead/a%2",
        ] {
            assert_eq!(lead(refused), None, "{refused}");
        }
        assert_eq!(lead(&format!("crokodial://lead/{}", "a".repeat(65))), None);
    }
}
