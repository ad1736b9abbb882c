//! `rampart doctor [--strict] [--advisory-db PATH]`: one line per posture check on standard
//! output; the exit code says whether anything needs action (1) or not (0).

use std::path::{Path, PathBuf};

use anyhow::bail;
use rampart_core::boot::ExistingInstallation;
use rampart_core::config;
use rampart_core::doctor::{Context, Status, examine, needs_action};
use rampart_domain::{Clock, SystemClock};

pub(crate) fn run(
    file: Option<&Path>,
    strict: bool,
    advisory_db: Option<PathBuf>,
) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    let advisory_db = advisory_db.unwrap_or_else(|| settings.doctor.advisory_db.clone());
    let findings = super::runtime()?.block_on(async {
        // The database without the master key: a key file too open to load is a finding.
        let db = ExistingInstallation::open_database(&settings).await?;
        let context = Context { settings: &settings, db: &db, now: SystemClock.now(), advisory_db };
        let findings = examine(&context).await;
        db.close().await;
        anyhow::Ok(findings)
    })?;
    for finding in &findings {
        println!("{finding}");
    }
    let count = |status| findings.iter().filter(|finding| finding.status == status).count();
    let (failed, warned) = (count(Status::Fail), count(Status::Warn));
    if needs_action(&findings, strict) {
        let strictly = if strict && failed == 0 { " (--strict)" } else { "" };
        bail!("doctor: {failed} failed, {warned} warnings{strictly}");
    }
    Ok(())
}
