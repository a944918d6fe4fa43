//! Open enumerations: string schemas marked `x-open-enum: true` become Rust enums with the
//! documented values plus `Other(String)`, so a value the vendor adds later (or one its docs
//! left out) deserializes instead of failing the whole call. typify only makes closed enums,
//! so the xtask writes these and tells progenitor to use them (`with_replacement`).

use std::fmt::Write as _;

use openapiv3::{ReferenceOr, SchemaKind, Type};

use crate::spec::{LoadedApi, SpecError};

/// The vendor extension that marks a schema as an open enumeration.
pub const EXTENSION: &str = "x-open-enum";

/// An open enumeration found in the merged spec.
#[derive(Debug, Clone)]
pub struct OpenEnum {
    /// Schema (and Rust type) name.
    pub name: String,
    /// The schema's description.
    pub description: String,
    /// (Rust variant, wire value), in spec order.
    pub variants: Vec<(String, String)>,
}

/// Finds the open enumerations among the API's component schemas.
pub fn find(api: &LoadedApi) -> Result<Vec<OpenEnum>, SpecError> {
    let mut out = Vec::new();
    let Some(components) = &api.merged.components else {
        return Ok(out);
    };
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        if schema
            .schema_data
            .extensions
            .get(EXTENSION)
            .and_then(|v| v.as_bool())
            != Some(true)
        {
            continue;
        }
        let err = |msg: String| {
            SpecError::new(
                format!("specs/{}", api.name),
                Some(format!("components.schemas.{name}")),
                msg,
            )
        };
        let SchemaKind::Type(Type::String(string)) = &schema.schema_kind else {
            return Err(err(format!(
                "{EXTENSION} needs `type: string` with an `enum` list"
            )));
        };
        let mut variants: Vec<(String, String)> = Vec::new();
        for value in string.enumeration.iter().flatten() {
            let variant = variant_name(value);
            if variant.is_empty()
                || variant == "Other"
                || variants.iter().any(|(v, _)| *v == variant)
            {
                return Err(err(format!(
                    "enum value {value:?} gives the Rust variant name {variant:?}, which is empty, reserved or taken"
                )));
            }
            variants.push((variant, value.clone()));
        }
        if variants.is_empty() {
            return Err(err(format!("{EXTENSION} needs a non-empty `enum` list")));
        }
        let description = schema.schema_data.description.clone().unwrap_or_default();
        out.push(OpenEnum {
            name: name.clone(),
            description,
            variants,
        });
    }
    Ok(out)
}

/// `pendingAcceptance` → `PendingAcceptance`, `MySQL` → `MySql`, `dii-app_to_data-source` →
/// `DiiAppToDataSource`.
fn variant_name(value: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = value.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    let mut name: String = words
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            cs.next()
                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect();
    if name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    name
}

/// Rust source for one open enumeration (formatted later with the rest of the crate).
pub fn render(e: &OpenEnum) -> String {
    let name = &e.name;
    let mut s = String::new();
    for line in e.description.trim().lines() {
        let _ = writeln!(s, "/// {line}");
    }
    let _ = writeln!(
        s,
        "///\n/// An open set: a value the documentation does not list arrives as [`{name}::Other`]"
    );
    let _ = writeln!(s, "/// instead of failing the call.");
    let _ = writeln!(
        s,
        "#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum {name} {{"
    );
    for (variant, value) in &e.variants {
        let _ = writeln!(s, "    /// `{value}`\n    {variant},");
    }
    let _ = writeln!(
        s,
        "    /// A value the documentation does not list.\n    Other(::std::string::String),\n}}"
    );
    let arms = |f: &dyn Fn(&str, &str) -> String| {
        e.variants.iter().map(|(v, w)| f(v, w)).collect::<String>()
    };
    let _ = write!(
        s,
        r#"
impl {name} {{
    /// The value as sent on the wire.
    pub fn as_str(&self) -> &str {{
        match self {{
            {as_str}
            Self::Other(value) => value.as_str(),
        }}
    }}
}}

impl ::std::convert::From<&str> for {name} {{
    fn from(value: &str) -> Self {{
        match value {{
            {from}
            other => Self::Other(other.to_owned()),
        }}
    }}
}}

impl ::std::str::FromStr for {name} {{
    type Err = ::std::convert::Infallible;
    fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {{
        Ok(Self::from(value))
    }}
}}

impl ::std::fmt::Display for {name} {{
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{
        f.write_str(self.as_str())
    }}
}}

impl ::serde::Serialize for {name} {{
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {{
        serializer.serialize_str(self.as_str())
    }}
}}

impl<'de> ::serde::Deserialize<'de> for {name} {{
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {{
        let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
        Ok(Self::from(value.as_ref()))
    }}
}}
"#,
        as_str = arms(&|v, w| format!("Self::{v} => {w:?},\n")),
        from = arms(&|v, w| format!("{w:?} => Self::{v},\n")),
    );
    s
}

#[cfg(test)]
mod tests {
    use super::variant_name;

    #[test]
    fn variant_names() {
        for (value, want) in [
            ("pendingAcceptance", "PendingAcceptance"),
            ("MySQL", "MySql"),
            ("HIVE", "Hive"),
            ("OpenGauss", "OpenGauss"),
            ("ClickHouse", "ClickHouse"),
            ("dii-app_to_data-source", "DiiAppToDataSource"),
            ("gaussdbv5", "Gaussdbv5"),
            ("API", "Api"),
            ("5g", "V5g"),
        ] {
            assert_eq!(variant_name(value), want, "{value}");
        }
    }
}
