//! HTTP Digest authentication (RFC 7616, RFC 2617, RFC 2069): a pure core and a caching session.
//!
//! - [`parse_challenges`] and [`DigestChallenge`]: `WWW-Authenticate` parsing (several
//!   challenges per header or across headers; Basic and other schemes skipped, never used).
//! - [`authorize`]: the response for MD5, SHA-256, SHA-512-256 and their `-sess` variants, with
//!   `qop=auth`, `auth-int` or none (RFC 2069), `userhash` and `opaque`. No I/O: the cnonce and
//!   nonce count are arguments.
//! - [`DigestAuth`]: the [`crate::Authenticator`] that generated clients use. It caches
//!   challenges per origin and realm, signs preemptively with an atomic nonce count, signs
//!   once more on `stale=true` or when a nonce cached by an earlier call is refused (servers
//!   forget nonces), and never sends a body unauthenticated.
//!
//! ```
//! use cloud_sdk_runtime::{Runtime, digest::{Credentials, DigestAuth}};
//!
//! let runtime = Runtime::builder(DigestAuth::new(Credentials::new("user", "password"))).build();
//! # let _ = runtime;
//! ```
//!
//! Servers that insist on nonce counts arriving in increasing order are handled too: the first
//! refusal of a request that another one overtook switches that realm to one nonce per request
//! in flight (details in the `session` module's source), at most one extra request per
//! concurrent task.

mod auth;
mod challenge;
mod compute;
mod session;

pub use auth::DigestAuth;
pub use challenge::{
    Challenge, ChallengeError, DigestChallenge, Limit, ParseError, QopOptions, parse_challenges,
};
pub use compute::{
    Algorithm, Authorization, Credentials, Qop, RequestParts, SignError, Signer, authorize,
};

/// Where client nonces (`cnonce`) come from. Any `Fn() -> String` closure is one, which lets
/// tests replay the fixed values of the RFC examples.
pub trait CnonceSource: Send + Sync + 'static {
    /// A fresh, unpredictable client nonce.
    fn cnonce(&self) -> String;
}

impl<F: Fn() -> String + Send + Sync + 'static> CnonceSource for F {
    fn cnonce(&self) -> String {
        self()
    }
}

/// Random client nonces: 128 bits from the operating system's cryptographically secure
/// generator, as 32 hex digits.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomCnonce;

impl CnonceSource for RandomCnonce {
    fn cnonce(&self) -> String {
        hex::encode(crate::random::bytes::<16>())
    }
}

pub use crate::clock::{Clock, ManualClock, SystemClock};

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn random_cnonces_are_32_hex_digits_and_never_repeat() {
        let cnonces: HashSet<String> = (0..10_000).map(|_| RandomCnonce.cnonce()).collect();
        assert_eq!(cnonces.len(), 10_000);
        for c in &cnonces {
            assert_eq!(c.len(), 32, "{c}");
            assert!(
                c.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{c}"
            );
        }
        // 128 random bits: over 10,000 values every hex digit shows up in every position.
        for position in 0..32 {
            let digits: HashSet<u8> = cnonces.iter().map(|c| c.as_bytes()[position]).collect();
            assert_eq!(digits.len(), 16, "position {position}");
        }
    }
}
