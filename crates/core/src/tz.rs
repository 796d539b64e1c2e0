//! A lead's time zone, derived from its state: the zone where most of the state's people live
//! (a few states span two). Used to sort by `timeZone` and to keep calls and texts to local hours.

/// The IANA zone of a US state, district or territory by its 2-letter code.
pub fn for_state(state: &str) -> Option<&'static str> {
    let zone = match state.trim().to_ascii_uppercase().as_str() {
        "CT" | "DC" | "DE" | "FL" | "GA" | "KY" | "MA" | "MD" | "ME" | "NC" | "NH" | "NJ" | "NY" | "OH" | "PA"
        | "RI" | "SC" | "VA" | "VT" | "WV" => "America/New_York",
        "MI" => "America/Detroit",
        "IN" => "America/Indiana/Indianapolis",
        "AL" | "AR" | "IA" | "IL" | "KS" | "LA" | "MN" | "MO" | "MS" | "ND" | "NE" | "OK" | "SD" | "TN" | "TX"
        | "WI" => "America/Chicago",
        "CO" | "MT" | "NM" | "UT" | "WY" => "America/Denver",
        "ID" => "America/Boise",
        "AZ" => "America/Phoenix",
        "CA" | "NV" | "OR" | "WA" => "America/Los_Angeles",
        "AK" => "America/Anchorage",
        "HI" => "Pacific/Honolulu",
        "PR" => "America/Puerto_Rico",
        "VI" => "America/St_Thomas",
        "GU" => "Pacific/Guam",
        "MP" => "Pacific/Saipan",
        "AS" => "Pacific/Pago_Pago",
        _ => return None,
    };
    Some(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_the_district_has_a_zone() {
        let states = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ \
                      NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY";
        for s in states.split_whitespace() {
            assert!(for_state(s).is_some(), "{s}");
        }
        assert_eq!(states.split_whitespace().count(), 51);
    }

    #[test]
    fn examples_and_unknowns() {
        assert_eq!(for_state("il"), Some("America/Chicago"));
        assert_eq!(for_state(" AZ "), Some("America/Phoenix"), "no daylight saving there");
        assert_eq!(for_state("HI"), Some("Pacific/Honolulu"));
        assert_eq!(for_state("ZZ"), None);
        assert_eq!(for_state(""), None);
    }
}
