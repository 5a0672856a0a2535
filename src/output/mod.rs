//! Writing the site: sitemap and robots.txt, static files, and the staging folder that is
//! swapped into place only when everything succeeded.

pub mod collisions;
pub mod open_data;
pub mod staging;

use crate::render::RenderedPage;
use std::collections::HashMap;
use std::path::Path;

/// `sitemap.xml` of `site` with `pages` (site paths): they and every plan's open data,
/// in order, each page with its 最終更新日 as `<lastmod>` where it has one.
pub fn site_sitemap(
    site: &crate::content::model::Site,
    base_url: &str,
    shared: &crate::render::Shared,
    pages: impl IntoIterator<Item = String>,
) -> String {
    // Redirect pages at old URLs are not pages of their own.
    let aliases: std::collections::HashSet<&str> =
        site.aliases().into_iter().map(|(owner, k)| site.alias(owner, k).path.as_str()).collect();
    let mut listed: Vec<String> = pages.into_iter().filter(|p| !aliases.contains(p.as_str())).collect();
    for plan in &site.plans {
        listed.extend(open_data::paths(plan));
    }
    listed.sort();
    sitemap(base_url, &listed, &crate::render::lastmod(site, shared))
}

/// `sitemap.xml` listing every page but the 404 page and the search page, with the
/// `<lastmod>` of `lastmod` (by site path).
pub fn sitemap(base_url: &str, pages: &[String], lastmod: &HashMap<String, String>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in pages.iter().filter(|p| !p.ends_with("404.html") && p.as_str() != crate::render::SEARCH_PATH) {
        out.push_str("  <url><loc>");
        out.push_str(&crate::html::escape(&format!("{base_url}{}", crate::html::percent_encode_path(p))));
        out.push_str("</loc>");
        if let Some(date) = lastmod.get(p) {
            out.push_str("<lastmod>");
            out.push_str(&crate::html::escape(date));
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// `robots.txt` pointing at the sitemap, for a site at the root of its host (`base_url`
/// whose path is `/`). Crawlers read robots.txt only at the root of a host: under a
/// sub-path (`/keikaku/`) the file would be ignored, so none is written and the city adds
/// the `Sitemap:` line to its own (docs/CONTENT.md §9).
pub fn robots(base_url: Option<&str>) -> Option<String> {
    let base_url = base_url?;
    (base_url.contains("://") && crate::config::base_path_of(base_url) == "/")
        .then(|| format!("User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n"))
}

/// The diagnostic for a file that could not be written: a full disk (or quota, or file
/// size limit) says so in plain words; anything else names the OS error.
pub fn write_error(path: &Path, e: &std::io::Error) -> crate::diagnostics::Diagnostic {
    use crate::diagnostics::Diagnostic;
    match e.raw_os_error() {
        #[cfg(target_os = "linux")]
        Some(libc::ENOSPC | libc::EDQUOT | libc::EFBIG) => {
            Diagnostic::new(path, "io", "ディスクの空きが足りないため書き出せません").help(
                "出力先のディスク(またはその割り当て)に空きを作ってから、もう一度 build してください。\
                 前回のサイトはそのまま残っています",
            )
        }
        _ => Diagnostic::new(path, "io", format!("書き出せません({})", crate::diagnostics::io_reason(e)))
            .help("出力先のフォルダ(とその親のフォルダ)に書き込めるか、ディスクの空きを確認してください")
            .detail(e.to_string()),
    }
}

/// Writes one rendered page under `dir`.
pub fn write_page(dir: &Path, page: &RenderedPage) -> std::io::Result<usize> {
    let file = dir.join(page.file());
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&file, &page.html)?;
    Ok(page.html.len())
}

/// Copies every file under `from` into `to` (keeping the folder layout); returns the count.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    if !from.is_dir() {
        return Ok(0);
    }
    for entry in walkdir::WalkDir::new(from).follow_links(false) {
        let entry = entry.map_err(std::io::Error::other)?;
        let rel = entry.path().strip_prefix(from).expect("walkdir yields paths under its root");
        if entry.file_name().to_string_lossy().starts_with('.') && entry.depth() > 0 {
            continue;
        }
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target)?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_names_a_sitemap_only_when_there_is_one() {
        assert!(robots(Some("https://a.jp/")).unwrap().contains("Sitemap: https://a.jp/sitemap.xml"));
        assert_eq!(robots(None), None, "without base_url there is no sitemap to name");
    }

    #[test]
    fn sitemap_lists_pages_not_404() {
        let dates = HashMap::from([("p/1/".to_string(), "2026-04-01".to_string())]);
        let s = sitemap("https://a.jp/k/", &["".into(), "p/1/".into(), "404.html".into()], &dates);
        assert!(s.contains("<loc>https://a.jp/k/</loc>"));
        assert!(s.contains("<loc>https://a.jp/k/p/1/</loc><lastmod>2026-04-01</lastmod></url>"), "{s}");
        assert!(s.contains("<loc>https://a.jp/k/</loc></url>"), "no date, no lastmod: {s}");
        assert!(!s.contains("404"));
    }

    #[test]
    fn regression_robots_only_at_the_host_root() {
        // robots.txt under /keikaku/ was written where no crawler looks for it.
        assert_eq!(robots(Some("https://a.jp/keikaku/")), None);
        assert_eq!(robots(Some("/")), None, "a path alone cannot name the sitemap");
        let root = robots(Some("https://plan.a.jp/")).expect("a site at the host root has robots.txt");
        assert!(root.contains("Sitemap: https://plan.a.jp/sitemap.xml"), "{root}");
    }

    #[test]
    fn sitemap_encodes_paths() {
        let s = sitemap("https://a.jp/k/", &["a/子/".into()], &HashMap::new());
        assert!(s.contains("<loc>https://a.jp/k/a/%E5%AD%90/</loc>"), "{s}");
    }
}
