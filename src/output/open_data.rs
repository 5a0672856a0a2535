//! Open data: each plan's whole structure as JSON (schema in `docs/plan.schema.json`), its
//! indicators as CSV for spreadsheets (UTF-8 with BOM, one row per indicator per fiscal
//! year) and its yearly evaluations as CSV (one row per node per fiscal year). Every file
//! carries the 全国地方公共団体コード, the 地方公共団体名, the licence and the 更新日.
//! Columns are documented in `docs/OPEN_DATA.md`.

use crate::config::Department;
use crate::content::model::*;
use crate::content::FiscalYear;
use serde::Serialize;

/// The JSON Schema of [`plan_json`], published as `data/plan.schema.json`.
pub const SCHEMA: &str = include_str!("../../docs/plan.schema.json");

/// Site paths of a plan's open data files: the JSON, the indicators CSV and the
/// evaluations CSV (always written; only the header when the plan has no evaluations).
pub fn paths(plan: &Plan) -> [String; 3] {
    [
        format!("data/{}.json", plan.id),
        format!("data/{}-indicators.csv", plan.id),
        format!("data/{}-evaluations.csv", plan.id),
    ]
}

/// Who publishes a file, under which licence and when: what every open-data file carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance<'a> {
    /// 全国地方公共団体コード (six digits), empty when site.toml has no `municipality_code`.
    pub code: &'a str,
    /// 地方公共団体名: the plan's municipality.
    pub name: &'a str,
    /// The licence as site.toml names it (`CC BY 4.0`).
    pub license: &'a str,
    /// The licence's page, when planpress knows the licence.
    pub license_url: Option<&'static str>,
    /// 更新日: the build date, `YYYY-MM-DD`.
    pub updated: String,
}

impl<'a> Provenance<'a> {
    /// The provenance of `plan`'s files in `site`, dated `updated` (`YYYY-MM-DD`).
    pub fn new(site: &'a Site, plan: &'a Plan, updated: String) -> Self {
        Provenance {
            code: site.config.municipality_code.as_deref().unwrap_or_default(),
            name: &plan.municipality,
            license: &site.config.license,
            license_url: site.config.license_url(),
            updated,
        }
    }
}

#[derive(Serialize)]
struct PlanJson<'a> {
    #[serde(rename = "$schema")]
    schema: String,
    format: &'static str,
    version: u32,
    id: &'a str,
    url: String,
    title: &'a str,
    subtitle: Option<&'a str>,
    kind: Option<&'a str>,
    municipality: &'a str,
    municipality_code: Option<&'a str>,
    license: &'a str,
    license_url: Option<&'a str>,
    modified: &'a str,
    period: Option<PeriodJson>,
    vision: Option<&'a str>,
    principles: &'a [String],
    summary: Option<&'a str>,
    issued: Option<&'a str>,
    publisher: Option<&'a str>,
    levels: Vec<LevelJson<'a>>,
    evaluation: Option<&'a GradeScale>,
    themes: Vec<ThemeJson<'a>>,
    nodes: Vec<NodeJson<'a>>,
}

#[derive(Serialize)]
struct PeriodJson {
    start: YearJson,
    end: Option<YearJson>,
}

#[derive(Serialize)]
struct YearJson {
    fiscal_year: i32,
    wareki: String,
}

impl From<FiscalYear> for YearJson {
    fn from(y: FiscalYear) -> Self {
        YearJson { fiscal_year: y.0, wareki: y.wareki() }
    }
}

#[derive(Serialize)]
struct LevelJson<'a> {
    name: &'a str,
    pages: bool,
}

#[derive(Serialize)]
struct ThemeJson<'a> {
    id: &'a str,
    number: Option<&'a str>,
    title: &'a str,
    summary: Option<&'a str>,
    url: String,
}

#[derive(Serialize)]
struct NodeJson<'a> {
    id: &'a str,
    number: Option<&'a str>,
    title: &'a str,
    summary: Option<&'a str>,
    level: &'a str,
    depth: usize,
    url: String,
    sdgs: &'a [u8],
    departments: &'a [String],
    /// The ids of `departments` in `site.toml` (`[[departments]]`); empty when not declared.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    department_ids: Vec<&'a str>,
    themes: &'a [String],
    indicators: Vec<IndicatorJson<'a>>,
    evaluations: Vec<EvaluationJson<'a>>,
    body_html: std::borrow::Cow<'a, str>,
    children: Vec<NodeJson<'a>>,
}

#[derive(Serialize)]
struct IndicatorJson<'a> {
    id: &'a str,
    name: &'a str,
    unit: &'a str,
    better: Better,
    cumulative: bool,
    baseline: ValueJson,
    target: ValueJson,
    actuals: Vec<ActualJson<'a>>,
    note: Option<&'a str>,
    /// 進捗率 as shown on the pages (floored to whole percent), as a share.
    progress: Option<f64>,
    /// 期待される進捗 as shown, as a share (rule `expected`).
    expected_progress: Option<f64>,
    status: Status,
    status_reason: String,
}

#[derive(Serialize)]
struct ValueJson {
    value: f64,
    fiscal_year: i32,
    wareki: String,
}

impl From<&Measurement> for ValueJson {
    fn from(m: &Measurement) -> Self {
        ValueJson { value: m.value.value, fiscal_year: m.year.0, wareki: m.year.wareki() }
    }
}

/// An actual with its note (備考).
#[derive(Serialize)]
struct ActualJson<'a> {
    #[serde(flatten)]
    value: ValueJson,
    note: Option<&'a str>,
}

/// One fiscal year's evaluation of a node.
#[derive(Serialize)]
struct EvaluationJson<'a> {
    fiscal_year: i32,
    wareki: String,
    /// The grade's symbol, `None` when the year has no grade.
    grade: Option<&'a str>,
    grade_label: Option<&'a str>,
    comment: &'a str,
    comment_html: &'a str,
    results: &'a str,
    results_html: &'a str,
    budget: Option<f64>,
    settlement: Option<f64>,
}

/// The grade of `e` in `plan`'s scale, if it has one.
fn grade_of<'a>(plan: &'a Plan, e: &Evaluation) -> Option<&'a Grade> {
    plan.evaluation.as_ref().and_then(|s| e.grade.and_then(|g| s.grades.get(g)))
}

/// The open-data files of `plan` (JSON, indicators CSV, evaluations CSV): their paths
/// under the output folder and their bytes, dated with the build date. `build` and
/// `serve` both write exactly these.
pub fn plan_files(plan: &Plan, site: &Site) -> [(String, Vec<u8>); 3] {
    let meta = Provenance::new(site, plan, crate::html::build_date());
    let [json, csv, evaluations] = paths(plan);
    [
        (
            json,
            plan_json(plan, site.config.url_prefix(), &site.config.progress, &site.config.departments, &meta)
                .into_bytes(),
        ),
        (csv, indicators_csv(plan, &meta)),
        (evaluations, evaluations_csv(plan, &meta)),
    ]
}

/// The plan as JSON.
pub fn plan_json(
    plan: &Plan,
    base_url: &str,
    thresholds: &ProgressRule,
    departments: &[Department],
    meta: &Provenance,
) -> String {
    fn node<'a>(plan: &'a Plan, id: NodeId, base_url: &str, t: &ProgressRule, ds: &'a [Department]) -> NodeJson<'a> {
        let n = &plan.nodes[id];
        NodeJson {
            id: &n.id,
            number: n.number.as_deref(),
            title: &n.title,
            summary: n.summary.as_deref(),
            level: plan.level_name(n.depth),
            depth: n.depth,
            url: format!("{base_url}{}", crate::html::percent_encode_path(&node_path(plan, id))),
            sdgs: &n.sdgs,
            departments: &n.departments,
            department_ids: n
                .departments
                .iter()
                .filter_map(|name| ds.iter().find(|d| &d.name == name).map(|d| d.id.as_str()))
                .collect(),
            themes: &n.themes,
            indicators: n
                .indicators
                .iter()
                .map(|i| (i, i.assess(t, None)))
                .map(|(i, a)| IndicatorJson {
                    id: &i.id,
                    name: &i.name,
                    unit: &i.unit,
                    better: i.better,
                    cumulative: i.cumulative,
                    baseline: (&i.baseline).into(),
                    target: (&i.target).into(),
                    actuals: i
                        .actuals
                        .iter()
                        .map(|a| ActualJson { value: a.into(), note: i.actual_notes.get(&a.year).map(String::as_str) })
                        .collect(),
                    note: i.note.as_deref(),
                    progress: a.progress_pct.map(|p| p as f64 / 100.0),
                    expected_progress: a.expected_pct.map(|p| p as f64 / 100.0),
                    status: a.status,
                    status_reason: a.reason,
                })
                .collect(),
            evaluations: n
                .evaluations
                .iter()
                .map(|e| {
                    let grade = grade_of(plan, e);
                    EvaluationJson {
                        fiscal_year: e.year.0,
                        wareki: e.year.wareki(),
                        grade: grade.map(|g| g.symbol.as_str()),
                        grade_label: grade.map(|g| g.label.as_str()),
                        comment: &e.comment,
                        comment_html: &e.comment_html,
                        results: &e.results,
                        results_html: &e.results_html,
                        budget: e.budget.map(|q| q.value),
                        settlement: e.settlement.map(|q| q.value),
                    }
                })
                .collect(),
            body_html: n.body_html.text(),
            children: n.children.iter().map(|&c| node(plan, c, base_url, t, ds)).collect(),
        }
    }
    let doc = PlanJson {
        schema: format!("{base_url}data/plan.schema.json"),
        format: "planpress-plan",
        version: 2,
        id: &plan.id,
        url: format!("{base_url}{}", plan.path()),
        title: &plan.title,
        subtitle: plan.subtitle.as_deref(),
        kind: plan.kind.as_deref(),
        municipality: meta.name,
        municipality_code: Some(meta.code).filter(|c| !c.is_empty()),
        license: meta.license,
        license_url: meta.license_url,
        modified: &meta.updated,
        period: plan.period.map(|p| PeriodJson { start: p.start.into(), end: p.end.map(Into::into) }),
        vision: plan.vision.as_deref(),
        principles: &plan.principles,
        summary: plan.summary.as_deref(),
        issued: plan.issued.as_deref(),
        publisher: plan.publisher.as_deref(),
        levels: plan.levels.iter().map(|l| LevelJson { name: &l.name, pages: l.pages }).collect(),
        evaluation: plan.evaluation.as_ref(),
        themes: plan
            .themes
            .iter()
            .map(|t| ThemeJson {
                id: &t.id,
                number: t.number.as_deref(),
                title: &t.title,
                summary: t.summary.as_deref(),
                url: format!("{base_url}{}", crate::render::pages::theme_path(plan, &t.id)),
            })
            .collect(),
        nodes: plan.roots.iter().map(|&r| node(plan, r, base_url, thresholds, departments)).collect(),
    };
    serde_json::to_string_pretty(&doc).expect("plan JSON serializes")
}

/// The indicators CSV header, in column order.
pub const CSV_HEADER: [&str; 22] = [
    "全国地方公共団体コード",
    "地方公共団体名",
    "計画ID",
    "分野ID",
    "分野",
    "項目ID",
    "番号",
    "項目名",
    "階層",
    "指標ID",
    "指標名",
    "単位",
    "評価の向き",
    "累計",
    "年度(西暦)",
    "年度(和暦)",
    "基準値",
    "実績値",
    "目標値",
    "備考",
    "ライセンス",
    "更新日",
];

/// The evaluations CSV header, in column order.
pub const EVALUATIONS_CSV_HEADER: [&str; 18] = [
    "全国地方公共団体コード",
    "地方公共団体名",
    "計画ID",
    "年度(西暦)",
    "年度(和暦)",
    "施策ID",
    "番号",
    "階層",
    "名称",
    "評価記号",
    "評価",
    "評価の定義",
    "コメント",
    "主な取組の実績",
    "予算額(千円)",
    "決算額(千円)",
    "ライセンス",
    "更新日",
];

/// First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
/// Injection"): `=`, `+`, `-`, `@`, tab and carriage return. The full-width `＝＋－＠` are
/// plain text to Excel and are left alone.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell that a spreadsheet shows as text: one starting with a [`FORMULA_STARTS`]
/// character gets a leading `'` (`=HYPERLINK(…)` → `'=HYPERLINK(…)`), so it is not run as a
/// formula. Only for text columns; numbers (`-3.5`) must not go through here.
fn text_cell(s: &str) -> String {
    if s.starts_with(FORMULA_STARTS) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A CSV writer into memory: UTF-8 with BOM, CRLF line ends.
fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec())
}

/// The plan's indicators as CSV: UTF-8 with BOM, one row per indicator per fiscal year
/// from the baseline year to the target year (and any actual outside it).
pub fn indicators_csv(plan: &Plan, meta: &Provenance) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(CSV_HEADER).expect("writing to memory");
    for (id, n) in plan.nodes.iter().enumerate() {
        let top = &plan.nodes[plan.top_of(id)];
        for ind in &n.indicators {
            let first = ind.actuals.first().map_or(ind.baseline.year, |a| a.year.min(ind.baseline.year));
            let last = ind.actuals.last().map_or(ind.target.year, |a| a.year.max(ind.target.year));
            for year in first.0..=last.0 {
                let at = |m: &Measurement| (m.year.0 == year).then(|| m.value.display_plain());
                let actual = ind.actuals.iter().find_map(at);
                let note = ind.actual_notes.get(&FiscalYear(year)).map(String::as_str).unwrap_or_default();
                // Text columns go through `text_cell`; the code (six digits), the year and
                // the values are numbers (`-3.5` is a value, not a formula) and are written
                // as they are.
                let row = [
                    meta.code.to_string(),
                    text_cell(meta.name),
                    text_cell(&plan.id),
                    text_cell(&top.id),
                    text_cell(&top.title),
                    text_cell(&n.id),
                    text_cell(n.number.as_deref().unwrap_or_default()),
                    text_cell(&n.title),
                    text_cell(plan.level_name(n.depth)),
                    text_cell(&ind.id),
                    text_cell(&ind.name),
                    text_cell(&ind.unit),
                    text_cell(ind.better.label()),
                    if ind.cumulative { "はい" } else { "いいえ" }.to_string(),
                    year.to_string(),
                    text_cell(&FiscalYear(year).wareki()),
                    at(&ind.baseline).unwrap_or_default(),
                    actual.unwrap_or_default(),
                    at(&ind.target).unwrap_or_default(),
                    text_cell(note),
                    text_cell(meta.license),
                    meta.updated.clone(),
                ];
                w.write_record(&row).expect("writing to memory");
            }
        }
    }
    w.into_inner().expect("flush to memory")
}

/// The plan's nodes in document order (each node before its children, siblings in order).
fn document_order(plan: &Plan) -> Vec<NodeId> {
    let mut out = Vec::with_capacity(plan.nodes.len());
    let mut stack: Vec<NodeId> = plan.roots.iter().rev().copied().collect();
    // Every node is pushed once, by its parent, so this ends after `nodes.len()` steps.
    while let Some(id) = stack.pop() {
        out.push(id);
        stack.extend(plan.nodes[id].children.iter().rev());
    }
    out
}

/// The plan's yearly evaluations as CSV: UTF-8 with BOM, one row per node per fiscal year
/// it was evaluated, by year and then in the plan's order.
pub fn evaluations_csv(plan: &Plan, meta: &Provenance) -> Vec<u8> {
    let mut w = csv_writer();
    w.write_record(EVALUATIONS_CSV_HEADER).expect("writing to memory");
    let mut rows: Vec<(FiscalYear, usize, NodeId, &Evaluation)> = document_order(plan)
        .into_iter()
        .enumerate()
        .flat_map(|(k, id)| plan.nodes[id].evaluations.iter().map(move |e| (e.year, k, id, e)))
        .collect();
    rows.sort_by_key(|&(year, k, ..)| (year, k));
    for (year, _, id, e) in rows {
        let n = &plan.nodes[id];
        let grade = grade_of(plan, e);
        let amount = |q: Option<Quantity>| q.map(|q| q.display_plain()).unwrap_or_default();
        let row = [
            meta.code.to_string(),
            text_cell(meta.name),
            text_cell(&plan.id),
            year.0.to_string(),
            text_cell(&year.wareki()),
            text_cell(&n.id),
            text_cell(n.number.as_deref().unwrap_or_default()),
            text_cell(plan.level_name(n.depth)),
            text_cell(&n.title),
            text_cell(grade.map(|g| g.symbol.as_str()).unwrap_or_default()),
            text_cell(grade.map(|g| g.label.as_str()).unwrap_or_default()),
            text_cell(grade.and_then(|g| g.definition.as_deref()).unwrap_or_default()),
            text_cell(&e.comment),
            text_cell(&e.results),
            amount(e.budget),
            amount(e.settlement),
            text_cell(meta.license),
            meta.updated.clone(),
        ];
        w.write_record(&row).expect("writing to memory");
    }
    w.into_inner().expect("flush to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::path::PathBuf;

    /// A plan of one node with one indicator, the node and indicator texts given.
    fn plan(node_title: &str, ind_name: &str, unit: &str, baseline: f64, note: &str) -> Plan {
        let m = |value: f64, decimals: u8, year: i32| Measurement {
            value: Quantity { value, decimals },
            year: FiscalYear(year),
        };
        let node = Node {
            id: "1".into(),
            number: Some("-1-".into()),
            title: node_title.into(),
            summary: None,
            weight: None,
            sdgs: vec![],
            departments: vec![],
            themes: vec![],
            indicators: vec![Indicator {
                id: "1-1".into(),
                name: ind_name.into(),
                unit: unit.into(),
                better: Better::Lower,
                baseline: m(baseline, 1, 2019),
                target: m(-10.0, 0, 2020),
                actuals: vec![],
                actual_notes: Default::default(),
                cumulative: false,
                note: Some(note.into()),
            }],
            evaluations: vec![],
            body_html: Default::default(),
            headings: vec![],
            sections: vec![],
            depth: 0,
            parent: None,
            children: vec![],
            has_page: true,
            source: PathBuf::from("content/p/1.md"),
            line: 1,
            draft: false,
            aliases: Vec::new(),
            updated: None,
        };
        Plan {
            id: "p".into(),
            title: "計画".into(),
            kind: None,
            municipality: "市".into(),
            subtitle: None,
            period: Some(Period { start: FiscalYear(2019), end: Some(FiscalYear(2020)) }),
            vision: None,
            principles: vec![],
            summary: None,
            issued: None,
            publisher: None,
            weight: None,
            levels: vec![Level { name: "分野".into(), pages: true, keep_empty: false }],
            themes: vec![],
            evaluation: None,
            body_html: Default::default(),
            headings: vec![],
            sections: vec![],
            chapters: vec![],
            nodes: vec![node],
            roots: vec![0],
            source: PathBuf::from("content/p/_plan.md"),
            draft: false,
            drafts_left_out: 0,
            aliases: Vec::new(),
            updated: None,
        }
    }

    fn rows(csv: &[u8]) -> Vec<csv::StringRecord> {
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        csv::Reader::from_reader(&csv[3..]).records().map(Result::unwrap).collect()
    }

    /// The index of indicator CSV column `name`.
    fn col(name: &str) -> usize {
        CSV_HEADER.iter().position(|c| *c == name).unwrap()
    }

    /// The index of evaluations CSV column `name`.
    fn ecol(name: &str) -> usize {
        EVALUATIONS_CSV_HEADER.iter().position(|c| *c == name).unwrap()
    }

    fn meta() -> Provenance<'static> {
        Provenance {
            code: "222135",
            name: "掛川市",
            license: "CC BY 4.0",
            license_url: crate::config::license_url("CC BY 4.0"),
            updated: "2025-01-01".into(),
        }
    }

    /// `plan(…)` with a grade scale and two nodes (a parent and a child) evaluated in
    /// two years, written out of order, and a noted actual.
    fn evaluated_plan(comment: &str) -> Plan {
        let mut p = plan("市民の参加", "市民の割合", "%", 69.4, "調査");
        p.evaluation = Some(GradeScale {
            name: "施策評価".into(),
            grades: vec![
                Grade {
                    symbol: "A".into(), label: "順調".into(), definition: Some("目標値どおり".into()), good: true
                },
                Grade { symbol: "B".into(), label: "要改善".into(), definition: None, good: false },
            ],
        });
        let eval = |year: i32, grade: Option<usize>, comment: &str, budget: Option<f64>| Evaluation {
            year: FiscalYear(year),
            grade,
            comment_html: format!("<p>{comment}</p>"),
            comment: comment.into(),
            results_html: String::new(),
            results: "説明会を3回".into(),
            budget: budget.map(|value| Quantity { value, decimals: 0 }),
            settlement: None,
            origin: Origin { file: PathBuf::from("content/p/_data/evaluations-R6.csv"), line: Some(2), sheet: None },
        };
        let mut child = p.nodes[0].clone();
        child.id = "1-1".into();
        child.number = Some("1-(1)".into());
        child.title = "子の施策".into();
        child.depth = 1;
        child.parent = Some(0);
        child.indicators.clear();
        child.evaluations = vec![eval(2019, Some(1), "遅れ", None)];
        p.nodes[0].children = vec![1];
        p.nodes[0].evaluations = vec![eval(2019, Some(0), comment, Some(-1200.0)), eval(2020, None, "未評価", None)];
        p.nodes[0].indicators[0].actuals =
            vec![Measurement { value: Quantity { value: 70.5, decimals: 1 }, year: FiscalYear(2020) }];
        p.nodes[0].indicators[0].actual_notes.insert(FiscalYear(2020), "=速報値".into());
        p.nodes[0].indicators[0].cumulative = true;
        p.levels.push(Level { name: "施策".into(), pages: true, keep_empty: false });
        p.nodes.push(child);
        p
    }

    #[test]
    fn text_cells_that_start_a_formula_get_a_quote() {
        assert_eq!(text_cell("=HYPERLINK(\"http://x\",\"y\")"), "'=HYPERLINK(\"http://x\",\"y\")");
        for s in ["=1+1", "+81", "-3.5", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(text_cell(s), format!("'{s}"), "{s:?}");
        }
        // Full-width signs, a formula character later in the text, a quote already there.
        for s in ["＝1+1", "＋1", "－1", "＠x", "市民の割合 =", "'=1", "", "69.4", " =1"] {
            assert_eq!(text_cell(s), s, "{s:?}");
        }
    }

    #[test]
    fn csv_neutralises_formulas_in_text_but_keeps_negative_numbers() {
        let p = plan("@市民の参加", "=HYPERLINK(\"http://x\",\"y\")", "+人", -3.5, "=HYPERLINK(\"http://x\",\"y\")");
        let bytes = indicators_csv(&p, &meta());
        let rows = rows(&bytes);
        assert_eq!(rows.len(), 2, "2019 and 2020");
        let r = &rows[0];
        assert_eq!(&r[col("分野")], "'@市民の参加");
        assert_eq!(&r[col("番号")], "'-1-");
        assert_eq!(&r[col("項目名")], "'@市民の参加");
        assert_eq!(&r[col("指標名")], "'=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(&r[col("単位")], "'+人");
        assert_eq!(&r[col("年度(西暦)")], "2019");
        assert_eq!(&r[col("基準値")], "-3.5", "a negative baseline stays a number");
        assert_eq!(&rows[1][col("目標値")], "-10", "a negative target stays a number");
        // The raw bytes: the formula cell is quoted by the CSV writer and starts with '.
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","), "{text}");
        assert!(text.contains(",-3.5,"), "{text}");
        assert!(!text.contains(",=") && !text.contains(",\"="), "{text}");
    }

    #[test]
    fn csv_leaves_ordinary_text_alone() {
        let p = plan("教育・文化分野", "市民の割合", "%", 69.4, "出典: 市民意識調査");
        let rows = rows(&indicators_csv(&p, &meta()));
        assert_eq!(&rows[0][col("項目名")], "教育・文化分野");
        assert_eq!(&rows[0][col("指標名")], "市民の割合");
        assert_eq!(&rows[0][col("評価の向き")], "低いほど良い");
        assert_eq!(&rows[0][col("年度(和暦)")], "令和元年度");
        assert_eq!(&rows[0][col("基準値")], "69.4");
        assert_eq!(&rows[0][col("累計")], "いいえ");
    }

    #[test]
    fn every_csv_starts_with_the_code_and_name_and_ends_with_licence_and_date() {
        let p = evaluated_plan("順調");
        for (header, bytes) in [
            (&CSV_HEADER[..], indicators_csv(&p, &meta())),
            (&EVALUATIONS_CSV_HEADER[..], evaluations_csv(&p, &meta())),
        ] {
            assert_eq!(header[..2], ["全国地方公共団体コード", "地方公共団体名"]);
            assert_eq!(header[header.len() - 2..], ["ライセンス", "更新日"]);
            let rows = rows(&bytes);
            assert!(!rows.is_empty());
            for r in &rows {
                assert_eq!(r.len(), header.len());
                assert_eq!((&r[0], &r[1]), ("222135", "掛川市"));
                assert_eq!((&r[r.len() - 2], &r[r.len() - 1]), ("CC BY 4.0", "2025-01-01"));
            }
        }
        // Without municipality_code the column is there and empty.
        let none = Provenance { code: "", ..meta() };
        assert!(rows(&evaluations_csv(&p, &none)).iter().all(|r| r[0].is_empty()));
        assert!(rows(&indicators_csv(&p, &none)).iter().all(|r| r[0].is_empty()));
    }

    #[test]
    fn indicator_rows_carry_the_note_of_their_actual_and_the_cumulative_flag() {
        let p = evaluated_plan("順調");
        let rows = rows(&indicators_csv(&p, &meta()));
        let by_year = |y: &str| rows.iter().find(|r| &r[col("年度(西暦)")] == y).unwrap();
        assert_eq!(&by_year("2020")[col("実績値")], "70.5");
        assert_eq!(&by_year("2020")[col("備考")], "'=速報値", "a note is text: neutralised");
        assert_eq!(&by_year("2019")[col("備考")], "");
        assert!(rows.iter().all(|r| &r[col("累計")] == "はい"));
    }

    #[test]
    fn evaluation_rows_by_year_then_plan_order() {
        let p = evaluated_plan("=SUM(A1)\n2行目");
        let rows = rows(&evaluations_csv(&p, &meta()));
        let keys: Vec<(&str, &str)> = rows.iter().map(|r| (&r[ecol("年度(西暦)")], &r[ecol("施策ID")])).collect();
        assert_eq!(keys, [("2019", "1"), ("2019", "1-1"), ("2020", "1")]);
        let r = &rows[0];
        assert_eq!(&r[ecol("計画ID")], "p");
        assert_eq!(&r[ecol("年度(和暦)")], "令和元年度");
        assert_eq!(&r[ecol("番号")], "'-1-");
        assert_eq!(&r[ecol("階層")], "分野");
        assert_eq!(&r[ecol("名称")], "市民の参加");
        assert_eq!((&r[ecol("評価記号")], &r[ecol("評価")], &r[ecol("評価の定義")]), ("A", "順調", "目標値どおり"));
        assert_eq!(&r[ecol("コメント")], "'=SUM(A1)\n2行目", "a formula in a comment is neutralised");
        assert_eq!(&r[ecol("主な取組の実績")], "説明会を3回");
        assert_eq!(&r[ecol("予算額(千円)")], "-1200", "an amount stays a number");
        assert_eq!(&r[ecol("決算額(千円)")], "");
        assert_eq!((&rows[1][ecol("階層")], &rows[1][ecol("評価")]), ("施策", "要改善"));
        assert_eq!((&rows[2][ecol("評価記号")], &rows[2][ecol("評価の定義")]), ("", ""), "a year without a grade");
        let text = String::from_utf8(evaluations_csv(&p, &meta())).unwrap();
        assert!(!text.contains(",=") && !text.contains(",\"="), "{text}");
    }

    #[test]
    fn a_plan_without_evaluations_has_only_the_header() {
        let p = plan("分野", "指標", "%", 1.0, "");
        let bytes = evaluations_csv(&p, &meta());
        assert!(rows(&bytes).is_empty());
        assert!(String::from_utf8(bytes).unwrap().starts_with("\u{feff}全国地方公共団体コード,地方公共団体名,計画ID,"));
    }

    #[test]
    fn json_carries_provenance_the_scale_evaluations_and_notes() {
        let p = evaluated_plan("順調");
        let v: serde_json::Value =
            serde_json::from_str(&plan_json(&p, "https://x.jp/", &ProgressRule::default(), &[], &meta())).unwrap();
        assert_eq!(v["version"], 2);
        assert_eq!(v["municipality"], "掛川市", "the provenance's name, as in the CSV");
        assert_eq!(v["municipality_code"], "222135");
        assert_eq!(v["license"], "CC BY 4.0");
        assert_eq!(v["license_url"], "https://creativecommons.org/licenses/by/4.0/deed.ja");
        assert_eq!(v["modified"], "2025-01-01");
        assert_eq!(v["evaluation"]["name"], "施策評価");
        assert_eq!(v["evaluation"]["grades"][0]["symbol"], "A");
        assert_eq!(v["evaluation"]["grades"][0]["good"], true);
        assert_eq!(v["evaluation"]["grades"][1]["definition"], serde_json::Value::Null);
        let node = &v["nodes"][0];
        let e = &node["evaluations"];
        assert_eq!((e[0]["fiscal_year"].as_i64(), e[0]["grade"].as_str()), (Some(2019), Some("A")));
        assert_eq!(e[0]["grade_label"], "順調");
        assert_eq!(e[0]["comment"], "順調");
        assert_eq!(e[0]["comment_html"], "<p>順調</p>");
        assert_eq!(e[0]["budget"], -1200.0);
        assert_eq!(e[0]["settlement"], serde_json::Value::Null);
        assert_eq!(e[1]["grade"], serde_json::Value::Null);
        assert_eq!(node["children"][0]["evaluations"][0]["grade"], "B");
        let ind = &node["indicators"][0];
        assert_eq!(ind["cumulative"], true);
        assert_eq!(ind["actuals"][0]["value"], 70.5);
        assert_eq!(ind["actuals"][0]["note"], "=速報値", "JSON keeps the text as written");
        // Without a code: null, not "".
        let none = Provenance { code: "", license_url: None, ..meta() };
        let v: serde_json::Value =
            serde_json::from_str(&plan_json(&p, "https://x.jp/", &ProgressRule::default(), &[], &none)).unwrap();
        assert_eq!(v["municipality_code"], serde_json::Value::Null);
        assert_eq!(v["license_url"], serde_json::Value::Null);
        // Every property the JSON has is one the schema declares (additionalProperties).
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        let declared = |def: &serde_json::Value, obj: &serde_json::Value| {
            let props = def["properties"].as_object().unwrap();
            for k in obj.as_object().unwrap().keys() {
                assert!(props.contains_key(k), "{k} is not in the schema");
            }
            for r in def["required"].as_array().unwrap() {
                assert!(obj.get(r.as_str().unwrap()).is_some(), "{r} is required");
            }
        };
        declared(&schema, &v);
        declared(&schema["$defs"]["node"], node);
        declared(&schema["$defs"]["evaluation"], &e[0]);
        declared(&schema["$defs"]["indicator"], ind);
        declared(&schema["$defs"]["actual"], &ind["actuals"][0]);
        declared(&schema["$defs"]["grade_scale"], &v["evaluation"]);
        declared(&schema["$defs"]["grade"], &v["evaluation"]["grades"][0]);
    }

    #[test]
    fn nodes_in_document_order() {
        let mut p = evaluated_plan("");
        let mut second = p.nodes[0].clone();
        second.id = "2".into();
        second.children.clear();
        p.nodes.push(second);
        p.roots = vec![0, 2];
        assert_eq!(document_order(&p), [0, 1, 2]);
    }

    #[test]
    fn schema_is_json() {
        let v: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(v["properties"]["version"]["const"], 2);
    }
}
