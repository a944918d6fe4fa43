//! Creates a Huawei Cloud DAS connection to a MySQL instance on RDS, saving its password.
//!
//! Reads HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, DAS_INSTANCE_ID,
//! DAS_DB_PASSWORD, and EXAMPLE_BASE_URL (optional; default: the endpoint of cn-north-4).

use cloud_sdk_runtime::{
    Runtime, Secret,
    huawei::{AkSkAuth, AkSkCredentials},
};
use huaweicloud_das::{
    Client,
    types::{CreateInstanceConnectionBody, DasEngineType, DasNetworkType},
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

    let instance_id = std::env::var("DAS_INSTANCE_ID")?;
    let reply = client
        .create_instance_connection()
        .project_id(std::env::var("HUAWEICLOUD_SDK_PROJECT_ID")?)
        .instance_id(instance_id.as_str())
        .body(CreateInstanceConnectionBody {
            engine_type: DasEngineType::Mysql,
            network_type: DasNetworkType::Rds,
            username: "root".into(),
            is_save_password: true,
            password: Secret::new(std::env::var("DAS_DB_PASSWORD")?),
            node_ids: vec![],
            remarks: Some("created by the example".into()),
            port: None,
            database_name: None,
            sql_record_flag: None,
        })
        .call()
        .await?;
    println!(
        "created connection {} to instance {instance_id}",
        reply.connection_id.as_deref().unwrap_or("-")
    );
    Ok(())
}
