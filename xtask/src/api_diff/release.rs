//! Release records, the version gate and the changelogs: per API, `specs/<api>/release.json` is
//! the surface of the crate's last released version and the public items the generator made of
//! it; `cargo xtask api-diff` compares the specs (and the crate generated from them in memory)
//! with it (or with the specs at a git revision, generated the same way), says which bump the
//! changes need under Cargo's rules and whether `api.toml` has it, and keeps
//! `specs/<api>/CHANGELOG.md` in step.

use std::{
    fmt::{self, Write as _},
    fs,
    path::Path,
    process::Command,
};

use crate::{
    SpecError,
    api_diff::{self, Change, Level, Snapshot, Wire},
};

/// The release record of an API, next to its specs.
pub const RECORD_FILE: &str = "release.json";
/// The changelog of an API's crate, next to its specs.
pub const CHANGELOG_FILE: &str = "CHANGELOG.md";
/// The command, for messages.
pub const COMMAND: &str = "cargo xtask api-diff";

/// A `major.minor.patch` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// Parses `x.y.z` (no pre-release or build parts: the crates do not use them).
    pub fn parse(s: &str) -> Result<Version, String> {
        let parts: Option<Vec<u64>> = s.trim().split('.').map(|p| p.parse().ok()).collect();
        match parts.as_deref() {
            Some(&[x, y, z]) => Ok(Version(x, y, z)),
            _ => Err(format!(
                "version {s:?} is not of the form major.minor.patch"
            )),
        }
    }

    /// The lowest version after `self` that Cargo treats as allowed for a change of `level`:
    /// before 1.0 a breaking change moves the minor number (0.0.z: the patch number) and an
    /// addition may go in a patch release, as Cargo's `^0.y.z` requirements assume.
    pub fn bumped(self, level: Level) -> Version {
        let Version(x, y, z) = self;
        match (x, y, level) {
            (0, 0, _) => Version(0, 0, z + 1),
            (0, _, Level::Major) => Version(0, y + 1, 0),
            (0, _, _) => Version(0, y, z + 1),
            (_, _, Level::Major) => Version(x + 1, 0, 0),
            (_, _, Level::Minor) => Version(x, y + 1, 0),
            (_, _, Level::Patch) => Version(x, y, z + 1),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// What the specs are compared with.
#[derive(Debug, Clone)]
pub enum Base {
    /// Each API's release record.
    Records,
    /// The specs at a git revision.
    Git(String),
}

/// The comparison of one crate.
#[derive(Debug, Clone)]
pub struct CrateReport {
    /// Directory name under `specs/`.
    pub api: String,
    /// Crate name.
    pub crate_name: String,
    /// The version compared with (the record's or the revision's); None for a new crate.
    pub base_version: Option<Version>,
    /// What it is compared with: `released` or `at <rev>`.
    pub base_label: String,
    /// The version in `api.toml`.
    pub version: Version,
    /// Every change, classified.
    pub changes: Vec<Change>,
    /// The surface and generated items now (for records and first changelog entries).
    pub now: Snapshot,
}

impl CrateReport {
    /// The bump the changes need, if any.
    pub fn needs(&self) -> Option<Level> {
        self.changes.iter().map(Change::needs).max()
    }

    /// The lowest version `api.toml` may have.
    pub fn required_version(&self) -> Option<Version> {
        let base = self.base_version?;
        Some(match self.needs() {
            Some(level) => base.bumped(level),
            None => base,
        })
    }

    /// Whether `api.toml`'s version is enough for the changes.
    pub fn sufficient(&self) -> bool {
        self.required_version().is_none_or(|v| self.version >= v)
    }

    /// The problem, when the version is not enough: names the changes and the bump.
    pub fn problem(&self) -> Option<String> {
        if self.sufficient() {
            return None;
        }
        let required = self.required_version()?;
        let base = self.base_version?;
        let level = self.needs().unwrap_or(Level::Patch);
        let worst: Vec<String> = self
            .changes
            .iter()
            .filter(|c| c.needs() == level)
            .map(|c| format!("    {c} (wire {}, Rust {})", c.wire, c.rust))
            .collect();
        Some(format!(
            "{}: version {} in specs/{}/api.toml is not enough: these changes since {base} need a {level} bump{}:\n{}\n  set `version = \"{required}\"` (or higher) in specs/{}/api.toml, then run `{COMMAND} --changelog`",
            self.crate_name,
            self.version,
            self.api,
            if base.0 == 0 && level == Level::Major {
                " (before 1.0 that moves the minor number)"
            } else {
                ""
            },
            worst.join("\n"),
            self.api
        ))
    }
}

fn read_record(path: &Path) -> Result<Option<Snapshot>, String> {
    match fs::read_to_string(path) {
        Ok(text) => {
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a release record: {e}", path.display()))?;
            if value.get("rust").is_none() {
                return Err(format!(
                    "{}: the record has no `rust` items (the public items of the released crate, \
                     which the Rust verdicts compare); at the commit of the release, run \
                     `{COMMAND} --record` again for this API (delete the record first)",
                    path.display()
                ));
            }
            serde_json::from_value(value)
                .map(Some)
                .map_err(|e| format!("{}: not a release record: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
    }
}

/// Compares every API under `root/specs` with `base`.
pub fn reports(root: &Path, base: &Base) -> Result<Vec<CrateReport>, String> {
    let now = load(root).map_err(|e| format!("specs in the working tree:\n{}", errors_text(e)))?;
    let git_base = match base {
        Base::Records => None,
        Base::Git(rev) => Some(specs_at(root, rev)?),
    };
    let mut out = Vec::new();
    for (api, s) in now {
        let before = match &git_base {
            None => read_record(&root.join("specs").join(&api).join(RECORD_FILE))?,
            Some(list) => list
                .iter()
                .find(|(name, _)| *name == api)
                .map(|(_, b)| b.clone()),
        };
        let version =
            Version::parse(&s.surface.version).map_err(|e| format!("specs/{api}/api.toml: {e}"))?;
        let (base_version, changes) = match &before {
            Some(b) => (
                Some(
                    Version::parse(&b.surface.version)
                        .map_err(|e| format!("release record of {api}: {e}"))?,
                ),
                api_diff::compare(b, &s),
            ),
            None => (None, Vec::new()),
        };
        if let Some(b) = base_version
            && version < b
        {
            return Err(format!(
                "specs/{api}/api.toml: version {version} is lower than the released {b}"
            ));
        }
        out.push(CrateReport {
            api,
            crate_name: s.surface.crate_name.clone(),
            base_version,
            base_label: match base {
                Base::Records => "released".to_owned(),
                Base::Git(rev) => format!("at {rev}"),
            },
            version,
            changes,
            now: s,
        });
    }
    Ok(out)
}

/// Each API's folder name and snapshot: its surface and the items of the crate generated from
/// it in memory.
fn load(root: &Path) -> Result<Vec<(String, Snapshot)>, Vec<SpecError>> {
    let apis = crate::spec::load_all(root)?;
    crate::all_or_errors(apis.into_iter().map(|api| match Snapshot::of(&api) {
        Ok(s) => Ok((api.name, s)),
        Err(e) => Err(vec![e]),
    }))
}

fn errors_text(errors: Vec<SpecError>) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The snapshots of the specs at git revision `rev`, read with `git archive` into a scratch
/// folder that is removed afterwards. Where `rev` has a crate's generated code (checked in, and
/// fresh where CI passed), its items are those of that code, so that what the generator changed
/// since shows too; otherwise they are generated from the specs at `rev`.
fn specs_at(root: &Path, rev: &str) -> Result<Vec<(String, Snapshot)>, String> {
    // Unique per process and call, so that parallel runs never share a folder.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scratch =
        std::env::temp_dir().join(format!("xtask-api-diff-base-{}-{call}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let result = (|| {
        let archive = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["archive", "--format=tar", rev, "specs", "generated"])
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !archive.status.success() {
            return Err(format!(
                "git archive {rev} specs failed: {}",
                String::from_utf8_lossy(&archive.stderr).trim()
            ));
        }
        let tar = scratch.join("specs.tar");
        fs::write(&tar, &archive.stdout).map_err(|e| format!("{}: {e}", tar.display()))?;
        let status = Command::new("tar")
            .arg("-xf")
            .arg(&tar)
            .arg("-C")
            .arg(&scratch)
            .status()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        if !status.success() {
            return Err(format!("tar could not unpack the specs of {rev}"));
        }
        let mut snapshots =
            load(&scratch).map_err(|e| format!("specs at {rev}:\n{}", errors_text(e)))?;
        for (api, snapshot) in &mut snapshots {
            let lib_rs = format!("generated/{api}/src/lib.rs");
            if let Ok(code) = fs::read_to_string(scratch.join(&lib_rs)) {
                snapshot.rust = api_diff::rust::Items::of_code(&code)
                    .map_err(|e| format!("{lib_rs} at {rev}: {e}"))?;
            }
        }
        Ok(snapshots)
    })();
    let _ = fs::remove_dir_all(&scratch);
    result
}

/// The report as text, for a terminal.
pub fn render_text(reports: &[CrateReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(out, "{}", heading(r));
        for c in &r.changes {
            let _ = writeln!(out, "  [wire {:<10} | Rust {:<5}] {c}", c.wire, c.rust);
            let _ = writeln!(out, "      wire: {}", c.wire_rule);
            let _ = writeln!(out, "      Rust: {}", c.rust_reason);
        }
        let _ = writeln!(out, "  {}\n", verdict(r));
    }
    out
}

/// The report as Markdown, for a pull-request comment.
pub fn render_markdown(reports: &[CrateReport]) -> String {
    let mut out = String::from("## API changes\n\n");
    for r in reports {
        let _ = writeln!(out, "### {}\n", heading(r));
        if !r.changes.is_empty() {
            let _ = writeln!(out, "| change | wire | Rust semver |\n|---|---|---|");
            for c in &r.changes {
                let _ = writeln!(
                    out,
                    "| `{}`: {} | **{}**: {} | **{}**: {} |",
                    c.subject,
                    c.what.replace('|', "\\|"),
                    c.wire,
                    c.wire_rule,
                    c.rust,
                    c.rust_reason
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "{}\n", verdict(r));
    }
    out
}

fn heading(r: &CrateReport) -> String {
    match r.base_version {
        Some(b) => format!(
            "{}: {} {b}, api.toml {}, {} change{}",
            r.crate_name,
            r.base_label,
            r.version,
            r.changes.len(),
            if r.changes.len() == 1 { "" } else { "s" }
        ),
        None => format!(
            "{} {}: no release record yet (a new crate; `{COMMAND} --record` makes one)",
            r.crate_name, r.version
        ),
    }
}

fn verdict(r: &CrateReport) -> String {
    let (Some(base), Some(required)) = (r.base_version, r.required_version()) else {
        return "ok: nothing to compare with".into();
    };
    let needs = match r.needs() {
        None => format!("no API changes since {base}"),
        Some(level) => format!("needs a {level} bump: {required} or later"),
    };
    // The largest change the version allows, by the same Cargo rules as the bump needed: before
    // 1.0, 0.1.0 -> 0.2.0 is a major bump.
    let has = match [Level::Major, Level::Minor, Level::Patch]
        .into_iter()
        .find(|level| r.version >= base.bumped(*level))
    {
        Some(level) => format!("a {level} bump"),
        None => "no bump".to_owned(),
    };
    if r.sufficient() {
        format!("ok: {needs}; api.toml has {} ({has})", r.version)
    } else {
        format!(
            "FAIL: {needs}; api.toml has {} ({has}): set version = \"{required}\" in specs/{}/api.toml",
            r.version, r.api
        )
    }
}

const CHANGELOG_HEADER: &str = "\
<!-- Entries are written by `cargo xtask api-diff --changelog` from the classified API changes
     and checked by `cargo xtask api-diff --changelog --check`; do not edit them by hand. -->
";

/// The changelog entry for the report's unreleased version (None when there is none).
pub fn changelog_entry(r: &CrateReport) -> Option<String> {
    let base = r.base_version?;
    if r.version == base {
        return None;
    }
    let mut out = format!("## {}\n\nChanges since {base}.\n", r.version);
    for (level, title) in [
        (Level::Major, "Breaking changes"),
        (Level::Minor, "Additions"),
        (Level::Patch, "Other changes"),
    ] {
        let items: Vec<&Change> = r.changes.iter().filter(|c| c.needs() == level).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {title}\n");
        for c in items {
            let _ = writeln!(
                out,
                "- {c} (wire: {}{}; Rust: {})",
                c.wire,
                if c.wire == Wire::Breaking {
                    format!(", {}", c.wire_rule)
                } else {
                    String::new()
                },
                c.rust
            );
        }
    }
    if r.changes.is_empty() {
        out.push_str("\nNo API changes.\n");
    }
    Some(out)
}

fn first_entry(s: &crate::spec::surface::Surface) -> String {
    let ops: Vec<String> = s.operations.iter().map(|o| format!("`{}`", o.id)).collect();
    format!("## {}\n\nFirst release: {}.\n", s.version, ops.join(", "))
}

/// The `## version` sections of a changelog.
fn entries(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(v) = line.strip_prefix("## ") {
            out.push((v.trim().to_owned(), line.to_owned()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
        }
    }
    for (_, body) in &mut out {
        *body = format!("{}\n", body.trim_end());
    }
    out
}

/// Problems with the changelogs: the entry for an unreleased version missing or not what the
/// classification says, or no entry for the released version.
pub fn check_changelogs(root: &Path, reports: &[CrateReport]) -> Vec<String> {
    let mut problems = Vec::new();
    for r in reports {
        let Some(base) = r.base_version else { continue };
        let file = format!("specs/{}/{CHANGELOG_FILE}", r.api);
        let text = fs::read_to_string(root.join(&file)).unwrap_or_default();
        let have = entries(&text);
        let find = |v: &str| have.iter().find(|(k, _)| k == v).map(|(_, b)| b);
        if find(&base.to_string()).is_none() {
            problems.push(format!("{file}: no entry for the released version {base}"));
        }
        for (v, _) in &have {
            if superseded(v, base, r.version) {
                problems.push(format!(
                    "{file}: the entry for {v} was never released ({base} is, and api.toml has {}); run `{COMMAND} --changelog`",
                    r.version
                ));
            }
        }
        if let Some(expected) = changelog_entry(r) {
            match find(&r.version.to_string()) {
                None => problems.push(format!(
                    "{file}: no entry for {} (api.toml's version); run `{COMMAND} --changelog`",
                    r.version
                )),
                Some(body) if *body != expected => problems.push(format!(
                    "{file}: the entry for {} does not match the changes since {base}; run `{COMMAND} --changelog`",
                    r.version
                )),
                Some(_) => {}
            }
        }
    }
    problems
}

/// Writes each changelog's entry for the unreleased version; returns the files changed.
pub fn write_changelogs(root: &Path, reports: &[CrateReport]) -> Result<Vec<String>, String> {
    let mut written = Vec::new();
    for r in reports {
        let entry = match (changelog_entry(r), r.base_version) {
            (Some(e), _) => e,
            (None, None) => first_entry(&r.now.surface),
            (None, Some(_)) => continue,
        };
        let file = format!("specs/{}/{CHANGELOG_FILE}", r.api);
        if upsert_entry(root, &file, r, &entry)? {
            written.push(file);
        }
    }
    Ok(written)
}

/// An entry of a version above the released one that is no longer api.toml's: the version was
/// never released, and its changes are in the entry of the version that replaced it.
fn superseded(entry: &str, released: Version, now: Version) -> bool {
    Version::parse(entry).is_ok_and(|v| v > released && v != now)
}

/// Writes `entry` as the entry of `r`'s version, in place of an entry of a version that was
/// never released.
fn upsert_entry(root: &Path, file: &str, r: &CrateReport, entry: &str) -> Result<bool, String> {
    let path = root.join(file);
    let text = fs::read_to_string(&path).unwrap_or_default();
    let mut have = entries(&text);
    let before = have.len();
    if let Some(released) = r.base_version {
        have.retain(|(v, _)| !superseded(v, released, r.version));
    }
    let dropped = have.len() != before;
    let version = r.version.to_string();
    match have.iter_mut().find(|(v, _)| *v == version) {
        Some((_, body)) if body == entry && !dropped => return Ok(false),
        Some((_, body)) => *body = entry.to_owned(),
        None => have.insert(0, (version, entry.to_owned())),
    }
    let mut out = format!("# Changelog of `{}`\n\n{CHANGELOG_HEADER}", r.crate_name);
    for (_, body) in &have {
        out.push('\n');
        out.push_str(body);
    }
    fs::write(&path, out).map_err(|e| format!("{file}: {e}"))?;
    Ok(true)
}

/// Writes the release record of every API whose version is new (or that has none), after
/// checking that the version is enough and the changelog has its entry. Returns the files
/// written.
/// With `only`, the crate of `specs/<only>` alone is recorded (and checked): releasing one crate
/// leaves the others' pending changes pending.
pub fn record(root: &Path, only: Option<&str>) -> Result<Vec<String>, String> {
    let mut reports = reports(root, &Base::Records)?;
    if let Some(api) = only {
        if !reports.iter().any(|r| r.api == api) {
            let known: Vec<&str> = reports.iter().map(|r| r.api.as_str()).collect();
            return Err(format!(
                "no API `{api}` in specs/: write one of {}",
                known.join(", ")
            ));
        }
        reports.retain(|r| r.api == api);
    }
    let mut problems: Vec<String> = reports.iter().filter_map(CrateReport::problem).collect();
    problems.extend(check_changelogs(root, &reports));
    for r in reports.iter().filter(|r| r.base_version.is_none()) {
        let file = format!("specs/{}/{CHANGELOG_FILE}", r.api);
        let text = fs::read_to_string(root.join(&file)).unwrap_or_default();
        if !entries(&text)
            .iter()
            .any(|(v, _)| *v == r.version.to_string())
        {
            problems.push(format!(
                "{file}: no entry for {}; run `{COMMAND} --changelog`",
                r.version
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let mut written = Vec::new();
    for r in &reports {
        if r.base_version == Some(r.version) {
            continue;
        }
        let file = format!("specs/{}/{RECORD_FILE}", r.api);
        let json = serde_json::to_string_pretty(&r.now).map_err(|e| e.to_string())?;
        fs::write(root.join(&file), format!("{json}\n")).map_err(|e| format!("{file}: {e}"))?;
        written.push(file);
    }
    Ok(written)
}
