//! Routes that exist only in tests: a JSON echo, a panic, a slow handler.

use std::time::Duration;

use rampart_http::ApiJson;
use rampart_http::routes::{Access, RouteTable};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
pub struct Login {
    pub email: String,
    pub attempts: u32,
}

pub fn test_routes() -> RouteTable {
    RouteTable::new()
        .post("/test/echo", Access::Public, |ApiJson(login): ApiJson<Login>| async move {
            ApiJson(login)
        })
        .get("/test/panic", Access::Public, || async {
            panic!("boom: the cause of the failure");
            #[allow(unreachable_code)]
            ""
        })
        .get("/test/slow", Access::Public, || async {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            "finished"
        })
}
