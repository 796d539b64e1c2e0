//! Calls: pressing Call records the attempt (then the OS's phone app takes the `tel:` link),
//! and on coming back the rep tells how it went, one key per outcome. The counts, the day's
//! dials and the caution before a call outside the lead's hours come from Rust.

use chrono::Utc;
use crokodial_client::account::{Account, LeadCalls};
use crokodial_client::cache::{CallCount, CallState, QueuedCall};
use crokodial_core::calls::{self, Call, Outcome};
use crokodial_core::{rfc3339, Lead};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

/// Calls made here that the detail lists.
const RECENT: usize = 10;

/// A lead's calls in short, for its row: "Call (3) · last 2 h ago".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallSummary {
    pub count: u32,
    /// RFC 3339; none when only the deployed server counted them (it keeps no times).
    pub last_at: Option<String>,
    /// The last outcome, for people to read.
    pub last_outcome: Option<String>,
    /// On the do-not-call list: no call or text button.
    pub do_not_call: bool,
}

impl From<&CallCount> for CallSummary {
    fn from(c: &CallCount) -> Self {
        CallSummary {
            count: c.count,
            last_at: c.last_at.map(rfc3339),
            last_outcome: c.last_outcome.map(|o| o.label().to_owned()),
            do_not_call: c.do_not_call,
        }
    }
}

/// The lead's calls in the detail: the summary, why to confirm before calling now, and the
/// calls made from this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallPanel {
    pub summary: CallSummary,
    /// Who put the phone on the do-not-call list and when, for people to read.
    pub do_not_call: Option<String>,
    /// Said before the call, which the rep confirms: outside the lead's hours, past its state's
    /// attempts a day, or its time unknown.
    pub caution: Option<String>,
    /// Newest first.
    pub recent: Vec<CallEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallEntry {
    pub id: String,
    /// RFC 3339.
    pub at: String,
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// "pending", "synced" or "failed".
    pub status: String,
    /// Why the server refused it.
    pub detail: Option<String>,
}

impl From<&QueuedCall> for CallEntry {
    fn from(q: &QueuedCall) -> Self {
        let status = match q.state {
            CallState::Pending => "pending",
            CallState::Synced => "synced",
            CallState::Failed => "failed",
        };
        CallEntry {
            id: q.call.id.clone(),
            at: rfc3339(q.call.at),
            outcome: q.call.outcome.map(|o| o.label().to_owned()),
            note: q.call.note.clone(),
            status: status.into(),
            detail: q.detail.clone(),
        }
    }
}

impl CallPanel {
    pub fn new(lead: &Lead, calls: &LeadCalls) -> Self {
        let window = crokodial_core::textdrip::local_time(lead, Utc::now());
        CallPanel {
            summary: (&calls.count).into(),
            do_not_call: calls.count.do_not_call.then(|| match &lead.do_not_call {
                Some(m) => format!("On the do-not-call list since {} ({})", m.at.format("%b %-d, %Y"), m.name),
                None => "On the do-not-call list (told on this computer)".to_owned(),
            }),
            caution: calls::caution(window.as_ref(), calls.in_a_day),
            recent: calls.here.iter().take(RECENT).map(CallEntry::from).collect(),
        }
    }
}

/// A call just made, whose outcome the rep is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlacedCall {
    pub call_id: String,
    pub lead_id: String,
    pub lead_name: String,
    /// RFC 3339.
    pub at: String,
}

/// One outcome the rep can pick, with its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OutcomeOption {
    /// The value `tell_call_outcome` takes.
    pub value: String,
    pub label: String,
    pub key: String,
}

/// The rep's calls today and the one waiting for its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallDesk {
    /// Dials from this computer since midnight.
    pub dials_today: u32,
    pub awaiting: Option<PlacedCall>,
    pub outcomes: Vec<OutcomeOption>,
}

fn key_of(o: Outcome) -> &'static str {
    match o {
        Outcome::NoAnswer => "n",
        Outcome::Voicemail => "v",
        Outcome::Talked => "t",
        Outcome::WrongNumber => "w",
        Outcome::BadNumber => "b",
        Outcome::DoNotCall => "d",
    }
}

async fn placed(account: &Account, call: Call) -> PlacedCall {
    let lead_name = account.lead(&call.lead_id).await.map(|l| l.name).unwrap_or_default();
    PlacedCall { call_id: call.id, lead_id: call.lead_id, lead_name, at: rfc3339(call.at) }
}

async fn desk(account: &Account) -> CmdResult<CallDesk> {
    let awaiting = match account.awaiting_outcome().await? {
        Some(call) => Some(placed(account, call).await),
        None => None,
    };
    Ok(CallDesk {
        dials_today: account.dials_today().await?,
        awaiting,
        outcomes: Outcome::ALL
            .iter()
            .map(|o| OutcomeOption { value: o.as_str().into(), label: o.label().into(), key: key_of(*o).into() })
            .collect(),
    })
}

/// The rep pressed Call: the attempt is kept (and sent) before the phone app opens.
#[tauri::command]
pub async fn record_call(state: State<'_, AppState>, lead_id: String) -> CmdResult<PlacedCall> {
    let account = state.account()?;
    let call = account.record_call(&lead_id).await?;
    tracing::info!(lead = %lead_id, call = %call.id, "call");
    Ok(placed(&account, call).await)
}

/// How the call went (or a correction); an empty note is none.
#[tauri::command]
pub async fn tell_call_outcome(
    state: State<'_, AppState>,
    call_id: String,
    outcome: String,
    note: Option<String>,
) -> CmdResult<CallDesk> {
    let outcome = Outcome::parse(&outcome)
        .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("no call outcome {outcome:?}")))?;
    let account = state.account()?;
    account.tell_outcome(&call_id, outcome, note).await?;
    desk(&account).await
}

#[tauri::command]
pub async fn call_desk(state: State<'_, AppState>) -> CmdResult<CallDesk> {
    desk(&*state.account()?).await
}
