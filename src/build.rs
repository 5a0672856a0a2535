//! The build pipeline: load → render → write into staging → swap into place.

use crate::config::SiteConfig;
use crate::content::loader::LoadCache;
use crate::content::{self, Site};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{self, staging::Staging};
use crate::render::{self, templates, PageKind, Shared};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to build and where.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site root (holds `site.toml`).
    pub root: PathBuf,
    /// Output folder (default: `output_dir` of `site.toml`, under the root).
    pub output: Option<PathBuf>,
    /// Overrides `base_url` of `site.toml`.
    pub base_url: Option<String>,
    /// Show a progress line on a terminal during long builds.
    pub progress: bool,
    /// Overrides `minify` of `site.toml` (`check` builds unminified for line numbers).
    pub minify: Option<bool>,
    /// Leaves the search files to someone else: `serve` writes them in the background
    /// so that pages are served sooner. The search files already in the output are kept.
    pub defer_search: bool,
    /// The output folder belongs to this process (serve's own temporary folder, which its
    /// incremental rebuilds write into directly): replaced without the ownership check of
    /// [`crate::output::staging`].
    pub private_output: bool,
    /// Include pages marked `draft = true` (`build --drafts`; `serve` always does), each
    /// with a 「下書き」 banner. Without it drafts are left out entirely.
    pub drafts: bool,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// HTML pages written (redirect pages at old URLs not counted: they are in `redirects`).
    pub pages: usize,
    /// Redirect pages written at old URLs (`aliases`, and nodes that lost their page).
    pub redirects: usize,
    /// Node pages among them.
    pub node_pages: usize,
    /// Other files written (assets, static files, sitemap, robots).
    pub other_files: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Where the site is now.
    pub output: PathBuf,
    /// Problems that did not stop the build (shown after the summary).
    pub warnings: Vec<Diagnostic>,
    /// How long each stage took, in order (shown with `--verbose`).
    pub stages: Vec<(&'static str, Duration)>,
    /// Drafts left out (see [`BuildOptions::drafts`]).
    pub drafts_left_out: usize,
}

impl BuildReport {
    /// The one-line summary printed after every build, in plain words:
    /// 「サイトを public/ に書き出しました: 128 ページ、ほかのファイル 42 個(2.1 秒)」.
    pub fn summary(&self) -> String {
        let mut out = self.output.display().to_string();
        if !out.ends_with(std::path::MAIN_SEPARATOR) && !out.ends_with('/') {
            out.push('/');
        }
        let drafts = match self.drafts_left_out {
            0 => String::new(),
            n => format!("。下書き {n} 件は含めていません(含めるには --drafts)"),
        };
        let redirects = match self.redirects {
            0 => String::new(),
            n => format!("(ほかに古い URL からの転送 {n})"),
        };
        format!(
            "サイトを {out} に書き出しました: {} ページ{redirects}、ほかのファイル {} 個({:.1} 秒){drafts}",
            self.pages,
            self.other_files,
            self.elapsed.as_secs_f64(),
        )
    }

    /// The page count of a [`BuildReport::summary`] line found in `text` (a build's standard
    /// output), for scripts and benchmarks that read it.
    pub fn pages_in_summary(text: &str) -> Option<usize> {
        const MARK: &str = "に書き出しました: ";
        let rest = &text[text.rfind(MARK)? + MARK.len()..];
        rest.split(' ').next()?.parse().ok()
    }

    /// The figures behind the summary, for `--verbose`: node pages, time per page and
    /// the time of each stage.
    pub fn details(&self) -> String {
        let per_page = self.elapsed.as_secs_f64() * 1000.0 / self.pages.max(1) as f64;
        let stages: Vec<String> =
            self.stages.iter().map(|(name, d)| format!("{name} {:.0} ms", d.as_secs_f64() * 1000.0)).collect();
        format!(
            "  うちノードのページ {}、1 ページあたり {per_page:.2} ms\n  段階ごと: {}",
            self.node_pages,
            stages.join("、")
        )
    }
}

/// Reads `site.toml` (with overrides) and the content into a validated site.
pub fn load(opts: &BuildOptions) -> Result<Site, Diagnostics> {
    let mut site = content::load_site(&opts.root, config(opts)?)?;
    note_missing_base_url(&mut site);
    Ok(site)
}

/// A site without `base_url` builds, with one warning that says what it leaves out.
fn note_missing_base_url(site: &mut Site) {
    if site.config.base_url.is_none() {
        site.warnings.push(SiteConfig::no_base_url_warning());
    }
}

/// `site.toml` with the overrides of `opts`.
pub fn config(opts: &BuildOptions) -> Result<SiteConfig, Diagnostics> {
    let mut config = SiteConfig::load(&opts.root)?;
    config.drafts = opts.drafts;
    if let Some(m) = opts.minify {
        config.minify = m;
    }
    if let Some(url) = &opts.base_url {
        config.base_url = Some(crate::config::normalize_base_url(url).map_err(|m| {
            Diagnostic::new("--base-url", "config", m).help("例: --base-url https://www.city.example.lg.jp/keikaku/")
        })?);
    }
    Ok(config)
}

/// The output folder for `opts` and `site`, refusing folders whose replacement would
/// destroy the site itself.
pub fn output_dir(opts: &BuildOptions, site: &Site) -> Result<PathBuf, Diagnostics> {
    let out = opts.output.clone().unwrap_or_else(|| opts.root.join(&site.config.output_dir));
    let abs = absolute(&out);
    let root = absolute(&opts.root);
    let protected = ["content", "themes", "static"].map(|d| root.join(d));
    if root.starts_with(&abs) || protected.iter().any(|p| abs.starts_with(p)) {
        return Err(Diagnostic::new(
            "site.toml",
            "output",
            format!("出力先 {} はサイトのフォルダそのものか、その中の原稿のフォルダです", out.display()),
        )
        .help("出力先は、中身がすべて置き換えられます。public のような専用のフォルダを指定してください")
        .into());
    }
    Ok(out)
}

fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    // Resolve `..` and symlinks of the existing part.
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for n in rest.into_iter().rev() {
        out.push(n);
    }
    out
}

/// The line printed after a failed build: what became of the output folder, in words
/// that are true (a build that fails never touches it; see [`Staging`]).
pub fn failure_note(opts: &BuildOptions, diags: &Diagnostics) -> String {
    let refused = diags.iter().any(|d| d.rule.starts_with("output"));
    let out = opts.output.clone().or_else(|| SiteConfig::load(&opts.root).ok().map(|c| opts.root.join(c.output_dir)));
    match out {
        _ if refused => "出力先には何も書き出していません。".to_string(),
        Some(out) if out.exists() => {
            format!("サイトは書き出していません({} は前回のままです)。", out.display())
        }
        _ => "サイトは書き出していません。".to_string(),
    }
}

/// Why one page failed: its template, or writing it.
enum PageError {
    Render(Diagnostic),
    Write(Diagnostic),
}

/// Builds the site: nothing in the output folder changes unless every step succeeds.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    build_kept(opts, &mut LoadCache::one_shot()).map(|built| built.report)
}

/// A build, with the site and the templates it was made from.
pub struct Built {
    /// What it wrote.
    pub report: BuildReport,
    /// The site, as loaded.
    pub site: Site,
    /// The templates.
    pub tera: tera::Tera,
}

/// [`build`], loading the content with `cache` (which keeps what it read, for the next
/// loads) and handing back the site and templates: `serve` keeps them instead of loading
/// everything a second time.
pub fn build_kept(opts: &BuildOptions, cache: &mut LoadCache) -> Result<Built, Diagnostics> {
    let start = Instant::now();
    // The templates compile while the content loads.
    let config = config(opts)?;
    if config.search && !opts.defer_search {
        // The dictionary's readings are decoded while the site is still small in memory.
        crate::search::readings::prepare();
    }
    let theme = config.theme.clone();
    let (site, tera) = rayon::join(
        || content::loader::load_site_cached(&opts.root, config, cache, None),
        || templates::load_templates(&opts.root, &theme),
    );
    let mut site = site?;
    note_missing_base_url(&mut site);
    let mut stages = vec![("読み込み", start.elapsed())];
    let mut stage = Instant::now();
    let out = output_dir(opts, &site)?;
    let tera = tera?;
    let io_err = |what: &Path, e: std::io::Error| -> Diagnostics { output::write_error(what, &e).into() };
    let pages = render::site_pages(&site);
    let page_paths: Vec<String> = pages.iter().map(|&k| render::page_path(&site, k)).collect();
    // A file of static/ that would overwrite a generated one: refused before anything is
    // written (#12).
    output::collisions::check_static(&opts.root, &site, &page_paths)?;
    let staging = if opts.private_output { Staging::new_private(&out)? } else { Staging::new(&out)? };
    let shared = Shared::new(&site);
    let done = Arc::new(AtomicUsize::new(0));
    let progress = (opts.progress
        && std::io::stderr().is_terminal()
        && crate::diagnostics::print::verbosity() > crate::diagnostics::print::Verbosity::Quiet)
        .then(|| Progress::start(pages.len(), done.clone()));
    // Pages, and meanwhile the other files (their list of pages is known up front) and the
    // search files (made from the model, not from the pages): on a thread of their own, so
    // that no core is idle while the index is built and no serial tail follows the pages.
    // The long lists go first, so that no core waits for one of them at the end.
    let mut pages = pages;
    pages.sort_by_key(|&k| std::cmp::Reverse(render::size_class(k)));
    let (results, assets, search) = std::thread::scope(|scope| {
        let search = (site.config.search && !opts.defer_search).then(|| {
            let export = || (crate::search::export::write(&site, staging.dir()), stage.elapsed());
            // Named, for profiles; a thread that cannot start leaves the export to this one.
            std::thread::Builder::new().name("planpress-search".into()).spawn_scoped(scope, export).map_err(|_| export)
        });
        let (results, assets) = rayon::join(
            || {
                pages
                    .par_iter()
                    .map(|&kind| {
                        let page = render::render_page(&site, &tera, &shared, kind).map_err(PageError::Render)?;
                        let bytes = output::write_page(staging.dir(), &page)
                            .map_err(|e| PageError::Write(output::write_error(&staging.dir().join(page.file()), &e)))?;
                        done.fetch_add(1, Ordering::Relaxed);
                        Ok(bytes)
                    })
                    .collect::<Vec<Result<usize, PageError>>>()
            },
            || write_assets(&opts.root, &site, &shared, staging.dir(), &page_paths),
        );
        stages.push(("ページの描画と書き出し", stage.elapsed()));
        let search = search.map(|h| match h {
            Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            Err(export) => export(),
        });
        (results, assets, search)
    });
    if let Some(p) = progress {
        p.stop();
    }
    let mut diags = Diagnostics::default();
    // Every page's render error counts; of write errors (a full disk fails every page
    // after it) the first says what is wrong and the rest are only counted.
    let (mut first_write, mut more_writes) = (None, 0usize);
    for e in results.into_iter().filter_map(Result::err) {
        match e {
            PageError::Render(d) => diags.push(d),
            PageError::Write(d) if first_write.is_none() => first_write = Some(d),
            PageError::Write(_) => more_writes += 1,
        }
    }
    if let Some(d) = first_write {
        diags.push(match more_writes {
            0 => d,
            n => Diagnostic {
                message: format!("{}(ほかに {n} ページも同じ理由で書き出せませんでした)", d.message),
                ..d
            },
        });
    }
    diags.into_result()?;
    let search_files = match search {
        Some((report, took)) => {
            stages.push(("検索用のデータ(ページと並行)", took));
            report?.files
        }
        None => 0,
    };
    let other_files = search_files + assets.map_err(|e| io_err(staging.dir(), e))?;
    // A body the pages could not read back from its scratch file was left out of them.
    if site.spilled_bodies.as_ref().is_some_and(|f| !f.intact()) {
        let d = Diagnostic::new(std::env::temp_dir(), "io", "本文を一時ファイルに書き出せないか、読み戻せませんでした")
            .help("一時フォルダ(TMPDIR)のディスクの空きを確かめて、もう一度組み立ててください");
        return Err(d.into());
    }
    let target = staging.target().to_path_buf();
    if opts.defer_search && site.config.search && target.join("search/manifest.json").is_file() {
        // Until they are refreshed, the last search files go on serving.
        crate::search::export::move_export(&target.join("search"), &staging.dir().join("search"))
            .map_err(|e| io_err(&out, e))?;
    }
    stage = Instant::now();
    let mut warnings = site.warnings.clone();
    warnings.extend(staging.commit()?);
    stages.push(("入れ替え", stage.elapsed()));
    let node_pages = pages.iter().filter(|k| matches!(k, PageKind::Node(..))).count();
    let redirects = pages.iter().filter(|k| matches!(k, PageKind::Redirect(..))).count();
    let report = BuildReport {
        pages: page_paths.len() - redirects,
        redirects,
        node_pages,
        other_files,
        elapsed: start.elapsed(),
        output: out,
        warnings,
        stages,
        drafts_left_out: site.drafts_left_out,
    };
    Ok(Built { report, site, tera })
}

/// Theme assets, the site's `static/`, sitemap and robots.txt.
fn write_assets(root: &Path, site: &Site, shared: &Shared, dir: &Path, paths: &[String]) -> std::io::Result<usize> {
    let assets = dir.join("assets");
    std::fs::create_dir_all(&assets)?;
    let mut n = 0;
    for f in templates::DEFAULT_THEME {
        if let Some(rel) = f.path.strip_prefix("static/") {
            let target = assets.join(rel);
            if let Some(p) = target.parent() {
                std::fs::create_dir_all(p)?;
            }
            std::fs::write(target, f.contents)?;
            n += 1;
        }
    }
    n += output::copy_tree(&root.join("themes").join(&site.config.theme).join("static"), &assets)?;
    // Images beside the Markdown, at their place under content/ (`content/plan/1/map.png` →
    // `plan/1/map.png`), before static/ so that a file of static/ of the same name wins.
    for file in &site.content_files {
        let Ok(inner) = file.strip_prefix("content") else { continue };
        let target = dir.join(inner);
        if let Some(p) = target.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::copy(root.join(file), target)?;
        n += 1;
    }
    n += output::copy_tree(&root.join("static"), dir)?;
    let data = dir.join("data");
    std::fs::create_dir_all(&data)?;
    std::fs::write(data.join("plan.schema.json"), output::open_data::SCHEMA)?;
    n += 1;
    site.plans.par_iter().try_for_each(|plan| {
        output::open_data::plan_files(plan, site)
            .iter()
            .try_for_each(|(path, bytes)| std::fs::write(dir.join(path), bytes))
    })?;
    n += site.plans.iter().map(|p| output::open_data::paths(p).len()).sum::<usize>();
    // A sitemap lists absolute URLs only: without a base_url that names a host there is
    // none (and robots.txt names none).
    if let Some(base_url) = site.config.host_base_url() {
        std::fs::write(dir.join("sitemap.xml"), output::site_sitemap(site, base_url, shared, paths.iter().cloned()))?;
        n += 1;
    }
    if let Some(robots) = output::robots(site.config.host_base_url()) {
        std::fs::write(dir.join("robots.txt"), robots)?;
        n += 1;
    }
    Ok(n)
}

/// A progress line on stderr, for long builds on a terminal.
struct Progress {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<()>,
}

impl Progress {
    fn start(total: usize, done: Arc<AtomicUsize>) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let begun = Instant::now();
            let mut shown = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if begun.elapsed() > Duration::from_millis(500) {
                    crate::diagnostics::print::err().progress(
                        "ページを書き出しています",
                        done.load(Ordering::Relaxed),
                        total,
                    );
                    shown = true;
                }
            }
            if shown {
                crate::diagnostics::print::err().end_progress();
            }
        });
        Progress { stop, handle }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.handle.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_count_is_read_back_from_the_summary() {
        let report = BuildReport {
            pages: 10234,
            redirects: 177,
            node_pages: 10000,
            other_files: 42,
            elapsed: Duration::from_millis(2100),
            output: PathBuf::from("/tmp/に書き出しました: 7 ページ"),
            warnings: Vec::new(),
            stages: Vec::new(),
            drafts_left_out: 3,
        };
        let stdout = format!("注意: …\n{}\n", report.summary());
        assert_eq!(BuildReport::pages_in_summary(&stdout), Some(10234));
        assert_eq!(BuildReport::pages_in_summary("完了"), None);
    }
}
