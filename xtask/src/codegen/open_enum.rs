//! Open enumerations: string schemas marked `x-open-enum: true` become Rust enums with the
//! documented values plus `Other(String)`, so a value the vendor adds later (or one its docs
//! left out) deserializes instead of failing the whole call. typify only makes closed enums,
//! so the xtask finds these, writes each enum and one `open_enum_impls!` line for it (the impls
//! they share are compiled once, in the runtime crate) and tells progenitor to use them
//! (`with_replacement`).

use openapiv3::{ReferenceOr, SchemaKind, Type};

use crate::spec::{LoadedApi, SpecError};

/// The vendor extension that marks a schema as an open enumeration.
pub const EXTENSION: &str = "x-open-enum";

/// An open enumeration found in the merged spec.
#[derive(Debug, Clone)]
pub struct OpenEnum {
    /// Schema (and Rust type) name.
    pub name: String,
    /// The schema's description.
    pub description: String,
    /// (Rust variant, wire value), in spec order.
    pub variants: Vec<(String, String)>,
}

/// Finds the open enumerations among the API's component schemas.
pub fn find(api: &LoadedApi) -> Result<Vec<OpenEnum>, SpecError> {
    let mut out = Vec::new();
    let Some(components) = &api.merged.components else {
        return Ok(out);
    };
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        if schema
            .schema_data
            .extensions
            .get(EXTENSION)
            .and_then(|v| v.as_bool())
            != Some(true)
        {
            continue;
        }
        let err = |msg: String| {
            SpecError::new(
                format!("specs/{}", api.name),
                Some(format!("components.schemas.{name}")),
                msg,
            )
        };
        let SchemaKind::Type(Type::String(string)) = &schema.schema_kind else {
            return Err(err(format!(
                "{EXTENSION} needs `type: string` with an `enum` list"
            )));
        };
        let mut variants: Vec<(String, String)> = Vec::new();
        for value in string.enumeration.iter().flatten() {
            let variant = crate::spec::naming::pascal(value);
            if variant.is_empty()
                || variant == "Other"
                || variants.iter().any(|(v, _)| *v == variant)
            {
                return Err(err(format!(
                    "enum value {value:?} gives the Rust variant name {variant:?}, which is empty, reserved or taken"
                )));
            }
            variants.push((variant, value.clone()));
        }
        if variants.is_empty() {
            return Err(err(format!("{EXTENSION} needs a non-empty `enum` list")));
        }
        let description = schema.schema_data.description.clone().unwrap_or_default();
        out.push(OpenEnum {
            name: name.clone(),
            description,
            variants,
        });
    }
    Ok(out)
}

/// Tokens for one open enumeration: the enum (documented values and `Other`), and one
/// invocation of the runtime crate's `open_enum_impls!`, which holds the impls every open
/// enumeration shares. `#[non_exhaustive]`: a value the vendor documents later becomes a new
/// variant in a minor release.
pub fn tokens(e: &OpenEnum) -> proc_macro2::TokenStream {
    let name = quote::format_ident!("{}", e.name);
    let docs = e.description.trim().lines();
    let variants: Vec<_> = e
        .variants
        .iter()
        .map(|(variant, _)| quote::format_ident!("{}", variant))
        .collect();
    let values: Vec<&String> = e.variants.iter().map(|(_, value)| value).collect();
    let variant_docs = values.iter().map(|value| format!("`{value}`"));
    quote::quote! {
        #(#[doc = #docs])*
        ///
        /// An open set: a value the documentation does not list arrives as `Other` instead of
        /// failing the call.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#[doc = #variant_docs] #variants,)*
            /// A value the documentation does not list.
            Other(::std::string::String),
        }
        ::cloud_sdk_runtime::open_enum_impls!(#name { #(#variants = #values),* });
    }
}
