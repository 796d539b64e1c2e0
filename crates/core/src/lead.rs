//! The lead, as the legacy server serialises it (`_id`, camelCase). Every field but the id is
//! optional on the wire: the deployed server's documents are loose, and we must read them all.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::loose;

/// Where a lead came from. Serialised with the deployed server's spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LeadSource {
    NextGen,
    Marketplace,
    #[serde(rename = "Self Generated")]
    SelfGenerated,
    #[serde(rename = "CSV Import")]
    CsvImport,
    #[serde(rename = "Manual Entry")]
    ManualEntry,
    Usha,
}

impl LeadSource {
    pub const ALL: [LeadSource; 6] =
        [Self::NextGen, Self::Marketplace, Self::SelfGenerated, Self::CsvImport, Self::ManualEntry, Self::Usha];

    /// The wire spelling, e.g. `"CSV Import"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NextGen => "NextGen",
            Self::Marketplace => "Marketplace",
            Self::SelfGenerated => "Self Generated",
            Self::CsvImport => "CSV Import",
            Self::ManualEntry => "Manual Entry",
            Self::Usha => "Usha",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s))
    }

    /// Leads bought from a vendor: the ones a rep must call within seconds.
    pub fn is_vendor(self) -> bool {
        matches!(self, Self::NextGen | Self::Marketplace | Self::Usha)
    }

    /// The `pipelineSource` query value that selects this source.
    pub fn pipeline_key(self) -> &'static str {
        match self {
            Self::NextGen => "nextgen",
            Self::Marketplace => "marketplace",
            Self::SelfGenerated => "selfgen",
            Self::CsvImport => "csv",
            Self::ManualEntry => "manual",
            Self::Usha => "usha",
        }
    }
}

/// Disposition given to every lead that arrives through a vendor webhook.
pub const WEBHOOK_DISPOSITION: &str = "New Lead";

/// A lead: the typed view of the fields we know, and every other field the server sent, kept as
/// sent in `extra` (the deployed server's `notesMetadata`, `phoneNumber`, `company`…, and any
/// value a known field could not take). Decoding never fails on a field's value; see
/// [`Lead::from_wire`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase", default)]
pub struct Lead {
    #[serde(rename = "_id", deserialize_with = "loose::text")]
    pub id: String,
    #[serde(deserialize_with = "loose::opt_text")]
    pub tenant_id: Option<String>,
    #[serde(deserialize_with = "loose::user_ref")]
    pub assigned_to: Option<String>,
    #[serde(deserialize_with = "loose::text")]
    pub name: String,
    #[serde(deserialize_with = "loose::opt_text")]
    pub first_name: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub last_name: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub email: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub phone: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub status: Option<String>,
    #[serde(deserialize_with = "loose::source")]
    pub source: Option<LeadSource>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub disposition: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub notes: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub zipcode: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub dob: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub height: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub weight: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub gender: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub state: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub city: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub street1: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub street2: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub household_size: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub household_income: Option<String>,
    #[serde(deserialize_with = "loose::opt_bool")]
    pub military: Option<bool>,
    #[serde(deserialize_with = "loose::opt_bool")]
    pub pregnant: Option<bool>,
    #[serde(deserialize_with = "loose::opt_bool")]
    pub tobacco_user: Option<bool>,
    #[serde(deserialize_with = "loose::opt_bool")]
    pub has_prescription: Option<bool>,
    #[serde(rename = "hasMedicarePartsAB", deserialize_with = "loose::opt_bool")]
    pub has_medicare_parts_ab: Option<bool>,
    #[serde(deserialize_with = "loose::opt_bool")]
    pub has_medical_condition: Option<bool>,
    #[serde(deserialize_with = "loose::texts")]
    pub medical_conditions: Vec<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub insurance_timeframe: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub campaign_name: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub product: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub vendor_name: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub account_name: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub bid_type: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub price: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub call_log_id: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub call_duration: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub source_hash: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub sub_id_hash: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub nextgen_id: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub lead_id: Option<String>,
    #[serde(deserialize_with = "loose::opt_text")]
    pub time_zone: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The import that last brought this lead, e.g. "NextGen Leads 2026-12-01" (ours; the deployed
    /// server drops it).
    #[serde(deserialize_with = "loose::opt_text")]
    pub import_batch: Option<String>,
    /// The lead's contact id in the assigned rep's Textdrip account (the contract's field).
    #[serde(deserialize_with = "loose::opt_text")]
    pub textdrip_contact_id: Option<String>,
    /// Who claimed this routed lead, and when (ours; its `assigned_to` is the claimer).
    pub claim: Option<crate::routing::Claim>,
    /// Its calls in short (ours; the deployed server counts dials per phone, apart).
    pub calls: Option<crate::calls::CallTally>,
    /// Its phone is on the agency's do-not-call list (ours): no calls, no texts.
    pub do_not_call: Option<crate::calls::DoNotCall>,
    /// The fields the typed view does not hold, as the server sent them.
    #[serde(skip)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A lead read from the wire, and what of it could not be read into the typed view.
#[derive(Debug, Clone, PartialEq)]
pub struct WireLead {
    pub lead: Lead,
    /// Known fields whose value meant nothing for them (`source: "Ringy"`, a date that is not
    /// one), by key: kept in `lead.extra` as sent, the typed field left empty.
    pub tolerated: Vec<String>,
}

/// Why a record is not a lead at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotALead {
    #[error("not an object")]
    NotAnObject,
    #[error("no _id")]
    NoId,
}

/// A value as a log line may show it: at most 60 characters of its JSON.
pub fn excerpt(v: &serde_json::Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Fields the deployed server derives from the others and resends with every lead: not kept.
const DERIVED: [&str; 2] = ["formattedJson", "__v"];

impl Lead {
    /// Reads one lead record as the server sent it. A known field whose value means nothing for
    /// it is left empty and kept in `extra` (and named in `tolerated`); fields we do not know are
    /// kept in `extra`. A lead not yet stored anywhere has no `_id`: the caller decides whether
    /// that will do.
    pub fn from_wire(mut doc: serde_json::Map<String, serde_json::Value>) -> Result<WireLead, NotALead> {
        DERIVED.iter().for_each(|k| _ = doc.remove(*k));
        let mut set_aside = serde_json::Map::new();
        let mut tolerated = Vec::new();
        let mut value = serde_json::Value::Object(doc);
        let mut lead = loop {
            match serde_path_to_error::deserialize::<_, Typed>(&value) {
                Ok(Typed(lead)) => break lead,
                Err(e) => {
                    let key = match e.path().iter().next() {
                        Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
                        _ => return Err(NotALead::NotAnObject),
                    };
                    let serde_json::Value::Object(fields) = &mut value else { return Err(NotALead::NotAnObject) };
                    match fields.remove(&key) {
                        Some(v) => _ = set_aside.insert(key.clone(), v),
                        None => return Err(NotALead::NotAnObject),
                    }
                    tolerated.push(key);
                }
            }
        };
        let serde_json::Value::Object(fields) = value else { unreachable!("checked above") };
        lead.extra = fields.into_iter().filter(|(k, _)| !WIRE_KEYS.contains(&k.as_str())).collect();
        lead.extra.extend(set_aside);
        Ok(WireLead { lead, tolerated })
    }
}

/// A typed field's empty value: `null`, `""` (the id and the name) or `[]` (lists).
fn is_blank(v: &serde_json::Value) -> bool {
    v.is_null() || v.as_str() == Some("") || v.as_array().is_some_and(Vec::is_empty)
}

/// The typed view alone, through serde's derive (see the `remote = "Self"` on [`Lead`]).
struct Typed(Lead);

impl<'de> Deserialize<'de> for Typed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Lead::deserialize(d).map(Typed)
    }
}

impl<'de> Deserialize<'de> for Lead {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let doc = serde_json::Map::deserialize(d)?;
        Lead::from_wire(doc).map(|w| w.lead).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Lead {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.extra.is_empty() {
            return Lead::serialize(self, s);
        }
        let mut fields = match Lead::serialize(self, serde_json::value::Serializer) {
            Ok(serde_json::Value::Object(fields)) => fields,
            _ => unreachable!("a Lead serialises as an object"),
        };
        for (k, v) in &self.extra {
            // A typed field that holds a value (an edit, say) wins over what it could not read.
            if fields.get(k).is_none_or(is_blank) {
                fields.insert(k.clone(), v.clone());
            }
        }
        fields.serialize(s)
    }
}

/// The wire keys of the typed view, in the order of [`Lead`]'s fields. Append only: the lead
/// cache numbers the keys of stored documents by their place here.
pub const WIRE_KEYS: &[&str] = &[
    "_id",
    "tenantId",
    "assignedTo",
    "name",
    "firstName",
    "lastName",
    "email",
    "phone",
    "status",
    "source",
    "disposition",
    "notes",
    "zipcode",
    "dob",
    "height",
    "weight",
    "gender",
    "state",
    "city",
    "street1",
    "street2",
    "householdSize",
    "householdIncome",
    "military",
    "pregnant",
    "tobaccoUser",
    "hasPrescription",
    "hasMedicarePartsAB",
    "hasMedicalCondition",
    "medicalConditions",
    "insuranceTimeframe",
    "campaignName",
    "product",
    "vendorName",
    "accountName",
    "bidType",
    "price",
    "callLogId",
    "callDuration",
    "sourceHash",
    "subIdHash",
    "nextgenId",
    "leadId",
    "timeZone",
    "createdAt",
    "updatedAt",
    "importBatch",
    "textdripContactId",
    "claim",
    "calls",
    "doNotCall",
];

impl Lead {
    /// Lays an imported copy of this lead over it: each field the import fills replaces this
    /// lead's, an empty one never blanks it; the lead keeps its id, tenant, assignee and creation
    /// time, and its disposition, status, notes and source unless it has none. Returns whether
    /// anything changed; only then does the lead take the import's batch tag.
    pub fn absorb_import(&mut self, incoming: &Lead) -> bool {
        const KEPT: [&str; 9] =
            ["_id", "tenantId", "assignedTo", "createdAt", "updatedAt", "importBatch", "claim", "calls", "doNotCall"];
        const REPS: [&str; 4] = ["disposition", "status", "notes", "source"];
        let mut fields = self.filled_fields();
        let mut changed = false;
        for (key, value) in incoming.filled_fields() {
            if KEPT.contains(&key.as_str()) || (REPS.contains(&key.as_str()) && fields.contains_key(&key)) {
                continue;
            }
            if fields.get(&key) != Some(&value) {
                fields.insert(key, value);
                changed = true;
            }
        }
        if changed {
            if let Some(batch) = &incoming.import_batch {
                fields.insert("importBatch".into(), batch.clone().into());
            }
            *self = serde_json::from_value(serde_json::Value::Object(fields)).expect("a lead's own fields read back");
        }
        changed
    }

    /// The fields the lead has, in the wire spelling, without the empty ones (most of a vendor
    /// lead's forty are empty). Read back as a `Lead`, they give the same lead.
    pub fn filled_fields(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut fields = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(fields)) => fields,
            _ => unreachable!("a Lead serialises as an object"),
        };
        fields.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
        fields
    }

    /// The lead's filled fields as people read them, in groups: contact, person, lead, other.
    /// The name, notes and tenancy fields are left out (shown elsewhere, or meaningless to a rep).
    pub fn field_groups(&self) -> Vec<(&'static str, Vec<(String, String)>)> {
        let mut groups: Vec<(&'static str, Vec<(String, String)>)> =
            FIELD_GROUPS.iter().map(|(title, _)| (*title, Vec::new())).collect();
        groups.push(("Other", Vec::new()));
        let filled = self.filled_fields();
        let value = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => if *b { "Yes" } else { "No" }.to_owned(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        // Listed fields in their group's order; the rest under "Other", alphabetically.
        for (i, (_, keys)) in FIELD_GROUPS.iter().enumerate() {
            for key in *keys {
                if let Some(v) = filled.get(*key) {
                    groups[i].1.push((field_label(key), value(v)));
                }
            }
        }
        let listed =
            |k: &str| FIELD_GROUPS.iter().any(|(_, keys)| keys.contains(&k)) || HIDDEN.contains(&k) || k == VENDOR_DATA;
        let other = groups.last_mut().expect("Other is last");
        for (k, v) in filled.iter().filter(|(k, _)| !listed(k)) {
            other.1.push((field_label(k), value(v)));
        }
        // The vendor's own row (unmapped columns, TrustedForm and Jornaya ids), under its own names.
        if let Some(serde_json::Value::Object(meta)) = filled.get(VENDOR_DATA) {
            let mut vendor = Vec::new();
            for (k, v) in meta {
                match v {
                    serde_json::Value::Object(row) => vendor.extend(row.iter().map(|(k, v)| (k.clone(), value(v)))),
                    v => vendor.push((k.clone(), value(v))),
                }
            }
            groups.push(("From the vendor", vendor));
        }
        for (_, fields) in &mut groups {
            fields.retain(|(_, v)| !v.trim().is_empty());
        }
        groups.retain(|(_, fields)| !fields.is_empty());
        groups
    }
}

/// The deployed server's object of what a vendor's file held beyond the mapped fields.
const VENDOR_DATA: &str = "notesMetadata";

const FIELD_GROUPS: [(&str, &[&str]); 3] = [
    ("Contact", &["phone", "email", "street1", "street2", "city", "state", "zipcode", "timeZone"]),
    (
        "Person",
        &[
            "dob",
            "gender",
            "height",
            "weight",
            "householdSize",
            "householdIncome",
            "military",
            "pregnant",
            "tobaccoUser",
            "hasPrescription",
            "hasMedicarePartsAB",
            "hasMedicalCondition",
            "medicalConditions",
            "insuranceTimeframe",
        ],
    ),
    (
        "Lead",
        &[
            "source",
            "status",
            "disposition",
            "createdAt",
            "updatedAt",
            "campaignName",
            "product",
            "vendorName",
            "accountName",
            "bidType",
            "price",
            "leadId",
            "nextgenId",
        ],
    ),
];

/// Shown elsewhere (name, notes) or of no use to a rep (ids of tenancy).
const HIDDEN: [&str; 9] = ["_id", "tenantId", "assignedTo", "name", "notes", "firstName", "lastName", "claim", "calls"];

/// A field's key as people read it: `householdIncome` → "Household income".
pub fn field_label(key: &str) -> String {
    match key {
        "dob" => return "Date of birth".into(),
        "zipcode" => return "ZIP code".into(),
        "hasMedicarePartsAB" => return "Has Medicare parts A & B".into(),
        "createdAt" => return "Received".into(),
        "nextgenId" => return "NextGen id".into(),
        _ => {}
    }
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else if i == 0 {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `"First Last"`, trimmed; falls back to whichever part exists.
pub fn full_name(first: Option<&str>, last: Option<&str>) -> String {
    let parts: Vec<&str> = [first, last].into_iter().flatten().map(str::trim).filter(|s| !s.is_empty()).collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filled_fields_leave_out_the_empty_and_read_back_whole() {
        let lead = Lead {
            id: "a".into(),
            name: "Ann".into(),
            medical_conditions: vec!["asthma".into()],
            tobacco_user: Some(false),
            ..Lead::default()
        };
        let fields = lead.filled_fields();
        assert!(fields.contains_key("medicalConditions") && fields.contains_key("tobaccoUser"));
        assert!(!fields.contains_key("dob") && !fields.contains_key("email"), "{fields:?}");
        let back: Lead = serde_json::from_value(serde_json::Value::Object(fields)).unwrap();
        assert_eq!(back, lead);
        assert!(Lead::default().filled_fields().get("medicalConditions").is_none());
    }

    #[test]
    fn an_import_fills_and_replaces_but_never_blanks_or_takes_the_reps_work() {
        let mut stored = Lead {
            id: "x".into(),
            name: "Ann Lee".into(),
            phone: Some("3125550199".into()),
            city: Some("Chicago".into()),
            zipcode: Some("60601".into()),
            disposition: Some("Quoted".into()),
            source: Some(LeadSource::NextGen),
            import_batch: Some("NextGen 2026-11-01".into()),
            ..Lead::default()
        };
        let incoming = Lead {
            id: "y".into(),
            name: "Ann Lee".into(),
            phone: Some("3125550199".into()),
            zipcode: Some("02134".into()),
            email: Some("ann@example.com".into()),
            disposition: Some("New Lead".into()),
            source: Some(LeadSource::CsvImport),
            import_batch: Some("NextGen 2026-12-01".into()),
            ..Lead::default()
        };
        assert!(stored.absorb_import(&incoming));
        assert_eq!(stored.id, "x");
        assert_eq!(stored.city.as_deref(), Some("Chicago"), "an empty cell never blanks a field");
        assert_eq!(stored.zipcode.as_deref(), Some("02134"));
        assert_eq!(stored.email.as_deref(), Some("ann@example.com"));
        assert_eq!(stored.disposition.as_deref(), Some("Quoted"), "the rep's disposition stays");
        assert_eq!(stored.source, Some(LeadSource::NextGen));
        assert_eq!(stored.import_batch.as_deref(), Some("NextGen 2026-12-01"));

        let again = stored.clone();
        let mut later = incoming.clone();
        later.import_batch = Some("NextGen 2026-12-02".into());
        assert!(!stored.absorb_import(&later), "the same values again change nothing");
        assert_eq!(stored, again, "not even the batch tag");

        let mut bare = Lead { id: "z".into(), name: "Bo".into(), ..Lead::default() };
        assert!(bare.absorb_import(&incoming));
        assert_eq!(bare.disposition.as_deref(), Some("New Lead"), "taken when the lead has none");
    }

    #[test]
    fn field_groups_read_well_and_miss_nothing() {
        let lead = Lead {
            id: "a".into(),
            tenant_id: Some("t".into()),
            name: "Ann Lee".into(),
            first_name: Some("Ann".into()),
            last_name: Some("Lee".into()),
            phone: Some("3125550199".into()),
            zipcode: Some("02134".into()),
            household_income: Some("$50k".into()),
            has_medicare_parts_ab: Some(true),
            medical_conditions: vec!["asthma".into(), "gout".into()],
            sub_id_hash: Some("h".into()),
            source: Some(LeadSource::NextGen),
            ..Lead::default()
        };
        let groups = lead.field_groups();
        let titles: Vec<&str> = groups.iter().map(|g| g.0).collect();
        assert_eq!(titles, ["Contact", "Person", "Lead", "Other"]);
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(groups[0].1, [pair("Phone", "3125550199"), pair("ZIP code", "02134")]);
        assert_eq!(
            groups[1].1,
            [
                pair("Household income", "$50k"),
                pair("Has Medicare parts A & B", "Yes"),
                pair("Medical conditions", "asthma, gout")
            ]
        );
        assert_eq!(groups[2].1, [pair("Source", "NextGen")]);
        assert_eq!(groups[3].1, [pair("Sub id hash", "h")]);

        let mut deployed = lead.clone();
        deployed.email = Some(String::new());
        deployed.extra.insert("company".into(), "Acme".into());
        deployed.extra.insert(
            "notesMetadata".into(),
            serde_json::json!({"importedOn": "2025-05-01", "originalData": {"trustedFormCertID": "tf-1", "empty": ""}}),
        );
        let groups = deployed.field_groups();
        assert_eq!(groups[0].1, [pair("Phone", "3125550199"), pair("ZIP code", "02134")], "empty values are not shown");
        assert_eq!(groups[3], ("Other", vec![pair("Company", "Acme"), pair("Sub id hash", "h")]));
        assert_eq!(
            groups[4],
            ("From the vendor", vec![pair("importedOn", "2025-05-01"), pair("trustedFormCertID", "tf-1")])
        );
    }

    #[test]
    fn source_spellings_round_trip() {
        for s in LeadSource::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<LeadSource>(&json).unwrap(), s);
            assert_eq!(LeadSource::parse(&s.as_str().to_lowercase()), Some(s));
        }
    }

    #[test]
    fn reads_a_loose_legacy_document() {
        let lead: Lead = serde_json::from_str(
            r#"{"_id":"65a1","name":"Ann Lee","source":"CSV Import","createdAt":"2024-01-02T03:04:05.000Z","unknownField":1}"#,
        )
        .unwrap();
        assert_eq!(lead.id, "65a1");
        assert_eq!(lead.source, Some(LeadSource::CsvImport));
        assert_eq!(lead.created_at.unwrap().timestamp(), 1_704_164_645);
        assert!(lead.medical_conditions.is_empty());
    }

    #[test]
    fn a_loose_deployed_record_is_read_whole() {
        let doc = serde_json::json!({
            "_id": "65a1b2c3d4e5f60718293a4b", "name": {"first": "Ann"}, "source": "Ringy", "status": "complete",
            "assignedTo": {"_id": "u1", "name": "Rep", "email": "rep@x.co"}, "zipcode": 7030,
            "tobaccoUser": "yes", "medicalConditions": "[]", "createdAt": "yesterday",
            "phoneNumber": "2015550101", "company": "Acme", "lastContactedAt": "2025-05-01T02:06:31.000Z",
            "notesMetadata": {"originalData": {"trustedFormCertID": "tf-1"}}, "formattedJson": "{}", "__v": 0
        });
        let serde_json::Value::Object(doc) = doc else { unreachable!() };
        let WireLead { lead, mut tolerated } = Lead::from_wire(doc).unwrap();
        tolerated.sort();
        assert_eq!(tolerated, ["createdAt", "name", "source"], "values that mean nothing for their field");
        assert_eq!(lead.source, None);
        assert_eq!(lead.created_at, None);
        assert_eq!(lead.assigned_to.as_deref(), Some("u1"), "a populated user is its id");
        assert_eq!(lead.zipcode.as_deref(), Some("7030"));
        assert_eq!(lead.tobacco_user, Some(true));
        assert_eq!(lead.medical_conditions, ["[]"]);
        assert_eq!(lead.status.as_deref(), Some("complete"));
        for kept in ["source", "createdAt", "phoneNumber", "company", "lastContactedAt", "notesMetadata"] {
            assert!(lead.extra.contains_key(kept), "{kept} kept as sent: {:?}", lead.extra);
        }
        assert!(!lead.extra.contains_key("formattedJson") && !lead.extra.contains_key("__v"));
        assert_eq!(lead.extra["source"], "Ringy");

        // Written and read back (the cache does), nothing is lost.
        let back: Lead = serde_json::from_value(serde_json::to_value(&lead).unwrap()).unwrap();
        assert_eq!(back, lead);
        let written = serde_json::to_value(&lead).unwrap();
        assert_eq!(written["notesMetadata"]["originalData"]["trustedFormCertID"], "tf-1");
        assert_eq!(written["name"]["first"], "Ann", "a value set aside is written back as sent");
        let mut named = lead.clone();
        named.name = "Ann Lee".into();
        assert_eq!(serde_json::to_value(&named).unwrap()["name"], "Ann Lee", "an edit wins over it");
    }

    #[test]
    fn a_page_leaves_out_only_records_that_are_not_leads() {
        let mut doc = serde_json::Map::new();
        doc.insert("name".into(), "Ann".into());
        let page = |doc: &serde_json::Map<String, serde_json::Value>| {
            let page =
                serde_json::json!({"leads": [doc, 1], "pagination": {"total": 2, "page": 1, "pages": 1, "limit": 10}});
            serde_json::from_value::<crate::api::LeadsPage>(page).unwrap()
        };
        let read = page(&doc);
        assert!(read.leads.is_empty());
        assert_eq!(read.tolerance.refused, ["no _id", "not an object: 1"]);
        doc.insert("_id".into(), serde_json::json!({"$oid": "x"}));
        assert_eq!(page(&doc).tolerance.refused[0], r#"no _id ({"$oid":"x"})"#, "an id that is not text");
        assert!(serde_json::from_str::<Lead>("[1]").is_err());
    }

    #[test]
    fn the_typed_keys_are_the_fields() {
        let all = Lead {
            id: "x".into(),
            name: "n".into(),
            medical_conditions: vec!["a".into()],
            created_at: Some(chrono::Utc::now()),
            updated_at: Some(chrono::Utc::now()),
            source: Some(LeadSource::NextGen),
            ..Lead::default()
        };
        let mut keys: Vec<String> = match serde_json::to_value(&all).unwrap() {
            serde_json::Value::Object(f) => f.keys().cloned().collect(),
            _ => unreachable!(),
        };
        keys.sort();
        let mut wire: Vec<String> = WIRE_KEYS.iter().map(|k| k.to_string()).collect();
        wire.sort();
        assert_eq!(keys, wire);
    }

    #[test]
    fn serialises_with_legacy_keys() {
        let lead = Lead { id: "x".into(), has_medicare_parts_ab: Some(true), ..Lead::default() };
        let v = serde_json::to_value(&lead).unwrap();
        assert_eq!(v["_id"], "x");
        assert_eq!(v["hasMedicarePartsAB"], true);
    }

    #[test]
    fn full_names() {
        assert_eq!(full_name(Some(" Ann "), Some("Lee")), "Ann Lee");
        assert_eq!(full_name(None, Some("Lee")), "Lee");
        assert_eq!(full_name(Some(""), None), "");
    }
}
