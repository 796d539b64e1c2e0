//! The engine against the deployed server's protocol (no sequence numbers, stub-then-full events,
//! no replay, pages of at most 100 leads, close code 4000): each lead is announced once and none is lost.

use std::time::Duration;

use crokodial_client::alert::AlertPlayer;
use crokodial_client::api::ApiClient;
use crokodial_client::feed::{FeedEvent, LeadFeed};
use crokodial_client::secrets::Sensitive;
use crokodial_client::settings::AlertSettings;
use crokodial_client::socket::ConnectionState;
use crokodial_testkit::legacy::{self, LegacyServer};
use tokio::sync::watch;
use tokio::time::timeout;

async fn next(feed: &mut LeadFeed) -> FeedEvent {
    timeout(Duration::from_secs(10), feed.next()).await.expect("an event in time").expect("feed running")
}

async fn wait_for(state: &mut watch::Receiver<ConnectionState>, want: impl Fn(&ConnectionState) -> bool) {
    timeout(Duration::from_secs(15), state.wait_for(|s| want(s))).await.expect("state in time").expect("alive");
}

async fn wait_subscribed(server: &LegacyServer) {
    for _ in 0..100 {
        if server.open_sockets() == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the socket never subscribed");
}

/// (lead id, announced) of an event.
fn seen(e: &FeedEvent) -> (Option<String>, bool) {
    (e.lead.lead_id.clone(), e.announce)
}

#[tokio::test(flavor = "multi_thread")]
async fn against_the_deployed_protocol_each_lead_is_announced_once_and_none_is_lost() {
    let server = LegacyServer::start().await.unwrap();
    let api = ApiClient::new(&server.url()).unwrap();
    let token = api.login(legacy::EMAIL, legacy::PASSWORD).await.unwrap().token;
    let api = api.with_token(Sensitive(token));
    let silent = watch::channel(AlertSettings { volume: 0.0, ..AlertSettings::default() }).1;
    let mut feed = LeadFeed::start(&api, AlertPlayer::start(None).unwrap(), silent).unwrap();
    let mut state = feed.state();
    wait_for(&mut state, |s| *s == ConnectionState::Live).await;
    wait_subscribed(&server).await;

    // Stub, then full: shown twice, announced once.
    server.webhook_lead("A", "Ann");
    assert_eq!(seen(&next(&mut feed).await), (None, false), "the stub");
    assert_eq!(seen(&next(&mut feed).await), (Some("A".into()), true), "the full event");

    // The connection drops; two leads arrive meanwhile, which the deployed server never replays.
    server.close_sockets(1011);
    wait_for(&mut state, |s| matches!(s, ConnectionState::Offline { retrying: true, .. })).await;
    // More than one page of them: the deployed server gives at most 100 a page.
    let missed: Vec<String> = (0..230).map(|i| format!("B{i:03}")).collect();
    for id in &missed {
        server.store_lead(id, "Bea");
    }
    wait_for(&mut state, |s| *s == ConnectionState::Live).await;
    wait_subscribed(&server).await;

    // The backfill finds them all, oldest first, and A is not announced again.
    for id in &missed {
        assert_eq!(seen(&next(&mut feed).await), (Some(id.clone()), true));
    }
    server.webhook_lead("D", "Dee");
    assert_eq!(seen(&next(&mut feed).await), (None, false));
    assert_eq!(seen(&next(&mut feed).await), (Some("D".into()), true));
    assert!(timeout(Duration::from_millis(300), feed.next()).await.is_err(), "nothing more");

    // A newer session of the same user elsewhere: stop, rather than fight it for the socket.
    server.close_sockets(4000);
    wait_for(&mut state, |s| matches!(s, ConnectionState::Offline { retrying: false, .. })).await;
}

/// The admin's routes the deployed server lacks are `Unsupported` (the app then offers no team
/// page), while our server's "found nothing" on a route it has stays an error; the NextGen URL
/// is told from the server's address.
#[tokio::test]
async fn routes_the_deployed_server_lacks_are_unsupported_and_ours_are_not() {
    use crokodial_client::ClientError;
    let legacy = LegacyServer::start().await.unwrap();
    let deployed = ApiClient::new(&legacy.url()).unwrap().with_token(Sensitive(legacy::TOKEN.into()));
    assert!(matches!(deployed.team().await, Err(ClientError::Unsupported)));
    assert!(matches!(deployed.renew_invite("x").await, Err(ClientError::Unsupported)));
    let info = deployed.nextgen_integration().await.unwrap();
    assert_eq!(info.webhook_url, format!("{}/api/webhooks/nextgen", legacy.url()));
    assert_eq!(info.last_lead, None);

    let ours = crokodial_testkit::TestServer::start(false).await.unwrap();
    let admin = ours.admin("boss@agency.test").await.unwrap();
    let login = ApiClient::new(&ours.url()).unwrap().login(&admin.email, &admin.password).await.unwrap();
    let api = ApiClient::new(&ours.url()).unwrap().with_token(Sensitive(login.token));
    match api.renew_invite("no-such-user").await {
        Err(ClientError::Server { status: 404, .. }) => {}
        other => panic!("a route that found nothing is an error, not Unsupported: {other:?}"),
    }
    assert_eq!(api.team().await.unwrap().len(), 1);
}
