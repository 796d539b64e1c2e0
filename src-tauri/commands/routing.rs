//! Team lead routing: the rep's availability, claiming a lead (from the list, the detail, a key
//! or a notification's button), and for admins the team's mode and the speed-to-lead report.
//! Against the deployed server these answer `unsupported`: routing is not offered there.

use chrono::Utc;
use crokodial_client::api::ClaimAnswer;
use crokodial_core::rfc3339;
use crokodial_core::routing::{self, Offer, RoutingUpdate, RoutingView, SpeedReport, SpeedRow};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use super::leads::LeadRow;
use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
pub async fn routing_view(state: State<'_, AppState>) -> CmdResult<RoutingInfo> {
    Ok(state.account()?.routing().await?.into())
}

/// Available (offered leads) or away; the account's state carries it to the tray and the UI.
#[tauri::command]
pub async fn set_available(state: State<'_, AppState>, available: bool) -> CmdResult<RoutingInfo> {
    let view = state.account()?.set_available(available).await?;
    tracing::info!(available = view.available, "availability");
    Ok(view.into())
}

#[tauri::command]
pub async fn set_routing(
    state: State<'_, AppState>,
    mode: Option<RoutingMode>,
    offer_seconds: Option<u32>,
    pool_after_seconds: Option<u32>,
    owner: Option<String>,
) -> CmdResult<RoutingInfo> {
    let update = RoutingUpdate { mode: mode.map(Into::into), offer_seconds, pool_after_seconds, owner };
    Ok(state.account()?.set_routing(&update).await?.into())
}

#[tauri::command]
pub async fn claim_lead(state: State<'_, AppState>, lead_id: String) -> CmdResult<ClaimResult> {
    claim(&state, &lead_id).await
}

/// Speed to lead over the last `days` days.
#[tauri::command]
pub async fn speed_report(state: State<'_, AppState>, days: u32) -> CmdResult<SpeedTable> {
    let since = Utc::now() - chrono::Duration::days(days.clamp(1, 366).into());
    Ok(state.account()?.speed_report(since, None).await?.into())
}

async fn claim(state: &AppState, lead_id: &str) -> CmdResult<ClaimResult> {
    let answer = state.account()?.claim(lead_id).await?;
    tracing::info!(lead = lead_id, mine = matches!(answer, ClaimAnswer::Yours(_)), "claim");
    Ok(match answer {
        ClaimAnswer::Yours(claimed) => {
            ClaimResult { mine: true, message: "Yours".into(), lead: Some(LeadRow::from(&claimed.lead)) }
        }
        ClaimAnswer::Refused { message, .. } => ClaimResult { mine: false, message, lead: None },
    })
}

/// The "Claim" button of a lead's notification: claims it and opens it (with why, when it is
/// someone else's).
pub fn claim_from_notification(app: &AppHandle, lead_id: &str) {
    let (app, lead_id) = (app.clone(), lead_id.to_owned());
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        match claim(&state, &lead_id).await {
            Ok(result) if !result.mine => crate::notify::withdraw(&app, &lead_id, &result.message),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.message, "cannot claim from the notification"),
        }
        crate::live::open_lead(&app, &lead_id);
    });
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RoutingMode {
    Everyone,
    RoundRobin,
    Owner,
}

impl From<routing::RoutingMode> for RoutingMode {
    fn from(m: routing::RoutingMode) -> Self {
        match m {
            routing::RoutingMode::Everyone => RoutingMode::Everyone,
            routing::RoutingMode::RoundRobin => RoutingMode::RoundRobin,
            routing::RoutingMode::Owner => RoutingMode::Owner,
        }
    }
}

impl From<RoutingMode> for routing::RoutingMode {
    fn from(m: RoutingMode) -> Self {
        match m {
            RoutingMode::Everyone => routing::RoutingMode::Everyone,
            RoutingMode::RoundRobin => routing::RoutingMode::RoundRobin,
            RoutingMode::Owner => routing::RoutingMode::Owner,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamPresence {
    pub id: String,
    pub name: String,
    pub available: bool,
    pub connected: bool,
}

/// The team's routing, this rep's availability and the team's.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoutingInfo {
    pub mode: RoutingMode,
    pub offer_seconds: u32,
    pub pool_after_seconds: u32,
    pub owner_id: Option<String>,
    pub available: bool,
    pub team: Vec<TeamPresence>,
}

impl From<RoutingView> for RoutingInfo {
    fn from(v: RoutingView) -> Self {
        RoutingInfo {
            mode: v.settings.mode.into(),
            offer_seconds: v.settings.offer_seconds,
            pool_after_seconds: v.settings.pool_after_seconds,
            owner_id: v.settings.owner_id,
            available: v.available,
            team: v
                .team
                .into_iter()
                .map(|p| TeamPresence { id: p.id, name: p.name, available: p.available, connected: p.connected })
                .collect(),
        }
    }
}

/// Who a lead is offered to, as a rep's app shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OfferInfo {
    /// "Ann Lee", "Ann Lee and Bo Chan", "5 reps".
    pub to: String,
    /// Offered to this rep (alone or with others): they may claim it.
    pub mine: bool,
}

impl OfferInfo {
    pub fn new(offer: &Offer, me: &str) -> Self {
        OfferInfo { to: offer.names(), mine: offer.is_for(me) }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClaimResult {
    /// The lead is this rep's now.
    pub mine: bool,
    /// "Yours", or who has it ("Claimed by Ann Lee", "Offered to Bo Chan alone for 20 more seconds").
    pub message: String,
    /// The lead as it is now, when it is this rep's.
    pub lead: Option<LeadRow>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpeedLine {
    pub label: String,
    pub offered: u32,
    pub claimed: u32,
    pub timed_out: u32,
    /// From arrival to claim, over the claimed leads.
    pub claim_p50_ms: Option<u32>,
    pub claim_p95_ms: Option<u32>,
}

impl From<SpeedRow> for SpeedLine {
    fn from(r: SpeedRow) -> Self {
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        SpeedLine {
            label: r.label,
            offered: n(r.offered),
            claimed: n(r.claimed),
            timed_out: n(r.timed_out),
            claim_p50_ms: r.claim_p50_ms.map(n),
            claim_p95_ms: r.claim_p95_ms.map(n),
        }
    }
}

/// The speed-to-lead report: per rep and per vendor.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpeedTable {
    /// RFC 3339.
    pub since: String,
    pub until: String,
    pub reps: Vec<SpeedLine>,
    pub vendors: Vec<SpeedLine>,
    pub unclaimed: u32,
}

impl From<SpeedReport> for SpeedTable {
    fn from(r: SpeedReport) -> Self {
        SpeedTable {
            since: rfc3339(r.since),
            until: rfc3339(r.until),
            reps: r.reps.into_iter().map(Into::into).collect(),
            vendors: r.vendors.into_iter().map(Into::into).collect(),
            unclaimed: u32::try_from(r.unclaimed).unwrap_or(u32::MAX),
        }
    }
}
