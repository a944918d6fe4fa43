//! Verifies a VPC endpoint service for a Huawei Cloud DataArts Insight data source and creates
//! the endpoint.
//!
//! Reads HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID,
//! DATAARTS_WORKSPACE_ID, and EXAMPLE_BASE_URL (optional; default: the endpoint of cn-north-4).
//! With CLOUD_SDK_MOCK=1 it needs no account: the client talks to its mock server on
//! 127.0.0.1, which answers with the documentation's example response, and unset ids get
//! stand-ins.

use cloud_sdk_runtime::{
    Runtime,
    huawei::{AkSkAuth, AkSkCredentials},
};
use huaweicloud_dataarts_insight::{
    Client,
    mock::MockServer,
    types::{DsType, VerifyAndCreateVpcEpBody},
};

/// The environment variable `name`, or an error that names it; with CLOUD_SDK_MOCK=1,
/// `stand_in` when it is unset.
fn var(name: &str, stand_in: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(value) => Ok(value),
        Err(_) if mock_mode() => Ok(stand_in.to_owned()),
        Err(_) => Err(format!(
            "set the environment variable {name} (or CLOUD_SDK_MOCK=1 to run against a mock server)"
        )),
    }
}

fn mock_mode() -> bool {
    std::env::var("CLOUD_SDK_MOCK").as_deref() == Ok("1")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end: the mock server stops when dropped.
    let mut mock = None;
    let client = if mock_mode() {
        let server = MockServer::start().await;
        server.verify_and_create_vpc_ep(|_, then| {
            then.example();
        });
        mock.insert(server).client()
    } else {
        let base_url = match std::env::var("EXAMPLE_BASE_URL") {
            Ok(url) => url,
            Err(_) => Client::SERVICE.base_url("cn-north-4")?,
        };
        let credentials = AkSkCredentials::new(
            var("HUAWEICLOUD_SDK_AK", "")?,
            var("HUAWEICLOUD_SDK_SK", "")?,
        )?;
        let runtime = Runtime::builder(AkSkAuth::new(credentials))
            // Plain http:// is for a test server on this machine only.
            .allow_insecure_http(base_url.starts_with("http://127.0.0.1:"))
            .build()?;
        Client::new(&base_url, runtime)
    };

    let endpoint = client
        .verify_and_create_vpc_ep()
        .project_id(var("HUAWEICLOUD_SDK_PROJECT_ID", "example-project")?)
        .x_workspace_id(var("DATAARTS_WORKSPACE_ID", "example-workspace")?)
        .body(
            VerifyAndCreateVpcEpBody::builder()
                .ds_type(DsType::Dws)
                .vpc_ep_server_name("cn-north-4.DII-INGEST-LB.example".to_owned()),
        )
        .call()
        .await?;
    println!(
        "verified the endpoint service; endpoint {} is {}",
        endpoint.vpc_ep_client_id.as_deref().unwrap_or("-"),
        endpoint
            .vpc_ep_client_status
            .as_ref()
            .map_or("unknown".into(), ToString::to_string)
    );
    Ok(())
}
