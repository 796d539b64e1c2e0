//! The tenant's dispositions: everyone reads them; admins add, rename, recolour, reorder and
//! remove them (the contract's routes and answers). A lead's disposition is never checked
//! against the list, as on the deployed server.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use crokodial_core::edit::{Disposition, DispositionChange, Dispositions};
use serde_json::{json, Value};

use super::parse_json;
use crate::auth::{AdminUser, AuthUser};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, DispositionEdit};

/// `GET /api/dispositions`: in their order.
pub async fn list(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<Dispositions>, ApiError> {
    let dispositions = store::run(&state.store, move |s| s.dispositions(&user.tenant_id)).await?;
    Ok(Json(Dispositions { dispositions }))
}

fn checked(body: &Bytes) -> Result<DispositionChange, ApiError> {
    let change: DispositionChange = parse_json(body)?;
    change.check().map_err(|m| ApiError::bad_request("invalid_disposition", m.to_owned()))?;
    Ok(change)
}

fn duplicate() -> ApiError {
    ApiError::bad_request("duplicate_disposition", "A disposition with this name already exists".to_owned())
}

/// `POST /api/dispositions` `{name, color, emoji?}` (admins): added last.
pub async fn add(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Disposition>), ApiError> {
    let change = checked(&body)?;
    if change.name.is_none() || change.color.is_none() {
        return Err(ApiError::bad_request("invalid_disposition", "Name and color are required".to_owned()));
    }
    let added = store::run(&state.store, move |s| s.add_disposition(&admin.tenant_id, &change)).await?;
    added.map(|d| (StatusCode::CREATED, Json(d))).ok_or_else(duplicate)
}

/// `PUT /api/dispositions/:id` `{name?, color?, emoji?, sortOrder?}` (admins).
pub async fn change(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Disposition>, ApiError> {
    let change = checked(&body)?;
    match store::run(&state.store, move |s| s.change_disposition(&admin.tenant_id, &id, &change)).await? {
        DispositionEdit::Changed(d) => Ok(Json(d)),
        DispositionEdit::Duplicate => Err(duplicate()),
        DispositionEdit::NotFound => Err(ApiError::not_found("Disposition not found")),
    }
}

/// `DELETE /api/dispositions/:id` (admins). Leads keep the name they have.
pub async fn delete(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match store::run(&state.store, move |s| s.delete_disposition(&admin.tenant_id, &id)).await? {
        true => Ok(Json(json!({"message": "Disposition deleted successfully"}))),
        false => Err(ApiError::not_found("Disposition not found")),
    }
}
