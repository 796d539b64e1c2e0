//! The SQLite store: one file, WAL, foreign keys on, one connection behind a mutex.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use crokodial_core::api::{
    DemoAccount, ImportStats, LastLead, LeadQuery, MemberUpdate, Role, SortBy, SortDirection, NO_DISPOSITION,
};
use crokodial_core::{parse_rfc3339, rfc3339};
use crokodial_core::{Lead, LeadSource};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use super::{
    migrations, CallRecorded, Change, ClaimOutcome, DispositionEdit, EditCommand, EditOutcome, MemberChange, OfferEnd,
    OfferRecord, OpenRoute, RouteRecord, Store, StoreError, StoreResult, UserRecord, WebhookCredentials,
    SCHEMA_VERSION,
};
use crokodial_core::calls::{Call, CallReport, CallTally, DoNotCall, DoNotCallEntry, Outcome};
use crokodial_core::edit::{self, Disposition, DispositionChange, Standing};
use crokodial_core::followups::FollowUp;
use crokodial_core::routing::{Claim, Offer, Offeree, RoutingMode, RoutingSettings};

pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// Dropping it stops the checkpoint thread.
    _checkpoints: std::sync::mpsc::Sender<()>,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`. Refuses a database whose
    /// schema is newer than this build.
    pub fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Task(format!("creating {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: path.display().to_string(), found, known: SCHEMA_VERSION });
        }
        migrations().to_latest(&mut conn)?;
        // Checkpoints copy the WAL into the database and sync it: tens of milliseconds. Left to
        // SQLite they run inside the commit that crosses the threshold, in a webhook's hot path
        // (the bench's p99 was 14 ms with them there, 1.5 ms without), so a thread of their own
        // does them instead.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpoints = spawn_checkpointer(path)?;
        Ok(SqliteStore { conn: Mutex::new(conn), _checkpoints: checkpoints })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent: keep going.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn role_from(s: &str) -> Role {
    if s == "admin" {
        Role::Admin
    } else {
        Role::User
    }
}

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        role: role_from(&r.get::<_, String>(4)?),
        password_hash: r.get(5)?,
        active: r.get(6)?,
        invite_hash: r.get(7)?,
        textdrip_connected: r.get(8)?,
        invited_at: r.get::<_, Option<String>>(9)?.as_deref().and_then(parse_rfc3339),
        available: r.get(10)?,
    })
}

const USER_COLS: &str =
    "id, tenant_id, email, name, role, password_hash, active, invite_hash, textdrip_connected, invited_at, available";

/// The tenant's calls where `filter` (on `?2`) holds, newest first, with their callers' names.
fn read_calls(conn: &Connection, tenant_id: &str, filter: &str, value: &str) -> StoreResult<Vec<Call>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id, c.lead_id, c.phone, c.at, c.outcome, c.note, c.user_id, u.name
           FROM calls c LEFT JOIN users u ON u.id = c.user_id
          WHERE c.tenant_id = ?1 AND c.{filter}
          ORDER BY c.at DESC, c.id"
    ))?;
    let rows = stmt.query_map([tenant_id, value], |r| {
        Ok(Call {
            id: r.get(0)?,
            lead_id: r.get(1)?,
            phone: r.get(2)?,
            at: parse_rfc3339(&r.get::<_, String>(3)?).unwrap_or_default(),
            outcome: r.get::<_, Option<String>>(4)?.as_deref().and_then(Outcome::parse),
            note: r.get(5)?,
            by: r.get(6)?,
            by_name: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The tenant's dispositions in their order.
fn read_dispositions(conn: &Connection, tenant_id: &str) -> StoreResult<Vec<Disposition>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, color, emoji, is_default, sort_order FROM dispositions WHERE tenant_id = ?1
          ORDER BY sort_order, name",
    )?;
    let rows = stmt.query_map([tenant_id], |r| {
        Ok(Disposition {
            id: r.get(0)?,
            name: r.get(1)?,
            color: r.get(2)?,
            emoji: r.get(3)?,
            is_default: r.get(4)?,
            sort_order: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The user's follow-ups where `filter` (on `?3`) holds, by due time, pins last.
fn read_followups(conn: &Connection, user: &UserRecord, filter: &str, value: &str) -> StoreResult<Vec<FollowUp>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, lead_id, due, note, done_at, updated_at FROM followups
          WHERE tenant_id = ?1 AND user_id = ?2 AND {filter}
          ORDER BY due IS NULL, due, id"
    ))?;
    let time = |t: Option<String>| t.as_deref().and_then(parse_rfc3339);
    let rows = stmt.query_map([&user.tenant_id, &user.id, value], |r| {
        Ok(FollowUp {
            id: r.get(0)?,
            lead_id: r.get(1)?,
            due: time(r.get(2)?),
            note: r.get(3)?,
            done_at: time(r.get(4)?),
            updated_at: time(r.get(5)?).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Puts `phone` on the user's tenant's do-not-call list, once, and marks its leads; answers the
/// leads changed.
fn list_do_not_call(conn: &Connection, user: &UserRecord, phone: &str, now: DateTime<Utc>) -> StoreResult<Vec<Change>> {
    let added = conn.execute(
        "INSERT INTO do_not_call (tenant_id, phone, by_id, by_name, at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (tenant_id, phone) DO NOTHING",
        params![user.tenant_id, phone, user.id, user.name, rfc3339(now)],
    )?;
    if added == 0 {
        return Ok(Vec::new());
    }
    mark_leads(conn, &user.tenant_id, phone, Some(DoNotCall { by: user.id.clone(), name: user.name.clone(), at: now }))
}

/// Sets (or clears) the do-not-call mark on each of the tenant's leads with `phone`.
fn mark_leads(conn: &Connection, tenant_id: &str, phone: &str, mark: Option<DoNotCall>) -> StoreResult<Vec<Change>> {
    let docs: Vec<String> = conn
        .prepare_cached("SELECT doc FROM leads WHERE tenant_id = ?1 AND phone = ?2")?
        .query_map([tenant_id, phone], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut changes = Vec::with_capacity(docs.len());
    for doc in docs {
        let mut lead: Lead = serde_json::from_str(&doc)?;
        if lead.do_not_call == mark {
            continue;
        }
        lead.do_not_call = mark.clone();
        lead.updated_at = Some(Utc::now());
        let seq = next_seq(conn, tenant_id)?;
        let created_seq = update_lead(conn, &lead, seq)?;
        changes.push(Change { lead, seq, created_seq });
    }
    Ok(changes)
}

/// The do-not-call mark a new lead of the tenant with `phone` takes, if its phone is listed.
fn listed_mark(conn: &Connection, tenant_id: &str, phone: Option<&str>) -> StoreResult<Option<DoNotCall>> {
    let Some(phone) = phone.filter(|p| !p.is_empty()) else { return Ok(None) };
    Ok(conn
        .query_row(
            "SELECT by_id, by_name, at FROM do_not_call WHERE tenant_id = ?1 AND phone = ?2",
            [tenant_id, phone],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
        )
        .optional()?
        .map(|(by, name, at)| DoNotCall { by, name, at: parse_rfc3339(&at).unwrap_or_default() }))
}

/// A lead's tally, counted from its calls: how many, and the latest.
fn call_tally(conn: &Connection, tenant_id: &str, lead_id: &str) -> StoreResult<Option<CallTally>> {
    let latest: Option<(u32, String, Option<String>)> = conn
        .query_row(
            "SELECT count(*) OVER (), at, outcome FROM calls WHERE tenant_id = ?1 AND lead_id = ?2
              ORDER BY at DESC, id LIMIT 1",
            [tenant_id, lead_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(latest.and_then(|(count, at, outcome)| {
        Some(CallTally {
            count,
            last_at: parse_rfc3339(&at)?,
            last_outcome: outcome.as_deref().and_then(Outcome::parse),
        })
    }))
}

/// Takes the tenant's next sequence number (call inside the write's transaction).
fn next_seq(conn: &Connection, tenant_id: &str) -> StoreResult<u64> {
    let seq: i64 = conn.query_row(
        "INSERT INTO tenant_seq (tenant_id, last_seq) VALUES (?1, 1)
         ON CONFLICT (tenant_id) DO UPDATE SET last_seq = last_seq + 1
         RETURNING last_seq",
        [tenant_id],
        |r| r.get(0),
    )?;
    Ok(seq as u64)
}

fn insert_lead(conn: &Connection, lead: &Lead, vendor_key: Option<&str>, seq: u64) -> StoreResult<()> {
    let created = rfc3339(lead.created_at.unwrap_or_else(Utc::now));
    conn.execute(
        "INSERT INTO leads (id, tenant_id, assigned_to, name, first_name, last_name, email, phone, state,
                            disposition, source, time_zone, created_at, vendor_key, doc, seq, created_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
        params![
            lead.id,
            lead.tenant_id.as_deref().unwrap_or_default(),
            lead.assigned_to,
            lead.name,
            lead.first_name,
            lead.last_name,
            lead.email,
            lead.phone,
            lead.state,
            lead.disposition,
            lead.source.map(LeadSource::as_str),
            lead.time_zone,
            created,
            vendor_key,
            serde_json::to_string(lead)?,
            seq as i64,
        ],
    )?;
    Ok(())
}

fn update_lead(conn: &Connection, lead: &Lead, seq: u64) -> StoreResult<u64> {
    let created_seq: i64 = conn.query_row(
        "UPDATE leads SET assigned_to = ?2, name = ?3, first_name = ?4, last_name = ?5, email = ?6, phone = ?7,
                state = ?8, disposition = ?9, source = ?10, time_zone = ?11, doc = ?12, seq = ?13
         WHERE id = ?1
         RETURNING created_seq",
        params![
            lead.id,
            lead.assigned_to,
            lead.name,
            lead.first_name,
            lead.last_name,
            lead.email,
            lead.phone,
            lead.state,
            lead.disposition,
            lead.source.map(LeadSource::as_str),
            lead.time_zone,
            serde_json::to_string(lead)?,
            seq as i64,
        ],
        |r| r.get(0),
    )?;
    Ok(created_seq as u64)
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// `?, ?, ?` for `n` values.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The WHERE clause (fixed SQL text) and its parameters for a lead query.
fn lead_filter(tenant_id: &str, q: &LeadQuery) -> (String, Vec<Value>) {
    let mut sql = String::from("tenant_id = ?");
    let mut args = vec![Value::Text(tenant_id.to_owned())];

    if let Some(search) = &q.search {
        let pattern = escape_like(search);
        sql.push_str(
            " AND (name LIKE ? ESCAPE '\\' OR first_name LIKE ? ESCAPE '\\' OR last_name LIKE ? ESCAPE '\\'
                   OR email LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\'",
        );
        args.extend(std::iter::repeat_n(Value::Text(pattern), 5));
        // "(555) 210-20" finds 5552102030: phones are stored as bare digits.
        let digits: String = search.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 3 {
            sql.push_str(" OR phone LIKE ?");
            args.push(Value::Text(format!("%{digits}%")));
        }
        sql.push(')');
    }
    if !q.states.is_empty() {
        sql.push_str(&format!(" AND state IN ({})", placeholders(q.states.len())));
        args.extend(q.states.iter().map(|s| Value::Text(s.to_uppercase())));
    }
    if !q.dispositions.is_empty() {
        let (none, named): (Vec<&String>, Vec<&String>) =
            q.dispositions.iter().partition(|d| d.eq_ignore_ascii_case(NO_DISPOSITION));
        let mut alts = Vec::new();
        if !none.is_empty() {
            alts.push("disposition IS NULL OR disposition = ''".to_owned());
        }
        if !named.is_empty() {
            alts.push(format!("disposition IN ({})", placeholders(named.len())));
            args.extend(named.into_iter().map(|d| Value::Text(d.clone())));
        }
        sql.push_str(&format!(" AND ({})", alts.join(" OR ")));
    }
    if !q.sources.is_empty() {
        sql.push_str(&format!(" AND source IN ({})", placeholders(q.sources.len())));
        args.extend(
            q.sources
                .iter()
                .map(|s| Value::Text(LeadSource::parse(s).map(|s| s.as_str().to_owned()).unwrap_or_else(|| s.clone()))),
        );
    }
    if let Some(key) = &q.pipeline_source {
        // An unknown key cannot get here (LeadQuery validates it); match nothing if it does.
        let source = LeadSource::ALL.into_iter().find(|s| s.pipeline_key() == key);
        sql.push_str(" AND source = ?");
        args.push(source.map_or(Value::Null, |s| Value::Text(s.as_str().to_owned())));
    }
    (sql, args)
}

fn order_by(q: &LeadQuery) -> String {
    let col = match q.sort_by {
        SortBy::CreatedAt => "created_at",
        SortBy::Name => "name COLLATE NOCASE",
        SortBy::Email => "email COLLATE NOCASE",
        SortBy::Phone => "phone",
        SortBy::State => "state",
        SortBy::Disposition => "disposition COLLATE NOCASE",
        SortBy::TimeZone => "time_zone",
    };
    let dir = match q.sort_direction {
        SortDirection::Asc => "ASC",
        SortDirection::Desc => "DESC",
    };
    // The id breaks ties, so pages are stable.
    format!("{col} {dir}, id {dir}")
}

impl Store for SqliteStore {
    fn insert_user(&self, user: &UserRecord) -> StoreResult<()> {
        let res = self.conn().execute(
            "INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, active, invite_hash,
                                textdrip_connected, invited_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                user.id,
                user.tenant_id,
                user.email,
                user.name,
                user.role.as_str(),
                user.password_hash,
                rfc3339(Utc::now()),
                user.active,
                user.invite_hash,
                user.textdrip_connected,
                user.invited_at.map(rfc3339),
            ],
        );
        match res {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                Err(StoreError::EmailTaken(user.email.clone()))
            }
            other => other.map(drop).map_err(Into::into),
        }
    }

    fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE email = ?1");
        Ok(self.conn().query_row(&sql, [email.trim()], user_from_row).optional()?)
    }

    fn update_profile(
        &self,
        user_id: &str,
        name: Option<&str>,
        email: Option<&str>,
        password_hash: Option<&str>,
    ) -> StoreResult<Option<UserRecord>> {
        let res = self.conn().execute(
            "UPDATE users SET name = coalesce(?2, name), email = coalesce(?3, email),
                    password_hash = coalesce(?4, password_hash)
              WHERE id = ?1",
            params![user_id, name, email, password_hash],
        );
        match res {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                return Err(StoreError::EmailTaken(email.unwrap_or_default().to_owned()));
            }
            other => other?,
        };
        self.user_by_id(user_id)
    }

    fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], user_from_row).optional()?)
    }

    fn tenant_exists(&self, tenant_id: &str) -> StoreResult<bool> {
        Ok(self
            .conn()
            .query_row("SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id = ?1)", [tenant_id], |r| r.get(0))?)
    }

    fn team(&self, tenant_id: &str) -> StoreResult<Vec<UserRecord>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE tenant_id = ?1 ORDER BY created_at, id");
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let users = stmt.query_map([tenant_id], user_from_row)?.collect::<Result<_, _>>()?;
        Ok(users)
    }

    fn update_member(&self, tenant_id: &str, user_id: &str, update: &MemberUpdate) -> StoreResult<MemberChange> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = ?1 AND tenant_id = ?2");
        let Some(mut user) = tx.query_row(&sql, [user_id, tenant_id], user_from_row).optional()? else {
            return Ok(MemberChange::NotFound);
        };
        if let Some(role) = update.role {
            user.role = role;
        }
        if let Some(active) = update.active {
            user.active = active;
        }
        tx.execute(
            "UPDATE users SET role = ?2, active = ?3 WHERE id = ?1",
            params![user.id, user.role.as_str(), user.active],
        )?;
        let admins: i64 = tx.query_row(
            "SELECT count(*) FROM users WHERE tenant_id = ?1 AND role = 'admin' AND active AND invite_hash IS NULL",
            [tenant_id],
            |r| r.get(0),
        )?;
        if admins == 0 {
            return Ok(MemberChange::LastAdmin);
        }
        tx.commit()?;
        Ok(MemberChange::Updated(user))
    }

    fn accept_invite(&self, user_id: &str, invite_hash: &str, password_hash: &str) -> StoreResult<bool> {
        let changed = self.conn().execute(
            "UPDATE users SET password_hash = ?3, invite_hash = NULL WHERE id = ?1 AND invite_hash = ?2",
            params![user_id, invite_hash, password_hash],
        )?;
        Ok(changed == 1)
    }

    fn renew_invite(&self, tenant_id: &str, user_id: &str, invite_hash: &str) -> StoreResult<Option<UserRecord>> {
        let changed = self.conn().execute(
            "UPDATE users SET invite_hash = ?3, invited_at = ?4
              WHERE id = ?1 AND tenant_id = ?2 AND invite_hash IS NOT NULL",
            params![user_id, tenant_id, invite_hash, rfc3339(Utc::now())],
        )?;
        if changed == 0 {
            return Ok(None);
        }
        self.user_by_id(user_id)
    }

    fn set_textdrip_connected(&self, user_id: &str, connected: bool) -> StoreResult<()> {
        self.conn().execute("UPDATE users SET textdrip_connected = ?2 WHERE id = ?1", params![user_id, connected])?;
        Ok(())
    }

    fn replace_credentials(&self, tenant_id: &str, new: &WebhookCredentials) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO webhook_credentials (tenant_id, sid, apikey, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id) DO UPDATE SET sid = ?2, apikey = ?3, created_at = ?4",
            params![tenant_id, new.sid, new.apikey, rfc3339(Utc::now())],
        )?;
        Ok(())
    }

    fn last_lead_from(&self, tenant_id: &str, source: &str) -> StoreResult<Option<LastLead>> {
        let row: Option<(String, String, String)> = self
            .conn()
            .query_row(
                "SELECT id, name, created_at FROM leads INDEXED BY leads_tenant_created
                  WHERE tenant_id = ?1 AND source = ?2 ORDER BY created_at DESC, id DESC LIMIT 1",
                [tenant_id, source],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(row.and_then(|(id, name, at)| {
            let received_at = parse_rfc3339(&at)?;
            Some(LastLead { id, name, received_at })
        }))
    }

    fn ensure_credentials(&self, tenant_id: &str, candidate: WebhookCredentials) -> StoreResult<WebhookCredentials> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO webhook_credentials (tenant_id, sid, apikey, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id) DO NOTHING",
            params![tenant_id, candidate.sid, candidate.apikey, rfc3339(Utc::now())],
        )?;
        Ok(conn.query_row("SELECT sid, apikey FROM webhook_credentials WHERE tenant_id = ?1", [tenant_id], |r| {
            Ok(WebhookCredentials { sid: r.get(0)?, apikey: r.get(1)? })
        })?)
    }

    fn tenant_by_credentials(&self, sid: &str, apikey: &str) -> StoreResult<Option<String>> {
        let row: Option<(String, String)> = self
            .conn()
            .query_row("SELECT tenant_id, apikey FROM webhook_credentials WHERE sid = ?1", [sid], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        Ok(row.filter(|(_, key)| crate::auth::constant_time_eq(key.as_bytes(), apikey.as_bytes())).map(|(t, _)| t))
    }

    fn upsert_lead(&self, mut lead: Lead, vendor_key: Option<&str>, route: Option<&Offer>) -> StoreResult<Change> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let tenant = lead.tenant_id.clone().unwrap_or_default();
        let existing: Option<String> = match vendor_key {
            Some(key) => tx
                .query_row("SELECT doc FROM leads WHERE tenant_id = ?1 AND vendor_key = ?2", [&tenant, key], |r| {
                    r.get(0)
                })
                .optional()?,
            None => None,
        };
        let seq = next_seq(&tx, &tenant)?;
        let created_seq = match existing {
            Some(doc) => {
                let old: Lead = serde_json::from_str(&doc)?;
                lead.id = old.id;
                lead.created_at = old.created_at;
                lead.assigned_to = old.assigned_to;
                lead.disposition = old.disposition;
                lead.status = old.status;
                lead.notes = old.notes;
                lead.claim = old.claim;
                lead.calls = old.calls;
                lead.time_zone = lead.time_zone.or(old.time_zone);
                lead.do_not_call = listed_mark(&tx, &tenant, lead.phone.as_deref())?;
                update_lead(&tx, &lead, seq)?
            }
            None => {
                lead.do_not_call = listed_mark(&tx, &tenant, lead.phone.as_deref())?;
                insert_lead(&tx, &lead, vendor_key, seq)?;
                if let Some(offer) = route {
                    insert_route(&tx, &lead, offer)?;
                }
                seq
            }
        };
        tx.commit()?;
        Ok(Change { lead, seq, created_seq })
    }

    fn edit_leads(
        &self,
        leads: &[(String, String)],
        edit: &mut dyn FnMut(&mut Lead) -> bool,
    ) -> StoreResult<Vec<Change>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut changes = Vec::new();
        for (tenant_id, id) in leads {
            let doc: Option<String> = tx
                .query_row("SELECT doc FROM leads WHERE tenant_id = ?1 AND id = ?2", [tenant_id, id], |r| r.get(0))
                .optional()?;
            let Some(doc) = doc else { continue };
            let mut lead: Lead = serde_json::from_str(&doc)?;
            if !edit(&mut lead) {
                continue;
            }
            lead.updated_at = Some(Utc::now());
            let seq = next_seq(&tx, tenant_id)?;
            let created_seq = update_lead(&tx, &lead, seq)?;
            changes.push(Change { lead, seq, created_seq });
        }
        tx.commit()?;
        Ok(changes)
    }

    fn edit_lead(&self, cmd: EditCommand<'_>) -> StoreResult<EditOutcome> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let doc: Option<String> = tx
            .query_row("SELECT doc FROM leads WHERE tenant_id = ?1 AND id = ?2", [cmd.tenant_id, cmd.lead_id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(doc) = doc else { return Ok(EditOutcome::NotFound) };
        let mut lead: Lead = serde_json::from_str(&doc)?;
        if let Some(key) = cmd.key {
            let seen: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM lead_edits WHERE tenant_id = ?1 AND key = ?2)",
                [cmd.tenant_id, key],
                |r| r.get(0),
            )?;
            if seen {
                return Ok(EditOutcome::Unchanged(lead));
            }
        }
        if let Some(base) = cmd.base {
            if let Standing::Conflict(fields) = edit::standing(cmd.fields, base, &lead) {
                return Ok(EditOutcome::Conflict { fields, lead });
            }
        }
        let outcome = if edit::apply(cmd.fields, &mut lead) {
            if cmd.fields.contains_key(&edit::EditField::Phone) {
                // One spelling of a phone, so the do-not-call list and de-duplication find it.
                if let Some(national) = lead.phone.as_deref().and_then(crokodial_core::phone::normalize_us) {
                    lead.phone = Some(national);
                }
                lead.do_not_call = listed_mark(&tx, cmd.tenant_id, lead.phone.as_deref())?;
            }
            lead.updated_at = Some(Utc::now());
            let seq = next_seq(&tx, cmd.tenant_id)?;
            let created_seq = update_lead(&tx, &lead, seq)?;
            EditOutcome::Applied(Change { lead, seq, created_seq })
        } else {
            EditOutcome::Unchanged(lead)
        };
        if let Some(key) = cmd.key {
            let seq = match &outcome {
                EditOutcome::Applied(c) => Some(c.seq as i64),
                _ => None,
            };
            tx.execute(
                "INSERT INTO lead_edits (tenant_id, key, lead_id, user_id, fields, seq, applied_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    cmd.tenant_id,
                    key,
                    cmd.lead_id,
                    cmd.user_id,
                    serde_json::to_string(cmd.fields)?,
                    seq,
                    rfc3339(Utc::now())
                ],
            )?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    fn delete_lead(&self, tenant_id: &str, id: &str) -> StoreResult<Option<u64>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if tx.execute("DELETE FROM leads WHERE tenant_id = ?1 AND id = ?2", [tenant_id, id])? == 0 {
            return Ok(None);
        }
        // Nothing left to offer or to count.
        tx.execute("DELETE FROM lead_routes WHERE tenant_id = ?1 AND lead_id = ?2", [tenant_id, id])?;
        tx.execute("DELETE FROM route_offers WHERE tenant_id = ?1 AND lead_id = ?2", [tenant_id, id])?;
        // Nobody is called back about a lead that is gone.
        tx.execute(
            "UPDATE followups SET deleted = 1, updated_at = ?3 WHERE tenant_id = ?1 AND lead_id = ?2",
            params![tenant_id, id, rfc3339(Utc::now())],
        )?;
        let seq = next_seq(&tx, tenant_id)?;
        tx.execute(
            "INSERT INTO lead_tombstones (tenant_id, lead_id, seq, deleted_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id, lead_id) DO UPDATE SET seq = excluded.seq, deleted_at = excluded.deleted_at",
            params![tenant_id, id, seq as i64, rfc3339(Utc::now())],
        )?;
        tx.commit()?;
        Ok(Some(seq))
    }

    fn deleted_between(&self, tenant_id: &str, after: u64, upto: u64) -> StoreResult<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT lead_id FROM lead_tombstones WHERE tenant_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq",
        )?;
        let ids = stmt.query_map(params![tenant_id, after as i64, upto as i64], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    fn changes_after(&self, tenant_id: &str, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT doc, seq, created_seq FROM leads WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![tenant_id, after as i64, limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (doc, seq, created_seq) = row?;
            out.push(Change { lead: serde_json::from_str(&doc)?, seq: seq as u64, created_seq: created_seq as u64 });
        }
        Ok(out)
    }

    fn last_seq(&self, tenant_id: &str) -> StoreResult<u64> {
        let seq: Option<i64> = self
            .conn()
            .query_row("SELECT last_seq FROM tenant_seq WHERE tenant_id = ?1", [tenant_id], |r| r.get(0))
            .optional()?;
        Ok(seq.unwrap_or(0) as u64)
    }

    fn import_leads(&self, tenant_id: &str, leads: Vec<Lead>, batch_id: Option<&str>) -> StoreResult<ImportStats> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if let Some(batch) = batch_id {
            let done = tx
                .query_row(
                    "SELECT imported, updated, unchanged FROM import_batches WHERE tenant_id = ?1 AND batch_id = ?2",
                    [tenant_id, batch],
                    |r| Ok(ImportStats { imported: r.get(0)?, updated: r.get(1)?, unchanged: r.get(2)? }),
                )
                .optional()?;
            if let Some(stats) = done {
                return Ok(stats);
            }
        }
        let mut stats = ImportStats::default();
        {
            let mut by_phone = tx.prepare_cached(
                "SELECT doc FROM leads WHERE tenant_id = ?1 AND phone = ?2 ORDER BY created_seq LIMIT 1",
            )?;
            let mut by_email = tx.prepare_cached(
                "SELECT doc FROM leads WHERE tenant_id = ?1 AND email = ?2 ORDER BY created_seq LIMIT 1",
            )?;
            let mut by_vendor_key =
                tx.prepare_cached("SELECT doc FROM leads WHERE tenant_id = ?1 AND vendor_key = ?2")?;
            for lead in leads {
                let mut existing = None;
                for (query, key) in [
                    (&mut by_phone, lead.phone.as_deref()),
                    (&mut by_email, lead.email.as_deref()),
                    (&mut by_vendor_key, lead.lead_id.as_deref()),
                ] {
                    if let Some(key) = key.filter(|k| !k.is_empty()) {
                        existing = query.query_row([tenant_id, key], |r| r.get::<_, String>(0)).optional()?;
                        if existing.is_some() {
                            break;
                        }
                    }
                }
                match existing {
                    Some(doc) => {
                        let mut stored: Lead = serde_json::from_str(&doc)?;
                        if stored.absorb_import(&lead) {
                            stored.updated_at = lead.updated_at.or(Some(Utc::now()));
                            update_lead(&tx, &stored, next_seq(&tx, tenant_id)?)?;
                            stats.updated += 1;
                        } else {
                            stats.unchanged += 1;
                        }
                    }
                    None => {
                        let mut lead = lead;
                        lead.do_not_call = listed_mark(&tx, tenant_id, lead.phone.as_deref())?;
                        insert_lead(&tx, &lead, lead.lead_id.as_deref(), next_seq(&tx, tenant_id)?)?;
                        stats.imported += 1;
                    }
                }
            }
        }
        if let Some(batch) = batch_id {
            tx.execute(
                "INSERT INTO import_batches (tenant_id, batch_id, imported, updated, unchanged, done_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![tenant_id, batch, stats.imported, stats.updated, stats.unchanged, rfc3339(Utc::now())],
            )?;
        }
        tx.commit()?;
        Ok(stats)
    }

    fn insert_leads(&self, leads: &[Lead]) -> StoreResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for lead in leads {
            let seq = next_seq(&tx, lead.tenant_id.as_deref().unwrap_or_default())?;
            insert_lead(&tx, lead, lead.lead_id.as_deref(), seq)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn lead(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Lead>> {
        let doc: Option<String> = self
            .conn()
            .query_row("SELECT doc FROM leads WHERE tenant_id = ?1 AND id = ?2", [tenant_id, id], |r| r.get(0))
            .optional()?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    fn latest_change(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Change>> {
        let row: Option<(String, i64, i64)> = self
            .conn()
            .query_row(
                "SELECT doc, seq, created_seq FROM leads WHERE tenant_id = ?1 AND id = ?2",
                [tenant_id, id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((doc, seq, created_seq)) = row else { return Ok(None) };
        Ok(Some(Change { lead: serde_json::from_str(&doc)?, seq: seq as u64, created_seq: created_seq as u64 }))
    }

    fn query_leads(&self, tenant_id: &str, q: &LeadQuery) -> StoreResult<(Vec<Lead>, u64)> {
        let (filter, mut args) = lead_filter(tenant_id, q);
        let conn = self.conn();
        let total: i64 =
            conn.query_row(&format!("SELECT COUNT(*) FROM leads WHERE {filter}"), params_from_iter(&args), |r| {
                r.get(0)
            })?;
        let limit = i64::from(q.effective_limit());
        let offset = i64::from(q.page.max(1) - 1) * limit;
        args.push(Value::Integer(limit));
        args.push(Value::Integer(offset));
        let sql = format!("SELECT doc FROM leads WHERE {filter} ORDER BY {} LIMIT ? OFFSET ?", order_by(q));
        let mut stmt = conn.prepare(&sql)?;
        let docs = stmt.query_map(params_from_iter(&args), |r| r.get::<_, String>(0))?;
        let mut leads = Vec::new();
        for doc in docs {
            leads.push(serde_json::from_str(&doc?)?);
        }
        Ok((leads, total.max(0) as u64))
    }

    fn record_call(&self, user: &UserRecord, id: &str, report: &CallReport) -> StoreResult<CallRecorded> {
        let tenant_id = user.tenant_id.as_str();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let doc: Option<String> = tx
            .query_row("SELECT doc FROM leads WHERE tenant_id = ?1 AND id = ?2", [tenant_id, &report.lead_id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(doc) = doc else { return Ok(CallRecorded::LeadNotFound) };
        let mut lead: Lead = serde_json::from_str(&doc)?;
        let owner: Option<(String, String)> = tx
            .query_row("SELECT user_id, lead_id FROM calls WHERE tenant_id = ?1 AND id = ?2", [tenant_id, id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let note = report.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let outcome = report.outcome.map(Outcome::as_str);
        let raw = lead.phone.as_deref().unwrap_or_default();
        let dialled = crokodial_core::phone::normalize_us(raw).unwrap_or_else(|| raw.to_owned());
        match owner {
            Some((by, lead_id)) if by != user.id || lead_id != report.lead_id => return Ok(CallRecorded::NotYours),
            // Told again: the outcome and note (the attempt's time stays as first told).
            // Told again: the outcome and its note, together (the attempt's time stays).
            Some(_) => tx.execute(
                "UPDATE calls SET outcome = coalesce(?3, outcome), note = CASE WHEN ?3 IS NULL THEN note ELSE ?4 END
                  WHERE tenant_id = ?1 AND id = ?2",
                params![tenant_id, id, outcome, note],
            )?,
            None => tx.execute(
                "INSERT INTO calls (tenant_id, id, lead_id, user_id, phone, at, outcome, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![tenant_id, id, report.lead_id, user.id, dialled, rfc3339(report.at), outcome, note],
            )?,
        };
        let call = read_calls(&tx, tenant_id, "id = ?2", id)?.pop().ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let tally = call_tally(&tx, tenant_id, &report.lead_id)?;
        let mut changes = Vec::new();
        if lead.calls != tally {
            lead.calls = tally;
            lead.updated_at = Some(Utc::now());
            let seq = next_seq(&tx, tenant_id)?;
            let created_seq = update_lead(&tx, &lead, seq)?;
            changes.push(Change { lead: lead.clone(), seq, created_seq });
        }
        if call.outcome == Some(Outcome::DoNotCall) && !call.phone.is_empty() {
            changes.extend(list_do_not_call(&tx, user, &call.phone, Utc::now())?);
            if let Some(marked) = changes.iter().rev().find(|c| c.lead.id == lead.id) {
                lead = marked.lead.clone();
            }
        }
        tx.commit()?;
        Ok(CallRecorded::Kept { call, lead: Box::new(lead), changes })
    }

    fn put_followup(&self, user: &UserRecord, f: &FollowUp) -> StoreResult<Option<FollowUp>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let lead_exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM leads WHERE tenant_id = ?1 AND id = ?2)",
            [&user.tenant_id, &f.lead_id],
            |r| r.get(0),
        )?;
        if !lead_exists {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO followups (tenant_id, user_id, id, lead_id, due, note, done_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (tenant_id, user_id, id) DO UPDATE SET
                 lead_id = excluded.lead_id, due = excluded.due, note = excluded.note,
                 done_at = excluded.done_at, updated_at = excluded.updated_at, deleted = 0
             WHERE excluded.updated_at > followups.updated_at
                OR (excluded.updated_at = followups.updated_at AND followups.deleted = 0)",
            params![
                user.tenant_id,
                user.id,
                f.id,
                f.lead_id,
                f.due.map(rfc3339),
                f.note,
                f.done_at.map(rfc3339),
                rfc3339(f.updated_at)
            ],
        )?;
        let kept = read_followups(&tx, user, "id = ?3", &f.id)?.pop();
        tx.commit()?;
        Ok(kept)
    }

    fn followups(&self, user: &UserRecord, done_since: DateTime<Utc>) -> StoreResult<Vec<FollowUp>> {
        read_followups(&self.conn(), user, "deleted = 0 AND (done_at IS NULL OR done_at >= ?3)", &rfc3339(done_since))
    }

    fn delete_followup(&self, user: &UserRecord, id: &str) -> StoreResult<bool> {
        // Kept as a tombstone, so an older change of it sent later cannot bring it back.
        let n = self.conn().execute(
            "UPDATE followups SET deleted = 1, updated_at = max(updated_at, ?4)
              WHERE tenant_id = ?1 AND user_id = ?2 AND id = ?3 AND deleted = 0",
            params![user.tenant_id, user.id, id, rfc3339(Utc::now())],
        )?;
        Ok(n > 0)
    }

    fn dispositions(&self, tenant_id: &str) -> StoreResult<Vec<Disposition>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let seeded: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM dispositions WHERE tenant_id = ?1)", [tenant_id], |r| r.get(0))?;
        if !seeded {
            for d in edit::default_dispositions() {
                tx.execute(
                    "INSERT INTO dispositions (tenant_id, id, name, color, emoji, is_default, sort_order)
                     VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
                    params![tenant_id, crate::auth::new_object_id(), d.name, d.color, d.emoji, d.sort_order],
                )?;
            }
        }
        let found = read_dispositions(&tx, tenant_id)?;
        tx.commit()?;
        Ok(found)
    }

    fn add_disposition(&self, tenant_id: &str, change: &DispositionChange) -> StoreResult<Option<Disposition>> {
        self.dispositions(tenant_id)?;
        let conn = self.conn();
        let id = crate::auth::new_object_id();
        let added = conn.execute(
            "INSERT INTO dispositions (tenant_id, id, name, color, emoji, is_default, sort_order)
             SELECT ?1, ?2, ?3, ?4, ?5, 0, coalesce(max(sort_order) + 1, 0) FROM dispositions WHERE tenant_id = ?1
             ON CONFLICT DO NOTHING",
            params![
                tenant_id,
                id,
                change.name.as_deref().unwrap_or_default().trim(),
                change.color.as_deref().unwrap_or("#64748b"),
                change.emoji.as_deref().unwrap_or_default(),
            ],
        )?;
        if added == 0 {
            return Ok(None);
        }
        Ok(read_dispositions(&conn, tenant_id)?.into_iter().find(|d| d.id == id))
    }

    fn change_disposition(&self, tenant_id: &str, id: &str, c: &DispositionChange) -> StoreResult<DispositionEdit> {
        let conn = self.conn();
        let changed = conn.execute(
            "UPDATE OR IGNORE dispositions SET name = coalesce(?3, name), color = coalesce(?4, color),
                    emoji = coalesce(?5, emoji), sort_order = coalesce(?6, sort_order)
              WHERE tenant_id = ?1 AND id = ?2",
            params![tenant_id, id, c.name.as_deref().map(str::trim), c.color, c.emoji, c.sort_order],
        )?;
        let now = read_dispositions(&conn, tenant_id)?.into_iter().find(|d| d.id == id);
        Ok(match (changed, now) {
            (_, None) => DispositionEdit::NotFound,
            (0, Some(_)) => DispositionEdit::Duplicate,
            (_, Some(d)) => DispositionEdit::Changed(d),
        })
    }

    fn delete_disposition(&self, tenant_id: &str, id: &str) -> StoreResult<bool> {
        let n = self.conn().execute("DELETE FROM dispositions WHERE tenant_id = ?1 AND id = ?2", [tenant_id, id])?;
        Ok(n > 0)
    }

    fn do_not_call(&self, tenant_id: &str) -> StoreResult<Vec<DoNotCallEntry>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT phone, by_id, by_name, at FROM do_not_call WHERE tenant_id = ?1 ORDER BY at DESC, phone",
        )?;
        let rows = stmt.query_map([tenant_id], |r| {
            Ok(DoNotCallEntry {
                phone: r.get(0)?,
                mark: DoNotCall {
                    by: r.get(1)?,
                    name: r.get(2)?,
                    at: parse_rfc3339(&r.get::<_, String>(3)?).unwrap_or_default(),
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn add_do_not_call(&self, user: &UserRecord, phone: &str) -> StoreResult<Vec<Change>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changes = list_do_not_call(&tx, user, phone, Utc::now())?;
        tx.commit()?;
        Ok(changes)
    }

    fn remove_do_not_call(&self, tenant_id: &str, phone: &str) -> StoreResult<Option<Vec<Change>>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if tx.execute("DELETE FROM do_not_call WHERE tenant_id = ?1 AND phone = ?2", [tenant_id, phone])? == 0 {
            return Ok(None);
        }
        let changes = mark_leads(&tx, tenant_id, phone, None)?;
        tx.commit()?;
        Ok(Some(changes))
    }

    fn calls(&self, tenant_id: &str, lead_id: &str) -> StoreResult<Vec<Call>> {
        read_calls(&self.conn(), tenant_id, "lead_id = ?2", lead_id)
    }

    fn routing(&self, tenant_id: &str) -> StoreResult<RoutingSettings> {
        let row = self
            .conn()
            .query_row(
                "SELECT mode, offer_seconds, pool_after_seconds, owner_id FROM routing WHERE tenant_id = ?1",
                [tenant_id],
                |r| {
                    Ok(RoutingSettings {
                        mode: RoutingMode::parse(&r.get::<_, String>(0)?).unwrap_or_default(),
                        offer_seconds: r.get(1)?,
                        pool_after_seconds: r.get(2)?,
                        owner_id: r.get(3)?,
                    })
                },
            )
            .optional()?;
        Ok(row.unwrap_or_default())
    }

    fn set_routing(&self, tenant_id: &str, r: &RoutingSettings) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO routing (tenant_id, mode, offer_seconds, pool_after_seconds, owner_id, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (tenant_id) DO UPDATE SET mode = ?2, offer_seconds = ?3, pool_after_seconds = ?4,
                                                   owner_id = ?5, updated_at = ?6",
            params![tenant_id, r.mode.as_str(), r.offer_seconds, r.pool_after_seconds, r.owner_id, rfc3339(Utc::now())],
        )?;
        Ok(())
    }

    fn set_available(&self, tenant_id: &str, user_id: &str, available: bool) -> StoreResult<bool> {
        let changed = self.conn().execute(
            "UPDATE users SET available = ?3 WHERE id = ?1 AND tenant_id = ?2",
            params![user_id, tenant_id, available],
        )?;
        Ok(changed == 1)
    }

    fn move_route(
        &self,
        route: &OpenRoute,
        offer: &Offer,
        tried: &[String],
        ended: OfferEnd,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Lead>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let (tenant, lead_id) = (route.tenant_id.as_str(), route.lead_id.as_str());
        let doc: Option<String> = tx
            .query_row("SELECT doc FROM leads WHERE tenant_id = ?1 AND id = ?2", [tenant, lead_id], |r| r.get(0))
            .optional()?;
        let Some(doc) = doc else {
            // Deleted: nothing is left to offer.
            tx.execute("DELETE FROM lead_routes WHERE tenant_id = ?1 AND lead_id = ?2", [tenant, lead_id])?;
            close_offers(&tx, tenant, lead_id, |_| Some("passed"), now)?;
            tx.commit()?;
            return Ok(None);
        };
        let moved = tx.execute(
            "UPDATE lead_routes SET step = step + 1, pool = ?4, offered_to = ?5, until = ?6, tried = ?7, offered_at = ?8
              WHERE tenant_id = ?1 AND lead_id = ?2 AND step = ?3 AND claimed_by IS NULL",
            params![
                tenant,
                lead_id,
                route.step,
                offer.pool,
                serde_json::to_string(&offer.to)?,
                offer.until.map(rfc3339),
                alone_tried(offer, tried)?,
                rfc3339(offer.since.unwrap_or(now)),
            ],
        )?;
        if moved == 0 {
            return Ok(None);
        }
        // An offer the new one keeps as it was (to everyone before and after) stays open.
        let keeps = |user: &str, alone: bool| !alone && offer.pool && offer.is_for(user);
        let ended = match ended {
            OfferEnd::TimedOut => "timed_out",
            OfferEnd::Passed => "passed",
        };
        let (kept, _) =
            close_offers(&tx, tenant, lead_id, |(user, alone)| (!keeps(user, *alone)).then_some(ended), now)?;
        let new = offer.to.iter().map(|o| o.id.as_str()).filter(|id| !kept.iter().any(|k| k == id));
        insert_offers(&tx, tenant, lead_id, offer, new, now)?;
        tx.commit()?;
        Ok(Some(serde_json::from_str(&doc)?))
    }

    fn claim_route(
        &self,
        tenant_id: &str,
        lead_id: &str,
        user: &UserRecord,
        now: DateTime<Utc>,
    ) -> StoreResult<ClaimOutcome> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let doc: Option<String> = tx
            .query_row("SELECT doc FROM leads WHERE tenant_id = ?1 AND id = ?2", [tenant_id, lead_id], |r| r.get(0))
            .optional()?;
        let Some(doc) = doc else { return Ok(ClaimOutcome::NotFound) };
        let mut lead: Lead = serde_json::from_str(&doc)?;
        let route: Option<(bool, String, Option<String>)> = tx
            .query_row(
                "SELECT pool, offered_to, claimed_by FROM lead_routes WHERE tenant_id = ?1 AND lead_id = ?2",
                [tenant_id, lead_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((pool, offered_to, claimed_by)) = route else { return Ok(ClaimOutcome::NotRouted) };
        if claimed_by.is_some() {
            let claim =
                lead.claim.clone().ok_or_else(|| StoreError::Task(format!("lead {lead_id}: claimed, no claim")))?;
            return Ok(ClaimOutcome::Taken(claim));
        }
        let offer = Offer { to: serde_json::from_str::<Vec<Offeree>>(&offered_to)?, pool, until: None, since: None };
        if !pool && !offer.is_for(&user.id) && !offer.to.is_empty() {
            let until: Option<String> = tx.query_row(
                "SELECT until FROM lead_routes WHERE tenant_id = ?1 AND lead_id = ?2",
                [tenant_id, lead_id],
                |r| r.get(0),
            )?;
            return Ok(ClaimOutcome::OfferedElsewhere(Offer {
                until: until.as_deref().and_then(parse_rfc3339),
                ..offer
            }));
        }
        let claim = Claim { by: user.id.clone(), name: user.name.clone(), at: now };
        tx.execute(
            "UPDATE lead_routes SET claimed_by = ?3, claimed_at = ?4, until = NULL WHERE tenant_id = ?1 AND lead_id = ?2",
            params![tenant_id, lead_id, user.id, rfc3339(now)],
        )?;
        let claimer = user.id.as_str();
        let (_, ended) =
            close_offers(&tx, tenant_id, lead_id, |(u, _)| Some(if u == claimer { "claimed" } else { "passed" }), now)?;
        if !ended.iter().any(|u| u == claimer) {
            // Claimed from the list without an open offer (someone who was away, say): counted
            // as an offer taken at once.
            tx.execute(
                "INSERT INTO route_offers (tenant_id, lead_id, user_id, offered_at, alone, outcome, ended_at)
                 VALUES (?1, ?2, ?3, ?4, 0, 'claimed', ?4)",
                params![tenant_id, lead_id, claimer, rfc3339(now)],
            )?;
        }
        lead.assigned_to = Some(user.id.clone());
        lead.claim = Some(claim.clone());
        lead.updated_at = Some(now);
        let seq = next_seq(&tx, tenant_id)?;
        let created_seq = update_lead(&tx, &lead, seq)?;
        tx.commit()?;
        Ok(ClaimOutcome::Claimed(Box::new(Change { lead, seq, created_seq }), claim))
    }

    fn open_routes(&self, since: DateTime<Utc>) -> StoreResult<Vec<OpenRoute>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT tenant_id, lead_id, source, arrived_at, step, pool, offered_to, until, tried, offered_at FROM lead_routes
              WHERE claimed_by IS NULL AND arrived_at > ?1
              ORDER BY arrived_at, lead_id",
        )?;
        let rows = stmt.query_map([rfc3339(since)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (tenant_id, lead_id, source, arrived, step, pool, to, until, tried, since) = row?;
            out.push(OpenRoute {
                tenant_id,
                lead_id,
                source,
                arrived_at: parse_rfc3339(&arrived).unwrap_or_default(),
                step,
                offer: Offer {
                    to: serde_json::from_str(&to)?,
                    pool,
                    until: until.as_deref().and_then(parse_rfc3339),
                    since: parse_rfc3339(&since),
                },
                tried: serde_json::from_str(&tried)?,
            });
        }
        Ok(out)
    }

    fn offers_alone_since(&self, tenant_id: &str, since: DateTime<Utc>) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT user_id, offered_at FROM route_offers WHERE tenant_id = ?1 AND offered_at >= ?2 AND alone
              ORDER BY offered_at",
        )?;
        let rows = stmt.query_map(params![tenant_id, rfc3339(since)], |r| Ok((r.get(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (user, at) = row?;
            out.push((user, parse_rfc3339(&at).unwrap_or_default()));
        }
        Ok(out)
    }

    fn speed_records(
        &self,
        tenant_id: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<(Vec<RouteRecord>, Vec<OfferRecord>)> {
        let conn = self.conn();
        let range = params![tenant_id, rfc3339(since), rfc3339(until)];
        let mut stmt = conn.prepare_cached(
            "SELECT source, arrived_at, claimed_by, claimed_at FROM lead_routes
              WHERE tenant_id = ?1 AND arrived_at >= ?2 AND arrived_at < ?3",
        )?;
        let routes = stmt
            .query_map(range, |r| {
                Ok(RouteRecord {
                    source: r.get(0)?,
                    arrived_at: parse_rfc3339(&r.get::<_, String>(1)?).unwrap_or_default(),
                    claimed_by: r.get(2)?,
                    claimed_at: r.get::<_, Option<String>>(3)?.as_deref().and_then(parse_rfc3339),
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT o.lead_id, o.user_id, r.source, o.outcome FROM route_offers o
               JOIN lead_routes r ON r.tenant_id = o.tenant_id AND r.lead_id = o.lead_id
              WHERE o.tenant_id = ?1 AND r.arrived_at >= ?2 AND r.arrived_at < ?3",
        )?;
        let offers = stmt
            .query_map(range, |r| {
                Ok(OfferRecord { lead_id: r.get(0)?, user_id: r.get(1)?, source: r.get(2)?, outcome: r.get(3)? })
            })?
            .collect::<Result<_, _>>()?;
        Ok((routes, offers))
    }

    fn demo_accounts(&self) -> StoreResult<Vec<DemoAccount>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT email, password, role FROM demo_accounts ORDER BY role, email")?;
        let rows = stmt.query_map([], |r| {
            Ok(DemoAccount { email: r.get(0)?, password: r.get(1)?, role: role_from(&r.get::<_, String>(2)?) })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn insert_demo_account(&self, a: &DemoAccount) -> StoreResult<()> {
        self.conn().execute(
            "INSERT INTO demo_accounts (email, password, role) VALUES (?1, ?2, ?3)",
            params![a.email, a.password, a.role.as_str()],
        )?;
        Ok(())
    }
}

/// Starts routing a new lead with its first offer (call inside the lead's insert).
fn insert_route(conn: &Connection, lead: &Lead, offer: &Offer) -> StoreResult<()> {
    let tenant = lead.tenant_id.as_deref().unwrap_or_default();
    let arrived = lead.created_at.unwrap_or_else(Utc::now);
    let offered_at = offer.since.unwrap_or(arrived);
    conn.execute(
        "INSERT INTO lead_routes (tenant_id, lead_id, source, arrived_at, step, pool, offered_to, offered_at,
                                  until, tried)
         VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9)",
        params![
            tenant,
            lead.id,
            lead.source.map(LeadSource::as_str),
            rfc3339(arrived),
            offer.pool,
            serde_json::to_string(&offer.to)?,
            rfc3339(offered_at),
            offer.until.map(rfc3339),
            alone_tried(offer, &[])?,
        ],
    )?;
    insert_offers(conn, tenant, &lead.id, offer, offer.to.iter().map(|o| o.id.as_str()), offered_at)
}

/// The reps a route has had to themselves, with `offer`'s if it is to one rep alone.
fn alone_tried(offer: &Offer, tried: &[String]) -> StoreResult<String> {
    let mut all = tried.to_vec();
    if !offer.pool {
        all.extend(offer.to.iter().map(|o| o.id.clone()).filter(|id| !tried.contains(id)));
    }
    Ok(serde_json::to_string(&all)?)
}

fn insert_offers<'a>(
    conn: &Connection,
    tenant_id: &str,
    lead_id: &str,
    offer: &Offer,
    users: impl Iterator<Item = &'a str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO route_offers (tenant_id, lead_id, user_id, offered_at, alone) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for user in users {
        stmt.execute(params![tenant_id, lead_id, user, rfc3339(now), !offer.pool])?;
    }
    Ok(())
}

/// Ends the lead's open offers that `outcome` gives an outcome (by user and whether to them
/// alone); returns the users of those left open, and of those ended.
fn close_offers(
    conn: &Connection,
    tenant_id: &str,
    lead_id: &str,
    outcome: impl Fn(&(String, bool)) -> Option<&'static str>,
    now: DateTime<Utc>,
) -> StoreResult<(Vec<String>, Vec<String>)> {
    let open: Vec<(i64, String, bool)> = conn
        .prepare_cached(
            "SELECT rowid, user_id, alone FROM route_offers
              WHERE tenant_id = ?1 AND lead_id = ?2 AND outcome IS NULL",
        )?
        .query_map([tenant_id, lead_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut end = conn.prepare_cached("UPDATE route_offers SET outcome = ?2, ended_at = ?3 WHERE rowid = ?1")?;
    let (mut kept, mut ended) = (Vec::new(), Vec::new());
    for (rowid, user, alone) in open {
        let key = (user, alone);
        match outcome(&key) {
            Some(how) => {
                end.execute(params![rowid, how, rfc3339(now)])?;
                ended.push(key.0);
            }
            None => kept.push(key.0),
        }
    }
    Ok((kept, ended))
}

/// How often the checkpoint thread copies the WAL into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Starts a thread with its own connection that checkpoints the WAL every second (PASSIVE: it
/// never blocks the writer) until the returned sender is dropped.
fn spawn_checkpointer(path: &Path) -> StoreResult<std::sync::mpsc::Sender<()>> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        })
        .map_err(|e| StoreError::Task(format!("starting the checkpoint thread: {e}")))?;
    Ok(stop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wal_is_checkpointed_off_the_writers_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let store = SqliteStore::open(&path).unwrap();
        let leads: Vec<Lead> = (0..2000)
            .map(|i| Lead {
                id: format!("lead-{i}"),
                tenant_id: Some("t".into()),
                name: "A name long enough to fill some pages".repeat(4),
                ..Lead::default()
            })
            .collect();
        let automatic: i64 = store.conn().pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0)).unwrap();
        assert_eq!(automatic, 0, "commits never checkpoint");
        let before = std::fs::metadata(&path).unwrap().len();
        store.insert_leads(&leads).unwrap();
        std::thread::sleep(CHECKPOINT_EVERY * 2 + Duration::from_millis(500));
        let after = std::fs::metadata(&path).unwrap().len();
        assert!(after > before + 500_000, "the checkpoint thread copied the WAL in: {before} -> {after}");
    }

    #[test]
    fn refuses_a_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).err().expect("a newer schema must be refused");
        assert!(matches!(err, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1), "{err}");
        assert!(err.to_string().contains("newer than this program knows"), "{err}");
    }

    #[test]
    fn reopening_is_idempotent_and_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        let store = SqliteStore::open(&path).unwrap();
        let conn = store.conn();
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
