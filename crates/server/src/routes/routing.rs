//! Team lead routing (ours): the tenant's mode, each rep's availability, claiming a lead, and
//! the speed-to-lead report.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use crokodial_core::routing::{
    refusal, Availability, Claimed, Presence, RoutingMode, RoutingSettings, RoutingUpdate, RoutingView, SpeedReport,
};
use crokodial_core::ws::{ClaimNotification, ServerMessage};

use crate::auth::{AdminUser, AuthUser};
use crate::error::ApiError;
use crate::routing::{plan, report};
use crate::state::AppState;
use crate::store::{self, ClaimOutcome, UserRecord};

async fn view(state: &AppState, user: UserRecord) -> Result<RoutingView, ApiError> {
    let (tenant, router) = (user.tenant_id.clone(), state.router.clone());
    let (settings, team) =
        store::run(&state.store, move |s| Ok((s.routing(&tenant)?, router.team(s, &tenant)?))).await?;
    Ok(RoutingView {
        owner_name: plan::owner(&settings, &team).map(|o| o.name.clone()),
        available: team.iter().any(|c| c.id == user.id && c.available),
        team: team
            .into_iter()
            .map(|c| Presence { id: c.id, name: c.name, available: c.available, connected: c.connected })
            .collect(),
        settings,
    })
}

/// `GET /api/routing`: the tenant's routing, the caller's availability and the team's.
pub async fn get(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<RoutingView>, ApiError> {
    Ok(Json(view(&state, user).await?))
}

/// `PUT /api/routing` (admins): a new mode, windows or owner. Leads in flight are offered again
/// under the new mode; none is lost.
pub async fn set(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    body: Bytes,
) -> Result<Json<RoutingView>, ApiError> {
    let update: RoutingUpdate = super::parse_json(&body)?;
    if let Some(problem) = update.problem() {
        return Err(ApiError::bad_request("invalid_routing", problem));
    }
    let (tenant, router) = (admin.tenant_id.clone(), state.router.clone());
    let changed = store::run(&state.store, move |s| {
        let old = s.routing(&tenant)?;
        let owner_id = match update.owner.as_deref().map(str::trim) {
            None => old.owner_id.clone(),
            Some("") => None,
            Some(who) => {
                let found = match s.user_by_id(who)? {
                    Some(u) => Some(u),
                    None => s.user_by_email(who)?,
                };
                match found.filter(|u| u.tenant_id == tenant && u.takes_leads()) {
                    Some(u) => Some(u.id),
                    None => return Ok(Err(format!("No active member of your team who has signed in is {who:?}"))),
                }
            }
        };
        let new = RoutingSettings {
            mode: update.mode.unwrap_or(old.mode),
            offer_seconds: update.offer_seconds.unwrap_or(old.offer_seconds),
            pool_after_seconds: update.pool_after_seconds.unwrap_or(old.pool_after_seconds),
            owner_id,
        };
        s.set_routing(&tenant, &new)?;
        let new_owner = new.mode == RoutingMode::Owner && new.owner_id != old.owner_id;
        if new.mode != old.mode || new_owner {
            router.replan(s, &tenant, Utc::now())?;
        }
        Ok(Ok(new))
    })
    .await?
    .map_err(|why| ApiError::bad_request("invalid_owner", why))?;
    tracing::info!(tenant = %admin.tenant_id, by = %admin.id, mode = changed.mode.as_str(), "routing changed");
    Ok(Json(view(&state, admin).await?))
}

/// `PUT /api/routing/availability`: the caller is available, or away. Going away moves what is
/// offered to them alone on at once; coming back puts them in what is offered to everyone.
pub async fn availability(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Bytes,
) -> Result<Json<RoutingView>, ApiError> {
    let Availability { available } = super::parse_json(&body)?;
    let (tenant, id, router) = (user.tenant_id.clone(), user.id.clone(), state.router.clone());
    store::run(&state.store, move |s| {
        s.set_available(&tenant, &id, available)?;
        router.availability_changed(s, &tenant, &id, Utc::now())
    })
    .await?;
    tracing::info!(user = %user.id, available, "availability");
    Ok(Json(view(&state, user).await?))
}

/// `POST /api/leads/:id/claim`: the first claim wins; every other gets 409 saying who has it.
pub async fn claim(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Claimed>, ApiError> {
    let (hub, in_order, router) = (state.hub.clone(), state.in_order.clone(), state.router.clone());
    let (tenant, lead_id) = (user.tenant_id.clone(), id.clone());
    let outcome = store::run(&state.store, move |s| {
        let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
        let outcome = s.claim_route(&tenant, &lead_id, &user, Utc::now())?;
        if let ClaimOutcome::Claimed(change, claim) = &outcome {
            router.closed(&tenant, &lead_id);
            let event = ServerMessage::LeadClaimed {
                data: ClaimNotification {
                    lead_id: lead_id.clone(),
                    claim: claim.clone(),
                    lead: Some(Box::new(change.lead.clone())),
                },
                seq: Some(change.seq),
            };
            hub.broadcast(&tenant, &event);
        }
        Ok(outcome)
    })
    .await?;
    let conflict = |code, message: String| ApiError::new(StatusCode::CONFLICT, code, message);
    match outcome {
        ClaimOutcome::Claimed(change, claim) => {
            tracing::info!(lead = %id, by = %claim.by, "claimed");
            Ok(Json(Claimed { claim, lead: change.lead }))
        }
        ClaimOutcome::Taken(claim) => Err(conflict(refusal::CLAIMED, format!("Claimed by {}", claim.name))),
        ClaimOutcome::OfferedElsewhere(offer) => {
            let left = offer.until.map(|u| (u - Utc::now()).num_seconds().max(1));
            let message = match left {
                Some(secs) => format!("Offered to {} alone for {secs} more seconds", offer.names()),
                None => format!("Offered to {} alone", offer.names()),
            };
            Err(conflict(refusal::OFFERED_ELSEWHERE, message))
        }
        ClaimOutcome::NotRouted => {
            Err(conflict(refusal::NOT_ROUTED, "This lead was not routed to the team: it already has its owner".into()))
        }
        ClaimOutcome::NotFound => Err(ApiError::not_found("Lead not found")),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

/// `GET /api/reports/speed?since=T&until=T` (admins; the last 7 days by default).
pub async fn speed(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Query(period): Query<Period>,
) -> Result<Json<SpeedReport>, ApiError> {
    let until = period.until.unwrap_or_else(Utc::now);
    let since = period.since.unwrap_or(until - chrono::Duration::days(7));
    if since >= until {
        return Err(ApiError::bad_request("invalid_period", "The period must start before it ends"));
    }
    let tenant = admin.tenant_id.clone();
    let (routes, offers, team) = store::run(&state.store, move |s| {
        let (routes, offers) = s.speed_records(&tenant, since, until)?;
        Ok((routes, offers, s.team(&tenant)?))
    })
    .await?;
    Ok(Json(report::speed(since, until, &routes, &offers, &team)))
}
