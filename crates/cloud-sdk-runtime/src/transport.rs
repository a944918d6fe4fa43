//! The transport policy every generated client and the IAM token provider go through: one
//! HTTP client built here (redirects never followed), time limits per attempt and per call,
//! and a size limit on every response body.
//!
//! Why redirects are never followed: reqwest strips only `Authorization`, `Cookie` and
//! `Proxy-Authorization` when it follows one to another origin, so `X-Auth-Token`,
//! `X-Security-Token` and request bodies (a DAS database password, an IAM password) would go
//! to whatever origin a server names, plain `http://` included. None of the documented APIs
//! redirects; a `3xx` is reported as [`ErrorKind::RedirectRefused`] naming the origin asked for.
//!
//! Why plain `http://` never goes through the environment's proxy: see
//! [`Transport::check_secure`].

use std::{
    fmt,
    future::Future as _,
    ops::Deref,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use tokio::time::{Instant, Sleep};

use crate::error::{ConfigError, Error, ErrorKind};

/// The time and size limits of a client's calls; [`Limits::default`] documents the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest one attempt may take, from sending to the last byte of the response.
    pub attempt_timeout: Duration,
    /// The longest a whole call may take: every attempt, back-off wait, Digest probe and token
    /// refresh, and the reading of the response body.
    pub call_timeout: Duration,
    /// The longest a TCP and TLS connection may take to open.
    pub connect_timeout: Duration,
    /// The largest response body read, in bytes; a larger one fails the call with
    /// [`ErrorKind::ResponseTooLarge`] (refused by `Content-Length` before it is read, or cut
    /// where the stream passes the limit).
    pub max_response_bytes: u64,
}

impl Default for Limits {
    /// 15 s per attempt, 30 s per call, 10 s to connect, 16 MiB per response body.
    fn default() -> Self {
        Self {
            attempt_timeout: Duration::from_secs(15),
            call_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 16 * 1024 * 1024,
        }
    }
}

/// The HTTP client of one runtime and the rules it is used under. Dereferences to the
/// `reqwest::Client`, which authenticators use to send.
#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    allow_insecure_http: bool,
    max_response_bytes: u64,
    attempt_timeout: Duration,
}

impl Transport {
    /// A transport with reqwest's default settings (but the environment's proxy for https
    /// only, see [`Transport::check_secure`]) and the runtime's policy (no redirects), for code
    /// that sends outside a [`crate::Runtime`] (a token provider under test).
    pub fn new(limits: &Limits, allow_insecure_http: bool) -> Result<Self, ConfigError> {
        Self::build(None, limits, allow_insecure_http)
    }

    /// Builds the client from `builder` (the caller's settings: proxies, TLS roots...; without
    /// one, reqwest's defaults but the environment's proxy for https only) with the runtime's
    /// policy on top: no redirects, the limits' connect timeout, and the attempt timeout as
    /// every request's default. A request then carries a timeout of its own only when what is
    /// left of its call's time limit is shorter (setting one costs reqwest an extension map on
    /// the request, and every copy of the request a copy of the map).
    pub(crate) fn build(
        builder: Option<reqwest::ClientBuilder>,
        limits: &Limits,
        allow_insecure_http: bool,
    ) -> Result<Self, ConfigError> {
        let client = builder
            .unwrap_or_else(default_builder)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.attempt_timeout)
            // The runtime retries (see `refused_unprocessed`); reqwest's layer would copy
            // every request in case it had to retry an HTTP/2 refusal itself.
            .retry(reqwest::retry::never().max_retries_per_request(0))
            .build()
            .map_err(|e| ConfigError::new(format!("could not build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            allow_insecure_http,
            max_response_bytes: limits.max_response_bytes,
            attempt_timeout: limits.attempt_timeout,
        })
    }

    /// Whether plain `http://` may carry credentials (loopback tests only). The one switch
    /// covers the API and the IAM token endpoint.
    pub fn allows_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    /// The response body size limit.
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// The timeout every request has unless it carries a shorter one: the limits' attempt
    /// timeout, from sending to the last byte of the response.
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// Refuses `url` when it is plain `http://` to another machine and credentials would
    /// travel with it. Plain http to a loopback address never leaves this machine.
    ///
    /// Nor does it go through a proxy: reqwest would send plain `http://` requests, their
    /// `X-Auth-Token` or Digest `Authorization` in clear text, to the proxy that `HTTP_PROXY`
    /// or `ALL_PROXY` names, wherever that is. So the runtime's own HTTP client takes the
    /// environment's proxy (`HTTPS_PROXY`, else `ALL_PROXY`, minus `NO_PROXY`) for `https://`
    /// only, which a proxy tunnels (`CONNECT`) without seeing; plain `http://` always goes
    /// direct. The client is built once per runtime, before any base URL is known, hence a rule
    /// per request's scheme. A builder given to [`crate::RuntimeBuilder::http_client`] keeps
    /// its proxy settings as reqwest applies them (the environment's for plain http too,
    /// unless it sets proxies or calls `no_proxy()`).
    pub fn check_secure(&self, url: &url::Url, what: &str) -> Result<(), Error> {
        if url.scheme() == "https" || self.allow_insecure_http || is_loopback_http(url) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::InsecureUrl,
            format!(
                "refusing to send {what} over plain {}:// to {}; use an https:// URL \
                 (plain http is allowed to loopback addresses only)",
                url.scheme(),
                origin(url)
            ),
        ))
    }

    /// Reads a whole body, refusing it past the size limit (by `Content-Length` first).
    pub async fn read_limited(&self, response: reqwest::Response) -> Result<Bytes, Error> {
        read_limited(response, self.max_response_bytes).await
    }
}

/// reqwest's default client builder, except that the environment's proxy applies to
/// `https://` requests only (see [`Transport::check_secure`]).
fn default_builder() -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder().no_proxy();
    match env_https_proxy() {
        Some(proxy) => builder.proxy(proxy),
        None => builder,
    }
}

/// The environment's proxy for `https://` requests, read as reqwest reads it: `HTTPS_PROXY`
/// (or `https_proxy`), else `ALL_PROXY` (or `all_proxy`), not for the hosts of `NO_PROXY` (or
/// `no_proxy`); a value that is not a URL is skipped. None in a CGI program (`REQUEST_METHOD`
/// set), where a `Proxy:` request header arrives as `HTTP_PROXY`.
fn env_https_proxy() -> Option<reqwest::Proxy> {
    if std::env::var_os("REQUEST_METHOD").is_some() {
        return None;
    }
    [["HTTPS_PROXY", "https_proxy"], ["ALL_PROXY", "all_proxy"]]
        .iter()
        .filter_map(|names| names.iter().find_map(|name| std::env::var(name).ok()))
        .find_map(|value| reqwest::Proxy::https(value).ok())
        .map(|proxy| proxy.no_proxy(reqwest::NoProxy::from_env()))
}

/// `start + limit`: when a call or a wait started at `start` must end. A limit too large to add
/// is no limit: about thirty years.
pub(crate) fn deadline(start: Instant, limit: Duration) -> Instant {
    start
        .checked_add(limit)
        .unwrap_or_else(|| start + Duration::from_secs(30 * 365 * 86_400))
}

/// Whether `url` is plain `http://` to this machine: an IP literal in `127.0.0.0/8`, `::1`, or
/// `localhost` (RFC 6761 reserves it for loopback). Credentials may go there without TLS; a
/// redirect cannot lead there, since redirects are never followed.
pub(crate) fn is_loopback_http(url: &url::Url) -> bool {
    url.scheme() == "http"
        && match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        }
}

impl Deref for Transport {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        &self.client
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("redirects", &"never followed")
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// `scheme://host[:port]` of `url`, never its user-info, path or query.
pub(crate) fn origin(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("<no host>");
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// The origin the `Location` of a redirect `response` names, for an error message (never its
/// path or query).
pub(crate) fn redirect_origin(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| response.url().join(v).ok())
        .map(|u| origin(&u))
        .unwrap_or_else(|| "an unnamed place".to_owned())
}

/// The error for a response over `limit` bytes.
fn too_large(limit: u64, what: &str) -> Error {
    Error::new(
        ErrorKind::ResponseTooLarge,
        format!(
            "the response body {what} the client's limit of {limit} bytes; raise it with \
             RuntimeBuilder::max_response_bytes if such answers are expected"
        ),
    )
}

/// Refuses a response whose `Content-Length` is over `limit` before anything is read.
pub(crate) fn check_content_length(response: &reqwest::Response, limit: u64) -> Result<(), Error> {
    match response.content_length() {
        Some(length) if length > limit => Err(too_large(limit, "announced is larger than")
            .with_answer(response.status(), response.headers(), None)),
        _ => Ok(()),
    }
}

/// Reads a whole body, at most `limit` bytes of it.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Bytes, Error> {
    check_content_length(&response, limit)?;
    let mut out = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if (out.len() + chunk.len()) as u64 > limit {
                    return Err(too_large(limit, "is larger than"));
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(Bytes::from(out)),
            Err(e) => {
                let kind = if e.is_timeout() {
                    ErrorKind::TimedOut
                } else {
                    ErrorKind::Transport
                };
                return Err(Error::new(
                    kind,
                    format!("reading the response failed: {}", root_cause(&e)),
                ));
            }
        }
    }
}

/// Reads a body whose content is not needed (a refusal's) to its end, so that its connection
/// goes back to the pool; one over `limit` bytes (announced, or streamed past it) is dropped
/// there, closing its connection. Nothing is kept, so a server cannot make the client read or
/// hold more than the limit for it. (Digest's refusals are the ones read this way.)
#[cfg(feature = "digest")]
pub(crate) async fn discard(mut response: reqwest::Response, limit: u64) {
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return;
    }
    let mut read = 0u64;
    while let Ok(Some(chunk)) = response.chunk().await {
        read += chunk.len() as u64;
        if read > limit {
            return;
        }
    }
}

/// The innermost cause of an error, which says what happened without reqwest's URL.
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let innermost = crate::error::chain(error).last();
    innermost.map(ToString::to_string).unwrap_or_default()
}

/// The longest URL an HTTP request can carry: the `http` crate's limit on a URI, which reqwest
/// turns every URL into before it sends.
const MAX_URL_BYTES: usize = u16::MAX as usize - 1;

/// Refuses a request that the HTTP client could never send (a URL over the length a URI may
/// have, as a path or query value of many kilobytes makes it), as
/// [`ErrorKind::InvalidRequest`]: nothing is sent and nothing is retried. Checked before any
/// authentication, so that no token is fetched and no Digest probe is sent for it.
pub(crate) fn check_sendable(request: &reqwest::Request) -> Result<(), Error> {
    let length = request.url().as_str().len();
    if length > MAX_URL_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            format!(
                "the request was not sent: its URL is {length} bytes long, over the {MAX_URL_BYTES} \
                 bytes an HTTP request line can carry; a path or query value is far too long \
                 (check the values given to this call)"
            ),
        ));
    }
    Ok(())
}

/// Whether the server refused the request before processing it, as HTTP/2 says so: a
/// `REFUSED_STREAM` reset (RFC 9113, 8.7) or a graceful `GOAWAY` (`NO_ERROR`) from the server.
/// reqwest's own retry layer, which retried exactly these, is turned off (it copied every
/// request for it); the runtime's policy retries them instead, with its back-off and limits,
/// and the IAM token provider for its own request.
pub(crate) fn refused_unprocessed(error: &reqwest::Error) -> bool {
    crate::error::in_chain::<h2::Error>(error).is_some_and(|h2| {
        h2.is_remote()
            && ((h2.is_reset() && h2.reason() == Some(h2::Reason::REFUSED_STREAM))
                || (h2.is_go_away() && h2.reason() == Some(h2::Reason::NO_ERROR)))
    })
}

/// `response` with its body bounded by `limit` bytes and by `deadline`: past either, reading
/// fails with [`ErrorKind::ResponseTooLarge`] or [`ErrorKind::TimedOut`].
pub(crate) fn guard(
    response: reqwest::Response,
    limit: u64,
    deadline: Instant,
) -> reqwest::Response {
    let url = response.url().clone();
    let (mut parts, body) = http::Response::from(response).into_parts();
    // reqwest keeps the URL in an extension of its own, set only through its builder extension
    // (which cannot fail: nothing else is set on the builder).
    use reqwest::ResponseBuilderExt as _;
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(with_url.into_parts().0.extensions);
    }
    let guarded = GuardedBody {
        inner: body,
        read: 0,
        limit,
        timer: Box::pin(tokio::time::sleep_until(deadline)),
    };
    reqwest::Response::from(http::Response::from_parts(
        parts,
        reqwest::Body::wrap(guarded),
    ))
}

struct GuardedBody {
    inner: reqwest::Body,
    read: u64,
    limit: u64,
    /// Ends at the call's deadline.
    timer: Pin<Box<Sleep>>,
}

/// The error for a body still unread at the call's deadline.
fn body_timed_out() -> Box<dyn std::error::Error + Send + Sync> {
    Box::new(Error::new(
        ErrorKind::TimedOut,
        "the response body did not arrive within the call's time limit; raise it with \
         Client::with_timeout or RuntimeBuilder::call_timeout",
    ))
}

impl http_body::Body for GuardedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(body_timed_out())));
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.read += data.len() as u64;
                    if this.read > this.limit {
                        return Poll::Ready(Some(Err(Box::new(too_large(
                            this.limit,
                            "is larger than",
                        )))));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_the_request_as_it_would_be_sent_again() {
        let url: url::Url = "https://css.example.com/v1.0/p/clusters?limit=10"
            .parse()
            .unwrap();
        let mut get = reqwest::Request::new(http::Method::GET, url.clone());
        get.headers_mut()
            .insert("x-project-id", http::HeaderValue::from_static("p"));
        get.headers_mut()
            .append("accept", http::HeaderValue::from_static("application/json"));
        *get.version_mut() = http::Version::HTTP_2;
        let copy = get.try_clone().unwrap();
        assert_eq!(copy.method(), http::Method::GET);
        assert_eq!(copy.url(), &url);
        assert_eq!(copy.headers(), get.headers());
        assert_eq!(copy.version(), http::Version::HTTP_2);
        assert_eq!(copy.timeout(), None);
        // A request's own timeout goes with it.
        *get.timeout_mut() = Some(Duration::from_millis(1234));
        assert_eq!(
            get.try_clone().unwrap().timeout(),
            Some(&Duration::from_millis(1234))
        );
        // A body in memory is kept; a stream cannot be sent twice.
        let mut post = reqwest::Request::new(http::Method::POST, url.clone());
        *post.body_mut() = Some(reqwest::Body::from("{\"a\":1}"));
        let copy = post.try_clone().unwrap();
        assert_eq!(
            copy.body().and_then(reqwest::Body::as_bytes),
            Some(&b"{\"a\":1}"[..])
        );
        let mut streamed = reqwest::Request::new(http::Method::POST, url);
        *streamed.body_mut() = Some(reqwest::Body::wrap(OneFrame(Some(
            bytes::Bytes::from_static(b"x"),
        ))));
        assert!(streamed.try_clone().is_none());
    }

    /// A body whose bytes are not in memory: one frame, produced when polled.
    struct OneFrame(Option<bytes::Bytes>);

    impl http_body::Body for OneFrame {
        type Data = bytes::Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, std::io::Error>>>
        {
            std::task::Poll::Ready(self.0.take().map(|b| Ok(http_body::Frame::data(b))))
        }
    }

    fn answered(body: &'static str) -> reqwest::Response {
        reqwest::Response::from(http::Response::new(body))
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    // A body already at hand arms no timer; the deadline must still hold for it.
    #[test]
    fn a_body_at_hand_is_refused_once_the_deadline_has_passed() {
        runtime().block_on(async {
            let deadline = Instant::now();
            tokio::time::sleep(Duration::from_millis(5)).await;
            let error = guard(answered("{}"), 1024, deadline)
                .bytes()
                .await
                .unwrap_err();
            let found = crate::seam::find(&error).map(Error::kind);
            assert_eq!(found, Some(ErrorKind::TimedOut), "{error:?}");
        });
    }

    #[test]
    fn a_guarded_response_keeps_its_url_status_version_and_headers() {
        use reqwest::ResponseBuilderExt as _;
        let url = url::Url::parse("https://css.example.com/v1.0/p?x=1").unwrap();
        let answered = http::Response::builder()
            .status(202)
            .version(http::Version::HTTP_2)
            .header("x-request-id", "r-1")
            .url(url.clone())
            .body("{}")
            .unwrap();
        let guarded = runtime().block_on(async {
            let deadline = Instant::now() + Duration::from_secs(30);
            guard(reqwest::Response::from(answered), 1024, deadline)
        });
        assert_eq!(guarded.url(), &url);
        assert_eq!(guarded.status(), http::StatusCode::ACCEPTED);
        assert_eq!(guarded.version(), http::Version::HTTP_2);
        assert_eq!(guarded.headers()["x-request-id"], "r-1");
    }

    #[test]
    fn a_body_at_hand_within_the_deadline_and_limit_is_read() {
        runtime().block_on(async {
            let deadline = Instant::now() + Duration::from_secs(30);
            let body = guard(answered("{\"a\":1}"), 1024, deadline)
                .bytes()
                .await
                .unwrap();
            assert_eq!(&body[..], b"{\"a\":1}");
            let error = guard(answered("{\"a\":1}"), 3, deadline)
                .bytes()
                .await
                .unwrap_err();
            let found = crate::seam::find(&error).map(Error::kind);
            assert_eq!(found, Some(ErrorKind::ResponseTooLarge), "{error:?}");
        });
    }
}

#[cfg(test)]
mod loopback_tests {
    use super::is_loopback_http;

    fn loopback(url: &str) -> bool {
        is_loopback_http(&url::Url::parse(url).expect("a URL"))
    }

    #[test]
    fn loopback_addresses_are_the_machine_itself() {
        for url in [
            "http://127.0.0.1:8080/",
            "http://127.5.6.7/",
            "http://[::1]:9000/",
            "http://localhost/",
            "http://LOCALHOST:1/",
        ] {
            assert!(loopback(url), "{url}");
        }
    }

    #[test]
    fn other_hosts_and_schemes_are_not() {
        for url in [
            "http://10.0.0.1/",
            "http://128.0.0.1/",
            "http://[::2]/",
            "http://localhost.example.com/",
            "http://127.0.0.1.example.com/",
            "https://127.0.0.1/",
            "ftp://localhost/",
        ] {
            assert!(!loopback(url), "{url}");
        }
    }
}
