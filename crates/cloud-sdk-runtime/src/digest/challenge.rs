//! `WWW-Authenticate` challenges: a strict RFC 7235 / RFC 9110 §11 parser and writer, and the
//! typed Digest challenge (RFC 7616 §3.3) read from them.
//!
//! The parser is written by hand on purpose: no maintained crate parses a header value holding
//! several challenges (`Basic realm="a", Digest realm="b", nonce="c"`) with quoted-string
//! escapes, token68, empty list elements and the one-occurrence rule for parameters. The ones
//! that exist handle a single Digest challenge, or split on commas and so break on a comma
//! inside a quoted string (`qop="auth, auth-int"`). Everything here is pure: no I/O.
//!
//! The header comes from the server, which may be hostile: parsing is linear in the header's
//! size (duplicate parameters are found with a set, not by comparing each with all earlier
//! ones), and [`Limit`] caps what one response may hold, so a huge header costs microseconds
//! and a typed error, never seconds of work on the runtime thread that no time limit can stop.

use std::{collections::HashSet, fmt};

use super::Algorithm;

/// One challenge of a `WWW-Authenticate` header: a scheme with either a token68 or a list of
/// parameters (RFC 9110 §11.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    scheme: String,
    token68: Option<String>,
    params: Vec<(String, String)>,
}

impl Challenge {
    /// The scheme as the server wrote it (`Digest`, `digest`, `Basic`).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Whether the scheme is `name`, compared case-insensitively as RFC 9110 requires.
    pub fn is_scheme(&self, name: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(name)
    }

    /// The value of parameter `name` (case-insensitive name), unescaped.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All parameters in the order the server sent them: name as written, value unescaped.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The token68 form (`Basic dXNlcg==`), for schemes that use it.
    pub fn token68(&self) -> Option<&str> {
        self.token68.as_deref()
    }
}

/// Writes the challenge back in header syntax; every parameter value is written as a quoted
/// string, so that `parse_challenges` of the output gives the same challenge back.
impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.scheme)?;
        if let Some(t) = &self.token68 {
            return write!(f, " {t}");
        }
        for (i, (name, value)) in self.params.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ", " })?;
            write!(f, "{name}=")?;
            write_quoted(f, value)?;
        }
        Ok(())
    }
}

/// Writes `value` as an RFC 9110 quoted-string, escaping `"` and `\`.
pub(crate) fn write_quoted(out: &mut impl fmt::Write, value: &str) -> fmt::Result {
    out.write_char('"')?;
    // Two single-byte searches (memchr) rather than one char-set search, which decodes every
    // character: this runs on the URI, nonce and response of every signed request.
    if value.contains('"') || value.contains('\\') {
        for c in value.chars() {
            if c == '"' || c == '\\' {
                out.write_char('\\')?;
            }
            out.write_char(c)?;
        }
    } else {
        out.write_str(value)?;
    }
    out.write_char('"')
}

/// A cap on what one response's `WWW-Authenticate` headers may hold. Real Digest challenges
/// have about ten parameters and a few hundred bytes; the caps leave ample room for that and
/// stop a hostile or broken server from making the client parse megabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// More than [`Limit::MAX_PARAMS_PER_CHALLENGE`] parameters in one challenge.
    ParamsPerChallenge,
    /// More than [`Limit::MAX_CHALLENGES_PER_RESPONSE`] challenges in one response.
    ChallengesPerResponse,
    /// More than [`Limit::MAX_HEADER_BYTES`] bytes of `WWW-Authenticate` in one response.
    HeaderBytes,
}

impl Limit {
    /// Parameters one challenge may have (RFC 7616 defines eleven).
    pub const MAX_PARAMS_PER_CHALLENGE: usize = 64;
    /// Challenges one response may offer, over all its `WWW-Authenticate` headers.
    pub const MAX_CHALLENGES_PER_RESPONSE: usize = 16;
    /// Bytes of `WWW-Authenticate` one response may carry, over all its headers.
    pub const MAX_HEADER_BYTES: usize = 16 * 1024;

    /// The cap's value.
    pub fn max(self) -> usize {
        match self {
            Self::ParamsPerChallenge => Self::MAX_PARAMS_PER_CHALLENGE,
            Self::ChallengesPerResponse => Self::MAX_CHALLENGES_PER_RESPONSE,
            Self::HeaderBytes => Self::MAX_HEADER_BYTES,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Self::ParamsPerChallenge => "parameters in one challenge",
            Self::ChallengesPerResponse => "challenges in one response",
            Self::HeaderBytes => "bytes of WWW-Authenticate in one response",
        };
        write!(f, "more than {} {what}", self.max())
    }
}

/// A `WWW-Authenticate` value that is not valid RFC 9110 syntax, or that exceeds a [`Limit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    position: usize,
    message: &'static str,
    limit: Option<Limit>,
}

impl ParseError {
    /// The byte offset in the header value where parsing stopped.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The cap that was exceeded, when that is why parsing stopped.
    pub fn limit(&self) -> Option<Limit> {
        self.limit
    }

    pub(crate) fn over(limit: Limit, position: usize) -> Self {
        Self {
            position,
            message: "",
            limit: Some(limit),
        }
    }

    fn at(position: usize, message: &'static str) -> Self {
        Self {
            position,
            message,
            limit: None,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.limit {
            Some(limit) => write!(
                f,
                "{limit} (cap {limit:?}), at byte {}; the server's challenge was not parsed further",
                self.position
            ),
            None => write!(f, "{} at byte {}", self.message, self.position),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses one `WWW-Authenticate` header value into its challenges, in order.
///
/// Schemes and parameter names are kept as written and compared case-insensitively by the
/// accessors. A parameter that occurs twice in one challenge, a control character, an
/// unterminated quoted string or stray text make the whole value an error: a client should not
/// guess which of two `nonce`s the server meant.
///
/// A value longer than [`Limit::MAX_HEADER_BYTES`], with more than
/// [`Limit::MAX_CHALLENGES_PER_RESPONSE`] challenges or a challenge with more than
/// [`Limit::MAX_PARAMS_PER_CHALLENGE`] parameters is an error whose [`ParseError::limit`]
/// names the cap. Parsing takes time linear in the length of `input`.
pub fn parse_challenges(input: &str) -> Result<Vec<Challenge>, ParseError> {
    parse_counted(input, &mut 0)
}

/// [`parse_challenges`], adding to `work` one unit per byte consumed and per comparison made
/// while checking parameter names for duplicates: tests check that the total stays linear.
pub(crate) fn parse_counted(input: &str, work: &mut usize) -> Result<Vec<Challenge>, ParseError> {
    if input.len() > Limit::MAX_HEADER_BYTES {
        return Err(ParseError::over(
            Limit::HeaderBytes,
            Limit::MAX_HEADER_BYTES,
        ));
    }
    let mut p = Parser {
        s: input.as_bytes(),
        pos: 0,
        work: 0,
    };
    let result = parse_all(&mut p);
    *work += p.work + p.pos;
    result
}

/// The challenges of all `WWW-Authenticate` values of one response, the caps applied over all
/// of them together. A malformed value is skipped (another may carry a good challenge) and
/// described in the second item; an exceeded cap stops everything.
pub(crate) fn parse_header_values<'a>(
    values: impl IntoIterator<Item = &'a [u8]>,
) -> Result<(Vec<Challenge>, Option<String>), ParseError> {
    let mut challenges = Vec::new();
    let mut malformed = None;
    let mut bytes = 0usize;
    for value in values {
        bytes = bytes.saturating_add(value.len());
        if bytes > Limit::MAX_HEADER_BYTES {
            return Err(ParseError::over(
                Limit::HeaderBytes,
                Limit::MAX_HEADER_BYTES,
            ));
        }
        match std::str::from_utf8(value) {
            Ok(text) => match parse_challenges(text) {
                Ok(mut v) => challenges.append(&mut v),
                Err(e) if e.limit().is_some() => return Err(e),
                Err(e) => malformed = Some(e.to_string()),
            },
            Err(_) => malformed = Some("not UTF-8".to_owned()),
        }
        if challenges.len() > Limit::MAX_CHALLENGES_PER_RESPONSE {
            return Err(ParseError::over(Limit::ChallengesPerResponse, 0));
        }
    }
    Ok((challenges, malformed))
}

fn parse_all(p: &mut Parser<'_>) -> Result<Vec<Challenge>, ParseError> {
    let mut out = Vec::new();
    loop {
        p.skip_list_separators();
        if p.eof() {
            return Ok(out);
        }
        if out.len() == Limit::MAX_CHALLENGES_PER_RESPONSE {
            return Err(ParseError::over(Limit::ChallengesPerResponse, p.pos));
        }
        let scheme = p.token("expected an authentication scheme")?;
        let mut challenge = Challenge {
            scheme,
            token68: None,
            params: Vec::new(),
        };
        let spaced = p.skip_ows();
        if !p.eof() && p.peek() != Some(b',') {
            if !spaced {
                return Err(p.error("expected a space after the scheme"));
            }
            if let Some(t) = p.token68() {
                challenge.token68 = Some(t);
            } else {
                p.params(&mut challenge.params)?;
            }
        }
        out.push(challenge);
        p.skip_ows();
        match p.peek() {
            None => return Ok(out),
            Some(b',') => {}
            Some(_) => return Err(p.error("expected a comma between challenges")),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    /// Comparisons made on top of reading bytes (see [`parse_counted`]).
    work: usize,
}

/// RFC 9110 §5.6.2 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 9110 §5.6.3 optional whitespace: a space or a tab.
fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// RFC 9110 §11.2 `token68` characters (before the trailing `=`s).
fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

impl Parser<'_> {
    fn eof(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn error(&self, message: &'static str) -> ParseError {
        ParseError::at(self.pos, message)
    }

    /// Where the run of bytes that `accept` takes, starting at `from`, ends.
    fn run_end(&self, from: usize, accept: impl Fn(u8) -> bool) -> usize {
        let rest = self.s.get(from..).unwrap_or_default();
        from + rest.iter().take_while(|&&b| accept(b)).count()
    }

    /// Skips optional whitespace; says whether there was any.
    fn skip_ows(&mut self) -> bool {
        let start = self.pos;
        self.pos = self.run_end(start, is_ows);
        self.pos > start
    }

    /// Skips whitespace and commas: RFC 9110 §5.6.1 lets a list hold empty elements.
    fn skip_list_separators(&mut self) {
        self.pos = self.run_end(self.pos, |b| is_ows(b) || b == b',');
    }

    fn token(&mut self, what: &'static str) -> Result<String, ParseError> {
        let start = self.pos;
        let end = self.run_end(start, is_tchar);
        if end == start {
            return Err(self.error(what));
        }
        self.pos = end;
        Ok(self.slice(start, end))
    }

    fn slice(&self, start: usize, end: usize) -> String {
        // Tokens are ASCII, so any byte range of them is valid UTF-8.
        String::from_utf8_lossy(&self.s[start..end]).into_owned()
    }

    /// A token68, if that is what follows: it must end the challenge (end or comma), which is
    /// what tells `abc==` apart from a parameter `abc=value`.
    fn token68(&mut self) -> Option<String> {
        let start = self.pos;
        let chars_end = self.run_end(start, is_token68_char);
        if chars_end == start {
            return None;
        }
        let end = self.run_end(chars_end, |b| b == b'=');
        let after = self.run_end(end, is_ows);
        if after < self.s.len() && self.s[after] != b',' {
            return None;
        }
        self.pos = end;
        Some(self.slice(start, end))
    }

    /// Whether a parameter (`token BWS "="`) starts here, rather than the next challenge.
    fn at_param(&self) -> bool {
        let name_end = self.run_end(self.pos, is_tchar);
        name_end > self.pos && self.s.get(self.run_end(name_end, is_ows)) == Some(&b'=')
    }

    fn params(&mut self, params: &mut Vec<(String, String)>) -> Result<(), ParseError> {
        // Lower-cased names seen so far: one lookup per parameter, where comparing with every
        // earlier name made a header of n parameters cost n² comparisons.
        let mut seen = HashSet::new();
        loop {
            let name_at = self.pos;
            if params.len() == Limit::MAX_PARAMS_PER_CHALLENGE {
                return Err(ParseError::over(Limit::ParamsPerChallenge, name_at));
            }
            let name = self.token("expected a parameter name")?;
            self.skip_ows();
            if self.peek() != Some(b'=') {
                return Err(self.error("expected '=' after a parameter name"));
            }
            self.pos += 1;
            self.skip_ows();
            let value = if self.peek() == Some(b'"') {
                self.quoted_string()?
            } else {
                self.token("expected a token or a quoted string as parameter value")?
            };
            self.work += 1;
            if !seen.insert(name.to_ascii_lowercase()) {
                return Err(ParseError::at(
                    name_at,
                    "parameter given twice in one challenge",
                ));
            }
            params.push((name, value));
            self.skip_ows();
            if self.peek() != Some(b',') {
                // End of input, or stray text that the caller reports.
                return Ok(());
            }
            // Look past the comma (and empty elements): another parameter, or the next
            // challenge, which the caller parses.
            let comma = self.pos;
            self.skip_list_separators();
            if self.eof() || !self.at_param() {
                self.pos = comma;
                return Ok(());
            }
        }
    }

    fn quoted_string(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut buf = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(ParseError::at(open, "unterminated quoted string"));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ (b'\t' | b' ' | 0x21..=0x7e | 0x80..=0xff)) => {
                            buf.push(c);
                            self.pos += 1;
                        }
                        _ => return Err(self.error("invalid escape in quoted string")),
                    }
                }
                b'\t' | b' ' | 0x21..=0x7e | 0x80..=0xff => {
                    buf.push(b);
                    self.pos += 1;
                }
                _ => return Err(self.error("control character in quoted string")),
            }
        }
        // Only ASCII backslashes were dropped from valid UTF-8, so this cannot fail; map the
        // impossible case to an error rather than panic.
        String::from_utf8(buf).map_err(|_| ParseError::at(open, "invalid UTF-8 in quoted string"))
    }
}

/// Which `qop` values a Digest challenge offers (RFC 7616 §3.3); none means RFC 2069 mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QopOptions {
    /// `auth`: the request line is protected.
    pub auth: bool,
    /// `auth-int`: the request line and the body are protected.
    pub auth_int: bool,
}

/// A Digest challenge (RFC 7616 §3.3) with the parameters a client needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestChallenge {
    pub(crate) realm: String,
    pub(crate) nonce: String,
    pub(crate) opaque: Option<String>,
    pub(crate) algorithm: Algorithm,
    /// Whether the server named the algorithm; if not, the response does not either (RFC 2069
    /// servers may not know the parameter).
    pub(crate) algorithm_named: bool,
    pub(crate) qop: Option<QopOptions>,
    pub(crate) stale: bool,
    pub(crate) userhash: bool,
}

/// Why no usable Digest challenge was found in a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeError {
    message: String,
    limit: Option<Limit>,
}

impl ChallengeError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            limit: None,
        }
    }

    /// The cap the server's `WWW-Authenticate` headers exceeded, when that is the reason.
    pub fn limit(&self) -> Option<Limit> {
        self.limit
    }
}

impl From<ParseError> for ChallengeError {
    fn from(e: ParseError) -> Self {
        Self {
            message: format!("malformed WWW-Authenticate header: {e}"),
            limit: e.limit(),
        }
    }
}

impl fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ChallengeError {}

impl DigestChallenge {
    /// Reads a Digest challenge; fails for another scheme, a missing `realm` or `nonce`, an
    /// unknown algorithm, or a `qop` list with neither `auth` nor `auth-int`.
    pub fn from_challenge(challenge: &Challenge) -> Result<Self, ChallengeError> {
        if !challenge.is_scheme("Digest") {
            return Err(ChallengeError::new(format!(
                "{} is not a Digest challenge",
                challenge.scheme()
            )));
        }
        let realm = challenge
            .param("realm")
            .ok_or_else(|| ChallengeError::new("Digest challenge without realm"))?;
        let nonce = challenge
            .param("nonce")
            .ok_or_else(|| ChallengeError::new("Digest challenge without nonce"))?;
        let (algorithm, algorithm_named) = match challenge.param("algorithm") {
            None => (Algorithm::Md5, false),
            Some(name) => (
                Algorithm::from_name(name).ok_or_else(|| {
                    ChallengeError::new(format!(
                        "Digest challenge with unsupported algorithm {name:?}"
                    ))
                })?,
                true,
            ),
        };
        let qop = match challenge.param("qop") {
            None => None,
            Some(list) => {
                let mut q = QopOptions::default();
                for item in list.split(',').map(str::trim) {
                    if item.eq_ignore_ascii_case("auth") {
                        q.auth = true;
                    } else if item.eq_ignore_ascii_case("auth-int") {
                        q.auth_int = true;
                    }
                }
                if !q.auth && !q.auth_int {
                    return Err(ChallengeError::new(format!(
                        "Digest challenge with unsupported qop {list:?}"
                    )));
                }
                Some(q)
            }
        };
        if qop.is_none() && algorithm.is_session() {
            // A -sess A1 needs a cnonce, which RFC 2069 mode (no qop) cannot send.
            return Err(ChallengeError::new(format!(
                "Digest challenge with {} but without qop",
                algorithm.name()
            )));
        }
        let flag = |name: &str| {
            challenge
                .param(name)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        Ok(Self {
            realm: realm.to_owned(),
            nonce: nonce.to_owned(),
            opaque: challenge.param("opaque").map(str::to_owned),
            algorithm,
            algorithm_named,
            qop,
            stale: flag("stale"),
            userhash: flag("userhash"),
        })
    }

    /// Picks the Digest challenge to answer among all challenges of a response: the strongest
    /// algorithm wins, the server's order breaks ties. Other schemes (Basic above all) are never
    /// chosen. `body_buffered` says whether an `auth-int` only challenge could be answered.
    pub fn select<'a>(
        challenges: impl IntoIterator<Item = &'a Challenge>,
        body_buffered: bool,
    ) -> Result<Self, ChallengeError> {
        let mut best: Option<Self> = None;
        let mut schemes = Vec::new();
        let mut last_error = None;
        for c in challenges {
            if !c.is_scheme("Digest") {
                schemes.push(c.scheme().to_owned());
                continue;
            }
            match Self::from_challenge(c) {
                Ok(d) if !body_buffered && d.qop.is_some_and(|q| !q.auth) => {
                    last_error = Some(ChallengeError::new(
                        "Digest challenge requires qop=auth-int but the request body is a stream",
                    ));
                }
                Ok(d) => {
                    if best
                        .as_ref()
                        .is_none_or(|b| d.algorithm.strength() > b.algorithm.strength())
                    {
                        best = Some(d);
                    }
                }
                Err(e) => last_error = Some(e),
            }
        }
        best.ok_or_else(|| match last_error {
            Some(e) => e,
            None if schemes.is_empty() => {
                ChallengeError::new("the response carries no WWW-Authenticate challenge")
            }
            None => ChallengeError::new(format!(
                "the server offers no Digest challenge (only {}); other schemes are never used",
                schemes.join(", ")
            )),
        })
    }

    /// The protection space the challenge is for.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The server's nonce.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The opaque value to echo, if any.
    pub fn opaque(&self) -> Option<&str> {
        self.opaque.as_deref()
    }

    /// The algorithm (MD5 when the challenge names none).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The `qop` values offered; `None` is RFC 2069 compatibility mode.
    pub fn qop(&self) -> Option<QopOptions> {
        self.qop
    }

    /// Whether the server said the previous nonce was stale (credentials fine, retry).
    pub fn stale(&self) -> bool {
        self.stale
    }

    /// Whether the server wants the username hashed (RFC 7616 §3.4.4).
    pub fn userhash(&self) -> bool {
        self.userhash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: &str) -> Challenge {
        let mut v = parse_challenges(input).unwrap();
        assert_eq!(v.len(), 1, "{input}: {v:?}");
        v.remove(0)
    }

    #[test]
    fn parses_a_digest_challenge_with_quoted_list_and_escapes() {
        let c = one(
            r#"Digest realm="a \"b\" \\ c", qop="auth, auth-int", nonce=abc123, algorithm=SHA-256"#,
        );
        assert!(c.is_scheme("digest"));
        assert_eq!(c.param("REALM"), Some(r#"a "b" \ c"#));
        assert_eq!(c.param("qop"), Some("auth, auth-int"));
        assert_eq!(c.param("nonce"), Some("abc123"));
        assert_eq!(c.param("algorithm"), Some("SHA-256"));
        assert_eq!(c.param("opaque"), None);
    }

    #[test]
    fn splits_several_challenges_in_one_value() {
        let v = parse_challenges(
            r#"Basic realm="x, y", Digest realm="r", nonce="n", Negotiate, Bearer abc==, NTLM"#,
        )
        .unwrap();
        let schemes: Vec<_> = v.iter().map(Challenge::scheme).collect();
        assert_eq!(schemes, ["Basic", "Digest", "Negotiate", "Bearer", "NTLM"]);
        assert_eq!(v[0].param("realm"), Some("x, y"));
        assert_eq!(v[1].param("nonce"), Some("n"));
        assert_eq!(v[3].token68(), Some("abc=="));
        assert_eq!(v[2].params().count(), 0);
    }

    #[test]
    fn accepts_empty_elements_and_whitespace_around_equals() {
        let v = parse_challenges(r#" , Digest realm = "r" ,, nonce= "n" ,  , Basic realm="b","#)
            .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].param("nonce"), Some("n"));
        assert_eq!(v[1].param("realm"), Some("b"));
        assert_eq!(parse_challenges("").unwrap(), vec![]);
    }

    #[test]
    fn rejects_malformed_values() {
        for bad in [
            r#"Digest realm="unterminated"#,
            r#"Digest realm="a", realm="b""#,
            r#"Digest REALM="a", realm="b""#,
            "Digest realm=\"a\u{1}\"",
            r#"Digest realm="a" nonce="b""#,
            r#"Digest realm=, nonce="b""#,
            "Digest realm=\"a\\\u{7f}\"",
            r#"="x""#,
            "Digest realm=\"ok\", n\u{e9}=1",
        ] {
            assert!(parse_challenges(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scheme_and_flags_are_case_insensitive() {
        let c = one(r#"dIgEsT REALM="r", NONCE="n", Algorithm=md5, STALE=TRUE, qop="AUTH""#);
        let d = DigestChallenge::from_challenge(&c).unwrap();
        assert_eq!(d.algorithm(), Algorithm::Md5);
        assert!(d.stale());
        assert_eq!(
            d.qop(),
            Some(QopOptions {
                auth: true,
                auth_int: false
            })
        );
        let c = one(r#"Digest realm="r", nonce="n", stale=False"#);
        assert!(!DigestChallenge::from_challenge(&c).unwrap().stale());
    }

    #[test]
    fn unknown_parameters_are_ignored_and_known_ones_read() {
        let c = one(
            r#"Digest realm="r", nonce="n", opaque="o", domain="/a /b", charset=UTF-8, userhash=true, x-future="1""#,
        );
        let d = DigestChallenge::from_challenge(&c).unwrap();
        assert_eq!(d.opaque(), Some("o"));
        assert!(d.userhash());
        assert_eq!(d.qop(), None);
        assert_eq!(d.realm(), "r");
        assert_eq!(d.nonce(), "n");
    }

    #[test]
    fn incomplete_or_unsupported_digest_challenges_are_refused() {
        for bad in [
            r#"Digest nonce="n""#,
            r#"Digest realm="r""#,
            r#"Digest realm="r", nonce="n", algorithm=SHA-1"#,
            r#"Digest realm="r", nonce="n", qop="auth-conf""#,
            r#"Digest realm="r", nonce="n", algorithm=MD5-sess"#,
            r#"Basic realm="r""#,
        ] {
            assert!(DigestChallenge::from_challenge(&one(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn selects_the_strongest_digest_and_never_basic() {
        let v = parse_challenges(
            r#"Basic realm="b", Digest realm="r", nonce="1", algorithm=MD5, Digest realm="r", nonce="2", algorithm=SHA-512-256, Digest realm="r", nonce="3", algorithm=SHA-256"#,
        )
        .unwrap();
        let d = DigestChallenge::select(&v, true).unwrap();
        assert_eq!(d.algorithm(), Algorithm::Sha512_256);
        assert_eq!(d.nonce(), "2");

        let basic = parse_challenges(r#"Basic realm="b""#).unwrap();
        let e = DigestChallenge::select(&basic, true).unwrap_err();
        assert!(e.to_string().contains("only Basic"), "{e}");

        // Ties keep the server's order; an unusable challenge does not hide a usable one.
        let v = parse_challenges(
            r#"Digest realm="r", nonce="a", algorithm=SHA-1, Digest realm="r", nonce="b", algorithm=sha-256-SESS, qop=auth, Digest realm="r", nonce="c", algorithm=SHA-256"#,
        )
        .unwrap();
        let d = DigestChallenge::select(&v, true).unwrap();
        assert_eq!((d.nonce(), d.algorithm()), ("b", Algorithm::Sha256Sess));
    }

    #[test]
    fn auth_int_only_needs_a_buffered_body() {
        let v = parse_challenges(r#"Digest realm="r", nonce="n", qop="auth-int""#).unwrap();
        assert!(DigestChallenge::select(&v, true).is_ok());
        assert!(DigestChallenge::select(&v, false).is_err());
    }

    #[test]
    fn display_writes_parseable_syntax() {
        let c = one(r#"Digest realm="a\"b", nonce=n"#);
        assert_eq!(c.to_string(), r#"Digest realm="a\"b", nonce="n""#);
        assert_eq!(one("Basic abc==").to_string(), "Basic abc==");
    }

    /// `n` distinct parameters in one Digest challenge: `Digest p0="v", p1="v", ...`.
    fn many_params(n: usize) -> String {
        let params: Vec<String> = (0..n).map(|i| format!("p{i}=\"v\"")).collect();
        format!("Digest {}", params.join(", "))
    }

    #[test]
    fn fifty_thousand_parameters_stop_at_the_byte_cap_without_parsing() {
        // 478 KiB: the old parser compared each name with all earlier ones (55 s in a debug
        // build); now the length alone decides.
        let header = many_params(50_000);
        let mut work = 0;
        let e = parse_counted(&header, &mut work).unwrap_err();
        assert_eq!(e.limit(), Some(Limit::HeaderBytes));
        assert_eq!(work, 0, "nothing was parsed");
        assert!(e.to_string().contains("HeaderBytes"), "{e}");
        assert!(e.to_string().contains("16384 bytes"), "{e}");
    }

    #[test]
    fn each_cap_gives_an_error_naming_it() {
        let at_cap = many_params(Limit::MAX_PARAMS_PER_CHALLENGE);
        assert_eq!(
            parse_challenges(&at_cap).unwrap()[0].params().count(),
            Limit::MAX_PARAMS_PER_CHALLENGE
        );
        let e = parse_challenges(&many_params(Limit::MAX_PARAMS_PER_CHALLENGE + 1)).unwrap_err();
        assert_eq!(e.limit(), Some(Limit::ParamsPerChallenge));
        assert!(e.to_string().contains("more than 64 parameters"), "{e}");

        let challenges = |n: usize| vec!["Basic realm=\"r\""; n].join(", ");
        assert_eq!(
            parse_challenges(&challenges(Limit::MAX_CHALLENGES_PER_RESPONSE))
                .unwrap()
                .len(),
            Limit::MAX_CHALLENGES_PER_RESPONSE
        );
        let e = parse_challenges(&challenges(Limit::MAX_CHALLENGES_PER_RESPONSE + 1)).unwrap_err();
        assert_eq!(e.limit(), Some(Limit::ChallengesPerResponse));

        // Over several header values of one response, the caps hold for the sum.
        let one = "Basic realm=\"r\"".to_owned();
        let values = vec![one; Limit::MAX_CHALLENGES_PER_RESPONSE + 1];
        let e = parse_header_values(values.iter().map(|v| v.as_bytes())).unwrap_err();
        assert_eq!(e.limit(), Some(Limit::ChallengesPerResponse));
        let big = format!("Digest realm=\"{}\"", "x".repeat(9000));
        let e = parse_header_values([big.as_bytes(), big.as_bytes()]).unwrap_err();
        assert_eq!(e.limit(), Some(Limit::HeaderBytes));
        assert_eq!(ChallengeError::from(e).limit(), Some(Limit::HeaderBytes));
        // A malformed value next to a good one is skipped, not fatal.
        let (v, malformed) =
            parse_header_values([&b"Digest realm=\"open"[..], b"Digest realm=\"r\", nonce=n"])
                .unwrap();
        assert_eq!((v.len(), malformed.is_some()), (1, true));
    }

    #[test]
    fn duplicate_check_work_is_linear_in_the_parameter_count() {
        // With the caps lifted this would be the quadratic part; count it directly.
        for n in [10usize, 60] {
            let header = many_params(n);
            let mut p = Parser {
                s: header.as_bytes(),
                pos: 0,
                work: 0,
            };
            parse_all(&mut p).unwrap();
            assert_eq!(p.work, n, "one set lookup per parameter");
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        fn token() -> impl Strategy<Value = String> {
            "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
        }

        /// Values a quoted-string can carry: visible ASCII, space, tab and non-ASCII text.
        fn value() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    proptest::char::range(' ', '~'),
                    Just('\t'),
                    Just('"'),
                    Just('\\'),
                    Just(','),
                    Just('='),
                    proptest::char::range('\u{80}', '\u{10ffff}'),
                ],
                0..24,
            )
            .prop_map(|v| v.into_iter().collect())
        }

        fn challenge() -> impl Strategy<Value = Challenge> {
            let params = proptest::collection::vec((token(), value()), 0..6).prop_map(|ps| {
                let mut out: Vec<(String, String)> = Vec::new();
                for (n, v) in ps {
                    if !out.iter().any(|(m, _)| m.eq_ignore_ascii_case(&n)) {
                        out.push((n, v));
                    }
                }
                out
            });
            let token68 = "[A-Za-z0-9._~+/-]{1,16}={0,2}";
            (
                token(),
                prop_oneof![params.prop_map(Err), token68.prop_map(Ok)],
            )
                .prop_map(|(scheme, rest)| match rest {
                    Ok(t) => Challenge {
                        scheme,
                        token68: Some(t),
                        params: Vec::new(),
                    },
                    Err(params) => Challenge {
                        scheme,
                        token68: None,
                        params,
                    },
                })
        }

        proptest! {
            #[test]
            fn never_panics_on_arbitrary_text(s in any::<String>()) {
                let _ = parse_challenges(&s);
            }

            #[test]
            fn never_panics_on_header_like_text(s in r#"[A-Za-z0-9 ,="\\\t=/+.-]{0,80}"#) {
                if let Ok(v) = parse_challenges(&s) {
                    // Whatever parses also survives its own rendering.
                    let again = parse_challenges(&join(&v)).unwrap();
                    prop_assert_eq!(again, v);
                }
            }

            /// Work (bytes read plus name comparisons) is at most a small multiple of the input
            /// size, whatever the number of parameters: 2n parameters cost about twice n.
            #[test]
            fn parse_work_stays_linear(n in 1usize..=64, value_len in 0usize..40) {
                let header = |n: usize| {
                    let params: Vec<String> = (0..n)
                        .map(|i| format!("p{i}=\"{}\"", "v".repeat(value_len)))
                        .collect();
                    format!("Digest {}", params.join(", "))
                };
                let (small, large) = (header(n / 2 + 1), header(n));
                let (mut w_small, mut w_large) = (0, 0);
                prop_assert!(parse_counted(&small, &mut w_small).is_ok());
                prop_assert!(parse_counted(&large, &mut w_large).is_ok());
                prop_assert!(w_large <= 2 * large.len(), "{} work for {} bytes", w_large, large.len());
                prop_assert!(w_small <= 2 * small.len());
                // Doubling the parameters at most doubles (plus slack) the work.
                prop_assert!(w_large <= 3 * w_small + 64, "{} vs {}", w_large, w_small);
            }

            #[test]
            fn round_trips_what_it_writes(v in proptest::collection::vec(challenge(), 0..5)) {
                let text = join(&v);
                let parsed = parse_challenges(&text);
                prop_assert_eq!(parsed, Ok(v), "{}", text);
            }
        }

        fn join(v: &[Challenge]) -> String {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}
