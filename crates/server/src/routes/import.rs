//! Lead imports: the contract's `POST /api/csv-upload` (a vendor's file, read here as it
//! arrives), and ours, `POST /api/import/leads` (batches the client has already normalised).
//! Either way each lead upserts on the tenant's lead with the same phone, else email, and an
//! import never alerts: a bulk import must not set off a storm of sounds.

use std::io::Read;

use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::Json;
use chrono::Utc;
use crokodial_core::api::{
    CsvUploadAnswer, CsvUploadStats, ImportBatch, ImportStats, RowError, CSV_ERRORS_MAX, IMPORT_BATCH_MAX,
};
use crokodial_core::import::{normalize, Import, Outcome, RunError};
use crokodial_core::{Lead, LeadSource};
use tokio::sync::mpsc;

use super::parse_json;
use crate::auth::{new_object_id, AuthUser};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, Store, UserRecord};

/// Largest file `POST /api/csv-upload` takes, as the contract says.
pub const CSV_LIMIT: usize = 50 * 1024 * 1024;
/// Largest body of `POST /api/import/leads`: a full batch with room to spare.
pub const BATCH_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Leads written per transaction while a file is read.
const WRITE_EVERY: usize = 1000;

/// Makes an imported lead the uploader's: a new id (kept only if the lead is new), the tenant, the
/// uploader as assignee, and the times.
fn stamp(lead: &mut Lead, user: &UserRecord) {
    let now = Utc::now();
    lead.id = new_object_id();
    lead.tenant_id = Some(user.tenant_id.clone());
    lead.assigned_to = Some(user.id.clone());
    lead.created_at = lead.created_at.or(Some(now));
    lead.updated_at = Some(now);
    lead.source = lead.source.or(Some(LeadSource::CsvImport));
}

/// `POST /api/import/leads`: one batch, applied at most once per batch id.
pub async fn batch(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Bytes,
) -> Result<Json<ImportStats>, ApiError> {
    let ImportBatch { batch_id, mut leads } = parse_json(&body)?;
    if batch_id.is_empty() || batch_id.len() > 128 {
        return Err(ApiError::bad_request("invalid_batch", "batchId must be 1 to 128 characters"));
    }
    if leads.len() > IMPORT_BATCH_MAX {
        return Err(ApiError::bad_request(
            "invalid_batch",
            format!("A batch holds at most {IMPORT_BATCH_MAX} leads, not {}", leads.len()),
        ));
    }
    for (i, lead) in leads.iter_mut().enumerate() {
        let bad = |why: String| ApiError::bad_request("invalid_lead", format!("Lead {} of the batch: {why}", i + 1));
        // The client normalised already; the same rules again keep every lead's key comparable.
        lead.phone = match lead.phone.as_deref() {
            Some(raw) => normalize::phone(raw).map_err(|e| bad(e.to_string()))?.map(normalize::Phone::stored),
            None => None,
        };
        lead.email = match lead.email.as_deref() {
            Some(raw) => normalize::email(raw).map_err(|e| bad(e.to_string()))?,
            None => None,
        };
        if lead.phone.is_none() && lead.email.is_none() {
            return Err(bad("no phone or email".into()));
        }
        stamp(lead, &user);
    }
    let tenant = user.tenant_id.clone();
    let count = leads.len();
    let stats = store::run(&state.store, move |s| s.import_leads(&tenant, leads, Some(&batch_id))).await?;
    tracing::info!(user = %user.id, leads = count, ?stats, "import batch");
    Ok(Json(stats))
}

/// `POST /api/csv-upload`: the file is read and written as it arrives, in transactions of
/// [`WRITE_EVERY`] leads, with no cap on rows.
pub async fn csv_upload(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    mut multipart: Multipart,
) -> Result<Json<CsvUploadAnswer>, ApiError> {
    let no_file = || ApiError::bad_request("no_file", "No CSV file uploaded");
    let bad_multipart = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(e.status(), "invalid_upload", format!("Could not read the upload: {}", e.body_text()))
    };
    let mut field = loop {
        match multipart.next_field().await.map_err(bad_multipart)? {
            Some(f) if f.name() == Some("file") => break f,
            Some(_) => continue,
            None => return Err(no_file()),
        }
    };
    let is_csv = field.file_name().is_some_and(|n| n.to_ascii_lowercase().ends_with(".csv"))
        || field.content_type().is_some_and(|t| t.starts_with("text/csv"));
    if !is_csv {
        return Err(ApiError::bad_request("not_csv", "Only CSV files (.csv, text/csv) can be uploaded"));
    }

    // Leads are written as the file arrives, so a file cut short (too big, or the client gone)
    // stops the reader with an error; what was written stays, and a retry updates it, never
    // duplicates it (the upsert key).
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(8);
    let st = state.store.clone();
    let reading = tokio::task::spawn_blocking(move || read_upload(ChunkReader::new(rx), st.as_ref(), &user));
    let mut size = 0usize;
    let mut fed = Ok(());
    loop {
        let next = match field.chunk().await {
            Ok(Some(chunk)) if size + chunk.len() > CSV_LIMIT => Err(ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("The file is over {} MB", CSV_LIMIT / (1024 * 1024)),
            )),
            Ok(Some(chunk)) => Ok(chunk),
            Ok(None) => break,
            Err(e) => Err(bad_multipart(e)),
        };
        let chunk = match next {
            Ok(chunk) => chunk,
            Err(e) => {
                let _ = tx.send(Err(std::io::Error::other(e.message.clone()))).await;
                fed = Err(e);
                break;
            }
        };
        size += chunk.len();
        if tx.send(Ok(chunk)).await.is_err() {
            break; // the reader stopped early: its answer says why
        }
    }
    drop(tx);
    let answer = reading.await.map_err(ApiError::internal)?;
    fed?;
    answer.map(Json)
}

/// Reads the whole upload: recognises the file, writes its leads in batches, counts what it skips.
fn read_upload(reader: ChunkReader, store: &dyn Store, user: &UserRecord) -> Result<CsvUploadAnswer, ApiError> {
    let parse_failed =
        |e: &dyn std::fmt::Display| ApiError::bad_request("csv_parse_failed", format!("CSV parsing failed: {e}"));
    let mut import = Import::open(reader, Utc::now().date_naive()).map_err(|e| parse_failed(&e))?;
    let vendor = match &import.preview().detected {
        Ok(mapping) => mapping.vendor,
        Err(why) => {
            return Err(ApiError::bad_request("not_leads", format!("This file cannot be imported as leads: {why}")))
        }
    };
    let tag = format!("{} {}", vendor.label(), Utc::now().date_naive());
    let mut stats = ImportStats::default();
    let mut errors = Vec::new();
    let mut pending = Vec::with_capacity(WRITE_EVERY);
    let mut write = |pending: &mut Vec<Lead>| -> Result<(), ApiError> {
        stats += store.import_leads(&user.tenant_id, std::mem::take(pending), None)?;
        Ok(())
    };
    import
        .run(|outcome, _| {
            match outcome {
                Outcome::Lead { mut lead, .. } => {
                    stamp(&mut lead, user);
                    lead.import_batch = Some(tag.clone());
                    pending.push(*lead);
                    if pending.len() == WRITE_EVERY {
                        write(&mut pending)?;
                    }
                }
                Outcome::Invalid { row, problems, .. } if errors.len() < CSV_ERRORS_MAX => {
                    errors.push(RowError { row, reasons: problems.iter().map(ToString::to_string).collect() });
                }
                Outcome::Invalid { .. } => {}
            }
            Ok(())
        })
        .map_err(|e| match e {
            RunError::Import(e) => parse_failed(&e),
            RunError::Stopped(e) => e,
        })?;
    write(&mut pending)?;
    let tally = import.tally();
    tracing::info!(user = %user.id, rows = tally.rows, ?stats, "CSV upload");
    Ok(CsvUploadAnswer {
        success: true,
        vendor: vendor.upload_name().into(),
        stats: CsvUploadStats { imported: stats.imported, updated: stats.updated, processed: tally.rows },
        unchanged: stats.unchanged,
        duplicates: tally.duplicates,
        skipped: tally.invalid,
        errors,
    })
}

/// The upload's chunks as a blocking `Read`, for the CSV reader on a blocking thread.
struct ChunkReader {
    chunks: mpsc::Receiver<std::io::Result<Bytes>>,
    current: Bytes,
}

impl ChunkReader {
    fn new(chunks: mpsc::Receiver<std::io::Result<Bytes>>) -> Self {
        ChunkReader { chunks, current: Bytes::new() }
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(chunk) => self.current = chunk?,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
