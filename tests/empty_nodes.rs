//! Nodes with nothing to show (#16 item 2): a node without a body, indicators, evaluations
//! or children is a section of its parent's page, not a page with a title and nothing else;
//! its old URL redirects to the section; `pages = true` on its level keeps its page. And the
//! sitemap's `<lastmod>` of pages made from the plans.

mod common;

use common::*;
use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A small plan: 分野 1 with 施策 1-1 (directions 1-1-1 empty, 1-1-2 with a body) and 1-2,
/// whose body links to the empty direction. `level3` is how the third level is written.
fn site(level3: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "site.toml",
        "title = \"テスト市 総合計画\"\nmunicipality = \"テスト市\"\nbase_url = \"https://example.jp/k/\"\n",
    );
    write(
        r,
        "content/p/_plan.md",
        &format!(
            "+++\ntitle = \"テスト市総合計画\"\nupdated = \"2026-01-10\"\nlevels = [\"分野\", \"施策\", {level3}]\n+++\n\n計画の本文です。\n"
        ),
    );
    write(
        r,
        "content/p/1/_index.md",
        "+++\nid = \"1\"\ntitle = \"分野一\"\nupdated = \"2026-02-01\"\n+++\n\n分野の本文です。\n",
    );
    write(
        r,
        "content/p/1/1-1/_index.md",
        "+++\nid = \"1-1\"\ntitle = \"施策一\"\nupdated = \"2026-03-05\"\n+++\n\n施策の本文です。\n",
    );
    write(
        r,
        "content/p/1/1-1/1-1-1.md",
        "+++\nid = \"1-1-1\"\nnumber = \"①\"\ntitle = \"からっぽの方向\"\nupdated = \"2026-04-01\"\n+++\n   \n",
    );
    write(
        r,
        "content/p/1/1-1/1-1-2.md",
        "+++\nid = \"1-1-2\"\nnumber = \"②\"\ntitle = \"中身のある方向\"\nsdgs = [4]\nupdated = \"2026-03-20\"\n+++\n\n方向の本文です。\n",
    );
    write(
        r,
        "content/p/1/1-2.md",
        "+++\nid = \"1-2\"\ntitle = \"施策二\"\nupdated = \"2026-02-15\"\n+++\n\n[からっぽの方向](@/p/1/1-1/1-1-1.md)を見てください。\n",
    );
    // An empty top-level node has no parent page: it keeps its own.
    write(r, "content/p/2.md", "+++\nid = \"2\"\ntitle = \"分野二\"\n+++\n");
    dir
}

fn build_site(root: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let o = build(root, Some(out.path()));
    assert!(o.status.success(), "{}", text(&o));
    out
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The `u` (page URL) of every search document.
fn search_urls(out: &Path) -> Vec<String> {
    let mut urls = Vec::new();
    for e in std::fs::read_dir(out.join("search/d")).unwrap() {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(e.unwrap().path()).unwrap()).unwrap();
        let docs = match v {
            serde_json::Value::Array(a) => a,
            one => vec![one],
        };
        urls.extend(docs.iter().filter_map(|d| d["u"].as_str().map(str::to_string)));
    }
    urls
}

/// Every HTML page but `except`, with its path.
fn pages_except(out: &Path, except: &str) -> Vec<(String, String)> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().strip_prefix(out).unwrap().to_string_lossy().into_owned())
        .filter(|rel| rel != except)
        .map(|rel| (rel.clone(), read(out, &rel)))
        .collect()
}

#[test]
fn regression_empty_nodes_got_pages_of_their_own() {
    let root = site("\"方向\"");
    let out = build_site(root.path());
    let out = out.path();
    // The empty direction is a section of its parent's page …
    let parent = read(out, "p/1-1/index.html");
    assert!(parent.contains("id=1-1-1") || parent.contains("id=\"1-1-1\""), "{parent}");
    assert!(parent.contains("からっぽの方向"), "{parent}");
    // … its old URL is a redirect page to that section, not a page of its own …
    let old = read(out, "p/1-1-1/index.html");
    assert!(old.contains("http-equiv=refresh") || old.contains("http-equiv=\"refresh\""), "{old}");
    assert!(old.contains("1-1/#1-1-1"), "{old}");
    assert!(!old.contains("最終更新日"), "{old}");
    // Its canonical link and og:url name the page it leads to, without the section: a
    // canonical URL has no fragment, and the old URL is no page to share.
    let head = |name: &str| -> Vec<String> {
        let doc = scraper::Html::parse_document(&old);
        let sel = scraper::Selector::parse(name).unwrap();
        doc.select(&sel)
            .filter_map(|e| e.value().attr("href").or(e.value().attr("content")).map(String::from))
            .collect()
    };
    assert_eq!(head("link[rel=canonical]"), ["https://example.jp/k/p/1-1/"], "{old}");
    assert_eq!(head("meta[property='og:url']"), ["https://example.jp/k/p/1-1/"], "{old}");
    // … while the direction with a body keeps its page.
    let full = read(out, "p/1-1-2/index.html");
    assert!(full.contains("方向の本文です。") && !full.contains("http-equiv=refresh"), "{full}");
    // No pager, child list or link leads to the old URL; the @/ link leads to the section.
    for (rel, html) in pages_except(out, "p/1-1-1/index.html") {
        assert!(!html.contains("1-1-1/") || rel == "sitemap.xml", "{rel} links to the empty node's page");
    }
    assert!(read(out, "p/1-2/index.html").contains("1-1/#1-1-1"), "@/ link to the section");
    let top = read(out, "p/2/index.html");
    assert!(top.contains("分野二") && !top.contains("http-equiv=refresh"), "{top}");
    // Not in the sitemap, the search documents or the open data as a page.
    let sitemap = read(out, "sitemap.xml");
    assert!(!sitemap.contains("p/1-1-1/"), "{sitemap}");
    assert!(sitemap.contains("<loc>https://example.jp/k/p/1-1-2/</loc>"), "{sitemap}");
    let urls = search_urls(out);
    assert!(urls.iter().any(|u| u == "p/1-1-2/"), "{urls:?}");
    assert!(!urls.iter().any(|u| u.starts_with("p/1-1-1")), "{urls:?}");
    let data: serde_json::Value = serde_json::from_str(&read(out, "data/p.json")).unwrap();
    let nodes = data["nodes"].to_string();
    assert!(nodes.contains("\"url\":\"https://example.jp/k/p/1-1/#1-1-1\""), "{nodes}");
    assert!(nodes.contains("\"url\":\"https://example.jp/k/p/1-1-2/\""), "{nodes}");
}

#[test]
fn pages_true_keeps_a_page_for_every_node_even_empty() {
    let root = site("{ name = \"方向\", pages = true }");
    let out = build_site(root.path());
    let out = out.path();
    let page = read(out, "p/1-1-1/index.html");
    assert!(!page.contains("http-equiv=refresh") && page.contains("からっぽの方向"), "{page}");
    assert!(read(out, "sitemap.xml").contains("<loc>https://example.jp/k/p/1-1-1/</loc>"));
    assert!(search_urls(out).iter().any(|u| u == "p/1-1-1/"));
    assert!(read(out, "p/1-2/index.html").contains("p/1-1-1/"), "@/ link to the page");
}

#[test]
fn a_node_that_gets_a_body_gets_its_page_back() {
    let root = site("\"方向\"");
    write(
        root.path(),
        "content/p/1/1-1/1-1-1.md",
        "+++\nid = \"1-1-1\"\nnumber = \"①\"\ntitle = \"からっぽの方向\"\n+++\n\nもう空ではありません。\n",
    );
    let out = build_site(root.path());
    let page = read(out.path(), "p/1-1-1/index.html");
    assert!(page.contains("もう空ではありません。") && !page.contains("http-equiv=refresh"), "{page}");
}

/// The `<lastmod>` of `loc` in `sitemap`, if any.
fn lastmod<'a>(sitemap: &'a str, loc: &str) -> Option<&'a str> {
    let at =
        sitemap.find(&format!("<loc>https://example.jp/k/{loc}</loc>")).unwrap_or_else(|| panic!("{loc}: {sitemap}"));
    let rest = &sitemap[at..];
    let end = rest.find("</url>").unwrap();
    rest[..end].split("<lastmod>").nth(1).map(|s| &s[..10])
}

#[test]
fn generated_pages_have_the_lastmod_of_the_newest_content_they_show() {
    let root = site("\"方向\"");
    let out = build_site(root.path());
    let sitemap = read(out.path(), "sitemap.xml");
    // Own dates stay.
    assert_eq!(lastmod(&sitemap, "p/1-2/"), Some("2026-02-15"));
    // The SDG 4 page shows only 1-1-2.
    assert_eq!(lastmod(&sitemap, "sdgs/4/"), Some("2026-03-20"), "{sitemap}");
    // The plan's summary and open data show every node, also the empty one (2026-04-01).
    assert_eq!(lastmod(&sitemap, "p/summary/"), Some("2026-04-01"), "{sitemap}");
    assert_eq!(lastmod(&sitemap, "data/p.json"), Some("2026-04-01"), "{sitemap}");
}
