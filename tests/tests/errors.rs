//! Vendor errors arrive typed, loose vendor output is accepted, bad server output gives a typed
//! error and never a panic, and rule-breaking requests are stopped before they are sent.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{
    Router,
    body::Body,
    extract::State,
    http::{Response, StatusCode},
};
use cloud_sdk_runtime::{ErrorKind, NoAuth, RetryPolicy, Runtime};
use proptest::prelude::*;

/// A server that answers every request with the canned response, and counts requests.
#[derive(Default)]
struct Canned {
    status: Mutex<u16>,
    content_type: Mutex<&'static str>,
    body: Mutex<Vec<u8>>,
    requests: AtomicUsize,
}

impl Canned {
    fn set(&self, status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) {
        *self.status.lock().unwrap() = status;
        *self.content_type.lock().unwrap() = content_type;
        *self.body.lock().unwrap() = body.into();
    }
}

async fn answer(State(canned): State<Arc<Canned>>) -> Response<Body> {
    canned.requests.fetch_add(1, Ordering::SeqCst);
    let status = *canned.status.lock().unwrap();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", *canned.content_type.lock().unwrap())
        .header("x-request-id", "0b3c9e7f-req")
        .body(Body::from(canned.body.lock().unwrap().clone()))
        .unwrap()
}

async fn start() -> (SocketAddr, Arc<Canned>) {
    let canned = Arc::new(Canned::default());
    let app = Router::new().fallback(answer).with_state(canned.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, canned)
}

fn runtime() -> Runtime {
    Runtime::builder(NoAuth)
        .retry(RetryPolicy::off())
        .build()
        .unwrap()
}

struct Clients {
    css: huaweicloud_css::Client,
    das: huaweicloud_das::Client,
    dii: huaweicloud_dataarts_insight::Client,
    ob: oceanbase_cloud::Client,
}

impl Clients {
    /// CSS ShowVpcepConnection with its path parameters set: the call most tests here make.
    async fn show_css(
        &self,
    ) -> Result<
        cloud_sdk_runtime::Output<huaweicloud_css::types::ShowVpcepConnectionResponse>,
        huaweicloud_css::ApiError,
    > {
        self.css
            .show_vpcep_connection()
            .project_id("p")
            .cluster_id("c")
            .call()
            .await
    }
}

fn clients(addr: SocketAddr) -> Clients {
    let base = format!("http://{addr}");
    Clients {
        css: huaweicloud_css::Client::new(&base, runtime()),
        das: huaweicloud_das::Client::new(&base, runtime()),
        dii: huaweicloud_dataarts_insight::Client::new(&base, runtime()),
        ob: oceanbase_cloud::Client::new(&base, runtime()),
    }
}

fn das_body() -> huaweicloud_das::types::CreateInstanceConnectionBody {
    integration_tests::examples::das_body("Gauss_2345")
}

fn dii_body() -> huaweicloud_dataarts_insight::types::VerifyAndCreateVpcEpBody {
    huaweicloud_dataarts_insight::types::VerifyAndCreateVpcEpBody::builder()
        .ds_type(huaweicloud_dataarts_insight::types::DsType::Dws)
        .vpc_ep_server_name("cn-north-4.DII-INGEST-LB.x".to_owned())
        .try_into()
        .expect("every required field is set")
}

fn ob_body() -> oceanbase_cloud::types::ConnectPrivatelinkServiceBody {
    oceanbase_cloud::types::ConnectPrivatelinkServiceBody::builder()
        .endpoint_id("t33h8y08k****")
        .try_into()
        .expect("every required field is set")
}

/// Calls each operation these tests name once and returns each outcome as text (`Ok(debug)` or the
/// error's display, with its kind).
async fn call_all(c: &Clients) -> Vec<(&'static str, Result<String, (ErrorKind, String)>)> {
    fn text<T: std::fmt::Debug, E: cloud_sdk_runtime::ServiceError>(
        r: Result<T, cloud_sdk_runtime::ApiError<E>>,
    ) -> Result<String, (ErrorKind, String)> {
        r.map(|v| format!("{v:?}"))
            .map_err(|e| (e.kind(), e.to_string()))
    }
    vec![
        ("css", text(c.show_css().await)),
        (
            "das",
            text(
                c.das
                    .create_instance_connection()
                    .project_id("p")
                    .instance_id("i")
                    .body(das_body())
                    .call()
                    .await,
            ),
        ),
        (
            "dii",
            text(
                c.dii
                    .verify_and_create_vpc_ep()
                    .project_id("p")
                    .x_workspace_id("w")
                    .body(dii_body())
                    .call()
                    .await,
            ),
        ),
        (
            "ob-connect",
            text(
                c.ob.connect_privatelink_service()
                    .instance_id("i")
                    .tenant_id("t")
                    .body(ob_body())
                    .call()
                    .await,
            ),
        ),
        (
            "ob-user",
            text(
                c.ob.add_privatelink_service_user()
                    .instance_id("i")
                    .tenant_id("t")
                    .body(
                        oceanbase_cloud::types::AddPrivatelinkServiceUserBody::builder()
                            .user_account("user123")
                            .address_id("rs"),
                    )
                    .call()
                    .await,
            ),
        ),
    ]
}

#[tokio::test]
async fn huawei_errors_are_typed_for_every_documented_status() {
    let (addr, canned) = start().await;
    let c = clients(addr);
    for status in [400, 409, 412, 500] {
        canned.set(
            status,
            "application/json",
            r#"{"error_code":"CSS.0001","error_msg":"Invalid cluster ID."}"#,
        );
        let e = c.show_css().await.expect_err("error status");
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(e.code(), Some("CSS.0001"));
        assert_eq!(e.message(), Some("Invalid cluster ID."));
        assert_eq!(e.request_id(), Some("0b3c9e7f-req"));
        assert_eq!(
            e.to_string(),
            format!(
                "ShowVpcepConnection: HTTP {status}: CSS.0001: Invalid cluster ID. (request id 0b3c9e7f-req)"
            )
        );
    }
    for status in [400, 500] {
        // DAS, in the camel-case spelling some services use.
        canned.set(
            status,
            "application/json",
            r#"{"errorCode":"DAS.200100","errorMsg":"Instance not found."}"#,
        );
        let e = c
            .das
            .create_instance_connection()
            .project_id("p")
            .instance_id("i")
            .body(das_body())
            .call()
            .await
            .expect_err("error");
        assert_eq!(
            (e.code(), e.message()),
            (Some("DAS.200100"), Some("Instance not found."))
        );
        assert_eq!(
            e.to_string(),
            format!(
                "CreateInstanceConnection: HTTP {status}: DAS.200100: Instance not found. (request id 0b3c9e7f-req)"
            )
        );
    }
    canned.set(
        403,
        "application/json",
        r#"{"error":{"code":"DataArtsInsight.20010003","message":"No permission."}}"#,
    );
    let e = c
        .dii
        .verify_and_create_vpc_ep()
        .project_id("p")
        .x_workspace_id("w")
        .body(dii_body())
        .call()
        .await
        .expect_err("error");
    assert_eq!(
        e.to_string(),
        "VerifyAndCreateVpcEp: HTTP 403: DataArtsInsight.20010003: No permission. (request id 0b3c9e7f-req)"
    );
    // The service's body comes typed too.
    assert_eq!(
        e.service_error().and_then(|s| s.error_code.as_deref()),
        Some("DataArtsInsight.20010003")
    );
}

/// CSS answers errors as `{"errCode", "externalMessage"}` (not the documented `error_code`,
/// `error_msg`); the typed error reads its code and message all the same.
#[tokio::test]
async fn css_errors_in_the_css_spelling_carry_code_and_message() {
    let (addr, canned) = start().await;
    let c = clients(addr);
    for status in [400, 412, 500] {
        canned.set(
            status,
            "application/json",
            r#"{"errCode":"CSS.0015","externalMessage":"No resources are found or the access is denied."}"#,
        );
        let e = c.show_css().await.expect_err("error status");
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(e.code(), Some("CSS.0015"));
        assert_eq!(
            e.message(),
            Some("No resources are found or the access is denied.")
        );
        assert_eq!(
            e.to_string(),
            format!(
                "ShowVpcepConnection: HTTP {status}: CSS.0015: No resources are found or the \
                 access is denied. (request id 0b3c9e7f-req)"
            )
        );
    }
}

/// A service's error code is its text, as its message is: a call that sent no secret still
/// shows it without control characters (a terminal would run the escape sequence a hostile
/// server put there) and cut to a bounded length, in `code()`, `Display` and `Debug`.
#[tokio::test]
async fn an_error_code_loses_control_characters_and_is_cut() {
    let (addr, canned) = start().await;
    let c = clients(addr);
    let code = format!(
        "\u{1b}]0;PWNED\u{7}\u{1b}[2JCSS.0001{}",
        "x".repeat(100_000)
    );
    canned.set(
        400,
        "application/json",
        serde_json::json!({"error_code": code, "error_msg": "no"}).to_string(),
    );
    let e = c.show_css().await.expect_err("error status");
    assert_eq!(e.kind(), ErrorKind::Service);
    let shown = e.code().expect("a code");
    assert!(shown.starts_with("]0;PWNED[2JCSS.0001x"), "{shown:?}");
    assert!(shown.chars().count() <= 1001, "{} characters", shown.len());
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(text.len() < 5000, "{} bytes", text.len());
    }
}

#[tokio::test]
async fn oceanbase_failures_are_errors_whatever_the_status() {
    let (addr, canned) = start().await;
    let c = clients(addr);
    let failure = r#"{"success":false,"errorCode":"E001R000","errorMessage":"Unknown Error","requestId":"ecf10c08-uuid"}"#;
    for status in [200, 400, 500] {
        canned.set(status, "application/json", failure);
        let e =
            c.ob.connect_privatelink_service()
                .instance_id("i")
                .tenant_id("t")
                .body(ob_body())
                .call()
                .await
                .expect_err("success:false");
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            (e.code(), e.message()),
            (Some("E001R000"), Some("Unknown Error"))
        );
        let envelope = e.service_error().expect("the envelope");
        assert_eq!(envelope.request_id.as_deref(), Some("ecf10c08-uuid"));
    }
    // `success` as the string the tables document.
    canned.set(
        200,
        "application/json",
        r#"{"success":"false","errorCode":"E1","errorMessage":"no"}"#,
    );
    let e =
        c.ob.add_privatelink_service_user()
            .instance_id("i")
            .tenant_id("t")
            .body(
                oceanbase_cloud::types::AddPrivatelinkServiceUserBody::builder()
                    .user_account("u")
                    .address_id("a"),
            )
            .call()
            .await
            .expect_err("success:\"false\"");
    assert_eq!(
        e.to_string(),
        "AddPrivatelinkServiceUser: HTTP 200: E1: no (request id 0b3c9e7f-req)"
    );
    canned.set(
        200,
        "application/json",
        r#"{"success":"true","data":{},"requestId":"r"}"#,
    );
    let ok =
        c.ob.connect_privatelink_service()
            .instance_id("i")
            .tenant_id("t")
            .body(ob_body())
            .call()
            .await
            .expect("success:\"true\"");
    assert_eq!(ok.success.map(bool::from), Some(true));
}

#[tokio::test]
async fn loose_vendor_output_is_accepted() {
    let (addr, canned) = start().await;
    let c = clients(addr);
    // Unknown fields, a string boolean, nulls, absent fields and a status the docs do not list.
    canned.set(
        200,
        "application/json",
        r#"{"connections":[{"id":"a","status":"pendingAcceptance","update_at":null,"brandNew":1}],
            "vpcepUpdateSwitch":"true","total_count":1,"permissions":null,"extra":{"x":[1,2]}}"#
            .replace("\"permissions\":null,", ""),
    );
    let page = c.show_css().await.expect("tolerated");
    assert_eq!(page.vpcep_update_switch.map(bool::from), Some(true));
    assert_eq!(
        page.connections[0].status,
        Some(huaweicloud_css::types::VpcepConnectionStatus::Other(
            "pendingAcceptance".into()
        ))
    );
    assert_eq!(page.connections[0].update_at, None);
    assert!(page.permissions.is_empty());
    canned.set(
        200,
        "application/json",
        r#"{"id":"x","create_date":1714962072863,"update_date":null,"ds_type":"Kafka","vpc_ep_client_status":"accepted","scene":"new-scene","future":true}"#,
    );
    let ep = c
        .dii
        .verify_and_create_vpc_ep()
        .project_id("p")
        .x_workspace_id("w")
        .body(dii_body())
        .call()
        .await
        .expect("tolerated");
    assert_eq!(ep.create_date, Some(1_714_962_072_863));
    assert_eq!(
        ep.ds_type,
        Some(huaweicloud_dataarts_insight::types::DsType::Other(
            "Kafka".into()
        ))
    );
    assert_eq!(
        ep.vpc_ep_client_status,
        Some(huaweicloud_dataarts_insight::types::VpcEpClientStatus::Accepted)
    );
    canned.set(200, "application/json", r#"{"success":true,"data":{"anything":1},"cost":3,"server":"s1","totalCount":0,"extra":{}}"#);
    c.ob.connect_privatelink_service()
        .instance_id("i")
        .tenant_id("t")
        .body(ob_body())
        .call()
        .await
        .expect("tolerated");
}

#[tokio::test]
async fn bad_server_output_gives_typed_errors() {
    let (addr, canned) = start().await;
    let c = clients(addr);
    let huge = format!(
        "{{\"connections\":[{}]}}",
        vec![r#"{"id":"x"}"#; 400_000].join(",")
    );
    let cases: Vec<(&str, u16, &'static str, Vec<u8>)> = vec![
        ("empty body", 200, "application/json", vec![]),
        (
            "not JSON",
            200,
            "application/json",
            b"not json at all".to_vec(),
        ),
        ("wrong shape", 200, "application/json", b"[1,2,3]".to_vec()),
        (
            "wrong content type",
            200,
            "text/html",
            b"<html><body>502 Bad Gateway</body></html>".to_vec(),
        ),
        (
            "truncated",
            200,
            "application/json",
            br#"{"connection_id":"99af0766-c3f4"#.to_vec(),
        ),
        (
            "HTML error page",
            502,
            "text/html",
            b"<html>502</html>".to_vec(),
        ),
        (
            "undocumented status",
            207,
            "application/json",
            b"{}".to_vec(),
        ),
    ];
    for (what, status, content_type, body) in cases {
        canned.set(status, content_type, body);
        for (op, outcome) in call_all(&c).await {
            let Err((kind, text)) = outcome else {
                // An empty object is a valid (if useless) answer for operations whose fields are
                // all optional; anything else must fail.
                assert!(what == "undocumented status", "{what}: {op} accepted it");
                continue;
            };
            assert!(
                matches!(kind, ErrorKind::InvalidResponse | ErrorKind::Service),
                "{what}: {op}: {kind:?} {text}"
            );
        }
    }
    // Several MiB: parsed (or refused) without trouble.
    assert!(huge.len() > 4 << 20);
    canned.set(200, "application/json", huge.into_bytes());
    let page = c.show_css().await.expect("a large page parses");
    assert_eq!(page.connections.len(), 400_000);
    let outcomes = call_all(&c).await;
    assert!(
        outcomes
            .iter()
            .filter(|(op, _)| *op != "css")
            .all(|(_, o)| o.is_ok()
                || o.as_ref()
                    .is_err_and(|(k, _)| *k == ErrorKind::InvalidResponse))
    );
}

#[tokio::test]
async fn requests_that_break_documented_rules_are_not_sent() {
    let (addr, canned) = start().await;
    let c = clients(addr);
    canned.set(200, "application/json", "{}");
    let body = huaweicloud_dataarts_insight::types::VerifyAndCreateVpcEpBody::builder()
        .ds_type(huaweicloud_dataarts_insight::types::DsType::Dws);
    let e = c
        .dii
        .verify_and_create_vpc_ep()
        .project_id("p")
        .x_workspace_id("w")
        .body(body)
        .call()
        .await
        .expect_err("neither name nor id");
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(
        e.to_string()
            .contains("`vpc_ep_server_name` or `vpc_ep_server_id`"),
        "{e}"
    );
    let e = c
        .css
        .show_vpcep_connection()
        .cluster_id("c")
        .call()
        .await
        .expect_err("no project id");
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.to_string().contains("project_id"), "{e}");
    let e = c
        .das
        .create_instance_connection()
        .project_id("p")
        .instance_id("i")
        .call()
        .await
        .expect_err("no body");
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    let e = c
        .css
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .limit(0u32)
        .call()
        .await
        .expect_err("limit 0");
    assert!(e.to_string().contains("limit"), "{e}");
    assert_eq!(
        canned.requests.load(Ordering::SeqCst),
        0,
        "nothing may reach the server"
    );
}

/// A path value of 100 KB makes a URL no HTTP request can carry: the call fails at once as
/// `InvalidRequest`, without a retry (a retry policy with a long back-off would show one) and
/// without anything reaching the server, whatever the authentication.
#[tokio::test]
async fn a_request_that_cannot_be_sent_fails_at_once_as_invalid_request() {
    let (addr, canned) = start().await;
    canned.set(200, "application/json", "{}");
    let patient = RetryPolicy {
        max_attempts: 5,
        base_delay: std::time::Duration::from_secs(60),
        max_delay: std::time::Duration::from_secs(60),
    };
    let base = format!("http://{addr}");
    let huge = "c".repeat(100 * 1024);
    let runtimes = [
        Runtime::builder(NoAuth).retry(patient).build().unwrap(),
        // A token that is never checked: what matters is that nothing is sent.
        Runtime::builder(cloud_sdk_runtime::huawei::TokenAuth::static_token("t").unwrap())
            .allow_insecure_http(true)
            .retry(patient)
            .build()
            .unwrap(),
    ];
    for runtime in runtimes {
        let css = huaweicloud_css::Client::new(&base, runtime);
        let call = css
            .show_vpcep_connection()
            .project_id("p")
            .cluster_id(huge.as_str())
            .call();
        let e = tokio::time::timeout(std::time::Duration::from_secs(30), call)
            .await
            .expect("no back-off: the call fails at once")
            .expect_err("a URL over the limit");
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
        assert_eq!(e.status(), None);
        let text = e.to_string();
        assert!(text.starts_with("ShowVpcepConnection: "), "{text}");
        assert!(text.contains("not sent"), "{text}");
        assert!(
            text.len() < 1000,
            "the value is not echoed: {} bytes",
            text.len()
        );
    }
    assert_eq!(
        canned.requests.load(Ordering::SeqCst),
        0,
        "nothing may reach the server"
    );
}

/// The README's table of error kinds names every `ErrorKind` variant (read from the source).
#[test]
fn the_readme_lists_every_error_kind() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let source =
        std::fs::read_to_string(root.join("crates/cloud-sdk-runtime/src/error.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let body = source
        .split_once("pub enum ErrorKind {")
        .and_then(|(_, rest)| rest.split_once("\n}"))
        .map(|(body, _)| body)
        .expect("ErrorKind in error.rs");
    let variants: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.strip_suffix(','))
        .collect();
    assert!(!variants.is_empty(), "no variants read from error.rs");
    let missing: Vec<&&str> = variants
        .iter()
        .filter(|v| !readme.contains(&format!("| `{v}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md lacks ErrorKind rows for {missing:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever bytes come back, with any status, every operation returns a value or a typed
    /// error: no panic.
    #[test]
    fn arbitrary_response_bodies_never_panic(
        body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..512),
            "\\{\"[a-z_]{1,12}\":(true|false|null|[0-9]{1,20}|\"[a-z]{0,8}\"|\\[\\]|\\{\\})\\}".prop_map(String::into_bytes),
        ],
        status in prop_oneof![Just(200u16), Just(400), Just(409), Just(500), 100u16..600],
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (addr, canned) = start().await;
            canned.set(status, "application/json", body);
            let c = clients(addr);
            for (_, outcome) in call_all(&c).await {
                if let Err((kind, text)) = outcome {
                    prop_assert!(!text.is_empty());
                    prop_assert!(kind != ErrorKind::InvalidRequest, "{}", text);
                }
            }
            Ok(())
        })?;
    }
}
