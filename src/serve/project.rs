//! A site kept in memory between edits, rebuilt incrementally: changed files are parsed
//! again, the model is compared with the previous one, and only the affected pages are
//! rendered; files are written only when their bytes change.

use super::affected::{affected, Affected};
use crate::build::{self, BuildOptions};
use crate::content::loader::{load_site_cached, BodyOwner, LoadCache};
use crate::content::Site;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output;
use crate::render::pages::{self, Read};
use crate::render::{self, templates, PageKind, Shared};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tera::Tera;

/// What changed on disk, by kind, with paths relative to the site root.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// `site.toml` changed: rebuild everything.
    pub config: bool,
    /// Folders appeared, vanished or moved (a `git checkout`, a renamed plan folder, a
    /// new `themes/`): read everything again, as after a `site.toml` change.
    pub rescan: bool,
    /// Template files (names under `templates/`, e.g. `node.html`).
    pub templates: BTreeSet<String>,
    /// Content files (Markdown, and the spreadsheets of plans' `_data/`).
    pub content: BTreeSet<PathBuf>,
    /// Static files: (source, target relative to the output folder).
    pub statics: BTreeSet<(PathBuf, PathBuf)>,
}

impl Changes {
    /// Sorts a changed path (relative to the site root) into its kind. Paths planpress
    /// does not read are ignored.
    pub fn add(&mut self, rel: &Path, theme: &str) {
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
        let first = parts.next().unwrap_or_default();
        let rest: PathBuf = parts.collect();
        match first.as_str() {
            "site.toml" => self.config = true,
            "content"
                if rel.extension().and_then(|e| e.to_str()) == Some("md") && !crate::import::is_data_path(rel) =>
            {
                self.content.insert(rel.to_path_buf());
            }
            // A spreadsheet of a plan's `_data/` (not Excel's lock and temporary files):
            // reloading reads the plan's sheets again.
            "content" if crate::import::is_data_path(rel) && crate::import::is_read(rel) => {
                self.content.insert(rel.to_path_buf());
            }
            "static" if !rest.as_os_str().is_empty() => {
                self.statics.insert((rel.to_path_buf(), rest));
            }
            "themes" => {
                let mut p = rest.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
                if p.next().as_deref() == Some(theme) {
                    match p.next().as_deref() {
                        Some("templates") => {
                            self.templates.insert(p.collect::<Vec<_>>().join("/"));
                        }
                        Some("static") => {
                            let inner: PathBuf = p.collect();
                            self.statics.insert((rel.to_path_buf(), Path::new("assets").join(inner)));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// Nothing to do.
    pub fn is_empty(&self) -> bool {
        !self.config && !self.rescan && self.templates.is_empty() && self.content.is_empty() && self.statics.is_empty()
    }
}

/// What a rebuild did.
#[derive(Debug, Clone, Default)]
pub struct Rebuilt {
    /// Pages rendered.
    pub rendered: usize,
    /// Files whose bytes changed.
    pub written: usize,
    /// Pages removed.
    pub removed: usize,
    /// Time until the changed pages were on disk.
    pub elapsed: Duration,
}

/// The pages a rebuild looks at: every page of the site, or, when one plan was read again
/// and the change stays within its pages and the site's indexes, that plan's pages and the
/// pages outside plans (listing 10,000 pages and their paths takes longer than such an edit).
struct Listing {
    /// The pages with their paths, in the new site.
    pages: Vec<(PageKind, String)>,
    /// The paths of the plan's pages in the previous site; `None`: the whole site was listed.
    /// (The pages outside plans are the same before and after such a change: a new or a
    /// last department or SDG makes every page affected.)
    plan_before: Option<Vec<String>>,
}

impl Listing {
    fn new(old: &Site, new: &Site, shared: &Shared, scope: Option<usize>, which: &Affected) -> Listing {
        let with_paths = |site: &Site, kinds: Vec<PageKind>| -> Vec<(PageKind, String)> {
            kinds.into_iter().map(|k| (k, render::page_path(site, k))).collect()
        };
        if let (Some(pi), Affected::Some { paths, .. }) = (scope, which) {
            let mut pages = with_paths(new, render::plan_pages(new, pi));
            pages.extend(with_paths(new, shared.site_level_pages(new)));
            let listed: BTreeSet<&str> = pages.iter().map(|(_, p)| p.as_str()).collect();
            if paths.iter().all(|p| listed.contains(p.as_str())) {
                let before = render::plan_pages(old, pi).into_iter().map(|k| render::page_path(old, k)).collect();
                return Listing { pages, plan_before: Some(before) };
            }
        }
        Listing { pages: with_paths(new, render::site_pages(new)), plan_before: None }
    }

    /// The paths of `previous` (all pages before) that are no more.
    fn gone(&self, previous: &BTreeSet<String>) -> Vec<String> {
        let now: BTreeSet<&str> = self.pages.iter().map(|(_, p)| p.as_str()).collect();
        match &self.plan_before {
            Some(before) => before.iter().filter(|p| !now.contains(p.as_str())).cloned().collect(),
            None => previous.iter().filter(|p| !now.contains(p.as_str())).cloned().collect(),
        }
    }

    /// Every page path of the new site.
    fn all(&self, previous: &BTreeSet<String>, gone: &[String]) -> BTreeSet<String> {
        let mut all = previous.clone();
        self.apply(&mut all, gone);
        all
    }

    /// Turns the page paths of the previous site into those of the new one.
    fn apply(&self, pages: &mut BTreeSet<String>, gone: &[String]) {
        if self.plan_before.is_none() {
            *pages = self.pages.iter().map(|(_, p)| p.clone()).collect();
            return;
        }
        for g in gone {
            pages.remove(g);
        }
        for (_, p) in &self.pages {
            if !pages.contains(p) {
                pages.insert(p.clone());
            }
        }
    }
}

/// The site as last built successfully.
pub struct Project {
    opts: BuildOptions,
    cache: LoadCache,
    site: Arc<Site>,
    tera: Tera,
    /// Navigation and indexes: unchanged by body edits, recomputed otherwise.
    shared: Shared,
    pages: BTreeSet<String>,
}

impl Project {
    /// Builds the site fully into `opts.output` and keeps it in memory.
    pub fn open(mut opts: BuildOptions) -> Result<Project, Diagnostics> {
        // Edits are written straight into the output, so its marker never lists every
        // file: the folder is this project's alone.
        opts.private_output = true;
        let mut cache = LoadCache::default();
        let build::Built { site, tera, .. } = build::build_kept(&opts, &mut cache)?;
        let pages = render::site_pages(&site).into_iter().map(|k| render::page_path(&site, k)).collect();
        let shared = Shared::new(&site);
        Ok(Project { opts, cache, site: Arc::new(site), tera, shared, pages })
    }

    /// The site as last built (cheap to share with the search refresher).
    pub fn site(&self) -> Arc<Site> {
        self.site.clone()
    }

    /// The theme in use.
    pub fn theme(&self) -> &str {
        &self.site.config.theme
    }

    fn output(&self) -> PathBuf {
        self.opts.output.clone().expect("serve always sets the output folder")
    }

    /// Applies `changes`. On error nothing in the output changes and the previous state is
    /// kept, so the last good site goes on being served.
    pub fn rebuild(&mut self, changes: &Changes) -> Result<Rebuilt, Diagnostics> {
        let start = Instant::now();
        if changes.config || changes.rescan {
            let fresh = Project::open(self.opts.clone())?;
            *self = fresh;
            return Ok(Rebuilt {
                rendered: self.pages.len(),
                written: self.pages.len(),
                elapsed: start.elapsed(),
                ..Default::default()
            });
        }
        let body_only = changes.templates.is_empty() && changes.statics.is_empty() && !changes.content.is_empty();
        if body_only {
            if let Some(r) = self.rebuild_bodies(changes, start)? {
                return Ok(r);
            }
        }
        let tera = if changes.templates.is_empty() {
            None
        } else {
            Some(templates::load_templates(&self.opts.root, self.theme())?)
        };
        let (new_site, scope) = if changes.content.is_empty() {
            (None, None)
        } else {
            let (site, scope) = self.reload(changes)?;
            (Some(site), scope)
        };
        let site = new_site.as_ref().unwrap_or(&self.site);
        let tera_ref = tera.as_ref().unwrap_or(&self.tera);
        let mut which = match &new_site {
            Some(s) => affected(&self.site, s),
            None => Affected::none(),
        };
        if !changes.templates.is_empty() {
            which = which.merge(template_pages(site, &changes.templates));
        }
        let shared = match (&new_site, scope) {
            (Some(_), Some(pi)) => self.shared.with_plan(&self.site, site, pi),
            (Some(_), None) => Shared::new(site),
            (None, _) => Shared::new(&self.site),
        };
        let listing = Listing::new(&self.site, site, &shared, scope, &which);
        let mut todo: Vec<PageKind> = listing
            .pages
            .iter()
            .filter(|(k, p)| !self.pages.contains(p) || which.affects(site, &shared, *k, p))
            .map(|&(k, _)| k)
            .collect();
        todo.sort_by_key(|&k| std::cmp::Reverse(render::size_class(k)));
        let gone = listing.gone(&self.pages);
        let out = self.output();
        let rendered: Vec<Result<(String, Vec<u8>), Diagnostic>> = todo
            .par_iter()
            .map(|&k| {
                let page = render::render_page(site, tera_ref, &shared, k)?;
                Ok((page.file(), page.html))
            })
            .collect();
        let mut diags = Diagnostics::default();
        let mut files = Vec::with_capacity(rendered.len());
        for r in rendered {
            match r {
                Ok(f) => files.push(f),
                Err(d) => diags.push(d),
            }
        }
        diags.into_result()?;
        // Everything rendered: now touch the output.
        let io = |e: std::io::Error| Diagnostics::from(Diagnostic::new(&out, "io", format!("書き出せません: {e}")));
        let mut written = 0;
        for (file, bytes) in &files {
            if write_if_changed(&out.join(file), bytes).map_err(io)? {
                written += 1;
            }
        }
        let mut removed = 0;
        for gone in &gone {
            let file = out.join(if gone.ends_with(".html") { gone.clone() } else { format!("{gone}index.html") });
            if std::fs::remove_file(&file).is_ok() {
                removed += 1;
                if let Some(dir) = file.parent() {
                    let _ = std::fs::remove_dir(dir);
                }
            }
        }
        for (src, target) in &changes.statics {
            let from = self.opts.root.join(src);
            let to = out.join(target);
            if from.is_file() {
                if let Some(p) = to.parent() {
                    std::fs::create_dir_all(p).map_err(io)?;
                }
                std::fs::copy(&from, &to).map_err(io)?;
                written += 1;
            } else if std::fs::remove_file(&to).is_ok() {
                removed += 1;
            }
        }
        if new_site.is_some() {
            // Open data of the plans whose files changed (a plan is content/<plan>/…).
            let touched: BTreeSet<String> = changes
                .content
                .iter()
                .filter_map(|p| p.components().nth(1).map(|c| c.as_os_str().to_string_lossy().into_owned()))
                .collect();
            for plan in site.plans.iter().filter(|p| touched.contains(&p.id)) {
                for (path, bytes) in output::open_data::plan_files(plan, site) {
                    write_if_changed(&out.join(path), &bytes).map_err(io)?;
                }
            }
            // The sitemap lists every page with its 最終更新日: written again when a date
            // or the list of pages may have changed (listing every page's date takes
            // longer than a one-node edit).
            let same_pages = gone.is_empty() && listing.pages.iter().all(|(_, p)| self.pages.contains(p));
            let sitemap_same = scope.is_some() && same_pages && !dates_may_change(&which);
            if let Some(base_url) = site.config.host_base_url().filter(|_| !sitemap_same) {
                let sitemap = output::site_sitemap(site, base_url, &shared, listing.all(&self.pages, &gone));
                write_if_changed(&out.join("sitemap.xml"), sitemap.as_bytes()).map_err(io)?;
            }
        }
        let elapsed = start.elapsed();
        if let Some(s) = new_site {
            self.site = Arc::new(s);
        }
        self.shared = shared;
        if let Some(t) = tera {
            self.tera = t;
        }
        listing.apply(&mut self.pages, &gone);
        Ok(Rebuilt { rendered: files.len(), written, removed, elapsed })
    }

    /// The site with the changed content files read again, and the index of the plan read
    /// again when they all belong to one (the other plans are then shared); else the whole
    /// site is assembled again (unchanged files come from the cache). On error the cache
    /// holds the failed files and the site is unchanged.
    fn reload(&mut self, changes: &Changes) -> Result<(Site, Option<usize>), Diagnostics> {
        let changed: Vec<PathBuf> = changes.content.iter().cloned().collect();
        if let Some(r) = crate::content::loader::reload_plan(&self.opts.root, &self.site, &mut self.cache, &changed) {
            let (site, pi) = r?;
            return Ok((site, Some(pi)));
        }
        Ok((load_site_cached(&self.opts.root, self.site.config.clone(), &mut self.cache, Some(&changed))?, None))
    }

    /// The fast path: every changed file changed only below its front matter. Patches the
    /// bodies into the model and renders only the pages that show them. `Ok(None)` when
    /// the general path is needed.
    fn rebuild_bodies(&mut self, changes: &Changes, start: Instant) -> Result<Option<Rebuilt>, Diagnostics> {
        let mut edits = Vec::new();
        for rel in &changes.content {
            match crate::content::loader::body_only_edit(&self.opts.root, &mut self.cache, rel) {
                Some(Ok(e)) => edits.push(e),
                Some(Err(d)) => return Err(d),
                None => return Ok(None),
            }
        }
        let site = Arc::make_mut(&mut self.site);
        // The pages that show the edited bodies (found directly: listing all pages and
        // their paths takes longer than the whole edit on a large site).
        let mut todo: Vec<PageKind> = Vec::new();
        // What changed, as the page registry names it; the pages that read it follow.
        let mut changed: Vec<(Option<usize>, Read)> = Vec::new();
        let mut data_plans = BTreeSet::new();
        for e in edits {
            let (html, headings, sections) = (e.rendered.html, e.rendered.headings, e.rendered.sections);
            match e.owner {
                BodyOwner::Home => {
                    site.home.body_html = html.into();
                    site.home.headings = headings;
                    site.home.sections = sections;
                    changed.push((None, Read::Home));
                }
                BodyOwner::Free(path) => {
                    if let Some((i, p)) = site.pages.iter_mut().enumerate().find(|(_, p)| p.path == path) {
                        p.body_html = html.into();
                        p.headings = headings;
                        p.sections = sections;
                        changed.push((None, Read::Free(i)));
                    }
                }
                BodyOwner::Plan(id) => {
                    if let Some(pi) = site.plans.iter().position(|p| p.id == id) {
                        let p = Arc::make_mut(&mut site.plans[pi]);
                        p.body_html = html.into();
                        p.headings = headings;
                        p.sections = sections;
                        // The plan's lead is part of its metadata (every page of a full rebuild);
                        // only these two pages show it.
                        todo.extend([PageKind::Plan(pi), PageKind::PlanSummary(pi)]);
                    }
                }
                BodyOwner::Chapter(id, path) => {
                    if let Some(pi) = site.plans.iter().position(|p| p.id == id) {
                        let plan = Arc::make_mut(&mut site.plans[pi]);
                        if let Some((ci, c)) = plan.chapters.iter_mut().enumerate().find(|(_, c)| c.path == path) {
                            c.body_html = html.into();
                            c.headings = headings;
                            c.sections = sections;
                            changed.push((Some(pi), Read::Chapter(pi, ci)));
                        }
                    }
                }
                BodyOwner::Node(id, n) => {
                    if let Some(pi) = site.plans.iter().position(|p| p.id == id) {
                        let plan = Arc::make_mut(&mut site.plans[pi]);
                        if let Some(node) = plan.nodes.get_mut(n) {
                            node.body_html = html.into();
                            node.headings = headings;
                            node.sections = sections;
                            changed.push((Some(pi), Read::Body(pi, n)));
                        }
                        data_plans.insert(id);
                    }
                }
            }
        }
        {
            // Only the pages of the edited plan (or, for pages outside plans, those) can read
            // it: listing them is cheap where listing every page of a large site is not.
            let site: &Site = &self.site;
            for (pi, read) in &changed {
                let candidates = match pi {
                    Some(pi) => render::plan_pages(site, *pi),
                    None => self.shared.site_level_pages(site),
                };
                todo.extend(
                    candidates.into_iter().filter(|&k| pages::reads(site, &self.shared, k, &mut |r| r == *read)),
                );
            }
        }
        // Two edited bodies may share a page.
        let mut unique: Vec<PageKind> = Vec::with_capacity(todo.len());
        for k in todo {
            if !unique.contains(&k) {
                unique.push(k);
            }
        }
        let site: &Site = &self.site;
        let out = self.output();
        let io = |e: std::io::Error| Diagnostics::from(Diagnostic::new(&out, "io", format!("書き出せません: {e}")));
        let mut written = 0;
        for &k in &unique {
            let page = render::render_page(site, &self.tera, &self.shared, k)?;
            if write_if_changed(&out.join(page_file(&page.path)), &page.html).map_err(io)? {
                written += 1;
            }
        }
        for plan in site.plans.iter().filter(|p| data_plans.contains(&p.id)) {
            for (path, bytes) in output::open_data::plan_files(plan, site) {
                write_if_changed(&out.join(path), &bytes).map_err(io)?;
            }
        }
        Ok(Some(Rebuilt { rendered: unique.len(), written, removed: 0, elapsed: start.elapsed() }))
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        self.output()
    }
}

/// Brings the search files of `out` up to date with `site` (slower than pages: `serve`
/// runs it in the background after the browsers were told to reload). The files are in
/// `serve`'s layout ([`crate::search::export::Layout::in_place`]) and updated in place,
/// keeping the shards of the earlier export if there is one: only the files whose bytes
/// change are written, each whole (by renaming). Returns the files written and changed.
/// Setting `stop` ends it early.
pub fn refresh_search(site: &Site, out: &Path, stop: &Arc<AtomicBool>) -> Result<(usize, usize), Diagnostics> {
    if !site.config.search {
        let _ = std::fs::remove_dir_all(out.join("search"));
        return Ok((0, 0));
    }
    if !out.is_dir() {
        // (serve stopping, or its folder removed by someone): nothing to bring up to date.
        return Err(Diagnostic::new(out, "io", format!("{} がありません", out.display())).into());
    }
    let shards = crate::search::export::shards_of(&out.join("search"));
    let r = crate::search::export::update(site, out, shards, stop.clone())?;
    Ok((r.files, r.changed + r.removed))
}

/// Whether the pages of `which` may show another 最終更新日 than before: only the
/// `updated` dates of their files change them within one plan (the commit dates are read
/// once, by [`Shared::new`], and kept by [`Shared::with_plan`]).
fn dates_may_change(which: &Affected) -> bool {
    match which {
        Affected::All => true,
        Affected::Some { reads, .. } => reads.iter().any(|r| {
            matches!(r, Read::Updated(..) | Read::Home | Read::Free(_) | Read::Chapter(..) | Read::Chapters(_))
        }),
    }
}

/// The pages rendered with any of `names`; every page when a shared template changed.
fn template_pages(site: &Site, names: &BTreeSet<String>) -> Affected {
    let own: BTreeSet<&str> = render::site_pages(site).iter().map(|&k| render::template_name(k)).collect();
    if names.iter().any(|n| !own.contains(n.as_str())) {
        return Affected::All; // base.html, macros.html or anything they include
    }
    let paths = render::site_pages(site)
        .into_iter()
        .filter(|&k| names.contains(render::template_name(k)))
        .map(|k| render::page_path(site, k))
        .collect();
    Affected::Some { reads: BTreeSet::new(), paths }
}

/// The output file of a page path.
fn page_file(path: &str) -> String {
    if path.ends_with(".html") {
        path.to_string()
    } else {
        format!("{path}index.html")
    }
}

/// Writes `bytes` to `path` unless it already holds them; `true` when written.
fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::write(path, bytes)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_sorted_by_kind() {
        let mut c = Changes::default();
        for p in [
            "site.toml",
            "content/a/b.md",
            "content/a/img.png",
            "content/a/_data/actuals-R6.xlsx",
            "content/a/_data/~$actuals-R6.xlsx",
            "content/a/_data/A1B2C3D4",
            "content/a/_data/README.md",
            "static/x.png",
            "themes/default/templates/node.html",
            "themes/default/static/style.css",
            "themes/other/templates/x.html",
            "public/index.html",
            "target/x",
        ] {
            c.add(Path::new(p), "default");
        }
        assert!(c.config);
        assert_eq!(
            c.content,
            BTreeSet::from([PathBuf::from("content/a/b.md"), PathBuf::from("content/a/_data/actuals-R6.xlsx")]),
            "a sheet of _data/ counts, Excel's lock and temporary files and notes there do not"
        );
        assert_eq!(c.templates, BTreeSet::from(["node.html".to_string()]));
        assert!(c.statics.contains(&(PathBuf::from("static/x.png"), PathBuf::from("x.png"))));
        assert!(c
            .statics
            .contains(&(PathBuf::from("themes/default/static/style.css"), PathBuf::from("assets/style.css"))));
        assert_eq!(c.statics.len(), 2);
    }

    #[test]
    fn a_search_refresh_without_its_output_folder_creates_nothing() {
        let site = crate::test_support::fixture_copy("features");
        let loaded = build::load(&BuildOptions { root: site.path().to_path_buf(), ..Default::default() }).unwrap();
        let t = tempfile::tempdir().unwrap();
        // The output folder is gone (serve stopping).
        let out = t.path().join("serve");
        assert!(refresh_search(&loaded, &out, &Arc::default()).is_err());
        let left: Vec<_> = std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_first_search_refresh_keeps_the_search_page() {
        let site = crate::test_support::fixture_copy("features");
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("serve");
        let opts = BuildOptions {
            root: site.path().to_path_buf(),
            output: Some(out.clone()),
            defer_search: true,
            ..Default::default()
        };
        build::build(&opts).unwrap();
        assert!(out.join("search/index.html").is_file() && !out.join("search/manifest.json").exists());
        let (files, _) = refresh_search(&build::load(&opts).unwrap(), &out, &Arc::default()).unwrap();
        assert!(files > 0);
        assert!(out.join("search/index.html").is_file(), "the search page is still there");
        assert!(crate::search::export::shards_of(&out.join("search")).is_some());
        // Already in serve's layout: the next refresh has nothing to rewrite.
        let (again, changed) = refresh_search(&build::load(&opts).unwrap(), &out, &Arc::default()).unwrap();
        assert_eq!((again, changed), (files, 0));
        let left: Vec<_> = std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec!["serve"], "nothing left beside the output");
    }
}
