//! The lead list and the lead's detail, from the local cache (which works offline), and the
//! rep's edits, kept in the cache's outbox and sent by the account's sync service.

use chrono::{Local, NaiveDate, TimeZone, Utc};
use crokodial_client::account::{Account, ExportError, LeadCalls};
use crokodial_client::cache::{CacheQuery, CallCount, EditState, Facets, QueuedEdit, SortBy};
use crokodial_core::edit::{Disposition, EditField, LeadEdit};
use crokodial_core::phone::format_us;
use crokodial_core::{rfc3339, Lead, LeadSource};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use ts_rs::TS;

use super::calls::{CallPanel, CallSummary};
use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

/// Most rows one call returns; the list asks for the window it shows.
const MAX_ROWS: u32 = 500;

/// The start of a local day, as UTC.
fn local_day(day: &str, field: &str) -> CmdResult<chrono::DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| AppError::new(ErrorCode::InvalidInput, format!("{field} must be a date like 2026-11-30")))?;
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    Ok(Local.from_local_datetime(&midnight).earliest().map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc)))
}

fn cache_query(q: ListQuery) -> CmdResult<CacheQuery> {
    let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let source = match blank(q.source) {
        Some(s) => Some(
            LeadSource::parse(&s).ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("no source {s:?}")))?,
        ),
        None => None,
    };
    let received_before = match blank(q.received_to) {
        Some(day) => Some(local_day(&day, "receivedTo")? + chrono::Duration::days(1)),
        None => None,
    };
    let filled = |v: Vec<String>| v.into_iter().filter(|s| !s.trim().is_empty()).collect();
    Ok(CacheQuery {
        search: blank(q.search),
        states: filled(q.states),
        dispositions: filled(q.dispositions),
        zones: filled(q.zones),
        callable_at: q.callable_now.then(Utc::now),
        source,
        batch: blank(q.batch),
        received_from: blank(q.received_from).map(|d| local_day(&d, "receivedFrom")).transpose()?,
        received_before,
        sort: q.sort.into(),
        ascending: q.ascending,
        limit: q.limit.clamp(1, MAX_ROWS),
        offset: q.offset,
    })
}

/// One window of the lead list, from the local cache.
#[tauri::command]
pub async fn list_leads(state: State<'_, AppState>, query: ListQuery) -> CmdResult<LeadList> {
    let offset = query.offset;
    let page = state.account()?.page(cache_query(query)?).await?;
    Ok(LeadList {
        rows: page
            .leads
            .iter()
            .zip(&page.calls)
            .map(|(lead, calls)| LeadRow { calls: calls.into(), ..LeadRow::from(lead) })
            .collect(),
        offset,
        total: u32::try_from(page.total).unwrap_or(u32::MAX),
        synced_at: page.synced_at.map(rfc3339),
    })
}

/// Writes the leads the list's search and filters choose (every one, in the list's order) to a
/// CSV file the rep picks; answers how many and where, or null when the rep cancelled.
#[tauri::command]
pub async fn export_leads(app: AppHandle, state: State<'_, AppState>, query: ListQuery) -> CmdResult<Option<Exported>> {
    use tauri_plugin_dialog::DialogExt;
    let query = cache_query(query)?;
    let name = format!("crokodial-leads-{}.csv", Local::now().format("%Y-%m-%d"));
    let picked = crokodial_client::off_runtime(move || {
        app.dialog().file().set_file_name(&name).add_filter("CSV", &["csv"]).blocking_save_file()
    })
    .await;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else { return Ok(None) };
    let rows = state.account()?.export(query, &path).await.map_err(|e| match e {
        ExportError::Cache(e) => AppError::from(e),
        e @ ExportError::File { .. } => AppError::new(ErrorCode::InvalidInput, e.to_string()),
    })?;
    Ok(Some(Exported { path: path.display().to_string(), rows: u32::try_from(rows).unwrap_or(u32::MAX) }))
}

/// Where the export went, and how many leads it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Exported {
    pub path: String,
    pub rows: u32,
}

/// The filter choices, from what the cached leads have.
#[tauri::command]
pub async fn list_facets(state: State<'_, AppState>) -> CmdResult<ListFacets> {
    Ok(state.account()?.facets().await?.into())
}

/// The tenant's dispositions, as last fetched (the seeded ones before the first sync).
#[tauri::command]
pub async fn dispositions(state: State<'_, AppState>) -> CmdResult<Vec<DispositionOption>> {
    Ok(state.account()?.dispositions().await?.iter().map(DispositionOption::from).collect())
}

#[tauri::command]
pub async fn lead_detail(state: State<'_, AppState>, id: String) -> CmdResult<LeadDetail> {
    detail(&*state.account()?, &id).await
}

async fn detail(account: &Account, id: &str) -> CmdResult<LeadDetail> {
    let (lead, history) = account.detail(id).await?;
    let calls = account.lead_calls(id).await?;
    let draft = account.note_draft(id).await?.map(|(text, at)| NotesDraft { text, at: rfc3339(at) });
    Ok(LeadDetail { notes_draft: draft, ..LeadDetail::new(&lead, &history, &calls) })
}

/// Keeps the notes being typed (each pause), so a crash or a closed window loses none.
#[tauri::command]
pub async fn keep_note_draft(state: State<'_, AppState>, id: String, text: String) -> CmdResult<()> {
    Ok(state.account()?.keep_note_draft(&id, &text).await?)
}

/// Throws the notes draft away: the rep kept the saved notes.
#[tauri::command]
pub async fn drop_note_draft(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    Ok(state.account()?.drop_note_draft(&id).await?)
}

/// Notes typed and not saved (the app closed, or crashed, first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NotesDraft {
    pub text: String,
    /// RFC 3339.
    pub at: String,
}

/// Keeps an edit (shown at once, pending; the sync service sends it) and answers the lead.
async fn edit(state: &AppState, id: &str, fields: LeadEdit) -> CmdResult<LeadDetail> {
    let account = state.account()?;
    account.edit(id, fields).await?;
    detail(&account, id).await
}

#[tauri::command]
pub async fn set_disposition(state: State<'_, AppState>, id: String, disposition: String) -> CmdResult<LeadDetail> {
    edit(&state, &id, LeadEdit::from([(EditField::Disposition, disposition)])).await
}

/// Replaces the lead's notes; an empty text clears them.
#[tauri::command]
pub async fn save_notes(state: State<'_, AppState>, id: String, notes: String) -> CmdResult<LeadDetail> {
    edit(&state, &id, LeadEdit::from([(EditField::Notes, notes)])).await
}

/// Changes the lead's contact and personal fields (empty values change nothing, as on the server).
#[tauri::command]
pub async fn edit_lead(state: State<'_, AppState>, id: String, changes: Vec<FieldChange>) -> CmdResult<LeadDetail> {
    let fields = lead_edit(changes).map_err(|e| AppError::new(ErrorCode::InvalidInput, e))?;
    edit(&state, &id, fields).await
}

/// Applies the values of a conflicting edit `key` again, over what the server has now.
#[tauri::command]
pub async fn reapply_edit(state: State<'_, AppState>, id: String, key: String) -> CmdResult<LeadDetail> {
    let account = state.account()?;
    account.reapply(&id, &key).await?;
    detail(&account, &id).await
}

/// The cache and the outbox, as `leads-synced` reports them.
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CmdResult<SyncStatus> {
    Ok(SyncStatus::from(&state.account()?.sync_status().await?))
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

/// One row of the lead list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadRow {
    pub id: String,
    pub name: String,
    /// For people to read (`core::phone::format_us`).
    pub phone: Option<String>,
    pub state: Option<String>,
    pub source: Option<String>,
    pub disposition: Option<String>,
    /// RFC 3339.
    pub received_at: Option<String>,
    /// Who claimed it, when it was routed and claimed.
    pub claim: Option<ClaimInfo>,
    /// The lead's IANA time zone (from its ZIP code, state or area code), to show its local time.
    pub zone: Option<String>,
    /// Its state's calling hours (local to the lead), to tell whether it may be called now.
    pub hours: CallingHours,
    pub calls: CallSummary,
}

/// Calling hours by kind of day, each `[from, until)` in whole hours of the lead's local time, or
/// null when no calls are allowed that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct CallingHours {
    pub weekdays: Option<[u32; 2]>,
    pub saturday: Option<[u32; 2]>,
    pub sunday: Option<[u32; 2]>,
}

impl From<&crokodial_core::calling::Rules> for CallingHours {
    fn from(r: &crokodial_core::calling::Rules) -> Self {
        let pair = |h: Option<crokodial_core::calling::Hours>| h.map(|h| [h.from, h.until]);
        CallingHours { weekdays: pair(r.weekdays), saturday: pair(r.saturday), sunday: pair(r.sunday) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClaimInfo {
    /// The rep's user id.
    pub by: String,
    pub name: String,
    /// RFC 3339.
    pub at: String,
}

impl From<&Lead> for LeadRow {
    fn from(l: &Lead) -> Self {
        LeadRow {
            id: l.id.clone(),
            name: l.name.clone(),
            phone: l.phone.as_deref().map(format_us),
            state: l.state.clone(),
            source: l.source.map(|s| s.as_str().to_owned()),
            disposition: l.disposition.clone(),
            received_at: l.created_at.map(rfc3339),
            claim: l.claim.as_ref().map(|c| ClaimInfo { by: c.by.clone(), name: c.name.clone(), at: rfc3339(c.at) }),
            zone: crokodial_core::textdrip::lead_zone(l).map(str::to_owned),
            hours: crokodial_core::calling::rules_for(crokodial_core::textdrip::lead_state(l)).into(),
            calls: CallSummary {
                do_not_call: l.do_not_call.is_some(),
                ..l.calls.as_ref().map(|t| CallSummary::from(&CallCount::from(t))).unwrap_or_default()
            },
        }
    }
}

/// What `list_leads` answers: one window of rows from `offset`, how many leads match in all,
/// and when the local cache last synced (none when the list came straight from the server).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadList {
    pub rows: Vec<LeadRow>,
    pub offset: u32,
    pub total: u32,
    /// RFC 3339.
    pub synced_at: Option<String>,
}

/// The list's orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ListSort {
    #[default]
    CreatedAt,
    Name,
    State,
    Disposition,
    /// Descending: East to West; ascending: West to East.
    TimeZone,
}

impl From<ListSort> for SortBy {
    fn from(s: ListSort) -> Self {
        match s {
            ListSort::CreatedAt => SortBy::CreatedAt,
            ListSort::Name => SortBy::Name,
            ListSort::State => SortBy::State,
            ListSort::Disposition => SortBy::Disposition,
            ListSort::TimeZone => SortBy::TimeZone,
        }
    }
}

/// What the list asks `list_leads` for: a window of rows, searched, filtered and sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ListQuery {
    pub search: Option<String>,
    /// Any of these states (none: every state).
    pub states: Vec<String>,
    /// Any of these dispositions; "No Disposition" for leads without one.
    pub dispositions: Vec<String>,
    /// Any of these IANA time zones (a facet's value).
    pub zones: Vec<String>,
    /// Only the leads that may be called now, in their own time and state's hours.
    pub callable_now: bool,
    /// A source's wire spelling, e.g. "NextGen".
    pub source: Option<String>,
    /// The tag of an import, e.g. "NextGen Leads 2026-12-01".
    pub batch: Option<String>,
    /// `YYYY-MM-DD`, the rep's local day, inclusive.
    pub received_from: Option<String>,
    /// `YYYY-MM-DD`, the rep's local day, inclusive.
    pub received_to: Option<String>,
    pub sort: ListSort,
    pub ascending: bool,
    pub offset: u32,
    pub limit: u32,
}

/// A time zone the list can be filtered on: its IANA name (the value), what reps call it, and
/// how many cached leads are in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ZoneFacet {
    pub value: String,
    pub label: String,
    pub count: u32,
}

/// One value the list can be filtered on, and how many cached leads have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FacetValue {
    pub value: String,
    pub count: u32,
}

/// The filter choices: what the cached leads have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct ListFacets {
    pub states: Vec<FacetValue>,
    pub dispositions: Vec<FacetValue>,
    pub sources: Vec<FacetValue>,
    /// Imports, by tag.
    pub batches: Vec<FacetValue>,
    /// The leads' time zones, East to West.
    pub zones: Vec<ZoneFacet>,
}

impl From<Facets> for ListFacets {
    fn from(f: Facets) -> Self {
        let values = |v: Vec<(String, u64)>| {
            v.into_iter().map(|(value, n)| FacetValue { value, count: u32::try_from(n).unwrap_or(u32::MAX) }).collect()
        };
        ListFacets {
            zones: f
                .zones
                .iter()
                .map(|(zone, n)| ZoneFacet {
                    value: zone.clone(),
                    label: crokodial_core::tz::label(zone),
                    count: u32::try_from(*n).unwrap_or(u32::MAX),
                })
                .collect(),
            states: values(f.states),
            dispositions: values(f.dispositions),
            sources: values(f.sources),
            batches: values(f.batches),
        }
    }
}

/// One of the tenant's dispositions, for the picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DispositionOption {
    /// Its id on the server ("default-N" before the first sync).
    pub id: String,
    pub name: String,
    /// A CSS colour, e.g. `#2563eb`.
    pub color: String,
    pub emoji: String,
}

impl From<&Disposition> for DispositionOption {
    fn from(d: &Disposition) -> Self {
        DispositionOption { id: d.id.clone(), name: d.name.clone(), color: d.color.clone(), emoji: d.emoji.clone() }
    }
}

/// A group of a lead's fields, as people read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldGroup {
    pub title: String,
    pub fields: Vec<FieldRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldRow {
    pub label: String,
    pub value: String,
}

/// Where one of the rep's edits stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum EditStatus {
    /// Saved on this computer, not yet on the server.
    Pending,
    Synced,
    /// Changed elsewhere meanwhile; the server's value was kept.
    Conflict,
    /// The server refused it.
    Failed,
}

/// One of the rep's edits of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EditEntry {
    /// An opaque id of the edit.
    pub key: String,
    /// RFC 3339.
    pub made_at: String,
    /// E.g. `Disposition → Quoted`.
    pub change: String,
    pub status: EditStatus,
    /// For a conflict, what the server has now; for a failure, why.
    pub detail: Option<String>,
}

impl From<&QueuedEdit> for EditEntry {
    fn from(q: &QueuedEdit) -> Self {
        let change: Vec<String> = q
            .fields
            .iter()
            .map(|(f, v)| match (f, v.is_empty()) {
                (EditField::Notes, true) => "Notes cleared".to_owned(),
                (EditField::Notes, false) => "Notes edited".to_owned(),
                (f, _) => format!("{} → {v}", f.label()),
            })
            .collect();
        let status = match q.state {
            EditState::Pending => EditStatus::Pending,
            EditState::Synced => EditStatus::Synced,
            EditState::Conflict => EditStatus::Conflict,
            EditState::Failed => EditStatus::Failed,
        };
        EditEntry {
            key: q.key.clone(),
            made_at: rfc3339(q.made_at),
            change: change.join(", "),
            status,
            detail: q.detail.clone(),
        }
    }
}

/// A lead whole, for the detail view, with the rep's edits of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadDetail {
    pub id: String,
    pub name: String,
    /// For people to read.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub disposition: Option<String>,
    pub notes: Option<String>,
    /// The fields the rep may change besides disposition and notes, with their values.
    pub editable: Vec<EditableField>,
    pub groups: Vec<FieldGroup>,
    /// Newest first.
    pub history: Vec<EditEntry>,
    pub calls: CallPanel,
    /// Notes typed here and not saved yet, to restore.
    pub notes_draft: Option<NotesDraft>,
}

/// A field of the lead the rep may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EditableField {
    /// The wire name: "name", "email", "phone", "zipcode", "dob", "height", "weight", "gender" or "state".
    pub field: String,
    pub label: String,
    pub value: String,
}

/// A new value for one field (`edit_lead`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct FieldChange {
    pub field: String,
    pub value: String,
}

/// The fields the detail's form edits, in its order.
const EDITABLE: [EditField; 9] = [
    EditField::Name,
    EditField::Phone,
    EditField::Email,
    EditField::State,
    EditField::Zipcode,
    EditField::Dob,
    EditField::Gender,
    EditField::Height,
    EditField::Weight,
];

/// The edit that `changes` ask for; a field outside the form is refused.
pub fn lead_edit(changes: Vec<FieldChange>) -> Result<LeadEdit, String> {
    changes
        .into_iter()
        .map(|c| match EDITABLE.iter().find(|f| f.as_str() == c.field) {
            Some(f) => Ok((*f, c.value.trim().to_owned())),
            None => Err(format!("{:?} cannot be edited here", c.field)),
        })
        .collect()
}

impl LeadDetail {
    pub fn new(lead: &Lead, history: &[QueuedEdit], calls: &LeadCalls) -> Self {
        LeadDetail {
            id: lead.id.clone(),
            name: lead.name.clone(),
            phone: lead.phone.as_deref().map(format_us),
            email: lead.email.clone(),
            disposition: lead.disposition.clone(),
            notes: lead.notes.clone(),
            editable: EDITABLE
                .iter()
                .map(|f| EditableField {
                    field: f.as_str().to_owned(),
                    label: f.label(),
                    value: f.value(lead).to_owned(),
                })
                .collect(),
            groups: lead
                .field_groups()
                .into_iter()
                .map(|(title, fields)| FieldGroup {
                    title: title.into(),
                    fields: fields.into_iter().map(|(label, value)| FieldRow { label, value }).collect(),
                })
                .collect(),
            history: history.iter().map(EditEntry::from).collect(),
            calls: CallPanel::new(lead, calls),
            notes_draft: None,
        }
    }
}

/// Sent with `leads-synced`, and answered by `sync_status`: the cache and the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Leads in the cache.
    pub cached: u32,
    /// Edits not yet on the server.
    pub pending: u32,
    pub conflicts: u32,
    pub failed: u32,
    /// RFC 3339: the last successful sync.
    pub synced_at: Option<String>,
}

impl From<&crokodial_client::account::SyncStatus> for SyncStatus {
    fn from(s: &crokodial_client::account::SyncStatus) -> Self {
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        SyncStatus {
            cached: n(s.cached),
            pending: n(s.outbox.pending),
            conflicts: n(s.outbox.conflict),
            failed: n(s.outbox.failed),
            synced_at: s.synced_at.map(rfc3339),
        }
    }
}
