//! Team lead routing (our server's; the deployed server has one owner per lead and rings every
//! desktop): who is offered each new vendor lead, claiming it, each rep's availability, and the
//! speed-to-lead report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lead::Lead;

/// How a tenant's new vendor leads are offered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoutingMode {
    /// Every available rep is offered it at once; the first to claim owns it.
    #[default]
    Everyone,
    /// Offered to one available, connected rep at a time, fairly over the day; then to everyone.
    RoundRobin,
    /// Offered only to the tenant's chosen owner (else its first admin).
    Owner,
}

impl RoutingMode {
    pub const ALL: [RoutingMode; 3] = [Self::Everyone, Self::RoundRobin, Self::Owner];

    /// The wire spelling: `everyone`, `round-robin`, `owner`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::RoundRobin => "round-robin",
            Self::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// The shortest and longest time one rep has a round-robin offer to themselves.
pub const OFFER_SECONDS: std::ops::RangeInclusive<u32> = 5..=600;
/// The longest a round-robin lead goes from rep to rep before everyone is offered it.
pub const POOL_AFTER_SECONDS: std::ops::RangeInclusive<u32> = 10..=3600;

/// A tenant's routing (`GET /api/routing`, and what `PUT /api/routing` sets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingSettings {
    pub mode: RoutingMode,
    /// Round robin: how long each rep has the lead to themselves.
    pub offer_seconds: u32,
    /// Round robin: after this long from arrival, everyone available is offered it.
    pub pool_after_seconds: u32,
    /// Owner mode: the rep offered every lead (`None`: the first admin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
}

impl Default for RoutingSettings {
    fn default() -> Self {
        RoutingSettings { mode: RoutingMode::Everyone, offer_seconds: 30, pool_after_seconds: 120, owner_id: None }
    }
}

/// A change of routing (admins); what is left out is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoutingUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<RoutingMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_after_seconds: Option<u32>,
    /// Owner mode's rep, by id or email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl RoutingUpdate {
    /// Why the update cannot be taken, if it cannot (the owner is checked by the server).
    pub fn problem(&self) -> Option<String> {
        if let Some(s) = self.offer_seconds.filter(|s| !OFFER_SECONDS.contains(s)) {
            return Some(format!(
                "An offer lasts {} to {} seconds, not {s}",
                OFFER_SECONDS.start(),
                OFFER_SECONDS.end()
            ));
        }
        if let Some(s) = self.pool_after_seconds.filter(|s| !POOL_AFTER_SECONDS.contains(s)) {
            return Some(format!(
                "Everyone is offered a lead after {} to {} seconds, not {s}",
                POOL_AFTER_SECONDS.start(),
                POOL_AFTER_SECONDS.end()
            ));
        }
        None
    }
}

/// A rep of the team, as routing sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Presence {
    pub id: String,
    pub name: String,
    /// They said they take leads (not away).
    pub available: bool,
    /// They have a live connection now.
    pub connected: bool,
}

/// `GET /api/routing`: the tenant's routing, this rep's availability, and the team's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingView {
    pub settings: RoutingSettings,
    /// Owner mode: who is offered every lead, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// Whether the caller is available.
    pub available: bool,
    pub team: Vec<Presence>,
}

/// `PUT /api/routing/availability`: the caller's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub available: bool,
}

/// Who claimed a lead, and when. Kept with the lead (`claim`), so every copy of it says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    /// The rep's user id (the lead's `assignedTo` from then on).
    pub by: String,
    pub name: String,
    pub at: DateTime<Utc>,
}

/// A rep a lead is offered to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offeree {
    pub id: String,
    pub name: String,
}

/// Who a lead is offered to now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    /// Offered to these reps (everyone available, when `pool`).
    pub to: Vec<Offeree>,
    /// Offered to everyone available, not to one rep in turn.
    #[serde(default)]
    pub pool: bool,
    /// When it moves on to the next rep (or to everyone); `None`: it stays until claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// When this offer was made (a lead offered again later is as fresh as its offer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

impl Offer {
    pub fn is_for(&self, user_id: &str) -> bool {
        self.to.iter().any(|o| o.id == user_id)
    }

    /// "Ann Lee", "Ann Lee and Bo Chan", "3 reps", "nobody yet".
    pub fn names(&self) -> String {
        match self.to.as_slice() {
            [] => "nobody yet".into(),
            [one] => one.name.clone(),
            [a, b] => format!("{} and {}", a.name, b.name),
            many => format!("{} reps", many.len()),
        }
    }
}

/// `POST /api/leads/:id/claim` when it is yours now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claimed {
    pub claim: Claim,
    pub lead: Lead,
}

/// Error codes of a claim the server refuses (409), beside the message people read.
pub mod refusal {
    /// Someone claimed it first; the message names them.
    pub const CLAIMED: &str = "claimed";
    /// It is offered to another rep alone for now.
    pub const OFFERED_ELSEWHERE: &str = "offered_elsewhere";
    /// Not a routed lead (an import, a lead from before routing): it has its owner.
    pub const NOT_ROUTED: &str = "not_routed";
}

/// One row of the speed-to-lead report: a rep's, or a vendor's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpeedRow {
    /// The rep's id, or the vendor (source) name.
    pub key: String,
    pub label: String,
    /// Leads offered to the rep, or leads routed (a vendor's).
    pub offered: u64,
    pub claimed: u64,
    /// Leads whose offer ran out unclaimed: the rep's own offer, or any (a vendor's).
    pub timed_out: u64,
    /// From the lead's arrival to its claim, over the claimed ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_p50_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_p95_ms: Option<u64>,
}

/// `GET /api/reports/speed?since=T[&until=T]` (admins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpeedReport {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reps: Vec<SpeedRow>,
    pub vendors: Vec<SpeedRow>,
    /// Leads routed in the period and still unclaimed.
    pub unclaimed: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_as_typed() {
        assert_eq!(RoutingMode::parse("Round-Robin"), Some(RoutingMode::RoundRobin));
        assert_eq!(serde_json::to_string(&RoutingMode::RoundRobin).unwrap(), r#""round-robin""#);
        assert_eq!(RoutingMode::parse("random"), None);
    }

    #[test]
    fn updates_out_of_range_are_refused() {
        assert!(RoutingUpdate { offer_seconds: Some(4), ..Default::default() }.problem().is_some());
        assert!(RoutingUpdate { pool_after_seconds: Some(7200), ..Default::default() }.problem().is_some());
        assert!(RoutingUpdate { offer_seconds: Some(30), pool_after_seconds: Some(90), ..Default::default() }
            .problem()
            .is_none());
    }

    #[test]
    fn offers_name_their_reps() {
        let rep = |n: &str| Offeree { id: n.to_lowercase(), name: n.into() };
        let offer = Offer { to: vec![rep("Ann"), rep("Bo")], pool: true, until: None, since: None };
        assert_eq!(offer.names(), "Ann and Bo");
        assert!(offer.is_for("bo") && !offer.is_for("cy"));
    }
}
