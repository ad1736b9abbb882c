//! The SMTP side: the lettre transport built from `[smtp]`, the message as sent, and what a
//! failure is called in logs and in `outbox.last_error`.
//!
//! TLS is rustls on ring with Mozilla's roots plus `smtp.ca_file`; the certificate must name
//! `smtp.host`. "starttls" requires the upgrade (a relay that does not offer it is refused rather
//! than used in clear); "none" is allowed by validation only towards a loopback relay.
//! A failure is described by its kind and reply code only: the relay's text may quote the address.

use std::net::IpAddr;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rampart_domain::Email;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use secrecy::ExposeSecret;
use uuid::Uuid;

use super::{MailError, StoredMessage};
use crate::config::{SmtpSettings, SmtpTls};

/// How a delivery attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SendFailure {
    /// The relay could not be used at all (connection, TLS, timeout, refused our session): not
    /// the message's fault, so it does not count as an attempt.
    RelayDown(String),
    /// The relay (or lettre) refused this message: counted, retried later.
    Refused(String),
}

/// A configured relay: the transport, the sender, and the domain of our Message-IDs.
pub(super) struct Relay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    message_id_domain: String,
    /// The longest one message (or one reachability check) may take: three steps' timeouts.
    pub(super) budget: std::time::Duration,
}

impl Relay {
    pub(super) fn new(
        settings: &SmtpSettings,
        host: &str,
        public_origin: &str,
    ) -> Result<Self, MailError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|_| MailError::Settings("smtp.from: not a valid sender address".into()))?;
        let tls = match settings.tls {
            SmtpTls::Starttls => Tls::Required(tls_parameters(settings, host)?),
            SmtpTls::Tls => Tls::Wrapper(tls_parameters(settings, host)?),
            SmtpTls::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(settings.timeout()))
            .hello_name(hello_name(public_origin));
        if let (Some(username), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(
                username.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            message_id_domain: from.email.domain().to_owned(),
            from,
            budget: settings.timeout() * 3,
        })
    }

    /// Connects, secures the connection and signs in, as a send would; `Ok` when all of it works.
    pub(super) async fn check_reachable(&self) -> Result<(), String> {
        match tokio::time::timeout(self.budget, self.transport.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err("no reply to NOOP".into()),
            Ok(Err(error)) => Err(match classify(&error) {
                SendFailure::RelayDown(kind) | SendFailure::Refused(kind) => kind,
            }),
            Err(_) => Err("timeout".into()),
        }
    }

    /// Sends one message; the outbox id becomes its Message-ID, the same on every retry.
    pub(super) async fn send(&self, id: Uuid, message: &StoredMessage) -> Result<(), SendFailure> {
        let to: Address =
            message.to.parse().map_err(|_| SendFailure::Refused("recipient".into()))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(message.subject.as_str())
            .message_id(Some(format!("<{id}@{}>", self.message_id_domain)))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|_| SendFailure::Refused("message".into()))?;
        match tokio::time::timeout(self.budget, self.transport.send(email)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(classify(&error)),
            Err(_) => Err(SendFailure::RelayDown("timeout".into())),
        }
    }
}

/// Refuses an address lettre could not put in an envelope (checked when a message is queued).
pub(super) fn check_recipient(email: &Email) -> Result<(), MailError> {
    email.as_str().parse::<Address>().map(drop).map_err(|_| MailError::Recipient)
}

fn tls_parameters(settings: &SmtpSettings, host: &str) -> Result<TlsParameters, MailError> {
    let mut builder =
        TlsParameters::builder(host.trim_start_matches('[').trim_end_matches(']').into());
    if let Some(path) = &settings.ca_file {
        let pem = std::fs::read(path).map_err(|error| {
            MailError::Settings(format!("smtp.ca_file: cannot read {}: {error}", path.display()))
        })?;
        let not_pem = || {
            MailError::Settings(format!(
                "smtp.ca_file: {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                path.display()
            ))
        };
        // Checked here: lettre would accept a file without any certificate and trust nothing.
        let certificates = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| not_pem())?;
        if certificates.is_empty() {
            return Err(not_pem());
        }
        for der in certificates {
            let certificate = Certificate::from_der(der.to_vec()).map_err(|_| not_pem())?;
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder.build_rustls().map_err(|_| {
        MailError::Settings(
            "smtp.ca_file: not a usable certificate authority for the relay's TLS".into(),
        )
    })
}

/// The name we greet the relay with (EHLO): the public origin's host.
fn hello_name(public_origin: &str) -> ClientId {
    let host = url::Url::parse(public_origin)
        .ok()
        .and_then(|url| {
            url.host_str().map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned())
        })
        .unwrap_or_else(|| "localhost".into());
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ClientId::Ipv4(ip),
        Ok(IpAddr::V6(ip)) => ClientId::Ipv6(ip),
        Err(_) => ClientId::Domain(host),
    }
}

/// A failure's kind (and reply code), never the relay's text.
fn classify(error: &lettre::transport::smtp::Error) -> SendFailure {
    if let Some(code) = error.status() {
        let severity = if error.is_permanent() { "permanent" } else { "transient" };
        return SendFailure::Refused(format!("{severity} {code}"));
    }
    if error.is_client() {
        return SendFailure::Refused("client".into());
    }
    let kind = if error.is_tls() || caused_by_tls(error) {
        "tls"
    } else if error.is_timeout() {
        "timeout"
    } else if error.is_response() {
        "bad reply"
    } else {
        "connection"
    };
    SendFailure::RelayDown(kind.into())
}

/// Whether rustls refused the handshake somewhere down the chain (lettre reports a certificate
/// refused during STARTTLS as a connection error; the operator needs to know it was TLS).
fn caused_by_tls(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        let inner = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        if error.is::<rustls::Error>() || inner.is_some_and(|inner| inner.is::<rustls::Error>()) {
            return true;
        }
        cause = error.source();
    }
    false
}
