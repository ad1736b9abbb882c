//! Prometheus metrics: what this instance counts as it works (requests, audit events, sign-ins),
//! and what the database says when scraped (sessions, throttling, the audit chain, key ages,
//! queued mail), so every instance reports the deployment's shared state the same way.
//!
//! The recorder lives in [`crate::AppState`], not in a global: each server (and each test) has
//! its own. `GET /metrics` (`routes/metrics.rs`) renders it in the classic text format.

mod scrape;

use std::sync::Arc;
use std::time::Duration;

use metrics::{Key, Label, Level, Metadata, Recorder, Unit};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

pub use scrape::refresh_shared_gauges;

const METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// Request latency buckets, in seconds: from a cached read to a slow sign-in.
const LATENCY_BUCKETS: [f64; 12] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

const REQUESTS: &str = "rampart_http_requests_total";
const LATENCY: &str = "rampart_http_request_duration_seconds";
const AUDIT_EVENTS: &str = "rampart_audit_events_total";
const LOGINS: &str = "rampart_logins_total";
const ALERTS: &str = "rampart_alerts_total";
const SANDBOXED: &str = "rampart_sandbox_enforced";

/// This instance's metrics. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        // The bucket list is a non-empty constant: the only thing the builder refuses is an
        // empty one, so the fallback (latency as a summary) is never taken.
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY.to_owned()), &LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        let metrics = Self { recorder: Arc::new(recorder), handle };
        metrics.describe();
        metrics
    }

    fn describe(&self) {
        let counters = [
            (REQUESTS, "HTTP requests answered, by method, route and status"),
            (AUDIT_EVENTS, "audit events recorded by this instance, by action and outcome"),
            (LOGINS, "password sign-ins by outcome (success, failure)"),
            (ALERTS, "alerts raised by this instance, by rule and severity"),
        ];
        for (name, help) in counters {
            self.recorder.describe_counter(name.into(), None, help.into());
        }
        self.recorder.describe_histogram(
            LATENCY.into(),
            Some(Unit::Seconds),
            "time to answer an HTTP request, by route".into(),
        );
        self.recorder.describe_gauge(
            SANDBOXED.into(),
            None,
            "1 when this instance runs in its Landlock sandbox, 0 when unsandboxed".into(),
        );
        for (name, help) in scrape::GAUGES {
            self.recorder.describe_gauge((*name).into(), None, (*help).into());
        }
    }

    /// One answered request.
    pub fn request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = vec![
            Label::new("method", method.to_owned()),
            Label::new("route", route.to_owned()),
            Label::new("status", status.to_string()),
        ];
        self.recorder.register_counter(&Key::from_parts(REQUESTS, labels), &METADATA).increment(1);
        let labels = vec![Label::new("route", route.to_owned())];
        self.recorder
            .register_histogram(&Key::from_parts(LATENCY, labels), &METADATA)
            .record(elapsed.as_secs_f64());
    }

    /// One audit event written (the one place every security event passes).
    pub(crate) fn audit_event(&self, action: &'static str, outcome: &'static str) {
        let labels = vec![Label::new("action", action), Label::new("outcome", outcome)];
        self.recorder
            .register_counter(&Key::from_parts(AUDIT_EVENTS, labels), &METADATA)
            .increment(1);
        if action == "authn_login_success" || action == "authn_login_fail" {
            let labels = vec![Label::new("outcome", outcome)];
            self.recorder
                .register_counter(&Key::from_parts(LOGINS, labels), &METADATA)
                .increment(1);
        }
    }

    /// One alert raised (once per rule, subject and window, deployment-wide).
    pub(crate) fn alert_raised(&self, rule: &'static str, severity: &'static str) {
        let labels = vec![Label::new("rule", rule), Label::new("severity", severity)];
        self.recorder.register_counter(&Key::from_parts(ALERTS, labels), &METADATA).increment(1);
    }

    /// Whether this instance is sandboxed (set once, at start).
    pub fn sandboxed(&self, enforced: bool) {
        self.set_gauge(SANDBOXED, Vec::new(), if enforced { 1.0 } else { 0.0 });
    }

    pub(crate) fn set_gauge(&self, name: &'static str, labels: Vec<Label>, value: f64) {
        self.recorder.register_gauge(&Key::from_parts(name, labels), &METADATA).set(value);
    }

    /// Everything, in Prometheus's classic text format (`text/plain; version=0.0.4`).
    pub fn render(&self) -> String {
        self.handle.render()
    }
}
