//! Calls over loopback: an attempt kept once per id, its outcome told later, the lead's tally
//! announced and synced, and another rep's call out of reach.

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{lead_body, next_event, Env};
use crokodial_core::api::{LeadChanges, Role, WebhookAck};
use crokodial_core::calls::{CallAnswer, CallList, DoNotCallList, Outcome};
use crokodial_core::ws::ServerMessage;
use crokodial_core::Lead;
use crokodial_server::TenantChoice;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(5);

async fn put_call(env: &Env, token: &str, id: &str, body: Value) -> reqwest::Response {
    env.http.put(env.url(&format!("/api/calls/{id}"))).bearer_auth(token).json(&body).send().await.unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[tokio::test]
async fn a_call_is_kept_once_its_outcome_told_later_and_the_lead_keeps_the_tally() {
    let env = Env::start().await;
    let (admin, admin_token) = env.user("boss@calls.test", Role::Admin, TenantChoice::Own).await;
    let (_rep, token) = env.user("ann@calls.test", Role::User, TenantChoice::Of(admin.id.clone())).await;
    let mut ws = env.authed_socket(&admin_token).await;
    let ack: WebhookAck =
        env.post_lead(&env.creds_of(&admin).await, &lead_body("Ivy", "3125550142")).await.json().await.unwrap();
    let lead = ack.lead_id;
    assert!(matches!(next_event(&mut ws, WAIT).await, Some(ServerMessage::NewLead { data, .. }) if data.is_new));
    let cursor = env.cursor(&admin_token).await;

    // Pressing Call: the attempt, with the app's own id. Sent twice (a retry): kept once.
    let first = json!({"leadId": lead, "at": "2026-12-07T15:00:00Z"});
    for _ in 0..2 {
        let res = put_call(&env, &token, "call-1", first.clone()).await;
        assert_eq!(res.status(), 200);
        let CallAnswer { call, lead: answered } = res.json().await.unwrap();
        assert_eq!(answered.calls.map(|t| t.count), Some(1));
        assert_eq!(
            (call.phone.as_str(), call.outcome, call.by_name.as_deref()),
            ("3125550142", None, Some("Name of ann@calls.test"))
        );
    }
    // Every socket of the tenant hears the lead's new tally, once, as an update.
    match next_event(&mut ws, WAIT).await {
        Some(ServerMessage::NewLead { data, .. }) => {
            assert!(!data.is_new);
            let tally = data.lead.unwrap().calls.unwrap();
            assert_eq!((tally.count, tally.last_at, tally.last_outcome), (1, at("2026-12-07T15:00:00Z"), None));
        }
        other => panic!("expected the lead's update, got {other:?}"),
    }
    assert_eq!(next_event(&mut ws, Duration::from_millis(300)).await, None, "the retry changed nothing");

    // Back from the call: its outcome and a note.
    let told =
        json!({"leadId": lead, "at": "2026-12-07T15:00:00Z", "outcome": "voicemail", "note": " left a message "});
    let CallAnswer { call, .. } = put_call(&env, &token, "call-1", told).await.json().await.unwrap();
    assert_eq!((call.outcome, call.note.as_deref()), (Some(Outcome::Voicemail), Some("left a message")));
    // A second attempt, later.
    let second = json!({"leadId": lead, "at": "2026-12-07T17:30:00Z", "outcome": "talked"});
    assert_eq!(put_call(&env, &token, "call-2", second).await.status(), 200);

    let lead_now: Lead = env.get(&format!("/api/leads/{lead}"), &admin_token).await.json().await.unwrap();
    let tally = lead_now.calls.unwrap();
    assert_eq!(
        (tally.count, tally.last_at, tally.last_outcome),
        (2, at("2026-12-07T17:30:00Z"), Some(Outcome::Talked))
    );
    // The tally syncs with the lead.
    let changes: LeadChanges =
        env.get(&format!("/api/sync/leads?after={cursor}"), &admin_token).await.json().await.unwrap();
    assert_eq!(changes.changes.last().unwrap().lead.calls.as_ref().map(|t| t.count), Some(2));

    // The lead's calls, newest first, for anyone of the team.
    let list: CallList = env.get(&format!("/api/calls?leadId={lead}"), &admin_token).await.json().await.unwrap();
    let ids: Vec<_> = list.calls.iter().map(|c| (c.id.as_str(), c.outcome)).collect();
    assert_eq!(ids, [("call-2", Some(Outcome::Talked)), ("call-1", Some(Outcome::Voicemail))]);
}

#[tokio::test]
async fn another_reps_call_other_tenants_leads_and_bad_reports_are_refused() {
    let env = Env::start().await;
    let (admin, admin_token) = env.user("boss@refuse.test", Role::Admin, TenantChoice::Own).await;
    let (_rep, token) = env.user("bo@refuse.test", Role::User, TenantChoice::Of(admin.id.clone())).await;
    let (_other, other_token) = env.user("eve@else.test", Role::Admin, TenantChoice::Own).await;
    let ack: WebhookAck =
        env.post_lead(&env.creds_of(&admin).await, &lead_body("Ivy", "3125550142")).await.json().await.unwrap();
    let lead = ack.lead_id;
    let body = json!({"leadId": lead, "at": "2026-12-07T15:00:00Z"});
    assert_eq!(put_call(&env, &token, "c-1", body.clone()).await.status(), 200);

    let status = |res: reqwest::Response| res.status().as_u16();
    assert_eq!(
        status(
            put_call(
                &env,
                &admin_token,
                "c-1",
                json!({"leadId": lead, "at": "2026-12-07T15:00:00Z", "outcome": "talked"})
            )
            .await
        ),
        403,
        "another rep's call"
    );
    assert_eq!(status(put_call(&env, &other_token, "c-2", body.clone()).await), 404, "another tenant's lead");
    assert_eq!(status(put_call(&env, &token, "c 3", body.clone()).await), 400, "a bad id");
    assert_eq!(
        status(put_call(&env, &token, "c-4", json!({"leadId": lead, "at": "2026-12-07T15:00:00Z", "by": "x"})).await),
        400
    );
    assert_eq!(
        status(
            put_call(&env, &token, "c-5", json!({"leadId": lead, "at": "2026-12-07T15:00:00Z", "outcome": "busy"}))
                .await
        ),
        400
    );
    // A clock running fast loses no call: it is dated by the server's.
    let future = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let dated: CallAnswer =
        put_call(&env, &token, "c-6", json!({"leadId": lead, "at": future})).await.json().await.unwrap();
    assert!(dated.call.at <= Utc::now());
    let long = json!({"leadId": lead, "at": "2026-12-07T15:00:00Z", "note": "x".repeat(2001)});
    assert_eq!(status(put_call(&env, &token, "c-7", long).await), 400);
    assert_eq!(status(env.http.put(env.url("/api/calls/c-8")).json(&body).send().await.unwrap()), 401);

    let list: CallList = env.get(&format!("/api/calls?leadId={lead}"), &other_token).await.json().await.unwrap();
    assert!(list.calls.is_empty(), "another tenant sees none");
    let list: CallList = env.get(&format!("/api/calls?leadId={lead}"), &admin_token).await.json().await.unwrap();
    assert_eq!(list.calls.len(), 2, "only the ones kept");
}

#[tokio::test]
async fn do_not_call_marks_every_lead_with_the_phone_until_an_admin_takes_it_off() {
    let env = Env::start().await;
    let (admin, admin_token) = env.user("boss@dnc.test", Role::Admin, TenantChoice::Own).await;
    let (_rep, token) = env.user("cy@dnc.test", Role::User, TenantChoice::Of(admin.id.clone())).await;
    let creds = env.creds_of(&admin).await;
    let post = |first: &'static str, phone: &'static str| {
        let (env, creds) = (&env, &creds);
        async move {
            let ack: WebhookAck = env.post_lead(creds, &lead_body(first, phone)).await.json().await.unwrap();
            ack.lead_id
        }
    };
    let (ivy, ivy_again, other) =
        (post("Ivy", "3125550142").await, post("Ivy2", "(312) 555-0142").await, post("Bo", "3125550143").await);
    let lead = |id: String| {
        let env = &env;
        let token = admin_token.clone();
        async move { env.get(&format!("/api/leads/{id}"), &token).await.json::<Lead>().await.unwrap() }
    };

    // "Do not call" as a call's outcome: the phone is listed, and both of its leads marked.
    let body = json!({"leadId": ivy, "at": "2026-12-07T15:00:00Z", "outcome": "dnc"});
    let CallAnswer { lead: answered, .. } = put_call(&env, &token, "dnc-1", body).await.json().await.unwrap();
    assert_eq!(answered.do_not_call.as_ref().map(|m| m.name.as_str()), Some("Name of cy@dnc.test"));
    assert!(lead(ivy_again.clone()).await.do_not_call.is_some(), "the same phone on another lead");
    assert!(lead(other.clone()).await.do_not_call.is_none());
    let list: DoNotCallList = env.get("/api/do-not-call", &token).await.json().await.unwrap();
    assert_eq!(list.phones.iter().map(|p| p.phone.as_str()).collect::<Vec<_>>(), ["3125550142"]);

    // A phone edited to the listed one, as typed, is stored as 10 digits and marked.
    let edit = json!({"phone": "(312) 555-0142"});
    let res = env.http.put(env.url(&format!("/api/leads/{other}"))).bearer_auth(&admin_token).json(&edit);
    assert_eq!(res.send().await.unwrap().status(), 200);
    let edited = lead(other.clone()).await;
    assert_eq!((edited.phone.as_deref(), edited.do_not_call.is_some()), (Some("3125550142"), true));
    let back = json!({"phone": "312-555-0143"});
    let res = env.http.put(env.url(&format!("/api/leads/{other}"))).bearer_auth(&admin_token).json(&back);
    assert_eq!(res.send().await.unwrap().status(), 200);
    assert!(lead(other.clone()).await.do_not_call.is_none(), "and unmarked when it moves off it");

    // A new lead with that phone comes marked; one added by hand, too.
    let newer = post("Ivy3", "312.555.0142").await;
    assert!(lead(newer).await.do_not_call.is_some());
    let res = env.http.post(env.url("/api/do-not-call")).bearer_auth(&token).json(&json!({"phone": "(312) 555-0143"}));
    assert_eq!(res.send().await.unwrap().status(), 200);
    assert!(lead(other.clone()).await.do_not_call.is_some());
    let bad = env.http.post(env.url("/api/do-not-call")).bearer_auth(&token).json(&json!({"phone": "12"}));
    assert_eq!(bad.send().await.unwrap().status(), 400);

    // Only an admin takes a phone off; its leads lose the mark.
    let delete = |who: &str| env.http.delete(env.url("/api/do-not-call/3125550142")).bearer_auth(who.to_owned());
    assert_eq!(delete(&token).send().await.unwrap().status(), 403);
    let left: DoNotCallList = delete(&admin_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(left.phones.len(), 1);
    assert!(lead(ivy).await.do_not_call.is_none() && lead(ivy_again).await.do_not_call.is_none());
    assert_eq!(delete(&admin_token).send().await.unwrap().status(), 404);
}
