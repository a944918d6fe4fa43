//! A pass over progenitor's operation code that takes out per-call work the runtime does once
//! or not at all, without changing what goes on the wire:
//!
//! - **The URL.** progenitor writes `format!("{}/v1.0/{}/...", client.baseurl, ..)` and hands
//!   the text to reqwest, which parses all of it, host included, on every call (about a fifth
//!   of a loopback call's instructions). It becomes
//!   `client.inner.url(&["/v1.0/", &*(..), "/..."])`: the path, its pieces joined in one
//!   allocation without a formatter, set on the base URL the client parsed when it was made.
//! - **The `api-version` header.** progenitor adds `api-version: <info.version>` to every
//!   request; no vendor here documents it, so it is not written (nor its header map, when
//!   nothing else goes in it).
//! - **String path parameters.** progenitor writes `&value.to_string()` for every path
//!   parameter; a `String` value is borrowed instead of copied.
//! - **The response headers.** `ResponseValue::from_response` copies them; the runtime's
//!   `response_value` moves them.
//! - **Query parameters.** `.query(&progenitor_client::QueryParam::new(name, &value))` on the
//!   request builder runs serde into `serde_urlencoded` for every parameter; after the request
//!   is built, the runtime's `query_param` writes a scalar straight into the URL (and gives
//!   anything else to that same path).
//!
//! A shape the pass does not recognise is an error naming it, so that a new progenitor cannot
//! silently bring the per-call costs back.

use std::collections::{HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{
    Expr, ExprMethodCall, Local, Pat, Stmt, Token, parse_quote, punctuated::Punctuated,
    visit_mut::VisitMut,
};

/// Rewrites every operation's request building in `file`; `Err` names the shape not
/// recognised.
pub fn streamline(file: &mut syn::File) -> Result<(), String> {
    let mut fields = StringFields::default();
    fields.visit_file_mut(file);
    let mut pass = Pass {
        string_fields: fields.0,
        ..Pass::default()
    };
    pass.visit_file_mut(file);
    if let Some(e) = pass.error {
        return Err(e);
    }
    if pass.urls == 0 {
        return Err("found no operation URL (`let url = format!(..)`) to rewrite".to_owned());
    }
    let text = quote!(#file).to_string();
    if text.contains("\"api-version\"") {
        return Err("an `api-version` header is still written somewhere".to_owned());
    }
    if text.contains("QueryParam") {
        return Err(
            "a query parameter is still written through progenitor's QueryParam".to_owned(),
        );
    }
    Ok(())
}

#[derive(Default)]
struct Pass {
    urls: usize,
    error: Option<String>,
    /// Per builder struct, its fields that hold a `String` (see [`StringFields`]).
    string_fields: HashMap<String, HashSet<String>>,
    /// The builder whose `impl` is being visited.
    builder: Option<String>,
}

/// The fields of each builder struct that hold a `String` (`Result<::std::string::String,
/// String>`): their path segment borrows the value instead of copying it with `to_string()`.
/// Structs are told apart by name only; when two share a name (an operation's builder and a
/// type's, in different modules), a field counts only if it is a `String` in both.
#[derive(Default)]
struct StringFields(HashMap<String, HashSet<String>>);

/// (A `VisitMut` that changes nothing: syn's read-only visitor is a feature not built here.)
impl VisitMut for StringFields {
    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        let strings: HashSet<String> = item
            .fields
            .iter()
            .filter(|f| {
                let ty = &f.ty;
                quote!(#ty).to_string() == "Result < :: std :: string :: String , String >"
            })
            .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
            .collect();
        self.0
            .entry(item.ident.to_string())
            .and_modify(|seen| seen.retain(|f| strings.contains(f)))
            .or_insert(strings);
    }
}

fn mentions(tokens: &impl ToTokens, ident: &str) -> bool {
    tokens
        .to_token_stream()
        .into_iter()
        .any(|t| mentions_tree(&t, ident))
}

fn mentions_tree(tree: &proc_macro2::TokenTree, ident: &str) -> bool {
    match tree {
        proc_macro2::TokenTree::Ident(i) => i == ident,
        proc_macro2::TokenTree::Group(g) => {
            g.stream().into_iter().any(|t| mentions_tree(&t, ident))
        }
        _ => false,
    }
}

fn local_name(local: &Local) -> Option<String> {
    match &local.pat {
        Pat::Ident(p) => Some(p.ident.to_string()),
        _ => None,
    }
}

impl Pass {
    fn fail(&mut self, message: String) {
        self.error.get_or_insert(message);
    }

    /// `let <url> = format!("{}<path>", client.baseurl, args..)` →
    /// `let url = client.inner.url(&["<text>", &*(arg), "<text>", ..]).map_err(Error::InvalidRequest)?`.
    fn rewrite_url(&mut self, local: &mut Local) {
        let shape = quote!(#local).to_string();
        let Some(init) = &mut local.init else {
            return self.fail("`let url` without a value".to_owned());
        };
        let Expr::Macro(mac) = &*init.expr else {
            return self.fail(format!("an operation URL not built by format!: {shape}"));
        };
        let args = mac
            .mac
            .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
            .map_err(|e| format!("{e}: {shape}"));
        let args = match args {
            Ok(args) if mac.mac.path.is_ident("format") => args,
            Ok(_) => return self.fail(format!("an operation URL not built by format!: {shape}")),
            Err(e) => return self.fail(e),
        };
        let mut args = args.into_iter();
        let (Some(Expr::Lit(template)), Some(base)) = (args.next(), args.next()) else {
            return self.fail(format!("an operation URL of an unknown shape: {shape}"));
        };
        let syn::Lit::Str(template) = template.lit else {
            return self.fail(format!("an operation URL of an unknown shape: {shape}"));
        };
        let template = template.value();
        let Some(path) = template.strip_prefix("{}").filter(|p| p.starts_with('/')) else {
            return self.fail(format!(
                "an operation URL not starting at the base URL: {shape}"
            ));
        };
        // Set as a path, a `?` or `#` would be encoded instead of starting a query or fragment.
        if path.contains(['?', '#']) {
            return self.fail(format!(
                "an operation path with a query or fragment: {shape}"
            ));
        }
        if quote!(#base).to_string() != "client . baseurl" {
            return self.fail(format!("an operation URL not on client.baseurl: {shape}"));
        }
        let rest: Vec<Expr> = args.collect();
        // The template's text between its `{}`s, and the arguments in between: joined by
        // the runtime in one allocation, without a formatter.
        let literals: Vec<&str> = path.split("{}").collect();
        if literals.len() != rest.len() + 1 || literals.iter().any(|l| l.contains(['{', '}'])) {
            return self.fail(format!(
                "an operation URL whose template does not have one `{{}}` per argument: {shape}"
            ));
        }
        let mut pieces: Vec<TokenStream> = Vec::with_capacity(literals.len() + rest.len());
        for (i, literal) in literals.iter().enumerate() {
            if !literal.is_empty() {
                pieces.push(quote!(#literal));
            }
            if let Some(arg) = rest.get(i) {
                pieces.push(quote!(&*(#arg)));
            }
        }
        init.expr = parse_quote! {
            client.inner.url(&[#(#pieces),*]).map_err(Error::InvalidRequest)?
        };
        self.urls += 1;
    }
}

/// Takes every `.query(&progenitor_client::QueryParam::new(name, value))` out of a method
/// chain; returns their `(name, value)` in the order they were written.
fn take_query_calls(expr: &mut Expr, out: &mut Vec<(TokenStream, TokenStream)>) {
    match expr {
        Expr::MethodCall(ExprMethodCall {
            receiver,
            method,
            args,
            ..
        }) => {
            let pair = (method == "query" && args.len() == 1)
                .then(|| query_param_args(&args[0]))
                .flatten();
            match pair {
                Some(pair) => {
                    let inner = std::mem::replace(&mut **receiver, parse_quote!(()));
                    *expr = inner;
                    take_query_calls(expr, out);
                    out.push(pair);
                }
                None => take_query_calls(receiver, out),
            }
        }
        Expr::Try(t) => take_query_calls(&mut t.expr, out),
        _ => {}
    }
}

/// `(name, value)` of `&progenitor_client::QueryParam::new(name, value)`.
fn query_param_args(arg: &Expr) -> Option<(TokenStream, TokenStream)> {
    let Expr::Reference(reference) = arg else {
        return None;
    };
    let Expr::Call(call) = &*reference.expr else {
        return None;
    };
    let Expr::Path(path) = &*call.func else {
        return None;
    };
    let names: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if !names.ends_with(&["QueryParam".to_owned(), "new".to_owned()]) || call.args.len() != 2 {
        return None;
    }
    let (name, value) = (&call.args[0], &call.args[1]);
    Some((quote!(#name), quote!(#value)))
}

/// `receiver.headers(header_map)` → `receiver`, anywhere in a method chain.
fn strip_headers_call(expr: &mut Expr) {
    if let Expr::MethodCall(ExprMethodCall {
        receiver,
        method,
        args,
        ..
    }) = expr
    {
        if method == "headers" && args.len() == 1 && mentions(&args[0], "header_map") {
            let inner = std::mem::replace(&mut **receiver, parse_quote!(()));
            *expr = inner;
            strip_headers_call(expr);
        } else {
            strip_headers_call(receiver);
        }
    } else if let Expr::Try(t) = expr {
        strip_headers_call(&mut t.expr);
    }
}

impl VisitMut for Pass {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        // The api-version header: `header_map.append(HeaderName::from_static("api-version"), ..);`
        let before = block.stmts.len();
        block.stmts.retain(|s| {
            !(mentions(s, "header_map") && quote!(#s).to_string().contains("\"api-version\""))
        });
        if block.stmts.len() != before {
            let declares = |s: &Stmt| matches!(s, Stmt::Local(l) if local_name(l).as_deref() == Some("header_map"));
            let sends = |s: &Stmt| matches!(s, Stmt::Local(l) if local_name(l).as_deref() == Some("request"));
            let still_used = block
                .stmts
                .iter()
                .any(|s| mentions(s, "header_map") && !declares(s) && !sends(s));
            if !still_used {
                block.stmts.retain(|s| !declares(s));
                for s in &mut block.stmts {
                    if let Stmt::Local(l) = s
                        && local_name(l).as_deref() == Some("request")
                        && let Some(init) = &mut l.init
                    {
                        strip_headers_call(&mut init.expr);
                    }
                }
                if block.stmts.iter().any(|s| mentions(s, "header_map")) {
                    self.fail("an api-version header map used in an unknown way".to_owned());
                }
            }
        }
        // Query parameters: out of the builder chain, into statements after `request` is built.
        let mut at = 0;
        while at < block.stmts.len() {
            let mut pairs = Vec::new();
            if let Stmt::Local(l) = &mut block.stmts[at]
                && local_name(l).as_deref() == Some("request")
                && let Some(init) = &mut l.init
            {
                take_query_calls(&mut init.expr, &mut pairs);
            }
            let count = pairs.len();
            for (offset, (name, value)) in pairs.into_iter().enumerate() {
                block.stmts.insert(
                    at + 1 + offset,
                    parse_quote! {
                        ::cloud_sdk_runtime::query_param(&mut request, #name, #value)
                            .map_err(Error::InvalidRequest)?;
                    },
                );
            }
            at += 1 + count;
        }
        // Whatever the local is called (progenitor renames it when a parameter is `url`).
        for stmt in &mut block.stmts {
            if let Stmt::Local(local) = stmt
                && mentions(local, "baseurl")
            {
                self.rewrite_url(local);
            }
        }
        syn::visit_mut::visit_block_mut(self, block);
    }

    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
        if f.sig.ident == "send" && mentions(&f.block, "baseurl") {
            self.fail(format!(
                "an operation builds its URL from the base URL in a way not recognised: {}",
                quote!(#f)
            ));
        }
    }

    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let outer = self.builder.take();
        if let syn::Type::Path(p) = &*item.self_ty
            && let Some(last) = p.path.segments.last()
        {
            self.builder = Some(last.ident.to_string());
        }
        syn::visit_mut::visit_item_impl_mut(self, item);
        self.builder = outer;
    }

    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        // `path_segment(name, &value.to_string())` for a `String` value: borrow it instead.
        if let Expr::Path(p) = &*call.func
            && p.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "path_segment")
            && let Some(Expr::Reference(r)) = call.args.iter_mut().nth(1)
            && let Expr::MethodCall(m) = &*r.expr
            && m.method == "to_string"
            && m.args.is_empty()
            && let Expr::Path(value) = &*m.receiver
            && let Some(value) = value.path.get_ident()
            && let Some(builder) = &self.builder
            && self
                .string_fields
                .get(builder)
                .is_some_and(|fields| fields.contains(&value.to_string()))
        {
            let value = value.clone();
            *r.expr = parse_quote!(#value);
        }

        if let Expr::Path(p) = &*call.func
            && quote!(#p).to_string() == "ResponseValue :: from_response"
        {
            *call.func = parse_quote!(::cloud_sdk_runtime::response_value);
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(code: proc_macro2::TokenStream) -> Result<String, String> {
        let mut file: syn::File = syn::parse2(code).map_err(|e| e.to_string())?;
        streamline(&mut file)?;
        Ok(prettyplease::unparse(&file))
    }

    #[test]
    fn the_url_is_built_on_the_parsed_base_and_the_api_version_header_goes() {
        let out = run(quote! {
            async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                let url = format!("{}/v1/{}/things", client.baseurl, seg(&id));
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                #[allow(unused_mut)]
                let mut request = client
                    .client
                    .get(url)
                    .header(ACCEPT, v)
                    .query(&progenitor_client::QueryParam::new("limit", &limit))
                    .query(&progenitor_client::QueryParam::new("offset", &offset))
                    .headers(header_map)
                    .build()?;
                client.pre(&mut request, &info).await?;
                ResponseValue::from_response(response).await
            }
        })
        .unwrap();
        assert!(
            out.contains("client\n        .inner\n        .url("),
            "{out}"
        );
        assert!(
            out.contains(r#".url(&["/v1/", &*(seg(&id)), "/things"])"#),
            "{out}"
        );
        assert!(!out.contains("baseurl"), "{out}");
        assert!(!out.contains("header_map"), "{out}");
        assert!(!out.contains("api-version"), "{out}");
        assert!(
            out.contains("client.client.get(url).header(ACCEPT, v).build()?"),
            "{out}"
        );
        // The parameters follow the request, in their order, before the hooks run.
        let at = |needle: &str| {
            out.find(needle)
                .unwrap_or_else(|| panic!("{needle}: {out}"))
        };
        let limit = at(r#"query_param(&mut request, "limit", &limit)"#);
        let offset = at(r#"query_param(&mut request, "offset", &offset)"#);
        let (built, pre) = (at(".build()?"), at("client.pre("));
        assert!(built < limit && limit < offset && offset < pre, "{out}");
        assert!(!out.contains("QueryParam"), "{out}");
        assert!(
            out.contains("::cloud_sdk_runtime::response_value(response)"),
            "{out}"
        );
    }

    #[test]
    fn a_header_map_with_other_headers_stays() {
        let out = run(quote! {
            async fn send(self) {
                let url = format!("{}/v1", client.baseurl);
                let mut header_map = HeaderMap::with_capacity(2usize);
                header_map.append(HeaderName::from_static("api-version"), v);
                header_map.append("X-Workspace-Id", w.to_string().try_into()?);
                let mut request = client.client.get(url).headers(header_map).build()?;
            }
        })
        .unwrap();
        assert!(!out.contains("api-version"), "{out}");
        assert!(
            out.contains(r#"header_map.append("X-Workspace-Id""#),
            "{out}"
        );
        assert!(out.contains(".headers(header_map)"), "{out}");
    }

    #[test]
    fn string_path_parameters_are_borrowed_and_others_formatted() {
        let out = run(quote! {
            pub struct Get<'a> {
                client: &'a super::Client,
                id: Result<::std::string::String, String>,
                n: Result<i64, String>,
            }
            impl<'a> Get<'a> {
                pub async fn send(self) {
                    let url = format!(
                        "{}/v1/{}/{}",
                        client.baseurl,
                        ::cloud_sdk_runtime::path_segment("id", &id.to_string())?,
                        ::cloud_sdk_runtime::path_segment("n", &n.to_string())?
                    );
                }
            }
        })
        .unwrap();
        assert!(out.contains(r#"path_segment("id", &id)"#), "{out}");
        assert!(
            out.contains(r#"path_segment("n", &n.to_string())"#),
            "{out}"
        );
    }

    #[test]
    fn a_field_is_borrowed_only_if_every_struct_of_that_name_holds_a_string_there() {
        let out = run(quote! {
            mod types {
                pub mod builder {
                    pub struct Get { id: Result<super::Id, String> }
                }
            }
            pub struct Get<'a> {
                client: &'a super::Client,
                id: Result<::std::string::String, String>,
            }
            impl<'a> Get<'a> {
                pub async fn send(self) {
                    let url = format!(
                        "{}/v1/{}",
                        client.baseurl,
                        ::cloud_sdk_runtime::path_segment("id", &id.to_string())?
                    );
                }
            }
        })
        .unwrap();
        assert!(
            out.contains(r#"path_segment("id", &id.to_string())"#),
            "{out}"
        );
    }

    #[test]
    fn unknown_shapes_are_errors() {
        let shapes = [
            quote! { fn send() { let url = concat!("a", client.baseurl); } },
            quote! { fn send() { let url = format!("{}/v1", other.baseurl); } },
            quote! { fn send() { let url = format!("https://x{}/v1", client.baseurl); } },
            quote! { fn send() { let x = 1; } },
            quote! { fn send() { let url = format!("{}/v1?x=1", client.baseurl); } },
            quote! { fn send() { let url = format!("{}/v1/{}/{}", client.baseurl, a); } },
            quote! { fn send() { let url = format!("{}/v1/{x}", client.baseurl, a); } },
            quote! {
                fn send() {
                    let url = format!("{}/v1", client.baseurl);
                    headers.append(from_static("api-version"), v);
                }
            },
            quote! {
                impl B {
                    fn send() {
                        let url = format!("{}/v1", client.baseurl);
                        client.client.get(format!("{}/v2", client.baseurl));
                    }
                }
            },
        ];
        for code in shapes {
            let text = code.to_string();
            assert!(run(code).is_err(), "accepted: {text}");
        }
    }
}
