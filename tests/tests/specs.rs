//! The specs themselves: valid OpenAPI 3.0 (checked by the generator), examples that match
//! their own schemas, and every fact of the vendors' pages present.

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
    assert!(
        out.len() >= 9,
        "expected the five operation documents and four _common.yaml, found {out:?}"
    );
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
    assert_eq!(apis.len(), 4);
    assert_eq!(spec_files().len(), 9);
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
    // Each page's example request body and example response, plus parameter examples.
    let bodies = all
        .iter()
        .filter(|(place, ..)| place.contains(" request ") || place.contains(" response "))
        .count();
    assert_eq!(
        bodies, 9,
        "five example responses and four example request bodies"
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

/// What the vendors' pages document: (API, operation, where, name, required). `where` is
/// `path`, `query`, `header`, `body` (request body field) or `response` (response field).
const DOCUMENTED: &[(&str, &str, &str, &str, bool)] = &[
    (
        "oceanbase-cloud",
        "ConnectPrivatelinkService",
        "path",
        "instanceId",
        true,
    ),
    (
        "oceanbase-cloud",
        "ConnectPrivatelinkService",
        "path",
        "tenantId",
        true,
    ),
    (
        "oceanbase-cloud",
        "ConnectPrivatelinkService",
        "query",
        "requestId",
        true,
    ),
    (
        "oceanbase-cloud",
        "ConnectPrivatelinkService",
        "header",
        "X-Ob-Project-Id",
        true,
    ),
    (
        "oceanbase-cloud",
        "ConnectPrivatelinkService",
        "body",
        "endpointId",
        true,
    ),
    (
        "oceanbase-cloud",
        "ConnectPrivatelinkService",
        "body",
        "addressId",
        false,
    ),
    (
        "oceanbase-cloud",
        "ConnectPrivatelinkService",
        "body",
        "userEndpointAddress",
        false,
    ),
    (
        "oceanbase-cloud",
        "ConnectPrivatelinkService",
        "response",
        "requestId",
        false,
    ),
    (
        "oceanbase-cloud",
        "ConnectPrivatelinkService",
        "response",
        "success",
        false,
    ),
    (
        "oceanbase-cloud",
        "AddPrivatelinkServiceUser",
        "path",
        "instanceId",
        true,
    ),
    (
        "oceanbase-cloud",
        "AddPrivatelinkServiceUser",
        "path",
        "tenantId",
        true,
    ),
    (
        "oceanbase-cloud",
        "AddPrivatelinkServiceUser",
        "query",
        "requestId",
        true,
    ),
    (
        "oceanbase-cloud",
        "AddPrivatelinkServiceUser",
        "header",
        "X-Ob-Project-Id",
        true,
    ),
    (
        "oceanbase-cloud",
        "AddPrivatelinkServiceUser",
        "body",
        "userAccount",
        true,
    ),
    (
        "oceanbase-cloud",
        "AddPrivatelinkServiceUser",
        "body",
        "addressId",
        true,
    ),
    (
        "oceanbase-cloud",
        "AddPrivatelinkServiceUser",
        "response",
        "requestId",
        false,
    ),
    (
        "oceanbase-cloud",
        "AddPrivatelinkServiceUser",
        "response",
        "success",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "path",
        "project_id",
        true,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "header",
        "X-Workspace-Id",
        true,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "body",
        "ds_type",
        true,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "body",
        "vpc_ep_server_name",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "body",
        "vpc_ep_server_id",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "id",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "create_date",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "create_user",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "create_user_name",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "update_date",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "update_user",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "update_user_name",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "project_id",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "domain_id",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "ds_type",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "vpc_ep_server_id",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "vpc_ep_server_name",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "vpc_ep_client_id",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "vpc_ep_client_status",
        false,
    ),
    (
        "huaweicloud-dataarts-insight",
        "VerifyAndCreateVpcEp",
        "response",
        "scene",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "path",
        "project_id",
        true,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "path",
        "cluster_id",
        true,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "query",
        "offset",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "query",
        "limit",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "vpcServiceName",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "permissions",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "vpcepUpdateSwitch",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "total_count",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.id",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.status",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.maxSession",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.specificationName",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.created_at",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.update_at",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.domain_id",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.vpcepIp",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.vpcepIpv6Address",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "connections.vpcepDnsName",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "permissions.id",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "permissions.permission",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "permissions.permission_type",
        false,
    ),
    (
        "huaweicloud-css",
        "ShowVpcepConnection",
        "response",
        "permissions.created_at",
        false,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "path",
        "project_id",
        true,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "path",
        "instance_id",
        true,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "engine_type",
        true,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "network_type",
        true,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "username",
        true,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "is_save_password",
        true,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "password",
        true,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "node_ids",
        false,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "remarks",
        false,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "port",
        false,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "database_name",
        false,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "body",
        "sql_record_flag",
        false,
    ),
    (
        "huaweicloud-das",
        "CreateInstanceConnection",
        "response",
        "connection_id",
        false,
    ),
];

/// The operation document as written (before the merge relaxes client-supplied parameters).
fn raw_document(api: &str, operation: &str) -> Value {
    integration_tests::spec_file(&format!("{api}/{operation}.yaml"))
}

fn resolve<'a>(api: &str, doc: &'a Value, common: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let (target, pointer) = match r.strip_prefix("_common.yaml") {
                Some(rest) => (common, rest),
                None => (doc, r),
            };
            let found = target
                .pointer(pointer.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{api}: {r} resolves"));
            resolve(api, doc, common, found)
        }
        None => v,
    }
}

#[test]
fn every_documented_field_is_in_its_spec() {
    let docs_dir = workspace_root().join("../shared/api-docs");
    let mut failures = Vec::new();
    for &(api, operation, location, name, required) in DOCUMENTED {
        // The entry is grounded in the captured page, where the captures are present.
        if let Ok(page) = fs::read_to_string(docs_dir.join(api).join(format!("{operation}.txt"))) {
            let leaf = name.rsplit('.').next().unwrap_or(name);
            if !page.contains(leaf) {
                failures.push(format!(
                    "{api} {operation}: {leaf} is not on the vendor's page"
                ));
            }
        }
        let doc = raw_document(api, operation);
        let common = integration_tests::spec_file(&format!("{api}/_common.yaml"));
        let op = integration_tests::only_operation(&doc);
        let found = match location {
            "path" | "query" | "header" => op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == name && p["in"] == location)
                .map(|p| p["required"].as_bool().unwrap_or(false)),
            "body" => {
                let schema = resolve(
                    api,
                    &doc,
                    &common,
                    &op["requestBody"]["content"]["application/json"]["schema"],
                );
                schema["properties"].get(name).map(|_| {
                    schema["required"]
                        .as_array()
                        .is_some_and(|r| r.iter().any(|x| x == name))
                })
            }
            _ => {
                let mut schema = resolve(
                    api,
                    &doc,
                    &common,
                    &op["responses"]["200"]["content"]["application/json"]["schema"],
                );
                let mut parts = name.split('.').peekable();
                let mut found = None;
                while let Some(part) = parts.next() {
                    let Some(prop) = schema["properties"].get(part) else {
                        break;
                    };
                    if parts.peek().is_none() {
                        found = Some(false);
                    } else {
                        schema = resolve(
                            api,
                            &doc,
                            &common,
                            &resolve(api, &doc, &common, prop)["items"],
                        );
                    }
                }
                found
            }
        };
        match found {
            None => failures.push(format!("{api} {operation}: {location} `{name}` is missing")),
            Some(r) if r != required => failures.push(format!(
                "{api} {operation}: {location} `{name}` has required={r}, documented {required}"
            )),
            Some(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn documented_status_codes_are_declared() {
    for (api, operation, codes) in [
        (
            "huaweicloud-css",
            "ShowVpcepConnection",
            &["200", "400", "409", "412"][..],
        ),
        (
            "huaweicloud-das",
            "CreateInstanceConnection",
            &["200", "400", "500"][..],
        ),
        (
            "huaweicloud-dataarts-insight",
            "VerifyAndCreateVpcEp",
            &["200"][..],
        ),
        ("oceanbase-cloud", "ConnectPrivatelinkService", &["200"][..]),
        ("oceanbase-cloud", "AddPrivatelinkServiceUser", &["200"][..]),
    ] {
        let doc = raw_document(api, operation);
        let op = integration_tests::only_operation(&doc);
        for code in codes {
            assert!(
                op["responses"].get(*code).is_some(),
                "{api} {operation}: status {code} not declared"
            );
        }
        assert!(
            op["externalDocs"]["url"].is_string(),
            "{api} {operation}: no externalDocs"
        );
        let id = op["operationId"].as_str().unwrap_or_default();
        assert_eq!(
            id.replace('_', ""),
            operation.to_lowercase(),
            "{api}: operationId {id} is not {operation} in snake_case"
        );
    }
}

/// Every mapping key of every spec document, as (JSON pointer, key).
fn keys(v: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push((p.clone(), k.clone()));
                keys(child, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                keys(child, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn error_lines_point_at_the_key_in_every_spec_document() {
    // The generator's messages give a line for a JSON pointer by scanning the YAML; on the
    // real documents each key's pointer must land on the line that writes that key.
    let mut checked = 0;
    for file in spec_files() {
        let text = fs::read_to_string(&file).expect("spec");
        let doc: Value = serde_yaml_ng::from_str(&text).expect("yaml");
        let mut all = Vec::new();
        keys(&doc, "", &mut all);
        let lines: Vec<&str> = text.lines().collect();
        for (pointer, key) in all {
            let line = xtask::yaml_lines::line_of(&text, &pointer)
                .unwrap_or_else(|| panic!("{}: no line for {pointer}", file.display()));
            let written = lines[line - 1].trim_start().trim_start_matches("- ");
            let key_at_start = [
                format!("{key}:"),
                format!("'{key}':"),
                format!("\"{key}\":"),
            ]
            .iter()
            .any(|k| written.starts_with(k.as_str()));
            assert!(
                key_at_start,
                "{}:{line}: {pointer} maps to `{written}`",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} keys");
}
