//! Server configuration.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use rand::RngCore;

/// How a [`crate::Server`] runs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub db_path: PathBuf,
    /// HS256 secret for session tokens.
    pub jwt_secret: Vec<u8>,
    /// Seed the demo tenant and serve `/api/demo/accounts`.
    pub demo: bool,
    /// In demo mode, post a synthetic NextGen lead to our own webhook this often.
    pub demo_feed: Option<Duration>,
    /// Interval between WebSocket pings; a socket silent for two intervals is dropped.
    pub ping_interval: Duration,
    /// Webhook leads a tenant may post per second (and in one burst) before getting 429s.
    pub webhook_rate: NonZeroU32,
}

/// Well above the 2,000 leads/s the server must sustain; it stops a runaway vendor, not a busy one.
pub const DEFAULT_WEBHOOK_RATE: NonZeroU32 = NonZeroU32::new(5_000).expect("non-zero");

impl Config {
    /// Loopback on a free port, a random secret, no demo.
    pub fn for_tests(db_path: PathBuf) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_path,
            jwt_secret: random_secret(),
            demo: false,
            demo_feed: None,
            ping_interval: Duration::from_secs(30),
            webhook_rate: DEFAULT_WEBHOOK_RATE,
        }
    }
}

/// 32 random bytes from the OS generator.
pub fn random_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}
