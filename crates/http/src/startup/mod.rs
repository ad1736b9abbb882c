//! Start-up: from settings to a running server.
//!
//! [`Application::builder`] prepares everything that can fail (the installation, opened by
//! `rampart_core::boot`: data directory, master key, database and migrations; then TLS and the
//! listening sockets) so that a failure stops the start before anything is served;
//! [`Application::run_until_stopped`] serves until the shutdown future resolves, then lets
//! requests in flight finish.

mod acme;
mod listeners;
mod tls;

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use rampart_core::AppState;
use rampart_core::boot::{BootError, InstanceLock, Opened};
use rampart_core::config::{Settings, TlsMode};
use rampart_core::sandbox::{Confinement, SandboxStatus};
use rampart_crypto::{MasterKey, OsRandom};
use rampart_domain::{Clock, Random, SystemClock};

use crate::middleware::{self, MiddlewareSettings};
use crate::routes::{self, RouteTable};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Boot(#[from] BootError),
    #[error(transparent)]
    PrivateFile(#[from] rampart_core::private_files::PrivateFileError),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot listen on {address}: {problem}")]
    Listen { address: SocketAddr, problem: String },
    #[error("server stopped with an error: {0}")]
    Serve(String),
}

/// What the start found or created, for the operator.
#[derive(Debug, Clone, Default)]
pub struct StartupReport {
    pub created_data_dir: bool,
    pub created_master_key: bool,
    pub created_certificate: bool,
    /// The authority to trust for the generated certificate (`tls.mode = "self-signed"`).
    pub local_ca_file: Option<PathBuf>,
    /// While no owner exists: the one-time link that creates the first one (a secret: printed
    /// to the operator's terminal, never logged).
    pub bootstrap_link: Option<secrecy::SecretString>,
}

/// The first owner's link. The token rides after `#`, which browsers never send to a server.
fn bootstrap_link(public_origin: &str, token: &str) -> secrecy::SecretString {
    secrecy::SecretString::from(format!(
        "{}/setup#token={token}",
        public_origin.trim_end_matches('/')
    ))
}

/// Builds an [`Application`]; tests replace the clock and randomness and add routes.
#[derive(Debug)]
pub struct ApplicationBuilder {
    settings: Settings,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    extra_routes: RouteTable,
    confinement: Option<Confinement>,
    listeners: Option<Listeners>,
}

/// The server's ports, bound before anything else happens: `serve` binds them before it enters
/// the sandbox (which creates the data directory), so that a start that cannot listen has
/// created nothing.
#[derive(Debug)]
pub struct Listeners {
    main: TcpListener,
    redirect: Option<TcpListener>,
}

impl Listeners {
    pub fn bind(settings: &Settings) -> Result<Self, StartupError> {
        Ok(Self {
            main: bind(settings.server.listen)?,
            redirect: settings.server.redirect_listen.map(bind).transpose()?,
        })
    }
}

impl ApplicationBuilder {
    /// Ports bound beforehand ([`Listeners::bind`]); otherwise [`Self::build`] binds them first.
    pub fn listeners(mut self, listeners: Listeners) -> Self {
        self.listeners = Some(listeners);
        self
    }

    /// The sandbox `serve` entered before its runtime started: logged, exported as a metric,
    /// and its creation of the data directory reported.
    pub fn confinement(mut self, confinement: Confinement) -> Self {
        self.confinement = Some(confinement);
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn random(mut self, random: Arc<dyn Random>) -> Self {
        self.random = random;
        self
    }

    /// Routes served beside Rampart's own (each still declares its access rule).
    pub fn extra_routes(mut self, routes: RouteTable) -> Self {
        self.extra_routes = routes;
        self
    }

    pub async fn build(self) -> Result<Application, StartupError> {
        let Self { settings, clock, random, extra_routes, confinement, listeners } = self;
        let middleware_settings = MiddlewareSettings {
            request_timeout: settings.server.request_timeout(),
            body_limit_bytes: settings.server.body_limit_bytes,
            hsts: settings.server.sends_hsts(),
        };
        // The ports first: a start that cannot listen must not have created anything.
        let Listeners { main: listener, redirect: redirect_listener } = match listeners {
            Some(bound) => bound,
            None => Listeners::bind(&settings)?,
        };
        let Opened { state, master_key, created_data_dir, created_master_key, instance_lock } =
            rampart_core::boot::open(settings, clock, random).await?;
        let settings = &state.settings;
        let tls = listener_tls(settings, state.clock.as_ref())?;
        let acme_challenges = (settings.tls.mode == TlsMode::Acme).then(acme::Challenges::default);
        let mut report = StartupReport {
            created_data_dir: created_data_dir
                || confinement.as_ref().is_some_and(|confinement| confinement.created_data_dir),
            created_master_key,
            created_certificate: tls.created_certificate,
            local_ca_file: tls.local_ca_file,
            bootstrap_link: None,
        };
        announce_confinement(&state, confinement.as_ref());
        let table = routes::table().merge(extra_routes);
        let router = middleware::apply(
            with_site(table.into_router(), settings),
            middleware_settings,
            &state,
        )
        .with_state(state.clone());
        report.bootstrap_link = rampart_core::accounts::issue_bootstrap_link(&state)
            .await
            .map_err(BootError::from)?
            .map(|token| bootstrap_link(&state.settings.server.public_origin, token.expose()));

        Ok(Application {
            state,
            router,
            listener,
            redirect_listener,
            tls: tls.config,
            report,
            master_key,
            acme_challenges,
            instance_lock,
        })
    }
}

/// Logs how this instance is confined (a warning when it is not) and sets the metric.
fn announce_confinement(state: &AppState, confinement: Option<&Confinement>) {
    let status = confinement.map(|confinement| confinement.status);
    state.metrics.sandboxed(status.is_some_and(SandboxStatus::is_enforced));
    match status {
        Some(status) if status.is_enforced() => tracing::info!(sandbox = %status, "sandbox"),
        Some(status) => tracing::warn!(sandbox = %status, "sandbox"),
        // An application built in-process (tests, benchmarks) is not `serve`: nothing to say.
        None => {}
    }
}

/// The main listener's TLS for `tls.mode` (`config: None`: plain HTTP behind a proxy), and
/// what the start made for it.
struct ListenerTls {
    config: Option<Arc<rustls::ServerConfig>>,
    created_certificate: bool,
    /// The authority to trust for the generated certificate (`tls.mode = "self-signed"`).
    local_ca_file: Option<PathBuf>,
}

fn listener_tls(settings: &Settings, clock: &dyn Clock) -> Result<ListenerTls, StartupError> {
    let data_dir = &settings.storage.data_dir;
    let mut made = ListenerTls { config: None, created_certificate: false, local_ca_file: None };
    let (chain, key) = match settings.tls.mode {
        TlsMode::SelfSigned => {
            let hosts = certificate_hosts(&settings.server.public_origin);
            let (chain, key, created) = tls::local_certificate(data_dir, &hosts, clock.now())?;
            made.created_certificate = created;
            made.local_ca_file = Some(data_dir.join(tls::TLS_DIR).join(tls::CA_FILE));
            (chain, key)
        }
        TlsMode::Files => {
            let (Some(cert), Some(key)) = (&settings.tls.cert_file, &settings.tls.key_file) else {
                return Err(StartupError::Tls(
                    "tls.cert_file and tls.key_file are required".into(),
                ));
            };
            tls::read_pem_files(cert, key)?
        }
        TlsMode::Acme => {
            let (chain, key, _) =
                acme::initial_certificate(&settings.tls.acme, data_dir, clock.now())?;
            (chain, key)
        }
        TlsMode::BehindProxy => return Ok(made),
    };
    made.config = Some(tls::server_config(chain, key)?);
    Ok(made)
}

async fn not_found() -> crate::ApiError {
    crate::ApiError::NotFound
}

/// What answers a request no route matched: the business's site (`site.dir`), or 404.
fn with_site(router: Router<AppState>, settings: &Settings) -> Router<AppState> {
    let site = settings
        .site
        .dir
        .as_deref()
        .and_then(|dir| crate::site::Site::new(dir, &settings.site.content_security_policy));
    match site {
        Some(site) => {
            router.fallback(move |request: axum::extract::Request| site.clone().answer(request))
        }
        None => router.fallback(not_found),
    }
}

/// The names the generated certificate is valid for: loopback, and the public origin's host.
fn certificate_hosts(public_origin: &str) -> Vec<String> {
    let mut hosts = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    if let Some(host) =
        url::Url::parse(public_origin).ok().and_then(|url| url.host_str().map(str::to_owned))
    {
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        if !hosts.contains(&host) {
            hosts.insert(0, host);
        }
    }
    hosts
}

fn bind(address: SocketAddr) -> Result<TcpListener, StartupError> {
    let listener = TcpListener::bind(address)
        .map_err(|error| StartupError::Listen { address, problem: error.to_string() })?;
    listener
        .set_nonblocking(true)
        .map_err(|error| StartupError::Listen { address, problem: error.to_string() })?;
    Ok(listener)
}

/// A built, not yet running, Rampart server.
#[derive(Debug)]
pub struct Application {
    state: AppState,
    router: Router,
    listener: TcpListener,
    redirect_listener: Option<TcpListener>,
    tls: Option<Arc<rustls::ServerConfig>>,
    report: StartupReport,
    /// Kept to unwrap keys that other instances add while this one runs.
    master_key: MasterKey,
    /// With `tls.mode = "acme"`: the HTTP-01 challenges the plain-HTTP listener answers.
    acme_challenges: Option<acme::Challenges>,
    /// With SQLite: held until the server has stopped, so no second `serve` shares the file.
    instance_lock: Option<InstanceLock>,
}

impl Application {
    pub fn builder(settings: Settings) -> ApplicationBuilder {
        ApplicationBuilder {
            settings,
            clock: Arc::new(SystemClock),
            random: Arc::new(OsRandom),
            extra_routes: RouteTable::new(),
            confinement: None,
            listeners: None,
        }
    }

    /// The address the main listener is bound to (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.state.settings.server.listen)
    }

    pub fn redirect_addr(&self) -> Option<SocketAddr> {
        self.redirect_listener.as_ref().and_then(|listener| listener.local_addr().ok())
    }

    /// The URL to open: the public origin's scheme and host, with the port actually bound.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let host = url::Url::parse(&self.state.settings.server.public_origin)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".into());
        format!("{scheme}://{host}:{}", self.local_addr().port())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn report(&self) -> &StartupReport {
        &self.report
    }

    /// Serves until `shutdown` resolves, then stops accepting and waits up to
    /// `server.shutdown_grace_secs` for requests in flight.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        listeners::serve(self, shutdown).await
    }
}
