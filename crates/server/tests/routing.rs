//! Team lead routing over loopback: claims decided once, offers moving on and surviving a
//! reconnect or a restart, availability, modes changed in flight, and the speed report.

mod common;

use std::time::Duration;

use common::{call, lead_body, next_event, Env, Socket};
use crokodial_core::api::{Role, User, WebhookAck};
use crokodial_core::routing::{Claimed, RoutingView, SpeedReport};
use crokodial_core::ws::ServerMessage;
use crokodial_server::TenantChoice;
use reqwest::Method;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(5);

async fn claim(env: &Env, lead: &str, token: &str) -> reqwest::Response {
    call(env, Method::POST, &format!("/api/leads/{lead}/claim"), token, None).await
}

async fn set_routing(env: &Env, token: &str, body: Value) -> RoutingView {
    let res = call(env, Method::PUT, "/api/routing", token, Some(body)).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// A team: an admin who owns the tenant, and `reps` reps in it, each logged in.
async fn team(env: &Env, reps: usize) -> (User, String, Vec<(User, String)>) {
    let (admin, token) = env.user("boss@agency.test", Role::Admin, TenantChoice::Own).await;
    let mut members = Vec::new();
    for i in 0..reps {
        members.push(env.user(&format!("rep{i}@agency.test"), Role::User, TenantChoice::Of(admin.id.clone())).await);
    }
    (admin, token, members)
}

async fn post(env: &Env, admin: &User, first: &str, phone: &str) -> String {
    let ack: WebhookAck =
        env.post_lead(&env.creds_of(admin).await, &lead_body(first, phone)).await.json().await.unwrap();
    ack.lead_id
}

/// The next event that is not a lead's announcement (those go to every socket).
async fn next_routing_event(ws: &mut Socket, wait: Duration) -> Option<ServerMessage> {
    loop {
        match next_event(ws, wait).await {
            Some(ServerMessage::NewLead { .. }) => continue,
            other => return other,
        }
    }
}

#[tokio::test]
async fn twenty_concurrent_claims_make_one_owner() {
    let env = Env::start().await;
    let (admin, _, reps) = team(&env, 20).await;
    let mut sockets = Vec::new();
    for (_, token) in &reps {
        sockets.push(env.authed_socket(token).await);
    }
    let lead = post(&env, &admin, "Ann", "3125550101").await;
    for ws in &mut sockets {
        match next_event(ws, WAIT).await {
            Some(ServerMessage::NewLead { data, .. }) => {
                assert_eq!(data.offer.expect("offered").to.len(), 21, "everyone: the admin and 20 reps");
            }
            other => panic!("expected the lead, got {other:?}"),
        }
    }
    let claims = reps.iter().map(|(_, token)| claim(&env, &lead, token));
    let answers = futures_util::future::join_all(claims).await;
    let mut winners = Vec::new();
    let mut refusals = Vec::new();
    for (i, res) in answers.into_iter().enumerate() {
        match res.status().as_u16() {
            200 => winners.push((i, res.json::<Claimed>().await.unwrap())),
            409 => refusals.push(res.json::<Value>().await.unwrap()),
            other => panic!("a claim answered {other}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one owner");
    let (i, won) = &winners[0];
    let owner = &reps[*i].0;
    assert_eq!((won.claim.by.as_str(), won.lead.assigned_to.as_deref()), (owner.id.as_str(), Some(owner.id.as_str())));
    assert_eq!(refusals.len(), 19);
    for refusal in &refusals {
        assert_eq!(refusal["error"], "claimed");
        assert_eq!(refusal["message"], format!("Claimed by {}", owner.name), "says who has it");
    }
    for ws in &mut sockets {
        match next_routing_event(ws, WAIT).await {
            Some(ServerMessage::LeadClaimed { data, seq }) => {
                assert_eq!((data.lead_id.as_str(), data.claim.by.as_str()), (lead.as_str(), owner.id.as_str()));
                assert!(seq.is_some(), "a claim is a change of the lead");
            }
            other => panic!("expected the claim, got {other:?}"),
        }
        assert_eq!(next_routing_event(ws, Duration::from_millis(300)).await, None, "one claim event");
    }
    let stored: crokodial_core::Lead = env.get(&format!("/api/leads/{lead}"), &reps[0].1).await.json().await.unwrap();
    assert_eq!(stored.claim.map(|c| c.by), Some(owner.id.clone()), "the lead says who claimed it");
}

#[tokio::test]
async fn a_lead_in_flight_goes_round_robin_moves_on_in_its_window_and_a_reconnecting_rep_gets_it_back() {
    let env = Env::start().await;
    let (admin, admin_token, reps) = team(&env, 2).await;
    // The admin is away: the two reps share the leads.
    call(&env, Method::PUT, "/api/routing/availability", &admin_token, Some(json!({"available": false}))).await;
    let mut sockets = Vec::new();
    for (_, token) in &reps {
        sockets.push(env.authed_socket(token).await);
    }
    let lead = post(&env, &admin, "Ann", "3125550101").await;
    for ws in &mut sockets {
        let Some(ServerMessage::NewLead { data, .. }) = next_event(ws, WAIT).await else { panic!("no lead") };
        assert!(data.offer.unwrap().pool, "everyone, the default");
    }
    // In flight when the admin turns round robin on: offered to one rep alone now.
    set_routing(&env, &admin_token, json!({"mode": "round-robin", "offerSeconds": 5, "poolAfterSeconds": 60})).await;
    let mut offer = None;
    for ws in &mut sockets {
        match next_routing_event(ws, WAIT).await {
            Some(ServerMessage::LeadOffered { data }) => offer = Some(data.offer),
            other => panic!("expected the lead offered again, got {other:?}"),
        }
    }
    let offer = offer.unwrap();
    assert!(!offer.pool && offer.to.len() == 1 && offer.until.is_some(), "{offer:?}");
    let first = reps.iter().position(|(u, _)| offer.is_for(&u.id)).unwrap();
    let other = 1 - first;

    // The other rep cannot take it while it is the first's alone.
    let res = claim(&env, &lead, &reps[other].1).await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "offered_elsewhere");
    assert!(body["message"].as_str().unwrap().starts_with(&format!("Offered to {} alone", reps[first].0.name)));

    // The first rep's connection drops and comes back mid-offer: the offer is sent again.
    drop(sockets.remove(first));
    let (mut back, _) = env.resumed_socket(&reps[first].1, Some(1)).await;
    assert_eq!(common::until_caught_up(&mut back).await, std::slice::from_ref(&lead));

    // Unanswered, it moves to the other rep when its window ends; both sockets hear it.
    match next_routing_event(&mut back, Duration::from_secs(8)).await {
        Some(ServerMessage::LeadOffered { data }) => {
            assert_eq!(data.lead_id, lead);
            assert!(data.offer.is_for(&reps[other].0.id) && !data.offer.is_for(&reps[first].0.id));
            assert!(data.lead.is_some(), "an offer carries its lead");
        }
        other => panic!("expected the offer to move on, got {other:?}"),
    }
    let late = chrono::Utc::now() - offer.until.unwrap();
    assert!(late > chrono::Duration::milliseconds(-50), "not before its window ended: {late}");
    assert!(late < chrono::Duration::seconds(2), "moved on when its window ended, not later: {late}");
    let res = claim(&env, &lead, &reps[first].1).await;
    assert_eq!(res.status(), 409, "too late: it is the other rep's now");
    assert_eq!(claim(&env, &lead, &reps[other].1).await.status(), 200);
}

#[tokio::test]
async fn a_restarted_server_keeps_its_offers() {
    let env = Env::start().await;
    let (admin, admin_token, reps) = team(&env, 1).await;
    set_routing(&env, &admin_token, json!({"mode": "owner", "owner": "rep0@agency.test"})).await;
    let lead = post(&env, &admin, "Ann", "3125550101").await;
    let env = env.restart().await;
    let token = env.login("rep0@agency.test", common::PASSWORD).await;
    let (mut ws, _) = env.resumed_socket(&token, Some(0)).await;
    let mut offered = Vec::new();
    loop {
        match next_event(&mut ws, WAIT).await {
            Some(ServerMessage::NewLead { .. }) => {}
            Some(ServerMessage::LeadOffered { data }) => offered.push((data.lead_id, data.offer.to[0].id.clone())),
            Some(ServerMessage::CaughtUp) => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(offered, [(lead.clone(), reps[0].0.id.clone())], "still offered to the owner after a restart");
    let admin_token = env.login("boss@agency.test", common::PASSWORD).await;
    assert_eq!(claim(&env, &lead, &admin_token).await.status(), 409, "owner mode: only the owner");
    assert_eq!(claim(&env, &lead, &token).await.status(), 200);
}

#[tokio::test]
async fn changing_the_mode_offers_leads_in_flight_again() {
    let env = Env::start().await;
    let (admin, admin_token, reps) = team(&env, 1).await;
    let mut ws = env.authed_socket(&reps[0].1).await;
    let lead = post(&env, &admin, "Ann", "3125550101").await;
    assert!(matches!(next_event(&mut ws, WAIT).await, Some(ServerMessage::NewLead { .. })));
    // Owner mode with no owner chosen: the first admin.
    let view = set_routing(&env, &admin_token, json!({"mode": "owner"})).await;
    assert_eq!(view.owner_name.as_deref(), Some(admin.name.as_str()));
    match next_routing_event(&mut ws, WAIT).await {
        Some(ServerMessage::LeadOffered { data }) => {
            assert_eq!(data.lead_id, lead);
            assert!(data.offer.is_for(&admin.id) && !data.offer.pool && data.offer.until.is_none());
        }
        other => panic!("expected the lead offered again, got {other:?}"),
    }
    assert_eq!(claim(&env, &lead, &reps[0].1).await.status(), 409);
    // A deactivated owner is passed over for the next admin, at once for the lead in flight.
    let (second, _) = env.user("second@agency.test", Role::Admin, TenantChoice::Of(admin.id.clone())).await;
    let second_token = env.login("second@agency.test", common::PASSWORD).await;
    call(&env, Method::PATCH, &format!("/api/team/{}", admin.id), &second_token, Some(json!({"active": false}))).await;
    match next_routing_event(&mut ws, WAIT).await {
        Some(ServerMessage::LeadOffered { data }) => {
            assert_eq!(data.lead_id, lead);
            assert!(data.offer.is_for(&second.id), "moved off the deactivated owner: {:?}", data.offer);
        }
        other => panic!("expected the lead offered to the next admin, got {other:?}"),
    }
    let next = post(&env, &admin, "Bo", "3125550102").await;
    let Some(ServerMessage::NewLead { data, .. }) = next_event(&mut ws, WAIT).await else { panic!("no lead") };
    assert_eq!(data.lead_id.as_deref(), Some(next.as_str()));
    assert!(data.offer.unwrap().is_for(&second.id), "not the deactivated admin");
    let bad = call(&env, Method::PUT, "/api/routing", &second_token, Some(json!({"offerSeconds": 2}))).await;
    assert_eq!(bad.status(), 400);
    let rep = call(&env, Method::PUT, "/api/routing", &reps[0].1, Some(json!({"mode": "everyone"}))).await;
    assert_eq!(rep.status(), 403, "admins only");
}

#[tokio::test]
async fn an_away_rep_is_left_out_until_they_come_back() {
    let env = Env::start().await;
    let (admin, admin_token, reps) = team(&env, 1).await;
    let (rep, token) = &reps[0];
    let mut ws = env.authed_socket(&admin_token).await;
    let lead = post(&env, &admin, "Ann", "3125550101").await;
    assert!(matches!(next_event(&mut ws, WAIT).await, Some(ServerMessage::NewLead { .. })));
    let res = call(&env, Method::PUT, "/api/routing/availability", token, Some(json!({"available": false}))).await;
    let view: RoutingView = res.json().await.unwrap();
    assert!(!view.available);
    assert_eq!(view.team.iter().filter(|p| p.available).count(), 1);
    match next_routing_event(&mut ws, WAIT).await {
        Some(ServerMessage::LeadOffered { data }) => assert!(data.offer.pool && !data.offer.is_for(&rep.id)),
        other => panic!("expected the offer without the away rep, got {other:?}"),
    }
    let later = post(&env, &admin, "Bo", "3125550102").await;
    let Some(ServerMessage::NewLead { data, .. }) = next_event(&mut ws, WAIT).await else { panic!("no lead") };
    assert_eq!(data.lead_id.as_deref(), Some(later.as_str()));
    assert!(!data.offer.unwrap().is_for(&rep.id), "an away rep is not offered new leads");
    call(&env, Method::PUT, "/api/routing/availability", token, Some(json!({"available": true}))).await;
    for _ in 0..2 {
        match next_routing_event(&mut ws, WAIT).await {
            Some(ServerMessage::LeadOffered { data }) => assert!(data.offer.is_for(&rep.id), "back in"),
            other => panic!("expected the offers with the rep back, got {other:?}"),
        }
    }
    // Anyone may claim from the pool; the report counts it.
    assert_eq!(claim(&env, &lead, token).await.status(), 200);
    let report: SpeedReport = env.get("/api/reports/speed", &admin_token).await.json().await.unwrap();
    assert_eq!((report.unclaimed, report.vendors[0].offered, report.vendors[0].claimed), (1, 2, 1));
    let mine = report.reps.iter().find(|r| r.key == rep.id).unwrap();
    assert_eq!((mine.claimed, mine.label.as_str()), (1, rep.name.as_str()));
    assert!(mine.claim_p50_ms.is_some());
    assert_eq!(env.get("/api/reports/speed", token).await.status(), 403, "admins only");
    let imported_or_unknown = claim(&env, "000000000000000000000000", token).await;
    assert_eq!(imported_or_unknown.status(), 404);
}
