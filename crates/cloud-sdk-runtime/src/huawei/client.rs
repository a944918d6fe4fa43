//! What a generated Huawei Cloud client gets in one line: [`huawei_client!`](crate::huawei_client)
//! writes its constructors, `from_env` and mock support from the data `cargo xtask generate`
//! takes from `specs/` (the API's `api.toml` and `specs/vendors/huawei.toml`).

/// Gives a generated Huawei Cloud client (the invoking crate's `Client`) its vendor items:
/// `DEFAULT_BASE_URL`, `SERVICE` (a [`Service`](crate::huawei::Service)), `from_env()` and
/// `for_region()`, and behind the crate's `mock` feature its
/// `mock::MockVendor` implementation (an open server that checks no
/// signature, AK/SK stand-in credentials, API Gateway's refusal body).
///
/// `cargo xtask generate` writes the invocation from `specs/`: `base_url` from `api.toml`,
/// `service` and `host_exceptions` (`[[host_exception]]`) from `api.toml`, `host` from the
/// vendor file's pattern with `{service}` filled in, `env_headers` from `[[env_header]]`.
/// Huawei Cloud clients take no `[[client_supplied]]` values.
#[macro_export]
macro_rules! huawei_client {
    (
        base_url = $base_url:literal,
        service = $name:literal,
        host = $host:literal,
        host_exceptions = [$(($region:literal, $region_host:literal)),* $(,)?],
        env_headers = [$(($header:literal, $variable:literal)),* $(,)?],
        client_supplied = [] $(,)?
    ) => {
        impl Client {
            /// The vendor's documented base URL (`{region}` stands for a region such as
            /// `cn-north-4`).
            pub const DEFAULT_BASE_URL: &'static str = $base_url;

            /// Where the service lives: its name in endpoint variables, its host in
            /// each region, and the headers read from the environment.
            pub const SERVICE: $crate::huawei::Service = $crate::huawei::Service {
                name: $name,
                host: $host,
                host_exceptions: &[$(($region, $region_host)),*],
                env_headers: &[$(($header, $variable)),*],
            };

            /// A client from credentials and settings in environment variables; see
            /// `cloud_sdk_runtime::huawei::from_env` for the variables read.
            pub fn from_env() -> ::std::result::Result<Self, $crate::ConfigError> {
                $crate::huawei::from_env(&Self::SERVICE).map(Self::from_parts)
            }

            /// A client for the service in `region` (like `cn-north-4`) that sends
            /// through `runtime`.
            pub fn for_region(
                region: &str,
                runtime: $crate::Runtime,
            ) -> ::std::result::Result<Self, $crate::ConfigError> {
                $crate::ClientParts::new(Self::SERVICE.base_url(region)?, runtime)
                    .map(Self::from_parts)
            }
        }

        #[cfg(feature = "mock")]
        impl $crate::mock::MockVendor for Client {
            const AUTH: $crate::mock::MockAuth = $crate::mock::MockAuth::Open;
            const CREDENTIALS_REFUSED: ::std::option::Option<&'static str> =
                ::std::option::Option::Some($crate::huawei::MOCK_CREDENTIALS_REFUSED);
            fn mock_runtime(server: &$crate::mock::MockServer) -> $crate::Runtime {
                $crate::huawei::mock_runtime(server)
            }
        }
    };
    ($($unexpected:tt)*) => {
        ::core::compile_error!(
            "huawei_client! takes `base_url`, `service`, `host`, `host_exceptions`, \
             `env_headers` and an empty `client_supplied`, in this order: a Huawei Cloud API's \
             api.toml needs `service` and takes no [[client_supplied]]; `cargo xtask generate` \
             writes this invocation"
        );
    };
}

/// What Huawei Cloud's API Gateway answers to a signature it does not accept: the body of a
/// mock's refusal of credentials.
#[cfg(feature = "mock")]
pub const MOCK_CREDENTIALS_REFUSED: &str = r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail"}"#;

/// A runtime for a mock server of a Huawei Cloud API: an AK/SK signer holding stand-in
/// credentials (the server checks no signature) and plain `http://` allowed.
#[cfg(feature = "mock")]
pub fn mock_runtime(_server: &crate::mock::MockServer) -> crate::Runtime {
    let built = super::AkSkCredentials::new("MOCKACCESSKEY", "mock-secret-key")
        .map(|c| crate::Runtime::builder(super::AkSkAuth::new(c)))
        .and_then(|b| b.allow_insecure_http(true).build());
    built.unwrap_or_else(|e| panic!("the mock runtime cannot be built: {e}"))
}
