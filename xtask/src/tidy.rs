//! House rules as failing tests (run by `cargo test`): what reviewers would otherwise have to
//! remember. Each rule reads the tree as text; a failure names the file and the rule.

use std::{
    fs,
    path::{Path, PathBuf},
};

use crate::spec::rel;

/// The pure cores: parsing, crypto and decisions, with no I/O, no clock and no randomness of
/// their own (those are arguments, so tests can replay fixed values).
pub const PURE_CORES: &[&str] = &[
    "crates/cloud-sdk-runtime/src/digest/challenge.rs",
    "crates/cloud-sdk-runtime/src/digest/compute.rs",
    "crates/cloud-sdk-runtime/src/huawei/sign.rs",
    "crates/cloud-sdk-runtime/src/retry.rs",
];

/// What a pure core must not name.
const IMPURE: &[&str] = &["reqwest", "tokio", "rand::", "now()", "std::net", "std::fs"];

/// Folders of hand-written Rust whose modules must start with a `//!` line.
const HAND_WRITTEN: &[&str] = &[
    "crates/cloud-sdk-runtime/src",
    "crates/cloudsdk/src",
    "xtask/src",
    "tests/src",
];

/// Tracing fields that could carry a credential: header values, query strings, bodies, whole
/// URLs (a URL only through `UrlForLog` or `describe_url`, which drop user-info and query). A
/// field of these names must not appear in a `tracing` macro of the runtime.
const FORBIDDEN_FIELDS: &[&str] = &[
    "headers",
    "header",
    "authorization",
    "query",
    "body",
    "password",
    "token",
    "sk",
    "url",
];

/// Every `.rs` file below `dir`, sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Files under `HAND_WRITTEN` whose first line is not a `//!` module doc.
pub fn modules_without_doc(root: &Path) -> Vec<String> {
    HAND_WRITTEN
        .iter()
        .flat_map(|d| rust_files(&root.join(d)))
        .filter(|p| {
            let text = fs::read_to_string(p).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|p| rel(root, &p))
        .collect()
}

/// (file, forbidden name) for each pure core that names I/O, a clock or randomness outside
/// its tests.
pub fn impure_cores(root: &Path) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for file in PURE_CORES {
        let text = fs::read_to_string(root.join(file)).unwrap_or_default();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for name in IMPURE {
            if code
                .lines()
                .any(|l| !l.trim_start().starts_with("//") && l.contains(name))
            {
                out.push(((*file).to_owned(), *name));
            }
        }
    }
    out
}

/// (file, line) of each `tracing` macro in the runtime crate that records a field that could
/// carry a secret.
pub fn risky_tracing_fields(root: &Path) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for path in rust_files(&root.join("crates/cloud-sdk-runtime/src")) {
        let text = fs::read_to_string(&path).unwrap_or_default();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut in_macro = false;
        let mut depth = 0i32;
        for (i, line) in code.lines().enumerate() {
            let t = line.trim_start();
            if !in_macro
                && (t.contains("tracing::") && t.contains('!') || t.starts_with("tracing::"))
                && ["debug!", "info!", "warn!", "error!", "trace!", "span!"]
                    .iter()
                    .any(|m| t.contains(m))
            {
                in_macro = true;
                depth = 0;
            }
            if !in_macro {
                continue;
            }
            // A URL may be logged only through the redacting wrappers.
            let redacted = t.contains("UrlForLog(") || t.contains("describe_url(");
            for field in FORBIDDEN_FIELDS
                .iter()
                .filter(|f| !(redacted && **f == "url"))
            {
                let key = t.trim_start_matches(['%', '?']);
                if key.starts_with(&format!("{field} =")) || key.starts_with(&format!("{field},")) {
                    out.push((rel(root, &path), i + 1, (*field).to_owned()));
                }
            }
            depth += line.matches('(').count() as i32 - line.matches(')').count() as i32;
            if depth <= 0 && line.contains(')') {
                in_macro = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{spec, workspace_root};

    #[test]
    fn every_hand_written_module_says_what_it_is_for() {
        let missing = modules_without_doc(&workspace_root());
        assert!(
            missing.is_empty(),
            "start these modules with a `//!` line saying what they are for: {missing:?}"
        );
    }

    #[test]
    fn pure_cores_do_no_io_and_read_no_clock() {
        let found = impure_cores(&workspace_root());
        assert!(
            found.is_empty(),
            "pure cores take I/O, clocks and randomness as arguments; found: {found:?}"
        );
    }

    #[test]
    fn tracing_never_records_headers_queries_or_bodies() {
        let found = risky_tracing_fields(&workspace_root());
        assert!(
            found.is_empty(),
            "these tracing fields could carry a credential (log a redacted form under another \
             name, e.g. `UrlForLog`): {found:?}"
        );
    }

    #[test]
    fn every_huawei_api_has_its_vendor_data() {
        let apis = spec::load_all(&workspace_root()).unwrap_or_else(|e| panic!("{e:?}"));
        let mut checked = 0;
        for api in apis.iter().filter(|a| a.config.vendor == "huawei") {
            let c = &api.config;
            let service = c
                .service
                .as_deref()
                .unwrap_or_else(|| panic!("{}: api.toml needs `service`", api.name));
            assert_eq!(c.vendor, "huawei", "{}: vendor", api.name);
            assert_eq!(c.vendor_config.feature, "huawei", "{}", api.name);
            let host = c
                .vendor_config
                .host
                .as_deref()
                .unwrap_or_else(|| panic!("specs/vendors/huawei.toml needs `host`"));
            assert_eq!(
                c.base_url,
                format!("https://{}", host.replace("{service}", service)),
                "{}: base_url must be the vendor's host pattern for `service`",
                api.name
            );
            assert!(
                c.replace.contains_key("HuaweiError"),
                "{}: the vendor's error type",
                api.name
            );
            for e in &c.host_exceptions {
                assert!(
                    !e.region.is_empty() && !e.host.is_empty() && !e.why.is_empty(),
                    "{}: host exception {e:?}",
                    api.name
                );
            }
            checked += 1;
        }
        assert!(checked > 0, "no API in specs/ has `vendor = \"huawei\"`");
    }

    #[test]
    fn the_rules_catch_what_they_are_for() {
        let dir = std::env::temp_dir().join(format!("tidy-{}", std::process::id()));
        let core = dir.join("crates/cloud-sdk-runtime/src/digest");
        fs::create_dir_all(&core).unwrap_or_default();
        fs::write(core.join("challenge.rs"), "use tokio::time;\nfn f() {}\n").unwrap_or_default();
        fs::write(
            dir.join("crates/cloud-sdk-runtime/src/x.rs"),
            "fn f() {\n    tracing::debug!(\n        url = %u,\n        \"sent\"\n    );\n}\n",
        )
        .unwrap_or_default();
        let impure = impure_cores(&dir);
        assert!(impure.iter().any(|(_, n)| *n == "tokio"), "{impure:?}");
        let risky = risky_tracing_fields(&dir);
        assert!(
            risky.iter().any(|(_, line, f)| *line == 3 && f == "url"),
            "{risky:?}"
        );
        let undocumented = modules_without_doc(&dir);
        assert_eq!(undocumented.len(), 2, "{undocumented:?}");
        let _ = fs::remove_dir_all(&dir);
    }
}
