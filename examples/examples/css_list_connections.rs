//! Lists every VPC endpoint connection of a Huawei Cloud CSS cluster, page after page.
//!
//! Reads HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, CSS_CLUSTER_ID,
//! and EXAMPLE_BASE_URL (optional; default: the endpoint of region cn-north-4). With
//! CLOUD_SDK_MOCK=1 it needs no account: the client talks to its mock server on 127.0.0.1,
//! which answers with the documentation's example response, and unset ids get stand-ins.

use cloud_sdk_runtime::{
    Runtime,
    huawei::{AkSkAuth, AkSkCredentials},
};
use futures::TryStreamExt as _;
use huaweicloud_css::{Client, mock::MockServer};

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
        server.show_vpcep_connection(|_, then| {
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

    let cluster_id = var("CSS_CLUSTER_ID", "example-cluster")?;
    let connections: Vec<_> = client
        .show_vpcep_connection()
        .project_id(var("HUAWEICLOUD_SDK_PROJECT_ID", "example-project")?)
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
