//! A loopback HTTP server that stands in for a cloud API in a downstream crate's tests
//! (feature `mock`): requests are matched against mocks (method, path template, query, headers,
//! body) and answered with canned responses; every request is recorded.
//!
//! The generated crates wrap it with one typed method per operation
//! (`huaweicloud_css::mock::MockServer::show_vpcep_connection`), so a test names parameters
//! and passes typed bodies; this module is the untyped core they share.
//!
//! The server runs the vendor's authentication far enough for the real client code to run:
//! with [`MockAuth::Digest`] it challenges every request that has no `Authorization: Digest`
//! and then accepts any Digest answer, so the client's Digest session does its full round
//! trip; a mock can refuse credentials ([`Then::credentials_refused`]) so that the caller sees
//! the same `CredentialsRejected` error a real server would cause.
//!
//! Written on hyper's HTTP/1.1 server (already a dependency of reqwest) rather than a web
//! framework, so that the feature adds no crate to a downstream build.

use std::{
    convert::Infallible,
    fmt,
    net::SocketAddr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use serde::{Serialize, de::DeserializeOwned};
use tokio::{net::TcpListener, task::JoinHandle};

mod paging;
mod replay;
pub use paging::PagedOperation;
pub use replay::{Replay, check_replays};

/// What a vendor tells the mock server of a generated crate: how the server treats
/// authentication, the runtime a client of the server uses, and the body the vendor sends when
/// it refuses credentials. Each vendor's client macro (`huawei_client!`, `oceanbase_client!`)
/// implements it for the crate's `Client`, so that the crate's `mock` module names no vendor.
pub trait MockVendor {
    /// How the server treats authentication.
    const AUTH: MockAuth;
    /// The body the vendor sends with a refusal of credentials, when it sends one.
    const CREDENTIALS_REFUSED: Option<&'static str>;
    /// A runtime for `server`: the vendor's authentication with stand-in credentials the
    /// server accepts, plain `http://` allowed, the default retry policy.
    fn mock_runtime(server: &MockServer) -> crate::Runtime;
}

/// The `MockServer` of a generated crate's `mock` module: the runtime's server started with
/// the authentication of `$client`'s vendor ([`MockVendor`]), a client and runtime for it, and
/// access to what it recorded. The generated crate adds one typed method per operation in an
/// `impl MockServer` of its own; they answer a refusal of credentials with
/// `Self::CREDENTIALS_REFUSED`.
#[macro_export]
macro_rules! mock_server {
    ($client:path) => {
        /// A loopback server that stands in for this API; stops when dropped.
        #[derive(Debug)]
        pub struct MockServer {
            server: $crate::mock::MockServer,
        }

        impl MockServer {
            /// The vendor's body with a refusal of credentials.
            const CREDENTIALS_REFUSED: ::std::option::Option<&'static str> =
                <$client as $crate::mock::MockVendor>::CREDENTIALS_REFUSED;

            /// Starts the server on `127.0.0.1` (a free port); call within a Tokio runtime.
            pub async fn start() -> Self {
                Self {
                    server: $crate::mock::MockServer::start(
                        <$client as $crate::mock::MockVendor>::AUTH,
                    )
                    .await,
                }
            }

            /// A client for this server, with stand-in credentials the server accepts.
            pub fn client(&self) -> $client {
                <$client>::new(&self.server.base_url(), self.runtime())
            }

            /// A runtime for this server: the vendor's authentication with stand-in
            /// credentials, plain `http://` allowed, the default retry policy.
            pub fn runtime(&self) -> $crate::Runtime {
                <$client as $crate::mock::MockVendor>::mock_runtime(&self.server)
            }

            /// `http://127.0.0.1:<port>`.
            pub fn base_url(&self) -> ::std::string::String {
                self.server.base_url()
            }

            /// The requests received so far, in order.
            pub fn requests(&self) -> ::std::vec::Vec<$crate::mock::Request> {
                self.server.requests()
            }

            /// The untyped server, for mocks of requests no operation describes.
            pub fn server(&self) -> &$crate::mock::MockServer {
                &self.server
            }
        }
    };
}

/// How the mock server treats authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MockAuth {
    /// Every request goes to the mocks; signatures (AK/SK) and tokens are not checked.
    Open,
    /// HTTP Digest: a request without `Authorization: Digest ...` gets a `401` challenge
    /// (`realm="mock"`, `qop="auth"`, MD5, a fresh nonce); any Digest answer is accepted.
    Digest,
}

/// One request the server received (after authentication, if any).
#[derive(Clone)]
pub struct Request {
    /// The method, like `GET`.
    pub method: String,
    /// The path as sent (percent-encoded), without the query.
    pub path: String,
    /// The query parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl Request {
    /// The first value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body read as JSON into `T`, or `None` when it is not that.
    pub fn json<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Credentials travel in these headers; `Debug` shows that they were sent, not their values
/// (nor the body, which may hold a password).
const SECRET_HEADERS: &[&str] = &["authorization", "x-auth-token", "x-security-token"];

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let v = if SECRET_HEADERS.contains(&n.as_str()) {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (n.as_str(), v)
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            // A body can hold a password (DAS connections): its size only.
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

type Predicate = Arc<dyn Fn(&Request) -> bool + Send + Sync>;

/// What a request must look like for a mock to answer it. Every condition set must hold.
#[derive(Default, Clone)]
pub struct When {
    method: Option<String>,
    path: Option<Vec<Segment>>,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<serde_json::Value>,
    predicates: Vec<Predicate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

impl fmt::Debug for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("When")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("path_params", &self.path_params)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .field("predicates", &self.predicates.len())
            .finish()
    }
}

impl When {
    /// The method, like `GET` (any case).
    pub fn method(&mut self, method: &str) -> &mut Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// The path, as a template: `/v1.0/{project_id}/clusters/{cluster_id}` matches any value
    /// in the `{}` segments (see [`When::path_param`] to require one).
    pub fn path(&mut self, template: &str) -> &mut Self {
        let segments = template
            .split('/')
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_owned()),
                    None => Segment::Literal(s.to_owned()),
                },
            )
            .collect();
        self.path = Some(segments);
        self
    }

    /// The `{name}` segment of the path template has `value` (compared percent-decoded).
    pub fn path_param(&mut self, name: &str, value: impl fmt::Display) -> &mut Self {
        self.path_params.push((name.to_owned(), value.to_string()));
        self
    }

    /// Query parameter `name` has `value` (as written on the wire, percent-decoded).
    pub fn query_param(&mut self, name: &str, value: impl fmt::Display) -> &mut Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// Header `name` has `value`.
    pub fn header(&mut self, name: &str, value: impl fmt::Display) -> &mut Self {
        self.headers.push((name.to_owned(), value.to_string()));
        self
    }

    /// The body is JSON equal to `value` serialized (key order and spacing do not matter).
    /// A value that cannot be serialized matches no request.
    pub fn json_body(&mut self, value: &impl Serialize) -> &mut Self {
        self.body = Some(serde_json::to_value(value).unwrap_or(serde_json::Value::Null));
        self
    }

    /// `predicate` holds for the request.
    pub fn matches(
        &mut self,
        predicate: impl Fn(&Request) -> bool + Send + Sync + 'static,
    ) -> &mut Self {
        self.predicates.push(Arc::new(predicate));
        self
    }

    fn accepts(&self, request: &Request) -> bool {
        if self.method.as_ref().is_some_and(|m| *m != request.method) {
            return false;
        }
        // Without a template no path parameter is captured, and none can be required.
        let params = match &self.path {
            Some(template) => match_path(template, &request.path),
            None => Some(Vec::new()),
        };
        let Some(params) = params else {
            return false;
        };
        let params_ok = self
            .path_params
            .iter()
            .all(|(name, value)| params.iter().any(|(n, v)| n == name && v == value));
        let query_ok = self
            .query
            .iter()
            .all(|(name, value)| request.query.iter().any(|(n, v)| n == name && v == value));
        let headers_ok = self
            .headers
            .iter()
            .all(|(name, value)| request.header(name) == Some(value.as_str()));
        let body_ok = self.body.as_ref().is_none_or(|expected| {
            serde_json::from_slice::<serde_json::Value>(&request.body)
                .is_ok_and(|actual| actual == *expected)
        });
        params_ok && query_ok && headers_ok && body_ok && self.predicates.iter().all(|p| p(request))
    }
}

/// The values of a template's `{}` segments in `path`, or `None` when it does not match.
fn match_path(template: &[Segment], path: &str) -> Option<Vec<(String, String)>> {
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() != template.len() {
        return None;
    }
    let mut params = Vec::new();
    for (segment, part) in template.iter().zip(parts) {
        let decoded = percent_encoding::percent_decode_str(part)
            .decode_utf8_lossy()
            .into_owned();
        match segment {
            Segment::Literal(text) if *text == decoded => {}
            Segment::Literal(_) => return None,
            Segment::Param(name) => params.push((name.clone(), decoded)),
        }
    }
    Some(params)
}

/// The response a mock gives.
#[derive(Debug, Clone)]
pub struct Then {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
    refuse: bool,
}

impl Default for Then {
    fn default() -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: Bytes::new(),
            refuse: false,
        }
    }
}

impl Then {
    /// The status (default `200`).
    pub fn status(&mut self, status: u16) -> &mut Self {
        self.status = status;
        self
    }

    /// A response header (the server adds `X-Request-Id` when the mock sets none).
    pub fn header(&mut self, name: &str, value: &str) -> &mut Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The body as it is.
    pub fn body(&mut self, body: impl Into<Bytes>) -> &mut Self {
        self.body = body.into();
        self
    }

    /// `value` as a JSON body, with `Content-Type: application/json`. A value that cannot be
    /// serialized gives the body `null`.
    pub fn json(&mut self, value: &impl Serialize) -> &mut Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
        self.json_text(body)
    }

    /// A JSON body given as text (a documented example), with `Content-Type: application/json`.
    pub fn json_text(&mut self, body: impl Into<Bytes>) -> &mut Self {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        self.headers
            .push(("content-type".to_owned(), "application/json".to_owned()));
        self.body = body.into();
        self
    }

    /// A refusal of the credentials: `401`, and with [`MockAuth::Digest`] a fresh challenge
    /// without `stale`, as a server says "wrong user or password". Set a vendor error body as
    /// well with [`Then::json`].
    pub fn credentials_refused(&mut self) -> &mut Self {
        self.status = 401;
        self.refuse = true;
        self
    }
}

/// The body type of an operation that has no request body: a [`TypedWhen`] of it has no body
/// conditions.
#[derive(Debug)]
pub enum NoBody {}

/// The requests a mock of one operation answers, typed by the operation's request body `B`
/// ([`NoBody`] when it has none): what every generated `<Operation>When` dereferences to, next
/// to its own one setter per parameter.
pub struct TypedWhen<'a, B> {
    when: &'a mut When,
    body: std::marker::PhantomData<fn(&B)>,
}

impl<'a, B> TypedWhen<'a, B> {
    /// Wraps `when` for one operation. Called by the generated code.
    #[doc(hidden)]
    pub fn new(when: &'a mut When) -> Self {
        Self {
            when,
            body: std::marker::PhantomData,
        }
    }

    /// `predicate` holds for the request (any other condition).
    pub fn matches(
        &mut self,
        predicate: impl Fn(&Request) -> bool + Send + Sync + 'static,
    ) -> &mut Self {
        self.when.matches(predicate);
        self
    }

    /// The untyped conditions: method, path, parameters, headers, body.
    pub fn raw(&mut self) -> &mut When {
        self.when
    }
}

impl<B: Serialize + DeserializeOwned + 'static> TypedWhen<'_, B> {
    /// The request body is JSON equal to `body`.
    pub fn body(&mut self, body: &B) -> &mut Self {
        self.when.json_body(body);
        self
    }

    /// The request body reads as this operation's body and `predicate` holds for it.
    pub fn body_matches(
        &mut self,
        predicate: impl Fn(&B) -> bool + Send + Sync + 'static,
    ) -> &mut Self {
        self.when
            .matches(move |request| request.json::<B>().is_some_and(|body| predicate(&body)));
        self
    }
}

/// How a mock of one operation answers, typed by the operation's success body `T` and error
/// body `E`: what every generated `<Operation>Then` is.
pub struct TypedThen<'a, T, E> {
    then: &'a mut Then,
    success: Success,
    refusal_body: Option<&'static str>,
    bodies: std::marker::PhantomData<fn(&T, &E)>,
}

/// The success answer an operation documents: its status, and its body (a JSON example, or
/// none when the documentation gives no example) or that it has no body at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Success {
    /// A JSON body; `example` is the documentation's example response, when it gives one.
    Json {
        /// The documented success status.
        status: u16,
        /// The documented example, as JSON text.
        example: Option<&'static str>,
    },
    /// No body (documented as none, or `204`).
    Empty {
        /// The documented success status.
        status: u16,
    },
}

impl<'a, T: Serialize, E: Serialize> TypedThen<'a, T, E> {
    /// Wraps `then` for one operation: its documented success answer, and the body the vendor
    /// sends with a refusal of credentials. Called by the generated code.
    #[doc(hidden)]
    pub fn new(then: &'a mut Then, success: Success, refusal_body: Option<&'static str>) -> Self {
        Self {
            then,
            success,
            refusal_body,
            bodies: std::marker::PhantomData,
        }
    }

    /// Answers the documented success status with `body` (with no body at all when the
    /// operation documents none: pass `&()`).
    pub fn ok(&mut self, body: &T) -> &mut Self {
        match self.success {
            Success::Json { status, .. } => {
                self.then.status(status).json(body);
            }
            Success::Empty { status } => {
                self.then.status(status).body(Bytes::new());
            }
        }
        self
    }

    /// Answers `status` with the vendor's error body `body`.
    pub fn error(&mut self, status: u16, body: &E) -> &mut Self {
        self.then.status(status).json(body);
        self
    }

    /// Answers as the vendor's documentation shows: the documented status with its example
    /// response, or with no body when the operation documents none (an operation whose page
    /// documents a body but gives no example answers `500` saying so).
    pub fn example(&mut self) -> &mut Self {
        match self.success {
            Success::Json {
                status,
                example: Some(example),
            } => {
                self.then.status(status).json_text(example);
            }
            Success::Json { example: None, .. } => {
                self.then
                    .status(500)
                    .json_text(r#"{"mock":"the documentation has no example response"}"#);
            }
            Success::Empty { status } => {
                self.then.status(status).body(Bytes::new());
            }
        }
        self
    }

    /// Refuses the credentials as the vendor does (`401`, the vendor's error body; a fresh
    /// challenge for Digest), so that the call fails with `ErrorKind::CredentialsRejected`.
    pub fn credentials_refused(&mut self) -> &mut Self {
        self.then.credentials_refused();
        if let Some(body) = self.refusal_body {
            self.then.json_text(body);
        }
        self
    }

    /// The untyped answer: any status, headers and body.
    pub fn raw(&mut self) -> &mut Then {
        self.then
    }
}

struct MockEntry {
    when: When,
    then: Then,
    hits: Arc<AtomicUsize>,
}

#[derive(Default)]
struct State {
    mocks: Mutex<Vec<MockEntry>>,
    requests: Mutex<Vec<Request>>,
    counter: AtomicU64,
}

/// A mock added to a [`MockServer`]: how often it answered.
#[derive(Debug, Clone)]
pub struct Mock {
    hits: Arc<AtomicUsize>,
}

impl Mock {
    /// How many requests this mock answered.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// An HTTP/1.1 server on `127.0.0.1` (a free port) that answers from its mocks; stops when
/// dropped. Requests no mock matches get `404` with a body naming the request.
pub struct MockServer {
    addr: SocketAddr,
    auth: MockAuth,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockServer {
    /// Starts a server on `127.0.0.1` on a free port; must be called within a Tokio runtime.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound (a test set-up failure, reported at once).
    pub async fn start(auth: MockAuth) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|e| panic!("the mock server cannot bind a port on 127.0.0.1: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the mock server's socket has no address: {e}"));
        let state = Arc::new(State::default());
        let serving = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&serving);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(answer(&state, auth, request).await) }
                    });
                    // A client that hangs up mid-request is not the test's concern.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            auth,
            state,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`, the base URL to give a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The authentication the server runs.
    pub fn auth(&self) -> MockAuth {
        self.auth
    }

    /// Adds a mock: `f` says what requests it answers and how. When several mocks match a
    /// request, the one added first answers.
    pub fn mock(&self, f: impl FnOnce(&mut When, &mut Then)) -> Mock {
        let (mut when, mut then) = (When::default(), Then::default());
        f(&mut when, &mut then);
        let hits = Arc::new(AtomicUsize::new(0));
        lock(&self.state.mocks).push(MockEntry {
            when,
            then,
            hits: Arc::clone(&hits),
        });
        Mock { hits }
    }

    /// Removes every mock (recorded requests stay).
    pub fn reset(&self) {
        lock(&self.state.mocks).clear();
    }

    /// The requests received so far, in order (Digest challenges not included).
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.state.requests).clone()
    }
}

/// A poisoned lock only means another test thread panicked; the data is still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn answer(
    state: &State,
    auth: MockAuth,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let n = state.counter.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let recorded = Request {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        headers,
        body,
    };
    let request_id = format!("mock-request-{n}");
    let authorized = recorded
        .header("authorization")
        .is_some_and(|a| a.starts_with("Digest "));
    if auth == MockAuth::Digest && !authorized {
        return respond(401, &[], Bytes::new(), Some(challenge(n)), &request_id);
    }
    lock(&state.requests).push(recorded.clone());
    let found = lock(&state.mocks)
        .iter()
        .find(|m| m.when.accepts(&recorded))
        .map(|m| {
            m.hits.fetch_add(1, Ordering::SeqCst);
            m.then.clone()
        });
    match found {
        Some(then) => {
            let challenge = (then.refuse && auth == MockAuth::Digest).then(|| challenge(n));
            respond(
                then.status,
                &then.headers,
                then.body,
                challenge,
                &request_id,
            )
        }
        None => respond(
            404,
            &[("content-type".into(), "text/plain".into())],
            Bytes::from(format!(
                "no mock matches {} {}{}",
                recorded.method,
                recorded.path,
                parts
                    .uri
                    .query()
                    .map(|q| format!("?{q}"))
                    .unwrap_or_default()
            )),
            None,
            &request_id,
        ),
    }
}

/// A Digest challenge with a nonce no other answer of this server used.
fn challenge(n: u64) -> String {
    let nonce = format!("{:016x}{n:08x}", u64::from_ne_bytes(crate::random::bytes()));
    format!("Digest realm=\"mock\", qop=\"auth\", algorithm=MD5, nonce=\"{nonce}\"")
}

fn respond(
    status: u16,
    headers: &[(String, String)],
    body: Bytes,
    challenge: Option<String>,
    request_id: &str,
) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(body));
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let out = response.headers_mut();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::try_from(name.as_str()),
            http::HeaderValue::try_from(value.as_str()),
        ) {
            out.append(name, value);
        }
    }
    if !out.contains_key("x-request-id")
        && let Ok(value) = http::HeaderValue::try_from(request_id)
    {
        out.insert("x-request-id", value);
    }
    if let Some(challenge) = challenge
        && let Ok(value) = http::HeaderValue::try_from(challenge)
    {
        out.insert(http::header::WWW_AUTHENTICATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(t: &str) -> Vec<Segment> {
        let mut when = When::default();
        when.path(t);
        when.path.unwrap()
    }

    #[test]
    fn path_templates_capture_decoded_segments() {
        let t = template("/v1/{project}/clusters/{id}");
        assert_eq!(
            match_path(&t, "/v1/p1/clusters/a%20b"),
            Some(vec![
                ("project".into(), "p1".into()),
                ("id".into(), "a b".into())
            ])
        );
        assert_eq!(match_path(&t, "/v1/p1/clusters"), None);
        assert_eq!(match_path(&t, "/v1/p1/nodes/x"), None);
        assert_eq!(match_path(&t, "/v1/p1/clusters/x/y"), None);
    }

    fn request(query: &[(&str, &str)], body: &str) -> Request {
        Request {
            method: "POST".into(),
            path: "/v1/p1/clusters/c1".into(),
            query: query
                .iter()
                .map(|(n, v)| ((*n).into(), (*v).into()))
                .collect(),
            headers: vec![
                ("x-workspace-id".into(), "ws".into()),
                ("authorization".into(), "Digest secret-answer".into()),
            ],
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn every_condition_must_hold() {
        let mut when = When::default();
        when.method("post")
            .path("/v1/{project}/clusters/{id}")
            .path_param("id", "c1")
            .query_param("offset", 2)
            .header("X-Workspace-Id", "ws")
            .json_body(&serde_json::json!({"a": 1, "b": [true]}));
        let good = request(&[("offset", "2")], r#"{ "b": [true], "a": 1 }"#);
        assert!(when.accepts(&good));
        assert!(!when.accepts(&request(&[("offset", "3")], r#"{"a":1,"b":[true]}"#)));
        assert!(!when.accepts(&request(&[("offset", "2")], r#"{"a":2,"b":[true]}"#)));
        assert!(!when.accepts(&request(&[("offset", "2")], "not json")));
        let mut other_id = when.clone();
        other_id.path_param("id", "c2");
        assert!(!other_id.accepts(&good));
        let mut get = when.clone();
        get.method("GET");
        assert!(!get.accepts(&good));
        let mut predicate = when.clone();
        predicate.matches(|r| r.query_param("offset") == Some("9"));
        assert!(!predicate.accepts(&good));
    }

    #[test]
    fn debug_of_a_request_hides_credentials() {
        let text = format!("{:?}", request(&[], r#"{"password":"db-secret"}"#));
        assert!(text.contains("<redacted>"), "{text}");
        assert!(!text.contains("secret-answer"), "{text}");
        assert!(!text.contains("db-secret"), "{text}");
        assert!(text.contains("<24 bytes>"), "{text}");
    }

    #[tokio::test]
    async fn digest_mode_challenges_then_answers_from_the_first_matching_mock() {
        let server = MockServer::start(MockAuth::Digest).await;
        let first = server.mock(|when, then| {
            when.method("GET").path("/x");
            then.status(201).json(&serde_json::json!({"n": 1}));
        });
        let second = server.mock(|when, then| {
            when.path("/x");
            then.status(500);
        });
        let http = reqwest::Client::new();
        let url = format!("{}/x", server.base_url());
        let challenge = http.get(&url).send().await.unwrap();
        assert_eq!(challenge.status(), 401);
        let header = challenge.headers()["www-authenticate"].to_str().unwrap();
        assert!(
            header.starts_with("Digest realm=\"mock\", qop=\"auth\""),
            "{header}"
        );
        assert!(
            server.requests().is_empty(),
            "challenged requests are not recorded"
        );

        let answered = http
            .get(&url)
            .header("authorization", "Digest username=\"any\"")
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), 201);
        assert!(answered.headers().contains_key("x-request-id"));
        assert_eq!(answered.text().await.unwrap(), r#"{"n":1}"#);
        assert_eq!((first.hits(), second.hits()), (1, 0));

        let unmatched = http
            .post(format!("{}/y?a=1", server.base_url()))
            .header("authorization", "Digest username=\"any\"")
            .send()
            .await
            .unwrap();
        assert_eq!(unmatched.status(), 404);
        assert_eq!(
            unmatched.text().await.unwrap(),
            "no mock matches POST /y?a=1"
        );
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn a_refusal_in_digest_mode_carries_a_fresh_challenge() {
        let server = MockServer::start(MockAuth::Digest).await;
        server.mock(|_, then| {
            then.credentials_refused();
        });
        let refused = reqwest::Client::new()
            .get(server.base_url())
            .header("authorization", "Digest username=\"any\"")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);
        let header = refused.headers()["www-authenticate"].to_str().unwrap();
        assert!(!header.contains("stale"), "{header}");
    }
}
