//! Body rendering: turns the Markdown bodies queued by assembly into HTML in their pages,
//! in parallel, reusing the bodies of the cache whose inputs did not change.

use super::cache::{CachedBody, LoadCache};
use super::model::*;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::html::root_prefix;
use crate::markdown::{self, LinkTargets, MarkdownContext, TEMPLATE_IDS};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// A body waiting for Markdown rendering, and where its HTML goes.
pub(super) struct PendingBody {
    /// Where its HTML goes.
    pub(super) slot: BodySlot,
    /// The Markdown.
    pub(super) markdown: String,
    /// Its file, relative to the site root.
    pub(super) file: PathBuf,
    /// The file's line where the Markdown starts.
    pub(super) first_line: usize,
}

/// Where a rendered body goes, by stable keys (plan id, page path) rather than indices,
/// since plans, pages and chapters are sorted after their bodies are queued.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) enum BodySlot {
    /// The home page lead.
    Home,
    /// The free page at this path.
    Free(String),
    /// The lead of this plan.
    Plan(String),
    /// The chapter of a plan (plan id, page path).
    Chapter(String, String),
    /// A node (plan id, node index).
    Node(String, NodeId),
}

/// Renders the pending bodies into `site`, reusing those of `cache` whose inputs are the
/// same. `plan`: only that plan's bodies are pending, the cache keeps everyone else's, and
/// `links` are known to equal the cache's (the caller checked the plan's).
pub(super) fn render_bodies(
    site: &mut Site,
    pending: Vec<PendingBody>,
    links: &LinkTargets,
    cache: &mut LoadCache,
    plan: Option<&str>,
    diags: &mut Diagnostics,
) {
    let plan_index: HashMap<String, usize> = site.plans.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
    let page_path = |site: &Site, slot: &BodySlot| -> String {
        match slot {
            BodySlot::Home => String::new(),
            BodySlot::Free(path) | BodySlot::Chapter(_, path) => path.clone(),
            BodySlot::Plan(id) => format!("{id}/"),
            BodySlot::Node(id, n) => {
                plan_index.get(id).map(|&p| host_page_path(&site.plans[p], *n)).unwrap_or_default()
            }
        }
    };
    // A node without a page is a section (h3 under the host page's h2, h4 below that …):
    // its body's headings start one level deeper.
    let base_level = |site: &Site, slot: &BodySlot| -> u8 {
        let BodySlot::Node(id, n) = slot else { return 2 };
        let Some(plan) = plan_index.get(id).map(|&p| &site.plans[p]) else { return 2 };
        let node = &plan.nodes[*n];
        if node.has_page {
            return 2;
        }
        let host = plan.nodes[page_host(plan, *n)].depth;
        (3 + node.depth.saturating_sub(host + 1) + 1).min(6) as u8
    };
    let roots: Vec<(String, u8)> =
        pending.iter().map(|pb| (root_prefix(&page_path(site, &pb.slot)), base_level(site, &pb.slot))).collect();
    // Reuse a body rendered before when its inputs (including its first line, which its
    // messages name) and every link target are the same (`None` below); only the others
    // are rendered. Paths compare as bytes: Path's == goes component by component, slow
    // over 50,000 bodies.
    let links_same = plan.is_some() || &cache.links == links;
    let bodies = &cache.bodies;
    let unreadable = &cache.unreadable;
    let site_root = site.root.clone();
    let site_root = site_root.as_path();
    let render_body = |pb: &PendingBody, root: &str, base_level: u8| {
        let ctx = MarkdownContext {
            root,
            links,
            unreadable,
            site_root: Some(site_root),
            file: &pb.file,
            first_line: pb.first_line,
            reserved_ids: TEMPLATE_IDS,
            base_level,
        };
        markdown::render(&pb.markdown, &ctx)
    };
    let rendered: Vec<Option<(markdown::Rendered, Vec<Diagnostic>)>> = pending
        .par_iter()
        .zip(roots.par_iter())
        .map(|(pb, (root, base_level))| {
            let reusable = bodies.get(&pb.slot).is_some_and(|c| {
                links_same
                    && c.base_level == *base_level
                    && c.first_line == pb.first_line
                    && c.file.as_os_str() == pb.file.as_os_str()
                    && &c.root == root
                    && c.markdown == pb.markdown
            });
            if reusable {
                return None;
            }
            Some(render_body(pb, root, *base_level))
        })
        .collect();
    // A build that loads the site once keeps its bodies in a scratch file (see `body`),
    // in memory if none can be made.
    let mut spill = if cache.one_shot { super::body::Spill::new().ok() } else { None };
    let mut old = std::mem::take(&mut cache.bodies);
    let mut fresh = HashMap::with_capacity(if cache.one_shot { 0 } else { pending.len() });
    for ((pb, r), (root, base_level)) in pending.into_iter().zip(rendered).zip(roots) {
        let cached = if r.is_none() { old.remove(&pb.slot) } else { None };
        let body = match cached {
            Some(b) => b,
            None => {
                // (A reusable body is always in the cache; rendering is only a safety net.)
                let (rendered, d) = match r {
                    Some(x) => x,
                    None => render_body(&pb, &root, base_level),
                };
                CachedBody {
                    markdown: pb.markdown,
                    file: pb.file,
                    first_line: pb.first_line,
                    root,
                    base_level,
                    rendered,
                    diags: d,
                }
            }
        };
        for d in &body.diags {
            diags.push(d.clone());
        }
        let r = if cache.one_shot {
            body.rendered
        } else {
            let r = body.rendered.clone();
            fresh.insert(pb.slot.clone(), body);
            r
        };
        site.content_files.extend(r.files.iter().cloned());
        let target = match &pb.slot {
            BodySlot::Home => Some((&mut site.home.body_html, &mut site.home.headings, &mut site.home.sections)),
            BodySlot::Free(path) => site
                .pages
                .iter_mut()
                .find(|p| &p.path == path)
                .map(|p| (&mut p.body_html, &mut p.headings, &mut p.sections)),
            BodySlot::Plan(id) => plan_index.get(id).map(|&i| {
                let p = Arc::make_mut(&mut site.plans[i]);
                (&mut p.body_html, &mut p.headings, &mut p.sections)
            }),
            BodySlot::Chapter(id, path) => plan_index
                .get(id)
                .and_then(|&i| Arc::make_mut(&mut site.plans[i]).chapters.iter_mut().find(|c| &c.path == path))
                .map(|c| (&mut c.body_html, &mut c.headings, &mut c.sections)),
            BodySlot::Node(id, n) => plan_index
                .get(id)
                .and_then(|&i| Arc::make_mut(&mut site.plans[i]).nodes.get_mut(*n))
                .map(|n| (&mut n.body_html, &mut n.headings, &mut n.sections)),
        };
        if let Some((html, headings, sections)) = target {
            *html = match &mut spill {
                Some(spill) => spill.put(r.html),
                None => r.html.into(),
            };
            *headings = r.headings;
            *sections = r.sections;
        }
    }
    site.spilled_bodies = spill.map(super::body::Spill::finish);
    site.content_files.sort();
    site.content_files.dedup();
    cache.bodies = match plan {
        None => fresh,
        // Every body of the plan was pending, so each of its slots now holds a fresh one. A
        // slot left without a body (rare: a plan loses nodes through a walk, a full load) stays
        // behind: rendered with the same links as the rest, it is reused only for a body of
        // the same inputs, and the next full load drops it. (Looking for such slots among
        // every body of the site took longer than the rest of a one-plan reload.)
        Some(_) => {
            old.extend(fresh);
            old
        }
    };
}
