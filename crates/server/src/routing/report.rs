//! The speed-to-lead report: per rep and per vendor, leads offered, claimed and whose offer ran
//! out unclaimed, and the time from a lead's arrival to its claim.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use crokodial_core::percentile;
use crokodial_core::routing::{SpeedReport, SpeedRow};

use crate::store::{OfferRecord, RouteRecord, UserRecord};

/// Builds the report from the period's routed leads and offers; reps by name, busiest first.
pub fn speed(
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    routes: &[RouteRecord],
    offers: &[OfferRecord],
    team: &[UserRecord],
) -> SpeedReport {
    #[derive(Default)]
    struct Tally {
        offered: u64,
        claimed: u64,
        timed_out: u64,
        waits: Vec<u64>,
    }
    let (mut reps, mut vendors): (BTreeMap<String, Tally>, BTreeMap<String, Tally>) = Default::default();
    let vendor = |source: &Option<String>| source.clone().unwrap_or_else(|| "Unknown".into());
    // Counted by lead: a rep offered a lead alone and then with everyone was offered it once.
    let (mut offered, mut ran_out, mut lead_ran_out) = (HashSet::new(), HashSet::new(), HashSet::new());
    for offer in offers {
        if offered.insert((&offer.user_id, &offer.lead_id)) {
            reps.entry(offer.user_id.clone()).or_default().offered += 1;
        }
        if offer.outcome.as_deref() == Some("timed_out") {
            if ran_out.insert((&offer.user_id, &offer.lead_id)) {
                reps.entry(offer.user_id.clone()).or_default().timed_out += 1;
            }
            if lead_ran_out.insert(&offer.lead_id) {
                vendors.entry(vendor(&offer.source)).or_default().timed_out += 1;
            }
        }
    }
    let mut unclaimed = 0;
    for route in routes {
        let by_vendor = vendors.entry(vendor(&route.source)).or_default();
        by_vendor.offered += 1;
        let (Some(by), Some(at)) = (&route.claimed_by, route.claimed_at) else {
            unclaimed += 1;
            continue;
        };
        let wait = (at - route.arrived_at).num_milliseconds().max(0) as u64;
        by_vendor.claimed += 1;
        by_vendor.waits.push(wait);
        let rep = reps.entry(by.clone()).or_default();
        rep.claimed += 1;
        rep.waits.push(wait);
    }
    let row = |key: String, label: String, mut t: Tally| SpeedRow {
        key,
        label,
        offered: t.offered,
        claimed: t.claimed,
        timed_out: t.timed_out,
        claim_p50_ms: percentile(&mut t.waits, 50),
        claim_p95_ms: percentile(&mut t.waits, 95),
    };
    let name =
        |id: &str| team.iter().find(|u| u.id == id).map_or_else(|| "(removed user)".to_owned(), |u| u.name.clone());
    let mut reps: Vec<SpeedRow> = reps.into_iter().map(|(id, t)| row(id.clone(), name(&id), t)).collect();
    reps.sort_by(|a, b| b.offered.cmp(&a.offered).then_with(|| a.label.cmp(&b.label)));
    let vendors = vendors.into_iter().map(|(v, t)| row(v.clone(), v, t)).collect();
    SpeedReport { since, until, reps, vendors, unclaimed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn counts_and_waits_per_rep_and_vendor() {
        let route = |src: &str, arrived: i64, claim: Option<(&str, i64)>| RouteRecord {
            source: Some(src.into()),
            arrived_at: at(arrived),
            claimed_by: claim.map(|(u, _)| u.into()),
            claimed_at: claim.map(|(_, t)| at(t)),
        };
        let routes = [
            route("NextGen", 0, Some(("ann", 4))),
            route("NextGen", 10, Some(("bo", 40))),
            route("Marketplace", 20, Some(("ann", 22))),
            route("NextGen", 30, None),
        ];
        let offer = |lead: &str, u: &str, src: &str, outcome: Option<&str>| OfferRecord {
            lead_id: lead.into(),
            user_id: u.into(),
            source: Some(src.into()),
            outcome: outcome.map(Into::into),
        };
        let offers = [
            offer("l1", "ann", "NextGen", Some("claimed")),
            offer("l2", "ann", "NextGen", Some("timed_out")),
            // Then offered to everyone, Ann too: still one lead offered to her.
            offer("l2", "ann", "NextGen", Some("passed")),
            offer("l2", "bo", "NextGen", Some("claimed")),
            offer("l3", "ann", "Marketplace", Some("claimed")),
            offer("l4", "bo", "NextGen", Some("timed_out")),
            offer("l4", "cy", "NextGen", Some("timed_out")),
        ];
        let report = speed(at(0), at(100), &routes, &offers, &[]);
        assert_eq!(report.unclaimed, 1);
        let ann = report.reps.iter().find(|r| r.key == "ann").unwrap();
        assert_eq!((ann.offered, ann.claimed, ann.timed_out), (3, 2, 1));
        assert_eq!((ann.claim_p50_ms, ann.claim_p95_ms), (Some(2000), Some(4000)));
        let nextgen = report.vendors.iter().find(|r| r.key == "NextGen").unwrap();
        assert_eq!((nextgen.offered, nextgen.claimed), (3, 2));
        assert_eq!(nextgen.claim_p95_ms, Some(30_000));
        assert_eq!(nextgen.timed_out, 2, "leads whose offer ran out, not offers: {nextgen:?}");
    }
}
