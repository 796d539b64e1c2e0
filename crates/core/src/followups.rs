//! Follow-ups: a rep's callbacks (a lead to call again at a time, which alerts when due) and
//! pinned leads (kept in the follow-up strip until unpinned). Each belongs to one rep. Our server
//! keeps them (`/api/followups`); against the deployed server they stay on the rep's computer.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A callback, or a pin (no `due`). Its id is made by the rep's app (a pin's is [`pin_id`]), so
/// it is written once however often it is sent; the later `updatedAt` wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowUp {
    pub id: String,
    pub lead_id: String,
    /// When to call back; `None`: a pin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Called back (or unpinned): kept a while for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl FollowUp {
    pub fn is_pin(&self) -> bool {
        self.due.is_none()
    }
}

/// `GET /api/followups`: the rep's open follow-ups and those done in the last
/// [`DONE_KEPT_DAYS`] days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUps {
    pub followups: Vec<FollowUp>,
}

pub const DONE_KEPT_DAYS: i64 = 7;
/// The most a follow-up's note holds.
pub const NOTE_MAX: usize = 500;

/// A pin's id: one per lead, the same on every computer.
pub fn pin_id(lead_id: &str) -> String {
    format!("pin-{lead_id}")
}

impl FollowUp {
    /// Why the server would refuse it, if it would.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.id.is_empty() || self.id.len() > 80 || !self.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("a follow-up id is 1 to 80 letters, digits or '-'");
        }
        if self.note.as_deref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
            return Err("the note is longer than 500 characters");
        }
        Ok(())
    }
}

/// The quick choices for a callback's time, in the lead's own time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    InAnHour,
    /// 2 PM today, or 4:30 PM when it is past 2; none after 4 PM.
    ThisAfternoon,
    /// 9 AM tomorrow.
    TomorrowMorning,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Self::InAnHour, Self::ThisAfternoon, Self::TomorrowMorning];

    pub fn label(self) -> &'static str {
        match self {
            Self::InAnHour => "In 1 hour",
            Self::ThisAfternoon => "This afternoon",
            Self::TomorrowMorning => "Tomorrow morning",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InAnHour => "in-an-hour",
            Self::ThisAfternoon => "this-afternoon",
            Self::TomorrowMorning => "tomorrow-morning",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    /// When it falls for a lead in `zone` at `now`; `None` when it has passed for today.
    pub fn due<Z: TimeZone>(self, zone: &Z, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(zone);
        let at = |days: i64, hour: u32, minute: u32| {
            let day = local.date_naive() + Duration::days(days);
            let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("a time of day");
            // A time skipped by a clock change is taken an hour later.
            zone.from_local_datetime(&day.and_time(time))
                .earliest()
                .or_else(|| zone.from_local_datetime(&day.and_time(time + Duration::hours(1))).earliest())
                .map(|t| t.with_timezone(&Utc))
        };
        match self {
            Self::InAnHour => Some(now + Duration::hours(1)),
            Self::ThisAfternoon if local.hour() < 14 => at(0, 14, 0),
            Self::ThisAfternoon if local.hour() < 16 => at(0, 16, 30),
            Self::ThisAfternoon => None,
            Self::TomorrowMorning => at(1, 9, 0),
        }
    }
}

/// A day's name and time for people, in `zone`: "Tue 9:00 AM CST".
pub fn describe(at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    let (pm, hour) = local.hour12();
    format!("{} {hour}:{:02} {} {}", local.weekday(), local.minute(), if pm { "PM" } else { "AM" }, local.format("%Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn presets_fall_in_the_leads_own_time() {
        let chicago: Tz = "America/Chicago".parse().unwrap();
        // 10:00 in Chicago on Monday 2026-12-07.
        let morning = at("2026-12-07T16:00:00Z");
        assert_eq!(Preset::InAnHour.due(&chicago, morning), Some(at("2026-12-07T17:00:00Z")));
        assert_eq!(Preset::ThisAfternoon.due(&chicago, morning), Some(at("2026-12-07T20:00:00Z")), "2 PM CST");
        assert_eq!(Preset::TomorrowMorning.due(&chicago, morning), Some(at("2026-12-08T15:00:00Z")), "9 AM CST");
        // 15:00 in Chicago: later this afternoon; 17:00: none left today.
        assert_eq!(Preset::ThisAfternoon.due(&chicago, at("2026-12-07T21:00:00Z")), Some(at("2026-12-07T22:30:00Z")));
        assert_eq!(Preset::ThisAfternoon.due(&chicago, at("2026-12-07T23:00:00Z")), None);
        // 11 PM in Chicago is already tomorrow in UTC: tomorrow is the lead's tomorrow.
        assert_eq!(Preset::TomorrowMorning.due(&chicago, at("2026-12-08T05:00:00Z")), Some(at("2026-12-08T15:00:00Z")));
        let la: Tz = "America/Los_Angeles".parse().unwrap();
        assert_eq!(Preset::TomorrowMorning.due(&la, morning), Some(at("2026-12-08T17:00:00Z")), "9 AM PST");
        assert_eq!(describe(at("2026-12-08T15:00:00Z"), chicago), "Tue 9:00 AM CST");
    }

    #[test]
    fn ids_and_notes_are_checked() {
        let mut f = FollowUp {
            id: pin_id("6b17"),
            lead_id: "6b17".into(),
            due: None,
            note: None,
            done_at: None,
            updated_at: at("2026-12-07T16:00:00Z"),
        };
        assert!(f.is_pin() && f.check().is_ok());
        f.id = "a b".into();
        assert!(f.check().is_err());
        f.id = "cb-1".into();
        f.note = Some("x".repeat(NOTE_MAX + 1));
        assert!(f.check().is_err());
        assert_eq!(Preset::parse("this-afternoon"), Some(Preset::ThisAfternoon));
    }
}
