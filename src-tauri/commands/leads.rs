use crokodial_client::cache::CacheQuery;
use crokodial_client::sync;
use crokodial_core::api::LeadQuery;
use tauri::State;

use crate::dto::{rfc3339, LeadList, LeadRow};
use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

/// Rows the list shows at most, newest first (until the list is virtualised).
const ROWS: u32 = 500;

/// The newest leads, optionally narrowed by a search: from the local cache, which works offline;
/// from the server only when there is no cache.
#[tauri::command]
pub async fn list_leads(state: State<'_, AppState>, search: Option<String>) -> CmdResult<LeadList> {
    let session = state.session().ok_or_else(|| AppError::new(ErrorCode::NotLoggedIn, "not logged in"))?;
    if let Some(cache) = state.cache() {
        let cache = cache.lock().await;
        let internal = |e: crokodial_client::cache::CacheError| AppError::new(ErrorCode::Internal, e.to_string());
        let (leads, total) = cache.page(&CacheQuery { search, limit: ROWS, offset: 0 }).map_err(internal)?;
        let synced_at = sync::last_synced(&cache).map_err(internal)?.map(rfc3339);
        return Ok(LeadList { rows: leads.iter().map(LeadRow::from).collect(), total: count(total), synced_at });
    }
    let query = LeadQuery { search, limit: Some(100), page: 1, ..LeadQuery::default() };
    let page = session.api().leads(&query).await?;
    Ok(LeadList {
        rows: page.leads.iter().map(LeadRow::from).collect(),
        total: count(page.pagination.total),
        synced_at: None,
    })
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
