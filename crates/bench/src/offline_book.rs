//! `offline-book`: the local lead cache holding a rep's whole book of synthetic leads (default
//! 100,000). Reports the first full sync of that book from our server over loopback, the time to
//! store it directly, the file's size against the same leads as CSV, a cold open to the first
//! page, search latency for what reps type (a surname, four phone digits, a city) and, for scale,
//! the list filtered by state and sorted by name, an incremental
//! sync of 1,000 changes, and the replay of 1,000 edits queued offline.
//!
//!     cargo run --release -p crokodial-bench --bin offline-book -- [--leads 100000]

use std::time::{Duration, Instant};

use clap::Parser;
use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheHandle, CacheQuery, LeadCache, SortBy};
use crokodial_client::secrets::Sensitive;
use crokodial_client::sync;
use crokodial_core::edit::EditField;
use crokodial_core::Lead;
use crokodial_server::{SqliteStore, Store};
use crokodial_testkit::TestServer;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

#[derive(Parser)]
#[command(about = "The local lead cache with a whole book of leads")]
struct Args {
    #[arg(long, default_value_t = 100_000)]
    leads: usize,
    /// Searches of each kind.
    #[arg(long, default_value_t = 300)]
    searches: usize,
    /// Leave out the runs against the server (to profile the cache alone).
    #[arg(long)]
    cache_only: bool,
    /// The order the book is stored in directly (the server runs send it in received order).
    #[arg(long, value_enum, default_value_t = Order::Received)]
    order: Order,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Order {
    /// As a server has them, and as our server's change feed sends them.
    Received,
    /// As the deployed server's pages send them.
    NewestFirst,
    /// In no particular order.
    Shuffled,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("book.sqlite");
    let mut rng = StdRng::seed_from_u64(7);
    let mut leads: Vec<Lead> =
        (0..args.leads).map(|_| crokodial_server::demo::seeded_lead(&mut rng, "tenant", "rep")).collect();
    // As a server has them: in the order they were received.
    leads.sort_by_key(|l| l.created_at);
    println!("offline-book: {} leads", leads.len());

    if !args.cache_only {
        server_runs(&leads, dir.path())?;
    }

    match args.order {
        Order::Received => {}
        Order::NewestFirst => leads.reverse(),
        Order::Shuffled => leads.shuffle(&mut rng),
    }
    let started = Instant::now();
    let mut cache = LeadCache::open_at(&path)?;
    for chunk in leads.chunks(1000) {
        cache.upsert(chunk, None)?;
    }
    println!("  store all, 1,000 a transaction     {:>8.0} ms", ms(started.elapsed()));
    if matches!(args.order, Order::NewestFirst) {
        let before = std::fs::metadata(&path)?.len();
        let started = Instant::now();
        cache.compact()?;
        println!(
            "  compact after storing newest first  {:>8.0} ms ({:.1} → {:.1} MB)",
            ms(started.elapsed()),
            mb(before),
            mb(std::fs::metadata(&path)?.len())
        );
    }
    drop(cache); // closing checkpoints the WAL into the file

    let started = Instant::now();
    let cache = LeadCache::open_at(&path)?;
    let opened = started.elapsed();
    let (first, total) = cache.page(&CacheQuery { limit: 100, ..CacheQuery::default() })?;
    println!("  open + first page of 100 (of {total})  {:>8.2} ms (open {:.2} ms)", ms(started.elapsed()), ms(opened));
    assert_eq!(first.len(), 100);

    let mut pick = |f: &dyn Fn(&Lead) -> Option<String>| -> Vec<String> {
        (0..args.searches).filter_map(|_| f(leads.choose(&mut rng).expect("leads"))).collect()
    };
    let surnames = pick(&|l| l.last_name.clone());
    let digits = pick(&|l| l.phone.as_deref().map(|p| p[p.len() - 4..].to_owned()));
    let cities = pick(&|l| l.city.clone());
    let states = pick(&|l| l.state.clone());
    let searches =
        |queries: Vec<String>| queries.into_iter().map(|q| CacheQuery { search: Some(q), ..CacheQuery::default() });
    let lists: [(&str, Vec<CacheQuery>); 5] = [
        ("search surname", searches(surnames).collect()),
        ("search 4 phone digits", searches(digits).collect()),
        ("search city", searches(cities).collect()),
        // Not targets: the list's other views, for scale.
        (
            "list by state filter",
            states.into_iter().map(|s| CacheQuery { states: vec![s], ..CacheQuery::default() }).collect(),
        ),
        (
            "list sorted by name",
            (0..30).map(|n| CacheQuery { sort: SortBy::Name, offset: n * 1000, ..CacheQuery::default() }).collect(),
        ),
    ];
    for (what, queries) in lists {
        let mut times = Vec::new();
        let mut found = 0;
        for q in queries {
            let started = Instant::now();
            let (page, total) = cache.page(&CacheQuery { limit: 100, ..q })?;
            times.push(started.elapsed());
            found += usize::from(!page.is_empty()) * usize::from(total > 0);
        }
        println!(
            "  {what:<22} n={:<4} p50 {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms  (found {found})",
            times.len(),
            percentile(&mut times, 50),
            percentile(&mut times, 95),
            percentile(&mut times, 100)
        );
    }
    drop(cache);
    heartbeat_runs(&path, &leads)?;
    // Last: building the CSV churns the heap, which would skew the timings above.
    let csv = csv_size(&leads)?;
    let size = std::fs::metadata(&path)?.len();
    let bytes = |sql: &str| -> anyhow::Result<f64> {
        Ok(mb(rusqlite::Connection::open(&path)?.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64))
    };
    println!(
        "  of which: lead documents {:.1} MB, search index {:.1} MB, list rows (text) {:.1} MB",
        bytes("SELECT sum(length(doc)) FROM lead_docs")?,
        bytes("SELECT sum(length(block)) FROM leads_fts_data")?,
        bytes(
            "SELECT sum(length(id) + length(name) + coalesce(length(state), 0) + coalesce(length(source), 0)
                      + coalesce(length(disposition), 0)) FROM leads"
        )?,
    );
    println!(
        "  cache file {:.1} MB; the same leads as CSV {:.1} MB; ratio {:.2}",
        mb(size),
        mb(csv),
        size as f64 / csv as f64
    );
    Ok(())
}

/// The runs against our server on loopback, printed.
fn server_runs(leads: &[Lead], dir: &std::path::Path) -> anyhow::Result<()> {
    let synced = tokio::runtime::Runtime::new()?.block_on(syncs(leads, dir))?;
    println!(
        "  first full sync from our server     {:>8.0} ms ({} leads, loopback)",
        ms(synced.full.took),
        synced.full.fetched
    );
    println!(
        "  incremental sync of {} changes      {:>8.0} ms",
        synced.incremental.fetched,
        ms(synced.incremental.took)
    );
    println!("  outbox replay of {} queued edits    {:>8.0} ms", synced.replayed, ms(synced.replay));
    Ok(())
}

struct Syncs {
    full: sync::SyncReport,
    incremental: sync::SyncReport,
    replayed: u64,
    replay: Duration,
}

/// Puts `leads` in a tenant of our server (straight into its database) and times a rep's first
/// sync of them into an empty cache; then a sync after 1,000 of them changed on the server; then
/// sending 1,000 edits queued in the cache.
async fn syncs(leads: &[Lead], dir: &std::path::Path) -> anyhow::Result<Syncs> {
    let server = TestServer::start(false).await?;
    let rep = server.admin("book@agency.test").await?;
    let mut book = leads.to_vec();
    for (i, lead) in book.iter_mut().enumerate() {
        lead.tenant_id = Some(rep.tenant_id.clone());
        lead.lead_id = Some(format!("BOOK-{i}")); // random vendor ids can collide in a book this big
    }
    let store = SqliteStore::open(&server.db_path())?;
    for chunk in book.chunks(5000) {
        store.insert_leads(chunk)?;
    }
    let token = ApiClient::new(&server.url())?.login(&rep.email, &rep.password).await?.token;
    let api = ApiClient::new(&server.url())?.with_token(Sensitive(token));
    let cache = CacheHandle::new(LeadCache::open_at(&dir.join("synced.sqlite"))?);
    let full = sync::sync(&api, &cache).await?;
    anyhow::ensure!(full.cached == leads.len() as u64, "synced {} of {}", full.cached, leads.len());

    let changed: Vec<(String, String)> = book
        .iter()
        .step_by((book.len() / 1000).max(1))
        .take(1000)
        .map(|l| (rep.tenant_id.clone(), l.id.clone()))
        .collect();
    store.edit_leads(&changed, &mut |l| {
        l.disposition = Some("Quoted".into());
        true
    })?;
    let incremental = sync::sync(&api, &cache).await?;
    anyhow::ensure!(incremental.fetched == changed.len() as u64, "fetched {} changes", incremental.fetched);

    {
        let mut c = cache.blocking();
        for (i, (_, id)) in changed.iter().enumerate() {
            let note = [(EditField::Notes, format!("called back, try {i}"))];
            c.queue_edit(id, note.into_iter().collect())?;
        }
    }
    let started = Instant::now();
    let pushed = sync::push(&api, &cache).await?;
    let replay = started.elapsed();
    anyhow::ensure!(pushed.synced == changed.len() as u64, "replayed {pushed:?}");
    Ok(Syncs { full, incremental, replayed: pushed.synced, replay })
}

/// What the socket's heartbeat (a timer on the async runtime, as the supervisor's ping and the
/// alert's hand-off are) sees while the list is searched and sync pages are written: every
/// [`BEAT`] a tick that notes how late it woke. Through [`CacheHandle::run`] (the engine's only
/// way into the cache) and, for comparison, with the same work run on the runtime itself (as the
/// engine did before: SQLite under an async mutex). Both on one runtime worker: the worst a busy
/// laptop gives (the app's runtime has a worker per core, shared by all its tasks).
fn heartbeat_runs(path: &std::path::Path, leads: &[Lead]) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    for through_handle in [true, false] {
        let cache = CacheHandle::new(LeadCache::open_at(path)?);
        let pages: Vec<Vec<Lead>> = leads.chunks(1000).take(10).map(<[Lead]>::to_vec).collect();
        // Both on the runtime's one worker, as the app's tasks share its workers.
        let work = async move {
            tokio::time::sleep(BEAT * 3).await;
            let mut searches = Vec::new();
            for n in 0..30 {
                // The slowest list view of the book: sorted by name, far down.
                let q =
                    CacheQuery { sort: SortBy::Name, offset: 70_000 + n * 1000, limit: 100, ..CacheQuery::default() };
                let started = Instant::now();
                if through_handle {
                    cache.run(move |c| c.page(&q).map(drop)).await?;
                } else {
                    cache.blocking().page(&q)?;
                }
                searches.push(started.elapsed());
            }
            let mut writes = Vec::new();
            for page in pages {
                let started = Instant::now();
                if through_handle {
                    cache.run(move |c| c.upsert(&page, None)).await?;
                } else {
                    cache.blocking().upsert(&page, None)?;
                }
                writes.push(started.elapsed());
                tokio::task::yield_now().await;
            }
            anyhow::Ok((searches, writes))
        };
        let (mut late, mut searches, mut writes) = runtime.block_on(async {
            let (stop, stopped) = tokio::sync::oneshot::channel();
            let beats = tokio::spawn(heartbeat(stopped));
            let (searches, writes) = tokio::spawn(work).await??;
            let _ = stop.send(());
            anyhow::Ok((beats.await?, searches, writes))
        })?;
        let (p50, p99, max) = (percentile(&mut late, 50), percentile(&mut late, 99), percentile(&mut late, 100));
        println!(
            "  heartbeat, {:<16} {} beats of {} ms late p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  (30 name-sorted pages p50 {:.0} ms, 10 writes of 1,000 p50 {:.0} ms)",
            if through_handle { "cache off-runtime" } else { "cache on runtime" },
            late.len(),
            BEAT.as_millis(),
            p50,
            p99,
            max,
            percentile(&mut searches, 50),
            percentile(&mut writes, 50),
        );
    }
    Ok(())
}

const BEAT: Duration = Duration::from_millis(10);

/// Ticks every [`BEAT`] until `stop`, and answers how late each tick woke.
async fn heartbeat(mut stop: tokio::sync::oneshot::Receiver<()>) -> Vec<Duration> {
    let mut late = Vec::new();
    loop {
        let due = tokio::time::Instant::now() + BEAT;
        tokio::select! {
            () = tokio::time::sleep_until(due) => late.push(due.elapsed()),
            _ = &mut stop => return late,
        }
    }
}

/// The `q`-th percentile of `times`, in ms (0 when there are none).
fn percentile(times: &mut [Duration], q: u32) -> f64 {
    crokodial_core::percentile(times, q).map_or(0.0, ms)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// The size of `leads` as a CSV file with a column for each field any of them has.
fn csv_size(leads: &[Lead]) -> anyhow::Result<u64> {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = leads
        .iter()
        .map(|l| match serde_json::to_value(l) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        })
        .collect();
    let mut columns: Vec<&String> = rows.iter().flat_map(|r| r.keys()).collect();
    columns.sort();
    columns.dedup();
    let cell = |v: Option<&serde_json::Value>| -> String {
        let text = match v {
            None | Some(serde_json::Value::Null) => return String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        if text.contains([',', '"', '\n']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    };
    let mut size = columns.iter().map(|c| c.len() + 1).sum::<usize>();
    for row in &rows {
        size += columns.iter().map(|c| cell(row.get(*c)).len() + 1).sum::<usize>();
    }
    Ok(size as u64)
}
