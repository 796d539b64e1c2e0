//! The rep's follow-ups (schema [`super::V8`]): callbacks and pinned leads, written here first.
//! Against our server the sync sends each change (`pending`; an unpin or a removal is `deleted`
//! until the server forgets it) and brings the rep's list from other computers; against the
//! deployed server they stay here. `alerted_for` is the due time this computer last alerted for,
//! so a callback rings once per due time, across restarts.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use crokodial_core::followups::{pin_id, FollowUp, NOTE_MAX};
use crokodial_core::{parse_rfc3339, rfc3339};
use rusqlite::{params, OptionalExtension, Row};

use super::{CacheError, LeadCache};

const SELECT: &str = "SELECT id, lead_id, due, note, done_at, updated_at, state FROM followups";

fn time(t: Option<String>) -> Option<DateTime<Utc>> {
    t.as_deref().and_then(parse_rfc3339)
}

fn row(r: &Row<'_>) -> rusqlite::Result<(FollowUp, String)> {
    Ok((
        FollowUp {
            id: r.get(0)?,
            lead_id: r.get(1)?,
            due: time(r.get(2)?),
            note: r.get(3)?,
            done_at: time(r.get(4)?),
            updated_at: time(r.get(5)?).unwrap_or_default(),
        },
        r.get(6)?,
    ))
}

/// Why a follow-up cannot be kept.
#[derive(Debug, thiserror::Error)]
pub enum FollowUpError {
    #[error("no callback {0} on this computer")]
    NoSuch(String),
    #[error("the note is longer than {NOTE_MAX} characters")]
    NoteTooLong,
}

/// A change to send: written, or to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpChange {
    Put(FollowUp),
    Delete(String),
}

impl LeadCache {
    /// Writes a follow-up made or changed here (pending), in one statement; its times are kept
    /// to the millisecond, as the wire carries them.
    fn write_followup(&self, f: &mut FollowUp) -> Result<(), CacheError> {
        let ms = |t: DateTime<Utc>| t.trunc_subsecs(3);
        f.due = f.due.map(ms);
        f.done_at = f.done_at.map(ms);
        f.updated_at = ms(f.updated_at);
        self.conn.execute(
            "INSERT INTO followups (id, lead_id, due, note, done_at, updated_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')
             ON CONFLICT (id) DO UPDATE SET
                 lead_id = excluded.lead_id, due = excluded.due, note = excluded.note,
                 done_at = excluded.done_at, updated_at = excluded.updated_at, state = 'pending'",
            params![f.id, f.lead_id, f.due.map(rfc3339), f.note, f.done_at.map(rfc3339), rfc3339(f.updated_at)],
        )?;
        Ok(())
    }

    /// A new callback on a cached lead at `due`.
    pub fn schedule_callback(
        &mut self,
        lead_id: &str,
        due: DateTime<Utc>,
        note: Option<&str>,
    ) -> Result<FollowUp, CacheError> {
        if self.get(lead_id)?.is_none() {
            return Err(CacheError::NotCached(lead_id.to_owned()));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > NOTE_MAX) {
            return Err(FollowUpError::NoteTooLong.into());
        }
        let mut f = FollowUp {
            id: format!("cb-{:032x}", rand::random::<u128>()),
            lead_id: lead_id.to_owned(),
            due: Some(due),
            note: note.map(str::to_owned),
            done_at: None,
            updated_at: Utc::now(),
        };
        self.write_followup(&mut f)?;
        Ok(f)
    }

    pub fn followup(&self, id: &str) -> Result<Option<FollowUp>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SELECT} WHERE id = ?1 AND state != 'deleted'"))?;
        Ok(stmt.query_row([id], row).optional()?.map(|(f, _)| f))
    }

    fn change(&self, id: &str, change: impl FnOnce(&mut FollowUp)) -> Result<FollowUp, CacheError> {
        let mut f = self.followup(id)?.ok_or_else(|| FollowUpError::NoSuch(id.to_owned()))?;
        change(&mut f);
        f.updated_at = Utc::now().max(f.updated_at + Duration::milliseconds(1));
        self.write_followup(&mut f)?;
        Ok(f)
    }

    /// Moves a callback to `due` (a snooze, or a new time); it rings again then.
    pub fn reschedule(&mut self, id: &str, due: DateTime<Utc>) -> Result<FollowUp, CacheError> {
        self.change(id, |f| {
            f.due = Some(due);
            f.done_at = None;
        })
    }

    /// The rep called back: done.
    pub fn finish_callback(&mut self, id: &str) -> Result<FollowUp, CacheError> {
        self.change(id, |f| f.done_at = Some(Utc::now()))
    }

    /// Removes a follow-up (a callback no longer wanted, a lead unpinned).
    pub fn remove_followup(&mut self, id: &str) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE followups SET state = 'deleted', updated_at = ?2 WHERE id = ?1",
            params![id, rfc3339(Utc::now())],
        )?;
        Ok(())
    }

    /// Pins a cached lead to the follow-up strip, or unpins it.
    pub fn set_pinned(&mut self, lead_id: &str, pinned: bool) -> Result<(), CacheError> {
        let id = pin_id(lead_id);
        if !pinned {
            return self.remove_followup(&id);
        }
        if self.get(lead_id)?.is_none() {
            return Err(CacheError::NotCached(lead_id.to_owned()));
        }
        let mut f =
            FollowUp { id, lead_id: lead_id.to_owned(), due: None, note: None, done_at: None, updated_at: Utc::now() };
        self.write_followup(&mut f)
    }

    /// The rep's follow-ups: callbacks by due time, then pins; done ones only when `with_done`.
    pub fn followups(&self, with_done: bool) -> Result<Vec<FollowUp>, CacheError> {
        let done = if with_done { "" } else { "AND done_at IS NULL" };
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT} WHERE state != 'deleted' {done} ORDER BY due IS NULL, due, id"))?;
        let found = stmt.query_map([], row)?.map(|r| r.map(|(f, _)| f)).collect::<Result<_, _>>()?;
        Ok(found)
    }

    /// Whether a lead is pinned.
    pub fn is_pinned(&self, lead_id: &str) -> Result<bool, CacheError> {
        Ok(self.followup(&pin_id(lead_id))?.is_some_and(|f| f.done_at.is_none()))
    }

    /// The open callbacks due at or before `now` that this computer has not alerted for at
    /// their due time, oldest first.
    pub fn callbacks_to_alert(&self, now: DateTime<Utc>) -> Result<Vec<FollowUp>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{SELECT} WHERE state != 'deleted' AND done_at IS NULL AND due IS NOT NULL AND due <= ?1
               AND (alerted_for IS NULL OR alerted_for != due) ORDER BY due, id"
        ))?;
        let found = stmt.query_map([rfc3339(now)], row)?.map(|r| r.map(|(f, _)| f)).collect::<Result<_, _>>()?;
        Ok(found)
    }

    /// The next due time after `now` of an open callback not alerted for yet.
    pub fn next_callback_due(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, CacheError> {
        let due: Option<String> = self.conn.query_row(
            "SELECT min(due) FROM followups WHERE state != 'deleted' AND done_at IS NULL AND due > ?1
               AND (alerted_for IS NULL OR alerted_for != due)",
            [rfc3339(now)],
            |r| r.get(0),
        )?;
        Ok(time(due))
    }

    /// This computer alerted for callback `id` at its due time `due`.
    pub fn callback_alerted(&mut self, id: &str, due: DateTime<Utc>) -> Result<(), CacheError> {
        self.conn.execute("UPDATE followups SET alerted_for = ?2 WHERE id = ?1", params![id, rfc3339(due)])?;
        Ok(())
    }

    /// The changes the server does not have yet, oldest first.
    pub fn followups_to_send(&self) -> Result<Vec<FollowUpChange>, CacheError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT} WHERE state IN ('pending', 'deleted') ORDER BY updated_at, id"))?;
        let found = stmt
            .query_map([], row)?
            .map(|r| {
                r.map(|(f, state)| match state.as_str() {
                    "deleted" => FollowUpChange::Delete(f.id),
                    _ => FollowUpChange::Put(f),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(found)
    }

    /// The server has `sent` (unless changed here since); a deletion is forgotten.
    pub fn followup_sent(&mut self, change: &FollowUpChange) -> Result<(), CacheError> {
        match change {
            FollowUpChange::Put(f) => self.conn.execute(
                "UPDATE followups SET state = 'synced' WHERE id = ?1 AND state = 'pending' AND updated_at = ?2",
                params![f.id, rfc3339(f.updated_at)],
            )?,
            FollowUpChange::Delete(id) => {
                self.conn.execute("DELETE FROM followups WHERE id = ?1 AND state = 'deleted'", [id])?
            }
        };
        Ok(())
    }

    /// Forgets a follow-up here (the server refused it).
    pub fn forget_followup(&mut self, id: &str) -> Result<(), CacheError> {
        self.conn.execute("DELETE FROM followups WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Takes the rep's list as the server has it: what changed on other computers comes in
    /// (unless changed here since), and what is gone from it (removed elsewhere) is forgotten.
    /// A callback keeps the alert already given for its due time.
    pub fn merge_followups(&mut self, server: &[FollowUp]) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        tx.execute("CREATE TEMP TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY)", [])?;
        tx.execute("DELETE FROM temp.seen", [])?;
        for f in server {
            tx.execute("INSERT OR IGNORE INTO temp.seen (id) VALUES (?1)", [&f.id])?;
            tx.execute(
                "INSERT INTO followups (id, lead_id, due, note, done_at, updated_at, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'synced')
                 ON CONFLICT (id) DO UPDATE SET
                     lead_id = excluded.lead_id, due = excluded.due, note = excluded.note,
                     done_at = excluded.done_at, updated_at = excluded.updated_at, state = 'synced'
                 WHERE followups.state = 'synced' OR excluded.updated_at > followups.updated_at",
                params![f.id, f.lead_id, f.due.map(rfc3339), f.note, f.done_at.map(rfc3339), rfc3339(f.updated_at)],
            )?;
        }
        tx.execute("DELETE FROM followups WHERE state = 'synced' AND id NOT IN (SELECT id FROM temp.seen)", [])?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crokodial_core::Lead;

    fn cache() -> (tempfile::TempDir, LeadCache) {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = LeadCache::open_at(&dir.path().join("c.sqlite")).unwrap();
        cache.upsert(&[Lead { id: "a".into(), name: "Ann".into(), ..Lead::default() }], None).unwrap();
        (dir, cache)
    }

    #[test]
    fn a_callback_alerts_once_per_due_time_and_again_when_snoozed() {
        let (_dir, mut c) = cache();
        let now = Utc::now();
        let soon = c.schedule_callback("a", now + Duration::minutes(5), Some(" after lunch ")).unwrap();
        assert_eq!(soon.note.as_deref(), Some("after lunch"));
        assert_eq!(c.next_callback_due(now).unwrap(), soon.due);
        assert!(c.callbacks_to_alert(now).unwrap().is_empty(), "not due yet");
        let later = now + Duration::minutes(6);
        assert_eq!(c.callbacks_to_alert(later).unwrap(), std::slice::from_ref(&soon));
        c.callback_alerted(&soon.id, soon.due.unwrap()).unwrap();
        assert!(c.callbacks_to_alert(later).unwrap().is_empty(), "once");
        assert_eq!(c.next_callback_due(now).unwrap(), None);

        let snoozed = c.reschedule(&soon.id, later + Duration::minutes(10)).unwrap();
        assert!(snoozed.updated_at > soon.updated_at);
        assert_eq!(c.callbacks_to_alert(later + Duration::minutes(10)).unwrap().len(), 1, "rings again");
        c.finish_callback(&soon.id).unwrap();
        assert!(c.callbacks_to_alert(later + Duration::hours(1)).unwrap().is_empty(), "done");
        assert!(c.followups(false).unwrap().is_empty() && c.followups(true).unwrap().len() == 1);
        assert!(matches!(c.schedule_callback("zz", now, None), Err(CacheError::NotCached(_))));
        assert!(matches!(c.reschedule("nope", now), Err(CacheError::FollowUp(FollowUpError::NoSuch(_)))));
    }

    #[test]
    fn the_servers_list_comes_in_without_losing_a_change_made_here() {
        let (_dir, mut c) = cache();
        let now = Utc::now().trunc_subsecs(3);
        c.set_pinned("a", true).unwrap();
        assert!(c.is_pinned("a").unwrap());
        let mine = c.schedule_callback("a", now + Duration::hours(1), None).unwrap();
        let sent: Vec<_> = c.followups_to_send().unwrap();
        assert_eq!(sent.len(), 2);
        for change in &sent {
            c.followup_sent(change).unwrap();
        }
        assert!(c.followups_to_send().unwrap().is_empty());

        // Another computer moved the callback and added one; the pin was removed there.
        let moved =
            FollowUp { due: Some(now + Duration::hours(3)), updated_at: now + Duration::seconds(5), ..mine.clone() };
        let theirs = FollowUp { id: "cb-theirs".into(), ..moved.clone() };
        c.merge_followups(&[moved.clone(), theirs.clone()]).unwrap();
        assert_eq!(c.followup(&mine.id).unwrap().unwrap().due, moved.due);
        assert!(!c.is_pinned("a").unwrap(), "removed elsewhere");
        assert_eq!(c.followups(false).unwrap().len(), 2);

        // Changed here, then an older copy from the server: ours stays, pending.
        let ours = c.reschedule(&mine.id, now + Duration::hours(4)).unwrap();
        c.merge_followups(&[moved, theirs]).unwrap();
        assert_eq!(c.followup(&mine.id).unwrap().unwrap().due, ours.due);
        assert_eq!(c.followups_to_send().unwrap(), [FollowUpChange::Put(ours)]);
        c.remove_followup("cb-theirs").unwrap();
        assert!(c.followups_to_send().unwrap().contains(&FollowUpChange::Delete("cb-theirs".into())));
    }
}
