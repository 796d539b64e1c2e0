//! The admin's page: the NextGen integration (credentials shown on demand, rotated) and the team.
//! The server refuses a rep (403); the UI shows the page to admins only.

use crokodial_client::api::ApiClient;
use crokodial_client::session::Session;
use crokodial_core::api::{self, InviteRequest, MemberUpdate};
use crokodial_core::rfc3339;
use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use super::auth::{Role, SessionInfo};
use crate::error::CmdResult;
use crate::state::AppState;

fn api(state: &AppState) -> CmdResult<ApiClient> {
    Ok(state.account()?.api().clone())
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
    let session = Session::accept_invite(&state.home, &*state.keychain, &server_url, &email, &code, &password).await?;
    tracing::info!(server = %session.profile.server_url, "invite accepted; logged in");
    super::auth::adopt(&app, &state, session)
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LastLead {
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub received_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NextGenInfo {
    pub webhook_url: String,
    pub last_lead: Option<LastLead>,
}

impl From<api::NextGenIntegration> for NextGenInfo {
    fn from(n: api::NextGenIntegration) -> Self {
        NextGenInfo {
            webhook_url: n.webhook_url,
            last_lead: n.last_lead.map(|l| LastLead { id: l.id, name: l.name, received_at: rfc3339(l.received_at) }),
        }
    }
}

/// Shown to an admin on demand, to paste into NextGen's portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NextGenCredentials {
    pub sid: String,
    pub apikey: String,
}

impl From<api::WebhookCredentials> for NextGenCredentials {
    fn from(c: api::WebhookCredentials) -> Self {
        NextGenCredentials { sid: c.sid, apikey: c.apikey }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub invited: bool,
    pub textdrip_connected: bool,
}

impl From<api::TeamMember> for TeamMember {
    fn from(m: api::TeamMember) -> Self {
        TeamMember {
            id: m.id,
            name: m.name,
            email: m.email,
            role: m.role.into(),
            active: m.active,
            invited: m.invited,
            textdrip_connected: m.textdrip_connected,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Invitation {
    pub member: TeamMember,
    /// The one-time code the new user sets a password with; shown once.
    pub code: String,
}
