//! The runtime of the generated cloud clients: transport policy, retries, time and size
//! limits, typed errors, paging, and the authentication schemes.
//!
//! The generated crates (`oceanbase-cloud`, `huaweicloud-*`) hold a [`ClientCore`] (their
//! [`Runtime`]) as their progenitor "inner" value and invoke [`client_glue!`] once, which routes
//! progenitor's `ClientHooks` (pre / exec) to [`ClientCore::pre`] and [`ClientCore::exec`].
//! Everything that knows about credentials or the wire lives here, in hand-written code:
//!
//! - [`Runtime`] and [`Limits`]: one HTTP client per runtime, redirects never followed, a
//!   time limit per attempt and per call, a size limit per response body;
//! - [`ApiError`] and [`ErrorKind`]: every failure typed, from the hooks to the caller;
//! - [`offset_pages`]: the streams of items across pages;
//! - `digest` (feature `digest`): HTTP Digest (RFC 7616 / RFC 2617) as a pure core plus a
//!   caching session, used by OceanBase Cloud (`oceanbase`, same feature);
//! - `huawei` (feature `huawei`): Huawei Cloud IAM tokens and `SDK-HMAC-SHA256` signing;
//! - [`Secret`]: a string that never shows in `Debug` output or logs;
//! - [`wait_for`]: a read call repeated until a resource reaches a state, with a deadline;
//! - `mock` (feature `mock`): a loopback server standing in for an API in downstream tests.
#![warn(missing_docs, unreachable_pub)]

mod api_error;
pub mod clock;
#[cfg(feature = "digest")]
pub mod digest;
mod error;
mod glue;
#[cfg(feature = "huawei")]
pub mod huawei;
pub mod lenient;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(feature = "digest")]
pub mod oceanbase;
mod paging;
mod random;
mod redact;
pub mod retry;
mod runtime;
mod seam;
mod secret;
mod transport;
pub mod wait;

pub use api_error::{ApiError, Output, Reply, ServiceError, envelope_outcome, outcome};
pub use error::{ConfigError, ConfigErrorKind, Error, ErrorKind};
pub use glue::{path_segment, secret_pointers};
pub use paging::{MAX_PAGES, Page, PageBounds, Paged, offset_pages};
#[cfg(any(feature = "digest", feature = "huawei"))]
pub use redact::KeyId;
pub use retry::RetryPolicy;
pub use runtime::{
    AuthRejected, Authenticator, BoxFuture, CallRecord, ClientCore, ClientParts, NoAuth, Runtime,
    RuntimeBuilder, parse_base_url,
};
pub use secret::Secret;
pub use transport::{Limits, Transport};
pub use wait::{Wait, WaitError, wait_for};

/// What the macros expand to in the generated crates; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use progenitor_client;
    pub use reqwest;
    pub use serde;
}
