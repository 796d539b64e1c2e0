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
    /// Offers each new vendor lead to the tenant's reps, and moves offers on.
    pub router: crate::routing::Router,
    /// Derives what vendors do not send, after the fast path; announced as updates.
    pub enricher: crate::enrich::Enricher,
    /// Webhook credentials seen valid, so the hot path skips a database round trip.
    pub known_credentials: KnownCredentials,
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

/// Valid webhook credentials already looked up: `sid` → (`apikey`, tenant). Only valid ones are
/// kept, so bad guesses cannot grow it. A rotation forgets its tenant's, and a lookup that
/// started before a rotation is not remembered (`Known::rotations`).
#[derive(Clone, Default)]
pub struct KnownCredentials(Arc<std::sync::RwLock<Known>>);

#[derive(Default)]
pub struct Known {
    by_sid: std::collections::HashMap<String, (String, String)>,
    rotations: u64,
}

impl KnownCredentials {
    pub fn tenant(&self, sid: &str, apikey: &str) -> Option<String> {
        let known = self.0.read().unwrap_or_else(|p| p.into_inner());
        let (key, tenant) = known.by_sid.get(sid)?;
        crate::auth::constant_time_eq(key.as_bytes(), apikey.as_bytes()).then(|| tenant.clone())
    }

    /// Read before looking credentials up in storage; pass to [`Self::remember`].
    pub fn rotations(&self) -> u64 {
        self.0.read().unwrap_or_else(|p| p.into_inner()).rotations
    }

    /// Remembers credentials found valid, unless a rotation happened since `rotations`.
    pub fn remember(&self, sid: String, apikey: String, tenant: String, rotations: u64) {
        let mut known = self.0.write().unwrap_or_else(|p| p.into_inner());
        if known.rotations == rotations {
            known.by_sid.insert(sid, (apikey, tenant));
        }
    }

    /// Forgets the tenant's credentials (call after storing new ones).
    pub fn forget_tenant(&self, tenant: &str) {
        let mut known = self.0.write().unwrap_or_else(|p| p.into_inner());
        known.by_sid.retain(|_, (_, t)| t != tenant);
        known.rotations += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lookup_that_began_before_a_rotation_is_not_remembered() {
        let known = KnownCredentials::default();
        let before = known.rotations();
        known.remember("s1".into(), "k1".into(), "t".into(), before);
        assert_eq!(known.tenant("s1", "k1").as_deref(), Some("t"));
        assert_eq!(known.tenant("s1", "k2"), None);
        // A lookup starts, the tenant rotates, the lookup ends: the old pair must not come back.
        let during = known.rotations();
        known.forget_tenant("t");
        known.remember("s1".into(), "k1".into(), "t".into(), during);
        assert_eq!(known.tenant("s1", "k1"), None);
        known.remember("s2".into(), "k2".into(), "t".into(), known.rotations());
        assert_eq!(known.tenant("s2", "k2").as_deref(), Some("t"));
    }
}
