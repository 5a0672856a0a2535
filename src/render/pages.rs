//! The page registry: every kind of page the site has, and for each its URL, its
//! template, the builder of its template context and the parts of the model it shows.
//!
//! This is the one place that knows the site's URL scheme and what a page is made of.
//! `build` renders [`site_pages`]; `serve` re-renders a page after an edit exactly when
//! one of its [`reads`] changed ([`crate::serve::affected`] compares models facet by
//! facet and asks this registry which pages show a changed facet), so a page kind added
//! here, or a context that starts showing more, updates incremental rebuilds with it.
//!
//! Invariant: [`context`] of a page kind uses no model data that [`reads`] of that kind
//! leaves out, except what every page shows (the site settings, each plan's metadata and
//! structure, the top-level nodes in the navigation, free pages in the footer, the
//! department numbering): a change there affects every page. `tests/serve.rs`
//! (`incremental_rebuilds_equal_full_builds`) holds incremental = full build over edits of
//! every editable field.

use super::contexts;
use super::slots::Slots;
use super::views::DepartmentIndex;
use super::Shared;
use crate::content::fiscal_year::FiscalYear;
use crate::content::model::*;
use std::collections::BTreeSet;
use tera::Context;

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
    /// The dashboard as of the end of a fiscal year (actuals up to then).
    YearDashboard(usize, FiscalYear),
    /// 「令和N年度の進捗状況」: a fiscal year's evaluations and indicators.
    Progress(usize, FiscalYear),
    /// What changed between two consecutive fiscal years with data.
    Comparison(usize, FiscalYear, FiscalYear),
    /// A free page.
    Free(usize),
    /// The redirect page at an old URL of a page: its alias `k` ([`AliasOwner`]).
    Redirect(AliasOwner, usize),
    /// The site search page ([`SEARCH_PATH`]).
    Search,
    /// `404.html`.
    NotFound,
}

/// Site-relative path of the search page; the header's search form submits to it.
pub const SEARCH_PATH: &str = "search/";

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
    let has_indicators = plan.nodes.iter().any(|n| !n.indicators.is_empty());
    if has_indicators {
        out.push(PageKind::Dashboard(pi));
    }
    let years = data_years(plan);
    out.extend(years.iter().map(|&y| PageKind::Progress(pi, y)));
    out.extend(years.windows(2).map(|w| PageKind::Comparison(pi, w[0], w[1])));
    if has_indicators {
        out.extend(years.iter().map(|&y| PageKind::YearDashboard(pi, y)));
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
    site_level_pages_with(site, || DepartmentIndex::new(site).names.len())
}

/// [`site_level_pages`], with the number of departments from `departments` (their index is
/// a walk over every node; [`crate::render::Shared`] has it).
pub fn site_level_pages_with(site: &Site, departments: impl FnOnce() -> usize) -> Vec<PageKind> {
    let mut out = vec![PageKind::Home];
    if site.has_sdgs() {
        out.push(PageKind::SdgIndex);
        out.extend((1..=17).map(PageKind::Sdg));
    }
    if site.has_departments() {
        out.push(PageKind::Departments);
        out.extend((0..departments()).map(PageKind::Department));
    }
    out.extend((0..site.pages.len()).map(PageKind::Free));
    out.extend(site.aliases().into_iter().map(|(owner, k)| PageKind::Redirect(owner, k)));
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
        PageKind::Dashboard(_)
        | PageKind::YearDashboard(..)
        | PageKind::Progress(..)
        | PageKind::PlanSummary(_)
        | PageKind::Department(_) => 2,
        PageKind::Comparison(..) => 1,
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
        PageKind::ThemeIndex(p) => theme_index_path(&site.plans[p]),
        PageKind::Theme(p, t) => theme_path(&site.plans[p], &site.plans[p].themes[t].id),
        PageKind::SdgIndex => SDG_INDEX_PATH.into(),
        PageKind::Sdg(n) => sdg_path(n),
        PageKind::Departments => DEPARTMENT_INDEX_PATH.into(),
        // Without declared departments their pages are numbered in order (see
        // `DepartmentIndex`), so the path needs no scan of every node.
        PageKind::Department(i) if site.config.departments.is_empty() => department_path(&(i + 1).to_string()),
        PageKind::Department(i) => DepartmentIndex::new(site).path(i),
        PageKind::PlanSummary(p) => summary_path(&site.plans[p], None),
        PageKind::FieldSummary(p, n) => summary_path(&site.plans[p], Some(n)),
        PageKind::Dashboard(p) => dashboard_path(&site.plans[p]),
        PageKind::YearDashboard(p, y) => year_dashboard_path(&site.plans[p], y),
        PageKind::Progress(p, y) => progress_path(&site.plans[p], y),
        PageKind::Comparison(p, a, b) => comparison_path(&site.plans[p], a, b),
        PageKind::Free(i) => site.pages[i].path.clone(),
        PageKind::Redirect(owner, k) => site.alias(owner, k).path.clone(),
        PageKind::Search => SEARCH_PATH.into(),
        PageKind::NotFound => NOT_FOUND_PATH.into(),
    }
}

/// `path` without its `#fragment`: the page a link to a section is on.
pub fn without_fragment(path: &str) -> &str {
    path.split_once('#').map_or(path, |(page, _)| page)
}

/// The path of the page that `owner`'s aliases lead to (with `#id` for a node without a
/// page of its own).
pub fn alias_target(site: &Site, owner: AliasOwner) -> String {
    match owner {
        AliasOwner::Plan(pi) => page_path(site, PageKind::Plan(pi)),
        AliasOwner::Node(pi, ni) => page_path(site, PageKind::Node(pi, ni)),
        AliasOwner::Chapter(pi, c) => page_path(site, PageKind::Chapter(pi, c)),
        AliasOwner::Free(i) => page_path(site, PageKind::Free(i)),
    }
}

/// The SDG goal index.
pub const SDG_INDEX_PATH: &str = "sdgs/";
/// The department index.
pub const DEPARTMENT_INDEX_PATH: &str = "departments/";
/// The error page (served for any missing path, so its links are absolute).
pub const NOT_FOUND_PATH: &str = "404.html";

/// The page of SDG goal `goal` (1–17).
pub fn sdg_path(goal: u8) -> String {
    format!("{SDG_INDEX_PATH}{goal}/")
}

/// The page of the department whose URL segment is `slug` (its id in `site.toml`, or
/// its number when departments are not declared; see [`DepartmentIndex`]).
pub fn department_path(slug: &str) -> String {
    format!("{DEPARTMENT_INDEX_PATH}{slug}/")
}

/// The list of `plan`'s cross-cutting themes.
pub fn theme_index_path(plan: &Plan) -> String {
    format!("{}/themes/", plan.id)
}

/// The page of `plan`'s cross-cutting theme `theme_id`.
pub fn theme_path(plan: &Plan, theme_id: &str) -> String {
    format!("{}/themes/{theme_id}/", plan.id)
}

/// `plan`'s printable summary (概要版), or that of its top-level node `field`.
pub fn summary_path(plan: &Plan, field: Option<NodeId>) -> String {
    match field {
        Some(n) => format!("{}/summary/{}/", plan.id, plan.nodes[n].id),
        None => format!("{}/summary/", plan.id),
    }
}

/// `plan`'s indicator dashboard.
pub fn dashboard_path(plan: &Plan) -> String {
    format!("{}/dashboard/", plan.id)
}

/// `plan`'s dashboard as of the end of fiscal `year` (`<plan>/dashboard/2024/`).
pub fn year_dashboard_path(plan: &Plan, year: FiscalYear) -> String {
    format!("{}/dashboard/{}/", plan.id, year.0)
}

/// 「令和N年度の進捗状況」 of `plan` (`<plan>/progress/2024/`).
pub fn progress_path(plan: &Plan, year: FiscalYear) -> String {
    format!("{}/progress/{}/", plan.id, year.0)
}

/// The comparison of fiscal years `from` and `to` (`<plan>/progress/2023-2024/`).
pub fn comparison_path(plan: &Plan, from: FiscalYear, to: FiscalYear) -> String {
    format!("{}/progress/{}-{}/", plan.id, from.0, to.0)
}

/// The fiscal years for which `plan` has an evaluation or an actual, in order: each has
/// its progress page (and dashboard), each pair of neighbours a comparison.
pub fn data_years(plan: &Plan) -> Vec<FiscalYear> {
    let mut years = BTreeSet::new();
    for n in &plan.nodes {
        years.extend(n.evaluations.iter().map(|e| e.year));
        years.extend(n.indicators.iter().flat_map(|i| i.actuals.iter().map(|a| a.year)));
    }
    years.into_iter().collect()
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
        PageKind::Dashboard(_) | PageKind::YearDashboard(..) => "dashboard.html",
        PageKind::Progress(..) => "progress.html",
        PageKind::Comparison(..) => "comparison.html",
        PageKind::NotFound => "404.html",
        PageKind::Search => "search.html",
        PageKind::Redirect(..) => "redirect.html",
    }
}

/// The template context of a page (the builders live in [`contexts`]).
pub(super) fn context<'a>(
    site: &'a Site,
    shared: &'a Shared,
    kind: PageKind,
    path: &str,
    slots: &Slots<'a>,
) -> Context {
    let mut ctx = match kind {
        PageKind::Home => contexts::home(site, shared, path, slots),
        PageKind::Plan(pi) => contexts::plan(site, shared, pi, path, slots),
        PageKind::Node(pi, ni) => contexts::node(site, shared, pi, ni, path, slots),
        PageKind::Chapter(pi, ci) => contexts::chapter(site, shared, pi, ci, path, slots),
        PageKind::ThemeIndex(pi) => contexts::theme_index(site, shared, pi, path),
        PageKind::Theme(pi, ti) => contexts::theme(site, shared, pi, ti, path),
        PageKind::SdgIndex => contexts::sdg_index(site, shared, path),
        PageKind::Sdg(g) => contexts::sdg(site, shared, g, path),
        PageKind::Departments => contexts::departments(site, shared, path),
        PageKind::Department(i) => contexts::department(site, shared, i, path),
        PageKind::PlanSummary(pi) => contexts::summary(site, shared, pi, None, path, slots),
        PageKind::FieldSummary(pi, ni) => contexts::summary(site, shared, pi, Some(ni), path, slots),
        PageKind::Dashboard(pi) => contexts::dashboard(site, shared, pi, None, path, slots),
        PageKind::YearDashboard(pi, y) => contexts::dashboard(site, shared, pi, Some(y), path, slots),
        PageKind::Progress(pi, y) => contexts::progress(site, shared, pi, y, path, slots),
        PageKind::Comparison(pi, a, b) => contexts::comparison(site, shared, pi, a, b, path),
        PageKind::Free(i) => contexts::free(site, shared, i, path, slots),
        PageKind::Search => contexts::search(site, shared, path),
        PageKind::NotFound => contexts::not_found(site, shared, path),
        PageKind::Redirect(owner, _) => contexts::redirect(site, shared, owner, path),
    };
    // The 「下書き」 banner of base.html (drafts are pages only in builds with drafts).
    ctx.insert("draft", &is_draft(site, kind));
    ctx
}

/// Whether page `kind` shows a draft: a node, chapter or free page marked `draft = true`
/// (or under a draft), or any page of a draft plan. Part of the structure `serve` compares.
pub fn is_draft(site: &Site, kind: PageKind) -> bool {
    use PageKind::*;
    match kind {
        Node(pi, ni) => site.plans[pi].nodes[ni].draft,
        Chapter(pi, c) => site.plans[pi].chapters[c].draft,
        Free(i) => site.pages[i].draft,
        Plan(pi)
        | ThemeIndex(pi)
        | Theme(pi, _)
        | PlanSummary(pi)
        | FieldSummary(pi, _)
        | Dashboard(pi)
        | YearDashboard(pi, _)
        | Progress(pi, _)
        | Comparison(pi, _, _) => site.plans[pi].draft,
        Home | SdgIndex | Sdg(_) | Departments | Department(_) | Search | NotFound | Redirect(..) => false,
    }
}

/// A part of the site model that a page shows, at the grain at which `serve` compares
/// the model before and after an edit. (What every page shows is not listed: see the
/// module's invariant.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Read {
    /// The home page's own title and body.
    Home,
    /// Free page `i`: its body and summary.
    Free(usize),
    /// The titles and order of plan `pi`'s chapters.
    Chapters(usize),
    /// Chapter `c` of plan `pi`: its body.
    Chapter(usize, usize),
    /// Whether plan `pi` has indicators (its page then links the dashboard).
    HasIndicators(usize),
    /// A node's label: number, title, summary (links, lists, breadcrumbs).
    Label(usize, NodeId),
    /// A node's body and headings.
    Body(usize, NodeId),
    /// A node's indicators.
    Indicators(usize, NodeId),
    /// A node's SDGs, departments and themes, as its own page lists them.
    Tags(usize, NodeId),
    /// Which nodes have SDG goal `g`.
    SdgMembers(u8),
    /// Which nodes name department number `i`.
    DepartmentMembers(usize),
    /// Which nodes of plan `pi` belong to its theme `t`.
    ThemeMembers(usize, usize),
    /// A node's yearly evaluations.
    Evaluations(usize, NodeId),
    /// Which fiscal years plan `pi` has data for ([`data_years`]): the year links.
    Years(usize),
    /// A node's `updated` (最終更新日 on its own page).
    Updated(usize, NodeId),
}

/// Calls `visit` with each part of the model that page `kind` shows, until it returns
/// `true`; returns whether it did. Mirrors the builders of [`contexts`].
///
/// What a page reads depends on the plan's structure only, never on the facets' values
/// (a summary reads every node's indicators, also of nodes that have none): a page that
/// showed a facet before an edit and not after must still be found. Which nodes a list
/// shows is a facet of its own (`SdgMembers`, `DepartmentMembers`, `ThemeMembers`).
pub fn reads(site: &Site, shared: &Shared, kind: PageKind, visit: &mut dyn FnMut(Read) -> bool) -> bool {
    use Read::*;
    let v = visit;
    match kind {
        PageKind::Home => {
            v(Home)
                || site
                    .plans
                    .iter()
                    .enumerate()
                    .any(|(pi, p)| v(Chapters(pi)) || v(HasIndicators(pi)) || p.roots.iter().any(|&r| v(Label(pi, r))))
        }
        PageKind::Plan(pi) => {
            let plan = &site.plans[pi];
            let depth = 1;
            v(Chapters(pi))
                || v(HasIndicators(pi))
                || v(Years(pi))
                || plan.roots.iter().any(|&r| tree(plan, pi, r, depth, false, v))
        }
        PageKind::Node(pi, ni) => {
            let plan = &site.plans[pi];
            v(Label(pi, ni))
                || v(Updated(pi, ni))
                || v(Body(pi, ni))
                || v(Indicators(pi, ni))
                || v(Evaluations(pi, ni))
                || v(Tags(pi, ni))
                || plan.ancestors(ni).into_iter().any(|a| v(Label(pi, a)))
                || plan.siblings(ni).iter().any(|&s| v(Label(pi, s)))
                || plan.nodes[ni].children.iter().any(|&c| tree(plan, pi, c, 0, true, v))
        }
        PageKind::Chapter(pi, c) => v(Chapter(pi, c)) || v(Chapters(pi)),
        PageKind::ThemeIndex(pi) => (0..site.plans[pi].themes.len()).any(|t| theme(site, pi, t, v)),
        PageKind::Theme(pi, t) => theme(site, pi, t, v),
        PageKind::SdgIndex => (1..=17).any(|g| v(SdgMembers(g))),
        PageKind::Sdg(g) => {
            v(SdgMembers(g)) || shared.sdg_nodes.get(&g).is_some_and(|ns| ns.iter().any(|&(pi, ni)| v(Label(pi, ni))))
        }
        PageKind::Departments => (0..shared.departments.names.len()).any(|i| v(DepartmentMembers(i))),
        PageKind::Department(i) => {
            v(DepartmentMembers(i)) || shared.department_nodes[i].iter().any(|&(pi, ni)| v(Label(pi, ni)))
        }
        PageKind::Dashboard(pi) | PageKind::YearDashboard(pi, _) => {
            v(Years(pi)) || site.plans[pi].roots.iter().any(|&r| field(&site.plans[pi], pi, r, v))
        }
        // Every node: its label, evaluations and indicators (whether it has any that year
        // or not: see the invariant above).
        PageKind::Progress(pi, _) | PageKind::Comparison(pi, ..) => {
            v(Years(pi))
                || (0..site.plans[pi].nodes.len())
                    .any(|ni| v(Label(pi, ni)) || v(Evaluations(pi, ni)) || v(Indicators(pi, ni)))
        }
        PageKind::PlanSummary(pi) => site.plans[pi].roots.iter().any(|&r| summary_field(site, pi, r, v)),
        PageKind::FieldSummary(pi, n) => v(Body(pi, n)) || summary_field(site, pi, n, v),
        PageKind::Free(i) => v(Free(i)),
        // The target's title and place: a node's label, a chapter among the chapters (a
        // plan's and a free page's title are shown on every page). The aliases themselves
        // are the list of pages: a change there affects every page.
        PageKind::Redirect(AliasOwner::Node(pi, ni), _) => v(Label(pi, ni)),
        PageKind::Redirect(AliasOwner::Chapter(pi, _), _) => v(Chapters(pi)),
        PageKind::Redirect(..) | PageKind::Search | PageKind::NotFound => false,
    }
}

/// What a [`super::views::NodeTree`] of `id` shows (same arguments).
fn tree(plan: &Plan, pi: usize, id: NodeId, depth: usize, sections: bool, v: &mut dyn FnMut(Read) -> bool) -> bool {
    let n = &plan.nodes[id];
    let section = sections && !n.has_page;
    v(Read::Label(pi, id))
        || (section && (v(Read::Body(pi, id)) || v(Read::Indicators(pi, id)) || v(Read::Evaluations(pi, id))))
        || ((depth > 0 || section)
            && n.children.iter().any(|&c| tree(plan, pi, c, depth.saturating_sub(1), sections, v)))
}

/// What the field data of summaries and the dashboard show for top-level node `top`: its
/// children, and every node under it with its indicators (whether it has any or not: see
/// the invariant on [`reads`]).
fn field(plan: &Plan, pi: usize, top: NodeId, v: &mut dyn FnMut(Read) -> bool) -> bool {
    if plan.nodes[top].children.iter().any(|&c| v(Read::Label(pi, c))) {
        return true;
    }
    let mut stack = vec![top];
    while let Some(id) = stack.pop() {
        if v(Read::Label(pi, id)) || v(Read::Indicators(pi, id)) {
            return true;
        }
        stack.extend(&plan.nodes[id].children);
    }
    false
}

/// What a summary (概要版) shows for top-level node `top`: the field data, every node's
/// SDGs (the SDGs × fields table) and the plan's 横断的取組 with their members.
fn summary_field(site: &Site, pi: usize, top: NodeId, v: &mut dyn FnMut(Read) -> bool) -> bool {
    let plan = &site.plans[pi];
    if field(plan, pi, top, v) || (0..plan.themes.len()).any(|t| theme(site, pi, t, v)) {
        return true;
    }
    let mut stack = vec![top];
    while let Some(id) = stack.pop() {
        if v(Read::Tags(pi, id)) {
            return true;
        }
        stack.extend(&plan.nodes[id].children);
    }
    false
}

/// What a theme's list shows: its members and their labels.
fn theme(site: &Site, pi: usize, t: usize, v: &mut dyn FnMut(Read) -> bool) -> bool {
    let plan = &site.plans[pi];
    let id = &plan.themes[t].id;
    v(Read::ThemeMembers(pi, t))
        || plan.nodes.iter().enumerate().any(|(ni, n)| n.themes.contains(id) && v(Read::Label(pi, ni)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn department_paths_are_those_of_the_index() {
        // Numbered without declared departments, by id with them: the shortcut of
        // `page_path` (no scan of every node) gives what the index gives.
        for declared in [false, true] {
            let dir = crate::test_support::fixture_copy("features");
            if declared {
                let toml = dir.path().join("site.toml");
                let mut text = std::fs::read_to_string(&toml).unwrap();
                let site = crate::build::load(&crate::build::BuildOptions {
                    root: dir.path().to_path_buf(),
                    ..Default::default()
                })
                .unwrap();
                for (i, name) in DepartmentIndex::new(&site).names.iter().enumerate() {
                    text.push_str(&format!("\n[[departments]]\nid = \"d{i}\"\nname = \"{name}\"\n"));
                }
                std::fs::write(&toml, text).unwrap();
            }
            let site = crate::build::load(&crate::build::BuildOptions {
                root: dir.path().to_path_buf(),
                ..Default::default()
            })
            .unwrap();
            let index = DepartmentIndex::new(&site);
            assert!(index.names.len() >= 2, "the fixture names departments");
            for i in 0..index.names.len() {
                assert_eq!(page_path(&site, PageKind::Department(i)), index.path(i));
            }
            assert_eq!(page_path(&site, PageKind::Department(0)).starts_with("departments/d0"), declared);
        }
    }
}
