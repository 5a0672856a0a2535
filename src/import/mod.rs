//! Yearly actuals and evaluations from the spreadsheets a city already keeps: the `.xlsx`
//! and `.csv` files in a plan's `_data/` folder (`content/<plan>/_data/actuals-R6.xlsx`).
//!
//! - `table.rs`: a file into rows of text cells with their positions (calamine for
//!   `.xlsx`; CSV in UTF-8, Shift_JIS/CP932 or UTF-16, detected);
//! - `columns.rs`: header names and their variants, and the kind of sheet they make;
//! - `values.rs`: numbers, fiscal years, the year in a file name;
//! - `apply.rs`: merging rows into the plan model, with an error for every bad cell;
//! - `template.rs`: the sheet `planpress template` writes from a plan, ready to fill in.
//!
//! The loader (`content/loader.rs`) calls [`import_site`] after assembling the plans and
//! before the checks across files.

pub mod apply;
pub mod columns;
pub mod table;
pub mod template;
pub mod values;

use crate::content::{Plan, Site};
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folder of a plan that holds its spreadsheets.
pub const DATA_DIR: &str = "_data";

/// The most files read from one `_data/` folder.
const MAX_FILES: usize = 500;

/// Imports the `_data/` files of every plan of `site` into its model. Errors go to `diags`;
/// the returned warnings (sheets that are neither kind) fail nothing.
pub fn import_site(root: &Path, site: &mut Site, diags: &mut Diagnostics) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for plan in &mut site.plans {
        let files = data_files(root, plan, diags);
        if files.is_empty() {
            continue;
        }
        import_plan(root, Arc::make_mut(plan), &files, diags, &mut warnings);
    }
    warnings
}

/// The folder `_data/` of `plan`, relative to the site root.
pub fn data_dir(plan: &Plan) -> PathBuf {
    plan.source.parent().unwrap_or(Path::new("")).join(DATA_DIR)
}

/// Whether `rel` (relative to the site root) is inside a `_data/` folder of a plan
/// (`content/<plan>/_data/…`).
pub fn is_data_path(rel: &Path) -> bool {
    let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.len() >= 4 && parts[0] == "content" && parts[2] == DATA_DIR
}

/// Whether the file `rel` of a `_data/` folder is one the import reads (or reports as a
/// file it cannot read), not one it leaves alone.
pub fn is_read(rel: &Path) -> bool {
    rel.file_name().is_some_and(|n| !skipped(&n.to_string_lossy()))
}

/// Whether a file name in `_data/` is one planpress leaves alone: hidden files, Excel's
/// lock file (`~$actuals.xlsx`) and the temporary files Excel and LibreOffice save through,
/// backups, and notes for people (`README.md`, `.txt`).
fn skipped(name: &str) -> bool {
    let lower = name.to_lowercase();
    let ext = Path::new(&lower).extension().map(|e| e.to_string_lossy().into_owned());
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || matches!(ext.as_deref(), Some("tmp" | "bak" | "md" | "txt" | "swp"))
        // Excel's temporary file while saving: 8 hexadecimal characters, no extension.
        || (ext.is_none() && name.len() == 8 && name.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `.xlsx` and `.csv` files of `plan`'s `_data/`, sorted by name; other files are errors.
fn data_files(root: &Path, plan: &Plan, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let dir = data_dir(plan);
    let Ok(read) = std::fs::read_dir(root.join(&dir)) else { return Vec::new() };
    let mut names: Vec<String> = read
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()) || e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .take(MAX_FILES)
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        if skipped(&name) {
            continue;
        }
        let rel = dir.join(&name);
        match table::extension(&rel).as_str() {
            "xlsx" | "xlsm" | "csv" => out.push(rel),
            "xls" => diags.push(
                Diagnostic::new(&rel, "import", "古い Excel 形式(.xls)のファイルは読めません")
                    .help("Excel で開き、「名前を付けて保存」で「Excel ブック (*.xlsx)」を選んで保存し直してください(元の .xls は _data から移してください)"),
            ),
            "ods" | "numbers" => diags.push(
                Diagnostic::new(&rel, "import", "この形式の表計算ファイルは読めません(読めるのは .xlsx と .csv です)")
                    .help("表計算ソフトで開き、「Excel 2007-365 (.xlsx)」か「CSV」の形式で保存し直してください"),
            ),
            _ => diags.push(
                Diagnostic::new(&rel, "import", format!("_data フォルダに読めないファイル「{name}」があります"))
                    .help("_data には実績・評価の表(.xlsx か .csv)だけを置いてください。ほかのファイルは別のフォルダに移してください"),
            ),
        }
    }
    out
}

fn import_plan(
    root: &Path,
    plan: &mut Plan,
    files: &[PathBuf],
    diags: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut seen = apply::Seen::default();
    for rel in files {
        let tables = match table::read(root, rel) {
            Ok(t) => t,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let stem = rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let file_year = values::year_in_name(&stem);
        let mut used = 0;
        let mut skipped = Vec::new();
        for t in &tables {
            match columns::find_header(t) {
                Some(h) => {
                    used += 1;
                    apply::apply(plan, t, &h, file_year, &mut seen, diags);
                }
                None if t.rows.is_empty() || t.sheet.as_deref() == Some(template::GUIDE_SHEET) => {}
                None => skipped.push(t),
            }
        }
        if used == 0 {
            let enc = tables
                .first()
                .and_then(|t| t.encoding)
                .map(|e| format!("(文字コード {e} として読みました)"))
                .unwrap_or_default();
            diags.push(
                Diagnostic::new(rel, "import", format!("実績か評価の表の見出しが見つかりません{enc}"))
                    .help("1 行目(表題の下でもかまいません)に見出しを書いてください。実績なら「指標ID」か「指標名」と「年度」「実績値」、評価なら「施策ID」「施策番号」「施策名」のどれかと「年度」「評価」「コメント」です(docs/CONTENT.md 13 章。planpress template で雛形を作れます)"),
            );
        } else {
            for t in skipped {
                let sheet = t.sheet.as_deref().unwrap_or("");
                warnings.push(
                    Diagnostic::new(
                        rel,
                        "import",
                        format!("「{sheet}」シートは実績の表でも評価の表でもないので読みませんでした"),
                    )
                    .help("読ませたいときは、見出しに「指標名」「実績値」や「施策番号」「評価」を書いてください"),
                );
            }
        }
    }
    warnings.append(&mut seen.warnings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_planpress_leaves_alone() {
        for name in ["~$actuals-R6.xlsx", ".~lock.a.csv#", "README.md", "メモ.txt", "A1B2C3D4", "a.csv~", "x.tmp"] {
            assert!(skipped(name), "{name}");
        }
        for name in ["actuals-R6.xlsx", "評価.csv", "data.xls", "ABCDEFGH"] {
            assert!(!skipped(name), "{name}");
        }
    }

    #[test]
    fn data_paths() {
        assert!(is_data_path(Path::new("content/k/_data/a.xlsx")));
        assert!(!is_data_path(Path::new("content/k/a.md")));
        assert!(!is_data_path(Path::new("content/_data/a.csv")));
    }
}
