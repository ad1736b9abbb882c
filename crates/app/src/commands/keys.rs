//! `rampart keys status | rotate | rotate-master`.

use std::path::Path;

use anyhow::{Context, bail};
use rampart_core::audit::AuditEvent;
use rampart_core::boot::ExistingInstallation;
use rampart_core::client::ClientContext;
use rampart_core::config;
use rampart_core::keys::{
    key_status, load_or_create_keyring, reencrypt as run_reencryption, rotate_and_record,
    rotate_master_key, settle_time, wait_for_every_instance,
};
use rampart_core::unit_of_work::record;
use rampart_crypto::{MasterKey, OsRandom, Purpose};
use rampart_domain::{AuditAction, Clock, SystemClock};

pub(crate) fn status(file: Option<&Path>) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let installation = ExistingInstallation::open(&settings).await?;
        let now = SystemClock.now();
        for purpose in key_status(&installation.db).await? {
            let current = purpose.versions.last().map_or(0, |v| v.version);
            println!("{:<12} current v{current}", purpose.purpose.name());
            for version in &purpose.versions {
                let age_days = (now - version.created_at).whole_days();
                println!(
                    "    v{:<4} created {}  ({age_days} days ago)",
                    version.version,
                    version.created_at.date()
                );
            }
        }
        Ok(())
    })
}

pub(crate) fn rotate(file: Option<&Path>, purpose: &str) -> anyhow::Result<()> {
    let purposes: Vec<Purpose> = match purpose {
        "all" => Purpose::ALL.to_vec(),
        name => vec![Purpose::parse(name).with_context(|| {
            format!(
                "unknown purpose {name:?}: expected all, {}",
                Purpose::ALL.map(Purpose::name).join(", ")
            )
        })?],
    };
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let installation = ExistingInstallation::open(&settings).await?;
        let master = MasterKey::from_bytes(installation.master_key.expose_bytes())?;
        let state = installation.into_app_state(settings).await?;
        let rotated = rotate_and_record(&state, &master, &purposes, || {
            AuditEvent::success(AuditAction::KeyRotated).client(&ClientContext::local())
        })
        .await?;
        for (purpose, version) in rotated {
            println!("{purpose}: now v{version} for new writes; older versions still decrypt");
        }
        Ok(())
    })
}

pub(crate) fn reencrypt(file: Option<&Path>, batch_size: u64) -> anyhow::Result<()> {
    if batch_size == 0 {
        bail!("--batch-size must be at least 1");
    }
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let installation = ExistingInstallation::open(&settings).await?;
        let keyring = load_or_create_keyring(
            &installation.db,
            &installation.master_key,
            &OsRandom,
            &SystemClock,
        )
        .await?;
        let settle = settle_time(settings.keys.reload_interval());
        let waited = wait_for_every_instance(&installation.db, &SystemClock, settle).await?;
        if !waited.is_zero() {
            println!(
                "waited {:.1} s for every instance to load the new keys",
                waited.as_secs_f64()
            );
        }
        let report =
            run_reencryption(&installation.db, &keyring, &OsRandom, &SystemClock, batch_size, None)
                .await?;
        println!("checked {} values, rewrote {}", report.checked, report.rewritten);
        if report.retired.is_empty() {
            println!("no key version retired (still in use, or the newest is under 5 minutes old)");
        }
        for (purpose, version) in report.retired {
            println!("retired {purpose} v{version}");
        }
        Ok(())
    })
}

pub(crate) fn rotate_master(file: Option<&Path>, new_key_file: &Path) -> anyhow::Result<()> {
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(new_key_file)
            .with_context(|| format!("cannot read {}", new_key_file.display()))?,
    );
    let new_master = match MasterKey::from_bytes(&bytes) {
        Ok(key) => key,
        Err(_) => MasterKey::from_hex(std::str::from_utf8(&bytes).unwrap_or_default())
            .context("the new key file must hold 32 raw bytes or 64 hex digits")?,
    };
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let installation = ExistingInstallation::open(&settings).await?;
        if installation.master_key.expose_bytes() == new_master.expose_bytes() {
            bail!("the new master key is the one in use");
        }
        let count =
            rotate_master_key(&installation.db, &installation.master_key, &new_master, &OsRandom)
                .await?;
        println!("re-wrapped {count} data keys under the new master key");
        match &installation.master_key_file {
            Some(path) => {
                rampart_core::boot::replace_master_key_file(path, &new_master)?;
                println!(
                    "{} now holds the new key; back it up, then destroy the old copy",
                    path.display()
                );
            }
            None => println!(
                "the master key comes from storage.master_key(_file): set it to the new key now, \
                 the database no longer opens with the old one"
            ),
        }
        // Recorded once the new key is in place: the database opens with it only now.
        let master_key = MasterKey::from_bytes(new_master.expose_bytes())?;
        let state =
            ExistingInstallation { master_key, ..installation }.into_app_state(settings).await?;
        let event = AuditEvent::success(AuditAction::KeyRotated)
            .client(&ClientContext::local())
            .detail("purpose", "master")
            .detail("data_keys_rewrapped", count);
        record(&state, event).await?;
        Ok(())
    })
}
