//! `crokodial`: the command line over the Crokodial engine, for admins, scripts and headless machines.

mod output;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use crokodial_client::alert::{self, AlertPlayer, AudioStatus, PlayOutcome, Sound};
use crokodial_client::cache::{CacheQuery, EditState, ImportState, LeadCache, QueuedImport};
use crokodial_client::feed::{Change, FeedEvent, LeadFeed};
use crokodial_client::home::Home;
use crokodial_client::import::{self, MappingChoice};
use crokodial_client::secrets::OsKeychain;
use crokodial_client::session::{Profile, Session};
use crokodial_client::settings::{volume_from_percent, Hush, QuietHours, Settings, MUTE_MINUTES};
use crokodial_client::socket::ConnectionState;
use crokodial_client::sync::{self, SyncMode};
use crokodial_client::textdrip::{self, Texting};
use crokodial_core::edit::{EditField, LeadEdit};
use crokodial_core::LeadSource;

#[derive(Parser)]
#[command(
    name = "crokodial",
    version,
    about = "Crokodial on the command line: log in, list and work leads (offline too), watch for new ones, set alerts"
)]
struct Cli {
    /// Profile directory (default: $CROKODIAL_HOME, else the OS data directory).
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Log in; the session token is kept in the OS keychain. The password is read from standard input.
    Login {
        #[arg(long, env = "CROKODIAL_SERVER", value_name = "URL")]
        server: String,
        #[arg(long)]
        email: String,
    },
    /// Forget the session (keychain entry and profile).
    Logout,
    /// List leads, newest first, from the local cache (synced first unless --offline).
    Leads {
        /// Name, email or city words, or phone digits.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
        /// One JSON object per lead.
        #[arg(long)]
        json: bool,
        /// Never touch the network: answer from the cache as it is.
        #[arg(long)]
        offline: bool,
    },
    /// Bring the local lead cache up to date with the server.
    Sync {
        /// From the deployed server: read the whole book now (changes made elsewhere to older
        /// leads, deletions), not only the new leads. A sync does so by itself once the last full
        /// read is 15 minutes old.
        #[arg(long)]
        full: bool,
    },
    /// One lead, whole, from the cache.
    Lead {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Set a lead's disposition. Kept locally at once and sent to the server (later, if offline).
    Dispose {
        id: String,
        /// E.g. "Quoted" (see the tenant's list in the app); free text is allowed, as on the server.
        disposition: String,
        /// Only queue it; do not try the server now.
        #[arg(long)]
        offline: bool,
    },
    /// Replace a lead's notes ("" clears them). Kept locally at once and sent to the server.
    Note {
        id: String,
        text: String,
        #[arg(long)]
        offline: bool,
    },
    /// Your edits, oldest first, with their sync state (pending, synced, conflict, failed).
    Outbox {
        #[arg(long)]
        json: bool,
    },
    /// Import a vendor's lead file: the vendor and mapping found, how many rows are leads,
    /// repeat an earlier row, or cannot be imported and why; then what the server did.
    Import {
        file: PathBuf,
        /// Check only; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Queue the import without sending it; the next `crokodial sync` sends it.
        #[arg(long, conflicts_with = "dry_run")]
        offline: bool,
        /// A mapping saved under this name (else one saved for these headers, else the one found).
        #[arg(long)]
        mapping: Option<String>,
        /// Write the rows that cannot be imported, with their reasons, to this CSV file.
        #[arg(long, value_name = "FILE")]
        errors: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Print each new lead as it arrives and play the alert.
    Watch {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// Exit after this many leads (once their alerts have played).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
    /// Show or change how new leads alert on this machine.
    Alerts {
        #[command(subcommand)]
        action: Option<AlertsAction>,
    },
    /// Your own Textdrip account: connect it, text a lead, add a lead to a campaign.
    Textdrip {
        #[command(subcommand)]
        action: TextdripAction,
    },
    /// The NextGen webhook (admins): where NextGen posts leads, and the credentials it sends.
    Nextgen {
        #[command(subcommand)]
        action: NextgenAction,
    },
}

#[derive(Subcommand)]
enum NextgenAction {
    /// The webhook URL and the sid and apikey to paste into NextGen's portal.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// New credentials: the old ones stop working at once, so NextGen's leads fail until the new
    /// ones are in its portal. Asks first unless --yes.
    Rotate {
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TextdripAction {
    /// Connect: the API token is read from standard input, checked with Textdrip, and kept in the
    /// OS keychain (never in a file).
    Connect,
    /// Whether Textdrip is connected and accepts the kept token.
    Status,
    /// Forget the token (the keychain entry).
    Disconnect,
    /// Your Textdrip campaigns.
    Campaigns,
    /// Text a lead from the cache. The message may use {first_name}, {last_name}, {full_name},
    /// {state}, {city}, {zip} and {agent_name}.
    Send {
        #[arg(long)]
        lead: String,
        #[arg(long)]
        message: String,
        /// The sender number (else the one in the lead's state, else your primary).
        #[arg(long, value_name = "PHONE")]
        from: Option<String>,
        /// Send even outside the lead's texting hours (8 AM to 9 PM, their time).
        #[arg(long)]
        at_any_hour: bool,
    },
    /// Add a lead from the cache to a campaign (by id or title), making them a contact first.
    Campaign {
        #[arg(long)]
        lead: String,
        #[arg(long)]
        campaign: String,
    },
}

#[derive(Subcommand)]
enum AlertsAction {
    /// Play the chosen sound now, at the chosen volume and output.
    Test,
    /// Change the alert settings; options not given are kept.
    Set {
        /// chime, bell or triple.
        #[arg(long, value_parser = parse_sound)]
        sound: Option<Sound>,
        /// 0 to 100.
        #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
        volume: Option<u8>,
        /// An output device name (see `crokodial alerts devices`), or "default".
        #[arg(long)]
        device: Option<String>,
        /// No sound in these hours, e.g. 21:00-08:00, or "off".
        #[arg(long, value_name = "HH:MM-HH:MM", value_parser = parse_quiet)]
        quiet_hours: Option<Quiet>,
        /// Sources that alert, e.g. NextGen,Marketplace ("CSV Import" is off by default).
        #[arg(long, value_delimiter = ',', value_parser = parse_source)]
        sources: Option<Vec<LeadSource>>,
    },
    /// No alert sound for a while (default 60 minutes); leads are still shown.
    Mute {
        #[arg(long, default_value_t = MUTE_MINUTES)]
        minutes: u32,
    },
    Unmute,
    /// List the sound outputs.
    Devices,
}

fn parse_sound(s: &str) -> Result<Sound, String> {
    Sound::parse(s).ok_or_else(|| format!("no sound {s:?}; choose chime, bell or triple"))
}

/// Quiet hours, or none ("off").
#[derive(Clone)]
struct Quiet(Option<QuietHours>);

fn parse_quiet(s: &str) -> Result<Quiet, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(Quiet(None));
    }
    QuietHours::parse(s).map(|q| Quiet(Some(q))).ok_or_else(|| format!("{s:?} is not HH:MM-HH:MM"))
}

fn parse_source(s: &str) -> Result<LeadSource, String> {
    LeadSource::parse(s.trim()).ok_or_else(|| {
        let all: Vec<_> = LeadSource::ALL.iter().map(|s| s.as_str()).collect();
        format!("no source {s:?}; choose from {}", all.join(", "))
    })
}

// Why mimalloc: ARCHITECTURE.md, Decisions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("CROKODIAL_LOG").unwrap_or_else(|_| "warn".into()))
        // Redacted as the app's log is; no colour codes between a field's name and value.
        .with_ansi(false)
        .with_writer(|| crokodial_client::logs::Redacting::new(std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crokodial: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let home = Home::resolve(cli.home);
    let keychain = OsKeychain::default();
    match cli.command {
        Command::Login { server, email } => {
            let password = read_password()?;
            let session = Session::login(&home, &keychain, &server, &email, &password).await?;
            let user = session.user();
            eprintln!("Logged in to {} as {} ({})", session.profile.server_url, user.email, user.role.as_str());
        }
        Command::Logout => {
            Session::logout(&home, &keychain)?;
            eprintln!("Logged out");
        }
        Command::Leads { search, limit, json, offline } => {
            let cache = tokio::sync::Mutex::new(open_cache(&home)?);
            if !offline {
                let session = restore(&home, &keychain)?;
                if let Err(e) = sync::sync(session.api(), &cache).await {
                    eprintln!("offline ({e}): showing the cached leads");
                }
            }
            let cache = cache.into_inner();
            let (leads, total) = cache.page(&CacheQuery { search, limit, ..CacheQuery::default() })?;
            let mut out = std::io::stdout().lock();
            for lead in &leads {
                if json {
                    writeln!(out, "{}", serde_json::to_string(lead)?)?;
                } else {
                    writeln!(out, "{}", output::lead_line(lead))?;
                }
            }
            if !json {
                let synced = sync::last_synced(&cache)?.map_or("never synced".into(), |t| {
                    format!("synced {}", t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M"))
                });
                eprintln!("{} of {total} leads ({synced})", leads.len());
            }
        }
        Command::Sync { full } => {
            let session = restore(&home, &keychain)?;
            let cache = tokio::sync::Mutex::new(open_cache(&home)?);
            if full {
                sync::want_full_sync(&*cache.lock().await)?;
            }
            let report = sync::sync(session.api(), &cache).await?;
            let how = match report.mode {
                SyncMode::Changes => "changes",
                SyncMode::Pages { full: true } => "every page",
                SyncMode::Pages { full: false } => "new pages",
            };
            let p = report.pushed;
            if p != sync::PushReport::default() {
                eprintln!(
                    "sent {} edits; {} conflicts, {} refused, {} kept for the next sync (see `crokodial outbox`)",
                    p.synced, p.conflicts, p.failed, p.held
                );
            }
            let t = &report.tolerance;
            if !t.is_empty() {
                eprintln!(
                    "{} values a field could not hold were kept as sent; {} records that are not leads were left out",
                    t.set_aside.len(),
                    t.refused.len()
                );
            }
            eprintln!(
                "synced {} leads ({how}) in {} ms; {} in the cache",
                report.fetched,
                report.took.as_millis(),
                report.cached
            );
        }
        Command::Dispose { id, disposition, offline } => {
            edit(&home, &keychain, &id, LeadEdit::from([(EditField::Disposition, disposition)]), offline).await?
        }
        Command::Note { id, text, offline } => {
            edit(&home, &keychain, &id, LeadEdit::from([(EditField::Notes, text)]), offline).await?
        }
        Command::Import { file, dry_run, offline, mapping, errors, json } => {
            let choice = mapping.map_or(MappingChoice::Automatic, MappingChoice::Named);
            if dry_run {
                // New against updates, when this computer has the account's book.
                let known = match Profile::read(&home)? {
                    Some(_) => Some(import::KnownContacts::from_cache(&open_cache(&home)?)?),
                    None => None,
                };
                let checked = import::check(&home, &file, &choice, errors.as_deref(), known.as_ref())?;
                if json {
                    println!("{}", serde_json::to_string(&checked)?);
                } else {
                    print!("{}", output::checked(&checked, errors.as_deref()));
                }
            } else {
                import_file(&home, &keychain, file, choice, errors, offline, json).await?;
            }
        }
        Command::Outbox { json } => {
            let cache = open_cache(&home)?;
            let mut out = std::io::stdout().lock();
            for q in cache.outbox()? {
                if json {
                    let line = serde_json::json!({
                        "key": q.key, "leadId": q.lead_id, "fields": q.fields, "base": q.base,
                        "madeAt": q.made_at, "state": q.state, "detail": q.detail, "doneAt": q.done_at,
                    });
                    writeln!(out, "{line}")?;
                } else {
                    writeln!(out, "{}", output::edit_line(&q))?;
                }
            }
        }
        Command::Lead { id, json } => {
            let cache = open_cache(&home)?;
            let lead =
                cache.get(&id)?.with_context(|| format!("no lead {id:?} in the cache (run `crokodial sync`)"))?;
            if json {
                println!("{}", serde_json::to_string(&lead)?);
            } else {
                print!("{}", output::lead_detail(&lead));
            }
        }
        Command::Watch { json, count } => watch(&home, &keychain, json, count).await?,
        Command::Alerts { action } => alerts(&home, action).await?,
        Command::Textdrip { action } => textdrip(&home, &keychain, action).await?,
        Command::Nextgen { action } => nextgen(&home, &keychain, action).await?,
    }
    Ok(())
}

async fn nextgen(home: &Home, keychain: &OsKeychain, action: NextgenAction) -> anyhow::Result<()> {
    let session = restore(home, keychain)?;
    let api = session.api();
    let url = api.nextgen_integration().await?.webhook_url;
    let (creds, json) = match action {
        NextgenAction::Show { json } => (api.nextgen_credentials().await?, json),
        NextgenAction::Rotate { yes, json } => {
            if !yes {
                if !std::io::stdin().is_terminal() {
                    bail!("rotating stops the current credentials at once: confirm with --yes");
                }
                eprint!("The current sid and apikey stop working at once; NextGen's leads fail until the new ones are in its portal. Rotate? [y/N] ");
                let mut answer = String::new();
                std::io::stdin().lock().read_line(&mut answer)?;
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    bail!("not rotated");
                }
            }
            let creds = api.rotate_nextgen().await?;
            eprintln!("Rotated: paste the new sid and apikey into NextGen's portal now.");
            (creds, json)
        }
    };
    if json {
        println!("{}", serde_json::json!({"webhookUrl": url, "sid": creds.sid, "apikey": creds.apikey}));
    } else {
        println!("webhook URL: {url}\nsid:         {}\napikey:      {}", creds.sid, creds.apikey);
    }
    Ok(())
}

async fn textdrip(home: &Home, keychain: &OsKeychain, action: TextdripAction) -> anyhow::Result<()> {
    let session = restore(home, keychain)?;
    let cached_lead = |id: &str| -> anyhow::Result<crokodial_core::Lead> {
        open_cache(home)?.get(id)?.with_context(|| format!("no lead {id:?} in the cache (run `crokodial sync`)"))
    };
    match action {
        TextdripAction::Connect => {
            let token = read_secret("Textdrip API token: ")?;
            Texting::connect(keychain, &session, &token).await?;
            eprintln!("Textdrip connected; the token is kept in the OS keychain");
        }
        TextdripAction::Status => match Texting::status(keychain, &session).await {
            textdrip::Status::Connected => println!("Textdrip: connected"),
            textdrip::Status::NotConnected => bail!("Textdrip: not connected (`crokodial textdrip connect`)"),
            textdrip::Status::Invalid => {
                bail!("Textdrip: the kept token was refused; connect again with a new one")
            }
            textdrip::Status::KeychainUnavailable(why) => bail!("Textdrip: {why}"),
        },
        TextdripAction::Disconnect => {
            Texting::disconnect(keychain, &session).await?;
            eprintln!("Textdrip disconnected; the token is gone from the keychain");
        }
        TextdripAction::Campaigns => {
            for c in Texting::open(keychain, &session)?.campaigns().await? {
                println!("{}\t{}", c.id, output::safe(&c.title));
            }
        }
        TextdripAction::Send { lead, message, from, at_any_hour } => {
            let lead = cached_lead(&lead)?;
            let texting = Texting::open(keychain, &session)?;
            let agent = session.user().name.clone();
            let sent = texting.send(&lead, &message, &agent, from.as_deref(), at_any_hour, chrono::Utc::now()).await?;
            eprintln!("Sent to {}{}", sent.to, sent.sender.map(|s| format!(" from {s}")).unwrap_or_default());
        }
        TextdripAction::Campaign { lead, campaign } => {
            let lead = cached_lead(&lead)?;
            let texting = Texting::open(keychain, &session)?;
            let campaigns = texting.campaigns().await?;
            let found = campaigns
                .iter()
                .find(|c| c.id == campaign || c.title.eq_ignore_ascii_case(campaign.trim()))
                .with_context(|| format!("no campaign {campaign:?} (see `crokodial textdrip campaigns`)"))?;
            texting.add_to_campaign(&lead, &found.id).await?;
            eprintln!("Added {} to {}", output::safe(&lead.name), output::safe(&found.title));
        }
    }
    Ok(())
}

async fn alerts(home: &Home, action: Option<AlertsAction>) -> anyhow::Result<()> {
    let mut settings = Settings::load(home);
    let a = &mut settings.alerts;
    match action {
        None => {}
        Some(AlertsAction::Test) => {
            let player = AlertPlayer::start(a.device.clone())?;
            match player.status() {
                AudioStatus::NoOutput(why) => bail!("no sound output: {why}"),
                AudioStatus::OnDefault(why) => eprintln!("{why}"),
                AudioStatus::Ready => {}
            }
            let outcome = player.play(a.sound, a.volume).finished().await;
            match outcome {
                PlayOutcome::Played => println!("played {} at {}%", a.sound.name(), a.volume_percent()),
                PlayOutcome::Silent(why) => bail!("no sound: {why}"),
            }
            return Ok(());
        }
        Some(AlertsAction::Devices) => {
            for name in alert::output_devices() {
                println!("{}", output::safe(&name));
            }
            return Ok(());
        }
        Some(AlertsAction::Set { sound, volume, device, quiet_hours, sources }) => {
            if let Some(v) = sound {
                a.sound = v;
            }
            if let Some(v) = volume {
                a.volume = volume_from_percent(v);
            }
            if let Some(v) = device {
                a.device = (!v.eq_ignore_ascii_case("default")).then_some(v);
            }
            if let Some(Quiet(v)) = quiet_hours {
                a.quiet_hours = v;
            }
            if let Some(v) = sources {
                a.sources = v.into_iter().collect();
            }
            settings.save(home)?;
        }
        Some(AlertsAction::Mute { minutes }) => {
            a.mute_for(minutes, chrono::Utc::now());
            settings.save(home)?;
        }
        Some(AlertsAction::Unmute) => {
            a.muted_until = None;
            settings.save(home)?;
        }
    }
    print!("{}", output::alert_settings(&settings.alerts, chrono::Utc::now()));
    Ok(())
}

/// Queues an edit of a cached lead, then (unless `offline`) sends the outbox.
async fn edit(home: &Home, keychain: &OsKeychain, id: &str, fields: LeadEdit, offline: bool) -> anyhow::Result<()> {
    let cache = tokio::sync::Mutex::new(open_cache(home)?);
    let queued = cache.lock().await.queue_edit(id, fields)?;
    if !offline {
        let session = restore(home, keychain)?;
        if let Err(e) = sync::push(session.api(), &cache).await {
            eprintln!("offline ({e}): kept, and sent at the next sync");
        }
    }
    let cache = cache.into_inner();
    let now = cache.history(id)?.into_iter().find(|q| q.op == queued.op).context("the edit vanished")?;
    println!("{}", output::edit_line(&now));
    if now.state == EditState::Conflict || now.state == EditState::Failed {
        bail!("not applied: {}", now.detail.unwrap_or_default());
    }
    Ok(())
}

/// The cache of the account last logged in here.
/// Reads a lead file into the cache's import queue, then sends it (unless `offline`); an
/// import that cannot be sent now stays queued for the next sync.
async fn import_file(
    home: &Home,
    keychain: &OsKeychain,
    file: PathBuf,
    choice: MappingChoice,
    errors: Option<PathBuf>,
    offline: bool,
    json: bool,
) -> anyhow::Result<()> {
    let cache = Arc::new(tokio::sync::Mutex::new(open_cache(home)?));
    let show_progress = !json && std::io::stderr().is_terminal();
    let staged = {
        let (home, cache) = (home.clone(), cache.clone());
        tokio::task::spawn_blocking(move || {
            let cancel = AtomicBool::new(false);
            let mut progress = |p: import::Progress| {
                if show_progress {
                    eprint!("\rreading: {} of about {} rows ", p.done, p.total);
                }
            };
            import::stage(&home, &cache, &file, &choice, import::Control { cancel: &cancel, progress: &mut progress })
        })
        .await??
    };
    if show_progress {
        eprintln!();
    }
    if let (Some(from), Some(to)) = (&staged.error_file, &errors) {
        std::fs::copy(from, to).with_context(|| format!("cannot write {}", to.display()))?;
    }
    let mut sending = None;
    if !offline && staged.checked.tally.leads > 0 {
        let session = restore(home, keychain)?;
        let mut progress = |q: &QueuedImport| {
            if show_progress {
                eprint!("\rsending: {} of {} leads ", q.sent, q.leads);
            }
        };
        sending = sync::send_imports(session.api(), &cache, None, &mut progress).await.err();
        if show_progress {
            eprintln!();
        }
    }
    let now = cache.lock().await.import(&staged.id)?.context("the import vanished from the queue")?;
    if json {
        println!("{}", serde_json::json!({ "checked": staged.checked, "import": now, "errorFile": staged.error_file }));
    } else {
        print!("{}", output::checked(&staged.checked, errors.as_deref().or(staged.error_file.as_deref())));
        println!("{}", output::import_line(&now));
    }
    if let Some(e) = sending {
        eprintln!("offline ({e}): kept, and sent at the next sync");
    }
    if now.state == ImportState::Failed {
        bail!("the server refused the import: {}", now.detail.unwrap_or_default());
    }
    Ok(())
}

fn open_cache(home: &Home) -> anyhow::Result<LeadCache> {
    let profile = Profile::read(home)?.context("not logged in: run `crokodial login --server URL --email E` first")?;
    Ok(LeadCache::open(home, &profile.server_url, &profile.user.id)?)
}

fn restore(home: &Home, keychain: &OsKeychain) -> anyhow::Result<Session> {
    Session::restore(home, keychain)?.context("not logged in: run `crokodial login --server URL --email E` first")
}

fn read_password() -> anyhow::Result<String> {
    read_secret("Password: ")
}

/// One line of standard input, not echoed on a terminal.
fn read_secret(prompt: &str) -> anyhow::Result<String> {
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if secret.is_empty() {
        bail!("nothing given on standard input");
    }
    Ok(secret)
}

async fn watch(home: &Home, keychain: &OsKeychain, json: bool, count: Option<u64>) -> anyhow::Result<()> {
    let session = restore(home, keychain)?;
    let settings = Settings::load(home).alerts;
    let player = AlertPlayer::start(settings.device.clone())?;
    match player.status() {
        AudioStatus::NoOutput(why) => eprintln!("no sound output ({why}): alerts will be silent"),
        AudioStatus::OnDefault(why) => eprintln!("{why}"),
        AudioStatus::Ready => {}
    }
    // The settings are read once; `crokodial alerts` changes apply to the next `watch`.
    let (_settings, settings) = tokio::sync::watch::channel(settings);
    // New leads go to the local cache too, so `crokodial leads --offline` has them.
    let cache = std::sync::Arc::new(tokio::sync::Mutex::new(open_cache(home)?));
    let mut feed = LeadFeed::start(session.api(), player, settings)?.with_cache(cache);

    let mut state = feed.state();
    tokio::spawn(async move {
        loop {
            let line = output::state_line(&state.borrow_and_update());
            eprintln!("{line}");
            if state.changed().await.is_err() {
                return;
            }
        }
    });

    let mut alerts = tokio::task::JoinSet::new();
    let mut seen = 0u64;
    while count.is_none_or(|n| seen < n) {
        let Some(event) = feed.next().await else {
            if let ConnectionState::AuthFailed { reason } = &*feed.state().borrow() {
                bail!("the server refused the session ({reason}); log in again");
            }
            bail!("the connection supervisor stopped");
        };
        let event = match event {
            FeedEvent::Lead(event) => event,
            FeedEvent::Changed(change) => {
                match (json, change) {
                    (true, Change::Notes { lead_id }) => {
                        println!("{}", serde_json::json!({"type": "notes", "leadId": lead_id}))
                    }
                    (true, Change::Uploaded { leads }) => {
                        println!("{}", serde_json::json!({"type": "upload", "leads": leads}))
                    }
                    (false, Change::Notes { lead_id }) => println!("NOTES {}", output::safe(&lead_id)),
                    (false, Change::Uploaded { leads }) => println!("UPLOAD {leads} leads added elsewhere"),
                }
                continue;
            }
        };
        seen += 1;
        let lead_id = event.lead.lead_id.clone();
        if json {
            let hush = event.hush.map(|h| match h {
                Hush::Muted { .. } => "muted",
                Hush::QuietHours => "quiet hours",
            });
            let line = serde_json::json!({"type": "lead", "lead": &event.lead, "announce": event.announce, "alert": event.alert.is_some(), "hush": hush});
            println!("{line}");
        } else {
            println!("{}", output::notification_line(&event.lead));
        }
        if let Some(playback) = event.alert {
            alerts.spawn(async move {
                let outcome = playback.finished().await;
                if json {
                    let outcome = match outcome {
                        PlayOutcome::Played => "played".to_owned(),
                        PlayOutcome::Silent(why) => format!("silent: {why}"),
                    };
                    println!("{}", serde_json::json!({"type": "alert", "leadId": lead_id, "outcome": outcome}));
                }
            });
        }
    }
    while alerts.join_next().await.is_some() {}
    Ok(())
}
