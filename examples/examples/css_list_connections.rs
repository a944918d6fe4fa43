//! Lists every VPC endpoint connection of a Huawei Cloud CSS cluster, page after page.
//!
//! Reads HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, CSS_CLUSTER_ID,
//! and EXAMPLE_BASE_URL (optional; default: the endpoint of region cn-north-4).

use cloud_sdk_runtime::{
    Runtime,
    huawei::{AkSkAuth, AkSkCredentials},
};
use futures::TryStreamExt as _;
use huaweicloud_css::Client;

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

    let cluster_id = std::env::var("CSS_CLUSTER_ID")?;
    let connections: Vec<_> = client
        .show_vpcep_connection()
        .project_id(std::env::var("HUAWEICLOUD_SDK_PROJECT_ID")?)
        .cluster_id(cluster_id.as_str())
        .stream_connections(2)
        .try_collect()
        .await?;
    for connection in &connections {
        println!(
            "connection {} is {}",
            connection.id.as_deref().unwrap_or("-"),
            connection
                .status
                .as_ref()
                .map_or("unknown".into(), ToString::to_string)
        );
    }
    println!("cluster {cluster_id} has {} connections", connections.len());
    Ok(())
}
