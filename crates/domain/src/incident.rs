//! Incidents: what an incident manager opens when something is wrong, updates while handling it
//! and closes when it is over — their severity, their status and the moves between statuses.
//!
//! Statuses: `open` (being handled), `contained` (the harm is stopped, the clean-up goes on) and
//! `closed` (over). Open and contained move freely to each other (containment can fail) and to
//! closed. Closed is final: a closed incident's timeline is evidence, so it is not changed
//! afterwards — a recurrence is a new incident (its summary can name the old one).
//!
//! An incident's timeline is derived, not stored (`core/src/incident/timeline.rs`); the audit
//! actions that count as containment in it are [`CONTAINMENT_ACTIONS`].

use std::fmt;

use crate::AuditAction;
pub use crate::detection::Severity;

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentStatus {
    Open,
    Contained,
    Closed,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 3] = [Self::Open, Self::Contained, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Contained => "contained",
            Self::Closed => "closed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// Whether the incident may still be changed (updated, noted, contained from).
    pub fn is_closed(self) -> bool {
        self == Self::Closed
    }

    /// Whether an incident in this status may move to `next` (staying put counts as a move:
    /// an update that changes only the severity or adds a note).
    pub fn may_become(self, next: IncidentStatus) -> Result<(), IncidentRefused> {
        match (self, next) {
            (Self::Closed, _) => Err(IncidentRefused::Closed),
            (Self::Open | Self::Contained, _) => Ok(()),
        }
    }
}

impl fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Severity {
    pub const ALL: [Severity; 4] = [Self::Low, Self::Medium, Self::High, Self::Critical];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|severity| severity.as_str() == name)
    }
}

/// Why a change to an incident is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentRefused {
    #[error("the incident is closed; open a new one")]
    Closed,
    #[error("{0}")]
    Invalid(&'static str),
}

/// What an incident is about: one line a manager reads in a list. Trimmed, 1 to 500
/// characters, no control characters (it is printed on terminals and in e-mails).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentSummary(String);

impl IncidentSummary {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<Self, IncidentRefused> {
        let text = text.trim();
        if text.is_empty() {
            return Err(IncidentRefused::Invalid("summary: say what the incident is about"));
        }
        if text.chars().count() > Self::MAX_CHARS || text.chars().any(char::is_control) {
            return Err(IncidentRefused::Invalid("summary: at most 500 characters, on one line"));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A manual update on the timeline: what was found, decided or done outside Rampart. Trimmed,
/// 1 to 4000 characters; line breaks allowed, no other control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentNote(String);

impl IncidentNote {
    pub const MAX_CHARS: usize = 4000;

    pub fn parse(text: &str) -> Result<Self, IncidentRefused> {
        let text = text.trim();
        if text.is_empty() {
            return Err(IncidentRefused::Invalid("note: empty"));
        }
        let stray_control = text.chars().any(|c| c.is_control() && c != '\n');
        if text.chars().count() > Self::MAX_CHARS || stray_control {
            return Err(IncidentRefused::Invalid(
                "note: at most 4000 characters, no control characters but line breaks",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The audit actions that are containment (or the handling of an incident) and so belong on the
/// timeline of every incident open when they happened.
pub const CONTAINMENT_ACTIONS: [AuditAction; 8] = [
    AuditAction::LockdownChanged,
    AuditAction::SessionRevoked,
    AuditAction::SessionRevokedAll,
    AuditAction::ApikeyRevoked,
    AuditAction::UserDisabled,
    AuditAction::KeyRotated,
    AuditAction::AuthnMfaRemoved,
    AuditAction::AuthnPasswordResetForced,
];

/// The actions that record an incident's own life (opened, updated, closed): on its timeline
/// only when they name it.
pub const INCIDENT_ACTIONS: [AuditAction; 3] =
    [AuditAction::IncidentOpened, AuditAction::IncidentUpdated, AuditAction::IncidentClosed];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_severities_round_trip_through_their_names() {
        for status in IncidentStatus::ALL {
            assert_eq!(IncidentStatus::parse(status.as_str()), Some(status));
        }
        for severity in Severity::ALL {
            assert_eq!(Severity::parse(severity.as_str()), Some(severity));
        }
        assert_eq!(IncidentStatus::parse("resolved"), None);
        assert_eq!(Severity::parse("HIGH"), None);
    }

    #[test]
    fn open_and_contained_move_freely_and_closed_is_final() {
        use IncidentStatus::{Closed, Contained, Open};
        for (from, to) in
            [(Open, Contained), (Contained, Open), (Open, Closed), (Contained, Closed)]
        {
            assert_eq!(from.may_become(to), Ok(()), "{from} → {to}");
        }
        assert_eq!(Open.may_become(Open), Ok(()));
        for to in IncidentStatus::ALL {
            assert_eq!(Closed.may_become(to), Err(IncidentRefused::Closed), "closed → {to}");
        }
    }

    #[test]
    fn a_summary_is_one_short_line_and_a_note_may_have_several() {
        assert_eq!(IncidentSummary::parse("  phishing  ").unwrap().as_str(), "phishing");
        assert!(IncidentSummary::parse("   ").is_err());
        assert!(IncidentSummary::parse("two\nlines").is_err());
        assert!(IncidentSummary::parse(&"x".repeat(501)).is_err());
        assert!(IncidentSummary::parse(&"é".repeat(500)).is_ok());
        assert_eq!(IncidentNote::parse("found\nthe key").unwrap().as_str(), "found\nthe key");
        assert!(IncidentNote::parse("bell\u{7}").is_err());
        assert!(IncidentNote::parse("").is_err());
    }

    #[test]
    fn containment_actions_are_distinct_from_the_incident_actions() {
        for action in INCIDENT_ACTIONS {
            assert!(!CONTAINMENT_ACTIONS.contains(&action));
        }
    }
}
