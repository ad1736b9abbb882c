//! Incident response. For now: lockdown (`lockdown.rs`). Incidents with timelines, the
//! forensics bundle, notification, backups and the doctor are the rest of the incident issue.

pub mod lockdown;
