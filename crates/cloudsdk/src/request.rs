//! One call as the flags describe it: the path with its parameters, the query, the headers and
//! the JSON body (from `--body` and the body-field flags), checked against the table.

use std::io::Read as _;

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
                    let Some(text) = args.get_one::<String>(flag) else {
                        continue;
                    };
                    check_value(flag, f.ty, f.values, text)?;
                    let typed = typed(flag, f.ty, text)?;
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
        })
    }

    /// The body as sent: compact JSON.
    pub(crate) fn body_text(&self) -> Option<String> {
        self.body.as_ref().map(Value::to_string)
    }
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

fn check_value(flag: &str, ty: Ty, values: &[&str], text: &str) -> Result<(), Failure> {
    if !values.is_empty() && ty == Ty::String && !values.contains(&text) {
        return Err(Failure::usage(format!(
            "--{flag} {text:?}: write one of {}",
            values.join(", ")
        )));
    }
    typed(flag, ty, text).map(|_| ())
}

fn typed(flag: &str, ty: Ty, text: &str) -> Result<Value, Failure> {
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
