//! Serve's cache: what loading keeps between runs (parsed files, rendered bodies, link
//! targets), how it is brought up to date with the changed files, and the two fast paths
//! of `serve` built on it — reloading one plan ([`reload_plan`]) and re-rendering one body
//! ([`body_only_edit`]).

use super::assemble::assemble;
use super::discovery::{discover, Role};
use super::model::*;
use super::parse::{parse_file, Parsed};
use super::render::{render_bodies, BodySlot};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::{self, LinkTargets, MarkdownContext, Unreadable, TEMPLATE_IDS};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What loading keeps between runs so that `serve` re-reads only changed files and
/// re-renders only changed Markdown.
#[derive(Default)]
pub struct LoadCache {
    /// Every content file found, in walk order, with its parse result.
    files: Vec<(PathBuf, Result<Parsed, Diagnostic>)>,
    /// Where each of [`Self::files`] is in it (an edit looks one file up among 10,000).
    positions: HashMap<PathBuf, usize>,
    /// Rendered bodies by slot, valid while their inputs and the link targets are equal.
    pub(super) bodies: HashMap<BodySlot, CachedBody>,
    /// The link targets the bodies were rendered with.
    pub(super) links: LinkTargets,
    /// The content files that failed to parse in the last [`Self::parsed_files`]: links to
    /// them are not reported missing. (A file moves in or out of it only when it also
    /// leaves or joins `links`, so cached bodies stay right.)
    pub(super) unreadable: Unreadable,
    /// Nothing is reused afterwards (`build`): parsed files are moved into the site
    /// instead of copied, and rendered bodies are not kept.
    pub(super) one_shot: bool,
}

/// A rendered body with the inputs it was rendered from.
pub(super) struct CachedBody {
    /// The Markdown.
    pub(super) markdown: String,
    /// Its file, relative to the site root.
    pub(super) file: PathBuf,
    /// The file's line where the Markdown starts.
    pub(super) first_line: usize,
    /// The relative path from its page to the site root.
    pub(super) root: String,
    /// The HTML level of its top headings.
    pub(super) base_level: u8,
    /// The HTML.
    pub(super) rendered: markdown::Rendered,
    /// The problems rendering found.
    pub(super) diags: Vec<Diagnostic>,
}

impl LoadCache {
    /// A cache for one load (`build`), kept by nobody afterwards.
    pub fn one_shot() -> Self {
        LoadCache { one_shot: true, ..LoadCache::default() }
    }

    /// Brings the parsed files up to date: discovers and parses `content/` (reusing the
    /// parses of unchanged files) when `changed` is `None` or files appeared or vanished,
    /// else re-parses the `changed` files (relative to the site root) only.
    pub(super) fn refresh(&mut self, root: &Path, changed: Option<&[PathBuf]>) -> Result<(), Diagnostics> {
        let content = root.join("content");
        let rescan = match changed {
            None => true,
            Some(paths) => {
                self.files.is_empty()
                    || paths.iter().any(|p| !root.join(p).is_file() || !self.positions.contains_key(p))
            }
        };
        if rescan {
            let files = discover(root, &content)?;
            let old: HashMap<PathBuf, Result<Parsed, Diagnostic>> =
                std::mem::take(&mut self.files).into_iter().collect();
            let stale = |rel: &PathBuf| changed.is_none_or(|c| c.contains(rel));
            self.files = files
                .into_par_iter()
                .map(|f| {
                    let rel = f.rel.clone();
                    match old.get(&rel) {
                        Some(p) if !stale(&rel) && p.as_ref().map_or(true, |p| p.found.role == f.role) => {
                            (rel, p.clone())
                        }
                        _ => (rel, parse_file(root, f)),
                    }
                })
                .collect();
            self.positions = self.files.iter().enumerate().map(|(i, (rel, _))| (rel.clone(), i)).collect();
        } else if let Some(paths) = changed {
            for rel in paths {
                let Some(&i) = self.positions.get(rel) else { continue };
                let found = match &self.files[i].1 {
                    Ok(p) => p.found.clone(),
                    Err(_) => {
                        // The role of a file that failed before is found again by a walk.
                        return self.refresh(root, None);
                    }
                };
                self.files[i].1 = parse_file(root, found);
            }
        }
        Ok(())
    }

    /// The files that parsed, for assembly (moved out of a one-shot cache, else copied);
    /// the others' diagnostics go to `diags`.
    pub(super) fn parsed_files(&mut self, diags: &mut Diagnostics) -> Vec<Parsed> {
        self.unreadable = self.files.iter().filter(|(_, p)| p.is_err()).map(|(rel, _)| content_key(rel)).collect();
        let mut ok = Vec::with_capacity(self.files.len());
        if self.one_shot {
            self.positions.clear();
            for (_, p) in std::mem::take(&mut self.files) {
                match p {
                    Ok(p) => {
                        p.warnings.iter().for_each(|w| diags.push(w.clone()));
                        ok.push(p)
                    }
                    Err(d) => diags.push(d),
                }
            }
        } else {
            for (_, p) in &self.files {
                match p {
                    Ok(p) => {
                        p.warnings.iter().for_each(|w| diags.push(w.clone()));
                        ok.push(p.clone())
                    }
                    Err(d) => diags.push(d.clone()),
                }
            }
        }
        ok
    }

    /// Where `rel` (relative to the site root) is in [`Self::files`].
    fn index_of(&self, rel: &Path) -> Option<usize> {
        self.positions.get(rel).copied()
    }
}

/// `content/a/b.md` (relative to the site root) as `a/b.md`, the key of [`LinkTargets`].
fn content_key(rel: &Path) -> String {
    let inner = rel.strip_prefix("content").unwrap_or(rel);
    inner.to_string_lossy().replace('\\', "/")
}

/// Every alias of `plan`'s pages, for [`reload_plan`].
fn plan_aliases(plan: &Plan) -> Vec<&Alias> {
    plan.aliases
        .iter()
        .chain(plan.chapters.iter().flat_map(|c| &c.aliases))
        .chain(plan.nodes.iter().flat_map(|n| &n.aliases))
        .collect()
}

/// The fast path of `serve` for edits inside one plan: when every file in `changed` (relative
/// to the site root) is an existing file of the same plan, re-reads them, assembles that plan
/// alone and returns `site` with it replaced, and the plan's index; every other plan is
/// shared with `site`.
/// `None` means the general path is needed: files of several plans or outside plans, files
/// that appeared or vanished, a file that failed to load before, or a change that moves
/// pages (node ids and the plan's place among plans).
pub fn reload_plan(
    root: &Path,
    site: &Site,
    cache: &mut LoadCache,
    changed: &[PathBuf],
) -> Option<Result<(Site, usize), Diagnostics>> {
    fn plan_of(role: &Role) -> Option<&str> {
        match role {
            Role::Plan { plan } | Role::Chapter { plan, .. } | Role::Node { plan, .. } => Some(plan),
            Role::Home | Role::Free { .. } => None,
        }
    }
    let mut plan_id: Option<String> = None;
    let mut found = Vec::with_capacity(changed.len());
    for rel in changed {
        let i = cache.index_of(rel)?;
        let parsed = cache.files[i].1.as_ref().ok()?;
        let plan = plan_of(&parsed.found.role)?;
        if plan_id.get_or_insert_with(|| plan.to_string()) != plan || !root.join(rel).is_file() {
            return None;
        }
        found.push((i, parsed.found.clone()));
    }
    let plan_id = plan_id?;
    let pi = site.plans.iter().position(|p| p.id == plan_id)?;
    for (i, f) in found {
        cache.files[i].1 = parse_file(root, f);
    }
    let mut diags = Diagnostics::default();
    let mut files = Vec::new();
    for (_, p) in &cache.files {
        match p {
            Ok(p) if plan_of(&p.found.role) == Some(plan_id.as_str()) => files.push(p.clone()),
            Ok(_) => {}
            Err(d) => diags.push(d.clone()),
        }
    }
    if !diags.is_empty() {
        return Some(Err(diags));
    }
    // The warnings of the plan's files, as a full load gives them.
    files.iter().flat_map(|p| &p.warnings).for_each(|w| diags.push(w.clone()));
    let (mut alone, pending, mut links) = assemble(root, site.config.clone(), files, &Unreadable::new(), &mut diags);
    super::loader::import_data(root, &mut alone, &mut diags);
    super::loader::settle_pages(&mut alone, &pending, &mut links);
    // Every file of the plan must still lead where it did: bodies elsewhere link to them.
    let prefix = format!("{plan_id}/");
    let before = cache.links.iter().filter(|(f, _)| f.starts_with(&prefix)).count();
    if links.len() != before || links.iter().any(|(f, path)| cache.links.get(f) != Some(path)) {
        return None;
    }
    if diags.has_errors() {
        return Some(Err(diags));
    }
    let [plan] = <[Arc<Plan>; 1]>::try_from(std::mem::take(&mut alone.plans)).ok()?;
    if plan.weight != site.plans[pi].weight {
        return None; // the order of plans may change
    }
    if plan_aliases(&plan) != plan_aliases(&site.plans[pi]) {
        return None; // old URLs are checked against the whole site
    }
    alone.plans = vec![plan];
    let links = std::mem::take(&mut cache.links);
    render_bodies(&mut alone, pending, &links, cache, Some(&plan_id), &mut diags);
    cache.links = links;
    let warnings = match diags.into_warnings() {
        Ok(w) => w,
        Err(e) => return Some(Err(e)),
    };
    let mut new = site.clone();
    let plan = alone.plans.pop()?;
    new.drafts_left_out = new.drafts_left_out - new.plans[pi].drafts_left_out + plan.drafts_left_out;
    new.plans[pi] = plan;
    new.warnings = warnings;
    // (Images only ever join here: one dropped from the plan's bodies is copied until the
    // next full load, which is harmless.)
    new.content_files.extend(alone.content_files);
    new.content_files.sort();
    new.content_files.dedup();
    Some(Ok((new, pi)))
}

/// Where an edited body belongs, when only the body of a file changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyOwner {
    /// The home page lead.
    Home,
    /// A free page at this path.
    Free(String),
    /// A plan's lead.
    Plan(String),
    /// A plan chapter at this path.
    Chapter(String, String),
    /// A node (plan id, node index).
    Node(String, NodeId),
}

/// A body-only edit applied to the cache: where it goes and its new HTML.
pub struct BodyEdit {
    /// The owner of the body.
    pub owner: BodyOwner,
    /// The new rendering.
    pub rendered: markdown::Rendered,
}

/// The fast path of `serve`: when `rel` (a content file relative to the root) changed only
/// below its front matter, renders the new body with the same context and returns it.
/// `None` means the general path is needed (front matter, role or anything else changed).
/// `Some(Err)` carries the diagnostics of the new body (broken link, missing alt …); the
/// cache then holds the new text, so fixing it takes the fast path again.
pub fn body_only_edit(root: &Path, cache: &mut LoadCache, rel: &Path) -> Option<Result<BodyEdit, Diagnostics>> {
    let idx = cache.index_of(rel)?;
    let old = cache.files[idx].1.as_ref().ok()?.clone();
    let new = parse_file(root, old.found.clone()).ok()?;
    if new.front != old.front || new.body_line != old.body_line || new.fm_text != old.fm_text {
        return None;
    }
    if new.body.trim().is_empty() != old.body.trim().is_empty() {
        return None; // a node may gain or lose its page (`loader::settle_pages`)
    }
    let (slot, body) = cache
        .bodies
        .iter()
        .find(|(_, c)| c.file.as_os_str() == rel.as_os_str() && c.first_line == old.body_line && c.markdown == old.body)
        .map(|(s, c)| (s.clone(), c))?;
    let ctx = MarkdownContext {
        root: &body.root,
        links: &cache.links,
        unreadable: &cache.unreadable,
        site_root: Some(root),
        file: rel,
        first_line: new.body_line,
        reserved_ids: TEMPLATE_IDS,
        base_level: body.base_level,
    };
    let (rendered, diags) = markdown::render(&new.body, &ctx);
    let entry = CachedBody {
        markdown: new.body.clone(),
        file: body.file.clone(),
        first_line: new.body_line,
        root: body.root.clone(),
        base_level: body.base_level,
        rendered: rendered.clone(),
        diags: diags.clone(),
    };
    cache.files[idx].1 = Ok(new);
    cache.bodies.insert(slot.clone(), entry);
    if diags.iter().any(|d| d.severity == crate::diagnostics::Severity::Error) {
        return Some(Err(Diagnostics(diags)));
    }
    let owner = match slot {
        BodySlot::Home => BodyOwner::Home,
        BodySlot::Free(p) => BodyOwner::Free(p),
        BodySlot::Plan(p) => BodyOwner::Plan(p),
        BodySlot::Chapter(p, c) => BodyOwner::Chapter(p, c),
        BodySlot::Node(p, n) => BodyOwner::Node(p, n),
    };
    Some(Ok(BodyEdit { owner, rendered }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;
    use crate::content::loader::{load_site, load_site_cached};
    use crate::test_support::{copy_dir, edit, fixture_copy};

    /// The features fixture with its plan copied as a second plan, `second`.
    fn two_plans() -> tempfile::TempDir {
        let t = fixture_copy("features");
        copy_dir(&t.path().join("content/showcase"), &t.path().join("content/second"));
        t
    }

    fn load_kept(root: &Path, cache: &mut LoadCache) -> Site {
        load_site_cached(root, SiteConfig::load(root).unwrap(), cache, None).unwrap()
    }

    #[test]
    fn reload_plan_rebuilds_one_plan_and_shares_the_others() {
        let t = two_plans();
        let root = t.path();
        let mut cache = LoadCache::default();
        let old = load_kept(root, &mut cache);
        let (first, second) = (
            old.plans.iter().position(|p| p.id == "showcase").unwrap(),
            old.plans.iter().position(|p| p.id == "second").unwrap(),
        );
        let changed = [edit(root, "content/second/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実")];
        let (new, pi) =
            reload_plan(root, &old, &mut cache, &changed).expect("one plan's files: the fast path").unwrap();
        assert_eq!(pi, second);
        assert!(Arc::ptr_eq(&new.plans[first], &old.plans[first]), "the untouched plan is shared");
        // The same as loading everything again.
        let fresh = load_site(root, SiteConfig::load(root).unwrap()).unwrap();
        for i in [first, second] {
            assert_eq!(format!("{:?}", new.plans[i]), format!("{:?}", fresh.plans[i]), "plan {i}");
        }
        assert!(new.plans[second].nodes.iter().any(|n| n.title.contains("公園と緑地の充実")));
        // The cache still holds the other plan's bodies: a body edit there takes its own fast path.
        let body = edit(root, "content/showcase/kyodo/7-3.md", "強みを活かして", "強みを生かして");
        assert!(body_only_edit(root, &mut cache, &body).is_some_and(|r| r.is_ok()));
    }

    #[test]
    fn regression_reload_plan_keeps_the_count_of_drafts_left_out() {
        // The fast path copied the old site, and with it the old count of drafts.
        let t = two_plans();
        let root = t.path();
        let rel = "content/second/kankyo/3-2.md";
        // With a body, the child has a page (an empty one would leave an old URL behind when
        // left out, and a change of old URLs takes the full load).
        edit(
            root,
            rel,
            "title = \"市民に親しまれる公園・緑地の整備\"",
            "title = \"市民に親しまれる公園・緑地の整備\"\nbody = \"整備します。\"",
        );
        let mut cache = LoadCache::default();
        let old = load_kept(root, &mut cache);
        assert_eq!(old.drafts_left_out, 0);
        let changed = [edit(root, rel, "[[children]]\n", "[[children]]\ndraft = true\n")];
        let (new, _) = reload_plan(root, &old, &mut cache, &changed).expect("one plan's file").unwrap();
        let fresh = load_site(root, SiteConfig::load(root).unwrap()).unwrap();
        assert_eq!((new.drafts_left_out, fresh.drafts_left_out), (1, 1));
    }

    #[test]
    fn a_body_that_empties_or_fills_is_not_a_body_only_edit() {
        // A node may lose or gain its page with it (`loader::settle_pages`): the full load decides.
        let t = two_plans();
        let root = t.path();
        let mut cache = LoadCache::default();
        load_kept(root, &mut cache);
        let rel = "content/second/kyodo/7-3.md";
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        let end = text.match_indices("+++").nth(1).unwrap().0 + 3;
        std::fs::write(root.join(rel), format!("{}\n\n  \n", &text[..end])).unwrap();
        assert!(body_only_edit(root, &mut cache, Path::new(rel)).is_none(), "emptied");
        load_kept(root, &mut cache);
        std::fs::write(root.join(rel), &text).unwrap();
        assert!(body_only_edit(root, &mut cache, Path::new(rel)).is_none(), "filled");
    }

    #[test]
    fn reload_plan_leaves_wider_changes_to_the_full_load() {
        let t = two_plans();
        let root = t.path();
        let mut cache = LoadCache::default();
        let old = load_kept(root, &mut cache);
        // Files of two plans.
        let a = edit(root, "content/second/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
        let b = edit(root, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
        assert!(reload_plan(root, &old, &mut cache, &[a, b]).is_none());
        // A node that moves (a new id): links elsewhere may lead to it.
        let old = load_kept(root, &mut cache);
        let moved = edit(root, "content/second/kankyo/3-2.md", "number = ", "id = \"kouen\"\nnumber = ");
        assert!(reload_plan(root, &old, &mut cache, &[moved]).is_none());
        // A free page.
        let old = load_kept(root, &mut cache);
        let page = edit(root, "content/info/accessibility.md", "title = \"", "title = \"新しい");
        assert!(reload_plan(root, &old, &mut cache, &[page]).is_none());
        // An error in the plan is reported with its file.
        let old = load_kept(root, &mut cache);
        let broken = edit(root, "content/second/kankyo/3-2.md", "title = ", "title = = ");
        let err = reload_plan(root, &old, &mut cache, &[broken]).expect("still one plan").unwrap_err();
        assert!(err.to_string().contains("content/second/kankyo/3-2.md"), "{err}");
    }
}
