//! The official OpenAPI 3.0 JSON Schema, as the last structural check of a document before it
//! is merged and handed to progenitor. The xtask's own rules (`rules`) run first and locate the
//! common mistakes precisely; this catches the rest.
//!
//! `openapi-3.0-schema.json` is the OpenAPI Initiative's schema of 3.0 documents, as published
//! at <https://spec.openapis.org/oas/3.0/schema/2019-04-02> (its `id`), kept as data. It is
//! compiled once per process: compiling it costs more than validating a document against it,
//! and `generate` validates one document per endpoint.

use std::sync::OnceLock;

use serde_json::Value;

/// `Ok` when `doc` is valid against the OpenAPI 3.0 schema; otherwise where (a JSON pointer)
/// and the first reason, at most `MAX` characters (a failed `oneOf` quotes the whole offending
/// object, which is no help in a one-line message).
pub fn validate(doc: &Value) -> Result<(), (String, String)> {
    const MAX: usize = 160;
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    let validator = VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(include_str!("openapi-3.0-schema.json"))
                .map_err(|e| format!("openapi-3.0-schema.json does not parse: {e}"))?;
            jsonschema::draft4::new(&schema)
                .map_err(|e| format!("openapi-3.0-schema.json does not compile: {e}"))
        })
        .as_ref()
        .map_err(|e| (String::new(), e.clone()))?;
    let Some(error) = validator.iter_errors(doc).next() else {
        return Ok(());
    };
    let reason = error.to_string();
    let mut short: String = reason.chars().take(MAX).collect();
    if short.len() < reason.len() {
        short.push('…');
    }
    Err((error.instance_path().as_str().to_owned(), short))
}

#[cfg(test)]
mod tests {
    use super::validate;
    use serde_json::json;

    #[test]
    fn a_finding_names_its_place_and_a_short_reason() {
        let mut doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
        });
        assert_eq!(validate(&doc), Ok(()));
        doc["servers"] =
            json!([{"url": "https://{r}.example.com", "variables": {"r": {"default": 4}}}]);
        let (pointer, reason) = validate(&doc).expect_err("a number as a variable's default");
        assert_eq!(pointer, "/servers/0/variables/r/default");
        assert!(reason.contains("not of type \"string\""), "{reason}");
        // A failed `oneOf` quotes the whole object: the reason is cut.
        doc["servers"] = json!([]);
        doc["paths"] = json!({"/a": {"get": {"responses": {"200": {"description": "d",
            "content": {"application/json": {"schema": {"type": "object", "nullable": "yes",
            "description": "x".repeat(300)}}}}}}}});
        let (pointer, reason) = validate(&doc).expect_err("`nullable` must be a boolean");
        assert!(
            pointer.starts_with("/paths/~1a/get/responses/200"),
            "{pointer}"
        );
        assert!(
            reason.ends_with('…') && reason.chars().count() == 161,
            "{reason}"
        );
    }
}
