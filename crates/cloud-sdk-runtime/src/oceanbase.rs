//! OceanBase Cloud conventions: Digest credentials from an AccessKey pair, and the values the
//! runtime supplies on every call (a project id header, a generated request id).
//!
//! OceanBase Cloud authenticates every call with HTTP Digest (`curl --digest -u AK:SK`). Which
//! parameters the runtime supplies, and their names, is data the generator writes into the
//! client crate from `specs/` (an [`Api`], `oceanbase_cloud::Client::API`).
//!
//! ```no_run
//! use cloud_sdk_runtime::oceanbase::{self, Api, Credentials, Supplied};
//!
//! # fn run() -> Result<(), cloud_sdk_runtime::ConfigError> {
//! # const API: Api = Api { default_base_url: "https://api-cloud.oceanbase.com", supplied: &[] };
//! // One line from an AccessKey pair and a project id (base URL: the API's default) ...
//! let parts = oceanbase::client_parts(&API, Credentials::new("AK", "SK"), "project-id")?;
//! // ... or from OCEANBASE_ACCESS_KEY_ID, OCEANBASE_ACCESS_KEY_SECRET, OCEANBASE_PROJECT_ID.
//! let parts = oceanbase::from_env(&API)?;
//! // `oceanbase_cloud::Client::from_parts(parts)` then makes the client.
//! # let _ = parts; Ok(()) }
//! ```

use std::fmt;

use crate::{
    ClientParts, ConfigError, Runtime, RuntimeBuilder, Secret,
    digest::{self, DigestAuth},
};

/// What the runtime needs to know of an OceanBase Cloud API; each generated crate holds one
/// as `Client::API`, written from its `api.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Api {
    /// The documented endpoint, used unless `OCEANBASE_BASE_URL` says otherwise.
    pub default_base_url: &'static str,
    /// Values the vendor requires on every call that the runtime supplies when the caller
    /// does not (`[[client_supplied]]` in `api.toml`).
    pub supplied: &'static [Supplied],
}

/// A value the runtime puts on every call that does not carry its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supplied {
    /// A query parameter with a fresh UUID v4 (a request id).
    UuidQuery(&'static str),
    /// A header with the client's project id.
    ProjectHeader(&'static str),
}

/// Environment variable with the AccessKey ID (required by [`from_env`]).
pub const ENV_ACCESS_KEY_ID: &str = "OCEANBASE_ACCESS_KEY_ID";
/// Environment variable with the AccessKey secret (required by [`from_env`]).
pub const ENV_ACCESS_KEY_SECRET: &str = "OCEANBASE_ACCESS_KEY_SECRET";
/// Environment variable with the project id sent as `X-Ob-Project-Id` (required by
/// [`from_env`]).
pub const ENV_PROJECT_ID: &str = "OCEANBASE_PROJECT_ID";
/// Environment variable overriding the base URL (optional; default: the API's `default_base_url`).
pub const ENV_BASE_URL: &str = "OCEANBASE_BASE_URL";

/// An OceanBase Cloud AccessKey pair. `Debug` prints the ID's first four characters (the
/// key-id policy of `redact.rs`, the same for every vendor) and never the secret.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: Secret,
}

impl Credentials {
    /// Credentials from an AccessKey ID and secret.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<Secret>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
        }
    }

    /// Credentials from `OCEANBASE_ACCESS_KEY_ID` and `OCEANBASE_ACCESS_KEY_SECRET`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let id = required(lookup, ENV_ACCESS_KEY_ID, "OceanBase Cloud AccessKey ID")?;
        let secret = required(
            lookup,
            ENV_ACCESS_KEY_SECRET,
            "OceanBase Cloud AccessKey secret",
        )?;
        Ok(Self::new(id, secret))
    }

    /// The Digest authenticator for these credentials, with an error text that says which
    /// settings to check when the server refuses them.
    pub fn into_authenticator(self) -> DigestAuth {
        DigestAuth::new(digest::Credentials::new(self.access_key_id, self.access_key_secret)).with_rejection_hint(
            "check the AccessKey ID and secret (OCEANBASE_ACCESS_KEY_ID, OCEANBASE_ACCESS_KEY_SECRET) \
             and that the AccessKey may call the multi-cloud API",
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &crate::redact::KeyId(&self.access_key_id))
            .field("access_key_secret", &self.access_key_secret)
            .finish()
    }
}

/// A runtime builder with Digest authentication, the project id header and request ids the
/// API names (see [`Api::supplied`]); set further options, then `build()`.
pub fn runtime_builder(
    api: &Api,
    credentials: Credentials,
    project_id: &str,
) -> Result<RuntimeBuilder, ConfigError> {
    let mut builder = Runtime::builder(credentials.into_authenticator());
    for supplied in api.supplied {
        builder = match *supplied {
            Supplied::UuidQuery(name) => builder.default_query_uuid(name),
            Supplied::ProjectHeader(name) => {
                if project_id.trim().is_empty() {
                    return Err(ConfigError::missing(format!(
                        "the OceanBase Cloud project id is empty: it is sent as {name} on every \
                         call; set OCEANBASE_PROJECT_ID (or pass it) to your project's id"
                    )));
                }
                builder.default_header(name, project_id.trim())?
            }
        };
    }
    Ok(builder)
}

/// A runtime with Digest authentication and the project id, in one call.
pub fn runtime(
    api: &Api,
    credentials: Credentials,
    project_id: &str,
) -> Result<Runtime, ConfigError> {
    runtime_builder(api, credentials, project_id)?.build()
}

/// Everything `oceanbase_cloud::Client::from_parts` needs, for the API's default base URL.
pub fn client_parts(
    api: &Api,
    credentials: Credentials,
    project_id: &str,
) -> Result<ClientParts, ConfigError> {
    ClientParts::new(api.default_base_url, runtime(api, credentials, project_id)?)
}

/// Client parts from the environment:
///
/// | variable | |
/// |---|---|
/// | `OCEANBASE_ACCESS_KEY_ID` | AccessKey ID (required) |
/// | `OCEANBASE_ACCESS_KEY_SECRET` | AccessKey secret (required) |
/// | `OCEANBASE_PROJECT_ID` | project id sent as `X-Ob-Project-Id` (required) |
/// | `OCEANBASE_BASE_URL` | base URL, `https://` (or plain http to a loopback address; default: the API's documented one) |
///
/// The error names the variable to set or fix.
pub fn from_env(api: &Api) -> Result<ClientParts, ConfigError> {
    from_lookup(api, &|name| std::env::var(name).ok())
}

fn from_lookup(
    api: &Api,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientParts, ConfigError> {
    let credentials = Credentials::from_lookup(lookup)?;
    let project = required(
        lookup,
        ENV_PROJECT_ID,
        "OceanBase Cloud project id (sent as X-Ob-Project-Id)",
    )?;
    let base_url = lookup(ENV_BASE_URL).filter(|v| !v.trim().is_empty());
    let base_url = base_url
        .as_deref()
        .map(str::trim)
        .unwrap_or(api.default_base_url);
    let loopback = url::Url::parse(base_url).is_ok_and(|u| crate::transport::is_loopback_http(&u));
    if !base_url.starts_with("https://") && !loopback {
        return Err(ConfigError::insecure(format!(
            "{ENV_BASE_URL} is {}: it must start with https:// (credentials are sent with every call; \
             plain http only to a loopback address); unset it to use {}",
            crate::redact::describe_url(base_url),
            api.default_base_url
        )));
    }
    let runtime = runtime(api, credentials, &project).map_err(|e| {
        ConfigError::new(format!(
            "{ENV_PROJECT_ID} is not usable as a header value: {e}"
        ))
    })?;
    ClientParts::new(base_url, runtime).map_err(|e| e.about(ENV_BASE_URL))
}

fn required(
    lookup: &dyn Fn(&str) -> Option<String>,
    var: &str,
    what: &str,
) -> Result<String, ConfigError> {
    match lookup(var) {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        Some(_) => Err(ConfigError::missing(format!(
            "environment variable {var} is empty: set it to your {what}"
        ))),
        None => Err(ConfigError::missing_env(var, what)),
    }
}

/// Gives a generated OceanBase Cloud client (the invoking crate's `Client`) its vendor items:
/// `DEFAULT_BASE_URL`, `API` (an [`Api`]), `from_env()` and `with_credentials()`, and behind
/// the crate's `mock` feature its `mock::MockVendor` implementation (a
/// server that runs HTTP Digest, stand-in credentials, the API's supplied values).
///
/// `cargo xtask generate` writes the invocation from `specs/`: `base_url` from `api.toml`, and
/// `client_supplied` from its `[[client_supplied]]` tables as (name, `in`, `supply`):
/// `supply = "uuid"` goes with `in = "query"`, `supply = "project_id"` with `in = "header"`.
/// OceanBase Cloud clients take no `service`, `host_exceptions` or `env_headers`.
#[macro_export]
macro_rules! oceanbase_client {
    (
        base_url = $base_url:literal,
        host_exceptions = [],
        env_headers = [],
        // `tt`, not `literal`: `__oceanbase_supplied!` matches the location and supply as text.
        client_supplied = [$(($name:literal, $location:tt, $supply:tt)),* $(,)?] $(,)?
    ) => {
        impl Client {
            /// The vendor's documented base URL.
            pub const DEFAULT_BASE_URL: &'static str = $base_url;

            /// What the runtime supplies on every call that does not set it.
            pub const API: $crate::oceanbase::Api = $crate::oceanbase::Api {
                default_base_url: $base_url,
                supplied: &[$($crate::__oceanbase_supplied!($name, $location, $supply)),*],
            };

            /// A client from credentials and settings in environment variables; see
            /// `cloud_sdk_runtime::oceanbase::from_env` for the variables read.
            pub fn from_env() -> ::std::result::Result<Self, $crate::ConfigError> {
                $crate::oceanbase::from_env(&Self::API).map(Self::from_parts)
            }

            /// A client for the documented endpoint with an AccessKey pair and the
            /// project every call acts in.
            pub fn with_credentials(
                credentials: $crate::oceanbase::Credentials,
                project_id: &str,
            ) -> ::std::result::Result<Self, $crate::ConfigError> {
                $crate::oceanbase::client_parts(&Self::API, credentials, project_id)
                    .map(Self::from_parts)
            }
        }

        #[cfg(feature = "mock")]
        impl $crate::mock::MockVendor for Client {
            const AUTH: $crate::mock::MockAuth = $crate::mock::MockAuth::Digest;
            const CREDENTIALS_REFUSED: ::std::option::Option<&'static str> =
                ::std::option::Option::None;
            fn mock_runtime(server: &$crate::mock::MockServer) -> $crate::Runtime {
                $crate::oceanbase::mock_runtime(server, &Self::API)
            }
        }
    };
    ($($unexpected:tt)*) => {
        ::core::compile_error!(
            "oceanbase_client! takes `base_url`, empty `host_exceptions` and `env_headers`, and \
             `client_supplied`, in this order: an OceanBase Cloud API's api.toml takes no \
             `service`, [[host_exception]] or [[env_header]]; `cargo xtask generate` writes this \
             invocation"
        );
    };
}

/// One `[[client_supplied]]` entry of `api.toml` as a [`Supplied`]; used by
/// [`oceanbase_client!`](crate::oceanbase_client).
#[doc(hidden)]
#[macro_export]
macro_rules! __oceanbase_supplied {
    ($name:literal, "query", "uuid") => {
        $crate::oceanbase::Supplied::UuidQuery($name)
    };
    ($name:literal, "header", "project_id") => {
        $crate::oceanbase::Supplied::ProjectHeader($name)
    };
    ($name:literal, $location:literal, $supply:literal) => {
        ::core::compile_error!(::core::concat!(
            "[[client_supplied]] ",
            $name,
            " in api.toml: `supply = \"uuid\"` goes with `in = \"query\"`, ",
            "`supply = \"project_id\"` with `in = \"header\"`"
        ))
    };
}

/// A runtime for a mock server of an OceanBase Cloud API: Digest with stand-in credentials
/// (the server accepts any Digest answer), the API's supplied values and plain `http://`
/// allowed.
#[cfg(feature = "mock")]
pub fn mock_runtime(_server: &crate::mock::MockServer, api: &Api) -> Runtime {
    let credentials = Credentials::new("mock-access-key", "mock-access-secret");
    let built = runtime_builder(api, credentials, "mock-project")
        .and_then(|b| b.allow_insecure_http(true).build());
    built.unwrap_or_else(|e| panic!("the mock runtime cannot be built: {e}"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const API: Api = Api {
        default_base_url: "https://api-cloud.oceanbase.com",
        supplied: &[
            Supplied::UuidQuery("requestId"),
            Supplied::ProjectHeader("X-Ob-Project-Id"),
        ],
    };

    const ALL: [(&str, &str); 3] = [
        (ENV_ACCESS_KEY_ID, "AKID-visible"),
        (ENV_ACCESS_KEY_SECRET, "SK-very-secret"),
        (ENV_PROJECT_ID, "project-1"),
    ];

    #[test]
    fn env_errors_name_the_variable_to_set() {
        for missing in [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_PROJECT_ID] {
            let vars: Vec<_> = ALL.iter().copied().filter(|(k, _)| *k != missing).collect();
            let e = from_lookup(&API, &lookup(&vars)).unwrap_err().to_string();
            assert!(e.contains(missing) && e.contains("set it"), "{e}");
            let mut empty = vars.clone();
            empty.push((missing, "  "));
            let e = from_lookup(&API, &lookup(&empty)).unwrap_err().to_string();
            assert!(e.contains(missing) && e.contains("empty"), "{e}");
        }
    }

    #[test]
    fn an_empty_project_id_is_refused_when_the_client_is_built() {
        for empty in ["", "   "] {
            let e = client_parts(&API, Credentials::new("AK", "SK"), empty)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("project id is empty") && e.contains("X-Ob-Project-Id"),
                "{e}"
            );
        }
        assert!(client_parts(&API, Credentials::new("AK", "SK"), "p-1").is_ok());
    }

    #[test]
    fn env_defaults_the_base_url_and_refuses_plain_http() {
        let parts = from_lookup(&API, &lookup(&ALL)).unwrap();
        assert_eq!(parts.base_url, API.default_base_url);
        let mut vars = ALL.to_vec();
        vars.push((ENV_BASE_URL, "https://example.test/"));
        assert_eq!(
            from_lookup(&API, &lookup(&vars)).unwrap().base_url,
            "https://example.test"
        );
        vars.pop();
        vars.push((ENV_BASE_URL, "http://example.test"));
        let e = from_lookup(&API, &lookup(&vars)).unwrap_err().to_string();
        assert!(e.contains(ENV_BASE_URL) && e.contains("https://"), "{e}");
    }

    #[test]
    fn base_url_user_info_is_not_echoed() {
        let mut vars = ALL.to_vec();
        vars.push((ENV_BASE_URL, "http://alice:pw-in-url@example.test/?sig=q"));
        let e = from_lookup(&API, &lookup(&vars)).unwrap_err().to_string();
        assert!(
            e.contains("http://example.test/ (user-info removed)"),
            "{e}"
        );
        assert!(
            !e.contains("pw-in-url") && !e.contains("alice") && !e.contains("sig"),
            "{e}"
        );
    }

    #[test]
    fn debug_output_hides_the_access_key_pair() {
        let parts = from_lookup(&API, &lookup(&ALL)).unwrap();
        let creds = Credentials::new("AKID-visible", "SK-very-secret");
        let text = format!(
            "{parts:?} {creds:?} {:?}",
            creds.clone().into_authenticator()
        );
        assert!(
            !text.contains("AKID-visible") && !text.contains("SK-very-secret"),
            "{text}"
        );
        assert!(text.contains("***"));
    }
}
