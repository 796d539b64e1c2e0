//! Importing a vendor's lead file: a preview with the mapping proposed, a check of the whole
//! file, then the import (read into the cache's import queue and sent), with progress over a
//! channel and a cancel. Files are picked and saved with the OS dialogs, from Rust.

use crokodial_client::account::Imported;
use crokodial_client::import::{self, MappingChoice, SavedMappings};
use crokodial_client::off_runtime;
use crokodial_core::import::{Field, Mapping, Vendor};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_notification::NotificationExt;
use ts_rs::TS;

use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

/// Rows of the file the preview shows.
const PREVIEW_ROWS: usize = 10;

/// The UI's per-column field keys (`null`: not imported) as fields.
fn columns(keys: Vec<Option<String>>) -> CmdResult<Vec<Option<Field>>> {
    keys.into_iter()
        .map(|k| match k {
            None => Ok(None),
            Some(k) => serde_json::from_value(serde_json::Value::String(k.clone()))
                .map(Some)
                .map_err(|_| AppError::new(ErrorCode::InvalidInput, format!("no lead field {k:?}"))),
        })
        .collect()
}

fn field_key(f: Field) -> String {
    serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_owned)).expect("a field is a string")
}

/// The native file picker; `null` when cancelled.
#[tauri::command]
pub async fn import_pick_file(app: AppHandle) -> CmdResult<Option<String>> {
    off_runtime(move || {
        let picked = app.dialog().file().add_filter("Lead files", &["csv", "txt", "tsv"]).blocking_pick_file();
        Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
    })
    .await
}

#[tauri::command]
pub async fn import_preview(state: State<'_, AppState>, path: String) -> CmdResult<ImportPreview> {
    let home = state.home.clone();
    off_runtime(move || {
        let p = import::preview(&home, Path::new(&path))?;
        let width = p.preview.headers.len();
        Ok(ImportPreview {
            file_name: p.file_name,
            vendor: p.mapping.as_ref().map(|m| m.vendor.label().to_owned()),
            not_leads: p
                .mapping
                .is_none()
                .then(|| p.preview.detected.as_ref().err().map(ToString::to_string))
                .flatten(),
            rows: p
                .preview
                .rows
                .iter()
                .take(PREVIEW_ROWS)
                .map(|(row, cells)| ImportRow { row: *row, cells: cells.clone() })
                .collect(),
            mapping: match &p.mapping {
                Some(m) => m.columns.iter().map(|f| f.map(field_key)).collect(),
                None => vec![None; width],
            },
            fields: Field::ALL
                .iter()
                .map(|&f| ImportField { key: field_key(f), label: f.label().to_owned() })
                .collect(),
            saved_mapping: p.saved_mapping,
            headers: p.preview.headers,
            path,
        })
    })
    .await
}

/// Reads the whole file under `mapping` and counts, new leads against the synced ones too;
/// nothing is sent.
#[tauri::command]
pub async fn import_check(
    state: State<'_, AppState>,
    path: String,
    mapping: Vec<Option<String>>,
) -> CmdResult<ImportCounts> {
    let choice = MappingChoice::Columns(columns(mapping)?);
    let checked = state.account()?.check_import(PathBuf::from(path), choice, None).await?;
    Ok(ImportCounts::from(&checked))
}

/// Saves `mapping` under `name` for files with this file's headers.
#[tauri::command]
pub async fn import_save_mapping(
    state: State<'_, AppState>,
    path: String,
    name: String,
    mapping: Vec<Option<String>>,
) -> CmdResult<()> {
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err(AppError::new(ErrorCode::InvalidInput, "give the mapping a name"));
    }
    let (home, columns) = (state.home.clone(), columns(mapping)?);
    off_runtime(move || {
        let p = import::preview(&home, Path::new(&path))?;
        let vendor = p.preview.detected.as_ref().map_or(Vendor::Other, |m| m.vendor);
        Ok(SavedMappings::save(&home, &name, &p.preview.headers, &Mapping { vendor, columns })?)
    })
    .await
}

/// Imports the file: read into the import queue (progress: rows read), then sent (progress:
/// leads sent). Offline, the import stays queued and the sync service sends it when the server is
/// back. One import runs at a time; a bulk import shows one summary notification, never alerts.
#[tauri::command]
pub async fn import_start(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    mapping: Vec<Option<String>>,
    on_progress: Channel<ImportProgress>,
) -> CmdResult<ImportResult> {
    let choice = MappingChoice::Columns(columns(mapping)?);
    let progress = move |p: import::Progress| _ = on_progress.send(ImportProgress::from(p));
    let done = state.account()?.import(PathBuf::from(path), choice, true, progress).await?;
    let (staged, now) = (&done.staged, &done.import);
    let body = if done.queued() {
        format!("{} leads from {} will be sent when you are back online", now.leads, now.file)
    } else {
        format!("{} new, {} updated, {} unchanged", now.stats.imported, now.stats.updated, now.stats.unchanged)
    };
    if let Err(e) = app.notification().builder().title(format!("Imported {}", staged.tag)).body(body).show() {
        tracing::warn!(error = %e, "cannot show the import notification");
    }
    Ok(ImportResult::from(&done))
}

/// Cancels the running import (leads already sent stay).
#[tauri::command]
pub fn import_cancel(state: State<'_, AppState>) {
    if let Some(account) = state.signed_in() {
        account.cancel_import();
    }
}

/// Saves a copy of an import's error file where the user chooses; `null` when cancelled.
#[tauri::command]
pub async fn import_export_errors(
    app: AppHandle,
    state: State<'_, AppState>,
    import_id: String,
) -> CmdResult<Option<String>> {
    if import_id.is_empty() || !import_id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::new(ErrorCode::InvalidInput, "no such import"));
    }
    let source: PathBuf = state.home.imports_dir().join(format!("{import_id}-errors.csv"));
    if !source.exists() {
        return Err(AppError::new(ErrorCode::InvalidInput, "this import has no error file"));
    }
    off_runtime(move || {
        let Some(target) = app
            .dialog()
            .file()
            .set_file_name("import-errors.csv")
            .add_filter("CSV", &["csv"])
            .blocking_save_file()
            .and_then(|p| p.into_path().ok())
        else {
            return Ok(None);
        };
        std::fs::copy(&source, &target)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("cannot write {}: {e}", target.display())))?;
        Ok(Some(target.display().to_string()))
    })
    .await
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

/// A field a file's column may fill.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportField {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportRow {
    #[ts(type = "number")]
    pub row: u64,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub path: String,
    pub file_name: String,
    /// The vendor recognised ("NextGen Leads", "USHA Marketplace", "GoHighLevel", "Other"); null when the file cannot be leads.
    pub vendor: Option<String>,
    /// Why the file cannot be leads (e.g. an EverQuote transaction report); null otherwise.
    pub not_leads: Option<String>,
    pub headers: Vec<String>,
    /// The first rows of the file, as read.
    pub rows: Vec<ImportRow>,
    /// Per column: the key of the lead field it fills, or null when it is not imported.
    pub mapping: Vec<Option<String>>,
    /// Every field a column may fill, in the order to offer them.
    pub fields: Vec<ImportField>,
    /// The saved mapping in use for these headers, by name.
    pub saved_mapping: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ReasonCount {
    pub reason: String,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    /// Rows read (blank lines not counted).
    #[ts(type = "number")]
    pub rows: u64,
    /// Rows that are leads, those repeating an earlier row included.
    #[ts(type = "number")]
    pub leads: u64,
    /// Rows that repeat an earlier row's lead (the same phone, else email, else vendor id).
    #[ts(type = "number")]
    pub duplicates: u64,
    /// Rows that cannot be imported.
    #[ts(type = "number")]
    pub invalid: u64,
    pub reasons: Vec<ReasonCount>,
    pub encoding: String,
    #[ts(type = "number")]
    pub converted_rows: u64,
    /// Leads (repeats left out) not among the rep's synced leads; null when unknown.
    #[ts(type = "number | null")]
    pub new_leads: Option<u64>,
    /// Leads already among the rep's synced leads, which the import will update; null when unknown.
    #[ts(type = "number | null")]
    pub updates: Option<u64>,
}

impl From<&crokodial_client::import::Checked> for ImportCounts {
    fn from(c: &crokodial_client::import::Checked) -> Self {
        let t = &c.tally;
        ImportCounts {
            rows: t.rows,
            leads: t.leads,
            duplicates: t.duplicates,
            invalid: t.invalid,
            reasons: t.reasons.iter().map(|(reason, &count)| ReasonCount { reason: reason.clone(), count }).collect(),
            encoding: c.encoding.clone(),
            converted_rows: c.converted_rows,
            new_leads: c.new,
            updates: c.updates,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ImportPhase {
    Reading,
    Sending,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub phase: ImportPhase,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
    pub rows_per_second: f64,
}

impl From<import::Progress> for ImportProgress {
    fn from(p: import::Progress) -> Self {
        let phase = match p.phase {
            import::Phase::Reading => ImportPhase::Reading,
            import::Phase::Sending => ImportPhase::Sending,
        };
        ImportProgress { phase, done: p.done, total: p.total, rows_per_second: p.rows_per_second }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub import_id: String,
    /// The tag the batch's leads carry, e.g. "NextGen Leads 2026-12-01".
    pub tag: String,
    /// True when the app is offline: the import is kept and sent when the server is back.
    pub queued: bool,
    pub counts: ImportCounts,
    #[ts(type = "number")]
    pub imported: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Rows that could not be imported, with their reasons, as a CSV file on this computer; null when there were none.
    pub error_file: Option<String>,
}

impl From<&Imported> for ImportResult {
    fn from(done: &Imported) -> Self {
        let (staged, stats) = (&done.staged, done.import.stats);
        ImportResult {
            import_id: staged.id.clone(),
            tag: staged.tag.clone(),
            queued: done.queued(),
            counts: ImportCounts::from(&staged.checked),
            imported: stats.imported,
            updated: stats.updated,
            unchanged: stats.unchanged,
            error_file: staged.error_file.as_ref().map(|p| p.display().to_string()),
        }
    }
}
