//! From a merged spec to the files of one client crate: progenitor → prettyplease → header,
//! plus what comes from the spec and `api.toml` (per-operation `call()`, paging, the envelope,
//! the vendor's data), written as tokens. What every crate shares is compiled code in the
//! runtime crate that the generated crate invokes in one line (`client_glue!`, `open_enum!`).
//!
//! What this takes from progenitor's output (module and item names, the builders' shape,
//! `send`, the hooks, the `api-version` header, ...) is listed in one place,
//! `progenitor_output.rs`, each point with a test on progenitor's actual output.

pub(crate) mod calls;
pub mod check;
pub mod cli;
pub mod contract;
mod docs;
pub mod open_enum;
mod paging;
pub(crate) mod panics;
mod progenitor_output;
mod vendor;
pub mod workspace_deps;

use std::{cell::RefCell, collections::BTreeSet, panic, path::Path, sync::Once};

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use progenitor::{Generator, TypeImpl};
use quote::quote;
use syn::visit_mut::VisitMut;

use crate::spec::{LoadedApi, SpecError, naming};

use calls::{require_one_of_rules, take_sends, typed_calls};
use docs::{document_items, mark_non_exhaustive};
use paging::paging;
use vendor::{mock_items, vendor_items};

/// One file to write, relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative path with forward slashes, e.g. `generated/huaweicloud-css/src/lib.rs`.
    pub path: String,
    /// Full contents.
    pub contents: String,
}

impl GeneratedFile {
    pub(crate) fn new(path: impl Into<String>, contents: String) -> GeneratedFile {
        let path = path.into();
        GeneratedFile { path, contents }
    }
}

/// The command that makes the generated files; named in their headers and in check failures.
pub const COMMAND: &str = "cargo xtask generate";

/// Crates every generated crate depends on, as (path prefix in the code, dependency line).
const ALWAYS_DEPS: &[(&str, &str)] = &[
    ("progenitor_client::", "progenitor-client.workspace = true"),
    ("reqwest::", "reqwest.workspace = true"),
    ("serde::", "serde.workspace = true"),
];

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
    let (spec, defaults) = strip_property_defaults(&collapse_error_codes(&api.merged));
    // typify's struct builders (`types::builder`) are about half of a large crate's code, and
    // of the passes below only the doc comments touch them: they are made on a thread of their
    // own, from a second progenitor run (syntax trees cannot cross threads), and set into the
    // printed text where a placeholder module stands.
    let (body, builders) = std::thread::scope(|scope| {
        let builders = scope.spawn(|| struct_builders(api, &open_enums, &spec));
        let body = crate_body(api, &open_enums, &spec, &defaults, extra);
        let builders = builders.join().unwrap_or_else(|p| panic::resume_unwind(p));
        (body, builders)
    });
    let body = body?;
    let body = match builders? {
        Some(builders) => set_struct_builders(&body, &builders).ok_or_else(|| {
            bug(
                api,
                "the struct builders' placeholder is not in the printed code once",
            )
        })?,
        None => body,
    };
    let header = header("//", api, progenitor_version);
    let lib_rs = format!("{header}\n{}\n{body}", crate_docs(api));
    let cargo_toml = cargo_toml(api, &lib_rs, progenitor_version);
    let dir = format!("generated/{}", api.name);
    Ok(vec![
        GeneratedFile::new(format!("{dir}/Cargo.toml"), cargo_toml),
        GeneratedFile::new(format!("{dir}/src/lib.rs"), lib_rs),
    ])
}

/// An error in what the generator itself produced, not in the spec.
fn bug(api: &LoadedApi, what: &str) -> SpecError {
    api.error(format!("{what}; this is a bug in xtask or progenitor"))
}

fn parse(api: &LoadedApi, tokens: TokenStream) -> Result<syn::File, SpecError> {
    syn::parse2::<syn::File>(tokens).map_err(|e| {
        bug(
            api,
            &format!("the generator produced code that does not parse ({e})"),
        )
    })
}

/// The crate's code, printed, with a placeholder module where typify's struct builders go.
fn crate_body(
    api: &LoadedApi,
    open_enums: &[open_enum::OpenEnum],
    spec: &openapiv3::OpenAPI,
    defaults: &ServerDefaults,
    extra: TokenStream,
) -> Result<String, SpecError> {
    let (rest, _) = split_struct_builders(run_progenitor(api, open_enums, spec)?);
    let mut file = parse(api, rest)?;
    let mut segments = PathSegments::default();
    segments.visit_file_mut(&mut file);
    let has_path_parameters = api.merged.paths.paths.keys().any(|path| path.contains('{'));
    if segments.outside_macros > 0 || (segments.checked == 0 && has_path_parameters) {
        return Err(api.error(
            "progenitor's code no longer writes path parameters through `encode_path` inside \
             `format!`, so they would go out unchecked; update `PathSegments` in \
             xtask/src/codegen/mod.rs to the new shape",
        ));
    }
    remove_progenitor_constructors(&mut file);
    document_items(api, &mut file);
    document_server_defaults(defaults, &mut file);
    let sends = take_sends(&mut file);
    let calls = typed_calls(api, &sends)?;
    let extras = [
        glue(api)?,
        vendor_items(api)?,
        calls.root,
        paging(api)?,
        mock_items(api, &sends)?,
        extra,
    ];
    file.items
        .extend(parse(api, extras.into_iter().collect())?.items);
    let calls = parse(api, calls.builder)?;
    match module_items(&mut file, "builder") {
        Some(items) => items.extend(calls.items),
        None => {
            return Err(api.error(
                "progenitor's code has no `builder` module for `call()` to join; update \
                 `typed_calls` in xtask/src/codegen/calls.rs to the new shape",
            ));
        }
    }
    // Open enumerations go into `types`, next to the types that use them.
    let enums = parse(api, open_enums.iter().map(open_enum::tokens).collect())?;
    if let Some(items) = module_items(&mut file, "types") {
        items.extend(enums.items);
    }
    mark_non_exhaustive(&mut file, &crate::spec::surface::Surface::of(api));
    Ok(prettyplease::unparse(&file))
}

/// typify's struct builders, documented and printed as they stand inside `types`; `None` when
/// typify wrote none.
fn struct_builders(
    api: &LoadedApi,
    open_enums: &[open_enum::OpenEnum],
    spec: &openapiv3::OpenAPI,
) -> Result<Option<String>, SpecError> {
    let Some(module) = split_struct_builders(run_progenitor(api, open_enums, spec)?).1 else {
        return Ok(None);
    };
    let mut file = parse(api, quote!(mod types { #module }))?;
    document_items(api, &mut file);
    print_struct_builders(&file)
        .map(Some)
        .ok_or_else(|| bug(api, "the struct builders did not print inside `mod types`"))
}

/// The module that stands where typify's struct builders go until they are set in.
const STRUCT_BUILDERS_PLACEHOLDER: &str = "__struct_builders";

/// Splits progenitor's output into the rest, with `mod __struct_builders {}` where typify's
/// `types::builder` module stood, and that module with its attributes. Without that module,
/// the output is returned as it is.
fn split_struct_builders(tokens: TokenStream) -> (TokenStream, Option<TokenStream>) {
    let mut top: Vec<TokenTree> = tokens.into_iter().collect();
    let Some((types_at, types)) = module_at(&top, "types") else {
        return (top.into_iter().collect(), None);
    };
    let mut inner: Vec<TokenTree> = types.stream().into_iter().collect();
    let Some((builder_at, _)) = module_at(&inner, "builder") else {
        return (top.into_iter().collect(), None);
    };
    // The item starts at `mod`, or at `pub` and the attributes before it.
    let mut start = builder_at - 2;
    if start > 0 && matches!(&inner[start - 1], TokenTree::Ident(i) if i == "pub") {
        start -= 1;
    }
    while start >= 2
        && matches!(&inner[start - 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket)
        && matches!(&inner[start - 2], TokenTree::Punct(p) if p.as_char() == '#')
    {
        start -= 2;
    }
    let placeholder = proc_macro2::Ident::new(STRUCT_BUILDERS_PLACEHOLDER, types.span());
    let module: TokenStream = inner
        .splice(start..=builder_at, quote!(mod #placeholder {}))
        .collect();
    let mut rest_of_types = Group::new(Delimiter::Brace, inner.into_iter().collect());
    rest_of_types.set_span(types.span());
    top[types_at] = TokenTree::Group(rest_of_types);
    (top.into_iter().collect(), Some(module))
}

/// The place and the brace group of the first `mod <name> { ... }` among `trees`.
fn module_at(trees: &[TokenTree], name: &str) -> Option<(usize, Group)> {
    trees.windows(3).enumerate().find_map(|(i, w)| match w {
        [
            TokenTree::Ident(m),
            TokenTree::Ident(n),
            TokenTree::Group(g),
        ] if m == "mod" && n == name && g.delimiter() == Delimiter::Brace => {
            Some((i + 2, g.clone()))
        }
        _ => None,
    })
}

/// The text of the items of `mod types { ... }`, the file's only item, at their indentation
/// inside the module (prettyplease breaks lines by the width left at that indentation).
fn print_struct_builders(file: &syn::File) -> Option<String> {
    prettyplease::unparse(file)
        .strip_prefix("mod types {\n")
        .and_then(|text| text.strip_suffix("}\n"))
        .map(str::to_owned)
}

/// `body` with its placeholder line replaced by `builders`; `None` unless the line stands
/// there exactly once.
fn set_struct_builders(body: &str, builders: &str) -> Option<String> {
    let line = format!("    mod {STRUCT_BUILDERS_PLACEHOLDER} {{}}\n");
    (body.matches(&line).count() == 1).then(|| body.replacen(&line, builders, 1))
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

/// progenitor's code for `spec` (the API's document as progenitor reads it: error codes
/// collapsed, property defaults stripped).
fn run_progenitor(
    api: &LoadedApi,
    open_enums: &[open_enum::OpenEnum],
    spec: &openapiv3::OpenAPI,
) -> Result<TokenStream, SpecError> {
    let mut settings = progenitor_output::settings();
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
    let files = api.files.join(", ");
    catch_generator_panic(|| {
        // A fresh generator per API: a reused one carries types over from the previous crate.
        let mut generator = Generator::new(&settings);
        generator.generate_tokens(spec)
    })
    .map_err(|panic| api.error(crate::codegen::panics::message(&panic, &files)))?
    .map_err(|e| api.error(format!("progenitor rejected the API ({files}): {e}")))
}

/// A documented error status (`409`) next to a range (`4XX`) with the same body makes progenitor
/// emit an unreachable match arm (it orders `4XX` first). The spec keeps the documented codes;
/// progenitor gets only the range, which yields the same typed error.
fn collapse_error_codes(spec: &openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    use openapiv3::{ReferenceOr, StatusCode};
    let snapshot = spec;
    let mut spec = spec.clone();
    let body = |r: &ReferenceOr<openapiv3::Response>| -> Option<serde_json::Value> {
        let response = crate::spec::model::response_in(snapshot, r)?;
        serde_json::to_value(&response.content).ok()
    };
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
                        (body(range)? == body(r)?).then(|| code.clone())
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
                let required: Vec<String> = crate::spec::strings(map.get("required"))
                    .map(str::to_owned)
                    .collect();
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

/// An identifier as the spec spells it: without the `r#` of a raw identifier (`r#type`).
fn ident_text(ident: &syn::Ident) -> String {
    ident.to_string().trim_start_matches("r#").to_owned()
}

/// The type an impl block is for, by its last segment (`Client`, `ShowVpcepConnection`).
fn impl_name(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| ident_text(&s.ident)),
        _ => None,
    }
}

/// The items of the top-level module `name` (progenitor's `types` or `builder`), to read.
fn module_items_of<'a>(file: &'a syn::File, name: &str) -> Option<&'a [syn::Item]> {
    file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| &items[..]),
        _ => None,
    })
}

/// The items of the top-level module `name` of progenitor's output (`types`, `builder`).
fn module_items<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Adds "The server uses <default> when omitted." to the doc of each field whose default
/// [`strip_property_defaults`] took out.
fn document_server_defaults(defaults: &ServerDefaults, file: &mut syn::File) {
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
/// (an `InvalidRequest` naming the parameter; nothing is sent) and encodes `\`.
///
/// This is the one change made to progenitor's request code, and it is made here because no
/// hook can make it: by the time the `pre` hook sees the request, its URL has been parsed and
/// `..` already resolved. (The `api-version` header progenitor adds is taken out in the
/// runtime's `pre` hook instead.)
#[derive(Default)]
struct PathSegments {
    /// `encode_path` calls replaced.
    checked: usize,
    /// `encode_path` calls outside a macro's tokens, which this pass does not rewrite.
    outside_macros: usize,
}

impl VisitMut for PathSegments {
    /// progenitor builds the URL with `format!`, so the calls sit in macro tokens, which syn
    /// leaves unparsed: only those tokens are rewritten, not the whole file's.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = checked_path_segments(std::mem::take(&mut mac.tokens), &mut self.checked);
    }

    fn visit_expr_path_mut(&mut self, path: &mut syn::ExprPath) {
        if path
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "encode_path")
        {
            self.outside_macros += 1;
        }
        syn::visit_mut::visit_expr_path_mut(self, path);
    }
}

/// The rewrite of [`PathSegments`] on a token stream; `checked` counts the calls replaced.
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

/// The one-line invocation of the shared glue, with the spec's body rules and secret fields
/// when there are any.
fn glue(api: &LoadedApi) -> Result<TokenStream, SpecError> {
    // Both tables are keyed by the name progenitor gives the hooks
    // (`OperationInfo::operation_id`).
    let table = |rows: Vec<(String, Vec<String>)>| -> Vec<TokenStream> {
        rows.iter()
            .map(|(op, values)| {
                let op = naming::snake(op);
                quote! { (#op, &[#(#values),*]) }
            })
            .collect()
    };
    let rules = table(require_one_of_rules(api)?);
    let secrets = table(calls::secret_fields(api));
    let mut items = TokenStream::new();
    let mut args = quote! { Client };
    if !rules.is_empty() {
        items.extend(quote! {
            /// Request-body rules of the spec (`x-require-one-of`), checked before anything is
            /// sent: (operation, in snake case, fields of which at least one must be given).
            const REQUIRE_ONE_OF: &[(&str, &[&str])] = &[#(#rules),*];
        });
        args.extend(quote! { , require_one_of: REQUIRE_ONE_OF });
    }
    if !secrets.is_empty() {
        items.extend(quote! {
            /// Request-body fields that are secrets (`Secret`), as JSON pointers (`*`: every
            /// item of an array): `***` in an error's text that quotes them.
            const SECRET_FIELDS: &[(&str, &[&str])] = &[#(#secrets),*];
        });
        args.extend(quote! { , secrets: SECRET_FIELDS });
    }
    items.extend(quote! { ::cloud_sdk_runtime::client_glue!(#args); });
    Ok(items)
}

/// The first lines of a generated file: the command, the specs and their hash, the generator.
pub(crate) fn header(comment: &str, api: &LoadedApi, progenitor_version: &str) -> String {
    format!(
        "{comment} @generated by `{COMMAND}` from specs/{} (sha256 {}) with progenitor {progenitor_version}.\n\
         {comment} Do not edit: change the spec or the generator, then run `{COMMAND}`.\n",
        api.name, api.spec_hash
    )
}

fn crate_docs(api: &LoadedApi) -> String {
    let doc = |text: &str| -> String {
        let lines = text.lines().map(|line| format!("//! {line}\n"));
        lines.map(|line| line.replace("//! \n", "//!\n")).collect()
    };
    format!(
        "//! {}\n//!\n{}//!\n//! # Example\n//!\n//! ```no_run\n{}//! ```\n",
        api.config.title,
        doc(api.config.description.trim()),
        doc(api.config.example.trim_end())
    )
}

fn cargo_toml(api: &LoadedApi, lib_rs: &str, progenitor_version: &str) -> String {
    let c = &api.config;
    let runtime = format!(
        "cloud-sdk-runtime = {{ workspace = true, features = [{:?}] }}",
        c.vendor_config.feature
    );
    let mut deps: BTreeSet<&str> = ALWAYS_DEPS.iter().map(|(_, dep)| *dep).collect();
    deps.insert(runtime.as_str());
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
