//! The documented examples of an API replayed through its typed client: each generated crate's
//! `examples::replay` (feature `mock`) builds one [`Replay`] per operation from its spec (the
//! parameters' examples, the request body's example, the response's example) and sends it
//! with `call()`. A contract test answers each with the documented response and checks what
//! the server saw against [`Replay`] with [`check_replays`].

use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::{Mock, MockServer, Request};

/// One operation's documented example, sent through the typed client: the request the server
/// must see and what `call()` returned.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Replay {
    /// The operation, as the vendor names it (`CreateInstanceConnection`).
    pub operation: &'static str,
    /// The method, like `POST`.
    pub method: &'static str,
    /// The path template of the spec (`/v3/{project_id}/...`).
    pub path_template: &'static str,
    /// The path with the example values in place, before percent-encoding.
    pub path: String,
    /// The query parameters set from their examples, before percent-encoding.
    pub query: Vec<(String, String)>,
    /// The headers set from their examples (names in lower case), and the body's type.
    pub headers: Vec<(String, String)>,
    /// The request body's documented example.
    pub body: Option<Value>,
    /// The response body's documented example; `None` when the spec documents no example
    /// (or no body), and then the response is not compared.
    pub response_example: Option<Value>,
    /// What `call()` returned, written back as JSON (`Ok(None)` before the call), or the
    /// error it returned as text.
    pub response: Result<Option<Value>, String>,
}

impl Replay {
    /// An example of `operation` (`method` on `path_template`); the generated code fills in
    /// the rest.
    pub fn new(operation: &'static str, method: &'static str, path_template: &'static str) -> Self {
        Self {
            operation,
            method,
            path_template,
            path: path_template.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            response_example: None,
            response: Ok(None),
        }
    }

    /// Adds a mock to `server` that answers this operation's requests with the documented
    /// response (status 200, the example as the body; an empty body when there is none).
    pub fn answer_on(&self, server: &MockServer) -> Mock {
        server.mock(|when, then| {
            when.method(self.method).path(self.path_template);
            // A mock answers 200 with an empty body unless told otherwise.
            if let Some(example) = &self.response_example {
                then.json_text(example.to_string());
            }
        })
    }

    /// How the request `seen` differs from the documented one: method, path, query (all of
    /// it), the documented headers and the body (equal as JSON). Empty when they agree.
    pub fn request_mismatches(&self, seen: &Request) -> Vec<String> {
        let op = self.operation;
        let mut out = Vec::new();
        if !seen.method.eq_ignore_ascii_case(self.method) {
            out.push(format!(
                "{op}: method {} instead of {}",
                seen.method, self.method
            ));
        }
        let path = percent_decode_str(&seen.path).decode_utf8_lossy();
        if path != self.path {
            out.push(format!("{op}: path {path} instead of {}", self.path));
        }
        let (mut want, mut got) = (self.query.clone(), seen.query.clone());
        want.sort();
        got.sort();
        if want != got {
            out.push(format!("{op}: query {got:?} instead of {want:?}"));
        }
        for (name, value) in &self.headers {
            match seen.header(name) {
                Some(v) if v == value => {}
                other => out.push(format!("{op}: header {name} is {other:?}, not {value:?}")),
            }
        }
        match (&self.body, seen.body.is_empty()) {
            (None, true) => {}
            (None, false) => out.push(format!("{op}: a body was sent; the example has none")),
            (Some(want), _) => match serde_json::from_slice::<Value>(&seen.body) {
                Ok(got) if &got == want => {}
                Ok(got) => out.push(format!("{op}: body {got} instead of {want}")),
                Err(e) => out.push(format!("{op}: the body sent is not JSON ({e})")),
            },
        }
        out
    }

    /// How the typed response, written back as JSON, differs from the documented example:
    /// equal JSON means every documented field was read and none was lost or renamed. The
    /// generated types skip empty maps and lists when they write (`"data": {}` is read as an
    /// empty map and not written back), so empty containers are set aside on both sides.
    /// `None` when they agree or when no response example is documented.
    pub fn response_mismatch(&self) -> Option<String> {
        let op = self.operation;
        let want = self.response_example.as_ref()?;
        match &self.response {
            Err(e) => Some(format!("{op}: {e}")),
            Ok(None) => Some(format!("{op}: no response was read")),
            Ok(Some(got)) if drop_empty(got.clone()) == drop_empty(want.clone()) => None,
            Ok(Some(got)) => Some(format!(
                "{op}: the response reads back as {got}, the example is {want}"
            )),
        }
    }
}

/// Checks `replays` against the requests a server saw, one each and in order: every
/// difference in the requests and in the responses read back, as text (empty when all agree).
pub fn check_replays(replays: &[Replay], seen: &[Request]) -> Vec<String> {
    let mut out = Vec::new();
    if replays.len() != seen.len() {
        out.push(format!(
            "{} examples were replayed and the server saw {} requests",
            replays.len(),
            seen.len()
        ));
    }
    for (replay, request) in replays.iter().zip(seen) {
        out.extend(replay.request_mismatches(request));
    }
    out.extend(replays.iter().filter_map(Replay::response_mismatch));
    out
}

/// `value` without empty objects and arrays at any depth.
fn drop_empty(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, drop_empty(v)))
                .filter(|(_, v)| {
                    !matches!(v, Value::Object(m) if m.is_empty())
                        && !matches!(v, Value::Array(a) if a.is_empty())
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(drop_empty).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay() -> Replay {
        let mut r = Replay::new("Op", "POST", "/v1/{id}/things");
        r.path = "/v1/a b/things".to_owned();
        r.query = vec![("q".to_owned(), "x*".to_owned())];
        r.headers = vec![("x-workspace-id".to_owned(), "w".to_owned())];
        r.body = Some(serde_json::json!({"name": "n"}));
        r.response_example = Some(serde_json::json!({"id": "1", "data": {}}));
        r
    }

    fn seen(body: &str) -> Request {
        Request {
            method: "POST".to_owned(),
            path: "/v1/a%20b/things".to_owned(),
            query: vec![("q".to_owned(), "x*".to_owned())],
            headers: vec![("X-Workspace-Id".to_owned(), "w".to_owned())],
            body: body.to_owned().into(),
        }
    }

    #[test]
    fn the_documented_request_agrees_whatever_the_encoding_and_key_order() {
        assert_eq!(
            replay().request_mismatches(&seen(r#" {"name":"n"}"#)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_field_the_example_does_not_hold_is_reported() {
        let found = replay().request_mismatches(&seen(r#"{"name":"n","ssl_enabled":false}"#));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("Op: body "), "{found:?}");
    }

    #[test]
    fn a_missing_header_and_query_are_reported() {
        let mut request = seen(r#"{"name":"n"}"#);
        request.headers.clear();
        request.query.clear();
        let found = replay().request_mismatches(&request);
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn the_response_reads_back_without_its_empty_containers() {
        let mut r = replay();
        r.response = Ok(Some(serde_json::json!({"id": "1"})));
        assert_eq!(r.response_mismatch(), None);
        r.response = Ok(Some(serde_json::json!({"id": "2"})));
        assert!(r.response_mismatch().is_some());
        r.response_example = None;
        assert_eq!(r.response_mismatch(), None, "no example: not compared");
    }

    #[test]
    fn a_request_fewer_is_reported() {
        let found = check_replays(&[replay()], &[]);
        assert!(
            found[0].contains("1 examples were replayed and the server saw 0"),
            "{found:?}"
        );
    }
}
