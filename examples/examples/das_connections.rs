//! Huawei Cloud Data Admin Service (DAS) connections: create a connection to a MySQL instance
//! on RDS, saving its password, then list the instance's connections page by page.
//!
//! Reads the credentials `Client::from_env()` reads (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK,
//! HUAWEICLOUD_SDK_REGION, ...), and HUAWEICLOUD_SDK_PROJECT_ID, DAS_INSTANCE_ID,
//! DAS_DB_USER and DAS_DB_PASSWORD. With CLOUD_SDK_MOCK=1 it needs none of them: a mock
//! server on 127.0.0.1 answers with the documentation's examples.

use cloud_sdk_examples::{mock_mode, mocks, var, without_account};
use cloud_sdk_runtime::Secret;
use futures::TryStreamExt as _;
use huaweicloud_das::{
    Client,
    types::{CreateInstanceConnectionBody, DasEngineType, DasNetworkType},
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = if mock_mode() {
        Some(mocks::das().await)
    } else {
        None
    };
    let client = match &mock {
        Some(server) => server.client(),
        None => Client::from_env().map_err(without_account)?,
    };
    let project = var("HUAWEICLOUD_SDK_PROJECT_ID", "example-project")?;
    let instance = var("DAS_INSTANCE_ID", "example-instance")?;
    let user = var("DAS_DB_USER", "root")?;
    // A Secret prints as *** in Debug output and logs.
    let password = Secret::new(var("DAS_DB_PASSWORD", "example-password")?);

    let created = client
        .create_instance_connection()
        .project_id(&project)
        .instance_id(&instance)
        // The builder sets the fields given and leaves the optional others unsent.
        .body(
            CreateInstanceConnectionBody::builder()
                .engine_type(DasEngineType::Mysql)
                .network_type(DasNetworkType::Rds)
                .username(&user)
                .is_save_password(true)
                .password(password)
                .remarks(Some("created by the example".to_owned())),
        )
        .call()
        .await?;
    println!(
        "created connection {} to instance {instance}",
        created.connection_id.as_deref().unwrap_or("-")
    );

    let connections: Vec<_> = client
        .list_connections()
        .project_id(&project)
        .instance_id(&instance)
        .stream_das_conn_info_list(50)
        .try_collect()
        .await?;
    for c in &connections {
        println!(
            "connection {} as {} ({})",
            c.connection_id.as_deref().unwrap_or("-"),
            c.user_name.as_deref().unwrap_or("-"),
            c.status.as_ref().map_or("-", |s| s.as_str())
        );
    }
    Ok(())
}
