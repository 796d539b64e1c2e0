//! OS notifications of new leads, through notify-rust on every platform (the notification daemon
//! on Linux, toasts on Windows, the Notification Centre on macOS); clicking one, or its "Open
//! lead" button, opens the lead, and its "Claim" button (a lead offered to this rep by a server
//! that routes leads) claims it; a due callback's notification opens its lead, or snoozes it. When someone else claims it, or its offer moves on, a Linux
//! notification is replaced by one saying so; notify-rust can replace none elsewhere. Each asks for the strongest interruption an app may ask for
//! without special rights: critical urgency on Linux, the reminder scenario on Windows (it stays
//! until dismissed, and Do not disturb's priority list can let reminders through). Windows 11's
//! `urgent` scenario would need the toast written by hand, and macOS's time-sensitive level an
//! entitlement: see the README.

use notify_rust::NotificationResponse;
use tauri::AppHandle;
#[cfg(target_os = "linux")]
use tauri::Manager;

use crate::commands::leads::LeadRow;

/// Makes notifications showable. Windows drops the toasts of an app whose AppUserModelID is
/// unknown to it, without an error: the installers' Start-menu shortcut carries it, and a
/// portable or development run registers it here, per user.
pub fn register(app: &AppHandle) {
    #[cfg(windows)]
    if let Err(e) = windows::register_app_id(&app.config().identifier, app.package_info().name.as_str()) {
        tracing::warn!(error = %e, "cannot register the app for Windows notifications: they may not show");
    }
    #[cfg(target_os = "macos")]
    {
        // An app run outside its bundle has no identifier of its own to post as.
        let id = if tauri::is_dev() { "com.apple.Terminal" } else { app.config().identifier.as_str() };
        if let Err(e) = notify_rust::set_application(id) {
            tracing::warn!(error = %e, "cannot set the app notifications are posted as");
        }
    }
    #[cfg(target_os = "linux")]
    app.manage(Shown::default());
}

/// What the rep did with a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Clicked it, or its "Open lead" button.
    Open,
    /// Its "Claim" button.
    Claim,
    /// A due callback's "Snooze" button.
    Snooze,
}

const CLAIM: &str = "claim";
const SNOOZE: &str = "snooze";

/// Linux: the notification shown for each lead, by lead id, so it can be replaced.
#[cfg(target_os = "linux")]
#[derive(Default)]
pub struct Shown(std::sync::Mutex<std::collections::HashMap<String, u32>>);

/// Shows the notification of a new lead, with a "Claim" button when `claimable`; what the rep
/// does with it goes to `on_answer` (on a thread of its own, since waiting for the click blocks
/// until the notification is clicked or closed).
pub fn show_lead(app: &AppHandle, lead: &LeadRow, claimable: bool, on_answer: impl FnOnce(Answer) + Send + 'static) {
    let (title, body) = text(lead);
    show(app, &lead.id, title, body, claimable.then_some((CLAIM, "Claim")), on_answer);
}

/// Shows that a callback is due: clicking it opens the lead; its "Snooze" button puts it off.
pub fn show_callback(app: &AppHandle, lead_id: &str, body: String, on_answer: impl FnOnce(Answer) + Send + 'static) {
    show(app, lead_id, "Callback due".into(), body, Some((SNOOZE, "Snooze 10 min")), on_answer);
}

/// Shows a notification that opens the lead `lead_id`, with one more button, `(action, label)`.
fn show(
    app: &AppHandle,
    lead_id: &str,
    title: String,
    body: String,
    button: Option<(&'static str, &'static str)>,
    on_answer: impl FnOnce(Answer) + Send + 'static,
) {
    #[cfg(windows)]
    let app_id = app.config().identifier.clone();
    #[cfg(target_os = "linux")]
    let (app, lead_id) = (app.clone(), lead_id.to_owned());
    #[cfg(not(target_os = "linux"))]
    let _ = (app, lead_id);
    std::thread::spawn(move || {
        let mut n = notify_rust::Notification::new();
        n.summary(&title).action("default", "Open lead");
        if let Some((action, label)) = button {
            n.action(action, label);
        }
        #[cfg(target_os = "linux")]
        {
            let body = markup(&body);
            n.appname("Crokodial")
                .body(&body)
                .urgency(notify_rust::Urgency::Critical)
                .timeout(notify_rust::Timeout::Milliseconds(TIMEOUT_MS));
        }
        #[cfg(windows)]
        n.app_id(&app_id).body(&body).urgency(notify_rust::Urgency::Critical);
        #[cfg(target_os = "macos")]
        n.body(&body);
        let shown = match n.show() {
            Ok(shown) => shown,
            Err(e) => return tracing::warn!(error = %e, "cannot show a notification"),
        };
        #[cfg(target_os = "linux")]
        if let Some(ids) = app.try_state::<Shown>() {
            crokodial_client::lock(&ids.0).insert(lead_id.clone(), shown.id());
        }
        // The body (`Default`), "Open lead" or the other button (`Action`).
        let waited = shown.wait_for_response(|response: &NotificationResponse| match response {
            NotificationResponse::Action(action) if action == CLAIM => on_answer(Answer::Claim),
            NotificationResponse::Action(action) if action == SNOOZE => on_answer(Answer::Snooze),
            NotificationResponse::Default | NotificationResponse::Action(_) => on_answer(Answer::Open),
            _ => {}
        });
        if let Err(e) = waited {
            tracing::debug!(error = %e, "lost track of a notification");
        }
        // Gone (clicked, dismissed, timed out): nothing to replace any more.
        #[cfg(target_os = "linux")]
        if let Some(ids) = app.try_state::<Shown>() {
            crokodial_client::lock(&ids.0).remove(&lead_id);
        }
    });
}

/// Replaces a lead's notification by one saying why it is no longer the rep's to take (Linux;
/// elsewhere notify-rust cannot, and it stays until dismissed).
pub fn withdraw(app: &AppHandle, lead_id: &str, why: &str) {
    #[cfg(target_os = "linux")]
    {
        let Some(id) = app.try_state::<Shown>().and_then(|ids| crokodial_client::lock(&ids.0).remove(lead_id)) else {
            return;
        };
        let why = markup(why);
        std::thread::spawn(move || {
            let shown = notify_rust::Notification::new()
                .id(id)
                .appname("Crokodial")
                .summary("Lead taken")
                .body(&why)
                .timeout(notify_rust::Timeout::Milliseconds(WITHDRAWN_MS))
                .show();
            if let Err(e) = shown {
                tracing::debug!(error = %e, "cannot replace a notification");
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (app, lead_id, why);
}

/// Text for a Linux notification's body, which daemons read as markup.
#[cfg(target_os = "linux")]
fn markup(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// How long a replaced notification stays.
#[cfg(target_os = "linux")]
const WITHDRAWN_MS: u32 = 8000;

/// How long a Linux notification stays (a daemon may keep it shorter).
#[cfg(target_os = "linux")]
const TIMEOUT_MS: u32 = 10 * 60 * 1000;

/// What a lead's notification says: "New NextGen lead", "Rosa Diaz · (312) 555-0199 · IL".
fn text(lead: &LeadRow) -> (String, String) {
    let body = [Some(lead.name.clone()), lead.phone.clone(), lead.state.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    (format!("New {} lead", lead.source.as_deref().unwrap_or("vendor")), body)
}

/// Why the OS will keep a notification out of sight now, where a documented API tells: on
/// Windows, a full-screen app or game, presentation mode, or quiet time. Windows' Focus Assist /
/// Do not disturb is told by no documented API, and macOS tells an app its Focus only with an
/// entitlement (see the README); Linux daemons do not tell.
pub fn hidden_by_os() -> Option<&'static str> {
    #[cfg(windows)]
    return windows::notification_state();
    #[cfg(not(windows))]
    None
}

#[cfg(windows)]
mod windows {
    use windows_sys::Win32::UI::Shell::{
        SHQueryUserNotificationState, QUNS_APP, QUNS_BUSY, QUNS_PRESENTATION_MODE, QUNS_QUIET_TIME,
        QUNS_RUNNING_D3D_FULL_SCREEN,
    };

    /// Registers `app_id` for toasts, as Microsoft documents for apps without a package or a
    /// shortcut: `HKCU\Software\Classes\AppUserModelId\<id>` with the name toasts show.
    pub fn register_app_id(app_id: &str, name: &str) -> windows_registry::Result<()> {
        let key = windows_registry::CURRENT_USER.create(format!(r"Software\Classes\AppUserModelId\{app_id}"))?;
        if key.get_string("DisplayName").ok().as_deref() != Some(name) {
            key.set_string("DisplayName", name)?;
        }
        Ok(())
    }

    /// What `SHQueryUserNotificationState` says of the user's readiness for notifications.
    pub fn notification_state() -> Option<&'static str> {
        let mut state = 0;
        // SAFETY: the call writes one QUERY_USER_NOTIFICATION_STATE to the pointer it is given.
        if unsafe { SHQueryUserNotificationState(&mut state) } != 0 {
            return None;
        }
        match state {
            QUNS_QUIET_TIME => Some("Windows is in quiet time"),
            QUNS_BUSY => Some("a full-screen app is open, or Windows is in presentation settings"),
            QUNS_RUNNING_D3D_FULL_SCREEN => Some("a full-screen game or video is running"),
            QUNS_PRESENTATION_MODE => Some("Windows is in presentation mode"),
            QUNS_APP => Some("a Windows Store app is in full screen"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crokodial_core::lead::{Lead, LeadSource};

    use super::*;

    #[test]
    fn the_text_names_the_lead_and_its_source() {
        let mut lead = LeadRow::from(&Lead {
            name: "Rosa Diaz".into(),
            phone: Some("3125550199".into()),
            state: Some("IL".into()),
            source: Some(LeadSource::NextGen),
            ..Lead::default()
        });
        assert_eq!(text(&lead), ("New NextGen lead".into(), "Rosa Diaz · (312) 555-0199 · IL".into()));
        lead.source = None;
        lead.phone = None;
        assert_eq!(text(&lead), ("New vendor lead".into(), "Rosa Diaz · IL".into()));
    }
}
