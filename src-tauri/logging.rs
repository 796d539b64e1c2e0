//! The app's log: to the profile's daily files (secrets scrubbed, 14 days kept) and to stderr, at
//! the level the rep chose in the settings; `CROKODIAL_LOG` (a `tracing` filter) wins over it.

use std::sync::OnceLock;

use crokodial_client::home::Home;
use crokodial_client::logs;
use crokodial_client::settings::LogLevel;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, reload, EnvFilter, Registry};

const ENV: &str = "CROKODIAL_LOG";

static LEVEL: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

fn filter(level: LogLevel) -> EnvFilter {
    // Our crates at the chosen level; the libraries under them only when they warn.
    EnvFilter::new(format!("warn,crokodial_desktop={0},crokodial_client={0},crokodial_core={0}", level.as_str()))
}

pub fn init(home: &Home, level: LogLevel) {
    let from_env = EnvFilter::try_from_env(ENV).ok();
    let (filter, handle) = reload::Layer::new(from_env.unwrap_or_else(|| filter(level)));
    let file = match logs::daily_files(home) {
        Ok(writer) => Some(fmt::layer().with_ansi(false).with_writer(writer)),
        Err(e) => {
            eprintln!("crokodial: no log file in {}: {e}", home.logs_dir().display());
            None
        }
    };
    // No colour: the codes would sit between a field's name and value, hiding them from redaction.
    let stderr = fmt::layer().with_ansi(false).with_writer(|| logs::Redacting::new(std::io::stderr()));
    tracing_subscriber::registry().with(filter).with(file).with(stderr).init();
    if std::env::var_os(ENV).is_none() {
        let _ = LEVEL.set(handle);
    }
}

/// Puts a new level in force (unless `CROKODIAL_LOG` chose the filter).
pub fn set_level(level: LogLevel) {
    if let Some(handle) = LEVEL.get() {
        if let Err(e) = handle.modify(|f| *f = filter(level)) {
            tracing::warn!(error = %e, "cannot change the log level");
        }
    }
}
