//! Typed errors of generated-client calls: which operation failed, how, and, when the service
//! answered, its status, error code, message and request id.
//!
//! progenitor's `send()` returns `progenitor_client::Error<E>`, whose display does not name the
//! operation, and which cannot express "HTTP 200 with `success: false`" (OceanBase Cloud's way of
//! failing). Each generated builder therefore also has `call()`, which returns the response
//! body or an [`ApiError`].

use std::fmt;

use progenitor_client::{Error as RawError, ResponseValue};
use reqwest::StatusCode;

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

/// What kind of failure an [`ApiError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// The service answered with an error: a non-2xx status, or `success: false`.
    Service,
    /// The request was not sent: a required value is missing or a documented rule is broken.
    InvalidRequest,
    /// Credentials were refused or could not be obtained, or the call timed out, or the runtime
    /// refused to send (see the message).
    Runtime,
    /// The connection failed, or the response body could not be read.
    Transport,
    /// The service answered, but not in the documented form (wrong shape, not JSON, or a
    /// status the API does not document).
    InvalidResponse,
}

/// The failure of one call of a generated client.
///
/// `Display` names the operation, the HTTP status, the service's code and message, and the
/// request id when there is one: `ShowVpcepConnection: HTTP 400: CSS.0001: bad cluster id
/// (request id 8a0c…)`.
pub struct ApiError<E> {
    operation: &'static str,
    kind: ApiErrorKind,
    status: Option<StatusCode>,
    request_id: Option<String>,
    service: Option<E>,
    detail: String,
}

impl<E: ServiceError> ApiError<E> {
    /// The outcome of `send()` as the body or an [`ApiError`].
    pub fn from_result<T>(
        operation: &'static str,
        result: Result<ResponseValue<T>, RawError<E>>,
    ) -> Result<T, Self> {
        result
            .map(ResponseValue::into_inner)
            .map_err(|e| Self::from_raw(operation, e))
    }

    /// Like [`ApiError::from_result`], and a 2xx body that says it failed is an error too.
    pub fn from_reply<T>(
        operation: &'static str,
        result: Result<ResponseValue<T>, RawError<E>>,
    ) -> Result<T, Self>
    where
        T: Reply + Into<E>,
    {
        let value = result.map_err(|e| Self::from_raw(operation, e))?;
        if value.succeeded() {
            return Ok(value.into_inner());
        }
        let status = value.status();
        let request_id = header_request_id(value.headers());
        let body: E = value.into_inner().into();
        Err(Self::service(operation, status, request_id, body))
    }

    fn service(
        operation: &'static str,
        status: StatusCode,
        header_id: Option<String>,
        body: E,
    ) -> Self {
        let request_id = header_id.or_else(|| body.request_id().map(str::to_owned));
        Self {
            operation,
            kind: ApiErrorKind::Service,
            status: Some(status),
            request_id,
            service: Some(body),
            detail: String::new(),
        }
    }

    /// Classifies a raw progenitor error of `operation`.
    pub fn from_raw(operation: &'static str, error: RawError<E>) -> Self {
        let plain = |kind, status, detail: String| Self {
            operation,
            kind,
            status,
            request_id: None,
            service: None,
            detail,
        };
        match error {
            RawError::ErrorResponse(value) => {
                let status = value.status();
                let id = header_request_id(value.headers());
                Self::service(operation, status, id, value.into_inner())
            }
            RawError::InvalidRequest(message) => plain(ApiErrorKind::InvalidRequest, None, message),
            RawError::Custom(message) => plain(ApiErrorKind::Runtime, None, message),
            RawError::CommunicationError(e)
            | RawError::InvalidUpgrade(e)
            | RawError::ResponseBodyError(e) => {
                plain(ApiErrorKind::Transport, e.status(), e.to_string())
            }
            RawError::InvalidResponsePayload(bytes, e) => plain(
                ApiErrorKind::InvalidResponse,
                None,
                format!(
                    "the response body is not the documented JSON ({e}); it starts with {:?}",
                    preview(&bytes)
                ),
            ),
            RawError::UnexpectedResponse(response) => {
                let status = response.status();
                let mut e = plain(
                    ApiErrorKind::InvalidResponse,
                    Some(status),
                    "a status the API does not document".into(),
                );
                e.request_id = header_request_id(response.headers());
                e
            }
        }
    }
}

impl<E> ApiError<E> {
    /// The operation, in the vendor's words (`ShowVpcepConnection`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The request id (the `X-Request-Id` header, or the body's `requestId`).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The service's error body, typed, when the service answered with one.
    pub fn service_error(&self) -> Option<&E> {
        self.service.as_ref()
    }
}

impl<E: ServiceError> ApiError<E> {
    /// The service's error code (`CSS.0001`, `E001R000`).
    pub fn code(&self) -> Option<&str> {
        self.service.as_ref().and_then(ServiceError::code)
    }

    /// The service's error message.
    pub fn message(&self) -> Option<&str> {
        self.service.as_ref().and_then(ServiceError::message)
    }
}

fn header_request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The first bytes of a body, as text, for an error message.
fn preview(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(64)];
    let mut text = String::from_utf8_lossy(head).into_owned();
    if bytes.len() > head.len() {
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
        match (self.kind, &self.service) {
            (ApiErrorKind::Service, Some(body)) => {
                write!(
                    f,
                    ": {}: {}",
                    body.code().unwrap_or("(no error code)"),
                    body.message().unwrap_or("(no message)")
                )?;
            }
            _ => write!(f, ": {}", self.detail)?,
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl<E: fmt::Debug> fmt::Debug for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("operation", &self.operation)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("service", &self.service)
            .field("detail", &self.detail)
            .finish()
    }
}

impl<E: ServiceError> std::error::Error for ApiError<E> {}

impl ServiceError for crate::vendor::HuaweiError {
    fn code(&self) -> Option<&str> {
        self.error_code.as_deref()
    }

    fn message(&self) -> Option<&str> {
        self.error_msg.as_deref()
    }
}

/// Checks the `x-require-one-of` rules of a spec against a JSON request body before it is
/// sent: for `operation_id`, at least one field of each group must be present and not null.
/// Returns the message for `Error::InvalidRequest`, naming the fields.
pub fn check_require_one_of(
    request: &reqwest::Request,
    operation_id: &str,
    rules: &[(&str, &[&str])],
) -> Result<(), String> {
    let groups = rules
        .iter()
        .filter(|(op, _)| *op == operation_id)
        .map(|(_, fields)| *fields);
    let mut body: Option<serde_json::Value> = None;
    for fields in groups {
        let value = body.get_or_insert_with(|| {
            request
                .body()
                .and_then(|b| b.as_bytes())
                .and_then(|bytes| serde_json::from_slice(bytes).ok())
                .unwrap_or(serde_json::Value::Null)
        });
        let present = fields
            .iter()
            .any(|f| value.get(f).is_some_and(|v| !v.is_null()));
        if !present {
            return Err(format!(
                "{operation_id}: the request body needs {}; none was given, so nothing was sent",
                match fields {
                    [one] => format!("`{one}`"),
                    many => format!(
                        "one of {}",
                        many.iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                }
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendor::HuaweiError;

    fn huawei(code: &str, msg: &str) -> HuaweiError {
        HuaweiError {
            error_code: Some(code.into()),
            error_msg: Some(msg.into()),
        }
    }

    #[test]
    fn service_errors_display_operation_status_code_message_and_request_id() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-request-id", "8a0c".parse().unwrap());
        let raw = RawError::ErrorResponse(ResponseValue::new(
            huawei("CSS.0001", "bad cluster id"),
            StatusCode::BAD_REQUEST,
            headers,
        ));
        let e = ApiError::from_raw("ShowVpcepConnection", raw);
        assert_eq!(e.kind(), ApiErrorKind::Service);
        assert_eq!(e.code(), Some("CSS.0001"));
        assert_eq!(e.request_id(), Some("8a0c"));
        assert_eq!(
            e.to_string(),
            "ShowVpcepConnection: HTTP 400: CSS.0001: bad cluster id (request id 8a0c)"
        );
    }

    #[test]
    fn other_failures_keep_their_detail() {
        let e = ApiError::<HuaweiError>::from_raw(
            "CreateInstanceConnection",
            RawError::InvalidRequest("project_id was not initialized".into()),
        );
        assert_eq!(e.kind(), ApiErrorKind::InvalidRequest);
        assert_eq!(
            e.to_string(),
            "CreateInstanceConnection: project_id was not initialized"
        );
        let bad = serde_json::from_slice::<serde_json::Value>(b"<html>").unwrap_err();
        let e = ApiError::<HuaweiError>::from_raw(
            "X",
            RawError::InvalidResponsePayload(bytes::Bytes::from_static(b"<html>"), bad),
        );
        assert_eq!(e.kind(), ApiErrorKind::InvalidResponse);
        assert!(e.to_string().contains("\"<html>\""), "{e}");
    }

    #[test]
    fn require_one_of() {
        let client = reqwest::Client::new();
        let req = |body: &str| {
            client
                .post("https://x.invalid/")
                .body(body.to_owned())
                .build()
                .unwrap()
        };
        let rules: &[(&str, &[&str])] = &[("op", &["a", "b"])];
        assert!(check_require_one_of(&req(r#"{"a":"x"}"#), "op", rules).is_ok());
        assert!(check_require_one_of(&req(r#"{"b":"x"}"#), "op", rules).is_ok());
        assert!(check_require_one_of(&req(r#"{"c":"x"}"#), "other", rules).is_ok());
        let e = check_require_one_of(&req(r#"{"a":null}"#), "op", rules).unwrap_err();
        assert_eq!(
            e,
            "op: the request body needs one of `a` or `b`; none was given, so nothing was sent"
        );
    }
}
