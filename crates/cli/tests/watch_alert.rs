//! End to end through the command line: a real server on loopback, the real OS keychain (a
//! private GNOME Keyring), a real WebSocket, and real sound captured to a WAV file.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use crokodial_testkit::{wav_stats, CutProxy, DesktopSession, LineReader, TestServer};
use serde_json::{json, Value};

mod common;

use common::{cli, login, CLI};

/// `crokodial watch --json --count 1`, with its output as lines.
fn watch_one(session: &DesktopSession) -> (std::process::Child, LineReader, LineReader) {
    let mut watch = session
        .command(CLI)
        .args(["watch", "--json", "--count", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = LineReader::new(watch.stdout.take().unwrap());
    let stderr = LineReader::new(watch.stderr.take().unwrap());
    (watch, stdout, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhook_lead_reaches_watch_and_plays_the_alert() {
    let session = DesktopSession::start().unwrap();
    let wav = session.capture_sound().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("owner@agency.test").await.unwrap();

    let out = login(&session, &server.url(), &admin.email, &admin.password);
    assert!(out.status.success(), "login failed: {}", String::from_utf8_lossy(&out.stderr));

    // The token is in the keychain, and the profile file holds none.
    let account = format!("session:{}@{}", admin.email, server.url());
    let token = session.keychain_lookup("com.crokodial.desktop", &account).unwrap().expect("token in the keychain");
    assert_eq!(token.split('.').count(), 3, "a JWT");
    let profile = std::fs::read_to_string(session.profile_dir().join("profile.json")).unwrap();
    assert!(!profile.contains(&token));

    let (mut watch, stdout, stderr) = watch_one(&session);
    stderr.wait_for(Duration::from_secs(15), |l| l.starts_with("live")).expect("watch goes live");

    let lead_id = server
        .post_nextgen(&admin.webhook, json!({"lead_id": "NG-77", "first_name": "Rosa", "last_name": "Diaz", "phone": "(312) 555-0199", "state": "IL"}))
        .await
        .unwrap();

    let line = stdout.wait_for(Duration::from_secs(10), |l| l.contains(r#""type":"lead""#)).unwrap();
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["lead"]["leadId"], lead_id.as_str());
    assert_eq!(event["lead"]["name"], "Rosa Diaz");
    assert_eq!(event["lead"]["phone"], "3125550199");
    assert_eq!(event["alert"], true);

    let line = stdout.wait_for(Duration::from_secs(10), |l| l.contains(r#""type":"alert""#)).unwrap();
    let alert: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(alert["outcome"], "played", "{alert}");

    let status = tokio::task::spawn_blocking(move || watch.wait()).await.unwrap().unwrap();
    assert!(status.success(), "watch --count 1 exits cleanly");

    let stats = wav_stats(&wav).unwrap();
    assert!(stats.seconds >= 0.5, "the whole chime was played: {stats:?}");
    assert!(stats.peak > 8_000, "the alert is loud enough to hear: {stats:?}");
    assert!(stats.non_silent > 10_000, "not a click but a sound: {stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_sound_card_watch_says_so_and_keeps_working() {
    let session = DesktopSession::start().unwrap();
    // An ALSA default that cannot be opened, as on a machine without a sound card.
    std::fs::write(session.home().join(".asoundrc"), "pcm.!default { type hw card 99 }\n").unwrap();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("solo@agency.test").await.unwrap();
    assert!(login(&session, &server.url(), &admin.email, &admin.password).status.success());

    let (mut watch, stdout, stderr) = watch_one(&session);
    stderr.wait_for(Duration::from_secs(15), |l| l.starts_with("no sound output")).expect("says there is no sound");
    stderr.wait_for(Duration::from_secs(15), |l| l.starts_with("live")).expect("and still goes live");

    let lead_id =
        server.post_nextgen(&admin.webhook, json!({"first_name": "Sam", "email": "sam@example.com"})).await.unwrap();
    let line = stdout.wait_for(Duration::from_secs(10), |l| l.contains(r#""type":"lead""#)).unwrap();
    assert!(line.contains(&lead_id));
    let line = stdout.wait_for(Duration::from_secs(10), |l| l.contains(r#""type":"alert""#)).unwrap();
    assert!(line.contains("silent"), "{line}");
    assert!(tokio::task::spawn_blocking(move || watch.wait()).await.unwrap().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn alert_settings_choose_sound_and_volume_and_a_mute_hushes_new_leads() {
    let session = DesktopSession::start().unwrap();
    let wav = session.capture_sound().unwrap();

    let (ok, out, err) =
        cli(&session, &["alerts", "set", "--sound", "triple", "--volume", "30", "--quiet-hours", "21:00-08:00"]);
    assert!(ok, "{err}");
    for want in ["triple", "30%", "21:00-08:00", "NextGen, Marketplace, Usha"] {
        assert!(out.contains(want), "{want} in:\n{out}");
    }
    let (ok, _, err) = cli(&session, &["alerts", "set", "--sound", "gong"]);
    assert!(!ok && err.contains("chime, bell or triple"), "a clear refusal: {err}");

    // The test alert plays the chosen sound at the chosen volume: three short beeps, not the
    // 0.6 s chime or the 1 s bell, at about 30% of full scale (the sounds peak at 90%).
    let (ok, out, err) = cli(&session, &["alerts", "test"]);
    assert!(ok && out.contains("played triple at 30%"), "{out}{err}");
    let stats = wav_stats(&wav).unwrap();
    assert!((6_000..12_000).contains(&stats.peak), "volume 30%: {stats:?}");
    assert!(stats.audible_seconds > 0.25 && stats.audible_seconds < 0.5, "the triple beep: {stats:?}");

    // Muted: a new lead is announced but makes no sound, and says why.
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("muted@agency.test").await.unwrap();
    assert!(login(&session, &server.url(), &admin.email, &admin.password).status.success());
    let (ok, out, _) = cli(&session, &["alerts", "mute", "--minutes", "60"]);
    assert!(ok && out.contains("muted:        until"), "{out}");
    let (mut watch, stdout, stderr) = watch_one(&session);
    stderr.wait_for(Duration::from_secs(15), |l| l.starts_with("live")).expect("watch goes live");
    server.post_nextgen(&admin.webhook, json!({"first_name": "Quinn", "phone": "3125550100"})).await.unwrap();
    let line = stdout.wait_for(Duration::from_secs(10), |l| l.contains(r#""type":"lead""#)).unwrap();
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!((event["announce"].as_bool(), event["alert"].as_bool()), (Some(true), Some(false)), "{event}");
    assert_eq!(event["hush"], "muted");
    assert!(tokio::task::spawn_blocking(move || watch.wait()).await.unwrap().unwrap().success());
}

/// Two outputs, each captured to its own WAV: the alert goes to the one chosen, by name, and to
/// the default one when the chosen one is not there.
#[test]
fn the_alert_plays_on_the_chosen_output_device() {
    let session = DesktopSession::start().unwrap();
    let dir = session.home();
    let tap = |name: &str, file: &std::path::Path| {
        format!(
            "pcm.{name} {{ type plug slave {{ pcm \"{name}Tap\" format S16_LE rate 44100 channels 2 }} \
             hint {{ show on description \"Test {name}\" }} }}\n\
             pcm.{name}Tap {{ type file slave.pcm \"null\" file \"{}\" format \"wav\" }}\n",
            file.display()
        )
    };
    let (speakers, headset) = (dir.join("speakers.wav"), dir.join("headset.wav"));
    let default = "pcm.!default { type plug slave.pcm \"speakers\" }\n";
    std::fs::write(dir.join(".asoundrc"), tap("speakers", &speakers) + &tap("headset", &headset) + default).unwrap();

    let (ok, out, err) = cli(&session, &["alerts", "devices"]);
    // Outputs go by the name the system shows people (ALSA: the first line of the description).
    assert!(ok && out.lines().any(|l| l == "Test speakers") && out.lines().any(|l| l == "Test headset"), "{out}{err}");

    let (ok, out, err) = cli(&session, &["alerts", "set", "--device", "Test headset"]);
    assert!(ok && out.contains("output:       Test headset"), "{out}{err}");
    let _ = std::fs::remove_file(&speakers); // listing the devices opened (and created) both files
    let (ok, out, err) = cli(&session, &["alerts", "test"]);
    assert!(ok, "{out}{err}");
    let heard = wav_stats(&headset).unwrap();
    assert!(heard.peak > 8_000 && heard.audible_seconds > 0.3, "the headset got the chime: {heard:?}");
    assert!(wav_stats(&speakers).map_or(true, |s| s.peak == 0), "the speakers got nothing");

    // A device that is gone: the alert plays on the default output, and says so.
    assert!(cli(&session, &["alerts", "set", "--device", "usb-gone"]).0);
    let _ = std::fs::remove_file(&speakers);
    let _ = std::fs::remove_file(&headset);
    let (ok, out, err) = cli(&session, &["alerts", "test"]);
    assert!(ok && out.contains("played chime"), "{out}{err}");
    assert!(err.contains("\"usb-gone\" is not connected: alerts play on the default output"), "{err}");
    let heard = wav_stats(&speakers).unwrap();
    assert!(heard.peak > 8_000 && heard.audible_seconds > 0.3, "the default output got the chime: {heard:?}");
    assert!(wav_stats(&headset).map_or(true, |s| s.peak == 0), "the headset got nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_keychain_login_stops_and_writes_nothing() {
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("nokeys@agency.test").await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(CLI)
        .args(["--home"])
        .arg(home.path().join("profile"))
        .args(["login", "--server", &server.url(), "--email", &admin.email])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", admin.password).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("OS keychain is not available"), "{err}");
    assert!(!home.path().join("profile/profile.json").exists(), "no session left behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leads_come_from_the_synced_cache_and_still_answer_offline() {
    let session = DesktopSession::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("list@agency.test").await.unwrap();

    let out = login(&session, &server.url(), &admin.email, "wrong password");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Invalid credentials"));

    assert!(login(&session, &server.url(), &admin.email, &admin.password).status.success());
    for (i, name) in ["First", "Second", "Third"].iter().enumerate() {
        server
            .post_nextgen(&admin.webhook, json!({"first_name": name, "phone": format!("312555010{i}")}))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let out = session.command(CLI).args(["leads", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Third", "Second", "First"]);

    let out = session.command(CLI).args(["leads", "--search", "seco"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Second") && !text.contains("Third"), "{text}");

    // One more lead: `sync` brings just it.
    let fourth =
        server.post_nextgen(&admin.webhook, json!({"first_name": "Fourth", "phone": "3125550104"})).await.unwrap();
    let (ok, _, err) = cli(&session, &["sync"]);
    assert!(ok && err.contains("synced 1 leads (changes)") && err.contains("4 in the cache"), "{err}");

    // The server goes away: the cache still answers, searches and shows a whole lead.
    drop(server);
    let (ok, out, err) = cli(&session, &["leads", "--offline", "--search", "0104"]);
    assert!(ok && out.contains("Fourth") && !out.contains("Third"), "{out}{err}");
    let (ok, out, err) = cli(&session, &["leads"]);
    assert!(ok && err.starts_with("offline (") && out.lines().count() == 4, "{out}{err}");
    let (ok, out, err) = cli(&session, &["lead", &fourth, "--json"]);
    assert!(ok, "{err}");
    let lead: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((lead["_id"].as_str(), lead["phone"].as_str()), (Some(fourth.as_str()), Some("3125550104")));
    // Its clock, from the phone's area code (312, Chicago) as it has no state or ZIP code.
    let clock = &lead["clock"];
    assert_eq!(clock["zone"], "America/Chicago", "{lead}");
    assert!(clock["localTime"].as_str().is_some_and(|t| t.ends_with("CST") || t.ends_with("CDT")), "{clock}");
    assert_eq!((clock["hours"].as_str(), clock["rules"].as_str()), (Some("8 AM–9 PM"), Some("Federal (TCPA)")));
    assert!(clock["callableNow"].is_boolean());
    let (ok, _, err) = cli(&session, &["lead", "nope"]);
    assert!(!ok && err.contains("lead nope is not in the local cache; sync first"), "{err}");

    assert!(session.command(CLI).arg("logout").status().unwrap().success());
    let out = session.command(CLI).arg("leads").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("not logged in"));
}

/// `dispose` and `note` work with no connection: the lead shows the change at once, `outbox` says
/// it is pending, and the next `sync` sends it; a colleague's change meanwhile is a conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dispositions_and_notes_made_offline_are_sent_when_back_online() {
    let session = DesktopSession::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let proxy = CutProxy::start(server.url().trim_start_matches("http://").parse().unwrap()).await.unwrap();
    let admin = server.admin("work@agency.test").await.unwrap();
    let a = server.post_nextgen(&admin.webhook, json!({"first_name": "Ann", "phone": "3125550101"})).await.unwrap();
    let b = server.post_nextgen(&admin.webhook, json!({"first_name": "Bob", "phone": "3125550102"})).await.unwrap();
    assert!(login(&session, &proxy.url(), &admin.email, &admin.password).status.success());
    assert!(cli(&session, &["sync"]).0);

    let (ok, out, err) = cli(&session, &["dispose", &a, "Quoted"]);
    assert!(ok && out.contains("disposition=\"Quoted\"") && out.ends_with("synced\n"), "{out}{err}");

    proxy.cut();
    let (ok, out, err) = cli(&session, &["note", &a, "wants a PPO"]);
    assert!(ok && out.trim_end().ends_with("pending") && err.starts_with("offline ("), "{out}{err}");
    let (ok, out, _) = cli(&session, &["dispose", &b, "Appointment", "--offline"]);
    assert!(ok && out.trim_end().ends_with("pending"), "{out}");
    let (_, out, _) = cli(&session, &["lead", &a, "--json"]);
    let lead: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((lead["disposition"].as_str(), lead["notes"].as_str()), (Some("Quoted"), Some("wants a PPO")));
    let (_, out, _) = cli(&session, &["outbox"]);
    assert_eq!(
        out.lines().map(|l| l.rsplit("  ").next().unwrap()).collect::<Vec<_>>(),
        ["synced", "pending", "pending"]
    );

    // A colleague sets Bob to SOLD on the server meanwhile.
    let api = crokodial_client::api::ApiClient::new(&server.url()).unwrap();
    let token = api.login(&admin.email, &admin.password).await.unwrap().token;
    let api = api.with_token(crokodial_client::secrets::Sensitive(token));
    let sold = crokodial_core::edit::LeadEdit::from([(crokodial_core::edit::EditField::Disposition, "SOLD".into())]);
    api.update_lead(&b, &sold).await.unwrap();

    proxy.restore();
    let (ok, _, err) = cli(&session, &["sync"]);
    assert!(ok && err.contains("sent 1 edits; 1 conflicts, 0 refused"), "{err}");
    assert_eq!(api.lead(&a).await.unwrap().notes.as_deref(), Some("wants a PPO"));
    assert_eq!(api.lead(&b).await.unwrap().disposition.as_deref(), Some("SOLD"), "not overwritten");
    let (_, out, _) = cli(&session, &["outbox", "--json"]);
    let states: Vec<String> =
        out.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["state"].as_str().unwrap().to_owned()).collect();
    assert_eq!(states, ["synced", "synced", "conflict"]);
    assert!(out.contains("disposition is now \\\"SOLD\\\""), "{out}");

    let (ok, _, err) = cli(&session, &["dispose", "nope", "Quoted"]);
    assert!(!ok && err.contains("not in the local cache"), "{err}");
    let (ok, _, err) = cli(&session, &["dispose", &a, ""]);
    assert!(!ok && err.contains("changes nothing"), "{err}");
}
