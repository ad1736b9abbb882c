//! The OpenAPI shapes of answers whose data `rampart_core` returns as plain serde values (the
//! use-case crate has no OpenAPI in it). Each struct here documents one core type, field for
//! field, under that type's name; `tests/api/openapi.rs` checks real answers against the
//! document, so a field added on one side and not the other fails the suite.

#![allow(dead_code)] // documentation only: never built, never serialised

use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// `rampart_core::records::RecordView`: built-in columns at the top level, the fields under
/// `fields`, sensitive fields only when the caller may see them (absent otherwise).
#[derive(Debug, ToSchema)]
#[schema(as = RecordView)]
pub(crate) struct RecordViewSchema {
    id: Uuid,
    collection: String,
    department: Option<String>,
    owner_id: Option<Uuid>,
    /// Send it back in `If-Match` to update only what you read.
    version: i64,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
    /// Set when the record is in the bin.
    #[schema(format = DateTime)]
    deleted_at: Option<String>,
    #[schema(value_type = Object)]
    fields: Value,
}

/// `rampart_core::api_keys::ApiKeyView`: a key as its creator sees it (never the secret, except
/// once at creation).
#[derive(Debug, ToSchema)]
#[schema(as = ApiKeyView)]
pub(crate) struct ApiKeyViewSchema {
    id: Uuid,
    name: String,
    /// `resource:action` names.
    permissions: Vec<String>,
    /// Networks the key may be used from (CIDR); empty: any.
    allowed_cidrs: Vec<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    expires_at: String,
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
    revoked: bool,
}

/// `rampart_core::incident::containment::ContainmentReport`: what a containment action did.
#[derive(Debug, ToSchema)]
#[schema(as = ContainmentReport)]
pub(crate) struct ContainmentReportSchema {
    sessions_ended: u64,
    api_keys_revoked: u64,
    users_disabled: u64,
    passwords_reset: u64,
    emails_queued: u64,
}

/// `rampart_core::incident::timeline::TimelineSource`: where a timeline entry comes from.
#[derive(Debug, ToSchema)]
#[schema(as = TimelineSource, rename_all = "snake_case")]
pub(crate) enum TimelineSourceSchema {
    Note,
    Alert,
    Audit,
}

/// `rampart_core::incident::timeline::TimelineEntry`: one thing that happened during the
/// incident.
#[derive(Debug, ToSchema)]
#[schema(as = TimelineEntry)]
pub(crate) struct TimelineEntrySchema {
    #[schema(format = DateTime)]
    at: String,
    source: TimelineSourceSchema,
    /// `note`; the alert's rule; the audit event's action.
    kind: String,
    /// The note's author or the event's actor (none: the command line, or a detection rule).
    actor: Option<Uuid>,
    /// The event's target or the alert's subject.
    target: Option<String>,
    /// The alert's severity, or the event's outcome.
    level: Option<String>,
    /// The note's text.
    text: Option<String>,
    /// The alert's or event's details (never secrets).
    #[schema(value_type = Object)]
    details: Value,
}
