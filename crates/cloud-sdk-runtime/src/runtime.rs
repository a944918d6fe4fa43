//! The per-client runtime that generated clients carry: the transport policy, defaults, the
//! https rule, retries, the time limits, and the authenticator that signs and sends each
//! request.
//!
//! progenitor calls hooks per operation (`pre`, `exec`); the generated crates forward them
//! here through [`crate::client_glue!`]. `exec` can only return a `reqwest::Result`, so a
//! failure of the runtime's own (credentials refused, a time limit, a refused redirect) crosses
//! it the one way `seam` describes. What the hooks learn about the call (the request id sent,
//! the status of the answer) goes to the call's [`CallRecord`], which `call()` made.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::{Arc, OnceLock},
    time::{Duration, Instant, SystemTime},
};

use reqwest::header::{HeaderName, HeaderValue};

use crate::{
    error::{ConfigError, Error, ErrorKind},
    retry::{self, Decision, Outcome, RetryPolicy},
    secret::Secret,
    transport::{self, Limits, Transport},
};

/// The most characters of a realm an error quotes: one names a protection space in a few words.
const MAX_REALM_CHARS: usize = 200;

/// A boxed, sendable future, as [`Authenticator`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An authentication scheme: turns a built request into an authenticated exchange.
///
/// `send` may take several round trips (a Digest probe, a token refresh) but returns the one
/// response the caller should see. When the server refuses the credentials for good it returns
/// that response with an [`AuthRejected`] extension, which the runtime reports as an error
/// carrying the response's status, request id and body.
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

    /// The credentials this scheme puts on requests as they are (a token, a security token),
    /// so that an error quoting a server's answer shows `***` where the server echoed one.
    /// Schemes whose requests carry only derived values (a signature, a Digest response) have
    /// none. Asked only when a call fails.
    fn sent_secrets(&self) -> Vec<Secret> {
        Vec::new()
    }

    /// Authenticates and sends `request` through `transport` (the runtime's HTTP client and
    /// its rules).
    ///
    /// Every request `send` makes must go through `transport` with the timeout the runtime set
    /// on `request` (copies of `request` and `spare` keep it): the runtime relies on that timer
    /// to bound the reading of the response's body, when it started no later than the answer
    /// and ends by the call's deadline. A probe or a resend built from the request keeps it.
    ///
    /// `spare` is the runtime's copy of the request as it was before authentication, kept for
    /// the runtime's own retries (and always when [`Authenticator::may_resend`] says so): to
    /// send the request again, clone it then, so that the call that needs no second request
    /// pays for no second copy. It is `None` when the body is a stream, which can be sent
    /// only once.
    fn send<'a>(
        &'a self,
        transport: &'a Transport,
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
        transport: &'a Transport,
        request: reqwest::Request,
        _spare: Option<&'a reqwest::Request>,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(transport.execute(request))
    }
}

/// Marks a response whose credentials the server refused for good; set by an [`Authenticator`]
/// on the response it returns, read by the runtime's `exec` hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRejected {
    /// What was refused and what to change, without any secret.
    pub reason: String,
    /// The Digest realm or similar protection space, when the server named one.
    pub realm: Option<String>,
    /// The kind of failure.
    pub kind: ErrorKind,
}

impl AuthRejected {
    /// `response` marked as a refusal for `reason` (in protection space `realm`, when the
    /// server named one), which the runtime reports as an error of `kind`.
    #[cfg_attr(not(any(feature = "digest", feature = "huawei")), allow(dead_code))]
    pub(crate) fn mark(
        mut response: reqwest::Response,
        kind: ErrorKind,
        reason: impl Into<String>,
        realm: Option<String>,
    ) -> reqwest::Response {
        response.extensions_mut().insert(Self {
            reason: reason.into(),
            realm,
            kind,
        });
        response
    }
}

/// Marks a stand-in response that no server sent (a request that could not be signed, a token
/// that could not be had): its status is not reported as the server's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NotAnswered;

#[derive(Debug)]
struct Inner {
    auth: Arc<dyn Authenticator>,
    transport: Transport,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Query parameters that get a fresh UUID v4 when the caller gives none.
    uuid_query: Vec<String>,
    /// Appended to each client's `User-Agent` (`app_name`).
    app_name: Option<String>,
}

/// Per-client state shared by every call of one generated client: cheap to clone.
#[derive(Debug, Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
    retry: RetryPolicy,
    limits: Limits,
}

/// Builds a [`Runtime`].
pub struct RuntimeBuilder {
    auth: Arc<dyn Authenticator>,
    allow_http: bool,
    headers: Vec<(HeaderName, HeaderValue)>,
    uuid_query: Vec<String>,
    retry: RetryPolicy,
    limits: Limits,
    http: Option<reqwest::ClientBuilder>,
    app_name: Option<String>,
}

impl fmt::Debug for RuntimeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeBuilder")
            .field("auth", &self.auth)
            .field("allow_http", &self.allow_http)
            .field("retry", &self.retry)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl RuntimeBuilder {
    /// Allows plain `http://` URLs to other machines although credentials are sent: the API's
    /// and the IAM token endpoint's (test servers only). Plain http to a loopback address is
    /// allowed without it.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Sets `name: value` on every request that does not carry `name` already, so that a
    /// per-call value overrides the client's.
    pub fn default_header(mut self, name: &str, value: &str) -> Result<Self, ConfigError> {
        let name = HeaderName::try_from(name)
            .map_err(|_| ConfigError::new(format!("{name:?} is not a valid header name")))?;
        let value = HeaderValue::try_from(value).map_err(|_| {
            ConfigError::new(format!(
                "the value for header {name} is not a valid header value (control characters \
                 or line breaks?)"
            ))
        })?;
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

    /// A time limit for each call, all attempts, waits and the response body included
    /// ([`Limits::default`]: 30 s).
    pub fn timeout(self, limit: Duration) -> Self {
        self.call_timeout(limit)
    }

    /// Same as [`RuntimeBuilder::timeout`].
    pub fn call_timeout(mut self, limit: Duration) -> Self {
        self.limits.call_timeout = limit;
        self
    }

    /// A time limit for each attempt ([`Limits::default`]: 15 s).
    pub fn attempt_timeout(mut self, limit: Duration) -> Self {
        self.limits.attempt_timeout = limit;
        self
    }

    /// The largest response body read, in bytes ([`Limits::default`]: 16 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.limits.max_response_bytes = limit;
        self
    }

    /// All limits at once.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Builds the HTTP client from `builder` (proxies, TLS roots, pool settings); the runtime
    /// still applies its own policy on top: redirects are never followed, the connect timeout
    /// is [`Limits::connect_timeout`] and every request's timeout is
    /// [`Limits::attempt_timeout`] (a timeout set on `builder` is replaced).
    pub fn http_client(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(builder);
        self
    }

    /// Names the application in every `User-Agent`, after the client's own
    /// (`huaweicloud-css/0.1.0 my-app/2.1`), for the vendor's logs and support requests.
    pub fn app_name(mut self, name: &str) -> Result<Self, ConfigError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
        if !ok {
            return Err(ConfigError::new(
                "the app name must be 1 to 64 characters of letters, digits and -_./ \
                 (like my-app/2.1)",
            ));
        }
        self.app_name = Some(name.to_owned());
        Ok(self)
    }

    /// Finishes the runtime; fails only when the HTTP client cannot be built (TLS set-up).
    pub fn build(self) -> Result<Runtime, ConfigError> {
        let transport = Transport::build(self.http, &self.limits, self.allow_http)?;
        Ok(Runtime {
            inner: Arc::new(Inner {
                auth: self.auth,
                transport,
                headers: self.headers,
                uuid_query: self.uuid_query,
                app_name: self.app_name,
            }),
            retry: self.retry,
            limits: self.limits,
        })
    }
}

/// What the runtime learns about one call besides its result, for the caller's
/// [`crate::Output`] or [`crate::ApiError`]: the request id it sent and, when a response came,
/// its status and `X-Request-Id`. A failure after the response was handed on (a body cut at the
/// size limit or the deadline, a body that is not the documented JSON) still reports what the
/// server answered.
///
/// Each generated `call()` makes one and lends it to the hooks through its client; the CLI,
/// which calls the hooks itself, passes its own.
#[derive(Debug, Default)]
pub struct CallRecord {
    client_request_id: OnceLock<String>,
    answer: OnceLock<(reqwest::StatusCode, Option<String>)>,
    /// The authenticator that sent the call: asked, only if the call fails, for the
    /// credentials its requests carried as they are, to be scrubbed from the error's text.
    auth: OnceLock<Arc<dyn Authenticator>>,
    /// The request body's secret fields (a database password), scrubbed the same way.
    body_secrets: OnceLock<Vec<Secret>>,
}

impl CallRecord {
    /// The request id the call sent, if the API has one.
    pub(crate) fn client_request_id(&self) -> Option<String> {
        self.client_request_id.get().cloned()
    }

    /// Status and `X-Request-Id` of the response, when one arrived.
    pub(crate) fn answer(&self) -> Option<(reqwest::StatusCode, Option<String>)> {
        self.answer.get().cloned()
    }

    /// The secrets the call sent as they are: the credentials its requests carried (asked of
    /// its authenticator now) and its body's secret fields.
    pub(crate) fn sent_secrets(&self) -> Vec<Secret> {
        let mut secrets = self
            .auth
            .get()
            .map(|auth| auth.sent_secrets())
            .unwrap_or_default();
        secrets.extend(self.body_secrets.get().into_iter().flatten().cloned());
        secrets
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
            limits: Limits::default(),
            http: None,
            app_name: None,
        }
    }

    /// The same runtime (same credentials, caches and connections) with another retry policy.
    pub fn with_retry(&self, policy: RetryPolicy) -> Self {
        Self {
            retry: policy,
            ..self.clone()
        }
    }

    /// The same runtime (same credentials, caches and connections) with a time limit per call.
    pub fn with_timeout(&self, limit: Duration) -> Self {
        let mut limits = self.limits;
        limits.call_timeout = limit;
        Self {
            limits,
            ..self.clone()
        }
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// A runtime that sends no credentials.
    pub fn unauthenticated() -> Result<Self, ConfigError> {
        Self::builder(NoAuth).build()
    }

    /// The authenticator in use.
    pub fn authenticator(&self) -> &dyn Authenticator {
        &*self.inner.auth
    }

    /// The HTTP client all calls go through (no redirects; the runtime's connect timeout, and
    /// its attempt timeout as every request's timeout).
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.transport
    }

    /// Hook run on each request before it is sent: the https rule, the client's defaults, the
    /// `User-Agent` and the spec's body rules (`x-require-one-of`: (operationId, fields of
    /// which one must be given)). It also takes out the `api-version` header progenitor adds
    /// to every request (the spec's `info.version`): no vendor here documents that header, and
    /// a gateway may read or refuse what it does not expect.
    /// The request id the runtime adds ([`RuntimeBuilder::default_query_uuid`]) and the values
    /// of the body's secret fields (`secrets`: (operationId, JSON pointers, `*` for every item
    /// of an array), scrubbed from the text of a failure) are written to `record`.
    pub async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
        user_agent: &'static str,
        require_one_of: &[(&str, &[&str])],
        secrets: &[(&str, &[&str])],
        record: &CallRecord,
    ) -> Result<(), progenitor_client::Error<E>> {
        if !secrets.is_empty() {
            let _ =
                record
                    .body_secrets
                    .set(crate::glue::body_secrets(request, operation_id, secrets));
        }
        match self.apply_rules(request, operation_id, user_agent, require_one_of, record) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::InvalidRequest => Err(
                progenitor_client::Error::InvalidRequest(e.message().to_owned()),
            ),
            Err(e) => Err(progenitor_client::Error::CommunicationError(
                crate::seam::into_reqwest(e).await,
            )),
        }
    }

    /// What [`Runtime::pre`] does, with the runtime's own error.
    fn apply_rules(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
        user_agent: &'static str,
        require_one_of: &[(&str, &[&str])],
        record: &CallRecord,
    ) -> Result<(), Error> {
        let inner = &*self.inner;
        request.headers_mut().remove("api-version");
        crate::glue::check_require_one_of(request, operation_id, require_one_of)
            .map_err(|m| Error::new(ErrorKind::InvalidRequest, m))?;
        transport::check_sendable(request)?;
        self.refuse_plain_http(request.url())?;
        let headers = request.headers_mut();
        headers
            .entry(reqwest::header::USER_AGENT)
            .or_insert_with(|| match &inner.app_name {
                Some(app) => HeaderValue::try_from(format!("{user_agent} {app}"))
                    .unwrap_or(HeaderValue::from_static(user_agent)),
                None => HeaderValue::from_static(user_agent),
            });
        for (name, value) in &inner.headers {
            headers.entry(name).or_insert_with(|| value.clone());
        }
        for name in &inner.uuid_query {
            let sent = request
                .url()
                .query_pairs()
                .find(|(k, _)| k == name.as_str())
                .map(|(_, v)| v.into_owned());
            let id = sent.unwrap_or_else(|| {
                let id = uuid::Uuid::new_v4().to_string();
                request.url_mut().query_pairs_mut().append_pair(name, &id);
                id
            });
            // The first id named is the call's (an API names at most one).
            let _ = record.client_request_id.set(id);
        }
        Ok(())
    }

    /// Refuses `url` when the authenticator would send credentials over plain http to another
    /// machine. Checked by [`Runtime::pre`], so that nothing is prepared (a dry run prints
    /// nothing), and by [`Runtime::exec`] again, which callers may use alone.
    fn refuse_plain_http(&self, url: &url::Url) -> Result<(), Error> {
        let inner = &*self.inner;
        // The message is built only for a URL that may be refused: not once per call.
        if inner.auth.sends_credentials()
            && url.scheme() != "https"
            && !inner.transport.allows_insecure_http()
        {
            let what = format!("{} credentials", inner.auth.scheme());
            inner.transport.check_secure(url, &what)?;
        }
        Ok(())
    }

    /// Hook that sends the request through the authenticator, retrying transient failures
    /// where that is safe, within the call's time limit, inside one `tracing` span per call.
    /// The response body it returns is bounded by the size limit and the call's deadline.
    ///
    /// The span records the operation, method, URL path, final status, attempts and elapsed
    /// time; never headers, query strings or bodies, which may carry credentials. The status
    /// and `X-Request-Id` of the response it hands on are written to `record`.
    pub async fn exec(
        &self,
        request: reqwest::Request,
        operation_id: &str,
        record: &CallRecord,
    ) -> reqwest::Result<reqwest::Response> {
        use tracing::Instrument as _;
        if let Err(e) = self.refuse_plain_http(request.url()) {
            return Err(crate::seam::into_reqwest(e).await);
        }
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
        let deadline = transport::deadline(tokio::time::Instant::now(), self.limits.call_timeout);
        // Each request's timeout ends by the deadline (see `attempts`), but an authenticator may
        // wait on more than its request (a token fetch, a Digest probe): the timer bounds that.
        let outcome = tokio::time::timeout_at(deadline, self.attempts(request, deadline))
            .instrument(span.clone())
            .await
            .unwrap_or_else(|_| Err(Failed::Runtime(self.call_timed_out())));
        report(&outcome, &span, started);
        // Even after a success status: a body that is not the documented JSON is quoted too.
        let _ = record.auth.set(self.inner.auth.clone());
        match outcome {
            Ok(response) => {
                let _ = record.answer.set((
                    response.status(),
                    crate::error::request_id_header(response.headers()),
                ));
                Ok(response)
            }
            Err(Failed::Reqwest(e)) => Err(e.without_url()),
            Err(Failed::Runtime(e)) => Err(crate::seam::into_reqwest(e).await),
        }
    }

    fn call_timed_out(&self) -> Error {
        Error::new(
            ErrorKind::TimedOut,
            format!(
                "no answer within the call's time limit of {:?} (all attempts included); raise it \
                 with Client::with_timeout or RuntimeBuilder::call_timeout",
                self.limits.call_timeout
            ),
        )
    }

    /// What the caller gets of a response: an error for a redirect, a bounded body otherwise,
    /// or a refusal of credentials, whose body [`Runtime::rejected`] reads. No waiting here:
    /// every call goes through this, and only a refusal reads anything.
    fn screen(
        &self,
        response: reqwest::Response,
        deadline: tokio::time::Instant,
        attempt_limit: Duration,
    ) -> Finished {
        let limit = self.limits.max_response_bytes;
        // Before any refusal mark: a Digest probe answered with a redirect is a redirect.
        // A stand-in response no server sent is not one, whatever its status.
        if response.status().is_redirection()
            && response.extensions().get::<NotAnswered>().is_none()
        {
            let location = transport::redirect_origin(&response);
            return Finished::Failed(
                Error::new(
                    ErrorKind::RedirectRefused,
                    format!(
                        "the server redirected the call (HTTP {}) to {location}; redirects are \
                         not followed, so that credentials and bodies stay with {}; check the \
                         base URL",
                        response.status().as_u16(),
                        transport::origin(response.url()),
                    ),
                )
                .with_answer(response.status(), response.headers(), None),
            );
        }
        if let Some(rejected) = response.extensions().get::<AuthRejected>().cloned() {
            return Finished::Rejected(response, rejected);
        }
        if let Err(e) = transport::check_content_length(&response, limit) {
            return Finished::Failed(e);
        }
        // A body with a Content-Length within the limit cannot grow past it (the HTTP layer
        // reads exactly that many bytes), and its reading is bounded by the attempt's reqwest
        // timeout (`attempt_limit`), which never outlasts the call's deadline when it started
        // with the attempt (see `attempts`): only a body of unknown length needs the guard.
        // An authenticator that waits on more than its request (a token fetch, a Digest
        // probe) may have started the request's timer later, but no later than now: when
        // `attempt_limit` from now still ends by the deadline (the attempt timeout is shorter
        // than what is left of the call, as with the defaults), the timer bounds the body in
        // time too. Otherwise the body is guarded whatever its length.
        let timer_ends_in_time = tokio::time::Instant::now()
            .checked_add(attempt_limit)
            .is_some_and(|end| end <= deadline);
        if response.content_length().is_some() && timer_ends_in_time {
            return Finished::Response(response);
        }
        Finished::Response(transport::guard(response, limit, deadline))
    }

    /// The error for a refusal of credentials, with the server's status, request id and
    /// vendor code; its body is read bounded in size and time like any other.
    async fn rejected(
        &self,
        response: reqwest::Response,
        rejected: AuthRejected,
        deadline: tokio::time::Instant,
    ) -> Error {
        let realm = rejected
            .realm
            .as_deref()
            // The server's text, cut as its messages are.
            .map(|r| {
                format!(
                    " (realm {:?})",
                    crate::redact::scrub(r, &[], MAX_REALM_CHARS)
                )
            })
            .unwrap_or_default();
        let error = Error::new(rejected.kind, format!("{}{realm}", rejected.reason));
        if response.extensions().get::<NotAnswered>().is_some() {
            return error;
        }
        let (status, headers) = (response.status(), response.headers().clone());
        let body = tokio::time::timeout_at(
            deadline,
            transport::read_limited(response, self.limits.max_response_bytes),
        )
        .await
        .ok()
        .and_then(Result::ok);
        error.with_answer(status, &headers, body)
    }

    /// The attempts of one call, retrying transient failures where that is safe, each within
    /// what is left of the call's deadline; then what the caller gets of the response.
    async fn attempts(
        &self,
        mut pending: reqwest::Request,
        deadline: tokio::time::Instant,
    ) -> Result<reqwest::Response, Failed> {
        let transport = &self.inner.transport;
        let mut attempt = 1u32;
        // The last attempt's reqwest timeout, which also bounds the reading of its body.
        let mut attempt_limit;
        let sent = loop {
            // Each attempt, the reading of its body included, ends by the call's deadline.
            // Without a timeout of its own, the request has the transport's attempt timeout.
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            let limit = pending
                .timeout()
                .map_or(transport.attempt_timeout(), |t| *t);
            if remaining < limit {
                *pending.timeout_mut() = Some(remaining);
            }
            attempt_limit = remaining.min(limit);
            // A copy for a retry, unless this is the last attempt the policy allows and the
            // authenticator never sends twice; one copy serves both. A body that cannot be
            // cloned (a stream) can be sent only once.
            let copy = if attempt < self.retry.max_attempts || self.inner.auth.may_resend() {
                pending.try_clone()
            } else {
                None
            };
            tracing::Span::current().record("attempt", attempt);
            let result = self
                .inner
                .auth
                .send(transport, pending, copy.as_ref())
                .await;
            let outcome = match &result {
                Ok(response) if response.extensions().get::<AuthRejected>().is_some() => {
                    break result.map_err(Failed::Reqwest);
                }
                // The attempt's timeout was what was left of the call's time limit.
                Err(e) if e.is_timeout() && tokio::time::Instant::now() >= deadline => {
                    break Err(Failed::Runtime(self.call_timed_out()));
                }
                Ok(response) => Outcome::status(
                    response.status(),
                    response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| retry::parse_retry_after(v, SystemTime::now())),
                ),
                // A request reqwest could not build or send never left: not retried.
                Err(e) if e.is_builder() => break result.map_err(Failed::Reqwest),
                Err(e) if e.is_connect() => Outcome::ConnectFailed,
                Err(e) if transport::refused_unprocessed(e) => Outcome::Refused,
                Err(_) => Outcome::TransportFailed,
            };
            // The copy has the method; without one there is nothing to send again.
            let decision = match &copy {
                Some(copy) => self.retry.decide(copy.method(), attempt, outcome),
                None => Decision::Stop,
            };
            let Decision::RetryAfter(ceiling) = decision else {
                break result.map_err(Failed::Reqwest);
            };
            // Jitter spreads the retries of clients that failed together, but never below
            // the `Retry-After` the server asked for (within the policy's longest wait).
            let asked = match outcome {
                Outcome::Status {
                    retry_after: Some(asked),
                    ..
                } => asked.min(self.retry.max_delay),
                _ => Duration::ZERO,
            };
            let wait = retry::jitter(ceiling, crate::random::unit()).max(asked);
            // A retry that could only start after the call's time limit is not waited for:
            // the caller gets what this attempt got (the server's answer, with its status,
            // code and request id), or a timeout when it got none.
            if wait >= deadline.saturating_duration_since(tokio::time::Instant::now()) {
                break match result {
                    Ok(response) => Ok(response),
                    Err(e) => Err(Failed::Runtime(Error::new(
                        ErrorKind::TimedOut,
                        format!(
                            "attempt {attempt} failed ({}) and the next could not start ({} \
                             ms of back-off) within the call's time limit of {:?} (all \
                             attempts included); raise it with Client::with_timeout or \
                             RuntimeBuilder::call_timeout",
                            transport::root_cause(&e),
                            wait.as_millis(),
                            self.limits.call_timeout
                        ),
                    ))),
                };
            }
            // The answer is let go before the wait, and its connection with it.
            pending = match copy {
                Some(next) => next,
                None => break result.map_err(Failed::Reqwest),
            };
            drop(result);
            tracing::debug!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying a transient failure"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        };
        match self.screen(sent?, deadline, attempt_limit) {
            Finished::Response(response) => Ok(response),
            Finished::Failed(e) => Err(Failed::Runtime(e)),
            Finished::Rejected(response, rejected) => Err(Failed::Runtime(
                self.rejected(response, rejected, deadline).await,
            )),
        }
    }
}

/// Logs how a call ended at `debug`, and records its status and elapsed time in its span.
fn report(outcome: &Result<reqwest::Response, Failed>, span: &tracing::Span, started: Instant) {
    span.record("elapsed_ms", started.elapsed().as_millis() as u64);
    let _entered = span.enter();
    match outcome {
        Ok(r) => {
            span.record("status", r.status().as_u16());
            tracing::debug!(status = r.status().as_u16(), "call finished");
        }
        Err(Failed::Runtime(e)) => {
            if let Some(status) = e.status() {
                span.record("status", status.as_u16());
            }
            tracing::debug!(kind = ?e.kind(), "call failed");
        }
        Err(Failed::Reqwest(e)) => {
            tracing::debug!(error = %transport::root_cause(e), "call failed")
        }
    }
}

/// What [`Runtime::screen`] made of a response.
enum Finished {
    /// The response for the caller.
    Response(reqwest::Response),
    /// The call failed on this response (a redirect, a body over the size limit).
    Failed(Error),
    /// The server refused the credentials: the error is built from the body.
    Rejected(reqwest::Response, AuthRejected),
}

/// How a call failed inside `exec`: reqwest's own errors keep their flags (connect, timeout).
enum Failed {
    Runtime(Error),
    Reqwest(reqwest::Error),
}

/// Everything a generated client needs besides its operations: where to send, and with which
/// [`Runtime`] (which holds the HTTP client). Built by `oceanbase::client_parts`,
/// `huawei::from_env` and friends; the generated `Client::from_parts` takes it.
#[derive(Debug, Clone)]
pub struct ClientParts {
    /// Base URL, scheme and host (and path stem, if any), without a trailing `/`.
    pub base_url: String,
    /// Credentials, transport and per-client defaults.
    pub runtime: Runtime,
}

impl ClientParts {
    /// Parts for `base_url`, which must be an `http(s)://` URL without user-info; `http://`
    /// only where the runtime allows it.
    pub fn new(base_url: impl Into<String>, runtime: Runtime) -> Result<Self, ConfigError> {
        let base_url = base_url.into();
        let parsed = parse_base_url(&base_url)?;
        if runtime.authenticator().sends_credentials() {
            runtime
                .inner
                .transport
                .check_secure(&parsed, "credentials")
                .map_err(|e| ConfigError::insecure(e.message().to_owned()))?;
        }
        Ok(Self {
            base_url: base_url.trim().trim_end_matches('/').to_owned(),
            runtime,
        })
    }
}

/// Parses a client's base URL: `http(s)://host[:port][/path]`, without user-info, query or
/// fragment, and without a trailing `/`. The rule every base URL follows (clients, the IAM
/// endpoint, the command-line tool's endpoints): user-info would go out as Basic auth, and a
/// call's path written after a query or fragment would be lost. Errors name the origin alone,
/// never the user-info.
pub fn parse_base_url(base_url: &str) -> Result<url::Url, ConfigError> {
    let trimmed = base_url.trim().trim_end_matches('/');
    let parsed = url::Url::parse(trimmed).map_err(|e| {
        ConfigError::new(format!(
            "the base URL {} is not a valid URL ({e}); expected https://host[:port][/path]",
            crate::redact::describe_url(base_url)
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ConfigError::new(format!(
            "the base URL {} must be an https:// URL",
            crate::redact::UrlForLog(&parsed)
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ConfigError::new(format!(
            "the base URL for {} carries user-info (user:password@); remove it: credentials \
             are configured on the runtime, never in the URL",
            transport::origin(&parsed)
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(ConfigError::new(format!(
            "the base URL for {} has a query or fragment (`?`, `#`); give only \
             https://host[:port][/path]",
            transport::origin(&parsed)
        )));
    }
    Ok(parsed)
}

/// What a generated `Client` holds as progenitor's "inner" value: its [`Runtime`], why the
/// base URL it was made with is unusable, if it is (`Client::new` cannot fail, so every call
/// reports it instead, before anything is sent: a URL with user-info would otherwise send it),
/// and the record of the call it serves: each `call()` sends through a copy of its client made
/// by [`ClientCore::for_call`], whose hooks write to that call's [`CallRecord`].
#[derive(Debug, Clone)]
pub struct ClientCore {
    runtime: Runtime,
    unusable_base: Option<String>,
    record: Arc<CallRecord>,
}

impl ClientCore {
    /// The core of a client for `base_url` (see [`ClientParts::new`] for what it must be).
    pub fn new(base_url: &str, runtime: Runtime) -> Self {
        Self {
            unusable_base: parse_base_url(base_url).err().map(|e| e.to_string()),
            runtime,
            record: Arc::default(),
        }
    }

    /// The same core with a fresh record for one call, and that record.
    pub fn for_call(&self) -> (Self, Arc<CallRecord>) {
        let core = self.with_runtime(self.runtime.clone());
        let record = Arc::clone(&core.record);
        (core, record)
    }

    /// The runtime: credentials, transport, limits and retry policy.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The same base URL with another runtime.
    pub fn with_runtime(&self, runtime: Runtime) -> Self {
        Self {
            runtime,
            unusable_base: self.unusable_base.clone(),
            record: Arc::default(),
        }
    }

    /// The `pre` hook: an unusable base URL fails the call, then [`Runtime::pre`] with this
    /// call's record.
    pub async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
        user_agent: &'static str,
        require_one_of: &[(&str, &[&str])],
        secrets: &[(&str, &[&str])],
    ) -> Result<(), progenitor_client::Error<E>> {
        if let Some(why) = &self.unusable_base {
            return Err(progenitor_client::Error::InvalidRequest(why.clone()));
        }
        self.runtime
            .pre(
                request,
                operation_id,
                user_agent,
                require_one_of,
                secrets,
                &self.record,
            )
            .await
    }

    /// The `exec` hook: [`Runtime::exec`], writing to this call's record.
    pub async fn exec(
        &self,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        self.runtime.exec(request, operation_id, &self.record).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_base_urls_are_reported_by_every_call() {
        for (base, says) in [
            ("not a url", "not a valid URL"),
            ("ftp://example.com", "must be an https:// URL"),
            ("https://user:pw@example.com", "user-info"),
            ("https://example.com/?a=1", "query or fragment"),
        ] {
            let core = ClientCore::new(base, Runtime::unauthenticated().unwrap());
            let mut request = reqwest::Request::new(
                reqwest::Method::GET,
                url::Url::parse("https://example.com/v1").unwrap(),
            );
            let e = futures::executor::block_on(core.pre::<()>(&mut request, "op", "ua", &[], &[]))
                .unwrap_err();
            assert!(e.to_string().contains(says), "{base}: {e}");
            assert!(!e.to_string().contains("pw"), "{e}");
        }
    }
}
