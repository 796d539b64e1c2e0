//! Each rep's follow-ups: callbacks and pinned leads (`core::followups`), theirs alone.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use crokodial_core::followups::{FollowUp, FollowUps, DONE_KEPT_DAYS};

use super::parse_json;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;

/// `GET /api/followups`: the rep's open follow-ups and those done lately.
pub async fn list(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<FollowUps>, ApiError> {
    let since = Utc::now() - chrono::Duration::days(DONE_KEPT_DAYS);
    let followups = store::run(&state.store, move |s| s.followups(&user, since)).await?;
    Ok(Json(FollowUps { followups }))
}

/// `PUT /api/followups/:id`: writes it unless the one kept was updated later; answers the one kept.
pub async fn put(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<FollowUp>, ApiError> {
    let followup: FollowUp = parse_json(&body)?;
    let bad = |m: &str| ApiError::bad_request("invalid_followup", m.to_owned());
    if followup.id != id {
        return Err(bad("the follow-up's id is not the one in the path"));
    }
    followup.check().map_err(bad)?;
    let kept = store::run(&state.store, move |s| s.put_followup(&user, &followup)).await?;
    kept.map(Json).ok_or_else(|| ApiError::not_found("Lead not found"))
}

/// `DELETE /api/followups/:id`.
pub async fn delete(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    match store::run(&state.store, move |s| s.delete_followup(&user, &id)).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found("No such follow-up")),
    }
}
