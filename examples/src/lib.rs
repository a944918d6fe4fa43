//! Runnable example programs for the generated clients live in `examples/`; run one with
//! `cargo run -p cloud-sdk-examples --example <name>`. This library is empty.
