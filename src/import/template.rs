//! The sheet `planpress template` writes from a plan, so that a 担当課 only types numbers:
//! one row per indicator (実績) or per node (評価) with the ids filled in, as `.xlsx` (bold
//! frozen header, column widths, a list of the plan's grades in 評価, a sheet
//! 「記入のしかた」) or as `.csv` (UTF-8 with BOM, which Excel opens without garbling).

use super::columns::{name, Column, Kind};
use crate::config::SiteConfig;
use crate::content::{FiscalYear, NodeId, Plan, Site};
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::path::PathBuf;

/// The sheet of a template workbook that explains the columns; import skips it.
pub const GUIDE_SHEET: &str = "記入のしかた";

/// What `planpress template` was asked for.
#[derive(Debug, Clone)]
pub struct TemplateOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Actuals or evaluations.
    pub kind: Kind,
    /// The plan's id; `None`: the site's main plan.
    pub plan: Option<String>,
    /// The fiscal year as typed (`R6`, `令和6年度`, `2024`).
    pub year: String,
    /// The file to write (`.xlsx` or `.csv`); `None`: `actuals-R6.xlsx` in the current folder.
    pub output: Option<PathBuf>,
}

/// What [`write`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The template file.
    pub file: PathBuf,
    /// Where the filled sheet goes: the plan's `_data/` (under the site root).
    pub data_dir: PathBuf,
}

/// Loads the site and writes the template.
pub fn write(opts: &TemplateOptions) -> Result<Written, Diagnostics> {
    let year = FiscalYear::parse(&opts.year).map_err(|e| {
        Diagnostics::from(
            Diagnostic::new("--year", "template", e).help("--year R6 のように、表に記入する年度を書いてください"),
        )
    })?;
    let config = SiteConfig::load(&opts.root).map_err(Diagnostics::from)?;
    let site = crate::content::load_site(&opts.root, config)?;
    let plan = pick_plan(&site, opts.plan.as_deref())?;
    let out = opts.output.clone().unwrap_or_else(|| PathBuf::from(default_name(opts.kind, year)));
    let bytes = match super::table::extension(&out).as_str() {
        "csv" => csv_bytes(plan, opts.kind, year),
        "xlsx" => xlsx_bytes(plan, opts.kind, year, &site)
            .map_err(|e| Diagnostics::from(Diagnostic::new(&out, "template", format!("表を作れません: {e}"))))?,
        _ => {
            return Err(Diagnostic::new(&out, "template", "書き出すファイルの拡張子は .xlsx か .csv にしてください")
                .help("-o actuals-R6.xlsx のように書いてください")
                .into())
        }
    };
    std::fs::write(&out, bytes).map_err(|e| {
        Diagnostics::from(
            Diagnostic::new(&out, "io", format!("書き出せません: {e}"))
                .help("フォルダがあるか、同じ名前のファイルを Excel で開いていないかを確かめてください"),
        )
    })?;
    Ok(Written { file: out, data_dir: opts.root.join(super::data_dir(plan)) })
}

fn pick_plan<'a>(site: &'a Site, id: Option<&str>) -> Result<&'a Plan, Diagnostics> {
    let ids: Vec<&str> = site.plans.iter().map(|p| p.id.as_str()).collect();
    let found = match id {
        Some(id) => site.plans.iter().find(|p| p.id == id).map(|p| &**p),
        None => site.main_plan(),
    };
    found.ok_or_else(|| {
        Diagnostic::new("--plan", "template", format!("計画「{}」がありません", id.unwrap_or("")))
            .help(format!("--plan に計画のフォルダ名を書いてください(この サイトの計画: {})", ids.join("、")))
            .into()
    })
}

/// `actuals-R6.xlsx`, `evaluations-R6.xlsx`.
pub fn default_name(kind: Kind, year: FiscalYear) -> String {
    let y = if year.0 >= 2019 { format!("R{}", year.0 - 2018) } else { year.0.to_string() };
    match kind {
        Kind::Actuals => format!("actuals-{y}.xlsx"),
        Kind::Evaluations => format!("evaluations-{y}.xlsx"),
    }
}

/// The nodes of `plan` in display order (parents before their children).
fn in_order(plan: &Plan) -> Vec<NodeId> {
    let mut out = Vec::with_capacity(plan.nodes.len());
    let mut stack: Vec<NodeId> = plan.roots.iter().rev().copied().collect();
    while let Some(id) = stack.pop() {
        if out.len() >= plan.nodes.len() {
            break;
        }
        out.push(id);
        stack.extend(plan.nodes[id].children.iter().rev().copied());
    }
    out
}

/// The columns of a template and how wide they are (in characters).
fn header(kind: Kind) -> Vec<(&'static str, f64)> {
    match kind {
        Kind::Actuals => vec![
            (name(Column::IndicatorId), 12.0),
            (name(Column::NodeNumber), 10.0),
            (name(Column::NodeName), 30.0),
            (name(Column::IndicatorName), 40.0),
            ("単位", 8.0),
            ("基準値", 10.0),
            ("目標値", 10.0),
            (name(Column::Year), 12.0),
            (name(Column::Actual), 12.0),
            (name(Column::Note), 30.0),
        ],
        Kind::Evaluations => vec![
            (name(Column::NodeId), 10.0),
            (name(Column::NodeNumber), 10.0),
            (name(Column::NodeName), 36.0),
            (name(Column::Year), 12.0),
            (name(Column::Grade), 8.0),
            (name(Column::Comment), 50.0),
            (name(Column::Results), 40.0),
            ("予算額(千円)", 14.0),
            ("決算額(千円)", 14.0),
        ],
    }
}

/// A template cell: text, or a number (baseline and target).
enum Value {
    Text(String),
    Number(f64),
}

/// The rows of a template below its header.
fn rows(plan: &Plan, kind: Kind, year: FiscalYear) -> Vec<Vec<Value>> {
    let t = |s: &str| Value::Text(s.to_string());
    let mut out = Vec::new();
    for id in in_order(plan) {
        let node = &plan.nodes[id];
        let number = node.number.clone().unwrap_or_default();
        match kind {
            Kind::Actuals => {
                for ind in &node.indicators {
                    out.push(vec![
                        t(&ind.id),
                        t(&number),
                        t(&node.title),
                        t(&ind.name),
                        t(&ind.unit),
                        Value::Number(ind.baseline.value.value),
                        Value::Number(ind.target.value.value),
                        t(&year.wareki()),
                        t(""),
                        t(""),
                    ]);
                }
            }
            Kind::Evaluations => {
                out.push(vec![
                    t(&node.id),
                    t(&number),
                    t(&node.title),
                    t(&year.wareki()),
                    t(""),
                    t(""),
                    t(""),
                    t(""),
                    t(""),
                ]);
            }
        }
    }
    out
}

fn sheet_name(kind: Kind) -> &'static str {
    kind.label()
}

fn csv_bytes(plan: &Plan, kind: Kind, year: FiscalYear) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(header(kind).iter().map(|(h, _)| *h));
    for row in rows(plan, kind, year) {
        let _ = w.write_record(row.iter().map(|v| match v {
            Value::Text(s) => s.clone(),
            Value::Number(n) => super::table::format_number(*n),
        }));
    }
    w.into_inner().unwrap_or_default()
}

fn xlsx_bytes(plan: &Plan, kind: Kind, year: FiscalYear, site: &Site) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Color, DataValidation, Format, FormatBorder, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7)).set_border(FormatBorder::Thin);
    let wrap = Format::new().set_text_wrap();
    let cols = header(kind);
    let body = rows(plan, kind, year);
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(kind))?;
    for (c, (h, width)) in cols.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in body.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match v {
                Value::Text(s) if s.is_empty() => {}
                Value::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Value::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
            }
        }
    }
    let last = body.len().max(1) as u32;
    if kind == Kind::Evaluations {
        if let Some(scale) = &plan.evaluation {
            let symbols: Vec<&str> = scale.grades.iter().map(|g| g.symbol.as_str()).collect();
            let labels: Vec<String> = scale.grades.iter().map(|g| format!("{} {}", g.symbol, g.label)).collect();
            let mut dv = DataValidation::new().allow_list_strings(&symbols)?.set_input_title("評価")?;
            let message: String = labels.join("\n").chars().take(250).collect();
            dv = dv.set_input_message(message)?;
            dv = dv.set_error_title("評価")?.set_error_message("一覧から評価の記号を選んでください")?;
            sheet.add_data_validation(1, 4, last, 4, &dv)?;
        }
        for c in [5u16, 6] {
            sheet.set_column_format(c, &wrap)?;
        }
    }
    let guide = book.add_worksheet();
    guide.set_name(GUIDE_SHEET)?;
    guide.set_column_width(0, 18)?;
    guide.set_column_width(1, 90)?;
    let mut r = 0u32;
    let title = format!("{}({} {})の記入のしかた", plan.title, year.wareki(), kind.label());
    guide.write_string_with_format(r, 0, title, &Format::new().set_bold())?;
    r += 2;
    for (h, text) in guide_lines(plan, kind, site) {
        guide.write_string_with_format(r, 0, h, &Format::new().set_bold())?;
        guide.write_string_with_format(r, 1, text, &wrap)?;
        r += 1;
    }
    book.save_to_buffer()
}

/// What the 「記入のしかた」 sheet says: (column or topic, explanation).
fn guide_lines(plan: &Plan, kind: Kind, site: &Site) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    match kind {
        Kind::Actuals => {
            out.push(s("指標ID", "どの指標の実績かを表します。変えないでください(行を消すのはかまいません)"));
            out.push(s(
                "施策番号・施策名・指標名・単位・基準値・目標値",
                "確かめるための欄です。読み込むときには使いません",
            ));
            out.push(s("年度", "実績の年度です(令和6年度、R6、2024 のどれでも)"));
            out.push(s("実績値", "数字だけを書きます(1,800 や 69.4。マイナスは △12 でも可)。単位は書きません。わからないときは空のままにします"));
            out.push(s("備考", "実績についての短い注記(任意。調査方法の変更など)"));
        }
        Kind::Evaluations => {
            out.push(s(
                "施策ID",
                "どの施策の評価かを表します。変えないでください(評価しない行は消すか空のままにします)",
            ));
            out.push(s("施策番号・施策名", "確かめるための欄です(施策ID を消したときは、施策番号か施策名で探します)"));
            out.push(s("年度", "評価の年度です"));
            out.push(s("評価", "下の評価の区分の記号を書きます(セルを選ぶと一覧から選べます)"));
            out.push(s("コメント", "評価の理由や課題。セルの中の改行はそのまま改行になります"));
            out.push(s("主な取組の実績", "その年度に行った主な取組(任意)"));
            out.push(s("予算額(千円)・決算額(千円)", "事業費を千円単位の数字で(任意)"));
            match &plan.evaluation {
                Some(scale) => {
                    out.push(s("", ""));
                    out.push((format!("{}の区分", scale.name), "(良い順)".to_string()));
                    for g in &scale.grades {
                        let good = if g.good { "(良い評価として数えます)" } else { "" };
                        out.push((
                            g.symbol.clone(),
                            format!(
                                "{}{}{good}",
                                g.label,
                                g.definition.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
                            ),
                        ));
                    }
                }
                None => out.push(s(
                    "評価の区分",
                    "この計画にはまだ評価の区分がありません。評価を書く前に、_plan.md に [evaluation] を書いてください",
                )),
            }
        }
    }
    out.push(s("", ""));
    out.push(s(
        "保存のしかた",
        &format!(
            "このファイルを Excel ブック(.xlsx)のまま、サイトの content/{}/_data/ フォルダに保存します。CSV で保存するときは「CSV UTF-8」か「CSV (コンマ区切り)」を選びます。{} のサイトを作り直すと、ページに載ります",
            plan.id, site.config.municipality
        ),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_say_the_year() {
        assert_eq!(default_name(Kind::Actuals, FiscalYear(2024)), "actuals-R6.xlsx");
        assert_eq!(default_name(Kind::Evaluations, FiscalYear(2019)), "evaluations-R1.xlsx");
        assert_eq!(default_name(Kind::Actuals, FiscalYear(2018)), "actuals-2018.xlsx");
    }

    #[test]
    fn template_headers_are_read_back_as_their_kind() {
        for kind in [Kind::Actuals, Kind::Evaluations] {
            let cells = header(kind)
                .iter()
                .map(|(h, _)| super::super::table::Cell { text: h.to_string(), number: None })
                .collect();
            let t = super::super::table::Table {
                file: "a.csv".into(),
                sheet: None,
                encoding: None,
                rows: vec![super::super::table::Row { number: 1, cells }],
            };
            assert_eq!(super::super::columns::find_header(&t).map(|h| h.kind), Some(kind));
        }
    }
}
