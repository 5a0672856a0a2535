//! Serializable views of the model for templates. Templates get display-ready strings
//! (和暦, grouped numbers, site-relative paths) and never compute them.

use super::slots::Slots;
use crate::content::fiscal_year::FiscalYear;
use crate::content::model::*;
use crate::content::sdgs::goal_name;
use serde::Serialize;

/// How pages name level `depth` of `plan` in a phrase (「この分野の概要版」, 「前の施策」,
/// 「分野ごとの件数」): the plan's own name, or, where the plan names none (no `levels`,
/// fewer names than the tree is deep, or `""`), a generic word: 分野 for the top level,
/// 項目 below it. Labels that stand alone (the level badge) use [`Plan::level_name`] and
/// are left out when it is "".
pub fn level_noun(plan: &Plan, depth: usize) -> String {
    match plan.level_name(depth) {
        "" if depth == 0 => "分野".to_string(),
        "" => "項目".to_string(),
        name => name.to_string(),
    }
}

/// How many levels pages need a noun for: the named ones and every depth the tree has.
fn levels_used(plan: &Plan) -> usize {
    let deepest = plan.nodes.iter().map(|n| n.depth + 1).max().unwrap_or(1);
    deepest.max(plan.levels.len())
}

/// A link to a node.
#[derive(Debug, Clone, Serialize)]
pub struct NodeLink {
    /// Site-relative path (may end in `#id` for nodes without a page).
    pub path: String,
    /// Number as written, or "".
    pub number: String,
    /// Title.
    pub title: String,
    /// Summary, or "".
    pub summary: String,
    /// The node's level label as the plan names it, or "" (then left out).
    pub level: String,
    /// The node's level in a phrase (「前の{noun}」): the label, or a generic word
    /// ([`level_noun`]).
    pub noun: String,
}

impl NodeLink {
    /// A link to node `id` of `plan`.
    pub fn new(plan: &Plan, id: NodeId) -> NodeLink {
        let n = &plan.nodes[id];
        NodeLink {
            path: node_path(plan, id),
            number: n.number.clone().unwrap_or_default(),
            title: n.title.clone(),
            summary: n.summary.clone().unwrap_or_default(),
            level: plan.level_name(n.depth).to_string(),
            noun: level_noun(plan, n.depth),
        }
    }
}

/// A node with its children, for trees: the plan's structure (links only), or a node's
/// children on its page, where nodes without pages of their own appear as sections.
#[derive(Debug, Clone, Serialize)]
pub struct NodeTree {
    /// The link.
    #[serde(flatten)]
    pub link: NodeLink,
    /// Node id (the anchor of a section).
    pub id: String,
    /// Rendered as a section of this page (not a link to a page of its own).
    pub section: bool,
    /// Body HTML (sections only).
    pub body_html: String,
    /// Heading level of a section (3–6).
    pub heading_level: usize,
    /// Indicators (sections only).
    pub indicators: Vec<IndicatorView>,
    /// Yearly evaluations (sections only).
    pub evaluations: Vec<EvaluationView>,
    /// Children.
    pub children: Vec<NodeTree>,
}

impl NodeTree {
    /// The tree under `id`: `depth` levels of descendants, plus, when `sections` are
    /// given (they take the bodies), every descendant without a page of its own (those are
    /// shown on this page).
    pub fn new<'a>(
        plan: &'a Plan,
        id: NodeId,
        depth: usize,
        heading_level: usize,
        sections: Option<&Slots<'a>>,
    ) -> NodeTree {
        let n = &plan.nodes[id];
        let section = sections.is_some() && !n.has_page;
        let children = if depth > 0 || section {
            n.children
                .iter()
                .map(|&c| NodeTree::new(plan, c, depth.saturating_sub(1), heading_level + 1, sections))
                .collect()
        } else {
            Vec::new()
        };
        NodeTree {
            link: NodeLink::new(plan, id),
            id: n.id.clone(),
            section,
            body_html: match sections {
                Some(slots) if section => slots.put(n.body_html.text()),
                _ => String::new(),
            },
            heading_level: heading_level.min(6),
            indicators: if section { n.indicators.iter().map(IndicatorView::new).collect() } else { Vec::new() },
            evaluations: if section {
                n.evaluations.iter().map(|e| EvaluationView::new(plan, id, e, None)).collect()
            } else {
                Vec::new()
            },
            children,
        }
    }
}

/// A value with its fiscal year, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct MeasurementView {
    /// `11,147`.
    pub value: String,
    /// `令和元年度`.
    pub year: String,
    /// `2019`.
    pub western_year: i32,
    /// 備考 on an actual, or "".
    pub note: String,
}

impl MeasurementView {
    fn new(m: &Measurement) -> Self {
        MeasurementView { value: m.value.display(), year: m.year.wareki(), western_year: m.year.0, note: String::new() }
    }

    /// An actual of `i`, with its note.
    fn actual(i: &Indicator, m: &Measurement) -> Self {
        MeasurementView { note: i.actual_notes.get(&m.year).cloned().unwrap_or_default(), ..MeasurementView::new(m) }
    }
}

/// An indicator, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// `高いほど良い` / `低いほど良い`.
    pub better: String,
    /// Baseline.
    pub baseline: MeasurementView,
    /// Target.
    pub target: MeasurementView,
    /// Actuals by year.
    pub actuals: Vec<MeasurementView>,
    /// Latest actual.
    pub latest: Option<MeasurementView>,
    /// Note.
    pub note: String,
    /// Status key (`achieved` …); filled by [`IndicatorView::rated`].
    pub status: &'static str,
    /// Status label (達成 …).
    pub status_label: &'static str,
    /// Whether the status counts as good (達成・順調・改善).
    pub status_good: bool,
    /// 進捗率 in whole percent, floored as the status was decided (see
    /// [`crate::content::progress::shown_pct`]), when rated.
    pub progress: Option<i64>,
    /// 期待される進捗 in whole percent (rule `expected`), when rated.
    pub expected: Option<i64>,
    /// Why the status, in words (「令和4年度の実績: 期待される進捗 40% に対し 49%」).
    pub reason: String,
    /// Inline SVG chart; filled by [`IndicatorView::with_chart`].
    pub chart_svg: String,
}

impl IndicatorView {
    /// The view with status and progress under `rule`, from all actuals.
    pub fn rated(i: &Indicator, rule: &ProgressRule) -> Self {
        IndicatorView::assessed(i, rule, None)
    }

    /// The view with status and progress under `rule`, from the actuals of years up to
    /// `as_of` (all when `None`), for pages about one fiscal year.
    pub fn assessed(i: &Indicator, rule: &ProgressRule, as_of: Option<FiscalYear>) -> Self {
        let a = i.assess(rule, as_of);
        IndicatorView {
            status: a.status.key(),
            status_label: a.status.label(),
            status_good: a.status.good(),
            progress: a.progress_pct,
            expected: a.expected_pct,
            reason: a.reason,
            ..IndicatorView::new(i)
        }
    }

    /// The view with status and its SVG chart (see [`super::chart::indicator_chart`]).
    pub fn with_chart<'a>(i: &Indicator, rule: &ProgressRule, chart_svg: &'a str, slots: &Slots<'a>) -> Self {
        IndicatorView { chart_svg: slots.put(chart_svg), ..IndicatorView::rated(i, rule) }
    }

    /// The view of `i`.
    pub fn new(i: &Indicator) -> Self {
        IndicatorView {
            status: "",
            status_label: "",
            status_good: false,
            progress: None,
            expected: None,
            reason: String::new(),
            chart_svg: String::new(),
            id: i.id.clone(),
            name: i.name.clone(),
            unit: i.unit.clone(),
            better: i.better.label().to_string(),
            baseline: MeasurementView::new(&i.baseline),
            target: MeasurementView::new(&i.target),
            actuals: i.actuals.iter().map(|m| MeasurementView::actual(i, m)).collect(),
            latest: i.latest().map(|m| MeasurementView::actual(i, m)),
            note: i.note.clone().unwrap_or_default(),
        }
    }
}

/// An SDG goal.
#[derive(Debug, Clone, Serialize)]
pub struct SdgView {
    /// 1–17.
    pub number: u8,
    /// Japanese name.
    pub name: &'static str,
    /// `sdgs/4/`.
    pub path: String,
}

impl SdgView {
    /// Goal `n`.
    pub fn new(n: u8) -> Self {
        SdgView { number: n, name: goal_name(n), path: super::pages::sdg_path(n) }
    }
}

/// A plan summary for lists and the header.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// サブタイトル, or "".
    pub subtitle: String,
    /// `kakegawa-2/`.
    pub path: String,
    /// Kind.
    pub kind: String,
    /// Municipality.
    pub municipality: String,
    /// `令和3年度〜令和7年度` (`令和3年度〜` with only a start), or "" when the plan states
    /// no period (templates then leave the 計画期間 out).
    pub period: String,
    /// `2021〜2025年度`, or "".
    pub period_western: String,
    /// 将来像.
    pub vision: String,
    /// 基本理念.
    pub principles: Vec<String>,
    /// The heading over the 将来像 and 基本理念 that the plan has: 将来像と基本理念, 将来像,
    /// 基本理念, or "" when it has neither (then nothing is shown).
    pub vision_heading: String,
    /// Summary.
    pub summary: String,
    /// Issued.
    pub issued: String,
    /// Publisher.
    pub publisher: String,
    /// The level of each depth in a phrase (「{levels[0]}ごとの件数」): the plan's own
    /// names, a generic word where it names none ([`level_noun`]); at least one entry.
    pub levels: Vec<String>,
    /// The names the plan gives its levels, in order, leaving out empty ones (may be none).
    pub level_names: Vec<String>,
    /// The heading over a top-level node's measures in the 概要版: the second level's
    /// name, or 構成.
    pub measures_heading: String,
    /// Top-level nodes.
    pub fields: Vec<NodeLink>,
}

impl PlanView {
    /// The view of `plan`.
    pub fn new(plan: &Plan) -> Self {
        PlanView {
            id: plan.id.clone(),
            title: plan.title.clone(),
            subtitle: plan.subtitle.clone().unwrap_or_default(),
            path: plan.path(),
            kind: plan.kind.clone().unwrap_or_default(),
            municipality: plan.municipality.clone(),
            period: plan.period.map(|p| p.wareki()).unwrap_or_default(),
            period_western: plan.period.map(|p| p.western()).unwrap_or_default(),
            vision: plan.vision.clone().unwrap_or_default(),
            principles: plan.principles.clone(),
            vision_heading: match (plan.vision.is_some(), !plan.principles.is_empty()) {
                (true, true) => "将来像と基本理念",
                (true, false) => "将来像",
                (false, true) => "基本理念",
                (false, false) => "",
            }
            .to_string(),
            summary: plan.summary.clone().unwrap_or_default(),
            issued: plan.issued.clone().unwrap_or_default(),
            publisher: plan.publisher.clone().unwrap_or_default(),
            levels: (0..levels_used(plan)).map(|d| level_noun(plan, d)).collect(),
            level_names: (0..plan.levels.len())
                .map(|d| plan.level_name(d))
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect(),
            measures_heading: match plan.level_name(1) {
                "" => "構成".to_string(),
                name => name.to_string(),
            },
            fields: plan.roots.iter().map(|&r| NodeLink::new(plan, r)).collect(),
        }
    }
}

/// A page link (free page, chapter).
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    /// Site-relative path.
    pub path: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
}

impl PageLink {
    /// The link to `p`.
    pub fn new(p: &Page) -> Self {
        PageLink { path: p.path.clone(), title: p.title.clone(), summary: p.summary.clone().unwrap_or_default() }
    }
}

/// One breadcrumb step.
#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    /// Site-relative path.
    pub path: String,
    /// Label.
    pub label: String,
}

/// The departments that nodes name, in display order, each with the last part of its
/// page's URL. Declared in `site.toml`: by 読み (五十音) when every department has one,
/// else in declared order, at `departments/<id>/`. Not declared: by name, numbered from 1
/// (`departments/1/`), so that a new name renumbers the ones after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentIndex {
    /// Department names, in display order.
    pub names: Vec<String>,
    /// The URL segment of each (its id, or its number).
    pub slugs: Vec<String>,
}

impl DepartmentIndex {
    /// Collects every department named in the site.
    pub fn new(site: &Site) -> Self {
        let used: std::collections::HashSet<&str> =
            site.nodes().flat_map(|(_, n)| n.departments.iter().map(String::as_str)).collect();
        let declared = &site.config.departments;
        if declared.is_empty() {
            let mut names: Vec<&str> = used.into_iter().collect();
            names.sort_unstable();
            let slugs = (1..=names.len()).map(|i| i.to_string()).collect();
            return DepartmentIndex { names: names.into_iter().map(str::to_string).collect(), slugs };
        }
        let mut shown: Vec<&crate::config::Department> =
            declared.iter().filter(|d| used.contains(d.name.as_str())).collect();
        if declared.iter().all(|d| d.reading.is_some()) {
            shown.sort_by_cached_key(|d| gojuon_key(d.reading.as_deref().unwrap_or("")));
        }
        DepartmentIndex {
            names: shown.iter().map(|d| d.name.clone()).collect(),
            slugs: shown.iter().map(|d| d.id.clone()).collect(),
        }
    }

    /// The position of department `name` in [`Self::names`].
    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Site-relative path of the page of the `i`-th department (0-based).
    pub fn path(&self, i: usize) -> String {
        super::pages::department_path(&self.slugs[i])
    }

    /// Link for department `name`.
    pub fn link(&self, name: &str) -> DepartmentLink {
        let path =
            self.position(name).map(|i| self.path(i)).unwrap_or_else(|| super::pages::DEPARTMENT_INDEX_PATH.into());
        DepartmentLink { name: name.to_string(), path }
    }
}

/// The sort key of a 読み: katakana as hiragana, half-width kana and letters as full-width
/// (NFKC), so that the code-point order of kana is the 五十音 order (voiced after unvoiced).
fn gojuon_key(reading: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    reading
        .nfkc()
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            c => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A department's contact details on a node page (「このページに関するお問い合わせ」).
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    /// The department and its page.
    #[serde(flatten)]
    pub link: DepartmentLink,
    /// Telephone number as written.
    pub phone: Option<String>,
    /// Its `tel:` URL.
    pub tel: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// The department's own web page.
    pub url: Option<String>,
}

impl ContactView {
    /// The contact of department `name` when `site.toml` gives it any detail.
    pub fn new(site: &Site, index: &DepartmentIndex, name: &str) -> Option<ContactView> {
        let d = site.config.departments.iter().find(|d| d.name == name && d.has_contact())?;
        Some(ContactView {
            link: index.link(name),
            phone: d.phone.clone(),
            tel: d.tel(),
            email: d.email.clone(),
            url: d.url.clone(),
        })
    }
}

/// A department and where it is listed.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentLink {
    /// Name.
    pub name: String,
    /// `departments/3/`.
    pub path: String,
}

/// A node of a printable summary (概要版) with all its descendants: every level is
/// printed, each node with its number, title and summary.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryNode {
    /// The link.
    #[serde(flatten)]
    pub link: NodeLink,
    /// SDG goals (1–17).
    pub sdgs: Vec<u8>,
    /// Whether the 施策体系図 draws this node's children: always below a top-level node
    /// (the measures), deeper when one of the children, or a node below them, has a
    /// summary or indicators of its own, i.e. something the summary says about it.
    pub in_diagram: bool,
    /// Children in display order.
    pub children: Vec<SummaryNode>,
}

impl SummaryNode {
    /// Node `id` of `plan` and everything below it.
    pub fn new(plan: &Plan, id: NodeId) -> SummaryNode {
        let n = &plan.nodes[id];
        SummaryNode {
            link: NodeLink::new(plan, id),
            sdgs: n.sdgs.clone(),
            in_diagram: n.depth == 0 || n.children.iter().any(|&c| Self::says_something(plan, c)),
            children: n.children.iter().map(|&c| SummaryNode::new(plan, c)).collect(),
        }
    }

    /// Whether node `id` or a node below it has a summary or indicators.
    fn says_something(plan: &Plan, id: NodeId) -> bool {
        let n = &plan.nodes[id];
        n.summary.as_deref().is_some_and(|s| !s.trim().is_empty())
            || !n.indicators.is_empty()
            || n.children.iter().any(|&c| Self::says_something(plan, c))
    }
}

/// A grade of a plan's scale, ready to show: symbol and label together, never a colour alone.
#[derive(Debug, Clone, Serialize)]
pub struct GradeView {
    /// `A`, `S`, `◎`.
    pub symbol: String,
    /// 順調, 要改善 …
    pub label: String,
    /// The city's definition, or "".
    pub definition: String,
    /// Whether it counts as good.
    pub good: bool,
    /// Its place on the scale (0 = best).
    pub index: usize,
}

impl GradeView {
    /// Grade `i` of `scale`, if there is one.
    pub fn new(scale: &GradeScale, i: usize) -> Option<Self> {
        scale.grades.get(i).map(|g| GradeView {
            symbol: g.symbol.clone(),
            label: g.label.clone(),
            definition: g.definition.clone().unwrap_or_default(),
            good: g.good,
            index: i,
        })
    }

    /// Every grade of `plan`'s scale, best first (empty without a scale).
    pub fn scale(plan: &Plan) -> Vec<GradeView> {
        plan.evaluation
            .as_ref()
            .map(|s| (0..s.grades.len()).filter_map(|i| Self::new(s, i)).collect())
            .unwrap_or_default()
    }
}

/// How many characters of a comment a history table shows.
const EXCERPT_CHARS: usize = 60;

/// One fiscal year's evaluation of a node, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationView {
    /// `令和6年度`.
    pub year: String,
    /// `2024`.
    pub western_year: i32,
    /// The grade, when one was given.
    pub grade: Option<GradeView>,
    /// The comment as HTML (a slot marker), or "" in history tables.
    pub comment_html: String,
    /// The comment's start, plain text (for history tables).
    pub comment_excerpt: String,
    /// 主な取組の実績 as HTML (a slot marker), or "".
    pub results_html: String,
    /// 予算額 in 千円 (`12,000`), or "".
    pub budget: String,
    /// 決算額 in 千円, or "".
    pub settlement: String,
    /// Where the whole evaluation is shown: the node on that year's progress page.
    pub path: String,
}

impl EvaluationView {
    /// Evaluation `e` of node `ni` of `plan`; with `slots`, its texts as HTML too.
    pub fn new<'a>(plan: &Plan, ni: NodeId, e: &'a Evaluation, slots: Option<&Slots<'a>>) -> Self {
        let excerpt: String = e.comment.chars().take(EXCERPT_CHARS).collect();
        let cut = e.comment.chars().count() > EXCERPT_CHARS;
        EvaluationView {
            year: e.year.wareki(),
            western_year: e.year.0,
            grade: e.grade.and_then(|g| plan.evaluation.as_ref().and_then(|s| GradeView::new(s, g))),
            comment_html: slots.map(|s| s.put(e.comment_html.as_str())).unwrap_or_default(),
            comment_excerpt: if cut { format!("{excerpt}…") } else { excerpt },
            results_html: slots.map(|s| s.put(e.results_html.as_str())).unwrap_or_default(),
            budget: e.budget.map(|q| q.display()).unwrap_or_default(),
            settlement: e.settlement.map(|q| q.display()).unwrap_or_default(),
            path: format!("{}#ev-{}", super::pages::progress_path(plan, e.year), plan.nodes[ni].id),
        }
    }
}

/// `i` as it stood at the end of fiscal `year`: only the actuals up to then.
pub fn until(i: &Indicator, year: FiscalYear) -> Indicator {
    let mut c = i.clone();
    c.actuals.retain(|a| a.year <= year);
    c.actual_notes.retain(|y, _| *y <= year);
    c
}

impl IndicatorView {
    /// The view of `i` as of the end of fiscal `year` (actuals up to then, status then).
    pub fn as_of(i: &Indicator, rule: &ProgressRule, year: FiscalYear) -> Self {
        IndicatorView::assessed(&until(i, year), rule, Some(year))
    }
}

/// An indicator on a yearly page: its state as of the year, and its actual of that year.
#[derive(Debug, Clone, Serialize)]
pub struct YearIndicatorView {
    /// The indicator as of the year.
    #[serde(flatten)]
    pub view: IndicatorView,
    /// The actual of exactly that year (with its note), if there is one.
    pub value: Option<MeasurementView>,
}

impl YearIndicatorView {
    /// `i` in fiscal `year`.
    pub fn new(i: &Indicator, t: &ProgressRule, year: FiscalYear) -> Self {
        YearIndicatorView {
            view: IndicatorView::as_of(i, t, year),
            value: i.actuals.iter().find(|a| a.year == year).map(|m| MeasurementView::actual(i, m)),
        }
    }
}

/// The status of `i` at the end of fiscal `year` and its progress in percent, floored (so
/// that the shown percentage never passes a threshold its label has not). A shim: the
/// time-aware rule (`Indicator::assess`) replaces it.
pub fn status_as_of(i: &Indicator, rule: &ProgressRule, year: FiscalYear) -> (Status, Option<i64>) {
    let a = i.assess(rule, Some(year));
    (a.status, a.progress_pct)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_with_levels(names: &[&str]) -> Plan {
        Plan {
            id: "p".into(),
            title: "計画".into(),
            subtitle: None,
            kind: None,
            municipality: "町".into(),
            period: None,
            vision: None,
            principles: vec!["理念".into()],
            summary: None,
            issued: None,
            publisher: None,
            weight: None,
            levels: names.iter().map(|n| Level { name: n.to_string(), pages: true, keep_empty: false }).collect(),
            themes: vec![],
            evaluation: None,
            draft: false,
            drafts_left_out: 0,
            aliases: vec![],
            updated: None,
            body_html: Default::default(),
            headings: vec![],
            sections: vec![],
            chapters: vec![],
            nodes: vec![],
            roots: vec![],
            source: "content/p/_plan.md".into(),
        }
    }

    #[test]
    fn levels_without_a_name_get_a_generic_word() {
        let p = plan_with_levels(&["政策分野", " ", ""]);
        assert_eq!(level_noun(&p, 0), "政策分野");
        assert_eq!(level_noun(&p, 1), "項目");
        assert_eq!(level_noun(&p, 5), "項目");
        assert_eq!(level_noun(&plan_with_levels(&[]), 0), "分野");
        let v = PlanView::new(&p);
        assert_eq!(v.levels, ["政策分野", "項目", "項目"]);
        assert_eq!(v.level_names, ["政策分野"]);
        assert_eq!(v.measures_heading, "構成");
        // No period is shown as none, and the heading fits what the plan has.
        assert_eq!((v.period.as_str(), v.period_western.as_str()), ("", ""));
        assert_eq!(v.vision_heading, "基本理念");
        assert_eq!(PlanView::new(&plan_with_levels(&[])).levels, ["分野"]);
    }

    fn ind() -> Indicator {
        let m = |v: f64, y: i32| Measurement { value: Quantity { value: v, decimals: 0 }, year: FiscalYear(y) };
        Indicator {
            id: "i".into(),
            name: "n".into(),
            unit: "人".into(),
            better: Better::Higher,
            baseline: m(0.0, 2020),
            target: m(100.0, 2025),
            actuals: vec![m(30.0, 2021), m(60.0, 2022), m(100.0, 2023)],
            actual_notes: [(FiscalYear(2022), "速報値".to_string())].into_iter().collect(),
            cumulative: false,
            note: None,
        }
    }

    #[test]
    fn status_as_of_uses_only_the_actuals_up_to_the_year() {
        let t = ProgressRule::of(RuleKind::Target);
        let i = ind();
        assert_eq!(status_as_of(&i, &t, FiscalYear(2020)), (Status::Unrated, None));
        assert_eq!(status_as_of(&i, &t, FiscalYear(2021)), (Status::Behind, Some(30)));
        assert_eq!(status_as_of(&i, &t, FiscalYear(2022)).1, Some(60));
        assert_eq!(status_as_of(&i, &t, FiscalYear(2030)), (Status::Achieved, Some(100)));
        let v = IndicatorView::as_of(&i, &t, FiscalYear(2022));
        assert_eq!(v.actuals.len(), 2);
        assert_eq!(v.latest.as_ref().map(|l| l.note.as_str()), Some("速報値"));
        let y = YearIndicatorView::new(&i, &t, FiscalYear(2022));
        assert_eq!(y.value.map(|v| v.value), Some("60".to_string()));
        assert!(YearIndicatorView::new(&i, &t, FiscalYear(2024)).value.is_none());
    }

    #[test]
    fn progress_is_floored_not_rounded() {
        let t = ProgressRule::of(RuleKind::Target);
        let mut i = ind();
        i.actuals = vec![Measurement { value: Quantity { value: 49.9, decimals: 1 }, year: FiscalYear(2021) }];
        assert_eq!(status_as_of(&i, &t, FiscalYear(2021)).1, Some(49));
    }
}
