//! The admin's page: the NextGen integration (credentials shown on demand, rotated) and the team.
//! The server refuses a rep (403); the UI shows the page to admins only.

use crokodial_client::api::ApiClient;
use crokodial_client::session::Session;
use crokodial_core::api::{InviteRequest, MemberUpdate};
use tauri::{AppHandle, State};

use crate::dto::{Invitation, NextGenCredentials, NextGenInfo, Role, SessionInfo, TeamMember};
use crate::error::CmdResult;
use crate::state::AppState;

fn api(state: &AppState) -> CmdResult<ApiClient> {
    Ok(state.signed_in()?.api().clone())
}

#[tauri::command]
pub async fn admin_nextgen(state: State<'_, AppState>) -> CmdResult<NextGenInfo> {
    Ok(api(&state)?.nextgen_integration().await?.into())
}

#[tauri::command]
pub async fn admin_nextgen_credentials(state: State<'_, AppState>) -> CmdResult<NextGenCredentials> {
    Ok(api(&state)?.nextgen_credentials().await?.into())
}

#[tauri::command]
pub async fn admin_rotate_nextgen(state: State<'_, AppState>) -> CmdResult<NextGenCredentials> {
    let new = api(&state)?.rotate_nextgen().await?;
    tracing::info!("NextGen credentials rotated");
    Ok(new.into())
}

#[tauri::command]
pub async fn team_list(state: State<'_, AppState>) -> CmdResult<Vec<TeamMember>> {
    Ok(api(&state)?.team().await?.into_iter().map(TeamMember::from).collect())
}

#[tauri::command]
pub async fn team_invite(state: State<'_, AppState>, email: String, name: String, role: Role) -> CmdResult<Invitation> {
    let invitation = api(&state)?.invite(&InviteRequest { email, name, role: role.into() }).await?;
    Ok(Invitation { member: invitation.member.into(), code: invitation.code })
}

#[tauri::command]
pub async fn team_renew_invite(state: State<'_, AppState>, user_id: String) -> CmdResult<Invitation> {
    let invitation = api(&state)?.renew_invite(&user_id).await?;
    Ok(Invitation { member: invitation.member.into(), code: invitation.code })
}

#[tauri::command]
pub async fn team_update(
    state: State<'_, AppState>,
    user_id: String,
    role: Option<Role>,
    active: Option<bool>,
) -> CmdResult<TeamMember> {
    let update = MemberUpdate { role: role.map(Into::into), active };
    Ok(api(&state)?.update_member(&user_id, &update).await?.into())
}

/// An invited user sets their password with their one-time code, and is logged in.
#[tauri::command]
pub async fn accept_invite(
    app: AppHandle,
    state: State<'_, AppState>,
    server_url: String,
    email: String,
    code: String,
    password: String,
) -> CmdResult<SessionInfo> {
    let session = Session::accept_invite(&state.home, &state.keychain, &server_url, &email, &code, &password).await?;
    tracing::info!(server = %session.profile.server_url, "invite accepted; logged in");
    Ok(super::auth::adopt(&app, &state, session))
}
