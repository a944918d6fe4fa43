//! The README as a reader uses it: every Rust block, with the dependency lines of the nearest
//! TOML block above it, is pasted into a new crate that must build; the test file the README
//! shows is a copy of the one CI runs; and the crate table lists what `specs/` holds.

use std::{
    collections::{BTreeMap, BTreeSet},
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
    let file = "tests/consumer/tests/readme_mock.rs";
    let text = read(&root.join(file));
    let block = format!("```rust,no_run\n{text}```\n");
    assert!(
        readme.contains(&block),
        "README.md must hold {file} verbatim in a ```rust,no_run block: copy the file there"
    );
}

/// The operations of each API in `specs/`: the names of its operation documents.
fn spec_operations() -> BTreeMap<String, BTreeSet<String>> {
    let specs = root().join("specs");
    let mut apis = BTreeMap::new();
    for entry in std::fs::read_dir(&specs).expect("specs/") {
        let dir = entry.expect("an entry of specs/").path();
        if !dir.join("api.toml").is_file() {
            continue;
        }
        let api: toml::Table = read(&dir.join("api.toml"))
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join("api.toml").display()));
        let name = api
            .get("crate")
            .and_then(toml::Value::as_str)
            .unwrap_or_else(|| panic!("{}: no `crate`", dir.join("api.toml").display()))
            .to_owned();
        let operations = std::fs::read_dir(&dir)
            .expect("an API's folder")
            .filter_map(|e| {
                let file = e.expect("an entry").file_name().into_string().ok()?;
                let stem = file.strip_suffix(".yaml")?;
                (!stem.starts_with('_')).then(|| stem.to_owned())
            })
            .collect();
        apis.insert(name, operations);
    }
    apis
}

/// The README's crate table (the first table, whose header is `| crate | API | operations |`):
/// each crate with the operations its row names in backticks, and the README line of the row.
fn readme_crate_table(readme: &str) -> BTreeMap<String, (usize, BTreeSet<String>)> {
    let mut rows = BTreeMap::new();
    let mut lines = readme.lines().enumerate();
    let Some((_, _)) = lines.find(|(_, l)| l.trim() == "| crate | API | operations |") else {
        return rows;
    };
    for (i, line) in lines.skip(1) {
        let Some(cells) = line.trim().strip_prefix('|') else {
            break;
        };
        let cells: Vec<&str> = cells.split('|').map(str::trim).collect();
        let [krate, _, operations, ..] = cells[..] else {
            continue;
        };
        let names = operations
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        rows.insert(krate.trim_matches('`').to_owned(), (i + 1, names));
    }
    rows
}

/// The crate table at the top of the README names every API of `specs/` with exactly the
/// operations its specs hold, so that it cannot fall behind a new operation or API.
#[test]
fn the_crate_table_lists_every_operation_of_specs() {
    let readme = read(&root().join("README.md"));
    let table = readme_crate_table(&readme);
    assert!(
        !table.is_empty(),
        "README.md has no `| crate | API | operations |` table"
    );
    let mut failures = Vec::new();
    for (api, operations) in spec_operations() {
        let Some((line, listed)) = table.get(&api) else {
            failures.push(format!(
                "README.md: the crate table has no row for `{api}`: add \
                 | `{api}` | <API> | {} |",
                operations
                    .iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        };
        for missing in operations.difference(listed) {
            failures.push(format!(
                "README.md:{line}: the row of `{api}` lacks `{missing}` (specs/{api}/{missing}.yaml): add it"
            ));
        }
        for extra in listed.difference(&operations) {
            failures.push(format!(
                "README.md:{line}: the row of `{api}` names `{extra}`, which specs/{api}/ does not hold: remove it"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
