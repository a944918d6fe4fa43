//! `cargo xtask api-diff`: classifies every change between two surfaces of an API twice, for
//! the wire (does a client built for the old spec still work against a server that follows the
//! new one?) and for Rust semver (does code that compiled against the old crate still compile
//! and behave?), and derives the version bump the crate needs.
//!
//! The wire rules are written here rather than taken from oxidecomputer's `drift` crate: drift
//! 0.2.0 compares raw OpenAPI documents and reports most of the changes these specs make
//! (object properties, `required`, enum values, integer formats) as "unhandled", sees no change
//! when a path parameter is renamed, and knows nothing of `x-open-enum` or `api.toml`
//! (`client_supplied`, base URL, auth). The rules follow oasdiff's principle, "narrowing
//! requests and widening responses break clients", on our typed surface model.

pub mod release;
pub mod rust;

use std::{
    cmp::Ordering,
    collections::{BTreeMap, BTreeSet},
    fmt,
};

use serde::{Deserialize, Serialize};

use crate::spec::{
    LoadedApi, SpecError, naming,
    surface::{Discriminator, Extra, Operation, Schema, Shape, Surface, Type, Usage},
};

/// One side of a comparison: the surface of an API's specs (for the wire verdicts) and the
/// public items of the crate the generator makes of them (for the Rust verdicts). A release
/// record is one, serialized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The typed surface of the specs.
    #[serde(flatten)]
    pub surface: Surface,
    /// The generated crate's public items that the specs decide.
    pub rust: rust::Items,
}

impl Snapshot {
    /// The surface of `api` and the items of its crate, generated in memory.
    pub fn of(api: &LoadedApi) -> Result<Snapshot, SpecError> {
        Ok(Snapshot {
            surface: Surface::of(api),
            rust: rust::Items::of_api(api)?,
        })
    }
}

/// The wire verdict of one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Wire {
    /// Clients built for the old spec keep working.
    Compatible,
    /// Some client built for the old spec fails.
    Breaking,
}

/// A semver level, for Rust verdicts and for the bump a crate needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing a user can observe in the Rust API.
    Patch,
    /// Additions: code that compiled still compiles and behaves the same.
    Minor,
    /// Code that compiled may no longer compile, or behaves differently.
    Major,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        })
    }
}

impl fmt::Display for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Wire::Compatible => "compatible",
            Wire::Breaking => "breaking",
        })
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed: `operation show_vpcep_connection`, `VpcepConnection.status`.
    pub subject: String,
    /// How it changed: `response field added (optional)`.
    pub what: String,
    /// Wire verdict.
    pub wire: Wire,
    /// The wire rule that decided it.
    pub wire_rule: String,
    /// Rust semver verdict.
    pub rust: Level,
    /// Why.
    pub rust_reason: String,
}

impl Change {
    /// The bump this change needs: its Rust verdict, and major when it breaks the wire (a
    /// client that talks differently to the server is an incompatible behaviour change, even
    /// when the Rust API is the same).
    pub fn needs(&self) -> Level {
        match self.wire {
            Wire::Breaking => Level::Major,
            Wire::Compatible => self.rust,
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.what)
    }
}

struct Out(Vec<Change>);

impl Out {
    fn push(
        &mut self,
        subject: impl Into<String>,
        what: impl Into<String>,
        wire: (Wire, &str),
        rust: (Level, &str),
    ) {
        self.0.push(Change {
            subject: subject.into(),
            what: what.into(),
            wire: wire.0,
            wire_rule: wire.1.to_owned(),
            rust: rust.0,
            rust_reason: rust.1.to_owned(),
        });
    }
}

/// A wire verdict: clients built for the old spec keep working, by `rule`.
const fn ok(rule: &str) -> (Wire, &str) {
    (Wire::Compatible, rule)
}

/// A wire verdict: some client built for the old spec fails, by `rule`.
const fn breaks(rule: &str) -> (Wire, &str) {
    (Wire::Breaking, rule)
}

/// A Rust verdict of each level, and why.
const fn patch(why: &str) -> (Level, &str) {
    (Level::Patch, why)
}

const fn minor(why: &str) -> (Level, &str) {
    (Level::Minor, why)
}

const fn major(why: &str) -> (Level, &str) {
    (Level::Major, why)
}

const SAME_VALUES: &str = "the values admitted are the same";
const UNUSED: &str = "not used by any operation";
/// The Rust verdict of any change to a schema that api.toml replaces on both sides.
const HAND_WRITTEN: (Level, &str) = patch("a hand-written type: nothing generated changes");
/// The verdicts of a deprecation marked or withdrawn: a notice for the changelog.
const DEPRECATION: ((Wire, &str), (Level, &str)) = (
    ok("a deprecation changes nothing on the wire"),
    patch("the generated code does not mark deprecations"),
);

/// What a change of `deprecated` to `now` says.
fn deprecation(now: bool) -> &'static str {
    if now {
        "deprecated"
    } else {
        "no longer deprecated"
    }
}

/// Every change from `before` to `after`, classified.
pub fn compare(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let (old_api, new_api) = (before, after);
    let (before, after) = (&before.surface, &after.surface);
    let mut out = Out(Vec::new());
    let krate = format!("crate {}", after.crate_name);
    if before.crate_name != after.crate_name {
        out.push(
            &krate,
            format!("renamed from {}", before.crate_name),
            ok("the requests are the same"),
            major(
                "dependents name the crate in Cargo.toml and in paths: under the old name no \
                 release follows",
            ),
        );
    }
    if before.base_url != after.base_url {
        out.push(
            &krate,
            format!("base URL {} -> {}", before.base_url, after.base_url),
            breaks("clients of the old version call the old host"),
            patch("the Rust API is the same; only the default URL differs"),
        );
    }
    if before.auth != after.auth {
        out.push(
            &krate,
            format!("auth {} -> {}", before.auth, after.auth),
            breaks("the server refuses the old authentication"),
            major("the client's constructors and credentials change"),
        );
    }
    // An operation whose id changed but whose method and path did not is the same endpoint
    // under a new Rust name.
    let same_endpoint = |a: &Operation, b: &Operation| {
        a.method == b.method && path_shape(&a.path) == path_shape(&b.path)
    };
    let mut renamed_to: Vec<&str> = Vec::new();
    for op in &before.operations {
        if let Some(new) = after.operation(&op.id) {
            compare_operation(op, new, old_api, new_api, &mut out);
            continue;
        }
        let renamed = after
            .operations
            .iter()
            .find(|n| before.operation(&n.id).is_none() && same_endpoint(op, n));
        match renamed {
            Some(new) => {
                out.push(
                    format!("operation {}", op.id),
                    format!("renamed to {} (operationId)", new.id),
                    ok("the method and path are the same"),
                    major(
                        "the client method is renamed, so calls to the old one no longer compile",
                    ),
                );
                renamed_to.push(&new.id);
                compare_operation(op, new, old_api, new_api, &mut out);
            }
            None => out.push(
                format!("operation {}", op.id),
                format!("removed ({} {})", op.method, op.path),
                breaks("old clients call an operation the server no longer has"),
                major("the client method is removed"),
            ),
        }
    }
    for op in &after.operations {
        if before.operation(&op.id).is_none() && !renamed_to.contains(&op.id.as_str()) {
            out.push(
                format!("operation {}", op.id),
                format!("added ({} {})", op.method, op.path),
                ok("a new operation does not affect old clients"),
                minor("a new client method"),
            );
        }
    }
    for (name, old) in &before.schemas {
        match after.schemas.get(name) {
            None => out.push(
                format!("schema {name}"),
                "removed",
                ok("its uses are classified where they change"),
                if !old_api.rust.has_type(name) {
                    patch("it was a hand-written type; nothing generated goes")
                } else {
                    major("the generated type is removed")
                },
            ),
            Some(new) => compare_schema(name, old, new, old_api, new_api, &mut out),
        }
    }
    for name in after.schemas.keys() {
        if !before.schemas.contains_key(name) {
            out.push(
                format!("schema {name}"),
                "added",
                ok("its uses are classified where they change"),
                if !new_api.rust.has_type(name) {
                    patch("replaced by a hand-written type; nothing is generated")
                } else {
                    minor("a new generated type")
                },
            );
        }
    }
    generator_changes(old_api, new_api, &mut out);
    out.0
}

/// The public items no spec change above accounts for: those of an operation or schema whose
/// spec is the same on both sides, and an operation's builder methods that are not a
/// parameter's setter, its body or its outcome (`call`, `send`, the paging streams). A record's
/// items are those of the released crate's code, so a change of the generator (or progenitor,
/// or the runtime types it names) that reaches users needs its bump like a change of the
/// specs.
fn generator_changes(old_api: &Snapshot, new_api: &Snapshot, out: &mut Out) {
    let (before, after) = (&old_api.surface, &new_api.surface);
    // Per subject, which item keys are judged here.
    type Judged<'a> = Box<dyn Fn(&str) -> bool + 'a>;
    let mut owners: Vec<(String, bool, Judged<'_>)> = Vec::new();
    for op in &before.operations {
        let Some(new) = after.operation(&op.id) else {
            continue;
        };
        let same = new == op;
        let client = format!("client {}", naming::snake(&op.id));
        let builder = format!("{}.", naming::pascal(&op.id));
        let by_spec: BTreeSet<String> = op
            .parameters
            .iter()
            .chain(&new.parameters)
            .map(|p| naming::snake(&p.name))
            .chain(["body", "body_map", rust::OUTCOME].map(String::from))
            .collect();
        owners.push((
            format!("operation {}", op.id),
            same,
            Box::new(move |key: &str| {
                (same && key == client)
                    || key
                        .strip_prefix(&builder)
                        .is_some_and(|method| same || !by_spec.contains(method))
            }),
        ));
    }
    for (name, schema) in &before.schemas {
        if after.schemas.get(name) == Some(schema) {
            let (key, fields, variants) = (
                format!("type {name}"),
                format!("type {name}."),
                format!("type {name}::"),
            );
            owners.push((
                format!("schema {name}"),
                true,
                Box::new(move |k: &str| {
                    k == key || k.starts_with(&fields) || k.starts_with(&variants)
                }),
            ));
        }
    }
    let owned = |items: &rust::Items, judged: &Judged<'_>| -> BTreeMap<String, String> {
        items
            .0
            .iter()
            .filter(|(k, _)| judged(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    for (subject, same_spec, judged) in owners {
        let (wire, by) = if same_spec {
            (
                ok("the spec's wire form is the same, so the requests are"),
                " (the spec's wire form is the same: a change of the generator)",
            )
        } else {
            let wire = "a Rust item: the requests are judged with the spec's changes";
            (ok(wire), "")
        };
        let (was, is) = (owned(&old_api.rust, &judged), owned(&new_api.rust, &judged));
        for (key, old) in &was {
            match is.get(key) {
                None => out.push(
                    &subject,
                    format!("`{key}` removed (was `{old}`)"),
                    wire,
                    major(&format!("code that uses it no longer compiles{by}")),
                ),
                // Inside `types`, `crate::types::X` and `X` are the same type.
                Some(new)
                    if new.replace("crate::types::", "") != old.replace("crate::types::", "") =>
                {
                    out.push(
                        &subject,
                        format!("`{key}` changed: `{old}` -> `{new}`"),
                        wire,
                        major(&format!(
                            "code written for the old one may no longer compile{by}"
                        )),
                    )
                }
                Some(_) => {}
            }
        }
        for (key, new) in &is {
            if !was.contains_key(key) {
                out.push(
                    &subject,
                    format!("`{key}` added (`{new}`)"),
                    wire,
                    minor(&format!("a new public item{by}")),
                );
            }
        }
    }
}

/// The path with its parameter names blanked: what the wire sees.
fn path_shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            c => out.push(c),
        }
    }
    out
}

fn path_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

fn compare_operation(
    old: &Operation,
    new: &Operation,
    old_api: &Snapshot,
    new_api: &Snapshot,
    out: &mut Out,
) {
    let (before, after) = (&old_api.surface, &new_api.surface);
    let subject = format!("operation {}", new.id);
    if old.method != new.method || path_shape(&old.path) != path_shape(&new.path) {
        out.push(
            &subject,
            format!(
                "moved from {} {} to {} {}",
                old.method, old.path, new.method, new.path
            ),
            breaks("old clients call the old method and path"),
            patch("the client method is the same; it sends the request elsewhere"),
        );
    }
    if old.deprecated != new.deprecated {
        let (wire, rust) = DEPRECATION;
        out.push(&subject, deprecation(new.deprecated), wire, rust);
    }
    // Path parameters pair by position: their names never reach the wire.
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    if path_shape(&old.path) == path_shape(&new.path) {
        for (a, b) in path_params(&old.path)
            .into_iter()
            .zip(path_params(&new.path))
        {
            if a != b {
                out.push(
                    &subject,
                    format!("path parameter `{a}` renamed to `{b}`"),
                    ok("path parameter names are not sent; the URL is the same"),
                    major("the builder's setter is renamed, so calls to the old one no longer compile"),
                );
                renamed.insert(a, b);
            }
        }
    }
    let rust_required = |p: &crate::spec::surface::Parameter| p.required && !p.client_supplied;
    for p in &old.parameters {
        let name = renamed.get(&p.name).unwrap_or(&p.name);
        let Some(q) = new.parameters.iter().find(|q| &q.name == name) else {
            out.push(
                &subject,
                format!("{} parameter `{}` removed", p.location, p.name),
                breaks("old clients still send it; a server that checks its parameters refuses it"),
                major("the builder's setter is removed"),
            );
            continue;
        };
        let what = |w: &str| format!("{} parameter `{}` {w}", q.location, q.name);
        if p.location != q.location {
            out.push(
                &subject,
                what(&format!("moved from {} to {}", p.location, q.location)),
                breaks("old clients send it in the old place"),
                patch("the setter is the same"),
            );
        }
        if p.deprecated != q.deprecated {
            let (wire, rust) = DEPRECATION;
            out.push(&subject, what(deprecation(q.deprecated)), wire, rust);
        }
        if p.required != q.required {
            let (change, wire) = made_required(q.required);
            let rust = rust_required_change(rust_required(p), rust_required(q));
            out.push(&subject, what(change), wire, rust);
        } else if p.client_supplied != q.client_supplied {
            out.push(
                &subject,
                what(if q.client_supplied {
                    "now supplied by the runtime"
                } else {
                    "no longer supplied by the runtime"
                }),
                ok("the request on the wire is the same"),
                rust_required_change(rust_required(p), rust_required(q)),
            );
        }
        if let Some(wire) = compare_types(&p.ty, &q.ty, REQUEST, before, after) {
            out.push(
                &subject,
                what(&format!("type {} -> {}", p.ty.render(), q.ty.render())),
                wire,
                rust_param_type_change(
                    old_api.rust.setter(&old.id, &p.name),
                    new_api.rust.setter(&new.id, &q.name),
                    old_api,
                    new_api,
                ),
            );
        }
    }
    for q in &new.parameters {
        let known = old
            .parameters
            .iter()
            .any(|p| renamed.get(&p.name).unwrap_or(&p.name) == &q.name);
        if known {
            continue;
        }
        let what = format!(
            "{} parameter `{}` added ({})",
            q.location,
            q.name,
            if q.client_supplied {
                "required, supplied by the runtime"
            } else if q.required {
                "required"
            } else {
                "optional"
            }
        );
        out.push(
            &subject,
            what,
            if q.required {
                breaks("request narrowed: old clients do not send it")
            } else {
                ok("old clients omit an optional parameter")
            },
            if rust_required(q) {
                major("calls compile but send() fails until the new setter is called")
            } else {
                minor("a new optional setter")
            },
        );
    }
    for b in &old.body {
        match new.body.iter().find(|c| c.media == b.media) {
            None => out.push(
                &subject,
                format!("request body {} removed", b.media),
                breaks("old clients still send the body"),
                major("the body setter goes or takes another type"),
            ),
            Some(c) => {
                if b.required != c.required {
                    let (change, wire) = made_required(c.required);
                    let rust = rust_required_change(b.required, c.required);
                    out.push(&subject, format!("request body {change}"), wire, rust);
                }
                if let Some(wire) = compare_types(&b.ty, &c.ty, REQUEST, before, after) {
                    out.push(
                        &subject,
                        format!("request body type {} -> {}", b.ty.render(), c.ty.render()),
                        wire,
                        type_change(
                            &[old_api.rust.builder_method(&old.id, "body")],
                            &[new_api.rust.builder_method(&new.id, "body")],
                            old_api,
                            new_api,
                        ),
                    );
                }
            }
        }
    }
    for c in &new.body {
        if !old.body.iter().any(|b| b.media == c.media) {
            out.push(
                &subject,
                format!(
                    "request body {} added ({})",
                    c.media,
                    if c.required { "required" } else { "optional" }
                ),
                if c.required {
                    breaks("request narrowed: old clients send no body")
                } else {
                    ok("old clients send no body, which is allowed")
                },
                if c.required {
                    major("calls compile but send() fails until the body is set")
                } else {
                    minor("a new setter")
                },
            );
        }
    }
    for (status, r) in &old.responses {
        match new.responses.get(status) {
            None => {
                let success = status.starts_with('2');
                let covered = covered_by_range(status, r.body.as_ref(), new);
                out.push(
                    &subject,
                    format!("response {status} removed"),
                    ok("response narrowed: the server no longer sends what old clients handled"),
                    if covered {
                        patch("a status range with the same body still covers it: the client handles it the same way")
                    } else if success {
                        major("the success type of the call may change, and the status is now unexpected")
                    } else {
                        major("the status now reaches callers as Error::UnexpectedResponse instead of a typed error")
                    },
                );
            }
            Some(s) => {
                match (&r.body, &s.body) {
                    (Some(a), Some(b)) => {
                        if let Some(wire) = compare_types(a, b, RESPONSE, before, after) {
                            out.push(
                                &subject,
                                format!("response {status} body {} -> {}", a.render(), b.render()),
                                wire,
                                type_change(
                                    &[old_api.rust.outcome(&old.id)],
                                    &[new_api.rust.outcome(&new.id)],
                                    old_api,
                                    new_api,
                                ),
                            );
                        }
                    }
                    (None, None) => {}
                    (a, _) => out.push(
                        &subject,
                        format!(
                            "response {status} body {}",
                            if a.is_some() { "removed" } else { "added" }
                        ),
                        breaks("old clients parse the response with the old expectation"),
                        major("the call's response type changes"),
                    ),
                }
                let removed = (
                    &r.headers,
                    &s.headers,
                    "removed",
                    "response headers are not required by the client",
                );
                let added = (
                    &s.headers,
                    &r.headers,
                    "added",
                    "old clients ignore headers",
                );
                for (from, to, change, wire) in [removed, added] {
                    for h in from.iter().filter(|h| !to.contains(h)) {
                        out.push(
                            &subject,
                            format!("response {status} header {h} {change}"),
                            ok(wire),
                            patch("headers are read from the response's header map, not typed"),
                        );
                    }
                }
            }
        }
    }
    for (status, s) in &new.responses {
        if old.responses.contains_key(status) {
            continue;
        }
        let success = status.starts_with('2');
        let covered = covered_by_range(status, s.body.as_ref(), old)
            && covered_by_range(status, s.body.as_ref(), new);
        out.push(
            &subject,
            format!("response {status} added"),
            if success {
                breaks("response widened: old clients treat an undocumented success as unexpected")
            } else {
                ok("an error either way: old clients report it as unexpected")
            },
            if covered {
                patch("a status range with the same body already covered it: the client handles it the same way")
            } else {
                major("the call's typed result for this status changes")
            },
        );
    }
}

/// Whether `status` (a specific code) falls in a range response of `op` with the same body.
fn covered_by_range(status: &str, body: Option<&Type>, op: &Operation) -> bool {
    status.len() == 3
        && status.chars().all(|c| c.is_ascii_digit())
        && op
            .responses
            .get(&format!("{}XX", &status[..1]))
            .is_some_and(|r| r.body.as_ref() == body)
}

/// A parameter, body or field made required (`true`) or optional: the words, and the wire
/// verdict where a request sends it.
fn made_required(required: bool) -> (&'static str, (Wire, &'static str)) {
    if required {
        (
            "made required",
            breaks("request narrowed: old clients may omit it"),
        )
    } else {
        ("made optional", ok("request widened"))
    }
}

fn rust_required_change(was: bool, is: bool) -> (Level, &'static str) {
    match (was, is) {
        (false, true) => major("calls that did not set it compile but now fail before sending"),
        (true, false) => patch("the setter is the same; it may now be left out"),
        _ => patch("the Rust API is the same"),
    }
}

const REQUEST: Usage = Usage {
    request: true,
    response: false,
};
const RESPONSE: Usage = Usage {
    request: false,
    response: true,
};

/// How a type changed, seen from the set of values it admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Same,
    Wider,
    Narrower,
    Different,
}

impl Direction {
    fn and(self, other: Direction) -> Direction {
        use Direction::*;
        match (self, other) {
            (Same, x) | (x, Same) => x,
            (Wider, Wider) => Wider,
            (Narrower, Narrower) => Narrower,
            _ => Different,
        }
    }
}

fn int_rank(format: Option<&str>) -> Option<(bool, u8)> {
    // (signed, bits); None = unknown format. No format means any integer.
    match format {
        Some("int8") => Some((true, 8)),
        Some("int16") => Some((true, 16)),
        Some("int32") | Some("int") => Some((true, 32)),
        Some("int64") => Some((true, 64)),
        Some("uint8") => Some((false, 8)),
        Some("uint16") => Some((false, 16)),
        Some("uint32") | Some("uint") => Some((false, 32)),
        Some("uint64") => Some((false, 64)),
        None => Some((true, 128)),
        _ => None,
    }
}

fn number(v: &Option<serde_json::Value>) -> Option<f64> {
    v.as_ref().and_then(serde_json::Value::as_f64)
}

/// The direction of a change of one type (references compared by name, resolved only when
/// the name changes).
fn direction(a: &Type, b: &Type, before: &Surface, after: &Surface) -> Direction {
    use Direction::*;
    if a == b {
        return Same;
    }
    match (&a.reference, &b.reference) {
        (Some(x), Some(y)) => {
            let same = match (before.schemas.get(x), after.schemas.get(y)) {
                (Some(s), Some(t)) => s.shape == t.shape && s.open_enum == t.open_enum,
                _ => false,
            };
            return if same { Same } else { Different };
        }
        (None, None) => {}
        _ => return Different,
    }
    let mut d = Same;
    match (a.kind.as_deref(), b.kind.as_deref()) {
        (x, y) if x == y => {}
        (Some("integer"), Some("number")) => d = Wider,
        (Some("number"), Some("integer")) => d = Narrower,
        _ => return Different,
    }
    if a.format != b.format {
        d = d.and(match a.kind.as_deref() {
            Some("integer") => match (int_rank(a.format.as_deref()), int_rank(b.format.as_deref()))
            {
                (Some((sa, ba)), Some((sb, bb))) => {
                    // A signed type holds an unsigned one of fewer bits.
                    let a_in_b = (sa == sb && ba <= bb) || (!sa && sb && ba < bb);
                    let b_in_a = (sa == sb && bb <= ba) || (!sb && sa && bb < ba);
                    match (a_in_b, b_in_a) {
                        (true, false) => Wider,
                        (false, true) => Narrower,
                        _ => Different,
                    }
                }
                _ => Different,
            },
            Some("number") => {
                let rank = |f: Option<&str>| match f {
                    Some("float") => Some(1),
                    Some("double") => Some(2),
                    None => Some(3),
                    _ => None,
                };
                match (rank(a.format.as_deref()), rank(b.format.as_deref())) {
                    (Some(x), Some(y)) if x < y => Wider,
                    (Some(x), Some(y)) if x > y => Narrower,
                    _ => Different,
                }
            }
            // A string format dropped admits more text; one added admits less.
            _ => match (&a.format, &b.format) {
                (Some(_), None) => Wider,
                (None, Some(_)) => Narrower,
                _ => Different,
            },
        });
    }
    if a.values != b.values {
        let sub = |x: &[String], y: &[String]| x.iter().all(|v| y.contains(v));
        d = d.and(match (a.values.is_empty(), b.values.is_empty()) {
            (true, false) => Narrower,
            (false, true) => Wider,
            _ if sub(&a.values, &b.values) && !sub(&b.values, &a.values) => Wider,
            _ if sub(&b.values, &a.values) && !sub(&a.values, &b.values) => Narrower,
            _ if sub(&a.values, &b.values) => Same, // reordered
            _ => Different,
        });
    }
    if a.nullable != b.nullable {
        d = d.and(if b.nullable { Wider } else { Narrower });
    }
    // Each limit as (value, exclusive); a lower limit that rises, or becomes exclusive at the
    // same value, admits less.
    let limits = [
        (
            (&a.minimum, a.exclusive_minimum),
            (&b.minimum, b.exclusive_minimum),
            true,
        ),
        (
            (&a.maximum, a.exclusive_maximum),
            (&b.maximum, b.exclusive_maximum),
            false,
        ),
        ((&a.min_length, false), (&b.min_length, false), true),
        ((&a.max_length, false), (&b.max_length, false), false),
        ((&a.min_items, false), (&b.min_items, false), true),
        ((&a.max_items, false), (&b.max_items, false), false),
        ((&a.min_properties, false), (&b.min_properties, false), true),
        (
            (&a.max_properties, false),
            (&b.max_properties, false),
            false,
        ),
    ];
    for (x, y, lower) in limits {
        d = d.and(limit_direction(x, y, lower));
    }
    if a.multiple_of != b.multiple_of {
        d = d.and(match (number(&a.multiple_of), number(&b.multiple_of)) {
            (Some(_), None) => Wider,
            (None, Some(_)) => Narrower,
            // Multiples of `q` are multiples of `p` when `q` is itself one.
            (Some(p), Some(q)) if p != 0.0 && (q / p).fract() == 0.0 => Narrower,
            (Some(p), Some(q)) if q != 0.0 && (p / q).fract() == 0.0 => Wider,
            _ => Different,
        });
    }
    // A pattern added admits less text and one dropped more; two patterns cannot be compared.
    if a.pattern != b.pattern {
        d = d.and(match (&a.pattern, &b.pattern) {
            (Some(_), None) => Wider,
            (None, Some(_)) => Narrower,
            _ => Different,
        });
    }
    if a.unique_items != b.unique_items {
        d = d.and(if b.unique_items { Narrower } else { Wider });
    }
    if a.additional_properties != b.additional_properties {
        d = d.and(extra_direction(
            a.additional_properties.as_ref(),
            b.additional_properties.as_ref(),
            before,
            after,
        ));
    }
    if a.discriminator != b.discriminator {
        d = d.and(discriminator_direction(
            a.discriminator.as_ref(),
            b.discriminator.as_ref(),
        ));
    }
    match (&a.items, &b.items) {
        (Some(x), Some(y)) => d = d.and(direction(x, y, before, after)),
        (None, None) => {}
        _ => return Different,
    }
    if a.one_of != b.one_of
        || a.properties != b.properties
        || a.all_of != b.all_of
        || a.any_of != b.any_of
        || a.not != b.not
    {
        return Different;
    }
    // A changed default changes only what the server assumes when the value is left out.
    d
}

/// The direction of a change of one limit, given as (value, exclusive); `lower` for a minimum.
/// A value that is not a number cannot be compared.
fn limit_direction(
    (x, x_exclusive): (&Option<serde_json::Value>, bool),
    (y, y_exclusive): (&Option<serde_json::Value>, bool),
    lower: bool,
) -> Direction {
    use Direction::*;
    if x == y && x_exclusive == y_exclusive {
        return Same;
    }
    let tighter = |tighter: bool| if tighter { Narrower } else { Wider };
    match (x, y) {
        (None, None) => Same,
        (Some(_), None) => Wider,
        (None, Some(_)) => Narrower,
        (Some(_), Some(_)) => match (number(x), number(y)) {
            (Some(p), Some(q)) => match p.partial_cmp(&q) {
                Some(Ordering::Less) => tighter(lower),
                Some(Ordering::Greater) => tighter(!lower),
                // The same value: only whether it is itself admitted changed.
                Some(Ordering::Equal) if x_exclusive != y_exclusive => tighter(y_exclusive),
                Some(Ordering::Equal) => Same,
                None => Different,
            },
            _ => Different,
        },
    }
}

/// The direction of an `additionalProperties` change; absent admits any other key.
fn extra_direction(
    a: Option<&Extra>,
    b: Option<&Extra>,
    before: &Surface,
    after: &Surface,
) -> Direction {
    use Direction::*;
    // `true` admits any other key, as absent does; what is left of `Allowed` is `false`.
    let unrestricted = |e: &&Extra| **e != Extra::Allowed(true);
    match (a.filter(unrestricted), b.filter(unrestricted)) {
        (None, None) => Same,
        (None, Some(_)) => Narrower,
        (Some(_), None) => Wider,
        (Some(Extra::Allowed(_)), Some(Extra::Allowed(_))) => Same,
        (Some(Extra::Allowed(_)), Some(Extra::Schema(_))) => Wider,
        (Some(Extra::Schema(_)), Some(Extra::Allowed(_))) => Narrower,
        (Some(Extra::Schema(x)), Some(Extra::Schema(y))) => direction(x, y, before, after),
    }
}

/// The direction of a `discriminator` change. With one, a value must carry the property, set
/// to a value that selects a schema: a key of the mapping, or without a mapping a schema's own
/// name (which these rules do not work out, so a mapping written or dropped is a change they
/// cannot compare).
fn discriminator_direction(a: Option<&Discriminator>, b: Option<&Discriminator>) -> Direction {
    use Direction::*;
    let (x, y) = match (a, b) {
        (None, None) => return Same,
        (None, Some(_)) => return Narrower,
        (Some(_), None) => return Wider,
        (Some(x), Some(y)) => (x, y),
    };
    if x.property != y.property || x.mapping.is_empty() != y.mapping.is_empty() {
        return Different;
    }
    let moved = x
        .mapping
        .iter()
        .any(|(value, schema)| y.mapping.get(value).is_some_and(|s| s != schema));
    let added = y.mapping.keys().any(|k| !x.mapping.contains_key(k));
    let removed = x.mapping.keys().any(|k| !y.mapping.contains_key(k));
    match (moved, added, removed) {
        (false, false, false) => Same,
        (false, true, false) => Wider,
        (false, false, true) => Narrower,
        _ => Different,
    }
}

/// The wire verdict of a type change used on `side`, or None when nothing changed.
fn compare_types(
    a: &Type,
    b: &Type,
    side: Usage,
    before: &Surface,
    after: &Surface,
) -> Option<(Wire, &'static str)> {
    let d = direction(a, b, before, after);
    if d == Direction::Same {
        if a == b {
            return None;
        }
        return Some(ok(if a.reference != b.reference {
            "a schema of another name with the same wire form"
        } else {
            SAME_VALUES
        }));
    }
    Some(side_verdict(d, side))
}

fn side_verdict(d: Direction, side: Usage) -> (Wire, &'static str) {
    let (request, response) = (side.request, side.response);
    match d {
        Direction::Same => ok(SAME_VALUES),
        Direction::Different => breaks("the type changed incompatibly"),
        Direction::Wider if response => {
            breaks("response widened: old clients may get values they cannot parse")
        }
        Direction::Wider => ok("request widened: the server accepts what old clients send"),
        Direction::Narrower if request => {
            breaks("request narrowed: the server may refuse what old clients send")
        }
        Direction::Narrower => {
            ok("response narrowed: old clients parse every value the server now sends")
        }
    }
}

/// `texts` (Rust text of generated items) followed by the items of every generated type they
/// name that is not a schema of its own (an inline object or enum, which changes with its
/// user), recursively. A schema's own changes are classified where it changes.
fn with_inline_types(mut texts: Vec<String>, api: &Snapshot) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut i = 0;
    while let Some(text) = texts.get(i) {
        // The identifiers in the text that name a generated type but no schema.
        let inline: Vec<String> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|n| !n.is_empty() && api.rust.has_type(n))
            .filter(|n| !api.surface.schemas.contains_key(*n))
            .map(str::to_owned)
            .collect();
        for name in inline {
            if seen.insert(name.clone()) {
                texts.extend(members(api, &name));
            }
        }
        i += 1;
    }
    texts
}

fn members(api: &Snapshot, schema: &str) -> Vec<String> {
    api.rust
        .type_with_members(schema)
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect()
}

/// Whether generated items (their Rust text; None where there is none) are the same on both
/// sides, inline types included.
fn same_rust(
    old: &[Option<&str>],
    new: &[Option<&str>],
    old_api: &Snapshot,
    new_api: &Snapshot,
) -> bool {
    let texts = |items: &[Option<&str>]| -> Vec<String> {
        items
            .iter()
            .map(|t| t.unwrap_or_default().to_owned())
            .collect()
    };
    with_inline_types(texts(old), old_api) == with_inline_types(texts(new), new_api)
}

/// Whether the generated type of `schema` (its kind, fields and variants) is the same on both
/// sides, inline types included.
fn same_type(schema: &str, old_api: &Snapshot, new_api: &Snapshot) -> bool {
    with_inline_types(members(old_api, schema), old_api)
        == with_inline_types(members(new_api, schema), new_api)
}

fn type_change(
    old: &[Option<&str>],
    new: &[Option<&str>],
    old_api: &Snapshot,
    new_api: &Snapshot,
) -> (Level, &'static str) {
    if same_rust(old, new, old_api, new_api) {
        patch("the Rust type is the same")
    } else {
        major("the Rust type changes")
    }
}

/// Integer conversions that `From` provides: values of the old type still convert.
fn lossless(from: &str, to: &str) -> bool {
    let last = |t: &str| t.rsplit("::").next().unwrap_or(t).to_owned();
    let (from, to) = (last(from), last(to));
    let bits = |t: &str| -> Option<(char, u32)> {
        let t = t.trim_start_matches("NonZero");
        let kind = t.chars().next()?.to_ascii_lowercase();
        Some((kind, t.get(1..)?.parse().ok()?))
    };
    let (Some((k1, b1)), Some((k2, b2))) = (bits(&from), bits(&to)) else {
        return false;
    };
    let nonzero_ok = !to.starts_with("NonZero") || from.starts_with("NonZero");
    nonzero_ok && ((k1 == k2 && b1 < b2) || (k1 == 'u' && k2 == 'i' && b1 < b2))
}

/// The Rust verdict of a parameter's type change, from its setters (the `T` of their
/// `impl TryInto<T>`).
fn rust_param_type_change(
    old: Option<&str>,
    new: Option<&str>,
    old_api: &Snapshot,
    new_api: &Snapshot,
) -> (Level, &'static str) {
    if type_change(&[old], &[new], old_api, new_api).0 == Level::Patch {
        patch("the Rust type is the same")
    } else if let (Some(x), Some(y)) = (old, new)
        && lossless(x, y)
    {
        minor(
            "setters take `impl TryInto<T>`, and every value of the old type converts without loss",
        )
    } else {
        major("the setter's Rust type changes")
    }
}

fn compare_schema(
    name: &str,
    old: &Schema,
    new: &Schema,
    old_api: &Snapshot,
    new_api: &Snapshot,
    out: &mut Out,
) {
    let (before, after) = (&old_api.surface, &new_api.surface);
    let subject = format!("schema {name}");
    let side = old.usage.union(new.usage);
    // A schema with no generated type on either side is replaced by a hand-written one.
    let hand_written = !old_api.rust.has_type(name) && !new_api.rust.has_type(name);
    if old.replaced_by != new.replaced_by {
        out.push(
            &subject,
            format!(
                "Rust type {} -> {}",
                old.replaced_by.as_deref().unwrap_or("generated"),
                new.replaced_by.as_deref().unwrap_or("generated")
            ),
            ok("api.toml's replacement does not change the wire by itself"),
            major("the Rust type changes"),
        );
    }
    let (was, is) = (
        old_api.rust.non_exhaustive(name),
        new_api.rust.non_exhaustive(name),
    );
    if was != is && !hand_written {
        out.push(
            &subject,
            if is {
                "becomes #[non_exhaustive] (now used only in responses, or an open enum)"
            } else {
                "no longer #[non_exhaustive] (no longer used only in responses)"
            },
            ok("no change on the wire"),
            if is {
                major("struct literals and exhaustive matches outside the crate no longer compile")
            } else {
                minor("allows more: struct literals and exhaustive matches")
            },
        );
    }
    if old.open_enum != new.open_enum {
        out.push(
            &subject,
            if new.open_enum {
                "becomes an open enum (x-open-enum)"
            } else {
                "is no longer an open enum"
            },
            if new.open_enum || !side.response {
                ok("unknown values are accepted where they were refused")
            } else {
                breaks(
                    "response narrowed in what the client accepts: undocumented values fail again",
                )
            },
            major("the Other(String) variant is added or removed"),
        );
    }
    let wire_of = |d: Direction| -> (Wire, &'static str) {
        if side == Usage::default() {
            ok(UNUSED)
        } else {
            side_verdict(d, side)
        }
    };
    match (&old.shape, &new.shape) {
        (
            Shape::Object {
                fields: fa,
                one_of_required: oa,
                limits: la,
            },
            Shape::Object {
                fields: fb,
                one_of_required: ob,
                limits: lb,
            },
        ) => {
            if la != lb {
                let d = direction(la, lb, before, after);
                let wire = if d == Direction::Same {
                    ok(SAME_VALUES)
                } else {
                    wire_of(d)
                };
                out.push(
                    &subject,
                    format!(
                        "object limits {} -> {}",
                        la.render_object_limits(),
                        lb.render_object_limits()
                    ),
                    wire,
                    if hand_written {
                        HAND_WRITTEN
                    } else if same_type(name, old_api, new_api) {
                        patch("the Rust type is the same")
                    } else {
                        major("the Rust type changes")
                    },
                );
            }
            for (field, f) in fa {
                let sub = format!("{name}.{field}");
                let Some(g) = fb.get(field) else {
                    let wire = if side == Usage::default() {
                        ok(UNUSED)
                    } else if side.request {
                        breaks("old clients still send it; a server that checks fields refuses it")
                    } else if f.required {
                        breaks("response narrowed: old clients require this field")
                    } else {
                        ok("old clients read the optional field as absent")
                    };
                    out.push(
                        &sub,
                        format!(
                            "field removed (was {})",
                            if f.required { "required" } else { "optional" }
                        ),
                        wire,
                        if hand_written {
                            HAND_WRITTEN
                        } else {
                            major("a pub field is removed")
                        },
                    );
                    continue;
                };
                // Patch when the generated field's type is the same on both sides.
                let field_rust = |changed: &'static str| {
                    if same_rust(
                        &[old_api.rust.field(name, field)],
                        &[new_api.rust.field(name, field)],
                        old_api,
                        new_api,
                    ) {
                        patch("the field's Rust type is the same")
                    } else {
                        major(changed)
                    }
                };
                if f.deprecated != g.deprecated {
                    let (wire, rust) = DEPRECATION;
                    out.push(&sub, deprecation(g.deprecated), wire, rust);
                }
                // A field made read-only is no longer taken from requests; one made write-only
                // no longer comes in answers. Undone, the field is taken or sent again.
                if f.read_only != g.read_only {
                    let wire = if side == Usage::default() {
                        ok(UNUSED)
                    } else if !side.request {
                        ok("answers carry the field as before")
                    } else if g.read_only {
                        breaks("the server no longer takes the field that old clients send")
                    } else if g.required {
                        breaks("request narrowed: old clients do not send this required field")
                    } else {
                        ok("old clients leave the field out, as it may be")
                    };
                    let what = if g.read_only {
                        "made read-only"
                    } else {
                        "no longer read-only"
                    };
                    out.push(
                        &sub,
                        what,
                        wire,
                        field_rust("the field's Rust type changes"),
                    );
                }
                if f.write_only != g.write_only {
                    let wire = if side == Usage::default() {
                        ok(UNUSED)
                    } else if !side.response {
                        ok("requests carry the field as before")
                    } else if g.write_only && f.required {
                        breaks("answers no longer carry a field old clients require")
                    } else if g.write_only {
                        ok("old clients read the optional field as absent")
                    } else {
                        ok("old clients read the field they know")
                    };
                    let what = if g.write_only {
                        "made write-only"
                    } else {
                        "no longer write-only"
                    };
                    out.push(
                        &sub,
                        what,
                        wire,
                        field_rust("the field's Rust type changes"),
                    );
                }
                if f.required != g.required {
                    let d = if g.required {
                        Direction::Narrower
                    } else {
                        Direction::Wider
                    };
                    let wire = wire_of(d);
                    let rust = field_rust("the field's Rust type changes (Option)");
                    out.push(&sub, made_required(g.required).0, wire, rust);
                }
                let d = direction(&f.ty, &g.ty, before, after);
                if f.ty != g.ty {
                    let wire = if d == Direction::Same {
                        ok(SAME_VALUES)
                    } else {
                        wire_of(d)
                    };
                    let rust = if hand_written {
                        HAND_WRITTEN
                    } else {
                        field_rust("the field's Rust type changes")
                    };
                    out.push(
                        &sub,
                        format!("type {} -> {}", f.ty.render(), g.ty.render()),
                        wire,
                        rust,
                    );
                }
            }
            for (field, g) in fb {
                if fa.contains_key(field) {
                    continue;
                }
                let sub = format!("{name}.{field}");
                let wire = if side == Usage::default() {
                    ok(UNUSED)
                } else if side.request && g.required {
                    breaks("request narrowed: old clients do not send this required field")
                } else if side.response && la.additional_properties == Some(Extra::Allowed(false)) {
                    // The old type is `#[serde(deny_unknown_fields)]`.
                    breaks(
                        "old clients refuse a key the object did not admit (additionalProperties: false)",
                    )
                } else if side.request {
                    ok("old clients omit an optional field")
                } else {
                    ok("old clients ignore fields they do not know")
                };
                let rust = if hand_written {
                    HAND_WRITTEN
                } else if new_api.rust.non_exhaustive(name) {
                    minor(
                        "a new pub field on a #[non_exhaustive] struct, which callers cannot build with a literal",
                    )
                } else {
                    major("a new pub field: struct literals outside the crate no longer compile")
                };
                out.push(
                    &sub,
                    format!(
                        "field added ({})",
                        if g.required { "required" } else { "optional" }
                    ),
                    wire,
                    rust,
                );
            }
            if oa != ob {
                let sub = |x: &[String], y: &[String]| x.iter().all(|v| y.contains(v));
                let d = match (oa.is_empty(), ob.is_empty()) {
                    (true, false) => Direction::Narrower,
                    (false, true) => Direction::Wider,
                    _ if sub(oa, ob) => Direction::Wider,
                    _ if sub(ob, oa) => Direction::Narrower,
                    _ => Direction::Different,
                };
                let wire = wire_of(d);
                out.push(
                    &subject,
                    format!(
                        "rule \"one of [{}] is required\" -> \"one of [{}] is required\"",
                        oa.join(", "),
                        ob.join(", ")
                    ),
                    wire,
                    if d == Direction::Wider {
                        patch("call() accepts every body it accepted before")
                    } else {
                        major("call() refuses bodies that it sent before")
                    },
                );
            }
        }
        (Shape::Value(a), Shape::Value(b)) if a != b => {
            let d = direction(a, b, before, after);
            // Values added and nothing else: a `nullable` or a limit that widens too is not
            // a new variant, and an open enum's `Other(String)` does not take it.
            let only_values_added = d == Direction::Wider
                && !a.values.is_empty()
                && **b
                    == Type {
                        values: b.values.clone(),
                        ..(**a).clone()
                    };
            let wire = if only_values_added && new.open_enum && old.open_enum {
                if side.request {
                    ok("request widened, and an open enum parses new values as Other")
                } else {
                    ok("open enum: old clients parse new values as Other(..)")
                }
            } else {
                wire_of(d)
            };
            let added: Vec<&String> = b.values.iter().filter(|v| !a.values.contains(v)).collect();
            let removed: Vec<&String> = a.values.iter().filter(|v| !b.values.contains(v)).collect();
            let what = if !a.values.is_empty()
                && !b.values.is_empty()
                && a.kind == b.kind
                && a.format == b.format
                && (added.len() + removed.len() > 0)
            {
                let parts: Vec<String> = [(&added, "added"), (&removed, "removed")]
                    .into_iter()
                    .filter(|(values, _)| !values.is_empty())
                    .map(|(values, change)| {
                        let s = if values.len() > 1 { "s" } else { "" };
                        format!("enum value{s} {} {change}", quote_list(values))
                    })
                    .collect();
                parts.join(", ")
            } else {
                format!("type {} -> {}", a.render(), b.render())
            };
            let rust = if hand_written {
                HAND_WRITTEN
            } else if only_values_added && new_api.rust.non_exhaustive(name) {
                minor(
                    "new variants on a #[non_exhaustive] enum (a value that came as Other(..) now has its own variant)",
                )
            } else if only_values_added {
                major("new variants: exhaustive matches outside the crate no longer compile")
            } else if !removed.is_empty() {
                major("variants are removed")
            } else if same_type(name, old_api, new_api) {
                patch("the Rust type is the same")
            } else {
                major("the Rust type changes")
            };
            out.push(&subject, what, wire, rust);
        }
        (Shape::Value(_), Shape::Value(_)) => {}
        _ => out.push(
            &subject,
            "changes between an object and a non-object type",
            breaks("the type changed incompatibly"),
            if hand_written {
                HAND_WRITTEN
            } else {
                major("the Rust type changes")
            },
        ),
    }
}

fn quote_list(values: &[&String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
