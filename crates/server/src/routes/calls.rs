//! Calls: each rep's attempts on a lead and their outcomes (`core::calls`).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use crokodial_core::calls::{CallAnswer, CallList, CallReport};

use super::{lead_event, parse_json};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, CallRecorded};

/// The longest call id an app may make.
const ID_MAX: usize = 64;
/// How far ahead of the server's clock a rep's clock may be.
const CLOCK_AHEAD: chrono::Duration = chrono::Duration::minutes(10);

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
    if report.at > Utc::now() + CLOCK_AHEAD {
        return Err(bad("The call's time is in the future: check this computer's clock"));
    }
    let (hub, in_order) = (state.hub.clone(), state.in_order.clone());
    let tenant = user.tenant_id.clone();
    let recorded = store::run(&state.store, move |s| {
        let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
        let recorded = s.record_call(&user, &id, &report)?;
        if let CallRecorded::Kept { changed: Some(change), .. } = &recorded {
            hub.broadcast(&tenant, &lead_event(change, false, None));
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
