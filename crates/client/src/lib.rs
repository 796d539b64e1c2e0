//! The Crokodial engine: everything the desktop app and the command line share.
//!
//! - [`account`]: one signed-in rep: session, cache, live feed, sync service, Textdrip; its
//!   operations, one stream of events and its state. What the front ends hold.
//! - [`home`]: the profile directory (one override, `CROKODIAL_HOME`, for every app directory).
//! - [`api`]: the HTTP client for a Crokodial server (ours or the deployed one).
//! - [`cache`]: the local lead cache, one SQLite file per account and server, searchable offline.
//! - [`secrets`]: the session token in the OS keychain, and nowhere else.
//! - [`session`]: log in, restore, log out.
//! - [`sync`]: brings the lead cache up to date (changes from ours, pages from the deployed server).
//! - [`socket`]: the socket supervisor: connect, authenticate, decode, reconnect.
//! - [`netwatch`]: notices a wake from sleep or a network change, so the socket reconnects at once.
//! - [`awake`]: keeps macOS's App Nap from throttling the process while the feed is live.
//! - [`logs`]: the log file a day (secrets scrubbed) and the diagnostics zip.
//! - [`alert`]: the alert player, which owns the audio output on its own thread.
//! - [`feed`]: socket events joined to the alert policy, as front ends consume them.
//! - [`settings`]: this machine's settings (alert sound, volume, device, quiet hours, mute).
//! - [`textdrip`]: the rep's own Textdrip: token in the keychain, texts and campaigns.
//!
//! Invariant: no Tauri here. Long-lived I/O (socket, audio) lives in tasks and threads that own it.

pub mod account;
pub mod alert;
pub mod api;
#[cfg(target_os = "macos")]
pub mod awake;
pub mod cache;
pub mod error;
pub mod feed;
pub mod home;
pub mod import;
pub mod logs;
pub mod netwatch;
pub mod secrets;
pub mod session;
pub mod settings;
pub mod socket;
pub mod sync;
pub mod textdrip;

pub use error::{ClientError, Result};

/// Runs blocking work (SQLite, files) on tokio's blocking pool and waits for it, so the async
/// runtime, where the socket and the alert run, is never held up. A panic in `f` goes on in the
/// caller; the work finishes even if the caller stops waiting.
pub async fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only a runtime shutting down cancels it, and then nothing waits for the answer.
        Err(e) => panic!("blocking work cancelled: {e}"),
    }
}

/// The guarded value, also after a holder panicked: each of ours is read or replaced whole (a
/// SQLite transaction rolls back), so it is still good.
pub fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A task that lives as long as its owner: dropping this aborts it.
pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
