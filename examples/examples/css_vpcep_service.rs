//! The service side of a private link to a Huawei Cloud Search Service (CSS) cluster: open
//! the cluster's VPC endpoint service, allow an account to connect, list the connections page
//! by page, accept a VPC endpoint's connection, and close the service again.
//!
//! Reads the credentials `Client::from_env()` reads (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK,
//! HUAWEICLOUD_SDK_REGION, ...), and HUAWEICLOUD_SDK_PROJECT_ID, CSS_CLUSTER_ID,
//! CSS_ALLOWED_DOMAIN_ID (the account to allow) and CSS_ENDPOINT_ID (the VPC endpoint to
//! accept). With CLOUD_SDK_MOCK=1 it needs none of them: a mock server on 127.0.0.1 answers
//! with the documentation's examples.

use cloud_sdk_examples::{mock_mode, mocks, var, without_account};
use futures::TryStreamExt as _;
use huaweicloud_css::{
    Client,
    types::{
        StartVpecpBody, UpdateVpcepConnectionBody, UpdateVpcepWhitelistBody, VpcepConnectionAction,
    },
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = if mock_mode() {
        Some(mocks::css().await)
    } else {
        None
    };
    let client = match &mock {
        Some(server) => server.client(),
        None => Client::from_env().map_err(without_account)?,
    };
    let project = var("HUAWEICLOUD_SDK_PROJECT_ID", "example-project")?;
    let cluster = var("CSS_CLUSTER_ID", "example-cluster")?;
    let allowed = var("CSS_ALLOWED_DOMAIN_ID", "example-domain")?;
    let endpoint = var("CSS_ENDPOINT_ID", "example-endpoint")?;

    let opened = client
        .start_vpecp()
        .project_id(&project)
        .cluster_id(&cluster)
        .body(StartVpecpBody::builder().endpoint_with_dns_name(Some(true)))
        .call()
        .await?;
    println!(
        "cluster {cluster}: {}",
        opened.action.as_deref().unwrap_or("opened")
    );

    client
        .update_vpcep_whitelist()
        .project_id(&project)
        .cluster_id(&cluster)
        .body(UpdateVpcepWhitelistBody::builder().vpc_permissions(vec![allowed.clone()]))
        .call()
        .await?;
    println!("allowed account {allowed}");

    // Every connection, two per page.
    let connections: Vec<_> = client
        .show_vpcep_connection()
        .project_id(&project)
        .cluster_id(&cluster)
        .stream_connections(2)
        .try_collect()
        .await?;
    for c in &connections {
        let status = c.status.as_ref().map(|s| s.as_str());
        println!(
            "connection {} is {}",
            c.id.as_deref().unwrap_or("-"),
            status.unwrap_or("-")
        );
    }

    client
        .update_vpcep_connection()
        .project_id(&project)
        .cluster_id(&cluster)
        .body(
            UpdateVpcepConnectionBody::builder()
                .action(VpcepConnectionAction::Receive)
                .endpoint_id_list(vec![endpoint.clone()]),
        )
        .call()
        .await?;
    println!("accepted endpoint {endpoint}");

    let closed = client
        .stop_vpecp()
        .project_id(&project)
        .cluster_id(&cluster)
        .call()
        .await?;
    println!(
        "cluster {cluster}: {}",
        closed.action.as_deref().unwrap_or("closed")
    );
    Ok(())
}
