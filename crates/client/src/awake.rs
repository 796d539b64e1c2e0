//! Keeps macOS from napping the process while the live feed is connected. App Nap throttles the
//! timers of an app whose windows are hidden, which would delay the socket's heartbeat, the
//! wake detector and the alert by seconds; the documented cure is a process activity
//! (`NSProcessInfo beginActivityWithOptions:reason:`), held only while live, so the app naps
//! again when logged out or offline. Idle system sleep stays allowed. Other systems do not nap
//! a process this way, so there is nothing to hold there.

use objc2::rc::Retained;
use objc2::runtime::{NSObjectProtocol, ProtocolObject};
use objc2_foundation::{NSActivityOptions, NSProcessInfo, NSString};
use tokio::sync::watch;

use crate::socket::ConnectionState;

/// Holds an activity whenever `state` is live, until the returned task is dropped or aborted.
pub fn while_live(mut state: watch::Receiver<ConnectionState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut held: Option<Activity> = None;
        loop {
            let live = state.borrow_and_update().is_live();
            if live != held.is_some() {
                held = live.then(Activity::begin);
            }
            if state.changed().await.is_err() {
                return;
            }
        }
    })
}

/// A process activity: the OS does not nap the process while it is held.
struct Activity(Retained<ProtocolObject<dyn NSObjectProtocol>>);

// SAFETY: NSProcessInfo is thread-safe, and the token is an opaque object only handed back to it.
unsafe impl Send for Activity {}

impl Activity {
    fn begin() -> Activity {
        let reason = NSString::from_str("Waiting for new leads");
        let options = NSActivityOptions::UserInitiatedAllowingIdleSystemSleep;
        let token = NSProcessInfo::processInfo().beginActivityWithOptions_reason(options, &reason);
        tracing::debug!("App Nap held off while live");
        Activity(token)
    }
}

impl Drop for Activity {
    fn drop(&mut self) {
        // SAFETY: the token is the one beginActivityWithOptions:reason: returned, ended once.
        unsafe { NSProcessInfo::processInfo().endActivity(&self.0) };
        tracing::debug!("App Nap allowed again");
    }
}
