//! `cargo xtask docs`: reading the vendors' documentation pages into one model of the documented
//! operation, and comparing that model with the specs.
//!
//! A page comes in one of several layouts (see the modules below). Each layout module only cuts
//! its page into [`Block`]s (headings, text, tables, code); [`interpret`] turns blocks into a
//! [`DocumentedOperation`], the same way for every layout. The parsers are pure: they take the
//! page's text and do no I/O.

pub mod compare;
pub mod fetch;
pub mod huawei_html;
pub mod huawei_text;
pub mod oceanbase_markdown;
pub mod oceanbase_text;
pub mod run;
pub mod scaffold;

use std::{collections::BTreeMap, fmt};

use serde::Serialize;
use serde_json::Value;

/// A page that could not be read: the file and the section, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// The page file as given.
    pub file: String,
    /// The section heading (or `page` for the page as a whole).
    pub section: String,
    /// What could not be read, and what to do.
    pub message: String,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: section \"{}\": {}",
            self.file, self.section, self.message
        )
    }
}

impl std::error::Error for PageError {}

/// The layouts a page comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// OceanBase pages copied as markdown: `| a | b |` pipe tables.
    OceanbaseMarkdown,
    /// OceanBase pages copied from the rendered site: cells separated by spaces only, with the
    /// site's navigation around the article.
    OceanbaseText,
    /// Huawei pages copied from the rendered site: one cell per line, each ending in `|`.
    HuaweiText,
    /// Huawei pages saved as HTML (`<table><caption><b>Table N </b>Path Parameters</caption>`).
    HuaweiHtml,
}

/// A piece of a page, whatever its layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A line or paragraph of text.
    Text(String),
    /// A table.
    Table(Table),
    /// Preformatted text (code examples in HTML pages).
    Code(String),
}

/// A table as the page shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The caption without its `Table N` number (HTML pages only).
    pub caption: Option<String>,
    /// The header cells.
    pub header: Vec<String>,
    /// The body rows; cells of list items start with `• `.
    pub rows: Vec<Vec<String>>,
}

/// Where a documented field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// A path placeholder.
    Path,
    /// A query parameter.
    Query,
    /// A request header.
    Header,
    /// A request-body field.
    Body,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Body => "body",
        })
    }
}

/// One documented parameter or field.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DocField {
    /// The name; fields of nested objects are dotted (`connections.id`).
    pub name: String,
    /// The type as written on the page (`String`, `Array of connections objects`).
    pub doc_type: String,
    /// The type in the comparable form: `string`, `integer(int32)`, `array<object>`...
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether the page says the field is required (`None` when the page does not say).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// The description, list items included.
    pub description: String,
    /// The enumerated values given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
    /// The page announces a list of values that was lost in the capture ("Valid values:"
    /// followed by nothing): the values are unknown, not absent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub enum_lost: bool,
    /// The value range as written (`0-1000`, `[1,65536]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// The numeric bounds of the range, where it gives them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// See `minimum`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// The default value, where the page gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The example value column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
}

/// A documented parameter: a field with its location.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocParam {
    /// Where it goes.
    #[serde(rename = "in")]
    pub location: Location,
    /// The field.
    #[serde(flatten)]
    pub field: DocField,
}

/// The example request.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ExampleRequest {
    /// The method the example uses (from the curl `--request` or the request line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The URL or path of the example.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Headers set by `-H` in a curl example.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The curl command line as shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curl: Option<String>,
}

/// Everything one page documents about one operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentedOperation {
    /// The layout the page was read as.
    pub layout: Layout,
    /// The page's "updated" date, when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// HTTP method, upper case.
    pub method: String,
    /// The path as the page writes it.
    pub path: String,
    /// Path, query and header parameters and request-body fields.
    pub params: Vec<DocParam>,
    /// Response fields by status code.
    pub responses: BTreeMap<String, Vec<DocField>>,
    /// The status code table: code and description.
    pub status_codes: BTreeMap<String, String>,
    /// The example request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_request: Option<ExampleRequest>,
    /// Example response bodies by status code.
    pub example_responses: BTreeMap<String, Value>,
    /// Quirks of the page that the parser resolved, each said in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quirks: Vec<String>,
}

/// Finds the layout of a page from its text.
pub fn detect_layout(text: &str) -> Option<Layout> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("<table") || lower.contains("<html") || lower.contains("<h1") {
        return Some(Layout::HuaweiHtml);
    }
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    if lines.iter().any(|l| {
        l.starts_with("| ")
            && l.ends_with('|')
            && l.matches('|').count() >= 3
            && l.chars().any(|c| c.is_ascii_alphabetic())
    }) && lines.iter().any(|l| l.starts_with("|---"))
    {
        return Some(Layout::OceanbaseMarkdown);
    }
    if lines.iter().any(|l| huawei_text::is_separator(l)) {
        return Some(Layout::HuaweiText);
    }
    if lines
        .iter()
        .any(|l| oceanbase_text::header_columns(l).is_some())
    {
        return Some(Layout::OceanbaseText);
    }
    None
}

/// Reads a page: detects its layout, cuts it into blocks and interprets them.
pub fn parse(file: &str, text: &str) -> Result<DocumentedOperation, PageError> {
    let layout = detect_layout(text).ok_or_else(|| PageError {
        file: file.into(),
        section: "page".into(),
        message: "no parameter table in a layout this tool reads (markdown pipe tables, OceanBase \
                  rendered text, Huawei one-cell-per-line text or Huawei HTML): save the page \
                  again, as HTML or as the text the browser copies"
            .into(),
    })?;
    let blocks = match layout {
        Layout::OceanbaseMarkdown => oceanbase_markdown::blocks(text),
        Layout::OceanbaseText => oceanbase_text::blocks(text),
        Layout::HuaweiText => huawei_text::blocks(file, text)?,
        Layout::HuaweiHtml => huawei_html::blocks(text),
    };
    interpret(file, layout, &blocks)
}

/// The sections a page is made of, by their headings in every layout we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Intro,
    Uri,
    Request(Option<Location>),
    Response,
    ExampleRequest,
    ExampleResponse,
    StatusCodes,
    Other,
}

/// Recognizes a section heading. `None` when the text is not one.
pub(crate) fn heading_kind(text: &str) -> Option<&'static str> {
    let t = text.trim().trim_end_matches(':').to_ascii_lowercase();
    let kind = match t.as_str() {
        "request path" | "uri" => "uri",
        "request parameters" | "request" => "request",
        "path parameters" | "path" => "request path",
        "query parameters" | "query" => "request query",
        "header parameters" | "request header parameters" => "request header",
        "body parameters" | "body" | "request body" | "request body parameters" => "request body",
        "response parameters" | "response" => "response",
        "examples" | "example" => "other",
        "request example" | "example request" | "example requests" => "example request",
        "response example" | "example response" | "example responses" => "example response",
        "status codes" | "status code" => "status codes",
        "function"
        | "overview"
        | "api details"
        | "constraints"
        | "calling method"
        | "authorization information"
        | "error codes"
        | "feedback"
        | "note"
        | "notes"
        | "previous topic"
        | "next topic" => "other",
        _ if t.starts_with("status code: ") => "status",
        _ => return None,
    };
    Some(kind)
}

fn location_of_caption(caption: &str) -> Option<Location> {
    let c = caption.to_ascii_lowercase();
    if c.contains("path param") || c.contains("uri param") {
        Some(Location::Path)
    } else if c.contains("query param") {
        Some(Location::Query)
    } else if c.contains("header") {
        Some(Location::Header)
    } else if c.contains("body param") || c.contains("request param") {
        Some(Location::Body)
    } else {
        None
    }
}

/// A field read from a table, before its location is settled.
#[derive(Debug, Clone)]
struct Row {
    location: Option<Location>,
    field: DocField,
}

/// Object types a field refers to, waiting for their sub-table: (object name, dotted prefix).
#[derive(Default)]
struct Pending(Vec<(String, String)>);

impl Pending {
    fn push_refs(&mut self, fields: &[DocField], prefix: &str) {
        for f in fields {
            if let Some(obj) = object_name(&f.doc_type) {
                self.0.push((obj, format!("{prefix}{}", f.name)));
            }
        }
    }
    /// The prefix for a sub-table: by caption name when there is one, else the first waiting.
    fn take(&mut self, caption: Option<&str>) -> Option<String> {
        if let Some(c) = caption {
            // `security_group objects` names the object; `Array of objects` fields match it by
            // their own name (`security_groups`).
            let c = c.trim();
            let c = c
                .strip_suffix(" objects")
                .or_else(|| c.strip_suffix(" object"))
                .unwrap_or(c)
                .trim();
            let found = self.0.iter().position(|(o, prefix)| {
                let last = prefix.rsplit('.').next().unwrap_or(prefix);
                o.eq_ignore_ascii_case(c) || (o.is_empty() && near_name(last, c))
            });
            if let Some(i) = found {
                return Some(self.0.remove(i).1);
            }
        }
        (!self.0.is_empty()).then(|| self.0.remove(0).1)
    }
}

/// The object a type names: `Array of connections objects` → `connections`,
/// `ApigDataSourceView object` → `ApigDataSourceView`.
fn object_name(doc_type: &str) -> Option<String> {
    let t = doc_type.trim();
    let t = t.strip_prefix("Array of ").unwrap_or(t);
    if t.eq_ignore_ascii_case("objects") || t.eq_ignore_ascii_case("object") {
        return Some(String::new());
    }
    let name = t
        .strip_suffix(" objects")
        .or_else(|| t.strip_suffix(" object"))?;
    Some(name.trim().to_owned())
}

/// Turns a page's blocks into the documented operation.
pub fn interpret(
    file: &str,
    layout: Layout,
    blocks: &[Block],
) -> Result<DocumentedOperation, PageError> {
    let err = |section: &str, message: String| PageError {
        file: file.into(),
        section: section.into(),
        message,
    };
    let mut section = Section::Intro;
    let mut heading = String::from("page");
    let mut status: Option<String> = None;
    let mut method_path: Option<(String, String)> = None;
    let mut rows: Vec<Row> = Vec::new();
    let mut request_pending = Pending::default();
    let mut request_top_seen = false;
    let mut responses: BTreeMap<String, Vec<DocField>> = BTreeMap::new();
    let mut response_pending = Pending::default();
    let mut status_codes = BTreeMap::new();
    let mut request_text = String::new();
    let mut response_text: BTreeMap<String, String> = BTreeMap::new();
    let mut updated = None;
    let mut quirks = Vec::new();

    for block in blocks {
        match block {
            Block::Heading(h) => {
                heading = h.trim().to_owned();
                let kind = heading_kind(h).unwrap_or("other");
                section = match kind {
                    "uri" => Section::Uri,
                    "request" => Section::Request(None),
                    "request path" => Section::Request(Some(Location::Path)),
                    "request query" => Section::Request(Some(Location::Query)),
                    "request header" => Section::Request(Some(Location::Header)),
                    "request body" => Section::Request(Some(Location::Body)),
                    "response" => {
                        status = None;
                        Section::Response
                    }
                    "example request" => Section::ExampleRequest,
                    "example response" => {
                        status = None;
                        Section::ExampleResponse
                    }
                    "status codes" => Section::StatusCodes,
                    "status" => {
                        let code = h.trim().rsplit(' ').next().unwrap_or_default().to_owned();
                        status = Some(code);
                        section
                    }
                    _ => Section::Other,
                };
            }
            Block::Text(t) => {
                if updated.is_none()
                    && let Some(date) = updated_date(t)
                {
                    updated = Some(date);
                }
                match section {
                    Section::Uri | Section::Intro if method_path.is_none() => {
                        if let Some(mp) = request_line(t) {
                            method_path = Some(mp);
                        }
                    }
                    Section::ExampleRequest => {
                        request_text.push_str(t);
                        request_text.push('\n');
                    }
                    Section::ExampleResponse => {
                        let code = status.clone().unwrap_or_else(|| "200".into());
                        let e = response_text.entry(code).or_default();
                        e.push_str(t);
                        e.push('\n');
                    }
                    _ => {}
                }
            }
            Block::Code(c) => match section {
                Section::ExampleRequest => {
                    request_text.push_str(c);
                    request_text.push('\n');
                }
                Section::ExampleResponse => {
                    let code = status.clone().unwrap_or_else(|| "200".into());
                    let e = response_text.entry(code).or_default();
                    e.push_str(c);
                    e.push('\n');
                }
                _ => {}
            },
            Block::Table(table) => {
                let caption = table.caption.as_deref();
                match section {
                    Section::Uri => {
                        let location = caption.and_then(location_of_caption);
                        for f in fields_of(table).map_err(|m| err(&heading, m))? {
                            rows.push(Row { location, field: f });
                        }
                    }
                    Section::Request(fixed) => {
                        let fields = fields_of(table).map_err(|m| err(&heading, m))?;
                        let by_caption = caption.and_then(location_of_caption);
                        let is_sub = request_top_seen
                            && by_caption.is_none()
                            && fixed.is_none_or(|l| l == Location::Body)
                            && !request_pending.0.is_empty()
                            && !fields.iter().all(|f| looks_like_header(&f.name));
                        if is_sub {
                            let prefix = request_pending.take(caption).unwrap_or_default();
                            let prefixed: Vec<DocField> = fields
                                .into_iter()
                                .map(|mut f| {
                                    f.name = format!("{prefix}.{}", f.name);
                                    f
                                })
                                .collect();
                            request_pending.push_refs(&prefixed, "");
                            rows.extend(prefixed.into_iter().map(|f| Row {
                                location: Some(Location::Body),
                                field: f,
                            }));
                        } else {
                            let location = by_caption.or(fixed).or_else(|| {
                                fields
                                    .iter()
                                    .all(|f| looks_like_header(&f.name))
                                    .then_some(Location::Header)
                            });
                            if location != Some(Location::Header) {
                                request_top_seen = true;
                                request_pending.push_refs(&fields, "");
                            }
                            rows.extend(fields.into_iter().map(|f| Row { location, field: f }));
                        }
                    }
                    Section::Response => {
                        let code = status.clone().unwrap_or_else(|| "200".into());
                        let fields = fields_of(table).map_err(|m| err(&heading, m))?;
                        let top = caption.is_some_and(|c| {
                            let c = c.to_ascii_lowercase();
                            c.contains("response body") || c.contains("response param")
                        }) || !responses.contains_key(&code)
                            || response_pending.0.is_empty();
                        if top && !responses.contains_key(&code) {
                            response_pending.push_refs(&fields, "");
                            responses.insert(code, fields);
                        } else {
                            let prefix = response_pending.take(caption).ok_or_else(|| {
                                err(
                                    &heading,
                                    format!(
                                        "a second table for status {code} ({}) that no field refers to",
                                        caption.unwrap_or("no caption")
                                    ),
                                )
                            })?;
                            let prefixed: Vec<DocField> = fields
                                .into_iter()
                                .map(|mut f| {
                                    f.name = format!("{prefix}.{}", f.name);
                                    f
                                })
                                .collect();
                            response_pending.push_refs(&prefixed, "");
                            responses.entry(code).or_default().extend(prefixed);
                        }
                    }
                    Section::StatusCodes => {
                        for row in &table.rows {
                            let code = row.first().map(|c| c.trim().to_owned()).unwrap_or_default();
                            if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
                                return Err(err(
                                    &heading,
                                    format!("status code {code:?} is not a number"),
                                ));
                            }
                            let desc = row.get(1).cloned().unwrap_or_default();
                            status_codes.insert(code, desc);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    let Some((method, path)) = method_path else {
        return Err(err(
            "Request path / URI",
            "no request line such as `POST /v1/{project_id}/...` found: the page's URI section \
             is missing or in a layout this tool does not read"
                .into(),
        ));
    };
    if rows.is_empty() && responses.is_empty() {
        return Err(err(
            "Request parameters",
            "no parameter or field tables found: the tables are in a layout this tool does not read".into(),
        ));
    }

    let example_request = parse_example_request(&request_text, &mut quirks);
    if let Some(ex) = &example_request
        && let Some(m) = &ex.method
        && !m.eq_ignore_ascii_case(&method)
    {
        quirks.push(format!(
            "the example request uses {m}, the request line says {method}; {method} is used"
        ));
    }
    let mut example_responses = BTreeMap::new();
    for (code, text) in &response_text {
        match first_json(text) {
            Some(Ok(v)) => {
                example_responses.insert(code.clone(), v);
            }
            Some(Err(e)) => {
                return Err(err(
                    "Response example",
                    format!("the example response for {code} is not valid JSON: {e}"),
                ));
            }
            None => {}
        }
    }

    // Settle locations: a table that mixes path, query and body (OceanBase) is split by the
    // path's placeholders and the example URL's query.
    let placeholders = placeholders(&path);
    let example_query: Vec<String> = example_request
        .as_ref()
        .and_then(|e| e.url.as_deref())
        .map(query_names)
        .unwrap_or_default();
    let has_body = !matches!(method.as_str(), "GET" | "DELETE" | "HEAD");
    let mut params = Vec::new();
    for row in rows {
        let name = row.field.name.clone();
        let location = match row.location {
            Some(Location::Path) | None if placeholders.contains(&name) => Location::Path,
            Some(l) => l,
            None => {
                if let Some(p) = placeholders
                    .iter()
                    .find(|p| near_name(p, &name) && !has_row_named(&params, p))
                {
                    quirks.push(format!(
                        "the path writes {{{p}}} where the parameter table says {name}; {name} is used"
                    ));
                    Location::Path
                } else if example_query.contains(&name) {
                    Location::Query
                } else if looks_like_header(&name) {
                    Location::Header
                } else if has_body {
                    Location::Body
                } else {
                    Location::Query
                }
            }
        };
        params.push(DocParam {
            location,
            field: row.field,
        });
    }
    // Headers a curl example sets are documented too (OceanBase's X-Ob-Project-Id).
    if let Some(ex) = &example_request {
        for name in ex.headers.keys() {
            let lower = name.to_ascii_lowercase();
            if lower == "content-type" || lower == "accept" {
                continue;
            }
            if !params
                .iter()
                .any(|p| p.location == Location::Header && p.field.name.eq_ignore_ascii_case(name))
            {
                params.push(DocParam {
                    location: Location::Header,
                    field: DocField {
                        name: name.clone(),
                        doc_type: "String".into(),
                        ty: "string".into(),
                        description: "set in the example request".into(),
                        ..DocField::default()
                    },
                });
            }
        }
    }

    Ok(DocumentedOperation {
        layout,
        updated,
        method,
        path,
        params,
        responses,
        status_codes,
        example_request,
        example_responses,
        quirks,
    })
}

fn has_row_named(params: &[DocParam], name: &str) -> bool {
    params.iter().any(|p| p.field.name == name)
}

/// `tenantsId` and `tenantId`: the same name but for a letter, as page typos go.
pub(crate) fn near_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    if a == b {
        return true;
    }
    let (long, short) = if a.len() > b.len() { (a, b) } else { (b, a) };
    if long.len() != short.len() + 1 {
        return false;
    }
    (0..long.len()).any(|i| {
        long.is_char_boundary(i)
            && long.is_char_boundary(i + 1)
            && format!("{}{}", &long[..i], &long[i + 1..]) == short
    })
}

fn looks_like_header(name: &str) -> bool {
    name.starts_with("X-")
        || (name.contains('-')
            && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && !name.contains('.'))
}

/// The placeholders of a path: `/a/{id}/b` → `id`.
pub fn placeholders(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + end].to_owned());
        rest = &rest[start + end + 1..];
    }
    out
}

fn query_names(url: &str) -> Vec<String> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter_map(|kv| kv.split('=').next())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// `POST /v1/{project_id}/x` (or with a full URL) → method and path.
fn request_line(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    let (method, rest) = t.split_once(' ')?;
    if !METHODS.contains(&method) {
        return None;
    }
    let target = rest.split_whitespace().next()?;
    let path = match target.find("://") {
        Some(i) => {
            let after = &target[i + 3..];
            after.find('/').map(|j| &after[j..]).unwrap_or("/")
        }
        None => target,
    };
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split('?').next().unwrap_or(path);
    Some((method.to_owned(), path.to_owned()))
}

fn updated_date(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    // OceanBase's rendered pages: `2025-11-26 03:33:16  Updated`.
    if lower.trim_end().ends_with(" updated") {
        let date: String = text
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        if date.len() == 10 {
            return Some(date);
        }
    }
    let i = lower
        .find("last updated:")
        .map(|i| i + "last updated:".len())
        .or_else(|| lower.find("updated on:").map(|i| i + "updated on:".len()))?;
    let rest = text[i..].trim_start();
    let date: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    (date.len() >= 8).then_some(date)
}

/// The first JSON value in a text, if any.
///
/// Placeholders such as `{project_id}` in a request line come before the body, so each `{` or
/// `[` is tried in turn; the error of the first candidate is kept for the message.
fn first_json(text: &str) -> Option<Result<Value, serde_json::Error>> {
    let mut first_error = None;
    for (start, _) in text.match_indices(['{', '[']) {
        let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) if v.is_object() || v.is_array() => return Some(Ok(v)),
            Some(Err(e)) if first_error.is_none() => first_error = Some(e),
            _ => {}
        }
    }
    first_error.map(Err)
}

fn parse_example_request(text: &str, quirks: &mut Vec<String>) -> Option<ExampleRequest> {
    if text.trim().is_empty() {
        return None;
    }
    let mut ex = ExampleRequest::default();
    if let Some(start) = text.find("curl ") {
        // The command runs to the first line that does not end in a backslash.
        let mut cmd = String::new();
        let mut lines = text[start..].lines();
        for line in lines.by_ref() {
            let l = line.trim();
            cmd.push_str(l.trim_end_matches('\\').trim_end());
            cmd.push(' ');
            if !l.ends_with('\\') {
                break;
            }
        }
        // A continuation backslash lost in the page leaves the URL on the next line.
        if !cmd.contains("http")
            && let Some(next) = lines.next().map(str::trim)
            && next.trim_start_matches('\'').starts_with("http")
        {
            quirks.push(
                "the curl example lost a line-continuation backslash; its next line is read as its URL"
                    .into(),
            );
            cmd.push_str(next);
        }
        let words = shell_words(&cmd);
        let mut i = 0;
        while i < words.len() {
            let w = words[i].as_str();
            let next = words.get(i + 1).cloned();
            match w {
                "--request" | "-X" => {
                    ex.method = next;
                    i += 1;
                }
                "-H" | "--header" => {
                    if let Some((k, v)) = next.as_deref().and_then(|h| h.split_once(':')) {
                        ex.headers.insert(k.trim().to_owned(), v.trim().to_owned());
                    }
                    i += 1;
                }
                "--data" | "-d" | "--data-raw" => {
                    // `--data \ '{...}'`: a stray backslash before the body.
                    let (body, skip) = match next.as_deref() {
                        Some("\\") => (words.get(i + 2).cloned(), 2),
                        _ => (next, 1),
                    };
                    ex.body = body.and_then(|d| serde_json::from_str(&d).ok());
                    i += skip;
                }
                "-u" | "--user" => i += 1,
                "--url" => {
                    ex.url = next;
                    i += 1;
                }
                _ if w.starts_with("http://") || w.starts_with("https://") => {
                    ex.url = Some(w.to_owned());
                }
                _ => {}
            }
            i += 1;
        }
        ex.curl = Some(cmd.trim().to_owned());
        if ex.method.is_none() {
            ex.method = Some(if ex.body.is_some() { "POST" } else { "GET" }.into());
        }
    } else {
        for line in text.lines() {
            let t = line.trim();
            if let Some((m, rest)) = t.split_once(' ')
                && METHODS.contains(&m)
            {
                ex.method = Some(m.to_owned());
                ex.url = rest.split_whitespace().next().map(str::to_owned);
                break;
            }
        }
        if let Some(Ok(v)) = first_json(text) {
            ex.body = Some(v);
        }
    }
    Some(ex)
}

/// Splits a shell command line into words, honouring single and double quotes.
fn shell_words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in cmd.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Reads a parameter table's rows into fields, by its header names.
fn fields_of(table: &Table) -> Result<Vec<DocField>, String> {
    let col = |names: &[&str]| {
        table.header.iter().position(|h| {
            let h = h.trim().to_ascii_lowercase();
            names.iter().any(|n| h == *n)
        })
    };
    let name_col = col(&["parameter", "name", "field", "param"]).ok_or_else(|| {
        format!(
            "a table with the columns {:?} has no Parameter or Name column",
            table.header
        )
    })?;
    let type_col = col(&["type", "data type"]);
    let req_col = col(&["mandatory", "required"]);
    let desc_col = col(&["description"]);
    let ex_col = col(&["example value", "example", "sample value"]);
    let mut out = Vec::new();
    for row in &table.rows {
        let cell = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(|c| c.trim().to_owned())
                .unwrap_or_default()
        };
        let name = cell(Some(name_col));
        if name.is_empty() {
            continue;
        }
        let doc_type = cell(type_col);
        let required = req_col.map(|_| {
            let r = cell(req_col).to_ascii_lowercase();
            r == "yes" || r == "true" || r == "mandatory"
        });
        let description = cell(desc_col);
        let example = Some(cell(ex_col)).filter(|e| !e.is_empty());
        let mut field = DocField {
            name,
            ty: normalize_type(&doc_type),
            doc_type,
            required,
            example,
            ..DocField::default()
        };
        describe(&description, &mut field);
        field.description = description;
        out.push(field);
    }
    Ok(out)
}

/// A page type in the comparable form.
pub fn normalize_type(doc_type: &str) -> String {
    let t = doc_type.trim();
    let lower = t.to_ascii_lowercase();
    if let Some(inner) = lower.strip_prefix("array of ") {
        let inner = inner.trim_end_matches('s');
        let item = if inner.ends_with(" object") || inner == "object" {
            "object".to_owned()
        } else {
            normalize_type(inner)
        };
        return format!("array<{item}>");
    }
    if lower.starts_with("list<") || lower.ends_with("[]") {
        return "array".into();
    }
    if let Some(format) = lower
        .strip_prefix("integer[")
        .and_then(|f| f.strip_suffix(']'))
    {
        return format!("integer({format})");
    }
    match lower.as_str() {
        "string" | "str" => "string".into(),
        "integer" | "int" | "int32" => "integer(int32)".into(),
        "long" | "int64" => "integer(int64)".into(),
        "boolean" | "bool" => "boolean".into(),
        "number" | "float" | "double" | "bigdecimal" => "number".into(),
        "object" | "map" => "object".into(),
        "" => String::new(),
        _ if lower.ends_with(" object") || lower.starts_with("map<") => "object".into(),
        _ => lower,
    }
}

/// The labels Huawei writes inside description cells, across regions and years.
const LABELS: [(&str, &str); 10] = [
    ("default value:", "default"),
    ("default value", "default"),
    ("value range:", "range"),
    ("value range", "range"),
    ("values:", "range"),
    ("range:", "range"),
    ("range", "range"),
    ("constraints:", "constraints"),
    ("constraints", "constraints"),
    ("values", "range"),
];

/// Phrases that introduce a list of values.
const ENUM_INTROS: [&str; 6] = [
    "valid values:",
    "the enumerated values are:",
    "the options are:",
    "value range:",
    "enumerated values:",
    "options:",
];

/// Reads enumerated values, range and default out of a description.
fn describe(description: &str, field: &mut DocField) {
    // Bulleted list items: `• value: meaning` or `• value`.
    let mut bullets = Vec::new();
    for part in description.split('•').skip(1) {
        let item = part.trim();
        let item = item
            .split(" Default value")
            .next()
            .and_then(|i| i.split(" Default Value").next())
            .unwrap_or(item)
            .trim();
        let value = item.split(':').next().unwrap_or(item).trim();
        if !value.is_empty() && !value.contains(' ') {
            bullets.push(value.to_owned());
        }
    }
    let lower = description.to_ascii_lowercase();
    let intro = ENUM_INTROS
        .iter()
        .filter_map(|p| lower.find(p).map(|i| (i, *p)))
        .min();
    if !bullets.is_empty() {
        field.enum_values = bullets;
    } else if let Some((i, phrase)) = intro {
        // Nothing after the phrase but another label: the list was lost in capture.
        let after = lower[i + phrase.len()..].trim();
        let lost = after.is_empty()
            || LABELS
                .iter()
                .any(|(l, kind)| *kind == "default" && after.starts_with(l));
        field.enum_lost = lost;
    }
    let mut sections: Vec<(usize, usize, &str)> = Vec::new();
    for (label, kind) in LABELS {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(label) {
            let at = from + pos;
            let word_start = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphabetic();
            let end = at + label.len();
            let word_end = end >= lower.len() || !lower.as_bytes()[end].is_ascii_alphabetic();
            if word_start
                && word_end
                && !sections.iter().any(|(s, e, _)| at < *e && end > *s)
                && description[at..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase())
            {
                sections.push((at, end, kind));
            }
            from = end;
        }
    }
    sections.sort();
    if !sections.iter().any(|(.., kind)| *kind == "default") && lower.contains("default value is ")
    {
        field.default = default_value(&description[lower.find("default value is ").unwrap_or(0)..]);
    }
    for (idx, (_, end, kind)) in sections.iter().enumerate() {
        let stop = sections
            .get(idx + 1)
            .map(|(s, ..)| *s)
            .unwrap_or(description.len());
        let value = description[*end..stop]
            .trim()
            .trim_start_matches(':')
            .trim();
        let value = value.split('•').next().unwrap_or(value).trim();
        if value.is_empty() || value.eq_ignore_ascii_case("n/a") {
            continue;
        }
        match *kind {
            "range" if field.range.is_none() => {
                if value
                    .to_ascii_lowercase()
                    .starts_with("the enumerated values")
                {
                    continue;
                }
                field.range = Some(value.to_owned());
                if let Some((lo, hi)) = numeric_range(value) {
                    field.minimum = Some(lo);
                    field.maximum = Some(hi);
                }
            }
            "default" if field.default.is_none() => {
                field.default = default_value(value);
            }
            _ => {}
        }
    }
}

/// `0-1000`, `[1,65536]`, `1~100` → bounds.
fn numeric_range(text: &str) -> Option<(f64, f64)> {
    let t = text
        .trim()
        .trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']');
    let (lo, hi) = t
        .split_once(',')
        .or_else(|| t.split_once('~'))
        .or_else(|| t.split_once('-'))?;
    Some((lo.trim().parse().ok()?, hi.trim().parse().ok()?))
}

/// `0` → `0`; `The default value is 10, indicating ...` → `10`.
fn default_value(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let candidate = match lower.find("default value is ") {
        Some(i) => &text[i + "default value is ".len()..],
        None => text,
    };
    let word = candidate
        .split_whitespace()
        .next()?
        .trim_end_matches([',', '.', ';']);
    let simple = word.parse::<f64>().is_ok() || word == "true" || word == "false";
    simple.then(|| word.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ranges_and_defaults_in_both_label_styles() {
        let mut f = DocField::default();
        describe(
            "Definition: Start value. Constraints: N/A Value range: 0-1000 Default value: 0",
            &mut f,
        );
        assert_eq!(
            (f.minimum, f.maximum, f.default.as_deref()),
            (Some(0.0), Some(1000.0), Some("0"))
        );
        let mut f = DocField::default();
        describe(
            "Definition Port Constraints N/A Range [1,65536] Default Value N/A",
            &mut f,
        );
        assert_eq!(
            (f.minimum, f.maximum, f.default),
            (Some(1.0), Some(65536.0), None)
        );
        let mut f = DocField::default();
        describe(
            "Explanation Type. Constraints N/A Values The enumerated values are: Default value N/A",
            &mut f,
        );
        assert!(f.enum_lost);
    }

    #[test]
    fn near_names_are_one_letter_apart() {
        assert!(near_name("tenantsId", "tenantId"));
        assert!(!near_name("tenantId", "instanceId"));
    }
}
