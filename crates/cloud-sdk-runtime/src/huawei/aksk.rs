//! AK/SK authentication: signs each request with `SDK-HMAC-SHA256` right before it is sent.
//!
//! The generated clients call [`Authenticator::send`] with the final request (every header
//! set), so the signature covers exactly what goes on the wire. Like the official SDK, the
//! signer rewrites the query string into its canonical form, so that the server decodes the
//! very pairs that were signed.

use std::{borrow::Cow, fmt, sync::Arc};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderMap, HeaderName, HeaderValue};

use super::{
    clock::format_sdk_date,
    sign::{self, Payload, SignableRequest},
};
use crate::clock::{Clock, SystemClock};
use crate::{
    AuthRejected, Authenticator, BoxFuture, ConfigError, Error, ErrorKind, Secret,
    redact::{KeyId, UrlForLog},
};

const X_SDK_DATE: HeaderName = HeaderName::from_static("x-sdk-date");
const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");
const X_SDK_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-sdk-content-sha256");

/// An access key pair, with the project id and the security token of temporary credentials
/// when there are any. `Debug` shows the AK's first four characters (the key-id policy of
/// `redact.rs`: an identifier, shown only as much as tells keys apart) and the project id.
#[derive(Clone)]
pub struct AkSkCredentials {
    ak: String,
    sk: Secret,
    /// The project id, and as the header value it is sent as (made once, not per request).
    project_id: Option<(String, HeaderValue)>,
    security_token: Option<Secret>,
}

impl AkSkCredentials {
    /// An access key id (AK) and secret access key (SK).
    pub fn new(ak: impl Into<String>, sk: impl Into<Secret>) -> Result<Self, ConfigError> {
        let ak = ak.into();
        let sk = sk.into();
        if ak.trim().is_empty() {
            return Err(ConfigError::missing(
                "the Huawei Cloud access key id (AK) is empty: set HUAWEICLOUD_SDK_AK or pass a non-empty AK",
            ));
        }
        // The AK is copied into the Authorization header.
        if !ak.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
            return Err(ConfigError::new(
                "the Huawei Cloud access key id (AK) has spaces, commas or non-ASCII characters: check HUAWEICLOUD_SDK_AK",
            ));
        }
        if sk.expose().is_empty() {
            return Err(ConfigError::missing(
                "the Huawei Cloud secret access key (SK) is empty: set HUAWEICLOUD_SDK_SK or pass a non-empty SK",
            ));
        }
        Ok(Self {
            ak,
            sk,
            project_id: None,
            security_token: None,
        })
    }

    /// Sends `X-Project-Id: project_id` with every request, signed, as the SDK's
    /// `BasicCredentials` does.
    pub fn with_project_id(mut self, project_id: impl Into<String>) -> Result<Self, ConfigError> {
        let project_id = project_id.into();
        let value = HeaderValue::from_str(&project_id).map_err(|_| {
            ConfigError::new(
                "the Huawei Cloud project id is not a valid header value: check HUAWEICLOUD_SDK_PROJECT_ID",
            )
        })?;
        self.project_id = Some((project_id, value));
        Ok(self)
    }

    /// Sends `X-Security-Token` with every request, signed: required with temporary
    /// credentials (an AK/SK obtained from STS or a metadata service).
    pub fn with_security_token(mut self, token: impl Into<Secret>) -> Result<Self, ConfigError> {
        let token = token.into();
        HeaderValue::from_str(token.expose()).map_err(|_| {
            ConfigError::new(
                "the Huawei Cloud security token is not a valid header value: check HUAWEICLOUD_SDK_SECURITY_TOKEN",
            )
        })?;
        self.security_token = Some(token);
        Ok(self)
    }

    /// The access key id.
    pub fn ak(&self) -> &str {
        &self.ak
    }

    /// The project id sent as `X-Project-Id`, if any.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_ref().map(|(id, _)| id.as_str())
    }
}

impl fmt::Debug for AkSkCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AkSkCredentials")
            .field("ak", &KeyId(&self.ak))
            .field("sk", &self.sk)
            .field("project_id", &self.project_id())
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .finish()
    }
}

/// The AK/SK [`Authenticator`]: signs each request with `SDK-HMAC-SHA256` and sends it.
#[derive(Debug, Clone)]
pub struct AkSkAuth {
    credentials: AkSkCredentials,
    clock: Arc<dyn Clock>,
}

impl AkSkAuth {
    /// Signs with `credentials`, dating requests by the system clock.
    pub fn new(credentials: AkSkCredentials) -> Self {
        Self {
            credentials,
            clock: Arc::new(SystemClock),
        }
    }

    /// Dates requests by `clock` instead (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The credentials.
    pub fn credentials(&self) -> &AkSkCredentials {
        &self.credentials
    }

    /// Signs `request` in place for the current time: sets `X-Sdk-Date`, `X-Project-Id` and
    /// `X-Security-Token` (when configured), `X-Sdk-Content-Sha256` when the body is not
    /// hashed, rewrites the query string canonically and sets `Authorization` (marked
    /// sensitive). Call it last: a header changed afterwards breaks the signature.
    pub fn sign_request(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        sign_request_at(
            &self.credentials,
            request,
            &format_sdk_date(self.clock.now()),
        )
    }
}

/// Signs `request` in place with `credentials` at `date` (an `X-Sdk-Date` value); see
/// [`AkSkAuth::sign_request`].
pub fn sign_request_at(
    credentials: &AkSkCredentials,
    request: &mut reqwest::Request,
    date: &str,
) -> Result<(), Error> {
    let invalid = |what: &str| {
        Error::new(
            ErrorKind::InvalidRequest,
            format!("cannot sign the request: {what} is not a valid header value"),
        )
    };
    let headers = request.headers_mut();
    // Room for the date, project id and Authorization at once, rather than a growth each.
    headers.reserve(3);
    headers.insert(
        X_SDK_DATE,
        HeaderValue::from_str(date).map_err(|_| invalid("the X-Sdk-Date value"))?,
    );
    if let Some((_, value)) = &credentials.project_id {
        headers.insert(X_PROJECT_ID, value.clone());
    }
    if let Some(token) = &credentials.security_token {
        let mut value =
            HeaderValue::from_str(token.expose()).map_err(|_| invalid("the security token"))?;
        value.set_sensitive(true);
        headers.insert(X_SECURITY_TOKEN, value);
    }
    headers.remove(AUTHORIZATION);

    // The official signer hashes JSON (and BSON) bodies only; other content types are sent
    // with an unsigned payload, announced by a signed header.
    let unhashed_type = headers.get(CONTENT_TYPE).is_some_and(|ct| {
        let ct = ct.as_bytes();
        !ct.starts_with(b"application/json") && !ct.starts_with(b"application/bson")
    });
    let streamed = request.body().is_some_and(|b| b.as_bytes().is_none());
    if unhashed_type || streamed {
        request.headers_mut().insert(
            X_SDK_CONTENT_SHA256,
            HeaderValue::from_static(sign::UNSIGNED_PAYLOAD),
        );
    }

    // Send the query in the canonical form that is signed (as the SDK does): the server then
    // decodes exactly the signed pairs, whatever encoding the client used (`+` or `%20`).
    let url = request.url_mut();
    // Most calls have no query string at all: nothing to decode, sort or rewrite then.
    let pairs: Vec<(String, String)> = match url.query() {
        None => Vec::new(),
        Some(_) => {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let canonical_query =
                sign::canonical_query_string(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            url.set_query(Some(canonical_query.as_str()).filter(|q| !q.is_empty()));
            pairs
        }
    };

    // hyper writes `Host` from the URL (the port only when it is not the scheme's default,
    // which `Url::port` already leaves out), unless the request carries one.
    let host: Option<Cow<'_, str>> = match request.headers().get(HOST) {
        Some(_) => None,
        None => Some(host_of(request.url()).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidRequest,
                "cannot sign a request whose URL has no host",
            )
        })?),
    };

    let payload = match request.body() {
        None => Payload::Bytes(b""),
        Some(body) => body.as_bytes().map_or(Payload::Unknown, Payload::Bytes),
    };
    let authorization = {
        let mut signable =
            SignableRequest::new(request.method().as_str(), request.url().path(), payload);
        for (k, v) in &pairs {
            signable = signable.query_param(k.as_str(), v.as_str());
        }
        signable = add_headers(signable, request.headers());
        if let Some(host) = host {
            signable = signable.header("host", host);
        }
        sign::authorization_value(&signable, &credentials.ak, &credentials.sk, date)
    };

    // From the string's own buffer, without a copy.
    let mut value = HeaderValue::from_maybe_shared(bytes::Bytes::from(authorization))
        .map_err(|_| invalid("the Authorization value"))?;
    value.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}

fn add_headers<'a>(
    mut signable: SignableRequest<'a>,
    headers: &'a HeaderMap,
) -> SignableRequest<'a> {
    signable.reserve_headers(headers.len() + 1);
    for (name, value) in headers {
        // Non-ASCII header bytes are taken as UTF-8, which is how the SDK sends text. The
        // strict check first: it is faster than the lossy one on the usual ASCII values.
        let value = match std::str::from_utf8(value.as_bytes()) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(value.as_bytes()),
        };
        signable = signable.header(name.as_str(), value);
    }
    signable
}

fn host_of(url: &url::Url) -> Option<Cow<'_, str>> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => Cow::Owned(format!("{host}:{port}")),
        None => Cow::Borrowed(host),
    })
}

impl Authenticator for AkSkAuth {
    fn scheme(&self) -> &'static str {
        "aksk"
    }

    /// The access key id (in `Authorization`, which a server may echo) and the security token
    /// of temporary credentials (`X-Security-Token`); the secret key itself never travels.
    fn sent_secrets(&self) -> Vec<Secret> {
        let ak = Secret::new(self.credentials.ak.as_str());
        std::iter::once(ak)
            .chain(self.credentials.security_token.iter().cloned())
            .collect()
    }

    fn send<'a>(
        &'a self,
        client: &'a crate::Transport,
        mut request: reqwest::Request,
        _spare: Option<&'a reqwest::Request>,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(async move {
            if let Err(e) = self.sign_request(&mut request) {
                return Ok(super::local_failure(
                    http::StatusCode::BAD_REQUEST,
                    e.kind(),
                    e.to_string(),
                ));
            }
            tracing::debug!(
                method = %request.method(),
                url = %UrlForLog(request.url()),
                ak = %KeyId(&self.credentials.ak),
                "sending a request signed with SDK-HMAC-SHA256"
            );
            let response = client.execute(request).await?;
            if response.status() == http::StatusCode::UNAUTHORIZED {
                return Ok(AuthRejected::mark(
                    response,
                    ErrorKind::CredentialsRejected,
                    format!(
                        "the service refused the SDK-HMAC-SHA256 signature of AK {}: check that \
                         HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK belong together and are active, \
                         that HUAWEICLOUD_SDK_SECURITY_TOKEN is set (and current) for temporary \
                         credentials, and that this machine's clock is right (X-Sdk-Date must be \
                         within 15 minutes of the server's time)",
                        KeyId(&self.credentials.ak)
                    ),
                    None,
                ));
            }
            Ok(response)
        })
    }
}
