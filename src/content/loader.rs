//! Loading `content/` into a validated [`Site`]: the entry points, and the pipeline they run.
//!
//! 1. discover (`discovery.rs`): walk `content/` and give each Markdown file a role;
//! 2. parse (`parse.rs`): read and parse every file, in parallel;
//! 3. assemble (`assemble.rs`, one plan's tree in `tree.rs`): put the plans, chapters and
//!    pages together;
//! 4. import ([`crate::import`]): read the yearly actuals and evaluations in each plan's
//!    `_data/` spreadsheets into the plans;
//! 5. check ([`checks`]): validate what only the whole site shows;
//! 6. render (`render.rs`): render the Markdown bodies, in parallel.
//!
//! [`LoadCache`] (`cache.rs`) keeps parsed files and rendered bodies between runs of
//! `serve`, and holds its fast paths, [`reload_plan`] and [`body_only_edit`].
//!
//! All problems are collected; loading fails with every one of them when any is an error,
//! never a panic. Warnings alone fail nothing: they are kept in [`Site::warnings`].

use super::assemble::assemble;
use super::checks;
use super::model::Site;
use super::render::render_bodies;
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use std::path::{Path, PathBuf};

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
    let (mut site, pending, links) = assemble(root, config, parsed, &cache.unreadable, &mut diags);
    import_data(root, &mut site, &mut diags);
    checks::check_site(root, &site, &mut diags);
    super::aliases::check_site(&site, &mut diags);
    render_bodies(&mut site, pending, &links, cache, None, &mut diags);
    cache.links = links;
    site.warnings = diags.into_warnings()?;
    Ok(site)
}

/// Step 4: the `_data/` spreadsheets of every plan of `site`. Their warnings (sheets that
/// are neither kind) join the load's warnings, which are shown and fail nothing.
pub(super) fn import_data(root: &Path, site: &mut Site, diags: &mut Diagnostics) {
    for w in crate::import::import_site(root, site, diags) {
        diags.push(w.warning());
    }
}
