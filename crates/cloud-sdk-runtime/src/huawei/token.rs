//! Token authentication: `X-Auth-Token` on every request, from a static token or from a
//! [`TokenProvider`] (IAM) behind a [`TokenCache`].
//!
//! The cache refreshes a token a configurable window before it expires, performs at most one
//! fetch at a time however many tasks wait (the waiters share its outcome, success or
//! failure, even a token that is not fresh by the local clock), and reads time from an
//! injectable [`Clock`].
//!
//! Token requests carry the password, and IAM locks accounts after repeated failures, so they
//! are spaced whatever their outcome: two fetches are at least the minimum interval apart
//! (default 30 s); after a fetch that failed (IAM answering 5xx, a transport error, a time
//! limit) or whose token the service refused, the next waits longer, doubling with each such
//! setback in a row up to a ceiling (default 5 minutes), with jitter, and never less than the
//! minimum interval (see [`setback_wait`]); a refused login (401/403 from IAM) is not tried
//! again for the refused back-off (default 5 minutes). Calls in such a wait fail at once with
//! the failure that started it, or use the token they have while it is still valid.
//!
//! [`TokenAuth`] sends each request with the cached token; on a 401 it refreshes once (unless
//! another task already did, or the wait above is not over) and retries once; a second 401 is
//! reported as [`ErrorKind::CredentialsRejected`].

use std::{
    fmt,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime},
};

use reqwest::header::{HeaderName, HeaderValue};

use crate::clock::{Clock, SystemClock};
use crate::{AuthRejected, Authenticator, BoxFuture, ConfigError, ErrorKind, Secret};

/// The header that carries the token.
pub const AUTH_TOKEN_HEADER: &str = "x-auth-token";

const X_AUTH_TOKEN: HeaderName = HeaderName::from_static(AUTH_TOKEN_HEADER);

/// How long before expiry a token is refreshed unless told otherwise. IAM tokens live 24
/// hours; five minutes covers clock skew and slow requests.
pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// The least time between two token fetches unless told otherwise. A token that is stale by the
/// local clock as soon as it arrives (a clock far off, or a refresh window longer than the
/// token's life) is used until then, instead of a password login per call.
pub const DEFAULT_MIN_FETCH_INTERVAL: Duration = Duration::from_secs(30);

/// The longest wait between two token fetches after setbacks in a row (failed fetches, or
/// tokens the service refused) unless told otherwise; jitter draws each wait from the upper
/// half of its ceiling, so this is the longest wait.
pub const DEFAULT_MAX_FETCH_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// How long a refused login (401 or 403 from the token endpoint) is remembered unless told
/// otherwise: calls in that time fail at once without sending the password again, which could
/// trip IAM's account lockout.
pub const DEFAULT_REFUSED_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// A token and when it expires. `Debug` hides the value (a [`Secret`]).
#[derive(Clone, Debug)]
pub struct Token {
    value: Secret,
    expires_at: Option<SystemTime>,
}

impl Token {
    /// A token valid until `expires_at` (`None`: no known expiry).
    pub fn new(value: impl Into<Secret>, expires_at: Option<SystemTime>) -> Self {
        Self {
            value: value.into(),
            expires_at,
        }
    }

    /// The token value.
    pub fn secret(&self) -> &Secret {
        &self.value
    }

    /// When it expires, if known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

/// A token could not be obtained. The message says what to change; it never holds a secret.
#[derive(Debug, Clone)]
pub struct TokenError {
    message: String,
    status: Option<u16>,
    kind: ErrorKind,
}

impl TokenError {
    /// A failure described by `message`; `status` is the token endpoint's HTTP status when it
    /// answered.
    pub fn new(message: impl Into<String>, status: Option<u16>) -> Self {
        Self {
            message: message.into(),
            status,
            kind: ErrorKind::CredentialsUnavailable,
        }
    }

    /// This error, a refused login (401/403 from the token endpoint), as every call of the
    /// back-off period reports it.
    fn login_refused(self, backoff: Duration) -> Self {
        Self {
            message: format!(
                "IAM refused the password: {}; no new login is tried for {} s (repeated \
                 failures can lock the IAM account): fix the credentials and build a new client",
                self.message,
                backoff.as_secs()
            ),
            status: self.status,
            kind: ErrorKind::LoginRefused,
        }
    }

    /// This error (a failed fetch), as it is reported until the next fetch may be tried.
    fn backing_off(self, wait: Duration) -> Self {
        Self {
            message: format!(
                "{}; IAM is not asked for a token again for {} s (token requests are spaced \
                 after failures, as repeated ones can lock the IAM account)",
                self.message,
                wait.as_secs()
            ),
            ..self
        }
    }

    /// This error as the calls in the wait after the failed fetch report it: nothing timed out
    /// for them, so a fetch that ran out of time is `CredentialsUnavailable` there; every
    /// other kind says the same of them as of the fetch.
    fn for_the_wait(&self) -> Self {
        let kind = match self.kind {
            ErrorKind::TimedOut => ErrorKind::CredentialsUnavailable,
            kind => kind,
        };
        Self {
            kind,
            ..self.clone()
        }
    }

    /// The service refused a token, and no new one may be fetched yet.
    fn refused_by_service(fetched_ago: Option<Duration>, wait: Duration) -> Self {
        let age = match fetched_ago {
            Some(age) => format!("fetched {} s ago", age.as_secs()),
            None => "fetched last".to_owned(),
        };
        Self {
            message: format!(
                "the service refused the IAM token ({age}); no new token is requested for {} s \
                 (token requests are spaced, and spaced further when the service keeps refusing \
                 fresh tokens): check that the IAM user has permission for this operation and \
                 that the token's project scope (HUAWEICLOUD_SDK_PROJECT_ID or the region's \
                 project) matches the project in the request",
                wait.as_secs()
            ),
            status: None,
            kind: ErrorKind::CredentialsRejected,
        }
    }

    /// A failure of another kind than [`TokenError::new`]'s: a request for a token that was
    /// not sent (plain `http://`), that ran out of time or was redirected, an answer over the
    /// size limit.
    pub(crate) fn of_kind(
        message: impl Into<String>,
        status: Option<u16>,
        kind: ErrorKind,
    ) -> Self {
        Self {
            message: message.into(),
            status,
            kind,
        }
    }

    /// The token endpoint's HTTP status, when it answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The kind of failure: [`ErrorKind::CredentialsUnavailable`] (also for the calls in the
    /// wait after a failed fetch), [`ErrorKind::TimedOut`] when the request for a token ran out
    /// of time (the calls in the wait after it: `CredentialsUnavailable`),
    /// [`ErrorKind::InsecureUrl`] when the request for a token was not sent (plain `http://`),
    /// [`ErrorKind::RedirectRefused`] when the token endpoint answered with a redirect,
    /// [`ErrorKind::ResponseTooLarge`] when its answer was over the size limit,
    /// [`ErrorKind::LoginRefused`] when the token endpoint refused the login (401/403), also
    /// for the calls of the back-off period after it, or [`ErrorKind::CredentialsRejected`]
    /// when the service refused a token and no new one may be fetched yet.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TokenError {}

/// Something that obtains tokens: the IAM password provider, or one of your own.
pub trait TokenProvider: fmt::Debug + Send + Sync + 'static {
    /// A short description for errors and logs (an endpoint, never a secret).
    fn describe(&self) -> String;

    /// Fetches a fresh token, using `client` for any HTTP.
    fn fetch<'a>(
        &'a self,
        client: &'a crate::Transport,
    ) -> BoxFuture<'a, Result<Token, TokenError>>;
}

/// A token handed out by a [`TokenCache`], tagged with the fetch it came from so that a
/// rejection refreshes only a token that is still current.
#[derive(Clone, Debug)]
pub struct CachedToken {
    token: Token,
    generation: u64,
}

impl CachedToken {
    /// The token.
    pub fn token(&self) -> &Token {
        &self.token
    }
}

#[derive(Default)]
struct State {
    current: Option<CachedToken>,
    /// Number of fetches completed, and the error of the last one if it failed: tasks that
    /// waited for a fetch take its outcome instead of fetching again.
    attempts: u64,
    last_error: Option<TokenError>,
    /// When the last fetch ended (by the cache's clock).
    last_fetch: Option<SystemTime>,
    /// No fetch before this time (by the cache's clock): the minimum interval after any fetch,
    /// longer after setbacks, the refused back-off after a refused login.
    next_fetch: Option<SystemTime>,
    /// Setbacks in a row: fetches that failed, and refreshes because the service refused a
    /// token. A fetch made because a token was due (not refused) and that succeeded ends it.
    setbacks: u32,
}

/// Why a fetch is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    /// No token yet, or the one cached is due for renewal.
    Due,
    /// The service refused the cached token.
    Refused,
}

/// How long to wait before the next token fetch after `setbacks` in a row (at least one): a
/// ceiling of `min_interval × 2^setbacks`, capped at `max` (and never under `min_interval`),
/// jittered into its upper half with `unit` in `[0, 1)` (see [`crate::retry::jitter`]), and
/// never less than `min_interval`. With the defaults: 30–60 s after the first setback, 60–120
/// s after the second, 120–240 s, then 150–300 s.
pub fn setback_wait(min_interval: Duration, max: Duration, setbacks: u32, unit: f64) -> Duration {
    let factor = 2u32.saturating_pow(setbacks.min(31));
    let ceiling = min_interval
        .saturating_mul(factor)
        .min(max.max(min_interval));
    crate::retry::jitter(ceiling, unit).max(min_interval)
}

/// Caches the token of a [`TokenProvider`] and refreshes it before it expires.
pub struct TokenCache {
    provider: Box<dyn TokenProvider>,
    clock: Arc<dyn Clock>,
    refresh_window: Duration,
    min_fetch_interval: Duration,
    max_fetch_backoff: Duration,
    refused_backoff: Duration,
    state: Mutex<State>,
    /// Held for the whole of a fetch: at most one fetch at a time.
    fetch_lock: tokio::sync::Mutex<()>,
    generations: AtomicU64,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("TokenCache")
            .field("provider", &self.provider)
            .field("refresh_window", &self.refresh_window)
            .field(
                "cached_until",
                &state.current.as_ref().map(|c| c.token.expires_at),
            )
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache over `provider`, with the system clock and [`DEFAULT_REFRESH_WINDOW`].
    pub fn new(provider: impl TokenProvider) -> Self {
        Self {
            provider: Box::new(provider),
            clock: Arc::new(SystemClock),
            refresh_window: DEFAULT_REFRESH_WINDOW,
            min_fetch_interval: DEFAULT_MIN_FETCH_INTERVAL,
            max_fetch_backoff: DEFAULT_MAX_FETCH_BACKOFF,
            refused_backoff: DEFAULT_REFUSED_BACKOFF,
            state: Mutex::new(State::default()),
            fetch_lock: tokio::sync::Mutex::new(()),
            generations: AtomicU64::new(0),
        }
    }

    /// Reads time from `clock` (tests move a [`ManualClock`](super::ManualClock)).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Refreshes tokens `window` before they expire. Any value is safe: a window longer than
    /// the token's life (even [`Duration::MAX`]) means a refresh on every call after the
    /// minimum interval, never an overflow.
    pub fn with_refresh_window(mut self, window: Duration) -> Self {
        self.refresh_window = window;
        self
    }

    /// Fetches at most once per `interval` (default [`DEFAULT_MIN_FETCH_INTERVAL`]), whatever
    /// the outcome of the last fetch; inside it the last token fetched is used even if the
    /// refresh window says it is due. Setbacks lengthen the interval (see [`setback_wait`]).
    pub fn with_min_fetch_interval(mut self, interval: Duration) -> Self {
        self.min_fetch_interval = interval;
        self
    }

    /// The longest wait between two fetches after setbacks in a row (default
    /// [`DEFAULT_MAX_FETCH_BACKOFF`]; never less than the minimum interval).
    pub fn with_max_fetch_backoff(mut self, max: Duration) -> Self {
        self.max_fetch_backoff = max;
        self
    }

    /// Remembers a refused login for `backoff` (default [`DEFAULT_REFUSED_BACKOFF`]).
    pub fn with_refused_backoff(mut self, backoff: Duration) -> Self {
        self.refused_backoff = backoff;
        self
    }

    /// The provider's description.
    pub fn describe(&self) -> String {
        self.provider.describe()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_fresh(&self, token: &Token, now: SystemTime) -> bool {
        match token.expires_at {
            None => true,
            // Past the end of time: the window covers any expiry, so refresh.
            Some(expires_at) => now
                .checked_add(self.refresh_window)
                .is_some_and(|due| due < expires_at),
        }
    }

    /// Whether no fetch may be made now: the wait after the last fetch is not over (a clock
    /// that went back before the last fetch counts as inside it).
    fn waiting(state: &State, now: SystemTime) -> bool {
        state.next_fetch.is_some_and(|next| now < next)
            || state.last_fetch.is_some_and(|at| now < at)
    }

    /// Inside the wait, with no token to use or to replace: the failure that started the wait,
    /// or, when the last fetch succeeded (its token was then refused), a refusal.
    fn waiting_error(state: &State, now: SystemTime) -> TokenError {
        if let Some(e) = &state.last_error {
            return e.clone();
        }
        let left = state
            .next_fetch
            .and_then(|next| next.duration_since(now).ok())
            .unwrap_or_default();
        let ago = state.last_fetch.and_then(|at| now.duration_since(at).ok());
        TokenError::refused_by_service(ago, left)
    }

    /// The wait before the next fetch after the current setbacks.
    fn setback_wait(&self, setbacks: u32) -> Duration {
        setback_wait(
            self.min_fetch_interval,
            self.max_fetch_backoff,
            setbacks,
            crate::random::unit(),
        )
    }

    fn is_valid(token: &Token, now: SystemTime) -> bool {
        token.expires_at.is_none_or(|expires_at| now < expires_at)
    }

    /// Whether `current` is used while no fetch may be made: when it is still valid, or when
    /// the last fetch succeeded and gave it (a token expired on arrival, by a clock far off:
    /// used rather than a password login per call).
    fn usable(&self, state: &State, current: &CachedToken, now: SystemTime) -> bool {
        Self::is_valid(&current.token, now) || state.last_error.is_none()
    }

    /// A token that is not within the refresh window of its expiry, fetching one if needed.
    ///
    /// While one task refreshes a token that is inside the window but not yet expired, the
    /// others keep using it instead of waiting.
    pub async fn token(&self, client: &crate::Transport) -> Result<CachedToken, TokenError> {
        let (attempts_seen, still_valid) = {
            let state = self.state();
            let now = self.clock.now();
            let waiting = Self::waiting(&state, now);
            match &state.current {
                Some(c)
                    if self.is_fresh(&c.token, now) || (waiting && self.usable(&state, c, now)) =>
                {
                    return Ok(c.clone());
                }
                Some(c) if Self::is_valid(&c.token, now) => (state.attempts, Some(c.clone())),
                _ if waiting => return Err(Self::waiting_error(&state, now)),
                _ => (state.attempts, None),
            }
        };
        let _guard = match (&still_valid, self.fetch_lock.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some(c), Err(_)) => return Ok(c.clone()),
            (None, Err(_)) => self.fetch_lock.lock().await,
        };
        {
            let state = self.state();
            let now = self.clock.now();
            // A fetch that ended while this task waited decides, whatever its token's expiry
            // says: fetching again at once would get an equally old token.
            let fetched_meanwhile = state.attempts > attempts_seen;
            let waiting = Self::waiting(&state, now);
            if let Some(c) = &state.current
                && (fetched_meanwhile
                    || self.is_fresh(&c.token, now)
                    || (waiting && self.usable(&state, c, now)))
            {
                return Ok(c.clone());
            }
            if fetched_meanwhile && let Some(e) = &state.last_error {
                return Err(e.clone());
            }
            if waiting {
                return match still_valid {
                    Some(c) if Self::is_valid(&c.token, now) => Ok(c),
                    _ => Err(Self::waiting_error(&state, now)),
                };
            }
        }
        match self.fetch_locked(client, Trigger::Due).await {
            Ok(token) => Ok(token),
            // A refresh inside the window failed, but the token still works for a while:
            // use it, and try again on a later call.
            Err(e) => match still_valid {
                Some(c) if Self::is_valid(&c.token, self.clock.now()) => {
                    tracing::warn!(error = %e, "token refresh failed; using the current token until it expires");
                    Ok(c)
                }
                _ => Err(e),
            },
        }
    }

    /// Replaces `rejected`, which the service refused, with a fresh token; if another task
    /// already replaced it, returns that task's token without fetching. Inside the wait after
    /// the last fetch no token is fetched: the error is then of kind
    /// [`ErrorKind::CredentialsRejected`] (or the failure that started the wait), and the
    /// refused token stays cached (the service may take it again; nothing else is sent).
    pub async fn refresh_rejected(
        &self,
        client: &crate::Transport,
        rejected: &CachedToken,
    ) -> Result<CachedToken, TokenError> {
        let attempts_seen = self.state().attempts;
        let _guard = self.fetch_lock.lock().await;
        {
            let mut state = self.state();
            let now = self.clock.now();
            if let Some(c) = &state.current
                && c.generation != rejected.generation
                && Self::is_valid(&c.token, now)
            {
                return Ok(c.clone());
            }
            if state.attempts > attempts_seen
                && let Some(e) = &state.last_error
            {
                return Err(e.clone());
            }
            if Self::waiting(&state, now) {
                return Err(Self::waiting_error(&state, now));
            }
            if state
                .current
                .as_ref()
                .is_some_and(|c| c.generation == rejected.generation)
            {
                state.current = None;
            }
        }
        self.fetch_locked(client, Trigger::Refused).await
    }

    /// Forgets the cached token, so that the next call fetches one.
    pub fn invalidate(&self) {
        self.state().current = None;
    }

    /// Fetches a token; the caller holds the fetch lock and has checked that no wait is on.
    async fn fetch_locked(
        &self,
        client: &crate::Transport,
        trigger: Trigger,
    ) -> Result<CachedToken, TokenError> {
        tracing::debug!(provider = %self.provider.describe(), ?trigger, "fetching a token");
        // A fetch whose call ends before it does (the call's time limit, a caller that stops
        // waiting) is dropped here, its request perhaps sent: it counts as a failed fetch, or
        // the next call would send the password again at once.
        let mut unfinished = Unfinished(Some(self));
        let result = self.provider.fetch(client).await;
        unfinished.0 = None;
        let now = self.clock.now();
        let mut state = self.state();
        // Counted on completion: a task that saw the count before this fetch ended waited
        // for it, and shares its outcome.
        state.attempts += 1;
        state.last_fetch = Some(now);
        match result {
            Ok(token) => {
                let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
                let cached = CachedToken { token, generation };
                match cached.token.expires_at {
                    Some(expires_at) if expires_at <= now => {
                        let behind = now.duration_since(expires_at).unwrap_or_default();
                        tracing::warn!(
                            expired_for_s = behind.as_secs(),
                            "the token endpoint returned a token that is already expired by the \
                             local clock: clock skew? this machine's clock is at least that far \
                             ahead (check NTP); the token is used anyway, and fetched again at \
                             most once per minimum fetch interval"
                        );
                    }
                    _ => tracing::debug!(expires_at = ?cached.token.expires_at, "token fetched"),
                }
                // A token asked for because the service refused the last one may be refused
                // too: that is a setback until a token fetched because one was due succeeds.
                let wait = match trigger {
                    Trigger::Due => {
                        state.setbacks = 0;
                        self.min_fetch_interval
                    }
                    Trigger::Refused => {
                        state.setbacks = state.setbacks.saturating_add(1);
                        self.setback_wait(state.setbacks)
                    }
                };
                state.next_fetch = Some(later(now, wait));
                state.current = Some(cached.clone());
                state.last_error = None;
                Ok(cached)
            }
            Err(e) if matches!(e.status(), Some(401 | 403)) => {
                let e = e.login_refused(self.refused_backoff);
                tracing::warn!(provider = %self.provider.describe(), error = %e, "login refused; not trying again during the back-off");
                state.setbacks = state.setbacks.saturating_add(1);
                // A back-off past the end of time: no new login for this cache's life.
                state.next_fetch = Some(later(now, self.refused_backoff));
                state.last_error = Some(e.clone());
                Err(e)
            }
            Err(e) => Err(self.failed(&mut state, now, e)),
        }
    }

    /// Records a fetch that failed with `e` at `now` as a setback: no fetch until the wait
    /// after it is over. Returns the error as the fetch reports it.
    fn failed(&self, state: &mut State, now: SystemTime, e: TokenError) -> TokenError {
        state.setbacks = state.setbacks.saturating_add(1);
        let wait = self.setback_wait(state.setbacks);
        let e = e.backing_off(wait);
        tracing::warn!(provider = %self.provider.describe(), error = %e, "token fetch failed");
        state.next_fetch = Some(later(now, wait));
        state.last_error = Some(e.for_the_wait());
        e
    }
}

/// A fetch in progress: dropped before the fetch ended (`Some`), it records the fetch as one
/// that ran out of time.
struct Unfinished<'a>(Option<&'a TokenCache>);

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        let Some(cache) = self.0 else { return };
        let now = cache.clock.now();
        let mut state = cache.state();
        state.attempts += 1;
        state.last_fetch = Some(now);
        let e = TokenError::of_kind(
            "the token request got no answer within the time limit of the call that made it",
            None,
            ErrorKind::TimedOut,
        );
        cache.failed(&mut state, now, e);
    }
}

/// `now + wait`, or the latest time `SystemTime` holds when that would overflow it.
fn later(now: SystemTime, wait: Duration) -> SystemTime {
    now.checked_add(wait).unwrap_or_else(|| far_future(now))
}

/// The latest time after `now` that `SystemTime` holds, found by halving: where a configured
/// duration would overflow it.
fn far_future(now: SystemTime) -> SystemTime {
    let mut step = Duration::MAX;
    let mut t = now;
    while step > Duration::ZERO {
        if let Some(later) = t.checked_add(step) {
            t = later;
        }
        step /= 2;
    }
    t
}

enum Source {
    Static(Secret),
    Cache(Box<TokenCache>),
}

/// The token [`Authenticator`]: sends `X-Auth-Token` (marked sensitive) with every request.
pub struct TokenAuth {
    source: Source,
}

impl fmt::Debug for TokenAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("TokenAuth");
        match &self.source {
            Source::Static(token) => out.field("static_token", token),
            Source::Cache(cache) => out.field("cache", cache),
        }
        .finish()
    }
}

impl TokenAuth {
    /// A token obtained elsewhere (for example `hcloud` or the console), sent as is. It is not
    /// refreshed: a 401 is reported as an error saying so.
    pub fn static_token(token: impl Into<Secret>) -> Result<Self, ConfigError> {
        let token = token.into();
        if token.expose().trim().is_empty() {
            return Err(ConfigError::new(
                "the Huawei Cloud token is empty: set HUAWEICLOUD_SDK_AUTH_TOKEN to an IAM token (the X-Subject-Token of POST /v3/auth/tokens)",
            ));
        }
        if HeaderValue::from_str(token.expose()).is_err() {
            return Err(ConfigError::new(
                "the Huawei Cloud token is not a valid header value (line breaks or non-ASCII characters?): check HUAWEICLOUD_SDK_AUTH_TOKEN",
            ));
        }
        Ok(Self {
            source: Source::Static(token),
        })
    }

    /// Tokens from `provider` (for example an
    /// [`IamPasswordProvider`](super::IamPasswordProvider)), cached with the defaults.
    pub fn from_provider(provider: impl TokenProvider) -> Self {
        Self::from_cache(TokenCache::new(provider))
    }

    /// Tokens from a configured cache (clock, refresh window).
    pub fn from_cache(cache: TokenCache) -> Self {
        Self {
            source: Source::Cache(Box::new(cache)),
        }
    }

    fn header(token: &Secret) -> Option<HeaderValue> {
        let mut value = HeaderValue::from_str(token.expose()).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    async fn send_static(
        &self,
        client: &crate::Transport,
        mut request: reqwest::Request,
        token: &Secret,
    ) -> reqwest::Result<reqwest::Response> {
        // Checked by `static_token`.
        if let Some(value) = Self::header(token) {
            request.headers_mut().insert(X_AUTH_TOKEN, value);
        }
        let response = client.execute(request).await?;
        if response.status() == http::StatusCode::UNAUTHORIZED {
            return Ok(rejected(
                response,
                "the service refused the static token (it may have expired: IAM tokens last 24 \
                 hours); set a fresh HUAWEICLOUD_SDK_AUTH_TOKEN, or use AK/SK or the IAM \
                 password provider, which renew credentials themselves",
            ));
        }
        Ok(response)
    }

    async fn send_cached(
        &self,
        client: &crate::Transport,
        request: reqwest::Request,
        spare: Option<&reqwest::Request>,
        cache: &TokenCache,
    ) -> reqwest::Result<reqwest::Response> {
        let token = match cache.token(client).await {
            Ok(token) => token,
            Err(e) => return Ok(token_failure(cache, &e)),
        };
        let response = execute_with(client, request, &token).await?;
        if response.status() != http::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        // The runtime's copy, for the one retry; a streamed body cannot be replayed.
        let Some(retry) = spare.and_then(reqwest::Request::try_clone) else {
            cache.invalidate();
            return Ok(rejected(
                response,
                "the service refused the IAM token and the request could not be retried \
                 (its body is a stream); the token was dropped, so the next call fetches a \
                 new one",
            ));
        };
        tracing::debug!("the service answered 401; refreshing the token and retrying once");
        let fresh = match cache.refresh_rejected(client, &token).await {
            Ok(fresh) => fresh,
            // No new token yet: the service's refusal is the answer, with its status,
            // request id and body.
            Err(e) if e.kind() == ErrorKind::CredentialsRejected => {
                return Ok(rejected(response, &e.to_string()));
            }
            Err(e) => return Ok(token_failure(cache, &e)),
        };
        let response = execute_with(client, retry, &fresh).await?;
        if response.status() == http::StatusCode::UNAUTHORIZED {
            return Ok(rejected(
                response,
                "the service refused the IAM token twice (a freshly fetched token too): \
                 check that the IAM user has permission for this operation and that the \
                 token's project scope (HUAWEICLOUD_SDK_PROJECT_ID or the region's project) \
                 matches the project in the request",
            ));
        }
        Ok(response)
    }
}

/// `request` sent with `token`.
async fn execute_with(
    client: &crate::Transport,
    mut request: reqwest::Request,
    token: &CachedToken,
) -> reqwest::Result<reqwest::Response> {
    let Some(value) = TokenAuth::header(token.token.secret()) else {
        return Ok(super::local_failure(
            http::StatusCode::BAD_GATEWAY,
            ErrorKind::CredentialsUnavailable,
            "the token endpoint returned a token that is not a valid header value".to_owned(),
        ));
    };
    request.headers_mut().insert(X_AUTH_TOKEN, value);
    client.execute(request).await
}

fn rejected(response: reqwest::Response, reason: &str) -> reqwest::Response {
    AuthRejected::mark(response, ErrorKind::CredentialsRejected, reason, None)
}

fn token_failure(cache: &TokenCache, error: &TokenError) -> reqwest::Response {
    // No response from the service exists: report the token endpoint's status when it
    // answered, 503 when it could not be reached.
    let status = error
        .status()
        .and_then(|s| http::StatusCode::from_u16(s).ok())
        .unwrap_or(http::StatusCode::SERVICE_UNAVAILABLE);
    super::local_failure(
        status,
        error.kind(),
        format!(
            "no token, so the request was not sent: {} ({error})",
            cache.describe()
        ),
    )
}

impl Authenticator for TokenAuth {
    fn scheme(&self) -> &'static str {
        match self.source {
            Source::Static(_) => "static-token",
            Source::Cache(_) => "iam-token",
        }
    }

    /// A cached IAM token is refreshed and the request sent again once on `401`.
    fn may_resend(&self) -> bool {
        matches!(self.source, Source::Cache(_))
    }

    /// The token, static or cached (the one most likely sent: a refresh during the call
    /// replaces it).
    fn sent_secrets(&self) -> Vec<Secret> {
        match &self.source {
            Source::Static(token) => vec![token.clone()],
            Source::Cache(cache) => cache
                .state()
                .current
                .iter()
                .map(|c| c.token.secret().clone())
                .collect(),
        }
    }

    fn send<'a>(
        &'a self,
        client: &'a crate::Transport,
        request: reqwest::Request,
        spare: Option<&'a reqwest::Request>,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        match &self.source {
            Source::Static(token) => Box::pin(self.send_static(client, request, token)),
            Source::Cache(cache) => Box::pin(self.send_cached(client, request, spare, cache)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::huawei::ManualClock;

    #[derive(Debug)]
    struct Counting {
        fetches: Arc<AtomicUsize>,
        clock: ManualClock,
        lifetime: Duration,
        /// Tokens arrive already expired by `lifetime` (a client clock far ahead).
        born_expired: bool,
        fail: Option<u16>,
        gate: Option<Arc<tokio::sync::Semaphore>>,
    }

    impl TokenProvider for Counting {
        fn describe(&self) -> String {
            "counting test provider".to_owned()
        }

        fn fetch<'a>(
            &'a self,
            _: &'a crate::Transport,
        ) -> BoxFuture<'a, Result<Token, TokenError>> {
            Box::pin(async move {
                let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
                if let Some(gate) = &self.gate {
                    gate.acquire().await.unwrap().forget();
                }
                if let Some(status) = self.fail {
                    return Err(TokenError::new("IAM said no", Some(status)));
                }
                let expires_at = match self.born_expired {
                    false => self.clock.now() + self.lifetime,
                    true => self.clock.now() - self.lifetime,
                };
                Ok(Token::new(format!("token-{n}"), Some(expires_at)))
            })
        }
    }

    fn cache(
        fail: Option<u16>,
        gate: Option<Arc<tokio::sync::Semaphore>>,
    ) -> (TokenCache, Arc<AtomicUsize>, ManualClock) {
        cache_with(fail, gate, false)
    }

    fn cache_with(
        fail: Option<u16>,
        gate: Option<Arc<tokio::sync::Semaphore>>,
        born_expired: bool,
    ) -> (TokenCache, Arc<AtomicUsize>, ManualClock) {
        let fetches = Arc::new(AtomicUsize::new(0));
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        let provider = Counting {
            fetches: fetches.clone(),
            clock: clock.clone(),
            lifetime: Duration::from_secs(3600),
            born_expired,
            fail,
            gate,
        };
        let cache = TokenCache::new(provider)
            .with_clock(Arc::new(clock.clone()))
            .with_refresh_window(Duration::from_secs(600));
        (cache, fetches, clock)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn caches_and_refreshes_before_expiry() {
        let (cache, fetches, clock) = cache(None, None);
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        let a = cache.token(&client).await.unwrap();
        let b = cache.token(&client).await.unwrap();
        assert_eq!(a.token.secret().expose(), b.token.secret().expose());
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        clock.advance(Duration::from_secs(3600 - 601));
        cache.token(&client).await.unwrap();
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            1,
            "outside the window: still cached"
        );
        clock.advance(Duration::from_secs(2));
        let c = cache.token(&client).await.unwrap();
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            2,
            "inside the window: refreshed"
        );
        assert_eq!(c.token.secret().expose(), "token-2");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fifty_concurrent_callers_share_one_fetch() {
        let (cache, fetches, _) = cache(None, None);
        let cache = Arc::new(cache);
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (cache, client) = (cache.clone(), client.clone());
                tokio::spawn(async move { cache.token(&client).await.map(|t| t.generation) })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), 1);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn waiters_share_a_failed_fetch() {
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let (cache, fetches, clock) = cache(Some(503), Some(gate.clone()));
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        let first = cache.token(&client);
        let second = cache.token(&client);
        tokio::pin!(first, second);
        // Poll each once: the first takes the lock and waits at the gate inside the fetch,
        // the second waits for the lock.
        tokio::select! { biased; _ = &mut first => unreachable!(), _ = std::future::ready(()) => {} }
        tokio::select! { biased; _ = &mut second => unreachable!(), _ = std::future::ready(()) => {} }
        gate.add_permits(10);
        assert_eq!(first.await.unwrap_err().status(), Some(503));
        assert_eq!(second.await.unwrap_err().status(), Some(503));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // A later call inside the wait after the failure gets it too, without a fetch...
        let e = cache.token(&client).await.unwrap_err();
        assert_eq!(e.status(), Some(503));
        assert!(e.to_string().contains("not asked for a token again"), "{e}");
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // ...and once it is over (at most twice the minimum interval after one failure), a
        // call tries again.
        clock.advance(2 * DEFAULT_MIN_FETCH_INTERVAL);
        assert!(cache.token(&client).await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[derive(Debug)]
    struct TimingOut;

    impl TokenProvider for TimingOut {
        fn describe(&self) -> String {
            "a token endpoint that never answers in time".to_owned()
        }

        fn fetch<'a>(
            &'a self,
            _: &'a crate::Transport,
        ) -> BoxFuture<'a, Result<Token, TokenError>> {
            Box::pin(async {
                let message = "POST /v3/auth/tokens timed out";
                Err(TokenError::of_kind(message, None, ErrorKind::TimedOut))
            })
        }
    }

    #[tokio::test]
    async fn the_calls_in_the_wait_after_a_fetch_that_timed_out_did_not_time_out() {
        let cache = TokenCache::new(TimingOut);
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        let fetch = cache.token(&client).await.unwrap_err();
        assert_eq!(fetch.kind(), ErrorKind::TimedOut);
        let waiting = cache.token(&client).await.unwrap_err();
        assert_eq!(waiting.kind(), ErrorKind::CredentialsUnavailable);
        assert!(
            waiting.to_string().contains("not asked for a token again"),
            "{waiting}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rejection_refreshes_once_for_all() {
        let (cache, fetches, clock) = cache(None, None);
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        let first = cache.token(&client).await.unwrap();
        clock.advance(DEFAULT_MIN_FETCH_INTERVAL);
        let second = cache.refresh_rejected(&client, &first).await.unwrap();
        // Another task rejecting the same old token gets the new one without a fetch.
        let third = cache.refresh_rejected(&client, &first).await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        assert_eq!(second.generation, third.generation);
        assert_ne!(first.generation, second.generation);
    }

    /// Polls each future once, so that all of them are parked (one inside the fetch at the
    /// gate, the others waiting for the fetch lock) before the gate opens.
    async fn park<F: std::future::Future + Unpin>(futures: &mut [F]) {
        for f in futures.iter_mut() {
            tokio::select! { biased; _ = f => unreachable!("the gate is closed"), _ = std::future::ready(()) => {} }
        }
    }

    #[tokio::test]
    async fn twenty_waiters_for_an_expired_on_arrival_token_cost_one_fetch() {
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let (cache, fetches, clock) = cache_with(None, Some(gate.clone()), true);
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        let mut waiting: Vec<_> = (0..20).map(|_| Box::pin(cache.token(&client))).collect();
        park(&mut waiting).await;
        gate.add_permits(100);
        for w in waiting {
            assert_eq!(w.await.unwrap().generation, 1);
        }
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            1,
            "the waiters took the one fetch's token"
        );
        // Later calls inside the minimum interval use it as well...
        for _ in 0..10 {
            cache.token(&client).await.unwrap();
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // ...and once it has passed, one call fetches again.
        clock.advance(DEFAULT_MIN_FETCH_INTERVAL);
        assert_eq!(cache.token(&client).await.unwrap().generation, 2);
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_refused_login_is_not_tried_again_within_the_back_off() {
        for status in [401, 403] {
            let (cache, fetches, clock) = cache(Some(status), None);
            let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
            for _ in 0..10 {
                let e = cache.token(&client).await.unwrap_err();
                assert_eq!(e.kind(), ErrorKind::LoginRefused);
                assert_eq!(e.status(), Some(status));
                assert!(e.to_string().starts_with("IAM refused the password"), "{e}");
                assert!(e.to_string().contains("300 s"), "{e}");
            }
            // A service 401 asks for a new token: still no login.
            let stale = CachedToken {
                token: Token::new("t", None),
                generation: 0,
            };
            assert!(cache.refresh_rejected(&client, &stale).await.is_err());
            assert_eq!(
                fetches.load(Ordering::SeqCst),
                1,
                "one POST in the back-off"
            );
            clock.advance(DEFAULT_REFUSED_BACKOFF);
            assert!(cache.token(&client).await.is_err());
            assert_eq!(fetches.load(Ordering::SeqCst), 2, "tried again after it");
        }
        // Other failures are remembered for the wait after them.
        let (cache, fetches, clock) = cache(Some(500), None);
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        for _ in 0..3 {
            assert_eq!(
                cache.token(&client).await.unwrap_err().kind(),
                ErrorKind::CredentialsUnavailable
            );
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        clock.advance(2 * DEFAULT_MIN_FETCH_INTERVAL);
        assert!(cache.token(&client).await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn setback_waits_double_within_bounds_and_never_undercut_the_interval() {
        let (min, max) = (DEFAULT_MIN_FETCH_INTERVAL, DEFAULT_MAX_FETCH_BACKOFF);
        let mut last_floor = Duration::ZERO;
        for setbacks in 1..40 {
            let ceiling = min.saturating_mul(1 << setbacks.min(20)).min(max);
            let low = setback_wait(min, max, setbacks, 0.0);
            let high = setback_wait(min, max, setbacks, 0.999_999);
            assert!(low >= min && low >= ceiling / 2, "{setbacks}: {low:?}");
            assert!(high <= ceiling && high >= low, "{setbacks}: {high:?}");
            assert!(low >= last_floor, "the floor never goes down");
            last_floor = low;
        }
        assert_eq!(setback_wait(min, max, 1, 0.0), min);
        assert_eq!(setback_wait(min, max, 1, 1.0), 2 * min);
        assert_eq!(setback_wait(min, max, 30, 1.0), max);
        // Any configured duration is safe, and the interval wins over a smaller maximum.
        assert_eq!(
            setback_wait(Duration::MAX, Duration::ZERO, u32::MAX, 0.5),
            Duration::MAX
        );
        assert_eq!(setback_wait(min, Duration::ZERO, 3, 0.0), min);
        assert_eq!(
            setback_wait(Duration::ZERO, max, 5, 0.3),
            Duration::ZERO,
            "no interval, no wait"
        );
    }

    /// A token endpoint that always fails, asked by a call every second for ten minutes:
    /// fetches are at least the minimum interval apart and the gaps grow.
    #[tokio::test]
    async fn a_failing_token_endpoint_is_asked_ever_less_often() {
        let (cache, fetches, clock) = cache(Some(503), None);
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        let mut fetched_at = Vec::new();
        for second in 0..600u64 {
            let before = fetches.load(Ordering::SeqCst);
            assert!(cache.token(&client).await.is_err());
            if fetches.load(Ordering::SeqCst) > before {
                fetched_at.push(second);
            }
            clock.advance(Duration::from_secs(1));
        }
        let gaps: Vec<u64> = fetched_at.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            gaps.iter()
                .all(|g| *g >= DEFAULT_MIN_FETCH_INTERVAL.as_secs()),
            "{fetched_at:?}"
        );
        // Each gap is at least the floor of its setback: 30, 60, 120, then 150 s.
        for (i, gap) in gaps.iter().enumerate() {
            let floor = (DEFAULT_MIN_FETCH_INTERVAL.as_secs() << i)
                .min(DEFAULT_MAX_FETCH_BACKOFF.as_secs() / 2);
            assert!(*gap >= floor, "gap {i}: {gaps:?}");
        }
        // 30-60 s, 60-120 s, 120-240 s, then 150-300 s each: at most 6 in ten minutes.
        assert!(fetched_at.len() <= 6, "{fetched_at:?}");
        assert!(fetched_at.len() >= 3, "{fetched_at:?}");
    }

    /// A service that refuses every token: refreshes because of a refusal are spaced like
    /// failures, and a refresh refused for the wait leaves the token cached.
    #[tokio::test]
    async fn refreshes_for_refused_tokens_are_spaced() {
        let (cache, fetches, clock) = cache(None, None);
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        let mut refreshes = 0;
        for _ in 0..120 {
            let token = cache.token(&client).await.unwrap();
            match cache.refresh_rejected(&client, &token).await {
                Ok(_) => refreshes += 1,
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::CredentialsRejected);
                    assert!(e.to_string().contains("no new token is requested"), "{e}");
                }
            }
            clock.advance(Duration::from_millis(500));
        }
        // One minute: the first fetch, then at most one refresh (30-60 s after it).
        assert!(refreshes <= 1, "{refreshes}");
        assert_eq!(fetches.load(Ordering::SeqCst), 1 + refreshes);
        // A token fetched because it was due ends the run of setbacks.
        clock.advance(Duration::from_secs(3600));
        cache.token(&client).await.unwrap();
        clock.advance(DEFAULT_MIN_FETCH_INTERVAL);
        let token = cache.token(&client).await.unwrap();
        assert!(cache.refresh_rejected(&client, &token).await.is_ok());
    }

    #[tokio::test]
    async fn any_configured_duration_is_safe() {
        let client = crate::Transport::new(&crate::Limits::default(), false).unwrap();
        let (c, fetches, _) = cache(None, None);
        let c = c
            .with_refresh_window(Duration::MAX)
            .with_min_fetch_interval(Duration::MAX);
        for _ in 0..3 {
            c.token(&client).await.unwrap();
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);

        let (c, fetches, _) = cache(Some(401), None);
        let c = c
            .with_refused_backoff(Duration::MAX)
            .with_min_fetch_interval(Duration::ZERO);
        for _ in 0..3 {
            assert!(c.token(&client).await.is_err());
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);

        // A window past the end of time: every call refreshes, none panics.
        let (c, fetches, _) = cache(None, None);
        let c = c
            .with_refresh_window(Duration::MAX)
            .with_min_fetch_interval(Duration::ZERO);
        for _ in 0..3 {
            c.token(&client).await.unwrap();
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
        assert!(
            far_future(SystemTime::UNIX_EPOCH)
                .checked_add(Duration::from_secs(1))
                .is_none()
        );
    }

    #[test]
    fn debug_hides_tokens() {
        let auth = TokenAuth::static_token("very-secret-token").unwrap();
        assert!(!format!("{auth:?}").contains("very-secret-token"));
        let token = Token::new("another-secret", None);
        assert!(!format!("{token:?}").contains("another-secret"));
        assert!(TokenAuth::static_token("bad\ntoken").is_err());
        assert!(TokenAuth::static_token(" ").is_err());
    }
}
