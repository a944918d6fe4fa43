//! Where in the spec a finding of `docs check` is fixed, and what to write there. Each finding
//! names the spec file and line of the element it concerns: the parameter, field, response or
//! example, or for a fact the spec lacks the nearest parent that should hold it. The place is
//! the JSON pointer the spec side recorded for the finding's subject (see [`Side::places`]);
//! its line comes from the YAML line lookup.

use super::compare::{Aspect, DEVIATION, Finding, Place, Places, Side};

/// Where to fix a finding, and what to write when that is clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The spec element to edit.
    pub place: Place,
    /// What to write there (`add addressId to required`, `write type: integer`).
    pub advice: Option<String>,
}

/// The containers a subject belongs in, nearest first: `body a.b` → `body a`, `body`;
/// `response 200 a` → `response 200`, `status 200`, `responses`; `query x` → `parameters`.
fn parents(subject: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (root, field) = match subject.split_once(' ') {
        Some(("response" | "status" | "example", rest)) => match rest.split_once(' ') {
            Some((code, field)) if subject.starts_with("response ") => {
                (format!("response {code}"), Some(field))
            }
            _ if subject == "example request" => {
                return vec!["body".into(), "request line".into()];
            }
            _ => {
                let code = rest.rsplit(' ').next().unwrap_or(rest);
                if !subject.starts_with("status ") {
                    out.push(format!("response {code}"));
                }
                out.push(format!("status {code}"));
                out.push("responses".into());
                out.retain(|p| p != subject);
                return out;
            }
        },
        Some(("body", field)) => ("body".to_owned(), Some(field)),
        Some(_) => return vec!["parameters".into(), "request line".into()],
        None => return vec!["request line".into()],
    };
    if let Some(field) = field {
        let mut path: Vec<&str> = field.split('.').collect();
        while path.pop().is_some() && !path.is_empty() {
            out.push(format!("{root} {}", path.join(".")));
        }
    }
    out.push(root.clone());
    if let Some(code) = root.strip_prefix("response ") {
        out.push(format!("status {code}"));
        out.push("responses".into());
    }
    out.push("request line".into());
    out
}

/// The last name of a subject: `body data.addressId` → `addressId`, `query requestId` →
/// `requestId`.
fn leaf(subject: &str) -> &str {
    let name = subject.rsplit(' ').next().unwrap_or(subject);
    name.rsplit('.').next().unwrap_or(name)
}

/// A comparable type (`integer(int64)`, `array<string>`) as the schema keywords that write
/// it; `None` for one that takes more than a line (`boolean|string`) or is not known.
fn schema_text(ty: &str) -> Option<String> {
    if ty.is_empty() || ty.contains('|') {
        return None;
    }
    if let Some(item) = ty.strip_prefix("array<").and_then(|t| t.strip_suffix('>')) {
        return Some(format!("type: array, items: {{{}}}", schema_text(item)?));
    }
    if let Some((base, format)) = ty.split_once('(') {
        let format = format.strip_suffix(')')?;
        return Some(format!("type: {base}, format: {format}"));
    }
    Some(format!("type: {ty}"))
}

/// Where to fix `finding` in the spec whose side is `spec`, the page being side `a` of the
/// comparison (as in `docs check`). `None` when the finding is about no spec element (the
/// page's own `partial` record).
pub fn fix(finding: &Finding, spec: &Side) -> Option<Fix> {
    let subject = finding.subject.as_str();
    let own = spec.places.get(subject);
    // The nearest container the spec writes: where a missing fact goes.
    let container = || {
        parents(subject).into_iter().find_map(|p| {
            let places = spec.places.get(&p)?;
            Some(match &places.fields {
                Some(object) => object.join("properties"),
                None => places.written.clone(),
            })
        })
    };
    let at = |pick: fn(&Places) -> Option<&Place>, key: &str| {
        own.and_then(|p| pick(p).map(|place| place.join(key)))
            .or_else(|| own.map(|p| p.written.clone()))
            .or_else(container)
    };
    fn schema(p: &Places) -> Option<&Place> {
        p.schema.as_ref()
    }
    let name = leaf(subject);
    let (place, advice) = match &finding.aspect {
        Aspect::Presence { in_a: true, ty } => {
            let schema = schema_text(ty)
                .map(|t| format!(": {{{t}}}"))
                .unwrap_or_default();
            let advice = match subject.split_once(' ') {
                Some(("status", code)) => format!("add a '{code}' response to responses"),
                Some(("example", _)) => "write the page's example there as `example`".into(),
                Some(("body" | "response", _)) => format!("add {name}{schema} to properties"),
                Some((location, _)) => {
                    let schema = schema_text(ty)
                        .map(|t| format!(", schema: {{{t}}}"))
                        .unwrap_or_default();
                    format!("add {{name: {name}, in: {location}{schema}}} to parameters")
                }
                None => return None,
            };
            (container()?, Some(advice))
        }
        Aspect::Presence { in_a: false, .. } => (
            own.map(|p| p.written.clone()).or_else(container)?,
            Some(format!(
                "remove it, or record why in {DEVIATION} (presence)"
            )),
        ),
        Aspect::Required(required) => {
            let place = own
                .and_then(|p| p.required.clone())
                .or_else(|| own.map(|p| p.written.clone()))
                .or_else(container)?;
            let param = !subject.starts_with("body ");
            let advice = match (param, required) {
                (true, _) => format!("write required: {required}"),
                (false, true) => format!("add {name} to required"),
                (false, false) => format!("remove {name} from required"),
            };
            (place, Some(advice))
        }
        Aspect::Type(ty) => (
            at(schema, "type")?,
            schema_text(ty).map(|t| format!("write {t}")),
        ),
        Aspect::Value { value, in_a } => {
            // A string's value quoted, as YAML needs for `"true"`; a number's as it is.
            let value = match spec.fields.get(subject).map(|f| f.ty.as_str()) {
                Some(ty) if ty.starts_with("integer") || ty.starts_with("number") => value.clone(),
                _ => format!("{value:?}"),
            };
            let advice = if *in_a {
                format!("add {value} to enum")
            } else {
                format!("remove {value} from enum")
            };
            (at(schema, "enum")?, Some(advice))
        }
        Aspect::Default(value) => {
            let advice = match value {
                Some(v) => format!("write default: {v}"),
                None => "remove default".into(),
            };
            (at(schema, "default")?, Some(advice))
        }
        Aspect::Bound { bound, a } => {
            let advice = match a {
                Some(v) => format!("write {bound}: {v}"),
                None => format!("remove {bound}"),
            };
            (at(schema, bound)?, Some(advice))
        }
        Aspect::Example { at: inside, a } => {
            let example = own.map(|p| p.written.clone()).or_else(container)?;
            let place = Place {
                pointer: format!("{}{inside}", example.pointer),
                ..example
            };
            let advice = match a {
                // A long value is the page's to copy, not a line's to read.
                Some(v) if v.chars().count() > 60 => None,
                Some(v) if inside.is_empty() => Some(format!("write {v}")),
                Some(v) => Some(format!("write {v} at {inside}")),
                None => Some(format!("remove {inside}")),
            };
            (place, advice)
        }
        Aspect::StaleDeviation { on_operation: true } => {
            let operation = spec.places.get("request line")?.written.clone();
            (operation.join(DEVIATION).join(subject), None)
        }
        Aspect::StaleDeviation {
            on_operation: false,
        } => (
            own.and_then(|p| p.deviation.clone())
                .or_else(|| own.map(|p| p.written.clone()))?,
            None,
        ),
        Aspect::RequestLine { method, path } => (
            spec.places.get("request line")?.written.clone(),
            Some(format!(
                "write path {path} with method {}",
                method.to_ascii_lowercase()
            )),
        ),
        Aspect::Other => (own.map(|p| p.written.clone()).or_else(container)?, None),
    };
    Some(Fix { place, advice })
}

#[cfg(test)]
mod tests {
    use super::{parents, schema_text};

    #[test]
    fn a_missing_fact_belongs_in_its_nearest_container() {
        assert_eq!(
            parents("body data.items.id"),
            ["body data.items", "body data", "body", "request line"]
        );
        assert_eq!(
            parents("response 200 data.id"),
            [
                "response 200 data",
                "response 200",
                "status 200",
                "responses",
                "request line"
            ]
        );
        assert_eq!(parents("query requestId"), ["parameters", "request line"]);
        assert_eq!(parents("status 404"), ["responses"]);
        assert_eq!(
            parents("example response 200"),
            ["response 200", "status 200", "responses"]
        );
        assert_eq!(parents("example request"), ["body", "request line"]);
    }

    #[test]
    fn a_comparable_type_is_written_as_schema_keywords() {
        assert_eq!(
            schema_text("integer(int64)").as_deref(),
            Some("type: integer, format: int64")
        );
        assert_eq!(
            schema_text("array<string>").as_deref(),
            Some("type: array, items: {type: string}")
        );
        assert_eq!(schema_text("boolean|string"), None);
    }
}
