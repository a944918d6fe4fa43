//! The command table of the `cloudsdk` command-line tool, generated from the same loaded specs
//! as the clients: one entry per API and operation with its method, path, parameters, body
//! skeleton, paging fields, envelope and documented example response.
//!
//! The output is data (statics of the types `crates/cloudsdk/src/catalog.rs` defines, which
//! includes the file); the tool interprets it. A new operation or API in `specs/` therefore
//! gets its command from `cargo xtask generate` alone. Flag names come from the spec; the
//! tool's own flags are [`COMMON_FLAGS`], [`PAGING_FLAGS`], [`BODY_FLAGS`] and [`WAIT_FLAGS`],
//! and a spec name that would collide with one fails generation, naming the file and the
//! parameter.

use std::collections::BTreeMap;

use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::quote;

use crate::{
    SpecError,
    codegen::{COMMAND, GeneratedFile},
    spec::{LoadedApi, naming},
};

/// Where the table is written; `crates/cloudsdk/src/catalog.rs` includes it.
pub const CATALOG_PATH: &str = "generated/cloudsdk-catalog.rs";

/// The tool's own flags (without `--`) on every operation's command. A parameter or body
/// field whose flag would be one of these fails generation, unless the spec gives it another
/// flag with `x-cli-flag: <name>`.
pub const COMMON_FLAGS: &[&str] = &[
    "help", "output", "query", "columns", "dry-run", "debug", "mock", "profile", "region",
    "endpoint", "timeout",
];

/// The tool's own flags on the commands of paged operations (`[[paginate]]` in api.toml).
pub const PAGING_FLAGS: &[&str] = &["all", "max-items", "page-size"];

/// The tool's own flags on the commands of operations with a request body.
pub const BODY_FLAGS: &[&str] = &["body", "body-template"];

/// The tool's own flags on the commands of GET operations: waiting repeats the call, which only
/// a read may be (a POST repeated is a second resource created).
pub const WAIT_FLAGS: &[&str] = &["wait-until", "wait-fail", "wait-timeout", "wait-interval"];

use crate::spec::rules::FLAG_EXTENSION;

/// The tool's own commands beside the APIs; an API whose short name is one of these fails
/// generation.
pub const RESERVED_COMMANDS: &[&str] = &["config", "completions", "help"];

/// An API's command name: its crate name without the words that name the vendor's cloud
/// (those ending in `cloud`): `huaweicloud-css` → `css`, `oceanbase-cloud` → `oceanbase`.
pub fn short_name(crate_name: &str) -> String {
    let words: Vec<&str> = crate_name
        .split('-')
        .filter(|w| !w.ends_with("cloud"))
        .collect();
    if words.is_empty() {
        crate_name.to_owned()
    } else {
        words.join("-")
    }
}

/// A flag name from a spec name: `project_id`, `projectId` and `X-Project-Id` →
/// `project-id` / `x-project-id`.
pub fn flag_name(name: &str) -> String {
    naming::snake(name).trim_end_matches('_').replace('_', "-")
}

/// The catalog file for every API.
pub fn catalog(
    apis: &[LoadedApi],
    progenitor_version: &str,
) -> Result<GeneratedFile, Vec<SpecError>> {
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for api in apis {
        let short = short_name(&api.config.crate_name);
        let toml = format!("specs/{}/api.toml", api.name);
        if RESERVED_COMMANDS.contains(&short.as_str()) {
            errors.push(SpecError::new(
                &toml,
                None,
                format!(
                    "the crate name gives the command `{short}`, which the command-line tool uses \
                     for itself; choose another `crate` name"
                ),
            ));
        }
        if let Some(other) = seen.insert(short.clone(), api.name.clone()) {
            errors.push(SpecError::new(
                &toml,
                None,
                format!(
                    "the command `{short}` is also specs/{other}'s; choose another `crate` name"
                ),
            ));
        }
        match api_entry(api, &short) {
            Ok(tokens) => entries.push(tokens),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (common, paging, body, wait) = (COMMON_FLAGS, PAGING_FLAGS, BODY_FLAGS, WAIT_FLAGS);
    let commands = RESERVED_COMMANDS;
    let tokens = quote! {
        /// Every API in `specs/`, in the order of their folders.
        pub static APIS: &[Api] = &[#(#entries),*];

        /// The tool's own flags on every operation's command; no flag from a spec is one of them
        /// (checked when generating).
        pub const COMMON_FLAGS: &[&str] = &[#(#common),*];

        /// The tool's own flags on the commands of paged operations.
        pub const PAGING_FLAGS: &[&str] = &[#(#paging),*];

        /// The tool's own flags on the commands of operations with a request body.
        pub const BODY_FLAGS: &[&str] = &[#(#body),*];

        /// The tool's own flags on the commands of GET operations (waiting repeats the call).
        pub const WAIT_FLAGS: &[&str] = &[#(#wait),*];

        /// The tool's own commands beside the APIs.
        pub const RESERVED_COMMANDS: &[&str] = &[#(#commands),*];
    };
    let file = syn::parse2::<syn::File>(tokens).map_err(|e| {
        vec![SpecError::new(
            CATALOG_PATH,
            None,
            format!(
                "the command table does not parse ({e}); this is a bug in xtask/src/codegen/cli.rs"
            ),
        )]
    })?;
    let mut header =
        format!("// @generated by `{COMMAND}` from specs/ with progenitor {progenitor_version}:\n");
    for api in apis {
        header.push_str(&format!(
            "//   specs/{} (sha256 {})\n",
            api.name, api.spec_hash
        ));
    }
    header.push_str(&format!(
        "// Do not edit: change the spec or the generator, then run `{COMMAND}`.\n"
    ));
    Ok(GeneratedFile {
        path: CATALOG_PATH.into(),
        contents: format!("{header}\n{}", prettyplease::unparse(&file)),
    })
}

fn api_entry(api: &LoadedApi, short: &str) -> Result<TokenStream, Vec<SpecError>> {
    let c = &api.config;
    let items = api.merged.paths.paths.iter();
    let operations = crate::all_or_errors(
        items
            .filter_map(|(path, item)| Some((path, item.as_item()?)))
            .flat_map(|(path, item)| {
                item.iter().map(move |(method, op)| {
                    operation_entry(api, path, method, op, &item.parameters)
                })
            }),
    )?;
    let crate_name = &c.crate_name;
    let title = &c.title;
    let base_url = &c.base_url;
    // The vendor's scheme by name: `digest` is the tool's `Auth::Digest`.
    let auth_name = &c.vendor_config.auth;
    let auth = syn::parse_str::<syn::Ident>(&naming::pascal(auth_name)).map_err(|_| {
        vec![SpecError::new(
            format!("specs/vendors/{}.toml", c.vendor),
            None,
            format!("auth = {auth_name:?} is not a name: write the scheme's name, like \"huawei\""),
        )]
    })?;
    let service = c.service.clone().unwrap_or_default();
    let host = super::vendor::host(api).unwrap_or_default();
    let regions = c.host_exceptions.iter().map(|e| &e.region);
    let hosts = c.host_exceptions.iter().map(|e| &e.host);
    let headers = c.env_headers.iter().map(|h| &h.header);
    let vars = c.env_headers.iter().map(|h| &h.env);
    let supplied = c.client_supplied.iter().map(|s| {
        let name = &s.name;
        let location = &s.location;
        let supply = super::vendor::supply_name(s.supply);
        quote!(Supplied { name: #name, location: #location, supply: #supply })
    });
    let envelope = optional(c.envelope.as_ref().map(|e| {
        let (success, code, message, request_id) = (&e.success, &e.code, &e.message, &e.request_id);
        quote!(Envelope { success: #success, code: #code, message: #message, request_id: #request_id })
    }));
    Ok(quote! {
        Api {
            name: #short,
            crate_name: #crate_name,
            title: #title,
            auth: Auth::#auth,
            base_url: #base_url,
            service: #service,
            host: #host,
            host_exceptions: &[#((#regions, #hosts)),*],
            env_headers: &[#((#headers, #vars)),*],
            supplied: &[#(#supplied),*],
            envelope: #envelope,
            operations: &[#(#operations),*],
        }
    })
}

fn operation_entry(
    api: &LoadedApi,
    path: &str,
    method: &str,
    op: &openapiv3::Operation,
    shared: &[ReferenceOr<openapiv3::Parameter>],
) -> Result<TokenStream, Vec<SpecError>> {
    let file = format!("specs/{}", api.name);
    let Some(id) = op.operation_id.as_deref() else {
        return Err(vec![SpecError::new(
            &file,
            Some(format!("paths.{path}.{method}")),
            "the operation has no operationId; the command-line tool names its command after it",
        )]);
    };
    let vendor_name = naming::pascal(id);
    let file = api
        .files
        .iter()
        .find(|f| f.ends_with(&format!("/{vendor_name}.yaml")))
        .cloned()
        .unwrap_or(file);
    let command = flag_name(id);
    let paged = api.config.paginate.iter().any(|p| p.operation == id);
    let mut reserved: Vec<&str> = COMMON_FLAGS.to_vec();
    if paged {
        reserved.extend(PAGING_FLAGS);
    }
    if op.request_body.is_some() {
        reserved.extend(BODY_FLAGS);
    }
    if method == "get" {
        reserved.extend(WAIT_FLAGS);
    }
    let at = (file.as_str(), id, reserved.as_slice());
    let mut errors = Vec::new();
    let mut flags: BTreeMap<String, String> = BTreeMap::new();
    let mut params = Vec::new();
    let all = shared.iter().chain(op.parameters.iter());
    for p in all {
        let Some(p) = api.parameter(p) else {
            continue;
        };
        let data = p.parameter_data_ref();
        let location = crate::spec::model::location(p);
        let flag = match flag_of(data.extensions.get(FLAG_EXTENSION), &file, id, &data.name) {
            Ok(flag) => flag,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        claim(
            &mut flags,
            at,
            &flag,
            format!("{location} parameter {}", data.name),
            &mut errors,
        );
        let schema = match &data.format {
            openapiv3::ParameterSchemaOrContent::Schema(s) => api.schema(s),
            openapiv3::ParameterSchemaOrContent::Content(_) => None,
        };
        let supplied = api
            .config
            .client_supplied
            .iter()
            .any(|s| s.name == data.name && s.location == location);
        let name = &data.name;
        let description = data
            .description
            .clone()
            .or_else(|| schema.and_then(|s| s.schema_data.description.clone()))
            .unwrap_or_default();
        let ty = schema.map(ty_of).unwrap_or(quote!(Ty::String));
        let values = schema.map(|s| enum_values(api, s)).unwrap_or_default();
        let required = data.required;
        params.push(quote! {
            Param {
                name: #name,
                flag: #flag,
                location: #location,
                ty: #ty,
                required: #required,
                supplied: #supplied,
                description: #description,
                values: &[#(#values),*],
            }
        });
    }

    let mut body = quote!(None);
    if let Some(request) = api.request_body(op)
        && let Some(schema) = request
            .content
            .get("application/json")
            .and_then(|m| m.schema.as_ref())
            .and_then(|s| api.schema(s))
    {
        let required = request.required;
        let root = field(api, "", schema, true, 0, &mut |name, schema| {
            let written = schema.schema_data.extensions.get(FLAG_EXTENSION);
            let flag = match flag_of(written, &file, id, name) {
                Ok(flag) => flag,
                Err(e) => {
                    errors.push(e);
                    return None;
                }
            };
            // A body field that is a scalar gets a flag, unless a parameter has that name:
            // then `--body` carries it.
            let scalar = matches!(
                schema.schema_kind,
                SchemaKind::Type(
                    Type::String(_) | Type::Integer(_) | Type::Number(_) | Type::Boolean(_)
                )
            );
            if !scalar || flags.contains_key(&flag) {
                return None;
            }
            if claim(
                &mut flags,
                at,
                &flag,
                format!("body field {name}"),
                &mut errors,
            ) {
                Some(flag)
            } else {
                None
            }
        });
        body = quote!(Some(Body { required: #required, root: #root }));
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let paging = api.config.paginate.iter().find(|p| p.operation == id);
    let paging = optional(paging.map(|p| {
        let (items, total, offset, limit) = (&p.items, &p.total, &p.offset, &p.limit);
        quote!(Paging { items: #items, total: #total, offset: #offset, limit: #limit })
    }));
    let (status, example, has_body, columns, list) = success_response(api, op);
    let (example, list) = (optional(example), optional(list));
    let secrets = super::calls::secret_pointers(api, op);
    let method = method.to_uppercase();
    let summary = op.summary.clone().unwrap_or_default();
    let description = op.description.clone().unwrap_or_default();
    let docs = op
        .external_docs
        .as_ref()
        .map(|d| d.url.clone())
        .unwrap_or_default();
    Ok(quote! {
        Operation {
            name: #command,
            id: #vendor_name,
            summary: #summary,
            description: #description,
            docs: #docs,
            method: #method,
            path: #path,
            params: &[#(#params),*],
            body: #body,
            secrets: &[#(#secrets),*],
            paging: #paging,
            status: #status,
            has_body: #has_body,
            example: #example,
            list: #list,
            columns: &[#(#columns),*],
        }
    })
}

/// The flag of `name`: the one the spec names with `x-cli-flag` (`written`), checked to be kebab
/// case, else [`flag_name`].
fn flag_of(
    written: Option<&serde_json::Value>,
    file: &str,
    id: &str,
    name: &str,
) -> Result<String, SpecError> {
    let Some(value) = written else {
        return Ok(flag_name(name));
    };
    match value.as_str() {
        Some(flag) if crate::spec::rules::is_flag_name(flag) => Ok(flag.to_owned()),
        _ => Err(SpecError::new(
            file,
            Some(format!("operation {id}, {name}, {FLAG_EXTENSION}")),
            format!(
                "write a flag name in kebab case without `--`, like `{}`",
                flag_name(name)
            ),
        )),
    }
}

/// Takes `flag` for `what` (a parameter or body field of operation `at.1` in file `at.0`);
/// false, with an error, when it is the tool's own or already taken.
fn claim(
    flags: &mut BTreeMap<String, String>,
    at: (&str, &str, &[&str]),
    flag: &str,
    what: String,
    errors: &mut Vec<SpecError>,
) -> bool {
    let (file, id, reserved) = at;
    if reserved.contains(&flag) {
        errors.push(SpecError::new(
            file,
            Some(format!("operation {id}, {what}")),
            format!(
                "its flag `--{flag}` is one of the command-line tool's own flags on this command \
                 ({}); give it another flag: write `{FLAG_EXTENSION}: <name>` (kebab case) on it",
                reserved.join(", ")
            ),
        ));
        return false;
    }
    if let Some(other) = flags.insert(flag.to_owned(), what.clone()) {
        errors.push(SpecError::new(
            file,
            Some(format!("operation {id}, {what}")),
            format!("its flag `--{flag}` is also {other}'s; rename one of them"),
        ));
        return false;
    }
    true
}

/// One body field and what is beneath it; `flag` decides a top-level field's flag.
fn field(
    api: &LoadedApi,
    name: &str,
    schema: &Schema,
    required: bool,
    depth: usize,
    flag: &mut dyn FnMut(&str, &Schema) -> Option<String>,
) -> TokenStream {
    let ty = ty_of(schema);
    let values = enum_values(api, schema);
    let description = schema.schema_data.description.clone().unwrap_or_default();
    let example = schema
        .schema_data
        .example
        .as_ref()
        .or(schema.schema_data.default.as_ref())
        .and_then(|v| serde_json::to_string(v).ok());
    let example = optional(example);
    // Past a few levels the skeleton stops (and a schema that refers to itself ends).
    let mut fields = Vec::new();
    let mut items = Vec::new();
    let mut flag_of = quote!(None);
    if depth == 1
        && let Some(f) = flag(name, schema)
    {
        flag_of = quote!(Some(#f));
    }
    if depth < 6 {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                for (child, s) in &o.properties {
                    let Some(s) = api.boxed_schema(s) else {
                        continue;
                    };
                    fields.push(field(
                        api,
                        child,
                        s,
                        o.required.contains(child),
                        depth + 1,
                        flag,
                    ));
                }
            }
            SchemaKind::Type(Type::Array(a)) => {
                if let Some(s) = a.items.as_ref().and_then(|s| api.boxed_schema(s)) {
                    items.push(field(api, "", s, true, depth + 1, &mut |_, _| None));
                }
            }
            _ => {}
        }
    }
    quote! {
        Field {
            name: #name,
            flag: #flag_of,
            ty: #ty,
            required: #required,
            description: #description,
            values: &[#(#values),*],
            example: #example,
            fields: &[#(#fields),*],
            items: &[#(#items),*],
        }
    }
}

/// The first 2xx response: (status, example as JSON text, whether it has a body, table
/// columns, the field holding the list).
fn success_response(
    api: &LoadedApi,
    op: &openapiv3::Operation,
) -> (u16, Option<String>, bool, Vec<String>, Option<String>) {
    for (status, response) in &op.responses.responses {
        let openapiv3::StatusCode::Code(code) = status else {
            continue;
        };
        if !(200..300).contains(code) {
            continue;
        }
        let response = api.response(response);
        let Some(media) = response.and_then(|r| r.content.get("application/json")) else {
            return (*code, None, false, Vec::new(), None);
        };
        let example = api
            .media_example(media)
            .and_then(|v| serde_json::to_string(v).ok());
        let schema = media.schema.as_ref().and_then(|s| api.schema(s));
        let paged = api
            .config
            .paginate
            .iter()
            .find(|p| Some(p.operation.as_str()) == op.operation_id.as_deref())
            .map(|p| p.items.clone());
        let (columns, list) = schema.map(|s| columns(api, s, paged)).unwrap_or_default();
        return (*code, example, true, columns, list);
    }
    (200, None, false, Vec::new(), None)
}

/// The table's columns: the scalar properties of the list's items (the paged field, else the
/// first array of objects), or of the object itself.
fn columns(
    api: &LoadedApi,
    schema: &Schema,
    paged: Option<String>,
) -> (Vec<String>, Option<String>) {
    let scalars = |s: &Schema| -> Vec<String> {
        let SchemaKind::Type(Type::Object(o)) = &s.schema_kind else {
            return Vec::new();
        };
        o.properties
            .iter()
            .filter(|(_, p)| {
                api.boxed_schema(p).is_some_and(|p| {
                    !matches!(
                        p.schema_kind,
                        SchemaKind::Type(Type::Object(_) | Type::Array(_))
                    )
                })
            })
            .map(|(n, _)| n.clone())
            .collect()
    };
    if let SchemaKind::Type(Type::Object(o)) = &schema.schema_kind {
        for (name, p) in &o.properties {
            if paged.as_ref().is_some_and(|f| f != name) {
                continue;
            }
            let Some(p) = api.boxed_schema(p) else {
                continue;
            };
            if let SchemaKind::Type(Type::Array(a)) = &p.schema_kind
                && let Some(item) = a.items.as_ref().and_then(|s| api.boxed_schema(s))
                && matches!(item.schema_kind, SchemaKind::Type(Type::Object(_)))
            {
                return (scalars(item), Some(name.clone()));
            }
        }
    }
    if let SchemaKind::Type(Type::Array(a)) = &schema.schema_kind
        && let Some(item) = a.items.as_ref().and_then(|s| api.boxed_schema(s))
    {
        return (scalars(item), None);
    }
    (scalars(schema), None)
}

/// `Some(..)` or `None`, as tokens.
fn optional(value: Option<impl quote::ToTokens>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

fn ty_of(schema: &Schema) -> TokenStream {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => quote!(Ty::String),
        SchemaKind::Type(Type::Integer(_)) => quote!(Ty::Integer),
        SchemaKind::Type(Type::Number(_)) => quote!(Ty::Number),
        SchemaKind::Type(Type::Boolean(_)) => quote!(Ty::Boolean),
        SchemaKind::Type(Type::Array(_)) => quote!(Ty::Array),
        SchemaKind::Type(Type::Object(_)) => quote!(Ty::Object),
        _ => quote!(Ty::Any),
    }
}

/// The documented values of an enumeration, as text (of each alternative, `$ref`s followed).
fn enum_values(api: &LoadedApi, schema: &Schema) -> Vec<String> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().flatten().cloned().collect(),
        SchemaKind::Type(Type::Integer(i)) => i
            .enumeration
            .iter()
            .flatten()
            .map(|v| v.to_string())
            .collect(),
        SchemaKind::OneOf { one_of } | SchemaKind::AnyOf { any_of: one_of } => one_of
            .iter()
            .filter_map(|s| api.schema(s))
            .flat_map(|s| enum_values(api, s))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_drop_the_words_that_name_the_cloud() {
        assert_eq!(short_name("huaweicloud-css"), "css");
        assert_eq!(
            short_name("huaweicloud-dataarts-insight"),
            "dataarts-insight"
        );
        assert_eq!(short_name("oceanbase-cloud"), "oceanbase");
    }

    #[test]
    fn flags_are_kebab_case_of_the_spec_names() {
        assert_eq!(flag_name("project_id"), "project-id");
        assert_eq!(flag_name("requestId"), "request-id");
        assert_eq!(flag_name("X-Workspace-Id"), "x-workspace-id");
        assert_eq!(flag_name("type"), "type");
    }
}
