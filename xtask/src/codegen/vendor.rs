//! Per-vendor items of a generated crate: one invocation of the vendor's client macro with the
//! API's data (constructors, `from_env`, mock support), and the typed mock server.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::calls::{SendTypes, rust_type_of};
use crate::spec::{LoadedApi, SpecError, Supply, naming};

/// The invocation of the vendor's client macro (`client_macro` in `specs/vendors/<vendor>.toml`)
/// with the API's data. Every vendor's macro takes the same arguments in the same order, the
/// optional ones (`service`, `host`) only when set; each macro refuses what its vendor does not
/// take, so that the xtask knows no vendor.
pub(super) fn vendor_items(api: &LoadedApi) -> Result<TokenStream, SpecError> {
    let c = &api.config;
    let vendor_file = format!("specs/vendors/{}.toml", c.vendor);
    let name = &c.vendor_config.client_macro;
    let client_macro = syn::parse_str::<syn::Ident>(name).map_err(|_| {
        SpecError::new(
            &vendor_file,
            None,
            format!(
                "client_macro = {name:?} is not a macro name: write the name of the runtime's \
                 macro, like \"huawei_client\""
            ),
        )
    })?;
    let base_url = &c.base_url;
    let service = c.service.as_ref().map(|s| quote!(service = #s,));
    let host = host(api).map(|h| quote!(host = #h,));
    let regions = c.host_exceptions.iter().map(|e| &e.region);
    let hosts = c.host_exceptions.iter().map(|e| &e.host);
    let headers = c.env_headers.iter().map(|h| &h.header);
    let vars = c.env_headers.iter().map(|h| &h.env);
    let supplied = c.client_supplied.iter().map(|s| {
        let (name, location, supply) = (&s.name, &s.location, supply_name(s.supply));
        quote!((#name, #location, #supply))
    });
    Ok(quote! {
        ::cloud_sdk_runtime::#client_macro!(
            base_url = #base_url,
            #service
            #host
            host_exceptions = [#((#regions, #hosts)),*],
            env_headers = [#((#headers, #vars)),*],
            client_supplied = [#(#supplied),*],
        );
    })
}

/// The API's host: the vendor's pattern with `{service}` filled in, when the vendor has one.
pub(super) fn host(api: &LoadedApi) -> Option<String> {
    let c = &api.config;
    let pattern = c.vendor_config.host.as_ref()?;
    Some(match &c.service {
        Some(service) => pattern.replace("{service}", service),
        None => pattern.clone(),
    })
}

/// The `supply` value of a `[[client_supplied]]` table, as written in `api.toml`.
pub(super) fn supply_name(supply: Supply) -> &'static str {
    match supply {
        Supply::Uuid => "uuid",
        Supply::ProjectId => "project_id",
    }
}

/// The documented JSON example of a response, as compact text.
fn response_example(response: &openapiv3::Response) -> Option<String> {
    let example = response.content.get("application/json")?.example.as_ref()?;
    serde_json::to_string(example).ok()
}

/// `mock::MockServer` (feature `mock`): the runtime's loopback mock server with one typed
/// method per operation, `When`/`Then` types that name the operation's parameters and bodies,
/// the documented example response, and a client pointed at the server in one line.
pub(super) fn mock_items(api: &LoadedApi, sends: &SendTypes) -> Result<TokenStream, SpecError> {
    let err = |msg: String| api.error(msg);
    let mut methods = TokenStream::new();
    let mut types = TokenStream::new();
    for (path, method, op) in api.merged.operations() {
        let id = op.operation_id.clone().unwrap_or_default();
        let fn_name = format_ident!("{}", naming::snake(&id));
        let vendor = naming::pascal(&id);
        let when_ty = format_ident!("{}When", vendor);
        let then_ty = format_ident!("{}Then", vendor);
        let http_method = method.to_ascii_uppercase();
        let (status, success) = api.success_response(op).ok_or_else(|| {
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
                        &mut ::cloud_sdk_runtime::mock::TypedThen::new(then, #success, Self::CREDENTIALS_REFUSED),
                    );
                })
            }
        });
        let mut when_fns = TokenStream::new();
        for (name, place, description) in api.parameter_list(op) {
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
        let body_type = match api.request_schema_name(op) {
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

            ::cloud_sdk_runtime::mock_server!(super::Client);

            impl MockServer {
                #methods
            }

            #types
        }
    })
}
