//! Demo mode: a seeded "Demo Agency" tenant with two accounts and synthetic leads, and an
//! optional feed that posts synthetic NextGen leads to our own webhook.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use crokodial_core::api::{DemoAccount, Role};
use crokodial_core::{Lead, LeadSource};
use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::accounts::{create_user, webhook_credentials, NewUser, TenantChoice};
use crate::auth::new_object_id;
use crate::store::{self, Store};

pub const ADMIN_EMAIL: &str = "admin@demo.crokodial.test";
pub const REP_EMAIL: &str = "rep@demo.crokodial.test";
pub const AGENCY: &str = "Demo Agency";
/// Leads seeded on first start.
pub const SEED_LEADS: usize = 300;

const FIRST: &[&str] = &[
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Aaliyah",
    "David",
    "Jennifer",
    "Jose",
    "Patricia",
    "Wei",
    "Priya",
    "Daniel",
    "Keisha",
    "Thomas",
    "Guadalupe",
    "Christopher",
    "Nguyen",
    "Anthony",
    "Fatima",
    "Kevin",
    "Sofia",
    "Brian",
    "Imani",
    "Jamal",
    "Emily",
    "Carlos",
    "Hannah",
    "Tyrone",
    "Olivia",
    "Hiroshi",
    "Ashley",
    "Dmitri",
    "Rosa",
    "Marcus",
    "Chloe",
    "Ahmed",
    "Megan",
    "Luis",
    "Brittany",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Garcia",
    "Rodriguez",
    "Nguyen",
    "Brown",
    "Martinez",
    "Davis",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Patel",
    "Jackson",
    "Kim",
    "Washington",
    "O'Brien",
    "Hernandez",
    "Chen",
    "Robinson",
    "Walker",
    "Young",
    "Okafor",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Singh",
    "Reyes",
    "Murphy",
];
/// State, a real area code there, the first two zip digits, and its main time zone.
/// (state, area code, zip prefix, time zone, city).
const PLACES: &[(&str, &str, &str, &str, &str)] = &[
    ("TX", "214", "75", "America/Chicago", "Dallas"),
    ("TX", "713", "77", "America/Chicago", "Houston"),
    ("FL", "305", "33", "America/New_York", "Miami"),
    ("FL", "813", "33", "America/New_York", "Tampa"),
    ("CA", "213", "90", "America/Los_Angeles", "Los Angeles"),
    ("CA", "619", "92", "America/Los_Angeles", "San Diego"),
    ("NY", "212", "10", "America/New_York", "New York"),
    ("NJ", "201", "07", "America/New_York", "Jersey City"),
    ("MA", "617", "02", "America/New_York", "Boston"),
    ("CT", "203", "06", "America/New_York", "New Haven"),
    ("GA", "404", "30", "America/New_York", "Atlanta"),
    ("NC", "704", "28", "America/New_York", "Charlotte"),
    ("IL", "312", "60", "America/Chicago", "Chicago"),
    ("AZ", "602", "85", "America/Phoenix", "Phoenix"),
    ("CO", "720", "80", "America/Denver", "Denver"),
    ("TN", "615", "37", "America/Chicago", "Nashville"),
    ("OH", "614", "43", "America/New_York", "Columbus"),
    ("WA", "206", "98", "America/Los_Angeles", "Seattle"),
    ("PA", "215", "19", "America/New_York", "Philadelphia"),
    ("NV", "702", "89", "America/Los_Angeles", "Las Vegas"),
];
const DISPOSITIONS: &[&str] = &[
    "New Lead",
    "Positive Contact",
    "Negative Contact",
    "Employer Coverage",
    "Brokie",
    "Buy Or Die",
    "Unhealthy/Referred",
    "Foreign",
    "Quoted",
    "SOLD",
    "Appointment",
    "No Contact",
    "Invalid/Disconnected",
    "Hung Up",
    "Ghosted",
];
const CONDITIONS: &[&str] = &["asthma", "diabetes", "hypertension", "high cholesterol", "arthritis"];

/// A synthetic person, shared by seeded leads and feed posts.
struct Person {
    first: &'static str,
    last: &'static str,
    email: String,
    phone: String,
    state: &'static str,
    zip: String,
    tz: &'static str,
    city: &'static str,
    dob: String,
}

fn person(rng: &mut StdRng) -> Person {
    let first = *FIRST.choose(rng).expect("non-empty");
    let last = *LAST.choose(rng).expect("non-empty");
    let &(state, area, zip2, tz, city) = PLACES.choose(rng).expect("non-empty");
    // NANP: the exchange starts with 2-9 and is never 555.
    let exchange = loop {
        let e = rng.gen_range(200..1000);
        if e != 555 {
            break e;
        }
    };
    let domain = ["example.com", "example.org", "example.net"].choose(rng).expect("non-empty");
    let handle: String =
        format!("{first}.{last}").to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
    Person {
        first,
        last,
        email: format!("{handle}{}@{domain}", rng.gen_range(1..100)),
        phone: format!("{area}{exchange}{:04}", rng.gen_range(0..10_000)),
        state,
        zip: format!("{zip2}{:03}", rng.gen_range(0..1000)),
        tz,
        city,
        dob: format!("{}-{:02}-{:02}", rng.gen_range(1950..2004), rng.gen_range(1..13), rng.gen_range(1..29)),
    }
}

/// A synthetic lead of `tenant`, as the demo seeds them (the offline-book bench uses it too).
pub fn seeded_lead(rng: &mut StdRng, tenant: &str, assignee: &str) -> Lead {
    let p = person(rng);
    let source = match rng.gen_range(0..10) {
        0..=4 => LeadSource::NextGen,
        5..=7 => LeadSource::Marketplace,
        _ => LeadSource::CsvImport,
    };
    let disposition = match rng.gen_range(0..10) {
        0 => None,
        _ => Some((*DISPOSITIONS.choose(rng).expect("non-empty")).to_owned()),
    };
    let created = Utc::now() - Span::seconds(rng.gen_range(0..60 * 86_400));
    let vendor = (source == LeadSource::NextGen).then(|| format!("NG-{}", rng.gen_range(10_000_000..99_999_999)));
    Lead {
        id: new_object_id(),
        tenant_id: Some(tenant.to_owned()),
        assigned_to: Some(assignee.to_owned()),
        name: format!("{} {}", p.first, p.last),
        first_name: Some(p.first.into()),
        last_name: Some(p.last.into()),
        email: Some(p.email),
        phone: Some(p.phone),
        status: Some(["New", "Contacted", "Follow-up", "Won", "Lost"].choose(rng).expect("non-empty").to_string()),
        source: Some(source),
        disposition,
        zipcode: Some(p.zip),
        dob: Some(p.dob),
        height: Some(rng.gen_range(58..78).to_string()),
        weight: Some(rng.gen_range(110..280).to_string()),
        gender: Some(["male", "female"].choose(rng).expect("non-empty").to_string()),
        state: Some(p.state.into()),
        city: Some(p.city.into()),
        household_size: Some(rng.gen_range(1..7).to_string()),
        tobacco_user: Some(rng.gen_bool(0.15)),
        time_zone: Some(p.tz.into()),
        nextgen_id: vendor.clone(),
        lead_id: vendor,
        created_at: Some(created),
        updated_at: Some(created),
        ..Lead::default()
    }
}

/// Seeds the demo tenant once; on later starts returns the accounts made the first time.
pub async fn seed(store: &Arc<dyn Store>) -> anyhow::Result<Vec<DemoAccount>> {
    let existing = store::run(store, |s| s.demo_accounts()).await?;
    if !existing.is_empty() {
        return Ok(existing);
    }
    let mut rng = StdRng::from_entropy();
    let password = |rng: &mut StdRng| Alphanumeric.sample_string(rng, 16);
    let admin_pw = password(&mut rng);
    let rep_pw = password(&mut rng);
    let admin = create_user(
        store,
        NewUser {
            email: ADMIN_EMAIL.into(),
            name: format!("{AGENCY} Admin"),
            role: Role::Admin,
            password: admin_pw.clone(),
            tenant: TenantChoice::Own,
        },
    )
    .await?;
    let tenant = admin.id.clone();
    create_user(
        store,
        NewUser {
            email: REP_EMAIL.into(),
            name: "Demo Rep".into(),
            role: Role::User,
            password: rep_pw.clone(),
            tenant: TenantChoice::Of(tenant.clone()),
        },
    )
    .await?;
    webhook_credentials(store, &tenant).await?;
    let leads: Vec<Lead> = (0..SEED_LEADS).map(|_| seeded_lead(&mut rng, &tenant, &admin.id)).collect();
    let accounts = vec![
        DemoAccount { email: ADMIN_EMAIL.into(), password: admin_pw, role: Role::Admin },
        DemoAccount { email: REP_EMAIL.into(), password: rep_pw, role: Role::User },
    ];
    let saved = accounts.clone();
    // The accounts row goes last: its presence means seeding finished.
    store::run(store, move |s| {
        s.insert_leads(&leads)?;
        saved.iter().try_for_each(|a| s.insert_demo_account(a))
    })
    .await?;
    Ok(accounts)
}

/// A synthetic NextGen webhook body.
pub fn nextgen_payload(rng: &mut StdRng) -> serde_json::Value {
    let p = person(rng);
    let gender = *["male", "female"].choose(rng).expect("non-empty");
    let conditions: Vec<&str> =
        if rng.gen_bool(0.3) { vec![CONDITIONS.choose(rng).expect("non-empty")] } else { vec![] };
    json!({
        "lead_id": format!("D-{}", Alphanumeric.sample_string(rng, 12)),
        "first_name": p.first,
        "last_name": p.last,
        "email": p.email,
        "phone": p.phone,
        "state": p.state,
        "city": p.city,
        "zip_code": p.zip,
        "dob": p.dob,
        "gender": gender,
        "height": rng.gen_range(58..78),
        "weight": rng.gen_range(110..280),
        "tobacco_user": rng.gen_bool(0.15),
        "medical_conditions": conditions,
        "household_size": rng.gen_range(1..7),
        "campaign_name": "Demo Health Campaign",
        "product": "data",
        "vendor_name": "NextGen Leads",
        "price": format!("{}.{:02}", rng.gen_range(15..60), rng.gen_range(0..100)),
    })
}

/// Posts a synthetic lead to `base_url`'s webhook every `every`, over real HTTP, until aborted.
pub async fn feed(base_url: String, sid: String, apikey: String, every: Duration) {
    let client = match reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => return tracing::error!("demo feed disabled: {e}"),
    };
    let url = format!("{base_url}/api/webhooks/nextgen");
    let mut rng = StdRng::from_entropy();
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tick.tick().await;
        let body = nextgen_payload(&mut rng);
        match client.post(&url).header("sid", &sid).header("apikey", &apikey).json(&body).send().await {
            Ok(r) if r.status().is_success() => tracing::debug!("demo feed posted a lead"),
            Ok(r) => tracing::warn!(status = %r.status(), "demo feed post refused"),
            Err(e) => tracing::warn!("demo feed post failed: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crokodial_core::nextgen::NextGenPayload;

    #[test]
    fn synthetic_data_is_valid() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let lead = seeded_lead(&mut rng, "t", "a");
            let phone = lead.phone.as_deref().unwrap();
            assert_eq!(crokodial_core::phone::normalize_us(phone).as_deref(), Some(phone));
            assert_ne!(&phone[3..6], "555");
            assert_eq!(lead.zipcode.as_ref().unwrap().len(), 5);
            let body = serde_json::to_vec(&nextgen_payload(&mut rng)).unwrap();
            NextGenPayload::from_json(&body).unwrap().into_lead().unwrap();
        }
    }
}
