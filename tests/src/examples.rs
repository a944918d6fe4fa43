//! Request values the tests share: the DAS page's example body with a chosen password.

use cloud_auth::Secret;
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
