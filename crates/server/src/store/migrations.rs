//! Schema migrations, tracked in SQLite's `user_version`. Append only: never edit a shipped step.

use rusqlite_migration::{Migrations, M};

const V1: &str = r#"
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    tenant_id     TEXT NOT NULL,
    email         TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX users_tenant ON users (tenant_id);

CREATE TABLE webhook_credentials (
    tenant_id  TEXT PRIMARY KEY NOT NULL,
    sid        TEXT NOT NULL UNIQUE,
    apikey     TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE leads (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT NOT NULL,
    assigned_to TEXT,
    name        TEXT NOT NULL DEFAULT '',
    first_name  TEXT,
    last_name   TEXT,
    email       TEXT,
    phone       TEXT,
    state       TEXT,
    disposition TEXT,
    source      TEXT,
    time_zone   TEXT,
    created_at  TEXT NOT NULL,
    vendor_key  TEXT,
    doc         TEXT NOT NULL
);
CREATE INDEX leads_tenant_created ON leads (tenant_id, created_at DESC, id DESC);
CREATE INDEX leads_tenant_state ON leads (tenant_id, state);
CREATE INDEX leads_tenant_disposition ON leads (tenant_id, disposition);
CREATE INDEX leads_tenant_source ON leads (tenant_id, source);
CREATE INDEX leads_tenant_phone ON leads (tenant_id, phone);
CREATE INDEX leads_tenant_email ON leads (tenant_id, email);
CREATE UNIQUE INDEX leads_tenant_vendor_key ON leads (tenant_id, vendor_key) WHERE vendor_key IS NOT NULL;

-- Demo mode only: the generated demo passwords, so they can be shown at every start.
CREATE TABLE demo_accounts (
    email    TEXT PRIMARY KEY NOT NULL,
    password TEXT NOT NULL,
    role     TEXT NOT NULL
);
"#;

/// Per-tenant event sequence numbers: every change of a lead takes the tenant's next number, so a
/// socket can resume "after N" from storage. `created_seq` tells a replayed lead new or updated.
const V2: &str = r#"
CREATE TABLE tenant_seq (
    tenant_id TEXT PRIMARY KEY NOT NULL,
    last_seq  INTEGER NOT NULL
);
ALTER TABLE leads ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN created_seq INTEGER NOT NULL DEFAULT 0;
UPDATE leads SET seq = n.rn, created_seq = n.rn
  FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY created_at, id) AS rn FROM leads) AS n
 WHERE leads.id = n.id;
INSERT INTO tenant_seq (tenant_id, last_seq) SELECT tenant_id, MAX(seq) FROM leads GROUP BY tenant_id;
CREATE INDEX leads_tenant_seq ON leads (tenant_id, seq);
"#;

/// Reps' edits, kept by idempotency key so a replayed edit is applied once (and as the history of
/// who changed what); and tombstones, so a sync learns which leads were deleted after its cursor.
const V3: &str = r#"
CREATE TABLE lead_edits (
    tenant_id  TEXT NOT NULL,
    key        TEXT NOT NULL,
    lead_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    fields     TEXT NOT NULL,
    seq        INTEGER,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX lead_edits_lead ON lead_edits (tenant_id, lead_id);
CREATE TABLE lead_tombstones (
    tenant_id  TEXT NOT NULL,
    lead_id    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    deleted_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, lead_id)
);
CREATE INDEX lead_tombstones_seq ON lead_tombstones (tenant_id, seq);
"#;

/// What each import batch did, by its id, so a resent batch answers the same and writes nothing.
const V4: &str = r#"
CREATE TABLE import_batches (
    tenant_id TEXT NOT NULL,
    batch_id  TEXT NOT NULL,
    imported  INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    done_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, batch_id)
) WITHOUT ROWID;
"#;

/// Team management: a user can be deactivated; an invited user has an invite code (its argon2
/// hash, and when it was made) and no password until they accept; each user's Textdrip connection
/// state (never a token).
const V5: &str = r#"
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN invite_hash TEXT;
ALTER TABLE users ADD COLUMN invited_at TEXT;
ALTER TABLE users ADD COLUMN textdrip_connected INTEGER NOT NULL DEFAULT 0;
"#;

/// Team lead routing: each tenant's mode, each user's availability, each routed lead's current
/// offer and claim (`lead_routes`), and every offer made to a rep with how it ended
/// (`route_offers`: the speed-to-lead report, and round robin's fairness over the day).
const V6: &str = r#"
CREATE TABLE routing (
    tenant_id          TEXT PRIMARY KEY NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('everyone', 'round-robin', 'owner')),
    offer_seconds      INTEGER NOT NULL,
    pool_after_seconds INTEGER NOT NULL,
    owner_id           TEXT,
    updated_at         TEXT NOT NULL
);
ALTER TABLE users ADD COLUMN available INTEGER NOT NULL DEFAULT 1;
CREATE TABLE lead_routes (
    tenant_id  TEXT NOT NULL,
    lead_id    TEXT NOT NULL,
    source     TEXT,
    arrived_at TEXT NOT NULL,
    step       INTEGER NOT NULL,
    pool       INTEGER NOT NULL,
    offered_to TEXT NOT NULL,
    offered_at TEXT NOT NULL,
    until      TEXT,
    tried      TEXT NOT NULL,
    claimed_by TEXT,
    claimed_at TEXT,
    PRIMARY KEY (tenant_id, lead_id)
) WITHOUT ROWID;
CREATE INDEX lead_routes_open ON lead_routes (tenant_id, arrived_at) WHERE claimed_by IS NULL;
CREATE INDEX lead_routes_arrived ON lead_routes (tenant_id, arrived_at);
CREATE TABLE route_offers (
    tenant_id  TEXT NOT NULL,
    lead_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    offered_at TEXT NOT NULL,
    alone      INTEGER NOT NULL,
    outcome    TEXT CHECK (outcome IN ('claimed', 'timed_out', 'passed')),
    ended_at   TEXT
);
CREATE INDEX route_offers_lead ON route_offers (tenant_id, lead_id);
CREATE INDEX route_offers_time ON route_offers (tenant_id, offered_at);
"#;

/// Calls: every attempt a rep made on a lead, once per id made by their app; the lead's doc
/// keeps their tally.
const V7: &str = r#"
CREATE TABLE calls (
    tenant_id TEXT NOT NULL,
    id        TEXT NOT NULL,
    lead_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    phone     TEXT NOT NULL,
    at        TEXT NOT NULL,
    outcome   TEXT CHECK (outcome IN ('no-answer', 'voicemail', 'talked', 'wrong-number', 'bad-number', 'dnc')),
    note      TEXT,
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX calls_lead ON calls (tenant_id, lead_id, at);
CREATE INDEX calls_user ON calls (tenant_id, user_id, at);
"#;

/// The agency's do-not-call list: a phone on it is marked on each of the tenant's leads with it.
const V8: &str = r#"
CREATE TABLE do_not_call (
    tenant_id TEXT NOT NULL,
    phone     TEXT NOT NULL,
    by_id     TEXT NOT NULL,
    by_name   TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, phone)
) WITHOUT ROWID;
"#;

/// Each rep's follow-ups: callbacks (with a due time) and pinned leads (without).
const V9: &str = r#"
CREATE TABLE followups (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    id         TEXT NOT NULL,
    lead_id    TEXT NOT NULL,
    due        TEXT,
    note       TEXT,
    done_at    TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, id)
) WITHOUT ROWID;
"#;

/// Each tenant's dispositions, seeded with the deployed server's defaults when first read.
const V10: &str = r#"
CREATE TABLE dispositions (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    color      TEXT NOT NULL,
    emoji      TEXT NOT NULL DEFAULT '',
    is_default INTEGER NOT NULL DEFAULT 0,
    sort_order INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX dispositions_name ON dispositions (tenant_id, name COLLATE NOCASE);
"#;

/// A removed follow-up is kept as a tombstone, so an older change of it cannot bring it back.
const V11: &str = r#"
ALTER TABLE followups ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
"#;

const STEPS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11];

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    /// A database made by V1 with leads in it gets sequence numbers in creation order, per tenant.
    #[test]
    fn v2_numbers_existing_leads_per_tenant() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        Migrations::new(vec![M::up(V1)]).to_latest(&mut conn).unwrap();
        for (id, tenant, created) in [("b", "t1", "2024-01-02"), ("a", "t1", "2024-01-01"), ("c", "t2", "2024-01-03")] {
            conn.execute(
                "INSERT INTO leads (id, tenant_id, created_at, doc) VALUES (?1, ?2, ?3, '{}')",
                [id, tenant, created],
            )
            .unwrap();
        }
        migrations().to_latest(&mut conn).unwrap();
        let seqs: Vec<(String, i64, i64)> = conn
            .prepare("SELECT id, seq, created_seq FROM leads ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(seqs, [("a".into(), 1, 1), ("b".into(), 2, 2), ("c".into(), 1, 1)]);
        let last: i64 =
            conn.query_row("SELECT last_seq FROM tenant_seq WHERE tenant_id = 't1'", [], |r| r.get(0)).unwrap();
        assert_eq!(last, 2);
    }

    /// A V2 database with leads keeps them through V3 and V4, which start with no edits, tombstones
    /// or import batches.
    #[test]
    fn v3_keeps_leads_and_starts_empty() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        Migrations::new(vec![M::up(V1), M::up(V2)]).to_latest(&mut conn).unwrap();
        conn.execute("INSERT INTO leads (id, tenant_id, created_at, doc, seq) VALUES ('a', 't', '2024', '{}', 1)", [])
            .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let count = |table: &str| -> i64 {
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
        };
        assert_eq!(
            (count("leads"), count("lead_edits"), count("lead_tombstones"), count("import_batches")),
            (1, 0, 0, 0)
        );
        assert_eq!(conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), SCHEMA_VERSION);
    }
}
