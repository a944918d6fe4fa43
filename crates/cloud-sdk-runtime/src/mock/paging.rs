//! The paging test of a generated `stream_<items>()`: a [`MockServer`] serves many items in
//! offset/limit pages made from the operation's documented response, and the check reads them
//! back through the stream. The generated contract tests call it once per `[[paginate]]` entry.

use futures_util::{Stream, StreamExt as _};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use super::MockServer;

/// A paged operation as `api.toml`'s `[[paginate]]` and its spec describe it.
#[derive(Debug, Clone, Copy)]
pub struct PagedOperation {
    /// The HTTP method, like `GET`.
    pub method: &'static str,
    /// The path template, like `/v1/{project_id}/connections`.
    pub path: &'static str,
    /// The response field that holds a page's items.
    pub items: &'static str,
    /// The response field that holds the total count.
    pub total: &'static str,
    /// The query parameter of the offset.
    pub offset: &'static str,
    /// The query parameter of the page size.
    pub limit: &'static str,
    /// The documented success response (JSON); its first item is the model of every item.
    pub example: &'static str,
}

impl PagedOperation {
    /// Serves `count` items in pages of `page_size` from `server` and reads them through
    /// `stream(page_size)` (the operation's `stream_<items>()`). Checks that every item arrives
    /// once and in order, that the requests were exactly the pages' offsets with `page_size` as
    /// the limit, and that the stream is lazy: it requests a page only when the consumer has
    /// taken every item of the pages before it, so it never holds more than one page.
    ///
    /// The items are copies of the example's first item, told apart by one of its string
    /// fields (the first one whose changed value the item type reads and writes back
    /// unchanged). Returns what went wrong, for the test to report.
    pub async fn check_streams<T, Er, S>(
        &self,
        server: &MockServer,
        count: usize,
        page_size: u32,
        stream: impl FnOnce(u32) -> S,
    ) -> Result<(), String>
    where
        T: Serialize + DeserializeOwned,
        Er: std::fmt::Debug,
        S: Stream<Item = Result<T, Er>> + Unpin,
    {
        let size = usize::try_from(page_size)
            .ok()
            .filter(|s| *s > 0)
            .ok_or_else(|| format!("a page size of {page_size} cannot page"))?;
        let example: Value = serde_json::from_str(self.example)
            .map_err(|e| format!("the documented response is not JSON: {e}"))?;
        let model = example
            .get(self.items)
            .and_then(Value::as_array)
            .and_then(|items| items.first())
            .and_then(Value::as_object)
            .ok_or_else(|| {
                format!(
                    "the documented response has no object in `{}` to make items of",
                    self.items
                )
            })?;
        let marked = |key: &str, n: usize| {
            let mut item = model.clone();
            if let Some(Value::String(text)) = item.get_mut(key) {
                *text = format!("{text}-{n}");
            }
            Value::Object(item)
        };
        // An item as the item type reads and writes it (fields it does not know are left out).
        let read_back = |value: &Value| {
            serde_json::from_value::<T>(value.clone())
                .ok()
                .and_then(|item| serde_json::to_value(item).ok())
        };
        let key = model
            .iter()
            .filter(|(_, v)| v.is_string())
            .map(|(k, _)| k.as_str())
            .find(|k| {
                let item = marked(k, count);
                read_back(&item).is_some_and(|back| back.get(*k) == item.get(*k))
            })
            .ok_or_else(|| {
                format!(
                    "no string field of the documented `{}` item reads back changed, so the \
                     items cannot be told apart",
                    self.items
                )
            })?;
        let items: Vec<Value> = (0..count).map(|n| marked(key, n)).collect();
        let expected_items: Vec<Value> = items
            .iter()
            .map(|item| read_back(item).unwrap_or(Value::Null))
            .collect();
        let offsets: Vec<usize> = (0..count).step_by(size).collect();
        for &offset in &offsets {
            let mut page = example.clone();
            if let Some(fields) = page.as_object_mut() {
                let end = (offset + size).min(count);
                fields.insert(
                    self.items.to_owned(),
                    Value::from(items[offset..end].to_vec()),
                );
                fields.insert(self.total.to_owned(), Value::from(count));
            }
            server.mock(|when, then| {
                when.method(self.method)
                    .path(self.path)
                    .query_param(self.offset, offset)
                    .query_param(self.limit, page_size);
                then.json(&page);
            });
        }

        let before = server.requests().len();
        let mut stream = stream(page_size);
        for (n, expected) in expected_items.iter().enumerate() {
            let item = match stream.next().await {
                Some(Ok(item)) => item,
                Some(Err(e)) => return Err(format!("item {n}: the page request failed: {e:?}")),
                None => return Err(format!("the stream ended after {n} of {count} items")),
            };
            let item = serde_json::to_value(item).map_err(|e| format!("item {n}: {e}"))?;
            if item != *expected {
                return Err(format!(
                    "item {n} is not item {n} as served (told apart by `{key}`): got {item}, \
                     expected {expected}"
                ));
            }
            let requested = server.requests().len() - before;
            let pages_taken = n / size + 1;
            if requested != pages_taken {
                return Err(format!(
                    "after item {n} the stream had requested {requested} pages, expected \
                     {pages_taken}: a page is to be requested when the consumer has taken the \
                     items before it"
                ));
            }
        }
        if let Some(extra) = stream.next().await {
            return Err(format!(
                "the stream went on after the {count} items the total announced: {}",
                match extra {
                    Ok(_) => "another item".to_owned(),
                    Err(e) => format!("{e:?}"),
                }
            ));
        }
        let seen: Vec<(Option<String>, Option<String>)> = server.requests()[before..]
            .iter()
            .map(|r| {
                (
                    r.query_param(self.offset).map(str::to_owned),
                    r.query_param(self.limit).map(str::to_owned),
                )
            })
            .collect();
        let expected: Vec<(Option<String>, Option<String>)> = offsets
            .iter()
            .map(|o| (Some(o.to_string()), Some(page_size.to_string())))
            .collect();
        if seen != expected {
            return Err(format!(
                "the requests' ({}, {}) were {seen:?}, expected {expected:?}",
                self.offset, self.limit
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;

    use futures_util::stream;

    use super::*;
    use crate::mock::MockAuth;

    const OPERATION: PagedOperation = PagedOperation {
        method: "GET",
        path: "/v1/{project_id}/things",
        items: "things",
        total: "total",
        offset: "offset",
        limit: "limit",
        example: r#"{"things": [{"id": "t", "size": 3}], "total": 1}"#,
    };

    #[derive(serde::Serialize, serde::Deserialize, Debug)]
    struct Thing {
        id: String,
        size: u32,
    }

    #[derive(serde::Deserialize)]
    struct Page {
        things: Vec<Thing>,
        total: usize,
    }

    type Things = Pin<Box<dyn Stream<Item = Result<Thing, String>> + Send>>;

    async fn page(base: &str, offset: usize, limit: u32) -> Result<Page, String> {
        let url = format!("{base}/v1/p/things?offset={offset}&limit={limit}");
        let response = reqwest::get(url).await.map_err(|e| e.to_string())?;
        response.json::<Page>().await.map_err(|e| e.to_string())
    }

    /// Requests a page when the one before it is used up, as `offset_pages` does.
    fn lazy(base: String, limit: u32) -> Things {
        let pages = stream::try_unfold(Some(0), move |offset| {
            let base = base.clone();
            async move {
                let Some(offset) = offset else {
                    return Ok::<_, String>(None);
                };
                let page = page(&base, offset, limit).await?;
                let next = offset + page.things.len();
                let more = next < page.total;
                let items = stream::iter(page.things.into_iter().map(Ok));
                Ok(Some((items, more.then_some(next))))
            }
        });
        Box::pin(futures_util::TryStreamExt::try_flatten(pages))
    }

    #[tokio::test]
    async fn a_lazy_stream_passes() {
        let server = MockServer::start(MockAuth::Open).await;
        let base = server.base_url();
        OPERATION
            .check_streams(&server, 25, 10, |size| lazy(base, size))
            .await
            .unwrap();
        assert_eq!(server.requests().len(), 3);
    }

    #[tokio::test]
    async fn a_stream_that_reads_every_page_first_fails() {
        let server = MockServer::start(MockAuth::Open).await;
        let base = server.base_url();
        let eager = |size: u32| -> Things {
            Box::pin(
                stream::once(async move {
                    let mut all = Vec::new();
                    for offset in [0, 10, 20] {
                        all.extend(page(&base, offset, size).await?.things);
                    }
                    Ok::<_, String>(stream::iter(all.into_iter().map(Ok)))
                })
                .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
                .flatten(),
            )
        };
        let e = OPERATION
            .check_streams(&server, 25, 10, eager)
            .await
            .unwrap_err();
        assert!(
            e.contains("after item 0 the stream had requested 3 pages"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn a_stream_that_loses_an_item_fails() {
        let server = MockServer::start(MockAuth::Open).await;
        let base = server.base_url();
        let e = OPERATION
            .check_streams(&server, 25, 10, |size| {
                Box::pin(
                    lazy(base, size)
                        .enumerate()
                        .filter_map(|(n, item)| async move { (n != 12).then_some(item) }),
                ) as Things
            })
            .await
            .unwrap_err();
        assert!(
            e.starts_with("item 12 is not item 12 as served (told apart by `id`)"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn an_example_without_items_is_named() {
        let server = MockServer::start(MockAuth::Open).await;
        let operation = PagedOperation {
            example: r#"{"things": [], "total": 0}"#,
            ..OPERATION
        };
        let e = operation
            .check_streams(&server, 25, 10, |_| Box::pin(stream::empty()) as Things)
            .await
            .unwrap_err();
        assert!(e.contains("no object in `things`"), "{e}");
    }
}
