//! State shared by every request handler.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crokodial_core::api::DemoAccount;
use tokio::sync::watch;

use crate::auth::Jwt;
use crate::hub::Hub;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub jwt: Jwt,
    pub hub: Hub,
    /// Held from a change's write (which takes its sequence number) to its broadcast, so every
    /// socket receives a tenant's events in sequence order and can resume after the last it saw.
    pub in_order: Arc<std::sync::Mutex<()>>,
    /// Derives what vendors do not send, after the fast path; announced as updates.
    pub enricher: crate::enrich::Enricher,
    /// Webhook posts per tenant, to answer 429 to a runaway sender.
    pub webhook_limit: Arc<governor::DefaultKeyedRateLimiter<String>>,
    pub started: Instant,
    pub port: u16,
    /// `Some` in demo mode only.
    pub demo_accounts: Option<Arc<Vec<DemoAccount>>>,
    pub ping_interval: Duration,
    /// Flips to `true` when the server shuts down; sockets watch it and close.
    pub shutdown: watch::Receiver<bool>,
}
