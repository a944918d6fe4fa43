//! The specs against the vendors' pages (`cargo xtask docs`): the checked-in pages agree with
//! their specs, every page reads into the expected model (snapshots), and edited copies of real
//! pages give exactly the findings a reviewer needs.

use std::{
    fs,
    path::{Path, PathBuf},
};

use xtask::{
    docs::{
        self,
        run::{Report, check_all, check_file, diff},
    },
    spec, workspace_root,
};

fn page_path(api: &str, file: &str) -> PathBuf {
    workspace_root()
        .join("specs")
        .join(api)
        .join("pages")
        .join(file)
}

fn page_text(api: &str, file: &str) -> String {
    fs::read_to_string(page_path(api, file)).unwrap()
}

/// Writes `text` to a temporary file named like the page and checks it against the spec.
fn check_text(target: &str, file_name: &str, text: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(file_name);
    fs::write(&file, text).unwrap();
    check_file(&workspace_root(), &file, target)
}

/// `finding` with the spec line it names written as the YAML key on that line of the file
/// under `root` (`spec.yaml:[required]: ...` for `spec.yaml:91: ...`): the expectations say
/// which line is meant, and hold while lines above it move as the specs are edited.
fn keyed(root: &Path, finding: &str) -> String {
    let Some(at) = finding.find(".yaml:") else {
        return finding.to_owned();
    };
    let (file_end, rest) = (at + ".yaml".len(), &finding[at + ".yaml:".len()..]);
    let Some((number, after)) = rest.split_once(": ") else {
        return finding.to_owned();
    };
    let Ok(n) = number.parse::<usize>() else {
        return finding.to_owned();
    };
    let start = finding[..file_end].rfind(' ').map_or(0, |i| i + 1);
    let file = &finding[start..file_end];
    let text = fs::read_to_string(root.join(file)).unwrap();
    let line = text.lines().nth(n - 1).unwrap_or_default().trim();
    let line = line.strip_prefix("- ").unwrap_or(line);
    let key = line.split_once(':').map_or("?", |(k, _)| k);
    format!("{}:[{key}]: {after}", &finding[..file_end])
}

/// Asserts the exact findings (without the `<api>/<Operation>: ` prefix, lines as [`keyed`])
/// and exit code 1.
fn assert_drift(report: &Report, target: &str, expected: &[&str]) {
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let found: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            keyed(
                &workspace_root(),
                f.strip_prefix(&format!("{target}: ")).unwrap_or(f),
            )
        })
        .collect();
    assert_eq!(found, expected);
    assert_eq!(report.exit_code(), 1);
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the page no longer contains {from:?}");
    text.replacen(from, to, 1)
}

const CONNECT: &str = "oceanbase-cloud/ConnectPrivatelinkService";
const ADD_USER: &str = "oceanbase-cloud/AddPrivatelinkServiceUser";
const CSS: &str = "huaweicloud-css/ShowVpcepConnection";
const DAS: &str = "huaweicloud-das/CreateInstanceConnection";

fn connect_page() -> String {
    page_text("oceanbase-cloud", "ConnectPrivatelinkService.txt")
}

#[test]
fn the_specs_agree_with_their_pages() {
    let report = check_all(&workspace_root());
    assert!(report.errors.is_empty(), "{}", report.errors.join("\n"));
    assert!(
        report.findings.is_empty(),
        "the specs and the vendors' pages disagree (edit the spec, or record an x-doc-deviation \
         with the reason):\n{}",
        report.findings.join("\n")
    );
    assert_eq!(report.exit_code(), 0);
    // Every operation document is accounted for, once, in the order of specs/.
    let accounted: Vec<String> = report
        .summary
        .iter()
        .map(|l| l.split(':').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(accounted, operation_documents(&workspace_root()));
}

/// `<api>/<Operation>` of every operation document under `root/specs`, sorted.
fn operation_documents(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut apis: Vec<PathBuf> = fs::read_dir(root.join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("vendors"))
        .collect();
    apis.sort();
    for api in apis {
        let mut ops: Vec<String> = fs::read_dir(&api)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .filter(|o| o != "_common")
            .collect();
        ops.sort();
        let name = api.file_name().unwrap().to_string_lossy().into_owned();
        out.extend(ops.into_iter().map(|o| format!("{name}/{o}")));
    }
    out
}

/// A copy of the workspace's specs/ (every API, the vendors, the pages) in a temporary root.
fn specs_copy() -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else {
                fs::copy(&path, &target).unwrap();
            }
        }
    }
    let root = tempfile::tempdir().unwrap();
    copy(&workspace_root().join("specs"), &root.path().join("specs"));
    root
}

#[test]
fn each_page_reads_into_its_model() {
    for p in docs::run::pages(&workspace_root()).unwrap() {
        let text = fs::read_to_string(&p.path).unwrap();
        let model = docs::parse(p.file(), &text).unwrap();
        insta::assert_yaml_snapshot!(format!("{}__{}", p.api, p.operation), model);
    }
}

#[test]
fn the_pages_are_not_part_of_the_spec_hash() {
    let root = tempfile::tempdir().unwrap();
    let api = root.path().join("specs/oceanbase-cloud");
    fs::create_dir_all(api.join("pages")).unwrap();
    let source = workspace_root().join("specs/oceanbase-cloud");
    for entry in fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, api.join(path.file_name().unwrap())).unwrap();
        }
    }
    let vendors = root.path().join("specs/vendors");
    fs::create_dir_all(&vendors).unwrap();
    fs::copy(
        workspace_root().join("specs/vendors/oceanbase.toml"),
        vendors.join("oceanbase.toml"),
    )
    .unwrap();
    let before = spec::load_api(root.path(), &api).unwrap().spec_hash;
    fs::write(api.join("pages/ConnectPrivatelinkService.txt"), "changed").unwrap();
    fs::write(api.join("pages/pages.toml"), "# changed").unwrap();
    let after = spec::load_api(root.path(), &api).unwrap();
    assert_eq!(before, after.spec_hash);
    assert!(after.files.iter().all(|f| !f.contains("pages")));
}

// Drift: edited copies of real pages give exactly the expected findings.

#[test]
fn a_field_added_on_the_page() {
    let text = replace_once(
        &connect_page(),
        "| userEndpointAddress | String | No | The address of the endpoint. |",
        "| userEndpointAddress | String | No | The address of the endpoint. |\n| vpcId | String | No | The ID of the VPC. | vpc-1 |",
    );
    let report = check_text(CONNECT, "ConnectPrivatelinkService.txt", &text);
    assert_drift(
        &report,
        CONNECT,
        &[
            "specs/oceanbase-cloud/ConnectPrivatelinkService.yaml:[properties]: body vpcId: on the page, not in the spec: add vpcId: {type: string} to properties",
        ],
    );
}

#[test]
fn a_field_removed_from_the_page() {
    let text = replace_once(
        &connect_page(),
        "| userEndpointAddress | String | No | The address of the endpoint. |\n",
        "",
    );
    let report = check_text(CONNECT, "ConnectPrivatelinkService.txt", &text);
    assert_drift(
        &report,
        CONNECT,
        &[
            "specs/oceanbase-cloud/ConnectPrivatelinkService.yaml:[userEndpointAddress]: body userEndpointAddress: in the spec, not on the page: remove it, or record why in x-doc-deviation (presence)",
        ],
    );
}

#[test]
fn a_field_made_required() {
    let text = replace_once(
        &connect_page(),
        "| addressId | String | No |",
        "| addressId | String | Yes |",
    );
    let report = check_text(CONNECT, "ConnectPrivatelinkService.txt", &text);
    assert_drift(
        &report,
        CONNECT,
        &[
            "specs/oceanbase-cloud/ConnectPrivatelinkService.yaml:[required]: body addressId: required on the page, optional in the spec: add addressId to required",
        ],
    );
}

#[test]
fn a_type_changed() {
    let text = replace_once(
        &page_text("huaweicloud-das", "CreateInstanceConnection.txt"),
        "port |\nNo |\nInteger |",
        "port |\nNo |\nString |",
    );
    let report = check_text(DAS, "CreateInstanceConnection.txt", &text);
    assert_drift(
        &report,
        DAS,
        &[
            "specs/huaweicloud-das/CreateInstanceConnection.yaml:[type]: body port: type string on the page, integer(int32) in the spec: write type: string",
        ],
    );
}

#[test]
fn an_enum_value_added() {
    let text = replace_once(
        &page_text("oceanbase-cloud", "AddPrivatelinkServiceUser.txt"),
        "    • false: failed\n",
        "    • false: failed\n    • pending: not yet known\n",
    );
    let report = check_text(ADD_USER, "AddPrivatelinkServiceUser.txt", &text);
    assert_drift(
        &report,
        ADD_USER,
        &[
            "specs/oceanbase-cloud/_common.yaml:[FlexBoolean]: response 200 success: enum value \"pending\" on the page, not in the spec: add \"pending\" to enum",
        ],
    );
}

#[test]
fn a_status_code_added() {
    let text = replace_once(
        &page_text("huaweicloud-css", "ShowVpcepConnection.txt"),
        "|\n412 |\n",
        "|\n404 |\nThe cluster does not exist. |\n|\n412 |\n",
    );
    let report = check_text(CSS, "ShowVpcepConnection.txt", &text);
    assert_drift(
        &report,
        CSS,
        &[
            "specs/huaweicloud-css/ShowVpcepConnection.yaml:[responses]: status 404: on the page, not in the spec: add a '404' response to responses",
        ],
    );
}

#[test]
fn the_example_changed() {
    let text = replace_once(
        &page_text("huaweicloud-das", "CreateInstanceConnection.txt"),
        "\"username\" : \"root\"",
        "\"username\" : \"admin\"",
    );
    let report = check_text(DAS, "CreateInstanceConnection.txt", &text);
    assert_drift(
        &report,
        DAS,
        &[
            "specs/huaweicloud-das/CreateInstanceConnection.yaml:[username]: example request: differs at /username: \"admin\" on the page, \"root\" in the spec: write \"admin\" at /username",
        ],
    );
}

#[test]
fn each_finding_names_the_spec_line_to_edit_and_what_to_write_there() {
    // A parameter made optional and a response field added: each finding names the line of
    // the spec element, for the new field the object that should hold it (the envelope, in
    // _common.yaml), and what to write there.
    let text = replace_once(
        &connect_page(),
        "| requestId | String | Yes |",
        "| requestId | String | No |",
    );
    let text = replace_once(
        &text,
        "| requestId | string | The ID of the request. |",
        "| requestId | string | The ID of the request. |\n| total | integer | The count. |",
    );
    let report = check_text(CONNECT, "ConnectPrivatelinkService.txt", &text);
    assert_drift(
        &report,
        CONNECT,
        &[
            "specs/oceanbase-cloud/ConnectPrivatelinkService.yaml:[required]: query requestId: optional on the page, required in the spec: write required: false",
            "specs/oceanbase-cloud/_common.yaml:[properties]: response 200 total: on the page, not in the spec: add total: {type: integer, format: int32} to properties",
        ],
    );
}

/// The Connect page in the newer layout: separate Path, Query and Body tables.
fn split_connect_page(query_in_body: bool) -> String {
    let (query, body_extra) = if query_in_body {
        (
            "",
            "| requestId | String | Yes | The ID of the request. | dc30 |\n",
        )
    } else {
        (
            "| requestId | String | Yes | The ID of the request. | dc30 |\n",
            "",
        )
    };
    let tables = format!(
        "Path parameters\n\
         | Name | Type | Required | Description | Example value |\n|---|---|---|---|---|\n\
         | instanceId | String | Yes | The ID of the OceanBase Cloud instance. | ob317v4uif**** |\n\
         | tenantId | String | Yes | The ID of the tenant. | t33h8y08k**** |\n\
         Query parameters\n\
         | Name | Type | Required | Description | Example value |\n|---|---|---|---|---|\n\
         {query}\
         Body parameters\n\
         | Name | Type | Required | Description | Example value |\n|---|---|---|---|---|\n\
         {body_extra}\
         | endpointId | String | Yes | The ID of the endpoint. | t33h8y08k**** |\n\
         | addressId | String | No | The ID of the address. | obe-4tw51gp7**** |\n\
         | userEndpointAddress | String | No | The address of the endpoint. |\n"
    );
    let page = connect_page();
    let start = page.find("| Name | Type | Required").unwrap();
    let end = page.find("Response parameters").unwrap();
    format!("{}{tables}{}", &page[..start], &page[end..])
}

#[test]
fn a_table_split_into_path_query_and_body() {
    // The same facts in separate tables: nothing to report.
    let report = check_text(CONNECT, "split.txt", &split_connect_page(false));
    assert_eq!((report.findings.clone(), report.exit_code()), (vec![], 0));
    // The split tables decide the location: a query parameter listed under Body is drift.
    let report = check_text(CONNECT, "split.txt", &split_connect_page(true));
    assert_drift(
        &report,
        CONNECT,
        &[
            "specs/oceanbase-cloud/ConnectPrivatelinkService.yaml:[properties]: body requestId: on the page, not in the spec: add requestId: {type: string} to properties",
            "specs/oceanbase-cloud/ConnectPrivatelinkService.yaml:[name]: query requestId: in the spec, not on the page: remove it, or record why in x-doc-deviation (presence)",
        ],
    );
}

#[test]
fn an_unreadable_page_names_the_section() {
    let text = replace_once(
        &connect_page(),
        "| Name | Type | Required | Description | Example value |",
        "| Nom | Genre | Requis | Description | Exemple |",
    );
    let report = check_text(CONNECT, "ConnectPrivatelinkService.txt", &text);
    assert_eq!(report.exit_code(), 2);
    assert_eq!(report.errors.len(), 1);
    let error = &report.errors[0];
    assert!(
        error.contains("section \"Request parameters\"")
            && error.contains("no Parameter or Name column"),
        "{error}"
    );
    // A page with no tables at all is refused, not read as an operation with no parameters.
    let report = check_text(CONNECT, "empty.txt", "Overview\nNothing here.\n");
    assert_eq!(report.exit_code(), 2);
    assert!(
        report.errors[0].contains("section \"page\""),
        "{:?}",
        report.errors
    );
}

// Quirks of real pages are resolved, and said.

#[test]
fn a_placeholder_that_disagrees_with_the_table_is_the_table_s_parameter() {
    let text = replace_once(
        &connect_page(),
        "POST /api/v2/instances/{instanceId}/tenants/{tenantId}/",
        "POST /api/v2/instances/{instanceId}/tenants/{tenantsId}/",
    );
    let model = docs::parse("p.txt", &text).unwrap();
    let tenant = model
        .params
        .iter()
        .find(|p| p.field.name == "tenantId")
        .unwrap();
    assert_eq!(tenant.location, docs::Location::Path);
    assert_eq!(
        model.quirks,
        ["the path writes {tenantsId} where the parameter table says tenantId; tenantId is used"]
    );
    let report = check_text(CONNECT, "p.txt", &text);
    assert_eq!(report.exit_code(), 0, "{:?}", report.findings);
}

#[test]
fn a_curl_method_that_disagrees_with_the_path_header_is_noted() {
    let text = replace_once(&connect_page(), "--request POST", "--request PUT");
    let model = docs::parse("p.txt", &text).unwrap();
    assert_eq!(model.method, "POST");
    assert_eq!(
        model.quirks,
        ["the example request uses PUT, the request line says POST; POST is used"]
    );
}

#[test]
fn a_lost_list_of_values_is_unknown_not_empty() {
    let model = docs::parse("p.txt", &connect_page()).unwrap();
    let success = &model.responses["200"][1];
    assert_eq!(success.name, "success");
    assert!(success.enum_lost && success.enum_values.is_empty());
}

// `docs diff`: two captures of one page.

#[test]
fn diff_reports_the_vendor_s_change() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.txt");
    // The files' names say nothing of the operation: the label comes from the pages.
    let new = dir.path().join("new.txt");
    fs::write(&old, connect_page()).unwrap();
    fs::write(
        &new,
        replace_once(
            &connect_page(),
            "| addressId | String | No |",
            "| addressId | String | Yes |",
        ),
    )
    .unwrap();
    let report = diff(&workspace_root(), &old, &new);
    assert_eq!(
        report.findings,
        [
            "oceanbase-cloud/ConnectPrivatelinkService: body addressId: required on the new page, optional on the old page"
        ]
    );
    assert_eq!(report.exit_code(), 1);
    assert_eq!(diff(&workspace_root(), &old, &old).exit_code(), 0);
}

// `docs scaffold`: a draft from the page, compared with today's spec by its surface.

#[test]
fn scaffold_refuses_a_draft_the_generator_would_refuse_and_says_what_to_add() {
    // A new API: OceanBase's settings and shared components without an error body, an
    // envelope or shared error responses. Its pages list no error statuses.
    let root = specs_copy();
    let oceanbase = root.path().join("specs/oceanbase-cloud");
    let api = root.path().join("specs/oceanbase-new");
    fs::create_dir_all(&api).unwrap();
    let config = fs::read_to_string(oceanbase.join("api.toml")).unwrap();
    let config = config.split("[[client_supplied]]").next().unwrap();
    fs::write(api.join("api.toml"), config).unwrap();
    let common_text = fs::read_to_string(oceanbase.join("_common.yaml")).unwrap();
    let mut common: serde_json::Value = serde_yaml_ng::from_str(&common_text).unwrap();
    common["components"]
        .as_object_mut()
        .unwrap()
        .remove("schemas");
    let write_common = |doc: &serde_json::Value| {
        fs::write(
            api.join("_common.yaml"),
            serde_yaml_ng::to_string(doc).unwrap(),
        )
        .unwrap()
    };
    write_common(&common);
    // The page sits in the API's folder, which names its API.
    let page = api.join("ConnectPrivatelinkService.txt");
    fs::write(&page, connect_page()).unwrap();

    let refused = docs::run::scaffold_file(root.path(), &page, None)
        .expect_err("a draft whose errors have no schema does not pass the generator");
    let message = refused.to_string();
    assert!(
        message.contains("`call()` needs a named JSON schema for 4XX responses"),
        "{message}"
    );
    assert!(
        message.contains(
            "specs/oceanbase-new/_common.yaml defines no error body for the draft's error \
             responses: define the API's error body there as a schema whose name ends in `Error`"
        ),
        "{message}"
    );

    // With the error body added as the message says, the draft answers errors with it and
    // passes.
    common["components"]["schemas"] = serde_json::json!({
        "ObError": {
            "type": "object",
            "properties": { "errorCode": { "type": "string" } },
        },
    });
    write_common(&common);
    let draft = docs::run::scaffold_file(root.path(), &page, None).unwrap();
    assert!(
        draft.contains("$ref: _common.yaml#/components/schemas/ObError"),
        "{draft}"
    );
}

/// The surface of `specs/<api>` with `op_doc` (YAML) as the operation's document.
fn surface_with(api: &str, operation: &str, op_doc: &str) -> Vec<String> {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("specs").join(api);
    fs::create_dir_all(&dir).unwrap();
    let vendors = root.path().join("specs/vendors");
    fs::create_dir_all(&vendors).unwrap();
    for vendor in fs::read_dir(workspace_root().join("specs/vendors")).unwrap() {
        let vendor = vendor.unwrap().path();
        fs::copy(&vendor, vendors.join(vendor.file_name().unwrap())).unwrap();
    }
    let source = workspace_root().join("specs").join(api);
    // Every document of the API (the other operations' surfaces are the same on both sides),
    // with the operation's replaced by `op_doc`.
    let mut defined = String::new();
    for entry in fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "yaml") && path.file_stem().unwrap() != operation {
            fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
            defined.push_str(&fs::read_to_string(&path).unwrap());
        }
    }
    // `api.toml` without the replacements of schemas the draft does not define (a draft
    // inlines what the spec names, e.g. `VpcepUpdateSwitch`): the generator refuses a
    // replacement of a schema that does not exist.
    let api_toml = fs::read_to_string(source.join("api.toml")).unwrap();
    let mut kept = String::new();
    let mut skipping = false;
    for line in api_toml.lines() {
        if line.starts_with('[') {
            skipping = line
                .strip_prefix("[replace.")
                .and_then(|rest| rest.strip_suffix(']'))
                .is_some_and(|name| {
                    let definition = format!("    {name}:");
                    !op_doc.contains(&definition) && !defined.contains(&definition)
                });
        }
        if !skipping {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    fs::write(dir.join("api.toml"), kept).unwrap();
    fs::write(dir.join(format!("{operation}.yaml")), op_doc).unwrap();
    let loaded = spec::load_api(root.path(), &dir).unwrap();
    xtask::spec::surface::Surface::of(&loaded)
        .render_text()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Lines of `a` not in `b`.
/// The lines of `a` that `b` lacks, counted: a line that stands twice in `a` (a field of the
/// same name and type in two schemas) and once in `b` is reported once.
fn only_in(a: &[String], b: &[String]) -> Vec<String> {
    let mut unmatched: Vec<&String> = b.iter().collect();
    a.iter()
        .filter(|l| match unmatched.iter().position(|m| m == l) {
            Some(i) => {
                unmatched.swap_remove(i);
                false
            }
            None => true,
        })
        .cloned()
        .collect()
}

/// Where today's specs deliberately go beyond their pages, as surface lines (spec only, draft
/// only). Everything else in a draft's surface equals the spec's.
///
/// - Nested schemas get the author's names (`VpcepConnection`); the draft names them after the
///   page's object (`Connections`).
/// - Lists of values lost in capture were filled in from the vendor's other documentation
///   (`x-open-enum` schemas); the draft can only say `string`.
/// - Types deliberately wider than the page (`x-doc-deviation`): `vpcepUpdateSwitch` accepts
///   strings, `update_date` is int64; `update_at` is nullable.
/// - Quirks in `api.toml` (`replace`: `Secret` for the password) and rules the page writes in
///   prose (`x-require-one-of`).
/// - Facts a second source supplies (`x-source`): DAS's `X-Language` header.
const SCAFFOLD_DEVIATIONS: &[(&str, &[&str], &[&str])] = &[
    (
        CSS,
        &[
            "query      offset: integer(uint32) (minimum 0, maximum 1000, default 0) (optional)",
            "  connections: [VpcepConnection]",
            "  permissions: [VpcepPermission]",
            "  vpcepUpdateSwitch: VpcepUpdateSwitch",
            "VpcepConnection (response; #[non_exhaustive])",
            "  status: VpcepConnectionStatus",
            "  update_at: string?",
            "VpcepConnectionStatus (open enum; response; #[non_exhaustive]): string {accepted, rejected}",
            "VpcepPermission (response; #[non_exhaustive])",
            "  permission_type: VpcepPermissionType",
            "VpcepPermissionType (open enum; response; #[non_exhaustive]): string {domainId}",
            "VpcepUpdateSwitch (replaced by ::cloud_sdk_runtime::lenient::FlexBool; response): boolean | string {true, false}",
        ],
        &[
            "query      offset: integer(int32) (minimum 0, maximum 1000, default 0) (optional)",
            "Connections (response; #[non_exhaustive])",
            "  status: string",
            "  update_at: string",
            "Permissions (response; #[non_exhaustive])",
            "  permission_type: string",
            "  connections: [Connections]",
            "  permissions: [Permissions]",
            "  vpcepUpdateSwitch: boolean",
        ],
    ),
    (
        DAS,
        &[
            "header     X-Language: DasLanguage (optional)",
            "  engine_type: DasEngineType (required)",
            "  network_type: DasNetworkType (required)",
            "  password: DasPassword (required)",
            "DasEngineType (open enum; request and response; #[non_exhaustive]): string {mysql, sqlserver, postgresql, taurus, gaussdbv5, mongodb, ddm}",
            "DasPassword (replaced by ::cloud_sdk_runtime::Secret; request): string(password)",
        ],
        &[
            "  engine_type: string (required)",
            "  network_type: string (required)",
            "  password: string (required)",
            "DasEngineType (open enum; response; #[non_exhaustive]): string {mysql, sqlserver, postgresql, taurus, gaussdbv5, mongodb, ddm}",
        ],
    ),
    (
        "huaweicloud-dataarts-insight/VerifyAndCreateVpcEp",
        &[
            "200        VpcEndpointConnection, headers X-Request-Id",
            "DsType (open enum; request and response; #[non_exhaustive]): string {MySQL, DWS, PostgreSQL, OpenGauss, Doris, HIVE, ClickHouse, API}",
            "  ds_type: DsType (required)",
            "  (one of vpc_ep_server_name, vpc_ep_server_id is required)",
            "VpcEndpointConnection (response; #[non_exhaustive])",
            "  ds_type: DsType",
            "  update_date: integer(int64)",
            "  vpc_ep_client_status: VpcEpClientStatus",
            "VpcEpClientStatus (open enum; response; #[non_exhaustive]): string {pendingAcceptance, creating, accepted, rejected, failed, deleting}",
        ],
        &[
            "200        VerifyAndCreateVpcEpResponse, headers X-Request-Id",
            "  ds_type: string (required)",
            "VerifyAndCreateVpcEpResponse (response; #[non_exhaustive])",
            "  ds_type: string",
            "  update_date: integer(int32)",
            "  vpc_ep_client_status: string",
        ],
    ),
    (ADD_USER, &[], &[]),
    (CONNECT, &[], &[]),
];

#[test]
fn scaffold_drafts_the_spec_s_surface() {
    let pages = docs::run::pages(&workspace_root()).unwrap();
    // Every operation the table describes has its page (the table goes when the spec goes).
    for (target, ..) in SCAFFOLD_DEVIATIONS {
        assert!(
            pages
                .iter()
                .any(|p| format!("{}/{}", p.api, p.operation) == *target),
            "{target} is listed here but has no page in specs/"
        );
    }
    for p in pages {
        let target = format!("{}/{}", p.api, p.operation);
        // Operations added since are drafted and loaded with their API (scaffold_file does
        // both); only those listed compare their surface.
        if !SCAFFOLD_DEVIATIONS.iter().any(|(t, ..)| *t == target) {
            docs::run::scaffold_file(&workspace_root(), &p.path, None)
                .unwrap_or_else(|e| panic!("{target}: {e}"));
            continue;
        }
        // The draft passes the generator's validation (scaffold_file checks it, and loading
        // it below merges it with the API's _common.yaml).
        let draft = docs::run::scaffold_file(&workspace_root(), &p.path, None)
            .unwrap_or_else(|e| panic!("{target}: {e}"));
        let spec_doc = fs::read_to_string(
            workspace_root()
                .join("specs")
                .join(&p.api)
                .join(format!("{}.yaml", p.operation)),
        )
        .unwrap();
        let ours = surface_with(&p.api, &p.operation, &spec_doc);
        let drafted = surface_with(&p.api, &p.operation, &draft);
        let trim = |lines: Vec<String>| -> Vec<String> {
            lines
                .iter()
                .map(|l| l.strip_prefix("  ").unwrap_or(l).to_owned())
                .collect()
        };
        let (_, spec_only, draft_only) = SCAFFOLD_DEVIATIONS
            .iter()
            .find(|(t, ..)| *t == target)
            .unwrap_or_else(|| panic!("no listed deviations for {target}"));
        assert_eq!(
            trim(only_in(&ours, &drafted)),
            *spec_only,
            "{target}: only in the spec"
        );
        assert_eq!(
            trim(only_in(&drafted, &ours)),
            *draft_only,
            "{target}: only in the draft"
        );
    }
}

// `docs fetch` against a loopback server.

/// Serves `pages` (URL path → body) on 127.0.0.1; anything else is 404. Returns the base URL
/// and the runtime that keeps the server alive.
fn serve_pages(pages: Vec<(String, String)>) -> (String, tokio::runtime::Runtime) {
    use axum::{Router, http::StatusCode, http::Uri};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(move |uri: Uri| {
        let found = pages
            .iter()
            .find(|(p, _)| *p == uri.path())
            .map(|(_, b)| b.clone());
        async move {
            match found {
                Some(body) => (StatusCode::OK, body),
                None => (StatusCode::NOT_FOUND, "no such page".to_owned()),
            }
        }
    });
    runtime.spawn(async move { axum::serve(listener, app).await });
    (base, runtime)
}

/// The URL path of each page a repository lists, with the page's text: what a server that
/// has not changed any page serves.
fn served_pages(root: &std::path::Path) -> Vec<(String, String)> {
    docs::run::pages(root)
        .unwrap()
        .into_iter()
        .map(|p| {
            let url = p.entry.url.clone().unwrap();
            let path = docs::fetch::effective_url(&url, Some(""));
            (path, fs::read_to_string(&p.path).unwrap())
        })
        .collect()
}

#[test]
fn fetch_writes_and_reports_only_changed_pages() {
    let repo = specs_copy();
    let root = repo.path();
    let mut served = served_pages(root);
    // The vendor changes the DAS page's example; every other page is served as stored.
    let das_url = docs::run::pages(root)
        .unwrap()
        .into_iter()
        .find(|p| p.operation == "CreateInstanceConnection")
        .and_then(|p| p.entry.url)
        .unwrap();
    let das_path = docs::fetch::effective_url(&das_url, Some(""));
    let das_new = replace_once(
        &page_text("huaweicloud-das", "CreateInstanceConnection.txt"),
        "\"username\" : \"root\"",
        "\"username\" : \"admin\"",
    );
    for (path, body) in &mut served {
        if *path == das_path {
            *body = das_new.clone();
        }
    }
    let (base, _server) = serve_pages(served);
    let css_file = root.join("specs/huaweicloud-css/pages/ShowVpcepConnection.txt");
    let css_list = root.join("specs/huaweicloud-css/pages/pages.toml");
    let css_list_before = fs::read_to_string(&css_list).unwrap();
    let css_modified = fs::metadata(&css_file).unwrap().modified().unwrap();

    let before = check_all(root).findings;
    let report = docs::fetch::fetch(root, None, Some(&base), "2026-12-24");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert!(
        report.findings[0]
            .starts_with("changed: specs/huaweicloud-das/pages/CreateInstanceConnection.txt")
    );
    // The changed page is written and its capture date recorded; the others are not touched.
    let das_dir = root.join("specs/huaweicloud-das/pages");
    assert_eq!(
        fs::read_to_string(das_dir.join("CreateInstanceConnection.txt")).unwrap(),
        das_new
    );
    let das_list = fs::read_to_string(das_dir.join("pages.toml")).unwrap();
    assert!(das_list.contains("captured = \"2026-12-24\""), "{das_list}");
    assert!(
        das_list.starts_with("# The vendor's page"),
        "comments are kept"
    );
    assert_eq!(fs::read_to_string(&css_list).unwrap(), css_list_before);
    assert_eq!(
        fs::metadata(&css_file).unwrap().modified().unwrap(),
        css_modified
    );
    // And the check now shows the vendor's change (and only it).
    let check = check_all(root);
    assert_eq!(
        only_in(&check.findings, &before)
            .iter()
            .map(|f| keyed(root, f))
            .collect::<Vec<_>>(),
        [
            "huaweicloud-das/CreateInstanceConnection: specs/huaweicloud-das/CreateInstanceConnection.yaml:[username]: example request: differs at /username: \"admin\" on the page, \"root\" in the spec: write \"admin\" at /username"
        ]
    );

    // Nothing changed since: nothing written, nothing reported.
    let again = docs::fetch::fetch(root, None, Some(&base), "2026-12-25");
    assert_eq!((again.findings.len(), again.errors.len()), (0, 0));
    assert!(
        !fs::read_to_string(das_dir.join("pages.toml"))
            .unwrap()
            .contains("2026-12-25")
    );
}

#[test]
fn fetch_reports_a_page_it_cannot_download() {
    let (base, _server) = serve_pages(vec![]);
    let repo = specs_copy();
    let report = docs::fetch::fetch(
        repo.path(),
        Some("huaweicloud-css/ShowVpcepConnection"),
        Some(&base),
        "2026-12-24",
    );
    assert_eq!(report.exit_code(), 2);
    assert!(
        report.errors[0].starts_with("huaweicloud-css/ShowVpcepConnection: ")
            && report.errors[0].contains("404"),
        "{:?}",
        report.errors
    );
    assert!(report.findings.is_empty());
}

// Real public captures of other dates and regions, one or more per layout (see
// tests/fixtures/pages/README.md for where each came from).

fn fixture(path: &str) -> PathBuf {
    workspace_root().join("tests/fixtures/pages").join(path)
}

/// Every capture under tests/fixtures/pages/<layout>/ (`huawei-text/X.txt`), sorted; the
/// folder names the layout the capture is in.
fn fixtures() -> Vec<String> {
    let dir = workspace_root().join("tests/fixtures/pages");
    let mut out = Vec::new();
    for layout in fs::read_dir(&dir).unwrap() {
        let layout = layout.unwrap().path();
        if !layout.is_dir() {
            continue;
        }
        let folder = layout.file_name().unwrap().to_string_lossy().into_owned();
        for file in fs::read_dir(&layout).unwrap() {
            let name = file.unwrap().file_name().to_string_lossy().into_owned();
            out.push(format!("{folder}/{name}"));
        }
    }
    out.sort();
    out
}

/// The captures that come with their own `# source:` and `# complete:` lines.
fn shared_captures() -> Vec<String> {
    fixtures()
        .into_iter()
        .filter(|p| {
            fs::read_to_string(fixture(p))
                .unwrap()
                .starts_with("# source:")
        })
        .collect()
}

#[test]
fn each_public_capture_reads_into_its_model() {
    for path in fixtures() {
        let text = fs::read_to_string(fixture(&path)).unwrap();
        let model = docs::parse(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        let folder = path.split('/').next().unwrap();
        assert_eq!(
            serde_json::to_value(model.layout).unwrap(),
            folder,
            "{path} is in the folder of another layout"
        );
        // Every placeholder of the path is a path parameter of the tables, and every parameter
        // read is named on the page.
        let path_params = model
            .params
            .iter()
            .filter(|p| p.location == docs::Location::Path)
            .count();
        assert_eq!(
            path_params,
            docs::placeholders(&model.path).len(),
            "{path}: {:?}",
            model.params
        );
        for p in &model.params {
            let last = p.field.name.rsplit('.').next().unwrap();
            assert!(
                text.contains(last),
                "{path}: {} is not on the page",
                p.field.name
            );
        }
        // A capture that says it stops short reads as one, and one that says it is whole does
        // not.
        if let Some(complete) = text
            .lines()
            .nth(1)
            .and_then(|l| l.strip_prefix("# complete: "))
        {
            assert_eq!(
                model.ends_in.is_none(),
                complete.starts_with("yes"),
                "{path}: the capture says `complete: {complete}`, the reader found {:?}",
                model.ends_in
            );
        }
        let name = path.replace('/', "__");
        insta::assert_yaml_snapshot!(format!("capture__{name}"), model);
    }
}

#[test]
fn each_shared_capture_scaffolds_a_draft_its_api_loads() {
    let root = workspace_root();
    for path in shared_captures() {
        let file = fixture(&path);
        let draft =
            docs::run::scaffold_file(&root, &file, None).unwrap_or_else(|e| panic!("{path}: {e}"));
        let doc: serde_json::Value = serde_yaml_ng::from_str(&draft).unwrap();
        spec::validate_document(&path, &draft, &doc).unwrap_or_else(|e| panic!("{path}: {e:?}"));
        let operation = file.file_stem().unwrap().to_string_lossy().into_owned();
        let page = docs::run::read_page(&file).unwrap();
        if let Some(api) = docs::run::api_of_capture(&root, &file, page.source.as_deref()) {
            docs::run::load_with_draft(&root, &api, &operation, &draft)
                .unwrap_or_else(|e| panic!("{path} in {api}: {e:?}"));
        }
        // A draft names the page it came from, has a success response, and redefines no
        // response the API shares.
        assert!(draft.contains(page.source.as_deref().unwrap()), "{path}");
        let (_, _, op) = docs::compare::only_operation(&doc).unwrap();
        let responses = op["responses"].as_object().unwrap();
        assert!(responses.keys().any(|c| c.starts_with('2')), "{path}");
        assert!(doc.pointer("/components/responses").is_none(), "{path}");
        // What the page does not reach is said where it is missing.
        if page.ends_in.is_some() {
            assert!(draft.contains("# The page ends in"), "{path}:\n{draft}");
        }
    }
}

#[test]
fn a_draft_refers_to_the_api_s_shared_error_responses() {
    let repo = specs_copy();
    let root = repo.path();
    let api = root.join("specs/huaweicloud-css");
    // The error responses live in _common.yaml (moved there if the operation still defines
    // them).
    let op_path = api.join("ShowVpcepConnection.yaml");
    let mut op: serde_json::Value =
        serde_yaml_ng::from_str(&fs::read_to_string(&op_path).unwrap()).unwrap();
    if let Some(moved) = op["components"]
        .as_object_mut()
        .and_then(|c| c.remove("responses"))
    {
        let common_path = api.join("_common.yaml");
        let mut common: serde_json::Value =
            serde_yaml_ng::from_str(&fs::read_to_string(&common_path).unwrap()).unwrap();
        let moved = serde_json::to_string(&moved)
            .unwrap()
            .replace("_common.yaml#", "#");
        common["components"]["responses"] = serde_json::from_str(&moved).unwrap();
        fs::write(&common_path, serde_yaml_ng::to_string(&common).unwrap()).unwrap();
        let op_text = serde_yaml_ng::to_string(&op).unwrap().replace(
            "#/components/responses/",
            "_common.yaml#/components/responses/",
        );
        fs::write(&op_path, op_text).unwrap();
    }
    spec::load_api(root, &api).unwrap_or_else(|e| panic!("{e:?}"));
    let file = fixture("huawei-rendered/StopVpecp.txt");
    let draft = docs::run::scaffold_file(root, &file, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        draft.contains("$ref: _common.yaml#/components/responses/CssError400"),
        "{draft}"
    );
    docs::run::load_with_draft(root, "huaweicloud-css", "StopVpecp", &draft)
        .unwrap_or_else(|e| panic!("{e:?}"));
}

#[test]
fn diff_shows_how_add_privatelink_service_user_grew() {
    // The oldest capture has only userAccount; the next adds a required addressId; today's
    // page adds a required requestId.
    let oldest = fixture("oceanbase-markdown/AddPrivatelinkServiceUser.userAccount.md");
    let next = fixture("oceanbase-markdown/AddPrivatelinkServiceUser.addressId.md");
    let today = page_path("oceanbase-cloud", "AddPrivatelinkServiceUser.txt");
    let strip = |r: Report| -> Vec<String> {
        r.findings
            .iter()
            .map(|f| {
                f.split_once(": ")
                    .map(|(_, rest)| rest.to_owned())
                    .unwrap_or_default()
            })
            .collect()
    };
    assert_eq!(
        strip(diff(&workspace_root(), &oldest, &next)),
        [
            "body addressId: on the new page, not on the old page",
            "example request: differs at /addressId: \"rs-private***\" on the new page, absent on the old page",
        ]
    );
    assert_eq!(
        strip(diff(&workspace_root(), &next, &today)),
        [
            "example request: differs at /addressId: \"rs-praivate-********\" on the new page, \"rs-private***\" on the old page",
            "query requestId: on the new page, not on the old page",
        ]
    );
}

#[test]
fn an_older_capture_checked_against_today_s_spec() {
    // ConnectPrivatelinkService as rendered on 2025-11-26: no requestId, no
    // userEndpointAddress, placeholder example values.
    let report = check_file(
        &workspace_root(),
        &fixture("oceanbase-text/ConnectPrivatelinkService.2025-11-26.txt"),
        CONNECT,
    );
    assert_drift(
        &report,
        CONNECT,
        &[
            "specs/oceanbase-cloud/ConnectPrivatelinkService.yaml:[userEndpointAddress]: body userEndpointAddress: in the spec, not on the page: remove it, or record why in x-doc-deviation (presence)",
            "specs/oceanbase-cloud/ConnectPrivatelinkService.yaml:[addressId]: example request: differs at /addressId: \"xxxxx\" on the page, \"obe-4tw51gp7****\" in the spec: write \"xxxxx\" at /addressId",
            "specs/oceanbase-cloud/ConnectPrivatelinkService.yaml:[name]: query requestId: in the spec, not on the page: remove it, or record why in x-doc-deviation (presence)",
        ],
    );
}

#[test]
fn an_older_region_s_css_page_checked_against_today_s_spec() {
    // The th-th region's capture still documents `start` where today's page has `offset`,
    // has no permissions table, and stops before its example response: what it has is
    // compared, and what lies past its end is counted as unchecked, an error.
    let report = check_file(
        &workspace_root(),
        &fixture("huawei-text/ShowVpcepConnection.th-th.txt"),
        CSS,
    );
    let found: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            keyed(
                &workspace_root(),
                f.strip_prefix(&format!("{CSS}: ")).unwrap_or(f),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "specs/huaweicloud-css/ShowVpcepConnection.yaml:[name]: query offset: in the spec, not on the page: remove it, or record why in x-doc-deviation (presence)",
            "specs/huaweicloud-css/ShowVpcepConnection.yaml:[parameters]: query start: on the page, not in the spec: add {name: start, in: query, schema: {type: integer, format: int32}} to parameters",
            "specs/huaweicloud-css/ShowVpcepConnection.yaml:[created_at]: response 200 permissions.created_at: in the spec, not on the page: remove it, or record why in x-doc-deviation (presence)",
            "specs/huaweicloud-css/ShowVpcepConnection.yaml:[id]: response 200 permissions.id: in the spec, not on the page: remove it, or record why in x-doc-deviation (presence)",
            "specs/huaweicloud-css/ShowVpcepConnection.yaml:[permission]: response 200 permissions.permission: in the spec, not on the page: remove it, or record why in x-doc-deviation (presence)",
            "specs/huaweicloud-css/ShowVpcepConnection.yaml:[permission_type]: response 200 permissions.permission_type: in the spec, not on the page: remove it, or record why in x-doc-deviation (presence)",
        ]
    );
    assert_eq!(report.exit_code(), 2);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(
        report.errors[0].contains("the page ends in Example Responses: "),
        "{}",
        report.errors[0]
    );
}

/// The CSS page as Huawei's toolchain writes it in HTML: captions name the tables, and the
/// nested tables are bound to their fields by caption (here in the opposite order of the
/// fields), not by position.
#[test]
fn html_captions_set_locations_and_name_sub_tables() {
    let text_model = docs::parse(
        "css.txt",
        &page_text("huaweicloud-css", "ShowVpcepConnection.txt"),
    )
    .unwrap();
    let table = |n: usize, caption: &str, rows: &[&docs::DocField], required: bool| {
        let mut html = format!(
            "<table><caption><b>Table {n} </b>{caption}</caption><thead><tr><th>Parameter</th>{}<th>Type</th><th>Description</th></tr></thead><tbody>",
            if required { "<th>Mandatory</th>" } else { "" }
        );
        for f in rows {
            let name = f.name.rsplit('.').next().unwrap();
            let req = match f.required {
                Some(true) => "<td>Yes</td>",
                Some(false) => "<td>No</td>",
                None => "",
            };
            html.push_str(&format!(
                "<tr><td><p>{name}</p></td>{req}<td>{}</td><td><p>{}</p></td></tr>",
                f.doc_type, f.description
            ));
        }
        html + "</tbody></table>"
    };
    let params = |loc| -> Vec<&docs::DocField> {
        text_model
            .params
            .iter()
            .filter(|p| p.location == loc)
            .map(|p| &p.field)
            .collect()
    };
    let response = &text_model.responses["200"];
    let nested = |prefix: &str| -> Vec<&docs::DocField> {
        response
            .iter()
            .filter(|f| f.name.starts_with(prefix))
            .collect()
    };
    let top: Vec<&docs::DocField> = response.iter().filter(|f| !f.name.contains('.')).collect();
    let html = format!(
        "<h1 class=\"topictitle1\">Obtaining an Endpoint Connection</h1>\
         <div class=\"section\"><h4 class=\"sectiontitle\">URI</h4><p>GET {}</p>{}{}</div>\
         <div class=\"section\"><h4 class=\"sectiontitle\">Response Parameters</h4><p><strong>Status code: 200</strong></p>{}{}{}</div>\
         <div class=\"section\"><h4 class=\"sectiontitle\">Status Codes</h4><table><thead><tr><th>Status Code</th><th>Description</th></tr></thead>\
         <tbody><tr><td>200</td><td>Request succeeded.</td></tr></tbody></table></div>",
        text_model.path,
        table(1, "Path Parameters", &params(docs::Location::Path), true),
        table(2, "Query Parameters", &params(docs::Location::Query), true),
        table(3, "Response body parameters", &top, false),
        table(4, "permissions", &nested("permissions."), false),
        table(5, "connections", &nested("connections."), false),
    );
    let html_model = docs::parse("css.html", &html).unwrap();
    assert_eq!(html_model.layout, docs::Layout::HuaweiHtml);
    assert_eq!(html_model.params, text_model.params);
    let mut expected = response.clone();
    let mut got = html_model.responses["200"].clone();
    expected.sort_by(|a, b| a.name.cmp(&b.name));
    got.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(got, expected);
    assert_eq!(html_model.status_codes.keys().collect::<Vec<_>>(), ["200"]);
}

/// A page cut off anywhere (a download or a copy that stopped early) is read or refused with
/// an error, never a panic; and a refused page always names its file.
#[test]
fn truncated_pages_are_read_or_refused_never_a_panic() {
    let mut pages: Vec<(String, String)> = docs::run::pages(&workspace_root())
        .unwrap()
        .into_iter()
        .map(|p| (p.file().to_owned(), fs::read_to_string(&p.path).unwrap()))
        .collect();
    for path in fixtures() {
        let text = fs::read_to_string(fixture(&path)).unwrap();
        pages.push((path, text));
    }
    let mut refused = 0;
    for (name, text) in &pages {
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(53).collect();
        for cut in cuts {
            if let Err(e) = docs::parse(name, &text[..cut]) {
                assert_eq!(&e.file, name);
                assert!(!e.section.is_empty() && !e.message.is_empty());
                refused += 1;
            }
        }
    }
    // Short prefixes have no tables yet: those must be refused, not read as empty operations.
    assert!(refused > pages.len(), "{refused}");
}

#[test]
fn a_deviation_the_page_no_longer_needs_is_reported() {
    // The spec types update_date int64 against the page's Integer, with a reason; once the page
    // says Long, that deviation explains nothing and should go.
    let target = "huaweicloud-dataarts-insight/VerifyAndCreateVpcEp";
    let text = replace_once(
        &page_text("huaweicloud-dataarts-insight", "VerifyAndCreateVpcEp.txt"),
        "update_date |\nInteger |",
        "update_date |\nLong |",
    );
    let report = check_text(target, "VerifyAndCreateVpcEp.txt", &text);
    assert_drift(
        &report,
        target,
        &[
            "specs/huaweicloud-dataarts-insight/VerifyAndCreateVpcEp.yaml:[x-doc-deviation]: response 200 update_date: x-doc-deviation (type) explains no difference: remove it",
        ],
    );
}

#[test]
fn the_generator_refuses_a_malformed_deviation() {
    let mut doc = integration_tests::spec_file("huaweicloud-css/ShowVpcepConnection.yaml");
    doc["components"]["schemas"]["VpcepUpdateSwitch"]["x-doc-deviation"] =
        serde_json::json!({ "typ": "a typo for type" });
    let text = serde_yaml_ng::to_string(&doc).unwrap();
    let errors = spec::validate_document("ShowVpcepConnection.yaml", &text, &doc).unwrap_err();
    let err = &errors[0];
    assert_eq!(
        err.place.as_deref(),
        Some("/components/schemas/VpcepUpdateSwitch/x-doc-deviation")
    );
    assert!(
        err.message.contains("unknown aspect `typ`"),
        "{}",
        err.message
    );
    doc["components"]["schemas"]["VpcepUpdateSwitch"]["x-doc-deviation"] = serde_json::json!(3);
    let text = serde_yaml_ng::to_string(&doc).unwrap();
    assert!(spec::validate_document("ShowVpcepConnection.yaml", &text, &doc).is_err());
}

#[test]
fn a_repeated_table_separator_is_refused_with_its_line() {
    let page =
        "Request Parameters\n\n|Parameter|\n|Type|\n|---|---|\n|---|---|\n|name|\n|String|\n";
    let e = docs::parse("doubled.txt", page).unwrap_err();
    assert_eq!(e.file, "doubled.txt");
    assert!(
        e.message.contains("separator at line 6") && e.message.contains("separator at line 5"),
        "{}",
        e.message
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any text, in any of the layouts' alphabets, is read or refused: never a panic.
    #[test]
    fn any_text_is_read_or_refused(
        text in "(\\||---\\||<table>|<tr>|<td>|<th>|<caption>|</td>|</tr>|POST /v1/\\{a\\}|Request parameters|Response parameters|Status code: 200|Name Type Required Description|• |\\{|\\}|\"|'|curl |--data |\n\nTable 1 Path Parameters\n\n|Parameter\n\n|Mandatory\n\n|Type\n\n|Description\n\n|Status Code\n\n|Yes\n\n|String\n\n|4XX\n\n|# source: x\n|[a-zé中 :.\\-\n]){0,60}",
    ) {
        if let Err(e) = docs::parse("any.txt", &text) {
            proptest::prop_assert_eq!(e.file, "any.txt");
        }
    }
}

// The check trusts nothing it is given: entries, URLs, captures cut short, sources.

const CSS_PAGES: &str = "specs/huaweicloud-css/pages/pages.toml";
const CSS_PAGE: &str = "specs/huaweicloud-css/pages/ShowVpcepConnection.txt";
const CSS_SPEC: &str = "specs/huaweicloud-css/ShowVpcepConnection.yaml";

/// The CSS page up to (not including) the first line that starts with `stop`.
fn css_page_cut_before(stop: &str) -> String {
    let page = page_text("huaweicloud-css", "ShowVpcepConnection.txt");
    let at = page
        .find(&format!("\n{stop}"))
        .unwrap_or_else(|| panic!("the page no longer has a line starting {stop:?}"));
    page[..=at].to_owned()
}

/// The one error about the CSS operation.
fn css_error(report: &Report) -> String {
    let errors: Vec<&String> = report
        .errors
        .iter()
        .filter(|e| e.contains("ShowVpcepConnection"))
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", report.errors);
    errors[0].clone()
}

/// `N` in "N of the spec's facts are unchecked".
fn unchecked_count(error: &str) -> usize {
    let before = error
        .split(" of the spec's facts are unchecked")
        .next()
        .unwrap();
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

/// `[ShowVpcepConnection]` of the CSS pages.toml gets `partial` and a source `otc`.
fn record_partial(root: &std::path::Path) {
    let list = root.join(CSS_PAGES);
    let text = replace_once(
        &fs::read_to_string(&list).unwrap(),
        "[ShowVpcepConnection]\n",
        "[ShowVpcepConnection]\npartial = \"ends in the response body table (the permissions row)\"\n",
    );
    fs::write(
        &list,
        format!(
            "{text}\n[ShowVpcepConnection.sources.otc]\nrepo = \"opentelekomcloud-docs/cloud-search-service\"\npath = \"api-ref/source/api_v1/vpc_endpoint/obtaining_an_endpoint_connection.rst\"\n"
        ),
    )
    .unwrap();
}

/// The CSS operation names `key` as the source of everything it declares.
fn source_on_operation(root: &std::path::Path, key: &str) {
    let spec = root.join(CSS_SPEC);
    let text = fs::read_to_string(&spec).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("operationId:"))
        .unwrap()
        .to_owned();
    let indent: String = line.chars().take_while(|c| *c == ' ').collect();
    fs::write(
        &spec,
        replace_once(&text, &line, &format!("{line}\n{indent}x-source: {key}")),
    )
    .unwrap();
}

#[test]
fn a_capture_cut_mid_table_is_an_error_naming_the_section() {
    let repo = specs_copy();
    let root = repo.path();
    // Cut inside the response table, after the permissions row.
    fs::write(
        root.join(CSS_PAGE),
        css_page_cut_before("vpcepUpdateSwitch |"),
    )
    .unwrap();
    let report = check_all(root);
    assert_eq!(report.exit_code(), 2);
    let error = css_error(&report);
    assert!(
        error.contains("specs/huaweicloud-css/pages/ShowVpcepConnection.txt")
            && error.contains("the page ends in Response Parameters: ")
            && error.contains("record `partial"),
        "{error}"
    );
    assert!(unchecked_count(&error) > 0, "{error}");
    // Cut after the query table: the page no longer reads as a whole page that lacks the
    // response (findings, exit 1), but as a capture that ends in the URI section.
    fs::write(
        root.join(CSS_PAGE),
        css_page_cut_before("Request Parameters"),
    )
    .unwrap();
    let report = check_all(root);
    assert_eq!(report.exit_code(), 2);
    let error = css_error(&report);
    assert!(error.contains("the page ends in URI: "), "{error}");
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.contains("ShowVpcepConnection")),
        "{:?}",
        report.findings
    );
    // `docs show` reads it, and says where it ends.
    let model = docs::run::read_page(&root.join(CSS_PAGE)).unwrap();
    assert_eq!(model.ends_in.map(|c| c.section).as_deref(), Some("URI"));
}

#[test]
fn a_partial_capture_counts_the_facts_each_source_covers() {
    let repo = specs_copy();
    let root = repo.path();
    fs::write(
        root.join(CSS_PAGE),
        css_page_cut_before("vpcepUpdateSwitch |"),
    )
    .unwrap();
    let unchecked = unchecked_count(&css_error(&check_all(root)));

    // Recorded as partial: each fact past the cut needs its source.
    record_partial(root);
    let report = check_all(root);
    assert!(
        !report
            .errors
            .iter()
            .any(|e| e.contains("ShowVpcepConnection")),
        "{:?}",
        report.errors
    );
    assert_ne!(report.exit_code(), 0);
    let needs: Vec<&String> = report
        .findings
        .iter()
        .filter(|f| {
            f.starts_with(&format!("{CSS}: "))
                && f.contains("recorded as partial: name its source with `x-source: <key>`")
        })
        .collect();
    // Facts the spec already names a source for (beneath the operation) need none.
    assert!(
        !needs.is_empty() && needs.len() <= unchecked,
        "{:?}",
        report.findings
    );
    assert!(
        needs
            .iter()
            .all(|f| f.split("(keys: ").nth(1).is_some_and(|k| k.contains("otc"))),
        "{needs:?}"
    );

    // The operation names otc: everything agrees, and the count per source is printed.
    source_on_operation(root, "otc");
    let report = check_all(root);
    let about_css = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.contains("ShowVpcepConnection"))
            .cloned()
            .collect()
    };
    assert_eq!(
        (about_css(&report.findings), about_css(&report.errors)),
        (vec![], vec![])
    );
    // With the rest of specs/ in agreement, the whole check passes.
    if check_all(&workspace_root()).exit_code() == 0 {
        assert_eq!(report.exit_code(), 0);
    }
    let line = report
        .summary
        .iter()
        .find(|l| l.starts_with(&format!("{CSS}: ")))
        .unwrap();
    // Past the cut, each fact rests on otc unless the spec names another source beneath.
    let by_source = per_source(line);
    assert!(
        by_source.contains(&("otc".to_owned(), needs.len())),
        "{line}"
    );
    assert_eq!(
        by_source.iter().map(|(_, n)| n).sum::<usize>(),
        unchecked,
        "{line}"
    );
    assert!(!line.contains("with no source"), "{line}");
    // Checking the stored page on its own keeps what pages.toml records about it.
    let one = check_file(root, &root.join(CSS_PAGE), CSS);
    assert_eq!((one.exit_code(), &one.summary), (0, &vec![line.clone()]));
    // One line per operation, in the order of specs/.
    let accounted: Vec<String> = report
        .summary
        .iter()
        .map(|l| l.split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(accounted, operation_documents(root));
}

/// `(key, count)` for each "N from key" of a summary line.
fn per_source(line: &str) -> Vec<(String, usize)> {
    line.split(", ")
        .filter_map(|part| {
            let (n, key) = part.rsplit(": ").next()?.split_once(" from ")?;
            Some((key.to_owned(), n.parse().ok()?))
        })
        .collect()
}

/// The summary line of `target` in a report.
fn summary_of<'r>(report: &'r Report, target: &str) -> &'r str {
    report
        .summary
        .iter()
        .find(|l| l.starts_with(&format!("{target}: ")))
        .unwrap_or_else(|| panic!("no summary line for {target}: {:?}", report.summary))
}

#[test]
fn a_list_of_values_the_capture_lost_rests_on_the_source_the_spec_names() {
    // The CSS page's capture loses the bulleted lists inside its table cells; the spec names
    // the capture that holds them.
    let page = docs::run::read_page(&workspace_root().join(CSS_PAGE)).unwrap();
    assert!(
        page.responses.values().flatten().any(|f| f.enum_lost),
        "the CSS page no longer loses a list of values"
    );
    let spec_text = fs::read_to_string(workspace_root().join(CSS_SPEC)).unwrap();
    let mark = spec_text
        .lines()
        .find(|l| l.trim_start().starts_with("x-source: "))
        .expect("the CSS spec names no source")
        .trim()
        .to_owned();
    let key = mark["x-source: ".len()..].to_owned();
    let named = check_all(&workspace_root());
    let from_key = per_source(summary_of(&named, CSS))
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| n)
        .unwrap_or_else(|| panic!("{}", summary_of(&named, CSS)));

    // Without the marks, the same lists are counted as resting on nothing (not an error).
    let repo = specs_copy();
    let root = repo.path();
    let without: String = spec_text
        .lines()
        .filter(|l| l.trim() != mark)
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(root.join(CSS_SPEC), without).unwrap();
    let report = check_all(root);
    let line = summary_of(&report, CSS);
    assert!(
        line.ends_with(&format!(
            "{from_key} with values lost in the capture and no source"
        )),
        "{line}"
    );
    assert!(!per_source(line).iter().any(|(k, _)| *k == key), "{line}");
    assert!(
        !report
            .errors
            .iter()
            .any(|e| e.contains("ShowVpcepConnection")),
        "{:?}",
        report.errors
    );
}

#[test]
fn a_page_capture_as_a_source_needs_its_url_and_date() {
    let repo = specs_copy();
    let root = repo.path();
    let list = root.join(CSS_PAGES);
    let original = fs::read_to_string(&list).unwrap();
    let header = "[ShowVpcepConnection.sources.older-edition]";
    let url = "https://support.huaweicloud.com/intl/th-th/api-css/ShowVpcepConnection.html";
    let with_entry = |body: &str| -> usize {
        let text = format!("{original}\n{header}\n{body}");
        fs::write(&list, &text).unwrap();
        text.lines().position(|l| l == header).unwrap() + 1
    };
    let error_of = |report: &Report| -> String {
        let errors: Vec<&String> = report
            .errors
            .iter()
            .filter(|e| e.contains(header))
            .collect();
        assert_eq!(errors.len(), 1, "{:?}", report.errors);
        errors[0].clone()
    };
    for (body, says) in [
        (
            format!("url = \"{url}\"\n"),
            "has `url` but no `captured`: add `captured = \"YYYY-MM-DD\"`",
        ),
        (
            "captured = \"2024-10-17\"\n".to_owned(),
            "has `captured` but no `url`",
        ),
        (
            format!("url = \"{url}\"\ncaptured = \"17.10.2024\"\n"),
            "captured = \"17.10.2024\" is not a date: write YYYY-MM-DD",
        ),
        (
            "date = \"2024-10-17\"\n".to_owned(),
            "needs `repo` (owner/name) and `path` for a repository file, or `url` and `captured`",
        ),
        (
            format!(
                "url = \"{url}\"\ncaptured = \"2024-10-17\"\nrepo = \"opentelekomcloud-docs/cloud-search-service\"\n"
            ),
            "mixes a repository file",
        ),
    ] {
        let line = with_entry(&body);
        let report = check_all(root);
        assert_eq!(report.exit_code(), 2, "{body}");
        let error = error_of(&report);
        assert!(
            error.starts_with(&format!("{CSS_PAGES}:{line}: {header} {says}")),
            "{error}"
        );
    }
    // Complete, it is a source like a repository file: no error, and a spec may name it.
    with_entry(&format!("url = \"{url}\"\ncaptured = \"2024-10-17\"\n"));
    let report = check_all(root);
    assert!(
        !report.errors.iter().any(|e| e.contains(header)),
        "{:?}",
        report.errors
    );
    source_on_operation(root, "older-edition");
    let report = check_all(root);
    assert!(
        !report
            .errors
            .iter()
            .any(|e| e.contains("ShowVpcepConnection")),
        "{:?}",
        report.errors
    );
}

#[test]
fn a_source_key_pages_toml_does_not_list_is_an_error_with_its_line() {
    let repo = specs_copy();
    let root = repo.path();
    fs::write(
        root.join(CSS_PAGE),
        css_page_cut_before("vpcepUpdateSwitch |"),
    )
    .unwrap();
    record_partial(root);
    source_on_operation(root, "otx");
    let report = check_all(root);
    assert_eq!(report.exit_code(), 2);
    let error = css_error(&report);
    let spec_text = fs::read_to_string(root.join(CSS_SPEC)).unwrap();
    let line = spec_text
        .lines()
        .position(|l| l.trim() == "x-source: otx")
        .unwrap()
        + 1;
    assert!(
        error.starts_with(&format!(
            "{CSS_SPEC}:{line}: x-source: otx names no source of ShowVpcepConnection: write one of otc"
        )),
        "{error}"
    );
}

#[test]
fn an_operation_without_entry_or_page_is_an_error() {
    let repo = specs_copy();
    let root = repo.path();
    fs::remove_file(root.join(CSS_PAGE)).unwrap();
    fs::write(root.join(CSS_PAGES), "# emptied\n").unwrap();
    let report = check_all(root);
    assert_eq!(report.exit_code(), 2);
    assert!(
        report.errors.contains(&format!(
            "{CSS_SPEC} has no entry in {CSS_PAGES}: add [ShowVpcepConnection] with file (its page, stored in specs/huaweicloud-css/pages/), url and captured; or, when no capture of its page exists, url, missing (why) and sources"
        )),
        "{:?}",
        report.errors
    );
}

#[test]
fn an_entry_without_operation_and_a_placeholder_url_are_errors() {
    let repo = specs_copy();
    let root = repo.path();
    let list = root.join(CSS_PAGES);
    let original = fs::read_to_string(&list).unwrap();
    let url = "https://support.huaweicloud.com/intl/en-us/api-css/ShowVpcepConnection.html";
    for placeholder in [
        "https://example.com/ShowVpcepConnection.html",
        "TODO",
        "...",
        "",
        "http://support.huaweicloud.com/intl/en-us/api-css/ShowVpcepConnection.html",
    ] {
        fs::write(&list, replace_once(&original, url, placeholder)).unwrap();
        let report = check_all(root);
        assert_eq!(report.exit_code(), 2, "{placeholder}");
        let line = original.lines().position(|l| l.contains(url)).unwrap() + 1;
        let error = css_error(&report);
        assert!(
            error.starts_with(&format!(
                "{CSS_PAGES}:{line}: url = {placeholder:?} ([ShowVpcepConnection]): "
            )),
            "{error}"
        );
    }
    // A URL that is not the one the spec's externalDocs names.
    let other = "https://support.huaweicloud.com/intl/en-us/api-css/StartVpecp.html";
    fs::write(&list, replace_once(&original, url, other)).unwrap();
    let error = css_error(&check_all(root));
    assert!(
        error.starts_with(&format!("{CSS_SPEC}:"))
            && error.contains(&format!("externalDocs.url is {url:?}"))
            && error.contains(&format!("url = {other:?}")),
        "{error}"
    );
    fs::write(
        &list,
        format!("{original}\n[ShowVpcepConnections]\nfile = \"ShowVpcepConnection.txt\"\nurl = \"{url}\"\ncaptured = \"2026-12-02\"\n"),
    )
    .unwrap();
    let report = check_all(root);
    assert_eq!(report.exit_code(), 2);
    assert!(
        report.errors.iter().any(|e| e.contains(
            "[ShowVpcepConnections] names no operation: specs/huaweicloud-css/ShowVpcepConnections.yaml does not exist"
        )),
        "{:?}",
        report.errors
    );
}

#[test]
fn a_draft_says_where_the_page_lacks_what_the_generator_needs() {
    // A field without a type, and a page without a URL of its own: the draft guesses, and
    // says so in a comment at the spot.
    let text = replace_once(
        &connect_page(),
        "| userEndpointAddress | String | No |",
        "| userEndpointAddress |  | No |",
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ConnectPrivatelinkService.txt");
    fs::write(&file, text).unwrap();
    let draft = docs::run::scaffold_file(&workspace_root(), &file, None).unwrap();
    let lines: Vec<&str> = draft.lines().collect();
    let note = lines
        .iter()
        .position(|l| l.trim_start().starts_with("# The page gives no type here"))
        .unwrap_or_else(|| panic!("{draft}"));
    let next_key = lines[note..]
        .iter()
        .find(|l| !l.trim_start().starts_with('#'))
        .unwrap();
    assert_eq!(next_key.trim(), "userEndpointAddress:", "{draft}");
    let url = lines
        .iter()
        .position(|l| l.trim_start().starts_with("url: https://example.invalid/"))
        .unwrap_or_else(|| panic!("{draft}"));
    assert!(
        lines[..url]
            .iter()
            .rev()
            .take_while(|l| l.trim_start().starts_with('#'))
            .any(|l| l.contains("The page's address is not known")),
        "{draft}"
    );
}

// `pages.toml` is an input a contributor edits: its values are checked before any file is
// read or written.

#[test]
fn a_page_file_outside_pages_is_refused_by_check_and_fetch() {
    let repo = specs_copy();
    let root = repo.path();
    let list = root.join(CSS_PAGES);
    let original = fs::read_to_string(&list).unwrap();
    let line = original
        .lines()
        .position(|l| l == "file = \"ShowVpcepConnection.txt\"")
        .unwrap()
        + 1;
    // A file beside specs/ that a path out of pages/ would reach.
    let outside = root.join("Cargo.toml");
    fs::write(&outside, "[workspace]\n").unwrap();
    let served = served_pages(root);
    let (base, _server) = serve_pages(served);
    for file in ["../../../Cargo.toml", "/etc/passwd", ""] {
        fs::write(
            &list,
            replace_once(
                &original,
                "file = \"ShowVpcepConnection.txt\"",
                &format!("file = {file:?}"),
            ),
        )
        .unwrap();
        let expected = format!("{CSS_PAGES}:{line}: file = {file:?} ([ShowVpcepConnection]): ");
        let report = check_all(root);
        assert_eq!(report.exit_code(), 2, "{file}");
        let error = css_error(&report);
        assert!(
            error.starts_with(&expected)
                && error
                    .ends_with("write its name alone, such as file = \"ShowVpcepConnection.txt\""),
            "{error}"
        );
        let fetched = docs::fetch::fetch(
            root,
            Some("huaweicloud-css/ShowVpcepConnection"),
            Some(&base),
            "2026-12-24",
        );
        assert_eq!(fetched.exit_code(), 2, "{file}");
        assert!(
            fetched.errors.iter().any(|e| e.starts_with(&expected)),
            "{:?}",
            fetched.errors
        );
        assert_eq!(fs::read_to_string(&outside).unwrap(), "[workspace]\n");
    }
}

#[test]
fn a_capture_date_that_is_no_day_of_the_calendar_is_an_error_with_its_line() {
    let repo = specs_copy();
    let root = repo.path();
    let list = root.join(CSS_PAGES);
    let original = fs::read_to_string(&list).unwrap();
    let written = original
        .lines()
        .find(|l| l.starts_with("captured = "))
        .unwrap()
        .to_owned();
    let line = original.lines().position(|l| l == written).unwrap() + 1;
    for date in ["2026-13-45", "2026-02-29", "2026-04-31"] {
        fs::write(
            &list,
            replace_once(&original, &written, &format!("captured = \"{date}\"")),
        )
        .unwrap();
        let report = check_all(root);
        assert_eq!(report.exit_code(), 2, "{date}");
        assert_eq!(
            report.errors,
            [format!(
                "{CSS_PAGES}:{line}: captured = \"{date}\" is not a date: write YYYY-MM-DD"
            )]
        );
    }
}

#[test]
fn a_response_example_cut_mid_json_is_a_cut_capture_not_a_shorter_example() {
    let target = "oceanbase-cloud/BatchKillProcessList";
    let page = page_text("oceanbase-cloud", "BatchKillProcessList.txt");
    // The capture stops before the example's closing brace: an inner value (the `Data` array
    // and its objects) is complete, the example is not.
    let end = page
        .trim_end()
        .rfind("\n}")
        .expect("the page ends in a JSON example");
    let report = check_text(target, "BatchKillProcessList.txt", &page[..=end]);
    assert_eq!(report.exit_code(), 2, "{report:?}");
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(
        report.errors[0].contains("the page ends in Response example"),
        "{}",
        report.errors[0]
    );
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.contains("example response")),
        "{:?}",
        report.findings
    );
}

#[test]
fn fetch_keeps_the_capture_when_the_download_is_not_its_page() {
    let repo = specs_copy();
    let root = repo.path();
    let css_url = docs::run::pages(root)
        .unwrap()
        .into_iter()
        .find(|p| p.operation == "ShowVpcepConnection")
        .and_then(|p| p.entry.url)
        .unwrap();
    let css_path = docs::fetch::effective_url(&css_url, Some(""));
    let css_file = root.join(CSS_PAGE);
    let css_list = root.join(CSS_PAGES);
    let page_before = fs::read_to_string(&css_file).unwrap();
    let list_before = fs::read_to_string(&css_list).unwrap();
    for (served, says) in [
        (
            "<html><body>Please enable JavaScript to view this page.</body></html>".to_owned(),
            "the download is not a page this tool reads",
        ),
        // Another operation's page at this address.
        (
            page_text("huaweicloud-das", "CreateInstanceConnection.txt"),
            "the download documents POST ",
        ),
        // The page, cut before its status codes.
        (css_page_cut_before("Status Codes"), "the download ends in "),
    ] {
        let (base, _server) = serve_pages(vec![(css_path.clone(), served)]);
        let report = docs::fetch::fetch(
            root,
            Some("huaweicloud-css/ShowVpcepConnection"),
            Some(&base),
            "2026-12-24",
        );
        assert_eq!(report.exit_code(), 2, "{says}");
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        let error = &report.errors[0];
        assert!(
            error.starts_with(&format!(
                "huaweicloud-css/ShowVpcepConnection: {base}{css_path}: {says}"
            )) && error.contains(&format!("{CSS_PAGE} and its capture date are kept")),
            "{error}"
        );
        assert_eq!(fs::read_to_string(&css_file).unwrap(), page_before);
        assert_eq!(fs::read_to_string(&css_list).unwrap(), list_before);
    }
    assert!(check_all(root).errors.is_empty());
}

#[test]
fn diff_says_a_capture_is_cut_instead_of_reporting_what_it_does_not_reach() {
    let dir = tempfile::tempdir().unwrap();
    let whole = page_path("huaweicloud-css", "ShowVpcepConnection.txt");
    let cut = dir.path().join("t.txt");
    // Cut inside the response table; the vendor also made `limit` required, before the cut.
    let text = replace_once(
        &css_page_cut_before("vpcepUpdateSwitch |"),
        "limit |\nNo |",
        "limit |\nYes |",
    );
    fs::write(&cut, &text).unwrap();
    let cut_name = cut.to_string_lossy().replace('\\', "/");
    let report = diff(&workspace_root(), &whole, &cut);
    assert_eq!(report.exit_code(), 2);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let error = &report.errors[0];
    assert!(
        error.starts_with(&format!(
            "{CSS}: {cut_name}: the page ends in Response Parameters: "
        )) && error.ends_with(
            "of the old page's facts past it are not compared; capture the whole page again"
        ),
        "{error}"
    );
    // Only the change before the cut is a finding, labelled with the operation.
    assert_eq!(
        report.findings,
        [format!(
            "{CSS}: query limit: required on the new page, optional on the old page"
        )]
    );
    // The other way round: the old capture is the cut one, and nothing past it is "added".
    // An old capture cannot be taken again: what it does not reach is printed, not an error.
    let report = diff(&workspace_root(), &cut, &whole);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.exit_code(), 1, "the one finding");
    assert!(
        report
            .summary
            .iter()
            .any(|l| l
                .contains("of the new page's facts past it are not compared (the older capture")),
        "{:?}",
        report.summary
    );
    assert_eq!(
        report.findings,
        [format!(
            "{CSS}: query limit: optional on the new page, required on the old page"
        )]
    );
    // A capture cut at the same place on both sides leaves nothing out: no change, no error.
    let report = diff(&workspace_root(), &cut, &cut);
    assert_eq!(
        report.exit_code(),
        0,
        "{:?} {:?}",
        report.errors,
        report.findings
    );
}

/// `docs diff OLD NEW` of two texts, written to a temporary directory.
fn diff_texts(old: &str, new: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let (o, n) = (dir.path().join("old.txt"), dir.path().join("new.txt"));
    fs::write(&o, old).unwrap();
    fs::write(&n, new).unwrap();
    diff(&workspace_root(), &o, &n)
}

#[test]
fn diff_reports_a_default_a_range_and_a_list_of_values_the_new_page_drops() {
    // The vendor drops the range and the default of `offset`: the new page gives neither.
    let css = page_text("huaweicloud-css", "ShowVpcepConnection.txt");
    let new = replace_once(
        &css,
        "Value range: 0-1000 Default value: 0 |",
        "Value range: N/A Default value: N/A |",
    );
    let report = diff_texts(&css, &new);
    assert_eq!(
        report.findings,
        [
            format!("{CSS}: query offset: default none on the new page, 0 on the old page"),
            format!("{CSS}: query offset: maximum none on the new page, 1000 on the old page"),
            format!("{CSS}: query offset: minimum none on the new page, 0 on the old page"),
        ]
    );
    // The vendor drops the list of values of `success`.
    let add_user = page_text("oceanbase-cloud", "AddPrivatelinkServiceUser.txt");
    let new = replace_once(
        &add_user,
        "successful. Valid values:\n    • true: successful\n    • false: failed\n    • true",
        "successful. true",
    );
    let report = diff_texts(&add_user, &new);
    assert_eq!(
        report.findings,
        [
            format!(
                "{ADD_USER}: response 200 success: enum value \"false\" on the old page, not on the new page"
            ),
            format!(
                "{ADD_USER}: response 200 success: enum value \"true\" on the old page, not on the new page"
            ),
        ]
    );
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn a_list_of_values_given_where_there_was_none_is_reported_by_diff_and_check() {
    let old = page_text("oceanbase-cloud", "AddPrivatelinkServiceUser.txt");
    let new = replace_once(
        &old,
        "The user account. user123",
        "The user account. Valid values:\n    • admin: the administrator\n    • guest: a guest\n    • user123",
    );
    let report = diff_texts(&old, &new);
    assert_eq!(
        report.findings,
        [
            format!(
                "{ADD_USER}: body userAccount: enum value \"admin\" on the new page, not on the old page"
            ),
            format!(
                "{ADD_USER}: body userAccount: enum value \"guest\" on the new page, not on the old page"
            ),
        ]
    );
    // The spec's `userAccount` is a string of any value: the page's values are drift.
    let report = check_text(ADD_USER, "AddPrivatelinkServiceUser.txt", &new);
    assert_drift(
        &report,
        ADD_USER,
        &[
            "specs/oceanbase-cloud/AddPrivatelinkServiceUser.yaml:[userAccount]: body userAccount: enum value \"admin\" on the page, not in the spec: add \"admin\" to enum",
            "specs/oceanbase-cloud/AddPrivatelinkServiceUser.yaml:[userAccount]: body userAccount: enum value \"guest\" on the page, not in the spec: add \"guest\" to enum",
        ],
    );
}

#[test]
fn an_example_request_that_is_not_json_is_an_error_not_an_absent_example() {
    // A trailing comma in the page's example request (Huawei request line and body, OceanBase
    // curl --data): the page shows an example, so "not on the page" would be a wrong fact.
    let das = replace_once(
        &page_text("huaweicloud-das", "CreateInstanceConnection.txt"),
        "\"remarks\" : \"create by api\"\n}",
        "\"remarks\" : \"create by api\",\n}",
    );
    let add_user = replace_once(
        &page_text("oceanbase-cloud", "AddPrivatelinkServiceUser.txt"),
        "\"addressId\": \"rs-praivate-********\"}'",
        "\"addressId\": \"rs-praivate-********\",}'",
    );
    for (target, text) in [(DAS, das), (ADD_USER, add_user)] {
        let report = check_text(target, "page.txt", &text);
        assert_eq!(report.exit_code(), 2, "{:?}", report.findings);
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        let error = report.errors.join("\n");
        assert!(
            error.contains("page.txt: section \"Request example\": the example request's body is not valid JSON: trailing comma at line"),
            "{error}"
        );
    }
}

#[test]
fn a_draft_whose_success_body_is_not_the_envelope_answers_errors_with_the_envelope() {
    // BatchKillProcessList answers 200 with a body of its own; the API's errors are the
    // envelope api.toml names. `generate` refuses an operation without a named 4XX schema.
    let repo = specs_copy();
    let root = repo.path();
    let file = page_path("oceanbase-cloud", "BatchKillProcessList.txt");
    let draft =
        docs::run::scaffold_file(&workspace_root(), &file, None).unwrap_or_else(|e| panic!("{e}"));
    let doc: serde_json::Value = serde_yaml_ng::from_str(&draft).unwrap();
    let (_, _, op) = docs::compare::only_operation(&doc).unwrap();
    assert_eq!(
        op.pointer("/responses/4XX/content/application~1json/schema/$ref"),
        Some(&serde_json::json!(
            "_common.yaml#/components/schemas/Envelope"
        )),
        "{draft}"
    );
    fs::write(
        root.join("specs/oceanbase-cloud/BatchKillProcessList.yaml"),
        &draft,
    )
    .unwrap();
    if let Err(errors) = xtask::generate_all(root) {
        panic!("{errors:?}\n{draft}");
    }
}

#[test]
fn html_cells_merged_across_rows_and_columns_stay_in_their_columns() {
    // Two path parameters share one `Yes` cell (rowspan), and a header cell spans the Type and
    // Description columns' places (colspan), as Huawei's HTML tables sometimes do.
    let html = "<h4>URI</h4><p>GET /v1/{project_id}/things/{thing_id}</p>\
        <table><caption><b>Table 1 </b>Path Parameters</caption>\
        <thead><tr><th>Parameter</th><th>Mandatory</th><th>Type</th><th>Description</th></tr></thead>\
        <tbody><tr><td>project_id</td><td rowspan=\"2\">Yes</td><td>String</td><td>The project.</td></tr>\
        <tr><td>thing_id</td><td>Integer</td><td>The thing.</td></tr></tbody></table>\
        <h4>Response Parameters</h4><table><caption><b>Table 2 </b>Response body parameters</caption>\
        <thead><tr><th>Parameter</th><th colspan='2'>Type</th><th>Description</th></tr></thead>\
        <tbody><tr><td>name</td><td>String</td><td>(text)</td><td>The name.</td></tr></tbody></table>\
        <h4>Status Codes</h4><table><thead><tr><th>Status Code</th><th>Description</th></tr></thead>\
        <tbody><tr><td>200</td><td>OK</td></tr></tbody></table>";
    let page = docs::parse("merged.html", html).unwrap();
    let thing = &page.params[1].field;
    assert_eq!(
        (
            thing.name.as_str(),
            thing.required,
            thing.ty.as_str(),
            thing.description.as_str()
        ),
        ("thing_id", Some(true), "integer(int32)", "The thing.")
    );
    let name = &page.responses["200"][0];
    assert_eq!(
        (name.ty.as_str(), name.description.as_str()),
        ("string", "The name.")
    );
}
