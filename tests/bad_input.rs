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
fn regression_a_plan_without_period_builds_and_shows_none() {
    // A plan that states no period was an error; now it builds and no page invents one.
    let site = common::copy_site(&common::fixture("mine"));
    edit(site.path(), "content/mine-2/_plan.md", |t| {
        t.lines().filter(|l| !l.starts_with("period")).collect::<Vec<_>>().join("\n")
    });
    let out = tempfile::tempdir().unwrap();
    let o = common::build(site.path(), Some(out.path()));
    assert!(o.status.success(), "{}", common::text(&o));
    for page in ["index.html", "mine-2/index.html", "mine-2/summary/index.html"] {
        let html = std::fs::read_to_string(out.path().join(page)).unwrap();
        assert!(
            !html.contains("<dt>計画期間") && !html.contains("計画期間 令和") && !html.contains("令和7年度〜"),
            "{page}"
        );
    }
    let json = std::fs::read_to_string(out.path().join("data/mine-2.json")).unwrap();
    assert!(json.contains("\"period\": null"), "{json}");
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

// --- issue #12 item 7: accepted without a word

/// The 1-based line of the first line of `rel` (in the mine fixture) starting with `prefix`.
fn fixture_line(rel: &str, prefix: &str) -> usize {
    std::fs::read_to_string(fixture("mine").join(rel)).unwrap().lines().position(|l| l.starts_with(prefix)).unwrap() + 1
}

#[test]
fn regression_main_plan_naming_no_plan_is_an_error() {
    let out = fails(|r| edit(r, "site.toml", |t| t.replace("main_plan = \"mine-2\"", "main_plan = \"mine-3\"")));
    let line = fixture_line("site.toml", "main_plan");
    assert!(out.contains(&format!("site.toml:{line}:")) && out.contains("[main-plan]"), "{out}");
    assert!(out.contains("「mine-3」") && out.contains("mine-2"), "names the wrong id and lists the plans: {out}");
}

#[test]
fn regression_invalid_language_is_an_error() {
    let out = fails(|r| edit(r, "site.toml", |t| format!("{t}language = \"日本語\"\n")));
    let line = std::fs::read_to_string(fixture("mine").join("site.toml")).unwrap().lines().count() + 1;
    assert!(out.contains(&format!("site.toml:{line}:")) && out.contains("[language]"), "{out}");
    assert!(out.contains("「日本語」") && out.contains("\"ja\""), "{out}");
}

#[test]
fn regression_content_files_differing_only_in_case_are_an_error() {
    let node = |t: &str| format!("+++\ntitle = \"{t}\"\n+++\n");
    let out = fails(|r| {
        write(r, "content/mine-2/Kyodo.md", &node("大"));
        write(r, "content/mine-2/kyodo.md", &node("小"));
    });
    assert!(
        out.contains("content/mine-2/Kyodo.md")
            && out.contains("content/mine-2/kyodo.md")
            && out.contains("[case-collision]"),
        "{out}"
    );
}

#[test]
fn regression_plan_folders_differing_only_in_case_are_an_error() {
    let out = fails(|r| {
        let from = r.join("content/mine-2");
        for e in walkdir::WalkDir::new(&from).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
            let rel = e.path().strip_prefix(&from).unwrap();
            let to = r.join("content/Mine-2").join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(e.path(), to).unwrap();
        }
    });
    assert!(
        out.contains("content/Mine-2") && out.contains("content/mine-2") && out.contains("[case-collision]"),
        "{out}"
    );
    assert_eq!(out.matches("[case-collision]").count(), 1, "the folders, not every file in them: {out}");
}

#[test]
fn regression_file_names_differing_only_in_unicode_normalization_are_an_error() {
    // macOS stores names decomposed (NFD): these two would be one file there.
    let out = fails(|r| {
        write(r, "content/files/caf\u{e9}.pdf", "一");
        write(r, "content/files/cafe\u{301}.pdf", "二");
    });
    assert!(out.contains("[case-collision]") && out.matches("content/files/caf").count() >= 2, "{out}");
}

#[test]
fn regression_node_ids_differing_only_in_case_are_an_error() {
    let out = fails(|r| {
        write(r, "content/mine-2/7.md", "+++\nid = \"Kyodo\"\ntitle = \"協働\"\n+++\n");
        write(r, "content/mine-2/8.md", "+++\nid = \"kyodo\"\ntitle = \"協働その2\"\n+++\n");
    });
    assert!(out.contains("[case-collision]") && out.contains("Kyodo") && out.contains("kyodo"), "{out}");
    assert!(out.contains("content/mine-2/7.md:2") && out.contains("content/mine-2/8.md:2"), "{out}");
}

#[test]
fn regression_markdown_extension_variants_are_an_error() {
    let out = fails(|r| {
        for ext in ["MD", "Markdown", "markdown", "mdown"] {
            write(r, &format!("content/mine-2/7-{ext}.{ext}"), "+++\ntitle = \"七\"\n+++\n");
        }
    });
    for ext in ["MD", "Markdown", "markdown", "mdown"] {
        assert!(out.contains(&format!("content/mine-2/7-{ext}.{ext}: 拡張子 .{ext} のファイルは読みません")), "{out}");
        assert!(out.contains(&format!("7-{ext}.md")), "says the name to use: {out}");
    }
    assert!(out.contains("[extension]"), "{out}");
}

#[test]
fn regression_md_txt_file_is_an_error() {
    let out = fails(|r| write(r, "content/mine-2/7.md.txt", "+++\ntitle = \"七\"\n+++\n"));
    assert!(out.contains("content/mine-2/7.md.txt") && out.contains("[extension]"), "{out}");
    assert!(out.contains("7.md に") && out.contains("拡張子"), "{out}");
}

#[test]
fn regression_page_file_beside_folder_index_is_an_error() {
    let out = fails(|r| {
        write(r, "content/info.md", "+++\ntitle = \"情報\"\n+++\n");
        write(r, "content/info/_index.md", "+++\ntitle = \"情報(フォルダ)\"\n+++\n");
    });
    assert!(
        out.contains("content/info.md") && out.contains("content/info/_index.md") && out.contains("[duplicate-page]"),
        "{out}"
    );
}

#[test]
fn regression_empty_department_name_is_an_error() {
    let out = fails(|r| {
        edit(r, "content/mine-2/5.md", |t| t.replacen("+++\n", "+++\ndepartments = [\"企画政策課\",\n  \" \"]\n", 1));
        edit(r, "content/mine-2/6.md", |t| t.replacen("+++\n", "+++\ndepartments = [\"\"]\n", 1));
    });
    assert!(out.contains("content/mine-2/5.md:3:") && out.contains("content/mine-2/6.md:2:"), "{out}");
    assert!(out.contains("[department]") && out.contains("担当課"), "{out}");
}

#[test]
fn regression_static_file_overwriting_a_generated_file_is_an_error() {
    let out = fails(|r| {
        for f in [
            "static/index.html",
            "static/mine-2/index.html",
            "static/Sitemap.xml",
            "static/search/manifest.json",
            "static/assets/style.css",
            "static/data/mine-2.json",
        ] {
            write(r, f, "x");
        }
        write(r, "static/images/ok.png", "x");
    });
    for (file, page) in [
        ("static/index.html", "index.html"),
        ("static/mine-2/index.html", "mine-2/index.html"),
        ("static/Sitemap.xml", "sitemap.xml"),
        ("static/search/manifest.json", "search/"),
        ("static/assets/style.css", "assets/style.css"),
        ("static/data/mine-2.json", "data/mine-2.json"),
    ] {
        assert!(out.contains(&format!("エラー: {file}: ")) && out.contains(page), "{file} → {page}: {out}");
    }
    assert!(!out.contains("ok.png"), "{out}");
    assert_eq!(out.matches("[static-collision]").count(), 6, "{out}");
}

// --- issue #12 item 8: messages without file:line or without 直し方

/// The 1-based line of the first line of `text` starting with `prefix`.
fn item8_line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.starts_with(prefix)).expect("the line is there") + 1
}

const ITEM8_PLAN: &str = "content/mine-2/_plan.md";

#[test]
fn regression_a_period_ending_before_it_starts_names_the_line() {
    let out = fails(|r| {
        edit(r, ITEM8_PLAN, |t| {
            t.replacen("period = { start = \"R7\", end = \"R11\" }", "period = { start = \"R20\", end = \"R3\" }", 1)
        })
    });
    let plan = std::fs::read_to_string(fixture("mine").join(ITEM8_PLAN)).unwrap();
    let line = item8_line_of(&plan, "period");
    assert!(out.contains(&format!("{ITEM8_PLAN}:{line}:")) && out.contains("[period]"), "{out}");
    // Written as a table, the line of `end` is named.
    let as_table = |t: String| {
        let t: String = t.lines().filter(|l| !l.starts_with("period")).map(|l| format!("{l}\n")).collect();
        t.replacen(
            "levels = [\"章\", \"節\", \"項\"]\n",
            "levels = [\"章\", \"節\", \"項\"]\n[period]\nstart = \"R20\"\nend = \"R3\"\n",
            1,
        )
    };
    let line = item8_line_of(&as_table(plan), "end = ");
    let out = fails(|r| edit(r, ITEM8_PLAN, as_table));
    assert!(out.contains(&format!("{ITEM8_PLAN}:{line}:")) && out.contains("[period]"), "{out}");
}

#[test]
fn regression_a_period_with_an_unreadable_year_says_how_to_write_years() {
    let out = fails(|r| edit(r, ITEM8_PLAN, |t| t.replacen("end = \"R11\"", "end = \"来年\"", 1)));
    let plan = std::fs::read_to_string(fixture("mine").join(ITEM8_PLAN)).unwrap();
    let line = item8_line_of(&plan, "period");
    assert!(out.contains(&format!("{ITEM8_PLAN}:{line}:")) && out.contains("来年"), "{out}");
    let help = out.lines().find(|l| l.contains("直し方:")).unwrap();
    assert!(help.contains("R7") && help.contains("§6"), "the help is about years: {out}");
}

#[test]
fn regression_a_period_written_as_one_year_names_its_form() {
    let out = fails(|r| {
        edit(r, ITEM8_PLAN, |t| t.replacen("period = { start = \"R7\", end = \"R11\" }", "period = \"R7〜R11\"", 1))
    });
    let plan = std::fs::read_to_string(fixture("mine").join(ITEM8_PLAN)).unwrap();
    let line = item8_line_of(&plan, "period");
    assert!(out.contains(&format!("{ITEM8_PLAN}:{line}:")), "{out}");
    assert!(!out.contains("PeriodFrontMatter") && out.contains("start"), "no Rust type names: {out}");
    let help = out.lines().find(|l| l.contains("直し方:")).unwrap();
    assert!(help.contains("period = { start = "), "{out}");
}

#[test]
fn regression_a_missing_plan_file_is_one_error() {
    let out = fails(|r| std::fs::remove_file(r.join(ITEM8_PLAN)).unwrap());
    assert!(out.contains("content/mine-2 に計画のファイル _plan.md がありません"), "{out}");
    // One error for the folder, none per node (site.toml's main_plan may name the plan too).
    assert_eq!(out.matches("エラー: content/").count(), 1, "one error, not one per node: {out}");
    assert!(out.contains("docs/CONTENT.md") && out.contains("period"), "{out}");
}

#[test]
fn regression_a_too_deep_folder_tree_is_an_error_not_a_crash() {
    let out = fails(|r| {
        let mut d = r.join("content/mine-2");
        for i in 0..200 {
            d = d.join(format!("d{i}"));
        }
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("x.md"), "+++\ntitle = \"深い\"\n+++\n").unwrap();
    });
    assert!(out.contains("content/mine-2/d0/d1/") && out.contains("深すぎ"), "{out}");
    assert!(!out.contains("d199"), "the walk stops at the limit: {out}");
}

#[cfg(unix)]
#[test]
fn regression_a_symlink_loop_under_content_is_an_error_not_a_hang() {
    let out = fails(|r| std::os::unix::fs::symlink("..", r.join("content/mine-2/loop")).unwrap());
    assert!(out.contains("content/mine-2/loop") && out.contains("リンク"), "{out}");
}

#[cfg(unix)]
#[test]
fn regression_a_dangling_symlink_is_an_unreadable_file_with_a_fix() {
    let out = fails(|r| std::os::unix::fs::symlink("nowhere.md", r.join("content/mine-2/7.md")).unwrap());
    assert!(out.contains("content/mine-2/7.md") && out.contains("リンク先"), "{out}");
}

#[test]
fn regression_a_template_not_in_utf8_names_the_file() {
    let out = fails(|r| {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("{% extends \"base.html\" %}\n{# 掛川 #}\n");
        let p = r.join("themes/default/templates/page.html");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    });
    assert!(out.contains("themes/default/templates/page.html") && out.contains("UTF-8"), "{out}");
}

/// `text` in UTF-16 little-endian, with or without a byte order mark.
fn item8_utf16(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

#[test]
fn regression_a_utf16_file_is_called_utf16_not_shift_jis() {
    for bom in [true, false] {
        let out = fails(|r| {
            std::fs::write(
                r.join("content/mine-2/5.md"),
                item8_utf16("+++\ntitle = \"議会との連携\"\n+++\n本文\n", bom),
            )
            .unwrap()
        });
        assert!(out.contains("content/mine-2/5.md:") && out.contains("UTF-16"), "bom {bom}: {out}");
        assert!(!out.contains("Shift_JIS") && !out.contains("SHIFT_JIS"), "bom {bom}: {out}");
    }
}

#[test]
fn regression_a_latin1_file_gets_no_shift_jis_hint() {
    // "Résumés" in Latin-1 happens to decode as Shift_JIS too (without any kana).
    for bytes in [&b"+++\ntitle = \"Caf\xe9\"\n+++\n"[..], b"+++\ntitle = \"R\xe9sum\xe9s\"\n+++\n"] {
        let out = fails(|r| std::fs::write(r.join("content/mine-2/5.md"), bytes).unwrap());
        assert!(out.contains("content/mine-2/5.md:2:") && out.contains("UTF-8"), "{out}");
        assert!(!out.contains("Shift_JIS") && !out.contains("SHIFT_JIS") && !out.contains("iconv"), "{out}");
    }
}

#[test]
fn regression_a_euc_jp_file_is_called_euc_jp() {
    let out = fails(|r| {
        let (bytes, _, _) = encoding_rs::EUC_JP.encode("+++\ntitle = \"議会との連携\"\n+++\n本文です。\n");
        std::fs::write(r.join("content/mine-2/5.md"), bytes).unwrap();
    });
    assert!(out.contains("content/mine-2/5.md:2:") && out.contains("EUC-JP"), "{out}");
    assert!(!out.contains("Shift_JIS"), "{out}");
}

/// #15: what a Japanese IME or Word types into front matter is named at the character,
/// with the line shown and a caret, in Japanese only.
#[test]
fn ime_mistakes_in_front_matter_point_at_the_character() {
    type Break = fn(String) -> String;
    let cases: [(&str, Break, &str, &str); 4] = [
        ("curly quotes", |t| t.replacen("title = \"", "title = “", 1), "“", "半角の \""),
        ("full-width equals", |t| t.replacen("title = ", "title ＝ ", 1), "＝", "半角の ="),
        ("ideographic comma", |t| t.replacen("title = ", "sdgs = [4、11]\ntitle = ", 1), "、", "[2, 15]"),
        ("yaml colon", |t| t.replacen("title = ", "title: ", 1), "：", "キー = 値"),
    ];
    for (what, break_it, mark, fix) in cases {
        let out = fails(|r| edit(r, "content/mine-2/5.md", break_it));
        assert!(out.contains(mark) || what == "yaml colon", "{what}: names {mark}:\n{out}");
        assert!(out.contains(fix), "{what}: says what to type:\n{out}");
        assert!(out.contains(" | ") && out.contains('^'), "{what}: shows the line and a caret:\n{out}");
        assert!(!out.contains("expected") && !out.contains("invalid"), "{what}: no English parser text:\n{out}");
    }
}

/// #15: `＋＋＋` fences and `##見出し` headings.
#[test]
fn full_width_fences_fail_and_squeezed_headings_warn() {
    let out = fails(|r| edit(r, "content/mine-2/5.md", |t| t.replacen("+++", "＋＋＋", 1)));
    assert!(out.contains("content/mine-2/5.md:1:1") && out.contains("全角の「＋」"), "{out}");
    let site = copy_site(&fixture("mine"));
    edit(site.path(), "content/mine-2/5.md", |t| t + "\n##見出しのつもり\n");
    let o = build(site.path(), None);
    let out = text(&o);
    assert!(o.status.success(), "a warning does not fail the build:\n{out}");
    assert!(out.contains("注意:") && out.contains("## 見出しのつもり"), "{out}");
}

/// #15 item 3: one TOML mistake in `5.md` must not also report a false 「リンク先 … のファイル
/// がありません」 in `6.md`, which links to it; the file is there, it only failed to parse.
#[test]
fn regression_a_toml_error_does_not_report_links_to_that_file_missing() {
    let out = fails(|r| {
        edit(r, "content/mine-2/5.md", |t| t.replacen("title = ", "title = = ", 1));
        edit(r, "content/mine-2/6.md", |t| {
            format!("{t}\n\n[第5章](@/mine-2/5.md) と [第2章の下](@/mine-2/2/2-1.md)\n")
        });
        // A plan whose `_plan.md` is fine but whose folder index fails: links into it too.
        edit(r, "content/mine-2/2/_index.md", |t| t.replacen("title = ", "title = = ", 1));
        edit(r, "content/mine-2/1.md", |t| {
            format!("{t}\n\n[第2章](@/mine-2/2/_index.md) [ない](@/mine-2/no-such.md)\n")
        });
    });
    assert!(out.contains("content/mine-2/5.md:") && out.contains("[toml]"), "{out}");
    assert!(!out.contains("@/mine-2/5.md") && !out.contains("@/mine-2/2/_index.md"), "no false broken link:\n{out}");
    assert!(!out.contains("[layout]"), "the folder's files do not each report its _index.md missing:\n{out}");
    assert!(out.contains("@/mine-2/no-such.md"), "a real broken link is still reported:\n{out}");
    assert!(out.contains("3 件のエラー"), "two TOML errors and one real broken link:\n{out}");
}

/// #15 item 2: a missing image or file of `static/` fails the build at the `.md` line (it
/// used to build with exit 0; only `check` found it, against the output HTML).
#[test]
fn regression_a_missing_image_or_static_file_is_a_build_error_at_its_line() {
    let out = fails(|r| {
        edit(r, "content/mine-2/5.md", |t| format!("{t}\n![地図](/images/nai.png)\n\n[計画書](/files/keikaku.pdf)\n"));
        edit(r, "content/mine-2/6.md", |t| format!("{t}\n![配置図](./haichi.png)\n"));
    });
    let lines = |rel: &str| std::fs::read_to_string(fixture("mine").join(rel)).unwrap().lines().count();
    let five = lines("content/mine-2/5.md");
    assert!(out.contains(&format!("content/mine-2/5.md:{}: 画像 /images/nai.png がありません", five + 2)), "{out}");
    assert!(out.contains(&format!("content/mine-2/5.md:{}: リンク先のファイル /files/keikaku.pdf", five + 4)), "{out}");
    assert!(out.contains("static/files/keikaku.pdf"), "{out}");
    let six = lines("content/mine-2/6.md");
    assert!(out.contains(&format!("content/mine-2/6.md:{}: 画像 ./haichi.png がありません", six + 2)), "{out}");
    assert!(out.contains("[missing-file]") && out.contains("3 件のエラー"), "{out}");
}

/// #15 item 2: an image beside the `.md` file is copied to the output and its URL works
/// from the page (relative, so a site under a sub-path works too); one in `static/` too.
#[test]
fn images_beside_the_markdown_are_copied_and_linked() {
    let site = copy_site(&fixture("mine"));
    let r = site.path();
    std::fs::write(r.join("content/mine-2/2/map.png"), b"png").unwrap();
    std::fs::create_dir_all(r.join("content/mine-2/2/zu")).unwrap();
    std::fs::write(r.join("content/mine-2/2/zu/b.png"), b"png2").unwrap();
    std::fs::create_dir_all(r.join("static/images")).unwrap();
    std::fs::write(r.join("static/images/s.png"), b"png3").unwrap();
    edit(r, "content/mine-2/2/_index.md", |t| {
        format!("{t}\n![地図](map.png) ![図](./zu/b.png) ![静的](/images/s.png)\n")
    });
    let out_dir = r.join("out");
    let o = build(r, Some(&out_dir));
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read(out_dir.join("mine-2/2/map.png")).unwrap(), b"png");
    assert_eq!(std::fs::read(out_dir.join("mine-2/2/zu/b.png")).unwrap(), b"png2");
    // The node's page and the printable summaries (one folder deeper) show the image.
    let pages: Vec<_> = walkdir::WalkDir::new(&out_dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .map(|e| (e.path().to_path_buf(), std::fs::read_to_string(e.path()).unwrap()))
        .filter(|(_, html)| html.contains("alt=\"地図\""))
        .collect();
    assert!(pages.len() >= 2 && pages.iter().any(|(p, _)| p.to_string_lossy().contains("/summary/")), "{pages:?}");
    for (path, html) in pages {
        for (alt, file) in [("地図", "mine-2/2/map.png"), ("図", "mine-2/2/zu/b.png"), ("静的", "images/s.png")] {
            let src = html.split(&format!("alt=\"{alt}\"")).next().unwrap().rsplit("src=").next().unwrap();
            let src = src.trim_start_matches('"').split(['"', ' ']).next().unwrap();
            let resolved = path.parent().unwrap().join(src);
            assert_eq!(
                std::fs::canonicalize(&resolved).ok(),
                std::fs::canonicalize(out_dir.join(file)).ok(),
                "{alt}: src {src} from {path:?}"
            );
        }
    }
}
