//! `cargo xtask docs fetch`: downloads each page from its URL in `pages.toml` (the spec's
//! `externalDocs.url`), writes it only when its content changed, and says which changed.
//!
//! The download is the only I/O of `cargo xtask docs`; everything else works offline on the
//! checked-in pages. A base URL can replace the pages' scheme and host (tests use a loopback
//! server; a mirror works too).

use std::{fs, path::Path, sync::Arc, time::Duration};

use super::{
    DocumentedOperation,
    run::{PAGES_FILE, Page, Report, pages},
};

/// Pages larger than this are refused (a documentation page is tens of kilobytes).
const MAX_PAGE_BYTES: u64 = 8 * 1024 * 1024;

/// The URL to download: `url`, or its path and query on `base`.
pub fn effective_url(url: &str, base: Option<&str>) -> String {
    let Some(base) = base else {
        return url.to_owned();
    };
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = after_scheme
        .find('/')
        .map(|i| &after_scheme[i..])
        .unwrap_or("/");
    format!("{}{path}", base.trim_end_matches('/'))
}

fn download(agent: &ureq::Agent, url: &str) -> Result<String, String> {
    let mut response = agent.get(url).call().map_err(|e| format!("{url}: {e}"))?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_PAGE_BYTES)
        .read_to_string()
        .map_err(|e| format!("{url}: {e}"))
}

/// The request line a download must show: the operation's spec's, else the stored capture's
/// (`None` when neither reads: then any page that reads is taken).
fn expected_request_line(
    root: &Path,
    p: &Page,
    stored: Option<&DocumentedOperation>,
) -> Option<(String, String)> {
    let spec = root
        .join("specs")
        .join(&p.api)
        .join(format!("{}.yaml", p.operation));
    let from_spec = fs::read_to_string(&spec).ok().and_then(|text| {
        let doc = crate::spec::parse_yaml(&spec.to_string_lossy(), &text).ok()?;
        let (path, method, _) = super::compare::only_operation(&doc).ok()?;
        Some((method.to_ascii_uppercase(), path.to_owned()))
    });
    from_spec.or_else(|| stored.map(|s| (s.method.clone(), s.path.clone())))
}

/// Whether a download may replace the stored capture: it reads as a page (with the reader
/// `docs check` uses), shows the operation's request line, and does not stop shorter than a
/// stored capture that reads to its end. The error says why not. Pure: the caller reads and
/// writes the files.
pub fn accept_download(
    url: &str,
    fetched: &str,
    expected: Option<(&str, &str)>,
    stored: Option<&DocumentedOperation>,
) -> Result<(), String> {
    let page = super::parse(url, fetched).map_err(|e| {
        format!(
            "the download is not a page this tool reads (section \"{}\": {})",
            e.section, e.message
        )
    })?;
    if let Some((method, path)) = expected
        && (!page.method.eq_ignore_ascii_case(method)
            || super::compare::normalized_path(&page.path) != super::compare::normalized_path(path))
    {
        return Err(format!(
            "the download documents {} {}, not this operation's {method} {path}",
            page.method, page.path
        ));
    }
    if let Some(cut) = &page.ends_in
        && stored.is_some_and(|s| s.ends_in.is_none())
    {
        return Err(format!(
            "the download ends in {}, while the stored capture reads to its end",
            cut.section
        ));
    }
    Ok(())
}

/// Sets `captured = "<today>"` in the operation's table of `pages.toml`, leaving the rest of
/// the file (comments included) as it is; a table without the line gets it under its header.
fn record_capture(list: &Path, operation: &str, today: &str) -> Result<(), String> {
    let text = fs::read_to_string(list).map_err(|e| format!("{}: {e}", list.display()))?;
    let updated = with_capture_date(&text, operation, today).ok_or_else(|| {
        format!(
            "{}: no `[{operation}]` table to record the capture date in",
            list.display()
        )
    })?;
    fs::write(list, updated).map_err(|e| format!("{}: {e}", list.display()))
}

/// `text` with `captured = "<today>"` in the `[operation]` table; `None` without the table.
fn with_capture_date(text: &str, operation: &str, today: &str) -> Option<String> {
    let line = format!("captured = \"{today}\"");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let header = lines
        .iter()
        .position(|l| l.trim() == format!("[{operation}]"))?;
    let end = lines[header + 1..]
        .iter()
        .position(|l| l.trim().starts_with('['))
        .map_or(lines.len(), |i| header + 1 + i);
    let existing = lines[header + 1..end].iter().position(|l| {
        let t = l.trim();
        t.strip_prefix("captured")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    });
    match existing {
        Some(i) => lines[header + 1 + i] = line,
        None => lines.insert(header + 1, line),
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Some(out)
}

/// Downloads the pages (all, or the one named `<api>/<Operation>`); `today` is the capture
/// date to record (YYYY-MM-DD). Findings are the changed pages; errors, the failed downloads.
pub fn fetch(root: &Path, only: Option<&str>, base: Option<&str>, today: &str) -> Report {
    let list: Vec<Page> = match pages(root) {
        Ok(l) => l
            .into_iter()
            .filter(|p| only.is_none_or(|o| o == format!("{}/{}", p.api, p.operation)))
            .collect(),
        Err(e) => return Report::failed(e),
    };
    if list.is_empty() {
        return Report::failed(format!(
            "no page to fetch{}: list pages in specs/<api>/{PAGES_FILE}",
            only.map(|o| format!(" named {o}")).unwrap_or_default()
        ));
    }
    let mut report = Report::default();
    // rustls's aws-lc-rs provider, named here: ureq is built without a provider of its own.
    let tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .tls_config(tls)
        .build()
        .into();
    for p in list {
        let Some(url) = p.entry.url.as_deref() else {
            report.errors.push(format!(
                "{}/{}: no url in specs/{}/{PAGES_FILE}: add the page's address",
                p.api, p.operation, p.api
            ));
            continue;
        };
        let url = effective_url(url, base);
        let fetched = match download(&agent, &url) {
            Ok(t) => t,
            Err(e) => {
                report
                    .errors
                    .push(format!("{}/{}: {e}", p.api, p.operation));
                continue;
            }
        };
        let old = fs::read_to_string(&p.path).ok();
        if old.as_deref() == Some(fetched.as_str()) {
            continue;
        }
        let rel = format!("specs/{}/pages/{}", p.api, p.file());
        // A download that is not the operation's page (a sign-in or JavaScript wall, another
        // page, a shorter capture) leaves the stored capture and its date as they are.
        let stored = old.as_deref().and_then(|t| super::parse(&rel, t).ok());
        let expected = expected_request_line(root, &p, stored.as_ref());
        if let Err(why) = accept_download(
            &url,
            &fetched,
            expected.as_ref().map(|(m, p)| (m.as_str(), p.as_str())),
            stored.as_ref(),
        ) {
            report.errors.push(format!(
                "{}/{}: {url}: {why}; {rel} and its capture date are kept (save the page from \
                 a browser and compare it with `cargo xtask docs diff` if the vendor changed it)",
                p.api, p.operation
            ));
            continue;
        }
        let written = fs::write(&p.path, &fetched)
            .map_err(|e| format!("{rel}: {e}"))
            .and_then(|()| {
                record_capture(
                    &root.join("specs").join(&p.api).join(PAGES_FILE),
                    &p.operation,
                    today,
                )
            });
        match written {
            Ok(()) => report.findings.push(format!(
                "changed: {rel} (run `cargo xtask docs diff` against the old version, then `cargo xtask docs check`)"
            )),
            Err(e) => report.errors.push(e),
        }
    }
    report
}

/// Today's date (UTC) as YYYY-MM-DD, from seconds since the Unix epoch.
pub fn date_of(unix_seconds: u64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let z = (unix_seconds / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_urls() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(1_796_169_600), "2026-12-02");
        assert_eq!(
            effective_url(
                "https://support.huaweicloud.com/intl/x.html",
                Some("http://127.0.0.1:9/")
            ),
            "http://127.0.0.1:9/intl/x.html"
        );
    }

    /// A whole page in the markdown layout, and the same page cut inside its example.
    const PAGE: &str = "Request path\nPOST /api/v2/things/{thingId}\nRequest parameters\n\
        | Parameter | Type | Required | Description |\n|---|---|---|---|\n\
        | thingId | String | Yes | The thing. |\nResponse parameters\n\
        | Parameter | Type | Description |\n|---|---|---|\n| RequestId | String | The request. |\n\
        Response example\n{\n\"RequestId\": \"x\"\n}\n";

    #[test]
    fn a_download_replaces_the_capture_only_when_it_is_the_operation_s_page() {
        let url = "http://127.0.0.1:9/page.html";
        let stored = crate::docs::parse("stored", PAGE).unwrap();
        assert!(stored.ends_in.is_none(), "{stored:?}");
        let expected = Some(("POST", "/api/v2/things/{id}"));
        assert_eq!(accept_download(url, PAGE, expected, Some(&stored)), Ok(()));
        let wall = "<html><body>Please enable JavaScript to view this page.</body></html>";
        let error = accept_download(url, wall, expected, Some(&stored)).unwrap_err();
        assert!(
            error.starts_with("the download is not a page this tool reads"),
            "{error}"
        );
        let other = accept_download(url, PAGE, Some(("GET", "/api/v2/other")), None).unwrap_err();
        assert_eq!(
            other,
            "the download documents POST /api/v2/things/{thingId}, not this operation's GET /api/v2/other"
        );
        let cut = &PAGE[..PAGE.len() - 3];
        let shorter = accept_download(url, cut, expected, Some(&stored)).unwrap_err();
        assert!(shorter.starts_with("the download ends in "), "{shorter}");
        // With no whole capture stored, a cut download is still a capture to keep.
        assert_eq!(accept_download(url, cut, expected, None), Ok(()));
    }

    #[test]
    fn the_capture_date_is_replaced_or_added_in_its_own_table() {
        let text = "# pages\n[A]\nfile = \"A.txt\"\ncaptured = \"2026-01-01\" # old\n\n[B]\nfile = \"B.txt\"\n";
        assert_eq!(
            with_capture_date(text, "A", "2026-12-07").as_deref(),
            Some(
                "# pages\n[A]\nfile = \"A.txt\"\ncaptured = \"2026-12-07\"\n\n[B]\nfile = \"B.txt\"\n"
            )
        );
        assert_eq!(
            with_capture_date(text, "B", "2026-12-07").as_deref(),
            Some(
                "# pages\n[A]\nfile = \"A.txt\"\ncaptured = \"2026-01-01\" # old\n\n[B]\ncaptured = \"2026-12-07\"\nfile = \"B.txt\"\n"
            )
        );
        assert_eq!(with_capture_date(text, "C", "2026-12-07"), None);
    }
}
