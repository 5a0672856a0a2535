//! What search indexes: one document per page (plan pages, node pages, plan chapters, free
//! pages), its text taken from the model and cut into sections at headings, so that a hit
//! can link to the heading it is under.

use crate::content::fiscal_year::FiscalYear;
use crate::content::model::{node_path, Evaluation, Indicator, NodeId, Page, Plan, Site};
use crate::render::{self, PageKind};
use serde::Serialize;

/// A part of a page's text under one heading (`anchor` `""` for the top of the page);
/// bodies come with theirs from the Markdown renderer.
pub use crate::markdown::Section;

/// One searchable page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchDoc {
    /// Site-relative URL of the page (`kakegawa-2/1-1/`).
    pub url: String,
    /// Page title as shown in its `h1` (with the node number).
    pub title: String,
    /// Breadcrumb labels from the home page down to the page's parent.
    pub crumbs: Vec<String>,
    /// Plan id, or `""` for pages outside plans.
    pub plan: String,
    /// Index into [`Corpus::groups`] of the top-level node (policy field) the page is
    /// under, if any.
    pub group: Option<usize>,
    /// The text, in page order.
    pub sections: Vec<Section>,
    /// What the page lists of other pages: the pages under it (children, the plan's
    /// structure; title and summary, as the list shows them) and its 関連情報 (担当課,
    /// 横断的取組). Searched in the lower-weight `listed` field, so a page is found by every
    /// word it shows but ranks below the pages whose own text has them. Shown after
    /// [`SearchDoc::sections`] in page order.
    pub listed: Vec<Section>,
}

impl SearchDoc {
    /// Text of the `headings` field: every section heading, one per line.
    pub fn headings_text(&self) -> String {
        join(self.sections.iter().map(|s| s.heading.as_str()))
    }

    /// Text of the `body` field: every section's text, one per line.
    pub fn body_text(&self) -> String {
        join(self.sections.iter().map(|s| &*s.text))
    }

    /// Text of the `listed` field (see [`SearchDoc::listed`]).
    pub fn listed_text(&self) -> String {
        join(self.listed.iter().map(|s| &*s.text))
    }

    /// The text of each searched field, in the order of
    /// [`crate::search::index::TEXT_FIELDS`]: title, headings, body, listed.
    pub fn field_texts(&self) -> [String; 4] {
        [self.title.clone(), self.headings_text(), self.body_text(), self.listed_text()]
    }

    /// The sections a hit is shown with: the page's own, then its list of linked pages.
    pub fn display_sections(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().chain(&self.listed)
    }

    /// How deep the page is (its breadcrumb's length): of two hits with the same score the
    /// deeper, more specific one comes first (a 施策の方向 before the 個別施策 listing it).
    pub fn depth(&self) -> usize {
        self.crumbs.len()
    }

    /// A page with `title` and one section of `body`, under the home page (for tests).
    #[cfg(test)]
    pub(crate) fn sample(title: &str, body: &str) -> SearchDoc {
        SearchDoc {
            url: format!("{title}/"),
            title: title.into(),
            crumbs: vec!["ホーム".into()],
            plan: String::new(),
            group: None,
            sections: vec![Section { anchor: String::new(), heading: String::new(), text: body.into() }],
            listed: Vec::new(),
        }
    }

    /// The breadcrumb as one line (`ホーム > 計画 > 戦略1 …`).
    pub fn breadcrumb(&self) -> String {
        self.crumbs.join(" > ")
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = parts.filter(|s| !s.is_empty()).collect();
    v.join("\n")
}

/// A top-level node (policy field) that results can be filtered by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// `<plan id>/<node id>`.
    pub id: String,
    /// The node's label (`戦略1 教育・文化分野`).
    pub label: String,
    /// The plan's title.
    pub plan: String,
}

/// Every searchable page of a site, in a stable order (the document number is the index).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Corpus {
    /// The documents.
    pub docs: Vec<SearchDoc>,
    /// The policy fields, in site order.
    pub groups: Vec<Group>,
}

impl Corpus {
    /// Collects the searchable pages of `site`, in the order pages are rendered.
    pub fn new(site: &Site) -> Corpus {
        let mut groups = Vec::new();
        let mut group_base = Vec::new();
        for plan in &site.plans {
            group_base.push(groups.len());
            for &r in &plan.roots {
                groups.push(Group {
                    id: format!("{}/{}", plan.id, plan.nodes[r].id),
                    label: plan.nodes[r].label(),
                    plan: plan.title.clone(),
                });
            }
        }
        let home = "ホーム".to_string();
        let mut docs = Vec::new();
        for kind in render::site_pages(site) {
            let url = render::page_path(site, kind);
            let doc = match kind {
                PageKind::Plan(pi) => {
                    let plan = &site.plans[pi];
                    let mut intro = Vec::new();
                    intro.extend(plan.subtitle.clone());
                    intro.extend(plan.kind.clone());
                    intro.extend(plan.period.map(|p| format!("計画期間 {}({})", p.wareki(), p.western())));
                    intro.extend(plan.vision.as_ref().map(|v| format!("将来像 {v}")));
                    intro.extend(plan.principles.iter().map(|p| format!("基本理念 {p}")));
                    intro.extend(plan.summary.clone());
                    let mut sections = with_intro(&plan.sections, intro);
                    for &r in &plan.roots {
                        if !plan.nodes[r].has_page {
                            node_sections(plan, r, &mut sections);
                        }
                    }
                    let mut lines = Vec::new();
                    for &r in &plan.roots {
                        listed_lines(plan, r, 1, &mut lines);
                    }
                    SearchDoc {
                        url,
                        title: plan.title.clone(),
                        crumbs: vec![home.clone()],
                        plan: plan.id.clone(),
                        group: None,
                        sections,
                        listed: listed_section("pp-structure", "計画の構成", lines).into_iter().collect(),
                    }
                }
                PageKind::Node(pi, ni) => {
                    let plan = &site.plans[pi];
                    let node = &plan.nodes[ni];
                    let mut crumbs = vec![home.clone(), plan.title.clone()];
                    crumbs.extend(plan.ancestors(ni).into_iter().map(|a| plan.nodes[a].label()));
                    let root = plan.top_of(ni);
                    let group = plan.roots.iter().position(|&r| r == root).map(|i| group_base[pi] + i);
                    let mut sections = with_intro(&node.sections, node.summary.iter().cloned().collect());
                    if !node.indicators.is_empty() {
                        sections.push(Section {
                            anchor: "pp-indicators".into(),
                            heading: "指標".into(),
                            text: indicator_text(&node.indicators).into(),
                        });
                    }
                    if !node.evaluations.is_empty() {
                        let lines: Vec<String> = node
                            .evaluations
                            .iter()
                            .map(|e| format!("{} {} {}", e.year.wareki(), grade_words(plan, e), e.comment))
                            .collect();
                        sections.push(Section {
                            anchor: "pp-evaluations".into(),
                            heading: "評価の推移".into(),
                            text: lines.join("\n").into(),
                        });
                    }
                    for &c in &node.children {
                        if !plan.nodes[c].has_page {
                            node_sections(plan, c, &mut sections);
                        }
                    }
                    let mut lines = Vec::new();
                    for &c in &node.children {
                        listed_lines(plan, c, 0, &mut lines);
                    }
                    // The heading over the list, as the page has it (contexts::node).
                    let heading = match plan.level_name(node.depth + 1) {
                        "" => format!("{}の一覧", render::views::level_noun(plan, node.depth + 1)),
                        name => name.to_string(),
                    };
                    let mut listed: Vec<Section> = listed_section("pp-children", &heading, lines).into_iter().collect();
                    let mut related: Vec<String> = node.departments.iter().map(|d| format!("担当課 {d}")).collect();
                    related.extend(
                        node.themes.iter().filter_map(|t| plan.theme(t)).map(|t| format!("横断的取組 {}", t.title)),
                    );
                    if !related.is_empty() {
                        listed.push(Section {
                            anchor: "pp-related".into(),
                            heading: "関連情報".into(),
                            text: related.join("\n").into(),
                        });
                    }
                    SearchDoc { url, title: node.label(), crumbs, plan: plan.id.clone(), group, sections, listed }
                }
                PageKind::Chapter(pi, ci) => {
                    let plan = &site.plans[pi];
                    page_doc(&plan.chapters[ci], url, vec![home.clone(), plan.title.clone()], &plan.id)
                }
                PageKind::Free(i) => page_doc(&site.pages[i], url, vec![home.clone()], ""),
                PageKind::Progress(pi, year) => progress_doc(&site.plans[pi], year, url, &home),
                _ => continue,
            };
            docs.push(doc);
        }
        Corpus { docs, groups }
    }
}

/// 「令和N年度の進捗状況」: a section per evaluated node, with its grade, comment and
/// 主な取組の実績 (the words a resident would look for).
fn progress_doc(plan: &Plan, year: FiscalYear, url: String, home: &str) -> SearchDoc {
    let mut sections = vec![Section {
        anchor: String::new(),
        heading: String::new(),
        text: format!("{} {}の進捗状況", plan.title, year.wareki()).into(),
    }];
    for &r in &plan.roots {
        let mut stack = vec![r];
        while let Some(id) = stack.pop() {
            let n = &plan.nodes[id];
            stack.extend(n.children.iter().rev());
            let Some(e) = n.evaluations.iter().find(|e| e.year == year) else { continue };
            let grade = grade_words(plan, e);
            let lines: Vec<&str> =
                [grade.as_str(), &e.comment, &e.results].into_iter().filter(|l| !l.is_empty()).collect();
            sections.push(Section {
                anchor: format!("ev-{}", n.id),
                heading: n.label(),
                text: lines.join("\n").into(),
            });
        }
    }
    SearchDoc {
        url,
        title: format!("{}の進捗状況", year.wareki()),
        crumbs: vec![home.to_string(), plan.title.clone()],
        plan: plan.id.clone(),
        group: None,
        sections,
        listed: Vec::new(),
    }
}

/// `A 目標値どおり`: a grade as its page shows it, or "" without one.
fn grade_words(plan: &Plan, e: &Evaluation) -> String {
    e.grade
        .and_then(|g| plan.evaluation.as_ref().and_then(|s| s.grades.get(g)))
        .map(|g| format!("{} {}", g.symbol, g.label))
        .unwrap_or_default()
}

fn page_doc(page: &Page, url: String, crumbs: Vec<String>, plan: &str) -> SearchDoc {
    let sections = with_intro(&page.sections, page.summary.iter().cloned().collect());
    SearchDoc {
        url,
        title: page.title.clone(),
        crumbs,
        plan: plan.to_string(),
        group: None,
        sections,
        listed: Vec::new(),
    }
}

/// Lines a page's node list shows for `id` and `depth` levels under it (as
/// [`render::views::NodeTree`] does): a linked node as its title and summary; a node without
/// a page is in the page's own sections (see [`node_sections`]), its linked descendants here.
fn listed_lines(plan: &Plan, id: NodeId, depth: usize, out: &mut Vec<String>) {
    let node = &plan.nodes[id];
    if node.has_page {
        out.push(node.label());
        out.extend(node.summary.iter().filter(|s| !s.trim().is_empty()).cloned());
        if depth == 0 {
            return;
        }
    }
    for &c in &node.children {
        listed_lines(plan, c, depth.saturating_sub(1), out);
    }
}

fn listed_section(anchor: &str, heading: &str, lines: Vec<String>) -> Option<Section> {
    (!lines.is_empty()).then(|| Section {
        anchor: anchor.into(),
        heading: heading.into(),
        text: lines.join("\n").into(),
    })
}

/// An indicator table as its rows read: name, direction, note, then 基準値 / 目標値 / 最新の実績
/// with the values, units and years shown (`69.4%`, `11,147人`).
fn indicator_text(indicators: &[Indicator]) -> String {
    let lines: Vec<String> = indicators
        .iter()
        .map(|i| {
            let v = render::views::IndicatorView::new(i);
            let mut parts = vec![v.name.clone(), v.better.clone()];
            parts.extend((!v.note.is_empty()).then(|| v.note.clone()));
            let m =
                |label: &str, m: &render::views::MeasurementView| format!("{label} {}{} {}", m.value, v.unit, m.year);
            parts.push(m("基準値", &v.baseline));
            parts.push(m("目標値", &v.target));
            parts.extend(v.latest.as_ref().map(|l| m("最新の実績", l)));
            parts.join(" ")
        })
        .collect();
    lines.join("\n")
}

/// Sections of a node shown inside its host's page, and of its descendants without pages.
fn node_sections(plan: &Plan, id: NodeId, out: &mut Vec<Section>) {
    let node = &plan.nodes[id];
    let mut intro: Vec<String> = node.summary.iter().cloned().collect();
    let mut own = node.sections.clone();
    if let Some(first) = own.first_mut().filter(|s| s.anchor.is_empty()) {
        intro.extend((!first.text.is_empty()).then(|| first.text.to_string()));
        own.remove(0);
    }
    if !node.indicators.is_empty() {
        intro.push(indicator_text(&node.indicators));
    }
    intro
        .extend(node.evaluations.iter().map(|e| format!("{} {} {}", e.year.wareki(), grade_words(plan, e), e.comment)));
    let anchor = node_path(plan, id).rsplit_once('#').map(|(_, a)| a.to_string()).unwrap_or_else(|| node.id.clone());
    out.push(Section { anchor, heading: node.label(), text: intro.join("\n").into() });
    out.extend(own);
    for &c in &node.children {
        if !plan.nodes[c].has_page {
            node_sections(plan, c, out);
        }
    }
}

/// A body's sections with `intro` lines (a summary, the plan's period …) first in the top one.
fn with_intro(body: &[Section], intro: Vec<String>) -> Vec<Section> {
    let mut sections = body.to_vec();
    if sections.is_empty() {
        sections.push(Section { anchor: String::new(), heading: String::new(), text: "".into() });
    }
    let lines: Vec<&str> = intro.iter().map(String::as_str).filter(|l| !l.trim().is_empty()).collect();
    if !lines.is_empty() {
        let own = (!sections[0].text.is_empty()).then_some(&*sections[0].text);
        sections[0].text = lines.into_iter().chain(own).collect::<Vec<_>>().join("\n").into();
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(anchor: &str, text: &str) -> Section {
        Section { anchor: anchor.into(), heading: anchor.into(), text: text.into() }
    }

    #[test]
    fn intro_lines_come_first_in_the_top_section() {
        let body = vec![section("", "前書き"), section("genjo", "一つ目")];
        let s = with_intro(&body, vec!["要約".into(), " ".into()]);
        assert_eq!(&*s[0].text, "要約\n前書き");
        assert_eq!(s[1], body[1]);
        assert_eq!(with_intro(&[], vec!["要約".into()]), vec![section("", "要約")]);
        assert_eq!(with_intro(&[section("", "")], vec![]), vec![section("", "")]);
    }

    #[test]
    fn sections_share_the_model_text_instead_of_copying_it() {
        use std::sync::Arc;
        let body = vec![section("", "前書き"), section("genjo", "一つ目")];
        let s = with_intro(&body, vec![" ".into()]);
        assert!(Arc::ptr_eq(&s[0].text, &body[0].text) && Arc::ptr_eq(&s[1].text, &body[1].text));
        let s = with_intro(&body, vec!["要約".into()]);
        assert!(Arc::ptr_eq(&s[1].text, &body[1].text), "only the top section gets a text of its own");
    }
}
