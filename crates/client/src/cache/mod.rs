//! The local lead cache: one SQLite file per account and server, so the rep's book is at hand
//! with no connection. Each lead is kept whole, as the server sent it (`lead_docs`), apart from the
//! narrow rows the list filters and sorts on (`leads`), with a full-text index over name, phone
//! digits, email and city (`leads_fts`). A lead's key is its received time, so the newest come
//! first in the table's own order (see [`V4`]).
//!
//! Phone digits are indexed whole and as the runs reps type: without the country code, without
//! the area code, the last four ("13125550199 3125550199 5550199 0199"), so a prefix query finds
//! "312 555", "555 01" or "0199".

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use crokodial_core::api::LeadChange;
use crokodial_core::edit::{self, EditError, EditField, LeadEdit};
use crokodial_core::lead::WIRE_KEYS;
use crokodial_core::{parse_rfc3339, rfc3339, Lead, LeadSource};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};
use rusqlite_migration::{Migrations, M};

use crate::home::Home;

mod calls;
mod followups;
mod handle;
mod imports;
pub use calls::{CallCount, CallError, CallState, QueuedCall};
pub use followups::{FollowUpChange, FollowUpError};
pub use handle::CacheHandle;
pub use imports::{ImportBatchToSend, ImportState, QueuedImport};

/// Schema steps, tracked in SQLite's `user_version`. Append only: never edit a shipped step.
const V1: &str = r#"
-- The list's columns, narrow so a search's matches sort fast; the whole lead is in lead_docs.
CREATE TABLE leads (
    key          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL DEFAULT '',
    phone_digits TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL DEFAULT '',
    state        TEXT,
    source       TEXT,
    disposition  TEXT,
    created_at   TEXT,
    updated_at   TEXT,
    -- Sync metadata: the server's sequence number of this version (ours; none from the deployed
    -- server), and when this copy arrived.
    server_seq   INTEGER,
    synced_at    TEXT NOT NULL
);
-- Each lead whole, as the server sent it (JSON without its empty fields).
CREATE TABLE lead_docs (
    key INTEGER PRIMARY KEY REFERENCES leads (key) ON DELETE CASCADE,
    doc TEXT NOT NULL
);
CREATE INDEX leads_created ON leads (created_at DESC, id);
CREATE INDEX leads_state ON leads (state);
CREATE INDEX leads_disposition ON leads (disposition);

CREATE VIRTUAL TABLE leads_fts USING fts5 (
    name, phone_digits, email, city,
    content = 'leads', content_rowid = 'key',
    tokenize = "unicode61 remove_diacritics 2"
);
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts (rowid, name, phone_digits, email, city)
    VALUES (new.key, new.name, new.phone_digits, new.email, new.city);
END;
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, name, phone_digits, email, city)
    VALUES ('delete', old.key, old.name, old.phone_digits, old.email, old.city);
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, name, phone_digits, email, city)
    VALUES ('delete', old.key, old.name, old.phone_digits, old.email, old.city);
    INSERT INTO leads_fts (rowid, name, phone_digits, email, city)
    VALUES (new.key, new.name, new.phone_digits, new.email, new.city);
END;

-- Small facts about the sync: its cursor, when it last succeeded.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
"#;

/// The outbox: the rep's edits in the order made, replayed to the server in that order, each
/// with its idempotency key, and kept afterwards as the lead's history with its sync state.
const V2: &str = r#"
CREATE TABLE outbox (
    op      INTEGER PRIMARY KEY,
    key     TEXT NOT NULL UNIQUE,
    lead_id TEXT NOT NULL,
    fields  TEXT NOT NULL,
    base    TEXT NOT NULL,
    made_at TEXT NOT NULL,
    state   TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'synced', 'conflict', 'failed')),
    detail  TEXT,
    done_at TEXT
);
CREATE INDEX outbox_lead ON outbox (lead_id, op);
CREATE INDEX outbox_state ON outbox (state, op);
"#;

/// Filters on state or disposition read the list rows in received order (the first page is
/// found long before a scan would end); their indexes cost about a quarter of a whole book's
/// write time.
const V3: &str = r#"
DROP INDEX leads_state;
DROP INDEX leads_disposition;
"#;

/// The list rows keep only what the list filters and sorts on, and a lead's key is its received
/// time (milliseconds << 4, plus its arrival within that millisecond), so the table's own order
/// is the list's default order: the newest page, a received-date range and a search's newest
/// matches are read in key order, with no index of their own and no sort.
///
/// The documents keep the order they were stored in, so their table grows at its end whatever
/// order the leads arrive in: the deployed server sends the newest first, which written in key
/// order left the file 4.2 times the size of the leads as CSV instead of 2.4.
///
/// The search index keeps its own terms (contentless), written by the cache, not by triggers: a
/// trigger's statement makes FTS5 write its pending terms out for every lead (a first sync of
/// 100,000 leads spent a third of its time there).
const V4: &str = r#"
DROP TRIGGER leads_fts_insert;
DROP TRIGGER leads_fts_update;
DROP TRIGGER leads_fts_delete;
DROP INDEX leads_created;
ALTER TABLE leads RENAME TO old_leads;
ALTER TABLE lead_docs RENAME TO old_docs;

CREATE TABLE lead_docs (
    key INTEGER PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE TABLE leads (
    key         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL DEFAULT '',
    state       TEXT,
    source      TEXT,
    disposition TEXT,
    -- The server's sequence number of this version (ours; none from the deployed server).
    server_seq  INTEGER,
    -- Its document's key. (No foreign key: its check on removing a document would scan leads
    -- without an index of its own; the cache writes and removes both together.)
    doc         INTEGER NOT NULL
);
-- In received order, each key is its millisecond's first (ms << 4) or, when that is taken, the
-- one after the key before it.
CREATE TEMP TABLE rekey AS
    SELECT old, n + max((ms << 4) - n) OVER (ORDER BY ms, old ROWS UNBOUNDED PRECEDING) AS new
    FROM (SELECT key AS old, ms, row_number() OVER (ORDER BY ms, key) AS n
          FROM (SELECT key, max(0, coalesce(CAST(round((julianday(created_at) - 2440587.5) * 86400000.0) AS INTEGER), 0)) AS ms
                FROM old_leads));
INSERT INTO lead_docs (key, doc) SELECT key, doc FROM old_docs;
INSERT INTO leads (key, id, name, state, source, disposition, server_seq, doc)
    SELECT r.new, o.id, o.name, o.state, o.source, o.disposition, o.server_seq, o.key
    FROM old_leads o JOIN rekey r ON r.old = o.key;

DROP TABLE leads_fts;
CREATE VIRTUAL TABLE leads_fts USING fts5 (
    name, phone_digits, email, city,
    content = '', contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 2"
);
INSERT INTO leads_fts (rowid, name, phone_digits, email, city)
    SELECT r.new, o.name, o.phone_digits, o.email, o.city FROM old_leads o JOIN rekey r ON r.old = o.key;

DROP TABLE old_docs;
DROP TABLE old_leads;
DROP TABLE rekey;
"#;

/// Lead files waiting to be sent: each batch of normalised leads is kept until the server took
/// it, so an import made offline, or cut off, is sent later without being read again.
const V5: &str = r#"
CREATE TABLE imports (
    id        TEXT PRIMARY KEY NOT NULL,
    tag       TEXT NOT NULL,
    file      TEXT NOT NULL,
    made_at   TEXT NOT NULL,
    state     TEXT NOT NULL DEFAULT 'reading'
              CHECK (state IN ('reading', 'pending', 'sent', 'cancelled', 'failed')),
    leads     INTEGER NOT NULL DEFAULT 0,
    sent      INTEGER NOT NULL DEFAULT 0,
    imported  INTEGER NOT NULL DEFAULT 0,
    updated   INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    detail    TEXT
);
CREATE TABLE import_batches (
    import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,
    leads     TEXT NOT NULL,
    PRIMARY KEY (import_id, idx)
) WITHOUT ROWID;
-- The import that last brought the lead (its tag), for the list's filter.
ALTER TABLE leads ADD COLUMN batch TEXT;
"#;

/// How often the server failed an edit it may still take (a 5xx): after a few, it is failed.
const V6: &str = r#"
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
"#;

/// The rep's calls, kept here first and sent by the sync (see `calls.rs`), and the deployed
/// server's counts of the rep's dials per phone.
const V7: &str = r#"
CREATE TABLE calls (
    id      TEXT PRIMARY KEY NOT NULL,
    lead_id TEXT NOT NULL,
    phone   TEXT NOT NULL,
    at      TEXT NOT NULL,
    outcome TEXT,
    note    TEXT,
    rev     INTEGER NOT NULL DEFAULT 0,
    counted INTEGER NOT NULL DEFAULT 0,
    state   TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'synced', 'failed')),
    detail  TEXT
);
CREATE INDEX calls_lead ON calls (lead_id, at);
CREATE INDEX calls_at ON calls (at);
CREATE INDEX calls_pending ON calls (state) WHERE state = 'pending';
CREATE TABLE dial_counts (
    phone TEXT PRIMARY KEY NOT NULL,
    count INTEGER NOT NULL
) WITHOUT ROWID;
"#;

/// The rep's follow-ups: callbacks and pinned leads (see `followups.rs`).
const V8: &str = r#"
CREATE TABLE followups (
    id          TEXT PRIMARY KEY NOT NULL,
    lead_id     TEXT NOT NULL,
    due         TEXT,
    note        TEXT,
    done_at     TEXT,
    updated_at  TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'synced', 'deleted')),
    alerted_for TEXT
);
CREATE INDEX followups_due ON followups (due) WHERE done_at IS NULL;
"#;

/// Each lead's time zone and how far east it is (its winter UTC offset in minutes), for the
/// time-zone filter, East→West order and "callable now". Rows cached before are filled in by
/// [`LeadCache::open_at`] (the zone is worked out in Rust).
///
/// And the notes a rep is typing, kept as they type so a crash or a closed window loses none.
const V9: &str = r#"
ALTER TABLE leads ADD COLUMN zone TEXT;
ALTER TABLE leads ADD COLUMN east INTEGER;
CREATE TABLE note_drafts (
    lead_id TEXT PRIMARY KEY NOT NULL,
    text    TEXT NOT NULL,
    at      TEXT NOT NULL
);
"#;

/// The state whose calling law applies to each lead (its own, else its ZIP code's or area
/// code's), for "callable now"; filled in by [`LeadCache::open_at`] as schema 9's zones were.
const V10: &str = r#"
ALTER TABLE leads ADD COLUMN law_state TEXT;
"#;

const STEPS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10];

fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("the lead cache failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the lead cache could not be upgraded: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error(
        "the lead cache {path} was written by a newer Crokodial (schema {found}, this one knows {known}); \
         update the app, or delete the file to download the leads again"
    )]
    TooNew { path: String, found: i64, known: i64 },
    #[error("a cached lead is damaged: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("cannot create the cache folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("lead {0} is not in the local cache; sync first")]
    NotCached(String),
    #[error("no such edit of this lead")]
    NoSuchEdit,
    #[error("the local list cannot be sorted by {0}")]
    Unsorted(&'static str),
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Call(#[from] CallError),
    #[error(transparent)]
    FollowUp(#[from] FollowUpError),
}

/// Where a queued edit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EditState {
    /// Kept here, shown at once, not yet accepted by the server.
    Pending,
    Synced,
    /// A field it changes was changed elsewhere meanwhile: not applied; `detail` says what is there now.
    Conflict,
    /// The server refused it (the lead is gone, a value is invalid): `detail` says why.
    Failed,
}

impl EditState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Synced => "synced",
            Self::Conflict => "conflict",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "synced" => Self::Synced,
            "conflict" => Self::Conflict,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// One edit of the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedEdit {
    /// Its place in the replay order.
    pub op: i64,
    /// The idempotency key the server sees.
    pub key: String,
    pub lead_id: String,
    pub fields: LeadEdit,
    /// The values the rep saw when making it.
    pub base: LeadEdit,
    pub made_at: DateTime<Utc>,
    pub state: EditState,
    pub detail: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

/// What became of a queued edit on the server.
#[derive(Debug, Clone, PartialEq)]
pub enum EditResult {
    /// Applied (or found applied before); with the lead as the server has it now.
    Synced(Lead),
    /// Changed elsewhere meanwhile; with the lead as the server has it now.
    Conflict { fields: Vec<EditField>, lead: Lead },
    /// Refused for good, with the reason.
    Failed(String),
}

/// How many edits of the outbox are in each state that needs attention.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutboxCounts {
    pub pending: u64,
    pub conflict: u64,
    pub failed: u64,
}

/// One page of the cached list, narrowed by a search and filters, in the order asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheQuery {
    pub search: Option<String>,
    /// Two-letter states, any of them (none: every state).
    pub states: Vec<String>,
    /// Dispositions, any of them; [`NO_DISPOSITION`] matches leads without one.
    pub dispositions: Vec<String>,
    /// IANA time zones, any of them.
    pub zones: Vec<String>,
    /// Only the leads that may be called at this instant (in their state's hours, in their zone).
    pub callable_at: Option<DateTime<Utc>>,
    pub source: Option<LeadSource>,
    /// The tag of the import that brought the leads.
    pub batch: Option<String>,
    /// Received at or after.
    pub received_from: Option<DateTime<Utc>>,
    /// Received before.
    pub received_before: Option<DateTime<Utc>>,
    pub sort: SortBy,
    /// Ascending instead of the default descending.
    pub ascending: bool,
    pub limit: u32,
    pub offset: u32,
}

pub use crokodial_core::api::{SortBy, NO_DISPOSITION};

/// The column a list order reads; the cache keeps columns for the orders the list offers.
fn order_column(sort: SortBy) -> Result<&'static str, CacheError> {
    Ok(match sort {
        SortBy::CreatedAt => "l.key",
        SortBy::Name => "l.name COLLATE NOCASE",
        SortBy::State => "l.state",
        SortBy::Disposition => "l.disposition COLLATE NOCASE",
        // Descending (the default) is East to West.
        SortBy::TimeZone => "l.east",
        SortBy::Email | SortBy::Phone => return Err(CacheError::Unsorted(sort.as_str())),
    })
}

/// The values the list can be filtered on, with how many leads have each.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Facets {
    pub states: Vec<(String, u64)>,
    pub dispositions: Vec<(String, u64)>,
    pub sources: Vec<(String, u64)>,
    /// Imports, by tag.
    pub batches: Vec<(String, u64)>,
    /// IANA time zones, East to West.
    pub zones: Vec<(String, u64)>,
}

pub struct LeadCache {
    conn: Connection,
}

impl LeadCache {
    /// The cache file of `user_id` on `server_url`, under the profile directory.
    pub fn path_for(home: &Home, server_url: &str, user_id: &str) -> PathBuf {
        let safe = |s: &str| s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect::<String>();
        home.dir().join("cache").join(format!("{}--{}.sqlite", safe(server_url), safe(user_id)))
    }

    /// Opens (creating and migrating) the cache of `user_id` on `server_url`.
    pub fn open(home: &Home, server_url: &str, user_id: &str) -> Result<Self, CacheError> {
        Self::open_at(&Self::path_for(home, server_url, user_id))
    }

    pub fn open_at(path: &Path) -> Result<Self, CacheError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|source| CacheError::Folder { path: dir.display().to_string(), source })?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A whole book's indexes outgrow SQLite's default 2 MB page cache. Measured with 50,000
        // leads: storing them 8.6 → 7.9 s, a surname search's p95 13.9 → 11.4 ms.
        conn.pragma_update(None, "cache_size", -32 * 1024)?;
        conn.pragma_update(None, "mmap_size", 256 * 1024 * 1024)?;
        // A first sync writes the whole book: checkpoint every 40 MB of WAL rather than every 4,
        // so pages written by many transactions are copied once (storing 100,000 leads: 17.6 →
        // 14.9 s); the WAL is cut back afterwards.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        conn.pragma_update(None, "journal_size_limit", 16 * 1024 * 1024)?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(CacheError::TooNew { path: path.display().to_string(), found, known: SCHEMA_VERSION });
        }
        migrations().to_latest(&mut conn)?;
        let mut cache = LeadCache { conn };
        cache.fill_zones()?;
        Ok(cache)
    }

    /// Stores `leads` (new or newer copies), in one transaction. `seq`: the server's sequence
    /// number of these versions, when it tells.
    pub fn upsert(&mut self, leads: &[Lead], seq: Option<u64>) -> Result<(), CacheError> {
        self.store(leads.iter().map(|l| (l, seq)))
    }

    /// Stores changes from our server, each with its sequence number, in one transaction.
    pub fn upsert_changes(&mut self, changes: &[LeadChange]) -> Result<(), CacheError> {
        self.store(changes.iter().map(|c| (&c.lead, Some(c.seq))))
    }

    fn store<'a>(&mut self, leads: impl Iterator<Item = (&'a Lead, Option<u64>)>) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        store_server_copies(&tx, leads)?;
        tx.commit()?;
        Ok(())
    }

    /// Lays notes written elsewhere (the socket's `LEAD_NOTES_UPDATED`) over the cached lead;
    /// the rep's edits not yet sent stay over them. False when the lead is not cached.
    pub fn set_notes(&mut self, lead_id: &str, notes: &str) -> Result<bool, CacheError> {
        let tx = self.conn.transaction()?;
        let found: Option<(String, Option<i64>)> = tx
            .query_row(
                "SELECT d.doc, l.server_seq FROM leads l JOIN lead_docs d ON d.key = l.doc WHERE l.id = ?1",
                [lead_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((doc, seq)) = found else { return Ok(false) };
        let mut lead = decode_doc(&doc)?;
        lead.notes = (!notes.is_empty()).then(|| notes.to_owned());
        store_server_copies(&tx, std::iter::once((&lead, seq.map(|s| s as u64))))?;
        tx.commit()?;
        Ok(true)
    }

    /// The ids of every cached lead.
    pub fn ids(&self) -> Result<Vec<String>, CacheError> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM leads")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// Forgets leads the server deleted.
    pub fn remove(&mut self, ids: &[String]) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        for id in ids {
            let key: Option<i64> =
                tx.query_row("SELECT key FROM leads WHERE id = ?1", [id], |r| r.get(0)).optional()?;
            if let Some(key) = key {
                forget(&tx, key)?;
            }
            // Nobody is called back about a lead that is gone (the server forgets them too).
            tx.prepare_cached("DELETE FROM followups WHERE lead_id = ?1")?.execute([id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Rewrites the file with full pages. Leads stored newest first (a first sync from the
    /// deployed server) leave the list rows' pages part empty.
    pub fn compact(&mut self) -> Result<(), CacheError> {
        self.conn.execute_batch("VACUUM")?;
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Option<Lead>, CacheError> {
        let doc: Option<String> = self
            .conn
            .query_row("SELECT d.doc FROM leads l JOIN lead_docs d ON d.key = l.doc WHERE l.id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        doc.as_deref().map(decode_doc).transpose()
    }

    /// One page of leads as `q` asks, and how many match in all.
    pub fn page(&self, q: &CacheQuery) -> Result<(Vec<Lead>, u64), CacheError> {
        let (limit, offset) = (q.limit.clamp(1, 1000), q.offset);
        let mut args: Vec<Value> = Vec::new();
        let mut filters: Vec<String> = Vec::new();
        // A search's matches come from the index in key order, newest first; the list rows are
        // read only to filter or sort on them.
        let matcher = q.search.as_deref().and_then(fts_query);
        let by_row = !q.states.is_empty()
            || !q.dispositions.is_empty()
            || !q.zones.is_empty()
            || q.callable_at.is_some()
            || q.source.is_some()
            || q.batch.is_some()
            || q.sort != SortBy::CreatedAt;
        let (from, key) = match (&matcher, by_row) {
            (Some(_), true) => ("leads_fts f JOIN leads l ON l.key = f.rowid", "f.rowid"),
            (Some(_), false) => ("leads_fts f", "f.rowid"),
            (None, _) => ("leads l", "l.key"),
        };
        if let Some(matcher) = &matcher {
            filters.push("leads_fts MATCH ?".into());
            args.push(Value::Text(matcher.clone()));
        }
        let any_of = |column: &str, n: usize| format!("{column} IN ({})", vec!["?"; n].join(", "));
        if !q.states.is_empty() {
            filters.push(any_of("l.state", q.states.len()));
            args.extend(q.states.iter().map(|s| Value::Text(s.trim().to_uppercase())));
        }
        if !q.dispositions.is_empty() {
            let named: Vec<&String> = q.dispositions.iter().filter(|d| *d != NO_DISPOSITION).collect();
            let mut any = Vec::new();
            if named.len() < q.dispositions.len() {
                any.push("coalesce(l.disposition, '') = ''".to_owned());
            }
            if !named.is_empty() {
                any.push(any_of("l.disposition", named.len()));
                args.extend(named.into_iter().map(|d| Value::Text(d.clone())));
            }
            filters.push(format!("({})", any.join(" OR ")));
        }
        if !q.zones.is_empty() {
            filters.push(any_of("l.zone", q.zones.len()));
            args.extend(q.zones.iter().map(|z| Value::Text(z.clone())));
        }
        if let Some(now) = q.callable_at {
            // The few (zone, state) pairs of the book, each judged by its calling window now.
            let open = self.callable_pairs(now)?;
            if open.is_empty() {
                filters.push("0".into());
            } else {
                filters.push(format!(
                    "(l.zone, coalesce(l.law_state, '')) IN (VALUES {})",
                    vec!["(?, ?)"; open.len()].join(", ")
                ));
                args.extend(open.into_iter().flat_map(|(z, s)| [Value::Text(z), Value::Text(s)]));
            }
        }
        let mut filter = |sql: &str, v: Option<Value>| {
            filters.push(sql.into());
            args.extend(v);
        };
        if let Some(source) = q.source {
            filter("l.source = ?", Some(Value::Text(source.as_str().into())));
        }
        if let Some(batch) = &q.batch {
            filter("l.batch = ?", Some(Value::Text(batch.clone())));
        }
        if let Some(t) = q.received_from {
            filter(&format!("{key} >= ?"), Some(Value::Integer(first_key_at(t))));
        }
        if let Some(t) = q.received_before {
            filter(&format!("{key} < ?"), Some(Value::Integer(first_key_at(t))));
        }
        let filter = if filters.is_empty() { String::new() } else { format!("WHERE {}", filters.join(" AND ")) };
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM {from} {filter}"))?
            .query_row(params_from_iter(&args), |r| r.get(0))?;
        let dir = if q.ascending { "ASC" } else { "DESC" };
        // Ties (and leads without the sorted value) keep the newest first.
        let order = match q.sort {
            SortBy::CreatedAt => format!("{key} {dir}"),
            other => {
                let column = order_column(other)?;
                format!("{column} IS NULL, {column} {dir}, {key} DESC")
            }
        };
        // The page is chosen on the narrow list rows; only its leads are read whole.
        args.push(Value::Integer(limit.into()));
        args.push(Value::Integer(offset.into()));
        let keys: Vec<i64> = self
            .conn
            .prepare_cached(&format!("SELECT {key} FROM {from} {filter} ORDER BY {order} LIMIT ? OFFSET ?"))?
            .query_map(params_from_iter(&args), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut doc =
            self.conn.prepare_cached("SELECT d.doc FROM leads l JOIN lead_docs d ON d.key = l.doc WHERE l.key = ?1")?;
        let docs: Vec<String> = keys.iter().map(|k| doc.query_row([k], |r| r.get(0))).collect::<Result<_, _>>()?;
        let leads = docs.iter().map(|d| decode_doc(d)).collect::<Result<_, _>>()?;
        Ok((leads, total as u64))
    }

    /// Hands `f` every lead `q` matches (its window ignored), in its order, `page` leads at a time,
    /// all read in one snapshot: a sync writing meanwhile neither repeats nor skips a lead.
    pub fn each_match<E: From<CacheError>>(
        &self,
        q: &CacheQuery,
        page: u32,
        mut f: impl FnMut(&[Lead]) -> Result<(), E>,
    ) -> Result<(), E> {
        let snapshot = self.conn.unchecked_transaction().map_err(CacheError::from)?;
        let mut offset = 0;
        loop {
            let (leads, _) = self.page(&CacheQuery { limit: page, offset, ..q.clone() })?;
            f(&leads)?;
            if leads.len() < page as usize {
                break;
            }
            offset += page;
        }
        drop(snapshot); // read only: rolled back
        Ok(())
    }

    /// The states, dispositions, sources and import tags of the cached leads, most common first.
    pub fn facets(&self) -> Result<Facets, CacheError> {
        let counts = |column: &str| -> Result<Vec<(String, u64)>, CacheError> {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT coalesce(nullif({column}, ''), ?1), count(*) AS n FROM leads GROUP BY 1 ORDER BY n DESC, 1"
            ))?;
            let empty = if column == "disposition" { NO_DISPOSITION } else { "" };
            let rows = stmt.query_map([empty], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?.into_iter().filter(|(v, _)| !v.is_empty()).collect())
        };
        let mut zones = self.conn.prepare_cached(
            "SELECT zone, count(*) AS n FROM leads WHERE zone IS NOT NULL GROUP BY zone ORDER BY max(east) DESC, zone",
        )?;
        let zones = zones.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(Facets {
            states: counts("state")?,
            dispositions: counts("disposition")?,
            sources: counts("source")?,
            batches: counts("batch")?,
            zones: zones.collect::<Result<_, _>>()?,
        })
    }

    /// Keeps the notes being typed on a lead (replacing the last draft).
    pub fn keep_note_draft(&self, lead_id: &str, text: &str) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT INTO note_drafts (lead_id, text, at) VALUES (?1, ?2, ?3)
             ON CONFLICT (lead_id) DO UPDATE SET text = excluded.text, at = excluded.at",
            params![lead_id, text, rfc3339(Utc::now())],
        )?;
        Ok(())
    }

    /// The notes last typed on a lead and not saved, with when.
    pub fn note_draft(&self, lead_id: &str) -> Result<Option<(String, DateTime<Utc>)>, CacheError> {
        let found: Option<(String, String)> = self
            .conn
            .query_row("SELECT text, at FROM note_drafts WHERE lead_id = ?1", [lead_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(found.map(|(text, at)| (text, parse_rfc3339(&at).unwrap_or_default())))
    }

    /// The draft was saved (or thrown away).
    pub fn drop_note_draft(&self, lead_id: &str) -> Result<(), CacheError> {
        self.conn.execute("DELETE FROM note_drafts WHERE lead_id = ?1", [lead_id])?;
        Ok(())
    }

    /// The (zone, state) pairs of the cached leads that may be called at `now`.
    fn callable_pairs(&self, now: DateTime<Utc>) -> Result<Vec<(String, String)>, CacheError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT zone, coalesce(law_state, '') FROM leads WHERE zone IS NOT NULL")?;
        let pairs = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut open = Vec::new();
        for pair in pairs {
            let (zone, state) = pair?;
            let Some(zone_name) = crokodial_core::tz::known(&zone) else { continue };
            let state_given = Some(state.as_str()).filter(|s| !s.is_empty());
            if crokodial_core::calling::window(zone_name, state_given, now).is_some_and(|w| w.open) {
                open.push((zone, state));
            }
        }
        Ok(open)
    }

    /// Works out the time zone and the calling law's state of the leads cached before the cache
    /// kept them (schemas 9 and 10).
    fn fill_zones(&mut self) -> Result<(), CacheError> {
        const FILLED: &str = "zones_filled";
        if self.meta(FILLED)?.as_deref() == Some("2") {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut read = tx.prepare("SELECT l.key, d.doc FROM leads l JOIN lead_docs d ON d.key = l.doc")?;
            let mut write = tx.prepare("UPDATE leads SET zone = ?2, east = ?3, law_state = ?4 WHERE key = ?1")?;
            let mut rows = read.query([])?;
            while let Some(row) = rows.next()? {
                let (key, doc): (i64, String) = (row.get(0)?, row.get(1)?);
                let lead = decode_doc(&doc)?;
                let (zone, east) = zone_of(&lead);
                write.execute(params![key, zone, east, crokodial_core::textdrip::lead_state(&lead)])?;
            }
        }
        tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, '2')", [FILLED])?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps a rep's edit of a cached lead: applied to the cached copy at once and queued for the
    /// server, in one transaction, so a crash at any point leaves both or neither.
    pub fn queue_edit(&mut self, lead_id: &str, fields: LeadEdit) -> Result<QueuedEdit, CacheError> {
        edit::validate(&fields)?;
        let tx = self.conn.transaction()?;
        let found: Option<(String, Option<i64>)> = tx
            .query_row(
                "SELECT d.doc, l.server_seq FROM leads l JOIN lead_docs d ON d.key = l.doc WHERE l.id = ?1",
                [lead_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (doc, seq) = found.ok_or_else(|| CacheError::NotCached(lead_id.to_owned()))?;
        let mut lead = decode_doc(&doc)?;
        let base = edit::base_of(&fields, &lead);
        if edit::apply(&fields, &mut lead) {
            write_lead(&tx, &lead, seq.map(|s| s as u64))?;
        }
        let queued = QueuedEdit {
            op: 0,
            key: format!("{:032x}", rand::random::<u128>()),
            lead_id: lead_id.to_owned(),
            fields,
            base,
            made_at: Utc::now(),
            state: EditState::Pending,
            detail: None,
            done_at: None,
        };
        tx.execute(
            "INSERT INTO outbox (key, lead_id, fields, base, made_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                queued.key,
                queued.lead_id,
                serde_json::to_string(&queued.fields)?,
                serde_json::to_string(&queued.base)?,
                rfc3339(queued.made_at)
            ],
        )?;
        let op = tx.last_insert_rowid();
        if queued.fields.contains_key(&EditField::Notes) {
            // Saved: the draft of them is no longer needed.
            tx.execute("DELETE FROM note_drafts WHERE lead_id = ?1", [lead_id])?;
        }
        tx.commit()?;
        Ok(QueuedEdit { op, ..queued })
    }

    /// The edits not yet on the server, oldest first.
    pub fn pending(&self) -> Result<Vec<QueuedEdit>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!("{OUTBOX_SELECT} WHERE state = 'pending' ORDER BY op"))?;
        let rows = stmt.query_map([], outbox_row)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(QueuedEdit::try_from).collect()
    }

    /// The server could not take edit `op` now, for `why`: it stays pending, with the reason
    /// shown. Answers how many times that has happened to it.
    pub fn retry_later(&mut self, op: i64, why: &str) -> Result<u32, CacheError> {
        Ok(self.conn.query_row(
            "UPDATE outbox SET attempts = attempts + 1, detail = ?2 WHERE op = ?1 RETURNING attempts",
            params![op, why],
            |r| r.get(0),
        )?)
    }

    /// The oldest edit not yet on the server.
    pub fn next_pending(&self) -> Result<Option<QueuedEdit>, CacheError> {
        let mut stmt =
            self.conn.prepare_cached(&format!("{OUTBOX_SELECT} WHERE state = 'pending' ORDER BY op LIMIT 1"))?;
        let row = stmt.query_row([], outbox_row).optional()?;
        row.map(QueuedEdit::try_from).transpose()
    }

    /// Records what the server did with edit `op`, and keeps the lead as the server has it now
    /// (with the rep's other pending edits over it), in one transaction.
    pub fn finish_edit(&mut self, op: i64, result: &EditResult) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        let (state, detail, lead) = match result {
            EditResult::Synced(lead) => (EditState::Synced, None, Some(lead)),
            EditResult::Conflict { fields, lead } => {
                (EditState::Conflict, Some(conflict_detail(fields, lead)), Some(lead))
            }
            EditResult::Failed(reason) => (EditState::Failed, Some(reason.clone()), None),
        };
        tx.execute(
            "UPDATE outbox SET state = ?2, detail = ?3, done_at = ?4 WHERE op = ?1",
            params![op, state.as_str(), detail, rfc3339(Utc::now())],
        )?;
        if let Some(lead) = lead {
            keep_answered(&tx, lead)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Keeps the lead as a server's answer has it now (with the rep's pending edits over it).
    pub fn keep_server_copy(&mut self, lead: &Lead) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        keep_answered(&tx, lead)?;
        tx.commit()?;
        Ok(())
    }

    /// The rep's edits of one lead, newest first, with their sync state.
    pub fn history(&self, lead_id: &str) -> Result<Vec<QueuedEdit>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!("{OUTBOX_SELECT} WHERE lead_id = ?1 ORDER BY op DESC"))?;
        let rows = stmt.query_map([lead_id], outbox_row)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(QueuedEdit::try_from).collect()
    }

    /// The whole outbox, oldest first.
    pub fn outbox(&self) -> Result<Vec<QueuedEdit>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!("{OUTBOX_SELECT} ORDER BY op"))?;
        let rows = stmt.query_map([], outbox_row)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(QueuedEdit::try_from).collect()
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts, CacheError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'conflict'),
                    count(*) FILTER (WHERE state = 'failed') FROM outbox",
            [],
            |r| {
                Ok(OutboxCounts {
                    pending: r.get::<_, i64>(0)? as u64,
                    conflict: r.get::<_, i64>(1)? as u64,
                    failed: r.get::<_, i64>(2)? as u64,
                })
            },
        )?)
    }

    /// Each cached lead's phone and email, as stored, to `f`.
    pub fn for_each_contact(&self, mut f: impl FnMut(Option<&str>, Option<&str>)) -> Result<(), CacheError> {
        let key = |name: &str| DOC_KEYS.iter().position(|k| *k == name).expect("a document key");
        // Documents stored before numbered keys still name them.
        let mut stmt = self.conn.prepare(&format!(
            "SELECT CAST(coalesce(json_extract(doc, '$.\"{p}\"'), json_extract(doc, '$.phone')) AS TEXT),
                    CAST(coalesce(json_extract(doc, '$.\"{e}\"'), json_extract(doc, '$.email')) AS TEXT)
             FROM lead_docs",
            p = key("phone"),
            e = key("email"),
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (phone, email): (Option<String>, Option<String>) = (row.get(0)?, row.get(1)?);
            f(phone.as_deref(), email.as_deref());
        }
        Ok(())
    }

    pub fn count(&self) -> Result<u64, CacheError> {
        Ok(self.conn.query_row("SELECT count(*) FROM leads", [], |r| r.get::<_, i64>(0))? as u64)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, CacheError> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }
}

/// Writes leads as the server sent them, with the rep's edits not yet on the server applied over
/// them, so those stay visible until the server has them.
fn store_server_copies<'a>(
    tx: &Transaction<'_>,
    leads: impl Iterator<Item = (&'a Lead, Option<u64>)>,
) -> Result<(), CacheError> {
    let pending = pending_edits(tx)?;
    for (lead, seq) in leads {
        match pending.get(lead.id.as_str()) {
            Some(edits) => {
                let mut mine = lead.clone();
                edits.iter().for_each(|e| _ = edit::apply(e, &mut mine));
                write_lead(tx, &mine, seq)?;
            }
            None => write_lead(tx, lead, seq)?,
        }
    }
    Ok(())
}

/// Writes one lead: its list row, its search terms and its whole document.
/// Stores a lead a server answered with. The answer does not say the change's sequence number:
/// the copy keeps the one it had.
fn keep_answered(tx: &Transaction<'_>, lead: &Lead) -> Result<(), CacheError> {
    let seq: Option<i64> =
        tx.query_row("SELECT server_seq FROM leads WHERE id = ?1", [&lead.id], |r| r.get(0)).optional()?.flatten();
    store_server_copies(tx, std::iter::once((lead, seq.map(|s| s as u64))))
}

fn write_lead(tx: &Transaction<'_>, lead: &Lead, seq: Option<u64>) -> Result<(), CacheError> {
    let received = received_ms(lead.created_at);
    let found: Option<(i64, i64)> = tx
        .prepare_cached("SELECT key, doc FROM leads WHERE id = ?1")?
        .query_row([&lead.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (source, seq, text) = (lead.source.map(|s| s.as_str()), seq.map(|s| s as i64), encode_doc(lead)?);
    let (zone, east) = zone_of(lead);
    let law_state = crokodial_core::textdrip::lead_state(lead);
    let update_doc =
        |doc: i64| tx.prepare_cached("UPDATE lead_docs SET doc = ?2 WHERE key = ?1")?.execute(params![doc, text]);
    let key = match found {
        Some((key, doc)) if key >> ARRIVAL_BITS == received => {
            tx.prepare_cached(
                "UPDATE leads SET name = ?2, state = ?3, source = ?4, disposition = ?5, server_seq = ?6, batch = ?7,
                                  zone = ?8, east = ?9, law_state = ?10
                 WHERE key = ?1",
            )?
            .execute(params![
                key,
                lead.name,
                lead.state,
                source,
                lead.disposition,
                seq,
                lead.import_batch,
                zone,
                east,
                law_state
            ])?;
            tx.prepare_cached("DELETE FROM leads_fts WHERE rowid = ?1")?.execute([key])?;
            update_doc(doc)?;
            key
        }
        found => {
            let doc = match found {
                Some((moved, doc)) => {
                    // Received at another time than the cached copy says: it takes a key of that time.
                    tx.prepare_cached("DELETE FROM leads WHERE key = ?1")?.execute([moved])?;
                    tx.prepare_cached("DELETE FROM leads_fts WHERE rowid = ?1")?.execute([moved])?;
                    update_doc(doc)?;
                    doc
                }
                None => {
                    tx.prepare_cached("INSERT INTO lead_docs (doc) VALUES (?1)")?.execute([&text])?;
                    tx.last_insert_rowid()
                }
            };
            let key = free_key(tx, received)?;
            tx.prepare_cached(
                "INSERT INTO leads (key, id, name, state, source, disposition, server_seq, doc, batch, zone, east,
                                    law_state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                key,
                lead.id,
                lead.name,
                lead.state,
                source,
                lead.disposition,
                seq,
                doc,
                lead.import_batch,
                zone,
                east,
                law_state
            ])?;
            key
        }
    };
    tx.prepare_cached("INSERT INTO leads_fts (rowid, name, phone_digits, email, city) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![
            key,
            lead.name,
            phone_tokens(lead.phone.as_deref().unwrap_or_default()),
            lead.email.as_deref().unwrap_or_default(),
            lead.city.as_deref().unwrap_or_default(),
        ])?;
    Ok(())
}

/// A lead's time zone and how far east it is, as the list rows keep them.
fn zone_of(lead: &Lead) -> (Option<&'static str>, Option<i32>) {
    let zone = crokodial_core::textdrip::lead_zone(lead);
    (zone, zone.and_then(crokodial_core::tz::eastness))
}

/// The next free key of a millisecond; past 16 leads in one millisecond (a bulk import), the next
/// free key after it.
fn free_key(tx: &Transaction<'_>, received: i64) -> Result<i64, CacheError> {
    let first = received << ARRIVAL_BITS;
    let mut key: i64 = tx
        .prepare_cached("SELECT coalesce(max(key) + 1, ?1) FROM leads WHERE key BETWEEN ?1 AND ?2")?
        .query_row([first, first | ARRIVAL_MASK], |r| r.get(0))?;
    let mut taken = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM leads WHERE key = ?1)")?;
    while taken.query_row([key], |r| r.get::<_, bool>(0))? {
        key += 1;
    }
    Ok(key)
}

/// Removes the lead with `key`: its list row, its document and its search terms.
fn forget(tx: &Transaction<'_>, key: i64) -> Result<(), CacheError> {
    let doc: Option<i64> = tx
        .prepare_cached("DELETE FROM leads WHERE key = ?1 RETURNING doc")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    if let Some(doc) = doc {
        tx.prepare_cached("DELETE FROM lead_docs WHERE key = ?1")?.execute([doc])?;
    }
    tx.prepare_cached("DELETE FROM leads_fts WHERE rowid = ?1")?.execute([key])?;
    Ok(())
}

/// The low bits of a key: a lead's arrival within its received millisecond. Few, because the
/// search index stores the gaps between keys: leads a minute apart are 3 bytes apart here, 6
/// with 20 bits (the index of 100,000 leads: 9.5 MB, and 11.6 MB with 20 bits).
const ARRIVAL_BITS: u32 = 4;
const ARRIVAL_MASK: i64 = (1 << ARRIVAL_BITS) - 1;

/// Milliseconds since 1970 (0 for none or earlier), the high bits of a lead's key.
fn received_ms(t: Option<DateTime<Utc>>) -> i64 {
    t.map_or(0, |t| t.timestamp_millis().max(0))
}

/// The first key received at or after `t`.
fn first_key_at(t: DateTime<Utc>) -> i64 {
    received_ms(Some(t)) << ARRIVAL_BITS
}

/// A stored document's keys are numbers, a key's place in [`WIRE_KEYS`] (append only), so a
/// document says `"17"` instead of `"householdIncome"`: the keys were half a document's bytes.
const DOC_KEYS: &[&str] = WIRE_KEYS;

/// A lead as stored: its filled fields (empty ones left out), keys numbered by [`DOC_KEYS`].
fn encode_doc(lead: &Lead) -> Result<String, CacheError> {
    let fields: serde_json::Map<String, serde_json::Value> = lead
        .filled_fields()
        .into_iter()
        .map(|(k, v)| match DOC_KEYS.iter().position(|known| *known == k) {
            Some(n) => (n.to_string(), v),
            None => (k, v),
        })
        .collect();
    Ok(serde_json::to_string(&fields)?)
}

/// Reads a stored lead: numbered keys, or the wire keys of documents stored before them.
fn decode_doc(doc: &str) -> Result<Lead, CacheError> {
    let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(doc)?;
    let named = fields
        .into_iter()
        .map(|(k, v)| match k.parse::<usize>().ok().and_then(|n| DOC_KEYS.get(n)) {
            Some(name) => ((*name).to_owned(), v),
            None => (k, v),
        })
        .collect();
    Ok(serde_json::from_value(serde_json::Value::Object(named))?)
}

/// The pending edits, by lead, in the order made. Usually none, so a sync page pays one query.
fn pending_edits(tx: &Transaction<'_>) -> Result<HashMap<String, Vec<LeadEdit>>, CacheError> {
    let mut stmt = tx.prepare_cached("SELECT lead_id, fields FROM outbox WHERE state = 'pending' ORDER BY op")?;
    let mut pending: HashMap<String, Vec<LeadEdit>> = HashMap::new();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (lead, fields) = row?;
        pending.entry(lead).or_default().push(serde_json::from_str(&fields)?);
    }
    Ok(pending)
}

/// What the server has now in the fields that conflicted, for the rep to read.
fn conflict_detail(fields: &[EditField], lead: &Lead) -> String {
    let now: Vec<String> = fields.iter().map(|f| format!("{} is now {:?}", f.as_str(), f.value(lead))).collect();
    format!("changed elsewhere: {}", now.join(", "))
}

const OUTBOX_SELECT: &str = "SELECT op, key, lead_id, fields, base, made_at, state, detail, done_at FROM outbox";

type OutboxRow = (i64, String, String, String, String, String, String, Option<String>, Option<String>);

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
}

impl TryFrom<OutboxRow> for QueuedEdit {
    type Error = CacheError;

    fn try_from(
        (op, key, lead_id, fields, base, made_at, state, detail, done_at): OutboxRow,
    ) -> Result<Self, CacheError> {
        let time = |s: &str| parse_rfc3339(s).unwrap_or_default();
        Ok(QueuedEdit {
            op,
            key,
            lead_id,
            fields: serde_json::from_str(&fields)?,
            base: serde_json::from_str(&base)?,
            made_at: time(&made_at),
            state: EditState::parse(&state),
            detail,
            done_at: done_at.as_deref().map(time),
        })
    }
}

/// A phone's digits, and its last 10, 7 and 4 of them: the starts of what reps type. (Every
/// suffix would find any run, with a bigger index and slower writes.)
fn phone_tokens(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let mut tokens = vec![digits.as_str()];
    tokens.extend([10, 7, 4].into_iter().filter(|&n| digits.len() > n).map(|n| &digits[digits.len() - n..]));
    tokens.join(" ")
}

/// What the rep typed, as an FTS5 query: every word must match the start of a word; a number
/// (3 digits or more, spaces and dashes allowed) matches any run of a phone's digits. Words are
/// quoted, so FTS5's own syntax in the input is just text. `None`: nothing to search for.
fn fts_query(input: &str) -> Option<String> {
    let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
    if compact.len() >= 3 && compact.chars().all(|c| c.is_ascii_digit()) {
        return Some(format!("phone_digits : \"{compact}\"*"));
    }
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("{{name email city}} : \"{}\"*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crokodial_core::LeadSource;

    fn lead(id: &str, name: &str, phone: &str, city: &str, minute: u32) -> Lead {
        Lead {
            id: id.into(),
            name: name.into(),
            phone: Some(phone.into()),
            email: Some(format!("{}@example.com", name.split(' ').next().unwrap().to_lowercase())),
            city: Some(city.into()),
            state: Some("IL".into()),
            source: Some(LeadSource::NextGen),
            created_at: Some(format!("2026-11-22T10:{minute:02}:00Z").parse().unwrap()),
            ..Lead::default()
        }
    }

    fn cache() -> (tempfile::TempDir, LeadCache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = LeadCache::open_at(&dir.path().join("c.sqlite")).unwrap();
        (dir, cache)
    }

    fn ids(page: (Vec<Lead>, u64)) -> Vec<String> {
        page.0.into_iter().map(|l| l.id).collect()
    }

    fn search(c: &LeadCache, s: &str) -> Vec<String> {
        ids(c.page(&CacheQuery { search: Some(s.into()), limit: 50, ..CacheQuery::default() }).unwrap())
    }

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn keeps_every_field_and_pages_newest_first() {
        let (_d, mut c) = cache();
        let mut full = lead("a", "Rosa Diaz", "3125550199", "Chicago", 1);
        full.household_income = Some("$50k".into());
        full.medical_conditions = vec!["asthma".into()];
        c.upsert(&[full.clone(), lead("b", "Bea Lin", "2015550123", "Hoboken", 2)], Some(7)).unwrap();
        assert_eq!(c.get("a").unwrap(), Some(full), "the whole lead comes back");
        let first = c.page(&CacheQuery { limit: 1, ..CacheQuery::default() }).unwrap();
        assert_eq!((ids(first.clone()), first.1), (vec!["b".to_owned()], 2));
        assert_eq!(ids(c.page(&CacheQuery { limit: 1, offset: 1, ..CacheQuery::default() }).unwrap()), ["a"]);
    }

    #[test]
    fn documents_are_stored_with_numbered_keys_and_read_in_both_forms() {
        // Every field of a lead has a number.
        let every = serde_json::to_value(Lead::default()).unwrap();
        for key in every.as_object().unwrap().keys() {
            assert!(DOC_KEYS.contains(&key.as_str()), "{key} has no number in DOC_KEYS");
        }
        let mut l = lead("a", "Rosa Diaz", "3125550199", "Chicago", 1);
        l.has_medicare_parts_ab = Some(true);
        l.medical_conditions = vec!["asthma".into()];
        let stored = encode_doc(&l).unwrap();
        assert!(stored.contains("\"0\":\"a\"") && !stored.contains("hasMedicarePartsAB"), "{stored}");
        assert_eq!(decode_doc(&stored).unwrap(), l);
        let before_numbers = serde_json::to_string(&l.filled_fields()).unwrap();
        assert_eq!(decode_doc(&before_numbers).unwrap(), l, "documents stored by version 1 still read");
    }

    #[test]
    fn search_by_surname_phone_digits_email_and_city() {
        let (_d, mut c) = cache();
        c.upsert(
            &[
                lead("a", "Rosa Díaz", "(312) 555-0199", "Chicago", 1),
                lead("b", "Bea Lin", "2015550123", "Hoboken", 2),
                lead("c", "Carl Diaz", "7735550100", "Evanston", 3),
            ],
            None,
        )
        .unwrap();
        assert_eq!(search(&c, "diaz"), ["c", "a"], "accents do not matter");
        assert_eq!(search(&c, "0199"), ["a"], "the last four digits");
        assert_eq!(search(&c, "555-01"), ["c", "b", "a"]);
        assert_eq!(search(&c, "hobo"), ["b"]);
        assert_eq!(search(&c, "bea@exa"), ["b"]);
        assert_eq!(search(&c, "rosa chicago"), ["a"], "every word must match");
        assert!(search(&c, "nobody").is_empty());
    }

    #[test]
    fn filters_sorts_and_facets() {
        let (_d, mut c) = cache();
        let mut leads = vec![
            lead("a", "Rosa Diaz", "3125550199", "Chicago", 1),
            lead("b", "bea Lin", "2015550123", "Hoboken", 2),
            lead("c", "Carl Diaz", "7735550100", "Evanston", 3),
        ];
        leads[1].state = Some("NJ".into());
        leads[1].source = Some(LeadSource::CsvImport);
        leads[1].import_batch = Some("leads.csv 2026-12-01".into());
        leads[2].disposition = Some("Quoted".into());
        c.upsert(&leads, None).unwrap();
        let q = |f: &dyn Fn(&mut CacheQuery)| {
            let mut q = CacheQuery { limit: 50, ..CacheQuery::default() };
            f(&mut q);
            ids(c.page(&q).unwrap())
        };
        assert_eq!(q(&|q| q.states = vec!["il".into()]), ["c", "a"]);
        assert_eq!(q(&|q| q.states = vec!["NJ".into(), "IL".into()]), ["c", "b", "a"], "any of them");
        assert_eq!(q(&|q| q.dispositions = vec!["Quoted".into()]), ["c"]);
        assert_eq!(q(&|q| q.dispositions = vec![NO_DISPOSITION.into()]), ["b", "a"]);
        assert_eq!(q(&|q| q.dispositions = vec![NO_DISPOSITION.into(), "Quoted".into()]), ["c", "b", "a"]);
        assert_eq!(q(&|q| q.zones = vec!["America/New_York".into()]), ["b"], "Hoboken, by its state");
        assert_eq!(q(&|q| q.source = Some(LeadSource::CsvImport)), ["b"]);
        assert_eq!(q(&|q| q.batch = Some("leads.csv 2026-12-01".into())), ["b"]);
        assert_eq!(q(&|q| q.received_from = Some("2026-11-22T10:02:00Z".parse().unwrap())), ["c", "b"]);
        assert_eq!(q(&|q| q.received_before = Some("2026-11-22T10:02:00Z".parse().unwrap())), ["a"]);
        assert_eq!(q(&|q| q.sort = SortBy::Name), ["a", "c", "b"], "names sort without case");
        assert_eq!(q(&|q| (q.sort, q.ascending) = (SortBy::Name, true)), ["b", "c", "a"]);
        assert_eq!(q(&|q| (q.sort, q.ascending) = (SortBy::CreatedAt, true)), ["a", "b", "c"]);
        assert_eq!(q(&|q| (q.search, q.states) = (Some("diaz".into()), vec!["IL".into()])), ["c", "a"]);
        assert_eq!(q(&|q| q.sort = SortBy::TimeZone), ["b", "c", "a"], "East to West, then the newest");
        assert_eq!(q(&|q| (q.sort, q.ascending) = (SortBy::TimeZone, true)), ["c", "a", "b"], "West to East");
        // Wednesday 2026-12-09 at 9:30 PM in New Jersey is 8:30 PM in Chicago: only Illinois may be called.
        let evening = "2026-12-10T02:30:00Z".parse().unwrap();
        assert_eq!(q(&|q| q.callable_at = Some(evening)), ["c", "a"]);
        let night = "2026-12-10T04:00:00Z".parse().unwrap();
        assert!(q(&|q| q.callable_at = Some(night)).is_empty());

        assert_eq!(q(&|q| (q.search, q.sort, q.ascending) = (Some("diaz".into()), SortBy::Name, true)), ["c", "a"]);
        let total = c.page(&CacheQuery { limit: 1, states: vec!["IL".into()], ..CacheQuery::default() }).unwrap().1;
        assert_eq!(total, 2, "the count is of every match, not the page");

        let f = c.facets().unwrap();
        assert_eq!(f.states, [("IL".to_owned(), 2), ("NJ".to_owned(), 1)]);
        assert_eq!(f.dispositions, [(NO_DISPOSITION.to_owned(), 2), ("Quoted".to_owned(), 1)]);
        assert_eq!(f.sources, [("NextGen".to_owned(), 2), ("CSV Import".to_owned(), 1)]);
        assert_eq!(f.batches, [("leads.csv 2026-12-01".to_owned(), 1)]);
        assert_eq!(f.zones, [("America/New_York".to_owned(), 1), ("America/Chicago".to_owned(), 2)]);
    }

    #[test]
    fn a_notes_draft_is_kept_until_the_notes_are_saved() {
        let (_d, mut c) = cache();
        c.upsert(&[lead("a", "Rosa Diaz", "3125550199", "Chicago", 1)], None).unwrap();
        c.keep_note_draft("a", "wants a PP").unwrap();
        c.keep_note_draft("a", "wants a PPO").unwrap();
        assert_eq!(c.note_draft("a").unwrap().map(|d| d.0).as_deref(), Some("wants a PPO"));
        c.queue_edit("a", LeadEdit::from([(EditField::Disposition, "Quoted".to_owned())])).unwrap();
        assert!(c.note_draft("a").unwrap().is_some(), "another field saved: the draft stays");
        c.queue_edit("a", LeadEdit::from([(EditField::Notes, "wants a PPO".to_owned())])).unwrap();
        assert_eq!(c.note_draft("a").unwrap(), None);
    }

    #[test]
    fn callable_now_applies_the_law_of_the_state_the_zip_code_tells() {
        let (_d, mut c) = cache();
        // No state, but a Mississippi ZIP code: Mississippi's law (no Sunday calls) applies.
        let mut ms = lead("d", "Dee Sunday", "6015550100", "Jackson", 4);
        (ms.state, ms.zipcode) = (None, Some("39201".into()));
        let il = lead("a", "Rosa Diaz", "3125550199", "Chicago", 1);
        c.upsert(&[ms, il], None).unwrap();
        let sunday_noon = "2026-12-13T18:00:00Z".parse().unwrap();
        let q = CacheQuery { callable_at: Some(sunday_noon), limit: 10, ..CacheQuery::default() };
        assert_eq!(ids(c.page(&q).unwrap()), ["a"]);
    }

    #[test]
    fn leads_cached_before_zones_were_kept_get_theirs_on_opening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        LeadCache::open_at(&path).unwrap().upsert(&[lead("a", "Rosa Diaz", "3125550199", "Chicago", 1)], None).unwrap();
        // As a cache of schema 8 had it: no zones, not yet filled; then of schema 9: zones only.
        for filled in ["", "1"] {
            let conn = Connection::open(&path).unwrap();
            let blank = "UPDATE leads SET zone = NULL, east = NULL, law_state = NULL; DELETE FROM meta WHERE key = 'zones_filled';";
            conn.execute_batch(blank).unwrap();
            if !filled.is_empty() {
                conn.execute("INSERT INTO meta (key, value) VALUES ('zones_filled', ?1)", [filled]).unwrap();
            }
            drop(conn);
            let c = LeadCache::open_at(&path).unwrap();
            let row: (String, i64, String) = c
                .conn
                .query_row("SELECT zone, east, law_state FROM leads", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap();
            assert_eq!(row, ("America/Chicago".to_owned(), -360, "IL".to_owned()));
        }
    }

    #[test]
    fn an_update_replaces_what_is_found() {
        let (_d, mut c) = cache();
        c.upsert(&[lead("a", "Rosa Diaz", "3125550199", "Chicago", 1)], Some(1)).unwrap();
        c.upsert(&[lead("a", "Rosa Ortega", "3125550199", "Chicago", 1)], Some(2)).unwrap();
        assert!(search(&c, "diaz").is_empty());
        assert_eq!(search(&c, "ortega"), ["a"]);
        assert_eq!(c.count().unwrap(), 1);
        c.remove(&["a".into()]).unwrap();
        assert!(search(&c, "ortega").is_empty());
        assert_eq!((c.count().unwrap(), docs(&c)), (0, 0));
    }

    #[test]
    fn a_lead_received_at_another_time_moves_in_the_list_and_is_found_once() {
        let (_d, mut c) = cache();
        let (mut a, b) =
            (lead("a", "Rosa Diaz", "3125550199", "Chicago", 1), lead("b", "Bea Diaz", "2015550123", "Hoboken", 2));
        c.upsert(&[a.clone(), b], None).unwrap();
        assert_eq!(search(&c, "diaz"), ["b", "a"]);
        a.created_at = Some("2026-11-22T10:03:00Z".parse().unwrap());
        c.upsert(&[a.clone()], None).unwrap();
        assert_eq!(search(&c, "diaz"), ["a", "b"]);
        assert_eq!(c.get("a").unwrap(), Some(a.clone()));
        assert_eq!((c.count().unwrap(), docs(&c)), (2, 2), "nothing left behind");
        c.compact().unwrap();
        assert_eq!((search(&c, "diaz"), c.get("a").unwrap()), (vec!["a".to_owned(), "b".to_owned()], Some(a)));
    }

    fn docs(c: &LeadCache) -> i64 {
        c.conn.query_row("SELECT count(*) FROM lead_docs", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn leads_of_the_same_millisecond_keep_their_arrival_order() {
        let (_d, mut c) = cache();
        let batch: Vec<Lead> =
            (0..5).map(|i| lead(&format!("l{i}"), "Rosa Diaz", "3125550199", "Chicago", 1)).collect();
        c.upsert(&batch, None).unwrap();
        c.upsert(&batch[1..2], None).unwrap(); // an update keeps its place
        assert_eq!(search(&c, "rosa"), ["l4", "l3", "l2", "l1", "l0"]);
        let from = "2026-11-22T10:01:00Z".parse().unwrap();
        let q = CacheQuery {
            search: Some("diaz".into()),
            received_from: Some(from),
            limit: 2,
            offset: 1,
            ascending: true,
            ..CacheQuery::default()
        };
        let (page, total) = c.page(&q).unwrap();
        assert_eq!((page.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), total), (vec!["l1", "l2"], 5));
    }

    #[test]
    fn hostile_search_text_is_just_text() {
        let (_d, mut c) = cache();
        c.upsert(&[lead("a", "O\"Brien NEAR", "3125550199", "Chicago", 1)], None).unwrap();
        for s in ["\"", "NEAR(", "*", "a OR b", "name:x", "'; DROP TABLE leads; --", "\u{0}", "{name}", "- -"] {
            assert!(
                c.page(&CacheQuery { search: Some(s.into()), limit: 10, ..CacheQuery::default() }).is_ok(),
                "{s:?}"
            );
        }
        assert_eq!(search(&c, "o\"brien"), ["a"]);
        assert_eq!(c.count().unwrap(), 1);
    }

    #[test]
    fn each_account_and_server_has_its_own_file() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let a = LeadCache::path_for(&home, "https://crm.example.com", "u1");
        let b = LeadCache::path_for(&home, "https://crm.example.com", "u2");
        let c = LeadCache::path_for(&home, "http://127.0.0.1:3005", "u1");
        assert!(a != b && a != c && b != c);
        assert!(a.starts_with(dir.path().join("cache")));
        let mut one = LeadCache::open(&home, "https://crm.example.com", "u1").unwrap();
        one.upsert(&[lead("a", "Rosa", "3125550199", "Chicago", 1)], None).unwrap();
        let other = LeadCache::open(&home, "https://crm.example.com", "u2").unwrap();
        assert_eq!(other.count().unwrap(), 0, "another account sees none of it");
    }

    #[test]
    fn a_newer_cache_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        drop(LeadCache::open_at(&path).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        let err = LeadCache::open_at(&path).err().expect("refused").to_string();
        assert!(err.contains("newer Crokodial") && err.contains("update the app"), "{err}");
    }

    #[test]
    fn sync_facts_are_kept() {
        let (_d, c) = cache();
        assert_eq!(c.meta("cursor").unwrap(), None);
        c.set_meta("cursor", "42").unwrap();
        c.set_meta("cursor", "43").unwrap();
        assert_eq!(c.meta("cursor").unwrap().as_deref(), Some("43"));
    }

    fn dispose(value: &str) -> LeadEdit {
        LeadEdit::from([(EditField::Disposition, value.to_owned())])
    }

    #[test]
    fn an_edit_shows_at_once_and_stays_over_the_servers_copy_until_sent() {
        let (_d, mut c) = cache();
        let mut server_copy = lead("a", "Rosa Diaz", "3125550199", "Chicago", 1);
        server_copy.disposition = Some("New Lead".into());
        c.upsert(&[server_copy.clone()], Some(3)).unwrap();

        let queued = c.queue_edit("a", dispose("Quoted")).unwrap();
        assert_eq!((queued.state, queued.key.len()), (EditState::Pending, 32));
        assert_eq!(queued.base, dispose("New Lead"), "what the rep saw");
        assert_eq!(c.get("a").unwrap().unwrap().disposition.as_deref(), Some("Quoted"));

        // A sync brings the server's copy, which does not have the edit yet: it stays visible.
        server_copy.city = Some("Evanston".into());
        c.upsert(&[server_copy.clone()], Some(4)).unwrap();
        let shown = c.get("a").unwrap().unwrap();
        assert_eq!((shown.disposition.as_deref(), shown.city.as_deref()), (Some("Quoted"), Some("Evanston")));
        assert_eq!(c.next_pending().unwrap().map(|q| q.op), Some(queued.op));
        assert_eq!(c.outbox_counts().unwrap(), OutboxCounts { pending: 1, conflict: 0, failed: 0 });

        let mut accepted = server_copy.clone();
        accepted.disposition = Some("Quoted".into());
        c.finish_edit(queued.op, &EditResult::Synced(accepted)).unwrap();
        assert_eq!(c.next_pending().unwrap(), None);
        let history = c.history("a").unwrap();
        assert_eq!((history.len(), history[0].state), (1, EditState::Synced));
        assert!(history[0].done_at.is_some());
    }

    #[test]
    fn a_conflict_keeps_the_servers_value_and_says_what_it_is() {
        let (_d, mut c) = cache();
        c.upsert(&[lead("a", "Rosa Diaz", "3125550199", "Chicago", 1)], None).unwrap();
        let first = c.queue_edit("a", dispose("Quoted")).unwrap();
        let second = c.queue_edit("a", LeadEdit::from([(EditField::Notes, "left a voicemail".into())])).unwrap();
        assert!(second.op > first.op, "replayed in the order made");

        let mut theirs = lead("a", "Rosa Diaz", "3125550199", "Chicago", 1);
        theirs.disposition = Some("SOLD".into());
        c.finish_edit(first.op, &EditResult::Conflict { fields: vec![EditField::Disposition], lead: theirs }).unwrap();
        let shown = c.get("a").unwrap().unwrap();
        assert_eq!(shown.disposition.as_deref(), Some("SOLD"), "the colleague's value is not overwritten");
        assert_eq!(shown.notes.as_deref(), Some("left a voicemail"), "the other pending edit still shows");
        let history = c.history("a").unwrap();
        assert_eq!(history.iter().map(|h| h.state).collect::<Vec<_>>(), [EditState::Pending, EditState::Conflict]);
        assert_eq!(history[1].detail.as_deref(), Some("changed elsewhere: disposition is now \"SOLD\""));
        c.finish_edit(second.op, &EditResult::Failed("the lead no longer exists on the server".into())).unwrap();
        assert_eq!(c.outbox_counts().unwrap(), OutboxCounts { pending: 0, conflict: 1, failed: 1 });
    }

    #[test]
    fn an_edit_needs_a_cached_lead_and_a_change() {
        let (_d, mut c) = cache();
        assert!(matches!(c.queue_edit("nope", dispose("Quoted")), Err(CacheError::NotCached(_))));
        c.upsert(&[lead("a", "Rosa Diaz", "3125550199", "Chicago", 1)], None).unwrap();
        assert!(matches!(c.queue_edit("a", dispose("")), Err(CacheError::Edit(EditError::Empty))));
        assert!(c.outbox().unwrap().is_empty());
    }

    /// A cache written by each earlier version, with leads in it (and from version 2 a pending
    /// edit), opens under this one with its leads in order, searchable, and its outbox.
    #[test]
    fn every_earlier_version_is_upgraded_in_place() {
        for version in 1..SCHEMA_VERSION as usize {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.sqlite");
            {
                let mut conn = Connection::open(&path).unwrap();
                // Leads are written in version 3's layout (the last before V4 re-keyed them), then
                // the file is taken up to `version` by the steps themselves.
                let to = |conn: &mut Connection, v: usize| {
                    Migrations::new(STEPS[..v].iter().map(|sql| M::up(sql)).collect()).to_latest(conn).unwrap()
                };
                to(&mut conn, version.min(3));
                // Two leads received in the same millisecond, one later, one with no time.
                for (key, id, name, at) in [
                    (1, "a", "Rosa Diaz", Some("2026-11-01T00:00:00.000Z")),
                    (2, "b", "Bea Diaz", Some("2026-11-01T00:00:00.000Z")),
                    (3, "c", "Carl Lin", Some("2026-11-02T08:30:00.250Z")),
                    (4, "d", "Dee Diaz", None),
                ] {
                    conn.execute(
                        "INSERT INTO leads (key, id, name, phone_digits, created_at, synced_at)
                         VALUES (?1, ?2, ?3, '3125550199 5550199 0199', ?4, '')",
                        params![key, id, name, at],
                    )
                    .unwrap();
                    let doc = serde_json::json!({"_id": id, "name": name, "createdAt": at}).to_string();
                    conn.execute("INSERT INTO lead_docs (key, doc) VALUES (?1, ?2)", params![key, doc]).unwrap();
                }
                if version >= 2 {
                    conn.execute(
                        "INSERT INTO outbox (key, lead_id, fields, base, made_at)
                         VALUES ('k1', 'a', '{\"disposition\":\"Quoted\"}', '{}', '2026-11-03T00:00:00.000Z')",
                        [],
                    )
                    .unwrap();
                }
                to(&mut conn, version);
                assert_eq!(
                    conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(),
                    version as i64
                );
            }
            let mut c = LeadCache::open_at(&path).unwrap();
            assert_eq!(c.get("a").unwrap().map(|l| l.name), Some("Rosa Diaz".into()), "from version {version}");
            let all = c.page(&CacheQuery { limit: 10, ..CacheQuery::default() }).unwrap();
            assert_eq!(ids(all), ["c", "b", "a", "d"], "newest first, ties in arrival order, no time last");
            assert_eq!(search(&c, "diaz"), ["b", "a", "d"], "the search index came along");
            assert_eq!(search(&c, "0199"), ["c", "b", "a", "d"], "phone digits too");
            c.remove(&["b".into()]).unwrap();
            assert_eq!(search(&c, "diaz"), ["a", "d"]);
            let pending = c.outbox().unwrap().into_iter().map(|q| q.key).collect::<Vec<_>>();
            assert_eq!(pending, if version >= 2 { vec!["k1".to_owned()] } else { vec![] }, "from version {version}");
            c.queue_edit("a", dispose("Quoted")).unwrap();
            assert_eq!(
                c.conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(),
                SCHEMA_VERSION
            );
        }
    }

    #[test]
    fn queries_are_built_from_words_and_digit_runs() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("(312) 555-0199").as_deref(), Some("phone_digits : \"3125550199\"*"));
        assert_eq!(fts_query("Ann B").as_deref(), Some("{name email city} : \"ann\"* AND {name email city} : \"b\"*"));
        assert_eq!(phone_tokens("(312) 555"), "312555 2555");
        assert_eq!(phone_tokens("+1 (312) 555-0199"), "13125550199 3125550199 5550199 0199");
    }
}
