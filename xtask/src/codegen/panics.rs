//! What to tell the user when progenitor panics on a spec: each panic we know of gets a
//! sentence on what in the spec causes it and what to write instead. progenitor 0.15 stops
//! with `assert!`, `todo!` or `unimplemented!` on shapes it does not support; the xtask's rules
//! catch most of them before progenitor runs, so these are the ones that get through.

/// (text in progenitor's panic message, what to change in the spec).
const KNOWN: &[(&str, &str)] = &[
    (
        "more media types than expected",
        "a request body offers several media types; progenitor needs exactly one: keep only `application/json`",
    ),
    (
        "parameter_data.required",
        "a path parameter is not required: give every path parameter `required: true`",
    ),
    (
        "invalid type",
        "a schema has an unknown `type`: write one of string, integer, number, boolean, array, object",
    ),
    (
        "mt.encoding.is_empty",
        "a JSON response's media type has `encoding`, which progenitor does not support: remove it",
    ),
    (
        "media type encoding",
        "a media type has `encoding` or no `schema`: give it a `schema` and remove `encoding`",
    ),
    (
        "response_types.len() <= 1",
        "the success responses have different bodies: give every 2xx response the same schema",
    ),
    (
        "body_func.clone().count() <= 1",
        "the request body is declared more than once: keep one `requestBody`",
    ),
    (
        "missing from path",
        "a path parameter is not in the path template: make `name` match a `{name}` in the path",
    ),
    (
        "exclusive_minimum set without minimum",
        "`exclusiveMinimum` needs `minimum` next to it",
    ),
    (
        "exclusive_maximum set without maximum",
        "`exclusiveMaximum` needs `maximum` next to it",
    ),
    (
        "is missing",
        "a $ref names a component that no document defines: define it in _common.yaml or the operation's document",
    ),
];

/// The message for a progenitor panic while generating from `files`.
pub fn message(panic: &str, files: &str) -> String {
    match KNOWN.iter().find(|(needle, _)| panic.contains(needle)) {
        Some((_, fix)) => format!(
            "progenitor cannot generate a client from this API ({files}): {fix} (progenitor panicked: {panic})"
        ),
        None => format!(
            "progenitor cannot generate a client from this API ({files}): it panicked with: {panic}. \
             This shape is not one the xtask knows; simplify the last change to the spec and report the message"
        ),
    }
}
