//! The layering Cargo enforces: the use cases have no HTTP in them, and the HTTP crate reaches
//! the database only through them. Read from Cargo itself (`cargo tree`, `cargo metadata`), so
//! a dependency added in the wrong place fails here, not in review.

#![allow(clippy::expect_used, clippy::panic)]

use std::process::Command;

fn cargo(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO"))
        .args(args)
        .arg("--offline")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("cargo prints UTF-8")
}

#[test]
fn the_use_cases_depend_on_no_http_framework() {
    let tree = cargo(&["tree", "-p", "rampart-core", "-e", "normal", "--prefix", "none"]);
    let crates: Vec<&str> =
        tree.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(crates.contains(&"rampart-store"), "the tree was read: {crates:?}");
    for forbidden in ["axum", "axum-core", "tower", "tower-http", "hyper", "hyper-util", "utoipa"] {
        assert!(
            !crates.contains(&forbidden),
            "rampart-core depends on {forbidden}: {}",
            cargo(&["tree", "-p", "rampart-core", "-e", "normal", "-i", forbidden])
        );
    }
}

#[test]
fn the_http_crate_has_no_store_dependency() {
    let metadata = cargo(&["metadata", "--format-version", "1", "--no-deps"]);
    let metadata: serde_json::Value = serde_json::from_str(&metadata).expect("cargo metadata");
    let packages = metadata["packages"].as_array().expect("packages");
    let server = packages.iter().find(|p| p["name"] == "rampart-http").expect("rampart-http");
    let normal: Vec<&str> = server["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .filter(|dependency| dependency["kind"].is_null())
        .filter_map(|dependency| dependency["name"].as_str())
        .collect();
    assert!(normal.contains(&"rampart-core"), "the dependencies were read: {normal:?}");
    assert!(
        !normal.contains(&"rampart-store"),
        "rampart-http must reach the store only through rampart-core"
    );
}
