//! From a merged spec to the files of one client crate: progenitor → prettyplease → header,
//! plus what comes from the spec and `api.toml` (per-operation `call()`, paging, the envelope,
//! the vendor's data), written as tokens. What every crate shares is compiled code in the
//! runtime crate that the generated crate invokes in one line (`client_glue!`, `open_enum!`).

use std::{
    cell::RefCell,
    collections::{BTreeMap, BTreeSet},
    panic,
    path::Path,
    sync::Once,
};

use proc_macro2::{Group, TokenStream, TokenTree};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::{format_ident, quote};

use crate::{
    naming, open_enum,
    spec::{AuthKind, LoadedApi, SpecError, Supply},
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
/// `extra` is added to the crate's items as it is (the documented examples' replay, made by
/// the contract-test generator).
pub fn generate_api(
    api: &LoadedApi,
    progenitor_version: &str,
    extra: TokenStream,
) -> Result<Vec<GeneratedFile>, SpecError> {
    let open_enums = open_enum::find(api)?;
    let mut checked = 0;
    let code = checked_path_segments(run_progenitor(api, &open_enums)?, &mut checked);
    if checked == 0 && api.merged.paths.paths.keys().any(|path| path.contains('{')) {
        return Err(SpecError::new(
            format!("specs/{}", api.name),
            None,
            "progenitor's code no longer writes path parameters through `encode_path`, so they \
             would go out unchecked; update `checked_path_segments` in xtask/src/generate.rs to \
             the new shape"
                .to_owned(),
        ));
    }
    let parse = |tokens: TokenStream| {
        syn::parse2::<syn::File>(tokens).map_err(|e| {
            SpecError::new(
                format!("specs/{}", api.name),
                None,
                format!("the generator produced code that does not parse ({e}); this is a bug in xtask or progenitor"),
            )
        })
    };
    let mut file = parse(code)?;
    remove_progenitor_constructors(&mut file);
    document_items(api, &mut file);
    document_server_defaults(api, &mut file);
    let sends = send_types(&file);
    let extras = [
        glue(api)?,
        vendor_items(api)?,
        typed_calls(api, &sends)?,
        paging(api)?,
        mock_items(api, &sends)?,
        extra,
    ];
    file.items
        .extend(parse(extras.into_iter().collect())?.items);
    // Open enumerations go into `types`, next to the types that use them.
    let enums = parse(open_enums.iter().map(open_enum::tokens).collect())?;
    if let Some(items) = module_items(&mut file, "types") {
        items.extend(enums.items);
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
) -> Result<TokenStream, SpecError> {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote!(::cloud_sdk_runtime::ClientCore));
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
    let spec = strip_property_defaults(&collapse_error_codes(&api.merged)).0;
    let tokens = catch_generator_panic(|| {
        // A fresh generator per API: a reused one carries types over from the previous crate.
        let mut generator = Generator::new(&settings);
        generator.generate_tokens(&spec)
    })
    .map_err(|panic| SpecError {
        message: crate::panics::message(&panic, &api.files.join(", ")),
        ..place()
    })?
    .map_err(|e| SpecError {
        message: format!(
            "progenitor rejected the API ({}): {e}",
            api.files.join(", ")
        ),
        ..place()
    })?;
    Ok(tokens)
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

/// A documented default of an optional field is the server's: what it uses when the field is
/// left out. Given to progenitor, the default would become the field's Rust value (`pub
/// ssl_enabled: bool`, `false` unless set), sent with every request although the caller never
/// set it, and filled in for a response that left it out. So every optional property with a
/// `default` loses the `default` here: the field becomes an `Option`, sent only when set and
/// `None` when the server leaves it out (as `cargo xtask api-diff` models every optional
/// field); [`document_server_defaults`] says the default in the field's doc. Returns the spec
/// without those defaults, and per schema name, (property, default as JSON).
fn strip_property_defaults(spec: &openapiv3::OpenAPI) -> (openapiv3::OpenAPI, ServerDefaults) {
    use serde_json::Value;
    /// Takes the defaults out of the optional properties of every object in `value`; those
    /// of `value`'s own properties are recorded under `schema` (when it is a named schema).
    fn strip(value: &mut Value, schema: Option<&str>, found: &mut ServerDefaults) {
        match value {
            Value::Object(map) => {
                let required: Vec<String> = map
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| {
                        r.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(Value::Object(props)) = map.get_mut("properties") {
                    for (name, prop) in props.iter_mut() {
                        if required.contains(name) {
                            continue;
                        }
                        if let Some(default) =
                            prop.as_object_mut().and_then(|p| p.remove("default"))
                            && let Some(schema) = schema
                        {
                            found
                                .entry(schema.to_owned())
                                .or_default()
                                .push((name.clone(), default));
                        }
                    }
                }
                map.values_mut().for_each(|v| strip(v, None, found));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| strip(v, None, found)),
            _ => {}
        }
    }
    let Ok(mut doc) = serde_json::to_value(spec) else {
        return (spec.clone(), ServerDefaults::new());
    };
    let mut found = ServerDefaults::new();
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            strip(schema, Some(name), &mut found);
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        strip(paths, None, &mut found);
    }
    match serde_json::from_value(doc) {
        Ok(stripped) => (stripped, found),
        Err(_) => (spec.clone(), ServerDefaults::new()),
    }
}

/// Per schema name, the defaults of its optional properties: (property, default).
type ServerDefaults = std::collections::BTreeMap<String, Vec<(String, serde_json::Value)>>;

/// The items of the top-level module `name` of progenitor's output (`types`, `builder`).
fn module_items<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Adds "The server uses <default> when omitted." to the doc of each field whose default
/// [`strip_property_defaults`] took out.
fn document_server_defaults(api: &LoadedApi, file: &mut syn::File) {
    let defaults = strip_property_defaults(&api.merged).1;
    let Some(items) = module_items(file, "types") else {
        return;
    };
    for item in items {
        let syn::Item::Struct(s) = item else { continue };
        let type_name = ident_text(&s.ident);
        let Some((_, props)) = defaults
            .iter()
            .find(|(schema, _)| naming::pascal(schema) == type_name)
        else {
            continue;
        };
        for field in &mut s.fields {
            let Some(name) = field.ident.as_ref().map(ident_text) else {
                continue;
            };
            let Some((_, default)) = props.iter().find(|(p, _)| naming::snake(p) == name) else {
                continue;
            };
            let text = format!(" The server uses `{default}` when omitted.");
            let mut lines: Vec<syn::Attribute> = vec![syn::parse_quote!(#[doc = #text])];
            // After the field's own doc, as a paragraph of its own.
            let at = match field.attrs.iter().rposition(|a| a.path().is_ident("doc")) {
                Some(last) => {
                    lines.insert(0, syn::parse_quote!(#[doc = ""]));
                    last + 1
                }
                None => 0,
            };
            field.attrs.splice(at..at, lines);
        }
    }
}

/// progenitor writes each path parameter as `encode_path(&value.to_string())` into the URL,
/// which encodes neither `.` nor `\`: `..` would climb a segment once the URL is parsed. Each
/// such call becomes the runtime's checked `path_segment`, which refuses `""`, `.` and `..`
/// (an `InvalidRequest` naming the parameter; nothing is sent) and encodes `\`; `checked`
/// counts them.
///
/// This is the one change made to progenitor's request code, and it is made here because no
/// hook can make it: by the time the `pre` hook sees the request, its URL has been parsed and
/// `..` already resolved. (The `api-version` header progenitor adds is taken out in the
/// runtime's `pre` hook instead.)
fn checked_path_segments(tokens: TokenStream, checked: &mut usize) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Ident(ident) if ident == "encode_path" => {
                if let Some(TokenTree::Group(args)) = trees.get(i + 1)
                    && args.delimiter() == proc_macro2::Delimiter::Parenthesis
                    && let Some(name) = args.stream().into_iter().find_map(|t| match t {
                        TokenTree::Ident(name) => Some(name.to_string()),
                        _ => None,
                    })
                {
                    let value = args.stream();
                    out.extend(quote! {
                        ::cloud_sdk_runtime::path_segment(#name, #value).map_err(Error::InvalidRequest)?
                    });
                    *checked += 1;
                    i += 2;
                    continue;
                }
                out.push(trees[i].clone());
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(
                    group.delimiter(),
                    checked_path_segments(group.stream(), checked),
                );
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// Drops progenitor's `Client::new` and `new_with_client`: `new` would build a second HTTP
/// client with settings of its own (redirects followed), and `new_with_client` would accept one.
/// [`client_glue!`] gives `new` and `from_parts`, which use the runtime's transport.
fn remove_progenitor_constructors(file: &mut syn::File) {
    for item in &mut file.items {
        if let syn::Item::Impl(imp) = item
            && imp.trait_.is_none()
            && matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"))
        {
            imp.items.retain(|i| {
                !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "new" || f.sig.ident == "new_with_client")
            });
        }
    }
    file.items
        .retain(|item| !matches!(item, syn::Item::Impl(imp) if imp.items.is_empty()));
}

/// A Rust type from its path as text (`types::Page`, `::cloud_sdk_runtime::huawei::HuaweiError`).
fn rust_type(api: &LoadedApi, text: &str) -> Result<syn::Type, SpecError> {
    syn::parse_str(text).map_err(|e| {
        SpecError::new(
            format!("specs/{}/api.toml", api.name),
            None,
            format!("`{text}` is not a Rust type path ({e})"),
        )
    })
}

/// The one-line invocation of the shared glue, with the spec's body rules when there are any.
fn glue(api: &LoadedApi) -> Result<TokenStream, SpecError> {
    let rules = require_one_of_rules(api)?;
    if rules.is_empty() {
        return Ok(quote! { ::cloud_sdk_runtime::client_glue!(Client); });
    }
    let rules = rules
        .iter()
        .map(|(op, fields)| quote! { (#op, &[#(#fields),*]) });
    Ok(quote! {
        /// Request-body rules of the spec (`x-require-one-of`), checked before anything is
        /// sent: (operationId, fields of which at least one must be given).
        const REQUIRE_ONE_OF: &[(&str, &[&str])] = &[#(#rules),*];
        ::cloud_sdk_runtime::client_glue!(Client, require_one_of: REQUIRE_ONE_OF);
    })
}

/// The vendor's data for the runtime (`SERVICE` or `API`) and the constructors that use it.
fn vendor_items(api: &LoadedApi) -> Result<TokenStream, SpecError> {
    let c = &api.config;
    let base = &c.base_url;
    let err = |msg: &str| SpecError::new(format!("specs/{}/api.toml", api.name), None, msg);
    let common = quote! {
        /// The vendor's documented base URL (`{region}` stands for a region such as
        /// `cn-north-4`).
        pub const DEFAULT_BASE_URL: &'static str = #base;
    };
    Ok(match c.auth {
        AuthKind::Huawei => {
            let name = c.service.as_deref().ok_or_else(|| err("needs `service`"))?;
            let pattern = c
                .vendor_config
                .host
                .as_deref()
                .ok_or_else(|| err("the vendor file needs `host`"))?;
            let host = pattern.replace("{service}", name);
            let regions = c.host_exceptions.iter().map(|e| &e.region);
            let hosts = c.host_exceptions.iter().map(|e| &e.host);
            let headers = c.env_headers.iter().map(|h| &h.header);
            let vars = c.env_headers.iter().map(|h| &h.env);
            quote! {
                impl Client {
                    #common

                    /// Where the service lives: its name in endpoint variables, its host in
                    /// each region, and the headers read from the environment.
                    pub const SERVICE: ::cloud_sdk_runtime::huawei::Service =
                        ::cloud_sdk_runtime::huawei::Service {
                            name: #name,
                            host: #host,
                            host_exceptions: &[#((#regions, #hosts)),*],
                            env_headers: &[#((#headers, #vars)),*],
                        };

                    /// A client from credentials and settings in environment variables; see
                    /// `cloud_sdk_runtime::huawei::from_env` for the variables read.
                    pub fn from_env() -> ::std::result::Result<Self, ::cloud_sdk_runtime::ConfigError> {
                        ::cloud_sdk_runtime::huawei::from_env(&Self::SERVICE).map(Self::from_parts)
                    }

                    /// A client for the service in `region` (like `cn-north-4`) that sends
                    /// through `runtime`.
                    pub fn for_region(
                        region: &str,
                        runtime: ::cloud_sdk_runtime::Runtime,
                    ) -> ::std::result::Result<Self, ::cloud_sdk_runtime::ConfigError> {
                        ::cloud_sdk_runtime::ClientParts::new(Self::SERVICE.base_url(region)?, runtime)
                            .map(Self::from_parts)
                    }
                }
            }
        }
        AuthKind::Digest => {
            let supplied = c
                .client_supplied
                .iter()
                .map(|s| {
                    let name = &s.name;
                    match (s.supply, s.location.as_str()) {
                        (Supply::Uuid, "query") => {
                            Ok(quote! { ::cloud_sdk_runtime::oceanbase::Supplied::UuidQuery(#name) })
                        }
                        (Supply::ProjectId, "header") => Ok(
                            quote! { ::cloud_sdk_runtime::oceanbase::Supplied::ProjectHeader(#name) },
                        ),
                        _ => Err(err(
                            "client_supplied: `supply = \"uuid\"` goes with `in = \"query\"`, \
                             `supply = \"project_id\"` with `in = \"header\"`",
                        )),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            quote! {
                impl Client {
                    #common

                    /// What the runtime supplies on every call that does not set it.
                    pub const API: ::cloud_sdk_runtime::oceanbase::Api =
                        ::cloud_sdk_runtime::oceanbase::Api {
                            default_base_url: #base,
                            supplied: &[#(#supplied),*],
                        };

                    /// A client from credentials and settings in environment variables; see
                    /// `cloud_sdk_runtime::oceanbase::from_env` for the variables read.
                    pub fn from_env() -> ::std::result::Result<Self, ::cloud_sdk_runtime::ConfigError> {
                        ::cloud_sdk_runtime::oceanbase::from_env(&Self::API).map(Self::from_parts)
                    }

                    /// A client for the documented endpoint with an AccessKey pair and the
                    /// project every call acts in.
                    pub fn with_credentials(
                        credentials: ::cloud_sdk_runtime::oceanbase::Credentials,
                        project_id: &str,
                    ) -> ::std::result::Result<Self, ::cloud_sdk_runtime::ConfigError> {
                        ::cloud_sdk_runtime::oceanbase::client_parts(&Self::API, credentials, project_id)
                            .map(Self::from_parts)
                    }
                }
            }
        }
    })
}

/// The `x-require-one-of` extensions of request-body schemas: (operationId, fields).
fn require_one_of_rules(api: &LoadedApi) -> Result<Vec<(String, Vec<String>)>, SpecError> {
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
        rules.push((op.operation_id.clone().unwrap_or_default(), fields));
    }
    Ok(rules)
}

pub(crate) fn request_schema_name(op: &openapiv3::Operation) -> Option<String> {
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

/// An operation's documented response for `status`, its `$ref` resolved.
fn response_for<'a>(
    api: &'a LoadedApi,
    op: &'a openapiv3::Operation,
    status: &openapiv3::StatusCode,
) -> Option<&'a openapiv3::Response> {
    use openapiv3::ReferenceOr;
    match op.responses.responses.get(status)? {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/responses/")?;
            api.merged
                .components
                .as_ref()?
                .responses
                .get(name)?
                .as_item()
        }
    }
}

/// The schema name of a response's JSON body, when it is a `$ref` to a named schema.
fn schema_name_of(response: &openapiv3::Response) -> Option<String> {
    match response.content.get("application/json")?.schema.as_ref()? {
        openapiv3::ReferenceOr::Reference { reference } => {
            reference.rsplit('/').next().map(str::to_owned)
        }
        openapiv3::ReferenceOr::Item(_) => None,
    }
}

/// The schema name of an operation's JSON response for `status`.
fn response_schema_name(
    api: &LoadedApi,
    op: &openapiv3::Operation,
    status: &openapiv3::StatusCode,
) -> Option<String> {
    schema_name_of(response_for(api, op, status)?)
}

/// The success an operation documents: its first 2xx status and that response. A response
/// without `content` (documented as "None", or `204`) is a success with no body.
fn success_response<'a>(
    api: &'a LoadedApi,
    op: &'a openapiv3::Operation,
) -> Option<(u16, &'a openapiv3::Response)> {
    op.responses
        .responses
        .keys()
        .filter_map(|code| match code {
            openapiv3::StatusCode::Code(n) if (200..300).contains(n) => Some(*n),
            _ => None,
        })
        .min()
        .and_then(|n| response_for(api, op, &openapiv3::StatusCode::Code(n)).map(|r| (n, r)))
}

/// Per operation builder, the body and error types of its `send()`.
type SendTypes = std::collections::BTreeMap<String, (TokenStream, TokenStream)>;

/// The body and error types of each operation builder's `send()`, as progenitor wrote them
/// (`Result<ResponseValue<T>, Error<E>>`), by builder name: `call()` and the mocks use the
/// same types, whatever shape the documented response has (a named object, an array, none).
fn send_types(file: &syn::File) -> SendTypes {
    fn args(ty: &syn::Type) -> Vec<&syn::Type> {
        let syn::Type::Path(p) = ty else {
            return Vec::new();
        };
        let Some(last) = p.path.segments.last() else {
            return Vec::new();
        };
        let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
            return Vec::new();
        };
        a.args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect()
    }
    let mut out = SendTypes::new();
    let builders = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    for item in builders.into_iter().flatten() {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(builder) = p.path.segments.last().map(|s| ident_text(&s.ident)) else {
            continue;
        };
        for f in &imp.items {
            let syn::ImplItem::Fn(f) = f else { continue };
            let syn::ReturnType::Type(_, output) = &f.sig.output else {
                continue;
            };
            if f.sig.ident != "send" {
                continue;
            }
            if let [ok, error] = args(output)[..]
                && let ([body], [error]) = (&args(ok)[..], &args(error)[..])
            {
                out.insert(builder.clone(), (quote!(#body), quote!(#error)));
            }
        }
    }
    out
}

/// The Rust type of a named schema in generated code: its replacement, or `types::Name`.
pub(crate) fn rust_type_of(api: &LoadedApi, name: &str) -> Result<syn::Type, SpecError> {
    match api.config.replace.get(name) {
        Some(r) => rust_type(api, &r.rust_type),
        None => rust_type(api, &format!("types::{name}")),
    }
}

/// `call()` on every builder: the body, or a typed `ApiError` naming the operation; plus the
/// crate's `ApiError` alias and, for an envelope API, the impls that let a 2xx
/// `success: false` count as a failure.
fn typed_calls(api: &LoadedApi, sends: &SendTypes) -> Result<TokenStream, SpecError> {
    use openapiv3::StatusCode;
    let err = |msg: String| SpecError::new(format!("specs/{}", api.name), None, msg);
    let mut out = TokenStream::new();
    let mut error_types = BTreeSet::new();
    // Typed bodies (not the envelope itself) that carry the envelope's fields: each gets the
    // envelope's `Reply` check and a conversion into the envelope for the error.
    let mut shaped: BTreeMap<String, (TokenStream, Vec<String>)> = BTreeMap::new();
    for (path, method, op) in api.merged.operations() {
        let id = op.operation_id.clone().unwrap_or_default();
        let vendor = naming::pascal(&id);
        let builder = format_ident!("{}", vendor);
        let (_, success) = success_response(api, op).ok_or_else(|| {
            err(format!(
                "{method} {path}: documents no success response: add one under `responses`, \
                 e.g. `'200': {{description: OK}}` for a response with no body"
            ))
        })?;
        if response_schema_name(api, op, &StatusCode::Range(4)).is_none() {
            return Err(err(format!(
                "{method} {path}: `call()` needs a named JSON schema for 4XX responses: add \
                 `'4XX'` with `$ref` to the API's error schema (in `_common.yaml`)"
            )));
        }
        let (ok_type, error_type) = sends.get(&vendor).cloned().ok_or_else(|| {
            err(format!(
                "{method} {path}: progenitor wrote no `send()` for `{vendor}`; this is a bug in \
                 xtask or progenitor"
            ))
        })?;
        error_types.insert(quote!(#error_type).to_string());
        // An operation whose body carries the envelope's `success` field (the envelope itself,
        // or a typed body built like it) is checked for `success: false`; one that answers
        // with a body of another shape (or none) is not.
        let check = match (&api.config.envelope, success_schema(api, success)) {
            (Some(e), Some(schema)) => {
                match envelope_shaped(api, e, schema, &format!("{method} {path}"))? {
                    Some(fields) => {
                        if response_schema_name(api, op, &StatusCode::Range(4)).as_deref()
                            != Some(e.schema.as_str())
                        {
                            return Err(err(format!(
                                "{method} {path}: its 200 body carries `{}`, so a `{0}: false` \
                                 reply is an error; its 4XX response must then be the envelope: \
                                 write `$ref: '_common.yaml#/components/schemas/{}'`",
                                e.success, e.schema
                            )));
                        }
                        if schema_name_of(success).as_deref() != Some(e.schema.as_str()) {
                            shaped.insert(quote!(#ok_type).to_string(), (ok_type.clone(), fields));
                        }
                        format_ident!("call_envelope")
                    }
                    None => format_ident!("call"),
                }
            }
            _ => format_ident!("call"),
        };
        let doc = format!(
            " Sends the request and returns the body (with its status, headers and request \
             id), or an [`ApiError`](::cloud_sdk_runtime::ApiError) that names `{vendor}`, its \
             kind, the HTTP status, the service's error code, message and request id."
        );
        out.extend(quote! {
            impl<'a> builder::#builder<'a> {
                #[doc = #doc]
                pub fn call(
                    self,
                ) -> impl ::std::future::Future<
                    Output = ::std::result::Result<
                        ::cloud_sdk_runtime::Output<#ok_type>,
                        ::cloud_sdk_runtime::ApiError<#error_type>,
                    >,
                > {
                    ::cloud_sdk_runtime::#check(#vendor, self.send())
                }
            }
        });
    }
    if let [only] = error_types.iter().collect::<Vec<_>>()[..] {
        let only = rust_type(api, only)?;
        out.extend(quote! {
            /// The error of every `call()` of this client.
            pub type ApiError = ::cloud_sdk_runtime::ApiError<#only>;
        });
    }
    if let Some(e) = &api.config.envelope {
        let schema = format_ident!("{}", e.schema);
        let [code, message, request_id, success] = [&e.code, &e.message, &e.request_id, &e.success]
            .map(|f| format_ident!("{}", naming::snake(f)));
        let doc = format!(
            " A body without `{}` counts as success: the HTTP status already said so.",
            e.success
        );
        out.extend(quote! {
            impl ::cloud_sdk_runtime::ServiceError for types::#schema {
                fn code(&self) -> ::std::option::Option<&str> {
                    self.#code.as_deref()
                }

                fn message(&self) -> ::std::option::Option<&str> {
                    self.#message.as_deref()
                }

                fn request_id(&self) -> ::std::option::Option<&str> {
                    self.#request_id.as_deref()
                }
            }

            impl ::cloud_sdk_runtime::Reply for types::#schema {
                #[doc = #doc]
                fn succeeded(&self) -> bool {
                    self.#success.is_none_or(bool::from)
                }
            }
        });
        let envelope_fields = schema_def(api, &e.schema)
            .map(|s| object_properties(api, s).len())
            .unwrap_or_default();
        for (ok_type, fields) in shaped.values() {
            let copied: Vec<syn::Ident> = fields
                .iter()
                .map(|f| format_ident!("{}", naming::snake(f)))
                .collect();
            // The envelope's other fields (its untyped `data`, ...) stay empty.
            let rest = (copied.len() < envelope_fields)
                .then(|| quote!(..::std::default::Default::default()));
            let from_doc =
                " The envelope's fields of a reply that said it failed, for its `ApiError`.";
            out.extend(quote! {
                impl ::cloud_sdk_runtime::Reply for #ok_type {
                    #[doc = #doc]
                    fn succeeded(&self) -> bool {
                        self.#success.is_none_or(bool::from)
                    }
                }

                impl ::std::convert::From<#ok_type> for types::#schema {
                    #[doc = #from_doc]
                    fn from(reply: #ok_type) -> Self {
                        Self {
                            #(#copied: reply.#copied,)*
                            #rest
                        }
                    }
                }
            });
        }
    }
    Ok(out)
}

/// The JSON schema of a response's body, a `$ref` to a named schema followed.
fn success_schema<'a>(
    api: &'a LoadedApi,
    response: &'a openapiv3::Response,
) -> Option<&'a openapiv3::Schema> {
    resolve_schema(
        api,
        response.content.get("application/json")?.schema.as_ref()?,
    )
}

/// A schema, its `$ref` to a named schema followed.
fn resolve_schema<'a>(
    api: &'a LoadedApi,
    schema: &'a openapiv3::ReferenceOr<openapiv3::Schema>,
) -> Option<&'a openapiv3::Schema> {
    match schema {
        openapiv3::ReferenceOr::Item(s) => Some(s),
        openapiv3::ReferenceOr::Reference { reference } => {
            schema_def(api, reference.strip_prefix("#/components/schemas/")?)
        }
    }
}

/// A property's schema as written, and whether the object requires it.
type Property<'a> = (&'a openapiv3::ReferenceOr<Box<openapiv3::Schema>>, bool);

/// The properties of an object schema, with those of its `allOf` parts (`$ref`s followed).
fn object_properties<'a>(
    api: &'a LoadedApi,
    schema: &'a openapiv3::Schema,
) -> BTreeMap<&'a str, Property<'a>> {
    fn collect<'a>(
        api: &'a LoadedApi,
        schema: &'a openapiv3::Schema,
        depth: usize,
        out: &mut BTreeMap<&'a str, Property<'a>>,
    ) {
        use openapiv3::{SchemaKind, Type};
        // A cycle of `allOf` references is refused by progenitor; stop rather than recurse.
        if depth > 32 {
            return;
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                for (name, property) in &o.properties {
                    out.insert(name, (property, o.required.contains(name)));
                }
            }
            SchemaKind::AllOf { all_of } => {
                for part in all_of {
                    if let Some(part) = resolve_schema(api, part) {
                        collect(api, part, depth + 1, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    collect(api, schema, 0, &mut out);
    out
}

/// Whether two property schemas give the same Rust field: the same `$ref`, or the same
/// inline type.
fn same_property(a: Property<'_>, b: Property<'_>) -> bool {
    use openapiv3::ReferenceOr;
    a.1 == b.1
        && match (a.0, b.0) {
            (ReferenceOr::Reference { reference: x }, ReferenceOr::Reference { reference: y }) => {
                x == y
            }
            (ReferenceOr::Item(x), ReferenceOr::Item(y)) => {
                x.schema_kind == y.schema_kind && x.schema_data.nullable == y.schema_data.nullable
            }
            _ => false,
        }
}

/// When `body` (a success body, `$ref`s and `allOf` followed) carries the envelope's `success`
/// field, the envelope's fields it carries (success, code, message, request id, as written in
/// the spec), each checked to be the envelope's own; `None` when it has no `success`.
fn envelope_shaped(
    api: &LoadedApi,
    envelope: &crate::config::Envelope,
    body: &openapiv3::Schema,
    operation: &str,
) -> Result<Option<Vec<String>>, SpecError> {
    let fields = object_properties(api, body);
    if !fields.contains_key(envelope.success.as_str()) {
        return Ok(None);
    }
    let own = schema_def(api, &envelope.schema)
        .map(|s| object_properties(api, s))
        .unwrap_or_default();
    let mut carried = Vec::new();
    for name in [
        &envelope.success,
        &envelope.code,
        &envelope.message,
        &envelope.request_id,
    ] {
        let Some(field) = fields.get(name.as_str()) else {
            continue;
        };
        match own.get(name.as_str()) {
            Some(theirs) if same_property(*field, *theirs) => carried.push(name.clone()),
            _ => {
                return Err(SpecError::new(
                    format!("specs/{}", api.name),
                    Some(operation.to_owned()),
                    format!(
                        "the 200 body carries the envelope's `{name}` with another type or \
                         requiredness than `{}.{name}`, so a failed reply cannot become its \
                         error: declare `{name}` as the envelope does (e.g. with the same `$ref`)",
                        envelope.schema
                    ),
                ));
            }
        }
    }
    Ok(Some(carried))
}

/// The most pages one item stream requests when the API documents no maximum offset.
const MAX_PAGES: u32 = 1000;

/// A stream of every item across pages, for each `[[paginate]]` entry of `api.toml`.
fn paging(api: &LoadedApi) -> Result<TokenStream, SpecError> {
    use openapiv3::{ReferenceOr, StatusCode};
    let mut out = TokenStream::new();
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
        let max_offset = match max_of_query_parameter(op, &p.offset) {
            Some(max) => quote!(::std::option::Option::Some(#max)),
            None => quote!(::std::option::Option::None),
        };
        // The total as the runtime reads it (`i64`): converted unless the field already is
        // one (`format: int64`), which clippy would call a useless conversion.
        let total_is_i64 = schema_def(api, &page)
            .map(|s| object_properties(api, s))
            .and_then(|props| {
                let (property, _) = props.get(p.total.as_str())?;
                let schema = match property {
                    ReferenceOr::Item(s) => Some(&**s),
                    ReferenceOr::Reference { reference } => {
                        schema_def(api, reference.strip_prefix("#/components/schemas/")?)
                    }
                }?;
                match &schema.schema_kind {
                    openapiv3::SchemaKind::Type(openapiv3::Type::Integer(int)) => Some(matches!(
                        &int.format,
                        openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int64)
                    )),
                    _ => None,
                }
            })
            .ok_or_else(|| {
                err(format!(
                    "`{page}.{}` is not an integer property: name the total count in `total`",
                    p.total
                ))
            })?;
        let builder = format_ident!("{}", naming::pascal(&p.operation));
        let [items_field, offset_field, limit_field, total_field] =
            [&p.items, &p.offset, &p.limit, &p.total]
                .map(|f| format_ident!("{}", naming::snake(f)));
        let total = if total_is_i64 {
            quote!(page.#total_field)
        } else {
            quote!(page.#total_field.map(i64::from))
        };
        let stream_fn = format_ident!("stream_{}", naming::snake(&p.items));
        let (item_type, error_type) = (rust_type_of(api, &items)?, rust_type_of(api, &error)?);
        let doc = format!(
            " Every `{items}` item of every page, in order: sends the request page after page \
             (`{offset}` advancing, `{limit}` = `page_size`) and stops after `{total}` items, at \
             a page shorter than `page_size`, past the documented maximum offset, or after {MAX_PAGES} \
             pages. Other parameters are those set on this builder.",
            items = p.items,
            offset = p.offset,
            limit = p.limit,
            total = p.total,
        );
        out.extend(quote! {
            impl<'a> builder::#builder<'a> {
                #[doc = #doc]
                pub fn #stream_fn(self, page_size: u32) -> ::cloud_sdk_runtime::Paged<'a, #item_type, #error_type> {
                    let bounds = ::cloud_sdk_runtime::PageBounds {
                        max_offset: #max_offset,
                        max_pages: #MAX_PAGES,
                    };
                    ::cloud_sdk_runtime::offset_pages(page_size, bounds, move |offset, limit| {
                        let request = self.clone().#offset_field(offset).#limit_field(limit);
                        async move {
                            let page = request.send().await?.into_inner();
                            Ok(::cloud_sdk_runtime::Page {
                                items: page.#items_field,
                                total: #total,
                            })
                        }
                    })
                }
            }
        });
    }
    Ok(out)
}

/// The documented `maximum` of an integer query parameter, if any.
fn max_of_query_parameter(op: &openapiv3::Operation, name: &str) -> Option<u64> {
    use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
    op.parameters.iter().find_map(|p| match p {
        ReferenceOr::Item(Parameter::Query { parameter_data, .. })
            if parameter_data.name == name =>
        {
            match &parameter_data.format {
                ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => {
                    match &schema.schema_kind {
                        SchemaKind::Type(Type::Integer(int)) => {
                            int.maximum.and_then(|m| u64::try_from(m).ok())
                        }
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    })
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
    let runtime = format!(
        "cloud-sdk-runtime = {{ workspace = true, features = [{:?}] }}",
        c.vendor_config.feature
    );
    let mut deps: BTreeSet<&str> = [
        runtime.as_str(),
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
         categories = [\"api-bindings\", \"web-programming::http-client\"]\n\n\
         [package.metadata.docs.rs]\nall-features = true\ntargets = [\"x86_64-unknown-linux-gnu\"]\n\n\
         [features]\n\
         # `mock::MockServer`: typed mocks of this API for your own tests.\n\
         mock = [\"cloud-sdk-runtime/mock\"]\n\n\
         [dependencies]\n{deps}\n",
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
    let Some(items) = module_items(file, "types") else {
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

/// A parameter of an operation as the mock matches it: (name in the spec, where, description).
fn operation_parameters(
    api: &LoadedApi,
    op: &openapiv3::Operation,
) -> Vec<(String, &'static str, Option<String>)> {
    use openapiv3::Parameter;
    api.parameters(op)
        .map(|p| {
            let place = match p {
                Parameter::Path { .. } => "path",
                Parameter::Query { .. } => "query",
                Parameter::Header { .. } => "header",
                Parameter::Cookie { .. } => "cookie",
            };
            let data = p.parameter_data_ref();
            (data.name.clone(), place, data.description.clone())
        })
        .collect()
}

/// The documented JSON example of a response, as compact text.
fn response_example(response: &openapiv3::Response) -> Option<String> {
    let example = response.content.get("application/json")?.example.as_ref()?;
    serde_json::to_string(example).ok()
}

/// `mock::MockServer` (feature `mock`): the runtime's loopback mock server with one typed
/// method per operation, `When`/`Then` types that name the operation's parameters and bodies,
/// the documented example response, and a client pointed at the server in one line.
fn mock_items(api: &LoadedApi, sends: &SendTypes) -> Result<TokenStream, SpecError> {
    let err = |msg: String| SpecError::new(format!("specs/{}", api.name), None, msg);
    let (auth, runtime, refusal) = match api.config.auth {
        AuthKind::Huawei => (
            quote!(::cloud_sdk_runtime::mock::MockAuth::Open),
            quote!(server.huawei_runtime()),
            // What Huawei's API gateway answers to a signature it does not accept.
            quote!(::std::option::Option::Some(
                r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail"}"#
            )),
        ),
        AuthKind::Digest => (
            quote!(::cloud_sdk_runtime::mock::MockAuth::Digest),
            quote!(server.oceanbase_runtime(&super::Client::API)),
            quote!(::std::option::Option::None),
        ),
    };
    let mut methods = TokenStream::new();
    let mut types = TokenStream::new();
    for (path, method, op) in api.merged.operations() {
        let id = op.operation_id.clone().unwrap_or_default();
        let fn_name = format_ident!("{}", naming::snake(&id));
        let vendor = naming::pascal(&id);
        let when_ty = format_ident!("{}When", vendor);
        let then_ty = format_ident!("{}Then", vendor);
        let http_method = method.to_ascii_uppercase();
        let (status, success) = success_response(api, op).ok_or_else(|| {
            err(format!(
                "{method} {path}: the mock needs a documented success response"
            ))
        })?;
        let (ok_type, error_type) = sends.get(&vendor).cloned().ok_or_else(|| {
            err(format!(
                "{method} {path}: progenitor wrote no `send()` for `{vendor}`; this is a bug in \
                 xtask or progenitor"
            ))
        })?;
        let success = if success.content.is_empty() {
            quote!(::cloud_sdk_runtime::mock::Success::Empty { status: #status })
        } else {
            let example = match response_example(success) {
                Some(json) => quote!(::std::option::Option::Some(#json)),
                None => quote!(::std::option::Option::None),
            };
            quote!(::cloud_sdk_runtime::mock::Success::Json { status: #status, example: #example })
        };
        let method_doc = format!(
            " Adds a mock of `{vendor}` (`{http_method} {path}`): `when` narrows the requests it \
             answers (parameters, body), `then` sets the answer."
        );
        methods.extend(quote! {
            #[doc = #method_doc]
            pub fn #fn_name(
                &self,
                f: impl FnOnce(&mut #when_ty<'_>, &mut #then_ty<'_>),
            ) -> ::cloud_sdk_runtime::mock::Mock {
                self.server.mock(|when, then| {
                    when.method(#http_method).path(#path);
                    f(
                        &mut #when_ty(::cloud_sdk_runtime::mock::TypedWhen::new(when)),
                        &mut ::cloud_sdk_runtime::mock::TypedThen::new(then, #success, #refusal),
                    );
                })
            }
        });
        let mut when_fns = TokenStream::new();
        for (name, place, description) in operation_parameters(api, op) {
            let setter = format_ident!("{}", naming::snake(&name));
            let what = description
                .as_deref()
                .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            let doc = format!(" The {place} parameter `{name}` has `value` (as sent). {what}");
            let set = match place {
                "path" => quote!(self.0.raw().path_param(#name, value);),
                "query" => quote!(self.0.raw().query_param(#name, value);),
                "header" => quote!(self.0.raw().header(#name, value);),
                _ => continue,
            };
            when_fns.extend(quote! {
                #[doc = #doc]
                pub fn #setter(&mut self, value: impl ::std::fmt::Display) -> &mut Self {
                    #set
                    self
                }
            });
        }
        let body_type = match request_schema_name(op) {
            Some(body) => {
                let body = rust_type_of(api, &body)?;
                quote!(#body)
            }
            None => quote!(::cloud_sdk_runtime::mock::NoBody),
        };
        let when_doc = format!(" What requests a `{vendor}` mock answers.");
        let then_doc = format!(" How a `{vendor}` mock answers.");
        types.extend(quote! {
            #[doc = #when_doc]
            pub struct #when_ty<'a>(::cloud_sdk_runtime::mock::TypedWhen<'a, #body_type>);

            impl #when_ty<'_> {
                #when_fns
            }

            impl<'a> ::std::ops::Deref for #when_ty<'a> {
                type Target = ::cloud_sdk_runtime::mock::TypedWhen<'a, #body_type>;
                fn deref(&self) -> &Self::Target {
                    &self.0
                }
            }

            impl ::std::ops::DerefMut for #when_ty<'_> {
                fn deref_mut(&mut self) -> &mut Self::Target {
                    &mut self.0
                }
            }

            #[doc = #then_doc]
            pub type #then_ty<'a> = ::cloud_sdk_runtime::mock::TypedThen<'a, #ok_type, #error_type>;
        });
    }
    Ok(quote! {
        /// Typed mocks of this API for your own tests (feature `mock`): a loopback server with
        /// one method per operation and a client pointed at it.
        #[cfg(feature = "mock")]
        pub mod mock {
            #[allow(unused_imports)]
            use super::types;

            ::cloud_sdk_runtime::mock_server!(#auth, |server| #runtime);

            impl MockServer {
                #methods
            }

            #types
        }
    })
}

/// Whether an item already has a doc comment.
fn has_doc(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

/// Adds `text` as the doc comment of an item that has none.
fn add_doc(attrs: &mut Vec<syn::Attribute>, text: &str) {
    if has_doc(attrs) || text.trim().is_empty() {
        return;
    }
    let text = format!(" {}", text.split_whitespace().collect::<Vec<_>>().join(" "));
    attrs.insert(0, syn::parse_quote!(#[doc = #text]));
}

/// The description of a schema or of the schema a reference names (OpenAPI 3.0 ignores the
/// siblings of `$ref`, so a referencing property's description is its target's).
fn schema_description(
    api: &LoadedApi,
    schema: &openapiv3::ReferenceOr<openapiv3::Schema>,
) -> Option<String> {
    match schema {
        openapiv3::ReferenceOr::Item(s) => s.schema_data.description.clone(),
        openapiv3::ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next()?;
            schema_def(api, name)?.schema_data.description.clone()
        }
    }
}

/// The properties of the named object schema whose Rust name is `type_name`: (Rust field
/// name, description, required).
fn schema_properties(api: &LoadedApi, type_name: &str) -> Vec<(String, String, bool)> {
    let Some(components) = api.merged.components.as_ref() else {
        return Vec::new();
    };
    let Some((_, schema)) = components
        .schemas
        .iter()
        .find(|(name, _)| naming::pascal(name) == type_name)
    else {
        return Vec::new();
    };
    let Some(openapiv3::SchemaKind::Type(openapiv3::Type::Object(object))) =
        schema.as_item().map(|s| &s.schema_kind)
    else {
        return Vec::new();
    };
    object
        .properties
        .iter()
        .map(|(name, prop)| {
            let description = match prop {
                openapiv3::ReferenceOr::Item(s) => s.schema_data.description.clone(),
                openapiv3::ReferenceOr::Reference { reference } => schema_description(
                    api,
                    &openapiv3::ReferenceOr::Reference {
                        reference: reference.clone(),
                    },
                ),
            };
            let mut description = description.unwrap_or_else(|| format!("`{name}`."));
            let required = object.required.contains(name);
            // The default of an optional property is the server's (see `strip_property_defaults`).
            if let openapiv3::ReferenceOr::Item(s) = prop
                && let Some(default) = &s.schema_data.default
                && !required
            {
                description.push_str(&format!(" The server uses `{default}` when omitted."));
            }
            (naming::snake(name), description, required)
        })
        .collect()
}

fn ident_text(ident: &syn::Ident) -> String {
    ident.to_string().trim_start_matches("r#").to_owned()
}

/// Doc comments on the public items progenitor and typify leave without one: fields whose
/// schema is a `$ref` (the target's description), `builder()`, the type builders and their
/// setters (the property's description, and whether it is required), and the operation
/// builders' `new` and setters (the parameter's description, and whether it is required).
fn document_items(api: &LoadedApi, file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Mod(m) = item else { continue };
        let Some((_, items)) = m.content.as_mut() else {
            continue;
        };
        if m.ident == "types" {
            document_types(api, items);
        } else if m.ident == "builder" {
            document_operation_builders(api, items);
        }
    }
}

fn document_types(api: &LoadedApi, items: &mut [syn::Item]) {
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                let props = schema_properties(api, &ident_text(&s.ident));
                for field in &mut s.fields {
                    let Some(name) = field.ident.as_ref().map(ident_text) else {
                        continue;
                    };
                    let description = props
                        .iter()
                        .find(|(n, _, _)| *n == name)
                        .map(|(_, d, _)| d.clone())
                        .unwrap_or_else(|| format!("`{name}`."));
                    add_doc(&mut field.attrs, &description);
                }
            }
            syn::Item::Impl(imp) if imp.trait_.is_none() => {
                for f in &mut imp.items {
                    if let syn::ImplItem::Fn(f) = f
                        && f.sig.ident == "builder"
                    {
                        add_doc(
                            &mut f.attrs,
                            "A builder for this type, set field by field; `try_into()` checks                              that the required fields are set.",
                        );
                    }
                }
            }
            syn::Item::Mod(m) if m.ident == "builder" => {
                let Some((_, items)) = m.content.as_mut() else {
                    continue;
                };
                document_type_builders(api, items);
            }
            _ => {}
        }
    }
}

fn document_type_builders(api: &LoadedApi, items: &mut [syn::Item]) {
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                let doc = format!(
                    "Builds a [`{0}`](super::{0}) field by field (see `{0}::builder()`).",
                    s.ident
                );
                add_doc(&mut s.attrs, &doc);
            }
            syn::Item::Impl(imp) if imp.trait_.is_none() => {
                let syn::Type::Path(p) = &*imp.self_ty else {
                    continue;
                };
                let Some(type_name) = p.path.segments.last().map(|s| ident_text(&s.ident)) else {
                    continue;
                };
                let props = schema_properties(api, &type_name);
                for f in &mut imp.items {
                    let syn::ImplItem::Fn(f) = f else { continue };
                    let name = ident_text(&f.sig.ident);
                    if let Some((_, description, required)) =
                        props.iter().find(|(n, _, _)| *n == name)
                    {
                        let need = if *required { "Required." } else { "Optional." };
                        add_doc(&mut f.attrs, &format!("{description} {need}"));
                    }
                }
            }
            _ => {}
        }
    }
}

fn document_operation_builders(api: &LoadedApi, items: &mut [syn::Item]) {
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(builder) = p.path.segments.last().map(|s| ident_text(&s.ident)) else {
            continue;
        };
        let Some((_, _, op)) = api.merged.operations().find(|(_, _, op)| {
            op.operation_id
                .as_deref()
                .is_some_and(|id| naming::pascal(id) == builder)
        }) else {
            continue;
        };
        let params = operation_parameters(api, op);
        let required_params: Vec<String> = op
            .parameters
            .iter()
            .filter_map(|p| p.as_item())
            .filter(|p| p.parameter_data_ref().required)
            .map(|p| p.parameter_data_ref().name.clone())
            .collect();
        let body = op.request_body.as_ref().and_then(|b| b.as_item());
        for f in &mut imp.items {
            let syn::ImplItem::Fn(f) = f else { continue };
            let name = ident_text(&f.sig.ident);
            let doc = match name.as_str() {
                "new" => format!(
                    "A `{builder}` request for `client`; `client.{}()` is the usual way in.",
                    naming::snake(op.operation_id.as_deref().unwrap_or_default())
                ),
                "body" => {
                    let description = body
                        .and_then(|b| b.description.clone())
                        .or_else(|| {
                            request_schema_name(op)
                                .and_then(|n| schema_def(api, &n))
                                .and_then(|s| s.schema_data.description.clone())
                        })
                        .unwrap_or_else(|| "The request body.".into());
                    let need = if body.is_some_and(|b| b.required) {
                        "Required."
                    } else {
                        "Optional."
                    };
                    format!("{description} {need}")
                }
                "body_map" => "Changes the request body with `f`, starting from the body set so                                far (or an empty builder); the result is checked when sent."
                    .into(),
                _ => match params.iter().find(|(n, _, _)| naming::snake(n) == name) {
                    Some((spec_name, place, description)) => {
                        let need = if required_params.contains(spec_name) {
                            "Required"
                        } else {
                            "Optional"
                        };
                        format!(
                            "{need} {place} parameter `{spec_name}`. {}",
                            description.as_deref().unwrap_or_default()
                        )
                    }
                    None => continue,
                },
            };
            add_doc(&mut f.attrs, &doc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `generate` relies on in progenitor's request code: each path parameter written as
    /// `encode_path(..)`, which becomes the runtime's checked `path_segment`.
    #[test]
    fn path_parameters_go_through_the_checked_segment() {
        let progenitor = quote! {
            let url = format!("{}/v1/{}/x", client.baseurl, encode_path(&project_id.to_string()));
        };
        let mut checked = 0;
        let code = checked_path_segments(progenitor, &mut checked).to_string();
        assert_eq!(checked, 1);
        assert!(!code.contains("encode_path"), "{code}");
        assert!(
            code.contains(
                &quote!(
                    ::cloud_sdk_runtime::path_segment("project_id", &project_id.to_string())
                        .map_err(Error::InvalidRequest)?
                )
                .to_string()
            ),
            "{code}"
        );
    }
}
