//! The lead feed: socket events joined to the alert policy. Front ends (the desktop shell, the
//! `watch` command) consume this, so the rules for what to announce and when to sound are
//! written once:
//! - a lead is announced once, however often it is delivered (replays, the deployed server's
//!   stub-then-full pair, backfill after a reconnect);
//! - only a new lead from a source the rep chose (vendors by default) that is still fresh is
//!   announced (a backlog after a night offline is shown, not rung);
//! - a burst of leads rings once;
//! - "mute for 1 h" and quiet hours silence the sound, not the announcement;
//! - from a server that routes leads (ours), a lead rings only the reps it is offered to, when
//!   it is offered to them; a claim, or the offer moving on, withdraws it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveTime, Utc};
use crokodial_core::api::LeadQuery;
use crokodial_core::routing::Offer;
use crokodial_core::ws::NewLeadNotification;
use crokodial_core::{Lead, LeadSource};
use tokio::sync::watch;

use crate::alert::{AlertPlayer, Playback};
use crate::api::ApiClient;
use crate::cache::CacheHandle;
use crate::error::ClientError;
use crate::netwatch;
use crate::settings::{AlertSettings, Hush, Settings};
use crate::socket::{ConnectionState, SocketEvent, SocketHandle};
use crate::AbortOnDrop;

/// A lead older than this when it reaches us is shown but not announced.
pub const ANNOUNCE_MAX_AGE: Duration = Duration::from_secs(120);
/// Announcements closer together than this share one sound.
pub const ALERT_COALESCE: Duration = Duration::from_secs(1);
/// How many lead ids are remembered for de-duplication.
const REMEMBERED: usize = 10_000;
/// A backfill reads pages of this many of the newest leads (the deployed server's maximum)…
const BACKFILL_PAGE: u32 = 100;
/// …and at most this many pages: 5,000 leads.
const BACKFILL_PAGES: u32 = 50;
/// How long an offer to this rep is remembered: a routing server sends the offers of the last
/// hour again to a socket that signs in (its `IN_FLIGHT`); an older one it no longer re-offers.
const OFFER_MEMORY: Duration = Duration::from_secs(3600);
/// How far the server's clock may be behind ours when we date a live event by our clock.
const CLOCK_MARGIN: chrono::Duration = chrono::Duration::minutes(2);

pub struct LeadFeed {
    socket: SocketHandle,
    _netwatch: AbortOnDrop,
    /// macOS: App Nap held off while live.
    #[cfg(target_os = "macos")]
    _awake: AbortOnDrop,
    alert: AlertPlayer,
    settings: watch::Receiver<Settings>,
    api: ApiClient,
    policy: Policy,
    /// Leads created before this (server time) were delivered; a backfill reads back to here.
    since: DateTime<Utc>,
    /// What is ready to be handed out, in order.
    ready: VecDeque<Ready>,
    /// Events that name a lead but do not carry it (the deployed server's), waiting to be found
    /// in this account's list.
    unresolved: Vec<Unresolved>,
    /// An upload somewhere, heard as one event per new row.
    upload: Option<Upload>,
    /// Where each lead goes before it is handed out, so the list has it before the UI asks.
    cache: Option<CacheHandle>,
    /// The rep this feed is for (their user id): offers to them ring.
    rep: String,
    /// The server routes leads: only offers ring.
    routing: bool,
    /// Leads announced to this rep as offered to them, not yet claimed nor gone to others, with
    /// when: after [`OFFER_MEMORY`] a server no longer sends them again.
    offered: HashMap<String, Instant>,
    /// A resuming connection's catch-up, until `caught_up`.
    catch_up: Option<CatchUp>,
}

/// What a resuming connection hears before `caught_up`.
#[derive(Default)]
struct CatchUp {
    /// New leads that came while this rep was offline, as they are now.
    missed: Vec<Lead>,
    /// Leads offered to this rep again.
    offered: HashSet<String>,
}

/// Something the feed tells its front end.
pub enum FeedEvent {
    /// A lead arrived, or arrived again: announce it, or only show it.
    Lead(Box<LeadArrival>),
    /// Leads in the cache changed with no lead to show: refresh what is on screen.
    Changed(Change),
    /// A claim, an offer withdrawn, what came while away (servers that route leads).
    Routing(Routed),
}

/// What routing did to leads this rep heard of.
#[derive(Debug, Clone, PartialEq)]
pub enum Routed {
    /// A lead was claimed, by this rep or another (`lead.claim` says who); it is in the cache.
    Claimed(Box<Lead>),
    /// A lead offered to this rep went to others (named) before they claimed it.
    Withdrawn { lead_id: String, to: String },
    /// Back after an outage: the new leads that came meanwhile, oldest first, each as it is now
    /// (claimed or not). The ones still offered to this rep were announced (one sound).
    Missed(Vec<Lead>),
}

/// Why a lead was not announced to this rep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unannounced {
    /// An update of a lead, not a new one.
    Update,
    /// Announced before (a replay, a lead offered again).
    Repeat,
    /// From a source the rep does not alert for.
    Source,
    /// Older than [`ANNOUNCE_MAX_AGE`] when it came.
    Stale,
    /// Routed: offered to others (named), not to this rep.
    OfferedTo(String),
    /// Routed, heard again without its offer (a replay); an offer to this rep comes on its own.
    NoOffer,
    /// Claimed already (by the rep named).
    Claimed(String),
}

impl std::fmt::Display for Unannounced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unannounced::Update => f.write_str("an update of a lead"),
            Unannounced::Repeat => f.write_str("heard before"),
            Unannounced::Source => f.write_str("not a source you alert for"),
            Unannounced::Stale => f.write_str("too old when it came"),
            Unannounced::OfferedTo(names) => write!(f, "offered to {names}"),
            Unannounced::NoOffer => f.write_str("not offered to you"),
            Unannounced::Claimed(name) => write!(f, "claimed by {name}"),
        }
    }
}

/// A lead event for front ends.
pub struct LeadArrival {
    /// The lead, whole (the feed looks up a lead the server only names).
    pub lead: Lead,
    /// A new lead, not an update of one or a replay.
    pub is_new: bool,
    /// How long the server took from the vendor's request to sending the event, when it says.
    pub server_ms: Option<f64>,
    /// A new, fresh vendor lead seen for the first time: tell the rep (notification, badge).
    pub announce: bool,
    /// The alert sound this event started, if any (bursts share one).
    pub alert: Option<Playback>,
    /// Why an announced lead made no sound, when it was hushed.
    pub hush: Option<Hush>,
    /// Why it was not announced, when it was not.
    pub unannounced: Option<Unannounced>,
    /// Who it is offered to (servers that route leads).
    pub offer: Option<Offer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A lead's notes were written elsewhere (the web app, another rep); the cache has them.
    Notes { lead_id: String },
    /// An upload elsewhere brought these many leads into this account's list; never rung.
    Uploaded { leads: u64 },
}

enum Ready {
    Lead(Box<Heard>),
    Change(Change),
    Routing(Routed),
}

/// A lead ready to be handed out: whole (as our server sends it, or as found in the cache or the
/// account's list), with what its event said.
struct Heard {
    lead: Lead,
    /// A new lead, not an update of one or a replay.
    is_new: bool,
    /// The source the event names (the deployed server's events name one), else the lead's.
    source: Option<LeadSource>,
    server_ms: Option<f64>,
    /// Who it is offered to, when the event said.
    offer: Option<Offer>,
}

impl Heard {
    fn new(event: &NewLeadNotification, lead: Lead) -> Self {
        let source = event.lead_source().or(lead.source);
        Heard { lead, is_new: event.is_new, source, server_ms: event.process_ms, offer: event.offer.clone() }
    }
}

struct Unresolved {
    event: NewLeadNotification,
    /// Looks in the list that did not find it.
    looks: usize,
    due: Instant,
    /// When it was heard: a list that cannot be read is tried again until [`LOOK_FOR`] after.
    heard: Instant,
}

struct Upload {
    rows: u64,
    /// Its leads were created after this (server time).
    since: DateTime<Utc>,
    last_row: Instant,
}

/// After an event that names a lead, the list is read at once, and again after these waits
/// while the lead is not there; then it is taken to be another account's.
const LOOK_AGAIN: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];
/// How long a lead is looked for while the list cannot be read (a server error, a timeout).
const LOOK_FOR: Duration = Duration::from_secs(30);
/// An upload's rows come one after the other; it is over when none came for this long.
const UPLOAD_SETTLED: Duration = Duration::from_secs(2);

impl LeadFeed {
    /// Connects the socket of a logged-in client (a session's `api()`). Needs a tokio runtime.
    /// `settings` is read at each lead, so a change applies to the next one.
    /// `rep`: the signed-in rep's user id (offers to them ring).
    pub fn start(
        api: &ApiClient,
        rep: &str,
        alert: AlertPlayer,
        settings: watch::Receiver<Settings>,
    ) -> Result<Self, ClientError> {
        let api = api.clone();
        let socket = SocketHandle::spawn(&api)?;
        let netwatch = netwatch::spawn(&api.socket_url(), socket.nudge());
        Ok(LeadFeed {
            #[cfg(target_os = "macos")]
            _awake: AbortOnDrop(crate::awake::while_live(socket.state())),
            socket,
            _netwatch: AbortOnDrop(netwatch),
            alert,
            settings,
            api,
            policy: Policy::default(),
            since: Utc::now() - CLOCK_MARGIN,
            ready: VecDeque::new(),
            unresolved: Vec::new(),
            upload: None,
            cache: None,
            rep: rep.to_owned(),
            routing: false,
            offered: HashMap::new(),
            catch_up: None,
        })
    }

    /// Writes every lead event into `cache` before handing it out.
    pub fn with_cache(mut self, cache: CacheHandle) -> Self {
        self.cache = Some(cache);
        self
    }

    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.socket.state()
    }

    /// The next event; a sound, if any, has already started when this returns.
    pub async fn next(&mut self) -> Option<FeedEvent> {
        loop {
            match self.ready.pop_front() {
                Some(Ready::Lead(heard)) => return Some(FeedEvent::Lead(Box::new(self.hand_out(*heard).await))),
                Some(Ready::Change(change)) => return Some(FeedEvent::Changed(change)),
                Some(Ready::Routing(routed)) => return Some(FeedEvent::Routing(routed)),
                None => {}
            }
            let wake = self
                .unresolved
                .iter()
                .map(|u| u.due)
                .chain(self.upload.as_ref().map(|u| u.last_row + UPLOAD_SETTLED))
                .min();
            tokio::select! {
                event = self.socket.next_event() => self.heard(event?).await,
                () = sleep_until(wake), if wake.is_some() => {
                    self.look_up().await;
                    self.upload_settled().await;
                }
            }
        }
    }

    async fn heard(&mut self, event: SocketEvent) {
        match event {
            SocketEvent::NewLead(lead) => self.heard_lead(lead).await,
            SocketEvent::NotesUpdated { lead_id, notes } => {
                let Some(cache) = &self.cache else { return };
                let id = lead_id.clone();
                match cache.run(move |c| c.set_notes(&id, &notes)).await {
                    Ok(true) => self.ready.push_back(Ready::Change(Change::Notes { lead_id })),
                    // Not in this account's list: another account's lead.
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot keep notes written elsewhere"),
                }
            }
            SocketEvent::Reconnected { resumed: true } => {
                if self.routing {
                    // Dropped again before caught up: what the first catch-up heard is kept.
                    self.catch_up.get_or_insert_with(CatchUp::default);
                }
            }
            SocketEvent::Reconnected { resumed: false } => self.backfill().await,
            SocketEvent::Routing => self.routing = true,
            SocketEvent::Offered(offered) => self.heard_offer(offered).await,
            SocketEvent::Claimed(claimed) => {
                let Some(lead) = claimed.lead else { return };
                self.offered.remove(&claimed.lead_id);
                self.keep(&lead).await;
                self.ready.push_back(Ready::Routing(Routed::Claimed(lead)));
            }
            SocketEvent::CaughtUp => self.caught_up(),
        }
    }

    /// A lead offered anew: rung if it is to this rep (and not yet rung), withdrawn if it was
    /// theirs and has gone to others.
    async fn heard_offer(&mut self, offered: crokodial_core::ws::OfferNotification) {
        let id = offered.lead_id;
        if let Some(catch_up) = &mut self.catch_up {
            catch_up.offered.insert(id.clone());
        }
        if !offered.offer.is_for(&self.rep) {
            if self.offered.remove(&id).is_some() {
                self.ready.push_back(Ready::Routing(Routed::Withdrawn { lead_id: id, to: offered.offer.names() }));
            }
            return;
        }
        if self.offered.contains_key(&id) {
            return; // still this rep's offer: nothing new
        }
        let lead = match offered.lead {
            Some(lead) => *lead,
            None => match &self.cache {
                Some(cache) => match cache.run(move |c| c.get(&id)).await {
                    Ok(Some(lead)) => lead,
                    _ => return,
                },
                None => return,
            },
        };
        let source = lead.source;
        let heard = Heard { lead, is_new: true, source, server_ms: None, offer: Some(offered.offer) };
        self.ready.push_back(Ready::Lead(Box::new(heard)));
    }

    /// The end of a resuming connection's catch-up: what was offered to this rep and was not
    /// offered again went to others; the new leads that came meanwhile are told in one go.
    fn caught_up(&mut self) {
        let Some(catch_up) = self.catch_up.take() else { return };
        // Offers older than the server sends again are let go quietly.
        self.offered.retain(|_, at| at.elapsed() < OFFER_MEMORY);
        let gone: Vec<String> = self.offered.keys().filter(|id| !catch_up.offered.contains(*id)).cloned().collect();
        for lead_id in gone {
            self.offered.remove(&lead_id);
            self.ready.push_back(Ready::Routing(Routed::Withdrawn { lead_id, to: "others".into() }));
        }
        let mut missed = catch_up.missed;
        if !missed.is_empty() {
            // The replay comes in order of change (a claim moves a lead later): tell by arrival.
            missed.sort_by_key(|l| l.created_at);
            self.ready.push_back(Ready::Routing(Routed::Missed(missed)));
        }
    }

    /// Puts a lead in the cache, quietly.
    async fn keep(&self, lead: &Lead) {
        if let Some(cache) = &self.cache {
            let lead = lead.clone();
            if let Err(e) = cache.run(move |c| c.upsert(std::slice::from_ref(&lead), None)).await {
                tracing::warn!(error = %e, "cannot cache a lead");
            }
        }
    }

    /// Our server's events carry the lead, and reach only its own account. The deployed
    /// server's reach every account and carry only an id: a webhook lead's is its database id
    /// (after an id-less stub, which is dropped), an uploaded row's is its phone or email.
    async fn heard_lead(&mut self, mut lead: NewLeadNotification) {
        if let Some(full) = lead.lead.take() {
            // Live up to now: dated by the server when it says, else by our clock.
            self.since = self.since.max(full.created_at.unwrap_or_else(|| Utc::now() - CLOCK_MARGIN));
            if let Some(catch_up) = self.catch_up.as_mut().filter(|_| lead.is_new) {
                catch_up.missed.retain(|l| l.id != full.id);
                catch_up.missed.push((*full).clone());
            }
            return self.ready.push_back(Ready::Lead(Box::new(Heard::new(&lead, *full))));
        }
        let Some(id) = lead.lead_id.as_deref() else { return };
        if !is_record_id(id) {
            let now = Instant::now();
            let upload = self.upload.get_or_insert(Upload { rows: 0, since: Utc::now() - CLOCK_MARGIN, last_row: now });
            upload.rows += 1;
            upload.last_row = now;
            return;
        }
        let cached = match &self.cache {
            Some(cache) => {
                let id = id.to_owned();
                cache.run(move |c| c.get(&id)).await.unwrap_or_default()
            }
            None => None,
        };
        match cached {
            Some(known) => self.ready.push_back(Ready::Lead(Box::new(Heard::new(&lead, known)))),
            None => {
                let now = Instant::now();
                self.unresolved.push(Unresolved { event: lead, looks: 0, due: now, heard: now });
                self.look_up().await;
            }
        }
    }

    /// Reads the newest leads of this account's list for the events due, and makes ready those
    /// it finds, with their phone and every field. One not found after the last look is
    /// another account's, and is dropped: it is never shown nor rung.
    async fn look_up(&mut self) {
        let now = Instant::now();
        if !self.unresolved.iter().any(|u| u.due <= now) {
            return;
        }
        // An upload's rows may be stored meanwhile, above the lead: read a whole page then.
        let limit = match self.upload {
            Some(_) => BACKFILL_PAGE,
            None => (self.unresolved.len() as u32 + 9).clamp(10, BACKFILL_PAGE),
        };
        let query = LeadQuery { limit: Some(limit), page: 1, ..LeadQuery::default() };
        let (newest, read) = match self.api.leads(&query).await {
            Ok(page) => (page.leads, true),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the list for a new lead; trying again");
                (Vec::new(), false)
            }
        };
        let now = Instant::now();
        let mut waiting = Vec::new();
        for mut u in std::mem::take(&mut self.unresolved) {
            let id = u.event.lead_id.clone().unwrap_or_default();
            if let Some(found) = newest.iter().find(|l| l.id == id) {
                self.since = self.since.max(found.created_at.unwrap_or(self.since));
                self.ready.push_back(Ready::Lead(Box::new(Heard::new(&u.event, found.clone()))));
            } else if u.due > now {
                waiting.push(u);
            } else if !read {
                if u.heard.elapsed() < LOOK_FOR {
                    u.due = now + Duration::from_secs(1);
                    waiting.push(u);
                } else {
                    tracing::warn!(lead = %id, "a new lead could not be looked up; the next sync brings it if it is ours");
                }
            } else if let Some(wait) = LOOK_AGAIN.get(u.looks) {
                u.looks += 1;
                u.due = now + *wait;
                waiting.push(u);
            } else {
                tracing::debug!(lead = %id, "a lead not in this account's list: ignored");
            }
        }
        self.unresolved = waiting;
    }

    /// Once an upload's rows stop coming, brings the leads it added to this account's list into
    /// the cache and says how many, quietly. Another account's upload adds none.
    async fn upload_settled(&mut self) {
        let Some(upload) = self.upload.take_if(|u| u.last_row.elapsed() >= UPLOAD_SETTLED) else { return };
        // An uploaded row has the uploader as assignee; a webhook lead has none.
        let leads: Vec<Lead> =
            self.newest_since(upload.since).await.into_iter().filter(|l| l.assigned_to.is_some()).collect();
        leads.iter().for_each(|l| _ = self.policy.announced.insert(&l.id));
        let added = match &self.cache {
            Some(cache) => cache
                .run(move |c| {
                    let new = leads.iter().filter(|l| c.get(&l.id).ok().flatten().is_none()).count() as u64;
                    c.upsert(&leads, None).map(|()| new)
                })
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cannot cache an upload's leads");
                    0
                }),
            None => leads.len() as u64,
        };
        tracing::info!(rows = upload.rows, added, "an upload elsewhere");
        if added > 0 {
            self.ready.push_back(Ready::Change(Change::Uploaded { leads: added }));
        }
    }

    /// Decides (the sound starts here), then puts the lead in the cache before the front end
    /// hears of it: the write never delays the alert.
    async fn hand_out(&mut self, heard: Heard) -> LeadArrival {
        let event = self.decide(heard);
        let id = &event.lead.id;
        if event.announce && event.offer.is_some() {
            self.offered.insert(id.clone(), Instant::now());
        }
        // Heard claimed (a replay) after it was offered to this rep: withdrawn.
        if event.lead.claim.is_some() && self.offered.remove(id).is_some() {
            self.ready.push_front(Ready::Routing(Routed::Claimed(Box::new(event.lead.clone()))));
        }
        self.keep(&event.lead).await;
        event
    }

    fn decide(&mut self, heard: Heard) -> LeadArrival {
        let settings = self.settings.borrow().alerts.clone();
        let now = Utc::now();
        let routed = self.routing.then_some(self.rep.as_str());
        let verdict =
            self.policy.judge(&heard, &settings, routed, now, now.with_timezone(&Local).time(), Instant::now());
        let alert = verdict.sound.then(|| self.alert.play(settings.sound, settings.volume));
        let Heard { lead, is_new, server_ms, offer, .. } = heard;
        LeadArrival {
            lead,
            is_new,
            server_ms,
            announce: verdict.announce,
            alert,
            hush: verdict.hush,
            unannounced: verdict.unannounced,
            offer,
        }
    }

    /// The newest leads of this account's list created at or after `since`, newest first, in
    /// pages of the deployed server's largest size, up to [`BACKFILL_PAGES`] of them.
    async fn newest_since(&self, since: DateTime<Utc>) -> Vec<Lead> {
        let mut found: Vec<Lead> = Vec::new();
        // Pages shift while leads arrive, so a lead can be on two of them.
        let mut seen = HashSet::new();
        for page in 1..=BACKFILL_PAGES {
            let query = LeadQuery { limit: Some(BACKFILL_PAGE), page, ..LeadQuery::default() };
            let leads = match self.api.leads(&query).await {
                Ok(found) => found.leads,
                Err(e) => {
                    tracing::warn!(error = %e, page, "cannot read the newest leads");
                    break;
                }
            };
            let mut reached_the_end = leads.len() < BACKFILL_PAGE as usize;
            for lead in leads {
                let Some(created) = lead.created_at else { continue };
                if created < since {
                    reached_the_end = true;
                } else if seen.insert(lead.id.clone()) {
                    found.push(lead);
                }
            }
            if reached_the_end {
                break;
            }
            if page == BACKFILL_PAGES {
                tracing::warn!("stopped after {} leads; older ones are in the list only", page * BACKFILL_PAGE);
            }
        }
        found
    }

    /// After reconnecting to a server that cannot replay (the deployed one), page through the
    /// newest leads back to where delivery stopped, and queue, oldest first, those never delivered.
    /// Rows of an upload (they have an assignee; the deployed server's webhook leads have none)
    /// are put in the cache quietly: an upload never rings.
    async fn backfill(&mut self) {
        let (uploaded, mut missed): (Vec<Lead>, Vec<Lead>) = self
            .newest_since(self.since)
            .await
            .into_iter()
            .filter(|l| !self.policy.announced.contains(&l.id))
            .partition(|l| l.assigned_to.is_some());
        let newest = missed.iter().chain(&uploaded).filter_map(|l| l.created_at).max();
        if !uploaded.is_empty() {
            uploaded.iter().for_each(|l| _ = self.policy.announced.insert(&l.id));
            let leads = uploaded.len() as u64;
            if let Some(cache) = &self.cache {
                if let Err(e) = cache.run(move |c| c.upsert(&uploaded, None)).await {
                    tracing::warn!(error = %e, "cannot cache uploaded leads");
                }
            }
            self.ready.push_back(Ready::Change(Change::Uploaded { leads }));
        }
        // Oldest first; leads of the same instant keep the server's order.
        missed.reverse();
        missed.sort_by_key(|l| l.created_at);
        tracing::info!(missed = missed.len(), "backfilled after reconnect");
        self.since = self.since.max(newest.unwrap_or(self.since));
        self.ready.extend(missed.into_iter().map(|lead| {
            let source = lead.source;
            Ready::Lead(Box::new(Heard { lead, is_new: true, source, server_ms: None, offer: None }))
        }));
    }
}

/// Whether `id` is a database id (24 hex digits), as a webhook lead's event carries; an
/// uploaded row's event carries its phone or email instead.
fn is_record_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// The rules for announcing and sounding, apart from any I/O.
#[derive(Default)]
struct Policy {
    announced: RecentIds,
    last_sound: Option<Instant>,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Verdict {
    announce: bool,
    sound: bool,
    hush: Option<Hush>,
    unannounced: Option<Unannounced>,
}

impl Verdict {
    fn not(why: Unannounced) -> Self {
        Verdict { unannounced: Some(why), ..Verdict::default() }
    }
}

impl Policy {
    /// What to do with `lead` at `now` (`routed_to`: the rep, when the server routes leads;
    /// `local`: the same instant on the local clock; `clock`: the monotonic clock for coalescing).
    fn judge(
        &mut self,
        heard: &Heard,
        settings: &AlertSettings,
        routed_to: Option<&str>,
        now: DateTime<Utc>,
        local: NaiveTime,
        clock: Instant,
    ) -> Verdict {
        if !heard.is_new || heard.lead.id.is_empty() {
            return Verdict::not(Unannounced::Update);
        }
        if let Some(claim) = &heard.lead.claim {
            return Verdict::not(Unannounced::Claimed(claim.name.clone()));
        }
        // Routed: fresh as its offer to this rep is.
        let mut since = heard.lead.created_at;
        if let Some(rep) = routed_to {
            match &heard.offer {
                None => return Verdict::not(Unannounced::NoOffer),
                Some(offer) if !offer.is_for(rep) => return Verdict::not(Unannounced::OfferedTo(offer.names())),
                Some(offer) => since = offer.since.or(since),
            }
        }
        if !settings.alerts_for(heard.source) {
            return Verdict::not(Unannounced::Source);
        }
        let fresh =
            since.is_none_or(|c| now.signed_duration_since(c).to_std().map_or(true, |age| age <= ANNOUNCE_MAX_AGE));
        if !fresh {
            return Verdict::not(Unannounced::Stale);
        }
        if !self.announced.insert(&heard.lead.id) {
            return Verdict::not(Unannounced::Repeat);
        }
        if let Some(hush) = settings.hush(now, local) {
            return Verdict { announce: true, sound: false, hush: Some(hush), unannounced: None };
        }
        let sound = self.last_sound.is_none_or(|t| clock.saturating_duration_since(t) >= ALERT_COALESCE);
        if sound {
            self.last_sound = Some(clock);
        }
        Verdict { announce: true, sound, hush: None, unannounced: None }
    }
}

/// A bounded set of recently seen ids: the oldest are forgotten first.
#[derive(Default)]
struct RecentIds {
    set: HashSet<String>,
    order: VecDeque<String>,
}

impl RecentIds {
    /// Remembers `id`; false if it was already there.
    fn insert(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() == REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.set.insert(id.to_owned());
        self.order.push_back(id.to_owned());
        true
    }

    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::QuietHours;
    use crokodial_core::routing::{Claim, Offeree};

    fn nextgen(id: Option<&str>, created: Option<DateTime<Utc>>) -> Heard {
        let lead =
            Lead { id: id.unwrap_or_default().into(), name: "Ann".into(), created_at: created, ..Lead::default() };
        Heard { lead, is_new: true, source: Some(LeadSource::NextGen), server_ms: None, offer: None }
    }

    const RUNG: Verdict = Verdict { announce: true, sound: true, hush: None, unannounced: None };
    const SHOWN: Verdict = Verdict { announce: true, sound: false, hush: None, unannounced: None };

    fn noon() -> NaiveTime {
        NaiveTime::from_hms_opt(12, 0, 0).unwrap()
    }

    #[test]
    fn a_lead_is_announced_once_however_often_it_comes() {
        let (mut p, s, now, t) = (Policy::default(), AlertSettings::default(), Utc::now(), Instant::now());
        assert_eq!(
            p.judge(&nextgen(None, None), &s, None, now, noon(), t),
            Verdict::not(Unannounced::Update),
            "a lead without an id"
        );
        assert_eq!(p.judge(&nextgen(Some("1"), None), &s, None, now, noon(), t), RUNG, "its full event");
        let later = t + Duration::from_secs(5);
        assert_eq!(
            p.judge(&nextgen(Some("1"), Some(now)), &s, None, now, noon(), later),
            Verdict::not(Unannounced::Repeat),
            "a replay of it"
        );
    }

    #[test]
    fn stale_updates_and_unchosen_sources_are_not_announced() {
        let (mut p, s, now, t) = (Policy::default(), AlertSettings::default(), Utc::now(), Instant::now());
        let old = now - chrono::Duration::minutes(10);
        assert_eq!(
            p.judge(&nextgen(Some("old"), Some(old)), &s, None, now, noon(), t),
            Verdict::not(Unannounced::Stale)
        );
        let mut csv = nextgen(Some("csv"), None);
        csv.source = Some(LeadSource::CsvImport);
        assert_eq!(
            p.judge(&csv, &s, None, now, noon(), t),
            Verdict::not(Unannounced::Source),
            "imports are quiet by default"
        );
        let mut update = nextgen(Some("upd"), None);
        update.is_new = false;
        assert_eq!(p.judge(&update, &s, None, now, noon(), t), Verdict::not(Unannounced::Update));

        let only_imports = AlertSettings { sources: [LeadSource::CsvImport].into(), ..AlertSettings::default() };
        assert_eq!(p.judge(&csv, &only_imports, None, now, noon(), t), RUNG, "the rep chose imports");
        assert_eq!(
            p.judge(&nextgen(Some("ng"), None), &only_imports, None, now, noon(), t),
            Verdict::not(Unannounced::Source)
        );
    }

    #[test]
    fn a_burst_rings_once_but_announces_each() {
        let (mut p, s, now, t) = (Policy::default(), AlertSettings::default(), Utc::now(), Instant::now());
        assert_eq!(p.judge(&nextgen(Some("a"), None), &s, None, now, noon(), t), RUNG);
        assert_eq!(p.judge(&nextgen(Some("b"), None), &s, None, now, noon(), t + Duration::from_millis(300)), SHOWN);
        assert_eq!(p.judge(&nextgen(Some("c"), None), &s, None, now, noon(), t + ALERT_COALESCE), RUNG);
    }

    #[test]
    fn mute_and_quiet_hours_hush_the_sound_not_the_announcement() {
        let (mut p, now, t) = (Policy::default(), Utc::now(), Instant::now());
        let until = now + chrono::Duration::hours(1);
        let muted = AlertSettings { muted_until: Some(until), ..AlertSettings::default() };
        let v = p.judge(&nextgen(Some("m"), None), &muted, None, now, noon(), t);
        assert_eq!(v, Verdict { announce: true, sound: false, hush: Some(Hush::Muted { until }), unannounced: None });

        let quiet = AlertSettings { quiet_hours: QuietHours::parse("11:00-13:00"), ..AlertSettings::default() };
        let v = p.judge(&nextgen(Some("q"), None), &quiet, None, now, noon(), t);
        assert_eq!(v, Verdict { announce: true, sound: false, hush: Some(Hush::QuietHours), unannounced: None });
        let evening = NaiveTime::from_hms_opt(18, 0, 0).unwrap();
        assert_eq!(p.judge(&nextgen(Some("e"), None), &quiet, None, now, evening, t), RUNG, "outside quiet hours");
    }

    #[test]
    fn a_routed_lead_rings_only_the_rep_it_is_offered_to() {
        let (mut p, s, now, t) = (Policy::default(), AlertSettings::default(), Utc::now(), Instant::now());
        let offer = |to: &[&str], since| Offer {
            to: to.iter().map(|id| Offeree { id: (*id).into(), name: format!("Rep {id}") }).collect(),
            pool: to.len() > 1,
            until: None,
            since,
        };
        let mut to_bo = nextgen(Some("1"), Some(now));
        to_bo.offer = Some(offer(&["bo"], Some(now)));
        assert_eq!(
            p.judge(&to_bo, &s, Some("ann"), now, noon(), t),
            Verdict::not(Unannounced::OfferedTo("Rep bo".into()))
        );
        let replayed = nextgen(Some("1"), Some(now));
        assert_eq!(p.judge(&replayed, &s, Some("ann"), now, noon(), t), Verdict::not(Unannounced::NoOffer));
        // Ten minutes old, but just offered to Ann (it moved on to her): fresh.
        let mut moved = nextgen(Some("1"), Some(now - chrono::Duration::minutes(10)));
        moved.offer = Some(offer(&["ann"], Some(now)));
        assert_eq!(p.judge(&moved, &s, Some("ann"), now, noon(), t), RUNG);
        let mut claimed = nextgen(Some("2"), Some(now));
        claimed.offer = Some(offer(&["ann", "bo"], Some(now)));
        claimed.lead.claim = Some(Claim { by: "bo".into(), name: "Rep bo".into(), at: now });
        assert_eq!(
            p.judge(&claimed, &s, Some("ann"), now, noon(), t),
            Verdict::not(Unannounced::Claimed("Rep bo".into()))
        );
        let mut stale_offer = nextgen(Some("3"), Some(now));
        stale_offer.offer = Some(offer(&["ann"], Some(now - chrono::Duration::minutes(5))));
        assert_eq!(p.judge(&stale_offer, &s, Some("ann"), now, noon(), t), Verdict::not(Unannounced::Stale));
    }

    #[test]
    fn recent_ids_forget_the_oldest() {
        let mut ids = RecentIds::default();
        assert!(ids.insert("a"));
        assert!(!ids.insert("a"));
        for i in 0..REMEMBERED {
            ids.insert(&i.to_string());
        }
        assert!(!ids.contains("a"), "the oldest was forgotten");
        assert!(ids.contains(&(REMEMBERED - 1).to_string()));
        assert_eq!(ids.set.len(), REMEMBERED);
    }
}
