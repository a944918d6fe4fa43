//! Typed errors of generated-client calls: which operation failed, how, and, when the service
//! answered, its status, error code, message and request id.
//!
//! Each generated builder's `call()` returns the response body or an [`ApiError`]. It sends
//! through progenitor's `send()` (private to the generated crate), whose
//! `progenitor_client::Error<E>` does not name the operation and cannot express "HTTP 200 with
//! `success: false`" (OceanBase Cloud's way of failing); [`outcome`] and [`envelope_outcome`]
//! turn its result and the call's [`CallRecord`] into what the caller gets.

use std::fmt;

use progenitor_client::{Error as RawError, ResponseValue};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::{
    error::{ErrorKind, request_id_header, request_id_shown},
    runtime::CallRecord,
};

/// An error body a service sends: Huawei Cloud's `{error_code, error_msg}` or OceanBase
/// Cloud's envelope.
pub trait ServiceError: fmt::Debug + Send + Sync + 'static {
    /// The service's error code.
    fn code(&self) -> Option<&str>;
    /// The service's description of the error.
    fn message(&self) -> Option<&str>;
    /// A request id carried in the body (OceanBase Cloud); Huawei sends it as a header.
    fn request_id(&self) -> Option<&str> {
        None
    }
}

/// A response body that can report failure with a success status (OceanBase Cloud's envelope).
pub trait Reply {
    /// False when the body says the call failed although the HTTP status is 2xx.
    fn succeeded(&self) -> bool;
}

/// The failure of one call of a generated client.
///
/// `Display` names the operation once, in the vendor's spelling, then the HTTP status, the
/// service's code and message, and the request id when there is one:
/// `ShowVpcepConnection: HTTP 400: CSS.0001: bad cluster id (request id 8a0c…)`.
/// [`ApiError::kind`] says what happened without reading text; `source()` keeps the cause.
pub struct ApiError<E> {
    operation: &'static str,
    kind: ErrorKind,
    status: Option<StatusCode>,
    request_id: Option<String>,
    client_request_id: Option<String>,
    service: Option<Box<Answered<E>>>,
    detail: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// A successful call's body with what came with it: status, headers, and the request id the
/// call sent (OceanBase Cloud's `requestId`). Dereferences to the body.
pub struct Output<T> {
    /// The value progenitor's code read; its headers are lent out, not copied.
    value: ResponseValue<T>,
    client_request_id: Option<String>,
}

impl<T: fmt::Debug> fmt::Debug for Output<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("inner", &*self.value)
            .field("status", &self.value.status())
            .field(
                "headers",
                &crate::redact::HeadersForLog(self.value.headers()),
            )
            .field("client_request_id", &self.client_request_id)
            .finish()
    }
}

impl<T: Clone> Clone for Output<T> {
    fn clone(&self) -> Self {
        Self {
            value: ResponseValue::new(
                (*self.value).clone(),
                self.value.status(),
                self.value.headers().clone(),
            ),
            client_request_id: self.client_request_id.clone(),
        }
    }
}

impl<T> Output<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.value.status()
    }

    /// The response headers.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        self.value.headers()
    }

    /// The `X-Request-Id` the service answered with (Huawei Cloud).
    pub fn request_id(&self) -> Option<&str> {
        self.headers()
            .get(crate::error::X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
    }

    /// The request id this call sent (OceanBase Cloud's `requestId` query parameter, a fresh
    /// UUID unless the caller gave one), to match the call with the vendor's logs.
    pub fn client_request_id(&self) -> Option<&str> {
        self.client_request_id.as_deref()
    }
}

/// Serializes as the body alone.
impl<T: serde::Serialize> serde::Serialize for Output<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (*self.value).serialize(serializer)
    }
}

impl<T> std::ops::Deref for Output<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// What a call's caller gets from the result of progenitor's `send()` and the call's record:
/// the body with its status, headers and the request id sent, or an [`ApiError`] naming
/// `operation`.
pub fn outcome<T, E>(
    operation: &'static str,
    record: &CallRecord,
    result: Result<ResponseValue<T>, RawError<E>>,
) -> Result<Output<T>, ApiError<E>>
where
    E: ServiceError + DeserializeOwned,
{
    match result {
        Ok(value) => Ok(Output {
            value,
            client_request_id: record.client_request_id(),
        }),
        Err(e) => {
            let secrets = record.sent_secrets();
            let secrets: Vec<&str> = secrets.iter().map(crate::secret::Secret::expose).collect();
            Err(ApiError::from_raw_with(operation, e, &secrets)
                .with_client_request_id(record.client_request_id())
                .with_answer(record.answer())
                .scrubbed(&secrets))
        }
    }
}

/// Like [`outcome`], and a 2xx body that says it failed (`success: false`) is an error too.
pub fn envelope_outcome<T, E>(
    operation: &'static str,
    record: &CallRecord,
    result: Result<ResponseValue<T>, RawError<E>>,
) -> Result<Output<T>, ApiError<E>>
where
    E: ServiceError + DeserializeOwned,
    T: Reply + Into<E>,
{
    let output = outcome(operation, record, result)?;
    if output.succeeded() {
        return Ok(output);
    }
    let (value, client_request_id) = (output.value, output.client_request_id);
    let (status, request_id) = (value.status(), request_id_header(value.headers()));
    let secrets = record.sent_secrets();
    let secrets: Vec<&str> = secrets.iter().map(crate::secret::Secret::expose).collect();
    Err(
        ApiError::service(operation, status, request_id, value.into_inner().into())
            .with_client_request_id(client_request_id)
            .scrubbed(&secrets),
    )
}

impl<E: ServiceError> ApiError<E> {
    /// The service answered `status` with its error body `body`.
    fn service(
        operation: &'static str,
        status: StatusCode,
        request_id: Option<String>,
        body: E,
    ) -> Self {
        let mut out = Self::plain(operation, ErrorKind::Service, String::new());
        out.status = Some(status);
        out.request_id = request_id.or_else(|| body.request_id().map(str::to_owned));
        out.service = Some(Answered::new(body));
        out
    }

    /// This error with every secret in `secrets` replaced by `***` wherever its text quotes
    /// the server: the service's code and message, the request id, the detail.
    fn scrubbed(mut self, secrets: &[&str]) -> Self {
        // The request id is kept whole until here: scrubbed first, then cut (a cut made first
        // could leave the start of a secret behind).
        let scrubbed_id = |id: String| crate::redact::scrub(&id, secrets, usize::MAX);
        self.request_id = self
            .request_id
            .take()
            .map(|id| request_id_shown(&scrubbed_id(id)));
        if secrets.iter().all(|s| s.is_empty()) {
            return self;
        }
        if let Some(answered) = &mut self.service {
            answered.shown_message = shown_message(&answered.body, secrets);
            answered.shown_code = shown_code(&answered.body, secrets);
        }
        if crate::redact::quotes(&self.detail, secrets) {
            self.detail = crate::redact::scrub(&self.detail, secrets, usize::MAX);
        }
        self
    }

    pub(crate) fn plain(operation: &'static str, kind: ErrorKind, detail: String) -> Self {
        Self {
            operation,
            kind,
            status: None,
            request_id: None,
            client_request_id: None,
            service: None,
            detail,
            source: None,
        }
    }

    fn with_client_request_id(mut self, id: Option<String>) -> Self {
        self.client_request_id = id;
        self
    }

    /// Fills in the status and request id of the response the failure came after (its body
    /// failed to arrive or to parse), where the error itself does not carry them.
    fn with_answer(mut self, answer: Option<(StatusCode, Option<String>)>) -> Self {
        if let Some((status, request_id)) = answer {
            self.status.get_or_insert(status);
            self.request_id = self.request_id.take().or(request_id);
        }
        self
    }
}

impl<E: ServiceError + DeserializeOwned> ApiError<E> {
    /// Classifies a raw progenitor error of `operation` (what `send()` returned): by its
    /// variant, and for a transport-level error by the runtime's typed [`crate::Error`] in
    /// its source chain, never by its text.
    pub fn from_raw(operation: &'static str, error: RawError<E>) -> Self {
        // No secrets to scrub here, but the request id is shown as `call()` shows it.
        Self::from_raw_with(operation, error, &[]).scrubbed(&[])
    }

    /// [`ApiError::from_raw`], with `secrets` replaced by `***` in what it quotes of a body
    /// before that is cut (a cut first could leave part of one behind).
    fn from_raw_with(operation: &'static str, error: RawError<E>, secrets: &[&str]) -> Self {
        match error {
            RawError::ErrorResponse(value) => {
                let (status, request_id) = (value.status(), request_id_header(value.headers()));
                Self::service(operation, status, request_id, value.into_inner())
            }
            RawError::InvalidRequest(message) => {
                Self::plain(operation, ErrorKind::InvalidRequest, message)
            }
            RawError::Custom(message) => Self::plain(operation, ErrorKind::Transport, message),
            RawError::CommunicationError(e)
            | RawError::InvalidUpgrade(e)
            | RawError::ResponseBodyError(e) => Self::from_transport(operation, e),
            RawError::InvalidResponsePayload(bytes, e) => {
                // serde quotes the offending value whole, and a server chooses how long it is:
                // the reason is cut, and the cause kept is the cut reason, not serde's error.
                let cut = crate::redact::scrub(&e.to_string(), secrets, MAX_REASON_CHARS);
                let mut out = Self::plain(
                    operation,
                    ErrorKind::InvalidResponse,
                    format!(
                        "the response body is not the documented JSON ({cut}); it starts with {:?}",
                        preview(&bytes, secrets)
                    ),
                );
                out.source = Some(Box::new(NotTheDocumentedJson(cut)));
                out
            }
            RawError::UnexpectedResponse(response) => {
                let mut e = Self::plain(
                    operation,
                    ErrorKind::InvalidResponse,
                    "a status the API does not document".into(),
                );
                e.status = Some(response.status());
                e.request_id = request_id_header(response.headers());
                e
            }
        }
    }

    fn from_transport(operation: &'static str, error: reqwest::Error) -> Self {
        if let Some(runtime) = crate::seam::find(&error) {
            let service = runtime
                .body()
                .and_then(|body| serde_json::from_slice::<E>(body).ok());
            let request_id = runtime.request_id().map(str::to_owned).or_else(|| {
                service
                    .as_ref()
                    .and_then(|s| s.request_id().map(str::to_owned))
            });
            let mut out = Self::plain(operation, runtime.kind(), runtime.message().to_owned());
            out.status = runtime.status();
            out.request_id = request_id;
            out.service = service.map(Answered::new);
            out.source = Some(Box::new(runtime.clone()));
            return out;
        }
        let kind = crate::error::Error::kind_of(&error).unwrap_or(ErrorKind::Transport);
        let what = match kind {
            ErrorKind::TimedOut => {
                "timed out (the attempt's time limit; raise it with \
                 RuntimeBuilder::attempt_timeout)"
            }
            ErrorKind::Connect => "could not connect",
            ErrorKind::InvalidRequest => "the request was not sent (it cannot be sent as given)",
            _ => "the connection failed",
        };
        let mut out = Self::plain(
            operation,
            kind,
            format!("{what}: {}", crate::transport::root_cause(&error)),
        );
        out.status = error.status();
        out.source = Some(Box::new(error.without_url()));
        out
    }
}

impl<E> ApiError<E> {
    /// The operation, in the vendor's words (`ShowVpcepConnection`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status, when a server answered (including refusals of credentials).
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The request id the service gave (the `X-Request-Id` header, or the body's `requestId`).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The request id this call sent (OceanBase Cloud's `requestId`), whether or not the
    /// service answered.
    pub fn client_request_id(&self) -> Option<&str> {
        self.client_request_id.as_deref()
    }

    /// The service's error body, typed, when the service answered with one.
    pub fn service_error(&self) -> Option<&E> {
        self.service.as_deref().map(|a| &a.body)
    }

    /// Whether the same call may succeed later: a time limit, no connection, a connection
    /// lost, or the service answering 408, 429, 502, 503 or 504, whatever the body (a
    /// gateway's busy page is seldom the vendor's JSON). The runtime has already
    /// retried such a failure where that is safe; this is for a caller that waits longer,
    /// such as a [`crate::wait_for`] over a read (`.retry_errors(ApiError::is_transient)`).
    pub fn is_transient(&self) -> bool {
        match self.kind {
            ErrorKind::TimedOut | ErrorKind::Connect | ErrorKind::Transport => true,
            ErrorKind::Service | ErrorKind::InvalidResponse => {
                self.status.is_some_and(crate::retry::is_transient)
            }
            _ => false,
        }
    }
}

impl<E: ServiceError> ApiError<E> {
    /// The service's error code (`CSS.0001`, `APIGW.0301`, `E001R000`), with `***` where it
    /// quotes a secret the call sent.
    pub fn code(&self) -> Option<&str> {
        self.service.as_deref()?.shown_code.as_deref()
    }

    /// The service's error message, with `***` where it quotes a secret the call sent, cut to
    /// 1000 characters (the body as sent: [`ApiError::service_error`]).
    pub fn message(&self) -> Option<&str> {
        self.service.as_deref()?.shown_message.as_deref()
    }
}

/// The service's error body, and its message as error text shows it: scrubbed of the
/// credentials the call sent, and cut to [`MAX_MESSAGE_CHARS`]. Boxed: most errors have none.
struct Answered<E> {
    body: E,
    shown_code: Option<String>,
    shown_message: Option<String>,
}

impl<E: ServiceError> Answered<E> {
    fn new(body: E) -> Box<Self> {
        let shown_message = shown_message(&body, &[]);
        let shown_code = shown_code(&body, &[]);
        Box::new(Self {
            body,
            shown_code,
            shown_message,
        })
    }
}

/// The most characters of a service's message an error text shows.
const MAX_MESSAGE_CHARS: usize = 1000;

/// `body`'s message as error text shows it: `secrets` replaced by `***`, cut to
/// [`MAX_MESSAGE_CHARS`].
fn shown_message<E: ServiceError>(body: &E, secrets: &[&str]) -> Option<String> {
    body.message()
        .map(|m| crate::redact::scrub(m, secrets, MAX_MESSAGE_CHARS))
}

/// `body`'s code as error text shows it: the server's text like its message, so scrubbed and
/// cut the same way (control characters dropped, whether or not the call sent a secret).
fn shown_code<E: ServiceError>(body: &E, secrets: &[&str]) -> Option<String> {
    body.code()
        .map(|code| crate::redact::scrub(code, secrets, MAX_MESSAGE_CHARS))
}

/// Why a body is not the documented JSON: the parser's reason, cut to [`MAX_REASON_CHARS`].
#[derive(Debug)]
struct NotTheDocumentedJson(String);

impl fmt::Display for NotTheDocumentedJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotTheDocumentedJson {}

/// The most characters of a parser's reason an error text quotes.
const MAX_REASON_CHARS: usize = 200;

/// The start of a body, as text, for an error message: `secrets` replaced by `***`, then cut
/// to 64 characters. Enough is read past them for a secret that starts inside them, JSON
/// escapes included (at most six bytes a character).
fn preview(bytes: &[u8], secrets: &[&str]) -> String {
    const SHOWN: usize = 64;
    let longest = secrets.iter().map(|s| s.len()).max().unwrap_or(0);
    let head = &bytes[..bytes.len().min(4 * SHOWN + 6 * longest)];
    let mut text = crate::redact::scrub(&String::from_utf8_lossy(head), secrets, SHOWN);
    if bytes.len() > head.len() && !text.ends_with('…') {
        text.push('…');
    }
    text
}

impl<E: ServiceError> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.operation)?;
        if let Some(status) = self.status {
            write!(f, ": HTTP {}", status.as_u16())?;
        }
        if let Some(body) = &self.service {
            write!(
                f,
                ": {}: {}",
                body.shown_code.as_deref().unwrap_or("(no error code)"),
                body.shown_message.as_deref().unwrap_or("(no message)")
            )?;
            if !self.detail.is_empty() {
                write!(f, "; {}", self.detail)?;
            }
        } else {
            write!(f, ": {}", self.detail)?;
        }
        match (&self.request_id, &self.client_request_id) {
            (Some(id), _) => write!(f, " (request id {id})"),
            (None, Some(id)) => write!(f, " (client request id {id})"),
            (None, None) => Ok(()),
        }
    }
}

/// The service's body shows as its code and message as error text shows them: the body's own
/// `Debug` would print the message whole, a credential the server echoed included.
impl<E: ServiceError> fmt::Debug for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("operation", &self.operation)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("client_request_id", &self.client_request_id)
            .field("code", &self.code())
            .field("message", &self.message())
            .field("detail", &self.detail)
            .finish()
    }
}

impl<E: ServiceError> std::error::Error for ApiError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service's error body, as a vendor module would define it.
    #[derive(Debug, serde::Deserialize)]
    struct Body {
        code: String,
        message: String,
    }

    impl ServiceError for Body {
        fn code(&self) -> Option<&str> {
            Some(&self.code)
        }
        fn message(&self) -> Option<&str> {
            Some(&self.message)
        }
    }

    fn body(code: &str, message: &str) -> Body {
        Body {
            code: code.into(),
            message: message.into(),
        }
    }

    #[test]
    fn service_errors_display_operation_status_code_message_and_request_id() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-request-id", "8a0c".parse().unwrap());
        let raw = RawError::ErrorResponse(ResponseValue::new(
            body("CSS.0001", "bad cluster id"),
            StatusCode::BAD_REQUEST,
            headers,
        ));
        let e = ApiError::from_raw("ShowVpcepConnection", raw);
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.code(), Some("CSS.0001"));
        assert_eq!(e.request_id(), Some("8a0c"));
        assert_eq!(
            e.to_string(),
            "ShowVpcepConnection: HTTP 400: CSS.0001: bad cluster id (request id 8a0c)"
        );
        assert!(!e.is_transient(), "a 400 will not pass by waiting");
        let busy = RawError::ErrorResponse(ResponseValue::new(
            body("CSS.0009", "busy"),
            StatusCode::SERVICE_UNAVAILABLE,
            reqwest::header::HeaderMap::new(),
        ));
        assert!(ApiError::from_raw("ShowVpcepConnection", busy).is_transient());
    }

    /// `from_raw`, the public way to type a raw error, shows a server's request id as `call()`
    /// does: without control characters (an escape sequence in an envelope's `requestId`
    /// would reach a terminal) and cut to 128 characters.
    #[test]
    fn from_raw_shows_the_request_id_without_control_characters_and_cut() {
        #[derive(Debug, serde::Deserialize)]
        struct WithId(String);
        impl ServiceError for WithId {
            fn code(&self) -> Option<&str> {
                Some("E1")
            }
            fn message(&self) -> Option<&str> {
                Some("no")
            }
            fn request_id(&self) -> Option<&str> {
                Some(&self.0)
            }
        }
        let id = format!("\u{1b}]0;PWNED\u{7}\u{1b}[2J{}", "x".repeat(500));
        let raw = RawError::ErrorResponse(ResponseValue::new(
            WithId(id),
            StatusCode::BAD_REQUEST,
            reqwest::header::HeaderMap::new(),
        ));
        let e = ApiError::from_raw("Op", raw);
        let shown = e.request_id().unwrap();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.chars().count() <= 128, "{shown:?}");
        assert!(!e.to_string().chars().any(char::is_control), "{e}");
    }

    /// A request reqwest could not build never left: `InvalidRequest`, not `Transport`.
    #[test]
    fn a_request_reqwest_could_not_build_is_an_invalid_request() {
        let built = reqwest::Client::new()
            .get("https://css.example.com/v1.0/p/clusters")
            .header("x-project-id", "a\nb")
            .build()
            .unwrap_err();
        assert!(built.is_builder());
        let e =
            ApiError::<Body>::from_raw("ShowVpcepConnection", RawError::CommunicationError(built));
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
        assert!(e.to_string().contains("not sent"), "{e}");
        assert!(!e.is_transient());
    }

    /// A request id from the body (OceanBase's envelope, the CLI's reading of any vendor's)
    /// is the server's text: no escape sequence reaches a terminal, and a secret quoted in it
    /// JSON-escaped is scrubbed as one quoted as is.
    #[test]
    fn a_request_id_in_the_body_loses_control_characters_and_quoted_secrets() {
        #[derive(Debug)]
        struct WithId(String);
        impl ServiceError for WithId {
            fn code(&self) -> Option<&str> {
                Some("E1")
            }
            fn message(&self) -> Option<&str> {
                Some("no")
            }
            fn request_id(&self) -> Option<&str> {
                Some(&self.0)
            }
        }
        let secret = r#"ab"cd-DB-SECRET"#;
        // A service error whose body carries `id`, as the call that sent `secret` sees it.
        let answered = |id: String| {
            ApiError::service("Op", StatusCode::BAD_REQUEST, None, WithId(id)).scrubbed(&[secret])
        };
        let e = answered(format!(
            "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{9b}31m {{\"password\":{}}} {}",
            serde_json::Value::from(secret),
            "x".repeat(500)
        ));
        let shown = e.request_id().unwrap();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(
            shown.starts_with("]0;PWNED[2J31m {\"password\":\"***\"}"),
            "{shown:?}"
        );
        assert!(shown.chars().count() <= 128, "{shown:?}");
        assert!(!format!("{e} {e:?}").contains("DB-SECRET"), "{e}");

        // A secret across the point where the id is cut: scrubbed before the cut, so no part
        // of it is left.
        let e = answered(format!("{}{secret}", "r".repeat(120)));
        assert_eq!(
            e.request_id(),
            Some(format!("{}***", "r".repeat(120)).as_str())
        );
    }

    #[test]
    fn other_failures_keep_their_detail() {
        let e = ApiError::<Body>::from_raw(
            "CreateInstanceConnection",
            RawError::InvalidRequest("project_id was not initialized".into()),
        );
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert_eq!(
            e.to_string(),
            "CreateInstanceConnection: project_id was not initialized"
        );
        let bad = serde_json::from_slice::<serde_json::Value>(b"<html>").unwrap_err();
        let e = ApiError::<Body>::from_raw(
            "X",
            RawError::InvalidResponsePayload(bytes::Bytes::from_static(b"<html>"), bad),
        );
        assert_eq!(e.kind(), ErrorKind::InvalidResponse);
        assert!(e.to_string().contains("\"<html>\""), "{e}");
    }

    #[test]
    fn a_mistyped_value_of_any_length_is_quoted_short() {
        let body = format!("{{\"n\": \"{}\"}}", "v".repeat(100_000));
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // Read only by serde.
        struct Typed {
            n: i64,
        }
        let bad = serde_json::from_str::<Typed>(&body).unwrap_err();
        let e = ApiError::<Body>::from_raw(
            "X",
            RawError::InvalidResponsePayload(bytes::Bytes::from(body), bad),
        );
        assert_eq!(e.kind(), ErrorKind::InvalidResponse);
        let (shown, debug) = (e.to_string(), format!("{e:?}"));
        assert!(shown.contains("invalid type: string"), "{shown}");
        assert!(
            shown.len() < 500 && debug.len() < 1000,
            "{} / {} bytes",
            shown.len(),
            debug.len()
        );
        let cause = std::error::Error::source(&e).map(ToString::to_string);
        assert!(cause.is_some_and(|c| c.len() < 500));
    }
}
