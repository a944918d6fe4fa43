//! Request values the tests and benchmarks share.

use cloud_sdk_runtime::Secret;
use huaweicloud_das::types::{CreateInstanceConnectionBody, DasEngineType, DasNetworkType};

/// The DAS CreateInstanceConnection example body's required fields (MySQL on RDS, user
/// `root`, password saved), with `password`.
pub fn das_body(password: &str) -> CreateInstanceConnectionBody {
    CreateInstanceConnectionBody {
        engine_type: DasEngineType::Mysql,
        network_type: DasNetworkType::Rds,
        username: "root".into(),
        is_save_password: true,
        password: Secret::new(password),
        node_ids: vec![],
        remarks: None,
        port: None,
        database_name: None,
        sql_record_flag: None,
    }
}

/// A ConnectPrivatelinkService body like the page's example (endpoint and address ids).
pub fn connect_body() -> oceanbase_cloud::types::ConnectPrivatelinkServiceBody {
    oceanbase_cloud::types::ConnectPrivatelinkServiceBody {
        endpoint_id: "t33h8y08k-ep".into(),
        address_id: Some("obe-4tw51gp7".into()),
        user_endpoint_address: None,
    }
}
