//! The socket supervisor against our real server over loopback.

use std::time::Duration;

use crokodial_client::api::ApiClient;
use crokodial_client::secrets::Sensitive;
use crokodial_client::socket::{ConnectionState, Heartbeat, SocketEvent, SocketHandle};
use crokodial_testkit::{CutProxy, TestAccount, TestServer};
use serde_json::json;
use tokio::sync::watch;
use tokio::time::timeout;

async fn wait_for(
    state: &mut watch::Receiver<ConnectionState>,
    want: impl Fn(&ConnectionState) -> bool,
) -> ConnectionState {
    let found = timeout(Duration::from_secs(15), state.wait_for(|s| want(s))).await;
    found.expect("state reached in time").expect("supervisor alive").clone()
}

async fn token_for(server: &TestServer, email: &str, password: &str) -> Sensitive<String> {
    Sensitive(ApiClient::new(&server.url()).unwrap().login(email, password).await.unwrap().token)
}

#[tokio::test(flavor = "multi_thread")]
async fn goes_live_and_decodes_typed_events() {
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("live@agency.test").await.unwrap();
    let token = token_for(&server, &admin.email, &admin.password).await;
    let api = ApiClient::new(&server.url()).unwrap();
    let mut socket = SocketHandle::spawn(&api.clone().with_token(token)).unwrap();
    wait_for(&mut socket.state(), |s| *s == ConnectionState::Live).await;

    let id = server
        .post_nextgen(&admin.webhook, json!({"first_name": "Lia", "phone": "4155550123", "state": "ca"}))
        .await
        .unwrap();
    let event = timeout(Duration::from_secs(5), socket.next_event()).await.unwrap().unwrap();
    assert_eq!(event, SocketEvent::Routing, "our server says it routes leads as the socket signs in");
    let event = timeout(Duration::from_secs(5), socket.next_event()).await.unwrap().unwrap();
    let SocketEvent::NewLead(lead) = event else { panic!("{event:?}") };
    assert_eq!(lead.lead_id.as_deref(), Some(id.as_str()));
    assert_eq!(lead.name, "Lia");
    assert!(lead.is_new_lead());
    assert_eq!(lead.lead.unwrap().state.as_deref(), Some("CA"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_token_is_auth_failed_and_not_retried() {
    let server = TestServer::start(false).await.unwrap();
    let api = ApiClient::new(&server.url()).unwrap();
    let socket = SocketHandle::spawn(&api.with_token(Sensitive("not.a.jwt".into()))).unwrap();
    let state = wait_for(&mut socket.state(), |s| matches!(s, ConnectionState::AuthFailed { .. })).await;
    assert!(matches!(state, ConnectionState::AuthFailed { .. }));
}

#[tokio::test(flavor = "multi_thread")]
async fn reconnects_when_the_server_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let config = crokodial_server::Config::for_tests(db.clone());
    let secret = config.jwt_secret.clone();
    let server = crokodial_server::Server::start(config).await.unwrap();
    let addr = server.addr();
    let user = server
        .create_user(crokodial_server::NewUser {
            email: "back@agency.test".into(),
            name: "Back".into(),
            role: crokodial_core::api::Role::Admin,
            password: "pw-back".into(),
            tenant: crokodial_server::TenantChoice::Own,
        })
        .await
        .unwrap();
    let api = ApiClient::new(&server.base_url()).unwrap();
    let token = Sensitive(api.login(&user.email, "pw-back").await.unwrap().token);
    let socket = SocketHandle::spawn(&api.clone().with_token(token)).unwrap();
    let mut state = socket.state();
    wait_for(&mut state, |s| *s == ConnectionState::Live).await;

    server.shutdown().await;
    wait_for(&mut state, |s| matches!(s, ConnectionState::Offline { retrying: true, .. })).await;

    let mut config = crokodial_server::Config::for_tests(db);
    config.listen = addr;
    config.jwt_secret = secret;
    let _server = crokodial_server::Server::start(config).await.unwrap();
    wait_for(&mut state, |s| *s == ConnectionState::Live).await;
}

/// A server, an admin of it, a proxy in front of it, and a live supervisor connected through it.
async fn live_behind_proxy(email: &str, heartbeat: Heartbeat) -> (TestServer, TestAccount, CutProxy, SocketHandle) {
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin(email).await.unwrap();
    let token = token_for(&server, &admin.email, &admin.password).await;
    let proxy = CutProxy::start(server.server.addr()).await.unwrap();
    let api = ApiClient::new(&proxy.url()).unwrap();
    let socket = SocketHandle::spawn_with(&api.with_token(token), heartbeat).unwrap();
    wait_for(&mut socket.state(), |s| *s == ConnectionState::Live).await;
    (server, admin, proxy, socket)
}

/// The client's connection drops mid-stream while leads keep arriving: after it reconnects it
/// receives exactly the leads it missed, in order, then live ones, none twice.
#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_resumes_with_exactly_what_was_missed() {
    let (server, admin, proxy, mut socket) = live_behind_proxy("resume@agency.test", Heartbeat::default()).await;
    let mut state = socket.state();

    let post = |i: usize| {
        let body = json!({"first_name": format!("Lead{i}"), "phone": format!("41555501{i:02}")});
        let (server, admin) = (&server, &admin);
        async move { server.post_nextgen(&admin.webhook, body).await.unwrap() }
    };
    let mut sent = vec![post(0).await];

    proxy.cut();
    wait_for(&mut state, |s| matches!(s, ConnectionState::Offline { .. })).await;
    for i in 1..=5 {
        sent.push(post(i).await);
    }
    proxy.restore();
    wait_for(&mut state, |s| *s == ConnectionState::Live).await;

    let (mut received, mut reconnects, mut offered) = (Vec::new(), Vec::new(), Vec::new());
    let (mut routing, mut caught_up) = (0, 0);
    // The replay and the open offers first; then a live lead.
    let mut live_sent = false;
    while received.len() < sent.len() || !live_sent {
        if caught_up == 1 && !live_sent {
            sent.push(post(6).await);
            live_sent = true;
        }
        match timeout(Duration::from_secs(10), socket.next_event()).await.expect("events keep coming").unwrap() {
            SocketEvent::NewLead(lead) => received.push(lead.lead_id.unwrap()),
            SocketEvent::Reconnected { resumed } => reconnects.push(resumed),
            SocketEvent::Routing => routing += 1,
            SocketEvent::Offered(offer) => offered.push(offer.lead_id),
            SocketEvent::CaughtUp => caught_up += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(received, sent, "every lead, in order, once");
    assert_eq!(reconnects, [true], "one reconnect, resumed by the server");
    assert_eq!((routing, caught_up), (2, 1), "each sign-in says it routes; the resumed one catches up");
    assert_eq!(offered, sent[..6], "the open offers, after the replay");
    assert!(timeout(Duration::from_millis(500), socket.next_event()).await.is_err(), "nothing twice");
}

/// A half-open connection (bytes vanish, nothing closes) is found by the heartbeat within
/// `interval + deadline`, and the supervisor reconnects.
#[tokio::test(flavor = "multi_thread")]
async fn a_half_open_connection_is_found_by_the_heartbeat() {
    let heartbeat = Heartbeat { interval: Duration::from_millis(200), deadline: Duration::from_millis(300) };
    let (_server, _admin, proxy, socket) = live_behind_proxy("halfopen@agency.test", heartbeat).await;
    let mut state = socket.state();

    // Live and answering: several heartbeats pass without a drop.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(*state.borrow(), ConnectionState::Live);

    proxy.freeze();
    let frozen_at = std::time::Instant::now();
    let dropped = wait_for(&mut state, |s| matches!(s, ConnectionState::Offline { .. })).await;
    let found_in = frozen_at.elapsed();
    assert!(found_in < Duration::from_secs(2), "found in {found_in:?}");
    assert!(format!("{dropped:?}").contains("stopped answering"), "{dropped:?}");

    proxy.restore();
    wait_for(&mut state, |s| *s == ConnectionState::Live).await;
}
