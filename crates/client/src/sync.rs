//! Sync: brings the lead cache up to date with the server.
//!
//! - Our server tells it can list changes (`/api/sync/capabilities`): the cache asks for the
//!   changes after its cursor, 1,000 at a time, and keeps the cursor.
//! - The deployed server cannot (no such route; it refuses unknown query keys): the cache pages
//!   through `GET /api/leads`, newest first. The first sync, and then the first 15 minutes after the last
//!   full one, reads the whole book (changes to old leads, deletions); the others stop at the first lead
//!   older than the newest already cached, so they bring new leads only.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crokodial_core::api::{Capabilities, ImportBatch, ImportStats, LeadChanges, LeadQuery, Tolerance};
use crokodial_core::edit::{default_dispositions, Disposition, EditRequest};
use crokodial_core::rfc3339;

use crate::api::{ApiClient, EditReply};
use crate::cache::{CacheError, CacheHandle, EditResult, FollowUpChange, LeadCache, QueuedEdit, QueuedImport};
use crate::error::ClientError;

const CHANGES_PAGE: u32 = 1000;
/// The deployed server's largest page.
const LEGACY_PAGE: u32 = 100;
/// A page of the book is written to the cache this many leads at a time.
const WRITE_PART: usize = 500;
/// A first book from the deployed server at least this big is compacted once stored.
const COMPACT_AFTER: u64 = 10_000;
/// The deployed server's changes to old leads, and its deletions, are picked up by a full read
/// of the book this often (notes changed elsewhere come at once, over the socket).
pub const FULL_SYNC_EVERY: chrono::Duration = chrono::Duration::minutes(15);

const CURSOR: &str = "cursor";
const NEWEST: &str = "newest_created_at";
const FULL_AT: &str = "full_sync_at";
const SYNCED_AT: &str = "synced_at";
const DISPOSITIONS: &str = "dispositions";
const CAPABILITIES: &str = "capabilities";

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Server(#[from] ClientError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// Changes after a cursor (our server).
    Changes,
    /// Pages of the lead list (the deployed server); `full` when it read the whole book.
    Pages { full: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncReport {
    /// The rep's queued edits sent first.
    pub pushed: PushReport,
    pub mode: SyncMode,
    /// Leads received from the server.
    pub fetched: u64,
    /// What reading them put up with (odd values kept aside, records that are not leads).
    pub tolerance: Tolerance,
    /// Leads in the cache afterwards.
    pub cached: u64,
    pub took: Duration,
}

/// Brings `cache` up to date from `api` (a logged-in client). The cache is locked only while a
/// page is written, so it stays readable during a long first sync.
pub async fn sync(api: &ApiClient, cache: &CacheHandle) -> Result<SyncReport, SyncError> {
    let started = Instant::now();
    let caps = api.capabilities().await?;
    // An edit that cannot go now never keeps the server's changes out.
    let pushed = match push_to(api, cache, caps.lead_edits).await {
        Ok(pushed) => pushed,
        Err(SyncError::Server(e @ ClientError::Network(_))) => {
            tracing::info!(error = %e, "edits kept for the next sync");
            PushReport::default()
        }
        Err(e) => return Err(e),
    };
    let (on_server, known) = (caps.calls, serde_json::to_string(&caps).map_err(CacheError::from)?);
    cache
        .run(move |c| {
            c.set_meta(CAPABILITIES, &known)?;
            c.set_dnc_on_server(on_server)
        })
        .await?;
    // A call that cannot go now never keeps the server's changes out either.
    if let Err(e) = push_calls(api, cache, caps.calls).await {
        tracing::info!(error = %e, "calls kept for the next sync");
    }
    if caps.followups {
        if let Err(e) = sync_followups(api, cache).await {
            tracing::warn!(error = %e, "follow-ups kept for the next sync");
        }
    }
    // Queued imports before the pull, so their leads come back with it (from our server).
    send_imports_to(api, cache, caps.lead_import, None, &mut |_| ()).await?;
    let (mode, fetched, tolerance) = if caps.lead_changes {
        (SyncMode::Changes, sync_changes(api, cache).await?, Tolerance::default())
    } else {
        sync_pages(api, cache).await?
    };
    if mode == (SyncMode::Pages { full: true }) {
        if let Err(e) = refresh_dial_counts(api, cache).await {
            tracing::warn!(error = %e, "cannot read the dial counts; keeping the last known");
        }
    }
    for (lead, field) in &tolerance.set_aside {
        tracing::warn!(%lead, %field, "a value the field cannot hold, kept with the lead as sent");
    }
    for why in &tolerance.refused {
        tracing::warn!(%why, "a record that is not a lead, left out");
    }
    // The tenant's dispositions, for the picker; an old list is better than none.
    let dispositions = match api.dispositions().await {
        Ok(d) => Some(d),
        Err(e) => {
            tracing::warn!(error = %e, "cannot fetch the dispositions; keeping the last known");
            None
        }
    };
    let cached = cache
        .run(move |c| {
            if let Some(d) = dispositions {
                keep_dispositions(c, &d)?;
            }
            c.set_meta(SYNCED_AT, &rfc3339(Utc::now()))?;
            c.count()
        })
        .await?;
    Ok(SyncReport { pushed, mode, fetched, tolerance, cached, took: started.elapsed() })
}

/// What [`push`] did with the outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushReport {
    pub synced: u64,
    pub conflicts: u64,
    pub failed: u64,
    /// Left pending for the next sync: the server failed them now (a 5xx), or an earlier edit
    /// of the same lead was.
    pub held: u64,
}

/// A server error (5xx) on the same edit this many times, sync after sync, fails it.
pub const EDIT_ATTEMPTS: u32 = 3;

/// Sends the rep's queued edits to the server, oldest first, one at a time; each is marked in
/// the cache as soon as the server answers. One edit never holds up the others: an edit the
/// server refuses (4xx) is failed with its reason, one it fails now (5xx) waits for the next
/// sync, with the edits after it of the same lead (they apply in order), and is failed after
/// [`EDIT_ATTEMPTS`] tries. Only an unreachable server, or a refused session, ends the push
/// early, leaving the rest pending.
///
/// Our server applies each edit once per idempotency key and checks the fields are still as the
/// rep saw them, in one transaction. The deployed server cannot tell: a rep may not read one
/// lead there (`GET /api/leads/:id` is 403 to every non-admin), and it keeps no versions. Its
/// `PUT` sets the edit's fields and the last write wins; sent twice (after a crash), it sets the
/// same values again.
pub async fn push(api: &ApiClient, cache: &CacheHandle) -> Result<PushReport, SyncError> {
    let (edits, calls, followups) =
        cache.run(|c| Ok::<_, CacheError>((c.next_pending()?, c.calls_to_send()?, c.followups_to_send()?))).await?;
    // Against a server that keeps no follow-ups they stay here: not a reason to ask it anything.
    let followups_go = !followups.is_empty() && cache.run(|c| capabilities(c)).await?.followups;
    if edits.is_none() && calls.is_empty() && !followups_go {
        return Ok(PushReport::default());
    }
    let caps = api.capabilities().await?;
    let report = push_to(api, cache, caps.lead_edits).await?;
    push_calls(api, cache, caps.calls).await?;
    if caps.followups {
        push_followups(api, cache).await?;
    }
    Ok(report)
}

/// Sends the rep's follow-up changes, then takes the rep's list as our server has it (changes
/// made on other computers).
async fn sync_followups(api: &ApiClient, cache: &CacheHandle) -> Result<(), SyncError> {
    push_followups(api, cache).await?;
    let list = api.followups().await?;
    cache.run(move |c| c.merge_followups(&list)).await?;
    Ok(())
}

/// Sends the follow-up changes made here, oldest first. One the server refuses (its lead is
/// gone) is forgotten here too.
async fn push_followups(api: &ApiClient, cache: &CacheHandle) -> Result<(), SyncError> {
    for change in cache.run(|c| c.followups_to_send()).await? {
        let sent = match &change {
            FollowUpChange::Put(f) => api.put_followup(f).await.map(drop),
            FollowUpChange::Delete(id) => api.delete_followup(id).await,
        };
        match sent {
            Ok(()) => cache.run(move |c| c.followup_sent(&change)).await?,
            // Its lead is gone from the server: gone here too.
            Err(e @ ClientError::Server { status: 404, .. }) => {
                tracing::warn!(error = %e, "a follow-up's lead is gone; forgotten");
                let id = match change {
                    FollowUpChange::Put(f) => f.id,
                    FollowUpChange::Delete(id) => id,
                };
                cache.run(move |c| c.forget_followup(&id)).await?
            }
            Err(e) if is_unreachable(&e) => return Err(e.into()),
            // Kept for the next sync; the others go on.
            Err(e) => tracing::warn!(error = %e, "the server did not take a follow-up; kept for later"),
        }
    }
    Ok(())
}

/// What the server counted a call into.
enum Counted {
    /// Our server's tally, on the lead as it is now.
    Tally(Box<crokodial_core::Lead>),
    /// The deployed server's dials to the phone.
    Dials(u32),
    /// Counted at an earlier send.
    Before,
}

/// Sends the calls the server does not have whole, oldest first, each marked as soon as the
/// server answers. Our server (`ours`) keeps each once per id, outcome and note included. The
/// deployed server counts each attempt once (`/api/dial-counts`; a crash, or a lost answer,
/// between its count and the mark here counts it twice) and keeps no outcomes. A call whose lead
/// is gone, or whose id is another rep's, is failed with the reason; one the server fails now
/// stays pending while the others go on; an unreachable server ends the push.
async fn push_calls(api: &ApiClient, cache: &CacheHandle, ours: bool) -> Result<(), SyncError> {
    for queued in cache.run(|c| c.calls_to_send()).await? {
        let (id, rev) = (queued.call.id.clone(), queued.rev);
        let sent = if ours {
            api.put_call(&queued.call).await.map(|answer| Counted::Tally(Box::new(answer.lead)))
        } else if queued.counted {
            Ok(Counted::Before)
        } else {
            api.count_dial(&queued.call.phone).await.map(Counted::Dials)
        };
        match sent {
            Ok(counted) => {
                let phone = queued.call.phone;
                cache
                    .run(move |c| {
                        match counted {
                            Counted::Tally(lead) => c.keep_server_copy(&lead)?,
                            Counted::Dials(count) => c.set_dial_count(&phone, count)?,
                            Counted::Before => {}
                        }
                        c.call_sent(&id, rev)
                    })
                    .await?
            }
            // For good: its lead is gone, or the id is another rep's call.
            Err(e @ (ClientError::Server { status: 404, .. } | ClientError::Forbidden(_))) => {
                let why = e.to_string();
                tracing::warn!(call = %id, %why, "a call was refused");
                cache.run(move |c| c.call_failed(&id, &why)).await?
            }
            Err(e) if is_unreachable(&e) => return Err(e.into()),
            // Kept for the next sync (a server error, a timeout); the others go on.
            Err(e) => tracing::warn!(call = %id, error = %e, "the server did not take a call; kept for later"),
        }
    }
    Ok(())
}

/// The server cannot be reached or refuses the session: nothing more is worth sending now.
fn is_unreachable(e: &ClientError) -> bool {
    matches!(e, ClientError::Network(_) | ClientError::Unauthorized(_) | ClientError::NotLoggedIn)
}

/// [`push`] to a server that does (`ours`) or does not take queued edits.
async fn push_to(api: &ApiClient, cache: &CacheHandle, ours: bool) -> Result<PushReport, SyncError> {
    let mut report = PushReport::default();
    let pending = cache.run(|c| c.pending()).await?;
    let mut held: HashSet<String> = HashSet::new();
    for queued in pending {
        if held.contains(&queued.lead_id) {
            report.held += 1;
            continue;
        }
        let sent = if ours { send_queued(api, &queued).await } else { send_put(api, &queued).await };
        let result = match sent {
            Ok(result) => result,
            Err(e) if matches!(e, ClientError::Server { status: 500.., .. }) => {
                let (op, why) = (queued.op, e.to_string());
                let attempts = cache.run(move |c| c.retry_later(op, &why)).await?;
                if attempts < EDIT_ATTEMPTS {
                    tracing::info!(error = %e, attempts, lead = %queued.lead_id, "the server failed an edit; kept for the next sync");
                    held.insert(queued.lead_id.clone());
                    report.held += 1;
                    continue;
                }
                EditResult::Failed(format!("the server kept failing it ({attempts} tries): {e}"))
            }
            Err(e @ ClientError::Server { .. }) => EditResult::Failed(e.to_string()),
            Err(e) => return Err(e.into()),
        };
        match &result {
            EditResult::Synced(_) => report.synced += 1,
            EditResult::Conflict { .. } => report.conflicts += 1,
            EditResult::Failed(why) => {
                tracing::warn!(lead = %queued.lead_id, %why, "an edit failed");
                report.failed += 1
            }
        }
        let op = queued.op;
        cache.run(move |c| c.finish_edit(op, &result)).await?;
    }
    Ok(report)
}

/// Errors that end a push or an import with the rest still pending (the server may take it later).
fn is_for_later(e: &ClientError) -> bool {
    !matches!(e, ClientError::Server { status: 400..=499, .. })
}

const GONE: &str = "the lead is not in your list on the server (deleted, or it has no owner)";

async fn send_queued(api: &ApiClient, q: &QueuedEdit) -> Result<EditResult, ClientError> {
    let req =
        EditRequest { key: q.key.clone(), lead_id: q.lead_id.clone(), fields: q.fields.clone(), base: q.base.clone() };
    Ok(match api.submit_edit(&req).await? {
        EditReply::Done(answer) => EditResult::Synced(answer.lead),
        EditReply::Conflict(answer) => EditResult::Conflict { fields: answer.conflicts, lead: answer.lead },
        EditReply::NotFound => EditResult::Failed(GONE.into()),
    })
}

async fn send_put(api: &ApiClient, q: &QueuedEdit) -> Result<EditResult, ClientError> {
    match api.update_lead(&q.lead_id, &q.fields).await {
        Ok(lead) => Ok(EditResult::Synced(lead)),
        Err(ClientError::Server { status: 404, .. }) => Ok(EditResult::Failed(GONE.into())),
        Err(e) => Err(e),
    }
}

/// Sends the queued imports' batches, oldest import first, each batch marked sent in the cache as
/// soon as the server answers; `progress` hears of each. It stops, leaving the rest queued, at
/// the first batch the server cannot take now (offline, a server error); an import the server
/// refuses (4xx) is marked failed. `cancel` ends the import being sent (what was sent stays).
///
/// Our server takes each batch once per batch id. The deployed server gets each batch as a
/// NextGen-layout file of at most [`IMPORT_BATCH_MAX`](crokodial_core::api::IMPORT_BATCH_MAX) rows (under its 15,000-row cap); it has no
/// batch ids, but it upserts by phone, so a batch resent after a crash updates, never duplicates.
pub async fn send_imports(
    api: &ApiClient,
    cache: &CacheHandle,
    cancel: Option<&AtomicBool>,
    progress: &mut (dyn FnMut(&QueuedImport) + Send),
) -> Result<(), SyncError> {
    if cache.run(|c| c.next_import_batch()).await?.is_none() {
        return Ok(());
    }
    send_imports_to(api, cache, api.capabilities().await?.lead_import, cancel, progress).await
}

async fn send_imports_to(
    api: &ApiClient,
    cache: &CacheHandle,
    ours: bool,
    cancel: Option<&AtomicBool>,
    progress: &mut (dyn FnMut(&QueuedImport) + Send),
) -> Result<(), SyncError> {
    loop {
        let Some(batch) = cache.run(|c| c.next_import_batch()).await? else { return Ok(()) };
        let id = batch.import_id.clone();
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            let id = id.clone();
            cache.run(move |c| c.cancel_import(&id)).await?;
        } else {
            let sent =
                if ours {
                    api.import_batch(&ImportBatch { batch_id: batch.batch_id(), leads: batch.leads.clone() }).await
                } else {
                    let file = format!("{}-{}.csv", batch.file.trim_end_matches(".csv"), batch.index + 1);
                    api.csv_upload(&file, crokodial_core::import::nextgen_csv(&batch.leads))
                        .await
                        .map(|a| ImportStats { imported: a.stats.imported, updated: a.stats.updated, unchanged: 0 })
                };
            match sent {
                Ok(stats) => cache.run(move |c| c.import_batch_sent(&batch, stats)).await?,
                Err(e) if is_for_later(&e) => return Err(e.into()),
                Err(e) => {
                    let (id, why) = (id.clone(), e.to_string());
                    cache.run(move |c| c.fail_import(&id, &why)).await?
                }
            }
        }
        if let Some(now) = cache.run(move |c| c.import(&id)).await? {
            progress(&now);
        }
    }
}

/// Keeps the tenant's dispositions as the server just answered them.
pub fn keep_dispositions(cache: &LeadCache, list: &[Disposition]) -> Result<(), CacheError> {
    cache.set_meta(DISPOSITIONS, &serde_json::to_string(list)?)
}

/// The tenant's dispositions as last fetched; the seeded ones before the first sync.
pub fn dispositions(cache: &LeadCache) -> Result<Vec<Disposition>, CacheError> {
    Ok(match cache.meta(DISPOSITIONS)? {
        Some(json) => serde_json::from_str(&json)?,
        None => default_dispositions(),
    })
}

/// Makes the next sync from the deployed server read the whole book (`crokodial sync --full`).
pub fn want_full_sync(cache: &LeadCache) -> Result<(), CacheError> {
    cache.set_meta(FULL_AT, "")
}

/// When the cache last synced, if ever.
pub fn last_synced(cache: &LeadCache) -> Result<Option<DateTime<Utc>>, CacheError> {
    meta_time(cache, SYNCED_AT)
}

/// What the server said it can do at the last sync (none before the first).
pub fn capabilities(cache: &LeadCache) -> Result<Capabilities, CacheError> {
    Ok(cache.meta(CAPABILITIES)?.and_then(|c| serde_json::from_str(&c).ok()).unwrap_or_default())
}

/// A time kept in the cache's meta table (RFC 3339).
fn meta_time(cache: &LeadCache, key: &str) -> Result<Option<DateTime<Utc>>, CacheError> {
    Ok(cache.meta(key)?.as_deref().and_then(crokodial_core::parse_rfc3339))
}

async fn sync_changes(api: &ApiClient, cache: &CacheHandle) -> Result<u64, SyncError> {
    let mut cursor: u64 = cache.run(|c| c.meta(CURSOR)).await?.and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut fetched = 0;
    let mut next = Some(fetch_changes(api, cursor));
    while let Some(asked) = next.take() {
        let page = match asked.await {
            Ok(page) => page?,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(cancelled) => return Err(ClientError::Network(cancelled.to_string()).into()),
        };
        if page.cursor < cursor {
            // The server's history is not the one we followed (a reset database): start over.
            cache.run(|c| c.set_meta(CURSOR, "0")).await?;
            cursor = 0;
            next = Some(fetch_changes(api, cursor));
            continue;
        }
        // The next page is on its way while this one is stored.
        next = page.more.then(|| fetch_changes(api, page.cursor));
        fetched += page.changes.len() as u64;
        cursor = page.cursor;
        // Saved with each page: an interrupted sync goes on from here next time.
        cache
            .run(move |c| {
                c.upsert_changes(&page.changes)?;
                c.remove(&page.deleted)?;
                c.set_meta(CURSOR, &page.cursor.to_string())
            })
            .await?;
    }
    Ok(fetched)
}

/// Phones per dial-count request (about 3 KB of query; Node takes 16 KB of headers).
const DIAL_COUNT_PHONES: usize = 250;

/// Reads the deployed server's count of the rep's dials for every cached phone (the web app
/// beside the desktop counts too). A phone gone from its answer keeps its last count.
async fn refresh_dial_counts(api: &ApiClient, cache: &CacheHandle) -> Result<(), SyncError> {
    let phones = cache
        .run(|c| {
            let mut phones = std::collections::BTreeSet::new();
            c.for_each_contact(|phone, _| phones.extend(phone.and_then(crokodial_core::phone::normalize_us)))?;
            Ok::<_, CacheError>(phones.into_iter().collect::<Vec<_>>())
        })
        .await?;
    for chunk in phones.chunks(DIAL_COUNT_PHONES) {
        let counts = api.dial_counts(chunk).await?.counts;
        cache.run(move |c| counts.iter().try_for_each(|(phone, count)| c.set_dial_count(phone, *count))).await?;
    }
    Ok(())
}

/// Asks for the changes after `after`, on a task of its own, so the answer arrives while the
/// caller stores the page before.
fn fetch_changes(api: &ApiClient, after: u64) -> tokio::task::JoinHandle<Result<LeadChanges, ClientError>> {
    let api = api.clone();
    tokio::spawn(async move { api.lead_changes(after, CHANGES_PAGE).await })
}

/// Reads the deployed server's list, which tells no changes. A quick sync reads the newest
/// pages down to the newest lead already cached: new leads. A full read of the whole book, at
/// the first sync and then at least every [`FULL_SYNC_EVERY`], brings the changes made elsewhere
/// to older leads and forgets the leads no longer there. It reads pages of 10,000 (the server's
/// `getAllResults`), or of 100 if the server cannot answer one that big in time.
async fn sync_pages(api: &ApiClient, cache: &CacheHandle) -> Result<(SyncMode, u64, Tolerance), SyncError> {
    let (newest, full_at) = cache.run(|c| Ok::<_, CacheError>((meta_time(c, NEWEST)?, meta_time(c, FULL_AT)?))).await?;
    let full = newest.is_none() || full_at.is_none_or(|at| Utc::now() - at > FULL_SYNC_EVERY);
    let started = Utc::now();
    // Leads cached while the book is read (live ones) may be missing from its pages: only those
    // cached before it can be found gone.
    let before: Vec<String> = if full { cache.run(|c| c.ids()).await? } else { Vec::new() };
    let mut tolerance = Tolerance::default();
    let mut seen: HashSet<String> = HashSet::new();
    let (mut fetched, mut newest_seen) = (0u64, newest);
    // The whole book in few requests; pages of 100 when that fails (Heroku ends a request at 30 s).
    let mut sizes: &[Option<u32>] = if full { &[None, Some(LEGACY_PAGE)] } else { &[Some(LEGACY_PAGE)] };
    let mut page = 1u32;
    let mut total;
    loop {
        let limit = sizes[0];
        let query = LeadQuery { limit, page, get_all_results: limit.is_none(), ..LeadQuery::default() };
        let found = match api.leads(&query).await {
            Ok(found) => found,
            Err(ClientError::Server { status: 500.., message }) if sizes.len() > 1 => {
                tracing::info!(%message, "a page of 10,000 failed; reading the book in pages of 100");
                (sizes, page) = (&sizes[1..], 1);
                continue;
            }
            Err(e) => {
                if full {
                    // Tried: the next syncs are quick ones until the next full read is due.
                    cache.run(move |c| c.set_meta(FULL_AT, &rfc3339(started))).await?;
                }
                return Err(e.into());
            }
        };
        total = found.pagination.total;
        let size = found.pagination.limit.max(1) as usize;
        let reached_cached = !full && found.leads.iter().any(|l| l.created_at.is_some_and(|c| Some(c) < newest));
        newest_seen = newest_seen.max(found.leads.iter().filter_map(|l| l.created_at).max());
        if full {
            seen.extend(found.leads.iter().map(|l| l.id.clone()));
        }
        tolerance.absorb(found.tolerance);
        // In parts, so the feed and the list never wait long for the cache.
        let (count, pages) = (found.leads.len(), found.pagination.pages);
        let mut leads = found.leads.into_iter();
        loop {
            let part: Vec<_> = leads.by_ref().take(WRITE_PART).collect();
            if part.is_empty() {
                break;
            }
            cache.run(move |c| c.upsert(&part, None)).await?;
        }
        fetched += count as u64;
        if reached_cached || count < size || page >= pages {
            break;
        }
        page += 1;
    }
    // Leads of the same instant come in no defined order, and a deletion during the read shifts
    // the pages: only a read that saw the whole book can tell what is gone.
    let seen_all = full && seen.len() as u64 >= total;
    let gone: Vec<String> = before.into_iter().filter(|id| seen_all && !seen.contains(id)).collect();
    // The first book came newest first: its pages are part empty until rewritten (100,000
    // leads: 1.1 s, and 2.7 instead of 2.3 times the size of the same leads as CSV).
    let compact = newest.is_none() && fetched >= COMPACT_AFTER;
    cache
        .run(move |c| {
            if !gone.is_empty() {
                tracing::info!(gone = gone.len(), "leads no longer on the server, forgotten");
                c.remove(&gone)?;
            }
            if compact {
                c.compact()?;
            }
            if let Some(n) = newest_seen {
                c.set_meta(NEWEST, &rfc3339(n))?;
            }
            if full {
                c.set_meta(FULL_AT, &rfc3339(started))?;
            }
            Ok::<_, CacheError>(())
        })
        .await?;
    Ok((SyncMode::Pages { full }, fetched, tolerance))
}
