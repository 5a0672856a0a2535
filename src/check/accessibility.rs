//! Accessibility faults a machine can see in built HTML: images without alt, skipped
//! heading levels, links without text, tables without headers, duplicate ids, missing lang.

use super::{line_of_nth_tag, line_of_text};
use crate::diagnostics::Diagnostic;
use scraper::{ElementRef, Html, Selector};
use std::collections::HashMap;
use std::path::Path;

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

/// Checks every HTML file under `dir`.
pub fn check_dir(dir: &Path) -> Vec<Diagnostic> {
    super::html_files(dir).flat_map(|(rel, text)| check_page(&rel, &text)).collect()
}

/// Checks one page's HTML.
pub fn check_page(file: &Path, text: &str) -> Vec<Diagnostic> {
    let doc = Html::parse_document(text);
    let mut out = Vec::new();
    let mut push = |line: Option<usize>, rule: &'static str, message: String| {
        out.push(Diagnostic::new(file, rule, message).at_opt_line(line));
    };
    // lang
    let html = doc.select(&sel("html")).next();
    if html.and_then(|h| h.value().attr("lang")).is_none_or(|l| l.trim().is_empty()) {
        push(
            line_of_nth_tag(text, "html", 0),
            "html-lang",
            "<html> に lang 属性がありません(日本語なら lang=\"ja\")".into(),
        );
    }
    // images without alt
    for (i, img) in doc.select(&sel("img")).enumerate() {
        if img.value().attr("alt").is_none() {
            let src = img.value().attr("src").unwrap_or("");
            push(
                line_of_nth_tag(text, "img", i),
                "image-alt",
                format!("画像 {src} に alt 属性(代替テキスト)がありません"),
            );
        }
    }
    // skipped heading levels
    let mut last = 0usize;
    let headings = sel("h1, h2, h3, h4, h5, h6");
    let mut nth: HashMap<&str, usize> = HashMap::new();
    for h in doc.select(&headings) {
        let name = h.value().name();
        let level: usize = name[1..].parse().unwrap_or(1);
        let k = nth.entry(name).or_insert(0);
        if last > 0 && level > last + 1 {
            let t: String = h.text().collect();
            push(
                line_of_nth_tag(text, name, *k),
                "heading-order",
                format!("見出し h{level}「{}」の前に h{} がありません(h{last} の次)", t.trim(), level - 1),
            );
        }
        *k += 1;
        last = level;
    }
    // links without text
    for (i, a) in doc.select(&sel("a[href]")).enumerate() {
        if accessible_name(a).trim().is_empty() {
            let href = a.value().attr("href").unwrap_or("");
            push(
                line_of_nth_tag(text, "a", i).or(line_of_text(text, href)),
                "link-name",
                format!("リンク {href} に読み上げられる文字がありません"),
            );
        }
    }
    // tables without headers
    for (i, t) in doc.select(&sel("table")).enumerate() {
        if t.select(&sel("th")).next().is_none() {
            push(line_of_nth_tag(text, "table", i), "table-header", "表に見出しのセル(th)がありません".into());
        }
    }
    // duplicate ids
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for e in doc.select(&sel("[id]")) {
        let id = e.value().attr("id").unwrap_or("");
        *seen.entry(id).or_insert(0) += 1;
    }
    let mut dups: Vec<_> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
    dups.sort();
    for (id, n) in dups {
        push(line_of_text(text, &format!("id=\"{id}\"")), "duplicate-id", format!("id「{id}」が {n} 回使われています"));
    }
    out
}

/// Text a screen reader would announce for a link: aria-label, text, or alt of images.
fn accessible_name(a: ElementRef) -> String {
    if let Some(l) = a.value().attr("aria-label") {
        return l.to_string();
    }
    let mut s: String = a.text().collect();
    for img in a.select(&sel("img[alt]")) {
        s.push_str(img.value().attr("alt").unwrap_or(""));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(html: &str) -> Vec<&'static str> {
        check_page(Path::new("p.html"), html).into_iter().map(|f| f.rule).collect()
    }

    const GOOD: &str = "<!DOCTYPE html>\n<html lang=\"ja\">\n<title>t</title>\n<h1>a</h1>\n<h2 id=\"x\">b</h2>\n<h3>c</h3>\n<h2>d</h2>\n<img src=\"a.png\" alt=\"地図\">\n<img src=\"deco.png\" alt=\"\">\n<a href=\"x\">x</a>\n<a href=\"y\" aria-label=\"次へ\"></a>\n<a href=\"z\"><img src=\"i.png\" alt=\"ホーム\"></a>\n<table><tr><th scope=\"col\">a</th></tr><tr><td>1</td></tr></table>\n</html>";

    #[test]
    fn a_clean_page_passes_every_rule() {
        assert!(rules(GOOD).is_empty(), "{:?}", check_page(Path::new("p.html"), GOOD));
    }

    #[test]
    fn each_rule_fails_on_its_fault_with_a_line() {
        let cases = [
            ("html-lang", GOOD.replace("<html lang=\"ja\">", "<html>"), 2),
            ("image-alt", GOOD.replace("<img src=\"a.png\" alt=\"地図\">", "<img src=\"a.png\">"), 8),
            ("heading-order", GOOD.replace("<h3>c</h3>", "<h4>c</h4>"), 6),
            ("link-name", GOOD.replace("<a href=\"x\">x</a>", "<a href=\"x\"></a>"), 10),
            ("table-header", GOOD.replace("<th scope=\"col\">a</th>", "<td>a</td>"), 13),
            ("duplicate-id", GOOD.replace("<h3>c</h3>", "<h3 id=\"x\">c</h3>"), 5),
        ];
        for (rule, html, line) in cases {
            let f = check_page(Path::new("p.html"), &html);
            assert_eq!(f.len(), 1, "{rule}: {f:?}");
            assert_eq!(f[0].rule, rule);
            assert_eq!(f[0].line, Some(line), "{rule}: {}", f[0]);
        }
    }
}
