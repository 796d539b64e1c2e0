//! The engine against the deployed server as it really is (the stand-in `testkit::legacy`
//! follows `shared/docs/legacy-crokodial-api.md`): one signed-in socket per user beside the web
//! app, events for every tenant with no lead in them, uploads announced row by row, a rep who
//! may not read one lead, loose records, nothing said of changes but notes. For a rep and an admin.

use std::time::{Duration, Instant};

use crokodial_client::alert::AlertPlayer;
use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheHandle, EditState, LeadCache};
use crokodial_client::feed::{Change, FeedEvent, LeadArrival, LeadFeed};
use crokodial_client::secrets::Sensitive;
use crokodial_client::settings::{AlertSettings, Settings};
use crokodial_client::socket::ConnectionState;
use crokodial_client::sync::{self, SyncMode, EDIT_ATTEMPTS};
use crokodial_client::ClientError;
use crokodial_core::edit::{EditField, LeadEdit};
use crokodial_core::LeadSource;
use crokodial_testkit::legacy::{self, LegacyServer, WebApp, WebAppTimings};
use serde_json::json;
use tokio::sync::watch;
use tokio::time::timeout;

async fn login(server: &LegacyServer, email: &str) -> ApiClient {
    let api = ApiClient::new(&server.url()).unwrap();
    let token = api.login(email, legacy::PASSWORD).await.unwrap().token;
    api.with_token(Sensitive(token))
}

fn cache() -> (tempfile::TempDir, CacheHandle) {
    let dir = tempfile::tempdir().unwrap();
    let cache = LeadCache::open_at(&dir.path().join("cache.sqlite")).unwrap();
    (dir, CacheHandle::new(cache))
}

fn feed(api: &ApiClient, cache: &CacheHandle) -> LeadFeed {
    let silent = watch::channel(Settings {
        alerts: AlertSettings { volume: 0.0, ..AlertSettings::default() },
        ..Settings::default()
    })
    .1;
    // The deployed server routes nothing: whose feed it is does not matter.
    LeadFeed::start(api, "", AlertPlayer::start(None).unwrap(), silent).unwrap().with_cache(cache.clone())
}

async fn wait_for(feed: &LeadFeed, want: impl Fn(&ConnectionState) -> bool) {
    let mut state = feed.state();
    timeout(Duration::from_secs(15), state.wait_for(|s| want(s))).await.expect("state in time").expect("alive");
}

async fn next(feed: &mut LeadFeed) -> FeedEvent {
    timeout(Duration::from_secs(10), feed.next()).await.expect("an event in time").expect("feed running")
}

async fn next_lead(feed: &mut LeadFeed) -> LeadArrival {
    match next(feed).await {
        FeedEvent::Lead(lead) => *lead,
        FeedEvent::Changed(change) => panic!("a lead, not {change:?}"),
        FeedEvent::Routing(routed) => panic!("the deployed server routes nothing: {routed:?}"),
    }
}

/// Every event handed out within `d`.
async fn during(feed: &mut LeadFeed, d: Duration) -> Vec<FeedEvent> {
    let mut got = Vec::new();
    let until = tokio::time::Instant::now() + d;
    while let Ok(Some(e)) = tokio::time::timeout_at(until, feed.next()).await {
        got.push(e);
    }
    got
}

fn leads_of(events: &[FeedEvent]) -> Vec<Option<String>> {
    events
        .iter()
        .filter_map(|e| match e {
            FeedEvent::Lead(l) => Some(Some(l.lead.id.clone())),
            FeedEvent::Changed(_) | FeedEvent::Routing(_) => None,
        })
        .collect()
}

fn dispose(value: &str) -> LeadEdit {
    LeadEdit::from([(EditField::Disposition, value.to_owned())])
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_reach_the_deployed_server_and_one_it_refuses_never_stops_the_sync() {
    for email in [legacy::EMAIL, legacy::ADMIN_EMAIL] {
        let server = LegacyServer::start().await.unwrap();
        let ids: Vec<String> = (0..3).map(|i| server.store_lead_for(email, &format!("Lead {i}"))).collect();
        // Old leads without an owner: an admin lists them, and the server then refuses their edits.
        let orphan = server.store_raw(json!({"name": "Orphan", "createdAt": "2024-01-01T00:00:00.000Z"}));
        let api = login(&server, email).await;
        let (_dir, cache) = cache();
        sync::sync(&api, &cache).await.unwrap();
        let admin = email == legacy::ADMIN_EMAIL;
        assert_eq!(cache.blocking().get(&orphan).unwrap().is_some(), admin, "{email}");

        {
            let mut c = cache.blocking();
            c.queue_edit(&ids[0], dispose("Quoted")).unwrap();
            c.queue_edit(&ids[0], LeadEdit::from([(EditField::Notes, "called".to_owned())])).unwrap();
            c.queue_edit(&ids[1], dispose("SOLD")).unwrap();
            c.queue_edit(&ids[2], dispose("Hung Up")).unwrap();
            if admin {
                c.queue_edit(&orphan, dispose("Ghosted")).unwrap();
            }
            let bad = LeadEdit::from([(EditField::Email, "not-an-email".to_owned())]);
            assert!(c.queue_edit(&ids[1], bad).is_err(), "an email the server would 500 on, every time");
        }
        server.delete_elsewhere(&ids[2]);
        server.fail_puts(1); // the first edit meets a server error
        let newer = server.store_lead_for(email, "Arrived meanwhile");

        let report = sync::sync(&api, &cache).await.unwrap();
        let p = report.pushed;
        assert_eq!((p.synced, p.held, p.failed), (1, 2, if admin { 2 } else { 1 }), "{email}: {p:?}");
        assert_eq!(server.lead(&ids[1]).unwrap().disposition.as_deref(), Some("SOLD"));
        assert!(cache.blocking().get(&newer).unwrap().is_some(), "{email}: the pull went on");
        let history = cache.blocking().history(&ids[2]).unwrap();
        assert_eq!(history[0].state, EditState::Failed);
        assert!(history[0].detail.as_deref().unwrap().contains("not in your list"), "{:?}", history[0].detail);

        // The next sync sends the held ones, in order.
        let p = sync::sync(&api, &cache).await.unwrap().pushed;
        assert_eq!((p.synced, p.held), (2, 0), "{email}");
        let lead = server.lead(&ids[0]).unwrap();
        assert_eq!((lead.disposition.as_deref(), lead.notes.as_deref()), (Some("Quoted"), Some("called")));

        // A server error every time: failed after a few syncs, with the reason, and each sync goes on.
        cache.blocking().queue_edit(&ids[1], dispose("Brokie")).unwrap();
        server.fail_puts(100);
        for attempt in 1..=EDIT_ATTEMPTS {
            let p = sync::sync(&api, &cache).await.unwrap().pushed;
            assert_eq!(p.failed, u64::from(attempt == EDIT_ATTEMPTS), "{email}: attempt {attempt}");
        }
        let last = cache.blocking().history(&ids[1]).unwrap().remove(0); // newest first
        assert_eq!(last.state, EditState::Failed);
        assert!(last.detail.unwrap().contains("kept failing"));
        assert!(server.puts() > 0);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_web_app_open_the_desktop_keeps_alerting_and_never_fights_it_for_the_socket() {
    let server = LegacyServer::start().await.unwrap();
    let timings = WebAppTimings { reconnect_after: Duration::from_secs(1), quiet_limit: Duration::from_secs(3) };
    let web = WebApp::open_with(&server.url(), legacy::ADMIN_TOKEN, timings);
    while web.connections() == 0 || !web.is_connected() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let api = login(&server, legacy::ADMIN_EMAIL).await;
    let (_dir, cache) = cache();
    let mut desktop = feed(&api, &cache);
    // It signs in, the web app takes the socket back a second later, and the desktop listens.
    wait_for(&desktop, |s| *s == ConnectionState::Listening).await;

    for (i, phone) in ["3125550101", "3125550102", "3125550103"].into_iter().enumerate() {
        let sent = Instant::now();
        let (status, _) =
            server.post_webhook(json!({"first_name": "Web", "last_name": format!("Lead{i}"), "phone": phone})).await;
        assert_eq!(status, 201);
        // (A lead the feed found in the list before its event came is handed out again, unrung.)
        let lead = loop {
            let lead = next_lead(&mut desktop).await;
            if lead.announce || lead.lead.phone.as_deref() == Some(phone) {
                break lead;
            }
        };
        assert!(lead.announce && lead.alert.is_some(), "rung");
        assert_eq!(lead.lead.phone.as_deref(), Some(phone), "with its phone");
        assert!(sent.elapsed() < Duration::from_secs(5), "{:?}", sent.elapsed());
        // Quiet minutes of the web app come and go (it reopens its socket after 3 s here).
        tokio::time::sleep(Duration::from_secs(4)).await;
    }
    assert!(web.connections() >= 3, "the web app reconnected on its own: {}", web.connections());
    assert_eq!(web.superseded(), 1, "the desktop took the socket once, at its start, and never again");
    // The one signed-in socket is the web app's (between its reconnects).
    while !web.is_connected() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(server.authenticated_sockets(legacy::ADMIN_EMAIL) <= 1);
    assert_eq!(*desktop.state().borrow(), ConnectionState::Listening);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_rings_nobody_and_tells_its_uploader_once() {
    let server = LegacyServer::start().await.unwrap();
    let (rep, admin) = (login(&server, legacy::EMAIL).await, login(&server, legacy::ADMIN_EMAIL).await);
    let ((_d1, rep_cache), (_d2, admin_cache)) = (cache(), cache());
    let (mut rep_feed, mut admin_feed) = (feed(&rep, &rep_cache), feed(&admin, &admin_cache));
    wait_for(&rep_feed, |s| *s == ConnectionState::Live).await;
    wait_for(&admin_feed, |s| *s == ConnectionState::Live).await;

    let mut csv = String::from("purchase_id,first_name,last_name,phone,email,state,zipcode\n");
    for i in 0..200 {
        csv.push_str(&format!("p{i},Up,Load{i},312555{i:04},up{i}@example.com,il,60601\n"));
    }
    let answer = rep.csv_upload("leads.csv", csv.into_bytes()).await.unwrap();
    assert_eq!(answer.stats.imported, 200);

    // Both listen at once, for longer than an upload takes to settle.
    let (heard, admin_heard) =
        tokio::join!(during(&mut rep_feed, Duration::from_secs(5)), during(&mut admin_feed, Duration::from_secs(5)));
    assert!(leads_of(&heard).is_empty(), "no lead is announced, none rings");
    let changes: Vec<&Change> =
        heard.iter().filter_map(|e| if let FeedEvent::Changed(c) = e { Some(c) } else { None }).collect();
    assert_eq!(changes, [&Change::Uploaded { leads: 200 }], "one quiet summary");
    assert_eq!(rep_cache.blocking().count().unwrap(), 200, "and the list has them");

    assert!(admin_heard.is_empty(), "another tenant's upload: nothing");
    assert_eq!(admin_cache.blocking().count().unwrap(), 0);

    // An upload while the connection is down: its rows are found by the catch-up, and not rung.
    server.drop_sockets();
    wait_for(&rep_feed, |s| !s.is_live()).await;
    let mut csv = String::from("purchase_id,first_name,last_name,phone,email\n");
    for i in 0..50 {
        csv.push_str(&format!("q{i},Down,Load{i},773555{i:04},down{i}@example.com\n"));
    }
    rep.csv_upload("more.csv", csv.into_bytes()).await.unwrap();
    wait_for(&rep_feed, |s| *s == ConnectionState::Live).await;
    let heard = during(&mut rep_feed, Duration::from_secs(4)).await;
    assert!(leads_of(&heard).is_empty(), "no lead rings after the reconnect either");
    assert!(heard.iter().any(|e| matches!(e, FeedEvent::Changed(Change::Uploaded { leads: 50 }))), "{}", heard.len());
    assert_eq!(rep_cache.blocking().count().unwrap(), 250);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_lead_rings_once_with_its_phone_and_only_for_its_owner() {
    let server = LegacyServer::start().await.unwrap();
    let (rep, admin) = (login(&server, legacy::EMAIL).await, login(&server, legacy::ADMIN_EMAIL).await);
    let ((_d1, rep_cache), (_d2, admin_cache)) = (cache(), cache());
    let (mut rep_feed, mut admin_feed) = (feed(&rep, &rep_cache), feed(&admin, &admin_cache));
    wait_for(&rep_feed, |s| *s == ConnectionState::Live).await;
    wait_for(&admin_feed, |s| *s == ConnectionState::Live).await;

    let sent = Instant::now();
    let (status, body) =
        server.post_webhook(json!({"first_name": "Rosa", "last_name": "Diaz", "phone": "3125550199"})).await;
    assert_eq!(status, 201);
    let id = body["leadId"].as_str().unwrap().to_owned();
    // The webhook's leads belong to the first admin.
    let lead = next_lead(&mut admin_feed).await;
    assert_eq!(lead.lead.id, id, "the stub is not shown");
    assert!(lead.announce && lead.alert.is_some());
    assert_eq!(lead.lead.phone.as_deref(), Some("3125550199"));
    assert!(sent.elapsed() < Duration::from_secs(2), "{:?}", sent.elapsed());
    let cached = admin_cache.blocking().get(&id).unwrap().expect("the list has it, whole");
    assert_eq!((cached.phone.as_deref(), cached.source), (Some("3125550199"), Some(LeadSource::NextGen)));
    assert!(during(&mut admin_feed, Duration::from_secs(1)).await.is_empty(), "once");

    // The rep heard of it too, and it is not theirs: never shown, never rung.
    assert!(during(&mut rep_feed, Duration::from_secs(3)).await.is_empty());
    assert_eq!(rep_cache.blocking().get(&id).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_see_and_rotate_the_nextgen_credentials() {
    let server = LegacyServer::start().await.unwrap();
    let api = login(&server, legacy::ADMIN_EMAIL).await;
    let old = api.nextgen_credentials().await.unwrap();
    let kept = server.credentials(legacy::ADMIN_EMAIL).unwrap();
    assert_eq!((old.sid.as_str(), old.apikey.as_str()), (kept.sid.as_str(), kept.api_key.as_str()));

    let new = api.rotate_nextgen().await.unwrap();
    assert!(new.sid.starts_with("crk_") && new.apikey.starts_with("key_") && new.sid != old.sid);
    let now = server.credentials(legacy::ADMIN_EMAIL).unwrap();
    assert_eq!((new.sid.as_str(), new.apikey.as_str()), (now.sid.as_str(), now.api_key.as_str()));
    let refused = reqwest::Client::new()
        .post(format!("{}/api/webhooks/nextgen", server.url()))
        .header("sid", &old.sid)
        .header("apikey", &old.apikey)
        .json(&json!({"phone": "3125550100"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "the old pair stops at once");
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_made_elsewhere_reach_the_cache() {
    let server = LegacyServer::start().await.unwrap();
    let ids: Vec<String> = (0..3).map(|i| server.store_lead_for(legacy::EMAIL, &format!("Old {i}"))).collect();
    let other = server.store_lead_for(legacy::OTHER_EMAIL, "Not mine");
    let api = login(&server, legacy::EMAIL).await;
    let (_dir, cache) = cache();
    assert_eq!(sync::sync(&api, &cache).await.unwrap().mode, SyncMode::Pages { full: true });
    let mut feed = feed(&api, &cache);
    wait_for(&feed, |s| *s == ConnectionState::Live).await;

    // Notes, at once (the web app, or another rep, wrote them).
    server.notes_elsewhere(&ids[0], "spoke to her husband");
    let FeedEvent::Changed(change) = next(&mut feed).await else { panic!("a change") };
    assert_eq!(change, Change::Notes { lead_id: ids[0].clone() });
    assert_eq!(cache.blocking().get(&ids[0]).unwrap().unwrap().notes.as_deref(), Some("spoke to her husband"));
    server.notes_elsewhere(&other, "someone else's");
    assert!(during(&mut feed, Duration::from_millis(500)).await.is_empty(), "another tenant's lead");

    // Other fields and deletions: the next full read of the book.
    server.edit_elsewhere(&ids[1], EditField::Disposition, "Appointment");
    server.delete_elsewhere(&ids[2]);
    assert_eq!(sync::sync(&api, &cache).await.unwrap().mode, SyncMode::Pages { full: false });
    assert!(cache.blocking().get(&ids[2]).unwrap().is_some(), "a quick sync reads new leads only");
    sync::want_full_sync(&cache.blocking()).unwrap();
    let full = sync::sync(&api, &cache).await.unwrap();
    assert_eq!(full.mode, SyncMode::Pages { full: true });
    let c = cache.blocking();
    assert_eq!(c.get(&ids[1]).unwrap().unwrap().disposition.as_deref(), Some("Appointment"));
    assert_eq!(c.get(&ids[2]).unwrap(), None, "deleted elsewhere, forgotten here");
    assert_eq!(c.get(&other).unwrap(), None);
    assert_eq!(c.count().unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn odd_records_are_read_whole_and_never_fail_a_page() {
    let server = LegacyServer::start().await.unwrap();
    let me = server.user_id(legacy::EMAIL);
    let created = "2025-05-01T02:06:31.000Z";
    let doc = |extra: serde_json::Value| {
        let mut d = json!({"tenantId": me, "name": "Odd", "createdAt": created});
        d.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        d
    };
    let ringy = server.store_raw(doc(json!({"source": "Ringy", "status": "complete"})));
    let lower = server.store_raw(doc(json!({"source": "nextgen", "zipcode": 7030, "tobaccoUser": "yes"})));
    let blank = server.store_raw(doc(json!({"source": "", "createdAt": null})));
    let rich = server.store_raw(doc(json!({
        "phoneNumber": "2015550101", "company": "Acme", "lastContactedAt": created,
        "notesMetadata": {"importedOn": created, "originalData": {"trustedFormCertID": "tf-123", "jornayaLeadID": "j-9"}},
    })));
    let api = login(&server, legacy::EMAIL).await;
    let (_dir, cache) = cache();
    let report = sync::sync(&api, &cache).await.unwrap();
    assert_eq!(report.cached, 4);
    assert_eq!(report.tolerance.set_aside, [(ringy.clone(), "source".to_owned())]);

    let c = cache.blocking();
    let odd = c.get(&ringy).unwrap().unwrap();
    assert_eq!((odd.source, odd.status.as_deref()), (None, Some("complete")));
    assert_eq!(odd.extra["source"], "Ringy", "kept as sent");
    let lower = c.get(&lower).unwrap().unwrap();
    assert_eq!(
        (lower.source, lower.zipcode.as_deref(), lower.tobacco_user),
        (Some(LeadSource::NextGen), Some("7030"), Some(true))
    );
    assert_eq!(c.get(&blank).unwrap().unwrap().source, None);
    let rich = c.get(&rich).unwrap().unwrap();
    for field in ["phoneNumber", "company", "lastContactedAt", "notesMetadata"] {
        assert!(rich.extra.contains_key(field), "{field}: {:?}", rich.extra);
    }
    assert_eq!(rich.extra["notesMetadata"]["originalData"]["trustedFormCertID"], "tf-123");
    assert!(!rich.extra.contains_key("formattedJson"), "derived, not kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_a_token_the_server_refuses_stops_the_socket() {
    let server = LegacyServer::start().await.unwrap();
    let api = login(&server, legacy::EMAIL).await;
    let (_dir, cache) = cache();
    let feed = feed(&api, &cache);
    wait_for(&feed, |s| *s == ConnectionState::Live).await;
    // A policy close with the token still good (say, the server's authentication timed out).
    server.close_sockets(1008);
    wait_for(&feed, |s| matches!(s, ConnectionState::Offline { retrying: true, .. })).await;
    wait_for(&feed, |s| *s == ConnectionState::Live).await;

    server.revoke(legacy::EMAIL);
    server.close_sockets(1008);
    wait_for(&feed, |s| matches!(s, ConnectionState::AuthFailed { .. })).await;
    let ConnectionState::AuthFailed { reason } = feed.state().borrow().clone() else { unreachable!() };
    assert!(reason.contains("User not found"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_drop_the_leads_missed_are_found_in_the_list_once_each() {
    let server = LegacyServer::start().await.unwrap();
    let api = login(&server, legacy::ADMIN_EMAIL).await;
    let (_dir, cache) = cache();
    let mut feed = feed(&api, &cache);
    wait_for(&feed, |s| *s == ConnectionState::Live).await;

    let (_, first) = server.post_webhook(json!({"first_name": "Ann", "phone": "3125550110"})).await;
    assert_eq!(Some(next_lead(&mut feed).await.lead.id.as_str()), first["leadId"].as_str());

    // A restart: the sockets end with no close frame; leads arrive meanwhile, never replayed.
    server.drop_sockets();
    wait_for(&feed, |s| matches!(s, ConnectionState::Offline { retrying: true, .. })).await;
    // Webhook leads: the first admin's, with no assignee.
    let admin_id = server.user_id(legacy::ADMIN_EMAIL);
    let missed: Vec<String> = (0..230)
        .map(|i| {
            let now = chrono::Utc::now().to_rfc3339();
            server.store_raw(json!({"tenantId": admin_id, "name": format!("Missed {i}"), "source": "NextGen",
                "phone": format!("312555{i:04}"), "createdAt": now}))
        })
        .collect();

    wait_for(&feed, |s| *s == ConnectionState::Live).await;

    let mut got = Vec::new();
    for _ in &missed {
        let lead = next_lead(&mut feed).await;
        assert!(lead.announce);
        got.push(lead.lead.id);
    }
    got.sort();
    let mut want = missed.clone();
    want.sort();
    assert_eq!(got, want);
    assert!(during(&mut feed, Duration::from_millis(300)).await.is_empty(), "nothing more, Ann not again");
}

/// The admin's and routing's routes the deployed server lacks are `Unsupported` (the app then
/// offers no team page and says routing is not offered), while our server's "found nothing" on a route it has stays an error; the NextGen URL
/// is told from the server's address.
#[tokio::test]
async fn routes_the_deployed_server_lacks_are_unsupported_and_ours_are_not() {
    let legacy = LegacyServer::start().await.unwrap();
    let deployed = ApiClient::new(&legacy.url()).unwrap().with_token(Sensitive(legacy::TOKEN.into()));
    assert!(matches!(deployed.team().await, Err(ClientError::Unsupported)));
    assert!(matches!(deployed.renew_invite("x").await, Err(ClientError::Unsupported)));
    // Routing is ours: the deployed server gives each lead one owner and rings everyone.
    assert!(matches!(deployed.routing().await, Err(ClientError::Unsupported)));
    assert!(matches!(deployed.set_available(false).await, Err(ClientError::Unsupported)));
    assert!(matches!(deployed.claim("6566f0c2a1b2c3d4e5f60718").await, Err(ClientError::Unsupported)));
    assert!(matches!(deployed.speed_report(chrono::Utc::now(), None).await, Err(ClientError::Unsupported)));
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
