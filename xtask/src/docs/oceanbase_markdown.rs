//! OceanBase pages copied as markdown: headings as plain lines and `| a | b |` pipe tables
//! (rows may have fewer cells than the header when the last ones are empty).

use super::{Block, Table, heading_kind};

/// Cuts the page into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut table: Option<Table> = None;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('|') {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect();
            match table.as_mut() {
                None => {
                    table = Some(Table {
                        caption: None,
                        header: cells,
                        rows: Vec::new(),
                    })
                }
                Some(_)
                    if cells
                        .iter()
                        .all(|c| c.chars().all(|ch| ch == '-' || ch == ':')) => {}
                Some(t) => t.rows.push(cells),
            }
            continue;
        }
        if let Some(t) = table.take() {
            out.push(Block::Table(t));
        }
        if l.is_empty() {
            continue;
        }
        // Markdown headings and list items lose their marks; list items join the table cell
        // above them only in the rendered layout, not here.
        let plain = l.trim_start_matches('#').trim();
        if heading_kind(plain).is_some() {
            out.push(Block::Heading(plain.to_owned()));
        } else {
            out.push(Block::Text(l.to_owned()));
        }
    }
    if let Some(t) = table.take() {
        out.push(Block::Table(t));
    }
    out
}
