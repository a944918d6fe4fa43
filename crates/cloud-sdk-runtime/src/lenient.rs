//! Types that accept what vendors actually send where their docs say otherwise.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A boolean that also accepts the strings `"true"` and `"false"` (any case) on input, and is
/// written as a JSON boolean. OceanBase Cloud documents `success` as a string but sends a
/// boolean; Huawei CSS documents `vpcepUpdateSwitch` as a boolean and some regions send a string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlexBool(pub bool);

impl FlexBool {
    /// The boolean value.
    pub fn get(self) -> bool {
        self.0
    }
}

impl From<bool> for FlexBool {
    fn from(value: bool) -> Self {
        Self(value)
    }
}

impl From<FlexBool> for bool {
    fn from(value: FlexBool) -> Self {
        value.0
    }
}

impl fmt::Display for FlexBool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for FlexBool {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("true") {
            Ok(Self(true))
        } else if s.eq_ignore_ascii_case("false") {
            Ok(Self(false))
        } else {
            Err(format!("expected true or false, found {s:?}"))
        }
    }
}

impl Serialize for FlexBool {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(self.0)
    }
}

impl<'de> Deserialize<'de> for FlexBool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = FlexBool;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean or the string \"true\" or \"false\"")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<FlexBool, E> {
                Ok(FlexBool(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<FlexBool, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_booleans_and_strings() {
        for (input, want) in [
            ("true", true),
            ("false", false),
            ("\"true\"", true),
            ("\"FALSE\"", false),
        ] {
            let got: FlexBool = serde_json::from_str(input).unwrap();
            assert_eq!(got.get(), want, "{input}");
        }
        assert!(serde_json::from_str::<FlexBool>("\"yes\"").is_err());
        assert!(serde_json::from_str::<FlexBool>("1").is_err());
        assert_eq!(serde_json::to_string(&FlexBool(true)).unwrap(), "true");
    }
}
