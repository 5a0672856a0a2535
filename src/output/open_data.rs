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
    progress: Option<f64>,
    status: Status,
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

/// The plan as JSON.
pub fn plan_json(plan: &Plan, base_url: &str, thresholds: &ProgressThresholds) -> String {
    fn node<'a>(plan: &'a Plan, id: NodeId, base_url: &str, t: &ProgressThresholds) -> NodeJson<'a> {
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
                .map(|i| IndicatorJson {
                    id: &i.id,
                    name: &i.name,
                    unit: &i.unit,
                    better: i.better,
                    baseline: (&i.baseline).into(),
                    target: (&i.target).into(),
                    actuals: i.actuals.iter().map(Into::into).collect(),
                    note: i.note.as_deref(),
                    progress: i.progress(),
                    status: i.status(t),
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
                url: format!("{base_url}{}/themes/{}/", plan.id, t.id),
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
                let row = [
                    plan.id.clone(),
                    top.id.clone(),
                    top.title.clone(),
                    n.id.clone(),
                    n.number.clone().unwrap_or_default(),
                    n.title.clone(),
                    plan.level_name(n.depth).to_string(),
                    ind.id.clone(),
                    ind.name.clone(),
                    ind.unit.clone(),
                    ind.better.label().to_string(),
                    year.to_string(),
                    FiscalYear(year).wareki(),
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

    #[test]
    fn schema_is_json() {
        let v: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }
}
