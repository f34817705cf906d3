//! The OpenAPI document is generated from the code; a committed copy shows API changes in diffs.
//! Run with `UPDATE_OPENAPI=1` to accept a change.

use reqwest::Method;

use crate::support::spawn_apps;

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json")
}

#[test]
fn the_committed_openapi_document_is_current() {
    let generated = serde_json::to_string_pretty(&clearinghouse_server::api::openapi_document())
        .expect("serializes")
        + "\n";
    let path = committed_path();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("writes openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi.json is out of date with the code; run `UPDATE_OPENAPI=1 cargo test -p clearinghouse-server --test api openapi` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI 3.1"
    );
}

#[tokio::test]
async fn the_served_document_equals_the_generated_one() {
    for t in spawn_apps().await {
        let served = t
            .request(Method::GET, "/api/v1/openapi.json", None, None)
            .await;
        assert_eq!(served.status, 200);
        let generated = serde_json::to_value(clearinghouse_server::api::openapi_document())
            .expect("serializes");
        assert_eq!(served.body, generated);
    }
}
