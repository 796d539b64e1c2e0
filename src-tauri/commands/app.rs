use tauri::{AppHandle, State};

use crate::dto::{AppInfo, ConnectionState};
use crate::state::AppState;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo { version: env!("CARGO_PKG_VERSION").to_owned(), default_server_url: state.default_server.clone() }
}

#[tauri::command]
pub fn connection_state(state: State<'_, AppState>) -> ConnectionState {
    state.connection.lock().expect("connection lock").clone()
}

/// The rep has looked at the new leads: clear the unread count and the taskbar attention.
#[tauri::command]
pub fn mark_seen(app: AppHandle) {
    crate::live::seen(&app);
}
