//! Creates a Huawei Cloud DAS connection to a MySQL instance on RDS, saving its password.
//!
//! Reads HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, DAS_INSTANCE_ID,
//! DAS_DB_PASSWORD, and EXAMPLE_BASE_URL (optional; default: the endpoint of cn-north-4). With
//! CLOUD_SDK_MOCK=1 it needs no account: the client talks to its mock server on 127.0.0.1,
//! which answers with the documentation's example response, and unset values get stand-ins.

use cloud_sdk_runtime::{
    Runtime, Secret,
    huawei::{AkSkAuth, AkSkCredentials},
};
use huaweicloud_das::{
    Client,
    mock::MockServer,
    types::{CreateInstanceConnectionBody, DasEngineType, DasNetworkType},
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
        server.create_instance_connection(|_, then| {
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

    let instance_id = var("DAS_INSTANCE_ID", "example-instance")?;
    let reply = client
        .create_instance_connection()
        .project_id(var("HUAWEICLOUD_SDK_PROJECT_ID", "example-project")?)
        .instance_id(instance_id.as_str())
        // The builder sets the fields given and leaves the optional others unsent.
        .body(
            CreateInstanceConnectionBody::builder()
                .engine_type(DasEngineType::Mysql)
                .network_type(DasNetworkType::Rds)
                .username("root")
                .is_save_password(true)
                .password(Secret::new(var("DAS_DB_PASSWORD", "example-password")?))
                .remarks("created by the example".to_owned()),
        )
        .call()
        .await?;
    println!(
        "created connection {} to instance {instance_id}",
        reply.connection_id.as_deref().unwrap_or("-")
    );
    Ok(())
}
