//! Running the real `crokodial` binary in a private desktop session.

use std::io::Write;
use std::process::{Output, Stdio};

use crokodial_testkit::DesktopSession;

pub const CLI: &str = env!("CARGO_BIN_EXE_crokodial");

/// `crokodial login`, the password on stdin.
pub fn login(session: &DesktopSession, server: &str, email: &str, password: &str) -> Output {
    let mut child = session
        .command(CLI)
        .args(["login", "--server", server, "--email", email])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `crokodial ARGS…` to completion: (success, stdout, stderr).
pub fn cli(session: &DesktopSession, args: &[&str]) -> (bool, String, String) {
    let out = session.command(CLI).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}
