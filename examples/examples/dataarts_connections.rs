//! Huawei Cloud DataArts Insight data connections: verify a data source's VPC endpoint
//! service and create the endpoint to it, list the workspace's data connections,
//! show one, and delete it.
//!
//! Reads the credentials `Client::from_env()` reads (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK,
//! HUAWEICLOUD_SDK_REGION, ...), and HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_WORKSPACE_ID,
//! DATAARTS_VPCEP_SERVICE_NAME (the data source's endpoint service) and
//! DATAARTS_CONNECTION_ID (the connection to show and delete). With CLOUD_SDK_MOCK=1 it needs
//! none of them: a mock server on 127.0.0.1 answers with the documentation's examples.

use cloud_sdk_examples::{mock_mode, mocks, var, without_account};
use futures::TryStreamExt as _;
use huaweicloud_dataarts_insight::{
    Client,
    types::{DsType, VerifyAndCreateVpcEpBody},
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = if mock_mode() {
        Some(mocks::dataarts_insight().await)
    } else {
        None
    };
    let client = match &mock {
        Some(server) => server.client(),
        None => Client::from_env().map_err(without_account)?,
    };
    let project = var("HUAWEICLOUD_SDK_PROJECT_ID", "example-project")?;
    let workspace = var("HUAWEICLOUD_SDK_WORKSPACE_ID", "example-workspace")?;
    let service = var(
        "DATAARTS_VPCEP_SERVICE_NAME",
        "cn-north-4.DII-INGEST-LB.example",
    )?;
    let connection = var("DATAARTS_CONNECTION_ID", "example-connection")?;

    let endpoint = client
        .verify_and_create_vpc_ep()
        .project_id(&project)
        .x_workspace_id(&workspace)
        .body(
            VerifyAndCreateVpcEpBody::builder()
                .ds_type(DsType::Dws)
                .vpc_ep_server_name(Some(service)),
        )
        .call()
        .await?;
    println!(
        "endpoint {} is {}",
        endpoint.vpc_ep_client_id.as_deref().unwrap_or("-"),
        endpoint
            .vpc_ep_client_status
            .as_ref()
            .map_or("-", |s| s.as_str())
    );

    let connections: Vec<_> = client
        .list_data_connection()
        .project_id(&project)
        .x_workspace_id(&workspace)
        .stream_page_data(50)
        .try_collect()
        .await?;
    for c in &connections {
        println!(
            "data connection {} ({})",
            c.id.as_deref().unwrap_or("-"),
            c.name.as_deref().unwrap_or("-")
        );
    }

    let shown = client
        .show_data_connection_by_connection_id()
        .project_id(&project)
        .x_workspace_id(&workspace)
        .connection_id(&connection)
        .call()
        .await?;
    println!(
        "data connection {connection} is {} on {}",
        shown.name.as_deref().unwrap_or("-"),
        shown.host.as_deref().unwrap_or("-")
    );

    client
        .delete_data_connection_by_connection_id()
        .project_id(&project)
        .x_workspace_id(&workspace)
        .connection_id(&connection)
        .call()
        .await?;
    println!("deleted data connection {connection}");
    Ok(())
}
