//! `cargo xtask docs`: reading the vendors' documentation pages into one model of the documented
//! operation, and comparing that model with the specs.
//!
//! A page comes in one of several layouts (see the modules below). Each layout module only cuts
//! its page into [`Block`]s (headings, text, tables, code); [`interpret`] turns blocks into a
//! [`DocumentedOperation`], the same way for every layout. The parsers are pure: they take the
//! page's text and do no I/O.

mod cells;
pub mod compare;
pub mod fetch;
pub mod huawei_html;
pub mod huawei_rendered;
pub mod huawei_text;
mod interpret;
pub mod locate;
pub mod oceanbase_markdown;
pub mod oceanbase_text;
pub mod provenance;
pub mod run;
pub mod scaffold;

use std::{collections::BTreeMap, fmt};

pub use cells::normalize_type;
pub(crate) use interpret::{heading_kind, near_name, object_name};
pub use interpret::{interpret, placeholders};

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
    /// Huawei pages saved as text from the rendered site: a breadcrumb, `Table N` captions and
    /// one cell per paragraph.
    HuaweiRendered,
}

impl Layout {
    /// Whether pages in this layout end with a status code table (Huawei's do; OceanBase's end
    /// with the response example and list no status codes).
    pub fn lists_status_codes(self) -> bool {
        !matches!(self, Layout::OceanbaseMarkdown | Layout::OceanbaseText)
    }
}

/// The parts of a page, in the order the vendors' pages give them. A capture that stops short
/// stops in one of them: what the spec says about that part and the later ones is unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    /// Before the request line.
    #[default]
    Intro,
    /// Path parameters (and a table that mixes locations).
    Path,
    /// Query parameters.
    Query,
    /// Request headers.
    Header,
    /// The request body.
    Body,
    /// The response fields.
    Response,
    /// The example request.
    ExampleRequest,
    /// The example responses.
    ExampleResponse,
    /// The status code table.
    StatusCodes,
}

impl Part {
    /// The part a parameter location belongs to.
    pub fn of_location(location: Location) -> Part {
        match location {
            Location::Path => Part::Path,
            Location::Query => Part::Query,
            Location::Header => Part::Header,
            Location::Body => Part::Body,
        }
    }
}

/// Where a capture stops before the page's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cut {
    /// The section (and table) the capture ends in, as the page names them.
    pub section: String,
    /// The part of the operation it ends in.
    pub part: Part,
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

impl Block {
    /// A line or paragraph: a heading when it reads as a section heading, else text.
    fn line(text: String) -> Block {
        if heading_kind(&text).is_some() {
            Block::Heading(text)
        } else {
            Block::Text(text)
        }
    }
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
    /// Where the capture stops short of the page's end (the closing sections are absent: for
    /// Huawei pages the status codes and what follows them, for OceanBase pages the response
    /// example); `None` when the page reads to its end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_in: Option<Cut>,
    /// The URL the capture's own `# source:` line names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    if huawei_rendered::looks_rendered(text) {
        return Some(Layout::HuaweiRendered);
    }
    if lines
        .iter()
        .any(|l| oceanbase_text::header_columns(l).is_some())
    {
        return Some(Layout::OceanbaseText);
    }
    None
}

/// Splits off the lines a stored capture starts with (`# source: URL (...)`, `# complete: ...`):
/// they describe the capture and are not part of the page. Returns the source URL and the page.
pub fn capture_header(text: &str) -> (Option<String>, &str) {
    let mut rest = text;
    let mut source = None;
    loop {
        let line_end = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
        let line = rest[..line_end].trim();
        if let Some(url) = line.strip_prefix("# source:") {
            source = url.split_whitespace().next().map(str::to_owned);
        } else if !line.starts_with("# complete:") {
            return (source, rest);
        }
        rest = &rest[line_end..];
    }
}

/// Reads a page: detects its layout, cuts it into blocks and interprets them.
pub fn parse(file: &str, text: &str) -> Result<DocumentedOperation, PageError> {
    let (source, text) = capture_header(text);
    let layout = detect_layout(text).ok_or_else(|| PageError {
        file: file.into(),
        section: "page".into(),
        message: "no parameter table in a layout this tool reads (markdown pipe tables, OceanBase \
                  rendered text, Huawei one-cell-per-line text, Huawei rendered text with `Table N` \
                  captions or Huawei HTML): save the page \
                  again, as HTML or as the text the browser copies"
            .into(),
    })?;
    let blocks = match layout {
        Layout::OceanbaseMarkdown => oceanbase_markdown::blocks(text),
        Layout::OceanbaseText => oceanbase_text::blocks(text),
        Layout::HuaweiText => huawei_text::blocks(file, text)?,
        Layout::HuaweiHtml => huawei_html::blocks(text),
        Layout::HuaweiRendered => huawei_rendered::blocks(text),
    };
    let mut page = interpret(file, layout, &blocks)?;
    page.source = source;
    Ok(page)
}
