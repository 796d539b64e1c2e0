//! Login and token verification.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use crokodial_core::api::{LoginResponse, VerifyResponse};
use serde::Deserialize;

use crate::auth::{self, AuthUser};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;

#[derive(Deserialize)]
struct LoginBody {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

pub async fn login(State(state): State<AppState>, body: Bytes) -> Result<Json<LoginResponse>, ApiError> {
    let body: LoginBody = super::parse_json(&body)?;
    let (Some(email), Some(password)) =
        (body.email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()), body.password.filter(|p| !p.is_empty()))
    else {
        return Err(ApiError::bad_request("missing_credentials", "Email and password are required"));
    };
    let invalid = || ApiError::bad_request("invalid_credentials", "Invalid credentials");
    let user = store::run(&state.store, move |s| s.user_by_email(&email)).await?;
    let Some(user) = user else {
        // Spend the same work as a real check, so timing does not reveal which emails exist.
        tokio::task::spawn_blocking(move || auth::verify_password(&password, auth::dummy_hash())).await.ok();
        return Err(invalid());
    };
    // An invited user has no password yet: the same work again.
    let hash = if user.password_hash.is_empty() { auth::dummy_hash().to_owned() } else { user.password_hash.clone() };
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(ApiError::internal)?;
    if !ok || user.password_hash.is_empty() {
        return Err(invalid());
    }
    if !user.active {
        return Err(ApiError::bad_request("account_deactivated", auth::DEACTIVATED));
    }
    let token = state.jwt.issue(&user.id).map_err(ApiError::internal)?;
    Ok(Json(LoginResponse { token, user: user.to_api() }))
}

pub async fn verify(AuthUser(user): AuthUser) -> Json<VerifyResponse> {
    Json(VerifyResponse { valid: true, user: user.to_api() })
}
