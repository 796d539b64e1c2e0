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

const STEPS: &[&str] = &[V1];

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
}
