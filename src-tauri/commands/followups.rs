//! Follow-ups: callbacks (scheduled with a preset in the lead's own time, or a date and time;
//! due ones ring and can be snoozed) and pinned leads, for the Callbacks view, the follow-up
//! strip and the lead's detail.

use chrono::{DateTime, Duration, Local, NaiveDateTime, TimeZone, Utc};
use crokodial_client::account::{Account, ScheduleError, When};
use crokodial_core::followups::{self, FollowUp, Preset};
use crokodial_core::{rfc3339, Lead};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

/// What "Snooze" puts a callback off by.
pub const SNOOZE_MINUTES: i64 = 10;

/// A callback or a pinned lead, with its lead's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpRow {
    pub id: String,
    pub lead_id: String,
    /// Empty when the lead is not in the cache (any more).
    pub lead_name: String,
    /// RFC 3339; null for a pin.
    pub due: Option<String>,
    /// The due time in the lead's own zone, e.g. "Tue 9:00 AM CST".
    pub due_there: Option<String>,
    pub note: Option<String>,
    pub done: bool,
}

impl FollowUpRow {
    pub fn new(f: &FollowUp, lead: Option<&Lead>) -> Self {
        let zone = lead.and_then(crokodial_core::textdrip::lead_tz);
        FollowUpRow {
            id: f.id.clone(),
            lead_id: f.lead_id.clone(),
            lead_name: lead.map(|l| l.name.clone()).unwrap_or_default(),
            due: f.due.map(rfc3339),
            due_there: f.due.zip(zone).map(|(due, zone)| followups::describe(due, zone)),
            note: f.note.clone(),
            done: f.done_at.is_some(),
        }
    }
}

/// The Callbacks view and the follow-up strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpBoard {
    /// Open callbacks whose time has come, oldest first.
    pub due: Vec<FollowUpRow>,
    pub upcoming: Vec<FollowUpRow>,
    /// Called back lately.
    pub done: Vec<FollowUpRow>,
    pub pinned: Vec<FollowUpRow>,
    /// False against the deployed server: they are kept on this computer only.
    pub synced: bool,
}

/// A preset for one lead, with when it falls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PresetOption {
    /// What `schedule_callback` takes.
    pub value: String,
    pub label: String,
    /// "Tue 9:00 AM CST" in the lead's zone (this computer's when unknown); null when passed.
    pub when: Option<String>,
}

fn preset_options(lead: &Lead) -> Vec<PresetOption> {
    let now = Utc::now();
    let zone = crokodial_core::textdrip::lead_tz(lead);
    Preset::ALL
        .iter()
        .map(|p| {
            let when = match zone {
                Some(zone) => p.due(&zone, now).map(|d| followups::describe(d, zone)),
                None => p.due(&Local, now).map(|d| d.with_timezone(&Local).format("%a %-I:%M %p").to_string()),
            };
            PresetOption { value: p.as_str().into(), label: p.label().into(), when }
        })
        .collect()
}

/// A lead's follow-ups, for its detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadFollowUps {
    pub pinned: bool,
    /// Its open callbacks, soonest first.
    pub callbacks: Vec<FollowUpRow>,
    pub presets: Vec<PresetOption>,
}

impl LeadFollowUps {
    pub async fn of(account: &Account, lead: &Lead) -> CmdResult<Self> {
        let mine = account.followups(false).await?;
        let of_lead = mine.iter().filter(|(f, _)| f.lead_id == lead.id);
        Ok(LeadFollowUps {
            pinned: of_lead.clone().any(|(f, _)| f.is_pin()),
            callbacks: of_lead.filter(|(f, _)| !f.is_pin()).map(|(f, _)| FollowUpRow::new(f, Some(lead))).collect(),
            presets: preset_options(lead),
        })
    }
}

async fn board(account: &Account) -> CmdResult<FollowUpBoard> {
    let now = Utc::now();
    let mut b = FollowUpBoard {
        due: Vec::new(),
        upcoming: Vec::new(),
        done: Vec::new(),
        pinned: Vec::new(),
        synced: account.capabilities().await.followups,
    };
    for (f, lead) in account.followups(true).await? {
        let row = FollowUpRow::new(&f, lead.as_ref());
        match f.due {
            _ if f.done_at.is_some() => b.done.push(row),
            None => b.pinned.push(row),
            Some(due) if due <= now => b.due.push(row),
            Some(_) => b.upcoming.push(row),
        }
    }
    Ok(b)
}

fn schedule_error(e: ScheduleError) -> AppError {
    match e {
        ScheduleError::Passed(_) => AppError::new(ErrorCode::InvalidInput, e.to_string()),
        ScheduleError::Cache(e) => e.into(),
    }
}

/// A local date and time typed by the rep ("2026-12-08T09:30", as a datetime-local input gives).
fn local_time(text: &str) -> CmdResult<DateTime<Utc>> {
    let bad = || AppError::new(ErrorCode::InvalidInput, format!("{text:?} is not a date and time"));
    if let Some(t) = crokodial_core::parse_rfc3339(text) {
        return Ok(t);
    }
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").map_err(|_| bad())?;
    Local.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)).ok_or_else(bad)
}

/// Schedules a callback: a preset (`in-an-hour`, `this-afternoon`, `tomorrow-morning`) or a local
/// date and time; answers the lead's follow-ups.
#[tauri::command]
pub async fn schedule_callback(
    state: State<'_, AppState>,
    lead_id: String,
    preset: Option<String>,
    at: Option<String>,
    note: Option<String>,
) -> CmdResult<LeadFollowUps> {
    let when = match (preset.as_deref().map(Preset::parse), at) {
        (Some(Some(p)), _) => When::Preset(p),
        (Some(None), _) => return Err(AppError::new(ErrorCode::InvalidInput, format!("no preset {preset:?}"))),
        (None, Some(at)) => When::At(local_time(&at)?),
        (None, None) => return Err(AppError::new(ErrorCode::InvalidInput, "choose when to call back")),
    };
    let account = state.account()?;
    account.schedule_callback(&lead_id, when, note).await.map_err(schedule_error)?;
    LeadFollowUps::of(&account, &account.lead(&lead_id).await?).await
}

/// Puts a due callback off by [`SNOOZE_MINUTES`].
#[tauri::command]
pub async fn snooze_callback(state: State<'_, AppState>, id: String) -> CmdResult<FollowUpBoard> {
    let account = state.account()?;
    account.reschedule(&id, Utc::now() + Duration::minutes(SNOOZE_MINUTES)).await?;
    board(&account).await
}

/// Called back: done.
#[tauri::command]
pub async fn finish_callback(state: State<'_, AppState>, id: String) -> CmdResult<FollowUpBoard> {
    let account = state.account()?;
    account.finish_callback(&id).await?;
    board(&account).await
}

#[tauri::command]
pub async fn remove_followup(state: State<'_, AppState>, id: String) -> CmdResult<FollowUpBoard> {
    let account = state.account()?;
    account.remove_followup(&id).await?;
    board(&account).await
}

#[tauri::command]
pub async fn set_pinned(state: State<'_, AppState>, lead_id: String, pinned: bool) -> CmdResult<FollowUpBoard> {
    let account = state.account()?;
    account.set_pinned(&lead_id, pinned).await?;
    board(&account).await
}

#[tauri::command]
pub async fn followup_board(state: State<'_, AppState>) -> CmdResult<FollowUpBoard> {
    board(&*state.account()?).await
}

#[tauri::command]
pub async fn lead_followups(state: State<'_, AppState>, lead_id: String) -> CmdResult<LeadFollowUps> {
    let account = state.account()?;
    LeadFollowUps::of(&account, &account.lead(&lead_id).await?).await
}

/// Snoozes from a notification's button (no window involved).
pub fn snooze_from_notification(app: &tauri::AppHandle, id: &str) {
    use tauri::Manager;
    let (app, id) = (app.clone(), id.to_owned());
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let Ok(account) = state.account() else { return };
        if let Err(e) = account.reschedule(&id, Utc::now() + Duration::minutes(SNOOZE_MINUTES)).await {
            tracing::warn!(error = %e, "cannot snooze a callback");
        }
    });
}
