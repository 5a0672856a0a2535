//! Every internal link and `#anchor` in the output resolves to a file and an element id.

use crate::diagnostics::Diagnostic;
use scraper::{Html, Selector};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A parsed output page: its ids and outgoing references.
struct PageRefs {
    ids: HashSet<String>,
    /// (attribute value, element name)
    refs: Vec<String>,
}

/// Checks every HTML file under `dir`. `base_path` (`/keikaku/`) resolves root-absolute
/// links, as the 404 page uses them.
pub fn check_links(dir: &Path, base_path: &str) -> Vec<Diagnostic> {
    let pages = read_pages(dir);
    let mut out = Vec::new();
    for (file, page) in &pages {
        for r in &page.refs {
            if let Some(f) = check_ref(dir, file, r, base_path, &pages) {
                out.push(f);
            }
        }
    }
    for f in &mut out {
        // Tera escapes `/` as `&#x2F;` in attributes: search the text with it decoded
        // (the line count does not change).
        let text = std::fs::read_to_string(dir.join(&f.file)).unwrap_or_default().replace("&#x2F;", "/");
        let href = f.message.split_whitespace().nth(1).unwrap_or("");
        f.line = super::line_of_text(&text, &format!("\"{href}\"")).or_else(|| super::line_of_text(&text, href));
    }
    out.sort_by(|a, b| (&a.file, &a.message).cmp(&(&b.file, &b.message)));
    out
}

/// Internal targets reachable from `start` (an output file) by following links.
pub fn reachable(dir: &Path, start: &str, base_path: &str) -> HashSet<PathBuf> {
    let pages = read_pages(dir);
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut queue = vec![PathBuf::from(start)];
    while let Some(f) = queue.pop() {
        if !seen.insert(f.clone()) {
            continue;
        }
        if let Some(p) = pages.get(&f) {
            for r in &p.refs {
                if let Some((target, _)) = resolve(&f, r, base_path) {
                    if pages.contains_key(&target) && !seen.contains(&target) {
                        queue.push(target);
                    }
                }
            }
        }
    }
    seen
}

fn read_pages(dir: &Path) -> HashMap<PathBuf, PageRefs> {
    let any_id = Selector::parse("[id]").expect("valid selector");
    let linked = Selector::parse("a[href], link[href], img[src], script[src], form[action]").expect("valid selector");
    let mut pages = HashMap::new();
    for (rel, text) in super::html_files(dir) {
        let doc = Html::parse_document(&text);
        let ids = doc.select(&any_id).filter_map(|e| e.value().attr("id")).map(str::to_string).collect();
        let refs = doc
            .select(&linked)
            .filter(|e| e.value().attr("rel") != Some("canonical"))
            .filter_map(|e| {
                let v = e.value();
                v.attr("href").or(v.attr("src")).or(v.attr("action")).map(str::to_string)
            })
            .collect();
        pages.insert(rel, PageRefs { ids, refs });
    }
    pages
}

/// Resolves `href` found in output file `from` to (output file, fragment); `None` for
/// external links.
fn resolve(from: &Path, href: &str, base_path: &str) -> Option<(PathBuf, Option<String>)> {
    let lower = href.to_ascii_lowercase();
    if lower.contains("://")
        || lower.starts_with("//")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:")
        || lower.starts_with("data:")
    {
        return None;
    }
    let (path, frag) = match href.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (href, None),
    };
    let path = path.split('?').next().unwrap_or("");
    let mut parts: Vec<String> = if path.is_empty() {
        return Some((from.to_path_buf(), frag));
    } else if let Some(abs) = path.strip_prefix('/') {
        let base = base_path.trim_start_matches('/');
        let Some(inside) = abs.strip_prefix(base).or_else(|| (abs.to_string() + "/" == base).then_some("")) else {
            return Some((PathBuf::from(format!("<outside {base_path}>{path}")), frag));
        };
        inside.split('/').map(str::to_string).collect()
    } else {
        let mut v: Vec<String> =
            from.parent().map(|p| p.iter().map(|s| s.to_string_lossy().into_owned()).collect()).unwrap_or_default();
        v.extend(path.split('/').map(str::to_string));
        v
    };
    let dir_like = path.ends_with('/') || path.ends_with("/.") || path.ends_with("..") || path == ".";
    let mut norm: Vec<String> = Vec::new();
    for p in parts.drain(..) {
        match p.as_str() {
            "" | "." => {}
            ".." => {
                norm.pop();
            }
            _ => norm.push(percent_decode(&p)),
        }
    }
    let mut file: PathBuf = norm.iter().collect();
    if dir_like || file.as_os_str().is_empty() {
        file.push("index.html");
    }
    Some((file, frag))
}

fn check_ref(
    dir: &Path,
    from: &Path,
    href: &str,
    base_path: &str,
    pages: &HashMap<PathBuf, PageRefs>,
) -> Option<Diagnostic> {
    let (target, frag) = resolve(from, href, base_path)?;
    let exists = pages.contains_key(&target) || dir.join(&target).is_file();
    if !exists {
        let hint =
            if dir.join(&target).is_dir() { "(フォルダへのリンクは / で終えてください)" } else { "" };
        return Some(Diagnostic::new(from, "broken-link", format!("リンク先 {href} がありません{hint}")));
    }
    let frag = frag.filter(|f| !f.is_empty())?;
    let page = pages.get(&target)?;
    (!page.ids.contains(&frag))
        .then(|| Diagnostic::new(from, "broken-anchor", format!("リンク先 {href} に id「{frag}」の要素がありません")))
}

/// Decodes `%XX` sequences as a browser does: a `%` not followed by two hex digits stays
/// as it is, and bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for (p, c) in files {
            let path = t.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, c).unwrap();
        }
        t
    }

    #[test]
    fn finds_broken_links_and_anchors() {
        let t = site(&[
            (
                "index.html",
                r##"<a href="a/">a</a><a href="a/#x">x</a><a href="a/#nope">n</a><a href="b/">b</a><a href="https://e.jp/">e</a>"##,
            ),
            (
                "a/index.html",
                r##"<h2 id="x">x</h2><a href="../">up</a><a href="#%E8%AA%B2%E9%A1%8C">j</a><p id="課題"></p>"##,
            ),
        ]);
        let f = check_links(t.path(), "/");
        let msgs: Vec<String> = f.iter().map(|f| format!("{} {}", f.rule, f.message)).collect();
        assert_eq!(f.len(), 2, "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("broken-anchor") && m.contains("nope")));
        assert!(msgs.iter().any(|m| m.starts_with("broken-link") && m.contains("b/")));
    }

    #[test]
    fn root_absolute_links_use_base_path() {
        let t = site(&[("404.html", r#"<a href="/k/">home</a><a href="/k/x/">x</a>"#), ("index.html", "")]);
        let f = check_links(t.path(), "/k/");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("/k/x/"));
    }

    #[test]
    fn percent_decode_handles_multibyte_and_junk() {
        assert_eq!(percent_decode("%E8%AA%B2"), "課");
        assert_eq!(percent_decode("%課題%"), "%課題%");
        assert_eq!(percent_decode("a%2"), "a%2");
    }

    #[test]
    fn reachability_follows_links() {
        let t = site(&[
            ("index.html", r#"<a href="a/">a</a>"#),
            ("a/index.html", r#"<a href="../">h</a>"#),
            ("b/index.html", ""),
        ]);
        let r = reachable(t.path(), "index.html", "/");
        assert!(r.contains(Path::new("a/index.html")));
        assert!(!r.contains(Path::new("b/index.html")));
    }
}
