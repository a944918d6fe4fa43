//! Test support: loopback servers and helpers shared by the integration tests.
