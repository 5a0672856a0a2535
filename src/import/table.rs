//! Reading a `_data/` file into [`Table`]s: the sheets of an `.xlsx` workbook (calamine) or
//! one `.csv` file (UTF-8 with or without BOM, Shift_JIS/CP932 as Excel on Windows saves
//! it, UTF-16 as Excel's 「Unicode テキスト」), each a list of rows of text cells that
//! remember where they were.

use crate::diagnostics::Diagnostic;
use std::path::{Path, PathBuf};

/// One sheet (or one CSV file) as rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file, relative to the site root.
    pub file: PathBuf,
    /// The sheet's name in a workbook; `None` for a CSV file.
    pub sheet: Option<String>,
    /// How a CSV file was decoded (`UTF-8`, `Shift_JIS`); `None` for a workbook.
    pub encoding: Option<&'static str>,
    /// The rows that hold anything, in order.
    pub rows: Vec<Row>,
}

/// A row of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based row number as the spreadsheet shows it.
    pub number: usize,
    /// Cells from column A; missing cells are empty.
    pub cells: Vec<Cell>,
}

/// One cell: its text, and its number when the workbook stored one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    /// The text as shown (a number cell as its shortest form).
    pub text: String,
    /// The value of an Excel number cell, rounded to 6 decimals (0.1 + 0.2 typed as 0.3
    /// stays 0.3).
    pub number: Option<f64>,
}

impl Row {
    /// The cell in column `col` (0-based), empty when the row is shorter.
    pub fn cell(&self, col: usize) -> Cell {
        self.cells.get(col).cloned().unwrap_or_default()
    }

    /// True when every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.text.trim().is_empty())
    }
}

/// The most rows read from one sheet: far more than any plan has indicators or measures,
/// and a bound for a sheet that was filled down to row 1,048,576 by mistake.
pub const MAX_ROWS: usize = 20_000;

/// The most columns read from one sheet.
pub const MAX_COLS: usize = 200;

/// `A`, `Z`, `AA` for 0, 25, 26.
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Reads the `.xlsx` or `.csv` file at `root`/`rel` into its tables.
pub fn read(root: &Path, rel: &Path) -> Result<Vec<Table>, Diagnostic> {
    let bytes = std::fs::read(root.join(rel)).map_err(|e| {
        Diagnostic::new(rel, "import", format!("ファイルを読めません({})", crate::diagnostics::io_reason(&e)))
            .help("ファイルが表計算ソフトで開いたままになっていないか、読む権限があるかを確かめてください")
            .detail(e.to_string())
    })?;
    match extension(rel).as_str() {
        "xlsx" | "xlsm" => read_xlsx(rel, bytes),
        _ => read_csv(rel, &bytes).map(|t| vec![t]),
    }
}

/// The file's extension in lower case.
pub fn extension(p: &Path) -> String {
    p.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default()
}

fn read_xlsx(rel: &Path, bytes: Vec<u8>) -> Result<Vec<Table>, Diagnostic> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|e: calamine::XlsxError| {
        Diagnostic::new(rel, "import", "Excel ファイル(.xlsx)として開けません(壊れているか、別の形式です)")
            .help(
                "Excel で開き、「名前を付けて保存」で「Excel ブック (*.xlsx)」を選んで保存し直してください。パスワード付きのファイルは読めません",
            )
            .detail(e.to_string())
    })?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| {
            Diagnostic::new(rel, "import", format!("「{name}」シートを読めません(壊れているか、読めない形式です)"))
                .help("Excel で開いて保存し直してください")
                .detail(e.to_string())
        })?;
        let (row0, col0) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, cells) in range.rows().enumerate() {
            if rows.len() >= MAX_ROWS {
                if cells.iter().any(|c| !matches!(c, calamine::Data::Empty)) {
                    return Err(too_long(rel, Some(&name)));
                }
                continue;
            }
            let mut row = Row { number: row0 + i + 1, cells: vec![Cell::default(); col0.min(MAX_COLS)] };
            for data in cells.iter().take(MAX_COLS.saturating_sub(col0)) {
                row.cells.push(cell_of(data));
            }
            if !row.is_blank() {
                rows.push(row);
            }
        }
        out.push(Table { file: rel.to_path_buf(), sheet: Some(name), encoding: None, rows });
    }
    Ok(out)
}

/// A sheet with more than [`MAX_ROWS`] filled rows.
fn too_long(rel: &Path, sheet: Option<&str>) -> Diagnostic {
    let sheet = sheet.map(|s| format!("「{s}」シートの")).unwrap_or_default();
    Diagnostic::new(rel, "import", format!("{sheet}表が長すぎます(読めるのは {MAX_ROWS} 行までです)")).help(
        "実績・評価の表は 1 行に 1 つの指標か施策です。下のほうに不要な行(数式や書式だけを下まで広げた行)がないか確かめ、あれば行ごと削除してください",
    )
}

fn cell_of(data: &calamine::Data) -> Cell {
    use calamine::Data;
    match data {
        Data::Int(i) => Cell { text: i.to_string(), number: Some(*i as f64) },
        Data::Float(f) => {
            let v = round6(*f);
            Cell { text: format_number(v), number: Some(v) }
        }
        Data::String(s) => Cell { text: s.clone(), number: None },
        Data::Bool(b) => Cell { text: if *b { "TRUE".into() } else { "FALSE".into() }, number: None },
        Data::DateTime(d) => Cell { text: d.to_string(), number: None },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell { text: s.clone(), number: None },
        Data::Error(e) => Cell { text: format!("#{e:?}"), number: None },
        Data::Empty => Cell::default(),
    }
}

/// `v` rounded to 6 decimals: what a person typed, without the binary fraction's tail.
pub fn round6(v: f64) -> f64 {
    if !v.is_finite() || v.abs() >= 1e15 {
        return v;
    }
    (v * 1e6).round() / 1e6
}

/// The shortest text of a number (`69.4`, `1800`, `-3.25`).
pub fn format_number(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Decodes a CSV file: which encoding it is in, and its text.
pub fn decode(rel: &Path, bytes: &[u8]) -> Result<(&'static str, String), Diagnostic> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec())
            .map(|s| ("UTF-8", s))
            .map_err(|_| bad_encoding(rel, "UTF-8 の印(BOM)がありますが、UTF-8 として読めないバイトがあります"));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, had_errors) = encoding_rs::UTF_16LE.decode(bytes);
        if had_errors {
            return Err(bad_encoding(rel, "UTF-16 として読めないバイトがあります"));
        }
        return Ok(("UTF-16", text.into_owned()));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(("UTF-8", s.to_string()));
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if !had_errors {
        return Ok(("Shift_JIS", text.into_owned()));
    }
    let (text, had_errors) = encoding_rs::EUC_JP.decode_without_bom_handling(bytes);
    if !had_errors {
        return Ok(("EUC-JP", text.into_owned()));
    }
    Err(bad_encoding(rel, "文字コードが UTF-8 でも Shift_JIS でもありません"))
}

fn bad_encoding(rel: &Path, what: &str) -> Diagnostic {
    Diagnostic::new(rel, "encoding", format!("CSV ファイルを読めません: {what}")).help(
        "Excel で開き、「名前を付けて保存」で「CSV UTF-8 (コンマ区切り) (*.csv)」か「CSV (コンマ区切り) (*.csv)」を選んで保存し直してください",
    )
}

fn read_csv(rel: &Path, bytes: &[u8]) -> Result<Table, Diagnostic> {
    let (encoding, text) = decode(rel, bytes)?;
    // Excel's 「Unicode テキスト」 is tab-separated; CSV is comma-separated.
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first.matches('\t').count() > first.matches(',').count() { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    // Line numbers from byte offsets: the reader's own count skips empty lines.
    let starts: Vec<usize> =
        std::iter::once(0).chain(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1)).collect();
    // A record's position is where its reading began, before the empty lines it skipped.
    let line_of = |byte: u64| {
        let skip = text
            .as_bytes()
            .get(byte as usize..)
            .map_or(0, |b| b.iter().take_while(|&&c| c == b'\n' || c == b'\r').count());
        starts.partition_point(|&s| s as u64 <= byte + skip as u64).max(1)
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| line_of(p.byte()));
            Diagnostic::new(rel, "import", format!("この行を CSV として読めません({encoding} として読みました)"))
                .at_opt_line(line)
                .detail(e.to_string())
                .help("この行の「\"」(二重引用符)の数を確かめるか、Excel で開いて CSV として保存し直してください")
        })?;
        let number = record.position().map(|p| line_of(p.byte())).unwrap_or(rows.len() + 1);
        let row = Row {
            number,
            cells: record.iter().take(MAX_COLS).map(|s| Cell { text: s.to_string(), number: None }).collect(),
        };
        if !row.is_blank() {
            if rows.len() >= MAX_ROWS {
                return Err(too_long(rel, None));
            }
            rows.push(row);
        }
    }
    Ok(Table { file: rel.to_path_buf(), sheet: None, encoding: Some(encoding), rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(2), "C");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn numbers_keep_what_was_typed() {
        assert_eq!(format_number(round6(69.40000000001)), "69.4");
        assert_eq!(format_number(round6(0.1 + 0.2)), "0.3");
        assert_eq!(format_number(1800.0), "1800");
        assert_eq!(format_number(-0.0), "0");
    }

    #[test]
    fn csv_in_every_encoding_excel_saves() {
        let text = "指標名,年度,実績値\n市民満足度,R6,\"1,800\"\n";
        let p = Path::new("a.csv");
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        for (bytes, enc) in [(text.as_bytes().to_vec(), "UTF-8"), (bom, "UTF-8"), (sjis.into_owned(), "Shift_JIS")] {
            let t = read_csv(p, &bytes).unwrap();
            assert_eq!(t.encoding, Some(enc));
            assert_eq!(t.rows.len(), 2);
            assert_eq!(t.rows[0].cells[0].text, "指標名");
            assert_eq!(t.rows[1].cells[2].text, "1,800");
            assert_eq!(t.rows[1].number, 2);
        }
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "指標名\t実績値\n人口\t12\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let t = read_csv(p, &utf16).unwrap();
        assert_eq!(t.rows[1].cells[1].text, "12");
    }

    #[test]
    fn blank_rows_are_dropped_and_row_numbers_kept() {
        let t = read_csv(Path::new("a.csv"), "a,b\n,\n\n1,2\n".as_bytes()).unwrap();
        assert_eq!(t.rows.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 4]);
    }

    #[test]
    fn other_bytes_are_a_clear_error() {
        let e = read_csv(Path::new("a.csv"), &[0x81, 0x20, 0xFF, 0xFE, 0x80]).unwrap_err();
        assert!(e.message.contains("UTF-8 でも Shift_JIS でもありません"), "{e:?}");
    }

    proptest::proptest! {
        #[test]
        fn no_bytes_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = read_csv(Path::new("a.csv"), &bytes);
            let _ = read_xlsx(Path::new("a.xlsx"), bytes);
        }
    }
}
