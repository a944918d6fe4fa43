//! HTTP Digest authentication (RFC 7616, RFC 2617): a pure core and a caching session.
//! (Being written: see issue 3.)
