//! Merging the rows of a sheet into a plan: actuals into its indicators, evaluations into
//! its nodes. Every bad cell is a [`Diagnostic`] naming file, sheet, row and column; a
//! value given twice (in two sheets, or in a sheet and in front matter) is an error naming
//! both places.

use super::columns::{Column, Header, Kind};
use super::table::{column_letter, Row, Table};
use super::values::{self, squeeze};
use crate::content::evaluation::{self, describe};
use crate::content::{FiscalYear, Measurement, NodeId, Origin, Plan};
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::collections::HashMap;

/// What earlier sheets of the same plan put in, to tell a value given twice.
#[derive(Debug, Default)]
pub struct Seen {
    /// Actuals imported, by (node, indicator, year).
    actuals: HashMap<(NodeId, usize, FiscalYear), Origin>,
    /// Values that are read but look wrong (fail nothing).
    pub warnings: Vec<Diagnostic>,
}

/// A sheet being merged into a plan.
struct Sheet<'a> {
    table: &'a Table,
    header: &'a Header,
    /// The year of the file name, for rows without a 年度.
    file_year: Option<FiscalYear>,
}

impl Sheet<'_> {
    /// `「実績」シート 5 行目 C 列(実績値)` (a CSV file has no sheet name).
    fn place(&self, row: &Row, col: usize) -> String {
        let sheet = self.table.sheet.as_ref().map(|s| format!("「{s}」シート ")).unwrap_or_default();
        let title = self.header.title(col);
        let title = if title.is_empty() { String::new() } else { format!("({title})") };
        format!("{sheet}{} 行目 {} 列{title}", row.number, column_letter(col))
    }

    /// `「実績」シート 5 行目`.
    fn place_row(&self, row: &Row) -> String {
        let sheet = self.table.sheet.as_ref().map(|s| format!("「{s}」シート ")).unwrap_or_default();
        format!("{sheet}{} 行目", row.number)
    }

    fn origin(&self, row: &Row) -> Origin {
        Origin { file: self.table.file.clone(), line: Some(row.number), sheet: self.table.sheet.clone() }
    }

    /// A diagnostic on the cell at `col` of `row`.
    fn cell_error(&self, row: &Row, col: usize, what: &str, help: impl Into<String>) -> Diagnostic {
        let text = row.cell(col).text.trim().to_string();
        Diagnostic::new(&self.table.file, "import", format!("{}の「{text}」{what}", self.place(row, col)))
            .at_line(row.number)
            .help(help)
    }

    /// The text of `col` in `row`, trimmed ("" when the sheet lacks the column).
    fn text(&self, row: &Row, col: Column) -> String {
        self.header.at(col).map(|c| row.cell(c).text.trim().to_string()).unwrap_or_default()
    }

    /// The row's fiscal year: its 年度 cell, else the file name's.
    fn year(&self, row: &Row, diags: &mut Diagnostics) -> Option<FiscalYear> {
        if let Some(col) = self.header.at(Column::Year) {
            match values::year(&row.cell(col)) {
                Ok(Some(y)) => return Some(y),
                Ok(None) => {}
                Err(what) => {
                    diags.push(self.cell_error(
                        row,
                        col,
                        &what,
                        "年度は R6、令和6年度、令和元年度、2024 のように書いてください",
                    ));
                    return None;
                }
            }
        }
        if self.file_year.is_some() {
            return self.file_year;
        }
        diags.push(
            Diagnostic::new(&self.table.file, "import", format!("{}に年度がありません", self.place_row(row)))
                .at_line(row.number)
                .help("「年度」の列を作って R6 のように書くか、ファイル名に年度を入れてください(例: actuals-R6.xlsx、評価_令和6年度.csv)"),
        );
        None
    }
}

/// Merges the rows below `header` of `table` into `plan`.
pub fn apply(
    plan: &mut Plan,
    table: &Table,
    header: &Header,
    file_year: Option<FiscalYear>,
    seen: &mut Seen,
    diags: &mut Diagnostics,
) {
    let sheet = Sheet { table, header, file_year };
    let rows = table.rows.get(header.index + 1..).unwrap_or(&[]);
    match header.kind {
        Kind::Actuals => {
            let index = IndicatorIndex::new(plan);
            for row in rows {
                actual(plan, &index, &sheet, row, seen, diags);
            }
            for node in &mut plan.nodes {
                for ind in &mut node.indicators {
                    ind.actuals.sort_by_key(|m| m.year);
                }
            }
        }
        Kind::Evaluations => {
            let mut told_no_scale = false;
            for row in rows {
                evaluation_row(plan, &sheet, row, &mut told_no_scale, diags);
            }
            for node in &mut plan.nodes {
                node.evaluations.sort_by_key(|e| e.year);
            }
        }
    }
}

/// Where each indicator of a plan is, by id and by name.
struct IndicatorIndex {
    by_id: HashMap<String, (NodeId, usize)>,
    by_name: HashMap<String, Vec<(NodeId, usize)>>,
}

impl IndicatorIndex {
    fn new(plan: &Plan) -> Self {
        let mut by_id = HashMap::new();
        let mut by_name: HashMap<String, Vec<(NodeId, usize)>> = HashMap::new();
        for (ni, node) in plan.nodes.iter().enumerate() {
            for (ii, ind) in node.indicators.iter().enumerate() {
                by_id.insert(squeeze(&ind.id), (ni, ii));
                by_name.entry(squeeze(&ind.name)).or_default().push((ni, ii));
            }
        }
        IndicatorIndex { by_id, by_name }
    }
}

fn actual(plan: &mut Plan, index: &IndicatorIndex, sheet: &Sheet, row: &Row, seen: &mut Seen, diags: &mut Diagnostics) {
    let (id, name) = (sheet.text(row, Column::IndicatorId), sheet.text(row, Column::IndicatorName));
    let value_col = sheet.header.at(Column::Actual).unwrap_or(0);
    let value_cell = row.cell(value_col);
    if value_cell.text.trim().is_empty() && value_cell.number.is_none() {
        return; // no actual that year (an unfilled template row)
    }
    let found = if !id.is_empty() {
        match index.by_id.get(&squeeze(&id)) {
            Some(&at) => Some(at),
            None => {
                let col = sheet.header.at(Column::IndicatorId).unwrap_or(0);
                let ids = plan.nodes.iter().flat_map(|n| n.indicators.iter().map(|i| i.id.as_str()));
                diags.push(sheet.cell_error(
                    row,
                    col,
                    "という指標IDはこの計画にありません",
                    suggest(&id, ids, "指標ID"),
                ));
                None
            }
        }
    } else if !name.is_empty() {
        let col = sheet.header.at(Column::IndicatorName).unwrap_or(0);
        match index.by_name.get(&squeeze(&name)).map(Vec::as_slice) {
            Some([at]) => Some(*at),
            // An id in the name column.
            None if index.by_id.contains_key(&squeeze(&name)) => index.by_id.get(&squeeze(&name)).copied(),
            Some(many) => {
                let ids: Vec<String> = many.iter().map(|&(ni, ii)| plan.nodes[ni].indicators[ii].id.clone()).collect();
                diags.push(sheet.cell_error(
                    row,
                    col,
                    &format!("という名前の指標がこの計画に {} つあります", many.len()),
                    format!("「指標ID」の列を作り、{} のどれかを書いてください", ids.join("、")),
                ));
                None
            }
            None => {
                let names = plan.nodes.iter().flat_map(|n| n.indicators.iter().map(|i| i.name.as_str()));
                diags.push(sheet.cell_error(
                    row,
                    col,
                    "という指標はこの計画にありません",
                    suggest(&name, names, "指標名"),
                ));
                None
            }
        }
    } else {
        diags.push(
            Diagnostic::new(&sheet.table.file, "import", format!("{}に指標ID も指標名もありません", sheet.place_row(row)))
                .at_line(row.number)
                .help("どの指標の実績かわかるように「指標ID」か「指標名」を書いてください(planpress template actuals で作った表なら、指標ID が入っています)"),
        );
        None
    };
    let Some((ni, ii)) = found else { return };
    let unit = plan.nodes[ni].indicators[ii].unit.clone();
    let value = match values::number(&value_cell, &unit) {
        Ok(Some(v)) => v,
        Ok(None) => return,
        Err(what) => {
            diags.push(sheet.cell_error(
                row,
                value_col,
                &what,
                "実績値は 1800、1,800、69.4、△12(マイナス)のように数字だけで書いてください(単位は書かないでください)",
            ));
            return;
        }
    };
    let Some(year) = sheet.year(row, diags) else { return };
    let origin = sheet.origin(row);
    let node = &plan.nodes[ni];
    let ind = &node.indicators[ii];
    // 「69.4%」 typed into Excel is stored as 0.694 (shown with a % format).
    let scale = ind.baseline.value.value.abs().max(ind.target.value.value.abs());
    if unit.trim() == "%" && value_cell.number.is_some() && value.value.abs() <= 1.0 && scale > 5.0 {
        seen.warnings.push(
            Diagnostic::new(
                &sheet.table.file,
                "import",
                format!(
                    "{}の「{}」を {} % として読みました(基準値は {} %)",
                    sheet.place(row, value_col),
                    value_cell.text,
                    value.display(),
                    ind.baseline.value.display()
                ),
            )
            .at_line(row.number)
            .help("Excel で「69.4%」と入力すると 0.694 として保存されます。% の指標の実績値は、% を付けずに 69.4 と入力してください"),
        );
    }
    let other = match seen.actuals.get(&(ni, ii, year)) {
        Some(o) => Some(o.clone()),
        None if ind.actuals.iter().any(|m| m.year == year) => {
            Some(Origin { file: node.source.clone(), line: Some(node.line), sheet: None })
        }
        None => None,
    };
    if let Some(other) = other {
        diags.push(
            Diagnostic::new(
                &sheet.table.file,
                "import",
                format!(
                    "{}: 指標「{}」の{}の実績が2つあります({} にもあります)",
                    sheet.place_row(row),
                    ind.name,
                    year.wareki(),
                    describe(&other)
                ),
            )
            .at_line(row.number)
            .help("同じ年度の実績は1か所にだけ書いてください(前付けの actuals か _data/ の表のどちらか)"),
        );
        return;
    }
    let note = sheet.text(row, Column::Note);
    let ind = &mut plan.nodes[ni].indicators[ii];
    ind.actuals.push(Measurement { value, year });
    if !note.is_empty() {
        ind.actual_notes.insert(year, note);
    }
    seen.actuals.insert((ni, ii, year), origin);
}

fn evaluation_row(plan: &mut Plan, sheet: &Sheet, row: &Row, told_no_scale: &mut bool, diags: &mut Diagnostics) {
    let grade_text = sheet.text(row, Column::Grade);
    let comment = sheet.text(row, Column::Comment);
    let results = sheet.text(row, Column::Results);
    let cost = |col: Column, diags: &mut Diagnostics| {
        let c = sheet.header.at(col)?;
        match values::number(&row.cell(c), "千円") {
            Ok(q) => q,
            Err(what) => {
                diags.push(sheet.cell_error(
                    row,
                    c,
                    &what,
                    "金額は千円単位の数字で書いてください(例: 1,800 または 1800。「円」や「万円」は付けません)",
                ));
                None
            }
        }
    };
    let blank = |c: Column| sheet.header.at(c).is_none_or(|i| row.cell(i).text.trim().is_empty());
    if grade_text.is_empty()
        && comment.is_empty()
        && results.is_empty()
        && blank(Column::Budget)
        && blank(Column::Settlement)
    {
        return; // an unfilled template row
    }
    let Some(ni) = find_node(plan, sheet, row, diags) else { return };
    let budget = cost(Column::Budget, diags);
    let settlement = cost(Column::Settlement, diags);
    let grade = if grade_text.is_empty() {
        None
    } else {
        let col = sheet.header.at(Column::Grade).unwrap_or(0);
        match &plan.evaluation {
            None => {
                if !*told_no_scale {
                    *told_no_scale = true;
                    diags.push(sheet.cell_error(
                        row,
                        col,
                        "は評価ですが、計画に評価の区分がありません",
                        format!(
                            "{} に [evaluation] と grades(評価の区分。例: grades = [{{ symbol = \"A\", label = \"順調\", good = true }}, {{ symbol = \"B\", label = \"遅れ\" }}])を書いてください(docs/CONTENT.md)",
                            plan.source.display()
                        ),
                    ));
                }
                return;
            }
            Some(scale) => match grade_of(scale, &grade_text) {
                Some(i) => Some(i),
                None => {
                    let d = evaluation::unknown_grade(&sheet.table.file, Some(row.number), &grade_text, scale);
                    diags.push(Diagnostic {
                        message: format!("{}の{}", sheet.place(row, col), d.message),
                        rule: "import",
                        ..d
                    });
                    return;
                }
            },
        }
    };
    let Some(year) = sheet.year(row, diags) else { return };
    let origin = sheet.origin(row);
    let node = &plan.nodes[ni];
    if let Some(prev) = node.evaluations.iter().find(|e| e.year == year) {
        let d = evaluation::duplicate_year(&origin, &prev.origin, year);
        diags.push(Diagnostic {
            message: format!("{}: 「{}」の{}", sheet.place_row(row), node.label(), d.message),
            ..d
        });
        return;
    }
    let mut e =
        evaluation::build(year, grade, Some(&hard_breaks(&comment)), Some(&hard_breaks(&results)), origin, diags);
    e.budget = budget;
    e.settlement = settlement;
    plan.nodes[ni].evaluations.push(e);
}

/// The grade a cell names: its symbol (`A`, `Ａ`), its label (`順調`), or both as sheets
/// often write them (`A(順調)`, `A:順調`, `A 順調`).
fn grade_of(scale: &crate::content::GradeScale, text: &str) -> Option<usize> {
    if let Some(i) = scale.find(text) {
        return Some(i);
    }
    let t = squeeze(text);
    if let Some(i) = scale.grades.iter().position(|g| squeeze(&g.label) == t) {
        return Some(i);
    }
    scale.grades.iter().position(|g| {
        let rest = t.strip_prefix(squeeze(&g.symbol).as_str()).unwrap_or("");
        let rest = rest.trim_start_matches([':', '(', '[', '・', '、', '「']).trim_end_matches([')', ']', '」']);
        !rest.is_empty() && rest == squeeze(&g.label)
    })
}

/// Line breaks typed in a cell (Alt+Enter) stay line breaks in Markdown.
fn hard_breaks(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len());
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line.trim_end());
        if i + 1 < lines.len() {
            let next_blank = lines.get(i + 1).is_some_and(|l| l.trim().is_empty());
            if !line.trim().is_empty() && !next_blank {
                out.push_str("  ");
            }
            out.push('\n');
        }
    }
    out
}

/// The node a row names: by 施策ID, else 施策番号 (after NFKC), else 施策名.
fn find_node(plan: &Plan, sheet: &Sheet, row: &Row, diags: &mut Diagnostics) -> Option<NodeId> {
    type Key = fn(&crate::content::Node) -> Option<&str>;
    let keys: [(Column, &str, Key); 3] = [
        (Column::NodeId, "施策ID", |n| Some(n.id.as_str())),
        (Column::NodeNumber, "施策番号", |n| n.number.as_deref()),
        (Column::NodeName, "施策名", |n| Some(n.title.as_str())),
    ];
    for (col, what, key) in keys {
        let text = sheet.text(row, col);
        if text.is_empty() {
            continue;
        }
        let pos = sheet.header.at(col).unwrap_or(0);
        let want = squeeze(&text);
        let by = |key: Key| -> Vec<NodeId> {
            (0..plan.nodes.len()).filter(|&i| key(&plan.nodes[i]).is_some_and(|k| squeeze(k) == want)).collect()
        };
        let mut hits = by(key);
        if hits.is_empty() {
            // A city's 「施策」 column may hold the number or the id instead: one match of
            // either is the node.
            hits = keys.iter().map(|(.., k)| by(*k)).find(|h| h.len() == 1).unwrap_or_default();
        }
        match hits.as_slice() {
            [one] => return Some(*one),
            [] => {
                let candidates = plan.nodes.iter().filter_map(key);
                diags.push(sheet.cell_error(
                    row,
                    pos,
                    &format!("という{what}はこの計画にありません"),
                    suggest(&text, candidates, what),
                ));
            }
            many => {
                let ids: Vec<&str> = many.iter().map(|&i| plan.nodes[i].id.as_str()).collect();
                diags.push(sheet.cell_error(
                    row,
                    pos,
                    &format!("に当たる施策がこの計画に {} つあります", many.len()),
                    format!("「施策ID」の列を作り、{} のどれかを書いてください", ids.join("、")),
                ));
            }
        }
        return None;
    }
    diags.push(
        Diagnostic::new(&sheet.table.file, "import", format!("{}にどの施策の評価かが書かれていません", sheet.place_row(row)))
            .at_line(row.number)
            .help("「施策ID」「施策番号」「施策名」のどれかを書いてください(planpress template evaluations で作った表なら、施策ID が入っています)"),
    );
    None
}

/// 直し方 for a name or id that is not in the plan: the nearest one, if any is near.
pub fn suggest<'a>(wrong: &str, candidates: impl Iterator<Item = &'a str>, what: &str) -> String {
    let w = squeeze(wrong);
    let best = candidates
        .map(|c| (distance(&w, &squeeze(c)), c))
        .filter(|(d, c)| *d < w.chars().count().max(squeeze(c).chars().count()))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((_, c)) => format!(
            "もしかして「{c}」ですか。{what}は計画のファイルに書いたとおりに書いてください(planpress template で、正しい{what}の入った表を作れます)"
        ),
        None => format!(
            "{what}は計画のファイルに書いたとおりに書いてください(planpress template で、正しい{what}の入った表を作れます)"
        ),
    }
}

/// The edit distance of `a` and `b` by characters (the first 100 of each).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(100).collect();
    let b: Vec<char> = b.chars().take(100).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("市民満足度", "市民満足度"), 0);
        assert_eq!(distance("市民満足率", "市民満足度"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn the_nearest_name_is_suggested() {
        let names = ["市民満足度", "待機児童数", "図書館の利用者数"];
        assert!(suggest("待機児童の数", names.into_iter(), "指標名").contains("もしかして「待機児童数」"));
        assert!(!suggest("xyz", names.into_iter(), "指標名").contains("もしかして"));
    }

    #[test]
    fn grades_by_symbol_label_or_both() {
        use crate::content::{Grade, GradeScale};
        let g = |symbol: &str, label: &str| Grade {
            symbol: symbol.into(),
            label: label.into(),
            definition: None,
            good: false,
        };
        let scale = GradeScale {
            name: String::new(),
            grades: vec![g("A", "順調"), g("B", "やや遅れ"), g("−", "評価できない")],
        };
        for (text, want) in [
            ("A", Some(0)),
            ("Ａ", Some(0)),
            ("順調", Some(0)),
            ("A(順調)", Some(0)),
            ("Ａ（順調）", Some(0)),
            ("B:やや遅れ", Some(1)),
            ("B やや遅れ", Some(1)),
            ("−", Some(2)),
            ("A(遅れ)", None),
            ("D", None),
        ] {
            assert_eq!(grade_of(&scale, text), want, "{text}");
        }
    }

    #[test]
    fn cell_line_breaks_stay() {
        assert_eq!(hard_breaks("一つ目\n二つ目"), "一つ目  \n二つ目");
        assert_eq!(hard_breaks("段落\n\n次"), "段落\n\n次");
        assert_eq!(hard_breaks("- a\r\n- b"), "- a  \n- b");
    }
}
