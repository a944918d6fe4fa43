//! Test support: loopback servers and helpers shared by the integration tests.

pub mod digest_server;
pub mod examples;
pub mod huawei_server;

/// The README's Rust examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
