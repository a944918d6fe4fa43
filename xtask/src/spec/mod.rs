//! Loading, validating and merging the hand-written OpenAPI documents of one API.
//!
//! Layout of `specs/<api>/`: `api.toml` (crate settings), `_common.yaml` (components shared by
//! the API: envelope, errors, security schemes) and one `<Operation>.yaml` per endpoint. Each
//! operation document is a complete OpenAPI 3.0 document on its own (so a standard validator
//! accepts it); it reaches shared components through `_common.yaml#/components/...` references,
//! which the merge rewrites to local ones. The vendor pages in `specs/<api>/pages/` are read
//! only by `cargo xtask docs`: they are neither specs nor part of the spec hash.

pub mod config;
pub mod model;
pub mod naming;
pub mod oas_schema;
pub mod rules;
pub(crate) mod settings;
pub mod surface;
pub mod yaml_lines;

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use crate::spec::config::{
    ApiConfig, ClientSupplied, EnvHeader, Envelope, HostException, Paginate, Replacement,
    SpecError, Supply, VendorConfig,
};

/// The shared-components document of an API.
pub const COMMON_FILE: &str = "_common.yaml";
/// The per-API settings file.
pub const CONFIG_FILE: &str = "api.toml";
/// The folder under `specs/` with one settings file per vendor (`<vendor>.toml`): what every
/// API of that vendor shares. Not an API folder.
pub const VENDORS_DIR: &str = "vendors";

/// One API, loaded, validated and merged.
#[derive(Debug, Clone)]
pub struct LoadedApi {
    /// Directory name under `specs/`.
    pub name: String,
    /// `api.toml`.
    pub config: ApiConfig,
    /// The merged document, as progenitor reads it.
    pub merged: openapiv3::OpenAPI,
    /// The same document as JSON, for the readers that compare what is written (extensions
    /// included) rather than what is generated.
    pub merged_json: Value,
    /// The file that defines each component, by (kind, name): (`schemas`, `HuaweiError`).
    pub owners: Owners,
    /// SHA-256 over every input file (names and contents), hex.
    pub spec_hash: String,
    /// The operation documents (relative paths), for messages.
    pub files: Vec<String>,
}

/// The file that defines each component, by (kind as in `components`, name).
pub type Owners = BTreeMap<(String, String), String>;

/// Loads every API under `<root>/specs`, sorted by name. Errors of all APIs are collected.
pub fn load_all(root: &Path) -> Result<Vec<LoadedApi>, Vec<SpecError>> {
    let dirs = api_dirs(root).map_err(|e| {
        vec![SpecError::new(
            "specs",
            None,
            format!("cannot read the specs folder: {e}"),
        )]
    })?;
    crate::all_or_errors(dirs.iter().map(|dir| load_api(root, dir)))
}

/// The API folders under `root/specs` (every folder but [`VENDORS_DIR`]), sorted.
pub(crate) fn api_dirs(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("specs"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.ends_with(VENDORS_DIR))
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// `path` relative to `root` (as it is when outside), with forward slashes.
pub(crate) fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The last part of a path (a file or folder name), as text.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read(root: &Path, path: &Path) -> Result<String, SpecError> {
    fs::read_to_string(path)
        .map_err(|e| SpecError::new(rel(root, path), None, format!("cannot read: {e}")))
}

/// Parses YAML text into JSON values, with the line and column of a syntax error.
///
/// Object keys are put in sorted order: whether `serde_json` keeps insertion order depends on
/// a cargo feature that other crates in the same build may switch on, and the output must not
/// change with the build.
///
/// A key written twice in one mapping is an error: a YAML parser keeps one of the values
/// without a word, so a second `type:` would silently change a field's type.
pub fn parse_yaml(file: &str, text: &str) -> Result<Value, SpecError> {
    let yaml_error = |e: serde_yaml_ng::Error| {
        let place = e.location().map(|l| format!("column {}", l.column()));
        // The YAML library repeats the location at the end of its message; keep it once.
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        SpecError::new(file, place, format!("not valid YAML: {msg}"))
            .at_line(e.location().map(|l| l.line()))
    };
    let value = serde_yaml_ng::from_str::<Value>(text)
        .map(sort_keys)
        .map_err(yaml_error)?;
    if let Some(d) = crate::spec::yaml_lines::duplicate_keys(text)
        .into_iter()
        .next()
    {
        return Err(SpecError::new(
            file,
            Some(d.pointer),
            format!(
                "`{}` is written twice in this mapping (first at line {}); YAML keeps only one of \
                 the values: keep the one you mean and delete the other",
                d.key, d.first_line
            ),
        )
        .at_line(Some(d.line)));
    }
    // The scan above reads block-style YAML; a repeated key inside a flow mapping (`{a: 1,
    // a: 2}`) is left to the YAML library's own mapping type, which refuses duplicates.
    serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text).map_err(yaml_error)?;
    Ok(value)
}

fn sort_keys(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// Parses and validates each `(file, name, text)` document, in order. The documents are
/// independent and the OpenAPI schema check dominates loading a large API, so they are checked
/// on as many threads as the machine has.
fn check_documents(docs: &[(String, String, String)]) -> Vec<Result<Value, Vec<SpecError>>> {
    let check = |(file, _, text): &(String, String, String)| {
        parse_yaml(file, text)
            .map_err(|e| vec![e])
            .and_then(|doc| validate_document(file, text, &doc).map(|()| doc))
    };
    crate::parallel::on_all_cores(docs, check)
}

/// Loads, validates and merges `specs/<api>/`.
pub fn load_api(root: &Path, dir: &Path) -> Result<LoadedApi, Vec<SpecError>> {
    let name = file_name(dir);
    let config_path = dir.join(CONFIG_FILE);
    let config_file = rel(root, &config_path);
    let config_text = read(root, &config_path).map_err(|e| vec![e])?;
    let mut config: ApiConfig = toml::from_str(&config_text)
        .map_err(|e| vec![toml_error(&config_file, &config_text, &e)])?;
    let vendor_path = root
        .join("specs")
        .join(VENDORS_DIR)
        .join(format!("{}.toml", config.vendor));
    let vendor_file = rel(root, &vendor_path);
    let vendor_text = read(root, &vendor_path).map_err(|mut e| {
        e.message = format!(
            "{}; `vendor = {:?}` in {config_file} names this file",
            e.message, config.vendor
        );
        vec![e]
    })?;
    config.vendor_config = toml::from_str(&vendor_text)
        .map_err(|e| vec![toml_error(&vendor_file, &vendor_text, &e)])?;
    let host = config.vendor_config.host.as_deref().unwrap_or_default();
    if host.contains("{service}") && config.service.is_none() {
        return Err(vec![SpecError::new(
            &config_file,
            None,
            format!(
                "needs `service` (for example \"css\"): the host pattern {host:?} in {vendor_file} \
                 has `{{service}}`"
            ),
        )]);
    }
    for (schema, replacement) in config.vendor_config.replace.clone() {
        config.replace.entry(schema).or_insert(replacement);
    }

    let mut yaml_paths = fs::read_dir(dir)
        .map_err(|e| {
            vec![SpecError::new(
                rel(root, dir),
                None,
                format!("cannot read: {e}"),
            )]
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect::<Vec<PathBuf>>();
    yaml_paths.sort();

    let mut hasher = Sha256::new();
    hash_file(&mut hasher, CONFIG_FILE, &config_text);
    hash_file(&mut hasher, &vendor_file, &vendor_text);

    let mut errors = Vec::new();
    let mut common: Option<(String, Value)> = None;
    let mut operations: Vec<(String, Value)> = Vec::new();
    // (file, name, text) of each document.
    let mut read_files: Vec<(String, String, String)> = Vec::new();
    for path in &yaml_paths {
        let file = rel(root, path);
        let text = match read(root, path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let base = file_name(path);
        hash_file(&mut hasher, &base, &text);
        read_files.push((file, base, text));
    }
    let checked = check_documents(&read_files);
    for ((file, base, _), result) in read_files.iter().zip(checked) {
        match result {
            Ok(doc) if base == COMMON_FILE => common = Some((file.clone(), doc)),
            Ok(doc) => operations.push((file.clone(), doc)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if operations.is_empty() {
        return Err(vec![SpecError::new(
            rel(root, dir),
            None,
            "no operation documents (*.yaml) in this folder",
        )]);
    }

    let (merged_json, owners) = merge(&config, common.as_ref(), &operations, &read_files)?;
    let files = operations.iter().map(|(f, _)| f.clone()).collect();
    let merged_file = format!("specs/{name} (merged)");
    let merged: openapiv3::OpenAPI =
        deserialize_openapi(&merged_file, merged_json.clone()).map_err(|e| vec![e])?;
    let api = LoadedApi {
        name,
        config,
        merged,
        merged_json,
        owners,
        spec_hash: hex::encode(hasher.finalize()),
        files,
    };
    let sources: Vec<crate::spec::settings::Source<'_>> = common
        .iter()
        .chain(operations.iter())
        .filter_map(|(file, doc)| {
            let text = read_files.iter().find(|(f, ..)| f == file)?.2.as_str();
            Some(crate::spec::settings::Source { file, text, doc })
        })
        .collect();
    let problems = crate::spec::settings::check(&api, &config_file, &config_text, &sources);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(api)
}

/// A TOML settings error at its line (`file:line: message`).
fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> SpecError {
    SpecError::new(file, None, e.message().to_owned()).at_line(toml_error_line(text, e))
}

/// The 1-based line of `text` where a TOML error is.
pub(crate) fn toml_error_line(text: &str, e: &toml::de::Error) -> Option<usize> {
    e.span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
}

fn hash_file(hasher: &mut Sha256, name: &str, text: &str) {
    hasher.update(name.as_bytes());
    hasher.update([0]);
    hasher.update(text.len().to_le_bytes());
    hasher.update(text.as_bytes());
}

/// Deserializes into the `openapiv3` model, naming the place of a structural error.
pub fn deserialize_openapi(file: &str, doc: Value) -> Result<openapiv3::OpenAPI, SpecError> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(doc).map_err(|e| {
        let place = e.path().to_string();
        SpecError::new(
            file,
            (place != ".").then_some(place),
            format!("not a valid OpenAPI 3.0 document: {}", e.inner()),
        )
    })
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Checks one document on its own, in order: the OpenAPI version; the xtask's structural rules
/// (every problem, each with its line and JSON pointer); the official OpenAPI 3.0 JSON Schema;
/// the `openapiv3` model progenitor reads; the house rules every operation must follow
/// (snake_case `operationId`, `externalDocs` naming the vendor page). `text` is the file as
/// written, for line numbers.
pub fn validate_document(file: &str, text: &str, doc: &Value) -> Result<(), Vec<SpecError>> {
    // The document's root (an empty pointer) has no place of its own: the message names the key.
    let at = |pointer: &str, message: String| {
        let place = Some(pointer.to_owned()).filter(|p| !p.is_empty());
        let line = place
            .as_deref()
            .and_then(|p| crate::spec::yaml_lines::line_of(text, p));
        SpecError::new(file, place, message).at_line(line)
    };
    let version_ok =
        matches!(doc.get("openapi").and_then(Value::as_str), Some(v) if v.starts_with("3.0."));
    if version_ok {
        let violations = crate::spec::rules::check(doc);
        if !violations.is_empty() {
            let mut errors: Vec<SpecError> = violations
                .into_iter()
                .map(|v| at(&v.pointer, v.message))
                .collect();
            errors.sort_by_key(|e| e.line);
            return Err(errors);
        }
        crate::spec::oas_schema::validate(doc).map_err(|(pointer, reason)| {
            let message = format!(
                "not valid against the OpenAPI 3.0 schema ({reason}): compare the keywords and indentation with the other documents"
            );
            vec![at(&pointer, message)]
        })?;
    }
    validate_model_and_house_rules(file, doc).map_err(|e| {
        // The checks name places with dots (`paths./v1/{id}.get`, or `a.b[0]` from the model's
        // deserializer); messages name them by JSON pointer, as the rules above do.
        let pointer = e
            .place
            .as_deref()
            .map(|place| dotted_to_pointer(doc, &place.replace('[', ".").replace(']', "")));
        let line = pointer
            .as_deref()
            .and_then(|p| crate::spec::yaml_lines::line_of(text, p));
        let place = pointer.or(e.place.clone());
        vec![SpecError { place, ..e }.at_line(line)]
    })
}

/// `paths./v1/{id}.get.operationId` → `/paths/~1v1~1{id}/get/operationId`: the dotted places of
/// the checks below, whose path keys contain dots themselves, matched against the document.
fn dotted_to_pointer(doc: &Value, place: &str) -> String {
    let mut pointer = String::new();
    let mut node = Some(doc);
    let mut rest = place;
    while !rest.is_empty() {
        // The longest key of the current mapping that `rest` starts with, up to a dot.
        let key = node
            .and_then(Value::as_object)
            .and_then(|m| {
                m.keys()
                    .filter(|k| rest == k.as_str() || rest.starts_with(&format!("{k}.")))
                    .max_by_key(|k| k.len())
                    .cloned()
            })
            .unwrap_or_else(|| rest.split('.').next().unwrap_or(rest).to_owned());
        node = node.and_then(|n| n.get(&key));
        pointer.push('/');
        pointer.push_str(&escape(&key));
        rest = rest[key.len().min(rest.len())..].trim_start_matches('.');
    }
    pointer
}

fn validate_model_and_house_rules(file: &str, doc: &Value) -> Result<(), SpecError> {
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => {
            return Err(SpecError::new(
                file,
                Some("openapi".into()),
                format!(
                    "OpenAPI {v} is not supported: progenitor reads OpenAPI 3.0.x; write `openapi: 3.0.3`"
                ),
            ));
        }
        None => {
            return Err(SpecError::new(
                file,
                None,
                "missing `openapi: 3.0.3` at the top",
            ));
        }
    }
    deserialize_openapi(file, doc.clone())?;
    each_node(doc, &mut Vec::new(), &mut |v, place| {
        check_field_names(file, v, place)
    })?;
    each_node(doc, &mut Vec::new(), &mut |v, place| {
        check_doc_deviations(file, v, place)
    })?;
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let place = format!("paths.{path}.{method}");
            match op.get("operationId").and_then(Value::as_str) {
                None => {
                    return Err(SpecError::new(
                        file,
                        Some(place),
                        "missing operationId: add the vendor's operation name in snake_case (for example `show_vpcep_connection`)",
                    ));
                }
                Some(id) if !is_snake_case(id) => {
                    return Err(SpecError::new(
                        file,
                        Some(format!("{place}.operationId")),
                        format!(
                            "operationId {id:?} is not snake_case (write it like `connect_privatelink_service`)"
                        ),
                    ));
                }
                Some(_) => {}
            }
            if op.get("externalDocs").and_then(|d| d.get("url")).is_none() {
                return Err(SpecError::new(
                    file,
                    Some(place),
                    "missing externalDocs: name the vendor's documentation page (url and description)",
                ));
            }
        }
    }
    Ok(())
}

/// Calls `f` on `v` and on every value below it, depth first in document order, with its path
/// from `v` (keys and list indexes); the first error stops the walk.
pub(crate) fn each_node<E>(
    v: &Value,
    path: &mut Vec<String>,
    f: &mut impl FnMut(&Value, &[String]) -> Result<(), E>,
) -> Result<(), E> {
    f(v, path)?;
    let children: Vec<(String, &Value)> = match v {
        Value::Object(map) => map.iter().map(|(k, child)| (k.clone(), child)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, c)| (i.to_string(), c))
            .collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        path.push(key);
        each_node(child, path, f)?;
        path.pop();
    }
    Ok(())
}

/// Two properties of one object whose Rust field names (snake_case) collide, like `error_code`
/// and `errorCode`, make progenitor emit a struct that does not compile; say so up front.
fn check_field_names(file: &str, v: &Value, place: &[String]) -> Result<(), SpecError> {
    let Some(props) = v.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for name in props.keys() {
        if let Some(first) = seen.insert(crate::spec::naming::snake(name), name) {
            return Err(SpecError::new(
                file,
                Some(format!("{}.properties", place.join("."))),
                format!(
                    "properties `{first}` and `{name}` both become the Rust field `{}`: keep one \
                     (accept the other spelling with a replacement type in api.toml)",
                    crate::spec::naming::snake(name)
                ),
            ));
        }
    }
    Ok(())
}

/// `x-doc-deviation` (see `cargo xtask docs check`) is a reason, or a map from an aspect or a
/// finding's subject to a reason; anything else is a typo that would silently explain nothing.
fn check_doc_deviations(file: &str, v: &Value, place: &[String]) -> Result<(), SpecError> {
    use crate::docs::compare::{ASPECTS, DEVIATION, deviations_of};
    let Some(map) = v.as_object().filter(|map| map.contains_key(DEVIATION)) else {
        return Ok(());
    };
    let at = Some(
        format!("{}.{DEVIATION}", place.join("."))
            .trim_start_matches('.')
            .to_owned(),
    );
    let reasons = deviations_of(v).map_err(|m| SpecError::new(file, at.clone(), m))?;
    // On an operation the keys are subjects (`status 404`); elsewhere, aspects.
    let is_operation = map.contains_key("operationId");
    for (key, reason) in &reasons {
        if reason.trim().is_empty() {
            return Err(SpecError::new(
                file,
                at,
                format!("{key}: give the reason for the deviation"),
            ));
        }
        if !is_operation && key != "*" && !ASPECTS.contains(&key.as_str()) {
            return Err(SpecError::new(
                file,
                at,
                format!(
                    "unknown aspect `{key}`: write one of {}",
                    ASPECTS.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn is_snake_case(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.contains("__")
        && !s.ends_with('_')
}

const COMPONENT_KINDS: [&str; 7] = [
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "headers",
    "examples",
    "securitySchemes",
];

/// Merges the API's documents into one: paths from every operation document, components from
/// all of them, `info` and `servers` from `api.toml`. A name defined twice is an error, as is a
/// reference to a component that no document defines.
fn merge(
    config: &ApiConfig,
    common: Option<&(String, Value)>,
    operations: &[(String, Value)],
    texts: &[(String, String, String)],
) -> Result<(Value, Owners), Vec<SpecError>> {
    // An error at `pointer` of `file`, at its line in the file as written.
    let at = |file: &str, pointer: String, message: String| {
        let line = texts
            .iter()
            .find(|(f, ..)| f == file)
            .and_then(|(.., text)| crate::spec::yaml_lines::line_of(text, &pointer));
        SpecError::new(file, Some(pointer), message).at_line(line)
    };
    // Every `$ref` of every document: (file, pointer of the `$ref`, target as merged).
    let mut refs: Vec<(String, String, String)> = Vec::new();
    let mut errors = Vec::new();
    let mut components: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    let mut owners: Owners = BTreeMap::new();
    let mut paths = Map::new();
    let mut path_owner: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut op_ids: BTreeMap<String, String> = BTreeMap::new();

    let docs = common.into_iter().chain(operations.iter());
    for (file, doc) in docs {
        let mut outside = Vec::new();
        let doc = rewrite_refs(file, doc.clone(), &mut refs, &mut outside);
        for (pointer, message) in outside {
            errors.push(at(file, pointer, message));
        }
        for kind in COMPONENT_KINDS {
            let defs = doc
                .get("components")
                .and_then(|c| c.get(kind))
                .and_then(Value::as_object);
            for (name, def) in defs.into_iter().flatten() {
                let key = (kind.to_owned(), name.clone());
                if let Some(first) = owners.get(&key) {
                    errors.push(at(
                        file,
                        format!("/components/{kind}/{}", escape(name)),
                        format!("`{name}` (components.{kind}) is already defined in {first}: define a shared component once, in {COMMON_FILE}, and refer to it as `$ref: '{COMMON_FILE}#/components/{kind}/{name}'`"),
                    ));
                    continue;
                }
                owners.insert(key, file.clone());
                components
                    .entry(kind)
                    .or_default()
                    .insert(name.clone(), def.clone());
            }
        }
        let items = doc.get("paths").and_then(Value::as_object);
        for (path, item) in items.into_iter().flatten() {
            let Some(item) = item.as_object() else {
                continue;
            };
            let entry = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            for (method, op) in item {
                let key = (path.clone(), method.clone());
                if let Some(first) = path_owner.get(&key) {
                    errors.push(at(
                        file,
                        format!("/paths/{}/{}", escape(path), escape(method)),
                        format!("this operation is already defined in {first}: one document per operation"),
                    ));
                    continue;
                }
                if let Some(id) = op.get("operationId").and_then(Value::as_str)
                    && let Some(first) = op_ids.insert(id.to_owned(), file.clone())
                {
                    errors.push(at(
                        file,
                        format!("/paths/{}/{}/operationId", escape(path), escape(method)),
                        format!("operationId `{id}` is already used in {first}: give each operation its own"),
                    ));
                }
                path_owner.insert(key, file.clone());
                let op = relax_client_supplied(config, op.clone());
                if let Some(obj) = entry.as_object_mut() {
                    obj.insert(method.clone(), op);
                }
            }
        }
    }

    let mut server = serde_json::json!({ "url": config.base_url });
    if config.base_url.contains("{region}") {
        server["variables"] = serde_json::json!({ "region": { "default": "cn-north-4", "description": "Huawei Cloud region" } });
    }
    let merged = sort_keys(serde_json::json!({
        "openapi": "3.0.3",
        "info": {
            "title": config.title,
            "description": config.description,
            "version": config.api_version,
        },
        "servers": [server],
        "paths": paths,
        "components": components,
    }));

    // Every reference must now resolve; an error names the `$ref` where it is written. One
    // that points into another file is already reported.
    for (file, pointer, target) in refs {
        if !target.starts_with('#') {
            continue;
        }
        if !target.starts_with("#/") {
            let rest = target.trim_start_matches('#');
            errors.push(at(
                &file,
                pointer,
                format!("`$ref: '{target}'` lacks the `/` after `#`: write `$ref: '#/{rest}'`"),
            ));
        } else if resolve_pointer(&merged, &target).is_none() {
            errors.push(at(&file, pointer, unresolved(&merged, &target)));
        }
    }
    if errors.is_empty() {
        Ok((merged, owners))
    } else {
        Err(errors)
    }
}

/// Rewrites `_common.yaml#/x` references to `#/x`; any other external reference is an error,
/// noted in `errors` as (pointer of the `$ref`, message). Every reference is noted in `refs` as
/// (file, pointer of the `$ref`, target as rewritten).
fn rewrite_refs(
    file: &str,
    mut doc: Value,
    refs: &mut Vec<(String, String, String)>,
    errors: &mut Vec<(String, String)>,
) -> Value {
    fn walk(
        v: &mut Value,
        pointer: &mut String,
        file: &str,
        refs: &mut Vec<(String, String, String)>,
        errors: &mut Vec<(String, String)>,
    ) {
        let len = pointer.len();
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    pointer.push('/');
                    pointer.push_str(&escape(k));
                    if k == "$ref" {
                        if let Value::String(target) = child {
                            if let Some(rest) = target.strip_prefix(COMMON_FILE) {
                                *target = rest.to_owned();
                            } else if !target.starts_with('#') {
                                let name = target
                                    .split_once('#')
                                    .and_then(|(_, fragment)| fragment.rsplit('/').next())
                                    .filter(|n| !n.is_empty())
                                    .unwrap_or("<Name>");
                                errors.push((
                                    pointer.clone(),
                                    format!("`$ref: '{target}'` points into another file: a reference names a component of this API, shared in {COMMON_FILE} or defined in this document: write `$ref: '{COMMON_FILE}#/components/<section>/{name}'` and define it there"),
                                ));
                            }
                            refs.push((file.to_owned(), pointer.clone(), target.clone()));
                        }
                    } else {
                        walk(child, pointer, file, refs, errors);
                    }
                    pointer.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    walk(child, pointer, file, refs, errors);
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
    }
    walk(&mut doc, &mut String::new(), file, refs, errors);
    doc
}

/// The strings of a JSON list (`required`, `x-require-one-of`); none when it is not a list.
pub(crate) fn strings(list: Option<&Value>) -> impl Iterator<Item = &str> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// A scalar as text: a string as it is, anything else as JSON.
pub(crate) fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A key as one segment of a JSON pointer (RFC 6901).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The message for a reference to `target` that names nothing in the merged document: what is
/// there instead, and where to define it.
fn unresolved(merged: &Value, target: &str) -> String {
    let (parent, name) = target.rsplit_once('/').unwrap_or(("#", target));
    let siblings: Vec<String> = resolve_pointer(merged, parent)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let near =
        crate::spec::rules::closest(name, siblings.iter().map(String::as_str)).or_else(|| {
            siblings
                .iter()
                .map(String::as_str)
                .find(|s| s.starts_with(name) || name.starts_with(*s))
        });
    let hint = near
        .map(|n| format!(" (did you mean `{parent}/{n}`?)"))
        .unwrap_or_default();
    let section = parent.trim_start_matches("#/").replace('/', ".");
    format!(
        "`$ref: '{target}'` names nothing: no document of this API defines `{name}` under {section}{hint}: \
         correct the name, or define it in {COMMON_FILE} (shared) or in this document"
    )
}

/// Resolves a local `#/a/b` reference.
fn resolve_pointer<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

/// Marks the parameters listed in `client_supplied` optional in the generated client: the
/// vendor requires them on the wire, and the runtime supplies them when the caller does not.
fn relax_client_supplied(config: &ApiConfig, mut op: Value) -> Value {
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for p in params {
            let field = |key: &str| p.get(key).and_then(Value::as_str).unwrap_or_default();
            let supplied = config
                .client_supplied
                .iter()
                .any(|c| c.name == field("name") && c.location == field("in"));
            if supplied && let Some(obj) = p.as_object_mut() {
                obj.insert("required".into(), Value::Bool(false));
            }
        }
    }
    op
}
