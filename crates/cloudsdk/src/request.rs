//! One call as the flags describe it: the path with its parameters, the query, the headers and
//! the JSON body (from `--body` and the body-field flags), checked against the table.

use std::io::{IsTerminal as _, Read as _};

use serde_json::{Map, Value};

use crate::{
    Failure,
    catalog::{Api, Auth, Operation, Ty},
    settings::Settings,
};

/// A request before the base URL and credentials are known.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The method.
    pub(crate) method: &'static str,
    /// The path, its parameters filled in and encoded.
    pub(crate) path: String,
    /// Query pairs, in the order of the spec.
    pub(crate) query: Vec<(String, String)>,
    /// Header pairs.
    pub(crate) headers: Vec<(String, String)>,
    /// The JSON body.
    pub(crate) body: Option<Value>,
    /// The body's secret fields, as the table lists them (JSON pointers, `*` for every item).
    pub(crate) secrets: &'static [&'static str],
}

impl Call {
    pub(crate) fn from_args(
        api: &Api,
        op: &Operation,
        args: &clap::ArgMatches,
        settings: Option<&Settings>,
    ) -> Result<Self, Failure> {
        let mut path = op.path.to_owned();
        let mut query = Vec::new();
        let mut headers = Vec::new();
        for p in op.params {
            let mut value = args.get_one::<String>(p.flag).cloned();
            // Huawei Cloud's path `project_id` defaults to the configured project.
            if value.is_none() && api.auth == Auth::Huawei && p.name == "project_id" {
                value = settings.and_then(|s| s.get("HUAWEICLOUD_SDK_PROJECT_ID"));
            }
            let Some(value) = value else {
                if p.required && !p.supplied && settings.is_some() {
                    return Err(Failure::usage(format!(
                        "{} needs --{} ({} parameter {}): {}",
                        op.id, p.flag, p.location, p.name, p.description
                    )));
                }
                // Optional, supplied by the runtime, or `--mock` (which sends nothing).
                continue;
            };
            check_value(p.flag, p.ty, p.values, &value)?;
            match p.location {
                "path" => {
                    let segment = cloud_sdk_runtime::path_segment(p.name, &value)
                        .map_err(|e| Failure::usage(format!("--{}: {e}", p.flag)))?;
                    path = path.replace(&format!("{{{}}}", p.name), &segment);
                }
                "query" => query.push((p.name.to_owned(), value)),
                "header" => headers.push((p.name.to_owned(), value)),
                _ => {
                    return Err(Failure::usage(format!(
                        "--{}: cookie parameters are not supported",
                        p.flag
                    )));
                }
            }
        }
        let body = match &op.body {
            None => None,
            Some(body) => {
                let mut value = match args.try_get_one::<String>("body").ok().flatten() {
                    Some(source) => Some(read_body(source)?),
                    None => None,
                };
                for f in body.root.fields {
                    let Some(flag) = f.flag else { continue };
                    let pointer = op.secret_pointer(f);
                    let secret = pointer.is_some();
                    let text = match &pointer {
                        Some(pointer) => secret_value(flag, pointer, args, settings.is_some())?,
                        None => args.get_one::<String>(flag).cloned(),
                    };
                    let Some(text) = text else {
                        continue;
                    };
                    let typed = match check_value(flag, f.ty, f.values, &text) {
                        Ok(typed) => typed,
                        // The refusal quotes the value; a secret's is not shown.
                        Err(_) if secret => {
                            return Err(Failure::usage(format!(
                                "--{flag}: the value given is not a valid {}",
                                f.ty.name()
                            )));
                        }
                        Err(e) => return Err(e),
                    };
                    let object = value.get_or_insert_with(|| Value::Object(Map::new()));
                    match object {
                        Value::Object(map) => {
                            map.insert(f.name.to_owned(), typed);
                        }
                        _ => {
                            return Err(Failure::usage(format!(
                                "--{flag} sets a field of the body, but the --body given is not a JSON object"
                            )));
                        }
                    }
                }
                if value.is_none() && body.required && settings.is_some() {
                    return Err(Failure::usage(format!(
                        "{} needs a request body: pass --body FILE (or - for stdin) or the body-field flags; \
                         `--body-template` prints a skeleton",
                        op.id
                    )));
                }
                value
            }
        };
        Ok(Self {
            method: op.method,
            path,
            query,
            headers,
            body,
            secrets: op.secrets,
        })
    }
}

/// The shell variable that holds the secret body field at `pointer` (`/password` →
/// `CLOUDSDK_BODY_PASSWORD`, `/replicas/0/dbPassword` → `CLOUDSDK_BODY_REPLICAS_0_DB_PASSWORD`):
/// read when the field's flag is not given, and what a dry run writes in its place.
pub(crate) fn secret_variable(pointer: &str) -> String {
    let mut name = String::from("CLOUDSDK_BODY");
    for step in pointer.split('/').skip(1) {
        name.push('_');
        let mut lower = false;
        for c in step.replace("~1", "/").replace("~0", "~").chars() {
            if c.is_ascii_uppercase() && lower {
                name.push('_');
            }
            lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            name.push(if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            });
        }
    }
    name
}

/// The value of a secret body field's flag: written after it (`--password VALUE`, which other
/// users of the machine can read in the process list); asked for without echo on a terminal,
/// or read as one line of stdin, when the flag is given alone; else from its variable
/// ([`secret_variable`]). Nothing is asked when nothing will be sent (`sending`: not `--mock`).
fn secret_value(
    flag: &str,
    pointer: &str,
    args: &clap::ArgMatches,
    sending: bool,
) -> Result<Option<String>, Failure> {
    if let Some(value) = args.get_one::<String>(flag) {
        return Ok(Some(value.clone()));
    }
    if !args.contains_id(flag) {
        return crate::settings::env_var(&secret_variable(pointer));
    }
    if !sending {
        return Ok(None);
    }
    let body_from_stdin = args
        .try_get_one::<String>("body")
        .ok()
        .flatten()
        .map(String::as_str)
        == Some("-");
    if body_from_stdin && !std::io::stdin().is_terminal() {
        return Err(Failure::usage(format!(
            "--{flag} alone reads the value from stdin, and so does --body -: pass the body from \
             a file, or set {}",
            secret_variable(pointer)
        )));
    }
    let value = crate::settings::read_value(&format!("--{flag}: "), true)
        .map_err(|e| Failure::usage(format!("--{flag}: cannot read the value: {e}")))?;
    if value.is_empty() {
        return Err(Failure::usage(format!("--{flag}: no value given")));
    }
    Ok(Some(value))
}

fn read_body(source: &str) -> Result<Value, Failure> {
    let (text, from) = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("--body -: cannot read stdin: {e}")))?;
        (text, "stdin".to_owned())
    } else {
        let text = std::fs::read_to_string(source)
            .map_err(|e| Failure::usage(format!("--body {source}: cannot read: {e}")))?;
        (text, source.to_owned())
    };
    // JSON is YAML too; YAML lets the `--body-template` skeleton be filled in and passed back.
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => Ok(v),
        Err(json) => serde_yaml_ng::from_str::<Value>(&text).map_err(|yaml| {
            Failure::usage(format!(
                "--body {from}: neither JSON ({json}) nor YAML ({yaml})"
            ))
        }),
    }
}

/// `text` given to `--{flag}` as a JSON value of type `ty`, or why it is not one (not of the
/// type, or not one of the documented `values`).
fn check_value(flag: &str, ty: Ty, values: &[&str], text: &str) -> Result<Value, Failure> {
    if !values.is_empty() && ty == Ty::String && !values.contains(&text) {
        return Err(Failure::usage(format!(
            "--{flag} {text:?}: write one of {}",
            values.join(", ")
        )));
    }
    let bad = |what: &str| Failure::usage(format!("--{flag} {text:?}: write {what}"));
    Ok(match ty {
        Ty::Integer => Value::from(text.parse::<i64>().map_err(|_| bad("an integer"))?),
        Ty::Number => {
            serde_json::Number::from_f64(text.parse::<f64>().map_err(|_| bad("a number"))?)
                .map(Value::Number)
                .ok_or_else(|| bad("a finite number"))?
        }
        Ty::Boolean => Value::Bool(text.parse::<bool>().map_err(|_| bad("true or false"))?),
        _ => Value::String(text.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_variables_are_named_after_the_fields_place() {
        assert_eq!(secret_variable("/password"), "CLOUDSDK_BODY_PASSWORD");
        assert_eq!(
            secret_variable("/replicas/0/dbPassword"),
            "CLOUDSDK_BODY_REPLICAS_0_DB_PASSWORD"
        );
        assert_eq!(secret_variable("/a~1b-c"), "CLOUDSDK_BODY_A_B_C");
    }
}
