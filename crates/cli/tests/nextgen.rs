//! `crokodial nextgen show` and `rotate`: the real binary, against the deployed server's stand-in
//! (it answers `apiKey`) and against ours.

mod common;

use common::{cli, login};
use crokodial_testkit::legacy::{self, LegacyServer};
use crokodial_testkit::{DesktopSession, TestServer};

/// (sid, apikey) of `crokodial nextgen ARGS… --json`.
fn creds(session: &DesktopSession, args: &[&str]) -> (String, String, String) {
    let (ok, out, err) = cli(session, &[&["nextgen"], args, &["--json"]].concat());
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = |k: &str| v[k].as_str().unwrap().to_owned();
    (text("webhookUrl"), text("sid"), text("apikey"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_admin_sees_and_rotates_the_credentials_on_either_server() {
    let legacy = LegacyServer::start().await.unwrap();
    let ours = TestServer::start(false).await.unwrap();
    let admin = ours.admin("nextgen@agency.test").await.unwrap();
    for (url, email, password) in [
        (legacy.url(), legacy::ADMIN_EMAIL.to_owned(), legacy::PASSWORD.to_owned()),
        (ours.url(), admin.email.clone(), admin.password.clone()),
    ] {
        let session = DesktopSession::start().unwrap();
        let out = login(&session, &url, &email, &password);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

        let (hook, sid, key) = creds(&session, &["show"]);
        assert_eq!(hook, format!("{url}/api/webhooks/nextgen"));
        assert!(!sid.is_empty() && !key.is_empty());
        let (ok, text, _) = cli(&session, &["nextgen", "show"]);
        assert!(ok && text.contains(&sid) && text.contains(&key), "{text}");

        // Not on a terminal and without --yes: nothing is rotated.
        let (ok, _, err) = cli(&session, &["nextgen", "rotate"]);
        assert!(!ok && err.contains("--yes"), "{err}");
        assert_eq!(creds(&session, &["show"]).1, sid);

        let (_, new_sid, new_key) = creds(&session, &["rotate", "--yes"]);
        assert!(new_sid != sid && new_key != key);
        assert_eq!(creds(&session, &["show"]).1, new_sid, "{url}: what the server now has");
        let old = reqwest::Client::new()
            .post(format!("{url}/api/webhooks/nextgen"))
            .header("sid", &sid)
            .header("apikey", &key)
            .json(&serde_json::json!({"first_name": "Old", "phone": "3125550100"}))
            .send()
            .await
            .unwrap();
        assert_eq!(old.status(), 401, "{url}: the old pair is refused");
    }
}
