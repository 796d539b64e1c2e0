//! Leads written as a vendor's export: normalised leads as a NextGen file, the layout the
//! deployed server recognises by its exact header, so a file of any vendor, mapped and cleaned by
//! the app, reaches that server whole.

use chrono::SecondsFormat;

use super::vendor::{Field, NEXTGEN};
use crate::Lead;

/// `leads` as a NextGen export: its header, then a row a lead, each column from the lead field
/// the layout reads it into (the reverse of an import), the others empty.
pub fn nextgen_csv(leads: &[Lead]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(NEXTGEN.iter().map(|(header, _)| *header)).expect("writing to memory");
    for lead in leads {
        let row = NEXTGEN.iter().map(|(_, field)| match field {
            // A lead with neither name part (its name is an email or a phone) is named whole.
            Some(Field::FirstName) if lead.first_name.is_none() && lead.last_name.is_none() => lead.name.clone(),
            // The deployed server reads a row without a product as a `data` row.
            Some(Field::Product) => lead.product.clone().unwrap_or_else(|| "data".into()),
            Some(field) => cell(*field, lead),
            None => String::new(),
        });
        out.write_record(row).expect("writing to memory");
    }
    out.into_inner().expect("writing to memory")
}

/// The text of `field` in `lead`, as an export writes it; empty when the lead has none.
fn cell(field: Field, lead: &Lead) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let flag = |v: Option<bool>| v.map_or(String::new(), |b| b.to_string());
    match field {
        Field::FullName => lead.name.clone(),
        Field::FirstName => text(&lead.first_name),
        Field::LastName => text(&lead.last_name),
        Field::Phone => text(&lead.phone),
        Field::Email => text(&lead.email),
        Field::Street1 => text(&lead.street1),
        Field::Street2 => text(&lead.street2),
        Field::City => text(&lead.city),
        Field::State => text(&lead.state),
        Field::Zipcode => text(&lead.zipcode),
        Field::Dob => text(&lead.dob),
        Field::Gender => text(&lead.gender),
        Field::Height => text(&lead.height),
        Field::Weight => text(&lead.weight),
        Field::HouseholdSize => text(&lead.household_size),
        Field::HouseholdIncome => text(&lead.household_income),
        Field::Military => flag(lead.military),
        Field::Pregnant => flag(lead.pregnant),
        Field::TobaccoUser => flag(lead.tobacco_user),
        Field::HasPrescription => flag(lead.has_prescription),
        Field::HasMedicarePartsAb => flag(lead.has_medicare_parts_ab),
        Field::HasMedicalCondition => flag(lead.has_medical_condition),
        Field::MedicalConditions => serde_json::to_string(&lead.medical_conditions).expect("strings serialise"),
        Field::InsuranceTimeframe => text(&lead.insurance_timeframe),
        Field::CampaignName => text(&lead.campaign_name),
        Field::Product => text(&lead.product),
        Field::VendorName => text(&lead.vendor_name),
        Field::AccountName => text(&lead.account_name),
        Field::BidType => text(&lead.bid_type),
        Field::Price => text(&lead.price),
        Field::CallLogId => text(&lead.call_log_id),
        Field::CallDuration => text(&lead.call_duration),
        Field::SourceHash => text(&lead.source_hash),
        Field::SubIdHash => text(&lead.sub_id_hash),
        Field::VendorLeadId => text(&lead.lead_id),
        Field::Created => lead.created_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default(),
        Field::Disposition => text(&lead.disposition),
        Field::Notes => text(&lead.notes),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::import::{Import, Outcome, Vendor};

    fn leads_of(bytes: &[u8]) -> (Vendor, Vec<Lead>) {
        let mut import = Import::open(bytes, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
        let vendor = import.mapping().unwrap().vendor;
        let mut leads = Vec::new();
        while let Some(outcome) = import.next_outcome().unwrap() {
            match outcome {
                Outcome::Lead { lead, .. } => leads.push(*lead),
                Outcome::Invalid { problems, .. } => panic!("{problems:?}"),
            }
        }
        (vendor, leads)
    }

    /// Leads of another layout, written as NextGen and read back, are the same leads (bar the
    /// source, which the file's vendor decides, and what NextGen has no column for).
    #[test]
    fn leads_written_as_nextgen_read_back_the_same() {
        let marketplace = "leadID,created,email,primaryPhone,firstName,lastName,dateOfBirth,addressOne,addressTwo,addressThree,city,state,postalCode,income,age,household,gender,trustedFormCertID,jornayaLeadID,crmLastCallUsername,crmLastOfCallHistoryNameLastFirst,campaignName\n\
            u-1,11-29-2026 08:30:00 ,ANN@Example.com,(312) 555-0100,Ann,\"Lee, Jr.\",02-03-1980,1 Main St,,,Hoboken,nj,02134,50000,46,3,F,tf,jl,rep,\"Lee, Ann\",Health\n";
        let (vendor, read) = leads_of(marketplace.as_bytes());
        assert_eq!(vendor, Vendor::Marketplace);
        let written = nextgen_csv(&read);
        let (vendor, back) = leads_of(&written);
        assert_eq!(vendor, Vendor::NextGen, "{}", String::from_utf8_lossy(&written));
        let comparable = |l: &Lead| Lead { source: None, nextgen_id: None, product: None, ..l.clone() };
        assert_eq!(back.iter().map(comparable).collect::<Vec<_>>(), read.iter().map(comparable).collect::<Vec<_>>());
        assert_eq!(back[0].product.as_deref(), Some("data"));
        assert_eq!(back[0].zipcode.as_deref(), Some("02134"));
    }

    #[test]
    fn a_lead_with_no_name_parts_is_named_whole() {
        let lead = Lead { name: "ann@example.com".into(), email: Some("ann@example.com".into()), ..Lead::default() };
        let text = String::from_utf8(nextgen_csv(&[lead])).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert!(row.contains(",ann@example.com,,"), "{row}");
    }
}
