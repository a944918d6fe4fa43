//! The vendors' documented examples through the real clients and their real authentication:
//! each crate's `examples::replay` (generated from the specs) sends every operation's
//! documented request, here to servers that verify the Huawei signature or run the Digest
//! exchange; the request on the wire must be the documented one, the documented response must
//! read back into the types and write back as the same JSON, and each wire request is
//! snapshotted (credentials and dates redacted).
//!
//! The examples live once, in the specs; `spec_examples_are_on_the_vendor_pages` checks each
//! against the vendor's page checked in beside the spec. Each generated crate's own
//! `tests/contract.rs` replays the same examples against its mock server, so a new operation or
//! a new API is covered with no edit here.

use std::fs;

use cloud_sdk_runtime::{
    Runtime,
    huawei::{AkSkAuth, AkSkCredentials},
    mock::{Replay, Request, check_replays},
};
use integration_tests::{
    digest_server::{self, DigestAlgorithm, DigestServer},
    huawei_server::{AuthOutcome, HuaweiServer, Recorded},
};
use serde_json::Value;

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "contract-test-secret-key-0001";

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
                // The crate's version comes from api.toml; a bump is not a change of the wire.
                "user-agent" => match v.split_once('/') {
                    Some((product, _)) => format!("{product}/<version>"),
                    None => v.clone(),
                },
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

/// A Digest `Authorization` with the per-request values (nonce, its count, cnonce, response)
/// redacted and the parameters that say what was signed kept. The count is how many requests the
/// session sent before this one, so it moves whenever an operation is added.
fn redact_digest(value: &str) -> String {
    let params = value.trim_start_matches("Digest ").split(", ").map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "nonce" | "nc" | "cnonce" | "response" | "opaque" => format!("{k}=<redacted>"),
            "username" => format!("{k}=<access key id>"),
            _ => format!("{k}={v}"),
        }
    });
    format!("Digest {}", params.collect::<Vec<_>>().join(", "))
}

/// The documented response of `replay`, as the server sends it (empty when none is documented).
fn answer(replay: &Replay) -> String {
    replay
        .response_example
        .as_ref()
        .map(Value::to_string)
        .unwrap_or_default()
}

/// A recorded request as the replay check reads it: path and query split, the query decoded.
fn as_request(method: &str, target: &str, headers: &[(String, String)], body: &[u8]) -> Request {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Request {
        method: method.to_owned(),
        path: path.to_owned(),
        query: serde_urlencoded::from_str(query).expect("a form-encoded query"),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .collect(),
        body: body.to_vec().into(),
    }
}

fn assert_replays_agree(replays: &[Replay], seen: &[Request]) {
    assert!(
        !replays.is_empty(),
        "the spec documents at least one example"
    );
    let failures = check_replays(replays, seen);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every request verified by its signature, each documented header among the signed ones; the
/// requests agree with the replays and are snapshotted by operation.
fn check_signed(server: &HuaweiServer, replays: &[Replay]) {
    let recorded = server.requests();
    for (replay, r) in replays.iter().zip(&recorded) {
        let AuthOutcome::Signed(verified) = &r.auth else {
            panic!(
                "{}: the server did not verify the signature: {:?}",
                replay.operation, r.auth
            )
        };
        for (name, _) in &replay.headers {
            assert!(
                verified.signed_headers.iter().any(|h| h == name),
                "{}: {name} is not signed: {:?}",
                replay.operation,
                verified.signed_headers
            );
        }
        insta::assert_snapshot!(replay.operation, render(r));
    }
    let seen: Vec<Request> = recorded
        .iter()
        .map(|r| {
            let target = match &r.query {
                Some(q) => format!("{}?{q}", r.path),
                None => r.path.clone(),
            };
            as_request(&r.method, &target, &r.headers, &r.body)
        })
        .collect();
    assert_replays_agree(replays, &seen);
}

#[tokio::test]
async fn huaweicloud_css_examples_signed() {
    let server = huawei_server().await;
    let client = huaweicloud_css::Client::new(&server.base_url(), signed_runtime());
    let replays =
        huaweicloud_css::examples::replay(&client, |r| server.reply_with(&answer(r))).await;
    check_signed(&server, &replays);
}

#[tokio::test]
async fn huaweicloud_vpcep_examples_signed() {
    let server = huawei_server().await;
    let client = huaweicloud_vpcep::Client::new(&server.base_url(), signed_runtime());
    let replays =
        huaweicloud_vpcep::examples::replay(&client, |r| server.reply_with(&answer(r))).await;
    check_signed(&server, &replays);
}

#[tokio::test]
async fn huaweicloud_das_examples_signed() {
    let server = huawei_server().await;
    let client = huaweicloud_das::Client::new(&server.base_url(), signed_runtime());
    let replays =
        huaweicloud_das::examples::replay(&client, |r| server.reply_with(&answer(r))).await;
    check_signed(&server, &replays);
}

#[tokio::test]
async fn huaweicloud_dataarts_insight_examples_signed() {
    let server = huawei_server().await;
    let client = huaweicloud_dataarts_insight::Client::new(&server.base_url(), signed_runtime());
    let replays =
        huaweicloud_dataarts_insight::examples::replay(&client, |r| server.reply_with(&answer(r)))
            .await;
    check_signed(&server, &replays);
}

const OB_AK: &str = "ob-contract-access-key";
const OB_SK: &str = "ob-contract-secret-key";
const OB_PROJECT: &str = "1234567890abcdef";

/// Every documented OceanBase request through the Digest exchange with each algorithm: the
/// first call is challenged (a probe without body or credentials), the rest reuse the session;
/// each accepted request carries the client's project and agrees with the replays.
#[tokio::test]
async fn oceanbase_cloud_examples_through_digest() {
    for algorithm in [DigestAlgorithm::Md5, DigestAlgorithm::Sha256] {
        let mut config = digest_server::Config::new(OB_AK, OB_SK);
        config.algorithms = vec![algorithm];
        let server = DigestServer::start(config).await.expect("server starts");
        let credentials = cloud_sdk_runtime::oceanbase::Credentials::new(OB_AK, OB_SK);
        let runtime = cloud_sdk_runtime::oceanbase::runtime_builder(
            &oceanbase_cloud::Client::API,
            credentials,
            OB_PROJECT,
        )
        .expect("project id")
        .allow_insecure_http(true)
        .build()
        .unwrap();
        let client = oceanbase_cloud::Client::new(&server.base_url(), runtime);
        let replays =
            oceanbase_cloud::examples::replay(&client, |r| server.reply_with(&answer(r))).await;

        let requests = server.requests();
        let (challenged, accepted): (Vec<_>, Vec<_>) =
            requests.iter().partition(|r| r.status == 401);
        assert_eq!(
            challenged.len(),
            1,
            "one challenge per session: {requests:?}"
        );
        assert!(
            challenged[0].body.is_empty() && challenged[0].authorization.is_none(),
            "the probe carries no body and no credentials"
        );
        for (replay, signed) in replays.iter().zip(&accepted) {
            assert_eq!(signed.status, 200);
            assert_eq!(signed.algorithm, Some(algorithm));
            assert_eq!(signed.project_id.as_deref(), Some(OB_PROJECT));
            let (path, query) = signed
                .target
                .split_once('?')
                .unwrap_or((&signed.target, ""));
            let wire = render_parts(
                &signed.method,
                path,
                Some(query),
                &signed.headers,
                &signed.body,
            );
            insta::assert_snapshot!(format!("{}_{}", replay.operation, algorithm.name()), wire);
        }
        let seen: Vec<Request> = accepted
            .iter()
            .map(|r| as_request(&r.method, &r.target, &r.headers, &r.body))
            .collect();
        assert_replays_agree(&replays, &seen);
    }
}

/// The JSON values that start at each `{` or `[` of a page's text.
fn json_on_page(page: &str) -> Vec<Value> {
    page.char_indices()
        .filter(|(_, c)| matches!(c, '{' | '['))
        .filter_map(|(i, _)| {
            serde_json::Deserializer::from_str(&page[i..])
                .into_iter::<Value>()
                .next()
                .and_then(Result::ok)
        })
        .collect()
}

/// Every request-body and response example of every spec is on the vendor's page checked in
/// beside it (as equal JSON), unless the spec names another public source for it (`x-source`)
/// or the operation has no checked-in page. The pages are the files `pages/pages.toml` lists,
/// read from `specs/` at run time.
#[test]
fn spec_examples_are_on_the_vendor_pages() {
    let root = xtask::workspace_root();
    let pages = xtask::docs::run::pages(&root).unwrap_or_else(|e| panic!("{e}"));
    let mut checked = 0;
    for page_entry in pages {
        let (name, operation) = (&page_entry.api, &page_entry.operation);
        let page = fs::read_to_string(&page_entry.path)
            .unwrap_or_else(|e| panic!("specs/{name}/pages/{}: {e}", page_entry.file()));
        // Examples on a saved HTML page are written with entities.
        let page = page
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let on_page = json_on_page(&page);
        let spec = integration_tests::spec_file(&format!("{name}/{operation}.yaml"));
        let op = integration_tests::only_operation(&spec);
        // Each media type with the object above it that may name a source too.
        let body = &op["requestBody"];
        let mut media = vec![("request", body, &body["content"]["application/json"])];
        if let Some(responses) = op["responses"].as_object() {
            for (status, response) in responses {
                if status.starts_with('2') {
                    media.push((
                        "response",
                        response,
                        &response["content"]["application/json"],
                    ));
                }
            }
        }
        for (kind, parent, media) in media {
            let example = &media["example"];
            let sourced = [media, parent, op]
                .iter()
                .any(|v| v.get("x-source").is_some());
            if example.is_null() || sourced {
                continue;
            }
            assert!(
                on_page.contains(example),
                "the {kind} example of specs/{name}/{operation}.yaml is not on its page \
                     pages/{}: {example}",
                page_entry.file()
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no example was found in specs/");
}
