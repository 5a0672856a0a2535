//! Plans of every shape build and read well (#15 item 1): no period, no or too few level
//! names, a subtitle, 基本理念 without 将来像, five levels, a site without base_url.
//! The `bare` fixture has all of these at once.

mod common;

use common::*;
use std::path::Path;

/// Every HTML page under `dir`, with its path.
fn pages(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| (e.path().display().to_string(), std::fs::read_to_string(e.path()).unwrap()))
        .collect()
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Builds the `bare` fixture (with `extra` arguments) into a temp folder.
fn build_bare(extra: &[&str]) -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let root = fixture("bare");
    let mut args = vec!["build", "--root", root.to_str().unwrap(), "--output", out.path().to_str().unwrap()];
    args.extend(extra);
    let o = planpress(&args);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    (out, t)
}

#[test]
fn a_plan_without_period_or_level_names_reads_naturally() {
    let (out, _) = build_bare(&[]);
    let out = out.path();
    let all = pages(out);
    assert!(all.len() > 20, "{}", all.len());
    // Words that would dangle where a level name or the period is missing.
    let dangling = [
        ">から探す",
        "このの",
        "この の",
        ">前の<",
        ">次の<",
        "aria-label=前後の ",
        "aria-label=前後の>",
        ">の一覧",
        ">ごとの件数",
        ">ごと・",
        ">全体<",
        "計画期間",
        "〜(",
        "<span class=level></span>",
        "<span class=level-label></span>",
        "<span class=summary-level></span>",
        "<p class=eyebrow></p>",
        "<p class=eyebrow> ",
        "<p class=plan-meta><",
        "<dl class=plan-facts></dl>",
        "将来像",
    ];
    let empty_heading = regex_lite_empty_heading();
    for (path, html) in &all {
        // Quotes as the minifier may or may not leave them.
        let html = &html.replace('"', "");
        for d in dangling {
            assert!(!html.contains(d), "{path} contains {d:?}");
        }
        assert!(!empty_heading(html), "{path} has an empty heading");
    }
    // Generic words instead.
    let home = read(out, "index.html");
    assert!(home.contains("分野から探す") && home.contains("分野の一覧"), "{home}");
    let field = read(out, "bare/1/index.html");
    assert!(
        field.contains("この分野の概要版") && field.contains("次の分野") && field.contains("項目の一覧"),
        "{field}"
    );
    let deep = read(out, "bare/hoiku-shisetsu/index.html");
    assert!(deep.contains("次の項目") && deep.contains("北保育所の建替え"), "{deep}");
    assert!(read(out, "bare/dashboard/index.html").contains("分野ごとの件数"));
}

/// Whether `html` has a heading with no text (`<h2></h2>`, `<h3 id="x"> </h3>`).
fn regex_lite_empty_heading() -> impl Fn(&str) -> bool {
    |html: &str| {
        (1..=6).any(|n| {
            let open = format!("<h{n}");
            let close = format!("</h{n}>");
            let mut rest = html;
            while let Some(i) = rest.find(&open) {
                let after = &rest[i..];
                let Some(gt) = after.find('>') else { return false };
                let Some(end) = after.find(&close) else { return false };
                let inner = &after[gt + 1..end.max(gt + 1)];
                let text: String = inner.split('<').map(|s| s.split_once('>').map_or(s, |(_, t)| t)).collect();
                if text.trim().is_empty() {
                    return true;
                }
                rest = &after[end..];
            }
            false
        })
    }
}

#[test]
fn subtitle_and_principles_without_vision_are_shown() {
    let (out, _) = build_bare(&[]);
    let out = out.path();
    let subtitle = "みんなでつくる、つづくまち";
    for page in ["index.html", "bare/index.html", "bare/summary/index.html", "bare/summary/1/index.html"] {
        assert!(read(out, page).contains(subtitle), "{page}");
    }
    let plan = read(out, "bare/index.html");
    // The heading fits what the plan has: 基本理念 only.
    assert!(plan.contains(">基本理念</h2>") && plan.contains("町民が主役のまちづくり"), "{plan}");
    let json: serde_json::Value = serde_json::from_str(&read(out, "data/bare.json")).unwrap();
    assert_eq!(json["subtitle"], subtitle);
    assert!(json["period"].is_null() && json["vision"].is_null(), "{json}");
    assert_eq!(json["levels"], serde_json::json!([]));
    assert_eq!(json["url"], "/bare/");
}

#[test]
fn the_summary_shows_every_level_that_has_content() {
    let (out, _) = build_bare(&[]);
    for page in ["bare/summary/index.html", "bare/summary/1/index.html"] {
        let html = read(out.path(), page);
        // Levels 1 to 5.
        for title in ["子どもがのびのび育つまち", "子育ての支援", "保育の充実", "保育施設の整備", "北保育所の建替え"]
        {
            assert!(html.contains(title), "{page}: {title}");
        }
        assert!(html.contains("保育の受け皿を広げます。") && html.contains("北保育所を建て替えます。"), "{page}");
    }
}

#[test]
fn a_site_without_base_url_warns_once_and_prints_no_made_up_url() {
    let (out, log) = build_bare(&[]);
    let out = out.path();
    assert_eq!(log.matches("[base-url]").count(), 1, "{log}");
    assert!(log.contains("base_url"), "{log}");
    assert!(!out.join("sitemap.xml").exists());
    assert!(!out.join("robots.txt").exists(), "robots.txt could name no sitemap");
    for (path, html) in pages(out) {
        assert!(!html.contains("canonical"), "{path}");
        assert!(!html.contains("print-url"), "{path}");
        assert!(!html.contains("example"), "{path}");
    }
    for page in ["bare/summary/index.html", "bare/summary/1/index.html", "bare/progress/2022/index.html"] {
        let html = read(out, page);
        let header = html.split("print-header").nth(1).and_then(|h| h.split("</p>").next()).unwrap_or("");
        let header = header.split("<div").next().unwrap_or(header);
        assert!(header.contains("作成日") && !header.contains("http") && !header.contains("bare/"), "{page}: {header}");
    }
    // Links are relative: the site works from any folder.
    assert!(read(out, "bare/1/index.html").replace('"', "").contains("href=../../"));
}

#[test]
fn base_url_on_the_command_line_brings_back_the_sitemap_and_canonical_links() {
    let (out, log) = build_bare(&["--base-url", "https://www.town.example.jp/keikaku"]);
    let out = out.path();
    assert!(!log.contains("[base-url]"), "{log}");
    assert!(read(out, "sitemap.xml").contains("https://www.town.example.jp/keikaku/bare/"));
    let plan = read(out, "bare/index.html");
    assert!(plan.contains("canonical") && plan.contains("https://www.town.example.jp/keikaku/bare/"), "{plan}");
    // The printed 概要版 carries its URL in the header (the browser tests build with a
    // path-only base_url, where there is none).
    let summary = read(out, "bare/summary/index.html");
    let header = summary.split("print-header").nth(1).and_then(|h| h.split("</p>").next()).unwrap_or("");
    assert!(header.contains("https://www.town.example.jp/keikaku/bare/summary/"), "{header}");
}

/// The `mine` fixture with its `_plan.md` changed by `f`, built.
fn mine_with(f: impl FnOnce(String) -> String) -> (tempfile::TempDir, tempfile::TempDir, std::process::Output) {
    let site = copy_site(&fixture("mine"));
    let p = site.path().join("content/mine-2/_plan.md");
    std::fs::write(&p, f(std::fs::read_to_string(&p).unwrap())).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = build(site.path(), Some(out.path()));
    (site, out, o)
}

#[test]
fn regression_too_few_level_names_give_no_false_missing_index_errors() {
    // With levels = ["章"] on a three-level plan, every deeper node was an error and each
    // of its folders then "had no _index.md" although it had one: ~100 false errors.
    for levels in ["levels = [\"章\"]", "levels = []", "levels = [\"\", \"\"]"] {
        let (_site, out, o) = mine_with(|t| {
            t.lines().map(|l| if l.starts_with("levels =") { levels } else { l }).collect::<Vec<_>>().join("\n")
        });
        let log = text(&o);
        assert!(o.status.success(), "{levels}: {log}");
        assert!(!log.contains("_index.md") && !log.contains("エラー"), "{levels}: {log}");
        let node = read(out.path(), "mine-2/2-1/index.html");
        assert!(!node.contains(">前の<") && !node.contains(">次の<"), "{levels}");
    }
}

#[test]
fn a_period_with_only_a_start_is_shown_open_ended() {
    let (_site, out, o) =
        mine_with(|t| t.replacen("period = { start = \"R7\", end = \"R11\" }", "period = { start = \"R7\" }", 1));
    assert!(o.status.success(), "{}", text(&o));
    let plan = read(out.path(), "mine-2/index.html");
    assert!(plan.contains("令和7年度〜(2025年度〜)"), "{plan}");
    let json: serde_json::Value = serde_json::from_str(&read(out.path(), "data/mine-2.json")).unwrap();
    assert_eq!(json["period"]["start"]["fiscal_year"], 2025);
    assert!(json["period"]["end"].is_null());
}
