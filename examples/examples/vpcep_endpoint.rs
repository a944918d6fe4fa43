//! The consumer side of a Huawei Cloud private link, with the VPC Endpoint API: find an
//! endpoint service, allow an account to connect to it, create a VPC endpoint in a VPC, wait
//! until the endpoint is accepted, and delete it again.
//!
//! Reads the credentials `Client::from_env()` reads (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK,
//! HUAWEICLOUD_SDK_REGION, ...), and HUAWEICLOUD_SDK_PROJECT_ID, VPCEP_SERVICE_NAME,
//! VPCEP_ALLOWED_DOMAIN_ID (the account to allow), VPCEP_VPC_ID and VPCEP_SUBNET_ID. With
//! CLOUD_SDK_MOCK=1 it needs none of them: a mock server on 127.0.0.1 answers with the
//! documentation's examples.

use std::time::Duration;

use cloud_sdk_examples::{mock_mode, mocks, var, without_account};
use cloud_sdk_runtime::{ApiError, Output, wait_for};
use futures::TryStreamExt as _;
use huaweicloud_vpcep::{
    Client,
    types::{
        AddOrRemoveServicePermissionsBody, CreateEndpointBody, EndpointStatus,
        ListEndpointsResponse, PermissionAction,
    },
};

/// The endpoint's status, as ListEndpoints filtered by its id reports it.
fn status(page: &Output<ListEndpointsResponse>) -> Option<&EndpointStatus> {
    page.endpoints.first().and_then(|e| e.status.as_ref())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = if mock_mode() {
        Some(mocks::vpcep().await)
    } else {
        None
    };
    let client = match &mock {
        Some(server) => server.client(),
        None => Client::from_env().map_err(without_account)?,
    };
    let project = var("HUAWEICLOUD_SDK_PROJECT_ID", "example-project")?;
    let service_name = var("VPCEP_SERVICE_NAME", "test123")?;
    let allowed = var("VPCEP_ALLOWED_DOMAIN_ID", "example-domain")?;
    let vpc = var("VPCEP_VPC_ID", "example-vpc")?;
    let subnet = var("VPCEP_SUBNET_ID", "example-subnet")?;

    // The endpoint service, by name (every page, until it is found).
    let services: Vec<_> = client
        .list_endpoint_service()
        .project_id(&project)
        .endpoint_service_name(&service_name)
        .stream_endpoint_services(50)
        .try_collect()
        .await?;
    let service_id = services
        .iter()
        .find_map(|s| s.id.clone())
        .ok_or(format!("no endpoint service is named {service_name}"))?;
    println!("endpoint service {service_name} is {service_id}");

    // The service's owner allows the account that will connect.
    let allowed = client
        .add_or_remove_service_permissions()
        .project_id(&project)
        .vpc_endpoint_service_id(&service_id)
        .body(
            AddOrRemoveServicePermissionsBody::builder()
                .action(PermissionAction::Add)
                .permissions(vec![format!("iam:domain::{allowed}")]),
        )
        .call()
        .await?;
    println!("allowed: {}", allowed.permissions.join(", "));

    let endpoint = client
        .create_endpoint()
        .project_id(&project)
        .body(
            CreateEndpointBody::builder()
                .endpoint_service_id(&service_id)
                .vpc_id(&vpc)
                .subnet_id(Some(subnet)),
        )
        .call()
        .await?;
    let endpoint_id = endpoint.id.clone().ok_or("CreateEndpoint returned no id")?;
    println!("created endpoint {endpoint_id}");

    // Creation takes a minute or two: `creating`, then `pendingAcceptance` until the service
    // accepts the connection, then `accepted`.
    let read = || {
        client
            .list_endpoints()
            .project_id(&project)
            .id(&endpoint_id)
            .call()
    };
    let ready = wait_for(read, |page| status(page) == Some(&EndpointStatus::Accepted))
        .fail_on(|page| {
            matches!(
                status(page),
                Some(EndpointStatus::Failed | EndpointStatus::Rejected)
            )
        })
        .retry_errors(ApiError::is_transient)
        .timeout(Duration::from_secs(300))
        .run()
        .await?;
    let ip = ready.endpoints.first().and_then(|e| e.ip.as_deref());
    println!(
        "endpoint {endpoint_id} is accepted, at {}",
        ip.unwrap_or("-")
    );

    client
        .delete_endpoint()
        .project_id(&project)
        .vpc_endpoint_id(&endpoint_id)
        .call()
        .await?;
    println!("deleted endpoint {endpoint_id}");
    Ok(())
}
