//! Which pages a content change affects. The model before and after an edit is compared
//! facet by facet ([`Read`]: a node's label, body, indicators, tags; which nodes belong to
//! an SDG goal, a department, a theme; …); the page registry
//! ([`crate::render::pages::reads`]) says which pages show each facet. What every page
//! shows (the site settings, a plan's metadata and structure, the top-level navigation,
//! the free pages of the footer, the department numbering) affects all pages.

use crate::content::model::*;
use crate::render::pages::{self, Read};
use crate::render::views::DepartmentIndex;
use crate::render::{PageKind, Shared};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The pages to render again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affected {
    /// Every page.
    All,
    /// The pages that show any of `reads`, and the pages at `paths`.
    Some {
        /// Facets of the model that changed.
        reads: BTreeSet<Read>,
        /// Site paths (as [`pages::page_path`] gives them) affected for other reasons
        /// (their template changed).
        paths: BTreeSet<String>,
    },
}

impl Affected {
    /// Nothing.
    pub fn none() -> Affected {
        Affected::Some { reads: BTreeSet::new(), paths: BTreeSet::new() }
    }

    /// Whether page `kind` (at `path`, of `site` with `shared`) must be rendered again.
    pub fn affects(&self, site: &Site, shared: &Shared, kind: PageKind, path: &str) -> bool {
        match self {
            Affected::All => true,
            Affected::Some { reads, paths } => {
                paths.contains(path)
                    || (!reads.is_empty() && pages::reads(site, shared, kind, &mut |r| reads.contains(&r)))
            }
        }
    }

    /// Both.
    pub fn merge(self, other: Affected) -> Affected {
        match (self, other) {
            (Affected::Some { reads: mut r1, paths: mut p1 }, Affected::Some { reads: r2, paths: p2 }) => {
                r1.extend(r2);
                p1.extend(p2);
                Affected::Some { reads: r1, paths: p1 }
            }
            _ => Affected::All,
        }
    }

    /// The paths of the affected pages among all pages of `site` (for tests and messages).
    pub fn paths(&self, site: &Site) -> BTreeSet<String> {
        let shared = Shared::new(site);
        crate::render::site_pages(site)
            .into_iter()
            .map(|k| (k, pages::page_path(site, k)))
            .filter(|(k, p)| self.affects(site, &shared, *k, p))
            .map(|(_, p)| p)
            .collect()
    }
}

/// Every alias with its page: the redirect pages there are.
fn aliases(site: &Site) -> Vec<(AliasOwner, &Alias)> {
    site.aliases().into_iter().map(|(owner, k)| (owner, site.alias(owner, k))).collect()
}

/// What changed between `old` and `new`.
pub fn affected(old: &Site, new: &Site) -> Affected {
    if old.config != new.config
        || old.plans.len() != new.plans.len()
        || old.has_sdgs() != new.has_sdgs()
        || old.has_departments() != new.has_departments()
        || free_page_meta(old) != free_page_meta(new)
        || aliases(old) != aliases(new)
    {
        return Affected::All;
    }
    let mut reads = BTreeSet::new();
    if old.home.title != new.home.title
        || old.home.body_html != new.home.body_html
        || old.home.updated != new.home.updated
    {
        reads.insert(Read::Home);
    }
    for (i, (o, n)) in old.pages.iter().zip(&new.pages).enumerate() {
        if o.body_html != n.body_html || o.summary != n.summary || o.updated != n.updated {
            reads.insert(Read::Free(i));
        }
    }
    let mut departments: Option<(DepartmentIndex, DepartmentIndex)> = None;
    for (pi, (o, n)) in old.plans.iter().zip(&new.plans).enumerate() {
        if Arc::ptr_eq(o, n) {
            continue; // a plan none of whose files changed (serve reloads only edited plans)
        }
        if plan_meta(o) != plan_meta(n) || structure(o) != structure(n) {
            return Affected::All;
        }
        if chapter_meta(o) != chapter_meta(n) {
            reads.insert(Read::Chapters(pi));
        }
        for (c, (oc, nc)) in o.chapters.iter().zip(&n.chapters).enumerate() {
            if oc.body_html != nc.body_html || oc.updated != nc.updated {
                reads.insert(Read::Chapter(pi, c));
            }
        }
        let has_indicators = |p: &Plan| p.nodes.iter().any(|x| !x.indicators.is_empty());
        if has_indicators(o) != has_indicators(n) {
            reads.insert(Read::HasIndicators(pi));
        }
        if pages::data_years(o) != pages::data_years(n) {
            reads.insert(Read::Years(pi));
        }
        for id in 0..n.nodes.len() {
            let (a, b) = (&o.nodes[id], &n.nodes[id]);
            if (&a.number, &a.title, &a.summary) != (&b.number, &b.title, &b.summary) {
                if b.depth == 0 {
                    return Affected::All; // the navigation of every page shows it
                }
                reads.insert(Read::Label(pi, id));
            }
            if a.body_html != b.body_html || a.headings != b.headings {
                reads.insert(Read::Body(pi, id));
            }
            if a.updated != b.updated {
                reads.insert(Read::Updated(pi, id));
            }
            if a.indicators != b.indicators {
                reads.insert(Read::Indicators(pi, id));
            }
            if a.evaluations != b.evaluations {
                reads.insert(Read::Evaluations(pi, id));
            }
            if a.sdgs != b.sdgs || a.departments != b.departments || a.themes != b.themes {
                reads.insert(Read::Tags(pi, id));
            }
            for &g in changed_members(&a.sdgs, &b.sdgs) {
                reads.insert(Read::SdgMembers(g));
            }
            if a.departments != b.departments {
                let (was, is) =
                    departments.get_or_insert_with(|| (DepartmentIndex::new(old), DepartmentIndex::new(new)));
                if was != is {
                    return Affected::All; // departments are numbered by name: every link may change
                }
                for d in changed_members(&a.departments, &b.departments) {
                    reads.extend(is.position(d).map(Read::DepartmentMembers));
                }
            }
            for t in changed_members(&a.themes, &b.themes) {
                reads.extend(n.themes.iter().position(|x| &x.id == t).map(|ti| Read::ThemeMembers(pi, ti)));
            }
        }
    }
    Affected::Some { reads, paths: BTreeSet::new() }
}

/// The members of one list but not of the other.
fn changed_members<'a, T: PartialEq>(a: &'a [T], b: &'a [T]) -> impl Iterator<Item = &'a T> {
    a.iter().filter(|x| !b.contains(x)).chain(b.iter().filter(|x| !a.contains(x)))
}

/// Everything about a plan that pages other than its nodes' show (the grade scale too:
/// every grade shown refers to it).
fn plan_meta(p: &Plan) -> impl PartialEq + '_ {
    let themes: Vec<_> =
        p.themes.iter().map(|t| (t.id.as_str(), t.number.as_ref(), t.title.as_str(), t.summary.as_ref())).collect();
    (
        (&p.id, &p.title, p.subtitle.as_ref(), p.kind.as_ref(), &p.municipality, p.period, p.vision.as_ref()),
        (&p.principles, p.summary.as_ref(), p.issued.as_ref(), p.publisher.as_ref(), &p.levels, themes, &p.body_html),
        (&p.evaluation, &p.updated),
    )
}

/// One node in [`structure`]: id, parent, children, has a page, is a draft.
type NodeShape<'a> = (&'a str, Option<NodeId>, &'a [NodeId], bool, bool);

/// Ids, nesting, order, whether each node has a page and is a draft (a draft marked or
/// unmarked is rare: it re-renders every page).
fn structure(p: &Plan) -> Vec<NodeShape<'_>> {
    let mut v: Vec<_> =
        p.nodes.iter().map(|n| (n.id.as_str(), n.parent, n.children.as_slice(), n.has_page, n.draft)).collect();
    v.push(("", None, p.roots.as_slice(), true, p.draft));
    v
}

fn chapter_meta(p: &Plan) -> Vec<(&str, &str, Option<&String>, bool)> {
    p.chapters.iter().map(|c| (c.path.as_str(), c.title.as_str(), c.summary.as_ref(), c.draft)).collect()
}

fn free_page_meta(s: &Site) -> Vec<(&str, &str, bool, bool)> {
    s.pages.iter().map(|p| (p.path.as_str(), p.title.as_str(), p.footer, p.draft)).collect()
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

    /// What one edit of a file of a fresh copy of the features fixture affects: the
    /// paths of the pages to render again, or `None` for every page.
    fn affected_by_edit(rel: &str, from: &str, to: &str) -> Option<BTreeSet<String>> {
        let t = features();
        let old = load(t.path());
        edit(t.path(), rel, from, to);
        let new = load(t.path());
        match affected(&old, &new) {
            Affected::All => None,
            a => Some(a.paths(&new)),
        }
    }

    fn paths(a: Option<BTreeSet<String>>) -> BTreeSet<String> {
        a.expect("expected a page list, got every page")
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
        // 3-2's only child has nothing to show: a section of 3-2's page, its old URL a redirect
        // page that names only the child.
        assert!(!p.contains("showcase/3-2-1/"), "{p:?}");
    }

    #[test]
    fn indicator_edit_touches_overviews() {
        let p = paths(affected_by_edit("content/showcase/kyodo/7-3.md", "value = 57.9", "value = 58.0"));
        // The yearly pages show every indicator's status as of their year.
        let yearly: BTreeSet<String> = p
            .iter()
            .filter(|x| x.starts_with("showcase/progress/") || x.starts_with("showcase/dashboard/20"))
            .cloned()
            .collect();
        assert_eq!(yearly.len(), 5 + 4 + 5, "{p:?}");
        assert_eq!(
            p.difference(&yearly).cloned().collect::<BTreeSet<String>>(),
            ["showcase/7-3/", "showcase/dashboard/", "showcase/summary/", "showcase/summary/kyodo/"]
                .iter()
                .map(|s| s.to_string())
                .collect::<BTreeSet<String>>()
        );
    }

    #[test]
    fn evaluation_edit_touches_its_node_and_the_yearly_pages() {
        let p = paths(affected_by_edit("content/showcase/kankyo/3-2.md", "整備が遅れた。", "整備がやや遅れた。"));
        assert!(p.contains("showcase/3-2/") && p.contains("showcase/progress/2024/"), "{p:?}");
        assert!(p.contains("showcase/progress/2023-2024/"), "{p:?}");
        for not in
            ["showcase/3-1/", "showcase/dashboard/", "showcase/dashboard/2024/", "showcase/summary/", "showcase/"]
        {
            assert!(!p.contains(not), "{not} in {p:?}");
        }
        // A first evaluation in a new year: the year links of the plan page and dashboards.
        let p = paths(affected_by_edit("content/showcase/kankyo/3-2.md", "year = \"R6\"", "year = \"R7\""));
        for want in ["showcase/", "showcase/dashboard/", "showcase/dashboard/2024/", "showcase/3-2/"] {
            assert!(p.contains(want), "{want} missing from {p:?}");
        }
        // The grade scale is shown on every page with a grade.
        assert_eq!(affected_by_edit("content/showcase/_plan.md", "label = \"要改善\"", "label = \"改善が必要\""), None);
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
        assert_eq!(affected_by_edit(rel, "departments = [\"環境政策課\"]", "departments = [\"農林課\"]"), None);
    }

    #[test]
    fn structural_and_navigation_changes_touch_everything() {
        assert_eq!(
            affected_by_edit("content/showcase/kankyo/_index.md", "title = \"環境分野\"", "title = \"環境の分野\""),
            None
        );
        let t = features();
        let old = load(t.path());
        std::fs::remove_file(t.path().join("content/showcase/kankyo/3-2.md")).unwrap();
        assert_eq!(affected(&old, &load(t.path())), Affected::All);
    }
}
