//! Checks that every spec name in `api.toml` (`paginate`, `envelope`, `client_supplied`,
//! `replace`) exists in the merged spec with a type the generated code can use. Without this a
//! misnamed or retyped field makes `generate` write code that does not compile; here it is an
//! error naming the setting's line in `api.toml` and the field's line in its YAML document.
//!
//! It also checks that every operation documents a success (2xx) response, with or without a
//! body, as its `call()` returns.

use serde_json::Value;

use crate::spec::config::{ApiConfig, SpecError};

/// One document of the API as written: file (relative), text, parsed value.
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub doc: &'a Value,
}

/// Checks `config` against `merged` (local references only, as after the merge).
pub(crate) fn check(
    config: &ApiConfig,
    config_file: &str,
    config_text: &str,
    merged: &Value,
    sources: &[Source<'_>],
) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let setting = |section: &str, nth: usize, key: Option<&str>, place: String, message: String| {
        SpecError::new(config_file, Some(place), message).at_line(setting_line(
            config_text,
            section,
            nth,
            key,
        ))
    };
    let here = |pointer: &str| locate(sources, pointer);

    for name in config.replace.keys() {
        if schema(merged, name).is_none() {
            errors.push(setting(
                &format!("[replace.{name}]"),
                0,
                None,
                format!("replace.{name}"),
                format!(
                    "no schema `{name}` in components.schemas of any document: name an existing schema or remove the entry"
                ),
            ));
        }
    }

    for (i, c) in config.client_supplied.iter().enumerate() {
        let found = operations(merged).any(|(_, op)| {
            parameters(merged, op).any(|p| {
                p.get("name").and_then(Value::as_str) == Some(c.name.as_str())
                    && p.get("in").and_then(Value::as_str) == Some(c.location.as_str())
            })
        });
        if !found {
            errors.push(setting(
                "[[client_supplied]]",
                i,
                Some("name"),
                format!("client_supplied[{i}]"),
                format!(
                    "no operation has a {} parameter `{}`: fix `name`/`in` to match a parameter of the spec",
                    c.location, c.name
                ),
            ));
        }
    }

    if let Some(e) = &config.envelope {
        match schema(merged, &e.schema) {
            None => errors.push(setting(
                "[envelope]",
                0,
                Some("schema"),
                "envelope.schema".into(),
                format!("no schema `{}` in components.schemas", e.schema),
            )),
            Some(_) => {
                for (key, field, want) in [
                    ("success", &e.success, Want::Boolean),
                    ("code", &e.code, Want::String),
                    ("message", &e.message, Want::String),
                    ("request_id", &e.request_id, Want::String),
                ] {
                    if let Err(msg) = field_of(config, merged, &e.schema, field, want, &here) {
                        errors.push(setting(
                            "[envelope]",
                            0,
                            Some(key),
                            format!("envelope.{key}"),
                            msg,
                        ));
                    }
                }
            }
        }
    }

    for (i, p) in config.paginate.iter().enumerate() {
        let at = |key: &str, msg: String| {
            setting(
                "[[paginate]]",
                i,
                Some(key),
                format!("paginate[{i}].{key}"),
                msg,
            )
        };
        let Some(op) = operations(merged)
            .find(|(_, op)| op.get("operationId").and_then(Value::as_str) == Some(&p.operation))
            .map(|(_, op)| op)
        else {
            errors.push(at(
                "operation",
                format!("no operation with operationId `{}`", p.operation),
            ));
            continue;
        };
        let Some(page) = ok_schema_name(merged, op) else {
            errors.push(at(
                "operation",
                format!(
                    "`{}` has no 200 response with a named JSON schema (a $ref) to read pages from",
                    p.operation
                ),
            ));
            continue;
        };
        for (key, field, want) in [
            ("items", &p.items, Want::ArrayOfNamed),
            ("total", &p.total, Want::Integer),
        ] {
            if let Err(msg) = field_of(config, merged, &page, field, want, &here) {
                errors.push(at(key, msg));
            }
        }
        for (key, name) in [("offset", &p.offset), ("limit", &p.limit)] {
            let param = parameters(merged, op).find(|q| {
                q.get("name").and_then(Value::as_str) == Some(name.as_str())
                    && q.get("in").and_then(Value::as_str) == Some("query")
            });
            match param {
                None => errors.push(at(
                    key,
                    format!(
                        "`{}` has no query parameter `{name}`: name its {key} parameter",
                        p.operation
                    ),
                )),
                Some(q) => {
                    let t = q.get("schema").map(|s| resolve(merged, s).1);
                    if t.and_then(|s| s.get("type")).and_then(Value::as_str) != Some("integer") {
                        errors.push(at(
                            key,
                            format!("query parameter `{name}` must be an integer to page with it"),
                        ));
                    }
                }
            }
        }
    }
    errors.extend(call_needs(merged, sources));
    errors
}

/// Each operation without a documented success response, as an error at the line of its
/// `responses`. (The 4XX error schema `call()` also needs is checked by the generator, not
/// here: `api-diff` reads specs that lack one.)
fn call_needs(merged: &Value, sources: &[Source<'_>]) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let paths = merged.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            let pointer = format!(
                "/paths/{}/{method}/responses",
                path.replace('~', "~0").replace('/', "~1")
            );
            let error = |message: String| {
                let (file, line) = locate(sources, &pointer).unwrap_or_default();
                SpecError::new(
                    file,
                    Some(format!("paths.{path}.{method}.responses")),
                    message,
                )
                .at_line(line)
            };
            let success = responses.keys().any(|code| {
                code.len() == 3 && code.starts_with('2') && code.chars().all(|c| c.is_ascii_digit())
            });
            if !success {
                errors.push(error(format!(
                    "{method} {path} documents no success response: add the status the page \
                     gives, e.g. `'200': {{description: OK}}` for a response with no body \
                     (a page's \"None\"), or with `content` for a JSON body"
                )));
            }
        }
    }
    errors
}

#[derive(Clone, Copy)]
enum Want {
    Boolean,
    String,
    Integer,
    ArrayOfNamed,
}

/// Checks that `schema_name.field` exists with the wanted type; the error says what it found
/// and where the field is written.
fn field_of(
    config: &ApiConfig,
    merged: &Value,
    schema_name: &str,
    field: &str,
    want: Want,
    here: &dyn Fn(&str) -> Option<Place>,
) -> Result<(), String> {
    let props = schema(merged, schema_name)
        .map(|s| resolve(merged, s).1)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let Some(prop) = props.and_then(|p| p.get(field)) else {
        let known = props
            .map(|p| p.keys().map(String::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let (file, line) = here(&format!("/components/schemas/{schema_name}")).unwrap_or_default();
        return Err(format!(
            "`{schema_name}` ({file}{}) has no property `{field}`: name one of {known}",
            line.map(|l| format!(":{l}")).unwrap_or_default()
        ));
    };
    let (reference, target) = resolve(merged, prop);
    let replaced = reference.is_some_and(|r| config.replace.contains_key(r));
    let ty = target.get("type").and_then(Value::as_str);
    let ok = match want {
        // A replacement type for a boolean (`FlexBool`) converts into `bool`.
        Want::Boolean => ty == Some("boolean") || replaced,
        Want::String => ty == Some("string") && !replaced,
        Want::Integer => ty == Some("integer") && !replaced,
        Want::ArrayOfNamed => {
            ty == Some("array")
                && target
                    .get("items")
                    .and_then(|i| i.get("$ref"))
                    .is_some_and(Value::is_string)
        }
    };
    if ok {
        return Ok(());
    }
    let found = match (replaced, ty) {
        (true, _) => format!("replaced by `{}`", reference.unwrap_or_default()),
        (false, Some(t)) => format!("of type {t}"),
        (false, None) => "of no single type".to_owned(),
    };
    let wanted = match want {
        Want::Boolean => "a boolean",
        Want::String => "a string",
        Want::Integer => "an integer (the total number of items)",
        Want::ArrayOfNamed => "an array whose items are a named schema ($ref)",
    };
    let (file, line) = here(&format!(
        "/components/schemas/{schema_name}/properties/{field}"
    ))
    .unwrap_or_default();
    Err(format!(
        "`{schema_name}.{field}` ({file}{}) is {found}; this setting needs {wanted}: fix the field's type or name another field",
        line.map(|l| format!(":{l}")).unwrap_or_default()
    ))
}

fn schema<'a>(merged: &'a Value, name: &str) -> Option<&'a Value> {
    merged.get("components")?.get("schemas")?.get(name)
}

/// Follows local `$ref`s: (name of the last schema referenced, the object it stands for).
fn resolve<'a>(merged: &'a Value, v: &'a Value) -> (Option<&'a str>, &'a Value) {
    let mut name = None;
    let mut v = v;
    for _ in 0..16 {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(target) = r.strip_prefix('#').and_then(|p| merged.pointer(p)) else {
            break;
        };
        name = r.rsplit('/').next();
        v = target;
    }
    (name, v)
}

fn operations(merged: &Value) -> impl Iterator<Item = (&str, &Value)> {
    merged
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| k.as_str() != "parameters" && v.get("responses").is_some())
                .map(move |(_, op)| (path.as_str(), op))
        })
}

fn parameters<'a>(merged: &'a Value, op: &'a Value) -> impl Iterator<Item = &'a Value> {
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(move |p| resolve(merged, p).1)
}

fn ok_schema_name(merged: &Value, op: &Value) -> Option<String> {
    let response = resolve(merged, op.get("responses")?.get("200")?).1;
    let schema = response
        .get("content")?
        .get("application/json")?
        .get("schema")?;
    let r = schema.get("$ref")?.as_str()?;
    r.strip_prefix("#/components/schemas/").map(str::to_owned)
}

/// A file and, where found, the line in it.
type Place = (String, Option<usize>);

/// The document that defines `pointer` and the line there.
fn locate(sources: &[Source<'_>], pointer: &str) -> Option<Place> {
    sources
        .iter()
        .find(|s| s.doc.pointer(pointer).is_some())
        .map(|s| {
            (
                s.file.to_owned(),
                crate::spec::yaml_lines::line_of(s.text, pointer),
            )
        })
}

/// The line of `key` in the `nth` table whose header is `section` (`[[paginate]]`,
/// `[envelope]`), or of the header when `key` is `None` or not written.
fn setting_line(text: &str, section: &str, nth: usize, key: Option<&str>) -> Option<usize> {
    let mut seen = 0;
    let mut header = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            if header.is_some() {
                break;
            }
            if t == section {
                if seen == nth {
                    header = Some(i + 1);
                    if key.is_none() {
                        break;
                    }
                }
                seen += 1;
            }
            continue;
        }
        if let (Some(_), Some(key)) = (header, key)
            && t.split('=').next().map(str::trim) == Some(key)
        {
            return Some(i + 1);
        }
    }
    header
}
