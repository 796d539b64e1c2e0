//! The types that cross to the UI, converted by hand from the engine's types. TypeScript for them
//! is generated into ui/src/lib/bindings.ts; `bindings_are_fresh` fails when that file is stale.

use chrono::{NaiveTime, SecondsFormat};
use crokodial_client::alert::Sound;
use crokodial_client::settings::{self, Hush, QuietHours};
use crokodial_client::socket::ConnectionState as EngineState;
use crokodial_client::textdrip;
use crokodial_core::api::{self, Role as ApiRole};
use crokodial_core::edit::EditField;
use crokodial_core::ws::NewLeadNotification;
use crokodial_core::{Lead, LeadSource};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub default_server_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    User,
}

impl From<Role> for ApiRole {
    fn from(r: Role) -> Self {
        match r {
            Role::Admin => ApiRole::Admin,
            Role::User => ApiRole::User,
        }
    }
}

impl From<ApiRole> for Role {
    fn from(r: ApiRole) -> Self {
        match r {
            ApiRole::Admin => Role::Admin,
            ApiRole::User => Role::User,
        }
    }
}

/// A demo server's account, shown on the login screen (demo mode only).
#[derive(Debug, Clone, Serialize, TS)]
pub struct DemoAccount {
    pub email: String,
    pub password: String,
    pub role: Role,
}

impl From<api::DemoAccount> for DemoAccount {
    fn from(a: api::DemoAccount) -> Self {
        DemoAccount { email: a.email, password: a.password, role: a.role.into() }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub server_url: String,
    pub user: UserInfo,
}

impl From<&crokodial_client::session::Session> for SessionInfo {
    fn from(s: &crokodial_client::session::Session) -> Self {
        let u = s.user();
        SessionInfo {
            server_url: s.profile.server_url.clone(),
            user: UserInfo { id: u.id.clone(), name: u.name.clone(), email: u.email.clone(), role: u.role.into() },
        }
    }
}

/// One row of the lead list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadRow {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub state: Option<String>,
    pub source: Option<String>,
    pub disposition: Option<String>,
    /// RFC 3339.
    pub received_at: Option<String>,
}

pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl From<&Lead> for LeadRow {
    fn from(l: &Lead) -> Self {
        LeadRow {
            id: l.id.clone(),
            name: l.name.clone(),
            phone: l.phone.clone(),
            state: l.state.clone(),
            source: l.source.map(|s| s.as_str().to_owned()),
            disposition: l.disposition.clone(),
            received_at: l.created_at.map(rfc3339),
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
}

impl From<ListSort> for crokodial_client::cache::SortBy {
    fn from(s: ListSort) -> Self {
        use crokodial_client::cache::SortBy;
        match s {
            ListSort::CreatedAt => SortBy::CreatedAt,
            ListSort::Name => SortBy::Name,
            ListSort::State => SortBy::State,
            ListSort::Disposition => SortBy::Disposition,
        }
    }
}

/// What the list asks `list_leads` for: a window of rows, searched, filtered and sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ListQuery {
    pub search: Option<String>,
    pub state: Option<String>,
    /// A disposition, or "No Disposition".
    pub disposition: Option<String>,
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
}

impl From<crokodial_client::cache::Facets> for ListFacets {
    fn from(f: crokodial_client::cache::Facets) -> Self {
        let values = |v: Vec<(String, u64)>| {
            v.into_iter().map(|(value, n)| FacetValue { value, count: u32::try_from(n).unwrap_or(u32::MAX) }).collect()
        };
        ListFacets {
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
    pub name: String,
    /// A CSS colour, e.g. `#2563eb`.
    pub color: String,
    pub emoji: String,
}

impl From<&crokodial_core::edit::Disposition> for DispositionOption {
    fn from(d: &crokodial_core::edit::Disposition) -> Self {
        DispositionOption { name: d.name.clone(), color: d.color.clone(), emoji: d.emoji.clone() }
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

impl From<&crokodial_client::cache::QueuedEdit> for EditEntry {
    fn from(q: &crokodial_client::cache::QueuedEdit) -> Self {
        use crokodial_client::cache::EditState;
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
    pub phone: Option<String>,
    pub email: Option<String>,
    pub disposition: Option<String>,
    pub notes: Option<String>,
    /// The fields the rep may change besides disposition and notes, with their values.
    pub editable: Vec<EditableField>,
    pub groups: Vec<FieldGroup>,
    /// Newest first.
    pub history: Vec<EditEntry>,
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
pub fn lead_edit(changes: Vec<FieldChange>) -> Result<crokodial_core::edit::LeadEdit, String> {
    changes
        .into_iter()
        .map(|c| match EDITABLE.iter().find(|f| f.as_str() == c.field) {
            Some(f) => Ok((*f, c.value.trim().to_owned())),
            None => Err(format!("{:?} cannot be edited here", c.field)),
        })
        .collect()
}

impl LeadDetail {
    pub fn new(lead: &Lead, history: &[crokodial_client::cache::QueuedEdit]) -> Self {
        LeadDetail {
            id: lead.id.clone(),
            name: lead.name.clone(),
            phone: lead.phone.clone(),
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

impl LeadRow {
    /// A row from a socket event: the whole lead when the server sent it (ours does), else what
    /// the deployed server's event carries.
    pub fn from_notification(n: &NewLeadNotification, now: chrono::DateTime<chrono::Utc>) -> Self {
        if let Some(lead) = &n.lead {
            return LeadRow::from(lead.as_ref());
        }
        LeadRow {
            id: n.lead_id.clone().unwrap_or_default(),
            name: n.name.clone(),
            phone: n.phone.clone(),
            state: None,
            source: n.source.clone(),
            disposition: None,
            received_at: Some(rfc3339(now)),
        }
    }
}

/// Sent with the `lead-received` event.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadEvent {
    pub lead: LeadRow,
    /// A new, fresh lead from a source that alerts, seen for the first time (an update or a
    /// replay is not).
    pub announced: bool,
    /// Why an announced lead made no sound.
    pub hush: Option<AlertHush>,
    /// Why the OS is keeping this lead's notification out of sight (on Windows: a full-screen
    /// app, presentation mode, quiet time), when it tells; the sound still plays.
    pub notification_hidden: Option<String>,
    pub latency: Latency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AlertHush {
    Muted,
    QuietHours,
}

impl From<Hush> for AlertHush {
    fn from(h: Hush) -> Self {
        match h {
            Hush::Muted { .. } => AlertHush::Muted,
            Hush::QuietHours => AlertHush::QuietHours,
        }
    }
}

/// How long a lead took to reach the rep, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    /// The server's own time from webhook to broadcast, when it says (`processMs`).
    pub server_ms: Option<f64>,
    /// From the server receiving the webhook to this app receiving the event. It spans two
    /// clocks, so it is only as good as their agreement (exact on one machine).
    pub delivery_ms: Option<f64>,
    /// From this app receiving the event to the alert sound starting; none when no sound.
    pub sound_ms: Option<f64>,
}

/// The alert settings as the settings screen edits them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertSettings {
    pub sound: AlertSound,
    /// 0 to 100.
    pub volume: u8,
    /// An output device by name; null follows the system default.
    pub device: Option<String>,
    /// Quiet hours ("HH:MM", local time): both set, or both null for none.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    /// RFC 3339; set by the mute command, ignored when saving.
    pub muted_until: Option<String>,
    /// The sources that alert, in the server's spelling ("NextGen", "CSV Import").
    pub sources: Vec<String>,
    pub taskbar_attention: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AlertSound {
    Chime,
    Bell,
    Triple,
}

impl From<Sound> for AlertSound {
    fn from(s: Sound) -> Self {
        match s {
            Sound::Chime => AlertSound::Chime,
            Sound::Bell => AlertSound::Bell,
            Sound::Triple => AlertSound::Triple,
        }
    }
}

impl From<AlertSound> for Sound {
    fn from(s: AlertSound) -> Self {
        match s {
            AlertSound::Chime => Sound::Chime,
            AlertSound::Bell => Sound::Bell,
            AlertSound::Triple => Sound::Triple,
        }
    }
}

impl From<&settings::AlertSettings> for AlertSettings {
    fn from(a: &settings::AlertSettings) -> Self {
        let hhmm = |t: NaiveTime| t.format("%H:%M").to_string();
        AlertSettings {
            sound: a.sound.into(),
            volume: a.volume_percent(),
            device: a.device.clone(),
            quiet_start: a.quiet_hours.map(|q| hhmm(q.start)),
            quiet_end: a.quiet_hours.map(|q| hhmm(q.end)),
            muted_until: a.muted_until.map(rfc3339),
            sources: a.sources.iter().map(|s| s.as_str().to_owned()).collect(),
            taskbar_attention: a.taskbar_attention,
        }
    }
}

impl AlertSettings {
    /// The engine's settings, or what is wrong with these. `muted_until` is kept from `current`.
    pub fn to_engine(&self, current: &settings::AlertSettings) -> Result<settings::AlertSettings, String> {
        let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| format!("{s:?} is not HH:MM"));
        let quiet_hours = match (self.quiet_start.as_deref(), self.quiet_end.as_deref()) {
            (None, None) => None,
            (Some(a), Some(b)) => Some(QuietHours { start: time(a)?, end: time(b)? }),
            _ => return Err("quiet hours need both a start and an end".into()),
        };
        let sources = self
            .sources
            .iter()
            .map(|s| LeadSource::parse(s).ok_or_else(|| format!("{s:?} is not a lead source")))
            .collect::<Result<_, _>>()?;
        Ok(settings::AlertSettings {
            sound: self.sound.into(),
            volume: settings::volume_from_percent(self.volume),
            device: self.device.clone(),
            quiet_hours,
            muted_until: current.muted_until,
            sources,
            taskbar_attention: self.taskbar_attention,
        }
        .clamped())
    }
}

/// The settings screen's alert section: the settings and the choices it offers.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertPanel {
    pub settings: AlertSettings,
    pub sounds: Vec<AlertSound>,
    /// Output devices the system offers, by name.
    pub devices: Vec<String>,
    /// Every lead source, in the server's spelling.
    pub sources: Vec<String>,
    pub audio: AudioHealth,
}

/// Where alerts sound, sent with the `audio-changed` event when an output goes or comes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AudioHealth {
    /// No output could be opened: alerts are silent.
    pub silent: bool,
    /// What the rep should know: why alerts are silent, or that the chosen output is missing and
    /// alerts play on the default one. `None` when all is as chosen.
    pub problem: Option<String>,
}

impl From<&crokodial_client::alert::AudioStatus> for AudioHealth {
    fn from(status: &crokodial_client::alert::AudioStatus) -> Self {
        use crokodial_client::alert::AudioStatus;
        AudioHealth { silent: matches!(status, AudioStatus::NoOutput(_)), problem: status.problem().map(str::to_owned) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionStatus {
    Idle,
    Connecting,
    Live,
    /// Live beside this account's web app, which holds the server's one signed-in socket.
    Shared,
    Offline,
    AuthFailed,
}

/// Sent with the `connection-changed` event.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionState {
    pub status: ConnectionStatus,
    pub detail: Option<String>,
    /// RFC 3339: when the last lead event arrived.
    pub last_event_at: Option<String>,
}

impl ConnectionState {
    pub const IDLE: ConnectionState =
        ConnectionState { status: ConnectionStatus::Idle, detail: None, last_event_at: None };
}

impl From<&EngineState> for ConnectionState {
    fn from(s: &EngineState) -> Self {
        let (status, detail) = match s {
            EngineState::Connecting => (ConnectionStatus::Connecting, None),
            EngineState::Live => (ConnectionStatus::Live, None),
            EngineState::Listening => (
                ConnectionStatus::Shared,
                Some(
                    "this account's web app took the signed-in connection; Crokodial listens beside it, and new leads still ring here"
                        .into(),
                ),
            ),
            EngineState::Offline { reason, .. } => (ConnectionStatus::Offline, Some(reason.clone())),
            EngineState::AuthFailed { reason } => (ConnectionStatus::AuthFailed, Some(reason.clone())),
        };
        ConnectionState { status, detail, last_event_at: None }
    }
}

/// A field a file's column may fill.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportField {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportRow {
    #[ts(type = "number")]
    pub row: u64,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub path: String,
    pub file_name: String,
    /// The vendor recognised ("NextGen Leads", "USHA Marketplace", "GoHighLevel", "Other"); null when the file cannot be leads.
    pub vendor: Option<String>,
    /// Why the file cannot be leads (e.g. an EverQuote transaction report); null otherwise.
    pub not_leads: Option<String>,
    pub headers: Vec<String>,
    /// The first rows of the file, as read.
    pub rows: Vec<ImportRow>,
    /// Per column: the key of the lead field it fills, or null when it is not imported.
    pub mapping: Vec<Option<String>>,
    /// Every field a column may fill, in the order to offer them.
    pub fields: Vec<ImportField>,
    /// The saved mapping in use for these headers, by name.
    pub saved_mapping: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ReasonCount {
    pub reason: String,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    /// Rows read (blank lines not counted).
    #[ts(type = "number")]
    pub rows: u64,
    /// Rows that are leads, those repeating an earlier row included.
    #[ts(type = "number")]
    pub leads: u64,
    /// Rows that repeat an earlier row's lead (the same phone, else email, else vendor id).
    #[ts(type = "number")]
    pub duplicates: u64,
    /// Rows that cannot be imported.
    #[ts(type = "number")]
    pub invalid: u64,
    pub reasons: Vec<ReasonCount>,
    pub encoding: String,
    #[ts(type = "number")]
    pub converted_rows: u64,
    /// Leads (repeats left out) not among the rep's synced leads; null when unknown.
    #[ts(type = "number | null")]
    pub new_leads: Option<u64>,
    /// Leads already among the rep's synced leads, which the import will update; null when unknown.
    #[ts(type = "number | null")]
    pub updates: Option<u64>,
}

impl From<&crokodial_client::import::Checked> for ImportCounts {
    fn from(c: &crokodial_client::import::Checked) -> Self {
        let t = &c.tally;
        ImportCounts {
            rows: t.rows,
            leads: t.leads,
            duplicates: t.duplicates,
            invalid: t.invalid,
            reasons: t.reasons.iter().map(|(reason, &count)| ReasonCount { reason: reason.clone(), count }).collect(),
            encoding: c.encoding.clone(),
            converted_rows: c.converted_rows,
            new_leads: c.new,
            updates: c.updates,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ImportPhase {
    Reading,
    Sending,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub phase: ImportPhase,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
    pub rows_per_second: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub import_id: String,
    /// The tag the batch's leads carry, e.g. "NextGen Leads 2026-12-01".
    pub tag: String,
    /// True when the app is offline: the import is kept and sent when the server is back.
    pub queued: bool,
    pub counts: ImportCounts,
    #[ts(type = "number")]
    pub imported: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Rows that could not be imported, with their reasons, as a CSV file on this computer; null when there were none.
    pub error_file: Option<String>,
}

/// Whether the rep's Textdrip is usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TextdripState {
    Connected,
    NotConnected,
    /// Textdrip refused the kept token: connect again.
    Invalid,
    KeychainUnavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextdripStatus {
    pub state: TextdripState,
    /// What to do, in words, for every state but connected.
    pub detail: Option<String>,
}

impl From<textdrip::Status> for TextdripStatus {
    fn from(s: textdrip::Status) -> Self {
        let (state, detail) = match s {
            textdrip::Status::Connected => (TextdripState::Connected, None),
            textdrip::Status::NotConnected => {
                (TextdripState::NotConnected, Some("Paste your API token from Textdrip's settings to connect.".into()))
            }
            textdrip::Status::Invalid => (
                TextdripState::Invalid,
                Some("Textdrip refused the kept token (revoked or changed). Connect again with a new token.".into()),
            ),
            textdrip::Status::KeychainUnavailable(why) => (TextdripState::KeychainUnavailable, Some(why)),
        };
        TextdripStatus { state, detail }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextdripCampaign {
    pub id: String,
    pub title: String,
}

/// A sender number of the rep's account (its phone token stays in Rust).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextdripSender {
    /// E.164.
    pub phone: String,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextdripContact {
    pub exists: bool,
    #[serde(rename = "optedOut")]
    pub opted_out: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum TextEncoding {
    Gsm7,
    Ucs2,
}

/// A text as it would go to a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TextPreview {
    /// The message with the lead's fields filled in.
    pub text: String,
    #[ts(type = "number")]
    pub chars: u64,
    #[ts(type = "number")]
    pub segments: u64,
    pub encoding: TextEncoding,
    /// Placeholders the lead has no value for, or that are not fields.
    pub missing: Vec<String>,
    /// The lead's phone in E.164; null when it has none Textdrip can text.
    pub to: Option<String>,
    pub sender: Option<String>,
    pub senders: Vec<TextdripSender>,
    /// The lead's local time, e.g. "8:15 PM CST"; null when unknown.
    pub local_time: Option<String>,
    /// Outside 8 AM–9 PM for the lead, or their local time is unknown: sending needs confirmation.
    pub outside_hours: bool,
    /// Textdrip says the lead opted out: no text can go.
    pub opted_out: bool,
}

impl TextPreview {
    pub fn new(c: &textdrip::Compose, phones: &[textdrip::SenderPhone]) -> Self {
        TextPreview {
            text: c.rendered.text.clone(),
            chars: c.length.chars as u64,
            segments: c.length.segments as u64,
            encoding: match c.length.encoding {
                crokodial_core::textdrip::Encoding::Gsm7 => TextEncoding::Gsm7,
                crokodial_core::textdrip::Encoding::Ucs2 => TextEncoding::Ucs2,
            },
            missing: c.rendered.missing.clone(),
            to: c.to.clone(),
            sender: c.sender.and_then(|i| phones.get(i)).map(|p| p.phone.clone()),
            senders: phones.iter().map(|p| TextdripSender { phone: p.phone.clone(), primary: p.primary }).collect(),
            local_time: c.local.as_ref().map(|l| l.display.clone()),
            // Unknown local time asks for the same confirmation.
            outside_hours: c.local.as_ref().is_none_or(|l| !l.within_hours),
            opted_out: c.opted_out,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextSent {
    pub to: String,
    pub sender: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TextTemplate {
    pub name: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LastLead {
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub received_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NextGenInfo {
    pub webhook_url: String,
    pub last_lead: Option<LastLead>,
}

impl From<api::NextGenIntegration> for NextGenInfo {
    fn from(n: api::NextGenIntegration) -> Self {
        NextGenInfo {
            webhook_url: n.webhook_url,
            last_lead: n.last_lead.map(|l| LastLead { id: l.id, name: l.name, received_at: rfc3339(l.received_at) }),
        }
    }
}

/// Shown to an admin on demand, to paste into NextGen's portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NextGenCredentials {
    pub sid: String,
    pub apikey: String,
}

impl From<api::WebhookCredentials> for NextGenCredentials {
    fn from(c: api::WebhookCredentials) -> Self {
        NextGenCredentials { sid: c.sid, apikey: c.apikey }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub invited: bool,
    pub textdrip_connected: bool,
}

impl From<api::TeamMember> for TeamMember {
    fn from(m: api::TeamMember) -> Self {
        TeamMember {
            id: m.id,
            name: m.name,
            email: m.email,
            role: m.role.into(),
            active: m.active,
            invited: m.invited,
            textdrip_connected: m.textdrip_connected,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Invitation {
    pub member: TeamMember,
    /// The one-time code the new user sets a password with; shown once.
    pub code: String,
}

/// How much the log file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl From<settings::LogLevel> for LogLevel {
    fn from(l: settings::LogLevel) -> Self {
        match l {
            settings::LogLevel::Error => LogLevel::Error,
            settings::LogLevel::Warn => LogLevel::Warn,
            settings::LogLevel::Info => LogLevel::Info,
            settings::LogLevel::Debug => LogLevel::Debug,
            settings::LogLevel::Trace => LogLevel::Trace,
        }
    }
}

impl From<LogLevel> for settings::LogLevel {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::Error => settings::LogLevel::Error,
            LogLevel::Warn => settings::LogLevel::Warn,
            LogLevel::Info => settings::LogLevel::Info,
            LogLevel::Debug => settings::LogLevel::Debug,
            LogLevel::Trace => settings::LogLevel::Trace,
        }
    }
}

/// How the app lives on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppSettings {
    /// Start at login, minimised to the tray (the OS's own start-up entry).
    pub start_at_login: bool,
    pub log_level: LogLevel,
    pub check_for_updates: bool,
    /// False in builds for distribution packages (no updater); ignored when saving.
    pub updater_available: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
// Without the updater only `Disabled` is ever said; the type stays whole for the UI.
#[cfg_attr(not(feature = "updater"), allow(dead_code))]
pub enum UpdateState {
    /// No updater in this build, or none configured.
    Disabled,
    Idle,
    Checking,
    UpToDate,
    Downloading,
    /// Downloaded and verified: installed when the rep restarts.
    Ready,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UpdateStatus {
    pub state: UpdateState,
    pub version: Option<String>,
    pub notes: Option<String>,
    /// Why, for failed or disabled.
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{AppError, ErrorCode};

    const BINDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/lib/bindings.ts");
    const HEADER: &str = "// Generated from Rust by the `bindings_are_fresh` test in src-tauri; do not edit by hand.\n";

    fn generated() -> String {
        let mut decls = vec![
            AppError::decl(),
            AppInfo::decl(),
            DispositionOption::decl(),
            EditEntry::decl(),
            EditStatus::decl(),
            EditableField::decl(),
            FieldChange::decl(),
            FacetValue::decl(),
            FieldGroup::decl(),
            FieldRow::decl(),
            LeadDetail::decl(),
            ListFacets::decl(),
            ListQuery::decl(),
            ListSort::decl(),
            SyncStatus::decl(),
            ConnectionState::decl(),
            ConnectionStatus::decl(),
            DemoAccount::decl(),
            ErrorCode::decl(),
            AlertHush::decl(),
            AlertPanel::decl(),
            AudioHealth::decl(),
            AlertSettings::decl(),
            AlertSound::decl(),
            Latency::decl(),
            LeadEvent::decl(),
            LeadList::decl(),
            LeadRow::decl(),
            Role::decl(),
            SessionInfo::decl(),
            UserInfo::decl(),
            ImportField::decl(),
            ImportRow::decl(),
            ImportPreview::decl(),
            ReasonCount::decl(),
            ImportCounts::decl(),
            ImportPhase::decl(),
            ImportProgress::decl(),
            ImportResult::decl(),
            Invitation::decl(),
            LastLead::decl(),
            NextGenCredentials::decl(),
            NextGenInfo::decl(),
            TeamMember::decl(),
            TextEncoding::decl(),
            TextPreview::decl(),
            TextSent::decl(),
            TextTemplate::decl(),
            TextdripCampaign::decl(),
            TextdripContact::decl(),
            TextdripSender::decl(),
            TextdripState::decl(),
            TextdripStatus::decl(),
            AppSettings::decl(),
            LogLevel::decl(),
            UpdateState::decl(),
            UpdateStatus::decl(),
        ];
        decls.sort();
        let body: Vec<String> = decls.iter().map(|d| format!("export {d}\n")).collect();
        format!("{HEADER}\n{}", body.join("\n"))
    }

    /// Fails when ui/src/lib/bindings.ts is not what the Rust types generate.
    /// `UPDATE_BINDINGS=1 cargo test -p crokodial-desktop bindings` rewrites it.
    #[test]
    fn bindings_are_fresh() {
        let want = generated();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(BINDINGS, &want).unwrap();
        }
        let have = std::fs::read_to_string(BINDINGS).unwrap_or_default();
        assert!(have == want, "ui/src/lib/bindings.ts is stale; run with UPDATE_BINDINGS=1.\n--- generated:\n{want}");
    }

    #[test]
    fn only_the_forms_fields_can_be_changed() {
        let change = |field: &str, value: &str| FieldChange { field: field.into(), value: value.into() };
        let edit = lead_edit(vec![change("state", " IL "), change("name", "Rosa Ortega")]).unwrap();
        assert_eq!(edit.get(&EditField::State).map(String::as_str), Some("IL"));
        assert_eq!(edit.len(), 2);
        for bad in ["tenantId", "disposition", "notes", "createdAt"] {
            assert!(lead_edit(vec![change(bad, "x")]).is_err(), "{bad}");
        }
        let detail = LeadDetail::new(&Lead { name: "Rosa".into(), ..Lead::default() }, &[]);
        assert_eq!(detail.editable.len(), 9);
        assert_eq!((detail.editable[0].field.as_str(), detail.editable[0].value.as_str()), ("name", "Rosa"));
    }

    #[test]
    fn rows_from_legacy_events_and_full_leads() {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let legacy = NewLeadNotification {
            lead_id: Some("abc".into()),
            name: "<b>x</b>".into(),
            source: Some("NextGen".into()),
            is_new: true,
            ..Default::default()
        };
        let row = LeadRow::from_notification(&legacy, now);
        assert_eq!(row.id, "abc");
        assert_eq!(row.name, "<b>x</b>");
        assert_eq!(row.received_at.as_deref(), Some("2023-11-14T22:13:20.000Z"));

        let lead = Lead {
            id: "full".into(),
            name: "Ann".into(),
            state: Some("TX".into()),
            created_at: Some(now),
            ..Lead::default()
        };
        let ours = NewLeadNotification { lead: Some(Box::new(lead)), ..legacy };
        let row = LeadRow::from_notification(&ours, now);
        assert_eq!((row.id.as_str(), row.state.as_deref()), ("full", Some("TX")));
    }

    #[test]
    fn alert_settings_round_trip_and_bad_input_is_refused() {
        let engine = settings::AlertSettings {
            sound: Sound::Triple,
            volume: 0.35,
            quiet_hours: QuietHours::parse("21:30-07:00"),
            ..settings::AlertSettings::default()
        };
        let dto = AlertSettings::from(&engine);
        assert_eq!(
            (dto.volume, dto.quiet_start.as_deref(), dto.quiet_end.as_deref()),
            (35, Some("21:30"), Some("07:00"))
        );
        assert_eq!(dto.to_engine(&engine).unwrap(), engine);

        let half = AlertSettings { quiet_end: None, ..dto.clone() };
        assert!(half.to_engine(&engine).unwrap_err().contains("both"));
        let bad_time = AlertSettings { quiet_start: Some("25:00".into()), ..dto.clone() };
        assert!(bad_time.to_engine(&engine).is_err());
        let bad_source = AlertSettings { sources: vec!["Craigslist".into()], ..dto };
        assert!(bad_source.to_engine(&engine).unwrap_err().contains("Craigslist"));
    }

    #[test]
    fn error_codes_cross_as_snake_case() {
        assert_eq!(serde_json::to_value(ErrorCode::KeychainUnavailable).unwrap(), "keychain_unavailable");
        assert_eq!(serde_json::to_value(ConnectionStatus::AuthFailed).unwrap(), "authFailed");
    }
}
