//! Normalisation of one cell of a vendor's lead file (NextGen Leads, USHA Marketplace, GoHighLevel,
//! any CRM export): phones, emails, states, zip codes, dates, heights, weights, yes/no answers,
//! lists and text.
//!
//! A blank cell (empty once whitespace, including non-breaking spaces, is trimmed) is `Ok(None)`,
//! never an error. These run once per cell over files of 100,000 rows, so they are hand-written
//! scanners that allocate little more than their result.

use std::fmt::{self, Write as _};

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};

use crate::phone::normalize_us;

/// Why a cell's text was rejected. Each variant carries the cell's text, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("phone {} is not a US number or +country number", Shown(.0))]
    Phone(String),
    #[error("phone {} was mangled by a spreadsheet and its last digits are lost", Shown(.0))]
    SpreadsheetPhone(String),
    #[error("email {} is not an email address", Shown(.0))]
    Email(String),
    #[error("state {} is not a US state, territory or two-letter state code", Shown(.0))]
    State(String),
    #[error("zip code {} is not a 5-digit or 9-digit zip code", Shown(.0))]
    Zip(String),
    #[error("date of birth {} is not a date like 01/31/1980 or 1980-01-31", Shown(.0))]
    DateOfBirth(String),
    #[error("date of birth {} is not a real date", Shown(.0))]
    ImpossibleDateOfBirth(String),
    #[error("date of birth {} is in the future", Shown(.0))]
    FutureDateOfBirth(String),
    #[error("date of birth {} is before 1900", Shown(.0))]
    DateOfBirthBefore1900(String),
    #[error("date and time {} is not a date and time like 11/02/2026 8:30 AM or 2026-11-02 08:30:00", Shown(.0))]
    Timestamp(String),
    #[error("date and time {} is not a real date and time", Shown(.0))]
    ImpossibleTimestamp(String),
    #[error("height {} is not a height like 70 or 5'10\"", Shown(.0))]
    Height(String),
    #[error("height {} is not between 2 and 9 feet", Shown(.0))]
    HeightOutOfRange(String),
    #[error("weight {} is not a weight in pounds like 180 or 180 lbs", Shown(.0))]
    Weight(String),
    #[error("weight {} is not between 50 and 1000 pounds", Shown(.0))]
    WeightOutOfRange(String),
    #[error("{} is not a yes or no answer", Shown(.0))]
    Boolean(String),
}

impl Invalid {
    /// The rejected cell's text, trimmed.
    pub fn original(&self) -> &str {
        match self {
            Self::Phone(s)
            | Self::SpreadsheetPhone(s)
            | Self::Email(s)
            | Self::State(s)
            | Self::Zip(s)
            | Self::DateOfBirth(s)
            | Self::ImpossibleDateOfBirth(s)
            | Self::FutureDateOfBirth(s)
            | Self::DateOfBirthBefore1900(s)
            | Self::Timestamp(s)
            | Self::ImpossibleTimestamp(s)
            | Self::Height(s)
            | Self::HeightOutOfRange(s)
            | Self::Weight(s)
            | Self::WeightOutOfRange(s)
            | Self::Boolean(s) => s,
        }
    }
}

/// A cell's text quoted for a message: control characters shown as `�`, long text cut short.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX_CHARS: usize = 60;
        f.write_char('"')?;
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX_CHARS {
                f.write_char('…')?;
                break;
            }
            f.write_char(if c.is_control() { '\u{fffd}' } else { c })?;
        }
        f.write_char('"')
    }
}

/// A phone number in E.164 form (`+13125550199`, `+442079460958`) and the cell it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub e164: String,
    pub original: String,
}

impl Phone {
    /// The 10 national digits of a +1 (US/Canada) number.
    pub fn national(&self) -> Option<&str> {
        self.e164.strip_prefix("+1").filter(|d| d.len() == 10)
    }

    /// As a lead keeps it, the way webhook leads are stored: 10 digits for US and Canada, E.164
    /// for other countries.
    pub fn stored(self) -> String {
        let national = self.national().is_some();
        let mut e164 = self.e164;
        if national {
            e164.drain(..2); // in place: no second string
        }
        e164
    }
}

/// A US/Canada number (10 digits, or 11 starting with 1) or a `+`/`00` international one (8 to 15
/// digits, country code not checked). Ignores spaces, `( ) - . /`, a leading `tel:`, a trailing
/// extension (`x123`, `ext. 123`, `#123`) and a spreadsheet's `.0`; rejects a spreadsheet's
/// `3.12555E+09`, whose digits are lost.
pub fn phone(raw: &str) -> Result<Option<Phone>, Invalid> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let body = strip_prefix_ci(s.as_bytes(), b"tel:").map_or(s, |_| s[4..].trim_start());
    if is_e_notation(body.as_bytes()) {
        return Err(Invalid::SpreadsheetPhone(s.to_owned()));
    }
    let invalid = || Invalid::Phone(s.to_owned());
    let body = without_float_zero(without_extension(body).ok_or_else(invalid)?.trim_end());

    // Up to 15 digits after a `00` prefix.
    let mut buf = [0u8; 17];
    let mut n = 0;
    let mut plus = false;
    for c in body.chars() {
        match c {
            '0'..='9' if n < buf.len() => {
                buf[n] = c as u8;
                n += 1;
            }
            '+' if n == 0 && !plus => plus = true,
            '(' | ')' | '-' | '.' | '/' => {}
            c if c.is_whitespace() => {}
            _ => return Err(invalid()),
        }
    }
    let (international, digits) = match &buf[..n] {
        d if plus => (true, d),
        [b'0', b'0', rest @ ..] => (true, rest),
        d => (false, d),
    };
    let digits = std::str::from_utf8(digits).unwrap_or_default();
    let e164 = if international && !digits.starts_with('1') {
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(invalid());
        }
        ["+", digits].concat()
    } else {
        if international && digits.len() != 11 {
            return Err(invalid());
        }
        let mut national = normalize_us(digits).ok_or_else(invalid)?;
        national.insert_str(0, "+1");
        national
    };
    Ok(Some(Phone { e164, original: s.to_owned() }))
}

/// `3.12555E+09`: what a spreadsheet shows for a phone it took for a number.
fn is_e_notation(b: &[u8]) -> bool {
    let (_, n, b) = digits(b);
    let b = match b.strip_prefix(b".") {
        Some(r) => digits(r).2,
        None => b,
    };
    let Some(b) = strip_prefix_ci(b, b"e") else { return false };
    let b = b.strip_prefix(b"+").or_else(|| b.strip_prefix(b"-")).unwrap_or(b);
    let (_, exponent, rest) = digits(b);
    n > 0 && exponent > 0 && rest.is_empty()
}

/// The number without a trailing extension; `None` when it has letters that are not one.
fn without_extension(s: &str) -> Option<&str> {
    let Some(at) = s.bytes().position(|b| b.is_ascii_alphabetic() || b == b'#') else { return Some(s) };
    let tail = &s.as_bytes()[at..];
    let tail = [&b"extension"[..], b"ext", b"x", b"#"].iter().find_map(|m| strip_prefix_ci(tail, m))?;
    let (_, n, rest) = digits(skip(tail, |b| b == b'.' || b == b':' || b.is_ascii_whitespace()));
    (n > 0 && rest.is_empty()).then(|| &s[..at])
}

/// Lower-cased, without a leading `mailto:`: one `@`, something before it, a dotted domain after
/// it, and no spaces or `,;<>()[]\"`.
pub fn email(raw: &str) -> Result<Option<String>, Invalid> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let addr = strip_prefix_ci(s.as_bytes(), b"mailto:").map_or(s, |_| s[7..].trim_start());
    let forbidden = |c: char| {
        c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>' | '(' | ')' | '[' | ']' | '\\' | '"')
    };
    let valid = addr.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
    }) && !addr.chars().any(forbidden);
    if valid {
        Ok(Some(addr.to_lowercase()))
    } else {
        Err(Invalid::Email(s.to_owned()))
    }
}

/// USPS codes and names of the states, DC and the inhabited territories.
pub(crate) const STATES: [(&str, &str); 56] = [
    ("AL", "alabama"),
    ("AK", "alaska"),
    ("AZ", "arizona"),
    ("AR", "arkansas"),
    ("CA", "california"),
    ("CO", "colorado"),
    ("CT", "connecticut"),
    ("DE", "delaware"),
    ("FL", "florida"),
    ("GA", "georgia"),
    ("HI", "hawaii"),
    ("ID", "idaho"),
    ("IL", "illinois"),
    ("IN", "indiana"),
    ("IA", "iowa"),
    ("KS", "kansas"),
    ("KY", "kentucky"),
    ("LA", "louisiana"),
    ("ME", "maine"),
    ("MD", "maryland"),
    ("MA", "massachusetts"),
    ("MI", "michigan"),
    ("MN", "minnesota"),
    ("MS", "mississippi"),
    ("MO", "missouri"),
    ("MT", "montana"),
    ("NE", "nebraska"),
    ("NV", "nevada"),
    ("NH", "new hampshire"),
    ("NJ", "new jersey"),
    ("NM", "new mexico"),
    ("NY", "new york"),
    ("NC", "north carolina"),
    ("ND", "north dakota"),
    ("OH", "ohio"),
    ("OK", "oklahoma"),
    ("OR", "oregon"),
    ("PA", "pennsylvania"),
    ("RI", "rhode island"),
    ("SC", "south carolina"),
    ("SD", "south dakota"),
    ("TN", "tennessee"),
    ("TX", "texas"),
    ("UT", "utah"),
    ("VT", "vermont"),
    ("VA", "virginia"),
    ("WA", "washington"),
    ("WV", "west virginia"),
    ("WI", "wisconsin"),
    ("WY", "wyoming"),
    ("DC", "district of columbia"),
    ("PR", "puerto rico"),
    ("VI", "u.s. virgin islands"),
    ("GU", "guam"),
    ("AS", "american samoa"),
    ("MP", "northern mariana islands"),
];

/// Other names in common use.
const STATE_ALIASES: [(&str, &str); 4] =
    [("DC", "washington dc"), ("DC", "washington d.c."), ("VI", "us virgin islands"), ("VI", "virgin islands")];

/// A state's USPS code from its code or full name, ignoring case and spaces (`tx`, `new  york`).
pub fn state(raw: &str) -> Result<Option<&'static str>, Invalid> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    if let [a, b] = s.as_bytes() {
        let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
        if let Some((code, _)) = STATES.iter().find(|(c, _)| c.as_bytes() == code) {
            return Ok(Some(code));
        }
    }
    let same_name = |name: &str| {
        let spaceless = s.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase());
        spaceless.eq(name.chars().filter(|&c| c != ' '))
    };
    match STATES.iter().chain(&STATE_ALIASES).find(|(_, name)| same_name(name)) {
        Some((code, _)) => Ok(Some(code)),
        None => Err(Invalid::State(s.to_owned())),
    }
}

/// A zip code as text: `02134`, or `02134-1234` for nine digits. Puts back the leading zeros of a
/// 3- or 4-digit zip (a spreadsheet took them) and drops a spreadsheet's `.0`.
pub fn zip(raw: &str) -> Result<Option<String>, Invalid> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let z = without_float_zero(s);
    let b = z.as_bytes();
    let all_digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    let zip = match b.len() {
        3..=5 if all_digits(b) => format!("{z:0>5}"),
        9 if all_digits(b) => format!("{}-{}", &z[..5], &z[5..]),
        10 if matches!(b[5], b'-' | b' ') && all_digits(&b[..5]) && all_digits(&b[6..]) => {
            format!("{}-{}", &z[..5], &z[6..])
        }
        _ => return Err(Invalid::Zip(s.to_owned())),
    };
    Ok(Some(zip))
}

/// A date of birth: `YYYY-MM-DD`, `YYYY/MM/DD`, `MM/DD/YYYY`, `M-D-YYYY`, `M/D/YY` and the like,
/// maybe followed by a time, which is ignored. A two-digit year is the latest that puts the date
/// on or before `today`. Rejects impossible dates, dates after `today` and years before 1900.
pub fn date_of_birth(raw: &str, today: NaiveDate) -> Result<Option<NaiveDate>, Invalid> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let unreadable = || Invalid::DateOfBirth(s.to_owned());
    let impossible = || Invalid::ImpossibleDateOfBirth(s.to_owned());
    let (ymd, rest) = read_date(s.as_bytes()).ok_or_else(unreadable)?;
    if let Some(time) = after_date(rest).ok_or_else(unreadable)? {
        read_time(time).ok_or_else(unreadable)?;
    }
    let date = if ymd.short_year {
        let this_year = today.year();
        let mut year = this_year - this_year.rem_euclid(100) + ymd.year as i32;
        if year > this_year {
            year -= 100;
        }
        match calendar_date(year, ymd.month, ymd.day).ok_or_else(impossible)? {
            date if date > today => calendar_date(year - 100, ymd.month, ymd.day).ok_or_else(impossible)?,
            date => date,
        }
    } else {
        calendar_date(ymd.year as i32, ymd.month, ymd.day).ok_or_else(impossible)?
    };
    if date.year() < 1900 {
        return Err(Invalid::DateOfBirthBefore1900(s.to_owned()));
    }
    if date > today {
        return Err(Invalid::FutureDateOfBirth(s.to_owned()));
    }
    Ok(Some(date))
}

/// The time a vendor created a lead: ISO 8601 / RFC 3339 (`2026-11-02T08:30:00.123+05:00`,
/// `2026-11-02 08:30:00`), or `MM-DD-YYYY`/`MM/DD/YYYY` then `HH:MM[:SS]` and maybe `AM`/`PM`, or a
/// date alone (midnight). A time without an offset (`Z`, `UTC`, `+05:00`) is taken as UTC.
pub fn timestamp(raw: &str) -> Result<Option<DateTime<Utc>>, Invalid> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let unreadable = || Invalid::Timestamp(s.to_owned());
    let impossible = || Invalid::ImpossibleTimestamp(s.to_owned());
    let (ymd, rest) = read_date(s.as_bytes()).filter(|(d, _)| !d.short_year).ok_or_else(unreadable)?;
    let clock = match after_date(rest).ok_or_else(unreadable)? {
        Some(time) => read_time(time).ok_or_else(unreadable)?,
        None => Clock::default(),
    };
    let date = calendar_date(ymd.year as i32, ymd.month, ymd.day).ok_or_else(impossible)?;
    let hour = match clock.pm {
        None => clock.hour,
        Some(_) if !(1..=12).contains(&clock.hour) => return Err(impossible()),
        Some(pm) => clock.hour % 12 + if pm { 12 } else { 0 },
    };
    let time = NaiveTime::from_hms_nano_opt(hour, clock.minute, clock.second, clock.nano).ok_or_else(impossible)?;
    let offset = match clock.offset {
        None => 0,
        Some((east, h, m)) if h < 24 && m < 60 => {
            let seconds = i64::from(h * 3600 + m * 60);
            if east {
                seconds
            } else {
                -seconds
            }
        }
        Some(_) => return Err(impossible()),
    };
    let utc = date.and_time(time).checked_sub_signed(TimeDelta::seconds(offset)).ok_or_else(impossible)?;
    Ok(Some(utc.and_utc()))
}

/// A date as written, not yet checked against the calendar.
struct Ymd {
    year: u32,
    /// Written with two digits (`80`).
    short_year: bool,
    month: u32,
    day: u32,
}

/// Reads `YYYY-MM-DD`/`YYYY/MM/DD` or `M-D-YYYY`/`M/D/YY` (one or two digits for month and day) at
/// the start of `b`; returns it and what follows.
fn read_date(b: &[u8]) -> Option<(Ymd, &[u8])> {
    let (first, n1, b) = digits(b);
    let (&sep, b) = b.split_first()?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let (second, n2, b) = digits(b);
    let (third, n3, rest) = digits(b.strip_prefix(&[sep])?);
    let ymd = match (n1, n2, n3) {
        (4, 1 | 2, 1 | 2) => Ymd { year: first, short_year: false, month: second, day: third },
        (1 | 2, 1 | 2, 2 | 4) => Ymd { year: third, short_year: n3 == 2, month: first, day: second },
        _ => return None,
    };
    Some((ymd, rest))
}

/// What follows a date: nothing (`Some(None)`), or a time after `T` or after spaces and an optional
/// comma (`Some(Some(time))`); `None` for anything else.
fn after_date(rest: &[u8]) -> Option<Option<&[u8]>> {
    if rest.is_empty() {
        return Some(None);
    }
    if let Some(time) = strip_prefix_ci(rest, b"t") {
        return Some(Some(time));
    }
    let rest = rest.strip_prefix(b",").unwrap_or(rest);
    let time = skip(rest, |b| b.is_ascii_whitespace());
    (time.len() < rest.len()).then_some(Some(time))
}

/// A time of day as written, not yet checked.
#[derive(Default)]
struct Clock {
    hour: u32,
    minute: u32,
    second: u32,
    nano: u32,
    /// `Some(true)` for PM, `Some(false)` for AM, `None` for a 24-hour time.
    pm: Option<bool>,
    /// East of UTC, hours, minutes.
    offset: Option<(bool, u32, u32)>,
}

/// Reads `H:MM[:SS[.fraction]]`, then maybe `AM`/`PM`, then maybe `Z`, `UTC`, `GMT`, `+HH:MM`,
/// `+HHMM` or `+HH`, to the end of `b`.
fn read_time(b: &[u8]) -> Option<Clock> {
    let mut clock = Clock::default();
    let (hour, n, b) = digits(b);
    let (minute, m, mut b) = digits(b.strip_prefix(b":")?);
    if !(1..=2).contains(&n) || m != 2 {
        return None;
    }
    (clock.hour, clock.minute) = (hour, minute);
    if let Some(r) = b.strip_prefix(b":") {
        let (second, n, r) = digits(r);
        if n != 2 {
            return None;
        }
        (clock.second, b) = (second, r);
        if let Some(r) = b.strip_prefix(b".") {
            let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            // Nanoseconds: the first nine digits, padded with zeros.
            let nine = r[..n].iter().chain([b'0'; 9].iter()).take(9);
            clock.nano = nine.fold(0, |v, c| v * 10 + u32::from(c - b'0'));
            b = &r[n..];
        }
    }
    b = skip(b, |c| c.is_ascii_whitespace());
    for (word, pm) in [(b"am", false), (b"pm", true)] {
        if let Some(r) = strip_prefix_ci(b, word) {
            (clock.pm, b) = (Some(pm), skip(r, |c| c.is_ascii_whitespace()));
            break;
        }
    }
    clock.offset = match b {
        [] => None,
        [b'Z' | b'z'] => Some((true, 0, 0)),
        _ if b.eq_ignore_ascii_case(b"utc") || b.eq_ignore_ascii_case(b"gmt") => Some((true, 0, 0)),
        [sign @ (b'+' | b'-'), r @ ..] => {
            let (value, n, r) = digits(r);
            let (h, m) = match (n, r) {
                (2, []) => (value, 0),
                (2, [b':', r @ ..]) => match digits(r) {
                    (m, 2, []) => (value, m),
                    _ => return None,
                },
                (4, []) => (value / 100, value % 100),
                _ => return None,
            };
            Some((*sign == b'+', h, m))
        }
        _ => return None,
    };
    Some(clock)
}

fn calendar_date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

const INCH_MARKS: [&[u8]; 9] = [
    b"inches",
    b"inch",
    b"in.",
    b"in",
    b"''",
    b"\"",
    "\u{201d}".as_bytes(),         // ”
    "\u{2033}".as_bytes(),         // ″
    "\u{2019}\u{2019}".as_bytes(), // ’’
];
const FOOT_MARKS: [&[u8]; 7] =
    [b"feet", b"foot", b"ft.", b"ft", b"'", "\u{2019}".as_bytes() /* ’ */, "\u{2032}".as_bytes() /* ′ */];
const POUND_MARKS: [&[u8]; 7] = [b"pounds", b"pound", b"lbs.", b"lbs", b"lb.", b"lb", b"#"];

/// Height in whole inches, from inches (`70`, `70 in`, `70"`, `70.0`) or feet and inches (`5'10"`,
/// `5' 10`, `5 ft 10 in`, `5ft10`, `5-10`, `5'`). Between 24 and 108 inches (2 to 9 feet).
pub fn height_inches(raw: &str) -> Result<Option<u32>, Invalid> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    match read_height(s.as_bytes()) {
        None => Err(Invalid::Height(s.to_owned())),
        Some(inches) if !(24..=108).contains(&inches) => Err(Invalid::HeightOutOfRange(s.to_owned())),
        Some(inches) => Ok(Some(inches)),
    }
}

fn read_height(b: &[u8]) -> Option<u32> {
    let (first, b) = number(b)?;
    let b = skip(b, |c| c.is_ascii_whitespace());
    if b.is_empty() {
        return Some(first.rounded);
    }
    if let Some(r) = eat(b, &INCH_MARKS) {
        return skip(r, |c| c.is_ascii_whitespace()).is_empty().then_some(first.rounded);
    }
    let (rest, inches_needed) = match eat(b, &FOOT_MARKS) {
        Some(r) => (r, false),
        None => (b.strip_prefix(b"-")?, true),
    };
    if first.fraction {
        return None;
    }
    let feet = first.whole.saturating_mul(12);
    let rest = skip(rest, |c| c.is_ascii_whitespace());
    if rest.is_empty() && !inches_needed {
        return Some(feet);
    }
    let (inches, rest) = number(rest)?;
    let rest = skip(rest, |c| c.is_ascii_whitespace());
    let rest = eat(rest, &INCH_MARKS).unwrap_or(rest);
    (inches.whole < 12 && skip(rest, |c| c.is_ascii_whitespace()).is_empty())
        .then(|| feet.saturating_add(inches.rounded))
}

/// Weight in whole pounds (`180`, `180 lbs`, `180lb`, `180.5` rounded), between 50 and 1000.
pub fn weight_pounds(raw: &str) -> Result<Option<u32>, Invalid> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let pounds = number(s.as_bytes()).and_then(|(n, rest)| {
        let rest = skip(rest, |c| c.is_ascii_whitespace());
        let rest = eat(rest, &POUND_MARKS).unwrap_or(rest);
        skip(rest, |c| c.is_ascii_whitespace()).is_empty().then_some(n.rounded)
    });
    match pounds {
        None => Err(Invalid::Weight(s.to_owned())),
        Some(p) if !(50..=1000).contains(&p) => Err(Invalid::WeightOutOfRange(s.to_owned())),
        Some(p) => Ok(Some(p)),
    }
}

/// A number as written: `70`, `70.5`.
struct Number {
    whole: u32,
    /// Rounded to the nearest whole number, halves up.
    rounded: u32,
    fraction: bool,
}

fn number(b: &[u8]) -> Option<(Number, &[u8])> {
    let (whole, n, b) = digits(b);
    if n == 0 {
        return None;
    }
    match b.strip_prefix(b".") {
        None => Some((Number { whole, rounded: whole, fraction: false }, b)),
        Some(r) => match digits(r) {
            (_, 0, _) => None,
            (_, _, rest) => {
                let rounded = whole.saturating_add(u32::from(r[0] >= b'5'));
                Some((Number { whole, rounded, fraction: true }, rest))
            }
        },
    }
}

/// `true`/`false`, `yes`/`no`, `y`/`n`, `t`/`f`, `1`/`0`, in any case.
pub fn boolean(raw: &str) -> Result<Option<bool>, Invalid> {
    const WORDS: [(&str, bool); 10] = [
        ("true", true),
        ("false", false),
        ("yes", true),
        ("no", false),
        ("y", true),
        ("n", false),
        ("t", true),
        ("f", false),
        ("1", true),
        ("0", false),
    ];
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    match WORDS.iter().find(|(w, _)| s.eq_ignore_ascii_case(w)) {
        Some(&(_, b)) => Ok(Some(b)),
        None => Err(Invalid::Boolean(s.to_owned())),
    }
}

/// The items of a list cell: a JSON array (`["a","b"]`, also `['a', 'b']`), else text split on `;`
/// or `|`, or on `,` when there is neither. Items are trimmed and blank ones dropped; `null` in
/// an array is dropped, numbers kept as text.
pub fn list(raw: &str) -> Vec<String> {
    let s = clean(raw);
    let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
        return split_list(s).filter_map(text).collect();
    };
    if let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(s) {
        return values
            .into_iter()
            .filter_map(|v| match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => text(&s),
                other => text(&other.to_string()),
            })
            .collect();
    }
    if let Some(items) = quoted_items(inner) {
        return items;
    }
    // Malformed: split what is between the brackets, and drop the quotes around each item.
    split_list(inner).filter_map(|item| text(item.trim().trim_matches(['"', '\'']))).collect()
}

fn split_list(s: &str) -> std::str::Split<'_, &[char]> {
    let separators: &[char] = if s.contains([';', '|']) { &[';', '|'] } else { &[','] };
    s.split(separators)
}

/// The items between the brackets of `['a', "b", c]`; `None` when malformed.
fn quoted_items(inner: &str) -> Option<Vec<String>> {
    let mut items = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let (item, after) = match rest.as_bytes()[0] {
            q @ (b'"' | b'\'') => quoted(&rest[1..], char::from(q))?,
            _ => {
                let end = rest.find(',').unwrap_or(rest.len());
                let bare = rest[..end].trim();
                (if bare == "null" { None } else { text(bare) }, &rest[end..])
            }
        };
        items.extend(item);
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(r) => r.trim_start(),
            None if after.is_empty() => after,
            None => return None,
        };
    }
    Some(items)
}

/// The text of a string quoted with `q` whose opening quote is already read, backslash escapes
/// undone, and what follows its closing quote; `None` when it is not closed.
fn quoted(s: &str, q: char) -> Option<(Option<String>, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            _ if c == q => return Some((text(&out), &s[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let mut code = 0;
                    for _ in 0..4 {
                        code = code * 16 + chars.next()?.1.to_digit(16)?;
                    }
                    out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// The cell's text, trimmed, without control characters (NUL and the like). Inner spacing is
/// kept, as are tabs and line breaks (a lone `\r` becomes `\n`). `None` when nothing is left.
pub fn text(raw: &str) -> Option<String> {
    let s = clean(raw);
    // 0xC2 starts the C1 control characters (and other Latin-1 characters): look closer.
    if !s.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        return (!s.is_empty()).then(|| s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => out.push('\n'),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    // Removing a control character may have uncovered spaces at either end.
    match clean(&out) {
        "" => None,
        t if t.len() == out.len() => Some(out),
        t => Some(t.to_owned()),
    }
}

/// `male` for m/male/man, `female` for f/female/woman (any case); other text lower-cased.
pub fn gender(raw: &str) -> Option<String> {
    let s = clean(raw);
    let is = |words: [&str; 3]| words.iter().any(|w| s.eq_ignore_ascii_case(w));
    if is(["m", "male", "man"]) {
        Some("male".to_owned())
    } else if is(["f", "female", "woman"]) {
        Some("female".to_owned())
    } else {
        text(s).map(|t| t.to_lowercase())
    }
}

/// The cell without surrounding whitespace (including non-breaking spaces) or byte-order mark.
fn clean(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// A spreadsheet's float (`02134.0`, `3125550199.0`) as its digits; anything else unchanged.
fn without_float_zero(s: &str) -> &str {
    match s.split_once('.') {
        Some((int, zeros))
            if !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && !zeros.is_empty()
                && zeros.bytes().all(|b| b == b'0') =>
        {
            int
        }
        _ => s,
    }
}

/// The leading ASCII digits of `b`: their value (saturating), their count, and what follows.
fn digits(b: &[u8]) -> (u32, usize, &[u8]) {
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let value = b[..n].iter().fold(0u32, |v, c| v.saturating_mul(10).saturating_add(u32::from(c - b'0')));
    (value, n, &b[n..])
}

fn skip(b: &[u8], mut unwanted: impl FnMut(u8) -> bool) -> &[u8] {
    let n = b.iter().take_while(|&&c| unwanted(c)).count();
    &b[n..]
}

fn strip_prefix_ci<'a>(b: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    b.get(..prefix.len()).filter(|head| head.eq_ignore_ascii_case(prefix)).map(|_| &b[prefix.len()..])
}

/// What follows the first of `marks` that `b` starts with (ASCII letters in any case).
fn eat<'a>(b: &'a [u8], marks: &[&[u8]]) -> Option<&'a [u8]> {
    marks.iter().find_map(|m| strip_prefix_ci(b, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs that are blank: every normaliser must treat them as an empty cell.
    const BLANKS: [&str; 7] = ["", " ", "   ", "\t", "\u{a0}", " \u{a0}\t\r\n ", "\u{feff}"];

    /// Rows of (input, expected value or the error variant it gives).
    type Table<T> = [(&'static str, Result<T, fn(String) -> Invalid>)];

    /// The expected result for `input`: a value, or the error variant carrying the trimmed input.
    fn expect<T>(input: &str, expected: Result<T, fn(String) -> Invalid>) -> Result<Option<T>, Invalid> {
        expected.map(Some).map_err(|variant| variant(input.trim().to_owned()))
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    #[test]
    fn blank_cells_are_empty_everywhere() {
        for raw in BLANKS {
            assert_eq!(phone(raw), Ok(None), "{raw:?}");
            assert_eq!(email(raw), Ok(None), "{raw:?}");
            assert_eq!(state(raw), Ok(None), "{raw:?}");
            assert_eq!(zip(raw), Ok(None), "{raw:?}");
            assert_eq!(date_of_birth(raw, today()), Ok(None), "{raw:?}");
            assert_eq!(timestamp(raw), Ok(None), "{raw:?}");
            assert_eq!(height_inches(raw), Ok(None), "{raw:?}");
            assert_eq!(weight_pounds(raw), Ok(None), "{raw:?}");
            assert_eq!(boolean(raw), Ok(None), "{raw:?}");
            assert_eq!(list(raw), Vec::<String>::new(), "{raw:?}");
            assert_eq!(text(raw), None, "{raw:?}");
            assert_eq!(gender(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn phones() {
        const US: &str = "+13125550199";
        let table: &Table<&str> = &[
            ("(312) 555-0199", Ok(US)),
            ("312-555-0199", Ok(US)),
            ("312.555.0199", Ok(US)),
            ("312/555-0199", Ok(US)),
            ("3125550199", Ok(US)),
            ("13125550199", Ok(US)),
            ("1 (312) 555-0199", Ok(US)),
            ("+1 312 555 0199", Ok(US)),
            ("+1 (312) 555-0199", Ok(US)),
            ("  (312) 555-0199  ", Ok(US)),
            ("312\u{a0}555\u{a0}0199", Ok(US)),
            ("tel:+1-312-555-0199", Ok(US)),
            ("TEL: 3125550199", Ok(US)),
            ("312-555-0199 x123", Ok(US)),
            ("312-555-0199x123", Ok(US)),
            ("312-555-0199 X 123", Ok(US)),
            ("312-555-0199 ext 123", Ok(US)),
            ("312-555-0199 ext. 123", Ok(US)),
            ("312-555-0199 EXT.123", Ok(US)),
            ("312-555-0199 extension 123", Ok(US)),
            ("312-555-0199 #123", Ok(US)),
            ("3125550199.0", Ok(US)),
            ("13125550199.0", Ok(US)),
            ("001 312 555 0199", Ok(US)),
            ("+44 20 7946 0958", Ok("+442079460958")),
            ("0044 20 7946 0958", Ok("+442079460958")),
            ("+52 55 1234 5678", Ok("+525512345678")),
            ("+49 30 1234", Ok("+49301234")),
            ("+86 123 4567 8901 23", Ok("+861234567890123")),
            ("00 44 1234 5678 90123", Ok("+441234567890123")),
            ("00 44 1234 5678 901234", Err(Invalid::Phone)),
            ("12345", Err(Invalid::Phone)),
            ("555-0102", Err(Invalid::Phone)),
            ("0552102030", Err(Invalid::Phone)),
            ("3121550199", Err(Invalid::Phone)),
            ("23125550199", Err(Invalid::Phone)),
            ("312555019.0", Err(Invalid::Phone)),
            ("+1 312 555 019", Err(Invalid::Phone)),
            ("+1 312 555 01999", Err(Invalid::Phone)),
            ("+44 1234", Err(Invalid::Phone)),
            ("+49 301 234 567 890 123", Err(Invalid::Phone)),
            ("+0 123 456 789", Err(Invalid::Phone)),
            ("00", Err(Invalid::Phone)),
            ("+", Err(Invalid::Phone)),
            ("++13125550199", Err(Invalid::Phone)),
            ("312+555+0199", Err(Invalid::Phone)),
            ("call 312 555 0199", Err(Invalid::Phone)),
            ("312-555-CALL", Err(Invalid::Phone)),
            ("312-555-0199 x", Err(Invalid::Phone)),
            ("312-555-0199 ext abc", Err(Invalid::Phone)),
            ("312-555-0199 x12 x13", Err(Invalid::Phone)),
            ("x123", Err(Invalid::Phone)),
            ("312_555_0199", Err(Invalid::Phone)),
            ("３１２５５５０１９９", Err(Invalid::Phone)),
            ("3.12555E+09", Err(Invalid::SpreadsheetPhone)),
            ("3.125550199e9", Err(Invalid::SpreadsheetPhone)),
            ("3E+09", Err(Invalid::SpreadsheetPhone)),
            ("1.31256E+10", Err(Invalid::SpreadsheetPhone)),
        ];
        for &(raw, expected) in table {
            let got = phone(raw);
            if let Ok(Some(p)) = &got {
                assert_eq!(p.original, raw.trim(), "{raw:?}");
            }
            assert_eq!(got.map(|p| p.map(|p| p.e164)), expect(raw, expected.map(str::to_owned)), "{raw:?}");
        }
    }

    #[test]
    fn national_digits_only_for_us_numbers() {
        let national = |raw| phone(raw).unwrap().unwrap().national().map(str::to_owned);
        assert_eq!(national("(312) 555-0199").as_deref(), Some("3125550199"));
        assert_eq!(national("+44 20 7946 0958"), None);
    }

    #[test]
    fn emails() {
        let table: &Table<&str> = &[
            ("ann@example.com", Ok("ann@example.com")),
            ("Ann@Example.COM", Ok("ann@example.com")),
            ("  ann.lee+ins@mail.example.co.uk ", Ok("ann.lee+ins@mail.example.co.uk")),
            ("mailto:Ann@example.com", Ok("ann@example.com")),
            ("MAILTO:ann@example.com", Ok("ann@example.com")),
            ("o'brien@example.com", Ok("o'brien@example.com")),
            ("ÉLODIE@exemple.fr", Ok("élodie@exemple.fr")),
            ("ann", Err(Invalid::Email)),
            ("ann@", Err(Invalid::Email)),
            ("@example.com", Err(Invalid::Email)),
            ("ann@example", Err(Invalid::Email)),
            ("ann@@example.com", Err(Invalid::Email)),
            ("ann@lee@example.com", Err(Invalid::Email)),
            ("ann@.example.com", Err(Invalid::Email)),
            ("ann@example.com.", Err(Invalid::Email)),
            ("ann@example..com", Err(Invalid::Email)),
            ("ann lee@example.com", Err(Invalid::Email)),
            ("ann@exam\u{a0}ple.com", Err(Invalid::Email)),
            ("ann@example.com, bob@example.com", Err(Invalid::Email)),
            ("ann;bob@example.com", Err(Invalid::Email)),
            ("<ann@example.com>", Err(Invalid::Email)),
            ("Ann Lee <ann@example.com>", Err(Invalid::Email)),
            ("ann(work)@example.com", Err(Invalid::Email)),
            ("[ann]@example.com", Err(Invalid::Email)),
            ("an\\n@example.com", Err(Invalid::Email)),
            ("\"ann\"@example.com", Err(Invalid::Email)),
            ("ann\u{0}@example.com", Err(Invalid::Email)),
            ("mailto:", Err(Invalid::Email)),
        ];
        for &(raw, expected) in table {
            assert_eq!(email(raw), expect(raw, expected.map(str::to_owned)), "{raw:?}");
        }
    }

    #[test]
    fn states() {
        let table: &Table<&'static str> = &[
            ("TX", Ok("TX")),
            ("tx", Ok("TX")),
            ("Tx", Ok("TX")),
            (" ny ", Ok("NY")),
            ("DC", Ok("DC")),
            ("pr", Ok("PR")),
            ("VI", Ok("VI")),
            ("gu", Ok("GU")),
            ("As", Ok("AS")),
            ("mp", Ok("MP")),
            ("WY", Ok("WY")),
            ("Texas", Ok("TX")),
            ("TEXAS", Ok("TX")),
            ("New York", Ok("NY")),
            ("new  york", Ok("NY")),
            ("New\u{a0}York", Ok("NY")),
            ("NewYork", Ok("NY")),
            ("Virginia", Ok("VA")),
            ("West Virginia", Ok("WV")),
            ("Washington", Ok("WA")),
            ("Washington DC", Ok("DC")),
            ("District of Columbia", Ok("DC")),
            ("district  of  columbia", Ok("DC")),
            ("Puerto Rico", Ok("PR")),
            ("U.S. Virgin Islands", Ok("VI")),
            ("Virgin Islands", Ok("VI")),
            ("Guam", Ok("GU")),
            ("American Samoa", Ok("AS")),
            ("Northern Mariana Islands", Ok("MP")),
            ("XX", Err(Invalid::State)),
            ("T", Err(Invalid::State)),
            ("TXX", Err(Invalid::State)),
            ("T X", Err(Invalid::State)),
            ("N.Y.", Err(Invalid::State)),
            ("Tex", Err(Invalid::State)),
            ("Texass", Err(Invalid::State)),
            ("New York City", Err(Invalid::State)),
            ("Ontario", Err(Invalid::State)),
            ("ON", Err(Invalid::State)),
            ("AE", Err(Invalid::State)),
            ("1A", Err(Invalid::State)),
            ("é", Err(Invalid::State)),
        ];
        for &(raw, expected) in table {
            assert_eq!(state(raw), expect(raw, expected), "{raw:?}");
        }
        for (code, name) in STATES {
            assert_eq!(state(code), Ok(Some(code)));
            assert_eq!(state(&code.to_lowercase()), Ok(Some(code)));
            assert_eq!(state(&name.to_uppercase()), Ok(Some(code)), "{name}");
        }
    }

    #[test]
    fn zips() {
        let table: &Table<&str> = &[
            ("02134", Ok("02134")),
            ("90210", Ok("90210")),
            (" 02134 ", Ok("02134")),
            ("2134", Ok("02134")),
            ("501", Ok("00501")),
            ("2134.0", Ok("02134")),
            ("90210.0", Ok("90210")),
            ("902101234", Ok("90210-1234")),
            ("021341234", Ok("02134-1234")),
            ("90210-1234", Ok("90210-1234")),
            ("90210 1234", Ok("90210-1234")),
            ("12", Err(Invalid::Zip)),
            ("123456", Err(Invalid::Zip)),
            ("12345678", Err(Invalid::Zip)),
            ("1234567890", Err(Invalid::Zip)),
            ("90210-123", Err(Invalid::Zip)),
            ("90210--1234", Err(Invalid::Zip)),
            ("90210-", Err(Invalid::Zip)),
            ("-90210", Err(Invalid::Zip)),
            ("9021O", Err(Invalid::Zip)),
            ("90210.5", Err(Invalid::Zip)),
            ("90,210", Err(Invalid::Zip)),
            ("ABCDE", Err(Invalid::Zip)),
            ("９０２１０", Err(Invalid::Zip)),
        ];
        for &(raw, expected) in table {
            assert_eq!(zip(raw), expect(raw, expected.map(str::to_owned)), "{raw:?}");
        }
    }

    #[test]
    fn dates_of_birth() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let table: &Table<NaiveDate> = &[
            ("1980-01-02", Ok(date(1980, 1, 2))),
            ("1980/01/02", Ok(date(1980, 1, 2))),
            ("1980-1-2", Ok(date(1980, 1, 2))),
            ("01-02-1980", Ok(date(1980, 1, 2))),
            ("01/02/1980", Ok(date(1980, 1, 2))),
            ("1/2/1980", Ok(date(1980, 1, 2))),
            ("1-2-1980", Ok(date(1980, 1, 2))),
            (" 12/31/1980 ", Ok(date(1980, 12, 31))),
            ("1/2/80", Ok(date(1980, 1, 2))),
            ("1-2-80", Ok(date(1980, 1, 2))),
            ("1/2/05", Ok(date(2005, 1, 2))),
            ("1/2/30", Ok(date(1930, 1, 2))),
            ("1/2/26", Ok(date(2026, 1, 2))),
            ("12/31/26", Ok(date(1926, 12, 31))),
            ("1980-01-02T00:00:00Z", Ok(date(1980, 1, 2))),
            ("1980-01-02T00:00:00.000+05:00", Ok(date(1980, 1, 2))),
            ("1980-01-02 00:00", Ok(date(1980, 1, 2))),
            ("01-02-1980 00:00:00", Ok(date(1980, 1, 2))),
            ("01/02/1980 12:00 AM", Ok(date(1980, 1, 2))),
            ("2/29/2000", Ok(date(2000, 2, 29))),
            ("1900-01-01", Ok(date(1900, 1, 1))),
            ("2026-03-15", Ok(date(2026, 3, 15))),
            ("02/30/1980", Err(Invalid::ImpossibleDateOfBirth)),
            ("13/01/1980", Err(Invalid::ImpossibleDateOfBirth)),
            ("1980-13-01", Err(Invalid::ImpossibleDateOfBirth)),
            ("00/10/1980", Err(Invalid::ImpossibleDateOfBirth)),
            ("1/0/1980", Err(Invalid::ImpossibleDateOfBirth)),
            ("2/29/2001", Err(Invalid::ImpossibleDateOfBirth)),
            ("1980-02-30", Err(Invalid::ImpossibleDateOfBirth)),
            ("2026-03-16", Err(Invalid::FutureDateOfBirth)),
            ("12/31/2099", Err(Invalid::FutureDateOfBirth)),
            ("1899-12-31", Err(Invalid::DateOfBirthBefore1900)),
            ("01/02/1800", Err(Invalid::DateOfBirthBefore1900)),
            ("1980", Err(Invalid::DateOfBirth)),
            ("1980-01", Err(Invalid::DateOfBirth)),
            ("01/02/980", Err(Invalid::DateOfBirth)),
            ("1/2/3", Err(Invalid::DateOfBirth)),
            ("001/02/1980", Err(Invalid::DateOfBirth)),
            ("19800-01-02", Err(Invalid::DateOfBirth)),
            ("01.02.1980", Err(Invalid::DateOfBirth)),
            ("01/02-1980", Err(Invalid::DateOfBirth)),
            ("Jan 2, 1980", Err(Invalid::DateOfBirth)),
            ("1980-01-02 noon", Err(Invalid::DateOfBirth)),
            ("1980-01-02Z", Err(Invalid::DateOfBirth)),
            ("01/02/1980 x", Err(Invalid::DateOfBirth)),
        ];
        for &(raw, expected) in table {
            assert_eq!(date_of_birth(raw, today()), expect(raw, expected), "{raw:?}");
        }
    }

    #[test]
    fn timestamps() {
        let table: &Table<&str> = &[
            ("2026-11-02T08:30:00Z", Ok("2026-11-02T08:30:00Z")),
            ("2026-11-02t08:30:00z", Ok("2026-11-02T08:30:00Z")),
            ("2026-11-02T08:30:00.123+05:00", Ok("2026-11-02T03:30:00.123Z")),
            ("2026-11-02T08:30:00-05:00", Ok("2026-11-02T13:30:00Z")),
            ("2026-11-02T23:30:00-05:00", Ok("2026-11-03T04:30:00Z")),
            ("2026-11-02T08:30:00+0530", Ok("2026-11-02T03:00:00Z")),
            ("2026-11-02T08:30:00+05", Ok("2026-11-02T03:30:00Z")),
            ("2026-11-02T08:30:00.123456789Z", Ok("2026-11-02T08:30:00.123456789Z")),
            ("2026-11-02T08:30:00.1234567891Z", Ok("2026-11-02T08:30:00.123456789Z")),
            ("2026-11-02T08:30", Ok("2026-11-02T08:30:00Z")),
            ("2026-11-02 08:30:00", Ok("2026-11-02T08:30:00Z")),
            ("2026-11-02 08:30:00 UTC", Ok("2026-11-02T08:30:00Z")),
            ("2026-11-02 08:30:00 +05:00", Ok("2026-11-02T03:30:00Z")),
            ("2026/11/02 08:30:00", Ok("2026-11-02T08:30:00Z")),
            ("11-02-2026 08:30:00 ", Ok("2026-11-02T08:30:00Z")),
            ("11/02/2026 08:30", Ok("2026-11-02T08:30:00Z")),
            ("11/2/2026 8:30:15", Ok("2026-11-02T08:30:15Z")),
            ("11/02/2026 8:30 PM", Ok("2026-11-02T20:30:00Z")),
            ("11/02/2026 8:30pm", Ok("2026-11-02T20:30:00Z")),
            ("11/02/2026 8:30:15 AM", Ok("2026-11-02T08:30:15Z")),
            ("11/02/2026 12:05 AM", Ok("2026-11-02T00:05:00Z")),
            ("11/02/2026 12:05 PM", Ok("2026-11-02T12:05:00Z")),
            ("11/02/2026, 8:30 AM", Ok("2026-11-02T08:30:00Z")),
            ("2026-11-02", Ok("2026-11-02T00:00:00Z")),
            ("11/02/2026", Ok("2026-11-02T00:00:00Z")),
            ("2026-13-02", Err(Invalid::ImpossibleTimestamp)),
            ("2026-02-30 08:00:00", Err(Invalid::ImpossibleTimestamp)),
            ("2026-11-02T24:00:00Z", Err(Invalid::ImpossibleTimestamp)),
            ("2026-11-02T08:60:00Z", Err(Invalid::ImpossibleTimestamp)),
            ("2026-11-02T08:30:60Z", Err(Invalid::ImpossibleTimestamp)),
            ("11/02/2026 13:00 PM", Err(Invalid::ImpossibleTimestamp)),
            ("11/02/2026 0:30 AM", Err(Invalid::ImpossibleTimestamp)),
            ("2026-11-02T08:30:00+25:00", Err(Invalid::ImpossibleTimestamp)),
            ("2026-11-02T08:30:00+05:75", Err(Invalid::ImpossibleTimestamp)),
            ("11/02/26 08:30", Err(Invalid::Timestamp)),
            ("yesterday", Err(Invalid::Timestamp)),
            ("1762072200", Err(Invalid::Timestamp)),
            ("2026-11-02T8", Err(Invalid::Timestamp)),
            ("2026-11-02T08:30:0", Err(Invalid::Timestamp)),
            ("2026-11-02T08:30:00.Z", Err(Invalid::Timestamp)),
            ("2026-11-02T08:30:00 EST", Err(Invalid::Timestamp)),
            ("2026-11-02T08:30:00+5", Err(Invalid::Timestamp)),
            ("2026-11-02 08:30:00 +05:00:00", Err(Invalid::Timestamp)),
            ("2026-11-02 08:30 AM PM", Err(Invalid::Timestamp)),
        ];
        for &(raw, expected) in table {
            let expected = expected.map(|e| DateTime::parse_from_rfc3339(e).unwrap().with_timezone(&Utc));
            assert_eq!(timestamp(raw), expect(raw, expected), "{raw:?}");
        }
    }

    #[test]
    fn heights() {
        let table: &Table<u32> = &[
            ("70", Ok(70)),
            ("70 in", Ok(70)),
            ("70in", Ok(70)),
            ("70 inches", Ok(70)),
            ("70\"", Ok(70)),
            ("70''", Ok(70)),
            ("70.0", Ok(70)),
            ("70.4", Ok(70)),
            ("70.5", Ok(71)),
            ("5'10\"", Ok(70)),
            ("5' 10\"", Ok(70)),
            ("5'10", Ok(70)),
            ("5' 10", Ok(70)),
            ("5'10''", Ok(70)),
            ("5 ft 10 in", Ok(70)),
            ("5ft10", Ok(70)),
            ("5 FT 10 IN", Ok(70)),
            ("5 feet 10 inches", Ok(70)),
            ("5 ft. 10 in.", Ok(70)),
            ("5-10", Ok(70)),
            ("5 - 10", Ok(70)),
            ("5\u{2019}10\u{201d}", Ok(70)),
            ("5\u{2032}10\u{2033}", Ok(70)),
            ("5'", Ok(60)),
            ("6 ft", Ok(72)),
            ("5'0\"", Ok(60)),
            ("5'10.5\"", Ok(71)),
            ("2'", Ok(24)),
            ("9'", Ok(108)),
            ("24", Ok(24)),
            ("108", Ok(108)),
            ("tall", Err(Invalid::Height)),
            ("five", Err(Invalid::Height)),
            ("5'12", Err(Invalid::Height)),
            ("5'13\"", Err(Invalid::Height)),
            ("5-12", Err(Invalid::Height)),
            ("5.5'", Err(Invalid::Height)),
            ("5-", Err(Invalid::Height)),
            ("5'-10", Err(Invalid::Height)),
            ("5 10", Err(Invalid::Height)),
            ("5'10\" 3", Err(Invalid::Height)),
            ("-70", Err(Invalid::Height)),
            ("70.", Err(Invalid::Height)),
            (".5", Err(Invalid::Height)),
            ("178 cm", Err(Invalid::Height)),
            ("5", Err(Invalid::HeightOutOfRange)),
            ("5.10", Err(Invalid::HeightOutOfRange)),
            ("0", Err(Invalid::HeightOutOfRange)),
            ("23", Err(Invalid::HeightOutOfRange)),
            ("109", Err(Invalid::HeightOutOfRange)),
            ("1'11\"", Err(Invalid::HeightOutOfRange)),
            ("10'", Err(Invalid::HeightOutOfRange)),
            ("99999999999999999999", Err(Invalid::HeightOutOfRange)),
        ];
        for &(raw, expected) in table {
            assert_eq!(height_inches(raw), expect(raw, expected), "{raw:?}");
        }
    }

    #[test]
    fn weights() {
        let table: &Table<u32> = &[
            ("180", Ok(180)),
            ("180 lbs", Ok(180)),
            ("180 LBS", Ok(180)),
            ("180lb", Ok(180)),
            ("180 lbs.", Ok(180)),
            ("180 pounds", Ok(180)),
            ("180#", Ok(180)),
            ("180.4", Ok(180)),
            ("180.5", Ok(181)),
            ("50", Ok(50)),
            ("1000", Ok(1000)),
            ("heavy", Err(Invalid::Weight)),
            ("lbs", Err(Invalid::Weight)),
            ("180 kg", Err(Invalid::Weight)),
            ("180 lbs lbs", Err(Invalid::Weight)),
            ("-180", Err(Invalid::Weight)),
            ("1,000", Err(Invalid::Weight)),
            ("180.", Err(Invalid::Weight)),
            ("49", Err(Invalid::WeightOutOfRange)),
            ("49.4", Err(Invalid::WeightOutOfRange)),
            ("0", Err(Invalid::WeightOutOfRange)),
            ("1001", Err(Invalid::WeightOutOfRange)),
            ("1000.5", Err(Invalid::WeightOutOfRange)),
            ("99999999999999999999", Err(Invalid::WeightOutOfRange)),
        ];
        for &(raw, expected) in table {
            assert_eq!(weight_pounds(raw), expect(raw, expected), "{raw:?}");
        }
    }

    #[test]
    fn booleans() {
        let table: &Table<bool> = &[
            ("true", Ok(true)),
            ("TRUE", Ok(true)),
            ("True", Ok(true)),
            ("yes", Ok(true)),
            ("Y", Ok(true)),
            ("t", Ok(true)),
            ("1", Ok(true)),
            (" yes ", Ok(true)),
            ("false", Ok(false)),
            ("No", Ok(false)),
            ("n", Ok(false)),
            ("F", Ok(false)),
            ("0", Ok(false)),
            ("maybe", Err(Invalid::Boolean)),
            ("2", Err(Invalid::Boolean)),
            ("-1", Err(Invalid::Boolean)),
            ("1.0", Err(Invalid::Boolean)),
            ("yes!", Err(Invalid::Boolean)),
            ("ye s", Err(Invalid::Boolean)),
            ("on", Err(Invalid::Boolean)),
            ("truee", Err(Invalid::Boolean)),
        ];
        for &(raw, expected) in table {
            assert_eq!(boolean(raw), expect(raw, expected), "{raw:?}");
        }
    }

    #[test]
    fn lists() {
        let table: &[(&str, &[&str])] = &[
            ("[]", &[]),
            ("[ ]", &[]),
            (r#"["a","b"]"#, &["a", "b"]),
            (r#"["Asthma", " Diabetes ", ""]"#, &["Asthma", "Diabetes"]),
            (r#"["a;b", "c|d", "e,f"]"#, &["a;b", "c|d", "e,f"]),
            (r#"["Crohn's", "caf\u00e9"]"#, &["Crohn's", "café"]),
            (r#"["a", null, 2, true]"#, &["a", "2", "true"]),
            ("['a', 'b']", &["a", "b"]),
            ("['Crohn\\'s', \"b\"]", &["Crohn's", "b"]),
            ("[a, b]", &["a", "b"]),
            ("[a, null]", &["a"]),
            (r#"["a", 'b]"#, &["a", "b"]),
            ("a; b; c", &["a", "b", "c"]),
            ("a|b", &["a", "b"]),
            ("a, b; c", &["a, b", "c"]),
            ("a,b , ,c", &["a", "b", "c"]),
            ("Asthma", &["Asthma"]),
            (" Asthma ", &["Asthma"]),
            (";;", &[]),
        ];
        for &(raw, expected) in table {
            assert_eq!(list(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn texts() {
        let table: &[(&str, Option<&str>)] = &[
            ("Ann", Some("Ann")),
            ("  Ann Lee  ", Some("Ann Lee")),
            ("\u{a0}Ann\u{a0}", Some("Ann")),
            ("\u{feff}Ann", Some("Ann")),
            ("Ann  Lee", Some("Ann  Lee")),
            ("Ann\u{0}Lee", Some("AnnLee")),
            ("\u{0}Ann", Some("Ann")),
            ("\u{0} Ann \u{7f}", Some("Ann")),
            ("A\u{9b}B", Some("AB")),
            ("line one\r\nline two", Some("line one\nline two")),
            ("a\rb", Some("a\nb")),
            ("a\tb", Some("a\tb")),
            ("José 🙂", Some("José 🙂")),
            ("\u{0}", None),
            (" \u{0}\u{1b} ", None),
        ];
        for &(raw, expected) in table {
            assert_eq!(text(raw).as_deref(), expected, "{raw:?}");
        }
    }

    #[test]
    fn genders() {
        let table: &[(&str, Option<&str>)] = &[
            ("M", Some("male")),
            ("m", Some("male")),
            ("Male", Some("male")),
            ("MALE", Some("male")),
            ("man", Some("male")),
            (" F ", Some("female")),
            ("female", Some("female")),
            ("Woman", Some("female")),
            ("Non-Binary", Some("non-binary")),
            ("X", Some("x")),
            ("Mujer", Some("mujer")),
            ("Ü", Some("ü")),
            ("\u{0}", None),
        ];
        for &(raw, expected) in table {
            assert_eq!(gender(raw).as_deref(), expected, "{raw:?}");
        }
    }

    #[test]
    fn messages_speak_plainly() {
        let table: &[(Invalid, &str)] = &[
            (Invalid::Phone("12345".into()), r#"phone "12345" is not a US number or +country number"#),
            (
                Invalid::SpreadsheetPhone("3.12555E+09".into()),
                r#"phone "3.12555E+09" was mangled by a spreadsheet and its last digits are lost"#,
            ),
            (Invalid::ImpossibleDateOfBirth("02/30/1980".into()), r#"date of birth "02/30/1980" is not a real date"#),
            (Invalid::Height("6'13\"".into()), r#"height "6'13"" is not a height like 70 or 5'10""#),
            (Invalid::Boolean("a\u{0}b".into()), "\"a\u{fffd}b\" is not a yes or no answer"),
            (
                Invalid::Zip("1".repeat(61)),
                &format!("zip code \"{}…\" is not a 5-digit or 9-digit zip code", "1".repeat(60)),
            ),
        ];
        for (invalid, message) in table {
            assert_eq!(&invalid.to_string(), message);
        }
        assert_eq!(phone(" 12345 ").unwrap_err().original(), "12345");
    }

    #[test]
    fn odd_input_never_panics() {
        let long_digits = "9".repeat(10_000);
        let long_mixed = "é🙂'\"[,".repeat(1_000);
        let mut nasty = vec![
            "é",
            "🙂",
            "５５５",
            "\"",
            "'",
            "''",
            "\"\"",
            "--",
            "-",
            "/",
            "//",
            ".",
            "..",
            "+",
            "#",
            "x",
            "ext",
            "e",
            "\u{0}",
            "\u{7f}",
            "\u{9b}",
            "\u{feff}",
            "[",
            "]",
            "][",
            "[[",
            "[\"",
            "['",
            "[\"\\",
            "[\"\\u12",
            "[\"\\ud83d\"]",
            "['\\",
            "[,]",
            "[,,]",
            "[null]",
            "[[1]]",
            "[{}]",
            ";",
            "|",
            ",",
            "@",
            "@.",
            "a@.",
            "a@b.",
            ":",
            "T",
            "1/",
            "1/2",
            "1/2/",
            "12/31/",
            "2026-",
            "2026-11-02T",
            "2026-11-02T08:",
            "2026-11-02T08:30:00+",
            "2026-11-02T08:30:00.",
            "5'",
            "'5",
            "5''",
            "5'é",
            "5'🙂\"",
            "5-🙂",
            "5.",
            "5.é",
            "9'99",
            "4294967295",
            "4294967296'11",
            "1e",
            "1.E+",
            "tel:",
            "TEL:é",
            "mailto:é",
            "00",
            "+1",
            "1.0",
            ".0",
            "0.",
            "x🙂1",
            "#é",
            "3125550199 x🙂",
        ];
        nasty.push(&long_digits);
        nasty.push(&long_mixed);
        let valid = [
            "(312) 555-0199 ext. 12",
            "+44 20 7946 0958",
            "mailto:ann@example.com",
            "New York",
            "02134-1234",
            "2026-11-02T08:30:00.123+05:30",
            "11/02/2026 8:30 PM",
            "5 ft 10 in",
            "5\u{2019}10\u{201d}",
            "180 lbs.",
            "['a', \"b\\u00e9\"]",
            "yes",
        ];
        let mut inputs: Vec<String> = Vec::new();
        for s in nasty.iter().chain(&valid) {
            inputs.push((*s).to_owned());
            inputs.push(format!(" {s} "));
            inputs.push(format!("1{s}"));
            inputs.push(format!("{s}1"));
            inputs.push(format!("[{s}]"));
            inputs.push(format!("5'{s}"));
            inputs.push(format!("2026-11-02 {s}"));
            inputs.push(format!("312555{s}"));
        }
        // Every prefix of the valid inputs, cut at each character.
        for s in valid {
            inputs.extend(s.char_indices().map(|(i, _)| s[..i].to_owned()));
        }
        for raw in &inputs {
            let raw = raw.as_str();
            let errors = [
                phone(raw).err(),
                email(raw).err(),
                state(raw).err(),
                zip(raw).err(),
                date_of_birth(raw, today()).err(),
                timestamp(raw).err(),
                height_inches(raw).err(),
                weight_pounds(raw).err(),
                boolean(raw).err(),
            ];
            for e in errors.into_iter().flatten() {
                assert!(!e.to_string().is_empty());
                assert_eq!(e.original(), clean(raw));
            }
            let _ = (list(raw), text(raw), gender(raw));
        }
    }
}
