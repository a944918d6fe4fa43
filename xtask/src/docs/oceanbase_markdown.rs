//! OceanBase pages copied as markdown: headings as plain lines and `| a | b |` pipe tables
//! (rows may have fewer cells than the header when the last ones are empty). A cell broken by a
//! newline continues its row on the next lines (`| Data | Array<Object> |` then
//! `The result set. |`, or a row left open at `Valid values:` and closed by `| READWRITE |`).

use super::{Block, Table, heading_kind};

fn cells_of(row: &str) -> Vec<String> {
    row.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect()
}

/// Cuts the page into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut table: Option<Table> = None;
    // The text of the row being read, while it may still continue on the next line.
    let mut open_row: Option<String> = None;
    for line in text.lines() {
        let l = line.trim();
        if let (Some(t), Some(row)) = (table.as_mut(), open_row.as_mut()) {
            // A row left open (no closing `|`), or closed with fewer cells than the header and
            // followed by a line that closes a cell: the same row, broken by a newline.
            let unclosed = !row.trim_end().ends_with('|');
            let short = cells_of(row).len() < t.header.len();
            if !l.is_empty() && (unclosed || (short && l.ends_with('|') && !l.starts_with('|'))) {
                row.push('\n');
                row.push_str(l);
                continue;
            }
            let finished = cells_of(row);
            if row.trim_end().ends_with('|') {
                t.rows.push(finished);
            }
            open_row = None;
        }
        if l.starts_with('|') {
            let cells = cells_of(l);
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
                Some(_) => open_row = Some(l.to_owned()),
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
    // A row the page ends in keeps what it has only if its last cell was closed.
    if let (Some(t), Some(row)) = (table.as_mut(), open_row.take())
        && row.trim_end().ends_with('|')
    {
        t.rows.push(cells_of(&row));
    }
    if let Some(t) = table.take() {
        out.push(Block::Table(t));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_broken_by_a_newline_stays_one_row() {
        let text = "Response parameters\n| Parameter | Type | Description | Example value |\n|---|---|---|---|\n| RequestId | String | The ID. |\n| Data | Array<Object> |\nThe result set. |\n| role | string | Valid values:\n|\nREADWRITE |\n| Data[].Success | Boolean | Whether. |\nExamples\n";
        let blocks = blocks(text);
        let Some(Block::Table(t)) = blocks.get(1) else {
            panic!("{blocks:?}");
        };
        let names: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, ["RequestId", "Data", "role", "Data[].Success"]);
        assert_eq!(t.rows[1][2], "The result set.");
        assert_eq!(t.rows[2][2], "Valid values:");
        assert_eq!(t.rows[2].get(3).map(String::as_str), Some("READWRITE"));
        assert_eq!(blocks.get(2), Some(&Block::Heading("Examples".into())));
    }
}
