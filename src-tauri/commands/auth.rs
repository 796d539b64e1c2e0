use crokodial_client::api::ApiClient;
use crokodial_client::session::Session;
use crokodial_client::ClientError;
use tauri::{AppHandle, State};

use crate::dto::{DemoAccount, SessionInfo};
use crate::error::CmdResult;
use crate::live;
use crate::state::AppState;

#[tauri::command]
pub async fn demo_accounts(server_url: String) -> CmdResult<Vec<DemoAccount>> {
    let accounts = ApiClient::new(&server_url)?.demo_accounts().await?;
    Ok(accounts.into_iter().map(DemoAccount::from).collect())
}

/// The last session, if the keychain still holds it. A server that refuses it logs us out; a
/// server that cannot be reached does not (the rep may be offline).
#[tauri::command]
pub async fn restore_session(app: AppHandle, state: State<'_, AppState>) -> CmdResult<Option<SessionInfo>> {
    let Some(session) = Session::restore(&state.home, &state.keychain)? else { return Ok(None) };
    match session.api().verify().await {
        Err(ClientError::Unauthorized(why)) => {
            tracing::info!(%why, "stored session refused; logging out");
            Session::logout(&state.home, &state.keychain)?;
            return Ok(None);
        }
        Err(e) => tracing::warn!(error = %e, "cannot verify the stored session; keeping it"),
        Ok(_) => {}
    }
    Ok(Some(adopt(&app, &state, session)))
}

#[tauri::command]
pub async fn login(
    app: AppHandle,
    state: State<'_, AppState>,
    server_url: String,
    email: String,
    password: String,
) -> CmdResult<SessionInfo> {
    let session = Session::login(&state.home, &state.keychain, &server_url, &email, &password).await?;
    tracing::info!(server = %session.profile.server_url, "logged in");
    Ok(adopt(&app, &state, session))
}

#[tauri::command]
pub fn logout(app: AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    live::stop(&app);
    state.session.lock().expect("session lock").take();
    state.texting.lock().expect("texting lock").take();
    // The lead list is gone: a link now waits for the next one.
    state.ui_ready.store(false, std::sync::atomic::Ordering::Release);
    Session::logout(&state.home, &state.keychain)?;
    Ok(())
}

pub(super) fn adopt(app: &AppHandle, state: &AppState, session: Session) -> SessionInfo {
    let info = SessionInfo::from(&session);
    // Another account's Textdrip must not outlive its session.
    state.texting.lock().expect("texting lock").take();
    live::start(app, &session);
    *state.session.lock().expect("session lock") = Some(session);
    info
}
