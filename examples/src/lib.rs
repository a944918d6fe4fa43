//! What the example programs in `examples/` share: reading their variables, and the mock
//! servers `CLOUD_SDK_MOCK=1` runs them against, so that each program holds only its
//! lifecycle. Run one with `cargo run -p cloud-sdk-examples --example <name>`.

#![warn(missing_docs, unreachable_pub)]

use cloud_sdk_runtime::ConfigError;

/// The variable that runs the examples against their clients' mock servers.
pub const MOCK_VARIABLE: &str = "CLOUD_SDK_MOCK";

/// Whether `CLOUD_SDK_MOCK=1`: the example talks to a mock server on 127.0.0.1 that answers
/// as the vendor's documentation shows, with no account and no network.
pub fn mock_mode() -> bool {
    std::env::var(MOCK_VARIABLE).as_deref() == Ok("1")
}

/// The environment variable `name`, or an error that names it; in mock mode, `stand_in`
/// when it is unset.
pub fn var(name: &str, stand_in: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value.trim().to_owned()),
        _ if mock_mode() => Ok(stand_in.to_owned()),
        _ => Err(format!(
            "set the environment variable {name} (or {MOCK_VARIABLE}=1 to run against a mock server)"
        )),
    }
}

/// `Client::from_env()`'s error (it names the variable to set), with the way to run without
/// an account.
pub fn without_account(e: ConfigError) -> String {
    format!("{e} (or set {MOCK_VARIABLE}=1 to run against a mock server)")
}

/// The mock servers of the examples: each answers the operations its example calls, with the
/// documented example response where the vendor's page has one.
pub mod mocks {
    use cloud_sdk_runtime::lenient::FlexBool;

    /// OceanBase Cloud. DescribeTenantPrivatelink and ConfirmPrivatelinkConnection have no
    /// documented example response: the mock answers an address that is online (`ONLINE`, the
    /// status OceanBase's Terraform provider waits for) and a
    /// confirmation that succeeded.
    pub async fn oceanbase() -> Result<oceanbase_cloud::mock::MockServer, String> {
        use oceanbase_cloud::types::{
            BooleanEnvelope, DescribeTenantPrivatelinkResponse, TenantPrivatelinkConnection,
        };
        let server = oceanbase_cloud::mock::MockServer::start().await;
        let address = TenantPrivatelinkConnection::try_from(
            TenantPrivatelinkConnection::builder()
                .address_status(Some("ONLINE".to_owned()))
                .intranet_domain(Some("t33h8y08k.privatelink.example".to_owned()))
                .intranet_port(Some(2883)),
        )
        .map_err(|e| e.to_string())?;
        let addresses = DescribeTenantPrivatelinkResponse::try_from(
            DescribeTenantPrivatelinkResponse::builder()
                .success(Some(FlexBool(true)))
                .data(vec![address]),
        )
        .map_err(|e| e.to_string())?;
        let confirmed = BooleanEnvelope::try_from(
            BooleanEnvelope::builder()
                .success(Some(FlexBool(true)))
                .data(Some(true)),
        )
        .map_err(|e| e.to_string())?;
        server.create_privatelink_service(|_, then| {
            then.example();
        });
        server.describe_tenant_privatelink(|_, then| {
            then.ok(&addresses);
        });
        server.add_privatelink_service_user(|_, then| {
            then.example();
        });
        server.connect_privatelink_service(|_, then| {
            then.example();
        });
        server.confirm_privatelink_connection(|_, then| {
            then.ok(&confirmed);
        });
        server.delete_privatelink_connection(|_, then| {
            then.example();
        });
        Ok(server)
    }

    /// Huawei Cloud VPC Endpoint.
    pub async fn vpcep() -> huaweicloud_vpcep::mock::MockServer {
        let server = huaweicloud_vpcep::mock::MockServer::start().await;
        server.list_endpoint_service(|_, then| {
            then.example();
        });
        server.add_or_remove_service_permissions(|_, then| {
            then.example();
        });
        server.create_endpoint(|_, then| {
            then.example();
        });
        server.list_endpoints(|_, then| {
            then.example();
        });
        server.delete_endpoint(|_, then| {
            then.example();
        });
        server
    }

    /// Huawei Cloud Search Service.
    pub async fn css() -> huaweicloud_css::mock::MockServer {
        let server = huaweicloud_css::mock::MockServer::start().await;
        server.start_vpecp(|_, then| {
            then.example();
        });
        server.update_vpcep_whitelist(|_, then| {
            then.example();
        });
        server.show_vpcep_connection(|_, then| {
            then.example();
        });
        server.update_vpcep_connection(|_, then| {
            then.example();
        });
        server.stop_vpecp(|_, then| {
            then.example();
        });
        server
    }

    /// Huawei Cloud Data Admin Service.
    pub async fn das() -> huaweicloud_das::mock::MockServer {
        let server = huaweicloud_das::mock::MockServer::start().await;
        server.create_instance_connection(|_, then| {
            then.example();
        });
        server.list_connections(|_, then| {
            then.example();
        });
        server
    }

    /// Huawei Cloud DataArts Insight.
    pub async fn dataarts_insight() -> huaweicloud_dataarts_insight::mock::MockServer {
        let server = huaweicloud_dataarts_insight::mock::MockServer::start().await;
        server.verify_and_create_vpc_ep(|_, then| {
            then.example();
        });
        server.list_data_connection(|_, then| {
            then.example();
        });
        server.show_data_connection_by_connection_id(|_, then| {
            then.example();
        });
        server.delete_data_connection_by_connection_id(|_, then| {
            then.example();
        });
        server
    }
}
