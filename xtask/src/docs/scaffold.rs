//! `cargo xtask docs scaffold`: a draft OpenAPI document from a page.
