//! `deployed-book`: a rep's book on the deployed server's contract (the stand-in
//! `testkit::legacy`, over loopback). Reports the first full sync of the book (default 10,000
//! leads), a quick sync with a few new leads, the full read that finds changes and deletions
//! made elsewhere (what it costs: requests and bytes), and the alert delay while the same
//! account's web app holds the server's one signed-in socket (webhook post → lead handed out,
//! announced, with its phone), with how often the two fought for the socket.
//!
//!     cargo run --release -p crokodial-bench --bin deployed-book -- [--leads 10000] [--alerts 40]
//!
//! Loopback has no latency: on the deployed server each request adds its round trip and the
//! server's own query time, and the bytes are those counted here.

use std::time::{Duration, Instant};

use clap::Parser;
use crokodial_client::alert::AlertPlayer;
use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheHandle, LeadCache};
use crokodial_client::feed::{FeedEvent, LeadFeed};
use crokodial_client::secrets::Sensitive;
use crokodial_client::settings::{AlertSettings, Settings};
use crokodial_client::socket::ConnectionState;
use crokodial_client::sync::{self, FULL_SYNC_EVERY};
use crokodial_core::edit::EditField;
use crokodial_testkit::legacy::{self, LegacyServer, WebApp, WebAppTimings};
use serde_json::json;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "A book on the deployed server's contract: sync, freshness, alerts beside the web app")]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    leads: usize,
    /// Webhook leads posted while the web app holds the socket.
    #[arg(long, default_value_t = 40)]
    alerts: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = LegacyServer::start().await?;
    // The admin's book: webhook leads go to the first admin, so the alerts are theirs too.
    let owner = server.user_id(legacy::ADMIN_EMAIL);
    let started = chrono::Utc::now() - chrono::Duration::days(90);
    for i in 0..args.leads {
        server.store_raw(vendor_lead(&owner, i, started + chrono::Duration::minutes(i as i64 * 12)));
    }
    let api = ApiClient::new(&server.url())?;
    let token = api.login(legacy::ADMIN_EMAIL, legacy::PASSWORD).await?.token;
    let api = api.with_token(Sensitive(token.clone()));
    let dir = tempfile::tempdir()?;
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("cache.sqlite"))?);

    println!("deployed-book: {} leads on the deployed server's contract (stand-in, loopback)", args.leads);
    let bytes = book_bytes(&server, &token).await?;
    let t = Instant::now();
    let first = sync::sync(&api, &cache).await?;
    println!(
        "  first sync (whole book)     {:>8.0} ms  {} leads, 1 request of {:.1} MB (getAllResults)",
        ms(t.elapsed()),
        first.cached,
        bytes as f64 / 1e6
    );

    for i in 0..5 {
        server.store_lead_for(legacy::ADMIN_EMAIL, &format!("New {i}"));
    }
    let t = Instant::now();
    let quick = sync::sync(&api, &cache).await?;
    println!("  quick sync (5 new leads)    {:>8.0} ms  {} fetched (one page of 100)", ms(t.elapsed()), quick.fetched);

    // Changes made elsewhere to old leads, and deletions: found by the next full read.
    let old = server.leads();
    server.edit_elsewhere(&old[10].id, EditField::Disposition, "Appointment");
    server.delete_elsewhere(&old[20].id);
    sync::want_full_sync(&cache.blocking())?;
    let t = Instant::now();
    let full = sync::sync(&api, &cache).await?;
    let (changed, deleted) = (old[10].id.clone(), old[20].id.clone());
    let seen = cache
        .run(move |c| {
            anyhow::Ok(
                c.get(&changed)?.and_then(|l| l.disposition) == Some("Appointment".into())
                    && c.get(&deleted)?.is_none(),
            )
        })
        .await?;
    println!(
        "  full read (every {} min)    {:>8.0} ms  {} leads; the change and the deletion {}",
        FULL_SYNC_EVERY.num_minutes(),
        ms(t.elapsed()),
        full.fetched,
        if seen { "found" } else { "NOT found" }
    );

    alerts_beside_the_web_app(&server, &api, &token, args.alerts).await
}

/// A lead as a NextGen CSV upload leaves it on the deployed server: the mapped fields, and the
/// vendor's row in `notesMetadata`.
fn vendor_lead(owner: &str, i: usize, created: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    let phone = format!("(312) 555-{:04}", i % 10_000);
    json!({
        "tenantId": owner, "assignedTo": owner, "name": format!("Lead {i}"), "firstName": "Lead",
        "lastName": i.to_string(), "email": format!("lead{i}@example.com"), "phone": phone, "status": "New",
        "source": "NextGen", "disposition": "", "zipcode": 60601, "dob": "01/02/1970", "state": "IL",
        "city": "Chicago", "gender": "Female", "height": "5'6\"", "weight": "150", "householdSize": "2",
        "householdIncome": "50000", "military": false, "pregnant": false, "tobaccoUser": false,
        "hasPrescription": true, "hasMedicarePartsAB": false, "hasMedicalCondition": false,
        "medicalConditions": [], "campaignName": "Health Exclusive", "product": "data", "price": "45.5",
        "notes": "", "timeZone": "", "createdAt": created.to_rfc3339(), "updatedAt": created.to_rfc3339(),
        "notesMetadata": {"importedOn": created.to_rfc3339(), "source": "NextGen",
            "originalData": {"purchase_id": format!("P{i}"), "vendor_id": "V1", "trustedFormCertID": format!("tf-{i}")}},
    })
}

/// The size of the book's one `getAllResults` answer.
async fn book_bytes(server: &LegacyServer, token: &str) -> anyhow::Result<usize> {
    let resp = reqwest::Client::new()
        .get(format!("{}/api/leads?getAllResults=true", server.url()))
        .bearer_auth(token)
        .send()
        .await?;
    Ok(resp.bytes().await?.len())
}

async fn alerts_beside_the_web_app(
    server: &LegacyServer,
    api: &ApiClient,
    token: &str,
    n: usize,
) -> anyhow::Result<()> {
    // The web app reopens its socket after every close (1 s) and every quiet spell (60 s; 5 s
    // here, so a run sees many of them).
    let timings = WebAppTimings { reconnect_after: Duration::from_secs(1), quiet_limit: Duration::from_secs(5) };
    let web = WebApp::open_with(&server.url(), token, timings);
    while !web.is_connected() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let dir = tempfile::tempdir()?;
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("alerts.sqlite"))?);
    let silent = tokio::sync::watch::channel(Settings {
        alerts: AlertSettings { volume: 0.0, ..AlertSettings::default() },
        ..Settings::default()
    })
    .1;
    // The deployed server routes nothing: whose feed it is does not matter.
    let mut feed = LeadFeed::start(api, "", AlertPlayer::start(None)?, silent)?.with_cache(cache);
    let mut state = feed.state();
    tokio::time::timeout(Duration::from_secs(15), state.wait_for(|s| *s == ConnectionState::Listening)).await??;

    let mut delays = Vec::new();
    let mut without_phone = 0;
    let run = Instant::now();
    for i in 0..n {
        let phone = format!("773555{i:04}");
        let sent = Instant::now();
        let (status, _) =
            server.post_webhook(json!({"first_name": "Alert", "last_name": i.to_string(), "phone": phone})).await;
        anyhow::ensure!(status == 201, "webhook answered {status}");
        loop {
            let Some(FeedEvent::Lead(lead)) = tokio::time::timeout(Duration::from_secs(10), feed.next()).await? else {
                continue;
            };
            // (Leads stored just before the feed started are announced by its first catch-up.)
            if lead.announce && lead.lead.name == format!("Alert {i}") {
                delays.push(sent.elapsed());
                without_phone += usize::from(lead.lead.phone.as_deref() != Some(phone.as_str()));
                break;
            }
        }
        // Quiet spells between leads, so the web app reconnects on its own now and then.
        tokio::time::sleep(Duration::from_millis(if i % 10 == 9 { 6_000 } else { 250 })).await;
    }
    delays.sort();
    let at = |q: f64| ms(delays[((delays.len() - 1) as f64 * q).round() as usize]);
    println!(
        "  alert beside the web app    p50 {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms  (n={}, {} without phone)",
        at(0.5),
        at(0.95),
        at(1.0),
        delays.len(),
        without_phone
    );
    println!(
        "  socket over {:.0} s: the web app connected {} times, was closed by the desktop {} time(s); the desktop stayed {:?}",
        run.elapsed().as_secs_f64(),
        web.connections(),
        web.superseded(),
        *feed.state().borrow()
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
