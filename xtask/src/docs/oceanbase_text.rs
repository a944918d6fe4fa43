//! OceanBase pages copied from the rendered site: the article sits inside the site's
//! navigation, and table cells are separated only by spaces (`instanceId String Yes The ID of
//! the instance. ob317v4uif****`), with list items of a cell on the lines below it (`• true:
//! successful`). The name, type and required cells are single words; the example value, when
//! the table has that column, is the last word unless the row ends like a sentence.

use super::{Block, Table, heading_kind};

/// The columns of a table header line, if the line is one.
pub fn header_columns(line: &str) -> Option<Vec<&'static str>> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut cols = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].to_ascii_lowercase();
        let next = words.get(i + 1).map(|n| n.to_ascii_lowercase());
        let col = match (w.as_str(), next.as_deref()) {
            ("example", Some("value")) => {
                i += 1;
                "Example value"
            }
            ("name", _) => "Name",
            ("parameter", _) => "Parameter",
            ("type", _) => "Type",
            ("required", _) => "Required",
            ("description", _) => "Description",
            _ => return None,
        };
        cols.push(col);
        i += 1;
    }
    let first_is_name = matches!(cols.first(), Some(&"Name") | Some(&"Parameter"));
    (first_is_name && cols.contains(&"Type") && cols.contains(&"Description")).then_some(cols)
}

/// Cuts the page into blocks. Navigation before the first section heading is kept as text.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut table: Option<Table> = None;
    for line in text.lines() {
        let l = line.trim();
        if let Some(cols) = header_columns(l) {
            if let Some(t) = table.take() {
                out.push(Block::Table(t));
            }
            table = Some(Table {
                caption: None,
                header: cols.iter().map(|c| (*c).to_owned()).collect(),
                rows: Vec::new(),
            });
            continue;
        }
        if let Some(t) = table.as_mut() {
            if l.is_empty() {
                continue;
            }
            if let Some(item) = l.strip_prefix('•') {
                if let Some(row) = t.rows.last_mut() {
                    append_item(row, &t.header, item.trim());
                }
                continue;
            }
            if heading_kind(l).is_none() && l.split_whitespace().count() >= 3 {
                t.rows.push(split_row(l, &t.header));
                continue;
            }
            if let Some(t) = table.take() {
                out.push(Block::Table(t));
            }
        }
        if l.is_empty() {
            continue;
        }
        out.push(Block::line(l.to_owned()));
    }
    if let Some(t) = table.take() {
        out.push(Block::Table(t));
    }
    out
}

fn has_example(header: &[String]) -> bool {
    header.last().is_some_and(|h| h == "Example value")
}

fn split_row(line: &str, header: &[String]) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let fixed = if header.iter().any(|h| h == "Required") {
        3
    } else {
        2
    };
    let mut cells: Vec<String> = words.iter().take(fixed).map(|w| (*w).to_owned()).collect();
    let rest = &words[fixed.min(words.len())..];
    let ends_like_sentence = rest
        .last()
        .is_some_and(|w| w.ends_with('.') || w.ends_with(':'));
    if has_example(header) && !ends_like_sentence && rest.len() >= 2 {
        let (desc, ex) = rest.split_at(rest.len() - 1);
        cells.push(desc.join(" "));
        cells.push(ex.join(" "));
    } else {
        cells.push(rest.join(" "));
        if has_example(header) {
            cells.push(String::new());
        }
    }
    cells
}

/// A list item under a row: a value of the description's list, or (without a colon, after the
/// list, in a table with examples) the example value cell.
fn append_item(row: &mut [String], header: &[String], item: &str) {
    let desc = header.iter().position(|h| h == "Description");
    let ex = if has_example(header) {
        Some(header.len() - 1)
    } else {
        None
    };
    if let Some(ex) = ex
        && !item.contains(':')
        && row.get(ex).is_some_and(String::is_empty)
        && row.get(desc.unwrap_or(0)).is_some_and(|d| d.contains('•'))
    {
        row[ex] = item.to_owned();
        return;
    }
    if let Some(d) = desc.and_then(|d| row.get_mut(d)) {
        d.push_str(" • ");
        d.push_str(item);
    }
}
