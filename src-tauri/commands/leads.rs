use crokodial_core::api::LeadQuery;
use tauri::State;

use crate::dto::LeadRow;
use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

/// The newest leads (up to 100), optionally filtered by a search.
#[tauri::command]
pub async fn list_leads(state: State<'_, AppState>, search: Option<String>) -> CmdResult<Vec<LeadRow>> {
    let session = state.session().ok_or_else(|| AppError::new(ErrorCode::NotLoggedIn, "not logged in"))?;
    let query = LeadQuery { search, limit: Some(100), page: 1, ..LeadQuery::default() };
    let page = session.api().leads(&query).await?;
    Ok(page.leads.iter().map(LeadRow::from).collect())
}
