//! The PrivateLink lifecycle of an OceanBase Cloud tenant: enable PrivateLink on a service,
//! wait until the tenant's new address is online, allow a cloud account, connect and confirm
//! that account's VPC endpoint, show the address, and delete it again.
//!
//! Reads the credentials `Client::from_env()` reads (OCEANBASE_ACCESS_KEY_ID,
//! OCEANBASE_ACCESS_KEY_SECRET, OCEANBASE_PROJECT_ID, and OCEANBASE_BASE_URL for another site
//! than the default), and OCEANBASE_INSTANCE_ID, OCEANBASE_TENANT_ID, OCEANBASE_PL_SERVICE_ID,
//! OCEANBASE_USER_ACCOUNT (the cloud account that connects) and OCEANBASE_ENDPOINT_ID (its VPC
//! endpoint). With CLOUD_SDK_MOCK=1 it needs none of them: a mock server on 127.0.0.1 answers
//! with the documentation's examples.

use std::time::Duration;

use cloud_sdk_examples::{mock_mode, mocks, var, without_account};
use cloud_sdk_runtime::{ApiError, Output, wait_for};
use oceanbase_cloud::{
    Client,
    types::{
        AddPrivatelinkServiceUserBody, ConfirmPrivatelinkConnectionBody,
        ConnectPrivatelinkServiceBody, CreatePrivatelinkServiceBody,
        DescribeTenantPrivatelinkResponse,
    },
};

/// The status of an address once it is usable: the one OceanBase's own Terraform provider
/// waits for.
const ONLINE: &str = "ONLINE";

/// The address's status, as DescribeTenantPrivatelink filtered by its id reports it.
fn status(page: &Output<DescribeTenantPrivatelinkResponse>) -> Option<&str> {
    page.data.first().and_then(|a| a.address_status.as_deref())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = if mock_mode() {
        Some(mocks::oceanbase().await?)
    } else {
        None
    };
    let client = match &mock {
        Some(server) => server.client(),
        None => Client::from_env().map_err(without_account)?,
    };
    let instance = var("OCEANBASE_INSTANCE_ID", "ob317v4uif")?;
    let tenant = var("OCEANBASE_TENANT_ID", "t33h8y08k")?;
    let service = var("OCEANBASE_PL_SERVICE_ID", "pls-example")?;
    let account = var("OCEANBASE_USER_ACCOUNT", "user123")?;
    let endpoint = var("OCEANBASE_ENDPOINT_ID", "vpce-example")?;

    let created = client
        .create_privatelink_service()
        .instance_id(&instance)
        .tenant_id(&tenant)
        .body(
            CreatePrivatelinkServiceBody::builder()
                .user_account(&account)
                .pl_service_id(&service)
                .service_type("OBProxy")
                .is_shared_pl_service(false),
        )
        .call()
        .await?;
    let address = created
        .data
        .as_ref()
        .and_then(|d| d.address_id.clone())
        .ok_or("CreatePrivatelinkService returned no addressId")?;
    println!("created address {address} on {service}");

    // The address is created asynchronously. No failed state is documented (the page's list
    // of statuses is lost, the provider names only ONLINE), so the deadline ends a wait that
    // goes wrong.
    let read = || {
        client
            .describe_tenant_privatelink()
            .instance_id(&instance)
            .tenant_id(&tenant)
            .address_id(&address)
            .call()
    };
    wait_for(read, |page| status(page) == Some(ONLINE))
        .retry_errors(ApiError::is_transient)
        .timeout(Duration::from_secs(600))
        .run()
        .await?;
    println!("address {address} is online");

    client
        .add_privatelink_service_user()
        .instance_id(&instance)
        .tenant_id(&tenant)
        .body(
            AddPrivatelinkServiceUserBody::builder()
                .user_account(&account)
                .address_id(&address),
        )
        .call()
        .await?;
    println!("allowed account {account}");

    client
        .connect_privatelink_service()
        .instance_id(&instance)
        .tenant_id(&tenant)
        .body(
            ConnectPrivatelinkServiceBody::builder()
                .endpoint_id(&endpoint)
                .address_id(Some(address.clone())),
        )
        .call()
        .await?;
    let confirmed = client
        .confirm_privatelink_connection()
        .instance_id(&instance)
        .tenant_id(&tenant)
        .body(
            ConfirmPrivatelinkConnectionBody::builder()
                .endpoint_id(&endpoint)
                .address_id(Some(address.clone())),
        )
        .call()
        .await?;
    println!(
        "connected endpoint {endpoint} (confirmed: {})",
        confirmed.data.unwrap_or(false)
    );

    let shown = read().await?;
    for a in &shown.data {
        println!(
            "address {address}: {}, at {}:{}",
            a.address_status.as_deref().unwrap_or("-"),
            a.intranet_domain.as_deref().unwrap_or("-"),
            a.intranet_port.unwrap_or_default()
        );
    }

    client
        .delete_privatelink_connection()
        .instance_id(&instance)
        .tenant_id(&tenant)
        .address_id(&address)
        .call()
        .await?;
    println!("deleted address {address}");
    Ok(())
}
