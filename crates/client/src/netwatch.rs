//! Notices when the machine wakes from sleep or its network changes, and nudges the socket
//! supervisor to reconnect at once, instead of leaving a dead connection to the heartbeat (up to
//! 15 s) or a returning network to the backoff (up to 30 s).
//!
//! - Wake: a tick every [`TICK`]; when the wall clock or the monotonic clock moved much further
//!   than that between two ticks, the machine was asleep (the monotonic clock stops in suspend on
//!   Linux and macOS; Windows' keeps going, so either jump counts).
//! - Network: the local address the OS would use to reach the server (a UDP `connect` sends
//!   nothing). A new address (Wi-Fi to Ethernet, a VPN) or a route that comes back is a change.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant, SystemTime};

use tokio::task::JoinHandle;
use url::Url;

use crate::socket::Nudge;

pub const TICK: Duration = Duration::from_secs(2);
/// A tick this much later than due means the machine slept.
const SLEPT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Woke {
        asleep: Duration,
    },
    /// The local address towards the server changed; `None`: no route.
    Network {
        from: Option<IpAddr>,
        to: Option<IpAddr>,
    },
}

/// What was seen at the last tick, and the rules that compare it with now.
#[derive(Debug)]
pub struct Watcher {
    wall: SystemTime,
    mono: Instant,
    route: Option<IpAddr>,
}

impl Watcher {
    pub fn new(wall: SystemTime, mono: Instant, route: Option<IpAddr>) -> Self {
        Watcher { wall, mono, route }
    }

    /// Compares this tick with the last one.
    pub fn observe(&mut self, wall: SystemTime, mono: Instant, route: Option<IpAddr>) -> Option<Change> {
        let wall_gap = wall.duration_since(self.wall).unwrap_or(Duration::ZERO);
        let mono_gap = mono.saturating_duration_since(self.mono);
        let (old_route, gap) = (self.route, wall_gap.max(mono_gap));
        *self = Watcher { wall, mono, route };
        if gap > TICK + SLEPT {
            return Some(Change::Woke { asleep: gap.saturating_sub(TICK) });
        }
        // Losing the route needs no nudge: the heartbeat or the failed connect says so.
        (route.is_some() && route != old_route).then_some(Change::Network { from: old_route, to: route })
    }
}

/// The local address the OS would send from to reach `server`; `None` when there is no route.
pub fn route_to(server: SocketAddr) -> Option<IpAddr> {
    let bind: SocketAddr = if server.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    let socket = UdpSocket::bind(bind).ok()?;
    socket.connect(server).ok()?;
    socket.local_addr().ok().map(|a| a.ip())
}

/// Watches for wake-ups and network changes while the returned task runs, nudging `nudge`.
pub fn spawn(server: &Url, nudge: Nudge) -> JoinHandle<()> {
    let host = server.host_str().unwrap_or("localhost").trim_matches(['[', ']']).to_owned();
    let port = server.port_or_known_default().unwrap_or(443);
    tokio::spawn(async move {
        let (mut addr, first) = probe(&host, port, None).await;
        let mut watcher = Watcher::new(SystemTime::now(), Instant::now(), first);
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let (found, now) = probe(&host, port, addr).await;
            addr = found;
            if let Some(change) = watcher.observe(SystemTime::now(), Instant::now(), now) {
                tracing::info!(?change, "reconnecting now");
                nudge.reconnect_now();
            }
        }
    })
}

/// The server's address (looked up until found) and the route to it. Look-ups can block: they
/// run off the runtime.
async fn probe(host: &str, port: u16, known: Option<SocketAddr>) -> (Option<SocketAddr>, Option<IpAddr>) {
    let host = host.to_owned();
    tokio::task::spawn_blocking(move || {
        let addr = known.or_else(|| std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)).ok()?.next());
        (addr, addr.and_then(route_to))
    })
    .await
    .unwrap_or((known, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_late_tick_on_either_clock_is_a_wake_up() {
        let (wall, mono) = (SystemTime::now(), Instant::now());
        let mut w = Watcher::new(wall, mono, ip("10.0.0.2"));
        assert_eq!(w.observe(wall + TICK, mono + TICK, ip("10.0.0.2")), None, "an ordinary tick");
        // Linux and macOS: the monotonic clock stood still while the wall clock ran on.
        let woke = w.observe(wall + TICK + Duration::from_secs(600), mono + TICK * 2, ip("10.0.0.2"));
        assert_eq!(woke, Some(Change::Woke { asleep: Duration::from_secs(598) }));
        // Windows: both clocks ran on, the tick came late.
        let mut w = Watcher::new(wall, mono, None);
        let late = Duration::from_secs(60);
        assert!(matches!(w.observe(wall + late, mono + late, None), Some(Change::Woke { .. })));
        // A wall clock set back (time sync) is not a wake-up.
        let mut w = Watcher::new(wall, mono, None);
        assert_eq!(w.observe(wall - Duration::from_secs(3600), mono + TICK, None), None);
    }

    #[test]
    fn a_new_address_or_a_route_coming_back_is_a_change_losing_it_is_not() {
        let (wall, mono) = (SystemTime::now(), Instant::now());
        let mut w = Watcher::new(wall, mono, ip("192.168.1.20"));
        let (wall, mono) = (wall + TICK, mono + TICK);
        let to_vpn = w.observe(wall, mono, ip("10.8.0.5"));
        assert_eq!(to_vpn, Some(Change::Network { from: ip("192.168.1.20"), to: ip("10.8.0.5") }));
        assert_eq!(w.observe(wall + TICK, mono + TICK, None), None, "lost: the heartbeat will tell");
        let back = w.observe(wall + TICK * 2, mono + TICK * 2, ip("10.8.0.5"));
        assert_eq!(back, Some(Change::Network { from: None, to: ip("10.8.0.5") }));
    }

    #[test]
    fn the_route_to_a_loopback_server_is_loopback() {
        assert_eq!(route_to("127.0.0.1:3005".parse().unwrap()), ip("127.0.0.1"));
    }
}
