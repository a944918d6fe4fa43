//! Per-vendor items of a generated crate: the vendor's data with its constructors, and the
//! typed mock server.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::calls::{SendTypes, rust_type_of};
use crate::spec::{AuthKind, LoadedApi, SpecError, Supply, naming};

/// The vendor's data for the runtime (`SERVICE` or `API`) and the constructors that use it.
pub(super) fn vendor_items(api: &LoadedApi) -> Result<TokenStream, SpecError> {
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

/// The documented JSON example of a response, as compact text.
fn response_example(response: &openapiv3::Response) -> Option<String> {
    let example = response.content.get("application/json")?.example.as_ref()?;
    serde_json::to_string(example).ok()
}

/// `mock::MockServer` (feature `mock`): the runtime's loopback mock server with one typed
/// method per operation, `When`/`Then` types that name the operation's parameters and bodies,
/// the documented example response, and a client pointed at the server in one line.
pub(super) fn mock_items(api: &LoadedApi, sends: &SendTypes) -> Result<TokenStream, SpecError> {
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
                        &mut ::cloud_sdk_runtime::mock::TypedThen::new(then, #success, #refusal),
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

            ::cloud_sdk_runtime::mock_server!(#auth, |server| #runtime);

            impl MockServer {
                #methods
            }

            #types
        }
    })
}
