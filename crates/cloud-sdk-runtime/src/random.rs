//! Randomness, drawn from the operating system through `getrandom`: the jitter of retries,
//! back-offs and waits, and the Digest client nonces. `uuid` draws request ids from the same
//! crate, so a client builds no second random number generator: `rand` would add its own
//! generator and its crates to every client for a few draws per call, which these two
//! functions cover.

/// A number in `[0, 1)` that spreads a wait. Should the operating system have no randomness to
/// give, the middle of the range: the wait is still bounded, only less spread.
pub(crate) fn unit() -> f64 {
    match getrandom::u64() {
        // The top 53 bits: as many as an `f64` holds exactly, so the result stays below 1.
        Ok(n) => (n >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}

/// `N` bytes from the operating system's cryptographically secure generator.
///
/// # Panics
/// When the operating system gives no randomness (on Linux, `getrandom` blocks until its pool
/// is seeded instead). A nonce that others could predict would weaken the authentication it
/// protects, so there is no fallback.
#[cfg_attr(not(any(feature = "digest", feature = "mock")), allow(dead_code))]
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if let Err(e) = getrandom::fill(&mut out) {
        panic!("the operating system gave no random bytes for a nonce: {e}");
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn units_fall_in_zero_to_one_and_vary() {
        let draws: Vec<f64> = (0..1000).map(|_| unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)), "{draws:?}");
        let distinct: HashSet<u64> = draws.iter().map(|u| u.to_bits()).collect();
        assert!(
            distinct.len() > 990,
            "only {} distinct draws",
            distinct.len()
        );
        // Both halves are reached: the jitter spreads over the whole range.
        assert!(draws.iter().any(|u| *u < 0.5) && draws.iter().any(|u| *u >= 0.5));
    }

    #[test]
    fn byte_draws_do_not_repeat() {
        let draws: HashSet<[u8; 16]> = (0..1000).map(|_| bytes::<16>()).collect();
        assert_eq!(draws.len(), 1000);
    }
}
