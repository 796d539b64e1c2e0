//! The rep's follow-ups: callbacks, which ring when due (their own sound, an event the front ends
//! show), and pinned leads. Kept in the cache and sent by the sync service to our server; against
//! the deployed server they stay on this computer.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Local, Utc};
use crokodial_core::followups::{FollowUp, Preset};
use crokodial_core::Lead;
use tokio::sync::watch;

use super::{Account, AccountEvent, Shared};
use crate::alert::{AlertPlayer, Sound};
use crate::cache::CacheError;
use crate::settings::Settings;

/// The reminder looks at the wall clock at least this often (timers stall while a laptop sleeps).
const LOOK_EVERY: Duration = Duration::from_secs(30);

/// When a callback is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A quick choice, in the lead's own time (this computer's, when the lead's is unknown).
    Preset(Preset),
    At(DateTime<Utc>),
}

/// A callback come due, with its lead (when cached).
#[derive(Debug, Clone, PartialEq)]
pub struct DueCallback {
    pub followup: FollowUp,
    pub lead: Option<Lead>,
}

/// Why a callback could not be scheduled.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0} has passed for today in the lead's time")]
    Passed(&'static str),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl Account {
    /// Schedules a callback on a cached lead; the sync service sends it.
    pub async fn schedule_callback(
        &self,
        lead_id: &str,
        when: When,
        note: Option<String>,
    ) -> Result<FollowUp, ScheduleError> {
        let lead = self.lead(lead_id).await?;
        let due = match when {
            When::At(at) => at,
            When::Preset(p) => {
                let zone = crokodial_core::textdrip::lead_tz(&lead);
                let now = Utc::now();
                match zone {
                    Some(zone) => p.due(&zone, now),
                    None => p.due(&Local, now),
                }
                .ok_or(ScheduleError::Passed(p.label()))?
            }
        };
        let id = lead_id.to_owned();
        let f = self.shared.cache.run(move |c| c.schedule_callback(&id, due, note.as_deref())).await?;
        self.followups_changed();
        Ok(f)
    }

    /// Moves a callback to `due` (a snooze); it rings again then.
    pub async fn reschedule(&self, id: &str, due: DateTime<Utc>) -> Result<FollowUp, CacheError> {
        let id = id.to_owned();
        let f = self.shared.cache.run(move |c| c.reschedule(&id, due)).await?;
        self.followups_changed();
        Ok(f)
    }

    /// The rep called back: done.
    pub async fn finish_callback(&self, id: &str) -> Result<FollowUp, CacheError> {
        let id = id.to_owned();
        let f = self.shared.cache.run(move |c| c.finish_callback(&id)).await?;
        self.followups_changed();
        Ok(f)
    }

    pub async fn remove_followup(&self, id: &str) -> Result<(), CacheError> {
        let id = id.to_owned();
        self.shared.cache.run(move |c| c.remove_followup(&id)).await?;
        self.followups_changed();
        Ok(())
    }

    pub async fn set_pinned(&self, lead_id: &str, pinned: bool) -> Result<(), CacheError> {
        let id = lead_id.to_owned();
        self.shared.cache.run(move |c| c.set_pinned(&id, pinned)).await?;
        self.followups_changed();
        Ok(())
    }

    /// The rep's follow-ups with their leads: callbacks by due time, then pins.
    pub async fn followups(&self, with_done: bool) -> Result<Vec<(FollowUp, Option<Lead>)>, CacheError> {
        self.shared
            .cache
            .run(move |c| {
                c.followups(with_done)?
                    .into_iter()
                    .map(|f| Ok((c.get(&f.lead_id)?, f)))
                    .collect::<Result<Vec<_>, CacheError>>()
            })
            .await
            .map(|v| v.into_iter().map(|(lead, f)| (f, lead)).collect())
    }

    fn followups_changed(&self) {
        self.shared.nudges.outbox.notify_one();
        self.shared.nudges.followups.notify_one();
    }
}

/// Rings each callback once when it comes due (at start, those that came due meanwhile), until
/// the account goes: the reminder sound, unless muted or in quiet hours, and a
/// [`AccountEvent::CallbackDue`].
pub(super) async fn remind(shared: Arc<Shared>, alert: AlertPlayer, settings: watch::Receiver<Settings>) {
    loop {
        let now = Utc::now();
        let due = match shared.cache.run(move |c| c.callbacks_to_alert(now)).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the callbacks");
                Vec::new()
            }
        };
        for followup in due {
            let (id, at) = (followup.id.clone(), followup.due.unwrap_or(now));
            if let Err(e) = shared.cache.run(move |c| c.callback_alerted(&id, at)).await {
                tracing::warn!(error = %e, "cannot mark a callback rung");
            }
            let alerts = settings.borrow().alerts.clone();
            match alerts.hush(now, Local::now().time()) {
                None => drop(alert.play(Sound::Reminder, alerts.volume)),
                Some(hush) => tracing::info!(?hush, "a callback is due, hushed"),
            }
            let lead_id = followup.lead_id.clone();
            let lead = shared.cache.run(move |c| c.get(&lead_id)).await.ok().flatten();
            tracing::info!(callback = %followup.id, "a callback is due");
            shared.emit(AccountEvent::CallbackDue(Box::new(DueCallback { followup, lead })));
        }
        let next = shared.cache.run(move |c| c.next_callback_due(now)).await.ok().flatten();
        // Come due meanwhile (a negative wait): at once.
        let wait = next.map_or(LOOK_EVERY, |d| (d - Utc::now()).to_std().unwrap_or_default().min(LOOK_EVERY));
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shared.nudges.followups.notified() => {}
        }
    }
}
