//! Assembly: puts the parsed files together into a [`Site`] — the home page, free pages,
//! plans with their node trees and chapters — checking names and places that only the
//! whole set of files shows, and queues every Markdown body for rendering.

use super::checks;
use super::discovery::Role;
use super::model::*;
use super::parse::{Front, Parsed};
use super::render::{BodySlot, PendingBody};
use super::tree::{
    bad_id, build_plan, default_node_id, finish_plan, japanese_url, valid_id, valid_name, NodeAt, NodeCtx, NodeFile,
    PlanBuilder, NAME_HELP, RESERVED_IN_PLAN,
};
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex};
use crate::markdown::{LinkTargets, Unreadable};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Folder names at the site root that planpress writes itself; plans and pages cannot use them.
pub const RESERVED_TOP: &[&str] =
    &["assets", "sdgs", "departments", "search", "data", "404.html", "sitemap.xml", "robots.txt"];

/// Assembles the site from `parsed`; returns it with its bodies still to render, and the
/// link targets of content files (for `@/` links). `unreadable` are the content files that
/// failed to parse (their errors are reported): what is missing because of them is not
/// reported again.
pub(super) fn assemble(
    root: &Path,
    config: SiteConfig,
    parsed: Vec<Parsed>,
    unreadable: &Unreadable,
    diags: &mut Diagnostics,
) -> (Site, Vec<PendingBody>, LinkTargets) {
    let (parsed, left_out) = super::drafts::leave_out(parsed, config.drafts);
    let mut a = Assembly::new(&config);
    let later = a.place_files(parsed, &config, diags);
    a.add_nodes(later.node_files, unreadable, diags);
    a.add_chapters(later.chapters, diags);
    let (plans, mut links) = a.finish_plans(diags);
    // Links to what is left out are warnings, not broken pages (see `markdown`).
    for f in left_out.files {
        links.entry(f).or_insert_with(|| crate::markdown::DRAFT_TARGET.to_string());
    }
    let mut plans = plans;
    for p in &mut plans {
        p.drafts_left_out += left_out.in_plans.get(&p.id).copied().unwrap_or(0);
    }
    let drafts_left_out = left_out.count + plans.iter().map(|p| p.drafts_left_out).sum::<usize>();
    check_top_names(&plans, &a.pages, diags);
    let Assembly { home, mut pages, pending, .. } = a;
    pages.sort_by_key(|p| (p.weight.unwrap_or(i64::MAX), p.path.clone()));

    let site = Site {
        config,
        root: root.to_path_buf(),
        home,
        plans: plans.into_iter().map(Arc::new).collect(),
        pages,
        warnings: Vec::new(),
        content_files: Vec::new(),
        drafts_left_out,
        spilled_bodies: None,
    };
    if site.plans.is_empty() && site.pages.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::new("content", "content", "計画がありません")
                .help("content/計画ID/_plan.md を作ってください(docs/CONTENT.md)"),
        );
    }
    (site, pending, links)
}

/// The site while files are placed in it.
struct Assembly {
    /// The home page, titled from `site.toml` until `_index.md` says otherwise.
    home: Page,
    /// Plans by id.
    builders: BTreeMap<String, PlanBuilder>,
    /// Free pages, unsorted.
    pages: Vec<Page>,
    /// Content-relative file → page path, for `@/` links.
    page_files: HashMap<String, String>,
    /// Bodies queued for rendering.
    pending: Vec<PendingBody>,
    /// The site's `base_url`, for aliases written as full URLs.
    base_url: String,
}

/// Files that wait until every plan is known.
struct Later {
    /// Node files, added once every plan exists.
    node_files: Vec<Parsed>,
    /// Chapters, added once every node id is known.
    chapters: Vec<Parsed>,
}

impl Assembly {
    /// Nothing placed yet.
    fn new(config: &SiteConfig) -> Self {
        let home = Page {
            path: String::new(),
            title: config.title.clone(),
            summary: None,
            weight: None,
            footer: false,
            body_html: Default::default(),
            headings: Vec::new(),
            sections: Vec::new(),
            source: PathBuf::new(),
            draft: false,
            aliases: Vec::new(),
            updated: None,
        };
        Assembly {
            home,
            builders: BTreeMap::new(),
            pages: Vec::new(),
            page_files: HashMap::new(),
            pending: Vec::new(),
            base_url: config.base_url.clone().unwrap_or_default(),
        }
    }

    /// Step 1: places the home page, plans and free pages; node files and chapters are set
    /// aside for when all plans are known.
    fn place_files(&mut self, parsed: Vec<Parsed>, config: &SiteConfig, diags: &mut Diagnostics) -> Later {
        let mut later = Later { node_files: Vec::new(), chapters: Vec::new() };
        for p in parsed {
            match (&p.found.role, p.front) {
                (Role::Home, Front::Home(fm)) => {
                    if let Some(t) = fm.title {
                        self.home.title = t;
                    }
                    self.home.updated = fm.updated;
                    self.home.source = p.found.rel.clone();
                    self.pending.push(PendingBody {
                        slot: BodySlot::Home,
                        markdown: p.body,
                        file: p.found.rel,
                        first_line: p.body_line,
                    });
                    self.page_files.insert(p.found.content_rel, String::new());
                }
                (Role::Plan { plan }, Front::Plan(fm)) => {
                    let plan_id = plan.clone();
                    if let Some(b) = build_plan(plan_id.clone(), fm, config, &p.found.rel, &p.fm_text, p.fm_line, diags)
                    {
                        self.pending.push(PendingBody {
                            slot: BodySlot::Plan(plan_id.clone()),
                            markdown: p.body,
                            file: p.found.rel.clone(),
                            first_line: p.body_line,
                        });
                        self.page_files.insert(p.found.content_rel, b.plan.path());
                        self.builders.insert(plan_id, b);
                    }
                }
                (Role::Chapter { .. }, Front::Page(fm)) => {
                    later.chapters.push(Parsed { front: Front::Page(fm), ..p });
                }
                (Role::Free { .. }, Front::Page(fm)) => {
                    self.add_free_page(Parsed { front: Front::Page(fm), ..p }, diags)
                }
                (Role::Node { .. }, front @ Front::Node(_)) => later.node_files.push(Parsed { front, ..p }),
                _ => unreachable!("parse_file pairs each role with its front matter"),
            }
        }
        later
    }

    /// Adds the page outside plans of `p`, unless its path is not usable.
    fn add_free_page(&mut self, p: Parsed, diags: &mut Diagnostics) {
        let Role::Free { path } = p.found.role.clone() else { return };
        let Front::Page(fm) = p.front else { return };
        let first = path.split('/').next().unwrap_or("");
        if path.split('/').filter(|s| !s.is_empty()).any(|s| !valid_name(s)) {
            diags.push(bad_id(&p.found.rel, 1, "ファイル名・フォルダ名", path.trim_end_matches('/')));
            return;
        }
        if !path.split('/').filter(|s| !s.is_empty()).all(valid_id) {
            diags.push(japanese_url(&p.found.rel, path.trim_end_matches('/'), NAME_HELP));
        }
        if RESERVED_TOP.contains(&first) {
            diags.push(
                Diagnostic::new(
                    &p.found.rel,
                    "reserved",
                    format!("「{first}」は planpress が使う名前なので、ページの場所に使えません"),
                )
                .help("ファイル名かフォルダ名を変えてください"),
            );
            return;
        }
        let aliases = self.page_aliases(&p.fm_text, p.fm_line, &p.found.rel, &fm.aliases, diags);
        self.page_files.insert(p.found.content_rel.clone(), path.clone());
        self.pending.push(PendingBody {
            slot: BodySlot::Free(path.clone()),
            markdown: p.body,
            file: p.found.rel.clone(),
            first_line: p.body_line,
        });
        self.pages.push(Page {
            path,
            title: fm.title,
            summary: fm.summary,
            weight: fm.weight,
            footer: fm.footer,
            body_html: Default::default(),
            headings: Vec::new(),
            sections: Vec::new(),
            source: p.found.rel,
            draft: fm.draft,
            aliases,
            updated: fm.updated,
        });
    }

    /// The aliases of the page of `p` (a free page or chapter).
    fn page_aliases(
        &self,
        fm_text: &str,
        fm_line: usize,
        file: &Path,
        raw: &[toml::Spanned<String>],
        diags: &mut Diagnostics,
    ) -> Vec<Alias> {
        let lines = LineIndex::new(fm_text);
        let line = |s: std::ops::Range<usize>| fm_line + lines.line(s.start) - 1;
        super::aliases::read_aliases(raw, &self.base_url, file, &line, diags)
    }

    /// Step 2: adds the node files to their plans, folders first (shallow to deep) so that
    /// parents exist before their children.
    fn add_nodes(&mut self, mut node_files: Vec<Parsed>, unreadable: &Unreadable, diags: &mut Diagnostics) {
        // Nodes whose plan is missing are impossible (plans are found by _plan.md), but a plan
        // whose _plan.md failed to parse leaves its nodes orphaned: skip them quietly, the
        // _plan.md error is already reported.
        node_files.sort_by_key(|p| match &p.found.role {
            Role::Node { dir, index, .. } => (dir.len() - usize::from(*index), !*index, p.found.content_rel.clone()),
            _ => (0, false, String::new()),
        });
        for p in node_files {
            let Role::Node { plan, dir, stem, index } = p.found.role.clone() else { continue };
            let Some(b) = self.builders.get_mut(&plan) else { continue };
            let Front::Node(fm) = p.front else { continue };
            let (parent_dir, name) = if index {
                (&dir[..dir.len().saturating_sub(1)], dir.last().cloned().unwrap_or_default())
            } else {
                (&dir[..], stem.clone())
            };
            // A folder whose `_index.md` failed to parse has its error already: its files
            // wait quietly instead of each reporting the folder's node missing.
            let index_file = format!("{plan}/{}/_index.md", parent_dir.join("/"));
            let parent = if !parent_dir.is_empty()
                && !b.dir_nodes.contains_key(parent_dir)
                && unreadable.contains(&index_file)
            {
                None
            } else {
                dir_parent(b, parent_dir, &p.found.rel, diags)
            };
            let Some(parent) = parent else { continue };
            let default_id = match &fm.id {
                Some(id) => id.get_ref().clone(),
                None => match default_node_id(&name, fm.number.as_deref(), &b.ids, &p.found.rel, diags) {
                    Some(id) => id,
                    None => continue,
                },
            };
            if fm.body.is_some() {
                diags.push(
                    Diagnostic::new(&p.found.rel, "front-matter", "body は [[children]] の中でだけ使えます")
                        .at_line(1)
                        .help("このノードの本文は、前付けの後(+++ の行の下)に Markdown で書いてください"),
                );
            }
            let ctx = NodeCtx {
                file: &p.found.rel,
                file_key: &p.found.content_rel,
                fm_text: &p.fm_text,
                lines: LineIndex::new(&p.fm_text),
                fm_line: p.fm_line,
            };
            let mut node_file = NodeFile { plan: b, ctx, diags, pending: &mut self.pending };
            let at = NodeAt { parent, default_id, line: 1, inline_index: 0 };
            if let Some(id) = node_file.add(fm, at) {
                self.pending.push(PendingBody {
                    slot: BodySlot::Node(plan.clone(), id),
                    markdown: p.body,
                    file: p.found.rel.clone(),
                    first_line: p.body_line,
                });
                b.files.push((p.found.content_rel.clone(), id));
                if index {
                    b.dir_nodes.insert(dir.clone(), id);
                }
            }
        }
    }

    /// Step 3: adds the chapter pages to their plans, once every node id is known.
    fn add_chapters(&mut self, chapters: Vec<Parsed>, diags: &mut Diagnostics) {
        for p in chapters {
            let Role::Chapter { plan, slug } = p.found.role.clone() else { continue };
            let Some(b) = self.builders.get_mut(&plan) else { continue };
            let Front::Page(fm) = p.front else { continue };
            if !valid_name(&slug) {
                diags.push(bad_id(&p.found.rel, 1, "ファイル名", &slug));
                continue;
            }
            if !valid_id(&slug) {
                diags.push(japanese_url(&p.found.rel, &slug, NAME_HELP));
            }
            if RESERVED_IN_PLAN.contains(&slug.as_str()) || b.ids.contains_key(&slug) {
                diags.push(
                    Diagnostic::new(
                        &p.found.rel,
                        "duplicate-id",
                        format!("章のページ名「{slug}」はノードの id か planpress の名前と重なっています"),
                    )
                    .help("ファイル名を変えてください"),
                );
                continue;
            }
            let path = format!("{plan}/{slug}/");
            let aliases = self.page_aliases(&p.fm_text, p.fm_line, &p.found.rel, &fm.aliases, diags);
            let Some(b) = self.builders.get_mut(&plan) else { continue };
            self.page_files.insert(p.found.content_rel.clone(), path.clone());
            self.pending.push(PendingBody {
                slot: BodySlot::Chapter(plan.clone(), path.clone()),
                markdown: p.body,
                file: p.found.rel.clone(),
                first_line: p.body_line,
            });
            b.plan.chapters.push(Page {
                path,
                title: fm.title,
                summary: fm.summary,
                weight: fm.weight,
                footer: false,
                body_html: Default::default(),
                headings: Vec::new(),
                sections: Vec::new(),
                source: p.found.rel,
                draft: fm.draft || b.plan.draft,
                aliases,
                updated: fm.updated,
            });
        }
    }

    /// Step 4: finishes the plans (sorted siblings and chapters, checked names) in their
    /// order among plans (weight, then id); returns them with the link targets of every
    /// content file.
    fn finish_plans(&mut self, diags: &mut Diagnostics) -> (Vec<Plan>, LinkTargets) {
        let plan_order: Vec<String> = {
            let mut v: Vec<(&String, &PlanBuilder)> = self.builders.iter().collect();
            v.sort_by_key(|(id, b)| (b.plan.weight.unwrap_or(i64::MAX), (*id).clone()));
            v.into_iter().map(|(id, _)| id.clone()).collect()
        };
        let mut plans = Vec::new();
        let mut link_targets: LinkTargets = std::mem::take(&mut self.page_files);
        for id in &plan_order {
            let mut b = self.builders.remove(id).expect("ordered from builders");
            finish_plan(&mut b, diags);
            b.plan.drafts_left_out = b.drafts_left_out;
            checks::check_plan_names(&b.plan, &b.ids, diags);
            for (file, nid) in &b.files {
                link_targets.insert(file.clone(), node_path(&b.plan, *nid));
            }
            b.plan.chapters.sort_by_key(|c| (c.weight.unwrap_or(i64::MAX), c.path.clone()));
            plans.push(b.plan);
        }
        (plans, link_targets)
    }
}

/// Step 5: names at the site root: free pages against plan ids, plan folder names against
/// URLs and planpress's own names.
fn check_top_names(plans: &[Plan], pages: &[Page], diags: &mut Diagnostics) {
    let plan_ids: HashSet<&str> = plans.iter().map(|p| p.id.as_str()).collect();
    for page in pages {
        let first = page.path.split('/').next().unwrap_or("");
        if plan_ids.contains(first) {
            diags.push(
                Diagnostic::new(
                    &page.source,
                    "duplicate-id",
                    format!("ページの場所「{first}」が計画フォルダと同じ名前です"),
                )
                .help("ファイル名を変えてください"),
            );
        }
    }
    for plan in plans {
        if RESERVED_TOP.contains(&plan.id.as_str()) || !valid_name(&plan.id) {
            diags.push(bad_id(&plan.source, 1, "計画フォルダ名", &plan.id).help(format!(
                "計画フォルダの名前を半角英数字に変えてください({} は使えません)",
                RESERVED_TOP.join(", ")
            )));
        } else if !valid_id(&plan.id) {
            diags.push(japanese_url(&plan.source, &plan.id, NAME_HELP));
        }
    }
}

/// The parent of a node in the plan folder `dir`: `Some(None)` at the top of the plan, the
/// folder's `_index.md` node, or `None` (reported) when the folder has none.
fn dir_parent(b: &PlanBuilder, dir: &[String], file: &Path, diags: &mut Diagnostics) -> Option<Option<NodeId>> {
    if dir.is_empty() {
        return Some(None);
    }
    match b.dir_nodes.get(dir) {
        Some(&id) => Some(Some(id)),
        None => {
            diags.push(
                Diagnostic::new(file, "layout", format!("フォルダ {} に _index.md がありません", dir.join("/")))
                    .help("フォルダ自身のノード(題名など)を _index.md に書いてください"),
            );
            None
        }
    }
}
