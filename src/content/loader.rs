//! Loading `content/` into a validated [`Site`]: the entry points, and the pipeline they run.
//!
//! 1. discover (`discovery.rs`): walk `content/` and give each Markdown file a role;
//! 2. parse (`parse.rs`): read and parse every file, in parallel;
//! 3. assemble (`assemble.rs`, one plan's tree in `tree.rs`): put the plans, chapters and
//!    pages together;
//! 4. import ([`crate::import`]): read the yearly actuals and evaluations in each plan's
//!    `_data/` spreadsheets into the plans;
//! 5. settle pages (`settle_pages`): nodes with nothing to show become sections of their
//!    parent's page (`Node::has_page`);
//! 6. check ([`checks`]): validate what only the whole site shows;
//! 7. render (`render.rs`): render the Markdown bodies, in parallel.
//!
//! [`LoadCache`] (`cache.rs`) keeps parsed files and rendered bodies between runs of
//! `serve`, and holds its fast paths, [`reload_plan`] and [`body_only_edit`].
//!
//! All problems are collected; loading fails with every one of them when any is an error,
//! never a panic. Warnings alone fail nothing: they are kept in [`Site::warnings`].

use super::assemble::assemble;
use super::checks;
use super::checks::fold;
use super::model::Site;
use super::model::{node_path, Alias, NodeId, Plan};
use super::render::render_bodies;
use super::render::{BodySlot, PendingBody};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use crate::markdown::LinkTargets;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use super::assemble::RESERVED_TOP;
pub use super::cache::{body_only_edit, reload_plan, BodyEdit, BodyOwner, LoadCache};
pub use super::tree::RESERVED_IN_PLAN;

/// Loads and validates the site at `root` (with its `site.toml` already read).
pub fn load_site(root: &Path, config: SiteConfig) -> Result<Site, Diagnostics> {
    load_site_cached(root, config, &mut LoadCache::one_shot(), None)
}

/// Loads the site reusing `cache`. `changed` lists files (relative to the site root) that
/// changed since the cache was filled; `None` re-reads everything. Files that appeared or
/// disappeared make it walk `content/` again.
pub fn load_site_cached(
    root: &Path,
    config: SiteConfig,
    cache: &mut LoadCache,
    changed: Option<&[PathBuf]>,
) -> Result<Site, Diagnostics> {
    cache.refresh(root, changed)?; // discover and parse (only what changed)
    let mut diags = Diagnostics::default();
    let parsed = cache.parsed_files(&mut diags);
    let (mut site, pending, mut links) = assemble(root, config, parsed, &cache.unreadable, &mut diags);
    import_data(root, &mut site, &mut diags);
    settle_pages(&mut site, &pending, &mut links);
    checks::check_site(root, &site, &mut diags);
    super::aliases::check_site(&site, &mut diags);
    render_bodies(&mut site, pending, &links, cache, None, &mut diags);
    cache.links = links;
    site.warnings = diags.into_warnings()?;
    Ok(site)
}

/// Step 5: which nodes keep the page their level gives them (see `Node::has_page`), once
/// their indicators from `_data/` are in: a node with nothing to show (no body beyond
/// whitespace, no indicators, evaluations or children) below the top level becomes a
/// section of its parent's page, unless its level is written `pages = true`. Its old URL becomes an
/// alias (a redirect to the section), when no chapter or other alias is there. `@/` link
/// targets in `links` that led to a page that is now a section lead to the section.
pub(super) fn settle_pages(site: &mut Site, pending: &[PendingBody], links: &mut LinkTargets) {
    let mut taken: HashSet<String> = site.aliases().into_iter().map(|(o, k)| fold(&site.alias(o, k).path)).collect();
    let mut moved: HashMap<String, String> = HashMap::new();
    let with_bodies = nodes_with_bodies(pending);
    let none = HashSet::new();
    for plan in &mut site.plans {
        let with_body = with_bodies.get(plan.id.as_str()).unwrap_or(&none);
        let before: Vec<String> = (0..plan.nodes.len()).map(|n| node_path(plan, n)).collect();
        let chapters: HashSet<String> = plan.chapters.iter().map(|c| fold(&c.path)).collect();
        let plan = Arc::make_mut(plan);
        for r in plan.roots.clone() {
            settle_node(plan, r, with_body);
        }
        for (n, old) in before.into_iter().enumerate() {
            let new = node_path(plan, n);
            if new == old {
                continue;
            }
            if !old.contains('#') && !chapters.contains(&fold(&old)) && taken.insert(fold(&old)) {
                let line = plan.nodes[n].line;
                plan.nodes[n].aliases.push(Alias { path: old.clone(), line });
            }
            moved.insert(old, new);
        }
    }
    if !moved.is_empty() {
        for target in links.values_mut() {
            if let Some(new) = moved.get(target.as_str()) {
                *target = new.clone();
            }
        }
    }
}

/// The nodes with a body beyond whitespace, by plan id: in one pass over the bodies (a
/// pass per plan made a site of 2,000 plans and 500,000 bodies read a billion of them).
fn nodes_with_bodies(pending: &[PendingBody]) -> HashMap<&str, HashSet<NodeId>> {
    let mut by_plan: HashMap<&str, HashSet<NodeId>> = HashMap::new();
    for pb in pending {
        if let BodySlot::Node(plan, n) = &pb.slot {
            if !pb.markdown.trim().is_empty() {
                by_plan.entry(plan.as_str()).or_default().insert(*n);
            }
        }
    }
    by_plan
}

/// Settles `id` and the nodes under it. A node with children always has something to show:
/// they are listed on its page, or shown on it as sections.
fn settle_node(plan: &mut Plan, id: NodeId, with_body: &HashSet<NodeId>) {
    for c in plan.nodes[id].children.clone() {
        settle_node(plan, c, with_body);
    }
    let node = &plan.nodes[id];
    // A top-level node has no parent page to be a section of (the plan page lists them).
    let empty = node.parent.is_some()
        && !with_body.contains(&id)
        && node.indicators.is_empty()
        && node.evaluations.is_empty()
        && node.children.is_empty();
    if empty && !plan.level_keeps_empty(node.depth) {
        plan.nodes[id].has_page = false;
    }
}

/// Step 4: the `_data/` spreadsheets of every plan of `site`. Their warnings (sheets that
/// are neither kind) join the load's warnings, which are shown and fail nothing.
pub(super) fn import_data(root: &Path, site: &mut Site, diags: &mut Diagnostics) {
    for w in crate::import::import_site(root, site, diags) {
        diags.push(w.warning());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(slot: BodySlot, markdown: &str) -> PendingBody {
        PendingBody { slot, markdown: markdown.into(), file: PathBuf::from("x.md"), first_line: 1 }
    }

    #[test]
    fn nodes_with_bodies_are_grouped_by_plan_and_blank_bodies_are_none() {
        let pending = [
            body(BodySlot::Node("a".into(), 1), "本文"),
            body(BodySlot::Node("b".into(), 1), " \n\t"),
            body(BodySlot::Node("b".into(), 2), "本文"),
            body(BodySlot::Node("a".into(), 3), "本文"),
            body(BodySlot::Plan("a".into()), "計画の本文"),
        ];
        let by_plan = nodes_with_bodies(&pending);
        assert_eq!(by_plan["a"], HashSet::from([1, 3]));
        assert_eq!(by_plan["b"], HashSet::from([2]));
        assert_eq!(by_plan.len(), 2);
    }
}
