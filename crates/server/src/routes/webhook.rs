//! The NextGen webhook and its per-tenant credentials.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use crokodial_core::api::{NextGenIntegration, WebhookAck};
use crokodial_core::nextgen::NextGenPayload;
use crokodial_core::ws::{NewLeadNotification, ServerMessage};
use crokodial_core::LeadSource;

use crate::auth::{new_object_id, AdminUser};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, Change, WebhookCredentials};
use crokodial_core::rfc3339;

/// `GET /api/integrations/nextgen/credentials`: the caller's tenant's credentials (admins only).
pub async fn credentials(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> Result<Json<WebhookCredentials>, ApiError> {
    Ok(Json(crate::accounts::webhook_credentials(&state.store, &user.tenant_id).await?))
}

/// `POST /api/integrations/nextgen/credentials/rotate`: new credentials; the old ones stop
/// working at once.
pub async fn rotate(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> Result<Json<WebhookCredentials>, ApiError> {
    let new = crate::accounts::rotate_credentials(&state.store, &state.known_credentials, &user.tenant_id).await?;
    tracing::info!(tenant = %user.tenant_id, by = %user.id, "NextGen credentials rotated");
    Ok(Json(new))
}

/// `GET /api/integrations/nextgen` (ours): where NextGen posts, as this server was reached, and
/// the newest lead it posted. No credentials.
pub async fn integration(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    headers: HeaderMap,
) -> Result<Json<NextGenIntegration>, ApiError> {
    let host = header(&headers, "x-forwarded-host").or_else(|| header(&headers, "host")).unwrap_or("localhost");
    let scheme = header(&headers, "x-forwarded-proto").unwrap_or("http");
    let tenant = user.tenant_id.clone();
    let last_lead = store::run(&state.store, move |s| s.last_lead_from(&tenant, LeadSource::NextGen.as_str())).await?;
    Ok(Json(NextGenIntegration { webhook_url: format!("{scheme}://{host}/api/webhooks/nextgen"), last_lead }))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// The socket event for a stored change of a lead.
pub(crate) fn lead_event(change: &Change, is_new: bool, process_ms: Option<f64>) -> ServerMessage {
    ServerMessage::NewLead {
        data: NewLeadNotification::for_lead(change.lead.clone(), is_new, process_ms),
        timestamp: Some(rfc3339(Utc::now())),
        seq: Some(change.seq),
    }
}

/// `POST /api/webhooks/nextgen`: store the lead durably, then alert the tenant's sockets.
pub async fn nextgen(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let started = Instant::now();
    let (Some(sid), Some(apikey)) = (header(&headers, "sid"), header(&headers, "apikey")) else {
        return Err(ApiError::unauthorized("missing_credentials", "Missing sid or apikey header"));
    };
    let tenant = match state.known_credentials.tenant(sid, apikey) {
        Some(tenant) => tenant,
        None => {
            let rotations = state.known_credentials.rotations();
            let (s, k) = (sid.to_owned(), apikey.to_owned());
            let tenant = store::run(&state.store, move |st| st.tenant_by_credentials(&s, &k))
                .await?
                .ok_or_else(|| ApiError::unauthorized("invalid_credentials", "Invalid webhook credentials"))?;
            state.known_credentials.remember(sid.to_owned(), apikey.to_owned(), tenant.clone(), rotations);
            tenant
        }
    };

    if let Err(not_until) = state.webhook_limit.check_key(&tenant) {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
        let message = format!("Too many leads from these credentials; retry in {} ms", wait.as_millis().max(1));
        let mut res = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message).into_response();
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
        return Ok(res);
    }

    let payload = NextGenPayload::from_json(&body)
        .map_err(|e| ApiError::bad_request("invalid_body", format!("Invalid lead payload: {e}")))?;
    let vendor_key = payload.vendor_key().map(str::to_owned);
    let mut lead = payload.into_lead().map_err(|e| ApiError::bad_request("invalid_lead", e.to_string()))?;

    let now = Utc::now();
    lead.id = new_object_id();
    lead.tenant_id = Some(tenant.clone());
    lead.created_at = Some(now);
    lead.updated_at = Some(now);
    let t = tenant.clone();
    let (hub, in_order, router) = (state.hub.clone(), state.in_order.clone(), state.router.clone());
    let (change, is_new, process_ms, sockets) = store::run(&state.store, move |s| {
        let _in_order = in_order.lock().unwrap_or_else(|p| p.into_inner());
        // Unowned until a rep claims it. A new lead is offered by the tenant's routing, the
        // offer written with it; the announcement says to whom.
        let offer = router.first_offer(s, &t, now)?;
        let change = s.upsert_lead(lead, vendor_key.as_deref(), Some(&offer))?;
        let is_new = change.created_seq == change.seq;
        let offer = is_new.then(|| {
            router.opened(&change.lead, &offer, now);
            offer
        });
        let process_ms = started.elapsed().as_secs_f64() * 1000.0;
        // Durable now: announce at once, in sequence order. An update is announced too (same
        // lead, same id) so clients stay current, but only a new lead is `isNew`.
        let mut event = lead_event(&change, is_new, Some(process_ms));
        if let ServerMessage::NewLead { data, .. } = &mut event {
            data.offer = offer;
        }
        let sockets = hub.broadcast(&t, &event);
        Ok((change, is_new, process_ms, sockets))
    })
    .await?;
    tracing::info!(lead = %change.lead.id, seq = change.seq, is_new, sockets, "NextGen lead");
    let lead = change.lead;
    state.enricher.enqueue(&tenant, &lead);

    let ack = WebhookAck {
        success: true,
        lead_id: lead.id,
        message: if is_new { "Lead created" } else { "Lead updated" }.into(),
        is_new,
        process_ms,
    };
    let status = if is_new { StatusCode::CREATED } else { StatusCode::OK };
    let mut res = (status, Json(ack)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{process_ms:.2}ms")) {
        res.headers_mut().insert("x-process-time", v);
    }
    Ok(res)
}
