//! Follow-ups between two computers of one rep through our server, and kept on the computer
//! against the deployed server's stand-in, which keeps none.

mod common;

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

// --- Crash safety -------------------------------------------------------------------------------

const ROLE: &str = "CROKODIAL_FOLLOWUPS_CHILD";
const CACHE: &str = "CROKODIAL_FOLLOWUPS_CACHE";
const LEAD: &str = "CROKODIAL_FOLLOWUPS_LEAD";
const SERVER: &str = "CROKODIAL_FOLLOWUPS_SERVER";
const TOKEN: &str = "CROKODIAL_FOLLOWUPS_TOKEN";

/// The child's side: `schedule` schedules callbacks as fast as it can, printing each id once
/// kept; `push` sends them to the server.
#[test]
#[ignore = "run as a child process by callbacks_survive_sigkill_while_made_and_while_sent"]
fn followups_child() {
    let Ok(role) = std::env::var(ROLE) else { return };
    let mut cache = LeadCache::open_at(std::path::Path::new(&std::env::var(CACHE).unwrap())).unwrap();
    match role.as_str() {
        "schedule" => {
            let lead = std::env::var(LEAD).unwrap();
            for i in 0.. {
                let due = Utc::now() + Duration::minutes(i);
                let callback = cache.schedule_callback(&lead, due, Some(&format!("call {i}"))).unwrap();
                println!("kept {}", callback.id);
            }
        }
        "push" => common::push_from_env(cache, SERVER, TOKEN),
        other => panic!("unknown role {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn callbacks_survive_sigkill_while_made_and_while_sent() {
    use std::io::BufRead;

    let server = TestServer::start(false).await.unwrap();
    let rep = server.admin("killed@agency.test").await.unwrap();
    let lead = server.post_nextgen(&rep.webhook, json!({"first_name": "Ivy", "phone": "3125550142"})).await.unwrap();
    let token = ApiClient::new(&server.url()).unwrap().login(&rep.email, &rep.password).await.unwrap().token;
    let api = ApiClient::new(&server.url()).unwrap().with_token(Sensitive(token.clone()));
    let (dir, cache) = computer(&api).await;
    let path = dir.path().join("cache.sqlite");
    drop(cache);
    let env = |role: &str, extra: &[(&'static str, String)]| {
        let mut env = vec![(ROLE, role.to_owned()), (CACHE, path.display().to_string())];
        env.extend(extra.iter().cloned());
        env
    };

    // 1. Killed while scheduling: every callback it reported is kept.
    let mut maker = crokodial_testkit::rerun_test("followups_child", &env("schedule", &[(LEAD, lead.clone())]));
    let mut printed = Vec::new();
    for line in std::io::BufReader::new(maker.stdout.take().unwrap()).lines() {
        if let Some(id) = line.unwrap().strip_prefix("kept ") {
            printed.push(id.to_owned());
            if printed.len() == 200 {
                break;
            }
        }
    }
    crokodial_testkit::sigkill(&mut maker);
    let kept = LeadCache::open_at(&path).unwrap().followups(false).unwrap();
    for id in &printed {
        assert!(kept.iter().any(|f| &f.id == id), "callback {id} was reported kept and is lost");
    }

    // 2. Killed while sending them; 3. the next push finishes, each once.
    let count = || {
        let conn = rusqlite::Connection::open(server.db_path()).unwrap();
        conn.query_row("SELECT count(*) FROM followups", [], |r| r.get::<_, i64>(0)).unwrap() as usize
    };
    let mut pusher =
        crokodial_testkit::rerun_test("followups_child", &env("push", &[(SERVER, server.url()), (TOKEN, token)]));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while count() < 30 {
        assert!(std::time::Instant::now() < deadline, "the push made no progress");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    crokodial_testkit::sigkill(&mut pusher);
    assert!(!LeadCache::open_at(&path).unwrap().followups_to_send().unwrap().is_empty(), "killed before the end");
    let cache = CacheHandle::new(LeadCache::open_at(&path).unwrap());
    sync::sync(&api, &cache).await.unwrap();
    assert!(cache.blocking().followups_to_send().unwrap().is_empty());
    assert_eq!(count(), kept.len(), "one row on the server per callback kept");
    assert_eq!(api.followups().await.unwrap().len(), kept.len());
}
