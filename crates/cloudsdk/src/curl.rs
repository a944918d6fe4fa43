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
    /// Literal text and shell variables, one argument: the variables in double quotes, the
    /// text between them as [`quote`] writes it.
    Joined(Vec<Piece>),
}

enum Piece {
    Text(String),
    Variable(String),
}

fn header(name: &str, value: &str) -> [Word; 2] {
    [
        Word::Literal("-H".into()),
        Word::Literal(format!("{name}: {value}")),
    ]
}

/// A header whose value is shell variable `variable`.
fn header_from(name: &str, variable: &str) -> [Word; 2] {
    [
        Word::Literal("-H".into()),
        Word::Expand(format!("{name}: ${variable}")),
    ]
}

fn render(words: Vec<Word>) -> String {
    let mut out = String::from("curl");
    for (i, word) in words.into_iter().enumerate() {
        let text = match word {
            Word::Literal(s) => quote(&s),
            Word::Expand(s) => format!("\"{s}\""),
            Word::Joined(pieces) => pieces
                .iter()
                .map(|piece| match piece {
                    Piece::Text(text) => quote(text),
                    // The value as is, escaped for a JSON string by the shell that runs the
                    // command (`"` and `\`; a value with control characters is refused
                    // before), so that it is the bytes the signature covers.
                    Piece::Variable(name) => {
                        format!(r#""$(printf %s "${name}" | sed 's/[\\"]/\\&/g')""#)
                    }
                })
                .collect(),
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

/// A dry run: the command, and the shell variables it reads.
pub(crate) struct DryRun {
    /// The curl command.
    pub(crate) command: String,
    /// The variables the command expands (secrets, and the token a dry run cannot fetch).
    pub(crate) variables: Vec<String>,
    /// The variables that hold a secret field of the body, with its JSON pointer.
    pub(crate) body_variables: Vec<(String, String)>,
    /// Those of them the environment sets to another value than the one the request carries
    /// (given on the command line): the printed command would send that other value.
    pub(crate) other_values: Vec<String>,
}

impl DryRun {
    /// The line for stderr that names the variables the command reads and this environment
    /// does not set (they came from a profile, or a dry run cannot have them), without values;
    /// `None` when the shell that ran the tool already exports them all.
    pub(crate) fn export_hint(&self, settings: &Settings) -> Option<String> {
        let missing: Vec<&str> = self
            .variables
            .iter()
            .map(String::as_str)
            .filter(|v| !settings.in_environment(v) || self.other_values.iter().any(|o| o == v))
            .collect();
        if missing.is_empty() {
            return None;
        }
        let mut line = format!(
            "# export {}  (the command reads them; set them in the shell that runs it)",
            missing.join(" ")
        );
        if missing.contains(&huawei::env::AUTH_TOKEN) {
            line.push_str(&format!(
                "\n# {}: an IAM token (the X-Subject-Token header IAM answers POST /v3/auth/tokens \
                 with); a dry run sends nothing, so it does not log in with a password",
                huawei::env::AUTH_TOKEN
            ));
        }
        for (variable, pointer) in &self.body_variables {
            if missing.contains(&variable.as_str()) {
                line.push_str(&format!("\n# {variable}: the body's {pointer}"));
                if self.other_values.contains(variable) {
                    line.push_str(
                        " (this environment holds another value than the one given: export \
                         the one given, or the signature will not match)",
                    );
                }
            }
        }
        Some(line)
    }
}

/// The curl command for `call` to `api` at `target`.
pub(crate) fn dry_run(
    api: &Api,
    target: &Target,
    call: &Call,
    settings: &Settings,
) -> Result<DryRun, Failure> {
    let mut variables = Vec::new();
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
            variables.extend([
                oceanbase::ENV_ACCESS_KEY_ID.to_owned(),
                oceanbase::ENV_ACCESS_KEY_SECRET.to_owned(),
            ]);
            words.push(Word::Expand(format!(
                "${}:${}",
                oceanbase::ENV_ACCESS_KEY_ID,
                oceanbase::ENV_ACCESS_KEY_SECRET
            )));
            if let Some(name) = project_header {
                if settings.in_environment(oceanbase::ENV_PROJECT_ID) {
                    variables.push(oceanbase::ENV_PROJECT_ID.to_owned());
                    words.extend(header_from(name, oceanbase::ENV_PROJECT_ID));
                } else {
                    let project = settings.get(oceanbase::ENV_PROJECT_ID).ok_or_else(|| {
                        Failure::config(format!(
                            "{} is not set: the request carries it as {name}",
                            oceanbase::ENV_PROJECT_ID
                        ))
                    })?;
                    words.extend(header(name, project.trim()));
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
                let credentials = send::aksk_credentials(settings, ak, sk)?;
                if settings.get(env::SECURITY_TOKEN).is_some() {
                    variables.push(env::SECURITY_TOKEN.to_owned());
                }
                let date = huawei::format_sdk_date(SystemTime::now());
                huawei::sign_request_at(&credentials, &mut request, &date)
                    .map_err(|e| Failure::usage(e.to_string()))?;
                headers_of(&request, &mut words, true);
            } else {
                variables.push(env::AUTH_TOKEN.to_owned());
                let name = display_name(huawei::AUTH_TOKEN_HEADER);
                words.extend(header_from(&name, env::AUTH_TOKEN));
                headers_of(&request, &mut words, false);
            }
        }
    }
    words.insert(4, Word::Literal(request.url().to_string()));
    let mut body_variables = Vec::new();
    if let Some(body) = request.body().and_then(|b| b.as_bytes()) {
        words.push(Word::Literal("--data-binary".into()));
        let text = String::from_utf8_lossy(body).into_owned();
        match &call.body {
            Some(value) if !call.secrets.is_empty() => {
                let (word, found) = body_with_variables(value, call.secrets, &text)?;
                words.push(word);
                variables.extend(found.iter().map(|(variable, _)| variable.clone()));
                body_variables = found;
            }
            _ => words.push(Word::Literal(text)),
        }
    }
    let other_values = body_variables
        .iter()
        .filter(|(variable, pointer)| {
            let given = call
                .body
                .as_ref()
                .and_then(|b| b.pointer(pointer))
                .and_then(serde_json::Value::as_str);
            std::env::var(variable).is_ok_and(|v| Some(v.as_str()) != given)
        })
        .map(|(variable, _)| variable.clone())
        .collect();
    Ok(DryRun {
        command: render(words),
        variables,
        body_variables,
        other_values,
    })
}

/// The body (`sent`: its text, as signed) with each secret field's value written as a shell
/// variable ([`crate::request::secret_variable`]), which holds the value as it stands inside
/// the JSON string; and the variables with the pointers they stand for.
fn body_with_variables(
    body: &serde_json::Value,
    secrets: &[&str],
    sent: &str,
) -> Result<(Word, Vec<(String, String)>), Failure> {
    let pointers = cloud_sdk_runtime::secret_pointers(body, secrets);
    if pointers.is_empty() {
        return Ok((Word::Literal(sent.to_owned()), Vec::new()));
    }
    // Each value is swapped for a marker no JSON text of a real body holds (control
    // characters are escaped in JSON), then the body's text is cut at the markers.
    let mut masked = body.clone();
    let mut found: Vec<(String, String)> = Vec::new();
    for (i, pointer) in pointers.iter().enumerate() {
        if let Some(value) = masked.pointer_mut(pointer) {
            if value
                .as_str()
                .is_some_and(|v| v.chars().any(char::is_control))
            {
                return Err(Failure::usage(format!(
                    "--dry-run: the body's {pointer} holds a control character (a line break, \
                     a tab), which the printed command cannot pass through its shell variable; \
                     send the call without --dry-run"
                )));
            }
            *value = serde_json::Value::String(format!("\u{1}{i}\u{1}"));
        }
        let mut variable = crate::request::secret_variable(pointer);
        // Two fields whose names differ only in punctuation get two variables.
        if found.iter().any(|(v, _)| *v == variable) {
            variable.push_str(&format!("_{i}"));
        }
        found.push((variable, pointer.clone()));
    }
    // The markers in the order they stand in the text, which need not be the pointers' order.
    let text = masked.to_string();
    let mut at = Vec::new();
    for (i, (variable, pointer)) in found.iter().enumerate() {
        let marker = serde_json::Value::String(format!("\u{1}{i}\u{1}")).to_string();
        let Some(start) = text.find(&marker) else {
            return Err(Failure::internal(format!(
                "the dry run lost the body's secret field {pointer}"
            )));
        };
        at.push((start, start + marker.len(), variable));
    }
    at.sort_unstable();
    let mut pieces = Vec::new();
    let mut from = 0;
    for (start, end, variable) in at {
        // The marker's quotes stay in the text, around the variable.
        pieces.push(Piece::Text(format!("{}\"", &text[from..start])));
        pieces.push(Piece::Variable(variable.clone()));
        from = end - 1;
    }
    pieces.push(Piece::Text(text[from..].to_owned()));
    Ok((Word::Joined(pieces), found))
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
            words.extend(header_from("X-Security-Token", huawei::env::SECURITY_TOKEN));
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes());
        words.extend(header(&display_name(name.as_str()), &value));
    }
}

/// `x-sdk-date` → `X-Sdk-Date`, as the vendors' pages write header names.
fn display_name(name: &str) -> String {
    name.split('-')
        .map(crate::cli::capitalised)
        .collect::<Vec<String>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_with_secrets_as_variables_expands_to_the_body_as_sent() {
        // `/pw` stands before the replicas in the text, after them in the pointers.
        let body = serde_json::json!({
            "name": "it's $HOME",
            "pw": "top",
            "replicas": [{"pw": "p\"1 $x"}, {"pw": "p2"}, {"pw": ""}],
        });
        let sent = body.to_string();
        let (word, found) = body_with_variables(&body, &["/replicas/*/pw", "/pw"], &sent).unwrap();
        assert_eq!(
            found,
            [
                (
                    "CLOUDSDK_BODY_REPLICAS_0_PW".into(),
                    "/replicas/0/pw".into()
                ),
                (
                    "CLOUDSDK_BODY_REPLICAS_1_PW".into(),
                    "/replicas/1/pw".into()
                ),
                ("CLOUDSDK_BODY_PW".into(), "/pw".into()),
            ]
        );
        let command = render(vec![word]);
        assert!(
            !command.contains("p2") && !command.contains("top"),
            "{command}"
        );
        // Each variable holds its value as is; the command escapes it for JSON.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s{}", &command["curl".len()..]))
            .env("CLOUDSDK_BODY_REPLICAS_0_PW", "p\"1 $x")
            .env("CLOUDSDK_BODY_REPLICAS_1_PW", "p2")
            .env("CLOUDSDK_BODY_PW", "top")
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), sent);
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
