//! Texting a lead through Textdrip, the parts with no I/O: message templates, SMS length, the
//! lead's number in E.164, the sender number for the lead's state, and the lead's local hours.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::calling::Window;
use crate::Lead;

/// The fields a template may use, as `{name}`.
pub const PLACEHOLDERS: [&str; 7] = ["first_name", "last_name", "full_name", "state", "city", "zip", "agent_name"];

/// A template filled in for one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    /// Placeholders left empty: the lead has no value, or the name is not one of [`PLACEHOLDERS`].
    pub missing: Vec<String>,
}

/// Fills `{first_name}`-style fields from the lead (and `{agent_name}` from the rep). A field
/// the lead lacks is left out of the text and reported; braces that hold no name stay as typed.
pub fn render(template: &str, lead: &Lead, agent_name: &str) -> Rendered {
    let mut text = String::with_capacity(template.len());
    let mut missing = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        if name_len == 0 || !after[name_len..].starts_with('}') {
            text.push('{');
            rest = after;
            continue;
        }
        let name = &after[..name_len];
        match value(name, lead, agent_name) {
            Some(v) => text.push_str(&v),
            None => {
                if !missing.iter().any(|m| m == name) {
                    missing.push(name.to_owned());
                }
            }
        }
        rest = &after[name_len + 1..];
    }
    text.push_str(rest);
    Rendered { text, missing }
}

fn value(name: &str, lead: &Lead, agent_name: &str) -> Option<String> {
    let filled = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let first_of_name = || lead.name.split_whitespace().next().map(str::to_owned);
    match name.to_ascii_lowercase().as_str() {
        "first_name" => filled(lead.first_name.as_deref()).or_else(first_of_name),
        "last_name" => filled(lead.last_name.as_deref()),
        "full_name" => filled(Some(&lead.name))
            .or_else(|| filled(Some(&crate::lead::full_name(lead.first_name.as_deref(), lead.last_name.as_deref())))),
        "state" => filled(lead.state.as_deref()),
        "city" => filled(lead.city.as_deref()),
        "zip" => filled(lead.zipcode.as_deref()),
        "agent_name" => filled(Some(agent_name)),
        _ => None,
    }
}

/// How an SMS is encoded: GSM-7 when every character is in its alphabet, else UCS-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// A message's length as the carrier counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsLength {
    pub encoding: Encoding,
    /// Characters as people count them.
    pub chars: usize,
    /// Units as the carrier counts them (an extension character is two GSM-7 units; a character
    /// outside the basic plane two UCS-2 units).
    pub units: usize,
    pub segments: usize,
}

/// GSM 03.38's basic alphabet (one unit each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Its extension table (two units each: an escape and the character).
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// Counts a message the way carriers split it: GSM-7 is 160 units in one segment, 153 a segment
/// when split; UCS-2 is 70, and 67 when split.
pub fn sms_length(text: &str) -> SmsLength {
    let chars = text.chars().count();
    let gsm_units = text.chars().try_fold(0usize, |n, c| {
        if GSM_BASIC.contains(c) {
            Some(n + 1)
        } else if GSM_EXTENDED.contains(c) {
            Some(n + 2)
        } else {
            None
        }
    });
    let (encoding, units, single, split) = match gsm_units {
        Some(units) => (Encoding::Gsm7, units, 160, 153),
        None => (Encoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    let segments = match units {
        0 => 0,
        n if n <= single => 1,
        n => n.div_ceil(split),
    };
    SmsLength { encoding, chars, units, segments }
}

/// A US phone as Textdrip takes it: `+1` and the 10 digits.
pub fn e164(phone: &str) -> Option<String> {
    crate::phone::normalize_us(phone).map(|d| format!("+1{d}"))
}

/// One of the account's sender numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender<'a> {
    pub phone: &'a str,
    pub primary: bool,
}

/// The sender for a lead: a number whose area code is in the lead's state, else the account's
/// primary number, else its first. `None` only when there are no numbers.
pub fn choose_sender(senders: &[Sender<'_>], lead_state: Option<&str>) -> Option<usize> {
    let state = lead_state.map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty());
    let local = state.and_then(|state| {
        senders.iter().position(|s| crate::region::state_for_phone(s.phone).is_some_and(|st| st == state))
    });
    local.or_else(|| senders.iter().position(|s| s.primary)).or(if senders.is_empty() { None } else { Some(0) })
}

/// The lead's state: as sent when it is one (a code or a name), else its ZIP code's, else its
/// phone's.
pub fn lead_state(lead: &Lead) -> Option<&'static str> {
    lead.state
        .as_deref()
        .and_then(|s| crate::import::normalize::state(s).ok().flatten())
        .or_else(|| lead.zipcode.as_deref().and_then(crate::region::state_for_zip))
        .or_else(|| lead.phone.as_deref().and_then(crate::region::state_for_phone))
}

/// The lead's zone ([`crate::tz::for_lead`]: ZIP code, state, area code), else the `timeZone`
/// it came with.
pub fn lead_zone(lead: &Lead) -> Option<&'static str> {
    crate::tz::for_lead(lead.zipcode.as_deref(), lead.state.as_deref(), lead.phone.as_deref())
        .or_else(|| lead.time_zone.as_deref().and_then(|z| z.parse::<Tz>().ok()).map(|z| z.name()))
}

/// The lead's zone, to compute with.
pub fn lead_tz(lead: &Lead) -> Option<Tz> {
    lead_zone(lead).and_then(|z| z.parse().ok())
}

/// The lead's local time at `now` and its state's calling hours, which texts keep to as calls
/// do; `None` when the lead's zone cannot be told.
pub fn local_time(lead: &Lead, now: DateTime<Utc>) -> Option<Window> {
    crate::calling::window(lead_zone(lead)?, lead_state(lead), now)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn lead() -> Lead {
        Lead {
            name: "Rosa Díaz".into(),
            first_name: Some("Rosa".into()),
            last_name: Some("Díaz".into()),
            state: Some("IL".into()),
            zipcode: Some("60601".into()),
            phone: Some("3125550123".into()),
            ..Lead::default()
        }
    }

    #[test]
    fn templates_fill_known_fields_and_report_the_rest() {
        let r = render("Hi {first_name}, this is {agent_name} about {state} plans. {policy} {city}", &lead(), "Ann");
        assert_eq!(r.text, "Hi Rosa, this is Ann about IL plans.  ");
        assert_eq!(r.missing, ["policy", "city"]);
        let r = render("{ not a field } {first_name", &lead(), "");
        assert_eq!((r.text.as_str(), r.missing.len()), ("{ not a field } {first_name", 0));
        let bare = Lead { name: "Bo Smith".into(), ..Lead::default() };
        assert_eq!(render("{first_name}/{full_name}", &bare, "").text, "Bo/Bo Smith");
    }

    #[test]
    fn sms_segments_follow_the_encoding() {
        let l = sms_length("Hello");
        assert_eq!((l.encoding, l.chars, l.segments), (Encoding::Gsm7, 5, 1));
        assert_eq!(sms_length(&"a".repeat(160)).segments, 1);
        assert_eq!(sms_length(&"a".repeat(161)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(306)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(307)).segments, 3);
        // An extension character takes two units.
        let l = sms_length(&format!("{}€", "a".repeat(159)));
        assert_eq!((l.chars, l.units, l.segments), (160, 161, 2));
        // One character outside GSM-7 makes the whole message UCS-2.
        let l = sms_length(&format!("{}😀", "a".repeat(60)));
        assert_eq!((l.encoding, l.chars, l.units, l.segments), (Encoding::Ucs2, 61, 62, 1));
        assert_eq!(sms_length(&"é".repeat(70)).encoding, Encoding::Gsm7, "é is in GSM-7");
        assert_eq!(sms_length(&"ó".repeat(71)).segments, 2, "ó is not: UCS-2, 70 a segment");
        assert_eq!(sms_length("").segments, 0);
    }

    #[test]
    fn phones_go_out_in_e164() {
        assert_eq!(e164("(312) 555-0123").as_deref(), Some("+13125550123"));
        assert_eq!(e164("+1 312 555 0123").as_deref(), Some("+13125550123"));
        assert_eq!(e164("555-0123"), None);
    }

    #[test]
    fn the_sender_is_local_then_primary_then_first() {
        let senders = [
            Sender { phone: "+12125550100", primary: false },
            Sender { phone: "+13125550100", primary: true },
            Sender { phone: "+14155550100", primary: false },
        ];
        assert_eq!(choose_sender(&senders, Some("ca")), Some(2));
        assert_eq!(choose_sender(&senders, Some("NY")), Some(0));
        assert_eq!(choose_sender(&senders, Some("TX")), Some(1), "no Texas number: the primary");
        assert_eq!(choose_sender(&senders, None), Some(1));
        assert_eq!(choose_sender(&senders[2..], Some("TX")), Some(0), "no primary: the first");
        assert_eq!(choose_sender(&[], Some("TX")), None);
    }

    #[test]
    fn local_hours_by_the_leads_zone() {
        // 2026-12-01 02:30 UTC is 8:30 PM in Chicago the day before: within hours.
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 2, 30, 0).unwrap();
        let t = local_time(&lead(), now).unwrap();
        assert_eq!((t.zone, t.local_time.as_str(), t.open), ("America/Chicago", "8:30 PM CST", true));
        // 03:00 UTC is 9 PM there: outside; in Los Angeles, 7 PM: within.
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap();
        assert!(!local_time(&lead(), now).unwrap().open);
        let west = Lead { state: Some("CA".into()), zipcode: Some("90012".into()), ..lead() };
        assert!(local_time(&west, now).unwrap().open);
        // The ZIP code over the state: an El Paso lead the vendor put in Texas is on Mountain time.
        let el_paso = Lead { state: Some("TX".into()), zipcode: Some("79901".into()), ..lead() };
        assert_eq!(local_time(&el_paso, now).unwrap().zone, "America/Denver");
        // No state: the zip tells (10001 is New York, 10 PM there).
        let by_zip = Lead { state: None, zipcode: Some("10001".into()), ..lead() };
        assert_eq!(local_time(&by_zip, now).unwrap().zone, "America/New_York");
        // In summer, daylight time.
        let july = Utc.with_ymd_and_hms(2026, 7, 1, 13, 0, 0).unwrap();
        assert_eq!(local_time(&lead(), july).unwrap().local_time, "8:00 AM CDT");
        // A stored time zone serves when nothing else tells.
        let zoned =
            Lead { time_zone: Some("America/Denver".into()), state: None, zipcode: None, phone: None, ..lead() };
        assert_eq!(local_time(&zoned, now).unwrap().zone, "America/Denver");
        // Florida's hours, not the federal ones: 8:30 PM in Miami is past them.
        let miami = Lead { state: Some("FL".into()), zipcode: Some("33101".into()), ..lead() };
        let t = local_time(&miami, Utc.with_ymd_and_hms(2026, 12, 1, 1, 30, 0).unwrap()).unwrap();
        assert_eq!((t.open, t.hours.as_str(), t.rules.name), (false, "8 AM–8 PM", "Florida"));
        // Nothing but the phone: its area code (312, Chicago).
        let by_phone = Lead { state: None, zipcode: None, ..lead() };
        assert_eq!(local_time(&by_phone, now).unwrap().zone, "America/Chicago");
        let nowhere = Lead { state: None, zipcode: None, phone: Some("8005550123".into()), ..lead() };
        assert_eq!(local_time(&nowhere, now), None);
    }
}
