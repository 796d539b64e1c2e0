//! Lead imports over real HTTP: the contract's multipart `POST /api/csv-upload`, and our batch
//! endpoint applied once per batch id. A CSV lead and a webhook lead of the same person are one
//! lead, zip codes keep their zeros, bad rows are reported by number, and nothing alerts.

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use common::Env;
use crokodial_core::api::{CsvUploadAnswer, ImportStats, LeadsPage, Role};
use crokodial_core::ws::ServerMessage;
use crokodial_core::Lead;
use crokodial_server::TenantChoice;
use serde_json::{json, Value};

const NEXTGEN_HEADER: &str = "created_at,purchase_id,product,lead_id,vendor_id,vendor_name,vertical_id,account_id,account_name,campaign_id,campaign_name,bid_type,first_name,last_name,phone,street_1,street_2,email,city,state,zipcode,dob,gender,height,household_size,household_income,weight,military,pregnant,tobacco_user,has_prescription,has_medicare_parts_a_b,has_medical_condition,medical_conditions,insurance_timeframe,price,status,disposition,call_log_id,call_duration,source_hash,sub_id_hash";

/// A NextGen export row with the given name, phone, email and zip code.
fn nextgen_row(id: &str, first: &str, phone: &str, email: &str, zip: &str) -> String {
    format!(
        "2026-11-30T15:04:05Z,P1,data,{id},V1,NextGen,1,A1,Agency,C1,Health,exclusive,{first},Tester,{phone},1 Main St,,{email},Hoboken,NJ,{zip},1980-02-29,male,70,2,50000,180,false,false,false,true,false,false,[],soon,25.00,new,,,,,"
    )
}

impl Env {
    async fn upload(&self, token: &str, file_name: &str, body: String) -> reqwest::Response {
        let part = reqwest::multipart::Part::text(body).file_name(file_name.to_owned()).mime_str("text/csv").unwrap();
        let form = reqwest::multipart::Form::new().part("file", part);
        self.http.post(self.url("/api/csv-upload")).bearer_auth(token).multipart(form).send().await.unwrap()
    }

    async fn leads(&self, token: &str) -> LeadsPage {
        self.get("/api/leads?limit=100", token).await.json().await.unwrap()
    }
}

#[tokio::test]
async fn a_vendor_file_upserts_on_the_phone_keeps_zeros_reports_bad_rows_and_never_alerts() {
    let env = Env::start().await;
    let (user, token) = env.user("admin@example.com", Role::Admin, TenantChoice::Own).await;
    let creds = env.creds_of(&user).await;
    let ack: Value = env.post_lead(&creds, &common::lead_body("Rosa", "3125550199")).await.json().await.unwrap();
    let rosa_id = ack["leadId"].as_str().unwrap().to_owned();
    let res = env
        .http
        .put(env.url(&format!("/api/leads/{rosa_id}")))
        .bearer_auth(&token)
        .json(&json!({"disposition": "Quoted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut socket = env.authed_socket(&token).await;

    let mut file = format!("{NEXTGEN_HEADER}\r\n");
    // Rosa again, as the CSV spells her phone: the same lead, with a street address now.
    writeln!(file, "{}", nextgen_row("NG-9", "Rosa", "(312) 555-0199", "", "07030")).unwrap();
    writeln!(file, "{}", nextgen_row("NG-10", "Ann", "201-555-0100", "ANN@Example.com", "02134")).unwrap();
    // Row numbers as a spreadsheet shows them: the header is row 1.
    writeln!(file, "{}", nextgen_row("NG-11", "Nobody", "", "", "10001")).unwrap(); // row 4: no phone or email
    writeln!(file, "{}", nextgen_row("NG-10", "Ann", "2015550100", "ann@example.com", "02134")).unwrap(); // row 5 repeats row 3
    let res = env.upload(&token, "leads.csv", file).await;
    assert_eq!(res.status(), 200);
    let answer: CsvUploadAnswer = res.json().await.unwrap();
    assert!(answer.success);
    assert_eq!(answer.vendor, "NextGen");
    assert_eq!(answer.stats.processed, 4);
    assert_eq!((answer.stats.imported, answer.skipped, answer.duplicates), (1, 1, 1), "{answer:?}");
    assert_eq!(answer.stats.updated + answer.unchanged, 2, "Rosa updated, Ann's repeat changes nothing");
    assert_eq!(answer.errors.len(), 1);
    assert_eq!(answer.errors[0].row, 4);
    assert!(answer.errors[0].reasons.iter().any(|r| r.contains("phone")), "{:?}", answer.errors);

    let page = env.leads(&token).await;
    assert_eq!(page.pagination.total, 2, "Rosa is one lead, however her phone was written");
    let rosa = page.leads.iter().find(|l| l.id == rosa_id).expect("Rosa kept her id");
    assert_eq!(rosa.disposition.as_deref(), Some("Quoted"), "the rep's disposition stays");
    assert_eq!(rosa.street1.as_deref(), Some("1 Main St"));
    assert_eq!(rosa.zipcode.as_deref(), Some("07030"));
    assert!(rosa.import_batch.is_some(), "an updated lead carries the import's tag");
    let ann = page.leads.iter().find(|l| l.first_name.as_deref() == Some("Ann")).unwrap();
    assert_eq!((ann.zipcode.as_deref(), ann.phone.as_deref()), (Some("02134"), Some("2015550100")));
    assert_eq!(ann.email.as_deref(), Some("ann@example.com"));
    assert_eq!(ann.assigned_to.as_deref(), Some(user.id.as_str()));
    assert!(ann.import_batch.as_deref().is_some_and(|t| t.starts_with("NextGen ")), "{:?}", ann.import_batch);

    // Nothing alerted: the only events an import may cause are none at all.
    if let Some(ServerMessage::NewLead { data, .. }) = common::next_event(&mut socket, Duration::from_millis(400)).await
    {
        panic!("an import alerted: {data:?}");
    }

    let (_, stranger) = env.user("other@example.com", Role::Admin, TenantChoice::Own).await;
    assert_eq!(env.leads(&stranger).await.pagination.total, 0, "another tenant sees none of it");
}

#[tokio::test]
async fn files_that_are_not_leads_or_not_csv_are_refused_with_the_reason() {
    let env = Env::start().await;
    let (_, token) = env.user("admin@example.com", Role::Admin, TenantChoice::Own).await;

    let everquote =
        "eqLeadUUID,leadName,postalState,county,transactionType,detail,amount,balance,campaignName,createdAt\n\
                     u1,Ann Lee,NJ,Hudson,charge,lead,25.00,100.00,Health,2026-11-30\n";
    let res = env.upload(&token, "transactions.csv", everquote.into()).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "not_leads");
    assert!(body["message"].as_str().unwrap().contains("EverQuote"), "{body}");

    let res = env.upload(&token, "photo.png", "not a csv".into()).await;
    assert_eq!(res.status(), 400);

    let form = reqwest::multipart::Form::new().text("other", "x");
    let res = env.http.post(env.url("/api/csv-upload")).bearer_auth(&token).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["message"], "No CSV file uploaded");

    let res = env.http.post(env.url("/api/csv-upload")).send().await.unwrap();
    assert_eq!(res.status(), 401, "an upload needs a login");
    assert_eq!(env.leads(&token).await.pagination.total, 0);
}

#[tokio::test]
async fn a_file_past_the_legacy_cap_of_15000_rows_is_imported_whole() {
    let env = Env::start().await;
    let (_, token) = env.user("admin@example.com", Role::Admin, TenantChoice::Own).await;
    let mut file = format!("{NEXTGEN_HEADER}\n");
    for i in 0..16_000 {
        let phone = format!("31255{i:05}");
        writeln!(file, "{}", nextgen_row(&format!("NG-{i}"), "Lee", &phone, "", "07030")).unwrap();
    }
    let answer: CsvUploadAnswer = env.upload(&token, "big.csv", file).await.json().await.unwrap();
    assert_eq!((answer.stats.imported, answer.stats.processed, answer.skipped), (16_000, 16_000, 0));
    assert_eq!(env.leads(&token).await.pagination.total, 16_000);
}

#[tokio::test]
async fn a_batch_is_applied_once_per_batch_id() {
    let env = Env::start().await;
    let (_, token) = env.user("admin@example.com", Role::Admin, TenantChoice::Own).await;
    let lead = |name: &str, phone: &str| Lead { name: name.into(), phone: Some(phone.into()), ..Lead::default() };
    let batch =
        json!({"batchId": "imp-1:0", "leads": [lead("Ann Lee", "+1 312 555 0100"), lead("Bo Chan", "3125550101")]});
    let send = |body: Value| {
        let req = env.http.post(env.url("/api/import/leads")).bearer_auth(&token).json(&body);
        async move { req.send().await.unwrap() }
    };
    let res = send(batch.clone()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<ImportStats>().await.unwrap(), ImportStats { imported: 2, updated: 0, unchanged: 0 });
    let cursor = env.cursor(&token).await;
    assert_eq!(cursor, 2, "one change for each lead");

    let again: ImportStats = send(batch).await.json().await.unwrap();
    assert_eq!(again, ImportStats { imported: 2, updated: 0, unchanged: 0 }, "the first answer, again");
    assert_eq!(env.cursor(&token).await, cursor, "a resent batch writes nothing");

    let next = json!({"batchId": "imp-1:1", "leads": [lead("Ann Lee", "312.555.0100")]});
    let stats: ImportStats = send(next).await.json().await.unwrap();
    assert_eq!(stats, ImportStats { imported: 0, updated: 0, unchanged: 1 }, "the same phone, however written");
    assert_eq!(env.leads(&token).await.pagination.total, 2);

    let res = send(json!({"batchId": "imp-2:0", "leads": [{"name": "No Contact"}]})).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Lead 1 of the batch: no phone or email"));
}
