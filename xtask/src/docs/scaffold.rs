//! `cargo xtask docs scaffold`: a draft OpenAPI document for one endpoint, written from its
//! page, so that adding an endpoint starts from what the vendor documents. The draft follows the
//! spec conventions (snake_case `operationId`, `externalDocs`, `<Operation>Body` and
//! `<Operation>Response` schemas, `x-open-enum` for documented values) and passes the
//! generator's validation; names of nested schemas and descriptions are for the author to
//! improve.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{DocField, DocumentedOperation, Location};
use crate::spec::{COMMON_FILE as COMMON, escape};

/// `ShowVpcepConnection` → `show_vpcep_connection`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = true;
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// `vpc_ep_client_status` or `connections` → `VpcEpClientStatus`, `Connections`.
fn pascal_case(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// What the draft needs besides the page.
pub struct ScaffoldInput<'a> {
    /// The vendor's operation name (`ShowVpcepConnection`).
    pub operation: &'a str,
    /// The page's URL, for `externalDocs`.
    pub url: &'a str,
    /// The API's `_common.yaml`, when there is one: its schemas are reused where the page's
    /// response has the same fields (an envelope), its error responses, headers and parameters
    /// are referred to, and its security schemes are applied.
    pub common: Option<&'a Value>,
    /// The schema `api.toml` names as the API's envelope, preferred where several shared
    /// schemas have the page's response fields.
    pub envelope: Option<String>,
    /// Component names the API's other documents define: the draft names its own schemas
    /// differently, since a name defined twice is an error when the API is merged.
    pub taken: BTreeSet<String>,
}

/// A draft and the comments to write into it.
pub struct Draft {
    /// The OpenAPI document.
    pub doc: Value,
    /// (JSON pointer, comment): what the page lacks that the document needs, said at the spot.
    pub notes: Vec<(String, String)>,
}

/// A mark on a schema whose type the page does not give; the draft says so in a comment there
/// and the mark goes.
const UNTYPED: &str = "x-scaffold-untyped";

/// Removes the marks of untyped schemas, returning where they were.
fn take_untyped(v: &mut Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if map.remove(UNTYPED).is_some() {
                out.push(at.to_owned());
            }
            for (k, child) in map.iter_mut() {
                take_untyped(child, &format!("{at}/{}", escape(k)), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                take_untyped(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A `$ref` to the component `name` of `section` in `file` (`_common.yaml`, or `` for this
/// document).
fn reference(file: &str, section: &str, name: &str) -> Value {
    json!({ "$ref": format!("{file}#/components/{section}/{name}") })
}

/// The API's shared response for a status: `<Prefix>Error400` for 400, `<Prefix>ErrorOther`
/// for any other error status.
fn common_response(common: Option<&Value>, code: &str) -> Option<String> {
    let responses = common?.pointer("/components/responses")?.as_object()?;
    responses
        .keys()
        .find(|k| k.ends_with(code))
        .or_else(|| {
            responses
                .keys()
                .find(|k| k.ends_with("Other") || k.ends_with("Default"))
        })
        .cloned()
}

/// The API's shared parameter with this name and location, if `_common.yaml` defines one.
fn common_parameter(common: Option<&Value>, name: &str, location: &str) -> Option<String> {
    let params = common?.pointer("/components/parameters")?.as_object()?;
    params.iter().find_map(|(key, p)| {
        (p.get("name").and_then(Value::as_str) == Some(name)
            && p.get("in").and_then(Value::as_str) == Some(location))
        .then(|| key.clone())
    })
}

/// Renames `from` to `to` in every `#/components/schemas/...` reference of a value.
fn rename_refs(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "$ref"
                    && child.as_str() == Some(format!("#/components/schemas/{from}").as_str())
                {
                    *child = Value::from(format!("#/components/schemas/{to}"));
                } else {
                    rename_refs(child, from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rename_refs(i, from, to)),
        _ => {}
    }
}

struct Schemas {
    defs: BTreeMap<String, Value>,
}

impl Schemas {
    /// The schema of one field; `children` are its sub-fields (dotted names stripped).
    fn field(&mut self, f: &DocField, children: &[DocField]) -> Value {
        let mut s = type_schema(&f.ty);
        if f.ty.is_empty()
            && let Some(obj) = s.as_object_mut()
        {
            obj.insert(UNTYPED.into(), Value::Bool(true));
        }
        if !f.enum_values.is_empty() && f.ty == "string" {
            let name = pascal_case(&f.name.replace('.', "_"));
            self.defs.insert(
                name.clone(),
                json!({
                    "type": "string",
                    "x-open-enum": true,
                    "description": first_sentence(&f.description),
                    "enum": f.enum_values,
                }),
            );
            return reference("", "schemas", &name);
        }
        if let Some(obj) = s.as_object_mut() {
            obj.insert(
                "description".into(),
                Value::from(first_sentence(&f.description)),
            );
            if let Some(min) = f.minimum {
                obj.insert("minimum".into(), number(min));
            }
            if let Some(max) = f.maximum {
                obj.insert("maximum".into(), number(max));
            }
            if let Some(d) = &f.default {
                let v = serde_json::from_str::<Value>(d).unwrap_or_else(|_| Value::from(d.clone()));
                obj.insert("default".into(), v);
            }
        }
        if !children.is_empty() {
            let object_name = super::object_name(&f.doc_type)
                .map(|n| pascal_case(&n))
                .unwrap_or_else(|| pascal_case(&f.name));
            let def = self.object(children, false);
            self.defs.insert(object_name.clone(), def);
            let object = reference("", "schemas", &object_name);
            if let Some(obj) = s.as_object_mut() {
                if obj.get("type").and_then(Value::as_str) == Some("array") {
                    obj.insert("items".into(), object);
                } else {
                    return object;
                }
            }
        }
        s
    }

    /// An object schema from fields with dotted names.
    fn object(&mut self, fields: &[DocField], with_required: bool) -> Value {
        let mut props = Map::new();
        let mut required = Vec::new();
        for f in fields.iter().filter(|f| !f.name.contains('.')) {
            let prefix = format!("{}.", f.name);
            let children: Vec<DocField> = fields
                .iter()
                .filter_map(|c| {
                    c.name.strip_prefix(&prefix).map(|rest| DocField {
                        name: rest.to_owned(),
                        ..c.clone()
                    })
                })
                .collect();
            props.insert(f.name.clone(), self.field(f, &children));
            if with_required && f.required == Some(true) {
                required.push(Value::from(f.name.clone()));
            }
        }
        let mut obj = json!({ "type": "object", "properties": props });
        if !required.is_empty() {
            obj["required"] = Value::Array(required);
        }
        obj
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

fn first_sentence(description: &str) -> String {
    let d = description.split('•').next().unwrap_or(description).trim();
    let d = d
        .strip_prefix("Definition:")
        .or_else(|| d.strip_prefix("Definition"))
        .or_else(|| d.strip_prefix("Explanation"))
        .unwrap_or(d)
        .trim();
    // Huawei's labels end the definition: `... remarks Constraints N/A Range N/A`.
    let d = [
        " Constraints ",
        " Constraints:",
        " Range ",
        " Value range",
        " Default Value ",
    ]
    .iter()
    .filter_map(|label| d.find(label))
    .min()
    .map_or(d, |i| d[..i].trim());
    match d.find(". ") {
        Some(i) => d[..=i].to_owned(),
        None => d.to_owned(),
    }
}

fn type_schema(ty: &str) -> Value {
    if let Some(item) = ty.strip_prefix("array<").and_then(|t| t.strip_suffix('>')) {
        return json!({ "type": "array", "items": type_schema(item) });
    }
    match ty {
        "integer(int32)" => json!({ "type": "integer", "format": "int32" }),
        "integer(int64)" => json!({ "type": "integer", "format": "int64" }),
        "integer" => json!({ "type": "integer" }),
        "boolean" => json!({ "type": "boolean" }),
        "number" => json!({ "type": "number" }),
        "object" => json!({ "type": "object" }),
        "array" => json!({ "type": "array", "items": {} }),
        _ => json!({ "type": "string" }),
    }
}

/// A common schema whose properties include every top-level response field.
fn common_match(
    common: Option<&Value>,
    fields: &[DocField],
    preferred: Option<&str>,
) -> Option<String> {
    let schemas = common?.pointer("/components/schemas")?.as_object()?;
    let top: Vec<&str> = fields
        .iter()
        .filter(|f| !f.name.contains('.'))
        .map(|f| f.name.as_str())
        .collect();
    if top.is_empty() {
        return None;
    }
    let matches: Vec<&String> = schemas
        .iter()
        .filter(|(_, s)| {
            s.get("properties")
                .and_then(Value::as_object)
                .is_some_and(|props| top.iter().all(|f| props.contains_key(*f)))
        })
        .map(|(name, _)| name)
        .collect();
    // The API's envelope (api.toml) before other schemas with the same fields.
    matches
        .iter()
        .find(|n| Some(n.as_str()) == preferred)
        .or_else(|| matches.first())
        .map(|n| (*n).clone())
}

/// The draft document.
pub fn scaffold(page: &DocumentedOperation, input: &ScaffoldInput<'_>) -> Draft {
    let op = input.operation;
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut schemas = Schemas {
        defs: BTreeMap::new(),
    };
    let mut parameters = Vec::new();
    for p in page.params.iter().filter(|p| p.location != Location::Body) {
        let location = p.location.to_string();
        if let Some(shared) = common_parameter(input.common, &p.field.name, &location) {
            parameters.push(reference(COMMON, "parameters", &shared));
            continue;
        }
        // Headers that a security scheme of the API sends are not parameters.
        let security_header = input
            .common
            .and_then(|c| c.pointer("/components/securitySchemes"))
            .and_then(Value::as_object)
            .is_some_and(|s| {
                s.values()
                    .any(|s| s.get("name").and_then(Value::as_str) == Some(p.field.name.as_str()))
            });
        if p.location == Location::Header && security_header {
            continue;
        }
        let required = p.location == Location::Path
            || p.field.required.unwrap_or(p.location == Location::Header);
        let mut param = json!({
            "name": p.field.name,
            "in": location,
            "required": required,
            "description": first_sentence(&p.field.description),
            "schema": schemas.field(&p.field, &[]),
        });
        if let Some(schema) = param["schema"].as_object_mut() {
            schema.remove("description");
        }
        if let Some(ex) = &p.field.example {
            param["example"] = Value::from(ex.clone());
        }
        parameters.push(param);
    }
    let body_fields: Vec<DocField> = page
        .params
        .iter()
        .filter(|p| p.location == Location::Body)
        .map(|p| p.field.clone())
        .collect();
    let mut operation = json!({
        "operationId": snake_case(op),
        "summary": format!("{op} (draft from the vendor's page)"),
        "externalDocs": { "description": format!("The vendor's page for {op}"), "url": input.url },
    });
    if !parameters.is_empty() {
        operation["parameters"] = Value::Array(parameters);
    }
    if !body_fields.is_empty() {
        let body_name = format!("{op}Body");
        let body = schemas.object(&body_fields, true);
        schemas.defs.insert(body_name.clone(), body);
        let mut media = json!({ "schema": reference("", "schemas", &body_name) });
        if let Some(ex) = page.example_request.as_ref().and_then(|e| e.body.clone()) {
            media["example"] = ex;
        }
        operation["requestBody"] =
            json!({ "required": true, "content": { "application/json": media } });
    }
    let mut responses = Map::new();
    let mut codes: Vec<String> = page.status_codes.keys().cloned().collect();
    for c in page.responses.keys().chain(page.example_responses.keys()) {
        if !codes.contains(c) {
            codes.push(c.clone());
        }
    }
    codes.sort();
    // The API's shared error body (a `*Error` schema, else the envelope the success response
    // uses, else the envelope api.toml names: an operation whose success body is its own
    // still fails with the envelope) for error statuses, and its shared response headers on
    // every response.
    let common_schemas = input
        .common
        .and_then(|c| c.pointer("/components/schemas"))
        .and_then(Value::as_object);
    let envelope = page
        .responses
        .iter()
        .find(|(c, _)| c.starts_with('2'))
        .and_then(|(_, fields)| common_match(input.common, fields, input.envelope.as_deref()));
    let error_schema = common_schemas
        .and_then(|s| s.keys().find(|k| k.ends_with("Error")).cloned())
        .or(envelope)
        .or_else(|| {
            input
                .envelope
                .clone()
                .filter(|e| common_schemas.is_some_and(|s| s.contains_key(e)))
        });
    let headers: Map<String, Value> = input
        .common
        .and_then(|c| c.pointer("/components/headers"))
        .and_then(Value::as_object)
        .map(|h| {
            h.keys()
                .map(|k| (k.clone(), reference(COMMON, "headers", k)))
                .collect()
        })
        .unwrap_or_default();
    let has_common_errors = common_response(input.common, "4XX").is_some();
    if error_schema.is_some() || has_common_errors {
        for range in ["4XX", "5XX"] {
            if !codes.iter().any(|c| c == range) {
                codes.push(range.to_owned());
            }
        }
    }
    // The generator needs a success response; a page cut before its responses has none.
    if !codes.iter().any(|c| c.starts_with('2')) {
        codes.insert(0, "200".to_owned());
        let why = match &page.ends_in {
            Some(cut) => format!(
                "The page ends in {} before its responses: this 200 is a guess. Give the \
                 response body from another public source and name it with x-source.",
                cut.section
            ),
            None => "The page documents no success status: this 200 is a guess; check it \
                     against the vendor's other documentation."
                .to_owned(),
        };
        notes.push(("200".to_owned(), why));
    }
    for code in codes {
        if !code.starts_with('2')
            && !page.responses.contains_key(&code)
            && let Some(shared) = common_response(input.common, &code)
        {
            responses.insert(code, reference(COMMON, "responses", &shared));
            continue;
        }
        let description = page
            .status_codes
            .get(&code)
            .cloned()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| match code.as_str() {
                "4XX" => "The request was refused.".to_owned(),
                "5XX" => "The server failed.".to_owned(),
                _ => format!("Status {code}."),
            });
        let mut resp = json!({ "description": description });
        let schema = match page.responses.get(&code) {
            Some(fields) => match common_match(input.common, fields, input.envelope.as_deref()) {
                Some(name) => Some(reference(COMMON, "schemas", &name)),
                None => {
                    let name = if code.starts_with('2') {
                        format!("{op}Response")
                    } else {
                        format!("{op}Response{code}")
                    };
                    let def = schemas.object(fields, false);
                    schemas.defs.insert(name.clone(), def);
                    Some(reference("", "schemas", &name))
                }
            },
            None if !code.starts_with('2') => error_schema
                .as_ref()
                .map(|name| reference(COMMON, "schemas", name)),
            None => None,
        };
        if !headers.is_empty() {
            resp["headers"] = Value::Object(headers.clone());
        }
        if let Some(schema) = schema {
            let mut media = json!({ "schema": schema });
            if let Some(ex) = page.example_responses.get(&code) {
                media["example"] = ex.clone();
            }
            resp["content"] = json!({ "application/json": media });
        }
        responses.insert(code, resp);
    }
    operation["responses"] = Value::Object(responses);
    let method = page.method.to_ascii_lowercase();
    // Placeholders that the page misspells (`{tenantsId}`) take the parameter table's name.
    let mut path = page.path.clone();
    for placeholder in super::placeholders(&page.path) {
        let names = page.params.iter().filter(|p| p.location == Location::Path);
        if let Some(p) = names
            .map(|p| &p.field.name)
            .find(|n| **n != placeholder && super::near_name(n, &placeholder))
        {
            path = path.replace(&format!("{{{placeholder}}}"), &format!("{{{p}}}"));
        }
    }
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": { "title": format!("{op} (draft)"), "version": "draft" },
        "paths": { path.clone(): { method.clone(): operation } },
    });
    if let Some(schemes) = input
        .common
        .and_then(|c| c.pointer("/components/securitySchemes"))
        .and_then(Value::as_object)
    {
        doc["security"] = Value::Array(schemes.keys().map(|k| json!({ k.clone(): [] })).collect());
    }
    // Names the API's other documents define get the operation's name in front.
    let clashing: Vec<String> = schemas
        .defs
        .keys()
        .filter(|k| input.taken.contains(*k))
        .cloned()
        .collect();
    for name in clashing {
        let mut renamed = format!("{op}{name}");
        while input.taken.contains(&renamed) || schemas.defs.contains_key(&renamed) {
            renamed.push('2');
        }
        if let Some(def) = schemas.defs.remove(&name) {
            schemas.defs.insert(renamed.clone(), def);
        }
        rename_refs(&mut doc, &name, &renamed);
        for def in schemas.defs.values_mut() {
            rename_refs(def, &name, &renamed);
        }
    }
    if !schemas.defs.is_empty() {
        doc["components"] = json!({ "schemas": schemas.defs });
    }
    let at = format!("/paths/{}/{method}", escape(&path));
    let mut placed: Vec<(String, String)> = notes
        .into_iter()
        .map(|(code, note)| (format!("{at}/responses/{code}"), note))
        .collect();
    if let Some(cut) = &page.ends_in {
        placed.push((
            at.clone(),
            format!(
                "The page ends in {}: what it documents past that point is not in this draft. \
                 Record the capture as `partial` in pages.toml and name the source of each fact \
                 the page does not show with x-source.",
                cut.section
            ),
        ));
    }
    if input.url.contains("example.invalid") {
        placed.push((
            format!("{at}/externalDocs/url"),
            "The page's address is not known: write the URL of the vendor's page here and in \
             pages.toml."
                .to_owned(),
        ));
    }
    let mut untyped = Vec::new();
    take_untyped(&mut doc, "", &mut untyped);
    placed.extend(untyped.into_iter().map(|pointer| {
        (
            pointer,
            "The page gives no type here: `string` is a guess; take the type from another \
             public source and name it with x-source."
                .to_owned(),
        )
    }));
    Draft { doc, notes: placed }
}
