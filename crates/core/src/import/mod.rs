//! Lead files from vendors: read, recognised, mapped and normalised into leads. Pure: reads from
//! any `Read`, streaming (a file is never held whole), and touches no file or network itself.
//!
//! [`Import::open`] reads the header and the first rows, recognises the vendor and proposes a
//! mapping ([`Preview`]); the user may change it ([`Import::use_mapping`]); [`Import::next_outcome`] then
//! yields each row as a lead (saying when it repeats an earlier row) or as the reasons it is not
//! one, and keeps the counts ([`Tally`]).

mod export;
pub mod normalize;
mod pipeline;
pub mod reader;
pub mod rows;
pub mod vendor;

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;

pub use export::nextgen_csv;
pub use pipeline::{RunError, RunProgress};
pub use reader::{Encoding, FileError, LeadFile, OwnedRow};
pub use rows::{ErrorFile, Problem};
pub use vendor::{signature, Field, Mapping, MappingError, NotLeads, Vendor};

use crate::Lead;
use rows::{InFile, RowReader};

/// What a file looks like before it is imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub headers: Vec<String>,
    pub delimiter: char,
    /// The first rows, with their row numbers.
    pub rows: Vec<(u64, Vec<String>)>,
    /// The vendor and mapping recognised, or why the file cannot be leads.
    pub detected: Result<Mapping, NotLeads>,
}

/// One row's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Lead {
        row: u64,
        /// Boxed: a lead is a kilobyte, and outcomes pass between threads and through queues.
        lead: Box<Lead>,
        /// The earlier row of the same lead (same phone, else email, else vendor lead id): the two
        /// are one lead, this row's values over the earlier's.
        duplicate_of: Option<u64>,
    },
    Invalid {
        row: u64,
        problems: Vec<Problem>,
        cells: Vec<String>,
    },
}

/// The counts of an import so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Rows read (blank ones not counted).
    pub rows: u64,
    /// Rows that are leads, duplicates included.
    pub leads: u64,
    /// Rows that repeat an earlier row's lead.
    pub duplicates: u64,
    pub invalid: u64,
    /// Invalid rows by reason (a row may have several).
    pub reasons: BTreeMap<String, u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    NotLeads(#[from] NotLeads),
}

/// A lead file being imported.
pub struct Import<R: Read> {
    file: LeadFile<R>,
    preview: Preview,
    /// The preview's rows not yet yielded.
    replay: std::vec::IntoIter<(u64, Vec<String>)>,
    mapping: Option<Mapping>,
    today: NaiveDate,
    in_file: InFile,
    tally: Tally,
}

impl<R: Read> Import<R> {
    /// Reads the header and the first rows, and recognises the file. `today`: the date against
    /// which dates of birth are checked.
    pub fn open(reader: R, today: NaiveDate) -> Result<Self, FileError> {
        let mut file = LeadFile::open(reader)?;
        let mut rows = Vec::new();
        while rows.len() < vendor::SAMPLE_ROWS {
            match file.next_row()? {
                Some(row) => rows.push((row.number, row.cells())),
                None => break,
            }
        }
        let samples: Vec<Vec<String>> = rows.iter().map(|(_, cells)| cells.clone()).collect();
        let detected = vendor::detect(file.headers(), &samples);
        let preview = Preview { headers: file.headers().to_vec(), delimiter: file.delimiter(), rows, detected };
        Ok(Import {
            replay: preview.rows.clone().into_iter(),
            mapping: preview.detected.clone().ok(),
            preview,
            file,
            today,
            in_file: InFile::default(),
            tally: Tally::default(),
        })
    }

    pub fn preview(&self) -> &Preview {
        &self.preview
    }

    /// Imports with `mapping` instead of the one recognised (the user's, or one saved for this
    /// header signature).
    pub fn use_mapping(&mut self, mapping: Mapping) -> Result<(), MappingError> {
        mapping.check(&self.preview.headers)?;
        self.mapping = Some(mapping);
        Ok(())
    }

    pub fn mapping(&self) -> Option<&Mapping> {
        self.mapping.as_ref()
    }

    /// The next row's outcome; `None` at the end of the file.
    pub fn next_outcome(&mut self) -> Result<Option<Outcome>, ImportError> {
        let Some(mapping) = &self.mapping else {
            return Err(match &self.preview.detected {
                Err(why) => why.clone().into(),
                Ok(_) => unreachable!("a recognised file has a mapping"),
            });
        };
        let rows = RowReader::new(mapping, &self.preview.headers, self.today);
        let (row, result) = match self.replay.next() {
            Some((row, cells)) => (row, rows.lead(&cells).map_err(|p| (p, cells))),
            None => match self.file.next_row()? {
                Some(raw) => (raw.number, rows.lead(&raw).map_err(|p| (p, raw.cells()))),
                None => return Ok(None),
            },
        };
        Ok(Some(settle(&mut self.in_file, &mut self.tally, row, result)))
    }

    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// The encoding found so far.
    pub fn encoding(&self) -> Encoding {
        self.file.encoding()
    }

    /// The bytes read so far, for a progress bar.
    pub fn bytes_read(&self) -> u64 {
        self.file.bytes_read()
    }
}

/// A row normalised: a lead, or why not (with the row's cells, for the error file).
type Normalised = (u64, Result<Box<Lead>, (Vec<Problem>, Vec<String>)>);

/// A normalised row's outcome, in file order: whether it repeats an earlier row, and the counts.
fn settle(
    in_file: &mut InFile,
    tally: &mut Tally,
    row: u64,
    result: Result<Box<Lead>, (Vec<Problem>, Vec<String>)>,
) -> Outcome {
    tally.rows += 1;
    match result {
        Ok(lead) => {
            let duplicate_of = in_file.seen(row, &lead);
            tally.leads += 1;
            tally.duplicates += u64::from(duplicate_of.is_some());
            Outcome::Lead { row, lead, duplicate_of }
        }
        Err((problems, cells)) => {
            tally.invalid += 1;
            for p in &problems {
                *tally.reasons.entry(p.kind()).or_default() += 1;
            }
            Outcome::Invalid { row, problems, cells }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn run(bytes: &[u8]) -> (Vec<Outcome>, Tally) {
        let mut import = Import::open(bytes, today()).unwrap();
        let mut out = Vec::new();
        while let Some(o) = import.next_outcome().unwrap() {
            out.push(o);
        }
        (out, import.tally().clone())
    }

    fn lead(o: &Outcome) -> &Lead {
        match o {
            Outcome::Lead { lead, .. } => lead,
            Outcome::Invalid { row, problems, .. } => panic!("row {row} invalid: {problems:?}"),
        }
    }

    const NEXTGEN: &str = "created_at,purchase_id,product,lead_id,vendor_id,vendor_name,vertical_id,account_id,account_name,campaign_id,campaign_name,bid_type,first_name,last_name,phone,street_1,street_2,email,city,state,zipcode,dob,gender,height,household_size,household_income,weight,military,pregnant,tobacco_user,has_prescription,has_medicare_parts_a_b,has_medical_condition,medical_conditions,insurance_timeframe,price,status,disposition,call_log_id,call_duration,source_hash,sub_id_hash\n";

    fn nextgen_row(
        product: &str,
        lead_id: &str,
        first: &str,
        phone: &str,
        zip: &str,
        dob: &str,
        price: &str,
    ) -> String {
        format!(
            "2026-11-02T08:30:00Z,P1,{product},{lead_id},V1,NextGen,3,A1,Agency,C1,Health,exclusive,{first},Lee,{phone},1 Main St,,{first}@x.com,Boston,MA,{zip},{dob},female,5'6\",2,$50k,150,false,false,no,true,false,false,\"[\"\"asthma\"\"]\",30 days,{price},new,,CL1,60,sh,sub\n"
        )
    }

    #[test]
    fn a_nextgen_file_becomes_leads_with_every_field_normalised() {
        let file = [
            NEXTGEN.to_owned(),
            nextgen_row("data", "NG-1", "Ann", "(617) 555-0100", "02134", "1980-02-03", "25.00"),
            nextgen_row("ad", "NG-1", "Ann", "617.555.0100", "02134", "1980-02-03", "5.00"),
            nextgen_row("data", "NG-2", "Bea", "6175550101", "2134", "1980-02-30", "25.00"),
        ]
        .concat();
        let (out, tally) = run(file.as_bytes());
        let ann = lead(&out[0]);
        assert_eq!(ann.name, "Ann Lee");
        assert_eq!(ann.phone.as_deref(), Some("6175550100"), "stored as webhooks store them");
        assert_eq!(ann.zipcode.as_deref(), Some("02134"), "the leading zero is kept");
        assert_eq!((ann.dob.as_deref(), ann.height.as_deref()), (Some("1980-02-03"), Some("66")));
        assert_eq!((ann.tobacco_user, ann.has_prescription), (Some(false), Some(true)));
        assert_eq!(ann.medical_conditions, ["asthma"]);
        assert_eq!((ann.lead_id.as_deref(), ann.nextgen_id.as_deref()), (Some("NG-1"), Some("NG-1")));
        assert_eq!(ann.created_at, Some("2026-11-02T08:30:00Z".parse().unwrap()));
        assert_eq!(ann.source, Some(crate::LeadSource::NextGen));
        assert_eq!((ann.product.as_deref(), ann.price.as_deref()), (Some("data"), Some("25.00")));

        let Outcome::Lead { lead: ad, duplicate_of, row } = &out[1] else { panic!("{:?}", out[1]) };
        assert_eq!((*row, *duplicate_of), (3, Some(2)), "the ad row is the same lead as its data row");
        assert_eq!((ad.product.as_deref(), ad.price.as_deref(), ad.bid_type.as_deref()), (None, None, None));

        let Outcome::Invalid { row, problems, cells } = &out[2] else { panic!("{:?}", out[2]) };
        assert_eq!(*row, 4);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].to_string().contains("\"dob\""), "{}", problems[0]);
        assert_eq!(cells[12], "Bea", "the row is kept as it was, for the error file");
        assert_eq!(
            tally,
            Tally {
                rows: 3,
                leads: 2,
                duplicates: 1,
                invalid: 1,
                reasons: [("invalid date of birth".to_owned(), 1)].into()
            }
        );
    }

    #[test]
    fn a_marketplace_file_keeps_what_the_deployed_server_drops() {
        let file = "leadID,created,email,primaryPhone,firstName,lastName,dateOfBirth,addressOne,addressTwo,addressThree,city,state,postalCode,income,age,household,gender,trustedFormCertID,jornayaLeadID,crmLastCallUsername,crmLastOfCallHistoryNameLastFirst,campaignName\n\
            3f2b1c9e-0000-4000-8000-000000000001,11-02-2026 08:30:00 ,ANN@X.COM,+1 (202) 555-0142,Ann,Lee,02-03-1980,1 Main St,Apt 2,,Washington,District of Columbia,20001,45000,46,3,F,tf,jl,rep,\"Lee, Ann\",Spring\n";
        let (out, _) = run(file.as_bytes());
        let ann = lead(&out[0]);
        assert_eq!(ann.email.as_deref(), Some("ann@x.com"));
        assert_eq!(ann.phone.as_deref(), Some("2025550142"));
        assert_eq!(ann.created_at, Some("2026-11-02T08:30:00Z".parse().unwrap()));
        assert_eq!(
            (ann.street1.as_deref(), ann.household_income.as_deref(), ann.household_size.as_deref()),
            (Some("1 Main St"), Some("45000"), Some("3"))
        );
        assert_eq!((ann.state.as_deref(), ann.dob.as_deref()), (Some("DC"), Some("1980-02-03")));
        assert_eq!(ann.source, Some(crate::LeadSource::Marketplace));
    }

    #[test]
    fn any_other_file_with_full_names_ragged_rows_and_latin1() {
        let mut file = b"Name;Mobile;Email;Notes\n".to_vec();
        file.extend_from_slice(b"Lee, Ann;312-555-0100;;=HYPERLINK(\"http://x\")\n");
        file.extend_from_slice(b"Jos\xE9 Mu\xF1oz;312-555-0101;;\n");
        file.extend_from_slice(b"Cy;312-555-0102\n");
        file.extend_from_slice(b"<img src=x onerror=alert(1)>;;;\n");
        file.extend_from_slice(b"Dee;12345;;\n");
        let mut import = Import::open(&file[..], today()).unwrap();
        assert_eq!(import.preview().delimiter, ';');
        let mut out = Vec::new();
        while let Some(o) = import.next_outcome().unwrap() {
            out.push(o);
        }
        let ann = lead(&out[0]);
        assert_eq!(
            (ann.first_name.as_deref(), ann.last_name.as_deref(), ann.name.as_str()),
            (Some("Ann"), Some("Lee"), "Ann Lee")
        );
        assert_eq!(ann.notes.as_deref(), Some("=HYPERLINK(\"http://x\")"), "kept as text; the UI shows text");
        assert_eq!(lead(&out[1]).name, "José Muñoz");
        assert_eq!(import.encoding(), Encoding::Windows1252 { rows: 1 });
        let problems = |o: &Outcome| match o {
            Outcome::Invalid { problems, .. } => {
                problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(problems(&out[2]), "the row has 2 cells and the header 4");
        assert_eq!(problems(&out[3]), "no phone or email", "a hostile name is just a name; the row lacks a phone");
        assert!(problems(&out[4]).starts_with("column \"Mobile\": "), "{}", problems(&out[4]));
        assert_eq!(import.tally().reasons.get("invalid phone"), Some(&1), "{:?}", import.tally().reasons);
    }

    #[test]
    fn a_file_that_cannot_be_leads_says_why_until_the_user_maps_it() {
        let file = "eqLeadUUID,leadName,postalState,county,transactionType,detail,amount,balance,campaignName,createdAt\nu1,Ann Lee,MA,Suffolk,charge,x,10,100,c,2026-11-01\n";
        let mut import = Import::open(file.as_bytes(), today()).unwrap();
        assert!(matches!(import.next_outcome(), Err(ImportError::NotLeads(NotLeads::EverQuoteTransactions))));

        let file = "who,contact\nAnn,call her\n";
        let mut import = Import::open(file.as_bytes(), today()).unwrap();
        assert!(import.preview().detected.is_err());
        let mapping = Mapping { vendor: Vendor::Other, columns: vec![Some(Field::FullName), Some(Field::Phone)] };
        import.use_mapping(mapping).unwrap();
        let Some(Outcome::Invalid { problems, .. }) = import.next_outcome().unwrap() else { panic!() };
        assert!(matches!(problems[0], Problem::Value { .. }), "{problems:?}");
    }

    #[test]
    fn the_error_file_neutralises_formulas() {
        let headers = vec!["name".to_owned(), "=cmd".to_owned()];
        let mut errors = ErrorFile::new(Vec::new(), &headers).unwrap();
        errors.add(7, &[Problem::NoContact], &["@SUM(A1)".into(), "-2+3".into()]).unwrap();
        errors.add(8, &[Problem::NoContact], &["Ann".into(), "+1 555".into()]).unwrap();
        let text = String::from_utf8(errors.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "row,reasons,name,'=cmd\n7,no phone or email,'@SUM(A1),'-2+3\n8,no phone or email,Ann,'+1 555\n"
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Cells made of what lead files hold, and of what breaks parsers.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9 ()+.-]{0,16}",
            "[a-zA-Z0-9@._-]{0,20}",
            "[0-9]{1,2}[/-][0-9]{1,2}[/-][0-9]{2,4}",
            "\\PC{0,12}",
            Just("\"\"".to_owned()),
            Just("=1+2".to_owned()),
        ]
    }

    fn quoted(c: &str) -> String {
        format!("\"{}\"", c.replace('"', "\"\""))
    }

    proptest! {
        /// Any file with a known or unknown header: one outcome per row that has something in
        /// it, and never a panic.
        #[test]
        fn every_row_has_one_outcome(
            header in prop_oneof![
                Just("first_name,last_name,phone,email,dob,zipcode,height,state,purchase_id,bid_type".to_owned()),
                Just("leadID,created,email,primaryPhone,dateOfBirth,postalCode,addressOne,jornayaLeadID,x,y".to_owned()),
                Just("Name,Mobile,Email,Notes,Birthday,Zip,ST,a,b,c".to_owned()),
            ],
            rows in proptest::collection::vec(proptest::collection::vec(cell(), 1..12), 0..30),
        ) {
            let mut file = header.clone();
            for row in &rows {
                file.push('\n');
                file.push_str(&row.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(","));
            }
            let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
            let mut import = Import::open(file.as_bytes(), today).unwrap();
            let mut outcomes = 0u64;
            while import.next_outcome().unwrap().is_some() {
                outcomes += 1;
            }
            let filled = rows.iter().filter(|r| r.iter().any(|c| !c.bytes().all(|b| b.is_ascii_whitespace()))).count() as u64;
            prop_assert_eq!(outcomes, filled);
            let t = import.tally();
            prop_assert_eq!(t.rows, outcomes);
            prop_assert_eq!(t.leads + t.invalid, t.rows);
        }
    }
}
