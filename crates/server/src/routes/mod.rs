//! The HTTP API.

mod auth;
mod calls;
mod demo;
mod dispositions;
mod followups;
mod import;
mod leads;
mod routing;
mod team;
mod webhook;

pub(crate) use webhook::lead_event;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{middleware, Json, Router};
use chrono::Utc;
use crokodial_core::api::Health;

use crate::error::{json_errors, ApiError};
use crate::state::AppState;
use crate::ws;

/// Largest request body we read.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/ready", get(ready))
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/verify", get(auth::verify))
        .route("/api/auth/profile", get(auth::profile).put(auth::update_profile))
        .route("/api/auth/accept-invite", post(team::accept_invite))
        .route("/api/team", get(team::list))
        .route("/api/team/invites", post(team::invite))
        .route("/api/team/{id}", patch(team::update))
        .route("/api/team/{id}/invite", post(team::renew_invite))
        .route("/api/leads", get(leads::list).post(leads::create))
        .route("/api/leads/{id}", get(leads::one).put(leads::update).delete(leads::delete))
        .route("/api/leads/{id}/notes", patch(leads::notes))
        .route("/api/leads/{id}/claim", post(routing::claim))
        .route("/api/calls", get(calls::list))
        .route("/api/calls/{id}", put(calls::put))
        .route("/api/followups", get(followups::list))
        .route("/api/followups/{id}", put(followups::put).delete(followups::delete))
        .route("/api/do-not-call", get(calls::do_not_call).post(calls::add_do_not_call))
        .route("/api/do-not-call/{phone}", axum::routing::delete(calls::remove_do_not_call))
        .route("/api/routing", get(routing::get).put(routing::set))
        .route("/api/routing/availability", put(routing::availability))
        .route("/api/reports/speed", get(routing::speed))
        .route("/api/dispositions", get(dispositions::list).post(dispositions::add))
        .route("/api/dispositions/{id}", put(dispositions::change).delete(dispositions::delete))
        .route("/api/sync/capabilities", get(leads::capabilities))
        .route("/api/sync/leads", get(leads::changes))
        .route("/api/sync/edits", post(leads::queued_edit))
        .route(
            "/api/csv-upload",
            post(import::csv_upload).layer(DefaultBodyLimit::max(import::CSV_LIMIT + 1024 * 1024)),
        )
        .route("/api/import/leads", post(import::batch).layer(DefaultBodyLimit::max(import::BATCH_BODY_LIMIT)))
        .route("/api/integrations/nextgen", get(webhook::integration))
        .route("/api/integrations/nextgen/credentials", get(webhook::credentials))
        .route("/api/integrations/nextgen/credentials/rotate", post(webhook::rotate))
        .route("/api/integrations/textdrip", put(team::textdrip))
        .route("/api/webhooks/nextgen", post(webhook::nextgen))
        .route("/api/demo/accounts", get(demo::accounts))
        .route("/api/{*rest}", axum::routing::any(not_found))
        .fallback(ws::fallback)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::map_response(json_errors))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::no_route()
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        server: "crokodial-server".into(),
        port: state.port,
        uptime: state.started.elapsed().as_secs_f64(),
        timestamp: crokodial_core::rfc3339(Utc::now()),
    })
}

/// `GET /api/ready`: 200 while the server takes work (its database answers, it is not shutting
/// down); 503 otherwise, for a load balancer or an orchestrator to route around it.
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    if *state.shutdown.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"ready": false, "reason": "shutting down"})));
    }
    match crate::store::run(&state.store, |s| s.last_seq("")).await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({"ready": true}))),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"ready": false, "reason": "the database does not answer"})),
        ),
    }
}

/// Parses a JSON request body; any failure is a 400 JSON error.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request("invalid_json", format!("Invalid JSON body: {e}")))
}
