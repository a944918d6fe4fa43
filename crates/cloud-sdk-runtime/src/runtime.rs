//! The per-client runtime that generated clients carry: defaults, the https rule, and the
//! authenticator that signs and sends each request.
//!
//! progenitor calls three hooks per operation (`pre`, `exec`, `post`); the generated crates
//! forward them here. `exec` can only return a `reqwest::Result`, so an authentication failure
//! found while sending (a rejected Digest response, say) travels back as the server's own
//! response marked with an [`AuthRejected`] extension, and `post` turns that into an [`Error`].

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::Arc,
    time::{Duration, Instant, SystemTime},
};

use reqwest::header::{HeaderName, HeaderValue};

use crate::{
    ConfigError, Error, ErrorKind,
    retry::{self, Decision, Outcome, RetryPolicy},
};

/// A boxed, sendable future, as [`Authenticator`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An authentication scheme: turns a built request into an authenticated exchange.
///
/// `send` may take several round trips (a Digest probe, a token refresh) but returns the one
/// response the caller should see. When the server refuses the credentials for good it returns
/// that response with an [`AuthRejected`] extension, which [`Runtime::post`] reports as an error.
pub trait Authenticator: fmt::Debug + Send + Sync + 'static {
    /// A short name for logs and errors ("digest", "iam-token", "aksk").
    fn scheme(&self) -> &'static str;

    /// Whether credentials travel with requests, so that plain `http://` must be refused.
    fn sends_credentials(&self) -> bool {
        true
    }

    /// Whether [`Authenticator::send`] may have to send a request again on its own (a new
    /// Digest nonce, a refreshed token). The runtime then always keeps a copy of the request
    /// and lends it to `send` as `spare`.
    fn may_resend(&self) -> bool {
        false
    }

    /// Authenticates and sends `request` with `client`.
    ///
    /// `spare` is the runtime's copy of the request as it was before authentication, kept for
    /// the runtime's own retries (and always when [`Authenticator::may_resend`] says so): to
    /// send the request again, clone it then, so that the call that needs no second request
    /// pays for no second copy. It is `None` when the body is a stream, which can be sent
    /// only once.
    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        spare: Option<&'a reqwest::Request>,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>>;
}

/// Sends requests as they are, with no credentials (for tests and public endpoints).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoAuth;

impl Authenticator for NoAuth {
    fn scheme(&self) -> &'static str {
        "none"
    }

    fn sends_credentials(&self) -> bool {
        false
    }

    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _spare: Option<&'a reqwest::Request>,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(client.execute(request))
    }
}

/// Marks a response whose credentials the server refused for good; set by an [`Authenticator`]
/// on the response it returns, read by [`Runtime::post`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRejected {
    /// What was refused and what to change, without any secret.
    pub reason: String,
    /// The Digest realm or similar protection space, when the server named one.
    pub realm: Option<String>,
    /// The kind of failure.
    pub kind: ErrorKind,
}

/// Marks the stand-in response for a call that ran out of time (see [`Runtime::exec`]).
#[derive(Debug, Clone, Copy)]
struct TimedOut(Duration);

/// progenitor's `exec` hook can only return a `reqwest::Result`, and reqwest errors cannot be
/// made outside reqwest; a call that hit the runtime's own time limit therefore returns a
/// stand-in 504 response marked [`TimedOut`], which `post` reports as a timeout error.
fn timed_out(limit: Duration) -> reqwest::Response {
    let mut response = http::Response::new(bytes::Bytes::new());
    *response.status_mut() = http::StatusCode::GATEWAY_TIMEOUT;
    response.extensions_mut().insert(TimedOut(limit));
    reqwest::Response::from(response)
}

#[derive(Debug)]
struct Inner {
    auth: Arc<dyn Authenticator>,
    allow_http: bool,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Query parameters that get a fresh UUID v4 when the caller gives none.
    uuid_query: Vec<String>,
}

/// Per-client state shared by every call of one generated client: cheap to clone.
#[derive(Debug, Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
}

/// Builds a [`Runtime`].
#[derive(Debug)]
pub struct RuntimeBuilder {
    auth: Arc<dyn Authenticator>,
    allow_http: bool,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Query parameters that get a fresh UUID v4 when the caller gives none.
    uuid_query: Vec<String>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
}

impl RuntimeBuilder {
    /// Allows plain `http://` base URLs although credentials are sent (loopback tests only).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Sets `name: value` on every request that does not carry `name` already, so that a
    /// per-call value overrides the client's.
    pub fn default_header(mut self, name: &str, value: &str) -> Result<Self, ConfigError> {
        let name = HeaderName::try_from(name)
            .map_err(|e| ConfigError::new(format!("invalid header name {name:?}: {e}")))?;
        let value = HeaderValue::try_from(value)
            .map_err(|e| ConfigError::new(format!("invalid value for header {name}: {e}")))?;
        self.headers.retain(|(n, _)| n != name);
        self.headers.push((name, value));
        Ok(self)
    }

    /// Adds query parameter `name` with a fresh UUID v4 to every request that lacks it.
    pub fn default_query_uuid(mut self, name: &str) -> Self {
        self.uuid_query.retain(|n| n != name);
        self.uuid_query.push(name.to_owned());
        self
    }

    /// How transient failures are retried ([`RetryPolicy::default`] unless set;
    /// [`RetryPolicy::off`] to send every call once).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// A time limit for each call, all attempts and waits included (none unless set; the HTTP
    /// client's own timeout still bounds each attempt).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// Finishes the runtime.
    pub fn build(self) -> Runtime {
        Runtime {
            inner: Arc::new(Inner {
                auth: self.auth,
                allow_http: self.allow_http,
                headers: self.headers,
                uuid_query: self.uuid_query,
            }),
            retry: self.retry,
            timeout: self.timeout,
        }
    }
}

impl Runtime {
    /// A builder for a runtime that authenticates with `auth`.
    pub fn builder(auth: impl Authenticator) -> RuntimeBuilder {
        RuntimeBuilder {
            auth: Arc::new(auth),
            allow_http: false,
            headers: Vec::new(),
            uuid_query: Vec::new(),
            retry: RetryPolicy::default(),
            timeout: None,
        }
    }

    /// The same runtime (same credentials and caches) with another retry policy: for one call,
    /// `client.with_runtime(rt.with_retry(RetryPolicy::off()))`.
    pub fn with_retry(&self, policy: RetryPolicy) -> Self {
        Self {
            retry: policy,
            ..self.clone()
        }
    }

    /// The same runtime (same credentials and caches) with a time limit per call.
    pub fn with_timeout(&self, limit: Duration) -> Self {
        Self {
            timeout: Some(limit),
            ..self.clone()
        }
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// A runtime that sends no credentials.
    pub fn unauthenticated() -> Self {
        Self::builder(NoAuth).build()
    }

    /// The authenticator in use.
    pub fn authenticator(&self) -> &dyn Authenticator {
        &*self.inner.auth
    }

    /// Hook run on each request before it is sent: the https rule and client defaults.
    pub async fn pre(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), Error> {
        let inner = &*self.inner;
        if let Some(limit) = self.timeout {
            // Each attempt gets the whole limit at most; `exec` bounds all of them together.
            *request.timeout_mut() = Some(limit);
        }
        if request.url().scheme() != "https" && inner.auth.sends_credentials() && !inner.allow_http
        {
            return Err(Error::new(
                ErrorKind::Refused,
                format!(
                    "{operation_id}: refusing to send {} credentials over plain {}:// to {}; \
                     use an https:// base URL (or allow_insecure_http(true) for a local test server)",
                    inner.auth.scheme(),
                    request.url().scheme(),
                    request.url().host_str().unwrap_or("<no host>"),
                ),
            ));
        }
        for (name, value) in &inner.headers {
            if !request.headers().contains_key(name) {
                request.headers_mut().insert(name.clone(), value.clone());
            }
        }
        for name in &inner.uuid_query {
            let present = request.url().query_pairs().any(|(k, _)| k == name.as_str());
            if !present {
                let id = uuid::Uuid::new_v4().to_string();
                request.url_mut().query_pairs_mut().append_pair(name, &id);
            }
        }
        Ok(())
    }

    /// Hook that sends the request through the authenticator, retrying transient failures
    /// where that is safe, within the call's time limit, inside one `tracing` span per call.
    ///
    /// The span records the operation, method, URL path, final status, attempts and elapsed
    /// time; never headers, query strings or bodies, which may carry credentials.
    pub async fn exec(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        use tracing::Instrument as _;
        let span = tracing::info_span!(
            "cloud_call",
            operation = operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let send = self
            .send_with_retries(client, request)
            .instrument(span.clone());
        let result = match self.timeout {
            None => send.await,
            Some(limit) => match tokio::time::timeout(limit, send).await {
                Ok(result) => result,
                Err(_) => Ok(timed_out(limit)),
            },
        };
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        if let Ok(response) = &result {
            span.record("status", response.status().as_u16());
        }
        span.in_scope(|| match &result {
            Ok(r) => tracing::debug!(status = r.status().as_u16(), "call finished"),
            Err(e) => tracing::debug!(error = %e, "call failed"),
        });
        result
    }

    async fn send_with_retries(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let method = request.method().clone();
        let mut attempt = 1u32;
        let mut pending = request;
        loop {
            // A copy for a retry, unless this is the last attempt the policy allows and the
            // authenticator never sends twice; one copy serves both. A body that cannot be
            // cloned (a stream) can be sent only once.
            let copy = if attempt < self.retry.max_attempts || self.inner.auth.may_resend() {
                pending.try_clone()
            } else {
                None
            };
            tracing::Span::current().record("attempt", attempt);
            let result = self.inner.auth.send(client, pending, copy.as_ref()).await;
            let outcome = match &result {
                Ok(response) if response.extensions().get::<AuthRejected>().is_some() => {
                    return result;
                }
                Ok(response) => Outcome::status(
                    response.status(),
                    response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| retry::parse_retry_after(v, SystemTime::now())),
                ),
                Err(e) if e.is_connect() => Outcome::ConnectFailed,
                Err(_) => Outcome::TransportFailed,
            };
            let (Some(copy), Decision::RetryAfter(ceiling)) =
                (copy, self.retry.decide(&method, attempt, outcome))
            else {
                return result;
            };
            let wait = retry::jitter(ceiling, rand::random::<f64>());
            tracing::debug!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying a transient failure"
            );
            tokio::time::sleep(wait).await;
            pending = copy;
            attempt += 1;
        }
    }

    /// Hook run on the outcome: turns a response marked [`AuthRejected`] into an [`Error`].
    pub fn post(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        operation_id: &str,
    ) -> Result<(), Error> {
        let response = match result {
            Ok(response) => response,
            Err(e) if e.is_timeout() => {
                return Err(Error::new(
                    ErrorKind::TimedOut,
                    format!(
                        "{operation_id}: timed out ({e}); raise the client's timeout or retry later"
                    ),
                ));
            }
            Err(_) => return Ok(()),
        };
        if let Some(limit) = response.extensions().get::<TimedOut>() {
            return Err(Error::new(
                ErrorKind::TimedOut,
                format!(
                    "{operation_id}: no answer within the call's time limit of {:?}; raise it with \
                     Runtime::with_timeout or RuntimeBuilder::timeout",
                    limit.0
                ),
            ));
        }
        match response.extensions().get::<AuthRejected>() {
            None => Ok(()),
            Some(rejected) => {
                let realm = rejected
                    .realm
                    .as_deref()
                    .map(|r| format!(", realm {r:?}"))
                    .unwrap_or_default();
                Err(Error::new(
                    rejected.kind,
                    format!(
                        "{operation_id}: HTTP {}{realm}: {}",
                        response.status(),
                        rejected.reason
                    ),
                ))
            }
        }
    }
}

/// Everything a generated client needs besides its operations: where to send, with which HTTP
/// client, and with which [`Runtime`]. Built by `oceanbase::from_env` and friends; the generated
/// `Client::from_parts` takes it.
#[derive(Debug, Clone)]
pub struct ClientParts {
    /// Base URL, scheme and host (and path stem, if any).
    pub base_url: String,
    /// The HTTP client (timeouts, TLS).
    pub http: reqwest::Client,
    /// Credentials and per-client defaults.
    pub runtime: Runtime,
}

impl ClientParts {
    /// Parts with the default HTTP client (rustls, 15 s connect and request timeouts).
    pub fn new(base_url: impl Into<String>, runtime: Runtime) -> Result<Self, ConfigError> {
        let base_url = base_url.into();
        let parsed = url::Url::parse(&base_url).map_err(|e| {
            ConfigError::new(format!(
                "base URL {} is not a valid URL: {e}",
                crate::redact::describe_url(&base_url)
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConfigError::new(format!(
                "base URL {} must start with https://",
                crate::redact::UrlForLog(&parsed)
            )));
        }
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: default_http_client()?,
            runtime,
        })
    }
}

/// The HTTP client generated clients use unless given another: rustls, 15 s timeouts, and a
/// `User-Agent` naming this crate.
pub fn default_http_client() -> Result<reqwest::Client, ConfigError> {
    let timeout = std::time::Duration::from_secs(15);
    reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .user_agent(concat!(
            env!("CARGO_PKG_NAME"),
            "/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .map_err(|e| ConfigError::new(format!("could not build the HTTP client: {e}")))
}
