//! Human-readable lines. Lead text comes from vendors: control characters are escaped so a
//! hostile name cannot drive the terminal.

use crokodial_client::socket::ConnectionState;
use crokodial_core::ws::NewLeadNotification;
use crokodial_core::Lead;

/// Escapes control characters (ANSI escapes, newlines) in untrusted text.
pub fn safe(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}

fn opt(v: Option<&str>) -> String {
    safe(v.unwrap_or("-"))
}

pub fn lead_line(lead: &Lead) -> String {
    let received = lead.created_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "-".into());
    format!(
        "{received}  {:<28}  {:<12}  {:<2}  {:<14}  {}",
        safe(&lead.name),
        opt(lead.phone.as_deref()),
        opt(lead.state.as_deref()),
        lead.source.map(|s| s.as_str()).unwrap_or("-"),
        opt(lead.disposition.as_deref()),
    )
}

pub fn notification_line(n: &NewLeadNotification) -> String {
    format!(
        "NEW {}  {}  {}  {}",
        opt(n.source.as_deref()),
        safe(&n.name),
        opt(n.phone.as_deref()),
        opt(n.lead_id.as_deref())
    )
}

pub fn state_line(state: &ConnectionState) -> String {
    match state {
        ConnectionState::Connecting => "connecting…".into(),
        ConnectionState::Live => "live: waiting for leads".into(),
        ConnectionState::Offline { reason, retrying: true } => format!("offline ({reason}); retrying"),
        ConnectionState::Offline { reason, retrying: false } => format!("offline ({reason})"),
        ConnectionState::AuthFailed { reason } => format!("session refused ({reason})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_control() {
        assert_eq!(safe("Ann\x1b[2J\nLee"), "Ann\\u{1b}[2J\\nLee");
        assert_eq!(safe("<img src=x onerror=alert(1)>"), "<img src=x onerror=alert(1)>");
    }
}
