//! From a merged spec to the files of one client crate: progenitor → prettyplease → header,
//! plus the glue that routes progenitor's hooks to the hand-written `cloud_sdk_runtime` runtime.

use std::{cell::RefCell, collections::BTreeSet, panic, path::Path, sync::Once};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};

use crate::{
    open_enum,
    spec::{AuthKind, LoadedApi, SpecError},
};

/// One file to write, relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative path with forward slashes, e.g. `generated/huaweicloud-css/src/lib.rs`.
    pub path: String,
    /// Full contents.
    pub contents: String,
}

/// The command that makes the generated files; named in their headers and in check failures.
pub const COMMAND: &str = "cargo xtask generate";

/// Crates the generated code may use, as (path prefix in the code, dependency line). Each
/// dependency is added to a generated crate only when its code uses it.
const OPTIONAL_DEPS: &[(&str, &str)] = &[
    ("bytes::", "bytes.workspace = true"),
    ("chrono::", "chrono.workspace = true"),
    ("futures::", "futures.workspace = true"),
    ("regress::", "regress.workspace = true"),
    ("serde_json::", "serde_json.workspace = true"),
    ("uuid::", "uuid.workspace = true"),
];

/// Generates the files of one API's crate.
pub fn generate_api(
    api: &LoadedApi,
    progenitor_version: &str,
) -> Result<Vec<GeneratedFile>, SpecError> {
    let open_enums = open_enum::find(api)?;
    let code = run_progenitor(api, &open_enums)?;
    let parse = |code: &str| {
        syn::parse_file(code).map_err(|e| {
            SpecError::new(
                format!("specs/{}", api.name),
                None,
                format!("the generator produced code that does not parse ({e}); this is a bug in xtask or progenitor"),
            )
        })
    };
    let mut file = parse(&format!(
        "{code}\n{}\n{}\n{}",
        glue(api)?,
        paging(api)?,
        typed_calls(api)?
    ))?;
    // Open enumerations go into `types`, next to the types that use them.
    let extra = parse(&open_enums.iter().map(open_enum::render).collect::<String>())?;
    if let Some((_, items)) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    }) {
        items.extend(extra.items);
    }
    mark_non_exhaustive(&mut file, &crate::surface::Surface::of(api));
    let body = prettyplease::unparse(&file);
    let header = header("//", api, progenitor_version);
    let lib_rs = format!("{header}\n{}\n{body}", crate_docs(api));
    let cargo_toml = cargo_toml(api, &lib_rs, progenitor_version);
    let dir = format!("generated/{}", api.name);
    Ok(vec![
        GeneratedFile {
            path: format!("{dir}/Cargo.toml"),
            contents: cargo_toml,
        },
        GeneratedFile {
            path: format!("{dir}/src/lib.rs"),
            contents: lib_rs,
        },
    ])
}

thread_local! {
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
    static CAPTURING: RefCell<bool> = const { RefCell::new(false) };
}

/// progenitor panics on some shapes it does not support (`assert!`, `unimplemented!`); turn
/// that into an error naming the spec. The panic hook stays quiet only on the thread that is
/// generating, so panics elsewhere (tests running in parallel) still print.
fn catch_generator_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(|c| *c.borrow()) {
                // Name the crate and line, not where the registry lives on this machine.
                let location = info
                    .location()
                    .map(|l| {
                        let file = l.file();
                        let short = file
                            .find("progenitor")
                            .or_else(|| file.find("typify"))
                            .map_or(file, |i| &file[i..]);
                        format!(" ({short}:{})", l.line())
                    })
                    .unwrap_or_default();
                let payload = info.payload();
                let msg = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(format!("{msg}{location}")));
            } else {
                previous(info);
            }
        }));
    });
    CAPTURING.with(|c| *c.borrow_mut() = true);
    let result = panic::catch_unwind(panic::AssertUnwindSafe(f));
    CAPTURING.with(|c| *c.borrow_mut() = false);
    result.map_err(|_| {
        PANIC_MESSAGE
            .with(|m| m.borrow_mut().take())
            .unwrap_or_else(|| "unknown panic".to_owned())
    })
}

fn run_progenitor(
    api: &LoadedApi,
    open_enums: &[open_enum::OpenEnum],
) -> Result<String, SpecError> {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote_path("::cloud_sdk_runtime::Runtime"));
    for (schema, replacement) in &api.config.replace {
        let impls = replacement
            .impls
            .iter()
            .map(|i| i.parse::<TypeImpl>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                SpecError::new(
                    format!("specs/{}/api.toml", api.name),
                    Some(format!("replace.{schema}.impls")),
                    e,
                )
            })?;
        settings.with_replacement(schema, &replacement.rust_type, impls.into_iter());
    }
    for e in open_enums {
        settings.with_replacement(
            &e.name,
            format!("crate::types::{}", e.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    let place = || SpecError::new(format!("specs/{}", api.name), None, String::new());
    let spec = collapse_error_codes(&api.merged);
    let tokens = catch_generator_panic(|| {
        // A fresh generator per API: a reused one carries types over from the previous crate.
        let mut generator = Generator::new(&settings);
        generator.generate_tokens(&spec)
    })
    .map_err(|panic| SpecError {
        message: format!(
            "progenitor cannot generate a client from this API ({}): it panicked with: {panic}. \
             Known causes: a request body with several media types, a JSON response without a schema, \
             a media type with `encoding`, several success responses with different bodies",
            api.files.join(", ")
        ),
        ..place()
    })?
    .map_err(|e| SpecError { message: format!("progenitor rejected the API ({}): {e}", api.files.join(", ")), ..place() })?;
    Ok(tokens.to_string())
}

/// A documented error status (`409`) next to a range (`4XX`) with the same body makes progenitor
/// emit an unreachable match arm (it orders `4XX` first). The spec keeps the documented codes;
/// progenitor gets only the range, which yields the same typed error.
fn collapse_error_codes(spec: &openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    use openapiv3::{ReferenceOr, StatusCode};
    let mut spec = spec.clone();
    let body = |spec: &openapiv3::OpenAPI,
                r: &ReferenceOr<openapiv3::Response>|
     -> Option<serde_json::Value> {
        let response = match r {
            ReferenceOr::Item(item) => item.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/")?;
                spec.components
                    .as_ref()?
                    .responses
                    .get(name)?
                    .as_item()?
                    .clone()
            }
        };
        serde_json::to_value(&response.content).ok()
    };
    let snapshot = spec.clone();
    for (_, item) in spec.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            let responses = &mut op.responses.responses;
            let redundant: Vec<StatusCode> = responses
                .iter()
                .filter_map(|(code, r)| match code {
                    StatusCode::Code(n) if (400..600).contains(n) => {
                        let range = responses.get(&StatusCode::Range(n / 100))?;
                        (body(&snapshot, range)? == body(&snapshot, r)?).then(|| code.clone())
                    }
                    _ => None,
                })
                .collect();
            for code in redundant {
                responses.shift_remove(&code);
            }
        }
    }
    spec
}

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    path.parse().unwrap_or_default()
}

/// The glue the generated crate needs because of the orphan rule: the `ClientHooks` impl must
/// live next to `Client`. It only forwards to `cloud_sdk_runtime`, plus a few constructors.
fn glue(api: &LoadedApi) -> Result<String, SpecError> {
    let from_env = match api.config.auth {
        AuthKind::Digest => "::cloud_sdk_runtime::oceanbase::from_env()".to_owned(),
        AuthKind::Huawei => format!(
            "::cloud_sdk_runtime::huawei::from_env({:?})",
            api.config.service.as_deref().unwrap_or_default()
        ),
    };
    let env_doc = match api.config.auth {
        AuthKind::Digest => "See `cloud_sdk_runtime::oceanbase::from_env` for the variables read.",
        AuthKind::Huawei => "See `cloud_sdk_runtime::huawei::from_env` for the variables read.",
    };
    Ok(format!(
        r#"
/// The `User-Agent` of this client: the crate and its version.
const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Routes progenitor's hooks to the [`cloud_sdk_runtime::Runtime`] that holds the credentials.
impl ClientHooks<::cloud_sdk_runtime::Runtime> for Client {{
    async fn pre<E>(&self, request: &mut reqwest::Request, info: &OperationInfo) -> Result<(), Error<E>> {{
        // progenitor adds `api-version: <info.version>` to every request; no vendor here
        // documents it, so it does not go on the wire.
        request.headers_mut().remove("api-version");
        request
            .headers_mut()
            .entry(reqwest::header::USER_AGENT)
            .or_insert(reqwest::header::HeaderValue::from_static(USER_AGENT));
        ::cloud_sdk_runtime::check_require_one_of(request, info.operation_id, REQUIRE_ONE_OF).map_err(Error::InvalidRequest)?;
        self.inner.pre(request, info.operation_id).await.map_err(|e| Error::Custom(e.to_string()))
    }}

    async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {{
        self.inner.exec(&self.client, request, info.operation_id).await
    }}

    async fn post<E>(&self, result: &reqwest::Result<reqwest::Response>, info: &OperationInfo) -> Result<(), Error<E>> {{
        self.inner.post(result, info.operation_id).map_err(|e| Error::Custom(e.to_string()))
    }}
}}

impl Client {{
    /// The vendor's documented base URL (`{{region}}` stands for a region such as `cn-north-4`).
    pub const DEFAULT_BASE_URL: &'static str = {base:?};

    /// Creates a client from parts built by `cloud_sdk_runtime` (base URL, HTTP client, runtime).
    pub fn from_parts(parts: ::cloud_sdk_runtime::ClientParts) -> Self {{
        Self::new_with_client(&parts.base_url, parts.http, parts.runtime)
    }}

    /// Creates a client from credentials and settings in environment variables.
    /// {env_doc}
    pub fn from_env() -> Result<Self, ::cloud_sdk_runtime::ConfigError> {{
        {from_env}.map(Self::from_parts)
    }}

    /// This client with a time limit per call, all retries included; credentials, caches and
    /// connections are shared with `self`. For one call: `client.with_timeout(d).operation()...`.
    pub fn with_timeout(&self, limit: ::std::time::Duration) -> Self {{
        Self::new_with_client(&self.baseurl, self.client.clone(), self.inner.with_timeout(limit))
    }}

    /// This client with another retry policy (for example `RetryPolicy::off()`); credentials,
    /// caches and connections are shared with `self`.
    pub fn with_retry(&self, policy: ::cloud_sdk_runtime::RetryPolicy) -> Self {{
        Self::new_with_client(&self.baseurl, self.client.clone(), self.inner.with_retry(policy))
    }}
}}

/// Request-body rules of the spec (`x-require-one-of`), checked before anything is sent:
/// (operationId, fields of which at least one must be given).
const REQUIRE_ONE_OF: &[(&str, &[&str])] = &[{rules}];
"#,
        base = api.config.base_url,
        rules = require_one_of_rules(api)?,
    ))
}

/// The `x-require-one-of` extensions of request-body schemas, as Rust source.
fn require_one_of_rules(api: &LoadedApi) -> Result<String, SpecError> {
    let mut rules = Vec::new();
    for (_, _, op) in api.merged.operations() {
        let Some(schema) = request_schema_name(op) else {
            continue;
        };
        let Some(def) = schema_def(api, &schema) else {
            continue;
        };
        let Some(fields) = def.schema_data.extensions.get("x-require-one-of") else {
            continue;
        };
        let fields: Vec<String> = serde_json::from_value(fields.clone()).map_err(|e| {
            SpecError::new(
                format!("specs/{}", api.name),
                Some(format!("components.schemas.{schema}.x-require-one-of")),
                format!("must be a list of property names ({e})"),
            )
        })?;
        let id = op.operation_id.clone().unwrap_or_default();
        rules.push(format!(
            "({id:?}, &[{}])",
            fields
                .iter()
                .map(|f| format!("{f:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(rules.join(", "))
}

fn request_schema_name(op: &openapiv3::Operation) -> Option<String> {
    let body = op.request_body.as_ref()?.as_item()?;
    match body.content.get("application/json")?.schema.as_ref()? {
        openapiv3::ReferenceOr::Reference { reference } => {
            reference.rsplit('/').next().map(str::to_owned)
        }
        openapiv3::ReferenceOr::Item(_) => None,
    }
}

fn schema_def<'a>(api: &'a LoadedApi, name: &str) -> Option<&'a openapiv3::Schema> {
    api.merged.components.as_ref()?.schemas.get(name)?.as_item()
}

/// The schema name of an operation's JSON response for `status`.
fn response_schema_name(
    api: &LoadedApi,
    op: &openapiv3::Operation,
    status: &openapiv3::StatusCode,
) -> Option<String> {
    use openapiv3::ReferenceOr;
    let response = match op.responses.responses.get(status)? {
        ReferenceOr::Item(item) => item,
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/responses/")?;
            api.merged
                .components
                .as_ref()?
                .responses
                .get(name)?
                .as_item()?
        }
    };
    match response.content.get("application/json")?.schema.as_ref()? {
        ReferenceOr::Reference { reference } => reference.rsplit('/').next().map(str::to_owned),
        ReferenceOr::Item(_) => None,
    }
}

/// The Rust type of a named schema in generated code: its replacement, or `types::Name`.
fn rust_type_of(api: &LoadedApi, name: &str) -> String {
    match api.config.replace.get(name) {
        Some(r) => r.rust_type.clone(),
        None => format!("types::{name}"),
    }
}

/// `call()` on every builder: the body, or a typed [`cloud_sdk_runtime::ApiError`] naming the
/// operation; plus the crate's `ApiError` alias and, for an envelope API, the impls that let a
/// 2xx `success: false` count as a failure.
fn typed_calls(api: &LoadedApi) -> Result<String, SpecError> {
    use openapiv3::StatusCode;
    let err = |msg: String| SpecError::new(format!("specs/{}", api.name), None, msg);
    let mut out = String::new();
    let mut error_types = std::collections::BTreeSet::new();
    for (path, method, op) in api.merged.operations() {
        let id = op.operation_id.clone().unwrap_or_default();
        let vendor = progenitor_case(&id);
        let ok = response_schema_name(api, op, &StatusCode::Code(200)).ok_or_else(|| {
            err(format!(
                "{method} {path}: `call()` needs a named JSON schema for status 200"
            ))
        })?;
        let error = response_schema_name(api, op, &StatusCode::Range(4)).ok_or_else(|| {
            err(format!(
                "{method} {path}: `call()` needs a named JSON schema for 4XX responses"
            ))
        })?;
        let (ok_type, error_type) = (rust_type_of(api, &ok), rust_type_of(api, &error));
        error_types.insert(error_type.clone());
        let check = match &api.config.envelope {
            Some(e) if e.schema == ok => "from_reply",
            _ => "from_result",
        };
        out.push_str(&format!(
            r#"
impl<'a> builder::{vendor}<'a> {{
    /// Sends the request and returns the response body, or an [`::cloud_sdk_runtime::ApiError`] that
    /// names `{vendor}`, the HTTP status, the service's error code, message and request id.
    pub async fn call(self) -> Result<{ok_type}, ::cloud_sdk_runtime::ApiError<{error_type}>> {{
        ::cloud_sdk_runtime::ApiError::{check}({vendor:?}, self.send().await)
    }}
}}
"#
        ));
    }
    if let [only] = error_types.iter().collect::<Vec<_>>()[..] {
        out.push_str(&format!(
            "
/// The error of every `call()` of this client.
pub type ApiError = ::cloud_sdk_runtime::ApiError<{only}>;
"
        ));
    }
    if let Some(e) = &api.config.envelope {
        let field = rust_field;
        out.push_str(&format!(
            r#"
impl ::cloud_sdk_runtime::ServiceError for types::{schema} {{
    fn code(&self) -> Option<&str> {{
        self.{code}.as_deref()
    }}

    fn message(&self) -> Option<&str> {{
        self.{message}.as_deref()
    }}

    fn request_id(&self) -> Option<&str> {{
        self.{request_id}.as_deref()
    }}
}}

impl ::cloud_sdk_runtime::Reply for types::{schema} {{
    /// A body without `{success_json}` counts as success: the HTTP status already said so.
    fn succeeded(&self) -> bool {{
        self.{success}.is_none_or(bool::from)
    }}
}}
"#,
            schema = e.schema,
            code = field(&e.code),
            message = field(&e.message),
            request_id = field(&e.request_id),
            success = field(&e.success),
            success_json = e.success,
        ));
    }
    Ok(out)
}

/// A stream of every item across pages, for each `[[paginate]]` entry of `api.toml`.
fn paging(api: &LoadedApi) -> Result<String, SpecError> {
    use openapiv3::{ReferenceOr, StatusCode};
    let mut out = String::new();
    let err = |msg: String| {
        SpecError::new(
            format!("specs/{}/api.toml", api.name),
            Some("paginate".into()),
            msg,
        )
    };
    for p in &api.config.paginate {
        let op = api
            .merged
            .operations()
            .find(|(_, _, op)| op.operation_id.as_deref() == Some(p.operation.as_str()))
            .map(|(_, _, op)| op)
            .ok_or_else(|| err(format!("no operation `{}`", p.operation)))?;
        let page = response_schema_name(api, op, &StatusCode::Code(200)).ok_or_else(|| {
            err(format!(
                "`{}` has no named 200 response schema",
                p.operation
            ))
        })?;
        let items = schema_def(api, &page)
            .and_then(|s| match &s.schema_kind {
                openapiv3::SchemaKind::Type(openapiv3::Type::Object(o)) => {
                    o.properties.get(&p.items)
                }
                _ => None,
            })
            .and_then(|prop| match prop {
                ReferenceOr::Item(s) => match &s.schema_kind {
                    openapiv3::SchemaKind::Type(openapiv3::Type::Array(a)) => {
                        a.items.as_ref().and_then(|i| match i {
                            ReferenceOr::Reference { reference } => {
                                reference.rsplit('/').next().map(str::to_owned)
                            }
                            ReferenceOr::Item(_) => None,
                        })
                    }
                    _ => None,
                },
                ReferenceOr::Reference { .. } => None,
            })
            .ok_or_else(|| {
                err(format!(
                    "`{page}.{}` is not an array of a named schema",
                    p.items
                ))
            })?;
        let error = response_schema_name(api, op, &StatusCode::Range(4)).ok_or_else(|| {
            err(format!(
                "`{}` has no named 4XX/5XX error schema",
                p.operation
            ))
        })?;
        let builder = progenitor_case(&p.operation);
        let field = |name: &str| rust_field(name);
        out.push_str(&format!(
            r#"
impl<'a> builder::{builder}<'a> {{
    /// Every `{items}` item of every page, in order: sends the request page after page
    /// (`{offset}` advancing, `{limit}` = `page_size`) until `{total}` items have been read or a
    /// page comes back empty. Other parameters are those set on this builder.
    pub fn stream_{items_field}(
        self,
        page_size: u32,
    ) -> ::std::pin::Pin<Box<dyn ::futures::Stream<Item = Result<{item_type}, Error<{error_type}>>> + Send + 'a>> {{
        let pages = ::futures::stream::try_unfold(Some((self, 0u64)), move |state| async move {{
            let Some((builder, offset)) = state else {{ return Ok::<_, Error<{error_type}>>(None) }};
            let page = builder.clone().{offset_field}(offset).{limit_field}(page_size).send().await?.into_inner();
            let read = page.{items_field}.len() as u64;
            let next = offset + read;
            let total = page.{total_field}.and_then(|t| u64::try_from(t).ok());
            let done = read == 0 || total.is_some_and(|t| next >= t);
            let items = ::futures::stream::iter(page.{items_field}.into_iter().map(Ok));
            Ok(Some((items, (!done).then_some((builder, next)))))
        }});
        Box::pin(::futures::TryStreamExt::try_flatten(pages))
    }}
}}
"#,
            items = p.items,
            offset = p.offset,
            limit = p.limit,
            total = p.total,
            items_field = field(&p.items),
            offset_field = field(&p.offset),
            limit_field = field(&p.limit),
            total_field = field(&p.total),
            item_type = rust_type_of(api, &items),
            error_type = rust_type_of(api, &error),
        ));
    }
    Ok(out)
}

/// `show_vpcep_connection` → `ShowVpcepConnection` (progenitor's builder name).
fn progenitor_case(operation_id: &str) -> String {
    operation_id
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A JSON name as progenitor's Rust field/method name (`total_count`, `vpcServiceName` →
/// `vpc_service_name`).
fn rust_field(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn header(comment: &str, api: &LoadedApi, progenitor_version: &str) -> String {
    format!(
        "{comment} @generated by `{COMMAND}` from specs/{} (sha256 {}) with progenitor {progenitor_version}.\n\
         {comment} Do not edit: change the spec or the generator, then run `{COMMAND}`.\n",
        api.name, api.spec_hash
    )
}

fn crate_docs(api: &LoadedApi) -> String {
    let mut out = String::new();
    out.push_str(&format!("//! {}\n//!\n", api.config.title));
    for line in api.config.description.trim().lines() {
        out.push_str(&format!("//! {line}\n").replace("//! \n", "//!\n"));
    }
    out.push_str("//!\n//! # Example\n//!\n//! ```no_run\n");
    for line in api.config.example.trim_end().lines() {
        out.push_str(&format!("//! {line}\n").replace("//! \n", "//!\n"));
    }
    out.push_str("//! ```\n");
    out
}

fn cargo_toml(api: &LoadedApi, lib_rs: &str, progenitor_version: &str) -> String {
    let c = &api.config;
    let mut deps: BTreeSet<&str> = [
        "cloud-sdk-runtime.workspace = true",
        "progenitor-client.workspace = true",
        "reqwest.workspace = true",
        "serde.workspace = true",
    ]
    .into_iter()
    .collect();
    for (needle, dep) in OPTIONAL_DEPS {
        if uses_crate(lib_rs, needle) {
            deps.insert(dep);
        }
    }
    let keywords = c
        .keywords
        .iter()
        .map(|k| format!("{k:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let deps = deps.into_iter().collect::<Vec<_>>().join("\n");
    format!(
        "{header}\n[package]\nname = {name:?}\nversion = {version:?}\ndescription = {desc:?}\n\
         edition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\n\
         repository.workspace = true\nreadme = \"../../README.md\"\nkeywords = [{keywords}]\n\
         categories = [\"api-bindings\", \"web-programming::http-client\"]\n\n[dependencies]\n{deps}\n",
        header = header("#", api, progenitor_version),
        name = c.crate_name,
        version = c.version,
        desc = c
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Whether generated code refers to a crate by path (`chrono::`, `::chrono::`), not merely as
/// part of a longer identifier.
fn uses_crate(code: &str, needle: &str) -> bool {
    code.match_indices(needle).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The progenitor version, as locked in `Cargo.lock` (what actually generated the code).
pub fn progenitor_version(root: &Path) -> Result<String, SpecError> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| SpecError::new("Cargo.lock", None, format!("cannot read: {e}")))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"progenitor-impl\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(v.trim_matches('"').to_owned());
        }
    }
    Err(SpecError::new(
        "Cargo.lock",
        None,
        "progenitor-impl is not in the lock file: run `cargo build -p xtask`",
    ))
}

/// Applies the evolution rule of [`crate::surface::non_exhaustive`] to the generated `types`:
/// response-only structs and open enumerations get `#[non_exhaustive]`, so the vendor adding a
/// response field or an enum value is a minor change for Rust users. `cargo xtask api-diff`
/// classifies changes by the same rule.
fn mark_non_exhaustive(file: &mut syn::File, surface: &crate::surface::Surface) {
    let marked: BTreeSet<&str> = surface
        .schemas
        .iter()
        .filter(|(_, s)| s.non_exhaustive)
        .map(|(name, _)| name.as_str())
        .collect();
    let Some(items) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return;
    };
    for item in items {
        let (ident, attrs) = match item {
            syn::Item::Struct(s) => (&s.ident, &mut s.attrs),
            syn::Item::Enum(e) => (&e.ident, &mut e.attrs),
            _ => continue,
        };
        let already = attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
        if marked.contains(ident.to_string().as_str()) && !already {
            attrs.push(syn::parse_quote!(#[non_exhaustive]));
        }
    }
}
