//! The rep's calls (schema [`super::V7`]): each attempt is kept here the moment the rep presses
//! Call, with an id made here, and sent by the sync: our server keeps it once per id, with its
//! outcome; the deployed server only counts it (`/api/dial-counts`), and its counts per phone are
//! kept here too. A call is `pending` until the server has all of it: telling its outcome makes it
//! pending again (`rev` counts the changes, so an answer to an older send never marks a newer
//! change sent).

use chrono::{DateTime, Utc};
use crokodial_core::calls::{Call, CallTally, Outcome, NOTE_MAX};
use crokodial_core::{parse_rfc3339, phone, rfc3339, Lead};
use rusqlite::{params, OptionalExtension, Row};

use super::{CacheError, LeadCache};

/// A call as kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedCall {
    pub call: Call,
    /// Changes made to it here (the attempt is 0, each outcome told one more).
    pub rev: u32,
    /// The server has counted the attempt.
    pub counted: bool,
    pub state: CallState,
    /// Why the server refused it.
    pub detail: Option<String>,
}

/// A lead's calls in short, as this computer knows them: "Call (3) · last 2 h ago".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallCount {
    pub count: u32,
    /// Unknown when only the deployed server counted them (it keeps no times).
    pub last_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<Outcome>,
    /// Not to be called nor texted (see [`LeadCache::do_not_call`]).
    pub do_not_call: bool,
}

impl From<&CallTally> for CallCount {
    fn from(t: &CallTally) -> Self {
        CallCount { count: t.count, last_at: Some(t.last_at), last_outcome: t.last_outcome, do_not_call: false }
    }
}

/// Where a call stands with the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CallState {
    Pending,
    Synced,
    /// Refused for good (the lead is gone from the server): kept here, counted nowhere else.
    Failed,
}

impl CallState {
    fn parse(s: &str) -> Self {
        match s {
            "synced" => Self::Synced,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// Meta key: "1" when the server keeps the do-not-call list (ours), so a lead's own mark is the
/// truth once its call is sent; otherwise this computer keeps the "do not call" outcomes it was told.
const DNC_ON_SERVER: &str = "dnc_on_server";

const SELECT: &str = "SELECT id, lead_id, phone, at, outcome, note, rev, counted, state, detail FROM calls";

fn call_row(r: &Row<'_>) -> rusqlite::Result<QueuedCall> {
    let at: String = r.get(3)?;
    Ok(QueuedCall {
        call: Call {
            id: r.get(0)?,
            lead_id: r.get(1)?,
            phone: r.get(2)?,
            at: parse_rfc3339(&at).unwrap_or_default(),
            outcome: r.get::<_, Option<String>>(4)?.as_deref().and_then(Outcome::parse),
            note: r.get(5)?,
            by: None,
            by_name: None,
        },
        rev: r.get(6)?,
        counted: r.get(7)?,
        state: CallState::parse(&r.get::<_, String>(8)?),
        detail: r.get(9)?,
    })
}

/// Why a call cannot be kept.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("this lead has no phone number to call")]
    NoPhone,
    #[error("no call {0} on this computer")]
    NoSuchCall(String),
    #[error("the note is longer than {NOTE_MAX} characters")]
    NoteTooLong,
    #[error("this lead's phone is on the do-not-call list")]
    DoNotCall,
}

impl LeadCache {
    /// Keeps an attempt on a cached lead, made `at`, to its phone; pending.
    pub fn queue_call(&mut self, lead_id: &str, at: DateTime<Utc>) -> Result<Call, CacheError> {
        let lead = self.get(lead_id)?.ok_or_else(|| CacheError::NotCached(lead_id.to_owned()))?;
        let phone = lead.phone.as_deref().and_then(phone::normalize_us).ok_or(CallError::NoPhone)?;
        if self.do_not_call(&lead)? {
            return Err(CallError::DoNotCall.into());
        }
        let call = Call {
            id: format!("{:032x}", rand::random::<u128>()),
            lead_id: lead_id.to_owned(),
            phone,
            at,
            outcome: None,
            note: None,
            by: None,
            by_name: None,
        };
        self.conn.execute(
            "INSERT INTO calls (id, lead_id, phone, at) VALUES (?1, ?2, ?3, ?4)",
            params![call.id, call.lead_id, call.phone, rfc3339(at)],
        )?;
        Ok(call)
    }

    /// Tells how call `id` went (again, if the rep corrects it): pending until the server has it.
    pub fn tell_outcome(&mut self, id: &str, outcome: Outcome, note: Option<&str>) -> Result<Call, CacheError> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > NOTE_MAX) {
            return Err(CallError::NoteTooLong.into());
        }
        let changed = self.conn.execute(
            "UPDATE calls SET outcome = ?2, note = ?3, rev = rev + 1,
                    state = CASE state WHEN 'failed' THEN 'failed' ELSE 'pending' END
              WHERE id = ?1",
            params![id, outcome.as_str(), note],
        )?;
        if changed == 0 {
            return Err(CallError::NoSuchCall(id.to_owned()).into());
        }
        Ok(self.call(id)?.expect("just changed").call)
    }

    pub fn call(&self, id: &str) -> Result<Option<QueuedCall>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?;
        Ok(stmt.query_row([id], call_row).optional()?)
    }

    /// The calls the server does not have whole yet, oldest first.
    pub fn calls_to_send(&self) -> Result<Vec<QueuedCall>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SELECT} WHERE state = 'pending' ORDER BY at, id"))?;
        let calls = stmt.query_map([], call_row)?.collect::<Result<_, _>>()?;
        Ok(calls)
    }

    /// The server has call `id` as it was at `rev`: counted, and sent unless changed since.
    pub fn call_sent(&mut self, id: &str, rev: u32) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE calls SET counted = 1, detail = NULL,
                    state = CASE WHEN rev = ?2 THEN 'synced' ELSE state END
              WHERE id = ?1",
            params![id, rev],
        )?;
        Ok(())
    }

    /// The server refused call `id` for good, for `why`.
    pub fn call_failed(&mut self, id: &str, why: &str) -> Result<(), CacheError> {
        self.conn.execute("UPDATE calls SET state = 'failed', detail = ?2 WHERE id = ?1", params![id, why])?;
        Ok(())
    }

    /// The deployed server's count of the rep's dials to `phone` (10 digits).
    pub fn set_dial_count(&mut self, phone: &str, count: u32) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT INTO dial_counts (phone, count) VALUES (?1, ?2)
             ON CONFLICT (phone) DO UPDATE SET count = excluded.count",
            params![phone, count],
        )?;
        Ok(())
    }

    /// The calls made here on a lead, newest first.
    pub fn calls_of(&self, lead_id: &str) -> Result<Vec<QueuedCall>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SELECT} WHERE lead_id = ?1 ORDER BY at DESC, id"))?;
        let calls = stmt.query_map([lead_id], call_row)?.collect::<Result<_, _>>()?;
        Ok(calls)
    }

    /// Each lead's calls in short: what the server counted (our server's tally on the lead, else
    /// the deployed server's count for its phone) and the attempts made here it has not counted.
    pub fn call_counts(&self, leads: &[Lead]) -> Result<Vec<CallCount>, CacheError> {
        let mut here = self.conn.prepare_cached(
            "SELECT count(*) FILTER (WHERE counted = 0 AND state != 'failed'), max(at),
                    (SELECT outcome FROM calls WHERE lead_id = ?1 ORDER BY at DESC, id LIMIT 1)
               FROM calls WHERE lead_id = ?1",
        )?;
        let mut dials = self.conn.prepare_cached("SELECT count FROM dial_counts WHERE phone = ?1")?;
        let mut out = Vec::with_capacity(leads.len());
        for lead in leads {
            let (uncounted, last_here, outcome_here): (u32, Option<String>, Option<String>) =
                here.query_row([&lead.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let last_here = last_here.as_deref().and_then(parse_rfc3339);
            let mut count = match (&lead.calls, lead.phone.as_deref().and_then(phone::normalize_us)) {
                (Some(tally), _) => CallCount::from(tally),
                (None, Some(phone)) => CallCount {
                    count: dials.query_row([phone], |r| r.get(0)).optional()?.unwrap_or(0),
                    ..CallCount::default()
                },
                (None, None) => CallCount::default(),
            };
            count.count += uncounted;
            count.do_not_call = self.do_not_call(lead)?;
            if last_here.is_some() && last_here >= count.last_at {
                count.last_at = last_here;
                count.last_outcome = outcome_here.as_deref().and_then(Outcome::parse);
            }
            out.push(count);
        }
        Ok(out)
    }

    /// Whether the lead may not be called nor texted: its phone is on the agency's list (the
    /// lead's mark, ours), or a call to it here ended "do not call" (kept here against the
    /// deployed server, which has no list; against ours until the server has that call, and for
    /// good when it refused it).
    pub fn do_not_call(&self, lead: &Lead) -> Result<bool, CacheError> {
        if lead.do_not_call.is_some() {
            return Ok(true);
        }
        let Some(phone) = lead.phone.as_deref().and_then(phone::normalize_us) else { return Ok(false) };
        let on_server = self.meta(DNC_ON_SERVER)?.as_deref() == Some("1");
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM calls WHERE phone = ?1 AND outcome = 'dnc' AND (?2 = 0 OR state != 'synced'))",
            params![phone, on_server],
            |r| r.get(0),
        )?)
    }

    /// Says whether the server keeps the do-not-call list (see [`LeadCache::do_not_call`]).
    pub fn set_dnc_on_server(&self, yes: bool) -> Result<(), CacheError> {
        self.set_meta(DNC_ON_SERVER, if yes { "1" } else { "0" })
    }

    /// Attempts made here since `since` (the rep's dials today).
    pub fn dials_since(&self, since: DateTime<Utc>) -> Result<u32, CacheError> {
        Ok(self.conn.query_row("SELECT count(*) FROM calls WHERE at >= ?1", [rfc3339(since)], |r| r.get(0))?)
    }

    /// The newest call made here since `since` whose outcome is not told yet: what the rep is
    /// asked about when they come back.
    pub fn awaiting_outcome(&self, since: DateTime<Utc>) -> Result<Option<Call>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{SELECT} WHERE at >= ?1 AND outcome IS NULL AND state != 'failed' ORDER BY at DESC, id LIMIT 1"
        ))?;
        Ok(stmt.query_row([rfc3339(since)], call_row).optional()?.map(|q| q.call))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_with(lead: Lead) -> (tempfile::TempDir, LeadCache) {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = LeadCache::open_at(&dir.path().join("c.sqlite")).unwrap();
        cache.upsert(&[lead], None).unwrap();
        (dir, cache)
    }

    fn lead(phone: Option<&str>) -> Lead {
        Lead { id: "a".into(), name: "Ann".into(), phone: phone.map(Into::into), ..Lead::default() }
    }

    #[test]
    fn an_outcome_told_while_the_attempt_was_being_sent_is_sent_next() {
        let (_dir, mut c) = cache_with(lead(Some("(312) 555-0142")));
        let call = c.queue_call("a", Utc::now()).unwrap();
        let sending = c.calls_to_send().unwrap().remove(0);
        c.tell_outcome(&call.id, Outcome::Talked, Some("  ")).unwrap();
        c.call_sent(&call.id, sending.rev).unwrap();
        let now = c.call(&call.id).unwrap().unwrap();
        assert_eq!((now.state, now.counted, now.call.note), (CallState::Pending, true, None), "a blank note is none");
        c.call_sent(&call.id, now.rev).unwrap();
        assert_eq!(c.call(&call.id).unwrap().unwrap().state, CallState::Synced);
        assert!(c.calls_to_send().unwrap().is_empty());
    }

    #[test]
    fn a_lead_without_a_phone_an_unknown_call_and_a_long_note_are_refused() {
        let (_dir, mut c) = cache_with(lead(None));
        assert!(matches!(c.queue_call("a", Utc::now()), Err(CacheError::Call(CallError::NoPhone))));
        assert!(matches!(c.queue_call("b", Utc::now()), Err(CacheError::NotCached(_))));
        assert!(matches!(c.tell_outcome("x", Outcome::Talked, None), Err(CacheError::Call(CallError::NoSuchCall(_)))));
        c.upsert(&[lead(Some("3125550142"))], None).unwrap();
        let call = c.queue_call("a", Utc::now()).unwrap();
        let long = "x".repeat(NOTE_MAX + 1);
        assert!(matches!(
            c.tell_outcome(&call.id, Outcome::Talked, Some(&long)),
            Err(CacheError::Call(CallError::NoteTooLong))
        ));
    }

    #[test]
    fn a_do_not_call_outcome_stops_calls_here_until_a_server_with_a_list_has_it() {
        let (_dir, mut c) = cache_with(lead(Some("3125550142")));
        let call = c.queue_call("a", Utc::now()).unwrap();
        c.tell_outcome(&call.id, Outcome::DoNotCall, None).unwrap();
        assert!(matches!(c.queue_call("a", Utc::now()), Err(CacheError::Call(CallError::DoNotCall))));
        let rev = c.call(&call.id).unwrap().unwrap().rev;
        c.call_sent(&call.id, rev).unwrap();
        assert!(
            c.do_not_call(&lead(Some("(312) 555-0142"))).unwrap(),
            "the deployed server keeps no list: this computer does"
        );
        c.set_dnc_on_server(true).unwrap();
        assert!(!c.do_not_call(&lead(Some("3125550142"))).unwrap(), "ours does: the lead's own mark decides");
        let marked = Lead {
            do_not_call: Some(crokodial_core::calls::DoNotCall { by: "u".into(), name: "Cy".into(), at: Utc::now() }),
            ..lead(None)
        };
        assert!(c.do_not_call(&marked).unwrap());
        assert!(c.call_counts(&[marked]).unwrap()[0].do_not_call);
    }

    #[test]
    fn dials_today_and_the_call_to_ask_about() {
        let (_dir, mut c) = cache_with(lead(Some("3125550142")));
        let now = Utc::now();
        let h = |n: i64| now - chrono::Duration::hours(n);
        let old = c.queue_call("a", h(30)).unwrap();
        let told = c.queue_call("a", h(1)).unwrap();
        c.tell_outcome(&told.id, Outcome::Voicemail, None).unwrap();
        let open = c.queue_call("a", h(2)).unwrap();
        assert_eq!(c.dials_since(h(24)).unwrap(), 2);
        assert_eq!(c.awaiting_outcome(h(3)).unwrap().map(|call| call.id), Some(open.id), "the newest untold");
        assert_eq!(c.awaiting_outcome(h(1)).unwrap(), None);
        assert_ne!(old.id, told.id);
    }
}
