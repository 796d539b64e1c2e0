//! What an admin keeps for the agency (its dispositions, a lead typed in by hand, deleting a lead)
//! and what each user keeps for themselves (their profile).

use crokodial_core::api::{NewLead, ProfileUpdate};
use crokodial_core::edit::DispositionChange;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::auth::UserInfo;
use super::leads::{DispositionOption, LeadRow};
use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

fn options(list: &[crokodial_core::edit::Disposition]) -> Vec<DispositionOption> {
    list.iter().map(DispositionOption::from).collect()
}

fn change(name: Option<String>, color: Option<String>, emoji: Option<String>) -> CmdResult<DispositionChange> {
    let change = DispositionChange { name, color, emoji, sort_order: None };
    change.check().map_err(|m| AppError::new(ErrorCode::InvalidInput, m))?;
    Ok(change)
}

/// Adds a disposition (last); answers the list.
#[tauri::command]
pub async fn add_disposition(
    state: State<'_, AppState>,
    name: String,
    color: String,
    emoji: Option<String>,
) -> CmdResult<Vec<DispositionOption>> {
    let change = change(Some(name), Some(color), emoji)?;
    Ok(options(&state.account()?.add_disposition(&change).await?))
}

/// Renames, recolours or changes the emoji of a disposition; answers the list.
#[tauri::command]
pub async fn change_disposition(
    state: State<'_, AppState>,
    id: String,
    name: Option<String>,
    color: Option<String>,
    emoji: Option<String>,
) -> CmdResult<Vec<DispositionOption>> {
    let change = change(name, color, emoji)?;
    Ok(options(&state.account()?.change_disposition(&id, &change).await?))
}

/// Puts the dispositions in this order; answers the list.
#[tauri::command]
pub async fn reorder_dispositions(state: State<'_, AppState>, ids: Vec<String>) -> CmdResult<Vec<DispositionOption>> {
    Ok(options(&state.account()?.reorder_dispositions(&ids).await?))
}

#[tauri::command]
pub async fn remove_disposition(state: State<'_, AppState>, id: String) -> CmdResult<Vec<DispositionOption>> {
    Ok(options(&state.account()?.remove_disposition(&id).await?))
}

/// A lead typed in by hand (`create_lead`).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct NewLeadInput {
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub email: String,
    pub state: String,
    pub zipcode: String,
    pub notes: String,
}

/// Admins: a lead typed in by hand, for themselves; answers its row.
#[tauri::command]
pub async fn create_lead(state: State<'_, AppState>, lead: NewLeadInput) -> CmdResult<LeadRow> {
    let given = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let new = NewLead {
        first_name: given(lead.first_name),
        last_name: given(lead.last_name),
        name: None,
        phone: given(lead.phone),
        email: given(lead.email),
        state: given(lead.state),
        zipcode: given(lead.zipcode),
        notes: given(lead.notes),
    };
    let made = state.account()?.create_lead(&new).await?;
    tracing::info!(lead = %made.id, "a lead typed in");
    Ok(LeadRow::from(&made))
}

/// Admins (and on our server the lead's owner): deletes the lead everywhere.
#[tauri::command]
pub async fn delete_lead(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    state.account()?.delete_lead(&id).await?;
    tracing::info!(lead = %id, "a lead deleted");
    Ok(())
}

/// The user's profile, and whether this server can change their password safely.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInfo {
    pub user: UserInfo,
    pub can_change_password: bool,
}

#[tauri::command]
pub async fn profile(state: State<'_, AppState>) -> CmdResult<ProfileInfo> {
    let account = state.account()?;
    let user = account.profile().await?;
    Ok(ProfileInfo { user: (&user).into(), can_change_password: account.capabilities().await.password_change })
}

/// Changes the name, the email, or the password (with the current one); empty values are kept.
#[tauri::command]
pub async fn update_profile(
    state: State<'_, AppState>,
    name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    current_password: Option<String>,
) -> CmdResult<ProfileInfo> {
    let account = state.account()?;
    let update = ProfileUpdate { name, email, password, current_password };
    let user = account.update_profile(&update).await?;
    Ok(ProfileInfo { user: (&user).into(), can_change_password: account.capabilities().await.password_change })
}
