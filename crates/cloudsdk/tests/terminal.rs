//! The binary in a real pseudo-terminal: pretty JSON, the table, and the spinner on stderr
//! while `--wait-until` waits. (The piped runs in `cli.rs` check the compact JSON and that no
//! spinner is drawn.)
// Test code: a failed unwrap is a failed test with a message.
#![allow(clippy::unwrap_used)]

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use cloudsdk::catalog::{self, Api, Operation};

const BIN: &str = env!("CARGO_BIN_EXE_cloudsdk");

/// Runs the binary in a pseudo-terminal and returns everything it wrote there.
fn in_terminal(args: &[String], env: &[(String, String)]) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .env("CLOUDSDK_CONFIG_DIR", std::env::temp_dir())
        .envs(env.iter().map(|(k, v)| (k, v)));
    let mut session = expectrl::Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    let captured = session.expect(expectrl::Eof).unwrap();
    String::from_utf8_lossy(captured.as_bytes()).into_owned()
}

fn paged_op() -> (&'static Api, &'static Operation) {
    catalog::APIS
        .iter()
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .find(|(_, o)| o.paging.is_some() && o.example.is_some())
        .expect("a paged operation with an example in specs/")
}

fn args(api: &Api, op: &Operation, extra: &[&str]) -> Vec<String> {
    let mut args = vec![api.name.to_owned(), op.name.to_owned()];
    for p in op.params.iter().filter(|p| p.required && !p.supplied) {
        args.extend([format!("--{}", p.flag), format!("x-{}", p.flag)]);
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

#[test]
fn on_a_terminal_json_is_pretty_and_tables_are_drawn() {
    let (api, op) = paged_op();
    let screen = in_terminal(&args(api, op, &["--mock"]), &[]);
    let first_key = serde_json::from_str::<serde_json::Value>(op.example.unwrap())
        .unwrap()
        .as_object()
        .and_then(|o| o.keys().next().cloned())
        .unwrap();
    assert!(screen.starts_with("{\r\n  \""), "{screen}");
    assert!(screen.contains(&format!("\"{first_key}\": ")), "{screen}");

    let screen = in_terminal(&args(api, op, &["--mock", "--output", "table"]), &[]);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines.len() >= 4, "{screen}");
    for column in op.columns.iter().take(2) {
        assert!(
            lines[1].contains(column),
            "{column} in the header: {screen}"
        );
    }
}

#[test]
fn on_a_terminal_a_spinner_shows_the_wait() {
    let (api, op) = paged_op();
    let items = op.paging.as_ref().unwrap().items;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let status = ["pendingAcceptance", "creating", "accepted"][n.min(2)];
        async move { axum::Json(serde_json::json!({ items: [{"status": status}] })) }
    });
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let env = vec![
        ("HUAWEICLOUD_SDK_AK".to_owned(), "AK".to_owned()),
        ("HUAWEICLOUD_SDK_SK".to_owned(), "SK".to_owned()),
        (
            format!(
                "HUAWEICLOUD_SDK_ENDPOINT_{}",
                api.service.to_ascii_uppercase()
            ),
            format!("http://{addr}"),
        ),
    ];
    let until = format!("{items}[0].status == 'accepted'");
    let screen = in_terminal(
        &args(api, op, &["--wait-until", &until, "--wait-interval", "0.4"]),
        &env,
    );
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert!(screen.contains("waiting"), "{screen}");
    assert!(screen.contains("\"creating\""), "the last value: {screen}");
    assert!(screen.contains("\"accepted\""), "{screen}");
}

/// `config set NAME` in a terminal, typing `value` at the prompt: what the terminal showed.
fn config_set_typed(config: &std::path::Path, name: &str, value: &str) -> String {
    // The pseudo-terminal starts without echo; a user's terminal echoes. `stty echo` before
    // the tool starts makes it one, so what the terminal shows is the tool's choice.
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "stty echo && exec \"$0\" config set \"$1\"",
        BIN,
        name,
    ])
    .env_clear()
    .env("PATH", std::env::var("PATH").unwrap_or_default())
    .env("TERM", "xterm")
    .env("CLOUDSDK_CONFIG_DIR", config);
    let mut session = expectrl::Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
        .expect(format!("{name} for profile default: ").as_str())
        .unwrap();
    // The prompt is written before echo is turned off: give the tool time to turn it off.
    std::thread::sleep(Duration::from_millis(500));
    session.send_line(value).unwrap();
    let rest = session.expect(expectrl::Eof).unwrap();
    String::from_utf8_lossy(rest.as_bytes()).into_owned()
}

#[test]
fn config_set_echoes_a_key_id_and_hides_a_secret() {
    let config = tempfile::tempdir().unwrap();
    let shown = config_set_typed(config.path(), "HUAWEICLOUD_SDK_AK", "VISIBLEKEYID");
    assert!(shown.contains("VISIBLEKEYID"), "{shown}");
    let shown = config_set_typed(config.path(), "HUAWEICLOUD_SDK_SK", "hidden-secret");
    assert!(
        !shown.contains("hidden-secret") && shown.contains("stored HUAWEICLOUD_SDK_SK"),
        "{shown}"
    );
}

/// A secret body field's flag given alone, in a terminal that echoes: the tool asks for the
/// value, what is typed does not show, and the dry run writes a variable in its place.
#[test]
fn a_secret_flag_alone_asks_for_the_value_without_echo() {
    let (api, op, flag) = catalog::APIS
        .iter()
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .find_map(|(a, o)| {
            let fields = o.body.as_ref()?.root.fields;
            let f = fields.iter().find(|f| o.secret_pointer(f).is_some())?;
            Some((a, o, f.flag?))
        })
        .expect("specs/ must hold a body field replaced by `Secret` in an api.toml");
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "stty echo && exec \"$@\"", "sh", BIN])
        .args(args(api, op, &[&format!("--{flag}"), "--dry-run"]))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .env("CLOUDSDK_CONFIG_DIR", std::env::temp_dir())
        .env("HUAWEICLOUD_SDK_AK", "TERMINALTESTAK")
        .env("HUAWEICLOUD_SDK_SK", "terminal-test-sk")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "proj0123")
        .env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
        .env("OCEANBASE_ACCESS_KEY_ID", "terminal-id")
        .env("OCEANBASE_ACCESS_KEY_SECRET", "terminal-secret")
        .env("OCEANBASE_PROJECT_ID", "obproj");
    let mut session = expectrl::Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session.expect(format!("--{flag}: ").as_str()).unwrap();
    // The prompt is written before echo is turned off: give the tool time to turn it off.
    std::thread::sleep(Duration::from_millis(500));
    session.send_line("typed-db-secret").unwrap();
    let rest = session.expect(expectrl::Eof).unwrap();
    let shown = String::from_utf8_lossy(rest.as_bytes()).into_owned();
    assert!(shown.contains("curl "), "{shown}");
    assert!(shown.contains("\"$CLOUDSDK_BODY_"), "{shown}");
    assert!(!shown.contains("typed-db-secret"), "{shown}");
}

/// The spinner shows the last value the server sent: its bidirectional override and
/// zero-width space are written as escapes, so the terminal shows the text as it is.
#[test]
fn on_a_terminal_the_spinner_writes_format_characters_as_escapes() {
    let (api, op) = paged_op();
    let items = op.paging.as_ref().unwrap().items;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(|| async {
        axum::Json(serde_json::json!({ items: [{"status": "\u{202e}gnitaerc\u{200b}"}] }))
    });
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let env = vec![
        ("HUAWEICLOUD_SDK_AK".to_owned(), "AK".to_owned()),
        ("HUAWEICLOUD_SDK_SK".to_owned(), "SK".to_owned()),
        (
            format!(
                "HUAWEICLOUD_SDK_ENDPOINT_{}",
                api.service.to_ascii_uppercase()
            ),
            format!("http://{addr}"),
        ),
    ];
    let until = format!("{items}[0].status == 'accepted'");
    let screen = in_terminal(
        &args(
            api,
            op,
            &[
                "--wait-until",
                &until,
                "--wait-interval",
                "0.2",
                "--wait-timeout",
                "1",
            ],
        ),
        &env,
    );
    assert!(screen.contains("waiting"), "{screen}");
    assert!(
        screen.contains("\\u{202e}gnitaerc\\u{200b}"),
        "the last value, escaped: {screen}"
    );
    assert!(
        !screen.contains('\u{202e}') && !screen.contains('\u{200b}'),
        "{screen:?}"
    );
}
