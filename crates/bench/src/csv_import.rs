//! `csv-import`: vendor lead files read, recognised and normalised into leads, against the raw
//! `csv` crate reading the same file (byte records, no decoding): the ratio is the figure. Also
//! the process's peak memory.
//!
//! The files are generated here, seeded, in the NextGen and USHA Marketplace layouts, with the
//! dirt of real exports: phones in every spelling, blank cells, repeated leads, NextGen `ad`
//! rows, Windows-1252 names, zip codes that lost their leading zero, impossible dates, rows with
//! neither phone nor email.
//!
//!     cargo run --release -p crokodial-bench --bin csv-import -- [--rows 10000,100000] [--keep DIR]

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use crokodial_core::import::{Import, Outcome};
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
    Ok(())
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
    while let Some(outcome) = import.next_outcome()? {
        if let Outcome::Lead { lead, .. } = outcome {
            leads += usize::from(!lead.name.is_empty());
        }
    }
    let took = started.elapsed();
    std::hint::black_box(leads);
    let t = import.tally();
    Ok((took, (t.leads, t.duplicates, t.invalid, t.reasons.clone().into_iter().collect())))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_mb() -> anyhow::Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    Ok(kb / 1000.0)
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
