//! Calls: a rep's attempt to reach a lead, recorded when they press Call (the `tel:` handoff),
//! and its outcome, told when they come back.
//!
//! Our server keeps every attempt (`PUT /api/calls/:id`, once per id) and a tally on the lead. The
//! deployed server keeps a count per phone for each rep (`/api/dial-counts`), nothing more.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calling::Window;

/// How a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    NoAnswer,
    Voicemail,
    Talked,
    WrongNumber,
    BadNumber,
    /// The person asked not to be called again: the phone goes on the agency's do-not-call list.
    #[serde(rename = "dnc")]
    DoNotCall,
}

impl Outcome {
    pub const ALL: [Outcome; 6] =
        [Self::NoAnswer, Self::Voicemail, Self::Talked, Self::WrongNumber, Self::BadNumber, Self::DoNotCall];

    /// The wire and command-line spelling: `no-answer`, …, `dnc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoAnswer => "no-answer",
            Self::Voicemail => "voicemail",
            Self::Talked => "talked",
            Self::WrongNumber => "wrong-number",
            Self::BadNumber => "bad-number",
            Self::DoNotCall => "dnc",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NoAnswer => "No answer",
            Self::Voicemail => "Voicemail",
            Self::Talked => "Talked",
            Self::WrongNumber => "Wrong number",
            Self::BadNumber => "Bad number",
            Self::DoNotCall => "Do not call",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// The most a call's note holds.
pub const NOTE_MAX: usize = 2000;

/// One call attempt. Its id is made by the rep's app when they press Call, so the attempt can be
/// sent again (after a crash, offline) and is kept once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    pub id: String,
    pub lead_id: String,
    /// The number dialled, as 10 digits.
    pub phone: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who called (set by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_name: Option<String>,
}

/// `PUT /api/calls/:id`: records the attempt, or tells its outcome (the same id again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallReport {
    pub lead_id: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CallReport {
    /// Why the server would refuse it, if it would.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.note.as_deref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
            return Err("the note is longer than 2000 characters");
        }
        Ok(())
    }
}

/// Our server's answer to `PUT /api/calls/:id`: the call as kept, and the lead with its tally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallAnswer {
    pub call: Call,
    pub lead: crate::Lead,
}

/// `GET /api/calls?leadId=`: a lead's calls, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallList {
    pub calls: Vec<Call>,
}

/// A lead's calls in short, kept on the lead by our server: "Call (3) · last 2 h ago".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallTally {
    pub count: u32,
    pub last_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_outcome: Option<Outcome>,
}

/// The deployed server's `POST /api/dial-counts/increment` `{phone}` and its answer: the rep's
/// lifetime count of dials to that phone (its last 10 digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialCount {
    pub phone: String,
    #[serde(default)]
    pub count: u32,
}

/// The deployed server's `GET /api/dial-counts?phones=…`: phones never dialled are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialCounts {
    pub counts: std::collections::BTreeMap<String, u32>,
}

/// A phone on the agency's do-not-call list, as its leads carry it (ours): who put it there, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoNotCall {
    pub by: String,
    pub name: String,
    pub at: DateTime<Utc>,
}

/// One phone of the agency's do-not-call list (`GET /api/do-not-call`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoNotCallEntry {
    /// 10 digits.
    pub phone: String,
    #[serde(flatten)]
    pub mark: DoNotCall,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoNotCallList {
    pub phones: Vec<DoNotCallEntry>,
}

/// `POST /api/do-not-call`: puts a phone on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoNotCallAdd {
    pub phone: String,
}

/// How many of `times` fall in the 24 hours before `now`: what a state's cap of attempts a day
/// counts (Florida's, Maryland's and Oklahoma's "in a 24-hour period").
pub fn attempts_in_a_day(times: impl IntoIterator<Item = DateTime<Utc>>, now: DateTime<Utc>) -> u32 {
    let since = now - chrono::Duration::hours(24);
    times.into_iter().filter(|t| *t > since && *t <= now).count() as u32
}

/// Why the rep should confirm before calling, if they should: the lead's local time is unknown,
/// outside its state's calling hours, or its state's attempts a day are used up (counted by
/// [`attempts_in_a_day`]).
pub fn caution(window: Option<&Window>, attempts_in_a_day: u32) -> Option<String> {
    let Some(w) = window else {
        return Some("This lead's local time is unknown (no ZIP code, state or US area code)".into());
    };
    if !w.open {
        return Some(format!(
            "It is {} for this lead: outside calling hours ({}, {})",
            w.local_time, w.hours, w.rules.name
        ));
    }
    match w.rules.attempts_per_day {
        Some(cap) if attempts_in_a_day >= cap => {
            Some(format!("{attempts_in_a_day} calls in the last 24 hours: {} allows {cap}", w.rules.name))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_read_as_the_command_line_and_the_wire_spell_them() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        assert_eq!(Outcome::parse(" DNC "), Some(Outcome::DoNotCall));
        assert_eq!(Outcome::parse("busy"), None);
    }

    #[test]
    fn a_day_of_attempts_is_the_24_hours_before_now() {
        let now: DateTime<Utc> = "2026-12-07T18:00:00Z".parse().unwrap();
        let h = |n: i64| now - chrono::Duration::hours(n);
        assert_eq!(attempts_in_a_day([h(1), h(23), h(24), h(30)], now), 2);
        assert_eq!(attempts_in_a_day([now + chrono::Duration::minutes(1)], now), 0, "not in the future");
    }

    #[test]
    fn a_call_is_questioned_outside_the_hours_past_the_cap_or_when_the_time_is_unknown() {
        // Wednesday 2026-12-09, 20:30 in Miami (01:30 UTC the next day): Florida stops at 8 PM.
        let late = crate::calling::window("America/New_York", Some("FL"), "2026-12-10T01:30:00Z".parse().unwrap());
        let said = caution(late.as_ref(), 0).unwrap();
        assert!(said.starts_with("It is 8:30 PM EST for this lead: outside calling hours (8 AM–8 PM"), "{said}");
        // 10:00 in Miami: open, until the third attempt.
        let morning = crate::calling::window("America/New_York", Some("FL"), "2026-12-09T15:00:00Z".parse().unwrap());
        assert_eq!(caution(morning.as_ref(), 2), None);
        assert!(caution(morning.as_ref(), 3).unwrap().starts_with("3 calls in the last 24 hours"));
        // Illinois has no cap.
        let il = crate::calling::window("America/Chicago", Some("IL"), "2026-12-09T16:00:00Z".parse().unwrap());
        assert_eq!(caution(il.as_ref(), 9), None);
        assert!(caution(None, 0).unwrap().contains("unknown"));
    }

    #[test]
    fn a_report_refuses_unknown_fields_and_long_notes() {
        let bad = serde_json::json!({"leadId": "a", "at": "2026-12-07T18:00:00Z", "by": "me"});
        assert!(serde_json::from_value::<CallReport>(bad).is_err());
        let mut r: CallReport =
            serde_json::from_value(serde_json::json!({"leadId": "a", "at": "2026-12-07T18:00:00Z", "outcome": "dnc"}))
                .unwrap();
        assert_eq!(r.outcome, Some(Outcome::DoNotCall));
        assert!(r.check().is_ok());
        r.note = Some("x".repeat(NOTE_MAX + 1));
        assert!(r.check().is_err());
    }
}
