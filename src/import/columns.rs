//! Header names: which column of a sheet holds what, under the names cities give them
//! (全角・半角, spaces, `(千円)`, `ID`/`id`), and which kind of sheet a header row makes.

use super::table::{Row, Table};
use super::values::squeeze;

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 指標の実績: one row per indicator and year.
    Actuals,
    /// 施策評価: one row per node and year.
    Evaluations,
}

impl Kind {
    /// 実績 / 評価, as messages name it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Actuals => "実績",
            Kind::Evaluations => "評価",
        }
    }
}

/// A column planpress reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// 指標ID.
    IndicatorId,
    /// 指標名.
    IndicatorName,
    /// 年度.
    Year,
    /// 実績値.
    Actual,
    /// 備考 (of an actual).
    Note,
    /// 施策ID (the node's id).
    NodeId,
    /// 施策番号 (the node's number as the city writes it).
    NodeNumber,
    /// 施策名.
    NodeName,
    /// 評価 (a grade of the plan's scale).
    Grade,
    /// コメント.
    Comment,
    /// 主な取組の実績.
    Results,
    /// 予算額(千円).
    Budget,
    /// 決算額(千円).
    Settlement,
}

/// The header names each column is known by (compared after [`normalize`]); the first is
/// the one templates write.
pub const NAMES: &[(Column, &[&str])] = &[
    (Column::IndicatorId, &["指標ID", "指標コード", "指標id"]),
    (Column::IndicatorName, &["指標名", "指標", "成果指標", "指標名称", "成果指標名", "KPI"]),
    (Column::Year, &["年度", "実績年度", "評価年度", "対象年度"]),
    (Column::Actual, &["実績値", "実績", "現状値", "実績(値)"]),
    (Column::Note, &["備考", "注記", "メモ", "実績の備考"]),
    (Column::NodeId, &["施策ID", "施策コード", "ノードID"]),
    (Column::NodeNumber, &["施策番号", "番号", "No", "No."]),
    (Column::NodeName, &["施策名", "施策", "施策名称"]),
    (Column::Grade, &["評価", "評価区分", "総合評価", "評価結果"]),
    (Column::Comment, &["コメント", "評価コメント", "評価の理由", "評価・課題", "課題", "所見", "評価の説明"]),
    (Column::Results, &["主な取組の実績", "取組の実績", "主な取組", "主な取組実績"]),
    (Column::Budget, &["予算額", "予算", "事業費(予算)", "予算額(千円)"]),
    (Column::Settlement, &["決算額", "決算", "事業費(決算)", "決算額(千円)"]),
];

/// The name templates write for `col`.
pub fn name(col: Column) -> &'static str {
    NAMES.iter().find(|(c, _)| *c == col).and_then(|(_, n)| n.first()).copied().unwrap_or("")
}

/// A header as compared: NFKC, no spaces, lower case, without a unit in brackets (`(千円)`)
/// or a mark of a required column (`※`, `*`, `(必須)`).
pub fn normalize(header: &str) -> String {
    let mut s = squeeze(header).to_lowercase().replace(['※', '*', '＊'], "");
    for suffix in ["(千円)", "(円)", "[千円]", "(必須)", "【必須】", "(任意)"] {
        s = s.replace(suffix, "");
    }
    s
}

/// The column a header names.
pub fn column_of(header: &str) -> Option<Column> {
    let h = normalize(header);
    if h.is_empty() {
        return None;
    }
    NAMES.iter().find(|(_, names)| names.iter().any(|n| normalize(n) == h)).map(|(c, _)| *c)
}

/// The header row of a sheet: its kind, where it is and where each column is.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// What the sheet holds.
    pub kind: Kind,
    /// Index of the header row in [`Table::rows`].
    pub index: usize,
    /// The columns found (0-based position and the header as written), first of each.
    pub columns: Found,
}

impl Header {
    /// The position of `col`, if the sheet has it.
    pub fn at(&self, col: Column) -> Option<usize> {
        self.columns.iter().find(|(c, ..)| *c == col).map(|(_, i, _)| *i)
    }

    /// The header of the column at `pos` as written.
    pub fn title(&self, pos: usize) -> &str {
        self.columns.iter().find(|(_, i, _)| *i == pos).map(|(.., t)| t.as_str()).unwrap_or("")
    }
}

/// The columns a header row holds: which, where (0-based) and the header as written.
pub type Found = Vec<(Column, usize, String)>;

/// How far down a title and notes above the header may reach.
const HEADER_SEARCH_ROWS: usize = 30;

/// The kind a row makes as a header: an indicator column with 実績値, or a node column with
/// any of 評価, コメント, 主な取組の実績, 予算, 決算.
fn kind_of(row: &Row) -> Option<(Kind, Found)> {
    let mut columns: Found = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        if let Some(c) = column_of(&cell.text) {
            if !columns.iter().any(|(k, ..)| *k == c) {
                columns.push((c, i, cell.text.trim().to_string()));
            }
        }
    }
    let has = |c: Column| columns.iter().any(|(k, ..)| *k == c);
    let kind = if (has(Column::IndicatorId) || has(Column::IndicatorName)) && has(Column::Actual) {
        Kind::Actuals
    } else if (has(Column::NodeId) || has(Column::NodeNumber) || has(Column::NodeName))
        && [Column::Grade, Column::Comment, Column::Results, Column::Budget, Column::Settlement].into_iter().any(has)
    {
        Kind::Evaluations
    } else {
        return None;
    };
    Some((kind, columns))
}

/// The first row (among the first 30) that is a header of either kind.
pub fn find_header(table: &Table) -> Option<Header> {
    table.rows.iter().take(HEADER_SEARCH_ROWS).enumerate().find_map(|(index, row)| {
        let (kind, columns) = kind_of(row)?;
        Some(Header { kind, index, columns })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::Cell;

    fn row(cells: &[&str]) -> Row {
        Row { number: 1, cells: cells.iter().map(|t| Cell { text: t.to_string(), number: None }).collect() }
    }

    #[test]
    fn header_variants() {
        assert_eq!(column_of("指標ID"), Some(Column::IndicatorId));
        assert_eq!(column_of("指標ｉｄ"), Some(Column::IndicatorId));
        assert_eq!(column_of(" 指標 名 "), Some(Column::IndicatorName));
        assert_eq!(column_of("予算額（千円）"), Some(Column::Budget));
        assert_eq!(column_of("決算額(千円)"), Some(Column::Settlement));
        assert_eq!(column_of("※実績値"), Some(Column::Actual));
        assert_eq!(column_of("主な取組の実績"), Some(Column::Results));
        assert_eq!(column_of("施策ＩＤ"), Some(Column::NodeId));
        assert_eq!(column_of("単位"), None);
        assert_eq!(column_of(""), None);
    }

    #[test]
    fn the_header_row_may_sit_below_a_title() {
        let t = Table {
            file: "a.csv".into(),
            sheet: None,
            encoding: None,
            rows: vec![
                row(&["令和6年度 成果指標 実績"]),
                row(&["指標名", "単位", "年度", "実績値", "備考"]),
                row(&["人口", "人", "R6", "100", ""]),
            ],
        };
        let h = find_header(&t).unwrap();
        assert_eq!((h.kind, h.index), (Kind::Actuals, 1));
        assert_eq!(h.at(Column::Actual), Some(3));
        assert_eq!(h.at(Column::IndicatorId), None);
        assert_eq!(h.title(3), "実績値");
    }

    #[test]
    fn kinds_by_headers() {
        let kind = |cells: &[&str]| kind_of(&row(cells)).map(|(k, _)| k);
        assert_eq!(kind(&["施策番号", "年度", "評価", "コメント"]), Some(Kind::Evaluations));
        assert_eq!(kind(&["施策名", "予算額(千円)"]), Some(Kind::Evaluations));
        // The actuals template names the measure too: 実績値 decides.
        assert_eq!(kind(&["指標ID", "施策番号", "施策名", "指標名", "実績値", "備考"]), Some(Kind::Actuals));
        assert_eq!(kind(&["施策名", "担当課"]), None);
        assert_eq!(kind(&["指標名", "目標値"]), None);
    }
}
