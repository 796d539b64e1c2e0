//! `crokodial`: the command line over the Crokodial engine, for admins, scripts and headless machines.

mod output;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use crokodial_client::alert::{AlertPlayer, AudioStatus, PlayOutcome, DEFAULT_SOUND, DEFAULT_VOLUME};
use crokodial_client::feed::LeadFeed;
use crokodial_client::home::Home;
use crokodial_client::secrets::OsKeychain;
use crokodial_client::session::Session;
use crokodial_client::socket::ConnectionState;
use crokodial_core::api::LeadQuery;

#[derive(Parser)]
#[command(name = "crokodial", version, about = "Crokodial on the command line: log in, list leads, watch for new ones")]
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
    /// List leads, newest first.
    Leads {
        #[arg(long)]
        search: Option<String>,
        /// Page size (the server clamps it to 10..100).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// One JSON object per lead.
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
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("CROKODIAL_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
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
        Command::Leads { search, limit, json } => {
            let session = restore(&home, &keychain)?;
            let query = LeadQuery { search, limit: Some(limit), page: 1, ..LeadQuery::default() };
            let page = session.api().leads(&query).await?;
            let mut out = std::io::stdout().lock();
            for lead in &page.leads {
                if json {
                    writeln!(out, "{}", serde_json::to_string(lead)?)?;
                } else {
                    writeln!(out, "{}", output::lead_line(lead))?;
                }
            }
            if !json {
                eprintln!("{} of {} leads", page.leads.len(), page.pagination.total);
            }
        }
        Command::Watch { json, count } => watch(&home, &keychain, json, count).await?,
    }
    Ok(())
}

fn restore(home: &Home, keychain: &OsKeychain) -> anyhow::Result<Session> {
    Session::restore(home, keychain)?.context("not logged in: run `crokodial login --server URL --email E` first")
}

fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        bail!("no password given");
    }
    Ok(password)
}

async fn watch(home: &Home, keychain: &OsKeychain, json: bool, count: Option<u64>) -> anyhow::Result<()> {
    let session = restore(home, keychain)?;
    let player = AlertPlayer::start(DEFAULT_SOUND, DEFAULT_VOLUME)?;
    if let AudioStatus::NoOutput(why) = player.status() {
        eprintln!("no sound output ({why}): alerts will be silent");
    }
    let mut feed = LeadFeed::start(session.api(), player)?;

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
        seen += 1;
        let lead_id = event.lead.lead_id.clone();
        if json {
            let line = serde_json::json!({"type": "lead", "lead": &event.lead, "announce": event.announce, "alert": event.alert.is_some()});
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
