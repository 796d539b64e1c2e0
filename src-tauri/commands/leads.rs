//! The lead list and the lead's detail, from the local cache (which works offline), and the
//! rep's edits, kept in the cache's outbox and sent by the sync task (`live.rs`).

use chrono::{Local, NaiveDate, TimeZone, Utc};
use crokodial_client::cache::{CacheError, CacheQuery, LeadCache, SharedCache};
use crokodial_client::sync;
use crokodial_core::api::LeadQuery;
use crokodial_core::edit::{EditField, LeadEdit};
use crokodial_core::LeadSource;
use tauri::{AppHandle, State};

use crate::dto::{
    lead_edit, rfc3339, DispositionOption, FieldChange, LeadDetail, LeadList, LeadRow, ListFacets, ListQuery,
    SyncStatus,
};
use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

/// Most rows one call returns; the list asks for the window it shows.
const MAX_ROWS: u32 = 500;

fn internal(e: CacheError) -> AppError {
    match e {
        CacheError::NotCached(_) | CacheError::Edit(_) => AppError::new(ErrorCode::InvalidInput, e.to_string()),
        other => AppError::internal(other),
    }
}

pub(super) fn cache_of(state: &AppState) -> CmdResult<SharedCache> {
    state.signed_in()?;
    state.cache().ok_or_else(|| AppError::new(ErrorCode::Internal, "the local lead cache could not be opened"))
}

/// The start of a local day, as UTC.
fn local_day(day: &str, field: &str) -> CmdResult<chrono::DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| AppError::new(ErrorCode::InvalidInput, format!("{field} must be a date like 2026-11-30")))?;
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    Ok(Local.from_local_datetime(&midnight).earliest().map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc)))
}

fn cache_query(q: ListQuery) -> CmdResult<CacheQuery> {
    let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let source = match blank(q.source) {
        Some(s) => Some(
            LeadSource::parse(&s).ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("no source {s:?}")))?,
        ),
        None => None,
    };
    let received_before = match blank(q.received_to) {
        Some(day) => Some(local_day(&day, "receivedTo")? + chrono::Duration::days(1)),
        None => None,
    };
    Ok(CacheQuery {
        search: blank(q.search),
        state: blank(q.state),
        disposition: blank(q.disposition),
        source,
        batch: blank(q.batch),
        received_from: blank(q.received_from).map(|d| local_day(&d, "receivedFrom")).transpose()?,
        received_before,
        sort: q.sort.into(),
        ascending: q.ascending,
        limit: q.limit.clamp(1, MAX_ROWS),
        offset: q.offset,
    })
}

/// One window of the lead list, from the local cache; from the server only when there is no cache.
#[tauri::command]
pub async fn list_leads(state: State<'_, AppState>, query: ListQuery) -> CmdResult<LeadList> {
    let session = state.signed_in()?;
    if let Some(cache) = state.cache() {
        let offset = query.offset;
        let q = cache_query(query)?;
        let cache = cache.lock().await;
        let (leads, total) = cache.page(&q).map_err(internal)?;
        let synced_at = sync::last_synced(&cache).map_err(internal)?.map(rfc3339);
        return Ok(LeadList {
            rows: leads.iter().map(LeadRow::from).collect(),
            offset,
            total: count(total),
            synced_at,
        });
    }
    let q = LeadQuery { search: query.search, limit: Some(100), page: 1, ..LeadQuery::default() };
    let page = session.api().leads(&q).await?;
    Ok(LeadList {
        rows: page.leads.iter().map(LeadRow::from).collect(),
        offset: 0,
        total: count(page.pagination.total),
        synced_at: None,
    })
}

/// The filter choices, from what the cached leads have.
#[tauri::command]
pub async fn list_facets(state: State<'_, AppState>) -> CmdResult<ListFacets> {
    let cache = cache_of(&state)?;
    let facets = cache.lock().await.facets().map_err(internal)?;
    Ok(facets.into())
}

/// The tenant's dispositions, as last fetched (the seeded ones before the first sync).
#[tauri::command]
pub async fn dispositions(state: State<'_, AppState>) -> CmdResult<Vec<DispositionOption>> {
    let cache = cache_of(&state)?;
    let known = sync::dispositions(&*cache.lock().await).map_err(internal)?;
    Ok(known.iter().map(DispositionOption::from).collect())
}

#[tauri::command]
pub async fn lead_detail(state: State<'_, AppState>, id: String) -> CmdResult<LeadDetail> {
    let cache = cache_of(&state)?;
    let cache = cache.lock().await;
    detail(&cache, &id)
}

fn detail(cache: &LeadCache, id: &str) -> CmdResult<LeadDetail> {
    let lead = lead_in(cache, id)?;
    Ok(LeadDetail::new(&lead, &cache.history(id).map_err(internal)?))
}

fn lead_in(cache: &LeadCache, id: &str) -> CmdResult<crokodial_core::Lead> {
    cache
        .get(id)
        .map_err(internal)?
        .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("lead {id} is not in the local cache")))
}

/// Lead `id` as the local cache has it.
pub(super) async fn cached_lead(state: &AppState, id: &str) -> CmdResult<crokodial_core::Lead> {
    let cache = cache_of(state)?;
    let cache = cache.lock().await;
    lead_in(&cache, id)
}

/// Keeps an edit (shown at once, pending), asks the sync task to send it, and answers the lead.
async fn edit(app: &AppHandle, state: &AppState, id: &str, fields: LeadEdit) -> CmdResult<LeadDetail> {
    let cache = cache_of(state)?;
    let answer = {
        let mut cache = cache.lock().await;
        cache.queue_edit(id, fields).map_err(internal)?;
        detail(&cache, id)?
    };
    crate::live::edits_queued(app);
    Ok(answer)
}

#[tauri::command]
pub async fn set_disposition(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    disposition: String,
) -> CmdResult<LeadDetail> {
    edit(&app, &state, &id, LeadEdit::from([(EditField::Disposition, disposition)])).await
}

/// Replaces the lead's notes; an empty text clears them.
#[tauri::command]
pub async fn save_notes(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    notes: String,
) -> CmdResult<LeadDetail> {
    edit(&app, &state, &id, LeadEdit::from([(EditField::Notes, notes)])).await
}

/// Changes the lead's contact and personal fields (empty values change nothing, as on the server).
#[tauri::command]
pub async fn edit_lead(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    changes: Vec<FieldChange>,
) -> CmdResult<LeadDetail> {
    let fields = lead_edit(changes).map_err(|e| AppError::new(ErrorCode::InvalidInput, e))?;
    edit(&app, &state, &id, fields).await
}

/// Applies the values of a conflicting edit `key` again, over what the server has now: the rep
/// chose theirs over the colleague's. A new edit, queued like any other.
#[tauri::command]
pub async fn reapply_edit(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    key: String,
) -> CmdResult<LeadDetail> {
    let cache = cache_of(&state)?;
    let fields = {
        let cache = cache.lock().await;
        let history = cache.history(&id).map_err(internal)?;
        let edit = history
            .into_iter()
            .find(|q| q.key == key)
            .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, "no such edit of this lead"))?;
        edit.fields
    };
    edit(&app, &state, &id, fields).await
}

/// The cache and the outbox, as `leads-synced` reports them.
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CmdResult<SyncStatus> {
    let cache = cache_of(&state)?;
    let cache = cache.lock().await;
    crate::live::sync_status(&cache).map_err(internal)
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
