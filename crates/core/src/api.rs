//! HTTP wire types: auth, lead pages, errors, and the `GET /api/leads` query rules.

use serde::{Deserialize, Serialize, Serializer};

use crate::lead::Lead;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }
}

/// A user as the API shows it. Serialises both `_id` and `id`, as the deployed server does.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub email: String,
    pub role: Role,
    #[serde(default)]
    pub profile_picture: Option<String>,
}

impl Serialize for User {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("_id", &self.id)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("name", &self.name)?;
        m.serialize_entry("email", &self.email)?;
        m.serialize_entry("role", &self.role)?;
        if let Some(p) = &self.profile_picture {
            m.serialize_entry("profilePicture", p)?;
        }
        m.end()
    }
}

/// Its `Debug` hides the password.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest").field("email", &self.email).finish_non_exhaustive()
    }
}

/// Its `Debug` hides the token.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub user: User,
}

impl std::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResponse").field("user", &self.user).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyResponse {
    pub valid: bool,
    pub user: User,
}

/// The JWT claims, compatible with the deployed server: HS256, `{_id}` plus the standard times.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "_id")]
    pub id: String,
    pub iat: i64,
    pub exp: i64,
}

/// An error body. The deployed server uses `message` in some places and `error` in others;
/// ours always sends both (`error` a stable short code, `message` for people).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ErrorBody {
    /// The most readable text the server gave.
    pub fn text(&self) -> Option<&str> {
        self.message.as_deref().or(self.error.as_deref())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pagination {
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub limit: u32,
}

/// A page of `GET /api/leads`. Each lead is read on its own, so one odd record never fails the
/// page: what was tolerated is told in `tolerance` (not sent).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "WirePage")]
pub struct LeadsPage {
    pub leads: Vec<Lead>,
    pub pagination: Pagination,
    #[serde(default)]
    pub meta: serde_json::Value,
    #[serde(skip)]
    pub tolerance: Tolerance,
}

/// What reading a page of leads put up with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tolerance {
    /// Records left out, and why (not an object, no `_id`).
    pub refused: Vec<String>,
    /// (lead id, field) of each value a known field could not take; kept with the lead as sent.
    pub set_aside: Vec<(String, String)>,
}

impl Tolerance {
    pub fn is_empty(&self) -> bool {
        self.refused.is_empty() && self.set_aside.is_empty()
    }

    pub fn absorb(&mut self, other: Tolerance) {
        self.refused.extend(other.refused);
        self.set_aside.extend(other.set_aside);
    }
}

#[derive(Deserialize)]
struct WirePage {
    leads: Vec<serde_json::Value>,
    pagination: Pagination,
    #[serde(default)]
    meta: serde_json::Value,
}

impl From<WirePage> for LeadsPage {
    fn from(page: WirePage) -> Self {
        let mut tolerance = Tolerance::default();
        let mut leads = Vec::with_capacity(page.leads.len());
        for record in page.leads {
            let serde_json::Value::Object(doc) = record else {
                tolerance.refused.push(format!("not an object: {}", crate::lead::excerpt(&record)));
                continue;
            };
            let id = doc.get("_id").map(crate::lead::excerpt);
            match Lead::from_wire(doc) {
                Ok(wire) if wire.lead.id.is_empty() => {
                    let id = id.map(|i| format!(" ({i})")).unwrap_or_default();
                    tolerance.refused.push(format!("{}{id}", crate::lead::NotALead::NoId));
                }
                Ok(wire) => {
                    tolerance.set_aside.extend(wire.tolerated.into_iter().map(|f| (wire.lead.id.clone(), f)));
                    leads.push(wire.lead);
                }
                Err(why) => {
                    let id = id.map(|i| format!(" ({i})")).unwrap_or_default();
                    tolerance.refused.push(format!("{why}{id}"));
                }
            }
        }
        LeadsPage { leads, pagination: page.pagination, meta: page.meta, tolerance }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    #[serde(default)]
    pub server: String,
    #[serde(default)]
    pub port: u16,
    #[serde(default)]
    pub uptime: f64,
    #[serde(default)]
    pub timestamp: String,
}

/// A demo account, listed by our server at `GET /api/demo/accounts` in demo mode only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoAccount {
    pub email: String,
    pub password: String,
    pub role: Role,
}

/// What a server can do beyond the deployed server's API (`GET /api/sync/capabilities`; the
/// deployed server has no such route, which says it can do none of it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Capabilities {
    /// `GET /api/sync/leads?after=N`: the tenant's lead changes after sequence number N.
    pub lead_changes: bool,
    /// `authenticate` takes `resumeAfter`, and events carry `seq`.
    pub socket_resume: bool,
    /// `POST /api/sync/edits`: an edit applied once per idempotency key, refused on a conflict.
    pub lead_edits: bool,
    /// `POST /api/import/leads`: a batch of normalised leads, applied once per batch id.
    pub lead_import: bool,
    /// Team lead routing: offers, claims, availability, the speed report (`core::routing`).
    pub lead_routing: bool,
    /// `PUT /api/calls/:id` and `GET /api/calls`: every call attempt and its outcome
    /// (`core::calls`), and a tally on each lead; the do-not-call list (`/api/do-not-call`).
    pub calls: bool,
    /// `/api/followups`: each rep's callbacks and pinned leads (`core::followups`).
    pub followups: bool,
    /// `PUT /api/auth/profile` changes a password safely (with the current one). The deployed
    /// server's locks the user out.
    pub password_change: bool,
}

/// A tenant's NextGen webhook credentials (`GET /api/integrations/nextgen/credentials`). Its
/// `Debug` hides the key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookCredentials {
    pub sid: String,
    /// `apiKey` on the wire (the deployed server's spelling; our earlier servers said `apikey`).
    /// The vendor sends it in its `apikey` header.
    #[serde(rename = "apiKey", alias = "apikey")]
    pub apikey: String,
}

impl std::fmt::Debug for WebhookCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookCredentials").field("sid", &self.sid).field("apikey", &"<redacted>").finish()
    }
}

/// The tenant's NextGen integration without its credentials (ours: `GET /api/integrations/nextgen`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextGenIntegration {
    /// Where NextGen posts leads, as this server was reached.
    pub webhook_url: String,
    /// The newest lead NextGen posted.
    pub last_lead: Option<LastLead>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastLead {
    pub id: String,
    pub name: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// A user of the tenant, as the admin's team page shows them (ours: `GET /api/team`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// A deactivated user cannot log in, and their sessions stop working.
    pub active: bool,
    /// Invited, and has not yet set a password.
    pub invited: bool,
    /// Whether the user has connected their Textdrip account (never the token).
    pub textdrip_connected: bool,
}

/// `POST /api/team/invites`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    pub email: String,
    #[serde(default)]
    pub name: String,
    pub role: Role,
}

/// A new user and the one-time code they set their password with (shown to the admin once).
/// Its `Debug` hides the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub member: TeamMember,
    pub code: String,
}

impl std::fmt::Debug for Invitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invitation").field("member", &self.member).field("code", &"<redacted>").finish()
    }
}

/// `PATCH /api/team/:id`: what to change; an absent field is left as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberUpdate {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// `PUT /api/auth/profile`: what is left out (or empty) is kept. The deployed server stores a
/// `password` sent there hashed twice, locking the user out: the app never sends one to it. Our
/// server takes a new password with the current one. Its `Debug` hides the passwords.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_password: Option<String>,
}

impl std::fmt::Debug for ProfileUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileUpdate")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .finish_non_exhaustive()
    }
}

/// `POST /api/leads` (admins): a lead typed in by hand, for the caller; `source` is "Manual
/// Entry". At least a name, a phone or an email.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewLead {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zipcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl NewLead {
    /// The lead it makes for `owner` (its tenant and assignee), received `now`, its fields
    /// normalised as an import's are; why not, for a field that cannot be read.
    pub fn into_lead(self, id: String, owner: &str, now: chrono::DateTime<chrono::Utc>) -> Result<crate::Lead, String> {
        use crate::import::normalize;
        let text = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let (first, last) = (text(self.first_name), text(self.last_name));
        let phone = match text(self.phone) {
            Some(p) => normalize::phone(&p).map_err(|e| e.to_string())?.map(normalize::Phone::stored),
            None => None,
        };
        let email = match text(self.email) {
            Some(e) => normalize::email(&e).map_err(|e| e.to_string())?,
            None => None,
        };
        let state = match text(self.state) {
            Some(s) => normalize::state(&s).map_err(|e| e.to_string())?.map(str::to_owned),
            None => None,
        };
        let zipcode = match text(self.zipcode) {
            Some(z) => normalize::zip(&z).map_err(|e| e.to_string())?,
            None => None,
        };
        let name = text(self.name).unwrap_or_else(|| crate::lead::full_name(first.as_deref(), last.as_deref()));
        if name.is_empty() && phone.is_none() && email.is_none() {
            return Err("a new lead needs a name, a phone or an email".into());
        }
        Ok(crate::Lead {
            id,
            tenant_id: Some(owner.to_owned()),
            assigned_to: Some(owner.to_owned()),
            name: if name.is_empty() { phone.clone().or_else(|| email.clone()).unwrap_or_default() } else { name },
            first_name: first,
            last_name: last,
            phone,
            email,
            state,
            zipcode,
            notes: text(self.notes),
            status: Some("New".into()),
            source: Some(crate::LeadSource::ManualEntry),
            created_at: Some(now),
            updated_at: Some(now),
            ..crate::Lead::default()
        })
    }
}

/// `POST /api/auth/accept-invite`: sets the invited user's password; answers as a login does.
/// Its `Debug` hides the code and the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptInvite {
    pub email: String,
    pub code: String,
    pub password: String,
}

impl std::fmt::Debug for AcceptInvite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcceptInvite").field("email", &self.email).finish_non_exhaustive()
    }
}

/// Shortest password a user may set.
pub const PASSWORD_MIN: usize = 8;

/// `PUT /api/integrations/textdrip`: the caller's own Textdrip connection state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextdripConnection {
    pub connected: bool,
}

/// Most leads in one [`ImportBatch`].
pub const IMPORT_BATCH_MAX: usize = 2000;

/// `POST /api/import/leads` (ours): one batch of an import, normalised by the client. A batch id
/// seen before answers what it did the first time, so a resent batch changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportBatch {
    pub batch_id: String,
    pub leads: Vec<Lead>,
}

/// What an import did on the server: each lead is new, or updated an existing lead of the tenant
/// with the same phone (else email), or changed nothing there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImportStats {
    pub imported: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl std::ops::AddAssign for ImportStats {
    fn add_assign(&mut self, o: Self) {
        self.imported += o.imported;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
    }
}

/// `POST /api/csv-upload`'s answer: the contract's `success`, `vendor` and `stats`, and ours
/// beside them (rows skipped, with their row numbers and reasons).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvUploadAnswer {
    pub success: bool,
    pub vendor: String,
    pub stats: CsvUploadStats,
    #[serde(default)]
    pub unchanged: u64,
    /// Rows that repeat an earlier row of the file (one lead).
    #[serde(default)]
    pub duplicates: u64,
    /// Rows not imported.
    #[serde(default)]
    pub skipped: u64,
    /// The skipped rows' numbers and reasons (the first [`CSV_ERRORS_MAX`]).
    #[serde(default)]
    pub errors: Vec<RowError>,
}

/// Most skipped rows an upload's answer lists.
pub const CSV_ERRORS_MAX: usize = 1000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvUploadStats {
    pub imported: u64,
    pub updated: u64,
    /// Rows read.
    pub processed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: u64,
    pub reasons: Vec<String>,
}

/// One lead as of one change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadChange {
    pub seq: u64,
    pub lead: Lead,
}

/// `GET /api/sync/leads?after=N&limit=M`: the tenant's changes after N, oldest first; a lead
/// changed several times appears once, as it is now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadChanges {
    pub changes: Vec<LeadChange>,
    /// Ids of leads deleted after N.
    #[serde(default)]
    pub deleted: Vec<String>,
    /// Where the next request starts: the last change's sequence number (N if there were none).
    pub cursor: u64,
    /// Whether more changes follow this page.
    pub more: bool,
}

/// The NextGen webhook's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAck {
    pub success: bool,
    pub lead_id: String,
    pub message: String,
    pub is_new: bool,
    pub process_ms: f64,
}

pub use query::{LeadQuery, QueryError, SortBy, SortDirection, NO_DISPOSITION};

pub mod query {
    use std::fmt;

    /// `sortBy` values the API accepts.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum SortBy {
        #[default]
        CreatedAt,
        Name,
        Email,
        Phone,
        State,
        Disposition,
        TimeZone,
    }

    impl SortBy {
        const ALL: [SortBy; 7] =
            [Self::CreatedAt, Self::Name, Self::Email, Self::Phone, Self::State, Self::Disposition, Self::TimeZone];

        pub fn as_str(self) -> &'static str {
            match self {
                Self::CreatedAt => "createdAt",
                Self::Name => "name",
                Self::Email => "email",
                Self::Phone => "phone",
                Self::State => "state",
                Self::Disposition => "disposition",
                Self::TimeZone => "timeZone",
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum SortDirection {
        Asc,
        #[default]
        Desc,
    }

    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MIN_LIMIT: u32 = 10;
    pub const MAX_LIMIT: u32 = 100;
    pub const MAX_ALL_RESULTS: u32 = 10_000;

    /// The dispositions value that matches a lead with no disposition.
    pub const NO_DISPOSITION: &str = "No Disposition";

    /// A validated `GET /api/leads` query.
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct LeadQuery {
        pub search: Option<String>,
        pub states: Vec<String>,
        pub dispositions: Vec<String>,
        pub sources: Vec<String>,
        pub pipeline_source: Option<String>,
        pub sort_by: SortBy,
        pub sort_direction: SortDirection,
        pub page: u32,
        /// Requested page size; see [`LeadQuery::effective_limit`].
        pub limit: Option<u32>,
        pub request_id: Option<String>,
        pub get_all_results: bool,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum QueryError {
        UnknownKey(String),
        BadValue { key: &'static str, value: String },
    }

    impl fmt::Display for QueryError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                QueryError::UnknownKey(k) => write!(f, "Invalid query parameter: {k}"),
                QueryError::BadValue { key, value } => write!(f, "Invalid value for {key}: {value}"),
            }
        }
    }

    impl std::error::Error for QueryError {}

    const PIPELINE_SOURCES: [&str; 7] = ["nextgen", "marketplace", "selfgen", "csv", "manual", "usha", "all"];

    impl LeadQuery {
        /// Parses decoded query pairs. Lists may be comma-separated or repeated keys.
        pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, QueryError> {
            let mut q = LeadQuery { page: 1, ..Self::default() };
            for (key, value) in pairs {
                let bad = |key: &'static str| QueryError::BadValue { key, value: value.to_owned() };
                let list = |out: &mut Vec<String>| {
                    out.extend(value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned))
                };
                match key {
                    "search" => q.search = Some(value.trim().to_owned()).filter(|s| !s.is_empty()),
                    "states" => list(&mut q.states),
                    "dispositions" => list(&mut q.dispositions),
                    "sources" => list(&mut q.sources),
                    "pipelineSource" => {
                        let v = value.to_ascii_lowercase();
                        if !PIPELINE_SOURCES.contains(&v.as_str()) {
                            return Err(bad("pipelineSource"));
                        }
                        q.pipeline_source = Some(v).filter(|v| v != "all");
                    }
                    "sortBy" => {
                        q.sort_by =
                            SortBy::ALL.into_iter().find(|s| s.as_str() == value).ok_or_else(|| bad("sortBy"))?
                    }
                    "sortDirection" => {
                        q.sort_direction = match value {
                            "asc" => SortDirection::Asc,
                            "desc" => SortDirection::Desc,
                            _ => return Err(bad("sortDirection")),
                        }
                    }
                    "page" => q.page = value.parse::<u32>().map_err(|_| bad("page"))?.max(1),
                    "limit" => q.limit = Some(value.parse().map_err(|_| bad("limit"))?),
                    "requestId" => q.request_id = Some(value.to_owned()),
                    "getAllResults" => q.get_all_results = value == "true",
                    "format" => {}
                    other => return Err(QueryError::UnknownKey(other.to_owned())),
                }
            }
            Ok(q)
        }

        /// The page size after the API's clamping rules.
        pub fn effective_limit(&self) -> u32 {
            let max = if self.get_all_results { MAX_ALL_RESULTS } else { MAX_LIMIT };
            self.limit.unwrap_or(DEFAULT_LIMIT).clamp(MIN_LIMIT, max)
        }

        /// Query pairs to send, the inverse of [`LeadQuery::from_pairs`].
        pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
            let mut out = Vec::new();
            if let Some(s) = &self.search {
                out.push(("search", s.clone()));
            }
            for (key, list) in
                [("states", &self.states), ("dispositions", &self.dispositions), ("sources", &self.sources)]
            {
                out.extend(list.iter().map(|v| (key, v.clone())));
            }
            if let Some(p) = &self.pipeline_source {
                out.push(("pipelineSource", p.clone()));
            }
            if self.sort_by != SortBy::default() {
                out.push(("sortBy", self.sort_by.as_str().to_owned()));
            }
            if self.sort_direction == SortDirection::Asc {
                out.push(("sortDirection", "asc".to_owned()));
            }
            if self.page > 1 {
                out.push(("page", self.page.to_string()));
            }
            if let Some(l) = self.limit {
                out.push(("limit", l.to_string()));
            }
            if let Some(r) = &self.request_id {
                out.push(("requestId", r.clone()));
            }
            if self.get_all_results {
                out.push(("getAllResults", "true".to_owned()));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_printed() {
        let creds = WebhookCredentials { sid: "sid_1".into(), apikey: "key_secret".into() };
        let login = LoginRequest { email: "a@b.co".into(), password: "hunter2".into() };
        let session = LoginResponse {
            token: "jwt.secret".into(),
            user: User {
                id: "u".into(),
                name: "".into(),
                email: "a@b.co".into(),
                role: Role::User,
                profile_picture: None,
            },
        };
        let accept = AcceptInvite { email: "a@b.co".into(), code: "ABCD-EFGH-JKMN".into(), password: "hunter2".into() };
        let member = TeamMember {
            id: "u".into(),
            name: "".into(),
            email: "a@b.co".into(),
            role: Role::User,
            active: true,
            invited: true,
            textdrip_connected: false,
        };
        let invitation = Invitation { member, code: "ABCD-EFGH-JKMN".into() };
        let printed = format!("{creds:?} {login:?} {session:?} {accept:?} {invitation:?}");
        for secret in ["key_secret", "hunter2", "jwt.secret", "ABCD"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("sid_1") && printed.contains("a@b.co"));
    }

    #[test]
    fn user_serialises_both_ids_and_reads_either_shape() {
        let u = User {
            id: "abc".into(),
            name: "A".into(),
            email: "a@b.co".into(),
            role: Role::Admin,
            profile_picture: None,
        };
        let v = serde_json::to_value(&u).unwrap();
        assert_eq!(v["_id"], "abc");
        assert_eq!(v["id"], "abc");
        assert_eq!(serde_json::from_value::<User>(v).unwrap(), u);
    }

    #[test]
    fn query_rejects_unknown_keys() {
        let err = LeadQuery::from_pairs([("search", "x"), ("$where", "1")]).unwrap_err();
        assert_eq!(err.to_string(), "Invalid query parameter: $where");
    }

    #[test]
    fn query_lists_and_clamps() {
        let q =
            LeadQuery::from_pairs([("states", "TX, FL"), ("states", "CA"), ("limit", "1000"), ("page", "0")]).unwrap();
        assert_eq!(q.states, ["TX", "FL", "CA"]);
        assert_eq!(q.effective_limit(), 100);
        assert_eq!(q.page, 1);
        let q = LeadQuery::from_pairs([("limit", "3")]).unwrap();
        assert_eq!(q.effective_limit(), 10);
        let q = LeadQuery::from_pairs([("limit", "5000"), ("getAllResults", "true")]).unwrap();
        assert_eq!(q.effective_limit(), 5000);
        assert_eq!(LeadQuery::from_pairs([]).unwrap().effective_limit(), 50);
    }

    #[test]
    fn query_rejects_bad_values() {
        assert!(LeadQuery::from_pairs([("sortBy", "password")]).is_err());
        assert!(LeadQuery::from_pairs([("sortDirection", "up")]).is_err());
        assert!(LeadQuery::from_pairs([("limit", "ten")]).is_err());
        assert!(LeadQuery::from_pairs([("pipelineSource", "spam")]).is_err());
    }

    #[test]
    fn query_round_trips_through_pairs() {
        let q = LeadQuery::from_pairs([
            ("search", "ann"),
            ("states", "TX"),
            ("sortBy", "name"),
            ("sortDirection", "asc"),
            ("page", "2"),
            ("limit", "20"),
        ])
        .unwrap();
        let pairs = q.to_pairs();
        let back = LeadQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
        assert_eq!(back, q);
    }
}
