//! `crokodial textdrip` end to end: connect (token on stdin), send, campaign, disconnect, in a
//! private desktop session; then nothing of the token is found in the profile directory (profile,
//! settings, the SQLite cache and its journal), in what the program printed at the most verbose
//! log level, or left in the keychain.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{cli, login, CLI};
use crokodial_client::secrets::SERVICE;
use crokodial_testkit::textdrip::{TextdripStandIn, TOKEN};
use crokodial_testkit::{DesktopSession, TestServer};

/// Every file under `dir`, with its bytes.
fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_send_disconnect_leaves_no_token_anywhere() {
    let session = DesktopSession::start().unwrap();
    let stand_in = TextdripStandIn::start().await.unwrap();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("rep@texting.test").await.unwrap();
    let lead_id = server
        .post_nextgen(
            &admin.webhook,
            serde_json::json!({"first_name": "Rosa", "last_name": "Díaz", "phone": "3125550123", "state": "IL"}),
        )
        .await
        .unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut child = session
            .command(CLI)
            .args(args)
            .env(crokodial_client::textdrip::URL_ENV, stand_in.url())
            .env("CROKODIAL_LOG", "trace")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = stdin {
            writeln!(child.stdin.take().unwrap(), "{input}").unwrap();
        }
        child.wait_with_output().unwrap()
    };
    assert!(login(&session, &server.url(), &admin.email, &admin.password).status.success());
    assert!(cli(&session, &["sync"]).0);
    let mut printed = Vec::new();

    let out = run(&["textdrip", "connect"], Some("31337|wrong"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused the token"));
    let out = run(&["textdrip", "connect"], Some(TOKEN));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    printed.push(out);
    let out = run(&["textdrip", "status"], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Textdrip: connected");
    printed.push(out);
    let out = run(&["textdrip", "campaigns"], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Final Expense"));
    printed.push(out);
    let out = run(&["textdrip", "send", "--lead", &lead_id, "--message", "Hi {first_name}", "--at-any-hour"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Sent to +13125550123"));
    printed.push(out);
    let out = run(&["textdrip", "campaign", "--lead", &lead_id, "--campaign", "final expense"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    printed.push(out);
    assert_eq!(stand_in.sent(), [("+13125550123".to_owned(), "Hi Rosa".to_owned(), Some("pt-chicago".to_owned()))]);
    assert_eq!(stand_in.campaign_adds().len(), 1);
    let out = run(&["textdrip", "disconnect"], None);
    assert!(out.status.success());
    printed.push(out);
    let out = run(&["textdrip", "status"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not connected"));

    // The scan: the token's secret part, anywhere.
    let secret = TOKEN.split_once('|').unwrap().1.as_bytes();
    let profile = files(&session.profile_dir());
    assert!(
        profile.iter().any(|(p, _)| p.extension().is_some_and(|e| e == "sqlite")),
        "the cache was scanned: {profile:?}"
    );
    for (path, bytes) in &profile {
        assert!(!contains(bytes, secret), "the token is in {}", path.display());
    }
    for out in &printed {
        assert!(!out.stdout.is_empty() || !out.stderr.is_empty());
        assert!(!contains(&out.stdout, secret) && !contains(&out.stderr, secret), "the token was printed");
    }
    let account = crokodial_client::textdrip::keychain_account(&server.url(), &admin.email);
    assert_eq!(session.keychain_lookup(SERVICE, &account).unwrap(), None);
}
