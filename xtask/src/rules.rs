//! The xtask's own structural rules for an OpenAPI 3.0 document, checked before anything else
//! reads it: every key is a keyword of the object it is in, every schema `type` is one of the
//! six, path parameters are required. The official JSON Schema says the same things, but its
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
    walk(doc, Kind::Document, &mut String::new(), &mut out);
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
        Kind::Header => &[
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

/// Appends `/key` (escaped per RFC 6901) to `pointer` for the duration of `f`.
fn with_key(pointer: &mut String, key: &str, f: impl FnOnce(&mut String)) {
    let len = pointer.len();
    pointer.push('/');
    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
    f(pointer);
    pointer.truncate(len);
}

fn walk(v: &Value, kind: Kind, pointer: &mut String, out: &mut Vec<Violation>) {
    let Some(map) = v.as_object() else {
        out.push(Violation {
            pointer: pointer.clone(),
            message: format!(
                "expected {} (a mapping of keywords), found {}: check the indentation",
                name(kind),
                describe(v)
            ),
        });
        return;
    };
    // A reference stands for the object it names; the merge checks that it resolves.
    if map.contains_key("$ref") && kind != Kind::PathItem {
        return;
    }
    match kind {
        Kind::Paths => {
            for (path, item) in map {
                with_key(pointer, path, |p| {
                    if path.starts_with('/') {
                        walk(item, Kind::PathItem, p, out);
                    } else if !path.starts_with("x-") {
                        out.push(Violation {
                            pointer: p.clone(),
                            message: format!(
                                "`{path}` is not a path: paths start with `/` (is an operation indented one level too little?)"
                            ),
                        });
                    }
                });
            }
            return;
        }
        Kind::Responses => {
            for (status, response) in map {
                with_key(pointer, status, |p| {
                    if is_status(status) {
                        walk(response, Kind::Response, p, out);
                    } else if !status.starts_with("x-") {
                        out.push(Violation {
                            pointer: p.clone(),
                            message: format!(
                                "`{status}` is not a response status: write a code such as '200', a range such as 4XX, or `default`"
                            ),
                        });
                    }
                });
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
            out.push(Violation {
                pointer: pointer.clone(),
                message: format!(
                    "{} needs `{key}`: add it (or check its indentation)",
                    name(kind)
                ),
            });
        }
    }
    for (key, child) in map {
        if BOOLEAN_KEYWORDS.contains(&key.as_str()) && !child.is_boolean() {
            with_key(pointer, key, |p| {
                out.push(Violation {
                    pointer: p.clone(),
                    message: format!("`{key}` is true or false, found {}", describe(child)),
                });
            });
        }
        if key.starts_with("x-") {
            continue;
        }
        let Some((_, how)) = table.iter().find(|(k, _)| k == key) else {
            with_key(pointer, key, |p| {
                out.push(Violation {
                    pointer: p.clone(),
                    message: unknown_keyword(kind, key, child, table),
                });
            });
            continue;
        };
        with_key(pointer, key, |p| match *how {
            Leaf => {}
            One(k) => walk(child, k, p, out),
            MapOf(k) => match child.as_object() {
                Some(entries) => {
                    for (name, entry) in entries {
                        with_key(p, name, |p| {
                            if kind == Kind::Schema && key == "properties" && !entry.is_object() {
                                out.push(Violation {
                                    pointer: p.clone(),
                                    message: bad_property(name, entry),
                                });
                            } else {
                                walk(entry, k, p, out);
                            }
                        });
                    }
                }
                None => out.push(Violation {
                    pointer: p.clone(),
                    message: format!(
                        "`{key}` must be a mapping of names to entries, found {}",
                        describe(child)
                    ),
                }),
            },
            ListOf(k) => match child.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        with_key(p, &i.to_string(), |p| walk(item, k, p, out));
                    }
                }
                None => out.push(Violation {
                    pointer: p.clone(),
                    message: format!(
                        "`{key}` must be a list (`- ` items), found {}",
                        describe(child)
                    ),
                }),
            },
        });
    }
}

fn is_status(s: &str) -> bool {
    s == "default"
        || (s.len() == 3
            && s.starts_with(['1', '2', '3', '4', '5'])
            && (s[1..].chars().all(|c| c.is_ascii_digit()) || &s[1..] == "XX"))
}

fn check_schema(map: &Map<String, Value>, pointer: &mut String, out: &mut Vec<Violation>) {
    if let Some(t) = map.get("type") {
        let ok = t.as_str().is_some_and(|t| SCHEMA_TYPES.contains(&t));
        if !ok {
            let hint = t
                .as_str()
                .and_then(|t| closest(t, SCHEMA_TYPES.iter().copied()))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            with_key(pointer, "type", |p| {
                out.push(Violation {
                    pointer: p.clone(),
                    message: format!(
                        "unknown type {}{hint}: write one of string, integer, number, boolean, array, object",
                        describe(t)
                    ),
                });
            });
        }
    }
    if let Some(r) = map.get("required")
        && !r
            .as_array()
            .is_some_and(|names| names.iter().all(Value::is_string))
    {
        with_key(pointer, "required", |p| {
            out.push(Violation {
                pointer: p.clone(),
                message: format!(
                    "in a schema, `required` is the list of required property names, found {}: \
                     list this property's name in its object's `required`",
                    describe(r)
                ),
            });
        });
    }
}

fn check_parameter(map: &Map<String, Value>, pointer: &mut String, out: &mut Vec<Violation>) {
    let location = map.get("in").and_then(Value::as_str);
    if !matches!(location, Some("path" | "query" | "header" | "cookie")) {
        with_key(pointer, "in", |p| {
            out.push(Violation {
                pointer: p.clone(),
                message: format!(
                    "parameter location {}: write `in:` path, query, header or cookie",
                    map.get("in").map_or("missing".to_owned(), describe)
                ),
            });
        });
    }
    match map.get("required") {
        Some(Value::Bool(_)) => {}
        Some(other) => with_key(pointer, "required", |p| {
            out.push(Violation {
                pointer: p.clone(),
                message: format!(
                    "`required` of a parameter is true or false, found {}",
                    describe(other)
                ),
            });
        }),
        None => {}
    }
    // A misspelt `required` already has its own message.
    let misspelt = !map.contains_key("required")
        && map
            .keys()
            .any(|k| closest(k, ["required"].into_iter()).is_some());
    if location == Some("path") && map.get("required") != Some(&Value::Bool(true)) && !misspelt {
        // progenitor asserts this; without the rule a typo in `required` ends in a panic.
        let place = if map.contains_key("required") {
            "required".to_owned()
        } else {
            "name".to_owned()
        };
        with_key(pointer, &place, |p| {
            out.push(Violation {
                pointer: p.clone(),
                message: "a path parameter must have `required: true`".to_owned(),
            });
        });
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
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
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
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("requred", "required"), 1);
        assert_eq!(edit_distance("strng", "string"), 1);
        assert_eq!(edit_distance("same", "same"), 0);
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
}
