//! Lead listing and lookup, always within the caller's tenant.

use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crokodial_core::api::{Capabilities, LeadChange, LeadChanges, LeadQuery, LeadsPage, Pagination, QueryError};
use crokodial_core::Lead;
use serde_json::json;

use crate::auth::{new_object_id, AuthUser};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;

pub async fn list(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let query = LeadQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| match e {
        QueryError::UnknownKey(_) => ApiError::bad_request("invalid_query", e.to_string()),
        QueryError::BadValue { .. } => ApiError::bad_request("invalid_query_value", e.to_string()),
    })?;
    let limit = query.effective_limit();
    let page = query.page.max(1);
    let request_id = query.request_id.clone().unwrap_or_else(new_object_id);
    let tenant = user.tenant_id.clone();
    let (leads, total) = store::run(&state.store, move |s| s.query_leads(&tenant, &query)).await?;
    let pages = u32::try_from(total.div_ceil(u64::from(limit))).unwrap_or(u32::MAX);
    let query_ms = started.elapsed().as_secs_f64() * 1000.0;
    let body = LeadsPage {
        leads,
        pagination: Pagination { total, page, pages, limit },
        meta: json!({ "queryTime": query_ms, "requestId": request_id }),
    };
    let mut res = Json(body).into_response();
    let headers = res.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(total));
    if let Ok(v) = HeaderValue::from_str(&format!("{query_ms:.2}ms")) {
        headers.insert("x-query-time", v);
    }
    Ok(res)
}

pub async fn one(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Lead>, ApiError> {
    store::run(&state.store, move |s| s.lead(&user.tenant_id, &id))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("Lead not found"))
}

/// `GET /api/sync/capabilities`.
pub async fn capabilities() -> Json<Capabilities> {
    Json(Capabilities { lead_changes: true, socket_resume: true })
}

/// Most changes one sync request returns.
const CHANGES_MAX: usize = 5000;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    #[serde(default)]
    after: u64,
    limit: Option<usize>,
}

/// `GET /api/sync/leads?after=N&limit=M`: the tenant's lead changes after sequence number N.
pub async fn changes(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(q): Query<ChangesQuery>,
) -> Result<Json<LeadChanges>, ApiError> {
    let limit = q.limit.unwrap_or(1000).clamp(1, CHANGES_MAX);
    let after = q.after;
    // One more than asked, to tell whether more follow.
    let mut found = store::run(&state.store, move |s| s.changes_after(&user.tenant_id, after, limit + 1)).await?;
    let more = found.len() > limit;
    found.truncate(limit);
    let cursor = found.last().map_or(after, |c| c.seq);
    let changes = found.into_iter().map(|c| LeadChange { seq: c.seq, lead: c.lead }).collect();
    Ok(Json(LeadChanges { changes, deleted: Vec::new(), cursor, more }))
}
