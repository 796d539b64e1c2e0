//! The import queue: a lead file's normalised leads, kept in batches until the server took each
//! (schema [`super::V5`]). An import is `reading` while its file is read, `pending` once whole,
//! then `sent`, `cancelled` or `failed`. A batch leaves the queue in the transaction that counts
//! what the server did with it, so a crash between the two resends it, and the server (which
//! takes a batch once per id, or upserts by phone) does not duplicate it.

use chrono::Utc;
use crokodial_core::api::ImportStats;
use crokodial_core::Lead;
use rusqlite::{params, OptionalExtension};

use super::{CacheError, LeadCache};

/// Where an import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportState {
    Reading,
    /// Read whole; batches wait to be sent.
    Pending,
    Sent,
    Cancelled,
    Failed,
}

impl ImportState {
    fn parse(s: &str) -> Self {
        match s {
            "reading" => Self::Reading,
            "pending" => Self::Pending,
            "sent" => Self::Sent,
            "cancelled" => Self::Cancelled,
            _ => Self::Failed,
        }
    }
}

/// An import as the queue has it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedImport {
    pub id: String,
    /// The tag its leads carry, e.g. "NextGen Leads 2026-12-01".
    pub tag: String,
    /// The file's name.
    pub file: String,
    pub state: ImportState,
    /// Leads read from the file.
    pub leads: u64,
    /// Leads the server has taken so far.
    pub sent: u64,
    pub stats: ImportStats,
    /// Why it failed.
    pub detail: Option<String>,
}

/// One batch waiting to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportBatchToSend {
    pub import_id: String,
    /// The import's file name.
    pub file: String,
    pub index: u32,
    pub leads: Vec<Lead>,
}

impl ImportBatchToSend {
    /// The batch's id on the server: the same on every resend.
    pub fn batch_id(&self) -> String {
        format!("{}:{}", self.import_id, self.index)
    }
}

impl LeadCache {
    /// Starts an import. An import a killed process left half read is dropped: its file is read
    /// again from the start by whoever imports it again.
    pub fn begin_import(&mut self, id: &str, tag: &str, file: &str) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM imports WHERE state = 'reading'", [])?;
        tx.execute(
            "INSERT INTO imports (id, tag, file, made_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, tag, file, crokodial_core::rfc3339(Utc::now())],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps batch `index` of import `id`.
    pub fn add_import_batch(&mut self, id: &str, index: u32, leads: &[Lead]) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO import_batches (import_id, idx, leads) VALUES (?1, ?2, ?3)",
            params![id, index, serde_json::to_string(leads)?],
        )?;
        tx.execute("UPDATE imports SET leads = leads + ?2 WHERE id = ?1", params![id, leads.len() as u64])?;
        tx.commit()?;
        Ok(())
    }

    /// The file is read whole: its batches may be sent.
    pub fn import_read(&mut self, id: &str) -> Result<(), CacheError> {
        self.conn.execute("UPDATE imports SET state = 'pending' WHERE id = ?1 AND state = 'reading'", [id])?;
        Ok(())
    }

    /// Forgets an import that was never sent (its reading was cancelled or failed).
    pub fn drop_import(&mut self, id: &str) -> Result<(), CacheError> {
        self.conn.execute("DELETE FROM imports WHERE id = ?1", [id])?;
        Ok(())
    }

    /// The user cancelled the import: what was sent stays sent, the rest is dropped.
    pub fn cancel_import(&mut self, id: &str) -> Result<(), CacheError> {
        self.end_import(id, "cancelled", None)
    }

    /// The server refused the import (`why`): what was sent stays sent, the rest is dropped.
    pub fn fail_import(&mut self, id: &str, why: &str) -> Result<(), CacheError> {
        self.end_import(id, "failed", Some(why))
    }

    fn end_import(&mut self, id: &str, state: &str, detail: Option<&str>) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM import_batches WHERE import_id = ?1", [id])?;
        tx.execute("UPDATE imports SET state = ?2, detail = ?3 WHERE id = ?1", params![id, state, detail])?;
        tx.commit()?;
        Ok(())
    }

    /// The oldest pending import's next batch.
    pub fn next_import_batch(&self) -> Result<Option<ImportBatchToSend>, CacheError> {
        let row = self
            .conn
            .query_row(
                "SELECT b.import_id, i.file, b.idx, b.leads FROM import_batches b JOIN imports i ON i.id = b.import_id
                 WHERE i.state = 'pending' ORDER BY i.made_at, i.id, b.idx LIMIT 1",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?, r.get::<_, String>(3)?)),
            )
            .optional()?;
        let Some((import_id, file, index, leads)) = row else { return Ok(None) };
        Ok(Some(ImportBatchToSend { import_id, file, index, leads: serde_json::from_str(&leads)? }))
    }

    /// The server took `batch`: it leaves the queue and its counts are added, in one transaction.
    pub fn import_batch_sent(&mut self, batch: &ImportBatchToSend, stats: ImportStats) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM import_batches WHERE import_id = ?1 AND idx = ?2",
            params![batch.import_id, batch.index],
        )?;
        tx.execute(
            "UPDATE imports SET sent = sent + ?2, imported = imported + ?3, updated = updated + ?4,
                    unchanged = unchanged + ?5,
                    state = CASE WHEN EXISTS (SELECT 1 FROM import_batches WHERE import_id = ?1) THEN state ELSE 'sent' END
             WHERE id = ?1",
            params![batch.import_id, batch.leads.len() as u64, stats.imported, stats.updated, stats.unchanged],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn import(&self, id: &str) -> Result<Option<QueuedImport>, CacheError> {
        Ok(self.imports_where("id = ?1", [id])?.pop())
    }

    /// Imports read whole and not yet sent, oldest first.
    pub fn pending_imports(&self) -> Result<Vec<QueuedImport>, CacheError> {
        self.imports_where("state = 'pending'", [])
    }

    fn imports_where(&self, filter: &str, args: impl rusqlite::Params) -> Result<Vec<QueuedImport>, CacheError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id, tag, file, state, leads, sent, imported, updated, unchanged, detail FROM imports
             WHERE {filter} ORDER BY made_at, id"
        ))?;
        let rows = stmt.query_map(args, |r| {
            Ok(QueuedImport {
                id: r.get(0)?,
                tag: r.get(1)?,
                file: r.get(2)?,
                state: ImportState::parse(&r.get::<_, String>(3)?),
                leads: r.get(4)?,
                sent: r.get(5)?,
                stats: ImportStats { imported: r.get(6)?, updated: r.get(7)?, unchanged: r.get(8)? },
                detail: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(phone: &str) -> Lead {
        Lead { name: "Ann Lee".into(), phone: Some(phone.into()), ..Lead::default() }
    }

    #[test]
    fn batches_leave_the_queue_as_the_server_takes_them_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let mut cache = LeadCache::open_at(&path).unwrap();
        cache.begin_import("i1", "NextGen 2026-12-01", "leads.csv").unwrap();
        cache.add_import_batch("i1", 0, &[lead("3125550100"), lead("3125550101")]).unwrap();
        cache.add_import_batch("i1", 1, &[lead("3125550102")]).unwrap();
        assert_eq!(cache.next_import_batch().unwrap(), None, "nothing is sent while the file is read");
        cache.import_read("i1").unwrap();
        drop(cache);

        let mut cache = LeadCache::open_at(&path).unwrap();
        let first = cache.next_import_batch().unwrap().unwrap();
        assert_eq!((first.batch_id(), first.leads.len()), ("i1:0".to_owned(), 2));
        cache.import_batch_sent(&first, ImportStats { imported: 1, updated: 1, unchanged: 0 }).unwrap();
        let second = cache.next_import_batch().unwrap().unwrap();
        assert_eq!(second.index, 1);
        assert_eq!(cache.import("i1").unwrap().unwrap().state, ImportState::Pending);
        cache.import_batch_sent(&second, ImportStats { imported: 1, updated: 0, unchanged: 0 }).unwrap();
        let done = cache.import("i1").unwrap().unwrap();
        assert_eq!((done.state, done.leads, done.sent), (ImportState::Sent, 3, 3));
        assert_eq!(done.stats, ImportStats { imported: 2, updated: 1, unchanged: 0 });
        assert_eq!(cache.next_import_batch().unwrap(), None);
    }

    #[test]
    fn a_half_read_import_is_dropped_and_a_cancelled_or_refused_one_keeps_what_was_sent() {
        let mut cache = LeadCache::open_at(&tempfile::tempdir().unwrap().path().join("c.sqlite")).unwrap();
        cache.begin_import("killed", "t", "a.csv").unwrap();
        cache.add_import_batch("killed", 0, &[lead("3125550100")]).unwrap();
        cache.begin_import("i2", "t", "b.csv").unwrap();
        assert_eq!(cache.import("killed").unwrap(), None, "a process killed mid-read left it");

        cache.add_import_batch("i2", 0, &[lead("3125550100")]).unwrap();
        cache.add_import_batch("i2", 1, &[lead("3125550101")]).unwrap();
        cache.import_read("i2").unwrap();
        let first = cache.next_import_batch().unwrap().unwrap();
        cache.import_batch_sent(&first, ImportStats { imported: 1, ..ImportStats::default() }).unwrap();
        cache.cancel_import("i2").unwrap();
        let ended = cache.import("i2").unwrap().unwrap();
        assert_eq!((ended.state, ended.sent, ended.stats.imported), (ImportState::Cancelled, 1, 1));
        assert_eq!(cache.next_import_batch().unwrap(), None);
        assert!(cache.pending_imports().unwrap().is_empty());

        cache.begin_import("i3", "t", "c.csv").unwrap();
        cache.add_import_batch("i3", 0, &[lead("3125550102")]).unwrap();
        cache.import_read("i3").unwrap();
        cache.fail_import("i3", "the server said no").unwrap();
        let failed = cache.import("i3").unwrap().unwrap();
        assert_eq!((failed.state, failed.detail.as_deref()), (ImportState::Failed, Some("the server said no")));
        assert_eq!(cache.next_import_batch().unwrap(), None, "a refused import is not sent again");
    }
}
