//! `crokodial-server`: runs the server, or manages users in its database.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use crokodial_core::api::Role;
use crokodial_server::{add_user, random_secret, tenant_of_email, Config, NewUser, Server, TenantChoice};

#[derive(Parser)]
#[command(version, about = "The Crokodial companion server")]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3005")]
    listen: SocketAddr,
    /// SQLite database file [default: $CROKODIAL_HOME/server/crokodial.db, else the OS data dir].
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Seed and serve a demo tenant with synthetic leads.
    #[arg(long)]
    demo: bool,
    /// In demo mode, post a synthetic NextGen lead every N seconds (0 = off).
    #[arg(long, default_value_t = 10, requires = "demo")]
    demo_feed_secs: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from one line of stdin.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long, default_value = "")]
        name: String,
        /// Join the tenant of this existing user instead of starting a new tenant.
        #[arg(long, value_name = "EMAIL")]
        tenant_of: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    User,
}

fn default_db() -> anyhow::Result<PathBuf> {
    let base = match std::env::var_os("CROKODIAL_HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home),
        None => dirs::data_dir().context("no OS data directory; pass --db")?.join("crokodial"),
    };
    Ok(base.join("server").join("crokodial.db"))
}

/// The JWT secret: `CROKODIAL_JWT_SECRET`, else 32 random bytes kept in `jwt-secret` beside the db.
fn jwt_secret(db: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(s) = std::env::var_os("CROKODIAL_JWT_SECRET").filter(|s| !s.is_empty()) {
        return Ok(s.into_encoded_bytes());
    }
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("jwt-secret");
    match std::fs::read(&path) {
        Ok(secret) if secret.len() >= 32 => return Ok(secret),
        Ok(_) => anyhow::bail!("{} is too short; delete it to make a new one", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let secret = random_secret();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut file, &secret)?;
    file.sync_all()?;
    Ok(secret)
}

async fn user_add(
    db: &Path,
    email: String,
    role: RoleArg,
    name: String,
    tenant_of: Option<String>,
) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("reading the password from stdin")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on stdin");
    let tenant = match tenant_of {
        Some(other) => TenantChoice::Of(tenant_of_email(db, &other).await.with_context(|| format!("finding {other}"))?),
        None => TenantChoice::Own,
    };
    let role = match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::User => Role::User,
    };
    let (user, creds) = add_user(db, NewUser { email, name, role, password, tenant }).await?;
    println!("id: {}", user.id);
    if let Some(c) = creds {
        println!("webhook sid: {}", c.sid);
        println!("webhook apikey: {}", c.apikey);
    }
    Ok(())
}

// Why mimalloc: ARCHITECTURE.md, Decisions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let db = match cli.db {
        Some(db) => db,
        None => default_db()?,
    };
    if let Some(Command::User { command: UserCommand::Add { email, role, name, tenant_of } }) = cli.command {
        return user_add(&db, email, role, name, tenant_of).await;
    }

    let config = Config {
        listen: cli.listen,
        jwt_secret: jwt_secret(&db)?,
        db_path: db,
        demo: cli.demo,
        demo_feed: (cli.demo && cli.demo_feed_secs > 0).then(|| Duration::from_secs(cli.demo_feed_secs)),
        ping_interval: Duration::from_secs(30),
        webhook_rate: crokodial_server::DEFAULT_WEBHOOK_RATE,
    };
    let server = Server::start(config).await?;
    println!("Crokodial server at {}", server.base_url());
    for a in server.demo_accounts() {
        println!("  demo {:<5}  {}  password: {}", a.role.as_str(), a.email, a.password);
    }
    let signal = stop_signal().await.context("waiting for a signal to stop")?;
    tracing::info!(signal, "shutting down");
    server.shutdown().await;
    Ok(())
}

/// Waits for the operator's request to stop: Ctrl-C, or SIGTERM (what systemd, Docker and
/// `kill` send) on Unix. Answers which.
async fn stop_signal() -> std::io::Result<&'static str> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.map(|()| "SIGINT"),
            _ = term.recv() => Ok("SIGTERM"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map(|()| "Ctrl-C")
    }
}
