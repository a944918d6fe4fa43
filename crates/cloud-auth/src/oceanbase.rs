//! OceanBase Cloud conventions: Digest credentials, the project id header, request ids.
//! (Being written: see issue 3.)

use crate::{ClientParts, ConfigError};

/// Client parts from the environment (placeholder signature; implementation in progress).
pub fn from_env() -> Result<ClientParts, ConfigError> {
    Err(ConfigError::new(
        "OceanBase Cloud credentials from the environment are not available yet",
    ))
}
