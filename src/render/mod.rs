//! Rendering: which pages a site has, and each page's HTML from its Tera template.

pub mod chart;
mod contexts;
pub mod meta;
pub mod minify;
pub mod pages;
pub mod recursion;
pub mod slots;
pub mod templates;
pub mod views;

use crate::content::model::*;
use crate::content::updated::UpdatedDate;
use crate::diagnostics::Diagnostic;
use crate::html::root_prefix;
use serde::Serialize;
use slots::Slots;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use tera::{Context, Tera};
use views::*;

pub use pages::{
    page_path, plan_pages, site_level_pages, site_pages, size_class, template_name, PageKind, SEARCH_PATH,
};

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
    /// The last commit date of each content file (`content::updated::git_dates`), read
    /// once per [`Shared::new`]: pages without `updated` are dated with it.
    git_dates: Arc<std::collections::HashMap<std::path::PathBuf, crate::content::updated::UpdatedDate>>,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    municipality: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
    copyright: &'a str,
    license: &'a str,
    license_url: Option<&'static str>,
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
        let git_dates = Arc::new(crate::content::updated::git_dates(&site.root));
        Shared {
            base,
            built_on: crate::html::today_jst(),
            plans,
            departments,
            department_nodes,
            sdg_nodes,
            charts,
            git_dates,
        }
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
        Shared {
            base,
            built_on: self.built_on.clone(),
            plans,
            departments,
            department_nodes,
            sdg_nodes,
            charts,
            git_dates: self.git_dates.clone(),
        }
    }

    /// The pages outside plans ([`site_level_pages`]), with the departments of this index.
    pub fn site_level_pages(&self, site: &Site) -> Vec<PageKind> {
        pages::site_level_pages_with(site, || self.departments.names.len())
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
        // The breadcrumb's last item: the page's own title (a context may set a shorter one).
        ctx.insert("crumb_title", title);
        if let Some(url) = site.config.absolute_url(path) {
            ctx.insert("canonical", &url);
        }
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
        base_url: site.config.url_prefix(),
        language: &site.config.language,
        copyright: &copyright,
        license: &site.config.license,
        license_url: site.config.license_url(),
        has_sdgs: site.has_sdgs(),
        has_departments: site.has_departments(),
        search: site.config.search,
    };
    let footer: Vec<PageLink> = site.pages.iter().filter(|p| p.footer).map(PageLink::new).collect();
    let pi = if i < site.plans.len() { Some(i) } else { main_plan_index(site) };
    let nav = match pi.map(|i| (&site.plans[i], &plans[i])) {
        Some((plan, view)) => Nav {
            label: format!("{}から探す", views::level_noun(plan, 0)),
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

/// The `<lastmod>` (`2026-04-01`) of every page and open-data file that has one, by site
/// path: a page's own 最終更新日, else, for a page made from the plans (dashboard, SDG,
/// theme and department indexes, summaries, home), the newest date of the content it shows
/// ([`content_updated`]). Pages with nothing dated have none.
pub fn lastmod(site: &Site, shared: &Shared) -> std::collections::HashMap<String, String> {
    let mut out: std::collections::HashMap<String, String> = site_pages(site)
        .into_iter()
        .filter_map(|k| content_updated(site, shared, k).map(|d| (page_path(site, k), d.iso().to_string())))
        .collect();
    for (pi, plan) in site.plans.iter().enumerate() {
        if let Some(d) = plan_updated(site, shared, pi) {
            out.extend(crate::output::open_data::paths(plan).map(|p| (p, d.iso().to_string())));
        }
    }
    out
}

/// The date a page's content last changed: its own 最終更新日 ([`meta::updated`]), or for a
/// page made from the plans, the newest date of the plans and nodes it shows.
pub fn content_updated(site: &Site, shared: &Shared, kind: PageKind) -> Option<UpdatedDate> {
    if let Some(d) = meta::updated(site, shared, kind) {
        if kind != PageKind::Home {
            return Some(d);
        }
    }
    let node = |pi: usize, ni: NodeId| meta::updated(site, shared, PageKind::Node(pi, ni));
    let newest = |dates: &mut dyn Iterator<Item = Option<UpdatedDate>>| dates.flatten().max();
    let nodes_where = |f: &dyn Fn(&Node) -> bool| {
        newest(&mut site.plans.iter().enumerate().flat_map(|(pi, p)| {
            p.nodes.iter().enumerate().filter(|(_, n)| f(n)).map(move |(ni, _)| node(pi, ni)).collect::<Vec<_>>()
        }))
    };
    match kind {
        PageKind::Home => newest(
            &mut std::iter::once(meta::updated(site, shared, kind))
                .chain((0..site.plans.len()).map(|pi| meta::updated(site, shared, PageKind::Plan(pi)))),
        ),
        PageKind::PlanSummary(pi)
        | PageKind::Dashboard(pi)
        | PageKind::YearDashboard(pi, _)
        | PageKind::Progress(pi, _)
        | PageKind::Comparison(pi, ..) => plan_updated(site, shared, pi),
        PageKind::FieldSummary(pi, r) => {
            let plan = &site.plans[pi];
            newest(&mut (0..plan.nodes.len()).filter(|&n| plan.top_of(n) == r).map(|n| node(pi, n)))
        }
        PageKind::ThemeIndex(pi) => {
            let plan = &site.plans[pi];
            newest(&mut (0..plan.nodes.len()).filter(|&n| !plan.nodes[n].themes.is_empty()).map(|n| node(pi, n)))
        }
        PageKind::Theme(pi, t) => {
            let plan = &site.plans[pi];
            let id = &plan.themes[t].id;
            newest(&mut (0..plan.nodes.len()).filter(|&n| plan.nodes[n].themes.contains(id)).map(|n| node(pi, n)))
        }
        PageKind::SdgIndex => nodes_where(&|n| !n.sdgs.is_empty()),
        PageKind::Sdg(g) => newest(&mut shared.sdg_nodes.get(&g).into_iter().flatten().map(|&(pi, n)| node(pi, n))),
        PageKind::Departments => nodes_where(&|n| !n.departments.is_empty()),
        PageKind::Department(i) => {
            newest(&mut shared.department_nodes.get(i).into_iter().flatten().map(|&(pi, n)| node(pi, n)))
        }
        _ => None,
    }
}

/// The newest date of plan `pi` and all its nodes.
fn plan_updated(site: &Site, shared: &Shared, pi: usize) -> Option<UpdatedDate> {
    std::iter::once(meta::updated(site, shared, PageKind::Plan(pi)))
        .chain((0..site.plans[pi].nodes.len()).map(|n| meta::updated(site, shared, PageKind::Node(pi, n))))
        .flatten()
        .max()
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
    let template = template_name(kind);
    let mut ctx = pages::context(site, shared, kind, path, slots);
    ctx.insert("meta", &meta::page_meta(site, shared, kind, path, &ctx));
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
        minify::minify(&html)
    } else {
        html.into_bytes()
    }
}
