//! Moved pages (issue #15): `aliases` in front matter write a redirect page at each old URL
//! that works on any static host (meta refresh, canonical, a visible link, no script), and
//! leave it out of the sitemap and search; aliases that cannot be are errors with file and
//! line.

mod common;

use common::*;
use std::path::Path;

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let p = root.join(rel);
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(p, f(t)).unwrap();
}

/// Puts `line` into the front matter of `rel` as its line 2.
fn front(root: &Path, rel: &str, line: &str) {
    edit(root, rel, |t| t.replacen("+++\n", &format!("+++\n{line}\n"), 1));
}

#[test]
fn aliases_write_redirect_pages() {
    let site = copy_site(&fixture("mine"));
    let r = site.path();
    front(
        r,
        "content/mine-2/5.md",
        r#"aliases = ["/old/gikai/", "https://www.city.mine.lg.jp/sakutei/keikaku/page12.html", "mine-1/5", "/%E6%97%A7/"]"#,
    );
    front(r, "content/mine-2/_plan.md", r#"aliases = ["mine-old/"]"#);
    let out = r.join("public");
    let o = build(r, Some(&out));
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(out.join("old/gikai/index.html")).unwrap();
    assert!(page.contains(r#"<meta content="0; url=../../mine-2/5/" http-equiv=refresh>"#), "{page}");
    assert!(page.contains("<link href=https://www.city.mine.lg.jp/sakutei/mine-2/5/ rel=canonical>"), "{page}");
    assert!(page.contains("このページは移動しました: <a href=../../mine-2/5/>議会との連携</a>"), "{page}");
    assert!(page.contains("<meta content=noindex name=robots>") && page.contains("<html lang=ja>"), "{page}");
    // No script to run (strict CSP): JSON-LD data only.
    assert_eq!(page.matches("<script").count(), page.matches("<script type=application/ld+json>").count(), "{page}");
    let file = std::fs::read_to_string(out.join("keikaku/page12.html")).unwrap();
    assert!(file.contains(r#"url=../mine-2/5/""#), "a file alias is one folder up: {file}");
    assert!(out.join("mine-1/5/index.html").is_file() && out.join("旧/index.html").is_file());
    let plan = std::fs::read_to_string(out.join("mine-old/index.html")).unwrap();
    assert!(plan.contains("url=../mine-2/"), "{plan}");
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains("old/") && !sitemap.contains("page12") && !sitemap.contains("mine-1/"), "{sitemap}");
    // Not in search: the search documents name pages, and no redirect among them.
    let docs = planpress(&["search", "--root", r.to_str().unwrap(), "移動しました"]);
    assert!(!text(&docs).contains("old/gikai"), "{}", text(&docs));
    // Every link of the redirect pages works.
    let o = planpress(&["check", "--root", r.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

fn fails_with(setup: impl FnOnce(&Path), expect: &[&str]) {
    let site = copy_site(&fixture("mine"));
    setup(site.path());
    let o = build(site.path(), Some(&site.path().join("public")));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("直し方:"), "{out}");
    for e in expect {
        assert!(out.contains(e), "expected {e:?} in:\n{out}");
    }
}

#[test]
fn an_alias_where_a_page_is_is_an_error() {
    fails_with(
        |r| front(r, "content/mine-2/5.md", r#"aliases = ["/mine-2/6/"]"#),
        &["content/mine-2/5.md:2: aliases の /mine-2/6/ には、ページがあります(content/mine-2/6.md)", "[alias]"],
    );
}

#[test]
fn an_alias_in_two_files_is_an_error() {
    fails_with(
        |r| {
            front(r, "content/mine-2/5.md", r#"aliases = ["/old/"]"#);
            front(r, "content/mine-2/6.md", r#"aliases = ["old/index.html"]"#);
        },
        &["content/mine-2/6.md:2: aliases の /old/index.html は content/mine-2/5.md:2 の aliases にもあります"],
    );
}

#[test]
fn an_alias_twice_in_one_file_is_an_error() {
    fails_with(
        |r| front(r, "content/mine-2/5.md", "aliases = [\n  \"/old/\",\n  \"old\",\n]"),
        &["content/mine-2/5.md:4: aliases の「old」が2回あります(3 行目と同じ)"],
    );
}

#[test]
fn an_alias_outside_the_site_is_an_error() {
    fails_with(
        |r| front(r, "content/mine-2/5.md", r#"aliases = ["https://example.com/x/", "../x/"]"#),
        &["content/mine-2/5.md:2: aliases の「https://example.com/x/」は使えません: サイトの外の URL です", ". や .."],
    );
}

#[test]
fn an_alias_on_planpress_s_own_pages_is_an_error() {
    fails_with(
        |r| front(r, "content/mine-2/5.md", r#"aliases = ["/assets/x/", "mine-2/summary/old/"]"#),
        &["aliases の /assets/x/ は planpress が作る", "aliases の /mine-2/summary/old/ は planpress が作る"],
    );
}

#[test]
fn an_alias_on_a_static_file_is_an_error() {
    fails_with(
        |r| {
            front(r, "content/mine-2/5.md", r#"aliases = ["/old/"]"#);
            std::fs::create_dir_all(r.join("static/old")).unwrap();
            std::fs::write(r.join("static/old/index.html"), "x").unwrap();
        },
        &["static/old/index.html は、planpress が書き出す old/index.html と同じ場所"],
    );
}
