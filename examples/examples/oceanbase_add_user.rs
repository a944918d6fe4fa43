//! Adds a user account to the allowlist of an OceanBase Cloud tenant's PrivateLink service.
//!
//! Reads OCEANBASE_ACCESS_KEY_ID, OCEANBASE_ACCESS_KEY_SECRET and OCEANBASE_PROJECT_ID, and
//! EXAMPLE_BASE_URL (optional; default: the documented endpoint). With CLOUD_SDK_MOCK=1 it
//! needs no account: the client talks to its mock server on 127.0.0.1, which answers with the
//! documentation's example response.

use cloud_sdk_runtime::oceanbase::{self, Credentials};
use oceanbase_cloud::{Client, mock::MockServer, types::AddPrivatelinkServiceUserBody};

/// The environment variable `name`, or an error that names it.
fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| {
        format!(
            "set the environment variable {name} (or CLOUD_SDK_MOCK=1 to run against a mock server)"
        )
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end: the mock server stops when dropped.
    let mut mock = None;
    let client = if std::env::var("CLOUD_SDK_MOCK").as_deref() == Ok("1") {
        let server = MockServer::start().await;
        server.add_privatelink_service_user(|_, then| {
            then.example();
        });
        mock.insert(server).client()
    } else {
        let base_url = std::env::var("EXAMPLE_BASE_URL")
            .unwrap_or_else(|_| Client::DEFAULT_BASE_URL.to_owned());
        let project_id = var("OCEANBASE_PROJECT_ID")?;
        let runtime =
            oceanbase::runtime_builder(&Client::API, Credentials::from_env()?, &project_id)?
                // Plain http:// is for a test server on this machine only.
                .allow_insecure_http(base_url.starts_with("http://127.0.0.1:"))
                .build()?;
        Client::new(&base_url, runtime)
    };

    let reply = client
        .add_privatelink_service_user()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .body(
            AddPrivatelinkServiceUserBody::builder()
                .user_account("user123")
                .address_id("rs-private-1"),
        )
        .call()
        .await?;
    println!(
        "added user123 to the allowlist of tenant t33h8y08k (request {})",
        reply.request_id.as_deref().unwrap_or("-")
    );
    Ok(())
}
