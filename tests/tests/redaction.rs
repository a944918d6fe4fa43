//! Secrets stay secret: every type that carries one prints `***` in `Debug`, and nothing the
//! clients (or the HTTP stack under them) log at any level contains a secret. A test binary of
//! its own, because it installs a global TRACE subscriber.

use std::sync::{Arc, Mutex};

use cloud_sdk_runtime::{
    Runtime, Secret,
    huawei::{AkSkAuth, AkSkCredentials, TokenAuth},
    oceanbase::Credentials,
};
use integration_tests::huawei_server::HuaweiServer;

const AK: &str = "HPUAREDACTIONTESTAK01";
const SK: &str = "sk-must-never-appear-0xC0FFEE";
const TOKEN: &str = "MIIE-token-must-never-appear-0xBEEF";
const PASSWORD: &str = "Gauss_2345-never-appear";
const OB_SK: &str = "ob-secret-must-never-appear";

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
    let aksk_runtime = Runtime::builder(AkSkAuth::new(aksk))
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
        !logs.contains(&signature),
        "the signature was logged: {logs}"
    );
    assert!(
        !logs.contains("is_save_password"),
        "the request body was logged: {logs}"
    );
}
