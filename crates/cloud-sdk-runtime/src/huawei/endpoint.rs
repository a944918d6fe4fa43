//! Region → endpoint for Huawei Cloud services. Which services exist, and their host
//! patterns and exceptions, is data written by the generator into each client crate from
//! `specs/` (a [`Service`]); this module only applies it. The base URL can always be given
//! instead (constructors take one; `from_env` reads an override).

use crate::ConfigError;

/// What the runtime needs to know of one Huawei Cloud service. Each generated crate holds one
/// as `Client::SERVICE`, written from its `api.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The service's name in endpoint variables: `css` reads `HUAWEICLOUD_SDK_ENDPOINT_CSS`.
    pub name: &'static str,
    /// The host, with `{region}` standing for the region id: `css.{region}.myhuaweicloud.com`.
    pub host: &'static str,
    /// Regions whose host differs from the pattern, as (region, host).
    pub host_exceptions: &'static [(&'static str, &'static str)],
    /// Headers set on every call from an environment variable when it is set, as
    /// (header, variable): DataArts Insight's `X-Workspace-Id`.
    pub env_headers: &'static [(&'static str, &'static str)],
}

/// Huawei Cloud IAM, where the runtime gets tokens.
pub const IAM: Service = Service {
    name: "iam",
    host: "iam.{region}.myhuaweicloud.com",
    host_exceptions: &[],
    env_headers: &[],
};

impl Service {
    /// The host of this service in `region`, e.g. `css.cn-north-4.myhuaweicloud.com`.
    pub fn host(&self, region: &str) -> Result<String, ConfigError> {
        check_region(region)?;
        if let Some((_, host)) = self.host_exceptions.iter().find(|(r, _)| *r == region) {
            return Ok((*host).to_owned());
        }
        Ok(self.host.replace("{region}", region))
    }

    /// The https base URL of this service in `region`.
    pub fn base_url(&self, region: &str) -> Result<String, ConfigError> {
        Ok(format!("https://{}", self.host(region)?))
    }

    /// The base URL override variable, `HUAWEICLOUD_SDK_ENDPOINT_<NAME>`.
    pub fn endpoint_variable(&self) -> String {
        format!(
            "{}{}",
            super::env::ENDPOINT_PREFIX,
            self.name.to_ascii_uppercase()
        )
    }
}

/// Checks that `region` looks like a region id (`cn-north-4`, `ap-southeast-1`).
pub fn check_region(region: &str) -> Result<(), ConfigError> {
    let ok = !region.is_empty()
        && region.contains('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(format!(
            "{} is not a Huawei Cloud region id (like cn-north-4 or ap-southeast-1)",
            crate::redact::describe_value(region)
        )))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;

    const CSS: Service = Service {
        name: "css",
        host: "css.{region}.myhuaweicloud.com",
        host_exceptions: &[("cn-north-1", "es.cn-north-1.myhuaweicloud.com")],
        env_headers: &[],
    };

    #[test]
    fn hosts_follow_the_pattern_and_its_exceptions() {
        assert_eq!(
            CSS.host("cn-north-4").unwrap(),
            "css.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            CSS.host("cn-north-1").unwrap(),
            "es.cn-north-1.myhuaweicloud.com"
        );
        assert_eq!(
            IAM.base_url("ap-southeast-1").unwrap(),
            "https://iam.ap-southeast-1.myhuaweicloud.com"
        );
        assert_eq!(CSS.endpoint_variable(), "HUAWEICLOUD_SDK_ENDPOINT_CSS");
        for bad in [
            "",
            "cn",
            "CN-NORTH-4",
            "cn-north-4.evil.com",
            "cn-north-4/x",
            "-cn-4",
        ] {
            assert!(CSS.host(bad).is_err(), "{bad}");
        }
    }
}
