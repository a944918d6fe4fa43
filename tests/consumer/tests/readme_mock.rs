//! The README's mock example: testing your own code against a typed mock of the CSS API.

use cloud_sdk_runtime::{ErrorKind, huawei::HuaweiError};
use huaweicloud_css::{
    Client,
    mock::MockServer,
    types::{ShowVpcepConnectionResponse, VpcepConnection},
};

/// Your code: the ids of a cluster's VPC endpoint connections.
async fn connection_ids(
    client: &Client,
    cluster: &str,
) -> Result<Vec<String>, huaweicloud_css::ApiError> {
    let page = client
        .show_vpcep_connection()
        .project_id("my-project")
        .cluster_id(cluster)
        .call()
        .await?;
    Ok(page
        .connections
        .iter()
        .filter_map(|c| c.id.clone())
        .collect())
}

#[tokio::test]
async fn lists_the_ids() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    // Response types are #[non_exhaustive] (the vendor may add fields): build them with
    // their builders.
    let connection = VpcepConnection::builder().id(Some("ep-1".to_owned()));
    let page = ShowVpcepConnectionResponse::try_from(
        ShowVpcepConnectionResponse::builder()
            .connections(vec![VpcepConnection::try_from(connection)?])
            .total_count(Some(1)),
    )?;
    let mock = server.show_vpcep_connection(|when, then| {
        when.cluster_id("c1");
        then.ok(&page);
    });
    assert_eq!(connection_ids(&server.client(), "c1").await?, ["ep-1"]);
    assert_eq!(mock.hits(), 1);
    Ok(())
}

#[tokio::test]
async fn reports_the_vendor_error_and_refused_credentials() {
    let server = MockServer::start().await;
    server.show_vpcep_connection(|when, then| {
        when.cluster_id("gone");
        let body = HuaweiError {
            error_code: Some("CSS.0015".into()),
            error_msg: Some("not found".into()),
        };
        then.error(404, &body);
    });
    server.show_vpcep_connection(|_, then| {
        then.credentials_refused();
    });
    let client = server.client();
    let err = connection_ids(&client, "gone").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Service, Some("CSS.0015"))
    );
    let err = connection_ids(&client, "other").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
}
