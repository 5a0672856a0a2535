//! The validated site model: plans, their nodes at any depth, indicators, free pages.
//!
//! Everything here has passed validation; rendering can trust it. Bodies are already
//! rendered to HTML (see [`crate::markdown`]).

use super::fiscal_year::FiscalYear;
/// Indicator status: the rule (a setting of `site.toml`), the statuses and the assessment.
pub use super::progress::{Assessment, ProgressRule, RuleKind, Status};
use crate::config::SiteConfig;
use crate::markdown::Heading;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// A whole site, ready to render.
#[derive(Debug, Clone)]
pub struct Site {
    /// `site.toml`.
    pub config: SiteConfig,
    /// The site root folder.
    pub root: PathBuf,
    /// The home page's own title and lead (from `content/_index.md`).
    pub home: Page,
    /// Plans, in display order. Shared, so that `serve` can change one plan of a site
    /// that the background search refresh is still reading without copying the others.
    pub plans: Vec<Arc<Plan>>,
    /// Free pages outside any plan, in display order.
    pub pages: Vec<Page>,
    /// What loading found worth a word that is not an error (shown after the build).
    pub warnings: Vec<crate::diagnostics::Diagnostic>,
    /// Images beside the Markdown that bodies show (`content/plan/1/map.png`, relative to
    /// the site root), sorted: copied to the same place under the output (`plan/1/map.png`).
    pub content_files: Vec<PathBuf>,
    /// Drafts left out of this build (files and `[[children]]` entries, each counted once
    /// with everything under it); 0 when drafts are included.
    pub drafts_left_out: usize,
    /// Where a one-shot build put its bodies ([`super::body`]): checked before the output
    /// is replaced.
    pub spilled_bodies: Option<Arc<super::body::SpillFile>>,
}

/// The page an [`Alias`] leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AliasOwner {
    /// Plan `pi`'s top page.
    Plan(usize),
    /// A node's page (or the section of a node without one).
    Node(usize, NodeId),
    /// Chapter `c` of plan `pi`.
    Chapter(usize, usize),
    /// Free page `i`.
    Free(usize),
}

impl Site {
    /// Every alias of the site, by its page and place among the page's aliases: plans in
    /// order, each with its chapters and nodes, then the free pages.
    pub fn aliases(&self) -> Vec<(AliasOwner, usize)> {
        let mut out = Vec::new();
        let each = |owner: AliasOwner, n: usize| (0..n).map(move |k| (owner, k));
        for (pi, plan) in self.plans.iter().enumerate() {
            out.extend(each(AliasOwner::Plan(pi), plan.aliases.len()));
            for (c, ch) in plan.chapters.iter().enumerate() {
                out.extend(each(AliasOwner::Chapter(pi, c), ch.aliases.len()));
            }
            for (ni, n) in plan.nodes.iter().enumerate() {
                out.extend(each(AliasOwner::Node(pi, ni), n.aliases.len()));
            }
        }
        for (i, p) in self.pages.iter().enumerate() {
            out.extend(each(AliasOwner::Free(i), p.aliases.len()));
        }
        out
    }

    /// The aliases of `owner`'s page.
    pub fn aliases_of(&self, owner: AliasOwner) -> &[Alias] {
        match owner {
            AliasOwner::Plan(pi) => &self.plans[pi].aliases,
            AliasOwner::Node(pi, ni) => &self.plans[pi].nodes[ni].aliases,
            AliasOwner::Chapter(pi, c) => &self.plans[pi].chapters[c].aliases,
            AliasOwner::Free(i) => &self.pages[i].aliases,
        }
    }

    /// Alias `k` of `owner`'s page.
    pub fn alias(&self, owner: AliasOwner, k: usize) -> &Alias {
        &self.aliases_of(owner)[k]
    }

    /// The file where `owner`'s aliases are written.
    pub fn alias_source(&self, owner: AliasOwner) -> &std::path::Path {
        match owner {
            AliasOwner::Plan(pi) => &self.plans[pi].source,
            AliasOwner::Node(pi, ni) => &self.plans[pi].nodes[ni].source,
            AliasOwner::Chapter(pi, c) => &self.plans[pi].chapters[c].source,
            AliasOwner::Free(i) => &self.pages[i].source,
        }
    }

    /// The title of `owner`'s page.
    pub fn alias_title(&self, owner: AliasOwner) -> &str {
        match owner {
            AliasOwner::Plan(pi) => &self.plans[pi].title,
            AliasOwner::Node(pi, ni) => &self.plans[pi].nodes[ni].title,
            AliasOwner::Chapter(pi, c) => &self.plans[pi].chapters[c].title,
            AliasOwner::Free(i) => &self.pages[i].title,
        }
    }

    /// The plan whose fields the navigation shows on pages outside any plan.
    pub fn main_plan(&self) -> Option<&Plan> {
        let wanted = self.config.main_plan.as_deref();
        wanted.and_then(|id| self.plans.iter().find(|p| p.id == id)).or_else(|| self.plans.first()).map(|p| &**p)
    }

    /// Every node of every plan.
    pub fn nodes(&self) -> impl Iterator<Item = (&Plan, &Node)> {
        self.plans.iter().flat_map(|p| p.nodes.iter().map(move |n| (&**p, n)))
    }

    /// True when any node names an SDG goal (SDG pages are written only then).
    pub fn has_sdgs(&self) -> bool {
        self.nodes().any(|(_, n)| !n.sdgs.is_empty())
    }

    /// True when any node names a department (the department index is written only then).
    pub fn has_departments(&self) -> bool {
        self.nodes().any(|(_, n)| !n.departments.is_empty())
    }
}

/// A plan (基本構想, 基本計画, 実施計画 …): a tree of nodes under named levels.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Folder name; the plan's URL is `/<id>/`.
    pub id: String,
    /// Plan title.
    pub title: String,
    /// サブタイトル (副題), shown under the title, if given.
    pub subtitle: Option<String>,
    /// Kind (基本構想, 基本計画 …), if given.
    pub kind: Option<String>,
    /// The municipality (defaults to the site's).
    pub municipality: String,
    /// Planning period, when the plan states one (never invented: pages leave it out).
    pub period: Option<Period>,
    /// 将来像.
    pub vision: Option<String>,
    /// 基本理念, in order.
    pub principles: Vec<String>,
    /// One-sentence description.
    pub summary: Option<String>,
    /// Date of issue as written (令和4年8月).
    pub issued: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Sort weight among plans.
    pub weight: Option<i64>,
    /// Level labels from the top (政策分野, 施策, 施策の方向 …), as many as the plan names:
    /// possibly none, or fewer than the tree is deep (see [`Plan::level_name`]).
    pub levels: Vec<Level>,
    /// Cross-cutting themes (横断的取組).
    pub themes: Vec<CrossCuttingTheme>,
    /// The scale the plan grades its nodes on each fiscal year (`[evaluation]`), if any.
    pub evaluation: Option<GradeScale>,
    /// The plan's lead, as HTML.
    pub body_html: super::body::Html,
    /// Headings of the lead.
    pub headings: Vec<Heading>,
    /// The plain text of the lead by section, for search (made with the HTML).
    pub sections: Vec<crate::markdown::Section>,
    /// Chapter pages (`_pages/`), in display order.
    pub chapters: Vec<Page>,
    /// All nodes; indices are [`NodeId`]s. Parents come before children.
    pub nodes: Vec<Node>,
    /// Top-level nodes, in display order.
    pub roots: Vec<NodeId>,
    /// `_plan.md`, relative to the site root.
    pub source: PathBuf,
    /// 下書き: `draft = true` in `_plan.md` (only in builds with drafts).
    pub draft: bool,
    /// Drafts left out of this plan (node files, chapters, `[[children]]` entries); part
    /// of [`Site::drafts_left_out`].
    pub drafts_left_out: usize,
    /// Old URLs that redirect to the plan's page ([`Alias`]).
    pub aliases: Vec<Alias>,
    /// `updated` of `_plan.md`: the plan page's 最終更新日 (else its file's last commit).
    pub updated: Option<crate::content::updated::UpdatedDate>,
}

impl Plan {
    /// Site-relative path of the plan page (`kakegawa-2/`).
    pub fn path(&self) -> String {
        format!("{}/", self.id)
    }

    /// The plan's own label of the level `depth` (0 = top), or "" when the plan names none
    /// for it (pages then use a generic word, see `render::views::level_noun`).
    pub fn level_name(&self, depth: usize) -> &str {
        self.levels.get(depth).map(|l| l.name.trim()).unwrap_or("")
    }

    /// Whether nodes at `depth` get pages of their own. Below the named levels, the last
    /// named level's setting goes on (so a `pages = false` level keeps its children in it).
    pub fn level_has_pages(&self, depth: usize) -> bool {
        self.levels.get(depth).or(self.levels.last()).is_none_or(|l| l.pages)
    }

    /// Whether nodes at `depth` keep their pages even when empty (`pages = true` written out
    /// on their level, or on the last named level above them).
    pub fn level_keeps_empty(&self, depth: usize) -> bool {
        self.levels.get(depth).or(self.levels.last()).is_some_and(|l| l.keep_empty)
    }

    /// Ancestors of `id` from the top-level node down, excluding `id` itself.
    pub fn ancestors(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = self.nodes[id].parent;
        while let Some(p) = cur {
            out.push(p);
            cur = self.nodes[p].parent;
        }
        out.reverse();
        out
    }

    /// `id`'s siblings in display order (including itself).
    pub fn siblings(&self, id: NodeId) -> &[NodeId] {
        match self.nodes[id].parent {
            Some(p) => &self.nodes[p].children,
            None => &self.roots,
        }
    }

    /// The top-level node that `id` belongs to (itself when it is top-level).
    pub fn top_of(&self, id: NodeId) -> NodeId {
        self.ancestors(id).first().copied().unwrap_or(id)
    }

    /// Finds a cross-cutting theme by id.
    pub fn theme(&self, id: &str) -> Option<&CrossCuttingTheme> {
        self.themes.iter().find(|t| t.id == id)
    }
}

/// Index of a node in [`Plan::nodes`].
pub type NodeId = usize;

/// A plan's planning period in fiscal years: a start, and an end when the plan states one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First fiscal year.
    pub start: FiscalYear,
    /// Last fiscal year, if stated (a plan may give only its start: 令和3年度〜).
    pub end: Option<FiscalYear>,
}

impl Period {
    /// `令和3年度〜令和7年度`, or `令和3年度〜` without an end.
    pub fn wareki(&self) -> String {
        format!("{}〜{}", self.start.wareki(), self.end.map(FiscalYear::wareki).unwrap_or_default())
    }

    /// `2021〜2025年度`, or `2021年度〜` without an end.
    pub fn western(&self) -> String {
        match self.end {
            Some(end) => format!("{}〜{}年度", self.start.0, end.0),
            None => format!("{}年度〜", self.start.0),
        }
    }
}

/// One level of a plan's hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// Label (政策分野, 施策 …).
    pub name: String,
    /// Whether nodes at this level get pages of their own (else: sections of the parent's).
    pub pages: bool,
    /// `pages = true` written out: every node keeps its page, even one with nothing to show
    /// (without it, an empty node is a section of its parent's page, see [`Node::has_page`]).
    pub keep_empty: bool,
}

/// A cross-cutting theme (横断的取組) that links nodes across fields.
#[derive(Debug, Clone, Serialize)]
pub struct CrossCuttingTheme {
    /// Id, used in URLs (`/<plan>/themes/<id>/`).
    pub id: String,
    /// Number as written.
    pub number: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub summary: Option<String>,
}

/// A node of a plan at any level (政策分野, 施策, 施策の方向 …).
#[derive(Debug, Clone)]
pub struct Node {
    /// Id, unique in its plan; the page is `/<plan>/<id>/`.
    pub id: String,
    /// Number as the city writes it (`1-(1)`, `戦略1`, `①`).
    pub number: Option<String>,
    /// Title.
    pub title: String,
    /// One-sentence summary.
    pub summary: Option<String>,
    /// Sort weight.
    pub weight: Option<i64>,
    /// SDG goals (1–17), sorted.
    pub sdgs: Vec<u8>,
    /// Responsible departments.
    pub departments: Vec<String>,
    /// Cross-cutting theme ids (validated against the plan).
    pub themes: Vec<String>,
    /// Indicators.
    pub indicators: Vec<Indicator>,
    /// Yearly evaluations (施策評価), sorted by fiscal year, at most one per year.
    pub evaluations: Vec<Evaluation>,
    /// Body as HTML.
    pub body_html: super::body::Html,
    /// Headings of the body.
    pub headings: Vec<Heading>,
    /// The plain text of the body by section, for search (made with the HTML).
    pub sections: Vec<crate::markdown::Section>,
    /// 0 for top-level nodes.
    pub depth: usize,
    /// Parent node, `None` at the top.
    pub parent: Option<NodeId>,
    /// Children in display order.
    pub children: Vec<NodeId>,
    /// Whether the node has a page of its own: its level gives pages, and it has something
    /// to show (a body, indicators, evaluations, children), is top-level, or its level is
    /// written `pages = true`. Else it is a section of the nearest ancestor's page. Decided once, when
    /// the plan is loaded; everything downstream follows it.
    pub has_page: bool,
    /// Where it was defined, relative to the site root.
    pub source: PathBuf,
    /// Line of its definition in `source`.
    pub line: usize,
    /// 下書き: `draft = true` on the node, an ancestor or its plan (only in builds with drafts).
    pub draft: bool,
    /// Old URLs that redirect to this node ([`Alias`]).
    pub aliases: Vec<Alias>,
    /// `updated` of its front matter: its page's 最終更新日 (else its file's last commit).
    pub updated: Option<crate::content::updated::UpdatedDate>,
}

impl Node {
    /// `1-(1) タイトル` or just the title.
    pub fn label(&self) -> String {
        match &self.number {
            Some(n) if !n.is_empty() => format!("{n} {}", self.title),
            _ => self.title.clone(),
        }
    }
}

/// Site-relative path of a node: its page, or its section on the nearest ancestor page.
pub fn node_path(plan: &Plan, id: NodeId) -> String {
    let page = host_page_path(plan, id);
    if plan.nodes[id].has_page {
        page
    } else {
        format!("{page}#{}", plan.nodes[id].id)
    }
}

/// Site-relative path of the page that shows node `id`: its own, the nearest ancestor's
/// with a page, or the plan's. The node's body is rendered for that page.
pub fn host_page_path(plan: &Plan, id: NodeId) -> String {
    let host = page_host(plan, id);
    if plan.nodes[host].has_page {
        format!("{}/{}/", plan.id, plan.nodes[host].id)
    } else {
        plan.path()
    }
}

/// The node whose page shows `id` (itself, or the nearest ancestor with a page).
pub fn page_host(plan: &Plan, id: NodeId) -> NodeId {
    let mut cur = id;
    while !plan.nodes[cur].has_page {
        match plan.nodes[cur].parent {
            Some(p) => cur = p,
            None => return cur,
        }
    }
    cur
}

/// How a plan grades its nodes each fiscal year (`[evaluation]` in `_plan.md`): the
/// city's own scale, best grade first. Nothing about it is built in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeScale {
    /// What the yearly evaluation is called (施策評価, 事務事業評価 …).
    pub name: String,
    /// Grades in the plan's order (best first).
    pub grades: Vec<Grade>,
}

impl GradeScale {
    /// The index of the grade written as `symbol` (exact, after trimming; full-width
    /// letters match their ASCII form: Ａ = A).
    pub fn find(&self, symbol: &str) -> Option<usize> {
        use unicode_normalization::UnicodeNormalization;
        let norm = |s: &str| s.trim().nfkc().collect::<String>();
        let want = norm(symbol);
        self.grades.iter().position(|g| norm(&g.symbol) == want)
    }
}

/// One grade of a [`GradeScale`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grade {
    /// As written in the sheets (`A`, `S`, `◎`, `Ｂ`).
    pub symbol: String,
    /// Short label (順調, 要改善 …).
    pub label: String,
    /// What the grade means, as the city defines it.
    pub definition: Option<String>,
    /// Whether the grade counts as good (達成・順調 side) in counts and summaries.
    pub good: bool,
}

/// One fiscal year's evaluation of a node (from front matter or a `_data/` sheet).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The fiscal year evaluated.
    pub year: FiscalYear,
    /// Index into the plan's [`GradeScale::grades`]; `None` when no grade was given.
    pub grade: Option<usize>,
    /// Comment (評価・課題), as HTML rendered from Markdown.
    pub comment_html: String,
    /// The comment's plain text (for search and CSV).
    pub comment: String,
    /// 主な取組の実績, as HTML rendered from Markdown.
    pub results_html: String,
    /// Its plain text.
    pub results: String,
    /// 予算額 in thousand yen (千円).
    pub budget: Option<Quantity>,
    /// 決算額 in thousand yen (千円).
    pub settlement: Option<Quantity>,
    /// Where it was written, for messages and open data.
    pub origin: Origin,
}

/// Where a value was written: a content file and line, or a spreadsheet cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The file, relative to the site root.
    pub file: PathBuf,
    /// Line in a Markdown file, or row in a sheet (1-based).
    pub line: Option<usize>,
    /// Sheet name of a workbook.
    pub sheet: Option<String>,
}

/// Whether more or less of an indicator is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// Higher values are better.
    #[default]
    Higher,
    /// Lower values are better.
    Lower,
}

impl Better {
    /// `高いほど良い` / `低いほど良い`.
    pub fn label(self) -> &'static str {
        match self {
            Better::Higher => "高いほど良い",
            Better::Lower => "低いほど良い",
        }
    }
}

/// A number as written in content, remembering its decimals for display.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantity {
    /// The value.
    pub value: f64,
    /// Decimal places as written (69.4 → 1).
    pub decimals: u8,
}

impl Quantity {
    /// `11147`, `69.4`, `-242`: as written, without grouping (for data files).
    pub fn display_plain(&self) -> String {
        format!("{:.*}", self.decimals as usize, self.value)
    }

    /// `11,147`, `69.4`, `-242`.
    pub fn display(&self) -> String {
        let s = format!("{:.*}", self.decimals as usize, self.value);
        let (sign, digits) = s.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", &s));
        let (int, frac) = digits.split_once('.').map(|(i, f)| (i, Some(f))).unwrap_or((digits, None));
        let mut grouped = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        match frac {
            Some(f) => format!("{sign}{grouped}.{f}"),
            None => format!("{sign}{grouped}"),
        }
    }
}

/// A value in a fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Measurement {
    /// The value.
    pub value: Quantity,
    /// Its fiscal year.
    pub year: FiscalYear,
}

/// An indicator (成果指標 / KPI) with baseline, target and actuals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Id, unique in the plan (`<node>-<n>` unless given).
    pub id: String,
    /// Name.
    pub name: String,
    /// Unit (`%`, `人` …), may be empty.
    pub unit: String,
    /// Which direction counts as better.
    pub better: Better,
    /// Baseline value and year.
    pub baseline: Measurement,
    /// Target value and year.
    pub target: Measurement,
    /// Yearly actuals, sorted by year, at most one per year.
    pub actuals: Vec<Measurement>,
    /// Notes on single actuals (備考), by fiscal year.
    pub actual_notes: std::collections::BTreeMap<FiscalYear, String>,
    /// The target is a total over the years (累計): actuals are yearly amounts, summed.
    pub cumulative: bool,
    /// Source or note.
    pub note: Option<String>,
}

impl Indicator {
    /// The latest actual, if any.
    pub fn latest(&self) -> Option<&Measurement> {
        self.actuals.last()
    }
}

/// A page that is not a node: a free page, a plan chapter or the home page's lead.
#[derive(Debug, Clone)]
pub struct Page {
    /// Site-relative path (`about/`, `kakegawa-2/suishin/`, `` for home).
    pub path: String,
    /// Title.
    pub title: String,
    /// One-sentence summary.
    pub summary: Option<String>,
    /// Sort weight.
    pub weight: Option<i64>,
    /// Linked from the footer.
    pub footer: bool,
    /// Body as HTML.
    pub body_html: super::body::Html,
    /// Headings of the body.
    pub headings: Vec<Heading>,
    /// The plain text of the body by section, for search (made with the HTML).
    pub sections: Vec<crate::markdown::Section>,
    /// Source file, relative to the site root (empty for a default home).
    pub source: PathBuf,
    /// 下書き (`draft = true`, or a chapter of a draft plan): only in builds with drafts.
    pub draft: bool,
    /// Old URLs that redirect to this page ([`Alias`]).
    pub aliases: Vec<Alias>,
    /// `updated` of its front matter: its 最終更新日 (else its file's last commit).
    pub updated: Option<crate::content::updated::UpdatedDate>,
}

/// An old URL of a page (`aliases = ["/old/path/"]`): a redirect page is written there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// Site-relative, as written to the output: a folder (`old/path/`, its `index.html`)
    /// or a file (`old/page.html`); NFC, percent-decoded.
    pub path: String,
    /// The line of the `aliases` entry in the page's file.
    pub line: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_with_only_a_start_is_open_ended() {
        let p = Period { start: FiscalYear(2021), end: None };
        assert_eq!((p.wareki(), p.western()), ("令和3年度〜".to_string(), "2021年度〜".to_string()));
        let p = Period { start: FiscalYear(2021), end: Some(FiscalYear(2025)) };
        assert_eq!((p.wareki(), p.western()), ("令和3年度〜令和7年度".to_string(), "2021〜2025年度".to_string()));
    }

    #[test]
    fn quantity_display_groups_thousands_and_keeps_decimals() {
        let q = |value, decimals| Quantity { value, decimals }.display();
        assert_eq!(q(11147.0, 0), "11,147");
        assert_eq!(q(69.4, 1), "69.4");
        assert_eq!(q(-242.0, 0), "-242");
        assert_eq!(q(1234567.25, 2), "1,234,567.25");
        assert_eq!(q(80.0, 0), "80");
        assert_eq!(q(-1000.5, 1), "-1,000.5");
    }
}
