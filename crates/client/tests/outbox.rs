//! The outbox over real HTTP on loopback: edits made offline reach our server once and the
//! deployed server's stand-in without being sent twice; a conflicting change made elsewhere is
//! surfaced, not overwritten; and the outbox survives processes killed with SIGKILL mid-write and
//! mid-replay, losing nothing and applying nothing twice.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::{Duration, Instant};

use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheHandle, EditState, LeadCache, OutboxCounts};
use crokodial_client::secrets::Sensitive;
use crokodial_client::sync;
use crokodial_core::edit::{EditField, LeadEdit};
use crokodial_testkit::legacy::{self, LegacyServer};
use crokodial_testkit::TestServer;
use serde_json::json;

fn dispose(value: &str) -> LeadEdit {
    LeadEdit::from([(EditField::Disposition, value.to_owned())])
}

fn note(text: &str) -> LeadEdit {
    LeadEdit::from([(EditField::Notes, text.to_owned())])
}

/// A logged-in client of `server` for `account`.
async fn client(server: &TestServer, email: &str, password: &str) -> ApiClient {
    let token = ApiClient::new(&server.url()).unwrap().login(email, password).await.unwrap().token;
    ApiClient::new(&server.url()).unwrap().with_token(Sensitive(token))
}

/// A server with `n` leads for one rep, and that rep's client and synced cache.
async fn book(n: usize) -> (TestServer, ApiClient, tempfile::TempDir, CacheHandle, Vec<String>) {
    let server = TestServer::start(false).await.unwrap();
    let rep = server.admin("outbox@agency.test").await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let body = json!({"first_name": format!("Lead{i}"), "phone": format!("312555{i:04}")});
        ids.push(server.post_nextgen(&rep.webhook, body).await.unwrap());
    }
    let api = client(&server, &rep.email, &rep.password).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("cache.sqlite")).unwrap());
    sync::sync(&api, &cache).await.unwrap();
    (server, api, dir, cache, ids)
}

/// The server's latest sequence number (one tenant here): one more for every change it applies.
fn server_seq(server: &TestServer) -> u64 {
    let conn = rusqlite::Connection::open(server.db_path()).unwrap();
    conn.query_row("SELECT coalesce(max(last_seq), 0) FROM tenant_seq", [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_made_offline_reach_our_server_once_and_conflicts_are_surfaced() {
    let (server, api, _dir, cache, ids) = book(2).await;
    let (a, b) = (&ids[0], &ids[1]);

    // Offline: the edits are kept and shown; the push fails and leaves them pending, in order.
    let offline = ApiClient::new("http://127.0.0.1:9").unwrap().with_token(Sensitive("t".into()));
    {
        let mut c = cache.blocking();
        c.queue_edit(a, dispose("Quoted")).unwrap();
        c.queue_edit(a, note("wants a PPO")).unwrap();
        c.queue_edit(b, dispose("Appointment")).unwrap();
        assert_eq!(c.get(a).unwrap().unwrap().disposition.as_deref(), Some("Quoted"));
    }
    assert!(sync::push(&offline, &cache).await.is_err());
    assert_eq!(cache.blocking().outbox_counts().unwrap().pending, 3);

    // A colleague changes lead b's disposition meanwhile.
    api.update_lead(b, &dispose("SOLD")).await.unwrap();

    let report = sync::sync(&api, &cache).await.unwrap();
    assert_eq!((report.pushed.synced, report.pushed.conflicts), (2, 1));
    let on_server = api.lead(a).await.unwrap();
    assert_eq!((on_server.disposition.as_deref(), on_server.notes.as_deref()), (Some("Quoted"), Some("wants a PPO")));
    assert_eq!(api.lead(b).await.unwrap().disposition.as_deref(), Some("SOLD"), "not overwritten");
    {
        let c = cache.blocking();
        assert_eq!(
            c.get(b).unwrap().unwrap().disposition.as_deref(),
            Some("SOLD"),
            "the cache shows the server's value"
        );
        let history = c.history(b).unwrap();
        assert_eq!(history[0].state, EditState::Conflict);
        assert!(history[0].detail.as_deref().unwrap().contains("SOLD"), "{:?}", history[0].detail);
        assert_eq!(c.outbox_counts().unwrap(), OutboxCounts { pending: 0, conflict: 1, failed: 0 });
    }

    // Pushing again sends nothing more.
    let before = server_seq(&server);
    assert_eq!(sync::push(&api, &cache).await.unwrap(), sync::PushReport::default());
    assert_eq!(server_seq(&server), before);
}

/// The deployed server lets no rep read one lead (`GET /api/leads/:id` is 403 to them) and keeps
/// no versions: each edit is a `PUT` of its fields, and the last write wins.
#[tokio::test(flavor = "multi_thread")]
async fn against_the_deployed_server_an_edit_is_put_without_reading_the_lead() {
    let server = LegacyServer::start().await.unwrap();
    let ids: Vec<String> = (0..3).map(|i| server.store_lead_for(legacy::EMAIL, &format!("Legacy{i}"))).collect();
    let api = ApiClient::new(&server.url()).unwrap();
    let token = api.login(legacy::EMAIL, legacy::PASSWORD).await.unwrap().token;
    let api = api.with_token(Sensitive(token));
    let dir = tempfile::tempdir().unwrap();
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("cache.sqlite")).unwrap());
    sync::sync(&api, &cache).await.unwrap();

    {
        let mut c = cache.blocking();
        c.queue_edit(&ids[0], dispose("Quoted")).unwrap();
        c.queue_edit(&ids[1], note("call back Friday")).unwrap();
        c.queue_edit(&ids[2], dispose("No Contact")).unwrap();
    }
    // ids[1] already has the note (sent before a crash, say); ids[2] was set elsewhere.
    server.edit_elsewhere(&ids[1], EditField::Notes, "call back Friday");
    server.edit_elsewhere(&ids[2], EditField::Disposition, "Hung Up");

    let report = sync::push(&api, &cache).await.unwrap();
    assert_eq!((report.synced, report.conflicts, report.failed, report.held), (3, 0, 0, 0));
    assert_eq!(server.puts(), 3);
    assert_eq!(server.lead(&ids[0]).unwrap().disposition.as_deref(), Some("Quoted"));
    assert_eq!(server.lead(&ids[1]).unwrap().notes.as_deref(), Some("call back Friday"), "the same again");
    assert_eq!(server.lead(&ids[2]).unwrap().disposition.as_deref(), Some("No Contact"), "the last write wins");
    assert_eq!(cache.blocking().get(&ids[2]).unwrap().unwrap().disposition.as_deref(), Some("No Contact"));
}

// --- Crash safety -------------------------------------------------------------------------------

const ROLE: &str = "CROKODIAL_OUTBOX_CHILD";
const CACHE: &str = "CROKODIAL_OUTBOX_CACHE";
const LEADS: &str = "CROKODIAL_OUTBOX_LEADS";
const SERVER: &str = "CROKODIAL_OUTBOX_SERVER";
const TOKEN: &str = "CROKODIAL_OUTBOX_TOKEN";

/// Runs this test binary again as a child doing `role` (see `outbox_child`).
fn child(role: &str, cache: &Path, extra: &[(&str, String)]) -> std::process::Child {
    let mut env = vec![(ROLE, role.to_owned()), (CACHE, cache.display().to_string())];
    env.extend(extra.iter().cloned());
    crokodial_testkit::rerun_test("outbox_child", &env)
}

/// The child's side: `queue` queues notes as fast as it can, printing each key once committed;
/// `push` replays the outbox to the server.
#[test]
#[ignore = "run as a child process by outbox_survives_sigkill_mid_write_and_mid_replay"]
fn outbox_child() {
    let Ok(role) = std::env::var(ROLE) else { return };
    let mut cache = LeadCache::open_at(Path::new(&std::env::var(CACHE).unwrap())).unwrap();
    match role.as_str() {
        "queue" => {
            let leads: Vec<String> = std::env::var(LEADS).unwrap().split(',').map(str::to_owned).collect();
            for i in 0.. {
                let queued = cache.queue_edit(&leads[i % leads.len()], note(&format!("note {i}"))).unwrap();
                println!("queued {} {}", queued.key, i);
            }
        }
        "push" => common::push_from_env(cache, SERVER, TOKEN),
        other => panic!("unknown role {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn outbox_survives_sigkill_mid_write_and_mid_replay() {
    let (server, api, dir, cache, ids) = book(5).await;
    let path = dir.path().join("cache.sqlite");
    drop(cache);

    // 1. A process queueing edits is killed at an arbitrary write.
    let mut writer = child("queue", &path, &[(LEADS, ids.join(","))]);
    let mut printed = Vec::new();
    for line in BufReader::new(writer.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("queued ") {
            printed.push(rest.split(' ').next().unwrap().to_owned());
            if printed.len() == 400 {
                break;
            }
        }
    }
    crokodial_testkit::sigkill(&mut writer);

    let cache = LeadCache::open_at(&path).unwrap();
    let outbox = cache.outbox().unwrap();
    let kept: Vec<&str> = outbox.iter().map(|q| q.key.as_str()).collect();
    assert!(kept.len() >= printed.len(), "{} kept, {} reported queued", kept.len(), printed.len());
    assert_eq!(
        kept[..printed.len()],
        printed.iter().map(String::as_str).collect::<Vec<_>>()[..],
        "in order, none lost"
    );
    // Each lead shows the last note queued for it: edit and cached copy were written together.
    for id in &ids {
        let last = outbox.iter().rev().find(|q| &q.lead_id == id).unwrap();
        assert_eq!(cache.get(id).unwrap().unwrap().notes.as_ref(), last.fields.get(&EditField::Notes));
    }
    let total = outbox.len() as u64;
    drop(cache);

    // 2. A process replaying them is killed part-way.
    let seq_before = server_seq(&server);
    let token = api.token().unwrap().0.clone();
    let mut pusher = child("push", &path, &[(SERVER, server.url()), (TOKEN, token)]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let synced = LeadCache::open_at(&path)
            .unwrap()
            .outbox()
            .unwrap()
            .iter()
            .filter(|q| q.state == EditState::Synced)
            .count();
        if synced >= 50 {
            break;
        }
        assert!(Instant::now() < deadline, "the replay made no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    crokodial_testkit::sigkill(&mut pusher);
    let after_kill = LeadCache::open_at(&path).unwrap().outbox_counts().unwrap();
    assert!(after_kill.pending > 0, "killed before the end: {after_kill:?}");

    // 3. The next replay finishes the job: every edit applied exactly once.
    let cache = CacheHandle::new(LeadCache::open_at(&path).unwrap());
    sync::push(&api, &cache).await.unwrap();
    assert_eq!(cache.blocking().outbox_counts().unwrap(), OutboxCounts::default(), "all synced");
    assert_eq!(server_seq(&server) - seq_before, total, "one change on the server per queued edit");
    let conn = rusqlite::Connection::open(server.db_path()).unwrap();
    let applied: i64 = conn.query_row("SELECT count(DISTINCT key) FROM lead_edits", [], |r| r.get(0)).unwrap();
    assert_eq!(applied as u64, total);
    for id in &ids {
        let cached = cache.blocking().get(id).unwrap().unwrap();
        assert_eq!(api.lead(id).await.unwrap().notes, cached.notes, "the server has the last note");
    }
}
