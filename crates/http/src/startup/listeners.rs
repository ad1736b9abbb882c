//! The running listeners: HTTPS (or plain HTTP behind a proxy), the optional HTTP → HTTPS
//! redirect, and graceful shutdown of both.

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use axum_server::{Control, Handle, Server};
use hyper_util::rt::TokioExecutor;
use hyper_util::server::conn::auto::Builder;

use super::acme::Challenges;
use rampart_core::chores::Chores;
use rampart_core::config::ServerSettings;

use super::{Application, StartupError};
use crate::webhook::ReqwestWebhook;

/// A TLS handshake that has not finished after this long is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection that sends no request at all after this long is dropped.
const FIRST_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_HEADERS: usize = 100;

pub(super) async fn serve(
    app: Application,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    // Let go of only when serving has ended, whichever way it ends.
    let _instance_lock = app.instance_lock;
    let control = Control::new();
    let webhook =
        ReqwestWebhook::new(Duration::from_secs(app.state.settings.alerts.webhook_timeout_secs));
    let chores = Chores::start(&app.state, app.master_key, webhook);
    let settings = app.state.settings.server.clone();
    let service = app.router.into_make_service_with_connect_info::<SocketAddr>();
    let listen_error = |error: std::io::Error| StartupError::Listen {
        address: settings.listen,
        problem: error.to_string(),
    };

    let rustls_config = app.tls.map(RustlsConfig::from_config);
    let acme_task = match (&app.acme_challenges, &rustls_config) {
        (Some(challenges), Some(tls)) => Some(tokio::spawn(super::acme::keep_certificate(
            app.state.settings.tls.acme.clone(),
            app.state.settings.storage.data_dir.clone(),
            challenges.clone(),
            tls.clone(),
        ))),
        _ => None,
    };

    let mut main = match rustls_config {
        Some(tls) => {
            let acceptor = RustlsAcceptor::new(tls).handshake_timeout(HANDSHAKE_TIMEOUT);
            let mut server = axum_server::from_tcp(app.listener)
                .map_err(listen_error)?
                .acceptor(acceptor)
                .handle(Handle::with_control(control.clone()))
                .first_request_timeout(FIRST_REQUEST_TIMEOUT);
            limit_request_heads(server.http_builder(), &settings);
            tokio::spawn(async move { server.serve(service).await })
        }
        None => {
            let mut server = axum_server::from_tcp(app.listener)
                .map_err(listen_error)?
                .handle(Handle::with_control(control.clone()))
                .first_request_timeout(FIRST_REQUEST_TIMEOUT);
            limit_request_heads(server.http_builder(), &settings);
            tokio::spawn(async move { server.serve(service).await })
        }
    };

    let mut redirect = match app.redirect_listener {
        Some(listener) => {
            Some(spawn_redirect(listener, &settings, app.acme_challenges.clone(), &control)?)
        }
        None => None,
    };

    tokio::select! {
        () = shutdown => {
            tracing::info!(grace_secs = settings.shutdown_grace_secs, "shutting down: finishing requests in flight");
        }
        result = &mut main => {
            chores.stop(Duration::ZERO).await;
            if let Some(task) = &acme_task {
                task.abort();
            }
            return server_ended(result);
        }
    }
    control.graceful_shutdown(Some(settings.shutdown_grace()));
    let result = server_ended(main.await);
    if let Some(redirect) = redirect.take() {
        server_ended(redirect.await)?;
    }
    if let Some(task) = &acme_task {
        task.abort();
    }
    // The e-mail in hand, if any, may finish within the grace; the rest stay queued.
    chores.stop(settings.shutdown_grace()).await;
    tracing::info!("stopped");
    result
}

type ServerTask = tokio::task::JoinHandle<std::io::Result<()>>;

fn server_ended(
    result: Result<std::io::Result<()>, tokio::task::JoinError>,
) -> Result<(), StartupError> {
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(StartupError::Serve(error.to_string())),
        Err(error) => Err(StartupError::Serve(error.to_string())),
    }
}

/// Request heads larger than `max_header_bytes` get 431; slow ones are cut off.
fn limit_request_heads(builder: &mut Builder<TokioExecutor>, settings: &ServerSettings) {
    builder
        .http1()
        .max_buf_size(settings.max_header_bytes)
        .max_headers(MAX_HEADERS)
        .header_read_timeout(Duration::from_secs(settings.header_read_timeout_secs));
    builder
        .http2()
        .max_header_list_size(u32::try_from(settings.max_header_bytes).unwrap_or(u32::MAX));
}

/// The plain-HTTP listener: every request is answered with a redirect to the same path on the
/// public origin, except ACME HTTP-01 challenges when `tls.mode = "acme"`. The Host header is
/// ignored, so the redirect cannot be pointed elsewhere.
fn spawn_redirect(
    listener: TcpListener,
    settings: &ServerSettings,
    challenges: Option<Challenges>,
    control: &Control,
) -> Result<ServerTask, StartupError> {
    let address = listener.local_addr().unwrap_or(settings.listen);
    let origin = settings.public_origin.trim_end_matches('/').to_owned();
    let mut router = Router::new().fallback(move |request: Request| {
        let origin = origin.clone();
        async move { redirect_to_https(&origin, &request) }
    });
    if let Some(challenges) = challenges {
        router = router.route(
            "/.well-known/acme-challenge/{token}",
            get(move |Path(token): Path<String>| {
                let answer = challenges.answer(&token);
                async move {
                    match answer {
                        Some(key_authorization) => {
                            ([(header::CONTENT_TYPE, "text/plain")], key_authorization)
                                .into_response()
                        }
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                }
            }),
        );
    }
    let mut server: Server<SocketAddr> = axum_server::from_tcp(listener)
        .map_err(|error| StartupError::Listen { address, problem: error.to_string() })?
        .handle(Handle::with_control(control.clone()))
        .first_request_timeout(FIRST_REQUEST_TIMEOUT);
    limit_request_heads(server.http_builder(), settings);
    Ok(tokio::spawn(async move { server.serve(router.into_make_service()).await }))
}

fn redirect_to_https(origin: &str, request: &Request) -> Response {
    let path = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let location = format!("{origin}{path}");
    match HeaderValue::try_from(location) {
        Ok(location) => (
            StatusCode::PERMANENT_REDIRECT,
            [
                (header::LOCATION, location),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}
