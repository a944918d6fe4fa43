//! An API's surface as a typed model: per operation its method, path, parameters, body and
//! responses, then the component schemas with their fields and which side of a call uses them.
//! The surface snapshot test renders it as text for reviewers, `cargo xtask api-diff` compares
//! two of them, and a release record is one of them serialized as JSON.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::spec::LoadedApi;

/// One API's surface: the crate settings that reach the wire, the operations and the schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    /// Crate name of the generated client.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// Crate version (from `api.toml`).
    pub version: String,
    /// The vendor's authentication scheme by name (`auth` in `specs/vendors/<vendor>.toml`).
    pub auth: String,
    /// Default base URL, or a pattern with `{region}`.
    pub base_url: String,
    /// Operations, in (path, method) order.
    pub operations: Vec<Operation>,
    /// Component schemas by name.
    pub schemas: BTreeMap<String, Schema>,
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// The operationId: the client's method name.
    pub id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Parameters in spec order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// Request body, per media type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<Body>,
    /// Responses by status (`200`, `4XX`, `default`).
    pub responses: BTreeMap<String, Response>,
    /// `deprecated: true`: the vendor means to withdraw it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Name on the wire.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    #[serde(rename = "in")]
    pub location: String,
    /// The parameter's schema.
    #[serde(rename = "schema")]
    pub ty: Type,
    /// Required on the wire (as the vendor documents it).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Listed in `client_supplied`: the runtime fills it in, so the client takes it as optional.
    #[serde(default, skip_serializing_if = "is_false")]
    pub client_supplied: bool,
    /// `deprecated: true`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

/// A request body for one media type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    /// Media type.
    pub media: String,
    /// The body's schema.
    #[serde(rename = "schema")]
    pub ty: Type,
    /// Whether the body is required.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
}

/// One documented response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The JSON body's schema, if there is one.
    #[serde(default, rename = "schema", skip_serializing_if = "Option::is_none")]
    pub body: Option<Type>,
    /// Documented response headers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
}

/// Which side of a call uses a schema; decides the wire rules and whether the generated
/// struct is `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Reached from a parameter or a request body.
    #[serde(default, skip_serializing_if = "is_false")]
    pub request: bool,
    /// Reached from a response body.
    #[serde(default, skip_serializing_if = "is_false")]
    pub response: bool,
}

impl Usage {
    /// Both sides together.
    pub fn union(self, other: Usage) -> Usage {
        Usage {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }
}

/// A component schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// `x-open-enum: true`: the Rust enum has `Other(String)`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub open_enum: bool,
    /// The hand-written Rust type that replaces the generated one (`api.toml` `replace`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
    /// Which side of a call uses it.
    pub usage: Usage,
    /// Whether the generated Rust type is `#[non_exhaustive]` (see [`non_exhaustive`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub non_exhaustive: bool,
    /// An object's fields, or the schema's type.
    #[serde(flatten)]
    pub shape: Shape,
}

/// What a schema is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// An object with named fields: a Rust struct.
    Object {
        /// Fields by wire name.
        fields: BTreeMap<String, Field>,
        /// `x-require-one-of`: at least one of these fields must be set.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        one_of_required: Vec<String>,
        /// What the object says of itself besides its fields (`additionalProperties`, the
        /// property counts, `nullable`, `allOf`...), as a type with no kind and no fields.
        #[serde(default, skip_serializing_if = "Type::is_unset")]
        limits: Box<Type>,
    },
    /// Anything else (an enumeration, a string, a oneOf...).
    Value(Box<Type>),
}

/// A field of an object schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The field's schema.
    #[serde(rename = "schema")]
    pub ty: Type,
    /// Listed in the object's `required`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// `readOnly: true`: sent by the server only, never taken in a request.
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    /// `writeOnly: true`: taken in requests only, never in an answer.
    #[serde(default, skip_serializing_if = "is_false")]
    pub write_only: bool,
    /// `deprecated: true`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

/// The parts of a schema that decide the wire format and the Rust type: a reduced OpenAPI
/// schema object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Type {
    /// A component schema, by name.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `string`, `integer`, `number`, `boolean`, `array`, `object`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `int32`, `int64`, `date-time`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// An array's items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Type>>,
    /// Alternatives of a `oneOf`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<Type>,
    /// An inline object's own fields (rare: the specs name their objects).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, Field>,
    /// `nullable: true`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// Enumerated values (as text).
    #[serde(default, rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// `minimum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Value>,
    /// `maximum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Value>,
    /// `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// `exclusiveMinimum: true`: the minimum itself is refused.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive_minimum: bool,
    /// `exclusiveMaximum: true`: the maximum itself is refused.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive_maximum: bool,
    /// `multipleOf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple_of: Option<Value>,
    /// `minLength` of a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<Value>,
    /// `maxLength` of a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<Value>,
    /// `pattern`: the regular expression a string matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `minItems` of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<Value>,
    /// `maxItems` of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<Value>,
    /// `uniqueItems: true`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique_items: bool,
    /// `minProperties` of an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_properties: Option<Value>,
    /// `maxProperties` of an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_properties: Option<Value>,
    /// `additionalProperties` when it restricts the object's other keys: `false`, or the
    /// schema of their values. `true` and `{}` admit any key, as leaving it out does, so they
    /// are recorded as absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_properties: Option<Extra>,
    /// Schemas of an `allOf`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_of: Vec<Type>,
    /// Alternatives of an `anyOf`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<Type>,
    /// The schema of a `not`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Type>>,
    /// `discriminator`: the property whose value says which alternative (or which schema of
    /// an `allOf` family) a value is. progenitor leaves it out of the generated code, but the
    /// vendor's server and other readers pick the alternative by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discriminator: Option<Discriminator>,
}

/// A `discriminator` object, its `mapping` targets reduced to schema names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discriminator {
    /// `propertyName`.
    pub property: String,
    /// `mapping`: a value of the property and the schema it selects. Without it, the value is
    /// the schema's name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mapping: BTreeMap<String, String>,
}

/// What `additionalProperties` admits besides the named properties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Extra {
    /// `false`: no other key (`true` is recorded as no restriction at all).
    Allowed(bool),
    /// Other keys whose values follow this schema.
    Schema(Box<Type>),
}

/// The schema a reference names: its last segment (`#/components/schemas/Thing` → `Thing`).
fn schema_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The rule for how generated types evolve: a struct that only responses use is
/// `#[non_exhaustive]` (callers read it, never build it with a literal, so the vendor may add
/// fields in a minor release); a struct that requests use stays open to struct literals (adding
/// a field to it is a breaking Rust change). Every open enumeration is `#[non_exhaustive]`, so a
/// value the vendor adds becomes a new variant in a minor release. Replaced schemas are
/// hand-written types and keep their own rules.
pub fn non_exhaustive(schema: &Schema) -> bool {
    if schema.replaced_by.is_some() {
        return false;
    }
    match schema.shape {
        Shape::Object { .. } => schema.usage.response && !schema.usage.request,
        Shape::Value(_) => schema.open_enum,
    }
}

impl Surface {
    /// The surface of a loaded API.
    pub fn of(api: &LoadedApi) -> Surface {
        let supplied: BTreeSet<(&str, &str)> = api
            .config
            .client_supplied
            .iter()
            .map(|c| (c.location.as_str(), c.name.as_str()))
            .collect();
        // A schema as JSON, the form `Type::from_json` reads (`null` when there is none).
        let json = |schema: Option<&openapiv3::ReferenceOr<openapiv3::Schema>>| -> Value {
            schema
                .and_then(|s| serde_json::to_value(s).ok())
                .unwrap_or_default()
        };

        let mut operations = Vec::new();
        for (path, method, op) in api.merged.operations() {
            let parameters = api
                .parameters(op)
                .map(|p| {
                    let data = p.parameter_data_ref();
                    let location = crate::spec::model::location(p).to_owned();
                    let client_supplied =
                        supplied.contains(&(location.as_str(), data.name.as_str()));
                    let schema = match &data.format {
                        openapiv3::ParameterSchemaOrContent::Schema(s) => Some(s),
                        openapiv3::ParameterSchemaOrContent::Content(_) => None,
                    };
                    Parameter {
                        // The loader marks client-supplied parameters optional for the
                        // generator; on the wire the vendor requires them.
                        required: data.required || client_supplied,
                        ty: Type::from_json(&json(schema)),
                        name: data.name.clone(),
                        location,
                        client_supplied,
                        deprecated: data.deprecated == Some(true),
                    }
                })
                .collect();
            let body = api
                .request_body(op)
                .into_iter()
                .flat_map(|b| {
                    b.content.iter().map(|(media, m)| Body {
                        media: media.clone(),
                        ty: Type::from_json(&json(m.schema.as_ref())),
                        required: b.required,
                    })
                })
                .collect();
            let documented = op
                .responses
                .default
                .iter()
                .map(|r| ("default".to_owned(), r))
                .chain(
                    op.responses
                        .responses
                        .iter()
                        .map(|(status, r)| (status.to_string(), r)),
                );
            let responses = documented
                .filter_map(|(status, r)| {
                    let r = api.response(r)?;
                    let body = r
                        .content
                        .get("application/json")
                        .and_then(|m| m.schema.as_ref())
                        .map(|s| Type::from_json(&json(Some(s))));
                    let headers = r.headers.keys().cloned().collect();
                    Some((status, Response { body, headers }))
                })
                .collect();
            operations.push(Operation {
                id: op.operation_id.clone().unwrap_or_default(),
                method: method.to_uppercase(),
                path: path.to_owned(),
                parameters,
                body,
                responses,
                deprecated: op.deprecated,
            });
        }

        let mut schemas = BTreeMap::new();
        let components = api.merged.components.iter().flat_map(|c| &c.schemas);
        for (name, schema) in components {
            let schema = &json(Some(schema));
            let shape = match schema.get("properties").and_then(Value::as_object) {
                Some(props) => Shape::Object {
                    fields: fields_of(schema, props),
                    one_of_required: crate::spec::strings(schema.get("x-require-one-of"))
                        .map(str::to_owned)
                        .collect(),
                    limits: Box::new(Type::object_limits(schema)),
                },
                None => Shape::Value(Box::new(Type::from_json(schema))),
            };
            schemas.insert(
                name.clone(),
                Schema {
                    open_enum: schema.get("x-open-enum") == Some(&Value::Bool(true)),
                    replaced_by: api.config.replace.get(name).map(|r| r.rust_type.clone()),
                    usage: Usage::default(),
                    non_exhaustive: false,
                    shape,
                },
            );
        }

        let mut surface = Surface {
            crate_name: api.config.crate_name.clone(),
            version: api.config.version.clone(),
            auth: api.config.vendor_config.auth.clone(),
            base_url: api.config.base_url.clone(),
            operations,
            schemas,
        };
        surface.compute_usage();
        surface
    }

    /// Marks each schema with the side of a call that reaches it, and applies the
    /// [`non_exhaustive`] rule.
    fn compute_usage(&mut self) {
        let mut request = Vec::new();
        let mut response = Vec::new();
        for op in &self.operations {
            for p in &op.parameters {
                p.ty.refs(&mut request);
            }
            for b in &op.body {
                b.ty.refs(&mut request);
            }
            for r in op.responses.values() {
                if let Some(t) = &r.body {
                    t.refs(&mut response);
                }
            }
        }
        for (roots, is_request) in [(request, true), (response, false)] {
            let mut seen = BTreeSet::new();
            let mut todo = roots;
            while let Some(name) = todo.pop() {
                if !seen.insert(name.clone()) {
                    continue;
                }
                let Some(schema) = self.schemas.get_mut(&name) else {
                    continue;
                };
                if is_request {
                    schema.usage.request = true;
                } else {
                    schema.usage.response = true;
                }
                match &schema.shape {
                    Shape::Object { fields, limits, .. } => {
                        for f in fields.values() {
                            f.ty.refs(&mut todo);
                        }
                        limits.refs(&mut todo);
                    }
                    Shape::Value(t) => t.refs(&mut todo),
                }
            }
        }
        for schema in self.schemas.values_mut() {
            schema.non_exhaustive = non_exhaustive(schema);
        }
    }

    /// The operation with this operationId.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// Compact text for the snapshot a reviewer reads.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        // The scheme's name, capitalised: `digest` reads "Digest auth".
        let mut name = self.auth.chars();
        let auth: String = name
            .next()
            .map(|first| first.to_uppercase().chain(name).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "crate {} {} ({auth} auth), base URL {}",
            self.crate_name, self.version, self.base_url
        );
        for op in &self.operations {
            let _ = writeln!(out, "\n{} {}", op.method, op.path);
            let deprecated = if op.deprecated { " (deprecated)" } else { "" };
            let _ = writeln!(out, "  operation  {}{deprecated}", op.id);
            for p in &op.parameters {
                let required = match (p.client_supplied, p.required, p.deprecated) {
                    (true, _, _) => "optional, runtime supplies it",
                    (_, true, false) => "required",
                    (_, true, true) => "required, deprecated",
                    (_, false, false) => "optional",
                    (_, false, true) => "optional, deprecated",
                };
                let _ = writeln!(
                    out,
                    "  {:<9}  {}: {} ({required})",
                    p.location,
                    p.name,
                    p.ty.render()
                );
            }
            for b in &op.body {
                let required = if b.required { "required" } else { "optional" };
                let _ = writeln!(
                    out,
                    "  body       {}: {} ({required})",
                    b.media,
                    b.ty.render()
                );
            }
            for (status, r) in &op.responses {
                let body = r
                    .body
                    .as_ref()
                    .map(Type::render)
                    .unwrap_or_else(|| "no body".into());
                let headers = if r.headers.is_empty() {
                    String::new()
                } else {
                    format!(", headers {}", r.headers.join(", "))
                };
                let _ = writeln!(out, "  {status:<9}  {body}{headers}");
            }
        }
        let _ = writeln!(out, "\nschemas");
        for (name, schema) in &self.schemas {
            let mut notes = Vec::new();
            if schema.open_enum {
                notes.push("open enum".to_owned());
            }
            if let Some(r) = &schema.replaced_by {
                notes.push(format!("replaced by {r}"));
            }
            notes.push(
                match (schema.usage.request, schema.usage.response) {
                    (true, true) => "request and response",
                    (true, false) => "request",
                    (false, true) => "response",
                    (false, false) => "unused",
                }
                .to_owned(),
            );
            if schema.non_exhaustive {
                notes.push("#[non_exhaustive]".to_owned());
            }
            let notes = format!(" ({})", notes.join("; "));
            match &schema.shape {
                Shape::Object {
                    fields,
                    one_of_required,
                    limits,
                } => {
                    let _ = writeln!(out, "  {name}{notes}");
                    for (field, f) in fields {
                        let notes: Vec<&str> = [
                            (f.required, "required"),
                            (f.read_only, "readOnly"),
                            (f.write_only, "writeOnly"),
                            (f.deprecated, "deprecated"),
                        ]
                        .into_iter()
                        .filter_map(|(set, note)| set.then_some(note))
                        .collect();
                        let notes = if notes.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", notes.join(", "))
                        };
                        let _ = writeln!(out, "    {field}: {}{notes}", f.ty.render());
                    }
                    if !limits.is_unset() {
                        let _ = writeln!(out, "    {}", limits.render_object_limits());
                    }
                    if !one_of_required.is_empty() {
                        let _ = writeln!(
                            out,
                            "    (one of {} is required)",
                            one_of_required.join(", ")
                        );
                    }
                }
                Shape::Value(t) => {
                    let _ = writeln!(out, "  {name}{notes}: {}", t.render());
                }
            }
        }
        out
    }
}

fn fields_of(schema: &Value, props: &serde_json::Map<String, Value>) -> BTreeMap<String, Field> {
    let required: BTreeSet<&str> = crate::spec::strings(schema.get("required")).collect();
    props
        .iter()
        .map(|(name, def)| {
            (
                name.clone(),
                Field {
                    ty: Type::from_json(def),
                    required: required.contains(name.as_str()),
                    read_only: def.get("readOnly") == Some(&Value::Bool(true)),
                    write_only: def.get("writeOnly") == Some(&Value::Bool(true)),
                    deprecated: def.get("deprecated") == Some(&Value::Bool(true)),
                },
            )
        })
        .collect()
}

impl Type {
    /// Whether nothing is set: the schema admits any value.
    pub fn is_unset(&self) -> bool {
        *self == Type::default()
    }

    /// What an object schema says of itself besides its fields: `additionalProperties`,
    /// `minProperties`, `maxProperties`, `nullable`, `allOf`/`oneOf`/`anyOf`/`not`, the
    /// `discriminator` of a schema family (the fields are the object's shape).
    pub fn object_limits(v: &Value) -> Type {
        Type {
            kind: None,
            properties: BTreeMap::new(),
            ..Type::from_json(v)
        }
    }

    /// What an object says of itself ([`Type::object_limits`]) as text: `nullable`,
    /// `(minProperties 1)`, `nullable (allOf [Base])`, or `(no limit)`.
    pub fn render_object_limits(&self) -> String {
        // A type with no kind renders as `any`, or `any?` when nullable, then its keywords.
        let text = self.render();
        let text = text.strip_prefix("any").unwrap_or(&text);
        match text.strip_prefix('?') {
            Some(rest) => format!("nullable{rest}"),
            None if text.is_empty() => "(no limit)".to_owned(),
            None => text.trim_start().to_owned(),
        }
    }

    /// Reads the parts that matter from a JSON schema object.
    pub fn from_json(v: &Value) -> Type {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            return Type {
                reference: Some(schema_name(r).to_owned()),
                ..Type::default()
            };
        }
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        // A lower bound of 0 on a length or a count admits every value, as no bound does.
        let lower = |k: &str| v.get(k).filter(|n| n.as_f64() != Some(0.0)).cloned();
        let list = |k: &str| -> Vec<Type> {
            v.get(k)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(Type::from_json)
                .collect()
        };
        Type {
            reference: None,
            kind: text("type"),
            format: text("format"),
            items: v.get("items").map(|i| Box::new(Type::from_json(i))),
            one_of: list("oneOf"),
            properties: v
                .get("properties")
                .and_then(Value::as_object)
                .map(|props| fields_of(v, props))
                .unwrap_or_default(),
            nullable: v.get("nullable") == Some(&Value::Bool(true)),
            values: v["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .map(crate::spec::scalar_text)
                .collect(),
            minimum: v.get("minimum").cloned(),
            maximum: v.get("maximum").cloned(),
            default: v.get("default").cloned(),
            exclusive_minimum: v.get("exclusiveMinimum") == Some(&Value::Bool(true)),
            exclusive_maximum: v.get("exclusiveMaximum") == Some(&Value::Bool(true)),
            multiple_of: v.get("multipleOf").cloned(),
            min_length: lower("minLength"),
            max_length: v.get("maxLength").cloned(),
            pattern: text("pattern"),
            min_items: lower("minItems"),
            max_items: v.get("maxItems").cloned(),
            unique_items: v.get("uniqueItems") == Some(&Value::Bool(true)),
            min_properties: lower("minProperties"),
            max_properties: v.get("maxProperties").cloned(),
            additional_properties: match v.get("additionalProperties") {
                None | Some(Value::Bool(true)) => None,
                Some(Value::Object(m)) if m.is_empty() => None,
                Some(Value::Bool(false)) => Some(Extra::Allowed(false)),
                // A schema that restricts nothing (`{}`, or a description alone) admits any
                // value, as leaving the keyword out does.
                Some(schema) => Some(Type::from_json(schema))
                    .filter(|t| !t.is_unset())
                    .map(|t| Extra::Schema(Box::new(t))),
            },
            all_of: list("allOf"),
            any_of: list("anyOf"),
            not: v.get("not").map(|n| Box::new(Type::from_json(n))),
            discriminator: v.get("discriminator").map(|d| Discriminator {
                property: d["propertyName"].as_str().unwrap_or_default().to_owned(),
                mapping: d["mapping"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(value, target)| {
                        let target = target.as_str().unwrap_or_default();
                        (value.clone(), schema_name(target).to_owned())
                    })
                    .collect(),
            }),
        }
    }

    /// Pushes the names of the component schemas this type refers to.
    pub fn refs(&self, out: &mut Vec<String>) {
        if let Some(r) = &self.reference {
            out.push(r.clone());
        }
        if let Some(i) = &self.items {
            i.refs(out);
        }
        for t in self.one_of.iter().chain(&self.all_of).chain(&self.any_of) {
            t.refs(out);
        }
        if let Some(Extra::Schema(t)) = &self.additional_properties {
            t.refs(out);
        }
        if let Some(t) = &self.not {
            t.refs(out);
        }
        for f in self.properties.values() {
            f.ty.refs(out);
        }
    }

    /// Compact text: `integer(int32) (minimum 0)`, `[VpcepConnection]`, `string {a, b}`.
    pub fn render(&self) -> String {
        if let Some(r) = &self.reference {
            return r.clone();
        }
        let base = match self.kind.as_deref() {
            Some("array") => format!(
                "[{}]",
                self.items
                    .as_ref()
                    .map(|i| i.render())
                    .unwrap_or_else(|| "any".into())
            ),
            Some(t) => match &self.format {
                Some(f) => format!("{t}({f})"),
                None => t.to_owned(),
            },
            None if !self.one_of.is_empty() => self
                .one_of
                .iter()
                .map(Type::render)
                .collect::<Vec<_>>()
                .join(" | "),
            None => "any".to_owned(),
        };
        let mut t = format!("{base}{}", if self.nullable { "?" } else { "" });
        if !self.properties.is_empty() {
            let fields: Vec<String> = self
                .properties
                .iter()
                .map(|(k, f)| {
                    format!(
                        "{k}: {}{}",
                        f.ty.render(),
                        if f.required { " (required)" } else { "" }
                    )
                })
                .collect();
            t = format!("{t} {{ {} }}", fields.join(", "));
        }
        if !self.values.is_empty() {
            t = format!("{t} {{{}}}", self.values.join(", "));
        }
        // Keywords in the order a reader looks for them: a limit's exclusiveness next to it.
        let keyword = |k: &str, v: &Option<Value>| v.as_ref().map(|x| format!("{k} {x}"));
        let flag = |k: &str, set: bool| set.then(|| k.to_owned());
        let mut bounds: Vec<String> = [
            keyword("minimum", &self.minimum),
            flag("exclusiveMinimum", self.exclusive_minimum),
            keyword("maximum", &self.maximum),
            flag("exclusiveMaximum", self.exclusive_maximum),
            keyword("default", &self.default),
            keyword("multipleOf", &self.multiple_of),
            keyword("minLength", &self.min_length),
            keyword("maxLength", &self.max_length),
            keyword("pattern", &self.pattern.clone().map(Value::String)),
            keyword("minItems", &self.min_items),
            keyword("maxItems", &self.max_items),
            flag("uniqueItems", self.unique_items),
            keyword("minProperties", &self.min_properties),
            keyword("maxProperties", &self.max_properties),
        ]
        .into_iter()
        .flatten()
        .collect();
        match &self.additional_properties {
            Some(Extra::Allowed(b)) => bounds.push(format!("additionalProperties {b}")),
            Some(Extra::Schema(t)) => bounds.push(format!("additionalProperties {}", t.render())),
            None => {}
        }
        for (k, list) in [("allOf", &self.all_of), ("anyOf", &self.any_of)] {
            if !list.is_empty() {
                let items: Vec<String> = list.iter().map(Type::render).collect();
                bounds.push(format!("{k} [{}]", items.join(", ")));
            }
        }
        if let Some(t) = &self.not {
            bounds.push(format!("not {}", t.render()));
        }
        if let Some(d) = &self.discriminator {
            let mapping: Vec<String> = d.mapping.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            bounds.push(if mapping.is_empty() {
                format!("discriminator {}", d.property)
            } else {
                format!("discriminator {} {{{}}}", d.property, mapping.join(", "))
            });
        }
        if !bounds.is_empty() {
            t = format!("{t} ({})", bounds.join(", "));
        }
        t
    }
}

/// Loads every API's surface under `root/specs`.
pub fn load_all(root: &std::path::Path) -> Result<Vec<Surface>, Vec<crate::SpecError>> {
    Ok(crate::spec::load_all(root)?
        .iter()
        .map(Surface::of)
        .collect())
}
