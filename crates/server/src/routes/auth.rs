//! Login and token verification.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use crokodial_core::api::{LoginResponse, ProfileUpdate, User, VerifyResponse, PASSWORD_MIN};
use crokodial_core::edit;
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

/// `GET /api/auth/profile`: the caller, as the contract shows a user (not wrapped).
pub async fn profile(AuthUser(user): AuthUser) -> Json<User> {
    Json(user.to_api())
}

/// `PUT /api/auth/profile` `{name?, email?, password?, currentPassword?}`: empty values are
/// kept; a new password needs the current one (unlike the deployed server, which stores it
/// hashed twice).
pub async fn update_profile(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Bytes,
) -> Result<Json<User>, ApiError> {
    let update: ProfileUpdate = super::parse_json(&body)?;
    let given = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (name, email) = (given(update.name), given(update.email).map(|e| e.to_lowercase()));
    if email.as_deref().is_some_and(|e| !edit::is_email(e)) {
        return Err(ApiError::bad_request("invalid_email", "That is not an email address"));
    }
    let hash = match update.password.filter(|p| !p.is_empty()) {
        None => None,
        Some(password) => {
            if password.chars().count() < PASSWORD_MIN {
                return Err(ApiError::bad_request(
                    "weak_password",
                    format!("A password has at least {PASSWORD_MIN} characters"),
                ));
            }
            let (current, stored) = (update.current_password.unwrap_or_default(), user.password_hash.clone());
            let hashed = tokio::task::spawn_blocking(move || {
                auth::verify_password(&current, &stored).then(|| auth::hash_password(&password)).transpose()
            })
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
            Some(hashed.ok_or_else(|| ApiError::bad_request("wrong_password", "The current password is not right"))?)
        }
    };
    let id = user.id.clone();
    let updated = store::run(&state.store, move |s| {
        match s.update_profile(&id, name.as_deref(), email.as_deref(), hash.as_deref()) {
            Err(store::StoreError::EmailTaken(_)) => Ok(Err(())),
            other => other.map(Ok),
        }
    })
    .await?
    .map_err(|()| ApiError::bad_request("email_taken", "Email is already in use"))?;
    updated.map(|u| Json(u.to_api())).ok_or_else(|| ApiError::not_found("User not found"))
}
