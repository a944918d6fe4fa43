//! Waiting for a resource to reach a state: a read call repeated, with growing and jittered
//! pauses, until its output says the state is reached, a terminal state is read instead, or a
//! deadline passes.
//!
//! Creation is asynchronous on every vendor here: a VPC endpoint passes through `creating`
//! and `pendingAcceptance` to `accepted`, an OceanBase private-link address has a status. The
//! vendors document no waiting call, so the client reads until the state is there.
//!
//! # Errors of the read call
//!
//! A read that fails ends the wait at once with [`WaitError::Call`]: the runtime has already
//! retried the failures that are safe and likely to pass (connection errors, 408, 429, 502,
//! 503, 504, within each call's time limit), so a failure that comes back is one the runtime
//! gave up on. A long wait may choose to ride out more: [`Wait::retry_errors`] takes a
//! predicate, and an error it accepts counts as "not there yet" (read again after the next
//! pause, within the deadline); [`crate::ApiError::is_transient`] is the usual one.
//!
//! The pauses and the deadline run on tokio's clock, so a test with paused time waits for
//! nothing; the randomness of the jitter can be replaced ([`Wait::jitter`]).

use std::{fmt, future::Future, time::Duration};

use tokio::time::Instant;

/// The pause before the second read unless told otherwise.
pub const DEFAULT_FIRST_PAUSE: Duration = Duration::from_secs(2);

/// The longest pause between two reads unless told otherwise.
pub const DEFAULT_MAX_PAUSE: Duration = Duration::from_secs(30);

/// How long a wait lasts unless told otherwise.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

type Predicate<T> = Box<dyn Fn(&T) -> bool + Send + Sync>;

/// A wait for a state: made by [`wait_for`], configured with its methods, run by
/// [`Wait::run`].
pub struct Wait<T, E, R> {
    read: R,
    done: Predicate<T>,
    terminal: Option<Predicate<T>>,
    retry_errors: Option<Predicate<E>>,
    jitter: Box<dyn FnMut() -> f64 + Send>,
    timeout: Duration,
    first_pause: Duration,
    max_pause: Duration,
}

impl<T, E, R> fmt::Debug for Wait<T, E, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("timeout", &self.timeout)
            .field("first_pause", &self.first_pause)
            .field("max_pause", &self.max_pause)
            .field("terminal", &self.terminal.is_some())
            .field("retry_errors", &self.retry_errors.is_some())
            .finish_non_exhaustive()
    }
}

/// Waits until `read`'s output satisfies `done`: `read` is called, and called again after a
/// pause while `done` says no, until it says yes, a terminal state is read
/// ([`Wait::fail_on`]), or the deadline passes ([`Wait::timeout`]).
///
/// The pauses start at [`DEFAULT_FIRST_PAUSE`] and double up to [`DEFAULT_MAX_PAUSE`]
/// ([`Wait::pauses`]); each is drawn from the upper half of its ceiling, so that clients that
/// started together do not read in step. The last read starts at the deadline at the latest
/// (a pause is cut short to end there), and a read in progress is let finish (the runtime's
/// call time limit bounds it). A failed read ends the wait (see the [module
/// documentation](crate::wait) and [`Wait::retry_errors`]).
///
/// ```
/// use std::{sync::atomic::{AtomicUsize, Ordering}, time::Duration};
/// use cloud_sdk_runtime::{WaitError, wait_for};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // Stands in for a read call such as
/// // `|| client.list_endpoints().project_id(&project).id(&id).call()`.
/// let states = ["creating", "pendingAcceptance", "accepted"];
/// let reads = AtomicUsize::new(0);
/// let read = || async {
///     let n = reads.fetch_add(1, Ordering::SeqCst);
///     Ok::<_, std::io::Error>(states[n.min(states.len() - 1)])
/// };
///
/// let state = wait_for(read, |status: &&str| *status == "accepted")
///     .fail_on(|status| *status == "failed")
///     .pauses(Duration::from_millis(1), Duration::from_millis(10))
///     .timeout(Duration::from_secs(5))
///     .run()
///     .await;
/// assert_eq!(state.ok(), Some("accepted"));
///
/// // A state that never comes: the error carries the last value read.
/// match wait_for(|| async { Ok::<_, std::io::Error>("creating") }, |s: &&str| *s == "accepted")
///     .pauses(Duration::from_millis(1), Duration::from_millis(5))
///     .timeout(Duration::from_millis(20))
///     .run()
///     .await
/// {
///     Err(WaitError::TimedOut { last, .. }) => assert_eq!(last, Some("creating")),
///     other => panic!("{other:?}"),
/// }
/// # }
/// ```
pub fn wait_for<T, E, R, F>(
    read: R,
    done: impl Fn(&T) -> bool + Send + Sync + 'static,
) -> Wait<T, E, R>
where
    R: FnMut() -> F,
    F: Future<Output = Result<T, E>>,
{
    Wait {
        read,
        done: Box::new(done),
        terminal: None,
        retry_errors: None,
        jitter: Box::new(crate::random::unit),
        timeout: DEFAULT_WAIT_TIMEOUT,
        first_pause: DEFAULT_FIRST_PAUSE,
        max_pause: DEFAULT_MAX_PAUSE,
    }
}

impl<T, E, R, F> Wait<T, E, R>
where
    R: FnMut() -> F,
    F: Future<Output = Result<T, E>>,
{
    /// Stops the wait with [`WaitError::Terminal`] when a value read satisfies `terminal`
    /// (a `failed` or `rejected` state: the awaited one will not come). `done` is asked first.
    pub fn fail_on(mut self, terminal: impl Fn(&T) -> bool + Send + Sync + 'static) -> Self {
        self.terminal = Some(Box::new(terminal));
        self
    }

    /// How long the wait may last from its first read ([`DEFAULT_WAIT_TIMEOUT`] unless set);
    /// a duration too large to add to the clock is no limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The pause before the second read (`first`) and the longest pause (`max`); each pause's
    /// ceiling doubles from `first` up to `max`. A `first` under a millisecond is taken as one:
    /// doubled, zero would stay zero, and the wait would read in a busy loop.
    pub fn pauses(mut self, first: Duration, max: Duration) -> Self {
        self.first_pause = first.max(Duration::from_millis(1));
        self.max_pause = max.max(self.first_pause);
        self
    }

    /// Reads again after a failed read that `retry` accepts (within the deadline), instead of
    /// ending the wait; a timeout then carries the last error too. With a generated client:
    /// `.retry_errors(ApiError::is_transient)`.
    pub fn retry_errors(mut self, retry: impl Fn(&E) -> bool + Send + Sync + 'static) -> Self {
        self.retry_errors = Some(Box::new(retry));
        self
    }

    /// Where the jitter's randomness comes from: a number in `[0, 1)` per pause (the thread's
    /// random generator unless set; a test passes a fixed one).
    pub fn jitter(mut self, unit: impl FnMut() -> f64 + Send + 'static) -> Self {
        self.jitter = Box::new(unit);
        self
    }

    /// Runs the wait: the value that satisfied `done`, or why there is none.
    pub async fn run(mut self) -> Result<T, WaitError<T, E>> {
        let started = Instant::now();
        let deadline = crate::transport::deadline(started, self.timeout);
        let mut ceiling = self.first_pause;
        let mut reads = 0u32;
        let mut last: Option<T> = None;
        loop {
            reads = reads.saturating_add(1);
            // The error of this read, when it failed and is ridden out.
            let last_error = match (self.read)().await {
                Ok(value) if (self.done)(&value) => return Ok(value),
                Ok(value) if self.terminal.as_ref().is_some_and(|t| t(&value)) => {
                    return Err(WaitError::Terminal { value, reads });
                }
                Ok(value) => {
                    last = Some(value);
                    None
                }
                Err(e) if self.retry_errors.as_ref().is_some_and(|retry| retry(&e)) => Some(e),
                Err(e) => return Err(WaitError::Call(e)),
            };
            let now = Instant::now();
            if now >= deadline {
                return Err(WaitError::TimedOut {
                    last,
                    last_error,
                    reads,
                    waited: now.duration_since(started),
                });
            }
            let pause =
                crate::retry::jitter(ceiling, (self.jitter)()).min(deadline.duration_since(now));
            tracing::debug!(
                reads,
                pause_ms = pause.as_millis() as u64,
                "the awaited state is not there yet; reading again after a pause"
            );
            tokio::time::sleep(pause).await;
            ceiling = ceiling.saturating_mul(2).min(self.max_pause);
        }
    }
}

/// Why a [`Wait`] ended without the awaited state. `#[non_exhaustive]`: more reasons may come.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<T, E> {
    /// The deadline passed before the awaited state was read.
    TimedOut {
        /// The last value read, if any read succeeded.
        last: Option<T>,
        /// The error of the last read, when it failed with an error [`Wait::retry_errors`]
        /// accepted.
        last_error: Option<E>,
        /// How many reads were made.
        reads: u32,
        /// How long the wait lasted.
        waited: Duration,
    },
    /// A terminal state was read ([`Wait::fail_on`]): the awaited one will not come.
    Terminal {
        /// The value read.
        value: T,
        /// How many reads were made, this one included.
        reads: u32,
    },
    /// A read failed (and [`Wait::retry_errors`] did not accept the error).
    Call(E),
}

impl<T, E> WaitError<T, E> {
    /// The last value read: the terminal one, or the last before the deadline.
    pub fn last(&self) -> Option<&T> {
        match self {
            WaitError::TimedOut { last, .. } => last.as_ref(),
            WaitError::Terminal { value, .. } => Some(value),
            WaitError::Call(_) => None,
        }
    }

    /// The last value read, owned.
    pub fn into_last(self) -> Option<T> {
        match self {
            WaitError::TimedOut { last, .. } => last,
            WaitError::Terminal { value, .. } => Some(value),
            WaitError::Call(_) => None,
        }
    }
}

impl<T, E: fmt::Display> fmt::Display for WaitError<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::TimedOut {
                last_error,
                reads,
                waited,
                ..
            } => {
                write!(
                    f,
                    "the awaited state was not reached in {:.1} s ({reads} reads); raise the \
                     wait's timeout if the resource is slow",
                    waited.as_secs_f64()
                )?;
                if let Some(e) = last_error {
                    write!(f, "; the last read failed: {e}")?;
                }
                Ok(())
            }
            WaitError::Terminal { reads, .. } => write!(
                f,
                "read {reads} found a terminal state: the awaited state will not come"
            ),
            WaitError::Call(e) => write!(f, "a read failed while waiting: {e}"),
        }
    }
}

impl<T: fmt::Debug, E: std::error::Error + 'static> std::error::Error for WaitError<T, E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Call(e) => Some(e),
            WaitError::TimedOut {
                last_error: Some(e),
                ..
            } => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    type Answer = Result<&'static str, &'static str>;

    /// When each read happened, by tokio's clock, from the start.
    type Times = Arc<Mutex<Vec<Duration>>>;

    /// A read that answers `script` in turn (the last one from then on), recording when each
    /// read happened.
    fn scripted(script: Vec<Answer>) -> (impl FnMut() -> std::future::Ready<Answer>, Times) {
        let times = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        let seen = times.clone();
        let mut n = 0;
        let read = move || {
            seen.lock().unwrap().push(start.elapsed());
            let answer = script[n.min(script.len() - 1)];
            n += 1;
            std::future::ready(answer)
        };
        (read, times)
    }

    fn accepted(s: &&str) -> bool {
        *s == "accepted"
    }

    /// A first pause of zero still doubles: a minute of waiting is a few dozen reads, not a
    /// busy loop.
    #[tokio::test(start_paused = true)]
    async fn a_zero_first_pause_still_grows() {
        let (read, times) = scripted(vec![Ok("creating")]);
        let _ = wait_for(read, accepted)
            .pauses(Duration::ZERO, Duration::from_secs(8))
            .timeout(Duration::from_secs(60))
            .jitter(|| 0.0)
            .run()
            .await;
        let reads = times.lock().unwrap().len();
        // Ceilings from 1 ms doubling to 8 s, each pause at least half its ceiling.
        assert!((10..40).contains(&reads), "{reads} reads");
    }

    #[tokio::test(start_paused = true)]
    async fn pauses_double_up_to_the_cap_within_their_jittered_range() {
        let (read, times) = scripted(vec![Ok("creating")]);
        let e = wait_for(read, accepted)
            .pauses(Duration::from_secs(1), Duration::from_secs(8))
            .timeout(Duration::from_secs(60))
            .jitter(|| 0.999_999)
            .run()
            .await
            .unwrap_err();
        let times = times.lock().unwrap().clone();
        let pauses: Vec<u64> = times
            .windows(2)
            .map(|w| (w[1] - w[0]).as_millis() as u64)
            .collect();
        // Ceilings 1, 2, 4, 8, 8, ... s; the jitter at its top gives each (to the millisecond).
        assert_eq!(&pauses[..5], &[1000, 2000, 4000, 8000, 8000]);
        // The last pause is cut short to end at the deadline, where the last read happens.
        assert_eq!(times.last().copied(), Some(Duration::from_secs(60)));
        let WaitError::TimedOut { last, reads, .. } = e else {
            panic!("{e:?}")
        };
        assert_eq!(last, Some("creating"));
        assert_eq!(reads as usize, times.len());

        // At the bottom of the jitter, each pause is half its ceiling.
        let (read, times) = scripted(vec![Ok("creating")]);
        let _ = wait_for(read, accepted)
            .pauses(Duration::from_secs(2), Duration::from_secs(8))
            .timeout(Duration::from_secs(10))
            .jitter(|| 0.0)
            .run()
            .await;
        let times = times.lock().unwrap().clone();
        assert_eq!(
            &times[..4],
            &[
                Duration::ZERO,
                Duration::from_secs(1),
                Duration::from_secs(3),
                Duration::from_secs(7)
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn reaches_the_state_through_the_ones_before_it() {
        let (read, times) = scripted(vec![
            Ok("creating"),
            Ok("pendingAcceptance"),
            Ok("accepted"),
        ]);
        let value = wait_for(read, accepted)
            .fail_on(|s| *s == "failed")
            .run()
            .await
            .unwrap();
        assert_eq!(value, "accepted");
        assert_eq!(times.lock().unwrap().len(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_terminal_state_stops_the_wait_with_its_value() {
        let (read, times) = scripted(vec![Ok("creating"), Ok("failed"), Ok("accepted")]);
        let e = wait_for(read, accepted)
            .fail_on(|s| *s == "failed")
            .run()
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                WaitError::Terminal {
                    value: "failed",
                    reads: 2
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.last(), Some(&"failed"));
        assert_eq!(times.lock().unwrap().len(), 2);
        assert!(e.to_string().contains("terminal state"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_read_ends_the_wait_unless_retried() {
        let (read, times) = scripted(vec![Ok("creating"), Err("503"), Ok("accepted")]);
        let e = wait_for(read, accepted).run().await.unwrap_err();
        assert!(matches!(e, WaitError::Call("503")), "{e:?}");
        assert_eq!(times.lock().unwrap().len(), 2);

        let (read, _) = scripted(vec![Ok("creating"), Err("503"), Ok("accepted")]);
        let value = wait_for(read, accepted)
            .retry_errors(|e| *e == "503")
            .run()
            .await
            .unwrap();
        assert_eq!(value, "accepted");

        // A timeout after a failed read carries the value before it and the error.
        let (read, _) = scripted(vec![Ok("creating"), Err("503")]);
        let e = wait_for(read, accepted)
            .retry_errors(|_| true)
            .timeout(Duration::from_secs(30))
            .run()
            .await
            .unwrap_err();
        let WaitError::TimedOut {
            last, last_error, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!((*last, *last_error), (Some("creating"), Some("503")));
        assert!(e.to_string().contains("the last read failed: 503"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn any_configured_duration_is_safe() {
        let (read, _) = scripted(vec![Ok("creating"), Ok("accepted")]);
        let value = wait_for(read, accepted)
            .timeout(Duration::MAX)
            .pauses(Duration::MAX, Duration::MAX)
            .jitter(|| f64::NAN)
            .run()
            .await;
        assert_eq!(value.ok(), Some("accepted"));
        let (read, times) = scripted(vec![Ok("creating")]);
        let e = wait_for(read, accepted)
            .timeout(Duration::ZERO)
            .run()
            .await
            .unwrap_err();
        assert!(matches!(e, WaitError::TimedOut { reads: 1, .. }), "{e:?}");
        assert_eq!(times.lock().unwrap().len(), 1);
    }
}
