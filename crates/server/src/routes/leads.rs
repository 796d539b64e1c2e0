//! Lead listing and lookup, always within the caller's tenant.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use crokodial_core::api::{
    Capabilities, LeadChange, LeadChanges, LeadQuery, LeadsPage, NewLead, Pagination, QueryError, Role,
};
use crokodial_core::edit::{self, EditAnswer, EditField, EditRequest, LeadEdit};
use crokodial_core::Lead;
use serde_json::json;

use super::{lead_event, parse_json};
use crate::auth::{new_object_id, AdminUser, AuthUser};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, EditCommand, EditOutcome, UserRecord};

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
        tolerance: Default::default(),
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
    Json(Capabilities {
        lead_changes: true,
        socket_resume: true,
        lead_edits: true,
        lead_import: true,
        lead_routing: true,
        calls: true,
        followups: true,
        password_change: true,
    })
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
    let tenant = user.tenant_id;
    let page = store::run(&state.store, move |s| {
        // Writes are serialised and numbered in commit order, so every change up to `upto` is
        // readable now; later ones are left to the next request, which keeps deletions in order.
        let upto = s.last_seq(&tenant)?;
        // One more than asked, to tell whether more follow.
        let mut found = s.changes_after(&tenant, after, limit + 1)?;
        found.retain(|c| c.seq <= upto);
        let more = found.len() > limit;
        found.truncate(limit);
        let cursor = if more { found.last().map_or(after, |c| c.seq) } else { upto.max(after) };
        let deleted = s.deleted_between(&tenant, after, cursor)?;
        let changes = found.into_iter().map(|c| LeadChange { seq: c.seq, lead: c.lead }).collect();
        Ok(LeadChanges { changes, deleted, cursor, more })
    })
    .await?;
    Ok(Json(page))
}

/// Applies an edit under the ordering lock and announces the changed lead to the tenant's sockets
/// (an update: `isNew` false, so it never alerts).
async fn apply_edit(
    state: &AppState,
    user: UserRecord,
    lead_id: String,
    fields: LeadEdit,
    queued: Option<(String, LeadEdit)>,
) -> Result<EditOutcome, ApiError> {
    edit::validate(&fields).map_err(|e| ApiError::bad_request("invalid_edit", e.to_string()))?;
    let (hub, in_order) = (state.hub.clone(), state.in_order.clone());
    let outcome = store::run(&state.store, move |s| {
        let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
        let outcome = s.edit_lead(EditCommand {
            tenant_id: &user.tenant_id,
            user_id: &user.id,
            lead_id: &lead_id,
            fields: &fields,
            key: queued.as_ref().map(|(k, _)| k.as_str()),
            base: queued.as_ref().map(|(_, b)| b),
        })?;
        if let EditOutcome::Applied(change) = &outcome {
            hub.broadcast(&user.tenant_id, &lead_event(change, false, None));
        }
        Ok(outcome)
    })
    .await?;
    Ok(outcome)
}

/// `PUT /api/leads/:id`: the fields of the contract; any other field is refused by name.
pub async fn update(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Lead>, ApiError> {
    let fields: LeadEdit = parse_json(&body)?;
    Ok(Json(apply_contract_edit(&state, user, id, fields).await?))
}

/// An edit of the contract's routes (no key, no base: it cannot conflict); the lead as it is now.
async fn apply_contract_edit(
    state: &AppState,
    user: UserRecord,
    id: String,
    fields: LeadEdit,
) -> Result<Lead, ApiError> {
    match apply_edit(state, user, id, fields, None).await? {
        EditOutcome::Applied(change) => Ok(change.lead),
        EditOutcome::Unchanged(lead) | EditOutcome::Conflict { lead, .. } => Ok(lead),
        EditOutcome::NotFound => Err(ApiError::not_found("Lead not found")),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotesBody {
    notes: String,
}

/// `PATCH /api/leads/:id/notes` `{notes}` → `{success, leadId, notes}`.
pub async fn notes(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let NotesBody { notes } = parse_json(&body)?;
    let fields = LeadEdit::from([(EditField::Notes, notes)]);
    let lead = apply_contract_edit(&state, user, id.clone(), fields).await?;
    Ok(Json(json!({ "success": true, "leadId": id, "notes": lead.notes.unwrap_or_default() })))
}

/// `POST /api/sync/edits`: an edit queued on a client, applied once per key; 409 with the lead
/// as it is when a field it changes was changed elsewhere since the rep saw it.
pub async fn queued_edit(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: EditRequest = parse_json(&body)?;
    if req.key.is_empty() || req.key.len() > 100 {
        return Err(ApiError::bad_request("invalid_key", "The idempotency key must have 1 to 100 characters"));
    }
    let answer = match apply_edit(&state, user, req.lead_id, req.fields, Some((req.key, req.base))).await? {
        EditOutcome::Applied(change) => EditAnswer { applied: true, conflicts: Vec::new(), lead: change.lead },
        EditOutcome::Unchanged(lead) => EditAnswer { applied: false, conflicts: Vec::new(), lead },
        EditOutcome::Conflict { fields, lead } => {
            return Ok(
                (StatusCode::CONFLICT, Json(EditAnswer { applied: false, conflicts: fields, lead })).into_response()
            )
        }
        EditOutcome::NotFound => return Err(ApiError::not_found("Lead not found")),
    };
    Ok(Json(answer).into_response())
}

/// `DELETE /api/leads/:id` (ours): deletes the lead and leaves a tombstone for syncing clients.
pub async fn delete(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let (in_order, router) = (state.in_order.clone(), state.router.clone());
    let deleted = store::run(&state.store, move |s| {
        let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
        // Admins delete any of the tenant's leads; a rep only their own.
        let owned = |lead: &Lead| lead.assigned_to.as_deref() == Some(user.id.as_str());
        match s.lead(&user.tenant_id, &id)? {
            Some(lead) if user.role != Role::Admin && !owned(&lead) => return Ok(Err(())),
            _ => {}
        }
        let deleted = s.delete_lead(&user.tenant_id, &id)?;
        router.closed(&user.tenant_id, &id);
        Ok(Ok(deleted))
    })
    .await?;
    match deleted {
        Ok(Some(_)) => Ok(StatusCode::NO_CONTENT),
        Ok(None) => Err(ApiError::not_found("Lead not found")),
        Err(()) => Err(ApiError::forbidden("Only an admin or the lead's owner may delete it")),
    }
}

/// `POST /api/leads` (admins): a lead typed in by hand, for the caller, announced as new.
pub async fn create(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Lead>), ApiError> {
    let new: NewLead = parse_json(&body)?;
    let lead = new
        .into_lead(new_object_id(), &admin.tenant_id, Utc::now())
        .map(|lead| Lead { assigned_to: Some(admin.id.clone()), ..lead })
        .map_err(|e| ApiError::bad_request("invalid_lead", e))?;
    let (hub, in_order) = (state.hub.clone(), state.in_order.clone());
    let change = store::run(&state.store, move |s| {
        let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
        let change = s.upsert_lead(lead, None, None)?;
        hub.broadcast(&admin.tenant_id, &lead_event(&change, true, None));
        Ok(change)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(change.lead)))
}
