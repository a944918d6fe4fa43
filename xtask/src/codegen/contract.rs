//! The documented examples of every operation as a contract test of the generated crate.
//!
//! Each crate gets `examples::replay` (feature `mock`): for every operation whose spec
//! documents a complete request, it builds the request from the examples (the parameters'
//! examples, the request body's example read into the body type), sends it with `call()` and
//! records, as a `cloud_sdk_runtime::mock::Replay`, the request the server must have seen and
//! what came back. Each crate also gets `tests/contract.rs`, which replays them against the
//! crate's mock server answering with the documented responses, and checks every request and
//! every response read back. So an operation added to a spec, or a new API, is covered with no
//! hand-written test.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::{
    codegen::{GeneratedFile, calls::rust_type_of},
    spec::{LoadedApi, SpecError, naming},
};

/// `examples::replay` of one API (behind the crate's `mock` feature).
pub fn replay_items(api: &LoadedApi) -> Result<TokenStream, SpecError> {
    let mut steps = TokenStream::new();
    let mut skipped = Vec::new();
    for (path, method, op) in api.merged.operations() {
        let id = op.operation_id.clone().unwrap_or_default();
        match replay_step(api, path, method, op)? {
            Some(step) => steps.extend(step),
            None => skipped.push(naming::pascal(&id)),
        }
    }
    let doc = if skipped.is_empty() {
        " Every operation's documented example".to_owned()
    } else {
        format!(
            " Every operation's documented example (not {}: the spec documents no complete \
             request for it)",
            skipped.join(", ")
        )
    };
    let doc = format!(
        "{doc}, sent through `client` with `call()`; `before_each` runs before each call (to \
         set up the server's answer). Returns, per operation, the request the server must have \
         seen and what `call()` returned; \
         [`check_replays`](::cloud_sdk_runtime::mock::check_replays) compares them with what \
         a server recorded."
    );
    let body = if steps.is_empty() {
        quote! {
            let _ = (client, before_each);
            ::std::vec::Vec::new()
        }
    } else {
        quote! {
            let mut before_each = before_each;
            let mut replays = ::std::vec::Vec::new();
            #steps
            replays
        }
    };
    let written = (!steps.is_empty()).then(|| quote! {
        /// What `call()` returned, as JSON (`None` for an empty body), or its error as text.
        fn written<T: ::serde::Serialize, E: ::std::fmt::Display>(
            result: ::std::result::Result<T, E>,
        ) -> ::std::result::Result<::std::option::Option<::serde_json::Value>, ::std::string::String> {
            match result {
                Ok(value) => ::serde_json::to_value(&value)
                    .map(|v| (!v.is_null()).then_some(v))
                    .map_err(|e| e.to_string()),
                Err(e) => Err(format!("call() failed on the documented response: {e}")),
            }
        }
    });
    Ok(quote! {
        /// The documented examples of this API's operations, replayed through the client
        /// (feature `mock`): the contract test of the crate, and of your own servers.
        #[cfg(feature = "mock")]
        pub mod examples {
            #[allow(unused_imports)]
            use super::types;
            use ::cloud_sdk_runtime::mock::Replay;

            #[doc = #doc]
            pub async fn replay(
                client: &super::Client,
                before_each: impl FnMut(&Replay),
            ) -> ::std::vec::Vec<Replay> {
                #body
            }

            #written
        }
    })
}

/// The statements that replay one operation's example, or `None` when the spec documents no
/// complete request (a required parameter or body without an example).
fn replay_step(
    api: &LoadedApi,
    path: &str,
    method: &str,
    op: &openapiv3::Operation,
) -> Result<Option<TokenStream>, SpecError> {
    use openapiv3::Parameter;
    let id = op.operation_id.clone().unwrap_or_default();
    let vendor = naming::pascal(&id);
    let call = format_ident!("{}", naming::snake(&id));
    let http_method = method.to_ascii_uppercase();

    let Some(values) = example_parameters(api, op) else {
        return Ok(None);
    };
    let mut setters = TokenStream::new();
    let mut expect = TokenStream::new();
    let mut wire_path = path.to_owned();
    for (p, literal, text) in values {
        let data = p.parameter_data_ref();
        let setter = format_ident!("{}", naming::snake(&data.name));
        setters.extend(quote!(.#setter(#literal)));
        let name = &data.name;
        match p {
            Parameter::Path { .. } => wire_path = wire_path.replace(&format!("{{{name}}}"), &text),
            Parameter::Query { .. } => expect.extend(quote! {
                replay.query.push((#name.to_owned(), #text.to_owned()));
            }),
            Parameter::Header { .. } => {
                let name = name.to_ascii_lowercase();
                expect.extend(quote! {
                    replay.headers.push((#name.to_owned(), #text.to_owned()));
                });
            }
            Parameter::Cookie { .. } => return Ok(None),
        }
    }

    let body = match request_body(api, op) {
        None => quote!(),
        Some((required, example)) => match (example, api.request_schema_name(op)) {
            (Some(example), Some(schema)) => {
                let ty = rust_type_of(api, &schema)?;
                let json = example.to_string();
                let what = format!("the documented body example does not read as {schema}: {{e}}");
                expect.extend(quote! {
                    replay.headers.push(("content-type".to_owned(), "application/json".to_owned()));
                    replay.body = ::serde_json::from_str(#json).ok();
                });
                quote! {
                    let body = ::serde_json::from_value::<#ty>(replay.body.clone().unwrap_or_default());
                    let body = match body {
                        Ok(body) => body,
                        Err(e) => {
                            replay.response = Err(format!(#what));
                            replays.push(replay);
                            break 'op;
                        }
                    };
                    let request = request.body(body);
                }
            }
            _ if required => return Ok(None),
            _ => quote!(),
        },
    };
    let response = match success_example(api, op) {
        Some(json) => {
            let json = json.to_string();
            quote!(replay.response_example = ::serde_json::from_str(#json).ok();)
        }
        None => quote!(),
    };
    // The label lets a body example that does not read as the body type end the step.
    let label = (!body.is_empty()).then(|| quote!('op:));
    Ok(Some(quote! {
        #label {
            let mut replay = Replay::new(#vendor, #http_method, #path);
            replay.path = #wire_path.to_owned();
            #expect
            #response
            let request = client.#call()#setters;
            #body
            before_each(&replay);
            replay.response = written(request.call().await);
            replays.push(replay);
        }
    }))
}

use quote::ToTokens as _;

/// The parameters a replay of the operation sets, each with its documented example as a Rust
/// literal and as wire text; `None` when one cannot be set from the spec (a required parameter
/// without an example or stand-in, or a list or object value).
fn example_parameters<'a>(
    api: &'a LoadedApi,
    op: &'a openapiv3::Operation,
) -> Option<Vec<(&'a openapiv3::Parameter, TokenStream, String)>> {
    let supplied: Vec<&str> = api
        .config
        .client_supplied
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let mut out = Vec::new();
    for p in api.parameters(op) {
        let data = p.parameter_data_ref();
        let value = match parameter_example(api, data) {
            Some(v) => v,
            // Values the runtime supplies (a request id, a project header) are its to send.
            None if supplied.contains(&data.name.as_str()) || !data.required => continue,
            // A required parameter the spec gives no example: a stand-in of its type.
            None => placeholder(api, data)?,
        };
        let (literal, text) = match &value {
            Value::String(s) => (quote!(#s), s.clone()),
            Value::Bool(b) => (quote!(#b), b.to_string()),
            Value::Number(n) => {
                let literal = match (n.as_i64(), n.as_u64(), n.as_f64()) {
                    (Some(i), _, _) => Literal::i64_unsuffixed(i),
                    (_, Some(u), _) => Literal::u64_unsuffixed(u),
                    (_, _, Some(f)) => Literal::f64_unsuffixed(f),
                    _ => return None,
                };
                (literal.into_token_stream(), n.to_string())
            }
            // A list or object parameter has no single wire form to compare; not replayed.
            _ => return None,
        };
        out.push((p, literal, text));
    }
    Some(out)
}

/// A parameter's documented example: its own, the first of its `examples`, or its schema's
/// `example`, `default` or first enumerated value.
fn parameter_example(api: &LoadedApi, data: &openapiv3::ParameterData) -> Option<Value> {
    use openapiv3::{ParameterSchemaOrContent, SchemaKind, Type};
    if let Some(v) = api.example(data.example.as_ref(), data.examples.values()) {
        return Some(v.clone());
    }
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return None;
    };
    let schema = api.schema(schema)?;
    if let Some(v) = schema
        .schema_data
        .example
        .clone()
        .or(schema.schema_data.default.clone())
    {
        return Some(v);
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s
            .enumeration
            .iter()
            .flatten()
            .next()
            .cloned()
            .map(Value::String),
        _ => None,
    }
}

/// A stand-in value for a required parameter without an example: its name for a string, its
/// minimum (or 1) for a number, `true` for a boolean.
fn placeholder(api: &LoadedApi, data: &openapiv3::ParameterData) -> Option<Value> {
    use openapiv3::{ParameterSchemaOrContent, SchemaKind, Type};
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return Some(Value::String(data.name.clone()));
    };
    let schema = api.schema(schema)?;
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => Some(Value::String(data.name.clone())),
        SchemaKind::Type(Type::Integer(i)) => Some(Value::from(i.minimum.unwrap_or(1))),
        SchemaKind::Type(Type::Number(n)) => Some(Value::from(n.minimum.unwrap_or(1.0))),
        SchemaKind::Type(Type::Boolean(_)) => Some(Value::Bool(true)),
        _ => None,
    }
}

/// Whether the operation's JSON request body is required, and its documented example.
fn request_body<'a>(
    api: &'a LoadedApi,
    op: &'a openapiv3::Operation,
) -> Option<(bool, Option<&'a Value>)> {
    let body = api.request_body(op)?;
    let media = body.content.get("application/json")?;
    Some((body.required, api.media_example(media)))
}

/// The documented JSON example of the operation's success response (the first 2xx status).
fn success_example<'a>(api: &'a LoadedApi, op: &'a openapiv3::Operation) -> Option<&'a Value> {
    use openapiv3::StatusCode;
    let (_, response) = op
        .responses
        .responses
        .iter()
        .find(|(status, _)| match status {
            StatusCode::Code(c) => (200..300).contains(c),
            StatusCode::Range(r) => *r == 2,
        })?;
    let response = api.response(response)?;
    api.media_example(response.content.get("application/json")?)
}

/// How many items each paging test serves, and in pages of what size: three pages, the last
/// one short.
const PAGING_ITEMS: usize = 250;
const PAGING_PAGE_SIZE: u32 = 100;

/// One test per `[[paginate]]` entry: its `stream_<items>()` against pages the runtime's
/// `PagedOperation` check serves from the documented response.
fn paging_tests(api: &LoadedApi, krate: &syn::Ident) -> Result<TokenStream, SpecError> {
    let mut out = TokenStream::new();
    let err = |msg: String| api.paginate_error(msg);
    for p in &api.config.paginate {
        let (path, method, op) = api.paginated_operation(p)?;
        let example = success_example(api, op)
            .ok_or_else(|| {
                err(format!(
                    "`{}` documents no example response; its paging test makes items from the \
                     example's first `{}` item: add an `example` to its 200 response",
                    p.operation, p.items
                ))
            })?
            .to_string();
        let values = example_parameters(api, op).ok_or_else(|| {
            err(format!(
                "`{}` has a required parameter without a usable example; its paging test \
                 needs one: add `example:` to it",
                p.operation
            ))
        })?;
        // The stream sets the offset and the limit of each page itself.
        let setters = values
            .iter()
            .map(|(param, literal, _)| (param.parameter_data_ref().name.as_str(), literal))
            .filter(|(name, _)| *name != p.offset && *name != p.limit)
            .map(|(name, literal)| {
                let setter = format_ident!("{}", naming::snake(name));
                quote!(.#setter(#literal))
            });
        let call = format_ident!("{}", naming::snake(&p.operation));
        let stream = format_ident!("stream_{}", naming::snake(&p.items));
        let test = format_ident!(
            "{}_streams_every_page_as_it_is_consumed",
            naming::snake(&p.operation)
        );
        let method = method.to_ascii_uppercase();
        let (items, total, offset, limit) = (&p.items, &p.total, &p.offset, &p.limit);
        let (count, page_size) = (
            Literal::usize_unsuffixed(PAGING_ITEMS),
            Literal::u32_unsuffixed(PAGING_PAGE_SIZE),
        );
        let doc = format!(
            " `{stream}` yields {PAGING_ITEMS} items in order from pages of {PAGING_PAGE_SIZE}, \
             requesting each page only when the items before it are taken."
        );
        out.extend(quote! {
            #[doc = #doc]
            #[tokio::test]
            async fn #test() {
                let server = #krate::mock::MockServer::start().await;
                let client = server.client();
                let request = client.#call()#(#setters)*;
                let operation = ::cloud_sdk_runtime::mock::PagedOperation {
                    method: #method,
                    path: #path,
                    items: #items,
                    total: #total,
                    offset: #offset,
                    limit: #limit,
                    example: #example,
                };
                let checked = operation
                    .check_streams(server.server(), #count, #page_size, |size| {
                        request.#stream(size)
                    })
                    .await;
                assert_eq!(checked, Ok(()));
            }
        });
    }
    Ok(out)
}

/// The crate's files with its contract test added: `tests/contract.rs`, and the
/// dev-dependencies it needs in `Cargo.toml` (the crate itself with `mock`, and Tokio).
pub fn with_contract_test(
    api: &LoadedApi,
    mut files: Vec<GeneratedFile>,
    progenitor_version: &str,
) -> Result<Vec<GeneratedFile>, SpecError> {
    let dir = format!("generated/{}", api.name);
    let crate_name = &api.config.crate_name;
    let krate = format_ident!("{}", crate_name.replace('-', "_"));
    let header = super::header("//", api, progenitor_version);
    let paging = paging_tests(api, &krate)?;
    let test = quote! {
        //! The documented example of every operation, through the client and a loopback
        //! server: each request goes on the wire as documented (method, path, query, headers,
        //! body), and each documented response reads back into the types and writes back as
        //! the same JSON. Each paged operation streams many items from pages made of its
        //! documented response, requesting a page only when the one before it is used up.

        #paging

        #[tokio::test]
        async fn documented_examples_go_on_the_wire_and_read_back() {
            let server = #krate::mock::MockServer::start().await;
            let client = server.client();
            let replays = #krate::examples::replay(&client, |replay| {
                replay.answer_on(server.server());
            })
            .await;
            let failures = ::cloud_sdk_runtime::mock::check_replays(&replays, &server.requests());
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }
    };
    let parsed = syn::parse2::<syn::File>(test).map_err(|e| {
        api.error(format!(
            "the contract test does not parse ({e}); this is a bug in xtask/src/codegen/contract.rs"
        ))
    })?;
    files.push(GeneratedFile {
        path: format!("{dir}/tests/contract.rs"),
        contents: format!("{header}\n{}", prettyplease::unparse(&parsed)),
    });
    if let Some(manifest) = files
        .iter_mut()
        .find(|f| f.path == format!("{dir}/Cargo.toml"))
    {
        manifest.contents.push_str(&format!(
            "\n[dev-dependencies]\n\
             # tests/contract.rs: the crate with its `mock` feature, which the test replays against.\n\
             {crate_name} = {{ path = \".\", features = [\"mock\"] }}\n\
             tokio.workspace = true\n"
        ));
    }
    Ok(files)
}
