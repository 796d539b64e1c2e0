//! A rep's change to a lead: the fields `PUT /api/leads/:id` accepts, how an edit applies, and
//! when it conflicts with a change made elsewhere meanwhile.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Lead;

/// A field a rep may change: exactly those the deployed server's `PUT /api/leads/:id` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EditField {
    Disposition,
    Notes,
    Name,
    Email,
    Phone,
    Zipcode,
    Dob,
    Height,
    Weight,
    Gender,
    State,
}

impl EditField {
    pub const ALL: [EditField; 11] = [
        Self::Disposition,
        Self::Notes,
        Self::Name,
        Self::Email,
        Self::Phone,
        Self::Zipcode,
        Self::Dob,
        Self::Height,
        Self::Weight,
        Self::Gender,
        Self::State,
    ];

    /// The wire spelling, e.g. `"disposition"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disposition => "disposition",
            Self::Notes => "notes",
            Self::Name => "name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Zipcode => "zipcode",
            Self::Dob => "dob",
            Self::Height => "height",
            Self::Weight => "weight",
            Self::Gender => "gender",
            Self::State => "state",
        }
    }

    /// The field as people read it, e.g. "ZIP code".
    pub fn label(self) -> String {
        crate::lead::field_label(self.as_str())
    }

    /// The lead's value of this field; a missing one reads as empty.
    pub fn value(self, lead: &Lead) -> &str {
        let v = match self {
            Self::Name => return &lead.name,
            Self::Disposition => &lead.disposition,
            Self::Notes => &lead.notes,
            Self::Email => &lead.email,
            Self::Phone => &lead.phone,
            Self::Zipcode => &lead.zipcode,
            Self::Dob => &lead.dob,
            Self::Height => &lead.height,
            Self::Weight => &lead.weight,
            Self::Gender => &lead.gender,
            Self::State => &lead.state,
        };
        v.as_deref().unwrap_or_default()
    }

    fn set(self, lead: &mut Lead, value: &str) {
        let slot = match self {
            Self::Name => {
                value.clone_into(&mut lead.name);
                return;
            }
            Self::Disposition => &mut lead.disposition,
            Self::Notes => &mut lead.notes,
            Self::Email => &mut lead.email,
            Self::Phone => &mut lead.phone,
            Self::Zipcode => &mut lead.zipcode,
            Self::Dob => &mut lead.dob,
            Self::Height => &mut lead.height,
            Self::Weight => &mut lead.weight,
            Self::Gender => &mut lead.gender,
            Self::State => &mut lead.state,
        };
        *slot = (!value.is_empty()).then(|| value.to_owned());
    }
}

/// New values for some fields, as `PUT /api/leads/:id` takes them. As on the deployed server, an
/// empty value changes nothing, except for `notes`, which it clears.
pub type LeadEdit = BTreeMap<EditField, String>;

/// Longest value of one field, in bytes (notes are the long one).
pub const MAX_FIELD_LEN: usize = 20_000;

/// Why an edit cannot be sent at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the edit changes nothing")]
    Empty,
    #[error("{field} is too long ({len} bytes; at most {MAX_FIELD_LEN})")]
    TooLong { field: &'static str, len: usize },
    #[error("{0:?} is not an email address (name@domain.tld)")]
    BadEmail(String),
}

/// Checks an edit before it is queued or applied.
pub fn validate(edit: &LeadEdit) -> Result<(), EditError> {
    if edit.iter().all(|(f, v)| v.is_empty() && *f != EditField::Notes) {
        return Err(EditError::Empty);
    }
    if let Some((f, v)) = edit.iter().find(|(_, v)| v.len() > MAX_FIELD_LEN) {
        return Err(EditError::TooLong { field: f.as_str(), len: v.len() });
    }
    match edit.get(&EditField::Email) {
        Some(email) if !email.is_empty() && !is_email(email) => Err(EditError::BadEmail(email.clone())),
        _ => Ok(()),
    }
}

/// What the deployed server takes as an email (`^\S+@\S+\.\S+$` after trimming): it answers
/// 500 to any other, every time, so such an edit must never be queued.
pub fn is_email(text: &str) -> bool {
    let t = text.trim().as_bytes();
    if t.iter().any(u8::is_ascii_whitespace) || text.trim().chars().any(char::is_whitespace) {
        return false;
    }
    // The first '@' after at least one character, then a '.' with a character on each side.
    let Some(at) = t.iter().skip(1).position(|&b| b == b'@').map(|i| i + 1) else { return false };
    (at + 2..t.len().saturating_sub(1)).any(|j| t[j] == b'.')
}

/// Applies `edit` to `lead`; whether anything changed.
pub fn apply(edit: &LeadEdit, lead: &mut Lead) -> bool {
    let mut changed = false;
    for (&field, value) in edit {
        if (value.is_empty() && field != EditField::Notes) || field.value(lead) == value {
            continue;
        }
        field.set(lead, value);
        changed = true;
    }
    changed
}

/// The lead's current values of the fields `edit` changes: what the rep saw when making it.
pub fn base_of(edit: &LeadEdit, lead: &Lead) -> LeadEdit {
    edit.keys().map(|&f| (f, f.value(lead).to_owned())).collect()
}

/// How an edit made on top of `base` stands against the lead as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Every field is still as the rep saw it (or already as the edit wants): apply it.
    Applies,
    /// Every field is already as the edit wants: it was applied before.
    AlreadyApplied,
    /// These fields were changed elsewhere to something else meanwhile.
    Conflict(Vec<EditField>),
}

pub fn standing(edit: &LeadEdit, base: &LeadEdit, current: &Lead) -> Standing {
    let mut conflicts = Vec::new();
    let mut all_there = true;
    for (&field, wanted) in edit {
        let now = field.value(current);
        let ignored = wanted.is_empty() && field != EditField::Notes;
        if ignored || now == wanted {
            continue;
        }
        all_there = false;
        if base.get(&field).is_some_and(|seen| seen != now) {
            conflicts.push(field);
        }
    }
    match (conflicts.is_empty(), all_there) {
        (false, _) => Standing::Conflict(conflicts),
        (true, true) => Standing::AlreadyApplied,
        (true, false) => Standing::Applies,
    }
}

/// `POST /api/sync/edits` (our server): one queued edit, applied at most once per `key` and only
/// if the fields are still as the rep saw them (`base`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditRequest {
    /// The idempotency key, made by the client when the edit was made.
    pub key: String,
    pub lead_id: String,
    pub fields: LeadEdit,
    pub base: LeadEdit,
}

/// The answer to an [`EditRequest`]: 200 with the lead as it is now, `applied` false when this
/// key was seen before; or 409 with the conflicting fields and the lead as it is now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditAnswer {
    pub applied: bool,
    #[serde(default)]
    pub conflicts: Vec<EditField>,
    pub lead: Lead,
}

/// One of the tenant's dispositions (`GET /api/dispositions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Disposition {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub color: String,
    pub emoji: String,
    pub is_default: bool,
    pub sort_order: u32,
}

impl Default for Disposition {
    fn default() -> Self {
        Disposition {
            id: String::new(),
            name: String::new(),
            color: "#64748b".into(),
            emoji: String::new(),
            is_default: false,
            sort_order: 0,
        }
    }
}

/// `GET /api/dispositions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispositions {
    pub dispositions: Vec<Disposition>,
}

/// The dispositions every tenant starts with, as the deployed server seeds them (its
/// `sortOrder` 0 to 13; only "Ghosted" has an emoji).
pub fn default_dispositions() -> Vec<Disposition> {
    const SEEDED: [(&str, &str, &str); 14] = [
        ("Positive Contact", "#38A169", ""),
        ("Negative Contact", "#E53E3E", ""),
        ("Employer Coverage", "#2196F3", ""),
        ("Brokie", "#FF9800", ""),
        ("Buy Or Die", "#9C27B0", ""),
        ("Unhealthy/Referred", "#795548", ""),
        ("Foreign", "#607D8B", ""),
        ("Quoted", "#00BCD4", ""),
        ("SOLD", "#84CC16", ""),
        ("Appointment", "#FFC107", ""),
        ("No Contact", "#805AD5", ""),
        ("Invalid/Disconnected", "#E91E63", ""),
        ("Hung Up", "#9E9E9E", ""),
        ("Ghosted", "#E6F0F5", "👻"),
    ];
    SEEDED
        .iter()
        .zip(0..)
        .map(|(&(name, color, emoji), order)| Disposition {
            id: format!("default-{order}"),
            name: name.into(),
            color: color.into(),
            emoji: emoji.into(),
            is_default: true,
            sort_order: order,
        })
        .collect()
}

/// `POST /api/dispositions` (the contract's), and what `PUT /api/dispositions/:id` may change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DispositionChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<u32>,
}

/// The longest disposition name.
pub const DISPOSITION_NAME_MAX: usize = 50;

impl DispositionChange {
    /// Why a change would be refused: an empty or long name, a colour that is not `#rrggbb`, a long emoji.
    pub fn check(&self) -> Result<(), &'static str> {
        if let Some(name) = &self.name {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > DISPOSITION_NAME_MAX {
                return Err("a disposition's name is 1 to 50 characters");
            }
        }
        if let Some(color) = &self.color {
            let hex = color.strip_prefix('#').unwrap_or_default();
            if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err("a colour is written #rrggbb");
            }
        }
        if self.emoji.as_deref().is_some_and(|e| e.chars().count() > 8) {
            return Err("an emoji is at most 8 characters");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_as_the_deployed_server_takes_them() {
        for good in ["a@b.co", " Ann@Example.com ", "a@b@c.d", "x@y.z.w"] {
            assert!(is_email(good), "{good}");
        }
        for bad in ["", "a@b", "@b.co", "a@.co", "a@b.", "a b@c.d", "ab.c@d"] {
            assert!(!is_email(bad), "{bad}");
        }
        let edit = LeadEdit::from([(EditField::Email, "not-an-email".to_owned())]);
        assert_eq!(validate(&edit), Err(EditError::BadEmail("not-an-email".into())));
    }

    fn edit(pairs: &[(EditField, &str)]) -> LeadEdit {
        pairs.iter().map(|&(f, v)| (f, v.to_owned())).collect()
    }

    fn lead() -> Lead {
        Lead {
            id: "a".into(),
            name: "Rosa Diaz".into(),
            disposition: Some("New Lead".into()),
            notes: Some("call after 5".into()),
            ..Lead::default()
        }
    }

    #[test]
    fn empty_values_are_ignored_except_notes() {
        let mut l = lead();
        assert!(!apply(&edit(&[(EditField::Disposition, ""), (EditField::Name, "")]), &mut l));
        assert_eq!((l.name.as_str(), l.disposition.as_deref()), ("Rosa Diaz", Some("New Lead")));
        assert!(apply(&edit(&[(EditField::Notes, "")]), &mut l));
        assert_eq!(l.notes, None);
        assert!(apply(&edit(&[(EditField::Disposition, "Quoted"), (EditField::Name, "Rosa Ortega")]), &mut l));
        assert_eq!((l.name.as_str(), l.disposition.as_deref()), ("Rosa Ortega", Some("Quoted")));
        assert!(!apply(&edit(&[(EditField::Disposition, "Quoted")]), &mut l), "same value: no change");
    }

    #[test]
    fn validation_refuses_nothing_and_too_much() {
        assert_eq!(validate(&LeadEdit::new()), Err(EditError::Empty));
        assert_eq!(validate(&edit(&[(EditField::Disposition, "")])), Err(EditError::Empty));
        assert_eq!(validate(&edit(&[(EditField::Notes, "")])), Ok(()), "clearing notes is an edit");
        let long = "x".repeat(MAX_FIELD_LEN + 1);
        assert!(matches!(validate(&edit(&[(EditField::Notes, &long)])), Err(EditError::TooLong { .. })));
    }

    #[test]
    fn standing_tells_apply_done_and_conflict_apart() {
        let e = edit(&[(EditField::Disposition, "Quoted")]);
        let base = base_of(&e, &lead());
        assert_eq!(base, edit(&[(EditField::Disposition, "New Lead")]));
        assert_eq!(standing(&e, &base, &lead()), Standing::Applies);

        let mut done = lead();
        apply(&e, &mut done);
        assert_eq!(standing(&e, &base, &done), Standing::AlreadyApplied);

        let mut elsewhere = lead();
        elsewhere.disposition = Some("SOLD".into());
        assert_eq!(standing(&e, &base, &elsewhere), Standing::Conflict(vec![EditField::Disposition]));

        // A change elsewhere to another field is no conflict.
        let mut other = lead();
        other.notes = Some("changed by a colleague".into());
        assert_eq!(standing(&e, &base, &other), Standing::Applies);
    }

    #[test]
    fn fields_use_the_wire_spelling_and_refuse_others() {
        let e = edit(&[(EditField::Zipcode, "02134"), (EditField::Disposition, "SOLD")]);
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"disposition":"SOLD","zipcode":"02134"}"#);
        for f in EditField::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        assert!(serde_json::from_str::<LeadEdit>(r#"{"tenantId":"x"}"#).is_err());
    }

    #[test]
    fn the_seeded_dispositions_are_in_order() {
        let d = default_dispositions();
        assert_eq!(d.len(), 14);
        assert_eq!((d[7].name.as_str(), d[7].color.as_str(), d[7].sort_order), ("Quoted", "#00BCD4", 7));
        assert_eq!((d[13].name.as_str(), d[13].emoji.as_str()), ("Ghosted", "👻"));
        assert!(d
            .iter()
            .all(|d| DispositionChange { color: Some(d.color.clone()), ..Default::default() }.check().is_ok()));
        let bad = |c: DispositionChange| c.check().is_err();
        assert!(bad(DispositionChange { name: Some("  ".into()), ..Default::default() }));
        assert!(bad(DispositionChange { color: Some("red".into()), ..Default::default() }));
        assert!(bad(DispositionChange { color: Some("#12345g".into()), ..Default::default() }));
    }
}
