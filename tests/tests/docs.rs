//! The specs against the vendors' pages (`cargo xtask docs`): the checked-in pages agree with
//! their specs, every page reads into the expected model (snapshots), and edited copies of real
//! pages give exactly the findings a reviewer needs.

use std::{fs, path::PathBuf};

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

/// Asserts the exact findings (without the `<api>/<Operation>: ` prefix) and exit code 1.
fn assert_drift(report: &Report, target: &str, expected: &[&str]) {
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let found: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            f.strip_prefix(&format!("{target}: "))
                .unwrap_or(f)
                .to_owned()
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
    // Every operation document has its page.
    let pages = docs::run::pages(&workspace_root()).unwrap();
    assert_eq!(pages.len(), 5);
    for p in &pages {
        assert!(
            workspace_root()
                .join("specs")
                .join(&p.api)
                .join(format!("{}.yaml", p.operation))
                .exists(),
            "{p:?}"
        );
    }
}

#[test]
fn each_page_reads_into_its_model() {
    for p in docs::run::pages(&workspace_root()).unwrap() {
        let text = fs::read_to_string(&p.path).unwrap();
        let model = docs::parse(&p.entry.file, &text).unwrap();
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
        &["body vpcId: on the page, not in the spec"],
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
        &["body userEndpointAddress: in the spec, not on the page"],
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
        &["body addressId: required on the page, optional in the spec"],
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
        &["body port: type string on the page, integer(int32) in the spec"],
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
        &["response 200 success: enum value \"pending\" on the page, not in the spec"],
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
    assert_drift(&report, CSS, &["status 404: on the page, not in the spec"]);
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
        &["example request: differs at /username: \"admin\" on the page, \"root\" in the spec"],
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
            "body requestId: on the page, not in the spec",
            "query requestId: in the spec, not on the page",
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
    let new = dir.path().join("ConnectPrivatelinkService.txt");
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
    let report = diff(&old, &new);
    assert_eq!(
        report.findings,
        [
            "ConnectPrivatelinkService: body addressId: required on the new page, optional on the old page"
        ]
    );
    assert_eq!(report.exit_code(), 1);
    assert_eq!(diff(&old, &old).exit_code(), 0);
}

// `docs scaffold`: a draft from the page, compared with today's spec by its surface.

/// The surface of `specs/<api>` with only one operation document, `op_doc` (YAML).
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
    fs::copy(source.join("_common.yaml"), dir.join("_common.yaml")).unwrap();
    // `api.toml` without the replacements of schemas the draft does not define (a draft
    // inlines what the spec names, e.g. `VpcepUpdateSwitch`): the generator refuses a
    // replacement of a schema that does not exist.
    let api_toml = fs::read_to_string(source.join("api.toml")).unwrap();
    let common = fs::read_to_string(source.join("_common.yaml")).unwrap();
    let mut kept = String::new();
    let mut skipping = false;
    for line in api_toml.lines() {
        if line.starts_with('[') {
            skipping = line
                .strip_prefix("[replace.")
                .and_then(|rest| rest.strip_suffix(']'))
                .is_some_and(|name| {
                    let defined = format!("    {name}:");
                    !op_doc.contains(&defined) && !common.contains(&defined)
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
    xtask::surface::Surface::of(&loaded)
        .render_text()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Lines of `a` not in `b`.
fn only_in(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|l| !b.contains(l)).cloned().collect()
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
            "  engine_type: DasEngineType (required)",
            "  network_type: DasNetworkType (required)",
            "  password: DasPassword (required)",
            "DasEngineType (open enum; request; #[non_exhaustive]): string {mysql, sqlserver, postgresql, taurus, gaussdbv5, mongodb, ddm}",
            "DasNetworkType (open enum; request; #[non_exhaustive]): string {rds, gaussdb, dds, ddm}",
            "DasPassword (replaced by ::cloud_sdk_runtime::Secret; request): string(password)",
        ],
        &[
            "  engine_type: string (required)",
            "  network_type: string (required)",
            "  password: string (required)",
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
    assert_eq!(pages.len(), SCAFFOLD_DEVIATIONS.len());
    for p in pages {
        let target = format!("{}/{}", p.api, p.operation);
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

/// A repository with the CSS and DAS specs and pages only.
fn repo_with_pages() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for api in ["huaweicloud-css", "huaweicloud-das"] {
        let source = workspace_root().join("specs").join(api);
        let dir = root.path().join("specs").join(api);
        fs::create_dir_all(dir.join("pages")).unwrap();
        for sub in ["", "pages"] {
            for entry in fs::read_dir(source.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    fs::copy(&path, dir.join(sub).join(path.file_name().unwrap())).unwrap();
                }
            }
        }
    }
    root
}

#[test]
fn fetch_writes_and_reports_only_changed_pages() {
    let css = page_text("huaweicloud-css", "ShowVpcepConnection.txt");
    let das_new = replace_once(
        &page_text("huaweicloud-das", "CreateInstanceConnection.txt"),
        "\"username\" : \"root\"",
        "\"username\" : \"admin\"",
    );
    let (base, _server) = serve_pages(vec![
        (
            "/intl/en-us/api-css/ShowVpcepConnection.html".into(),
            css.clone(),
        ),
        (
            "/intl/en-us/api-das/das_01_0070.html".into(),
            das_new.clone(),
        ),
    ]);
    let repo = repo_with_pages();
    let root = repo.path();
    let css_file = root.join("specs/huaweicloud-css/pages/ShowVpcepConnection.txt");
    let css_list = root.join("specs/huaweicloud-css/pages/pages.toml");
    let css_list_before = fs::read_to_string(&css_list).unwrap();
    let css_modified = fs::metadata(&css_file).unwrap().modified().unwrap();

    let report = docs::fetch::fetch(root, None, Some(&base), "2026-12-24");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert!(
        report.findings[0]
            .starts_with("changed: specs/huaweicloud-das/pages/CreateInstanceConnection.txt")
    );
    // The changed page is written and its capture date recorded; the other is not touched.
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
    // And the check now shows the vendor's change.
    let check = check_all(root);
    assert_eq!(
        check.findings,
        [
            "huaweicloud-das/CreateInstanceConnection: example request: differs at /username: \"admin\" on the page, \"root\" in the spec"
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
    let repo = repo_with_pages();
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

const FIXTURES: &[(&str, docs::Layout)] = &[
    (
        "huawei-html/ecs-flavor-extra-specs.html",
        docs::Layout::HuaweiHtml,
    ),
    (
        "huawei-text/ShowVpcepConnection.th-th.txt",
        docs::Layout::HuaweiText,
    ),
    (
        "oceanbase-markdown/AddPrivatelinkServiceUser.userAccount.md",
        docs::Layout::OceanbaseMarkdown,
    ),
    (
        "oceanbase-markdown/AddPrivatelinkServiceUser.addressId.md",
        docs::Layout::OceanbaseMarkdown,
    ),
    (
        "oceanbase-markdown/ConfirmPrivatelinkConnection.md",
        docs::Layout::OceanbaseMarkdown,
    ),
    (
        "oceanbase-text/ConnectPrivatelinkService.2025-11-26.txt",
        docs::Layout::OceanbaseText,
    ),
];

#[test]
fn each_public_capture_reads_into_its_model() {
    for (path, layout) in FIXTURES {
        let text = fs::read_to_string(fixture(path)).unwrap();
        let model = docs::parse(path, &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(model.layout, *layout, "{path}");
        let name = path.replace('/', "__");
        insta::assert_yaml_snapshot!(format!("capture__{name}"), model);
    }
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
        strip(diff(&oldest, &next)),
        [
            "body addressId: on the new page, not on the old page",
            "example request: differs at /addressId: \"rs-private***\" on the new page, absent on the old page",
        ]
    );
    assert_eq!(
        strip(diff(&next, &today)),
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
            "body userEndpointAddress: in the spec, not on the page",
            "example request: differs at /addressId: \"xxxxx\" on the page, \"obe-4tw51gp7****\" in the spec",
            "query requestId: in the spec, not on the page",
        ],
    );
}

#[test]
fn an_older_region_s_css_page_checked_against_today_s_spec() {
    // The th-th region's capture still documents `start` where today's page has `offset`,
    // has no permissions table and no example response.
    let report = check_file(
        &workspace_root(),
        &fixture("huawei-text/ShowVpcepConnection.th-th.txt"),
        CSS,
    );
    assert_drift(
        &report,
        CSS,
        &[
            "example response 200: in the spec, not on the page",
            "query offset: in the spec, not on the page",
            "query start: on the page, not in the spec",
            "response 200 permissions.created_at: in the spec, not on the page",
            "response 200 permissions.id: in the spec, not on the page",
            "response 200 permissions.permission: in the spec, not on the page",
            "response 200 permissions.permission_type: in the spec, not on the page",
        ],
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
        .map(|p| (p.entry.file.clone(), fs::read_to_string(&p.path).unwrap()))
        .collect();
    for (path, _) in FIXTURES {
        pages.push((
            (*path).to_owned(),
            fs::read_to_string(fixture(path)).unwrap(),
        ));
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
        &["response 200 update_date: x-doc-deviation (type) explains no difference: remove it"],
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

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any text, in any of the layouts' alphabets, is read or refused: never a panic.
    #[test]
    fn any_text_is_read_or_refused(
        text in "(\\||---\\||<table>|<tr>|<td>|<th>|<caption>|</td>|</tr>|POST /v1/\\{a\\}|Request parameters|Response parameters|Status code: 200|Name Type Required Description|• |\\{|\\}|\"|'|curl |--data |[a-zé中 :.\\-\n]){0,60}",
    ) {
        if let Err(e) = docs::parse("any.txt", &text) {
            proptest::prop_assert_eq!(e.file, "any.txt");
        }
    }
}
