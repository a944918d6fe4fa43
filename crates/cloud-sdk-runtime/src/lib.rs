//! Authentication and request runtime shared by the generated cloud clients.
//!
//! The generated crates (`oceanbase-cloud`, `huaweicloud-*`) hold a [`Runtime`] as their
//! progenitor "inner" value; a few lines of glue emitted by `cargo xtask generate` route
//! progenitor's `ClientHooks` (pre / exec / post) to [`Runtime::pre`], [`Runtime::exec`] and
//! [`Runtime::post`]. Everything that knows about credentials lives here, in hand-written code:
//!
//! - [`digest`]: HTTP Digest (RFC 7616 / RFC 2617) as a pure core plus a caching session,
//!   used by OceanBase Cloud;
//! - [`huawei`]: Huawei Cloud IAM tokens and `SDK-HMAC-SHA256` request signing;
//! - [`Secret`]: a string that never shows in `Debug` output or logs.
#![warn(missing_docs, unreachable_pub)]

mod api_error;
pub mod digest;
mod error;
pub mod huawei;
pub mod lenient;
pub mod oceanbase;
mod redact;
pub mod retry;
mod runtime;
mod secret;
pub mod vendor;

pub use api_error::{ApiError, ApiErrorKind, Reply, ServiceError, check_require_one_of};
pub use error::{ConfigError, Error, ErrorKind};
pub use retry::RetryPolicy;
pub use runtime::{
    AuthRejected, Authenticator, BoxFuture, ClientParts, NoAuth, Runtime, RuntimeBuilder,
    default_http_client,
};
pub use secret::Secret;
