//! The rep's calls: kept in the cache the moment they press Call, with the outcome they tell on
//! coming back, and sent by the sync service (see `cache/calls.rs`).

use chrono::{DateTime, Local, Utc};
use crokodial_core::calls::{self, Call, DoNotCallEntry, Outcome};

use super::Account;
use crate::cache::{CacheError, CallCount, QueuedCall};
use crate::error::ClientError;

/// How long the lead's detail waits for the team's calls before counting this computer's.
const TEAM_CALLS_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// A call whose outcome is not told this long after is not asked about any more.
pub const ASK_OUTCOME_FOR: chrono::Duration = chrono::Duration::hours(2);

/// A lead's calls as this computer knows them.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadCalls {
    pub count: CallCount,
    /// The calls made here, newest first, with their sync state.
    pub here: Vec<QueuedCall>,
    /// Attempts made here in the last 24 hours (what a state's daily cap counts).
    pub in_a_day: u32,
}

impl Account {
    /// Records an attempt on a cached lead now (the rep pressed Call); the sync service sends it.
    pub async fn record_call(&self, lead_id: &str) -> Result<Call, CacheError> {
        let id = lead_id.to_owned();
        let call = self.shared.cache.run(move |c| c.queue_call(&id, Utc::now())).await?;
        self.shared.nudges.outbox.notify_one();
        Ok(call)
    }

    /// Tells how call `call_id` went (or corrects it); the sync service sends it.
    pub async fn tell_outcome(
        &self,
        call_id: &str,
        outcome: Outcome,
        note: Option<String>,
    ) -> Result<Call, CacheError> {
        let id = call_id.to_owned();
        let call = self.shared.cache.run(move |c| c.tell_outcome(&id, outcome, note.as_deref())).await?;
        self.shared.nudges.outbox.notify_one();
        Ok(call)
    }

    /// The lead's calls. `in_a_day` counts the whole team's attempts when our server is live and
    /// tells them (a state's cap is per person called, whoever calls), else those made here.
    pub async fn lead_calls(&self, lead_id: &str) -> Result<LeadCalls, CacheError> {
        // Only while live: an offline or unreachable server never delays opening a lead.
        let live = self.shared.state.borrow().connection.is_live();
        let team = match live && self.capabilities().await.calls {
            true => match tokio::time::timeout(TEAM_CALLS_WAIT, self.api().calls(lead_id)).await {
                Ok(Ok(calls)) => Some(calls),
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "the team's calls could not be read; counting this computer's");
                    None
                }
                Err(_) => None,
            },
            false => None,
        };
        let id = lead_id.to_owned();
        self.shared
            .cache
            .run(move |c| {
                let lead = c.get(&id)?.ok_or_else(|| CacheError::NotCached(id.clone()))?;
                let here = c.calls_of(&id)?;
                let mut times: Vec<DateTime<Utc>> = here.iter().map(|q| q.call.at).collect();
                if let Some(team) = team {
                    // The team's, and those made here the server does not have yet.
                    times = team.iter().map(|c| c.at).collect();
                    times.extend(here.iter().filter(|q| !team.iter().any(|t| t.id == q.call.id)).map(|q| q.call.at));
                }
                let in_a_day = calls::attempts_in_a_day(times, Utc::now());
                let count = c.call_counts(std::slice::from_ref(&lead))?.pop().unwrap_or_default();
                Ok(LeadCalls { count, here, in_a_day })
            })
            .await
    }

    /// The agency's do-not-call list (our server; `Unsupported` on the deployed one).
    pub async fn do_not_call_list(&self) -> Result<Vec<DoNotCallEntry>, ClientError> {
        self.api().do_not_call().await
    }

    /// Puts a phone on the agency's list (our server); its leads come back marked.
    pub async fn add_do_not_call(&self, phone: &str) -> Result<Vec<DoNotCallEntry>, ClientError> {
        let list = self.api().add_do_not_call(phone).await?;
        self.shared.nudges.sync.notify_one();
        Ok(list)
    }

    /// Takes a phone off the agency's list (admins, our server).
    pub async fn remove_do_not_call(&self, phone: &str) -> Result<Vec<DoNotCallEntry>, ClientError> {
        let list = self.api().remove_do_not_call(phone).await?;
        self.shared.nudges.sync.notify_one();
        Ok(list)
    }

    /// The rep's dials from this computer since midnight, on its clock.
    pub async fn dials_today(&self) -> Result<u32, CacheError> {
        let midnight = Local::now().date_naive().and_hms_opt(0, 0, 0).expect("midnight exists");
        let since = midnight.and_local_timezone(Local).earliest().map_or_else(Utc::now, |t| t.with_timezone(&Utc));
        self.shared.cache.run(move |c| c.dials_since(since)).await
    }

    /// The latest call of the last [`ASK_OUTCOME_FOR`] whose outcome is not told: what to ask the
    /// rep about when they come back (after a restart too).
    pub async fn awaiting_outcome(&self) -> Result<Option<Call>, CacheError> {
        let since: DateTime<Utc> = Utc::now() - ASK_OUTCOME_FOR;
        self.shared.cache.run(move |c| c.awaiting_outcome(since)).await
    }
}
