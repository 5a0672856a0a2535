//! Loading `content/` into a validated [`Site`]: walk the folder, read and parse every file
//! in parallel, assemble the plan trees, validate references, render Markdown bodies.
//!
//! All problems are collected; loading fails with every one of them, never a panic.

use super::checks;
use super::fiscal_year::FiscalYear;
use super::front_matter::*;
use super::model::*;
use super::source::{decode_utf8, parse_toml, split_front_matter};
use crate::config::SiteConfig;
use crate::diagnostics::{line_of, relative, Diagnostic, Diagnostics, LineIndex};
use crate::html::root_prefix;
use crate::markdown::{self, LinkTargets, MarkdownContext, TEMPLATE_IDS};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;

/// Folder names at the site root that planpress writes itself; plans and pages cannot use them.
pub const RESERVED_TOP: &[&str] =
    &["assets", "sdgs", "departments", "search", "data", "404.html", "sitemap.xml", "robots.txt"];
/// Names inside a plan that planpress uses; node ids and chapters cannot use them.
pub const RESERVED_IN_PLAN: &[&str] = &["themes", "summary", "dashboard", "data", "indicators"];

/// Loads and validates the site at `root` (with its `site.toml` already read).
pub fn load_site(root: &Path, config: SiteConfig) -> Result<Site, Diagnostics> {
    load_site_cached(root, config, &mut LoadCache { one_shot: true, ..LoadCache::default() }, None)
}

/// What loading keeps between runs so that `serve` re-reads only changed files and
/// re-renders only changed Markdown.
#[derive(Default)]
pub struct LoadCache {
    /// Every content file found, in walk order, with its parse result.
    files: Vec<(PathBuf, Result<Parsed, Diagnostic>)>,
    /// Rendered bodies by slot, valid while their inputs and the link targets are equal.
    bodies: HashMap<BodySlot, CachedBody>,
    links: LinkTargets,
    /// Nothing is reused afterwards (`build`): parsed files are moved into the site
    /// instead of copied, and rendered bodies are not kept.
    one_shot: bool,
}

struct CachedBody {
    markdown: String,
    file: PathBuf,
    first_line: usize,
    root: String,
    base_level: u8,
    rendered: markdown::Rendered,
    diags: Vec<Diagnostic>,
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
    let content = root.join("content");
    let rescan = match changed {
        None => true,
        Some(paths) => {
            cache.files.is_empty()
                || paths.iter().any(|p| !root.join(p).is_file() || !cache.files.iter().any(|(f, _)| f == p))
        }
    };
    if rescan {
        let files = discover(root, &content)?;
        let old: HashMap<PathBuf, Result<Parsed, Diagnostic>> = std::mem::take(&mut cache.files).into_iter().collect();
        let stale = |rel: &PathBuf| changed.is_none_or(|c| c.contains(rel));
        cache.files = files
            .into_par_iter()
            .map(|f| {
                let rel = f.rel.clone();
                match old.get(&rel) {
                    Some(p) if !stale(&rel) && p.as_ref().map_or(true, |p| p.found.role == f.role) => (rel, p.clone()),
                    _ => (rel, parse_file(root, f)),
                }
            })
            .collect();
    } else if let Some(paths) = changed {
        for (rel, entry) in cache.files.iter_mut() {
            if paths.contains(rel) {
                let found = match entry {
                    Ok(p) => p.found.clone(),
                    Err(_) => {
                        // The role of a file that failed before is found again by a walk.
                        return load_site_cached(root, config, cache, None);
                    }
                };
                *entry = parse_file(root, found);
            }
        }
    }
    let mut diags = Diagnostics::default();
    let mut ok = Vec::with_capacity(cache.files.len());
    if cache.one_shot {
        for (_, p) in std::mem::take(&mut cache.files) {
            match p {
                Ok(p) => ok.push(p),
                Err(d) => diags.push(d),
            }
        }
    } else {
        for (_, p) in &cache.files {
            match p {
                Ok(p) => ok.push(p.clone()),
                Err(d) => diags.push(d.clone()),
            }
        }
    }
    let (mut site, pending, links) = assemble(root, config, ok, &mut diags);
    checks::check_site(root, &site, &mut diags);
    render_bodies(&mut site, pending, &links, cache, None, &mut diags);
    cache.links = links;
    diags.into_result()?;
    Ok(site)
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
    let (mut alone, pending, links) = assemble(root, site.config.clone(), files, &mut diags);
    // Every file of the plan must still lead where it did: bodies elsewhere link to them.
    let prefix = format!("{plan_id}/");
    let before = cache.links.iter().filter(|(f, _)| f.starts_with(&prefix)).count();
    if links.len() != before || links.iter().any(|(f, path)| cache.links.get(f) != Some(path)) {
        return None;
    }
    if !diags.is_empty() {
        return Some(Err(diags));
    }
    let [plan] = <[Arc<Plan>; 1]>::try_from(std::mem::take(&mut alone.plans)).ok()?;
    if plan.weight != site.plans[pi].weight {
        return None; // the order of plans may change
    }
    alone.plans = vec![plan];
    let links = std::mem::take(&mut cache.links);
    render_bodies(&mut alone, pending, &links, cache, Some(&plan_id), &mut diags);
    cache.links = links;
    if let Err(e) = diags.into_result() {
        return Some(Err(e));
    }
    let mut new = site.clone();
    new.plans[pi] = alone.plans.pop()?;
    Some(Ok((new, pi)))
}

impl LoadCache {
    /// Where `rel` (relative to the site root) is in [`Self::files`]. Paths compare as bytes:
    /// Path's == goes component by component, slow over 50,000 files.
    fn index_of(&self, rel: &Path) -> Option<usize> {
        self.files.iter().position(|(f, _)| f.as_os_str() == rel.as_os_str())
    }
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
    let (slot, body) = cache
        .bodies
        .iter()
        .find(|(_, c)| c.file.as_os_str() == rel.as_os_str() && c.first_line == old.body_line && c.markdown == old.body)
        .map(|(s, c)| (s.clone(), c))?;
    let ctx = MarkdownContext {
        root: &body.root,
        links: &cache.links,
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
    if !diags.is_empty() {
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

/// What a file under `content/` is, by where it sits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Role {
    Home,
    Plan {
        plan: String,
    },
    Chapter {
        plan: String,
        slug: String,
    },
    /// A node file; `dir` is its folder inside the plan, `index` for `_index.md`.
    Node {
        plan: String,
        dir: Vec<String>,
        stem: String,
        index: bool,
    },
    Free {
        path: String,
    },
}

#[derive(Clone)]
struct Found {
    /// Relative to the site root (`content/a/b.md`).
    rel: PathBuf,
    /// Relative to `content/` with `/` separators (`a/b.md`).
    content_rel: String,
    role: Role,
}

fn discover(root: &Path, content: &Path) -> Result<Vec<Found>, Diagnostics> {
    let rel_content = relative(root, content);
    if !content.is_dir() {
        return Err(Diagnostic::new(&rel_content, "content", "content フォルダがありません")
            .help("サイトのフォルダに content フォルダを作り、計画のファイルを置いてください(planpress init で雛形を作れます)")
            .into());
    }
    let mut diags = Diagnostics::default();
    let plan_dirs: HashSet<String> = std::fs::read_dir(content)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().join("_plan.md").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut twins = checks::Twins::default();
    let walker = walkdir::WalkDir::new(content)
        .sort_by_file_name()
        .follow_links(true)
        .max_depth(MAX_CONTENT_DEPTH)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) if e.depth() == MAX_CONTENT_DEPTH && e.file_type().is_dir() => {
                diags.push(too_deep(root, e.path()));
                continue;
            }
            Ok(e) => e,
            Err(e) => {
                if let Some(d) = walk_error(root, &e) {
                    diags.push(d);
                }
                continue;
            }
        };
        // Names that are one file on Windows and macOS servers (issue #12).
        if entry.depth() > 0 {
            let inner = entry.path().strip_prefix(content).unwrap_or(entry.path()).to_string_lossy();
            if let Some(d) = twins.check(&relative(root, entry.path()), &inner, entry.file_type().is_dir()) {
                diags.push(d);
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            // `.MD`, `.markdown`, `a.md.txt`: Markdown that would go unread without a word.
            if let Some(d) = checks::unread_markdown(&relative(root, path), &entry.file_name().to_string_lossy()) {
                diags.push(d);
            }
            continue;
        }
        let rel = relative(root, path);
        let parts: Vec<String> = path
            .strip_prefix(content)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let content_rel = parts.join("/");
        match classify(&parts, &plan_dirs) {
            Ok(role) => out.push(Found { rel, content_rel, role }),
            Err(d) => diags.push(Diagnostic { file: rel, ..d }),
        }
    }
    if out.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::new(&rel_content, "content", "content フォルダに Markdown ファイル(.md)がありません")
                .help("計画フォルダ(_plan.md を含むフォルダ)を content に置いてください。書き方は docs/CONTENT.md、雛形は planpress init"),
        );
    }
    diags.into_result()?;
    Ok(out)
}

/// How deep folders under `content/` are read: far more than any plan's levels, and a bound
/// for a runaway tree (a copy inside a copy, a link back up).
const MAX_CONTENT_DEPTH: usize = 32;

fn too_deep(root: &Path, dir: &Path) -> Diagnostic {
    Diagnostic::new(
        relative(root, dir),
        "layout",
        format!("フォルダの入れ子が深すぎます(content から {MAX_CONTENT_DEPTH} 階層まで)。このフォルダの中は読みません"),
    )
    .help("フォルダの入れ子を浅くしてください(計画の階層は levels の数だけで、ふつうは 3〜5 階層です)。フォルダの中にフォルダを丸ごとコピーしていないか、上のフォルダへのリンク(シンボリックリンク)がないかも確かめてください")
}

/// A folder or file the walk of `content/` cannot enter or read: a link (symbolic link)
/// back to a folder above it, a link to nothing, no permission. Hidden names (an editor's
/// lock link such as `.#a.md`) are left alone, as the walk leaves them.
fn walk_error(root: &Path, e: &walkdir::Error) -> Option<Diagnostic> {
    let path = e.path().unwrap_or(Path::new("content"));
    if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
        return None;
    }
    let rel = relative(root, path);
    if let Some(ancestor) = e.loop_ancestor() {
        return Some(
            Diagnostic::new(
                &rel,
                "io",
                format!(
                    "このリンク(シンボリックリンク)は上のフォルダ {} を指していて、フォルダが限りなく続きます",
                    relative(root, ancestor).display()
                ),
            )
            .help("このリンクを消すか、content の外の、このフォルダを含まないフォルダを指すように作り直してください"),
        );
    }
    let dangling = path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) && !path.exists();
    if dangling {
        let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
        return Some(
            Diagnostic::new(&rel, "io", format!("リンク(シンボリックリンク)のリンク先 {target} がありません"))
                .help("リンクを消すか、あるファイル・フォルダを指すように作り直してください"),
        );
    }
    let why = e.io_error().map(ToString::to_string).unwrap_or_else(|| e.to_string());
    Some(
        Diagnostic::new(&rel, "io", format!("読めません: {why}"))
            .help("フォルダとファイルの読み取りの権限(アクセス許可)を確かめてください。パスが長すぎるなら、フォルダの入れ子を浅くしてください"),
    )
}

fn classify(parts: &[String], plan_dirs: &HashSet<String>) -> Result<Role, Diagnostic> {
    let file = parts.last().map(String::as_str).unwrap_or("");
    let stem = file.strip_suffix(".md").unwrap_or(file).to_string();
    let err = |msg: String, help: &str| Diagnostic::new("", "layout", msg).help(help.to_string());
    if parts.len() == 1 && file == "_index.md" {
        return Ok(Role::Home);
    }
    if parts.len() >= 2 && plan_dirs.contains(&parts[0]) {
        let plan = parts[0].clone();
        let inner = &parts[1..];
        if inner.len() == 1 && file == "_plan.md" {
            return Ok(Role::Plan { plan });
        }
        if inner[0] == "_pages" {
            if inner.len() != 2 {
                return Err(err(
                    "_pages の中にフォルダは置けません".into(),
                    "章のページは _pages の直下に置いてください",
                ));
            }
            return Ok(Role::Chapter { plan, slug: stem });
        }
        if file == "_plan.md" {
            return Err(err(
                "_plan.md は計画フォルダの直下にだけ置けます".into(),
                "このファイルを消すか、計画フォルダの直下に移してください",
            ));
        }
        if file.starts_with('_') && file != "_index.md" {
            return Err(err(
                format!("ファイル名 {file} は使えません(_ で始まる名前は特別な意味を持ちます)"),
                "ノードのファイルは _ で始まらない名前にしてください。フォルダのノードは _index.md です",
            ));
        }
        let dir = inner[..inner.len() - 1].to_vec();
        return Ok(Role::Node { plan, dir, stem, index: file == "_index.md" });
    }
    if file == "_plan.md" {
        return Err(err(
            "計画フォルダは content の直下に置いてください".into(),
            "content/計画ID/_plan.md の形にしてください",
        ));
    }
    let mut segs: Vec<&str> = parts[..parts.len() - 1].iter().map(String::as_str).collect();
    if file != "_index.md" {
        segs.push(&stem);
    }
    let path = segs.iter().map(|s| format!("{s}/")).collect::<String>();
    Ok(Role::Free { path })
}

/// A parsed file before assembly.
#[derive(Clone)]
struct Parsed {
    found: Found,
    front: Front,
    /// Front matter text, for turning spans into lines.
    fm_text: String,
    fm_line: usize,
    body: String,
    body_line: usize,
}

#[derive(Clone, PartialEq)]
enum Front {
    Home(HomeFrontMatter),
    Plan(PlanFrontMatter),
    Page(PageFrontMatter),
    Node(NodeFrontMatter),
}

fn parse_file(root: &Path, found: Found) -> Result<Parsed, Diagnostic> {
    let path = root.join(&found.rel);
    let bytes = std::fs::read(&path).map_err(|e| {
        Diagnostic::new(&found.rel, "io", format!("ファイルを読めません: {e}")).help(
            "ファイルの読み取りの権限(アクセス許可)を確かめてください。ほかのソフトが開いたままなら閉じてください",
        )
    })?;
    let text = decode_utf8(bytes, &found.rel)?;
    let src = split_front_matter(&text, &found.rel)?;
    let missing = |what: &str| {
        Diagnostic::new(&found.rel, "front-matter", format!("前付け(+++ で囲んだ設定)がありません。{what}"))
            .at_line(1)
            .help("ファイルの先頭に +++ の行、title = \"題名\" などの設定、+++ の行を書いてください(docs/CONTENT.md)")
    };
    let fm = &src.front_matter;
    let at = src.front_matter_line;
    let front = match &found.role {
        Role::Home if fm.is_empty() => Front::Home(HomeFrontMatter::default()),
        Role::Home => Front::Home(parse_toml(fm, &found.rel, at)?),
        Role::Plan { .. } if fm.trim().is_empty() => return Err(missing("計画には title, period, levels が必要です")),
        Role::Plan { .. } => Front::Plan(parse_toml(fm, &found.rel, at)?),
        Role::Chapter { .. } | Role::Free { .. } if fm.trim().is_empty() => {
            return Err(missing("ページには title が必要です"))
        }
        Role::Chapter { .. } | Role::Free { .. } => {
            Front::Page(parse_toml(fm, &found.rel, at).map_err(|e| missing_plan_file(&found, fm).unwrap_or(e))?)
        }
        Role::Node { .. } if fm.trim().is_empty() => return Err(missing("ノードには title が必要です")),
        Role::Node { .. } => Front::Node(parse_toml(fm, &found.rel, at)?),
    };
    Ok(Parsed { found, front, fm_text: src.front_matter, fm_line: at, body: src.body, body_line: src.body_line })
}

/// Keys only nodes have: a page with one of them is a node of a plan.
const NODE_ONLY_KEYS: &[&str] = &["id", "number", "sdgs", "departments", "themes", "indicators", "children"];

/// For a page in a folder of `content/` without `_plan.md` whose front matter fails as a
/// page's and reads as a node's: the folder is a plan whose `_plan.md` is missing. Every
/// such file of the folder gives this same diagnostic, which the sorted batch keeps once,
/// in place of an error per key per node.
fn missing_plan_file(found: &Found, fm: &str) -> Option<Diagnostic> {
    let Role::Free { .. } = found.role else { return None };
    let (top, _) = found.content_rel.split_once('/')?;
    let table: toml::Table = toml::from_str(fm).ok()?;
    if !table.keys().any(|k| NODE_ONLY_KEYS.contains(&k.as_str())) {
        return None;
    }
    let folder = format!("content/{top}");
    Some(Diagnostic::new(&folder, "plan", format!("{folder} に計画のファイル _plan.md がありません")).help(format!(
        "{folder}/_plan.md を作り、+++ の行で囲んだ前付けに計画名・計画期間・階層の名前を書いてください\
                 (例: title = \"第2次総合計画\"、period = {{ start = \"R3\", end = \"R7\" }}、\
                 levels = [\"政策分野\", \"施策\"]。書き方は docs/CONTENT.md §3)。\
                 計画ではないページのフォルダなら、ノードの項目({})を消してください",
        NODE_ONLY_KEYS.join(", ")
    )))
}

/// A body waiting for Markdown rendering, and where its HTML goes.
struct PendingBody {
    slot: BodySlot,
    markdown: String,
    file: PathBuf,
    first_line: usize,
}

/// Where a rendered body goes, by stable keys (plan id, page path) rather than indices,
/// since plans, pages and chapters are sorted after their bodies are queued.
#[derive(Clone, PartialEq, Eq, Hash)]
enum BodySlot {
    Home,
    Free(String),
    Plan(String),
    Chapter(String, String),
    Node(String, NodeId),
}

/// Sort key among siblings: weight, then number (natural), then file order.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct OrderKey(i64, bool, Vec<NaturalPart>, String, usize);

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum NaturalPart {
    Num(u64),
    Text(String),
}

/// Splits a string into digit runs and text for natural ordering (`1-(2)` < `1-(10)`, ① < ②).
fn natural(s: &str) -> Vec<NaturalPart> {
    let norm: String = s.nfkc().collect();
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut digits = false;
    for c in norm.chars() {
        let d = c.is_ascii_digit();
        if !buf.is_empty() && d != digits {
            out.push(part(&buf, digits));
            buf.clear();
        }
        digits = d;
        buf.push(c);
    }
    if !buf.is_empty() {
        out.push(part(&buf, digits));
    }
    out
}

fn part(s: &str, digits: bool) -> NaturalPart {
    if digits {
        NaturalPart::Num(s.parse().unwrap_or(u64::MAX))
    } else {
        NaturalPart::Text(s.to_string())
    }
}

fn order_key(weight: Option<i64>, number: Option<&str>, file: &str, inline: usize) -> OrderKey {
    OrderKey(weight.unwrap_or(i64::MAX), number.is_none(), natural(number.unwrap_or("")), file.to_string(), inline)
}

/// Checks that `id` is usable in a URL.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 100 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn bad_id(file: &Path, line: usize, what: &str, id: &str) -> Diagnostic {
    Diagnostic::new(file, "id", format!("{what}「{id}」は URL に使えません"))
        .at_line(line)
        .help("id・ファイル名・フォルダ名には半角の英数字、ハイフン(-)、下線(_)だけを使ってください(例: 1-1, kosodate)")
}

struct PlanBuilder {
    plan: Plan,
    keys: Vec<OrderKey>,
    /// Folder inside the plan → its `_index.md` node.
    dir_nodes: HashMap<Vec<String>, NodeId>,
    ids: HashMap<String, (PathBuf, usize)>,
    /// Node id → content-relative file, for `@/` links.
    files: Vec<(String, NodeId)>,
}

fn assemble(
    root: &Path,
    config: SiteConfig,
    parsed: Vec<Parsed>,
    diags: &mut Diagnostics,
) -> (Site, Vec<PendingBody>, LinkTargets) {
    let mut home = Page {
        path: String::new(),
        title: config.title.clone(),
        summary: None,
        weight: None,
        footer: false,
        body_html: String::new(),
        headings: Vec::new(),
        source: PathBuf::new(),
    };
    let mut pending: Vec<PendingBody> = Vec::new();
    let mut builders: BTreeMap<String, PlanBuilder> = BTreeMap::new();
    let mut node_files: Vec<Parsed> = Vec::new();
    let mut chapters: Vec<Parsed> = Vec::new();
    let mut pages: Vec<Page> = Vec::new();
    let mut page_files: HashMap<String, String> = HashMap::new();

    for p in parsed {
        match (&p.found.role, p.front) {
            (Role::Home, Front::Home(fm)) => {
                if let Some(t) = fm.title {
                    home.title = t;
                }
                home.source = p.found.rel.clone();
                pending.push(PendingBody {
                    slot: BodySlot::Home,
                    markdown: p.body,
                    file: p.found.rel,
                    first_line: p.body_line,
                });
                page_files.insert(p.found.content_rel, String::new());
            }
            (Role::Plan { plan }, Front::Plan(fm)) => {
                let plan_id = plan.clone();
                if let Some(b) = build_plan(plan_id.clone(), fm, &config, &p.found.rel, &p.fm_text, p.fm_line, diags) {
                    pending.push(PendingBody {
                        slot: BodySlot::Plan(plan_id.clone()),
                        markdown: p.body,
                        file: p.found.rel.clone(),
                        first_line: p.body_line,
                    });
                    page_files.insert(p.found.content_rel, b.plan.path());
                    builders.insert(plan_id, b);
                }
            }
            (Role::Chapter { .. }, Front::Page(fm)) => {
                chapters.push(Parsed { front: Front::Page(fm), ..p });
            }
            (Role::Free { path }, Front::Page(fm)) => {
                let path = path.clone();
                let first = path.split('/').next().unwrap_or("");
                if path.split('/').filter(|s| !s.is_empty()).any(|s| !valid_id(s)) {
                    diags.push(bad_id(&p.found.rel, 1, "ファイル名・フォルダ名", path.trim_end_matches('/')));
                    continue;
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
                    continue;
                }
                page_files.insert(p.found.content_rel.clone(), path.clone());
                pending.push(PendingBody {
                    slot: BodySlot::Free(path.clone()),
                    markdown: p.body,
                    file: p.found.rel.clone(),
                    first_line: p.body_line,
                });
                pages.push(Page {
                    path,
                    title: fm.title,
                    summary: fm.summary,
                    weight: fm.weight,
                    footer: fm.footer,
                    body_html: String::new(),
                    headings: Vec::new(),
                    source: p.found.rel,
                });
            }
            (Role::Node { .. }, front @ Front::Node(_)) => node_files.push(Parsed { front, ..p }),
            _ => unreachable!("parse_file pairs each role with its front matter"),
        }
    }

    let plan_order: Vec<String> = {
        let mut v: Vec<(&String, &PlanBuilder)> = builders.iter().collect();
        v.sort_by_key(|(id, b)| (b.plan.weight.unwrap_or(i64::MAX), (*id).clone()));
        v.into_iter().map(|(id, _)| id.clone()).collect()
    };

    // Nodes whose plan is missing are impossible (plans are found by _plan.md), but a plan
    // whose _plan.md failed to parse leaves its nodes orphaned: skip them quietly, the
    // _plan.md error is already reported.
    // Folders first (shallow to deep) so parents exist before their children.
    node_files.sort_by_key(|p| match &p.found.role {
        Role::Node { dir, index, .. } => (dir.len() - usize::from(*index), !*index, p.found.content_rel.clone()),
        _ => (0, false, String::new()),
    });
    for p in node_files {
        let Role::Node { plan, dir, stem, index } = p.found.role.clone() else { continue };
        let Some(b) = builders.get_mut(&plan) else { continue };
        let Front::Node(fm) = p.front else { continue };
        let (parent, default_id) = if index {
            let parent_dir = &dir[..dir.len().saturating_sub(1)];
            (dir_parent(b, parent_dir, &p.found.rel, diags), dir.last().cloned().unwrap_or_default())
        } else {
            (dir_parent(b, &dir, &p.found.rel, diags), stem.clone())
        };
        let Some(parent) = parent else { continue };
        if fm.body.is_some() {
            diags.push(
                Diagnostic::new(&p.found.rel, "front-matter", "body は [[children]] の中でだけ使えます")
                    .at_line(1)
                    .help("このノードの本文は、前付けの後(+++ の行の下)に Markdown で書いてください"),
            );
        }
        let ctx =
            NodeCtx { file: &p.found.rel, fm_text: &p.fm_text, lines: LineIndex::new(&p.fm_text), fm_line: p.fm_line };
        let file_key = p.found.content_rel.clone();
        if let Some(id) = add_node(b, fm, parent, default_id, &ctx, 1, &file_key, 0, diags, &mut pending) {
            pending.push(PendingBody {
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

    for p in chapters {
        let Role::Chapter { plan, slug } = p.found.role.clone() else { continue };
        let Some(b) = builders.get_mut(&plan) else { continue };
        let Front::Page(fm) = p.front else { continue };
        if !valid_id(&slug) {
            diags.push(bad_id(&p.found.rel, 1, "ファイル名", &slug));
            continue;
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
        page_files.insert(p.found.content_rel.clone(), path.clone());
        pending.push(PendingBody {
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
            body_html: String::new(),
            headings: Vec::new(),
            source: p.found.rel,
        });
    }

    let mut plans = Vec::new();
    let mut link_targets: LinkTargets = page_files;
    for id in &plan_order {
        let mut b = builders.remove(id).expect("ordered from builders");
        finish_plan(&mut b, diags);
        checks::check_plan_names(&b.plan, &b.ids, diags);
        for (file, nid) in &b.files {
            link_targets.insert(file.clone(), node_path(&b.plan, *nid));
        }
        b.plan.chapters.sort_by_key(|c| (c.weight.unwrap_or(i64::MAX), c.path.clone()));
        plans.push(b.plan);
    }

    // Free pages: sorted, and checked against plan ids.
    let plan_ids: HashSet<&str> = plans.iter().map(|p| p.id.as_str()).collect();
    for page in &pages {
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
    for plan in &plans {
        if RESERVED_TOP.contains(&plan.id.as_str()) || !valid_id(&plan.id) {
            diags.push(bad_id(&plan.source, 1, "計画フォルダ名", &plan.id).help(format!(
                "計画フォルダの名前を半角英数字に変えてください({} は使えません)",
                RESERVED_TOP.join(", ")
            )));
        }
    }
    pages.sort_by_key(|p| (p.weight.unwrap_or(i64::MAX), p.path.clone()));

    let site = Site { config, root: root.to_path_buf(), home, plans: plans.into_iter().map(Arc::new).collect(), pages };
    if site.plans.is_empty() && site.pages.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::new("content", "content", "計画がありません")
                .help("content/計画ID/_plan.md を作ってください(docs/CONTENT.md)"),
        );
    }
    (site, pending, link_targets)
}

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

fn build_plan(
    id: String,
    fm: PlanFrontMatter,
    config: &SiteConfig,
    file: &Path,
    fm_text: &str,
    fm_line: usize,
    diags: &mut Diagnostics,
) -> Option<PlanBuilder> {
    let line_at = |span: std::ops::Range<usize>| fm_line + line_of(fm_text, span.start) - 1;
    let levels_span = fm.levels.span();
    let levels: Vec<Level> = fm
        .levels
        .into_inner()
        .into_iter()
        .map(|l| match l {
            LevelFrontMatter::Name(name) => Level { name, pages: true },
            LevelFrontMatter::Table { name, pages } => Level { name, pages },
        })
        .collect();
    if levels.is_empty() {
        diags.push(
            Diagnostic::new(file, "levels", "levels が空です")
                .at_line(line_at(levels_span.clone()))
                .help("階層の名前を上から順に書いてください(例: levels = [\"政策分野\", \"施策\", \"施策の方向\"])"),
        );
        return None;
    }
    if !levels[0].pages {
        diags.push(
            Diagnostic::new(
                file,
                "levels",
                format!("最上位の階層「{}」には pages = false を付けられません", levels[0].name),
            )
            .at_line(line_at(levels_span.clone()))
            .help("pages = false は、親のページの中に載せる下の階層にだけ付けてください"),
        );
    }
    if let Some(i) = levels.windows(2).position(|w| !w[0].pages && w[1].pages) {
        diags.push(
            Diagnostic::new(
                file,
                "levels",
                format!(
                    "階層「{}」はページを持たないので、その下の「{}」もページを持てません",
                    levels[i].name,
                    levels[i + 1].name
                ),
            )
            .at_line(line_at(levels_span))
            .help("下の階層にも pages = false を付けてください"),
        );
    }
    let (start, end) = (*fm.period.start.get_ref(), *fm.period.end.get_ref());
    if end < start {
        diags.push(
            Diagnostic::new(file, "period", format!("計画期間の終わり({end})が始まり({start})より前です"))
                .at_line(line_at(fm.period.end.span()))
                .help(format!(
                    "period = {{ start = …, end = … }} の end を start({start})と同じか後の年度にしてください(年度の書き方は docs/CONTENT.md §6)"
                )),
        );
    }
    let mut themes = Vec::new();
    let mut seen = HashSet::new();
    for t in fm.themes {
        let line = line_at(t.span());
        let t = t.into_inner();
        if !valid_id(&t.id) {
            diags.push(bad_id(file, line, "横断的取組の id", &t.id));
        } else if !seen.insert(t.id.clone()) {
            diags.push(
                Diagnostic::new(file, "duplicate-id", format!("横断的取組の id「{}」が2回あります", t.id))
                    .at_line(line)
                    .help("id を別の名前にしてください"),
            );
        }
        themes.push(CrossCuttingTheme { id: t.id, number: t.number, title: t.title, summary: t.summary });
    }
    let plan = Plan {
        id,
        title: fm.title,
        kind: fm.kind,
        municipality: fm.municipality.unwrap_or_else(|| config.municipality.clone()),
        period: Period { start, end },
        vision: fm.vision,
        principles: fm.principles,
        summary: fm.summary,
        issued: fm.issued,
        publisher: fm.publisher,
        weight: fm.weight,
        levels,
        themes,
        body_html: String::new(),
        headings: Vec::new(),
        chapters: Vec::new(),
        nodes: Vec::new(),
        roots: Vec::new(),
        source: file.to_path_buf(),
    };
    Some(PlanBuilder { plan, keys: Vec::new(), dir_nodes: HashMap::new(), ids: HashMap::new(), files: Vec::new() })
}

struct NodeCtx<'a> {
    file: &'a Path,
    fm_text: &'a str,
    lines: LineIndex,
    fm_line: usize,
}

impl NodeCtx<'_> {
    fn line<T>(&self, s: &Spanned<T>) -> usize {
        self.fm_line + self.lines.line(s.span().start) - 1
    }
}

#[allow(clippy::too_many_arguments)]
fn add_node(
    b: &mut PlanBuilder,
    fm: NodeFrontMatter,
    parent: Option<NodeId>,
    default_id: String,
    ctx: &NodeCtx,
    line: usize,
    file_key: &str,
    inline_index: usize,
    diags: &mut Diagnostics,
    pending: &mut Vec<PendingBody>,
) -> Option<NodeId> {
    let file = ctx.file;
    let (id, id_line) = match &fm.id {
        Some(s) => (s.get_ref().clone(), ctx.line(s)),
        None => (default_id, line),
    };
    if !valid_id(&id) {
        diags.push(bad_id(file, id_line, "id", &id));
        return None;
    }
    if RESERVED_IN_PLAN.contains(&id.as_str()) {
        diags.push(
            Diagnostic::new(file, "reserved", format!("id「{id}」は planpress が使う名前です"))
                .at_line(id_line)
                .help(format!("別の id にしてください({} は使えません)", RESERVED_IN_PLAN.join(", "))),
        );
        return None;
    }
    if let Some((other, other_line)) = b.ids.get(&id) {
        diags.push(
            Diagnostic::new(
                file,
                "duplicate-id",
                format!("id「{id}」が重複しています({}:{other_line} と同じ)", other.display()),
            )
            .at_line(id_line)
            .help("同じ計画の中では id を重ねられません。どちらかの id を変えてください"),
        );
        return None;
    }
    b.ids.insert(id.clone(), (file.to_path_buf(), id_line));
    if fm.title.trim().is_empty() {
        diags.push(Diagnostic::new(file, "title", "title が空です").at_line(line).help("題名を書いてください"));
    }
    let depth = parent.map(|p| b.plan.nodes[p].depth + 1).unwrap_or(0);
    if depth >= b.plan.levels.len() {
        diags.push(
            Diagnostic::new(
                file,
                "levels",
                format!(
                    "このノードは第{}階層ですが、計画の levels は {} 階層しかありません",
                    depth + 1,
                    b.plan.levels.len()
                ),
            )
            .at_line(line)
            .help(format!("{} の levels に階層の名前を追加してください", b.plan.source.display())),
        );
        return None;
    }
    let mut sdgs = Vec::new();
    for g in &fm.sdgs {
        let v = *g.get_ref();
        if (1..=17).contains(&v) {
            sdgs.push(v as u8);
        } else {
            diags.push(
                Diagnostic::new(file, "sdgs", format!("SDGs のゴール {v} はありません"))
                    .at_line(ctx.line(g))
                    .help("SDGs のゴールは 1〜17 の番号で書いてください(例: sdgs = [4, 11])"),
            );
        }
    }
    sdgs.sort_unstable();
    sdgs.dedup();
    let mut themes = Vec::new();
    for t in &fm.themes {
        let tid = t.get_ref();
        if b.plan.theme(tid).is_none() {
            let known: Vec<&str> = b.plan.themes.iter().map(|t| t.id.as_str()).collect();
            let help = if known.is_empty() {
                format!("{} に [[themes]] で横断的取組を定義してください", b.plan.source.display())
            } else {
                format!("定義されている id は {} です({})", known.join(", "), b.plan.source.display())
            };
            diags.push(
                Diagnostic::new(file, "unknown-theme", format!("横断的取組「{tid}」は定義されていません"))
                    .at_line(ctx.line(t))
                    .help(help),
            );
        } else if !themes.contains(tid) {
            themes.push(tid.clone());
        }
    }
    let mut indicators = Vec::new();
    for (k, ind) in fm.indicators.iter().enumerate() {
        if let Some(i) = build_indicator(ind, &id, k, ctx, diags) {
            indicators.push(i);
        }
    }
    let mut departments = Vec::with_capacity(fm.departments.len());
    for d in &fm.departments {
        match d.get_ref().trim() {
            "" => diags.push(
                Diagnostic::new(file, "department", "担当課の名前が空です")
                    .at_line(ctx.line(d))
                    .help("departments = [\"学校教育課\"] のように担当課の名前を書くか、空の \"\" を消してください"),
            ),
            name => departments.push(name.to_string()),
        }
    }
    let number = fm.number.filter(|n| !n.trim().is_empty());
    let key = order_key(fm.weight, number.as_deref(), file_key, inline_index);
    let nid = b.plan.nodes.len();
    b.plan.nodes.push(Node {
        id: id.clone(),
        number,
        title: fm.title,
        summary: fm.summary,
        weight: fm.weight,
        sdgs,
        departments,
        themes,
        indicators,
        body_html: String::new(),
        headings: Vec::new(),
        depth,
        parent,
        children: Vec::new(),
        has_page: b.plan.levels[depth].pages,
        source: file.to_path_buf(),
        line,
    });
    b.keys.push(key);
    match parent {
        Some(p) => b.plan.nodes[p].children.push(nid),
        None => b.plan.roots.push(nid),
    }
    if let Some(body) = &fm.body {
        pending.push(PendingBody {
            slot: BodySlot::Node(b.plan.id.clone(), nid),
            markdown: body.get_ref().clone(),
            file: file.to_path_buf(),
            first_line: ctx.line(body),
        });
    }
    for (k, child) in fm.children.into_iter().enumerate() {
        let line = ctx.line(&child);
        add_node(
            b,
            child.into_inner(),
            Some(nid),
            format!("{id}-{}", k + 1),
            ctx,
            line,
            file_key,
            k + 1,
            diags,
            pending,
        );
    }
    Some(nid)
}

fn build_indicator(
    s: &Spanned<IndicatorFrontMatter>,
    node_id: &str,
    k: usize,
    ctx: &NodeCtx,
    diags: &mut Diagnostics,
) -> Option<Indicator> {
    let line = ctx.line(s);
    let ind = s.get_ref();
    let err =
        |msg: String, help: &str| Diagnostic::new(ctx.file, "indicator", msg).at_line(line).help(help.to_string());
    if ind.name.trim().is_empty() {
        diags.push(err("指標の name が空です".into(), "指標の名前を書いてください"));
        return None;
    }
    if ind.target.year < ind.baseline.year {
        diags.push(err(
            format!("指標「{}」の目標年度({})が基準年度({})より前です", ind.name, ind.target.year, ind.baseline.year),
            "baseline と target の year を確認してください",
        ));
    }
    let at = |m: &MeasurementFrontMatter| Measurement { value: as_written(&m.value, ctx.fm_text), year: m.year };
    let mut actuals: Vec<Measurement> = ind.actuals.iter().map(at).collect();
    actuals.sort_by_key(|a| a.year);
    let mut years: Vec<FiscalYear> = actuals.iter().map(|a| a.year).collect();
    years.dedup();
    if years.len() != actuals.len() {
        diags.push(err(
            format!("指標「{}」の実績に同じ年度が2つあります", ind.name),
            "actuals の year を確認してください",
        ));
    }
    Some(Indicator {
        id: ind.id.clone().unwrap_or_else(|| format!("{node_id}-{}", k + 1)),
        name: ind.name.clone(),
        unit: ind.unit.clone(),
        better: ind.better,
        baseline: at(&ind.baseline),
        target: at(&ind.target),
        actuals,
        note: ind.note.clone(),
    })
}

/// Sorts siblings and checks indicator ids, once all nodes of a plan are in.
fn finish_plan(b: &mut PlanBuilder, diags: &mut Diagnostics) {
    let keys = &b.keys;
    let by_key = |ids: &mut Vec<NodeId>| ids.sort_by(|x, y| keys[*x].cmp(&keys[*y]));
    by_key(&mut b.plan.roots);
    for i in 0..b.plan.nodes.len() {
        let mut c = std::mem::take(&mut b.plan.nodes[i].children);
        by_key(&mut c);
        b.plan.nodes[i].children = c;
    }
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    for n in &b.plan.nodes {
        for ind in &n.indicators {
            if let Some(other) = seen.insert(&ind.id, n) {
                diags.push(
                    Diagnostic::new(
                        &n.source,
                        "duplicate-id",
                        format!("指標の id「{}」が重複しています({} と同じ)", ind.id, other.source.display()),
                    )
                    .at_line(n.line)
                    .help("指標の id を変えてください"),
                );
            }
        }
    }
}

/// Renders the pending bodies into `site`, reusing those of `cache` whose inputs are the
/// same. `plan`: only that plan's bodies are pending, the cache keeps everyone else's, and
/// `links` are known to equal the cache's (the caller checked the plan's).
fn render_bodies(
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
            BodySlot::Node(id, n) => plan_index
                .get(id)
                .map(|&p| node_path(&site.plans[p], *n).split('#').next().unwrap_or("").to_string())
                .unwrap_or_default(),
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
    let render_body = |pb: &PendingBody, root: &str, base_level: u8| {
        let ctx = MarkdownContext {
            root,
            links,
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
        let target = match &pb.slot {
            BodySlot::Home => Some((&mut site.home.body_html, &mut site.home.headings)),
            BodySlot::Free(path) => {
                site.pages.iter_mut().find(|p| &p.path == path).map(|p| (&mut p.body_html, &mut p.headings))
            }
            BodySlot::Plan(id) => plan_index.get(id).map(|&i| {
                let p = Arc::make_mut(&mut site.plans[i]);
                (&mut p.body_html, &mut p.headings)
            }),
            BodySlot::Chapter(id, path) => plan_index
                .get(id)
                .and_then(|&i| Arc::make_mut(&mut site.plans[i]).chapters.iter_mut().find(|c| &c.path == path))
                .map(|c| (&mut c.body_html, &mut c.headings)),
            BodySlot::Node(id, n) => plan_index
                .get(id)
                .and_then(|&i| Arc::make_mut(&mut site.plans[i]).nodes.get_mut(*n))
                .map(|n| (&mut n.body_html, &mut n.headings)),
        };
        if let Some((html, headings)) = target {
            *html = r.html;
            *headings = r.headings;
        }
    }
    cache.bodies = match plan {
        None => fresh,
        Some(id) => {
            old.retain(|slot, _| !matches!(slot, BodySlot::Plan(p) | BodySlot::Chapter(p, _) | BodySlot::Node(p, _) if p == id));
            old.extend(fresh);
            old
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{copy_dir, edit, fixture_copy};

    #[test]
    fn natural_order_of_city_numbers() {
        let sorted = |mut v: Vec<&'static str>| {
            v.sort_by_key(|s| natural(s));
            v
        };
        assert_eq!(sorted(vec!["1-(10)", "1-(2)", "1-(1)"]), ["1-(1)", "1-(2)", "1-(10)"]);
        assert_eq!(sorted(vec!["⑩", "②", "①"]), ["①", "②", "⑩"]);
        assert_eq!(sorted(vec!["戦略10", "戦略2"]), ["戦略2", "戦略10"]);
        assert_eq!(sorted(vec!["6-(12)", "6-(9)"]), ["6-(9)", "6-(12)"]);
    }

    #[test]
    fn ids_must_be_url_safe() {
        assert!(valid_id("1-1_a"));
        assert!(!valid_id("子育て"));
        assert!(!valid_id("a b"));
        assert!(!valid_id(""));
    }

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

    #[test]
    fn classify_roles() {
        let plans: HashSet<String> = ["k".to_string()].into();
        let v = |s: &str| s.split('/').map(String::from).collect::<Vec<_>>();
        assert_eq!(classify(&v("_index.md"), &plans).unwrap(), Role::Home);
        assert_eq!(classify(&v("k/_plan.md"), &plans).unwrap(), Role::Plan { plan: "k".into() });
        assert_eq!(
            classify(&v("k/_pages/a.md"), &plans).unwrap(),
            Role::Chapter { plan: "k".into(), slug: "a".into() }
        );
        assert_eq!(
            classify(&v("k/1/1-1.md"), &plans).unwrap(),
            Role::Node { plan: "k".into(), dir: vec!["1".into()], stem: "1-1".into(), index: false }
        );
        assert_eq!(classify(&v("info/policy.md"), &plans).unwrap(), Role::Free { path: "info/policy/".into() });
        assert_eq!(classify(&v("info/_index.md"), &plans).unwrap(), Role::Free { path: "info/".into() });
        assert!(classify(&v("x/_plan.md"), &plans).is_err());
        assert!(classify(&v("k/_draft.md"), &plans).is_err());
    }
}
