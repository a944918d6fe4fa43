//! The command tree, built with clap's builder API from the generated table: one subcommand per
//! API, one per operation beneath it, a flag per parameter and top-level scalar body field, and
//! the tool's own flags (the names in `RESERVED_FLAGS`, which generation keeps free).

use clap::{Arg, ArgAction, Command};

use crate::catalog::{self, Field, Operation, Ty};

/// The tool's own flags: those in `COMMON_FLAGS` on every operation's command, `PAGING_FLAGS`
/// on paged operations, `BODY_FLAGS` on operations with a body, `WAIT_FLAGS` on GET operations.
pub(crate) fn own_flags() -> Vec<Arg> {
    vec![
        Arg::new("output")
            .long("output")
            .value_parser(["json", "yaml", "table"])
            .help("Output format (JSON is pretty on a terminal, compact otherwise)"),
        Arg::new("query")
            .long("query")
            .value_name("JMESPATH")
            .help("JMESPath expression applied to the response (to each item with --all)"),
        Arg::new("columns")
            .long("columns")
            .value_name("A,B,..")
            .help("Table columns (default: the scalar fields of the listed items)"),
        Arg::new("dry-run")
            .long("dry-run")
            .action(ArgAction::SetTrue)
            .help(
                "Print the request as a curl command that runs as pasted, and send nothing. \
                 Secrets appear only as shell variables; a Huawei AK/SK signature is printed: \
                 it lets that one request be replayed within the server's time window and \
                 reveals nothing of the key",
            )
            .long_help(
                "Print the request as a curl command that runs as pasted, and send nothing.\n\n\
                 Secrets appear only as shell variables, which the shell running the command \
                 must export:\n\
                 - OceanBase Cloud: OCEANBASE_ACCESS_KEY_ID and OCEANBASE_ACCESS_KEY_SECRET \
                 (`curl --digest -u ...`), and OCEANBASE_PROJECT_ID when the environment sets it \
                 (from a profile its value is written out);\n\
                 - Huawei Cloud AK/SK: HUAWEICLOUD_SDK_SECURITY_TOKEN, when temporary \
                 credentials carry one; the signature itself is printed;\n\
                 - Huawei Cloud IAM token: HUAWEICLOUD_SDK_AUTH_TOKEN, in \
                 `-H \"X-Auth-Token: $HUAWEICLOUD_SDK_AUTH_TOKEN\"`. IAM password credentials \
                 (HUAWEICLOUD_SDK_USERNAME, _PASSWORD, _DOMAIN_NAME) print this form too: a dry \
                 run does not log in, so export a token (the X-Subject-Token header IAM \
                 answers POST /v3/auth/tokens with) before running the command.\n\n\
                 When a variable the command reads is not in this environment (it came from a \
                 profile), a `# export NAME ...` line on stderr names it, without its value.\n\n\
                 A Huawei AK/SK signature covers this one request (method, URL, signed headers, \
                 body) at the printed X-Sdk-Date: anyone holding the command can replay that \
                 request within the server's time window, and nothing else; the signature \
                 reveals nothing of the secret key.",
            ),
        Arg::new("body")
            .long("body")
            .value_name("FILE|-")
            .help("The JSON (or YAML) request body, from a file or `-` for stdin; flags for body fields override its fields"),
        Arg::new("body-template")
            .long("body-template")
            .action(ArgAction::SetTrue)
            .help("Print a skeleton of the request body: every field with its type, whether it is required, its documented values and description"),
        Arg::new("all")
            .long("all")
            .action(ArgAction::SetTrue)
            .help(
                "Fetch every page and print each item as it arrives (paged operations); with \
                 --dry-run, the first page's request, with the paging parameters it sends",
            ),
        Arg::new("max-items")
            .long("max-items")
            .value_parser(clap::value_parser!(u64))
            .help("With --all: stop after this many items"),
        Arg::new("page-size")
            .long("page-size")
            .value_parser(clap::value_parser!(u64).range(1..))
            .help("With --all: items per page [default: 100]"),
        Arg::new("wait-until")
            .long("wait-until")
            .value_name("JMESPATH == VALUE")
            .help("Repeat the call until the condition holds"),
        Arg::new("wait-fail")
            .long("wait-fail")
            .value_name("JMESPATH == VALUE")
            .help("With --wait-until: stop with an error when this condition holds"),
        Arg::new("wait-timeout")
            .long("wait-timeout")
            .value_name("SECONDS")
            .value_parser(clap::value_parser!(f64))
            .help("With --wait-until: give up after this long [default: 600]"),
        Arg::new("wait-interval")
            .long("wait-interval")
            .value_name("SECONDS")
            .value_parser(clap::value_parser!(f64))
            .help("With --wait-until: the first pause between calls, doubling up to 30 s, each drawn from the upper half of its ceiling [default: 2]"),
        Arg::new("debug")
            .long("debug")
            .action(ArgAction::SetTrue)
            .help("Log the exchange on stderr (method, path, status, timings, retries; never credentials)"),
        Arg::new("mock")
            .long("mock")
            .action(ArgAction::SetTrue)
            .help("Answer with the documented example response, without credentials or network"),
        Arg::new("profile")
            .long("profile")
            .help("Profile in the credentials file [default: $CLOUDSDK_PROFILE or `default`]"),
        Arg::new("region")
            .long("region")
            .help("Huawei Cloud region (over HUAWEICLOUD_SDK_REGION and the profile)"),
        Arg::new("endpoint")
            .long("endpoint")
            .value_name("URL")
            .help("Base URL of the API (over the environment and the profile)"),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECONDS")
            .value_parser(clap::value_parser!(f64))
            .help(
                "Time limit of each call: its attempts, their retries and the reading of the \
                 answer; one attempt may take all of it [default: 30, attempts 15]",
            ),
    ]
}

/// The whole command tree.
pub(crate) fn command() -> Command {
    let mut root = Command::new("cloudsdk")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every operation of the OceanBase Cloud and Huawei Cloud private-link APIs, from the specs")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(
            "Credentials: the library's environment variables (OCEANBASE_*, HUAWEICLOUD_SDK_*), \
             then the profile in the credentials file (`cloudsdk config path`).",
        );
    for api in catalog::APIS {
        let mut sub = Command::new(api.name)
            .about(api.title)
            .subcommand_required(true)
            .arg_required_else_help(true);
        for op in api.operations {
            sub = sub.subcommand(operation_command(op));
        }
        root = root.subcommand(sub);
    }
    root.subcommand(
        Command::new("config")
            .about("Profiles in the credentials file")
            .subcommand_required(true)
            .subcommand(Command::new("path").about("Print the credentials file's path"))
            .subcommand(
                Command::new("set")
                    .about("Store a variable in a profile; the value is read from a prompt (not echoed) or stdin, never from the command line")
                    .arg(Arg::new("name").required(true).help("A variable, e.g. HUAWEICLOUD_SDK_SK or OCEANBASE_ACCESS_KEY_ID"))
                    .arg(Arg::new("profile").long("profile").help("[default: $CLOUDSDK_PROFILE or `default`]")),
            )
            .subcommand(
                Command::new("list")
                    .about("List the profiles and the variables they set (values of secrets hidden)"),
            ),
    )
    .subcommand(
        Command::new("completions")
            .about("Print a shell completion script")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell)),
            ),
    )
}

fn operation_command(op: &'static Operation) -> Command {
    // The vendor's one line, or the operation's name where its page has none.
    let about = Some(op.summary).filter(|s| !s.is_empty()).unwrap_or(op.id);
    let mut long = format!(
        "{about}\n\n{} ({} {})\n\n{}",
        op.id, op.method, op.path, op.description
    );
    if !op.docs.is_empty() {
        long.push_str(&format!("\n\nVendor page: {}", op.docs));
    }
    let mut cmd =
        Command::new(op.name)
            .about(about)
            .long_about(long)
            .args(own_flags().into_iter().filter(|a| {
                let id = a.get_id().as_str();
                catalog::COMMON_FLAGS.contains(&id)
                    || (op.paging.is_some() && catalog::PAGING_FLAGS.contains(&id))
                    || (op.body.is_some() && catalog::BODY_FLAGS.contains(&id))
                    || (op.method == "GET" && catalog::WAIT_FLAGS.contains(&id))
            }));
    for p in op.params {
        let mut help = p.description.to_owned();
        if !p.values.is_empty() {
            help.push_str(&format!(" [values: {}]", p.values.join(", ")));
        }
        if p.supplied {
            help.push_str(" [supplied when omitted]");
        } else if p.required {
            help.push_str(" [required]");
        }
        cmd = cmd.arg(
            Arg::new(p.flag)
                .long(p.flag)
                .value_name(p.ty.name().to_uppercase())
                .help(help)
                .help_heading(format!("{} parameters", capitalised(p.location))),
        );
    }
    if let Some(body) = &op.body {
        for f in body.root.fields {
            let Some(flag) = f.flag else { continue };
            let mut arg = Arg::new(flag)
                .long(flag)
                .value_name(f.ty.name().to_uppercase())
                .help(field_help(f))
                .help_heading("Body fields");
            if let Some(pointer) = op.secret_pointer(f) {
                // A secret: the flag alone asks for it (as `mysql -p` does).
                arg = arg.num_args(0..=1).help(format!(
                    "{} [secret: --{flag} alone asks for it without echo (or reads a line of \
                     stdin); without the flag, ${} is read; a value written after the flag shows \
                     in the process list]",
                    field_help(f),
                    crate::request::secret_variable(&pointer)
                ));
            }
            cmd = cmd.arg(arg);
        }
    }
    cmd
}

fn field_help(f: &Field) -> String {
    let mut help = f.description.to_owned();
    if !f.values.is_empty() {
        help.push_str(&format!(" [values: {}]", f.values.join(", ")));
    }
    if f.required {
        help.push_str(" [required in the body]");
    }
    help
}

/// `s` with its first letter in upper case (`path` → `Path`).
pub(crate) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `--body-template`: a YAML skeleton (which `--body` reads, as it reads JSON) with a comment on
/// every field: type, required or not, documented values, description.
pub(crate) fn body_template(op: &Operation) -> String {
    let Some(body) = &op.body else {
        return format!("# {} takes no request body\n", op.id);
    };
    let mut out = format!(
        "# Request body of {} ({} {}); {}.\n# Fill in, then: cloudsdk ... --body FILE (YAML or JSON)\n",
        op.id,
        op.method,
        op.path,
        if body.required {
            "required"
        } else {
            "optional"
        }
    );
    template_fields(body.root.fields, 0, &mut out);
    out
}

fn template_fields(fields: &[Field], indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    for f in fields {
        out.push_str(&format!("{pad}# {}\n", comment(f)));
        let name = yaml_key(f.name);
        match f.ty {
            Ty::Object if !f.fields.is_empty() => {
                out.push_str(&format!("{pad}{name}:\n"));
                template_fields(f.fields, indent + 1, out);
            }
            Ty::Array => match f.items.first() {
                Some(item) if item.ty == Ty::Object && !item.fields.is_empty() => {
                    out.push_str(&format!("{pad}{name}:\n{pad}  -\n"));
                    template_fields(item.fields, indent + 2, out);
                }
                Some(item) => {
                    out.push_str(&format!("{pad}{name}:\n{pad}  - {}\n", placeholder(item)));
                }
                None => out.push_str(&format!("{pad}{name}: []\n")),
            },
            _ => out.push_str(&format!("{pad}{name}: {}\n", placeholder(f))),
        }
    }
}

fn comment(f: &Field) -> String {
    let mut parts = vec![
        f.ty.name().to_owned(),
        if f.required { "required" } else { "optional" }.to_owned(),
    ];
    if !f.values.is_empty() {
        parts.push(format!("one of: {}", f.values.join(", ")));
    }
    let mut text = parts.join(", ");
    let description = f
        .description
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !description.is_empty() {
        text.push_str(&format!(". {description}"));
    }
    text
}

fn placeholder(f: &Field) -> String {
    if let Some(example) = f.example {
        return example.to_owned();
    }
    if let Some(first) = f.values.first() {
        return serde_json::Value::String((*first).to_owned()).to_string();
    }
    match f.ty {
        Ty::Integer | Ty::Number => "0".into(),
        Ty::Boolean => "false".into(),
        Ty::Object => "{}".into(),
        Ty::Array => "[]".into(),
        Ty::String | Ty::Any => "\"\"".into(),
    }
}

fn yaml_key(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !name.is_empty()
    {
        name.to_owned()
    } else {
        serde_json::Value::String(name.to_owned()).to_string()
    }
}
