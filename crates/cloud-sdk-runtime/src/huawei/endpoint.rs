//! Region → endpoint for the Huawei Cloud services these crates talk to. The base URL can
//! always be given instead (constructors take one; `from_env` reads an override).
//!
//! Hosts follow `{service}.{region}.myhuaweicloud.com`, with the exceptions listed in the
//! official SDK's region tables (CSS answers as `es.` in `cn-north-1` and `cn-east-2`).

use crate::ConfigError;

/// The services with a known endpoint pattern.
pub const SERVICES: [&str; 4] = ["dataartsinsight", "css", "das", "iam"];

/// The host of `service` in `region`, e.g. `css.cn-north-4.myhuaweicloud.com`.
pub fn host(service: &str, region: &str) -> Result<String, ConfigError> {
    let service = service.to_ascii_lowercase();
    if !SERVICES.contains(&service.as_str()) {
        return Err(ConfigError::new(format!(
            "unknown Huawei Cloud service {service:?}: expected one of {}",
            SERVICES.join(", ")
        )));
    }
    check_region(region)?;
    // The official CSS SDK's region table lists these two with the service's older name.
    let prefix = match (service.as_str(), region) {
        ("css", "cn-north-1" | "cn-east-2") => "es",
        (s, _) => s,
    };
    Ok(format!("{prefix}.{region}.myhuaweicloud.com"))
}

/// The https base URL of `service` in `region`, e.g. `https://das.cn-north-4.myhuaweicloud.com`.
pub fn base_url(service: &str, region: &str) -> Result<String, ConfigError> {
    Ok(format!("https://{}", host(service, region)?))
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
            "{} is not a Huawei Cloud region id (like cn-north-4 or ap-southeast-1): check HUAWEICLOUD_SDK_REGION",
            crate::redact::describe_value(region)
        )))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            host("css", "cn-north-4").unwrap(),
            "css.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            host("css", "cn-north-1").unwrap(),
            "es.cn-north-1.myhuaweicloud.com"
        );
        assert_eq!(
            host("das", "ap-southeast-1").unwrap(),
            "das.ap-southeast-1.myhuaweicloud.com"
        );
        assert_eq!(
            base_url("dataartsinsight", "cn-east-3").unwrap(),
            "https://dataartsinsight.cn-east-3.myhuaweicloud.com"
        );
        assert_eq!(
            host("IAM", "cn-north-4").unwrap(),
            "iam.cn-north-4.myhuaweicloud.com"
        );
        assert!(host("ecs", "cn-north-4").is_err());
        for bad in [
            "",
            "cn",
            "CN-NORTH-4",
            "cn-north-4.evil.com",
            "cn-north-4/x",
            "-cn-4",
        ] {
            assert!(host("css", bad).is_err(), "{bad}");
        }
    }
}
