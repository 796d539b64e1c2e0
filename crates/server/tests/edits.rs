//! Reps' edits over real HTTP: the contract's PUT and PATCH, queued edits applied once per key and
//! refused on a conflict, deletions as tombstones in the change feed, the tenant's dispositions.

mod common;

use std::time::Duration;

use common::Env;
use crokodial_core::api::{LeadChanges, Role};
use crokodial_core::edit::{Dispositions, EditAnswer, EditField};
use crokodial_core::ws::ServerMessage;
use crokodial_core::Lead;
use crokodial_server::TenantChoice;
use serde_json::{json, Value};

impl Env {
    async fn send(&self, method: reqwest::Method, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.http.request(method, self.url(path)).bearer_auth(token).json(body).send().await.unwrap()
    }
}

async fn one_lead(env: &Env, email: &str) -> (String, String) {
    let (user, token) = env.user(email, Role::Admin, TenantChoice::Own).await;
    let creds = env.creds_of(&user).await;
    let ack: Value = env.post_lead(&creds, &common::lead_body("Rosa", "3125550199")).await.json().await.unwrap();
    (ack["leadId"].as_str().unwrap().to_owned(), token)
}

#[tokio::test]
async fn put_and_patch_follow_the_contract() {
    let env = Env::start().await;
    let (id, token) = one_lead(&env, "rep@example.com").await;
    let path = format!("/api/leads/{id}");

    let res = env.send(reqwest::Method::PUT, &path, &token, &json!({"disposition": "Quoted", "name": ""})).await;
    assert_eq!(res.status(), 200);
    let lead: Lead = res.json().await.unwrap();
    assert_eq!(lead.disposition.as_deref(), Some("Quoted"));
    assert_eq!(lead.name, "Rosa Tester", "an empty value changes nothing");

    let res = env.send(reqwest::Method::PUT, &path, &token, &json!({"tenantId": "someone else"})).await;
    assert_eq!(res.status(), 400, "a field outside the contract is refused by name");
    assert!(res.text().await.unwrap().contains("tenantId"));

    let res = env.send(reqwest::Method::PATCH, &format!("{path}/notes"), &token, &json!({"notes": "call at 5"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"success": true, "leadId": id, "notes": "call at 5"}));
    let res = env.send(reqwest::Method::PUT, &path, &token, &json!({"notes": ""})).await;
    assert_eq!(res.json::<Lead>().await.unwrap().notes, None, "empty notes clear them");

    let (_, stranger) = env.user("stranger@example.com", Role::Admin, TenantChoice::Own).await;
    let res = env.send(reqwest::Method::PUT, &path, &stranger, &json!({"disposition": "SOLD"})).await;
    assert_eq!(res.status(), 404, "another tenant's lead cannot be edited");
    let res = env.send(reqwest::Method::PUT, "/api/leads/nope", &token, &json!({"disposition": "SOLD"})).await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_queued_edit_applies_once_and_a_conflict_is_refused() {
    let env = Env::start().await;
    let (id, token) = one_lead(&env, "rep@example.com").await;
    let mut ws = env.authed_socket(&token).await;
    let edit = |key: &str, value: &str, seen: &str| json!({"key": key, "leadId": id, "fields": {"disposition": value}, "base": {"disposition": seen}});
    let post = |body: Value| {
        let req = env.http.post(env.url("/api/sync/edits")).bearer_auth(&token).json(&body);
        async move { req.send().await.unwrap() }
    };

    let res = post(edit("k1", "Quoted", "New Lead")).await;
    assert_eq!(res.status(), 200);
    let first: EditAnswer = res.json().await.unwrap();
    assert!(first.applied);
    assert_eq!(first.lead.disposition.as_deref(), Some("Quoted"));
    // Other clients of the tenant hear of it as an update, which never alerts.
    let announced = loop {
        match common::next_event(&mut ws, Duration::from_secs(5)).await {
            Some(ServerMessage::NewLead { data, .. }) if data.lead_id.as_deref() == Some(id.as_str()) => break data,
            Some(_) => continue,
            None => panic!("the edit was not announced"),
        }
    };
    assert!(!announced.is_new);

    let seq_before = env.cursor(&token).await;
    let again: EditAnswer = post(edit("k1", "Quoted", "New Lead")).await.json().await.unwrap();
    assert!(!again.applied, "the same key is not applied twice");
    assert_eq!(env.cursor(&token).await, seq_before, "no change was recorded for it");

    // A colleague set SOLD meanwhile; an edit made on top of "New Lead" must not overwrite it.
    let res =
        env.send(reqwest::Method::PUT, &format!("/api/leads/{id}"), &token, &json!({"disposition": "SOLD"})).await;
    assert_eq!(res.status(), 200);
    let res = post(edit("k2", "No Contact", "Quoted")).await;
    assert_eq!(res.status(), 409);
    let conflict: EditAnswer = res.json().await.unwrap();
    assert_eq!((conflict.applied, conflict.conflicts.as_slice()), (false, &[EditField::Disposition][..]));
    assert_eq!(conflict.lead.disposition.as_deref(), Some("SOLD"));

    // A change to another field made on the same old view is no conflict.
    let notes = json!({"key": "k3", "leadId": id, "fields": {"notes": "asked for a quote"}, "base": {"notes": ""}});
    assert_eq!(post(notes).await.status(), 200);

    for bad in [
        json!({"key": "", "leadId": id, "fields": {"notes": "x"}, "base": {}}),
        json!({"key": "k4", "leadId": id, "fields": {}, "base": {}}),
        json!({"key": "k5", "leadId": id, "fields": {"tenantId": "x"}, "base": {}}),
        json!({"key": "k6", "leadId": id, "fields": {"notes": "x"}, "base": {}, "extra": 1}),
    ] {
        assert_eq!(post(bad.clone()).await.status(), 400, "{bad}");
    }
    assert_eq!(post(edit("k7", "SOLD", "New Lead")).await.status(), 200, "already as wanted: no conflict");
    let gone = json!({"key": "k8", "leadId": "nope", "fields": {"notes": "x"}, "base": {}});
    assert_eq!(post(gone).await.status(), 404);
}

#[tokio::test]
async fn deletions_reach_syncing_clients_as_tombstones() {
    let env = Env::start().await;
    let (id, token) = one_lead(&env, "rep@example.com").await;
    let before: LeadChanges = env.get("/api/sync/leads?after=0", &token).await.json().await.unwrap();
    assert_eq!(before.changes.len(), 1);
    assert!(before.deleted.is_empty());

    let res = env.http.delete(env.url(&format!("/api/leads/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res = env.http.delete(env.url(&format!("/api/leads/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(env.get(&format!("/api/leads/{id}"), &token).await.status(), 404);

    let after: LeadChanges =
        env.get(&format!("/api/sync/leads?after={}", before.cursor), &token).await.json().await.unwrap();
    assert_eq!((after.changes.len(), after.deleted.as_slice()), (0, &[id.clone()][..]));
    assert!(after.cursor > before.cursor);
    let from_scratch: LeadChanges = env.get("/api/sync/leads?after=0", &token).await.json().await.unwrap();
    assert_eq!((from_scratch.changes.len(), from_scratch.deleted.as_slice()), (0, &[id][..]));
    let caught_up: LeadChanges =
        env.get(&format!("/api/sync/leads?after={}", after.cursor), &token).await.json().await.unwrap();
    assert!(caught_up.deleted.is_empty() && caught_up.changes.is_empty());
}

#[tokio::test]
async fn every_tenant_has_the_seeded_dispositions() {
    let env = Env::start().await;
    let (_, token) = env.user("rep@example.com", Role::User, TenantChoice::Own).await;
    let found: Dispositions = env.get("/api/dispositions", &token).await.json().await.unwrap();
    let names: Vec<&str> = found.dispositions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"Positive Contact"));
    assert!(names.contains(&"Quoted") && names.contains(&"Ghosted"));
    assert_eq!(env.get("/api/dispositions", "bad").await.status(), 401);
}
