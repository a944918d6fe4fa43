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

    /// Room for `n` more headers (the adapter knows how many it adds).
    pub(crate) fn reserve_headers(&mut self, n: usize) {
        self.headers.reserve(n);
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
        let mut out = String::with_capacity(64);
        push_hex(&mut out, &Sha256::digest(self.text.as_bytes()));
        out
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
    let mut out = String::with_capacity(path.len() + 8);
    push_canonical_uri(&mut out, path);
    out
}

/// Appends the canonical URI of `path` to `out` (the signer writes every part of the
/// canonical request into one buffer): each segment decoded, then encoded as the vendor's
/// signer does, with a trailing `/`.
fn push_canonical_uri(out: &mut String, path: &str) {
    let start = out.len();
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    for (i, segment) in decoded.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.extend(utf8_percent_encode(segment, UNRESERVED));
    }
    if !out[start..].ends_with('/') {
        out.push('/');
    }
}

/// The canonical query string of decoded `(key, value)` pairs: sorted raw, then encoded.
pub fn canonical_query_string<'p>(pairs: impl IntoIterator<Item = (&'p str, &'p str)>) -> String {
    let mut out = String::new();
    push_canonical_query(&mut out, pairs);
    out
}

/// Appends the canonical query string of `pairs` to `out`.
fn push_canonical_query<'p>(out: &mut String, pairs: impl IntoIterator<Item = (&'p str, &'p str)>) {
    let mut pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
    // Rust orders `str` by UTF-8 bytes, which is code point order, as Python's sort is.
    pairs.sort_unstable();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, UNRESERVED));
        out.push('=');
        out.extend(utf8_percent_encode(v, UNRESERVED));
    }
}

/// Appends `bytes` in lower-case hex to `out`.
fn push_hex(out: &mut String, bytes: &[u8]) {
    let mut buffer = [0u8; 64];
    for chunk in bytes.chunks(32) {
        let digits = &mut buffer[..chunk.len() * 2];
        // Cannot fail: the buffer holds exactly two hex digits per byte, all ASCII.
        if hex::encode_to_slice(chunk, digits).is_ok() {
            out.push_str(std::str::from_utf8(digits).unwrap_or_default());
        }
    }
}

/// `name` in lower case, borrowed when it is already (as `http` header names always are).
fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Builds the canonical request of `request`.
pub fn canonical_request(request: &SignableRequest<'_>) -> CanonicalRequest {
    // Sized for all of them: collecting through a filter would grow the vector step by step.
    let mut headers: Vec<(Cow<'_, str>, &str)> = Vec::with_capacity(request.headers.len());
    headers.extend(
        request
            .headers
            .iter()
            .filter(|(name, _)| !name.contains('_'))
            .map(|(name, value)| (lower(name), value.trim())),
    );
    headers.sort_unstable();

    // Sorted, so a name given several times stands next to itself.
    let mut names: Vec<&str> = headers.iter().map(|(name, _)| name.as_ref()).collect();
    names.dedup();
    let signed_headers = names.join(";");

    let body_hash: Option<&str> = match request.payload {
        Payload::Bytes([]) => Some(EMPTY_BODY_SHA256),
        Payload::Bytes(_) => {
            header_value(&headers, CONTENT_SHA256_HEADER).filter(|given| !given.is_empty())
        }
        Payload::Unknown => Some(
            header_value(&headers, CONTENT_SHA256_HEADER)
                .filter(|v| !v.is_empty())
                .unwrap_or(UNSIGNED_PAYLOAD),
        ),
    };

    let headers_len: usize = headers.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let mut text = String::with_capacity(
        request.method.len()
            + request.path.len()
            + 16
            + request
                .query
                .iter()
                .map(|(k, v)| k.len() + v.len() + 2)
                .sum::<usize>()
                * 3
            + headers_len
            + signed_headers.len()
            + 64,
    );
    text.extend(request.method.chars().map(|c| c.to_ascii_uppercase()));
    text.push('\n');
    push_canonical_uri(&mut text, &request.path);
    text.push('\n');
    push_canonical_query(&mut text, request.query_pairs());
    text.push('\n');
    for (name, value) in &headers {
        text.push_str(name);
        text.push(':');
        text.push_str(value);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&signed_headers);
    text.push('\n');
    match (body_hash, request.payload) {
        (Some(hash), _) => text.push_str(hash),
        (None, Payload::Bytes(body)) => push_hex(&mut text, &Sha256::digest(body)),
        // `body_hash` is always set for an unknown payload.
        (None, Payload::Unknown) => text.push_str(UNSIGNED_PAYLOAD),
    }
    CanonicalRequest {
        text,
        signed_headers,
    }
}

fn header_value<'h>(headers: &'h [(Cow<'_, str>, &str)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

/// The string to sign for `canonical` at `date` (the `X-Sdk-Date` value).
pub fn string_to_sign(canonical: &CanonicalRequest, date: &str) -> String {
    [ALGORITHM, "\n", date, "\n", &canonical.sha256_hex()].concat()
}

/// Hex HMAC-SHA256 of `string_to_sign` keyed with the SK.
pub fn signature(sk: &Secret, string_to_sign: &str) -> String {
    let mut mac = hmac(sk);
    mac.update(string_to_sign.as_bytes());
    let mut out = String::with_capacity(64);
    push_hex(&mut out, &mac.finalize().into_bytes());
    out
}

/// HMAC-SHA256 keyed with the SK.
fn hmac(sk: &Secret) -> Hmac<Sha256> {
    match Hmac::<Sha256>::new_from_slice(sk.expose().as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

/// The `Authorization` header value.
pub fn authorization(ak: &str, signed_headers: &str, signature: &str) -> String {
    // `concat` sizes the string once for all the parts.
    [
        ALGORITHM,
        " Access=",
        ak,
        ", SignedHeaders=",
        signed_headers,
        ", Signature=",
        signature,
    ]
    .concat()
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

/// The `Authorization` value of [`sign`], without keeping the steps: what the `reqwest`
/// adapter sends. The string to sign goes straight into the HMAC instead of into a string.
pub(crate) fn authorization_value(
    request: &SignableRequest<'_>,
    ak: &str,
    sk: &Secret,
    date: &str,
) -> String {
    let canonical = canonical_request(request);
    let mut mac = hmac(sk);
    let hash = canonical.sha256_hex();
    for part in [ALGORITHM, "\n", date, "\n", &hash] {
        mac.update(part.as_bytes());
    }
    // Reuses the buffer: the canonical request's hash is not needed any more.
    let mut signature = hash;
    signature.clear();
    push_hex(&mut signature, &mac.finalize().into_bytes());
    authorization(ak, &canonical.signed_headers, &signature)
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
        // Unreserved characters only: the path is copied as it is.
        assert_eq!(canonical_uri("/v1/a-b_c.d~e"), "/v1/a-b_c.d~e/");
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
