//! When a lead may be called or texted, by the rules of the lead's state: the federal window,
//! and the states whose telemarketing laws are stricter (shorter hours, no Sundays, a cap of
//! attempts a day). Each rule cites its source. Holidays, which a few states also exclude, are
//! not modelled: check with the agency's compliance rules.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// Calling hours on one kind of day, local time: `[from, until)`, or none that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub from: u32,
    pub until: u32,
}

const fn hours(from: u32, until: u32) -> Option<Hours> {
    Some(Hours { from, until })
}

/// The rules of one jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// "Federal (TCPA)", "Florida"…
    pub name: &'static str,
    pub weekdays: Option<Hours>,
    pub saturday: Option<Hours>,
    pub sunday: Option<Hours>,
    /// Most call attempts to one person in 24 hours, where the law caps them.
    pub attempts_per_day: Option<u32>,
    pub source: &'static str,
}

/// 8 AM to 9 PM at the called person's location, every day.
pub const FEDERAL: Rules = Rules {
    name: "Federal (TCPA)",
    weekdays: hours(8, 21),
    saturday: hours(8, 21),
    sunday: hours(8, 21),
    attempts_per_day: None,
    source: "47 CFR 64.1200(c)(1)",
};

/// The states with stricter rules than [`FEDERAL`], by 2-letter code.
const STATES: &[(&str, Rules)] = &[
    (
        "AL",
        Rules {
            name: "Alabama",
            weekdays: hours(8, 20),
            saturday: hours(8, 20),
            sunday: None,
            attempts_per_day: None,
            source: "Ala. Admin. Code r. 770-X-5-.16",
        },
    ),
    (
        "CT",
        Rules {
            name: "Connecticut",
            weekdays: hours(9, 20),
            saturday: hours(9, 20),
            sunday: hours(9, 20),
            attempts_per_day: None,
            source: "Conn. Gen. Stat. 42-288a(c) (2023)",
        },
    ),
    (
        "FL",
        Rules {
            name: "Florida",
            weekdays: hours(8, 20),
            saturday: hours(8, 20),
            sunday: hours(8, 20),
            attempts_per_day: Some(3),
            source: "Fla. Stat. 501.616(6) (2021)",
        },
    ),
    (
        "MA",
        Rules {
            name: "Massachusetts",
            weekdays: hours(8, 20),
            saturday: hours(8, 20),
            sunday: hours(8, 20),
            attempts_per_day: None,
            source: "Mass. Gen. Laws c. 159C, 3; 940 CMR 19.04",
        },
    ),
    (
        "MD",
        Rules {
            name: "Maryland",
            weekdays: hours(8, 20),
            saturday: hours(8, 20),
            sunday: hours(8, 20),
            attempts_per_day: Some(3),
            source: "Md. Code, Com. Law 14-4503 (Stop the Spam Calls Act, 2023)",
        },
    ),
    (
        "MN",
        Rules {
            name: "Minnesota",
            weekdays: hours(9, 21),
            saturday: hours(9, 21),
            sunday: hours(9, 21),
            attempts_per_day: None,
            source: "Minn. Stat. 325E.27",
        },
    ),
    (
        "MS",
        Rules {
            name: "Mississippi",
            weekdays: hours(8, 20),
            saturday: hours(8, 20),
            sunday: None,
            attempts_per_day: None,
            source: "Miss. Code 77-3-725",
        },
    ),
    (
        "OK",
        Rules {
            name: "Oklahoma",
            weekdays: hours(8, 20),
            saturday: hours(8, 20),
            sunday: hours(8, 20),
            attempts_per_day: Some(3),
            source: "Okla. Stat. tit. 15, 775C.4 (Telephone Solicitation Act, 2022)",
        },
    ),
    (
        "RI",
        Rules {
            name: "Rhode Island",
            weekdays: hours(9, 18),
            saturday: hours(10, 17),
            sunday: None,
            attempts_per_day: None,
            source: "R.I. Gen. Laws 5-61-3.4",
        },
    ),
    (
        "TX",
        Rules {
            name: "Texas",
            weekdays: hours(9, 21),
            saturday: hours(9, 21),
            sunday: hours(12, 21),
            attempts_per_day: None,
            source: "Tex. Bus. & Com. Code 301.051",
        },
    ),
    (
        "WA",
        Rules {
            name: "Washington",
            weekdays: hours(8, 20),
            saturday: hours(8, 20),
            sunday: hours(8, 20),
            attempts_per_day: None,
            source: "RCW 80.36.390(4)",
        },
    ),
];

/// The rules for a lead in `state` (2-letter code): its state's where they are stricter, else
/// the federal ones.
pub fn rules_for(state: Option<&str>) -> &'static Rules {
    let state = state.and_then(|s| crate::import::normalize::state(s).ok().flatten());
    STATES.iter().find(|(code, _)| state == Some(*code)).map_or(&FEDERAL, |(_, rules)| rules)
}

/// Where a lead stands for a call or a text now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The lead's zone.
    pub zone: &'static str,
    /// The lead's local time, e.g. "8:15 PM CST".
    pub local_time: String,
    /// Inside today's calling hours.
    pub open: bool,
    /// Today's hours, e.g. "8 AM–8 PM", or "no calls on Sunday".
    pub hours: String,
    pub rules: &'static Rules,
}

/// Where a lead in `zone` and `state` stands at `now`.
pub fn window(zone: &'static str, state: Option<&str>, now: DateTime<Utc>) -> Option<Window> {
    let tz: Tz = zone.parse().ok()?;
    let local = now.with_timezone(&tz);
    let rules = rules_for(state);
    let today = match local.weekday() {
        Weekday::Sat => rules.saturday,
        Weekday::Sun => rules.sunday,
        _ => rules.weekdays,
    };
    let open = today.is_some_and(|h| (h.from..h.until).contains(&local.hour()));
    let hours = match today {
        Some(h) => format!("{}–{}", clock_hour(h.from), clock_hour(h.until)),
        None => format!("no calls on {}", local.format("%A")),
    };
    let (pm, hour) = local.hour12();
    let local_time = format!("{hour}:{:02} {} {}", local.minute(), if pm { "PM" } else { "AM" }, local.format("%Z"));
    Some(Window { zone, local_time, open, hours, rules })
}

/// `8` → "8 AM", `21` → "9 PM", `12` → "noon".
fn clock_hour(h: u32) -> String {
    match h {
        0 => "midnight".into(),
        12 => "noon".into(),
        1..=11 => format!("{h} AM"),
        _ => format!("{} PM", h - 12),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        rfc3339.parse().unwrap()
    }

    #[test]
    fn the_federal_window_where_no_state_is_stricter() {
        // Wednesday 2026-12-09, 20:30 in Chicago (02:30 UTC the next day).
        let w = window("America/Chicago", Some("IL"), at("2026-12-10T02:30:00Z")).unwrap();
        assert_eq!((w.open, w.hours.as_str(), w.rules.name), (true, "8 AM–9 PM", "Federal (TCPA)"));
        assert_eq!(w.local_time, "8:30 PM CST");
        let w = window("America/Chicago", Some("IL"), at("2026-12-10T03:00:00Z")).unwrap();
        assert!(!w.open, "9 PM is past the window");
    }

    #[test]
    fn stricter_states_close_earlier_or_on_sundays() {
        // 20:30 on a Wednesday in Florida (Eastern): past Florida's 8 PM.
        let fl = window("America/New_York", Some("fl"), at("2026-12-10T01:30:00Z")).unwrap();
        assert_eq!((fl.open, fl.hours.as_str(), fl.rules.attempts_per_day), (false, "8 AM–8 PM", Some(3)));
        // Sunday 2026-12-13 at 11:00 in Texas: not before noon.
        let tx = window("America/Chicago", Some("TX"), at("2026-12-13T17:00:00Z")).unwrap();
        assert_eq!((tx.open, tx.hours.as_str()), (false, "noon–9 PM"));
        let tx = window("America/Chicago", Some("TX"), at("2026-12-13T18:30:00Z")).unwrap();
        assert!(tx.open, "12:30 on a Sunday");
        // Sunday in Alabama: no calls at all.
        let al = window("America/Chicago", Some("AL"), at("2026-12-13T18:30:00Z")).unwrap();
        assert_eq!((al.open, al.hours.as_str()), (false, "no calls on Sunday"));
        // Rhode Island on a Saturday at 17:30: past 5 PM.
        let ri = window("America/New_York", Some("RI"), at("2026-12-12T22:30:00Z")).unwrap();
        assert_eq!((ri.open, ri.hours.as_str()), (false, "10 AM–5 PM"));
    }

    #[test]
    fn every_rule_cites_its_source_and_has_sane_hours() {
        for rules in STATES.iter().map(|(_, r)| r).chain([&FEDERAL]) {
            assert!(!rules.source.is_empty(), "{}", rules.name);
            for h in [rules.weekdays, rules.saturday, rules.sunday].into_iter().flatten() {
                assert!(h.from < h.until && h.until <= 21 && h.from >= 8, "{}: {h:?}", rules.name);
            }
        }
        assert_eq!(rules_for(None), &FEDERAL);
        assert_eq!(rules_for(Some("ZZ")), &FEDERAL);
    }
}
