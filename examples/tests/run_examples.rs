//! Runs each example program with `cargo run --example` against the client's loopback mock
//! server, as CI does: the example must succeed, print what it did, and have sent the request
//! the mock expects.

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// A generous bound: the examples are built by `cargo test` before this runs, so `cargo run`
/// only checks that they are fresh; a cold build of one example takes longer.
const LIMIT: Duration = Duration::from_secs(600);

/// The variables the examples read; each run starts without them, so that only what a test
/// sets is seen.
const EXAMPLE_VARIABLES: &[&str] = &[
    "CLOUD_SDK_MOCK",
    "EXAMPLE_BASE_URL",
    "OCEANBASE_ACCESS_KEY_ID",
    "OCEANBASE_ACCESS_KEY_SECRET",
    "OCEANBASE_PROJECT_ID",
    "HUAWEICLOUD_SDK_AK",
    "HUAWEICLOUD_SDK_SK",
    "HUAWEICLOUD_SDK_PROJECT_ID",
    "CSS_CLUSTER_ID",
    "DAS_INSTANCE_ID",
    "DAS_DB_PASSWORD",
    "DATAARTS_WORKSPACE_ID",
];

/// Runs `cargo run -q --example name` with `env` and returns its standard output.
async fn run_example(name: &str, env: Vec<(&'static str, String)>) -> String {
    let (ok, stdout, stderr) = run_example_status(name, env).await;
    assert!(ok, "example {name} failed:\n{stdout}\n{stderr}");
    stdout
}

/// Runs `cargo run -q --example name` with `env`: whether it succeeded, its standard output
/// and its standard error.
async fn run_example_status(
    name: &str,
    env: Vec<(&'static str, String)>,
) -> (bool, String, String) {
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .args(["run", "-q", "-p", "cloud-sdk-examples", "--example", &name])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        for variable in EXAMPLE_VARIABLES {
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

fn huawei_env(base_url: String) -> Vec<(&'static str, String)> {
    vec![
        ("EXAMPLE_BASE_URL", base_url),
        ("HUAWEICLOUD_SDK_AK", "EXAMPLEAK".into()),
        ("HUAWEICLOUD_SDK_SK", "example-sk".into()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", "p1".into()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn oceanbase_add_user() {
    let server = oceanbase_cloud::mock::MockServer::start().await;
    let mock = server.add_privatelink_service_user(|when, then| {
        when.instance_id("ob317v4uif")
            .body_matches(|b| b.user_account == "user123");
        then.example();
    });
    let env = vec![
        ("EXAMPLE_BASE_URL", server.base_url()),
        ("OCEANBASE_ACCESS_KEY_ID", "example-ak".into()),
        ("OCEANBASE_ACCESS_KEY_SECRET", "example-sk".into()),
        ("OCEANBASE_PROJECT_ID", "example-project".into()),
    ];
    let out = run_example("oceanbase_add_user", env).await;
    assert_eq!(mock.hits(), 1);
    assert!(
        out.contains("added user123 to the allowlist of tenant t33h8y08k (request 167140a8-"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn css_list_connections() {
    let server = huaweicloud_css::mock::MockServer::start().await;
    // The documented example holds two connections and `total_count: 2`: one page of two.
    let mock = server.show_vpcep_connection(|when, then| {
        when.cluster_id("c1").offset(0).limit(2);
        then.example();
    });
    let mut env = huawei_env(server.base_url());
    env.push(("CSS_CLUSTER_ID", "c1".into()));
    let out = run_example("css_list_connections", env).await;
    assert_eq!(mock.hits(), 1);
    assert!(
        out.contains("connection 54b7f739-31a1-40d0-862b-ac85b83ab2da is accepted"),
        "{out}"
    );
    assert!(out.contains("cluster c1 has 2 connections"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn das_create_connection() {
    let server = huaweicloud_das::mock::MockServer::start().await;
    let mock = server.create_instance_connection(|when, then| {
        when.instance_id("i1")
            .body_matches(|b| b.password.expose() == "db-password");
        then.example();
    });
    let mut env = huawei_env(server.base_url());
    env.push(("DAS_INSTANCE_ID", "i1".into()));
    env.push(("DAS_DB_PASSWORD", "db-password".into()));
    let out = run_example("das_create_connection", env).await;
    assert_eq!(mock.hits(), 1);
    assert!(out.contains("created connection "), "{out}");
    assert!(out.contains(" to instance i1"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dataarts_verify_endpoint() {
    let server = huaweicloud_dataarts_insight::mock::MockServer::start().await;
    let mock = server.verify_and_create_vpc_ep(|when, then| {
        when.x_workspace_id("ws-1");
        then.example();
    });
    let mut env = huawei_env(server.base_url());
    env.push(("DATAARTS_WORKSPACE_ID", "ws-1".into()));
    let out = run_example("dataarts_verify_endpoint", env).await;
    assert_eq!(mock.hits(), 1);
    assert!(
        out.contains("verified the endpoint service; endpoint "),
        "{out}"
    );
    assert!(out.contains(" is accepted"), "{out}");
}

/// The example programs in `examples/`, by name.
fn example_names() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// `CLOUD_SDK_MOCK=1` and nothing else: every example runs against its client's mock server,
/// as a user without an account would try it.
#[tokio::test(flavor = "multi_thread")]
async fn every_example_runs_without_an_account() {
    let names = example_names();
    assert!(!names.is_empty(), "examples/ holds the example programs");
    for name in names {
        let out = run_example(&name, vec![("CLOUD_SDK_MOCK", "1".into())]).await;
        assert!(!out.trim().is_empty(), "{name} printed what it did");
    }
}

/// Without its variables and without `CLOUD_SDK_MOCK`, an example fails naming a variable to
/// set and the mock mode.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_variable_is_named() {
    for name in example_names() {
        let (ok, _, stderr) = run_example_status(&name, vec![]).await;
        assert!(!ok, "{name} ran without credentials");
        assert!(
            stderr.contains("set the environment variable ") && stderr.contains("CLOUD_SDK_MOCK=1"),
            "{name} does not name the variable to set and the mock mode: {stderr}"
        );
    }
}
