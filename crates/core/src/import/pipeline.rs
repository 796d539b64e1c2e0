//! A whole file on several threads: one reads rows, two normalise them, and the caller's thread
//! settles them in file order (repeats, counts) and hands each outcome on. Rows are independent
//! until they are settled, so only that last step is sequential; the outcomes are exactly those
//! of [`Import::next_outcome`], in the same order.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex, PoisonError};

use csv::ByteRecord;

use super::{settle, FileError, Import, ImportError, Normalised, Outcome, OwnedRow, RowReader, Tally};

/// Rows read and normalised at a time.
const BATCH: usize = 1024;
const NORMALISERS: usize = 2;

/// Why [`Import::run`] stopped early.
#[derive(Debug)]
pub enum RunError<E> {
    Import(ImportError),
    /// The caller's `each` failed.
    Stopped(E),
}

impl<E: From<ImportError>> RunError<E> {
    /// The caller's error, the import's as one of them.
    pub fn into_inner(self) -> E {
        match self {
            Self::Import(e) => e.into(),
            Self::Stopped(e) => e,
        }
    }
}

/// How far a run is, beside each outcome.
#[derive(Debug, Clone, Copy)]
pub struct RunProgress<'a> {
    pub tally: &'a Tally,
    /// Bytes of the file read so far (ahead of the outcome by the rows being normalised).
    pub bytes_read: u64,
}

impl<R: Read + Send> Import<R> {
    /// Reads the rest of the file, handing each row's outcome to `each` in file order; `each`
    /// may stop the run with an error. On a machine with several cores, rows are read and
    /// normalised on other threads meanwhile.
    pub fn run<E>(
        &mut self,
        mut each: impl FnMut(Outcome, RunProgress<'_>) -> Result<(), E>,
    ) -> Result<(), RunError<E>> {
        // The preview's rows, and every row on a machine of one core, one at a time (and a file
        // that cannot be leads gets its reason from `next_outcome`).
        let parallel = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
        while !parallel || self.replay.len() > 0 || self.mapping.is_none() {
            let Some(outcome) = self.next_outcome().map_err(RunError::Import)? else { return Ok(()) };
            let progress = RunProgress { tally: &self.tally, bytes_read: self.file.bytes_read() };
            each(outcome, progress).map_err(RunError::Stopped)?;
        }
        let Import { file, preview, mapping, today, in_file, tally, .. } = self;
        let mapping = mapping.as_ref().expect("a file without a mapping stopped above");
        let rows = RowReader::new(mapping, &preview.headers, *today);

        let bytes_read = AtomicU64::new(file.bytes_read());
        let failed: Mutex<Option<FileError>> = Mutex::new(None);
        // Taken away (dropped) to stop the reader and the normalisers early.
        let (raw_tx, raw_rx) = mpsc::sync_channel::<(usize, Vec<OwnedRow>)>(NORMALISERS * 2);
        let raw_rx = Mutex::new(Some(raw_rx));
        let (done_tx, done_rx) = mpsc::sync_channel::<(usize, Vec<Normalised>, Vec<ByteRecord>)>(NORMALISERS * 2);
        let (spare_tx, spare_rx) = mpsc::channel::<Vec<ByteRecord>>();
        let outcome = std::thread::scope(|s| {
            let (bytes_read, failed, raw_rx, rows) = (&bytes_read, &failed, &raw_rx, &rows);
            s.spawn(move || {
                let mut spare = Vec::new();
                for index in 0.. {
                    spare.extend(spare_rx.try_iter().flatten());
                    let mut batch = Vec::with_capacity(BATCH);
                    let mut end = false;
                    while batch.len() < BATCH && !end {
                        match file.next_owned_row(spare.pop().unwrap_or_default()) {
                            Ok(Some(row)) => batch.push(row),
                            Ok(None) => end = true,
                            Err(e) => {
                                *failed.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                                end = true;
                            }
                        }
                    }
                    bytes_read.store(file.bytes_read(), Ordering::Relaxed);
                    if (!batch.is_empty() && raw_tx.send((index, batch)).is_err()) || end {
                        break;
                    }
                }
            });
            for _ in 0..NORMALISERS {
                let done_tx = done_tx.clone();
                s.spawn(move || loop {
                    let job = match raw_rx.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
                        Some(rx) => rx.recv(),
                        None => break,
                    };
                    let Ok((index, batch)) = job else { break };
                    let normalised = batch
                        .iter()
                        .map(|owned| {
                            let raw = owned.row();
                            (raw.number, rows.lead(&raw).map_err(|p| (p, raw.cells())))
                        })
                        .collect();
                    let buffers = batch.into_iter().map(OwnedRow::into_bytes).collect();
                    if done_tx.send((index, normalised, buffers)).is_err() {
                        break;
                    }
                });
            }
            drop(done_tx);

            // Batches come back in any order; they are settled in the file's.
            let mut waiting = BTreeMap::new();
            let mut next = 0;
            let mut settled = Ok(());
            'batches: while let Ok((index, normalised, buffers)) = done_rx.recv() {
                let _ = spare_tx.send(buffers);
                waiting.insert(index, normalised);
                while let Some(batch) = waiting.remove(&next) {
                    next += 1;
                    for (row, result) in batch {
                        let outcome = settle(in_file, tally, row, result);
                        let progress = RunProgress { tally, bytes_read: bytes_read.load(Ordering::Relaxed) };
                        if let Err(e) = each(outcome, progress) {
                            settled = Err(RunError::Stopped(e));
                            break 'batches;
                        }
                    }
                }
            }
            // Stopped early: the reader's and normalisers' sends now fail, and they end.
            drop(done_rx);
            raw_rx.lock().unwrap_or_else(PoisonError::into_inner).take();
            settled
        });
        outcome?;
        match failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some(e) => Err(RunError::Import(e.into())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    /// 5,000 rows over several batches: repeats across batches, invalid rows, Windows-1252 names.
    fn file() -> Vec<u8> {
        let mut bytes = b"Name,Phone,Email,DOB\n".to_vec();
        for i in 0..5000u32 {
            let name: &[u8] = if i % 97 == 0 { b"Jos\xE9 Mu\xF1oz" } else { b"Ann Lee" };
            bytes.extend_from_slice(name);
            let phone = if i % 50 == 7 { String::new() } else { format!("312555{:04}", i % 3000) };
            let dob = if i % 61 == 0 { "1980-02-30" } else { "1980-02-28" };
            bytes.extend_from_slice(format!(",{phone},,{dob}\n").as_bytes());
        }
        bytes
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn a_run_yields_what_row_by_row_reading_does_in_the_same_order() {
        let bytes = file();
        let mut one_by_one = Import::open(bytes.as_slice(), today()).unwrap();
        let mut expected = Vec::new();
        while let Some(o) = one_by_one.next_outcome().unwrap() {
            expected.push(o);
        }
        let mut threaded = Import::open(bytes.as_slice(), today()).unwrap();
        let mut got = Vec::new();
        let mut last_rows = 0;
        threaded
            .run(|o, progress| {
                assert_eq!(progress.tally.rows, last_rows + 1, "settled one at a time");
                last_rows = progress.tally.rows;
                got.push(o);
                Ok::<_, ()>(())
            })
            .unwrap();
        assert_eq!(got.len(), 5000);
        assert_eq!(got, expected);
        assert_eq!(threaded.tally(), one_by_one.tally());
        assert!(threaded.tally().duplicates > 1000 && threaded.tally().invalid > 100, "{:?}", threaded.tally());
        assert_eq!(threaded.encoding(), one_by_one.encoding());
    }

    #[test]
    fn a_file_that_cannot_be_leads_stops_a_run_with_the_reason() {
        let everquote =
            b"eqLeadUUID,leadName,postalState,county,transactionType,detail,amount,balance,campaignName,createdAt\n";
        let mut import = Import::open(everquote.as_slice(), today()).unwrap();
        let stopped = import.run(|_, _| Ok::<_, ()>(()));
        assert!(matches!(stopped, Err(RunError::Import(ImportError::NotLeads(_)))), "{stopped:?}");
    }

    #[test]
    fn a_run_stopped_early_ends_its_threads_and_says_why() {
        let bytes = file();
        let mut import = Import::open(bytes.as_slice(), today()).unwrap();
        let mut seen = 0;
        let stopped = import.run(|_, _| {
            seen += 1;
            if seen == 1500 {
                Err("cancelled")
            } else {
                Ok(())
            }
        });
        assert!(matches!(stopped, Err(RunError::Stopped("cancelled"))));
        assert_eq!(import.tally().rows, 1500);
    }
}
