//! Where a JSON pointer lands in a YAML file (the line number for error messages), and which
//! mapping keys a file writes twice.
//!
//! serde_yaml_ng gives a location only for syntax errors; once a document has parsed into a
//! `serde_json::Value` the positions are gone, and the YAML crates that keep marks would be a
//! second YAML parser in the xtask. Our specs are block-style YAML (`key: value`, `- item`,
//! `>-`/`|` scalars, flow `[a, b]` only as leaf values), so a scan of the lines by indentation
//! recovers each mapping key's and sequence item's path. Whatever the scan cannot follow (a
//! flow collection spread over lines, a key inside flow braces) maps to the nearest enclosing
//! node it did see, which is still the right neighbourhood for a message.

/// The 1-based line of the node at `pointer` (RFC 6901, e.g. `/paths/~1x/get/parameters/0`),
/// or of its deepest ancestor found in the text; `None` when not even its first segment is.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let target: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut best: Option<(usize, usize)> = None; // (matched segments, line)
    for node in nodes(text) {
        let path = &node.path;
        if path.len() > target.len() || !path.iter().zip(&target).all(|(a, b)| a == b) {
            continue;
        }
        if best.is_none_or(|(depth, _)| path.len() > depth) {
            best = Some((path.len(), node.line));
        }
    }
    best.map(|(_, line)| line)
}

/// A mapping key written twice in the same mapping. YAML parsers keep one of the two values
/// without a word (the last, for the one the xtask uses), so a second `type:` silently changes
/// a field's type; the specs must say each thing once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// RFC 6901 pointer of the key.
    pub pointer: String,
    /// The key as written.
    pub key: String,
    /// 1-based line of the first occurrence.
    pub first_line: usize,
    /// 1-based line of the repeated occurrence.
    pub line: usize,
}

/// Every mapping key that appears twice in its mapping, in the order of the repetitions.
pub fn duplicate_keys(text: &str) -> Vec<DuplicateKey> {
    let mut first: std::collections::HashMap<Vec<String>, usize> = Default::default();
    let mut out = Vec::new();
    for node in nodes(text).into_iter().filter(|n| !n.item) {
        match first.get(&node.path) {
            Some(&first_line) => out.push(DuplicateKey {
                pointer: pointer_of(&node.path),
                key: node.path.last().cloned().unwrap_or_default(),
                first_line,
                line: node.line,
            }),
            None => {
                first.insert(node.path, node.line);
            }
        }
    }
    out
}

/// `["paths", "/v1/x"]` → `/paths/~1v1~1x`.
pub(crate) fn pointer_of(path: &[String]) -> String {
    path.iter()
        .map(|s| format!("/{}", crate::spec::escape(s)))
        .collect()
}

/// A key or sequence item the scan saw: its path from the document root and its line.
struct Node {
    path: Vec<String>,
    line: usize,
    /// A sequence item (`- `) rather than a mapping key.
    item: bool,
}

/// Every mapping key and sequence item of the block-style parts of the text, in text order.
fn nodes(text: &str) -> Vec<Node> {
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // The items seen so far of each sequence, by its path.
    let mut counters: std::collections::HashMap<Vec<String>, usize> = Default::default();
    let mut block_scalar: Option<usize> = None;
    let path = |stack: &[Frame]| stack.iter().map(|f| f.seg.clone()).collect::<Vec<_>>();

    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut indent = raw.len() - trimmed.len();
        if let Some(parent) = block_scalar {
            if indent > parent {
                continue;
            }
            block_scalar = None;
        }
        if trimmed == "---" || trimmed == "..." {
            continue;
        }
        let mut content = trimmed;
        let is_dash = content == "-" || content.starts_with("- ");
        // Leave open the key that owns an indentless sequence (`key:` then `- item` below it
        // at the same indentation).
        while let Some(last) = stack.last() {
            let keep = last.indent < indent
                || (last.indent == indent && is_dash && last.open && !last.item);
            if keep {
                break;
            }
            stack.pop();
        }
        // `- ` starts a sequence item; `- - x` nests.
        while content == "-" || content.starts_with("- ") {
            let count = counters.entry(path(&stack)).or_default();
            let index = *count;
            *count += 1;
            stack.push(Frame {
                indent,
                seg: index.to_string(),
                open: true,
                item: true,
            });
            out.push(Node {
                path: path(&stack),
                line,
                item: true,
            });
            let rest = content[1..].trim_start();
            indent += content.len() - rest.len();
            content = rest;
        }
        let Some((key, value)) = split_key(content) else {
            continue;
        };
        let value = value.trim();
        let value = value.split(" #").next().unwrap_or(value).trim();
        stack.push(Frame {
            indent,
            seg: key,
            open: value.is_empty(),
            item: false,
        });
        out.push(Node {
            path: path(&stack),
            line,
            item: false,
        });
        if value.starts_with('>') || value.starts_with('|') {
            block_scalar = Some(indent);
        }
    }
    out
}

struct Frame {
    indent: usize,
    seg: String,
    /// A key with nothing after the colon: its value follows on the next lines.
    open: bool,
    /// A sequence item (`- `) rather than a mapping key.
    item: bool,
}

/// `key: value` or `key:` → (unquoted key, value). Keys may be quoted (`'200':`) and may hold
/// colons not followed by a space (`/v1/{id}:`).
fn split_key(content: &str) -> Option<(String, &str)> {
    let (key, rest) = if let Some(q @ ('\'' | '"')) = content.chars().next() {
        let end = content[1..].find(q)? + 1;
        let key = content[1..end].to_owned();
        let rest = content[end + 1..].trim_start();
        (key, rest.strip_prefix(':')?)
    } else if content.starts_with(['[', '{']) {
        return None;
    } else {
        let at = content
            .match_indices(':')
            .map(|(i, _)| i)
            .find(|&i| content[i + 1..].is_empty() || content[i + 1..].starts_with([' ', '\t']))?;
        (content[..at].trim_end().to_owned(), &content[at + 1..])
    };
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((key, rest))
}

#[cfg(test)]
mod tests {
    use super::{DuplicateKey, duplicate_keys, line_of};

    const DOC: &str = "\
openapi: 3.0.3
info:
  title: x
  description: >-
    folded text: with a colon
    key: not a key
paths:
  /v1/{id}:x:
    get:
      parameters:
        - name: id
          in: path
        - name: q
          in: query
          schema:
            type: strng
      responses:
        '200':
          description: ok
tags:
- name: a
- name: b
";

    #[test]
    fn finds_keys_items_and_quoted_keys() {
        assert_eq!(line_of(DOC, "/openapi"), Some(1));
        assert_eq!(line_of(DOC, "/info/description"), Some(4));
        assert_eq!(line_of(DOC, "/paths/~1v1~1{id}:x/get"), Some(9));
        assert_eq!(
            line_of(DOC, "/paths/~1v1~1{id}:x/get/parameters/1"),
            Some(13)
        );
        assert_eq!(
            line_of(DOC, "/paths/~1v1~1{id}:x/get/parameters/1/schema/type"),
            Some(16)
        );
        assert_eq!(
            line_of(DOC, "/paths/~1v1~1{id}:x/get/responses/200/description"),
            Some(19)
        );
        assert_eq!(line_of(DOC, "/tags/1/name"), Some(22));
    }

    #[test]
    fn block_scalars_are_not_keys_and_unknown_paths_map_to_the_nearest_ancestor() {
        // `key: not a key` is text inside the folded description.
        assert_eq!(line_of(DOC, "/info/description/key"), Some(4));
        assert_eq!(line_of(DOC, "/info/nothing"), Some(2));
        assert_eq!(line_of(DOC, "/missing"), None);
    }

    #[test]
    fn a_key_written_twice_in_one_mapping_is_found_and_keys_of_other_mappings_are_not() {
        let text = "\
components:
  schemas:
    A:
      type: string
      description: a
      type: integer
    B:
      type: string
      enum:
        - type: x
        - type: y
";
        let found = duplicate_keys(text);
        assert_eq!(
            found,
            vec![DuplicateKey {
                pointer: "/components/schemas/A/type".into(),
                key: "type".into(),
                first_line: 4,
                line: 6,
            }]
        );
        assert_eq!(duplicate_keys(DOC), vec![]);
    }
}
