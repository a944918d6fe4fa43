//! Huawei pages saved as HTML, as Huawei's documentation toolchain writes them (and public
//! exports such as Open Telekom Cloud's): `<h4 class="sectiontitle">URI</h4>`, tables with
//! `<caption><b>Table 1 </b>Path Parameters</caption>`, `<th>` header cells, list items inside
//! cells, and `<pre>` examples.
//!
//! Written by hand rather than with an HTML parser crate: the toolchain's output is regular
//! (no scripts inside the article, closed tags), only tables, headings, paragraphs and `<pre>`
//! matter, and a full HTML5 parser would add a dozen crates to every `cargo xtask` build.

use super::{Block, Table};

/// A cell's text with its rowspan and colspan.
type Cell = (String, usize, usize);

#[derive(Default)]
struct State {
    out: Vec<Block>,
    text: String,
    table: Option<Table>,
    caption: Option<String>,
    /// The row's cells, each with its rowspan and colspan, and whether it is a header row.
    row: Option<(Vec<Cell>, bool)>,
    cell: Option<String>,
    /// The rowspan and colspan of the open cell.
    span: (usize, usize),
    /// Cells of rows above that span into the rows below: column → (text, rows still to fill).
    carried: std::collections::BTreeMap<usize, (String, usize)>,
    pre: Option<String>,
    heading: Option<String>,
    nested_tables: usize,
}

impl State {
    fn push_text(&mut self, s: &str) {
        if let Some(p) = self.pre.as_mut() {
            p.push_str(s);
        } else if let Some(c) = self.caption.as_mut() {
            c.push_str(s);
        } else if let Some(c) = self.cell.as_mut() {
            c.push_str(s);
        } else if let Some(h) = self.heading.as_mut() {
            h.push_str(s);
        } else if self.table.is_none() {
            self.text.push_str(s);
        }
    }

    fn flush_text(&mut self) {
        let t = squash(&self.text);
        self.text.clear();
        if t.is_empty() {
            return;
        }
        self.out.push(Block::line(t));
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text with its character references read: the named ones the toolchain writes and every
/// numeric one (`&#34;`, `&#x22;`); anything else stays as written. One pass, so `&amp;lt;`
/// stays `&lt;`.
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // A reference is short: `&` name `;` within a few bytes (`;` is a char boundary).
        let end = rest.bytes().take(12).position(|b| b == b';');
        match end.and_then(|end| Some((end, reference(&rest[1..end])?))) {
            Some((end, c)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference's name (between `&` and `;`) stands for.
fn reference(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "amp" => '&',
        // A no-break space reads as a space: the page's text is compared word by word.
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            match char::from_u32(code)? {
                '\u{a0}' => ' ',
                c => c,
            }
        }
    })
}

/// A `rowspan` or `colspan` attribute of a tag (`rowspan="2"`, `colspan=2`): 1 when absent.
fn span_attr(tag: &str, name: &str) -> usize {
    let lower = tag.to_ascii_lowercase();
    // HTML allows spaces around `=` (`rowspan = "2"`).
    let Some(value) = lower
        .match_indices(name)
        .find_map(|(at, _)| lower[at + name.len()..].trim_start().strip_prefix('='))
    else {
        return 1;
    };
    let value = value.trim_start().trim_start_matches(['"', '\'']);
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    // A span as large as a table is long is an error of the page; a hundred rows is plenty.
    digits.parse().map_or(1, |n: usize| n.clamp(1, 100))
}

/// A row's cells in their columns: a cell merged from a row above (`rowspan`) takes its place
/// again, and a cell that spans columns (`colspan`) fills each of them.
fn place_cells(
    cells: Vec<Cell>,
    carried: &mut std::collections::BTreeMap<usize, (String, usize)>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut own = cells.into_iter();
    loop {
        let col = out.len();
        if let Some((text, left)) = carried.get_mut(&col) {
            out.push(text.clone());
            *left -= 1;
            if *left == 0 {
                carried.remove(&col);
            }
            continue;
        }
        let Some((text, rows, cols)) = own.next() else {
            // Cells carried past the row's own cells (the last columns) still fill it.
            match carried.keys().next() {
                Some(&next) if next > col => out.push(String::new()),
                _ => break,
            }
            continue;
        };
        for c in col..col + cols {
            if rows > 1 {
                carried.insert(c, (text.clone(), rows - 1));
            }
            out.push(text.clone());
        }
    }
    out
}

/// `Table 3 ` prefix removed from a caption.
fn caption_text(raw: &str) -> String {
    let t = squash(raw);
    match t.strip_prefix("Table ") {
        Some(rest) => rest
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim()
            .to_owned(),
        None => t,
    }
}

/// Cuts the page into blocks.
pub fn blocks(html: &str) -> Vec<Block> {
    let mut st = State::default();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            st.push_text(&decode(rest));
            break;
        };
        st.push_text(&decode(&rest[..lt]));
        // Comments, scripts and styles of a page saved whole carry `<` and `>` of their own.
        if rest[lt..].starts_with("<!--") {
            rest = rest[lt..]
                .find("-->")
                .map(|e| &rest[lt + e + 3..])
                .unwrap_or("");
            continue;
        }
        let lower_head: String = rest[lt..]
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(end_tag) = ["script", "style"]
            .into_iter()
            .find(|t| lower_head[1..].starts_with(t))
            .map(|t| format!("</{t}"))
        {
            let lower = rest[lt..].to_ascii_lowercase();
            rest = match lower.find(&end_tag) {
                Some(e) => {
                    let after = &rest[lt + e..];
                    after.find('>').map(|g| &after[g + 1..]).unwrap_or("")
                }
                None => "",
            };
            continue;
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("table", false) => {
                if st.table.is_some() {
                    st.nested_tables += 1;
                    continue;
                }
                st.flush_text();
                st.table = Some(Table::default());
                st.carried.clear();
            }
            ("table", true) => {
                if st.nested_tables > 0 {
                    st.nested_tables -= 1;
                    continue;
                }
                if let Some(t) = st.table.take() {
                    st.out.push(Block::Table(t));
                }
            }
            ("caption", false) if st.table.is_some() => st.caption = Some(String::new()),
            ("caption", true) => {
                if let (Some(c), Some(t)) = (st.caption.take(), st.table.as_mut()) {
                    t.caption = Some(caption_text(&c));
                }
            }
            ("tr", false) if st.table.is_some() && st.nested_tables == 0 => {
                st.row = Some((Vec::new(), false))
            }
            ("tr", true) if st.nested_tables == 0 => {
                if let (Some((cells, header)), Some(t)) = (st.row.take(), st.table.as_mut()) {
                    let cells = place_cells(cells, &mut st.carried);
                    if header && t.header.is_empty() {
                        t.header = cells;
                    } else if !cells.is_empty() {
                        t.rows.push(cells);
                    }
                }
            }
            ("td" | "th", false) if st.row.is_some() && st.nested_tables == 0 => {
                if name == "th"
                    && let Some(r) = st.row.as_mut()
                {
                    r.1 = true;
                }
                st.cell = Some(String::new());
                st.span = (span_attr(tag, "rowspan"), span_attr(tag, "colspan"));
            }
            ("td" | "th", true) if st.nested_tables == 0 => {
                if let (Some(c), Some(r)) = (st.cell.take(), st.row.as_mut()) {
                    r.0.push((squash(&c), st.span.0, st.span.1));
                }
            }
            ("li", false) => st.push_text(" • "),
            ("pre", false) => {
                st.flush_text();
                st.pre = Some(String::new());
            }
            ("pre", true) => {
                if let Some(p) = st.pre.take() {
                    st.out.push(Block::Code(p));
                }
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                st.flush_text();
                st.heading = Some(String::new());
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true) => {
                if let Some(h) = st.heading.take() {
                    let h = squash(&h);
                    if !h.is_empty() {
                        st.out.push(Block::Heading(h));
                    }
                }
            }
            ("p" | "div" | "br" | "ul" | "ol", _) => {
                if st.cell.is_some() || st.pre.is_some() {
                    st.push_text(" ");
                } else if st.table.is_none() {
                    st.flush_text();
                }
            }
            _ => {}
        }
    }
    st.flush_text();
    st.out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_span_is_read_with_or_without_spaces_and_quotes() {
        for tag in [
            "td rowspan=\"2\"",
            "td rowspan='2'",
            "td rowspan=2",
            "td ROWSPAN = \"2\"",
            "td class=\"x\" rowspan =2",
        ] {
            assert_eq!(span_attr(tag, "rowspan"), 2, "{tag}");
        }
        assert_eq!(span_attr("td colspan=\"3\"", "rowspan"), 1);
        assert_eq!(span_attr("td rowspan=\"x\"", "rowspan"), 1);
        assert_eq!(span_attr("td rowspan=\"100000\"", "rowspan"), 100);
    }

    #[test]
    fn character_references_named_and_numeric_are_read_once() {
        assert_eq!(
            decode("{&quot;a&quot;: &#34;b&#x22;, &#39;c&apos; &lt;&gt; x&nbsp;y&#160;z}"),
            "{\"a\": \"b\", 'c' <> x y z}"
        );
        // One pass: an escaped ampersand stays the text it stands for.
        assert_eq!(decode("&amp;lt; &amp;#34;"), "&lt; &#34;");
        // Not references: left as written.
        assert_eq!(
            decode("a & b &unknown; &#xZZ; &#1114112; &"),
            "a & b &unknown; &#xZZ; &#1114112; &"
        );
    }

    use super::*;

    #[test]
    fn scripts_comments_and_styles_are_skipped() {
        let html = "<h4>URI</h4><script>if (a<b && c>d) {}</script><!-- x > y --><style>p>b{}</style>\
                    <p>GET /v1/{id}/x</p><p>中文 <b>bold</b></p>";
        let blocks = blocks(html);
        assert_eq!(
            blocks,
            [
                Block::Heading("URI".into()),
                Block::Text("GET /v1/{id}/x".into()),
                Block::Text("中文 bold".into()),
            ]
        );
    }
}
