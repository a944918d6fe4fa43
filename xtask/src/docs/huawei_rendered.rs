//! Huawei pages as a browser saves the rendered page as text: a breadcrumb (`Help Center/ ...`),
//! `Updated on ...`, every paragraph separated by a blank line, tables announced by a
//! `Table N <caption>` line (the status code table by its header alone) and written one cell per
//! paragraph, a description cell running over several paragraphs (`Definition:`, its text,
//! `Constraints:`, `N/A`, list items `• value: meaning`).
//!
//! Nothing marks where a row ends, so a row is recognised by its leading cells: a name, then
//! `Yes`/`No` where the table has a Mandatory column, then a type; a status code table's rows
//! start with the code. Everything up to the next row's start is the row's description.

use super::{Block, Table, heading_kind};

/// `Table 3 Request body parameters` → `Request body parameters`.
pub fn caption(paragraph: &str) -> Option<&str> {
    let rest = paragraph.trim().strip_prefix("Table ")?;
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let caption = rest[digits..].strip_prefix(' ')?.trim();
    (!caption.is_empty()).then_some(caption)
}

/// What one column of a rendered table holds, for recognising where a row starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Code,
    Mandatory,
    Type,
    Description,
    Other,
}

fn column_of(header: &str) -> Option<Column> {
    Some(match header.trim().to_ascii_lowercase().as_str() {
        "parameter" | "name" | "field" => Column::Name,
        "status code" | "error code" | "status" => Column::Code,
        "mandatory" | "required" => Column::Mandatory,
        "type" | "data type" => Column::Type,
        "description" => Column::Description,
        "example value" | "example" | "error message" | "value" => Column::Other,
        _ => return None,
    })
}

/// Whether the text looks like the page's layout: a `Table N` caption above a header cell, or
/// the status code table's header.
pub fn looks_rendered(text: &str) -> bool {
    // Each paragraph joined into one line.
    let paragraphs: Vec<String> = paragraph_lines(text).iter().map(|p| p.join(" ")).collect();
    paragraphs.windows(2).any(|w| {
        let (a, b) = (w[0].as_str(), w[1].as_str());
        (caption(a).is_some() && column_of(b).is_some())
            || (a.eq_ignore_ascii_case("status code") && b.eq_ignore_ascii_case("description"))
    })
}

/// The page's paragraphs with their lines kept apart (code examples keep their line breaks).
fn paragraph_lines(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(l.to_owned());
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_name(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 80
        && !p.ends_with(':')
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.[]".contains(c))
        && p.chars().any(|c| c.is_ascii_alphabetic())
}

fn is_code(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() == 3
        && b[0].is_ascii_digit()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_digit() || *c == b'X' || *c == b'x')
}

fn is_type(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    if lower.is_empty() || lower.len() > 60 || lower.ends_with(':') || lower.ends_with('.') {
        return false;
    }
    lower.starts_with("array")
        || lower.ends_with(" object")
        || lower.ends_with(" objects")
        || lower.starts_with("map")
        || lower.starts_with("list")
        || lower.starts_with("integer[")
        || matches!(
            lower.as_str(),
            "string"
                | "str"
                | "integer"
                | "int"
                | "int32"
                | "int64"
                | "long"
                | "boolean"
                | "bool"
                | "number"
                | "float"
                | "double"
                | "bigdecimal"
                | "object"
                | "file"
                | "any"
        )
}

fn fits(column: Column, p: &str) -> bool {
    match column {
        Column::Name => is_name(p),
        Column::Code => is_code(p) || (is_name(p) && p.contains('.')),
        Column::Mandatory => matches!(
            p.to_ascii_lowercase().as_str(),
            "yes" | "no" | "true" | "false"
        ),
        Column::Type => is_type(p),
        Column::Description | Column::Other => true,
    }
}

/// Whether a paragraph closes a table: a section heading (not a `Constraints:` label inside a
/// cell), a caption, or a `Status code: 200` line.
fn ends_table(p: &str) -> bool {
    caption(p).is_some()
        || (heading_kind(p).is_some()
            && !p.ends_with(':')
            && !matches!(
                p.to_ascii_lowercase().as_str(),
                "note" | "notes" | "constraints"
            ))
}

/// Cuts the page into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let paras = paragraph_lines(text);
    let joined: Vec<String> = paras.iter().map(|p| p.join(" ")).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < joined.len() {
        let p = joined[i].as_str();
        let (table_caption, header_at) = match caption(p) {
            Some(c) => (Some(c.to_owned()), i + 1),
            None => (None, i),
        };
        let header: Vec<String> = joined[header_at.min(joined.len())..]
            .iter()
            .take_while(|h| column_of(h).is_some())
            .cloned()
            .collect();
        let columns: Vec<Column> = header.iter().filter_map(|h| column_of(h)).collect();
        let is_table = header.len() >= 2
            && matches!(columns.first(), Some(Column::Name | Column::Code))
            && (table_caption.is_some() || columns.contains(&Column::Description));
        if is_table {
            let (rows, next) = read_rows(&joined, header_at + header.len(), &columns);
            out.push(Block::Table(Table {
                caption: table_caption,
                header,
                rows,
            }));
            i = next;
            continue;
        }
        if heading_kind(p).is_some() && !p.ends_with(':') {
            out.push(Block::Heading(p.to_owned()));
        } else {
            out.extend(paras[i].iter().map(|l| Block::Text(l.clone())));
        }
        i += 1;
    }
    out
}

/// Whether a row starts at paragraph `at`: its leading single-paragraph cells fit their columns.
fn row_starts(paras: &[String], at: usize, columns: &[Column]) -> bool {
    let lead = columns
        .iter()
        .take_while(|c| **c != Column::Description)
        .count();
    lead > 0
        && at + lead <= paras.len()
        && columns[..lead]
            .iter()
            .zip(&paras[at..at + lead])
            .all(|(c, p)| fits(*c, p))
}

/// Reads rows from paragraph `from`; returns them and the paragraph after the table. A row cut
/// short by the end of the page keeps the cells it has.
fn read_rows(paras: &[String], from: usize, columns: &[Column]) -> (Vec<Vec<String>>, usize) {
    let lead = columns
        .iter()
        .take_while(|c| **c != Column::Description)
        .count();
    let mut rows = Vec::new();
    let mut i = from;
    while i < paras.len() && !ends_table(&paras[i]) && row_starts(paras, i, columns) {
        let mut row: Vec<String> = paras[i..i + lead].to_vec();
        i += lead;
        if lead < columns.len() {
            // The description (and any cell after it) runs to the next row or the table's end.
            let mut cell: Vec<&str> = Vec::new();
            while i < paras.len() && !ends_table(&paras[i]) && !row_starts(paras, i, columns) {
                cell.push(&paras[i]);
                i += 1;
            }
            row.push(cell.join(" "));
        }
        rows.push(row);
    }
    (rows, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_over_several_paragraphs_is_one_cell() {
        let text = "URI\n\nPOST /v1/{project_id}/x\n\nTable 1 Path Parameters\n\nParameter\n\nMandatory\n\nType\n\nDescription\n\nproject_id\n\nYes\n\nString\n\nDefinition:\n\nProject ID.\n\nConstraints:\n\nN/A\n\nflag\n\nNo\n\nBoolean\n\nWhether.\n\n  • true: on.\n\nRequest Parameters\n\nNone\n";
        let blocks = blocks(text);
        let Some(Block::Table(t)) = blocks.iter().find(|b| matches!(b, Block::Table(_))) else {
            panic!("no table in {blocks:?}");
        };
        assert_eq!(t.caption.as_deref(), Some("Path Parameters"));
        assert_eq!(
            t.rows,
            [
                vec![
                    "project_id".to_owned(),
                    "Yes".into(),
                    "String".into(),
                    "Definition: Project ID. Constraints: N/A".into()
                ],
                vec![
                    "flag".into(),
                    "No".into(),
                    "Boolean".into(),
                    "Whether. • true: on.".into()
                ],
            ]
        );
        assert!(blocks.contains(&Block::Heading("Request Parameters".into())));
    }
}
