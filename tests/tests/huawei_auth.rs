//! Huawei Cloud authentication through the three generated clients, against a loopback server
//! that checks tokens and re-verifies `SDK-HMAC-SHA256` signatures with its own code.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

use std::{
    sync::{Arc, Mutex, OnceLock},
    time::{Duration, SystemTime},
};

use cloud_sdk_runtime::{
    Runtime, Secret,
    huawei::{
        AkSkAuth, AkSkCredentials, Clock, IamPassword, IamPasswordProvider, ManualClock,
        ProjectScope, TokenAuth, TokenCache,
    },
};
use huaweicloud_css as css;
use huaweicloud_das as das;
use huaweicloud_dataarts_insight as dataarts;
use integration_tests::{
    huawei_server::{AuthOutcome, HuaweiServer, IamUser, Recorded},
    raw_server::{RawServer, Reply},
};

const PROJECT: &str = "052041494800d57c2f02c00275b4c247";
const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "sk-very-secret-0000000000000000000000001";
const PASSWORD: &str = "iam-password-secret";
const WORKSPACE: &str = "ws-0123456789abcdef";
const DB_PASSWORD: &str = "Gauss_2345";

/// The three generated clients over one runtime.
struct Clients {
    css: css::Client,
    das: das::Client,
    dataarts: dataarts::Client,
}

impl Clients {
    fn new(base_url: &str, runtime: Runtime) -> Self {
        Self {
            css: css::Client::new(base_url, runtime.clone()),
            das: das::Client::new(base_url, runtime.clone()),
            dataarts: dataarts::Client::new(base_url, runtime),
        }
    }

    /// One call of each operation; returns the error texts of the calls that failed.
    async fn call_each(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if let Err(e) = self.show_vpcep_connection().await {
            errors.push(format!("css: {e}"));
        }
        if let Err(e) = self.create_instance_connection().await {
            errors.push(format!("das: {e}"));
        }
        if let Err(e) = self.verify_and_create_vpc_ep().await {
            errors.push(format!("dataarts: {e}"));
        }
        errors
    }

    async fn show_vpcep_connection(&self) -> Result<(), String> {
        let page = self
            .css
            .show_vpcep_connection()
            .project_id(PROJECT)
            .cluster_id("5c77b71c-5b35-4f50-8984-76387e42451a")
            .offset(0)
            .limit(10)
            .call()
            .await
            .map_err(|e| e.to_string())?;
        assert_eq!(page.connections.len(), 1);
        Ok(())
    }

    /// CreateInstanceConnection with the database password `DB_PASSWORD`, ready to call.
    fn create_instance_connection_request(&self) -> das::builder::CreateInstanceConnection<'_> {
        self.das
            .create_instance_connection()
            .project_id(PROJECT)
            .instance_id("bcfa975193f1402fa11a6d4fd6baf5fbin01")
            .body(
                das::types::CreateInstanceConnectionBody::builder()
                    .engine_type(das::types::DasEngineType::Mysql)
                    .network_type(das::types::DasNetworkType::Rds)
                    .username("root")
                    .is_save_password(true)
                    .password(Secret::new(DB_PASSWORD))
                    .remarks("create by api".to_owned()),
            )
    }

    async fn create_instance_connection(&self) -> Result<(), String> {
        let created = self
            .create_instance_connection_request()
            .call()
            .await
            .map_err(|e| e.to_string())?;
        assert!(created.connection_id.is_some());
        Ok(())
    }

    async fn verify_and_create_vpc_ep(&self) -> Result<(), String> {
        let created = self
            .dataarts
            .verify_and_create_vpc_ep()
            .project_id(PROJECT)
            .x_workspace_id(WORKSPACE)
            .body(
                dataarts::types::VerifyAndCreateVpcEpBody::builder()
                    .ds_type(dataarts::types::DsType::Dws)
                    .vpc_ep_server_name("cn-north-4.DII-INGEST-LB.5d6c".to_owned()),
            )
            .call()
            .await
            .map_err(|e| e.to_string())?;
        assert!(created.id.is_some());
        Ok(())
    }
}

/// Everything this test binary logs, through `tracing`, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log of every test so far. The capturing subscriber is global and installed before any
/// test logs anything: a thread-local one misses events from callsites another test thread
/// registered first.
fn captured() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    })
}

async fn start() -> HuaweiServer {
    captured();
    HuaweiServer::start().await.unwrap()
}

fn aksk_runtime(credentials: AkSkCredentials) -> Runtime {
    Runtime::builder(AkSkAuth::new(credentials))
        .allow_insecure_http(true)
        .build()
        .unwrap()
}

fn iam_user() -> IamUser {
    IamUser {
        name: "alice".into(),
        password: PASSWORD.into(),
        domain: "acme".into(),
    }
}

fn iam_provider(server: &HuaweiServer, password: &str) -> IamPasswordProvider {
    let credentials = IamPassword::new("alice", password, "acme", ProjectScope::Id(PROJECT.into()));
    IamPasswordProvider::new(&server.base_url(), credentials)
        .unwrap()
        .allow_insecure_http(true)
}

/// A runtime with IAM tokens, a manual clock standing at `now` and a 5-minute window.
fn iam_runtime(server: &HuaweiServer, clock: &ManualClock) -> Runtime {
    let cache = TokenCache::new(iam_provider(server, PASSWORD))
        .with_clock(Arc::new(clock.clone()))
        .with_refresh_window(Duration::from_secs(300));
    Runtime::builder(TokenAuth::from_cache(cache))
        .allow_insecure_http(true)
        .build()
        .unwrap()
}

fn signed_headers(r: &Recorded) -> Vec<String> {
    match &r.auth {
        AuthOutcome::Signed(v) => v.signed_headers.clone(),
        other => panic!("{} {}: not signed: {other:?}", r.method, r.path),
    }
}

fn token_of(r: &Recorded) -> String {
    match &r.auth {
        AuthOutcome::Token(t) => t.clone(),
        other => panic!("{} {}: no accepted token: {other:?}", r.method, r.path),
    }
}

#[tokio::test]
async fn static_token_is_sent_on_every_call_of_each_client() {
    let server = start().await;
    server.accept_token("static-token-secret");
    let auth = TokenAuth::static_token("static-token-secret").unwrap();
    let clients = Clients::new(
        &server.base_url(),
        Runtime::builder(auth)
            .allow_insecure_http(true)
            .build()
            .unwrap(),
    );
    for _ in 0..2 {
        assert_eq!(clients.call_each().await, Vec::<String>::new());
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    for r in &requests {
        assert_eq!(r.header("x-auth-token"), Some("static-token-secret"));
        assert_eq!(token_of(r), "static-token-secret");
        assert_eq!(r.header("authorization"), None);
    }
}

#[tokio::test]
async fn static_token_refused_is_a_clear_error() {
    let server = start().await;
    let auth = TokenAuth::static_token("expired-token").unwrap();
    let clients = Clients::new(
        &server.base_url(),
        Runtime::builder(auth)
            .allow_insecure_http(true)
            .build()
            .unwrap(),
    );
    let err = clients.show_vpcep_connection().await.unwrap_err();
    assert!(err.contains("HUAWEICLOUD_SDK_AUTH_TOKEN"), "{err}");
    assert!(err.contains("401"), "{err}");
    assert_eq!(server.requests().len(), 1, "a static token is not retried");
}

#[tokio::test]
async fn aksk_signatures_verify_and_cover_the_documented_headers() {
    let server = start().await;
    server.add_access_key(AK, SK);
    let credentials = AkSkCredentials::new(AK, SK)
        .unwrap()
        .with_project_id(PROJECT)
        .unwrap();
    let clients = Clients::new(&server.base_url(), aksk_runtime(credentials));
    assert_eq!(clients.call_each().await, Vec::<String>::new());

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        let signed = signed_headers(r);
        for name in ["host", "x-sdk-date", "x-project-id", "accept"] {
            assert!(
                signed.iter().any(|h| h == name),
                "{}: {name} not signed in {signed:?}",
                r.path
            );
        }
        assert_eq!(r.header("x-project-id"), Some(PROJECT));
        assert!(
            r.header("authorization")
                .unwrap()
                .starts_with(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders="))
        );
        assert_eq!(r.header("x-auth-token"), None);
        if r.method == "POST" {
            assert!(
                signed.iter().any(|h| h == "content-type"),
                "{}: content-type not signed",
                r.path
            );
            assert!(
                r.header("content-type")
                    .unwrap()
                    .starts_with("application/json")
            );
        }
    }
    let css = requests
        .iter()
        .find(|r| r.path.ends_with("/vpcepservice/connections"))
        .unwrap();
    // Sent in the canonical (sorted) form that was signed.
    assert_eq!(css.query.as_deref(), Some("limit=10&offset=0"));
    let dataarts = requests
        .iter()
        .find(|r| r.path.ends_with("/connections/vpc-endpoint"))
        .unwrap();
    assert_eq!(dataarts.header("x-workspace-id"), Some(WORKSPACE));
    assert!(
        signed_headers(dataarts)
            .iter()
            .any(|h| h == "x-workspace-id")
    );
    let das = requests
        .iter()
        .find(|r| r.path.ends_with("/create-connection"))
        .unwrap();
    assert!(
        String::from_utf8_lossy(&das.body).contains(DB_PASSWORD),
        "the body that was signed arrived"
    );
}

#[tokio::test]
async fn aksk_temporary_credentials_sign_the_security_token() {
    let server = start().await;
    server.add_access_key(AK, SK);
    let credentials = AkSkCredentials::new(AK, SK)
        .unwrap()
        .with_security_token("sts-token-secret")
        .unwrap();
    let clients = Clients::new(&server.base_url(), aksk_runtime(credentials));
    assert_eq!(clients.call_each().await, Vec::<String>::new());
    for r in server.requests() {
        assert_eq!(r.header("x-security-token"), Some("sts-token-secret"));
        assert!(signed_headers(&r).iter().any(|h| h == "x-security-token"));
        assert!(
            !signed_headers(&r).iter().any(|h| h == "x-project-id"),
            "no project id configured"
        );
    }
}

#[tokio::test]
async fn aksk_path_with_reserved_and_unicode_characters_verifies() {
    let server = start().await;
    server.add_access_key(AK, SK);
    let clients = Clients::new(
        &server.base_url(),
        aksk_runtime(AkSkCredentials::new(AK, SK).unwrap()),
    );
    clients
        .css
        .show_vpcep_connection()
        .project_id(PROJECT)
        .cluster_id("数据 a/b+c~d%e")
        .call()
        .await
        .unwrap();
    let r = &server.requests()[0];
    assert!(matches!(r.auth, AuthOutcome::Signed(_)), "{:?}", r.auth);
    assert!(r.path.contains("%E6%95%B0%E6%8D%AE"), "{}", r.path);
}

#[tokio::test]
async fn aksk_wrong_secret_is_rejected_with_a_clear_error() {
    let server = start().await;
    server.add_access_key(AK, SK);
    let clients = Clients::new(
        &server.base_url(),
        aksk_runtime(AkSkCredentials::new(AK, "not-the-sk").unwrap()),
    );
    let err = clients.create_instance_connection().await.unwrap_err();
    assert!(
        err.contains("HUAWEICLOUD_SDK_SK") && err.contains("401"),
        "{err}"
    );
    assert!(
        matches!(&server.requests()[0].auth, AuthOutcome::Rejected(reason) if reason.contains("signature mismatch"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_fetches_one_token_for_50_concurrent_calls() {
    let server = start().await;
    server.set_iam_user(iam_user());
    let clock = ManualClock::new(SystemTime::now());
    server.set_token_expires_at(clock.now() + Duration::from_secs(24 * 3600));
    let clients = Arc::new(Clients::new(
        &server.base_url(),
        iam_runtime(&server, &clock),
    ));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let clients = clients.clone();
        tasks.spawn(async move {
            match i % 3 {
                0 => clients.show_vpcep_connection().await,
                1 => clients.create_instance_connection().await,
                _ => clients.verify_and_create_vpc_ep().await,
            }
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    assert_eq!(server.token_fetches(), 1);
    let issued = server.issued_tokens();
    let requests = server.requests();
    assert_eq!(requests.len(), 50);
    for r in &requests {
        assert_eq!(token_of(r), issued[0]);
    }
}

#[tokio::test]
async fn iam_refreshes_before_expiry() {
    let server = start().await;
    server.set_iam_user(iam_user());
    let clock = ManualClock::new(SystemTime::now());
    server.set_token_expires_at(clock.now() + Duration::from_secs(3600));
    let clients = Clients::new(&server.base_url(), iam_runtime(&server, &clock));

    clients.show_vpcep_connection().await.unwrap();
    assert_eq!(server.token_fetches(), 1);
    // 54 minutes on: 6 minutes left, outside the 5-minute window.
    clock.advance(Duration::from_secs(54 * 60));
    clients.create_instance_connection().await.unwrap();
    assert_eq!(server.token_fetches(), 1);
    // 56 minutes on: inside the window, so the next call refreshes first.
    server.set_token_expires_at(clock.now() + Duration::from_secs(3600));
    clock.advance(Duration::from_secs(2 * 60));
    clients.verify_and_create_vpc_ep().await.unwrap();
    assert_eq!(server.token_fetches(), 2);

    let issued = server.issued_tokens();
    let used: Vec<String> = server.requests().iter().map(token_of).collect();
    assert_eq!(
        used,
        [issued[0].clone(), issued[0].clone(), issued[1].clone()]
    );
}

#[tokio::test]
async fn iam_refreshes_once_on_401_then_errors_clearly() {
    let server = start().await;
    server.set_iam_user(iam_user());
    let clock = ManualClock::new(SystemTime::now());
    server.set_token_expires_at(clock.now() + Duration::from_secs(24 * 3600));
    // Retries off: the resend after a refresh is authentication's, not a retry.
    let runtime = iam_runtime(&server, &clock).with_retry(cloud_sdk_runtime::RetryPolicy::off());
    let clients = Clients::new(&server.base_url(), runtime);

    clients.show_vpcep_connection().await.unwrap();
    // A while later the token stops working early: one 401, one refresh, one retry that
    // succeeds.
    clock.advance(cloud_sdk_runtime::huawei::DEFAULT_MIN_FETCH_INTERVAL);
    server.revoke_tokens();
    clients.create_instance_connection().await.unwrap();
    assert_eq!(server.token_fetches(), 2);
    let outcomes: Vec<bool> = server
        .requests()
        .iter()
        .map(|r| matches!(r.auth, AuthOutcome::Token(_)))
        .collect();
    assert_eq!(outcomes, [true, false, true]);

    // Every token is refused, after the wait a refresh for a refused token starts: exactly
    // one refresh and one retry, then a clear error.
    clock.advance(2 * cloud_sdk_runtime::huawei::DEFAULT_MIN_FETCH_INTERVAL);
    server.reject_all_tokens(true);
    let err = clients.verify_and_create_vpc_ep().await.unwrap_err();
    assert!(
        err.contains("refused the IAM token twice") && err.contains("401"),
        "{err}"
    );
    assert_eq!(server.token_fetches(), 3);
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn iam_wrong_password_is_a_clear_error_and_nothing_is_sent() {
    let server = start().await;
    server.set_iam_user(iam_user());
    let runtime = Runtime::builder(TokenAuth::from_provider(iam_provider(
        &server,
        "wrong-password",
    )))
    .allow_insecure_http(true)
    .build()
    .unwrap();
    let clients = Clients::new(&server.base_url(), runtime);
    let errors = clients.call_each().await;
    assert_eq!(errors.len(), 3);
    for err in &errors {
        assert!(
            err.contains("HUAWEICLOUD_SDK_PASSWORD") && err.contains("401"),
            "{err}"
        );
        assert!(!err.contains("wrong-password"), "{err}");
    }
    assert_eq!(server.token_fetches(), 0);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn iam_error_text_never_carries_the_password_even_when_iam_echoes_the_request() {
    const ECHOED: &str = "Echoed_pw-must-never-appear-7";
    let server = start().await;
    server.set_iam_user(iam_user());
    server.set_iam_echo(true);
    let client = |password: &str| {
        Clients::new(
            &server.base_url(),
            Runtime::builder(TokenAuth::from_provider(iam_provider(&server, password)))
                .allow_insecure_http(true)
                .build()
                .unwrap(),
        )
    };
    // A refused password (401, echoing the body), and IAM failing with 500 (echoing it too).
    let refused = client(ECHOED).show_vpcep_connection().await.unwrap_err();
    server.set_iam_failure(Some(500));
    let failed = client(ECHOED).show_vpcep_connection().await.unwrap_err();
    for err in [&refused, &failed] {
        assert!(!err.contains(ECHOED), "the password is in the error: {err}");
        // What IAM said in its documented fields still shows, the password replaced.
        assert!(err.contains("IAM.0") && err.contains("***"), "{err}");
        // Bounded: the documented message is cut, not the whole body.
        assert!(err.len() < 1500, "{} bytes: {err}", err.len());
    }
    assert!(refused.contains("IAM refused the password"), "{refused}");
    let logs = String::from_utf8(captured().0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("IAM.0001"), "the refusal was logged");
    assert!(!logs.contains(ECHOED), "the password is in the logs");
}

/// One ShowVpcepConnection call at `base_url` through `runtime`, which must fail.
async fn failed_show(base_url: &str, runtime: Runtime) -> css::ApiError {
    css::Client::new(base_url, runtime)
        .show_vpcep_connection()
        .project_id(PROJECT)
        .cluster_id("5c77b71c-5b35-4f50-8984-76387e42451a")
        .call()
        .await
        .expect_err("the call fails")
}

#[tokio::test]
async fn a_token_answer_echoing_the_request_is_quoted_scrubbed_and_cut() {
    let server = start().await;
    server.set_iam_user(iam_user());
    server.set_iam_echo(true);
    let runtime = Runtime::builder(TokenAuth::from_provider(iam_provider(&server, PASSWORD)))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let err = failed_show(&server.base_url(), runtime).await;
    let text = format!("{err} {err:?}");
    assert!(text.contains("token.expires_at"), "{text}");
    assert!(
        !text.contains(PASSWORD),
        "the password is in the error: {text}"
    );
    assert!(!text.contains("MIIT-"), "the token is in the error: {text}");
    assert!(
        err.to_string().len() < 1000,
        "{} bytes: {err}",
        err.to_string().len()
    );
    assert_eq!(
        err.kind(),
        cloud_sdk_runtime::ErrorKind::CredentialsUnavailable
    );
}

#[tokio::test]
async fn a_token_answer_over_the_size_limit_is_response_too_large() {
    let server = start().await;
    server.set_iam_user(iam_user());
    // IAM's answer (about 150 bytes) is over this limit; nothing else is read.
    let runtime = Runtime::builder(TokenAuth::from_provider(iam_provider(&server, PASSWORD)))
        .allow_insecure_http(true)
        .max_response_bytes(32)
        .build()
        .unwrap();
    let err = failed_show(&server.base_url(), runtime).await;
    assert_eq!(
        err.kind(),
        cloud_sdk_runtime::ErrorKind::ResponseTooLarge,
        "{err}"
    );
    assert_eq!(server.iam_posts(), 1);
}

/// A service that quotes the token it was sent, in its error message and in a header, as a
/// misconfigured gateway might: the error's text, `Debug` and `message()` show `***` instead,
/// for a refusal (401) and for any other error status alike.
#[tokio::test]
async fn a_token_the_service_echoes_is_not_in_the_error() {
    const TOKEN: &str = "MIIE-static-token-echoed-0xBEEF";
    for status in [400, 401] {
        let server = RawServer::start(move |request, _| {
            let sent = request
                .header("x-auth-token")
                .unwrap_or_default()
                .to_owned();
            let body = serde_json::json!({
                "error_code": "CSS.0001",
                "error_msg": format!("token {sent} is not valid here"),
            });
            Reply::json(status, &body.to_string()).header("x-auth-token", &sent)
        })
        .await
        .unwrap();
        let runtime = Runtime::builder(TokenAuth::static_token(TOKEN).unwrap())
            .build()
            .unwrap();
        let err = failed_show(&server.base_url(), runtime).await;
        assert_eq!(server.requests()[0].header("x-auth-token"), Some(TOKEN));
        assert_eq!(err.code(), Some("CSS.0001"), "{err}");
        let texts = [
            err.to_string(),
            format!("{err:?}"),
            err.message().unwrap_or_default().to_owned(),
        ];
        for text in &texts {
            assert!(
                !text.contains(TOKEN),
                "HTTP {status}: the token is in {text}"
            );
            assert!(
                text.contains("token *** is not valid here"),
                "HTTP {status}: {text}"
            );
        }
    }
}

/// Echoes anywhere in an answer: a long token in a non-JSON 200 body (the quoted start of the
/// body is scrubbed before it is cut), as the error code and as the request id; an AK/SK
/// `Authorization` header quoted back shows no access key id.
#[tokio::test]
async fn echoes_in_any_part_of_an_answer_are_scrubbed() {
    let token = format!("MIIT{}", "tOkEn".repeat(600));
    let echo_token = token.clone();
    let server = RawServer::start(move |request, n| {
        let sent = request
            .header("x-auth-token")
            .unwrap_or_default()
            .to_owned();
        match n {
            0 => Reply::streamed(
                200,
                integration_tests::raw_server::Body::Full(
                    format!("Invalid token: {sent}").into_bytes(),
                ),
            ),
            _ => Reply::json(
                400,
                &serde_json::json!({"error_code": sent, "error_msg": "no"}).to_string(),
            )
            .header("x-request-id", &echo_token),
        }
    })
    .await
    .unwrap();
    let runtime = || {
        Runtime::builder(TokenAuth::static_token(token.as_str()).unwrap())
            .build()
            .unwrap()
    };
    let not_json = failed_show(&server.base_url(), runtime()).await;
    assert_eq!(
        not_json.kind(),
        cloud_sdk_runtime::ErrorKind::InvalidResponse
    );
    let as_code = failed_show(&server.base_url(), runtime()).await;
    assert_eq!(as_code.code(), Some("***"));
    assert_eq!(as_code.request_id(), Some("***"));
    for err in [&not_json, &as_code] {
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("MIITtOkEn"),
            "part of the token is in {text}"
        );
    }
    assert!(
        not_json.to_string().contains("Invalid token: ***"),
        "{not_json}"
    );

    // AK/SK: the server quotes the Authorization header it got.
    let server = RawServer::start(|request, _| {
        let sent = request.header("authorization").unwrap_or_default().to_owned();
        let body = serde_json::json!({"error_code": "APIGW.0301", "error_msg": format!("bad signature in {sent}")});
        Reply::json(401, &body.to_string())
    })
    .await
    .unwrap();
    let err = failed_show(
        &server.base_url(),
        aksk_runtime(AkSkCredentials::new(AK, SK).unwrap()),
    )
    .await;
    let text = format!("{err} {err:?}");
    assert!(text.contains("Access=***"), "{text}");
    assert!(!text.contains(AK) && !text.contains(SK), "{text}");
}

/// A service that quotes the request body in its error, database password included: the
/// password (a `Secret` field of the body) is `***` in the error's text, `Debug` and
/// `message()`, with or without JSON escaping.
#[tokio::test]
async fn a_body_secret_the_service_echoes_is_not_in_the_error() {
    let server = RawServer::start(|request, _| {
        let body = serde_json::json!({
            "error_code": "DAS.0001",
            "error_msg": format!("bad request {}", String::from_utf8_lossy(&request.body)),
        });
        Reply::json(400, &body.to_string())
    })
    .await
    .unwrap();
    let runtime = Runtime::builder(TokenAuth::static_token("static-token-for-das").unwrap())
        .build()
        .unwrap();
    let clients = Clients::new(&server.base_url(), runtime);
    let err = clients
        .create_instance_connection_request()
        .call()
        .await
        .unwrap_err();
    assert!(
        String::from_utf8_lossy(&server.requests()[0].body).contains(DB_PASSWORD),
        "the password was sent"
    );
    for text in [
        err.to_string(),
        format!("{err:?}"),
        err.message().unwrap_or_default().to_owned(),
    ] {
        assert!(!text.contains(DB_PASSWORD), "the password is in {text}");
        assert!(text.contains("password") && text.contains("***"), "{text}");
    }
    assert!(err.to_string().contains("\"password\":\"***\""), "{err}");
}

/// A service that quotes the request body re-encoded as many JSON encoders write it, with
/// `\uXXXX` for every non-ASCII character and `\/` for a slash (Python's `json.dumps`, PHP's
/// `json_encode`): the password is `***` all the same, in the message and in the start of a
/// body that is not the documented JSON.
#[tokio::test]
async fn a_body_secret_the_service_echoes_with_other_json_escapes_is_not_in_the_error() {
    const PASSWORD: &str = "Gauß/2345";
    let ascii_escaped = |text: &str| -> String {
        text.chars()
            .map(|c| match c {
                '/' => "\\/".to_owned(),
                c if c.is_ascii() => c.to_string(),
                c => format!("\\u{:04x}", u32::from(c)),
            })
            .collect()
    };
    let server = RawServer::start(move |request, n| {
        let echoed = ascii_escaped(&String::from_utf8_lossy(&request.body));
        match n {
            0 => Reply::json(
                400,
                &format!(
                    r#"{{"error_code": "DAS.0001", "error_msg": "bad request {}"}}"#,
                    echoed.replace('\\', "\\\\").replace('"', "\\\"")
                ),
            ),
            // The password first: the error quotes the start of the body only.
            _ => {
                let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
                let password = ascii_escaped(&sent["password"].to_string());
                Reply::json(200, &format!("echo: {password} in {echoed}"))
            }
        }
    })
    .await
    .unwrap();
    let runtime = Runtime::builder(TokenAuth::static_token("static-token-for-das").unwrap())
        .build()
        .unwrap();
    let clients = Clients::new(&server.base_url(), runtime);
    let call = || {
        clients
            .das
            .create_instance_connection()
            .project_id(PROJECT)
            .instance_id("bcfa975193f1402fa11a6d4fd6baf5fbin01")
            .body(integration_tests::examples::das_body(PASSWORD))
            .call()
    };
    let refused = call().await.unwrap_err();
    let not_json = call().await.unwrap_err();
    assert!(
        String::from_utf8_lossy(&server.requests()[0].body).contains(PASSWORD),
        "the password was sent"
    );
    for err in [&refused, &not_json] {
        for text in [
            err.to_string(),
            format!("{err:?}"),
            err.message().unwrap_or_default().to_owned(),
        ] {
            assert!(
                !text.contains("Gau\\u00df") && !text.contains("2345"),
                "the password is in {text}"
            );
        }
    }
    assert!(refused.to_string().contains("***"), "{refused}");
}

#[tokio::test]
async fn iam_refused_password_costs_one_post_within_the_back_off() {
    let server = start().await;
    server.set_iam_user(iam_user());
    let clock = ManualClock::new(SystemTime::now());
    let cache = TokenCache::new(iam_provider(&server, "wrong-password"))
        .with_clock(Arc::new(clock.clone()));
    let clients = Clients::new(
        &server.base_url(),
        Runtime::builder(TokenAuth::from_cache(cache))
            .allow_insecure_http(true)
            .build()
            .unwrap(),
    );
    for _ in 0..10 {
        let err = clients.show_vpcep_connection().await.unwrap_err();
        assert!(err.contains("IAM refused the password"), "{err}");
    }
    assert_eq!(server.iam_posts(), 1, "10 calls, one password POST");
    assert!(server.requests().is_empty(), "nothing sent without a token");
    // After the back-off, one more try.
    clock.advance(cloud_sdk_runtime::huawei::DEFAULT_REFUSED_BACKOFF);
    clients.show_vpcep_connection().await.unwrap_err();
    assert_eq!(server.iam_posts(), 2);
}

/// IAM takes the password and never answers, and each call's time limit (shorter than the
/// attempt's) runs out while the login is still waiting: that login is a setback like any
/// other, so the calls after it fail at once without sending the password again.
#[tokio::test]
async fn a_login_cut_short_by_the_call_time_limit_is_not_sent_again_at_once() {
    use cloud_sdk_runtime::ErrorKind;
    let server = RawServer::start(|request, _| {
        if request.target.starts_with("/v3/auth/tokens") {
            Reply::Hang
        } else {
            Reply::json(200, r#"{"connections": [], "total_count": 0}"#)
        }
    })
    .await
    .unwrap();
    let credentials = IamPassword::new("alice", PASSWORD, "acme", ProjectScope::Id(PROJECT.into()));
    let provider = IamPasswordProvider::new(&server.base_url(), credentials).unwrap();
    let runtime = Runtime::builder(TokenAuth::from_provider(provider))
        .call_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let css = css::Client::new(&server.base_url(), runtime);
    let mut kinds = Vec::new();
    for _ in 0..3 {
        let e = css
            .show_vpcep_connection()
            .project_id(PROJECT)
            .cluster_id("5c77b71c-5b35-4f50-8984-76387e42451a")
            .call()
            .await
            .unwrap_err();
        kinds.push(e.kind());
    }
    let logins = server
        .requests()
        .iter()
        .filter(|r| r.target.starts_with("/v3/auth/tokens"))
        .count();
    assert_eq!(logins, 1, "three calls, one password POST");
    assert_eq!(
        kinds,
        [
            ErrorKind::TimedOut,
            ErrorKind::CredentialsUnavailable,
            ErrorKind::CredentialsUnavailable
        ]
    );
}

/// A minute of calls, one every quarter of a second by the token cache's clock, with
/// `before_each` run before each call at its second; returns each call's error kind.
async fn a_minute_of_calls(
    css: &css::Client,
    clock: &ManualClock,
    before_each: impl Fn(u64),
) -> Vec<cloud_sdk_runtime::ErrorKind> {
    let mut kinds = Vec::new();
    for quarter in 0..240u64 {
        before_each(quarter / 4);
        let e = css
            .show_vpcep_connection()
            .project_id(PROJECT)
            .cluster_id("5c77b71c-5b35-4f50-8984-76387e42451a")
            .call()
            .await
            .unwrap_err();
        kinds.push(e.kind());
        clock.advance(Duration::from_millis(250));
    }
    kinds
}

/// IAM answers 503 for half a minute, then refuses the password: a minute of calls costs at
/// most two password logins (the README's number), and sends nothing to the service.
#[tokio::test]
async fn a_minute_of_calls_against_iam_answering_503_then_401_costs_at_most_two_logins() {
    use cloud_sdk_runtime::ErrorKind;
    let server = start().await;
    server.set_iam_user(iam_user());
    server.set_iam_failure(Some(503));
    let clock = ManualClock::new(SystemTime::now());
    let css = css::Client::new(&server.base_url(), iam_runtime(&server, &clock));
    let kinds = a_minute_of_calls(&css, &clock, |second| {
        if second == 30 {
            server.set_iam_failure(Some(401));
        }
    })
    .await;
    assert!(server.iam_posts() <= 2, "{} logins", server.iam_posts());
    assert!(server.requests().is_empty(), "nothing sent without a token");
    assert_eq!(kinds[0], ErrorKind::CredentialsUnavailable);
    assert!(
        kinds.iter().all(|k| matches!(
            k,
            ErrorKind::CredentialsUnavailable | ErrorKind::LoginRefused
        )),
        "{kinds:?}"
    );
    // Once IAM recovers and the wait is over, one login, and calls go through.
    server.set_iam_failure(None);
    clock.advance(cloud_sdk_runtime::huawei::DEFAULT_REFUSED_BACKOFF);
    let posts = server.iam_posts();
    css.show_vpcep_connection()
        .project_id(PROJECT)
        .cluster_id("5c77b71c-5b35-4f50-8984-76387e42451a")
        .call()
        .await
        .unwrap();
    assert_eq!(server.iam_posts(), posts + 1);
}

/// An API that refuses every token, however fresh: a minute of calls costs at most two
/// logins (the README's number); each call fails as a refusal of credentials carrying the
/// service's answer.
#[tokio::test]
async fn a_minute_of_calls_against_an_api_refusing_every_token_costs_at_most_two_logins() {
    use cloud_sdk_runtime::ErrorKind;
    let server = start().await;
    server.set_iam_user(iam_user());
    server.reject_all_tokens(true);
    let clock = ManualClock::new(SystemTime::now());
    let runtime = iam_runtime(&server, &clock);
    let css = css::Client::new(&server.base_url(), runtime);
    let kinds = a_minute_of_calls(&css, &clock, |_| {}).await;
    assert!(server.iam_posts() <= 2, "{} logins", server.iam_posts());
    assert!(
        kinds.iter().all(|k| *k == ErrorKind::CredentialsRejected),
        "{kinds:?}"
    );
    let e = css
        .show_vpcep_connection()
        .project_id(PROJECT)
        .cluster_id("5c77b71c-5b35-4f50-8984-76387e42451a")
        .call()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(e.code(), Some("APIGW.0301"));
    assert!(e.request_id().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_token_expired_on_arrival_costs_one_fetch_and_warns_of_clock_skew() {
    let server = start().await;
    server.set_iam_user(iam_user());
    // This machine's clock is two hours ahead of IAM's: the token is expired on arrival.
    let clock = ManualClock::new(SystemTime::now() + Duration::from_secs(2 * 3600));
    server.set_token_expires_at(SystemTime::now() + Duration::from_secs(3600));
    let clients = Arc::new(Clients::new(
        &server.base_url(),
        iam_runtime(&server, &clock),
    ));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let clients = clients.clone();
        tasks.spawn(async move { clients.show_vpcep_connection().await });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    assert_eq!(server.token_fetches(), 1, "20 concurrent calls, one fetch");
    assert_eq!(server.requests().len(), 20);
    let logs = String::from_utf8(captured().0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("clock skew"),
        "no clock-skew warning in:\n{logs}"
    );
}

#[tokio::test]
async fn token_auth_refuses_plain_http_to_another_machine() {
    // `.invalid` never resolves: a client that failed to refuse would fail to connect, and
    // nothing leaves this machine either way.
    const REMOTE_HTTP: &str = "http://huawei-test.invalid:8080";
    let server = start().await;
    server.set_iam_user(iam_user());
    server.accept_token("static-token-secret");
    // The service URL is plain http to another machine, and the runtime was not told to allow it.
    let runtime = Runtime::builder(TokenAuth::static_token("static-token-secret").unwrap())
        .build()
        .unwrap();
    let err = Clients::new(REMOTE_HTTP, runtime)
        .show_vpcep_connection()
        .await
        .unwrap_err();
    assert!(
        err.contains("refusing") && err.contains("https://"),
        "{err}"
    );

    // An IAM password runtime refuses too, before any token request.
    let credentials = IamPassword::new("alice", PASSWORD, "acme", ProjectScope::Id(PROJECT.into()));
    let provider = IamPasswordProvider::new(&server.base_url(), credentials.clone()).unwrap();
    let runtime = Runtime::builder(TokenAuth::from_provider(provider))
        .build()
        .unwrap();
    let err = Clients::new(REMOTE_HTTP, runtime)
        .show_vpcep_connection()
        .await
        .unwrap_err();
    assert!(err.contains("refusing"), "{err}");
    assert_eq!(server.token_fetches(), 0);

    // Plain http to a loopback address never leaves the machine: allowed without the switch,
    // for the IAM endpoint too (the token is fetched over the loopback server's http://).
    let provider = IamPasswordProvider::new(&server.base_url(), credentials).unwrap();
    let runtime = Runtime::builder(TokenAuth::from_provider(provider))
        .build()
        .unwrap();
    Clients::new(&server.base_url(), runtime)
        .show_vpcep_connection()
        .await
        .unwrap();
    assert_eq!(server.token_fetches(), 1);
}

#[tokio::test]
async fn no_secret_in_debug_or_tracing_output() {
    let server = start().await;
    server.add_access_key(AK, SK);
    server.set_iam_user(iam_user());
    server.accept_token("static-token-secret");

    let aksk = Clients::new(
        &server.base_url(),
        aksk_runtime(
            AkSkCredentials::new(AK, SK)
                .unwrap()
                .with_security_token("sts-token-secret")
                .unwrap(),
        ),
    );
    let clock = ManualClock::new(SystemTime::now());
    let iam = Clients::new(&server.base_url(), iam_runtime(&server, &clock));
    let static_token = TokenAuth::static_token("static-token-secret").unwrap();
    let fixed = Clients::new(
        &server.base_url(),
        Runtime::builder(static_token)
            .allow_insecure_http(true)
            .build()
            .unwrap(),
    );
    let bad_password = Clients::new(
        &server.base_url(),
        Runtime::builder(TokenAuth::from_provider(iam_provider(
            &server,
            "wrong-password-secret",
        )))
        .allow_insecure_http(true)
        .build()
        .unwrap(),
    );
    for clients in [&aksk, &iam, &fixed] {
        assert_eq!(clients.call_each().await, Vec::<String>::new());
    }
    let errors = bad_password.call_each().await;
    // A token refused a while after it was fetched: refreshed and sent again.
    clock.advance(cloud_sdk_runtime::huawei::DEFAULT_MIN_FETCH_INTERVAL);
    server.revoke_tokens();
    iam.show_vpcep_connection().await.unwrap();

    let mut text = String::from_utf8(captured().0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("fetching a token") && text.contains("SDK-HMAC-SHA256"),
        "tracing was captured:\n{text}"
    );
    for clients in [&aksk, &iam, &fixed, &bad_password] {
        text.push_str(&format!(
            "{:?} {:?} {:?}",
            clients.css, clients.das, clients.dataarts
        ));
    }
    text.push_str(&errors.join("\n"));
    let parts = cloud_sdk_runtime::huawei::from_vars(&das::Client::SERVICE, |name| match name {
        "HUAWEICLOUD_SDK_USERNAME" => Some("alice".into()),
        "HUAWEICLOUD_SDK_PASSWORD" => Some(PASSWORD.into()),
        "HUAWEICLOUD_SDK_DOMAIN_NAME" => Some("acme".into()),
        "HUAWEICLOUD_SDK_REGION" => Some("cn-north-4".into()),
        _ => None,
    })
    .unwrap();
    text.push_str(&format!(
        "{parts:?} {:?}",
        das::Client::from_parts(parts.clone())
    ));

    let mut secrets: Vec<String> = vec![
        SK.into(),
        PASSWORD.into(),
        "wrong-password-secret".into(),
        "sts-token-secret".into(),
        "static-token-secret".into(),
        DB_PASSWORD.into(),
    ];
    secrets.extend(server.issued_tokens());
    for r in server.requests() {
        if let Some(auth) = r.header("authorization") {
            secrets.push(auth.to_owned());
            secrets.extend(auth.rsplit("Signature=").next().map(str::to_owned));
        }
    }
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret:?} appears in:\n{text}"
        );
    }
}

#[test]
fn from_env_builds_each_client() {
    captured();
    let vars = |name: &str| match name {
        "HUAWEICLOUD_SDK_AK" => Some(AK.to_owned()),
        "HUAWEICLOUD_SDK_SK" => Some(SK.to_owned()),
        "HUAWEICLOUD_SDK_PROJECT_ID" => Some(PROJECT.to_owned()),
        "HUAWEICLOUD_SDK_REGION" => Some("cn-north-4".to_owned()),
        _ => None,
    };
    for (service, host) in [
        (
            css::Client::SERVICE,
            "https://css.cn-north-4.myhuaweicloud.com",
        ),
        (
            das::Client::SERVICE,
            "https://das.cn-north-4.myhuaweicloud.com",
        ),
        (
            dataarts::Client::SERVICE,
            "https://dataartsinsight.cn-north-4.myhuaweicloud.com",
        ),
    ] {
        let parts = cloud_sdk_runtime::huawei::from_vars(&service, vars).unwrap();
        assert_eq!(parts.base_url, host);
        assert_eq!(parts.runtime.authenticator().scheme(), "aksk");
        assert!(!format!("{parts:?}").contains(SK));
    }
    let css = css::Client::from_parts(
        cloud_sdk_runtime::huawei::from_vars(&css::Client::SERVICE, vars).unwrap(),
    );
    assert!(!format!("{css:?}").contains(SK));
}
