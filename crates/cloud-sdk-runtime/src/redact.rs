//! What configured values may show in errors, `Debug` output and logs: URLs without user-info or
//! query, values that failed to parse described rather than echoed, and key ids cut to a prefix.
//!
//! # Key-id policy
//!
//! An access key id (the Huawei AK, the OceanBase AccessKey ID) is an identifier, not a secret:
//! alone it signs nothing. But it is half of a credential pair, names an account to whoever reads
//! a shared log, and a pasted line should not hand out that pair's first half. So every vendor
//! shows the same thing: the first four characters and `…` ([`KeyId`]), enough to tell which of
//! a user's keys was used; the secret half never; and never a query string, which some APIs use
//! for ids and signatures.

use std::fmt;

/// A URL as errors and logs may show it: scheme, host, port and path. User-info
/// (`https://alice:secret@host`), query and fragment are left out: any of them may hold a
/// credential someone pasted into a configuration value.
pub(crate) struct UrlForLog<'a>(pub(crate) &'a url::Url);

impl fmt::Display for UrlForLog<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.0;
        write!(f, "{}://{}", url.scheme(), url.host_str().unwrap_or(""))?;
        if let Some(port) = url.port() {
            write!(f, ":{port}")?;
        }
        f.write_str(url.path())?;
        if !url.username().is_empty() || url.password().is_some() {
            f.write_str(" (user-info removed)")?;
        }
        Ok(())
    }
}

/// Header names whose values are credentials, wherever they come from: a server may echo a
/// request's `Authorization` or `X-Auth-Token`, and IAM answers with `X-Subject-Token`.
const CREDENTIAL_HEADERS: [&str; 7] = [
    "authorization",
    "proxy-authorization",
    "x-auth-token",
    "x-subject-token",
    "x-security-token",
    "cookie",
    "set-cookie",
];

/// Headers as `Debug` may show them: every name, and the values of credential headers (and
/// of any value marked sensitive) replaced by `***`.
pub(crate) struct HeadersForLog<'a>(pub(crate) &'a http::HeaderMap);

impl fmt::Debug for HeadersForLog<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || CREDENTIAL_HEADERS.contains(&name.as_str()) {
                map.entry(name, &format_args!("***"));
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// A configured URL for an error message: [`UrlForLog`] when it parses; when it does not, its
/// length and the parser's reason, never the text itself (it may be a secret pasted into the
/// wrong variable).
pub(crate) fn describe_url(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(url) => UrlForLog(&url).to_string(),
        Err(e) => format!("{} ({e})", describe_value(text)),
    }
}

/// A configured value that failed a check, described by its shape instead of echoed: the value
/// may be a password pasted into the wrong variable.
pub(crate) fn describe_value(text: &str) -> String {
    let chars = text.chars().count();
    let punctuation =
        |c: char| c.is_ascii_punctuation() && !matches!(c, '-' | '.' | ':' | '/' | '_');
    let kinds: Vec<&str> = [
        (
            text.chars().any(|c| c.is_ascii_uppercase()),
            "upper-case letters",
        ),
        (text.chars().any(char::is_whitespace), "whitespace"),
        (!text.is_ascii(), "non-ASCII characters"),
        (text.chars().any(punctuation), "punctuation"),
    ]
    .into_iter()
    .filter_map(|(has, kind)| has.then_some(kind))
    .collect();
    let mut out = format!("a value of {chars} characters");
    if !kinds.is_empty() {
        out.push_str(" with ");
        out.push_str(&kinds.join(", "));
    }
    out.push_str(" (not shown)");
    out
}

/// `text` from a server for an error message: every occurrence of each of `secrets` (as is,
/// and JSON-escaped in any of the ways encoders write it, as an echoed request body carries
/// it) replaced by `***`, control characters dropped, then cut to `max` characters. Empty
/// secrets are ignored.
pub(crate) fn scrub(text: &str, secrets: &[&str], max: usize) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let spans = secret_spans(&out, secret);
        if spans.is_empty() {
            continue;
        }
        let mut scrubbed = String::with_capacity(out.len());
        let mut from = 0;
        for (start, end) in spans {
            scrubbed.push_str(&out[from..start]);
            scrubbed.push_str("***");
            from = end;
        }
        scrubbed.push_str(&out[from..]);
        out = scrubbed;
    }
    let mut cut: String = out.chars().filter(|c| !c.is_control()).take(max).collect();
    if out.chars().filter(|c| !c.is_control()).count() > max {
        cut.push('…');
    }
    cut
}

/// Whether `text` quotes one of `secrets`, as is or JSON-escaped (what [`scrub`] replaces).
pub(crate) fn quotes(text: &str, secrets: &[&str]) -> bool {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .any(|s| !secret_spans(text, s).is_empty())
}

/// Where `text` quotes `secret` (not empty), as byte ranges of `text`, in order, overlapping
/// ones merged: as is, and as it reads once JSON string escapes are decoded. An encoder may
/// escape any character of a JSON string (`\u00e4` for `ä` from an ASCII-only encoder, `\/`
/// for `/`, `\u003d` for `=` from an HTML-safe one), so no list of escaped forms covers them
/// all; reading the escapes does.
fn secret_spans(text: &str, secret: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = text
        .match_indices(secret)
        .map(|(at, s)| (at, at + s.len()))
        .collect();
    if !text.contains('\\') {
        return spans;
    }
    spans.extend(escaped_matches(text, secret));
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Where `secret` (not empty) stands in `text` once its JSON string escapes are decoded (`\"`,
/// `\\`, `\/`, `\n` and the like, `\uXXXX` and surrogate pairs; anything else, a malformed
/// escape included, stands for itself), as byte ranges of `text`. One pass over the text
/// (Knuth-Morris-Pratt over the decoded characters), holding no more than the secret's
/// length: the text is a server's, as long as the size limit lets it be.
fn escaped_matches(text: &str, secret: &str) -> Vec<(usize, usize)> {
    let pattern: Vec<char> = secret.chars().collect();
    // `fail[i]`: the longest proper prefix of `pattern[..=i]` that is also its suffix.
    let mut fail = vec![0usize; pattern.len()];
    let mut k = 0;
    for i in 1..pattern.len() {
        while k > 0 && pattern[i] != pattern[k] {
            k = fail[k - 1];
        }
        if pattern[i] == pattern[k] {
            k += 1;
        }
        fail[i] = k;
    }
    // Where each of the last decoded characters starts in `text`.
    let mut starts = std::collections::VecDeque::with_capacity(pattern.len());
    let mut found = Vec::new();
    let (mut at, mut matched) = (0, 0);
    while let Some(c) = text[at..].chars().next() {
        let (c, len) = match c {
            '\\' => unescape(&text[at..]).unwrap_or((c, 1)),
            c => (c, c.len_utf8()),
        };
        if starts.len() == pattern.len() {
            starts.pop_front();
        }
        starts.push_back(at);
        at += len;
        while matched > 0 && pattern[matched] != c {
            matched = fail[matched - 1];
        }
        if pattern[matched] == c {
            matched += 1;
        }
        if matched == pattern.len() {
            if let Some(&start) = starts.front() {
                found.push((start, at));
            }
            matched = fail[matched - 1];
        }
    }
    found
}

/// The character a JSON escape at the start of `s` (which starts with a backslash) stands
/// for, and its length in bytes; `None` when it is not one.
fn unescape(s: &str) -> Option<(char, usize)> {
    let short = match s.as_bytes().get(1)? {
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'u' => None,
        _ => return None,
    };
    if let Some(c) = short {
        return Some((c, 2));
    }
    let unit = |s: &str| {
        let hex = s.strip_prefix("\\u")?.get(..4)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(hex, 16).ok()
    };
    let high = unit(s)?;
    if let Some(c) = char::from_u32(high) {
        return Some((c, 6));
    }
    // A surrogate: a character beyond the first plane is written as a pair.
    let low = unit(s.get(6..)?)?;
    if !(0xD800..0xDC00).contains(&high) || !(0xDC00..0xE000).contains(&low) {
        return None;
    }
    let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?;
    Some((c, 12))
}

/// An access key id as errors, `Debug` and logs show it: the first four characters and `…`.
/// Ids shorter than eight characters show only `…`, since four characters would be most of
/// them.
///
/// An access key id is an identifier, not a secret: alone it signs nothing. But it is half of
/// a credential pair and names an account to whoever reads a shared log, so every vendor (and
/// the command-line tool) shows the same short form, enough to tell which of a user's keys
/// was used.
#[cfg(any(feature = "digest", feature = "huawei"))]
pub struct KeyId<'a>(pub &'a str);

#[cfg(any(feature = "digest", feature = "huawei"))]
impl fmt::Display for KeyId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.chars().count() >= 8 {
            f.write_str(&self.0[..self.0.char_indices().nth(4).map_or(0, |(i, _)| i)])?;
        }
        f.write_str("…")
    }
}

#[cfg(any(feature = "digest", feature = "huawei"))]
impl fmt::Debug for KeyId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;

    #[test]
    fn urls_lose_user_info_query_and_fragment() {
        let shown = describe_url("https://alice:s3cret@iam.example:8443/v3/x?token=t0k#frag");
        assert_eq!(shown, "https://iam.example:8443/v3/x (user-info removed)");
        assert_eq!(describe_url("https://das.example"), "https://das.example/");
        assert!(!describe_url("https://:pw-only@h/").contains("pw-only"));
    }

    #[test]
    fn credential_headers_show_their_names_only() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-auth-token",
            http::HeaderValue::from_static("MIIE-echoed"),
        );
        headers.insert("Set-Cookie", http::HeaderValue::from_static("sid=abc"));
        let mut marked = http::HeaderValue::from_static("opaque-value");
        marked.set_sensitive(true);
        headers.insert("x-custom", marked);
        headers.insert("x-request-id", http::HeaderValue::from_static("req-1"));
        let shown = format!("{:?}", HeadersForLog(&headers));
        assert!(
            !shown.contains("MIIE") && !shown.contains("sid=") && !shown.contains("opaque"),
            "{shown}"
        );
        assert!(
            shown.contains("\"x-auth-token\": ***") && shown.contains("\"req-1\""),
            "{shown}"
        );
    }

    #[test]
    fn values_that_do_not_parse_are_described_not_echoed() {
        let shown = describe_url("hunter2 Secret!");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.starts_with("a value of 15 characters"), "{shown}");
        assert!(
            shown.contains("whitespace") && shown.contains("relative URL"),
            "{shown}"
        );
        let shown = describe_value("Pa$$wörd");
        assert!(!shown.contains("Pa$$"), "{shown}");
        assert!(
            shown.contains("non-ASCII") && shown.contains("punctuation"),
            "{shown}"
        );
    }

    #[test]
    fn scrub_removes_secrets_before_cutting() {
        let pw = "pa\"ss\\wörd";
        let echoed = format!(
            "bad request: {{\"password\":{}}} and again {pw}\n",
            serde_json::to_string(pw).unwrap()
        );
        let clean = scrub(&echoed, &[pw, ""], 1000);
        assert!(
            !clean.contains("wörd") && !clean.contains("w\\u00f6rd") && !clean.contains('\n'),
            "{clean}"
        );
        assert_eq!(clean.matches("***").count(), 2, "{clean}");
        // Cut after removal: no prefix of the secret survives at the cut.
        let long = format!("{}{pw}", "x".repeat(10));
        assert_eq!(scrub(&long, &[pw], 12), format!("{}**…", "x".repeat(10)));
    }

    /// Encoders escape what they like: every non-ASCII character (Python, in lower-case hex;
    /// Jackson, in upper case), `/` (PHP), `=` and `'` (Gson), a character beyond the first
    /// plane as a surrogate pair. A secret quoted in any of these forms is scrubbed whole, and
    /// one written with a backslash of its own is scrubbed as is too.
    #[test]
    fn scrub_removes_secrets_in_every_json_escaped_form() {
        let pw = "Gauß/a='b'😀";
        for echoed in [
            r"Gau\u00df\/a='b'\ud83d\ude00",
            r"Gau\u00DF/a='b'\uD83D\uDE00",
            r"Gauß\/a\u003d\u0027b\u0027😀",
            r"\u0047\u0061\u0075\u00df\u002f\u0061\u003d\u0027\u0062\u0027\ud83d\ude00",
        ] {
            let text = format!("bad password {echoed}, try again");
            assert_eq!(
                scrub(&text, &[pw], 1000),
                "bad password ***, try again",
                "{echoed}"
            );
            assert!(quotes(&text, &[pw]), "{echoed}");
        }
        let pw = r"a\nb";
        assert_eq!(scrub(r"x a\nb y a\\nb z", &[pw], 1000), "x *** y *** z");
        // Escapes that are not secrets stay as they are.
        assert_eq!(
            scrub(r"\u00df \ud83d \x \", &[pw], 1000),
            r"\u00df \ud83d \x \"
        );
        assert!(!quotes(r"Gau\u00df", &["Gauss"]));
    }

    #[test]
    #[cfg(any(feature = "digest", feature = "huawei"))]
    fn key_ids_show_a_four_character_prefix() {
        assert_eq!(KeyId("HPUAREDACTIONTESTAK01").to_string(), "HPUA…");
        assert_eq!(format!("{:?}", KeyId("AKIAIOSFODNN7EXAMPLE")), "\"AKIA…\"");
        assert_eq!(KeyId("short").to_string(), "…");
        assert_eq!(KeyId("ÄÖÜßabcdefg").to_string(), "ÄÖÜß…");
    }
}
