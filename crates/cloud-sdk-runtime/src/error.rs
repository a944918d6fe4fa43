//! Errors of this crate: what went wrong, and what the user should change.

use std::fmt;

/// A client could not be built: a missing environment variable, a malformed base URL, a
/// plain-http URL where credentials would be sent in the clear.
#[derive(Debug)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// A required environment variable is not set (or not valid UTF-8).
    #[allow(dead_code)] // used by the env constructors
    pub(crate) fn missing_env(var: &str, what: &str) -> Self {
        Self::new(format!(
            "environment variable {var} is not set: set it to your {what}"
        ))
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// What kind of failure an [`Error`] is; `#[non_exhaustive]` so that new kinds can be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server rejected the credentials (a 401 after a signed request).
    CredentialsRejected,
    /// The server's authentication challenge could not be understood or is not supported.
    BadChallenge,
    /// Credentials (a token) could not be obtained.
    CredentialsUnavailable,
    /// The identity service refused the login (IAM answered 401/403 to the password): the
    /// password is not sent again for a back-off period, to spare the account a lockout.
    LoginRefused,
    /// The request was refused before sending (for example plain `http://` with credentials).
    Refused,
    /// The request itself could not be prepared.
    InvalidRequest,
    /// The call did not finish within its time limit.
    TimedOut,
}

/// An authentication or runtime failure of one call.
///
/// The display text names the operation, what happened and what to change.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
