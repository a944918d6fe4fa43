//! A strict HTTP Digest (RFC 7616) server on loopback, for the authentication tests and the
//! benchmark.
//!
//! It checks what a careful server checks, with its own hashing code (not the client's, so that
//! a mistake cannot cancel itself out): nonces it issued and that have not expired, the
//! algorithm of the nonce's challenge, `uri` equal to the request target, the nonce count never
//! reused (or, in [`NcCheck::Increasing`], strictly increasing as Apache's `mod_auth_digest`
//! wants), `opaque` echoed, and the response itself. It counts every request and records whether
//! an unauthenticated request carried a body. Successful calls get the OceanBase Cloud envelope
//! `{"data":{},"requestId":"...","success":true}`.

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
    net::SocketAddr,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};
use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};
use tokio::{net::TcpListener, sync::Notify, task::JoinHandle};

/// A Digest algorithm the server can challenge with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// `MD5`.
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-512-256`.
    Sha512_256,
}

impl DigestAlgorithm {
    /// The name written in the challenge.
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha512_256 => "SHA-512-256",
        }
    }

    /// Hex of the hash of `parts` joined by `:`.
    fn hash(self, parts: &[&[u8]]) -> String {
        fn run<D: Digest>(parts: &[&[u8]]) -> String {
            let mut d = D::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(p);
            }
            hex::encode(d.finalize())
        }
        match self {
            Self::Md5 | Self::Md5Sess => run::<Md5>(parts),
            Self::Sha256 => run::<Sha256>(parts),
            Self::Sha512_256 => run::<Sha512_256>(parts),
        }
    }
}

/// How the server checks nonce counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NcCheck {
    /// RFC 7616: a count may not be used twice for a nonce (any order).
    Unique,
    /// Also refuses a count lower than the highest seen for the nonce, so that a request
    /// overtaken on the wire by a later one is refused (401 without `stale`, like Apache).
    Increasing,
}

/// The `qop` the server offers and requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerQop {
    /// `qop="auth"`.
    Auth,
    /// `qop="auth-int"`: the body is covered too.
    AuthInt,
}

/// What the server expects and offers.
#[derive(Debug, Clone)]
pub struct Config {
    /// The only username accepted.
    pub username: String,
    /// Its password.
    pub password: String,
    /// The realm of every challenge.
    pub realm: String,
    /// One Digest challenge per algorithm, in this order, each with its own nonce.
    pub algorithms: Vec<DigestAlgorithm>,
    /// The nonce count rule.
    pub nc_check: NcCheck,
    /// The qop offered and required.
    pub qop: ServerQop,
    /// Offer a Basic challenge first (a client must never answer it).
    pub offer_basic: bool,
    /// Put all challenges in one `WWW-Authenticate` value instead of one header each.
    pub one_header: bool,
    /// How long a nonce stays valid; after that a correct response gets `stale=true`.
    pub nonce_lifetime: Duration,
    /// Paths starting with this are answered without authentication (a benchmark baseline).
    pub open_prefix: Option<String>,
    /// Hold the first request signed with count 1 until a higher count of its nonce has been
    /// checked, so that it is overtaken for certain (the wait ends after 5 s regardless).
    pub hold_first_count: bool,
    /// Keep a record of every request (off for the benchmark).
    pub record: bool,
    /// How long the server takes over each request before it answers, challenges included:
    /// stands for the network and the service's own work (zero: answer at once).
    pub service_time: Duration,
}

impl Config {
    /// MD5, `qop=auth`, unique counts, nonces valid for five minutes.
    pub fn new(username: &str, password: &str) -> Self {
        Self {
            username: username.to_owned(),
            password: password.to_owned(),
            realm: "oceanbase-test@127.0.0.1".to_owned(),
            algorithms: vec![DigestAlgorithm::Md5],
            nc_check: NcCheck::Unique,
            qop: ServerQop::Auth,
            offer_basic: false,
            one_header: false,
            nonce_lifetime: Duration::from_secs(300),
            open_prefix: None,
            service_time: Duration::ZERO,
            hold_first_count: false,
            record: true,
        }
    }
}

/// Counters since the start (or the last [`DigestServer::reset`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Every request received.
    pub requests: u64,
    /// Requests without `Authorization`.
    pub unauthenticated: u64,
    /// Unauthenticated requests that carried a body (or announced one).
    pub unauthenticated_with_body: u64,
    /// Requests accepted after a valid Digest response.
    pub accepted: u64,
    /// Requests with `Authorization` answered 401 (stale or not).
    pub rejected: u64,
    /// Of those, answered with `stale=true`.
    pub stale: u64,
    /// Requests with an `Authorization` of another scheme than Digest (Basic...).
    pub non_digest: u64,
    /// Requests answered 400 (malformed Digest, `uri` not the request target).
    pub bad_request: u64,
    /// Requests to the open prefix.
    pub open: u64,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The method.
    pub method: String,
    /// Path and query as received.
    pub target: String,
    /// The `X-Ob-Project-Id` header.
    pub project_id: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The body length.
    pub body_len: usize,
    /// The status answered.
    pub status: u16,
    /// The algorithm of an accepted response.
    pub algorithm: Option<DigestAlgorithm>,
    /// Every header, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

struct NonceState {
    algorithm: DigestAlgorithm,
    opaque: String,
    issued: Instant,
    stale: bool,
    used: HashSet<u32>,
    highest: u32,
}

#[derive(Default)]
struct Inner {
    nonces: HashMap<String, NonceState>,
    stats: Stats,
    records: Vec<Recorded>,
    /// When set, the exact body of every accepted (200) answer.
    reply: Option<String>,
}

/// The realm challenges name, and H(username:realm:password) per algorithm for it.
struct Space {
    realm: String,
    ha1: Vec<(DigestAlgorithm, String)>,
}

impl Space {
    fn new(config: &Config, realm: &str) -> Self {
        let ha1 = config
            .algorithms
            .iter()
            .map(|&a| {
                let secret = [
                    config.username.as_bytes(),
                    realm.as_bytes(),
                    config.password.as_bytes(),
                ];
                (a, a.hash(&secret))
            })
            .collect();
        Self {
            realm: realm.to_owned(),
            ha1,
        }
    }
}

struct Shared {
    config: Config,
    /// The current realm: [`DigestServer::set_realm`] changes it mid-session.
    space: Mutex<Arc<Space>>,
    inner: Mutex<Inner>,
    counter: AtomicU64,
    hold_used: AtomicBool,
    overtaken: AtomicBool,
    overtake: Notify,
}

/// A running server; stopped when dropped.
pub struct DigestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl DigestServer {
    /// Starts a server on `127.0.0.1` and an ephemeral port.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let space = Mutex::new(Arc::new(Space::new(&config, &config.realm)));
        let shared = Arc::new(Shared {
            space,
            config,
            inner: Mutex::default(),
            counter: AtomicU64::new(0),
            hold_used: AtomicBool::new(false),
            overtaken: AtomicBool::new(false),
            overtake: Notify::new(),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        self.shared.lock().stats.clone()
    }

    /// Every request received, in the order they were checked.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().records.clone()
    }

    /// Answers every accepted request with exactly `body` (a vendor page's example response,
    /// byte for byte) instead of the built-in envelope.
    pub fn reply_with(&self, body: &str) {
        self.shared.lock().reply = Some(body.to_owned());
    }

    /// Marks every nonce issued so far as stale: a correct response with one of them gets
    /// `401` with `stale=true` and a new nonce.
    pub fn mark_all_stale(&self) {
        for n in self.shared.lock().nonces.values_mut() {
            n.stale = true;
        }
    }

    /// Forgets every nonce issued so far, as a restarted server does (or another node behind a
    /// load balancer, or one whose nonces lived out their time): a response with one of them
    /// gets `401` with a new nonce and no `stale`, since the server cannot tell it was ever
    /// valid.
    pub fn forget_nonces(&self) {
        self.shared.lock().nonces.clear();
    }

    /// Moves the server to `realm`, as a server does after a reconfiguration: requests signed
    /// for the old realm are challenged again (not stale) with the new one.
    pub fn set_realm(&self, realm: &str) {
        let space = Arc::new(Space::new(&self.shared.config, realm));
        *self
            .shared
            .space
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = space;
    }

    /// Clears the counters and records (the nonces stay valid).
    pub fn reset(&self) {
        let mut inner = self.shared.lock();
        inner.stats = Stats::default();
        inner.records.clear();
    }
}

impl Drop for DigestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What kind of request arrived.
enum Seen {
    Open,
    Anonymous,
    OtherScheme,
    Digest(Verdict),
}

enum Verdict {
    Accept(DigestAlgorithm, u32),
    Challenge { stale: bool },
    BadRequest(&'static str),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn space(&self) -> Arc<Space> {
        self.space
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn new_nonce(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}{n:x}", uuid::Uuid::new_v4().simple())
    }

    /// The `WWW-Authenticate` values of a 401, with fresh nonces.
    fn challenges(&self, inner: &mut Inner, stale: bool) -> Vec<String> {
        let c = &self.config;
        let space = self.space();
        let mut out = Vec::new();
        if c.offer_basic {
            out.push(format!("Basic realm=\"{}\"", space.realm));
        }
        let qop = match c.qop {
            ServerQop::Auth => "auth",
            ServerQop::AuthInt => "auth-int",
        };
        for &algorithm in &c.algorithms {
            let nonce = self.new_nonce();
            let opaque = uuid::Uuid::new_v4().simple().to_string();
            let stale = if stale { ", stale=true" } else { "" };
            out.push(format!(
                "Digest realm=\"{}\", qop=\"{qop}\", algorithm={}, nonce=\"{nonce}\", opaque=\"{opaque}\"{stale}",
                space.realm,
                algorithm.name()
            ));
            inner.nonces.insert(
                nonce,
                NonceState {
                    algorithm,
                    opaque,
                    issued: Instant::now(),
                    stale: false,
                    used: HashSet::new(),
                    highest: 0,
                },
            );
        }
        if c.one_header {
            vec![out.join(", ")]
        } else {
            out
        }
    }

    /// Checks a Digest `Authorization` value; the nonce count is only consumed by a request
    /// whose response is right.
    fn verify(&self, method: &str, target: &str, value: &str, body: &[u8]) -> Verdict {
        let c = &self.config;
        let Some(p) = parse_authorization(value) else {
            return Verdict::BadRequest("malformed Digest credentials");
        };
        let get = |k: &str| {
            p.iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_ref())
        };
        let (Some(username), Some(realm), Some(nonce), Some(uri), Some(response)) = (
            get("username"),
            get("realm"),
            get("nonce"),
            get("uri"),
            get("response"),
        ) else {
            return Verdict::BadRequest("missing Digest parameter");
        };
        if uri != target {
            return Verdict::BadRequest("uri is not the request target");
        }
        let space = self.space();
        if username != c.username || realm != space.realm {
            return Verdict::Challenge { stale: false };
        }
        // The nonce's state is read under the lock, the response hashed outside it.
        let (alg, expired) = {
            let inner = self.lock();
            let Some(state) = inner.nonces.get(nonce) else {
                return Verdict::Challenge { stale: false };
            };
            if get("opaque") != Some(state.opaque.as_str()) {
                return Verdict::Challenge { stale: false };
            }
            let expired = state.stale || state.issued.elapsed() > c.nonce_lifetime;
            (state.algorithm, expired)
        };
        if !get("algorithm")
            .unwrap_or("MD5")
            .eq_ignore_ascii_case(alg.name())
        {
            return Verdict::Challenge { stale: false };
        }
        let qop = match c.qop {
            ServerQop::Auth => "auth",
            ServerQop::AuthInt => "auth-int",
        };
        let (Some(nc_text), Some(cnonce)) = (get("nc"), get("cnonce")) else {
            return Verdict::BadRequest("missing nc or cnonce");
        };
        if get("qop") != Some(qop) {
            return Verdict::Challenge { stale: false };
        }
        let Some(nc) = (nc_text.len() == 8)
            .then(|| u32::from_str_radix(nc_text, 16).ok())
            .flatten()
        else {
            return Verdict::BadRequest("nc is not 8 hex digits");
        };
        // Like htdigest files, the server keeps H(username:realm:password), not the password.
        let stored = space
            .ha1
            .iter()
            .find(|(a, _)| *a == alg)
            .map_or("", |(_, h)| h.as_str());
        let sess;
        let ha1 = if alg == DigestAlgorithm::Md5Sess {
            sess = alg.hash(&[stored.as_bytes(), nonce.as_bytes(), cnonce.as_bytes()]);
            sess.as_str()
        } else {
            stored
        };
        let ha2 = match c.qop {
            ServerQop::Auth => alg.hash(&[method.as_bytes(), uri.as_bytes()]),
            ServerQop::AuthInt => {
                let body_hash = alg.hash(&[body]);
                alg.hash(&[method.as_bytes(), uri.as_bytes(), body_hash.as_bytes()])
            }
        };
        let expected = alg.hash(&[
            ha1.as_bytes(),
            nonce.as_bytes(),
            nc_text.as_bytes(),
            cnonce.as_bytes(),
            qop.as_bytes(),
            ha2.as_bytes(),
        ]);
        if expected != response {
            return Verdict::Challenge { stale: false };
        }
        if expired {
            return Verdict::Challenge { stale: true };
        }
        let mut inner = self.lock();
        let Some(state) = inner.nonces.get_mut(nonce) else {
            return Verdict::Challenge { stale: false };
        };
        let fresh = match c.nc_check {
            NcCheck::Unique => state.used.insert(nc),
            NcCheck::Increasing => nc > state.highest,
        };
        if !fresh {
            return Verdict::Challenge { stale: false };
        }
        state.highest = state.highest.max(nc);
        Verdict::Accept(alg, nc)
    }

    /// Holds the first request signed with count 1 until a higher count has been checked.
    async fn maybe_hold(&self, authorization: Option<&str>) {
        if !self.config.hold_first_count {
            return;
        }
        let parsed = authorization.and_then(parse_authorization);
        let nc = parsed
            .as_ref()
            .and_then(|p| p.iter().find(|(n, _)| n.eq_ignore_ascii_case("nc")))
            .map(|(_, v)| v.as_ref());
        match nc {
            Some("00000001") if !self.hold_used.swap(true, Ordering::AcqRel) => {
                let wait = async {
                    loop {
                        let notified = self.overtake.notified();
                        if self.overtaken.load(Ordering::Acquire) {
                            return;
                        }
                        notified.await;
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(5), wait).await;
            }
            _ => {}
        }
    }

    fn overtook(&self) {
        self.overtaken.store(true, Ordering::Release);
        self.overtake.notify_waiters();
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let method = parts.method.as_str().to_owned();
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let header = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let authorization = header(header::AUTHORIZATION);
    let announced_body = parts.headers.contains_key(header::TRANSFER_ENCODING)
        || header(header::CONTENT_LENGTH).is_some_and(|v| v.trim() != "0");

    shared.maybe_hold(authorization.as_deref()).await;
    if !shared.config.service_time.is_zero() {
        tokio::time::sleep(shared.config.service_time).await;
    }

    let open = shared
        .config
        .open_prefix
        .as_deref()
        .is_some_and(|p| parts.uri.path().starts_with(p));
    // Verified before the counters are locked, so that concurrent requests hash in parallel.
    let seen = match authorization.as_deref() {
        _ if open => Seen::Open,
        None => Seen::Anonymous,
        Some(v)
            if !v
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("digest ")) =>
        {
            Seen::OtherScheme
        }
        Some(v) => Seen::Digest(shared.verify(&method, &target, v, &body)),
    };
    let mut inner = shared.lock();
    inner.stats.requests += 1;
    let mut algorithm = None;
    let mut message = None;
    let (status, www_authenticate) = match seen {
        Seen::Open => {
            inner.stats.open += 1;
            (StatusCode::OK, Vec::new())
        }
        Seen::Anonymous => {
            inner.stats.unauthenticated += 1;
            if !body.is_empty() || announced_body {
                inner.stats.unauthenticated_with_body += 1;
            }
            (
                StatusCode::UNAUTHORIZED,
                shared.challenges(&mut inner, false),
            )
        }
        Seen::OtherScheme => {
            inner.stats.non_digest += 1;
            (
                StatusCode::UNAUTHORIZED,
                shared.challenges(&mut inner, false),
            )
        }
        Seen::Digest(Verdict::Accept(alg, nc)) => {
            inner.stats.accepted += 1;
            algorithm = Some(alg);
            if shared.config.hold_first_count && nc > 1 {
                shared.overtook();
            }
            (StatusCode::OK, Vec::new())
        }
        Seen::Digest(Verdict::Challenge { stale }) => {
            inner.stats.rejected += 1;
            if stale {
                inner.stats.stale += 1;
            }
            (
                StatusCode::UNAUTHORIZED,
                shared.challenges(&mut inner, stale),
            )
        }
        Seen::Digest(Verdict::BadRequest(why)) => {
            inner.stats.bad_request += 1;
            message = Some(why);
            (StatusCode::BAD_REQUEST, Vec::new())
        }
    };
    if shared.config.record {
        inner.records.push(Recorded {
            method,
            target: target.clone(),
            project_id: header(header::HeaderName::from_static("x-ob-project-id")),
            authorization,
            body_len: body.len(),
            status: status.as_u16(),
            algorithm,
            headers: crate::header_pairs(&parts.headers),
            body: body.clone(),
        });
    }
    let reply = inner.reply.clone().filter(|_| status == StatusCode::OK);
    drop(inner);
    let mut response = respond(status, www_authenticate, &target, message);
    if let Some(reply) = reply {
        *response.body_mut() = Body::from(reply);
    }
    response
}

fn respond(
    status: StatusCode,
    challenges: Vec<String>,
    target: &str,
    message: Option<&str>,
) -> Response {
    let request_id = target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("requestId="))
        .unwrap_or_default();
    let body = match status {
        StatusCode::OK => serde_json::json!({"data": {}, "requestId": request_id, "success": true}),
        other => serde_json::json!({
            "requestId": request_id,
            "success": false,
            "errorCode": other.as_u16().to_string(),
            "errorMessage": message.or(other.canonical_reason()).unwrap_or_default(),
        }),
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for c in challenges {
        if let Ok(v) = HeaderValue::from_str(&c) {
            headers.append(header::WWW_AUTHENTICATE, v);
        }
    }
    let mut response = Response::new(Body::from(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Reads `Digest k=v, k="v", ...` into name/value pairs; `None` if it is not well formed or
/// names a parameter twice.
fn parse_authorization(value: &str) -> Option<Vec<(&str, Cow<'_, str>)>> {
    let prefix = value
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("digest "))?;
    let mut rest = &value[prefix.len()..];
    let mut out: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(12);
    loop {
        rest = rest.trim_start_matches([' ', ',']);
        if rest.is_empty() {
            return Some(out);
        }
        let eq = rest.find('=')?;
        let name = rest[..eq].trim();
        rest = rest[eq + 1..].trim_start();
        let val = if let Some(quoted) = rest.strip_prefix('"') {
            let mut end = None;
            let mut escaped = false;
            for (i, b) in quoted.bytes().enumerate() {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end?;
            let raw = &quoted[..end];
            rest = &quoted[end + 1..];
            if raw.contains('\\') {
                let mut unescaped = String::with_capacity(raw.len());
                let mut chars = raw.chars();
                while let Some(c) = chars.next() {
                    unescaped.push(if c == '\\' { chars.next()? } else { c });
                }
                Cow::Owned(unescaped)
            } else {
                Cow::Borrowed(raw)
            }
        } else {
            let end = rest.find([',', ' ']).unwrap_or(rest.len());
            let token = &rest[..end];
            rest = &rest[end..];
            Cow::Borrowed(token)
        };
        if name.is_empty() || out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return None;
        }
        out.push((name, val));
    }
}
