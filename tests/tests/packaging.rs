//! What publishing needs: every published package carries the license texts, and the declared
//! MSRV (`rust-version`) is at least what every locked dependency declares, so a user on that
//! toolchain can build what the lock file holds. Both ask cargo itself, offline.

use std::process::Command;

use serde_json::Value;
use xtask::{LICENSE_FILES, workspace_root};

fn cargo(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn metadata(args: &[&str]) -> Value {
    integration_tests::fetch_locked_packages();
    let mut all = vec!["metadata", "--format-version", "1", "--offline", "--locked"];
    all.extend_from_slice(args);
    serde_json::from_str(&cargo(&all)).expect("cargo metadata is JSON")
}

/// `1.89` or `1.89.0` → (1, 89, 0).
fn version(v: &str) -> (u64, u64, u64) {
    let mut parts = v.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

#[test]
fn every_published_package_lists_the_license_files() {
    let meta = metadata(&["--no-deps"]);
    let published: Vec<(String, String)> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        // `publish = false` shows as an empty list.
        .filter(|p| p["publish"].as_array().is_none_or(|r| !r.is_empty()))
        .map(|p| {
            let manifest = p["manifest_path"].as_str().expect("manifest path");
            let dir = std::path::Path::new(manifest)
                .parent()
                .expect("package dir");
            (
                p["name"].as_str().expect("name").to_owned(),
                dir.display().to_string(),
            )
        })
        .collect();
    // The runtime and one client per API in specs/.
    let clients = xtask::spec::load_all(&xtask::workspace_root())
        .expect("specs load")
        .len();
    assert_eq!(
        published.len(),
        1 + clients,
        "the runtime and a client per API: {published:?}"
    );
    for (name, dir) in &published {
        // --allow-dirty: the tests run on working trees with uncommitted edits too.
        let list = cargo(&[
            "package",
            "--list",
            "--offline",
            "--allow-dirty",
            "-p",
            name,
        ]);
        for file in LICENSE_FILES {
            let text = std::fs::read_to_string(workspace_root().join(file)).expect("license");
            assert!(
                list.lines().any(|l| l == file),
                "{name}: `cargo package` does not include {file}:\n{list}"
            );
            let copy = std::fs::read_to_string(format!("{dir}/{file}")).expect("license copy");
            assert_eq!(copy, text, "{name}: {file} differs from the workspace's");
        }
    }
}

#[test]
fn declared_msrv_covers_every_locked_dependency() {
    let workspace: Value = toml_rust_version();
    let declared = workspace.as_str().expect("workspace.package.rust-version");
    // Only the host's dependencies: the others need not be downloaded, and the check runs
    // offline. Windows- or macOS-only crates are checked on those hosts.
    let host = host_triple();
    let meta = metadata(&["--filter-platform", &host]);
    let mut too_new: Vec<String> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs) > version(declared)).then(|| {
                format!(
                    "{} {} needs Rust {needs}",
                    p["name"].as_str().unwrap_or("?"),
                    p["version"].as_str().unwrap_or("?")
                )
            })
        })
        .collect();
    too_new.sort();
    assert!(
        too_new.is_empty(),
        "rust-version = {declared:?} in Cargo.toml, but the lock holds:\n  {}\n\
         raise rust-version to the highest of these, or pin those crates lower (cargo update -p NAME --precise VERSION)",
        too_new.join("\n  ")
    );
}

fn toml_rust_version() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("Cargo.toml");
    // The `[workspace.package]` line `rust-version = "x.y"`; a TOML parser is not a dependency
    // of this package and the line is written by hand.
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("rust-version"))
        .expect("rust-version in Cargo.toml");
    Value::String(line.split('"').nth(1).expect("quoted version").to_owned())
}

fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output().expect("rustc runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_owned()
}

#[test]
fn the_version_comparison_orders_minor_versions_numerically() {
    assert!(version("1.100") > version("1.89"));
    assert!(version("1.89.1") > version("1.89"));
    assert_eq!(version("1.89"), version("1.89.0"));
}
