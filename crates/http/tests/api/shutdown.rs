//! Stopping lets requests in flight finish, and then accepts nothing more.

use std::time::Duration;

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::{TestOptions, spawn_app_with};
use crate::test_routes::test_routes;

async fn a_request_in_flight_finishes_during_shutdown(engine: TestEngine) {
    let mut app = spawn_app_with(
        engine,
        TestOptions { routes: Some(test_routes()), ..TestOptions::default() },
    )
    .await;
    let in_flight = tokio::spawn(app.client.get(app.at("/test/slow")).send());
    tokio::time::sleep(Duration::from_millis(300)).await;

    app.begin_stop();
    let response = in_flight.await.unwrap().unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "finished");
    app.wait_stopped().await.unwrap();
}

async fn after_shutdown_no_connection_is_accepted(engine: TestEngine) {
    let mut app = spawn_app_with(engine, TestOptions::default()).await;
    let address = app.address;

    app.stop().await.unwrap();

    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}

on_both_engines!(
    a_request_in_flight_finishes_during_shutdown,
    after_shutdown_no_connection_is_accepted,
);
