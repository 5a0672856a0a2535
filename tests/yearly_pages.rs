//! The plan over time, as a resident reads it: 「令和N年度の進捗状況」, the dashboard of
//! each year, the comparison of two years and the node histories show exactly the
//! evaluations and actuals written in the features fixture (test data), and every new
//! page is in the sitemap and the search corpus.

mod common;

use common::*;
use planpress::build::{self, BuildOptions};
use planpress::content::Site;
use scraper::{Html, Selector};
use std::path::Path;

fn build_features(out: &Path) -> Site {
    let opts = BuildOptions { root: fixture("features"), output: Some(out.to_path_buf()), ..Default::default() };
    build::build(&opts).unwrap_or_else(|e| panic!("features failed to build:\n{e}"));
    build::load(&opts).unwrap()
}

fn read(out: &Path, rel: &str) -> Html {
    let text = std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Html::parse_document(&text)
}

/// The text of each element matching `s`, its text nodes joined by one space.
fn texts(doc: &Html, s: &str) -> Vec<String> {
    doc.select(&Selector::parse(s).unwrap())
        .map(|e| e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn one(doc: &Html, s: &str) -> String {
    let t = texts(doc, s);
    assert_eq!(t.len(), 1, "{s}: {t:?}");
    t[0].clone()
}

#[test]
fn the_yearly_progress_page_shows_the_values_written() {
    let out = tempfile::tempdir().unwrap();
    build_features(out.path());
    let o = out.path();
    for y in 2020..=2024 {
        assert!(o.join(format!("showcase/progress/{y}/index.html")).is_file(), "{y}");
    }
    assert!(!o.join("showcase/progress/2025/index.html").exists(), "no data in 2025, no page");
    let p = read(o, "showcase/progress/2024/index.html");
    assert_eq!(one(&p, "main h1"), "令和6年度の進捗状況");
    // The legend: symbol, label, definition and good in words.
    let legend = texts(&p, ".grade-legend > div");
    assert_eq!(legend.len(), 4, "{legend:?}");
    assert_eq!(legend[0], "S 目標値以上 目標値を上回る成果が出ている(良好な区分)");
    assert!(!legend[2].contains("良好"), "{legend:?}");
    // Counts per field × grade: 環境分野 S 1 (3-1), A 2 (the field, energy-solar written as
    // full-width Ａ), B 1 (3-2); 協働 B 1 (7-3).
    let rows = texts(&p, "table:has(#pp-grade-caption) tbody tr");
    assert!(rows.iter().any(|r| r == "3 環境分野 1 2 1 0 4"), "{rows:?}");
    assert!(rows.iter().any(|r| r == "7 協働・広域・行財政分野 0 0 1 0 1"), "{rows:?}");
    assert_eq!(texts(&p, "table:has(#pp-grade-caption) tfoot tr"), ["合計 1 2 2 0 5"]);
    // Indicator statuses as of the end of R6, in the columns of the rule (達成 順調 遅れ 未評価):
    // all three are behind the share of the period passed.
    assert_eq!(texts(&p, "table:has(#pp-status-caption) tfoot tr"), ["合計 0 0 3 0 3"]);
    // Each evaluated node with grade, comment, results and 予算・決算.
    let m = one(&p, "#ev-3-1");
    for want in [
        "S 目標値以上",
        "再生可能エネルギー普及率が計画を上回って推移しており",
        "地域新電力による電力供給 25施設",
        "予算 18,000 / 決算 17,950",
    ] {
        assert!(m.contains(want), "{want} missing from {m}");
    }
    // A node without a page of its own, under its heading level (h4 below 3-(1)'s h3).
    assert_eq!(texts(&p, "h4#ev-energy-solar-h"), ["ア 公民連携によるエネルギーの地産地消"]);
    assert!(one(&p, "#ev-energy-solar").contains("A 目標値どおり 評価・課題 公民連携の協定を2件締結した。"));
    assert!(one(&p, "#ev-3-2").contains("B 要改善 評価・課題 用地の調整に時間を要し、整備が遅れた。"));
    let k = one(&p, "#ev-7-3");
    assert!(k.contains("予算 — / 決算 3,200"), "{k}");
    assert!(
        k.contains("66.5% 市民意識調査(テスト)") && k.contains("遅れ 令和6年度の実績: 期待される進捗 83% に対し 50%"),
        "{k}"
    );
    assert!(!p.html().contains("<img src=x"), "titles stay escaped");
    // Nodes evaluated in other years only are not on this page.
    assert!(texts(&p, "#ev-kankyo").len() == 1 && texts(&p, "#ev-shigen").is_empty());
    // Another year: R4, with the note on its actual.
    let p = read(o, "showcase/progress/2022/index.html");
    assert!(one(&p, "#ev-3-1").contains("B 要改善") && one(&p, "#ev-3-1").contains("予算 12,000 / 決算 11,500"));
    let field = one(&p, "#ev-kankyo");
    assert!(
        field.contains("84.1% 速報値(テスト)") && field.contains("遅れ 令和4年度の実績: 期待される進捗 62% に対し 39%"),
        "{field}"
    );
    assert!(one(&p, "#ev-7-3").contains("C 要大幅改善 評価・課題 自治会加入率の低下が続いた。"));
}

#[test]
fn the_dashboard_of_a_year_uses_the_actuals_up_to_then() {
    let out = tempfile::tempdir().unwrap();
    build_features(out.path());
    let o = out.path();
    let d = read(o, "showcase/dashboard/2021/index.html");
    assert_eq!(one(&d, "main h1"), "指標の達成状況(令和3年度末時点)");
    let meta = texts(&d, ".db-meta");
    // The default rule: 25% after 50% of the period is 遅れ, 23% after 20% is 順調.
    assert!(meta[0].starts_with("遅れ 令和3年度の実績: 期待される進捗 50% に対し 25%"), "{meta:?}");
    assert!(meta[1].starts_with("順調 令和3年度の実績: 期待される進捗 20% に対し 23%"), "{meta:?}");
    assert!(meta[2].starts_with("未評価"), "{meta:?}");
    assert!(!d.html().contains("23.1"), "R5 actuals are not shown as of R3");
    let d = read(o, "showcase/dashboard/2023/index.html");
    let meta = texts(&d, ".db-meta");
    assert!(meta[0].starts_with("遅れ 令和5年度の実績: 期待される進捗 75% に対し 53%"), "{meta:?}");
    assert!(meta[1].starts_with("遅れ 令和5年度の実績: 期待される進捗 60% に対し 59%"), "{meta:?}");
    // The main dashboard and the plan page link every year.
    let main = read(o, "showcase/dashboard/index.html");
    let years = ["令和2年度", "令和3年度", "令和4年度", "令和5年度", "令和6年度"];
    assert_eq!(texts(&main, ".year-nav a"), [years, years].concat(), "the dashboards and the progress pages");
    let hrefs: Vec<&str> =
        main.select(&Selector::parse(".year-nav a").unwrap()).filter_map(|a| a.value().attr("href")).collect();
    assert!(hrefs.contains(&"../../showcase/dashboard/2024/") && hrefs.contains(&"../../showcase/progress/2024/"));
    assert_eq!(texts(&d, ".year-nav [aria-current]"), ["令和5年度"]);
    let plan = read(o, "showcase/index.html");
    assert_eq!(texts(&plan, ".year-links a").len(), 5);
}

#[test]
fn the_comparison_lists_what_changed_in_words() {
    let out = tempfile::tempdir().unwrap();
    build_features(out.path());
    let o = out.path();
    for pair in ["2020-2021", "2021-2022", "2022-2023", "2023-2024"] {
        assert!(o.join(format!("showcase/progress/{pair}/index.html")).is_file(), "{pair}");
    }
    let c = read(o, "showcase/progress/2023-2024/index.html");
    assert_eq!(one(&c, "main h1"), "令和5年度と令和6年度の比較");
    let rows = texts(&c, "table.changes tbody tr");
    assert_eq!(
        rows,
        [
            "3 環境分野 施策評価 評価なし A 目標値どおり 新たに評価",
            "3-(1) 地域循環共生圏の確立を通じた脱炭素社会の推進 施策評価 A 目標値どおり S 目標値以上 改善",
            "ア 公民連携によるエネルギーの地産地消 施策評価 評価なし A 目標値どおり 新たに評価",
            "3-(2) 誰もが集える身近な公園・緑地の充実 施策評価 A 目標値どおり B 要改善 悪化",
            "7-(3) <img src=x onerror=alert(1)> 市民、自治組織、市民活動団体等の協働によるまちづくりの推進 施策評価 評価なし B 要改善 新たに評価",
            "7-(3) <img src=x onerror=alert(1)> 市民、自治組織、市民活動団体等の協働によるまちづくりの推進 指標: 人と人が信頼し助けあっていると思う市民の割合 未評価 遅れ(進捗率 50%) 実績が初めて公表",
        ]
    );
    let c = read(o, "showcase/progress/2022-2023/index.html");
    let rows = texts(&c, "table.changes tbody tr");
    assert!(
        // 23% after 20% of the period (順調), then 59% after 60% (遅れ): the status fell behind
        // the schedule although the value rose.
        rows.iter().any(|r| r.contains("再生可能エネルギー普及率 順調(進捗率 23%) 遅れ(進捗率 59%) 悪化")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.contains("施策評価 C 要大幅改善 評価なし 評価なし")), "{rows:?}");
}

#[test]
fn node_pages_show_their_history() {
    let out = tempfile::tempdir().unwrap();
    build_features(out.path());
    let o = out.path();
    let n = read(o, "showcase/3-1/index.html");
    let rows = texts(&n, "table.evaluations tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0], "令和4年度 B 要改善 住宅用太陽光発電の補助件数が伸び悩んだ。 予算 12,000 / 決算 11,500");
    assert!(rows[1].starts_with("令和5年度 A 目標値どおり 公民連携により"), "{rows:?}");
    assert!(rows[2].ends_with("… 予算 18,000 / 決算 17,950"), "long comments are cut: {rows:?}");
    let hrefs: Vec<&str> =
        n.select(&Selector::parse("table.evaluations th a").unwrap()).filter_map(|a| a.value().attr("href")).collect();
    assert_eq!(hrefs[2], "../../showcase/progress/2024/#ev-3-1");
    // Without costs, no cost column.
    let n = read(o, "showcase/3-2/index.html");
    assert_eq!(texts(&n, "table.evaluations thead th"), ["年度", "評価", "コメント"]);
    // The indicator's own table of values gains the notes.
    let f = read(o, "showcase/kankyo/index.html");
    let rows = texts(&f, ".chart-table tbody tr");
    assert!(rows.iter().any(|r| r == "令和4年度 実績 84.1 速報値(テスト)"), "{rows:?}");
    assert!(texts(&read(o, "showcase/shigen/index.html"), "table.evaluations").is_empty());
    // A node without a page: its history in its section on the host page.
    let host = read(o, "showcase/energy/index.html");
    assert_eq!(
        texts(&host, "section#energy-solar table.evaluations tbody tr"),
        ["令和6年度 A 目標値どおり 公民連携の協定を2件締結した。"]
    );
}

#[test]
fn yearly_pages_are_in_the_sitemap_and_in_search() {
    let out = tempfile::tempdir().unwrap();
    let site = build_features(out.path());
    let sitemap = std::fs::read_to_string(out.path().join("sitemap.xml")).unwrap();
    for p in ["showcase/progress/2024/", "showcase/progress/2023-2024/", "showcase/dashboard/2022/"] {
        assert!(sitemap.contains(&format!("<loc>https://example.jp/features/{p}</loc>")), "{p} not in {sitemap}");
    }
    let corpus = planpress::search::docs::Corpus::new(&site);
    let doc = corpus.docs.iter().find(|d| d.url == "showcase/progress/2024/").expect("the yearly page is searchable");
    assert_eq!(doc.title, "令和6年度の進捗状況");
    let s = doc.sections.iter().find(|s| s.anchor == "ev-3-1").expect("a section per evaluated node");
    assert!(s.text.contains("S 目標値以上") && s.text.contains("地域新電力による電力供給 25施設"), "{s:?}");
    let node = corpus.docs.iter().find(|d| d.url == "showcase/3-2/").unwrap();
    let h = node.sections.iter().find(|s| s.anchor == "pp-evaluations").expect("the history is searchable");
    assert!(h.text.contains("令和6年度 B 要改善 用地の調整に時間を要し"), "{h:?}");
}

/// The printed report's header names the municipality once: 「進捗テスト市 第1次総合計画 …」
/// already starts with it (the progress fixture), 「機能テスト計画」 does not (features).
#[test]
fn regression_the_print_header_does_not_repeat_the_municipality() {
    let out = tempfile::tempdir().unwrap();
    let opts = BuildOptions { root: fixture("progress"), output: Some(out.path().to_path_buf()), ..Default::default() };
    build::build(&opts).unwrap_or_else(|e| panic!("progress failed to build:\n{e}"));
    let header = one(&read(out.path(), "keikaku/progress/2023/index.html"), ".print-title");
    assert!(
        header.starts_with("進捗テスト市 第1次総合計画") && header.matches("進捗テスト市").count() == 1,
        "{header}"
    );
    let out = tempfile::tempdir().unwrap();
    build_features(out.path());
    let header = one(&read(out.path(), "showcase/progress/2023/index.html"), ".print-title");
    assert!(header.starts_with("テスト市 機能テスト計画"), "{header}");
}
