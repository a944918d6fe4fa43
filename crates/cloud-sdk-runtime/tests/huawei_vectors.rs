//! Checks the `SDK-HMAC-SHA256` signer against the vectors produced by Huawei Cloud's official
//! Python signer (`tests/vectors/huawei-sdk-hmac-sha256/`), byte for byte at every step: the
//! pure core from the headers the official signer signed, and the `reqwest` adapter from the
//! request as a client builds it.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

use std::{fs, path::PathBuf};

use cloud_sdk_runtime::{
    Secret,
    huawei::{AkSkCredentials, sign, sign_request_at},
};
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

struct Case {
    name: String,
    request: Value,
    canonical_request: String,
    string_to_sign: String,
    authorization: String,
    signed_request: Value,
}

fn cases() -> Vec<Case> {
    let root =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/huawei-sdk-hmac-sha256");
    let mut cases = Vec::new();
    for entry in fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let read = |file: &str| {
            fs::read_to_string(dir.join(file))
                .unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
        };
        cases.push(Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            request: serde_json::from_str(&read("request.json")).unwrap(),
            canonical_request: read("canonical-request.txt"),
            string_to_sign: read("string-to-sign.txt"),
            authorization: read("authorization.txt"),
            signed_request: serde_json::from_str(&read("signed-request.json")).unwrap(),
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        cases.len() >= 10,
        "expected the vector folders, found {}",
        cases.len()
    );
    cases
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing"))
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn credentials(request: &Value) -> AkSkCredentials {
    let c = &request["credentials"];
    let mut creds = AkSkCredentials::new(str_of(c, "ak"), str_of(c, "sk")).unwrap();
    if let Some(p) = c["project_id"].as_str() {
        creds = creds.with_project_id(p).unwrap();
    }
    if let Some(t) = c["security_token"].as_str() {
        creds = creds.with_security_token(t).unwrap();
    }
    creds
}

#[test]
fn pure_core_matches_every_step() {
    for case in cases() {
        let r = &case.request;
        let body = str_of(r, "body").as_bytes();
        let mut signable = sign::SignableRequest::new(
            str_of(r, "method"),
            str_of(r, "path"),
            sign::Payload::Bytes(body),
        );
        for (k, v) in pairs(&r["query"]) {
            signable = signable.query_param(k, v);
        }
        // The headers the official signer ended with are the headers it signed (and sent).
        for (name, value) in pairs(&case.signed_request["headers"]) {
            if !name.eq_ignore_ascii_case("authorization") {
                signable = signable.header(name, value);
            }
        }
        let c = &r["credentials"];
        let signed = sign::sign(
            &signable,
            str_of(c, "ak"),
            &Secret::new(str_of(c, "sk")),
            str_of(r, "date"),
        );
        assert_eq!(
            signed.canonical_request().as_str(),
            case.canonical_request,
            "{}: canonical request",
            case.name
        );
        assert_eq!(
            signed.string_to_sign(),
            case.string_to_sign,
            "{}: string to sign",
            case.name
        );
        assert_eq!(
            signed.authorization(),
            case.authorization,
            "{}: Authorization",
            case.name
        );
        assert!(
            case.authorization.ends_with(signed.signature()),
            "{}: signature",
            case.name
        );
    }
}

#[test]
fn reqwest_adapter_matches_the_signed_request() {
    let client = reqwest::Client::new();
    for case in cases() {
        let r = &case.request;
        let mut url = url::Url::parse(&format!(
            "https://{}{}",
            str_of(r, "host"),
            str_of(r, "path")
        ))
        .unwrap();
        assert_eq!(
            url.path(),
            str_of(r, "path"),
            "{}: the URL must keep the wire path",
            case.name
        );
        let query = pairs(&r["query"]);
        if !query.is_empty() {
            // Built the way reqwest's `.query()` builds it (form encoding, `+` for spaces).
            url.query_pairs_mut().extend_pairs(query.iter());
        }
        let mut builder = client.request(str_of(r, "method").parse().unwrap(), url);
        for (name, value) in pairs(&r["headers"]) {
            builder = builder.header(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
        let body = str_of(r, "body");
        if !body.is_empty() {
            builder = builder.body(body.to_owned());
        }
        let mut request = builder.build().unwrap();

        sign_request_at(&credentials(r), &mut request, str_of(r, "date")).unwrap();

        let uri = match request.url().query() {
            Some(q) => format!("{}?{q}", request.url().path()),
            None => request.url().path().to_owned(),
        };
        assert_eq!(
            uri,
            str_of(&case.signed_request, "uri"),
            "{}: request URI",
            case.name
        );
        for (name, value) in pairs(&case.signed_request["headers"]) {
            if name.eq_ignore_ascii_case("host") {
                // hyper writes Host from the URL; the adapter signs that value.
                assert_eq!(request.headers().get("host"), None, "{}", case.name);
                let port = request
                    .url()
                    .port()
                    .map(|p| format!(":{p}"))
                    .unwrap_or_default();
                assert_eq!(
                    format!("{}{port}", request.url().host_str().unwrap()),
                    value,
                    "{}: host",
                    case.name
                );
                continue;
            }
            let got = request
                .headers()
                .get(name.as_str())
                .unwrap_or_else(|| panic!("{}: {name} missing", case.name));
            assert_eq!(
                String::from_utf8_lossy(got.as_bytes()).trim(),
                value.trim(),
                "{}: header {name}",
                case.name
            );
        }
        let auth = request.headers().get("authorization").unwrap();
        assert!(
            auth.is_sensitive(),
            "{}: Authorization must be marked sensitive",
            case.name
        );
        assert_eq!(
            auth.to_str().unwrap(),
            case.authorization,
            "{}: Authorization",
            case.name
        );
        assert_eq!(
            request.headers().len(),
            case.signed_request["headers"].as_array().unwrap().len() - 1,
            "{}: no header besides the official signer's (Host aside)",
            case.name
        );
    }
}

#[test]
fn guide_worked_example_gives_the_published_signature() {
    // The signing guide publishes this signature for its example; the official signer agrees.
    let case = cases()
        .into_iter()
        .find(|c| c.name == "guide-worked-example")
        .unwrap();
    assert!(
        case.authorization.ends_with(
            "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        )
    );
    assert!(
        case.string_to_sign
            .ends_with("b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a")
    );
}
