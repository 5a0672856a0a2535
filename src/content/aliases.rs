//! Old URLs of moved pages (`aliases = ["/old/path/"]` in any page's front matter): each
//! is read into a site-relative output path here, checked on its own (inside the site, a
//! usable name) where its file is parsed, and against every page and other alias once the
//! whole site is known. The redirect pages themselves are a page kind of the registry
//! (`render::pages`, `PageKind::Redirect`).

use super::checks::fold;
use super::loader::{RESERVED_IN_PLAN, RESERVED_TOP};
use super::model::{Alias, Site};
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::collections::HashMap;
use std::path::Path;
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;

const HELP: &str = "aliases には、このサイトの中の古い場所を、サイトのトップからのパスで書いてください(例: aliases = [\"/old/kosodate/\", \"keikaku/page12.html\"])";

/// The aliases of one file's page, each read by [`alias_path`]; `base_url` is the site's;
/// `line` gives the file's line of a span of the front matter. Problems go to `diags`.
pub(super) fn read_aliases(
    raw: &[Spanned<String>],
    base_url: &str,
    file: &Path,
    line: &dyn Fn(std::ops::Range<usize>) -> usize,
    diags: &mut Diagnostics,
) -> Vec<Alias> {
    let mut out: Vec<Alias> = Vec::new();
    for a in raw {
        let at = line(a.span());
        match alias_path(a.get_ref(), base_url) {
            Ok(path) => {
                if let Some(first) = out.iter().find(|o| o.path == path) {
                    diags.push(
                        Diagnostic::new(
                            file,
                            "alias",
                            format!("aliases の「{}」が2回あります({} 行目と同じ)", a.get_ref(), first.line),
                        )
                        .at_line(at)
                        .help("同じ古い URL は1回だけ書いてください"),
                    );
                    continue;
                }
                out.push(Alias { path, line: at });
            }
            Err(why) => diags.push(
                Diagnostic::new(file, "alias", format!("aliases の「{}」は使えません: {why}", a.get_ref()))
                    .at_line(at)
                    .help(HELP),
            ),
        }
    }
    out
}

/// The output path of the old URL `raw`: site-relative, NFC and percent-decoded, a folder
/// ending in `/` or a file ending in `.html`. A full URL of the site (`base_url…`)
/// is taken from after `base_url`; `/` is the site's top. The error says why not.
pub fn alias_path(raw: &str, base_url: &str) -> Result<String, String> {
    let raw = raw.trim();
    let rest = match raw.strip_prefix(base_url) {
        Some(rest) if !base_url.is_empty() => rest,
        _ if raw.contains("://") || raw.starts_with("//") => {
            return Err(if base_url.is_empty() {
                "サイトの外の URL です(site.toml に base_url がないので、サイトのトップからのパスで書いてください)"
                    .into()
            } else {
                format!("サイトの外の URL です(このサイトは {base_url})")
            });
        }
        _ => raw,
    };
    if rest.contains('?') || rest.contains('#') {
        return Err("? や # の付いた URL には転送のページを置けません".into());
    }
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .map_err(|_| "% の後の文字が URL の符号として読めません".to_string())?;
    let decoded: String = decoded.nfc().collect();
    let inner = decoded.trim_start_matches('/');
    if inner.is_empty() {
        return Err("サイトのトップページそのものです".into());
    }
    let dir = inner.ends_with('/');
    let segs: Vec<&str> = inner.trim_end_matches('/').split('/').collect();
    for s in &segs {
        if s.is_empty() {
            return Err("/ が続いています".into());
        }
        if *s == "." || *s == ".." {
            return Err(". や .. でサイトの外を指せません".into());
        }
        if s.starts_with('.') || s.chars().any(|c| c.is_whitespace() || c.is_control() || r#"\:*"<>|"#.contains(c)) {
            return Err(format!("「{s}」に、ファイル名に使えない文字(空白、\\ : * \" < > |、先頭の .)があります"));
        }
    }
    let joined = segs.join("/");
    let last = segs.last().copied().unwrap_or("");
    if !dir && last.ends_with(".htm") {
        return Err(".htm のページには転送のページを置けません(.html か、/ で終わる場所にしてください)".into());
    }
    Ok(if !dir && last.ends_with(".html") { joined } else { format!("{joined}/") })
}

/// Aliases against the site: no alias may be where a page is (also one planpress makes:
/// `assets/`, `<plan>/summary/` …) or where another alias is, also only in case.
pub fn check_site(site: &Site, diags: &mut Diagnostics) {
    let mut pages: HashMap<String, String> = HashMap::new();
    let mut note = |path: &str, source: &Path| {
        pages.entry(fold(path)).or_insert_with(|| source.display().to_string());
    };
    note("", &site.home.source);
    for p in &site.pages {
        note(&p.path, &p.source);
    }
    for plan in &site.plans {
        note(&plan.path(), &plan.source);
        for c in &plan.chapters {
            note(&c.path, &c.source);
        }
        for (ni, n) in plan.nodes.iter().enumerate().filter(|(_, n)| n.has_page) {
            note(&super::model::node_path(plan, ni), &n.source);
        }
    }
    let plan_ids: Vec<&str> = site.plans.iter().map(|p| p.id.as_str()).collect();
    let mut seen: HashMap<String, (&Path, usize)> = HashMap::new();
    for (owner, k) in site.aliases() {
        let alias = site.alias(owner, k);
        let file = site.alias_source(owner);
        let at =
            |msg: String, help: &str| Diagnostic::new(file, "alias", msg).at_line(alias.line).help(help.to_string());
        let key = fold(&alias.path);
        let (dir_key, index_key) = match key.strip_suffix("index.html") {
            Some(d) if d.is_empty() || d.ends_with('/') => (d.to_string(), key.clone()),
            _ => (key.clone(), format!("{key}index.html")),
        };
        let segs: Vec<&str> = alias.path.split('/').collect();
        if let Some(page) = pages.get(&dir_key) {
            diags.push(at(
                format!("aliases の /{} には、ページがあります({page})", alias.path),
                "ほかのページと同じ場所は古い URL にできません。aliases からこの行を消してください",
            ));
        } else if RESERVED_TOP.iter().any(|r| r.eq_ignore_ascii_case(segs[0]))
            || (segs.len() > 2
                && plan_ids.iter().any(|p| fold(p) == fold(segs[0]))
                && RESERVED_IN_PLAN.iter().any(|r| r.eq_ignore_ascii_case(segs[1])))
        {
            diags.push(at(
                format!("aliases の /{} は planpress が作るページやファイルの場所です", alias.path),
                "別の古い URL を書くか、aliases からこの行を消してください",
            ));
        } else if let Some((other, line)) = seen.get(&dir_key).or_else(|| seen.get(&index_key)) {
            diags.push(at(
                format!("aliases の /{} は {}:{line} の aliases にもあります", alias.path, other.display()),
                "1つの古い URL から転送できるのは1つのページだけです。どちらかを消してください",
            ));
        } else {
            seen.insert(dir_key, (file, alias.line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_urls_become_output_paths() {
        let base = "https://www.city.example.lg.jp/keikaku/";
        let ok = |s: &str| alias_path(s, base).unwrap();
        assert_eq!(ok("/old/path/"), "old/path/");
        assert_eq!(ok("old-plan/1-2"), "old-plan/1-2/");
        assert_eq!(ok("/keikaku/page12.html"), "keikaku/page12.html");
        assert_eq!(ok("https://www.city.example.lg.jp/keikaku/old/"), "old/");
        assert_eq!(ok("/%E5%9F%BA%E6%9C%AC/"), "基本/");
        assert_eq!(ok("/か\u{3099}/"), "が/", "NFC");
        for bad in [
            "https://other.example.jp/x/",
            "old/page.htm",
            "//x/y/",
            "/",
            "",
            "../x/",
            "a/./b/",
            "a//b/",
            "x/?id=1",
            "x/#a",
            "a b/",
        ] {
            assert!(alias_path(bad, base).is_err(), "{bad:?}");
        }
    }
}
