//! `cargo xtask docs fetch`: downloading pages from their `externalDocs.url`.
