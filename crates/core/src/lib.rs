//! Crokodial's domain types and wire contract, shared by the server, the engine and the front ends.
//!
//! Invariant: this crate does no I/O (no files, sockets, clocks beyond what callers pass in) and
//! knows nothing of Tauri, HTTP frameworks or databases. It is the contract of
//! `shared/docs/legacy-crokodial-api.md` written as Rust types.

pub mod api;
pub mod calling;
pub mod calls;
pub mod edit;
pub mod followups;
pub mod import;
pub mod lead;
pub mod list_export;
mod loose;
pub mod nextgen;
pub mod phone;
pub mod region;
pub mod routing;
pub mod textdrip;
pub mod tz;
pub mod ws;

pub use lead::{Lead, LeadSource, WireLead};

/// A time as RFC 3339 UTC text to the millisecond (`2026-12-07T19:47:49.123Z`): how times cross
/// the wire and are stored. Fixed width, so such texts sort as the times they name.
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A time written as RFC 3339 (any offset), in UTC; `None` for text that is not one. What
/// [`rfc3339`] writes reads back to the millisecond.
pub fn parse_rfc3339(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// The `q`-th percentile (0..=100) of `values` by the nearest-rank method (sorts them); `None`
/// when empty. The speed report's and the benchmarks' one definition.
pub fn percentile<T: Ord + Copy>(values: &mut [T], q: u32) -> Option<T> {
    values.sort_unstable();
    let rank = (u64::from(q.min(100)) * values.len() as u64).div_ceil(100).max(1);
    values.get(rank as usize - 1).copied()
}

#[cfg(test)]
mod tests {
    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(super::percentile(&mut v, 50), Some(50));
        assert_eq!(super::percentile(&mut v, 95), Some(95));
        assert_eq!(super::percentile(&mut v, 100), Some(100));
        assert_eq!(super::percentile(&mut [7], 95), Some(7));
        assert_eq!(super::percentile::<u64>(&mut [], 50), None);
    }
}
