//! The built `cloudsdk` binary, run as a process against loopback servers: the project's
//! Digest and Huawei servers (which verify credentials and signatures) and small servers
//! these tests start for paging, waiting and errors.
// Test code: a failed unwrap is a failed test with a message.
#![allow(clippy::unwrap_used)]

use std::{
    io::Write as _,
    net::SocketAddr,
    process::{Command, Output, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{
    Router,
    extract::{Request, State},
    response::{IntoResponse, Response},
};
use cloudsdk::catalog::{self, Api, Auth, Field, Operation, Ty};
use integration_tests::{
    digest_server,
    huawei_server::{self, HuaweiServer},
};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_cloudsdk");
const AK: &str = "CLI_TEST_AK";
const SK: &str = "cli-test-secret-key";
const OB_ID: &str = "cli-ak-id";
const OB_SECRET: &str = "cli ak \"secret\" $x";

/// Runs the binary with only `env` (and a scratch config folder), `stdin` on its stdin.
fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let config = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CLOUDSDK_CONFIG_DIR", config.path())
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        // A run that fails before reading its stdin closes it: not the test's failure.
        let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    }
    child.wait_with_output().unwrap()
}

async fn run_async(args: Vec<String>, env: Vec<(String, String)>, stdin: Option<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run(&args, &env, stdin.as_deref())
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn huawei_env(base_url: &str, api: &Api) -> Vec<(String, String)> {
    let mut env = vec![
        ("HUAWEICLOUD_SDK_AK".to_owned(), AK.to_owned()),
        ("HUAWEICLOUD_SDK_SK".to_owned(), SK.to_owned()),
        (
            "HUAWEICLOUD_SDK_PROJECT_ID".to_owned(),
            "proj0123".to_owned(),
        ),
        (
            format!(
                "HUAWEICLOUD_SDK_ENDPOINT_{}",
                api.service.to_ascii_uppercase()
            ),
            base_url.to_owned(),
        ),
    ];
    for (_, var) in api.env_headers {
        env.push(((*var).to_owned(), "ws-1".to_owned()));
    }
    env
}

fn digest_env(base_url: &str) -> Vec<(String, String)> {
    vec![
        ("OCEANBASE_ACCESS_KEY_ID".into(), OB_ID.into()),
        ("OCEANBASE_ACCESS_KEY_SECRET".into(), OB_SECRET.into()),
        ("OCEANBASE_PROJECT_ID".into(), "obproj".into()),
        ("OCEANBASE_BASE_URL".into(), base_url.into()),
    ]
}

fn sample(ty: Ty, values: &[&str]) -> Value {
    if let Some(v) = values.first() {
        return match ty {
            Ty::Integer | Ty::Number => serde_json::from_str(v).unwrap_or(json!(v)),
            _ => Value::String((*v).to_owned()),
        };
    }
    match ty {
        Ty::Integer | Ty::Number => json!(1),
        Ty::Boolean => json!(true),
        Ty::Array => json!([]),
        Ty::Object => json!({}),
        _ => json!("Zoë's \"value\""),
    }
}

fn sample_body(root: &Field) -> Value {
    let mut map = serde_json::Map::new();
    for f in root.fields.iter().filter(|f| f.required) {
        map.insert(f.name.to_owned(), sample(f.ty, f.values));
    }
    Value::Object(map)
}

/// Flags for every required parameter that nobody supplies, and where they go.
fn param_args(op: &Operation) -> Vec<String> {
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required && !p.supplied) {
        args.push(format!("--{}", p.flag));
        args.push(match sample(p.ty, p.values) {
            Value::String(_) if p.location == "path" => format!("id-{}", p.flag),
            Value::String(s) if p.location == "header" => format!("h-{}", s.len()),
            Value::String(s) => s,
            other => other.to_string(),
        });
    }
    args
}

fn op_args(api: &Api, op: &Operation) -> Vec<String> {
    let mut args = owned(&[api.name, op.name]);
    args.extend(param_args(op));
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_runs_with_flags_and_with_a_body_from_stdin() {
    let huawei = HuaweiServer::start().await.unwrap();
    huawei.add_access_key(AK, SK);
    let digest = digest_server::DigestServer::start(digest_server::Config::new(OB_ID, OB_SECRET))
        .await
        .unwrap();
    for api in catalog::APIS {
        for op in api.operations {
            let (env, base) = match api.auth {
                Auth::Huawei => (huawei_env(&huawei.base_url(), api), huawei.base_url()),
                Auth::Digest => (digest_env(&digest.base_url()), digest.base_url()),
            };
            // The documented example; nothing at all where the success has no body.
            let reply = match (op.has_body, op.example) {
                (true, Some(example)) => example,
                (true, None) => "{}",
                (false, _) => "",
            };
            huawei.reply_with(reply);
            digest.reply_with(reply);
            let mut forms = vec![(op_args(api, op), None)];
            if let Some(body) = &op.body {
                let whole = sample_body(&body.root);
                let mut with_flags = op_args(api, op);
                let mut rest = serde_json::Map::new();
                for (k, v) in whole.as_object().unwrap() {
                    let field = body.root.fields.iter().find(|f| f.name == k).unwrap();
                    match (field.flag, v) {
                        (Some(flag), Value::String(s)) => {
                            with_flags.extend([format!("--{flag}"), s.clone()])
                        }
                        (Some(flag), other) => {
                            with_flags.extend([format!("--{flag}"), other.to_string()])
                        }
                        (None, _) => {
                            rest.insert(k.clone(), v.clone());
                        }
                    }
                }
                // The fields without a flag go in through stdin, and so does a required body
                // that no flag fills.
                let flagged = with_flags.len() > op_args(api, op).len();
                let stdin = (!rest.is_empty() || (body.required && !flagged))
                    .then(|| Value::Object(rest).to_string());
                if stdin.is_some() {
                    with_flags.extend(owned(&["--body", "-"]));
                }
                let mut piped = op_args(api, op);
                piped.extend(owned(&["--body", "-"]));
                forms = vec![(with_flags, stdin), (piped, Some(whole.to_string()))];
            }
            for (args, stdin) in forms {
                let out = run_async(args.clone(), env.clone(), stdin.clone()).await;
                assert!(
                    out.status.success(),
                    "{args:?} against {base}: {}",
                    text(&out.stderr)
                );
                if !op.has_body {
                    // No body, no output: the exit code is the answer.
                    assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
                }
                if let (true, Some(example)) = (op.has_body, op.example) {
                    let printed: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                        panic!("{args:?}: not JSON ({e}): {}", text(&out.stdout))
                    });
                    let example: Value = serde_json::from_str(example).unwrap();
                    assert_eq!(printed, example, "{args:?}");
                }
                let (method, path, body) = match api.auth {
                    Auth::Huawei => {
                        let r = huawei.requests().pop().unwrap();
                        assert!(
                            matches!(r.auth, huawei_server::AuthOutcome::Signed(_)),
                            "{args:?}: {:?}",
                            r.auth
                        );
                        (r.method, r.path, r.body)
                    }
                    Auth::Digest => {
                        let r = digest.requests().pop().unwrap();
                        assert_eq!(r.status, 200, "{args:?}");
                        let path = r.target.split('?').next().unwrap().to_owned();
                        (r.method, path, r.body)
                    }
                };
                assert_eq!(method, op.method, "{args:?}");
                let literal = op.path.split('{').next().unwrap();
                assert!(path.starts_with(literal), "{args:?}: {path}");
                if let (Some(b), Some(stdin)) = (&op.body, &stdin) {
                    let sent: Value = serde_json::from_slice(&body).unwrap();
                    let want = sample_body(&b.root);
                    assert_eq!(sent, want, "{args:?} (stdin {stdin})");
                }
            }
        }
    }
}

fn run_curl(command: &str, env: &[(&str, &str)]) -> Output {
    assert!(command.starts_with("curl "), "{command}");
    Command::new("sh")
        .arg("-c")
        .arg(command.replacen("curl ", "/usr/bin/curl ", 1))
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// A value that a shell, a URL and JSON must each carry through unchanged.
const TRICKY: &str = "it's \"Zoë\" $HOME `x` \\ 中文";

/// A value for an optional query parameter: the tricky text where any string goes.
fn query_value(p: &catalog::Param) -> String {
    match (p.ty, p.values.first()) {
        (_, Some(v)) => (*v).to_owned(),
        (Ty::Integer | Ty::Number, None) => "5".into(),
        (Ty::Boolean, None) => "true".into(),
        _ => TRICKY.into(),
    }
}

/// The decoded pairs of a query string.
fn pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// What a dry run of each operation covered, per kind of authentication.
#[derive(Debug, Default)]
struct Covered {
    get_with_query: bool,
    tricky_body: bool,
    delete: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_of_every_operation_runs_as_curl_against_the_checking_servers() {
    let huawei = HuaweiServer::start().await.unwrap();
    huawei.add_access_key(AK, SK);
    let digest = digest_server::DigestServer::start(digest_server::Config::new(OB_ID, OB_SECRET))
        .await
        .unwrap();
    let mut covered: std::collections::BTreeMap<&str, Covered> = Default::default();
    for api in catalog::APIS {
        for op in api.operations {
            let mut args = op_args(api, op);
            let mut query = Vec::new();
            for p in op.params.iter().filter(|p| p.location == "query") {
                if p.supplied {
                    continue;
                }
                let value = if p.required {
                    let at = args.iter().position(|a| *a == format!("--{}", p.flag));
                    at.map(|i| args[i + 1].clone()).unwrap()
                } else {
                    let value = query_value(p);
                    args.extend([format!("--{}", p.flag), value.clone()]);
                    value
                };
                query.push((p.name.to_owned(), value));
            }
            // A body with the tricky text in every free-text top-level field (after `pw ` in
            // a secret one).
            let body = op.body.as_ref().map(|b| {
                let mut value = sample_body(&b.root);
                for f in b.root.fields {
                    if f.ty == Ty::String && f.values.is_empty() {
                        value[f.name] = match op.secret_pointer(f) {
                            Some(_) => json!(format!("pw {TRICKY}")),
                            None => json!(TRICKY),
                        };
                    }
                }
                value
            });
            if body.is_some() {
                args.extend(owned(&["--body", "-"]));
            }
            args.push("--dry-run".into());
            let (env, secret, label) = match api.auth {
                Auth::Huawei => (huawei_env(&huawei.base_url(), api), SK, "AK/SK"),
                Auth::Digest => (digest_env(&digest.base_url()), OB_SECRET, "Digest"),
            };
            let stdin = body.as_ref().map(Value::to_string);
            let out = run_async(args.clone(), env, stdin).await;
            assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
            // Every variable the command reads is in this environment but those of the body's
            // secret fields, which the hint names with what each stands for.
            let mut body_env: Vec<(String, String)> = Vec::new();
            for line in text(&out.stderr).lines() {
                if let Some(names) = line.strip_prefix("# export ") {
                    let names = names.split("  (").next().unwrap();
                    assert!(
                        names.split(' ').all(|n| n.starts_with("CLOUDSDK_BODY_")),
                        "{line}"
                    );
                } else if let Some((name, rest)) = line
                    .strip_prefix("# ")
                    .and_then(|l| l.split_once(": the body's "))
                {
                    let pointer = rest.split(',').next().unwrap();
                    let value = body.as_ref().unwrap().pointer(pointer).unwrap();
                    // The value as is: the command escapes it for JSON.
                    body_env.push((name.to_owned(), value.as_str().unwrap().to_owned()));
                } else {
                    panic!("{args:?}: {line}");
                }
            }
            assert_eq!(
                body_env.is_empty(),
                op.secrets.is_empty(),
                "{args:?}: {}",
                text(&out.stderr)
            );
            let body_env: Vec<(&str, &str)> = body_env
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let command = text(&out.stdout);
            assert!(!command.contains(secret), "{args:?}: {command}");
            assert!(!command.contains("pw it"), "{args:?}: {command}");
            let (method, path, sent_query, sent_body) = match api.auth {
                Auth::Huawei => {
                    assert!(
                        command.contains("X-Sdk-Date: ") && command.contains("SDK-HMAC-SHA256"),
                        "{command}"
                    );
                    let ran = run_curl(&command, &body_env);
                    assert!(
                        ran.status.success(),
                        "{command}\n{}{}",
                        text(&ran.stdout),
                        text(&ran.stderr)
                    );
                    let r = huawei.requests().pop().unwrap();
                    assert!(
                        matches!(r.auth, huawei_server::AuthOutcome::Signed(_)),
                        "{command}: {:?}",
                        r.auth
                    );
                    (r.method, r.path, r.query.unwrap_or_default(), r.body)
                }
                Auth::Digest => {
                    assert!(
                        command.contains("--digest")
                            && command.contains(
                                "-u \"$OCEANBASE_ACCESS_KEY_ID:$OCEANBASE_ACCESS_KEY_SECRET\""
                            ),
                        "{command}"
                    );
                    let mut env = vec![
                        ("OCEANBASE_ACCESS_KEY_ID", OB_ID),
                        ("OCEANBASE_ACCESS_KEY_SECRET", OB_SECRET),
                        ("OCEANBASE_PROJECT_ID", "obproj"),
                    ];
                    env.extend(body_env.iter().copied());
                    let ran = run_curl(&command, &env);
                    assert!(
                        ran.status.success(),
                        "{command}\n{}{}",
                        text(&ran.stdout),
                        text(&ran.stderr)
                    );
                    let r = digest.requests().pop().unwrap();
                    assert_eq!(r.status, 200, "{command}");
                    assert_eq!(r.project_id.as_deref(), Some("obproj"), "{command}");
                    let (path, query) = r.target.split_once('?').unwrap_or((&r.target, ""));
                    for s in api.supplied.iter().filter(|s| s.location == "query") {
                        assert!(
                            pairs(query)
                                .iter()
                                .any(|(k, v)| k == s.name && !v.is_empty()),
                            "{} supplied: {command}",
                            s.name
                        );
                    }
                    (r.method, path.to_owned(), query.to_owned(), r.body)
                }
            };
            assert_eq!(method, op.method, "{command}");
            let literal = op.path.split('{').next().unwrap();
            assert!(path.starts_with(literal), "{command}: {path}");
            let sent = pairs(&sent_query);
            for pair in &query {
                assert!(sent.contains(pair), "{pair:?} in {sent:?}: {command}");
            }
            match &body {
                Some(body) => assert_eq!(
                    &serde_json::from_slice::<Value>(&sent_body).unwrap(),
                    body,
                    "{command}"
                ),
                None => assert!(sent_body.is_empty(), "{command}"),
            }
            let seen = covered.entry(label).or_default();
            seen.get_with_query |= op.method == "GET" && !query.is_empty();
            seen.tricky_body |= body
                .as_ref()
                .is_some_and(|b| b.to_string().contains(&json!(TRICKY).to_string()));
            seen.delete |= op.method == "DELETE";
        }
    }
    // What the acceptance names, for both kinds of authentication.
    for label in ["Digest", "AK/SK"] {
        let seen = covered.get(label);
        assert!(
            seen.is_some_and(|c| c.get_with_query && c.tricky_body && c.delete),
            "{label}: specs/ must hold a GET with query parameters, an operation with a \
             free-text body field and a DELETE: {seen:?}"
        );
    }
}

/// What a scripted server answers request number `n` with the query string `q`.
type Answer = dyn Fn(usize, &str) -> (u16, Value) + Send + Sync;

/// A server the test scripts: `answer` gets the request number and the query string.
async fn scripted(
    answer: impl Fn(usize, &str) -> (u16, Value) + Send + Sync + 'static,
) -> (SocketAddr, Arc<AtomicUsize>) {
    #[derive(Clone)]
    struct St {
        count: Arc<AtomicUsize>,
        answer: Arc<Answer>,
    }
    async fn handle(State(st): State<St>, request: Request) -> Response {
        let n = st.count.fetch_add(1, Ordering::SeqCst);
        let (status, body) = (st.answer)(n, request.uri().query().unwrap_or_default());
        let mut response = axum::Json(body).into_response();
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
        response
            .headers_mut()
            .insert("x-request-id", http::HeaderValue::from_static("req-7"));
        response
    }
    let count = Arc::new(AtomicUsize::new(0));
    let st = St {
        count: count.clone(),
        answer: Arc::new(answer),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().fallback(handle).with_state(st);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, count)
}

fn paged_op() -> (&'static Api, &'static Operation) {
    catalog::APIS
        .iter()
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .find(|(_, o)| o.paging.is_some())
        .expect("a paged operation in specs/")
}

/// The environment that points `api` at `base_url` with its kind of credentials.
fn env_for(api: &Api, base_url: &str) -> Vec<(String, String)> {
    match api.auth {
        Auth::Huawei => huawei_env(base_url, api),
        Auth::Digest => digest_env(base_url),
    }
}

fn paged_ops() -> impl Iterator<Item = (&'static Api, &'static Operation)> {
    catalog::APIS
        .iter()
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .filter(|(_, o)| o.paging.is_some())
}

/// A server of 250 items paged by the operation's offset and limit parameters; each item has
/// the table's default columns (fixed-width values) and an `id`.
async fn paged_server(op: &'static Operation) -> (String, Arc<AtomicUsize>) {
    let paging = op.paging.as_ref().unwrap();
    let (items, total, offset_name, limit_name) =
        (paging.items, paging.total, paging.offset, paging.limit);
    let (addr, count) = scripted(move |_, query| {
        let get = |name: &str| {
            pairs(query)
                .into_iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0)
        };
        let (offset, limit) = (get(offset_name), get(limit_name));
        let page: Vec<Value> = (offset..(offset + limit).min(250))
            .map(|i| {
                let mut item = serde_json::Map::new();
                for column in op.columns {
                    item.insert((*column).to_owned(), json!(format!("{column}-{i:03}")));
                }
                item.insert("id".into(), json!(format!("item-{i:03}")));
                Value::Object(item)
            })
            .collect();
        (200, json!({ items: page, total: 250 }))
    })
    .await;
    (format!("http://{addr}"), count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_streams_250_items_in_three_pages() {
    let mut tried = 0;
    for (api, op) in paged_ops() {
        tried += 1;
        let (base, count) = paged_server(op).await;
        let mut args = op_args(api, op);
        args.extend(owned(&["--all", "--page-size", "100"]));
        let out = run_async(args.clone(), env_for(api, &base), None).await;
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let lines: Vec<Value> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 250, "{args:?}");
        assert_eq!(lines[249]["id"], "item-249", "{args:?}");
        assert_eq!(count.load(Ordering::SeqCst), 3, "{args:?}");

        // As YAML, the items printed one by one read back as one list.
        let mut args = op_args(api, op);
        args.extend(owned(&["--all", "--page-size", "100", "--output", "yaml"]));
        let out = run_async(args.clone(), env_for(api, &base), None).await;
        let listed: Vec<Value> = serde_yaml_ng::from_slice(&out.stdout).unwrap();
        assert_eq!(listed, lines, "{args:?}");

        let mut args = op_args(api, op);
        args.extend(owned(&[
            "--all",
            "--page-size",
            "100",
            "--max-items",
            "120",
            "--query",
            "id",
        ]));
        let out = run_async(args.clone(), env_for(api, &base), None).await;
        let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
        assert_eq!(lines.len(), 120, "{args:?}");
        assert_eq!(lines[119], "\"item-119\"", "{args:?}");
    }
    assert!(
        tried > 0,
        "specs/ has paged operations ([[paginate]] in api.toml)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_as_a_table_is_one_table_with_one_header() {
    for (api, op) in paged_ops() {
        let (base, _) = paged_server(op).await;
        let mut args = op_args(api, op);
        args.extend(owned(&["--all", "--page-size", "100", "--output", "table"]));
        let out = run_async(args.clone(), env_for(api, &base), None).await;
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let table = text(&out.stdout);
        let starting = |c: char| table.lines().filter(|l| l.starts_with(c)).count();
        // One top border, one header separator, one bottom border.
        assert_eq!(
            (starting('┌'), starting('╞'), starting('└')),
            (1, 1, 1),
            "{args:?}:\n{table}"
        );
        let lines: Vec<&str> = table.lines().collect();
        let columns: Vec<&str> = if op.columns.is_empty() {
            vec!["id"]
        } else {
            op.columns.to_vec()
        };
        for column in &columns {
            assert!(lines[1].contains(column), "{column} in the header: {table}");
        }
        // One row per item, in order, every row as wide as the header.
        let rows: Vec<&str> = lines[3..lines.len() - 1].to_vec();
        assert_eq!(rows.len(), 250, "{args:?}:\n{table}");
        assert!(
            rows[249].contains(&format!("{}-249", columns[0])),
            "{table}"
        );
        let width = |l: &str| l.chars().count();
        assert!(
            lines.iter().all(|l| width(l) == width(lines[0])),
            "{args:?}:\n{table}"
        );

        // The columns named on the command line, the same way.
        let mut args = op_args(api, op);
        args.extend(owned(&[
            "--all",
            "--page-size",
            "100",
            "--output",
            "table",
            "--columns",
            "id",
            "--max-items",
            "150",
        ]));
        let out = run_async(args.clone(), env_for(api, &base), None).await;
        let table = text(&out.stdout);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3 + 150 + 1, "{args:?}:\n{table}");
        assert!(
            lines[1].contains("id") && lines[153].starts_with('└'),
            "{table}"
        );
    }
}

fn waitable() -> (&'static Api, &'static Operation, &'static str) {
    let (api, op) = paged_op();
    (api, op, op.paging.as_ref().unwrap().items)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_until_goes_through_three_states() {
    let (api, op, items) = waitable();
    let states = ["pendingAcceptance", "creating", "accepted"];
    let (addr, count) = scripted(move |n, _| {
        let status = states[n.min(2)];
        (200, json!({ items: [{"status": status}] }))
    })
    .await;
    let mut args = op_args(api, op);
    let until = format!("{items}[0].status == 'accepted'");
    args.extend([
        "--wait-until".into(),
        until,
        "--wait-interval".into(),
        "0.05".into(),
    ]);
    let out = run_async(args, huawei_env(&format!("http://{addr}"), api), None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed[items][0]["status"], "accepted");
    assert!(
        !text(&out.stderr).contains("waiting"),
        "no spinner when not a terminal"
    );

    // A terminal state named by --wait-fail ends the wait with its own exit code.
    let (addr, _) = scripted(move |n, _| {
        let status = ["creating", "failed"][n.min(1)];
        (200, json!({ items: [{"status": status}] }))
    })
    .await;
    let mut args = op_args(api, op);
    args.extend([
        "--wait-until".into(),
        format!("{items}[0].status == 'accepted'"),
        "--wait-fail".into(),
        format!("{items}[0].status == 'failed'"),
        "--wait-interval".into(),
        "0.05".into(),
    ]);
    let out = run_async(args, huawei_env(&format!("http://{addr}"), api), None).await;
    assert_eq!(out.status.code(), Some(8), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("wait-failed"));

    // And a condition that never holds ends at the timeout.
    let (addr, _) = scripted(move |_, _| (200, json!({ items: [{"status": "creating"}] }))).await;
    let mut args = op_args(api, op);
    args.extend([
        "--wait-until".into(),
        format!("{items}[0].status == 'accepted'"),
        "--wait-interval".into(),
        "0.05".into(),
        "--wait-timeout".into(),
        "0.3".into(),
    ]);
    let out = run_async(args, huawei_env(&format!("http://{addr}"), api), None).await;
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!(
            "{items}[0].status == 'accepted' did not hold within"
        )),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_one_line_or_json_with_an_exit_code_per_class() {
    let (api, op) = paged_op();
    // The service refuses: exit 1, with status, vendor code, message and request id.
    let (addr, _) = scripted(|_, _| {
        (
            400,
            json!({"error_code": "CSS.0001", "error_msg": "bad cluster id"}),
        )
    })
    .await;
    let env = huawei_env(&format!("http://{addr}"), api);
    let out = run_async(op_args(api, op), env.clone(), None).await;
    assert_eq!(out.status.code(), Some(1));
    let line = text(&out.stderr);
    assert_eq!(line.lines().count(), 1, "{line}");
    for part in [
        "service",
        "HTTP 400",
        "CSS.0001",
        "bad cluster id",
        "req-7",
        op.id,
    ] {
        assert!(line.contains(part), "{part} in {line}");
    }
    let mut args = op_args(api, op);
    args.extend(owned(&["--output", "json"]));
    let out = run_async(args, env, None).await;
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(error["error"]["code"], "CSS.0001");
    assert_eq!(error["error"]["status"], 400);
    assert_eq!(error["error"]["request_id"], "req-7");

    // Credentials refused by the signature-checking server: exit 4.
    let huawei = HuaweiServer::start().await.unwrap();
    let out = run_async(op_args(api, op), huawei_env(&huawei.base_url(), api), None).await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains(SK));

    // No credentials: exit 3, naming the variables.
    let out = run_async(
        op_args(api, op),
        vec![("HUAWEICLOUD_SDK_REGION".into(), "cn-north-4".into())],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("HUAWEICLOUD_SDK_AK"));

    // A required flag missing: exit 2.
    let required = op
        .params
        .iter()
        .find(|p| p.required && p.location == "path" && p.name != "project_id");
    if let Some(p) = required {
        let out = run_async(
            owned(&[api.name, op.name]),
            huawei_env("http://127.0.0.1:9", api),
            None,
        )
        .await;
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(&format!("--{}", p.flag)));
    }

    // Nobody listening: exit 5.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let out = run_async(
        op_args(api, op),
        huawei_env(&format!("http://127.0.0.1:{port}"), api),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));

    // An OceanBase envelope with `success: false` and HTTP 200 is a service error too.
    let digest = digest_server::DigestServer::start(digest_server::Config::new(OB_ID, OB_SECRET))
        .await
        .unwrap();
    digest.reply_with(r#"{"success":false,"errorCode":"E001","errorMessage":"no such tenant","requestId":"ob-req-1"}"#);
    let (api, op) = catalog::APIS
        .iter()
        .filter(|a| a.envelope.is_some())
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .next()
        .expect("an API with an envelope");
    let mut args = op_args(api, op);
    if op.body.is_some() {
        args.extend(owned(&["--body", "-"]));
    }
    let body = op.body.as_ref().map(|b| sample_body(&b.root).to_string());
    let out = run_async(args, digest_env(&digest.base_url()), body).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let line = text(&out.stderr);
    assert!(
        line.contains("E001") && line.contains("no such tenant") && line.contains("ob-req-1"),
        "{line}"
    );
}

/// A loopback API endpoint lets nothing else go over plain http: an IAM endpoint on another
/// machine is refused before the password is sent (and the API is not called).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_api_does_not_let_the_iam_password_go_in_clear() {
    let (api, op) = paged_op();
    let (addr, calls) = scripted(|_, _| (200, json!({}))).await;
    let mut env: Vec<(String, String)> = huawei_env(&format!("http://{addr}"), api)
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_AK") && !k.ends_with("_SK"))
        .collect();
    for (k, v) in [
        ("HUAWEICLOUD_SDK_USERNAME", "cli-user"),
        ("HUAWEICLOUD_SDK_PASSWORD", "cli-iam-password"),
        ("HUAWEICLOUD_SDK_DOMAIN_NAME", "cli-domain"),
        // TEST-NET-1: nothing answers there; a refusal comes before any connection.
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "http://192.0.2.1:9"),
    ] {
        env.push((k.to_owned(), v.to_owned()));
    }
    let out = run_async(op_args(api, op), env, None).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("refusing to send the IAM password"),
        "{stderr}"
    );
    assert!(!stderr.contains("cli-iam-password"), "{stderr}");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// A server that answers a token with a text error quoting it: the line shows `***`, and no
/// part of the token, however long it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_echoed_in_a_text_error_is_not_printed() {
    use integration_tests::raw_server::{Body, RawServer, Reply};
    let (api, op) = paged_op();
    let token = format!("MIIT{}", "cliToken".repeat(400));
    let server = RawServer::start(|request, _| {
        let sent = request.header("x-auth-token").unwrap_or_default();
        Reply::streamed(
            400,
            Body::Full(format!("Invalid token: {sent}").into_bytes()),
        )
    })
    .await
    .unwrap();
    let env: Vec<(String, String)> = huawei_env(&server.base_url(), api)
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_AK") && !k.ends_with("_SK"))
        .chain([("HUAWEICLOUD_SDK_AUTH_TOKEN".to_owned(), token.clone())])
        .collect();
    let out = run_async(op_args(api, op), env, None).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        server.requests()[0].header("x-auth-token"),
        Some(token.as_str())
    );
    assert!(stderr.contains("Invalid token: ***"), "{stderr}");
    assert!(!stderr.contains("MIITcliToken"), "{stderr}");
}

#[test]
fn profiles_are_stored_with_mode_0600_and_the_environment_wins() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().to_str().unwrap();
    let set = |name: &str, value: &str| {
        let mut child = Command::new(BIN)
            .args(["config", "set", name, "--profile", "work"])
            .env("CLOUDSDK_CONFIG_DIR", config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(value.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(!text(&out.stderr).contains(value) && out.stdout.is_empty());
    };
    set("HUAWEICLOUD_SDK_AK", "PROFILEAK");
    set("HUAWEICLOUD_SDK_SK", "profile-secret");
    set("HUAWEICLOUD_SDK_REGION", "cn-north-4");
    let out = Command::new(BIN)
        .args(["config", "path"])
        .env("CLOUDSDK_CONFIG_DIR", config)
        .output()
        .unwrap();
    let path = text(&out.stdout).trim().to_owned();
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let out = Command::new(BIN)
        .args(["config", "list"])
        .env("CLOUDSDK_CONFIG_DIR", config)
        .output()
        .unwrap();
    let listed = text(&out.stdout);
    // The key id by its first four characters, the secret not at all.
    assert!(
        listed.contains("HUAWEICLOUD_SDK_AK = PROF…")
            && !listed.contains("PROFILEAK")
            && listed.contains("HUAWEICLOUD_SDK_SK = ***")
            && !listed.contains("profile-secret"),
        "{listed}"
    );

    // The profile signs a dry run; the environment's AK replaces the profile's; the command
    // line's --region replaces both.
    let (api, op) = paged_op();
    let mut args = op_args(api, op);
    args.extend(owned(&["--dry-run", "--profile", "work"]));
    let dry = |env: &[(&str, &str)], extra: &[&str]| {
        let mut a: Vec<String> = args.clone();
        a.extend(owned(extra));
        Command::new(BIN)
            .args(&a)
            .env_clear()
            .env("CLOUDSDK_CONFIG_DIR", config)
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let out = dry(&[], &[]);
    let command = text(&out.stdout);
    assert!(
        command.contains("Credential=PROFILEAK") || command.contains("Access=PROFILEAK"),
        "{command}{}",
        text(&out.stderr)
    );
    assert!(command.contains("cn-north-4") && !command.contains("profile-secret"));
    let out = dry(
        &[("HUAWEICLOUD_SDK_AK", "ENVAK")],
        &["--region", "ap-southeast-1"],
    );
    let command = text(&out.stdout);
    assert!(
        command.contains("ENVAK") && command.contains("ap-southeast-1"),
        "{command}"
    );
}

#[test]
fn mock_answers_every_operation_from_its_documented_example() {
    for api in catalog::APIS {
        for op in api.operations {
            let mut args = owned(&[api.name, op.name, "--mock"]);
            args.extend(param_args(op));
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run(&a, &[], None);
            match op.example {
                Some(example) => {
                    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
                    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
                    let answer = serde_json::from_str::<Value>(example).unwrap();
                    assert_eq!(printed, answer);
                    // Piped: compact, one line, the fields in the answer's order.
                    assert_eq!(text(&out.stdout).trim_end(), answer.to_string());
                }
                // Nothing to answer with: the flag cannot be used here, a usage error.
                None if op.has_body => {
                    assert_eq!(
                        out.status.code(),
                        Some(2),
                        "{args:?}: {}",
                        text(&out.stderr)
                    );
                    assert!(text(&out.stderr).contains("--mock"));
                }
                None => assert!(out.status.success(), "{args:?}: {}", text(&out.stderr)),
            }
        }
    }
}

#[test]
fn body_template_lists_every_field_with_type_and_requiredness() {
    for api in catalog::APIS {
        for op in api.operations.iter().filter(|o| o.body.is_some()) {
            let out = run(&[api.name, op.name, "--body-template"], &[], None);
            assert!(out.status.success());
            let template = text(&out.stdout);
            let body = op.body.as_ref().unwrap();
            for f in body.root.fields {
                assert!(
                    template.contains(&format!("{}:", f.name)),
                    "{} in {template}",
                    f.name
                );
            }
            // The skeleton reads back as a body.
            let parsed: Value = serde_yaml_ng::from_str(&template).unwrap();
            assert!(parsed.is_object());
        }
    }
}

#[test]
fn completions_are_printed_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell], &[], None);
        assert!(out.status.success());
        let script = text(&out.stdout);
        for api in catalog::APIS {
            assert!(script.contains(api.name), "{shell}: {}", api.name);
        }
    }
}

#[test]
fn own_flags_are_the_reserved_names_the_generator_keeps_free() {
    for api in catalog::APIS {
        for op in api.operations {
            let help = text(&run(&[api.name, op.name, "--help"], &[], None).stdout);
            let mut own: Vec<&str> = catalog::COMMON_FLAGS.to_vec();
            let (paged, body) = (op.paging.is_some(), op.body.is_some());
            let get = op.method == "GET";
            for (applies, flags) in [
                (paged, catalog::PAGING_FLAGS),
                (body, catalog::BODY_FLAGS),
                (get, catalog::WAIT_FLAGS),
            ] {
                // Where they do not apply, the spec may use the names for its own flags.
                let spec_flags: Vec<&str> = op
                    .params
                    .iter()
                    .map(|p| p.flag)
                    .chain(
                        op.body
                            .iter()
                            .flat_map(|b| b.root.fields.iter().filter_map(|f| f.flag)),
                    )
                    .collect();
                for flag in flags.iter().filter(|f| applies || !spec_flags.contains(f)) {
                    assert_eq!(
                        help.contains(&format!("--{flag} "))
                            || help.contains(&format!("--{flag}\n")),
                        applies,
                        "--{flag} on {}: {help}",
                        op.name
                    );
                }
                if applies {
                    own.extend(flags);
                }
            }
            for flag in own {
                assert!(
                    help.contains(&format!("--{flag}")),
                    "--{flag} on {}",
                    op.name
                );
            }
            assert!(help.contains(op.summary.split_whitespace().next().unwrap()));
        }
    }
}

/// A copy of `specs/` in a scratch folder, generated there.
fn scratch_specs() -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(
        &xtask::workspace_root().join("specs"),
        &dir.path().join("specs"),
    );
    dir
}

/// Adds operation `id` with `method` beside the first operation of `api`, on its path.
fn new_operation(root: &std::path::Path, api: &Api, method: &str, id: &str) {
    let op = &api.operations[0];
    let file = root
        .join("specs")
        .join(api.crate_name)
        .join(format!("{}.yaml", op.id));
    let text = std::fs::read_to_string(&file).unwrap();
    let mut added = format!(
        "    {method}:\n      operationId: {id}\n      summary: A drill.\n      \
         externalDocs:\n        description: drill\n        url: https://example.com/drill\n      parameters:\n"
    );
    for name in op
        .path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
    {
        added.push_str(&format!(
            "        - name: {name}\n          in: path\n          required: true\n          \
             description: drill.\n          schema:\n            type: string\n"
        ));
    }
    // The response of the operation it sits beside (the clients' `call()` wants a named schema).
    let schema = text
        .split("'200':")
        .nth(1)
        .and_then(|rest| rest.split("$ref: '#/components/schemas/").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .expect("a named 200 response schema");
    added.push_str(&format!(
        "      responses:\n        '200':\n          description: Deleted.\n          content:\n            \
         application/json:\n              schema:\n                $ref: '#/components/schemas/{schema}'\n"
    ));
    // And its error responses.
    for status in ["4XX", "5XX"] {
        if let Some(reference) = text
            .split(&format!("{status}:\n"))
            .nth(1)
            .and_then(|rest| rest.lines().next())
        {
            added.push_str(&format!("        {status}:\n{reference}\n"));
        }
    }
    let anchor = format!("  {}:\n", op.path);
    let changed = text.replacen(&anchor, &format!("{anchor}{added}"), 1);
    assert_ne!(text, changed, "{} holds its path", file.display());
    std::fs::write(&file, changed).unwrap();
}

#[test]
fn a_new_operation_in_a_spec_gets_its_command_from_the_generator_alone() {
    let dir = scratch_specs();
    let api = catalog::APIS
        .iter()
        .find(|a| a.operations[0].body.is_none())
        .unwrap_or(&catalog::APIS[0]);
    new_operation(dir.path(), api, "delete", "drill_remove_thing");
    let files = xtask::generate_all(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
    let table = files
        .iter()
        .find(|f| f.path == xtask::codegen::cli::CATALOG_PATH)
        .expect("the command table is generated");
    assert!(
        table.contents.contains("name: \"drill-remove-thing\""),
        "{}",
        table.contents
    );
    assert!(table.contents.contains("method: \"DELETE\""));
    assert!(
        table
            .contents
            .starts_with("// @generated by `cargo xtask generate`")
    );
}

#[test]
fn a_parameter_named_like_a_tool_flag_fails_generation() {
    let dir = scratch_specs();
    let api = &catalog::APIS[0];
    let op = &api.operations[0];
    let file = dir
        .path()
        .join("specs")
        .join(api.crate_name)
        .join(format!("{}.yaml", op.id));
    let text = std::fs::read_to_string(&file).unwrap();
    let clash = text.replacen(
        "      parameters:\n",
        "      parameters:\n        - name: output\n          in: query\n          description: clashes.\n          schema:\n            type: string\n",
        1,
    );
    assert_ne!(text, clash, "{} has a parameters list", op.id);
    std::fs::write(&file, clash).unwrap();
    let errors = xtask::generate_all(dir.path()).expect_err("a clash fails generation");
    let message = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        message.contains("--output") && message.contains(op.id) && message.contains("x-cli-flag"),
        "{message}"
    );

    // The fix the message names: another flag for the parameter.
    let text = std::fs::read_to_string(&file).unwrap();
    let fixed = text.replacen(
        "          description: clashes.\n",
        "          description: clashes.\n          x-cli-flag: output-kind\n",
        1,
    );
    std::fs::write(&file, fixed).unwrap();
    let files = xtask::generate_all(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
    let table = files
        .iter()
        .find(|f| f.path == xtask::codegen::cli::CATALOG_PATH)
        .unwrap();
    assert!(
        table.contents.contains("flag: \"output-kind\""),
        "{}",
        table.contents
    );
}

#[test]
fn the_readme_examples_print_what_the_readme_says() {
    let readme = std::fs::read_to_string(xtask::workspace_root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Command-line tool\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Command-line tool section");
    let mut examples = 0;
    for block in section.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap();
        for example in block.split("$ ").filter(|e| !e.is_empty()) {
            let (command, expected) = example.split_once('\n').unwrap();
            let command = command
                .strip_prefix("cloudsdk ")
                .unwrap_or_else(|| panic!("an example of the tool: {command}"));
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("\"$BIN\" {command}"))
                .env("BIN", BIN)
                .env("CLOUDSDK_CONFIG_DIR", std::env::temp_dir())
                .output()
                .unwrap();
            assert!(out.status.success(), "{command}: {}", text(&out.stderr));
            assert_eq!(text(&out.stdout), expected, "{command}");
            examples += 1;
        }
    }
    assert!(examples > 0, "the section has console examples");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logs_the_exchange_without_credentials() {
    let huawei = HuaweiServer::start().await.unwrap();
    huawei.add_access_key(AK, SK);
    let (api, op) = paged_op();
    let mut args = op_args(api, op);
    args.push("--debug".into());
    let out = run_async(args, huawei_env(&huawei.base_url(), api), None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = text(&out.stderr);
    assert!(log.contains(op.id) && log.contains("status=200"), "{log}");
    assert!(!log.contains(SK) && !log.contains("Signature="), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_with_an_iam_token_refers_to_the_token_variable() {
    let huawei = HuaweiServer::start().await.unwrap();
    let token = "MIIT-token-$(not run)'\"";
    huawei.accept_token(token);
    let (api, op) = paged_op();
    let mut env: Vec<(String, String)> = huawei_env(&huawei.base_url(), api)
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_AK") && !k.ends_with("_SK"))
        .collect();
    env.push(("HUAWEICLOUD_SDK_AUTH_TOKEN".into(), token.into()));
    let mut args = op_args(api, op);
    args.push("--dry-run".into());
    let out = run_async(args, env, None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let command = text(&out.stdout);
    assert!(
        command.contains("-H \"X-Auth-Token: $HUAWEICLOUD_SDK_AUTH_TOKEN\""),
        "{command}"
    );
    assert!(!command.contains("MIIT"), "{command}");
    let ran = run_curl(&command, &[("HUAWEICLOUD_SDK_AUTH_TOKEN", token)]);
    assert!(ran.status.success(), "{command}\n{}", text(&ran.stderr));
    let r = huawei.requests().pop().unwrap();
    assert!(
        matches!(r.auth, huawei_server::AuthOutcome::Token(_)),
        "{:?}",
        r.auth
    );
}

#[test]
fn a_body_for_an_operation_without_one_is_a_usage_error() {
    let Some((api, op)) = catalog::APIS
        .iter()
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .find(|(_, o)| o.body.is_none())
    else {
        return;
    };
    let out = run(
        &[api.name, op.name, "--mock", "--body", "-"],
        &[],
        Some("{}"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--body"),
        "{}",
        text(&out.stderr)
    );
}

/// Stores `vars` in profile `work` of the credentials file in `config`.
fn store_profile(config: &std::path::Path, vars: &[(&str, &str)]) {
    for (name, value) in vars {
        let mut child = Command::new(BIN)
            .args(["config", "set", name, "--profile", "work"])
            .env("CLOUDSDK_CONFIG_DIR", config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(value.as_bytes())
            .unwrap();
        assert!(child.wait_with_output().unwrap().status.success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_from_a_profile_names_the_variables_to_export_on_stderr() {
    let digest = digest_server::DigestServer::start(digest_server::Config::new(OB_ID, OB_SECRET))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    store_profile(
        dir.path(),
        &[
            ("OCEANBASE_ACCESS_KEY_ID", OB_ID),
            ("OCEANBASE_ACCESS_KEY_SECRET", OB_SECRET),
            ("OCEANBASE_PROJECT_ID", "obproj"),
            ("OCEANBASE_BASE_URL", &digest.base_url()),
        ],
    );
    let (api, op) = catalog::APIS
        .iter()
        .filter(|a| a.auth == Auth::Digest)
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .find(|(_, o)| o.body.is_none())
        .expect("an OceanBase operation without a body");
    let mut args = op_args(api, op);
    args.extend(owned(&["--dry-run", "--profile", "work"]));
    let config = dir.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(&args)
            .env_clear()
            .env("CLOUDSDK_CONFIG_DIR", config)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let hint = text(&out.stderr);
    assert!(
        hint.starts_with("# export OCEANBASE_ACCESS_KEY_ID OCEANBASE_ACCESS_KEY_SECRET "),
        "{hint}"
    );
    assert!(!hint.contains(OB_SECRET) && !hint.contains(OB_ID), "{hint}");
    // Exported as the line says, the command runs; the project id was written out.
    let command = text(&out.stdout);
    let ran = run_curl(
        &command,
        &[
            ("OCEANBASE_ACCESS_KEY_ID", OB_ID),
            ("OCEANBASE_ACCESS_KEY_SECRET", OB_SECRET),
        ],
    );
    assert!(ran.status.success(), "{command}\n{}", text(&ran.stderr));
    assert_eq!(digest.requests().pop().unwrap().status, 200);
}

/// An empty or blank variable in the environment is unset: the profile's value is taken,
/// rather than the run failing with "not set" while the profile holds it.
#[test]
fn an_empty_environment_variable_does_not_hide_the_profiles_value() {
    let dir = tempfile::tempdir().unwrap();
    store_profile(
        dir.path(),
        &[
            ("HUAWEICLOUD_SDK_AK", AK),
            ("HUAWEICLOUD_SDK_SK", SK),
            ("HUAWEICLOUD_SDK_REGION", "ap-southeast-1"),
        ],
    );
    let (api, op) = paged_op();
    let mut args = op_args(api, op);
    args.push("--dry-run".into());
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let config = dir.path().to_str().unwrap();
    for blank in ["", " "] {
        let out = run(
            &a,
            &[
                ("CLOUDSDK_CONFIG_DIR", config),
                ("CLOUDSDK_PROFILE", "work"),
                ("HUAWEICLOUD_SDK_AK", blank),
                ("HUAWEICLOUD_SDK_SK", blank),
                ("HUAWEICLOUD_SDK_REGION", blank),
            ],
            None,
        );
        let command = text(&out.stdout);
        assert!(out.status.success(), "{blank:?}: {}", text(&out.stderr));
        assert!(
            command.contains("ap-southeast-1") && command.contains(&format!("Access={AK}")),
            "{command}"
        );
    }
    // A blank profile variable names no profile: `default` is read, as when it is unset.
    let out = run(
        &a,
        &[("CLOUDSDK_CONFIG_DIR", config), ("CLOUDSDK_PROFILE", "  ")],
        None,
    );
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("no profile"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_with_iam_password_credentials_prints_the_token_form_and_says_so() {
    let (api, op) = paged_op();
    let mut env: Vec<(String, String)> = huawei_env("http://127.0.0.1:9", api)
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_AK") && !k.ends_with("_SK"))
        .collect();
    env.extend([
        ("HUAWEICLOUD_SDK_USERNAME".into(), "user".into()),
        ("HUAWEICLOUD_SDK_PASSWORD".into(), "pass word secret".into()),
        ("HUAWEICLOUD_SDK_DOMAIN_NAME".into(), "domain".into()),
    ]);
    let mut args = op_args(api, op);
    args.push("--dry-run".into());
    let out = run_async(args, env, None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let command = text(&out.stdout);
    assert!(
        command.contains("-H \"X-Auth-Token: $HUAWEICLOUD_SDK_AUTH_TOKEN\""),
        "{command}"
    );
    let hint = text(&out.stderr);
    assert!(
        hint.starts_with("# export HUAWEICLOUD_SDK_AUTH_TOKEN ") && hint.contains("IAM token"),
        "{hint}"
    );
    assert!(!hint.contains("pass word") && !command.contains("pass word"));
    // And the help says so.
    let help = text(&run(&[api.name, op.name, "--help"], &[], None).stdout);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [
        "HUAWEICLOUD_SDK_AUTH_TOKEN",
        "IAM password credentials",
        "OCEANBASE_ACCESS_KEY_SECRET",
        "# export",
    ] {
        assert!(help.contains(part), "{part} in {help}");
    }
}

#[test]
fn config_set_replaces_a_symlinked_credentials_file_instead_of_writing_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere.toml");
    std::fs::write(&elsewhere, "# not the tool's file\n").unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    let path = config.join("credentials.toml");
    std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
    store_profile(&config, &[("HUAWEICLOUD_SDK_REGION", "cn-north-4")]);
    // The file the link pointed to is untouched; the link is now the tool's own file.
    assert_eq!(
        std::fs::read_to_string(&elsewhere).unwrap(),
        "# not the tool's file\n"
    );
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_file()
    );
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("cn-north-4")
    );
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(&config)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["credentials.toml"]);
}

#[test]
fn config_list_shows_access_key_ids_by_their_first_four_characters() {
    let dir = tempfile::tempdir().unwrap();
    store_profile(
        dir.path(),
        &[
            ("HUAWEICLOUD_SDK_AK", "HPUALONGACCESSKEY01"),
            ("OCEANBASE_ACCESS_KEY_ID", "short"),
            ("OCEANBASE_ACCESS_KEY_SECRET", OB_SECRET),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ],
    );
    let out = Command::new(BIN)
        .args(["config", "list"])
        .env_clear()
        .env("CLOUDSDK_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    for line in [
        "HUAWEICLOUD_SDK_AK = HPUA…",
        "OCEANBASE_ACCESS_KEY_ID = …",
        "OCEANBASE_ACCESS_KEY_SECRET = ***",
        "HUAWEICLOUD_SDK_REGION = cn-north-4",
    ] {
        assert!(listed.lines().any(|l| l == line), "{line} in {listed}");
    }
    assert!(!listed.contains("HPUALONG") && !listed.contains("short"));
}

#[test]
fn a_variable_that_is_not_utf8_is_a_config_error_naming_it() {
    use std::{ffi::OsStr, os::unix::ffi::OsStrExt as _};
    let (api, op) = paged_op();
    let mut args = op_args(api, op);
    args.push("--dry-run".into());
    let not_utf8 = OsStr::from_bytes(b"work\xff");
    for name in ["CLOUDSDK_PROFILE", "HUAWEICLOUD_SDK_AK"] {
        let config = tempfile::tempdir().unwrap();
        let out = Command::new(BIN)
            .args(&args)
            .env_clear()
            .env("CLOUDSDK_CONFIG_DIR", config.path())
            .envs(huawei_env("http://127.0.0.1:9", api))
            .env(name, not_utf8)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{name}: {}", text(&out.stderr));
        let line = text(&out.stderr);
        assert!(
            line.contains(name) && line.contains("UTF-8"),
            "{name}: {line}"
        );
    }
}

/// The arguments of a GET operation with a documented example, answered by `--mock` (the
/// wait flags are on GETs).
fn mock_get_args() -> Vec<String> {
    let (api, op) = catalog::APIS
        .iter()
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .find(|(_, o)| o.example.is_some() && o.method == "GET")
        .expect("a GET operation with an example in specs/");
    let mut base = owned(&[api.name, op.name, "--mock"]);
    base.extend(param_args(op));
    base
}

#[test]
fn an_integer_jmespath_cannot_hold_is_a_usage_error_not_a_panic() {
    let base = mock_get_args();
    for (flags, number) in [
        (&["--query", "connections[2147483648]"][..], "2147483648"),
        (
            &["--query", "[::-9223372036854775808]"][..],
            "-9223372036854775808",
        ),
        (
            &[
                "--wait-until",
                "total_count == `1`",
                "--wait-fail",
                "[-2147483648] == 1",
            ][..],
            "-2147483648",
        ),
        (&["--wait-until", "x[4294967296] == 1"][..], "4294967296"),
    ] {
        let mut args = base.clone();
        args.extend(owned(flags));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&a, &[], None);
        let line = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {line}");
        assert!(
            line.contains(number) && line.starts_with("error: usage"),
            "{line}"
        );
    }
    // A number inside quotes is the expression's text, not a number: it is not refused.
    let mut args = base.clone();
    args.extend(owned(&["--query", "'2147483648'"]));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&a, &[], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "\"2147483648\"");
}

/// A wait's messages quote the condition as written, not only the value it compares with.
#[test]
fn a_wait_that_ends_unmet_names_its_whole_condition() {
    let base = mock_get_args();
    for (flags, code, message) in [
        (
            &["--wait-until", "no_such_field == 'ready'"][..],
            7,
            "no_such_field == 'ready' does not hold for the documented example",
        ),
        (
            &[
                "--wait-until",
                "no_such_field == 'ready'",
                "--wait-fail",
                "no_such_field == null",
            ][..],
            8,
            "stopped waiting: no_such_field == null (found null)",
        ),
    ] {
        let mut args = base.clone();
        args.extend(owned(flags));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&a, &[], None);
        let line = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{flags:?}: {line}");
        assert!(line.contains(message), "{flags:?}: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_with_a_page_not_in_the_documented_form_is_an_invalid_response() {
    let (api, op) = paged_op();
    let items = op.paging.as_ref().unwrap().items;
    for page in [
        json!([1, 2, 3]),
        json!({ items: "not a list", "total": 3 }),
        json!({ "total": 3 }),
    ] {
        let answer = page.clone();
        let (addr, _) = scripted(move |_, _| (200, answer.clone())).await;
        let mut args = op_args(api, op);
        args.push("--all".into());
        let out = run_async(args, env_for(api, &format!("http://{addr}")), None).await;
        let line = text(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{page}: {line}");
        assert!(
            line.starts_with("error: invalid-response") && line.contains(items),
            "{page}: {line}"
        );
        assert!(out.stdout.is_empty(), "{page}");
    }
}

#[test]
fn with_output_json_an_argument_error_is_the_json_error_object() {
    let (api, op) = paged_op();
    let mut base = owned(&[api.name, op.name]);
    base.extend(param_args(op));
    for (extra, part) in [
        (
            &["--output", "json", "--no-such-flag"][..],
            "--no-such-flag",
        ),
        (&["--output=json", "--query"][..], "--query"),
        (&["--bogus", "--output", "json"][..], "--bogus"),
    ] {
        let mut args = base.clone();
        args.extend(owned(extra));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&a, &[], None);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let error: Value = serde_json::from_slice(&out.stderr)
            .unwrap_or_else(|e| panic!("{extra:?}: {e}: {}", text(&out.stderr)));
        assert_eq!(error["error"]["kind"], "usage");
        assert_eq!(error["error"]["exit_code"], 2);
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(part), "{message}");
    }
    // Without --output json, clap's own text; --help stays help, on stdout.
    let mut args = base.clone();
    args.push("--no-such-flag".into());
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&a, &[], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: "));
    let out = run(
        &[api.name, op.name, "--output", "json", "--help"],
        &[],
        None,
    );
    assert!(out.status.success() && text(&out.stdout).contains("--output"));
}

#[test]
fn region_on_the_command_line_wins_over_the_endpoint_variable_but_not_over_endpoint() {
    let (api, op) = paged_op();
    let env = huawei_env("http://127.0.0.1:9", api);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let dry = |extra: &[&str]| {
        let mut args = op_args(api, op);
        args.push("--dry-run".into());
        args.extend(owned(extra));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&a, &env, None);
        assert!(out.status.success(), "{extra:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    // The variable alone: its endpoint.
    assert!(dry(&[]).contains("http://127.0.0.1:9/"));
    // --region: the region's host, not the variable's.
    let command = dry(&["--region", "ap-southeast-1"]);
    assert!(
        command.contains("https://")
            && command.contains("ap-southeast-1")
            && !command.contains("127.0.0.1"),
        "{command}"
    );
    // --region and --endpoint: the endpoint given.
    let command = dry(&[
        "--region",
        "ap-southeast-1",
        "--endpoint",
        "https://css.example.test",
    ]);
    assert!(command.contains("https://css.example.test/"), "{command}");
}

/// An endpoint follows the base-URL rule of the clients: one with user-info, a query or a
/// fragment is a `config` error naming the variable, for a dry run (which would print the
/// password in the URL) and for a call (whose path would land in the query or fragment, so
/// that the request went to another path); the password is not shown and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_with_user_info_a_query_or_a_fragment_is_refused() {
    let (api, op) = paged_op();
    let (addr, calls) = scripted(|_, _| (200, json!({}))).await;
    let variable = format!(
        "HUAWEICLOUD_SDK_ENDPOINT_{}",
        api.service.to_ascii_uppercase()
    );
    for endpoint in [
        format!("http://user:endpoint-pw@{addr}"),
        format!("http://{addr}/?tenant=1"),
        format!("http://{addr}/base#part"),
    ] {
        for (extra, env_endpoint) in [
            (&["--dry-run"][..], false),
            (&[][..], false),
            (&["--dry-run"][..], true),
        ] {
            let mut args = op_args(api, op);
            args.extend(owned(extra));
            let mut env = huawei_env("http://127.0.0.1:9", api);
            if env_endpoint {
                env.retain(|(k, _)| *k != variable);
                env.push((variable.clone(), endpoint.clone()));
            } else {
                args.extend(["--endpoint".to_owned(), endpoint.clone()]);
            }
            let out = run_async(args.clone(), env, None).await;
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
            assert!(
                stderr.starts_with("error: config") && stderr.contains(&variable),
                "{stderr}"
            );
            assert!(!stderr.contains("endpoint-pw"), "{stderr}");
            assert_eq!(text(&out.stdout), "", "{args:?}");
        }
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// An operation whose body has a secret field with a flag of its own: (API, operation, field,
/// its JSON pointer).
fn secret_field_op() -> (&'static Api, &'static Operation, &'static Field, String) {
    catalog::APIS
        .iter()
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .find_map(|(a, o)| {
            o.body.as_ref()?.root.fields.iter().find_map(|f| {
                f.flag?;
                o.secret_pointer(f).map(|p| (a, o, f, p))
            })
        })
        .expect("specs/ must hold a body field replaced by `Secret` in an api.toml")
}

/// The operation's arguments with every required body field but `secret` as a flag.
fn args_without(api: &Api, op: &Operation, secret: &Field) -> Vec<String> {
    let mut args = op_args(api, op);
    for f in op.body.as_ref().unwrap().root.fields {
        if let (Some(flag), true, false) = (f.flag, f.required, f.name == secret.name) {
            let value = match sample(f.ty, f.values) {
                Value::String(s) => s,
                other => other.to_string(),
            };
            args.extend([format!("--{flag}"), value]);
        }
    }
    args
}

/// A secret body field: its flag alone reads a line of stdin, its variable stands in for the
/// flag, and a server that quotes it back in an error does not get it printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_body_field_is_read_from_stdin_or_its_variable_and_never_printed() {
    use integration_tests::raw_server::{RawServer, Reply};
    let (api, op, field, pointer) = secret_field_op();
    let flag = format!("--{}", field.flag.unwrap());
    let server = RawServer::start(|request, _| {
        let sent = String::from_utf8_lossy(&request.body).into_owned();
        Reply::json(
            400,
            &json!({"error_code": "DAS.0001", "error_msg": format!("invalid body: {sent}")})
                .to_string(),
        )
    })
    .await
    .unwrap();
    let env = huawei_env(&server.base_url(), api);
    let variable = format!("CLOUDSDK_BODY_{}", field.name.to_ascii_uppercase());
    let secret = "s3cret \"db\" pass";
    let runs = [
        // The flag alone: one line of stdin.
        (vec![flag.clone()], None, Some(format!("{secret}\n"))),
        // No flag: the variable.
        (vec![], Some(secret), None),
        // The value after the flag (seen in the process list, but the user's choice).
        (vec![flag.clone(), secret.to_owned()], None, None),
    ];
    for (i, (extra, from_env, stdin)) in runs.into_iter().enumerate() {
        let mut args = args_without(api, op, field);
        args.extend(extra);
        let mut env = env.clone();
        if let Some(value) = from_env {
            env.push((variable.clone(), value.to_owned()));
        }
        let out = run_async(args.clone(), env, stdin).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        let sent: Value = serde_json::from_slice(&server.requests()[i].body).unwrap();
        assert_eq!(sent.pointer(&pointer), Some(&json!(secret)), "{args:?}");
        assert!(stderr.contains("DAS.0001"), "{stderr}");
        assert!(
            !stderr.contains("s3cret") && stderr.contains("***"),
            "{args:?}: {stderr}"
        );
    }
    // Both the flag alone and `--body -` would read stdin.
    let mut args = args_without(api, op, field);
    args.extend([flag, "--body".into(), "-".into()]);
    let out = run_async(args, env, Some("{}".into())).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&variable),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(server.requests().len(), 3);
}

/// Waiting repeats the call: only reads offer it. A POST, PUT or DELETE given `--wait-until`
/// is a usage error and nothing is sent (repeated, it would create or delete again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_get_operations_can_wait() {
    let (addr, calls) = scripted(|_, _| (200, json!({"status": "creating"}))).await;
    let mut tried = 0;
    for api in catalog::APIS {
        for op in api.operations.iter().filter(|o| o.method != "GET") {
            tried += 1;
            let mut args = op_args(api, op);
            args.extend(owned(&[
                "--wait-until",
                "status == accepted",
                "--body",
                "-",
            ]));
            let out = run_async(
                args.clone(),
                env_for(api, &format!("http://{addr}")),
                Some("{}".into()),
            )
            .await;
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?}: {}",
                text(&out.stderr)
            );
            assert!(
                text(&out.stderr).contains("--wait-until"),
                "{}",
                text(&out.stderr)
            );
        }
    }
    assert!(tried > 0, "specs/ holds operations that are not GETs");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// `--all` does not wait: given with `--wait-until` it is a usage error naming both, and
/// nothing is sent, rather than a listing that succeeds whether or not the condition holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_with_wait_until_is_a_usage_error_not_a_wait_skipped() {
    let (api, op) = paged_ops()
        .find(|(_, o)| o.method == "GET")
        .expect("a paged GET operation in specs/");
    let items = op.paging.as_ref().unwrap().items;
    let (addr, calls) =
        scripted(move |_, _| (200, json!({ items: [{"status": "pending"}] }))).await;
    let mut args = op_args(api, op);
    args.extend(owned(&["--all", "--wait-until", "status == accepted"]));
    let out = run_async(args.clone(), env_for(api, &format!("http://{addr}")), None).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains("--all") && stderr.contains("--wait-until"),
        "{stderr}"
    );
    assert_eq!(text(&out.stdout), "");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    // The same with --mock, which answers from the documented example.
    let mut args = owned(&[api.name, op.name, "--mock"]);
    args.extend(param_args(op));
    args.extend(owned(&["--all", "--wait-until", "status == accepted"]));
    let out = run_async(args.clone(), vec![], None).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: {}",
        text(&out.stderr)
    );
}

/// A flag that only shapes `--all` or `--wait-until`, given without it, is a usage error
/// naming both (it used to be ignored: `--max-items 3` alone printed a whole page, and
/// `--wait-timeout` alone waited for nothing); with it, the run succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flag_of_all_or_of_wait_until_without_it_is_a_usage_error() {
    let (api, op) = paged_ops()
        .find(|(_, o)| o.method == "GET")
        .expect("a paged GET operation in specs/");
    let paging = op.paging.as_ref().unwrap();
    let (items, total) = (paging.items, paging.total);
    let (addr, calls) = scripted(move |_, _| {
        let page: Vec<Value> = (0..10).map(|i| json!({"id": i, "status": "ok"})).collect();
        (200, json!({ items: page, total: 10, "status": "ok" }))
    })
    .await;
    let env = env_for(api, &format!("http://{addr}"));
    for (flag, value, with) in [
        ("--max-items", "3", &["--all"][..]),
        ("--page-size", "5", &["--all"][..]),
        ("--wait-timeout", "5", &["--wait-until", "status == ok"][..]),
        (
            "--wait-interval",
            "1",
            &["--wait-until", "status == ok"][..],
        ),
        (
            "--wait-fail",
            "status == gone",
            &["--wait-until", "status == ok"][..],
        ),
    ] {
        let mut args = op_args(api, op);
        args.extend(owned(&[flag, value]));
        let out = run_async(args.clone(), env.clone(), None).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains(with[0]),
            "{stderr}"
        );
        assert_eq!(text(&out.stdout), "", "{args:?}");
        args.extend(owned(with));
        let out = run_async(args.clone(), env.clone(), None).await;
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    }
    // Only the runs with the flag they go with reached the server, one call each.
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    let out = run_async(
        {
            let mut args = op_args(api, op);
            args.extend(owned(&["--all", "--max-items", "3", "--query", "id"]));
            args
        },
        env,
        None,
    )
    .await;
    assert_eq!(text(&out.stdout), "0\n1\n2\n");
}

/// `--timeout` sets the time limit of a call: a server that never answers fails the call as
/// `timed-out` (exit 5) once it has passed, not after the runtime's 30 s; a larger limit
/// lets a call through; a limit that is not a number of seconds above 0 is a usage error
/// naming the flag, and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_sets_the_time_limit_of_a_call() {
    use integration_tests::raw_server::{RawServer, Reply};
    let (api, op) = paged_op();
    let hang = RawServer::start(|_, _| Reply::Hang).await.unwrap();
    let mut args = op_args(api, op);
    args.extend(owned(&["--timeout", "0.5"]));
    let started = std::time::Instant::now();
    let out = run_async(args.clone(), env_for(api, &hang.base_url()), None).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: timed-out"), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    let items = op.paging.as_ref().unwrap().items;
    let (addr, calls) = scripted(move |_, _| (200, json!({ items: [] }))).await;
    let env = env_for(api, &format!("http://{addr}"));
    let mut args = op_args(api, op);
    args.extend(owned(&["--timeout", "120"]));
    let out = run_async(args.clone(), env.clone(), None).await;
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    for bad in ["0", "-1", "NaN", "inf", "soon"] {
        let mut args = op_args(api, op);
        args.push(format!("--timeout={bad}"));
        let out = run_async(args.clone(), env.clone(), None).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("--timeout"), "{stderr}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// A server whose pages never end (every page full, no total) is stopped after the runtime's
/// page limit, as a failure (exit 6) after the items printed so far; one that ignores the
/// page size gets no more printed than `--max-items`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_is_bounded_against_pages_that_never_end_or_ignore_the_limit() {
    let (api, op) = paged_op();
    let paging = op.paging.as_ref().unwrap();
    let items = paging.items;
    let (addr, calls) =
        scripted(move |n, _| (200, json!({ items: [{"id": format!("i{n}")}] }))).await;
    let mut args = op_args(api, op);
    args.extend(owned(&["--all", "--page-size", "1", "--query", "id"]));
    let out = run_async(args.clone(), env_for(api, &format!("http://{addr}")), None).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{args:?}: {stderr}");
    assert!(stderr.contains("has not ended"), "{stderr}");
    let pages = calls.load(Ordering::SeqCst);
    assert_eq!(pages, cloud_sdk_runtime::MAX_PAGES as usize);
    assert_eq!(
        text(&out.stdout).lines().count(),
        pages,
        "one item per page printed"
    );

    let (addr, _) = scripted(move |_, _| {
        let page: Vec<Value> = (0..50).map(|i| json!({"id": format!("i{i}")})).collect();
        (200, json!({ items: page, paging.total: 1_000_000 }))
    })
    .await;
    let mut args = op_args(api, op);
    args.extend(owned(&["--all", "--max-items", "3", "--query", "id"]));
    let out = run_async(args.clone(), env_for(api, &format!("http://{addr}")), None).await;
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).lines().count(),
        3,
        "{}",
        text(&out.stdout)
    );
}

/// Text from a server reaches a terminal through a table: its control characters are written
/// as escapes, so a value cannot retitle, clear or recolour the terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_writes_control_characters_from_the_server_as_escapes() {
    let (api, op) = paged_op();
    let items = op.paging.as_ref().unwrap().items;
    let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[31mred\u{1b}[0m\u{9b}2J";
    let (addr, _) = scripted(move |_, _| {
        (
            200,
            json!({ items: [{"id": hostile, "\u{1b}[2Jkey": "v"}] }),
        )
    })
    .await;
    // Columns from the server's keys (a query result), and the items of `--all`.
    for extra in [
        vec!["--output", "table", "--query", items],
        vec!["--output", "table", "--all", "--columns", "id"],
    ] {
        let mut args = op_args(api, op);
        args.extend(owned(&extra));
        let out = run_async(args.clone(), env_for(api, &format!("http://{addr}")), None).await;
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let table = text(&out.stdout);
        assert!(
            !table.chars().any(|c| c.is_control() && c != '\n'),
            "{args:?}: {table:?}"
        );
        assert!(table.contains("\\u{1b}]0;PWNED"), "{args:?}: {table}");
    }
    let mut args = op_args(api, op);
    args.extend(owned(&["--output", "table", "--query", items]));
    let out = run_async(args, env_for(api, &format!("http://{addr}")), None).await;
    assert!(
        text(&out.stdout).contains("\\u{1b}[2Jkey"),
        "{}",
        text(&out.stdout)
    );
}

/// A dry run whose secret was given on the command line while the environment holds another
/// value in its variable: the printed command would send that other value, so the hint names
/// the variable; with the same value, nothing is to export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_says_when_the_environment_holds_another_secret_than_the_one_given() {
    let (api, op, field, _) = secret_field_op();
    let flag = format!("--{}", field.flag.unwrap());
    let variable = format!("CLOUDSDK_BODY_{}", field.name.to_ascii_uppercase());
    for (in_env, named) in [("env-db-secret", true), ("given-db-secret", false)] {
        let mut args = args_without(api, op, field);
        args.extend([flag.clone(), "given-db-secret".into(), "--dry-run".into()]);
        let mut env = env_for(api, "http://127.0.0.1:9");
        env.push((variable.clone(), in_env.to_owned()));
        let out = run_async(args.clone(), env, None).await;
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(
            !stdout.contains("db-secret") && !stderr.contains("db-secret"),
            "{stdout}{stderr}"
        );
        assert_eq!(
            stderr.contains(&format!("# export {variable}")) && stderr.contains("another value"),
            named,
            "{in_env}: {stderr}"
        );
    }
}

/// Text from a server that holds bidirectional overrides, isolates or zero-width characters
/// (Unicode format characters, the "Trojan Source" trick) reaches a person written as escapes:
/// in a table's cells and header, in an error line and in a wait's message, so that it cannot
/// read otherwise than it is. `--output json` keeps the server's values exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn format_characters_from_the_server_are_escaped_where_a_person_reads_them() {
    const TRICK: &str = "\u{202e}fdp.exe\u{2066}a\u{2069}\u{200b}b\u{feff}\u{2028}";
    let escaped = "\\u{202e}fdp.exe\\u{2066}a\\u{2069}\\u{200b}b\\u{feff}\\u{2028}";
    let shows_trick = |text: &str| {
        text.chars().any(|c| {
            matches!(
                c,
                '\u{202e}' | '\u{2066}' | '\u{2069}' | '\u{200b}' | '\u{feff}' | '\u{2028}'
            )
        })
    };
    let (api, op, items) = waitable();
    let (addr, _) = scripted(|_, _| {
        (
            200,
            json!({ items: [{"id": TRICK, "status": "creating", format!("key{TRICK}"): "v"}] }),
        )
    })
    .await;
    let env = env_for(api, &format!("http://{addr}"));

    // A table: the cell, and the header made of the server's key.
    let mut args = op_args(api, op);
    args.extend(owned(&["--output", "table", "--query", items]));
    let out = run_async(args.clone(), env.clone(), None).await;
    let table = text(&out.stdout);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    assert!(!shows_trick(&table), "{table:?}");
    assert!(table.contains(escaped), "{table}");
    assert!(table.contains(&format!("key{escaped}")), "{table}");

    // JSON: the value as the server sent it.
    let mut args = op_args(api, op);
    args.extend(owned(&["--output", "json"]));
    let out = run_async(args.clone(), env.clone(), None).await;
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value[items][0]["id"], TRICK, "{args:?}");

    // A wait's message quotes the value found.
    let mut args = op_args(api, op);
    args.extend([
        "--wait-until".into(),
        format!("{items}[0].id == 'x'"),
        "--wait-interval".into(),
        "0.05".into(),
        "--wait-timeout".into(),
        "0.2".into(),
    ]);
    let out = run_async(args.clone(), env, None).await;
    let line = text(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{line}");
    assert!(!shows_trick(&line) && line.contains(escaped), "{line}");

    // An error line: the vendor's code and message.
    let (addr, _) = scripted(|_, _| {
        (
            400,
            json!({"error_code": format!("CSS{TRICK}"), "error_msg": format!("bad {TRICK}")}),
        )
    })
    .await;
    let env = env_for(api, &format!("http://{addr}"));
    let out = run_async(op_args(api, op), env.clone(), None).await;
    let line = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{line}");
    assert!(!shows_trick(&line), "{line:?}");
    assert!(
        line.contains(&format!("CSS{escaped}")) && line.contains(&format!("bad {escaped}")),
        "{line}"
    );
    // With `--output json`, the error object holds them exactly.
    let mut args = op_args(api, op);
    args.extend(owned(&["--output", "json"]));
    let out = run_async(args, env, None).await;
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(error["error"]["code"], format!("CSS{TRICK}"), "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("bad {TRICK}"))),
        "{error}"
    );
}

/// `--columns` that names no column (empty, or commas alone, as an unset shell variable
/// gives) is a usage error naming the flag and what to write, not a table of no columns.
#[test]
fn columns_that_name_no_column_are_a_usage_error() {
    let base = mock_get_args();
    for columns in ["", ",,", " , "] {
        let mut args = base.clone();
        args.extend(owned(&["--output", "table", "--columns", columns]));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&a, &[], None);
        let line = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{columns:?}: {line}");
        assert!(
            line.starts_with("error: usage: --columns") && line.contains("--columns id,status"),
            "{columns:?}: {line}"
        );
        assert_eq!(text(&out.stdout), "", "{columns:?}");
    }
    // Empty names between real ones are skipped.
    let mut args = base.clone();
    args.extend(owned(&["--output", "table", "--columns", ",status,"]));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&a, &[], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("status"));
}

/// A region that is not a region id is a `config` error that names where the value came
/// from, so that the user fixes that place: the `--region` flag, the environment variable,
/// or the profile, for the API's host and for the IAM endpoint of a password login alike.
/// Nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_region_names_the_flag_variable_or_profile_it_came_from() {
    let (api, op) = paged_op();
    let (addr, calls) = scripted(|_, _| (200, json!({}))).await;
    let endpoint_variable = format!(
        "HUAWEICLOUD_SDK_ENDPOINT_{}",
        api.service.to_ascii_uppercase()
    );
    let no_endpoint: Vec<(String, String)> = huawei_env("http://127.0.0.1:9", api)
        .into_iter()
        .filter(|(k, _)| *k != endpoint_variable)
        .collect();
    let config = tempfile::tempdir().unwrap();
    store_profile(config.path(), &[("HUAWEICLOUD_SDK_REGION", "Bad_Region")]);
    let config_dir = config.path().display().to_string();
    let mut password_login: Vec<(String, String)> = huawei_env(&format!("http://{addr}"), api)
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_AK") && !k.ends_with("_SK"))
        .collect();
    for (k, v) in [
        ("HUAWEICLOUD_SDK_USERNAME", "cli-user"),
        ("HUAWEICLOUD_SDK_PASSWORD", "cli-iam-password"),
        ("HUAWEICLOUD_SDK_DOMAIN_NAME", "cli-domain"),
    ] {
        password_login.push((k.to_owned(), v.to_owned()));
    }
    let with = |base: &[(String, String)], extra: &[(&str, &str)]| {
        let mut env = base.to_vec();
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        env
    };
    for (extra_args, env, names, not_named) in [
        (
            vec!["--dry-run", "--region", "Bad_Region"],
            with(&no_endpoint, &[("HUAWEICLOUD_SDK_REGION", "cn-north-4")]),
            "check --region",
            "HUAWEICLOUD_SDK_REGION",
        ),
        (
            vec!["--dry-run"],
            with(&no_endpoint, &[("HUAWEICLOUD_SDK_REGION", "Bad_Region")]),
            "check the environment variable HUAWEICLOUD_SDK_REGION",
            "--region",
        ),
        (
            vec!["--dry-run", "--profile", "work"],
            with(&no_endpoint, &[("CLOUDSDK_CONFIG_DIR", &config_dir)]),
            "check HUAWEICLOUD_SDK_REGION in profile `work`",
            "--region",
        ),
        // A password login with the API's endpoint given: the region is the IAM endpoint's.
        (
            vec!["--region", "Bad_Region"],
            password_login.clone(),
            "check --region",
            "HUAWEICLOUD_SDK_REGION",
        ),
    ] {
        let mut args = op_args(api, op);
        args.extend(owned(&extra_args));
        let out = run_async(args.clone(), env, None).await;
        let line = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {line}");
        assert!(
            line.starts_with("error: config")
                && line.contains("is not a Huawei Cloud region id")
                && line.contains(names)
                && !line.contains(not_named),
            "{args:?}: {line}"
        );
        assert!(
            !line.contains("Bad_Region"),
            "the value is not echoed: {line}"
        );
        assert_eq!(text(&out.stdout), "", "{args:?}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// `--dry-run --all` prints the first page's request as `--all` sends it, with the paging
/// parameters (the offset given, else 0, and the page size bounded by `--max-items`) in place
/// of any the flags gave, and says on stderr that later pages follow the same form. The
/// command, run, gets the first page from the checking server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_with_all_prints_the_first_page_request_with_its_paging_parameters() {
    let mut tried = 0;
    for (api, op) in paged_ops() {
        tried += 1;
        let paging = op.paging.as_ref().unwrap();
        let (base, count) = paged_server(op).await;
        let env = env_for(api, &base);
        let env_refs: Vec<(&str, &str)> =
            env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let offset_flag = format!(
            "--{}",
            op.params
                .iter()
                .find(|p| p.name == paging.offset)
                .map(|p| p.flag)
                .unwrap()
        );
        for (extra, offset, limit) in [
            (vec!["--all"], "0", "100"),
            (
                vec!["--all", "--page-size", "40", "--max-items", "25"],
                "0",
                "25",
            ),
            (
                vec!["--all", "--page-size", "30", &offset_flag, "7"],
                "7",
                "30",
            ),
        ] {
            let mut args = op_args(api, op);
            args.extend(owned(&extra));
            args.push("--dry-run".into());
            let out = run_async(args.clone(), env.clone(), None).await;
            let (command, stderr) = (text(&out.stdout), text(&out.stderr));
            assert!(out.status.success(), "{args:?}: {stderr}");
            let url = command
                .split_whitespace()
                .map(|w| w.trim_matches('\''))
                .find(|w| w.starts_with("http"))
                .unwrap_or_default()
                .to_owned();
            let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
            let sent = pairs(query);
            let values = |name: &str| -> Vec<String> {
                sent.iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .collect()
            };
            assert_eq!(values(paging.offset), [offset], "{args:?}: {url}");
            assert_eq!(values(paging.limit), [limit], "{args:?}: {url}");
            assert!(
                stderr.contains("--all") && stderr.contains("later pages"),
                "{args:?}: {stderr}"
            );
            assert_eq!(count.load(Ordering::SeqCst), 0, "a dry run sends nothing");

            // The command runs as printed and gets the first page.
            let ran = run_curl(&command, &env_refs);
            assert!(ran.status.success(), "{command}: {}", text(&ran.stderr));
            let page: Value = serde_json::from_slice(&ran.stdout).unwrap();
            assert_eq!(
                page[paging.items][0]["id"],
                format!("item-{:03}", offset.parse::<usize>().unwrap()),
                "{command}"
            );
            count.store(0, Ordering::SeqCst);
        }
    }
    assert!(tried > 0, "specs/ has paged operations");
}

/// A redirect is never followed (credentials and bodies stay with the endpoint): the run is a
/// `transport` error, exit 5, as the README's table of exit codes says, and one call is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_a_transport_error_with_exit_code_5() {
    let (api, op) = paged_op();
    let (addr, calls) = scripted(|_, _| (302, json!({}))).await;
    let out = run_async(
        op_args(api, op),
        env_for(api, &format!("http://{addr}")),
        None,
    )
    .await;
    let line = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{line}");
    assert!(
        line.starts_with("error: transport: HTTP 302") && line.contains("redirect"),
        "{line}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let readme = include_str!("../../../README.md");
    assert!(
        readme
            .lines()
            .any(|l| l.starts_with("| 5 |") && l.contains("redirect")),
        "the README's exit code 5 names redirects"
    );
}
