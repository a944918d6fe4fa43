//! Verifies a VPC endpoint service for a Huawei Cloud DataArts Insight data source and creates
//! the endpoint.
//!
//! Reads HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID,
//! DATAARTS_WORKSPACE_ID, and EXAMPLE_BASE_URL (optional; default: the endpoint of cn-north-4).

use cloud_sdk_runtime::{
    Runtime,
    huawei::{AkSkAuth, AkSkCredentials},
};
use huaweicloud_dataarts_insight::{
    Client,
    types::{DsType, VerifyAndCreateVpcEpBody},
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = match std::env::var("EXAMPLE_BASE_URL") {
        Ok(url) => url,
        Err(_) => Client::SERVICE.base_url("cn-north-4")?,
    };
    let credentials = AkSkCredentials::new(
        std::env::var("HUAWEICLOUD_SDK_AK")?,
        std::env::var("HUAWEICLOUD_SDK_SK")?,
    )?;
    let runtime = Runtime::builder(AkSkAuth::new(credentials))
        // Plain http:// is for a test server on this machine only.
        .allow_insecure_http(base_url.starts_with("http://127.0.0.1:"))
        .build()?;
    let client = Client::new(&base_url, runtime);

    let endpoint = client
        .verify_and_create_vpc_ep()
        .project_id(std::env::var("HUAWEICLOUD_SDK_PROJECT_ID")?)
        .x_workspace_id(std::env::var("DATAARTS_WORKSPACE_ID")?)
        .body(VerifyAndCreateVpcEpBody {
            ds_type: DsType::Dws,
            vpc_ep_server_id: None,
            vpc_ep_server_name: Some("cn-north-4.DII-INGEST-LB.example".into()),
        })
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
