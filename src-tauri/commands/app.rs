use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{AppError, CmdResult, ErrorCode};
use crate::live::ConnectionState;
use crate::state::AppState;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo { version: env!("CARGO_PKG_VERSION").to_owned(), default_server_url: state.default_server.clone() }
}

#[tauri::command]
pub fn connection_state(state: State<'_, AppState>) -> ConnectionState {
    crate::live::connection(&state)
}

/// The UI listens for `open-lead` now: the lead a link asked for before, if any.
#[tauri::command]
pub fn take_pending_lead(state: State<'_, AppState>) -> Option<String> {
    state.ui_ready.store(true, std::sync::atomic::Ordering::Release);
    crokodial_client::lock(&state.pending_lead).take()
}

/// The rep has looked at the new leads: clear the unread count and the taskbar attention.
#[tauri::command]
pub fn mark_seen(app: AppHandle) {
    crate::live::seen(&app);
}

/// Hands a click-to-call (`tel:`) or e-mail (`mailto:`) link to the OS, whose phone or mail app
/// takes it; the webview itself cannot follow such links. Any other link is refused.
#[tauri::command]
pub fn open_link(app: AppHandle, url: String) -> CmdResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let url = contact_link(&url)?;
    app.opener().open_url(url, None::<&str>).map_err(AppError::internal)
}

/// `url` if it is a `tel:` link of digits (an optional leading +) or a `mailto:` link to one address.
fn contact_link(url: &str) -> CmdResult<&str> {
    let refuse = || AppError::new(ErrorCode::InvalidInput, "only tel: and mailto: links can be opened");
    if let Some(number) = url.strip_prefix("tel:") {
        let digits = number.strip_prefix('+').unwrap_or(number);
        return (!digits.is_empty() && digits.len() <= 20 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(url)
            .ok_or_else(refuse);
    }
    if let Some(address) = url.strip_prefix("mailto:") {
        let ok = address.len() <= 254
            && address.matches('@').count() == 1
            && !address.contains(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '?' | '&' | '#' | '/'));
        return ok.then_some(url).ok_or_else(refuse);
    }
    Err(refuse())
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub default_server_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::contact_link;

    #[test]
    fn only_phone_and_mail_links_open() {
        for ok in ["tel:+13125550199", "tel:3125550199", "mailto:rosa@example.com"] {
            assert!(contact_link(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://example.com",
            "file:///etc/passwd",
            "tel:",
            "tel:312;rm",
            "tel:+1 312",
            "mailto:a@b.com?subject=x",
            "mailto:a@b.com,c@d.com@",
            "mailto:nobody",
            "javascript:alert(1)",
        ] {
            assert!(contact_link(bad).is_err(), "{bad}");
        }
    }
}
