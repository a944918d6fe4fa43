//! `cloudsdk`: every operation of the APIs in `specs/` as a command,
//! `cloudsdk <api> <operation> [flags]`. The commands come from the generated table
//! ([`catalog`]); requests go through the runtime crate's transport, authentication,
//! retries, limits and typed errors, as the generated clients' do.
#![warn(missing_docs, unreachable_pub)]

pub mod catalog;
mod cli;
pub mod curl;
mod output;
mod request;
mod send;
mod settings;

use std::{io::IsTerminal as _, process::ExitCode};

use cloud_sdk_runtime::ErrorKind;
use serde_json::{Value, json};

/// Why a run failed: what the user sees on stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// The error class (`usage`, `config`, `service`, ...), the first word of the line.
    pub kind: &'static str,
    /// The exit code of the class.
    pub code: u8,
    /// The HTTP status, when a server answered.
    pub status: Option<u16>,
    /// The vendor's error code.
    pub vendor_code: Option<String>,
    /// What happened and what to do.
    pub message: String,
    /// The request id the service answered with.
    pub request_id: Option<String>,
    /// The request id the call sent.
    pub client_request_id: Option<String>,
}

impl Failure {
    fn new(kind: &'static str, code: u8, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            status: None,
            vendor_code: None,
            message: message.into(),
            request_id: None,
            client_request_id: None,
        }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new("usage", 2, message)
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::new("config", 3, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new("internal", 70, message)
    }

    pub(crate) fn invalid_response(message: impl Into<String>) -> Self {
        let (kind, code) = Self::class(ErrorKind::InvalidResponse);
        Self::new(kind, code, message)
    }

    pub(crate) fn wait_timeout(message: impl Into<String>) -> Self {
        Self::new("wait-timeout", 7, message)
    }

    pub(crate) fn wait_failed(message: impl Into<String>) -> Self {
        Self::new("wait-failed", 8, message)
    }

    /// The class of a runtime error kind: (name, exit code).
    pub(crate) fn class(kind: ErrorKind) -> (&'static str, u8) {
        match kind {
            ErrorKind::Service => ("service", 1),
            ErrorKind::InvalidRequest => ("usage", 2),
            // The IAM token endpoint failed or is backed off after a failure: like a service
            // that cannot be reached, it may work later.
            ErrorKind::CredentialsUnavailable => ("credentials-unavailable", 5),
            ErrorKind::CredentialsRejected | ErrorKind::LoginRefused | ErrorKind::BadChallenge => {
                ("credentials-rejected", 4)
            }
            ErrorKind::TimedOut => ("timed-out", 5),
            ErrorKind::Connect => ("connect", 5),
            ErrorKind::InsecureUrl => ("config", 3),
            ErrorKind::InvalidResponse | ErrorKind::ResponseTooLarge => ("invalid-response", 6),
            // A redirect is never followed (credentials and bodies stay with the endpoint):
            // the exchange did not reach the API asked for, as a broken connection does not.
            ErrorKind::Transport | ErrorKind::RedirectRefused => ("transport", 5),
            _ => ("transport", 5),
        }
    }

    fn line(&self) -> String {
        let mut out = format!("error: {}", self.kind);
        if let Some(status) = self.status {
            out.push_str(&format!(": HTTP {status}"));
        }
        if let Some(code) = &self.vendor_code {
            out.push_str(&format!(": {code}"));
        }
        out.push_str(&format!(": {}", self.message));
        if let Some(id) = &self.request_id {
            out.push_str(&format!(" (request id {id})"));
        }
        if let Some(id) = &self.client_request_id {
            out.push_str(&format!(" (client request id {id})"));
        }
        // One line, whose server text (the message, the vendor's code, a value found) shows
        // as it is: control and format characters as escapes.
        output::visible(&out.replace('\n', " "))
    }

    fn json(&self) -> Value {
        json!({
            "error": {
                "kind": self.kind,
                "exit_code": self.code,
                "status": self.status,
                "code": self.vendor_code,
                "message": self.message,
                "request_id": self.request_id,
                "client_request_id": self.client_request_id,
            }
        })
    }
}

/// Runs the tool with `args` (the first is the program name) and returns the exit code.
pub fn run(args: Vec<std::ffi::OsString>) -> ExitCode {
    let asks_json = json_output_requested(&args);
    let matches = match cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        // A usage error (not `--help` or `--version`, which go to stdout) with `--output json`:
        // the JSON error object every other failure is printed as, so that a script reading
        // stderr as JSON gets one.
        Err(e) if e.use_stderr() && asks_json => {
            let rendered = e.render().to_string();
            let message = rendered.trim().trim_start_matches("error: ");
            let failure = Failure::usage(message);
            eprintln!("{}", failure.json());
            return ExitCode::from(failure.code);
        }
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let json_errors = matches!(find_output(&matches).as_deref(), Some("json"));
    match dispatch(&matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if json_errors {
                eprintln!("{}", failure.json());
            } else {
                eprintln!("{}", failure.line());
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Whether the raw arguments ask for `--output json` (`--output json`, `--output=json`,
/// `-o json`, `-ojson`, `-o=json`): read before clap, whose errors come before any matches.
fn json_output_requested(args: &[std::ffi::OsString]) -> bool {
    let args: Vec<Option<&str>> = args.iter().map(|a| a.to_str()).collect();
    args.iter().enumerate().any(|(i, arg)| match arg {
        Some("--output" | "-o") => args.get(i + 1) == Some(&Some("json")),
        Some(arg) => matches!(*arg, "--output=json" | "-ojson" | "-o=json"),
        None => false,
    })
}

fn find_output(matches: &clap::ArgMatches) -> Option<String> {
    let (_, api) = matches.subcommand()?;
    let (_, op) = api.subcommand()?;
    op.try_get_one::<String>("output").ok().flatten().cloned()
}

fn dispatch(matches: &clap::ArgMatches) -> Result<(), Failure> {
    let Some((name, sub)) = matches.subcommand() else {
        return Err(Failure::usage("name an API; see `cloudsdk --help`"));
    };
    match name {
        "completions" => {
            let shell = sub
                .get_one::<clap_complete::Shell>("shell")
                .copied()
                .ok_or_else(|| Failure::usage("name a shell: bash, zsh or fish"))?;
            let mut cmd = cli::command();
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut cmd, "cloudsdk", &mut buffer);
            output::write_out(&String::from_utf8_lossy(&buffer))
        }
        "config" => match sub.subcommand() {
            Some(("path", _)) => {
                output::write_out(&format!("{}\n", settings::credentials_path()?.display()))
            }
            Some(("set", args)) => settings::set(
                args.get_one::<String>("name")
                    .map(String::as_str)
                    .unwrap_or_default(),
                args.get_one::<String>("profile").map(String::as_str),
            ),
            Some(("list", _)) => output::write_out(&settings::list()?),
            _ => Err(Failure::usage("use `cloudsdk config path|set|list`")),
        },
        api_name => {
            let api = catalog::api(api_name)
                .ok_or_else(|| Failure::usage(format!("no API `{api_name}`")))?;
            let Some((op_name, args)) = sub.subcommand() else {
                return Err(Failure::usage(format!("name an operation of `{api_name}`")));
            };
            let op = api
                .operations
                .iter()
                .find(|o| o.name == op_name)
                .ok_or_else(|| {
                    Failure::usage(format!("no operation `{op_name}` in `{api_name}`"))
                })?;
            operation(api, op, args)
        }
    }
}

fn operation(
    api: &'static catalog::Api,
    op: &'static catalog::Operation,
    args: &clap::ArgMatches,
) -> Result<(), Failure> {
    // `try_`: an operation's command has only the flags that apply to it.
    let flag = |name: &str| {
        args.try_get_one::<String>(name)
            .ok()
            .flatten()
            .map(String::as_str)
    };
    let on = |name: &str| matches!(args.try_get_one::<bool>(name), Ok(Some(true)));
    let number = |name: &str| args.try_get_one::<f64>(name).ok().flatten().copied();
    let count = |name: &str| args.try_get_one::<u64>(name).ok().flatten().copied();
    if on("body-template") {
        return output::write_out(&cli::body_template(op));
    }
    if on("debug") {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::DEBUG)
            .with_target(false)
            .try_init();
    }
    let format = match flag("output") {
        Some("yaml") => output::Format::Yaml,
        Some("table") => output::Format::Table,
        _ => output::Format::Json,
    };
    let printer = output::Printer::new(format, flag("query"), flag("columns"))?;

    let mut overrides = std::collections::BTreeMap::new();
    if let Some(region) = flag("region") {
        overrides.insert("HUAWEICLOUD_SDK_REGION".to_owned(), region.to_owned());
    }
    if let Some(endpoint) = flag("endpoint") {
        overrides.insert(send::endpoint_variable(api), endpoint.to_owned());
    }
    let settings = if on("mock") {
        None
    } else {
        Some(settings::Settings::load(flag("profile"), overrides)?)
    };
    let call = request::Call::from_args(api, op, args, settings.as_ref())?;
    // A flag that only shapes --wait-until or --all, given without it, would be ignored: a
    // bound or a condition the run seemed to keep and did not.
    // (None of these flags has a default value: present means given.)
    let given = |name: &str| matches!(args.try_contains_id(name), Ok(true));
    for (flags, with, with_given) in [
        (
            &["wait-fail", "wait-timeout", "wait-interval"][..],
            "wait-until",
            given("wait-until"),
        ),
        (&["max-items", "page-size"][..], "all", on("all")),
    ] {
        if let Some(alone) = flags.iter().find(|f| given(f))
            && !with_given
        {
            return Err(Failure::usage(format!("--{alone} goes with --{with}")));
        }
    }
    let wait = match flag("wait-until") {
        Some(until) => Some(send::Wait::new(
            until,
            flag("wait-fail"),
            number("wait-timeout").unwrap_or(600.0),
            number("wait-interval").unwrap_or(2.0),
        )?),
        None => None,
    };
    let timeout = number("timeout")
        .map(|seconds| {
            std::time::Duration::try_from_secs_f64(seconds)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "--timeout {seconds}: write a number of seconds above 0, like 60 or 2.5"
                    ))
                })
        })
        .transpose()?;
    let all = on("all");
    // `--all` reads the pages once and never waits: taken together, the wait was skipped and
    // the run succeeded whether or not the condition held.
    if all && wait.is_some() {
        return Err(Failure::usage(
            "--wait-until repeats one call, and --all reads every page once: use one of them \
             (wait with --wait-until, then list with --all)",
        ));
    }
    if all && op.paging.is_none() {
        return Err(Failure::usage(format!(
            "{} is not paged: --all needs a [[paginate]] entry in specs/{}/api.toml",
            op.id, api.crate_name
        )));
    }

    let Some(settings) = settings else {
        return send::mock(op, &printer, wait.as_ref(), all);
    };
    let target = send::Target::resolve(api, &settings)?;
    let page_size = count("page-size").unwrap_or(100);
    if on("dry-run") {
        // With --all, the first page's request, as --all sends it.
        let call = match (&op.paging, all) {
            (Some(paging), true) => {
                match send::first_page(paging, &call, page_size, count("max-items")) {
                    Some((first, note)) => {
                        eprintln!("{note}");
                        first
                    }
                    None => {
                        eprintln!("# --all --max-items 0: no request is sent");
                        return Ok(());
                    }
                }
            }
            _ => call,
        };
        let dry = curl::dry_run(api, &target, &call, &settings)?;
        if let Some(hint) = dry.export_hint(&settings) {
            eprintln!("{hint}");
        }
        return output::write_out(&format!("{}\n", dry.command));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let client = target.runtime(api, &settings, timeout)?;
        if all {
            let max = count("max-items");
            send::all(api, op, &client, &target, &call, &printer, page_size, max).await
        } else if let Some(wait) = wait {
            let spinner = std::io::stderr().is_terminal();
            let value = send::wait(api, op, &client, &target, &call, &wait, spinner).await?;
            printer.print(op, value, false)
        } else {
            let value = send::once(api, op, &client, &target, &call, &[]).await?;
            // A success without a body (documented so, or sent so) prints nothing: the exit
            // code is the answer, and `$(cloudsdk ...)` or `| jq` see no made-up document.
            if value.is_null() {
                Ok(())
            } else {
                printer.print(op, value, false)
            }
        }
    })
}
