//! The lead feed: socket events joined to the alert policy. Front ends (the desktop shell, the
//! `watch` command) consume this, so the rules for what to announce and when to sound are
//! written once:
//! - a lead is announced once, however often it is delivered (replays, the deployed server's
//!   stub-then-full pair, backfill after a reconnect);
//! - only a new lead from a source the rep chose (vendors by default) that is still fresh is
//!   announced (a backlog after a night offline is shown, not rung);
//! - a burst of leads rings once;
//! - "mute for 1 h" and quiet hours silence the sound, not the announcement.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveTime, Utc};
use crokodial_core::api::LeadQuery;
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
}

/// Something the feed tells its front end.
pub enum FeedEvent {
    /// A lead arrived, or arrived again: announce it, or only show it.
    Lead(Box<LeadArrival>),
    /// Leads in the cache changed with no lead to show: refresh what is on screen.
    Changed(Change),
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
}

impl Heard {
    fn new(event: &NewLeadNotification, lead: Lead) -> Self {
        let source = event.lead_source().or(lead.source);
        Heard { lead, is_new: event.is_new, source, server_ms: event.process_ms }
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
    pub fn start(
        api: &ApiClient,
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
            SocketEvent::Reconnected { resumed: true } => {}
            SocketEvent::Reconnected { resumed: false } => self.backfill().await,
        }
    }

    /// Our server's events carry the lead, and reach only its own account. The deployed
    /// server's reach every account and carry only an id: a webhook lead's is its database id
    /// (after an id-less stub, which is dropped), an uploaded row's is its phone or email.
    async fn heard_lead(&mut self, mut lead: NewLeadNotification) {
        if let Some(full) = lead.lead.take() {
            // Live up to now: dated by the server when it says, else by our clock.
            self.since = self.since.max(full.created_at.unwrap_or_else(|| Utc::now() - CLOCK_MARGIN));
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
        if let Some(cache) = &self.cache {
            let lead = event.lead.clone();
            if let Err(e) = cache.run(move |c| c.upsert(std::slice::from_ref(&lead), None)).await {
                tracing::warn!(error = %e, "cannot cache a lead");
            }
        }
        event
    }

    fn decide(&mut self, heard: Heard) -> LeadArrival {
        let settings = self.settings.borrow().alerts.clone();
        let now = Utc::now();
        let verdict = self.policy.judge(&heard, &settings, now, now.with_timezone(&Local).time(), Instant::now());
        let alert = verdict.sound.then(|| self.alert.play(settings.sound, settings.volume));
        let Heard { lead, is_new, server_ms, .. } = heard;
        LeadArrival { lead, is_new, server_ms, announce: verdict.announce, alert, hush: verdict.hush }
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
            Ready::Lead(Box::new(Heard { lead, is_new: true, source, server_ms: None }))
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
}

impl Policy {
    /// What to do with `lead` at `now` (`local`: the same instant on the local clock; `clock`:
    /// the monotonic clock for coalescing).
    fn judge(
        &mut self,
        heard: &Heard,
        settings: &AlertSettings,
        now: DateTime<Utc>,
        local: NaiveTime,
        clock: Instant,
    ) -> Verdict {
        if !heard.is_new || heard.lead.id.is_empty() || !settings.alerts_for(heard.source) {
            return Verdict::default();
        }
        let created = heard.lead.created_at;
        let fresh =
            created.is_none_or(|c| now.signed_duration_since(c).to_std().map_or(true, |age| age <= ANNOUNCE_MAX_AGE));
        let first_time = self.announced.insert(&heard.lead.id);
        if !(first_time && fresh) {
            return Verdict::default();
        }
        if let Some(hush) = settings.hush(now, local) {
            return Verdict { announce: true, sound: false, hush: Some(hush) };
        }
        let sound = self.last_sound.is_none_or(|t| clock.saturating_duration_since(t) >= ALERT_COALESCE);
        if sound {
            self.last_sound = Some(clock);
        }
        Verdict { announce: true, sound, hush: None }
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

    fn nextgen(id: Option<&str>, created: Option<DateTime<Utc>>) -> Heard {
        let lead =
            Lead { id: id.unwrap_or_default().into(), name: "Ann".into(), created_at: created, ..Lead::default() };
        Heard { lead, is_new: true, source: Some(LeadSource::NextGen), server_ms: None }
    }

    const RUNG: Verdict = Verdict { announce: true, sound: true, hush: None };
    const SHOWN: Verdict = Verdict { announce: true, sound: false, hush: None };
    const IGNORED: Verdict = Verdict { announce: false, sound: false, hush: None };

    fn noon() -> NaiveTime {
        NaiveTime::from_hms_opt(12, 0, 0).unwrap()
    }

    #[test]
    fn a_lead_is_announced_once_however_often_it_comes() {
        let (mut p, s, now, t) = (Policy::default(), AlertSettings::default(), Utc::now(), Instant::now());
        assert_eq!(p.judge(&nextgen(None, None), &s, now, noon(), t), IGNORED, "a lead without an id");
        assert_eq!(p.judge(&nextgen(Some("1"), None), &s, now, noon(), t), RUNG, "its full event");
        let later = t + Duration::from_secs(5);
        assert_eq!(p.judge(&nextgen(Some("1"), Some(now)), &s, now, noon(), later), IGNORED, "a replay of it");
    }

    #[test]
    fn stale_updates_and_unchosen_sources_are_not_announced() {
        let (mut p, s, now, t) = (Policy::default(), AlertSettings::default(), Utc::now(), Instant::now());
        let old = now - chrono::Duration::minutes(10);
        assert_eq!(p.judge(&nextgen(Some("old"), Some(old)), &s, now, noon(), t), IGNORED);
        let mut csv = nextgen(Some("csv"), None);
        csv.source = Some(LeadSource::CsvImport);
        assert_eq!(p.judge(&csv, &s, now, noon(), t), IGNORED, "imports are quiet by default");
        let mut update = nextgen(Some("upd"), None);
        update.is_new = false;
        assert_eq!(p.judge(&update, &s, now, noon(), t), IGNORED);

        let only_imports = AlertSettings { sources: [LeadSource::CsvImport].into(), ..AlertSettings::default() };
        assert_eq!(p.judge(&csv, &only_imports, now, noon(), t), RUNG, "the rep chose imports");
        assert_eq!(p.judge(&nextgen(Some("ng"), None), &only_imports, now, noon(), t), IGNORED);
    }

    #[test]
    fn a_burst_rings_once_but_announces_each() {
        let (mut p, s, now, t) = (Policy::default(), AlertSettings::default(), Utc::now(), Instant::now());
        assert_eq!(p.judge(&nextgen(Some("a"), None), &s, now, noon(), t), RUNG);
        assert_eq!(p.judge(&nextgen(Some("b"), None), &s, now, noon(), t + Duration::from_millis(300)), SHOWN);
        assert_eq!(p.judge(&nextgen(Some("c"), None), &s, now, noon(), t + ALERT_COALESCE), RUNG);
    }

    #[test]
    fn mute_and_quiet_hours_hush_the_sound_not_the_announcement() {
        let (mut p, now, t) = (Policy::default(), Utc::now(), Instant::now());
        let until = now + chrono::Duration::hours(1);
        let muted = AlertSettings { muted_until: Some(until), ..AlertSettings::default() };
        let v = p.judge(&nextgen(Some("m"), None), &muted, now, noon(), t);
        assert_eq!(v, Verdict { announce: true, sound: false, hush: Some(Hush::Muted { until }) });

        let quiet = AlertSettings { quiet_hours: QuietHours::parse("11:00-13:00"), ..AlertSettings::default() };
        let v = p.judge(&nextgen(Some("q"), None), &quiet, now, noon(), t);
        assert_eq!(v, Verdict { announce: true, sound: false, hush: Some(Hush::QuietHours) });
        let evening = NaiveTime::from_hms_opt(18, 0, 0).unwrap();
        assert_eq!(p.judge(&nextgen(Some("e"), None), &quiet, now, evening, t), RUNG, "outside quiet hours");
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
