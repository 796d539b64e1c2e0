use crokodial_client::account::Account;
use crokodial_client::api::ApiClient;
use crokodial_client::session::Session;
use crokodial_client::ClientError;
use crokodial_core::api::{self, Role as ApiRole};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{AppError, CmdResult};
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
    let Some(session) = Session::restore(&state.home, &*state.keychain)? else { return Ok(None) };
    match session.api().verify().await {
        Err(ClientError::Unauthorized(why)) => {
            tracing::info!(%why, "stored session refused; logging out");
            Session::logout(&state.home, &*state.keychain)?;
            return Ok(None);
        }
        Err(e) => tracing::warn!(error = %e, "cannot verify the stored session; keeping it"),
        Ok(_) => {}
    }
    Ok(Some(adopt(&app, &state, session)?))
}

#[tauri::command]
pub async fn login(
    app: AppHandle,
    state: State<'_, AppState>,
    server_url: String,
    email: String,
    password: String,
) -> CmdResult<SessionInfo> {
    let session = Session::login(&state.home, &*state.keychain, &server_url, &email, &password).await?;
    tracing::info!(server = %session.profile.server_url, "logged in");
    adopt(&app, &state, session)
}

#[tauri::command]
pub fn logout(app: AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    live::stop(&app);
    // The lead list is gone: a link now waits for the next one.
    state.ui_ready.store(false, std::sync::atomic::Ordering::Release);
    Session::logout(&state.home, &*state.keychain)?;
    Ok(())
}

/// Makes `session`'s account the signed-in one, live. An account that cannot be opened (its
/// cache written by a newer app, a disk that refuses the file) is logged out again, with why:
/// nothing is left half signed in.
pub(super) fn adopt(app: &AppHandle, state: &AppState, session: Session) -> CmdResult<SessionInfo> {
    let info = SessionInfo::from(&session);
    let opened = Account::open(&state.home, state.keychain.clone(), session).map_err(AppError::from);
    match opened.and_then(|account| live::start(app, account)) {
        Ok(()) => Ok(info),
        Err(e) => {
            tracing::warn!(code = ?e.code, message = %e.message, "the account cannot be opened; logged out");
            if let Err(logout) = Session::logout(&state.home, &*state.keychain) {
                tracing::warn!(error = %logout, "cannot log out after a failed login");
            }
            Err(e)
        }
    }
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    User,
}

impl From<Role> for ApiRole {
    fn from(r: Role) -> Self {
        match r {
            Role::Admin => ApiRole::Admin,
            Role::User => ApiRole::User,
        }
    }
}

impl From<ApiRole> for Role {
    fn from(r: ApiRole) -> Self {
        match r {
            ApiRole::Admin => Role::Admin,
            ApiRole::User => Role::User,
        }
    }
}

/// A demo server's account, shown on the login screen (demo mode only).
#[derive(Debug, Clone, Serialize, TS)]
pub struct DemoAccount {
    pub email: String,
    pub password: String,
    pub role: Role,
}

impl From<api::DemoAccount> for DemoAccount {
    fn from(a: api::DemoAccount) -> Self {
        DemoAccount { email: a.email, password: a.password, role: a.role.into() }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub server_url: String,
    pub user: UserInfo,
}

impl From<&crokodial_core::api::User> for UserInfo {
    fn from(u: &crokodial_core::api::User) -> Self {
        UserInfo { id: u.id.clone(), name: u.name.clone(), email: u.email.clone(), role: u.role.into() }
    }
}

impl From<&crokodial_client::session::Session> for SessionInfo {
    fn from(s: &crokodial_client::session::Session) -> Self {
        let u = s.user();
        SessionInfo { server_url: s.profile.server_url.clone(), user: u.into() }
    }
}
