//! `csv-import`: vendor lead files read, recognised and normalised into leads, against the raw
//! `csv` crate reading the same file (byte records, no decoding): the ratio is the figure. Also
//! the process's peak memory.
//!
//! The files are generated here, seeded, in the NextGen and USHA Marketplace layouts, with the
//! dirt of real exports: phones in every spelling, blank cells, repeated leads, NextGen `ad`
//! rows, Windows-1252 names, zip codes that lost their leading zero, impossible dates, rows with
//! neither phone nor email.
//!
//! Then end to end, into our server on loopback: the app's path (the file read into the cache's
//! import queue, then sent in batches) and the contract's `POST /api/csv-upload` of the same file.
//!
//!     cargo run --release -p crokodial-bench --bin csv-import -- [--rows 10000,100000] [--keep DIR] [--end-to-end 100000]

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;

// As the app and the server use it (see src-tauri/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crokodial_core::import::{Import, Outcome, RunError};
use crokodial_core::Lead;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

#[derive(Parser)]
#[command(about = "Vendor lead files: parse and normalise against a raw CSV read")]
struct Args {
    /// Rows of each file.
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000])]
    rows: Vec<usize>,
    /// Write the files here and keep them (default: a temporary folder).
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Times each file is read; the best run is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Rows of the NextGen file imported end to end into our server (0: skip).
    #[arg(long, default_value_t = 100_000)]
    end_to_end: usize,
}

#[derive(Clone, Copy, Debug)]
enum Layout {
    NextGen,
    Marketplace,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let temp = tempfile::tempdir()?;
    let dir = args.keep.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    println!("csv-import: best of {} runs; the raw read is the csv crate's byte records", args.runs);
    for layout in [Layout::NextGen, Layout::Marketplace] {
        for &rows in &args.rows {
            let path = dir.join(format!("{layout:?}-{rows}.csv").to_lowercase());
            generate(&path, layout, rows)?;
            let size = std::fs::metadata(&path)?.len();
            let raw = best(args.runs, || raw_read(&path))?;
            let (full, tally) = best_with(args.runs, || import(&path))?;
            let mb = size as f64 / 1e6;
            println!(
                "  {layout:?} {rows} rows, {mb:.1} MB: raw {:.0} ms ({:.0} MB/s); import {:.0} ms ({:.0} rows/s, {:.0} MB/s); ratio {:.2}",
                ms(raw),
                mb / raw.as_secs_f64(),
                ms(full),
                rows as f64 / full.as_secs_f64(),
                mb / full.as_secs_f64(),
                full.as_secs_f64() / raw.as_secs_f64()
            );
            println!("      {} leads ({} repeat an earlier row), {} invalid: {:?}", tally.0, tally.1, tally.2, tally.3);
        }
    }
    println!("  peak memory of this process: {:.1} MB", peak_rss_mb()?);
    if args.end_to_end > 0 {
        let path = dir.join(format!("nextgen-{}.csv", args.end_to_end));
        if !path.exists() {
            generate(&path, Layout::NextGen, args.end_to_end)?;
        }
        tokio::runtime::Runtime::new()?.block_on(end_to_end(&path, args.end_to_end))?;
    }
    Ok(())
}

/// Imports the file into our server on loopback (in this process), as the app does and through
/// the contract's upload; the peak memory is the process's (app side and server together).
async fn end_to_end(path: &Path, rows: usize) -> anyhow::Result<()> {
    use std::sync::atomic::AtomicBool;

    use crokodial_client::api::ApiClient;
    use crokodial_client::cache::{CacheHandle, LeadCache};
    use crokodial_client::home::Home;
    use crokodial_client::import::{self, Control, MappingChoice};
    use crokodial_client::secrets::Sensitive;
    use crokodial_client::sync;
    use crokodial_testkit::TestServer;

    let server = TestServer::start(false).await?;
    let login = |email: &'static str| {
        let server = &server;
        async move {
            let rep = server.admin(email).await?;
            let token = ApiClient::new(&server.url())?.login(&rep.email, &rep.password).await?.token;
            anyhow::Ok(ApiClient::new(&server.url())?.with_token(Sensitive(token)))
        }
    };
    let api = login("import@agency.test").await?;
    let dir = tempfile::tempdir()?;
    let home = Home::at(dir.path().join("home"));
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("cache.sqlite"))?);

    let sampler = Sampler::start();
    let started = Instant::now();
    let staged = {
        let (home, cache, path) = (home.clone(), cache.clone(), path.to_owned());
        tokio::task::spawn_blocking(move || {
            let cancel = AtomicBool::new(false);
            let control = Control { cancel: &cancel, progress: &mut |_| () };
            import::stage(&home, &cache, &path, &MappingChoice::Automatic, control)
        })
        .await??
    };
    let read = started.elapsed();
    let reading = sampler.stop();
    let sampler = Sampler::start();
    sync::send_imports(&api, &cache, None, &mut |_| ()).await?;
    let total = started.elapsed();
    let sending = sampler.stop();
    let done = cache.blocking().import(&staged.id)?.ok_or_else(|| anyhow::anyhow!("the import vanished"))?;
    println!(
        "  end to end, {rows} NextGen rows into our server (the app's path): read and queued {:.2} s, sent {:.2} s, \
         total {:.2} s ({:.0} rows/s); {} new, {} updated, {} unchanged\n      \
         peak memory while reading (the app alone): {reading}; while sending (app and server): {sending}",
        read.as_secs_f64(),
        (total - read).as_secs_f64(),
        total.as_secs_f64(),
        rows as f64 / total.as_secs_f64(),
        done.stats.imported,
        done.stats.updated,
        done.stats.unchanged,
    );

    let api = login("upload@agency.test").await?;
    let sampler = Sampler::start();
    let started = Instant::now();
    let answer = api.csv_upload("nextgen.csv", std::fs::read(path)?).await?;
    println!(
        "  end to end, the same file through POST /api/csv-upload: {:.2} s; {} new, {} updated, {} skipped\n      \
         peak memory (client holding the file, and server): {}",
        started.elapsed().as_secs_f64(),
        answer.stats.imported,
        answer.stats.updated,
        answer.skipped,
        sampler.stop()
    );
    Ok(())
}

/// Samples this process's memory every 5 ms: the peak of its own (anonymous) memory, and of the
/// file pages it maps (SQLite's memory-mapped database: the OS's page cache, shared and
/// reclaimable).
struct Sampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<[f64; 3]>,
}

impl Sampler {
    fn start() -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let status = || std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let [start, mut peak, mut mapped] = [status_mb(&status(), "RssAnon:"), 0.0, 0.0];
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let now = status();
                peak = f64::max(peak, status_mb(&now, "RssAnon:"));
                mapped = f64::max(mapped, status_mb(&now, "RssFile:"));
                std::thread::sleep(Duration::from_millis(5));
            }
            [start, peak, mapped]
        });
        Sampler { stop, thread }
    }

    /// The peak of the process's own memory, what it held when sampling began (the runtime, the
    /// in-process server, memory kept by the allocator), and the peak of mapped file pages.
    fn stop(self) -> String {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let [start, peak, mapped] = self.thread.join().unwrap_or_default();
        format!(
            "{peak:.1} MB own (+{:.1} MB over the {start:.1} MB held before) + {mapped:.1} MB mapped files",
            peak - start
        )
    }
}

fn status_mb(status: &str, key: &str) -> f64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1000.0
}

fn best(runs: usize, mut f: impl FnMut() -> anyhow::Result<Duration>) -> anyhow::Result<Duration> {
    (0..runs).map(|_| f()).collect::<anyhow::Result<Vec<_>>>().map(|t| t.into_iter().min().unwrap_or_default())
}

type Counts = (u64, u64, u64, Vec<(String, u64)>);

fn best_with(
    runs: usize,
    mut f: impl FnMut() -> anyhow::Result<(Duration, Counts)>,
) -> anyhow::Result<(Duration, Counts)> {
    let mut all = (0..runs).map(|_| f()).collect::<anyhow::Result<Vec<_>>>()?;
    all.sort_by_key(|(t, _)| *t);
    Ok(all.swap_remove(0))
}

fn raw_read(path: &Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path)?;
    let mut record = csv::ByteRecord::new();
    let mut cells = 0usize;
    while reader.read_byte_record(&mut record)? {
        cells += record.len();
    }
    std::hint::black_box(cells);
    Ok(started.elapsed())
}

fn import(path: &Path) -> anyhow::Result<(Duration, Counts)> {
    let started = Instant::now();
    let today = chrono::Utc::now().date_naive();
    let mut import = Import::open(std::fs::File::open(path)?, today)?;
    let mut leads = 0usize;
    import
        .run(|outcome, _| {
            if let Outcome::Lead { lead, .. } = outcome {
                leads += usize::from(!lead.name.is_empty());
            }
            Ok::<_, ()>(())
        })
        .map_err(|e| match e {
            RunError::Import(e) => anyhow::Error::from(e),
            RunError::Stopped(()) => unreachable!("never stopped"),
        })?;
    let took = started.elapsed();
    std::hint::black_box(leads);
    let t = import.tally();
    Ok((took, (t.leads, t.duplicates, t.invalid, t.reasons.clone().into_iter().collect())))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_mb() -> anyhow::Result<f64> {
    Ok(status_mb(&std::fs::read_to_string("/proc/self/status")?, "VmHWM:"))
}

const NEXTGEN_HEADER: &str = "created_at,purchase_id,product,lead_id,vendor_id,vendor_name,vertical_id,account_id,account_name,campaign_id,campaign_name,bid_type,first_name,last_name,phone,street_1,street_2,email,city,state,zipcode,dob,gender,height,household_size,household_income,weight,military,pregnant,tobacco_user,has_prescription,has_medicare_parts_a_b,has_medical_condition,medical_conditions,insurance_timeframe,price,status,disposition,call_log_id,call_duration,source_hash,sub_id_hash";
const MARKETPLACE_HEADER: &str = "leadID,created,email,primaryPhone,firstName,lastName,dateOfBirth,addressOne,addressTwo,addressThree,city,state,postalCode,income,age,household,gender,trustedFormCertID,jornayaLeadID,crmLastCallUsername,crmLastOfCallHistoryNameLastFirst,campaignName";

/// Names as Windows-1252 bytes, as older exports write them.
const LATIN1_NAMES: &[&[u8]] = &[b"Jos\xE9", b"Mu\xF1oz", b"Ren\xE9e", b"Fran\xE7ois", b"G\xF3mez", b"Bj\xF6rk"];

/// Writes a file of `rows` rows in `layout`, seeded, streaming.
fn generate(path: &Path, layout: Layout, rows: usize) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(rows as u64 + layout as u64);
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "{}",
        match layout {
            Layout::NextGen => NEXTGEN_HEADER,
            Layout::Marketplace => MARKETPLACE_HEADER,
        }
    )?;
    let mut earlier: Vec<Lead> = Vec::new();
    let mut written = 0;
    while written < rows {
        // About 3% of rows repeat an earlier lead, as exports of overlapping date ranges do.
        let lead = match earlier.choose(&mut rng) {
            Some(l) if rng.gen_bool(0.03) => l.clone(),
            _ => crokodial_server::demo::seeded_lead(&mut rng, "t", "r"),
        };
        if earlier.len() < 5_000 {
            earlier.push(lead.clone());
        }
        let row = match layout {
            Layout::NextGen => nextgen_row(&mut rng, &lead, "data"),
            Layout::Marketplace => marketplace_row(&mut rng, &lead),
        };
        out.write_all(&row)?;
        written += 1;
        // About 5% of NextGen leads were bought with a premium add-on: an `ad` row follows.
        if matches!(layout, Layout::NextGen) && written < rows && rng.gen_bool(0.05) {
            out.write_all(&nextgen_row(&mut rng, &lead, "ad"))?;
            written += 1;
        }
    }
    out.flush()?;
    Ok(())
}

/// A phone in one of the spellings vendors and spreadsheets use.
fn dirty_phone(rng: &mut StdRng, digits: &str) -> String {
    let (a, b, c) = (&digits[..3], &digits[3..6], &digits[6..]);
    match rng.gen_range(0..6) {
        0 => format!("({a}) {b}-{c}"),
        1 => format!("{a}.{b}.{c}"),
        2 => format!("+1 {a} {b} {c}"),
        3 => format!("1-{a}-{b}-{c}"),
        _ => digits.to_owned(),
    }
}

/// Dirt common to both layouts: (first name bytes, phone, email, zip, dob as y, m, d).
struct Person {
    first: Vec<u8>,
    last: Vec<u8>,
    phone: String,
    email: String,
    zip: String,
    dob: (String, String, String),
}

impl Person {
    /// The first and last name cells, as bytes (some are Windows-1252).
    fn push_name(&self, row: &mut Vec<u8>) {
        row.extend_from_slice(&self.first);
        row.push(b',');
        row.extend_from_slice(&self.last);
    }
}

fn dirty(rng: &mut StdRng, lead: &Lead) -> Person {
    let latin1 = rng.gen_bool(0.02);
    let pick = |rng: &mut StdRng| LATIN1_NAMES.choose(rng).expect("names").to_vec();
    let first = if latin1 { pick(rng) } else { lead.first_name.clone().unwrap_or_default().into_bytes() };
    let last = if latin1 { pick(rng) } else { lead.last_name.clone().unwrap_or_default().into_bytes() };
    let mut phone = dirty_phone(rng, lead.phone.as_deref().unwrap_or("3125550100"));
    let mut email = lead.email.clone().unwrap_or_default();
    match rng.gen_range(0..100) {
        0 => (phone, email) = (String::new(), String::new()), // neither: not a lead
        1..=4 => phone = String::new(),
        5..=9 => email = String::new(),
        10..=11 => email = email.to_uppercase(),
        _ => {}
    }
    let mut zip = lead.zipcode.clone().unwrap_or_default();
    if zip.starts_with('0') && rng.gen_bool(0.5) {
        zip = zip.trim_start_matches('0').to_owned(); // a spreadsheet took the zeros
    }
    let dob = lead.dob.clone().unwrap_or_default();
    let mut parts = dob.splitn(3, '-').map(str::to_owned);
    let (y, m, mut d) =
        (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    if rng.gen_bool(0.005) {
        d = "31".into(); // sometimes impossible
    }
    if rng.gen_bool(0.02) {
        zip = String::new();
    }
    Person { first, last, phone, email, zip, dob: (y, m, d) }
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn nextgen_row(rng: &mut StdRng, lead: &Lead, product: &str) -> Vec<u8> {
    let p = dirty(rng, lead);
    let created = lead.created_at.map(|t| t.to_rfc3339()).unwrap_or_default();
    let vendor_id = lead.lead_id.clone().unwrap_or_else(|| format!("NG-{}", rng.gen_range(10_000_000..99_999_999)));
    let (y, m, d) = &p.dob;
    let conditions = ["[]", "\"[\"\"asthma\"\"]\"", "\"[\"\"diabetes\"\",\"\"copd\"\"]\""].choose(rng).expect("lists");
    let mut row = format!(
        "{created},P{},{product},{vendor_id},V7,NextGen Leads,3,A1,Demo Agency,C9,Health Exclusive,exclusive,",
        rng.gen_range(1..1_000_000)
    )
    .into_bytes();
    p.push_name(&mut row);
    row.extend_from_slice(
        format!(
            ",{},{},,{},{},{},{},{y}-{m}-{d},{},{},{},$50-75k,{},false,false,{},true,false,false,{conditions},Within 30 days,{}.00,new,,CL{},{},{:x},{:x}\n",
            p.phone,
            csv_cell(&format!("{} Main St", rng.gen_range(1..9999))),
            p.email,
            csv_cell(lead.city.as_deref().unwrap_or_default()),
            lead.state.as_deref().unwrap_or_default(),
            p.zip,
            lead.gender.as_deref().unwrap_or_default(),
            lead.height.as_deref().unwrap_or_default(),
            lead.household_size.as_deref().unwrap_or_default(),
            lead.weight.as_deref().unwrap_or_default(),
            lead.tobacco_user.unwrap_or(false),
            if product == "ad" { 5 } else { 25 },
            rng.gen_range(1..1_000_000),
            rng.gen_range(0..600),
            rng.gen::<u64>(),
            rng.gen::<u32>(),
        )
        .as_bytes(),
    );
    row
}

fn marketplace_row(rng: &mut StdRng, lead: &Lead) -> Vec<u8> {
    let p = dirty(rng, lead);
    let created = lead.created_at.map(|t| t.format("%m-%d-%Y %H:%M:%S ").to_string()).unwrap_or_default();
    let (y, m, d) = &p.dob;
    let mut row = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x},{created},{},{},",
        rng.gen::<u32>(),
        rng.gen::<u16>(),
        rng.gen_range(0..0xfff),
        rng.gen_range(0..0xfff),
        rng.gen_range(0..0xffff_ffff_ffffu64),
        p.email,
        p.phone
    )
    .into_bytes();
    p.push_name(&mut row);
    row.extend_from_slice(
        format!(
            ",{m}-{d}-{y},{},,,{},{},{},{},{},{},{},tf-{:x},jl-{:x},rep1,,Spring Campaign\n",
            csv_cell(&format!("{} Oak Ave", rng.gen_range(1..9999))),
            csv_cell(lead.city.as_deref().unwrap_or_default()),
            lead.state.as_deref().unwrap_or_default(),
            p.zip,
            rng.gen_range(20_000..200_000),
            rng.gen_range(18..90),
            lead.household_size.as_deref().unwrap_or_default(),
            if lead.gender.as_deref() == Some("male") { "M" } else { "F" },
            rng.gen::<u64>(),
            rng.gen::<u64>(),
        )
        .as_bytes(),
    );
    row
}
