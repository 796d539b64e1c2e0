//! Importing a vendor's lead file from this computer: checking it before anything is sent (the
//! counts, the rows that cannot be imported and why), and the mappings the user saved for a
//! vendor's header signature.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Utc;
use crokodial_core::import::{
    signature, Encoding, ErrorFile, FileError, Import, ImportError, Mapping, MappingError, Outcome, Tally, Vendor,
};
use serde::{Deserialize, Serialize};

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
}

impl From<ImportError> for ImportFailure {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::File(e) => Self::File(e),
            ImportError::NotLeads(why) => Self::NotLeads(why.to_string()),
        }
    }
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
}

/// Reads `path` through under `mapping` (else a saved mapping for its headers, else the one
/// recognised), counting leads, duplicates and invalid rows; writes the invalid rows with
/// their reasons to `errors_to` when given.
pub fn check(
    home: &Home,
    path: &Path,
    mapping: Option<&str>,
    errors_to: Option<&Path>,
) -> Result<Checked, ImportFailure> {
    let file =
        std::fs::File::open(path).map_err(|source| ImportFailure::Open { path: path.display().to_string(), source })?;
    let mut import = Import::open(std::io::BufReader::new(file), Utc::now().date_naive())?;
    let headers = import.preview().headers.clone();
    let saved = SavedMappings::load(home);
    let chosen = match mapping {
        Some(name) => Some(saved.named(name).ok_or_else(|| ImportFailure::NoSuchMapping(name.to_owned()))?.clone()),
        None => saved.for_headers(&headers).cloned(),
    };
    if let Some(m) = chosen {
        import.use_mapping(m)?;
    }
    let write_error = |path: &Path| {
        let path = path.display().to_string();
        move |source: std::io::Error| ImportFailure::Write { path: path.clone(), source }
    };
    let mut errors = match errors_to {
        Some(p) => {
            let out = std::fs::File::create(p)
                .map_err(|source| ImportFailure::Write { path: p.display().to_string(), source })?;
            Some(ErrorFile::new(std::io::BufWriter::new(out), &headers).map_err(write_error(p))?)
        }
        None => None,
    };
    while let Some(outcome) = import.next_outcome()? {
        if let (Outcome::Invalid { row, problems, cells }, Some(errors)) = (&outcome, errors.as_mut()) {
            errors.add(*row, problems, cells).map_err(write_error(errors_to.expect("errors file")))?;
        }
    }
    if let (Some(errors), Some(p)) = (errors, errors_to) {
        errors.finish().map_err(write_error(p))?;
    }
    let used = import.mapping().expect("a mapping was used").clone();
    let (encoding, converted_rows) = match import.encoding() {
        Encoding::Utf8 => ("UTF-8", 0),
        Encoding::Windows1252 { rows } => ("Windows-1252", rows),
    };
    Ok(Checked {
        vendor: used.vendor,
        encoding: encoding.to_owned(),
        converted_rows,
        mapping: headers.iter().cloned().zip(used.columns.iter().map(|f| f.map(|f| f.label().to_owned()))).collect(),
        tally: import.tally().clone(),
    })
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
        let sig = signature(headers);
        self.mappings.values().find(|m| m.signature == sig).map(|m| &m.mapping)
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
        let checked = check(&home, &path, None, Some(&errors)).unwrap();
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
    fn a_saved_mapping_is_used_for_files_with_the_same_headers_or_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let path = file(dir.path(), "a.csv", "who,digits\nAnn,3125550100\n");
        let headers = vec!["who".to_owned(), "digits".to_owned()];
        let mapping = Mapping { vendor: Vendor::Other, columns: vec![Some(Field::LastName), Some(Field::Phone)] };
        SavedMappings::save(&home, "my vendor", &headers, &mapping).unwrap();
        let checked = check(&home, &path, None, None).unwrap();
        assert_eq!(checked.mapping[0].1.as_deref(), Some("Last name"), "found by the header signature");
        let other = file(dir.path(), "b.csv", "Who, Digits\nAnn,3125550100\n");
        assert_eq!(check(&home, &other, Some("my vendor"), None).unwrap().tally.leads, 1, "by name");
        assert!(matches!(check(&home, &path, Some("nope"), None), Err(ImportFailure::NoSuchMapping(_))));
        let bad = Mapping { vendor: Vendor::Other, columns: vec![Some(Field::Phone), Some(Field::Phone)] };
        assert!(matches!(SavedMappings::save(&home, "x", &headers, &bad), Err(ImportFailure::Mapping(_))));
    }

    #[test]
    fn a_file_that_cannot_be_leads_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "eq.csv", "eqLeadUUID,leadName,transactionType,balance\nu,Ann,charge,1\n");
        let err = check(&Home::at(dir.path()), &path, None, None).unwrap_err().to_string();
        assert!(err.contains("EverQuote"), "{err}");
        let missing = check(&Home::at(dir.path()), &dir.path().join("none.csv"), None, None).unwrap_err().to_string();
        assert!(missing.starts_with("cannot open"), "{missing}");
    }
}
