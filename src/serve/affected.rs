//! Which pages a content change affects, found by comparing the site model before and
//! after. A node's page shows the node in full; other pages show parts of it (its label
//! in breadcrumbs, lists and prev/next links; its indicators in summaries and the
//! dashboard; its SDGs, departments and themes in their indexes). Changes to what every
//! page shows (a plan's metadata, the top-level navigation, the site's structure) affect
//! all pages.

use crate::content::model::*;
use crate::render::views::DepartmentIndex;
use crate::render::{page_path, PageKind};
use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The pages to render again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affected {
    /// Every page.
    All,
    /// These site paths (as [`page_path`] gives them).
    Paths(BTreeSet<String>),
}

impl Affected {
    /// Whether the page at `path` must be rendered again.
    pub fn contains(&self, path: &str) -> bool {
        match self {
            Affected::All => true,
            Affected::Paths(p) => p.contains(path),
        }
    }
}

/// The pages whose output may differ between `old` and `new`.
pub fn affected(old: &Site, new: &Site) -> Affected {
    if old.config != new.config
        || old.plans.len() != new.plans.len()
        || old.has_sdgs() != new.has_sdgs()
        || old.has_departments() != new.has_departments()
        || free_page_meta(old) != free_page_meta(new)
    {
        return Affected::All;
    }
    let mut set = BTreeSet::new();
    let cx = Compare { old, new, departments: OnceCell::new(), old_departments: OnceCell::new() };
    if old.home.title != new.home.title || old.home.body_html != new.home.body_html {
        set.insert(String::new());
    }
    for (o, n) in old.pages.iter().zip(&new.pages) {
        if o.body_html != n.body_html || o.summary != n.summary {
            set.insert(n.path.clone());
        }
    }
    for (pi, (o, n)) in old.plans.iter().zip(&new.plans).enumerate() {
        if Arc::ptr_eq(o, n) {
            continue; // a plan none of whose files changed (serve reloads only edited plans)
        }
        if plan_meta(o) != plan_meta(n) || structure(o) != structure(n) {
            return Affected::All;
        }
        if chapter_meta(o) != chapter_meta(n) {
            set.insert(n.path());
            set.insert(String::new());
            set.extend(n.chapters.iter().map(|c| c.path.clone()));
        }
        for (oc, nc) in o.chapters.iter().zip(&n.chapters) {
            if oc.body_html != nc.body_html {
                set.insert(nc.path.clone());
            }
        }
        for id in 0..n.nodes.len() {
            if !node_changes(&cx, pi, id, &mut set) {
                return Affected::All;
            }
        }
    }
    Affected::Paths(set)
}

/// The two sites compared, and what is computed once for them.
struct Compare<'a> {
    old: &'a Site,
    new: &'a Site,
    /// The departments of `new` and of `old`, numbered as their pages are (read only for
    /// nodes with departments: it takes a walk over every node).
    departments: OnceCell<DepartmentIndex>,
    old_departments: OnceCell<DepartmentIndex>,
}

impl Compare<'_> {
    fn departments(&self) -> &DepartmentIndex {
        self.departments.get_or_init(|| DepartmentIndex::new(self.new))
    }

    /// The pages of these departments (of `new`).
    fn department_pages<'s>(&'s self, names: &'s [String]) -> impl Iterator<Item = String> + 's {
        names.iter().filter_map(|d| self.departments().position(d)).map(DepartmentIndex::path)
    }
}

/// Adds the pages affected by node `id` of plan `pi`; `false` when every page is.
fn node_changes(cx: &Compare, pi: usize, id: NodeId, set: &mut BTreeSet<String>) -> bool {
    let (old, new) = (cx.old, cx.new);
    let (op, np) = (&old.plans[pi], &new.plans[pi]);
    let (o, n) = (&op.nodes[id], &np.nodes[id]);
    let label = |x: &Node| (x.number.clone(), x.title.clone(), x.summary.clone());
    let host = |plan: &Plan, i: NodeId| node_path(plan, page_host(plan, i));
    let page = |kind: PageKind| page_path(new, kind);
    let top = np.top_of(id);
    let has_dashboard = np.nodes.iter().any(|x| !x.indicators.is_empty());
    let overviews = |set: &mut BTreeSet<String>| {
        set.insert(page(PageKind::PlanSummary(pi)));
        set.insert(page(PageKind::FieldSummary(pi, top)));
        if has_dashboard || op.nodes.iter().any(|x| !x.indicators.is_empty()) {
            set.insert(page(PageKind::Dashboard(pi)));
        }
    };
    if o.body_html != n.body_html || o.headings != n.headings {
        set.insert(host(np, id));
    }
    if o.indicators != n.indicators {
        set.insert(host(np, id));
        overviews(set);
    }
    if label(o) != label(n) {
        if n.depth == 0 && (o.number != n.number || o.title != n.title) {
            return false; // the field navigation on every page shows it
        }
        set.insert(host(np, id));
        match n.parent {
            Some(p) => set.insert(host(np, p)),
            None => set.insert(np.path()),
        };
        for &s in np.siblings(id) {
            set.insert(host(np, s));
        }
        let mut stack = n.children.clone();
        while let Some(c) = stack.pop() {
            set.insert(host(np, c));
            stack.extend(&np.nodes[c].children);
        }
        if n.depth <= 1 {
            set.insert(np.path());
        }
        if n.depth == 0 {
            set.insert(String::new()); // the home page lists each plan's fields
        }
        overviews(set);
        set.extend(n.themes.iter().map(|t| format!("{}/themes/{t}/", np.id)));
        if !n.themes.is_empty() {
            set.insert(format!("{}/themes/", np.id));
        }
        set.extend(n.sdgs.iter().map(|g| format!("sdgs/{g}/")));
        set.extend(cx.department_pages(&n.departments));
    }
    if o.sdgs != n.sdgs {
        set.insert(host(np, id));
        set.insert("sdgs/".into());
        set.extend(o.sdgs.iter().chain(&n.sdgs).map(|g| format!("sdgs/{g}/")));
    }
    if o.departments != n.departments {
        if cx.old_departments.get_or_init(|| DepartmentIndex::new(old)) != cx.departments() {
            return false; // departments are numbered by name: every link to them may change
        }
        set.insert(host(np, id));
        set.insert("departments/".into());
        set.extend(cx.department_pages(&o.departments));
        set.extend(cx.department_pages(&n.departments));
    }
    if o.themes != n.themes {
        set.insert(host(np, id));
        set.insert(format!("{}/themes/", np.id));
        set.extend(o.themes.iter().chain(&n.themes).map(|t| format!("{}/themes/{t}/", np.id)));
    }
    true
}

/// Everything about a plan that pages other than its nodes' show.
fn plan_meta(p: &Plan) -> impl PartialEq + '_ {
    let themes: Vec<_> =
        p.themes.iter().map(|t| (t.id.as_str(), t.number.as_ref(), t.title.as_str(), t.summary.as_ref())).collect();
    (
        (&p.id, &p.title, p.kind.as_ref(), &p.municipality, p.period, p.vision.as_ref()),
        (&p.principles, p.summary.as_ref(), p.issued.as_ref(), p.publisher.as_ref(), &p.levels, themes, &p.body_html),
    )
}

/// Ids, nesting, order and whether each node has a page.
fn structure(p: &Plan) -> Vec<(&str, Option<NodeId>, &[NodeId], bool)> {
    let mut v: Vec<_> = p.nodes.iter().map(|n| (n.id.as_str(), n.parent, n.children.as_slice(), n.has_page)).collect();
    v.push(("", None, p.roots.as_slice(), true));
    v
}

fn chapter_meta(p: &Plan) -> Vec<(&str, &str, Option<&String>)> {
    p.chapters.iter().map(|c| (c.path.as_str(), c.title.as_str(), c.summary.as_ref())).collect()
}

fn free_page_meta(s: &Site) -> Vec<(&str, &str, bool)> {
    s.pages.iter().map(|p| (p.path.as_str(), p.title.as_str(), p.footer)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{self, BuildOptions};
    use crate::test_support::{edit, fixture_copy};

    fn load(root: &std::path::Path) -> Site {
        build::load(&BuildOptions { root: root.to_path_buf(), ..Default::default() }).unwrap()
    }

    fn features() -> tempfile::TempDir {
        fixture_copy("features")
    }

    /// What one edit of a file of a fresh copy of the features fixture affects.
    fn affected_by_edit(rel: &str, from: &str, to: &str) -> Affected {
        let t = features();
        let old = load(t.path());
        edit(t.path(), rel, from, to);
        affected(&old, &load(t.path()))
    }

    fn paths(a: Affected) -> BTreeSet<String> {
        match a {
            Affected::Paths(p) => p,
            Affected::All => panic!("expected a page list, got All"),
        }
    }

    #[test]
    fn body_edit_touches_only_its_page() {
        let p = paths(affected_by_edit("content/showcase/kyodo/7-3.md", "強みを活かして", "強みを生かして"));
        assert_eq!(p, BTreeSet::<String>::from(["showcase/7-3/".to_string()]));
    }

    #[test]
    fn title_edit_touches_lists_neighbours_and_indexes() {
        let p = paths(affected_by_edit("content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実"));
        for want in [
            "showcase/3-2/",
            "showcase/kankyo/",
            "showcase/3-1/",
            "showcase/3-2-1/",
            "showcase/",
            "showcase/summary/",
            "showcase/summary/kankyo/",
            "showcase/dashboard/",
            "sdgs/11/",
            "sdgs/15/",
        ] {
            assert!(p.contains(want), "{want} missing from {p:?}");
        }
        assert!(!p.contains("showcase/7-3/"), "{p:?}");
        assert!(!p.contains(""), "the home page lists only fields: {p:?}");
    }

    #[test]
    fn indicator_edit_touches_overviews() {
        let p = paths(affected_by_edit("content/showcase/kyodo/7-3.md", "value = 57.9", "value = 58.0"));
        assert_eq!(
            p,
            ["showcase/7-3/", "showcase/dashboard/", "showcase/summary/", "showcase/summary/kyodo/"]
                .iter()
                .map(|s| s.to_string())
                .collect::<BTreeSet<String>>()
        );
    }

    #[test]
    fn sdg_edit_touches_goal_pages() {
        let p = paths(affected_by_edit("content/showcase/kankyo/3-2.md", "sdgs = [11, 15]", "sdgs = [11, 14]"));
        assert!(
            p.contains("sdgs/14/") && p.contains("sdgs/15/") && p.contains("sdgs/") && p.contains("showcase/3-2/"),
            "{p:?}"
        );
    }

    #[test]
    fn department_pages_follow_their_nodes() {
        // Departments by name: 企画政策課 = 1, 市民協働課 = 2, 環境政策課 = 3.
        let p = paths(affected_by_edit("content/showcase/kyodo/7-3.md", "title = \"", "title = \"新しい"));
        assert!(p.contains("departments/2/"), "{p:?}");
        assert!(!p.contains("departments/1/") && !p.contains("departments/3/") && !p.contains("departments/"), "{p:?}");

        let rel = "content/showcase/kankyo/3-1/shigen.md";
        let p = paths(affected_by_edit(rel, "departments = [\"環境政策課\"]", "departments = [\"企画政策課\"]"));
        for want in ["departments/", "departments/1/", "departments/3/"] {
            assert!(p.contains(want), "{want} missing from {p:?}");
        }
        assert!(!p.contains("departments/2/"), "{p:?}");

        // A new department renumbers the ones after it: every page may link to them.
        assert_eq!(
            affected_by_edit(rel, "departments = [\"環境政策課\"]", "departments = [\"農林課\"]"),
            Affected::All
        );
    }

    #[test]
    fn structural_and_navigation_changes_touch_everything() {
        assert_eq!(
            affected_by_edit("content/showcase/kankyo/_index.md", "title = \"環境分野\"", "title = \"環境の分野\""),
            Affected::All
        );
        let t = features();
        let old = load(t.path());
        std::fs::remove_file(t.path().join("content/showcase/kankyo/3-2.md")).unwrap();
        assert_eq!(affected(&old, &load(t.path())), Affected::All);
    }
}
