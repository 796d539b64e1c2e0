//! The lead cache synced from our server (changes after a cursor) and from a server that speaks
//! only the deployed API (pages of the lead list), over real HTTP on loopback.

use crokodial_client::alert::AlertPlayer;
use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheHandle, CacheQuery, LeadCache};
use crokodial_client::feed::LeadFeed;
use crokodial_client::secrets::Sensitive;
use crokodial_client::settings::{AlertSettings, Settings};
use crokodial_client::sync::{self, SyncMode};
use crokodial_testkit::legacy::{self, LegacyServer};
use crokodial_testkit::TestServer;
use serde_json::json;

fn cache() -> (tempfile::TempDir, CacheHandle) {
    let dir = tempfile::tempdir().unwrap();
    let cache = LeadCache::open_at(&dir.path().join("cache.sqlite")).unwrap();
    (dir, CacheHandle::new(cache))
}

fn names(cache: &CacheHandle, search: &str) -> Vec<String> {
    let q = CacheQuery { search: Some(search.into()), limit: 100, ..CacheQuery::default() };
    cache.blocking().page(&q).unwrap().0.into_iter().map(|l| l.name).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn from_our_server_the_first_sync_takes_the_book_and_later_ones_only_changes() {
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("sync@agency.test").await.unwrap();
    let other = server.admin("other@agency.test").await.unwrap();
    for i in 0..1_050 {
        let body =
            json!({"lead_id": format!("v{i}"), "first_name": format!("Lead{i}"), "phone": format!("312555{i:04}")});
        server.post_nextgen(&admin.webhook, body).await.unwrap();
    }
    server.post_nextgen(&other.webhook, json!({"first_name": "Stranger", "phone": "2125550100"})).await.unwrap();
    let token = ApiClient::new(&server.url()).unwrap().login(&admin.email, &admin.password).await.unwrap().token;
    let api = ApiClient::new(&server.url()).unwrap().with_token(Sensitive(token));

    let (_dir, cache) = cache();
    let first = sync::sync(&api, &cache).await.unwrap();
    assert_eq!((first.mode, first.fetched, first.cached), (SyncMode::Changes, 1_050, 1_050), "two pages of changes");
    assert!(names(&cache, "stranger").is_empty(), "another tenant's lead never arrives");
    assert_eq!(names(&cache, "lead1049"), ["Lead1049"]);

    // One new lead and one update: the next sync brings just those two.
    server.post_nextgen(&admin.webhook, json!({"first_name": "Newcomer", "phone": "3125559999"})).await.unwrap();
    let update = json!({"lead_id": "v7", "first_name": "Renamed", "phone": "3125550007"});
    server.post_nextgen(&admin.webhook, update).await.unwrap();
    let second = sync::sync(&api, &cache).await.unwrap();
    assert_eq!((second.fetched, second.cached), (2, 1_051));
    assert_eq!(names(&cache, "renamed"), ["Renamed"]);
    assert!(!names(&cache, "lead7").contains(&"Lead7".to_owned()), "the old name is gone from the index");
    assert!(sync::last_synced(&cache.blocking()).unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn from_the_deployed_server_it_pages_the_book_then_fetches_new_leads() {
    let server = LegacyServer::start().await.unwrap();
    for i in 0..230 {
        server.store_lead(&format!("L{i:03}"), &format!("Legacy{i}"));
    }
    let api = ApiClient::new(&server.url()).unwrap();
    let token = api.login(legacy::EMAIL, legacy::PASSWORD).await.unwrap().token;
    let api = api.with_token(Sensitive(token));

    let (_dir, cache) = cache();
    let first = sync::sync(&api, &cache).await.unwrap();
    assert_eq!((first.mode, first.fetched, first.cached), (SyncMode::Pages { full: true }, 230, 230));

    std::thread::sleep(std::time::Duration::from_millis(5)); // a later creation time
    server.store_lead("L230", "Latecomer");
    let second = sync::sync(&api, &cache).await.unwrap();
    assert_eq!(second.mode, SyncMode::Pages { full: false });
    assert!(second.fetched <= 100, "one page, not the book: {}", second.fetched);
    assert_eq!(second.cached, 231);
    assert_eq!(names(&cache, "latecomer"), ["Latecomer"]);
}

/// A live lead is in the cache by the time the feed hands it out, so the list has it at once.
#[tokio::test(flavor = "multi_thread")]
async fn live_leads_are_cached_before_they_are_handed_out() {
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("live-cache@agency.test").await.unwrap();
    let token = ApiClient::new(&server.url()).unwrap().login(&admin.email, &admin.password).await.unwrap().token;
    let api = ApiClient::new(&server.url()).unwrap().with_token(Sensitive(token));
    let (_dir, cache) = cache();
    let silent = tokio::sync::watch::channel(Settings {
        alerts: AlertSettings { volume: 0.0, ..AlertSettings::default() },
        ..Settings::default()
    })
    .1;
    let mut feed = LeadFeed::start(&api, &admin.user_id, AlertPlayer::start(None).unwrap(), silent)
        .unwrap()
        .with_cache(cache.clone());
    let mut state = feed.state();
    state.wait_for(|s| *s == crokodial_client::socket::ConnectionState::Live).await.unwrap();

    let body = json!({"first_name": "Cached", "last_name": "Live", "phone": "3125550177", "city": "Joliet"});
    let id = server.post_nextgen(&admin.webhook, body).await.unwrap();
    let event = tokio::time::timeout(std::time::Duration::from_secs(10), feed.next()).await.unwrap().unwrap();
    let crokodial_client::feed::FeedEvent::Lead(event) = event else { panic!("a lead") };
    assert_eq!(Some(event.lead.id.as_str()), Some(id.as_str()));
    let cached = cache.blocking().get(&id).unwrap().expect("in the cache when handed out");
    assert_eq!((cached.name.as_str(), cached.city.as_deref()), ("Cached Live", Some("Joliet")));
    assert_eq!(names(&cache, "0177"), ["Cached Live"]);
}
