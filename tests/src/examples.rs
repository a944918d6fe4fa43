//! Request values the tests and benchmarks share, built with the generated builders (as code
//! that survives a new optional field in the spec builds them).

use cloud_sdk_runtime::Secret;
use huaweicloud_das::types::{CreateInstanceConnectionBody, DasEngineType, DasNetworkType};

/// The DAS CreateInstanceConnection example body's required fields (MySQL on RDS, user
/// `root`, password saved), with `password`.
pub fn das_body(password: &str) -> CreateInstanceConnectionBody {
    CreateInstanceConnectionBody::builder()
        .engine_type(DasEngineType::Mysql)
        .network_type(DasNetworkType::Rds)
        .username("root")
        .is_save_password(true)
        .password(Secret::new(password))
        .try_into()
        .expect("every required field is set")
}

/// A ConnectPrivatelinkService body like the page's example (endpoint and address ids).
pub fn connect_body() -> oceanbase_cloud::types::ConnectPrivatelinkServiceBody {
    oceanbase_cloud::types::ConnectPrivatelinkServiceBody::builder()
        .endpoint_id("t33h8y08k-ep")
        .address_id("obe-4tw51gp7".to_owned())
        .try_into()
        .expect("every required field is set")
}
