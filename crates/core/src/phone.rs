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

/// `(XXX) XXX-XXXX` for 10 digits, for people to read; anything else as given.
pub fn format_us(phone: &str) -> String {
    match normalize_us(phone) {
        Some(d) => format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..]),
        None => phone.to_owned(),
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
        assert_eq!(format_us("3125550199"), "(312) 555-0199");
        assert_eq!(format_us("+44 20 7946 0958"), "+44 20 7946 0958");
    }
}
