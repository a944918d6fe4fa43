//! The vendors' documented examples through the real clients and their real authentication:
//! given the values of a page's example request, the client puts exactly that request on the
//! wire; given the page's example response, byte for byte, the client returns it typed with
//! every documented field. Each wire request is snapshotted (credentials and dates redacted).
//!
//! The examples live in `tests/fixtures/<api>/<Operation>.{request,response}.json`, copied from
//! the pages; `fixtures_match_the_vendor_pages_and_the_specs` keeps them honest.

use std::{fs, path::PathBuf};

use cloud_sdk_runtime::{
    Runtime,
    huawei::{AkSkAuth, AkSkCredentials},
};
use integration_tests::{
    digest_server::{self, DigestAlgorithm, DigestServer},
    huawei_server::{AuthOutcome, HuaweiServer, Recorded},
};
use serde_json::Value;

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "contract-test-secret-key-0001";

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn fixture(name: &str) -> String {
    fs::read_to_string(fixture_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

async fn huawei_server() -> HuaweiServer {
    let server = HuaweiServer::start().await.expect("server starts");
    server.add_access_key(AK, SK);
    server
}

fn signed_runtime() -> Runtime {
    let credentials = AkSkCredentials::new(AK, SK).expect("credentials");
    Runtime::builder(AkSkAuth::new(credentials))
        .allow_insecure_http(true)
        .build()
        .unwrap()
}

/// The wire request as reviewable text: credentials, dates and the port redacted.
fn render(r: &Recorded) -> String {
    render_parts(&r.method, &r.path, r.query.as_deref(), &r.headers, &r.body)
}

fn render_parts(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &[(String, String)],
    body: &[u8],
) -> String {
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| {
            let n = n.to_ascii_lowercase();
            let v = match n.as_str() {
                "authorization" if v.starts_with("Digest ") => redact_digest(v),
                "authorization" | "x-auth-token" | "x-security-token" => {
                    let scheme = v.split_whitespace().next().unwrap_or_default();
                    let signed = v.split("SignedHeaders=").nth(1).and_then(|s| s.split(',').next());
                    match signed {
                        Some(signed) => format!("{scheme} Access=<redacted>, SignedHeaders={signed}, Signature=<redacted>"),
                        None => "<redacted>".to_owned(),
                    }
                }
                "x-sdk-date" => "<date>".to_owned(),
                "host" => v.split(':').next().map(|h| format!("{h}:<port>")).unwrap_or_default(),
                _ => v.clone(),
            };
            (n, v)
        })
        .collect();
    headers.sort();
    let mut out = format!("{method} {path}\nquery: {}\n", query.unwrap_or("(none)"));
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\n"));
    }
    if body.is_empty() {
        out.push_str("body: (none)\n");
    } else {
        let body: Value = serde_json::from_slice(body).expect("JSON body");
        out.push_str(&format!(
            "body:\n{}\n",
            serde_json::to_string_pretty(&body).expect("pretty")
        ));
    }
    out
}

/// A Digest `Authorization` with the per-request values (nonce, cnonce, response) redacted and
/// the parameters that say what was signed kept.
fn redact_digest(value: &str) -> String {
    let params = value.trim_start_matches("Digest ").split(", ").map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "nonce" | "cnonce" | "response" | "opaque" => format!("{k}=<redacted>"),
            "username" => format!("{k}=<access key id>"),
            _ => format!("{k}={v}"),
        }
    });
    format!("Digest {}", params.collect::<Vec<_>>().join(", "))
}

fn only_request(server: &HuaweiServer) -> Recorded {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "exactly one request on the wire");
    let r = requests.into_iter().next().expect("one");
    assert!(
        matches!(r.auth, AuthOutcome::Signed(_)),
        "the server verified the signature: {:?}",
        r.auth
    );
    r
}

/// Serializes the typed response back and compares with the page's example: equal JSON means
/// every documented field was read and none was lost or renamed. The generated types skip
/// empty maps and lists when they serialize (`"data": {}` reads as an empty map and is not
/// written back), so empty containers are set aside on both sides.
fn assert_round_trip<T: serde::Serialize>(typed: &T, example: &str) {
    fn drop_empty(v: Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, drop_empty(v)))
                    .filter(|(_, v)| {
                        !matches!(v, Value::Object(m) if m.is_empty())
                            && !matches!(v, Value::Array(a) if a.is_empty())
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(drop_empty).collect()),
            other => other,
        }
    }
    let written = serde_json::to_value(typed).expect("serializes");
    assert_eq!(drop_empty(written), drop_empty(json(example)));
}

#[tokio::test]
async fn show_vpcep_connection_example() {
    let server = huawei_server().await;
    let example = fixture("huaweicloud-css/ShowVpcepConnection.response.json");
    server.reply_with(&example);
    let client = huaweicloud_css::Client::new(&server.base_url(), signed_runtime());
    // The page's example: GET .../clusters/5c77b71c-.../vpcepservice/connections, no query.
    let page = client
        .show_vpcep_connection()
        .project_id("9c3043a2e4ba4bd88643b3c53b9d8b27")
        .cluster_id("5c77b71c-5b35-4f50-8984-76387e42451a")
        .call()
        .await
        .expect("example call");
    let r = only_request(&server);
    assert_eq!((r.method.as_str(), r.query.as_deref()), ("GET", None));
    assert_eq!(
        r.path,
        "/v1.0/9c3043a2e4ba4bd88643b3c53b9d8b27/clusters/5c77b71c-5b35-4f50-8984-76387e42451a/vpcepservice/connections"
    );
    assert!(r.body.is_empty());
    insta::assert_snapshot!(render(&r));

    assert_round_trip(&page, &example);
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.vpcep_update_switch.map(bool::from), Some(false));
    let first = &page.connections[0];
    assert_eq!(
        first.status,
        Some(huaweicloud_css::types::VpcepConnectionStatus::Accepted)
    );
    assert_eq!(first.max_session.as_deref(), Some("3000"));
    assert_eq!(
        page.permissions[0].permission_type,
        Some(huaweicloud_css::types::VpcepPermissionType::DomainId)
    );
}

#[tokio::test]
async fn create_instance_connection_example() {
    use huaweicloud_das::types::{CreateInstanceConnectionBody, DasEngineType, DasNetworkType};
    let server = huawei_server().await;
    let example = fixture("huaweicloud-das/CreateInstanceConnection.response.json");
    server.reply_with(&example);
    let client = huaweicloud_das::Client::new(&server.base_url(), signed_runtime());
    let created = client
        .create_instance_connection()
        .project_id("052041494800d57c2f02c00275b4c247")
        .instance_id("bcfa975193f1402fa11a6d4fd6baf5fbin01")
        .body(CreateInstanceConnectionBody {
            engine_type: DasEngineType::Mysql,
            network_type: DasNetworkType::Rds,
            username: "root".into(),
            is_save_password: true,
            password: cloud_sdk_runtime::Secret::new("Gauss_2345"),
            sql_record_flag: Some(true),
            remarks: Some("create by api".into()),
            node_ids: vec![],
            port: None,
            database_name: None,
        })
        .call()
        .await
        .expect("example call");
    let r = only_request(&server);
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.path,
        "/v3/052041494800d57c2f02c00275b4c247/instances/bcfa975193f1402fa11a6d4fd6baf5fbin01/create-connection"
    );
    assert_eq!(r.query, None);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let sent: Value = serde_json::from_slice(&r.body).expect("JSON body");
    assert_eq!(
        sent,
        json(&fixture(
            "huaweicloud-das/CreateInstanceConnection.request.json"
        ))
    );
    insta::assert_snapshot!(render(&r));

    assert_round_trip(&created, &example);
    assert_eq!(
        created.connection_id.as_deref(),
        Some("99af0766-c3f4-4e4e-a95e-14a1b070188e")
    );
}

#[tokio::test]
async fn verify_and_create_vpc_ep_example() {
    use huaweicloud_dataarts_insight::types::{
        DsType, VerifyAndCreateVpcEpBody, VpcEpClientStatus,
    };
    let server = huawei_server().await;
    let example = fixture("huaweicloud-dataarts-insight/VerifyAndCreateVpcEp.response.json");
    server.reply_with(&example);
    let client = huaweicloud_dataarts_insight::Client::new(&server.base_url(), signed_runtime());
    let endpoint = client
        .verify_and_create_vpc_ep()
        .project_id("9c3043axxxx88643b3xxxxxx27")
        .x_workspace_id("a3c5e0d9f2b84d1e9c7a6b5f4e3d2c1b")
        .body(VerifyAndCreateVpcEpBody {
            ds_type: DsType::Dws,
            vpc_ep_server_name: Some(
                "cn-xxxx-x.DII-INGEST-LB.xxxxxx-31cf-4e27-xxxx-4b71db9b82fb".into(),
            ),
            vpc_ep_server_id: None,
        })
        .call()
        .await
        .expect("example call");
    let r = only_request(&server);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.query.as_deref()),
        (
            "POST",
            "/v1/9c3043axxxx88643b3xxxxxx27/connections/vpc-endpoint",
            None
        )
    );
    assert_eq!(
        r.header("x-workspace-id"),
        Some("a3c5e0d9f2b84d1e9c7a6b5f4e3d2c1b")
    );
    let AuthOutcome::Signed(verified) = &r.auth else {
        unreachable!("checked by only_request")
    };
    assert!(
        verified
            .signed_headers
            .iter()
            .any(|h| h == "x-workspace-id"),
        "{:?}",
        verified.signed_headers
    );
    let sent: Value = serde_json::from_slice(&r.body).expect("JSON body");
    assert_eq!(
        sent,
        json(&fixture(
            "huaweicloud-dataarts-insight/VerifyAndCreateVpcEp.request.json"
        ))
    );
    insta::assert_snapshot!(render(&r));

    assert_round_trip(&endpoint, &example);
    // 1714962072863 does not fit 32 bits: the page types it Integer, the spec int64.
    assert_eq!(endpoint.update_date, Some(1_714_962_072_863));
    assert_eq!(
        endpoint.vpc_ep_client_status,
        Some(VpcEpClientStatus::Accepted)
    );
    assert_eq!(endpoint.ds_type, Some(DsType::Dws));
}

const OB_AK: &str = "ob-contract-access-key";
const OB_SK: &str = "ob-contract-secret-key";

async fn digest_server(algorithm: DigestAlgorithm) -> DigestServer {
    let mut config = digest_server::Config::new(OB_AK, OB_SK);
    config.algorithms = vec![algorithm];
    DigestServer::start(config).await.expect("server starts")
}

fn oceanbase_client(server: &DigestServer) -> oceanbase_cloud::Client {
    let credentials = cloud_sdk_runtime::oceanbase::Credentials::new(OB_AK, OB_SK);
    let runtime = cloud_sdk_runtime::oceanbase::runtime_builder(
        &oceanbase_cloud::Client::API,
        credentials,
        "1234567890abcdef",
    )
    .expect("project id")
    .allow_insecure_http(true)
    .build()
    .unwrap();
    oceanbase_cloud::Client::new(&server.base_url(), runtime)
}

/// The probe (no body) and the signed request; returns the signed one rendered.
fn oceanbase_exchange(server: &DigestServer, path: &str, request_fixture: &str) -> String {
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        2,
        "a probe and the signed request: {requests:?}"
    );
    let (probe, signed) = (&requests[0], &requests[1]);
    assert!(
        probe.body.is_empty() && probe.authorization.is_none(),
        "the probe carries no body and no credentials"
    );
    assert_eq!((probe.status, signed.status), (401, 200));
    assert_eq!(signed.method, "POST");
    let (signed_path, query) = signed.target.split_once('?').expect("a query");
    assert_eq!(signed_path, path);
    // The page's example request id, as the query encoder writes `*`.
    assert_eq!(
        query.replace("%2A", "*"),
        "requestId=dc302d76-66b5-48d8-ab53-a035********"
    );
    assert_eq!(signed.project_id.as_deref(), Some("1234567890abcdef"));
    let header = |n: &str| {
        signed
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("content-type"), Some("application/json"));
    let sent: Value = serde_json::from_slice(&signed.body).expect("JSON body");
    assert_eq!(sent, json(&fixture(request_fixture)));
    render_parts(
        &signed.method,
        signed_path,
        Some(query),
        &signed.headers,
        &signed.body,
    )
}

#[tokio::test]
async fn connect_privatelink_service_example() {
    for algorithm in [DigestAlgorithm::Md5, DigestAlgorithm::Sha256] {
        let server = digest_server(algorithm).await;
        let example = fixture("oceanbase-cloud/ConnectPrivatelinkService.response.json");
        server.reply_with(&example);
        let reply = oceanbase_client(&server)
            .connect_privatelink_service()
            .instance_id("ob317v4uif****")
            .tenant_id("t33h8y08k****")
            .request_id("dc302d76-66b5-48d8-ab53-a035********")
            .body(oceanbase_cloud::types::ConnectPrivatelinkServiceBody {
                endpoint_id: "t33h8y08k****".into(),
                address_id: Some("obe-4tw51gp7****".into()),
                user_endpoint_address: Some(String::new()),
            })
            .call()
            .await
            .expect("example call");
        let wire = oceanbase_exchange(
            &server,
            "/api/v2/instances/ob317v4uif****/tenants/t33h8y08k****/privatelink/connection",
            "oceanbase-cloud/ConnectPrivatelinkService.request.json",
        );
        insta::assert_snapshot!(
            format!("connect_privatelink_service_{}", algorithm.name()),
            wire
        );
        assert_round_trip(&reply, &example);
        assert!(reply.data.is_empty(), "`data` is the page's empty object");
        assert_eq!(
            reply.request_id.as_deref(),
            Some("ecf10c08-****-****-****-8a2e57897f74")
        );
        assert_eq!(reply.success.map(bool::from), Some(true));
    }
}

#[tokio::test]
async fn add_privatelink_service_user_example() {
    let server = digest_server(DigestAlgorithm::Sha256).await;
    let example = fixture("oceanbase-cloud/AddPrivatelinkServiceUser.response.json");
    server.reply_with(&example);
    let reply = oceanbase_client(&server)
        .add_privatelink_service_user()
        .instance_id("ob317v4uif****")
        .tenant_id("t33h8y08k****")
        .request_id("dc302d76-66b5-48d8-ab53-a035********")
        .body(oceanbase_cloud::types::AddPrivatelinkServiceUserBody {
            user_account: "user123".into(),
            address_id: "rs-praivate-********".into(),
        })
        .call()
        .await
        .expect("example call");
    let wire = oceanbase_exchange(
        &server,
        "/api/v2/instances/ob317v4uif****/tenants/t33h8y08k****/privatelink/user",
        "oceanbase-cloud/AddPrivatelinkServiceUser.request.json",
    );
    insta::assert_snapshot!(wire);
    assert_round_trip(&reply, &example);
    assert!(reply.data.is_empty(), "`data` is the page's empty object");
    assert_eq!(
        reply.request_id.as_deref(),
        Some("167140a8-****-****-****-9ca1c646ae25")
    );
}

/// The fixtures are the pages' examples, and the specs carry the same examples.
#[test]
fn fixtures_match_the_vendor_pages_and_the_specs() {
    let root = xtask::workspace_root();
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let mut checked = 0;
    for entry in fs::read_dir(fixture_path("")).expect("fixtures/") {
        let api_dir = entry.expect("entry").path();
        let api = api_dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        // `pages/` holds vendor page captures for the docs tests, not examples.
        if api == "pages" {
            continue;
        }
        for file in fs::read_dir(&api_dir).expect("api fixtures") {
            let file = file.expect("entry").path();
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_owned();
            let (operation, kind) = name
                .trim_end_matches(".json")
                .split_once('.')
                .expect("<Operation>.<kind>.json");
            let text = fs::read_to_string(&file).expect("fixture");
            // Against the vendor's page, checked in beside the spec.
            let page = fs::read_to_string(
                root.join("specs")
                    .join(&api)
                    .join("pages")
                    .join(format!("{operation}.txt")),
            )
            .expect("the vendor's page in specs/<api>/pages/");
            assert!(
                squash(&page).contains(&squash(&text)),
                "{api}/{name} is not on the page {operation}.txt"
            );
            // Against the spec's example.
            let spec = integration_tests::spec_file(&format!("{api}/{operation}.yaml"));
            let op = integration_tests::only_operation(&spec);
            let spec_example = match kind {
                "request" => &op["requestBody"]["content"]["application/json"]["example"],
                _ => &op["responses"]["200"]["content"]["application/json"]["example"],
            };
            assert_eq!(
                spec_example,
                &json(&text),
                "the spec's {kind} example of {api} {operation} differs from the page"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 9, "five responses and four request bodies");
}
