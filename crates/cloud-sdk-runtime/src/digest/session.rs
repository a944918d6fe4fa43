//! The Digest challenge cache: per origin and realm, the server's nonce with an atomic nonce
//! count, so that later requests are signed preemptively, in one round trip.
//!
//! # Two ways of sharing a nonce
//!
//! RFC 7616 only asks that a nonce count is never used twice for a nonce, so by default all
//! tasks of a client sign with the one cached nonce and take their `nc` from an atomic counter:
//! no two requests ever carry the same count, and no lock is held while a request is on the
//! wire. This costs nothing after the first challenge.
//!
//! Some servers (Apache's `mod_auth_digest`, for one) also demand that counts arrive in
//! increasing order. Requests signed concurrently travel on different connections and may
//! overtake each other, so such a server refuses the slower one even though nothing was wrong
//! with it. Putting requests on the wire in counter order would need one request in flight at a
//! time. Instead, when a refused request is seen to have been overtaken (a higher count of its
//! nonce had been handed out), the protection space switches for good to *ordered* mode: each
//! nonce is leased to one request at a time, so its counts reach the server in order by
//! construction, and a pool keeps as many nonces as there are requests in flight. Every nonce in
//! that pool costs one extra request once (the refused request's own 401 carries a fresh nonce,
//! otherwise a body-less probe fetches one), and a task only fetches a nonce when every pooled
//! one is leased, so the pool never holds more nonces than there were concurrent tasks: at most
//! one extra request per concurrent task, after which calls are back to one request each.

use std::{
    fmt,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use super::{
    Clock, Credentials,
    challenge::DigestChallenge,
    compute::{SignError, Signer},
};

/// Scheme, host and port: the scope of a Digest protection space together with the realm.
/// Compared with a request's URL in place, so that finding the cached nonce for a request
/// allocates nothing. Log lines write it with [`OriginOf`].
pub(crate) struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    pub(crate) fn of(url: &url::Url) -> Self {
        Self {
            scheme: url.scheme().to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
            port: url.port_or_known_default().unwrap_or_default(),
        }
    }

    fn is_of(&self, url: &url::Url) -> bool {
        self.port == url.port_or_known_default().unwrap_or_default()
            && self.host == url.host_str().unwrap_or_default()
            && self.scheme == url.scheme()
    }
}

/// A URL's [`Origin`] for log lines, written without building one.
pub(crate) struct OriginOf<'a>(pub(crate) &'a url::Url);

impl fmt::Display for OriginOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.0;
        write!(
            f,
            "{}://{}:{}",
            url.scheme(),
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        )
    }
}

/// A nonce as the server issued it, with the last nonce count handed out for it.
pub(crate) struct Slot {
    pub(crate) challenge: DigestChallenge,
    /// The challenge made ready to sign with, or why it cannot sign.
    pub(crate) signer: Result<Signer, SignError>,
    issued: AtomicU32,
    obtained: Instant,
}

impl Slot {
    fn new(challenge: DigestChallenge, credentials: &Credentials, now: Instant) -> Arc<Self> {
        Arc::new(Self {
            signer: Signer::new(&challenge, credentials),
            challenge,
            issued: AtomicU32::new(0),
            obtained: now,
        })
    }

    /// The next nonce count, never the same twice; `None` once the 8 hex digits are used up.
    pub(crate) fn next_nc(&self) -> Option<u32> {
        self.issued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_add(1))
            .ok()
            .map(|n| n + 1)
    }

    /// The highest nonce count handed out so far.
    pub(crate) fn issued(&self) -> u32 {
        self.issued.load(Ordering::Acquire)
    }
}

/// The right to sign one request with a nonce: shared with other requests, or exclusive.
pub(crate) struct Lease {
    pub(crate) slot: Arc<Slot>,
    pub(crate) exclusive: bool,
}

impl Lease {
    fn new(slot: Arc<Slot>, exclusive: bool) -> Self {
        Self { slot, exclusive }
    }
}

/// What [`Session::acquire`] found.
pub(crate) enum Acquired {
    /// A nonce to sign with.
    Lease(Lease),
    /// No usable nonce: probe for a challenge. With a lock, only one task probes at a time so
    /// that a burst of first calls costs a single probe; without, each task needs its own nonce.
    Probe(Option<Arc<tokio::sync::Mutex<()>>>),
}

/// The most protection spaces (realms) cached per origin. A server has one realm, rarely a
/// few, so this never forgets the space of a server that is merely reconfigured; but realms
/// are the server's to name, and one naming a new realm on every `401` would otherwise grow
/// the cache by an entry each time, for the client's lifetime. Past the cap the space cached
/// first is forgotten: a later request for its realm costs one extra request (a probe or a
/// re-challenge), as on first use.
const MAX_SPACES_PER_ORIGIN: usize = 8;

struct OriginState {
    origin: Origin,
    /// The realm of the last challenge from this origin: where the next request most likely
    /// belongs, since a request does not say its realm before it is challenged.
    realm: Option<String>,
    /// Per realm, in the order first cached; at most [`MAX_SPACES_PER_ORIGIN`], searched in
    /// place.
    spaces: Vec<(String, Space)>,
    probe: Arc<tokio::sync::Mutex<()>>,
}

/// The protection space of `realm` among `spaces`, if one is cached.
fn find_space<'a>(spaces: &'a mut [(String, Space)], realm: &str) -> Option<&'a mut Space> {
    spaces
        .iter_mut()
        .find(|(r, _)| r == realm)
        .map(|(_, space)| space)
}

impl OriginState {
    /// Makes `realm` the current realm and returns its space, made on first use (forgetting
    /// the oldest one when [`MAX_SPACES_PER_ORIGIN`] are cached).
    fn enter(&mut self, realm: &str) -> &mut Space {
        self.realm = Some(realm.to_owned());
        let found = self.spaces.iter().position(|(r, _)| r == realm);
        let index = found.unwrap_or_else(|| {
            if self.spaces.len() >= MAX_SPACES_PER_ORIGIN {
                self.spaces.remove(0);
            }
            self.spaces.push((realm.to_owned(), Space::default()));
            self.spaces.len() - 1
        });
        &mut self.spaces[index].1
    }
}

#[derive(Default)]
struct Space {
    ordered: bool,
    shared: Option<Arc<Slot>>,
    free: Vec<Arc<Slot>>,
}

/// The cache. Its lock is held for lookups only, never across a request. A client talks to one
/// origin, rarely a few, so the origins are a list searched in place.
pub(crate) struct Session {
    origins: Mutex<Vec<OriginState>>,
    pub(crate) credentials: Credentials,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) max_age: Option<Duration>,
}

/// The entry of `url`'s origin, made on first use.
fn entry<'a>(origins: &'a mut Vec<OriginState>, url: &url::Url) -> &'a mut OriginState {
    let found = origins.iter().position(|o| o.origin.is_of(url));
    let index = found.unwrap_or_else(|| {
        origins.push(OriginState {
            origin: Origin::of(url),
            realm: None,
            spaces: Vec::new(),
            probe: Arc::default(),
        });
        origins.len() - 1
    });
    &mut origins[index]
}

/// The protection space of `realm` at `url`'s origin, if one is cached.
fn space_of<'a>(
    origins: &'a mut [OriginState],
    url: &url::Url,
    realm: &str,
) -> Option<&'a mut Space> {
    origins
        .iter_mut()
        .find(|o| o.origin.is_of(url))
        .and_then(|o| find_space(&mut o.spaces, realm))
}

impl Session {
    pub(crate) fn new(credentials: Credentials, clock: Arc<dyn Clock>) -> Self {
        Self {
            origins: Mutex::new(Vec::new()),
            credentials,
            clock,
            max_age: None,
        }
    }

    fn slot(&self, challenge: DigestChallenge, now: Instant) -> Arc<Slot> {
        Slot::new(challenge, &self.credentials, now)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<OriginState>> {
        // A panic elsewhere cannot leave the cache inconsistent in a harmful way: at worst a
        // nonce is missing and the next call probes again.
        self.origins.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn usable(&self, slot: &Slot) -> bool {
        self.max_age.is_none_or(|age| {
            self.clock
                .instant()
                .saturating_duration_since(slot.obtained)
                < age
        })
    }

    /// A nonce to sign the next request for `origin` with, or what to do to get one.
    pub(crate) fn acquire(&self, url: &url::Url) -> Acquired {
        let mut origins = self.lock();
        let state = entry(&mut origins, url);
        let Some(space) = state
            .realm
            .as_deref()
            .and_then(|r| find_space(&mut state.spaces, r))
        else {
            return Acquired::Probe(Some(state.probe.clone()));
        };
        if space.ordered {
            while let Some(slot) = space.free.pop() {
                if self.usable(&slot) {
                    return Acquired::Lease(Lease::new(slot, true));
                }
            }
            return Acquired::Probe(None);
        }
        match &space.shared {
            Some(slot) if self.usable(slot) => Acquired::Lease(Lease::new(slot.clone(), false)),
            _ => Acquired::Probe(Some(state.probe.clone())),
        }
    }

    /// Records a challenge from a probe and leases its nonce.
    pub(crate) fn install(&self, url: &url::Url, challenge: DigestChallenge) -> Lease {
        let now = self.clock.instant();
        let mut origins = self.lock();
        let state = entry(&mut origins, url);
        let space = state.enter(&challenge.realm);
        let slot = self.slot(challenge, now);
        if !space.ordered {
            space.shared = Some(slot.clone());
        }
        Lease::new(slot, space.ordered)
    }

    /// After `stale=true`, or a refusal of a nonce the server may have forgotten: the nonce to
    /// retry with. A shared nonce is replaced once, by the first task to see it refused; the
    /// others retry with that replacement.
    pub(crate) fn refresh(&self, url: &url::Url, lease: Lease, fresh: DigestChallenge) -> Lease {
        let now = self.clock.instant();
        let mut origins = self.lock();
        let state = entry(&mut origins, url);
        let space = state.enter(&fresh.realm);
        if lease.exclusive || space.ordered {
            return Lease::new(self.slot(fresh, now), true);
        }
        match &space.shared {
            Some(current) if !Arc::ptr_eq(current, &lease.slot) && self.usable(current) => {
                Lease::new(current.clone(), false)
            }
            _ => {
                let slot = self.slot(fresh, now);
                space.shared = Some(slot.clone());
                Lease::new(slot, false)
            }
        }
    }

    /// After a request was refused because another overtook it: switches the realm to one
    /// nonce per in-flight request (see the module documentation) and leases `fresh`.
    pub(crate) fn switch_to_ordered(&self, url: &url::Url, fresh: DigestChallenge) -> Lease {
        let now = self.clock.instant();
        let mut origins = self.lock();
        let state = entry(&mut origins, url);
        let space = state.enter(&fresh.realm);
        space.ordered = true;
        // Requests still in flight keep their reference; nobody new signs with it.
        space.shared = None;
        Lease::new(self.slot(fresh, now), true)
    }

    /// After a definitive refusal: keeps the nonce the refusal carried, so that the next call
    /// does not probe again (and still works if the server merely forgot the old nonce).
    pub(crate) fn rejected(&self, url: &url::Url, lease: &Lease, fresh: DigestChallenge) {
        let now = self.clock.instant();
        let mut origins = self.lock();
        let state = entry(&mut origins, url);
        let space = state.enter(&fresh.realm);
        if space.ordered {
            space.free.push(self.slot(fresh, now));
        } else if space
            .shared
            .as_ref()
            .is_none_or(|s| Arc::ptr_eq(s, &lease.slot))
        {
            space.shared = Some(self.slot(fresh, now));
        }
    }

    /// Gives an exclusive nonce back to its pool once its request has been answered.
    pub(crate) fn release(&self, url: &url::Url, lease: Lease) {
        if !lease.exclusive || lease.slot.issued() == u32::MAX {
            return;
        }
        let mut origins = self.lock();
        if let Some(space) =
            space_of(&mut origins, url, &lease.slot.challenge.realm).filter(|space| space.ordered)
        {
            space.free.push(lease.slot);
        }
    }

    /// Forgets a nonce that cannot sign any more (its counts are used up).
    pub(crate) fn discard(&self, url: &url::Url, lease: Lease) {
        let mut origins = self.lock();
        if let Some(space) = space_of(&mut origins, url, &lease.slot.challenge.realm)
            && space
                .shared
                .as_ref()
                .is_some_and(|s| Arc::ptr_eq(s, &lease.slot))
        {
            space.shared = None;
        }
    }

    /// How many protection spaces are cached, and how many of them are in ordered mode.
    pub(crate) fn summary(&self) -> (usize, usize) {
        let origins = self.lock();
        let spaces = origins.iter().flat_map(|o| o.spaces.iter().map(|(_, s)| s));
        spaces.fold((0, 0), |(n, o), s| (n + 1, o + usize::from(s.ordered)))
    }
}

#[cfg(test)]
mod tests {
    use std::{collections::HashSet, thread};

    use super::*;
    use crate::digest::challenge::parse_challenges;

    fn challenge(nonce: &str) -> DigestChallenge {
        let v =
            parse_challenges(&format!(r#"Digest realm="r", nonce="{nonce}", qop=auth"#)).unwrap();
        DigestChallenge::from_challenge(&v[0]).unwrap()
    }

    fn origin() -> url::Url {
        url::Url::parse("https://example.com/a?b").unwrap()
    }

    fn session(clock: impl Clock) -> Session {
        Session::new(Credentials::new("user", "password"), Arc::new(clock))
    }

    fn lease(a: Acquired) -> Lease {
        match a {
            Acquired::Lease(l) => l,
            Acquired::Probe(_) => panic!("expected a cached nonce"),
        }
    }

    #[test]
    fn origin_includes_the_default_port() {
        assert_eq!(OriginOf(&origin()).to_string(), "https://example.com:443");
        assert!(
            Origin::of(&origin()).is_of(&url::Url::parse("https://example.com:443/other").unwrap())
        );
        assert!(!Origin::of(&origin()).is_of(&url::Url::parse("http://example.com/a?b").unwrap()));
        assert!(
            !Origin::of(&origin()).is_of(&url::Url::parse("https://example.com:8443/a").unwrap())
        );
    }

    #[test]
    fn concurrent_signers_never_share_a_count() {
        let s = session(crate::clock::SystemClock);
        s.install(&origin(), challenge("n"));
        let slot = lease(s.acquire(&origin())).slot;
        let counts: Vec<u32> = thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        (0..1000)
                            .map(|_| slot.next_nc().unwrap())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let distinct: HashSet<_> = counts.iter().collect();
        assert_eq!(distinct.len(), 8000);
        assert_eq!(slot.issued(), 8000);
    }

    #[test]
    fn counts_stop_before_wrapping() {
        let slot = Slot::new(
            challenge("n"),
            &Credentials::new("user", "password"),
            Instant::now(),
        );
        slot.issued.store(u32::MAX - 1, Ordering::Release);
        assert_eq!(slot.next_nc(), Some(u32::MAX));
        assert_eq!(slot.next_nc(), None);
    }

    #[test]
    fn first_use_probes_once_then_shares() {
        let s = session(crate::clock::SystemClock);
        assert!(matches!(s.acquire(&origin()), Acquired::Probe(Some(_))));
        let first = s.install(&origin(), challenge("n1"));
        assert!(!first.exclusive);
        let again = lease(s.acquire(&origin()));
        assert!(Arc::ptr_eq(&first.slot, &again.slot));
    }

    #[test]
    fn stale_nonce_is_replaced_once() {
        let s = session(crate::clock::SystemClock);
        let a = s.install(&origin(), challenge("old"));
        let b = lease(s.acquire(&origin()));
        let a2 = s.refresh(&origin(), a, challenge("new-a"));
        let b2 = s.refresh(&origin(), b, challenge("new-b"));
        assert_eq!(a2.slot.challenge.nonce(), "new-a");
        assert!(
            Arc::ptr_eq(&a2.slot, &b2.slot),
            "the second task reuses the first refresh"
        );
    }

    #[test]
    fn ordered_mode_leases_each_nonce_to_one_request() {
        let s = session(crate::clock::SystemClock);
        s.install(&origin(), challenge("shared"));
        let mine = s.switch_to_ordered(&origin(), challenge("mine"));
        assert!(mine.exclusive);
        // Nothing free: the next task must fetch its own nonce, without the probe lock.
        assert!(matches!(s.acquire(&origin()), Acquired::Probe(None)));
        let theirs = s.install(&origin(), challenge("theirs"));
        assert!(theirs.exclusive);
        s.release(&origin(), mine);
        let next = lease(s.acquire(&origin()));
        assert_eq!(next.slot.challenge.nonce(), "mine");
        assert!(matches!(s.acquire(&origin()), Acquired::Probe(None)));
        assert_eq!(s.summary(), (1, 1));
    }

    #[test]
    fn realms_past_the_cap_forget_the_oldest() {
        let s = session(crate::clock::SystemClock);
        let for_realm = |realm: &str| {
            let v = parse_challenges(&format!(r#"Digest realm="{realm}", nonce="n", qop=auth"#))
                .unwrap();
            DigestChallenge::from_challenge(&v[0]).unwrap()
        };
        for i in 0..3 * MAX_SPACES_PER_ORIGIN {
            s.install(&origin(), for_realm(&format!("r{i}")));
            assert_eq!(s.summary().0, (i + 1).min(MAX_SPACES_PER_ORIGIN));
        }
        // The newest realm is the one signed for; a realm seen again is not cached twice.
        let last = format!("r{}", 3 * MAX_SPACES_PER_ORIGIN - 1);
        assert_eq!(lease(s.acquire(&origin())).slot.challenge.realm(), last);
        s.install(&origin(), for_realm(&last));
        assert_eq!(s.summary().0, MAX_SPACES_PER_ORIGIN);
    }

    #[test]
    fn nonces_older_than_the_max_age_are_not_used() {
        let clock = crate::clock::ManualClock::new(std::time::SystemTime::now());
        let mut s = session(clock.clone());
        s.max_age = Some(Duration::from_secs(60));
        s.install(&origin(), challenge("n"));
        assert!(matches!(s.acquire(&origin()), Acquired::Lease(_)));
        clock.advance(Duration::from_secs(61));
        assert!(matches!(s.acquire(&origin()), Acquired::Probe(Some(_))));
    }
}
