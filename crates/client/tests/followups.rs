//! Follow-ups between two computers of one rep through our server, and kept on the computer
//! against the deployed server's stand-in, which keeps none.

use chrono::{Duration, SubsecRound, Utc};
use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheHandle, LeadCache};
use crokodial_client::secrets::Sensitive;
use crokodial_client::sync;
use crokodial_testkit::legacy::{self, LegacyServer};
use crokodial_testkit::TestServer;
use serde_json::json;

async fn computer(api: &ApiClient) -> (tempfile::TempDir, CacheHandle) {
    let dir = tempfile::tempdir().unwrap();
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("cache.sqlite")).unwrap());
    sync::sync(api, &cache).await.unwrap();
    (dir, cache)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_callback_made_on_one_computer_is_moved_on_another_and_removed_everywhere() {
    let server = TestServer::start(false).await.unwrap();
    let rep = server.admin("two-desks@agency.test").await.unwrap();
    let lead = server.post_nextgen(&rep.webhook, json!({"first_name": "Ivy", "phone": "3125550142"})).await.unwrap();
    let token = ApiClient::new(&server.url()).unwrap().login(&rep.email, &rep.password).await.unwrap().token;
    let api = ApiClient::new(&server.url()).unwrap().with_token(Sensitive(token));
    let ((_a_dir, a), (_b_dir, b)) = (computer(&api).await, computer(&api).await);

    let made = a.blocking().schedule_callback(&lead, Utc::now() + Duration::hours(1), Some("quote ready")).unwrap();
    a.blocking().set_pinned(&lead, true).unwrap();
    sync::push(&api, &a).await.unwrap();
    sync::sync(&api, &b).await.unwrap();
    let on_b = b.blocking().followups(false).unwrap();
    assert_eq!(on_b.len(), 2, "the callback and the pin");
    assert!(b.blocking().is_pinned(&lead).unwrap());

    let later = (Utc::now() + Duration::hours(3)).trunc_subsecs(3);
    b.blocking().reschedule(&made.id, later).unwrap();
    sync::sync(&api, &b).await.unwrap();
    sync::sync(&api, &a).await.unwrap();
    assert_eq!(a.blocking().followup(&made.id).unwrap().unwrap().due, Some(later), "moved on the other computer");

    a.blocking().remove_followup(&made.id).unwrap();
    a.blocking().set_pinned(&lead, false).unwrap();
    sync::sync(&api, &a).await.unwrap();
    sync::sync(&api, &b).await.unwrap();
    assert!(b.blocking().followups(true).unwrap().is_empty(), "removed everywhere");
    assert!(api.followups().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn against_the_deployed_server_follow_ups_stay_on_the_computer() {
    let server = LegacyServer::start().await.unwrap();
    let id = server.store_lead_for(legacy::EMAIL, "Legacy Lead");
    let api = ApiClient::new(&server.url()).unwrap();
    let token = api.login(legacy::EMAIL, legacy::PASSWORD).await.unwrap().token;
    let api = api.with_token(Sensitive(token));
    let (_dir, cache) = computer(&api).await;
    cache.blocking().schedule_callback(&id, Utc::now() + Duration::hours(1), None).unwrap();
    sync::sync(&api, &cache).await.unwrap();
    assert_eq!(cache.blocking().followups(false).unwrap().len(), 1, "kept here");
    assert_eq!(cache.blocking().followups_to_send().unwrap().len(), 1, "nothing to send it to");
    assert!(!sync::capabilities(&cache.blocking()).unwrap().followups);
}
