//! `cargo xtask api-diff`: each classification rule on a before/after pair of small specs with
//! its expected wire and Rust verdicts, the version gate on today's specs and on a scratch copy
//! with a breaking change, the changelog cycle, and the generated code following the
//! `#[non_exhaustive]` rule the classification assumes.

use std::{fs, path::Path};

use xtask::{
    api_diff::{
        self, Change, Level, Snapshot, Wire,
        release::{self, Base},
    },
    spec::{self, surface::Surface},
    workspace_root,
};

const API_TOML: &str = r#"
crate = "fixture-api"
version = "0.1.0"
title = "Fixture API"
description = "A small API for the classification tests."
api_version = "v1"
base_url = "https://api.example.com"
vendor = "fixture"
example = ""

[[client_supplied]]
name = "X-Trace-Id"
in = "header"
supply = "project_id"
why = "the runtime sets it"
"#;

/// One operation with a path parameter, a query parameter, a runtime-supplied header, a
/// request body, a response with open and closed enums, a documented 409 next to a 4XX range,
/// and a schema used on both sides.
const BEFORE: &str = r#"
openapi: 3.0.3
info: {title: Fixture, version: v1}
paths:
  /things/{thing_id}:
    post:
      operationId: create_thing
      externalDocs: {url: "https://example.com/CreateThing"}
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, required: false, schema: {type: integer, format: int32}}
        - {name: X-Trace-Id, in: header, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ThingBody'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        '409':
          description: conflict
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
        4XX:
          description: refused
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
components:
  schemas:
    ThingBody:
      type: object
      required: [name]
      properties:
        name: {type: string}
        note: {type: string}
        kind: {$ref: '#/components/schemas/Kind'}
        tag: {$ref: '#/components/schemas/Tag'}
    Thing:
      type: object
      properties:
        id: {type: string}
        count: {type: integer, format: int32}
        state: {$ref: '#/components/schemas/State'}
        phase: {$ref: '#/components/schemas/Phase'}
        tag: {$ref: '#/components/schemas/Tag'}
    State: {type: string, x-open-enum: true, enum: [active, idle]}
    Phase: {type: string, enum: [up, down]}
    Kind: {type: string, x-open-enum: true, enum: [small, large]}
    Tag:
      type: object
      properties:
        key: {type: string}
    Error:
      type: object
      properties:
        code: {type: string}
"#;

/// The fixture's surface and the public items of the crate generated from it.
fn load(dir: &Path, api_toml: &str, doc: &str) -> Snapshot {
    let api = write_fixture(dir, api_toml, doc);
    let loaded = spec::load_api(dir, &api).unwrap_or_else(|e| panic!("fixture spec: {e:?}"));
    Snapshot::of(&loaded).unwrap_or_else(|e| panic!("fixture crate: {e}"))
}

/// Writes the fixture API under `dir/specs`; returns its folder.
fn write_fixture(dir: &Path, api_toml: &str, doc: &str) -> std::path::PathBuf {
    let api = dir.join("specs/fixture-api");
    fs::create_dir_all(&api).unwrap();
    fs::create_dir_all(dir.join("specs/vendors")).unwrap();
    // Two vendors that differ in their authentication scheme.
    for (vendor, auth) in [("fixture", "digest"), ("fixture-signed", "huawei")] {
        fs::write(
            dir.join(format!("specs/vendors/{vendor}.toml")),
            format!("feature = \"{auth}\"\nauth = \"{auth}\"\nclient_macro = \"x\"\n"),
        )
        .unwrap();
    }
    fs::write(api.join("api.toml"), api_toml).unwrap();
    fs::write(api.join("CreateThing.yaml"), doc).unwrap();
    api
}

/// BEFORE with each (from, to) replacement applied.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut doc = BEFORE.to_owned();
    for (from, to) in edits {
        assert!(doc.contains(from), "fixture edit does not apply: {from}");
        doc = doc.replacen(from, to, 1);
    }
    doc
}

/// The changes from BEFORE to BEFORE with each (from, to) replacement applied.
fn changes_with(api_toml: (&str, &str), edits: &[(&str, &str)]) -> Vec<Change> {
    compare(BEFORE, api_toml, &edited(edits))
}

/// The changes from BEFORE with `old` applied to BEFORE with `new` applied.
fn changes_between(old: &[(&str, &str)], new: &[(&str, &str)]) -> Vec<Change> {
    compare(&edited(old), ("", ""), &edited(new))
}

fn compare(before: &str, api_toml: (&str, &str), after: &str) -> Vec<Change> {
    assert!(API_TOML.contains(api_toml.0));
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let before = load(a.path(), API_TOML, before);
    let after = load(
        b.path(),
        &API_TOML.replacen(api_toml.0, api_toml.1, 1),
        after,
    );
    api_diff::compare(&before, &after)
}

fn changes(edits: &[(&str, &str)]) -> Vec<Change> {
    changes_with(("", ""), edits)
}

/// Asserts exactly one change, with this description and these verdicts.
#[track_caller]
fn expect(changes: &[Change], what: &str, wire: Wire, rust: Level) {
    assert_eq!(changes.len(), 1, "expected one change, got {changes:#?}");
    let c = &changes[0];
    assert_eq!(c.to_string(), what, "{c:#?}");
    assert_eq!((c.wire, c.rust), (wire, rust), "{c:#?}");
}

use Level::{Major, Minor, Patch};
use Wire::{Breaking, Compatible};

#[test]
fn nothing_changed() {
    assert_eq!(changes(&[]), vec![]);
}

#[test]
fn optional_response_field_added() {
    // Thing is used only in responses, so it is #[non_exhaustive]: a new field is an addition.
    let c = changes(&[(
        "        id: {type: string}\n        count",
        "        id: {type: string}\n        extra: {type: string}\n        count",
    )]);
    expect(&c, "Thing.extra: field added (optional)", Compatible, Minor);
}

#[test]
fn response_field_added_to_an_object_that_refuses_other_keys_breaks_old_clients() {
    // `additionalProperties: false` makes the generated struct `#[serde(deny_unknown_fields)]`:
    // an old client fails on the field it does not know. Thing is used in responses, Tag on
    // both sides.
    let closed = [
        (
            "    Thing:\n      type: object\n",
            "    Thing:\n      type: object\n      additionalProperties: false\n",
        ),
        (
            "    Tag:\n      type: object\n",
            "    Tag:\n      type: object\n      additionalProperties: false\n",
        ),
    ];
    let added = [
        (
            "        id: {type: string}\n        count",
            "        id: {type: string}\n        extra: {type: string}\n        count",
        ),
        (
            "        key: {type: string}",
            "        key: {type: string}\n        value: {type: string}",
        ),
    ];
    let c = changes_between(&closed, &[closed, added].concat());
    let verdicts: Vec<(String, Wire)> = c.iter().map(|c| (c.to_string(), c.wire)).collect();
    assert_eq!(
        verdicts,
        [
            ("Tag.value: field added (optional)".to_owned(), Breaking),
            ("Thing.extra: field added (optional)".to_owned(), Breaking),
        ],
        "{c:#?}"
    );
}

#[test]
fn optional_field_added_to_a_type_requests_use_breaks_rust_only() {
    // Tag is used in requests too: callers build it with a struct literal.
    let c = changes(&[(
        "        key: {type: string}",
        "        key: {type: string}\n        value: {type: string}",
    )]);
    expect(&c, "Tag.value: field added (optional)", Compatible, Major);
}

#[test]
fn response_type_starts_being_used_in_requests() {
    // Error was response-only (#[non_exhaustive]); a request field now uses it.
    let c = changes(&[(
        "        note: {type: string}",
        "        note: {type: string}\n        error: {$ref: '#/components/schemas/Error'}",
    )]);
    let what: Vec<(String, Wire, Level)> =
        c.iter().map(|c| (c.to_string(), c.wire, c.rust)).collect();
    assert_eq!(
        what,
        [
            (
                "schema Error: no longer #[non_exhaustive] (no longer used only in responses)"
                    .to_owned(),
                Compatible,
                Minor
            ),
            (
                "ThingBody.error: field added (optional)".to_owned(),
                Compatible,
                Major
            ),
        ]
    );
}

#[test]
fn optional_request_field_added() {
    let c = changes(&[(
        "        note: {type: string}",
        "        note: {type: string}\n        color: {type: string}",
    )]);
    expect(
        &c,
        "ThingBody.color: field added (optional)",
        Compatible,
        Major,
    );
}

#[test]
fn required_request_field_added() {
    let c = changes(&[
        ("required: [name]", "required: [name, color]"),
        (
            "        note: {type: string}",
            "        note: {type: string}\n        color: {type: string}",
        ),
    ]);
    expect(
        &c,
        "ThingBody.color: field added (required)",
        Breaking,
        Major,
    );
}

#[test]
fn optional_request_field_made_required() {
    let c = changes(&[("required: [name]", "required: [name, note]")]);
    expect(&c, "ThingBody.note: made required", Breaking, Major);
}

#[test]
fn required_request_field_made_optional() {
    let c = changes(&[("      required: [name]\n", "")]);
    expect(&c, "ThingBody.name: made optional", Compatible, Major);
}

#[test]
fn request_field_removed() {
    let c = changes(&[("        note: {type: string}\n", "")]);
    expect(
        &c,
        "ThingBody.note: field removed (was optional)",
        Breaking,
        Major,
    );
}

#[test]
fn request_field_type_changed() {
    let c = changes(&[(
        "        note: {type: string}",
        "        note: {type: integer}",
    )]);
    expect(
        &c,
        "ThingBody.note: type string -> integer",
        Breaking,
        Major,
    );
}

#[test]
fn response_field_removed() {
    let c = changes(&[("        id: {type: string}\n", "")]);
    expect(
        &c,
        "Thing.id: field removed (was optional)",
        Compatible,
        Major,
    );
}

#[test]
fn response_field_type_changed() {
    let c = changes(&[("        id: {type: string}", "        id: {type: boolean}")]);
    expect(&c, "Thing.id: type string -> boolean", Breaking, Major);
}

#[test]
fn response_int32_widened_to_int64() {
    let c = changes(&[(
        "count: {type: integer, format: int32}",
        "count: {type: integer, format: int64}",
    )]);
    expect(
        &c,
        "Thing.count: type integer(int32) -> integer(int64)",
        Breaking,
        Major,
    );
}

#[test]
fn response_field_bounded_keeps_its_rust_type() {
    // The values admitted change, the Rust type the generated code gives the field does not.
    let c = changes(&[(
        "count: {type: integer, format: int32}",
        "count: {type: integer, format: int32, minimum: 0, maximum: 100}",
    )]);
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!((c[0].wire, c[0].rust), (Compatible, Patch), "{c:#?}");
    assert_eq!(c[0].rust_reason, "the field's Rust type is the same");
}

#[test]
fn optional_field_no_longer_nullable_keeps_its_rust_type() {
    // An optional field is an `Option` either way: the generated code, not the schema's
    // `nullable`, decides the verdict.
    let c = changes_between(
        &[(
            "        id: {type: string}\n",
            "        id: {type: string, nullable: true}\n",
        )],
        &[],
    );
    expect(&c, "Thing.id: type string? -> string", Compatible, Patch);
    assert_eq!(c[0].rust_reason, "the field's Rust type is the same");
}

#[test]
fn inline_object_field_changed_changes_its_generated_type() {
    // An inline object becomes a generated type of its own, which the field's Rust type names:
    // a change inside it reaches the field even though the field's type name stays.
    let inline = |ty: &str| {
        (
            "        id: {type: string}\n        count:",
            format!(
                "        id: {{type: string}}\n        meta:\n          type: object\n          properties:\n            size: {{type: {ty}}}\n        count:"
            ),
        )
    };
    let (from, old) = inline("string");
    let (_, new) = inline("boolean");
    let c = changes_between(&[(from, &old)], &[(from, &new)]);
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(c[0].subject, "Thing.meta", "{c:#?}");
    assert_eq!((c[0].wire, c[0].rust), (Breaking, Major), "{c:#?}");
    assert_eq!(c[0].rust_reason, "the field's Rust type changes");
}

#[test]
fn query_parameter_int32_widened_to_int64() {
    // Request side: the server accepts more; the setter takes `impl TryInto<i64>`, which every
    // i32 satisfies.
    let c = changes(&[(
        "limit, in: query, required: false, schema: {type: integer, format: int32}",
        "limit, in: query, required: false, schema: {type: integer, format: int64}",
    )]);
    expect(
        &c,
        "operation create_thing: query parameter `limit` type integer(int32) -> integer(int64)",
        Compatible,
        Minor,
    );
}

/// The one change between BEFORE with `from` replaced by `old` and by `new`: its subject and
/// its wire verdict and rule.
#[track_caller]
fn one_change(from: &str, old: &str, new: &str) -> (String, Wire, String) {
    let c = changes_between(&[(from, old)], &[(from, new)]);
    assert_eq!(c.len(), 1, "{old} -> {new}: {c:#?}");
    (c[0].subject.clone(), c[0].wire, c[0].wire_rule.clone())
}

/// Asserts that `old -> new` of `from` is one change of `subject` that narrows (`narrower`) or
/// widens the values admitted, with the verdict of `side`, and that the reverse does the
/// opposite.
#[track_caller]
fn limit_changes(side: &str, subject: &str, from: &str, old: &str, new: &str) {
    for (a, b, narrows) in [(old, new, true), (new, old, false)] {
        let (s, wire, rule) = one_change(from, a, b);
        assert_eq!(s, subject, "{a} -> {b}");
        let (breaks, word) = match (side, narrows) {
            ("request", true) => (Breaking, "request narrowed"),
            ("request", false) => (Compatible, "request widened"),
            ("response", true) => (Compatible, "response narrowed"),
            _ => (Breaking, "response widened"),
        };
        assert_eq!(wire, breaks, "{a} -> {b}: {rule}");
        assert!(rule.starts_with(word), "{a} -> {b}: {rule}");
    }
}

#[test]
fn request_limits_tightened_break_the_wire_and_loosened_do_not() {
    // Each keyword that limits the values a request field or parameter admits: the tighter
    // side narrows the request, which the version gate must see.
    let note = "        note: {type: string}";
    let field = |extra: &str| format!("        note: {{type: string{extra}}}");
    let list =
        |extra: &str| format!("        note: {{type: array, items: {{type: string}}{extra}}}");
    let cases = [
        (note, list(", maxItems: 50"), list(", maxItems: 10")),
        (note, list(", minItems: 1"), list(", minItems: 2")),
        (note, list(""), list(", uniqueItems: true")),
        (note, field(", maxLength: 64"), field(", maxLength: 8")),
        (note, field(", minLength: 1"), field(", minLength: 4")),
        (note, field(""), field(", pattern: '^[a-z0-9-]+$'")),
    ];
    for (from, old, new) in &cases {
        limit_changes("request", "ThingBody.note", from, old, new);
    }
    // A query parameter's bound made exclusive.
    let limit = "limit, in: query, required: false, schema: {type: integer, format: int32}";
    let bounded = |extra: &str| {
        format!(
            "limit, in: query, required: false, schema: {{type: integer, format: int32, maximum: 100{extra}}}"
        )
    };
    limit_changes(
        "request",
        "operation create_thing",
        limit,
        &bounded(""),
        &bounded(", exclusiveMaximum: true"),
    );
    limit_changes(
        "request",
        "operation create_thing",
        limit,
        &limit.replace("int32}", "int32, minimum: 0}"),
        &limit.replace("int32}", "int32, minimum: 0, exclusiveMinimum: true}"),
    );
}

#[test]
fn response_limits_tightened_keep_the_wire_and_loosened_break_it() {
    let id = "        id: {type: string}";
    let field = |extra: &str| format!("        id: {{type: string{extra}}}");
    for (old, new) in [
        (field(", maxLength: 64"), field(", maxLength: 8")),
        (field(""), field(", pattern: '^[a-z]+$'")),
    ] {
        limit_changes("response", "Thing.id", id, &old, &new);
    }
}

#[test]
fn pattern_changed_breaks_the_wire_on_either_side() {
    // Two patterns cannot be compared: the values either admits may be refused by the other.
    for (from, subject) in [
        ("        note: {type: string}", "ThingBody.note"),
        ("        id: {type: string}", "Thing.id"),
    ] {
        let name = from.trim().split(':').next().unwrap_or_default();
        let (s, wire, rule) = one_change(
            from,
            &format!("        {name}: {{type: string, pattern: '^[a-z]+$'}}"),
            &format!("        {name}: {{type: string, pattern: '^[0-9]+$'}}"),
        );
        assert_eq!((s.as_str(), wire), (subject, Breaking), "{rule}");
    }
}

#[test]
fn additional_properties_restricted_narrows_the_object() {
    // A request object that refuses other keys narrows the request; a response object that
    // stops refusing them widens the response. `true` admits any key, as leaving it out does.
    let body = "    ThingBody:\n      type: object\n";
    let with = |extra: &str| format!("    ThingBody:\n      type: object\n{extra}");
    limit_changes(
        "request",
        "schema ThingBody",
        body,
        &with(""),
        &with("      additionalProperties: false\n"),
    );
    limit_changes(
        "request",
        "schema ThingBody",
        body,
        &with("      additionalProperties: {type: string}\n"),
        &with("      additionalProperties: false\n"),
    );
    let thing = "    Thing:\n      type: object\n";
    let with = |extra: &str| format!("    Thing:\n      type: object\n{extra}");
    limit_changes(
        "response",
        "schema Thing",
        thing,
        &with(""),
        &with("      additionalProperties: false\n"),
    );
    assert_eq!(
        changes_between(&[], &[(thing, &with("      additionalProperties: true\n"))]),
        vec![]
    );
}

#[test]
fn bounds_that_admit_every_value_keep_the_wire() {
    // A lower bound of 0 on a length or a count, and `additionalProperties` holding only a
    // description, restrict nothing: written or left out, the wire is the same (the Rust
    // items may still change: typify makes a newtype for a string with a length bound, and a
    // map field for the other keys).
    let note = "        note: {type: string}";
    let list = "        note: {type: array, items: {type: string}}";
    for (old, new) in [
        (note, "        note: {type: string, minLength: 0}"),
        (
            list,
            "        note: {type: array, items: {type: string}, minItems: 0}",
        ),
    ] {
        let c = changes_between(&[(note, old)], &[(note, new)]);
        assert!(c.iter().all(|c| c.wire == Compatible), "{new}: {c:#?}");
    }
    let body = "    ThingBody:\n      type: object\n";
    for extra in [
        "      minProperties: 0\n",
        "      additionalProperties: {description: any other field}\n",
    ] {
        let with = format!("{body}{extra}");
        let c = changes_between(&[], &[(body, &with)]);
        assert!(c.iter().all(|c| c.wire == Compatible), "{extra}: {c:#?}");
    }
}

#[test]
fn a_changed_spec_is_never_called_the_same() {
    // A spec change the Rust items show (a new newtype for a bounded string) is classified
    // with the spec's change, not as a change of the generator on an unchanged spec.
    let c = changes(&[(
        "        note: {type: string}",
        "        note: {type: string, maxLength: 8, pattern: '^[a-z]+$'}",
    )]);
    assert!(!c.is_empty());
    for change in &c {
        assert!(
            !change.wire_rule.contains("is the same"),
            "{change:#?} in {c:#?}"
        );
        assert!(
            !change.rust_reason.contains("is the same:"),
            "{change:#?} in {c:#?}"
        );
    }
    assert!(
        c.iter()
            .any(|c| c.subject == "ThingBody.note" && c.wire == Breaking)
    );
}

#[test]
fn enum_value_added_to_a_response_open_enum() {
    let c = changes(&[("enum: [active, idle]", "enum: [active, idle, paused]")]);
    expect(
        &c,
        "schema State: enum value `paused` added",
        Compatible,
        Minor,
    );
}

#[test]
fn an_open_enum_made_nullable_breaks_the_responses_that_carry_it() {
    // `Other(String)` takes unknown strings, not null: old clients fail on the null the server
    // may now send. No value is added, so no variant is either.
    let c = changes(&[(
        "State: {type: string, x-open-enum: true, enum: [active, idle]}",
        "State: {type: string, x-open-enum: true, nullable: true, enum: [active, idle]}",
    )]);
    expect(
        &c,
        "schema State: type string {active, idle} -> string? {active, idle}",
        Breaking,
        Patch,
    );
}

#[test]
fn enum_value_added_to_a_response_closed_enum() {
    let c = changes(&[("enum: [up, down]", "enum: [up, down, unknown]")]);
    expect(
        &c,
        "schema Phase: enum value `unknown` added",
        Breaking,
        Major,
    );
}

#[test]
fn enum_value_removed_from_a_response_enum() {
    let c = changes(&[("enum: [active, idle]", "enum: [active]")]);
    expect(
        &c,
        "schema State: enum value `idle` removed",
        Compatible,
        Major,
    );
}

#[test]
fn enum_value_added_to_a_request_enum() {
    let c = changes(&[("enum: [small, large]", "enum: [small, large, huge]")]);
    expect(
        &c,
        "schema Kind: enum value `huge` added",
        Compatible,
        Minor,
    );
}

#[test]
fn enum_value_removed_from_a_request_enum() {
    let c = changes(&[("enum: [small, large]", "enum: [small]")]);
    expect(
        &c,
        "schema Kind: enum value `large` removed",
        Breaking,
        Major,
    );
}

#[test]
fn closed_enum_made_open() {
    let c = changes(&[(
        "Phase: {type: string, enum: [up, down]}",
        "Phase: {type: string, x-open-enum: true, enum: [up, down]}",
    )]);
    let what: Vec<String> = c.iter().map(ToString::to_string).collect();
    assert_eq!(
        what,
        [
            "schema Phase: becomes #[non_exhaustive] (now used only in responses, or an open enum)",
            "schema Phase: becomes an open enum (x-open-enum)"
        ]
    );
    assert!(c.iter().all(|c| c.wire == Compatible && c.rust == Major));
}

#[test]
fn documented_status_code_removed() {
    // The 4XX range has the same body, so the client handles a 409 exactly as before.
    let c = changes(&[(
        "        '409':\n          description: conflict\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Error'}\n",
        "",
    )]);
    expect(
        &c,
        "operation create_thing: response 409 removed",
        Compatible,
        Patch,
    );
}

#[test]
fn status_code_removed_or_added_without_a_range_to_fall_back_on() {
    // A 503 next to no 5XX range: the client types it only while it is documented.
    let documented = (
        "        4XX:\n",
        "        '503':\n          description: unavailable\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Error'}\n        4XX:\n",
    );
    let c = changes_between(&[documented], &[]);
    expect(
        &c,
        "operation create_thing: response 503 removed",
        Compatible,
        Major,
    );
    let c = changes(&[documented]);
    expect(
        &c,
        "operation create_thing: response 503 added",
        Compatible,
        Major,
    );
}

#[test]
fn error_status_added_within_a_range() {
    let c = changes(&[(
        "        4XX:\n",
        "        '404':\n          description: not found\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Error'}\n        4XX:\n",
    )]);
    expect(
        &c,
        "operation create_thing: response 404 added",
        Compatible,
        Patch,
    );
}

#[test]
fn success_status_added() {
    let c = changes(&[(
        "        '409':\n",
        "        '201':\n          description: created\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Thing'}\n        '409':\n",
    )]);
    expect(
        &c,
        "operation create_thing: response 201 added",
        Breaking,
        Major,
    );
}

#[test]
fn path_parameter_renamed() {
    let c = changes(&[
        ("/things/{thing_id}:", "/things/{id}:"),
        ("name: thing_id, in: path", "name: id, in: path"),
    ]);
    expect(
        &c,
        "operation create_thing: path parameter `thing_id` renamed to `id`",
        Compatible,
        Major,
    );
}

#[test]
fn path_changed() {
    let c = changes(&[("/things/{thing_id}:", "/items/{thing_id}:")]);
    expect(
        &c,
        "operation create_thing: moved from POST /things/{thing_id} to POST /items/{thing_id}",
        Breaking,
        Patch,
    );
}

#[test]
fn operation_added_and_removed() {
    let second = "  /other:\n    get:\n      operationId: list_others\n      externalDocs: {url: \"https://example.com/ListOthers\"}\n      responses:\n        '200':\n          description: ok\n        4XX:\n          description: refused\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Error'}\ncomponents:";
    let c = changes(&[("components:", second)]);
    expect(
        &c,
        "operation list_others: added (GET /other)",
        Compatible,
        Minor,
    );
    let c = changes(&[(
        "  /things/{thing_id}:\n    post:",
        "  /things/{thing_id}:\n    put:",
    )]);
    let what: Vec<(String, Wire, Level)> =
        c.iter().map(|c| (c.to_string(), c.wire, c.rust)).collect();
    assert_eq!(
        what,
        [(
            "operation create_thing: moved from POST /things/{thing_id} to PUT /things/{thing_id}"
                .to_owned(),
            Breaking,
            Patch
        )]
    );
}

#[test]
fn operation_removed_or_renamed() {
    // The document without its one path (unknown `x-` keys are refused, so the operation
    // cannot be parked under one), and api.toml without the setting for its header.
    let start = BEFORE.find("paths:\n").expect("paths");
    let end = BEFORE.find("components:\n").expect("components");
    let supplied = &API_TOML[API_TOML
        .find("[[client_supplied]]")
        .expect("client_supplied")..];
    let c = changes_with((supplied, ""), &[(&BEFORE[start..end], "paths: {}\n")]);
    // Its schemas stay as unused types (the rule for them changes too; see the other tests).
    let c: Vec<Change> = c
        .into_iter()
        .filter(|c| c.subject.starts_with("operation"))
        .collect();
    expect(
        &c,
        "operation create_thing: removed (POST /things/{thing_id})",
        Breaking,
        Major,
    );
    // Same method and path under a new operationId: the endpoint is the same, the Rust
    // method is not.
    let c = changes(&[("operationId: create_thing", "operationId: make_thing")]);
    expect(
        &c,
        "operation create_thing: renamed to make_thing (operationId)",
        Compatible,
        Major,
    );
}

#[test]
fn parameters_added() {
    let c = changes(&[(
        "        - {name: X-Trace-Id",
        "        - {name: page, in: query, required: false, schema: {type: string}}\n        - {name: X-Trace-Id",
    )]);
    expect(
        &c,
        "operation create_thing: query parameter `page` added (optional)",
        Compatible,
        Minor,
    );
    let c = changes(&[(
        "        - {name: X-Trace-Id",
        "        - {name: page, in: query, required: true, schema: {type: string}}\n        - {name: X-Trace-Id",
    )]);
    expect(
        &c,
        "operation create_thing: query parameter `page` added (required)",
        Breaking,
        Major,
    );
}

#[test]
fn parameter_removed() {
    let c = changes(&[(
        "        - {name: limit, in: query, required: false, schema: {type: integer, format: int32}}\n",
        "",
    )]);
    expect(
        &c,
        "operation create_thing: query parameter `limit` removed",
        Breaking,
        Major,
    );
}

#[test]
fn parameter_made_required_and_moved() {
    let c = changes(&[(
        "name: limit, in: query, required: false",
        "name: limit, in: query, required: true",
    )]);
    expect(
        &c,
        "operation create_thing: query parameter `limit` made required",
        Breaking,
        Major,
    );
    let c = changes(&[("name: limit, in: query", "name: limit, in: header")]);
    expect(
        &c,
        "operation create_thing: header parameter `limit` moved from query to header",
        Breaking,
        Patch,
    );
}

#[test]
fn base_url_auth_and_client_supplied() {
    let c = changes_with(
        ("crate = \"fixture-api\"", "crate = \"fixture-client\""),
        &[],
    );
    expect(
        &c,
        "crate fixture-client: renamed from fixture-api",
        Compatible,
        Major,
    );
    let c = changes_with(("https://api.example.com", "https://api2.example.com"), &[]);
    expect(
        &c,
        "crate fixture-api: base URL https://api.example.com -> https://api2.example.com",
        Breaking,
        Patch,
    );
    let c = changes_with(
        (
            r#"vendor = "fixture""#,
            "vendor = \"fixture-signed\"\nservice = \"fixture\"",
        ),
        &[],
    );
    expect(
        &c,
        "crate fixture-api: auth digest -> huawei",
        Breaking,
        Major,
    );
    // No longer supplied by the runtime: callers must now set it themselves.
    let c = changes_with(
        (
            "[[client_supplied]]\nname = \"X-Trace-Id\"\nin = \"header\"\nsupply = \"project_id\"\nwhy = \"the runtime sets it\"",
            "",
        ),
        &[],
    );
    expect(
        &c,
        "operation create_thing: header parameter `X-Trace-Id` no longer supplied by the runtime",
        Compatible,
        Major,
    );
}

#[test]
fn specs_that_do_not_generate_are_named() {
    // The Rust verdicts read the generated crate, so a spec the generator refuses stops the
    // comparison with the generator's message, naming the side and the spec.
    let dir = tempfile::tempdir().unwrap();
    let two_bodies = edited(&[(
        "        '409':\n",
        "        '201':\n          description: created\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Error'}\n        '409':\n",
    )]);
    write_fixture(dir.path(), API_TOML, &two_bodies);
    let err = release::reports(dir.path(), &Base::Records).unwrap_err();
    assert!(err.starts_with("specs in the working tree:"), "{err}");
    assert!(err.contains("specs/fixture-api/CreateThing.yaml"), "{err}");
    assert!(
        err.contains("give every 2xx response the same schema"),
        "{err}"
    );
}

#[test]
fn bump_rules_follow_cargo() {
    use release::Version;
    let v = |s| Version::parse(s).unwrap();
    assert_eq!(v("0.1.0").bumped(Major), v("0.2.0"));
    assert_eq!(v("0.1.3").bumped(Minor), v("0.1.4"));
    assert_eq!(v("0.1.3").bumped(Patch), v("0.1.4"));
    assert_eq!(v("0.0.3").bumped(Minor), v("0.0.4"));
    assert_eq!(v("1.2.3").bumped(Major), v("2.0.0"));
    assert_eq!(v("1.2.3").bumped(Minor), v("1.3.0"));
    assert_eq!(v("1.2.3").bumped(Patch), v("1.2.4"));
    assert!(Version::parse("1.2").is_err());
}

#[test]
fn todays_specs_pass_the_gate() {
    let root = workspace_root();
    let reports = release::reports(&root, &Base::Records).unwrap();
    assert_eq!(reports.len(), api_dirs(&root).len());
    for r in &reports {
        assert!(r.base_version.is_some(), "{} has no release record", r.api);
        assert_eq!(r.problem(), None);
    }
    assert_eq!(
        release::check_changelogs(&root, &reports),
        Vec::<String>::new()
    );
}

/// The API directories under `root/specs` (those with an `api.toml`).
fn api_dirs(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(root.join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("api.toml").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// The `version` of `api`'s `api.toml` under `root`.
fn api_version(root: &Path, api: &str) -> release::Version {
    let apis = spec::load_all(root).unwrap();
    let loaded = apis.iter().find(|a| a.name == api).unwrap();
    release::Version::parse(&loaded.config.version).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn recording_one_crate_leaves_the_others_pending() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    copy_dir(&workspace_root().join("specs"), &root.join("specs"));
    // A crate with a change since its record (or with no record): made new for the test by
    // removing its record, so the scenario does not depend on today's versions.
    let apis = spec::load_all(root).unwrap();
    let (first, rest) = apis.split_first().expect("specs/ holds an API");
    let _ = fs::remove_file(root.join("specs").join(&first.name).join("release.json"));
    release::write_changelogs(root, &release::reports(root, &Base::Records).unwrap()).unwrap();
    let before: Vec<_> = rest
        .iter()
        .map(|a| fs::read(root.join("specs").join(&a.name).join("release.json")).ok())
        .collect();

    let written = release::record(root, Some(&first.name)).unwrap();
    assert_eq!(written, [format!("specs/{}/release.json", first.name)]);
    let after: Vec<_> = rest
        .iter()
        .map(|a| fs::read(root.join("specs").join(&a.name).join("release.json")).ok())
        .collect();
    assert_eq!(before, after, "the other crates' records are untouched");

    let unknown = release::record(root, Some("no-such-api")).unwrap_err();
    assert!(unknown.contains("no API `no-such-api`"), "{unknown}");
    assert!(unknown.contains(&first.name), "{unknown}");
}

#[test]
fn breaking_change_without_a_bump_fails_then_passes_with_bump_changelog_and_record() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    copy_dir(&workspace_root().join("specs"), &root.join("specs"));
    // A version bumped but not released yet (the gate and changelog in order) is released
    // first, so that the scenario starts from released specs whatever their versions.
    release::record(root, None).unwrap();
    let api = root.join("specs/huaweicloud-dataarts-insight");
    let released = api_version(root, "huaweicloud-dataarts-insight");
    let (major, patch) = (released.bumped(Major), released.bumped(Patch));
    // An optional request field made required.
    edit(
        &api.join("VerifyAndCreateVpcEp.yaml"),
        "        - ds_type\n",
        "        - ds_type\n        - vpc_ep_server_id\n",
    );

    let reports = release::reports(root, &Base::Records).unwrap();
    let problems: Vec<String> = reports.iter().filter_map(|r| r.problem()).collect();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert!(
        p.contains(
            "VerifyAndCreateVpcEpBody.vpc_ep_server_id: made required (wire breaking, Rust major)"
        ),
        "{p}"
    );
    assert!(p.contains(&format!("set `version = \"{major}\"`")), "{p}");
    assert!(
        p.contains("specs/huaweicloud-dataarts-insight/api.toml"),
        "{p}"
    );
    // The reports a reviewer reads say the same.
    let markdown = release::render_markdown(&reports);
    assert!(
        markdown.contains("| `VerifyAndCreateVpcEpBody.vpc_ep_server_id`: made required | **breaking**: request narrowed: the server may refuse what old clients send | **major**: the field's Rust type changes (Option) |"),
        "{markdown}"
    );
    let text = release::render_text(&reports);
    assert!(
        text.contains(&format!("FAIL: needs a major bump: {major} or later; api.toml has {released} (no bump): set version = \"{major}\" in specs/huaweicloud-dataarts-insight/api.toml")),
        "{text}"
    );
    // A patch bump is not enough either.
    edit(
        &api.join("api.toml"),
        &format!("version = \"{released}\""),
        &format!("version = \"{patch}\""),
    );
    let reports = release::reports(root, &Base::Records).unwrap();
    assert!(reports.iter().any(|r| r.problem().is_some()));

    // The right bump passes the gate, but the changelog has no entry for it yet.
    edit(
        &api.join("api.toml"),
        &format!("version = \"{patch}\""),
        &format!("version = \"{major}\""),
    );
    let reports = release::reports(root, &Base::Records).unwrap();
    assert!(reports.iter().all(|r| r.problem().is_none()));
    // Named by the same Cargo rules as the bump needed (before 1.0 the minor number is major).
    let text = release::render_text(&reports);
    assert!(
        text.contains(&format!(
            "ok: needs a major bump: {major} or later; api.toml has {major} (a major bump)"
        )),
        "{text}"
    );
    let problems = release::check_changelogs(root, &reports);
    assert_eq!(
        problems,
        [format!(
            "specs/huaweicloud-dataarts-insight/CHANGELOG.md: no entry for {major} (api.toml's version); run `cargo xtask api-diff --changelog`"
        )]
    );
    assert!(
        release::record(root, None).is_err(),
        "recording needs the changelog entry"
    );

    let written = release::write_changelogs(root, &reports).unwrap();
    assert_eq!(written, ["specs/huaweicloud-dataarts-insight/CHANGELOG.md"]);
    let changelog = fs::read_to_string(api.join("CHANGELOG.md")).unwrap();
    assert!(
        changelog.contains(&format!("## {major}\n\nChanges since {released}.\n\n### Breaking changes\n\n- VerifyAndCreateVpcEpBody.vpc_ep_server_id: made required (wire: breaking, request narrowed: the server may refuse what old clients send; Rust: major)\n")),
        "{changelog}"
    );
    // The released version's entry stays.
    assert!(
        changelog.contains(&format!("\n## {released}\n")),
        "{changelog}"
    );
    assert_eq!(
        release::check_changelogs(root, &reports),
        Vec::<String>::new()
    );

    // An entry that disagrees with the specs fails the check.
    edit(&api.join("CHANGELOG.md"), "made required", "made optional");
    let problems = release::check_changelogs(root, &reports);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("does not match"), "{problems:?}");
    release::write_changelogs(root, &reports).unwrap();

    // The version moves on before it is released: the entry of the version never released
    // goes, its changes are in the new one; moving back does the same the other way.
    let later = major.bumped(Patch);
    for (from, to) in [(major, later), (later, major)] {
        edit(
            &api.join("api.toml"),
            &format!("version = \"{from}\""),
            &format!("version = \"{to}\""),
        );
        let reports = release::reports(root, &Base::Records).unwrap();
        let problems = release::check_changelogs(root, &reports);
        assert!(
            problems.iter().any(|p| p.contains(&format!(
                "the entry for {from} was never released ({released} is, and api.toml has {to})"
            ))),
            "{problems:#?}"
        );
        release::write_changelogs(root, &reports).unwrap();
        let changelog = fs::read_to_string(api.join("CHANGELOG.md")).unwrap();
        assert!(
            !changelog.contains(&format!("\n## {from}\n")),
            "{changelog}"
        );
        assert!(changelog.contains(&format!("\n## {to}\n")), "{changelog}");
        assert!(
            changelog.contains(&format!("\n## {released}\n")),
            "{changelog}"
        );
        assert_eq!(
            release::check_changelogs(root, &reports),
            Vec::<String>::new()
        );
    }

    // Releasing records the bumped version; afterwards there is nothing left to classify.
    let written = release::record(root, None).unwrap();
    assert_eq!(written, ["specs/huaweicloud-dataarts-insight/release.json"]);
    let reports = release::reports(root, &Base::Records).unwrap();
    let dii = reports
        .iter()
        .find(|r| r.api == "huaweicloud-dataarts-insight")
        .unwrap();
    assert_eq!(dii.base_version, Some(major));
    assert!(dii.changes.is_empty());
    assert_eq!(
        release::check_changelogs(root, &reports),
        Vec::<String>::new()
    );
}

#[test]
fn records_match_the_surface_model() {
    // A record is the serialized surface and generated items: reading it back gives the same
    // model.
    for r in release::reports(&workspace_root(), &Base::Records).unwrap() {
        let text = fs::read_to_string(
            workspace_root()
                .join("specs")
                .join(&r.api)
                .join(release::RECORD_FILE),
        )
        .unwrap();
        let record: Snapshot = serde_json::from_str(&text).unwrap();
        assert_eq!(
            serde_json::to_string_pretty(&record).unwrap() + "\n",
            text,
            "{} record is not in the stable form",
            r.api
        );
    }
}

#[test]
fn generated_types_follow_the_non_exhaustive_rule() {
    // The Rust verdicts assume this rule; check that the generated code applies it.
    let root = workspace_root();
    for api in spec::load_all(&root).unwrap() {
        let surface = Surface::of(&api);
        let code =
            fs::read_to_string(root.join(format!("generated/{}/src/lib.rs", api.name))).unwrap();
        for (name, schema) in &surface.schemas {
            if schema.replaced_by.is_some() {
                continue;
            }
            // An object with properties is a struct; any other schema an enum or a newtype
            // struct (an object without properties is a map).
            let items: &[String] = match schema.shape {
                xtask::spec::surface::Shape::Object { .. } => &[format!("pub struct {name}")],
                xtask::spec::surface::Shape::Value(_) => {
                    &[format!("pub enum {name}"), format!("pub struct {name}")]
                }
            };
            // `Name {` with fields, `Name(` for a newtype.
            let declared = |prefix: &str| {
                items.iter().any(|item| {
                    [" {", "("]
                        .iter()
                        .any(|end| code.contains(&format!("{prefix}{item}{end}")))
                })
            };
            let item = items.join("` or `");
            assert!(declared(""), "{}: no `{item}`", api.name);
            assert_eq!(
                declared("    #[non_exhaustive]\n    "),
                schema.non_exhaustive,
                "{}: {name} should {}be #[non_exhaustive]",
                api.name,
                if schema.non_exhaustive { "" } else { "not " }
            );
        }
    }
}

#[test]
fn base_revision_reads_the_committed_specs() {
    // `--base HEAD` compares with the specs of the last commit (git is part of the toolchain
    // CI runs in; the working tree may differ while someone edits).
    let reports = release::reports(&workspace_root(), &Base::Git("HEAD".into())).unwrap();
    assert_eq!(reports.len(), api_dirs(&workspace_root()).len());
    assert!(reports.iter().all(|r| r.base_version.is_some()));
    let err =
        release::reports(&workspace_root(), &Base::Git("no-such-revision".into())).unwrap_err();
    assert!(
        err.contains("git archive no-such-revision specs failed"),
        "{err}"
    );
}

/// A copy of the workspace's sources (no build output) in a temporary directory.
fn workspace_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = workspace_root();
    for entry in fs::read_dir(&root).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dir.path().join(&name));
        } else {
            fs::copy(entry.path(), dir.path().join(&name)).unwrap();
        }
    }
    dir
}

/// `cargo metadata` in `root` (offline: it resolves with what the lock file and the local
/// registry hold); Err with cargo's message when the workspace does not resolve.
fn resolve(root: &Path, locked: bool) -> Result<serde_json::Value, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    integration_tests::fetch_locked_packages();
    let mut command = std::process::Command::new(cargo);
    command
        .current_dir(root)
        .args(["metadata", "--offline", "--format-version", "1"]);
    if locked {
        command.arg("--locked");
    }
    let out = command.output().unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(serde_json::from_slice(&out.stdout).unwrap())
}

fn package_version(metadata: &serde_json::Value, name: &str) -> Option<String> {
    metadata["packages"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name && p["source"].is_null())
        .and_then(|p| p["version"].as_str())
        .map(str::to_owned)
}

fn generate(root: &Path) {
    match xtask::run(root, false) {
        Ok(_) => {}
        Err(e) => panic!("{e}"),
    }
    match xtask::run(root, true) {
        Ok(xtask::Outcome::UpToDate) => {}
        Ok(xtask::Outcome::Changed(drift)) => panic!("{}", xtask::stale_message(&drift)),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_version_bump_in_api_toml_alone_keeps_the_workspace_resolving() {
    let copy = workspace_copy();
    let root = copy.path();
    let api = "huaweicloud-das";
    let released = api_version(root, api);
    let bumped = released.bumped(Major);
    edit(
        &root.join("specs").join(api).join("api.toml"),
        &format!("version = \"{released}\""),
        &format!("version = \"{bumped}\""),
    );
    // Before generating, the workspace manifest still pins the old version: `generate --check`
    // names it with the crate's own manifest.
    let Ok(xtask::Outcome::Changed(drift)) = xtask::run(root, true) else {
        panic!("the bump left nothing stale");
    };
    let stale = xtask::stale_message(&drift);
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "generated/huaweicloud-das/Cargo.toml",
    ] {
        assert!(stale.contains(&format!("stale:   {file}\n")), "{stale}");
    }
    assert!(stale.contains("run `cargo xtask generate`"), "{stale}");
    generate(root);
    let metadata = resolve(root, true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        package_version(&metadata, "huaweicloud-das"),
        Some(bumped.to_string())
    );
    // The bump is unreleased: the gate passes, and asks only for the changelog entry.
    let reports = release::reports(root, &Base::Records).unwrap();
    assert!(reports.iter().all(|r| r.problem().is_none()));
    release::write_changelogs(root, &reports).unwrap();
    assert_eq!(
        release::check_changelogs(root, &reports),
        Vec::<String>::new()
    );
}

#[test]
fn a_new_api_directory_becomes_a_workspace_crate_and_leaves_with_its_directory() {
    let copy = workspace_copy();
    let root = copy.path();
    let specs = root.join("specs");
    let (from, name) = ("huaweicloud-das", "huaweicloud-das-copy");
    copy_dir(&specs.join(from), &specs.join(name));
    edit(
        &specs.join(name).join("api.toml"),
        &format!("crate = \"{from}\""),
        &format!("crate = \"{name}\""),
    );
    generate(root);
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let version = api_version(root, name);
    assert!(
        manifest.contains(&format!(
            "{name} = {{ path = \"generated/{name}\", version = \"{version}\" }}"
        )),
        "{manifest}"
    );
    // Cargo adds the new crate to the lock file on its first run.
    let metadata = resolve(root, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(package_version(&metadata, name), Some(version.to_string()));

    fs::remove_dir_all(specs.join(name)).unwrap();
    generate(root);
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(!manifest.contains(name), "{manifest}");
    assert!(!root.join("generated").join(name).exists());
    resolve(root, false).unwrap_or_else(|e| panic!("{e}"));
}

/// A crate released by an older generator: the record's items are those of the released code,
/// so what the generator alone changed (a method gone, a signature respelled) needs its bump
/// even where the spec is the same, and also on an operation whose spec changed too.
#[test]
fn changes_the_generator_alone_made_need_their_bump() {
    let dir = tempfile::tempdir().unwrap();
    let now = load(dir.path(), API_TOML, BEFORE);
    let call = now
        .rust
        .get("CreateThing.call")
        .expect("the sending method is among the items")
        .to_owned();
    let mut released = now.clone();
    let old_send = "async fn(self)->Result<ResponseValue<types::Thing>,Error<types::Error>>";
    released
        .rust
        .0
        .insert("CreateThing.send".into(), old_send.into());
    released.rust.0.insert(
        "CreateThing.call".into(),
        call.replace("Output<", "OldOutput<"),
    );
    let mut found: Vec<(String, Level)> = api_diff::compare(&released, &now)
        .iter()
        .map(|c| (c.to_string(), c.rust))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                format!(
                    "operation create_thing: `CreateThing.call` changed: `{}` -> `{call}`",
                    call.replace("Output<", "OldOutput<")
                ),
                Major
            ),
            (
                format!("operation create_thing: `CreateThing.send` removed (was `{old_send}`)"),
                Major
            ),
        ]
    );
    // The same release, with a spec change on the operation: the setter is judged as a spec
    // change, the method the generator removed still as its own.
    let b = tempfile::tempdir().unwrap();
    let changed = load(
        b.path(),
        API_TOML,
        &edited(&[(
            "        - {name: limit, in: query, required: false, schema: {type: integer, format: int32}}\n",
            "        - {name: limit, in: query, required: false, schema: {type: integer, format: int32}}\n        - {name: marker, in: query, required: false, schema: {type: string}}\n",
        )]),
    );
    let found: Vec<String> = api_diff::compare(&released, &changed)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        found
            .iter()
            .any(|c| c.contains("`CreateThing.send` removed")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|c| c.contains("query parameter `marker` added")),
        "{found:#?}"
    );
    assert!(
        !found.iter().any(|c| c.contains("`CreateThing.marker`")),
        "the setter of a new parameter is judged with the spec change: {found:#?}"
    );
}

/// `--base REV` reads the items of the generated code committed at REV, so a change of the
/// generator since shows in the pull request that makes it: here the committed code of one
/// crate still has a public `send`, which the generator no longer makes.
#[test]
fn base_revision_compares_with_the_generated_code_committed_there() {
    let dir = workspace_copy();
    let root = dir.path();
    let (api, code) = api_dirs(root)
        .into_iter()
        .find_map(|api| {
            let code = fs::read_to_string(root.join(format!("generated/{api}/src/lib.rs"))).ok()?;
            code.contains("pub(crate) async fn send(")
                .then_some((api, code))
        })
        .expect("a generated crate with operations");
    fs::write(
        root.join(format!("generated/{api}/src/lib.rs")),
        code.replace("pub(crate) async fn send(", "pub async fn send("),
    )
    .unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(root)
            .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "code of an older generator"]);
    let reports = release::reports(root, &Base::Git("HEAD".into())).unwrap();
    for r in &reports {
        let removed: Vec<&Change> = r
            .changes
            .iter()
            .filter(|c| c.what.contains(".send` removed"))
            .collect();
        if r.api == api {
            assert!(!removed.is_empty(), "{:#?}", r.changes);
            assert!(removed.iter().all(|c| c.rust == Major), "{removed:#?}");
        } else {
            assert!(r.changes.is_empty(), "{}: {:#?}", r.api, r.changes);
        }
    }
}

#[test]
fn read_only_and_write_only_fields_break_the_side_that_loses_them() {
    // Read-only: the server stops taking the field from requests; answers keep it.
    let note = "        note: {type: string}";
    let (s, wire, rule) = one_change(note, note, "        note: {type: string, readOnly: true}");
    assert_eq!((s.as_str(), wire), ("ThingBody.note", Breaking), "{rule}");
    let (_, wire, rule) = one_change(note, "        note: {type: string, readOnly: true}", note);
    assert_eq!(wire, Compatible, "{rule}");
    let id = "        id: {type: string}";
    let (s, wire, rule) = one_change(id, id, "        id: {type: string, readOnly: true}");
    assert_eq!((s.as_str(), wire), ("Thing.id", Compatible), "{rule}");
    // Write-only: answers stop carrying the field, which breaks clients that require it.
    let (_, wire, rule) = one_change(id, id, "        id: {type: string, writeOnly: true}");
    assert_eq!(wire, Compatible, "{rule}");
    let required = "        id: {type: string}\n";
    let c = changes_between(
        &[
            (required, required),
            (
                "    Thing:\n      type: object\n",
                "    Thing:\n      type: object\n      required: [id]\n",
            ),
        ],
        &[
            (required, "        id: {type: string, writeOnly: true}\n"),
            (
                "    Thing:\n      type: object\n",
                "    Thing:\n      type: object\n      required: [id]\n",
            ),
        ],
    );
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(
        (c[0].to_string().as_str(), c[0].wire),
        ("Thing.id: made write-only", Breaking)
    );
    let (_, wire, rule) = one_change(note, note, "        note: {type: string, writeOnly: true}");
    assert_eq!(wire, Compatible, "{rule}");
}

#[test]
fn deprecations_are_changes_for_the_changelog_that_keep_the_wire_and_the_code() {
    let op = "      operationId: create_thing\n";
    let limit = "limit, in: query, required: false, schema: {type: integer, format: int32}";
    let note = "        note: {type: string}";
    for (from, to, what) in [
        (
            op,
            format!("{op}      deprecated: true\n"),
            "operation create_thing: deprecated",
        ),
        (
            limit,
            format!("{limit}, deprecated: true"),
            "operation create_thing: query parameter `limit` deprecated",
        ),
        (
            note,
            "        note: {type: string, deprecated: true}".to_owned(),
            "ThingBody.note: deprecated",
        ),
    ] {
        expect(&changes(&[(from, &to)]), what, Compatible, Patch);
        let back = changes_between(&[(from, &to)], &[(from, from)]);
        assert_eq!(back.len(), 1, "{back:#?}");
        assert!(
            back[0].to_string().ends_with("no longer deprecated"),
            "{}",
            back[0]
        );
    }
}

#[test]
fn the_surface_shows_deprecations_and_one_sided_fields() {
    let op = "      operationId: create_thing\n";
    let limit = "limit, in: query, required: false, schema: {type: integer, format: int32}";
    let doc = edited(&[
        (op, &format!("{op}      deprecated: true\n")),
        (limit, &format!("{limit}, deprecated: true")),
        (
            "        name: {type: string}",
            "        name: {type: string, writeOnly: true}",
        ),
        (
            "        id: {type: string}",
            "        id: {type: string, readOnly: true, deprecated: true}",
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let text = load(dir.path(), API_TOML, &doc).surface.render_text();
    for line in [
        "  operation  create_thing (deprecated)",
        "  query      limit: integer(int32) (optional, deprecated)",
        "    name: string (required, writeOnly)",
        "    id: string (readOnly, deprecated)",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} not in:\n{text}");
    }
}

/// Two schemas a `oneOf` chooses between, added next to the fixture's others.
const PETS: (&str, &str) = (
    "    Error:\n",
    "    Cat:\n      type: object\n      properties:\n        kind: {type: string}\n\
     \x20   Dog:\n      type: object\n      properties:\n        kind: {type: string}\n\
     \x20   Error:\n",
);

/// `field` (a line of the fixture) as a `oneOf` of the two pets, with `discriminator` lines.
fn pet_field(field: &str, discriminator: &str) -> String {
    let name = field.trim().split(':').next().unwrap_or_default();
    format!(
        "        {name}:\n          oneOf: [{{$ref: '#/components/schemas/Cat'}}, \
         {{$ref: '#/components/schemas/Dog'}}]\n{discriminator}"
    )
}

#[test]
fn a_discriminator_added_changed_or_remapped_is_a_wire_change_the_code_does_not_show() {
    // progenitor leaves `discriminator` out of the generated code, so the Rust items stay the
    // same; the vendor's server picks the alternative by it. Added, it asks every value for the
    // property (narrower); a mapping value added admits another (wider); another property or a
    // value mapped to another schema cannot be compared.
    let d = |property: &str, mapping: &str| {
        format!("          discriminator:\n            propertyName: {property}\n{mapping}")
    };
    let mapping = |pairs: &[(&str, &str)]| {
        let mut m = "            mapping:\n".to_owned();
        for (value, schema) in pairs {
            m += &format!("              {value}: '#/components/schemas/{schema}'\n");
        }
        m
    };
    let none = String::new();
    let plain = d("kind", "");
    let cat_dog = d("kind", &mapping(&[("cat", "Cat"), ("dog", "Dog")]));
    let with_kitty = d(
        "kind",
        &mapping(&[("cat", "Cat"), ("dog", "Dog"), ("kitty", "Cat")]),
    );
    let swapped = d("kind", &mapping(&[("cat", "Dog"), ("dog", "Cat")]));
    let other_property = d("type", &mapping(&[("cat", "Cat"), ("dog", "Dog")]));
    // (old, new, narrows: Some(true) narrower, Some(false) wider, None not comparable)
    let cases = [
        (&none, &plain, Some(true)),
        (&plain, &none, Some(false)),
        (&cat_dog, &with_kitty, Some(false)),
        (&with_kitty, &cat_dog, Some(true)),
        (&cat_dog, &swapped, None),
        (&cat_dog, &other_property, None),
        (&plain, &cat_dog, None),
    ];
    for (field, subject, request) in [
        ("        note: {type: string}", "ThingBody.note", true),
        ("        id: {type: string}", "Thing.id", false),
    ] {
        for (old, new, narrows) in &cases {
            let c = changes_between(
                &[PETS, (field, &pet_field(field, old))],
                &[PETS, (field, &pet_field(field, new))],
            );
            let what = format!("{subject}: {old:?} -> {new:?}");
            assert_eq!(c.len(), 1, "{what}: {c:#?}");
            assert_eq!(c[0].subject, subject, "{what}");
            let breaks = match narrows {
                Some(narrows) => *narrows == request,
                None => true,
            };
            assert_eq!(c[0].wire == Breaking, breaks, "{what}: {}", c[0].wire_rule);
            assert_eq!(c[0].rust, Patch, "{what}: {}", c[0].rust_reason);
        }
    }
    // On an object schema (the base of an `allOf` family) the same holds for the schema.
    for (schema, request) in [("ThingBody", true), ("Thing", false)] {
        let from = format!("    {schema}:\n      type: object\n");
        let to = format!("{from}      discriminator: {{propertyName: kind}}\n");
        let c = changes_between(&[], &[(&from, &to)]);
        assert_eq!(c.len(), 1, "{schema}: {c:#?}");
        assert_eq!(c[0].subject, format!("schema {schema}"));
        assert_eq!(
            c[0].wire == Breaking,
            request,
            "{schema}: {}",
            c[0].wire_rule
        );
    }
    // The surface text shows the discriminator with its mapping.
    let dir = tempfile::tempdir().unwrap();
    let note = "        note: {type: string}";
    let doc = edited(&[PETS, (note, &pet_field(note, &cat_dog))]);
    let text = load(dir.path(), API_TOML, &doc).surface.render_text();
    assert!(
        text.contains("(discriminator kind {cat: Cat, dog: Dog})"),
        "discriminator not shown in:\n{text}"
    );
}

#[test]
fn what_an_object_says_of_itself_besides_its_fields_is_part_of_its_wire_form() {
    // `nullable` on an object widens the values of its side; an `allOf` added beside the
    // fields cannot be compared. Both used to be invisible to the wire verdict.
    for (schema, request) in [("ThingBody", true), ("Thing", false)] {
        let from = format!("    {schema}:\n      type: object\n");
        let nullable = format!("{from}      nullable: true\n");
        // The schema's own change (the generated code's changes are listed beside it).
        let own = |c: Vec<Change>| -> Change {
            let mine: Vec<Change> = c
                .into_iter()
                .filter(|c| c.subject == format!("schema {schema}"))
                .collect();
            assert_eq!(mine.len(), 1, "{schema}: {mine:#?}");
            mine[0].clone()
        };
        let c = own(changes_between(&[], &[(&from, &nullable)]));
        assert_eq!(c.what, "object limits (no limit) -> nullable");
        assert_eq!(c.wire == Breaking, !request, "{schema}: {}", c.wire_rule);
        let all_of = format!("{from}      allOf: [{{$ref: '#/components/schemas/Error'}}]\n");
        let c = own(changes_between(&[], &[(&from, &all_of)]));
        assert_eq!(c.wire, Breaking, "{schema}: {}", c.wire_rule);
    }
    let dir = tempfile::tempdir().unwrap();
    let thing = "    Thing:\n      type: object\n";
    let doc = edited(&[(thing, &format!("{thing}      nullable: true\n"))]);
    let text = load(dir.path(), API_TOML, &doc).surface.render_text();
    assert!(
        text.contains("\n    nullable\n"),
        "nullable object not shown in:\n{text}"
    );
}
