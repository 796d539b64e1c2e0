//! Team lead routing: each new vendor lead is offered by the tenant's mode (`plan.rs`), its
//! offer moves on when its window ends, a change of mode or of a rep's availability re-offers
//! what is in flight, and every offer is announced on the tenant's sockets (`lead_offered`).
//!
//! Storage is the truth: every offer and move is written before it is announced, and a move
//! names the step it moves from, so a claim and a move never both win. The open routes are also
//! held here (read back at start, so offers survive a restart) for their deadlines and for the
//! sockets that sign in.

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

/// Open offers resent to a socket that signs in are those of leads younger than this.
pub const RESEND_WITHIN: chrono::Duration = chrono::Duration::hours(24);

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
    /// Open routes by (tenant, lead).
    open: HashMap<(String, String), OpenRoute>,
    /// When each open offer with a window runs out: (when, tenant, lead).
    deadlines: BTreeSet<(DateTime<Utc>, String, String)>,
    rotations: HashMap<String, Rotation>,
}

impl Routes {
    fn put(&mut self, route: OpenRoute) {
        self.forget(&route.tenant_id, &route.lead_id);
        if let Some(until) = route.offer.until {
            self.deadlines.insert((until, route.tenant_id.clone(), route.lead_id.clone()));
        }
        self.open.insert((route.tenant_id.clone(), route.lead_id.clone()), route);
    }

    fn forget(&mut self, tenant: &str, lead: &str) -> Option<OpenRoute> {
        let old = self.open.remove(&(tenant.to_owned(), lead.to_owned()))?;
        if let Some(until) = old.offer.until {
            self.deadlines.remove(&(until, old.tenant_id.clone(), old.lead_id.clone()));
        }
        Some(old)
    }
}

impl Router {
    /// Reads back the open routes and each tenant's offers of today (blocking). Then
    /// [`Router::spawn_deadlines`] moves offers on when their windows end.
    pub fn load(store: Arc<dyn Store>, hub: Hub, in_order: Arc<Mutex<()>>) -> StoreResult<Router> {
        let mut routes = Routes::default();
        let today = Utc::now().date_naive().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        for route in store.open_routes(None, None)? {
            if !routes.rotations.contains_key(&route.tenant_id) {
                let mut rotation = Rotation::default();
                for (user, at) in store.offers_alone_since(&route.tenant_id, today)? {
                    rotation.note(&user, at);
                }
                routes.rotations.insert(route.tenant_id.clone(), rotation);
            }
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

    /// The tenant's team as routing sees it now: active users who have accepted their invite.
    fn candidates(&self, s: &dyn Store, tenant: &str) -> StoreResult<Vec<Candidate>> {
        let connected = self.0.hub.users(tenant);
        Ok(s.team(tenant)?
            .into_iter()
            .filter(|u| u.active && u.invite_hash.is_none())
            .map(|u| Candidate {
                connected: connected.contains(&u.id),
                admin: u.role == crokodial_core::api::Role::Admin,
                available: u.available,
                id: u.id,
                name: u.name,
            })
            .collect())
    }

    /// Routes a new lead: its first offer, written, its window kept. Call from a blocking task,
    /// holding the order lock, before the lead is announced (the announcement carries the offer).
    pub fn route_new(&self, s: &dyn Store, lead: &Lead, now: DateTime<Utc>) -> StoreResult<Offer> {
        let tenant = lead.tenant_id.clone().unwrap_or_default();
        let settings = s.routing(&tenant)?;
        let team = self.candidates(s, &tenant)?;
        let arrived_at = lead.created_at.unwrap_or(now);
        let mut routes = self.routes();
        let offer = plan::first(&settings, &team, routes.rotations.entry(tenant.clone()).or_default(), arrived_at, now);
        s.open_route(lead, &offer, now)?;
        let route = OpenRoute {
            tenant_id: tenant,
            lead_id: lead.id.clone(),
            source: lead.source.map(|s| s.as_str().to_owned()),
            arrived_at,
            step: 0,
            tried: if offer.pool { Vec::new() } else { offer.to.iter().map(|o| o.id.clone()).collect() },
            offer: offer.clone(),
        };
        let sooner = offer.until.is_some_and(|u| routes.deadlines.first().is_none_or(|(first, ..)| u < *first));
        routes.put(route);
        drop(routes);
        if sooner {
            self.0.wake.notify_one();
        }
        Ok(offer)
    }

    /// A claim won: the route is over.
    pub fn claimed(&self, tenant: &str, lead: &str) {
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
                self.routes().put(OpenRoute { step: route.step + 1, offer: offer.clone(), tried, ..route.clone() });
                let event = ServerMessage::LeadOffered {
                    data: OfferNotification { lead_id: route.lead_id.clone(), offer, lead: Some(Box::new(lead)) },
                };
                self.0.hub.broadcast(&route.tenant_id, &event);
            }
            // Claimed or gone meanwhile; a claim has already told everyone.
            None => _ = self.routes().forget(&route.tenant_id, &route.lead_id),
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
        let mut settings: HashMap<String, (RoutingSettings, Vec<Candidate>)> = HashMap::new();
        for route in due {
            if !settings.contains_key(&route.tenant_id) {
                let tenant = route.tenant_id.clone();
                settings.insert(tenant.clone(), (s.routing(&tenant)?, self.candidates(s, &tenant)?));
            }
            let (rules, team) = &settings[&route.tenant_id];
            let offer = {
                let mut routes = self.routes();
                let rotation = routes.rotations.entry(route.tenant_id.clone()).or_default();
                plan::next(rules, team, rotation, &route.tried, route.arrived_at, now)
            };
            self.shift(s, &route, offer, OfferEnd::TimedOut, now)?;
        }
        Ok(())
    }

    /// Re-offers every open lead of the tenant under its routing as it is now (the mode changed).
    pub fn replan(&self, s: &dyn Store, tenant: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let _in_order = self.0.in_order.lock().unwrap_or_else(|p| p.into_inner());
        let (settings, team) = (s.routing(tenant)?, self.candidates(s, tenant)?);
        for route in self.open_of(tenant) {
            let offer = {
                let mut routes = self.routes();
                let rotation = routes.rotations.entry(tenant.to_owned()).or_default();
                plan::first(&settings, &team, rotation, route.arrived_at, now)
            };
            let fresh = OpenRoute { tried: Vec::new(), ..route };
            self.shift(s, &fresh, offer, OfferEnd::Passed, now)?;
        }
        Ok(())
    }

    /// A rep went away or came back (or was deactivated): offers to everyone take them out or
    /// in, and what was offered to them alone moves on.
    pub fn availability_changed(&self, s: &dyn Store, tenant: &str, user: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let _in_order = self.0.in_order.lock().unwrap_or_else(|p| p.into_inner());
        let (settings, team) = (s.routing(tenant)?, self.candidates(s, tenant)?);
        let away = !team.iter().any(|c| c.id == user && c.available);
        for route in self.open_of(tenant) {
            let offer = if route.offer.pool {
                let offer = plan::repool(&team, now);
                if offer.to == route.offer.to {
                    continue;
                }
                // Still the same offer to those who had it.
                Offer { since: route.offer.since, ..offer }
            } else if away && route.offer.is_for(user) {
                let mut routes = self.routes();
                let rotation = routes.rotations.entry(tenant.to_owned()).or_default();
                let offer = match route.offer.until {
                    // Round robin: the next rep.
                    Some(_) => plan::next(&settings, &team, rotation, &route.tried, route.arrived_at, now),
                    // Owner mode: the owner again (away, they still own it), else the first admin.
                    None => plan::first(&settings, &team, rotation, route.arrived_at, now),
                };
                if offer.to == route.offer.to {
                    continue;
                }
                offer
            } else {
                continue;
            };
            self.shift(s, &route, offer, OfferEnd::Passed, now)?;
        }
        Ok(())
    }

    /// The tenant's open routes, oldest first.
    fn open_of(&self, tenant: &str) -> Vec<OpenRoute> {
        let mut open: Vec<OpenRoute> = self.routes().open.values().filter(|r| r.tenant_id == tenant).cloned().collect();
        open.sort_by(|a, b| (a.arrived_at, &a.lead_id).cmp(&(b.arrived_at, &b.lead_id)));
        open
    }

    /// What a socket of `user` is sent when it signs in, after its replay: the open offers to
    /// them of leads younger than [`RESEND_WITHIN`]. (What moved on to others meanwhile is
    /// what a resuming client does not hear again before `caught_up`.)
    pub fn open_offers(&self, tenant: &str, user: &str, now: DateTime<Utc>) -> Vec<OpenRoute> {
        let fresh = |r: &OpenRoute| now - r.arrived_at < RESEND_WITHIN && r.offer.is_for(user);
        self.open_of(tenant).into_iter().filter(fresh).collect()
    }

    /// Sleeps until the next offer runs out (or a sooner one is set), then moves the due ones on.
    async fn run_deadlines(self) {
        loop {
            let next = self.routes().deadlines.first().map(|(at, ..)| *at);
            let wait = match next {
                Some(at) => (at - Utc::now()).to_std().unwrap_or_default(),
                None => std::time::Duration::from_secs(3600),
            };
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
