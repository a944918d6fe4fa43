//! Printing: JSON (pretty on a terminal, compact otherwise), YAML or a table; `--query` with
//! JMESPath; errors as one line or, with `--output json`, one JSON object on stderr.

use std::io::{IsTerminal as _, Write as _};

use comfy_table::{
    ColumnConstraint, ContentArrangement, Table, Width, presets::UTF8_FULL_CONDENSED,
};
use serde_json::Value;

use crate::{Failure, catalog::Operation};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Yaml,
    Table,
}

/// How results are printed.
pub(crate) struct Printer {
    pub(crate) format: Format,
    pub(crate) query: Option<jmespath::Expression<'static>>,
    pub(crate) columns: Option<Vec<String>>,
    pub(crate) pretty: bool,
}

impl Printer {
    pub(crate) fn new(
        format: Format,
        query: Option<&str>,
        columns: Option<&str>,
    ) -> Result<Self, Failure> {
        let query = query.map(|q| compile("query", q)).transpose()?;
        let columns = columns
            .map(|c| {
                let names: Vec<String> = c
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                // Given, it names the columns: with none named (an empty value, as an unset
                // shell variable gives, or commas alone) the table would have no column, and
                // falling back to the default would hide the mistake.
                if names.is_empty() {
                    return Err(Failure::usage(format!(
                        "--columns {c:?} names no column: write column names separated by \
                         commas, like --columns id,status, or leave the flag out for the \
                         default columns"
                    )));
                }
                Ok(names)
            })
            .transpose()?;
        Ok(Self {
            format,
            query,
            columns,
            pretty: std::io::stdout().is_terminal(),
        })
    }

    /// The value after `--query`.
    pub(crate) fn select(&self, value: Value) -> Result<Value, Failure> {
        match &self.query {
            None => Ok(value),
            Some(q) => search(q, &value),
        }
    }

    /// Prints one response (or one item of `--all`).
    pub(crate) fn print(&self, op: &Operation, value: Value, listed: bool) -> Result<(), Failure> {
        let queried = self.query.is_some();
        let value = self.select(value)?;
        let text = match self.format {
            Format::Json if self.pretty => serde_json::to_string_pretty(&value),
            Format::Json => serde_json::to_string(&value),
            Format::Yaml => {
                let text = serde_yaml_ng::to_string(&value)
                    .map_err(|e| Failure::internal(format!("cannot write YAML: {e}")))?;
                return write_out(&if listed { sequence_entry(&text) } else { text });
            }
            Format::Table => {
                let list = (!queried && !listed).then_some(op.list).flatten();
                let defaults = if queried { &[][..] } else { op.columns };
                return write_out(&self.table(&value, list, defaults));
            }
        }
        .map_err(|e| Failure::internal(format!("cannot write JSON: {e}")))?;
        write_out(&format!("{text}\n"))
    }

    /// A table: one row per item of the list (the value itself when it is an array, else
    /// the operation's list field), else one row for the object.
    pub(crate) fn table(&self, value: &Value, list: Option<&str>, defaults: &[&str]) -> String {
        let rows: Vec<Value> = match (value, list.and_then(|l| value.get(l))) {
            (Value::Array(items), _) => items.clone(),
            (_, Some(Value::Array(items))) => items.clone(),
            (other, _) => vec![other.clone()],
        };
        let mut stream = TableStream::new(self.columns.clone(), defaults);
        let mut out = stream.page(&rows);
        out.push_str(&stream.finish());
        out
    }

    /// The table of `--all` in the table format: one header, rows page by page.
    pub(crate) fn table_stream(&self, op: &Operation) -> Option<TableStream> {
        let defaults = if self.query.is_some() {
            &[][..]
        } else {
            op.columns
        };
        (self.format == Format::Table).then(|| TableStream::new(self.columns.clone(), defaults))
    }
}

/// A table printed page by page under one header, without holding the pages before: the
/// columns are fixed before the first row (`--columns`, else the schema's, else the scalar
/// fields of the first page's items), and the column widths by the first page; a longer cell
/// on a later page wraps within its column. comfy-table draws each page with those widths; the
/// page's own top border and header are cut off (its bottom border is kept for the end).
pub(crate) struct TableStream {
    columns: Option<Vec<String>>,
    widths: Option<Vec<u16>>,
    bottom: Option<String>,
}

impl TableStream {
    fn new(columns: Option<Vec<String>>, defaults: &[&str]) -> Self {
        let columns = columns.or_else(|| {
            (!defaults.is_empty()).then(|| defaults.iter().map(|c| (*c).to_owned()).collect())
        });
        Self {
            columns,
            widths: None,
            bottom: None,
        }
    }

    /// The text of one page's rows (with the header on the first page).
    pub(crate) fn page(&mut self, rows: &[Value]) -> String {
        let columns = self
            .columns
            .get_or_insert_with(|| scalar_fields(rows))
            .clone();
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(columns.iter().map(|c| visible(c)));
        for row in rows {
            table.add_row(columns.iter().map(|c| match row {
                Value::Object(map) => cell(map.get(c)),
                other if c == "value" => cell(Some(other)),
                _ => String::new(),
            }));
        }
        let first = match &self.widths {
            None => {
                self.widths = Some(table.column_max_content_widths());
                true
            }
            Some(widths) => {
                // Padding: one space on either side of the content.
                table.set_constraints(
                    widths
                        .iter()
                        .map(|w| ColumnConstraint::Absolute(Width::Fixed(w.saturating_add(2)))),
                );
                false
            }
        };
        let mut lines: Vec<String> = table.lines().collect();
        self.bottom = lines.pop();
        // The header's separator line, the last line of the header.
        let body = lines
            .iter()
            .position(|l| l.starts_with(HEADER_SEPARATOR))
            .map_or(lines.len(), |i| i + 1);
        let kept = if first { &lines[..] } else { &lines[body..] };
        kept.iter().map(|l| format!("{l}\n")).collect()
    }

    /// The table's bottom border (the header alone when no page came).
    pub(crate) fn finish(&mut self) -> String {
        if self.widths.is_none() {
            return format!("{}{}", self.page(&[]), self.finish());
        }
        self.bottom
            .take()
            .map(|b| format!("{b}\n"))
            .unwrap_or_default()
    }
}

/// The first character of the line under the header in `UTF8_FULL_CONDENSED`.
const HEADER_SEPARATOR: char = '╞';

/// The scalar fields of the items, in order of appearance; `value` for items that are not
/// objects.
fn scalar_fields(rows: &[Value]) -> Vec<String> {
    let mut seen = Vec::<String>::new();
    for row in rows {
        if let Value::Object(map) = row {
            for (k, v) in map {
                if !v.is_object() && !v.is_array() && !seen.contains(k) {
                    seen.push(k.clone());
                }
            }
        }
    }
    if seen.is_empty() {
        vec!["value".into()]
    } else {
        seen
    }
}

/// One item of `--all` as an entry of a YAML sequence (`- ` and the item indented beneath),
/// so that the items printed one by one read back as one list, not as text run together.
fn sequence_entry(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let prefix = match (i, line.is_empty()) {
            (0, _) => "- ",
            (_, true) => "",
            _ => "  ",
        };
        out.push_str(prefix);
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => visible(s),
        Some(other) => other.to_string(),
    }
}

/// A server's text as a terminal shows it (tables, error lines, the wait's spinner): control
/// characters written as escapes (`\u{1b}`), so that an escape sequence in a value cannot move
/// the cursor, retitle or clear the terminal; and so are the invisible format characters
/// (Unicode category Cf: the bidirectional overrides and isolates U+202A–U+202E and
/// U+2066–U+2069, zero-width spaces and joiners, U+FEFF, ...) and the line and paragraph
/// separators U+2028 and U+2029, so that a value cannot make the output read otherwise than it
/// is (reversed or reordered text, a hidden character between two that look alike: the
/// "Trojan Source" trick). A line break stays one, as a cell of several lines. JSON and YAML
/// output keep values exact: this is for text read by a person.
pub(crate) fn visible(text: &str) -> String {
    if !text.chars().any(|c| c != '\n' && hidden(c)) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| match c {
            '\n' => c.to_string(),
            c if hidden(c) => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Whether `c` changes how text around it shows, or does not show itself: a control character
/// (Cc), a format character (Cf), or a line or paragraph separator (Zl, Zp).
fn hidden(c: char) -> bool {
    use unicode_general_category::{GeneralCategory, get_general_category};
    c.is_control()
        || matches!(
            get_general_category(c),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// Compiles the JMESPath expression given to `--{flag}` (`--query`, `--wait-until`,
/// `--wait-fail`). jmespath 0.3's lexer panics (`expect("Expected valid number")`, exit 101)
/// on an integer that does not fit an `i32`, so such a number is refused first, as a usage
/// error naming it.
pub(crate) fn compile(flag: &str, text: &str) -> Result<jmespath::Expression<'static>, Failure> {
    if let Some(number) = number_out_of_range(text) {
        return Err(Failure::usage(format!(
            "--{flag}: the number {number} is out of range: write integers from -2147483647 to 2147483647"
        )));
    }
    jmespath::compile(text)
        .map_err(|e| Failure::usage(format!("--{flag}: not a JMESPath expression: {e}")))
}

/// The first number in `text`, as jmespath 0.3's lexer reads numbers, that its lexer could not
/// parse as an `i32`. It scans as that lexer does: quoted identifiers (`"..."`), raw strings
/// (`'...'`) and JSON literals (`` `...` ``) are skipped up to their closing delimiter, a
/// backslash taking the next character with it; digits inside an identifier (`a1`) are part of
/// it; a number is ASCII digits, or `-` and a numeric character other than `0` followed by
/// ASCII digits (the lexer parses the digits without the sign, then negates, so
/// `-2147483648` does not fit either).
fn number_out_of_range(text: &str) -> Option<String> {
    /// `first` and the ASCII digits that follow it.
    fn digits_after(first: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
        let mut digits = String::from(first);
        while let Some(d) = chars.next_if(char::is_ascii_digit) {
            digits.push(d);
        }
        digits
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' | '`' => {
                while let Some(inner) = chars.next() {
                    if inner == '\\' {
                        chars.next();
                    } else if inner == c {
                        break;
                    }
                }
            }
            'a'..='z' | 'A'..='Z' | '_' => {
                while chars
                    .next_if(|n| n.is_ascii_alphanumeric() || *n == '_')
                    .is_some()
                {}
            }
            '0'..='9' => {
                let digits = digits_after(c, &mut chars);
                if digits.parse::<i32>().is_err() {
                    return Some(digits);
                }
            }
            '-' => {
                if let Some(first) = chars.next_if(|n| n.is_numeric() && *n != '0') {
                    let digits = digits_after(first, &mut chars);
                    if digits.parse::<i32>().is_err() {
                        return Some(format!("-{digits}"));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Evaluates a compiled JMESPath expression on a JSON value.
pub(crate) fn search(expr: &jmespath::Expression<'_>, value: &Value) -> Result<Value, Failure> {
    let data = jmespath::Variable::from_serializable(value)
        .map_err(|e| Failure::internal(format!("cannot read the response for JMESPath: {e}")))?;
    let found = expr
        .search(data)
        .map_err(|e| Failure::usage(format!("the JMESPath expression failed: {e}")))?;
    serde_json::to_value(&*found)
        .map_err(|e| Failure::internal(format!("cannot convert a JMESPath result: {e}")))
}

pub(crate) fn write_out(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) ends the output quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::internal(format!("cannot write to stdout: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_do_not_fit_an_i32_are_found() {
        for (text, number) in [
            ("connections[2147483648]", "2147483648"),
            ("[::-9223372036854775808]", "-9223372036854775808"),
            // The lexer parses the digits before negating them.
            ("[-2147483648]", "-2147483648"),
            ("a[0] | [?x == `1`] | b[99999999999]", "99999999999"),
            ("[-\u{663}]", "-\u{663}"),
        ] {
            assert_eq!(number_out_of_range(text).as_deref(), Some(number), "{text}");
            let failure = compile("query", text).err().map(|f| (f.code, f.message));
            assert!(
                failure
                    .as_ref()
                    .is_some_and(|(code, message)| *code == 2 && message.contains(number)),
                "{text}: {failure:?}"
            );
        }
    }

    #[test]
    fn numbers_in_quotes_and_identifiers_are_not_checked() {
        for text in [
            "[2147483647]",
            "[-2147483647]",
            "[::-1]",
            "\"key99999999999\"",
            "\"esc\\\"99999999999\"",
            "'99999999999'",
            "'it\\'s 99999999999'",
            "`99999999999`",
            "`\"a\\`99999999999\"`",
            "a99999999999",
            "_9999999999999.b",
        ] {
            assert_eq!(number_out_of_range(text), None, "{text}");
            assert!(compile("query", text).is_ok(), "{text}");
        }
    }
}
