//! One signed-in rep, engine side: the session, the lead cache, the live feed, the sync service
//! and the rep's Textdrip, owned together. Front ends (the desktop shell, the CLI) hold one
//! `Account` and call its operations; they hear of what happens through one stream of
//! [`AccountEvent`]s and read the state now, with its changes, from [`Account::state`].
//! Logging out is closing it ([`Account::close`], or dropping it): every task it started stops.

mod agency;
mod calls;
mod export;
mod followups;
pub mod service;

pub use calls::{LeadCalls, ASK_OUTCOME_FOR};
pub use export::ExportError;
pub use followups::{DueCallback, ScheduleError, When};

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crokodial_core::edit::{Disposition, LeadEdit};
use crokodial_core::routing::{Offer, RoutingUpdate, RoutingView, SpeedReport};
use crokodial_core::Lead;
use tokio::sync::{mpsc, watch};

use crate::alert::{AlertPlayer, Playback};
use crate::api::{ApiClient, ClaimAnswer};
use crate::cache::{
    CacheError, CacheHandle, CacheQuery, CallCount, Facets, ImportState, LeadCache, OutboxCounts, QueuedEdit,
    QueuedImport,
};
use crate::error::ClientError;
pub use crate::feed::Routed;
use crate::feed::{Change, FeedEvent, LeadFeed, Unannounced};
use crate::home::Home;
use crate::import::{self, Control, ImportFailure, KnownContacts, MappingChoice, Progress, Staged};
use crate::secrets::SecretStore;
use crate::session::Session;
use crate::settings::{Hush, Settings};
use crate::socket::ConnectionState;
use crate::sync::{self, PushReport, SyncError, SyncReport};
use crate::textdrip::{self, Texting};
use crate::{lock, off_runtime, AbortOnDrop};
use service::{Nudges, Syncing};

/// What happens to an account, in the order it happens. The stream ends when the account is dropped.
pub enum AccountEvent {
    /// A lead arrived (or arrived again); it is in the cache already.
    Lead(Box<Arrival>),
    /// Leads changed elsewhere (notes, an upload), already in the cache: read them again.
    Changed(Change),
    /// The cache or the outbox changed: a sync ended, an edit was queued or sent.
    Sync(SyncStatus),
    Connection(ConnectionState),
    /// A claim, an offer withdrawn, what came while away (a server that routes leads).
    Routing(Routed),
    /// A callback came due (its sound has started, unless hushed).
    CallbackDue(Box<DueCallback>),
}

/// A lead from the live feed, with what the alert policy decided and how fast it came.
pub struct Arrival {
    pub lead: Lead,
    /// A new lead, not an update of one or a replay.
    pub is_new: bool,
    /// A new, fresh lead from a source that alerts, seen for the first time: tell the rep.
    pub announce: bool,
    /// The sound it started (bursts share one); it has started when the event comes.
    pub alert: Option<Playback>,
    /// Why an announced lead made no sound.
    pub hush: Option<Hush>,
    /// Why it was not announced, when it was not.
    pub unannounced: Option<Unannounced>,
    /// Who it is offered to (a server that routes leads).
    pub offer: Option<Offer>,
    pub latency: Latency,
}

/// Milliseconds, each when known.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency {
    /// The server, from the vendor's request to sending the event.
    pub server_ms: Option<f64>,
    /// From the lead's creation (server clock) to its arrival here.
    pub delivery_ms: Option<f64>,
    /// From the arrival to the first sample of sound.
    pub sound_ms: Option<f64>,
}

/// The cache and its outbox, as the rep sees them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub cached: u64,
    pub outbox: OutboxCounts,
    pub synced_at: Option<DateTime<Utc>>,
}

/// The account's state now.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountState {
    pub connection: ConnectionState,
    /// When the last lead came over the feed.
    pub last_event_at: Option<DateTime<Utc>>,
    pub sync: SyncStatus,
    /// Whether this rep takes routed leads; `None` until known, and from a server that does not
    /// route leads.
    pub available: Option<bool>,
}

/// One window of the cached list.
pub struct LeadPage {
    pub leads: Vec<Lead>,
    /// Each lead's calls in short, in order.
    pub calls: Vec<CallCount>,
    /// Leads that match, in all.
    pub total: u64,
    pub synced_at: Option<DateTime<Utc>>,
}

/// An import that ended: sent, or queued until the server can be reached.
pub struct Imported {
    pub staged: Staged,
    pub import: QueuedImport,
    /// Why it waits in the queue, when the server could not take it now.
    pub waiting: Option<ClientError>,
}

impl Imported {
    pub fn queued(&self) -> bool {
        self.import.state != ImportState::Sent
    }
}

pub struct Account {
    shared: Arc<Shared>,
    /// The feed, its pumps and the sync service, once live; they stop when the account goes.
    tasks: Mutex<Vec<AbortOnDrop>>,
}

struct Shared {
    home: Home,
    secrets: Arc<dyn SecretStore>,
    session: Session,
    cache: CacheHandle,
    state: watch::Sender<AccountState>,
    events: Mutex<Option<mpsc::UnboundedSender<AccountEvent>>>,
    nudges: Arc<Nudges>,
    /// The rep's Textdrip, once used (its token read from the keychain).
    texting: Mutex<Option<Arc<Texting>>>,
    /// The cancel flag of the import running, if one is.
    import: Mutex<Option<Arc<AtomicBool>>>,
    /// When this rep said they were away (in this process), to tell them what came meanwhile.
    away_since: Mutex<Option<DateTime<Utc>>>,
}

impl Account {
    /// The account of `session`, with its lead cache opened (created and migrated).
    pub fn open(home: &Home, secrets: Arc<dyn SecretStore>, session: Session) -> Result<Account, CacheError> {
        let cache = LeadCache::open(home, &session.profile.server_url, &session.user().id)?;
        let sync = status_of(&cache)?;
        let state =
            AccountState { connection: ConnectionState::Connecting, last_event_at: None, sync, available: None };
        Ok(Account {
            shared: Arc::new(Shared {
                home: home.clone(),
                secrets,
                session,
                cache: CacheHandle::new(cache),
                state: watch::Sender::new(state),
                events: Mutex::new(None),
                nudges: Arc::default(),
                texting: Mutex::new(None),
                import: Mutex::new(None),
                away_since: Mutex::new(None),
            }),
            tasks: Mutex::new(Vec::new()),
        })
    }

    pub fn session(&self) -> &Session {
        &self.shared.session
    }

    pub fn api(&self) -> &ApiClient {
        self.shared.session.api()
    }

    /// The state now, and each change after.
    pub fn state(&self) -> watch::Receiver<AccountState> {
        self.shared.state.subscribe()
    }

    /// Connects the live feed (the socket; each lead's alert through `alert`, as `settings` say
    /// at that moment) and the sync service. The events come on the stream returned, until the
    /// account is closed or its session refused. Needs a tokio runtime.
    pub fn go_live(
        &self,
        alert: AlertPlayer,
        settings: watch::Receiver<Settings>,
    ) -> Result<mpsc::UnboundedReceiver<AccountEvent>, ClientError> {
        let rep = &self.session().user().id;
        let reminders = (alert.clone(), settings.clone());
        let mut feed = LeadFeed::start(self.api(), rep, alert, settings)?.with_cache(self.shared.cache.clone());
        let (tx, rx) = mpsc::unbounded_channel();
        *lock(&self.shared.events) = Some(tx);
        let mut connection = feed.state();
        let mut tasks = lock(&self.tasks);
        tasks.clear();
        let shared = Arc::clone(&self.shared);
        tasks.push(AbortOnDrop(tokio::spawn(async move {
            loop {
                let now = connection.borrow_and_update().clone();
                // Signed in (again): whether this rep is available, as the server has it.
                if now == ConnectionState::Live {
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move { _ = shared.routing().await });
                }
                shared.connection(now);
                if connection.changed().await.is_err() {
                    return;
                }
            }
        })));
        let (live, last) = (feed.state(), feed.state());
        let shared = Arc::clone(&self.shared);
        tasks.push(AbortOnDrop(tokio::spawn(async move {
            while let Some(event) = feed.next().await {
                match event {
                    FeedEvent::Lead(arrival) => shared.arrived(*arrival).await,
                    FeedEvent::Changed(change) => {
                        tracing::info!(?change, "leads changed elsewhere");
                        shared.emit(AccountEvent::Changed(change));
                        shared.report().await;
                    }
                    FeedEvent::Routing(routed) => shared.emit(AccountEvent::Routing(routed)),
                }
            }
            // The feed stopped (the session was refused): the stream ends with how, whichever
            // of this task and the one above sees it first.
            shared.connection(last.borrow().clone());
            lock(&shared.events).take();
        })));
        let target = SyncTarget(Arc::clone(&self.shared));
        tasks.push(AbortOnDrop(tokio::spawn(service::keep_synced(target, live, self.shared.nudges.clone()))));
        tasks.push(AbortOnDrop(tokio::spawn(followups::remind(Arc::clone(&self.shared), reminders.0, reminders.1))));
        Ok(rx)
    }

    /// Stops everything the account runs (its socket, sync service and sound; a running import
    /// between batches) and ends its stream of events, even while a command still holds it.
    pub fn close(&self) {
        lock(&self.tasks).clear();
        lock(&self.shared.events).take();
        self.cancel_import();
    }

    // The lead list, from the cache (works offline).

    pub async fn page(&self, query: CacheQuery) -> Result<LeadPage, CacheError> {
        self.shared
            .cache
            .run(move |c| {
                let (leads, total) = c.page(&query)?;
                let calls = c.call_counts(&leads)?;
                Ok(LeadPage { leads, calls, total, synced_at: sync::last_synced(c)? })
            })
            .await
    }

    pub async fn facets(&self) -> Result<Facets, CacheError> {
        self.shared.cache.run(|c| c.facets()).await
    }

    /// The tenant's dispositions, as last fetched (the seeded ones before the first sync).
    pub async fn dispositions(&self) -> Result<Vec<Disposition>, CacheError> {
        self.shared.cache.run(|c| sync::dispositions(c)).await
    }

    pub async fn lead(&self, id: &str) -> Result<Lead, CacheError> {
        let id = id.to_owned();
        self.shared.cache.run(move |c| c.get(&id)?.ok_or(CacheError::NotCached(id))).await
    }

    /// The lead and its edits, oldest first.
    pub async fn detail(&self, id: &str) -> Result<(Lead, Vec<QueuedEdit>), CacheError> {
        let id = id.to_owned();
        self.shared
            .cache
            .run(move |c| {
                let lead = c.get(&id)?.ok_or_else(|| CacheError::NotCached(id.clone()))?;
                Ok((lead, c.history(&id)?))
            })
            .await
    }

    /// Keeps the notes being typed on a lead, so a crash or a closed window loses none; saving
    /// the notes drops it.
    pub async fn keep_note_draft(&self, lead_id: &str, text: &str) -> Result<(), CacheError> {
        let (id, text) = (lead_id.to_owned(), text.to_owned());
        self.shared.cache.run(move |c| c.keep_note_draft(&id, &text)).await
    }

    /// The notes last typed on a lead and not saved, with when.
    pub async fn note_draft(&self, lead_id: &str) -> Result<Option<(String, DateTime<Utc>)>, CacheError> {
        let id = lead_id.to_owned();
        self.shared.cache.run(move |c| c.note_draft(&id)).await
    }

    /// Throws the draft away (the rep chose the saved notes).
    pub async fn drop_note_draft(&self, lead_id: &str) -> Result<(), CacheError> {
        let id = lead_id.to_owned();
        self.shared.cache.run(move |c| c.drop_note_draft(&id)).await
    }

    /// Every edit, oldest first, with its state.
    pub async fn outbox(&self) -> Result<Vec<QueuedEdit>, CacheError> {
        self.shared.cache.run(|c| c.outbox()).await
    }

    // The rep's edits: applied to the cache at once, sent by the sync service.

    /// Queues an edit (shown at once, pending) and has the sync service send it.
    pub async fn edit(&self, id: &str, fields: LeadEdit) -> Result<QueuedEdit, CacheError> {
        let id = id.to_owned();
        let queued = self.shared.cache.run(move |c| c.queue_edit(&id, fields)).await?;
        self.shared.nudges.outbox.notify_one();
        self.shared.report().await;
        Ok(queued)
    }

    /// Applies the values of a conflicting edit `key` again, over what the server has now: the
    /// rep chose theirs over a colleague's. A new edit, queued like any other.
    pub async fn reapply(&self, id: &str, key: &str) -> Result<QueuedEdit, CacheError> {
        let (lead_id, key) = (id.to_owned(), key.to_owned());
        let edit = self.shared.cache.run(move |c| c.history(&lead_id)).await?.into_iter().find(|q| q.key == key);
        self.edit(id, edit.ok_or(CacheError::NoSuchEdit)?.fields).await
    }

    /// Sends the outbox now (the CLI's edits, which do not wait for a service).
    pub async fn push(&self) -> Result<PushReport, SyncError> {
        let pushed = sync::push(self.api(), &self.shared.cache).await;
        self.shared.report().await;
        pushed
    }

    /// What the server could do at the last sync (nothing known before the first).
    pub async fn capabilities(&self) -> crokodial_core::api::Capabilities {
        self.shared.cache.run(|c| sync::capabilities(c)).await.unwrap_or_default()
    }

    /// A whole sync now.
    pub async fn sync(&self) -> Result<SyncReport, SyncError> {
        let report = sync::sync(self.api(), &self.shared.cache).await;
        self.shared.report().await;
        report
    }

    /// Makes the next sync from the deployed server read the whole book.
    pub async fn want_full_sync(&self) -> Result<(), CacheError> {
        self.shared.cache.run(|c| sync::want_full_sync(c)).await
    }

    pub async fn sync_status(&self) -> Result<SyncStatus, CacheError> {
        self.shared.cache.run(|c| status_of(c)).await
    }

    // Importing a vendor's lead file.

    /// Reads the whole file under `choice` and counts, new leads against the cached ones; sends nothing.
    pub async fn check_import(
        &self,
        file: PathBuf,
        choice: MappingChoice,
        errors_to: Option<PathBuf>,
    ) -> Result<import::Checked, ImportFailure> {
        let (home, cache) = (self.shared.home.clone(), self.shared.cache.clone());
        off_runtime(move || {
            let known = KnownContacts::from_cache(&cache.blocking())?;
            import::check(&home, &file, &choice, errors_to.as_deref(), Some(&known))
        })
        .await
    }

    /// Imports `file`: read into the import queue (progress: rows read), then, if `send`, sent
    /// (progress: leads sent). An import the server cannot take now stays queued, and the next
    /// sync sends it. One import runs at a time; [`Account::cancel_import`] stops it (leads
    /// already sent stay).
    pub async fn import(
        &self,
        file: PathBuf,
        choice: MappingChoice,
        send: bool,
        progress: impl Fn(Progress) + Send + Sync + 'static,
    ) -> Result<Imported, ImportFailure> {
        let cancel = Arc::new(AtomicBool::new(false));
        {
            let mut running = lock(&self.shared.import);
            if running.is_some() {
                return Err(ImportFailure::Busy);
            }
            *running = Some(Arc::clone(&cancel));
        }
        let _running = Running(&self.shared);
        let progress = Arc::new(progress);
        let staged = {
            let (home, cache, cancel, progress) =
                (self.shared.home.clone(), self.shared.cache.clone(), Arc::clone(&cancel), Arc::clone(&progress));
            off_runtime(move || {
                let mut report = |p: Progress| progress(p);
                import::stage(&home, &cache, &file, &choice, Control { cancel: &cancel, progress: &mut report })
            })
            .await?
        };
        let mut waiting = None;
        if send && staged.checked.tally.leads > 0 {
            let started = Instant::now();
            let mut sent = |q: &QueuedImport| {
                progress(Progress {
                    phase: import::Phase::Sending,
                    done: q.sent,
                    total: q.leads,
                    rows_per_second: q.sent as f64 / started.elapsed().as_secs_f64().max(1e-6),
                })
            };
            match sync::send_imports(self.api(), &self.shared.cache, Some(&cancel), &mut sent).await {
                Ok(()) => {}
                Err(SyncError::Server(e)) => {
                    tracing::info!(error = %e, import = %staged.id, "import queued until the server can be reached");
                    waiting = Some(e);
                }
                Err(SyncError::Cache(e)) => return Err(e.into()),
            }
        }
        let id = staged.id.clone();
        let now = self
            .shared
            .cache
            .run(move |c| c.import(&id))
            .await?
            .ok_or_else(|| ImportFailure::Cache(CacheError::NotCached(format!("import {}", staged.id))))?;
        match now.state {
            ImportState::Cancelled => return Err(ImportFailure::CancelledSending { sent: now.sent, leads: now.leads }),
            ImportState::Failed => return Err(ImportFailure::Refused(now.detail.unwrap_or_default())),
            ImportState::Sent => self.shared.nudges.sync.notify_one(), // the sync brings the leads into the list
            ImportState::Pending | ImportState::Reading => {}
        }
        self.shared.report().await;
        Ok(Imported { staged, import: now, waiting })
    }

    /// Cancels the running import, if any.
    pub fn cancel_import(&self) {
        if let Some(cancel) = lock(&self.shared.import).as_ref() {
            cancel.store(true, Ordering::SeqCst);
        }
    }

    // Team lead routing (a server that routes leads; the deployed one answers `Unsupported`).

    /// The team's routing and who is available; this rep's availability goes into the state.
    pub async fn routing(&self) -> Result<RoutingView, ClientError> {
        self.shared.routing().await
    }

    /// This rep takes routed leads, or is away. Coming back tells what came meanwhile
    /// ([`Routed::Missed`], from the cache).
    pub async fn set_available(&self, available: bool) -> Result<RoutingView, ClientError> {
        let view = self.api().set_available(available).await?;
        self.shared.note_available(view.available);
        let away_since = {
            let mut away = lock(&self.shared.away_since);
            if available {
                away.take()
            } else {
                away.get_or_insert_with(Utc::now);
                None
            }
        };
        if let Some(since) = away_since {
            let query = CacheQuery { received_from: Some(since), limit: 500, ..CacheQuery::default() };
            match self.shared.cache.run(move |c| c.page(&query).map(|(leads, _)| leads)).await {
                Ok(mut came) if !came.is_empty() => {
                    came.reverse();
                    self.shared.emit(AccountEvent::Routing(Routed::Missed(came)));
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read what came while away"),
            }
        }
        Ok(view)
    }

    /// Changes the team's routing (admins).
    pub async fn set_routing(&self, update: &RoutingUpdate) -> Result<RoutingView, ClientError> {
        self.api().set_routing(update).await
    }

    /// Claims a lead: the first claim wins. Yours, it is in the cache at once as yours.
    pub async fn claim(&self, id: &str) -> Result<ClaimAnswer, ClientError> {
        let answer = self.api().claim(id).await?;
        if let ClaimAnswer::Yours(claimed) = &answer {
            let lead = claimed.lead.clone();
            if let Err(e) = self.shared.cache.run(move |c| c.upsert(std::slice::from_ref(&lead), None)).await {
                tracing::warn!(error = %e, "cannot cache a claimed lead; the next sync brings it");
            }
        }
        Ok(answer)
    }

    /// Speed to lead over `[since, until)` (admins).
    pub async fn speed_report(
        &self,
        since: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
    ) -> Result<SpeedReport, ClientError> {
        self.api().speed_report(since, until).await
    }

    // The rep's own Textdrip.

    /// The rep's Textdrip, its token read from the keychain on first use.
    pub fn texting(&self) -> textdrip::Result<Arc<Texting>> {
        let mut slot = lock(&self.shared.texting);
        if let Some(t) = slot.as_ref() {
            return Ok(Arc::clone(t));
        }
        let t = Arc::new(Texting::open(&*self.shared.secrets, &self.shared.session)?);
        *slot = Some(Arc::clone(&t));
        Ok(t)
    }

    pub async fn textdrip_status(&self) -> textdrip::Status {
        Texting::status(&*self.shared.secrets, &self.shared.session).await
    }

    /// Checks the token with Textdrip, then keeps it in the OS keychain.
    pub async fn connect_textdrip(&self, token: &str) -> textdrip::Result<()> {
        let texting = Texting::connect(&*self.shared.secrets, &self.shared.session, token).await?;
        *lock(&self.shared.texting) = Some(Arc::new(texting));
        Ok(())
    }

    pub async fn disconnect_textdrip(&self) -> textdrip::Result<()> {
        lock(&self.shared.texting).take();
        Texting::disconnect(&*self.shared.secrets, &self.shared.session).await
    }

    /// The text as it would go to `lead` now, signed by this rep. Without Textdrip connected
    /// there are no senders and no opt-out, but the rest is there.
    pub async fn preview_text(
        &self,
        lead: &Lead,
        template: &str,
        sender: Option<&str>,
    ) -> (textdrip::Compose, Vec<textdrip::SenderPhone>) {
        let (agent, now) = (&self.session().user().name, Utc::now());
        match self.texting() {
            Ok(t) => t.preview(lead, template, agent, sender, now).await,
            Err(_) => (textdrip::compose(lead, template, agent, &[], sender, now), Vec::new()),
        }
    }

    /// Texts `lead` now, signed by this rep, under the rules of [`Texting::send`].
    pub async fn send_text(
        &self,
        lead: &Lead,
        template: &str,
        sender: Option<&str>,
        confirmed_outside_hours: bool,
    ) -> textdrip::Result<textdrip::Sent> {
        self.may_text(lead).await?;
        let agent = &self.session().user().name;
        self.texting()?.send(lead, template, agent, sender, confirmed_outside_hours, Utc::now()).await
    }

    /// Adds the lead to one of the rep's Textdrip campaigns (not one on the do-not-call list).
    pub async fn add_to_campaign(&self, lead: &Lead, campaign_id: &str) -> textdrip::Result<textdrip::Contact> {
        self.may_text(lead).await?;
        self.texting()?.add_to_campaign(lead, campaign_id).await
    }

    async fn may_text(&self, lead: &Lead) -> textdrip::Result<()> {
        let lead = lead.clone();
        match self.shared.cache.run(move |c| c.do_not_call(&lead)).await {
            Ok(false) => Ok(()),
            Ok(true) => Err(textdrip::TextdripError::DoNotCall),
            Err(e) => Err(textdrip::TextdripError::InvalidInput(e.to_string())),
        }
    }
}

/// Clears the running import however [`Account::import`] ends.
struct Running<'a>(&'a Shared);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        lock(&self.0.import).take();
    }
}

impl Shared {
    fn emit(&self, event: AccountEvent) {
        if let Some(tx) = lock(&self.events).as_ref() {
            let _ = tx.send(event);
        }
    }

    /// The connection now, into the state, and told.
    fn connection(&self, now: ConnectionState) {
        self.state.send_if_modified(|s| std::mem::replace(&mut s.connection, now.clone()) != now);
        self.emit(AccountEvent::Connection(now));
    }

    /// Reads the cache's counts into the state, and tells.
    async fn report(&self) {
        match self.cache.run(|c| status_of(c)).await {
            Ok(now) => {
                self.state.send_if_modified(|s| std::mem::replace(&mut s.sync, now) != now);
                self.emit(AccountEvent::Sync(now));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the cache"),
        }
    }

    /// Reads the team's routing, and this rep's availability into the state.
    async fn routing(&self) -> Result<RoutingView, ClientError> {
        let view = self.session.api().routing().await?;
        self.note_available(view.available);
        Ok(view)
    }

    fn note_available(&self, available: bool) {
        self.state.send_if_modified(|s| s.available.replace(available) != Some(available));
    }

    async fn arrived(&self, arrival: crate::feed::LeadArrival) {
        let arrived_at = Utc::now();
        let crate::feed::LeadArrival { lead, is_new, server_ms, announce, mut alert, hush, unannounced, offer } =
            arrival;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let sound_ms = match &mut alert {
            Some(playback) => playback.started_after().await.map(ms),
            None => None,
        };
        let delivery_ms = lead.created_at.and_then(|c| arrived_at.signed_duration_since(c).to_std().ok()).map(ms);
        self.state.send_modify(|s| s.last_event_at = Some(arrived_at));
        let latency = Latency { server_ms, delivery_ms, sound_ms };
        let arrival = Arrival { lead, is_new, announce, alert, hush, unannounced, offer, latency };
        self.emit(AccountEvent::Lead(Box::new(arrival)));
    }
}

/// The account's real sync, as the service runs it.
struct SyncTarget(Arc<Shared>);

impl Syncing for SyncTarget {
    async fn sync(&self) {
        match sync::sync(self.0.session.api(), &self.0.cache).await {
            Ok(r) => {
                tracing::info!(fetched = r.fetched, cached = r.cached, pushed = ?r.pushed, took = ?r.took, "synced")
            }
            Err(e) => tracing::warn!(error = %e, "sync failed; the list shows the cached leads"),
        }
        self.0.report().await;
    }

    async fn push(&self) {
        if let Err(e) = sync::push(self.0.session.api(), &self.0.cache).await {
            tracing::info!(error = %e, "edits kept for the next sync");
        }
        self.0.report().await;
    }
}

fn status_of(cache: &LeadCache) -> Result<SyncStatus, CacheError> {
    Ok(SyncStatus { cached: cache.count()?, outbox: cache.outbox_counts()?, synced_at: sync::last_synced(cache)? })
}
