//! Adds a user account to the allowlist of an OceanBase Cloud tenant's PrivateLink service.
//!
//! Reads OCEANBASE_ACCESS_KEY_ID, OCEANBASE_ACCESS_KEY_SECRET and OCEANBASE_PROJECT_ID, and
//! EXAMPLE_BASE_URL (optional; default: the documented endpoint).

use cloud_sdk_runtime::oceanbase::{self, Credentials};
use oceanbase_cloud::{Client, types::AddPrivatelinkServiceUserBody};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url =
        std::env::var("EXAMPLE_BASE_URL").unwrap_or_else(|_| Client::DEFAULT_BASE_URL.to_owned());
    let project_id = std::env::var("OCEANBASE_PROJECT_ID")?;
    let runtime = oceanbase::runtime_builder(&Client::API, Credentials::from_env()?, &project_id)?
        // Plain http:// is for a test server on this machine only.
        .allow_insecure_http(base_url.starts_with("http://127.0.0.1:"))
        .build()?;
    let client = Client::new(&base_url, runtime);

    let reply = client
        .add_privatelink_service_user()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .body(AddPrivatelinkServiceUserBody {
            user_account: "user123".into(),
            address_id: "rs-private-1".into(),
        })
        .call()
        .await?;
    println!(
        "added user123 to the allowlist of tenant t33h8y08k (request {})",
        reply.request_id.as_deref().unwrap_or("-")
    );
    Ok(())
}
