//! A rep's working day from the command line: `call` keeps the attempt and its outcome and sends
//! it (offline: counted at once, sent by the next sync), do-not-call, callbacks that ring once
//! when due, the list by time zone and "callable now", and the export neutralising formulas.

mod common;

use common::{cli, login};
use crokodial_testkit::{DesktopSession, TestServer};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn a_call_is_kept_sent_and_counted() {
    let desk = DesktopSession::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let ann = server.admin("ann@cli-calls.test").await.unwrap();
    let body = serde_json::json!({"first_name": "Cy", "last_name": "Lead", "phone": "3125550199", "state": "FL"});
    let id = server.post_nextgen(&ann.webhook, body).await.unwrap();
    assert!(login(&desk, &server.url(), &ann.email, &ann.password).status.success());
    assert!(cli(&desk, &["sync"]).0);

    let (ok, out, err) = cli(&desk, &["call", &id, "--outcome", "voicemail", "--note", "left a message", "--json"]);
    assert!(ok, "{err}");
    let call: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((call["state"].as_str(), call["call"]["outcome"].as_str()), (Some("synced"), Some("voicemail")));
    assert_eq!(call["call"]["phone"], "3125550199");

    let (ok, out, err) = cli(&desk, &["call", &id, "--outcome", "no-answer", "--offline"]);
    assert!(ok && out.contains("no-answer  pending  (2 calls, last "), "{out}{err}");
    let (ok, _, err) = cli(&desk, &["call", &id, "--outcome", "busy"]);
    assert!(!ok && err.contains("one of no-answer, voicemail"), "{err}");

    let (_, out, _) = cli(&desk, &["lead", &id, "--json"]);
    let lead: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(lead["callCount"]["count"], 2, "the offline call counted at once: {out}");
    assert_eq!(lead["callCount"]["lastOutcome"], "no-answer");
    assert_eq!(lead["callsToday"], 2);
    assert_eq!(lead["clock"]["attemptsPerDay"], 3, "Florida caps them");

    // The next sync sends it; the server's tally and ours agree.
    assert!(cli(&desk, &["sync"]).0);
    let (_, out, _) = cli(&desk, &["lead", &id, "--json"]);
    let lead: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((lead["calls"]["count"].as_u64(), lead["callCount"]["count"].as_u64()), (Some(2), Some(2)), "{out}");

    // "Do not call": listed for the agency, and no further call from here until it is taken off.
    assert!(cli(&desk, &["call", &id, "--outcome", "dnc"]).0);
    let (ok, _, err) = cli(&desk, &["call", &id, "--outcome", "talked"]);
    assert!(!ok && err.contains("do-not-call list"), "{err}");
    let (_, out, _) = cli(&desk, &["dnc", "--json"]);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["phone"], "3125550199", "{out}");
    let (ok, out, err) = cli(&desk, &["dnc", "remove", "(312) 555-0199"]);
    assert!(ok && out.is_empty(), "{out}{err}");
    assert!(cli(&desk, &["sync"]).0);
    let (ok, _, err) = cli(&desk, &["call", &id, "--outcome", "talked"]);
    assert!(ok, "callable again once an admin took it off: {err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn callbacks_are_kept_sent_and_ring_once_when_due() {
    use std::process::Stdio;
    use std::time::Duration;

    use crokodial_testkit::LineReader;

    let desk = DesktopSession::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let ann = server.admin("ann@cli-callbacks.test").await.unwrap();
    let body = serde_json::json!({"first_name": "Cy", "last_name": "Back", "phone": "3125550199", "state": "IL"});
    let id = server.post_nextgen(&ann.webhook, body).await.unwrap();
    assert!(login(&desk, &server.url(), &ann.email, &ann.password).status.success());
    assert!(cli(&desk, &["sync"]).0);

    let (ok, out, err) = cli(&desk, &["callback", &id, "--in", "2h", "--note", "after lunch", "--json"]);
    assert!(ok, "{err}");
    let later: Value = serde_json::from_str(&out).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(later["due"].as_str().unwrap()).unwrap();
    let from_now = due.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!((119..=120).contains(&from_now.num_minutes()), "{out}");
    let (ok, out, err) = cli(&desk, &["callback", &id, "--preset", "tomorrow-morning"]);
    assert!(ok && out.contains("Cy Back") && out.contains("9:00 AM C") && out.contains("T there)"), "{out}{err}");
    let (ok, _, err) = cli(&desk, &["callback", &id]);
    assert!(!ok && err.contains("say when"), "{err}");
    // A minute ago, on this computer's clock: due at once.
    let past = (chrono::Local::now() - chrono::Duration::minutes(1)).format("%Y-%m-%d %H:%M").to_string();
    assert!(cli(&desk, &["callback", &id, "--at", &past, "--note", "now"]).0);

    let conn = rusqlite::Connection::open(server.db_path()).unwrap();
    let kept: i64 = conn.query_row("SELECT count(*) FROM followups", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 3, "each sent to the server");
    let (_, out, _) = cli(&desk, &["callbacks", "--json"]);
    assert_eq!(out.lines().count(), 3);
    let (_, out, _) = cli(&desk, &["callbacks", "--due", "--json"]);
    let due: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((due.len(), due[0]["note"].as_str(), due[0]["leadName"].as_str()), (1, Some("now"), Some("Cy Back")));

    // The due one rings once: at the first watch, not again at the next.
    for round in 0..2 {
        let mut watch = desk
            .command(common::CLI)
            .args(["watch", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = LineReader::new(watch.stdout.take().unwrap());
        let stderr = LineReader::new(watch.stderr.take().unwrap());
        stderr.wait_for(Duration::from_secs(15), |l| l.starts_with("live")).expect("watch goes live");
        let rang = stdout.wait_for(Duration::from_secs(3), |l| l.contains("callback_due"));
        let _ = watch.kill();
        let _ = watch.wait();
        match round {
            0 => assert!(rang.unwrap().contains("\"note\":\"now\"")),
            _ => assert!(rang.is_err(), "rung once per due time"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn leads_by_time_zone_and_callable_now() {
    let desk = DesktopSession::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let ann = server.admin("ann@cli-zones.test").await.unwrap();
    let mut ids = std::collections::HashMap::new();
    for (first, phone, state, zip) in [
        ("Ny", "2125550100", "NY", "10001"),
        ("Ca", "4155550100", "CA", "94105"),
        ("Elpaso", "9155550100", "TX", "79901"),
        ("Il", "3125550100", "IL", "60601"),
    ] {
        let body = serde_json::json!({"first_name": first, "last_name": "Zone", "phone": phone, "state": state, "zip_code": zip});
        ids.insert(first, server.post_nextgen(&ann.webhook, body).await.unwrap());
    }
    assert!(login(&desk, &server.url(), &ann.email, &ann.password).status.success());
    let names = |args: &[&str]| {
        let mut all = vec!["leads", "--json"];
        all.extend_from_slice(args);
        let (ok, out, err) = cli(&desk, &all);
        assert!(ok, "{err}");
        out.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["firstName"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&["--order", "east-west"]), ["Ny", "Il", "Elpaso", "Ca"], "El Paso keeps Mountain time");
    assert_eq!(names(&["--order", "west-east"]), ["Ca", "Elpaso", "Il", "Ny"]);
    assert_eq!(names(&["--zone", "pacific,mountain"]), ["Elpaso", "Ca"], "newest first");
    assert_eq!(names(&["--state", "NY,IL"]).len(), 2);
    // Callable now: exactly those whose state's window is open in their zone at this moment.
    let now = chrono::Utc::now();
    let open = |zone: &'static str, state: &str| crokodial_core::calling::window(zone, Some(state), now).unwrap().open;
    let mut expected: Vec<String> = [
        ("Ny", open("America/New_York", "NY")),
        ("Ca", open("America/Los_Angeles", "CA")),
        ("Elpaso", open("America/Denver", "TX")),
        ("Il", open("America/Chicago", "IL")),
    ]
    .into_iter()
    .filter(|(_, open)| *open)
    .map(|(n, _)| n.to_owned())
    .collect();
    expected.sort();
    let mut callable = names(&["--callable-now", "--offline"]);
    callable.sort();
    assert_eq!(callable, expected);
    let (ok, _, err) = cli(&desk, &["leads", "--zone", "martian"]);
    assert!(!ok && err.contains("no time zone"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_writes_the_filtered_list_with_formulas_neutralised() {
    let desk = DesktopSession::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let ann = server.admin("ann@cli-export.test").await.unwrap();
    for (first, phone, state) in
        [("=HYPERLINK(\"http://x\")", "3125550101", "IL"), ("Bo", "2125550102", "NY"), ("Cy", "3125550103", "IL")]
    {
        let body = serde_json::json!({"first_name": first, "last_name": "Lead", "phone": phone, "state": state});
        server.post_nextgen(&ann.webhook, body).await.unwrap();
    }
    assert!(login(&desk, &server.url(), &ann.email, &ann.password).status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("central.csv");
    let (ok, _, err) = cli(&desk, &["export", "--zone", "central", file.to_str().unwrap()]);
    assert!(ok && err.contains("2 leads written"), "{err}");
    let mut read = csv::Reader::from_path(&file).unwrap();
    let rows: Vec<csv::StringRecord> = read.records().map(Result::unwrap).collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(names, ["Cy Lead", "'=HYPERLINK(\"http://x\") Lead"], "newest first, the formula neutralised");
    assert!(!dir.path().join("central.csv.part").exists());
    let (ok, _, err) = cli(&desk, &["export", "--offline", dir.path().join("no/such/dir.csv").to_str().unwrap()]);
    assert!(!ok && err.contains("cannot write"), "{err}");
}
