//! The one clock abstraction: where "now" comes from for signing dates, token expiry and the
//! age of Digest nonces. Tests move a [`ManualClock`] instead of sleeping.

use std::{
    fmt,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant, SystemTime},
};

/// Where "now" comes from: wall-clock time (dates, expiry) and a monotonic instant (ages).
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
    /// The current monotonic instant.
    fn instant(&self) -> Instant;
}

/// The system's clocks.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn instant(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that only moves when told to; clones share the same time. For tests.
#[derive(Debug, Clone)]
pub struct ManualClock {
    state: Arc<Mutex<(SystemTime, Instant)>>,
}

impl ManualClock {
    /// A clock standing at `now` (its monotonic instant starts at the real one).
    pub fn new(now: SystemTime) -> Self {
        Self {
            state: Arc::new(Mutex::new((now, Instant::now()))),
        }
    }

    /// Sets the wall-clock time; the monotonic instant moves forward by as much, never back.
    pub fn set(&self, now: SystemTime) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Ok(forward) = now.duration_since(state.0)
            && let Some(later) = state.1.checked_add(forward)
        {
            state.1 = later;
        }
        state.0 = now;
    }

    /// Moves both clocks forward by `by` (saturating: a duration too large to add leaves the
    /// clock where it is rather than panicking).
    pub fn advance(&self, by: Duration) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let (Some(wall), Some(mono)) = (state.0.checked_add(by), state.1.checked_add(by)) {
            *state = (wall, mono);
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0
    }

    fn instant(&self) -> Instant {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_both_clocks_together_and_never_back() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let clock = ManualClock::new(start);
        let t0 = clock.instant();
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), start + Duration::from_secs(5));
        assert_eq!(clock.instant(), t0 + Duration::from_secs(5));
        clock.set(start);
        assert_eq!(clock.now(), start);
        assert_eq!(clock.instant(), t0 + Duration::from_secs(5), "monotonic");
        clock.advance(Duration::MAX);
        assert_eq!(clock.now(), start, "saturates instead of panicking");
    }
}
