//! `speed-to-lead`: drives the real server over loopback with webhook POSTs at a fixed rate, to a
//! tenant with N connected engine clients (the real socket supervisor), and reports latency
//! percentiles and loss:
//! - webhook ack: POST sent → response received;
//! - webhook → engine event: POST sent → the typed event out of a client's supervisor;
//! - engine event → sound started: the alert player's play request → the decoded buffer handed to
//!   the output (on one client, at most one sound a second, as the lead feed rings).
//!
//! Sound goes to a private PulseAudio null sink unless `--real-audio`, so it runs on machines with
//! no card. That sink is paced like a real device; ALSA's `null` device (the fallback when
//! PulseAudio is not installed) is not, and its mixer thread then eats a core, which skews every
//! figure (100 clients: p99 90 ms on it against 11 ms on the paced sink).
//!
//!     cargo run --release -p crokodial-bench -- [--seconds 30] [--scenarios 200x1,200x100,2000x1]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use crokodial_client::alert::{AlertPlayer, AudioStatus, Sound};
use crokodial_client::api::ApiClient;
use crokodial_client::secrets::Sensitive;
use crokodial_client::settings::DEFAULT_VOLUME;
use crokodial_client::socket::{ConnectionState, SocketEvent, SocketHandle};
use crokodial_core::api::Role;
use crokodial_server::{Config, NewUser, Server, TenantChoice, WebhookCredentials};
use crokodial_testkit::NullSink;

#[derive(Parser)]
#[command(about = "Speed-to-lead benchmark over loopback")]
struct Args {
    /// Seconds of sending per scenario.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Scenarios as RATExCLIENTS (leads per second × connected clients), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "200x1,200x100,2000x1")]
    scenarios: Vec<String>,
    /// Play on the real default output instead of a private null sink.
    #[arg(long)]
    real_audio: bool,
    /// Skip the fault runs (a dropped client connection; a server killed and restarted).
    #[arg(long)]
    no_faults: bool,
}

/// Requests in flight at most, so a slow server shows as latency rather than as a pile-up.
const IN_FLIGHT: usize = 512;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Must happen before anything opens ALSA: its configuration is read once, from $HOME.
    let _audio = if args.real_audio { None } else { Some(private_audio()?) };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let player = AlertPlayer::start(None)?;
        if let AudioStatus::NoOutput(why) = player.status() {
            bail!("no sound output ({why})");
        }
        println!("speed-to-lead: {} cores, {} s per scenario", std::thread::available_parallelism()?, args.seconds);
        for scenario in &args.scenarios {
            let (rate, clients) = scenario
                .split_once('x')
                .and_then(|(r, c)| Some((r.parse::<u64>().ok()?, c.parse::<usize>().ok()?)))
                .with_context(|| format!("scenario {scenario:?} is not RATExCLIENTS"))?;
            run(rate, clients, Duration::from_secs(args.seconds), &player).await?;
        }
        if !args.no_faults {
            fault_run(Fault::DropClientConnection).await?;
            fault_run(Fault::RestartServer).await?;
        }
        Ok(())
    })
}

/// A private audio home: a PulseAudio null sink (real-time paced) if PulseAudio is installed, else
/// ALSA's unpaced `null` device. Points HOME (and XDG_RUNTIME_DIR) at it: ALSA reads its
/// configuration once, from $HOME, so this must happen before anything opens audio.
fn private_audio() -> anyhow::Result<(tempfile::TempDir, Option<NullSink>)> {
    let home = tempfile::tempdir()?;
    std::env::set_var("HOME", home.path());
    std::env::set_var("XDG_RUNTIME_DIR", home.path().join("run"));
    match NullSink::start(home.path()) {
        Ok(sink) => {
            println!("audio: a private PulseAudio null sink (paced like a real device)");
            Ok((home, Some(sink)))
        }
        Err(e) => {
            std::fs::write(home.path().join(".asoundrc"), "pcm.!default { type plug slave.pcm \"null\" }\n")?;
            println!("audio: ALSA's null device, which spins a core ({e:#}; install pulseaudio for a paced sink)");
            Ok((home, None))
        }
    }
}

#[derive(Default)]
struct Samples(Mutex<Vec<Duration>>);

impl Samples {
    fn push(&self, d: Duration) {
        self.0.lock().expect("samples").push(d);
    }

    fn report(&self, what: &str) {
        let mut v = self.0.lock().expect("samples").clone();
        if v.is_empty() {
            println!("  {what:<34} no samples");
            return;
        }
        let [p50, p95, p99, max] =
            [50, 95, 99, 100].map(|q| crokodial_core::percentile(&mut v, q).expect("not empty").as_secs_f64() * 1000.0);
        println!(
            "  {what:<34} n={:<7} p50 {p50:>7.3} ms  p95 {p95:>7.3} ms  p99 {p99:>7.3} ms  max {max:>8.3} ms",
            v.len(),
        );
    }
}

async fn run(rate: u64, clients: usize, length: Duration, player: &AlertPlayer) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Server::start(Config::for_tests(dir.path().join("bench.db"))).await?;
    let (creds, token) = tenant(&server).await?;
    let api = ApiClient::new(&server.base_url())?;

    // Every client connects and goes live before the first lead.
    let epoch = Instant::now();
    let total = rate * length.as_secs();
    let to_engine = Arc::new(Samples::default());
    let to_sound = Arc::new(Samples::default());
    let mut receivers = Vec::new();
    for i in 0..clients {
        let mut socket = SocketHandle::spawn(&api.clone().with_token(token.clone()))?;
        let mut state = socket.state();
        tokio::time::timeout(Duration::from_secs(30), state.wait_for(|s| *s == ConnectionState::Live))
            .await
            .context("a client did not go live")??;
        let (to_engine, to_sound) = (to_engine.clone(), to_sound.clone());
        let player = (i == 0).then(|| player.clone());
        receivers.push(tokio::spawn(async move {
            let mut seen = HashSet::new();
            let mut duplicates = 0u64;
            let mut last_sound: Option<Instant> = None;
            while (seen.len() as u64) < total {
                let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(10), socket.next_event()).await else {
                    break;
                };
                // Only the lead's first event; its enrichment follows as an update.
                let SocketEvent::NewLead(lead) = event else { continue };
                if !lead.is_new {
                    continue;
                }
                let arrived = epoch.elapsed();
                let sent = lead.lead.as_ref().and_then(|l| l.campaign_name.as_deref()).and_then(|s| s.parse().ok());
                if let Some(sent_ns) = sent {
                    to_engine.push(arrived.saturating_sub(Duration::from_nanos(sent_ns)));
                }
                if !seen.insert(lead.lead_id.clone().unwrap_or_default()) {
                    duplicates += 1;
                }
                if let Some(player) = &player {
                    if lead.is_new_lead() && last_sound.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                        last_sound = Some(Instant::now());
                        let mut playback = player.play(Sound::default(), DEFAULT_VOLUME);
                        if let Some(d) = playback.started_after().await {
                            to_sound.push(d);
                        }
                    }
                }
            }
            (seen.len() as u64, duplicates)
        }));
    }

    let acks = Arc::new(Samples::default());
    let errors = Arc::new(Mutex::new(0u64));
    let http = reqwest::Client::builder().pool_max_idle_per_host(IN_FLIGHT).build()?;
    let url = format!("{}/api/webhooks/nextgen", server.base_url());
    let gate = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..total {
        ticker.tick().await;
        let permit = gate.clone().acquire_owned().await?;
        let (http, url, acks, errors, creds) = (http.clone(), url.clone(), acks.clone(), errors.clone(), creds.clone());
        posts.spawn(async move {
            let _permit = permit;
            post(&http, &url, &creds, i, epoch, &acks).await.unwrap_or_else(|_| *errors.lock().expect("errors") += 1);
        });
    }
    while posts.join_next().await.is_some() {}
    let sending = started.elapsed();

    let mut received = Vec::new();
    for r in receivers {
        received.push(r.await?);
    }
    let errors = *errors.lock().expect("errors");
    let complete = received.iter().filter(|(n, _)| *n == total).count();
    let duplicates: u64 = received.iter().map(|(_, d)| d).sum();
    let least = received.iter().map(|(n, _)| *n).min().unwrap_or(0);

    println!();
    println!("scenario: {rate} leads/s for {} s to a tenant with {clients} connected client(s)", length.as_secs());
    println!(
        "  sent {total} in {:.1} s ({:.0}/s achieved), acknowledged {}, failed {errors}",
        sending.as_secs_f64(),
        total as f64 / sending.as_secs_f64(),
        total - errors
    );
    println!(
        "  received all {total}: {complete} of {clients} clients; fewest received {least}; lost {}; duplicates {duplicates}",
        total - least
    );
    acks.report("webhook ack");
    to_engine.report("webhook sent -> engine event");
    to_sound.report("engine event -> sound started");
    server.shutdown().await;
    Ok(())
}

/// An admin with a tenant of their own: its webhook credentials and a session token.
async fn tenant(server: &Server) -> anyhow::Result<(WebhookCredentials, Sensitive<String>)> {
    let password = "bench-password";
    let user = server
        .create_user(NewUser {
            email: "bench@agency.test".into(),
            name: "Bench".into(),
            role: Role::Admin,
            password: password.into(),
            tenant: TenantChoice::Own,
        })
        .await?;
    let creds = server.webhook_credentials(&server.tenant_of(&user.id).await?).await?;
    let token = ApiClient::new(&server.base_url())?.login(&user.email, password).await?.token;
    Ok((creds, Sensitive(token)))
}

/// Posts lead `i`; its send instant (ns since `epoch`) rides in `campaign_name`, so a client can
/// measure its latency from the event alone.
async fn post(
    http: &reqwest::Client,
    url: &str,
    creds: &WebhookCredentials,
    i: u64,
    epoch: Instant,
    acks: &Samples,
) -> anyhow::Result<()> {
    let sent = epoch.elapsed();
    let body = serde_json::json!({
        "lead_id": format!("bench-{i}"),
        "first_name": "Bench",
        "last_name": format!("Lead {i}"),
        "phone": format!("212{:07}", 2_000_000 + i),
        "state": "NY",
        "campaign_name": sent.as_nanos().to_string(),
    });
    let resp = http.post(url).header("sid", &creds.sid).header("apikey", &creds.apikey).json(&body).send().await?;
    if !resp.status().is_success() {
        bail!("webhook answered {}", resp.status());
    }
    acks.push(epoch.elapsed() - sent);
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    DropClientConnection,
    RestartServer,
}

/// Leads at 200/s for 10 s; from 3 s to 5 s the fault is in force. Every acknowledged lead must
/// reach the client exactly once after it recovers.
async fn fault_run(fault: Fault) -> anyhow::Result<()> {
    const RATE: u64 = 200;
    const TOTAL: u64 = RATE * 10;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("fault.db");
    let config = Config::for_tests(db.clone());
    let secret = config.jwt_secret.clone();
    let server = Server::start(config).await?;
    let addr = server.addr();
    let (creds, token) = tenant(&server).await?;
    let proxy = crokodial_testkit::CutProxy::start(addr).await?;
    let api = ApiClient::new(&proxy.url())?;
    let mut socket = SocketHandle::spawn(&api.clone().with_token(token))?;
    let mut state = socket.state();
    state.wait_for(|s| *s == ConnectionState::Live).await?;

    let epoch = Instant::now();
    // When the client goes live, each time.
    let lives = Arc::new(Mutex::new(Vec::new()));
    let lives2 = lives.clone();
    tokio::spawn(async move {
        while state.changed().await.is_ok() {
            if *state.borrow_and_update() == ConnectionState::Live {
                lives2.lock().expect("lives").push(epoch.elapsed());
            }
        }
    });
    let receiver = tokio::spawn(async move {
        let mut seen = HashSet::new();
        let (mut duplicates, mut last_arrival) = (0u64, Duration::ZERO);
        while (seen.len() as u64) < TOTAL {
            let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(15), socket.next_event()).await else {
                break;
            };
            if let SocketEvent::NewLead(lead) = event {
                if !lead.is_new {
                    continue; // an enrichment update
                }
                if !seen.insert(lead.lead_id.unwrap_or_default()) {
                    duplicates += 1;
                }
                last_arrival = epoch.elapsed();
            }
        }
        (seen.len() as u64, duplicates, last_arrival)
    });

    let http = reqwest::Client::new();
    let url = format!("{}/api/webhooks/nextgen", server.base_url());
    let acks = Samples::default();
    // The fault, on its own schedule: in force from 3 s to 5 s.
    let proxy = Arc::new(proxy);
    let chaos = tokio::spawn({
        let proxy = proxy.clone();
        async move {
            tokio::time::sleep_until((epoch + Duration::from_secs(3)).into()).await;
            let fault_at = epoch.elapsed();
            let mut server = Some(server);
            match fault {
                Fault::DropClientConnection => proxy.cut(),
                Fault::RestartServer => server.take().expect("running").shutdown().await,
            }
            tokio::time::sleep_until((epoch + Duration::from_secs(5)).into()).await;
            if server.is_none() {
                let mut config = Config::for_tests(db);
                (config.listen, config.jwt_secret) = (addr, secret);
                server = Some(Server::start(config).await?);
            }
            proxy.restore();
            anyhow::Ok((fault_at, epoch.elapsed(), server.expect("running again")))
        }
    });
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / RATE as f64));
    for i in 0..TOTAL {
        ticker.tick().await;
        // A vendor retries until the lead is accepted (the server may be down).
        loop {
            match post(&http, &url, &creds, i, epoch, &acks).await {
                Ok(()) => break,
                Err(_) if epoch.elapsed() < Duration::from_secs(60) => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
                Err(e) => return Err(e),
            }
        }
    }
    let (fault_at, healed_at, server) = chaos.await??;
    let (received, duplicates, last_arrival) = receiver.await?;
    let live_again = lives.lock().expect("lives").iter().copied().find(|t| *t >= healed_at);

    println!();
    println!("fault run: {fault:?} from 3 s to 5 s, {RATE} leads/s for 10 s, 1 client");
    println!(
        "  sent and acknowledged {TOTAL}; received {received} (lost {}), duplicates {duplicates}",
        TOTAL - received
    );
    if let Some(live) = live_again {
        println!(
            "  fault at {:.2} s, healed at {:.2} s; client live again {:.0} ms after healing; last lead arrived at {:.2} s",
            fault_at.as_secs_f64(),
            healed_at.as_secs_f64(),
            live.saturating_sub(healed_at).as_secs_f64() * 1000.0,
            last_arrival.as_secs_f64()
        );
    }
    server.shutdown().await;
    Ok(())
}
