//! The Digest response computation (RFC 7616 §3.4, RFC 2617 §3.2.2, RFC 2069): hashing and
//! the `Authorization` header value. Pure functions: the cnonce and nonce count come in as
//! arguments, so the RFC examples can be replayed exactly.

use std::fmt::{self, Write as _};

use md5::Md5;
use sha2::{Sha256, Sha512_256};

use super::challenge::{DigestChallenge, write_quoted};
use crate::Secret;

/// A Digest hash algorithm (RFC 7616 §3.3, the IANA "HTTP Digest Algorithm Values").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// `MD5`, the RFC 2617 default.
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512-256` (SHA-512/256, FIPS 180-4).
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
}

impl Algorithm {
    /// The name as written in headers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
            Self::Sha512_256 => "SHA-512-256",
            Self::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Reads an algorithm name, case-insensitively (`md5`, `SHA-256-SESS`).
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Md5,
            Self::Md5Sess,
            Self::Sha256,
            Self::Sha256Sess,
            Self::Sha512_256,
            Self::Sha512_256Sess,
        ]
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// Whether A1 is the session variant (`-sess`): hashed again with nonce and cnonce.
    pub fn is_session(self) -> bool {
        matches!(
            self,
            Self::Md5Sess | Self::Sha256Sess | Self::Sha512_256Sess
        )
    }

    /// Ranks algorithms by the strength of their hash; `-sess` does not change it.
    pub(crate) fn strength(self) -> u8 {
        match self {
            Self::Md5 | Self::Md5Sess => 1,
            Self::Sha256 | Self::Sha256Sess => 2,
            Self::Sha512_256 | Self::Sha512_256Sess => 3,
        }
    }

    /// Lowercase hex of the hash of `parts` joined by `:`.
    fn hash(self, parts: &[&[u8]]) -> HexDigest {
        fn run<D: sha2::Digest>(parts: &[&[u8]]) -> HexDigest {
            let mut d = D::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(p);
            }
            HexDigest::new(&d.finalize())
        }
        match self {
            Self::Md5 | Self::Md5Sess => run::<Md5>(parts),
            Self::Sha256 | Self::Sha256Sess => run::<Sha256>(parts),
            Self::Sha512_256 | Self::Sha512_256Sess => run::<Sha512_256>(parts),
        }
    }
}

/// A hash in lowercase hex, kept on the stack: every signature hashes several times and feeds
/// each result into the next hash, so heap strings there would cost allocations per request for
/// nothing. No `Debug`: HA1 is one of these (see [`SecretDigest`]).
#[derive(Clone)]
struct HexDigest {
    buf: [u8; 64],
    len: usize,
}

impl HexDigest {
    fn new(digest: &[u8]) -> Self {
        let mut buf = [0; 64];
        // The longest supported digest (SHA-256, SHA-512/256) is 32 bytes, exactly the buffer.
        let len = digest.len().min(buf.len() / 2) * 2;
        // Cannot fail: the slice holds exactly two hex digits per byte.
        let _ = hex::encode_to_slice(&digest[..len / 2], &mut buf[..len]);
        Self { buf, len }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn as_str(&self) -> &str {
        // Only ASCII hex digits were written, so this never falls back.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

/// HA1: as good as the password in its realm, so wiped from memory when dropped.
struct SecretDigest(HexDigest);

impl Drop for SecretDigest {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0.buf);
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A username and password for Digest. `Debug` shows the username's first four characters
/// only (for OceanBase Cloud it is the AccessKey ID: the key-id policy of `redact.rs`) and
/// never the password.
#[derive(Clone)]
pub struct Credentials {
    username: Secret,
    password: Secret,
}

impl Credentials {
    /// Credentials from a username and a password.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self {
            username: Secret::new(username),
            password: password.into(),
        }
    }

    /// The username, as the `Authorization` header carries it (unless hashed).
    pub(crate) fn username(&self) -> &Secret {
        &self.username
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &crate::redact::KeyId(self.username.expose()))
            .field("password", &self.password)
            .finish()
    }
}

/// The parts of the request that the response covers.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The method, as sent (`POST`).
    pub method: &'a str,
    /// The request target, path and query exactly as sent (`/a/b?requestId=x`).
    pub uri: &'a str,
    /// The body, when it is in memory; needed for `qop=auth-int` only.
    pub body: Option<&'a [u8]>,
}

/// The `qop` chosen for one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qop {
    /// `auth`.
    Auth,
    /// `auth-int`.
    AuthInt,
}

impl Qop {
    /// The name as written in headers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
        }
    }
}

/// Why a response could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignError {
    message: &'static str,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for SignError {}

/// A computed `Authorization: Digest ...` value. `Debug` hides the value: it is a credential
/// that can be replayed while the nonce lives.
#[derive(Clone)]
pub struct Authorization {
    value: String,
    response: HexDigest,
    qop: Option<Qop>,
}

impl Authorization {
    /// The header value to send (`Digest username="...", ...`).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The `response` parameter alone (the hex digest).
    pub fn response(&self) -> &str {
        self.response.as_str()
    }

    /// The `qop` used, `None` in RFC 2069 mode.
    pub fn qop(&self) -> Option<Qop> {
        self.qop
    }

    /// The value as an HTTP header value marked sensitive, so that HTTP/2 never indexes it and
    /// `http`'s own `Debug` prints `Sensitive`.
    pub fn header_value(&self) -> Result<http::HeaderValue, SignError> {
        sensitive(http::HeaderValue::from_str(&self.value))
    }

    /// [`Authorization::header_value`], taking the text over instead of copying it.
    pub fn into_header_value(self) -> Result<http::HeaderValue, SignError> {
        sensitive(http::HeaderValue::from_maybe_shared(bytes::Bytes::from(
            self.value,
        )))
    }
}

fn sensitive(
    value: Result<http::HeaderValue, http::header::InvalidHeaderValue>,
) -> Result<http::HeaderValue, SignError> {
    let mut v = value.map_err(|_| SignError {
        message: "the Authorization value is not a valid header value",
    })?;
    v.set_sensitive(true);
    Ok(v)
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("value", &"***")
            .field("qop", &self.qop)
            .finish()
    }
}

/// Computes the Digest response to `challenge` for `request` with nonce count `nc` and client
/// nonce `cnonce`, and renders the `Authorization` header value.
///
/// `qop=auth` is preferred over `auth-int`; `auth-int` hashes the body, so it needs
/// `request.body`. Without `qop` in the challenge the RFC 2069 form is used (no nc, no cnonce).
pub fn authorize(
    challenge: &DigestChallenge,
    credentials: &Credentials,
    request: &RequestParts<'_>,
    nc: u32,
    cnonce: &str,
) -> Result<Authorization, SignError> {
    Signer::new(challenge, credentials)?.sign(request, nc, cnonce)
}

/// A challenge made ready to sign any number of requests: what does not change from one
/// request to the next (HA1 unless `-sess`, the quoted username, realm, nonce and opaque) is
/// computed once, so a preemptively signed request costs two hashes (`-sess`: three) and one
/// string. [`authorize`] is `Signer::new` followed by [`Signer::sign`].
pub struct Signer {
    algorithm: Algorithm,
    qop: Option<Qop>,
    nonce: String,
    /// `H(username:realm:password)`: as good as the password in this realm. Wiped on drop.
    ha1: SecretDigest,
    /// `Digest username="...", realm="...", uri=`
    head: String,
    /// `[, algorithm=...], nonce="..."`
    nonce_part: String,
    /// `[, opaque="..."][, userhash=true]`
    tail: String,
}

impl Signer {
    /// Prepares `challenge` for signing with `credentials`. Fails when the challenge offers no
    /// qop this client supports, or asks for a `-sess` algorithm without qop.
    pub fn new(challenge: &DigestChallenge, credentials: &Credentials) -> Result<Self, SignError> {
        let alg = challenge.algorithm;
        let username = credentials.username.expose();
        let qop = match challenge.qop {
            None => None,
            Some(q) if q.auth => Some(Qop::Auth),
            Some(q) if q.auth_int => Some(Qop::AuthInt),
            Some(_) => {
                return Err(SignError {
                    message: "the challenge offers no supported qop",
                });
            }
        };
        if qop.is_none() && alg.is_session() {
            return Err(SignError {
                message: "a -sess algorithm needs qop",
            });
        }
        // RFC 7616 §3.4.2: A1 uses the username itself even when the header carries its hash.
        let ha1 = SecretDigest(alg.hash(&[
            username.as_bytes(),
            challenge.realm.as_bytes(),
            credentials.password.expose().as_bytes(),
        ]));
        // Writing to a String cannot fail; the results are ignored rather than unwrapped.
        let mut head = String::from("Digest ");
        if challenge.userhash {
            head.push_str("username=");
            let _ = write_quoted(
                &mut head,
                alg.hash(&[username.as_bytes(), challenge.realm.as_bytes()])
                    .as_str(),
            );
        } else if is_quotable(username) {
            head.push_str("username=");
            let _ = write_quoted(&mut head, username);
        } else {
            // RFC 7616 §3.4: a username a quoted-string cannot carry goes in username* (RFC 8187).
            head.push_str("username*=UTF-8''");
            push_rfc8187(&mut head, username);
        }
        head.push_str(", realm=");
        let _ = write_quoted(&mut head, &challenge.realm);
        head.push_str(", uri=");
        let mut nonce_part = String::new();
        if challenge.algorithm_named {
            let _ = write!(nonce_part, ", algorithm={}", alg.name());
        }
        nonce_part.push_str(", nonce=");
        let _ = write_quoted(&mut nonce_part, &challenge.nonce);
        let mut tail = String::new();
        if let Some(o) = &challenge.opaque {
            tail.push_str(", opaque=");
            let _ = write_quoted(&mut tail, o);
        }
        if challenge.userhash {
            tail.push_str(", userhash=true");
        }
        Ok(Self {
            algorithm: alg,
            qop,
            nonce: challenge.nonce.clone(),
            ha1,
            head,
            nonce_part,
            tail,
        })
    }

    /// The response for `request` with nonce count `nc` and client nonce `cnonce`, and the
    /// `Authorization` header value carrying it.
    pub fn sign(
        &self,
        request: &RequestParts<'_>,
        nc: u32,
        cnonce: &str,
    ) -> Result<Authorization, SignError> {
        let alg = self.algorithm;
        let session_ha1;
        let ha1 = if alg.is_session() {
            session_ha1 = SecretDigest(alg.hash(&[
                self.ha1.0.as_bytes(),
                self.nonce.as_bytes(),
                cnonce.as_bytes(),
            ]));
            &session_ha1.0
        } else {
            &self.ha1.0
        };
        let ha2 = match self.qop {
            Some(Qop::AuthInt) => {
                let body = request.body.ok_or(SignError {
                    message: "qop=auth-int needs the request body in memory",
                })?;
                let body_hash = alg.hash(&[body]);
                alg.hash(&[
                    request.method.as_bytes(),
                    request.uri.as_bytes(),
                    body_hash.as_bytes(),
                ])
            }
            _ => alg.hash(&[request.method.as_bytes(), request.uri.as_bytes()]),
        };
        let nc_text = NcText::new(nc);
        let response = match self.qop {
            Some(q) => alg.hash(&[
                ha1.as_bytes(),
                self.nonce.as_bytes(),
                nc_text.as_bytes(),
                cnonce.as_bytes(),
                q.name().as_bytes(),
                ha2.as_bytes(),
            ]),
            None => alg.hash(&[ha1.as_bytes(), self.nonce.as_bytes(), ha2.as_bytes()]),
        };

        let mut v = String::with_capacity(
            self.head.len()
                + self.nonce_part.len()
                + self.tail.len()
                + request.uri.len()
                + cnonce.len()
                + response.len
                + 64,
        );
        v.push_str(&self.head);
        let _ = write_quoted(&mut v, request.uri);
        v.push_str(&self.nonce_part);
        if let Some(q) = self.qop {
            v.push_str(", nc=");
            v.push_str(nc_text.as_str());
            v.push_str(", cnonce=");
            let _ = write_quoted(&mut v, cnonce);
            v.push_str(", qop=");
            v.push_str(q.name());
        }
        v.push_str(", response=\"");
        v.push_str(response.as_str());
        v.push('"');
        v.push_str(&self.tail);
        Ok(Authorization {
            value: v,
            response,
            qop: self.qop,
        })
    }
}

/// No `Debug` output beyond the algorithm and qop: the cached HA1 is a credential.
impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("algorithm", &self.algorithm)
            .field("qop", &self.qop)
            .finish_non_exhaustive()
    }
}

/// A nonce count as its 8 lowercase hex digits (`00000001`), without going through `fmt`.
struct NcText([u8; 8]);

impl NcText {
    fn new(nc: u32) -> Self {
        let mut out = [b'0'; 8];
        // Cannot fail: four bytes are exactly eight hex digits.
        let _ = hex::encode_to_slice(nc.to_be_bytes(), &mut out);
        Self(out)
    }

    fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Whether a quoted-string can carry `s` as it is (visible ASCII, space, tab).
fn is_quotable(s: &str) -> bool {
    s.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

/// RFC 8187 `value-chars`: attr-chars as they are, everything else percent-encoded.
fn push_rfc8187(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use sha2::Digest as _;

    use super::*;
    use crate::digest::challenge::parse_challenges;

    fn challenge(header: &str) -> DigestChallenge {
        let v = parse_challenges(header).unwrap();
        DigestChallenge::from_challenge(&v[0]).unwrap()
    }

    /// Reads a parameter back: an Authorization value has challenge syntax.
    fn param(auth: &Authorization, name: &str) -> Option<String> {
        let parsed = parse_challenges(auth.value()).unwrap();
        parsed[0].param(name).map(str::to_owned)
    }

    const RFC7616: &str = r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=ALG, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;
    const RFC7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    const GET_INDEX: RequestParts<'static> = RequestParts {
        method: "GET",
        uri: "/dir/index.html",
        body: None,
    };

    /// RFC 7616 §3.9.1, the MD5 response.
    #[test]
    fn rfc7616_example_md5() {
        let c = challenge(&RFC7616.replace("ALG", "MD5"));
        let creds = Credentials::new("Mufasa", "Circle of Life");
        let a = authorize(&c, &creds, &GET_INDEX, 1, RFC7616_CNONCE).unwrap();
        assert_eq!(a.response(), "8ca523f5e9506fed4657c9700eebdbec");
        assert_eq!(a.qop(), Some(Qop::Auth));
        assert_eq!(param(&a, "nc").as_deref(), Some("00000001"));
        assert_eq!(param(&a, "algorithm").as_deref(), Some("MD5"));
        assert_eq!(
            param(&a, "opaque").as_deref(),
            Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
        );
        assert_eq!(param(&a, "uri").as_deref(), Some("/dir/index.html"));
        assert_eq!(param(&a, "username").as_deref(), Some("Mufasa"));
    }

    /// RFC 7616 §3.9.1, the SHA-256 response.
    #[test]
    fn rfc7616_example_sha256() {
        let c = challenge(&RFC7616.replace("ALG", "SHA-256"));
        let creds = Credentials::new("Mufasa", "Circle of Life");
        let a = authorize(&c, &creds, &GET_INDEX, 1, RFC7616_CNONCE).unwrap();
        assert_eq!(
            a.response(),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
        assert_eq!(param(&a, "algorithm").as_deref(), Some("SHA-256"));
    }

    /// RFC 2617 §3.5: no algorithm parameter, so MD5 and none echoed.
    #[test]
    fn rfc2617_example() {
        let c = challenge(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        );
        let creds = Credentials::new("Mufasa", "Circle Of Life");
        let a = authorize(&c, &creds, &GET_INDEX, 1, "0a4f113b").unwrap();
        assert_eq!(a.response(), "6629fae49393a05397450978507c4ef1");
        assert_eq!(param(&a, "algorithm").as_deref(), None);
        assert_eq!(param(&a, "cnonce").as_deref(), Some("0a4f113b"));
    }

    /// RFC 2069 §2.4 (no qop): the response printed in RFC 2069 is a known erratum; this is the
    /// corrected value, which Python's `hashlib` and curl agree on.
    #[test]
    fn rfc2069_compatibility_without_qop() {
        let c = challenge(
            r#"Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        );
        let creds = Credentials::new("Mufasa", "CircleOfLife");
        let a = authorize(&c, &creds, &GET_INDEX, 1, "ignored").unwrap();
        assert_eq!(a.response(), "1949323746fe6a43ef61f9606e7febea");
        assert_eq!(a.qop(), None);
        assert_eq!(param(&a, "nc").as_deref(), None);
        assert_eq!(param(&a, "cnonce").as_deref(), None);
        assert_eq!(param(&a, "qop").as_deref(), None);
    }

    /// RFC 7616 §3.9.2: SHA-512-256 with userhash. The values printed in the RFC were made
    /// with SHA-512 truncated to 256 bits instead of SHA-512/256 (erratum 4897; the RFC's
    /// numbers come out of truncated SHA-512 with the plain username in A1). These are the
    /// FIPS 180-4 SHA-512/256 values, checked with Python's `hashlib.new("sha512_256")`.
    #[test]
    fn rfc7616_userhash_sha512_256() {
        let c = challenge(
            r#"Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true"#,
        );
        let creds = Credentials::new("J\u{e4}s\u{f8}n Doe", "Secret, or not?");
        let req = RequestParts {
            method: "GET",
            uri: "/doe.json",
            body: None,
        };
        let a = authorize(
            &c,
            &creds,
            &req,
            1,
            "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
        )
        .unwrap();
        assert_eq!(
            param(&a, "username").as_deref(),
            Some("793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b")
        );
        assert_eq!(param(&a, "userhash").as_deref(), Some("true"));
        assert_eq!(param(&a, "algorithm").as_deref(), Some("SHA-512-256"));
        assert_eq!(
            a.response(),
            "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"
        );
    }

    #[test]
    fn non_ascii_username_without_userhash_goes_in_username_star() {
        let c = challenge(r#"Digest realm="r", nonce="n", qop=auth"#);
        let a = authorize(
            &c,
            &Credentials::new("J\u{e4}s\u{f8}n Doe", "p"),
            &GET_INDEX,
            1,
            "c",
        )
        .unwrap();
        assert!(
            a.value()
                .starts_with("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "),
            "{}",
            a.value()
        );
    }

    /// `-sess`: A1 = H(H(user:realm:pass):nonce:cnonce), checked against a value computed
    /// independently (RFC 2617 example inputs).
    #[test]
    fn md5_sess() {
        let c = challenge(
            r#"Digest realm="testrealm@host.com", qop="auth", algorithm=MD5-sess, nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#,
        );
        let a = authorize(
            &c,
            &Credentials::new("Mufasa", "Circle Of Life"),
            &GET_INDEX,
            1,
            "0a4f113b",
        )
        .unwrap();
        let ha1 = md5_hex(&format!(
            "{}:dcd98b7102dd2f0e8b11d0f600bfb0c093:0a4f113b",
            md5_hex("Mufasa:testrealm@host.com:Circle Of Life")
        ));
        let ha2 = md5_hex("GET:/dir/index.html");
        let want = md5_hex(&format!(
            "{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:{ha2}"
        ));
        assert_eq!(a.response(), want);
        assert_eq!(a.response(), "8e3825c57e897f5a0dec6c2d4e5059d0");
        assert_eq!(param(&a, "algorithm").as_deref(), Some("MD5-sess"));
    }

    #[test]
    fn auth_int_hashes_the_body() {
        let c = challenge(r#"Digest realm="r", nonce="n", qop="auth-int", algorithm=SHA-256"#);
        let creds = Credentials::new("u", "p");
        let req = RequestParts {
            method: "POST",
            uri: "/x?y=1",
            body: Some(b"{\"a\":1}"),
        };
        let a = authorize(&c, &creds, &req, 7, "c").unwrap();
        assert_eq!(a.qop(), Some(Qop::AuthInt));
        let h = |s: &str| hex::encode(Sha256::digest(s.as_bytes()));
        let ha1 = h("u:r:p");
        let ha2 = h(&format!("POST:/x?y=1:{}", h("{\"a\":1}")));
        assert_eq!(
            a.response(),
            h(&format!("{ha1}:n:00000007:c:auth-int:{ha2}"))
        );
        let other = RequestParts {
            body: Some(b"{\"a\":2}"),
            ..req
        };
        assert_ne!(
            authorize(&c, &creds, &other, 7, "c").unwrap().response(),
            a.response()
        );
        let streamed = RequestParts { body: None, ..req };
        assert!(authorize(&c, &creds, &streamed, 7, "c").is_err());
    }

    #[test]
    fn auth_is_preferred_over_auth_int() {
        let c = challenge(r#"Digest realm="r", nonce="n", qop="auth-int,auth""#);
        let a = authorize(&c, &Credentials::new("u", "p"), &GET_INDEX, 1, "c").unwrap();
        assert_eq!(a.qop(), Some(Qop::Auth));
    }

    #[test]
    fn values_are_escaped_and_nothing_secret_is_in_debug() {
        let c = challenge(r#"Digest realm="a\"b", nonce="n", qop=auth"#);
        let creds = Credentials::new("user\"x", "hunter2");
        let a = authorize(&c, &creds, &GET_INDEX, 1, "c").unwrap();
        assert_eq!(param(&a, "username").as_deref(), Some("user\"x"));
        assert_eq!(param(&a, "realm").as_deref(), Some("a\"b"));
        let debug = format!("{a:?} {creds:?}");
        assert!(
            !debug.contains(a.response())
                && !debug.contains("hunter2")
                && !debug.contains("user\"x"),
            "{debug}"
        );
        assert!(a.header_value().unwrap().is_sensitive());
    }

    /// A signer made once and used for many requests gives, for every request, what a fresh
    /// computation gives: nothing of one signature leaks into the next (the `-sess` HA1
    /// depends on each cnonce).
    #[test]
    fn a_reused_signer_matches_the_formula_for_every_request() {
        let c = challenge(
            r#"Digest realm="r", nonce="abc", qop="auth", algorithm=MD5-sess, opaque="o""#,
        );
        let creds = Credentials::new("u", "p");
        let signer = Signer::new(&c, &creds).unwrap();
        for (nc, cnonce, uri) in [
            (1, "c1", "/a?x=1"),
            (2, "c2", "/b"),
            (0x1000_00ff, "c3", "/a?x=1"),
        ] {
            let parts = RequestParts {
                method: "POST",
                uri,
                body: None,
            };
            let a = signer.sign(&parts, nc, cnonce).unwrap();
            let ha1 = md5_hex(&format!("{}:abc:{cnonce}", md5_hex("u:r:p")));
            let ha2 = md5_hex(&format!("POST:{uri}"));
            let nc_text = format!("{nc:08x}");
            let expected = md5_hex(&format!("{ha1}:abc:{nc_text}:{cnonce}:auth:{ha2}"));
            assert_eq!(a.response(), expected);
            assert_eq!(
                a.value(),
                format!(
                    r#"Digest username="u", realm="r", uri="{uri}", algorithm=MD5-sess, nonce="abc", nc={nc_text}, cnonce="{cnonce}", qop=auth, response="{expected}", opaque="o""#
                )
            );
            assert_eq!(
                a.value(),
                authorize(&c, &creds, &parts, nc, cnonce).unwrap().value()
            );
        }
        let debug = format!("{signer:?}");
        assert!(!debug.contains(&md5_hex("u:r:p")), "{debug}");
        let get = RequestParts {
            method: "GET",
            uri: "/",
            body: None,
        };
        let header = signer
            .sign(&get, 1, "c")
            .unwrap()
            .into_header_value()
            .unwrap();
        assert!(header.is_sensitive());
    }

    #[test]
    fn nonce_counts_are_eight_lowercase_hex_digits() {
        for nc in [0, 1, 0xa, 0xff, 0x1234_abcd, u32::MAX] {
            assert_eq!(NcText::new(nc).as_str(), format!("{nc:08x}"));
        }
    }

    fn md5_hex(s: &str) -> String {
        hex::encode(Md5::digest(s.as_bytes()))
    }
}
