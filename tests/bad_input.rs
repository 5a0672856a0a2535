//! Bad input: each case gets a message naming the file (and line) and what to do, a
//! non-zero exit, and leaves the last good `public/` byte-for-byte as it was.

mod common;

use common::*;
use std::path::Path;

/// Builds a good copy of the 美祢 fixture into its own `public/`, applies `break_it`,
/// builds again and returns the error output after checking the exit code and that
/// `public/` did not change.
fn fails(break_it: impl FnOnce(&Path)) -> String {
    let site = copy_site(&fixture("mine"));
    let root = site.path();
    let first = build(root, None);
    assert!(first.status.success(), "the fixture builds: {}", text(&first));
    let public = root.join("public");
    let before = snapshot(&public);
    assert!(!before.is_empty());
    break_it(root);
    let o = build(root, None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "exit code 1 (not a panic), got {:?}:\n{out}", o.status.code());
    assert!(!out.contains("panicked"), "{out}");
    assert_eq!(snapshot(&public), before, "public/ must be left as it was:\n{out}");
    let leftovers: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "staging folder left behind");
    assert!(out.contains("直し方:"), "every error says how to fix it:\n{out}");
    out
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let p = root.join(rel);
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(p, f(t)).unwrap();
}

#[test]
fn malformed_front_matter_names_file_and_line() {
    let out = fails(|r| edit(r, "content/mine-2/5.md", |t| t.replacen("title = ", "title = = ", 1)));
    let line = std::fs::read_to_string(fixture("mine").join("content/mine-2/5.md"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("title = "))
        .unwrap()
        + 1;
    assert!(out.contains(&format!("content/mine-2/5.md:{line}:")), "{out}");
    assert!(out.contains("[toml]"), "{out}");
}

#[test]
fn malformed_site_toml_names_line() {
    let out = fails(|r| edit(r, "site.toml", |t| format!("{t}\nminify = yes\n")));
    let line = std::fs::read_to_string(fixture("mine").join("site.toml")).unwrap().lines().count() + 2;
    assert!(out.contains(&format!("site.toml:{line}:")), "{out}");
}

#[test]
fn unknown_cross_cutting_theme() {
    let out = fails(|r| edit(r, "content/mine-2/5.md", |t| t.replacen("+++\n", "+++\nthemes = [\"nope\"]\n", 1)));
    assert!(out.contains("content/mine-2/5.md:2:"), "{out}");
    assert!(out.contains("横断的取組「nope」") && out.contains("[unknown-theme]"), "{out}");
}

#[test]
fn sdg_goal_18() {
    let out = fails(|r| edit(r, "content/mine-2/5.md", |t| t.replacen("+++\n", "+++\nsdgs = [3,\n  18]\n", 1)));
    assert!(
        out.contains("content/mine-2/5.md:3:") && out.contains("SDGs のゴール 18") && out.contains("1〜17"),
        "{out}"
    );
}

#[test]
fn unknown_parent_folder_without_index() {
    let out = fails(|r| write(r, "content/mine-2/9/9-1.md", "+++\ntitle = \"迷子\"\n+++\n"));
    assert!(
        out.contains("content/mine-2/9/9-1.md") && out.contains("_index.md がありません") && out.contains("[layout]"),
        "{out}"
    );
}

#[test]
fn duplicate_node_id() {
    let out = fails(|r| write(r, "content/mine-2/6b.md", "+++\nid = \"5\"\ntitle = \"重複\"\n+++\n"));
    assert!(
        out.contains("content/mine-2/6b.md:2:") && out.contains("id「5」が重複") && out.contains("content/mine-2/5.md"),
        "{out}"
    );
}

#[test]
fn shift_jis_file() {
    let out = fails(|r| {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("+++\ntitle = \"議会との連携\"\n+++\n本文です。\n");
        std::fs::write(r.join("content/mine-2/5.md"), bytes).unwrap();
    });
    assert!(out.contains("content/mine-2/5.md:2:") && out.contains("Shift_JIS") && out.contains("UTF-8"), "{out}");
}

#[test]
fn tera_syntax_error_in_theme() {
    let out = fails(|r| {
        write(
            r,
            "themes/default/templates/page.html",
            "{% extends \"base.html\" %}\n{% block main %}\n{% if page.title %}\n{% endblock main %}\n",
        );
    });
    assert!(out.contains("themes/default/templates/page.html:") && out.contains("[template]"), "{out}");
}

#[test]
fn missing_required_field() {
    let out = fails(|r| {
        edit(r, "content/mine-2/5.md", |t| {
            t.lines().filter(|l| !l.starts_with("title = ")).collect::<Vec<_>>().join("\n")
        })
    });
    assert!(out.contains("content/mine-2/5.md") && out.contains("title"), "{out}");
}

#[test]
fn missing_period_in_plan() {
    let out = fails(|r| {
        edit(r, "content/mine-2/_plan.md", |t| {
            t.lines().filter(|l| !l.starts_with("period")).collect::<Vec<_>>().join("\n")
        })
    });
    assert!(out.contains("content/mine-2/_plan.md") && out.contains("period"), "{out}");
}

#[test]
fn empty_content_directory() {
    let out = fails(|r| {
        std::fs::remove_dir_all(r.join("content")).unwrap();
        std::fs::create_dir(r.join("content")).unwrap();
    });
    assert!(out.contains("content") && out.contains("Markdown ファイル(.md)がありません"), "{out}");
}

#[test]
fn image_without_alt_text() {
    let out = fails(|r| edit(r, "content/mine-2/5.md", |t| format!("{t}\n\n![](/images/x.png)\n")));
    assert!(out.contains("content/mine-2/5.md:") && out.contains("[image-alt]"), "{out}");
}

#[test]
fn broken_content_link() {
    let out = fails(|r| edit(r, "content/mine-2/5.md", |t| format!("{t}\n\n[前の章](@/mine-2/no-such.md)\n")));
    assert!(out.contains("[broken-link]") && out.contains("@/mine-2/no-such.md"), "{out}");
}

#[test]
fn yaml_front_matter_is_explained() {
    let out = fails(|r| write(r, "content/mine-2/7.md", "---\ntitle: 七\n---\n"));
    assert!(out.contains("content/mine-2/7.md:1:") && out.contains("TOML"), "{out}");
}

#[test]
fn misspelled_key_is_reported() {
    let out = fails(|r| edit(r, "content/mine-2/5.md", |t| t.replacen("+++\n", "+++\nsdg = [3]\n", 1)));
    assert!(out.contains("content/mine-2/5.md:2:") && out.contains("sdg"), "{out}");
}

#[test]
fn indicator_value_with_unit_in_string() {
    let out = fails(|r| {
        edit(r, "content/mine-2/5.md", |t| {
            t.replacen("+++\n", "+++\n[[indicators]]\nname = \"割合\"\nbaseline = { value = \"80%\", year = \"R1\" }\ntarget = { value = 90, year = \"R7\" }\n", 1)
        })
    });
    assert!(out.contains("content/mine-2/5.md:4:") && out.contains("unit"), "{out}");
}

#[test]
fn several_errors_are_reported_together() {
    let out = fails(|r| {
        edit(r, "content/mine-2/5.md", |t| t.replacen("+++\n", "+++\nsdgs = [0]\n", 1));
        edit(r, "content/mine-2/6.md", |t| t.replacen("+++\n", "+++\nthemes = [\"x\"]\n", 1));
    });
    assert!(out.contains("5.md:2:") && out.contains("6.md:2:") && out.contains("2 件のエラー"), "{out}");
}

#[test]
fn output_folder_cannot_be_the_site_itself() {
    let site = copy_site(&fixture("mine"));
    let o = build(site.path(), Some(site.path()));
    assert_eq!(o.status.code(), Some(1));
    assert!(site.path().join("content/mine-2/_plan.md").is_file(), "the site survived");
    assert!(text(&o).contains("出力先"), "{}", text(&o));
}

#[test]
fn missing_site_toml_points_to_init() {
    let t = tempfile::tempdir().unwrap();
    let o = build(t.path(), None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("site.toml") && text(&o).contains("planpress init"), "{}", text(&o));
}
