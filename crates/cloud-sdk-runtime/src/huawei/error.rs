//! The error body of Huawei Cloud APIs, parsed the way the servers actually send it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The error body of a Huawei Cloud API.
///
/// Documented as `{"error_code": "...", "error_msg": "..."}`; some services send
/// `errorCode`/`errorMsg`, `code`/`message`, CSS sends `errCode`/`externalMessage`, and IAM
/// nests `code`/`message` in an `error` object. All are read into the same two fields. The request id is not in the body: read the `X-Request-Id`
/// response header.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HuaweiError {
    /// The service's error code, such as `CSS.0001` or `DAS.200100`.
    pub error_code: Option<String>,
    /// What went wrong, in the service's words.
    pub error_msg: Option<String>,
}

impl HuaweiError {
    fn from_value(value: &Value) -> Self {
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let pick = |obj: &serde_json::Map<String, Value>, names: &[&str]| {
            names.iter().find_map(|n| obj.get(*n).and_then(text))
        };
        let Some(obj) = value.as_object() else {
            return Self::default();
        };
        let mut out = Self {
            error_code: pick(obj, &["error_code", "errorCode", "errCode", "code"]),
            error_msg: pick(
                obj,
                &["error_msg", "errorMsg", "externalMessage", "message"],
            ),
        };
        if let Some(nested) = obj.get("error").and_then(Value::as_object) {
            out.error_code = out
                .error_code
                .or_else(|| pick(nested, &["error_code", "code"]));
            out.error_msg = out
                .error_msg
                .or_else(|| pick(nested, &["error_msg", "message"]));
        }
        out
    }
}

impl<'de> Deserialize<'de> for HuaweiError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if !value.is_object() {
            return Err(serde::de::Error::custom(
                "expected a JSON object as the error body",
            ));
        }
        Ok(Self::from_value(&value))
    }
}

impl crate::ServiceError for HuaweiError {
    fn code(&self) -> Option<&str> {
        self.error_code.as_deref()
    }

    fn message(&self) -> Option<&str> {
        self.error_msg.as_deref()
    }
}

impl fmt::Display for HuaweiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.error_code.as_deref().unwrap_or("(no error code)"),
            self.error_msg.as_deref().unwrap_or("(no message)")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_spelling() {
        for body in [
            r#"{"error_code":"DAS.200100","error_msg":"bad"}"#,
            r#"{"errorCode":"DAS.200100","errorMsg":"bad"}"#,
            r#"{"error":{"code":"DAS.200100","message":"bad"}}"#,
            r#"{"code":"DAS.200100","message":"bad","extra":1}"#,
            r#"{"errCode":"DAS.200100","externalMessage":"bad"}"#,
        ] {
            let e: HuaweiError = serde_json::from_str(body).unwrap();
            assert_eq!(e.error_code.as_deref(), Some("DAS.200100"), "{body}");
            assert_eq!(e.error_msg.as_deref(), Some("bad"), "{body}");
        }
        let numeric: HuaweiError =
            serde_json::from_str(r#"{"error":{"code":401,"message":"x"}}"#).unwrap();
        assert_eq!(numeric.error_code.as_deref(), Some("401"));
        assert!(serde_json::from_str::<HuaweiError>("[1]").is_err());
    }
}
