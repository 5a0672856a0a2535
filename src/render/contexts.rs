//! Page contexts: what each kind of page passes to its template. Which builder a page
//! kind uses, and what model data it reads, is declared in [`super::pages`].

use super::pages;
use super::slots::Slots;
use super::views::*;
use super::Shared;
use crate::content::fiscal_year::FiscalYear;
use crate::content::model::*;
use serde::Serialize;
use tera::Context;

/// The context of [`pages::PageKind::Home`].
pub(super) fn home<'a>(site: &'a Site, shared: &'a Shared, path: &str, slots: &Slots<'a>) -> Context {
    let mut ctx = shared.context(site, None, path, &site.home.title);
    ctx.insert("plans", &shared.plans);
    ctx.insert("page", &PageData::new(&site.home, slots));
    ctx.insert("free_pages", &site.pages.iter().map(PageLink::new).collect::<Vec<_>>());
    let chapters: Vec<Vec<PageLink>> =
        site.plans.iter().map(|p| p.chapters.iter().map(PageLink::new).collect()).collect();
    ctx.insert("chapters", &chapters);
    let home = site.home.body_html.text();
    let links: Vec<HomePlanLinks> = site
        .plans
        .iter()
        .map(|p| HomePlanLinks {
            summary: pages::summary_path(p, None),
            dashboard: p.nodes.iter().any(|n| !n.indicators.is_empty()).then(|| pages::dashboard_path(p)),
            themes: (!p.themes.is_empty()).then(|| pages::theme_index_path(p)),
            // The home page's own text may already state the 将来像: it is shown once.
            vision_in_body: p
                .vision
                .as_deref()
                .is_some_and(|v| !v.is_empty() && (home.contains(v) || home.contains(&crate::html::escape(v)))),
        })
        .collect();
    ctx.insert("plan_links", &links);
    ctx
}

/// What the home page links for each plan besides its fields.
#[derive(Serialize)]
struct HomePlanLinks {
    summary: String,
    dashboard: Option<String>,
    themes: Option<String>,
    vision_in_body: bool,
}

/// The context of [`pages::PageKind::Plan`].
pub(super) fn plan<'a>(site: &'a Site, shared: &'a Shared, pi: usize, path: &str, slots: &Slots<'a>) -> Context {
    let plan = &site.plans[pi];
    let mut ctx = shared.context(site, Some(pi), path, &plan.title);
    ctx.insert("plan", &shared.plans[pi]);
    ctx.insert("body_html", &slots.put(plan.body_html.text()));
    ctx.insert("breadcrumbs", &crumbs(None));
    let depth = 1;
    let tree: Vec<NodeTree> = plan.roots.iter().map(|&r| NodeTree::new(plan, r, depth, 3, None)).collect();
    ctx.insert("tree", &tree);
    ctx.insert("chapters", &plan.chapters.iter().map(PageLink::new).collect::<Vec<_>>());
    ctx.insert("themes", &plan.themes);
    ctx.insert("has_dashboard", &plan.nodes.iter().any(|n| !n.indicators.is_empty()));
    ctx.insert("years", &year_links(plan, None));
    ctx
}

/// The context of [`pages::PageKind::Chapter`].
pub(super) fn chapter<'a>(
    site: &'a Site,
    shared: &'a Shared,
    pi: usize,
    ci: usize,
    path: &str,
    slots: &Slots<'a>,
) -> Context {
    let plan = &site.plans[pi];
    let page = &plan.chapters[ci];
    let mut ctx = shared.context(site, Some(pi), path, &page.title);
    ctx.insert("page", &PageData::new(page, slots));
    ctx.insert("breadcrumbs", &crumbs(Some(plan)));
    let pos = |i: usize| plan.chapters.get(i).map(PageLink::new);
    ctx.insert("prev", &ci.checked_sub(1).and_then(pos));
    ctx.insert("next", &pos(ci + 1));
    ctx
}

/// The context of [`pages::PageKind::ThemeIndex`].
pub(super) fn theme_index<'a>(site: &'a Site, shared: &'a Shared, pi: usize, path: &str) -> Context {
    let plan = &site.plans[pi];
    let mut ctx = shared.context(site, Some(pi), path, &format!("横断的取組 | {}", plan.title));
    ctx.insert("crumb_title", "横断的取組");
    ctx.insert("plan", &shared.plans[pi]);
    ctx.insert("breadcrumbs", &crumbs(Some(plan)));
    let themes: Vec<ThemeData> = plan.themes.iter().map(|t| ThemeData::new(plan, t)).collect();
    ctx.insert("themes", &themes);
    ctx
}

/// The context of [`pages::PageKind::Theme`].
pub(super) fn theme<'a>(site: &'a Site, shared: &'a Shared, pi: usize, ti: usize, path: &str) -> Context {
    let plan = &site.plans[pi];
    let theme = &plan.themes[ti];
    let mut ctx = shared.context(site, Some(pi), path, &theme.title);
    ctx.insert("plan", &shared.plans[pi]);
    let mut bc = crumbs(Some(plan));
    bc.push(Crumb { path: pages::theme_index_path(plan), label: "横断的取組".into() });
    ctx.insert("breadcrumbs", &bc);
    ctx.insert("theme", &ThemeData::new(plan, theme));
    ctx
}

/// The context of [`pages::PageKind::SdgIndex`].
pub(super) fn sdg_index<'a>(site: &'a Site, shared: &'a Shared, path: &str) -> Context {
    let mut ctx = shared.context(site, None, path, "SDGs の目標から探す");
    ctx.insert("breadcrumbs", &crumbs(None));
    let goals: Vec<(SdgView, usize)> =
        (1..=17).map(|g| (SdgView::new(g), shared.sdg_nodes.get(&g).map_or(0, Vec::len))).collect();
    ctx.insert("goals", &goals);
    ctx
}

/// The context of [`pages::PageKind::Sdg`].
pub(super) fn sdg<'a>(site: &'a Site, shared: &'a Shared, g: u8, path: &str) -> Context {
    let goal = SdgView::new(g);
    let mut ctx = shared.context(site, None, path, &format!("SDGs 目標{g} {}", goal.name));
    ctx.insert("crumb_title", goal.name);
    let mut bc = crumbs(None);
    bc.push(Crumb { path: pages::SDG_INDEX_PATH.into(), label: "SDGs の目標から探す".into() });
    ctx.insert("breadcrumbs", &bc);
    ctx.insert("goal", &goal);
    ctx.insert("groups", &grouped(site, shared.sdg_nodes.get(&g).map(Vec::as_slice).unwrap_or(&[])));
    ctx.insert("prev", &(g > 1).then(|| SdgView::new(g - 1)));
    ctx.insert("next", &(g < 17).then(|| SdgView::new(g + 1)));
    ctx
}

/// The context of [`pages::PageKind::Departments`].
pub(super) fn departments<'a>(site: &'a Site, shared: &'a Shared, path: &str) -> Context {
    let mut ctx = shared.context(site, None, path, "担当課から探す");
    ctx.insert("breadcrumbs", &crumbs(None));
    let departments: Vec<(DepartmentLink, usize)> = shared
        .departments
        .names
        .iter()
        .zip(&shared.department_nodes)
        .map(|(name, nodes)| (shared.departments.link(name), nodes.len()))
        .collect();
    ctx.insert("departments", &departments);
    ctx
}

/// The context of [`pages::PageKind::Department`].
pub(super) fn department<'a>(site: &'a Site, shared: &'a Shared, i: usize, path: &str) -> Context {
    let names = &shared.departments.names;
    let mut ctx = shared.context(site, None, path, &format!("{}の施策", names[i]));
    let mut bc = crumbs(None);
    bc.push(Crumb { path: pages::DEPARTMENT_INDEX_PATH.into(), label: "担当課から探す".into() });
    ctx.insert("breadcrumbs", &bc);
    ctx.insert(
        "department",
        &DepartmentData {
            link: shared.departments.link(&names[i]),
            groups: grouped(site, &shared.department_nodes[i]),
        },
    );
    ctx.insert("prev", &i.checked_sub(1).map(|j| shared.departments.link(&names[j])));
    ctx.insert("next", &names.get(i + 1).map(|n| shared.departments.link(n)));
    ctx
}

/// The context of [`pages::PageKind::Free`].
pub(super) fn free<'a>(site: &'a Site, shared: &'a Shared, i: usize, path: &str, slots: &Slots<'a>) -> Context {
    let page = &site.pages[i];
    let mut ctx = shared.context(site, None, path, &page.title);
    ctx.insert("page", &PageData::new(page, slots));
    ctx.insert("breadcrumbs", &crumbs(None));
    ctx
}

/// The context of [`pages::PageKind::Search`].
pub(super) fn search<'a>(site: &'a Site, shared: &'a Shared, path: &str) -> Context {
    let mut ctx = shared.context(site, None, path, "サイト内検索");
    ctx.insert("breadcrumbs", &crumbs(None));
    ctx
}

/// The context of [`pages::PageKind::NotFound`].
pub(super) fn not_found<'a>(site: &'a Site, shared: &'a Shared, path: &str) -> Context {
    let mut ctx = shared.context(site, None, path, "ページが見つかりません");
    ctx.insert("plans", &shared.plans);
    // The 404 page is served at any depth: links must be absolute from the host.
    ctx.insert("root", &site.config.base_path());
    ctx.insert("canonical", "");
    ctx
}

/// The context of [`pages::PageKind::Redirect`]: the page at an old URL of `owner`'s page.
pub(super) fn redirect<'a>(site: &'a Site, shared: &'a Shared, owner: AliasOwner, path: &str) -> Context {
    let target = pages::alias_target(site, owner);
    let mut ctx = shared.context(site, None, path, "このページは移動しました");
    // A file alias (`old/page.html`) sits one folder higher than a folder one of its depth.
    let dir = if path.ends_with(".html") { path.rsplit_once('/').map(|(d, _)| d).unwrap_or("") } else { path };
    ctx.insert("root", &crate::html::root_prefix(dir));
    ctx.insert("target", &target);
    ctx.insert("target_title", site.alias_title(owner));
    ctx.insert("canonical", &site.config.absolute_url(pages::without_fragment(&target)));
    ctx.insert("breadcrumbs", &crumbs(None));
    ctx
}

/// The breadcrumbs every page starts with: home, and the plan's top page.
pub(super) fn crumbs(plan: Option<&Plan>) -> Vec<Crumb> {
    let mut v = vec![Crumb { path: String::new(), label: "ホーム".into() }];
    if let Some(p) = plan {
        v.push(Crumb { path: p.path(), label: p.title.clone() });
    }
    v
}

/// Nodes grouped by plan, for SDG and department pages.
#[derive(Serialize)]
struct PlanGroup {
    plan: PlanLinkData,
    nodes: Vec<NodeLink>,
}

#[derive(Serialize)]
struct PlanLinkData {
    title: String,
    path: String,
}

fn grouped(site: &Site, nodes: &[(usize, NodeId)]) -> Vec<PlanGroup> {
    let mut out: Vec<PlanGroup> = Vec::new();
    for &(pi, ni) in nodes {
        let plan = &site.plans[pi];
        if out.last().is_none_or(|g| g.plan.path != plan.path()) {
            out.push(PlanGroup {
                plan: PlanLinkData { title: plan.title.clone(), path: plan.path() },
                nodes: Vec::new(),
            });
        }
        if let Some(g) = out.last_mut() {
            g.nodes.push(NodeLink::new(plan, ni));
        }
    }
    out
}

#[derive(Serialize)]
struct DepartmentData {
    #[serde(flatten)]
    link: DepartmentLink,
    groups: Vec<PlanGroup>,
}

#[derive(Serialize)]
struct ThemeData {
    id: String,
    number: String,
    title: String,
    summary: String,
    path: String,
    nodes: Vec<NodeLink>,
}

impl ThemeData {
    fn new(plan: &Plan, t: &CrossCuttingTheme) -> Self {
        let nodes = plan
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.themes.contains(&t.id))
            .map(|(i, _)| NodeLink::new(plan, i))
            .collect();
        ThemeData {
            id: t.id.clone(),
            number: t.number.clone().unwrap_or_default(),
            title: t.title.clone(),
            summary: t.summary.clone().unwrap_or_default(),
            path: pages::theme_path(plan, &t.id),
            nodes,
        }
    }
}

#[derive(Serialize)]
struct PageData<'a> {
    title: &'a str,
    summary: &'a str,
    body_html: String,
}

impl<'a> PageData<'a> {
    fn new(p: &'a Page, slots: &Slots<'a>) -> Self {
        PageData {
            title: &p.title,
            summary: p.summary.as_deref().unwrap_or(""),
            body_html: slots.put(p.body_html.text()),
        }
    }
}

#[derive(Serialize)]
struct NodeData<'a> {
    id: &'a str,
    number: &'a str,
    title: &'a str,
    summary: &'a str,
    level: &'a str,
    noun: String,
    body_html: String,
    top_path: String,
}

pub(super) fn node<'a>(
    site: &'a Site,
    shared: &'a Shared,
    pi: usize,
    ni: NodeId,
    path: &str,
    slots: &Slots<'a>,
) -> Context {
    let plan = &site.plans[pi];
    let node = &plan.nodes[ni];
    let mut ctx = shared.context(site, Some(pi), path, &node.label());
    let top = plan.top_of(ni);
    ctx.insert(
        "node",
        &NodeData {
            id: &node.id,
            number: node.number.as_deref().unwrap_or(""),
            title: &node.title,
            summary: node.summary.as_deref().unwrap_or(""),
            level: plan.level_name(node.depth),
            noun: level_noun(plan, node.depth),
            body_html: slots.put(node.body_html.text()),
            top_path: node_path(plan, top),
        },
    );
    ctx.insert("plan", &shared.plans[pi]);
    let mut bc = crumbs(Some(plan));
    for a in plan.ancestors(ni) {
        bc.push(Crumb { path: node_path(plan, a), label: plan.nodes[a].label() });
    }
    ctx.insert("breadcrumbs", &bc);
    ctx.insert("parent", &node.parent.map(|p| NodeLink::new(plan, p)));
    let children: Vec<NodeTree> = node.children.iter().map(|&c| NodeTree::new(plan, c, 0, 3, Some(slots))).collect();
    ctx.insert("children", &children);
    // The heading over the children: their level's name, or 「項目の一覧」 (never empty).
    let children_heading = match plan.level_name(node.depth + 1) {
        "" => format!("{}の一覧", level_noun(plan, node.depth + 1)),
        name => name.to_string(),
    };
    ctx.insert("children_level", &children_heading);
    let siblings: Vec<NodeId> = plan.siblings(ni).iter().copied().filter(|&s| plan.nodes[s].has_page).collect();
    let pos = siblings.iter().position(|&s| s == ni).unwrap_or(0);
    ctx.insert("prev", &pos.checked_sub(1).map(|i| NodeLink::new(plan, siblings[i])));
    ctx.insert("next", &siblings.get(pos + 1).map(|&s| NodeLink::new(plan, s)));
    let t = &site.config.progress;
    let indicators: Vec<IndicatorView> = node
        .indicators
        .iter()
        .enumerate()
        .map(|(k, i)| IndicatorView::with_chart(i, t, shared.chart(site, pi, ni, k), slots))
        .collect();
    ctx.insert("indicators", &indicators);
    ctx.insert("indicators_have_notes", &node.indicators.iter().any(|i| !i.actual_notes.is_empty()));
    let evaluations: Vec<EvaluationView> =
        node.evaluations.iter().map(|e| EvaluationView::new(plan, ni, e, None)).collect();
    ctx.insert("evaluations", &evaluations);
    ctx.insert("evaluation_name", &plan.evaluation.as_ref().map(|s| s.name.as_str()).unwrap_or("評価"));
    ctx.insert("summary_path", &(node.parent.is_none()).then(|| pages::summary_path(plan, Some(ni))));
    ctx.insert("sdgs", &node.sdgs.iter().map(|&g| SdgView::new(g)).collect::<Vec<_>>());
    ctx.insert("departments", &node.departments.iter().map(|d| shared.departments.link(d)).collect::<Vec<_>>());
    let contacts: Vec<ContactView> =
        node.departments.iter().filter_map(|d| ContactView::new(site, &shared.departments, d)).collect();
    ctx.insert("contacts", &contacts);
    let themes: Vec<ThemeLink> = node
        .themes
        .iter()
        .filter_map(|t| plan.theme(t))
        .map(|t| ThemeLink { title: t.title.clone(), path: pages::theme_path(plan, &t.id) })
        .collect();
    ctx.insert("themes", &themes);
    ctx
}

/// One status of the dashboard legend, defined by [`crate::content::ProgressRule::legend`].
#[derive(Serialize)]
struct LegendEntry {
    key: &'static str,
    label: &'static str,
    good: bool,
    definition: String,
}

#[derive(Serialize)]
struct ThemeLink {
    title: String,
    path: String,
}

/// A top-level node with its children and all indicators below it, for summaries and
/// the dashboard.
#[derive(Serialize)]
struct FieldData {
    link: NodeLink,
    id: String,
    children: Vec<NodeLink>,
    indicators: Vec<IndicatorGroup>,
    counts: Vec<(String, &'static str, usize)>,
    total: usize,
}

/// Indicators of one node.
#[derive(Serialize)]
struct IndicatorGroup {
    node: NodeLink,
    indicators: Vec<IndicatorView>,
}

fn field_data<'a>(
    site: &'a Site,
    pi: usize,
    top: NodeId,
    charts: Option<(&'a Shared, &Slots<'a>)>,
    as_of: Option<FiscalYear>,
) -> FieldData {
    let plan = &site.plans[pi];
    let t = &site.config.progress;
    let mut groups = Vec::new();
    let mut stack = vec![top];
    // Depth-first in display order: the field's own indicators, then its descendants'.
    while let Some(id) = stack.pop() {
        let n = &plan.nodes[id];
        if !n.indicators.is_empty() {
            let indicators = n
                .indicators
                .iter()
                .enumerate()
                .map(|(k, i)| match (charts, as_of) {
                    (Some((_, slots)), Some(y)) => {
                        let chart = super::chart::indicator_chart(&until(i, y), &format!("chart-{}", i.id));
                        IndicatorView { chart_svg: slots.put(chart), ..IndicatorView::as_of(i, t, y) }
                    }
                    (Some((shared, slots)), None) => {
                        IndicatorView::with_chart(i, t, shared.chart(site, pi, id, k), slots)
                    }
                    (None, Some(y)) => IndicatorView::as_of(i, t, y),
                    (None, None) => IndicatorView::rated(i, t),
                })
                .collect();
            groups.push(IndicatorGroup { node: NodeLink::new(plan, id), indicators });
        }
        stack.extend(n.children.iter().rev());
    }
    let all: Vec<&IndicatorView> = groups.iter().flat_map(|g| g.indicators.iter()).collect();
    let counts = t
        .statuses()
        .into_iter()
        .map(|s| (s.label().to_string(), s.key(), all.iter().filter(|i| i.status == s.key()).count()))
        .collect();
    FieldData {
        link: NodeLink::new(plan, top),
        id: plan.nodes[top].id.clone(),
        children: plan.nodes[top].children.iter().map(|&c| NodeLink::new(plan, c)).collect(),
        total: all.len(),
        indicators: groups,
        counts,
    }
}

/// The context of [`pages::PageKind::PlanSummary`] (`field` = `None`) and
/// [`pages::PageKind::FieldSummary`]: the plan, its fields with every node below them, their
/// indicators with charts, the SDGs × fields table and the 横断的取組.
pub(super) fn summary<'a>(
    site: &'a Site,
    shared: &'a Shared,
    pi: usize,
    field: Option<NodeId>,
    path: &str,
    slots: &Slots<'a>,
) -> Context {
    let plan = &site.plans[pi];
    let title = match field {
        Some(n) => format!("{} 概要版", plan.nodes[n].label()),
        None => format!("{} 概要版", plan.title),
    };
    let mut ctx = shared.context(site, Some(pi), path, &title);
    ctx.insert("plan", &shared.plans[pi]);
    let mut bc = crumbs(Some(plan));
    if let Some(n) = field {
        bc.push(Crumb { path: node_path(plan, n), label: plan.nodes[n].label() });
    }
    ctx.insert("breadcrumbs", &bc);
    let roots: Vec<NodeId> = match field {
        Some(n) => vec![n],
        None => plan.roots.clone(),
    };
    let mut fields: Vec<SummaryField> = roots
        .iter()
        .map(|&r| {
            let mut sdgs: Vec<u8> = Vec::new();
            let mut nodes = 0;
            let mut stack = vec![r];
            while let Some(id) = stack.pop() {
                sdgs.extend(&plan.nodes[id].sdgs);
                stack.extend(&plan.nodes[id].children);
                nodes += 1;
            }
            sdgs.sort_unstable();
            sdgs.dedup();
            SummaryField {
                data: field_data(site, pi, r, Some((shared, slots)), None),
                tree: SummaryNode::new(plan, r),
                descendants: nodes - 1,
                sdgs,
                sdg_marks: Vec::new(),
            }
        })
        .collect();
    // The SDGs × fields table: a column for each goal that occurs.
    let goals: Vec<u8> = (1..=17).filter(|g| fields.iter().any(|f| f.sdgs.contains(g))).collect();
    for f in &mut fields {
        f.sdg_marks = goals.iter().map(|g| f.sdgs.contains(g)).collect();
    }
    ctx.insert("sdg_goals", &goals.iter().map(|&g| SdgView::new(g)).collect::<Vec<_>>());
    ctx.insert("fields", &fields);
    // 横断的取組 with their members (in a field summary: those in the field).
    let themes: Vec<ThemeData> = plan
        .themes
        .iter()
        .filter_map(|t| {
            let mut d = ThemeData::new(plan, t);
            if let Some(f) = field {
                d.nodes = plan
                    .nodes
                    .iter()
                    .enumerate()
                    .filter(|(i, n)| n.themes.contains(&t.id) && plan.top_of(*i) == f)
                    .map(|(i, _)| NodeLink::new(plan, i))
                    .collect();
            }
            (field.is_none() || !d.nodes.is_empty()).then_some(d)
        })
        .collect();
    ctx.insert("themes", &themes);
    // Bodies were rendered for their own pages; this page sits deeper (`summary/…`).
    let here = crate::html::root_prefix(path);
    ctx.insert(
        "field",
        &field.map(|n| {
            let node = &plan.nodes[n];
            let from = crate::html::root_prefix(&crate::content::model::host_page_path(plan, n));
            (NodeLink::new(plan, n), slots.put(crate::html::rebase_root(node.body_html.text(), &from, &here)))
        }),
    );
    let plan_body = || {
        let from = crate::html::root_prefix(&format!("{}/", plan.id));
        slots.put(crate::html::rebase_root(plan.body_html.text(), &from, &here))
    };
    ctx.insert("body_html", &if field.is_none() { plan_body() } else { String::new() });
    ctx.insert("built_on", &shared.built_on);
    // The URL printed on paper: only a real one (none without base_url).
    ctx.insert("page_url", &site.config.absolute_url(path).unwrap_or_default());
    ctx
}

/// A top-level node in a printable summary (概要版): the dashboard's field data (with
/// charts), every node below it, and its SDG goals.
#[derive(Serialize)]
struct SummaryField {
    #[serde(flatten)]
    data: FieldData,
    /// The field and all its descendants.
    tree: SummaryNode,
    /// How many nodes there are below the field (the template gives a field with many
    /// its own printed page).
    descendants: usize,
    /// SDG goals of the field and of every node below it, sorted.
    sdgs: Vec<u8>,
    /// For each column of the SDGs × fields table (`sdg_goals`), whether the field has it.
    sdg_marks: Vec<bool>,
}

/// The context of [`pages::PageKind::Dashboard`] (`as_of` = `None`) and of
/// [`pages::PageKind::YearDashboard`] (status from the actuals up to that year).
pub(super) fn dashboard<'a>(
    site: &'a Site,
    shared: &'a Shared,
    pi: usize,
    as_of: Option<FiscalYear>,
    path: &str,
    slots: &Slots<'a>,
) -> Context {
    let plan = &site.plans[pi];
    let heading = match as_of {
        Some(y) => format!("指標の達成状況({}末時点)", y.wareki()),
        None => "指標の達成状況".to_string(),
    };
    let mut ctx = shared.context(site, Some(pi), path, &format!("{heading} | {}", plan.title));
    ctx.insert("crumb_title", &heading);
    ctx.insert("heading", &heading);
    ctx.insert("plan", &shared.plans[pi]);
    let mut bc = crumbs(Some(plan));
    if as_of.is_some() {
        bc.push(Crumb { path: pages::dashboard_path(plan), label: "指標の達成状況".into() });
    }
    ctx.insert("breadcrumbs", &bc);
    ctx.insert("as_of", &as_of.map(|y| y.wareki()));
    ctx.insert("years", &year_links(plan, as_of));
    ctx.insert("progress_path", &as_of.map(|y| pages::progress_path(plan, y)));
    let fields: Vec<FieldData> = plan
        .roots
        .iter()
        .map(|&r| field_data(site, pi, r, Some((shared, slots)), as_of))
        .filter(|f| f.total > 0)
        .collect();
    let rule = &site.config.progress;
    let totals: Vec<(String, &'static str, usize)> = rule
        .statuses()
        .into_iter()
        .enumerate()
        .map(|(k, s)| (s.label().to_string(), s.key(), fields.iter().map(|f| f.counts[k].2).sum()))
        .collect();
    ctx.insert("totals", &totals);
    ctx.insert("total", &fields.iter().map(|f| f.total).sum::<usize>());
    ctx.insert("fields", &fields);
    let legend: Vec<LegendEntry> = rule
        .legend()
        .into_iter()
        .map(|(s, definition)| LegendEntry { key: s.key(), label: s.label(), good: s.good(), definition })
        .collect();
    ctx.insert("legend", &legend);
    ctx.insert("method", &rule.method());
    // A plan with no actual yet says so instead of a table of zeros (the example site's
    // seed has none). The dashboard reads every node's indicators, so this is covered.
    ctx.insert("has_actuals", &plan.nodes.iter().flat_map(|n| &n.indicators).any(|i| !i.actuals.is_empty()));
    ctx
}

/// A fiscal year with data, and its pages.
#[derive(Serialize)]
struct YearLink {
    /// `令和6年度`.
    year: String,
    /// `2024`.
    western_year: i32,
    /// Its 「進捗状況」 page.
    progress: String,
    /// Its dashboard, when the plan has indicators.
    dashboard: Option<String>,
    /// The year the page is about.
    current: bool,
}

/// Every fiscal year of `plan` with data; `current` is marked.
fn year_links(plan: &Plan, current: Option<FiscalYear>) -> Vec<YearLink> {
    let has_indicators = plan.nodes.iter().any(|n| !n.indicators.is_empty());
    pages::data_years(plan)
        .into_iter()
        .map(|y| YearLink {
            year: y.wareki(),
            western_year: y.0,
            progress: pages::progress_path(plan, y),
            dashboard: has_indicators.then(|| pages::year_dashboard_path(plan, y)),
            current: current == Some(y),
        })
        .collect()
}

/// `top` and every node below it, in tree (display) order.
fn tree_order(plan: &Plan, top: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut stack = vec![top];
    while let Some(id) = stack.pop() {
        out.push(id);
        stack.extend(plan.nodes[id].children.iter().rev());
    }
    out
}

/// A node on a yearly progress page.
#[derive(Serialize)]
struct YearNode {
    link: NodeLink,
    id: String,
    /// Its heading (3–6): by depth, never skipping a level after the one before.
    heading_level: usize,
    /// The field itself (shown under the field's own heading).
    is_field: bool,
    evaluation: Option<EvaluationView>,
    indicators: Vec<YearIndicatorView>,
}

/// A top-level node on a yearly progress page: counts, then its nodes of that year.
#[derive(Serialize)]
struct YearField {
    link: NodeLink,
    id: String,
    /// Evaluated nodes per grade of the scale, then those evaluated without a grade.
    grade_counts: Vec<usize>,
    evaluated: usize,
    /// Indicators per status (the rule's [`ProgressRule::statuses`]) as of the year.
    status_counts: Vec<usize>,
    indicators: usize,
    nodes: Vec<YearNode>,
}

/// The context of [`pages::PageKind::Progress`]: 「令和N年度の進捗状況」.
pub(super) fn progress<'a>(
    site: &'a Site,
    shared: &'a Shared,
    pi: usize,
    year: FiscalYear,
    path: &str,
    slots: &Slots<'a>,
) -> Context {
    let plan = &site.plans[pi];
    let heading = format!("{}の進捗状況", year.wareki());
    let mut ctx = shared.context(site, Some(pi), path, &format!("{heading} | {}", plan.title));
    ctx.insert("crumb_title", &heading);
    ctx.insert("heading", &heading);
    ctx.insert("plan", &shared.plans[pi]);
    ctx.insert("breadcrumbs", &crumbs(Some(plan)));
    let t = &site.config.progress;
    let grades = GradeView::scale(plan);
    let statuses = t.statuses();
    let fields: Vec<YearField> = plan
        .roots
        .iter()
        .map(|&r| {
            let mut f = YearField {
                link: NodeLink::new(plan, r),
                id: plan.nodes[r].id.clone(),
                grade_counts: vec![0; grades.len() + 1],
                evaluated: 0,
                status_counts: vec![0; statuses.len()],
                indicators: 0,
                nodes: Vec::new(),
            };
            let mut last_level = 2;
            for id in tree_order(plan, r) {
                let n = &plan.nodes[id];
                let evaluation = n.evaluations.iter().find(|e| e.year == year);
                if let Some(e) = evaluation {
                    f.evaluated += 1;
                    let k = e.grade.filter(|&g| g < grades.len()).unwrap_or(grades.len());
                    f.grade_counts[k] += 1;
                }
                for i in &n.indicators {
                    let (status, _) = status_as_of(i, t, year);
                    if let Some(k) = statuses.iter().position(|s| *s == status) {
                        f.status_counts[k] += 1;
                    }
                    f.indicators += 1;
                }
                let has_actual = n.indicators.iter().any(|i| i.actuals.iter().any(|a| a.year == year));
                if evaluation.is_none() && !has_actual {
                    continue;
                }
                let heading_level = if id == r { 2 } else { (2 + n.depth).min(last_level + 1).min(6) };
                last_level = heading_level;
                f.nodes.push(YearNode {
                    link: NodeLink::new(plan, id),
                    id: n.id.clone(),
                    heading_level,
                    is_field: id == r,
                    evaluation: evaluation.map(|e| EvaluationView::new(plan, id, e, Some(slots))),
                    indicators: n.indicators.iter().map(|i| YearIndicatorView::new(i, t, year)).collect(),
                });
            }
            f
        })
        .collect();
    let sum = |pick: &dyn Fn(&YearField) -> &Vec<usize>, len: usize| -> Vec<usize> {
        (0..len).map(|k| fields.iter().map(|f| pick(f)[k]).sum()).collect()
    };
    ctx.insert("grade_totals", &sum(&|f| &f.grade_counts, grades.len() + 1));
    ctx.insert("status_totals", &sum(&|f| &f.status_counts, statuses.len()));
    ctx.insert("evaluated", &fields.iter().map(|f| f.evaluated).sum::<usize>());
    ctx.insert("indicator_total", &fields.iter().map(|f| f.indicators).sum::<usize>());
    ctx.insert("statuses", &statuses.iter().map(|s| (s.label(), s.key())).collect::<Vec<_>>());
    ctx.insert("grades", &grades);
    ctx.insert("scale_name", &plan.evaluation.as_ref().map(|s| s.name.as_str()).unwrap_or(""));
    ctx.insert("fields", &fields);
    ctx.insert("year", &year.wareki());
    ctx.insert("western_year", &year.0);
    ctx.insert("years", &year_links(plan, Some(year)));
    let years = pages::data_years(plan);
    let pos = years.iter().position(|&y| y == year);
    let before = pos.and_then(|p| p.checked_sub(1)).and_then(|p| years.get(p)).copied();
    let after = pos.and_then(|p| years.get(p + 1)).copied();
    ctx.insert("compare_prev", &before.map(|b| (b.wareki(), pages::comparison_path(plan, b, year))));
    ctx.insert("compare_next", &after.map(|a| (a.wareki(), pages::comparison_path(plan, year, a))));
    let has_indicators = plan.nodes.iter().any(|n| !n.indicators.is_empty());
    ctx.insert("dashboard_path", &has_indicators.then(|| pages::year_dashboard_path(plan, year)));
    ctx.insert("built_on", &shared.built_on);
    // The URL printed on paper: only a real one (none without base_url).
    ctx.insert("page_url", &site.config.absolute_url(path).unwrap_or_default());
    ctx
}

/// One change between two years on a comparison page.
#[derive(Serialize)]
struct ChangeRow {
    node: NodeLink,
    /// `評価` or the indicator's name.
    item: String,
    from: String,
    to: String,
    /// 改善, 悪化, or what else happened (実績が初めて公表 …), in words.
    direction: &'static str,
    /// `better`, `worse` or `other` (a CSS class; the words say it).
    key: &'static str,
}

/// The changes under one top-level node.
#[derive(Serialize)]
struct FieldChanges {
    link: NodeLink,
    id: String,
    rows: Vec<ChangeRow>,
}

fn grade_text(plan: &Plan, e: Option<&Evaluation>) -> String {
    match e {
        None => "評価なし".into(),
        Some(e) => e
            .grade
            .and_then(|g| plan.evaluation.as_ref().and_then(|s| s.grades.get(g)))
            .map(|g| format!("{} {}", g.symbol, g.label))
            .unwrap_or_else(|| "区分なし".into()),
    }
}

/// The context of [`pages::PageKind::Comparison`]: what changed from `from` to `to`.
pub(super) fn comparison<'a>(
    site: &'a Site,
    shared: &'a Shared,
    pi: usize,
    from: FiscalYear,
    to: FiscalYear,
    path: &str,
) -> Context {
    let plan = &site.plans[pi];
    let heading = format!("{}と{}の比較", from.wareki(), to.wareki());
    let mut ctx = shared.context(site, Some(pi), path, &format!("{heading} | {}", plan.title));
    ctx.insert("crumb_title", &heading);
    ctx.insert("heading", &heading);
    ctx.insert("plan", &shared.plans[pi]);
    let mut bc = crumbs(Some(plan));
    bc.push(Crumb { path: pages::progress_path(plan, to), label: format!("{}の進捗状況", to.wareki()) });
    ctx.insert("breadcrumbs", &bc);
    let t = &site.config.progress;
    let rank = |s: Status| Status::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let fields: Vec<FieldChanges> = plan
        .roots
        .iter()
        .map(|&r| {
            let mut rows = Vec::new();
            for id in tree_order(plan, r) {
                let n = &plan.nodes[id];
                let (a, b) =
                    (n.evaluations.iter().find(|e| e.year == from), n.evaluations.iter().find(|e| e.year == to));
                let (ga, gb) = (a.and_then(|e| e.grade), b.and_then(|e| e.grade));
                if ga != gb {
                    let (direction, key) = match (ga, gb) {
                        (Some(x), Some(y)) if y < x => ("改善", "better"),
                        (Some(_), Some(_)) => ("悪化", "worse"),
                        (None, _) => ("新たに評価", "other"),
                        (_, None) => ("評価なし", "other"),
                    };
                    rows.push(ChangeRow {
                        node: NodeLink::new(plan, id),
                        item: plan.evaluation.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "評価".into()),
                        from: grade_text(plan, a),
                        to: grade_text(plan, b),
                        direction,
                        key,
                    });
                }
                for i in &n.indicators {
                    let (sa, pa) = status_as_of(i, t, from);
                    let (sb, pb) = status_as_of(i, t, to);
                    if sa == sb {
                        continue;
                    }
                    let (direction, key) = match (sa, sb) {
                        (Status::Unrated, _) => ("実績が初めて公表", "other"),
                        (_, Status::Unrated) => ("実績なし", "other"),
                        _ if rank(sb) < rank(sa) => ("改善", "better"),
                        _ => ("悪化", "worse"),
                    };
                    let text = |s: Status, p: Option<i64>| match p {
                        Some(p) => format!("{}(進捗率 {p}%)", s.label()),
                        None => s.label().to_string(),
                    };
                    rows.push(ChangeRow {
                        node: NodeLink::new(plan, id),
                        item: format!("指標: {}", i.name),
                        from: text(sa, pa),
                        to: text(sb, pb),
                        direction,
                        key,
                    });
                }
            }
            FieldChanges { link: NodeLink::new(plan, r), id: plan.nodes[r].id.clone(), rows }
        })
        .collect();
    ctx.insert("changes", &fields.iter().map(|f| f.rows.len()).sum::<usize>());
    ctx.insert("fields", &fields.into_iter().filter(|f| !f.rows.is_empty()).collect::<Vec<_>>());
    ctx.insert("from", &(from.wareki(), pages::progress_path(plan, from)));
    ctx.insert("to", &(to.wareki(), pages::progress_path(plan, to)));
    ctx
}
