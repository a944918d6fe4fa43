//! Huawei Cloud authentication: IAM tokens and `SDK-HMAC-SHA256` (AK/SK) request signing for
//! the generated `huaweicloud-*` clients.
//!
//! Credentials are set once per client, never per call:
//!
//! - **AK/SK signing** ([`AkSkAuth`]), what the official SDKs do by default: every request is
//!   signed right before it is sent (see [`sign`] for the algorithm, a pure core checked
//!   against vectors produced by the official Python signer).
//! - **Token** ([`TokenAuth`]): `X-Auth-Token` from a static token, or from IAM with a password
//!   ([`IamPasswordProvider`]) behind a refreshing [`TokenCache`].
//!
//! # From the environment
//!
//! [`from_env`] (which each generated client's `Client::from_env()` calls) reads:
//!
//! | variable | meaning |
//! |---|---|
//! | `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK` | access key pair: selects AK/SK signing |
//! | `HUAWEICLOUD_SDK_PROJECT_ID` | project id: `X-Project-Id` when signing; IAM token scope |
//! | `HUAWEICLOUD_SDK_SECURITY_TOKEN` | security token of temporary AK/SK credentials |
//! | `HUAWEICLOUD_SDK_AUTH_TOKEN` | a ready IAM token: selects static token auth |
//! | `HUAWEICLOUD_SDK_USERNAME`, `HUAWEICLOUD_SDK_PASSWORD`, `HUAWEICLOUD_SDK_DOMAIN_NAME` | IAM user, password and account name: selects IAM password tokens |
//! | `HUAWEICLOUD_SDK_PROJECT_NAME` | IAM token scope by name when no project id is set (default: the region) |
//! | `HUAWEICLOUD_SDK_REGION` | region id, e.g. `cn-north-4`: gives the service and IAM endpoints |
//! | `HUAWEICLOUD_SDK_ENDPOINT_<SERVICE>` | base URL override for that service: the service name of `Client::SERVICE` (`service` in the API's api.toml) upper-cased (`..._CSS`, `..._VPCEP`) |
//! | `HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}` | the official SDK's endpoint override (first of a comma list), e.g. `HUAWEICLOUD_SDK_REGION_CSS_CN_NORTH_4` |
//! | `HUAWEICLOUD_SDK_IAM_ENDPOINT` | IAM base URL override (official SDK name) |
//! | the service's own variables | from its `Service::env_headers`, e.g. `HUAWEICLOUD_SDK_WORKSPACE_ID` for DataArts Insight's `X-Workspace-Id` |
//!
//! AK/SK wins when both it and a token are configured. Base URLs must be `https://`.
//!
//! # In code
//!
//! ```no_run
//! use cloud_sdk_runtime::{ClientParts, Runtime, huawei};
//!
//! # fn main() -> Result<(), cloud_sdk_runtime::ConfigError> {
//! // AK/SK signing.
//! let credentials = huawei::AkSkCredentials::new("AK", "SK")?.with_project_id("0123abcd")?;
//! let runtime = Runtime::builder(huawei::AkSkAuth::new(credentials)).build()?;
//! let css = ClientParts::new("https://css.cn-north-4.myhuaweicloud.com", runtime)?;
//!
//! // IAM password tokens, fetched once and refreshed before they expire.
//! let password = huawei::IamPassword::new(
//!     "user",
//!     "password",
//!     "account",
//!     huawei::ProjectScope::Name("cn-north-4".into()),
//! );
//! let provider = huawei::IamPasswordProvider::for_region("cn-north-4", password)?;
//! let runtime = Runtime::builder(huawei::TokenAuth::from_provider(provider)).build()?;
//! let das = ClientParts::new("https://das.cn-north-4.myhuaweicloud.com", runtime)?;
//! # let _ = (css, das);
//! # Ok(())
//! # }
//! ```

mod aksk;
mod client;
mod clock;
pub mod endpoint;
mod error;
mod iam;
pub mod sign;
mod token;

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use aksk::{AkSkAuth, AkSkCredentials, sign_request_at};
#[cfg(feature = "mock")]
pub use client::{MOCK_CREDENTIALS_REFUSED, mock_runtime};
pub use clock::{format_sdk_date, parse_sdk_date};
pub use endpoint::Service;
pub use error::HuaweiError;
pub use iam::{IamPassword, IamPasswordProvider, ProjectScope};
pub use token::{
    AUTH_TOKEN_HEADER, CachedToken, DEFAULT_MAX_FETCH_BACKOFF, DEFAULT_MIN_FETCH_INTERVAL,
    DEFAULT_REFRESH_WINDOW, DEFAULT_REFUSED_BACKOFF, Token, TokenAuth, TokenCache, TokenError,
    TokenProvider, setback_wait,
};

use crate::{AuthRejected, ClientParts, ConfigError, ErrorKind, Runtime};

/// Environment variable names read by [`from_env`].
pub mod env {
    /// Access key id (official SDK name).
    pub const AK: &str = "HUAWEICLOUD_SDK_AK";
    /// Secret access key (official SDK name).
    pub const SK: &str = "HUAWEICLOUD_SDK_SK";
    /// Project id (official SDK name).
    pub const PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
    /// Security token of temporary credentials (official SDK name).
    pub const SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
    /// IAM endpoint override (official SDK name).
    pub const IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
    /// Region id.
    pub const REGION: &str = "HUAWEICLOUD_SDK_REGION";
    /// Prefix of the per-service base URL override: `HUAWEICLOUD_SDK_ENDPOINT_CSS`.
    pub const ENDPOINT_PREFIX: &str = "HUAWEICLOUD_SDK_ENDPOINT_";
    /// A ready IAM token.
    pub const AUTH_TOKEN: &str = "HUAWEICLOUD_SDK_AUTH_TOKEN";
    /// IAM user name.
    pub const USERNAME: &str = "HUAWEICLOUD_SDK_USERNAME";
    /// IAM user password.
    pub const PASSWORD: &str = "HUAWEICLOUD_SDK_PASSWORD";
    /// Account (domain) name of the IAM user.
    pub const DOMAIN_NAME: &str = "HUAWEICLOUD_SDK_DOMAIN_NAME";
    /// Project name for the IAM token scope.
    pub const PROJECT_NAME: &str = "HUAWEICLOUD_SDK_PROJECT_NAME";
}

/// Client parts for Huawei Cloud `service` (a generated crate's `Client::SERVICE`) from the
/// environment variables listed in the [module documentation](self).
pub fn from_env(service: &Service) -> Result<ClientParts, ConfigError> {
    from_vars(service, |name| std::env::var(name).ok())
}

/// Like [`from_env`], reading variables from `vars` instead of the process environment (a
/// configuration map, or a test).
pub fn from_vars(
    service: &Service,
    vars: impl Fn(&str) -> Option<String>,
) -> Result<ClientParts, ConfigError> {
    // An empty variable counts as unset, as in the official SDK.
    let var = |name: &str| {
        vars(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let region = var(env::REGION);
    if let Some(region) = &region {
        // The value came from this variable: the message says where to fix it.
        endpoint::check_region(region)
            .map_err(|e| ConfigError::new(format!("{e}: check {}", env::REGION)))?;
    }
    let base_url = service_base_url(service, region.as_deref(), &var)?;

    let (ak, sk) = (var(env::AK), var(env::SK));
    let mut builder = if ak.is_some() || sk.is_some() {
        let ak = ak.ok_or_else(|| {
            ConfigError::missing_env(
                env::AK,
                "access key id (AK), paired with HUAWEICLOUD_SDK_SK",
            )
        })?;
        let sk = sk.ok_or_else(|| {
            ConfigError::missing_env(
                env::SK,
                "secret access key (SK), paired with HUAWEICLOUD_SDK_AK",
            )
        })?;
        let mut credentials = AkSkCredentials::new(ak, sk)?;
        if let Some(project_id) = var(env::PROJECT_ID) {
            credentials = credentials.with_project_id(project_id)?;
        }
        if let Some(token) = var(env::SECURITY_TOKEN) {
            credentials = credentials.with_security_token(token)?;
        }
        Runtime::builder(AkSkAuth::new(credentials))
    } else if let Some(token) = vars(env::AUTH_TOKEN).filter(|t| !t.trim().is_empty()) {
        Runtime::builder(TokenAuth::static_token(token)?)
    } else if var(env::USERNAME).is_some() || var(env::PASSWORD).is_some() {
        let user = var(env::USERNAME)
            .ok_or_else(|| ConfigError::missing_env(env::USERNAME, "IAM user name"))?;
        // Passwords may have meaningful surrounding spaces: not trimmed.
        let password = vars(env::PASSWORD)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| ConfigError::missing_env(env::PASSWORD, "IAM user's password"))?;
        let domain = var(env::DOMAIN_NAME).ok_or_else(|| {
            ConfigError::missing_env(
                env::DOMAIN_NAME,
                "account (domain) name that owns the IAM user",
            )
        })?;
        let scope = match (var(env::PROJECT_ID), var(env::PROJECT_NAME), &region) {
            (Some(id), _, _) => ProjectScope::Id(id),
            (None, Some(name), _) => ProjectScope::Name(name),
            (None, None, Some(region)) => ProjectScope::Name(region.clone()),
            (None, None, None) => {
                return Err(ConfigError::missing(
                    "IAM tokens need a project scope: set HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_PROJECT_NAME or HUAWEICLOUD_SDK_REGION",
                ));
            }
        };
        let password = IamPassword::new(user, password, domain, scope);
        let provider = match (var(env::IAM_ENDPOINT), &region) {
            (Some(iam), _) => {
                require_https(&iam, env::IAM_ENDPOINT)?;
                IamPasswordProvider::new(&iam, password)?
            }
            (None, Some(region)) => IamPasswordProvider::for_region(region, password)?,
            (None, None) => {
                return Err(ConfigError::missing(
                    "IAM tokens need the IAM endpoint: set HUAWEICLOUD_SDK_REGION (like cn-north-4) or HUAWEICLOUD_SDK_IAM_ENDPOINT",
                ));
            }
        };
        Runtime::builder(TokenAuth::from_provider(provider))
    } else {
        return Err(ConfigError::missing(format!(
            "no Huawei Cloud credentials for {}: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK \
             (AK/SK signing), or HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD and \
             HUAWEICLOUD_SDK_DOMAIN_NAME (IAM tokens), or HUAWEICLOUD_SDK_AUTH_TOKEN (a ready token)",
            service.name
        )));
    };

    for (header, variable) in service.env_headers {
        if let Some(value) = var(variable) {
            builder = builder
                .default_header(header, &value)
                .map_err(|e| ConfigError::new(format!("{variable}: {e}")))?;
        }
    }
    let runtime = builder.build()?;
    tracing::debug!(
        service = service.name,
        base_url = %crate::redact::describe_url(&base_url),
        scheme = runtime.authenticator().scheme(),
        "Huawei Cloud client configured from the environment"
    );
    ClientParts::new(base_url, runtime)
}

fn service_base_url(
    service: &Service,
    region: Option<&str>,
    var: &impl Fn(&str) -> Option<String>,
) -> Result<String, ConfigError> {
    let override_name = service.endpoint_variable();
    if let Some(url) = var(&override_name) {
        require_https(&url, &override_name)?;
        return Ok(url);
    }
    let Some(region) = region else {
        return Err(ConfigError::missing(format!(
            "environment variable {} is not set: set it to the region id (like cn-north-4), or set {override_name} to the {} base URL",
            env::REGION,
            service.name
        )));
    };
    let official = format!(
        "HUAWEICLOUD_SDK_REGION_{}_{}",
        service.name.to_ascii_uppercase(),
        region.replace('-', "_").to_ascii_uppercase()
    );
    if let Some(list) = var(&official)
        && let Some(url) = list.split(',').map(str::trim).find(|u| !u.is_empty())
    {
        require_https(url, &official)?;
        return Ok(url.to_owned());
    }
    service.base_url(region)
}

fn require_https(url: &str, var: &str) -> Result<(), ConfigError> {
    match url::Url::parse(url) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some() => Ok(()),
        Ok(u) if crate::transport::is_loopback_http(&u) => Ok(()),
        Ok(_) => Err(ConfigError::insecure(format!(
            "{var} must be an https:// URL (credentials are not sent over plain http, except to a \
             loopback address), found {}",
            crate::redact::describe_url(url)
        ))),
        Err(_) => Err(ConfigError::new(format!(
            "{var} is not a valid URL: {}",
            crate::redact::describe_url(url)
        ))),
    }
}

/// A response standing in for one the service never sent (the request could not be signed,
/// no token could be had), marked so that `Runtime::exec` reports `reason` as an error.
pub(crate) fn local_failure(
    status: http::StatusCode,
    kind: ErrorKind,
    reason: String,
) -> reqwest::Response {
    let mut response = http::Response::new(reason.clone());
    *response.status_mut() = status;
    response
        .extensions_mut()
        .insert(crate::runtime::NotAnswered);
    AuthRejected::mark(response.into(), kind, reason, None)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn service(name: &'static str) -> Service {
        let host = match name {
            "css" => "css.{region}.myhuaweicloud.com",
            "das" => "das.{region}.myhuaweicloud.com",
            _ => "dataartsinsight.{region}.myhuaweicloud.com",
        };
        let env_headers: &'static [(&'static str, &'static str)] = match name {
            "dataartsinsight" => &[("X-Workspace-Id", "HUAWEICLOUD_SDK_WORKSPACE_ID")],
            _ => &[],
        };
        Service {
            name,
            host,
            host_exceptions: &[],
            env_headers,
        }
    }

    fn parts(name: &'static str, vars: &[(&str, &str)]) -> Result<ClientParts, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_vars(&service(name), |name| map.get(name).cloned())
    }

    #[test]
    fn picks_the_scheme_and_endpoint() {
        let p = parts(
            "css",
            &[
                ("HUAWEICLOUD_SDK_AK", "AK1"),
                ("HUAWEICLOUD_SDK_SK", "sk-secret"),
                ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            ],
        )
        .unwrap();
        assert_eq!(p.base_url, "https://css.cn-north-4.myhuaweicloud.com");
        assert_eq!(p.runtime.authenticator().scheme(), "aksk");
        assert!(!format!("{p:?}").contains("sk-secret"));

        let p = parts(
            "das",
            &[
                ("HUAWEICLOUD_SDK_AUTH_TOKEN", "tok-secret"),
                ("HUAWEICLOUD_SDK_ENDPOINT_DAS", "https://das.example"),
            ],
        )
        .unwrap();
        assert_eq!(p.base_url, "https://das.example");
        assert_eq!(p.runtime.authenticator().scheme(), "static-token");
        assert!(!format!("{p:?}").contains("tok-secret"));

        let p = parts(
            "dataartsinsight",
            &[
                ("HUAWEICLOUD_SDK_USERNAME", "u"),
                ("HUAWEICLOUD_SDK_PASSWORD", "pw-secret"),
                ("HUAWEICLOUD_SDK_DOMAIN_NAME", "d"),
                ("HUAWEICLOUD_SDK_REGION", "cn-east-3"),
                ("HUAWEICLOUD_SDK_WORKSPACE_ID", "ws1"),
            ],
        )
        .unwrap();
        assert_eq!(
            p.base_url,
            "https://dataartsinsight.cn-east-3.myhuaweicloud.com"
        );
        assert_eq!(p.runtime.authenticator().scheme(), "iam-token");
        assert!(!format!("{p:?}").contains("pw-secret"));

        let p = parts(
            "css",
            &[
                ("HUAWEICLOUD_SDK_AK", "AK1"),
                ("HUAWEICLOUD_SDK_SK", "s"),
                ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
                (
                    "HUAWEICLOUD_SDK_REGION_CSS_CN_NORTH_4",
                    "https://a.example,https://b.example",
                ),
            ],
        )
        .unwrap();
        assert_eq!(p.base_url, "https://a.example");
    }

    #[test]
    fn errors_have_a_kind() {
        use crate::ConfigErrorKind::{InsecureUrl, Invalid, Missing};
        let kind = |vars: &[(&str, &str)]| parts("css", vars).unwrap_err().kind();
        let aksk = [("HUAWEICLOUD_SDK_AK", "a"), ("HUAWEICLOUD_SDK_SK", "b")];
        assert_eq!(kind(&[("HUAWEICLOUD_SDK_REGION", "cn-north-4")]), Missing);
        assert_eq!(kind(&aksk), Missing, "no region");
        let with = |extra: (&'static str, &'static str)| [aksk[0], aksk[1], extra];
        assert_eq!(
            kind(&with(("HUAWEICLOUD_SDK_ENDPOINT_CSS", "http://x"))),
            InsecureUrl
        );
        assert_eq!(kind(&with(("HUAWEICLOUD_SDK_REGION", "North 4"))), Invalid);
    }

    #[test]
    fn errors_name_the_variable_to_set() {
        let err = |service: &'static str, vars: &[(&str, &str)]| {
            parts(service, vars).unwrap_err().to_string()
        };
        assert!(
            err("css", &[("HUAWEICLOUD_SDK_REGION", "cn-north-4")]).contains("HUAWEICLOUD_SDK_AK")
        );
        assert!(
            err(
                "css",
                &[
                    ("HUAWEICLOUD_SDK_AK", "a"),
                    ("HUAWEICLOUD_SDK_REGION", "cn-north-4")
                ]
            )
            .contains("HUAWEICLOUD_SDK_SK")
        );
        assert!(
            err(
                "css",
                &[("HUAWEICLOUD_SDK_AK", "a"), ("HUAWEICLOUD_SDK_SK", "b")]
            )
            .contains("HUAWEICLOUD_SDK_REGION")
        );
        assert!(
            err(
                "css",
                &[
                    ("HUAWEICLOUD_SDK_AK", "a"),
                    ("HUAWEICLOUD_SDK_SK", "b"),
                    ("HUAWEICLOUD_SDK_ENDPOINT_CSS", "http://x")
                ]
            )
            .contains("https")
        );
        assert!(
            err(
                "das",
                &[
                    ("HUAWEICLOUD_SDK_USERNAME", "u"),
                    ("HUAWEICLOUD_SDK_PASSWORD", "p"),
                    ("HUAWEICLOUD_SDK_REGION", "cn-north-4")
                ]
            )
            .contains("HUAWEICLOUD_SDK_DOMAIN_NAME")
        );
        assert!(err("css", &[("HUAWEICLOUD_SDK_REGION", "cn north")]).contains("region"));
    }
}
