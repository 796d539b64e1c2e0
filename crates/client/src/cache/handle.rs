//! The cache as the engine's tasks share it: every use runs on tokio's blocking pool, so no
//! SQLite statement (a 100,000-lead search, a page of a sync) ever holds up the socket's
//! heartbeat or the alert on the async runtime. No caller can forget: [`CacheHandle::run`] is
//! the only way in from async code.

use std::sync::{Arc, Mutex, MutexGuard};

use super::LeadCache;
use crate::{lock, off_runtime};

#[derive(Clone)]
pub struct CacheHandle(Arc<Mutex<LeadCache>>);

impl CacheHandle {
    pub fn new(cache: LeadCache) -> Self {
        CacheHandle(Arc::new(Mutex::new(cache)))
    }

    /// Runs `f` on the cache, on the blocking pool, one user at a time. The work finishes even
    /// if the caller stops waiting (a transaction is never cut in half by a cancelled task).
    pub async fn run<T, F>(&self, f: F) -> T
    where
        F: FnOnce(&mut LeadCache) -> T + Send + 'static,
        T: Send + 'static,
    {
        let inner = Arc::clone(&self.0);
        off_runtime(move || f(&mut lock(&inner))).await
    }

    /// The cache, for code already on a thread of its own (an import's reader): never call
    /// this from async code.
    pub fn blocking(&self) -> MutexGuard<'_, LeadCache> {
        lock(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// On a runtime of one thread, as a slow statement would: if `run` did the work on the
    /// runtime's thread, the heartbeat beside it would not beat until the work was done.
    #[tokio::test(flavor = "current_thread")]
    async fn slow_cache_work_never_holds_up_the_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("c.sqlite")).unwrap());
        let beats = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let heartbeat = {
            let beats = Arc::clone(&beats);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    beats.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            })
        };
        tokio::task::yield_now().await;
        let beats_during = {
            let beats = Arc::clone(&beats);
            cache
                .run(move |c| {
                    let before = beats.load(std::sync::atomic::Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(500));
                    c.count().unwrap();
                    beats.load(std::sync::atomic::Ordering::Relaxed) - before
                })
                .await
        };
        heartbeat.abort();
        assert!(beats_during >= 5, "the heartbeat beat {beats_during} times in 500 ms of cache work");
    }

    /// A use that panics (a bug) leaves the cache usable for the next.
    #[tokio::test]
    async fn a_panic_in_one_use_does_not_poison_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("c.sqlite")).unwrap());
        let c = cache.clone();
        let panicked = tokio::spawn(async move { c.run(|_| -> u64 { panic!("a bug") }).await }).await;
        assert!(panicked.unwrap_err().is_panic());
        assert_eq!(cache.run(|c| c.count().unwrap()).await, 0);
    }
}
