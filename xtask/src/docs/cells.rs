//! The cells of parameter tables: columns by their header names, types in a comparable form,
//! and what description cells say besides prose (values, range, default) in the labels Huawei
//! and OceanBase use across regions and years.

use super::{DocField, Table};

/// Reads a parameter table's rows into fields, by its header names.
pub(crate) fn fields_of(table: &Table) -> Result<Vec<DocField>, String> {
    let col = |names: &[&str]| {
        table.header.iter().position(|h| {
            let h = h.trim().to_ascii_lowercase();
            names.iter().any(|n| h == *n)
        })
    };
    let name_col = col(&["parameter", "name", "field", "param"]).ok_or_else(|| {
        format!(
            "a table with the columns {:?} has no Parameter or Name column",
            table.header
        )
    })?;
    let type_col = col(&["type", "data type"]);
    let req_col = col(&["mandatory", "required"]);
    let desc_col = col(&["description"]);
    let ex_col = col(&["example value", "example", "sample value"]);
    let mut out = Vec::new();
    for row in &table.rows {
        let cell = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(|c| c.trim().to_owned())
                .unwrap_or_default()
        };
        // `Data[].Success`: a field of the items of the array `Data`.
        let name = cell(Some(name_col)).replace("[].", ".");
        if name.is_empty() {
            continue;
        }
        let doc_type = cell(type_col);
        let required = req_col.map(|_| {
            let r = cell(req_col).to_ascii_lowercase();
            r == "yes" || r == "true" || r == "mandatory"
        });
        let description = cell(desc_col);
        let example = Some(cell(ex_col)).filter(|e| !e.is_empty());
        let mut field = DocField {
            name,
            ty: normalize_type(&doc_type),
            doc_type,
            required,
            example,
            ..DocField::default()
        };
        describe(&description, &mut field);
        field.description = description;
        out.push(field);
    }
    Ok(out)
}

/// A page type in the comparable form.
pub fn normalize_type(doc_type: &str) -> String {
    let t = doc_type.trim();
    let lower = t.to_ascii_lowercase();
    if let Some(inner) = lower.strip_prefix("array of ") {
        let inner = inner.trim_end_matches('s');
        let item = if inner.ends_with(" object") || inner == "object" {
            "object".to_owned()
        } else {
            normalize_type(inner)
        };
        return format!("array<{item}>");
    }
    // `Array<Object>`, `array[string]`.
    if let Some(inner) = lower
        .strip_prefix("array<")
        .and_then(|t| t.strip_suffix('>'))
        .or_else(|| {
            lower
                .strip_prefix("array[")
                .and_then(|t| t.strip_suffix(']'))
        })
    {
        return format!("array<{}>", normalize_type(inner));
    }
    if lower.starts_with("list<") || lower.ends_with("[]") {
        return "array".into();
    }
    if let Some(format) = lower
        .strip_prefix("integer[")
        .and_then(|f| f.strip_suffix(']'))
    {
        return format!("integer({format})");
    }
    match lower.as_str() {
        "string" | "str" => "string".into(),
        "integer" | "int" | "int32" => "integer(int32)".into(),
        "long" | "int64" => "integer(int64)".into(),
        "boolean" | "bool" => "boolean".into(),
        "number" | "float" | "double" | "bigdecimal" => "number".into(),
        "object" | "map" => "object".into(),
        "" => String::new(),
        _ if lower.ends_with(" object") || lower.starts_with("map<") => "object".into(),
        _ => lower,
    }
}

/// The labels Huawei writes inside description cells, across regions and years.
const LABELS: [(&str, &str); 13] = [
    ("default value:", "default"),
    ("default value", "default"),
    ("default:", "default"),
    ("minimum:", "minimum"),
    ("maximum:", "maximum"),
    ("value range:", "range"),
    ("value range", "range"),
    ("values:", "range"),
    ("range:", "range"),
    ("range", "range"),
    ("constraints:", "constraints"),
    ("constraints", "constraints"),
    ("values", "range"),
];

/// Phrases that introduce a list of values.
const ENUM_INTROS: [&str; 6] = [
    "valid values:",
    "the enumerated values are:",
    "the options are:",
    "value range:",
    "enumerated values:",
    "options:",
];

/// Whether a range label (`Range`, `Values:`) is followed by nothing but the default label:
/// the bulleted list that stood there was dropped with the cell's line breaks.
fn range_left_empty(lower: &str) -> bool {
    LABELS
        .iter()
        .filter(|(_, kind)| *kind == "range")
        .any(|(label, _)| {
            lower.match_indices(label).any(|(at, _)| {
                let word_start = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphabetic();
                word_start && starts_with_default(lower[at + label.len()..].trim_start())
            })
        })
}

/// Whether (lower-case) text starts with a default label.
fn starts_with_default(text: &str) -> bool {
    LABELS
        .iter()
        .any(|(l, kind)| *kind == "default" && text.starts_with(l))
}

/// Reads enumerated values, range and default out of a description.
fn describe(description: &str, field: &mut DocField) {
    // Bulleted list items: `• value: meaning` or `• value`.
    let mut bullets = Vec::new();
    for part in description.split('•').skip(1) {
        let item = part.trim();
        let item = item
            .split(" Default value")
            .next()
            .and_then(|i| i.split(" Default Value").next())
            .unwrap_or(item)
            .trim();
        let value = item.split(':').next().unwrap_or(item).trim();
        if !value.is_empty() && !value.contains(' ') {
            bullets.push(value.to_owned());
        }
    }
    let lower = description.to_ascii_lowercase();
    let intro = ENUM_INTROS
        .iter()
        .filter_map(|p| lower.find(p).map(|i| (i, *p)))
        .min();
    if !bullets.is_empty() {
        field.enum_values = bullets;
    } else if let Some((i, phrase)) = intro {
        // Nothing after the phrase but another label: the list was lost in capture.
        let after = lower[i + phrase.len()..].trim();
        field.enum_lost = after.is_empty() || starts_with_default(after);
    }
    if field.enum_values.is_empty() && !field.enum_lost {
        field.enum_lost = range_left_empty(&lower);
    }
    let mut sections: Vec<(usize, usize, &str)> = Vec::new();
    for (label, kind) in LABELS {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(label) {
            let at = from + pos;
            let word_start = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphabetic();
            let end = at + label.len();
            let word_end = end >= lower.len() || !lower.as_bytes()[end].is_ascii_alphabetic();
            if word_start
                && word_end
                && !sections.iter().any(|(s, e, _)| at < *e && end > *s)
                && description[at..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase())
            {
                sections.push((at, end, kind));
            }
            from = end;
        }
    }
    sections.sort();
    let numeric = field.ty.starts_with("integer") || field.ty == "number";
    if !sections.iter().any(|(.., kind)| *kind == "default") && lower.contains("default value is ")
    {
        field.default = default_value(&description[lower.find("default value is ").unwrap_or(0)..]);
    }
    for (idx, (_, end, kind)) in sections.iter().enumerate() {
        let stop = sections
            .get(idx + 1)
            .map(|(s, ..)| *s)
            .unwrap_or(description.len());
        let value = description[*end..stop]
            .trim()
            .trim_start_matches(':')
            .trim();
        let value = value.split('•').next().unwrap_or(value).trim();
        if value.is_empty() || value.eq_ignore_ascii_case("n/a") {
            continue;
        }
        match *kind {
            "range" if field.range.is_none() => {
                if value
                    .to_ascii_lowercase()
                    .starts_with("the enumerated values")
                {
                    continue;
                }
                field.range = Some(value.to_owned());
                if let Some((lo, hi)) = numeric_range(value) {
                    field.minimum = Some(lo);
                    field.maximum = Some(hi);
                }
            }
            "default" if field.default.is_none() => {
                field.default = default_value(value);
            }
            // On a string, Huawei's Minimum and Maximum are lengths, not bounds of a value.
            "minimum" if field.minimum.is_none() && numeric => {
                field.minimum = value.parse().ok();
            }
            "maximum" if field.maximum.is_none() && numeric => {
                field.maximum = value.parse().ok();
            }
            _ => {}
        }
    }
}

/// `0-1000`, `[1,65536]`, `1~100` → bounds.
fn numeric_range(text: &str) -> Option<(f64, f64)> {
    let t = text
        .trim()
        .trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']');
    let (lo, hi) = t
        .split_once(',')
        .or_else(|| t.split_once('~'))
        .or_else(|| t.split_once('-'))?;
    Some((lo.trim().parse().ok()?, hi.trim().parse().ok()?))
}

/// `0` → `0`; `The default value is 10, indicating ...` → `10`.
fn default_value(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let candidate = match lower.find("default value is ") {
        Some(i) => &text[i + "default value is ".len()..],
        None => text,
    };
    let word = candidate
        .split_whitespace()
        .next()?
        .trim_end_matches([',', '.', ';']);
    let simple = word.parse::<f64>().is_ok() || word == "true" || word == "false";
    simple.then(|| word.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ranges_and_defaults_in_both_label_styles() {
        let mut f = DocField::default();
        describe(
            "Definition: Start value. Constraints: N/A Value range: 0-1000 Default value: 0",
            &mut f,
        );
        assert_eq!(
            (f.minimum, f.maximum, f.default.as_deref()),
            (Some(0.0), Some(1000.0), Some("0"))
        );
        let mut f = DocField::default();
        describe(
            "Definition Port Constraints N/A Range [1,65536] Default Value N/A",
            &mut f,
        );
        assert_eq!(
            (f.minimum, f.maximum, f.default),
            (Some(1.0), Some(65536.0), None)
        );
        let mut f = DocField::default();
        describe(
            "Explanation Type. Constraints N/A Values The enumerated values are: Default value N/A",
            &mut f,
        );
        assert!(f.enum_lost);
    }

    #[test]
    fn a_range_label_with_nothing_before_the_default_is_a_lost_list() {
        for text in [
            "Definition DB engine type Constraints N/A Range Default Value N/A",
            "Explanation: DB engine type Constraints: N/A Values: Default value: N/A",
        ] {
            let mut f = DocField::default();
            describe(text, &mut f);
            assert!(f.enum_lost, "{text}");
        }
        for text in [
            "Definition Username Constraints N/A Range N/A Default Value N/A",
            "Definition Port Constraints N/A Range [1,65536] Default Value N/A",
            "Definition Whether to save. Default Value N/A",
        ] {
            let mut f = DocField::default();
            describe(text, &mut f);
            assert!(!f.enum_lost, "{text}");
        }
    }
}
