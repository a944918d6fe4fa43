//! When a failed call is sent again, and how long to wait first: pure decisions, no I/O.
//!
//! Only requests that cannot have reached the server, or whose method is idempotent, are
//! retried: a `POST` that may have been received is never sent twice (it could create a second
//! connection), whatever the status. Authentication round trips (a Digest challenge, a stale
//! nonce, a token refresh) are the authenticator's business and not counted here.

use std::time::{Duration, SystemTime};

use http::{Method, StatusCode};

/// How a client retries transient failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 means no retry.
    pub max_attempts: u32,
    /// The first back-off; it doubles with every attempt, up to `max_delay`.
    pub base_delay: Duration,
    /// The longest wait between two attempts, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms first back-off, 10 s at most.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn off() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// What to do after attempt number `attempt` (1-based) ended with `outcome`.
    pub fn decide(&self, method: &Method, attempt: u32, outcome: Outcome) -> Decision {
        if attempt >= self.max_attempts {
            return Decision::Stop;
        }
        let idempotent = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        let retry_after = match outcome {
            // The connection was never made, or the server refused the request unprocessed:
            // any method is safe.
            Outcome::ConnectFailed | Outcome::Refused => None,
            Outcome::TransportFailed if idempotent => None,
            Outcome::Status {
                status,
                retry_after,
            } if idempotent && is_transient(status) => retry_after,
            _ => return Decision::Stop,
        };
        let backoff = self.backoff(attempt);
        let wait = retry_after
            .map_or(backoff, |server| server.max(backoff))
            .min(self.max_delay);
        Decision::RetryAfter(wait)
    }

    /// The back-off ceiling before attempt `attempt + 1`: `base × 2^(attempt-1)`, capped.
    /// The caller applies jitter (see [`jitter`]).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// How an attempt ended, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No connection could be made.
    ConnectFailed,
    /// The server refused the request without processing it (HTTP/2 `REFUSED_STREAM`, or a
    /// graceful `GOAWAY` that did not cover it): it may be sent again whatever its method.
    Refused,
    /// The connection failed after it was made (the request may have reached the server).
    TransportFailed,
    /// The server answered.
    Status {
        /// The status.
        status: StatusCode,
        /// The parsed `Retry-After` header, if any.
        retry_after: Option<Duration>,
    },
}

impl Outcome {
    /// A server answer.
    pub fn status(status: StatusCode, retry_after: Option<Duration>) -> Self {
        Outcome::Status {
            status,
            retry_after,
        }
    }
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Return this outcome to the caller.
    Stop,
    /// Wait (at most) this long, then send again.
    RetryAfter(Duration),
}

/// 408, 429, 502, 503 and 504: the server says trying again later may work.
pub fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// Parses `Retry-After`: delay-seconds or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// "Full jitter": a wait drawn uniformly from `[ceiling/2, ceiling]`, with `unit` in `[0, 1)`
/// from the caller's random source, so that clients that failed together do not retry in step.
pub fn jitter(ceiling: Duration, unit: f64) -> Duration {
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // Checked: `mul_f64` panics when the product does not fit (a `max_delay` near
    // `Duration::MAX` rounds up past it in f64), and configured durations must never panic.
    Duration::try_from_secs_f64(ceiling.as_secs_f64() * (0.5 + unit / 2.0)).unwrap_or(ceiling)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        }
    }

    #[test]
    fn get_is_retried_on_transient_statuses_only() {
        let p = policy();
        for code in [408, 429, 502, 503, 504] {
            let s = StatusCode::from_u16(code).unwrap();
            assert_eq!(
                p.decide(&Method::GET, 1, Outcome::status(s, None)),
                Decision::RetryAfter(Duration::from_millis(100)),
                "{code}"
            );
        }
        for code in [400, 401, 404, 409, 412, 500, 501] {
            let s = StatusCode::from_u16(code).unwrap();
            assert_eq!(
                p.decide(&Method::GET, 1, Outcome::status(s, None)),
                Decision::Stop,
                "{code}"
            );
        }
        assert_eq!(
            p.decide(&Method::GET, 2, Outcome::TransportFailed),
            Decision::RetryAfter(Duration::from_millis(200))
        );
    }

    #[test]
    fn post_is_retried_only_when_nothing_was_sent() {
        let p = policy();
        let busy = Outcome::status(StatusCode::SERVICE_UNAVAILABLE, None);
        assert_eq!(p.decide(&Method::POST, 1, busy), Decision::Stop);
        assert_eq!(
            p.decide(&Method::POST, 1, Outcome::TransportFailed),
            Decision::Stop
        );
        assert_eq!(
            p.decide(&Method::POST, 1, Outcome::ConnectFailed),
            Decision::RetryAfter(Duration::from_millis(100))
        );
        assert_eq!(
            p.decide(&Method::POST, 1, Outcome::Refused),
            Decision::RetryAfter(Duration::from_millis(100))
        );
        assert_eq!(p.decide(&Method::POST, 4, Outcome::Refused), Decision::Stop);
    }

    #[test]
    fn attempts_are_bounded_and_backoff_is_capped() {
        let p = policy();
        let busy = Outcome::status(StatusCode::SERVICE_UNAVAILABLE, None);
        assert_eq!(p.decide(&Method::GET, 4, busy), Decision::Stop);
        assert_eq!(p.backoff(3), Duration::from_millis(400));
        assert_eq!(p.backoff(30), Duration::from_secs(1));
        assert_eq!(
            RetryPolicy::off().decide(&Method::GET, 1, busy),
            Decision::Stop
        );
    }

    #[test]
    fn retry_after_is_honoured_within_the_cap() {
        let p = policy();
        let later = Outcome::status(
            StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_millis(700)),
        );
        assert_eq!(
            p.decide(&Method::GET, 1, later),
            Decision::RetryAfter(Duration::from_millis(700))
        );
        let too_late =
            Outcome::status(StatusCode::TOO_MANY_REQUESTS, Some(Duration::from_secs(60)));
        assert_eq!(
            p.decide(&Method::GET, 1, too_late),
            Decision::RetryAfter(Duration::from_secs(1))
        );
    }

    #[test]
    fn retry_after_formats() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn huge_configured_delays_do_not_panic() {
        let p = RetryPolicy {
            max_attempts: u32::MAX,
            base_delay: Duration::MAX,
            max_delay: Duration::MAX,
        };
        assert_eq!(p.backoff(u32::MAX), Duration::MAX);
        assert!(jitter(Duration::MAX, 0.999) > Duration::MAX / 2);
        assert!(jitter(Duration::MAX, 1.0) >= Duration::MAX / 2);
        assert!(jitter(Duration::MAX, 0.0) >= Duration::MAX / 3);
    }

    #[test]
    fn jitter_stays_in_the_upper_half() {
        let c = Duration::from_millis(1000);
        assert_eq!(jitter(c, 0.0), Duration::from_millis(500));
        assert_eq!(jitter(c, 1.0), c);
        assert_eq!(jitter(c, f64::NAN), Duration::from_millis(500));
    }
}
