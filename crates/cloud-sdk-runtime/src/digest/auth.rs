//! The Digest request flow behind the generated clients: probe without the body when no
//! challenge is cached, sign preemptively when one is, sign once more on a stale nonce or a
//! refused cached one, and stop with a clear refusal otherwise.

use std::{borrow::Cow, fmt, sync::Arc, time::Duration};

use reqwest::{
    StatusCode,
    header::{
        AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, TRANSFER_ENCODING,
        WWW_AUTHENTICATE,
    },
};

use super::{
    Clock, CnonceSource, Credentials, RandomCnonce, SystemClock,
    challenge::{ChallengeError, DigestChallenge, parse_header_values},
    compute::{Authorization, RequestParts},
    session::{Acquired, Lease, OriginOf, Session},
};
use crate::{AuthRejected, Authenticator, BoxFuture, ErrorKind};

/// HTTP Digest authentication (RFC 7616) as an [`Authenticator`] for a [`crate::Runtime`].
///
/// - The first call to an origin sends a probe: the same method, URL and headers, but no body
///   and `Content-Length: 0`. The body is never sent unauthenticated.
/// - The challenge is cached per origin and realm; later calls are signed preemptively, one
///   request each, with a fresh cnonce and a nonce count that concurrent calls never share.
///   At most 8 realms are kept per origin (the oldest is forgotten first), so that a server
///   naming a new realm in every challenge cannot grow the cache without bound.
/// - `401` with `stale=true`: the new nonce is cached and the request retried once.
/// - `401` challenging for another realm than the one signed for (the server was
///   reconfigured): the new realm is cached and the request signed for it once.
/// - `401` without `stale` to a request signed with a nonce an earlier call cached: servers
///   forget nonces without calling them stale (a restart, a nonce lifetime ended, another node
///   behind a load balancer), so the new nonce is cached and the request signed with it once,
///   as curl and Python requests do. With wrong credentials this costs one more request.
/// - `401` without `stale` otherwise (or to that resend): the response is returned marked
///   [`AuthRejected`], which the runtime turns into an error naming the realm.
/// - A request whose body is a stream is never sent twice: where a resend would be needed, the
///   call ends with the refusal.
/// - Only Digest is answered: a server offering Basic alone gets no credentials.
/// - The body of a `401` answered this way is never used: it is read (so that its connection
///   can be reused) up to [`crate::Limits::max_response_bytes`] only, and dropped with its
///   connection past that.
///
/// Against servers that want nonce counts in increasing order, see [`super`]'s notes on
/// ordered mode.
pub struct DigestAuth {
    session: Session,
    cnonce: Arc<dyn CnonceSource>,
    rejection_hint: Cow<'static, str>,
}

impl DigestAuth {
    /// Digest authentication with `credentials`, random cnonces and the system clock.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            session: Session::new(credentials, Arc::new(SystemClock)),
            cnonce: Arc::new(RandomCnonce),
            rejection_hint: Cow::Borrowed("check the username and password"),
        }
    }

    /// Uses `source` for client nonces (tests replaying fixed values).
    pub fn with_cnonce_source(mut self, source: impl CnonceSource) -> Self {
        self.cnonce = Arc::new(source);
        self
    }

    /// Uses `clock` to age cached nonces (see [`DigestAuth::with_max_nonce_age`]).
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.session.clock = Arc::new(clock);
        self
    }

    /// Stops signing with a nonce older than `age` and fetches a new challenge instead. Useful
    /// with servers that let nonces expire without answering `stale=true`: the new nonce then
    /// comes from a probe without the body, where otherwise the signed request is refused and
    /// sent again, body included (and a streamed body cannot be). By default a nonce is used
    /// until the server refuses it.
    pub fn with_max_nonce_age(mut self, age: Duration) -> Self {
        self.session.max_age = Some(age);
        self
    }

    /// What the error says to change when the server refuses the credentials (for example the
    /// environment variables that hold them).
    pub fn with_rejection_hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.rejection_hint = hint.into();
        self
    }
}

impl fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (spaces, ordered) = self.session.summary();
        f.debug_struct("DigestAuth")
            .field("credentials", &self.session.credentials)
            .field("cached_protection_spaces", &spaces)
            .field("ordered_protection_spaces", &ordered)
            .field("max_nonce_age", &self.session.max_age)
            .finish_non_exhaustive()
    }
}

impl Authenticator for DigestAuth {
    fn scheme(&self) -> &'static str {
        "digest"
    }

    /// A stale nonce, a refused nonce cached by an earlier call, or a refusal after being
    /// overtaken sends the request once more.
    fn may_resend(&self) -> bool {
        true
    }

    /// The username (an AccessKey ID), which every `Authorization` header carries as it is:
    /// a server quoting the header back shows it in full otherwise.
    fn sent_secrets(&self) -> Vec<crate::Secret> {
        vec![self.session.credentials.username().clone()]
    }

    fn send<'a>(
        &'a self,
        client: &'a crate::Transport,
        request: reqwest::Request,
        spare: Option<&'a reqwest::Request>,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(self.run(client, request, spare))
    }
}

/// A request signed and ready to go.
struct Prepared {
    lease: Lease,
    nc: u32,
    header: HeaderValue,
}

/// The request line as the response covers it, kept apart from the request, which is moved
/// into each attempt.
struct Target {
    url: url::Url,
    method: reqwest::Method,
}

impl Target {
    /// Path and query exactly as reqwest puts them on the request line.
    fn uri(&self) -> &str {
        &self.url[url::Position::BeforePath..url::Position::AfterQuery]
    }
}

impl DigestAuth {
    /// One call's exchange: sign with the cached nonce (or probe for one), send, and answer a
    /// refusal (a stale nonce, another realm, a forgotten nonce or being overtaken) by signing
    /// again once.
    async fn run(
        &self,
        client: &crate::Transport,
        mut request: reqwest::Request,
        spare: Option<&reqwest::Request>,
    ) -> reqwest::Result<reqwest::Response> {
        let target = Target {
            url: request.url().clone(),
            method: request.method().clone(),
        };
        // The usual call signs with the cached nonce, waiting on nothing; else it probes (under
        // the origin's lock when the session hands one out).
        let signed = match self.session.acquire(&target.url) {
            Acquired::Lease(lease) => self.sign(lease, &target, &request).map_err(|()| None),
            Acquired::Probe(lock) => Err(lock),
        };
        // Whether the nonce signed with was cached by an earlier call, which the server may
        // have forgotten since. A nonce from this call's probe (or from the probe it waited
        // for) is as fresh as the server makes them, and so is every resend's.
        let (mut prepared, mut cached) = match signed {
            Ok(p) => (p, true),
            Err(lock) => match self.prepare(client, &target, &request, lock).await? {
                Ok(p) => (p, false),
                Err(response) => return Ok(response),
            },
        };
        // Each kind of resend happens once at most. A refusal without `stale` that may not be
        // about the credentials (being overtaken, or a forgotten nonce) shares one resend, so
        // that a call sends at most four signed requests.
        let mut stale_retried = false;
        let mut refusal_retried = false;
        let mut realm_retried = false;
        loop {
            request
                .headers_mut()
                .insert(AUTHORIZATION, prepared.header.clone());
            let response = match client.execute(request).await {
                Ok(r) => r,
                Err(e) => {
                    self.session.release(&target.url, prepared.lease);
                    return Err(e);
                }
            };
            if response.status() != StatusCode::UNAUTHORIZED {
                self.session.release(&target.url, prepared.lease);
                return Ok(response);
            }
            let realm = prepared.lease.slot.challenge.realm().to_owned();
            let fresh = match select(&response, body_buffered(spare)) {
                Ok(c) => c,
                Err(e) => {
                    let reason = format!(
                        "the server refused the signed request and offered no usable Digest challenge ({e}); {}",
                        self.rejection_hint
                    );
                    tracing::warn!(origin = %OriginOf(&target.url), realm = %realm, status = %response.status(), "digest: signed request refused");
                    return Ok(AuthRejected::mark(
                        response,
                        ErrorKind::CredentialsRejected,
                        reason,
                        Some(realm),
                    ));
                }
            };
            // The request once more, from the runtime's copy: only now, when it is needed. A
            // streamed body has no copy and cannot be sent again.
            let again = spare.and_then(reqwest::Request::try_clone);
            // Overtaken: another request took a higher count of this shared nonce before this
            // one was answered, so a server that checks count order may have refused it for
            // that alone (see the session module).
            let overtaken = !prepared.lease.exclusive && prepared.lease.slot.issued() > prepared.nc;
            // A challenge for another realm says nothing about the credentials: the server was
            // reconfigured (or a proxy moved the request) since the nonce was cached. Answer
            // the new realm once; a refusal of that is a refusal.
            let realm_changed = !realm_retried && fresh.realm() != realm;
            // Forgotten: the nonce was cached by an earlier call and the server refused it
            // without calling it stale, as a server does for a nonce it no longer knows (a
            // restart, a nonce lifetime ended, another node behind a load balancer). This says
            // nothing about the credentials yet; a refusal of the resend does.
            let forgotten = cached && !refusal_retried;
            let (lease, again) = match (again, fresh.stale()) {
                (Some(again), _) if realm_changed => {
                    realm_retried = true;
                    tracing::debug!(origin = %OriginOf(&target.url), old_realm = %realm, realm = %fresh.realm(), "digest: the server now challenges for another realm; signing once for it");
                    (self.session.install(&target.url, fresh), again)
                }
                (Some(again), stale)
                    if overtaken && !refusal_retried && (!stale || stale_retried) =>
                {
                    refusal_retried = true;
                    tracing::debug!(origin = %OriginOf(&target.url), realm = %fresh.realm(), "digest: a signed request was refused after being overtaken; leasing one nonce per request in flight from now on");
                    (self.session.switch_to_ordered(&target.url, fresh), again)
                }
                (Some(again), true) if !stale_retried => {
                    stale_retried = true;
                    tracing::debug!(origin = %OriginOf(&target.url), realm = %fresh.realm(), "digest: stale nonce; retrying once with the new one");
                    (
                        self.session.refresh(&target.url, prepared.lease, fresh),
                        again,
                    )
                }
                (Some(again), false) if forgotten => {
                    refusal_retried = true;
                    tracing::debug!(origin = %OriginOf(&target.url), realm = %fresh.realm(), "digest: a nonce cached by an earlier call was refused (the server may have forgotten it); signing once with the new one");
                    (
                        self.session.refresh(&target.url, prepared.lease, fresh),
                        again,
                    )
                }
                (again, stale) => {
                    let (kind, reason) = match (stale, again.is_some()) {
                    (true, false) => (
                        ErrorKind::InvalidRequest,
                        "the server asked for a retry with a new nonce, but the request body is a stream and cannot be sent twice".to_owned(),
                    ),
                    (true, true) => (
                        ErrorKind::CredentialsRejected,
                        format!("the server called the new nonce stale as well; {}", self.rejection_hint),
                    ),
                    (false, false) if forgotten => (
                        ErrorKind::CredentialsRejected,
                        format!("the server rejected the Digest credentials, or forgot the nonce an earlier call cached (the request body is a stream and cannot be sent again to tell); {}", self.rejection_hint),
                    ),
                    (false, _) => (
                        ErrorKind::CredentialsRejected,
                        format!("the server rejected the Digest credentials; {}", self.rejection_hint),
                    ),
                };
                    tracing::warn!(origin = %OriginOf(&target.url), realm = %realm, status = %response.status(), "digest: credentials refused");
                    self.session.rejected(&target.url, &prepared.lease, fresh);
                    return Ok(AuthRejected::mark(response, kind, reason, Some(realm)));
                }
            };
            prepared = match self.sign(lease, &target, &again) {
                Ok(p) => p,
                Err(()) => {
                    let reason =
                        "the server's new Digest challenge cannot sign this request".to_owned();
                    return Ok(AuthRejected::mark(
                        response,
                        ErrorKind::BadChallenge,
                        reason,
                        Some(realm),
                    ));
                }
            };
            request = again;
            cached = false;
            // Done with the refusal: its connection goes back to the pool, unless its body is
            // over the size limit.
            crate::transport::discard(response, client.max_response_bytes()).await;
        }
    }

    /// Probes for a challenge and signs with it: at once (`lock` is `None`: the session has no
    /// nonce for this origin, or the cached one cannot sign this request, its counts used up or
    /// auth-int only and a streamed body), or one probe at a time per origin under `lock`.
    async fn prepare(
        &self,
        client: &crate::Transport,
        target: &Target,
        request: &reqwest::Request,
        lock: Option<Arc<tokio::sync::Mutex<()>>>,
    ) -> reqwest::Result<Result<Prepared, reqwest::Response>> {
        // One probe at a time per origin, the lock held until the probe's challenge is
        // installed: the tasks that waited find it, so a burst of first calls costs a single
        // extra request.
        let guard = match &lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        if guard.is_some()
            && let Acquired::Lease(lease) = self.session.acquire(&target.url)
            && let Ok(p) = self.sign(lease, target, request)
        {
            return Ok(Ok(p));
        }
        let probed = self.probe(client, target, request).await;
        drop(guard);
        probed
    }

    /// Sends the request without body and credentials, to be challenged.
    async fn probe(
        &self,
        client: &crate::Transport,
        target: &Target,
        request: &reqwest::Request,
    ) -> reqwest::Result<Result<Prepared, reqwest::Response>> {
        let mut probe = reqwest::Request::new(request.method().clone(), request.url().clone());
        *probe.version_mut() = request.version();
        *probe.timeout_mut() = request.timeout().copied();
        for (name, value) in request.headers() {
            if ![
                AUTHORIZATION,
                CONTENT_LENGTH,
                CONTENT_TYPE,
                TRANSFER_ENCODING,
            ]
            .contains(name)
            {
                probe.headers_mut().append(name.clone(), value.clone());
            }
        }
        probe
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        let response = client.execute(probe).await?;
        let status = response.status();
        if status != StatusCode::UNAUTHORIZED {
            if status.is_client_error() || status.is_server_error() {
                // The server's own refusal (404, 503...) says more than anything we could.
                return Ok(Err(response));
            }
            let reason = format!(
                "the server answered an unauthenticated probe with {status} instead of a Digest challenge; the request was not sent"
            );
            return Ok(Err(AuthRejected::mark(
                response,
                ErrorKind::BadChallenge,
                reason,
                None,
            )));
        }
        let challenge = match select(&response, body_buffered(Some(request))) {
            Ok(c) => c,
            Err(e) => {
                let reason = format!("cannot authenticate: {e}; the request was not sent");
                return Ok(Err(AuthRejected::mark(
                    response,
                    ErrorKind::BadChallenge,
                    reason,
                    None,
                )));
            }
        };
        tracing::debug!(origin = %OriginOf(&target.url), realm = %challenge.realm(), algorithm = %challenge.algorithm(), "digest: challenge received");
        let realm = challenge.realm().to_owned();
        let lease = self.session.install(&target.url, challenge);
        match self.sign(lease, target, request) {
            Ok(p) => {
                crate::transport::discard(response, client.max_response_bytes()).await;
                Ok(Ok(p))
            }
            Err(_) => {
                let reason = "the server's Digest challenge cannot sign this request; the request was not sent".to_owned();
                Ok(Err(AuthRejected::mark(
                    response,
                    ErrorKind::BadChallenge,
                    reason,
                    Some(realm),
                )))
            }
        }
    }

    /// Takes the next nonce count of `lease` and computes the `Authorization` value.
    fn sign(
        &self,
        lease: Lease,
        target: &Target,
        request: &reqwest::Request,
    ) -> Result<Prepared, ()> {
        let Some(nc) = lease.slot.next_nc() else {
            self.session.discard(&target.url, lease);
            return Err(());
        };
        let cnonce = self.cnonce.cnonce();
        let parts = RequestParts {
            method: target.method.as_str(),
            uri: target.uri(),
            body: match request.body() {
                None => Some(&[]),
                Some(b) => b.as_bytes(),
            },
        };
        let header = lease.slot.signer.as_ref().ok().and_then(|signer| {
            signer
                .sign(&parts, nc, &cnonce)
                .and_then(Authorization::into_header_value)
                .ok()
        });
        match header {
            Some(header) => Ok(Prepared { lease, nc, header }),
            None => {
                self.session.release(&target.url, lease);
                Err(())
            }
        }
    }
}

fn body_buffered(request: Option<&reqwest::Request>) -> bool {
    request
        .and_then(reqwest::Request::body)
        .is_none_or(|b| b.as_bytes().is_some())
}

/// The Digest challenge to answer among all `WWW-Authenticate` headers of `response`. A
/// malformed header is skipped, not fatal: another header may carry a good challenge.
fn select(
    response: &reqwest::Response,
    body_buffered: bool,
) -> Result<DigestChallenge, ChallengeError> {
    let (challenges, malformed) = parse_header_values(
        response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .map(HeaderValue::as_bytes),
    )?;
    match (
        DigestChallenge::select(&challenges, body_buffered),
        malformed,
    ) {
        (Err(_), Some(m)) if challenges.is_empty() => Err(ChallengeError::new(format!(
            "malformed WWW-Authenticate header: {m}"
        ))),
        (result, _) => result,
    }
}
