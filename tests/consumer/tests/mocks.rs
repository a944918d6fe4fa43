//! A downstream crate's tests of its own code against the clients' typed mocks: a success, a
//! typed vendor error, a paging sequence and a refused-credentials answer, for OceanBase Cloud
//! (Digest) and Huawei Cloud (AK/SK) operations.

use cloud_sdk_runtime::{ErrorKind, RetryPolicy, huawei::HuaweiError};
use futures::TryStreamExt as _;

/// "User code": adds a user to a tenant's PrivateLink allowlist and returns the request id.
async fn add_user(
    client: &oceanbase_cloud::Client,
    account: &str,
) -> Result<Option<String>, oceanbase_cloud::ApiError> {
    let reply = client
        .add_privatelink_service_user()
        .instance_id("ob317v4uif")
        .tenant_id("t33h8y08k")
        .body(ob_body(account))
        .call()
        .await?;
    Ok(reply.into_inner().request_id)
}

/// The body, built as code that survives a new optional field builds it.
fn ob_body(account: &str) -> oceanbase_cloud::types::AddPrivatelinkServiceUserBody {
    oceanbase_cloud::types::AddPrivatelinkServiceUserBody::builder()
        .address_id("rs-private-1")
        .user_account(account)
        .try_into()
        .expect("every required field is set")
}

#[tokio::test]
async fn oceanbase_success_through_the_digest_exchange() {
    let server = oceanbase_cloud::mock::MockServer::start().await;
    let mock = server.add_privatelink_service_user(|when, then| {
        when.instance_id("ob317v4uif")
            .tenant_id("t33h8y08k")
            .body(&ob_body("user123"));
        then.example();
    });
    let id = add_user(&server.client(), "user123").await.unwrap();
    assert_eq!(id.as_deref(), Some("167140a8-****-****-****-9ca1c646ae25"));
    assert_eq!(mock.hits(), 1);
    // The request the service saw was Digest-signed and carried the supplied values.
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let seen = &requests[0];
    assert!(seen.header("authorization").unwrap().starts_with("Digest "));
    assert_eq!(seen.header("x-ob-project-id"), Some("mock-project"));
    assert!(seen.query_param("requestId").is_some());
    assert!(
        !format!("{seen:?}").contains("Digest "),
        "Debug hides credentials"
    );
}

#[tokio::test]
async fn oceanbase_a_body_that_does_not_match_reaches_no_mock() {
    let server = oceanbase_cloud::mock::MockServer::start().await;
    let mock = server.add_privatelink_service_user(|when, then| {
        when.body(&ob_body("someone-else"));
        then.example();
    });
    let err = add_user(&server.client(), "user123").await.unwrap_err();
    assert_eq!(mock.hits(), 0);
    // The server's 404 names the request no mock matched.
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(
        format!("{err}").contains("no mock matches POST /api/v2/instances/ob317v4uif"),
        "{err}"
    );
}

#[tokio::test]
async fn oceanbase_vendor_error_is_typed() {
    let server = oceanbase_cloud::mock::MockServer::start().await;
    server.add_privatelink_service_user(|when, then| {
        when.body_matches(|b| b.user_account == "taken");
        then.error(
            400,
            &oceanbase_cloud::types::Envelope::try_from(
                oceanbase_cloud::types::Envelope::builder()
                    .success(Some(false.into()))
                    .error_code(Some("UserAlreadyExists".to_owned()))
                    .error_message(Some("the account is already on the allowlist".to_owned()))
                    .request_id(Some("req-7".to_owned())),
            )
            .unwrap(),
        );
    });
    let err = add_user(&server.client(), "taken").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.code(), Some("UserAlreadyExists"));
    assert_eq!(
        err.message(),
        Some("the account is already on the allowlist")
    );
    assert_eq!(err.operation(), "AddPrivatelinkServiceUser");
}

#[tokio::test]
async fn oceanbase_envelope_failure_with_200_is_a_service_error() {
    let server = oceanbase_cloud::mock::MockServer::start().await;
    server.add_privatelink_service_user(|_, then| {
        then.ok(&oceanbase_cloud::types::Envelope::try_from(
            oceanbase_cloud::types::Envelope::builder()
                .success(Some(false.into()))
                .error_code(Some("QuotaExceeded".to_owned()))
                .error_message(Some("too many users".to_owned())),
        )
        .unwrap());
    });
    let err = add_user(&server.client(), "u").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.code(), Some("QuotaExceeded"));
}

#[tokio::test]
async fn oceanbase_credentials_refused() {
    let server = oceanbase_cloud::mock::MockServer::start().await;
    server.add_privatelink_service_user(|_, then| {
        then.credentials_refused();
    });
    let err = add_user(&server.client(), "u").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
}

/// "User code": every connection id of a cluster, across pages.
async fn connection_ids(
    client: &huaweicloud_css::Client,
    cluster: &str,
    page_size: u32,
) -> Result<Vec<String>, huaweicloud_css::ApiError> {
    client
        .show_vpcep_connection()
        .project_id("p1")
        .cluster_id(cluster)
        .stream_connections(page_size)
        .map_ok(|c| c.id.unwrap_or_default())
        .try_collect()
        .await
}

fn page(ids: &[&str], total: i32) -> huaweicloud_css::types::ShowVpcepConnectionResponse {
    use huaweicloud_css::types::{ShowVpcepConnectionResponse, VpcepConnection};
    // Response types are #[non_exhaustive]: built with their builders, as a downstream crate must.
    let connections = ids
        .iter()
        .map(|id| VpcepConnection::try_from(VpcepConnection::builder().id(Some((*id).to_owned()))))
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    ShowVpcepConnectionResponse::try_from(
        ShowVpcepConnectionResponse::builder()
            .connections(connections)
            .total_count(Some(total)),
    )
    .unwrap()
}

#[tokio::test]
async fn css_success_with_the_documented_example() {
    let server = huaweicloud_css::mock::MockServer::start().await;
    server.show_vpcep_connection(|when, then| {
        when.project_id("p1").cluster_id("c1");
        then.example();
    });
    let reply = server
        .client()
        .show_vpcep_connection()
        .project_id("p1")
        .cluster_id("c1")
        .call()
        .await
        .unwrap();
    assert_eq!(reply.connections.len(), 2);
    assert_eq!(reply.total_count, Some(2));
    let seen = &server.requests()[0];
    assert!(
        seen.header("authorization")
            .unwrap()
            .starts_with("SDK-HMAC-SHA256 Access=MOCKACCESSKEY")
    );
}

#[tokio::test]
async fn css_paging_over_three_pages() {
    let server = huaweicloud_css::mock::MockServer::start().await;
    let pages = [
        server.show_vpcep_connection(|when, then| {
            when.cluster_id("c1").offset(0).limit(2);
            then.ok(&page(&["a", "b"], 5));
        }),
        server.show_vpcep_connection(|when, then| {
            when.cluster_id("c1").offset(2).limit(2);
            then.ok(&page(&["c", "d"], 5));
        }),
        server.show_vpcep_connection(|when, then| {
            when.cluster_id("c1").offset(4).limit(2);
            then.ok(&page(&["e"], 5));
        }),
    ];
    let ids = connection_ids(&server.client(), "c1", 2).await.unwrap();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(pages.map(|m| m.hits()), [1, 1, 1]);
}

#[tokio::test]
async fn css_vendor_error_is_typed() {
    let server = huaweicloud_css::mock::MockServer::start().await;
    server.show_vpcep_connection(|when, then| {
        when.cluster_id("missing");
        then.error(
            404,
            &HuaweiError {
                error_code: Some("CSS.0015".into()),
                error_msg: Some("No resources are found or the access is denied.".into()),
            },
        );
    });
    let err = server
        .client()
        .show_vpcep_connection()
        .project_id("p1")
        .cluster_id("missing")
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.code(), Some("CSS.0015"));
    assert_eq!(
        err.message(),
        Some("No resources are found or the access is denied.")
    );
    assert!(
        err.request_id()
            .is_some_and(|id| id.starts_with("mock-request-"))
    );
}

#[tokio::test]
async fn css_paging_stops_at_an_error_page() {
    let server = huaweicloud_css::mock::MockServer::start().await;
    server.show_vpcep_connection(|when, then| {
        when.offset(0);
        then.ok(&page(&["a", "b"], 4));
    });
    server.show_vpcep_connection(|when, then| {
        when.offset(2);
        then.error(
            400,
            &HuaweiError {
                error_code: Some("CSS.0001".into()),
                error_msg: Some("bad offset".into()),
            },
        );
    });
    let client = server.client().with_retry(RetryPolicy::off());
    let err = connection_ids(&client, "c1", 2).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.code(), Some("CSS.0001"));
}

#[tokio::test]
async fn css_credentials_refused() {
    let server = huaweicloud_css::mock::MockServer::start().await;
    server.show_vpcep_connection(|_, then| {
        then.credentials_refused();
    });
    let err = server
        .client()
        .show_vpcep_connection()
        .project_id("p1")
        .cluster_id("c1")
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.code(), Some("APIGW.0301"));
}

#[tokio::test]
async fn das_mock_matches_a_typed_body_predicate() {
    let das = huaweicloud_das::mock::MockServer::start().await;
    das.create_instance_connection(|when, then| {
        when.instance_id("i1")
            .body_matches(|b| b.username == "root");
        then.example();
    });
    let body = huaweicloud_das::types::CreateInstanceConnectionBody::builder()
        .engine_type(huaweicloud_das::types::DasEngineType::Mysql)
        .network_type(huaweicloud_das::types::DasNetworkType::Rds)
        .username("root")
        .is_save_password(true)
        .password(cloud_sdk_runtime::Secret::new("pw"));
    das.client()
        .create_instance_connection()
        .project_id("p1")
        .instance_id("i1")
        .body(body)
        .call()
        .await
        .unwrap();
}

/// A `call()` is a future a multi-threaded runtime can run on another task, as an
/// application spawns it: Digest (OceanBase) and AK/SK (Huawei) calls, four at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_on_spawned_tasks() {
    let ob = oceanbase_cloud::mock::MockServer::start().await;
    let added = ob.add_privatelink_service_user(|when, then| {
        when.instance_id("ob317v4uif");
        then.example();
    });
    let css = huaweicloud_css::mock::MockServer::start().await;
    let shown = css.show_vpcep_connection(|when, then| {
        when.project_id("p1").cluster_id("c1");
        then.example();
    });
    let mut tasks = Vec::new();
    for n in 0..4 {
        let client = ob.client();
        tasks.push(tokio::spawn(async move {
            add_user(&client, &format!("user{n}")).await.map(|_| ())
        }));
    }
    let mut shows = Vec::new();
    for _ in 0..4 {
        let client = css.client();
        shows.push(tokio::spawn(async move {
            client
                .show_vpcep_connection()
                .project_id("p1")
                .cluster_id("c1")
                .call()
                .await
                .map(|reply| reply.connections.len())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    for show in shows {
        assert_eq!(show.await.unwrap().unwrap(), 2);
    }
    assert_eq!((added.hits(), shown.hits()), (4, 4));
}
