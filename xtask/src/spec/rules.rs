//! The xtask's own structural rules for an OpenAPI 3.0 document, checked before anything else
//! reads it: every key is a keyword of the object it is in or one of the project's extensions
//! (`x-...`) where that extension means something, every keyword's value is of the kind the
//! keyword takes, every schema `type` is one of the six and every `format` one the generator
//! knows for it, enum values are of the schema's type, path parameters are required. The official JSON Schema says the same things, but its
//! answer to a typo is "not valid under any of the schemas listed in the 'oneOf' keyword" with
//! the whole object attached; here each problem gets its JSON pointer and one sentence on what
//! to write instead. The official schema still runs afterwards (see `oas_schema`) for anything
//! these rules do not cover.

use serde_json::{Map, Value};

/// One broken rule: where (RFC 6901 pointer into the document) and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer of the offending key or value.
    pub pointer: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

/// Checks a whole document; returns every violation found, in document order.
pub fn check(doc: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    walk(doc, Kind::Document, "", &mut out);
    out
}

/// The OpenAPI 3.0 object kinds these rules know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Document,
    Info,
    Server,
    ServerVariable,
    Paths,
    PathItem,
    Operation,
    ExternalDocs,
    Parameter,
    Header,
    RequestBody,
    MediaType,
    Responses,
    Response,
    Components,
    Schema,
    SecurityScheme,
    Example,
    Tag,
}

/// How a keyword's value is checked.
#[derive(Clone, Copy)]
enum Child {
    /// A value these rules do not look into (scalars, examples, and objects left to the
    /// official schema such as `discriminator` or `links`).
    Leaf,
    One(Kind),
    MapOf(Kind),
    ListOf(Kind),
}

use Child::{Leaf, ListOf, MapOf, One};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

const SCHEMA_TYPES: [&str; 6] = ["string", "integer", "number", "boolean", "array", "object"];

/// The `format`s the generator (typify, through progenitor) understands, per schema type. A
/// format outside these is not an error to typify: it quietly picks another Rust type (an
/// unknown integer format becomes `i64`), so a typo such as `uint33` changes the client.
/// `password`, `byte`, `binary`, `email`, `uri` and `hostname` are OpenAPI's documentary
/// formats of a string: the field stays a `String`.
const FORMATS: [(&str, &[&str]); 3] = [
    (
        "integer",
        &[
            "int8", "int16", "int32", "int64", "int", "uint8", "uint16", "uint32", "uint64", "uint",
        ],
    ),
    ("number", &["float", "double"]),
    (
        "string",
        &[
            "date",
            "date-time",
            "uuid",
            "ip",
            "ipv4",
            "ipv6",
            "password",
            "byte",
            "binary",
            "email",
            "uri",
            "hostname",
        ],
    ),
];

/// The spec extension that names a parameter's or body field's flag instead of its name.
pub const FLAG_EXTENSION: &str = "x-cli-flag";

/// What an extension's value is.
#[derive(Clone, Copy)]
enum ExtensionValue {
    Boolean,
    /// A non-empty string.
    Text,
    /// A list of property names of the same schema.
    PropertyNames,
    /// A reason, or a mapping of aspects or subjects to reasons (checked in full by the spec
    /// loader, which knows the aspects).
    Reasons,
    /// A command-line flag name in kebab case, without `--`.
    FlagName,
}

/// The extensions the xtask and `cargo xtask docs` read: name, the objects it means something
/// on, its value, and what it does (for messages). Any other `x-` key is a typo or a note that
/// nothing reads, and is refused: a misspelt `x-open-enum` would otherwise close the enum
/// without a word.
const EXTENSIONS: [(&str, &[Kind], ExtensionValue, &str); 5] = [
    (
        FLAG_EXTENSION,
        &[Kind::Parameter, Kind::Schema],
        ExtensionValue::FlagName,
        "the `cloudsdk` flag of a parameter or body field, instead of one made from its name",
    ),
    (
        "x-doc-deviation",
        &[Kind::Operation, Kind::Parameter, Kind::Schema],
        ExtensionValue::Reasons,
        "why the spec differs from the vendor's page",
    ),
    (
        "x-open-enum",
        &[Kind::Schema],
        ExtensionValue::Boolean,
        "a string enum that also accepts values the page does not list",
    ),
    (
        "x-require-one-of",
        &[Kind::Schema],
        ExtensionValue::PropertyNames,
        "request-body properties of which at least one must be set",
    ),
    (
        "x-source",
        &[
            Kind::Operation,
            Kind::Parameter,
            Kind::Response,
            Kind::MediaType,
            Kind::Schema,
        ],
        ExtensionValue::Text,
        "the key of the public source (in pages.toml) for facts the page does not show",
    ),
];

/// Keywords whose value is a number wherever they appear.
const NUMBER_KEYWORDS: [&str; 3] = ["multipleOf", "maximum", "minimum"];

/// Keywords whose value is a count (a whole number, zero or more) wherever they appear.
const COUNT_KEYWORDS: [&str; 6] = [
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
];

/// Keywords whose value is a string wherever they appear (property names are not keywords:
/// they are entries of `properties`, never looked up here).
const STRING_KEYWORDS: [&str; 8] = [
    "description",
    "summary",
    "title",
    "operationId",
    "pattern",
    "format",
    "name",
    "url",
];

fn keywords(kind: Kind) -> &'static [(&'static str, Child)] {
    match kind {
        Kind::Document => &[
            ("openapi", Leaf),
            ("info", One(Kind::Info)),
            ("servers", ListOf(Kind::Server)),
            ("paths", One(Kind::Paths)),
            ("components", One(Kind::Components)),
            ("security", Leaf),
            ("tags", ListOf(Kind::Tag)),
            ("externalDocs", One(Kind::ExternalDocs)),
        ],
        Kind::Info => &[
            ("title", Leaf),
            ("description", Leaf),
            ("termsOfService", Leaf),
            ("contact", Leaf),
            ("license", Leaf),
            ("version", Leaf),
        ],
        Kind::Server => &[
            ("url", Leaf),
            ("description", Leaf),
            ("variables", MapOf(Kind::ServerVariable)),
        ],
        Kind::ServerVariable => &[("enum", Leaf), ("default", Leaf), ("description", Leaf)],
        // Keys are paths; handled in `walk`.
        Kind::Paths | Kind::Responses => &[],
        Kind::PathItem => &[
            ("$ref", Leaf),
            ("summary", Leaf),
            ("description", Leaf),
            ("get", One(Kind::Operation)),
            ("put", One(Kind::Operation)),
            ("post", One(Kind::Operation)),
            ("delete", One(Kind::Operation)),
            ("options", One(Kind::Operation)),
            ("head", One(Kind::Operation)),
            ("patch", One(Kind::Operation)),
            ("trace", One(Kind::Operation)),
            ("servers", ListOf(Kind::Server)),
            ("parameters", ListOf(Kind::Parameter)),
        ],
        Kind::Operation => &[
            ("tags", Leaf),
            ("summary", Leaf),
            ("description", Leaf),
            ("externalDocs", One(Kind::ExternalDocs)),
            ("operationId", Leaf),
            ("parameters", ListOf(Kind::Parameter)),
            ("requestBody", One(Kind::RequestBody)),
            ("responses", One(Kind::Responses)),
            ("callbacks", Leaf),
            ("deprecated", Leaf),
            ("security", Leaf),
            ("servers", ListOf(Kind::Server)),
        ],
        Kind::ExternalDocs => &[("description", Leaf), ("url", Leaf)],
        Kind::Parameter => &[
            ("name", Leaf),
            ("in", Leaf),
            ("description", Leaf),
            ("required", Leaf),
            ("deprecated", Leaf),
            ("allowEmptyValue", Leaf),
            ("style", Leaf),
            ("explode", Leaf),
            ("allowReserved", Leaf),
            ("schema", One(Kind::Schema)),
            ("example", Leaf),
            ("examples", MapOf(Kind::Example)),
            ("content", MapOf(Kind::MediaType)),
        ],
        // A header is a parameter without `name` and `in`.
        Kind::Header => &keywords(Kind::Parameter)[2..],
        Kind::RequestBody => &[
            ("description", Leaf),
            ("content", MapOf(Kind::MediaType)),
            ("required", Leaf),
        ],
        Kind::MediaType => &[
            ("schema", One(Kind::Schema)),
            ("example", Leaf),
            ("examples", MapOf(Kind::Example)),
            ("encoding", Leaf),
        ],
        Kind::Response => &[
            ("description", Leaf),
            ("headers", MapOf(Kind::Header)),
            ("content", MapOf(Kind::MediaType)),
            ("links", Leaf),
        ],
        Kind::Components => &[
            ("schemas", MapOf(Kind::Schema)),
            ("responses", MapOf(Kind::Response)),
            ("parameters", MapOf(Kind::Parameter)),
            ("examples", MapOf(Kind::Example)),
            ("requestBodies", MapOf(Kind::RequestBody)),
            ("headers", MapOf(Kind::Header)),
            ("securitySchemes", MapOf(Kind::SecurityScheme)),
            ("links", Leaf),
            ("callbacks", Leaf),
        ],
        Kind::Schema => &[
            ("title", Leaf),
            ("multipleOf", Leaf),
            ("maximum", Leaf),
            ("exclusiveMaximum", Leaf),
            ("minimum", Leaf),
            ("exclusiveMinimum", Leaf),
            ("maxLength", Leaf),
            ("minLength", Leaf),
            ("pattern", Leaf),
            ("maxItems", Leaf),
            ("minItems", Leaf),
            ("uniqueItems", Leaf),
            ("maxProperties", Leaf),
            ("minProperties", Leaf),
            ("required", Leaf),
            ("enum", Leaf),
            ("type", Leaf),
            ("not", One(Kind::Schema)),
            ("allOf", ListOf(Kind::Schema)),
            ("oneOf", ListOf(Kind::Schema)),
            ("anyOf", ListOf(Kind::Schema)),
            ("items", One(Kind::Schema)),
            ("properties", MapOf(Kind::Schema)),
            ("additionalProperties", Leaf),
            ("description", Leaf),
            ("format", Leaf),
            ("default", Leaf),
            ("nullable", Leaf),
            ("discriminator", Leaf),
            ("readOnly", Leaf),
            ("writeOnly", Leaf),
            ("xml", Leaf),
            ("externalDocs", One(Kind::ExternalDocs)),
            ("example", Leaf),
            ("deprecated", Leaf),
        ],
        Kind::SecurityScheme => &[
            ("type", Leaf),
            ("description", Leaf),
            ("name", Leaf),
            ("in", Leaf),
            ("scheme", Leaf),
            ("bearerFormat", Leaf),
            ("flows", Leaf),
            ("openIdConnectUrl", Leaf),
        ],
        Kind::Example => &[
            ("summary", Leaf),
            ("description", Leaf),
            ("value", Leaf),
            ("externalValue", Leaf),
        ],
        Kind::Tag => &[
            ("name", Leaf),
            ("description", Leaf),
            ("externalDocs", One(Kind::ExternalDocs)),
        ],
    }
}

/// Keywords an object of `kind` must have (a `$ref` in their place counts for the object).
fn required(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Document => &["openapi", "info", "paths"],
        Kind::Info => &["title", "version"],
        Kind::Server => &["url"],
        Kind::ServerVariable => &["default"],
        Kind::Operation => &["responses"],
        Kind::ExternalDocs => &["url"],
        Kind::Parameter => &["name", "in"],
        Kind::RequestBody => &["content"],
        Kind::Response => &["description"],
        Kind::SecurityScheme => &["type"],
        Kind::Tag => &["name"],
        _ => &[],
    }
}

/// Keywords whose value is `true` or `false` wherever they appear.
const BOOLEAN_KEYWORDS: [&str; 10] = [
    "deprecated",
    "nullable",
    "readOnly",
    "writeOnly",
    "uniqueItems",
    "allowEmptyValue",
    "explode",
    "allowReserved",
    "exclusiveMinimum",
    "exclusiveMaximum",
];

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Document => "an OpenAPI document",
        Kind::Info => "`info`",
        Kind::Server => "a server",
        Kind::ServerVariable => "a server variable",
        Kind::Paths => "`paths`",
        Kind::PathItem => "a path item",
        Kind::Operation => "an operation",
        Kind::ExternalDocs => "`externalDocs`",
        Kind::Parameter => "a parameter",
        Kind::Header => "a header",
        Kind::RequestBody => "a request body",
        Kind::MediaType => "a media type",
        Kind::Responses => "`responses`",
        Kind::Response => "a response",
        Kind::Components => "`components`",
        Kind::Schema => "a schema",
        Kind::SecurityScheme => "a security scheme",
        Kind::Example => "an example",
        Kind::Tag => "a tag",
    }
}

/// The `components` section whose entries an object of `kind` may refer to, with `$ref`.
fn component_section(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Schema => Some("schemas"),
        Kind::Parameter => Some("parameters"),
        Kind::Response => Some("responses"),
        Kind::RequestBody => Some("requestBodies"),
        Kind::Header => Some("headers"),
        Kind::Example => Some("examples"),
        Kind::SecurityScheme => Some("securitySchemes"),
        _ => None,
    }
}

/// The object kind a `components` section holds.
fn section_kind(section: &str) -> Option<Kind> {
    [
        Kind::Schema,
        Kind::Parameter,
        Kind::Response,
        Kind::RequestBody,
        Kind::Header,
        Kind::Example,
        Kind::SecurityScheme,
    ]
    .into_iter()
    .find(|k| component_section(*k) == Some(section))
}

/// What is wrong with `$ref: target` standing for an object of `kind`, if anything. A
/// reference names one component of this API: `#/components/<section>/<Name>` in the same
/// document or `_common.yaml#/components/<section>/<Name>` in the shared one, `<section>` the
/// one that holds objects of `kind` (a response where a response belongs). Any other form
/// reaches the generator, which cannot read it.
fn reference_problem(kind: Kind, target: &Value) -> Option<String> {
    let common = crate::spec::COMMON_FILE;
    let Some(section) = component_section(kind) else {
        return Some(format!(
            "{} cannot be a `$ref` here: write it out in this document",
            name(kind)
        ));
    };
    let write = |file: &str, name: &str| format!("`$ref: '{file}#/components/{section}/{name}'`");
    let Some(target) = target.as_str() else {
        return Some(format!(
            "`$ref` takes text, found {}: write {}",
            describe(target),
            write(common, "<Name>")
        ));
    };
    let (file, fragment) = match target.split_once('#') {
        Some((file, fragment)) => (file, Some(fragment)),
        None => (target, None),
    };
    if !file.is_empty() && file != common {
        let name = target
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty() && !n.contains('#'));
        return Some(format!(
            "`$ref: '{target}'` points into another file: a reference names a component of this \
             API, shared in {common} or defined in this document: write {} and define it there",
            write(common, name.unwrap_or("<Name>"))
        ));
    }
    let Some(fragment) = fragment else {
        return Some(format!(
            "`$ref: '{target}'` names a whole file, not a component: write {}",
            write(file, "<Name>")
        ));
    };
    let Some(path) = fragment.strip_prefix('/') else {
        return Some(format!(
            "`$ref: '{target}'` lacks the `/` after `#`: write `$ref: '{file}#/{fragment}'`"
        ));
    };
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["components", s, component] if *s == section && !component.is_empty() => None,
        ["components", s, named] if !named.is_empty() && section_kind(s).is_some() => {
            let named = section_kind(s).map(name).unwrap_or_default();
            Some(format!(
                "`$ref: '{target}'` names {named} (components.{s}), but {} belongs here: refer \
                 to one under components.{section}, {}",
                name(kind),
                write(file, "<Name>")
            ))
        }
        ["components", _] | ["components", _, ""] => Some(format!(
            "`$ref: '{target}'` names a whole section, not one component: add the name, {}",
            write(file, "<Name>")
        )),
        _ => Some(format!(
            "`$ref: '{target}'` does not name a component: write {}",
            write(file, "<Name>")
        )),
    }
}

/// `pointer` with `/key` (escaped per RFC 6901) appended.
fn below(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", crate::spec::escape(key))
}

/// Records a violation at `pointer`.
fn push(out: &mut Vec<Violation>, pointer: &str, message: impl Into<String>) {
    out.push(Violation {
        pointer: pointer.to_owned(),
        message: message.into(),
    });
}

fn walk(v: &Value, kind: Kind, pointer: &str, out: &mut Vec<Violation>) {
    let Some(map) = v.as_object() else {
        let message = format!(
            "expected {} (a mapping of keywords), found {}: check the indentation",
            name(kind),
            describe(v)
        );
        return push(out, pointer, message);
    };
    // A reference stands for the object it names: here its form and the kind of component it
    // names, in the merge that it resolves. Its extensions are still read (`x-source` beside a
    // `$ref`), so they are still checked.
    if let Some(message) = map.get("$ref").and_then(|t| reference_problem(kind, t)) {
        push(out, &below(pointer, "$ref"), message);
    }
    if map.contains_key("$ref") && kind != Kind::PathItem {
        for (key, child) in map.iter().filter(|(k, _)| k.starts_with("x-")) {
            check_extension(kind, key, child, map, &below(pointer, key), out);
        }
        return;
    }
    match kind {
        Kind::Paths => {
            for (path, item) in map {
                let p = below(pointer, path);
                if path.starts_with('/') {
                    walk(item, Kind::PathItem, &p, out);
                } else if path.starts_with("x-") {
                    check_extension(kind, path, item, map, &p, out);
                } else {
                    let message = format!(
                        "`{path}` is not a path: paths start with `/` (is an operation indented one level too little?)"
                    );
                    push(out, &p, message);
                }
            }
            return;
        }
        Kind::Responses => {
            for (status, response) in map {
                let p = below(pointer, status);
                if is_status(status) {
                    walk(response, Kind::Response, &p, out);
                } else if status.starts_with("x-") {
                    check_extension(kind, status, response, map, &p, out);
                } else {
                    let message = format!(
                        "`{status}` is not a response status: write a code such as '200', a range such as 4XX, or `default`"
                    );
                    push(out, &p, message);
                }
            }
            return;
        }
        Kind::Schema => check_schema(map, pointer, out),
        Kind::Parameter => check_parameter(map, pointer, out),
        _ => {}
    }
    let table = keywords(kind);
    for key in required(kind) {
        // A misspelt keyword already has its own message.
        let misspelt = map.keys().any(|k| {
            !table.iter().any(|(t, _)| t == k) && closest(k, [*key].into_iter()).is_some()
        });
        // A parameter's missing `in` has its own message (`check_parameter`).
        let reported = kind == Kind::Parameter && *key == "in";
        if !(map.contains_key(*key) || misspelt || reported) {
            let message = format!(
                "{} needs `{key}`: add it (or check its indentation)",
                name(kind)
            );
            push(out, pointer, message);
        }
    }
    for (key, child) in map {
        let p = below(pointer, key);
        if key.starts_with("x-") {
            check_extension(kind, key, child, map, &p, out);
            continue;
        }
        let Some((_, how)) = table.iter().find(|(k, _)| k == key) else {
            push(out, &p, unknown_keyword(kind, key, child, table));
            continue;
        };
        if let Some(message) = keyword_value_problem(kind, key, child) {
            push(out, &p, message);
            continue;
        }
        match *how {
            Leaf => {}
            One(k) => walk(child, k, &p, out),
            MapOf(k) => match child.as_object() {
                Some(entries) => {
                    for (name, entry) in entries {
                        let p = below(&p, name);
                        if kind == Kind::Schema && key == "properties" && !entry.is_object() {
                            push(out, &p, bad_property(name, entry));
                        } else {
                            walk(entry, k, &p, out);
                        }
                    }
                }
                None => push(
                    out,
                    &p,
                    format!(
                        "`{key}` must be a mapping of names to entries, found {}",
                        describe(child)
                    ),
                ),
            },
            ListOf(k) => match child.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        walk(item, k, &below(&p, &i.to_string()), out);
                    }
                }
                None => push(
                    out,
                    &p,
                    format!(
                        "`{key}` must be a list (`- ` items), found {}",
                        describe(child)
                    ),
                ),
            },
        }
    }
}

fn is_status(s: &str) -> bool {
    s == "default"
        || (s.len() == 3
            && s.starts_with(['1', '2', '3', '4', '5'])
            && (s[1..].chars().all(|c| c.is_ascii_digit()) || &s[1..] == "XX"))
}

fn check_schema(map: &Map<String, Value>, pointer: &str, out: &mut Vec<Violation>) {
    if let Some(t) = map.get("type")
        && !t.as_str().is_some_and(|t| SCHEMA_TYPES.contains(&t))
    {
        let hint = t
            .as_str()
            .and_then(|t| closest(t, SCHEMA_TYPES.iter().copied()))
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        let message = format!(
            "unknown type {}{hint}: write one of string, integer, number, boolean, array, object",
            describe(t)
        );
        push(out, &below(pointer, "type"), message);
    }
    if let Some(r) = map.get("required")
        && !r
            .as_array()
            .is_some_and(|names| names.iter().all(Value::is_string))
    {
        let message = format!(
            "in a schema, `required` is the list of required property names, found {}: \
             list this property's name in its object's `required`",
            describe(r)
        );
        push(out, &below(pointer, "required"), message);
    }
    let ty = map
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| SCHEMA_TYPES.contains(t));
    let nullable = map.get("nullable") == Some(&Value::Bool(true));
    if let Some(format) = map.get("format").and_then(Value::as_str)
        && let Some(message) = format_problem(ty, format)
    {
        push(out, &below(pointer, "format"), message);
    }
    match map.get("enum") {
        None => {}
        Some(Value::Array(values)) if !values.is_empty() => {
            for (i, v) in values.iter().enumerate() {
                if let Some(ty) = ty
                    && !fits(ty, v, nullable)
                {
                    let message = format!(
                        "enum value {} is not {}, the schema's type: {}",
                        describe(v),
                        a_type(ty),
                        fix_for(ty, v)
                    );
                    push(out, &format!("{pointer}/enum/{i}"), message);
                }
            }
        }
        Some(other) => push(
            out,
            &below(pointer, "enum"),
            format!(
                "`enum` is a list of the allowed values (`- value` items), found {}",
                describe(other)
            ),
        ),
    }
    if let (Some(ty), Some(default)) = (ty, map.get("default"))
        && !fits(ty, default, nullable)
    {
        let message = format!(
            "default {} is not {}, the schema's type: {}",
            describe(default),
            a_type(ty),
            fix_for(ty, default)
        );
        push(out, &below(pointer, "default"), message);
    }
    if let Some(open) = map.get("x-open-enum")
        && open == &Value::Bool(true)
        && (ty != Some("string") || !map.get("enum").is_some_and(Value::is_array))
    {
        push(
            out,
            &below(pointer, "x-open-enum"),
            "`x-open-enum: true` makes a string enum open: the schema needs `type: string` and an `enum` list of the documented values",
        );
    }
    match map.get("additionalProperties") {
        None | Some(Value::Bool(_)) => {}
        Some(schema @ Value::Object(_)) => walk(
            schema,
            Kind::Schema,
            &below(pointer, "additionalProperties"),
            out,
        ),
        Some(other) => push(
            out,
            &below(pointer, "additionalProperties"),
            format!(
                "`additionalProperties` is true, false or the schema of the values, found {}",
                describe(other)
            ),
        ),
    }
}

/// What is wrong with `format` on a schema of type `ty` (`None`: no type, or an unknown one,
/// which has its own message).
fn format_problem(ty: Option<&str>, format: &str) -> Option<String> {
    let known_for = |t: &str| {
        FORMATS
            .iter()
            .find(|(name, _)| *name == t)
            .map_or(&[][..], |(_, formats)| *formats)
    };
    match ty {
        Some(t @ ("integer" | "number" | "string")) => {
            let formats = known_for(t);
            if formats.contains(&format) {
                return None;
            }
            let elsewhere = FORMATS
                .iter()
                .find(|(_, formats)| formats.contains(&format))
                .map(|(other, _)| *other);
            Some(match elsewhere {
                Some(other) => format!(
                    "format `{format}` is a format of {}, and this schema is {}: fix `type` or `format`",
                    a_type(other),
                    a_type(t)
                ),
                None => {
                    let hint = closest(format, formats.iter().copied())
                        .map(|near| format!(" (did you mean `{near}`?)"))
                        .unwrap_or_default();
                    format!(
                        "unknown format `{format}` for {}{hint}: write one of {}, or remove `format`",
                        a_type(t),
                        formats.join(", ")
                    )
                }
            })
        }
        Some(t) => Some(format!(
            "`format` means nothing on {}: remove it",
            a_type(t)
        )),
        None => {
            let all = FORMATS
                .iter()
                .flat_map(|(_, formats)| formats.iter().copied());
            if all.clone().any(|f| f == format) {
                return None;
            }
            let hint = closest(format, all.clone())
                .map(|near| format!(" (did you mean `{near}`?)"))
                .unwrap_or_default();
            Some(format!(
                "unknown format `{format}`{hint}: give the schema a `type` and one of its formats, or remove `format`"
            ))
        }
    }
}

/// Whether `v` is a value of schema type `ty`.
fn fits(ty: &str, v: &Value, nullable: bool) -> bool {
    match v {
        Value::Null => nullable,
        Value::String(_) => ty == "string",
        Value::Number(n) => ty == "number" || (ty == "integer" && (n.is_i64() || n.is_u64())),
        Value::Bool(_) => ty == "boolean",
        Value::Array(_) => ty == "array",
        Value::Object(_) => ty == "object",
    }
}

/// "a string", "an integer", ...
fn a_type(ty: &str) -> String {
    match ty {
        "integer" | "array" | "object" => format!("an {ty}"),
        _ => format!("a {ty}"),
    }
}

/// What to write instead of `v` where a value of type `ty` belongs.
fn fix_for(ty: &str, v: &Value) -> String {
    match (ty, v) {
        ("string", Value::Number(_) | Value::Bool(_)) => {
            format!("quote it (`'{}'`)", plain(v))
        }
        ("string", Value::Null) | (_, Value::Null) => {
            "add `nullable: true` to the schema, or remove the null".to_owned()
        }
        _ => format!("write {} or change the schema's `type`", a_type(ty)),
    }
}

/// What is wrong with the value of keyword `key` (a keyword of `kind`), if its kind of value
/// is fixed: true or false, a number, a count, a string.
fn keyword_value_problem(kind: Kind, key: &str, value: &Value) -> Option<String> {
    if BOOLEAN_KEYWORDS.contains(&key) && !value.is_boolean() {
        return Some(format!(
            "`{key}` is true or false, found {}: write `{key}: true` or `{key}: false`",
            describe(value)
        ));
    }
    if NUMBER_KEYWORDS.contains(&key) && !value.is_number() {
        return Some(format!(
            "`{key}` is a number, found {}: write the bound as a plain number (`{key}: 100`), or remove it",
            describe(value)
        ));
    }
    if key == "multipleOf" && value.as_f64().is_some_and(|n| n <= 0.0) {
        return Some(format!(
            "`multipleOf` is a number greater than 0, found {}",
            describe(value)
        ));
    }
    if COUNT_KEYWORDS.contains(&key) && value.as_u64().is_none() {
        return Some(format!(
            "`{key}` is a whole number, zero or more, found {}: write it like `{key}: 64`, or remove it",
            describe(value)
        ));
    }
    let is_string_keyword = STRING_KEYWORDS.contains(&key)
        || (kind == Kind::Info && key == "version")
        || (kind == Kind::Document && key == "openapi");
    if is_string_keyword && !value.is_string() {
        return Some(format!(
            "`{key}` is a string, found {}: quote it (`{key}: '{}'`)",
            describe(value),
            plain(value)
        ));
    }
    None
}

/// A scalar as it would be written between quotes; for a list or mapping, `...`.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        Value::Array(_) | Value::Object(_) => "...".to_owned(),
    }
}

/// An `x-` key of an object of `kind` (whose keywords are `map`): one of the project's
/// extensions, on an object it means something on, with a value of its kind.
fn check_extension(
    kind: Kind,
    key: &str,
    value: &Value,
    map: &Map<String, Value>,
    pointer: &str,
    out: &mut Vec<Violation>,
) {
    let mut report = |message: String| push(out, pointer, message);
    let Some((_, kinds, expected, what)) = EXTENSIONS.iter().find(|(name, ..)| *name == key) else {
        let names: Vec<&str> = EXTENSIONS.iter().map(|(name, ..)| *name).collect();
        report(match closest(key, names.iter().copied()) {
            Some(near) => format!("unknown extension `{key}`: did you mean `{near}`?"),
            None => format!(
                "unknown extension `{key}`: nothing reads it; the extensions of this project are {}: correct the name or remove the key",
                names.join(", ")
            ),
        });
        return;
    };
    if !kinds.contains(&kind) {
        let places: Vec<&str> = kinds.iter().map(|k| name(*k)).collect();
        report(format!(
            "`{key}` ({what}) means nothing on {}: it belongs on {}",
            name(kind),
            places.join(", ")
        ));
        return;
    }
    // The generator reads `x-open-enum` on a component schema of its own (`open_enum::find`):
    // inline, or beside a `$ref`, the enum would stay closed without a word.
    let component = matches!(
        pointer.split('/').collect::<Vec<_>>()[..],
        ["", "components", "schemas", _, _]
    );
    if key == "x-open-enum"
        && value == &Value::Bool(true)
        && (!component || map.contains_key("$ref"))
    {
        report(format!(
            "`{key}` is read on a schema of `components.schemas` only, where it is not a `$ref`: \
             here the enum stays closed; move the enum to `components.schemas` under a name of \
             its own and `$ref` it from here"
        ));
        return;
    }
    // `x-require-one-of` likewise, on the component schema a request body names (the rest is
    // checked on the merged API, which knows the bodies).
    if key == "x-require-one-of" && (!component || map.contains_key("$ref")) {
        report(format!(
            "`{key}` is read on a schema of `components.schemas` that an operation's request \
             body names: here nothing checks it; move it to that schema"
        ));
        return;
    }
    match expected {
        ExtensionValue::Boolean if !value.is_boolean() => report(format!(
            "`{key}` is true or false, found {}: write `{key}: true`",
            describe(value)
        )),
        ExtensionValue::Text if value.as_str().is_none_or(|s| s.trim().is_empty()) => {
            report(format!(
                "`{key}` is the name of a source (a key of the operation's `sources` in pages.toml), found {}",
                describe(value)
            ))
        }
        ExtensionValue::FlagName if !value.as_str().is_some_and(is_flag_name) => report(format!(
            "`{key}` is a flag name in kebab case without `--` (like `all-sources`), found {}",
            describe(value)
        )),
        ExtensionValue::Reasons if !(value.is_string() || value.is_object()) => report(format!(
            "`{key}` is a reason (a string) or a mapping from aspect to reason, found {}",
            describe(value)
        )),
        ExtensionValue::PropertyNames => {
            let properties = map.get("properties").and_then(Value::as_object);
            match value.as_array() {
                Some(names) if !names.is_empty() => {
                    for name in names {
                        let known = name
                            .as_str()
                            .is_some_and(|n| properties.is_some_and(|p| p.contains_key(n)));
                        if !known {
                            let listed = properties
                                .map(|p| p.keys().cloned().collect::<Vec<_>>().join(", "))
                                .unwrap_or_default();
                            report(format!(
                                "`{key}` lists {}, which is not a property of this schema: name properties of its `properties` ({listed})",
                                describe(name)
                            ));
                        }
                    }
                }
                _ => report(format!(
                    "`{key}` is a list of this schema's property names (`- name` items), found {}",
                    describe(value)
                )),
            }
        }
        _ => {}
    }
}

fn check_parameter(map: &Map<String, Value>, pointer: &str, out: &mut Vec<Violation>) {
    let location = map.get("in").and_then(Value::as_str);
    if !matches!(location, Some("path" | "query" | "header" | "cookie")) {
        let found = map.get("in").map_or("missing".to_owned(), describe);
        let message =
            format!("parameter location {found}: write `in:` path, query, header or cookie");
        push(out, &below(pointer, "in"), message);
    }
    // What progenitor generates: it refuses the rest with a message that names no file or
    // parameter, or (`explode`) ignores it and sends something else.
    if location == Some("cookie") {
        push(
            out,
            &below(pointer, "in"),
            "the generator makes no cookie parameters: write `in: header` if the vendor also \
             takes it as a header, or leave the parameter out and give the reason in the \
             operation's `x-doc-deviation`",
        );
    }
    let style = match location {
        Some("query") => Some("form"),
        Some("path" | "header") => Some("simple"),
        _ => None,
    };
    if let (Some(style), Some(found)) = (style, map.get("style"))
        && found.as_str() != Some(style)
    {
        let message = format!(
            "a {} parameter is sent in `style: {style}` only (found {}): write `style: {style}` or remove `style`",
            location.unwrap_or_default(),
            describe(found)
        );
        push(out, &below(pointer, "style"), message);
    }
    // `explode` changes how a list or an object is written; a single value is `name=value`
    // either way. A `$ref`'d schema is not looked up here: it may be a list.
    let one_value = map
        .get("schema")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|t| matches!(t, "string" | "integer" | "number" | "boolean"));
    if location == Some("query") && map.get("explode") == Some(&Value::Bool(false)) && !one_value {
        push(
            out,
            &below(pointer, "explode"),
            "the generated client sends a query list as one `name=value` pair per item \
             (`explode: true`): remove `explode: false`",
        );
    }
    if map.contains_key("content") {
        push(
            out,
            &below(pointer, "content"),
            "the generator reads a parameter's type from `schema:` only: write the schema of \
             `content`'s media type as the parameter's `schema:`",
        );
    }
    if let Some(other) = map.get("required").filter(|r| !r.is_boolean()) {
        let message = format!(
            "`required` of a parameter is true or false, found {}",
            describe(other)
        );
        push(out, &below(pointer, "required"), message);
    }
    // A misspelt `required` already has its own message.
    let misspelt = !map.contains_key("required")
        && map
            .keys()
            .any(|k| closest(k, ["required"].into_iter()).is_some());
    if location == Some("path") && map.get("required") != Some(&Value::Bool(true)) && !misspelt {
        // progenitor asserts this; without the rule a typo in `required` ends in a panic.
        let place = if map.contains_key("required") {
            "required"
        } else {
            "name"
        };
        push(
            out,
            &below(pointer, place),
            "a path parameter must have `required: true`",
        );
    }
}

fn unknown_keyword(kind: Kind, key: &str, value: &Value, table: &[(&str, Child)]) -> String {
    if let Some(near) = closest(key, table.iter().map(|(k, _)| *k)) {
        return format!(
            "`{key}` is not a keyword of {}: did you mean `{near}`?",
            name(kind)
        );
    }
    let looks_like_schema = value.as_object().is_some_and(|m| {
        ["type", "$ref", "properties", "items", "oneOf", "allOf"]
            .iter()
            .any(|k| m.contains_key(*k))
    });
    match kind {
        Kind::Schema if looks_like_schema => format!(
            "`{key}` is not a keyword of a schema but looks like a property: indent it as an entry under `properties:`"
        ),
        Kind::PathItem if METHODS.contains(&key.to_lowercase().as_str()) => {
            format!("`{key}`: HTTP methods are written in lower case")
        }
        _ => {
            let mut known: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
            known.truncate(12);
            format!(
                "`{key}` is not a keyword of {} (check spelling and indentation; extensions start with `x-`); known: {}",
                name(kind),
                known.join(", ")
            )
        }
    }
}

fn bad_property(name: &str, value: &Value) -> String {
    match value {
        Value::Null => format!(
            "property `{name}` has no schema: indent its keywords (type, description, ...) under it"
        ),
        other => format!(
            "property `{name}` is {} instead of a schema: is it a keyword of the property above, indented one level too little?",
            describe(other)
        ),
    }
}

/// A flag name as `cloudsdk` takes it: kebab case (lower-case letters, digits, `-`), starting
/// with a letter, without `--`.
pub(crate) fn is_flag_name(flag: &str) -> bool {
    flag.starts_with(|c: char| c.is_ascii_lowercase())
        && flag
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A short description of a value for a message: never the whole value.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(s) if s.chars().count() <= 40 => format!("`{s}`"),
        Value::String(_) => "a long string".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// The candidate within a small edit distance of `word`, for "did you mean".
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = if word.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance; the words are keywords, a few characters long.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{check, edit_distance};

    #[test]
    fn references_name_one_component_of_the_kind_that_belongs_there() {
        // Each `$ref` placed where a schema, a response and a parameter belong.
        let messages = |schema: &str, response: &str, parameter: &str| -> Vec<(String, String)> {
            let doc = json!({
                "openapi": "3.0.3",
                "info": { "title": "t", "version": "1" },
                "paths": { "/x": { "get": {
                    "parameters": [{ "$ref": parameter }],
                    "responses": {
                        "200": { "description": "ok", "content": {
                            "application/json": { "schema": { "$ref": schema } }
                        } },
                        "4XX": { "$ref": response }
                    }
                } } }
            });
            check(&doc)
                .into_iter()
                .map(|v| (v.pointer, v.message))
                .collect()
        };
        let ok = messages(
            "#/components/schemas/S",
            "_common.yaml#/components/responses/E",
            "_common.yaml#/components/parameters/P",
        );
        assert_eq!(ok, vec![]);
        let schema_at = "/paths/~1x/get/responses/200/content/application~1json/schema/$ref";
        let cases = [
            (
                "../other/_common.yaml#/components/schemas/S",
                "points into another file",
                "`$ref: '_common.yaml#/components/schemas/S'`",
            ),
            (
                "_common.yaml",
                "names a whole file",
                "`$ref: '_common.yaml#/components/schemas/<Name>'`",
            ),
            (
                "_common.yaml#/components/responses/E",
                "names a response (components.responses), but a schema belongs here",
                "`$ref: '_common.yaml#/components/schemas/<Name>'`",
            ),
            (
                "_common.yaml#/components/schemas",
                "names a whole section",
                "`$ref: '_common.yaml#/components/schemas/<Name>'`",
            ),
            (
                "#components/schemas/S",
                "lacks the `/` after `#`",
                "`$ref: '#/components/schemas/S'`",
            ),
            (
                "#/paths/~1x",
                "does not name a component",
                "`$ref: '#/components/schemas/<Name>'`",
            ),
        ];
        for (target, problem, write) in cases {
            let found = messages(
                target,
                "_common.yaml#/components/responses/E",
                "_common.yaml#/components/parameters/P",
            );
            assert_eq!(found.len(), 1, "{target}: {found:?}");
            let (pointer, message) = &found[0];
            assert_eq!(pointer, schema_at, "{target}");
            assert!(message.contains(problem), "{target}: {message}");
            assert!(message.contains(write), "{target}: {message}");
        }
        // A schema where a response or a parameter belongs is refused as well.
        let found = messages(
            "#/components/schemas/S",
            "_common.yaml#/components/schemas/E",
            "#/components/schemas/P",
        );
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/paths/~1x/get/parameters/0/$ref",
                "/paths/~1x/get/responses/4XX/$ref"
            ],
            "{found:?}"
        );
        assert!(
            found[0].1.contains("but a parameter belongs here"),
            "{found:?}"
        );
        assert!(
            found[1].1.contains("but a response belongs here"),
            "{found:?}"
        );
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("requred", "required"), 1);
        assert_eq!(edit_distance("strng", "string"), 1);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    /// The messages for `schema` placed as a component schema of an otherwise valid document.
    fn schema_messages(schema: serde_json::Value) -> Vec<(String, String)> {
        let doc = json!({
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1" },
            "paths": {},
            "components": { "schemas": { "S": schema } }
        });
        check(&doc)
            .into_iter()
            .map(|v| (v.pointer, v.message))
            .collect()
    }

    #[test]
    fn extensions_are_ours_where_they_mean_something_with_values_of_their_kind() {
        let ok = schema_messages(json!({
            "type": "object",
            "x-source": "go-sdk",
            "x-doc-deviation": { "type": "reason" },
            "x-require-one-of": ["a"],
            "properties": { "a": { "type": "string", "enum": ["x"], "x-cli-flag": "a-2" } }
        }));
        assert_eq!(ok, vec![]);
        let found = schema_messages(json!({
            "type": "object",
            "x-source": "",
            "x-require-one-of": ["b"],
            "x-nothing": 1,
            "properties": {
                "a": { "type": "string", "x-open-enum": "yes", "enum": ["x"] },
                "c": { "type": "integer", "x-open-enum": true },
                "d": { "type": "string", "x-cli-flag": "--All" }
            }
        }));
        let at = |pointer: &str| {
            found
                .iter()
                .filter(|(p, _)| p == pointer)
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        assert!(
            at("/components/schemas/S/x-source").contains("name of a source"),
            "{found:?}"
        );
        assert!(
            at("/components/schemas/S/x-require-one-of").contains("`b`"),
            "{found:?}"
        );
        assert!(
            at("/components/schemas/S/x-nothing").contains("x-open-enum"),
            "{found:?}"
        );
        assert!(
            at("/components/schemas/S/properties/a/x-open-enum").contains("true or false"),
            "{found:?}"
        );
        assert!(
            at("/components/schemas/S/properties/c/x-open-enum").contains("`enum` list"),
            "{found:?}"
        );
        assert!(
            at("/components/schemas/S/properties/d/x-cli-flag").contains("kebab case"),
            "{found:?}"
        );
        // An extension of a schema, on a response.
        let doc = json!({
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1", "x-source": "a" },
            "paths": { "/a": { "get": { "responses": {
                "200": { "description": "ok", "x-open-enum": true, "x-source": "a" }
            } } } }
        });
        let found = check(&doc);
        let pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(
            pointers.len(),
            2,
            "x-source on info and x-open-enum on a response: {found:?}"
        );
        assert!(
            found.iter().all(|v| v.message.contains("means nothing on")),
            "{found:?}"
        );
    }

    #[test]
    fn a_require_one_of_rule_stands_on_a_component_schema() {
        let found = schema_messages(json!({
            "type": "object",
            "properties": {
                "a": { "type": "object", "x-require-one-of": ["b"], "properties": { "b": { "type": "string" } } }
            }
        }));
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            ["/components/schemas/S/properties/a/x-require-one-of"],
            "{found:?}"
        );
        assert!(found[0].1.contains("request body"), "{found:?}");
    }

    #[test]
    fn an_open_enum_is_a_component_schema_of_its_own() {
        // The generator makes open enums of component schemas only: anywhere else the flag
        // would leave the enum closed without a word.
        let open = json!({ "type": "string", "enum": ["x"], "x-open-enum": true });
        assert_eq!(schema_messages(open.clone()), vec![]);
        let found = schema_messages(json!({
            "type": "object",
            "properties": {
                "a": open,
                "b": { "type": "array", "items": open },
                "c": { "$ref": "#/components/schemas/S", "x-open-enum": true },
                "d": { "type": "string", "enum": ["x"], "x-open-enum": false }
            }
        }));
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/components/schemas/S/properties/a/x-open-enum",
                "/components/schemas/S/properties/b/items/x-open-enum",
                "/components/schemas/S/properties/c/x-open-enum",
            ],
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .all(|(_, m)| m.contains("components.schemas") && m.contains("$ref")),
            "{found:?}"
        );
    }

    #[test]
    fn explode_false_on_a_query_parameter_of_one_value_is_accepted() {
        // `explode` changes how a list or an object is written, not a single value: the
        // client's `name=value` is what `explode: false` asks for there.
        let doc = |schema: serde_json::Value| {
            json!({
                "openapi": "3.0.3",
                "info": { "title": "t", "version": "1" },
                "paths": { "/a": { "get": {
                    "parameters": [
                        { "name": "q", "in": "query", "style": "form", "explode": false, "schema": schema }
                    ],
                    "responses": { "200": { "description": "ok" } }
                } } }
            })
        };
        for scalar in ["string", "integer", "number", "boolean"] {
            let found = check(&doc(json!({ "type": scalar })));
            assert_eq!(found.len(), 0, "{scalar}: {found:?}");
        }
        for many in [
            json!({ "type": "array", "items": { "type": "string" } }),
            json!({ "type": "object" }),
            json!({ "$ref": "#/components/schemas/Ids" }),
        ] {
            let found = check(&doc(many.clone()));
            let pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
            assert_eq!(
                pointers,
                ["/paths/~1a/get/parameters/0/explode"],
                "{many}: {found:?}"
            );
        }
    }

    #[test]
    fn formats_and_values_are_of_the_schemas_type() {
        let found = schema_messages(json!({
            "type": "object",
            "properties": {
                "a": { "type": "integer", "format": "int32", "minimum": 0, "maxLength": 3 },
                "b": { "type": "string", "format": "int64" },
                "c": { "type": "boolean", "format": "int32" },
                "d": { "type": "integer", "default": "ten", "minimum": "0" },
                "e": { "type": "string", "enum": ["a", null], "nullable": true, "maxLength": -1 },
                "f": { "type": "number", "format": "doubel", "multipleOf": 0 },
                "g": { "type": "object", "additionalProperties": { "type": "strng" } },
                "h": { "type": "string", "description": 3 }
            }
        }));
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        let base = "/components/schemas/S/properties";
        assert_eq!(
            pointers,
            [
                "b/format",
                "c/format",
                "d/default",
                "d/minimum",
                "e/maxLength",
                "f/format",
                "f/multipleOf",
                "g/additionalProperties/type",
                "h/description",
            ]
            .map(|p| format!("{base}/{p}")),
            "{found:?}"
        );
        assert!(found[0].1.contains("a format of an integer"), "{found:?}");
        assert!(found[5].1.contains("did you mean `double`"), "{found:?}");
    }

    #[test]
    fn a_valid_document_passes_and_typos_are_named() {
        let mut doc = json!({
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1" },
            "paths": { "/a/{id}": { "get": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": { "200": { "description": "ok" } }
            } } }
        });
        assert_eq!(check(&doc), vec![]);
        doc["paths"]["/a/{id}"]["get"]["parameters"][0]["requred"] = json!(true);
        doc["paths"]["/a/{id}"]["get"]["parameters"][0]["schema"]["type"] = json!("strng");
        let found = check(&doc);
        // Key order depends on serde_json's `preserve_order`; the specs' keys are sorted.
        let mut pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
        pointers.sort();
        assert_eq!(
            pointers,
            [
                "/paths/~1a~1{id}/get/parameters/0/requred",
                "/paths/~1a~1{id}/get/parameters/0/schema/type",
            ],
            "{found:?}"
        );
    }

    #[test]
    fn parameters_are_of_the_kinds_progenitor_generates() {
        // progenitor refuses cookie parameters, styles other than a location's default and
        // `content` in place of `schema` with a message that names no file, parameter or fix,
        // and sends a query array exploded whatever `explode` says.
        let doc = |parameter: serde_json::Value| {
            json!({
                "openapi": "3.0.3",
                "info": { "title": "t", "version": "1" },
                "paths": { "/a/{id}": { "get": {
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "style": "simple", "schema": { "type": "string" } },
                        parameter
                    ],
                    "responses": { "200": { "description": "ok" } }
                } } }
            })
        };
        let string = json!({ "type": "string" });
        let messages = |parameter: serde_json::Value| -> Vec<(String, String)> {
            check(&doc(parameter))
                .into_iter()
                .map(|v| (v.pointer, v.message))
                .collect()
        };
        let at = "/paths/~1a~1{id}/get/parameters/1";
        for fine in [
            json!({ "name": "q", "in": "query", "style": "form", "explode": true, "schema": string }),
            json!({ "name": "H", "in": "header", "style": "simple", "schema": string }),
        ] {
            assert_eq!(messages(fine), vec![]);
        }
        for (parameter, place, words) in [
            (
                json!({ "name": "c", "in": "cookie", "schema": string }),
                "in",
                "`in: header`",
            ),
            (
                json!({ "name": "q", "in": "query", "style": "deepObject", "schema": string }),
                "style",
                "`style: form`",
            ),
            (
                json!({ "name": "H", "in": "header", "style": "form", "schema": string }),
                "style",
                "`style: simple`",
            ),
            (
                json!({ "name": "q", "in": "query", "explode": false, "schema": { "type": "array", "items": string } }),
                "explode",
                "remove `explode: false`",
            ),
            (
                json!({ "name": "q", "in": "query", "content": { "application/json": { "schema": string } } }),
                "content",
                "`schema:`",
            ),
        ] {
            let found = messages(parameter);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].0, format!("{at}/{place}"), "{found:?}");
            assert!(found[0].1.contains(words), "{found:?}");
        }
    }
}
