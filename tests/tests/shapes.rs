//! Every documented response shape through `call()` and the typed mocks, and optional fields
//! sent only when set: test APIs (`tests/tests/shapes/specs/`) with the shapes real specs may
//! not have yet, generated like any API and talked to over loopback.
//!
//! Their generated code is checked in under `tests/tests/shapes/` (built here like a client
//! crate's `lib.rs`, with the mocks on: this package's `mock` feature);
//! `fixtures_are_generated_from_their_specs` says when it is stale and how to refresh it.

use std::{fs, path::Path};

use xtask::workspace_root;

// As the generator wrote them: `cargo fmt` leaves them alone, as it does generated/.
#[rustfmt::skip]
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "shapes/shapes_huawei.rs"]
mod shapes_huawei;

#[rustfmt::skip]
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "shapes/shapes_oceanbase.rs"]
mod shapes_oceanbase;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// A workspace-like copy: the test APIs next to the real vendor files; returns it with the
/// names of the APIs.
fn fixture_tree() -> (tempfile::TempDir, Vec<String>) {
    let root = workspace_root();
    let fixtures = root.join("tests/tests/shapes/specs");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &root.join("specs/vendors"),
        &dir.path().join("specs/vendors"),
    );
    let mut apis = Vec::new();
    for entry in fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            copy_dir(&path, &dir.path().join("specs").join(&name));
            apis.push(name);
        }
    }
    apis.sort();
    (dir, apis)
}

/// Each test API's generated `lib.rs`, by API name.
fn generate_fixtures() -> Vec<(String, String)> {
    let (dir, apis) = fixture_tree();
    let files = xtask::generate_all(dir.path()).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    apis.into_iter()
        .map(|api| {
            let lib = format!("generated/{api}/src/lib.rs");
            let code = files
                .iter()
                .find(|f| f.path == lib)
                .unwrap_or_else(|| panic!("no {lib}"))
                .contents
                .clone();
            (api, code)
        })
        .collect()
}

#[test]
fn fixtures_are_generated_from_their_specs() {
    let update = std::env::var_os("UPDATE_SHAPES").is_some();
    let dir = workspace_root().join("tests/tests/shapes");
    let mut stale = Vec::new();
    for (api, code) in generate_fixtures() {
        let file = dir.join(format!("{}.rs", api.replace('-', "_")));
        if fs::read_to_string(&file).ok().as_deref() == Some(code.as_str()) {
            continue;
        }
        if update {
            fs::write(&file, code).unwrap();
        } else {
            stale.push(file.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale test clients (the generator or tests/tests/shapes/specs changed): {stale:?}; run \
         `UPDATE_SHAPES=1 cargo test -p integration-tests --test shapes` and commit the result"
    );
}

/// The JSON example of the `200` response of `method path` in `file` of the test API `api`.
fn documented_example(api: &str, file: &str, path: &str, method: &str) -> serde_json::Value {
    let text = fs::read_to_string(
        workspace_root()
            .join("tests/tests/shapes/specs")
            .join(api)
            .join(file),
    )
    .unwrap();
    let doc: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
    let pointer = format!(
        "/paths/{}/{method}/responses/200/content/application~1json/example",
        path.replace('~', "~0").replace('/', "~1")
    );
    doc.pointer(&pointer)
        .unwrap_or_else(|| panic!("no example at {pointer}"))
        .clone()
}

#[tokio::test]
async fn an_empty_200_gives_output_of_unit_and_unset_defaults_are_not_sent() {
    use shapes_huawei::{mock::MockServer, types::UpdateThingBody};
    let server = MockServer::start().await;
    let mock = server.update_thing(|_, then| {
        then.ok(&());
    });
    let body: UpdateThingBody = UpdateThingBody::builder().name("blue").try_into().unwrap();
    let output: cloud_sdk_runtime::Output<()> = server
        .client()
        .update_thing()
        .project_id("p")
        .thing_id("t-1")
        .body(body)
        .call()
        .await
        .unwrap();
    assert_eq!(output.status(), 200);
    assert_eq!(mock.hits(), 1);
    let requests = server.requests();
    let sent: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    // Only what the caller set: the documented defaults are the server's to apply.
    assert_eq!(sent, serde_json::json!({"name": "blue"}));
    // The mock's answer is the documented one: the status and no body at all.
    let raw = reqwest::Client::new()
        .put(format!("{}/v1/p/things/t-1", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert!(raw.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_empty_200_through_send_and_the_documented_example() {
    use shapes_huawei::{mock::MockServer, types::UpdateThingBody};
    let server = MockServer::start().await;
    server.update_thing(|_, then| {
        then.example();
    });
    let client = server.client();
    let request = || {
        client
            .update_thing()
            .project_id("p")
            .thing_id("t-1")
            .body(UpdateThingBody::builder().name("blue"))
    };
    let sent = request().call().await.unwrap();
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.into_inner(), ());
}

#[test]
fn a_field_the_caller_sets_is_sent_even_when_it_equals_the_default() {
    use shapes_huawei::types::UpdateThingBody;
    let unset: UpdateThingBody = UpdateThingBody::builder().name("blue").try_into().unwrap();
    assert_eq!(
        serde_json::to_value(&unset).unwrap(),
        serde_json::json!({"name": "blue"})
    );
    let set: UpdateThingBody = UpdateThingBody::builder()
        .name("blue")
        .ssl_enabled(false)
        .port(3306)
        .try_into()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&set).unwrap(),
        serde_json::json!({"name": "blue", "ssl_enabled": false, "port": 3306})
    );
    // A body without the field reads back as not set, not as the default.
    let read: UpdateThingBody = serde_json::from_str(r#"{"name":"blue"}"#).unwrap();
    assert_eq!(read.ssl_enabled, None);
}

#[test]
fn the_server_default_is_in_the_field_doc() {
    let code =
        fs::read_to_string(workspace_root().join("tests/tests/shapes/shapes_huawei.rs")).unwrap();
    assert!(
        code.contains("///\n        /// The server uses `false` when omitted.\n        #[serde(skip_serializing_if = \"::std::option::Option::is_none\")]\n        pub ssl_enabled: ::std::option::Option<bool>,"),
        "{code}"
    );
}

#[tokio::test]
async fn a_204_gives_output_of_unit() {
    use shapes_huawei::mock::MockServer;
    let server = MockServer::start().await;
    server.delete_thing(|_, then| {
        then.example();
    });
    let output: cloud_sdk_runtime::Output<()> = server
        .client()
        .delete_thing()
        .project_id("p")
        .thing_id("t-1")
        .call()
        .await
        .unwrap();
    assert_eq!(output.status(), 204);
    assert_eq!(server.requests()[0].method, "DELETE");
}

#[tokio::test]
async fn a_top_level_array_and_a_query_default_sent_only_when_set() {
    use shapes_huawei::mock::MockServer;
    let server = MockServer::start().await;
    server.list_things(|_, then| {
        then.example();
    });
    let client = server.client();
    let things = client
        .list_things()
        .project_id("p")
        .call()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        serde_json::to_value(&things).unwrap(),
        documented_example(
            "shapes-huawei",
            "ListThings.yaml",
            "/v1/{project_id}/things",
            "get"
        )
    );
    // A response that leaves a field with a documented default out reads as "not sent".
    assert!(things.iter().all(|t| t.color.is_none()));
    client
        .list_things()
        .project_id("p")
        .limit(10)
        .call()
        .await
        .unwrap();
    let requests = server.requests();
    assert!(requests[0].query.is_empty(), "{:?}", requests[0].query);
    assert_eq!(requests[1].query, [("limit".to_owned(), "10".to_owned())]);
}

#[tokio::test]
async fn a_body_that_is_not_the_envelope_is_not_checked_as_one() {
    use shapes_oceanbase::mock::MockServer;
    let server = MockServer::start().await;
    server.kill_things(|_, then| {
        then.example();
    });
    let body = shapes_oceanbase::types::KillThingsBody::builder().ids(vec!["a".to_owned()]);
    let reply = server
        .client()
        .kill_things()
        .body(body)
        .call()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&*reply).unwrap(),
        documented_example(
            "shapes-oceanbase",
            "Things.yaml",
            "/api/v2/things/kill",
            "post"
        )
    );
    assert_eq!(reply.data[0].success, Some(true));
}

#[tokio::test]
async fn an_envelope_that_says_failure_is_still_an_error() {
    use shapes_oceanbase::{mock::MockServer, types::Envelope};
    let server = MockServer::start().await;
    let refused: Envelope = serde_json::from_value(serde_json::json!({
        "success": false,
        "errorCode": "Thing.NotFound",
        "errorMessage": "no such thing",
        "requestId": "r-3"
    }))
    .unwrap();
    server.describe_thing(|_, then| {
        then.ok(&refused);
    });
    let err = server
        .client()
        .describe_thing()
        .thing_id("t-1")
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), cloud_sdk_runtime::ErrorKind::Service);
    assert_eq!(
        err.service_error().and_then(|e| e.error_code.as_deref()),
        Some("Thing.NotFound")
    );
}

/// The errors `generate` stops with for the tree at `root`, one per line.
fn refused_generation(root: &Path) -> String {
    let errors = xtask::generate_all(root).unwrap_err();
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_operation_without_a_success_response_is_refused_with_the_fix() {
    let (dir, _) = fixture_tree();
    let file = dir.path().join("specs/shapes-huawei/UpdateThing.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let without = text.replace(
        "        '204':\n          description: The thing was deleted.\n",
        "",
    );
    assert_ne!(text, without);
    fs::write(&file, &without).unwrap();
    let text = refused_generation(dir.path());
    // Named at the line of the operation's `responses`, with what to write.
    let line = without
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "      responses:")
        .map(|(i, _)| i + 1)
        .nth(1)
        .unwrap();
    assert!(
        text.contains(&format!("specs/shapes-huawei/UpdateThing.yaml:{line}: ")),
        "{text}"
    );
    assert!(
        text.contains("delete /v1/{project_id}/things/{thing_id} documents no success response"),
        "{text}"
    );
    assert!(text.contains("'200': {description: OK}"), "{text}");
}

#[test]
fn a_require_one_of_rule_where_the_generator_does_not_check_it_is_refused_at_its_line() {
    // The generator checks `x-require-one-of` on the schema an operation's request body
    // names; on any other schema it would be a rule nothing checks.
    let (dir, _) = fixture_tree();
    let file = dir.path().join("specs/shapes-huawei/_common.yaml");
    let original = fs::read_to_string(&file).unwrap();
    let error = "    HuaweiError:\n      type: object\n";
    let with = original.replacen(
        error,
        &format!("{error}      x-require-one-of: [error_code, error_msg]\n"),
        1,
    );
    assert_ne!(original, with);
    fs::write(&file, &with).unwrap();
    let text = refused_generation(dir.path());
    let line = with
        .lines()
        .position(|l| l.trim_start().starts_with("x-require-one-of"))
        .unwrap()
        + 1;
    assert!(
        text.contains(&format!("specs/shapes-huawei/_common.yaml:{line}: ")),
        "{text}"
    );
    assert!(
        text.contains("no operation's body is `HuaweiError`"),
        "{text}"
    );
    // On the body's schema it is read, and the API generates.
    fs::write(&file, &original).unwrap();
    let body = dir.path().join("specs/shapes-huawei/UpdateThing.yaml");
    let update = fs::read_to_string(&body).unwrap();
    let marker = "    UpdateThingBody:\n      type: object\n";
    assert!(update.contains(marker));
    fs::write(
        &body,
        update.replacen(
            marker,
            &format!("{marker}      x-require-one-of: [name, port]\n"),
            1,
        ),
    )
    .unwrap();
    xtask::generate_all(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
}

#[test]
fn an_operation_without_a_named_error_schema_is_refused_with_the_fix() {
    let (dir, _) = fixture_tree();
    let file = dir.path().join("specs/shapes-huawei/ListThings.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let (from, to) = (
        text.find("        '4XX':").unwrap(),
        text.find("components:").unwrap(),
    );
    fs::write(&file, format!("{}{}", &text[..from], &text[to..])).unwrap();
    let text = refused_generation(dir.path());
    assert!(
        text.contains("get /v1/{project_id}/things: `call()` needs a named JSON schema for 4XX responses: add `'4XX'` with `$ref` to the API's error schema"),
        "{text}"
    );
}

#[test]
fn a_vendor_adding_an_optional_field_with_a_default_gives_an_option_sent_only_when_set() {
    // The DAS drill: the vendor documents `ssl_enabled` (boolean, default false) in the
    // CreateInstanceConnection body.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&workspace_root().join("specs"), &dir.path().join("specs"));
    let file = dir
        .path()
        .join("specs/huaweicloud-das/CreateInstanceConnection.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let anchor = "    CreateInstanceConnectionBody:\n";
    let at = text.find(anchor).unwrap();
    let properties =
        at + text[at..].find("      properties:\n").unwrap() + "      properties:\n".len();
    let with = format!(
        "{}        ssl_enabled:\n          type: boolean\n          description: Whether SSL is enabled.\n          default: false\n{}",
        &text[..properties],
        &text[properties..]
    );
    fs::write(&file, with).unwrap();
    let files = xtask::generate_all(dir.path()).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let lib = &files
        .iter()
        .find(|f| f.path == "generated/huaweicloud-das/src/lib.rs")
        .unwrap()
        .contents;
    assert!(
        lib.contains("        ///Whether SSL is enabled.\n        ///\n        /// The server uses `false` when omitted.\n        #[serde(skip_serializing_if = \"::std::option::Option::is_none\")]\n        pub ssl_enabled: ::std::option::Option<bool>,"),
        "{lib}"
    );
}

/// A client of the OceanBase Digest test server.
async fn oceanbase_digest() -> (
    integration_tests::digest_server::DigestServer,
    oceanbase_cloud::Client,
) {
    use integration_tests::digest_server::{Config, DigestServer};
    let (ak, sk) = ("shapes-access-key", "shapes-secret-key");
    let server = DigestServer::start(Config::new(ak, sk)).await.unwrap();
    let credentials = cloud_sdk_runtime::oceanbase::Credentials::new(ak, sk);
    let runtime = cloud_sdk_runtime::oceanbase::runtime_builder(
        &oceanbase_cloud::Client::API,
        credentials,
        "shapes-project",
    )
    .unwrap()
    .allow_insecure_http(true)
    .build()
    .unwrap();
    let client = oceanbase_cloud::Client::new(&server.base_url(), runtime);
    (server, client)
}

/// What every OceanBase reply below says: the call failed.
const REFUSED: &str = r#"{"success": false, "errorCode": "Tenant.NotFound",
    "errorMessage": "no such tenant", "requestId": "r-refused"}"#;

/// The failure an OceanBase reply reported, as `call()` returned it.
fn refusal<T: std::fmt::Debug>(
    result: Result<cloud_sdk_runtime::Output<T>, oceanbase_cloud::ApiError>,
) -> (
    cloud_sdk_runtime::ErrorKind,
    Option<String>,
    Option<String>,
    Option<String>,
) {
    let e = result.unwrap_err();
    let body = e
        .service_error()
        .unwrap_or_else(|| panic!("not the service's refusal: {e}"));
    (
        e.kind(),
        body.error_code.clone(),
        body.error_message.clone(),
        e.request_id().map(str::to_owned),
    )
}

#[tokio::test]
async fn a_typed_body_that_carries_the_envelope_and_says_failure_is_an_error() {
    let (server, client) = oceanbase_digest().await;
    server.reply_with(REFUSED);
    let expected = (
        cloud_sdk_runtime::ErrorKind::Service,
        Some("Tenant.NotFound".to_owned()),
        Some("no such tenant".to_owned()),
        Some("r-refused".to_owned()),
    );
    // A body of its own schema with the envelope's fields.
    let created = client
        .create_privatelink_service()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .body(
            oceanbase_cloud::types::CreatePrivatelinkServiceBody::builder()
                .user_account("user123")
                .pl_service_id("pls-1")
                .service_type("OBProxy")
                .is_shared_pl_service(false),
        )
        .call()
        .await;
    assert_eq!(refusal(created), expected);
    let described = client
        .describe_tenant_privatelink()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .call()
        .await;
    assert_eq!(refusal(described), expected);
    // The shared envelope whose `data` is a boolean.
    let confirmed = client
        .confirm_privatelink_connection()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .body(
            oceanbase_cloud::types::ConfirmPrivatelinkConnectionBody::builder().endpoint_id("ep-1"),
        )
        .call()
        .await;
    assert_eq!(refusal(confirmed), expected);
    let deleted = client
        .delete_privatelink_connection()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .address_id("obe-1")
        .call()
        .await;
    assert_eq!(refusal(deleted), expected);
}

#[tokio::test]
async fn a_body_without_the_envelopes_success_is_not_read_as_a_failure() {
    let (server, client) = oceanbase_digest().await;
    server.reply_with(r#"{"RequestId": "r-kill", "Data": [{"Success": false}]}"#);
    let killed = client
        .batch_kill_process_list()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .body(oceanbase_cloud::types::BatchKillProcessListBody::builder().session_list("[]"))
        .call()
        .await
        .unwrap();
    assert_eq!(killed.request_id.as_deref(), Some("r-kill"));
    assert_eq!(killed.data[0].success, Some(false));
}

#[tokio::test]
async fn a_body_built_on_the_envelope_with_all_of_is_checked_as_one() {
    use shapes_oceanbase::{mock::MockServer, types::ThingCount};
    let server = MockServer::start().await;
    let refused: ThingCount = serde_json::from_value(serde_json::json!({
        "success": false,
        "errorCode": "Thing.Busy",
        "errorMessage": "try later",
        "requestId": "r-5"
    }))
    .unwrap();
    server.count_things(|_, then| {
        then.ok(&refused);
    });
    let err = server.client().count_things().call().await.unwrap_err();
    assert_eq!(err.kind(), cloud_sdk_runtime::ErrorKind::Service);
    let body = err.service_error().unwrap();
    assert_eq!(
        (
            body.error_code.as_deref(),
            body.error_message.as_deref(),
            body.request_id.as_deref()
        ),
        (Some("Thing.Busy"), Some("try later"), Some("r-5"))
    );

    let server = MockServer::start().await;
    server.count_things(|_, then| {
        then.example();
    });
    let counted = server.client().count_things().call().await.unwrap();
    assert_eq!(counted.count, Some(2));
}

#[test]
fn a_body_carrying_success_of_another_type_than_the_envelopes_is_refused_with_the_fix() {
    let (dir, _) = fixture_tree();
    let file = dir.path().join("specs/shapes-oceanbase/Things.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let anchor = "          properties:\n            count:\n";
    assert!(text.contains(anchor), "ThingCount has its own properties");
    let changed = text.replacen(
        anchor,
        "          properties:\n            success:\n              type: string\n              description: Whether it worked.\n            count:\n",
        1,
    );
    fs::write(&file, changed).unwrap();
    let text = refused_generation(dir.path());
    assert!(
        text.contains("get /api/v2/things/count")
            && text.contains("the envelope's `success` with another type")
            && text.contains("declare `success` as the envelope does"),
        "{text}"
    );
}
