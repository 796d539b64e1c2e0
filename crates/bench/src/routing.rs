//! `lead-routing`: a tenant in round robin with N reps, each with the real socket supervisor and
//! an API client, over loopback. Leads come by webhook at a fixed rate; the rep each is offered
//! to claims it at once. Reports:
//! - webhook sent → the offered rep's engine event (the event that rings them);
//! - claim round trip: the rep's claim sent → its answer;
//! - leads lost (acknowledged, never offered or never claimed), offered to two reps alone at
//!   once, claimed twice, and how evenly the offers were spread.
//!
//!     cargo run --release -p crokodial-bench --bin lead-routing -- [--rate 200] [--reps 100] [--seconds 10]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use crokodial_client::api::{ApiClient, ClaimAnswer};
use crokodial_client::secrets::Sensitive;
use crokodial_client::socket::{ConnectionState, SocketEvent, SocketHandle};
use crokodial_core::api::Role;
use crokodial_core::percentile;
use crokodial_core::routing::{RoutingMode, RoutingUpdate};
use crokodial_server::{Config, NewUser, Server, TenantChoice};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Lead routing over loopback: offers, claims, loss and fairness")]
struct Args {
    /// Leads per second.
    #[arg(long, default_value_t = 200)]
    rate: u64,
    /// Reps connected, all available.
    #[arg(long, default_value_t = 100)]
    reps: usize,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

/// What the reps saw, by lead.
#[derive(Default)]
struct Seen {
    /// Reps offered each lead alone as it arrived.
    offered: HashMap<String, Vec<usize>>,
    /// Claims won, by lead.
    claimed: HashMap<String, u32>,
    refused: u64,
    to_offer: Vec<Duration>,
    claim_trip: Vec<Duration>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Server::start(Config::for_tests(dir.path().join("routing.db"))).await?;
    let password = "bench-password";
    let admin = server
        .create_user(NewUser {
            email: "admin@routing.test".into(),
            name: "Admin".into(),
            role: Role::Admin,
            password: password.into(),
            tenant: TenantChoice::Own,
        })
        .await?;
    let creds = server.webhook_credentials(&server.tenant_of(&admin.id).await?).await?;
    let base = ApiClient::new(&server.base_url())?;
    let admin_api = base.clone().with_token(Sensitive(base.login(&admin.email, password).await?.token));
    // The admin is away: the reps share every lead.
    admin_api.set_available(false).await?;
    let update = RoutingUpdate {
        mode: Some(RoutingMode::RoundRobin),
        offer_seconds: Some(30),
        pool_after_seconds: Some(120),
        owner: None,
    };
    admin_api.set_routing(&update).await?;

    let total = args.rate * args.seconds;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let epoch = Instant::now();
    let mut reps = Vec::new();
    println!("lead-routing: {} cores; {} reps signing in", std::thread::available_parallelism()?, args.reps);
    for i in 0..args.reps {
        let user = server
            .create_user(NewUser {
                email: format!("rep{i}@routing.test"),
                name: format!("Rep {i}"),
                role: Role::User,
                password: password.into(),
                tenant: TenantChoice::Of(admin.id.clone()),
            })
            .await?;
        let api = base.clone().with_token(Sensitive(base.login(&user.email, password).await?.token));
        let mut socket = SocketHandle::spawn(&api)?;
        tokio::time::timeout(Duration::from_secs(30), socket.state().wait_for(|s| *s == ConnectionState::Live))
            .await
            .context("a rep did not go live")??;
        let seen = Arc::clone(&seen);
        reps.push(tokio::spawn(async move {
            let mut claims = tokio::task::JoinSet::new();
            loop {
                let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(5), socket.next_event()).await else {
                    break;
                };
                let SocketEvent::NewLead(lead) = event else { continue };
                let Some(offer) = lead.offer.as_ref().filter(|o| lead.is_new && o.is_for(&user.id)) else { continue };
                let id = lead.lead_id.clone().unwrap_or_default();
                let sent = lead.lead.as_ref().and_then(|l| l.campaign_name.as_deref()).and_then(|s| s.parse().ok());
                {
                    let mut seen = seen.lock().expect("seen");
                    if let Some(sent_ns) = sent {
                        seen.to_offer.push(epoch.elapsed().saturating_sub(Duration::from_nanos(sent_ns)));
                    }
                    if !offer.pool {
                        seen.offered.entry(id.clone()).or_default().push(i);
                    }
                }
                let (api, seen) = (api.clone(), Arc::clone(&seen));
                claims.spawn(async move {
                    let asked = Instant::now();
                    let answer = api.claim(&id).await;
                    let mut seen = seen.lock().expect("seen");
                    seen.claim_trip.push(asked.elapsed());
                    match answer {
                        Ok(ClaimAnswer::Yours(_)) => *seen.claimed.entry(id).or_default() += 1,
                        Ok(ClaimAnswer::Refused { .. }) | Err(_) => seen.refused += 1,
                    }
                });
            }
            while claims.join_next().await.is_some() {}
        }));
    }

    let http = reqwest::Client::builder().pool_max_idle_per_host(512).build()?;
    let url = format!("{}/api/webhooks/nextgen", server.base_url());
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate as f64));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..total {
        ticker.tick().await;
        let (http, url, creds, acked) = (http.clone(), url.clone(), creds.clone(), Arc::clone(&acked));
        posts.spawn(async move {
            let sent = epoch.elapsed();
            let body = serde_json::json!({
                "lead_id": format!("route-{i}"),
                "first_name": "Routed",
                "last_name": format!("Lead {i}"),
                "phone": format!("212{:07}", 3_000_000 + i),
                "campaign_name": sent.as_nanos().to_string(),
            });
            let resp =
                http.post(&url).header("sid", &creds.sid).header("apikey", &creds.apikey).json(&body).send().await?;
            if !resp.status().is_success() {
                bail!("webhook answered {}", resp.status());
            }
            let ack: serde_json::Value = resp.json().await?;
            acked.lock().expect("acked").push(ack["leadId"].as_str().unwrap_or_default().to_owned());
            anyhow::Ok(())
        });
    }
    let mut failed = 0;
    while let Some(done) = posts.join_next().await {
        if !matches!(done, Ok(Ok(()))) {
            failed += 1;
        }
    }
    let sending = started.elapsed();
    for rep in reps {
        rep.await?;
    }

    let acked = acked.lock().expect("acked").clone();
    let mut seen = std::mem::take(&mut *seen.lock().expect("seen"));
    let never_offered = acked.iter().filter(|id| !seen.offered.contains_key(*id)).count();
    let twice = seen.offered.values().filter(|reps| reps.len() > 1).count();
    let unclaimed = acked.iter().filter(|id| !seen.claimed.contains_key(*id)).count();
    let claimed_twice = seen.claimed.values().filter(|n| **n > 1).count();
    let mut per_rep = vec![0u64; args.reps];
    seen.offered.values().flatten().for_each(|r| per_rep[*r] += 1);
    let ms = |v: &mut Vec<Duration>, q| {
        percentile(v, q).map_or("-".into(), |d| format!("{:.2} ms", d.as_secs_f64() * 1000.0))
    };
    println!();
    println!("round robin: {} leads/s for {} s to {} reps (admin away)", args.rate, args.seconds, args.reps);
    println!(
        "  sent {total} in {:.1} s ({:.0}/s achieved); acknowledged {}, failed {failed}",
        sending.as_secs_f64(),
        total as f64 / sending.as_secs_f64(),
        acked.len()
    );
    println!(
        "  lost: {never_offered} never offered, {unclaimed} never claimed; offered to two reps alone at once: {twice}; claimed twice: {claimed_twice}; refused claims: {}",
        seen.refused
    );
    println!("  offers per rep: min {} max {}", per_rep.iter().min().unwrap_or(&0), per_rep.iter().max().unwrap_or(&0));
    let n = seen.to_offer.len();
    let (p50, p99) = (ms(&mut seen.to_offer, 50), ms(&mut seen.to_offer, 99));
    println!("  webhook sent -> offered rep's event   n={n:<6} p50 {p50}  p99 {p99}");
    let n = seen.claim_trip.len();
    let (p50, p99) = (ms(&mut seen.claim_trip, 50), ms(&mut seen.claim_trip, 99));
    println!("  claim round trip                      n={n:<6} p50 {p50}  p99 {p99}");
    server.shutdown().await;
    Ok(())
}
