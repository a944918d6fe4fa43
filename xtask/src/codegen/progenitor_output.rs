//! What `cargo xtask generate` takes from progenitor's output: the one list of it. Each point
//! has a test below, run on progenitor's actual output for a tiny spec, that fails with a
//! message naming the point (and the code that relies on it) when a progenitor upgrade
//! changes it. The README's "Upgrading progenitor" section follows this list.
//!
//! 1. **The settings** ([`settings`]): builder interface, merged tags, expected hooks,
//!    `ClientCore` as the inner type, `with_replacement` for `[replace.*]` and open enums,
//!    `Generator::generate_tokens`. A changed API fails to compile here and in
//!    `run_progenitor`.
//! 2. **Two top-level modules**, `types` (typify's types, with a `builder` module inside) and
//!    `builder` (one builder per operation): `module_items`, `document_items`, the open enums
//!    and `send_types` look items up there. Test: `top_level_modules`.
//! 3. **Names**: a schema becomes `types::<pascal(name)>`, a property the field
//!    `<snake(name)>`, an optional property without a default an `Option` field (the envelope's
//!    `ServiceError`/`Reply` impls, paging, the docs). Test: `type_and_field_names`.
//! 4. **Type builders**: `types::X::builder()` and `types::builder::X` with one setter per field
//!    (documented by `document_type_builders`). Test: `type_builders`.
//! 5. **`Client` is a struct with the fields `baseurl`, `client` and `inner`**, which the
//!    runtime's `client_glue!` fills in. Test: `client_fields`.
//! 6. **progenitor's constructors are `Client::new` and `Client::new_with_client`** in an
//!    inherent impl: `remove_progenitor_constructors` takes them out, so they neither clash
//!    with `client_glue!`'s `new` nor build a second HTTP client. Test: `client_constructors`.
//! 7. **One method and one builder per operation**: `Client::<snake(operationId)>()` returns
//!    `builder::<pascal(operationId)><'_>`, a `Clone` builder (paging clones it per page) with
//!    `new`, a setter `<snake(name)>` per parameter (contract replays, paging's offset and
//!    limit, the mocks, the docs), `body`/`body_map` for a request body, and header parameters
//!    sent under their spec name. Test: `operation_builders`.
//! 8. **`send(self)` returns `Result<ResponseValue<T>, Error<E>>`** with `T` the success body
//!    (`()` for none) and `E` the 4XX schema: `send_types` reads `T` and `E` for `call()` and the
//!    mocks. Test: `send_signature`.
//! 9. **Path parameters go into the URL as `encode_path(&value.to_string())` inside `format!`**,
//!    in a module where `Error` (with `InvalidRequest(String)`) is in scope: `PathSegments`
//!    replaces each with the runtime's checked `path_segment`. Test: `path_parameters`.
//! 10. **Hooks**: the request goes through `ClientHooks::pre` and `exec` with
//!     `OperationInfo { operation_id: <snake(operationId)> }`; the runtime's `client_glue!`
//!     implements them, and the `x-require-one-of` rules (`glue`) are keyed by the same name.
//!     Test: `hooks_and_operation_id`.
//! 11. **An `api-version` header** carrying the spec's `info.version` is added to every request;
//!     the runtime's `pre` hook takes it out (the vendors do not document it). Test:
//!     `api_version_header`.
//! 12. **Replacements**: a schema given to `with_replacement` is not emitted, and fields use the
//!     replacement path (`crate::types::<Name>` for open enums). Test: `replacements`.
//! 13. **Crates named by path**: the code names only `std`, `serde`, `reqwest`,
//!     `progenitor_client`, the inner type's crate and those in `OPTIONAL_DEPS` (`chrono::`,
//!     `uuid::`, `regress::`, ...), which `cargo_toml` lists as dependencies. Test:
//!     `crates_named_by_path`.
//! 14. **A status range is matched before a code in it** (`4XX` before `409`), so a code with
//!     the range's body is an unreachable arm: `collapse_error_codes` gives progenitor the
//!     range alone. Test: `status_range_before_code`.
//! 15. **An optional property with a `default` becomes a plain (non-`Option`) field** set to
//!     the default: `strip_property_defaults` takes the defaults out. Test:
//!     `property_defaults`.
//! 16. **Panics on shapes progenitor does not support**, recognised by their text in
//!     `panics::KNOWN`; an unknown one is still reported, with the spec's files. Test:
//!     `known_panics` (and `progenitor_panic_is_reported_with_the_spec` in tests/tests).
//! 17. **Each builder's `send` is a `pub` method of an inherent impl in `builder`, and the doc
//!     examples progenitor writes call `.send()`**: `calls.rs` makes `send` `pub(crate)` and
//!     rewrites the examples to `.call()`, so `call()` is the one public way to send. Test:
//!     `call_is_the_one_public_way_to_send` (in `calls.rs`, on the real specs).
//! 18. **The version** comes from the `progenitor-impl` package in `Cargo.lock`
//!     (`progenitor_version`, written in every header). Test: `version_in_lock_file`.
//! 19. **typify's struct builders are one item, `pub mod builder { ... }` with attributes
//!     before it, inside `types`**, and prettyplease prints it the same alone inside
//!     `mod types {}` as in the whole file: `split_struct_builders` makes and prints it on a
//!     thread of its own, and `set_struct_builders` sets the text in. Without that item,
//!     nothing is split (slower, same code); another shape stops `generate`. Test:
//!     `struct_builders_print_apart`.
//!
//! What the runtime and the generated crates use of `progenitor-client` (`ClientHooks`,
//! `OperationInfo`, the `Error` variants, `ResponseValue`, `encode_path`) is checked by the
//! compiler: `cargo build --workspace` after `cargo xtask generate`.

use progenitor::{GenerationSettings, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;

/// progenitor's settings for every API, before the API's replacements.
pub(super) fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote!(::cloud_sdk_runtime::ClientCore));
    settings
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proc_macro2::{TokenStream, TokenTree};
    use progenitor::{Generator, TypeImpl};
    use quote::ToTokens;

    use super::{super::*, settings};
    use crate::spec::naming;

    /// The tiny spec: two operations (one PascalCase, one camelCase id), path, query and header
    /// parameters, a body, a success with a body and one without, a 4XX schema, formats that
    /// need other crates, a replaced schema and an optional property with a default.
    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: Tiny, version: "2.0"}
paths:
  /v1/{project_id}/widgets:
    get:
      operationId: ListWidgets
      parameters:
        - {name: project_id, in: path, required: true, schema: {type: string}}
        - {name: offset, in: query, schema: {type: integer, format: int32}}
        - {name: limit, in: query, schema: {type: integer, format: int32}}
        - {name: X-Trace-Id, in: header, schema: {type: string}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/WidgetPage'}
        '4XX':
          description: Failure
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ErrorBody'}
    post:
      operationId: createWidget
      parameters:
        - {name: project_id, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/CreateWidget'}
      responses:
        '204': {description: None}
        '409':
          description: Conflict
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ErrorBody'}
        '4XX':
          description: Failure
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ErrorBody'}
components:
  schemas:
    Color: {type: string, enum: [red, blue]}
    Widget:
      type: object
      required: [widget_id]
      properties:
        widget_id: {type: string, format: uuid}
        createdAt: {type: string, format: date-time}
        color: {$ref: '#/components/schemas/Color'}
        code: {type: string, pattern: '^[a-z]+$'}
    WidgetPage:
      type: object
      properties:
        items: {type: array, items: {$ref: '#/components/schemas/Widget'}}
        total: {type: integer, format: int32}
    CreateWidget:
      type: object
      required: [name]
      properties:
        name: {type: string}
        sslEnabled: {type: boolean, default: false}
    ErrorBody:
      type: object
      properties:
        error_code: {type: string}
        error_msg: {type: string}
"#;

    /// The schema replaced as an open enumeration is (`with_replacement`).
    const REPLACED: &str = "Color";

    fn spec() -> openapiv3::OpenAPI {
        serde_yaml_ng::from_str(SPEC).expect("the tiny spec is an OpenAPI document")
    }

    /// progenitor's tokens for `spec`, with the settings and replacement `generate` uses.
    fn tokens_of(spec: &openapiv3::OpenAPI) -> TokenStream {
        let mut settings = settings();
        settings.with_replacement(
            REPLACED,
            format!("crate::types::{REPLACED}"),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
        Generator::new(&settings)
            .generate_tokens(spec)
            .unwrap_or_else(|e| panic!("progenitor refused the tiny spec: {e}"))
    }

    /// progenitor's output for the tiny spec as `generate` gives it to progenitor (error codes
    /// collapsed, property defaults stripped).
    fn output() -> syn::File {
        let spec = strip_property_defaults(&collapse_error_codes(&spec())).0;
        parse(tokens_of(&spec))
    }

    fn parse(tokens: TokenStream) -> syn::File {
        syn::parse2(tokens).unwrap_or_else(|e| panic!("progenitor's output does not parse: {e}"))
    }

    /// The operations of the tiny spec: (operationId, parameter names, has a body).
    fn operations() -> Vec<(String, Vec<String>, bool)> {
        spec()
            .operations()
            .map(|(_, _, op)| {
                let params = op
                    .parameters
                    .iter()
                    .filter_map(|p| p.as_item())
                    .map(|p| p.parameter_data_ref().name.clone())
                    .collect();
                (
                    op.operation_id.clone().unwrap_or_default(),
                    params,
                    op.request_body.is_some(),
                )
            })
            .collect()
    }

    fn text(tokens: impl ToTokens) -> String {
        tokens.to_token_stream().to_string()
    }

    fn module<'a>(items: &'a [syn::Item], name: &str, point: &str) -> &'a [syn::Item] {
        items
            .iter()
            .find_map(|item| match item {
                syn::Item::Mod(m) if m.ident == name => {
                    m.content.as_ref().map(|(_, items)| &items[..])
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("{point}: progenitor's output has no module `{name}`"))
    }

    /// The functions of the inherent impls of `type_name` among `items`.
    fn inherent_fns<'a>(items: &'a [syn::Item], type_name: &str) -> Vec<&'a syn::ImplItemFn> {
        items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Impl(imp) if imp.trait_.is_none() => Some(imp),
                _ => None,
            })
            .filter(|imp| {
                matches!(&*imp.self_ty, syn::Type::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == type_name))
            })
            .flat_map(|imp| &imp.items)
            .filter_map(|i| match i {
                syn::ImplItem::Fn(f) => Some(f),
                _ => None,
            })
            .collect()
    }

    fn structs(items: &[syn::Item]) -> Vec<&syn::ItemStruct> {
        items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Struct(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    fn field_names(s: &syn::ItemStruct) -> Vec<String> {
        s.fields
            .iter()
            .filter_map(|f| f.ident.as_ref().map(ident_text))
            .collect()
    }

    fn field_type(s: &syn::ItemStruct, field: &str) -> Option<String> {
        s.fields
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == field))
            .map(|f| text(&f.ty).replace(' ', ""))
    }

    fn schema_of(
        property: &openapiv3::ReferenceOr<Box<openapiv3::Schema>>,
    ) -> Option<&openapiv3::Schema> {
        property.as_item().map(|s| &**s)
    }

    fn property_kind(schema: Option<&openapiv3::Schema>) -> Option<openapiv3::Type> {
        match &schema?.schema_kind {
            openapiv3::SchemaKind::Type(t) => Some(t.clone()),
            _ => None,
        }
    }

    #[test]
    fn top_level_modules() {
        let file = output();
        let point = "point 2 (modules `types` and `builder`, read by module_items, document_items \
                     and send_types in xtask/src/codegen)";
        let types = module(&file.items, "types", point);
        module(types, "builder", point);
        module(&file.items, "builder", point);
    }

    #[test]
    fn type_and_field_names() {
        let file = output();
        let point = "point 3 (schema → types::<pascal>, property → <snake> field, optional → \
                     Option; the envelope impls, paging and docs name them so)";
        let types = structs(module(&file.items, "types", point));
        let spec = spec();
        let schemas = spec.components.as_ref().map(|c| &c.schemas);
        for (name, schema) in schemas.into_iter().flatten() {
            let Some(openapiv3::SchemaKind::Type(openapiv3::Type::Object(object))) =
                schema.as_item().map(|s| &s.schema_kind)
            else {
                continue;
            };
            let rust = naming::pascal(name);
            let s = types
                .iter()
                .find(|s| s.ident == rust)
                .unwrap_or_else(|| panic!("{point}: no struct `types::{rust}` for `{name}`"));
            for (property, property_schema) in &object.properties {
                let field = naming::snake(property);
                let ty = field_type(s, &field).unwrap_or_else(|| {
                    panic!(
                        "{point}: `{rust}` has no field `{field}` for `{property}`: {:?}",
                        field_names(s)
                    )
                });
                // An optional array is a `Vec`, empty when the property is left out (paging
                // reads a page's items so).
                let wrapper = match (
                    object.required.contains(property),
                    &property_kind(schema_of(property_schema)),
                ) {
                    (false, Some(openapiv3::Type::Array(_))) => Some("::std::vec::Vec<"),
                    (false, _) => Some("::std::option::Option<"),
                    (true, _) => None,
                };
                if let Some(wrapper) = wrapper {
                    assert!(
                        ty.starts_with(wrapper),
                        "{point}: `{rust}.{field}` is `{ty}`, not `{wrapper}..>`"
                    );
                } else {
                    assert!(
                        !ty.starts_with("::std::option::Option<"),
                        "{point}: required `{rust}.{field}` is `{ty}`"
                    );
                }
            }
        }
    }

    #[test]
    fn type_builders() {
        let file = output();
        let point = "point 4 (types::X::builder() and types::builder::X with a setter per field, \
                     documented by document_type_builders)";
        let types = module(&file.items, "types", point);
        let builders = module(types, "builder", point);
        for s in structs(types) {
            let name = s.ident.to_string();
            if !matches!(s.fields, syn::Fields::Named(_)) {
                continue;
            }
            assert!(
                inherent_fns(types, &name)
                    .iter()
                    .any(|f| f.sig.ident == "builder"),
                "{point}: no `{name}::builder()`"
            );
            let setters: BTreeSet<String> = inherent_fns(builders, &name)
                .iter()
                .map(|f| ident_text(&f.sig.ident))
                .collect();
            for field in field_names(s) {
                assert!(
                    setters.contains(&field),
                    "{point}: `builder::{name}` has no setter `{field}`: {setters:?}"
                );
            }
        }
    }

    #[test]
    fn client_fields() {
        let file = output();
        let point = "point 5 (`Client` with fields baseurl, client, inner, which the runtime's \
                     client_glue! fills in)";
        let client = structs(&file.items)
            .into_iter()
            .find(|s| s.ident == "Client")
            .unwrap_or_else(|| panic!("{point}: no `struct Client`"));
        assert_eq!(
            field_names(client),
            ["baseurl", "client", "inner"],
            "{point}"
        );
        assert_eq!(
            field_type(client, "inner").as_deref(),
            Some("::cloud_sdk_runtime::ClientCore"),
            "{point}"
        );
    }

    #[test]
    fn client_constructors() {
        let point = "point 6 (progenitor's constructors `Client::new` and `new_with_client`, \
                     which remove_progenitor_constructors takes out)";
        let mut file = output();
        let fns = |file: &syn::File| -> BTreeSet<String> {
            inherent_fns(&file.items, "Client")
                .iter()
                .map(|f| f.sig.ident.to_string())
                .collect()
        };
        let before = fns(&file);
        for name in ["new", "new_with_client"] {
            assert!(
                before.contains(name),
                "{point}: no `Client::{name}`: {before:?}"
            );
        }
        remove_progenitor_constructors(&mut file);
        let after = fns(&file);
        assert!(
            !after.contains("new") && !after.contains("new_with_client"),
            "{point}: left {after:?}"
        );
        // The operations' methods stay.
        for (id, _, _) in operations() {
            assert!(after.contains(&naming::snake(&id)), "{point}: {after:?}");
        }
    }

    #[test]
    fn operation_builders() {
        let file = output();
        let point = "point 7 (Client::<snake(operationId)>() → builder::<pascal(operationId)>, \
                     Clone, with `new`, a setter per parameter and `body`/`body_map`; used by \
                     call(), paging, the contract replays, the mocks and the docs)";
        let client = inherent_fns(&file.items, "Client");
        let builders = module(&file.items, "builder", point);
        let code = text(&file);
        for (id, params, body) in operations() {
            let (method, builder) = (naming::snake(&id), naming::pascal(&id));
            let f = client
                .iter()
                .find(|f| f.sig.ident == method)
                .unwrap_or_else(|| panic!("{point}: no `Client::{method}` for `{id}`"));
            assert_eq!(
                text(&f.sig.output).replace(' ', ""),
                format!("->builder::{builder}<'_>"),
                "{point}: `Client::{method}`"
            );
            let s = structs(builders)
                .into_iter()
                .find(|s| s.ident == builder)
                .unwrap_or_else(|| panic!("{point}: no `builder::{builder}`"));
            assert_eq!(
                text(&s.generics),
                "< 'a >",
                "{point}: `builder::{builder}`'s lifetime"
            );
            assert!(
                s.attrs
                    .iter()
                    .any(|a| a.path().is_ident("derive") && text(a).contains("Clone")),
                "{point}: `builder::{builder}` is not Clone"
            );
            let fns: BTreeSet<String> = inherent_fns(builders, &builder)
                .iter()
                .map(|f| ident_text(&f.sig.ident))
                .collect();
            let mut wanted: Vec<String> = params.iter().map(|p| naming::snake(p)).collect();
            wanted.push("new".into());
            if body {
                wanted.extend(["body".into(), "body_map".into()]);
            }
            for name in wanted {
                assert!(
                    fns.contains(&name),
                    "{point}: `builder::{builder}` has no `{name}`: {fns:?}"
                );
            }
        }
        let header = "X-Trace-Id";
        assert!(
            code.contains(&format!("\"{header}\"")),
            "{point}: the header parameter `{header}` is not sent under its spec name"
        );
    }

    #[test]
    fn send_signature() {
        let file = output();
        let point = "point 8 (`send(self)` returns Result<ResponseValue<T>, Error<E>>, read by \
                     send_types for call() and the mocks)";
        let builders = module(&file.items, "builder", point);
        for (id, _, _) in operations() {
            let builder = naming::pascal(&id);
            let send = inherent_fns(builders, &builder)
                .into_iter()
                .find(|f| f.sig.ident == "send")
                .unwrap_or_else(|| panic!("{point}: `builder::{builder}` has no `send`"));
            assert!(
                send.sig.asyncness.is_some(),
                "{point}: `{builder}::send` is not async"
            );
            assert_eq!(text(&send.sig.inputs), "self", "{point}: `{builder}::send`");
            let output = text(&send.sig.output).replace(' ', "").replace(",>", ">");
            let (ok, error) = if id == "createWidget" {
                ("()", "types::ErrorBody")
            } else {
                ("types::WidgetPage", "types::ErrorBody")
            };
            assert_eq!(
                output,
                format!("->Result<ResponseValue<{ok}>,Error<{error}>>"),
                "{point}: `{builder}::send`"
            );
        }
        let sends = calls::send_types(&file);
        assert_eq!(
            sends.len(),
            operations().len(),
            "{point}: send_types read {sends:?}"
        );
    }

    #[test]
    fn path_parameters() {
        let point = "point 9 (path parameters as `encode_path(&value.to_string())` with `Error` \
                     in scope, replaced by PathSegments)";
        let spec = spec();
        let expected = spec
            .operations()
            .map(|(path, _, _)| path.matches('{').count())
            .sum::<usize>();
        let mut file: syn::File = syn::parse2(tokens_of(&spec)).expect("parses");
        let mut segments = PathSegments::default();
        segments.visit_file_mut(&mut file);
        assert_eq!(segments.checked, expected, "{point}");
        assert_eq!(
            segments.outside_macros, 0,
            "{point}: `encode_path` outside `format!`"
        );
        let code = text(&file);
        assert!(!code.contains("encode_path ("), "{point}: left {code}");
        assert!(
            code.contains(":: cloud_sdk_runtime :: path_segment (\"project_id\""),
            "{point}"
        );
        // `Error` is imported where the request is built, and has `InvalidRequest(String)`
        // (progenitor itself maps the setters' failures to it).
        let file = output();
        let builders = module(&file.items, "builder", point);
        assert!(
            builders
                .iter()
                .any(|item| matches!(item, syn::Item::Use(u) if text(u).contains("Error"))),
            "{point}: `Error` is not imported in `builder`"
        );
        let code: String = builders.iter().map(text).collect();
        assert!(
            code.contains("map_err (Error :: InvalidRequest)"),
            "{point}"
        );
    }

    #[test]
    fn hooks_and_operation_id() {
        let code = text(output());
        let point = "point 10 (ClientHooks::pre and exec with OperationInfo { operation_id: \
                     <snake(operationId)> }, implemented by client_glue!; the x-require-one-of \
                     rules in `glue` use the same name)";
        for (id, _, _) in operations() {
            let name = naming::snake(&id);
            let info = text(quote!(OperationInfo { operation_id: #name, }));
            assert!(code.contains(&info), "{point}: no `{info}` for `{id}`");
        }
        for call in [
            quote!(client.pre(&mut request, &info).await?),
            quote!(client.exec(request, &info).await),
        ] {
            let call = text(call);
            assert!(code.contains(&call), "{point}: no `{call}`");
        }
        assert!(
            code.contains(&text(
                quote!(Client: ClientHooks<::cloud_sdk_runtime::ClientCore>)
            )),
            "{point}: the hooks are no longer expected of `Client`"
        );
    }

    #[test]
    fn api_version_header() {
        let code = text(output());
        let point = "point 11 (an `api-version` header on every request, taken out by the \
                     runtime's `pre` hook in crates/cloud-sdk-runtime/src/runtime.rs)";
        assert!(
            code.contains("from_static (\"api-version\")"),
            "{point}: no such header"
        );
        let version = spec().info.version;
        assert!(
            code.contains(&format!(
                "fn api_version () -> & 'static str {{ \"{version}\" }}"
            )),
            "{point}: its value is not the spec's info.version"
        );
    }

    #[test]
    fn replacements() {
        let file = output();
        let point = "point 12 (a replaced schema is not emitted; fields use the replacement \
                     path, where open_enum.rs puts the enum)";
        let types = module(&file.items, "types", point);
        let emitted = types.iter().any(|item| match item {
            syn::Item::Struct(s) => s.ident == REPLACED,
            syn::Item::Enum(e) => e.ident == REPLACED,
            _ => false,
        });
        assert!(!emitted, "{point}: `types::{REPLACED}` was emitted");
        let widget = structs(types)
            .into_iter()
            .find(|s| s.ident == "Widget")
            .unwrap_or_else(|| panic!("{point}: no `Widget`"));
        assert_eq!(
            field_type(widget, "color").as_deref(),
            Some(format!("::std::option::Option<crate::types::{REPLACED}>").as_str()),
            "{point}"
        );
    }

    /// The crates a token stream names by a leading `::` path (`::chrono::DateTime`).
    fn crate_roots(tokens: TokenStream, out: &mut BTreeSet<String>) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Group(g) => crate_roots(g.stream(), out),
                TokenTree::Ident(ident) if i >= 2 => {
                    let colons = matches!((&trees[i - 2], &trees[i - 1]),
                        (TokenTree::Punct(a), TokenTree::Punct(b)) if a.as_char() == ':' && b.as_char() == ':');
                    // `a::b` and `T<U>::b` continue a path; `::b` after anything else starts one.
                    let continues = i >= 3
                        && match &trees[i - 3] {
                            TokenTree::Ident(_) => true,
                            TokenTree::Punct(p) => p.as_char() == '>',
                            _ => false,
                        };
                    if colons && !continues {
                        out.insert(ident.to_string());
                    }
                }
                _ => {}
            }
        }
    }

    #[test]
    fn crates_named_by_path() {
        let point = "point 13 (the crates progenitor's code names are those the generated \
                     Cargo.toml can list: ALWAYS_DEPS and OPTIONAL_DEPS in \
                     xtask/src/codegen/mod.rs)";
        let code = text(output());
        let mut roots = BTreeSet::new();
        crate_roots(tokens_of(&spec()), &mut roots);
        let known: BTreeSet<String> = ["std", "cloud_sdk_runtime", "crate"]
            .into_iter()
            .map(str::to_owned)
            .chain(
                ALWAYS_DEPS
                    .iter()
                    .map(|(path, _)| path.trim_end_matches("::").to_owned()),
            )
            .chain(
                OPTIONAL_DEPS
                    .iter()
                    .map(|(path, _)| path.trim_end_matches("::").to_owned()),
            )
            .collect();
        let unknown: Vec<&String> = roots.difference(&known).collect();
        assert!(unknown.is_empty(), "{point}: unknown {unknown:?}");
        // The formats of the tiny spec need these; `cargo_toml` finds them in the code.
        for needle in ["chrono::", "uuid::", "regress::"] {
            assert!(
                uses_crate(&code.replace(' ', ""), needle),
                "{point}: `{needle}` not found"
            );
        }
    }

    #[test]
    fn status_range_before_code() {
        let point = "point 14 (progenitor matches `4XX` before `409`; if that changed, \
                     collapse_error_codes in xtask/src/codegen/mod.rs can go)";
        let code = text(tokens_of(&spec()));
        let range = code.find("400u16 ..= 499u16 =>");
        let conflict = code.find("409u16 =>");
        match (range, conflict) {
            (Some(range), Some(conflict)) => assert!(range < conflict, "{point}"),
            other => panic!("{point}: arms not found ({other:?})"),
        }
        // And the collapsed spec has the range alone.
        assert!(!text(output()).contains("409u16 =>"), "{point}");
    }

    #[test]
    fn property_defaults() {
        let point = "point 15 (an optional property with a `default` becomes a plain field; \
                     strip_property_defaults makes it an Option)";
        let plain = parse(tokens_of(&spec()));
        let stripped = output();
        let ssl = |file: &syn::File| {
            structs(module(&file.items, "types", point))
                .into_iter()
                .find(|s| s.ident == "CreateWidget")
                .and_then(|s| field_type(s, "ssl_enabled"))
        };
        assert_eq!(
            ssl(&plain).as_deref(),
            Some("bool"),
            "{point}: without stripping"
        );
        assert_eq!(
            ssl(&stripped).as_deref(),
            Some("::std::option::Option<bool>"),
            "{point}: stripped"
        );
    }

    #[test]
    fn known_panics() {
        let point = "point 16 (progenitor's panics on unsupported shapes, recognised by their \
                     text in xtask/src/codegen/panics.rs)";
        // A request body in two media types, and a path parameter that is not required.
        let two_media = SPEC.replace(
            "schema: {$ref: '#/components/schemas/CreateWidget'}",
            "schema: {$ref: '#/components/schemas/CreateWidget'}\n          \
             application/x-www-form-urlencoded:\n            \
             schema: {$ref: '#/components/schemas/CreateWidget'}",
        );
        let optional_path = SPEC.replacen(
            "{name: project_id, in: path, required: true,",
            "{name: project_id, in: path, required: false,",
            1,
        );
        for variant in [two_media, optional_path] {
            let spec: openapiv3::OpenAPI =
                serde_yaml_ng::from_str(&variant).expect("the variant is an OpenAPI document");
            let panic = catch_generator_panic(|| tokens_of(&spec))
                .err()
                .unwrap_or_else(|| {
                    panic!(
                        "{point}: progenitor accepted a shape it used to refuse; if it is now \
                        supported, drop its entry"
                    )
                });
            let message = panics::message(&panic, "tiny.yaml");
            assert!(
                !message.contains("not one the xtask knows"),
                "{point}: the panic text changed: {panic}"
            );
        }
    }

    #[test]
    fn version_in_lock_file() {
        let point = "point 18 (the version of the `progenitor-impl` package in Cargo.lock)";
        let version = progenitor_version(&crate::workspace_root())
            .unwrap_or_else(|e| panic!("{point}: {}", e.message));
        assert!(
            version.split('.').all(|part| part.parse::<u64>().is_ok()),
            "{point}: `{version}`"
        );
    }

    #[test]
    fn struct_builders_print_apart() {
        let point = "point 19 (typify's `pub mod builder` item inside `types`, printed apart: \
                     split_struct_builders and set_struct_builders in xtask/src/codegen/mod.rs)";
        let tokens = tokens_of(&strip_property_defaults(&collapse_error_codes(&spec())).0);
        let whole = prettyplease::unparse(&parse(tokens.clone()));
        let (rest, module) = split_struct_builders(tokens);
        let module = module.unwrap_or_else(|| panic!("{point}: no such item"));
        let builders = print_struct_builders(&parse(quote!(mod types { #module })))
            .unwrap_or_else(|| panic!("{point}: the item does not print inside `mod types`"));
        let stitched = set_struct_builders(&prettyplease::unparse(&parse(rest)), &builders)
            .unwrap_or_else(|| panic!("{point}: the placeholder is not printed once"));
        assert!(
            stitched == whole,
            "{point}: the code printed in two pieces differs from the code printed whole"
        );
        // Output without the item is left as it is.
        let plain = quote!(
            pub mod types {
                pub struct A;
            }
        );
        let (rest, module) = split_struct_builders(plain.clone());
        assert!(module.is_none() && rest.to_string() == plain.to_string());
    }
}
