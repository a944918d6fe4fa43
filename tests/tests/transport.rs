//! The runtime's transport policy through the generated clients, over loopback: redirects
//! never carry credentials or bodies to another origin, response bodies are bounded, one
//! deadline spans every attempt, path values cannot leave their segment, and every failure
//! arrives as a typed error with what the server answered.
#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failure with a message.

use std::time::{Duration, Instant};

use cloud_sdk_runtime::{
    ApiError, ClientParts, ErrorKind, NoAuth, RetryPolicy, Runtime, RuntimeBuilder, ServiceError,
    huawei::{
        AkSkAuth, AkSkCredentials, HuaweiError, IamPassword, IamPasswordProvider, ManualClock,
        ProjectScope, TokenAuth, TokenCache,
    },
    oceanbase::{self, Credentials},
};
use integration_tests::{
    digest_server::{Config, DigestServer},
    huawei_server::{AuthOutcome, HuaweiServer, IamUser},
    raw_server::{Body, RawRequest, RawServer, Reply},
};

const PROJECT: &str = "052041494800d57c2f02c00275b4c247";
const CLUSTER: &str = "5c77b71c-5b35-4f50-8984-76387e42451a";
const INSTANCE: &str = "bcfa975193f1402fa11a6d4fd6baf5fbin01";
const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "sk-very-secret-0000000000000000000000001";
const SECURITY_TOKEN: &str = "security-token-secret-77";
const STATIC_TOKEN: &str = "MIIT-static-token-secret-55";
const IAM_PASSWORD: &str = "iam-password-secret";
const DB_PASSWORD: &str = "Gauss-db-password-5521";
const OB_AK: &str = "AKID-test-3f9a61";
const OB_SK: &str = "SK-test-secret-7c1e55";
const MIB: u64 = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Helpers

/// How a Huawei client authenticates.
#[derive(Debug, Clone, Copy)]
enum Cred {
    StaticToken,
    IamToken,
    AkSkSigned,
}

const HUAWEI_CREDS: [Cred; 3] = [Cred::StaticToken, Cred::IamToken, Cred::AkSkSigned];

fn iam_provider(iam_base_url: &str, password: &str) -> IamPasswordProvider {
    let password = IamPassword::new("alice", password, "acme", ProjectScope::Id(PROJECT.into()));
    IamPasswordProvider::new(iam_base_url, password).unwrap()
}

/// A runtime for `cred`, plain http allowed (the one switch covers IAM too); `iam` is the IAM
/// stand-in for [`Cred::IamToken`].
fn huawei_builder(cred: Cred, iam: &HuaweiServer) -> RuntimeBuilder {
    match cred {
        Cred::StaticToken => Runtime::builder(TokenAuth::static_token(STATIC_TOKEN).unwrap()),
        Cred::IamToken => Runtime::builder(TokenAuth::from_provider(iam_provider(
            &iam.base_url(),
            IAM_PASSWORD,
        ))),
        Cred::AkSkSigned => Runtime::builder(AkSkAuth::new(
            AkSkCredentials::new(AK, SK)
                .unwrap()
                .with_project_id(PROJECT)
                .unwrap()
                .with_security_token(SECURITY_TOKEN)
                .unwrap(),
        )),
    }
    .allow_insecure_http(true)
}

/// A Huawei stand-in whose IAM issues tokens to alice and that accepts the static token and
/// the AK/SK pair.
async fn huawei_server() -> HuaweiServer {
    let server = HuaweiServer::start().await.unwrap();
    server.set_iam_user(IamUser {
        name: "alice".into(),
        password: IAM_PASSWORD.into(),
        domain: "acme".into(),
    });
    server.accept_token(STATIC_TOKEN);
    server.add_access_key(AK, SK);
    server
}

fn css(base_url: &str, runtime: Runtime) -> huaweicloud_css::Client {
    huaweicloud_css::Client::new(base_url, runtime)
}

fn no_auth() -> RuntimeBuilder {
    Runtime::builder(NoAuth)
}

async fn show_vpcep(
    client: &huaweicloud_css::Client,
    cluster_id: &str,
) -> Result<
    cloud_sdk_runtime::Output<huaweicloud_css::types::ShowVpcepConnectionResponse>,
    ApiError<HuaweiError>,
> {
    client
        .show_vpcep_connection()
        .project_id(PROJECT)
        .cluster_id(cluster_id)
        .call()
        .await
}

async fn create_das_connection(
    client: &huaweicloud_das::Client,
) -> Result<
    cloud_sdk_runtime::Output<huaweicloud_das::types::CreateInstanceConnectionResponse>,
    ApiError<HuaweiError>,
> {
    client
        .create_instance_connection()
        .project_id(PROJECT)
        .instance_id(INSTANCE)
        .body(integration_tests::examples::das_body(DB_PASSWORD))
        .call()
        .await
}

fn ob_runtime(secret: &str) -> RuntimeBuilder {
    oceanbase::runtime_builder(
        &oceanbase_cloud::Client::API,
        Credentials::new(OB_AK, secret),
        "project-42",
    )
    .unwrap()
    .allow_insecure_http(true)
}

async fn ob_connect(
    client: &oceanbase_cloud::Client,
) -> Result<
    cloud_sdk_runtime::Output<oceanbase_cloud::types::Envelope>,
    ApiError<oceanbase_cloud::types::Envelope>,
> {
    client
        .connect_privatelink_service()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .body(integration_tests::examples::connect_body())
        .call()
        .await
}

/// What every failure must show: its kind, the operation named once, in the vendor's spelling,
/// at the start of `Display`, and a cause in `source()` when one exists.
fn check_error<E: ServiceError>(
    e: &ApiError<E>,
    operation: &str,
    snake: &str,
    kind: ErrorKind,
    has_cause: bool,
) {
    let text = e.to_string();
    assert_eq!(e.kind(), kind, "{text}");
    assert_eq!(e.operation(), operation);
    assert!(text.starts_with(&format!("{operation}: ")), "{text}");
    assert_eq!(text.matches(operation).count(), 1, "{text}");
    assert!(!text.contains(snake), "{text}");
    assert_eq!(
        std::error::Error::source(e).is_some(),
        has_cause,
        "source() of {kind:?}: {text}"
    );
}

fn check_css<E: ServiceError>(e: &ApiError<E>, kind: ErrorKind, has_cause: bool) {
    check_error(
        e,
        "ShowVpcepConnection",
        "show_vpcep_connection",
        kind,
        has_cause,
    );
}

/// A port with nothing listening on it.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

// ---------------------------------------------------------------------------------------------
// 1. Redirects

const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

fn redirect(status: u16, location: &str) -> Reply {
    Reply::json(status, "{}").header("location", location)
}

/// The `Location`s a hostile or misconfigured server could name on the other origin, and the
/// origin the error must name for each: by address, by another host name, and
/// scheme-relative.
fn elsewhere(other: &RawServer, path: &str) -> Vec<(String, String)> {
    let port = other.port();
    vec![
        (
            format!("http://127.0.0.1:{port}{path}"),
            format!("http://127.0.0.1:{port}"),
        ),
        (
            format!("http://localhost:{port}{path}"),
            format!("http://localhost:{port}"),
        ),
        (
            format!("//127.0.0.1:{port}{path}"),
            format!("http://127.0.0.1:{port}"),
        ),
    ]
}

fn check_redirect_refused<E: ServiceError>(
    e: &ApiError<E>,
    operation: &str,
    snake: &str,
    status: u16,
    origin: &str,
) {
    check_error(e, operation, snake, ErrorKind::RedirectRefused, true);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{e}");
    assert!(e.to_string().contains(&format!("to {origin};")), "{e}");
}

#[tokio::test]
async fn huawei_credentials_and_the_das_password_never_follow_a_redirect() {
    let iam = huawei_server().await;
    let other = RawServer::bystander().await.unwrap();
    for cred in HUAWEI_CREDS {
        for status in REDIRECTS {
            for (location, origin) in elsewhere(&other, "/steal") {
                let loc = location.clone();
                let server = RawServer::start(move |_, _| redirect(status, &loc))
                    .await
                    .unwrap();
                let runtime = huawei_builder(cred, &iam).build().unwrap();
                let base = server.base_url();
                let what = format!("{cred:?} {status} {location}");

                let e = show_vpcep(&css(&base, runtime.clone()), CLUSTER)
                    .await
                    .unwrap_err();
                check_redirect_refused(
                    &e,
                    "ShowVpcepConnection",
                    "show_vpcep_connection",
                    status,
                    &origin,
                );
                let das = huaweicloud_das::Client::new(&base, runtime);
                let e = create_das_connection(&das).await.unwrap_err();
                check_redirect_refused(
                    &e,
                    "CreateInstanceConnection",
                    "create_instance_connection",
                    status,
                    &origin,
                );

                // The configured origin got each call once (a redirect is not retried), with
                // credentials, and the DAS body with its password: all of it was there to leak.
                let seen = server.requests();
                assert_eq!(seen.len(), 2, "{what}");
                for r in &seen {
                    let credential = match cred {
                        Cred::StaticToken => r.header("x-auth-token") == Some(STATIC_TOKEN),
                        Cred::IamToken => r.header("x-auth-token").is_some(),
                        Cred::AkSkSigned => {
                            r.header("x-security-token") == Some(SECURITY_TOKEN)
                                && r.header("authorization").is_some()
                        }
                    };
                    assert!(credential, "{what}: {r:?}");
                }
                assert!(
                    String::from_utf8_lossy(&seen[1].body).contains(DB_PASSWORD),
                    "{what}"
                );
                assert_eq!(
                    other.connections(),
                    0,
                    "{what}: the other origin was reached"
                );
            }
        }
    }
    assert!(other.requests().is_empty());
}

#[tokio::test]
async fn a_redirected_iam_token_request_sends_the_password_nowhere_else() {
    let other = RawServer::bystander().await.unwrap();
    let service = RawServer::bystander().await.unwrap();
    for status in REDIRECTS {
        for (location, _) in elsewhere(&other, "/v3/auth/tokens") {
            let loc = location.clone();
            let iam = RawServer::start(move |_, _| redirect(status, &loc))
                .await
                .unwrap();
            let provider = iam_provider(&iam.base_url(), IAM_PASSWORD);
            let runtime = Runtime::builder(TokenAuth::from_provider(provider))
                .allow_insecure_http(true)
                .build()
                .unwrap();
            let e = show_vpcep(&css(&service.base_url(), runtime), CLUSTER)
                .await
                .unwrap_err();
            let what = format!("{status} {location}: {e}");
            // The token endpoint's redirect is not followed: the call fails without a token.
            assert!(e.kind() == ErrorKind::RedirectRefused, "{what}");
            assert!(e.to_string().contains(&format!("HTTP {status}")), "{what}");
            let posts = iam.requests();
            assert_eq!(posts.len(), 1, "{what}");
            assert!(String::from_utf8_lossy(&posts[0].body).contains(IAM_PASSWORD));
            assert_eq!(other.connections(), 0, "{what}: the password left");
            assert_eq!(service.connections(), 0, "{what}: sent without a token");
        }
    }
}

/// A redirect from the IAM token endpoint: the same typed error as from a service, naming where
/// IAM redirected to.
#[tokio::test]
async fn a_redirected_iam_token_request_is_reported_as_a_refused_redirect() {
    let other = RawServer::bystander().await.unwrap();
    let service = RawServer::bystander().await.unwrap();
    let location = format!("http://127.0.0.1:{}/v3/auth/tokens", other.port());
    let iam = RawServer::start(move |_, _| redirect(307, &location))
        .await
        .unwrap();
    let provider = iam_provider(&iam.base_url(), IAM_PASSWORD);
    let runtime = Runtime::builder(TokenAuth::from_provider(provider))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let e = show_vpcep(&css(&service.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    check_css(&e, ErrorKind::RedirectRefused, true);
    assert!(
        e.to_string()
            .contains(&format!("to http://127.0.0.1:{}", other.port())),
        "{e}"
    );
}

/// A Digest server that challenges, then redirects the signed request.
fn challenge_then_redirect(status: u16, location: String) -> impl Fn(&RawRequest, usize) -> Reply {
    move |r, _| match r.header("authorization") {
        None => digest_challenge(),
        Some(_) => redirect(status, &location),
    }
}

/// A 401 with a Digest challenge (any response to it is accepted by the raw server).
fn digest_challenge() -> Reply {
    Reply::json(401, "{}").header(
        "www-authenticate",
        r#"Digest realm="ob@raw", qop="auth", nonce="n0nce-1", opaque="op", algorithm=MD5"#,
    )
}

#[tokio::test]
async fn digest_requests_never_follow_a_redirect() {
    let other = RawServer::bystander().await.unwrap();
    for status in REDIRECTS {
        for (location, origin) in elsewhere(&other, "/api/v2/steal") {
            let what = format!("{status} {location}");
            // The signed request (with its body) is redirected.
            let server = RawServer::start(challenge_then_redirect(status, location.clone()))
                .await
                .unwrap();
            let client = oceanbase_cloud::Client::new(
                &server.base_url(),
                ob_runtime(OB_SK).build().unwrap(),
            );
            for round in 0..2 {
                let e = ob_connect(&client).await.unwrap_err();
                check_redirect_refused(
                    &e,
                    "ConnectPrivatelinkService",
                    "connect_privatelink_service",
                    status,
                    &origin,
                );
                assert!(e.client_request_id().is_some(), "{what}");
                // The second call is signed with the first call's challenge: only one probe.
                let seen = server.requests();
                assert_eq!(seen.len(), 2 + round, "{what}: {seen:?}");
            }
            let seen = server.requests();
            assert!(seen[0].body.is_empty() && seen[0].header("authorization").is_none());
            assert!(seen[1..].iter().all(|r| {
                r.header("authorization")
                    .is_some_and(|a| a.starts_with("Digest "))
                    && !r.body.is_empty()
            }));

            // The unauthenticated probe itself is redirected.
            let loc = location.clone();
            let server = RawServer::start(move |_, _| redirect(status, &loc))
                .await
                .unwrap();
            let client = oceanbase_cloud::Client::new(
                &server.base_url(),
                ob_runtime(OB_SK).build().unwrap(),
            );
            let e = ob_connect(&client).await.unwrap_err();
            check_redirect_refused(
                &e,
                "ConnectPrivatelinkService",
                "connect_privatelink_service",
                status,
                &origin,
            );
            let seen = server.requests();
            assert_eq!(seen.len(), 1, "{what}");
            assert!(seen[0].body.is_empty(), "{what}: the probe carries no body");
            assert_eq!(
                other.connections(),
                0,
                "{what}: the other origin was reached"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Response size limit

#[tokio::test]
async fn a_content_length_over_the_limit_is_refused_before_the_body_is_read() {
    // 64 MiB announced, sent at 3.2 MiB/s: reading it would take 20 s.
    let server = RawServer::start(|_, _| {
        Reply::streamed(
            200,
            Body::Announced {
                length: 64 * MIB,
                send: 64 * MIB,
                chunk: 64 * 1024,
                every: Duration::from_millis(20),
            },
        )
        .header("x-request-id", "req-large")
    })
    .await
    .unwrap();
    let runtime = no_auth().max_response_bytes(MIB).build().unwrap();
    let started = Instant::now();
    let e = show_vpcep(&css(&server.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    check_css(&e, ErrorKind::ResponseTooLarge, true);
    assert!(e.to_string().contains("1048576 bytes"), "{e}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(e.request_id(), Some("req-large"));
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    // The client hung up instead of reading: the server's writes start failing.
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.disconnects() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.disconnects(), 1);
    assert!(
        server.body_bytes_sent() < 16 * MIB,
        "{}",
        server.body_bytes_sent()
    );
    assert_eq!(server.requests().len(), 1, "not retried");

    // The default limit (16 MiB) holds as well.
    let server = RawServer::start(|_, _| {
        Reply::streamed(
            200,
            Body::Announced {
                length: 16 * MIB + 1,
                send: 0,
                chunk: 1,
                every: Duration::ZERO,
            },
        )
    })
    .await
    .unwrap();
    let e = show_vpcep(
        &css(&server.base_url(), no_auth().build().unwrap()),
        CLUSTER,
    )
    .await
    .unwrap_err();
    check_css(&e, ErrorKind::ResponseTooLarge, true);
    assert!(e.to_string().contains("16777216 bytes"), "{e}");
}

#[tokio::test]
async fn a_streamed_body_is_cut_at_the_limit() {
    let chunked = |total: u64| {
        move |_: &RawRequest, _: usize| {
            Reply::streamed(
                200,
                Body::Chunked {
                    chunk: 64 * 1024,
                    every: Duration::ZERO,
                    total: Some(total),
                },
            )
            .header("x-request-id", "req-stream")
        }
    };
    let server = RawServer::start(chunked(8 * MIB)).await.unwrap();
    let runtime = no_auth().max_response_bytes(MIB).build().unwrap();
    let e = show_vpcep(&css(&server.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    check_css(&e, ErrorKind::ResponseTooLarge, true);
    assert!(e.to_string().contains("1048576 bytes"), "{e}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200), "{e}");
    assert_eq!(e.request_id(), Some("req-stream"), "{e}");

    // Exactly at the limit the body is read whole (and then is not JSON): no off-by-one.
    let server = RawServer::start(chunked(MIB)).await.unwrap();
    let runtime = no_auth().max_response_bytes(MIB).build().unwrap();
    let e = show_vpcep(&css(&server.base_url(), runtime.clone()), CLUSTER)
        .await
        .unwrap_err();
    check_css(&e, ErrorKind::InvalidResponse, true);
    let server = RawServer::start(chunked(MIB + 1)).await.unwrap();
    let e = show_vpcep(&css(&server.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    check_css(&e, ErrorKind::ResponseTooLarge, true);
}

/// A 401 carrying `challenge` and a body sent as `body` says, after which the server closes
/// the connection (and says so: a client that reads the body whole then opens a new one).
fn challenge_with_body(challenge: &str, body: Body) -> Reply {
    Reply::streamed(401, body)
        .header("www-authenticate", challenge)
        .header("connection", "close")
}

#[tokio::test]
async fn a_digest_challenges_body_is_dropped_at_the_size_limit_and_the_call_goes_on() {
    const CHALLENGE: &str =
        r#"Digest realm="ob@raw", qop="auth", nonce="n0nce-1", opaque="op", algorithm=MD5"#;
    const STALE: &str = r#"Digest realm="ob@raw", qop="auth", nonce="n0nce-2", opaque="op", algorithm=MD5, stale=true"#;
    const LARGE: u64 = 4 * MIB;
    // Paced, so that the server is still writing when the client hangs up; with a length, and
    // chunked without one.
    let every = Duration::from_millis(5);
    let bodies = [
        Body::Announced {
            length: LARGE,
            send: LARGE,
            chunk: 64 * 1024,
            every,
        },
        Body::Chunked {
            chunk: 64 * 1024,
            every,
            total: Some(LARGE),
        },
    ];
    for body in bodies {
        // The large 401 answers the probe (request 0), or the signed request, as stale (1).
        for large in [0, 1] {
            let what = format!("{body:?} on request {large}");
            let large_body = body.clone();
            let server = RawServer::start(move |_, i| match i {
                0 if large == 0 => challenge_with_body(CHALLENGE, large_body.clone()),
                0 => digest_challenge(),
                1 if large == 1 => challenge_with_body(STALE, large_body.clone()),
                _ => Reply::json(200, r#"{"data":{},"requestId":"r","success":true}"#),
            })
            .await
            .unwrap();
            let runtime = ob_runtime(OB_SK).max_response_bytes(1024).build().unwrap();
            let client = oceanbase_cloud::Client::new(&server.base_url(), runtime);
            let reply = ob_connect(&client).await;
            assert!(reply.is_ok(), "{what}: {:?}", reply.err());
            assert_eq!(server.requests().len(), 2 + large, "{what}");
            // The client hung up on the 401 instead of reading it: the server's writes fail.
            let deadline = Instant::now() + Duration::from_secs(3);
            while server.disconnects() == 0 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            assert_eq!(server.disconnects(), 1, "{what}");
            assert!(
                server.body_bytes_sent() < LARGE / 4,
                "{what}: {} bytes sent",
                server.body_bytes_sent()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. One deadline per call

const ATTEMPT: Duration = Duration::from_millis(250);
const CALL: Duration = Duration::from_millis(300);

#[tokio::test]
async fn a_hanging_server_costs_one_call_deadline_not_three_attempts() {
    let server = RawServer::start(|_, _| Reply::Hang).await.unwrap();
    let runtime = no_auth()
        .retry(RetryPolicy::default())
        .attempt_timeout(ATTEMPT)
        .call_timeout(CALL)
        .build()
        .unwrap();
    let started = Instant::now();
    let e = show_vpcep(&css(&server.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    check_css(&e, ErrorKind::TimedOut, true);
    assert!(e.to_string().contains("300ms"), "{e}");
    // The first attempt runs out its 250 ms; a retry that could not start before the call's
    // deadline is not waited for. Three attempts would take 3 × 250 ms plus back-off.
    assert!(
        elapsed >= ATTEMPT - Duration::from_millis(10),
        "{elapsed:?}"
    );
    assert!(elapsed <= CALL + Duration::from_millis(100), "{elapsed:?}");
    assert!(elapsed < 3 * ATTEMPT, "{elapsed:?}");
    let attempts = server.requests().len();
    assert!((1..=2).contains(&attempts), "{attempts} attempts");
}

#[tokio::test]
async fn a_retry_that_could_not_start_in_time_gives_the_servers_answer_at_once() {
    let server = RawServer::start(|_, _| {
        Reply::json(503, r#"{"error_code":"CSS.0503","error_msg":"busy"}"#)
            .header("Retry-After", "5")
            .header("X-Request-Id", "req-503")
    })
    .await
    .unwrap();
    let runtime = no_auth()
        .retry(RetryPolicy::default())
        .call_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = show_vpcep(&css(&server.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    // Waiting the 5 s the server asks for would end past the 2 s limit: no waiting, no retry,
    // and the caller sees what the server said.
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    check_css(&e, ErrorKind::Service, false);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(503), "{e}");
    assert_eq!(e.code(), Some("CSS.0503"), "{e}");
    assert_eq!(e.request_id(), Some("req-503"), "{e}");
    assert_eq!(server.requests().len(), 1);
}

/// A loopback HTTP/2 server (prior knowledge) that resets the first `refusals` streams with
/// `REFUSED_STREAM` (RFC 9113, 8.7: not processed, safe to send again) and answers the others
/// with `status`, `headers` and `body`. Returns its base URL and the number of streams it saw.
async fn refusing_h2_server(
    refusals: usize,
    (status, headers, body): (u16, &'static [(&'static str, &'static str)], &'static str),
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::{Arc, atomic::AtomicUsize, atomic::Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let streams = Arc::new(AtomicUsize::new(0));
    let seen = streams.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(mut connection) = h2::server::handshake(socket).await else {
                    return;
                };
                while let Some(Ok((_request, mut respond))) = connection.accept().await {
                    if seen.fetch_add(1, Ordering::SeqCst) < refusals {
                        respond.send_reset(h2::Reason::REFUSED_STREAM);
                        continue;
                    }
                    let mut head = http::Response::builder()
                        .status(status)
                        .header("content-type", "application/json");
                    for (name, value) in headers {
                        head = head.header(*name, *value);
                    }
                    let head = head.body(()).unwrap();
                    if let Ok(mut stream) = respond.send_response(head, false) {
                        let _ = stream.send_data(bytes::Bytes::from_static(body.as_bytes()), true);
                    }
                }
            });
        }
    });
    (base, streams)
}

/// reqwest's own retry layer is off (it copied every request); the runtime's policy retries
/// an HTTP/2 refusal instead, for any method, within its attempts, and only it.
#[tokio::test]
async fn a_refused_http2_stream_is_sent_again_even_for_a_post_and_only_by_the_policy() {
    use std::sync::atomic::Ordering;
    let http2 = || reqwest::Client::builder().http2_prior_knowledge();
    let das = |base: &str, policy: RetryPolicy| {
        let runtime = no_auth()
            .http_client(http2())
            .retry(policy)
            .build()
            .unwrap();
        huaweicloud_das::Client::new(base, runtime)
    };
    let created = (
        200,
        &[][..],
        r#"{"connection_id":"2b3d6e1f-0c4a-4f5e-9d7b-1a2b3c4d5e6f"}"#,
    );

    // Refused once: the POST is sent again and succeeds.
    let (base, streams) = refusing_h2_server(1, created).await;
    let fast = RetryPolicy {
        base_delay: Duration::from_millis(1),
        ..RetryPolicy::default()
    };
    let out = create_das_connection(&das(&base, fast)).await.unwrap();
    assert_eq!(
        out.connection_id.as_deref(),
        Some("2b3d6e1f-0c4a-4f5e-9d7b-1a2b3c4d5e6f")
    );
    assert_eq!(streams.load(Ordering::SeqCst), 2);

    // Without retries nothing sends it again, reqwest included: one stream, a transport error.
    let (base, streams) = refusing_h2_server(1, created).await;
    let e = create_das_connection(&das(&base, RetryPolicy::off()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(streams.load(Ordering::SeqCst), 1);

    // Refused every time: the policy's three attempts, then the error.
    let (base, streams) = refusing_h2_server(usize::MAX, created).await;
    let e = create_das_connection(&das(&base, fast)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(streams.load(Ordering::SeqCst), 3);
}

/// The IAM token request is outside the runtime's retry policy: an HTTP/2 refusal of it is
/// sent again by the token provider, twice at most, to the same endpoint.
#[tokio::test]
async fn a_refused_http2_token_request_is_sent_again_twice_at_most() {
    use std::sync::atomic::Ordering;
    const TOKEN: (u16, &[(&str, &str)], &str) = (
        201,
        &[("x-subject-token", "MIIT-token-from-h2")],
        r#"{"token":{"expires_at":"2099-01-01T00:00:00.000000Z"}}"#,
    );
    let css_over_h2 = |iam: &str, api: &str| {
        let runtime = Runtime::builder(TokenAuth::from_provider(iam_provider(iam, IAM_PASSWORD)))
            .allow_insecure_http(true)
            .http_client(reqwest::Client::builder().http2_prior_knowledge())
            .retry(RetryPolicy::off())
            .build()
            .unwrap();
        css(api, runtime)
    };
    let answer = (200, &[][..], r#"{"connections":[]}"#);

    // Refused twice: the third request gets the token, and the call goes through.
    let (iam, iam_streams) = refusing_h2_server(2, TOKEN).await;
    let (api, api_streams) = refusing_h2_server(0, answer).await;
    show_vpcep(&css_over_h2(&iam, &api), CLUSTER).await.unwrap();
    assert_eq!(iam_streams.load(Ordering::SeqCst), 3);
    assert_eq!(api_streams.load(Ordering::SeqCst), 1);

    // Refused every time: three requests, then no token, and nothing sent to the API.
    let (iam, iam_streams) = refusing_h2_server(usize::MAX, TOKEN).await;
    let (api, api_streams) = refusing_h2_server(0, answer).await;
    let e = show_vpcep(&css_over_h2(&iam, &api), CLUSTER)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CredentialsUnavailable, "{e}");
    assert_eq!(iam_streams.load(Ordering::SeqCst), 3);
    assert_eq!(api_streams.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_token_endpoint_that_hangs_is_a_timeout() {
    let iam = RawServer::start(|_, _| Reply::Hang).await.unwrap();
    let api = RawServer::bystander().await.unwrap();
    let runtime = Runtime::builder(TokenAuth::from_provider(iam_provider(
        &iam.base_url(),
        IAM_PASSWORD,
    )))
    .allow_insecure_http(true)
    .attempt_timeout(Duration::from_millis(200))
    .call_timeout(Duration::from_secs(5))
    .build()
    .unwrap();
    let started = Instant::now();
    let e = show_vpcep(&css(&api.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TimedOut, "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(!e.to_string().contains(IAM_PASSWORD), "{e}");
    assert_eq!(api.connections(), 0);
}

#[tokio::test]
async fn slow_503s_are_retried_only_within_the_call_deadline() {
    let server = RawServer::start(|_, _| {
        Reply::json(503, r#"{"error_code":"CSS.0503","error_msg":"busy"}"#)
            .after(Duration::from_millis(60))
    })
    .await
    .unwrap();
    let runtime = no_auth()
        .attempt_timeout(ATTEMPT)
        .call_timeout(CALL)
        .build()
        .unwrap();
    let started = Instant::now();
    let e = show_vpcep(&css(&server.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    // Either the deadline passed during an attempt (a timeout), or the back-off before the
    // next one would have ended past it: the caller then gets the server's last answer, with
    // its status and code, at once.
    match e.kind() {
        ErrorKind::TimedOut => check_css(&e, ErrorKind::TimedOut, true),
        _ => {
            check_css(&e, ErrorKind::Service, false);
            assert_eq!(e.status().map(|s| s.as_u16()), Some(503), "{e}");
            assert_eq!(e.code(), Some("CSS.0503"), "{e}");
        }
    }
    assert!(elapsed <= CALL + Duration::from_millis(100), "{elapsed:?}");
    let attempts = server.requests().len();
    assert!((1..=3).contains(&attempts), "{attempts} attempts");
}

/// A 200 whose announced 10 000 bytes come 10 every 50 ms: 50 s to send.
fn trickling_body() -> Reply {
    Reply::streamed(
        200,
        Body::Announced {
            length: 10_000,
            send: 10_000,
            chunk: 10,
            every: Duration::from_millis(50),
        },
    )
}

#[tokio::test]
async fn a_body_trickling_past_the_deadline_times_out() {
    let server = RawServer::start(|_, _| trickling_body()).await.unwrap();
    // Whichever limit ends it, the call's or the attempt's, the kind is a timeout.
    for (attempt, call) in [
        (Duration::from_secs(5), CALL),
        (ATTEMPT, Duration::from_secs(5)),
    ] {
        let runtime = no_auth()
            .attempt_timeout(attempt)
            .call_timeout(call)
            .build()
            .unwrap();
        let started = Instant::now();
        let e = show_vpcep(&css(&server.base_url(), runtime), CLUSTER)
            .await
            .unwrap_err();
        let elapsed = started.elapsed();
        check_css(&e, ErrorKind::TimedOut, true);
        assert!(!e.to_string().contains("decoding"), "{e}");
        assert_eq!(e.status().map(|s| s.as_u16()), Some(200), "{e}");
        assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    }
}

/// A Digest call's request may start after its probe took part of the call's time. Its body
/// is then bounded by the attempt's reqwest timer only when that timer still ends by the
/// deadline; otherwise by the call's deadline itself. Either way the call ends by the first
/// of the two, as a timeout.
#[tokio::test]
async fn a_digest_body_trickling_after_a_slow_probe_ends_by_the_deadline() {
    const PROBE: Duration = Duration::from_millis(300);
    let server = RawServer::start(|r, _| match r.header("authorization") {
        None => digest_challenge().after(PROBE),
        Some(_) => trickling_body(),
    })
    .await
    .unwrap();
    let ms = Duration::from_millis;
    // (attempt, call, the call ends within this range after it starts)
    for (attempt, call, ends) in [
        // The attempt's timer, started after the probe, ends first: 300 + 400 ms.
        (ms(400), ms(5000), ms(650)..ms(1050)),
        // That timer would end 300 + 800 ms after the start, past the 800 ms deadline: the
        // deadline ends the body.
        (ms(5000), ms(800), ms(750)..ms(1000)),
    ] {
        let runtime = ob_runtime(OB_SK)
            .retry(RetryPolicy::off())
            .attempt_timeout(attempt)
            .call_timeout(call)
            .build()
            .unwrap();
        let client = oceanbase_cloud::Client::new(&server.base_url(), runtime);
        let started = Instant::now();
        let e = ob_connect(&client).await.unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(e.kind(), ErrorKind::TimedOut, "{e}");
        assert!(ends.contains(&elapsed), "{attempt:?} {call:?}: {elapsed:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Path values stay in their segment

#[tokio::test]
async fn empty_and_dot_segment_path_values_are_refused_before_sending() {
    let server = RawServer::bystander().await.unwrap();
    let client = css(&server.base_url(), no_auth().build().unwrap());
    for value in ["", ".", ".."] {
        let e = show_vpcep(&client, value).await.unwrap_err();
        check_css(&e, ErrorKind::InvalidRequest, false);
        assert!(e.to_string().contains("`cluster_id`"), "{e}");
        assert!(e.to_string().contains("nothing was sent"), "{e}");
        let e = client
            .show_vpcep_connection()
            .project_id(value)
            .cluster_id(CLUSTER)
            .call()
            .await
            .unwrap_err();
        check_css(&e, ErrorKind::InvalidRequest, false);
        assert!(e.to_string().contains("`project_id`"), "{e}");
    }
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn the_path_follows_the_base_urls_own_path_and_no_api_version_header_is_sent() {
    let server = RawServer::bystander().await.unwrap();
    for base in [
        server.base_url(),
        format!("{}/", server.base_url()),
        format!("{}/gateway/css", server.base_url()),
        format!("{}/gateway/css/", server.base_url()),
    ] {
        let client = css(&base, no_auth().build().unwrap());
        show_vpcep(&client, "a b").await.unwrap();
        let seen = server.requests();
        let last = seen.last().unwrap();
        let stem = if base.contains("/gateway") {
            "/gateway/css"
        } else {
            ""
        };
        assert_eq!(
            last.request_line,
            format!("GET {stem}/v1.0/{PROJECT}/clusters/a%20b/vpcepservice/connections HTTP/1.1"),
            "{base}"
        );
        // progenitor's `api-version: <info.version>` is documented by no vendor here.
        assert!(
            last.headers.iter().all(|(name, _)| name != "api-version"),
            "{:?}",
            last.headers
        );
    }
}

#[tokio::test]
async fn a_base_url_with_a_query_or_fragment_is_refused_before_anything_is_sent() {
    let server = RawServer::bystander().await.unwrap();
    for base in [
        format!("{}/?region=x", server.base_url()),
        format!("{}/#top", server.base_url()),
    ] {
        let e = ClientParts::new(base.as_str(), no_auth().build().unwrap()).unwrap_err();
        assert!(e.to_string().contains("query or fragment"), "{e}");
        // `Client::new` cannot fail: its calls do, naming what to fix.
        let client = css(&base, no_auth().build().unwrap());
        let e = show_vpcep(&client, CLUSTER).await.unwrap_err();
        check_css(&e, ErrorKind::InvalidRequest, false);
        assert!(e.to_string().contains("query or fragment"), "{e}");
    }
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn backslashes_are_encoded_and_dots_are_sent_as_they_are() {
    let server = RawServer::bystander().await.unwrap();
    let client = css(&server.base_url(), no_auth().build().unwrap());
    let cases = [
        ("..\\..\\admin", "..%5C..%5Cadmin"),
        ("a\\b", "a%5Cb"),
        ("../admin", "..%2Fadmin"),
        ("...", "..."),
        ("%2e%2e", "%252e%252e"),
    ];
    for (value, sent) in cases {
        show_vpcep(&client, value).await.unwrap();
        let seen = server.requests();
        assert_eq!(
            seen.last().unwrap().request_line,
            format!("GET /v1.0/{PROJECT}/clusters/{sent}/vpcepservice/connections HTTP/1.1"),
            "{value:?}"
        );
    }

    // Signed as sent: the gateway stand-in verifies the signature over the encoded path.
    let huawei = huawei_server().await;
    let runtime = Runtime::builder(AkSkAuth::new(AkSkCredentials::new(AK, SK).unwrap()))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let client = css(&huawei.base_url(), runtime);
    show_vpcep(&client, "..\\..\\admin").await.unwrap();
    let seen = huawei.requests();
    assert_eq!(
        seen[0].path,
        format!("/v1.0/{PROJECT}/clusters/..%5C..%5Cadmin/vpcepservice/connections")
    );
    assert!(
        matches!(seen[0].auth, AuthOutcome::Signed(_)),
        "{:?}",
        seen[0].auth
    );
}

// ---------------------------------------------------------------------------------------------
// 5. A typed error for each kind

#[tokio::test]
async fn kind_service_carries_status_code_message_and_request_id() {
    let server = RawServer::start(|_, _| {
        Reply::json(
            400,
            r#"{"error_code":"CSS.0001","error_msg":"bad cluster id"}"#,
        )
        .header("x-request-id", "req-400")
    })
    .await
    .unwrap();
    let e = show_vpcep(
        &css(&server.base_url(), no_auth().build().unwrap()),
        CLUSTER,
    )
    .await
    .unwrap_err();
    check_css(&e, ErrorKind::Service, false);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(e.code(), Some("CSS.0001"));
    assert_eq!(e.message(), Some("bad cluster id"));
    assert_eq!(e.request_id(), Some("req-400"));
    assert_eq!(
        e.to_string(),
        "ShowVpcepConnection: HTTP 400: CSS.0001: bad cluster id (request id req-400)"
    );
}

#[tokio::test]
async fn kind_credentials_rejected_for_a_wrong_secret_key() {
    let server = huawei_server().await;
    let wrong = "sk-wrong-secret-0000000000000000000000009";
    let runtime = Runtime::builder(AkSkAuth::new(AkSkCredentials::new(AK, wrong).unwrap()))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let e = show_vpcep(&css(&server.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    check_css(&e, ErrorKind::CredentialsRejected, true);
    let seen = server.requests();
    assert_eq!(seen.len(), 1, "a refusal is not retried");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(e.code(), Some("APIGW.0301"));
    assert!(
        e.message()
            .is_some_and(|m| m.starts_with("Incorrect IAM authentication information")),
        "{e}"
    );
    assert_eq!(e.request_id(), Some(seen[0].request_id.as_str()));
    assert!(!e.to_string().contains(wrong) && !format!("{e:?}").contains(wrong));
}

#[tokio::test]
async fn kind_credentials_rejected_for_a_wrong_digest_secret_names_the_realm() {
    let server = DigestServer::start(Config::new(OB_AK, OB_SK))
        .await
        .unwrap();
    let client = oceanbase_cloud::Client::new(
        &server.base_url(),
        ob_runtime("SK-wrong-secret").build().unwrap(),
    );
    let e = ob_connect(&client).await.unwrap_err();
    check_error(
        &e,
        "ConnectPrivatelinkService",
        "connect_privatelink_service",
        ErrorKind::CredentialsRejected,
        true,
    );
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(e.code(), Some("401"));
    assert!(
        e.to_string()
            .contains(r#"realm "oceanbase-test@127.0.0.1""#),
        "{e}"
    );
    // The request id the call sent is the one the server received, and echoed.
    let sent = e.client_request_id().unwrap().to_owned();
    let seen = server.requests();
    assert!(
        seen.iter()
            .all(|r| r.target.contains(&format!("requestId={sent}")))
    );
    assert_eq!(e.request_id(), Some(sent.as_str()));
    assert!(!e.to_string().contains("SK-wrong-secret"));
}

#[tokio::test]
async fn oceanbase_request_id_is_readable_on_success_and_failure() {
    let server = DigestServer::start(Config::new(OB_AK, OB_SK))
        .await
        .unwrap();
    let client =
        oceanbase_cloud::Client::new(&server.base_url(), ob_runtime(OB_SK).build().unwrap());
    let out = ob_connect(&client).await.unwrap();
    let sent = out.client_request_id().unwrap();
    uuid::Uuid::parse_str(sent).unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "probe and signed request");
    assert!(
        seen.iter()
            .all(|r| r.target.contains(&format!("requestId={sent}")))
    );
    assert_eq!(out.request_id.as_deref(), Some(sent));

    // A failure the service did not answer (a closed port) still tells the id it sent.
    let port = closed_port().await;
    let client = oceanbase_cloud::Client::new(
        &format!("http://127.0.0.1:{port}"),
        ob_runtime(OB_SK).retry(RetryPolicy::off()).build().unwrap(),
    );
    let e = ob_connect(&client).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    let id = e.client_request_id().unwrap();
    uuid::Uuid::parse_str(id).unwrap();
    assert!(e.to_string().contains(id), "{e}");

    // A failure the service answered (`success: false`): the id it received.
    let server = RawServer::start(|r, _| match r.header("authorization") {
        None => digest_challenge(),
        Some(_) => Reply::json(
            200,
            r#"{"success":false,"errorCode":"E001R000","errorMessage":"no such instance"}"#,
        ),
    })
    .await
    .unwrap();
    let client =
        oceanbase_cloud::Client::new(&server.base_url(), ob_runtime(OB_SK).build().unwrap());
    let e = ob_connect(&client).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service, "{e}");
    assert_eq!(e.code(), Some("E001R000"));
    let id = e.client_request_id().unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r.query("requestId") == Some(id)));
}

#[tokio::test]
async fn kind_credentials_rejected_for_an_iam_token_refused_after_one_refresh() {
    let server = huawei_server().await;
    server.reject_all_tokens(true);
    let clock = ManualClock::new(std::time::SystemTime::now());
    let cache = TokenCache::new(iam_provider(&server.base_url(), IAM_PASSWORD))
        .with_clock(std::sync::Arc::new(clock.clone()));
    let runtime = Runtime::builder(TokenAuth::from_cache(cache))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let client = css(&server.base_url(), runtime);
    // A token refused as soon as it is fetched is not fetched again at once: the service's
    // refusal is the error.
    let e = show_vpcep(&client, CLUSTER).await.unwrap_err();
    check_css(&e, ErrorKind::CredentialsRejected, true);
    assert_eq!(
        server.token_fetches(),
        1,
        "no refresh within the minimum interval"
    );
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(e.code(), Some("APIGW.0301"));
    assert_eq!(e.request_id(), Some(seen[0].request_id.as_str()));
    assert!(e.to_string().contains("no new token is requested"), "{e}");
    // Past it: one refresh, one resend, and the second refusal is the error.
    clock.advance(cloud_sdk_runtime::huawei::DEFAULT_MIN_FETCH_INTERVAL);
    let e = show_vpcep(&client, CLUSTER).await.unwrap_err();
    check_css(&e, ErrorKind::CredentialsRejected, true);
    assert_eq!(server.token_fetches(), 2, "one refresh");
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(e.code(), Some("APIGW.0301"));
    assert_eq!(e.request_id(), Some(seen[2].request_id.as_str()));
    assert!(e.to_string().contains("twice"), "{e}");
    assert!(!e.to_string().contains(IAM_PASSWORD));
}

#[tokio::test]
async fn kind_credentials_unavailable_when_iam_fails() {
    let server = huawei_server().await;
    server.set_iam_failure(Some(500));
    let runtime = huawei_builder(Cred::IamToken, &server).build().unwrap();
    let e = show_vpcep(&css(&server.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    check_css(&e, ErrorKind::CredentialsUnavailable, true);
    assert!(e.to_string().contains("HTTP 500"), "{e}");
    assert!(server.requests().is_empty(), "sent without a token");
}

#[tokio::test]
async fn kind_login_refused_for_a_wrong_iam_password_and_no_second_try() {
    let server = huawei_server().await;
    let provider = iam_provider(&server.base_url(), "not-the-password-3");
    let runtime = Runtime::builder(TokenAuth::from_provider(provider))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let client = css(&server.base_url(), runtime);
    for _ in 0..2 {
        let e = show_vpcep(&client, CLUSTER).await.unwrap_err();
        check_css(&e, ErrorKind::LoginRefused, true);
        assert!(!e.to_string().contains("not-the-password-3"), "{e}");
    }
    assert_eq!(
        server.iam_posts(),
        1,
        "the password is not sent again at once"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn kind_connect_for_a_closed_port() {
    let port = closed_port().await;
    let runtime = no_auth().retry(RetryPolicy::off()).build().unwrap();
    let e = show_vpcep(&css(&format!("http://127.0.0.1:{port}"), runtime), CLUSTER)
        .await
        .unwrap_err();
    check_css(&e, ErrorKind::Connect, true);
    assert_eq!(e.status(), None);
}

#[tokio::test]
async fn kind_transport_when_the_server_closes_mid_body() {
    let server = RawServer::start(|_, _| {
        Reply::streamed(
            200,
            Body::Announced {
                length: 1000,
                send: 100,
                chunk: 100,
                every: Duration::ZERO,
            },
        )
        .header("x-request-id", "req-cut")
    })
    .await
    .unwrap();
    let e = show_vpcep(
        &css(&server.base_url(), no_auth().build().unwrap()),
        CLUSTER,
    )
    .await
    .unwrap_err();
    check_css(&e, ErrorKind::Transport, true);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200), "{e}");
    assert_eq!(e.request_id(), Some("req-cut"), "{e}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn kind_timed_out_for_a_server_that_never_answers() {
    let hang = RawServer::start(|_, _| Reply::Hang).await.unwrap();
    let runtime = no_auth()
        .call_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let e = show_vpcep(&css(&hang.base_url(), runtime), CLUSTER)
        .await
        .unwrap_err();
    check_css(&e, ErrorKind::TimedOut, true);
    assert_eq!(e.status(), None);
}

/// A plain-http host on another machine. `.invalid` never resolves (RFC 6761), so a client that
/// failed to refuse it would fail to connect instead: no traffic leaves the machine either way.
const REMOTE_HTTP: &str = "http://cloud-sdk-test.invalid:8080";

#[tokio::test]
async fn kind_insecure_url_when_credentials_would_go_over_plain_http() {
    let iam = huawei_server().await;
    for cred in HUAWEI_CREDS {
        let runtime = huawei_builder(cred, &iam)
            .allow_insecure_http(false)
            .build()
            .unwrap();
        let e = show_vpcep(&css(REMOTE_HTTP, runtime), CLUSTER)
            .await
            .unwrap_err();
        check_css(&e, ErrorKind::InsecureUrl, true);
        assert!(e.to_string().contains("https://"), "{cred:?}: {e}");
    }
    let client = oceanbase_cloud::Client::new(
        REMOTE_HTTP,
        ob_runtime(OB_SK)
            .allow_insecure_http(false)
            .build()
            .unwrap(),
    );
    let e = ob_connect(&client).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InsecureUrl, "{e}");
    assert_eq!(iam.iam_posts(), 0, "no password over plain http");
}

#[tokio::test]
async fn plain_http_to_a_loopback_address_is_allowed_without_the_switch() {
    let server = RawServer::bystander().await.unwrap();
    let runtime = Runtime::builder(AkSkAuth::new(
        AkSkCredentials::new("HPUAEXAMPLEAK0000001", "loopback-secret").unwrap(),
    ))
    .allow_insecure_http(false)
    .build()
    .unwrap();
    let reply = show_vpcep(&css(&server.base_url(), runtime), CLUSTER).await;
    assert!(reply.is_ok(), "{:?}", reply.err());
    assert_eq!(server.connections(), 1);
}

/// Set for the child process of [`plain_http_never_goes_through_the_environments_proxy`]: the
/// loopback server's URL.
const PROXY_CHILD_TARGET: &str = "CLOUD_SDK_TEST_PROXY_CHILD_TARGET";

/// Every variable that configures reqwest's proxies from the environment.
const PROXY_VARS: [&str; 9] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

/// Proxies are read from the environment when the HTTP client is built, so the calls run in a
/// child process (this test binary again, running only [`plain_http_proxy_child`]) given the
/// proxy variables: no test in this process sees them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_never_goes_through_the_environments_proxy() {
    // The proxy records what reaches it and refuses it all.
    let proxy = RawServer::start(|_, _| Reply::json(502, "{}"))
        .await
        .unwrap();
    let server = RawServer::start(|r, _| {
        if r.header("x-auth-token").is_some() {
            Reply::json(200, "{}")
        } else if r.header("authorization").is_some() {
            Reply::json(200, r#"{"data":{},"requestId":"r","success":true}"#)
        } else {
            digest_challenge()
        }
    })
    .await
    .unwrap();
    let runs: [&[&str]; 2] = [&["HTTP_PROXY", "HTTPS_PROXY"], &["ALL_PROXY"]];
    for vars in runs {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child
            .args(["plain_http_proxy_child", "--exact", "--ignored"])
            .env(PROXY_CHILD_TARGET, server.base_url());
        for name in PROXY_VARS {
            child.env_remove(name);
        }
        for name in vars {
            child.env(name, proxy.base_url());
        }
        let output = tokio::task::spawn_blocking(move || child.output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{vars:?}:\n{stdout}\n{stderr}"
        );
    }
    // Only the https calls' tunnels reached the proxy, one per run, and no credentials.
    let at_proxy = proxy.requests();
    assert_eq!(at_proxy.len(), 2, "{at_proxy:?}");
    for r in &at_proxy {
        assert_eq!(
            r.request_line,
            "CONNECT cloud-sdk-test.invalid:443 HTTP/1.1"
        );
        assert!(r.header("x-auth-token").is_none() && r.header("authorization").is_none());
    }
    // Each run: the token call, and the Digest probe and signed call.
    assert_eq!(server.requests().len(), 6, "{:?}", server.requests());
}

#[tokio::test]
#[ignore = "a child process of plain_http_never_goes_through_the_environments_proxy"]
async fn plain_http_proxy_child() {
    let Ok(target) = std::env::var(PROXY_CHILD_TARGET) else {
        return;
    };
    let token = Runtime::builder(TokenAuth::static_token(STATIC_TOKEN).unwrap())
        .retry(RetryPolicy::off())
        .build()
        .unwrap();
    let reply = show_vpcep(&css(&target, token.clone()), CLUSTER).await;
    assert!(reply.is_ok(), "X-Auth-Token: {:?}", reply.err());
    let digest = ob_runtime(OB_SK)
        .allow_insecure_http(false)
        .retry(RetryPolicy::off())
        .build()
        .unwrap();
    let reply = ob_connect(&oceanbase_cloud::Client::new(&target, digest)).await;
    assert!(reply.is_ok(), "Digest: {:?}", reply.err());
    // https still goes through the proxy, in a tunnel (which this proxy refuses).
    let https = css("https://cloud-sdk-test.invalid", token);
    show_vpcep(&https, CLUSTER).await.unwrap_err();
}

#[tokio::test]
async fn kind_invalid_response_for_an_html_page_with_status_and_request_id() {
    let server = RawServer::start(|_, _| {
        Reply::Answer {
            delay: Duration::ZERO,
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body: Body::Full(b"<html><body>Gateway login</body></html>".to_vec()),
        }
        .header("x-request-id", "req-html")
    })
    .await
    .unwrap();
    let e = show_vpcep(
        &css(&server.base_url(), no_auth().build().unwrap()),
        CLUSTER,
    )
    .await
    .unwrap_err();
    check_css(&e, ErrorKind::InvalidResponse, true);
    assert!(e.to_string().contains("<html>"), "{e}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200), "{e}");
    assert_eq!(e.request_id(), Some("req-html"), "{e}");
}
