//! Errors of this crate: what went wrong, of which kind, and what the user should change.
//!
//! [`Error`] is the runtime's own failure of a call (credentials refused, a time limit, a
//! refused redirect, a body over the size limit...); it reaches the caller inside an
//! [`crate::ApiError`], across progenitor's hooks by the one way `seam` describes.

use std::fmt;

use bytes::Bytes;
use reqwest::StatusCode;

/// A client could not be built: a missing environment variable, a malformed base URL, a
/// plain-http URL where credentials would be sent in the clear. [`ConfigError::kind`] says
/// which without reading the text.
#[derive(Debug)]
pub struct ConfigError {
    message: String,
    kind: ConfigErrorKind,
}

/// What kind of problem a [`ConfigError`] is; `#[non_exhaustive]` so that kinds can be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// Something required is not set: an environment variable (unset, empty, or not UTF-8),
    /// credentials, a project scope, an endpoint.
    Missing,
    /// Credentials would go over plain `http://` to a host other than this machine.
    InsecureUrl,
    /// A value is malformed or out of range: a URL, a header, a region, a name, a duration.
    Invalid,
}

impl ConfigError {
    fn of(kind: ConfigErrorKind, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind,
        }
    }

    /// A malformed or out-of-range value.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self::of(ConfigErrorKind::Invalid, message)
    }

    /// Something required is not set.
    pub(crate) fn missing(message: impl Into<String>) -> Self {
        Self::of(ConfigErrorKind::Missing, message)
    }

    /// A plain-http URL where credentials would go.
    pub(crate) fn insecure(message: impl Into<String>) -> Self {
        Self::of(ConfigErrorKind::InsecureUrl, message)
    }

    /// A required environment variable is not set (or not valid UTF-8).
    #[allow(dead_code)] // used by the env constructors
    pub(crate) fn missing_env(var: &str, what: &str) -> Self {
        Self::missing(format!(
            "environment variable {var} is not set: set it to your {what}"
        ))
    }

    /// This error with `what` (the setting it is about) in front of its text; same kind.
    #[allow(dead_code)] // used by the env constructors
    pub(crate) fn about(self, what: &str) -> Self {
        Self {
            message: format!("{what}: {}", self.message),
            ..self
        }
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// What kind of failure a call had; `#[non_exhaustive]` so that new kinds can be added.
///
/// Every failure of a generated client's `call()` has exactly one kind, read with
/// [`crate::ApiError::kind`]; match on it instead of on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service answered with an error: a non-2xx status, or a 2xx envelope with
    /// `success: false`.
    Service,
    /// The server refused the credentials (a `401` to a signed request, after the one retry
    /// the scheme allows: a new Digest nonce, a refreshed IAM token).
    CredentialsRejected,
    /// Credentials could not be obtained (the IAM token endpoint failed or refused).
    CredentialsUnavailable,
    /// The server's authentication challenge could not be understood or is not supported.
    BadChallenge,
    /// The identity service refused the login (IAM answered 401/403 to the password): the
    /// password is not sent again for a back-off period, to spare the account a lockout.
    LoginRefused,
    /// The call, one attempt of it, or the reading of the response did not finish in time.
    TimedOut,
    /// No connection could be made: nothing reached the server.
    Connect,
    /// The connection failed after the request may have reached the server.
    Transport,
    /// The server answered with a redirect; credentials and bodies never follow one.
    RedirectRefused,
    /// The response body is larger than the client's limit, or a listing went on past
    /// [`MAX_PAGES`](crate::MAX_PAGES) full pages (what was read is not the whole list).
    ResponseTooLarge,
    /// The runtime refused to send credentials to a plain `http://` URL.
    InsecureUrl,
    /// The request was not sent, nor retried: a value is missing or breaks a documented rule,
    /// or the request cannot be sent at all (a path or query value too long for a URL).
    InvalidRequest,
    /// The service answered, but not in the documented form (wrong shape, not JSON, or a
    /// status the API does not document).
    InvalidResponse,
}

/// A runtime failure of one call: its kind, a message that says what to change, and what the
/// server answered when it answered (status, request id, body).
///
/// The message and body never hold a secret: authenticators build messages from names, and
/// a server's body is kept only as the bytes it sent (for the typed vendor error).
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    status: Option<StatusCode>,
    request_id: Option<String>,
    body: Option<Bytes>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            status: None,
            request_id: None,
            body: None,
        }
    }

    /// Records what the server answered: its status, `X-Request-Id` and body.
    pub(crate) fn with_answer(
        mut self,
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
        body: Option<Bytes>,
    ) -> Self {
        self.status = Some(status);
        self.request_id = request_id_header(headers);
        self.body = body;
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status, when a server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The `X-Request-Id` of the answer, when a server answered with one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The body the server answered with, when it was read (a refusal of credentials).
    pub(crate) fn body(&self) -> Option<&Bytes> {
        self.body.as_ref()
    }

    /// The message without the operation: what happened and what to change.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The kind of a reqwest failure in a chain that carries no runtime [`Error`] (the caller
    /// looks for that first, through `seam`): reqwest's timeout, connect and builder flags (a
    /// request reqwest could not build or send, such as a URL that is not a valid URI, is
    /// [`ErrorKind::InvalidRequest`]: it never left); `None` when none says.
    pub(crate) fn kind_of(error: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
        chain(error)
            .filter_map(|e| e.downcast_ref::<reqwest::Error>())
            .find_map(|r| {
                if r.is_timeout() {
                    Some(ErrorKind::TimedOut)
                } else if r.is_connect() {
                    Some(ErrorKind::Connect)
                } else {
                    r.is_builder().then_some(ErrorKind::InvalidRequest)
                }
            })
    }
}

/// `error` and its sources, outermost first.
pub(crate) fn chain<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |e| e.source())
}

/// The first error of type `T` in `error`'s source chain, `error` itself included.
pub(crate) fn in_chain<'a, T: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    chain(error).find_map(|e| e.downcast_ref::<T>())
}

/// The `X-Request-Id` response header's name, made once: looking a header up by a `&str`
/// parses the name again on every call.
pub(crate) const X_REQUEST_ID: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("x-request-id");

/// The `X-Request-Id` response header, as the vendors send it: whole (the HTTP client bounds
/// a header's size), so that a secret it quotes can be scrubbed before it is cut
/// ([`request_id_shown`]).
pub(crate) fn request_id_header(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A request id from a server (a header, or a field of its body) as errors show it, once the
/// secrets it may quote are scrubbed: control characters dropped (a terminal would run an
/// escape sequence a hostile server put there) and cut to 128 characters (ids are far
/// shorter).
pub(crate) fn request_id_shown(id: &str) -> String {
    id.chars().filter(|c| !c.is_control()).take(128).collect()
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body is the server's; it is not printed (a hostile server may echo secrets).
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("status", &self.status)
            .field(
                "request_id",
                &self.request_id.as_deref().map(request_id_shown),
            )
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
