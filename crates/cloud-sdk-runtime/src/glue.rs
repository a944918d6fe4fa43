//! What every generated crate shares, as compiled code it invokes in one line: the
//! `ClientHooks` impl and constructors ([`client_glue!`](crate::client_glue)), open
//! enumerations ([`open_enum_impls!`](crate::open_enum_impls)), checked path segments
//! ([`path_segment`]) and where a request body holds its secret fields ([`secret_pointers`]).
//!
//! The `impl ClientHooks for Client` must sit in the crate that defines `Client` (the orphan
//! rule), so it is a `macro_rules!` expanded there; its bodies are one call each into
//! [`crate::Runtime`].

/// Implements progenitor's `ClientHooks` for a generated `Client` by forwarding to its
/// [`Runtime`](crate::Runtime), and adds the constructors every client has: `new`,
/// `from_parts`, `with_timeout`, `with_retry`, `runtime`.
///
/// `require_one_of` names a `&[(&str, &[&str])]` of the spec's `x-require-one-of` rules
/// (operationId, fields of which one must be given), checked before anything is sent.
/// `secrets` names a `&[(&str, &[&str])]` of the request-body fields that are
/// [`Secret`](crate::Secret)s (operationId, JSON pointers, `*` for every item of an array):
/// their values are `***` in the error's text if a server quotes them.
#[macro_export]
macro_rules! client_glue {
    ($client:ident) => {
        $crate::client_glue!($client, require_one_of: &[], secrets: &[]);
    };
    ($client:ident, require_one_of: $rules:expr) => {
        $crate::client_glue!($client, require_one_of: $rules, secrets: &[]);
    };
    ($client:ident, secrets: $secrets:expr) => {
        $crate::client_glue!($client, require_one_of: &[], secrets: $secrets);
    };
    ($client:ident, require_one_of: $rules:expr, secrets: $secrets:expr) => {
        impl $crate::__private::progenitor_client::ClientHooks<$crate::ClientCore> for $client {
            async fn pre<E>(
                &self,
                request: &mut $crate::__private::reqwest::Request,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), $crate::__private::progenitor_client::Error<E>> {
                self.inner
                    .pre(request, info.operation_id, $crate::__user_agent!(), $rules, $secrets)
                    .await
            }

            async fn exec(
                &self,
                request: $crate::__private::reqwest::Request,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> $crate::__private::reqwest::Result<$crate::__private::reqwest::Response> {
                self.inner.exec(request, info.operation_id).await
            }
        }

        impl $client {
            /// A client for `base_url` that authenticates and sends through `runtime` (its
            /// HTTP client, limits and credentials).
            pub fn new(base_url: &str, runtime: $crate::Runtime) -> Self {
                Self {
                    baseurl: base_url.trim().trim_end_matches('/').to_owned(),
                    client: runtime.http_client().clone(),
                    inner: $crate::ClientCore::new(base_url, runtime),
                }
            }

            /// A client from parts built by the runtime crate (base URL and runtime).
            pub fn from_parts(parts: $crate::ClientParts) -> Self {
                Self::new(&parts.base_url, parts.runtime)
            }

            /// This client with a time limit per call, all attempts and the body included;
            /// credentials, caches and connections are shared with `self`. For one call:
            /// `client.with_timeout(d).operation()...`.
            pub fn with_timeout(&self, limit: ::std::time::Duration) -> Self {
                self.with_runtime(self.inner.runtime().with_timeout(limit))
            }

            /// This client with another retry policy (for example `RetryPolicy::off()`);
            /// credentials, caches and connections are shared with `self`.
            pub fn with_retry(&self, policy: $crate::RetryPolicy) -> Self {
                self.with_runtime(self.inner.runtime().with_retry(policy))
            }

            /// The runtime: credentials, transport, limits and retry policy.
            pub fn runtime(&self) -> &$crate::Runtime {
                self.inner.runtime()
            }

            /// A copy of this client for one `call()`, and the record its hooks write to.
            fn for_call(&self) -> (Self, ::std::sync::Arc<$crate::CallRecord>) {
                let (inner, record) = self.inner.for_call();
                let client = Self {
                    baseurl: self.baseurl.clone(),
                    client: self.client.clone(),
                    inner,
                };
                (client, record)
            }

            /// This client (same base URL) with `runtime`.
            fn with_runtime(&self, runtime: $crate::Runtime) -> Self {
                Self {
                    baseurl: self.baseurl.clone(),
                    client: self.client.clone(),
                    inner: self.inner.with_runtime(runtime),
                }
            }
        }
    };
}

/// Checks the `x-require-one-of` rules of a spec against a JSON request body before it is
/// sent: for `operation_id`, at least one field of each group must be present and not null.
/// Returns the message for `Error::InvalidRequest`, naming the fields.
pub(crate) fn check_require_one_of(
    request: &reqwest::Request,
    operation_id: &str,
    rules: &[(&str, &[&str])],
) -> Result<(), String> {
    let groups = rules
        .iter()
        .filter(|(op, _)| *op == operation_id)
        .map(|(_, fields)| *fields);
    let mut body: Option<serde_json::Value> = None;
    for fields in groups {
        let value = body.get_or_insert_with(|| json_body(request).unwrap_or_default());
        let present = fields
            .iter()
            .any(|f| value.get(f).is_some_and(|v| !v.is_null()));
        if !present {
            return Err(format!(
                "the request body needs {}; none was given, so nothing was sent",
                match fields {
                    [one] => format!("`{one}`"),
                    many => format!(
                        "one of {}",
                        many.iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                }
            ));
        }
    }
    Ok(())
}

/// The values of `operation_id`'s secret fields (`secrets`: JSON pointers, `*` for every item
/// of an array) in a JSON request body; none when the body is not JSON or has none of them.
pub(crate) fn body_secrets(
    request: &reqwest::Request,
    operation_id: &str,
    secrets: &[(&str, &[&str])],
) -> Vec<crate::secret::Secret> {
    let pointers: Vec<&str> = secrets
        .iter()
        .filter(|(op, _)| *op == operation_id)
        .flat_map(|(_, pointers)| pointers.iter().copied())
        .collect();
    if pointers.is_empty() {
        return Vec::new();
    }
    let Some(body) = json_body(request) else {
        return Vec::new();
    };
    secret_pointers(&body, &pointers)
        .iter()
        .filter_map(|at| body.pointer(at).and_then(serde_json::Value::as_str))
        .map(crate::secret::Secret::new)
        .collect()
}

/// A request's body read as JSON, when it is in memory and JSON.
fn json_body(request: &reqwest::Request) -> Option<serde_json::Value> {
    let bytes = request.body()?.as_bytes()?;
    serde_json::from_slice(bytes).ok()
}

/// Where in `body` the secret fields that `pointers` name hold a value: each a JSON pointer to
/// a non-empty string, a `*` step (every item of an array) written as the item's index
/// (`/replicas/*/pw` → `/replicas/0/pw`, `/replicas/1/pw`), in the order of `pointers`.
/// The clients scrub these values from error texts; the command-line tool also writes them
/// as shell variables in a dry run.
pub fn secret_pointers(body: &serde_json::Value, pointers: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for pointer in pointers {
        let steps: Vec<&str> = pointer.split('/').skip(1).collect();
        pointers_at(body, &steps, &mut String::new(), &mut found);
    }
    found
}

/// The pointers below `at` (`value`'s) of the strings at `steps` (`*`: every item of an array)
/// into `found`.
fn pointers_at(
    value: &serde_json::Value,
    steps: &[&str],
    at: &mut String,
    found: &mut Vec<String>,
) {
    let len = at.len();
    match steps.split_first() {
        None => {
            if value.as_str().is_some_and(|t| !t.is_empty()) {
                found.push(at.clone());
            }
        }
        Some((&"*", rest)) => {
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                at.push_str(&format!("/{i}"));
                pointers_at(item, rest, at, found);
                at.truncate(len);
            }
        }
        Some((step, rest)) => {
            let key = step.replace("~1", "/").replace("~0", "~");
            if let Some(next) = value.as_object().and_then(|o| o.get(&key)) {
                at.push('/');
                at.push_str(step);
                pointers_at(next, rest, at, found);
                at.truncate(len);
            }
        }
    }
}

/// `<crate>/<version>` of the crate the macro is expanded in.
#[doc(hidden)]
#[macro_export]
macro_rules! __user_agent {
    () => {
        concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))
    };
}

/// The impls of an open enumeration: an enum with the documented string values as unit
/// variants plus `Other(String)`, so a value the vendor adds later (or one its docs left out)
/// deserializes instead of failing the whole call. The generator writes the enum itself
/// (from schemas marked `x-open-enum: true`) and this one line for what every open enum shares:
/// `as_str`, `From<&str>`, `FromStr`, `Display`, `Serialize` and `Deserialize`.
///
/// ```
/// /// Status of a connection.
/// #[derive(Clone, Debug, PartialEq, Eq)]
/// #[non_exhaustive]
/// pub enum Status {
///     /// `pendingAcceptance`
///     PendingAcceptance,
///     /// `accepted`
///     Accepted,
///     /// A value the documentation does not list.
///     Other(String),
/// }
/// cloud_sdk_runtime::open_enum_impls!(Status {
///     PendingAcceptance = "pendingAcceptance",
///     Accepted = "accepted",
/// });
/// let s: Status = serde_json::from_str("\"rejected\"").unwrap();
/// assert_eq!(s, Status::Other("rejected".into()));
/// assert_eq!(Status::Accepted.to_string(), "accepted");
/// assert_eq!(serde_json::to_string(&Status::PendingAcceptance).unwrap(), "\"pendingAcceptance\"");
/// ```
#[macro_export]
macro_rules! open_enum_impls {
    ($name:ident { $( $variant:ident = $value:literal ),+ $(,)? }) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Other(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as $crate::__private::serde::Deserialize>::deserialize(
                    deserializer,
                )?;
                Ok(Self::from(value.as_ref()))
            }
        }
    };
}

/// Characters percent-encoded in a path segment: progenitor's set (so that today's requests
/// stay byte for byte the same) plus `\`, which some servers and proxies read as `/`.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// A path parameter's value as one path segment, or why it cannot be one.
///
/// `""`, `"."` and `".."` are refused before anything is sent: the URL would lose or climb a
/// segment (`/clusters/../x` is `/x`), and the request, still validly signed, would go to
/// another resource. The generated code calls this for every path parameter.
pub fn path_segment<'v>(name: &str, value: &'v str) -> Result<std::borrow::Cow<'v, str>, String> {
    match value {
        "" => Err(format!(
            "path parameter `{name}` is empty; nothing was sent"
        )),
        "." | ".." => Err(format!(
            "path parameter `{name}` is {value:?}, which would change the path rather than name \
             a resource; nothing was sent"
        )),
        _ => Ok(std::borrow::Cow::from(
            percent_encoding::utf8_percent_encode(value, SEGMENT),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_one_of() {
        let client = reqwest::Client::new();
        let req = |body: &str| {
            client
                .post("https://x.invalid/")
                .body(body.to_owned())
                .build()
                .unwrap()
        };
        let rules: &[(&str, &[&str])] = &[("op", &["a", "b"])];
        assert!(check_require_one_of(&req(r#"{"a":"x"}"#), "op", rules).is_ok());
        assert!(check_require_one_of(&req(r#"{"b":"x"}"#), "op", rules).is_ok());
        assert!(check_require_one_of(&req(r#"{"c":"x"}"#), "other", rules).is_ok());
        let e = check_require_one_of(&req(r#"{"a":null}"#), "op", rules).unwrap_err();
        assert_eq!(
            e,
            "the request body needs one of `a` or `b`; none was given, so nothing was sent"
        );
    }

    #[test]
    fn body_secrets_are_found_at_their_pointers_and_in_every_array_item() {
        let request = reqwest::Client::new()
            .post("https://x.invalid/")
            .body(
                r#"{"password":"p0","a/b":"p1","replicas":[{"pw":"p2"},{"pw":"p3"},{}],"pw":"x"}"#,
            )
            .build()
            .unwrap();
        let secrets: &[(&str, &[&str])] =
            &[("op", &["/password", "/a~1b", "/replicas/*/pw", "/missing"])];
        let found: Vec<String> = body_secrets(&request, "op", secrets)
            .iter()
            .map(|s| s.expose().to_owned())
            .collect();
        assert_eq!(found, ["p0", "p1", "p2", "p3"]);
        assert!(body_secrets(&request, "other", secrets).is_empty());
        let body: serde_json::Value =
            serde_json::from_slice(request.body().unwrap().as_bytes().unwrap()).unwrap();
        assert_eq!(
            secret_pointers(&body, secrets[0].1),
            ["/password", "/a~1b", "/replicas/0/pw", "/replicas/1/pw"]
        );
    }

    #[test]
    fn path_segments_refuse_dot_segments_and_encode_backslashes() {
        assert!(
            path_segment("cluster_id", "")
                .unwrap_err()
                .contains("`cluster_id` is empty")
        );
        for dots in [".", ".."] {
            let e = path_segment("cluster_id", dots).unwrap_err();
            assert!(
                e.contains("`cluster_id`") && e.contains("nothing was sent"),
                "{e}"
            );
        }
        assert_eq!(path_segment("x", "..\\a").unwrap(), "..%5Ca");
        assert_eq!(path_segment("x", "a/b%").unwrap(), "a%2Fb%25");
        assert_eq!(
            path_segment("x", "ob317v4uif****").unwrap(),
            "ob317v4uif****"
        );
    }
}
