//! Checks that every spec name in `api.toml` (`paginate`, `envelope`, `client_supplied`,
//! `replace`) exists in the merged spec with a type the generated code can use. Without this a
//! misnamed or retyped field makes `generate` write code that does not compile; here it is an
//! error naming the setting's line in `api.toml` and the field's line in its YAML document.
//!
//! It also checks that every operation documents a success (2xx) response, with or without a
//! body, as its `call()` returns.

use std::collections::BTreeMap;

use openapiv3::{ParameterSchemaOrContent, ReferenceOr, SchemaKind, StatusCode, Type};
use serde_json::Value;

use crate::spec::{
    LoadedApi,
    config::SpecError,
    model::{location, ref_name},
};

/// One document of the API as written: file (relative), text, parsed value.
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub doc: &'a Value,
}

/// Checks the settings of `api` (its `api.toml`, read from `config_file` as `config_text`)
/// against its merged spec.
pub(crate) fn check(
    api: &LoadedApi,
    config_file: &str,
    config_text: &str,
    sources: &[Source<'_>],
) -> Vec<SpecError> {
    let config = &api.config;
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
        if api.schema_named(name).is_none() {
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
        let found = api.merged.operations().any(|(_, _, op)| {
            api.parameters(op).any(|p| {
                p.parameter_data_ref().name == c.name && location(p) == c.location.as_str()
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
        match api.schema_named(&e.schema) {
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
                    if let Err(msg) = field_of(api, &e.schema, field, want, &here) {
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
        let Some((_, _, op)) = api
            .merged
            .operations()
            .find(|(_, _, op)| op.operation_id.as_deref() == Some(p.operation.as_str()))
        else {
            errors.push(at(
                "operation",
                format!("no operation with operationId `{}`", p.operation),
            ));
            continue;
        };
        let Some(page) = api.response_schema_name(op, &StatusCode::Code(200)) else {
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
            if let Err(msg) = field_of(api, &page, field, want, &here) {
                errors.push(at(key, msg));
            }
        }
        for (key, name) in [("offset", &p.offset), ("limit", &p.limit)] {
            let param = api
                .parameters(op)
                .find(|q| q.parameter_data_ref().name == *name && location(q) == "query");
            match param {
                None => errors.push(at(
                    key,
                    format!(
                        "`{}` has no query parameter `{name}`: name its {key} parameter",
                        p.operation
                    ),
                )),
                Some(q) => {
                    let schema = match &q.parameter_data_ref().format {
                        ParameterSchemaOrContent::Schema(s) => api.schema(s),
                        ParameterSchemaOrContent::Content(_) => None,
                    };
                    if schema.and_then(|s| type_name(&s.schema_kind)) != Some("integer") {
                        errors.push(at(
                            key,
                            format!("query parameter `{name}` must be an integer to page with it"),
                        ));
                    }
                }
            }
        }
    }
    errors.extend(call_needs(api, sources));
    errors.extend(unread_require_one_of(api, sources));
    errors
}

/// Each operation without a documented success response, as an error at the line of its
/// `responses`. (The 4XX error schema `call()` also needs is checked by the generator, not
/// here: `api-diff` reads specs that lack one.)
fn call_needs(api: &LoadedApi, sources: &[Source<'_>]) -> Vec<SpecError> {
    // By path, then method as written, the order of the documents.
    let mut errors = BTreeMap::new();
    for (path, method, op) in api.merged.operations() {
        let success = op
            .responses
            .responses
            .keys()
            .any(|code| matches!(code, StatusCode::Code(n) if (200..300).contains(n)));
        if success {
            continue;
        }
        let pointer = format!("/paths/{}/{method}/responses", crate::spec::escape(path));
        let (file, line) = locate(sources, &pointer).unwrap_or_default();
        let error = SpecError::new(
            file,
            Some(format!("paths.{path}.{method}.responses")),
            format!(
                "{method} {path} documents no success response: add the status the page \
                 gives, e.g. `'200': {{description: OK}}` for a response with no body \
                 (a page's \"None\"), or with `content` for a JSON body"
            ),
        )
        .at_line(line);
        errors.insert((path, method), error);
    }
    errors.into_values().collect()
}

/// Each component schema with `x-require-one-of` that no operation's request body names, as an
/// error at the line of the extension: the generator checks the rule on request bodies only
/// (`codegen::calls::require_one_of_rules`), so elsewhere it would check nothing, silently.
fn unread_require_one_of(api: &LoadedApi, sources: &[Source<'_>]) -> Vec<SpecError> {
    let bodies: Vec<String> = api
        .merged
        .operations()
        .filter_map(|(_, _, op)| api.request_schema_name(op))
        .collect();
    let schemas = api.merged.components.iter().flat_map(|c| &c.schemas);
    schemas
        .filter(|(name, _)| !bodies.contains(name))
        .filter(|(_, schema)| match schema {
            openapiv3::ReferenceOr::Item(s) => {
                s.schema_data.extensions.contains_key("x-require-one-of")
            }
            openapiv3::ReferenceOr::Reference { .. } => false,
        })
        .map(|(name, _)| {
            let pointer = format!(
                "/components/schemas/{}/x-require-one-of",
                crate::spec::escape(name)
            );
            let (file, line) = locate(sources, &pointer).unwrap_or_default();
            SpecError::new(
                file,
                Some(format!("components.schemas.{name}.x-require-one-of")),
                format!(
                    "`x-require-one-of` is checked on an operation's request body only, and no \
                     operation's body is `{name}`: move it to the schema the body names \
                     (`$ref: '#/components/schemas/<Body>'`) or remove it"
                ),
            )
            .at_line(line)
        })
        .collect()
}

#[derive(Clone, Copy)]
enum Want {
    Boolean,
    String,
    Integer,
    ArrayOfNamed,
}

/// The `type` a schema declares, if it declares one.
fn type_name(kind: &SchemaKind) -> Option<&str> {
    match kind {
        SchemaKind::Type(Type::String(_)) => Some("string"),
        SchemaKind::Type(Type::Number(_)) => Some("number"),
        SchemaKind::Type(Type::Integer(_)) => Some("integer"),
        SchemaKind::Type(Type::Object(_)) => Some("object"),
        SchemaKind::Type(Type::Array(_)) => Some("array"),
        SchemaKind::Type(Type::Boolean(_)) => Some("boolean"),
        SchemaKind::Any(any) => any.typ.as_deref(),
        _ => None,
    }
}

/// Checks that `schema_name.field` exists with the wanted type; the error says what it found
/// and where the field is written.
fn field_of(
    api: &LoadedApi,
    schema_name: &str,
    field: &str,
    want: Want,
    here: &dyn Fn(&str) -> Option<Place>,
) -> Result<(), String> {
    let props = api
        .schema_named(schema_name)
        .and_then(|s| match &s.schema_kind {
            SchemaKind::Type(Type::Object(o)) => Some(&o.properties),
            SchemaKind::Any(any) => Some(&any.properties),
            _ => None,
        });
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
    let reference = ref_name(prop);
    let replaced = reference.is_some_and(|r| api.config.replace.contains_key(r));
    let target = api.boxed_schema(prop);
    let ty = target.and_then(|t| type_name(&t.schema_kind));
    let ok = match want {
        // A replacement type for a boolean (`FlexBool`) converts into `bool`.
        Want::Boolean => ty == Some("boolean") || replaced,
        Want::String => ty == Some("string") && !replaced,
        Want::Integer => ty == Some("integer") && !replaced,
        Want::ArrayOfNamed => target.is_some_and(|t| {
            matches!(
                &t.schema_kind,
                SchemaKind::Type(Type::Array(a))
                    if matches!(a.items, Some(ReferenceOr::Reference { .. }))
            )
        }),
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
pub(crate) fn setting_line(
    text: &str,
    section: &str,
    nth: usize,
    key: Option<&str>,
) -> Option<usize> {
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
