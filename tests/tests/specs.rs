//! The specs themselves: valid OpenAPI 3.0 by the official JSON Schema, and examples that
//! match their own schemas. Whether they say what the vendors' pages say is `tests/docs.rs`.

use std::{fs, path::PathBuf};

use serde_json::{Value, json};
use xtask::{spec, workspace_root};

fn spec_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for api in fs::read_dir(workspace_root().join("specs")).expect("specs/") {
        let api = api.expect("entry").path();
        if !api.is_dir() {
            continue;
        }
        for f in fs::read_dir(&api).expect("api dir") {
            let f = f.expect("entry").path();
            if f.extension().is_some_and(|x| x == "yaml") {
                out.push(f);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "specs/ holds no YAML document");
    out
}

#[test]
fn every_document_passes_the_generators_checks() {
    // `cargo xtask generate` validates each document against the official OpenAPI 3.0 schema
    // and its own rules before anything else (see the generator tests for the messages).
    let apis = spec::load_all(&workspace_root()).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    // Every API folder of specs/ was loaded, and every YAML document of specs/ was read: an
    // operation document of its API, or the API's `_common.yaml`.
    let api_dirs: Vec<String> = fs::read_dir(workspace_root().join("specs"))
        .expect("specs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join(spec::CONFIG_FILE).is_file())
        .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let loaded: Vec<String> = apis.iter().map(|a| a.name.clone()).collect();
    assert_eq!(
        loaded, api_dirs,
        "the APIs loaded are the folders of specs/"
    );
    let root = workspace_root();
    for file in spec_files() {
        let relative = file
            .strip_prefix(&root)
            .expect("under the workspace")
            .to_string_lossy()
            .replace('\\', "/");
        let read = apis.iter().any(|api| {
            api.files.contains(&relative)
                || relative == format!("specs/{}/{}", api.name, spec::COMMON_FILE)
        });
        assert!(read, "{relative} is not read by the generator");
    }
}

/// OpenAPI 3.0 schema objects as JSON Schema (draft 4) for example checking: `nullable`
/// becomes a `null` type, and objects that do not say otherwise refuse unknown properties so
/// that a misspelled or undocumented field in an example is caught.
fn strict_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, child) in map {
                if k == "example" || k == "examples" {
                    continue;
                }
                out.insert(k.clone(), strict_json_schema(child));
            }
            if map.get("nullable") == Some(&Value::Bool(true))
                && let Some(t) = map.get("type").and_then(Value::as_str)
            {
                out.insert("type".into(), json!([t, "null"]));
            }
            if map.get("type").and_then(Value::as_str) == Some("object")
                && map.contains_key("properties")
                && !map.contains_key("additionalProperties")
            {
                out.insert("additionalProperties".into(), Value::Bool(false));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(strict_json_schema).collect()),
        other => other.clone(),
    }
}

/// (place, example, schema) for every example of every API, with the API's merged components.
fn examples() -> Vec<(String, Value, Value, Value)> {
    let root = workspace_root();
    let apis = spec::load_all(&root).expect("specs load");
    let mut out = Vec::new();
    for api in apis {
        let doc = serde_json::to_value(&api.merged).expect("spec as JSON");
        let components = strict_json_schema(&doc["components"]);
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let place = format!("{} {} {path}", api.name, method.to_uppercase());
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if let Some(example) = p.get("example") {
                        out.push((
                            format!("{place} parameter {}", p["name"]),
                            example.clone(),
                            p["schema"].clone(),
                            components.clone(),
                        ));
                    }
                }
                for (media, m) in op["requestBody"]["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    if let Some(example) = m.get("example") {
                        out.push((
                            format!("{place} request {media}"),
                            example.clone(),
                            m["schema"].clone(),
                            components.clone(),
                        ));
                    }
                }
                for (status, r) in op["responses"].as_object().into_iter().flatten() {
                    for (media, m) in r["content"].as_object().into_iter().flatten() {
                        if let Some(example) = m.get("example") {
                            out.push((
                                format!("{place} response {status} {media}"),
                                example.clone(),
                                m["schema"].clone(),
                                components.clone(),
                            ));
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_example_matches_its_schema() {
    let all = examples();
    assert!(
        all.iter().any(|(place, ..)| place.contains(" request ")),
        "the specs document request examples"
    );
    assert!(
        all.iter().any(|(place, ..)| place.contains(" response ")),
        "the specs document response examples"
    );
    let mut failures = Vec::new();
    for (place, example, schema, components) in &all {
        let root = json!({ "components": components, "allOf": [strict_json_schema(schema)] });
        let validator = jsonschema::draft4::new(&root).expect("schema compiles");
        for error in validator.iter_errors(example) {
            failures.push(format!("{place}: {error} at {}", error.instance_path()));
        }
    }
    assert!(
        failures.is_empty(),
        "examples that do not match their schemas:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_example_check_catches_an_undocumented_field() {
    let (_, mut example, schema, components) = examples()
        .into_iter()
        .find(|(place, ..)| place.contains("create-connection") && place.contains(" request "))
        .expect("the DAS example request");
    example["passwd"] = json!("typo");
    let root = json!({ "components": components, "allOf": [strict_json_schema(&schema)] });
    let validator = jsonschema::draft4::new(&root).expect("schema compiles");
    assert!(!validator.is_valid(&example));
}

/// The errors of loading a copy of `specs/huaweicloud-css` with the `n`th (0-based) `$ref`
/// line of `ShowVpcepConnection.yaml` changed to `replacement`, and the 1-based number of the
/// replacement's last line. The replacement's first line takes the `$ref`'s indentation, the
/// others that of its parent's keys.
fn load_with_ref_line(n: usize, replacement: &str) -> (Vec<xtask::SpecError>, usize) {
    let root = tempfile::tempdir().unwrap();
    let specs = workspace_root().join("specs");
    for dir in ["huaweicloud-css", "vendors"] {
        let to = root.path().join("specs").join(dir);
        fs::create_dir_all(&to).unwrap();
        for f in fs::read_dir(specs.join(dir)).unwrap() {
            let f = f.unwrap().path();
            if f.is_file() {
                fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
            }
        }
    }
    let doc = root
        .path()
        .join("specs/huaweicloud-css/ShowVpcepConnection.yaml");
    let text = fs::read_to_string(&doc).unwrap();
    let (index, line) = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("$ref:"))
        .nth(n)
        .expect("the document has this many `$ref` lines");
    let indent = &line[..line.len() - line.trim_start().len()];
    let parent = indent.get(2..).unwrap_or_default();
    let edited: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == index {
                let mut lines = replacement.lines();
                let first = format!("{indent}{}", lines.next().unwrap_or_default());
                std::iter::once(first)
                    .chain(lines.map(|l| format!("{parent}{l}")))
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                l.to_owned()
            }
        })
        .collect();
    fs::write(&doc, edited.join("\n") + "\n").unwrap();
    let Err(errors) = spec::load_api(root.path(), &root.path().join("specs/huaweicloud-css"))
    else {
        panic!("the edited spec is refused");
    };
    (errors, index + replacement.lines().count())
}

#[test]
fn every_ref_error_names_the_file_and_line_of_the_ref_and_what_to_write() {
    // The last `$ref` of the document stands where a schema belongs (a field's type).
    let text =
        fs::read_to_string(workspace_root().join("specs/huaweicloud-css/ShowVpcepConnection.yaml"))
            .unwrap();
    let refs = text
        .lines()
        .filter(|l| l.trim_start().starts_with("$ref:"))
        .count();
    let last = refs.checked_sub(1).expect("the document has a `$ref`");
    let cases = [
        (
            "$ref: '../huaweicloud-das/_common.yaml#/components/schemas/X'",
            "`$ref: '_common.yaml#/components/schemas/X'`",
        ),
        (
            "$ref: '_common.yaml'",
            "`$ref: '_common.yaml#/components/schemas/<Name>'`",
        ),
        (
            "$ref: '_common.yaml#/components/responses/CssError400'",
            "`$ref: '_common.yaml#/components/schemas/<Name>'`",
        ),
        (
            "$ref: '_common.yaml#/components/schemas'",
            "`$ref: '_common.yaml#/components/schemas/<Name>'`",
        ),
        (
            "$ref: '#components/schemas/VpcepUpdateSwitch'",
            "`$ref: '#/components/schemas/VpcepUpdateSwitch'`",
        ),
    ];
    for (replacement, write) in cases {
        let (errors, line) = load_with_ref_line(last, replacement);
        assert_eq!(errors.len(), 1, "{replacement}: {errors:#?}");
        let e = &errors[0];
        assert_eq!(
            (e.file.as_str(), e.line),
            ("specs/huaweicloud-css/ShowVpcepConnection.yaml", Some(line)),
            "{replacement}: {e:#?}"
        );
        assert!(e.message.contains(write), "{replacement}: {}", e.message);
        assert!(
            !e.message.contains("no document"),
            "{replacement}: {}",
            e.message
        );
    }
}
