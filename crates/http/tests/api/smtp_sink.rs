//! A real SMTP server for the mail tests: `scripts/smtp-sink.py` (aiosmtpd) on a loopback port,
//! storing what it accepts in a Maildir in a temporary directory. Killed when dropped.
//!
//! aiosmtpd lives in the tools venv (`scripts/install-tools aiosmtpd`); without it these tests
//! fail and say so, rather than pass without having sent anything.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/smtp-sink.py");

/// One message as the relay received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedEmail {
    /// The envelope recipient (RCPT TO).
    pub to: String,
    pub subject: String,
    /// The body with line ends as `\n` and no trailing line end.
    pub body: String,
    /// The whole message as stored.
    pub raw: String,
}

/// How the sink protects its port.
pub enum SinkTls<'a> {
    None,
    /// STARTTLS with this certificate and key, required before AUTH and MAIL.
    Starttls {
        cert: &'a Path,
        key: &'a Path,
    },
}

pub struct SmtpSink {
    pub port: u16,
    child: Child,
    dir: TempDir,
}

/// A loopback port that was free a moment ago (for a sink started later).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

fn python() -> PathBuf {
    let tools = std::env::var_os("VERIFY_TOOLS_DIR").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/rampart-tools")
    });
    let python = tools.join("venv/bin/python");
    let has_aiosmtpd = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        has_aiosmtpd,
        "the SMTP sink needs aiosmtpd in {}: run `scripts/install-tools aiosmtpd`",
        python.display()
    );
    python
}

impl SmtpSink {
    /// The settings that make a server deliver to this sink without TLS, polling every second.
    pub fn plain_delivery(&self) -> Vec<(&'static str, toml::Value)> {
        vec![
            ("smtp.host", "127.0.0.1".into()),
            ("smtp.port", i64::from(self.port).into()),
            ("smtp.tls", "none".into()),
            ("smtp.poll_interval_secs", 1.into()),
        ]
    }

    /// Starts a sink on `port` (optionally requiring AUTH with `credentials`) and waits until it
    /// accepts connections.
    pub fn start(port: u16, tls: SinkTls<'_>, credentials: Option<(&str, &str)>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(python());
        command.arg(SCRIPT).arg(dir.path().join("maildir")).arg("--port").arg(port.to_string());
        if let SinkTls::Starttls { cert, key } = tls {
            command.arg("--tls").arg(cert).arg(key);
        }
        if let Some((user, password)) = credentials {
            command.args(["--user", user, "--password", password]);
        }
        let log = std::fs::File::create(dir.path().join("sink.log")).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut sink = Self { port, child, dir };
        sink.wait_until_listening();
        sink
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            let exited = self.child.try_wait().unwrap();
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "the SMTP sink did not start on port {}: {}",
                self.port,
                std::fs::read_to_string(self.dir.path().join("sink.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<ReceivedEmail> {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("maildir/new")) else {
            return Vec::new();
        };
        entries
            .map(|entry| parse(&std::fs::read_to_string(entry.unwrap().path()).unwrap()))
            .collect()
    }

    /// Waits (up to a few seconds) until `count` messages have arrived, and returns them.
    pub async fn wait_for(&self, count: usize) -> Vec<ReceivedEmail> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "{count} message(s) expected, {} received",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Headers (unfolded) and body of a stored message; enough for plain-text ASCII mail.
fn parse(raw: &str) -> ReceivedEmail {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw.as_str(), ""));
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        unfolded
            .lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
            })
            .unwrap_or_default()
    };
    ReceivedEmail {
        to: header("X-RcptTo"),
        subject: header("Subject"),
        body: body.trim_end_matches('\n').to_owned(),
        raw: raw.clone(),
    }
}
