//! CSV exports (`text/csv`, RFC 4180) that are safe to open in a spreadsheet.
//!
//! Every cell is quoted when it holds a comma, a quote, a CR or LF (quotes doubled); lines end in
//! CRLF. A cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a
//! tab or a CR) gets a leading `'`, so that an email like `=HYPERLINK(...)` stays text
//! (formula injection). Numbers written by the hub are never negative, so nothing of ours loses
//! its meaning by this.

/// The `Content-Type` of a CSV export.
pub const CONTENT_TYPE_CSV: &str = "text/csv; charset=utf-8";

/// Writes a CSV document row by row.
#[derive(Debug, Clone)]
pub struct Writer {
    out: String,
}

impl Writer {
    /// A document starting with the `header` row.
    pub fn new(header: &[&str]) -> Self {
        let mut writer = Self { out: String::new() };
        writer.row(header);
        writer
    }

    /// Appends one row.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            write_cell(cell.as_ref(), &mut self.out);
        }
        self.out.push_str("\r\n");
    }

    /// The document's bytes (UTF-8).
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

fn write_cell(cell: &str, out: &mut String) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || cell.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(rows: &[&[&str]]) -> String {
        let mut writer = Writer::new(rows[0]);
        for row in &rows[1..] {
            writer.row(row);
        }
        String::from_utf8(writer.finish()).unwrap()
    }

    #[test]
    fn plain_cells_stay_plain_and_lines_end_in_crlf() {
        assert_eq!(
            document(&[&["a", "b"], &["1", "Jürgen"], &["", "x y"]]),
            "a,b\r\n1,Jürgen\r\n,x y\r\n"
        );
    }

    #[test]
    fn separators_quotes_and_line_breaks_are_quoted() {
        assert_eq!(
            document(&[&["h"], &["a,b"], &["say \"hi\""], &["two\nlines"]]),
            "h\r\n\"a,b\"\r\n\"say \"\"hi\"\"\"\r\n\"two\nlines\"\r\n"
        );
    }

    #[test]
    fn formulas_are_neutralised() {
        for cell in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            let out = document(&[&["h"], &[cell]]);
            let line = out.strip_prefix("h\r\n").unwrap();
            assert!(line.starts_with("\"'"), "{cell:?}: {out:?}");
        }
        assert_eq!(
            document(&[&["h"], &["=HYPERLINK(\"x\")"]]),
            "h\r\n\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        // Not at the start: plain text.
        assert_eq!(document(&[&["h"], &["a=b"]]), "h\r\na=b\r\n");
    }
}
