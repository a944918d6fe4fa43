//! Printing: JSON (pretty on a terminal, compact otherwise), YAML or a table; `--query` with
//! JMESPath; errors as one line or, with `--output json`, one JSON object on stderr.

use std::io::{IsTerminal as _, Write as _};

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde_json::Value;

use crate::{Failure, catalog::Operation};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Yaml,
    Table,
}

/// How results are printed.
pub(crate) struct Printer {
    pub(crate) format: Format,
    pub(crate) query: Option<jmespath::Expression<'static>>,
    pub(crate) columns: Option<Vec<String>>,
    pub(crate) pretty: bool,
}

impl Printer {
    pub(crate) fn new(
        format: Format,
        query: Option<&str>,
        columns: Option<&str>,
    ) -> Result<Self, Failure> {
        let query = query
            .map(|q| {
                jmespath::compile(q).map_err(|e| {
                    Failure::usage(format!("--query is not a JMESPath expression: {e}"))
                })
            })
            .transpose()?;
        Ok(Self {
            format,
            query,
            columns: columns.map(|c| {
                c.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
            pretty: std::io::stdout().is_terminal(),
        })
    }

    /// The value after `--query`.
    pub(crate) fn select(&self, value: Value) -> Result<Value, Failure> {
        match &self.query {
            None => Ok(value),
            Some(q) => search(q, &value),
        }
    }

    /// Prints one response (or one item of `--all`).
    pub(crate) fn print(&self, op: &Operation, value: Value, listed: bool) -> Result<(), Failure> {
        let queried = self.query.is_some();
        let value = self.select(value)?;
        let text = match self.format {
            Format::Json if self.pretty => serde_json::to_string_pretty(&value),
            Format::Json => serde_json::to_string(&value),
            Format::Yaml => {
                return write_out(
                    &serde_yaml_ng::to_string(&value)
                        .map_err(|e| Failure::internal(format!("cannot write YAML: {e}")))?,
                );
            }
            Format::Table => {
                let list = (!queried && !listed).then_some(op.list).flatten();
                let defaults = if queried { &[][..] } else { op.columns };
                return write_out(&self.table(&value, list, defaults));
            }
        }
        .map_err(|e| Failure::internal(format!("cannot write JSON: {e}")))?;
        write_out(&format!("{text}\n"))
    }

    /// A table: one row per item of the list (the value itself when it is an array, else
    /// the operation's list field), else one row for the object.
    pub(crate) fn table(&self, value: &Value, list: Option<&str>, defaults: &[&str]) -> String {
        let rows: Vec<&Value> = match (value, list.and_then(|l| value.get(l))) {
            (Value::Array(items), _) => items.iter().collect(),
            (_, Some(Value::Array(items))) => items.iter().collect(),
            (other, _) => vec![other],
        };
        let columns: Vec<String> = match &self.columns {
            Some(c) => c.clone(),
            None if !defaults.is_empty() => defaults.iter().map(|c| (*c).to_owned()).collect(),
            None => {
                let mut seen = Vec::<String>::new();
                for row in &rows {
                    if let Value::Object(map) = row {
                        for (k, v) in map {
                            if !v.is_object() && !v.is_array() && !seen.contains(k) {
                                seen.push(k.clone());
                            }
                        }
                    }
                }
                if seen.is_empty() {
                    vec!["value".into()]
                } else {
                    seen
                }
            }
        };
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(columns.iter().map(String::as_str));
        for row in rows {
            table.add_row(columns.iter().map(|c| match row {
                Value::Object(map) => cell(map.get(c)),
                other if c == "value" => cell(Some(other)),
                _ => String::new(),
            }));
        }
        format!("{table}\n")
    }
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Evaluates a compiled JMESPath expression on a JSON value.
pub(crate) fn search(expr: &jmespath::Expression<'_>, value: &Value) -> Result<Value, Failure> {
    let data = jmespath::Variable::from_serializable(value)
        .map_err(|e| Failure::internal(format!("cannot read the response for JMESPath: {e}")))?;
    let found = expr
        .search(data)
        .map_err(|e| Failure::usage(format!("the JMESPath expression failed: {e}")))?;
    serde_json::to_value(&*found)
        .map_err(|e| Failure::internal(format!("cannot convert a JMESPath result: {e}")))
}

pub(crate) fn write_out(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) ends the output quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::internal(format!("cannot write to stdout: {e}"))),
    }
}
