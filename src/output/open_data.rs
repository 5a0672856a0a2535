//! Open data: each plan's whole structure as JSON (schema in `docs/plan.schema.json`) and
//! its indicators as CSV for spreadsheets (UTF-8 with BOM, one row per indicator per
//! fiscal year). Columns are documented in `docs/OPEN_DATA.md`.

use crate::content::model::*;
use crate::content::FiscalYear;
use serde::Serialize;

/// The JSON Schema of [`plan_json`], published as `data/plan.schema.json`.
pub const SCHEMA: &str = include_str!("../../docs/plan.schema.json");

/// Site paths of a plan's open data files.
pub fn paths(plan: &Plan) -> [String; 2] {
    [format!("data/{}.json", plan.id), format!("data/{}-indicators.csv", plan.id)]
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
    kind: Option<&'a str>,
    municipality: &'a str,
    period: PeriodJson,
    vision: Option<&'a str>,
    principles: &'a [String],
    summary: Option<&'a str>,
    issued: Option<&'a str>,
    publisher: Option<&'a str>,
    levels: Vec<LevelJson<'a>>,
    themes: Vec<ThemeJson<'a>>,
    nodes: Vec<NodeJson<'a>>,
}

#[derive(Serialize)]
struct PeriodJson {
    start: YearJson,
    end: YearJson,
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
    themes: &'a [String],
    indicators: Vec<IndicatorJson<'a>>,
    body_html: &'a str,
    children: Vec<NodeJson<'a>>,
}

#[derive(Serialize)]
struct IndicatorJson<'a> {
    id: &'a str,
    name: &'a str,
    unit: &'a str,
    better: Better,
    baseline: ValueJson,
    target: ValueJson,
    actuals: Vec<ValueJson>,
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

/// The open-data files of `plan` (JSON, then CSV): their paths under the output folder and
/// their bytes. `build` and `serve` both write exactly these.
pub fn plan_files(plan: &Plan, site: &crate::content::model::Site) -> [(String, Vec<u8>); 2] {
    let [json, csv] = paths(plan);
    [(json, plan_json(plan, &site.config.base_url, &site.config.progress).into_bytes()), (csv, indicators_csv(plan))]
}

/// The plan as JSON.
pub fn plan_json(plan: &Plan, base_url: &str, thresholds: &ProgressRule) -> String {
    fn node<'a>(plan: &'a Plan, id: NodeId, base_url: &str, t: &ProgressRule) -> NodeJson<'a> {
        let n = &plan.nodes[id];
        NodeJson {
            id: &n.id,
            number: n.number.as_deref(),
            title: &n.title,
            summary: n.summary.as_deref(),
            level: plan.level_name(n.depth),
            depth: n.depth,
            url: format!("{base_url}{}", super::percent_encode_path(&node_path(plan, id))),
            sdgs: &n.sdgs,
            departments: &n.departments,
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
                    baseline: (&i.baseline).into(),
                    target: (&i.target).into(),
                    actuals: i.actuals.iter().map(Into::into).collect(),
                    note: i.note.as_deref(),
                    progress: a.progress_pct.map(|p| p as f64 / 100.0),
                    expected_progress: a.expected_pct.map(|p| p as f64 / 100.0),
                    status: a.status,
                    status_reason: a.reason,
                })
                .collect(),
            body_html: &n.body_html,
            children: n.children.iter().map(|&c| node(plan, c, base_url, t)).collect(),
        }
    }
    let doc = PlanJson {
        schema: format!("{base_url}data/plan.schema.json"),
        format: "planpress-plan",
        version: 1,
        id: &plan.id,
        url: format!("{base_url}{}", plan.path()),
        title: &plan.title,
        kind: plan.kind.as_deref(),
        municipality: &plan.municipality,
        period: PeriodJson { start: plan.period.start.into(), end: plan.period.end.into() },
        vision: plan.vision.as_deref(),
        principles: &plan.principles,
        summary: plan.summary.as_deref(),
        issued: plan.issued.as_deref(),
        publisher: plan.publisher.as_deref(),
        levels: plan.levels.iter().map(|l| LevelJson { name: &l.name, pages: l.pages }).collect(),
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
        nodes: plan.roots.iter().map(|&r| node(plan, r, base_url, thresholds)).collect(),
    };
    serde_json::to_string_pretty(&doc).expect("plan JSON serializes")
}

/// The CSV header, in column order.
pub const CSV_HEADER: [&str; 16] = [
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
    "年度(西暦)",
    "年度(和暦)",
    "基準値",
    "実績値",
    "目標値",
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

/// The plan's indicators as CSV: UTF-8 with BOM, one row per indicator per fiscal year
/// from the baseline year to the target year (and any actual outside it).
pub fn indicators_csv(plan: &Plan) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(CSV_HEADER).expect("writing to memory");
    for (id, n) in plan.nodes.iter().enumerate() {
        let top = &plan.nodes[plan.top_of(id)];
        for ind in &n.indicators {
            let first = ind.actuals.first().map_or(ind.baseline.year, |a| a.year.min(ind.baseline.year));
            let last = ind.actuals.last().map_or(ind.target.year, |a| a.year.max(ind.target.year));
            for year in first.0..=last.0 {
                let at = |m: &Measurement| (m.year.0 == year).then(|| m.value.display_plain());
                let actual = ind.actuals.iter().find_map(at);
                // Text columns go through `text_cell`; the year and the values are numbers
                // (`-3.5` is a value, not a formula) and are written as they are.
                let row = [
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
                    year.to_string(),
                    text_cell(&FiscalYear(year).wareki()),
                    at(&ind.baseline).unwrap_or_default(),
                    actual.unwrap_or_default(),
                    at(&ind.target).unwrap_or_default(),
                ];
                w.write_record(&row).expect("writing to memory");
            }
        }
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
            body_html: String::new(),
            headings: vec![],
            sections: vec![],
            depth: 0,
            parent: None,
            children: vec![],
            has_page: true,
            source: PathBuf::from("content/p/1.md"),
            line: 1,
        };
        Plan {
            id: "p".into(),
            title: "計画".into(),
            kind: None,
            municipality: "市".into(),
            period: Period { start: FiscalYear(2019), end: FiscalYear(2020) },
            vision: None,
            principles: vec![],
            summary: None,
            issued: None,
            publisher: None,
            weight: None,
            levels: vec![Level { name: "分野".into(), pages: true }],
            themes: vec![],
            evaluation: None,
            body_html: String::new(),
            headings: vec![],
            sections: vec![],
            chapters: vec![],
            nodes: vec![node],
            roots: vec![0],
            source: PathBuf::from("content/p/_plan.md"),
        }
    }

    fn rows(csv: &[u8]) -> Vec<csv::StringRecord> {
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        csv::Reader::from_reader(&csv[3..]).records().map(Result::unwrap).collect()
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
        let bytes = indicators_csv(&p);
        let rows = rows(&bytes);
        assert_eq!(rows.len(), 2, "2019 and 2020");
        let r = &rows[0];
        assert_eq!(&r[2], "'@市民の参加", "分野");
        assert_eq!(&r[4], "'-1-", "番号");
        assert_eq!(&r[5], "'@市民の参加", "項目名");
        assert_eq!(&r[8], "'=HYPERLINK(\"http://x\",\"y\")", "指標名");
        assert_eq!(&r[9], "'+人", "単位");
        assert_eq!(&r[11], "2019");
        assert_eq!(&r[13], "-3.5", "a negative baseline stays a number");
        assert_eq!(&rows[1][15], "-10", "a negative target stays a number");
        // The raw bytes: the formula cell is quoted by the CSV writer and starts with '.
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","), "{text}");
        assert!(text.contains(",-3.5,"), "{text}");
        assert!(!text.contains(",=") && !text.contains(",\"="), "{text}");
    }

    #[test]
    fn csv_leaves_ordinary_text_alone() {
        let p = plan("教育・文化分野", "市民の割合", "%", 69.4, "出典: 市民意識調査");
        let rows = rows(&indicators_csv(&p));
        assert_eq!(&rows[0][5], "教育・文化分野");
        assert_eq!(&rows[0][8], "市民の割合");
        assert_eq!(&rows[0][10], "低いほど良い");
        assert_eq!(&rows[0][12], "令和元年度");
        assert_eq!(&rows[0][13], "69.4");
    }

    #[test]
    fn schema_is_json() {
        let v: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }
}
