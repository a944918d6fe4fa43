//! The IAM password token provider: `POST {iam}/v3/auth/tokens` with the password method,
//! token from the `X-Subject-Token` response header, expiry from the body's
//! `token.expires_at`.

use serde_json::json;

use super::{
    clock::parse_rfc3339,
    token::{Token, TokenError, TokenProvider},
};
use crate::{BoxFuture, ConfigError, ErrorKind, Secret, redact::UrlForLog};

/// Which project the token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectScope {
    /// By project id (`HUAWEICLOUD_SDK_PROJECT_ID`).
    Id(String),
    /// By project name; a region's default project is named after the region (`cn-north-4`).
    Name(String),
}

/// IAM user credentials for the password method. `Debug` hides the password (a [`Secret`]).
#[derive(Clone, Debug)]
pub struct IamPassword {
    user_name: String,
    password: Secret,
    domain_name: String,
    scope: ProjectScope,
}

impl IamPassword {
    /// The IAM user `user_name` of account (domain) `domain_name`, scoped to `scope`.
    pub fn new(
        user_name: impl Into<String>,
        password: impl Into<Secret>,
        domain_name: impl Into<String>,
        scope: ProjectScope,
    ) -> Self {
        Self {
            user_name: user_name.into(),
            password: password.into(),
            domain_name: domain_name.into(),
            scope,
        }
    }
}

/// Fetches IAM user tokens with a password. Use it through
/// [`TokenAuth::from_provider`](super::TokenAuth::from_provider) or a
/// [`TokenCache`](super::TokenCache).
#[derive(Debug, Clone)]
pub struct IamPasswordProvider {
    tokens_url: url::Url,
    credentials: IamPassword,
    allow_insecure_http: bool,
}

impl IamPasswordProvider {
    /// A provider for the IAM endpoint of `region` (`https://iam.{region}.myhuaweicloud.com`).
    pub fn for_region(region: &str, credentials: IamPassword) -> Result<Self, ConfigError> {
        Self::new(&super::endpoint::IAM.base_url(region)?, credentials)
    }

    /// A provider for the IAM endpoint at `base_url` (`https://iam.cn-north-4.myhuaweicloud.com`).
    pub fn new(base_url: &str, credentials: IamPassword) -> Result<Self, ConfigError> {
        if credentials.user_name.trim().is_empty() {
            return Err(ConfigError::missing(
                "the IAM user name is empty: set HUAWEICLOUD_SDK_USERNAME to the IAM user that gets tokens",
            ));
        }
        if credentials.password.expose().is_empty() {
            return Err(ConfigError::missing(
                "the IAM password is empty: set HUAWEICLOUD_SDK_PASSWORD to that IAM user's password",
            ));
        }
        if credentials.domain_name.trim().is_empty() {
            return Err(ConfigError::missing(
                "the IAM account (domain) name is empty: set HUAWEICLOUD_SDK_DOMAIN_NAME to the account that owns the IAM user",
            ));
        }
        // The rule every base URL follows: no user-info (it would go out as Basic auth beside
        // the password), no query or fragment (the path below would land in it).
        let base = crate::runtime::parse_base_url(base_url).map_err(|e| {
            ConfigError::new(format!(
                "IAM endpoint: {e}: check HUAWEICLOUD_SDK_IAM_ENDPOINT"
            ))
        })?;
        let tokens_url = url::Url::parse(&format!(
            "{}/v3/auth/tokens?nocatalog=true",
            base.as_str().trim_end_matches('/')
        ))
        .map_err(|e| ConfigError::new(format!("IAM endpoint {}: {e}", UrlForLog(&base))))?;
        Ok(Self {
            tokens_url,
            credentials,
            allow_insecure_http: false,
        })
    }

    /// Allows a plain `http://` IAM endpoint on another machine (a test server). Otherwise the
    /// password is never sent over plain http, except to a loopback address.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The URL tokens are requested from.
    pub fn tokens_url(&self) -> &url::Url {
        &self.tokens_url
    }

    fn request_body(&self) -> serde_json::Value {
        let c = &self.credentials;
        let project = match &c.scope {
            ProjectScope::Id(id) => json!({ "id": id }),
            ProjectScope::Name(name) => json!({ "name": name }),
        };
        json!({
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": c.user_name,
                            "password": c.password.expose(),
                            "domain": { "name": c.domain_name },
                        }
                    }
                },
                "scope": { "project": project }
            }
        })
    }

    async fn fetch_token(&self, client: &crate::Transport) -> Result<Token, TokenError> {
        let url = &self.tokens_url;
        if url.scheme() != "https"
            && !self.allow_insecure_http
            && !client.allows_insecure_http()
            && !crate::transport::is_loopback_http(url)
        {
            return Err(TokenError::of_kind(
                format!(
                    "refusing to send the IAM password over plain {}:// to {}; use an https:// IAM \
                 endpoint (HUAWEICLOUD_SDK_IAM_ENDPOINT)",
                    url.scheme(),
                    url.host_str().unwrap_or("<no host>")
                ),
                None,
                ErrorKind::InsecureUrl,
            ));
        }
        // The body holds the password: built here, never logged.
        let body: bytes::Bytes = serde_json::to_vec(&self.request_body())
            .map_err(|e| TokenError::new(format!("could not encode the IAM request: {e}"), None))?
            .into();
        // A request an HTTP/2 server refused unprocessed (`REFUSED_STREAM`, a graceful
        // `GOAWAY`) is sent again, twice at most, to the same endpoint: the transport's HTTP
        // client leaves retries to the runtime, whose policy does not cover this request.
        let mut refusals = 0;
        let sent = loop {
            let sent = client
                .post(url.clone())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json;charset=utf8",
                )
                .body(body.clone())
                .send()
                .await;
            match sent {
                Err(e) if refusals < 2 && crate::transport::refused_unprocessed(&e) => {
                    refusals += 1;
                }
                sent => break sent,
            }
        };
        let response = sent.map_err(|e| {
            // reqwest's error text carries the URL with its query; ours has neither that
            // nor user-info.
            // A timeout is a timeout, whichever request ran out of time.
            let kind = if e.is_timeout() {
                ErrorKind::TimedOut
            } else {
                ErrorKind::CredentialsUnavailable
            };
            let message = format!("POST {} failed: {}", UrlForLog(url), e.without_url());
            TokenError::of_kind(message, None, kind)
        })?;
        let status = response.status();
        // A failure once IAM answered: it carries IAM's status.
        let answered = |message: String| TokenError::new(message, Some(status.as_u16()));
        if status.is_redirection() {
            let location = crate::transport::redirect_origin(&response);
            return Err(TokenError::of_kind(
                format!(
                    "IAM answered HTTP {status} to POST {}, redirecting to {location}; redirects \
                     are not followed, so the password stays with the configured IAM endpoint: \
                     check HUAWEICLOUD_SDK_IAM_ENDPOINT",
                    UrlForLog(url)
                ),
                Some(status.as_u16()),
                ErrorKind::RedirectRefused,
            ));
        }
        if !status.is_success() {
            let detail = iam_error_text(&read_capped(response).await, &self.secrets());
            let hint = match status.as_u16() {
                401 => {
                    "check HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD and HUAWEICLOUD_SDK_DOMAIN_NAME"
                }
                400 | 404 => {
                    "check the project scope (HUAWEICLOUD_SDK_PROJECT_ID, or the region's project name)"
                }
                403 => {
                    "the IAM user may not get tokens (login protection, or access type without console/programmatic password access)"
                }
                _ => "IAM is unavailable or rejected the request",
            };
            return Err(answered(format!(
                "IAM answered HTTP {status} to POST {}: {hint}; IAM said: {detail}",
                UrlForLog(url)
            )));
        }
        let token = response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                answered(format!(
                    "IAM answered HTTP {status} without an X-Subject-Token header"
                ))
            })?;
        let body = client.read_limited(response).await.map_err(|e| {
            // Too large, or out of time, stays what it is; a lost connection is IAM unavailable.
            let kind = match e.kind() {
                kind @ (ErrorKind::ResponseTooLarge | ErrorKind::TimedOut) => kind,
                _ => ErrorKind::CredentialsUnavailable,
            };
            TokenError::of_kind(
                format!("reading IAM's token response failed: {e}"),
                Some(status.as_u16()),
                kind,
            )
        })?;
        let body: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| answered(format!("IAM's token response body is not JSON: {e}")))?;
        let expires_at = body
            .pointer("/token/expires_at")
            .and_then(|v| v.as_str())
            .ok_or_else(|| answered("IAM's token response has no token.expires_at".to_owned()))?;
        let expires_at = parse_rfc3339(expires_at).ok_or_else(|| {
            // Quoted from IAM's answer, so scrubbed and cut like its error texts.
            let shown = crate::redact::scrub(expires_at, &[self.secrets()[0], token.as_str()], 64);
            answered(format!(
                "IAM's token.expires_at {shown:?} is not an RFC 3339 time"
            ))
        })?;
        Ok(Token::new(token, Some(expires_at)))
    }
}

impl IamPasswordProvider {
    /// What must never show in an error or a log line built from IAM's answer.
    fn secrets(&self) -> [&str; 1] {
        [self.credentials.password.expose()]
    }
}

/// The most of an IAM error body that is read: its documented fields are short, and a body
/// is not worth holding in memory beyond that.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The most characters of `error.message` an error text holds.
const MAX_MESSAGE_CHARS: usize = 300;

/// The start of `response`'s body, at most [`MAX_ERROR_BODY`] bytes; what cannot be read is
/// left out (the status already says IAM refused).
async fn read_capped(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < MAX_ERROR_BODY
        && let Ok(Some(chunk)) = response.chunk().await
    {
        body.extend_from_slice(&chunk);
    }
    body.truncate(MAX_ERROR_BODY);
    body
}

/// IAM's error, from its documented fields only (`{"error": {"code", "message"}}`), never the
/// raw body: gateways in front of IAM have been seen to echo the request, password included.
/// Each field has every occurrence of `secrets` (as sent, and as JSON escapes it) replaced by
/// `***` before it is cut to length, so a cut cannot leave half a password behind.
pub(crate) fn iam_error_text(body: &[u8], secrets: &[&str]) -> String {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str, max: usize| {
        json.as_ref()
            .and_then(|v| v.get("error"))
            .and_then(|e| e.get(name))
            .and_then(serde_json::Value::as_str)
            .map(|text| crate::redact::scrub(text, secrets, max))
    };
    match (field("code", 64), field("message", MAX_MESSAGE_CHARS)) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(text), None) | (None, Some(text)) => text,
        (None, None) => format!(
            "nothing in the documented error format ({} bytes, not shown)",
            body.len()
        ),
    }
}

impl TokenProvider for IamPasswordProvider {
    fn describe(&self) -> String {
        format!(
            "IAM password token for user {:?} of account {:?} from {}",
            self.credentials.user_name,
            self.credentials.domain_name,
            UrlForLog(&self.tokens_url)
        )
    }

    fn fetch<'a>(
        &'a self,
        client: &'a crate::Transport,
    ) -> BoxFuture<'a, Result<Token, TokenError>> {
        Box::pin(self.fetch_token(client))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;

    fn creds(scope: ProjectScope) -> IamPassword {
        IamPassword::new("alice", "s3cret-pw", "acme", scope)
    }

    #[test]
    fn an_iam_endpoint_with_user_info_a_query_or_another_scheme_is_refused() {
        for (endpoint, words) in [
            ("https://bob:hunter2@iam.example.com", "user-info"),
            ("https://iam.example.com/?x=1", "query"),
            ("https://iam.example.com#top", "fragment"),
            ("ftp://iam.example.com", "https://"),
            ("iam.example.com", "not a valid URL"),
        ] {
            let e = IamPasswordProvider::new(endpoint, creds(ProjectScope::Id("p".into())))
                .unwrap_err()
                .to_string();
            assert!(e.contains(words), "{endpoint}: {e}");
            assert!(
                e.contains("HUAWEICLOUD_SDK_IAM_ENDPOINT"),
                "{endpoint}: {e}"
            );
            assert!(!e.contains("hunter2"), "{endpoint}: {e}");
        }
        let p = IamPasswordProvider::new(
            "https://iam.example.com/base/",
            creds(ProjectScope::Id("p".into())),
        )
        .unwrap();
        assert_eq!(
            p.tokens_url().as_str(),
            "https://iam.example.com/base/v3/auth/tokens?nocatalog=true"
        );
    }

    #[test]
    fn body_has_the_password_method_and_scope() {
        let p = IamPasswordProvider::for_region(
            "cn-north-4",
            creds(ProjectScope::Name("cn-north-4".into())),
        )
        .unwrap();
        assert_eq!(
            p.tokens_url().as_str(),
            "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens?nocatalog=true"
        );
        let body = p.request_body();
        assert_eq!(
            body.pointer("/auth/identity/methods/0").unwrap(),
            "password"
        );
        assert_eq!(
            body.pointer("/auth/identity/password/user/domain/name")
                .unwrap(),
            "acme"
        );
        assert_eq!(
            body.pointer("/auth/scope/project/name").unwrap(),
            "cn-north-4"
        );
        let p =
            IamPasswordProvider::new("https://iam.example/", creds(ProjectScope::Id("p1".into())))
                .unwrap();
        assert_eq!(
            p.request_body().pointer("/auth/scope/project/id").unwrap(),
            "p1"
        );
        assert!(!format!("{p:?}").contains("s3cret-pw"));
        assert!(!p.describe().contains("s3cret-pw"));
    }

    #[test]
    fn rejects_empty_credentials_and_bad_urls() {
        let scope = || ProjectScope::Id("p".into());
        assert!(
            IamPasswordProvider::new(
                "https://iam.example",
                IamPassword::new("", "pw", "d", scope())
            )
            .is_err()
        );
        assert!(
            IamPasswordProvider::new(
                "https://iam.example",
                IamPassword::new("u", "", "d", scope())
            )
            .is_err()
        );
        assert!(
            IamPasswordProvider::new(
                "https://iam.example",
                IamPassword::new("u", "pw", " ", scope())
            )
            .is_err()
        );
        assert!(IamPasswordProvider::new("ftp://iam.example", creds(scope())).is_err());
        assert!(IamPasswordProvider::new("not a url", creds(scope())).is_err());
    }

    #[tokio::test]
    async fn plain_http_is_refused_unless_allowed() {
        // Another machine (`.invalid` never resolves, so nothing would leave this one even if
        // the refusal failed); plain http to a loopback address is allowed.
        let p = IamPasswordProvider::new(
            "http://iam.cloud-sdk-test.invalid:9",
            creds(ProjectScope::Id("p".into())),
        )
        .unwrap();
        let err = p
            .fetch(&crate::Transport::new(&crate::Limits::default(), false).unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InsecureUrl);
        assert!(
            err.to_string().contains("HUAWEICLOUD_SDK_IAM_ENDPOINT"),
            "{err}"
        );
    }
}
