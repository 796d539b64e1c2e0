//! The lead list, filtered as the rep filtered it, written out as CSV from the cache.

use std::path::{Path, PathBuf};

use crokodial_core::list_export::ListExport;

use super::Account;
use crate::cache::{CacheError, CacheQuery};

/// Leads read from the cache at a time.
const PAGE: u32 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {source}")]
    File { path: String, source: std::io::Error },
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl Account {
    /// Writes every cached lead `query` matches (its window ignored), in its order, to `path`;
    /// answers how many. The file appears whole or not at all.
    pub async fn export(&self, query: CacheQuery, path: &Path) -> Result<u64, ExportError> {
        let part = part_of(path);
        let written = self.write_export(query, &part).await;
        let renamed = written.and_then(|rows| {
            std::fs::rename(&part, path)
                .map_err(|source| ExportError::File { path: path.display().to_string(), source })
                .map(|()| rows)
        });
        if renamed.is_err() {
            let _ = std::fs::remove_file(&part);
        }
        let rows = renamed?;
        tracing::info!(rows, "leads exported");
        Ok(rows)
    }

    /// Writes the export to `part` on the cache's thread, in one read of the cache.
    async fn write_export(&self, query: CacheQuery, part: &Path) -> Result<u64, ExportError> {
        let part = part.to_owned();
        self.shared
            .cache
            .run(move |c| {
                let file_error = |source| ExportError::File { path: part.display().to_string(), source };
                let file = std::fs::File::create(&part).map_err(file_error)?;
                let mut out = ListExport::new(std::io::BufWriter::new(file)).map_err(file_error)?;
                c.each_match(&query, PAGE, |leads| {
                    leads.iter().try_for_each(|lead| out.add(lead)).map_err(file_error)
                })?;
                let rows = out.rows();
                let written = out.finish().and_then(|w| w.into_inner().map_err(|e| e.into_error()));
                written.and_then(|f| f.sync_all()).map_err(file_error)?;
                Ok(rows)
            })
            .await
    }
}

/// Where the file is written before it is whole: beside it, so the rename stays on one disk.
fn part_of(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".part");
    path.with_file_name(name)
}
