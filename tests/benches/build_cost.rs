//! Build cost of depending on a generated client: a throwaway crate depending on one client
//! (default features) against one depending on reqwest (the features the runtime enables),
//! serde_json and tokio, as the workspace declares them. Two figures, as ratios:
//!
//! - unique crates: the packages `cargo tree -e normal,build` lists for each consumer (the
//!   consumer itself left out), for every generated client;
//! - cold build CPU: user + system time of `cargo build` with an empty target directory, for the
//!   client with the most crates, both consumers built alternately in rounds. CPU time, not wall
//!   time: a shared machine slows the wall clock, not the work.
//!
//! It also checks that the xtask builds one TLS crypto provider (`ring` or `aws-lc-rs`).
//!
//! Run: `cargo bench -p integration-tests --bench build_cost`, or without the release build of
//! this file `cargo test -p integration-tests --bench build_cost -- --bench` (budgets: at most
//! 1.2 times the unique crates and the cold build CPU of the baseline; `CARGO_BUILD_JOBS` sets
//! the jobs of both builds, `BENCH_ROUNDS` the rounds). With `BENCH_SMOKE=1` (as CI runs it,
//! under `cargo test --benches`) nothing is built: the unique-crate ratios come from
//! `cargo tree` alone, offline, and are judged, since they do not depend on the machine.

use integration_tests::bench::smoke;
use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use xtask::workspace_root;

/// The budget for both ratios.
const BUDGET: f64 = 1.2;

/// The crates providing TLS cryptography to rustls; the xtask should build one of them.
const TLS_PROVIDERS: &[&str] = &["ring", "aws-lc-rs"];

/// The workspace dependencies the baseline consumer takes, as the workspace declares them.
const BASELINE: &[&str] = &["reqwest", "serde_json", "tokio"];

fn main() {
    let smoke = smoke();
    if !integration_tests::bench::should_run("build_cost") {
        return;
    }
    let root = workspace_root();
    let dir = tempfile::tempdir().expect("a temporary directory");

    let xtask = unique_crates(&root, &["-p", "xtask"]);
    let providers: Vec<&str> = TLS_PROVIDERS
        .iter()
        .copied()
        .filter(|p| xtask.iter().any(|(name, _)| name == p))
        .collect();
    println!("xtask TLS crypto providers: {}", providers.join(", "));
    assert!(
        providers.len() <= 1,
        "the xtask builds {} TLS crypto providers ({}): enable one provider in the features of \
         the xtask's TLS dependencies (xtask/Cargo.toml and the workspace Cargo.toml)",
        providers.len(),
        providers.join(" and ")
    );

    let baseline = consumer(dir.path(), "baseline", baseline_dependencies(&root));
    let base = unique_crates(&baseline, &[]);
    println!(
        "unique crates (cargo tree -e normal,build), baseline reqwest + serde_json + tokio: {}",
        base.len()
    );
    let mut worst: Option<(String, PathBuf, f64)> = None;
    let mut over = Vec::new();
    for api in generated_clients(&root) {
        let path = root.join("generated").join(&api);
        let mut path_entry = toml::Table::new();
        path_entry.insert(
            "path".into(),
            toml::Value::String(path.display().to_string()),
        );
        let dependency: toml::Table = [(api.clone(), toml::Value::Table(path_entry))]
            .into_iter()
            .collect();
        let crate_dir = consumer(dir.path(), &format!("uses-{api}"), dependency);
        let crates = unique_crates(&crate_dir, &[]);
        let ratio = crates.len() as f64 / base.len() as f64;
        let extra: Vec<String> = crates
            .difference(&base)
            .filter(|(name, _)| *name != api)
            .map(|(name, version)| format!("{name} {version}"))
            .collect();
        println!(
            "  {api}: {} crates, {ratio:.3} of the baseline (budget at most {BUDGET}); beyond it: {}",
            crates.len(),
            extra.join(", ")
        );
        if ratio > BUDGET {
            over.push(format!("{api} ({ratio:.3})"));
        }
        if worst.as_ref().is_none_or(|(_, _, r)| ratio > *r) {
            worst = Some((api, crate_dir, ratio));
        }
    }
    // The crate counts come from the lock file, not from the machine: judged in every run.
    assert!(
        over.is_empty(),
        "clients over the unique-crate budget of {BUDGET}: {}. Trim the dependencies above \
         (default-features = false, or a crate already in the baseline's tree)",
        over.join(", ")
    );
    let Some((api, client, _)) = worst else {
        panic!("no generated client in generated/: run `cargo xtask generate`");
    };
    if smoke {
        println!("cold build CPU: not measured (smoke run)");
        return;
    }

    // Rounds of the two cold builds (`BENCH_ROUNDS`, default 2): more rounds, steadier figures.
    let rounds: u32 = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|r| *r > 0)
        .unwrap_or(2);
    let jobs = std::env::var("CARGO_BUILD_JOBS").unwrap_or_else(|_| "cargo's default".into());
    println!("cold build CPU (user + system, `cargo build`, jobs: {jobs}), {api} vs baseline:");
    let (mut base_total, mut client_total) = (0.0, 0.0);
    for round in 1..=rounds {
        let b = cold_build_cpu(&baseline, &dir.path().join("target-baseline"));
        let c = cold_build_cpu(&client, &dir.path().join(format!("target-{api}")));
        println!(
            "  round {round}: baseline {b:.1} s, {api} {c:.1} s, ratio {:.3}",
            c / b
        );
        base_total += b;
        client_total += c;
    }
    let ratio = client_total / base_total;
    println!(
        "budget: cold build CPU {ratio:.3} of the baseline over {rounds} rounds (at most {BUDGET}): {}",
        if ratio <= BUDGET { "met" } else { "NOT met" }
    );
}

/// The generated client crates (each directory of `generated/` with a manifest).
fn generated_clients(root: &Path) -> Vec<String> {
    let mut apis: Vec<String> = fs::read_dir(root.join("generated"))
        .expect("generated/ is readable")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    apis.sort();
    apis
}

/// The baseline's `[dependencies]`: the workspace's entries for reqwest, serde_json and tokio,
/// versions and features as written there.
fn baseline_dependencies(root: &Path) -> toml::Table {
    let text = fs::read_to_string(root.join("Cargo.toml")).expect("the workspace manifest");
    let manifest: toml::Table = toml::from_str(&text).expect("the workspace manifest parses");
    let declared = manifest
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table)
        .expect("[workspace.dependencies] in the workspace manifest");
    BASELINE
        .iter()
        .map(|name| {
            let entry = declared
                .get(*name)
                .unwrap_or_else(|| panic!("{name} is not in [workspace.dependencies]"));
            ((*name).to_owned(), entry.clone())
        })
        .collect()
}

/// Writes a library crate named `name` with these `[dependencies]`, its own workspace and the
/// workspace's lock file (the same versions, resolved offline); returns its directory.
fn consumer(dir: &Path, name: &str, dependencies: toml::Table) -> PathBuf {
    let crate_dir = dir.join(name);
    fs::create_dir_all(crate_dir.join("src")).expect("the consumer's directory");
    let package: toml::Table = [("name", name), ("version", "0.0.0"), ("edition", "2024")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), toml::Value::String(v.to_owned())))
        .collect();
    let mut manifest = toml::Table::new();
    manifest.insert("package".into(), toml::Value::Table(package));
    manifest.insert("dependencies".into(), toml::Value::Table(dependencies));
    manifest.insert("workspace".into(), toml::Value::Table(toml::Table::new()));
    let text = toml::to_string(&manifest).expect("the consumer's manifest serialises");
    fs::write(crate_dir.join("Cargo.toml"), text).expect("the consumer's manifest");
    fs::write(crate_dir.join("src/lib.rs"), "").expect("the consumer's lib.rs");
    fs::copy(
        workspace_root().join("Cargo.lock"),
        crate_dir.join("Cargo.lock"),
    )
    .expect("the workspace's Cargo.lock");
    crate_dir
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The (name, version) of each package built for the crate in `dir` (normal and build
/// dependencies, this platform), the root package left out.
fn unique_crates(dir: &Path, args: &[&str]) -> BTreeSet<(String, String)> {
    let out = cargo()
        .args([
            "tree",
            "--offline",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree in {} failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("cargo tree prints UTF-8");
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let root = lines
        .next()
        .map(package)
        .expect("cargo tree lists the root");
    let mut crates: BTreeSet<_> = lines.map(package).collect();
    crates.remove(&root);
    crates
}

/// `name vX.Y.Z (…)` → (name, vX.Y.Z).
fn package(line: &str) -> (String, String) {
    let mut words = line.split_whitespace();
    let name = words.next().unwrap_or_default().to_owned();
    let version = words.next().unwrap_or_default().to_owned();
    (name, version)
}

/// Seconds of CPU (user + system) that `cargo build` of the crate in `dir` takes into an empty
/// `target`, measured from this process's accumulated children's times.
fn cold_build_cpu(dir: &Path, target: &Path) -> f64 {
    if target.exists() {
        fs::remove_dir_all(target).expect("the previous target directory is removed");
    }
    let before = children_cpu();
    let status = cargo()
        .args(["build", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(dir)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build in {} failed", dir.display());
    let cpu = children_cpu() - before;
    fs::remove_dir_all(target).expect("the target directory is removed");
    cpu
}

/// User + system seconds of the children this process has waited for (Linux:
/// `/proc/self/stat`, fields `cutime` and `cstime`, in clock ticks).
fn children_cpu() -> f64 {
    let stat = fs::read_to_string("/proc/self/stat")
        .expect("/proc/self/stat: the cold build CPU is measured on Linux only");
    // After the command name, in parentheses that may hold spaces: field 3 (state) onwards.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> f64 {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .expect("cutime and cstime in /proc/self/stat")
    };
    // Fields 16 and 17 of the file: positions 13 and 14 counted from field 3.
    (ticks(13) + ticks(14)) / clock_ticks_per_second()
}

fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
