//! Doc comments and `#[non_exhaustive]` on the items progenitor and typify write.

use std::collections::{BTreeSet, HashMap};

use super::{ident_text, impl_name, module_items};
use crate::spec::{LoadedApi, naming};

/// Applies the evolution rule of [`crate::spec::surface::non_exhaustive`] to the generated `types`:
/// response-only structs and open enumerations get `#[non_exhaustive]`, so the vendor adding a
/// response field or an enum value is a minor change for Rust users. `cargo xtask api-diff`
/// classifies changes by the same rule.
pub(super) fn mark_non_exhaustive(file: &mut syn::File, surface: &crate::spec::surface::Surface) {
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
/// Adds `text` as the doc comment of an item that has none.
fn add_doc(attrs: &mut Vec<syn::Attribute>, text: &str) {
    if attrs.iter().any(|a| a.path().is_ident("doc")) || text.trim().is_empty() {
        return;
    }
    let text = format!(" {}", text.split_whitespace().collect::<Vec<_>>().join(" "));
    attrs.insert(0, syn::parse_quote!(#[doc = #text]));
}

/// What the doc pass looks up by the Rust names progenitor and typify gave: the API's schemas
/// by type name and its operations by builder name. Built once per API, so each generated item
/// costs one lookup (a scan per item made generation grow with the square of the endpoints).
struct Index<'a> {
    api: &'a LoadedApi,
    schemas: HashMap<String, &'a openapiv3::Schema>,
    operations: HashMap<String, &'a openapiv3::Operation>,
}

impl<'a> Index<'a> {
    fn new(api: &'a LoadedApi) -> Self {
        // The first of two names that map to one Rust name wins, as a scan in order would.
        let mut schemas = HashMap::new();
        for (name, schema) in api.merged.components.iter().flat_map(|c| &c.schemas) {
            schemas
                .entry(naming::pascal(name))
                .or_insert_with(|| api.schema(schema));
        }
        let schemas = schemas
            .into_iter()
            .filter_map(|(name, s)| Some((name, s?)))
            .collect();
        let mut operations = HashMap::new();
        for (_, _, op) in api.merged.operations() {
            if let Some(id) = op.operation_id.as_deref() {
                operations.entry(naming::pascal(id)).or_insert(op);
            }
        }
        Self {
            api,
            schemas,
            operations,
        }
    }
}

/// The properties of the object schema whose Rust name is `type_name`: (Rust field name,
/// description, required).
fn schema_properties(index: &Index<'_>, type_name: &str) -> Vec<(String, String, bool)> {
    let api = index.api;
    let Some(openapiv3::SchemaKind::Type(openapiv3::Type::Object(object))) =
        index.schemas.get(type_name).map(|s| &s.schema_kind)
    else {
        return Vec::new();
    };
    object
        .properties
        .iter()
        .map(|(name, prop)| {
            // OpenAPI 3.0 ignores the siblings of `$ref`: a referencing property's description
            // is its target's.
            let description = api
                .boxed_schema(prop)
                .and_then(|s| s.schema_data.description.clone());
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

/// Doc comments on the public items progenitor and typify leave without one: fields whose
/// schema is a `$ref` (the target's description), `builder()`, the type builders and their
/// setters (the property's description, and whether it is required), and the operation
/// builders' `new` and setters (the parameter's description, and whether it is required).
pub(super) fn document_items(api: &LoadedApi, file: &mut syn::File) {
    let index = Index::new(api);
    for item in &mut file.items {
        let syn::Item::Mod(m) = item else { continue };
        let Some((_, items)) = m.content.as_mut() else {
            continue;
        };
        if m.ident == "types" {
            document_types(&index, items);
        } else if m.ident == "builder" {
            document_operation_builders(&index, items);
        }
    }
}

fn document_types(index: &Index<'_>, items: &mut [syn::Item]) {
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                let props = schema_properties(index, &ident_text(&s.ident));
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
                document_type_builders(index, items);
            }
            _ => {}
        }
    }
}

fn document_type_builders(index: &Index<'_>, items: &mut [syn::Item]) {
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
                let Some(type_name) = impl_name(imp) else {
                    continue;
                };
                let props = schema_properties(index, &type_name);
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

fn document_operation_builders(index: &Index<'_>, items: &mut [syn::Item]) {
    let api = index.api;
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(builder) = impl_name(imp) else {
            continue;
        };
        let Some(&op) = index.operations.get(&builder) else {
            continue;
        };
        let params = api.parameter_list(op);
        let required_params: Vec<String> = api
            .parameters(op)
            .filter(|p| p.parameter_data_ref().required)
            .map(|p| p.parameter_data_ref().name.clone())
            .collect();
        let body = api.request_body(op);
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
                            api.request_schema_name(op)
                                .and_then(|n| api.schema_named(&n))
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
