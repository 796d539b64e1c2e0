//! The routing rules, apart from any I/O and any clock: who is offered a lead as it arrives,
//! and who next when an offer runs out. Times are passed in, so the rules are tested on any
//! clock.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use crokodial_core::routing::{Offer, Offeree, RoutingMode, RoutingSettings};

/// A member of the team, as routing sees them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub admin: bool,
    /// Said they take leads.
    pub available: bool,
    /// Has a live socket now.
    pub connected: bool,
}

impl Candidate {
    fn offeree(&self) -> Offeree {
        Offeree { id: self.id.clone(), name: self.name.clone() }
    }
}

/// Round robin's memory: how many leads each rep was offered alone today (UTC), and when last,
/// so the next goes to the rep with the fewest, then the one who waited longest.
#[derive(Debug, Default)]
pub struct Rotation {
    day: Option<NaiveDate>,
    /// Per rep: offers today, and the turn of their last offer.
    given: HashMap<String, (u32, u64)>,
    turns: u64,
}

impl Rotation {
    /// Counts an offer made to `user` alone at `at`.
    pub fn note(&mut self, user: &str, at: DateTime<Utc>) {
        self.roll(at);
        self.turns += 1;
        let entry = self.given.entry(user.to_owned()).or_default();
        entry.0 += 1;
        entry.1 = self.turns;
    }

    fn roll(&mut self, at: DateTime<Utc>) {
        let day = at.date_naive();
        if self.day != Some(day) {
            self.day = Some(day);
            self.given.values_mut().for_each(|g| g.0 = 0);
        }
    }

    /// The candidate whose turn it is at `at`, if any: the fewest offers that day, then the
    /// longest wait.
    fn pick<'a>(&self, candidates: impl Iterator<Item = &'a Candidate>, at: DateTime<Utc>) -> Option<&'a Candidate> {
        let today = self.day == Some(at.date_naive());
        candidates.min_by_key(|c| {
            let (count, turn) = self.given.get(&c.id).copied().unwrap_or_default();
            (if today { count } else { 0 }, turn, c.id.clone())
        })
    }

    /// Offers made today to each rep.
    #[cfg(test)]
    pub fn today(&self, user: &str) -> u32 {
        self.given.get(user).map_or(0, |g| g.0)
    }
}

/// Everyone available (connected or not: a rep who comes back is sent what is offered to them),
/// from `now`.
pub fn pool(team: &[Candidate], now: DateTime<Utc>) -> Offer {
    Offer {
        to: team.iter().filter(|c| c.available).map(Candidate::offeree).collect(),
        pool: true,
        until: None,
        since: Some(now),
    }
}

/// Round robin's next rep alone among those not yet tried, if any, until their window ends.
fn alone(
    settings: &RoutingSettings,
    team: &[Candidate],
    rotation: &Rotation,
    tried: &[String],
    arrived_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Offer> {
    let pool_at = arrived_at + Duration::seconds(settings.pool_after_seconds.into());
    if now >= pool_at {
        return None;
    }
    let eligible = team.iter().filter(|c| c.available && c.connected && !tried.contains(&c.id));
    let rep = rotation.pick(eligible, now)?;
    let until = (now + Duration::seconds(settings.offer_seconds.into())).min(pool_at);
    Some(Offer { to: vec![rep.offeree()], pool: false, until: Some(until), since: Some(now) })
}

/// Owner mode's rep: the one chosen, else the team's first admin.
pub fn owner<'a>(settings: &RoutingSettings, team: &'a [Candidate]) -> Option<&'a Candidate> {
    let chosen = settings.owner_id.as_deref().and_then(|id| team.iter().find(|c| c.id == id));
    chosen.or_else(|| team.iter().find(|c| c.admin))
}

/// Who a lead arriving at `arrived_at` is offered to at `now` (its first offer, or its first
/// under a new mode). A round-robin offer to one rep is to be noted in `rotation` once made.
pub fn first(
    settings: &RoutingSettings,
    team: &[Candidate],
    rotation: &Rotation,
    arrived_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Offer {
    match settings.mode {
        RoutingMode::Everyone => pool(team, now),
        RoutingMode::RoundRobin => {
            alone(settings, team, rotation, &[], arrived_at, now).unwrap_or_else(|| pool(team, now))
        }
        RoutingMode::Owner => match owner(settings, team) {
            Some(owner) => Offer { to: vec![owner.offeree()], pool: false, until: None, since: Some(now) },
            None => pool(team, now),
        },
    }
}

/// Who a round-robin lead goes to when its offer to `tried`'s last rep ran out (or that rep
/// went away): the next rep not yet tried, else everyone.
pub fn next(
    settings: &RoutingSettings,
    team: &[Candidate],
    rotation: &Rotation,
    tried: &[String],
    arrived_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Offer {
    if settings.mode != RoutingMode::RoundRobin {
        return first(settings, team, rotation, arrived_at, now);
    }
    alone(settings, team, rotation, tried, arrived_at, now).unwrap_or_else(|| pool(team, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(names: &[&str]) -> Vec<Candidate> {
        names
            .iter()
            .map(|n| Candidate {
                id: n.to_lowercase(),
                name: (*n).into(),
                admin: false,
                available: true,
                connected: true,
            })
            .collect()
    }

    fn rr(offer: u32, pool_after: u32) -> RoutingSettings {
        RoutingSettings {
            mode: RoutingMode::RoundRobin,
            offer_seconds: offer,
            pool_after_seconds: pool_after,
            owner_id: None,
        }
    }

    fn t0() -> DateTime<Utc> {
        "2026-12-07T15:00:00Z".parse().unwrap()
    }

    /// Runs one lead through round robin on a logical clock: the rep of the `n`th offer claims
    /// it if `claims(n)`, else lets it run out. Returns the offers in order, with when each came.
    fn run_lead(
        settings: &RoutingSettings,
        team: &[Candidate],
        rotation: &mut Rotation,
        arrived: DateTime<Utc>,
        claims: impl Fn(usize) -> bool,
    ) -> Vec<(Offer, DateTime<Utc>)> {
        let mut now = arrived;
        let mut offer = first(settings, team, rotation, arrived, now);
        let mut tried = Vec::new();
        let mut offers = vec![(offer.clone(), now)];
        loop {
            if offer.pool {
                return offers;
            }
            rotation.note(&offer.to[0].id, now);
            if claims(offers.len() - 1) {
                return offers;
            }
            tried.push(offer.to[0].id.clone());
            now = offer.until.expect("a round-robin offer runs out");
            offer = next(settings, team, rotation, &tried, arrived, now);
            offers.push((offer.clone(), now));
        }
    }

    #[test]
    fn round_robin_is_fair_over_thirty_leads_and_skips_an_away_rep() {
        let mut reps = team(&["Ann", "Bo", "Cy", "Di"]);
        reps[3].available = false; // Di is away all day.
        let (settings, mut rotation) = (rr(30, 120), Rotation::default());
        let mut first_offers: HashMap<String, u32> = HashMap::new();
        for i in 0..30 {
            let arrived = t0() + Duration::minutes(i);
            // Every third lead, its first rep lets it run out (the next one claims).
            let offers = run_lead(&settings, &reps, &mut rotation, arrived, |n| n > 0 || i % 3 != 0);
            *first_offers.entry(offers[0].0.to[0].id.clone()).or_default() += 1;
            assert!(offers.iter().all(|(o, _)| !o.is_for("di")), "an away rep is never offered a lead alone");
        }
        let given: Vec<u32> = ["ann", "bo", "cy"].iter().map(|r| rotation.today(r)).collect();
        let (min, max) = (given.iter().min().unwrap(), given.iter().max().unwrap());
        assert!(max - min <= 1, "offers over the day are fair to one: {given:?}");
        assert_eq!(given.iter().sum::<u32>(), 40, "30 first offers and 10 that moved on");
        assert!(first_offers.values().all(|n| (9..=11).contains(n)), "{first_offers:?}");
    }

    #[test]
    fn an_unanswered_offer_moves_on_within_its_window_then_goes_to_everyone() {
        let reps = team(&["Ann", "Bo", "Cy"]);
        let (settings, mut rotation) = (rr(20, 300), Rotation::default());
        let offers = run_lead(&settings, &reps, &mut rotation, t0(), |_| false);
        let alone: Vec<&str> = offers.iter().filter(|(o, _)| !o.pool).map(|(o, _)| o.to[0].id.as_str()).collect();
        assert_eq!(alone.len(), 3, "each rep had it once: {alone:?}");
        let mut sorted = alone.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 3, "never the same rep twice");
        for pair in offers.windows(2) {
            let ((offer, at), (_, moved)) = (&pair[0], &pair[1]);
            assert_eq!(*moved - *at, Duration::seconds(20), "moved on when its window ended");
            assert_eq!(offer.until, Some(*moved));
        }
        let (last, at) = offers.last().unwrap();
        assert!(last.pool && last.to.len() == 3, "after the last rep, everyone: {last:?}");
        assert_eq!(*at, t0() + Duration::seconds(60));
    }

    #[test]
    fn everyone_is_offered_it_once_its_time_is_up_even_with_reps_untried() {
        let reps = team(&["Ann", "Bo", "Cy"]);
        let (settings, mut rotation) = (rr(30, 45), Rotation::default());
        let offers = run_lead(&settings, &reps, &mut rotation, t0(), |_| false);
        let times: Vec<i64> = offers.iter().map(|(_, at)| (*at - t0()).num_seconds()).collect();
        assert_eq!(times, [0, 30, 45], "the second offer is cut short at 45 s");
        assert!(offers[2].0.pool);
    }

    #[test]
    fn a_rep_without_a_connection_is_skipped_and_nobody_connected_means_everyone() {
        let mut reps = team(&["Ann", "Bo"]);
        reps[0].connected = false;
        let rotation = Rotation::default();
        let offer = first(&rr(30, 120), &reps, &rotation, t0(), t0());
        assert_eq!(offer.to[0].id, "bo");
        reps[1].connected = false;
        let offer = first(&rr(30, 120), &reps, &rotation, t0(), t0());
        assert!(offer.pool && offer.to.len() == 2, "available reps hear it when they connect: {offer:?}");
    }

    #[test]
    fn owner_mode_offers_the_owner_else_the_first_admin() {
        let mut reps = team(&["Ann", "Bo"]);
        reps[1].admin = true;
        let mut settings = RoutingSettings { mode: RoutingMode::Owner, ..RoutingSettings::default() };
        let rotation = Rotation::default();
        let offer = first(&settings, &reps, &rotation, t0(), t0());
        assert_eq!((offer.to[0].id.as_str(), offer.until, offer.pool), ("bo", None, false));
        settings.owner_id = Some("ann".into());
        assert_eq!(first(&settings, &reps, &rotation, t0(), t0()).to[0].id, "ann");
    }

    #[test]
    fn everyone_mode_offers_every_available_rep() {
        let mut reps = team(&["Ann", "Bo", "Cy"]);
        reps[2].available = false;
        let offer = first(&RoutingSettings::default(), &reps, &Rotation::default(), t0(), t0());
        let ids: Vec<&str> = offer.to.iter().map(|o| o.id.as_str()).collect();
        assert_eq!((ids, offer.pool, offer.until), (vec!["ann", "bo"], true, None));
    }

    #[test]
    fn the_day_starts_fair_again() {
        let reps = team(&["Ann", "Bo"]);
        let mut rotation = Rotation::default();
        for _ in 0..3 {
            rotation.note("ann", t0());
        }
        let tomorrow = t0() + Duration::days(1);
        let offer = first(&rr(30, 120), &reps, &rotation, tomorrow, tomorrow);
        assert_eq!(offer.to[0].id, "bo", "Bo waited longest");
        rotation.note("bo", tomorrow);
        let offer = first(&rr(30, 120), &reps, &rotation, tomorrow, tomorrow);
        assert_eq!(offer.to[0].id, "ann", "yesterday's three do not count today");
    }
}
