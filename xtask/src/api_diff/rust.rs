//! The Rust side of `api-diff`: the public items of the crate the generator makes of a spec,
//! read with syn from the `lib.rs` it produces in memory, so that a Rust verdict says what the
//! generated code does (typify's and progenitor's own choices of types included) instead of
//! predicting it.
//!
//! Only the items that spec changes reach are kept, keyed by the names the specs use:
//! - `type <Schema>`: the kind of the generated type (`struct`, `struct(<T>)`, `enum`,
//!   `= <T>`), followed by ` #[non_exhaustive]` when it is;
//! - `type <Schema>.<json name>`: the Rust type of a public field (the name on the wire, read
//!   from `#[serde(rename)]`);
//! - `type <Schema>::<Variant>`: an enum variant and its fields;
//! - `client <method>`: a `Client` method that starts an operation, and the builder it returns;
//! - `<Builder>.<method>`: an operation builder's public method: for a setter, the `T` of its
//!   `impl TryInto<T>` argument; for any other method (the one that sends included), its
//!   signature;
//! - `<Builder>.outcome`: what the method that sends the operation gives, `<T> or <E>`: the
//!   success body's type and the error's (read from `call()`, or `send()` where that is the
//!   public one), whatever the shape of the signature around them.
//!
//! The items of an operation or schema whose spec did not change are compared too: what differs
//! there is the generator's doing, and needs its bump like a spec change (`generator_changes` in
//! `api_diff`). Constructors and mocks are left out: the vendor's macro in the runtime makes
//! them, and the runtime's version covers them.

use std::collections::BTreeMap;

use quote::ToTokens;
use serde::{Deserialize, Serialize};

use crate::spec::{LoadedApi, SpecError, naming};

/// The public items of a generated crate that the specs decide, as key and Rust text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Items(pub BTreeMap<String, String>);

/// What `generate_api` writes into headers and `Cargo.toml`; neither is read here.
const UNUSED_PROGENITOR_VERSION: &str = "";

impl Items {
    /// Generates `api`'s crate in memory and reads its public items.
    pub fn of_api(api: &LoadedApi) -> Result<Items, SpecError> {
        let files = crate::codegen::generate_api(
            api,
            UNUSED_PROGENITOR_VERSION,
            proc_macro2::TokenStream::new(),
        )?;
        let lib_rs = format!("generated/{}/src/lib.rs", api.name);
        let code = files
            .iter()
            .find(|f| f.path == lib_rs)
            .map(|f| f.contents.as_str())
            .ok_or_else(|| {
                api.error(format!(
                    "the generator wrote no {lib_rs}; this is a bug in xtask"
                ))
            })?;
        Items::of_code(code).map_err(|e| SpecError::new(lib_rs, None, e))
    }

    /// The items of a generated `lib.rs`.
    pub fn of_code(code: &str) -> Result<Items, String> {
        let file = syn::parse_file(code).map_err(|e| {
            format!("the generated code does not parse ({e}); this is a bug in xtask")
        })?;
        let mut out = BTreeMap::new();
        for item in &file.items {
            match item {
                syn::Item::Mod(m) if m.ident == "types" => {
                    for item in m.content.iter().flat_map(|(_, items)| items) {
                        type_items(item, &mut out);
                    }
                }
                syn::Item::Mod(m) if m.ident == "builder" => {
                    for item in m.content.iter().flat_map(|(_, items)| items) {
                        if let syn::Item::Impl(block) = item {
                            builder_methods(block, &mut out);
                        }
                    }
                }
                syn::Item::Impl(block) if block.trait_.is_none() => {
                    match self_name(block).as_deref() {
                        Some("Client") => client_methods(block, &mut out),
                        Some(_) if path_has(&block.self_ty, "builder") => {
                            builder_methods(block, &mut out)
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        Ok(Items(out))
    }

    /// The item under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Whether the generated type of `schema` exists (a replaced schema has none: its type is
    /// hand-written).
    pub fn has_type(&self, schema: &str) -> bool {
        self.0.contains_key(&type_key(schema))
    }

    /// Whether the generated type of `schema` is `#[non_exhaustive]`.
    pub fn non_exhaustive(&self, schema: &str) -> bool {
        self.get(&type_key(schema))
            .is_some_and(|t| t.ends_with(NON_EXHAUSTIVE))
    }

    /// The Rust type of a field of `schema`'s struct, by its name on the wire.
    pub fn field(&self, schema: &str, field: &str) -> Option<&str> {
        self.get(&format!("{}.{field}", type_key(schema)))
    }

    /// Everything generated for `schema`: its kind, fields and variants.
    pub fn type_with_members(&self, schema: &str) -> Vec<(&str, &str)> {
        let key = type_key(schema);
        let (fields, variants) = (format!("{key}."), format!("{key}::"));
        self.0
            .iter()
            .filter(|(k, _)| **k == key || k.starts_with(&fields) || k.starts_with(&variants))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// A public method of `operation`'s builder: for a setter, the type it converts into.
    pub fn builder_method(&self, operation: &str, method: &str) -> Option<&str> {
        self.get(&format!("{}.{method}", naming::pascal(operation)))
    }

    /// The setter of a parameter of `operation`, by its name in the spec.
    pub fn setter(&self, operation: &str, parameter: &str) -> Option<&str> {
        self.builder_method(operation, &naming::snake(parameter))
    }

    /// The success body's and the error's types of `operation`: `<T> or <E>`.
    pub fn outcome(&self, operation: &str) -> Option<&str> {
        self.builder_method(operation, OUTCOME)
    }
}

const NON_EXHAUSTIVE: &str = " #[non_exhaustive]";

/// The builder key of an operation's outcome.
pub const OUTCOME: &str = "outcome";

/// The public method that sends an operation: `call`, or `send` in a crate without `call`.
const SENDERS: [&str; 2] = ["call", "send"];

fn type_key(schema: &str) -> String {
    format!("type {schema}")
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// Rust tokens as compact text: `Option<String>`, not `:: std :: option :: Option < ...`
/// (proc-macro2 spaces every token; prettyplease prints whole files, not a type or signature).
fn text(tokens: &impl ToTokens) -> String {
    let raw = tokens.to_token_stream().to_string();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let last_word = out.rsplit(|c: char| !word(c)).next().unwrap_or_default();
            let after = chars.peek().copied();
            // Between two words, before a lifetime, and after a keyword that a path follows
            // (`pub ::x::T`, `impl ::std::future::Future`).
            let keep = !last_word.is_empty()
                && (after.is_some_and(|n| word(n) || n == '\'')
                    || (after == Some(':') && KEYWORDS.contains(&last_word)));
            if keep {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    // A trailing comma says nothing; neither do the standard library's paths.
    for (from, to) in [(",>", ">"), (",)", ")")] {
        out = out.replace(from, to);
    }
    for prefix in [
        "::std::option::",
        "::std::result::",
        "::std::string::",
        "::std::num::",
        "::std::vec::",
        "::std::collections::",
        "::std::boxed::",
    ] {
        out = out.replace(prefix, "");
    }
    out
}

/// Keywords that a path starting with `::` may follow.
const KEYWORDS: [&str; 6] = ["pub", "impl", "dyn", "mut", "as", "in"];

fn non_exhaustive(attrs: &[syn::Attribute]) -> &'static str {
    if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        NON_EXHAUSTIVE
    } else {
        ""
    }
}

/// The `#[serde(rename = "..")]` of a field, if any.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        // Other serde options (`default`, `skip_serializing_if = ".."`) are read and dropped.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let name: syn::LitStr = meta.value()?.parse()?;
                rename = Some(name.value());
            } else if let Ok(value) = meta.value() {
                value.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    rename
}

fn type_items(item: &syn::Item, out: &mut BTreeMap<String, String>) {
    match item {
        syn::Item::Struct(s) if is_pub(&s.vis) => {
            let key = type_key(&s.ident.to_string());
            let mark = non_exhaustive(&s.attrs);
            match &s.fields {
                syn::Fields::Named(fields) => {
                    out.insert(key.clone(), format!("struct{mark}"));
                    for f in fields.named.iter().filter(|f| is_pub(&f.vis)) {
                        let Some(ident) = &f.ident else { continue };
                        let name = serde_rename(&f.attrs).unwrap_or_else(|| {
                            ident.to_string().trim_start_matches("r#").to_owned()
                        });
                        out.insert(format!("{key}.{name}"), text(&f.ty));
                    }
                }
                fields => {
                    out.insert(key, format!("struct{}{mark}", text(fields)));
                }
            }
        }
        syn::Item::Enum(e) if is_pub(&e.vis) => {
            let key = type_key(&e.ident.to_string());
            out.insert(key.clone(), format!("enum{}", non_exhaustive(&e.attrs)));
            for v in &e.variants {
                out.insert(format!("{key}::{}", v.ident), text(&v.fields));
            }
        }
        syn::Item::Type(t) if is_pub(&t.vis) => {
            out.insert(type_key(&t.ident.to_string()), format!("= {}", text(&t.ty)));
        }
        _ => {}
    }
}

/// The last segment of an impl block's type: `Client`, `ShowVpcepConnection`.
fn self_name(block: &syn::ItemImpl) -> Option<String> {
    match &*block.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn path_has(ty: &syn::Type, segment: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.iter().any(|s| s.ident == segment))
}

fn pub_fns(block: &syn::ItemImpl) -> impl Iterator<Item = &syn::ImplItemFn> {
    block.items.iter().filter_map(|item| match item {
        syn::ImplItem::Fn(f) if is_pub(&f.vis) => Some(f),
        _ => None,
    })
}

/// `Client` methods that return an operation's builder.
fn client_methods(block: &syn::ItemImpl, out: &mut BTreeMap<String, String>) {
    for f in pub_fns(block) {
        if let syn::ReturnType::Type(_, ty) = &f.sig.output
            && path_has(ty, "builder")
        {
            out.insert(format!("client {}", f.sig.ident), text(ty));
        }
    }
}

fn builder_methods(block: &syn::ItemImpl, out: &mut BTreeMap<String, String>) {
    let Some(builder) = self_name(block) else {
        return;
    };
    for f in pub_fns(block) {
        let sig = &f.sig;
        // `new` takes the client: the same for every operation, reached through `Client`.
        if sig.ident == "new" {
            continue;
        }
        if SENDERS.iter().any(|s| sig.ident == s) {
            let syn::ReturnType::Type(_, ty) = &sig.output else {
                continue;
            };
            // `Result<Output<T>, ApiError<E>>`, or `Result<T, ApiError<E>>` as the first release had it.
            let success = type_arg(ty, &["Output", "ResponseValue"])
                .or_else(|| type_arg(ty, &["Result"]))
                .unwrap_or_default();
            let error = type_arg(ty, &["ApiError", "Error"]).unwrap_or_default();
            let key = format!("{builder}.{OUTCOME}");
            if sig.ident == SENDERS[0] || !out.contains_key(&key) {
                out.insert(key, format!("{success} or {error}"));
            }
        }
        let value = setter_target(sig).unwrap_or_else(|| {
            let inputs = sig.inputs.iter().map(text).collect::<Vec<_>>().join(",");
            // `fn(..) -> impl Future<Output = T>` is the same to a caller as `async fn(..) -> T`.
            let (asyncness, output) = match future_output(&sig.output) {
                Some(output) => (true, format!("->{}", text(output))),
                None => (sig.asyncness.is_some(), text(&sig.output)),
            };
            format!(
                "{}fn{}({inputs}){}{}",
                if asyncness { "async " } else { "" },
                text(&sig.generics),
                output,
                sig.generics
                    .where_clause
                    .as_ref()
                    .map(|w| format!(" {}", text(w)))
                    .unwrap_or_default()
            )
        });
        out.insert(format!("{builder}.{}", sig.ident), value);
    }
}

/// `T` of a return type `impl Future<Output = T>`.
fn future_output(output: &syn::ReturnType) -> Option<&syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::ImplTrait(t) = &**ty else {
        return None;
    };
    let [syn::TypeParamBound::Trait(bound)] = t.bounds.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let future = bound.path.segments.last().filter(|s| s.ident == "Future")?;
    let syn::PathArguments::AngleBracketed(args) = &future.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::AssocType(a) if a.ident == "Output" => Some(&a.ty),
        _ => None,
    })
}

/// The first type argument of the first path segment named one of `names` in `ty`, searched
/// depth first (`Result<Output<T>, ApiError<E>>`, `impl Future<Output = Result<..>>`).
fn type_arg(ty: &syn::Type, names: &[&str]) -> Option<String> {
    let in_path = |path: &syn::Path| path.segments.iter().find_map(|s| segment_arg(s, names));
    match ty {
        syn::Type::Path(p) => in_path(&p.path),
        syn::Type::ImplTrait(t) => t.bounds.iter().find_map(|b| match b {
            syn::TypeParamBound::Trait(t) => in_path(&t.path),
            _ => None,
        }),
        syn::Type::Paren(p) => type_arg(&p.elem, names),
        _ => None,
    }
}

fn segment_arg(segment: &syn::PathSegment, names: &[&str]) -> Option<String> {
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    if names.iter().any(|n| segment.ident == n)
        && let Some(syn::GenericArgument::Type(t)) = args.args.first()
    {
        return Some(text(t));
    }
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => type_arg(t, names),
        syn::GenericArgument::AssocType(a) => type_arg(&a.ty, names),
        _ => None,
    })
}

/// The `T` of a setter `fn name<V>(self, value: V) where V: TryInto<T>`.
fn setter_target(sig: &syn::Signature) -> Option<String> {
    let bounds = sig
        .generics
        .where_clause
        .iter()
        .flat_map(|w| &w.predicates)
        .filter_map(|p| match p {
            syn::WherePredicate::Type(t) => Some(&t.bounds),
            _ => None,
        })
        .chain(sig.generics.type_params().map(|p| &p.bounds));
    for bound in bounds.flatten() {
        let syn::TypeParamBound::Trait(t) = bound else {
            continue;
        };
        let Some(last) = t.path.segments.last() else {
            continue;
        };
        if last.ident != "TryInto" {
            continue;
        }
        if let syn::PathArguments::AngleBracketed(args) = &last.arguments
            && let Some(syn::GenericArgument::Type(target)) = args.args.first()
        {
            return Some(text(target));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = r#"
pub mod types {
    #[non_exhaustive]
    pub struct Thing {
        #[serde(rename = "maxSession", skip_serializing_if = "::std::option::Option::is_none")]
        pub max_session: ::std::option::Option<::std::num::NonZeroU32>,
        pub r#type: ::std::string::String,
        private: u8,
    }
    pub enum Phase { Up, Down, Other(::std::string::String) }
    pub struct Name(pub ::std::string::String);
    pub mod builder { pub struct Thing { pub ignored: u8 } }
}
pub struct Client { baseurl: String }
impl Client {
    pub fn new(baseurl: &str) -> Self { todo!() }
    pub fn create_thing(&self) -> builder::CreateThing<'_> { builder::CreateThing::new(self) }
}
pub mod builder {
    pub struct CreateThing<'a> { client: &'a super::Client }
    impl<'a> CreateThing<'a> {
        pub fn new(client: &'a super::Client) -> Self { todo!() }
        pub fn limit<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> { self }
        pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Error>> { todo!() }
    }
}
impl<'a> builder::CreateThing<'a> {
    pub fn call(self) -> impl Future<Output = Result<Output<types::Thing>, ApiError<types::Error>>> { todo!() }
}
pub mod mock { pub struct CreateThingWhen; }
"#;

    /// The first release's `call` returned the body itself, without `Output`.
    #[test]
    fn a_sender_without_output_gives_its_outcome() {
        let code = "pub mod builder { impl<'a> Op<'a> { pub async fn call(self) -> \
                    Result<types::Envelope, ::cloud_sdk_runtime::ApiError<types::Envelope>> \
                    { todo!() } } }";
        let items = Items::of_code(code).unwrap();
        assert_eq!(
            items.get("Op.outcome"),
            Some("types::Envelope or types::Envelope")
        );
    }

    #[test]
    fn reads_the_items_the_specs_decide() {
        let items = Items::of_code(CODE).unwrap();
        let keys: Vec<&str> = items.0.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "CreateThing.call",
                "CreateThing.limit",
                "CreateThing.outcome",
                "CreateThing.send",
                "client create_thing",
                "type Name",
                "type Phase",
                "type Phase::Down",
                "type Phase::Other",
                "type Phase::Up",
                "type Thing",
                "type Thing.maxSession",
                "type Thing.type",
            ]
        );
        assert_eq!(
            items.field("Thing", "maxSession"),
            Some("Option<NonZeroU32>")
        );
        assert!(items.non_exhaustive("Thing"));
        assert!(!items.non_exhaustive("Phase"));
        assert_eq!(items.setter("create_thing", "limit"), Some("i64"));
        assert_eq!(items.get("type Name"), Some("struct(pub String)"));
        // `call` gives the outcome where both send.
        assert_eq!(
            items.outcome("create_thing"),
            Some("types::Thing or types::Error")
        );
        assert_eq!(
            items.get("client create_thing"),
            Some("builder::CreateThing<'_>")
        );
        // The senders' signatures, `impl Future<Output = T>` read as `async`.
        assert_eq!(
            items.get("CreateThing.call"),
            Some("async fn(self)->Result<Output<types::Thing>,ApiError<types::Error>>")
        );
        assert_eq!(
            items.get("CreateThing.send"),
            Some("async fn(self)->Result<ResponseValue<types::Thing>,Error<types::Error>>")
        );
        assert_eq!(items.type_with_members("Phase").len(), 4);
    }

    #[test]
    fn code_that_does_not_parse_is_an_error() {
        let err = Items::of_code("pub struct {").unwrap_err();
        assert!(err.contains("does not parse"), "{err}");
    }
}
