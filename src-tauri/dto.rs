//! The types that cross to the UI, converted by hand from the engine's types. TypeScript for them
//! is generated into ui/src/lib/bindings.ts; `bindings_are_fresh` fails when that file is stale.

use chrono::SecondsFormat;
use crokodial_client::socket::ConnectionState as EngineState;
use crokodial_core::api::{self, Role as ApiRole};
use crokodial_core::ws::NewLeadNotification;
use crokodial_core::Lead;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub default_server_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    User,
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

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
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
pub struct LeadEvent {
    pub lead: LeadRow,
    /// A new, fresh vendor lead seen for the first time (an update or a replay is not).
    pub announced: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionStatus {
    Idle,
    Connecting,
    Live,
    Offline,
    AuthFailed,
}

/// Sent with the `connection-changed` event.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConnectionState {
    pub status: ConnectionStatus,
    pub detail: Option<String>,
}

impl ConnectionState {
    pub const IDLE: ConnectionState = ConnectionState { status: ConnectionStatus::Idle, detail: None };
}

impl From<&EngineState> for ConnectionState {
    fn from(s: &EngineState) -> Self {
        let (status, detail) = match s {
            EngineState::Connecting => (ConnectionStatus::Connecting, None),
            EngineState::Live => (ConnectionStatus::Live, None),
            EngineState::Offline { reason, .. } => (ConnectionStatus::Offline, Some(reason.clone())),
            EngineState::AuthFailed { reason } => (ConnectionStatus::AuthFailed, Some(reason.clone())),
        };
        ConnectionState { status, detail }
    }
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
            ConnectionState::decl(),
            ConnectionStatus::decl(),
            DemoAccount::decl(),
            ErrorCode::decl(),
            LeadEvent::decl(),
            LeadRow::decl(),
            Role::decl(),
            SessionInfo::decl(),
            UserInfo::decl(),
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
    fn error_codes_cross_as_snake_case() {
        assert_eq!(serde_json::to_value(ErrorCode::KeychainUnavailable).unwrap(), "keychain_unavailable");
        assert_eq!(serde_json::to_value(ConnectionStatus::AuthFailed).unwrap(), "authFailed");
    }
}
