//! Offset paging: every item of every page of an operation with `offset`/`limit` parameters,
//! as the generated `stream_<items>()` methods return it, bounded so that no server can make
//! a stream endless.

use std::{future::Future, pin::Pin, sync::Arc};

use futures_core::Stream;

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

/// Every item of every page of an offset/limit paged operation, in order.
///
/// `fetch(offset, limit)` calls for one page. Paging stops at the first of: `total`
/// items read, a page shorter than `page_size` (or empty), the documented maximum offset, or
/// `bounds.max_pages` pages, so a server that always answers with full pages cannot make a
/// stream endless.
pub fn offset_pages<'a, I, E, F, Fut>(
    page_size: u32,
    bounds: PageBounds,
    fetch: F,
) -> Paged<'a, I, E>
where
    I: Send + 'a,
    E: Send + 'a,
    F: Fn(u64, u32) -> Fut + Send + Sync + 'a,
    Fut: Future<Output = Result<Page<I>, E>> + Send + 'a,
{
    use futures_util::{StreamExt as _, TryStreamExt as _, stream};
    let page_size = page_size.max(1);
    let fetch = Arc::new(fetch);
    let state = Some((0u64, 0u32));
    let pages = stream::try_unfold(state, move |state| {
        let fetch = Arc::clone(&fetch);
        async move {
            let Some((offset, pages)) = state else {
                return Ok::<_, E>(None);
            };
            let page = fetch(offset, page_size).await?;
            let read = page.items.len() as u64;
            let next = offset.saturating_add(read);
            let total = page.total.and_then(|t| u64::try_from(t).ok());
            let done = read < u64::from(page_size)
                || total.is_some_and(|t| next >= t)
                || bounds.max_offset.is_some_and(|max| next > max)
                || pages + 1 >= bounds.max_pages;
            let items = stream::iter(page.items.into_iter().map(Ok));
            Ok(Some((items, (!done).then_some((next, pages + 1)))))
        }
    });
    pages.try_flatten().boxed()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use futures::TryStreamExt as _;

    use super::*;

    #[test]
    fn paging_stops_at_the_page_cap_when_nothing_else_stops_it() {
        let fetches = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&fetches);
        let bounds = PageBounds {
            max_offset: None,
            max_pages: 5,
        };
        let stream: Paged<'_, u64, ()> = offset_pages(3, bounds, move |offset, limit| {
            counted.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(Page {
                    items: (offset..offset + u64::from(limit)).collect(),
                    total: None,
                })
            }
        });
        let items: Vec<u64> = futures::executor::block_on(stream.try_collect()).unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 5);
        assert_eq!(items, (0..15).collect::<Vec<_>>());
    }
}
