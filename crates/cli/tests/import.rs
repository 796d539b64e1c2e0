//! `crokodial import`: the real binary on a real file, with a profile of its own; checked with
//! `--dry-run`, sent to a real server on loopback, or queued while offline and sent by `sync`.

mod common;

use std::process::Command;

use common::{cli, login, CLI};
use crokodial_testkit::{CutProxy, DesktopSession, TestServer};
use serde_json::json;

#[test]
fn a_dry_run_counts_the_file_and_writes_its_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nextgen.csv");
    let mut text = String::from(
        "created_at,purchase_id,product,lead_id,bid_type,first_name,last_name,phone,email,zipcode,dob,has_medicare_parts_a_b\n",
    );
    text.push_str(
        "2026-11-02T08:30:00Z,P1,data,NG-1,exclusive,Ann,Lee,(617) 555-0100,ann@x.com,2134,1980-01-02,false\n",
    );
    text.push_str("2026-11-02T08:30:00Z,P2,ad,NG-1,exclusive,Ann,Lee,6175550100,ann@x.com,02134,1980-01-02,false\n");
    text.push_str("2026-11-02T08:31:00Z,P3,data,NG-2,exclusive,Bea,Lin,12345,,02134,1980-01-02,maybe\n");
    std::fs::write(&file, text).unwrap();
    let errors = dir.path().join("errors.csv");
    let run =
        |args: &[&str]| Command::new(CLI).args(args).env("CROKODIAL_HOME", dir.path().join("home")).output().unwrap();

    let out = run(&["import", file.to_str().unwrap(), "--dry-run", "--json", "--errors", errors.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let checked: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(checked["vendor"], "nextGen");
    assert_eq!(
        (checked["rows"].as_u64(), checked["leads"].as_u64(), checked["duplicates"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(checked["invalid"], 1);
    assert_eq!(checked["reasons"]["invalid phone"], 1, "{checked}");
    let bad = std::fs::read_to_string(&errors).unwrap();
    assert!(bad.lines().nth(1).unwrap().starts_with("4,\"column \"\"phone\"\""), "{bad}");

    let out = run(&["import", file.to_str().unwrap(), "--dry-run"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("NextGen Leads file, UTF-8"), "{text}");
    assert!(text.contains("3 rows: 2 leads (1 repeat an earlier row), 1 cannot be imported"), "{text}");

    let out = run(&["import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not logged in"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_is_sent_or_queued_offline_and_never_duplicates_a_webhook_lead() {
    let session = DesktopSession::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let proxy = CutProxy::start(server.url().trim_start_matches("http://").parse().unwrap()).await.unwrap();
    let admin = server.admin("import@agency.test").await.unwrap();
    server
        .post_nextgen(&admin.webhook, json!({"first_name": "Rosa", "last_name": "Diaz", "phone": "3125550199"}))
        .await
        .unwrap();
    assert!(login(&session, &proxy.url(), &admin.email, &admin.password).status.success());

    let first = session.home().join("first.csv");
    std::fs::write(&first, "Name,Phone,Zip\nRosa Diaz,(312) 555-0199,02134\nAnn Lee,312.555.0100,07030\n").unwrap();
    assert!(cli(&session, &["sync"]).0);
    let (ok, out, _) = cli(&session, &["import", first.to_str().unwrap(), "--dry-run"]);
    assert!(ok && out.contains("1 new, 1 already among your leads (as last synced)"), "{out}");
    let (ok, out, err) = cli(&session, &["import", first.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("Sent 2 leads") && out.contains("1 new, 1 updated, 0 unchanged"), "{out}");

    proxy.cut();
    let second = session.home().join("second.csv");
    std::fs::write(&second, "Name,Phone\nBo Chan,3125550101\nAnn Lee,3125550100\n").unwrap();
    let (ok, out, err) = cli(&session, &["import", second.to_str().unwrap(), "--json"]);
    assert!(ok && err.starts_with("offline ("), "{out}{err}");
    let queued: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((queued["import"]["state"].as_str(), queued["import"]["leads"].as_u64()), (Some("pending"), Some(2)));

    proxy.restore();
    let (ok, _, err) = cli(&session, &["sync"]);
    assert!(ok, "{err}");
    let (_, out, _) = cli(&session, &["leads", "--offline", "--json"]);
    let mut names: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["Ann Lee", "Bo Chan", "Rosa Diaz"], "one lead per person, the queued file sent by sync");
}
