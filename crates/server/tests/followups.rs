//! Follow-ups over loopback: each rep's own callbacks and pins, written once per id, the later
//! change winning, done ones kept a while, and nobody else's in reach.

mod common;

use common::{lead_body, Env};
use crokodial_core::api::{Role, WebhookAck};
use crokodial_core::followups::{pin_id, FollowUp, FollowUps};
use crokodial_server::TenantChoice;
use serde_json::json;

#[tokio::test]
async fn a_reps_callbacks_and_pins_are_theirs_and_the_later_change_wins() {
    let env = Env::start().await;
    let (admin, admin_token) = env.user("boss@follow.test", Role::Admin, TenantChoice::Own).await;
    let (_rep, token) = env.user("ann@follow.test", Role::User, TenantChoice::Of(admin.id.clone())).await;
    let ack: WebhookAck =
        env.post_lead(&env.creds_of(&admin).await, &lead_body("Ivy", "3125550142")).await.json().await.unwrap();
    let lead = ack.lead_id;
    let put = |who: &str, body: serde_json::Value| {
        let id = body["id"].as_str().unwrap().to_owned();
        env.http.put(env.url(&format!("/api/followups/{id}"))).bearer_auth(who.to_owned()).json(&body)
    };
    let list = |who: &str| {
        let req = env.http.get(env.url("/api/followups")).bearer_auth(who.to_owned());
        async move { req.send().await.unwrap().json::<FollowUps>().await.unwrap().followups }
    };

    let callback = json!({"id": "cb-1", "leadId": lead, "due": "2026-12-08T15:00:00Z", "note": "after lunch",
                          "updatedAt": "2026-12-07T16:00:00Z"});
    let pin = json!({"id": pin_id(&lead), "leadId": lead, "updatedAt": "2026-12-07T16:00:00Z"});
    for body in [&callback, &callback, &pin] {
        assert_eq!(put(&token, body.clone()).send().await.unwrap().status(), 200);
    }
    let mine = list(&token).await;
    assert_eq!(
        mine.iter().map(|f| (f.id.as_str(), f.is_pin())).collect::<Vec<_>>(),
        [("cb-1", false), (pin_id(&lead).as_str(), true)]
    );
    assert!(list(&admin_token).await.is_empty(), "another rep's are not theirs to see");

    // Snoozed on one computer (later), then an older change arrives from another: the later stays.
    let snoozed =
        json!({"id": "cb-1", "leadId": lead, "due": "2026-12-08T15:10:00Z", "updatedAt": "2026-12-07T17:00:00Z"});
    let older =
        json!({"id": "cb-1", "leadId": lead, "due": "2026-12-09T15:00:00Z", "updatedAt": "2026-12-07T16:30:00Z"});
    put(&token, snoozed).send().await.unwrap();
    let kept: FollowUp = put(&token, older).send().await.unwrap().json().await.unwrap();
    assert_eq!(kept.due, Some("2026-12-08T15:10:00Z".parse().unwrap()));

    // Done: still listed a while; deleted: gone.
    let done = json!({"id": "cb-1", "leadId": lead, "due": "2026-12-08T15:10:00Z", "doneAt": chrono::Utc::now(),
                      "updatedAt": chrono::Utc::now()});
    put(&token, done).send().await.unwrap();
    assert!(list(&token).await.iter().any(|f| f.id == "cb-1" && f.done_at.is_some()));
    let delete = |id: String| env.http.delete(env.url(&format!("/api/followups/{id}"))).bearer_auth(&token);
    assert_eq!(delete(pin_id(&lead)).send().await.unwrap().status(), 204);
    assert_eq!(delete(pin_id(&lead)).send().await.unwrap().status(), 404);
    // An older change of the removed pin, sent late by another computer, does not bring it back.
    put(&token, pin.clone()).send().await.unwrap();
    assert!(!list(&token).await.iter().any(|f| f.is_pin()), "removed stays removed");
    let pinned_again = json!({"id": pin_id(&lead), "leadId": lead, "updatedAt": chrono::Utc::now()});
    put(&token, pinned_again).send().await.unwrap();
    assert!(list(&token).await.iter().any(|f| f.is_pin()), "pinned again later");

    // Refused: another tenant's lead, a bad id, an id unlike the path's, a long note.
    let (_eve, eve_token) = env.user("eve@else.test", Role::Admin, TenantChoice::Own).await;
    let status = |who: &str, body: serde_json::Value| {
        let req = put(who, body);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let at = "2026-12-07T16:00:00Z";
    assert_eq!(status(&eve_token, json!({"id": "cb-2", "leadId": lead, "updatedAt": at})).await, 404);
    assert_eq!(status(&token, json!({"id": "cb_2", "leadId": lead, "updatedAt": at})).await, 400);
    let other_path = env.http.put(env.url("/api/followups/cb-3")).bearer_auth(&token);
    let res = other_path.json(&json!({"id": "cb-4", "leadId": lead, "updatedAt": at})).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        status(&token, json!({"id": "cb-5", "leadId": lead, "updatedAt": at, "note": "x".repeat(501)})).await,
        400
    );
}
