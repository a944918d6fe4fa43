//! Where each fact of a spec comes from: the page, when the page shows it; else the source its
//! `x-source` names (a key of the operation's `sources` in `pages.toml`); else a deviation's
//! reason. A capture that stops short leaves the facts past its end unchecked: that is an error
//! unless `pages.toml` records the capture as `partial`, and then each fact the page does not
//! show must name its source.
//!
//! A fact is what the comparison compares: the request line, each parameter and body or
//! response field, each status code, each example; and, for a field whose list of values the
//! capture lost (a one-cell-per-line table drops a bulleted list), the spec's list of values,
//! which rests on the source its `x-source` names.

use std::collections::BTreeMap;

use super::{
    DocumentedOperation, Layout, Part,
    compare::{Finding, SOURCE, Side, compare, page_side},
};

/// What is known about one operation's page besides the page itself.
pub struct Context<'a> {
    /// `partial = "..."` of the operation's `pages.toml` entry.
    pub partial: Option<&'a str>,
    /// Why no page is stored (`missing = "..."`), when none is.
    pub missing: Option<&'a str>,
    /// The keys of the operation's `sources` table.
    pub sources: Vec<&'a str>,
    /// Where the entry is, for messages (`[ListConnections] in specs/x/pages/pages.toml`).
    pub entry: &'a str,
}

/// The result for one operation.
#[derive(Debug, Default)]
pub struct Provenance {
    /// Differences between page and spec, and facts that need a source.
    pub findings: Vec<Finding>,
    /// Why the operation cannot be trusted as checked (a capture cut short, not recorded).
    pub errors: Vec<String>,
    /// How many facts the page confirms.
    pub on_page: usize,
    /// Source key → how many facts rest on it.
    pub by_source: BTreeMap<String, usize>,
    /// Facts the page does not show that a deviation explains, without a source.
    pub by_deviation: usize,
    /// Facts past the end of a capture not recorded as partial.
    pub unchecked: usize,
    /// Facts the page does not show and no source covers.
    pub without_source: usize,
    /// Facts the page does not show (a finding says so).
    pub not_on_page: usize,
    /// Lists of values the capture lost that the spec gives without naming a source.
    pub values_without_source: usize,
}

impl Provenance {
    /// The one-line account of an operation: `api/Op: 14 facts: 11 on the page, 3 from otc`.
    pub fn summary(&self, target: &str) -> String {
        let total = self.on_page
            + self.by_source.values().sum::<usize>()
            + self.by_deviation
            + self.unchecked
            + self.without_source
            + self.not_on_page
            + self.values_without_source;
        let mut parts = vec![format!("{} on the page", self.on_page)];
        for (key, n) in &self.by_source {
            parts.push(format!("{n} from {key}"));
        }
        for (n, what) in [
            (self.by_deviation, "explained by x-doc-deviation"),
            (self.not_on_page, "not on the page"),
            (self.unchecked, "unchecked"),
            (self.without_source, "with no source"),
            (
                self.values_without_source,
                "with values lost in the capture and no source",
            ),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        format!("{target}: {total} facts: {}", parts.join(", "))
    }
}

/// The part of a page a fact belongs to, by its subject. OceanBase pages document request
/// headers only in the example request's curl command.
pub(crate) fn part_of(subject: &str, layout: Layout) -> Part {
    let first = subject.split(' ').next().unwrap_or_default();
    match first {
        "path" => Part::Path,
        "query" => Part::Query,
        "header" if !layout.lists_status_codes() => Part::ExampleRequest,
        "header" => Part::Header,
        "body" => Part::Body,
        "response" => Part::Response,
        "status" => Part::StatusCodes,
        _ if subject == "example request" => Part::ExampleRequest,
        _ if subject.starts_with("example response") => Part::ExampleResponse,
        _ => Part::Intro,
    }
}

/// Compares a page (or its absence) with a spec's side and says where each fact rests.
pub fn check(page: Option<&DocumentedOperation>, spec: &Side, cx: &Context<'_>) -> Provenance {
    let mut out = Provenance::default();
    let page_side = page.map(page_side).unwrap_or_else(|| Side {
        method: spec.method.clone(),
        path: spec.path.clone(),
        ..Side::default()
    });
    let mut findings = match page {
        Some(_) => compare(&page_side, spec, ("on the page", "in the spec")),
        None => Vec::new(),
    };
    let cut = page.and_then(|p| p.ends_in.as_ref());
    // A page that lists no status codes and reads to its end (OceanBase's pages) documents
    // none: the spec's status codes are not facts to check against it.
    let statuses_checked = page.is_none_or(|p| {
        page_side.statuses.is_some() || (p.ends_in.is_some() && p.layout.lists_status_codes())
    });

    let mut facts: Vec<String> = vec!["request line".into()];
    facts.extend(
        spec.fields
            .keys()
            .filter(|k| !spec.runtime_headers.contains(*k) || page_side.fields.contains_key(*k))
            .cloned(),
    );
    if statuses_checked {
        facts.extend(
            spec.statuses
                .iter()
                .flatten()
                .map(|c| format!("status {c}")),
        );
    }
    if spec.example_request.is_some() {
        facts.push("example request".into());
    }
    facts.extend(
        spec.example_responses
            .keys()
            .map(|c| format!("example response {c}")),
    );

    let absent_message = "in the spec, not on the page";
    let keys = cx.sources.join(", ");
    let name_source = if keys.is_empty() {
        format!(
            "add the source it comes from to {} (`[<Operation>.sources.<key>]` with repo and path) and name it with `{SOURCE}: <key>` on the fact or above it",
            cx.entry
        )
    } else {
        format!("name its source with `{SOURCE}: <key>` on the fact or above it (keys: {keys})")
    };
    for fact in facts {
        let on_page = page.is_some()
            && match fact.as_str() {
                "request line" => true,
                "example request" => page_side.example_request.is_some(),
                f if f.starts_with("example response ") => page_side
                    .example_responses
                    .contains_key(&f["example response ".len()..]),
                // A status the page names over its response fields or example counts too
                // (`Status code: 200` above a table the capture ends in).
                f if f.starts_with("status ") => {
                    let code = &f["status ".len()..];
                    page_side
                        .statuses
                        .as_ref()
                        .is_some_and(|s| s.contains(code))
                        || page.is_some_and(|p| {
                            p.responses.contains_key(code) || p.example_responses.contains_key(code)
                        })
                }
                f => page_side.fields.contains_key(f),
            };
        if on_page {
            out.on_page += 1;
            continue;
        }
        let reported = findings
            .iter()
            .position(|f| f.subject == fact && f.message == absent_message);
        // Status codes are compared only when the page lists some; a cut page that lists none
        // leaves the spec's unchecked just the same.
        let unexplained = page.is_none()
            || reported.is_some()
            || (fact.starts_with("status ") && page_side.statuses.is_none());
        let source = spec.sources.get(&fact);
        if !unexplained {
            match source {
                Some(s) => *out.by_source.entry(s.clone()).or_default() += 1,
                None => out.by_deviation += 1,
            }
            continue;
        }
        if cx.partial.is_some() || page.is_none() {
            if let Some(i) = reported {
                findings.remove(i);
            }
            match source {
                Some(s) => *out.by_source.entry(s.clone()).or_default() += 1,
                None => {
                    out.without_source += 1;
                    let why = match cx.missing {
                        Some(_) => "in the spec; no page is stored".to_owned(),
                        None => "in the spec, not on the page, which is recorded as partial".into(),
                    };
                    findings.push(Finding {
                        subject: fact.clone(),
                        message: format!("{why}: {name_source}"),
                        aspect: Default::default(),
                    });
                }
            }
            continue;
        }
        match cut {
            Some(c) if page.is_some_and(|p| part_of(&fact, p.layout) >= c.part) => {
                if let Some(i) = reported {
                    findings.remove(i);
                }
                out.unchecked += 1;
            }
            _ => out.not_on_page += 1,
        }
    }

    // A list of values the capture lost (the field itself is on the page): the spec's values
    // rest on the source named for the field, when one is.
    for (field, facts) in &spec.fields {
        if facts.enum_values.is_none()
            || !page_side.lost_values.contains(field)
            || !page_side.fields.contains_key(field)
        {
            continue;
        }
        match spec.sources.get(field) {
            Some(s) => *out.by_source.entry(s.clone()).or_default() += 1,
            None => out.values_without_source += 1,
        }
    }

    // A deviation about something the page does not reach cannot be judged stale.
    if cut.is_some() || page.is_none() {
        findings.retain(|f| {
            !f.message.contains("explains no difference")
                || page_side.fields.contains_key(&f.subject)
        });
    }
    match (cut, cx.partial) {
        (Some(c), None) => out.errors.push(format!(
            "the page ends in {}: {} of the spec's facts are unchecked; capture the whole page again, \
             or record `partial = \"ends in {}\"` in {} and name the source of each fact the page \
             does not show with `{SOURCE}: <key>` in the spec",
            c.section, out.unchecked, c.section, cx.entry
        )),
        (None, Some(_)) if page.is_some() => findings.push(Finding {
            subject: "page".into(),
            message: format!(
                "recorded as partial in {}, but the page reads to its end: remove `partial`",
                cx.entry
            ),
            aspect: Default::default(),
        }),
        _ => {}
    }
    findings.sort();
    out.findings = findings;
    out
}
