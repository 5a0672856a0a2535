//! Rendering: which pages a site has, and each page's HTML from its Tera template.

pub mod chart;
pub mod recursion;
pub mod slots;
pub mod templates;
pub mod views;

use crate::content::model::Status;
use crate::content::model::*;
use crate::diagnostics::Diagnostic;
use crate::html::root_prefix;
use serde::Serialize;
use slots::Slots;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use tera::{Context, Tera};
use views::*;

/// One page of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// `index.html`.
    Home,
    /// A plan's top page.
    Plan(usize),
    /// A node with a page of its own.
    Node(usize, NodeId),
    /// A plan chapter (`_pages/`).
    Chapter(usize, usize),
    /// The list of a plan's cross-cutting themes.
    ThemeIndex(usize),
    /// One cross-cutting theme.
    Theme(usize, usize),
    /// The list of SDG goals.
    SdgIndex,
    /// One SDG goal.
    Sdg(u8),
    /// The department index.
    Departments,
    /// One department (its number in [`DepartmentIndex::names`]).
    Department(usize),
    /// A plan's printable summary (概要版).
    PlanSummary(usize),
    /// The printable summary of one top-level node.
    FieldSummary(usize, NodeId),
    /// A plan's indicator dashboard.
    Dashboard(usize),
    /// A free page.
    Free(usize),
    /// The site search page ([`SEARCH_PATH`]).
    Search,
    /// `404.html`.
    NotFound,
}

/// Site-relative path of the search page; the header's search form submits to it.
pub const SEARCH_PATH: &str = "search/";

/// A rendered page.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    /// Site-relative URL path (`kakegawa-2/1-1/`); `404.html` for the error page.
    pub path: String,
    /// The finished HTML (UTF-8).
    pub html: Vec<u8>,
}

impl RenderedPage {
    /// The output file, relative to the output folder.
    pub fn file(&self) -> String {
        if self.path.ends_with(".html") {
            self.path.clone()
        } else {
            format!("{}index.html", self.path)
        }
    }
}

/// Every page the site has, in a stable order.
pub fn site_pages(site: &Site) -> Vec<PageKind> {
    let mut out = vec![PageKind::Home];
    for pi in 0..site.plans.len() {
        out.extend(plan_pages(site, pi));
    }
    out.extend(site_level_pages(site).into_iter().skip(1));
    out
}

/// The pages of plan `pi`: all of them live under its folder (`<plan id>/`).
pub fn plan_pages(site: &Site, pi: usize) -> Vec<PageKind> {
    let plan = &site.plans[pi];
    let mut out = vec![PageKind::Plan(pi), PageKind::PlanSummary(pi)];
    out.extend(plan.roots.iter().map(|&r| PageKind::FieldSummary(pi, r)));
    if plan.nodes.iter().any(|n| !n.indicators.is_empty()) {
        out.push(PageKind::Dashboard(pi));
    }
    out.extend((0..plan.chapters.len()).map(|c| PageKind::Chapter(pi, c)));
    out.extend(plan.nodes.iter().enumerate().filter(|(_, n)| n.has_page).map(|(ni, _)| PageKind::Node(pi, ni)));
    if !plan.themes.is_empty() {
        out.push(PageKind::ThemeIndex(pi));
        out.extend((0..plan.themes.len()).map(|t| PageKind::Theme(pi, t)));
    }
    out
}

/// The pages outside plans: home, SDG and department indexes, free pages, search, 404.
pub fn site_level_pages(site: &Site) -> Vec<PageKind> {
    let mut out = vec![PageKind::Home];
    if site.has_sdgs() {
        out.push(PageKind::SdgIndex);
        out.extend((1..=17).map(PageKind::Sdg));
    }
    if site.has_departments() {
        out.push(PageKind::Departments);
        out.extend((0..DepartmentIndex::new(site).names.len()).map(PageKind::Department));
    }
    out.extend((0..site.pages.len()).map(PageKind::Free));
    if site.config.search {
        out.push(PageKind::Search);
    }
    out.push(PageKind::NotFound);
    out
}

/// How large a page tends to be, 0 (one node) to 3 (lists across all plans): render
/// the large ones first when rendering in parallel.
pub fn size_class(kind: PageKind) -> u8 {
    match kind {
        PageKind::Departments | PageKind::Sdg(_) | PageKind::Home => 3,
        PageKind::Dashboard(_) | PageKind::PlanSummary(_) | PageKind::Department(_) => 2,
        PageKind::Plan(_) | PageKind::FieldSummary(..) | PageKind::ThemeIndex(_) | PageKind::Theme(..) => 1,
        _ => 0,
    }
}

/// Site-relative path of a page.
pub fn page_path(site: &Site, kind: PageKind) -> String {
    match kind {
        PageKind::Home => String::new(),
        PageKind::Plan(p) => site.plans[p].path(),
        PageKind::Node(p, n) => node_path(&site.plans[p], n),
        PageKind::Chapter(p, c) => site.plans[p].chapters[c].path.clone(),
        PageKind::ThemeIndex(p) => format!("{}/themes/", site.plans[p].id),
        PageKind::Theme(p, t) => format!("{}/themes/{}/", site.plans[p].id, site.plans[p].themes[t].id),
        PageKind::SdgIndex => "sdgs/".into(),
        PageKind::Sdg(n) => format!("sdgs/{n}/"),
        PageKind::Departments => "departments/".into(),
        PageKind::Department(i) => DepartmentIndex::path(i),
        PageKind::PlanSummary(p) => format!("{}/summary/", site.plans[p].id),
        PageKind::FieldSummary(p, n) => format!("{}/summary/{}/", site.plans[p].id, site.plans[p].nodes[n].id),
        PageKind::Dashboard(p) => format!("{}/dashboard/", site.plans[p].id),
        PageKind::Free(i) => site.pages[i].path.clone(),
        PageKind::Search => SEARCH_PATH.into(),
        PageKind::NotFound => "404.html".into(),
    }
}

/// The template a page is rendered with.
pub fn template_name(kind: PageKind) -> &'static str {
    match kind {
        PageKind::Home => "home.html",
        PageKind::Plan(_) => "plan.html",
        PageKind::Node(..) => "node.html",
        PageKind::Chapter(..) | PageKind::Free(_) => "page.html",
        PageKind::ThemeIndex(_) => "themes.html",
        PageKind::Theme(..) => "theme.html",
        PageKind::SdgIndex => "sdgs.html",
        PageKind::Sdg(_) => "sdg.html",
        PageKind::Departments => "departments.html",
        PageKind::Department(_) => "department.html",
        PageKind::PlanSummary(_) | PageKind::FieldSummary(..) => "summary.html",
        PageKind::Dashboard(_) => "dashboard.html",
        PageKind::NotFound => "404.html",
        PageKind::Search => "search.html",
    }
}

/// Data computed once per build and shared by every page.
pub struct Shared {
    base: Vec<Arc<Context>>,
    /// The build date (JST), `2026年11月22日`.
    pub built_on: String,
    plans: Vec<PlanView>,
    departments: DepartmentIndex,
    /// Department (by number) → nodes (plan index, node id).
    department_nodes: Vec<Vec<(usize, NodeId)>>,
    /// SDG goal → nodes (plan index, node id).
    sdg_nodes: BTreeMap<u8, Vec<(usize, NodeId)>>,
    /// Indicator charts by plan, node and indicator, drawn once (node page and dashboard
    /// show the same chart).
    charts: Vec<Arc<PlanCharts>>,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    municipality: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
    copyright: &'a str,
    has_sdgs: bool,
    has_departments: bool,
    search: bool,
}

#[derive(Serialize)]
struct Nav {
    label: String,
    plan: Option<PlanView>,
    items: Vec<NodeLink>,
}

/// The charts of one plan's indicators, by node and indicator.
type PlanCharts = Vec<Vec<OnceLock<String>>>;

fn plan_charts(plan: &Plan) -> Arc<PlanCharts> {
    Arc::new(plan.nodes.iter().map(|n| n.indicators.iter().map(|_| OnceLock::new()).collect()).collect())
}

impl Shared {
    /// Precomputes navigation and indexes for `site`.
    pub fn new(site: &Site) -> Shared {
        let plans: Vec<PlanView> = site.plans.iter().map(|p| PlanView::new(p)).collect();
        let base = (0..=site.plans.len()).map(|i| Arc::new(base_context(site, &plans, i))).collect();
        let (departments, department_nodes, sdg_nodes) = indexes(site);
        let charts = site.plans.iter().map(|p| plan_charts(p)).collect();
        Shared { base, built_on: crate::html::today_jst(), plans, departments, department_nodes, sdg_nodes, charts }
    }

    /// The same for `site`, where only plan `pi` differs from `old`, the site `self` was
    /// made for: the other plans' navigation and charts are reused, and the SDG and
    /// department indexes too when the plan's nodes kept theirs.
    pub fn with_plan(&self, old: &Site, site: &Site, pi: usize) -> Shared {
        if old.has_sdgs() != site.has_sdgs() || old.has_departments() != site.has_departments() {
            return Shared::new(site); // every page's navigation links to these indexes or not
        }
        let mut plans = self.plans.clone();
        plans[pi] = PlanView::new(&site.plans[pi]);
        let main = main_plan_index(site);
        let base = self
            .base
            .iter()
            .enumerate()
            .map(|(i, ctx)| {
                // The base of pages outside plans shows the main plan's navigation.
                let shows = if i < site.plans.len() { Some(i) } else { main };
                if shows == Some(pi) {
                    Arc::new(base_context(site, &plans, i))
                } else {
                    ctx.clone()
                }
            })
            .collect();
        let (was, is) = (&old.plans[pi].nodes, &site.plans[pi].nodes);
        let same_tags = was.len() == is.len()
            && was.iter().zip(is).all(|(a, b)| a.departments == b.departments && a.sdgs == b.sdgs);
        let (departments, department_nodes, sdg_nodes) = if same_tags {
            (self.departments.clone(), self.department_nodes.clone(), self.sdg_nodes.clone())
        } else {
            indexes(site)
        };
        let mut charts = self.charts.clone();
        charts[pi] = plan_charts(&site.plans[pi]);
        Shared { base, built_on: self.built_on.clone(), plans, departments, department_nodes, sdg_nodes, charts }
    }

    /// The SVG chart of indicator `k` of node `ni` of plan `pi`.
    fn chart(&self, site: &Site, pi: usize, ni: NodeId, k: usize) -> &str {
        let ind = &site.plans[pi].nodes[ni].indicators[k];
        self.charts[pi][ni][k].get_or_init(|| chart::indicator_chart(ind, &format!("chart-{}", ind.id)))
    }

    fn context(&self, site: &Site, plan: Option<usize>, path: &str, title: &str) -> Context {
        let mut ctx = Context::clone(&self.base[plan.unwrap_or(site.plans.len())]);
        ctx.insert("path", path);
        ctx.insert("root", &root_prefix(path));
        ctx.insert("page_title", title);
        ctx.insert("canonical", &format!("{}{}", site.config.base_url, path));
        ctx
    }
}

/// The index of the plan that pages outside plans show in their navigation.
fn main_plan_index(site: &Site) -> Option<usize> {
    site.main_plan().map(|m| site.plans.iter().position(|p| p.id == m.id).unwrap_or(0))
}

/// The context every page of plan `i` starts from (its own navigation); `i` = the number
/// of plans: pages outside plans.
fn base_context(site: &Site, plans: &[PlanView], i: usize) -> Context {
    let description = site.config.description.clone().unwrap_or_default();
    let copyright = site.config.copyright.clone().unwrap_or_else(|| site.config.municipality.clone());
    let site_view = SiteView {
        title: &site.config.title,
        municipality: &site.config.municipality,
        description: &description,
        base_url: &site.config.base_url,
        language: &site.config.language,
        copyright: &copyright,
        has_sdgs: site.has_sdgs(),
        has_departments: site.has_departments(),
        search: site.config.search,
    };
    let footer: Vec<PageLink> = site.pages.iter().filter(|p| p.footer).map(PageLink::new).collect();
    let pi = if i < site.plans.len() { Some(i) } else { main_plan_index(site) };
    let nav = match pi.map(|i| (&site.plans[i], &plans[i])) {
        Some((plan, view)) => Nav {
            label: format!("{}から探す", plan.level_name(0)),
            plan: Some(view.clone()),
            items: view.fields.clone(),
        },
        None => Nav { label: String::new(), plan: None, items: Vec::new() },
    };
    let mut ctx = Context::new();
    ctx.insert("site", &site_view);
    ctx.insert("nav", &nav);
    ctx.insert("footer_links", &footer);
    ctx
}

/// The departments, and the nodes of each department and of each SDG goal.
#[allow(clippy::type_complexity)]
fn indexes(site: &Site) -> (DepartmentIndex, Vec<Vec<(usize, NodeId)>>, BTreeMap<u8, Vec<(usize, NodeId)>>) {
    let departments = DepartmentIndex::new(site);
    let mut department_nodes = vec![Vec::new(); departments.names.len()];
    let mut sdg_nodes: BTreeMap<u8, Vec<(usize, NodeId)>> = BTreeMap::new();
    for (pi, plan) in site.plans.iter().enumerate() {
        for (ni, n) in plan.nodes.iter().enumerate() {
            for d in &n.departments {
                if let Some(i) = departments.position(d) {
                    department_nodes[i].push((pi, ni));
                }
            }
            for &g in &n.sdgs {
                sdg_nodes.entry(g).or_default().push((pi, ni));
            }
        }
    }
    (departments, department_nodes, sdg_nodes)
}

/// Renders one page: its final HTML, minified when the site says so.
pub fn render_page(site: &Site, tera: &Tera, shared: &Shared, kind: PageKind) -> Result<RenderedPage, Diagnostic> {
    let path = page_path(site, kind);
    let slots = Slots::new();
    let html = finish(site, render_with(site, tera, shared, kind, &path, &slots)?);
    if let Some(html) = slots.splice(html) {
        return Ok(RenderedPage { path, html });
    }
    // The theme used a fragment where a marker cannot stand for it: render it whole.
    let html = finish(site, render_with(site, tera, shared, kind, &path, &Slots::inline())?);
    Ok(RenderedPage { path, html })
}

fn render_with<'a>(
    site: &'a Site,
    tera: &Tera,
    shared: &'a Shared,
    kind: PageKind,
    path: &str,
    slots: &Slots<'a>,
) -> Result<String, Diagnostic> {
    let (template, ctx) = page_context(site, shared, kind, path, slots);
    tera.render(template, &ctx).map_err(|e| {
        templates::template_diagnostic(
            std::path::Path::new(&format!("themes/{}/templates/{template}", site.config.theme)),
            &e,
        )
    })
}

/// Minifies `html` when the site says so.
fn finish(site: &Site, html: String) -> Vec<u8> {
    if site.config.minify {
        crate::output::minify(&html)
    } else {
        html.into_bytes()
    }
}

fn crumbs(site: &Site, plan: Option<&Plan>) -> Vec<Crumb> {
    let mut v = vec![Crumb { path: String::new(), label: "ホーム".into() }];
    if let Some(p) = plan {
        v.push(Crumb { path: p.path(), label: p.title.clone() });
    }
    let _ = site;
    v
}

fn page_context<'a>(
    site: &'a Site,
    shared: &'a Shared,
    kind: PageKind,
    path: &str,
    slots: &Slots<'a>,
) -> (&'static str, Context) {
    match kind {
        PageKind::Home => {
            let mut ctx = shared.context(site, None, path, &site.home.title);
            ctx.insert("plans", &shared.plans);
            ctx.insert("page", &PageData::new(&site.home, slots));
            ctx.insert("free_pages", &site.pages.iter().map(PageLink::new).collect::<Vec<_>>());
            let chapters: Vec<Vec<PageLink>> =
                site.plans.iter().map(|p| p.chapters.iter().map(PageLink::new).collect()).collect();
            ctx.insert("chapters", &chapters);
            ("home.html", ctx)
        }
        PageKind::Plan(pi) => {
            let plan = &site.plans[pi];
            let mut ctx = shared.context(site, Some(pi), path, &plan.title);
            ctx.insert("plan", &shared.plans[pi]);
            ctx.insert("body_html", &slots.put(&plan.body_html));
            ctx.insert("breadcrumbs", &crumbs(site, None));
            let depth = if plan.levels.len() > 1 { 1 } else { 0 };
            let tree: Vec<NodeTree> = plan.roots.iter().map(|&r| NodeTree::new(plan, r, depth, 3, None)).collect();
            ctx.insert("tree", &tree);
            ctx.insert("chapters", &plan.chapters.iter().map(PageLink::new).collect::<Vec<_>>());
            ctx.insert("themes", &plan.themes);
            ctx.insert("has_dashboard", &plan.nodes.iter().any(|n| !n.indicators.is_empty()));
            ("plan.html", ctx)
        }
        PageKind::Node(pi, ni) => node_context(site, shared, pi, ni, path, slots),
        PageKind::Chapter(pi, ci) => {
            let plan = &site.plans[pi];
            let page = &plan.chapters[ci];
            let mut ctx = shared.context(site, Some(pi), path, &page.title);
            ctx.insert("page", &PageData::new(page, slots));
            ctx.insert("breadcrumbs", &crumbs(site, Some(plan)));
            let pos = |i: usize| plan.chapters.get(i).map(PageLink::new);
            ctx.insert("prev", &ci.checked_sub(1).and_then(pos));
            ctx.insert("next", &pos(ci + 1));
            ("page.html", ctx)
        }
        PageKind::ThemeIndex(pi) => {
            let plan = &site.plans[pi];
            let mut ctx = shared.context(site, Some(pi), path, &format!("横断的取組 | {}", plan.title));
            ctx.insert("plan", &shared.plans[pi]);
            ctx.insert("breadcrumbs", &crumbs(site, Some(plan)));
            let themes: Vec<ThemeData> = plan.themes.iter().map(|t| ThemeData::new(plan, t)).collect();
            ctx.insert("themes", &themes);
            ("themes.html", ctx)
        }
        PageKind::Theme(pi, ti) => {
            let plan = &site.plans[pi];
            let theme = &plan.themes[ti];
            let mut ctx = shared.context(site, Some(pi), path, &theme.title);
            ctx.insert("plan", &shared.plans[pi]);
            let mut bc = crumbs(site, Some(plan));
            bc.push(Crumb { path: format!("{}/themes/", plan.id), label: "横断的取組".into() });
            ctx.insert("breadcrumbs", &bc);
            ctx.insert("theme", &ThemeData::new(plan, theme));
            ("theme.html", ctx)
        }
        PageKind::SdgIndex => {
            let mut ctx = shared.context(site, None, path, "SDGs の目標から探す");
            ctx.insert("breadcrumbs", &crumbs(site, None));
            let goals: Vec<(SdgView, usize)> =
                (1..=17).map(|g| (SdgView::new(g), shared.sdg_nodes.get(&g).map_or(0, Vec::len))).collect();
            ctx.insert("goals", &goals);
            ("sdgs.html", ctx)
        }
        PageKind::Sdg(g) => {
            let goal = SdgView::new(g);
            let mut ctx = shared.context(site, None, path, &format!("SDGs 目標{g} {}", goal.name));
            let mut bc = crumbs(site, None);
            bc.push(Crumb { path: "sdgs/".into(), label: "SDGs の目標から探す".into() });
            ctx.insert("breadcrumbs", &bc);
            ctx.insert("goal", &goal);
            ctx.insert("groups", &grouped(site, shared.sdg_nodes.get(&g).map(Vec::as_slice).unwrap_or(&[])));
            ctx.insert("prev", &(g > 1).then(|| SdgView::new(g - 1)));
            ctx.insert("next", &(g < 17).then(|| SdgView::new(g + 1)));
            ("sdg.html", ctx)
        }
        PageKind::Departments => {
            let mut ctx = shared.context(site, None, path, "担当課から探す");
            ctx.insert("breadcrumbs", &crumbs(site, None));
            let departments: Vec<(DepartmentLink, usize)> = shared
                .departments
                .names
                .iter()
                .zip(&shared.department_nodes)
                .map(|(name, nodes)| (shared.departments.link(name), nodes.len()))
                .collect();
            ctx.insert("departments", &departments);
            ("departments.html", ctx)
        }
        PageKind::Department(i) => {
            let names = &shared.departments.names;
            let mut ctx = shared.context(site, None, path, &format!("{}の施策", names[i]));
            let mut bc = crumbs(site, None);
            bc.push(Crumb { path: "departments/".into(), label: "担当課から探す".into() });
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
            ("department.html", ctx)
        }
        PageKind::PlanSummary(pi) => summary_context(site, shared, pi, None, path, slots),
        PageKind::FieldSummary(pi, ni) => summary_context(site, shared, pi, Some(ni), path, slots),
        PageKind::Dashboard(pi) => dashboard_context(site, shared, pi, path, slots),
        PageKind::Free(i) => {
            let page = &site.pages[i];
            let mut ctx = shared.context(site, None, path, &page.title);
            ctx.insert("page", &PageData::new(page, slots));
            ctx.insert("breadcrumbs", &crumbs(site, None));
            ("page.html", ctx)
        }
        PageKind::Search => {
            let mut ctx = shared.context(site, None, path, "サイト内検索");
            ctx.insert("breadcrumbs", &crumbs(site, None));
            ("search.html", ctx)
        }
        PageKind::NotFound => {
            let mut ctx = shared.context(site, None, path, "ページが見つかりません");
            ctx.insert("plans", &shared.plans);
            // The 404 page is served at any depth: links must be absolute from the host.
            ctx.insert("root", &site.config.base_path());
            ctx.insert("canonical", "");
            ("404.html", ctx)
        }
    }
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
            path: format!("{}/themes/{}/", plan.id, t.id),
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
        PageData { title: &p.title, summary: p.summary.as_deref().unwrap_or(""), body_html: slots.put(&p.body_html) }
    }
}

#[derive(Serialize)]
struct NodeData<'a> {
    id: &'a str,
    number: &'a str,
    title: &'a str,
    summary: &'a str,
    level: &'a str,
    body_html: String,
    top_path: String,
}

fn node_context<'a>(
    site: &'a Site,
    shared: &'a Shared,
    pi: usize,
    ni: NodeId,
    path: &str,
    slots: &Slots<'a>,
) -> (&'static str, Context) {
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
            body_html: slots.put(&node.body_html),
            top_path: node_path(plan, top),
        },
    );
    ctx.insert("plan", &shared.plans[pi]);
    let mut bc = crumbs(site, Some(plan));
    for a in plan.ancestors(ni) {
        bc.push(Crumb { path: node_path(plan, a), label: plan.nodes[a].label() });
    }
    ctx.insert("breadcrumbs", &bc);
    ctx.insert("parent", &node.parent.map(|p| NodeLink::new(plan, p)));
    let children: Vec<NodeTree> = node.children.iter().map(|&c| NodeTree::new(plan, c, 0, 3, Some(slots))).collect();
    ctx.insert("children", &children);
    ctx.insert("children_level", plan.level_name(node.depth + 1));
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
    ctx.insert("summary_path", &(node.parent.is_none()).then(|| format!("{}/summary/{}/", plan.id, node.id)));
    ctx.insert("sdgs", &node.sdgs.iter().map(|&g| SdgView::new(g)).collect::<Vec<_>>());
    ctx.insert("departments", &node.departments.iter().map(|d| shared.departments.link(d)).collect::<Vec<_>>());
    let themes: Vec<ThemeLink> = node
        .themes
        .iter()
        .filter_map(|t| plan.theme(t))
        .map(|t| ThemeLink { title: t.title.clone(), path: format!("{}/themes/{}/", plan.id, t.id) })
        .collect();
    ctx.insert("themes", &themes);
    ("node.html", ctx)
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

fn field_data<'a>(site: &'a Site, pi: usize, top: NodeId, charts: Option<(&'a Shared, &Slots<'a>)>) -> FieldData {
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
                .map(|(k, i)| match charts {
                    Some((shared, slots)) => IndicatorView::with_chart(i, t, shared.chart(site, pi, id, k), slots),
                    None => IndicatorView::rated(i, t),
                })
                .collect();
            groups.push(IndicatorGroup { node: NodeLink::new(plan, id), indicators });
        }
        stack.extend(n.children.iter().rev());
    }
    let all: Vec<&IndicatorView> = groups.iter().flat_map(|g| g.indicators.iter()).collect();
    let counts = Status::ALL
        .iter()
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

fn summary_context<'a>(
    site: &'a Site,
    shared: &Shared,
    pi: usize,
    field: Option<NodeId>,
    path: &str,
    slots: &Slots<'a>,
) -> (&'static str, Context) {
    let plan = &site.plans[pi];
    let title = match field {
        Some(n) => format!("{} 概要版", plan.nodes[n].label()),
        None => format!("{} 概要版", plan.title),
    };
    let mut ctx = shared.context(site, Some(pi), path, &title);
    ctx.insert("plan", &shared.plans[pi]);
    let mut bc = crumbs(site, Some(plan));
    if let Some(n) = field {
        bc.push(Crumb { path: node_path(plan, n), label: plan.nodes[n].label() });
    }
    ctx.insert("breadcrumbs", &bc);
    let roots: Vec<NodeId> = match field {
        Some(n) => vec![n],
        None => plan.roots.clone(),
    };
    let fields: Vec<FieldData> = roots.iter().map(|&r| field_data(site, pi, r, None)).collect();
    ctx.insert("fields", &fields);
    ctx.insert(
        "field",
        &field.map(|n| {
            let node = &plan.nodes[n];
            (NodeLink::new(plan, n), slots.put(&node.body_html))
        }),
    );
    ctx.insert("body_html", &if field.is_none() { slots.put(&plan.body_html) } else { String::new() });
    ctx.insert("built_on", &shared.built_on);
    ctx.insert("page_url", &format!("{}{}", site.config.base_url, crate::output::percent_encode_path(path)));
    ("summary.html", ctx)
}

fn dashboard_context<'a>(
    site: &'a Site,
    shared: &'a Shared,
    pi: usize,
    path: &str,
    slots: &Slots<'a>,
) -> (&'static str, Context) {
    let plan = &site.plans[pi];
    let mut ctx = shared.context(site, Some(pi), path, &format!("指標の達成状況 | {}", plan.title));
    ctx.insert("plan", &shared.plans[pi]);
    ctx.insert("breadcrumbs", &crumbs(site, Some(plan)));
    let fields: Vec<FieldData> =
        plan.roots.iter().map(|&r| field_data(site, pi, r, Some((shared, slots)))).filter(|f| f.total > 0).collect();
    let totals: Vec<(String, &'static str, usize)> = Status::ALL
        .iter()
        .enumerate()
        .map(|(k, s)| (s.label().to_string(), s.key(), fields.iter().map(|f| f.counts[k].2).sum()))
        .collect();
    ctx.insert("totals", &totals);
    ctx.insert("total", &fields.iter().map(|f| f.total).sum::<usize>());
    ctx.insert("fields", &fields);
    let t = &site.config.progress;
    ctx.insert("thresholds", &((t.achieved * 100.0).round() as i64, (t.on_track * 100.0).round() as i64));
    ("dashboard.html", ctx)
}
