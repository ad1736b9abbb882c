//! Incident response: lockdown (`lockdown.rs`), the forensics bundle (`report/`) and notifying
//! the people an incident affected (`notify/`). Incidents with timelines, backups and the doctor
//! are the rest of the incident issue.

pub mod lockdown;
pub mod notify;
pub mod report;
