//! The local lead cache: one SQLite file per account and server, so the rep's book is at hand
//! with no connection. Each lead is kept whole, as the server sent it (`lead_docs`), apart from the
//! narrow rows the list filters and sorts on (`leads`), with a full-text index over name, phone
//! digits, email and city.
//!
//! Phone digits are indexed as all their suffixes ("3125550199 125550199 … 0199"), so a prefix
//! query finds any run of digits, as reps type them ("0199", "555 01").

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use crokodial_core::api::LeadChange;
use crokodial_core::Lead;
use rusqlite::{params, Connection, OptionalExtension};
use rusqlite_migration::{Migrations, M};

use crate::home::Home;

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

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1)])
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

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
}

/// One page of the cached list: newest first, optionally narrowed by a search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheQuery {
    pub search: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

pub struct LeadCache {
    conn: Connection,
}

/// The cache as the engine's tasks share it (the lead feed writes, sync writes, the UI reads).
pub type SharedCache = std::sync::Arc<tokio::sync::Mutex<LeadCache>>;

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
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(CacheError::TooNew { path: path.display().to_string(), found, known: SCHEMA_VERSION });
        }
        migrations().to_latest(&mut conn)?;
        Ok(LeadCache { conn })
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
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let tx = self.conn.transaction()?;
        {
            let mut row = tx.prepare_cached(
                "INSERT INTO leads (id, name, phone_digits, email, city, state, source, disposition,
                                    created_at, updated_at, server_seq, synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (id) DO UPDATE SET
                    name = excluded.name, phone_digits = excluded.phone_digits,
                    email = excluded.email, city = excluded.city, state = excluded.state,
                    source = excluded.source, disposition = excluded.disposition,
                    created_at = excluded.created_at, updated_at = excluded.updated_at,
                    server_seq = excluded.server_seq, synced_at = excluded.synced_at
                 RETURNING key",
            )?;
            let mut doc = tx.prepare_cached("INSERT OR REPLACE INTO lead_docs (key, doc) VALUES (?1, ?2)")?;
            for (lead, seq) in leads {
                let ts = |t: Option<chrono::DateTime<Utc>>| t.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true));
                let key: i64 = row.query_row(
                    params![
                        lead.id,
                        lead.name,
                        phone_suffixes(lead.phone.as_deref().unwrap_or_default()),
                        lead.email.as_deref().unwrap_or_default(),
                        lead.city.as_deref().unwrap_or_default(),
                        lead.state,
                        lead.source.map(|s| s.as_str()),
                        lead.disposition,
                        ts(lead.created_at),
                        ts(lead.updated_at),
                        seq.map(|s| s as i64),
                        now,
                    ],
                    |r| r.get(0),
                )?;
                // Without its empty fields: less than half the size, and it reads back whole.
                doc.execute(params![key, serde_json::to_string(&lead.filled_fields())?])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets leads the server deleted.
    pub fn remove(&mut self, ids: &[String]) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        for id in ids {
            tx.execute("DELETE FROM leads WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Option<Lead>, CacheError> {
        let doc: Option<String> = self
            .conn
            .query_row("SELECT d.doc FROM leads l JOIN lead_docs d USING (key) WHERE l.id = ?1", [id], |r| r.get(0))
            .optional()?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    /// One page of leads, newest first, and how many match in all.
    pub fn page(&self, q: &CacheQuery) -> Result<(Vec<Lead>, u64), CacheError> {
        let (limit, offset) = (q.limit.clamp(1, 1000), q.offset);
        let (total, docs): (i64, Vec<String>) = match q.search.as_deref().and_then(fts_query) {
            // The index finds the matches; only they are fetched and sorted.
            Some(matcher) => {
                let total = self.conn.query_row(
                    "SELECT count(*) FROM leads_fts WHERE leads_fts MATCH ?1",
                    [&matcher],
                    |r| r.get(0),
                )?;
                // The matches are sorted on the narrow list rows; only the page's leads are read whole.
                let mut stmt = self.conn.prepare_cached(
                    "SELECT d.doc FROM (
                         SELECT l.key, l.created_at, l.id FROM leads_fts f JOIN leads l ON l.key = f.rowid
                         WHERE leads_fts MATCH ?1 ORDER BY l.created_at DESC, l.id LIMIT ?2 OFFSET ?3
                     ) page JOIN lead_docs d USING (key) ORDER BY page.created_at DESC, page.id",
                )?;
                let docs = stmt.query_map(params![matcher, limit, offset], |r| r.get(0))?.collect::<Result<_, _>>()?;
                (total, docs)
            }
            None => {
                let total = self.conn.query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?;
                let mut stmt = self.conn.prepare_cached(
                    "SELECT d.doc FROM leads l JOIN lead_docs d USING (key)
                         ORDER BY l.created_at DESC, l.id LIMIT ?1 OFFSET ?2",
                )?;
                let docs = stmt.query_map(params![limit, offset], |r| r.get(0))?.collect::<Result<_, _>>()?;
                (total, docs)
            }
        };
        let leads = docs.iter().map(|d| serde_json::from_str(d)).collect::<Result<_, _>>()?;
        Ok((leads, total as u64))
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

/// Every suffix of a phone's digits, longest first, so a prefix query matches any run of them.
fn phone_suffixes(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (0..digits.len().saturating_sub(2)).map(|i| &digits[i..]).collect::<Vec<_>>().join(" ")
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
        ids(c.page(&CacheQuery { search: Some(s.into()), limit: 50, offset: 0 }).unwrap())
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
        let first = c.page(&CacheQuery { search: None, limit: 1, offset: 0 }).unwrap();
        assert_eq!((ids(first.clone()), first.1), (vec!["b".to_owned()], 2));
        assert_eq!(ids(c.page(&CacheQuery { search: None, limit: 1, offset: 1 }).unwrap()), ["a"]);
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
        assert_eq!(search(&c, "0199"), ["a"], "four digits anywhere in the phone");
        assert_eq!(search(&c, "555-01"), ["c", "b", "a"]);
        assert_eq!(search(&c, "hobo"), ["b"]);
        assert_eq!(search(&c, "bea@exa"), ["b"]);
        assert_eq!(search(&c, "rosa chicago"), ["a"], "every word must match");
        assert!(search(&c, "nobody").is_empty());
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
        assert_eq!(c.count().unwrap(), 0);
    }

    #[test]
    fn hostile_search_text_is_just_text() {
        let (_d, mut c) = cache();
        c.upsert(&[lead("a", "O\"Brien NEAR", "3125550199", "Chicago", 1)], None).unwrap();
        for s in ["\"", "NEAR(", "*", "a OR b", "name:x", "'; DROP TABLE leads; --", "\u{0}", "{name}", "- -"] {
            assert!(c.page(&CacheQuery { search: Some(s.into()), limit: 10, offset: 0 }).is_ok(), "{s:?}");
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

    #[test]
    fn queries_are_built_from_words_and_digit_runs() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("(312) 555-0199").as_deref(), Some("phone_digits : \"3125550199\"*"));
        assert_eq!(fts_query("Ann B").as_deref(), Some("{name email city} : \"ann\"* AND {name email city} : \"b\"*"));
        assert_eq!(phone_suffixes("(312) 555"), "312555 12555 2555 555");
    }
}
