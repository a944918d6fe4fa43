//! Offset paging: every item of every page of an operation with `offset`/`limit` parameters,
//! as the generated `stream_<items>()` methods return it, bounded so that no server can make
//! a stream endless.

use std::{future::Future, pin::Pin, sync::Arc};

use futures_core::Stream;

use crate::{
    api_error::{ApiError, ServiceError},
    error::ErrorKind,
};

/// One page as the generated code reads it: its items and the total count it reports.
pub struct Page<I> {
    /// The page's items.
    pub items: Vec<I>,
    /// The total count the service reports, if any.
    pub total: Option<i64>,
}

/// The most pages one listing requests when the API documents no maximum offset: a generated
/// client's item stream ([`PageBounds::max_pages`]) and the command-line tool's `--all`.
pub const MAX_PAGES: u32 = 1000;

/// How far offset paging may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageBounds {
    /// The largest offset the API documents (`None`: not documented).
    pub max_offset: Option<u64>,
    /// The most pages one stream requests, whatever the service says.
    pub max_pages: u32,
}

/// A stream of items across pages, as `stream_<items>()` returns; `E` is the error of one
/// page's `call()`.
pub type Paged<'a, I, E> = Pin<Box<dyn Stream<Item = Result<I, E>> + Send + 'a>>;

/// Every item of every page of an offset/limit paged operation (`operation`, as errors name
/// it), in order.
///
/// `fetch(offset, limit)` calls for one page. Paging stops at the first of: `total` items
/// read, a page shorter than `page_size` (or empty), or the documented maximum offset. A
/// server that always answers with full pages cannot make a stream endless: after
/// `bounds.max_pages` pages that did not end it, the stream yields the items read, then an
/// error of kind [`ErrorKind::ResponseTooLarge`] (the listing went past the client's limit),
/// so a caller can tell a cut list from a whole one.
pub fn offset_pages<'a, I, S, F, Fut>(
    operation: &'static str,
    page_size: u32,
    bounds: PageBounds,
    fetch: F,
) -> Paged<'a, I, ApiError<S>>
where
    I: Send + 'a,
    S: ServiceError,
    F: Fn(u64, u32) -> Fut + Send + Sync + 'a,
    Fut: Future<Output = Result<Page<I>, ApiError<S>>> + Send + 'a,
{
    use futures_util::{StreamExt as _, TryStreamExt as _, stream};
    /// What the stream does next.
    enum Next {
        /// Fetch the page at this offset, this many pages read.
        Page(u64, u32),
        /// Fail: the page cap was reached with this many pages and items read.
        Cut(u32, u64),
        End,
    }
    let page_size = page_size.max(1);
    let fetch = Arc::new(fetch);
    let pages = stream::try_unfold(Next::Page(0, 0), move |next| {
        let fetch = Arc::clone(&fetch);
        async move {
            let (offset, pages) = match next {
                Next::Page(offset, pages) => (offset, pages),
                Next::End => return Ok(None),
                Next::Cut(pages, items) => {
                    return Err(ApiError::plain(
                        operation,
                        ErrorKind::ResponseTooLarge,
                        format!(
                            "the listing did not end after {pages} pages ({items} items): every \
                             page was full and no reported total was reached; ask for fewer \
                             items, or more per page"
                        ),
                    ));
                }
            };
            let page = fetch(offset, page_size).await?;
            let read = page.items.len() as u64;
            let next = offset.saturating_add(read);
            let total = page.total.and_then(|t| u64::try_from(t).ok());
            let ended = read < u64::from(page_size)
                || total.is_some_and(|t| next >= t)
                || bounds.max_offset.is_some_and(|max| next > max);
            let after = if ended {
                Next::End
            } else if pages + 1 >= bounds.max_pages {
                Next::Cut(pages + 1, next)
            } else {
                Next::Page(next, pages + 1)
            };
            let items = stream::iter(page.items.into_iter().map(Ok));
            Ok(Some((items, after)))
        }
    });
    pages.try_flatten().boxed()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use futures::TryStreamExt as _;

    use super::*;

    #[derive(Debug)]
    struct NoBody;

    impl ServiceError for NoBody {
        fn code(&self) -> Option<&str> {
            None
        }
        fn message(&self) -> Option<&str> {
            None
        }
    }

    /// Full pages without a total: the stream yields the items of `max_pages` pages, then
    /// says the listing was cut there.
    #[test]
    fn paging_stops_at_the_page_cap_with_an_error_after_the_items() {
        let fetches = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&fetches);
        let bounds = PageBounds {
            max_offset: None,
            max_pages: 5,
        };
        let stream: Paged<'_, u64, ApiError<NoBody>> =
            offset_pages("ListThings", 3, bounds, move |offset, limit| {
                counted.fetch_add(1, Ordering::SeqCst);
                async move {
                    Ok(Page {
                        items: (offset..offset + u64::from(limit)).collect(),
                        total: None,
                    })
                }
            });
        let read: Vec<Result<u64, ApiError<NoBody>>> =
            futures::executor::block_on(futures::StreamExt::collect(stream));
        assert_eq!(fetches.load(Ordering::SeqCst), 5);
        let (items, errors): (Vec<_>, Vec<_>) = read.into_iter().partition(Result::is_ok);
        let items: Vec<u64> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(items, (0..15).collect::<Vec<_>>());
        let [Err(e)] = &errors[..] else {
            panic!("one error at the end: {errors:?}")
        };
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge);
        assert!(e.to_string().starts_with("ListThings: "), "{e}");

        // A total reached on the last allowed page is a whole list.
        let bounds = PageBounds {
            max_offset: None,
            max_pages: 2,
        };
        let stream: Paged<'_, u64, ApiError<NoBody>> =
            offset_pages("ListThings", 3, bounds, move |offset, limit| async move {
                Ok(Page {
                    items: (offset..offset + u64::from(limit)).collect(),
                    total: Some(6),
                })
            });
        let items: Vec<u64> = futures::executor::block_on(stream.try_collect()).unwrap();
        assert_eq!(items, (0..6).collect::<Vec<_>>());
    }
}
