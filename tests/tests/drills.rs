//! The change workflow, drilled as a user runs it: a copy of this checkout (its tracked files)
//! in a temporary directory, a change made the way the README says (the vendor's page, then
//! the spec, then the project's commands), and the real commands run as processes in the copy.
//! Nothing outside `specs/` is edited by hand; what the commands write is theirs.
//!
//! 1. DAS gains the optional `ssl_enabled` on its page: the docs check names it; after the spec
//!    edit, generate, the bump `api-diff` asks for and `--changelog`, the tests of the crates
//!    the change touches pass (the DAS surface snapshot accepted), and a call that does not set
//!    the field sends none.
//! 2. A new operation from a capture whose 200 has no body (CSS UpdateVpcepConnection): from a
//!    CSS without it, `docs scaffold` of the stored capture, generate with the draft unchanged,
//!    the docs check, and the documented example through the mock server and a loopback server
//!    that verifies the signature, answered with an empty body.
//! 3. Two checkouts sharing one `CARGO_TARGET_DIR` (so one xtask binary): `generate --check`
//!    in each reports its own tree, in both orders.
//!
//! The drills build in a target directory of their own, seeded with a copy of this workspace's
//! (so only the workspace's crates compile again: the copied sources are newer than what was
//! built from them). They run one after another in one test and share that directory.

use std::{
    fs,
    io::Read as _,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant, SystemTime},
};

use integration_tests::huawei_server::HuaweiServer;

/// The bound on one command. A cold build of the workspace's crates takes a few minutes on a
/// small machine; a command still running after this has hung.
const LIMIT: Duration = Duration::from_secs(20 * 60);

/// Lines of a failed command's output shown in the failure message.
const TAIL: usize = 60;

/// The workspace this test belongs to.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// What a finished command printed.
struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Output {
    fn both(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A workspace copy and the target directory its commands build in, with a transcript of
/// every command run (printed at the end, and the failing command's output on a failure).
struct Session {
    target: PathBuf,
    transcript: Vec<String>,
    started: Instant,
}

impl Session {
    /// Runs `program args` in `dir` with the drills' target directory and `env`, bounded by
    /// [`LIMIT`]; records the command line, its exit code and its duration.
    fn run(&mut self, dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let shown_env: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        let line = format!(
            "$ (cd {} && {shown_env}{program} {})",
            dir.display(),
            args.join(" ")
        );
        eprintln!("{line}");
        let program_path = if program == "cargo" {
            std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
        } else {
            program.to_owned()
        };
        let mut command = Command::new(program_path);
        command
            .args(args)
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_TERM_COLOR", "never")
            // A snapshot that differs fails (nothing is written) unless a step accepts it.
            .env("INSTA_UPDATE", "no")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // What `cargo test` sets for this test is not the copy's.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("CARGO_PKG_")
                || key.starts_with("CARGO_BIN_")
                || matches!(
                    key.as_ref(),
                    "CARGO_MANIFEST_DIR"
                        | "CARGO_MANIFEST_PATH"
                        | "CARGO_CRATE_NAME"
                        | "CARGO_PRIMARY_PACKAGE"
                        | "CARGO_TARGET_TMPDIR"
                        | "OUT_DIR"
                        | "INSTA_FORCE_PASS"
                        | "INSTA_WORKSPACE_ROOT"
                )
            {
                command.env_remove(key.as_ref());
            }
        }
        command.envs(env.iter().copied());
        let started = Instant::now();
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("{line}: cannot start: {e}"));
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let out_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        let err_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let status = loop {
            if let Some(status) = child.try_wait().expect("waiting for the child") {
                break Some(status);
            }
            if started.elapsed() > LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let output = Output {
            code: status.and_then(|s| s.code()),
            stdout: out_reader.join().unwrap_or_default(),
            stderr: err_reader.join().unwrap_or_default(),
        };
        let verdict = match status {
            None => format!("killed after {LIMIT:?}"),
            Some(_) => format!("exit {:?}", output.code),
        };
        self.transcript.push(format!(
            "{line}\n    {verdict} in {:.0?}",
            started.elapsed()
        ));
        if status.is_none() {
            self.fail(&line, &output, &format!("did not finish within {LIMIT:?}"));
        }
        output
    }

    /// `cargo args` in `dir`, which must exit with `code`.
    fn cargo(&mut self, dir: &Path, args: &[&str], env: &[(&str, &str)], code: i32) -> Output {
        let output = self.run(dir, "cargo", args, env);
        if output.code != Some(code) {
            let line = format!("(cd {} && cargo {})", dir.display(), args.join(" "));
            self.fail(
                &line,
                &output,
                &format!("exited with {:?}, expected {code}", output.code),
            );
        }
        output
    }

    /// Panics with the transcript so far, `why`, and the tail of the command's output.
    fn fail(&self, line: &str, output: &Output, why: &str) -> ! {
        panic!(
            "{}\n\n{line}: {why}\n--- stdout (last {TAIL} lines) ---\n{}\n--- stderr (last {TAIL} lines) ---\n{}",
            self.transcript.join("\n"),
            tail(&output.stdout),
            tail(&output.stderr)
        )
    }

    /// Asserts `condition` about a command's output, with that output in the message.
    fn check(&self, condition: bool, what: &str, output: &Output) {
        if !condition {
            self.fail("the last command", output, what);
        }
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL)..].join("\n")
}

/// The tracked files of the workspace (`git ls-files`, as they are in the working tree),
/// copied to `to` with fresh modification times, so that cargo rebuilds the workspace's
/// crates from them rather than trusting the seeded target directory.
fn copy_workspace(from: &Path, to: &Path) {
    let listed = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(from)
        .output()
        .expect("git runs");
    assert!(
        listed.status.success(),
        "git ls-files in {}: {}",
        from.display(),
        String::from_utf8_lossy(&listed.stderr)
    );
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name);
        let source = from.join(name.as_ref());
        // Deleted in the working tree and not yet committed: the copy is the working tree.
        if !source.is_file() {
            continue;
        }
        let dest = to.join(name.as_ref());
        fs::create_dir_all(dest.parent().expect("a file has a folder")).expect("mkdir");
        fs::write(&dest, fs::read(&source).expect("read")).expect("write");
    }
}

/// The `debug` folder of the target directory this test runs from (its executable is in
/// `<target>/debug/deps/`).
fn own_debug_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let debug = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable is in <target>/<profile>/deps");
    assert!(
        debug.join(".fingerprint").is_dir(),
        "{} is not a cargo profile folder",
        debug.display()
    );
    debug.to_path_buf()
}

/// Seeds `target/debug` with a copy of this workspace's build (modification times kept, so
/// that cargo's fingerprints take the copied dependencies as built), without the incremental
/// caches. `cp -a` keeps the times and copies at the speed of the file system.
fn seed_target(target: &Path) {
    let from = own_debug_dir();
    let to = target.join("debug");
    fs::create_dir_all(&to).expect("mkdir target/debug");
    let entries: Vec<PathBuf> = fs::read_dir(&from)
        .expect("read target/debug")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "incremental"))
        .collect();
    let mut command = Command::new("cp");
    command.arg("-a").args(&entries).arg(&to);
    let status = command.status().expect("cp runs");
    assert!(status.success(), "copying {} failed", from.display());
    // The README test's crates check in a target directory of their own, under the test
    // scratch folder: seeded too when this workspace has one.
    let blocks = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-blocks");
    if blocks.is_dir() {
        let to = target.join("tmp");
        fs::create_dir_all(&to).expect("mkdir target/tmp");
        let status = Command::new("cp")
            .arg("-a")
            .arg(&blocks)
            .arg(&to)
            .status()
            .expect("cp runs");
        assert!(status.success(), "copying {} failed", blocks.display());
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `text` with `insert` after the first line equal to `after` (trimmed) that follows the first
/// line equal to `within` (trimmed); panics naming `file` when either is missing.
fn insert_after(text: &str, within: &str, after: &str, insert: &str, file: &str) -> String {
    let mut out = String::with_capacity(text.len() + insert.len());
    let mut inside = false;
    let mut done = false;
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        if done {
            continue;
        }
        if !inside && line.trim() == within {
            inside = true;
        } else if inside && line.trim() == after {
            out.push_str(insert);
            done = true;
        }
    }
    assert!(
        done,
        "{file}: no line `{after}` after `{within}`: the file's layout changed; update the drill"
    );
    out
}

/// The value of `key = "..."` at the top of an `api.toml`.
fn toml_string(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
        Some(rest.trim().trim_matches('"').to_owned())
    })
}

/// The block `api-diff` prints for `api` (from its name line to the blank line after it).
fn api_block(output: &str, api: &str) -> String {
    output
        .split("\n\n")
        .find(|block| {
            block.trim_start().starts_with(&format!("{api}:"))
                || block.trim_start().starts_with(&format!("{api} "))
        })
        .unwrap_or_default()
        .to_owned()
}

/// The version `api-diff` asks for in `block`: the `set version = "X"` of its FAIL line.
fn version_asked(block: &str) -> Option<String> {
    let line = block
        .lines()
        .find(|l| l.trim_start().starts_with("FAIL:"))?;
    let (_, rest) = line.split_once("set version = \"")?;
    Some(rest.split('"').next()?.to_owned())
}

/// The folder of public page captures, `shared/api-docs` beside the workspace or a folder
/// above it (`../shared/api-docs` for a checkout beside it).
fn shared_api_docs(root: &Path) -> Option<PathBuf> {
    root.ancestors()
        .skip(1)
        .map(|dir| dir.join("shared").join("api-docs"))
        .find(|dir| dir.is_dir())
}

/// `text` without the `pages.toml` table `[name]` and its sub-tables (`[name.sources.*]`); the
/// comment lines just above the next table stay with it.
fn without_pages_entry(text: &str, name: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let header = format!("[{name}]");
    let own = format!("[{name}.");
    let start = lines
        .iter()
        .position(|l| l.trim() == header)
        .unwrap_or_else(|| panic!("pages.toml has no {header}"));
    let mut end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with('[') && !l.starts_with(&own))
        .map_or(lines.len(), |i| start + 1 + i);
    while end > start + 1 && lines[end - 1].starts_with('#') {
        end -= 1;
    }
    let mut out: String = lines[..start].concat();
    out.push_str(&lines[end..].concat());
    out
}

/// Drill 1: the DAS CreateInstanceConnection body gains the optional `ssl_enabled`.
fn drill_ssl_enabled(s: &mut Session, ws: &Path) {
    let api = "huaweicloud-das";
    let specs = ws.join("specs").join(api);
    let page_path = specs.join("pages/CreateInstanceConnection.txt");
    let spec_path = specs.join("CreateInstanceConnection.yaml");

    // The vendor's page gains the row, in the page's layout (one cell per line, each ending in
    // ` |`), as the first row of the request body table.
    let page = insert_after(
        &read(&page_path),
        "Request Parameters",
        "|---|---|---|---|",
        "|\nssl_enabled |\nNo |\nBoolean |\nDefinition Whether SSL is used for the connection \
         Constraints N/A Range N/A Default Value false |\n",
        "CreateInstanceConnection.txt",
    );
    write(&page_path, &page);
    let drift = s.cargo(ws, &["xtask", "docs", "check"], &[], 1);
    s.check(
        drift.stdout.lines().any(|l| {
            l.contains("huaweicloud-das/CreateInstanceConnection") && l.contains("ssl_enabled")
        }),
        "the docs check names ssl_enabled on CreateInstanceConnection",
        &drift,
    );

    // The spec follows the page.
    let spec = insert_after(
        &read(&spec_path),
        "CreateInstanceConnectionBody:",
        "properties:",
        "        ssl_enabled:\n          type: boolean\n          default: false\n          \
         description: Whether the connection uses SSL.\n",
        "CreateInstanceConnection.yaml",
    );
    write(&spec_path, &spec);
    s.cargo(ws, &["xtask", "docs", "check"], &[], 0);
    s.cargo(ws, &["xtask", "generate"], &[], 0);

    // The version api-diff asks for, unless api.toml is already ahead of the release record.
    let diff = s.run(ws, "cargo", &["xtask", "api-diff"], &[]);
    let block = api_block(&diff.stdout, api);
    s.check(
        block.contains("CreateInstanceConnectionBody.ssl_enabled: field added"),
        "api-diff classifies the new field of huaweicloud-das",
        &diff,
    );
    let api_toml = specs.join("api.toml");
    if let Some(version) = version_asked(&block) {
        let text = read(&api_toml);
        let old = toml_string(&text, "version").expect("api.toml has a version");
        write(
            &api_toml,
            &text.replacen(
                &format!("version = \"{old}\""),
                &format!("version = \"{version}\""),
                1,
            ),
        );
        s.transcript.push(format!(
            "    api-diff asked for {version}: set in specs/{api}/api.toml"
        ));
    } else {
        s.check(
            block.lines().any(|l| l.trim_start().starts_with("ok:")),
            "api-diff either asks for a version or finds api.toml's enough",
            &diff,
        );
    }
    let version = toml_string(&read(&api_toml), "version").expect("api.toml has a version");
    let changelog = s.run(ws, "cargo", &["xtask", "api-diff", "--changelog"], &[]);
    s.check(
        api_block(&changelog.stdout, api)
            .lines()
            .any(|l| l.trim_start().starts_with("ok:"))
            && !changelog.stderr.contains(&format!("error: {api}:")),
        "after the bump api-diff is satisfied for huaweicloud-das (other APIs may still want theirs)",
        &changelog,
    );
    let log = read(&specs.join("CHANGELOG.md"));
    let entry = log
        .split("\n## ")
        .find(|e| e.starts_with(&format!("{version}\n")))
        .unwrap_or_default();
    assert!(
        entry.contains("ssl_enabled"),
        "specs/{api}/CHANGELOG.md has an entry for {version} naming ssl_enabled:\n{log}"
    );
    s.cargo(ws, &["xtask", "generate"], &[], 0);
    s.cargo(ws, &["xtask", "generate", "--check"], &[], 0);

    // The crates the change touches, and the contract tests, with no edit outside specs/.
    s.cargo(
        ws,
        &["test", "--locked", "-p", api, "-p", "consumer-tests"],
        &[],
        0,
    );
    s.cargo(
        ws,
        &["test", "--locked", "-p", "cloud-sdk-examples"],
        &[],
        0,
    );
    // The documented examples through the real signing to a loopback server. Each wire
    // request is snapshotted: accepted (an operation whose snapshot is not recorded yet gets
    // one), and CreateInstanceConnection's must stay as it was, since the example does not
    // set the new field.
    let contract = ws.join("tests/tests/snapshots/contract__CreateInstanceConnection.snap");
    let wire_before = read(&contract);
    s.cargo(
        ws,
        &[
            "test",
            "--locked",
            "-p",
            "integration-tests",
            "--test",
            "contract",
            "huaweicloud_das_examples_signed",
        ],
        &[("INSTA_UPDATE", "always")],
        0,
    );
    let wire_after = read(&contract);
    assert!(
        wire_after == wire_before,
        "the documented CreateInstanceConnection request is unchanged on the wire:\n{wire_after}"
    );
    // The surface snapshot records the new field: accepted, then passing as accepted.
    let crate_name = toml_string(&read(&api_toml), "crate").expect("api.toml names its crate");
    let snapshot = ws.join(format!("tests/tests/snapshots/surface__{crate_name}.snap"));
    let before = read(&snapshot);
    s.cargo(
        ws,
        &[
            "test",
            "--locked",
            "-p",
            "integration-tests",
            "--test",
            "surface",
        ],
        &[("INSTA_UPDATE", "always")],
        0,
    );
    let after = read(&snapshot);
    assert!(
        after != before && after.contains("ssl_enabled") && !before.contains("ssl_enabled"),
        "the accepted surface snapshot of {crate_name} gains ssl_enabled:\n{after}"
    );
    s.cargo(
        ws,
        &[
            "test",
            "--locked",
            "-p",
            "integration-tests",
            "--test",
            "surface",
        ],
        &[],
        0,
    );

    // A call that does not set the field sends none: the DAS example program (a user's code,
    // building the body with the builder and no ssl_enabled) against a loopback server that
    // verifies the signature and records the request.
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let server = runtime
        .block_on(HuaweiServer::start())
        .expect("the loopback server starts");
    server.add_access_key("EXAMPLEAK", "example-sk");
    server.reply_with(r#"{"connection_id":"99af0766-c3f4-4e4e-a95e-14a1b070188e"}"#);
    let base_url = server.base_url();
    let run = s.cargo(
        ws,
        &[
            "run",
            "--locked",
            "-q",
            "-p",
            "cloud-sdk-examples",
            "--example",
            "das_connections",
        ],
        &[
            ("HUAWEICLOUD_SDK_ENDPOINT_DAS", base_url.as_str()),
            ("HUAWEICLOUD_SDK_AK", "EXAMPLEAK"),
            ("HUAWEICLOUD_SDK_SK", "example-sk"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p1"),
            ("DAS_INSTANCE_ID", "i1"),
            ("DAS_DB_USER", "root"),
            ("DAS_DB_PASSWORD", "db-password"),
            ("CLOUD_SDK_MOCK", "0"),
        ],
        0,
    );
    let requests = server.requests();
    let bodies: Vec<serde_json::Value> = requests
        .iter()
        .filter(|r| r.path.ends_with("/create-connection"))
        .map(|r| serde_json::from_slice(&r.body).expect("the request body is JSON"))
        .collect();
    s.check(
        bodies.len() == 1,
        "the example sent one create-connection request",
        &run,
    );
    let body = &bodies[0];
    assert!(
        body.get("username").is_some() && body.get("ssl_enabled").is_none(),
        "a body built without ssl_enabled sends none: {body}"
    );
    s.transcript.push(format!(
        "    the example's request body on the wire: {body}"
    ));
}

/// Drill 2: CSS UpdateVpcepConnection (its 200 has no body) added from its stored capture.
fn drill_new_operation(s: &mut Session, ws: &Path, root: &Path) {
    let api = "huaweicloud-css";
    let operation = "UpdateVpcepConnection";
    let Some(captures) = shared_api_docs(root) else {
        eprintln!(
            "drill 2 skipped: no shared/api-docs folder beside {} or above it (the public page \
             captures, ../shared/api-docs)",
            root.display()
        );
        s.transcript
            .push("drill 2 skipped: no ../shared/api-docs".to_owned());
        return;
    };
    let capture = captures.join(api).join(format!("{operation}.txt"));
    if !capture.is_file() {
        eprintln!("drill 2 skipped: {} is absent", capture.display());
        s.transcript
            .push(format!("drill 2 skipped: {} is absent", capture.display()));
        return;
    }
    let specs = ws.join("specs").join(api);
    let spec_path = specs.join(format!("{operation}.yaml"));
    let page_path = specs.join("pages").join(format!("{operation}.txt"));
    let pages_toml = specs.join("pages/pages.toml");
    let lib = ws.join("generated").join(api).join("src/lib.rs");
    let method = "pub fn update_vpcep_connection(";

    // The baseline: a CSS without the operation.
    fs::remove_file(&spec_path).expect("remove the spec");
    fs::remove_file(&page_path).expect("remove the page");
    write(
        &pages_toml,
        &without_pages_entry(&read(&pages_toml), operation),
    );
    s.cargo(ws, &["xtask", "generate"], &[], 0);
    s.cargo(ws, &["xtask", "generate", "--check"], &[], 0);
    assert!(
        !read(&lib).contains(method),
        "the baseline client has no update_vpcep_connection"
    );

    // The operation added as a user adds one: the draft from the capture, unchanged; the
    // capture beside it and its pages.toml entry (URL and date from the capture's source line).
    let capture_text = read(&capture);
    let draft = s.cargo(
        ws,
        &["xtask", "docs", "scaffold", &capture.display().to_string()],
        &[],
        0,
    );
    write(&spec_path, &draft.stdout);
    write(&page_path, &capture_text);
    let source = capture_text
        .lines()
        .find_map(|l| l.strip_prefix("# source: "))
        .unwrap_or_else(|| panic!("{} has no `# source:` line", capture.display()));
    let url = source.split_whitespace().next().unwrap_or_default();
    let date = source
        .split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .find(|w| w.len() == 10 && w.matches('-').count() == 2)
        .unwrap_or_else(|| panic!("the source line of {} has no date", capture.display()));
    let mut entries = read(&pages_toml);
    entries.push_str(&format!(
        "\n[{operation}]\nfile = \"{operation}.txt\"\nurl = \"{url}\"\ncaptured = \"{date}\"\n"
    ));
    write(&pages_toml, &entries);

    s.cargo(ws, &["xtask", "generate"], &[], 0);
    let check = s.cargo(ws, &["xtask", "docs", "check"], &[], 0);
    let line = check
        .stdout
        .lines()
        .find(|l| l.starts_with(&format!("{api}/{operation}:")))
        .unwrap_or_default()
        .to_owned();
    s.check(
        line.contains("on the page"),
        "the docs check counts the new operation's facts on its page",
        &check,
    );
    s.transcript.push(format!("    {line}"));
    s.cargo(ws, &["xtask", "generate", "--check"], &[], 0);
    assert!(
        read(&lib).contains(method),
        "the generated client has the new builder method"
    );

    // Its documented example through the mock server (the crate's generated contract test)
    // and through a loopback server verifying the signature and answering 200 with no body
    // (tests/tests/contract.rs); `call()` gives `Output<()>`, which the replay writes as no
    // body, as the spec documents none.
    s.cargo(ws, &["test", "--locked", "-p", api], &[], 0);
    s.cargo(
        ws,
        &[
            "test",
            "--locked",
            "-p",
            "integration-tests",
            "--test",
            "contract",
            "huaweicloud_css_examples_signed",
        ],
        &[("INSTA_UPDATE", "always")],
        0,
    );
    let wire = read(&ws.join(format!("tests/tests/snapshots/contract__{operation}.snap")));
    assert!(
        wire.contains("POST /v1.0/"),
        "the signed request of {operation} is recorded:\n{wire}"
    );
    s.cargo(
        ws,
        &[
            "test",
            "--locked",
            "-p",
            "integration-tests",
            "--test",
            "surface",
        ],
        &[("INSTA_UPDATE", "always")],
        0,
    );
    let snapshot = read(&ws.join(format!("tests/tests/snapshots/surface__{api}.snap")));
    assert!(
        snapshot.contains("update_vpcep_connection"),
        "the accepted surface snapshot of {api} has the operation:\n{snapshot}"
    );
}

/// Drill 3: two checkouts, one target directory. `a` is up to date; `b` gets a spec edit.
fn drill_shared_target(s: &mut Session, a: &Path, b: &Path) {
    let spec = b.join("specs/huaweicloud-das/CreateInstanceConnection.yaml");
    let text = read(&spec);
    let edited = text.replacen(
        "description: Database name.",
        "description: Name of the database.",
        1,
    );
    assert!(edited != text, "the drill's spec edit applies");
    write(&spec, &edited);

    // In each order the first checkout builds the xtask (its sources made newest) and the
    // second runs that binary: each must still judge its own tree.
    for (first, second) in [(b, a), (a, b)] {
        let main_rs = first.join("xtask/src/main.rs");
        fs::File::options()
            .write(true)
            .open(&main_rs)
            .and_then(|f| f.set_modified(SystemTime::now()))
            .expect("touch xtask/src/main.rs");
        for dir in [first, second] {
            let stale = dir == b;
            let out = s.cargo(
                dir,
                &["xtask", "generate", "--check"],
                &[],
                i32::from(stale),
            );
            let text = out.both();
            let built = text.contains("Compiling xtask");
            s.transcript.push(format!(
                "    {}: {}",
                if built {
                    "xtask compiled here"
                } else {
                    "xtask binary reused"
                },
                text.lines()
                    .filter(|l| l.contains("generated/") || l.contains("stale"))
                    .collect::<Vec<_>>()
                    .join(" / ")
            ));
            if stale {
                s.check(
                    text.contains("generated/huaweicloud-das/src/lib.rs"),
                    "the edited checkout's check names its stale client",
                    &out,
                );
            } else {
                s.check(
                    text.contains("up to date"),
                    "the unedited checkout's check finds it up to date",
                    &out,
                );
            }
            let other = if stale { a } else { b };
            s.check(
                !text.contains(&other.display().to_string()),
                "a checkout's check names nothing of the other checkout",
                &out,
            );
        }
    }
}

#[test]
fn change_workflow_drills() {
    let root = workspace_root();
    let scratch = tempfile::Builder::new()
        .prefix("cloud-sdk-drills-")
        .tempdir()
        .expect("a temporary directory");
    let mut s = Session {
        target: scratch.path().join("target"),
        transcript: Vec::new(),
        started: Instant::now(),
    };
    seed_target(&s.target);
    s.transcript.push(format!(
        "seeded {} from {} in {:.0?}",
        s.target.display(),
        own_debug_dir().display(),
        s.started.elapsed()
    ));

    let ws = scratch.path().join("ws");
    copy_workspace(&root, &ws);
    let mark = Instant::now();
    s.transcript
        .push("== drill 1: DAS gains ssl_enabled".to_owned());
    drill_ssl_enabled(&mut s, &ws);
    s.transcript
        .push(format!("== drill 1 took {:.0?}", mark.elapsed()));

    let mark = Instant::now();
    s.transcript
        .push("== drill 2: CSS UpdateVpcepConnection from its capture".to_owned());
    drill_new_operation(&mut s, &ws, &root);
    s.transcript
        .push(format!("== drill 2 took {:.0?}", mark.elapsed()));

    let mark = Instant::now();
    s.transcript
        .push("== drill 3: two checkouts, one CARGO_TARGET_DIR".to_owned());
    let other = scratch.path().join("other");
    copy_workspace(&root, &other);
    drill_shared_target(&mut s, &ws, &other);
    s.transcript
        .push(format!("== drill 3 took {:.0?}", mark.elapsed()));

    s.transcript
        .push(format!("all drills: {:.0?}", s.started.elapsed()));
    println!("{}", s.transcript.join("\n"));
}
