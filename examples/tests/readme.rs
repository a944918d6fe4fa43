//! The README's code as a reader uses it: every Rust block, with the dependency lines of the
//! nearest TOML block above it, is pasted into a new crate that must build; and the example
//! programs the README shows are copies of the files that CI runs.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fenced code block of the README: the line of its opening fence, its language and text.
struct Block {
    line: usize,
    lang: String,
    text: String,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in readme.lines().enumerate() {
        let trimmed = line.trim_start();
        match (&mut open, trimmed.strip_prefix("```")) {
            (None, Some(lang)) => {
                open = Some(Block {
                    line: i + 1,
                    lang: lang.trim().to_owned(),
                    text: String::new(),
                });
            }
            (Some(_), Some("")) => out.extend(open.take()),
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

#[test]
fn readme_blocks_are_the_tested_files() {
    let root = root();
    let readme = read(&root.join("README.md"));
    for file in [
        "examples/examples/oceanbase_add_user.rs",
        "examples/examples/css_list_connections.rs",
        "tests/consumer/tests/readme_mock.rs",
    ] {
        let text = read(&root.join(file));
        let block = format!("```rust,no_run\n{text}```\n");
        assert!(
            readme.contains(&block),
            "README.md must hold {file} verbatim in a ```rust,no_run block: copy the file there"
        );
    }
}

/// The dependency lines of a README TOML block with each dependency on this repository
/// (`git = "<the workspace's repository>"`) pointed at this checkout instead: what the reader
/// gets from git, built from the tree under test.
fn local_dependencies(block: &Block, repository: &str) -> Result<toml::Table, String> {
    let mut table: toml::Table = block.text.parse().map_err(|e| {
        format!(
            "README.md:{}: the TOML block does not parse: {e}",
            block.line
        )
    })?;
    for section in ["dependencies", "dev-dependencies"] {
        let Some(deps) = table.get_mut(section).and_then(toml::Value::as_table_mut) else {
            continue;
        };
        for (name, spec) in deps.iter_mut() {
            let Some(spec) = spec.as_table_mut() else {
                continue;
            };
            if spec.get("git").and_then(toml::Value::as_str) != Some(repository) {
                continue;
            }
            let path = ["generated", "crates"]
                .iter()
                .map(|dir| root().join(dir).join(name))
                .find(|dir| dir.join("Cargo.toml").is_file())
                .ok_or_else(|| {
                    format!(
                        "README.md:{}: {name} comes from {repository}, which has no such package",
                        block.line
                    )
                })?;
            spec.remove("git");
            let path = path
                .canonicalize()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            spec.insert("path".into(), path.to_string_lossy().into_owned().into());
        }
    }
    Ok(table)
}

/// Every Rust block of the README, pasted into a new crate whose Cargo.toml holds the
/// dependency lines of the nearest TOML block above it (dependencies on this repository from
/// this checkout), builds with `cargo check --offline`. A block with `fn main` is the crate's
/// program, one without is a test file (`tests/`). The crates share one target directory,
/// so the dependencies are checked once; `Cargo.lock` and the profiles are the workspace's,
/// so they resolve to what the workspace tests.
#[test]
fn every_readme_rust_block_builds_as_a_new_crate_with_its_dependency_lines() {
    let root = root();
    let workspace: toml::Table = read(&root.join("Cargo.toml")).parse().expect("Cargo.toml");
    let repository = workspace["workspace"]["package"]["repository"]
        .as_str()
        .expect("[workspace.package] repository");
    let profiles = workspace
        .get("profile")
        .cloned()
        .unwrap_or_else(|| toml::Table::new().into());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-blocks");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());

    let readme = read(&root.join("README.md"));
    let mut dependencies: Option<(usize, toml::Table)> = None;
    let mut failures = Vec::new();
    let mut built = 0;
    for block in blocks(&readme) {
        if block.lang == "toml"
            && (block.text.contains("[dependencies]") || block.text.contains("[dev-dependencies]"))
        {
            match local_dependencies(&block, repository) {
                Ok(deps) => dependencies = Some((block.line, deps)),
                Err(e) => failures.push(e),
            }
            continue;
        }
        if !block.lang.starts_with("rust") {
            continue;
        }
        let Some((toml_line, deps)) = &dependencies else {
            failures.push(format!(
                "README.md:{}: no TOML block with the dependency lines comes before this Rust block",
                block.line
            ));
            continue;
        };
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut manifest = toml::Table::new();
        manifest.insert(
            "package".into(),
            toml::toml! {
                name = "readme-block"
                version = "0.0.0"
                edition = "2024"
                publish = false
            }
            .into(),
        );
        // Its own workspace, not a member of any around it.
        manifest.insert("workspace".into(), toml::Table::new().into());
        manifest.extend(deps.clone());
        manifest.insert("profile".into(), profiles.clone());
        let write = |relative: &str, text: &str| {
            let path = dir.path().join(relative);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write("Cargo.toml", &manifest.to_string());
        write("Cargo.lock", &read(&root.join("Cargo.lock")));
        write(
            "rust-toolchain.toml",
            &read(&root.join("rust-toolchain.toml")),
        );
        if block.text.contains("fn main(") {
            write("src/main.rs", &block.text);
        } else {
            write("src/lib.rs", "");
            write("tests/readme.rs", &block.text);
        }
        let output = Command::new(&cargo)
            .args(["check", "--offline", "--all-targets", "--quiet"])
            .current_dir(dir.path())
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("cargo runs");
        if !output.status.success() {
            failures.push(format!(
                "README.md:{}: the block does not build with the dependency lines of \
                 README.md:{toml_line}:\n{}",
                block.line,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        built += 1;
    }
    assert!(built > 0, "README.md has Rust blocks");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
