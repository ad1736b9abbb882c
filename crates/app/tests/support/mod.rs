//! What the command tests share: running `rampart` in a directory, and making an installation
//! the way an operator does.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Stdio};

const RAMPART: &str = env!("CARGO_BIN_EXE_rampart");

pub fn rampart(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(RAMPART)
        .current_dir(dir)
        .args(args)
        .env("RAMPART_SERVER__LISTEN", "127.0.0.1:0")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Makes an installation the way an operator does: start `rampart serve` once, then stop it.
pub fn install(dir: &Path) {
    install_with(dir, &[], &[]);
}

/// As [`install`], with more arguments (`--config FILE`) and environment variables (e.g.
/// libfaketime's, for an installation made long ago).
pub fn install_with(dir: &Path, args: &[&str], envs: &[(&str, &str)]) {
    let mut child = Command::new(RAMPART)
        .current_dir(dir)
        .arg("serve")
        .args(args)
        .envs(envs.iter().copied())
        .env("RAMPART_SERVER__LISTEN", "127.0.0.1:0")
        .env("RAMPART_LOG__LEVEL", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    assert!(
        lines.any(|line| line.unwrap_or_default().starts_with("rampart: listening on")),
        "serve did not start"
    );
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(child.wait().unwrap().success());
}

/// `rampart user create-owner --email ADDRESS` with the password on standard input.
pub fn create_owner(dir: &Path, email: &str, password: &str) -> (bool, String, String) {
    create_owner_with(dir, email, password, &[])
}

/// As [`create_owner`], with more arguments (`--config FILE`).
pub fn create_owner_with(
    dir: &Path,
    email: &str,
    password: &str,
    args: &[&str],
) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(RAMPART)
        .current_dir(dir)
        .args(["user", "create-owner", "--email", email])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}
