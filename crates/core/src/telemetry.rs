//! Structured logs: JSON lines (or plain text for a terminal) on standard output.
//!
//! What is logged is decided where it is logged; nothing here can filter a secret after the fact,
//! so the rule is that secrets never reach a log macro (see `middleware/request_log.rs`).

use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{EnvFilter, fmt};

use crate::config::{LogFormat, LogSettings};

/// A subscriber for `settings` writing to `writer`. Tests pass a buffer; `rampart` passes stdout.
pub fn subscriber<W>(settings: &LogSettings, writer: W) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(&settings.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(writer);
    match settings.format {
        LogFormat::Json => Box::new(
            builder
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .flatten_event(true)
                .finish(),
        ),
        LogFormat::Text => Box::new(builder.with_ansi(false).finish()),
    }
}

/// Installs the process-wide subscriber. Call once, at start.
pub fn init(settings: &LogSettings) {
    // A second call (tests, or a command that starts twice) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber(settings, std::io::stdout));
}
