//! HTTP Digest through the generated OceanBase Cloud client, against the strict loopback
//! server: round trips per call, concurrency, stale nonces, refused credentials, and no secret
//! in Debug or tracing output.
#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failure with a message.

use std::{
    fmt::{self, Write as _},
    sync::{Arc, Mutex},
    time::Duration,
};

use cloud_sdk_runtime::{
    Runtime,
    digest::DigestAuth,
    oceanbase::{self, Credentials},
};
use integration_tests::digest_server::{
    Config, DigestAlgorithm, DigestServer, NcCheck, ServerQop, Stats,
};
use md5::{Digest as _, Md5};
use oceanbase_cloud::{
    Client,
    types::{AddPrivatelinkServiceUserBody, Envelope},
};

const AK: &str = "AKID-test-3f9a61";
const SK: &str = "SK-test-secret-7c1e55";
const PROJECT: &str = "project-42";
const BOTH: [DigestAlgorithm; 2] = [DigestAlgorithm::Md5, DigestAlgorithm::Sha256];

#[derive(Debug, Clone, Copy)]
enum Op {
    Connect,
    AddUser,
}
const OPS: [Op; 2] = [Op::Connect, Op::AddUser];

fn config(algorithm: DigestAlgorithm) -> Config {
    Config {
        algorithms: vec![algorithm],
        ..Config::new(AK, SK)
    }
}

async fn start(config: Config) -> DigestServer {
    DigestServer::start(config).await.unwrap()
}

fn runtime(secret: &str) -> Runtime {
    oceanbase::runtime_builder(&Client::API, Credentials::new(AK, secret), PROJECT)
        .unwrap()
        .allow_insecure_http(true)
        .build()
        .unwrap()
}

fn client(server: &DigestServer) -> Client {
    Client::new(&server.base_url(), runtime(SK))
}

async fn call(client: &Client, op: Op) -> Result<Envelope, String> {
    let result = match op {
        Op::Connect => {
            client
                .connect_privatelink_service()
                .instance_id("ob317v4uif")
                .tenant_id("t33h8y08k")
                .body(integration_tests::examples::connect_body())
                .call()
                .await
        }
        Op::AddUser => {
            client
                .add_privatelink_service_user()
                .instance_id("ob317v4uif")
                .tenant_id("t33h8y08k")
                .body(
                    AddPrivatelinkServiceUserBody::builder()
                        .address_id("rs-private-1")
                        .user_account("user123"),
                )
                .call()
                .await
        }
    };
    result.map(|r| r.into_inner()).map_err(|e| e.to_string())
}

fn assert_no_body_sent_unauthenticated(stats: &Stats) {
    assert_eq!(stats.unauthenticated_with_body, 0, "{stats:?}");
    assert_eq!(stats.non_digest, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_calls_cost_one_request_each_after_the_first() {
    const N: u64 = 20;
    for algorithm in BOTH {
        for op in OPS {
            let server = start(config(algorithm)).await;
            let client = client(&server);
            for _ in 0..N {
                let envelope = call(&client, op).await.unwrap();
                assert_eq!(envelope.success.map(|s| s.get()), Some(true));
            }
            let stats = server.stats();
            assert_eq!(stats.requests, N + 1, "{algorithm:?} {op:?}: {stats:?}");
            assert_eq!((stats.unauthenticated, stats.accepted), (1, N), "{stats:?}");
            assert_no_body_sent_unauthenticated(&stats);
            let records = server.requests();
            assert!(
                records
                    .iter()
                    .skip(1)
                    .all(|r| r.algorithm == Some(algorithm))
            );
            // The probe is the same request without its body.
            assert_eq!(
                (records[0].method.as_str(), records[0].body_len),
                ("POST", 0)
            );
            assert!(records[1].body_len > 0);
        }
    }
}

/// Runs 16 tasks × 50 calls (alternating both operations) on one client; all must succeed.
async fn sixteen_by_fifty(server: &DigestServer) {
    let client = Arc::new(client(server));
    let tasks: Vec<_> = (0..16)
        .map(|t| {
            let client = client.clone();
            tokio::spawn(async move {
                for i in 0..50 {
                    let op = OPS[(t + i) % 2];
                    call(&client, op)
                        .await
                        .unwrap_or_else(|e| panic!("task {t} call {i}: {e}"));
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_share_one_nonce_and_never_reuse_a_count() {
    for algorithm in BOTH {
        let server = start(config(algorithm)).await;
        sixteen_by_fifty(&server).await;
        let stats = server.stats();
        assert_eq!(stats.accepted, 800, "{stats:?}");
        // At most 1% extra requests; a reused or duplicated count would show as a refusal.
        assert!(stats.requests <= 808, "{algorithm:?}: {stats:?}");
        assert_eq!(stats.rejected, 0, "{stats:?}");
        assert_no_body_sent_unauthenticated(&stats);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_order_server_costs_at_most_one_extra_request_per_task() {
    for algorithm in BOTH {
        let server = start(Config {
            nc_check: NcCheck::Increasing,
            ..config(algorithm)
        })
        .await;
        sixteen_by_fifty(&server).await;
        let stats = server.stats();
        assert_eq!(stats.accepted, 800, "{stats:?}");
        // The first challenge (as for sequential calls) plus at most one per task.
        assert!(stats.requests <= 800 + 1 + 16, "{algorithm:?}: {stats:?}");
        assert_no_body_sent_unauthenticated(&stats);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overtaken_request_is_signed_again_with_a_nonce_of_its_own() {
    // The server holds the request with count 1 until count 2 has been accepted.
    let server = start(Config {
        nc_check: NcCheck::Increasing,
        hold_first_count: true,
        ..Config::new(AK, SK)
    })
    .await;
    let client = client(&server);
    let (a, b) = tokio::join!(call(&client, Op::Connect), call(&client, Op::AddUser));
    a.unwrap();
    b.unwrap();
    let stats = server.stats();
    // Probe, two signed requests, one refused and signed again.
    assert_eq!(
        (stats.requests, stats.rejected, stats.accepted),
        (4, 1, 2),
        "{stats:?}"
    );
    for _ in 0..3 {
        call(&client, Op::Connect).await.unwrap();
    }
    assert_eq!(server.stats().requests, 7);
    // In this mode too, a pooled nonce the server forgot is replaced by one resend.
    server.forget_nonces();
    call(&client, Op::Connect).await.unwrap();
    call(&client, Op::Connect).await.unwrap();
    assert_eq!(server.stats().requests, 10, "{:?}", server.stats());
    assert_no_body_sent_unauthenticated(&server.stats());

    // A server that only forbids reuse accepts the overtaken request as it is.
    let server = start(Config {
        hold_first_count: true,
        ..Config::new(AK, SK)
    })
    .await;
    let client = self::client(&server);
    let (a, b) = tokio::join!(call(&client, Op::Connect), call(&client, Op::AddUser));
    a.unwrap();
    b.unwrap();
    let stats = server.stats();
    assert_eq!((stats.requests, stats.rejected), (3, 0), "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nonce_called_stale_or_forgotten_costs_exactly_one_extra_request() {
    // A stale nonce, and a nonce an earlier call cached that the server no longer knows (a
    // restart, another node behind a load balancer: challenged again without `stale`), are
    // each answered by signing once more with the new nonce. With the default retry policy
    // and with retries off: the resend is authentication's own, not a retry.
    for forgotten in [false, true] {
        for (algorithm, retries_off) in BOTH.into_iter().flat_map(|a| [(a, false), (a, true)]) {
            for op in OPS {
                let what = format!("forgotten {forgotten}, {algorithm:?}, {op:?}");
                let server = start(config(algorithm)).await;
                let client = match retries_off {
                    false => client(&server),
                    true => client(&server).with_retry(cloud_sdk_runtime::RetryPolicy::off()),
                };
                call(&client, op).await.unwrap();
                assert_eq!(server.stats().requests, 2);
                if forgotten {
                    server.forget_nonces();
                } else {
                    server.mark_all_stale();
                }
                call(&client, op).await.unwrap();
                let stats = server.stats();
                assert_eq!(
                    (stats.requests, stats.stale, stats.accepted),
                    (4, u64::from(!forgotten), 2),
                    "{what}: {stats:?}"
                );
                // The resend is the whole request, body included, signed with the new nonce.
                let records = server.requests();
                assert_eq!((records[2].status, records[3].status), (401, 200), "{what}");
                assert_eq!(records[3].body, records[2].body, "{what}");
                assert!(records[3].body_len > 0, "{what}");
                // The new nonce is cached: the next call is one request again.
                call(&client, op).await.unwrap();
                assert_eq!(server.stats().requests, 5, "{what}");
                assert_no_body_sent_unauthenticated(&server.stats());
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_with_a_forgotten_nonce_cost_one_extra_request_and_are_refused() {
    let server = start(config(DigestAlgorithm::Md5)).await;
    let bad = Client::new(&server.base_url(), runtime("not-the-secret"));
    call(&bad, Op::AddUser).await.unwrap_err();
    assert_eq!(server.stats().requests, 2);
    server.forget_nonces();
    let error = bad
        .connect_privatelink_service()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .body(integration_tests::examples::connect_body())
        .call()
        .await
        .unwrap_err();
    assert_eq!(
        error.kind(),
        cloud_sdk_runtime::ErrorKind::CredentialsRejected,
        "{error}"
    );
    let text = error.to_string();
    assert!(
        text.contains("rejected") && text.contains("OCEANBASE_ACCESS_KEY_SECRET"),
        "{text}"
    );
    // The forgotten nonce, then the new one: two signed requests, both refused.
    let stats = server.stats();
    assert_eq!(
        (stats.requests, stats.rejected, stats.unauthenticated),
        (4, 3, 1),
        "{stats:?}"
    );
    assert_no_body_sent_unauthenticated(&stats);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn realm_change_mid_session_is_answered_once_not_failed() {
    for op in OPS {
        let server = start(config(DigestAlgorithm::Sha256)).await;
        let client = client(&server);
        call(&client, op).await.unwrap();
        assert_eq!(server.stats().requests, 2);
        server.set_realm("moved@127.0.0.1");
        // Signed for the old realm, challenged for the new one, signed again: one extra request.
        call(&client, op).await.unwrap();
        assert_eq!(server.stats().requests, 4, "{:?}", server.stats());
        call(&client, op).await.unwrap();
        assert_eq!(server.stats().requests, 5);
        assert_no_body_sent_unauthenticated(&server.stats());
    }
    // A wrong secret is still refused after the one re-challenge for the new realm.
    let server = start(config(DigestAlgorithm::Md5)).await;
    let bad = Client::new(&server.base_url(), runtime("not-the-secret"));
    call(&bad, Op::Connect).await.unwrap_err();
    server.set_realm("moved@127.0.0.1");
    let error = call(&bad, Op::Connect).await.unwrap_err();
    assert!(
        error.contains("moved@127.0.0.1") && error.contains("rejected"),
        "{error}"
    );
    assert_eq!(server.stats().requests, 4);
}

/// The number of protection spaces `client`'s Digest cache holds, from its `Debug` output.
fn cached_protection_spaces(client: &Client) -> usize {
    let debug = format!("{:?}", client.runtime().authenticator());
    debug
        .split("cached_protection_spaces: ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {debug}"))
}

#[tokio::test]
async fn a_server_naming_a_new_realm_on_every_call_cannot_grow_the_cache_without_bound() {
    const CALLS: u64 = 40;
    let server = start(config(DigestAlgorithm::Sha256)).await;
    let client = client(&server);
    for i in 0..CALLS {
        server.set_realm(&format!("realm-{i}@127.0.0.1"));
        call(&client, Op::Connect).await.unwrap();
        let cached = cached_protection_spaces(&client);
        assert!(
            (1..=8).contains(&cached),
            "call {i}: {cached} spaces cached"
        );
    }
    // The first call probes; every later one is signed for the last realm, challenged for the
    // new one and signed again.
    assert_eq!(server.stats().requests, 2 * CALLS);
    // Once the realm stays, a call is one request again.
    call(&client, Op::Connect).await.unwrap();
    assert_eq!(server.stats().requests, 2 * CALLS + 1);
}

/// A server whose every answer is `401` with one `WWW-Authenticate` value of `params`
/// parameters (about 8.5 bytes each).
async fn flooding_server(params: usize) -> (String, tokio::task::JoinHandle<()>) {
    let list: Vec<String> = (0..params).map(|i| format!("p{i}=\"v\"")).collect();
    let value = format!("Digest realm=\"r\", nonce=\"n\", {}", list.join(", "));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(move || {
        let value = value.clone();
        async move {
            (
                http::StatusCode::UNAUTHORIZED,
                [(http::header::WWW_AUTHENTICATE, value)],
            )
        }
    });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

#[tokio::test]
async fn huge_challenge_header_fails_fast_with_the_cap_named() {
    // 20,000 parameters (170 KiB) took about 5 s of parsing per 401 before the caps, on the
    // runtime thread where the call's time limit could not stop it. Now the size alone decides.
    let (url, server) = flooding_server(20_000).await;
    let client = Client::new(&url, runtime(SK));
    let error = call(&client, Op::Connect).await.unwrap_err();
    assert!(
        error.contains("HeaderBytes") && error.contains("16384"),
        "{error}"
    );
    // Below the byte cap, too many parameters in one challenge is its own cap.
    server.abort();
    let (url, server) = flooding_server(200).await;
    let client = Client::new(&url, runtime(SK));
    let error = call(&client, Op::Connect).await.unwrap_err();
    assert!(error.contains("ParamsPerChallenge"), "{error}");
    server.abort();
}

/// A server that quotes the `Authorization` header it got in its error: the AccessKey ID in
/// it (the Digest username) is `***` in the error's text and `Debug`, as the AK of a Huawei
/// AK/SK signature is; the key-id policy shows a key id by its first characters at most.
#[tokio::test]
async fn an_access_key_id_the_server_echoes_is_not_in_the_error() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(|headers: http::HeaderMap| async move {
        let Some(sent) = headers.get(http::header::AUTHORIZATION) else {
            let challenge = r#"Digest realm="ob", nonce="n1", qop="auth", algorithm=MD5"#;
            return (
                http::StatusCode::UNAUTHORIZED,
                [(http::header::WWW_AUTHENTICATE, challenge)],
                String::new(),
            );
        };
        let body = serde_json::json!({
            "success": false,
            "errorCode": "E001",
            "errorMessage": format!("cannot parse {}", sent.to_str().unwrap_or_default()),
        });
        (
            http::StatusCode::BAD_REQUEST,
            [(http::header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
    });
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = Client::new(&url, runtime(SK));
    let error = client
        .connect_privatelink_service()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .body(integration_tests::examples::connect_body())
        .call()
        .await
        .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("username=\"***\""), "{text}");
    assert!(!text.contains(AK), "the AccessKey ID is in {text}");
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_fails_with_a_clear_error_after_exactly_two_requests() {
    for algorithm in BOTH {
        for op in OPS {
            let server = start(config(algorithm)).await;
            let client = Client::new(&server.base_url(), runtime("not-the-secret"));
            let error = call(&client, op).await.unwrap_err();
            assert_eq!(server.stats().requests, 2, "{error}");
            for needle in [
                "401",
                "rejected",
                "oceanbase-test@127.0.0.1",
                "OCEANBASE_ACCESS_KEY_SECRET",
            ] {
                assert!(error.contains(needle), "{needle:?} missing from: {error}");
            }
            assert!(
                !error.contains("not-the-secret") && !error.contains(AK),
                "{error}"
            );
            // The refusal's nonce is kept, so the next call probes no more; but it was cached by
            // an earlier call, so its refusal is answered once (the server may have forgotten
            // it), and the refusal of that resend fails the call the same way: two requests.
            assert!(call(&client, op).await.unwrap_err().contains("rejected"));
            assert_eq!(server.stats().requests, 4);
            assert_no_body_sent_unauthenticated(&server.stats());
        }
    }
}

#[tokio::test]
async fn strongest_digest_challenge_is_answered_and_basic_never() {
    for one_header in [false, true] {
        let server = start(Config {
            algorithms: vec![
                DigestAlgorithm::Md5,
                DigestAlgorithm::Sha512_256,
                DigestAlgorithm::Sha256,
            ],
            offer_basic: true,
            one_header,
            ..Config::new(AK, SK)
        })
        .await;
        let client = client(&server);
        call(&client, Op::Connect).await.unwrap();
        call(&client, Op::AddUser).await.unwrap();
        let records = server.requests();
        assert_eq!(records.len(), 3);
        assert!(
            records[1..]
                .iter()
                .all(|r| r.algorithm == Some(DigestAlgorithm::Sha512_256))
        );
        assert_no_body_sent_unauthenticated(&server.stats());
    }
}

#[tokio::test]
async fn server_offering_only_basic_gets_no_credentials() {
    let server = start(Config {
        algorithms: vec![],
        offer_basic: true,
        ..Config::new(AK, SK)
    })
    .await;
    let error = call(&client(&server), Op::Connect).await.unwrap_err();
    assert!(
        error.contains("Basic") && error.contains("not sent"),
        "{error}"
    );
    let stats = server.stats();
    assert_eq!((stats.requests, stats.unauthenticated), (1, 1), "{stats:?}");
    assert_no_body_sent_unauthenticated(&stats);
}

#[tokio::test]
async fn plain_http_to_another_machine_is_refused() {
    // `.invalid` never resolves: a client that failed to refuse would fail to connect, and
    // nothing leaves this machine either way.
    let runtime = oceanbase::runtime(&Client::API, Credentials::new(AK, SK), PROJECT).unwrap();
    let client = Client::new("http://oceanbase-test.invalid:8080", runtime);
    let error = call(&client, Op::Connect).await.unwrap_err();
    assert!(
        error.contains("refusing") && error.contains("https://"),
        "{error}"
    );
}

#[tokio::test]
async fn plain_http_to_a_loopback_address_is_allowed() {
    let server = start(Config::new(AK, SK)).await;
    let runtime = oceanbase::runtime(&Client::API, Credentials::new(AK, SK), PROJECT).unwrap();
    let client = Client::new(&server.base_url(), runtime);
    call(&client, Op::Connect).await.unwrap();
    assert!(server.stats().requests > 0);
}

#[tokio::test]
async fn request_id_is_generated_and_project_id_overridable_per_call() {
    let server = start(Config::new(AK, SK)).await;
    let client = client(&server);
    let envelope = call(&client, Op::Connect).await.unwrap();
    let generated = envelope.request_id.unwrap();
    assert_eq!(generated.len(), 36, "a hyphenated UUID: {generated}");
    let reply = client
        .add_privatelink_service_user()
        .instance_id("i")
        .tenant_id("t")
        .request_id("my-request-1")
        .x_ob_project_id("project-7")
        .body(
            AddPrivatelinkServiceUserBody::builder()
                .address_id("a")
                .user_account("u"),
        )
        .call()
        .await
        .unwrap();
    assert_eq!(
        reply.into_inner().request_id.as_deref(),
        Some("my-request-1")
    );
    let records = server.requests();
    assert_eq!(records.len(), 3);
    assert!(
        records[1]
            .target
            .contains(&format!("requestId={generated}"))
    );
    assert_eq!(records[1].project_id.as_deref(), Some(PROJECT));
    assert!(
        records[2]
            .target
            .ends_with("/privatelink/user?requestId=my-request-1"),
        "{}",
        records[2].target
    );
    assert_eq!(records[2].project_id.as_deref(), Some("project-7"));
}

#[tokio::test]
async fn other_algorithms_and_auth_int_work_end_to_end() {
    for (algorithm, qop) in [
        (DigestAlgorithm::Sha512_256, ServerQop::Auth),
        (DigestAlgorithm::Md5Sess, ServerQop::Auth),
        (DigestAlgorithm::Sha256, ServerQop::AuthInt),
        (DigestAlgorithm::Md5, ServerQop::AuthInt),
    ] {
        let server = start(Config {
            qop,
            ..config(algorithm)
        })
        .await;
        let client = client(&server);
        for op in OPS {
            call(&client, op)
                .await
                .unwrap_or_else(|e| panic!("{algorithm:?} {qop:?}: {e}"));
        }
        assert_eq!(server.stats().requests, 3);
    }
}

#[tokio::test]
async fn nonces_older_than_the_max_age_are_replaced_before_use() {
    let server = start(Config::new(AK, SK)).await;
    let clock = cloud_sdk_runtime::clock::ManualClock::new(std::time::SystemTime::now());
    let auth = Credentials::new(AK, SK)
        .into_authenticator()
        .with_max_nonce_age(Duration::from_secs(60))
        .with_clock(clock.clone());
    let runtime = Runtime::builder(auth)
        .allow_insecure_http(true)
        .default_query_uuid("requestId")
        .build()
        .unwrap();
    let client = Client::new(&server.base_url(), runtime);
    call(&client, Op::Connect).await.unwrap();
    call(&client, Op::Connect).await.unwrap();
    assert_eq!(server.stats().requests, 3);
    clock.advance(Duration::from_secs(61));
    call(&client, Op::Connect).await.unwrap();
    let stats = server.stats();
    assert_eq!((stats.requests, stats.unauthenticated), (5, 2), "{stats:?}");
}

/// Strings that must never appear in Debug or log output: the key pair, HA1 and every
/// Authorization value (and its response digest) the server received.
fn secrets(server: &DigestServer) -> Vec<String> {
    let realm = Config::new(AK, SK).realm;
    let ha1 = hex::encode(Md5::digest(format!("{AK}:{realm}:{SK}")));
    let mut out = vec![AK.to_owned(), SK.to_owned(), ha1];
    for r in server.requests() {
        if let Some(auth) = r.authorization {
            let response = auth
                .split("response=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap();
            out.push(response.to_owned());
            out.push(auth);
        }
    }
    out
}

#[tokio::test]
async fn debug_output_never_shows_credentials() {
    let server = start(Config::new(AK, SK)).await;
    let runtime = runtime(SK);
    let client = Client::new(&server.base_url(), runtime.clone());
    call(&client, Op::Connect).await.unwrap();
    call(&client, Op::AddUser).await.unwrap();
    let auth = Credentials::new(AK, SK).into_authenticator();
    let debug = format!(
        "{:?} {runtime:?} {client:?} {auth:?} {:?} {:?}",
        Credentials::new(AK, SK),
        runtime.authenticator(),
        cloud_sdk_runtime::digest::Credentials::new(AK, SK),
    );
    let secrets = secrets(&server);
    assert!(secrets.len() >= 5);
    for s in secrets {
        assert!(!debug.contains(&s), "{s:?} appears in {debug}");
    }
    assert!(debug.contains("***"));
}

/// Collects every event and span field, at every level, as text.
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        span.record(&mut Fields(&mut self.0.lock().unwrap()));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = self.0.lock().unwrap();
        let _ = write!(
            text,
            "\n{} {}: ",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut text));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn tracing_output_never_shows_credentials() {
    let log = Arc::new(Mutex::new(String::new()));
    // The default (current-thread) test runtime runs client and server on this thread.
    // tracing caches per callsite whether anyone listens. With a single scoped subscriber, a
    // callsite first hit on another test's thread would be cached as unheard for good; a
    // second live dispatcher makes tracing ask every registered subscriber instead.
    let _second = tracing::Dispatch::new(Capture(Arc::default()));
    let _guard = tracing::subscriber::set_default(Capture(log.clone()));
    let server = start(Config::new(AK, SK)).await;
    let client = client(&server);
    call(&client, Op::Connect).await.unwrap();
    server.mark_all_stale();
    call(&client, Op::AddUser).await.unwrap();
    let wrong = Client::new(&server.base_url(), runtime("not-the-secret"));
    call(&wrong, Op::Connect).await.unwrap_err();
    let log = log.lock().unwrap().clone();
    assert!(
        log.contains("digest: challenge received") && log.contains("stale"),
        "{log}"
    );
    let mut secrets = secrets(&server);
    secrets.push("not-the-secret".to_owned());
    for s in secrets {
        assert!(!log.contains(&s), "{s:?} appears in the log:{log}");
    }
}

#[tokio::test]
async fn digest_auth_works_with_a_plain_reqwest_client_through_the_runtime() {
    let server = start(Config::new(AK, SK)).await;
    let runtime = Runtime::builder(DigestAuth::new(
        cloud_sdk_runtime::digest::Credentials::new(AK, SK),
    ))
    .allow_insecure_http(true)
    .build()
    .unwrap();
    let http = reqwest::Client::new();
    for _ in 0..3 {
        let mut request = http
            .put(format!("{}/any/path?x=1&y=%20z", server.base_url()))
            .body("plain body")
            .build()
            .unwrap();
        let record = cloud_sdk_runtime::CallRecord::default();
        runtime
            .pre::<()>(&mut request, "put_any", "test/0", &[], &[], &record)
            .await
            .unwrap();
        let result = runtime.exec(request, "put_any", &record).await;
        assert_eq!(result.unwrap().status(), 200);
    }
    let stats = server.stats();
    assert_eq!((stats.requests, stats.accepted), (4, 3), "{stats:?}");
    assert_no_body_sent_unauthenticated(&stats);
}

#[tokio::test]
async fn a_streamed_body_is_not_sent_again_when_a_forgotten_nonce_is_refused() {
    let server = start(Config::new(AK, SK)).await;
    let runtime = Runtime::builder(DigestAuth::new(
        cloud_sdk_runtime::digest::Credentials::new(AK, SK),
    ))
    .allow_insecure_http(true)
    .build()
    .unwrap();
    let url = format!("{}/any/path", server.base_url());
    let send = |body: reqwest::Body| {
        let runtime = runtime.clone();
        let mut request = reqwest::Client::new().put(&url).build().unwrap();
        *request.body_mut() = Some(body);
        async move {
            let record = cloud_sdk_runtime::CallRecord::default();
            runtime
                .pre::<()>(&mut request, "put_any", "test/0", &[], &[], &record)
                .await
                .unwrap();
            runtime.exec(request, "put_any", &record).await
        }
    };
    assert_eq!(send("in memory".into()).await.unwrap().status(), 200);
    server.forget_nonces();
    // A `String` wrapped as an HTTP body is a stream to reqwest: it has no copy to resend.
    let e = send(reqwest::Body::wrap("streamed".to_owned()))
        .await
        .unwrap_err();
    let text = format!("{e:?}");
    assert!(
        text.contains("CredentialsRejected") && text.contains("forgot"),
        "{text}"
    );
    let stats = server.stats();
    assert_eq!((stats.requests, stats.rejected), (3, 1), "{stats:?}");
    // The refusal's nonce is kept: the next call is one request.
    assert_eq!(send("in memory".into()).await.unwrap().status(), 200);
    assert_eq!(server.stats().requests, 4);
    assert_no_body_sent_unauthenticated(&server.stats());
}

#[tokio::test]
async fn exec_alone_refuses_to_send_credentials_over_plain_http_to_another_machine() {
    // A generated client checks the scheme in `pre`, but `exec` is public and may be called
    // alone (as above): it refuses too, before anything is sent.
    let runtime = Runtime::builder(DigestAuth::new(
        cloud_sdk_runtime::digest::Credentials::new(AK, SK),
    ))
    .build()
    .unwrap();
    let request = reqwest::Client::new()
        .get("http://api.example.invalid/any")
        .build()
        .unwrap();
    let record = cloud_sdk_runtime::CallRecord::default();
    let e = runtime.exec(request, "get_any", &record).await.unwrap_err();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    let mut kind = None;
    while let Some(s) = source {
        if let Some(typed) = s.downcast_ref::<cloud_sdk_runtime::Error>() {
            kind = Some(typed.kind());
        }
        source = s.source();
    }
    assert_eq!(
        kind,
        Some(cloud_sdk_runtime::ErrorKind::InsecureUrl),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_realm_of_any_length_is_quoted_cut() {
    // The realm is the server's text: quoted in a refusal, it is cut as a vendor's message is.
    let realm = "r".repeat(8000);
    let mut config = config(DigestAlgorithm::Md5);
    config.realm = realm.clone();
    let server = start(config).await;
    let bad = Client::new(&server.base_url(), runtime("not-the-secret"));
    let error = call(&bad, Op::Connect).await.unwrap_err();
    assert!(error.contains("rrrr"), "{error}");
    assert!(error.len() < 2000, "{} characters", error.len());
}
