//! Comparing what a page documents with what a spec declares (or one capture of a page with
//! another), as findings of the form `body userEndpointAddress: in the spec, not on the page`.
//!
//! Both sides are first reduced to a [`Side`]: every parameter and field under a subject
//! such as `query requestId`, `body data.addressId` or `response 200 success`, with its type,
//! required flag, enumerated values, default and range; the status codes; the examples.
//! Deliberate divergences are data in the spec: `x-doc-deviation` on a parameter, property or
//! schema (a reason, or a map from aspect to reason) and on the operation (a map from subject to
//! reason). A difference that a deviation explains is not a finding.

use std::{
    cell::RefCell,
    collections::{BTreeMap, BTreeSet},
};

use serde_json::Value;

use super::{DocField, DocumentedOperation, Location};
use crate::spec::scalar_text;

/// The extension that records a deliberate divergence from the vendor's page.
pub const DEVIATION: &str = "x-doc-deviation";

/// The extension that names where a fact comes from when the page does not show it: a key of
/// the operation's `sources` table in `pages.toml`. It covers everything beneath the node it
/// stands on, unless something beneath names another.
pub const SOURCE: &str = "x-source";

/// The aspects of a field a deviation can explain.
pub const ASPECTS: [&str; 7] = [
    "presence", "required", "type", "enum", "default", "range", "example",
];

/// What one side says about one parameter or field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Comparable type (`string`, `integer(int64)`, `array<object>`, `boolean|string`).
    pub ty: String,
    /// Required, when the side says.
    pub required: Option<bool>,
    /// Enumerated values; `None` when not given or lost in capture (how that compares: see
    /// [`Side::from_page`]).
    pub enum_values: Option<Vec<String>>,
    /// Default value.
    pub default: Option<String>,
    /// Lower bound.
    pub minimum: Option<f64>,
    /// Upper bound.
    pub maximum: Option<f64>,
    /// Aspect (or `*`) → reason.
    pub deviations: BTreeMap<String, String>,
    /// The aspects whose deviation is written in the operation's own document: one that
    /// explains nothing is reported as stale. (Deviations in `_common.yaml` serve several
    /// operations and are not.)
    pub own: BTreeSet<String>,
}

/// One side of a comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Side {
    /// Method, upper case.
    pub method: String,
    /// Path with placeholders as written.
    pub path: String,
    /// Subject → facts.
    pub fields: BTreeMap<String, Facts>,
    /// Explicit status codes, when the side lists them.
    pub statuses: Option<BTreeSet<String>>,
    /// The example request body.
    pub example_request: Option<Value>,
    /// Example response bodies by status.
    pub example_responses: BTreeMap<String, Value>,
    /// Subject → reason, from the operation's `x-doc-deviation`.
    pub deviations: BTreeMap<String, String>,
    /// Subject → the source key (`x-source`) in effect for it (spec side only).
    pub sources: BTreeMap<String, String>,
    /// Every source key the spec names on the way to its facts (including `_common.yaml`).
    pub source_keys: BTreeSet<String>,
    /// Headers that a security scheme sends: the runtime's, not facts of the operation.
    pub runtime_headers: BTreeSet<String>,
    /// Subject → where the spec writes it (spec side only), for findings that name a line.
    /// Also the containers a missing fact belongs in: `body` and `response 200` (the body
    /// schemas), `parameters`, `responses` and `request line` (the operation).
    pub places: BTreeMap<String, Places>,
    /// Fields whose list of values the capture lost (page side only): the values the spec
    /// gives for them rest on another source.
    pub lost_values: BTreeSet<String>,
    /// The side of a page: a default, a range or a list of values it does not give, it
    /// documents as absent. A spec may say more than its page (from another source), so what
    /// only the spec gives is no difference; what only a page gives is one.
    pub from_page: bool,
}

/// Where a spec writes something: the file (`None`: the operation's own document) and the
/// JSON pointer there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// The file that defines it (`specs/<api>/_common.yaml`), when not the operation's document.
    pub file: Option<String>,
    /// RFC 6901 pointer in that file.
    pub pointer: String,
}

impl Place {
    /// A place in the operation's own document.
    fn in_operation(pointer: String) -> Place {
        Place {
            file: None,
            pointer,
        }
    }

    /// The place of the member `key` beneath this one.
    pub fn join(&self, key: &str) -> Place {
        Place {
            file: self.file.clone(),
            pointer: format!("{}/{}", self.pointer, crate::spec::escape(key)),
        }
    }
}

/// Where the spec writes one subject of the comparison, aspect by aspect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    /// The parameter, property, response or example as the operation reaches it.
    pub written: Place,
    /// The schema that gives its type, values, default and range (a `$ref`'s target).
    pub schema: Option<Place>,
    /// Where its required flag is written: the parameter's `required`, or the `required` list
    /// of the object that holds the field.
    pub required: Option<Place>,
    /// Its `x-doc-deviation`, when it has one.
    pub deviation: Option<Place>,
    /// The object schema whose `properties` hold the fields beneath it.
    pub fields: Option<Place>,
}

/// What a finding is about, with side `a`'s value (the page's, in `docs check`): what to write
/// in the spec to agree with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Aspect {
    /// Anything else: the finding says all there is.
    #[default]
    Other,
    /// The request line; side `a`'s method and path.
    RequestLine {
        /// Side `a`'s method.
        method: String,
        /// Side `a`'s path.
        path: String,
    },
    /// One side has the subject.
    Presence {
        /// Whether side `a` is the one that has it.
        in_a: bool,
        /// Side `a`'s type of it.
        ty: String,
    },
    /// The required flags differ; side `a`'s.
    Required(bool),
    /// The types differ; side `a`'s comparable type.
    Type(String),
    /// A value of the list one side gives and the other does not.
    Value {
        /// The value.
        value: String,
        /// Whether side `a` is the one that gives it.
        in_a: bool,
    },
    /// The defaults differ; side `a`'s.
    Default(Option<String>),
    /// A bound differs.
    Bound {
        /// Which: `minimum`, `maximum`.
        bound: String,
        /// Side `a`'s value of it.
        a: Option<String>,
    },
    /// The examples differ.
    Example {
        /// Where: a JSON pointer in the example.
        at: String,
        /// Side `a`'s value there.
        a: Option<String>,
    },
    /// An `x-doc-deviation` that explains nothing.
    StaleDeviation {
        /// Whether it is the operation's (else a field's or a parameter's).
        on_operation: bool,
    },
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// What it is about: `body userEndpointAddress`, `status 404`, `example request`.
    pub subject: String,
    /// What differs.
    pub message: String,
    /// What differs, as data: where the fix goes and what to write (not printed).
    pub aspect: Aspect,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.subject, self.message)
    }
}

fn subject(location: Location, name: &str) -> String {
    format!("{location} {name}")
}

fn facts_of_field(f: &DocField) -> Facts {
    Facts {
        ty: f.ty.clone(),
        required: f.required,
        enum_values: (!f.enum_lost && !f.enum_values.is_empty()).then(|| f.enum_values.clone()),
        default: f.default.clone(),
        minimum: f.minimum,
        maximum: f.maximum,
        deviations: BTreeMap::new(),
        own: BTreeSet::new(),
    }
}

/// The side of a page.
pub fn page_side(page: &DocumentedOperation) -> Side {
    let mut fields = BTreeMap::new();
    let mut lost_values = BTreeSet::new();
    for p in &page.params {
        let key = subject(p.location, &p.field.name);
        if p.field.enum_lost {
            lost_values.insert(key.clone());
        }
        fields.insert(key, facts_of_field(&p.field));
    }
    for (code, list) in &page.responses {
        for f in list {
            let mut facts = facts_of_field(f);
            // Pages give no required flag for response fields; some tables say "Yes" anyway.
            facts.required = None;
            let key = format!("response {code} {}", f.name);
            if f.enum_lost {
                lost_values.insert(key.clone());
            }
            fields.insert(key, facts);
        }
    }
    Side {
        method: page.method.clone(),
        path: page.path.clone(),
        fields,
        lost_values,
        statuses: (!page.status_codes.is_empty())
            .then(|| page.status_codes.keys().cloned().collect()),
        example_request: page.example_request.as_ref().and_then(|e| e.body.clone()),
        example_responses: page.example_responses.clone(),
        from_page: true,
        ..Side::default()
    }
}

/// The `x-source` of a node, if it names one.
pub fn source_of(v: &Value) -> Result<Option<String>, String> {
    match v.get(SOURCE) {
        None => Ok(None),
        Some(Value::String(key)) if !key.trim().is_empty() => Ok(Some(key.trim().to_owned())),
        Some(other) => Err(format!(
            "{SOURCE}: {other} is not a source key: write a key of the operation's `sources` table in pages.toml (for example `{SOURCE}: api-explorer`)"
        )),
    }
}

/// The source in effect at a node reached through `node` (maybe a `$ref`) that resolves to
/// `resolved`: the node's own, else the resolved one's, else the one inherited from above.
fn source_here(
    node: &Value,
    resolved: &Value,
    inherited: Option<&String>,
    keys: &RefCell<BTreeSet<String>>,
) -> Result<Option<String>, String> {
    let own = match source_of(node)? {
        Some(s) => Some(s),
        None => source_of(resolved)?,
    };
    if let Some(k) = &own {
        keys.borrow_mut().insert(k.clone());
    }
    Ok(own.or_else(|| inherited.cloned()))
}

/// An operation document as written, and the loaded API whose model follows its references.
pub struct SpecDocs<'a> {
    /// The operation document.
    pub op: &'a Value,
    /// The API, loaded.
    pub api: &'a crate::spec::LoadedApi,
}

impl<'a> SpecDocs<'a> {
    /// Follows `$ref`s; `in_common` says whether the node is written in `_common.yaml`, and
    /// the answer whether the node found is.
    fn resolve(&self, v: &'a Value, in_common: bool) -> Result<(&'a Value, bool), String> {
        let (v, file) = self.api.follow_json(v)?;
        let in_common = match file {
            Some(file) => file.rsplit('/').next() == Some(crate::spec::COMMON_FILE),
            None => in_common,
        };
        Ok((v, in_common))
    }

    /// Where the node written at `at` is defined: `at`, or the target of its `$ref`.
    fn place_of(&self, v: &Value, at: &Place) -> Result<Place, String> {
        Ok(match self.api.follow_json_at(v)?.1 {
            Some((file, pointer)) => Place {
                file: Some(file.to_owned()),
                pointer,
            },
            None => at.clone(),
        })
    }
}

/// The first of `candidates` (node, where it is written) that carries an `x-doc-deviation`.
fn deviation_place(candidates: &[(&Value, &Place)]) -> Option<Place> {
    candidates
        .iter()
        .find(|(v, _)| v.get(DEVIATION).is_some())
        .map(|(_, at)| at.join(DEVIATION))
}

/// Reads `x-doc-deviation` of a node: a reason for every aspect, or aspect → reason.
pub fn deviations_of(v: &Value) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    match v.get(DEVIATION) {
        None => {}
        Some(Value::String(reason)) => {
            out.insert("*".into(), reason.clone());
        }
        Some(Value::Object(map)) => {
            for (k, r) in map {
                let Some(r) = r.as_str() else {
                    return Err(format!("{DEVIATION}.{k}: the reason must be a string"));
                };
                out.insert(k.clone(), r.to_owned());
            }
        }
        Some(_) => {
            return Err(format!(
                "{DEVIATION} must be a reason (a string) or a map from aspect ({}) to reason",
                ASPECTS.join(", ")
            ));
        }
    }
    Ok(out)
}

fn spec_type(docs: &SpecDocs<'_>, v: &Value, in_common: bool) -> Result<String, String> {
    let (v, in_common) = docs.resolve(v, in_common)?;
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = v.get(key).and_then(Value::as_array) {
            let mut types = Vec::new();
            for a in alts {
                types.push(spec_type(docs, a, in_common)?);
            }
            return Ok(types.join("|"));
        }
    }
    let ty = v.get("type").and_then(Value::as_str).unwrap_or_default();
    Ok(match ty {
        "integer" => match v.get("format").and_then(Value::as_str) {
            Some(f @ ("int32" | "int64")) => format!("integer({f})"),
            _ => "integer".into(),
        },
        "array" => {
            let item = match v.get("items") {
                Some(items) => spec_type(docs, items, in_common)?,
                None => String::new(),
            };
            if item.is_empty() {
                "array".into()
            } else {
                format!("array<{item}>")
            }
        }
        "" if v.get("properties").is_some() => "object".into(),
        other => other.to_owned(),
    })
}

fn spec_enum(
    docs: &SpecDocs<'_>,
    v: &Value,
    in_common: bool,
) -> Result<Option<Vec<String>>, String> {
    let (v, in_common) = docs.resolve(v, in_common)?;
    if let Some(values) = v.get("enum").and_then(Value::as_array) {
        return Ok(Some(values.iter().map(scalar_text).collect()));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = v.get(key).and_then(Value::as_array) {
            let mut all = Vec::new();
            for a in alts {
                all.extend(spec_enum(docs, a, in_common)?.unwrap_or_default());
            }
            return Ok((!all.is_empty()).then_some(all));
        }
    }
    Ok(None)
}

fn schema_facts(
    docs: &SpecDocs<'_>,
    node: &Value,
    in_common: bool,
    required: Option<bool>,
) -> Result<Facts, String> {
    let (resolved, resolved_in_common) = docs.resolve(node, in_common)?;
    let mut deviations = deviations_of(resolved)?;
    let mut own = BTreeSet::new();
    if !resolved_in_common {
        own.extend(deviations.keys().cloned());
    }
    let on_node = deviations_of(node)?;
    if !in_common {
        own.extend(on_node.keys().cloned());
    }
    deviations.extend(on_node);
    Ok(Facts {
        ty: spec_type(docs, node, in_common)?,
        required,
        enum_values: spec_enum(docs, node, in_common)?,
        default: resolved.get("default").map(scalar_text),
        minimum: resolved.get("minimum").and_then(Value::as_f64),
        maximum: resolved.get("maximum").and_then(Value::as_f64),
        deviations,
        own,
    })
}

/// Where `flatten` records the source in effect for each field it finds, and where each field
/// is written.
struct SourceTrail<'s> {
    inherited: Option<String>,
    out: &'s mut BTreeMap<String, String>,
    keys: &'s RefCell<BTreeSet<String>>,
    places: &'s mut BTreeMap<String, Places>,
}

/// Flattens an object schema's properties into `prefix.name` fields, through arrays.
#[allow(clippy::too_many_arguments)]
fn flatten(
    docs: &SpecDocs<'_>,
    schema: &Value,
    at: &Place,
    in_common: bool,
    prefix: &str,
    with_required: bool,
    out: &mut BTreeMap<String, Facts>,
    depth: usize,
    trail: &mut SourceTrail<'_>,
) -> Result<(), String> {
    if depth > 8 {
        return Ok(());
    }
    let node = schema;
    let mut schema_at = docs.place_of(node, at)?;
    let (schema, in_common) = docs.resolve(schema, in_common)?;
    let mut here = source_here(node, schema, trail.inherited.as_ref(), trail.keys)?;
    let (schema, in_common) = match schema.get("items") {
        Some(items) if schema.get("type").and_then(Value::as_str) == Some("array") => {
            let (resolved, c) = docs.resolve(items, in_common)?;
            here = source_here(items, resolved, here.as_ref(), trail.keys)?;
            schema_at = docs.place_of(items, &schema_at.join("items"))?;
            (resolved, c)
        }
        _ => (schema, in_common),
    };
    // The fields beneath `prefix` (`body `, `body data.`) are written in this object.
    let container = prefix.trim_end_matches(['.', ' ']).to_owned();
    trail.places.entry(container).or_default().fields = Some(schema_at.clone());
    let required: BTreeSet<&str> = crate::spec::strings(schema.get("required")).collect();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    for (name, node) in props {
        let req = with_required.then(|| required.contains(name.as_str()));
        let facts = schema_facts(docs, node, in_common, req)?;
        let key = format!("{prefix}{name}");
        out.insert(key.clone(), facts);
        let (resolved, _) = docs.resolve(node, in_common)?;
        let written = schema_at.join("properties").join(name);
        let resolved_at = docs.place_of(node, &written)?;
        trail.places.insert(
            key.clone(),
            Places {
                deviation: deviation_place(&[(node, &written), (resolved, &resolved_at)]),
                required: with_required.then(|| schema_at.join("required")),
                schema: Some(resolved_at),
                written: written.clone(),
                fields: None,
            },
        );
        let source = source_here(node, resolved, here.as_ref(), trail.keys)?;
        if let Some(s) = &source {
            trail.out.insert(key.clone(), s.clone());
        }
        let mut inner = SourceTrail {
            inherited: source,
            out: trail.out,
            keys: trail.keys,
            places: trail.places,
        };
        flatten(
            docs,
            node,
            &written,
            in_common,
            &format!("{key}."),
            with_required,
            out,
            depth + 1,
            &mut inner,
        )?;
    }
    Ok(())
}

/// The one operation of an operation document: (path, method, operation).
pub fn only_operation(doc: &Value) -> Result<(&str, &str, &Value), String> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("no paths")?;
    for (path, item) in paths {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if let Some(op) = item.get(method) {
                return Ok((path, method, op));
            }
        }
    }
    Err("no operation under paths".into())
}

/// The side of an operation document (as written: parameters the runtime supplies are still
/// required here, as the vendor requires them).
pub fn spec_side_of(docs: &SpecDocs<'_>) -> Result<Side, String> {
    let (path, method, op) = only_operation(docs.op)?;
    let keys: RefCell<BTreeSet<String>> = RefCell::default();
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    let op_at = Place::in_operation(format!("/paths/{}/{method}", crate::spec::escape(path)));
    let mut places: BTreeMap<String, Places> = BTreeMap::new();
    let written = |written: Place| Places {
        written,
        ..Places::default()
    };
    places.insert("request line".into(), written(op_at.clone()));
    places.insert("parameters".into(), written(op_at.join("parameters")));
    places.insert("responses".into(), written(op_at.join("responses")));
    let op_source = source_here(op, op, None, &keys)?;
    if let Some(s) = &op_source {
        sources.insert("request line".into(), s.clone());
    }
    let mut runtime_headers = BTreeSet::new();
    let mut fields = BTreeMap::new();
    for (i, node) in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let (p, pc) = docs.resolve(node, false)?;
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
        let node_at = op_at.join("parameters").join(&i.to_string());
        let p_at = docs.place_of(node, &node_at)?;
        let schema_node_at = p_at.join("schema");
        let (schema_at, deviation) = match p.get("schema") {
            Some(schema) => {
                let schema_at = docs.place_of(schema, &schema_node_at)?;
                let resolved = docs.resolve(schema, pc)?.0;
                let deviation = deviation_place(&[
                    (p, &p_at),
                    (schema, &schema_node_at),
                    (resolved, &schema_at),
                ]);
                (Some(schema_at), deviation)
            }
            None => (None, deviation_place(&[(p, &p_at)])),
        };
        places.insert(
            format!("{location} {name}"),
            Places {
                written: node_at.clone(),
                required: Some(p_at.join("required")),
                deviation,
                schema: schema_at,
                fields: None,
            },
        );
        let mut source = source_here(node, p, None, &keys)?;
        if source.is_none()
            && let Some(schema) = p.get("schema")
        {
            let (resolved, _) = docs.resolve(schema, pc)?;
            source = source_here(schema, resolved, None, &keys)?;
        }
        if let Some(s) = source.or_else(|| op_source.clone()) {
            sources.insert(format!("{location} {name}"), s);
        }
        let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
        let mut facts = match p.get("schema") {
            Some(s) => schema_facts(docs, s, pc, Some(required))?,
            None => Facts {
                required: Some(required),
                ..Facts::default()
            },
        };
        let on_param = deviations_of(p)?;
        if !pc {
            facts.own.extend(on_param.keys().cloned());
        }
        facts.deviations.extend(on_param);
        fields.insert(format!("{location} {name}"), facts);
    }
    // Headers that a security scheme sends are the runtime's: documented, and present.
    let schemes = docs.api.merged.components.iter();
    for scheme in schemes.flat_map(|c| c.security_schemes.values()) {
        if let Some(openapiv3::SecurityScheme::APIKey {
            location: openapiv3::APIKeyLocation::Header,
            name,
            ..
        }) = scheme.as_item()
        {
            if !fields.contains_key(&format!("header {name}")) {
                runtime_headers.insert(format!("header {name}"));
            }
            fields
                .entry(format!("header {name}"))
                .or_insert_with(|| Facts {
                    ty: "string".into(),
                    deviations: BTreeMap::from([(
                        "*".to_owned(),
                        "sent by the runtime's authentication (a security scheme)".to_owned(),
                    )]),
                    ..Facts::default()
                });
        }
    }
    let mut example_request = None;
    if let Some(node) = op.get("requestBody") {
        let (body, bc) = docs.resolve(node, false)?;
        let body_at = docs.place_of(node, &op_at.join("requestBody"))?;
        let media_at = body_at.join("content").join("application/json");
        places.insert("body".into(), written(body_at));
        places.insert("example request".into(), written(media_at.join("example")));
        let body_source = source_here(node, body, op_source.as_ref(), &keys)?;
        if let Some(media) = body.pointer("/content/application~1json") {
            let media_source = source_here(media, media, body_source.as_ref(), &keys)?;
            example_request = media.get("example").cloned();
            if example_request.is_some()
                && let Some(s) = &media_source
            {
                sources.insert("example request".into(), s.clone());
            }
            if let Some(schema) = media.get("schema") {
                let mut trail = SourceTrail {
                    inherited: media_source,
                    out: &mut sources,
                    keys: &keys,
                    places: &mut places,
                };
                let at = media_at.join("schema");
                flatten(
                    docs,
                    schema,
                    &at,
                    bc,
                    "body ",
                    true,
                    &mut fields,
                    0,
                    &mut trail,
                )?;
            }
        }
    }
    let mut statuses = BTreeSet::new();
    let mut example_responses = BTreeMap::new();
    for (code, resp) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if code.chars().all(|c| c.is_ascii_digit()) {
            statuses.insert(code.clone());
        } else {
            continue;
        }
        let node = resp;
        let (resp, rc) = docs.resolve(resp, false)?;
        let node_at = op_at.join("responses").join(code);
        let resp_at = docs.place_of(node, &node_at)?;
        let media_at = resp_at.join("content").join("application/json");
        places.insert(format!("status {code}"), written(node_at));
        places.insert(format!("response {code}"), written(resp_at));
        let example_at = media_at.join("example");
        places.insert(format!("example response {code}"), written(example_at));
        let resp_source = source_here(node, resp, op_source.as_ref(), &keys)?;
        if let Some(s) = &resp_source {
            sources.insert(format!("status {code}"), s.clone());
        }
        if let Some(media) = resp.pointer("/content/application~1json") {
            let media_source = source_here(media, media, resp_source.as_ref(), &keys)?;
            if let Some(ex) = media.get("example") {
                example_responses.insert(code.clone(), ex.clone());
                if let Some(s) = &media_source {
                    sources.insert(format!("example response {code}"), s.clone());
                }
            }
            if code.starts_with('2')
                && let Some(schema) = media.get("schema")
            {
                let mut trail = SourceTrail {
                    inherited: media_source,
                    out: &mut sources,
                    keys: &keys,
                    places: &mut places,
                };
                let prefix = format!("response {code} ");
                let at = media_at.join("schema");
                flatten(
                    docs,
                    schema,
                    &at,
                    rc,
                    &prefix,
                    false,
                    &mut fields,
                    0,
                    &mut trail,
                )?;
            }
        }
    }
    Ok(Side {
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        fields,
        statuses: Some(statuses),
        example_request,
        example_responses,
        deviations: deviations_of(op)?,
        sources,
        source_keys: keys.into_inner(),
        places,
        runtime_headers,
        lost_values: BTreeSet::new(),
        from_page: false,
    })
}

/// How the two sides are named in findings: `("on the page", "in the spec")`.
pub type Sides<'a> = (&'a str, &'a str);

/// A path with its placeholders' names left out: `/a/{id}` and `/a/{name}` are one path.
pub(crate) fn normalized_path(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push_str("{}");
            }
            '}' => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

fn types_agree(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() || a == b {
        return true;
    }
    // A side without a format or item type agrees with any more precise one.
    let base = |t: &str| t.split(['(', '<']).next().unwrap_or(t).to_owned();
    (a == base(a) || b == base(b)) && base(a) == base(b)
}

/// Compares side `a` with side `b`. Deviations recorded on either side explain differences.
pub fn compare(a: &Side, b: &Side, (sa, sb): Sides<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    // (subject, aspect) of every difference a deviation explained, to find stale ones.
    let used: RefCell<BTreeSet<(String, String)>> = RefCell::default();
    let explained = |subject: &str, aspect: &str, fa: Option<&Facts>, fb: Option<&Facts>| {
        let yes = a.deviations.contains_key(subject)
            || b.deviations.contains_key(subject)
            || [fa, fb]
                .into_iter()
                .flatten()
                .any(|f| f.deviations.contains_key("*") || f.deviations.contains_key(aspect));
        if yes {
            used.borrow_mut()
                .insert((subject.to_owned(), aspect.to_owned()));
        }
        yes
    };
    let mut push = |subject: &str, message: String, aspect: Aspect| {
        out.push(Finding {
            subject: subject.to_owned(),
            message,
            aspect,
        })
    };
    if !a.method.eq_ignore_ascii_case(&b.method)
        || normalized_path(&a.path) != normalized_path(&b.path)
    {
        push(
            "request line",
            format!("{} {} {sa}, {} {} {sb}", a.method, a.path, b.method, b.path),
            Aspect::RequestLine {
                method: a.method.clone(),
                path: a.path.clone(),
            },
        );
    }
    let keys: BTreeSet<&String> = a.fields.keys().chain(b.fields.keys()).collect();
    for key in keys {
        let (fa, fb) = (a.fields.get(key), b.fields.get(key));
        let (fa, fb) = match (fa, fb) {
            (Some(x), Some(y)) => (x, y),
            (Some(x), None) => {
                if !explained(key, "presence", Some(x), None) {
                    let ty = x.ty.clone();
                    push(
                        key,
                        format!("{sa}, not {sb}"),
                        Aspect::Presence { in_a: true, ty },
                    );
                }
                continue;
            }
            (None, Some(y)) => {
                if !explained(key, "presence", None, Some(y)) {
                    let ty = String::new();
                    push(
                        key,
                        format!("{sb}, not {sa}"),
                        Aspect::Presence { in_a: false, ty },
                    );
                }
                continue;
            }
            (None, None) => continue,
        };
        let ex = |aspect: &str| explained(key, aspect, Some(fa), Some(fb));
        if let (Some(ra), Some(rb)) = (fa.required, fb.required)
            && ra != rb
            && !ex("required")
        {
            let word = |r: bool| if r { "required" } else { "optional" };
            push(
                key,
                format!("{} {sa}, {} {sb}", word(ra), word(rb)),
                Aspect::Required(ra),
            );
        }
        if !types_agree(&fa.ty, &fb.ty) && !ex("type") {
            push(
                key,
                format!("type {} {sa}, {} {sb}", fa.ty, fb.ty),
                Aspect::Type(fa.ty.clone()),
            );
        }
        // A default, a range or a list of values only one side gives is a difference when
        // that side is a page (see `Side::from_page`); a list the other side's capture lost
        // is unknown, not absent.
        let (ea, eb) = (
            values(a, key, fa, b.from_page),
            values(b, key, fb, a.from_page),
        );
        if let (Some(ea), Some(eb)) = (&ea, &eb)
            && !ex("enum")
        {
            for (x, y, sx, sy, in_a) in [(ea, eb, sa, sb, true), (eb, ea, sb, sa, false)] {
                for v in x.iter().filter(|v| !y.contains(v)) {
                    let value = v.clone();
                    push(
                        key,
                        format!("enum value {v:?} {sx}, not {sy}"),
                        Aspect::Value { value, in_a },
                    );
                }
            }
        }
        let given = |x: bool, y: bool| (x && a.from_page) || (y && b.from_page);
        if fa.default != fb.default
            && given(fa.default.is_some(), fb.default.is_some())
            && !ex("default")
        {
            let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".into());
            push(
                key,
                format!(
                    "default {} {sa}, {} {sb}",
                    show(&fa.default),
                    show(&fb.default)
                ),
                Aspect::Default(fa.default.clone()),
            );
        }
        for (what, va, vb) in [
            ("minimum", fa.minimum, fb.minimum),
            ("maximum", fa.maximum, fb.maximum),
        ] {
            if va != vb && given(va.is_some(), vb.is_some()) && !ex("range") {
                let show =
                    |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
                let aspect = Aspect::Bound {
                    bound: what.to_owned(),
                    a: va.map(|v| v.to_string()),
                };
                push(
                    key,
                    format!("{what} {} {sa}, {} {sb}", show(va), show(vb)),
                    aspect,
                );
            }
        }
    }
    if let (Some(ca), Some(cb)) = (&a.statuses, &b.statuses) {
        for (x, y, sx, sy, in_a) in [(ca, cb, sa, sb, true), (cb, ca, sb, sa, false)] {
            for c in x.difference(y) {
                let s = format!("status {c}");
                if !explained(&s, "presence", None, None) {
                    let ty = String::new();
                    push(&s, format!("{sx}, not {sy}"), Aspect::Presence { in_a, ty });
                }
            }
        }
    }
    let mut examples = vec![(
        "example request".to_owned(),
        a.example_request.as_ref(),
        b.example_request.as_ref(),
    )];
    let codes: BTreeSet<&String> = a
        .example_responses
        .keys()
        .chain(b.example_responses.keys())
        .collect();
    for code in codes {
        examples.push((
            format!("example response {code}"),
            a.example_responses.get(code),
            b.example_responses.get(code),
        ));
    }
    for (s, ea, eb) in examples {
        if explained(&s, "example", None, None) {
            continue;
        }
        match (ea, eb) {
            (Some(x), Some(y)) => {
                if let Some((at, vx, vy)) = first_difference(x, y, String::new()) {
                    // Side `a`'s value in full (the message shortens it); none when absent.
                    let a = (vx != "absent")
                        .then(|| x.pointer(&at).map(Value::to_string).unwrap_or(vx.clone()));
                    let aspect = Aspect::Example { at: at.clone(), a };
                    let at = if at.is_empty() { "/".into() } else { at };
                    push(&s, format!("differs at {at}: {vx} {sa}, {vy} {sb}"), aspect);
                }
            }
            (Some(_), None) => {
                let ty = String::new();
                push(
                    &s,
                    format!("{sa}, not {sb}"),
                    Aspect::Presence { in_a: true, ty },
                );
            }
            (None, Some(_)) => {
                let ty = String::new();
                push(
                    &s,
                    format!("{sb}, not {sa}"),
                    Aspect::Presence { in_a: false, ty },
                );
            }
            (None, None) => {}
        }
    }
    // A deviation the spec records for this operation that explains no difference is stale:
    // the page was fixed, or the deviation names the wrong aspect.
    let used = used.into_inner();
    let used_for = |subject: &str, aspect: &str| {
        used.iter()
            .any(|(s, a)| s == subject && (aspect == "*" || a == aspect))
    };
    for side in [a, b] {
        for (key, facts) in &side.fields {
            for aspect in &facts.own {
                if !used_for(key, aspect) {
                    push(
                        key,
                        format!("{DEVIATION} ({aspect}) explains no difference: remove it"),
                        Aspect::StaleDeviation {
                            on_operation: false,
                        },
                    );
                }
            }
        }
        for subject in side.deviations.keys() {
            if !used_for(subject, "*") {
                push(
                    subject,
                    format!("{DEVIATION} on the operation explains no difference: remove it"),
                    Aspect::StaleDeviation { on_operation: true },
                );
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The values one side admits for a field, to compare with the other side's: its list; else,
/// when the other side is a page (whose list then counts, see `Side::from_page`) and this side
/// did not lose its list in the capture, none but what the type admits (`true` and `false` for
/// a boolean); else unknown.
fn values(side: &Side, key: &str, facts: &Facts, other_from_page: bool) -> Option<Vec<String>> {
    if facts.enum_values.is_some() || !other_from_page || side.lost_values.contains(key) {
        return facts.enum_values.clone();
    }
    Some(if facts.ty == "boolean" {
        vec!["true".into(), "false".into()]
    } else {
        Vec::new()
    })
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "absent".into(),
        Some(v) => {
            let s = v.to_string();
            if s.len() > 60 {
                format!("{}...", s.chars().take(57).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// The first place two JSON values differ: (JSON pointer, left, right).
fn first_difference(a: &Value, b: &Value, at: String) -> Option<(String, String, String)> {
    // The members of both sides, by key or index in order.
    let members: Vec<(String, Option<&Value>, Option<&Value>)> = match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter()
                .map(|k| (k.clone(), x.get(k), y.get(k)))
                .collect()
        }
        (Value::Array(x), Value::Array(y)) => (0..x.len().max(y.len()))
            .map(|i| (i.to_string(), x.get(i), y.get(i)))
            .collect(),
        _ if a == b => return None,
        _ => return Some((at, show(Some(a)), show(Some(b)))),
    };
    members.into_iter().find_map(|(k, vx, vy)| {
        let here = format!("{at}/{k}");
        match (vx, vy) {
            (Some(vx), Some(vy)) => first_difference(vx, vy, here),
            (vx, vy) => Some((here, show(vx), show(vy))),
        }
    })
}
