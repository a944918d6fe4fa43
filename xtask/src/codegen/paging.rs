//! Item streams across pages, one per `[[paginate]]` entry of `api.toml`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::calls::{object_properties, rust_type_of};
use crate::spec::{LoadedApi, SpecError, model::ref_name, naming};

/// A stream of every item across pages, for each `[[paginate]]` entry of `api.toml`.
pub(super) fn paging(api: &LoadedApi) -> Result<TokenStream, SpecError> {
    use openapiv3::StatusCode;
    let mut out = TokenStream::new();
    let err = |msg: String| api.paginate_error(msg);
    for p in &api.config.paginate {
        let (_, _, op) = api.paginated_operation(p)?;
        let page = api
            .response_schema_name(op, &StatusCode::Code(200))
            .ok_or_else(|| {
                err(format!(
                    "`{}` has no named 200 response schema",
                    p.operation
                ))
            })?;
        let items = api
            .schema_named(&page)
            .and_then(|s| match &s.schema_kind {
                openapiv3::SchemaKind::Type(openapiv3::Type::Object(o)) => {
                    o.properties.get(&p.items)
                }
                _ => None,
            })
            .and_then(|prop| match &api.boxed_schema(prop)?.schema_kind {
                openapiv3::SchemaKind::Type(openapiv3::Type::Array(a)) => {
                    a.items.as_ref().and_then(ref_name).map(str::to_owned)
                }
                _ => None,
            })
            .ok_or_else(|| {
                err(format!(
                    "`{page}.{}` is not an array of a named schema",
                    p.items
                ))
            })?;
        let error = api
            .response_schema_name(op, &StatusCode::Range(4))
            .ok_or_else(|| {
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
        let total_is_i64 = api
            .schema_named(&page)
            .map(|s| object_properties(api, s))
            .and_then(|props| {
                let (property, _) = props.get(p.total.as_str())?;
                let schema = api.boxed_schema(property)?;
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
        let vendor = naming::pascal(&p.operation);
        let builder = format_ident!("{vendor}");
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
            " Every `{items}` item of every page, in order: `call()` page after page \
             (`{offset}` advancing, `{limit}` = `page_size`) and stops after `{total}` items, at \
             a page shorter than `page_size`, or past the documented maximum offset. After \
             [`MAX_PAGES`](cloud_sdk_runtime::MAX_PAGES) full pages without an end, it yields an \
             error of kind `ResponseTooLarge` after their items. Other parameters are those set \
             on this builder.",
            items = p.items,
            offset = p.offset,
            limit = p.limit,
            total = p.total,
        );
        out.extend(quote! {
            impl<'a> builder::#builder<'a> {
                #[doc = #doc]
                pub fn #stream_fn(self, page_size: u32) -> ::cloud_sdk_runtime::Paged<'a, #item_type, ::cloud_sdk_runtime::ApiError<#error_type>> {
                    let bounds = ::cloud_sdk_runtime::PageBounds {
                        max_offset: #max_offset,
                        max_pages: ::cloud_sdk_runtime::MAX_PAGES,
                    };
                    ::cloud_sdk_runtime::offset_pages(#vendor, page_size, bounds, move |offset, limit| {
                        let request = self.clone().#offset_field(offset).#limit_field(limit);
                        async move {
                            let page = request.call().await?.into_inner();
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
    op.parameters.iter().find_map(|p| {
        let ReferenceOr::Item(Parameter::Query { parameter_data, .. }) = p else {
            return None;
        };
        let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &parameter_data.format
        else {
            return None;
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Integer(int)) if parameter_data.name == name => {
                int.maximum.and_then(|m| u64::try_from(m).ok())
            }
            _ => None,
        }
    })
}
