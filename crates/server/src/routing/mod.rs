//! Team lead routing: each new vendor lead is offered by the tenant's mode (`plan.rs`), its
//! offer moves on when its window ends, a change of mode or of a rep's availability re-offers
//! what is in flight, and every offer is announced on the tenant's sockets (`lead_offered`).
//!
//! Storage is the truth: a lead's first offer is written with the lead, every move before it is
//! announced, and a move names the step it moves from, so a claim and a move never both win. The
//! routes in flight (those of the last [`IN_FLIGHT`]) are also held here, read back at start so
//! offers survive a restart, for their deadlines and for the sockets that sign in. An older lead
//! nobody claimed stays claimable; it is no longer offered anew.
//!
//! Locks are taken in one order: the server's `in_order`, then `routes` or the store, then the
//! hub; `routes` is never held across a store call.

pub mod plan;
pub mod report;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use crokodial_core::routing::{Offer, RoutingSettings};
use crokodial_core::ws::{OfferNotification, ServerMessage};
use crokodial_core::Lead;
use tokio::sync::Notify;

use crate::hub::Hub;
use crate::store::{self, OfferEnd, OpenRoute, Store, StoreResult};
use plan::{Candidate, Rotation};

/// How long after its arrival a lead is in flight: re-offered when the mode or the team's
/// availability changes, and sent to a rep who signs in. (Round robin's windows end sooner: a
/// lead goes to everyone within an hour.)
pub const IN_FLIGHT: chrono::Duration = chrono::Duration::hours(1);

/// The deadline task looks at least this often for routes no longer in flight.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

#[derive(Clone)]
pub struct Router(Arc<Inner>);

struct Inner {
    store: Arc<dyn Store>,
    hub: Hub,
    /// The server's order lock (see `AppState::in_order`): held from a write to its announcement.
    in_order: Arc<Mutex<()>>,
    routes: Mutex<Routes>,
    /// Woken when a deadline sooner than the one slept on is set.
    wake: Notify,
}

#[derive(Default)]
struct Routes {
    /// Routes in flight, by (tenant, lead).
    open: HashMap<(String, String), OpenRoute>,
    /// When each open offer with a window runs out: (when, tenant, lead).
    deadlines: BTreeSet<(DateTime<Utc>, String, String)>,
    /// Each tenant's round robin of the day, read from storage when first needed.
    rotations: HashMap<String, Rotation>,
}

impl Routes {
    /// Keeps `route`; true if its deadline is now the soonest.
    fn put(&mut self, route: OpenRoute) -> bool {
        self.forget(&route.tenant_id, &route.lead_id);
        let until = route.offer.until;
        if let Some(until) = until {
            self.deadlines.insert((until, route.tenant_id.clone(), route.lead_id.clone()));
        }
        self.open.insert((route.tenant_id.clone(), route.lead_id.clone()), route);
        until.is_some_and(|u| self.deadlines.first().is_some_and(|(first, ..)| *first == u))
    }

    fn forget(&mut self, tenant: &str, lead: &str) -> Option<OpenRoute> {
        let old = self.open.remove(&(tenant.to_owned(), lead.to_owned()))?;
        if let Some(until) = old.offer.until {
            self.deadlines.remove(&(until, old.tenant_id.clone(), old.lead_id.clone()));
        }
        Some(old)
    }

    /// Lets go of the routes no longer in flight (they have no window left by then).
    fn prune(&mut self, now: DateTime<Utc>) {
        self.open.retain(|_, r| r.offer.until.is_some() || now - r.arrived_at < IN_FLIGHT);
    }
}

impl Router {
    /// Reads back the routes in flight (blocking). Then [`Router::spawn_deadlines`] moves offers
    /// on when their windows end.
    pub fn load(store: Arc<dyn Store>, hub: Hub, in_order: Arc<Mutex<()>>) -> StoreResult<Router> {
        let mut routes = Routes::default();
        for route in store.open_routes(Utc::now() - IN_FLIGHT)? {
            routes.put(route);
        }
        Ok(Router(Arc::new(Inner { store, hub, in_order, routes: Mutex::new(routes), wake: Notify::new() })))
    }

    /// Starts the task that moves offers on; it runs until aborted.
    pub fn spawn_deadlines(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.clone().run_deadlines())
    }

    fn routes(&self) -> MutexGuard<'_, Routes> {
        self.0.routes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The tenant's team as routing sees it now: who takes leads, available or not, connected or
    /// not (oldest first).
    pub fn team(&self, s: &dyn Store, tenant: &str) -> StoreResult<Vec<Candidate>> {
        let connected = self.0.hub.users(tenant);
        Ok(s.team(tenant)?
            .into_iter()
            .filter(|u| u.takes_leads())
            .map(|u| Candidate {
                connected: connected.contains(&u.id),
                admin: u.role == crokodial_core::api::Role::Admin,
                available: u.available,
                id: u.id,
                name: u.name,
            })
            .collect())
    }

    /// Runs `plan` on the tenant's rotation of the day (read from storage the first time, not
    /// under the lock).
    fn with_rotation<T>(
        &self,
        s: &dyn Store,
        tenant: &str,
        now: DateTime<Utc>,
        plan: impl FnOnce(&Rotation) -> T,
    ) -> StoreResult<T> {
        if !self.routes().rotations.contains_key(tenant) {
            let midnight = now.date_naive().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
            let mut rotation = Rotation::default();
            for (user, at) in s.offers_alone_since(tenant, midnight)? {
                rotation.note(&user, at);
            }
            self.routes().rotations.entry(tenant.to_owned()).or_insert(rotation);
        }
        Ok(plan(self.routes().rotations.entry(tenant.to_owned()).or_default()))
    }

    /// Who a new lead of `tenant` arriving now is offered to. The offer is written with the lead
    /// ([`Store::upsert_lead`]); then [`Router::opened`]. Call from a blocking task, holding
    /// the order lock.
    pub fn first_offer(&self, s: &dyn Store, tenant: &str, now: DateTime<Utc>) -> StoreResult<Offer> {
        let (settings, team) = (s.routing(tenant)?, self.team(s, tenant)?);
        self.with_rotation(s, tenant, now, |rotation| plan::first(&settings, &team, rotation, now, now))
    }

    /// A new lead was stored with its first `offer`: its window is kept.
    pub fn opened(&self, lead: &Lead, offer: &Offer, now: DateTime<Utc>) {
        let route = OpenRoute {
            tenant_id: lead.tenant_id.clone().unwrap_or_default(),
            lead_id: lead.id.clone(),
            source: lead.source.map(|s| s.as_str().to_owned()),
            arrived_at: lead.created_at.unwrap_or(now),
            step: 0,
            tried: if offer.pool { Vec::new() } else { offer.to.iter().map(|o| o.id.clone()).collect() },
            offer: offer.clone(),
        };
        self.keep(route, now);
    }

    /// Keeps a route as it now is, notes a round-robin offer in the day's rotation, and wakes
    /// the deadline task if its window ends soonest.
    fn keep(&self, route: OpenRoute, now: DateTime<Utc>) {
        let mut routes = self.routes();
        if let (false, Some(_), [rep]) = (route.offer.pool, route.offer.until, route.offer.to.as_slice()) {
            routes.rotations.entry(route.tenant_id.clone()).or_default().note(&rep.id, now);
        }
        let soonest = routes.put(route);
        drop(routes);
        if soonest {
            self.0.wake.notify_one();
        }
    }

    /// A route is over: its lead was claimed, or deleted.
    pub fn closed(&self, tenant: &str, lead: &str) {
        self.routes().forget(tenant, lead);
    }

    /// Moves `route` to `offer`, writes and announces it (call holding the order lock).
    fn shift(
        &self,
        s: &dyn Store,
        route: &OpenRoute,
        offer: Offer,
        ended: OfferEnd,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tried = route.tried.clone();
        if !offer.pool {
            tried.extend(offer.to.iter().map(|o| o.id.clone()).filter(|id| !route.tried.contains(id)));
        }
        match s.move_route(route, &offer, &route.tried, ended, now)? {
            Some(lead) => {
                self.keep(OpenRoute { step: route.step + 1, offer: offer.clone(), tried, ..route.clone() }, now);
                let event = ServerMessage::LeadOffered {
                    data: OfferNotification { lead_id: route.lead_id.clone(), offer, lead: Some(Box::new(lead)) },
                };
                self.0.hub.broadcast(&route.tenant_id, &event);
            }
            // Claimed or gone meanwhile; a claim has already told everyone.
            None => self.closed(&route.tenant_id, &route.lead_id),
        }
        Ok(())
    }

    /// Moves on every offer whose window ended by `now`.
    fn expire(&self, s: &dyn Store, now: DateTime<Utc>) -> StoreResult<()> {
        let _in_order = self.0.in_order.lock().unwrap_or_else(|p| p.into_inner());
        let due: Vec<OpenRoute> = {
            let routes = self.routes();
            let keys = routes.deadlines.iter().take_while(|(at, ..)| *at <= now);
            keys.filter_map(|(_, t, l)| routes.open.get(&(t.clone(), l.clone())).cloned()).collect()
        };
        let mut tenants: HashMap<String, (RoutingSettings, Vec<Candidate>)> = HashMap::new();
        for route in due {
            let tenant = route.tenant_id.clone();
            if !tenants.contains_key(&tenant) {
                tenants.insert(tenant.clone(), (s.routing(&tenant)?, self.team(s, &tenant)?));
            }
            let (rules, team) = &tenants[&tenant];
            let offer = self
                .with_rotation(s, &tenant, now, |r| plan::next(rules, team, r, &route.tried, route.arrived_at, now))?;
            self.shift(s, &route, offer, OfferEnd::TimedOut, now)?;
        }
        Ok(())
    }

    /// Re-offers every lead of the tenant in flight under its routing as it is now (the mode, or
    /// the owner, changed).
    pub fn replan(&self, s: &dyn Store, tenant: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let _in_order = self.0.in_order.lock().unwrap_or_else(|p| p.into_inner());
        let (settings, team) = (s.routing(tenant)?, self.team(s, tenant)?);
        for route in self.in_flight(tenant, now) {
            let offer =
                self.with_rotation(s, tenant, now, |r| plan::first(&settings, &team, r, route.arrived_at, now))?;
            let fresh = OpenRoute { tried: Vec::new(), ..route };
            self.shift(s, &fresh, offer, OfferEnd::Passed, now)?;
        }
        Ok(())
    }

    /// A rep went away or came back (or was deactivated): offers to everyone take them out or
    /// in, and what was offered to them alone moves on.
    pub fn availability_changed(&self, s: &dyn Store, tenant: &str, user: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let _in_order = self.0.in_order.lock().unwrap_or_else(|p| p.into_inner());
        let (settings, team) = (s.routing(tenant)?, self.team(s, tenant)?);
        let away = !team.iter().any(|c| c.id == user && c.available);
        for route in self.in_flight(tenant, now) {
            let offer = if route.offer.pool {
                // Still the same offer to those who had it.
                Offer { since: route.offer.since, ..plan::pool(&team, now) }
            } else if away && route.offer.is_for(user) {
                self.with_rotation(s, tenant, now, |r| match route.offer.until {
                    // Round robin: the next rep.
                    Some(_) => plan::next(&settings, &team, r, &route.tried, route.arrived_at, now),
                    // Owner mode: the owner again (away, they still own it), else the first admin.
                    None => plan::first(&settings, &team, r, route.arrived_at, now),
                })?
            } else {
                continue;
            };
            if offer.to != route.offer.to {
                self.shift(s, &route, offer, OfferEnd::Passed, now)?;
            }
        }
        Ok(())
    }

    /// The tenant's routes in flight, oldest first.
    fn in_flight(&self, tenant: &str, now: DateTime<Utc>) -> Vec<OpenRoute> {
        let mut open: Vec<OpenRoute> = self
            .routes()
            .open
            .values()
            .filter(|r| r.tenant_id == tenant && now - r.arrived_at < IN_FLIGHT)
            .cloned()
            .collect();
        open.sort_by(|a, b| (a.arrived_at, &a.lead_id).cmp(&(b.arrived_at, &b.lead_id)));
        open
    }

    /// What a socket of `user` is sent when it signs in, after its replay: the offers in flight
    /// to them. (What moved on to others meanwhile is what a resuming client does not hear again
    /// before `caught_up`.)
    pub fn open_offers(&self, tenant: &str, user: &str, now: DateTime<Utc>) -> Vec<OpenRoute> {
        self.in_flight(tenant, now).into_iter().filter(|r| r.offer.is_for(user)).collect()
    }

    /// Sleeps until the next offer runs out (or a sooner one is set), then moves the due ones on.
    async fn run_deadlines(self) {
        loop {
            let next = {
                let mut routes = self.routes();
                routes.prune(Utc::now());
                routes.deadlines.first().map(|(at, ..)| *at)
            };
            let wait = next.map_or(PRUNE_EVERY, |at| (at - Utc::now()).to_std().unwrap_or_default().min(PRUNE_EVERY));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.0.wake.notified() => continue,
            }
            let router = self.clone();
            let store = Arc::clone(&self.0.store);
            if let Err(e) = store::run(&store, move |s| router.expire(s, Utc::now())).await {
                tracing::error!(error = %e, "cannot move offers on; trying again in a second");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}
