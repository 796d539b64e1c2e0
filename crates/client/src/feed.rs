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
use crokodial_core::Lead;
use tokio::sync::watch;

use crate::alert::{AlertPlayer, Playback};
use crate::api::ApiClient;
use crate::cache::SharedCache;
use crate::error::ClientError;
use crate::netwatch;
use crate::settings::{AlertSettings, Hush};
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
    settings: watch::Receiver<AlertSettings>,
    api: ApiClient,
    policy: Policy,
    /// Leads created before this (server time) were delivered; a backfill reads back to here.
    since: DateTime<Utc>,
    /// Leads found by a backfill, waiting to be handed out.
    backlog: VecDeque<NewLeadNotification>,
    /// Where each lead goes before it is handed out, so the list has it before the UI asks.
    cache: Option<SharedCache>,
}

/// A lead event for front ends.
pub struct FeedEvent {
    pub lead: NewLeadNotification,
    /// A new, fresh vendor lead seen for the first time: tell the rep (notification, badge).
    pub announce: bool,
    /// The alert sound this event started, if any (bursts share one).
    pub alert: Option<Playback>,
    /// Why an announced lead made no sound, when it was hushed.
    pub hush: Option<Hush>,
}

impl LeadFeed {
    /// Connects the socket of a logged-in client (a session's `api()`). Needs a tokio runtime.
    /// `settings` is read at each lead, so a change applies to the next one.
    pub fn start(
        api: &ApiClient,
        alert: AlertPlayer,
        settings: watch::Receiver<AlertSettings>,
    ) -> Result<Self, ClientError> {
        let api = api.clone();
        let token = api.token().cloned().ok_or(ClientError::NotLoggedIn)?;
        let socket = SocketHandle::spawn(api.socket_url(), token);
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
            backlog: VecDeque::new(),
            cache: None,
        })
    }

    /// Writes every lead event into `cache` before handing it out.
    pub fn with_cache(mut self, cache: SharedCache) -> Self {
        self.cache = Some(cache);
        self
    }

    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.socket.state()
    }

    /// The next lead event; a sound, if any, has already started when this returns.
    pub async fn next(&mut self) -> Option<FeedEvent> {
        loop {
            if let Some(lead) = self.backlog.pop_front() {
                return Some(self.hand_out(lead).await);
            }
            match self.socket.next_event().await? {
                SocketEvent::NewLead(lead) => {
                    // Live up to now: dated by the server when it says, else by our clock.
                    let created = lead.lead.as_ref().and_then(|l| l.created_at);
                    self.since = self.since.max(created.unwrap_or_else(|| Utc::now() - CLOCK_MARGIN));
                    return Some(self.hand_out(lead).await);
                }
                SocketEvent::Reconnected { resumed: true } | SocketEvent::NotesUpdated { .. } => {}
                SocketEvent::Reconnected { resumed: false } => self.backfill().await,
            }
        }
    }

    /// Decides (the sound starts here), then puts the lead in the cache before the front end
    /// hears of it: the write never delays the alert. Only an event that carries the whole lead
    /// is cached (ours do; the deployed server's do not, and the next sync brings those).
    async fn hand_out(&mut self, lead: NewLeadNotification) -> FeedEvent {
        let event = self.decide(lead);
        if let (Some(cache), Some(lead)) = (&self.cache, &event.lead.lead) {
            if let Err(e) = cache.lock().await.upsert(std::slice::from_ref(lead), None) {
                tracing::warn!(error = %e, "cannot cache a lead");
            }
        }
        event
    }

    fn decide(&mut self, lead: NewLeadNotification) -> FeedEvent {
        let settings = self.settings.borrow().clone();
        let now = Utc::now();
        let verdict = self.policy.judge(&lead, &settings, now, now.with_timezone(&Local).time(), Instant::now());
        let alert = verdict.sound.then(|| self.alert.play(settings.sound, settings.volume));
        FeedEvent { lead, announce: verdict.announce, alert, hush: verdict.hush }
    }

    /// After reconnecting to a server that cannot replay (the deployed one), page through the
    /// newest leads back to where delivery stopped, and queue, oldest first, those never delivered.
    async fn backfill(&mut self) {
        let mut missed: Vec<Lead> = Vec::new();
        // Pages shift while leads arrive, so a lead can be on two of them.
        let mut queued = HashSet::new();
        let mut newest: Option<DateTime<Utc>> = None;
        for page in 1..=BACKFILL_PAGES {
            let query = LeadQuery { limit: Some(BACKFILL_PAGE), page, ..LeadQuery::default() };
            let leads = match self.api.leads(&query).await {
                Ok(found) => found.leads,
                Err(e) => {
                    tracing::warn!(error = %e, page, "backfill after reconnect failed");
                    break;
                }
            };
            let full = leads.len() == BACKFILL_PAGE as usize;
            let mut reached_the_end = !full;
            for lead in leads {
                let Some(created) = lead.created_at else { continue };
                newest = newest.max(Some(created));
                if created < self.since {
                    reached_the_end = true;
                } else if !self.policy.announced.contains(&lead.id) && queued.insert(lead.id.clone()) {
                    missed.push(lead);
                }
            }
            if reached_the_end {
                break;
            }
            if page == BACKFILL_PAGES {
                tracing::warn!(
                    "backfill stopped after {} leads; older missed leads are in the list only",
                    page * BACKFILL_PAGE
                );
            }
        }
        // Oldest first; leads of the same instant keep the server's order.
        missed.reverse();
        missed.sort_by_key(|l| l.created_at);
        tracing::info!(missed = missed.len(), "backfilled after reconnect");
        self.since = self.since.max(newest.unwrap_or(self.since));
        self.backlog.extend(missed.into_iter().map(|lead| NewLeadNotification::for_lead(lead, true, None)));
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
        lead: &NewLeadNotification,
        settings: &AlertSettings,
        now: DateTime<Utc>,
        local: NaiveTime,
        clock: Instant,
    ) -> Verdict {
        if !lead.is_new_lead() || !settings.alerts_for(lead.lead_source()) {
            return Verdict::default();
        }
        let created = lead.lead.as_ref().and_then(|l| l.created_at);
        let fresh =
            created.is_none_or(|c| now.signed_duration_since(c).to_std().map_or(true, |age| age <= ANNOUNCE_MAX_AGE));
        let first_time = lead.lead_id.as_deref().is_some_and(|id| self.announced.insert(id));
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
    use crokodial_core::LeadSource;

    fn nextgen(id: Option<&str>, created: Option<DateTime<Utc>>) -> NewLeadNotification {
        NewLeadNotification {
            lead_id: id.map(str::to_owned),
            name: "Ann".into(),
            source: Some("NextGen".into()),
            is_new: true,
            lead: created.map(|c| Box::new(Lead { created_at: Some(c), ..Lead::default() })),
            ..NewLeadNotification::default()
        }
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
        assert_eq!(p.judge(&nextgen(None, None), &s, now, noon(), t), IGNORED, "the deployed server's stub");
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
        csv.source = Some("CSV Import".into());
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
