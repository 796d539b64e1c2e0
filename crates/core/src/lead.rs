//! The lead, as the legacy server serialises it (`_id`, camelCase). Every field but the id is
//! optional on the wire: the deployed server's documents are loose, and we must read them all.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Lead {
    #[serde(rename = "_id")]
    pub id: String,
    pub tenant_id: Option<String>,
    pub assigned_to: Option<String>,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: Option<String>,
    pub source: Option<LeadSource>,
    pub disposition: Option<String>,
    pub notes: Option<String>,
    pub zipcode: Option<String>,
    pub dob: Option<String>,
    pub height: Option<String>,
    pub weight: Option<String>,
    pub gender: Option<String>,
    pub state: Option<String>,
    pub city: Option<String>,
    pub street1: Option<String>,
    pub street2: Option<String>,
    pub household_size: Option<String>,
    pub household_income: Option<String>,
    pub military: Option<bool>,
    pub pregnant: Option<bool>,
    pub tobacco_user: Option<bool>,
    pub has_prescription: Option<bool>,
    #[serde(rename = "hasMedicarePartsAB")]
    pub has_medicare_parts_ab: Option<bool>,
    pub has_medical_condition: Option<bool>,
    pub medical_conditions: Vec<String>,
    pub insurance_timeframe: Option<String>,
    pub campaign_name: Option<String>,
    pub product: Option<String>,
    pub vendor_name: Option<String>,
    pub account_name: Option<String>,
    pub bid_type: Option<String>,
    pub price: Option<String>,
    pub call_log_id: Option<String>,
    pub call_duration: Option<String>,
    pub source_hash: Option<String>,
    pub sub_id_hash: Option<String>,
    pub nextgen_id: Option<String>,
    pub lead_id: Option<String>,
    pub time_zone: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The import that last brought this lead, e.g. "NextGen Leads 2026-12-01" (ours; the deployed
    /// server drops it).
    pub import_batch: Option<String>,
    /// The lead's contact id in the assigned rep's Textdrip account (the contract's field).
    pub textdrip_contact_id: Option<String>,
}

impl Lead {
    /// Lays an imported copy of this lead over it: each field the import fills replaces this
    /// lead's, an empty one never blanks it; the lead keeps its id, tenant, assignee and creation
    /// time, and its disposition, status, notes and source unless it has none. Returns whether
    /// anything changed; only then does the lead take the import's batch tag.
    pub fn absorb_import(&mut self, incoming: &Lead) -> bool {
        const KEPT: [&str; 6] = ["_id", "tenantId", "assignedTo", "createdAt", "updatedAt", "importBatch"];
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
        let listed = |k: &str| FIELD_GROUPS.iter().any(|(_, keys)| keys.contains(&k)) || HIDDEN.contains(&k);
        let other = groups.last_mut().expect("Other is last");
        for (k, v) in filled.iter().filter(|(k, _)| !listed(k)) {
            other.1.push((field_label(k), value(v)));
        }
        groups.retain(|(_, fields)| !fields.is_empty());
        groups
    }
}

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
const HIDDEN: [&str; 7] = ["_id", "tenantId", "assignedTo", "name", "notes", "firstName", "lastName"];

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
