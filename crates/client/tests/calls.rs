//! Calls over real HTTP on loopback: attempts made offline reach our server once, outcomes and
//! corrections after them; the deployed server's stand-in counts each attempt once and its counts
//! come back with a full sync; and calls survive a process killed with SIGKILL while making them
//! and while sending them.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheHandle, CallState, LeadCache};
use crokodial_client::secrets::Sensitive;
use crokodial_client::sync;
use crokodial_core::calls::Outcome;
use crokodial_testkit::legacy::{self, LegacyServer};
use crokodial_testkit::TestServer;
use serde_json::json;

/// A server with `n` leads for one rep, and that rep's client and synced cache.
async fn book(n: usize) -> (TestServer, ApiClient, tempfile::TempDir, CacheHandle, Vec<String>) {
    let server = TestServer::start(false).await.unwrap();
    let rep = server.admin("caller@agency.test").await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let body = json!({"first_name": format!("Lead{i}"), "phone": format!("312555{i:04}")});
        ids.push(server.post_nextgen(&rep.webhook, body).await.unwrap());
    }
    let token = ApiClient::new(&server.url()).unwrap().login(&rep.email, &rep.password).await.unwrap().token;
    let api = ApiClient::new(&server.url()).unwrap().with_token(Sensitive(token));
    let dir = tempfile::tempdir().unwrap();
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("cache.sqlite")).unwrap());
    sync::sync(&api, &cache).await.unwrap();
    (server, api, dir, cache, ids)
}

/// The calls our server keeps, by id.
fn server_calls(server: &TestServer) -> Vec<(String, Option<String>)> {
    let conn = rusqlite::Connection::open(server.db_path()).unwrap();
    let mut stmt = conn.prepare("SELECT id, outcome FROM calls ORDER BY id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_made_offline_reach_our_server_once_with_their_outcome_and_corrections() {
    let (server, api, _dir, cache, ids) = book(2).await;
    let offline = ApiClient::new("http://127.0.0.1:9").unwrap().with_token(Sensitive("t".into()));
    let (first, second) = {
        let mut c = cache.blocking();
        let first = c.queue_call(&ids[0], Utc::now() - chrono::Duration::minutes(5)).unwrap();
        c.tell_outcome(&first.id, Outcome::Voicemail, Some("left a message")).unwrap();
        let second = c.queue_call(&ids[0], Utc::now()).unwrap();
        assert_eq!(first.phone, "3125550000");
        (first, second)
    };
    assert!(sync::push(&offline, &cache).await.is_err());
    assert_eq!(cache.blocking().calls_to_send().unwrap().len(), 2, "kept for later");
    let counts = |cache: &CacheHandle| {
        let c = cache.blocking();
        let lead = c.get(&ids[0]).unwrap().unwrap();
        c.call_counts(&[lead]).unwrap()[0]
    };
    assert_eq!(counts(&cache).count, 2, "shown at once");

    // Online: both go, once; the tally comes back with the lead and is not counted twice.
    sync::sync(&api, &cache).await.unwrap();
    let mut expected = vec![(first.id.clone(), Some("voicemail".to_owned())), (second.id.clone(), None)];
    expected.sort();
    assert_eq!(server_calls(&server), expected);
    assert!(cache.blocking().calls_to_send().unwrap().is_empty());
    let shown = counts(&cache);
    assert_eq!((shown.count, shown.last_outcome), (2, None), "the latest call has no outcome yet");

    // Back from the second call; then a correction of the first.
    cache.blocking().tell_outcome(&second.id, Outcome::Talked, None).unwrap();
    cache.blocking().tell_outcome(&first.id, Outcome::WrongNumber, None).unwrap();
    sync::push(&api, &cache).await.unwrap();
    let outcomes: Vec<_> = server_calls(&server).into_iter().map(|(id, o)| (id == first.id, o)).collect();
    assert!(
        outcomes.contains(&(true, Some("wrong-number".into()))) && outcomes.contains(&(false, Some("talked".into())))
    );
    sync::sync(&api, &cache).await.unwrap();
    let shown = counts(&cache);
    assert_eq!((shown.count, shown.last_outcome), (2, Some(Outcome::Talked)));

    // Nothing left to send; a call on a lead the server no longer has fails, and is kept here.
    let gone = cache.blocking().queue_call(&ids[1], Utc::now()).unwrap();
    let conn = rusqlite::Connection::open(server.db_path()).unwrap();
    conn.execute("DELETE FROM leads WHERE id = ?1", [&ids[1]]).unwrap();
    sync::push(&api, &cache).await.unwrap();
    let failed = cache.blocking().call(&gone.id).unwrap().unwrap();
    assert_eq!(failed.state, CallState::Failed);
    assert!(failed.detail.unwrap().contains("Lead not found"));
    assert_eq!(server_calls(&server).len(), 2);
}

/// The deployed server counts dials per phone for each rep, and nothing else.
#[tokio::test(flavor = "multi_thread")]
async fn the_deployed_server_counts_each_attempt_once_and_its_counts_come_back() {
    let server = LegacyServer::start().await.unwrap();
    let api = ApiClient::new(&server.url()).unwrap();
    let login = api.login(legacy::EMAIL, legacy::PASSWORD).await.unwrap();
    let api = api.with_token(Sensitive(login.token));
    let lead = server.store_raw(json!({
        "tenantId": login.user.id, "assignedTo": login.user.id, "name": "Ivy Legacy",
        "phone": "(312) 555-0142", "source": "NextGen", "createdAt": "2026-12-07T15:00:00.000Z",
    }));
    let dir = tempfile::tempdir().unwrap();
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("cache.sqlite")).unwrap());
    sync::sync(&api, &cache).await.unwrap();

    let one = cache.blocking().queue_call(&lead, Utc::now() - chrono::Duration::minutes(5)).unwrap();
    cache.blocking().queue_call(&lead, Utc::now()).unwrap();
    sync::push(&api, &cache).await.unwrap();
    assert_eq!(server.dial_count(legacy::EMAIL, "3125550142"), 2);
    // An outcome is kept here only: nothing more is counted.
    cache.blocking().tell_outcome(&one.id, Outcome::NoAnswer, None).unwrap();
    sync::push(&api, &cache).await.unwrap();
    assert_eq!(server.dial_count(legacy::EMAIL, "3125550142"), 2);
    assert!(cache.blocking().calls_to_send().unwrap().is_empty());
    let count = |cache: &CacheHandle| {
        let c = cache.blocking();
        c.call_counts(&[c.get(&lead).unwrap().unwrap()]).unwrap()[0]
    };
    assert_eq!(count(&cache).count, 2, "the server's count, not the server's and ours");

    // The web app beside the desktop dials too: the next full sync brings its count.
    api.count_dial("312-555-0142").await.unwrap();
    cache.run(|c| sync::want_full_sync(c)).await.unwrap();
    sync::sync(&api, &cache).await.unwrap();
    assert_eq!(count(&cache).count, 3);
}

// --- Crash safety -------------------------------------------------------------------------------

const ROLE: &str = "CROKODIAL_CALLS_CHILD";
const CACHE: &str = "CROKODIAL_CALLS_CACHE";
const LEADS: &str = "CROKODIAL_CALLS_LEADS";
const SERVER: &str = "CROKODIAL_CALLS_SERVER";
const TOKEN: &str = "CROKODIAL_CALLS_TOKEN";

/// Runs this test binary again as a child doing `role` (see `calls_child`).
fn child(role: &str, cache: &Path, extra: &[(&str, String)]) -> std::process::Child {
    let mut env = vec![(ROLE, role.to_owned()), (CACHE, cache.display().to_string())];
    env.extend(extra.iter().cloned());
    crokodial_testkit::rerun_test("calls_child", &env)
}

/// The child's side: `call` records calls, each with an outcome, as fast as it can, printing each
/// id once kept; `push` sends them to the server.
#[test]
#[ignore = "run as a child process by calls_survive_sigkill_while_made_and_while_sent"]
fn calls_child() {
    let Ok(role) = std::env::var(ROLE) else { return };
    let mut cache = LeadCache::open_at(Path::new(&std::env::var(CACHE).unwrap())).unwrap();
    match role.as_str() {
        "call" => {
            let leads: Vec<String> = std::env::var(LEADS).unwrap().split(',').map(str::to_owned).collect();
            for i in 0.. {
                let call = cache.queue_call(&leads[i % leads.len()], Utc::now()).unwrap();
                cache.tell_outcome(&call.id, Outcome::NoAnswer, None).unwrap();
                println!("called {}", call.id);
            }
        }
        "push" => common::push_from_env(cache, SERVER, TOKEN),
        other => panic!("unknown role {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_survive_sigkill_while_made_and_while_sent() {
    let (server, api, dir, cache, ids) = book(3).await;
    let path = dir.path().join("cache.sqlite");
    drop(cache);

    // 1. Killed while recording calls: every call it reported is kept.
    let mut caller = child("call", &path, &[(LEADS, ids.join(","))]);
    let mut printed = Vec::new();
    for line in BufReader::new(caller.stdout.take().unwrap()).lines() {
        if let Some(id) = line.unwrap().strip_prefix("called ") {
            printed.push(id.to_owned());
            if printed.len() == 200 {
                break;
            }
        }
    }
    crokodial_testkit::sigkill(&mut caller);
    let kept = LeadCache::open_at(&path).unwrap().calls_to_send().unwrap();
    for id in &printed {
        assert!(kept.iter().any(|q| &q.call.id == id), "call {id} was reported kept and is lost");
    }
    let total = kept.len();

    // 2. Killed while sending them.
    let token = api.token().unwrap().0.clone();
    let mut pusher = child("push", &path, &[(SERVER, server.url()), (TOKEN, token)]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while server_calls(&server).len() < 30 {
        assert!(Instant::now() < deadline, "the push made no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    crokodial_testkit::sigkill(&mut pusher);
    assert!(!LeadCache::open_at(&path).unwrap().calls_to_send().unwrap().is_empty(), "killed before the end");

    // 3. The next push finishes: each call on the server once, with its outcome.
    let cache = CacheHandle::new(LeadCache::open_at(&path).unwrap());
    sync::push(&api, &cache).await.unwrap();
    assert!(cache.blocking().calls_to_send().unwrap().is_empty());
    let on_server = server_calls(&server);
    assert_eq!(on_server.len(), total, "one row per call kept");
    assert!(on_server.iter().all(|(_, o)| o.as_deref() == Some("no-answer")));
    sync::sync(&api, &cache).await.unwrap();
    let c = cache.blocking();
    let leads: Vec<_> = ids.iter().map(|id| c.get(id).unwrap().unwrap()).collect();
    let counted: u32 = c.call_counts(&leads).unwrap().iter().map(|n| n.count).sum();
    assert_eq!(counted as usize, total, "the tallies add up to the calls, none counted twice");
}
