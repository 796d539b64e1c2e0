//! The lead list written out as CSV for a spreadsheet: one row a lead, the columns reps read. A
//! cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return: a hostile lead name such as `=HYPERLINK(…)`) is written with a leading `'`.

use std::io::Write;

use crate::Lead;

/// The columns, in order.
pub const HEADER: [&str; 19] = [
    "Name",
    "First name",
    "Last name",
    "Phone",
    "Email",
    "Street",
    "City",
    "State",
    "ZIP code",
    "Time zone",
    "Date of birth",
    "Gender",
    "Source",
    "Disposition",
    "Status",
    "Received",
    "Notes",
    "Vendor lead id",
    "Id",
];

/// `cell`, made safe to open in a spreadsheet.
pub fn neutralised(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// A CSV of leads being written.
pub struct ListExport<W: Write> {
    csv: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> ListExport<W> {
    pub fn new(out: W) -> std::io::Result<Self> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(HEADER)?;
        Ok(ListExport { csv, rows: 0 })
    }

    pub fn add(&mut self, lead: &Lead) -> std::io::Result<()> {
        let text = |v: &Option<String>| v.as_deref().map(neutralised).unwrap_or_default();
        let zone = crate::textdrip::lead_zone(lead).map(crate::tz::label).unwrap_or_default();
        let record = [
            neutralised(&lead.name),
            text(&lead.first_name),
            text(&lead.last_name),
            text(&lead.phone),
            text(&lead.email),
            text(&lead.street1),
            text(&lead.city),
            text(&lead.state),
            text(&lead.zipcode),
            zone,
            text(&lead.dob),
            text(&lead.gender),
            lead.source.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            text(&lead.disposition),
            text(&lead.status),
            lead.created_at.map(crate::rfc3339).unwrap_or_default(),
            text(&lead.notes),
            text(&lead.lead_id),
            neutralised(&lead.id),
        ];
        self.csv.write_record(&record)?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn finish(self) -> std::io::Result<W> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_cell_is_never_a_formula_and_the_rest_is_as_stored() {
        let lead = Lead {
            id: "6b17".into(),
            name: "=HYPERLINK(\"http://evil\",\"Click\")".into(),
            first_name: Some("+1 Ann".into()),
            last_name: Some("@SUM(A1)".into()),
            phone: Some("3125550199".into()),
            state: Some("IL".into()),
            zipcode: Some("60601".into()),
            notes: Some("-2+3\nsecond line, with a comma".into()),
            city: Some("\tTab".into()),
            email: Some("ann@example.com".into()),
            ..Lead::default()
        };
        let mut out = ListExport::new(Vec::new()).unwrap();
        out.add(&lead).unwrap();
        assert_eq!(out.rows(), 1);
        let bytes = out.finish().unwrap();
        let mut read = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(read.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
        let row: Vec<String> = read.records().next().unwrap().unwrap().iter().map(str::to_owned).collect();
        let col = |name: &str| row[HEADER.iter().position(|h| *h == name).unwrap()].as_str();
        assert_eq!(col("Name"), "'=HYPERLINK(\"http://evil\",\"Click\")");
        assert_eq!((col("First name"), col("Last name"), col("City")), ("'+1 Ann", "'@SUM(A1)", "'\tTab"));
        assert_eq!(col("Notes"), "'-2+3\nsecond line, with a comma", "kept whole, quoted");
        assert_eq!((col("Phone"), col("ZIP code"), col("Time zone")), ("3125550199", "60601", "Central"));
        for cell in &row {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
        }
    }
}
