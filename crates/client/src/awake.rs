//! Keeps macOS from napping the process while the live feed is connected. App Nap throttles the
//! timers of an app whose windows are hidden, which would delay the socket's heartbeat, the
//! wake detector and the alert by seconds; the documented cure is a process activity
//! (`NSProcessInfo beginActivityWithOptions:reason:`), held only while live, so the app naps
//! again when logged out or offline. Idle system sleep stays allowed. Elsewhere this does nothing.

use tokio::sync::watch;

use crate::socket::ConnectionState;

/// Holds an activity whenever `state` is live, until the returned task is dropped or aborted.
pub fn while_live(mut state: watch::Receiver<ConnectionState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut held: Option<Activity> = None;
        loop {
            let live = *state.borrow_and_update() == ConnectionState::Live;
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
struct Activity {
    #[cfg(target_os = "macos")]
    token: objc2::rc::Retained<objc2::runtime::ProtocolObject<dyn objc2::runtime::NSObjectProtocol>>,
}

// SAFETY: NSProcessInfo is thread-safe, and the token is an opaque object only handed back to it.
#[cfg(target_os = "macos")]
unsafe impl Send for Activity {}

impl Activity {
    #[cfg(target_os = "macos")]
    fn begin() -> Activity {
        use objc2_foundation::{NSActivityOptions, NSProcessInfo, NSString};
        let reason = NSString::from_str("Waiting for new leads");
        let token = NSProcessInfo::processInfo()
            .beginActivityWithOptions_reason(NSActivityOptions::UserInitiatedAllowingIdleSystemSleep, &reason);
        tracing::debug!("App Nap held off while live");
        Activity { token }
    }

    #[cfg(not(target_os = "macos"))]
    fn begin() -> Activity {
        Activity {}
    }
}

#[cfg(target_os = "macos")]
impl Drop for Activity {
    fn drop(&mut self) {
        // SAFETY: the token is the one beginActivityWithOptions:reason: returned, ended once.
        unsafe { objc2_foundation::NSProcessInfo::processInfo().endActivity(&self.token) };
        tracing::debug!("App Nap allowed again");
    }
}
