//! Drafts (`draft = true`): which parsed files a build without drafts leaves out.
//!
//! A draft `_plan.md` leaves out its whole plan, a draft folder node (`_index.md`) its
//! folder, and any other draft file itself. What is left out is never assembled, so no
//! page, list, pager, sitemap, search or open-data file can show it. `[[children]]`
//! entries marked draft are left out where the tree is built (`tree.rs`).

use super::discovery::Role;
use super::parse::{Front, Parsed};
use std::collections::{HashMap, HashSet};

/// What [`leave_out`] took away.
#[derive(Debug, Default)]
pub(super) struct LeftOut {
    /// Content-relative paths of every file left out (links to them are warnings).
    pub(super) files: Vec<String>,
    /// Drafts left out outside plans (free pages) and whole plans, each counted once with
    /// everything under it.
    pub(super) count: usize,
    /// Drafts left out inside each plan that is built (node files and chapters), by plan id.
    pub(super) in_plans: HashMap<String, usize>,
}

/// True when the front matter of `p` says `draft = true`.
fn is_draft(p: &Parsed) -> bool {
    match &p.front {
        Front::Plan(fm) => fm.draft,
        Front::Page(fm) => fm.draft,
        Front::Node(fm) => fm.draft,
        Front::Home(_) => false,
    }
}

/// Splits `parsed` into the files to build and what is left out: everything when `include`
/// (`--drafts`, `serve`) keeps them all.
pub(super) fn leave_out(parsed: Vec<Parsed>, include: bool) -> (Vec<Parsed>, LeftOut) {
    let mut left = LeftOut::default();
    if include {
        return (parsed, left);
    }
    let mut plans: HashSet<String> = HashSet::new();
    let mut folders: Vec<(String, Vec<String>)> = Vec::new();
    for p in parsed.iter().filter(|p| is_draft(p)) {
        match &p.found.role {
            Role::Plan { plan } => {
                plans.insert(plan.clone());
            }
            Role::Node { plan, dir, index: true, .. } => folders.push((plan.clone(), dir.clone())),
            _ => {}
        }
    }
    let kept = parsed
        .into_iter()
        .filter(|p| {
            let (plan, under_draft) = match &p.found.role {
                Role::Plan { plan } | Role::Chapter { plan, .. } => (Some(plan), false),
                Role::Node { plan, dir, index, .. } => {
                    // A folder node under a draft folder, or any node in one (not the draft itself).
                    let under = folders
                        .iter()
                        .any(|(fp, fd)| fp == plan && dir.starts_with(fd) && (dir.len() > fd.len() || !*index));
                    (Some(plan), under)
                }
                Role::Home | Role::Free { .. } => (None, false),
            };
            let in_draft_plan = plan.is_some_and(|id| plans.contains(id)) && !matches!(p.found.role, Role::Plan { .. });
            if in_draft_plan || under_draft {
                left.files.push(p.found.content_rel.clone());
                return false;
            }
            if is_draft(p) {
                left.files.push(p.found.content_rel.clone());
                match (plan, &p.found.role) {
                    (Some(id), Role::Node { .. } | Role::Chapter { .. }) => {
                        *left.in_plans.entry(id.clone()).or_default() += 1
                    }
                    _ => left.count += 1,
                }
                return false;
            }
            true
        })
        .collect();
    (kept, left)
}
