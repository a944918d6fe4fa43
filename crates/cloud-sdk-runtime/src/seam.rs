//! The one place a runtime [`Error`] crosses progenitor's hooks.
//!
//! progenitor's `pre` hook can fail only with a `progenitor_client::Error` and its `exec` hook
//! only with a `reqwest::Error`, and reqwest errors cannot be built outside reqwest. So a
//! runtime failure (credentials refused, a time limit, a refused redirect, a body over the
//! size limit) travels as a `reqwest::Error` made by reading a stand-in body whose only frame
//! is that [`Error`]: reqwest keeps it as the source ([`into_reqwest`]). On the way back,
//! [`crate::ApiError`] takes it out of the source chain by type ([`find`]), never by text.
//! Nothing else crosses this way; what a call learns besides its failure (the request id it
//! sent, the status of the answer) is written to its [`crate::CallRecord`].

use bytes::Bytes;

use crate::error::{Error, ErrorKind};

/// `error` as a `reqwest::Error` whose source is `error`; [`find`] gets it back.
pub(crate) async fn into_reqwest(error: Error) -> reqwest::Error {
    let body = reqwest::Body::wrap(FailingBody(Some(error)));
    let response = reqwest::Response::from(http::Response::new(body));
    match response.bytes().await {
        // The stand-in response has no URL of its own; do not print a made-up one.
        Err(e) => e.without_url(),
        // Unreachable (the body's only frame is an error); a 500 stand-in keeps this total.
        Ok(_) => {
            let mut stand_in = http::Response::new(reqwest::Body::from(Vec::new()));
            *stand_in.status_mut() = reqwest::StatusCode::INTERNAL_SERVER_ERROR;
            match reqwest::Response::from(stand_in).error_for_status() {
                Err(e) => e,
                Ok(_) => Box::pin(into_reqwest(Error::new(ErrorKind::Transport, ""))).await,
            }
        }
    }
}

/// The runtime error somewhere in `error`'s source chain, if any.
pub(crate) fn find<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Error> {
    crate::error::in_chain::<Error>(error)
}

/// A response body whose only frame is an error.
struct FailingBody(Option<Error>);

impl http_body::Body for FailingBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Error>>> {
        std::task::Poll::Ready(self.0.take().map(Err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_error_crosses_as_a_reqwest_error_and_comes_back_whole() {
        let error = Error::new(ErrorKind::RedirectRefused, "redirected to elsewhere");
        let carried = into_reqwest(error).await;
        let back = find(&carried).expect("the runtime error is in the chain");
        assert_eq!(back.kind(), ErrorKind::RedirectRefused);
        assert_eq!(back.message(), "redirected to elsewhere");
        assert!(carried.url().is_none(), "no made-up URL");
    }
}
