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

/// Runs `cargo run -q --example name` with `env` and returns its standard output.
async fn run_example(name: &'static str, env: Vec<(&'static str, String)>) -> String {
    tokio::task::spawn_blocking(move || {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut child = Command::new(cargo)
            .args(["run", "-q", "-p", "cloud-sdk-examples", "--example", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
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
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "example {name} failed ({}):\n{stdout}\n{stderr}",
            output.status
        );
        stdout
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
