//! What a spec problem is ([`SpecError`]) and what `api.toml` and the vendor files hold
//! ([`ApiConfig`] and its parts): the types the loader (`spec`) and the settings check
//! (`settings`) share.

use std::{collections::BTreeMap, fmt};

use serde::Deserialize;

/// A problem in a spec, with the file and the place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file, relative to the workspace root (forward slashes).
    pub file: String,
    /// The 1-based line in `file`, where known.
    pub line: Option<usize>,
    /// Where in the file: a JSON pointer (`/paths/~1x/post/operationId`), a column, or a
    /// dotted path such as `paths./x.post.operationId`.
    pub place: Option<String>,
    /// What is wrong and, where it helps, what to write instead.
    pub message: String,
}

impl SpecError {
    pub(crate) fn new(
        file: impl Into<String>,
        place: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            line: None,
            place,
            message: message.into(),
        }
    }

    /// The same error, at `line` of its file.
    pub(crate) fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        match &self.place {
            Some(place) => write!(f, ": at {place}: {}", self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}

impl std::error::Error for SpecError {}

/// `specs/<api>/api.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Crate name of the generated client.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// Crate version.
    pub version: String,
    /// Title of the merged OpenAPI document (the client's doc heading).
    pub title: String,
    /// One paragraph: what the client is for.
    pub description: String,
    /// The API version string reported by `ClientInfo::api_version`.
    pub api_version: String,
    /// Default base URL, or a pattern with `{region}`.
    pub base_url: String,
    /// The vendor: `specs/vendors/<vendor>.toml` holds what its APIs share.
    pub vendor: String,
    /// The service name in the vendor's host pattern (`{service}`) and, for Huawei Cloud, in
    /// endpoint variables (`css` → `HUAWEICLOUD_SDK_ENDPOINT_CSS`).
    pub service: Option<String>,
    /// For `huawei`: regions whose host differs from the vendor's pattern.
    #[serde(default, rename = "host_exception")]
    pub host_exceptions: Vec<HostException>,
    /// For `huawei`: headers set on every call from an environment variable.
    #[serde(default, rename = "env_header")]
    pub env_headers: Vec<EnvHeader>,
    /// `specs/vendors/<vendor>.toml`, read with the API.
    #[serde(skip)]
    pub vendor_config: VendorConfig,
    /// crates.io keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// A usage example (Rust code) for the crate documentation; compiled as a doctest.
    pub example: String,
    /// Parameters the runtime fills in when the caller does not: documented as required by
    /// the vendor, optional in the generated client.
    #[serde(default)]
    pub client_supplied: Vec<ClientSupplied>,
    /// Schemas replaced by a hand-written type (vendor quirks), by schema name.
    #[serde(default)]
    pub replace: BTreeMap<String, Replacement>,
    /// Operations paged with offset and limit, for which the client gets a stream of items.
    #[serde(default)]
    pub paginate: Vec<Paginate>,
    /// A response envelope that carries success and error details in the body.
    pub envelope: Option<Envelope>,
}

/// `specs/vendors/<vendor>.toml`: what every API of a vendor shares.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorConfig {
    /// The runtime crate's cargo feature the vendor's clients enable (`digest`, `huawei`).
    pub feature: String,
    /// How the vendor's APIs authenticate, by name (`digest`, `huawei`): shown by the surface
    /// and api-diff, and the variant of the command-line tool's `Auth`. The xtask only passes
    /// it through.
    pub auth: String,
    /// The runtime's macro that gives each client of the vendor its constructors, `from_env`
    /// and mock support (`huawei_client` → `cloud_sdk_runtime::huawei_client!`).
    pub client_macro: String,
    /// The host pattern, with `{service}` and `{region}` (Huawei Cloud).
    pub host: Option<String>,
    /// Schemas replaced by a hand-written type in every API of the vendor, by schema name.
    #[serde(default)]
    pub replace: BTreeMap<String, Replacement>,
}

/// A region whose host differs from the vendor's pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostException {
    /// The region id.
    pub region: String,
    /// The host there.
    pub host: String,
    /// Why (kept next to the setting, for reviewers).
    pub why: String,
}

/// A header set on every call from an environment variable, when it is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvHeader {
    /// The header name.
    pub header: String,
    /// The environment variable.
    pub env: String,
    /// Why (kept next to the setting, for reviewers).
    pub why: String,
}

/// A response envelope: `success: false` in a 2xx body is a failure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The schema name.
    pub schema: String,
    /// The boolean field that says whether the call succeeded.
    pub success: String,
    /// The error code field.
    pub code: String,
    /// The error message field.
    pub message: String,
    /// The request id field.
    pub request_id: String,
}

/// An operation paged with offset/limit query parameters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paginate {
    /// The operationId.
    pub operation: String,
    /// The response field holding the page's items (an array).
    pub items: String,
    /// The response field holding the total number of items.
    pub total: String,
    /// The query parameter for the index of the first item.
    pub offset: String,
    /// The query parameter for the page size.
    pub limit: String,
}

/// A parameter filled in by the runtime.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSupplied {
    /// Parameter name as in the spec.
    pub name: String,
    /// Parameter location: `query` or `header`.
    #[serde(rename = "in")]
    pub location: String,
    /// What the runtime sends: `uuid` (a fresh UUID v4) or `project_id` (the client's project).
    pub supply: Supply,
    /// Why (kept next to the setting, for reviewers).
    pub why: String,
}

/// What the runtime supplies for a [`ClientSupplied`] parameter.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Supply {
    /// A fresh UUID v4 (a query parameter).
    Uuid,
    /// The client's project id (a header).
    ProjectId,
}

/// A schema replaced by a hand-written type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    /// Path of the Rust type.
    #[serde(rename = "with")]
    pub rust_type: String,
    /// Why (kept next to the setting, for reviewers).
    pub why: String,
    /// Traits the type implements that typify may rely on: `Display`, `FromStr`, `Default`.
    #[serde(default)]
    pub impls: Vec<String>,
}
