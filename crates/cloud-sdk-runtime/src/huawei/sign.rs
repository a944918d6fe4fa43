//! `SDK-HMAC-SHA256` request signing as a pure core: canonical request, string to sign,
//! signature and `Authorization` value. No I/O and no clock: the date is an input.
//!
//! The rules are those of Huawei Cloud's official SDK signer (`huaweicloudsdkcore`), which the
//! vectors under `tests/vectors/huawei-sdk-hmac-sha256/` were produced with:
//!
//! - **Canonical URI**: the wire path is percent-decoded, split on `/` (so an encoded `%2F`
//!   separates segments too), each segment is encoded again leaving only `A-Z a-z 0-9 - _ . ~`
//!   as they are, and a `/` is appended unless the path already ends with one.
//! - **Canonical query string**: decoded `(key, value)` pairs sorted by key then value *before*
//!   encoding (raw and encoded order differ, e.g. `a.b` and `a/b`), each encoded like a
//!   segment, joined as `k=v&k=v`; a key without value gives `k=`.
//! - **Signed headers**: every header whose name has no `_`, lower-cased and sorted; values
//!   trimmed. A header given several times (which the SDK cannot express) gives one
//!   `name:value` line per value, values sorted, the way Huawei's API gateway signer does.
//! - **Body hash**: lower-case hex SHA-256 of the body; the empty-body hash for an empty body;
//!   the `X-Sdk-Content-Sha256` header's value (`UNSIGNED-PAYLOAD`) when that header is set
//!   and the body is not empty.
//! - **String to sign**: `SDK-HMAC-SHA256\n{X-Sdk-Date}\n{hex SHA-256 of the canonical request}`;
//!   the signature is hex HMAC-SHA256 of it keyed with the SK.

use std::{borrow::Cow, fmt};

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

use crate::Secret;

/// The algorithm name, first word of the `Authorization` value and of the string to sign.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// Hex SHA-256 of an empty body.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The body hash placeholder used when the body is not hashed (non-JSON content types,
/// streamed bodies); sent as the value of [`CONTENT_SHA256_HEADER`].
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The header that carries the body hash to use instead of hashing the body.
pub const CONTENT_SHA256_HEADER: &str = "x-sdk-content-sha256";

/// The header that carries the signing date, `YYYYMMDDTHHMMSSZ` in UTC.
pub const DATE_HEADER: &str = "x-sdk-date";

/// Characters left as they are by the encoding of path segments and query parts: RFC 3986
/// unreserved characters, which is what Python's `quote(s, safe='~')` keeps.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The request body as far as the signature is concerned.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// The body bytes (empty for no body).
    Bytes(&'a [u8]),
    /// A body whose bytes are not at hand (a stream): hashed as the `X-Sdk-Content-Sha256`
    /// header's value, or [`UNSIGNED_PAYLOAD`] without one.
    Unknown,
}

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A body may hold a password (DAS CreateInstanceConnection does): only its size shows.
        match self {
            Payload::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Payload::Unknown => f.write_str("Unknown"),
        }
    }
}

/// A request to sign, described as it goes on the wire.
#[derive(Clone)]
pub struct SignableRequest<'a> {
    method: Cow<'a, str>,
    path: Cow<'a, str>,
    query: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    payload: Payload<'a>,
}

impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values can be credentials (X-Security-Token, X-Auth-Token): names only.
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_ref()).collect();
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_pairs", &self.query.len())
            .field("header_names", &names)
            .field("payload", &self.payload)
            .finish()
    }
}

impl<'a> SignableRequest<'a> {
    /// A request with `method` (any case) and `path` as sent on the wire (percent-encoded,
    /// starting with `/`), no query, no headers.
    pub fn new(
        method: impl Into<Cow<'a, str>>,
        path: impl Into<Cow<'a, str>>,
        payload: Payload<'a>,
    ) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            payload,
        }
    }

    /// Adds a query parameter, **decoded** (`"a b"`, not `"a%20b"`).
    pub fn query_param(
        mut self,
        key: impl Into<Cow<'a, str>>,
        value: impl Into<Cow<'a, str>>,
    ) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds the parameters of a wire query string (`a=1&b=x+y`), decoded as
    /// `application/x-www-form-urlencoded` (`+` is a space), which is how HTTP clients build it.
    pub fn raw_query(mut self, query: &str) -> Self {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            self.query
                .push((Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned())));
        }
        self
    }

    /// Adds a header. Include every header that is sent and should be signed, `Host` and
    /// `X-Sdk-Date` too.
    pub fn header(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The decoded query parameters, in the order given.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }
}

/// The canonical request and the list of signed headers it was built with.
#[derive(Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    text: String,
    signed_headers: String,
}

impl CanonicalRequest {
    /// The canonical request text, exactly as hashed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The `;`-separated lower-case names of the signed headers, sorted.
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }

    /// Hex SHA-256 of the canonical request, the last line of the string to sign.
    pub fn sha256_hex(&self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }
}

impl fmt::Debug for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The canonical headers include X-Security-Token when temporary credentials are used.
        f.debug_struct("CanonicalRequest")
            .field("signed_headers", &self.signed_headers)
            .field("sha256", &self.sha256_hex())
            .finish_non_exhaustive()
    }
}

/// Encodes `s` as the signer encodes path segments and query parts.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// The canonical URI of a wire path (see the module documentation).
pub fn canonical_uri(path: &str) -> String {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let mut out = String::with_capacity(path.len() + 8);
    for (i, segment) in decoded.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.extend(utf8_percent_encode(segment, UNRESERVED));
    }
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// The canonical query string of decoded `(key, value)` pairs: sorted raw, then encoded.
pub fn canonical_query_string<'p>(pairs: impl IntoIterator<Item = (&'p str, &'p str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
    // Rust orders `str` by UTF-8 bytes, which is code point order, as Python's sort is.
    pairs.sort_unstable();
    let mut out = String::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, UNRESERVED));
        out.push('=');
        out.extend(utf8_percent_encode(v, UNRESERVED));
    }
    out
}

/// Builds the canonical request of `request`.
pub fn canonical_request(request: &SignableRequest<'_>) -> CanonicalRequest {
    let mut headers: Vec<(String, &str)> = request
        .headers
        .iter()
        .filter(|(name, _)| !name.contains('_'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    headers.sort_unstable();

    let mut signed_headers = String::new();
    let mut canonical_headers = String::new();
    let mut previous: Option<&str> = None;
    for (name, value) in &headers {
        if previous != Some(name.as_str()) {
            if previous.is_some() {
                signed_headers.push(';');
            }
            signed_headers.push_str(name);
        }
        previous = Some(name.as_str());
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(value);
        canonical_headers.push('\n');
    }

    let body_hash: Cow<'_, str> = match request.payload {
        Payload::Bytes([]) => Cow::Borrowed(EMPTY_BODY_SHA256),
        Payload::Bytes(body) => match header_value(&headers, CONTENT_SHA256_HEADER) {
            Some(given) if !given.is_empty() => Cow::Borrowed(given),
            _ => Cow::Owned(hex::encode(Sha256::digest(body))),
        },
        Payload::Unknown => Cow::Borrowed(
            header_value(&headers, CONTENT_SHA256_HEADER)
                .filter(|v| !v.is_empty())
                .unwrap_or(UNSIGNED_PAYLOAD),
        ),
    };

    let text = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.to_ascii_uppercase(),
        canonical_uri(&request.path),
        canonical_query_string(request.query_pairs()),
        canonical_headers,
        signed_headers,
        body_hash
    );
    CanonicalRequest {
        text,
        signed_headers,
    }
}

fn header_value<'h>(headers: &'h [(String, &str)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

/// The string to sign for `canonical` at `date` (the `X-Sdk-Date` value).
pub fn string_to_sign(canonical: &CanonicalRequest, date: &str) -> String {
    format!("{ALGORITHM}\n{date}\n{}", canonical.sha256_hex())
}

/// Hex HMAC-SHA256 of `string_to_sign` keyed with the SK.
pub fn signature(sk: &Secret, string_to_sign: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(sk.expose().as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value.
pub fn authorization(ak: &str, signed_headers: &str, signature: &str) -> String {
    format!("{ALGORITHM} Access={ak}, SignedHeaders={signed_headers}, Signature={signature}")
}

/// Every step of one signature, for tests and troubleshooting.
#[derive(Clone)]
pub struct Signed {
    canonical_request: CanonicalRequest,
    string_to_sign: String,
    signature: String,
    authorization: String,
}

impl Signed {
    /// The canonical request.
    pub fn canonical_request(&self) -> &CanonicalRequest {
        &self.canonical_request
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The `Authorization` header value. Send it as a sensitive header; never log it.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signed")
            .field("canonical_request", &self.canonical_request)
            .field("authorization", &"***")
            .finish_non_exhaustive()
    }
}

/// Signs `request` with the AK/SK pair at `date` (`YYYYMMDDTHHMMSSZ`, the value of the
/// `X-Sdk-Date` header, which `request` must include along with `Host`).
pub fn sign(request: &SignableRequest<'_>, ak: &str, sk: &Secret, date: &str) -> Signed {
    let canonical_request = canonical_request(request);
    let string_to_sign = string_to_sign(&canonical_request, date);
    let signature = signature(sk, &string_to_sign);
    let authorization = authorization(ak, canonical_request.signed_headers(), &signature);
    Signed {
        canonical_request,
        string_to_sign,
        signature,
        authorization,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_rules() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/v1/x"), "/v1/x/");
        assert_eq!(canonical_uri("/v1/x/"), "/v1/x/");
        assert_eq!(canonical_uri("/a%2Fb"), "/a/b/");
        assert_eq!(canonical_uri("/a b/%7E~"), "/a%20b/~~/");
        assert_eq!(canonical_uri("/%E4%B8%AD/%zz"), "/%E4%B8%AD/%25zz/");
    }

    #[test]
    fn query_sorted_raw_then_encoded() {
        let q = canonical_query_string([
            ("a/b", "2"),
            ("a.b", "1"),
            ("B", ""),
            ("a", "y"),
            ("a", "x"),
        ]);
        assert_eq!(q, "B=&a=x&a=y&a.b=1&a%2Fb=2");
    }

    #[test]
    fn repeated_headers_one_line_per_value() {
        let req = SignableRequest::new("get", "/", Payload::Bytes(b""))
            .header("X-B", "2")
            .header("x-b", " 1 ")
            .header("Host", "h")
            .header("X_Skip", "s");
        let c = canonical_request(&req);
        assert_eq!(c.signed_headers(), "host;x-b");
        assert!(
            c.as_str()
                .starts_with("GET\n/\n\nhost:h\nx-b:1\nx-b:2\n\nhost;x-b\n")
        );
    }

    #[test]
    fn body_hash_choices() {
        let base = |p| {
            SignableRequest::new("PUT", "/", p).header("X-Sdk-Content-Sha256", UNSIGNED_PAYLOAD)
        };
        assert!(
            canonical_request(&base(Payload::Bytes(b"")))
                .as_str()
                .ends_with(EMPTY_BODY_SHA256)
        );
        assert!(
            canonical_request(&base(Payload::Bytes(b"x")))
                .as_str()
                .ends_with("\nUNSIGNED-PAYLOAD")
        );
        let plain = SignableRequest::new("PUT", "/", Payload::Unknown);
        assert!(
            canonical_request(&plain)
                .as_str()
                .ends_with("\nUNSIGNED-PAYLOAD")
        );
    }

    #[test]
    fn debug_shows_no_header_values_or_body() {
        let req = SignableRequest::new("POST", "/", Payload::Bytes(b"{\"password\":\"pw\"}"))
            .header("X-Security-Token", "temporary-secret");
        let signed = sign(&req, "AK", &Secret::new("SK"), "20240101T000000Z");
        let text = format!("{req:?} {signed:?}");
        for secret in ["temporary-secret", "pw", signed.signature()] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}
