//! Calls: each rep's attempts on a lead and their outcomes (`core::calls`), and the agency's
//! do-not-call list, which any rep adds to and only admins take from.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use crokodial_core::calls::{CallAnswer, CallList, CallReport, DoNotCallAdd, DoNotCallList};
use crokodial_core::phone;

use super::{lead_event, parse_json};
use crate::auth::{AdminUser, AuthUser};
use crate::error::ApiError;
use crate::hub::Hub;
use crate::state::AppState;
use crate::store::{self, CallRecorded, Change};

/// The longest call id an app may make.
const ID_MAX: usize = 64;

/// `PUT /api/calls/:id`: keeps the attempt once per id; the same id again tells its outcome.
/// Answers the call and the lead with its tally. A
/// change of the lead's tally is announced as an update of the lead (it never alerts).
pub async fn put(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CallAnswer>, ApiError> {
    let bad = |message: &str| ApiError::bad_request("invalid_call", message.to_owned());
    if id.is_empty() || id.len() > ID_MAX || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(bad("A call id is 1 to 64 letters, digits, '-' or '_'"));
    }
    let report: CallReport = parse_json(&body)?;
    report.check().map_err(bad)?;
    // A rep's clock running fast must not lose the call: it is dated now.
    let mut report = report;
    report.at = report.at.min(Utc::now());
    let (hub, in_order) = (state.hub.clone(), state.in_order.clone());
    let tenant = user.tenant_id.clone();
    let recorded = store::run(&state.store, move |s| {
        let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
        let recorded = s.record_call(&user, &id, &report)?;
        if let CallRecorded::Kept { changes, .. } = &recorded {
            announce(&hub, &tenant, changes);
        }
        Ok(recorded)
    })
    .await?;
    match recorded {
        CallRecorded::Kept { call, lead, .. } => Ok(Json(CallAnswer { call, lead: *lead })),
        CallRecorded::NotYours => {
            Err(ApiError::new(StatusCode::FORBIDDEN, "not_yours", "This call was recorded by another rep"))
        }
        CallRecorded::LeadNotFound => Err(ApiError::not_found("Lead not found")),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForLead {
    lead_id: String,
}

/// `GET /api/calls?leadId=`: the lead's calls, newest first, whoever made them.
pub async fn list(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(q): Query<ForLead>,
) -> Result<Json<CallList>, ApiError> {
    let calls = store::run(&state.store, move |s| s.calls(&user.tenant_id, &q.lead_id)).await?;
    Ok(Json(CallList { calls }))
}

/// `GET /api/do-not-call`: the tenant's list, newest first.
pub async fn do_not_call(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<DoNotCallList>, ApiError> {
    let phones = store::run(&state.store, move |s| s.do_not_call(&user.tenant_id)).await?;
    Ok(Json(DoNotCallList { phones }))
}

fn phone_of(raw: &str) -> Result<String, ApiError> {
    phone::normalize_us(raw)
        .ok_or_else(|| ApiError::bad_request("invalid_phone", format!("{raw:?} is not a US phone number")))
}

/// Announces each changed lead (updates: they never alert).
fn announce(hub: &Hub, tenant: &str, changes: &[Change]) {
    for change in changes {
        hub.broadcast(tenant, &lead_event(change, false, None));
    }
}

/// `POST /api/do-not-call` `{phone}`: puts it on the list (again: nothing changes) and marks the
/// tenant's leads with it; answers the list.
pub async fn add_do_not_call(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Bytes,
) -> Result<Json<DoNotCallList>, ApiError> {
    let add: DoNotCallAdd = parse_json(&body)?;
    let phone = phone_of(&add.phone)?;
    let in_order = state.in_order.clone();
    let (tenant, who) = (user.tenant_id.clone(), user.id.clone());
    let changes = store::run(&state.store, move |s| {
        let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
        s.add_do_not_call(&user, &phone)
    })
    .await?;
    tracing::info!(by = %who, leads = changes.len(), "a phone put on the do-not-call list");
    announce(&state.hub, &tenant, &changes);
    let t = tenant.clone();
    Ok(Json(DoNotCallList { phones: store::run(&state.store, move |s| s.do_not_call(&t)).await? }))
}

/// `DELETE /api/do-not-call/:phone` (admins): takes it off the list and its leads' marks.
pub async fn remove_do_not_call(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(raw): Path<String>,
) -> Result<Json<DoNotCallList>, ApiError> {
    let phone = phone_of(&raw)?;
    let in_order = state.in_order.clone();
    let tenant = admin.tenant_id.clone();
    let t = tenant.clone();
    let removed = store::run(&state.store, move |s| {
        let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
        s.remove_do_not_call(&t, &phone)
    })
    .await?;
    let changes = removed.ok_or_else(|| ApiError::not_found("That phone is not on the do-not-call list"))?;
    tracing::info!(by = %admin.id, leads = changes.len(), "a phone taken off the do-not-call list");
    announce(&state.hub, &tenant, &changes);
    Ok(Json(DoNotCallList { phones: store::run(&state.store, move |s| s.do_not_call(&tenant)).await? }))
}
