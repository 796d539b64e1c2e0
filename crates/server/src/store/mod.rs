//! Persistence behind a [`Store`] trait. Methods are blocking; async callers go through
//! [`run`], which moves the call onto tokio's blocking pool.

mod migrations;
mod sqlite;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use crokodial_core::api::{DemoAccount, ImportStats, LastLead, LeadQuery, MemberUpdate, Role};
use crokodial_core::calls::{Call, CallReport, DoNotCallEntry};
use crokodial_core::edit::{Disposition, DispositionChange, EditField, LeadEdit};
use crokodial_core::followups::FollowUp;
use crokodial_core::routing::{Claim, Offer, RoutingSettings};
use crokodial_core::Lead;

pub use migrations::{migrations, SCHEMA_VERSION};
pub use sqlite::SqliteStore;

/// A stored user, with its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Empty until an invited user sets a password.
    pub password_hash: String,
    /// A deactivated user cannot log in, and their tokens are refused.
    pub active: bool,
    /// The argon2 hash of an invited user's one-time code, until they accept it.
    pub invite_hash: Option<String>,
    /// When that code was made (it expires after [`INVITE_DAYS`]).
    pub invited_at: Option<chrono::DateTime<chrono::Utc>>,
    pub textdrip_connected: bool,
    /// Takes routed leads (not away).
    pub available: bool,
}

impl UserRecord {
    /// The user as the API shows it.
    pub fn to_api(&self) -> crokodial_core::api::User {
        crokodial_core::api::User {
            id: self.id.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            profile_picture: None,
        }
    }

    /// The user as the admin's team page shows them.
    pub fn to_member(&self) -> crokodial_core::api::TeamMember {
        crokodial_core::api::TeamMember {
            id: self.id.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            active: self.active,
            invited: self.invite_hash.is_some(),
            textdrip_connected: self.textdrip_connected,
        }
    }
}

/// Days an invite code can be used.
pub const INVITE_DAYS: i64 = 7;

impl UserRecord {
    /// An active user who has accepted their invite: routing offers them leads.
    pub fn takes_leads(&self) -> bool {
        self.active && self.invite_hash.is_none()
    }

    /// The one-time code's hash, if this user has a code that can still be used.
    pub fn usable_invite(&self, now: chrono::DateTime<chrono::Utc>) -> Option<&str> {
        let fresh = self.invited_at.is_some_and(|at| now - at < chrono::Duration::days(INVITE_DAYS));
        self.invite_hash.as_deref().filter(|_| self.active && fresh)
    }
}

/// What became of a change to a team member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    Updated(UserRecord),
    NotFound,
    /// It would leave the tenant with no active admin.
    LastAdmin,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error(
        "the database {path} has schema version {found}, newer than this program knows ({known}); \
         use a newer crokodial-server"
    )]
    TooNew { path: String, found: i64, known: i64 },
    #[error("a user with email {0} already exists")]
    EmailTaken(String),
    #[error("no tenant {0}")]
    NoTenant(String),
    #[error("stored document is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("storage task failed: {0}")]
    Task(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

pub use crokodial_core::api::WebhookCredentials;

/// A lead as of one change, with the change's sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub lead: Lead,
    pub seq: u64,
    /// The sequence number the lead was created at: `created_seq > after` means new since `after`.
    pub created_seq: u64,
}

impl Change {
    pub fn is_new_since(&self, after: u64) -> bool {
        self.created_seq > after
    }
}

/// A rep's edit to apply: who made it, and for a queued edit its idempotency key and what the rep
/// saw when making it.
#[derive(Debug, Clone, Copy)]
pub struct EditCommand<'a> {
    pub tenant_id: &'a str,
    pub user_id: &'a str,
    pub lead_id: &'a str,
    pub fields: &'a LeadEdit,
    pub key: Option<&'a str>,
    pub base: Option<&'a LeadEdit>,
}

/// What became of an edit.
#[derive(Debug, Clone, PartialEq)]
pub enum EditOutcome {
    /// Applied: the lead changed and took the tenant's next sequence number.
    Applied(Change),
    /// Nothing to do (the lead already had these values, or this key was applied before).
    Unchanged(Lead),
    /// Some fields were changed by someone else since the rep saw them: nothing applied.
    Conflict {
        fields: Vec<EditField>,
        lead: Lead,
    },
    NotFound,
}

/// A routed lead nobody has claimed yet, and who it is offered to now.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRoute {
    pub tenant_id: String,
    pub lead_id: String,
    /// The lead's source, as stored (e.g. "NextGen").
    pub source: Option<String>,
    pub arrived_at: DateTime<Utc>,
    /// How many times it has moved; a move names the step it moves from, so two cannot race.
    pub step: u32,
    pub offer: Offer,
    /// Reps who had it to themselves, in turn.
    pub tried: Vec<String>,
}

/// How the offers a move ends, ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferEnd {
    /// Its time ran out.
    TimedOut,
    /// The lead went elsewhere before its time (a change of mode or of availability).
    Passed,
}

/// What became of a claim.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimOutcome {
    /// The rep owns it now: the lead changed (owner, claim) and took the next sequence number.
    Claimed(Box<Change>, Claim),
    /// Someone claimed it first.
    Taken(Claim),
    /// It is offered to another rep alone for now.
    OfferedElsewhere(Offer),
    /// The lead exists but was never routed.
    NotRouted,
    NotFound,
}

/// What became of a change of a disposition.
#[derive(Debug, Clone, PartialEq)]
pub enum DispositionEdit {
    Changed(Disposition),
    /// Another disposition of the tenant has that name.
    Duplicate,
    NotFound,
}

/// What became of a call's report.
#[derive(Debug, Clone, PartialEq)]
pub enum CallRecorded {
    /// Kept (or its outcome told), with the lead as it is now, and the leads it changed, each
    /// with its next sequence number: its tally, and with a do-not-call outcome every lead of
    /// the tenant with that phone.
    Kept {
        call: Call,
        lead: Box<Lead>,
        changes: Vec<Change>,
    },
    /// That id is another rep's call.
    NotYours,
    LeadNotFound,
}

/// A routed lead in a period, for the speed report.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteRecord {
    pub source: Option<String>,
    pub arrived_at: DateTime<Utc>,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
}

/// One offer made to a rep in a period, for the speed report.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferRecord {
    pub lead_id: String,
    pub user_id: String,
    pub source: Option<String>,
    /// `claimed`, `timed_out`, `passed`, or `None` while open.
    pub outcome: Option<String>,
}

pub trait Store: Send + Sync + 'static {
    /// Inserts a user; fails with [`StoreError::EmailTaken`] if the email (any case) exists.
    fn insert_user(&self, user: &UserRecord) -> StoreResult<()>;
    /// Looks a user up by email, case-insensitively.
    fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>>;
    fn tenant_exists(&self, tenant_id: &str) -> StoreResult<bool>;
    /// The tenant's users, oldest first.
    fn team(&self, tenant_id: &str) -> StoreResult<Vec<UserRecord>>;
    /// Changes a user's role or active state, in one transaction, unless that would leave the
    /// tenant with no active admin.
    fn update_member(&self, tenant_id: &str, user_id: &str, update: &MemberUpdate) -> StoreResult<MemberChange>;
    /// Sets an invited user's password, if their invite is still `invite_hash` (so a code is
    /// used once). Returns whether it was.
    fn accept_invite(&self, user_id: &str, invite_hash: &str, password_hash: &str) -> StoreResult<bool>;
    /// Gives a tenant's invited user (one who has not accepted) a new code; the old one stops
    /// working. Returns the user, or `None` if there is no such invited user.
    fn renew_invite(&self, tenant_id: &str, user_id: &str, invite_hash: &str) -> StoreResult<Option<UserRecord>>;
    fn set_textdrip_connected(&self, user_id: &str, connected: bool) -> StoreResult<()>;
    /// Changes a user's name, email or password hash (each when given); fails with
    /// [`StoreError::EmailTaken`] for another user's email. Answers the user as now.
    fn update_profile(
        &self,
        user_id: &str,
        name: Option<&str>,
        email: Option<&str>,
        password_hash: Option<&str>,
    ) -> StoreResult<Option<UserRecord>>;

    /// The tenant's credentials, storing `candidate` if it has none yet.
    fn ensure_credentials(&self, tenant_id: &str, candidate: WebhookCredentials) -> StoreResult<WebhookCredentials>;
    /// Replaces the tenant's credentials; the old ones stop working.
    fn replace_credentials(&self, tenant_id: &str, new: &WebhookCredentials) -> StoreResult<()>;
    /// The tenant whose credentials these are.
    fn tenant_by_credentials(&self, sid: &str, apikey: &str) -> StoreResult<Option<String>>;
    /// The tenant's newest lead from `source` (its spelling on the wire, e.g. "NextGen").
    fn last_lead_from(&self, tenant_id: &str, source: &str) -> StoreResult<Option<LastLead>>;

    /// Inserts `lead`, or, if the tenant already has a lead with this vendor key, updates that one
    /// (keeping its id, creation time, assignee, claim and the rep's disposition/notes/status).
    /// Either way the change takes the tenant's next sequence number, and an inserted lead starts
    /// routing with its first offer `route`, all in the same transaction.
    fn upsert_lead(&self, lead: Lead, vendor_key: Option<&str>, route: Option<&Offer>) -> StoreResult<Change>;
    /// Applies `edit` to each stored lead `(tenant, id)`, in one transaction; each lead it changed
    /// takes its tenant's next sequence number. Returns the changes, in sequence order.
    fn edit_leads(
        &self,
        leads: &[(String, String)],
        edit: &mut dyn FnMut(&mut Lead) -> bool,
    ) -> StoreResult<Vec<Change>>;
    /// Applies a rep's edit in one transaction (see [`EditCommand`]): at most once per key, and
    /// only if no field it changes was changed elsewhere since `base`.
    fn edit_lead(&self, edit: EditCommand<'_>) -> StoreResult<EditOutcome>;
    /// Deletes a lead, leaving a tombstone with the tenant's next sequence number. `None`: no such lead.
    fn delete_lead(&self, tenant_id: &str, id: &str) -> StoreResult<Option<u64>>;
    /// Ids of the tenant's leads deleted after sequence number `after`, up to `upto`, oldest first.
    fn deleted_between(&self, tenant_id: &str, after: u64, upto: u64) -> StoreResult<Vec<String>>;
    /// Imports a batch of the tenant's leads in one transaction. Each lead updates the tenant's lead
    /// with the same phone, else email, else vendor lead id ([`Lead::absorb_import`]: filled
    /// fields replace, empty ones never blank), or is inserted as it is. Each lead that changed
    /// takes the tenant's next sequence number. A `batch_id` seen before writes nothing and answers
    /// what it did the first time.
    fn import_leads(&self, tenant_id: &str, leads: Vec<Lead>, batch_id: Option<&str>) -> StoreResult<ImportStats>;
    /// Inserts many leads in one transaction, numbering them in order.
    fn insert_leads(&self, leads: &[Lead]) -> StoreResult<()>;
    /// The tenant's changes after sequence number `after`, oldest first, at most `limit`. A lead
    /// changed several times appears once, with its latest state.
    fn changes_after(&self, tenant_id: &str, after: u64, limit: usize) -> StoreResult<Vec<Change>>;
    /// The tenant's latest sequence number (0 before any lead).
    fn last_seq(&self, tenant_id: &str) -> StoreResult<u64>;
    fn lead(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Lead>>;
    /// The lead as of its latest change, with that change's and its creation's sequence numbers.
    fn latest_change(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Change>>;
    /// One page of the tenant's leads matching `query`, and the total number matching.
    fn query_leads(&self, tenant_id: &str, query: &LeadQuery) -> StoreResult<(Vec<Lead>, u64)>;

    /// Keeps a rep's call on a lead once per id; the same id again (the rep's own) sets its
    /// outcome and note. The lead's tally is counted again from its calls.
    fn record_call(&self, user: &UserRecord, id: &str, report: &CallReport) -> StoreResult<CallRecorded>;
    /// A lead's calls, newest first, with who made them.
    fn calls(&self, tenant_id: &str, lead_id: &str) -> StoreResult<Vec<Call>>;
    /// Writes a rep's follow-up unless the one kept was updated later; answers the one kept.
    /// `None`: no such lead in the tenant.
    fn put_followup(&self, user: &UserRecord, followup: &FollowUp) -> StoreResult<Option<FollowUp>>;
    /// A rep's open follow-ups and those done since `done_since`, by due time (pins last).
    fn followups(&self, user: &UserRecord, done_since: DateTime<Utc>) -> StoreResult<Vec<FollowUp>>;
    /// Deletes a rep's follow-up; false when there was none.
    fn delete_followup(&self, user: &UserRecord, id: &str) -> StoreResult<bool>;
    /// The tenant's dispositions in their order (the defaults, seeded at the first read).
    fn dispositions(&self, tenant_id: &str) -> StoreResult<Vec<Disposition>>;
    /// Adds a disposition last; `None` when the tenant has one of that name.
    fn add_disposition(&self, tenant_id: &str, change: &DispositionChange) -> StoreResult<Option<Disposition>>;
    /// Changes a disposition; `Err(Duplicate)` is a name another has.
    fn change_disposition(&self, tenant_id: &str, id: &str, change: &DispositionChange)
        -> StoreResult<DispositionEdit>;
    fn delete_disposition(&self, tenant_id: &str, id: &str) -> StoreResult<bool>;
    /// The tenant's do-not-call list, newest first.
    fn do_not_call(&self, tenant_id: &str) -> StoreResult<Vec<DoNotCallEntry>>;
    /// Puts `phone` (10 digits) on the user's tenant's list, once, and marks its leads; answers
    /// the leads changed (none when it was listed already).
    fn add_do_not_call(&self, user: &UserRecord, phone: &str) -> StoreResult<Vec<Change>>;
    /// Takes `phone` off the tenant's list and its leads' marks; `None` when it was not listed.
    fn remove_do_not_call(&self, tenant_id: &str, phone: &str) -> StoreResult<Option<Vec<Change>>>;

    /// The tenant's routing (the default until an admin sets one).
    fn routing(&self, tenant_id: &str) -> StoreResult<RoutingSettings>;
    fn set_routing(&self, tenant_id: &str, settings: &RoutingSettings) -> StoreResult<()>;
    /// Sets a user's availability; false if there is no such user in the tenant.
    fn set_available(&self, tenant_id: &str, user_id: &str, available: bool) -> StoreResult<bool>;
    /// Moves an open route from `step` to `offer` (ending its current offers that `offer` does
    /// not keep, as `ended`), in one transaction. `None`: it was claimed, or moved, meanwhile, or
    /// its lead is gone (then the route is closed); else the lead, as it is.
    fn move_route(
        &self,
        route: &OpenRoute,
        offer: &Offer,
        tried: &[String],
        ended: OfferEnd,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Lead>>;
    /// Claims a routed lead for `user`, once: the first claim wins (owner set, offers ended, the
    /// lead changed with the next sequence number), in one transaction.
    fn claim_route(
        &self,
        tenant_id: &str,
        lead_id: &str,
        user: &UserRecord,
        now: DateTime<Utc>,
    ) -> StoreResult<ClaimOutcome>;
    /// Every tenant's open routes of leads arrived after `since`, oldest first.
    fn open_routes(&self, since: DateTime<Utc>) -> StoreResult<Vec<OpenRoute>>;
    /// Offers made to a rep alone since `since`: (user, when), oldest first.
    fn offers_alone_since(&self, tenant_id: &str, since: DateTime<Utc>) -> StoreResult<Vec<(String, DateTime<Utc>)>>;
    /// The leads routed and the offers made in `[since, until)`.
    fn speed_records(
        &self,
        tenant_id: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<(Vec<RouteRecord>, Vec<OfferRecord>)>;

    fn demo_accounts(&self) -> StoreResult<Vec<DemoAccount>>;
    fn insert_demo_account(&self, account: &DemoAccount) -> StoreResult<()>;
}

/// Runs a blocking store call on tokio's blocking pool.
pub async fn run<T, F>(store: &Arc<dyn Store>, f: F) -> StoreResult<T>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> StoreResult<T> + Send + 'static,
{
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || f(store.as_ref())).await.map_err(|e| StoreError::Task(e.to_string()))?
}
