//! The NextGen Leads webhook body and its normalisation into a [`Lead`].
//!
//! Vendors are loose: every field is optional, numbers arrive as strings or numbers, booleans as
//! `true`/`"true"`/`"yes"`, and some send the CSV spellings (`zipcode`, `street_1`). We accept them
//! all, keep zip codes as text (leading zeros matter), and store phones as 10 digits.

use serde::{Deserialize, Deserializer};

use crate::lead::{full_name, Lead, LeadSource, WEBHOOK_DISPOSITION};
use crate::phone;

/// Longest text we keep in any one field; vendor data is attacker-controlled.
pub const MAX_FIELD_CHARS: usize = 500;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NextGenPayload {
    #[serde(deserialize_with = "loose_string")]
    pub lead_id: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub nextgen_id: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub first_name: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub last_name: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub email: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub phone: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub phone_number: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub city: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub state: Option<String>,
    #[serde(deserialize_with = "loose_string", alias = "zipcode")]
    pub zip_code: Option<String>,
    #[serde(deserialize_with = "loose_string", alias = "street_1")]
    pub street_address: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub street_2: Option<String>,
    #[serde(deserialize_with = "loose_string", alias = "date_of_birth")]
    pub dob: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub age: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub gender: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub height: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub weight: Option<String>,
    #[serde(deserialize_with = "loose_bool")]
    pub military: Option<bool>,
    #[serde(deserialize_with = "loose_bool")]
    pub tobacco_user: Option<bool>,
    #[serde(deserialize_with = "loose_bool")]
    pub pregnant: Option<bool>,
    #[serde(deserialize_with = "loose_bool")]
    pub has_prescription: Option<bool>,
    #[serde(deserialize_with = "loose_bool", alias = "has_medicare_parts_a_b")]
    pub has_medicare_parts_ab: Option<bool>,
    #[serde(deserialize_with = "loose_bool")]
    pub has_medical_condition: Option<bool>,
    pub medical_conditions: Vec<String>,
    #[serde(deserialize_with = "loose_string")]
    pub household_size: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub household_income: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub insurance_timeframe: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub campaign_name: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub product: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub vendor_name: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub account_name: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub bid_type: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub price: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub call_log_id: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub call_duration: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub source_hash: Option<String>,
    #[serde(deserialize_with = "loose_string")]
    pub sub_id_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLead {
    #[error("a lead needs a phone or an email")]
    NoContact,
    #[error("phone {0:?} is not a 10-digit US number, and there is no email")]
    BadPhone(String),
}

impl NextGenPayload {
    /// Decodes a webhook body, which must be a JSON object (serde would otherwise also read a
    /// positional array into the struct).
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        match serde_json::from_slice::<serde_json::Value>(body)? {
            v @ serde_json::Value::Object(_) => serde_json::from_value(v),
            _ => Err(serde::de::Error::custom("the body must be a JSON object")),
        }
    }

    /// The vendor's own id for this lead, used to recognise a repeated post.
    pub fn vendor_key(&self) -> Option<&str> {
        self.lead_id.as_deref().or(self.nextgen_id.as_deref())
    }

    /// Turns the payload into a lead (id, tenant and timestamps left for the server to set).
    pub fn into_lead(self) -> Result<Lead, InvalidLead> {
        let raw_phone = self.phone.or(self.phone_number);
        let email = self.email.map(|e| e.to_lowercase()).filter(|e| e.contains('@'));
        let phone = match raw_phone {
            Some(raw) => match phone::normalize_us(&raw) {
                Some(p) => Some(p),
                None if email.is_some() => None,
                None => return Err(InvalidLead::BadPhone(raw)),
            },
            None => None,
        };
        if phone.is_none() && email.is_none() {
            return Err(InvalidLead::NoContact);
        }
        let mut name = full_name(self.first_name.as_deref(), self.last_name.as_deref());
        if name.is_empty() {
            name = email.clone().or_else(|| phone.clone()).unwrap_or_default();
        }
        Ok(Lead {
            name,
            first_name: self.first_name,
            last_name: self.last_name,
            email,
            phone,
            status: Some("New".into()),
            source: Some(LeadSource::NextGen),
            disposition: Some(WEBHOOK_DISPOSITION.into()),
            zipcode: self.zip_code.map(pad_zip),
            dob: self.dob,
            height: self.height,
            weight: self.weight,
            gender: self.gender,
            state: self.state.map(|s| s.to_uppercase()),
            city: self.city,
            street1: self.street_address,
            street2: self.street_2,
            household_size: self.household_size,
            household_income: self.household_income,
            military: self.military,
            pregnant: self.pregnant,
            tobacco_user: self.tobacco_user,
            has_prescription: self.has_prescription,
            has_medicare_parts_ab: self.has_medicare_parts_ab,
            has_medical_condition: self.has_medical_condition,
            medical_conditions: self.medical_conditions.into_iter().map(|c| clip(&c)).collect(),
            insurance_timeframe: self.insurance_timeframe,
            campaign_name: self.campaign_name,
            product: self.product,
            vendor_name: self.vendor_name,
            account_name: self.account_name,
            bid_type: self.bid_type,
            price: self.price,
            call_log_id: self.call_log_id,
            call_duration: self.call_duration,
            source_hash: self.source_hash,
            sub_id_hash: self.sub_id_hash,
            nextgen_id: self.nextgen_id,
            lead_id: self.lead_id,
            ..Lead::default()
        })
    }
}

/// A zip code that a vendor sent as a number has lost its leading zeros: put them back.
fn pad_zip(zip: String) -> String {
    if !zip.is_empty() && zip.len() < 5 && zip.bytes().all(|b| b.is_ascii_digit()) {
        format!("{zip:0>5}")
    } else {
        zip
    }
}

fn clip(s: &str) -> String {
    s.trim().chars().take(MAX_FIELD_CHARS).collect()
}

/// Accepts a string, number or bool; trims; empty becomes `None`.
fn loose_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    let s = match v {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::Bool(b)) => b.to_string(),
        Some(other) => return Err(serde::de::Error::custom(format!("expected text, got {other}"))),
    };
    let s = clip(&s);
    Ok((!s.is_empty()).then_some(s))
}

/// Accepts `true`, `"true"`, `"yes"`, `1`, and their negatives; anything else is `None`.
fn loose_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(serde_json::Value::Number(n)) => n.as_i64().map(|n| n != 0),
        Some(serde_json::Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Some(true),
            "false" | "no" | "n" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> NextGenPayload {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn normalises_a_typical_post() {
        let lead = parse(
            r#"{"lead_id":"NG-1","first_name":"Ann","last_name":"Lee","phone":"(555) 210-2030",
                "email":"Ann@Example.COM","state":"tx","zip_code":"07030","height":66,"tobacco_user":"false",
                "medical_conditions":["asthma"],"price":"12.50"}"#,
        )
        .into_lead()
        .unwrap();
        assert_eq!(lead.name, "Ann Lee");
        assert_eq!(lead.phone.as_deref(), Some("5552102030"));
        assert_eq!(lead.email.as_deref(), Some("ann@example.com"));
        assert_eq!(lead.state.as_deref(), Some("TX"));
        assert_eq!(lead.zipcode.as_deref(), Some("07030"));
        assert_eq!(lead.height.as_deref(), Some("66"));
        assert_eq!(lead.tobacco_user, Some(false));
        assert_eq!(lead.source, Some(LeadSource::NextGen));
        assert_eq!(lead.disposition.as_deref(), Some("New Lead"));
        assert_eq!(lead.lead_id.as_deref(), Some("NG-1"));
    }

    #[test]
    fn accepts_csv_spellings_and_numeric_zip() {
        let p = parse(r#"{"phone_number":"5552102030","zipcode":7030,"street_1":"1 Main St"}"#);
        let lead = p.into_lead().unwrap();
        assert_eq!(lead.zipcode.as_deref(), Some("07030"));
        assert_eq!(lead.street1.as_deref(), Some("1 Main St"));
        assert_eq!(lead.name, "5552102030", "falls back to the phone for a name");
    }

    #[test]
    fn rejects_a_lead_without_contact() {
        assert_eq!(parse(r#"{"first_name":"Ann"}"#).into_lead(), Err(InvalidLead::NoContact));
        assert_eq!(parse(r#"{"phone":"12"}"#).into_lead(), Err(InvalidLead::BadPhone("12".into())));
        assert!(parse(r#"{"phone":"12","email":"a@b.co"}"#).into_lead().is_ok());
    }

    #[test]
    fn keeps_hostile_text_as_text_but_bounded() {
        let long = "x".repeat(10_000);
        let json = format!(r#"{{"first_name":"<img src=x onerror=alert(1)>","last_name":"{long}","email":"a@b.co"}}"#);
        let lead = parse(&json).into_lead().unwrap();
        assert!(lead.name.starts_with("<img src=x onerror=alert(1)> "));
        assert_eq!(lead.last_name.unwrap().len(), MAX_FIELD_CHARS);
    }

    #[test]
    fn rejects_wrong_shapes() {
        assert!(NextGenPayload::from_json(br#"{"first_name":{"a":1}}"#).is_err());
        assert!(NextGenPayload::from_json(br#"["Ann","Lee"]"#).is_err());
        assert!(NextGenPayload::from_json(b"not json").is_err());
        assert!(NextGenPayload::from_json(br#"{"email":"a@b.co"}"#).is_ok());
    }
}
