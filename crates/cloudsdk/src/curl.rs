//! `--dry-run`: the request as a curl command that runs when pasted into a POSIX shell.
//! Secrets appear only as shell variables (`"$OCEANBASE_ACCESS_KEY_SECRET"`); a Huawei AK/SK
//! request carries the signature computed for this exact request by the runtime's signer.

use std::time::SystemTime;

use cloud_sdk_runtime::{huawei, oceanbase};

use crate::{
    Failure,
    catalog::{Api, Auth},
    request::Call,
    send::{self, Target},
    settings::Settings,
};

/// `value` quoted for a POSIX shell: as it is when it holds only characters no shell treats
/// specially, else in single quotes (a `'` inside written as `'\''`), which keep spaces, `$`,
/// backquotes, backslashes and newlines literal.
pub fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// One argument of the command: a literal, or text with shell variables (double-quoted, the
/// text around them holding no character special inside double quotes).
enum Word {
    Literal(String),
    Expand(String),
}

fn header(name: &str, value: &str) -> [Word; 2] {
    [
        Word::Literal("-H".into()),
        Word::Literal(format!("{name}: {value}")),
    ]
}

fn render(words: Vec<Word>) -> String {
    let mut out = String::from("curl");
    for (i, word) in words.into_iter().enumerate() {
        let text = match word {
            Word::Literal(s) => quote(&s),
            Word::Expand(s) => format!("\"{s}\""),
        };
        // A new line before each option, so that long commands stay readable.
        if i > 0 && text.starts_with('-') {
            out.push_str(" \\\n ");
        }
        out.push(' ');
        out.push_str(&text);
    }
    out
}

/// The curl command for `call` to `api` at `target`.
pub(crate) fn dry_run(
    api: &Api,
    target: &Target,
    call: &Call,
    settings: &Settings,
) -> Result<String, Failure> {
    let mut words = vec![
        Word::Literal("--fail-with-body".into()),
        Word::Literal("-sS".into()),
        Word::Literal("-X".into()),
        Word::Literal(call.method.into()),
    ];
    let mut extra = Vec::new();
    let mut project_header = None;
    if api.auth == Auth::Digest {
        for s in api.supplied {
            match (s.location, s.supply) {
                ("query", "uuid") if !call.query.iter().any(|(k, _)| k == s.name) => {
                    extra.push((s.name.to_owned(), uuid::Uuid::new_v4().to_string()));
                }
                ("header", _)
                    if !call
                        .headers
                        .iter()
                        .any(|(k, _)| k.eq_ignore_ascii_case(s.name)) =>
                {
                    project_header = Some(s.name);
                }
                _ => {}
            }
        }
    }
    let mut request = send::build(&target.base_url, call, &extra)?;
    match api.auth {
        Auth::Digest => {
            words.push(Word::Literal("--digest".into()));
            words.push(Word::Literal("-u".into()));
            words.push(Word::Expand(format!(
                "${}:${}",
                oceanbase::ENV_ACCESS_KEY_ID,
                oceanbase::ENV_ACCESS_KEY_SECRET
            )));
            if let Some(name) = project_header {
                words.push(Word::Literal("-H".into()));
                if settings.in_environment(oceanbase::ENV_PROJECT_ID) {
                    words.push(Word::Expand(format!(
                        "{name}: ${}",
                        oceanbase::ENV_PROJECT_ID
                    )));
                } else {
                    let project = settings.get(oceanbase::ENV_PROJECT_ID).ok_or_else(|| {
                        Failure::config(format!(
                            "{} is not set: the request carries it as {name}",
                            oceanbase::ENV_PROJECT_ID
                        ))
                    })?;
                    words.push(Word::Literal(format!("{name}: {}", project.trim())));
                }
            }
            headers_of(&request, &mut words, false);
        }
        Auth::Huawei => {
            use huawei::env;
            for (name, variable) in api.env_headers {
                if let Some(value) = settings.get(variable)
                    && !request.headers().contains_key(*name)
                {
                    let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                        .map_err(|_| Failure::config(format!("header {name:?}")))?;
                    let value = reqwest::header::HeaderValue::from_str(&value)
                        .map_err(|_| Failure::config(format!("{variable}: not a header value")))?;
                    request.headers_mut().insert(name, value);
                }
            }
            if settings.get(env::AK).is_some() || settings.get(env::SK).is_some() {
                let ak = settings.get(env::AK).ok_or_else(|| missing(env::AK))?;
                let sk = settings.get(env::SK).ok_or_else(|| missing(env::SK))?;
                let mut credentials = huawei::AkSkCredentials::new(ak, sk)
                    .map_err(|e| Failure::config(e.to_string()))?;
                if let Some(project) = settings.get(env::PROJECT_ID) {
                    credentials = credentials
                        .with_project_id(project)
                        .map_err(|e| Failure::config(e.to_string()))?;
                }
                let token = settings.get(env::SECURITY_TOKEN);
                if let Some(token) = &token {
                    credentials = credentials
                        .with_security_token(token.clone())
                        .map_err(|e| Failure::config(e.to_string()))?;
                }
                let date = huawei::format_sdk_date(SystemTime::now());
                huawei::sign_request_at(&credentials, &mut request, &date)
                    .map_err(|e| Failure::usage(e.to_string()))?;
                headers_of(&request, &mut words, true);
            } else {
                words.push(Word::Literal("-H".into()));
                words.push(Word::Expand(format!(
                    "{}: ${}",
                    display_name(huawei::AUTH_TOKEN_HEADER),
                    env::AUTH_TOKEN
                )));
                headers_of(&request, &mut words, false);
            }
        }
    }
    words.insert(4, Word::Literal(request.url().to_string()));
    if let Some(body) = request.body().and_then(|b| b.as_bytes()) {
        words.push(Word::Literal("--data-binary".into()));
        words.push(Word::Literal(String::from_utf8_lossy(body).into_owned()));
    }
    Ok(render(words))
}

fn missing(name: &str) -> Failure {
    Failure::config(format!(
        "{name} is not set: a dry run signs the request with the access key pair"
    ))
}

/// The request's headers as `-H` options; the security token as its variable.
fn headers_of(request: &reqwest::Request, words: &mut Vec<Word>, signed: bool) {
    for (name, value) in request.headers() {
        if signed && name.as_str() == "x-security-token" {
            words.push(Word::Literal("-H".into()));
            words.push(Word::Expand(format!(
                "X-Security-Token: ${}",
                huawei::env::SECURITY_TOKEN
            )));
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes());
        words.extend(header(&display_name(name.as_str()), &value));
    }
}

/// `x-sdk-date` → `X-Sdk-Date`, as the vendors' pages write header names.
fn display_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Api;
    use integration_tests::{digest_server, huawei_server};

    fn api(auth: Auth, supplied: &'static [crate::catalog::Supplied]) -> &'static Api {
        Box::leak(Box::new(Api {
            name: "drill",
            crate_name: "drill",
            title: "drill",
            auth,
            base_url: "https://example.invalid",
            service: "drill",
            host: "drill.{region}.example.invalid",
            host_exceptions: &[],
            env_headers: &[],
            supplied,
            envelope: None,
            operations: &[],
        }))
    }

    fn delete() -> Call {
        Call {
            method: "DELETE",
            path: "/v1/p0/things/it%27s%20%22this%22".into(),
            query: vec![("force".into(), "yes please".into())],
            headers: Vec::new(),
            body: None,
        }
    }

    fn curl(command: &str, env: &[(&str, &str)]) -> std::process::Output {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(command.replacen("curl ", "/usr/bin/curl ", 1))
            .env_clear()
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_signed_delete_runs_as_curl_against_the_verifying_server() {
        let server = huawei_server::HuaweiServer::start().await.unwrap();
        server.add_access_key("DRILLAK", "drill secret");
        let settings = Settings::with(
            [
                ("HUAWEICLOUD_SDK_AK", "DRILLAK"),
                ("HUAWEICLOUD_SDK_SK", "drill secret"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        );
        let target = Target {
            base_url: server.base_url(),
            loopback_http: true,
        };
        let command = dry_run(api(Auth::Huawei, &[]), &target, &delete(), &settings).unwrap();
        assert!(!command.contains("drill secret"), "{command}");
        let out = tokio::task::spawn_blocking(move || curl(&command, &[]))
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = server.requests().pop().unwrap();
        assert_eq!(r.method, "DELETE");
        assert!(
            matches!(r.auth, huawei_server::AuthOutcome::Signed(_)),
            "{:?}",
            r.auth
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_digest_delete_runs_as_curl_with_the_secret_from_the_environment() {
        static SUPPLIED: [crate::catalog::Supplied; 1] = [crate::catalog::Supplied {
            name: "requestId",
            location: "query",
            supply: "uuid",
        }];
        let server =
            digest_server::DigestServer::start(digest_server::Config::new("id", "s\"e$'c"))
                .await
                .unwrap();
        let settings = Settings::with(Default::default());
        let target = Target {
            base_url: server.base_url(),
            loopback_http: true,
        };
        let command = dry_run(api(Auth::Digest, &SUPPLIED), &target, &delete(), &settings).unwrap();
        let out = tokio::task::spawn_blocking(move || {
            curl(
                &command,
                &[
                    ("OCEANBASE_ACCESS_KEY_ID", "id"),
                    ("OCEANBASE_ACCESS_KEY_SECRET", "s\"e$'c"),
                ],
            )
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = server.requests().pop().unwrap();
        assert_eq!((r.method.as_str(), r.status), ("DELETE", 200));
        assert!(r.target.contains("requestId="), "{}", r.target);
    }

    #[test]
    fn quoting_survives_a_real_shell() {
        for value in [
            "plain",
            "two words",
            "it's",
            "$HOME and `date` and \\n",
            "line\nbreak",
            "{\"name\":\"Zoë \\\"quoted\\\"\"}",
            "",
        ] {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", quote(value)))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), value, "{value:?}");
        }
    }
}
