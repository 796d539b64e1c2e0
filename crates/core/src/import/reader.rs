//! Reading a lead file as rows of text, streaming: comma, semicolon or tab separated (found from
//! the header line), CRLF or LF, quoted cells with newlines, UTF-8 with or without a byte-order
//! mark. A cell that is not UTF-8 is read as Windows-1252 (which covers Latin-1), and the rows
//! read that way are counted, so the app can say so.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};

use csv::{ByteRecord, StringRecord};

/// What makes a file unreadable as a whole. A bad row is never one of these.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is UTF-16 text; save it as \"CSV UTF-8\" and try again")]
    Utf16,
    #[error("the file could not be read: {0}")]
    Read(#[from] std::io::Error),
    #[error("the file could not be read as CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// The text encoding of a file, as found while reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// Some cells were not UTF-8 and were read as Windows-1252 (Latin-1).
    Windows1252 {
        rows: u64,
    },
}

/// A lead file being read, a row at a time.
pub struct LeadFile<R: Read> {
    csv: csv::Reader<BufReader<R>>,
    headers: Vec<String>,
    delimiter: u8,
    /// The row last read: as text when it is UTF-8 (checked once for the whole row).
    record: Option<Record>,
    latin1_rows: u64,
}

/// How much of the file is looked at to find the separator.
const SNIFF: usize = 64 * 1024;

impl<R: Read> LeadFile<R> {
    /// Starts reading: finds the separator and reads the header row.
    pub fn open(reader: R) -> Result<Self, FileError> {
        let mut buffered = BufReader::with_capacity(SNIFF, reader);
        let start = buffered.fill_buf()?;
        if start.is_empty() {
            return Err(FileError::Empty);
        }
        if start.starts_with(&[0xFF, 0xFE]) || start.starts_with(&[0xFE, 0xFF]) {
            return Err(FileError::Utf16);
        }
        let delimiter = sniff_delimiter(start);
        let mut csv =
            csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(buffered);
        let mut record = ByteRecord::new();
        if !csv.read_byte_record(&mut record)? {
            return Err(FileError::Empty);
        }
        let mut latin1_rows = 0;
        if std::str::from_utf8(record.as_slice()).is_err() {
            latin1_rows += 1;
        }
        let headers = record
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = if i == 0 { h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h) } else { h };
                decode(h).trim().to_owned()
            })
            .collect();
        Ok(LeadFile { csv, headers, delimiter, record: Some(Record::Bytes(record)), latin1_rows })
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn delimiter(&self) -> char {
        char::from(self.delimiter)
    }

    /// The encoding found in the rows read so far.
    pub fn encoding(&self) -> Encoding {
        match self.latin1_rows {
            0 => Encoding::Utf8,
            rows => Encoding::Windows1252 { rows },
        }
    }

    /// The bytes read so far, for a progress bar.
    pub fn bytes_read(&self) -> u64 {
        self.csv.position().byte()
    }

    /// The next row that has something in it; blank lines and rows of empty cells are passed over.
    pub fn next_row(&mut self) -> Result<Option<RawRow<'_>>, FileError> {
        let bytes = self.record.take().map(Record::into_bytes).unwrap_or_default();
        Ok(self.next_owned_row(bytes)?.map(|row| RawRow { number: row.number, record: self.record.insert(row.record) }))
    }

    /// [`Self::next_row`], kept (to be normalised on another thread), read into `spare`'s buffers.
    pub fn next_owned_row(&mut self, mut spare: ByteRecord) -> Result<Option<OwnedRow>, FileError> {
        loop {
            if !self.csv.read_byte_record(&mut spare)? {
                return Ok(None);
            }
            if !spare.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
                break;
            }
        }
        let number = spare.position().map_or(0, |p| p.record()) + 1;
        let record = match StringRecord::from_byte_record(spare) {
            Ok(text) => Record::Text(text),
            Err(not_utf8) => {
                self.latin1_rows += 1;
                Record::Bytes(not_utf8.into_byte_record())
            }
        };
        Ok(Some(OwnedRow { number, record }))
    }
}

/// A row read off the file and kept.
#[derive(Debug)]
pub struct OwnedRow {
    pub number: u64,
    record: Record,
}

impl OwnedRow {
    pub fn row(&self) -> RawRow<'_> {
        RawRow { number: self.number, record: &self.record }
    }

    /// Its buffers, to read another row into.
    pub fn into_bytes(self) -> ByteRecord {
        self.record.into_bytes()
    }
}

#[derive(Debug)]
enum Record {
    Text(StringRecord),
    Bytes(ByteRecord),
}

impl Record {
    fn into_bytes(self) -> ByteRecord {
        match self {
            Self::Text(text) => text.into_byte_record(),
            Self::Bytes(bytes) => bytes,
        }
    }
}

/// One row of a lead file, its cells as text.
#[derive(Debug, Clone, Copy)]
pub struct RawRow<'a> {
    /// Its row number as a spreadsheet shows it: the header is row 1, a cell's line breaks do
    /// not start a row. (Empty lines are not counted; a spreadsheet would show them as rows.)
    pub number: u64,
    record: &'a Record,
}

impl<'a> RawRow<'a> {
    pub fn len(&self) -> usize {
        match self.record {
            Record::Text(t) => t.len(),
            Record::Bytes(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Cell `i`, empty when the row is shorter.
    pub fn cell(&self, i: usize) -> Cow<'a, str> {
        match self.record {
            Record::Text(t) => Cow::Borrowed(t.get(i).unwrap_or_default()),
            Record::Bytes(b) => b.get(i).map_or(Cow::Borrowed(""), decode),
        }
    }

    /// Every cell, owned (for a preview or the error file).
    pub fn cells(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.cell(i).into_owned()).collect()
    }
}

/// A cell's text: UTF-8 as it is, anything else as Windows-1252.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// The separator of the header line: the most frequent of comma, semicolon and tab outside
/// quotes; a comma when there is none.
fn sniff_delimiter(start: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in start {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => counts.iter_mut().filter(|(d, _)| *d == b).for_each(|(_, n)| *n += 1),
            _ => {}
        }
    }
    counts.iter().max_by_key(|&&(d, n)| (n, d == b',')).map_or(b',', |&(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = (Vec<String>, Vec<(u64, Vec<String>)>, Encoding, char);

    fn read(bytes: &[u8]) -> Read {
        let mut file = LeadFile::open(bytes).unwrap();
        let mut rows = Vec::new();
        while let Some(row) = file.next_row().unwrap() {
            rows.push((row.number, row.cells()));
        }
        (file.headers().to_vec(), rows, file.encoding(), file.delimiter())
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn finds_the_separator_of_the_header_line() {
        for (text, sep) in [
            ("a,b,c\n1,2,3\n", ','),
            ("a;b;c\n1;2;3\n", ';'),
            ("a\tb\tc\n1\t2\t3\n", '\t'),
            ("\"x;y\",b,c\n1,2,3\n", ','),
            ("single\n1\n", ','),
        ] {
            let (headers, rows, _, found) = read(text.as_bytes());
            assert_eq!(found, sep, "{text:?}");
            assert_eq!(rows[0].1.len(), headers.len(), "{text:?}");
        }
    }

    #[test]
    fn reads_bom_crlf_quoted_newlines_and_passes_over_blank_lines() {
        let text =
            "\u{FEFF}first_name,notes\r\nAnn,\"called,\r\nleft a message\"\r\n\r\n,\r\nBea,\"said \"\"hi\"\"\"\r\n";
        let (headers, rows, encoding, _) = read(text.as_bytes());
        assert_eq!(headers, ["first_name", "notes"], "the byte-order mark is not part of the first header");
        assert_eq!(
            rows,
            [(2, strings(&["Ann", "called,\r\nleft a message"])), (4, strings(&["Bea", "said \"hi\""]))],
            "row numbers count the header and rows of empty cells"
        );
        assert_eq!(encoding, Encoding::Utf8);
        let (_, lf, _, _) = read(text.replace("\r\n", "\n").as_bytes());
        assert_eq!(lf.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 4], "the same numbers with LF line ends");
    }

    #[test]
    fn cells_that_are_not_utf8_are_read_as_windows_1252_and_counted() {
        let mut bytes = b"name,city\n".to_vec();
        bytes.extend_from_slice(b"Jos\xE9 Mu\xF1oz,S\xE3o Paulo\nAnn,Boston\nRen\xE9e,Qu\xE9bec\n");
        let (_, rows, encoding, _) = read(&bytes);
        assert_eq!(rows[0].1, ["José Muñoz", "São Paulo"]);
        assert_eq!(rows[2].1, ["Renée", "Québec"]);
        assert_eq!(encoding, Encoding::Windows1252 { rows: 2 });
        let (_, rows, encoding, _) = read("name\nJosé\n".as_bytes());
        assert_eq!((rows[0].1[0].as_str(), encoding), ("José", Encoding::Utf8), "UTF-8 stays UTF-8");
    }

    #[test]
    fn ragged_rows_are_read_as_they_are() {
        let (_, rows, _, _) = read(b"a,b,c\n1,2\n1,2,3,4\n");
        assert_eq!(rows.iter().map(|r| r.1.len()).collect::<Vec<_>>(), [2, 4]);
    }

    #[test]
    fn a_file_that_cannot_be_read_says_why() {
        assert!(matches!(LeadFile::open(&b""[..]), Err(FileError::Empty)));
        assert!(matches!(LeadFile::open(&b"\xFF\xFEa\0,\0b\0"[..]), Err(FileError::Utf16)));
        let err = LeadFile::open(&b"\xFE\xFF\0a"[..]).err().unwrap().to_string();
        assert!(err.contains("CSV UTF-8"), "{err}");
    }

    proptest::proptest! {
        /// Any bytes at all: an error or rows, never a panic.
        #[test]
        fn any_bytes_read_without_panicking(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            if let Ok(mut file) = LeadFile::open(&bytes[..]) {
                while let Ok(Some(row)) = file.next_row() {
                    let _ = (row.cells(), row.cell(3));
                }
            }
        }
    }
}
