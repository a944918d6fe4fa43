//! Runs each example program in `examples/` with `cargo run --example`, as CI does: with
//! `CLOUD_SDK_MOCK=1` it must walk its whole lifecycle against the client's mock server and
//! print each step; without an account it must fail naming the variable to set.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// A generous bound: the examples are built by `cargo test` before this runs, so `cargo run`
/// only checks that they are fresh; a cold build of one example takes longer.
const LIMIT: Duration = Duration::from_secs(600);

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The example programs in `examples/`, by name.
fn example_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples/")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// The variables an example may read: those of the SDK (`HUAWEICLOUD_SDK_*`, `OCEANBASE_*`,
/// `CLOUD_SDK_*`) and every upper-case name quoted in an example's source. Each run starts
/// without them, so that only what a test sets is seen.
fn example_variables() -> Vec<String> {
    let mut names: Vec<String> = std::env::vars()
        .map(|(name, _)| name)
        .filter(|name| {
            ["HUAWEICLOUD_SDK_", "OCEANBASE_", "CLOUD_SDK_"]
                .iter()
                .any(|prefix| name.starts_with(prefix))
        })
        .collect();
    for name in example_names() {
        let path = examples_dir().join(format!("{name}.rs"));
        let source = std::fs::read_to_string(&path).expect("an example's source");
        for quoted in source.split('"').skip(1).step_by(2) {
            let is_variable = quoted.len() > 2
                && quoted.starts_with(|c: char| c.is_ascii_uppercase())
                && quoted
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if is_variable {
                names.push(quoted.to_owned());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Runs `cargo run -q --example name` with `env`: whether it succeeded, its standard output
/// and its standard error.
async fn run_example(name: &str, env: &[(&'static str, &'static str)]) -> (bool, String, String) {
    let name = name.to_owned();
    let env = env.to_vec();
    tokio::task::spawn_blocking(move || {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .args(["run", "-q", "-p", "cloud-sdk-examples", "--example", &name])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        for variable in example_variables() {
            command.env_remove(variable);
        }
        let mut child = command
            .envs(env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cargo runs");
        let started = Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if started.elapsed() > LIMIT {
                child.kill().ok();
                panic!("example {name} did not finish within {LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let output = child.wait_with_output().expect("output");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    })
    .await
    .expect("the example runner does not panic")
}

/// Runs `name` against its mock server and returns its standard output, one line per step.
async fn run_mocked(name: &str) -> Vec<String> {
    let (ok, stdout, stderr) = run_example(name, &[("CLOUD_SDK_MOCK", "1")]).await;
    assert!(ok, "example {name} failed:\n{stdout}\n{stderr}");
    stdout.lines().map(str::to_owned).collect()
}

/// The lines of `out` that start with `prefix`, with the prefix cut off.
fn after<'a>(out: &'a [String], prefix: &str) -> Vec<&'a str> {
    out.iter().filter_map(|l| l.strip_prefix(prefix)).collect()
}

/// Asserts that `out` holds a line starting with each of `steps`, in this order.
fn assert_steps(name: &str, out: &[String], steps: &[&str]) {
    let mut lines = out.iter();
    for step in steps {
        assert!(
            lines.any(|l| l.starts_with(step)),
            "{name}: no line `{step}...` after the steps before it:\n{}",
            out.join("\n")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn vpcep_endpoint_is_created_accepted_and_deleted() {
    let out = run_mocked("vpcep_endpoint").await;
    assert_steps(
        "vpcep_endpoint",
        &out,
        &[
            "endpoint service ",
            "allowed: iam:domain::",
            "created endpoint ",
            "endpoint ",
            "deleted endpoint ",
        ],
    );
    // The endpoint deleted is the one created, and the wait saw it accepted.
    let created = after(&out, "created endpoint ");
    assert_eq!(created, after(&out, "deleted endpoint "), "{out:?}");
    assert!(
        out.iter()
            .any(|l| l.starts_with(&format!("endpoint {} is accepted", created[0]))),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn oceanbase_address_is_created_connected_and_deleted() {
    let out = run_mocked("oceanbase_privatelink").await;
    assert_steps(
        "oceanbase_privatelink",
        &out,
        &[
            "created address ",
            "address ",
            "allowed account ",
            "connected endpoint ",
            "address ",
            "deleted address ",
        ],
    );
    let created: Vec<_> = after(&out, "created address ")
        .iter()
        .filter_map(|rest| rest.split(' ').next())
        .collect();
    assert_eq!(created, after(&out, "deleted address "), "{out:?}");
    assert!(
        out.contains(&format!("address {} is online", created[0])),
        "{out:?}"
    );
    assert!(
        out.iter().any(|l| l.ends_with("(confirmed: true)")),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn css_service_is_opened_accepts_and_is_closed() {
    let out = run_mocked("css_vpcep_service").await;
    assert_steps(
        "css_vpcep_service",
        &out,
        &[
            "cluster ",
            "allowed account ",
            "connection ",
            "accepted endpoint ",
            "cluster ",
        ],
    );
    // The documented example holds two connections; the stream reads them two per page.
    assert_eq!(after(&out, "connection ").len(), 2, "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn das_connection_is_created_and_listed() {
    let out = run_mocked("das_connections").await;
    assert_steps(
        "das_connections",
        &out,
        &["created connection ", "connection "],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dataarts_endpoint_is_verified_and_a_connection_shown_and_deleted() {
    let out = run_mocked("dataarts_connections").await;
    assert_steps(
        "dataarts_connections",
        &out,
        &[
            "endpoint ",
            "data connection ",
            "data connection example-connection is ",
            "deleted data connection example-connection",
        ],
    );
}

/// `CLOUD_SDK_MOCK=1` and nothing else: every example runs against its client's mock server,
/// as a user without an account would try it.
#[tokio::test(flavor = "multi_thread")]
async fn every_example_runs_without_an_account() {
    let names = example_names();
    assert!(!names.is_empty(), "examples/ holds the example programs");
    for name in names {
        let out = run_mocked(&name).await;
        assert!(!out.is_empty(), "{name} printed what it did");
    }
}

/// Without credentials and without `CLOUD_SDK_MOCK`, an example fails naming a variable to
/// set and the mock mode; with credentials but without the ids it works on, it names the
/// missing id, before sending anything.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_variable_is_named() {
    let credentials = [
        ("HUAWEICLOUD_SDK_AK", "EXAMPLEAK"),
        ("HUAWEICLOUD_SDK_SK", "example-sk"),
        ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ("OCEANBASE_ACCESS_KEY_ID", "example-ak"),
        ("OCEANBASE_ACCESS_KEY_SECRET", "example-sk"),
        ("OCEANBASE_PROJECT_ID", "example-project"),
    ];
    for name in example_names() {
        let (ok, _, stderr) = run_example(&name, &[]).await;
        assert!(!ok, "{name} ran without credentials");
        assert!(
            stderr.contains("environment variable ") && stderr.contains("CLOUD_SDK_MOCK=1"),
            "{name} does not name the variable to set and the mock mode: {stderr}"
        );

        let (ok, _, stderr) = run_example(&name, &credentials).await;
        assert!(!ok, "{name} ran without the ids it works on");
        assert!(
            stderr.contains("set the environment variable ") && stderr.contains("CLOUD_SDK_MOCK=1"),
            "{name} does not name the id to set and the mock mode: {stderr}"
        );
    }
}
