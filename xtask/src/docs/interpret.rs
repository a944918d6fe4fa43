//! Turning a page's blocks into the documented operation, the same way for every layout:
//! sections by their headings, tables by their captions or position, locations of a mixed
//! parameter table by the path and the example URL, examples, and the page's quirks.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    Block, Cut, DocField, DocParam, DocumentedOperation, ExampleRequest, Layout, Location,
    PageError, Part, cells::fields_of,
};

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
    fn push_refs(&mut self, fields: &[DocField]) {
        for f in fields {
            if let Some(obj) = object_name(&f.doc_type) {
                self.0.push((obj, f.name.clone()));
            }
        }
    }

    /// The fields of a sub-table under `prefix` (`connections.id`); the objects they refer to
    /// wait in turn.
    fn nest(&mut self, prefix: &str, fields: Vec<DocField>) -> Vec<DocField> {
        let nested: Vec<DocField> = fields
            .into_iter()
            .map(|f| DocField {
                name: format!("{prefix}.{}", f.name),
                ..f
            })
            .collect();
        self.push_refs(&nested);
        nested
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
pub(crate) fn object_name(doc_type: &str) -> Option<String> {
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
    // How far the page goes: the furthest part reached, where (heading and table caption), and
    // whether the closing sections were seen.
    let mut reached = Part::Intro;
    let mut place = String::from("the page's introduction");
    let mut status_table_seen = false;
    let mut closed = false;

    for block in blocks {
        match block {
            Block::Heading(h) => {
                heading = h.trim().to_owned();
                let kind = heading_kind(h).unwrap_or("other");
                let lower = heading.to_ascii_lowercase();
                if matches!(
                    lower.as_str(),
                    "error codes"
                        | "returned values"
                        | "feedback"
                        | "previous topic"
                        | "next topic"
                ) || (status_table_seen && kind != "status codes")
                {
                    closed = true;
                }
                let part = match kind {
                    "uri" | "request" | "request path" => Some(Part::Path),
                    "request query" => Some(Part::Query),
                    "request header" => Some(Part::Header),
                    "request body" => Some(Part::Body),
                    "response" => Some(Part::Response),
                    "example request" => Some(Part::ExampleRequest),
                    "example response" => Some(Part::ExampleResponse),
                    "status codes" => Some(Part::StatusCodes),
                    _ => None,
                };
                // A part the page goes back to (a cell that reads like a heading) does not move
                // where the page has got to.
                if let Some(part) = part
                    && part >= reached
                {
                    reached = part;
                    place = heading.clone();
                }
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
            // Code (HTML `<pre>`) is only ever an example.
            Block::Text(t) | Block::Code(t) => {
                let is_text = matches!(block, Block::Text(_));
                if is_text && updated.is_none() {
                    updated = updated_date(t);
                }
                match section {
                    Section::Uri | Section::Intro if is_text && method_path.is_none() => {
                        method_path = request_line(t);
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
            Block::Table(table) => {
                let caption = table.caption.as_deref();
                if let Some(c) = caption {
                    place = format!("{heading} (table {c})");
                }
                if let Some(part) = caption.and_then(location_of_caption).map(Part::of_location) {
                    reached = reached.max(part);
                }
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
                            reached = reached.max(Part::Body);
                            let prefix = request_pending.take(caption).unwrap_or_default();
                            let nested = request_pending.nest(&prefix, fields);
                            rows.extend(nested.into_iter().map(|f| Row {
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
                            if let Some(l) = location {
                                reached = reached.max(Part::of_location(l));
                            }
                            if location != Some(Location::Header) {
                                request_top_seen = true;
                                request_pending.push_refs(&fields);
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
                            response_pending.push_refs(&fields);
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
                            let nested = response_pending.nest(&prefix, fields);
                            responses.entry(code).or_default().extend(nested);
                        }
                    }
                    Section::StatusCodes => {
                        status_table_seen = true;
                        for row in &table.rows {
                            let code = row.first().map(|c| c.trim().to_owned()).unwrap_or_default();
                            let code = code.to_ascii_uppercase();
                            if code.is_empty()
                                || !code.chars().all(|c| c.is_ascii_digit() || c == 'X')
                                || !code.starts_with(|c: char| c.is_ascii_digit())
                            {
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

    let example_request = parse_example_request(&request_text, &mut quirks).map_err(|e| {
        err(
            "Request example",
            format!("the example request's body is not valid JSON: {e}"),
        )
    })?;
    if let Some(ex) = &example_request
        && let Some(m) = &ex.method
        && !m.eq_ignore_ascii_case(&method)
    {
        quirks.push(format!(
            "the example request uses {m}, the request line says {method}; {method} is used"
        ));
    }
    let mut example_responses = BTreeMap::new();
    let mut example_cut = false;
    for (code, text) in &response_text {
        match first_json(text) {
            Some(Ok(v)) => {
                example_responses.insert(code.clone(), v);
            }
            // A body that runs to the end of the capture: the capture stops inside it.
            Some(Err(e)) if e.is_eof() => example_cut = true,
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
                if let Some(p) = placeholders.iter().find(|p| {
                    near_name(p, &name) && !params.iter().any(|r: &DocParam| r.field.name == **p)
                }) {
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

    // A Huawei page closes with its status codes and the sections after them; an OceanBase
    // page with its response example.
    let complete = if layout.lists_status_codes() {
        closed && !example_cut
    } else {
        !example_responses.is_empty() && !example_cut
    };
    let ends_in = (!complete).then(|| Cut {
        section: place,
        part: reached.max(Part::Path),
    });

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
        ends_in,
        source: None,
    })
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
        .or_else(|| lower.find("updated on:").map(|i| i + "updated on:".len()))
        .or_else(|| {
            lower
                .starts_with("updated on ")
                .then_some("updated on ".len())
        })?;
    let rest = text[i..].trim_start();
    let date: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    (date.len() >= 8).then_some(date)
}

/// The first JSON value in a text, if any.
///
/// Placeholders such as `{project_id}` in a request line come before the body: a `{` or `[`
/// whose JSON fails at the first thing after the bracket is not a value, and the next one is
/// tried. A candidate that runs to the end of the text is a body the capture stops inside: its
/// end-of-input error is returned (and not an inner value of it, which would read as a
/// shorter example). A candidate that fails further in is an invalid body: its error is
/// returned.
fn first_json(text: &str) -> Option<Result<Value, serde_json::Error>> {
    for (start, _) in text.match_indices(['{', '[']) {
        let rest = text.get(start..).unwrap_or_default();
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) if v.is_object() || v.is_array() => return Some(Ok(v)),
            Some(Err(e)) if e.is_eof() || !fails_at_first_token(rest, &e) => return Some(Err(e)),
            _ => {}
        }
    }
    None
}

/// Whether a JSON error in `text` (which starts with `{` or `[`) lies in the first word after
/// the bracket (`{project_id}`, `[for details...`): the text is no JSON value at all there.
fn fails_at_first_token(text: &str, e: &serde_json::Error) -> bool {
    // serde_json counts lines from 1, and columns in bytes: the column is the failing byte's
    // offset from the line's start plus one.
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let at = line_start + e.column().saturating_sub(1);
    let after_bracket = text.get(1..).unwrap_or_default();
    let word = after_bracket.trim_start();
    let word_start = 1 + (after_bracket.len() - word.len());
    let word_len = word
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | ']' | '}' | '"'))
        .unwrap_or(word.len());
    at <= word_start + word_len
}

/// The example request; an error when its body looks like JSON (a `{` or `[`) and is not: the
/// page shows an example, and reading none would report it as absent.
fn parse_example_request(
    text: &str,
    quirks: &mut Vec<String>,
) -> Result<Option<ExampleRequest>, serde_json::Error> {
    if text.trim().is_empty() {
        return Ok(None);
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
                    ex.body = match body {
                        Some(d) if d.trim_start().starts_with(['{', '[']) => {
                            match serde_json::from_str(&d) {
                                Ok(v) => Some(v),
                                // The capture stops inside the command: its end says so.
                                Err(e) if e.is_eof() => None,
                                Err(e) => return Err(e),
                            }
                        }
                        _ => None,
                    };
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
        match first_json(text) {
            Some(Ok(v)) => ex.body = Some(v),
            // A body that runs to the end of the section: the capture stops inside it, and
            // the page's end is reported as where it stops.
            Some(Err(e)) if e.is_eof() => {}
            Some(Err(e)) => return Err(e),
            None => {}
        }
    }
    Ok(Some(ex))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_body_cut_at_the_end_is_a_cut_not_its_inner_value() {
        let cut = "Status code: 200\n{\n  \"Data\": [{\"Success\": true}],\n  \"Request";
        assert!(first_json(cut).is_some_and(|r| r.is_err_and(|e| e.is_eof())));
        // Placeholders and bracketed words before the body are skipped.
        let text = "POST /v1/{project_id}/x [for details see below]\n{\"a\": [1]}";
        assert_eq!(
            first_json(text).and_then(Result::ok),
            Some(serde_json::json!({"a": [1]}))
        );
        // A body broken further in is an invalid body, not the next value inside it.
        let broken = "{\n  \"a\": {\"b\": 1},\n  oops\n}";
        assert!(first_json(broken).is_some_and(|r| r.is_err_and(|e| e.is_syntax())));
        assert!(first_json("no body {here} [at all]").is_none());
    }

    #[test]
    fn near_names_are_one_letter_apart() {
        assert!(near_name("tenantsId", "tenantId"));
        assert!(!near_name("tenantId", "instanceId"));
    }
}
