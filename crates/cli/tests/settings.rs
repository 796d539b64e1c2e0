//! The settings have one owner in each process, and processes share the file: a change saved by
//! `crokodial alerts set` reaches a running app (here, this test's own `SettingsStore`) within a
//! second, and two processes writing at once never lose each other's changes.

use std::process::Command;
use std::time::Duration;

use crokodial_client::alert::Sound;
use crokodial_client::home::Home;
use crokodial_client::settings::{Settings, SettingsStore, TextTemplate};

const CLI: &str = env!("CARGO_BIN_EXE_crokodial");

fn alerts_set(home: &Home, args: &[&str]) {
    let out = Command::new(CLI).env("CROKODIAL_HOME", home.dir()).args(["alerts", "set"]).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_saved_by_another_process_is_applied_live_and_neither_loses_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("profile"));
    let store = SettingsStore::open(&home);
    let _follow = store.follow_file(Duration::from_millis(100));
    let mut settings = store.subscribe();

    store.update(|s| s.alerts.sound = Sound::Bell).unwrap();
    alerts_set(&home, &["--volume", "20"]);
    let seen = tokio::time::timeout(Duration::from_secs(5), settings.wait_for(|s| s.alerts.volume_percent() == 20))
        .await
        .is_ok();
    assert!(seen, "the other process's volume never reached this one: {:?}", store.alerts());
    assert_eq!(store.alerts().sound, Sound::Bell, "the other process kept this one's sound");

    // Both write at once: this process adds templates while the CLI sets the volume again and again.
    let writer = {
        let home = home.clone();
        std::thread::spawn(move || (1..=15).for_each(|v| alerts_set(&home, &["--volume", &v.to_string()])))
    };
    for i in 0..30 {
        let template = TextTemplate { name: format!("t{i}"), body: "Hi {first_name}".into() };
        store.update(|s| s.text_templates.push(template)).unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    writer.join().unwrap();
    let on_disk = Settings::load(&home);
    let names: Vec<&str> = on_disk.text_templates.iter().map(|t| t.name.as_str()).collect();
    assert!((0..30).all(|i| names.contains(&format!("t{i}").as_str())), "templates lost: {names:?}");
    assert_eq!((on_disk.alerts.volume_percent(), on_disk.alerts.sound), (15, Sound::Bell));
    let seen = tokio::time::timeout(Duration::from_secs(5), settings.wait_for(|s| s.alerts.volume_percent() == 15))
        .await
        .is_ok();
    assert!(seen, "this process follows the file: {:?}", store.alerts());
}
