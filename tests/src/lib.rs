//! Test support: loopback servers and helpers shared by the integration tests.

pub mod bench;
pub mod digest_server;
pub mod examples;
pub mod huawei_server;
pub mod raw_server;

/// A file of `specs/`, parsed from YAML as written (before the generator merges anything).
pub fn spec_file(relative: &str) -> serde_json::Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let text = std::fs::read_to_string(root.join(relative))
        .unwrap_or_else(|e| panic!("specs/{relative}: {e}"));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("specs/{relative}: {e}"))
}

/// The one operation of an operation document (each documents a single endpoint).
pub fn only_operation(doc: &serde_json::Value) -> &serde_json::Value {
    doc["paths"]
        .as_object()
        .and_then(|paths| paths.values().next())
        .and_then(|item| item.as_object())
        .and_then(|methods| methods.values().next())
        .expect("an operation document holds one path with one operation")
}

/// Downloads every package the workspace's lock file names (once per test process), so that
/// tests can run `cargo metadata` or `cargo tree` with `--offline`. Those read the manifest of
/// every locked package, for every target, while a build downloads only the packages of this
/// machine's target: on a fresh machine the others (wasm-bindgen's, for one) are missing.
pub fn fetch_locked_packages() {
    static FETCHED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    FETCHED.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let status = std::process::Command::new(cargo)
            .current_dir(root)
            .args(["fetch", "--locked", "--quiet"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo fetch --locked failed");
    });
}

/// A request's headers as (name, value) text pairs, in the order received, for recording.
pub fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The README's Rust examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
