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
    compare::{SpecDocs, compare, page_surface, spec_surface},
};
use crate::spec::parse_yaml;

/// The file that lists an API's pages.
pub const PAGES_FILE: &str = "pages/pages.toml";

/// One entry of `pages.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageEntry {
    /// The page file, relative to `pages/`.
    pub file: String,
    /// Where the page is published (the spec's `externalDocs.url`).
    pub url: String,
    /// When it was captured (YYYY-MM-DD).
    pub captured: String,
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

/// Every page listed in `specs/*/pages/pages.toml`, sorted.
pub fn pages(root: &Path) -> Result<Vec<Page>, Unreadable> {
    let mut out = Vec::new();
    let specs = root.join("specs");
    let mut apis: Vec<PathBuf> = fs::read_dir(&specs)
        .map_err(|e| Unreadable::Setup(format!("cannot read {}: {e}", specs.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    apis.sort();
    for dir in apis {
        let api = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let list = dir.join(PAGES_FILE);
        let Ok(text) = fs::read_to_string(&list) else {
            continue;
        };
        let entries: BTreeMap<String, PageEntry> = toml::from_str(&text)
            .map_err(|e| Unreadable::Setup(format!("specs/{api}/{PAGES_FILE}: {}", e.message())))?;
        for (operation, entry) in entries {
            let path = dir.join("pages").join(&entry.file);
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

/// Compares `specs/<api>/<operation>.yaml` with a page; findings as full lines.
pub fn check_one(
    root: &Path,
    api: &str,
    operation: &str,
    page: &DocumentedOperation,
) -> Result<Vec<String>, Unreadable> {
    let dir = root.join("specs").join(api);
    let op = read_yaml(&dir.join(format!("{operation}.yaml")))?;
    let common_path = dir.join(crate::spec::COMMON_FILE);
    let common = if common_path.exists() {
        Some(read_yaml(&common_path)?)
    } else {
        None
    };
    let docs = SpecDocs {
        op: &op,
        common: common.as_ref(),
    };
    let spec = spec_surface(&docs)
        .map_err(|e| Unreadable::Setup(format!("specs/{api}/{operation}.yaml: {e}")))?;
    let page = page_surface(page);
    Ok(compare(&page, &spec, ("on the page", "in the spec"))
        .into_iter()
        .map(|f| format!("{api}/{operation}: {f}"))
        .collect())
}

/// What a command found: lines to print and the exit code (0 agree, 1 drift, 2 unreadable).
#[derive(Debug, Default)]
pub struct Report {
    /// One line per finding.
    pub findings: Vec<String>,
    /// Pages or specs that could not be read.
    pub errors: Vec<String>,
}

impl Report {
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

/// `docs check`: every listed page against its spec.
pub fn check_all(root: &Path) -> Report {
    let mut report = Report::default();
    let list = match pages(root) {
        Ok(l) => l,
        Err(e) => {
            report.errors.push(e.to_string());
            return report;
        }
    };
    for p in list {
        match read_page(&p.path).and_then(|page| check_one(root, &p.api, &p.operation, &page)) {
            Ok(mut f) => report.findings.append(&mut f),
            Err(e) => report.errors.push(e.to_string()),
        }
    }
    report
}

/// `docs check --page FILE <api>/<Operation>`.
pub fn check_file(root: &Path, file: &Path, target: &str) -> Report {
    let mut report = Report::default();
    let Some((api, operation)) = target.split_once('/') else {
        report
            .errors
            .push(format!("{target}: write the operation as <api>/<Operation>, for example oceanbase-cloud/ConnectPrivatelinkService"));
        return report;
    };
    match read_page(file).and_then(|page| check_one(root, api, operation, &page)) {
        Ok(f) => report.findings = f,
        Err(e) => report.errors.push(e.to_string()),
    }
    report
}

/// `docs diff OLD NEW`: what changed between two captures of one page.
pub fn diff(old: &Path, new: &Path) -> Report {
    let mut report = Report::default();
    let pages = read_page(old).and_then(|o| read_page(new).map(|n| (o, n)));
    match pages {
        Ok((o, n)) => {
            let name = new
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            report.findings = compare(
                &page_surface(&n),
                &page_surface(&o),
                ("on the new page", "on the old page"),
            )
            .into_iter()
            .map(|f| format!("{name}: {f}"))
            .collect();
        }
        Err(e) => report.errors.push(e.to_string()),
    }
    report
}

/// `docs scaffold FILE`: a draft operation document from a page, validated like a spec.
///
/// A page listed in `specs/<api>/pages/pages.toml` gets its operation name, URL and the API's
/// `_common.yaml`; any other page is named after its file, with the URL given (or a
/// placeholder to replace).
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
            .unwrap_or_else(|| "Operation".into()),
    };
    let url = url
        .map(str::to_owned)
        .or_else(|| listed.as_ref().map(|p| p.entry.url.clone()))
        .unwrap_or_else(|| "https://example.invalid/replace-with-the-page-url".into());
    let common = match &listed {
        Some(p) => {
            let path = root
                .join("specs")
                .join(&p.api)
                .join(crate::spec::COMMON_FILE);
            if path.exists() {
                Some(read_yaml(&path)?)
            } else {
                None
            }
        }
        None => None,
    };
    let doc = super::scaffold::scaffold(
        &page,
        &super::scaffold::ScaffoldInput {
            operation: &operation,
            url: &url,
            common: common.as_ref(),
        },
    );
    let name = format!("{operation}.yaml (draft)");
    let text = serde_yaml_ng::to_string(&doc).map_err(|e| Unreadable::Setup(e.to_string()))?;
    crate::spec::validate_document(&name, &text, &doc).map_err(|errors| {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Unreadable::Setup(format!(
            "the draft is not a valid spec: {}",
            errors.join("; ")
        ))
    })?;
    Ok(text)
}
