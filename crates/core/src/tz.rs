//! A lead's time zone: from its ZIP code first (the states that span two zones are split by ZIP
//! prefix), then its state (the zone where most of its people live), then its phone's area code
//! (people keep their numbers when they move: the weakest guess). Used to sort by `timeZone` and
//! to keep calls and texts to the lead's local hours.

/// The IANA zone of a lead from its ZIP code, state and phone, in that order of trust.
pub fn for_lead(zip: Option<&str>, state: Option<&str>, phone: Option<&str>) -> Option<&'static str> {
    zip.and_then(for_zip)
        .or_else(|| state.and_then(for_state))
        .or_else(|| phone.and_then(crate::region::state_for_phone).and_then(for_state))
}

/// The IANA zone of a US ZIP code: its state's, except in the parts of split states that keep
/// the other zone, told by 3-digit USPS prefix (each prefix goes with the zone of most of its
/// people). Zone boundaries: 49 CFR Part 71 (the Department of Transportation's standard time
/// zones); prefixes: the USPS's 3-digit ZIP code prefix list (L002).
pub fn for_zip(zip: &str) -> Option<&'static str> {
    let state = crate::region::state_for_zip(zip)?;
    let digits: String = zip.trim().chars().take_while(char::is_ascii_digit).collect();
    // A ZIP that lost its leading zero (`2134`) is in the north-east or the Caribbean, which no
    // zone splits.
    let prefix: u32 = if digits.len() == 5 { digits[..3].parse().ok()? } else { 0 };
    let split = match (state, prefix) {
        // Florida west of the Apalachicola River: Panama City, Pensacola.
        ("FL", 324 | 325) => "America/Chicago",
        // Texas: El Paso and the Trans-Pecos (Hudspeth, Culberson).
        ("TX", 798 | 799 | 885) => "America/Denver",
        // Kentucky west of the line: Paducah, Bowling Green, Owensboro, Henderson.
        ("KY", 420..=424) => "America/Chicago",
        // Tennessee east of the line: Chattanooga, Knoxville, the Tri-Cities.
        ("TN", 373 | 374 | 376..=379) => "America/New_York",
        // Indiana's Central corners: Gary and the Chicago suburbs; Evansville.
        ("IN", 463 | 464 | 476 | 477) => "America/Chicago",
        // North Dakota's south-west (Dickinson); South Dakota west of the Missouri (Rapid City);
        // the Nebraska panhandle (Scottsbluff, Alliance).
        ("ND", 586) | ("SD", 577) | ("NE", 693) => "America/Denver",
        // Oregon's Malheur County (Ontario) keeps Mountain time, with Boise.
        ("OR", 979) => "America/Boise",
        // North Idaho (Lewiston, Coeur d'Alene) keeps Pacific time.
        ("ID", 835 | 838) => "America/Los_Angeles",
        _ => return for_state(state),
    };
    Some(split)
}

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

/// Every zone [`for_lead`] answers, East to West.
pub const ZONES: [&str; 15] = [
    "America/Puerto_Rico",
    "America/St_Thomas",
    "America/New_York",
    "America/Detroit",
    "America/Indiana/Indianapolis",
    "America/Chicago",
    "America/Denver",
    "America/Boise",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Pacific/Pago_Pago",
    "Pacific/Guam",
    "Pacific/Saipan",
];

/// The zone named `zone`, as the `'static` name the calling rules take; `None` for an unknown name.
pub fn known(zone: &str) -> Option<&'static str> {
    zone.parse::<chrono_tz::Tz>().ok().map(|tz| tz.name())
}

/// How far east a zone is: its standard (winter) offset from UTC in minutes, so the order holds
/// all year (Arizona stays east of California); zones past the date line count from the east.
/// `None` for a zone chrono-tz does not know.
pub fn eastness(zone: &str) -> Option<i32> {
    use chrono::{Offset, TimeZone};
    let tz: chrono_tz::Tz = zone.parse().ok()?;
    let january = chrono::NaiveDate::from_ymd_opt(2026, 1, 15)?.and_hms_opt(12, 0, 0)?;
    let minutes = tz.offset_from_utc_datetime(&january).fix().local_minus_utc() / 60;
    // Guam and Saipan (UTC+10) lie west of Hawaii, across the date line.
    Some(if minutes > 0 { minutes - 24 * 60 } else { minutes })
}

/// A zone as reps name it: "Eastern", "Central", "Mountain", "Arizona", "Pacific"…; else its
/// IANA name.
pub fn label(zone: &str) -> String {
    match zone {
        "America/Phoenix" => return "Arizona".into(),
        "Pacific/Honolulu" => return "Hawaii".into(),
        _ => {}
    }
    match eastness(zone) {
        Some(-240) => "Atlantic".into(),
        Some(-300) => "Eastern".into(),
        Some(-360) => "Central".into(),
        Some(-420) => "Mountain".into(),
        Some(-480) => "Pacific".into(),
        Some(-540) => "Alaska".into(),
        _ => zone.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_run_east_to_west_by_their_winter_offset() {
        let zones = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles"];
        let east: Vec<i32> = zones.iter().map(|z| eastness(z).unwrap()).collect();
        assert_eq!(east, [-300, -360, -420, -420, -480], "Arizona is Mountain in winter, and stays there");
        assert_eq!(label("America/Detroit"), "Eastern");
        assert_eq!(label("America/Boise"), "Mountain");
        assert_eq!(label("America/Phoenix"), "Arizona");
        assert_eq!(eastness("Mars/Olympus"), None);
        assert!(eastness("Pacific/Guam").unwrap() < eastness("Pacific/Honolulu").unwrap(), "west of Hawaii");
        let east: Vec<i32> = ZONES.iter().map(|z| eastness(z).unwrap()).collect();
        assert!(east.windows(2).all(|w| w[0] >= w[1]), "ZONES run East to West: {east:?}");
        // Every state's zone is listed.
        for (state, _) in crate::import::normalize::STATES {
            if let Some(zone) = for_state(state) {
                assert!(ZONES.contains(&zone), "{zone}");
            }
        }
    }

    #[test]
    fn every_state_and_the_district_has_a_zone() {
        let states = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ \
                      NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY";
        for s in states.split_whitespace() {
            assert!(for_state(s).is_some(), "{s}");
        }
        assert_eq!(states.split_whitespace().count(), 51);
    }

    /// Real ZIP codes on both sides of a zone line within one state.
    #[test]
    fn split_states_follow_the_zip_code() {
        let cases = [
            ("32501", "America/Chicago"),  // Pensacola, FL
            ("32401", "America/Chicago"),  // Panama City, FL
            ("32301", "America/New_York"), // Tallahassee, FL
            ("33101", "America/New_York"), // Miami, FL
            ("79901", "America/Denver"),   // El Paso, TX
            ("88510", "America/Denver"),   // El Paso, TX (its second prefix)
            ("75201", "America/Chicago"),  // Dallas, TX
            ("42001", "America/Chicago"),  // Paducah, KY
            ("40202", "America/New_York"), // Louisville, KY
            ("37402", "America/New_York"), // Chattanooga, TN
            ("37902", "America/New_York"), // Knoxville, TN
            ("37203", "America/Chicago"),  // Nashville, TN
            ("46402", "America/Chicago"),  // Gary, IN
            ("47708", "America/Chicago"),  // Evansville, IN
            ("46204", "America/Indiana/Indianapolis"),
            ("58601", "America/Denver"),      // Dickinson, ND
            ("57701", "America/Denver"),      // Rapid City, SD
            ("57104", "America/Chicago"),     // Sioux Falls, SD
            ("69361", "America/Denver"),      // Scottsbluff, NE
            ("68102", "America/Chicago"),     // Omaha, NE
            ("97914", "America/Boise"),       // Ontario, OR
            ("97201", "America/Los_Angeles"), // Portland, OR
            ("83814", "America/Los_Angeles"), // Coeur d'Alene, ID
            ("83702", "America/Boise"),       // Boise, ID
            ("85004", "America/Phoenix"),
            ("2134", "America/New_York"), // Boston, MA, its leading zero lost
        ];
        for (zip, zone) in cases {
            assert_eq!(for_zip(zip), Some(zone), "{zip}");
        }
        assert_eq!(for_zip("79901-1234"), Some("America/Denver"));
        assert_eq!(for_zip("ABCDE"), None);
    }

    #[test]
    fn the_zip_code_is_trusted_over_the_state_and_the_state_over_the_phone() {
        // An El Paso lead whose vendor says TX: Mountain, not Central.
        assert_eq!(for_lead(Some("79901"), Some("TX"), Some("9155550123")), Some("America/Denver"));
        assert_eq!(for_lead(None, Some("TX"), Some("9155550123")), Some("America/Chicago"));
        assert_eq!(for_lead(Some(""), None, Some("(312) 555-0123")), Some("America/Chicago"), "Chicago's area code");
        assert_eq!(for_lead(Some("nope"), Some("ZZ"), Some("123")), None);
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
