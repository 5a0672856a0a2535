//! Japanese file and folder names in `content/` (issue #15): pages get readable URLs, links
//! to `基本構想.md` resolve, names saved decomposed (NFD, as macOS writes them) are one page,
//! and every page of such a site checks out (`planpress check`).

mod common;

use common::*;
use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// NFD, as macOS writes file names.
fn nfd(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd().collect()
}

/// The 美祢 fixture with Japanese names: nodes with and without `number` and `id`, a chapter,
/// a free page saved with an NFD name, and a second plan in a Japanese folder.
fn japanese_site() -> tempfile::TempDir {
    let site = copy_site(&fixture("mine"));
    let r = site.path();
    write(r, "content/mine-2/基本構想.md", "+++\ntitle = \"基本構想\"\n+++\n\n基本構想の本文。\n");
    write(
        r,
        "content/mine-2/計画の推進に向けて.md",
        "+++\ntitle = \"計画の推進に向けて\"\nnumber = \"7-(1)\"\n+++\n\n推進の本文。\n",
    );
    write(r, "content/mine-2/財政計画.md", "+++\nid = \"zaisei\"\ntitle = \"財政計画\"\n+++\n\n本文。\n");
    write(
        r,
        "content/mine-2/_pages/はじめに.md",
        "+++\ntitle = \"はじめに\"\n+++\n\n[基本構想](@/mine-2/基本構想.md)と[推進](@/mine-2/計画の推進に向けて.md)。\n",
    );
    write(r, &format!("content/info/{}.md", nfd("サイトポリシー")), "+++\ntitle = \"サイトポリシー\"\nfooter = true\n+++\n\n[基本構想](@/mine-2/%E5%9F%BA%E6%9C%AC%E6%A7%8B%E6%83%B3.md)と[はじめに](@/mine-2/_pages/はじめに.md)。\n");
    write(
        r,
        &format!("content/{}/_plan.md", nfd("第2次総合計画")),
        "+++\ntitle = \"第2次総合計画\"\nperiod = { start = \"R3\", end = \"R7\" }\nlevels = [\"政策\"]\n+++\n\n第2次の計画。\n",
    );
    write(
        r,
        &format!("content/{}/{}.md", nfd("第2次総合計画"), nfd("まちづくり")),
        "+++\ntitle = \"まちづくり\"\n+++\n\n本文。\n",
    );
    site
}

#[test]
fn japanese_names_give_pages_with_readable_urls() {
    let site = japanese_site();
    let out = site.path().join("public");
    let o = build(site.path(), Some(&out));
    // (File names print as saved: NFD ones compose here for comparing.)
    let log: String = unicode_normalization::UnicodeNormalization::nfc(text(&o).as_str()).collect();
    assert!(o.status.success(), "{log}");
    for page in [
        "mine-2/基本構想/index.html",
        "mine-2/7-1/index.html",
        "mine-2/zaisei/index.html",
        "mine-2/はじめに/index.html",
        "info/サイトポリシー/index.html",
        "第2次総合計画/index.html",
        "第2次総合計画/まちづくり/index.html",
    ] {
        assert!(out.join(page).is_file(), "{page} missing:\n{log}");
    }
    // A warning for each URL made from a Japanese name, none where number or id gave one.
    for file in ["基本構想.md", "_pages/はじめに.md", "サイトポリシー.md", "第2次総合計画/_plan.md", "まちづくり.md"]
    {
        let warned = log.lines().any(|l| l.contains("[japanese-url]") && l.contains(file));
        assert!(warned, "no warning for {file}:\n{log}");
    }
    assert!(!log.lines().any(|l| l.contains("[japanese-url]") && (l.contains("推進") || l.contains("財政"))), "{log}");
    // Links to the Japanese files resolve, also percent-encoded.
    let page = std::fs::read_to_string(out.join("mine-2/はじめに/index.html")).unwrap();
    assert!(page.contains("mine-2/7-1/\">推進"), "{page}");
    assert!(page.contains("mine-2/%E5%9F%BA%E6%9C%AC%E6%A7%8B%E6%83%B3/\">基本構想"), "{page}");
    let policy = std::fs::read_to_string(out.join("info/サイトポリシー/index.html")).unwrap();
    assert!(policy.contains("mine-2/%E5%9F%BA%E6%9C%AC%E6%A7%8B%E6%83%B3/\""), "{policy}");
    assert!(policy.contains("mine-2/%E3%81%AF%E3%81%98%E3%82%81%E3%81%AB/\""), "{policy}");
    // The sitemap encodes the names.
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("mine-2/%E5%9F%BA%E6%9C%AC%E6%A7%8B%E6%83%B3/</loc>"), "{sitemap}");
    assert!(!sitemap.contains("基本構想"), "{sitemap}");
}

#[test]
fn a_site_with_japanese_names_checks_out() {
    let site = japanese_site();
    let o = planpress(&["check", "--root", site.path().to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("問題はありません"), "{out}");
}

#[test]
fn regression_nfd_and_nfc_names_are_one_page() {
    let site = copy_site(&fixture("mine"));
    let r = site.path();
    write(r, "content/info/がいよう.md", "+++\ntitle = \"A\"\n+++\n");
    write(r, &format!("content/info/{}.md", nfd("がいよう")), "+++\ntitle = \"B\"\n+++\n");
    if std::fs::read_dir(r.join("content/info")).unwrap().count() < 2 {
        return; // a file system that composes names itself has one file: nothing to clash
    }
    let o = build(r, Some(&r.join("public")));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("[case-collision]"), "{out}");
}

#[test]
fn names_with_spaces_or_url_marks_are_errors() {
    let site = copy_site(&fixture("mine"));
    let r = site.path();
    write(r, "content/mine-2/基本 構想.md", "+++\ntitle = \"基本構想\"\n+++\n");
    write(r, "content/info/a&b.md", "+++\ntitle = \"A\"\n+++\n");
    let o = build(r, Some(&r.join("public")));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("content/mine-2/基本 構想.md:1: ファイル名・フォルダ名「基本 構想」は URL に使えません"),
        "{out}"
    );
    assert!(out.contains("content/info/a&b.md"), "{out}");
    assert!(out.contains("空白と記号"), "{out}");
}
