//! Sending: the base URL and credentials (through the runtime crate's authenticators), one
//! call through the runtime's `pre`/`exec` hooks and typed errors, `--all` page by page,
//! `--wait-until`, and `--mock`.

use std::{
    io::Write as _,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use cloud_sdk_runtime::{
    ApiError, CallRecord, ConfigError, Reply, Runtime, RuntimeBuilder, ServiceError, WaitError,
    huawei, oceanbase,
};
use progenitor_client::{Error as RawError, ResponseValue};
use serde_json::Value;

use crate::{
    Failure,
    catalog::{Api, Auth, Envelope, Operation, Paging},
    output::{self, Printer, TableStream},
    request::Call,
    settings::Settings,
};

const USER_AGENT: &str = concat!("cloudsdk/", env!("CARGO_PKG_VERSION"));

/// The variable that overrides the API's base URL.
pub(crate) fn endpoint_variable(api: &Api) -> String {
    match api.auth {
        Auth::Digest => oceanbase::ENV_BASE_URL.to_owned(),
        Auth::Huawei => service(api).endpoint_variable(),
    }
}

pub(crate) fn service(api: &Api) -> huawei::Service {
    huawei::Service {
        name: api.service,
        host: api.host,
        host_exceptions: api.host_exceptions,
        env_headers: api.env_headers,
    }
}

fn config(e: ConfigError) -> Failure {
    Failure::config(e.to_string())
}

/// Where a call goes.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The base URL: `https://`, or plain `http://` to a loopback address (local test
    /// servers), which the runtime allows on its own. Nothing else is allowed plain http: the
    /// IAM endpoint keeps its own check, so a loopback API does not let the password go in
    /// clear to another machine.
    pub(crate) base_url: String,
}

impl Target {
    pub(crate) fn resolve(api: &Api, settings: &Settings) -> Result<Self, Failure> {
        let variable = endpoint_variable(api);
        // `--region` is this call's choice and the endpoint variable the environment's (or the
        // profile's): the flag wins, as the command line does over the environment, unless
        // `--endpoint` names the endpoint on the command line too.
        let region_chosen = api.auth == Auth::Huawei
            && settings.on_command_line(huawei::env::REGION)
            && !settings.on_command_line(&variable);
        let endpoint = (!region_chosen).then(|| settings.get(&variable)).flatten();
        let base_url = match endpoint {
            Some(url) => url.trim().trim_end_matches('/').to_owned(),
            None => match api.auth {
                Auth::Digest => api.base_url.to_owned(),
                Auth::Huawei => {
                    let region = region(settings)?.ok_or_else(|| {
                        Failure::config(format!(
                            "no region: pass --region (like cn-north-4), or set {} or {variable}",
                            huawei::env::REGION
                        ))
                    })?;
                    service(api).base_url(&region).map_err(config)?
                }
            },
        };
        // The clients' rule: no user-info (a dry run would print it, curl send it as Basic
        // auth), no query or fragment (the call's path would be lost behind them).
        let url = cloud_sdk_runtime::parse_base_url(&base_url)
            .map_err(|e| Failure::config(format!("{variable}: {e}")))?;
        let loopback_http = url.scheme() == "http"
            && match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            };
        if url.scheme() != "https" && !loopback_http {
            return Err(Failure::config(format!(
                "{variable}: credentials go only to https:// URLs (plain http only to a loopback address)"
            )));
        }
        Ok(Self { base_url })
    }

    /// The runtime with the API's authenticator, from the settings; `timeout` (`--timeout`)
    /// bounds each call and each attempt in it, else the runtime's limits hold.
    pub(crate) fn runtime(
        &self,
        api: &Api,
        settings: &Settings,
        timeout: Option<Duration>,
    ) -> Result<Runtime, Failure> {
        let mut builder = match api.auth {
            Auth::Digest => digest_builder(api, settings)?,
            Auth::Huawei => huawei_builder(api, settings)?,
        };
        if let Some(limit) = timeout {
            // One attempt may take the whole limit (an answer slower than the default 15 s
            // attempt then arrives); a retry gets what an attempt leaves.
            builder = builder.call_timeout(limit).attempt_timeout(limit);
        }
        builder.build().map_err(config)
    }
}

/// The region of the settings, checked as the runtime checks it: a value that is not a region
/// id is a `config` error naming where it came from (`--region`, the environment variable or
/// the profile), where the runtime's own message can only name the variable.
fn region(settings: &Settings) -> Result<Option<String>, Failure> {
    let name = huawei::env::REGION;
    let Some(region) = settings.get(name) else {
        return Ok(None);
    };
    let region = region.trim().to_owned();
    // The runtime's description of the value (which never shows it), and where it came from.
    huawei::endpoint::check_region(&region).map_err(|e| {
        Failure::config(format!("{e}: {}", settings.where_to_fix(name, "--region")))
    })?;
    Ok(Some(region))
}

fn required(settings: &Settings, name: &str, what: &str) -> Result<String, Failure> {
    settings.get(name).ok_or_else(|| {
        Failure::config(format!(
            "{what} is not set: export {name}, or store it with `cloudsdk config set {name}`"
        ))
    })
}

fn digest_builder(api: &Api, settings: &Settings) -> Result<RuntimeBuilder, Failure> {
    let id = required(settings, oceanbase::ENV_ACCESS_KEY_ID, "the AccessKey ID")?;
    let secret = required(
        settings,
        oceanbase::ENV_ACCESS_KEY_SECRET,
        "the AccessKey secret",
    )?;
    let project = settings.get(oceanbase::ENV_PROJECT_ID).unwrap_or_default();
    let supplied: Vec<oceanbase::Supplied> = api
        .supplied
        .iter()
        .map(|s| match s.supply {
            "uuid" => oceanbase::Supplied::UuidQuery(s.name),
            _ => oceanbase::Supplied::ProjectHeader(s.name),
        })
        .collect();
    // Built once per run; the runtime's `Api` holds a static list.
    let supplied: &'static [oceanbase::Supplied] = Box::leak(supplied.into_boxed_slice());
    let described = oceanbase::Api {
        default_base_url: api.base_url,
        supplied,
    };
    oceanbase::runtime_builder(
        &described,
        oceanbase::Credentials::new(id, secret),
        &project,
    )
    .map_err(config)
}

fn huawei_builder(api: &Api, settings: &Settings) -> Result<RuntimeBuilder, Failure> {
    use huawei::env;
    let (ak, sk) = (settings.get(env::AK), settings.get(env::SK));
    let mut builder = if ak.is_some() || sk.is_some() {
        let ak = required(settings, env::AK, "the access key id (AK)")?;
        let sk = required(settings, env::SK, "the secret access key (SK)")?;
        Runtime::builder(huawei::AkSkAuth::new(aksk_credentials(settings, ak, sk)?))
    } else if let Some(token) = settings.get(env::AUTH_TOKEN) {
        Runtime::builder(huawei::TokenAuth::static_token(token).map_err(config)?)
    } else if settings.get(env::USERNAME).is_some() {
        let user = required(settings, env::USERNAME, "the IAM user name")?;
        let password = required(settings, env::PASSWORD, "the IAM user's password")?;
        let domain = required(settings, env::DOMAIN_NAME, "the account (domain) name")?;
        let region = region(settings)?;
        let scope = match (
            settings.get(env::PROJECT_ID),
            settings.get(env::PROJECT_NAME),
            &region,
        ) {
            (Some(id), _, _) => huawei::ProjectScope::Id(id),
            (None, Some(name), _) => huawei::ProjectScope::Name(name),
            (None, None, Some(region)) => huawei::ProjectScope::Name(region.clone()),
            (None, None, None) => {
                return Err(Failure::config(
                    "IAM tokens need a project scope: set HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_PROJECT_NAME or --region",
                ));
            }
        };
        let password = huawei::IamPassword::new(user, password, domain, scope);
        let provider = match (settings.get(env::IAM_ENDPOINT), region) {
            (Some(iam), _) => huawei::IamPasswordProvider::new(&iam, password),
            (None, Some(region)) => huawei::IamPasswordProvider::for_region(&region, password),
            (None, None) => {
                return Err(Failure::config(
                    "IAM tokens need the IAM endpoint: pass --region or set HUAWEICLOUD_SDK_IAM_ENDPOINT",
                ));
            }
        }
        .map_err(config)?;
        Runtime::builder(huawei::TokenAuth::from_provider(provider))
    } else {
        return Err(Failure::config(format!(
            "no Huawei Cloud credentials for {}: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, \
             or HUAWEICLOUD_SDK_AUTH_TOKEN, or HUAWEICLOUD_SDK_USERNAME, _PASSWORD and \
             _DOMAIN_NAME (in the environment or a profile: `cloudsdk config set`)",
            api.name
        )));
    };
    for (header, variable) in api.env_headers {
        if let Some(value) = settings.get(variable) {
            builder = builder
                .default_header(header, &value)
                .map_err(|e| Failure::config(format!("{variable}: {e}")))?;
        }
    }
    Ok(builder)
}

/// AK/SK credentials from the pair `ak`, `sk` (read by the caller, which says its own way what
/// is missing) and the settings' project id and security token, when they are set.
pub(crate) fn aksk_credentials(
    settings: &Settings,
    ak: String,
    sk: String,
) -> Result<huawei::AkSkCredentials, Failure> {
    let mut credentials = huawei::AkSkCredentials::new(ak, sk).map_err(config)?;
    if let Some(project) = settings.get(huawei::env::PROJECT_ID) {
        credentials = credentials.with_project_id(project).map_err(config)?;
    }
    if let Some(token) = settings.get(huawei::env::SECURITY_TOKEN) {
        credentials = credentials.with_security_token(token).map_err(config)?;
    }
    Ok(credentials)
}

/// An error body of any of the vendors: Huawei Cloud's `error_code`/`error_msg` (or nested
/// in `error`), OceanBase Cloud's envelope, or text.
#[derive(Debug, Default)]
pub(crate) struct VendorError {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

impl<'de> serde::Deserialize<'de> for VendorError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_value(&Value::deserialize(d)?))
    }
}

/// The first of the fields `names` of `v` that is a string or a number, as text.
fn text_field(v: &Value, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| match v.get(n) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

impl VendorError {
    fn from_value(v: &Value) -> Self {
        let inner = v.get("error").filter(|e| e.is_object()).unwrap_or(v);
        Self {
            code: text_field(inner, &["error_code", "errorCode", "code"]),
            message: text_field(inner, &["error_msg", "errorMessage", "message", "msg"]),
            request_id: text_field(v, &["requestId", "request_id"]),
        }
    }
}

impl ServiceError for VendorError {
    fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
    fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

fn failure(e: ApiError<VendorError>) -> Failure {
    let (kind, code) = Failure::class(e.kind());
    // The message as the error shows it: a credential the server echoed is `***` there.
    let message = match e.service_error() {
        Some(_) => e.message().unwrap_or("(no message)").to_owned(),
        None => {
            // The detail follows the operation's name in the error's text.
            let text = e.to_string();
            text.strip_prefix(&format!("{}: ", e.operation()))
                .map(str::to_owned)
                .unwrap_or(text)
        }
    };
    let message = match e.status() {
        Some(status) => message
            .strip_prefix(&format!("HTTP {}: ", status.as_u16()))
            .map(str::to_owned)
            .unwrap_or(message),
        None => message,
    };
    Failure {
        kind,
        code,
        status: e.status().map(|s| s.as_u16()),
        vendor_code: e.code().map(str::to_owned),
        message: format!("{}: {message}", e.operation()),
        request_id: e.request_id().map(str::to_owned),
        client_request_id: e.client_request_id().map(str::to_owned),
    }
}

/// The URL of a call on `base_url`, with `extra` query pairs after the call's own.
pub(crate) fn url(
    base_url: &str,
    call: &Call,
    extra: &[(String, String)],
) -> Result<url::Url, Failure> {
    let mut url = url::Url::parse(&format!("{}{}", base_url.trim_end_matches('/'), call.path))
        .map_err(|e| Failure::usage(format!("the request URL is not valid: {e}")))?;
    if !call.query.is_empty() || !extra.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in call.query.iter().chain(extra) {
            pairs.append_pair(k, v);
        }
    }
    Ok(url)
}

/// The request as it is sent (before the runtime's defaults and authentication).
pub(crate) fn build(
    base_url: &str,
    call: &Call,
    extra: &[(String, String)],
) -> Result<reqwest::Request, Failure> {
    let method = reqwest::Method::from_bytes(call.method.as_bytes())
        .map_err(|_| Failure::internal(format!("method {}", call.method)))?;
    let mut request = reqwest::Request::new(method, url(base_url, call, extra)?);
    let headers = request.headers_mut();
    for (name, value) in &call.headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Failure::usage(format!("header {name:?} is not a valid header name")))?;
        let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
            Failure::usage(format!(
                "the value of header {name} is not a valid header value"
            ))
        })?;
        headers.insert(name, value);
    }
    headers.insert(
        reqwest::header::ACCEPT,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    // The body as sent: compact JSON.
    if let Some(body) = call.body.as_ref().map(Value::to_string) {
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        *request.body_mut() = Some(body.into());
    }
    Ok(request)
}

async fn exchange(
    runtime: &Runtime,
    op: &'static Operation,
    mut request: reqwest::Request,
    record: &CallRecord,
) -> Result<ResponseValue<Value>, RawError<VendorError>> {
    runtime
        .pre::<VendorError>(
            &mut request,
            op.id,
            USER_AGENT,
            &[],
            &[(op.id, op.secrets)],
            record,
        )
        .await?;
    let response = runtime
        .exec(request, op.id, record)
        .await
        .map_err(RawError::CommunicationError)?;
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response
        .bytes()
        .await
        .map_err(RawError::ResponseBodyError)?;
    if status.is_success() {
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .map_err(|e| RawError::InvalidResponsePayload(bytes.clone(), e))?
        };
        Ok(ResponseValue::new(value, status, headers))
    } else {
        let body = serde_json::from_slice::<Value>(&bytes)
            .map(|v| VendorError::from_value(&v))
            // The whole text (the body is bounded by the runtime's size limit): the error's
            // message is scrubbed of what the call sent before it is cut, and a cut made here
            // first could leave part of a credential behind.
            .unwrap_or_else(|_| VendorError {
                message: Some(String::from_utf8_lossy(&bytes).into_owned())
                    .filter(|m| !m.trim().is_empty()),
                ..VendorError::default()
            });
        Err(RawError::ErrorResponse(ResponseValue::new(
            body, status, headers,
        )))
    }
}

/// One call, with `extra` query pairs after the call's own; the body, or the failure (a 2xx
/// envelope with `success: false` too).
pub(crate) async fn once(
    api: &Api,
    op: &'static Operation,
    runtime: &Runtime,
    target: &Target,
    call: &Call,
    extra: &[(String, String)],
) -> Result<Value, Failure> {
    let request = build(&target.base_url, call, extra)?;
    let record = CallRecord::default();
    let result = exchange(runtime, op, request, &record).await;
    let Some(envelope) = &api.envelope else {
        let output = cloud_sdk_runtime::outcome(op.id, &record, result).map_err(failure)?;
        return Ok(output.into_inner());
    };
    // A 2xx body that says it failed is the runtime's typed error too, as for the clients.
    let result = result.map(|value| {
        let (status, headers) = (value.status(), value.headers().clone());
        let body = Enveloped {
            value: value.into_inner(),
            envelope,
        };
        ResponseValue::new(body, status, headers)
    });
    let output = cloud_sdk_runtime::envelope_outcome(op.id, &record, result).map_err(failure)?;
    Ok(output.into_inner().value)
}

/// A 2xx body of an API whose bodies carry an envelope, which may say the call failed.
struct Enveloped<'a> {
    value: Value,
    envelope: &'a Envelope,
}

impl Reply for Enveloped<'_> {
    fn succeeded(&self) -> bool {
        let success = self.value.get(self.envelope.success);
        !matches!(success, Some(Value::Bool(false)))
            && success.and_then(Value::as_str) != Some("false")
    }
}

impl From<Enveloped<'_>> for VendorError {
    fn from(body: Enveloped<'_>) -> Self {
        let e = body.envelope;
        Self {
            code: text_field(&body.value, &[e.code]),
            message: text_field(&body.value, &[e.message]),
            request_id: text_field(&body.value, &[e.request_id]),
        }
    }
}

/// `--all`: page after page by offset, printing each page's items before asking for the
/// next; stops at the total, a short page, or `max` items.
#[expect(
    clippy::too_many_arguments,
    reason = "one call's parts, as the other senders take them, plus the page bounds"
)]
pub(crate) async fn all(
    api: &Api,
    op: &'static Operation,
    runtime: &Runtime,
    target: &Target,
    call: &Call,
    printer: &Printer,
    page_size: u64,
    max: Option<u64>,
) -> Result<(), Failure> {
    let Some(paging) = &op.paging else {
        return Err(Failure::usage("not a paged operation"));
    };
    let (call, start) = unpaged(paging, call);
    let (mut offset, mut printed) = (start, 0u64);
    let mut table = printer.table_stream(op);
    for page_number in 0.. {
        let limit = page_limit(page_size, max, printed);
        if limit == 0 {
            break;
        }
        // A server whose pages never end (always full, no total, or a total it never reaches)
        // stops here, as a client's item stream does, but as a failure: what was printed is
        // not the whole list.
        if page_number == cloud_sdk_runtime::MAX_PAGES {
            finish(table)?;
            return Err(Failure::invalid_response(format!(
                "{}: {printed} items in {page_number} pages and the listing has not ended (every page \
                 full, and no total reached); stopped there. --max-items takes fewer items, \
                 --page-size more per page",
                op.id
            )));
        }
        let extra = page_pairs(paging, offset, limit);
        let page = once(api, op, runtime, target, &call, &extra).await?;
        let total = page.get(paging.total).and_then(Value::as_u64);
        // A page not in the documented form is the server's fault, not an empty page: taken as
        // empty, `--all` would print nothing and succeed.
        let mut items = match page {
            Value::Object(mut map) => match map.remove(paging.items) {
                Some(Value::Array(items)) => items,
                other => {
                    return Err(Failure::invalid_response(format!(
                        "{}: the page at offset {offset} has {} where the documented form has an array `{}`",
                        op.id,
                        other.as_ref().map_or("no field", json_type),
                        paging.items
                    )));
                }
            },
            other => {
                return Err(Failure::invalid_response(format!(
                    "{}: the page at offset {offset} is {} where the documented form is an object with an array `{}`",
                    op.id,
                    json_type(&other),
                    paging.items
                )));
            }
        };
        if let Some(max) = max {
            // A server that sends more than it was asked for gets no more than --max-items
            // printed.
            items.truncate(usize::try_from(max - printed).unwrap_or(usize::MAX));
        }
        let count = items.len() as u64;
        print_items(op, printer, table.as_mut(), items)?;
        printed += count;
        offset += count;
        let done = count == 0
            || count < limit
            || total.is_some_and(|t| offset >= t)
            || max.is_some_and(|m| printed >= m);
        if done {
            break;
        }
    }
    finish(table)
}

/// `--all`'s call without the offset and limit the flags gave (each page sends its own), and
/// the offset of the first page: the offset given, else 0.
fn unpaged(paging: &Paging, call: &Call) -> (Call, u64) {
    let mut call = call.clone();
    let start = call
        .query
        .iter()
        .find(|(k, _)| k == paging.offset)
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(0);
    call.query
        .retain(|(k, _)| k != paging.offset && k != paging.limit);
    (call, start)
}

/// The limit of `--all`'s next page: `--page-size`, or fewer when `--max-items` leaves fewer
/// to print after `printed`; 0 when none is left.
fn page_limit(page_size: u64, max: Option<u64>, printed: u64) -> u64 {
    match max {
        Some(max) => page_size.min(max.saturating_sub(printed)),
        None => page_size,
    }
}

/// The query pairs of one page of `--all`, after the call's own.
fn page_pairs(paging: &Paging, offset: u64, limit: u64) -> [(String, String); 2] {
    [
        (paging.offset.to_owned(), offset.to_string()),
        (paging.limit.to_owned(), limit.to_string()),
    ]
}

/// `--dry-run --all`: the first page's call as `--all` sends it (the paging pairs the flags gave
/// replaced by the first page's offset and limit, after the call's own pairs), and the note
/// for stderr that says later pages follow its form; `None` when `--max-items 0` sends no
/// request at all.
pub(crate) fn first_page(
    paging: &Paging,
    call: &Call,
    page_size: u64,
    max: Option<u64>,
) -> Option<(Call, String)> {
    let (mut call, start) = unpaged(paging, call);
    let limit = page_limit(page_size, max, 0);
    if limit == 0 {
        return None;
    }
    call.query.extend(page_pairs(paging, start, limit));
    let bound = match max {
        Some(max) => format!(" or {max} items (--max-items)"),
        None => String::new(),
    };
    let note = format!(
        "# --all: this is the first page's request; later pages follow its form, with {} \
         advanced by the items each page returns, until a short page, the total ({}){bound}",
        paging.offset, paging.total
    );
    Some((call, note))
}

/// The bottom of `--all`'s table, when it prints one.
fn finish(table: Option<TableStream>) -> Result<(), Failure> {
    table.map_or(Ok(()), |mut table| output::write_out(&table.finish()))
}

/// What a JSON value is, for messages about an answer not in the documented form.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One page of `--all`: its rows under the table's one header, or each item on its own.
fn print_items(
    op: &Operation,
    printer: &Printer,
    table: Option<&mut TableStream>,
    items: Vec<Value>,
) -> Result<(), Failure> {
    match table {
        Some(table) => {
            let rows = items
                .into_iter()
                .map(|i| printer.select(i))
                .collect::<Result<Vec<_>, _>>()?;
            output::write_out(&table.page(&rows))
        }
        None => {
            for item in items {
                printer.print(op, item, true)?;
            }
            Ok(())
        }
    }
}

/// `--wait-until` and `--wait-fail`: `<JMESPath> == <value>`.
#[derive(Debug)]
pub(crate) struct Wait {
    until: Condition,
    fail: Option<Condition>,
    timeout: Duration,
    interval: Duration,
}

#[derive(Debug)]
struct Condition {
    text: String,
    expr: jmespath::Expression<'static>,
    value: Value,
}

impl Condition {
    fn parse(flag: &str, text: &str) -> Result<Self, Failure> {
        let Some((expr, value)) = text.rsplit_once("==") else {
            return Err(Failure::usage(format!(
                "--{flag} {text:?}: write `<JMESPath> == <value>`, like `status == 'ready'`"
            )));
        };
        let expr = output::compile(flag, expr.trim())?;
        let raw = value.trim();
        let unquoted = raw
            .strip_prefix('\'')
            .and_then(|r| r.strip_suffix('\''))
            .or_else(|| raw.strip_prefix('`').and_then(|r| r.strip_suffix('`')));
        // `text` stays the whole condition: the wait's messages quote it.
        let literal = unquoted.unwrap_or(raw);
        let value =
            serde_json::from_str(literal).unwrap_or_else(|_| Value::String(literal.to_owned()));
        Ok(Self {
            text: text.trim().to_owned(),
            expr,
            value,
        })
    }

    /// Whether it holds, and the value the expression found.
    fn check(&self, response: &Value) -> Result<(bool, Value), Failure> {
        let found = output::search(&self.expr, response)?;
        let holds = found == self.value
            || matches!(&found, Value::String(a) if serde_json::from_str::<Value>(a).ok().as_ref() == Some(&self.value));
        Ok((holds, found))
    }
}

impl Wait {
    pub(crate) fn new(
        until: &str,
        fail: Option<&str>,
        timeout: f64,
        interval: f64,
    ) -> Result<Self, Failure> {
        let seconds = |flag: &str, s: f64| {
            Duration::try_from_secs_f64(s)
                .map_err(|_| Failure::usage(format!("--{flag} {s}: write a number of seconds")))
        };
        Ok(Self {
            until: Condition::parse("wait-until", until)?,
            fail: fail.map(|f| Condition::parse("wait-fail", f)).transpose()?,
            timeout: seconds("wait-timeout", timeout)?,
            interval: seconds("wait-interval", interval)?,
        })
    }

    /// `Some(Ok)` when the wait is over with success, `Some(Err)` on the fail condition.
    fn verdict(&self, value: &Value) -> Result<(Option<Result<(), Failure>>, Value), Failure> {
        if let Some(fail) = &self.fail {
            let (holds, found) = fail.check(value)?;
            if holds {
                return Ok((
                    Some(Err(Failure::wait_failed(format!(
                        "stopped waiting: {} (found {found})",
                        fail.text
                    )))),
                    found,
                ));
            }
        }
        let (holds, found) = self.until.check(value)?;
        Ok((holds.then_some(Ok(())), found))
    }
}

/// The longest pause between two calls of `--wait-until`.
const MAX_WAIT_PAUSE: Duration = Duration::from_secs(30);

/// One answer read while waiting: the response, the verdict of the conditions on it, and the
/// value `--wait-until`'s expression found (shown by the spinner and the timeout message).
type Reading = (Value, Option<Result<(), Failure>>, Value);

/// Repeats the call until the condition holds, through the runtime's `wait_for`: pauses from
/// `--wait-interval` doubling up to 30 s (jittered), `--wait-timeout` as the deadline, and
/// `--wait-fail` as the terminal state. A failed call ends the wait with its own error. When
/// `spinner` (stderr is a terminal), a spinner on stderr shows the elapsed time and the last
/// value found while the wait runs.
pub(crate) async fn wait(
    api: &Api,
    op: &'static Operation,
    runtime: &Runtime,
    target: &Target,
    call: &Call,
    wait: &Wait,
    spinner: bool,
) -> Result<Value, Failure> {
    let last_found = Arc::new(Mutex::new(String::from("(none yet)")));
    let read = || {
        let last_found = last_found.clone();
        async move {
            let value = once(api, op, runtime, target, call, &[]).await?;
            let (verdict, found) = wait.verdict(&value)?;
            if let Ok(mut last) = last_found.lock() {
                *last = found.to_string();
            }
            Ok::<Reading, Failure>((value, verdict, found))
        }
    };
    let waiting = cloud_sdk_runtime::wait_for(read, |(_, verdict, _): &Reading| {
        matches!(verdict, Some(Ok(())))
    })
    .fail_on(|(_, verdict, _): &Reading| matches!(verdict, Some(Err(_))))
    .pauses(wait.interval, MAX_WAIT_PAUSE)
    .timeout(wait.timeout);

    let spinning = spinner.then(|| tokio::spawn(spin(wait.until.text.clone(), last_found.clone())));
    let outcome = waiting.run().await;
    if let Some(task) = spinning {
        task.abort();
        // Awaited so that it has stopped drawing before the line is cleared.
        let _ = task.await;
        eprint!("\r\x1b[2K");
        let _ = std::io::stderr().flush();
    }
    match outcome {
        Ok((value, _, _)) => Ok(value),
        Err(WaitError::Terminal {
            value: (_, Some(Err(failure)), _),
            ..
        }) => Err(failure),
        Err(WaitError::Call(failure)) => Err(failure),
        Err(e) => {
            let found = e
                .last()
                .map_or_else(|| "(none)".to_owned(), |(_, _, found)| found.to_string());
            Err(Failure::wait_timeout(format!(
                "{} did not hold within {:.0?} (last value {found})",
                wait.until.text, wait.timeout
            )))
        }
    }
}

/// Draws the spinner on stderr until aborted: the elapsed time, the condition awaited and the
/// last value found.
async fn spin(until: String, last_found: Arc<Mutex<String>>) {
    const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
    let started = Instant::now();
    for frame in FRAMES.iter().cycle() {
        let found = last_found.lock().map(|f| f.clone()).unwrap_or_default();
        // The value found is the server's text: its control and format characters as
        // escapes, as in a table.
        let shown = output::visible(&format!(
            "{frame} waiting {}s for {until}: last value {found}",
            started.elapsed().as_secs()
        ))
        .replace('\n', " ");
        eprint!("\r\x1b[2K{shown}");
        let _ = std::io::stderr().flush();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `--mock`: the documented example response, through the same output path.
pub(crate) fn mock(
    op: &Operation,
    printer: &Printer,
    wait: Option<&Wait>,
    all: bool,
) -> Result<(), Failure> {
    let Some(example) = op.example else {
        // The flag cannot be used for this operation: a usage error, not the configuration's.
        if op.has_body {
            return Err(Failure::usage(format!(
                "--mock cannot be used for {}: its documentation has no example response to answer with; \
                 run it without --mock (--dry-run shows the request)",
                op.id
            )));
        }
        return Ok(());
    };
    let value: Value = serde_json::from_str(example)
        .map_err(|e| Failure::internal(format!("the example of {} is not JSON: {e}", op.id)))?;
    // The example never changes: a condition it does not meet would never be met.
    if let Some(wait) = wait {
        match wait.verdict(&value)? {
            (Some(Ok(())), _) => {}
            (Some(Err(e)), _) => return Err(e),
            (None, found) => {
                return Err(Failure::wait_timeout(format!(
                    "{} does not hold for the documented example (found {found})",
                    wait.until.text
                )));
            }
        }
    }
    match (&op.paging, all) {
        (Some(paging), true) => {
            let items = value
                .get(paging.items)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut table = printer.table_stream(op);
            print_items(op, printer, table.as_mut(), items)?;
            finish(table)
        }
        _ => printer.print(op, value, false),
    }
}
