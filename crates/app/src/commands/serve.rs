use std::path::Path;

use rampart_core::sandbox::{self, SandboxStatus};
use rampart_core::{config, telemetry};
use rampart_http::{Application, Listeners};
use secrecy::ExposeSecret;

/// `rampart serve`: start, print where to connect, serve until SIGTERM or SIGINT.
pub(crate) fn run(file: Option<&Path>) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    telemetry::init(&settings.log);
    // Everything that can fail without writing fails first — the key, the ports — so that a
    // start that cannot serve has created nothing (the sandbox creates the data directory).
    rampart_core::boot::check_before_creating(&settings)?;
    let listeners = Listeners::bind(&settings)?;
    // On this thread, before the runtime starts its threads: Landlock restricts the calling
    // thread and those it starts afterwards, never threads already running.
    let confinement = sandbox::confine(&settings)?;
    let status = confinement.status;
    super::runtime()?.block_on(async {
        let app = Application::builder(settings)
            .listeners(listeners)
            .confinement(confinement)
            .build()
            .await?;
        // Listen for the signals before saying we are up: a SIGTERM sent right after the
        // announcement must stop the server gracefully, not kill it.
        let shutdown = shutdown_signal()?;
        announce(&app, status);
        app.run_until_stopped(shutdown).await?;
        Ok(())
    })
}

/// What the operator needs on the terminal: the URL, and what the first start created.
fn announce(app: &Application, sandbox: SandboxStatus) {
    let report = app.report();
    if !sandbox.is_enforced() {
        eprintln!("rampart: {sandbox}");
    }
    if report.created_data_dir {
        eprintln!(
            "rampart: created the data directory {}",
            app.state().settings.storage.data_dir.display()
        );
    }
    if report.created_master_key {
        eprintln!(
            "rampart: created the master key; back it up apart from the database — without it the data cannot be read"
        );
    }
    if let (true, Some(ca)) = (report.created_certificate, &report.local_ca_file) {
        eprintln!(
            "rampart: created a local certificate; trust {} in your client to avoid warnings",
            ca.display()
        );
    }
    if let Some(redirect) = app.redirect_addr() {
        eprintln!("rampart: redirecting http://{redirect} to HTTPS");
    }
    eprintln!("rampart: listening on {}", app.url());
    if let Some(link) = &report.bootstrap_link {
        // To the terminal only, never to the log: whoever holds the link can become the owner.
        let minutes = app.state().settings.accounts.bootstrap_link_ttl_secs / 60;
        eprintln!(
            "rampart: no owner yet. Create the first owner within {minutes} minutes (single use):\n  {}\n  or POST the token with an e-mail and password to /api/auth/bootstrap,\n  or run `rampart user create-owner --email ADDRESS` (password on stdin).",
            link.expose_secret()
        );
    }
    tracing::info!(url = %app.url(), address = %app.local_addr(), "listening");
}

/// Resolves at the first SIGTERM or SIGINT. The handlers are installed when this is called.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}
