//! Writing the site: minify, sitemap and robots.txt, static files, and the staging folder
//! that is swapped into place only when everything succeeded.

pub mod collisions;
pub mod open_data;
pub mod staging;

use crate::render::RenderedPage;
use std::path::Path;

/// Minifies HTML with minify-html (spec-compliant settings: valid HTML5 comes out).
pub fn minify(html: &str) -> Vec<u8> {
    let cfg =
        minify_html::Cfg { keep_closing_tags: false, keep_html_and_head_opening_tags: true, ..Default::default() };
    minify_html::minify(html.as_bytes(), &cfg)
}

/// `sitemap.xml` listing every page but the 404 page and the search page.
pub fn sitemap(base_url: &str, pages: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in pages.iter().filter(|p| !p.ends_with("404.html") && p.as_str() != crate::render::SEARCH_PATH) {
        out.push_str("  <url><loc>");
        out.push_str(&crate::html::escape(&format!("{base_url}{}", percent_encode_path(p))));
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// `robots.txt` pointing at the sitemap.
pub fn robots(base_url: &str) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n")
}

/// Percent-encodes non-ASCII and reserved characters of a path, keeping `/`.
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/#".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
    fn sitemap_lists_pages_not_404() {
        let s = sitemap("https://a.jp/k/", &["".into(), "p/1/".into(), "404.html".into()]);
        assert!(s.contains("<loc>https://a.jp/k/</loc>"));
        assert!(s.contains("<loc>https://a.jp/k/p/1/</loc>"));
        assert!(!s.contains("404"));
    }

    #[test]
    fn minify_keeps_lang_and_doctype() {
        let out = String::from_utf8(minify(
            "<!DOCTYPE html>\n<html lang=\"ja\">\n<head><title>t</title></head>\n<body>\n<p>本文 </p>\n</body></html>",
        ))
        .unwrap();
        assert!(out.to_lowercase().starts_with("<!doctype html>"), "{out}");
        assert!(out.contains("lang=ja"), "{out}");
    }

    #[test]
    fn percent_encoding() {
        assert_eq!(percent_encode_path("a/子/"), "a/%E5%AD%90/");
    }
}
