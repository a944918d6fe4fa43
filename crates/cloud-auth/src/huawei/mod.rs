//! Huawei Cloud authentication: IAM tokens and `SDK-HMAC-SHA256` request signing.
//! (Being written: see issue 4.)

use crate::{ClientParts, ConfigError};

/// Client parts for Huawei Cloud `service` from the environment (placeholder signature;
/// implementation in progress).
pub fn from_env(service: &str) -> Result<ClientParts, ConfigError> {
    Err(ConfigError::new(format!(
        "Huawei Cloud credentials for {service} from the environment are not available yet"
    )))
}
