//! What the crash tests' child processes share.

use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheHandle, LeadCache};
use crokodial_client::secrets::Sensitive;
use crokodial_client::sync;

/// A child's `push` role: sends `cache`'s outbox (edits, calls, follow-ups) to the server at the
/// URL in env var `server`, with the token in env var `token`, on a runtime of its own.
pub fn push_from_env(cache: LeadCache, server: &str, token: &str) {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let api = ApiClient::new(&var(server)).unwrap().with_token(Sensitive(var(token)));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(sync::push(&api, &CacheHandle::new(cache))).unwrap();
}
