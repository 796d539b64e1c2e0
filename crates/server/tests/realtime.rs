//! The NextGen webhook and the real-time socket, over real loopback HTTP and WebSocket.

mod common;

use std::time::Duration;

use common::{lead_body, next_event, send, Env};
use crokodial_core::api::{ErrorBody, LeadsPage, Role, WebhookAck};
use crokodial_core::ws::{ClientMessage, ServerMessage};
use crokodial_core::Lead;
use crokodial_server::{TenantChoice, WebhookCredentials};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

const QUIET: Duration = Duration::from_millis(1000);
const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn webhook_rejects_bad_credentials_and_bodies() {
    let env = Env::start().await;
    let (a, _) = env.user("a@example.com", Role::Admin, TenantChoice::Own).await;
    let creds = env.creds_of(&a).await;

    let wrong = WebhookCredentials { sid: creds.sid.clone(), apikey: "key_wrong".into() };
    let res = env.post_lead(&wrong, &lead_body("Ann", "2015550123")).await;
    assert_eq!(res.status(), 401);
    assert!(res.json::<ErrorBody>().await.unwrap().error.is_some());
    let res =
        env.http.post(env.url("/api/webhooks/nextgen")).json(&lead_body("Ann", "2012345678")).send().await.unwrap();
    assert_eq!(res.status(), 401);

    let res = env.post_lead(&creds, &serde_json::json!({"first_name": "Ann"})).await;
    assert_eq!(res.status(), 400);
    let body: ErrorBody = res.json().await.unwrap();
    assert_eq!(body.message.as_deref(), Some("a lead needs a phone or an email"));

    let res = env.post_lead(&creds, &serde_json::json!(["Ann", "Lee", "2012345678"])).await;
    assert_eq!(res.status(), 400);
    assert!(res.json::<ErrorBody>().await.unwrap().message.unwrap().contains("JSON object"));

    let res = env
        .http
        .post(env.url("/api/webhooks/nextgen"))
        .header("sid", &creds.sid)
        .header("apikey", &creds.apikey)
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.json::<ErrorBody>().await.unwrap().error.is_some());

    let huge = format!(r#"{{"email":"a@b.co","notes":"{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let res = env
        .http
        .post(env.url("/api/webhooks/nextgen"))
        .header("sid", &creds.sid)
        .header("apikey", &creds.apikey)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: ErrorBody = res.json().await.unwrap();
    assert_eq!(body.error.as_deref(), Some("payload_too_large"));

    // Nothing was stored.
    let (_, token) = (a.clone(), env.login("a@example.com", common::PASSWORD).await);
    let page: LeadsPage = env.get("/api/leads", &token).await.json().await.unwrap();
    assert_eq!(page.pagination.total, 0);
}

#[tokio::test]
async fn repeated_vendor_lead_updates_once_and_alerts_once() {
    let env = Env::start().await;
    let (a, token) = env.user("a@example.com", Role::Admin, TenantChoice::Own).await;
    let creds = env.creds_of(&a).await;
    let mut ws = env.authed_socket(&token).await;

    let hostile = "<img src=x onerror=alert(1)>";
    let mut body = lead_body("Ann", "(201) 555-0123");
    body["first_name"] = hostile.into();
    let res = env.post_lead(&creds, &body).await;
    assert_eq!(res.status(), 201);
    assert!(res.headers().contains_key("x-process-time"));
    let first: WebhookAck = res.json().await.unwrap();
    assert!(first.success && first.is_new);

    body["city"] = "Hoboken".into();
    let res = env.post_lead(&creds, &body).await;
    assert_eq!(res.status(), 200);
    let second: WebhookAck = res.json().await.unwrap();
    assert!(!second.is_new);
    assert_eq!(second.lead_id, first.lead_id);

    match next_event(&mut ws, WAIT).await {
        Some(ServerMessage::NewLead { data, .. }) => {
            assert_eq!(data.lead_id.as_deref(), Some(first.lead_id.as_str()));
            assert!(data.is_new_lead());
            let offer = data.offer.expect("a new vendor lead is announced with its offer");
            assert!(offer.pool && offer.is_for(&a.id), "everyone (the default) is offered it: {offer:?}");
        }
        other => panic!("expected the new lead, got {other:?}"),
    }
    match next_event(&mut ws, WAIT).await {
        Some(ServerMessage::NewLead { data, .. }) => {
            assert_eq!(data.lead_id.as_deref(), Some(first.lead_id.as_str()), "the same lead");
            assert!(!data.is_new && !data.is_new_lead(), "an update does not alert again");
        }
        other => panic!("expected the update, got {other:?}"),
    }
    assert_eq!(next_event(&mut ws, QUIET).await, None);

    let page: LeadsPage = env.get("/api/leads", &token).await.json().await.unwrap();
    assert_eq!(page.pagination.total, 1);
    let lead: Lead = env.get(&format!("/api/leads/{}", first.lead_id), &token).await.json().await.unwrap();
    assert_eq!(lead.first_name.as_deref(), Some(hostile), "stored byte-for-byte");
    assert_eq!(lead.name, format!("{hostile} Tester"));
    assert_eq!(lead.zipcode.as_deref(), Some("07030"));
    assert_eq!(lead.city.as_deref(), Some("Hoboken"), "the update was applied");
    assert_eq!(lead.phone.as_deref(), Some("2015550123"));
    assert_eq!(lead.tenant_id.as_deref(), Some(a.id.as_str()));
    assert_eq!(lead.assigned_to, None, "nobody owns it until a rep claims it");
    assert_eq!(lead.disposition.as_deref(), Some("New Lead"));
    assert!(lead.created_at.is_some());

    // Raw JSON too: the hostile text is not escaped or altered.
    let raw = env.get(&format!("/api/leads/{}", first.lead_id), &token).await.text().await.unwrap();
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(v["firstName"], hostile);
}

/// The fast path announces the lead as the vendor sent it; what is derived afterwards (the time
/// zone, from the state) follows as an update of the same lead, which does not alert.
#[tokio::test]
async fn enrichment_follows_as_an_update() {
    let env = Env::start().await;
    let (admin, token) = env.user("enrich@example.com", Role::Admin, TenantChoice::Own).await;
    let creds = env.creds_of(&admin).await;
    let mut ws = env.authed_socket(&token).await;
    let mut body = lead_body("Ivy", "3125550142");
    body["state"] = "il".into();
    body["zip_code"] = "60601".into();
    let ack: WebhookAck = env.post_lead(&creds, &body).await.json().await.unwrap();

    let Some(ServerMessage::NewLead { data: first, seq: Some(s1), .. }) = next_event(&mut ws, WAIT).await else {
        panic!("the lead")
    };
    assert!(first.is_new_lead());
    assert_eq!(first.lead.as_ref().unwrap().time_zone, None, "announced before enrichment");
    let Some(ServerMessage::NewLead { data: update, seq: Some(s2), .. }) = next_event(&mut ws, WAIT).await else {
        panic!("the enrichment")
    };
    assert_eq!((update.lead_id.as_deref(), update.is_new, s2), (Some(ack.lead_id.as_str()), false, s1 + 1));
    assert_eq!(update.lead.as_ref().unwrap().time_zone.as_deref(), Some("America/Chicago"));
    assert_eq!(next_event(&mut ws, QUIET).await, None);
    let lead: Lead = env.get(&format!("/api/leads/{}", ack.lead_id), &token).await.json().await.unwrap();
    assert_eq!((lead.state.as_deref(), lead.time_zone.as_deref()), (Some("IL"), Some("America/Chicago")));
}

#[tokio::test]
async fn socket_authentication() {
    let env = Env::start().await;
    let (_, token) = env.user("a@example.com", Role::User, TenantChoice::Own).await;
    let _ok = env.authed_socket(&token).await;

    // Bad JSON gets an error and the socket stays usable.
    let mut ws = env.socket().await;
    ws.send(Message::Text("{not json".into())).await.unwrap();
    assert_eq!(
        next_event(&mut ws, WAIT).await,
        Some(ServerMessage::Error { message: "Invalid message format".into() })
    );
    send(&mut ws, &ClientMessage::Authenticate { token: token.clone(), resume_after: None }).await;
    assert!(matches!(next_event(&mut ws, WAIT).await, Some(ServerMessage::AuthSuccess { .. })));

    // A bad token: auth_failure, then close 1008.
    let mut ws = env.socket().await;
    send(&mut ws, &ClientMessage::Authenticate { token: "nope".into(), resume_after: None }).await;
    match next_event(&mut ws, WAIT).await {
        Some(ServerMessage::AuthFailure { code, message }) => {
            assert_eq!(code.as_deref(), Some("INVALID_TOKEN"));
            assert!(!message.is_empty());
        }
        other => panic!("expected auth_failure, got {other:?}"),
    }
    let close = tokio::time::timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(close, Some(CloseCode::Policy));

    // Plain HTTP on a non-API path is a JSON 404, not an upgrade.
    let res = env.http.get(env.url("/socket")).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn events_reach_only_the_tenant_that_owns_the_lead() {
    let env = Env::start().await;
    let (a, token_a) = env.user("a@example.com", Role::Admin, TenantChoice::Own).await;
    let (b, token_b) = env.user("b@example.com", Role::Admin, TenantChoice::Own).await;
    let (_, token_rep) = env.user("rep@example.com", Role::User, TenantChoice::Of(a.id.clone())).await;
    let (creds_a, creds_b) = (env.creds_of(&a).await, env.creds_of(&b).await);

    let mut ws_a = env.authed_socket(&token_a).await;
    let mut ws_a2 = env.authed_socket(&token_a).await; // same user, second device
    let mut ws_rep = env.authed_socket(&token_rep).await;
    let mut ws_b = env.authed_socket(&token_b).await;
    let mut anon = env.socket().await;

    let ack: WebhookAck = env.post_lead(&creds_a, &lead_body("Ann", "2015550123")).await.json().await.unwrap();
    for ws in [&mut ws_a, &mut ws_a2, &mut ws_rep] {
        match next_event(ws, WAIT).await {
            Some(ServerMessage::NewLead { data, timestamp, .. }) => {
                assert_eq!(data.lead_id.as_deref(), Some(ack.lead_id.as_str()));
                assert_eq!(data.name, "Ann Tester");
                assert_eq!(data.source.as_deref(), Some("NextGen"));
                assert!(data.is_new && data.is_new_lead());
                assert_eq!(data.phone.as_deref(), Some("2015550123"));
                assert_eq!(data.lead.as_ref().map(|l| l.id.as_str()), Some(ack.lead_id.as_str()));
                assert!(timestamp.is_some());
            }
            other => panic!("tenant A expected the lead, got {other:?}"),
        }
    }
    assert_eq!(next_event(&mut ws_b, QUIET).await, None, "tenant B must hear nothing");
    assert_eq!(next_event(&mut anon, QUIET).await, None, "an unauthenticated socket must hear nothing");

    let ack_b: WebhookAck = env.post_lead(&creds_b, &lead_body("Bea", "3055550199")).await.json().await.unwrap();
    match next_event(&mut ws_b, WAIT).await {
        Some(ServerMessage::NewLead { data, .. }) => {
            assert_eq!(data.lead_id.as_deref(), Some(ack_b.lead_id.as_str()))
        }
        other => panic!("tenant B expected its lead, got {other:?}"),
    }
    assert_eq!(next_event(&mut ws_b, QUIET).await, None, "exactly one event for B");
    assert_eq!(next_event(&mut ws_a, Duration::from_millis(200)).await, None);
    assert_eq!(next_event(&mut anon, Duration::from_millis(200)).await, None);
}

#[tokio::test]
async fn silent_sockets_are_dropped_and_closed_on_shutdown() {
    let env = Env::start_with(|c| c.ping_interval = Duration::from_millis(200)).await;
    let (a, token) = env.user("a@example.com", Role::User, TenantChoice::Own).await;
    let tenant = env.server.tenant_of(&a.id).await.unwrap();

    // A socket that answers pings (tungstenite pongs while we read) stays.
    let mut live = env.authed_socket(&token).await;
    // One that never reads never pongs, and is dropped after two intervals.
    let _silent = env.authed_socket(&token).await;
    assert_eq!(env.server.socket_count(&tenant), 2);
    assert_eq!(next_event(&mut live, Duration::from_millis(1200)).await, None);
    assert_eq!(env.server.socket_count(&tenant), 1);

    let started = std::time::Instant::now();
    env.server.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(4), "shutdown does not wait for open sockets");
    let ended = tokio::time::timeout(WAIT, async {
        while let Some(Ok(msg)) = live.next().await {
            if msg.is_close() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the socket is closed at shutdown");
}

#[tokio::test]
async fn demo_feed_posts_to_its_own_webhook() {
    let env = Env::start_with(|c| {
        c.demo = true;
        c.demo_feed = Some(Duration::from_millis(300));
    })
    .await;
    let admin = env.server.demo_accounts().into_iter().find(|a| a.role == Role::Admin).unwrap();
    let token = env.login(&admin.email, &admin.password).await;
    let mut ws = env.authed_socket(&token).await;
    // Leads fed before the socket signed in come first as the offers still open to this admin.
    let mut next = next_event(&mut ws, WAIT).await;
    while let Some(ServerMessage::LeadOffered { .. }) = next {
        next = next_event(&mut ws, WAIT).await;
    }
    match next {
        Some(ServerMessage::NewLead { data, .. }) => {
            assert!(data.is_new_lead(), "{data:?}");
            let lead = data.lead.expect("the full lead");
            assert!(lead.phone.is_some() && lead.zipcode.is_some());
        }
        other => panic!("expected a fed lead, got {other:?}"),
    }
}

/// Sequence numbers rise per tenant, and a socket that resumes after N gets exactly the changes
/// after N from storage — new leads as new, updates as updates — then live events, none twice.
#[tokio::test]
async fn resume_replays_what_was_missed_then_goes_live() {
    let env = Env::start().await;
    let (a, token) = env.user("resume-a@example.com", Role::Admin, TenantChoice::Own).await;
    let (b, _) = env.user("resume-b@example.com", Role::Admin, TenantChoice::Own).await;
    let (creds_a, creds_b) = (env.creds_of(&a).await, env.creds_of(&b).await);

    let (mut first, start) = env.resumed_socket(&token, None).await;
    assert_eq!(start, 0, "a tenant without leads is at 0");
    let mut ids = Vec::new();
    for (i, name) in ["One", "Two", "Three"].iter().enumerate() {
        let mut body = lead_body(name, &format!("201555010{i}"));
        body["lead_id"] = format!("v-{i}").into();
        let ack: WebhookAck = env.post_lead(&creds_a, &body).await.json().await.unwrap();
        ids.push(ack.lead_id);
        // Another tenant's leads take that tenant's numbers, not ours.
        env.post_lead(&creds_b, &lead_body("Other", &format!("202555010{i}"))).await;
    }
    let mut seen = Vec::new();
    while let Some(ServerMessage::NewLead { seq, .. }) = next_event(&mut first, QUIET).await {
        seen.push(seq.unwrap());
    }
    assert_eq!(seen, [1, 2, 3]);

    // Offline after seq 1: lead Two is updated (seq 4) and lead Four arrives (seq 5).
    drop(first);
    let mut update = lead_body("Two", "2015550101");
    update["lead_id"] = "v-1".into();
    update["city"] = "Newark".into();
    env.post_lead(&creds_a, &update).await;
    let four: WebhookAck = env.post_lead(&creds_a, &lead_body("Four", "2015550104")).await.json().await.unwrap();

    let (mut resumed, last) = env.resumed_socket(&token, Some(1)).await;
    assert_eq!(last, 5);
    let mut replayed = Vec::new();
    for _ in 0..3 {
        match next_event(&mut resumed, WAIT).await {
            Some(ServerMessage::NewLead { data, seq, .. }) => {
                replayed.push((seq.unwrap(), data.lead_id.unwrap(), data.is_new))
            }
            other => panic!("expected a replayed lead, got {other:?}"),
        }
    }
    // Two's old change (seq 2) is superseded by its update (seq 4): one entry, its latest state,
    // and new to this client (created after 1).
    assert_eq!(replayed, [(3, ids[2].clone(), true), (4, ids[1].clone(), true), (5, four.lead_id.clone(), true)]);
    // Then every offer still open to this rep (nobody claimed any), oldest first, and the mark
    // that the socket has caught up.
    let mut open = ids.clone();
    open.push(four.lead_id.clone());
    assert_eq!(common::until_caught_up(&mut resumed).await, open);

    // Then live, exactly once.
    env.post_lead(&creds_a, &lead_body("Five", "2015550105")).await;
    match next_event(&mut resumed, WAIT).await {
        Some(ServerMessage::NewLead { seq, data, .. }) => {
            assert_eq!(seq, Some(6));
            assert_eq!(data.name, "Five Tester");
        }
        other => panic!("expected the live lead, got {other:?}"),
    }
    assert_eq!(next_event(&mut resumed, QUIET).await, None);

    // Resuming from the present replays nothing; an update of an old lead is not new.
    let (mut current, _) = env.resumed_socket(&token, Some(6)).await;
    assert_eq!(common::until_caught_up(&mut current).await.len(), 5, "the five open offers");
    let mut again = lead_body("One", "2015550100");
    again["lead_id"] = "v-0".into();
    env.post_lead(&creds_a, &again).await;
    match next_event(&mut current, WAIT).await {
        Some(ServerMessage::NewLead { seq, data, .. }) => {
            assert_eq!((seq, data.is_new), (Some(7), false));
        }
        other => panic!("expected the update, got {other:?}"),
    }
}

/// Concurrent webhooks: every socket still receives the tenant's events in strictly increasing
/// sequence order (a client resumes after the highest it saw, so order is what makes that safe).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_webhooks_reach_sockets_in_sequence_order() {
    let env = Env::start().await;
    let (a, token) = env.user("order@example.com", Role::Admin, TenantChoice::Own).await;
    let creds = env.creds_of(&a).await;
    let mut ws = env.authed_socket(&token).await;

    let posts: Vec<_> = (0..60)
        .map(|i| {
            let (http, url, creds) = (env.http.clone(), env.url("/api/webhooks/nextgen"), creds.clone());
            tokio::spawn(async move {
                let body = lead_body(&format!("Lead{i}"), &format!("20155{:05}", 20_000 + i));
                http.post(url).header("sid", &creds.sid).header("apikey", &creds.apikey).json(&body).send().await
            })
        })
        .collect();
    for p in posts {
        assert!(p.await.unwrap().unwrap().status().is_success());
    }
    let mut seqs = Vec::new();
    while seqs.len() < 60 {
        match next_event(&mut ws, WAIT).await {
            Some(ServerMessage::NewLead { seq: Some(seq), .. }) => seqs.push(seq),
            other => panic!("expected a lead, got {other:?}"),
        }
    }
    assert_eq!(seqs, (1..=60).collect::<Vec<u64>>());
}

/// A runaway sender gets 429 with Retry-After once past its tenant's rate; other tenants don't.
#[tokio::test]
async fn webhook_posts_past_the_rate_get_429() {
    let env = Env::start_with(|c| c.webhook_rate = std::num::NonZeroU32::new(5).unwrap()).await;
    let (a, _) = env.user("rate-a@example.com", Role::Admin, TenantChoice::Own).await;
    let (b, _) = env.user("rate-b@example.com", Role::Admin, TenantChoice::Own).await;
    let (creds_a, creds_b) = (env.creds_of(&a).await, env.creds_of(&b).await);

    let mut statuses = Vec::new();
    for i in 0..8 {
        let res = env.post_lead(&creds_a, &lead_body(&format!("Burst{i}"), &format!("20155503{i:02}"))).await;
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            assert!(res.headers().get("retry-after").is_some());
            let body: ErrorBody = res.json().await.unwrap();
            assert_eq!(body.error.as_deref(), Some("rate_limited"));
        }
    }
    assert_eq!(&statuses[..5], [201; 5], "the burst is accepted");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(env.post_lead(&creds_b, &lead_body("Other", "2015550399")).await.status(), 201, "per tenant");
}
