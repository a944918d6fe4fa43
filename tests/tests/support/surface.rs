//! The surface of an API as compact text (shared by the surface snapshots and the scaffold
//! tests): per operation its method, path, parameters, body and responses, then the schemas.

use std::{collections::BTreeSet, fmt::Write as _};

use serde_json::Value;
use xtask::spec;

pub fn type_of(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    let nullable = if v.get("nullable") == Some(&Value::Bool(true)) {
        "?"
    } else {
        ""
    };
    let t = match v.get("type").and_then(Value::as_str) {
        Some("array") => format!("[{}]", type_of(&v["items"])),
        Some(t) => match v.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t}({f})"),
            None => t.to_owned(),
        },
        None if v.get("oneOf").is_some() => {
            let alts: Vec<String> = v["oneOf"]
                .as_array()
                .into_iter()
                .flatten()
                .map(type_of)
                .collect();
            alts.join(" | ")
        }
        None => "any".to_owned(),
    };
    let mut t = format!("{t}{nullable}");
    if let Some(values) = v.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect();
        t = format!("{t} {{{}}}", values.join(", "));
    }
    let bounds: Vec<String> = ["minimum", "maximum", "default"]
        .iter()
        .filter_map(|k| v.get(*k).map(|x| format!("{k} {x}")))
        .collect();
    if !bounds.is_empty() {
        t = format!("{t} ({})", bounds.join(", "));
    }
    t
}

pub fn surface(api: &spec::LoadedApi) -> String {
    let doc = serde_json::to_value(&api.merged).expect("spec as JSON");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "crate {} {} ({:?} auth), base URL {}",
        api.config.crate_name, api.config.version, api.config.auth, api.config.base_url
    );
    let supplied: BTreeSet<(String, String)> = api
        .config
        .client_supplied
        .iter()
        .map(|c| (c.location.clone(), c.name.clone()))
        .collect();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let _ = writeln!(out, "\n{} {path}", method.to_uppercase());
            let _ = writeln!(
                out,
                "  operation  {}",
                op["operationId"].as_str().unwrap_or_default()
            );
            for p in op["parameters"].as_array().into_iter().flatten() {
                let (location, name) = (
                    p["in"].as_str().unwrap_or_default(),
                    p["name"].as_str().unwrap_or_default(),
                );
                let required = if supplied.contains(&(location.to_owned(), name.to_owned())) {
                    "optional, runtime supplies it"
                } else if p["required"] == Value::Bool(true) {
                    "required"
                } else {
                    "optional"
                };
                let _ = writeln!(
                    out,
                    "  {location:<9}  {name}: {} ({required})",
                    type_of(&p["schema"])
                );
            }
            for (media, m) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                let required = if op["requestBody"]["required"] == Value::Bool(true) {
                    "required"
                } else {
                    "optional"
                };
                let _ = writeln!(
                    out,
                    "  body       {media}: {} ({required})",
                    type_of(&m["schema"])
                );
            }
            for (status, r) in op["responses"].as_object().into_iter().flatten() {
                let r = match r.get("$ref").and_then(Value::as_str) {
                    Some(reference) => doc.pointer(reference.trim_start_matches('#')).unwrap_or(r),
                    None => r,
                };
                let body = r["content"]["application/json"]
                    .get("schema")
                    .map(type_of)
                    .unwrap_or_else(|| "no body".into());
                let headers: Vec<&String> = r["headers"]
                    .as_object()
                    .map(|h| h.keys().collect())
                    .unwrap_or_default();
                let headers = if headers.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", headers {}",
                        headers
                            .iter()
                            .map(|h| h.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let _ = writeln!(out, "  {status:<9}  {body}{headers}");
            }
        }
    }
    let _ = writeln!(out, "\nschemas");
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let mut kind = if schema.get("x-open-enum") == Some(&Value::Bool(true)) {
            "open enum"
        } else {
            ""
        }
        .to_owned();
        if let Some(replacement) = api.config.replace.get(name) {
            kind = format!("replaced by {}", replacement.rust_type);
        }
        match schema.get("properties").and_then(Value::as_object) {
            Some(props) => {
                let _ = writeln!(
                    out,
                    "  {name}{}",
                    if kind.is_empty() {
                        String::new()
                    } else {
                        format!(" ({kind})")
                    }
                );
                let required: BTreeSet<&str> = schema["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for (field, def) in props {
                    let req = if required.contains(field.as_str()) {
                        " (required)"
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "    {field}: {}{req}", type_of(def));
                }
                if let Some(rule) = schema.get("x-require-one-of").and_then(Value::as_array) {
                    let fields: Vec<&str> = rule.iter().filter_map(Value::as_str).collect();
                    let _ = writeln!(out, "    (one of {} is required)", fields.join(", "));
                }
            }
            None => {
                let sep = if kind.is_empty() {
                    String::new()
                } else {
                    format!(" ({kind})")
                };
                let _ = writeln!(out, "  {name}{sep}: {}", type_of(schema));
            }
        }
    }
    out
}
