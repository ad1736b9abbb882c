//! Routes that exist only in tests: a JSON echo, a panic, a slow handler.

use std::time::Duration;

use axum::routing::{get, post};
use rampart_server::ApiJson;
use rampart_server::routes::RouteTable;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
pub struct Login {
    pub email: String,
    pub attempts: u32,
}

pub fn test_routes() -> RouteTable {
    RouteTable::new()
        .public("/test/echo", post(|ApiJson(login): ApiJson<Login>| async move { ApiJson(login) }))
        .public(
            "/test/panic",
            get(|| async {
                panic!("boom: the cause of the failure");
                #[allow(unreachable_code)]
                ""
            }),
        )
        .public(
            "/test/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                "finished"
            }),
        )
}
