//! `call()` on every operation builder, the crate's `ApiError`, the envelope's checks, and the
//! spec lookups they share.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{impl_name, module_items_of, rust_type};
use crate::spec::{LoadedApi, SpecError, model::body_schema_name, naming};

/// The `x-require-one-of` extensions of request-body schemas: (operationId, fields).
pub(super) fn require_one_of_rules(
    api: &LoadedApi,
) -> Result<Vec<(String, Vec<String>)>, SpecError> {
    let mut rules = Vec::new();
    for (_, _, op) in api.merged.operations() {
        let Some(schema) = api.request_schema_name(op) else {
            continue;
        };
        let Some(def) = api.schema_named(&schema) else {
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

/// The Rust type whose values are secrets: a request-body field of this type (a schema
/// `api.toml` replaces with it) is scrubbed from error texts that quote a server.
const SECRET_TYPE: &str = "::cloud_sdk_runtime::Secret";

/// Per operation, the JSON pointers of its request body's secret fields (`*` for every item of
/// an array): (operationId, pointers), for operations that have any.
pub(super) fn secret_fields(api: &LoadedApi) -> Vec<(String, Vec<String>)> {
    api.merged
        .operations()
        .map(|(_, _, op)| {
            (
                op.operation_id.clone().unwrap_or_default(),
                secret_pointers(api, op),
            )
        })
        .filter(|(_, pointers)| !pointers.is_empty())
        .collect()
}

/// The JSON pointers of `op`'s request-body fields of type [`SECRET_TYPE`], sorted.
pub(super) fn secret_pointers(api: &LoadedApi, op: &openapiv3::Operation) -> Vec<String> {
    let Some(schema) = api
        .request_body(op)
        .and_then(|body| body.content.get("application/json"))
        .and_then(|media| media.schema.as_ref())
    else {
        return Vec::new();
    };
    let mut pointers = Vec::new();
    let name = crate::spec::model::ref_name(schema);
    secrets_below(
        api,
        name,
        api.schema(schema),
        &mut String::new(),
        &mut pointers,
        0,
    );
    pointers.sort();
    pointers.dedup();
    pointers
}

/// Adds to `found` the pointers, below `at`, of the fields of type [`SECRET_TYPE`] in a schema
/// (`name`: the component it is, when it is one).
fn secrets_below(
    api: &LoadedApi,
    name: Option<&str>,
    schema: Option<&openapiv3::Schema>,
    at: &mut String,
    found: &mut Vec<String>,
    depth: usize,
) {
    // Deep enough for any documented body, and an end to a schema that contains itself.
    const MAX_DEPTH: usize = 16;
    if name
        .and_then(|n| api.config.replace.get(n))
        .is_some_and(|r| r.rust_type == SECRET_TYPE)
    {
        found.push(at.clone());
        return;
    }
    let Some(schema) = schema.filter(|_| depth < MAX_DEPTH) else {
        return;
    };
    let mut below = |step: &str, child: &openapiv3::ReferenceOr<Box<openapiv3::Schema>>| {
        let len = at.len();
        at.push('/');
        at.push_str(&crate::spec::escape(step));
        let name = match child {
            openapiv3::ReferenceOr::Reference { reference } => {
                reference.strip_prefix("#/components/schemas/")
            }
            openapiv3::ReferenceOr::Item(_) => None,
        };
        secrets_below(api, name, api.boxed_schema(child), at, found, depth + 1);
        at.truncate(len);
    };
    match &schema.schema_kind {
        openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) => {
            for (property, child) in &object.properties {
                below(property, child);
            }
        }
        openapiv3::SchemaKind::Type(openapiv3::Type::Array(array)) => {
            if let Some(items) = &array.items {
                below("*", items);
            }
        }
        openapiv3::SchemaKind::AllOf { all_of: parts }
        | openapiv3::SchemaKind::OneOf { one_of: parts }
        | openapiv3::SchemaKind::AnyOf { any_of: parts } => {
            for part in parts {
                let name = crate::spec::model::ref_name(part);
                secrets_below(api, name, api.schema(part), at, found, depth + 1);
            }
        }
        _ => {}
    }
}

/// Per operation builder, the body and error types of its `send()`.
pub(super) type SendTypes = std::collections::BTreeMap<String, (TokenStream, TokenStream)>;

/// `call()` is the one public way to send a request. progenitor gives each operation builder a
/// public `send()` that returns its untyped `progenitor_client::Error` and knows nothing of the
/// call's record (the request id sent, the answer's status); two public ways to send with two
/// error types would leave users to pick the wrong one. So each `send()` becomes `pub(crate)`
/// (its only change: `call()` sends through it), and progenitor's usage example in each
/// operation's doc shows `.call()`. Returns the body and error types of each `send()`, as
/// progenitor wrote them (`Result<ResponseValue<T>, Error<E>>`), by builder name: `call()` and
/// the mocks use the same types, whatever shape the documented response has (a named object,
/// an array, none).
pub(super) fn take_sends(file: &mut syn::File) -> SendTypes {
    for item in &mut file.items {
        if let syn::Item::Impl(imp) = item
            && imp.trait_.is_none()
            && matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"))
        {
            for f in &mut imp.items {
                if let syn::ImplItem::Fn(f) = f {
                    f.attrs.iter_mut().for_each(call_in_example);
                }
            }
        }
    }
    let sends = send_types(file);
    if let Some(items) = super::module_items(file, "builder") {
        for item in items {
            let syn::Item::Impl(imp) = item else { continue };
            for f in &mut imp.items {
                if let syn::ImplItem::Fn(f) = f
                    && f.sig.ident == "send"
                {
                    f.vis = syn::parse_quote!(pub(crate));
                }
            }
        }
    }
    sends
}

/// progenitor's usage example in an operation's doc (`client.op().param(value).send().await`)
/// with `.call()` in place of `.send()`.
fn call_in_example(attr: &mut syn::Attribute) {
    let syn::Meta::NameValue(nv) = &mut attr.meta else {
        return;
    };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(doc),
        ..
    }) = &mut nv.value
    else {
        return;
    };
    let text = doc.value();
    if text.contains(".send()") {
        *doc = syn::LitStr::new(&text.replace(".send()", ".call()"), doc.span());
    }
}

pub(super) fn send_types(file: &syn::File) -> SendTypes {
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
    for item in module_items_of(file, "builder").into_iter().flatten() {
        let syn::Item::Impl(imp) = item else { continue };
        let Some(builder) = impl_name(imp) else {
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

/// What `call()` needs of an operation: a success response (returned) and a named JSON schema
/// for 4XX responses, the type of its error.
fn call_needs<'a>(
    api: &'a LoadedApi,
    path: &str,
    method: &str,
    op: &'a openapiv3::Operation,
) -> Result<&'a openapiv3::Response, SpecError> {
    let err = |msg: String| api.error(msg);
    let (_, success) = api.success_response(op).ok_or_else(|| {
        err(format!(
            "{method} {path}: documents no success response: add one under `responses`, \
             e.g. `'200': {{description: OK}}` for a response with no body"
        ))
    })?;
    if api
        .response_schema_name(op, &openapiv3::StatusCode::Range(4))
        .is_none()
    {
        return Err(err(format!(
            "{method} {path}: `call()` needs a named JSON schema for 4XX responses: add \
             `'4XX'` with `$ref` to the API's error schema (in `_common.yaml`)"
        )));
    }
    Ok(success)
}

/// The generator's rules for `call()` (see [`call_needs`]) over every operation of a loaded
/// API, without running progenitor: `docs scaffold` checks a draft with them.
pub(crate) fn check_call_needs(api: &LoadedApi) -> Result<(), SpecError> {
    for (path, method, op) in api.merged.operations() {
        call_needs(api, path, method, op)?;
    }
    Ok(())
}

/// What [`typed_calls`] writes: items for the `builder` module and for the crate root.
pub(super) struct TypedCalls {
    /// `call()` on every operation builder, next to progenitor's `send()` that it uses.
    pub(super) builder: TokenStream,
    /// The crate's `ApiError` alias and the envelope's impls.
    pub(super) root: TokenStream,
}

/// `call()` on every builder: the body, or a typed `ApiError` naming the operation; plus the
/// crate's `ApiError` alias and, for an envelope API, the impls that let a 2xx
/// `success: false` count as a failure.
///
/// Each `call()` sends through a copy of its client made for the call (`for_call`, from
/// `client_glue!`), whose hooks write the request id sent and the answer's status to the
/// call's record; the builder, which borrows its client, borrows the copy for the call.
pub(super) fn typed_calls(api: &LoadedApi, sends: &SendTypes) -> Result<TypedCalls, SpecError> {
    use openapiv3::StatusCode;
    let err = |msg: String| api.error(msg);
    let mut builder_items = TokenStream::new();
    let mut out = TokenStream::new();
    let mut error_types = BTreeSet::new();
    // Typed bodies (not the envelope itself) that carry the envelope's fields: each gets the
    // envelope's `Reply` check and a conversion into the envelope for the error.
    let mut shaped: BTreeMap<String, (TokenStream, Vec<String>)> = BTreeMap::new();
    for (path, method, op) in api.merged.operations() {
        let id = op.operation_id.clone().unwrap_or_default();
        let vendor = naming::pascal(&id);
        let builder = format_ident!("{}", vendor);
        let success = call_needs(api, path, method, op)?;
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
        let media = success.content.get("application/json");
        let body = media.and_then(|m| api.schema(m.schema.as_ref()?));
        let check = match (&api.config.envelope, body) {
            (Some(e), Some(schema)) => {
                match envelope_shaped(api, e, schema, &format!("{method} {path}"))? {
                    Some(fields) => {
                        if api
                            .response_schema_name(op, &StatusCode::Range(4))
                            .as_deref()
                            != Some(e.schema.as_str())
                        {
                            return Err(err(format!(
                                "{method} {path}: its 200 body carries `{}`, so a `{0}: false` \
                                 reply is an error; its 4XX response must then be the envelope: \
                                 write `$ref: '_common.yaml#/components/schemas/{}'`",
                                e.success, e.schema
                            )));
                        }
                        if body_schema_name(success) != Some(e.schema.as_str()) {
                            shaped.insert(quote!(#ok_type).to_string(), (ok_type.clone(), fields));
                        }
                        format_ident!("envelope_outcome")
                    }
                    None => format_ident!("outcome"),
                }
            }
            _ => format_ident!("outcome"),
        };
        let doc = format!(
            " Sends the request and returns the body (with its status, headers and request \
             id), or an [`ApiError`](::cloud_sdk_runtime::ApiError) that names `{vendor}`, its \
             kind, the HTTP status, the service's error code, message and request id."
        );
        builder_items.extend(quote! {
            impl<'a> #builder<'a> {
                #[doc = #doc]
                pub async fn call(
                    self,
                ) -> ::std::result::Result<
                    ::cloud_sdk_runtime::Output<#ok_type>,
                    ::cloud_sdk_runtime::ApiError<#error_type>,
                > {
                    let (client, record) = self.client.for_call();
                    let mut builder = self;
                    builder.client = &client;
                    ::cloud_sdk_runtime::#check(#vendor, &record, builder.send().await)
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
        let envelope_fields = api
            .schema_named(&e.schema)
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
    Ok(TypedCalls {
        builder: builder_items,
        root: out,
    })
}

/// A property's schema as written, and whether the object requires it.
type Property<'a> = (&'a openapiv3::ReferenceOr<Box<openapiv3::Schema>>, bool);

/// The properties of an object schema, with those of its `allOf` parts (`$ref`s followed).
pub(super) fn object_properties<'a>(
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
                    if let Some(part) = api.schema(part) {
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
    envelope: &crate::spec::config::Envelope,
    body: &openapiv3::Schema,
    operation: &str,
) -> Result<Option<Vec<String>>, SpecError> {
    let fields = object_properties(api, body);
    if !fields.contains_key(envelope.success.as_str()) {
        return Ok(None);
    }
    let own = api
        .schema_named(&envelope.schema)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What `generate` relies on in progenitor's builders, checked on the real specs: every
    /// operation builder has a `send()`, which leaves the public surface, with `call()` public
    /// next to it; and the usage example in each operation's doc, which progenitor writes with
    /// `.send()`, shows `.call()`.
    #[test]
    fn call_is_the_one_public_way_to_send() {
        let root = crate::workspace_root();
        let files = crate::generate_all(&root).unwrap_or_else(|e| panic!("{e:?}"));
        let libs: Vec<_> = files
            .iter()
            .filter(|f| f.path.ends_with("/src/lib.rs"))
            .collect();
        assert!(!libs.is_empty(), "no generated crate");
        for lib in libs {
            let mut file = syn::parse_file(&lib.contents).unwrap_or_else(|e| panic!("{e}"));
            let (mut sends, mut calls) = (BTreeSet::new(), BTreeSet::new());
            let builders = super::super::module_items(&mut file, "builder")
                .unwrap_or_else(|| panic!("{}: no builder module", lib.path));
            for item in builders.iter() {
                let syn::Item::Impl(imp) = item else { continue };
                let ty = &imp.self_ty;
                let builder = quote!(#ty).to_string();
                for f in &imp.items {
                    let syn::ImplItem::Fn(f) = f else { continue };
                    let public = matches!(f.vis, syn::Visibility::Public(_));
                    match f.sig.ident.to_string().as_str() {
                        "send" => {
                            assert!(!public, "{}: {builder}::send is public", lib.path);
                            sends.insert(builder.clone());
                        }
                        "call" => {
                            assert!(public, "{}: {builder}::call is not public", lib.path);
                            calls.insert(builder.clone());
                        }
                        _ => {}
                    }
                }
            }
            assert!(!sends.is_empty(), "{}: no send()", lib.path);
            assert_eq!(sends, calls, "{}: a builder without call()", lib.path);
            let examples: Vec<String> = file
                .items
                .iter()
                .filter_map(|item| match item {
                    syn::Item::Impl(imp) if imp.trait_.is_none() => Some(&imp.items),
                    _ => None,
                })
                .flatten()
                .filter_map(|f| match f {
                    syn::ImplItem::Fn(f) => Some(&f.attrs),
                    _ => None,
                })
                .flatten()
                .map(|attr| quote!(#attr).to_string())
                .filter(|doc| doc.contains("```"))
                .collect();
            assert!(
                examples.iter().any(|doc| doc.contains(".call()")),
                "{}: no usage example with `.call()`",
                lib.path
            );
            for doc in examples {
                assert!(!doc.contains(".send()"), "{}: {doc}", lib.path);
            }
        }
    }
}
