//! `rampart seed-demo`: the example business (`rampart_core::demo`), for trying Rampart out.

use std::path::Path;

use rampart_core::boot::ExistingInstallation;
use rampart_core::{config, demo};

pub(crate) fn run(file: Option<&Path>) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let installation = ExistingInstallation::open(&settings).await?;
        let state = installation.into_app_state(settings).await?;
        let people = demo::seed_demo(&state).await?;
        println!("seeded departments {}", demo::DEPARTMENTS.join(", "));
        println!("collections: leads (public form), customers, orders, invoices, employees");
        println!(
            "people (passwords shown once; change them or disable the accounts after trying):"
        );
        for person in people {
            let grants: Vec<String> = person
                .grants
                .iter()
                .map(|(role, departments)| match departments {
                    None => role.clone(),
                    Some(listed) => format!("{role} in {}", listed.join(", ")),
                })
                .collect();
            println!("  {}  {}  ({})", person.email, person.password, grants.join("; "));
        }
        Ok(())
    })
}
