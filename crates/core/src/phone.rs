//! Phone normalisation. Every phone we store is 10 NANP digits, whatever the vendor sent,
//! so the same person de-duplicates across webhooks and CSV files (a legacy defect).

/// Normalises a US/Canada phone number to its 10 digits: `(555) 010-2030`, `+1 555 010 2030`
/// and `5550102030` all give `5550102030`. Returns `None` when the input is not such a number.
pub fn normalize_us(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        10 => digits.as_str(),
        11 if digits.starts_with('1') => &digits[1..],
        _ => return None,
    };
    // NANP: area code and exchange never start with 0 or 1.
    let b = national.as_bytes();
    if b[0] < b'2' || b[3] < b'2' {
        return None;
    }
    Some(national.to_owned())
}

/// A phone for people to read, the one rule every screen and notification uses: 10 digits, or
/// 11 after a country code 1 (spaces, dots, dashes and parentheses aside), as `(XXX) XXX-XXXX`;
/// anything else trimmed, as given. Display only: it checks no numbering plan.
pub fn format_us(phone: &str) -> String {
    let trimmed = phone.trim();
    let compact: String = trimmed.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    let national = compact.strip_prefix("+1").or_else(|| compact.strip_prefix('1').filter(|d| d.len() == 10));
    let digits = match national {
        Some(d) if d.len() == 10 => d,
        _ => compact.as_str(),
    };
    if digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..])
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings() {
        for raw in ["(555) 210-2030", "+1 555 210 2030", "5552102030", "1-555-210-2030", "555.210.2030"] {
            assert_eq!(normalize_us(raw).as_deref(), Some("5552102030"), "{raw}");
        }
    }

    #[test]
    fn rejects_non_numbers() {
        for raw in ["", "12345", "555-0102", "0552102030", "5550102030", "25552102030", "abc"] {
            assert_eq!(normalize_us(raw), None, "{raw}");
        }
    }

    #[test]
    fn formats_for_people() {
        for (raw, shown) in [
            ("3125550199", "(312) 555-0199"),
            ("5550102030", "(555) 010-2030"), // a fictional exchange still reads as a phone
            ("555-210-2030", "(555) 210-2030"),
            ("555.210.2030", "(555) 210-2030"),
            (" (555) 210 2030 ", "(555) 210-2030"),
            ("+15552102030", "(555) 210-2030"),
            ("1 555 210 2030", "(555) 210-2030"),
            ("+1 (555) 210-2030", "(555) 210-2030"),
            ("+44 20 7946 0958", "+44 20 7946 0958"),
            ("555-0102", "555-0102"),
            ("555210203", "555210203"),
            ("55521020301", "55521020301"),
            ("555-210-2030 ext 4", "555-210-2030 ext 4"),
            ("<b>5552102030</b>", "<b>5552102030</b>"),
            ("25552102030", "25552102030"),
            ("555/210/2030", "555/210/2030"),
            (" ext. 12 ", "ext. 12"),
            ("", ""),
        ] {
            assert_eq!(format_us(raw), shown, "{raw:?}");
        }
    }
}
