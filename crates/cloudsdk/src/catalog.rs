//! The command table: what `cargo xtask generate` writes into `generated/cloudsdk-catalog.rs`
//! from `specs/` (one entry per API and operation), and the types it is made of. The rest of
//! the tool interprets these values; nothing here is written by hand per operation.

/// How an API authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// OceanBase Cloud: HTTP Digest with an AccessKey pair.
    Digest,
    /// Huawei Cloud: AK/SK signing or an IAM token.
    Huawei,
}

/// A JSON type of a parameter or body field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
    /// One of several types.
    Any,
}

impl Ty {
    /// The name shown in help and templates.
    pub fn name(self) -> &'static str {
        match self {
            Ty::String => "string",
            Ty::Integer => "integer",
            Ty::Number => "number",
            Ty::Boolean => "boolean",
            Ty::Array => "array",
            Ty::Object => "object",
            Ty::Any => "any",
        }
    }
}

/// One API (a generated client crate).
#[derive(Debug)]
pub struct Api {
    /// The command name: the crate name without the words naming the cloud.
    pub name: &'static str,
    /// The client crate's name.
    pub crate_name: &'static str,
    /// The API's title.
    pub title: &'static str,
    /// How it authenticates.
    pub auth: Auth,
    /// The documented base URL (`{region}` for Huawei Cloud).
    pub base_url: &'static str,
    /// Huawei Cloud: the service name in endpoint variables.
    pub service: &'static str,
    /// Huawei Cloud: the host, with `{region}`.
    pub host: &'static str,
    /// Huawei Cloud: (region, host) where the host differs.
    pub host_exceptions: &'static [(&'static str, &'static str)],
    /// Headers set on every call from an environment variable: (header, variable).
    pub env_headers: &'static [(&'static str, &'static str)],
    /// Values the runtime supplies on every call.
    pub supplied: &'static [Supplied],
    /// A body envelope that reports failure with a 2xx status.
    pub envelope: Option<Envelope>,
    /// The operations.
    pub operations: &'static [Operation],
}

/// A value the vendor requires on every call that the runtime supplies.
#[derive(Debug)]
pub struct Supplied {
    /// The parameter name.
    pub name: &'static str,
    /// `query` or `header`.
    pub location: &'static str,
    /// `uuid` or `project_id`.
    pub supply: &'static str,
}

/// The fields of a body envelope.
#[derive(Debug)]
pub struct Envelope {
    /// The boolean that says whether the call succeeded.
    pub success: &'static str,
    /// The error code.
    pub code: &'static str,
    /// The error message.
    pub message: &'static str,
    /// The request id.
    pub request_id: &'static str,
}

/// One operation.
#[derive(Debug)]
pub struct Operation {
    /// The command name (kebab case of the operationId).
    pub name: &'static str,
    /// The vendor's name (`ShowVpcepConnection`).
    pub id: &'static str,
    /// One line from the vendor's page.
    pub summary: &'static str,
    /// The longer description.
    pub description: &'static str,
    /// The vendor's page.
    pub docs: &'static str,
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The path template (`/v1.0/{project_id}/...`).
    pub path: &'static str,
    /// Path, query and header parameters.
    pub params: &'static [Param],
    /// The JSON body.
    pub body: Option<Body>,
    /// The body's secret fields (a database password) as JSON pointers, `*` for every item of
    /// an array: read without echo, written as shell variables by a dry run, scrubbed from
    /// errors.
    pub secrets: &'static [&'static str],
    /// Offset paging (`[[paginate]]` in api.toml).
    pub paging: Option<Paging>,
    /// The documented success status.
    pub status: u16,
    /// Whether the success response has a body.
    pub has_body: bool,
    /// The documented example response (JSON text).
    pub example: Option<&'static str>,
    /// The response field holding the list a table shows.
    pub list: Option<&'static str>,
    /// The table's default columns.
    pub columns: &'static [&'static str],
}

impl Operation {
    /// The JSON pointer of the top-level body field `field` when it is a secret.
    pub fn secret_pointer(&self, field: &Field) -> Option<String> {
        let pointer = format!("/{}", field.name.replace('~', "~0").replace('/', "~1"));
        self.secrets.contains(&pointer.as_str()).then_some(pointer)
    }
}

/// A path, query or header parameter.
#[derive(Debug)]
pub struct Param {
    /// The name on the wire.
    pub name: &'static str,
    /// The flag (without `--`).
    pub flag: &'static str,
    /// `path`, `query`, `header` or `cookie`.
    pub location: &'static str,
    /// Its type.
    pub ty: Ty,
    /// Whether the vendor requires it.
    pub required: bool,
    /// Whether the runtime supplies it when not given.
    pub supplied: bool,
    /// From the vendor's page.
    pub description: &'static str,
    /// Documented values.
    pub values: &'static [&'static str],
}

/// A JSON request body.
#[derive(Debug)]
pub struct Body {
    /// Whether a body is required.
    pub required: bool,
    /// The body's schema.
    pub root: Field,
}

/// A body field and what is beneath it.
#[derive(Debug)]
pub struct Field {
    /// The property name (empty for the root and array items).
    pub name: &'static str,
    /// The flag of a top-level scalar field.
    pub flag: Option<&'static str>,
    /// Its type.
    pub ty: Ty,
    /// Whether it is required.
    pub required: bool,
    /// From the vendor's page.
    pub description: &'static str,
    /// Documented values.
    pub values: &'static [&'static str],
    /// A documented example or default (JSON text).
    pub example: Option<&'static str>,
    /// An object's properties.
    pub fields: &'static [Field],
    /// An array's item (zero or one).
    pub items: &'static [Field],
}

/// Offset paging fields.
#[derive(Debug)]
pub struct Paging {
    /// The response field with the items.
    pub items: &'static str,
    /// The response field with the total count.
    pub total: &'static str,
    /// The query parameter with the offset.
    pub offset: &'static str,
    /// The query parameter with the page size.
    pub limit: &'static str,
}

include!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../generated/cloudsdk-catalog.rs"
));

/// The API whose command is `name`.
pub fn api(name: &str) -> Option<&'static Api> {
    APIS.iter().find(|a| a.name == name)
}
