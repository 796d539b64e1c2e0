//! Importing a vendor's lead file: a preview with the mapping proposed, a check of the whole
//! file, then the import (read into the cache's import queue and sent), with progress over a
//! channel and a cancel. Files are picked and saved with the OS dialogs, from Rust.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use crokodial_client::cache::ImportState;
use crokodial_client::import::{self, Control, ImportFailure, KnownContacts, MappingChoice, SavedMappings};
use crokodial_client::sync;
use crokodial_core::import::{Field, Mapping, Vendor};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_notification::NotificationExt;

use crate::dto::{ImportCounts, ImportField, ImportPhase, ImportPreview, ImportProgress, ImportResult, ImportRow};
use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

/// Rows of the file the preview shows.
const PREVIEW_ROWS: usize = 10;

fn failure(e: ImportFailure) -> AppError {
    let code = match &e {
        ImportFailure::Cancelled => ErrorCode::Cancelled,
        ImportFailure::Cache(_) => ErrorCode::Internal,
        _ => ErrorCode::InvalidInput,
    };
    AppError::new(code, e.to_string())
}

/// Runs blocking file work off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> CmdResult<T> + Send + 'static) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(AppError::internal)?
}

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
    blocking(move || {
        let picked = app.dialog().file().add_filter("Lead files", &["csv", "txt", "tsv"]).blocking_pick_file();
        Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
    })
    .await
}

#[tauri::command]
pub async fn import_preview(state: State<'_, AppState>, path: String) -> CmdResult<ImportPreview> {
    let home = state.home.clone();
    blocking(move || {
        let p = import::preview(&home, Path::new(&path)).map_err(failure)?;
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
    let (home, choice, cache) = (state.home.clone(), MappingChoice::Columns(columns(mapping)?), state.cache());
    blocking(move || {
        let known = match cache {
            Some(cache) => Some(KnownContacts::from_cache(&cache.blocking_lock()).map_err(AppError::internal)?),
            None => None,
        };
        let checked = import::check(&home, Path::new(&path), &choice, None, known.as_ref()).map_err(failure)?;
        Ok(ImportCounts::from(&checked))
    })
    .await
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
    blocking(move || {
        let p = import::preview(&home, Path::new(&path)).map_err(failure)?;
        let vendor = p.preview.detected.as_ref().map_or(Vendor::Other, |m| m.vendor);
        SavedMappings::save(&home, &name, &p.preview.headers, &Mapping { vendor, columns }).map_err(failure)
    })
    .await
}

/// Imports the file: read into the import queue (progress: rows read), then sent (progress:
/// leads sent). Offline, the import stays queued and the sync task sends it when the server is
/// back. One import runs at a time; a bulk import shows one summary notification, never alerts.
#[tauri::command]
pub async fn import_start(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    mapping: Vec<Option<String>>,
    on_progress: Channel<ImportProgress>,
) -> CmdResult<ImportResult> {
    let session = state.signed_in()?;
    let cache = super::leads::cache_of(&state)?;
    if state.import_running.swap(true, Ordering::SeqCst) {
        return Err(AppError::new(ErrorCode::InvalidInput, "an import is already running"));
    }
    let _running = Running(&state);
    let cancel = state.import_cancel.clone();
    cancel.store(false, Ordering::SeqCst);
    let choice = MappingChoice::Columns(columns(mapping)?);

    let staged = {
        let (home, cache, cancel, channel) = (state.home.clone(), cache.clone(), cancel.clone(), on_progress.clone());
        blocking(move || {
            let mut progress = |p: import::Progress| {
                let _ = channel.send(ImportProgress {
                    phase: ImportPhase::Reading,
                    done: p.done,
                    total: p.total,
                    rows_per_second: p.rows_per_second,
                });
            };
            import::stage(
                &home,
                &cache,
                Path::new(&path),
                &choice,
                Control { cancel: &cancel, progress: &mut progress },
            )
            .map_err(failure)
        })
        .await?
    };

    let started = Instant::now();
    let mut progress = |q: &crokodial_client::cache::QueuedImport| {
        let _ = on_progress.send(ImportProgress {
            phase: ImportPhase::Sending,
            done: q.sent,
            total: q.leads,
            rows_per_second: q.sent as f64 / started.elapsed().as_secs_f64().max(1e-6),
        });
    };
    let offline = sync::send_imports(session.api(), &cache, Some(&cancel), &mut progress).await.err();
    let now = cache
        .lock()
        .await
        .import(&staged.id)
        .map_err(AppError::internal)?
        .ok_or_else(|| AppError::new(ErrorCode::Internal, "the import vanished from the queue"))?;
    match now.state {
        ImportState::Cancelled => {
            return Err(AppError::new(
                ErrorCode::Cancelled,
                format!("Cancelled: {} of {} leads had been sent and stay imported", now.sent, now.leads),
            ))
        }
        ImportState::Failed => {
            return Err(AppError::new(
                ErrorCode::Server,
                format!("The server refused the import: {}", now.detail.unwrap_or_default()),
            ))
        }
        _ => {}
    }
    let queued = now.state != ImportState::Sent;
    if let Some(e) = &offline {
        tracing::info!(error = %e, import = %staged.id, "import queued until the server can be reached");
    }
    let s = now.stats;
    let body = if queued {
        format!("{} leads from {} will be sent when you are back online", now.leads, now.file)
    } else {
        format!("{} new, {} updated, {} unchanged", s.imported, s.updated, s.unchanged)
    };
    if let Err(e) = app.notification().builder().title(format!("Imported {}", staged.tag)).body(body).show() {
        tracing::warn!(error = %e, "cannot show the import notification");
    }
    if !queued {
        // The sync task brings the imported leads into the list (our server lists them as changes).
        crate::live::sync_wanted(&app);
    }
    Ok(ImportResult {
        import_id: staged.id,
        tag: staged.tag,
        queued,
        counts: ImportCounts::from(&staged.checked),
        imported: s.imported,
        updated: s.updated,
        unchanged: s.unchanged,
        error_file: staged.error_file.map(|p| p.display().to_string()),
    })
}

/// Clears the running-import flag however `import_start` ends.
struct Running<'a>(&'a AppState);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.import_running.store(false, Ordering::SeqCst);
    }
}

/// Cancels the running import (leads already sent stay).
#[tauri::command]
pub fn import_cancel(state: State<'_, AppState>) {
    state.import_cancel.store(true, Ordering::SeqCst);
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
    blocking(move || {
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
