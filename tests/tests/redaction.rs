//! Secrets stay secret: every type that carries one prints `***` in `Debug`, and nothing the
//! clients (or the HTTP stack under them) log at any level contains a secret. A test binary of
//! its own, because it installs a global TRACE subscriber.

use std::sync::{Arc, Mutex};

use cloud_sdk_runtime::{
    ClientParts, Runtime, Secret,
    huawei::{
        self, AkSkAuth, AkSkCredentials, IamPassword, IamPasswordProvider, ProjectScope, TokenAuth,
    },
    oceanbase::Credentials,
};
use integration_tests::huawei_server::HuaweiServer;

const AK: &str = "HPUAREDACTIONTESTAK01";
const SK: &str = "sk-must-never-appear-0xC0FFEE";
const TOKEN: &str = "MIIE-token-must-never-appear-0xBEEF";
const PASSWORD: &str = "Gauss_2345-never-appear";
const OB_SK: &str = "ob-secret-must-never-appear";
const URL_SECRET: &str = "url-secret-must-never-appear";
/// An unusual page size, to find the query string in the logs.
const QUERY_MARK: i32 = 987_654;

fn das_body() -> huaweicloud_das::types::CreateInstanceConnectionBody {
    integration_tests::examples::das_body(PASSWORD)
}

fn assert_clean(what: &str, text: &str) {
    for secret in [SK, TOKEN, PASSWORD, OB_SK] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_show_in_debug_or_traces() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber of this binary");

    // Debug of every secret-bearing value, the generated request body included.
    let body = das_body();
    let body_debug = format!("{body:?}");
    assert!(body_debug.contains("***"), "{body_debug}");
    assert_clean("the DAS body", &body_debug);
    let builder_debug = format!(
        "{:?}",
        huaweicloud_das::types::CreateInstanceConnectionBody::builder()
            .password(Secret::new(PASSWORD))
    );
    assert_clean("the DAS body builder", &builder_debug);
    let aksk = AkSkCredentials::new(AK, SK)
        .expect("credentials")
        .with_security_token(TOKEN)
        .expect("token");
    assert_clean("AK/SK credentials", &format!("{aksk:?}"));
    let aksk_runtime = Runtime::builder(AkSkAuth::new(aksk.clone()))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert_clean("an AK/SK runtime", &format!("{aksk_runtime:?}"));
    let token_runtime = Runtime::builder(TokenAuth::static_token(TOKEN).expect("token"))
        .build()
        .unwrap();
    assert_clean("a token runtime", &format!("{token_runtime:?}"));
    let ob = Credentials::new("ob-access-key", OB_SK);
    assert_clean("OceanBase credentials", &format!("{ob:?}"));
    // One key-id policy for both vendors: the first four characters, never the whole id.
    let ob_debug = format!("{ob:?} {:?}", ob.clone().into_authenticator());
    assert!(
        ob_debug.contains("ob-a…") && !ob_debug.contains("ob-access-key"),
        "{ob_debug}"
    );
    let aksk_debug = format!("{aksk:?}");
    assert!(
        aksk_debug.contains("HPUA…") && !aksk_debug.contains(AK),
        "{aksk_debug}"
    );

    // A whole signed call, with everything down to hyper logging at TRACE.
    let server = HuaweiServer::start().await.expect("server");
    server.add_access_key(AK, SK);
    let client = huaweicloud_das::Client::new(&server.base_url(), aksk_runtime);
    let operation = client
        .create_instance_connection()
        .project_id("p")
        .instance_id("i")
        .body(body);
    assert_clean("the operation builder", &format!("{operation:?}"));
    operation.call().await.expect("signed call succeeds");
    // A call with a query string: neither it nor the whole AK shows in any log line.
    let css = huaweicloud_css::Client::new(
        &server.base_url(),
        Runtime::builder(AkSkAuth::new(
            AkSkCredentials::new(AK, SK).expect("credentials"),
        ))
        .allow_insecure_http(true)
        .build()
        .expect("runtime"),
    );
    let _ = css
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .offset(QUERY_MARK)
        .call()
        .await;
    let recorded = server.requests();
    let authorization = recorded[0]
        .header("authorization")
        .expect("signed")
        .to_owned();
    let signature = authorization
        .rsplit("Signature=")
        .next()
        .expect("signature")
        .to_owned();
    // The body did carry the password on the wire (it must, to work)...
    assert!(String::from_utf8_lossy(&recorded[0].body).contains(PASSWORD));

    let logs = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf-8 logs");
    // ...and the capture did see the call (so the check below is not vacuous)...
    assert!(
        logs.contains("cloud_call") && logs.contains("create_instance_connection"),
        "{logs}"
    );
    // ...but no log line carries a secret, the signature or the body.
    assert_clean("the trace output", &logs);
    assert!(
        logs.contains("HPUA…"),
        "the key id prefix is logged: {logs}"
    );
    assert!(!logs.contains(AK), "the whole AK was logged: {logs}");
    assert!(
        !logs.contains(&QUERY_MARK.to_string()),
        "a query string was logged: {logs}"
    );
    assert!(
        !logs.contains(&signature),
        "the signature was logged: {logs}"
    );
    assert!(
        !logs.contains("is_save_password"),
        "the request body was logged: {logs}"
    );
}

/// Configuration values are described, not echoed: a URL loses its user-info (and query) in
/// errors and logs, and a value that fails to parse (a secret pasted into the wrong variable)
/// is described by its shape.
#[test]
fn configured_values_are_described_not_echoed() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let with_user_info = format!("https://alice:{URL_SECRET}@das.example/stem?sig={URL_SECRET}");
    let plain_http = format!("http://alice:{URL_SECRET}@das.example");
    let not_a_url = format!("{URL_SECRET} pasted here");
    let mut errors = Vec::new();
    tracing::subscriber::with_default(subscriber, || {
        let vars = |endpoint: &str, region: &str| {
            let (endpoint, region) = (endpoint.to_owned(), region.to_owned());
            move |name: &str| match name {
                "HUAWEICLOUD_SDK_AK" => Some(AK.to_owned()),
                "HUAWEICLOUD_SDK_SK" => Some(SK.to_owned()),
                "HUAWEICLOUD_SDK_ENDPOINT_DAS" if !endpoint.is_empty() => Some(endpoint.clone()),
                "HUAWEICLOUD_SDK_REGION" if !region.is_empty() => Some(region.clone()),
                _ => None,
            }
        };
        let das = huaweicloud_das::Client::SERVICE;
        // Refused (credentials are never configured in a URL), without echoing the user-info.
        let e = huawei::from_vars(&das, vars(&with_user_info, "")).expect_err("user-info");
        assert!(e.to_string().contains("user-info"), "{e}");
        assert!(!e.to_string().contains(URL_SECRET), "{e}");
        for (endpoint, region) in [
            (plain_http.as_str(), ""),
            (not_a_url.as_str(), ""),
            ("", not_a_url.as_str()),
            ("", "Gauss_2345-never-appear"),
        ] {
            let e = huawei::from_vars(&das, vars(endpoint, region)).expect_err(endpoint);
            errors.push(e.to_string());
        }
        let runtime = || {
            Runtime::builder(TokenAuth::static_token(TOKEN).expect("token"))
                .build()
                .expect("runtime")
        };
        for url in [format!("ftp://alice:{URL_SECRET}@h/"), not_a_url.clone()] {
            errors.push(
                ClientParts::new(url, runtime())
                    .expect_err("bad URL")
                    .to_string(),
            );
        }
        let password = || IamPassword::new("alice", PASSWORD, "acme", ProjectScope::Id("p".into()));
        for url in [
            format!("ftp://alice:{URL_SECRET}@iam.example/"),
            not_a_url.clone(),
        ] {
            errors.push(
                IamPasswordProvider::new(&url, password())
                    .expect_err("bad URL")
                    .to_string(),
            );
        }
    });
    assert_eq!(errors.len(), 8);
    for e in &errors {
        assert!(
            !e.contains(URL_SECRET) && !e.contains("alice") && !e.contains(PASSWORD),
            "a configured value was echoed: {e}"
        );
    }
    // The errors still say what to fix.
    assert!(
        errors[0].contains("HUAWEICLOUD_SDK_ENDPOINT_DAS") && errors[0].contains("das.example")
    );
    assert!(errors[1].contains("characters"), "{}", errors[1]);
    assert!(
        errors[2].contains("HUAWEICLOUD_SDK_REGION"),
        "{}",
        errors[2]
    );
    assert!(errors[3].contains("upper-case"), "{}", errors[3]);
    let logs = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf-8 logs");
    assert!(logs.contains("das.example/stem"), "{logs}");
    assert!(
        !logs.contains(URL_SECRET) && !logs.contains("alice"),
        "{logs}"
    );
}
