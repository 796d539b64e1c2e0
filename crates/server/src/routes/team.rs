//! The admin's team (ours): list the tenant's users, invite one, change a role, deactivate; an
//! invited user's first password; each user's Textdrip connection state.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use crokodial_core::api::{
    AcceptInvite, Invitation, InviteRequest, LoginResponse, MemberUpdate, TeamMember, TextdripConnection, PASSWORD_MIN,
};

use crate::accounts::{self, InviteError};
use crate::auth::{self, AdminUser, AuthUser};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, MemberChange};

/// `GET /api/team`: the tenant's users, oldest first.
pub async fn list(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> Result<Json<Vec<TeamMember>>, ApiError> {
    let users = store::run(&state.store, move |s| s.team(&admin.tenant_id)).await?;
    Ok(Json(users.iter().map(|u| u.to_member()).collect()))
}

/// `POST /api/team/invites`: a new user of the tenant, with a one-time code to set a password.
pub async fn invite(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let req: InviteRequest = super::parse_json(&body)?;
    let (user, code) = accounts::invite_user(&state.store, &admin.tenant_id, &req.email, &req.name, req.role)
        .await
        .map_err(|e| match e {
            InviteError::Email(_) => ApiError::bad_request("invalid_email", e.to_string()),
            InviteError::Taken(_) => ApiError::new(StatusCode::CONFLICT, "email_taken", e.to_string()),
            InviteError::Other(e) => ApiError::internal(e),
        })?;
    tracing::info!(tenant = %admin.tenant_id, by = %admin.id, user = %user.id, "user invited");
    Ok((StatusCode::CREATED, Json(Invitation { member: user.to_member(), code })))
}

/// `POST /api/team/:id/invite`: a new one-time code for a user who has not accepted their invite
/// (the code was lost, or expired); the old code stops working.
pub async fn renew_invite(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<Invitation>, ApiError> {
    let renewed = accounts::renew_invite(&state.store, &admin.tenant_id, &id).await.map_err(ApiError::internal)?;
    let Some((user, code)) = renewed else {
        return Err(ApiError::not_found("No invited user with this id in your team"));
    };
    tracing::info!(by = %admin.id, user = %user.id, "invite renewed");
    Ok(Json(Invitation { member: user.to_member(), code }))
}

/// `PATCH /api/team/:id`: a new role or active state. A deactivated user's sockets are closed at
/// once and their tokens refused from then on.
pub async fn update(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<TeamMember>, ApiError> {
    let update: MemberUpdate = super::parse_json(&body)?;
    let tenant = admin.tenant_id.clone();
    let target = id.clone();
    let change = store::run(&state.store, move |s| s.update_member(&tenant, &target, &update)).await?;
    let user = match change {
        MemberChange::Updated(user) => user,
        MemberChange::NotFound => return Err(ApiError::not_found("No such user in your team")),
        MemberChange::LastAdmin => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "last_admin",
                "The team must keep at least one active admin",
            ))
        }
    };
    if !user.active {
        let closed = state.hub.disconnect_user(&user.tenant_id, &user.id);
        tracing::info!(by = %admin.id, user = %user.id, sockets = closed, "user deactivated");
    }
    // Offered nothing once deactivated, offered again once back.
    let (router, tenant, id) = (state.router.clone(), user.tenant_id.clone(), user.id.clone());
    if let Err(e) = store::run(&state.store, move |s| router.availability_changed(s, &tenant, &id, Utc::now())).await {
        tracing::error!(error = %e, user = %user.id, "the member changed, but leads in flight were not offered again");
    }
    Ok(Json(user.to_member()))
}

/// `POST /api/auth/accept-invite`: an invited user sets their password with their one-time code,
/// and is logged in.
pub async fn accept_invite(State(state): State<AppState>, body: Bytes) -> Result<Json<LoginResponse>, ApiError> {
    let req: AcceptInvite = super::parse_json(&body)?;
    if req.password.chars().count() < PASSWORD_MIN {
        return Err(ApiError::bad_request(
            "weak_password",
            format!("Choose a password of at least {PASSWORD_MIN} characters"),
        ));
    }
    let refused = || {
        ApiError::bad_request(
            "invalid_invite",
            "This invite code is not valid for this email (or has expired: ask your admin for a new one)",
        )
    };
    let email = req.email.trim().to_owned();
    let user = store::run(&state.store, move |s| s.user_by_email(&email)).await?;
    let invite_hash = user.as_ref().and_then(|u| u.usable_invite(Utc::now())).map(str::to_owned);
    // Checked against a hash in every case, so timing does not tell which emails have an invite.
    let (code, password) = (accounts::normalise_code(&req.code), req.password);
    let checked = invite_hash.clone().unwrap_or_else(|| auth::dummy_hash().to_owned());
    let new_hash = tokio::task::spawn_blocking(move || {
        auth::verify_password(&code, &checked).then(|| auth::hash_password(&password)).transpose()
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let (Some(user), Some(invite_hash), Some(new_hash)) = (user, invite_hash, new_hash) else { return Err(refused()) };
    let id = user.id.clone();
    // Only if the invite is still the one checked: a code is used once.
    if !store::run(&state.store, move |s| s.accept_invite(&id, &invite_hash, &new_hash)).await? {
        return Err(refused());
    }
    let token = state.jwt.issue(&user.id).map_err(ApiError::internal)?;
    tracing::info!(user = %user.id, "invite accepted");
    Ok(Json(LoginResponse { token, user: user.to_api() }))
}

/// `PUT /api/integrations/textdrip`: the caller's own Textdrip connection state (never a token),
/// so their admin can see who is connected.
pub async fn textdrip(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let TextdripConnection { connected } = super::parse_json(&body)?;
    store::run(&state.store, move |s| s.set_textdrip_connected(&user.id, connected)).await?;
    Ok(StatusCode::NO_CONTENT)
}
