//! `crokodial`: the command line over the Crokodial engine, for admins, scripts and headless machines.

mod output;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use crokodial_client::account::{Account, AccountEvent, When};
use crokodial_client::alert::{self, AlertPlayer, AudioStatus, PlayOutcome, Sound};
use crokodial_client::api::ClaimAnswer;
use crokodial_client::cache::{CacheQuery, CallState, EditState, SortBy};
use crokodial_client::error::ClientError;
use crokodial_client::home::Home;
use crokodial_client::import::{self, MappingChoice};
use crokodial_client::secrets::{OsKeychain, SecretStore};
use crokodial_client::session::{Profile, Session};
use crokodial_client::settings::{volume_from_percent, QuietHours, SettingsStore, MUTE_MINUTES};
use crokodial_client::socket::ConnectionState;
use crokodial_client::textdrip;
use crokodial_core::calls::Outcome;
use crokodial_core::edit::{EditField, LeadEdit};
use crokodial_core::followups::Preset;
use crokodial_core::phone::format_us;
use crokodial_core::routing::{RoutingMode, RoutingUpdate, RoutingView};
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
        #[command(flatten)]
        filters: ListFilters,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
        /// One JSON object per lead.
        #[arg(long)]
        json: bool,
        /// Never touch the network: answer from the cache as it is.
        #[arg(long)]
        offline: bool,
    },
    /// Write the leads the filters choose to a CSV file for a spreadsheet (from the cache; cells
    /// that a spreadsheet would run as formulas are neutralised).
    Export {
        #[command(flatten)]
        filters: ListFilters,
        file: PathBuf,
        /// Never touch the network: export the cache as it is.
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
    /// Record a call to a lead and how it went. Kept locally at once and sent to the server
    /// (later, if offline); the deployed server keeps only the count of dials.
    Call {
        id: String,
        /// no-answer, voicemail, talked, wrong-number, bad-number or dnc.
        #[arg(long, value_parser = parse_outcome)]
        outcome: Outcome,
        #[arg(long)]
        note: Option<String>,
        /// Only keep it; do not try the server now.
        #[arg(long)]
        offline: bool,
        #[arg(long)]
        json: bool,
    },
    /// Schedule a callback on a lead: in a while, at a time, or a preset in the lead's own time.
    Callback {
        id: String,
        /// How long from now: 2h, 90m, 1d.
        #[arg(long = "in", value_parser = parse_span, conflicts_with_all = ["at", "preset"])]
        within: Option<chrono::Duration>,
        /// "YYYY-MM-DD HH:MM", this computer's time.
        #[arg(long, value_parser = parse_local_time, conflicts_with = "preset")]
        at: Option<chrono::DateTime<chrono::Utc>>,
        /// in-an-hour, this-afternoon or tomorrow-morning (the lead's own time).
        #[arg(long, value_parser = parse_preset)]
        preset: Option<Preset>,
        #[arg(long)]
        note: Option<String>,
        /// Only keep it; do not try the server now.
        #[arg(long)]
        offline: bool,
        #[arg(long)]
        json: bool,
    },
    /// Your callbacks, soonest first (and pinned leads).
    Callbacks {
        /// Only those due now.
        #[arg(long)]
        due: bool,
        #[arg(long)]
        json: bool,
    },
    /// The agency's do-not-call list (our server): a phone on it gets no calls nor texts.
    Dnc {
        #[command(subcommand)]
        action: Option<DncAction>,
        #[arg(long, global = true)]
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
    /// Take routed leads (you are offered them), and see the team's routing.
    Available {
        #[arg(long)]
        json: bool,
    },
    /// Stop taking routed leads: what is offered to you alone goes to the next rep.
    Away {
        #[arg(long)]
        json: bool,
    },
    /// Claim a lead: the first claim wins, and everyone else's desktop withdraws it.
    Claim {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// The team (admins).
    Team {
        #[command(subcommand)]
        action: TeamAction,
    },
    /// Reports (admins).
    Report {
        #[command(subcommand)]
        action: ReportAction,
    },
}

#[derive(Subcommand)]
enum TeamAction {
    /// Show how new leads are offered to the team, or change it (options not given are kept).
    Routing {
        #[arg(long, value_parser = parse_mode, value_name = "everyone|round-robin|owner")]
        mode: Option<RoutingMode>,
        /// Round robin: how long each rep has a lead to themselves.
        #[arg(long, value_name = "N")]
        offer_seconds: Option<u32>,
        /// Round robin: offer the lead to everyone this long after it arrived.
        #[arg(long, value_name = "N")]
        pool_after_seconds: Option<u32>,
        /// Owner mode: the rep offered every lead ("" for the first admin).
        #[arg(long, value_name = "EMAIL")]
        owner: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// Which leads, in which order: the list's search and filters.
#[derive(clap::Args)]
struct ListFilters {
    /// Name, email or city words, or phone digits.
    #[arg(long)]
    search: Option<String>,
    /// Only leads in these states (repeat, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    state: Vec<String>,
    /// Only leads with these dispositions ("No Disposition" for none; repeat, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    disposition: Vec<String>,
    /// Only leads in these time zones (eastern, central, mountain, arizona, pacific, alaska,
    /// hawaii, or an IANA name; repeat, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    zone: Vec<String>,
    /// Only leads that may be called now (their state's hours, in their own time).
    #[arg(long)]
    callable_now: bool,
    /// Newest first (the default), or by time zone: east-west, west-east.
    #[arg(long, value_parser = ["newest", "east-west", "west-east"], default_value = "newest")]
    order: String,
}

impl ListFilters {
    fn query(self) -> anyhow::Result<CacheQuery> {
        let zones = self.zone.iter().map(|z| zone_named(z)).collect::<Result<Vec<_>, _>>()?;
        let (sort, ascending) = match self.order.as_str() {
            "east-west" => (SortBy::TimeZone, false),
            "west-east" => (SortBy::TimeZone, true),
            _ => (SortBy::CreatedAt, false),
        };
        Ok(CacheQuery {
            search: self.search,
            states: self.state,
            dispositions: self.disposition,
            zones: zones.into_iter().flatten().collect(),
            callable_at: self.callable_now.then(chrono::Utc::now),
            sort,
            ascending,
            ..CacheQuery::default()
        })
    }
}

#[derive(Subcommand)]
enum DncAction {
    /// The list (the default).
    List,
    /// Put a phone on the list.
    Add { phone: String },
    /// Take a phone off the list (admins).
    Remove { phone: String },
}

#[derive(Subcommand)]
enum ReportAction {
    /// Speed to lead, per rep and per vendor: offers, claims, offers that ran out, and the time
    /// from a lead's arrival to its claim (p50, p95).
    Speed {
        /// How far back: 7d, 24h, 90m, or a time (RFC 3339).
        #[arg(long, default_value = "7d", value_parser = parse_since)]
        since: chrono::DateTime<chrono::Utc>,
        /// The end of the period (RFC 3339); now by default.
        #[arg(long)]
        until: Option<chrono::DateTime<chrono::Utc>>,
        #[arg(long)]
        json: bool,
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
        /// Send even outside the lead's hours (their state's calling hours, their time).
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

fn parse_mode(s: &str) -> Result<RoutingMode, String> {
    RoutingMode::parse(s).ok_or_else(|| format!("{s:?}: use everyone, round-robin or owner"))
}

/// `7d`, `24h`, `90m` before now, or an RFC 3339 time.
fn parse_since(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let s = s.trim();
    if let Some(t) = crokodial_core::parse_rfc3339(s) {
        return Ok(t);
    }
    Ok(chrono::Utc::now() - parse_span(s).map_err(|_| format!("{s:?}: use 7d, 24h, 90m or an RFC 3339 time"))?)
}

/// "7d", "24h", "90m".
fn parse_span(s: &str) -> Result<chrono::Duration, String> {
    let s = s.trim();
    let wrong = || format!("{s:?}: use 7d, 24h or 90m");
    let unit = s.chars().last().ok_or_else(wrong)?;
    let n: u32 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| wrong())?;
    Ok(match unit {
        'd' => chrono::Duration::days(n.into()),
        'h' => chrono::Duration::hours(n.into()),
        'm' => chrono::Duration::minutes(n.into()),
        _ => return Err(wrong()),
    })
}

/// "YYYY-MM-DD HH:MM" on this computer's clock.
fn parse_local_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    use chrono::TimeZone;
    let naive = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M")
        .map_err(|_| format!("{s:?}: use \"YYYY-MM-DD HH:MM\" (this computer's time)"))?;
    chrono::Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| format!("{s:?} does not exist on this computer's clock"))
}

/// The IANA zones a rep's word for a zone names: "central" is America/Chicago and the zones that
/// keep its time; an IANA name is itself.
fn zone_named(name: &str) -> anyhow::Result<Vec<String>> {
    let name = name.trim();
    if name.contains('/') {
        return Ok(vec![crokodial_core::tz::known(name).with_context(|| format!("no time zone {name:?}"))?.to_owned()]);
    }
    let zones: Vec<String> = crokodial_core::tz::ZONES
        .iter()
        .filter(|z| crokodial_core::tz::label(z).eq_ignore_ascii_case(name))
        .map(|z| (*z).to_owned())
        .collect();
    if zones.is_empty() {
        bail!("no time zone {name:?}: eastern, central, mountain, arizona, pacific, alaska, hawaii or an IANA name");
    }
    Ok(zones)
}

fn parse_preset(s: &str) -> Result<Preset, String> {
    Preset::parse(s).ok_or_else(|| {
        let all: Vec<_> = Preset::ALL.iter().map(|p| p.as_str()).collect();
        format!("one of {}", all.join(", "))
    })
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
    let keychain: Arc<dyn SecretStore> = Arc::new(OsKeychain::default());
    match cli.command {
        Command::Login { server, email } => {
            let password = read_password()?;
            let session = Session::login(&home, &*keychain, &server, &email, &password).await?;
            let user = session.user();
            eprintln!("Logged in to {} as {} ({})", session.profile.server_url, user.email, user.role.as_str());
        }
        Command::Logout => {
            Session::logout(&home, &*keychain)?;
            eprintln!("Logged out");
        }
        Command::Leads { filters, limit, json, offline } => {
            let query = CacheQuery { limit, ..filters.query()? };
            let account = account(&home, keychain, !offline)?;
            if !offline {
                if let Err(e) = account.sync().await {
                    eprintln!("offline ({e}): showing the cached leads");
                }
            }
            let page = account.page(query).await?;
            let mut out = std::io::stdout().lock();
            for lead in &page.leads {
                if json {
                    writeln!(out, "{}", serde_json::to_string(lead)?)?;
                } else {
                    writeln!(out, "{}", output::lead_line(lead))?;
                }
            }
            if !json {
                let synced = page.synced_at.map_or("never synced".into(), |t| {
                    format!("synced {}", t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M"))
                });
                eprintln!("{} of {} leads ({synced})", page.leads.len(), page.total);
            }
        }
        Command::Export { filters, file, offline } => {
            let query = filters.query()?;
            let account = account(&home, keychain, !offline)?;
            if !offline {
                if let Err(e) = account.sync().await {
                    eprintln!("offline ({e}): exporting the cached leads");
                }
            }
            let rows = account.export(query, &file).await?;
            eprintln!("{rows} leads written to {}", file.display());
        }
        Command::Sync { full } => {
            let account = account(&home, keychain, true)?;
            if full {
                account.want_full_sync().await?;
            }
            let report = account.sync().await?;
            eprint!("{}", output::sync_report(&report));
        }
        Command::Call { id, outcome, note, offline, json } => {
            let account = account(&home, keychain, !offline)?;
            let call = account.record_call(&id).await?;
            account.tell_outcome(&call.id, outcome, note).await?;
            if !offline {
                if let Err(e) = account.push().await {
                    eprintln!("offline ({e}): kept, and sent at the next sync");
                }
            }
            let calls = account.lead_calls(&id).await?;
            let now = calls.here.iter().find(|q| q.call.id == call.id).context("the call vanished")?;
            if json {
                let line = serde_json::json!({
                    "call": now.call, "state": now.state, "detail": now.detail, "count": calls.count,
                });
                println!("{line}");
            } else {
                println!("{}", output::call_line(now, &calls.count));
            }
            if now.state == CallState::Failed {
                bail!("not kept by the server: {}", output::safe(now.detail.as_deref().unwrap_or_default()));
            }
        }
        Command::Callback { id, within, at, preset, note, offline, json } => {
            let when = match (within, at, preset) {
                (Some(span), _, _) => When::At(chrono::Utc::now() + span),
                (None, Some(at), _) => When::At(at),
                (None, None, Some(p)) => When::Preset(p),
                (None, None, None) => bail!("say when: --in 2h, --at \"YYYY-MM-DD HH:MM\" or --preset"),
            };
            let account = account(&home, keychain, !offline)?;
            let callback = account.schedule_callback(&id, when, note).await?;
            if !offline {
                if let Err(e) = account.push().await {
                    eprintln!("offline ({e}): kept, and sent at the next sync");
                }
            }
            let lead = account.lead(&id).await.ok();
            if json {
                println!("{}", serde_json::to_string(&callback)?);
            } else {
                println!("{}", output::followup_line(&callback, lead.as_ref()));
            }
        }
        Command::Callbacks { due, json } => {
            let account = account(&home, keychain, false)?;
            let now = chrono::Utc::now();
            let mut out = std::io::stdout().lock();
            for (f, lead) in account.followups(false).await? {
                if due && f.due.is_none_or(|d| d > now) {
                    continue;
                }
                if json {
                    let mut line = serde_json::to_value(&f)?;
                    line["leadName"] = lead.as_ref().map(|l| l.name.clone()).into();
                    line["isDue"] = f.due.is_some_and(|d| d <= now).into();
                    writeln!(out, "{line}")?;
                } else {
                    writeln!(out, "{}", output::followup_line(&f, lead.as_ref()))?;
                }
            }
        }
        Command::Dnc { action, json } => {
            let account = account(&home, keychain, true)?;
            let list = match action.unwrap_or(DncAction::List) {
                DncAction::List => account.do_not_call_list().await,
                DncAction::Add { phone } => account.add_do_not_call(&phone).await,
                DncAction::Remove { phone } => account.remove_do_not_call(&phone).await,
            };
            let list = list.map_err(|e| match e {
                ClientError::Unsupported => anyhow::anyhow!(
                    "this server keeps no do-not-call list (the deployed Crokodial server); \
                     a call told \"dnc\" is kept on this computer"
                ),
                e => e.into(),
            })?;
            if json {
                println!("{}", serde_json::to_string(&list)?);
            } else {
                for entry in &list {
                    let at = entry.mark.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
                    println!("{}  {at}  {}", format_us(&entry.phone), output::safe(&entry.mark.name));
                }
            }
        }
        Command::Dispose { id, disposition, offline } => {
            let account = account(&home, keychain, !offline)?;
            edit(&account, &id, LeadEdit::from([(EditField::Disposition, disposition)]), offline).await?
        }
        Command::Note { id, text, offline } => {
            let account = account(&home, keychain, !offline)?;
            edit(&account, &id, LeadEdit::from([(EditField::Notes, text)]), offline).await?
        }
        Command::Import { file, dry_run, offline, mapping, errors, json } => {
            let choice = mapping.map_or(MappingChoice::Automatic, MappingChoice::Named);
            if dry_run {
                // New against updates, when this computer has the account's book.
                let checked = match Profile::read(&home)? {
                    Some(_) => account(&home, keychain, false)?.check_import(file, choice, errors.clone()).await?,
                    None => import::check(&home, &file, &choice, errors.as_deref(), None)?,
                };
                if json {
                    println!("{}", serde_json::to_string(&checked)?);
                } else {
                    print!("{}", output::checked(&checked, errors.as_deref()));
                }
            } else {
                import_file(&account(&home, keychain, !offline)?, file, choice, errors, offline, json).await?;
            }
        }
        Command::Outbox { json } => {
            let account = account(&home, keychain, false)?;
            let mut out = std::io::stdout().lock();
            for q in account.outbox().await? {
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
            let account = account(&home, keychain, false)?;
            let lead = account.lead(&id).await?;
            let clock = crokodial_core::textdrip::local_time(&lead, chrono::Utc::now());
            let calls = account.lead_calls(&id).await?;
            if json {
                let mut value = serde_json::to_value(&lead)?;
                value["clock"] = serde_json::to_value(clock.map(|c| output::clock_json(&c)))?;
                value["callCount"] = serde_json::to_value(calls.count)?;
                value["callsToday"] = calls.in_a_day.into();
                println!("{value}");
            } else {
                print!("{}", output::lead_detail(&lead));
                println!("{:<22} {}", "calls", output::call_count(&calls.count));
                if let Some(c) = clock {
                    let now = if c.open { "may be called now" } else { "outside calling hours" };
                    let rules = format!("{}: {}", c.rules.name, c.hours);
                    println!("{:<22} {} ({}; {rules}; {now})", "local time", c.local_time, c.zone);
                }
            }
        }
        Command::Watch { json, count } => watch(&home, account(&home, keychain, true)?, json, count).await?,
        Command::Alerts { action } => alerts(&home, action).await?,
        Command::Textdrip { action } => textdrip(&account(&home, keychain, true)?, action).await?,
        Command::Nextgen { action } => nextgen(&account(&home, keychain, true)?, action).await?,
        Command::Available { json } => {
            print_view(&account(&home, keychain, true)?.set_available(true).await.map_err(unrouted)?, json)
        }
        Command::Away { json } => {
            print_view(&account(&home, keychain, true)?.set_available(false).await.map_err(unrouted)?, json)
        }
        Command::Claim { id, json } => {
            let account = account(&home, keychain, true)?;
            match account.claim(&id).await.map_err(unrouted)? {
                ClaimAnswer::Yours(claimed) if json => println!("{}", serde_json::to_string(&claimed)?),
                ClaimAnswer::Yours(claimed) => println!("Yours: {}", output::safe(&claimed.lead.name)),
                ClaimAnswer::Refused { code, message } => {
                    if json {
                        println!("{}", serde_json::json!({"refused": code, "message": message}));
                    }
                    bail!("not yours: {}", output::safe(&message));
                }
            }
        }
        Command::Team { action: TeamAction::Routing { mode, offer_seconds, pool_after_seconds, owner, json } } => {
            let account = account(&home, keychain, true)?;
            let update = RoutingUpdate { mode, offer_seconds, pool_after_seconds, owner };
            let view = if update == RoutingUpdate::default() {
                account.routing().await
            } else {
                account.set_routing(&update).await
            };
            print_view(&view.map_err(unrouted)?, json);
        }
        Command::Report { action: ReportAction::Speed { since, until, json } } => {
            let report = account(&home, keychain, true)?.speed_report(since, until).await.map_err(unrouted)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", output::speed_report(&report));
            }
        }
    }
    Ok(())
}

fn print_view(view: &RoutingView, json: bool) {
    if json {
        println!("{}", serde_json::to_string(view).expect("serialisable"));
    } else {
        print!("{}", output::routing_view(view));
    }
}

/// A routing command against a server without routing says so.
fn unrouted(e: ClientError) -> anyhow::Error {
    match e {
        ClientError::Unsupported => anyhow::anyhow!(
            "this server does not route leads (the deployed Crokodial server gives each lead one owner and rings everyone)"
        ),
        e => e.into(),
    }
}

async fn nextgen(account: &Account, action: NextgenAction) -> anyhow::Result<()> {
    let api = account.api();
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

async fn textdrip(account: &Account, action: TextdripAction) -> anyhow::Result<()> {
    match action {
        TextdripAction::Connect => {
            let token = read_secret("Textdrip API token: ")?;
            account.connect_textdrip(&token).await?;
            eprintln!("Textdrip connected; the token is kept in the OS keychain");
        }
        TextdripAction::Status => match account.textdrip_status().await {
            textdrip::Status::Connected => println!("Textdrip: connected"),
            textdrip::Status::NotConnected => bail!("Textdrip: not connected (`crokodial textdrip connect`)"),
            textdrip::Status::Invalid => {
                bail!("Textdrip: the kept token was refused; connect again with a new one")
            }
            textdrip::Status::KeychainUnavailable(why) => bail!("Textdrip: {why}"),
        },
        TextdripAction::Disconnect => {
            account.disconnect_textdrip().await?;
            eprintln!("Textdrip disconnected; the token is gone from the keychain");
        }
        TextdripAction::Campaigns => {
            for c in account.texting()?.campaigns().await? {
                println!("{}\t{}", c.id, output::safe(&c.title));
            }
        }
        TextdripAction::Send { lead, message, from, at_any_hour } => {
            let lead = account.lead(&lead).await?;
            let sent = account.send_text(&lead, &message, from.as_deref(), at_any_hour).await?;
            eprintln!("Sent to {}{}", sent.to, sent.sender.map(|s| format!(" from {s}")).unwrap_or_default());
        }
        TextdripAction::Campaign { lead, campaign } => {
            let lead = account.lead(&lead).await?;
            let texting = account.texting()?;
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
    let store = SettingsStore::open(home);
    let a = store.alerts();
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
        Some(AlertsAction::Set { sound, volume, device, quiet_hours, sources }) => store.update(|s| {
            let a = &mut s.alerts;
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
        })?,
        Some(AlertsAction::Mute { minutes }) => store.update(|s| s.alerts.mute_for(minutes, chrono::Utc::now()))?,
        Some(AlertsAction::Unmute) => store.update(|s| s.alerts.muted_until = None)?,
    }
    print!("{}", output::alert_settings(&store.alerts(), chrono::Utc::now()));
    Ok(())
}

/// Queues an edit of a cached lead, then (unless `offline`) sends the outbox.
fn parse_outcome(s: &str) -> Result<Outcome, String> {
    Outcome::parse(s).ok_or_else(|| {
        let all: Vec<_> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        format!("one of {}", all.join(", "))
    })
}

async fn edit(account: &Account, id: &str, fields: LeadEdit, offline: bool) -> anyhow::Result<()> {
    let queued = account.edit(id, fields).await?;
    if !offline {
        if let Err(e) = account.push().await {
            eprintln!("offline ({e}): kept, and sent at the next sync");
        }
    }
    let (_, history) = account.detail(id).await?;
    let now = history.into_iter().find(|q| q.op == queued.op).context("the edit vanished")?;
    println!("{}", output::edit_line(&now));
    if now.state == EditState::Conflict || now.state == EditState::Failed {
        bail!("not applied: {}", now.detail.unwrap_or_default());
    }
    Ok(())
}

/// Reads a lead file into the cache's import queue, then sends it (unless `offline`); an
/// import that cannot be sent now stays queued for the next sync.
async fn import_file(
    account: &Account,
    file: PathBuf,
    choice: MappingChoice,
    errors: Option<PathBuf>,
    offline: bool,
    json: bool,
) -> anyhow::Result<()> {
    let show_progress = !json && std::io::stderr().is_terminal();
    let progress = move |p: import::Progress| {
        if show_progress {
            match p.phase {
                import::Phase::Reading => eprint!("\rreading: {} of about {} rows ", p.done, p.total),
                import::Phase::Sending => eprint!("\rsending: {} of {} leads ", p.done, p.total),
            }
        }
    };
    let done = account.import(file, choice, !offline, progress).await;
    if show_progress {
        eprintln!();
    }
    let done = done?;
    if let (Some(from), Some(to)) = (&done.staged.error_file, &errors) {
        std::fs::copy(from, to).with_context(|| format!("cannot write {}", to.display()))?;
    }
    let (staged, now) = (&done.staged, &done.import);
    if json {
        println!("{}", serde_json::json!({ "checked": staged.checked, "import": now, "errorFile": staged.error_file }));
    } else {
        print!("{}", output::checked(&staged.checked, errors.as_deref().or(staged.error_file.as_deref())));
        println!("{}", output::import_line(now));
    }
    if let Some(e) = &done.waiting {
        eprintln!("offline ({e}): kept, and sent at the next sync");
    }
    Ok(())
}

/// The account last logged in here; `online`, with its token from the keychain, else only for
/// work on this computer (no keychain, no network).
fn account(home: &Home, keychain: Arc<dyn SecretStore>, online: bool) -> anyhow::Result<Account> {
    let session = if online { Session::restore(home, &*keychain)? } else { Session::offline(home)? };
    let session = session.context("not logged in: run `crokodial login --server URL --email E` first")?;
    Ok(Account::open(home, keychain, session)?)
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

async fn watch(home: &Home, account: Account, json: bool, count: Option<u64>) -> anyhow::Result<()> {
    let settings = SettingsStore::open(home);
    let player = AlertPlayer::start(settings.alerts().device)?;
    match player.status() {
        AudioStatus::NoOutput(why) => eprintln!("no sound output ({why}): alerts will be silent"),
        AudioStatus::OnDefault(why) => eprintln!("{why}"),
        AudioStatus::Ready => {}
    }
    // `crokodial alerts set` in another shell applies to the next lead.
    let _follow = settings.follow_file(crokodial_client::settings::FOLLOW_EVERY);
    let mut events = account.go_live(player, settings.subscribe())?;
    let mut alerts = tokio::task::JoinSet::new();
    let mut seen = 0u64;
    while count.is_none_or(|n| seen < n) {
        let Some(event) = events.recv().await else {
            if let ConnectionState::AuthFailed { reason } = &account.state().borrow().connection {
                bail!("the server refused the session ({reason}); log in again");
            }
            bail!("the connection supervisor stopped");
        };
        let arrival = match event {
            AccountEvent::Lead(arrival) => *arrival,
            AccountEvent::Connection(state) => {
                eprintln!("{}", output::state_line(&state));
                continue;
            }
            AccountEvent::Changed(change) => {
                println!("{}", output::change_line(&change, json));
                continue;
            }
            AccountEvent::Sync(_) => continue,
            AccountEvent::Routing(routed) => {
                if let Some(line) = output::routed_line(&routed, &account.session().user().id, json) {
                    println!("{line}");
                }
                continue;
            }
            AccountEvent::CallbackDue(due) => {
                if json {
                    let mut line = serde_json::to_value(&due.followup)?;
                    line["type"] = "callback_due".into();
                    line["leadName"] = due.lead.as_ref().map(|l| l.name.clone()).into();
                    println!("{line}");
                } else {
                    println!("CALLBACK DUE  {}", output::followup_line(&due.followup, due.lead.as_ref()));
                }
                continue;
            }
        };
        seen += 1;
        if json {
            println!("{}", output::arrival_json(&arrival));
        } else {
            println!("{}", output::arrival_line(&arrival));
        }
        if let Some(playback) = arrival.alert {
            let lead_id = arrival.lead.id;
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
