//! Team routing from the command line: an admin sets the mode, a rep goes away, `watch --json`
//! says why a lead did not alert and who claimed it, a second claim is refused with who has
//! it, and the admin reads the speed report.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{cli, login, CLI};
use crokodial_testkit::{DesktopSession, LineReader, TestServer};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn routing_availability_claims_and_the_speed_report() {
    let (ann_desk, bo_desk) = (DesktopSession::start().unwrap(), DesktopSession::start().unwrap());
    let server = TestServer::start(false).await.unwrap();
    let ann = server.admin("ann@cli-routing.test").await.unwrap();
    let bo = server.rep("bo@cli-routing.test", &ann).await.unwrap();
    assert!(login(&ann_desk, &server.url(), &ann.email, &ann.password).status.success());
    assert!(login(&bo_desk, &server.url(), &bo.email, &bo.password).status.success());

    let (ok, out, err) =
        cli(&ann_desk, &["team", "routing", "--mode", "round-robin", "--offer-seconds", "30", "--json"]);
    assert!(ok, "{err}");
    let view: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (view["settings"]["mode"].as_str(), view["settings"]["offerSeconds"].as_u64()),
        (Some("round-robin"), Some(30))
    );
    let (ok, _, err) = cli(&bo_desk, &["team", "routing", "--mode", "everyone"]);
    assert!(!ok && err.contains("only an admin"), "{err}");
    let (ok, out, _) = cli(&bo_desk, &["away"]);
    assert!(ok && out.contains("you:      away"), "{out}");

    let mut watch =
        bo_desk.command(CLI).args(["watch", "--json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let stdout = LineReader::new(watch.stdout.take().unwrap());
    let stderr = LineReader::new(watch.stderr.take().unwrap());
    stderr.wait_for(Duration::from_secs(15), |l| l.starts_with("live")).expect("watch goes live");

    let body = serde_json::json!({"first_name": "Cy", "last_name": "Lead", "phone": "3125550199"});
    let id = server.post_nextgen(&ann.webhook, body).await.unwrap();
    let line = stdout.wait_for(Duration::from_secs(10), |l| l.contains(&id)).expect("the lead");
    let lead: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(lead["announce"], false);
    assert_eq!(lead["notAlerted"], "offered to ann", "Bo is away: {line}");

    let (ok, out, err) = cli(&ann_desk, &["claim", &id]);
    assert!(ok && out.contains("Yours: Cy Lead"), "{out}{err}");
    let is_claim = |l: &str| serde_json::from_str::<Value>(l).is_ok_and(|v| v["type"] == "claim");
    let line = stdout.wait_for(Duration::from_secs(10), is_claim).expect("the claim");
    let claim: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (claim["leadId"].as_str(), claim["name"].as_str(), claim["mine"].as_bool()),
        (Some(id.as_str()), Some("ann"), Some(false))
    );
    let _ = watch.kill();
    let _ = watch.wait();

    let (ok, _, err) = cli(&bo_desk, &["claim", &id]);
    assert!(!ok && err.contains("Claimed by ann"), "{err}");
    let (ok, out, err) = cli(&ann_desk, &["report", "speed", "--since", "1h", "--json"]);
    assert!(ok, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let reps = report["reps"].as_array().unwrap();
    let ann_row = reps.iter().find(|r| r["label"] == "ann").expect("Ann's row");
    assert_eq!((ann_row["offered"].as_u64(), ann_row["claimed"].as_u64()), (Some(1), Some(1)));
    let (ok, out, _) = cli(&ann_desk, &["report", "speed"]);
    assert!(ok && out.contains("Speed to lead") && out.contains("NextGen"), "{out}");
    let (ok, _, err) = cli(&bo_desk, &["report", "speed"]);
    assert!(!ok && err.contains("only an admin"), "{err}");
}
