//! Demo-mode listing of the demo accounts.

use axum::extract::State;
use axum::Json;
use crokodial_core::api::DemoAccount;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn accounts(State(state): State<AppState>) -> Result<Json<Vec<DemoAccount>>, ApiError> {
    match &state.demo_accounts {
        Some(accounts) => Ok(Json(accounts.as_ref().clone())),
        None => Err(ApiError::not_found("Demo mode is off")),
    }
}
