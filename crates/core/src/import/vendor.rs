//! Which vendor wrote a lead file, and which lead field each of its columns holds.
//!
//! Known exports (NextGen Leads, USHA Marketplace, GoHighLevel) are recognised by their header
//! signature and mapped column by column; anything else by header aliases, then by what its first
//! rows hold (a column of phones, of e-mails, of states, of zip codes). A file that cannot hold
//! leads (no column of phones or e-mails) is refused with the reason.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::normalize;
use crate::LeadSource;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Vendor {
    NextGen,
    Marketplace,
    GoHighLevel,
    /// Any other file, mapped by its headers and values.
    Other,
}

impl Vendor {
    pub fn label(self) -> &'static str {
        match self {
            Self::NextGen => "NextGen Leads",
            Self::Marketplace => "USHA Marketplace",
            Self::GoHighLevel => "GoHighLevel",
            Self::Other => "Other",
        }
    }

    /// As `POST /api/csv-upload` names it in its answer (the contract's spellings).
    pub fn upload_name(self) -> &'static str {
        match self {
            Self::NextGen => "NextGen",
            Self::Marketplace => "Marketplace",
            Self::GoHighLevel => "GoHighLevel",
            Self::Other => "Unknown",
        }
    }

    /// The source its leads get.
    pub fn source(self) -> LeadSource {
        match self {
            Self::NextGen => LeadSource::NextGen,
            Self::Marketplace => LeadSource::Marketplace,
            Self::GoHighLevel | Self::Other => LeadSource::CsvImport,
        }
    }
}

/// The lead fields a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    FullName,
    FirstName,
    LastName,
    Phone,
    Email,
    Street1,
    Street2,
    City,
    State,
    Zipcode,
    Dob,
    Gender,
    Height,
    Weight,
    HouseholdSize,
    HouseholdIncome,
    Military,
    Pregnant,
    TobaccoUser,
    HasPrescription,
    HasMedicarePartsAb,
    HasMedicalCondition,
    MedicalConditions,
    InsuranceTimeframe,
    CampaignName,
    Product,
    VendorName,
    AccountName,
    BidType,
    Price,
    CallLogId,
    CallDuration,
    SourceHash,
    SubIdHash,
    /// The vendor's own id of the lead.
    VendorLeadId,
    /// When the vendor received the lead.
    Created,
    Disposition,
    Notes,
}

impl Field {
    /// Every field, in the order a mapping screen offers them.
    pub const ALL: [Field; 38] = [
        Self::FullName,
        Self::FirstName,
        Self::LastName,
        Self::Phone,
        Self::Email,
        Self::Street1,
        Self::Street2,
        Self::City,
        Self::State,
        Self::Zipcode,
        Self::Dob,
        Self::Gender,
        Self::Height,
        Self::Weight,
        Self::HouseholdSize,
        Self::HouseholdIncome,
        Self::Military,
        Self::Pregnant,
        Self::TobaccoUser,
        Self::HasPrescription,
        Self::HasMedicarePartsAb,
        Self::HasMedicalCondition,
        Self::MedicalConditions,
        Self::InsuranceTimeframe,
        Self::CampaignName,
        Self::Product,
        Self::VendorName,
        Self::AccountName,
        Self::BidType,
        Self::Price,
        Self::CallLogId,
        Self::CallDuration,
        Self::SourceHash,
        Self::SubIdHash,
        Self::VendorLeadId,
        Self::Created,
        Self::Disposition,
        Self::Notes,
    ];

    /// As people read it in the mapping screen.
    pub fn label(self) -> &'static str {
        match self {
            Self::FullName => "Full name",
            Self::FirstName => "First name",
            Self::LastName => "Last name",
            Self::Phone => "Phone",
            Self::Email => "Email",
            Self::Street1 => "Street",
            Self::Street2 => "Street (line 2)",
            Self::City => "City",
            Self::State => "State",
            Self::Zipcode => "Zip code",
            Self::Dob => "Date of birth",
            Self::Gender => "Gender",
            Self::Height => "Height",
            Self::Weight => "Weight",
            Self::HouseholdSize => "Household size",
            Self::HouseholdIncome => "Household income",
            Self::Military => "Military",
            Self::Pregnant => "Pregnant",
            Self::TobaccoUser => "Tobacco user",
            Self::HasPrescription => "Has prescription",
            Self::HasMedicarePartsAb => "Has Medicare parts A/B",
            Self::HasMedicalCondition => "Has medical condition",
            Self::MedicalConditions => "Medical conditions",
            Self::InsuranceTimeframe => "Insurance timeframe",
            Self::CampaignName => "Campaign",
            Self::Product => "Product",
            Self::VendorName => "Vendor",
            Self::AccountName => "Account",
            Self::BidType => "Bid type",
            Self::Price => "Price",
            Self::CallLogId => "Call log id",
            Self::CallDuration => "Call duration",
            Self::SourceHash => "Source hash",
            Self::SubIdHash => "Sub-id hash",
            Self::VendorLeadId => "Vendor lead id",
            Self::Created => "Received",
            Self::Disposition => "Disposition",
            Self::Notes => "Notes",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which field each column holds (`None`: not imported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub vendor: Vendor,
    pub columns: Vec<Option<Field>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("{field} is already taken by column {column}; a field takes one column")]
    Taken { field: Field, column: usize },
    #[error("there is no column {0}")]
    NoColumn(usize),
    #[error("the mapping is for {expected} columns, and the file has {found}")]
    Columns { expected: usize, found: usize },
}

/// Why a file cannot be imported as leads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotLeads {
    #[error(
        "this is an EverQuote transaction report: it lists charges, not people (it has no phone or email \
         column). Export the leads themselves from EverQuote"
    )]
    EverQuoteTransactions,
    #[error("no column holds phones or emails, so these cannot be leads (columns: {0})")]
    NoContact(String),
}

impl Mapping {
    /// Maps `column` to `field` (or to nothing). Two columns cannot hold one field.
    pub fn set(&mut self, column: usize, field: Option<Field>) -> Result<(), MappingError> {
        if column >= self.columns.len() {
            return Err(MappingError::NoColumn(column));
        }
        if let Some(f) = field {
            if let Some(other) = self.column_of(f).filter(|&c| c != column) {
                return Err(MappingError::Taken { field: f, column: other });
            }
        }
        self.columns[column] = field;
        Ok(())
    }

    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(field))
    }

    /// Checks a saved or edited mapping against a file's headers.
    pub fn check(&self, headers: &[String]) -> Result<(), MappingError> {
        if self.columns.len() != headers.len() {
            return Err(MappingError::Columns { expected: self.columns.len(), found: headers.len() });
        }
        let mut seen = std::collections::HashMap::new();
        for (column, field) in self.columns.iter().enumerate() {
            if let Some(f) = field {
                if let Some(first) = seen.insert(*f, column) {
                    return Err(MappingError::Taken { field: *f, column: first });
                }
            }
        }
        Ok(())
    }

    fn can_hold_leads(&self, headers: &[String]) -> Result<(), NotLeads> {
        if self.column_of(Field::Phone).is_none() && self.column_of(Field::Email).is_none() {
            return Err(NotLeads::NoContact(headers.join(", ")));
        }
        Ok(())
    }
}

/// A header as compared: lower case, letters and digits only ("First Name" and "first_name" are
/// both "firstname").
fn key(header: &str) -> String {
    header.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// A file's header signature, under which its mapping is saved.
pub fn signature(headers: &[String]) -> String {
    headers.iter().map(|h| key(h)).collect::<Vec<_>>().join(",")
}

/// The columns of each known export, by header (compared by [`key`]). NextGen's are spelled as
/// it exports them, since [`nextgen_csv`](super::nextgen_csv) writes them.
pub(super) const NEXTGEN: &[(&str, Option<Field>)] = &[
    ("created_at", Some(Field::Created)),
    ("purchase_id", None),
    ("product", Some(Field::Product)),
    ("lead_id", Some(Field::VendorLeadId)),
    ("vendor_id", None),
    ("vendor_name", Some(Field::VendorName)),
    ("vertical_id", None),
    ("account_id", None),
    ("account_name", Some(Field::AccountName)),
    ("campaign_id", None),
    ("campaign_name", Some(Field::CampaignName)),
    ("bid_type", Some(Field::BidType)),
    ("first_name", Some(Field::FirstName)),
    ("last_name", Some(Field::LastName)),
    ("phone", Some(Field::Phone)),
    ("street_1", Some(Field::Street1)),
    ("street_2", Some(Field::Street2)),
    ("email", Some(Field::Email)),
    ("city", Some(Field::City)),
    ("state", Some(Field::State)),
    ("zipcode", Some(Field::Zipcode)),
    ("dob", Some(Field::Dob)),
    ("gender", Some(Field::Gender)),
    ("height", Some(Field::Height)),
    ("household_size", Some(Field::HouseholdSize)),
    ("household_income", Some(Field::HouseholdIncome)),
    ("weight", Some(Field::Weight)),
    ("military", Some(Field::Military)),
    ("pregnant", Some(Field::Pregnant)),
    ("tobacco_user", Some(Field::TobaccoUser)),
    ("has_prescription", Some(Field::HasPrescription)),
    ("has_medicare_parts_a_b", Some(Field::HasMedicarePartsAb)),
    ("has_medical_condition", Some(Field::HasMedicalCondition)),
    ("medical_conditions", Some(Field::MedicalConditions)),
    ("insurance_timeframe", Some(Field::InsuranceTimeframe)),
    ("price", Some(Field::Price)),
    ("status", None),
    ("disposition", Some(Field::Disposition)),
    ("call_log_id", Some(Field::CallLogId)),
    ("call_duration", Some(Field::CallDuration)),
    ("source_hash", Some(Field::SourceHash)),
    ("sub_id_hash", Some(Field::SubIdHash)),
];

/// The deployed server drops `addressOne`, `income` and `household`; they are mapped here.
const MARKETPLACE: &[(&str, Option<Field>)] = &[
    ("leadid", Some(Field::VendorLeadId)),
    ("created", Some(Field::Created)),
    ("email", Some(Field::Email)),
    ("primaryphone", Some(Field::Phone)),
    ("firstname", Some(Field::FirstName)),
    ("lastname", Some(Field::LastName)),
    ("dateofbirth", Some(Field::Dob)),
    ("addressone", Some(Field::Street1)),
    ("addresstwo", Some(Field::Street2)),
    ("addressthree", None),
    ("city", Some(Field::City)),
    ("state", Some(Field::State)),
    ("postalcode", Some(Field::Zipcode)),
    ("income", Some(Field::HouseholdIncome)),
    ("age", None),
    ("household", Some(Field::HouseholdSize)),
    ("gender", Some(Field::Gender)),
    ("trustedformcertid", None),
    ("jornayaleadid", None),
    ("crmlastcallusername", None),
    ("crmlastofcallhistorynamelastfirst", None),
    ("campaignname", Some(Field::CampaignName)),
];

const GOHIGHLEVEL: &[(&str, Option<Field>)] = &[
    ("firstname", Some(Field::FirstName)),
    ("lastname", Some(Field::LastName)),
    ("email", Some(Field::Email)),
    ("phone", Some(Field::Phone)),
    ("company", None),
    ("tags", None),
    ("status", None),
    ("createddate", Some(Field::Created)),
    ("additionalphone", None),
];

/// Headers that only these exports have, by which they are told apart.
const NEXTGEN_MARKS: &[&str] = &["purchaseid", "verticalid", "bidtype", "hasmedicarepartsab"];
const MARKETPLACE_MARKS: &[&str] = &["primaryphone", "addressone", "trustedformcertid", "jornayaleadid"];
const GOHIGHLEVEL_MARKS: &[&str] = &["additionalphone", "createddate", "tags"];
const EVERQUOTE_MARKS: &[&str] = &["eqleaduuid", "transactiontype", "balance"];

/// Header aliases for any other file, by header key.
const ALIASES: &[(Field, &[&str])] = &[
    (Field::FullName, &["name", "fullname", "contactname", "leadname", "customername", "clientname"]),
    (Field::FirstName, &["firstname", "first", "fname", "givenname"]),
    (Field::LastName, &["lastname", "last", "lname", "surname", "familyname"]),
    (
        Field::Phone,
        &["phone", "phonenumber", "primaryphone", "cell", "cellphone", "mobile", "mobilephone", "telephone", "tel"],
    ),
    (Field::Email, &["email", "emailaddress", "mail", "primaryemail"]),
    (Field::Street1, &["address", "street", "streetaddress", "address1", "addressline1", "street1", "addressone"]),
    (Field::Street2, &["address2", "addressline2", "street2", "addresstwo"]),
    (Field::City, &["city", "town"]),
    (Field::State, &["state", "st", "province", "region", "statecode"]),
    (Field::Zipcode, &["zip", "zipcode", "postalcode", "postcode", "zip5"]),
    (Field::Dob, &["dob", "dateofbirth", "birthdate", "birthday", "birthdt"]),
    (Field::Gender, &["gender", "sex"]),
    (Field::Height, &["height"]),
    (Field::Weight, &["weight"]),
    (Field::HouseholdSize, &["householdsize", "household"]),
    (Field::HouseholdIncome, &["householdincome", "income", "annualincome"]),
    (Field::TobaccoUser, &["tobaccouser", "tobacco", "smoker"]),
    (Field::CampaignName, &["campaign", "campaignname"]),
    (Field::VendorLeadId, &["leadid", "vendorleadid", "externalid"]),
    (Field::Created, &["created", "createdat", "createddate", "datecreated", "date"]),
    (Field::Disposition, &["disposition"]),
    (Field::Notes, &["notes", "note", "comments", "comment"]),
];

/// How many of the first rows are looked at to recognise a column by its values.
pub const SAMPLE_ROWS: usize = 20;

/// Recognises a file from its headers and its first rows (`samples`, at most [`SAMPLE_ROWS`]).
pub fn detect(headers: &[String], samples: &[Vec<String>]) -> Result<Mapping, NotLeads> {
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    let has = |marks: &[&str], needed: usize| marks.iter().filter(|m| keys.iter().any(|k| k == *m)).count() >= needed;
    if has(EVERQUOTE_MARKS, 2) {
        return Err(NotLeads::EverQuoteTransactions);
    }
    let known = if has(NEXTGEN_MARKS, 2) {
        Some((Vendor::NextGen, NEXTGEN))
    } else if has(MARKETPLACE_MARKS, 2) {
        Some((Vendor::Marketplace, MARKETPLACE))
    } else if has(GOHIGHLEVEL_MARKS, 2) {
        Some((Vendor::GoHighLevel, GOHIGHLEVEL))
    } else {
        None
    };
    let mut mapping = Mapping { vendor: Vendor::Other, columns: vec![None; headers.len()] };
    if let Some((vendor, layout)) = known {
        mapping.vendor = vendor;
        for (column, k) in keys.iter().enumerate() {
            if let Some(field) = layout.iter().find(|(h, _)| key(h) == *k).and_then(|(_, f)| *f) {
                // A repeated header keeps its first column.
                let _ = mapping.set(column, Some(field));
            }
        }
    }
    // Columns a known layout does not list, and every column of other files: by alias.
    for (column, k) in keys.iter().enumerate() {
        if mapping.columns[column].is_some()
            || known.is_some_and(|(_, layout)| layout.iter().any(|(h, _)| key(h) == *k))
        {
            continue;
        }
        if let Some((field, _)) =
            ALIASES.iter().find(|(f, names)| names.contains(&k.as_str()) && mapping.column_of(*f).is_none())
        {
            mapping.columns[column] = Some(*field);
        }
    }
    if mapping.vendor == Vendor::Other {
        by_values(&mut mapping, samples);
    }
    mapping.can_hold_leads(headers)?;
    Ok(mapping)
}

/// Maps still-unmapped columns whose sample values are mostly phones, e-mails, states or zip codes.
fn by_values(mapping: &mut Mapping, samples: &[Vec<String>]) {
    type Test = fn(&str) -> bool;
    let tests: [(Field, Test); 4] = [
        (Field::Email, |v| normalize::email(v).is_ok_and(|e| e.is_some())),
        (Field::Phone, |v| normalize::phone(v).is_ok_and(|p| p.is_some())),
        (Field::State, |v| v.trim().len() == 2 && normalize::state(v).is_ok_and(|s| s.is_some())),
        (Field::Zipcode, |v| {
            let v = v.trim();
            (v.len() == 5 || v.len() == 10) && normalize::zip(v).is_ok_and(|z| z.is_some())
        }),
    ];
    for (field, test) in tests {
        if mapping.column_of(field).is_some() {
            continue;
        }
        let best = (0..mapping.columns.len())
            .filter(|&c| mapping.columns[c].is_none())
            .map(|c| {
                let filled: Vec<&str> = samples
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(String::as_str)
                    .filter(|v| !v.trim().is_empty())
                    .collect();
                let passing = filled.iter().filter(|v| test(v)).count();
                (c, passing, filled.len())
            })
            .filter(|&(_, passing, filled)| filled > 0 && passing * 5 >= filled * 4)
            .max_by_key(|&(_, passing, _)| passing);
        if let Some((column, _, _)) = best {
            mapping.columns[column] = Some(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str) -> Vec<String> {
        line.split(',').map(|h| h.trim().to_owned()).collect()
    }

    const NEXTGEN_HEADER: &str = "created_at,purchase_id,product,lead_id,vendor_id,vendor_name,vertical_id,account_id,account_name,campaign_id,campaign_name,bid_type,first_name,last_name,phone,street_1,street_2,email,city,state,zipcode,dob,gender,height,household_size,household_income,weight,military,pregnant,tobacco_user,has_prescription,has_medicare_parts_a_b,has_medical_condition,medical_conditions,insurance_timeframe,price,status,disposition,call_log_id,call_duration,source_hash,sub_id_hash";
    const MARKETPLACE_HEADER: &str = "leadID,created,email,primaryPhone,firstName,lastName,dateOfBirth,addressOne,addressTwo,addressThree,city,state,postalCode,income,age,household,gender,trustedFormCertID,jornayaLeadID,crmLastCallUsername,crmLastOfCallHistoryNameLastFirst,campaignName";
    const GHL_HEADER: &str =
        "First Name, Last Name, Email, Phone, Company, Tags, Status, Created Date, Additional Phone";

    fn field_of(m: &Mapping, h: &[String], header: &str) -> Option<Field> {
        m.columns[h.iter().position(|x| x == header).expect(header)]
    }

    #[test]
    fn nextgen_leads_export() {
        let h = headers(NEXTGEN_HEADER);
        let m = detect(&h, &[]).unwrap();
        assert_eq!(m.vendor, Vendor::NextGen);
        for (header, field) in [
            ("created_at", Some(Field::Created)),
            ("lead_id", Some(Field::VendorLeadId)),
            ("phone", Some(Field::Phone)),
            ("zipcode", Some(Field::Zipcode)),
            ("has_medicare_parts_a_b", Some(Field::HasMedicarePartsAb)),
            ("medical_conditions", Some(Field::MedicalConditions)),
            ("purchase_id", None),
            ("status", None),
        ] {
            assert_eq!(field_of(&m, &h, header), field, "{header}");
        }
        assert_eq!(m.columns.iter().flatten().count(), 36);
        m.check(&h).unwrap();
    }

    #[test]
    fn usha_marketplace_export_maps_what_the_deployed_server_drops() {
        let h = headers(MARKETPLACE_HEADER);
        let m = detect(&h, &[]).unwrap();
        assert_eq!(m.vendor, Vendor::Marketplace);
        for (header, field) in [
            ("leadID", Some(Field::VendorLeadId)),
            ("primaryPhone", Some(Field::Phone)),
            ("dateOfBirth", Some(Field::Dob)),
            ("addressOne", Some(Field::Street1)),
            ("income", Some(Field::HouseholdIncome)),
            ("household", Some(Field::HouseholdSize)),
            ("postalCode", Some(Field::Zipcode)),
            ("age", None),
            ("jornayaLeadID", None),
        ] {
            assert_eq!(field_of(&m, &h, header), field, "{header}");
        }
    }

    #[test]
    fn gohighlevel_export() {
        let h = headers(GHL_HEADER);
        let m = detect(&h, &[]).unwrap();
        assert_eq!(m.vendor, Vendor::GoHighLevel);
        assert_eq!(field_of(&m, &h, "Created Date"), Some(Field::Created));
        assert_eq!(field_of(&m, &h, "Additional Phone"), None, "the main phone is the phone");
        assert_eq!(field_of(&m, &h, "Phone"), Some(Field::Phone));
    }

    #[test]
    fn everquote_transactions_are_refused_with_the_reason() {
        let h = headers(
            "eqLeadUUID,leadName,postalState,county,transactionType,detail,amount,balance,campaignName,createdAt",
        );
        let err = detect(&h, &[]).unwrap_err();
        assert_eq!(err, NotLeads::EverQuoteTransactions);
        assert!(err.to_string().contains("no phone or email"), "{err}");
    }

    #[test]
    fn other_files_by_alias_then_by_values() {
        let h = headers("Contact Name,Cell,E-mail Address,ST,Zip,Birthday,col7,col8");
        let samples: Vec<Vec<String>> = (0..5)
            .map(|i| headers(&format!("Ann Lee,(312) 555-010{i},ann{i}@x.com,IL,60601,1980-01-0{},IL,6060{i}", i + 1)))
            .collect();
        let m = detect(&h, &samples).unwrap();
        assert_eq!(m.vendor, Vendor::Other);
        let mapped: Vec<Option<Field>> = m.columns.clone();
        assert_eq!(
            mapped,
            [
                Some(Field::FullName),
                Some(Field::Phone),
                Some(Field::Email),
                Some(Field::State),
                Some(Field::Zipcode),
                Some(Field::Dob),
                None,
                None
            ],
            "a field already found by its header is not given to a second column"
        );

        let h = headers("who,number,where");
        let samples = vec![headers("Ann,3125550100,x"), headers("Bea,(202) 555-0111,y"), headers("Cy,,z")];
        let m = detect(&h, &samples).unwrap();
        assert_eq!(m.columns, [None, Some(Field::Phone), None], "a column of phones is a phone column");
    }

    #[test]
    fn a_file_without_phones_or_emails_is_refused() {
        let h = headers("first,last,city");
        let samples = vec![headers("Ann,Lee,Boston")];
        let err = detect(&h, &samples).unwrap_err();
        assert!(err.to_string().contains("first, last, city"), "{err}");
    }

    #[test]
    fn two_columns_cannot_hold_one_field() {
        let h = headers("phone,cell,email");
        let mut m = detect(&h, &[]).unwrap();
        assert_eq!(m.columns, [Some(Field::Phone), None, Some(Field::Email)]);
        assert_eq!(m.set(1, Some(Field::Phone)), Err(MappingError::Taken { field: Field::Phone, column: 0 }));
        m.set(0, None).unwrap();
        m.set(1, Some(Field::Phone)).unwrap();
        assert_eq!(m.set(9, None), Err(MappingError::NoColumn(9)));
        let mut bad = m.clone();
        bad.columns[0] = Some(Field::Email);
        assert_eq!(bad.check(&h), Err(MappingError::Taken { field: Field::Email, column: 0 }));
        assert!(matches!(m.check(&h[..2]), Err(MappingError::Columns { expected: 3, found: 2 })));
    }

    #[test]
    fn signatures_ignore_case_spacing_and_punctuation() {
        assert_eq!(signature(&headers("First Name,E-mail")), signature(&headers("first_name,email")));
        assert_ne!(signature(&headers("a,b")), signature(&headers("b,a")));
    }
}
