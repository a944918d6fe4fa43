//! Huawei pages as the browser copies them: every table cell on its own line ending in `|`,
//! rows sometimes opened by a line holding only `|`, a `|---|---|` line under the header, and
//! no table captions (so sub-tables are matched to fields by order).

use super::{Block, PageError, Table};

/// `|---|---|` or `---|---|---|`.
pub fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains("---|")
        && t.chars()
            .all(|c| c == '-' || c == '|' || c == ':' || c == ' ')
}

fn columns(line: &str) -> usize {
    line.trim().trim_matches('|').split('|').count()
}

/// Cuts the page into blocks.
pub fn blocks(file: &str, text: &str) -> Result<Vec<Block>, PageError> {
    let lines: Vec<&str> = text.lines().collect();
    // Each table: (first line of its header, separator line, column count).
    let mut tables = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if is_separator(line) {
            let n = columns(line);
            let mut start = i.saturating_sub(n);
            if start > 0 && lines[start - 1].trim() == "|" {
                start -= 1;
            }
            // A separator whose header would reach back over the previous one (a `|---|` line
            // written twice, or a header short of cells) leaves no table to read.
            if let Some(&(_, previous, _)) = tables.last()
                && start <= previous
            {
                return Err(PageError {
                    file: file.into(),
                    section: "page".into(),
                    message: format!(
                        "the table separator at line {} has fewer than its {n} header cells \
                         between it and the separator at line {}: delete a repeated `|---|` \
                         line, or give the header one line per cell",
                        i + 1,
                        previous + 1
                    ),
                });
            }
            tables.push((start, i, n));
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    let mut t = 0;
    while i < lines.len() {
        if let Some(&(start, sep, n)) = tables.get(t)
            && i == start
        {
            let header: Vec<String> = lines[start..sep]
                .iter()
                .map(|l| l.trim())
                .filter(|l| *l != "|")
                .map(|l| l.trim_end_matches('|').trim().to_owned())
                .collect();
            if header.len() != n {
                return Err(PageError {
                    file: file.into(),
                    section: last_heading(&out),
                    message: format!(
                        "a table header with {} cells above a separator of {n} columns (line {})",
                        header.len(),
                        sep + 1
                    ),
                });
            }
            let end = tables.get(t + 1).map(|(s, ..)| *s).unwrap_or(lines.len());
            let (rows, used) = read_rows(&lines[sep + 1..end], n);
            out.push(Block::Table(Table {
                caption: None,
                header,
                rows,
            }));
            i = sep + 1 + used;
            t += 1;
            continue;
        }
        let l = lines[i].trim();
        if !l.is_empty() {
            out.push(Block::line(l.to_owned()));
        }
        i += 1;
    }
    Ok(out)
}

fn last_heading(blocks: &[Block]) -> String {
    blocks
        .iter()
        .rev()
        .find_map(|b| match b {
            Block::Heading(h) => Some(h.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "page".into())
}

/// Reads rows of `n` cells; returns them and how many lines they took. The table ends at a row
/// boundary where the next line is neither a row opener (`|`) nor a cell.
fn read_rows(lines: &[&str], n: usize) -> (Vec<Vec<String>>, usize) {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    let mut used = 0;
    for line in lines {
        let l = line.trim();
        if row.is_empty() && cell.is_none() {
            if l == "|" {
                used += 1;
                continue;
            }
            if !l.ends_with('|') {
                break;
            }
        }
        used += 1;
        let (text, closes) = match l.strip_suffix('|') {
            Some(rest) => (rest.trim(), true),
            None => (l, false),
        };
        let c = cell.get_or_insert_with(String::new);
        if !text.is_empty() {
            if !c.is_empty() {
                c.push(' ');
            }
            c.push_str(text);
        }
        if closes {
            row.push(cell.take().unwrap_or_default());
            if row.len() == n {
                rows.push(std::mem::take(&mut row));
            }
        }
    }
    (rows, used)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_separator_written_twice_is_one_plain_sentence_naming_both_lines() {
        let page = "URI\nGET /v1/x\nParameter |\nType |\n|---|---|\n|---|---|\n";
        let Err(e) = super::blocks("p.txt", page) else {
            panic!("two separators in a row leave no table to read");
        };
        assert_eq!(
            e.message,
            "the table separator at line 6 has fewer than its 2 header cells between it and the \
             separator at line 5: delete a repeated `|---|` line, or give the header one line \
             per cell"
        );
    }
}
