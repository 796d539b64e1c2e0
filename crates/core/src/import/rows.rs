//! A row of a lead file as a lead, or the reasons it cannot be one; duplicates within a file;
//! and the error file handed back to the user.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io::Write;

use chrono::{Datelike, NaiveDate};

use super::normalize::{self, Invalid};
use super::reader::RawRow;
use super::vendor::{Field, Mapping, Vendor};
use crate::list_export::neutralised;
use crate::Lead;

/// Why a row is not imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("column \"{column}\": {invalid}")]
    Value { column: String, field: Field, invalid: Invalid },
    #[error("the row has {found} cells and the header {expected}")]
    Ragged { expected: usize, found: usize },
    #[error("no phone or email")]
    NoContact,
}

impl Problem {
    /// The kind of problem, for counts by reason ("invalid date of birth", "no phone or email").
    pub fn kind(&self) -> String {
        match self {
            Self::Value { field, .. } => format!("invalid {}", field.label().to_lowercase()),
            Self::Ragged { .. } => "wrong number of cells".into(),
            Self::NoContact => "no phone or email".into(),
        }
    }
}

/// A lead file's rows as leads, under a mapping.
pub struct RowReader<'a> {
    mapping: &'a Mapping,
    headers: &'a [String],
    today: NaiveDate,
}

impl<'a> RowReader<'a> {
    /// `today`: the date against which dates of birth are checked.
    pub fn new(mapping: &'a Mapping, headers: &'a [String], today: NaiveDate) -> Self {
        RowReader { mapping, headers, today }
    }

    /// The row as a lead (without an id: the server gives it one), or every reason it is not one.
    pub fn lead(&self, row: &impl Cells) -> Result<Box<Lead>, Vec<Problem>> {
        let expected = self.headers.len();
        let extra_filled = (expected..row.len()).any(|c| !row.cell(c).trim().is_empty());
        if row.len() < expected || extra_filled {
            return Err(vec![Problem::Ragged { expected, found: row.len() }]);
        }
        let mut problems = Vec::new();
        let mut lead = Box::new(Lead { source: Some(self.mapping.vendor.source()), ..Lead::default() });
        let mut full_name = None;
        for (column, field) in self.mapping.columns.iter().enumerate() {
            let Some(field) = *field else { continue };
            let cell = row.cell(column);
            if let Err(invalid) = set(&mut lead, field, &cell, self.today, &mut full_name) {
                problems.push(Problem::Value { column: self.headers[column].clone(), field, invalid });
            }
        }
        if lead.phone.is_none()
            && lead.email.is_none()
            && !problems.iter().any(|p| matches!(p, Problem::Value { field: Field::Phone | Field::Email, .. }))
        {
            problems.push(Problem::NoContact);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        name_lead(&mut lead, full_name);
        if self.mapping.vendor == Vendor::NextGen {
            lead.nextgen_id.clone_from(&lead.lead_id);
            if lead.product.as_deref().is_some_and(|p| p.eq_ignore_ascii_case("ad")) {
                // A premium add-on of a lead bought as `data`: the same person, merged into that
                // lead; what was bought is the data row's.
                (lead.product, lead.price, lead.bid_type) = (None, None, None);
            }
        }
        Ok(lead)
    }
}

/// A row's cells: as read from the file, or kept from its first rows.
pub trait Cells {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Cell `i`, empty when the row is shorter.
    fn cell(&self, i: usize) -> std::borrow::Cow<'_, str>;
}

impl Cells for RawRow<'_> {
    fn len(&self) -> usize {
        RawRow::len(self)
    }

    fn cell(&self, i: usize) -> std::borrow::Cow<'_, str> {
        RawRow::cell(self, i)
    }
}

impl Cells for Vec<String> {
    fn len(&self) -> usize {
        <[String]>::len(self)
    }

    fn cell(&self, i: usize) -> std::borrow::Cow<'_, str> {
        self.get(i).map_or(std::borrow::Cow::Borrowed(""), |c| std::borrow::Cow::Borrowed(c))
    }
}

/// Sets `field` of `lead` from a cell's text; a blank cell sets nothing.
fn set(
    lead: &mut Lead,
    field: Field,
    cell: &str,
    today: NaiveDate,
    full_name: &mut Option<String>,
) -> Result<(), Invalid> {
    let text = || normalize::text(cell);
    let flag = |slot: &mut Option<bool>| -> Result<(), Invalid> {
        *slot = normalize::boolean(cell)?;
        Ok(())
    };
    match field {
        Field::FullName => *full_name = text(),
        Field::FirstName => lead.first_name = text(),
        Field::LastName => lead.last_name = text(),
        Field::Phone => lead.phone = normalize::phone(cell)?.map(normalize::Phone::stored),
        Field::Email => lead.email = normalize::email(cell)?,
        Field::Street1 => lead.street1 = text(),
        Field::Street2 => lead.street2 = text(),
        Field::City => lead.city = text(),
        Field::State => lead.state = normalize::state(cell)?.map(str::to_owned),
        Field::Zipcode => lead.zipcode = normalize::zip(cell)?,
        Field::Dob => lead.dob = normalize::date_of_birth(cell, today)?.map(iso_date),
        Field::Gender => lead.gender = normalize::gender(cell),
        Field::Height => lead.height = normalize::height_inches(cell)?.map(decimal),
        Field::Weight => lead.weight = normalize::weight_pounds(cell)?.map(decimal),
        Field::HouseholdSize => lead.household_size = text(),
        Field::HouseholdIncome => lead.household_income = text(),
        Field::Military => flag(&mut lead.military)?,
        Field::Pregnant => flag(&mut lead.pregnant)?,
        Field::TobaccoUser => flag(&mut lead.tobacco_user)?,
        Field::HasPrescription => flag(&mut lead.has_prescription)?,
        Field::HasMedicarePartsAb => flag(&mut lead.has_medicare_parts_ab)?,
        Field::HasMedicalCondition => flag(&mut lead.has_medical_condition)?,
        Field::MedicalConditions => lead.medical_conditions = normalize::list(cell),
        Field::InsuranceTimeframe => lead.insurance_timeframe = text(),
        Field::CampaignName => lead.campaign_name = text(),
        Field::Product => lead.product = text(),
        Field::VendorName => lead.vendor_name = text(),
        Field::AccountName => lead.account_name = text(),
        Field::BidType => lead.bid_type = text(),
        Field::Price => lead.price = text(),
        Field::CallLogId => lead.call_log_id = text(),
        Field::CallDuration => lead.call_duration = text(),
        Field::SourceHash => lead.source_hash = text(),
        Field::SubIdHash => lead.sub_id_hash = text(),
        Field::VendorLeadId => lead.lead_id = text(),
        Field::Created => lead.created_at = normalize::timestamp(cell)?,
        Field::Disposition => lead.disposition = text(),
        Field::Notes => lead.notes = text(),
    }
    Ok(())
}

/// A number in decimal, without the cost of a format string (once a row).
fn decimal(n: impl Into<u64>) -> String {
    let mut n = n.into();
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[start..].iter().map(|&d| char::from(d)).collect()
}

/// `YYYY-MM-DD`, without the cost of a format string (once a row).
fn iso_date(d: NaiveDate) -> String {
    let (y, m, d) = (d.year().clamp(0, 9999) as u32, d.month(), d.day());
    let digits = [y / 1000, y / 100 % 10, y / 10 % 10, y % 10, m / 10, m % 10, d / 10, d % 10];
    let mut out = String::with_capacity(10);
    for (i, n) in digits.into_iter().enumerate() {
        if i == 4 || i == 6 {
            out.push('-');
        }
        out.push(char::from(b'0' + n as u8));
    }
    out
}

/// The lead's name: the full name column, else first and last; the parts from a full name when
/// the file has no columns for them ("Ann Lee", "Lee, Ann"); else its email or phone.
fn name_lead(lead: &mut Lead, full_name: Option<String>) {
    let joined =
        [lead.first_name.as_deref(), lead.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    match full_name {
        Some(full) => {
            if lead.first_name.is_none() && lead.last_name.is_none() {
                let (first, last) = match full.split_once(',') {
                    Some((last, first)) => (first.trim(), last.trim()),
                    None => full.rsplit_once(' ').map_or(("", full.as_str()), |(f, l)| (f.trim(), l.trim())),
                };
                lead.first_name = (!first.is_empty()).then(|| first.to_owned());
                lead.last_name = (!last.is_empty()).then(|| last.to_owned());
                lead.name = [first, last].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ");
            } else {
                lead.name = full;
            }
        }
        None if !joined.is_empty() => lead.name = joined,
        None => lead.name = lead.email.clone().or_else(|| lead.phone.clone()).unwrap_or_default(),
    }
}

/// The rows already seen, by the key that makes two rows one lead: the phone, else the email,
/// else the vendor's lead id. Keys are kept as 64-bit hashes, not copies of the text; two
/// different keys share a hash about once in 10^9 files of 100,000 rows, which would only
/// miscount a row as a duplicate: the lead is imported either way.
#[derive(Debug, Default)]
pub struct InFile {
    first_row: HashMap<u64, u64, foldhash::fast::FixedState>,
    hasher: foldhash::quality::FixedState,
}

impl InFile {
    /// The first row of the same lead, if `lead` (from `row`) was seen before.
    pub fn seen(&mut self, row: u64, lead: &Lead) -> Option<u64> {
        let (tag, value) = match (&lead.phone, &lead.email, &lead.lead_id) {
            (Some(p), _, _) => ('p', p),
            (None, Some(e), _) => ('e', e),
            (None, None, Some(id)) => ('i', id),
            (None, None, None) => return None,
        };
        let key = self.hasher.hash_one((tag, value));
        match self.first_row.entry(key) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(row);
                None
            }
        }
    }
}

/// The file of rows not imported, for the user to fix: the row number, the reasons, then the
/// row's cells as they were. A cell that a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a leading `'`.
pub struct ErrorFile<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> ErrorFile<W> {
    pub fn new(out: W, headers: &[String]) -> std::io::Result<Self> {
        let mut csv = csv::Writer::from_writer(out);
        let mut first = vec!["row".to_owned(), "reasons".to_owned()];
        first.extend(headers.iter().map(|h| neutralised(h)));
        csv.write_record(&first)?;
        Ok(ErrorFile { csv })
    }

    pub fn add(&mut self, row: u64, problems: &[Problem], cells: &[String]) -> std::io::Result<()> {
        let reasons = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        let mut record = vec![row.to_string(), neutralised(&reasons)];
        record.extend(cells.iter().map(|c| neutralised(c)));
        Ok(self.csv.write_record(&record)?)
    }

    pub fn finish(self) -> std::io::Result<W> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_in_decimal() {
        for (n, want) in [(0u32, "0"), (7, "7"), (70, "70"), (180, "180"), (4_294_967_295, "4294967295")] {
            assert_eq!(decimal(n), want);
        }
    }
}
