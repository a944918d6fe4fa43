//! The `cargo xtask docs` commands over the repository: which page belongs to which spec
//! (`specs/<api>/pages/pages.toml`), and `check` / `diff` with their exit codes.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use serde::Deserialize;
use serde_json::Value;

use super::{
    DocumentedOperation, PageError,
    compare::{SOURCE, Side, SpecDocs, compare, page_side, spec_side_of},
    provenance::{self, Context},
};
use crate::spec::{escape, file_name, parse_yaml, settings::setting_line};

/// The file that lists an API's pages.
pub const PAGES_FILE: &str = "pages/pages.toml";

/// One entry of `pages.toml`: the operation's page, or why there is none, and the other public
/// sources the spec's facts rest on where the page does not reach.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PageEntry {
    /// The page file, relative to `pages/` (absent when no page is stored).
    pub file: Option<String>,
    /// Where the page is published (the spec's `externalDocs.url`).
    pub url: Option<String>,
    /// When it was captured (YYYY-MM-DD).
    pub captured: Option<String>,
    /// The capture stops before the page's end; where, in words.
    pub partial: Option<String>,
    /// No page is stored: why (what was searched).
    pub missing: Option<String>,
    /// Other public sources, by the key an `x-source` names.
    pub sources: BTreeMap<String, SourceEntry>,
}

/// A public source besides the page: a file of a public repository (`repo` and `path`), or a
/// stored capture of a web page (`url` and `captured`), such as another language edition or an
/// older version of the vendor's page.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SourceEntry {
    /// `owner/name` on GitHub.
    pub repo: Option<String>,
    /// The file's path in the repository.
    pub path: Option<String>,
    /// The file's date or snapshot, when known.
    pub date: Option<String>,
    /// The address of the captured page.
    pub url: Option<String>,
    /// The date the capture shows (YYYY-MM-DD).
    pub captured: Option<String>,
}

impl SourceEntry {
    /// What is wrong with the entry, if anything: each message says what to write.
    fn problem(&self) -> Option<String> {
        let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        let file = given(&self.repo) || given(&self.path);
        let page = given(&self.url) || given(&self.captured);
        if file && page {
            return Some(
                "mixes a repository file (`repo`, `path`) with a page capture (`url`, \
                 `captured`): keep one form, or split it into two sources"
                    .into(),
            );
        }
        if page {
            if !given(&self.url) {
                return Some("has `captured` but no `url`: add the captured page's address".into());
            }
            let url = self.url.as_deref().unwrap_or_default();
            if let Some(why) = placeholder_url(url) {
                return Some(format!(
                    "url = {url:?}: {why}; write the address of the captured page (https://...)"
                ));
            }
            return match self.captured.as_deref() {
                Some(date) if is_date(date) => None,
                Some(date) => Some(format!(
                    "captured = {date:?} is not a date: write YYYY-MM-DD"
                )),
                None => Some(
                    "has `url` but no `captured`: add `captured = \"YYYY-MM-DD\"`, the date the \
                     capture shows"
                        .into(),
                ),
            };
        }
        if given(&self.repo) && given(&self.path) {
            return None;
        }
        Some(
            "needs `repo` (owner/name) and `path` for a repository file, or `url` and \
             `captured` (YYYY-MM-DD) for a stored capture of a web page"
                .into(),
        )
    }
}

/// A page of the repository: API, operation and entry.
#[derive(Debug, Clone)]
pub struct Page {
    /// Folder under `specs/`.
    pub api: String,
    /// Operation name (`ConnectPrivatelinkService`).
    pub operation: String,
    /// The `pages.toml` entry.
    pub entry: PageEntry,
    /// The page file's path.
    pub path: PathBuf,
}

impl Page {
    /// The page file's name as `pages.toml` gives it.
    pub fn file(&self) -> &str {
        self.entry.file.as_deref().unwrap_or_default()
    }
}

/// Why a check could not be made.
#[derive(Debug)]
pub enum Unreadable {
    /// The page could not be read into the model.
    Page(PageError),
    /// A spec, `pages.toml` or a file is missing or wrong.
    Setup(String),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Page(e) => write!(f, "{e}"),
            Unreadable::Setup(m) => f.write_str(m),
        }
    }
}

/// The API folders under `specs/` (not `vendors/`), sorted.
fn api_dirs(root: &Path) -> Result<Vec<PathBuf>, Unreadable> {
    crate::spec::api_dirs(root).map_err(|e| {
        Unreadable::Setup(format!("cannot read {}: {e}", root.join("specs").display()))
    })
}

/// The operation documents of an API folder (`<Operation>.yaml` but `_common.yaml`), sorted.
fn operations(dir: &Path) -> Vec<String> {
    let mut ops: Vec<String> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|s| format!("{s}.yaml") != crate::spec::COMMON_FILE)
        .collect();
    ops.sort();
    ops
}

/// The entries of an API's `pages.toml` by operation, and the file's text (for line numbers).
type Entries = (BTreeMap<String, PageEntry>, String);

/// The entries of one API's `pages.toml` with its text (for line numbers); `None` when the API
/// has no such file.
fn entries(dir: &Path, api: &str) -> Result<Option<Entries>, Unreadable> {
    let list = dir.join(PAGES_FILE);
    let Ok(text) = fs::read_to_string(&list) else {
        return Ok(None);
    };
    let entries: BTreeMap<String, PageEntry> = toml::from_str(&text).map_err(|e| {
        let line = crate::spec::toml_error_line(&text, &e)
            .map(|l| format!(":{l}"))
            .unwrap_or_default();
        Unreadable::Setup(format!(
            "specs/{api}/{PAGES_FILE}{line}: {} (an entry has file, url, captured, and partial \
             when the capture is cut; or missing, url and sources when no page is stored)",
            e.message().trim()
        ))
    })?;
    Ok(Some((entries, text)))
}

/// Every stored page listed in `specs/*/pages/pages.toml` (entries with a `file`), sorted.
pub fn pages(root: &Path) -> Result<Vec<Page>, Unreadable> {
    let mut out = Vec::new();
    for dir in api_dirs(root)? {
        let api = file_name(&dir);
        let Some((list, text)) = entries(&dir, &api)? else {
            continue;
        };
        for (operation, entry) in list {
            let Some(file) = &entry.file else { continue };
            if let Some(why) = file_name_problem(file) {
                return Err(Unreadable::Setup(file_name_error(
                    &api, &operation, file, why, &text,
                )));
            }
            let path = dir.join("pages").join(file);
            out.push(Page {
                api: api.clone(),
                operation,
                entry,
                path,
            });
        }
    }
    Ok(out)
}

/// Reads and parses a page file.
pub fn read_page(path: &Path) -> Result<DocumentedOperation, Unreadable> {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = fs::read_to_string(path)
        .map_err(|e| Unreadable::Setup(format!("{name}: cannot read: {e}")))?;
    super::parse(&name, &text).map_err(Unreadable::Page)
}

fn read_yaml(path: &Path) -> Result<Value, Unreadable> {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = fs::read_to_string(path)
        .map_err(|e| Unreadable::Setup(format!("{name}: cannot read: {e}")))?;
    parse_yaml(&name, &text).map_err(|e| Unreadable::Setup(e.to_string()))
}

/// The spec side of an operation: its facts, its document (with text) and `_common.yaml`.
struct SpecSide {
    side: Side,
    op: Value,
    op_text: String,
    common: Option<(Value, String)>,
}

/// Loads `specs/<api>/`: the model through which the spec side's references are followed.
fn load(root: &Path, api: &str) -> Result<crate::spec::LoadedApi, Unreadable> {
    crate::spec::load_api(root, &root.join("specs").join(api)).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Unreadable::Setup(lines.join("\n"))
    })
}

fn read_spec_side(
    root: &Path,
    loaded: &crate::spec::LoadedApi,
    api: &str,
    operation: &str,
) -> Result<SpecSide, Unreadable> {
    let dir = root.join("specs").join(api);
    let op_path = dir.join(format!("{operation}.yaml"));
    let op_text = fs::read_to_string(&op_path).map_err(|e| {
        Unreadable::Setup(format!("specs/{api}/{operation}.yaml: cannot read: {e}"))
    })?;
    let op = read_yaml(&op_path)?;
    let common_path = dir.join(crate::spec::COMMON_FILE);
    let common = if common_path.exists() {
        let text = fs::read_to_string(&common_path).unwrap_or_default();
        Some((read_yaml(&common_path)?, text))
    } else {
        None
    };
    let docs = SpecDocs {
        op: &op,
        api: loaded,
    };
    let side = spec_side_of(&docs)
        .map_err(|e| Unreadable::Setup(format!("specs/{api}/{operation}.yaml: {e}")))?;
    Ok(SpecSide {
        side,
        op,
        op_text,
        common,
    })
}

/// What a command found: lines to print and the exit code (0 agree, 1 drift, 2 unreadable).
#[derive(Debug, Default)]
pub struct Report {
    /// One line per finding.
    pub findings: Vec<String>,
    /// Pages or specs that could not be read.
    pub errors: Vec<String>,
    /// One line per operation checked: how many facts the page confirms and how many rest on
    /// each other source. Printed, never a reason to fail.
    pub summary: Vec<String>,
}

impl Report {
    /// A report of one error.
    pub(crate) fn failed(error: impl ToString) -> Report {
        Report {
            errors: vec![error.to_string()],
            ..Report::default()
        }
    }

    /// 0 when everything agrees, 1 on drift, 2 when something could not be read.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if !self.findings.is_empty() {
            1
        } else {
            0
        }
    }
}

/// `specs/<api>/pages/pages.toml:<line>`: the line of `key = ...` in the `[<operation>]` table,
/// or of the table's header (without `key`, or when it is not written there); without a line
/// when there is no such table.
fn entry_place(api: &str, text: &str, operation: &str, key: Option<&str>) -> String {
    let list = format!("specs/{api}/{PAGES_FILE}");
    match setting_line(text, &format!("[{operation}]"), 0, key) {
        Some(line) => format!("{list}:{line}"),
        None => list,
    }
}

/// Why a URL in `pages.toml` cannot be the page's address, if it cannot.
pub fn placeholder_url(url: &str) -> Option<&'static str> {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    if u.is_empty() {
        Some("it is empty")
    } else if u.contains("TODO") || u.contains("...") || u.contains('<') || u.contains("XXX") {
        Some("it is a placeholder")
    } else if host.is_none() {
        Some("it is not an https:// URL")
    } else if host.is_some_and(|h| {
        h.is_empty()
            || !h.contains('.')
            || ["example.com", "example.org", "example.net"]
                .iter()
                .any(|e| h == *e || h.ends_with(&format!(".{e}")))
            || [".invalid", ".example", ".test", ".localhost", ".local"]
                .iter()
                .any(|t| h.ends_with(t))
            || h.starts_with("localhost")
            || h.starts_with("127.")
    }) {
        Some("its host is a placeholder, not the vendor's site")
    } else {
        None
    }
}

/// The problems of one entry that keep its page from being checked, as error lines.
fn entry_errors(
    root: &Path,
    api: &str,
    operation: &str,
    entry: &PageEntry,
    text: &str,
) -> Vec<String> {
    let list = format!("specs/{api}/{PAGES_FILE}");
    let at = |key: Option<&str>| entry_place(api, text, operation, key);
    let mut errors = Vec::new();
    match (&entry.file, &entry.missing) {
        (Some(_), Some(_)) => errors.push(format!(
            "{}: [{operation}] has both `file` and `missing`: keep `file` when the page is stored, \
             `missing` (why no page is stored) when it is not",
            at(Some("missing"))
        )),
        (None, None) => errors.push(format!(
            "{}: [{operation}] names no page: add `file = \"{operation}.txt\"` (the capture, in \
             specs/{api}/pages/), or `missing = \"<why: what was searched>\"` with the `sources` \
             the spec rests on",
            at(None)
        )),
        (Some(file), None) => {
            if let Some(why) = file_name_problem(file) {
                errors.push(file_name_error(api, operation, file, why, text));
            } else if !root
                .join("specs")
                .join(api)
                .join("pages")
                .join(file)
                .is_file()
            {
                errors.push(format!(
                    "{}: the page specs/{api}/pages/{file} does not exist: store the capture \
                     there, or fix `file`",
                    at(Some("file"))
                ));
            }
            match &entry.captured {
                None => errors.push(format!(
                    "{}: [{operation}] has no `captured`: add `captured = \"YYYY-MM-DD\"`, the \
                     date the capture shows (or the day it was stored)",
                    at(None)
                )),
                Some(date) if !is_date(date) => errors.push(format!(
                    "{}: captured = {date:?} is not a date: write YYYY-MM-DD",
                    at(Some("captured"))
                )),
                Some(_) => {}
            }
            if entry
                .partial
                .as_deref()
                .is_some_and(|p| p.trim().is_empty())
            {
                errors.push(format!(
                    "{}: `partial` is empty: say where the capture ends (\"ends in Table 3 \
                     Request body parameters (the vpc_id row)\")",
                    at(Some("partial"))
                ));
            }
        }
        (None, Some(why)) => {
            if why.trim().is_empty() {
                errors.push(format!(
                    "{}: `missing` is empty: say why no page is stored (what was searched)",
                    at(Some("missing"))
                ));
            }
            if entry.sources.is_empty() {
                errors.push(format!(
                    "{}: [{operation}] has no page and no `sources`: add \
                     [{operation}.sources.<key>] with repo and path for each public source the \
                     spec rests on",
                    at(None)
                ));
            }
        }
    }
    match &entry.url {
        None if entry.file.is_some() => errors.push(format!(
            "{}: [{operation}] has no `url`: add the page's address (the spec's externalDocs.url)",
            at(None)
        )),
        Some(url) => {
            if let Some(why) = placeholder_url(url) {
                errors.push(format!(
                    "{}: url = {url:?} ([{operation}]): {why}; write the address of the \
                     vendor's page (https://...)",
                    at(Some("url"))
                ));
            }
        }
        None => {}
    }
    for (key, source) in &entry.sources {
        if let Some(problem) = source.problem() {
            let header = format!("[{operation}.sources.{key}]");
            // The line of the table's header, a comment after it left out.
            let at = text
                .lines()
                .position(|line| line.split('#').next().is_some_and(|t| t.trim() == header));
            let place = match at {
                Some(n) => format!("{list}:{}", n + 1),
                None => list.clone(),
            };
            errors.push(format!("{place}: {header} {problem}"));
        }
    }
    errors
}

/// Whether `s` is a calendar date written YYYY-MM-DD (a month that exists, a day that month
/// has, 29 February only in a leap year).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return false;
    }
    let number = |range: std::ops::Range<usize>| s.get(range).and_then(|t| t.parse::<u32>().ok());
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Why `file` of a `pages.toml` entry is not the plain name of a file in `pages/`, if it is
/// not: the page is read there and `docs fetch` writes there, so a path that leads elsewhere
/// (`../../Cargo.toml`, `/etc/passwd`) would read or overwrite a file outside the folder.
pub fn file_name_problem(file: &str) -> Option<&'static str> {
    if file.trim().is_empty() {
        Some("it is empty")
    } else if file.contains('/') || file.contains('\\') {
        Some("it is a path, not a file name")
    } else if file == "." || file == ".." {
        Some("it names a folder, not a file")
    } else if Path::new(file).is_absolute() || file.contains(':') {
        Some("it is an absolute path or names a drive")
    } else {
        None
    }
}

/// The error for a `file` that is not a plain file name, with the line it is written on.
fn file_name_error(api: &str, operation: &str, file: &str, why: &str, text: &str) -> String {
    let at = entry_place(api, text, operation, Some("file"));
    format!(
        "{at}: file = {file:?} ([{operation}]): {why}; store the capture in specs/{api}/pages/ \
         and write its name alone, such as file = \"{operation}.txt\""
    )
}

/// Every `x-source` written in a document: (JSON pointer, value).
fn source_marks(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let _ = crate::spec::each_node(doc, &mut Vec::new(), &mut |v, path| {
        if path.last().is_some_and(|k| k == SOURCE) {
            out.push((crate::spec::yaml_lines::pointer_of(path), v.clone()));
        }
        Ok::<(), std::convert::Infallible>(())
    });
    out
}

/// `x-source` keys the operation names (in its document, or in `_common.yaml` on its way to
/// its facts) that its `sources` table lacks, as error lines with file and line.
fn unknown_sources(
    api: &str,
    operation: &str,
    spec: &SpecSide,
    entry: &PageEntry,
    list_line: &str,
) -> Vec<String> {
    let known: Vec<&str> = entry.sources.keys().map(String::as_str).collect();
    let advice = |key: &str| {
        if known.is_empty() {
            format!(
                "[{operation}] in {list_line} has no sources: add [{operation}.sources.{key}] \
                 with repo and path"
            )
        } else {
            format!(
                "write one of {} or add [{operation}.sources.{key}] with repo and path to {list_line}",
                known.join(", ")
            )
        }
    };
    let mut errors = Vec::new();
    let marks = source_marks(&spec.op);
    let file = format!("specs/{api}/{operation}.yaml");
    for (pointer, value) in &marks {
        let line = crate::spec::yaml_lines::line_of(&spec.op_text, pointer)
            .map(|l| format!(":{l}"))
            .unwrap_or_default();
        match value.as_str() {
            Some(key) if known.contains(&key.trim()) => {}
            Some(key) => errors.push(format!(
                "{file}{line}: {SOURCE}: {key} names no source of {operation}: {}",
                advice(key)
            )),
            None => errors.push(format!(
                "{file}{line}: {SOURCE}: {value} is not a source key: write a key of \
                 [{operation}.sources] in {list_line}"
            )),
        }
    }
    let named_here: Vec<&str> = marks.iter().filter_map(|(_, v)| v.as_str()).collect();
    for key in &spec.side.source_keys {
        if known.contains(&key.as_str()) || named_here.contains(&key.as_str()) {
            continue;
        }
        let mut lines = Vec::new();
        if let Some((common, text)) = &spec.common {
            for (pointer, value) in source_marks(common) {
                if value.as_str() == Some(key.as_str())
                    && let Some(l) = crate::spec::yaml_lines::line_of(text, &pointer)
                {
                    lines.push(l.to_string());
                }
            }
        }
        let at = if lines.is_empty() {
            String::new()
        } else {
            format!(":{}", lines.join(","))
        };
        errors.push(format!(
            "specs/{api}/{}{at}: {SOURCE}: {key} (reached from {operation}) names no source of \
             {operation}: {}",
            crate::spec::COMMON_FILE,
            advice(key)
        ));
    }
    errors
}

/// The spec's `externalDocs.url` must be the page `pages.toml` lists (or, with no URL there,
/// at least not a placeholder): the page checked is the page the client's docs link to.
fn external_docs_error(
    api: &str,
    operation: &str,
    spec: &SpecSide,
    entry: &PageEntry,
    list_line: &str,
) -> Option<String> {
    let (path, method, op) = super::compare::only_operation(&spec.op).ok()?;
    let written = op.pointer("/externalDocs/url").and_then(Value::as_str)?;
    let pointer = format!("/paths/{}/{method}/externalDocs/url", escape(path));
    let at = crate::spec::yaml_lines::line_of(&spec.op_text, &pointer)
        .map(|l| format!(":{l}"))
        .unwrap_or_default();
    let file = format!("specs/{api}/{operation}.yaml{at}");
    match &entry.url {
        Some(url) if url.trim() != written.trim() => Some(format!(
            "{file}: externalDocs.url is {written:?}, but [{operation}] in {list_line} gives url = \
             {url:?}: write the page's address in both"
        )),
        None => placeholder_url(written).map(|why| {
            format!("{file}: externalDocs.url = {written:?}: {why}; write the address of the vendor's page")
        }),
        Some(_) => None,
    }
}

/// Checks one operation: its entry, its page (if stored) against its spec, and where each
/// fact rests.
fn check_operation(
    root: &Path,
    loaded: &Result<crate::spec::LoadedApi, Unreadable>,
    api: &str,
    operation: &str,
    entry: &PageEntry,
    text: &str,
    report: &mut Report,
) {
    let list_line = entry_place(api, text, operation, None);
    let mut errors = entry_errors(root, api, operation, entry, text);
    if !errors.is_empty() {
        report.errors.append(&mut errors);
        return;
    }
    let spec = match loaded
        .as_ref()
        .map_err(ToString::to_string)
        .and_then(|l| read_spec_side(root, l, api, operation).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => {
            report.errors.push(e);
            return;
        }
    };
    report
        .errors
        .extend(unknown_sources(api, operation, &spec, entry, &list_line));
    if let Some(e) = external_docs_error(api, operation, &spec, entry, &list_line) {
        report.errors.push(e);
    }
    let page = match &entry.file {
        Some(file) => match read_page(&root.join("specs").join(api).join("pages").join(file)) {
            Ok(p) => Some(p),
            Err(e) => {
                report.errors.push(e.to_string());
                return;
            }
        },
        None => None,
    };
    let entry_place = format!("[{operation}] in {list_line}");
    let cx = Context {
        partial: entry.partial.as_deref(),
        missing: entry.missing.as_deref(),
        sources: entry.sources.keys().map(String::as_str).collect(),
        entry: &entry_place,
    };
    let target = format!("{api}/{operation}");
    let result = provenance::check(page.as_ref(), &spec.side, &cx);
    report.summary.push(result.summary(&target));
    let page_name = entry
        .file
        .as_deref()
        .map(|f| format!("specs/{api}/pages/{f}: "))
        .unwrap_or_default();
    report.errors.extend(
        result
            .errors
            .iter()
            .map(|e| format!("{target}: {page_name}{e}")),
    );
    report.findings.extend(
        result
            .findings
            .iter()
            .map(|f| located(&target, f, &spec, api, operation)),
    );
}

/// A finding as `docs check` prints it, with the spec file and line to edit and what to write
/// there: `<api>/<Operation>: specs/<api>/<Operation>.yaml:57: body addressId: required on the
/// page, optional in the spec: add addressId to required`.
fn located(
    target: &str,
    finding: &super::compare::Finding,
    spec: &SpecSide,
    api: &str,
    operation: &str,
) -> String {
    let Some(fix) = super::locate::fix(finding, &spec.side) else {
        return format!("{target}: {finding}");
    };
    let op_file = format!("specs/{api}/{operation}.yaml");
    let common_file = format!("specs/{api}/{}", crate::spec::COMMON_FILE);
    let file = fix.place.file.unwrap_or_else(|| op_file.clone());
    let text = if file == op_file {
        Some(spec.op_text.as_str())
    } else if file == common_file {
        spec.common.as_ref().map(|(_, text)| text.as_str())
    } else {
        None
    };
    let line = text
        .and_then(|t| crate::spec::yaml_lines::line_of(t, &fix.place.pointer))
        .map(|l| format!(":{l}"))
        .unwrap_or_default();
    let advice = fix.advice.map(|a| format!(": {a}")).unwrap_or_default();
    format!("{target}: {file}{line}: {finding}{advice}")
}

/// `docs check`: every operation document has an entry in its API's `pages.toml` and every
/// entry an operation document; each stored page against its spec; where each fact rests.
pub fn check_all(root: &Path) -> Report {
    let dirs = match api_dirs(root) {
        Ok(d) => d,
        Err(e) => return Report::failed(e),
    };
    let mut report = Report::default();
    for dir in dirs {
        let api = file_name(&dir);
        let ops = operations(&dir);
        let (list, text) = match entries(&dir, &api) {
            Ok(Some(found)) => found,
            Ok(None) => {
                if !ops.is_empty() {
                    report.errors.push(format!(
                        "specs/{api}/{PAGES_FILE} does not exist: list the page of each operation \
                         ({}) there, with file, url and captured",
                        ops.join(", ")
                    ));
                }
                continue;
            }
            Err(e) => {
                report.errors.push(e.to_string());
                continue;
            }
        };
        let loaded = load(root, &api);
        for operation in list.keys().filter(|o| !ops.contains(o)) {
            report.errors.push(format!(
                "{}: [{operation}] names no operation: \
                 specs/{api}/{operation}.yaml does not exist (remove the entry, or name the \
                 operation as its document is named)",
                entry_place(&api, &text, operation, None)
            ));
        }
        for operation in &ops {
            match list.get(operation) {
                Some(entry) => {
                    check_operation(root, &loaded, &api, operation, entry, &text, &mut report)
                }
                None => report.errors.push(format!(
                    "specs/{api}/{operation}.yaml has no entry in specs/{api}/{PAGES_FILE}: add \
                     [{operation}] with file (its page, stored in specs/{api}/pages/), url and \
                     captured; or, when no capture of its page exists, url, missing (why) and \
                     sources"
                )),
            }
        }
    }
    report
}

/// `docs check --page FILE <api>/<Operation>`: a page (one just saved, say) against the
/// operation's spec. A capture that stops short is an error naming where it ends.
pub fn check_file(root: &Path, file: &Path, target: &str) -> Report {
    let Some((api, operation)) = target.split_once('/') else {
        return Report::failed(format!(
            "{target}: write the operation as <api>/<Operation>, for example oceanbase-cloud/ConnectPrivatelinkService"
        ));
    };
    let spec = load(root, api).and_then(|loaded| read_spec_side(root, &loaded, api, operation));
    let (page, spec) = match read_page(file).and_then(|p| Ok((p, spec?))) {
        Ok(found) => found,
        Err(e) => return Report::failed(e),
    };
    let mut report = Report::default();
    let entry_place = format!("[{operation}] in specs/{api}/{PAGES_FILE}");
    // The operation's own stored page keeps what pages.toml records about it (partial,
    // sources); any other file is judged on its own.
    let canonical = fs::canonicalize(file).ok();
    let listed = pages(root).ok().and_then(|list| {
        list.into_iter().find(|p| {
            p.api == api
                && p.operation == operation
                && canonical.is_some()
                && fs::canonicalize(&p.path).ok() == canonical
        })
    });
    let cx = Context {
        partial: listed.as_ref().and_then(|p| p.entry.partial.as_deref()),
        missing: None,
        sources: listed
            .as_ref()
            .map(|p| p.entry.sources.keys().map(String::as_str).collect())
            .unwrap_or_default(),
        entry: &entry_place,
    };
    let result = provenance::check(Some(&page), &spec.side, &cx);
    report.summary.push(result.summary(target));
    let name = file.to_string_lossy().replace('\\', "/");
    report.errors.extend(
        result
            .errors
            .iter()
            .map(|e| format!("{target}: {name}: {e}")),
    );
    report.findings = result
        .findings
        .iter()
        .map(|f| located(target, f, &spec, api, operation))
        .collect();
    report
}

/// A capture of the two that stops short: which it is, where it ends, and how many of the
/// other capture's facts past that point were left out of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutCapture {
    /// `old` or `new`.
    pub which: &'static str,
    /// Where it ends.
    pub cut: super::Cut,
    /// Facts the other capture shows past the cut (not compared).
    pub not_compared: usize,
}

/// What changed between two captures of one page. A capture that stops short shows nothing
/// past its end: the facts the other capture shows there are not reported as added or
/// removed, but counted in the capture's [`CutCapture`].
pub fn compare_captures(
    old: &DocumentedOperation,
    new: &DocumentedOperation,
) -> (Vec<super::compare::Finding>, Vec<CutCapture>) {
    let (on_new, on_old) = ("on the new page", "on the old page");
    let mut findings = compare(&page_side(new), &page_side(old), (on_new, on_old));
    let mut cuts = Vec::new();
    for (which, page, absent) in [
        ("old", old, format!("{on_new}, not {on_old}")),
        ("new", new, format!("{on_old}, not {on_new}")),
    ] {
        let Some(cut) = &page.ends_in else { continue };
        let before = findings.len();
        findings.retain(|f| {
            f.message != absent || provenance::part_of(&f.subject, page.layout) < cut.part
        });
        cuts.push(CutCapture {
            which,
            cut: cut.clone(),
            not_compared: before - findings.len(),
        });
    }
    (findings, cuts)
}

/// The operation whose method and path a page shows, among `(name, method, path)` of the
/// specs' operations; `None` unless exactly one matches.
fn operation_matching<'a>(
    operations: &'a [(String, String, String)],
    page: &DocumentedOperation,
) -> Option<&'a str> {
    let wanted = super::compare::normalized_path(&page.path);
    let mut matching = operations.iter().filter(|(_, method, path)| {
        method.eq_ignore_ascii_case(&page.method) && super::compare::normalized_path(path) == wanted
    });
    match (matching.next(), matching.next()) {
        (Some((name, ..)), None) => Some(name),
        _ => None,
    }
}

/// `(<api>/<Operation>, method, path)` of every operation document under `specs/` that reads.
fn spec_operations(root: &Path) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for dir in api_dirs(root).unwrap_or_default() {
        let api = file_name(&dir);
        for operation in operations(&dir) {
            let Ok(doc) = read_yaml(&dir.join(format!("{operation}.yaml"))) else {
                continue;
            };
            if let Ok((path, method, _)) = super::compare::only_operation(&doc) {
                out.push((
                    format!("{api}/{operation}"),
                    method.to_owned(),
                    path.to_owned(),
                ));
            }
        }
    }
    out
}

/// `docs diff OLD NEW`: what changed between two captures of one page, each finding labelled
/// with the operation the pages document (`<api>/<Operation>` of the spec with their request
/// line, else the request line itself). A capture that stops short is an error (exit 2), as
/// in `docs check`: what the other capture shows past its end is not compared.
pub fn diff(root: &Path, old: &Path, new: &Path) -> Report {
    let (o, n) = match read_page(old).and_then(|o| read_page(new).map(|n| (o, n))) {
        Ok(pages) => pages,
        Err(e) => return Report::failed(e),
    };
    let mut report = Report::default();
    let known = spec_operations(root);
    let label = operation_matching(&known, &n)
        .or_else(|| operation_matching(&known, &o))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{} {}", n.method, n.path));
    let (findings, cuts) = compare_captures(&o, &n);
    report.findings = findings
        .into_iter()
        .map(|f| format!("{label}: {f}"))
        .collect();
    // A cut that leaves nothing of the other page out (a capture recorded as partial, compared
    // with one cut at the same place) is no obstacle. A new capture cut short can be taken
    // again; an old one cannot, so what the new page shows past its end is printed, not failed.
    for c in cuts.into_iter().filter(|c| c.not_compared > 0) {
        let (file, other) = if c.which == "old" {
            (old, "new")
        } else {
            (new, "old")
        };
        let name = file.to_string_lossy().replace('\\', "/");
        let line = format!(
            "{label}: {name}: the page ends in {}: {} of the {other} page's facts past it are \
             not compared",
            c.cut.section, c.not_compared
        );
        if c.which == "old" {
            report.summary.push(format!(
                "{line} (the older capture stops there: review them on the new page)"
            ));
        } else {
            report
                .errors
                .push(format!("{line}; capture the whole page again"));
        }
    }
    report
}

/// The API a page that `pages.toml` does not list belongs to: the folder it is stored in when
/// `specs/` has an API of that name (`../shared/api-docs/<api>/Page.txt`), else the API whose
/// pages are published under the same address as the capture's `# source:` URL.
pub fn api_of_capture(root: &Path, file: &Path, source: Option<&str>) -> Option<String> {
    let dirs = api_dirs(root).ok()?;
    let names: Vec<String> = dirs.iter().map(|d| file_name(d)).collect();
    if let Some(parent) = file
        .canonicalize()
        .ok()
        .and_then(|f| f.parent().map(file_name))
        && names.contains(&parent)
    {
        return Some(parent);
    }
    // `https://support.huaweicloud.com/intl/en-us/api-css/X.html` → `support.huaweicloud.com`
    // and `api-css`: the site and the API's folder on it.
    let key = |url: &str| -> Option<(String, String)> {
        let rest = url.split_once("://")?.1;
        let mut parts = rest.split('/');
        let host = parts.next()?.to_owned();
        let segments: Vec<&str> = parts.collect();
        let folder = segments
            .len()
            .checked_sub(2)
            .map(|i| segments[i].to_owned())?;
        Some((host, folder))
    };
    let wanted = key(source?)?;
    let by_folder = dirs.iter().find(|dir| {
        entries(dir, &file_name(dir))
            .ok()
            .flatten()
            .is_some_and(|(list, _)| {
                list.values()
                    .filter_map(|e| e.url.as_deref())
                    .any(|u| key(u).is_some_and(|k| k == wanted && !k.1.starts_with("common-")))
            })
    });
    by_folder.map(|d| file_name(d))
}

/// Writes each note as a `#` comment above the line its JSON pointer lands on.
fn with_notes(text: &str, notes: &[(String, String)]) -> String {
    let mut at_line: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (pointer, note) in notes {
        if let Some(line) = crate::spec::yaml_lines::line_of(text, pointer) {
            at_line.entry(line).or_default().push(note);
        }
    }
    let mut out = String::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(notes) = at_line.get(&(n + 1)) {
            let indent: String = line.chars().take_while(|c| *c == ' ').collect();
            let indent = indent.trim_end_matches("- ").to_owned();
            for note in notes {
                let mut current = String::new();
                for word in note.split_whitespace() {
                    if !current.is_empty() && indent.len() + current.len() + word.len() > 96 {
                        out.push_str(&format!("{indent}# {current}\n"));
                        current.clear();
                    }
                    if !current.is_empty() {
                        current.push(' ');
                    }
                    current.push_str(word);
                }
                out.push_str(&format!("{indent}# {current}\n"));
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Component names the API's documents other than `operation`'s define.
fn taken_names(root: &Path, api: &str, operation: &str) -> std::collections::BTreeSet<String> {
    let dir = root.join("specs").join(api);
    let mut names = std::collections::BTreeSet::new();
    let files = operations(&dir)
        .into_iter()
        .filter(|o| o != operation)
        .map(|o| format!("{o}.yaml"))
        .chain([crate::spec::COMMON_FILE.to_owned()]);
    for file in files {
        let Ok(doc) = read_yaml(&dir.join(file)) else {
            continue;
        };
        for defs in doc
            .get("components")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|c| c.values())
            .filter_map(Value::as_object)
        {
            names.extend(defs.keys().cloned());
        }
    }
    names
}

/// Loads the API with the draft in place of (or beside) the operation's document, in a
/// temporary copy of its folder, as `cargo xtask generate` loads it, and applies the
/// generator's checks of each operation's responses (short of running progenitor).
pub fn load_with_draft(
    root: &Path,
    api: &str,
    operation: &str,
    draft: &str,
) -> Result<(), Vec<crate::spec::SpecError>> {
    let setup = |m: String| vec![crate::spec::SpecError::new(format!("specs/{api}"), None, m)];
    // One folder per call: calls run in parallel (tests), and each deletes its own.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scratch = std::env::temp_dir().join(format!(
        "xtask-scaffold-{}-{call}-{api}-{operation}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&scratch);
    let dir = scratch.join("specs").join(api);
    let vendors = scratch.join("specs").join(crate::spec::VENDORS_DIR);
    let copy = |from: &Path, to: &Path| -> Result<(), Vec<crate::spec::SpecError>> {
        fs::create_dir_all(to).map_err(|e| setup(format!("{}: {e}", to.display())))?;
        for entry in fs::read_dir(from)
            .map_err(|e| setup(format!("{}: {e}", from.display())))?
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.is_file() {
                fs::copy(&path, to.join(entry.file_name()))
                    .map_err(|e| setup(format!("{}: {e}", path.display())))?;
            }
        }
        Ok(())
    };
    let replaces = root
        .join("specs")
        .join(api)
        .join(format!("{operation}.yaml"))
        .exists();
    let result = copy(&root.join("specs").join(api), &dir)
        .and_then(|()| copy(&root.join("specs").join(crate::spec::VENDORS_DIR), &vendors))
        .and_then(|()| {
            fs::write(dir.join(format!("{operation}.yaml")), draft)
                .map_err(|e| setup(format!("{operation}.yaml: {e}")))
        })
        .and_then(|()| {
            // A draft in place of a written document does not define the schemas the written
            // one names for api.toml's replacements (`DasPassword`): those are left out.
            if replaces {
                drop_dangling_replacements(&dir, api, operation, draft).map_err(setup)
            } else {
                Ok(())
            }
        })
        .and_then(|()| crate::spec::load_api(&scratch, &dir))
        // What the generator requires of each operation beyond loading (a named 4XX schema
        // for `call()`), by the generator's own check.
        .and_then(|api| crate::codegen::calls::check_call_needs(&api).map_err(|e| vec![e]));
    let _ = fs::remove_dir_all(&scratch);
    result
}

fn drop_dangling_replacements(
    dir: &Path,
    api: &str,
    operation: &str,
    draft: &str,
) -> Result<(), String> {
    let config_path = dir.join(crate::spec::CONFIG_FILE);
    let text = fs::read_to_string(&config_path).map_err(|e| format!("api.toml: {e}"))?;
    let mut config: toml::Table = toml::from_str(&text).map_err(|e| format!("api.toml: {e}"))?;
    let mut defined = taken_names(
        dir.parent().and_then(Path::parent).unwrap_or(dir),
        api,
        operation,
    );
    if let Ok(doc) = parse_yaml("draft", draft) {
        defined.extend(
            doc.pointer("/components/schemas")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.keys().cloned()),
        );
    }
    if let Some(toml::Value::Table(replace)) = config.get_mut("replace") {
        replace.retain(|name, _| defined.contains(name));
    }
    // Paging settings name fields of the written response, which a draft may name otherwise.
    let id = super::scaffold::snake_case(operation);
    if let Some(toml::Value::Array(paginate)) = config.get_mut("paginate") {
        paginate.retain(|p| p.get("operation").and_then(toml::Value::as_str) != Some(id.as_str()));
    }
    let text = toml::to_string(&config).map_err(|e| format!("api.toml: {e}"))?;
    fs::write(&config_path, text).map_err(|e| format!("api.toml: {e}"))
}

/// `docs scaffold FILE`: a draft operation document from a page, validated like a spec.
///
/// A page listed in `specs/<api>/pages/pages.toml` gets its operation name, URL and the API's
/// `_common.yaml`; any other page is named after its file, belongs to the API its folder or its
/// `# source:` URL names, and takes the URL given, else its `# source:` URL (or a placeholder
/// to replace, said in a comment). With an API, the draft is loaded together with the API's
/// documents, as `cargo xtask generate` loads them.
pub fn scaffold_file(root: &Path, file: &Path, url: Option<&str>) -> Result<String, Unreadable> {
    let page = read_page(file)?;
    let canonical = fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let listed = pages(root)?
        .into_iter()
        .find(|p| fs::canonicalize(&p.path).is_ok_and(|c| c == canonical));
    let operation = match &listed {
        Some(p) => p.operation.clone(),
        None => file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .and_then(|s| s.split('.').next().map(str::to_owned))
            .unwrap_or_else(|| "Operation".into()),
    };
    let api = match &listed {
        Some(p) => Some(p.api.clone()),
        None => api_of_capture(root, file, page.source.as_deref()),
    };
    let url = url
        .map(str::to_owned)
        .or_else(|| listed.as_ref().and_then(|p| p.entry.url.clone()))
        .or_else(|| page.source.clone())
        .unwrap_or_else(|| "https://example.invalid/replace-with-the-page-url".into());
    let api_dir = api.as_ref().map(|a| root.join("specs").join(a));
    let common = api_dir.as_ref().map(|d| d.join(crate::spec::COMMON_FILE));
    let common = common
        .filter(|p| p.exists())
        .map(|p| read_yaml(&p))
        .transpose()?;
    let taken = api
        .as_deref()
        .map(|a| taken_names(root, a, &operation))
        .unwrap_or_default();
    let envelope = api_dir.as_ref().and_then(|d| {
        let text = fs::read_to_string(d.join(crate::spec::CONFIG_FILE)).ok()?;
        let config: toml::Table = toml::from_str(&text).ok()?;
        config
            .get("envelope")?
            .get("schema")?
            .as_str()
            .map(str::to_owned)
    });
    let draft = super::scaffold::scaffold(
        &page,
        &super::scaffold::ScaffoldInput {
            operation: &operation,
            url: &url,
            common: common.as_ref(),
            envelope,
            taken,
        },
    );
    let name = format!("{operation}.yaml (draft)");
    let text =
        serde_yaml_ng::to_string(&draft.doc).map_err(|e| Unreadable::Setup(e.to_string()))?;
    let text = with_notes(&text, &draft.notes);
    let refused = |errors: Vec<crate::spec::SpecError>| {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Unreadable::Setup(format!(
            "the draft is not a valid spec: {}",
            errors.join("; ")
        ))
    };
    crate::spec::validate_document(&name, &text, &draft.doc).map_err(refused)?;
    if let (Some(api), Some(dir)) = (&api, &api_dir)
        && dir.join(crate::spec::CONFIG_FILE).exists()
    {
        load_with_draft(root, api, &operation, &text).map_err(|errors| {
            let mut refused = refused(errors);
            // The draft answers errors with the API's shared error body; an API that has none
            // yet (a new one) leaves its error responses without a schema.
            let answers_errors = super::compare::only_operation(&draft.doc)
                .ok()
                .and_then(|(.., op)| op.get("responses")?.as_object().cloned())
                .is_some_and(|r| {
                    r.iter().any(|(code, resp)| {
                        code.starts_with('4')
                            && (resp.get("$ref").is_some() || resp.get("content").is_some())
                    })
                });
            if let Unreadable::Setup(m) = &mut refused
                && !answers_errors
            {
                m.push_str(&format!(
                    "; specs/{api}/{} defines no error body for the draft's error responses: \
                     define the API's error body there as a schema whose name ends in `Error` \
                     (or a shared `4XX` response under `components.responses`), then scaffold \
                     again: the draft answers `4XX` and `5XX` with it",
                    crate::spec::COMMON_FILE
                ));
            }
            refused
        })?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_a_day_of_the_calendar() {
        for good in ["2026-01-31", "2024-02-29", "2000-02-29", "2026-12-02"] {
            assert!(is_date(good), "{good}");
        }
        for bad in [
            "2026-13-45",
            "2026-00-10",
            "2026-04-31",
            "2026-02-29",
            "1900-02-29",
            "2026-01-00",
            "17.10.2024",
            "2026-1-01",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn a_page_file_is_a_plain_name_in_pages() {
        assert_eq!(file_name_problem("ShowVpcepConnection.txt"), None);
        assert_eq!(file_name_problem("v1..v2.html"), None);
        for bad in [
            "../../../Cargo.toml",
            "/etc/passwd",
            "sub/Page.txt",
            "..\\Cargo.toml",
            "..",
            ".",
            "",
            "  ",
            "C:Page.txt",
        ] {
            assert!(file_name_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn a_file_that_leads_out_of_pages_is_refused_with_its_line() {
        let text = "[A]\nfile = \"A.txt\"\n\n[B]\nurl = \"https://x.y/B\"\nfile = \"../../../Cargo.toml\"\n";
        let error = file_name_error("api", "B", "../../../Cargo.toml", "why", text);
        assert!(
            error.starts_with(
                "specs/api/pages/pages.toml:6: file = \"../../../Cargo.toml\" ([B]): why;"
            ) && error.ends_with("file = \"B.txt\""),
            "{error}"
        );
    }
}
