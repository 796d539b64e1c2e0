//! The server as an operator runs it: its own process, stopped by SIGTERM (systemd, Docker,
//! `kill`) as cleanly as by Ctrl-C, and ready only while it takes work.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn sigterm_stops_it_cleanly_and_it_says_when_it_is_ready() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_crokodial-server"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--db", dir.path().join("s.db").to_str().unwrap()])
        .env("CROKODIAL_HOME", dir.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("Crokodial server at"), "{first}");

    let ready = reqwest::get(format!("http://127.0.0.1:{port}/api/ready")).await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap()["ready"], true);

    let term = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 10 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "stopped by SIGTERM, not cleanly: {status}");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("shutting down") && log.contains("SIGTERM"), "{log}");
}
