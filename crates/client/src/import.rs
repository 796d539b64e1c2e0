//! Importing a vendor's lead file from this computer: checking it before anything is sent (the
//! counts, the rows that cannot be imported and why), and the mappings the user saved for a
//! vendor's header signature.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::Utc;
use crokodial_core::api::IMPORT_BATCH_MAX;
use crokodial_core::import::{
    normalize, signature, Encoding, ErrorFile, Field, FileError, Import, ImportError, Mapping, MappingError, Outcome,
    Preview, RunError, Tally, Vendor,
};
use crokodial_core::Lead;
use serde::{Deserialize, Serialize};

use crate::cache::{CacheError, CacheHandle, LeadCache};
use crate::home::Home;

#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("cannot open {path}: {source}")]
    Open { path: String, source: std::io::Error },
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{0}")]
    NotLeads(String),
    #[error("the mapping does not fit this file: {0}")]
    Mapping(#[from] MappingError),
    #[error("no saved mapping is called {0:?}")]
    NoSuchMapping(String),
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("the import was cancelled")]
    Cancelled,
    #[error("Cancelled: {sent} of {leads} leads had been sent and stay imported")]
    CancelledSending { sent: u64, leads: u64 },
    #[error("an import is already running")]
    Busy,
    #[error("The server refused the import: {0}")]
    Refused(String),
}

impl From<ImportError> for ImportFailure {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::File(e) => Self::File(e),
            ImportError::NotLeads(why) => Self::NotLeads(why.to_string()),
        }
    }
}

/// The mapping to read a file with.
#[derive(Debug, Clone, PartialEq)]
pub enum MappingChoice {
    /// One saved for the file's headers, else the one recognised.
    Automatic,
    /// A saved one, by name.
    Named(String),
    /// Per column, the field it fills (`None`: not imported); the vendor stays the one recognised.
    Columns(Vec<Option<Field>>),
}

/// What a file holds, found by reading it through, before anything is sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    pub vendor: Vendor,
    /// `UTF-8`, or `Windows-1252` when some rows were read so.
    pub encoding: String,
    /// Rows read as Windows-1252.
    pub converted_rows: u64,
    /// Column header → lead field (`null`: not imported).
    pub mapping: Vec<(String, Option<String>)>,
    #[serde(flatten)]
    pub tally: Tally,
    /// Leads (repeats left out) not in the rep's synced book, and those already there, which the
    /// import will update; none when no book was given.
    pub new: Option<u64>,
    pub updates: Option<u64>,
}

/// The phones and emails of the leads in the rep's synced book, to tell an import's new leads
/// from those it will update (as far as this computer's copy knows).
#[derive(Debug, Default)]
pub struct KnownContacts {
    keys: std::collections::HashSet<u64>,
    hasher: std::hash::RandomState,
}

impl KnownContacts {
    pub fn from_cache(cache: &LeadCache) -> Result<Self, CacheError> {
        let mut known = KnownContacts::default();
        cache.for_each_contact(|phone, email| {
            // As an import keeps them: the server may hold a phone as it was written.
            if let Some(p) = phone.and_then(|p| normalize::phone(p).ok().flatten()) {
                known.keys.insert(known.key('p', &p.stored()));
            }
            if let Some(e) = email.and_then(|e| normalize::email(e).ok().flatten()) {
                known.keys.insert(known.key('e', &e));
            }
        })?;
        Ok(known)
    }

    fn key(&self, kind: char, value: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, (kind, value))
    }

    /// Whether the book has a lead with this lead's phone, or else its email.
    pub fn knows(&self, lead: &Lead) -> bool {
        let has =
            |kind, value: &Option<String>| value.as_deref().is_some_and(|v| self.keys.contains(&self.key(kind, v)));
        has('p', &lead.phone) || has('e', &lead.email)
    }
}

/// How far an import is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub phase: Phase,
    /// Rows read, or leads sent.
    pub done: u64,
    /// Rows in the file (estimated from the bytes read until the end), or leads to send.
    pub total: u64,
    pub rows_per_second: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    Reading,
    Sending,
}

/// A file opened for import, its mapping chosen.
pub struct Opened {
    import: Import<BufReader<File>>,
    size: u64,
    file_name: String,
}

impl Opened {
    /// Opens `path` and chooses its mapping.
    pub fn new(home: &Home, path: &Path, choice: &MappingChoice) -> Result<Self, ImportFailure> {
        let Opened { mut import, size, file_name } = Self::unmapped(path)?;
        let headers = import.preview().headers.clone();
        let chosen = match choice {
            MappingChoice::Automatic => SavedMappings::load(home).for_headers(&headers).cloned(),
            MappingChoice::Named(name) => Some(
                SavedMappings::load(home)
                    .named(name)
                    .ok_or_else(|| ImportFailure::NoSuchMapping(name.clone()))?
                    .clone(),
            ),
            MappingChoice::Columns(columns) => {
                let vendor = import.preview().detected.as_ref().map_or(Vendor::Other, |m| m.vendor);
                Some(Mapping { vendor, columns: columns.clone() })
            }
        };
        if let Some(m) = chosen {
            import.use_mapping(m)?;
        }
        if let (None, Err(why)) = (import.mapping(), &import.preview().detected) {
            return Err(ImportFailure::NotLeads(why.to_string()));
        }
        Ok(Opened { import, size, file_name })
    }

    /// Opens `path` with the mapping recognised, if any.
    fn unmapped(path: &Path) -> Result<Self, ImportFailure> {
        let open_error = |source| ImportFailure::Open { path: path.display().to_string(), source };
        let file = File::open(path).map_err(open_error)?;
        let size = file.metadata().map_err(open_error)?.len();
        let import = Import::open(BufReader::new(file), Utc::now().date_naive())?;
        let file_name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Ok(Opened { import, size, file_name })
    }

    pub fn preview(&self) -> &Preview {
        self.import.preview()
    }

    pub fn mapping(&self) -> &Mapping {
        self.import.mapping().expect("an opened file has a mapping")
    }

    /// Reads every row: each lead goes to `sink`, each invalid row to the error file at
    /// `errors_to` (when given). `control` reports progress and may cancel.
    fn read_through(
        mut self,
        errors_to: Option<&Path>,
        known: Option<&KnownContacts>,
        sink: &mut dyn FnMut(Lead) -> Result<(), ImportFailure>,
        mut control: Option<Control<'_>>,
    ) -> Result<Checked, ImportFailure> {
        let headers = self.preview().headers.clone();
        let write_error = |path: &Path| {
            let path = path.display().to_string();
            move |source: std::io::Error| ImportFailure::Write { path: path.clone(), source }
        };
        let mut errors = match errors_to {
            Some(p) => {
                let out = File::create(p).map_err(write_error(p))?;
                Some(ErrorFile::new(std::io::BufWriter::new(out), &headers).map_err(write_error(p))?)
            }
            None => None,
        };
        let started = Instant::now();
        let (mut new, mut updates) = (0, 0);
        let size = self.size;
        self.import
            .run(|outcome, at| -> Result<(), ImportFailure> {
                match outcome {
                    Outcome::Lead { lead, duplicate_of, .. } => {
                        if let (Some(known), None) = (known, duplicate_of) {
                            if known.knows(&lead) {
                                updates += 1;
                            } else {
                                new += 1;
                            }
                        }
                        sink(*lead)?
                    }
                    Outcome::Invalid { row, problems, cells } => {
                        if let (Some(errors), Some(p)) = (errors.as_mut(), errors_to) {
                            errors.add(row, &problems, &cells).map_err(write_error(p))?;
                        }
                    }
                }
                let rows = at.tally.rows;
                if let Some(control) = control.as_mut().filter(|_| rows % PROGRESS_EVERY == 0) {
                    if control.cancel.load(Ordering::Relaxed) {
                        return Err(ImportFailure::Cancelled);
                    }
                    let total = (u128::from(rows) * u128::from(size) / u128::from(at.bytes_read.max(1))) as u64;
                    (control.progress)(Progress {
                        phase: Phase::Reading,
                        done: rows,
                        total: total.max(rows),
                        rows_per_second: rows as f64 / started.elapsed().as_secs_f64().max(1e-6),
                    });
                }
                Ok(())
            })
            .map_err(RunError::into_inner)?;
        if let (Some(errors), Some(p)) = (errors, errors_to) {
            errors.finish().map_err(write_error(p))?;
        }
        let used = self.mapping().clone();
        let (encoding, converted_rows) = match self.import.encoding() {
            Encoding::Utf8 => ("UTF-8", 0),
            Encoding::Windows1252 { rows } => ("Windows-1252", rows),
        };
        Ok(Checked {
            vendor: used.vendor,
            encoding: encoding.to_owned(),
            converted_rows,
            mapping: headers
                .iter()
                .cloned()
                .zip(used.columns.iter().map(|f| f.map(|f| f.label().to_owned())))
                .collect(),
            tally: self.import.tally().clone(),
            new: known.map(|_| new),
            updates: known.map(|_| updates),
        })
    }
}

/// Rows read between progress reports (and checks for a cancel).
const PROGRESS_EVERY: u64 = 2000;

/// Progress reports and a cancel flag for a long import.
pub struct Control<'a> {
    pub cancel: &'a AtomicBool,
    pub progress: &'a mut dyn FnMut(Progress),
}

/// A file as the import screen first shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePreview {
    pub file_name: String,
    pub preview: Preview,
    /// The mapping proposed: the one saved for these headers, else the one recognised; none when
    /// the file cannot be leads (`preview.detected` says why).
    pub mapping: Option<Mapping>,
    /// The name of the saved mapping proposed.
    pub saved_mapping: Option<String>,
}

/// Reads the header and the first rows of `path`, recognises the file and proposes a mapping.
pub fn preview(home: &Home, path: &Path) -> Result<FilePreview, ImportFailure> {
    let Opened { import, file_name, .. } = Opened::unmapped(path)?;
    let preview = import.preview().clone();
    let saved = SavedMappings::load(home);
    let (saved_mapping, mapping) = match saved.named_for_headers(&preview.headers) {
        Some((name, mapping)) => (Some(name.to_owned()), Some(mapping.clone())),
        None => (None, preview.detected.clone().ok()),
    };
    Ok(FilePreview { file_name, preview, mapping, saved_mapping })
}

/// Reads `path` through (see [`MappingChoice`]), counting leads, duplicates and invalid rows,
/// and with `known` which leads are new; writes the invalid rows with their reasons to
/// `errors_to` when given. Nothing is sent.
pub fn check(
    home: &Home,
    path: &Path,
    choice: &MappingChoice,
    errors_to: Option<&Path>,
    known: Option<&KnownContacts>,
) -> Result<Checked, ImportFailure> {
    Opened::new(home, path, choice)?.read_through(errors_to, known, &mut |_| Ok(()), None)
}

/// An import read and queued in the cache, to be sent by [`crate::sync::send_imports`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Staged {
    pub id: String,
    /// The tag its leads carry, e.g. "NextGen Leads 2026-12-01".
    pub tag: String,
    pub checked: Checked,
    /// The rows that could not be imported, with their reasons; none when every row was a lead.
    pub error_file: Option<PathBuf>,
}

/// Reads `path` and queues its leads in `cache` in batches, each lead tagged with the vendor and
/// today's date; the rows that cannot be imported go to an error file under the profile. Blocking
/// (call it off the async runtime); the cache is locked only while a batch is written. A cancel,
/// or a failure, leaves nothing queued.
pub fn stage(
    home: &Home,
    cache: &CacheHandle,
    path: &Path,
    choice: &MappingChoice,
    control: Control<'_>,
) -> Result<Staged, ImportFailure> {
    let opened = Opened::new(home, path, choice)?;
    let id = format!("{:032x}", rand::random::<u128>());
    // "NextGen Leads 2026-12-01"; a file of no known vendor by its own name.
    let source = match opened.mapping().vendor {
        Vendor::Other => opened.file_name.clone(),
        vendor => vendor.label().to_owned(),
    };
    let tag = format!("{source} {}", chrono::Local::now().date_naive());
    cache.blocking().begin_import(&id, &tag, &opened.file_name)?;
    let dir = home.imports_dir();
    std::fs::create_dir_all(&dir).map_err(|source| ImportFailure::Write { path: dir.display().to_string(), source })?;
    let errors_to = dir.join(format!("{id}-errors.csv"));

    let mut batch = Vec::with_capacity(IMPORT_BATCH_MAX);
    let mut index = 0u32;
    let mut flush = |batch: &mut Vec<Lead>| -> Result<(), ImportFailure> {
        if !batch.is_empty() {
            cache.blocking().add_import_batch(&id, index, batch)?;
            index += 1;
            batch.clear();
        }
        Ok(())
    };
    let read = opened.read_through(
        Some(&errors_to),
        None,
        &mut |mut lead| {
            lead.import_batch = Some(tag.clone());
            batch.push(lead);
            if batch.len() == IMPORT_BATCH_MAX {
                flush(&mut batch)?;
            }
            Ok(())
        },
        Some(control),
    );
    let checked = match read.and_then(|checked| flush(&mut batch).map(|()| checked)) {
        Ok(checked) => checked,
        Err(e) => {
            let _ = std::fs::remove_file(&errors_to);
            cache.blocking().drop_import(&id)?;
            return Err(e);
        }
    };
    cache.blocking().import_read(&id)?;
    let error_file = if checked.tally.invalid > 0 {
        Some(errors_to)
    } else {
        let _ = std::fs::remove_file(&errors_to);
        None
    };
    Ok(Staged { id, tag, checked, error_file })
}

/// Mappings the user saved, by name, each for the header signature it was made on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedMappings {
    mappings: BTreeMap<String, SavedMapping>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SavedMapping {
    signature: String,
    mapping: Mapping,
}

impl SavedMappings {
    /// The saved mappings; none when the file is missing or damaged (a damaged one is set aside).
    pub fn load(home: &Home) -> Self {
        let path = home.mappings_file();
        let Ok(bytes) = std::fs::read(&path) else { return Self::default() };
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "damaged mappings file set aside");
            let _ = std::fs::rename(&path, path.with_extension("json.bad"));
            Self::default()
        })
    }

    /// Keeps `mapping` under `name` for files with these headers.
    pub fn save(home: &Home, name: &str, headers: &[String], mapping: &Mapping) -> Result<(), ImportFailure> {
        mapping.check(headers)?;
        let mut all = Self::load(home);
        all.mappings.insert(name.to_owned(), SavedMapping { signature: signature(headers), mapping: mapping.clone() });
        let path = home.mappings_file();
        crate::home::write_atomically(&path, &serde_json::to_vec_pretty(&all).expect("mappings serialise"))
            .map_err(|source| ImportFailure::Write { path: path.display().to_string(), source })
    }

    pub fn named(&self, name: &str) -> Option<&Mapping> {
        self.mappings.get(name).map(|m| &m.mapping)
    }

    /// The mapping saved for files with these headers (the first by name, if several).
    pub fn for_headers(&self, headers: &[String]) -> Option<&Mapping> {
        self.named_for_headers(headers).map(|(_, m)| m)
    }

    /// [`Self::for_headers`], with its name.
    pub fn named_for_headers(&self, headers: &[String]) -> Option<(&str, &Mapping)> {
        let sig = signature(headers);
        self.mappings.iter().find(|(_, m)| m.signature == sig).map(|(name, m)| (name.as_str(), &m.mapping))
    }
}

#[cfg(test)]
mod tests {
    use crokodial_core::import::Field;

    use super::*;

    fn file(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_file_is_checked_through_and_its_bad_rows_written_out() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let path = file(
            dir.path(),
            "leads.csv",
            "Name,Phone,Email,DOB\nAnn Lee,312-555-0100,,1980-01-02\nBea Lin,,,\n=cmd(),(312) 555-0100,,\nCy Ott,312-555-0101,,1980-02-30\n",
        );
        let errors = dir.path().join("errors.csv");
        let checked = check(&home, &path, &MappingChoice::Automatic, Some(&errors), None).unwrap();
        assert_eq!((checked.vendor, checked.encoding.as_str()), (Vendor::Other, "UTF-8"));
        assert_eq!(checked.mapping[1], ("Phone".to_owned(), Some("Phone".to_owned())));
        assert_eq!(
            (checked.tally.rows, checked.tally.leads, checked.tally.duplicates, checked.tally.invalid),
            (4, 2, 1, 2)
        );
        let written = std::fs::read_to_string(&errors).unwrap();
        assert_eq!(
            written,
            "row,reasons,Name,Phone,Email,DOB\n\
             3,no phone or email,Bea Lin,,,\n\
             5,\"column \"\"DOB\"\": date of birth \"\"1980-02-30\"\" is not a real date\",Cy Ott,312-555-0101,,1980-02-30\n"
        );
    }

    #[test]
    fn the_synced_book_tells_new_leads_from_updates() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = LeadCache::open_at(&dir.path().join("c.sqlite")).unwrap();
        let stored = |id: &str, phone: Option<&str>, email: Option<&str>| Lead {
            id: id.into(),
            name: id.into(),
            phone: phone.map(Into::into),
            email: email.map(Into::into),
            ..Lead::default()
        };
        // As the deployed server keeps a CSV lead's phone, and a webhook lead's.
        cache
            .upsert(&[stored("a", Some("(312) 555-0100"), None), stored("b", None, Some("Bo@Example.com"))], None)
            .unwrap();
        let known = KnownContacts::from_cache(&cache).unwrap();
        let path = file(
            dir.path(),
            "leads.csv",
            "Name,Phone,Email\nAnn Lee,3125550100,\nBo Chan,,bo@example.com\nCy Ott,3125550101,\nAnn Lee,312-555-0100,\n",
        );
        let home = Home::at(dir.path());
        let checked = check(&home, &path, &MappingChoice::Automatic, None, Some(&known)).unwrap();
        assert_eq!((checked.new, checked.updates), (Some(1), Some(2)), "the repeat of Ann is not counted again");
        let unknown = check(&home, &path, &MappingChoice::Automatic, None, None).unwrap();
        assert_eq!((unknown.new, unknown.updates), (None, None));
    }

    #[test]
    fn a_saved_mapping_is_used_for_files_with_the_same_headers_or_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let path = file(dir.path(), "a.csv", "who,digits\nAnn,3125550100\n");
        let headers = vec!["who".to_owned(), "digits".to_owned()];
        let mapping = Mapping { vendor: Vendor::Other, columns: vec![Some(Field::LastName), Some(Field::Phone)] };
        SavedMappings::save(&home, "my vendor", &headers, &mapping).unwrap();
        let checked = check(&home, &path, &MappingChoice::Automatic, None, None).unwrap();
        assert_eq!(checked.mapping[0].1.as_deref(), Some("Last name"), "found by the header signature");
        let other = file(dir.path(), "b.csv", "Who, Digits\nAnn,3125550100\n");
        assert_eq!(
            check(&home, &other, &MappingChoice::Named("my vendor".into()), None, None).unwrap().tally.leads,
            1,
            "by name"
        );
        assert!(matches!(
            check(&home, &path, &MappingChoice::Named("nope".into()), None, None),
            Err(ImportFailure::NoSuchMapping(_))
        ));
        let bad = Mapping { vendor: Vendor::Other, columns: vec![Some(Field::Phone), Some(Field::Phone)] };
        assert!(matches!(SavedMappings::save(&home, "x", &headers, &bad), Err(ImportFailure::Mapping(_))));
    }

    #[test]
    fn a_file_that_cannot_be_leads_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "eq.csv", "eqLeadUUID,leadName,transactionType,balance\nu,Ann,charge,1\n");
        let err = check(&Home::at(dir.path()), &path, &MappingChoice::Automatic, None, None).unwrap_err().to_string();
        assert!(err.contains("EverQuote"), "{err}");
        let missing = check(&Home::at(dir.path()), &dir.path().join("none.csv"), &MappingChoice::Automatic, None, None)
            .unwrap_err()
            .to_string();
        assert!(missing.starts_with("cannot open"), "{missing}");
    }
}
