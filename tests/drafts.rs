//! Drafts (`draft = true`): `planpress build` leaves them out of everything it writes,
//! `build --drafts` (and `serve`) writes them with a 「下書き」 banner.

mod common;

use common::*;
use planpress::check::links;
use std::path::Path;

/// The features fixture with a draft of every kind: a node file, a folder node (with the
/// nodes under it), a `[[children]]` entry, a chapter, a free page and a whole plan.
fn site_with_drafts() -> tempfile::TempDir {
    let t = copy_site(&fixture("features"));
    let root = t.path();
    let mark = |rel: &str| {
        let p = root.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        let marked = text.replacen("+++\n", "+++\ndraft = true\n", 1);
        assert_ne!(marked, text, "{rel}");
        std::fs::write(&p, marked).unwrap();
    };
    mark("content/showcase/kyodo/7-3.md");
    mark("content/showcase/kankyo/3-1/_index.md");
    mark("content/showcase/_pages/suishin.md");
    mark("content/info/accessibility.md");
    let inline = root.join("content/showcase/kankyo/3-2.md");
    let text = std::fs::read_to_string(&inline).unwrap();
    std::fs::write(&inline, text.replacen("[[children]]\n", "[[children]]\ndraft = true\n", 1)).unwrap();
    let plan = root.join("content/mikomi");
    std::fs::create_dir_all(&plan).unwrap();
    std::fs::write(
        plan.join("_plan.md"),
        "+++\ntitle = \"見込み計画草案\"\ndraft = true\nperiod = { start = \"R8\", end = \"R12\" }\nlevels = [\"政策分野\"]\n+++\n",
    )
    .unwrap();
    std::fs::write(plan.join("1.md"), "+++\ntitle = \"草案分野テスト\"\n+++\n本文\n").unwrap();
    t
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every text file of the output, joined (HTML, sitemap, open data, search manifest).
fn all_text(out: &Path) -> String {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn build_leaves_every_kind_of_draft_out() {
    let site = site_with_drafts();
    let out = tempfile::tempdir().unwrap();
    let o = build(site.path(), Some(out.path()));
    let said = text(&o);
    assert!(o.status.success(), "{said}");
    // The node file, the folder node, the [[children]] entry, the chapter, the free page and the plan.
    assert!(said.contains("下書き 6 件は含めていません"), "{said}");
    let out = out.path();
    for gone in [
        "showcase/7-3/index.html",
        "showcase/3-1/index.html",
        "showcase/energy/index.html",
        "showcase/suishin/index.html",
    ] {
        assert!(!out.join(gone).exists(), "{gone}");
    }
    assert!(!out.join("info/accessibility/index.html").exists());
    assert!(!out.join("mikomi").exists() && !out.join("data/mikomi.json").exists());
    // Nothing links to them or names them: lists, navigation, sitemap, open data, search.
    let everything = all_text(out);
    for title in ["見込み計画草案", "草案分野テスト", "市民に親しまれる公園・緑地の整備", "計画の推進にあたって"]
    {
        assert!(!everything.contains(title), "{title} is still in the output");
    }
    assert!(!read(out, "sitemap.xml").contains("7-3/"));
    assert!(!read(out, "data/showcase.json").contains("\"7-3\""));
    let found = planpress(&["search", "草案分野テスト", "--root", site.path().to_str().unwrap()]);
    assert!(!text(&found).contains("mikomi"), "{}", text(&found));
    // The only link to a draft is in a draft itself: no warning.
    assert!(!said.contains("draft-link"), "{said}");
    let broken = links::check_links(out, "/features/");
    assert!(broken.is_empty(), "{broken:?}");
}

#[test]
fn a_link_to_a_draft_is_a_warning_and_plain_text() {
    let t = copy_site(&fixture("features"));
    let root = t.path();
    let p = root.join("content/showcase/kyodo/7-3.md");
    let text7 = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text7.replacen("+++\n", "+++\ndraft = true\n", 1)).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = build(root, Some(out.path()));
    let said = text(&o);
    assert!(o.status.success(), "{said}");
    assert!(said.contains("content/showcase/kankyo/3-1/_index.md:47"), "{said}");
    assert!(said.contains("下書き"), "{said}");
    let page = read(out.path(), "showcase/3-1/index.html");
    assert!(page.contains("協働"), "the link text stays");
    assert!(!page.contains("7-3/"), "no link to the draft");
    assert!(links::check_links(out.path(), "/features/").is_empty());
}

#[test]
fn build_with_drafts_marks_them() {
    let site = site_with_drafts();
    let out = tempfile::tempdir().unwrap();
    let o = planpress(&[
        "build",
        "--root",
        site.path().to_str().unwrap(),
        "--output",
        out.path().to_str().unwrap(),
        "--drafts",
    ]);
    let said = text(&o);
    assert!(o.status.success(), "{said}");
    assert!(!said.contains("含めていません"), "{said}");
    assert!(!said.contains("draft-link"), "nothing is left out, no link is dropped: {said}");
    let out = out.path();
    let banner = "class=\"draft-banner\" role=\"note\"";
    for draft in [
        "showcase/7-3/index.html",
        "showcase/3-1/index.html",
        "showcase/energy/index.html", // under a draft folder node
        "showcase/suishin/index.html",
        "info/accessibility/index.html",
        "mikomi/index.html",
        "mikomi/1/index.html",
    ] {
        let page = read(out, draft);
        assert!(page.contains(banner) && page.contains(">下書き<"), "{draft} has no banner");
    }
    for published in ["index.html", "showcase/index.html", "showcase/kyodo/index.html"] {
        assert!(!read(out, published).contains(banner), "{published} is not a draft");
    }
}
