//! Importing yearly actuals and evaluations from the spreadsheets in a plan's `_data/`
//! (#14): the progress fixture's xlsx, Shift_JIS CSV and UTF-8 CSV reach the model, the
//! pages and the open data; bad cells are errors naming row and column; the template
//! sheet round-trips.
//!
//! The fixture's sheets are written by [`write_fixture_data`] (run with
//! `PLANPRESS_WRITE_FIXTURE=1 cargo test --test import fixture`); the test beside it holds
//! the committed files to what it writes. Every number in them is made up.

mod common;

use common::*;
use planpress::config::SiteConfig;
use planpress::content::{FiscalYear, Site};
use std::path::Path;

const R4: FiscalYear = FiscalYear(2022);
const R5: FiscalYear = FiscalYear(2023);
const R6: FiscalYear = FiscalYear(2024);

/// The R4 workbook: (sheet, rows); a cell that parses as a number is written as one.
fn r4_sheets() -> Vec<(&'static str, Vec<Vec<&'static str>>)> {
    vec![
        (
            "実績",
            vec![
                vec!["令和4年度 成果指標の実績(テスト用の架空の数値)"],
                vec!["指標ID", "施策番号", "施策名", "指標名", "単位", "基準値", "目標値", "年度", "実績値", "備考"],
                vec![
                    "taiki",
                    "1-(1)",
                    "子育て支援の充実",
                    "保育所待機児童数",
                    "人",
                    "12",
                    "0",
                    "R4",
                    "8",
                    "4月1日時点",
                ],
                vec![
                    "center",
                    "1-(1)",
                    "子育て支援の充実",
                    "子育て支援センターの利用者数",
                    "人",
                    "8200",
                    "10000",
                    "R4",
                    "8650",
                    "",
                ],
                vec![
                    "jugyo",
                    "1-(2)",
                    "学校教育の充実",
                    "授業がわかると答えた児童の割合",
                    "%",
                    "78.5",
                    "85",
                    "R4",
                    "80.2",
                    "",
                ],
                vec!["sogyo", "2-(1)", "創業と雇用の支援", "新規創業件数", "件", "0", "60", "R4", "12", ""],
                vec!["kanko", "2-(2)", "観光の振興", "観光入込客数", "千人", "1250", "1500", "R4", "1310", ""],
                vec![],
                vec![
                    "gomi",
                    "3-(1)",
                    "ごみの減量と資源循環",
                    "市民1人1日当たりのごみ排出量",
                    "g",
                    "920",
                    "850",
                    "R4",
                    "905",
                    "",
                ],
                vec![
                    "jishubo",
                    "3-(2)",
                    "地域の防災力の向上",
                    "自主防災組織の組織率",
                    "%",
                    "71",
                    "90",
                    "R4",
                    "75.4",
                    "",
                ],
                vec![
                    "kunren",
                    "3-(2)",
                    "地域の防災力の向上",
                    "防災訓練の参加者数",
                    "人",
                    "3400",
                    "5000",
                    "R4",
                    "3900",
                    "",
                ],
            ],
        ),
        (
            "評価",
            vec![
                vec![
                    "施策ID",
                    "施策番号",
                    "施策名",
                    "年度",
                    "評価",
                    "コメント",
                    "主な取組の実績",
                    "予算額(千円)",
                    "決算額(千円)",
                ],
                vec![
                    "1-1",
                    "1-(1)",
                    "子育て支援の充実",
                    "R4",
                    "A",
                    "保育所の定員を増やし、待機児童が減った。",
                    "小規模保育所2か所の開設",
                    "12000",
                    "11850",
                ],
                vec!["1-2", "1-(2)", "学校教育の充実", "R4", "A", "授業改善の研修が定着した。", "", "5400", "5210"],
                vec!["2-1", "2-(1)", "創業と雇用の支援", "R4", "A", "創業相談が増えた。", "", "3000", "2870"],
                vec!["2-2", "2-(2)", "観光の振興", "R4", "B", "入込客数の回復が遅れている。", "", "8000", "7640"],
                vec!["3-1", "3-(1)", "ごみの減量と資源循環", "R4", "A", "", "", "", ""],
                vec!["3-2", "3-(2)", "地域の防災力の向上", "R4", "A", "組織率が上がった。", "", "", ""],
            ],
        ),
    ]
}

/// `actuals-R5.csv` (Shift_JIS): names, 和暦 years, thousands separators, full-width digits, %.
const R5_ACTUALS: &str = "指標名,年度,実績値,備考\r
保育所待機児童数,令和5年度,5,\r
子育て支援センターの利用者数,令和5年度,\"8,910\",\r
授業がわかると答えた児童の割合,令和5年度,７９．８,\r
新規創業件数,令和5年度,15,\r
観光入込客数,令和5年度,\"1,402\",\r
市民1人1日当たりのごみ排出量,令和5年度,889,\r
自主防災組織の組織率,令和5年度,80.1%,\r
防災訓練の参加者数,令和5年度,\"4,120\",雨天のため一部中止\r
";

/// `evaluations-R5.csv` (Shift_JIS): no 年度 column (the file name says it), 施策番号 as typed.
const R5_EVALUATIONS: &str = "施策番号,施策名,評価,コメント,予算額(千円),決算額(千円)\r
１－（１）,子育て支援の充実,Ａ,待機児童がさらに減った。,\"12,500\",\"12,180\"\r
1-(2),学校教育の充実,B,わかると答えた割合が少し下がった。,\"5,400\",\"5,330\"\r
2-(1),創業と雇用の支援,A,,\"3,000\",\"2,950\"\r
2-(2),観光の振興,A,入込客数が回復してきた。,\"8,200\",\"8,010\"\r
3-(1),ごみの減量と資源循環,A,,,\r
3-(2),地域の防災力の向上,A,訓練の参加者が増えた。,,\r
";

/// `実績_令和6年度.csv` (UTF-8 with BOM): by id; one indicator not reported.
const R6_ACTUALS: &str = "指標ID,指標名,年度,実績値,備考
taiki,保育所待機児童数,R6,2,
center,子育て支援センターの利用者数,R6,\"9,350\",
jugyo,授業がわかると答えた児童の割合,R6,,調査は隔年
sogyo,新規創業件数,R6,18,
kanko,観光入込客数,R6,\"1,455\",
gomi,市民1人1日当たりのごみ排出量,R6,872,

jishubo,自主防災組織の組織率,R6,84.6,
kunren,防災訓練の参加者数,R6,\"4,480\",
";

/// `評価_令和6年度.csv` (UTF-8 with BOM): by id, a field too, a comment over two lines.
const R6_EVALUATIONS: &str = "施策ID,年度,評価,コメント,主な取組の実績,予算額,決算額
1,令和6年度,A,分野全体として順調。,,,
1-1,令和6年度,S,\"待機児童がほぼ解消した。
引き続き保育士の確保に取り組む。\",保育士の就職支援金(20人),\"13,000\",\"12,940\"
1-2,令和6年度,−,調査が隔年のため評価できない。,,\"5,500\",\"5,480\"
2-1,令和6年度,A,,,\"3,200\",\"3,150\"
2-2,令和6年度,A,,,\"8,400\",\"8,390\"
3-1,令和6年度,B,排出量の減り方が鈍い。,,,
3-2,令和6年度,A,,,,
";

/// The fixture's `_data/` files as bytes, by name.
fn fixture_data() -> Vec<(&'static str, Vec<u8>)> {
    let sjis = |s: &str| encoding_rs::SHIFT_JIS.encode(s).0.into_owned();
    let bom = |s: &str| [b"\xEF\xBB\xBF".as_slice(), s.as_bytes()].concat();
    vec![
        ("actuals-R4.xlsx", r4_xlsx()),
        ("actuals-R5.csv", sjis(R5_ACTUALS)),
        ("evaluations-R5.csv", sjis(R5_EVALUATIONS)),
        ("実績_令和6年度.csv", bom(R6_ACTUALS)),
        ("評価_令和6年度.csv", bom(R6_EVALUATIONS)),
    ]
}

fn r4_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in r4_sheets() {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell.parse::<f64>() {
                    Ok(v) if !cell.is_empty() => sheet.write_number(r, c, v).unwrap(),
                    _ => sheet.write_string(r, c, *cell).unwrap(),
                };
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn write_fixture_data() {
    let dir = fixture("progress/content/keikaku/_data");
    for (name, bytes) in fixture_data() {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn fixture_files_hold_the_test_data() {
    if std::env::var_os("PLANPRESS_WRITE_FIXTURE").is_some() {
        write_fixture_data();
    }
    let root = fixture("progress");
    let dir = Path::new("content/keikaku/_data");
    for (name, bytes) in fixture_data() {
        let rel = dir.join(name);
        if name.ends_with(".csv") {
            assert_eq!(std::fs::read(root.join(&rel)).unwrap(), bytes, "{name}: run PLANPRESS_WRITE_FIXTURE=1");
        } else {
            // An xlsx holds its creation time: compare what it says.
            let tables = planpress::import::table::read(&root, &rel).unwrap();
            let t = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(t.path().join(dir)).unwrap();
            std::fs::write(t.path().join(&rel), &bytes).unwrap();
            let want = planpress::import::table::read(t.path(), &rel).unwrap();
            assert_eq!(tables, want, "{name}: run PLANPRESS_WRITE_FIXTURE=1");
        }
    }
}

fn load(root: &Path) -> Site {
    planpress::content::load_site(root, SiteConfig::load(root).unwrap()).unwrap_or_else(|d| panic!("{d}"))
}

/// (value as displayed, year) of every actual of indicator `id`.
fn actuals(site: &Site, id: &str) -> Vec<(String, FiscalYear)> {
    let ind = site.plans[0].nodes.iter().flat_map(|n| &n.indicators).find(|i| i.id == id).unwrap();
    ind.actuals.iter().map(|m| (m.value.display(), m.year)).collect()
}

#[test]
fn the_three_formats_reach_the_model() {
    let site = load(&fixture("progress"));
    let y = |v: &str, y| (v.to_string(), y);
    // Front matter (R3), xlsx (R4), Shift_JIS CSV by name (R5), UTF-8 CSV by id (R6).
    assert_eq!(actuals(&site, "taiki"), [y("10", FiscalYear(2021)), y("8", R4), y("5", R5), y("2", R6)]);
    assert_eq!(actuals(&site, "center"), [y("8,650", R4), y("8,910", R5), y("9,350", R6)]);
    // 69.4 stays 69.4 from a number cell; full-width digits; the empty R6 cell is no actual.
    assert_eq!(actuals(&site, "jugyo"), [y("80.2", R4), y("79.8", R5)]);
    assert_eq!(actuals(&site, "jishubo"), [y("73.5", FiscalYear(2021)), y("75.4", R4), y("80.1", R5), y("84.6", R6)]);
    let kunren = site.plans[0].nodes.iter().flat_map(|n| &n.indicators).find(|i| i.id == "kunren").unwrap();
    assert_eq!(kunren.actual_notes.get(&R5).map(String::as_str), Some("雨天のため一部中止"));
    let taiki = site.plans[0].nodes.iter().flat_map(|n| &n.indicators).find(|i| i.id == "taiki").unwrap();
    assert_eq!(taiki.actual_notes.get(&R4).map(String::as_str), Some("4月1日時点"));

    let plan = &site.plans[0];
    let scale = plan.evaluation.as_ref().unwrap();
    let node = |id: &str| plan.nodes.iter().find(|n| n.id == id).unwrap();
    let grades = |id: &str| -> Vec<(FiscalYear, String)> {
        node(id)
            .evaluations
            .iter()
            .map(|e| (e.year, e.grade.map(|g| scale.grades[g].symbol.clone()).unwrap_or_default()))
            .collect()
    };
    assert_eq!(
        grades("1-1"),
        [(FiscalYear(2021), "A".into()), (R4, "A".into()), (R5, "A".into()), (R6, "S".into())],
        "front matter R3, then the sheets; Ａ and １－（１） as typed"
    );
    assert_eq!(grades("1-2"), [(R4, "A".into()), (R5, "B".into()), (R6, "−".into())]);
    assert_eq!(grades("1"), [(R6, "A".into())], "a field is graded too");
    let e = node("1-1").evaluations.iter().find(|e| e.year == R6).unwrap();
    assert_eq!(e.budget.map(|q| q.display()), Some("13,000".into()));
    assert_eq!(e.settlement.map(|q| q.display()), Some("12,940".into()));
    assert!(e.comment_html.contains("<br"), "a line break in a cell stays: {}", e.comment_html);
    assert!(e.results.contains("保育士の就職支援金"));
    assert_eq!(e.origin.file, Path::new("content/keikaku/_data/評価_令和6年度.csv"));
    assert_eq!(e.origin.line, Some(3));
    let r4 = node("1-1").evaluations.iter().find(|e| e.year == R4).unwrap();
    assert_eq!(r4.origin.sheet.as_deref(), Some("評価"));
    assert_eq!(r4.budget.map(|q| q.display()), Some("12,000".into()));
    // The README in _data/ is no node.
    assert!(plan.nodes.iter().all(|n| !n.source.starts_with("content/keikaku/_data")));
}

#[test]
fn the_fixture_builds_and_shows_the_imported_values() {
    let out = tempfile::tempdir().unwrap();
    let o = build(&fixture("progress"), Some(out.path()));
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(out.path().join("keikaku/1-1/index.html")).unwrap();
    for want in ["8,910", "9,350", "8,650"] {
        assert!(page.contains(want), "node page lacks {want}");
    }
    let csv = snapshot(out.path())
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "csv"))
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect::<String>();
    assert!(csv.contains("8910") || csv.contains("8,910"), "open data lacks the R5 actual");
    assert!(csv.contains("84.6"), "open data lacks the R6 actual");
}

/// Loads the progress fixture with `files` added to its `_data/`; the errors as text.
fn errors_with(files: &[(&str, &[u8])]) -> String {
    let t = copy_site(&fixture("progress"));
    let dir = t.path().join("content/keikaku/_data");
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    match planpress::content::load_site(t.path(), SiteConfig::load(t.path()).unwrap()) {
        Ok(_) => String::new(),
        Err(d) => d.to_string(),
    }
}

#[test]
fn a_bad_cell_names_file_sheet_row_and_column() {
    let e = errors_with(&[("actuals-R7.csv", "指標ID,年度,実績値\ntaiki,R7,3\ngomi,R7,12..3\n".as_bytes())]);
    assert!(
        e.contains("content/keikaku/_data/actuals-R7.csv:3")
            && e.contains("3 行目 C 列(実績値)の「12..3」は数値として読めません"),
        "{e}"
    );
    assert!(e.contains("直し方"), "{e}");
    // In a workbook, the sheet is named.
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet();
    s.set_name("実績").unwrap();
    for (c, h) in ["指標ID", "年度", "実績値"].iter().enumerate() {
        s.write_string(1, c as u16, *h).unwrap();
    }
    s.write_string(4, 0, "gomi").unwrap();
    s.write_string(4, 1, "R7").unwrap();
    s.write_string(4, 2, "多い").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let e = errors_with(&[("more.xlsx", &bytes)]);
    assert!(e.contains("「実績」シート 5 行目 C 列(実績値)の「多い」は数値として読めません"), "{e}");
    // A year that is no year, a % on an indicator counted in people.
    let e = errors_with(&[("x.csv", "指標ID,年度,実績値\ntaiki,来年,3\nkunren,R7,50%\n".as_bytes())]);
    assert!(e.contains("2 行目 B 列(年度)の「来年」は年度として読めません"), "{e}");
    assert!(e.contains("3 行目 C 列(実績値)の「50%」に「%」が付いていますが、この指標の単位は「人」です"), "{e}");
}

#[test]
fn an_unknown_name_suggests_the_nearest() {
    let e = errors_with(&[("x-R7.csv", "指標名,実績値\n保育所の待機児童数,3\n".as_bytes())]);
    assert!(e.contains("2 行目 A 列(指標名)の「保育所の待機児童数」という指標はこの計画にありません"), "{e}");
    assert!(e.contains("もしかして「保育所待機児童数」ですか"), "{e}");
    assert_eq!(errors_with(&[("x-R7.csv", "指標,実績値\ngomi,3\n".as_bytes())]), "", "an id in the name column");
    let e = errors_with(&[("e-R7.csv", "施策名,評価\n子育ての支援の充実,A\n".as_bytes())]);
    assert!(e.contains("もしかして「子育て支援の充実」ですか"), "{e}");
    let e = errors_with(&[("e-R7.csv", "施策ID,評価\n1-1,Q\n".as_bytes())]);
    assert!(e.contains("2 行目 B 列(評価)の評価「Q」は計画の評価の区分にありません"), "{e}");
    assert!(e.contains("S(目標達成)、A(順調)"), "the plan's grades are listed: {e}");
}

#[test]
fn a_value_given_twice_names_both_places() {
    // R4 is in actuals-R4.xlsx already.
    let e = errors_with(&[("zz-R4.csv", "指標ID,実績値\ntaiki,9\n".as_bytes())]);
    assert!(e.contains("指標「保育所待機児童数」の令和4年度の実績が2つあります"), "{e}");
    assert!(e.contains("content/keikaku/_data/actuals-R4.xlsx の「実績」シート 3 行目"), "{e}");
    // R3 is in front matter.
    let e = errors_with(&[("zz-R3.csv", "指標ID,実績値\ntaiki,9\n".as_bytes())]);
    assert!(e.contains("content/keikaku/1/1-1.md"), "{e}");
    let e = errors_with(&[("zz-R3.csv", "施策ID,評価\n1-1,B\n".as_bytes())]);
    assert!(e.contains("令和3年度 の評価が2つあります") && e.contains("content/keikaku/1/1-1.md"), "{e}");
    let e = errors_with(&[("zz-R6.csv", "施策ID,評価\n3-2,B\n".as_bytes())]);
    // Files are read by name: the later one is the error, and names the earlier.
    assert!(e.contains("評価_令和6年度.csv:9: 9 行目") && e.contains("zz-R6.csv の 2 行目"), "{e}");
}

#[test]
fn grades_need_the_plan_scale_and_files_need_a_known_form() {
    let t = copy_site(&fixture("progress"));
    let plan = t.path().join("content/keikaku/_plan.md");
    let text = std::fs::read_to_string(&plan).unwrap();
    let cut = text.find("[evaluation]").unwrap();
    std::fs::write(&plan, format!("{}+++\n", &text[..cut])).unwrap();
    let e = planpress::content::load_site(t.path(), SiteConfig::load(t.path()).unwrap()).unwrap_err().to_string();
    assert!(e.contains("計画に評価の区分がありません") && e.contains("[evaluation]"), "{e}");
    assert_eq!(e.matches("計画に評価の区分がありません").count(), 3, "once per sheet: {e}");

    let e = errors_with(&[("old.xls", b"\xD0\xCF\x11\xE0")]);
    assert!(e.contains("old.xls") && e.contains("Excel ブック (*.xlsx)"), "{e}");
    let e = errors_with(&[("photo.png", b"\x89PNG")]);
    assert!(e.contains("読めないファイル「photo.png」"), "{e}");
    let e = errors_with(&[("list.csv", "名前,住所\n山田,どこか\n".as_bytes())]);
    assert!(e.contains("list.csv") && e.contains("見出しが見つかりません(文字コード UTF-8 として読みました)"), "{e}");
    // Excel's lock file and notes are left alone.
    assert_eq!(errors_with(&[("~$actuals-R4.xlsx", b"lock"), ("memo.txt", b"x")]), "");
}

#[test]
fn a_year_comes_from_the_cell_or_the_file_name() {
    let e = errors_with(&[("actuals.csv", "指標ID,実績値\ntaiki,3\n".as_bytes())]);
    assert!(e.contains("2 行目に年度がありません") && e.contains("actuals-R6.xlsx"), "{e}");
}

/// `planpress template KIND --year R7 -o FILE` for the site at `root`; the file's path.
fn template(root: &Path, kind: &str, file: &str) -> std::path::PathBuf {
    let out = root.join(file);
    let o =
        planpress(&["template", kind, "--root", root.to_str().unwrap(), "--year", "R7", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("content/keikaku/_data"), "says where the sheet goes: {}", text(&o));
    out
}

#[test]
fn template_fill_import_round_trip() {
    let t = copy_site(&fixture("progress"));
    let root = t.path();
    let data = root.join("content/keikaku/_data");
    // An unfilled template changes nothing and builds cleanly (its guide sheet is skipped).
    let xlsx = template(root, "evaluations", "e.xlsx");
    let tables = planpress::import::table::read(root, Path::new("e.xlsx")).unwrap();
    let names: Vec<_> = tables.iter().map(|t| t.sheet.clone().unwrap()).collect();
    assert_eq!(names, ["評価", "記入のしかた"]);
    let rows = &tables[0].rows;
    assert_eq!(rows.len(), 1 + 9, "a header and one row per node (3 fields, 6 measures)");
    assert_eq!(rows[1].cells[0].text, "1");
    assert_eq!(rows[2].cells[0].text, "1-1");
    assert_eq!(rows[2].cells[3].text, "令和7年度");
    std::fs::copy(&xlsx, data.join("evaluations-R7.xlsx")).unwrap();
    let before = load(&fixture("progress"));
    let site = load(root);
    assert_eq!(format!("{:?}", site.plans[0].nodes), format!("{:?}", before.plans[0].nodes));

    // Filled as a 担当課 would: a grade, a comment, costs; saved as xlsx again.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("評価").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.cells.iter().enumerate() {
            let filled = match (row.cells[0].text.as_str(), c) {
                ("2-2", 4) => "B".to_string(),
                ("2-2", 5) => "テンプレートから記入した評価".to_string(),
                ("2-2", 7) => "9,100".to_string(),
                _ => cell.text.clone(),
            };
            sheet.write_string(r as u32, c as u16, filled).unwrap();
        }
    }
    std::fs::write(data.join("evaluations-R7.xlsx"), book.save_to_buffer().unwrap()).unwrap();
    // And the actuals template as CSV, filled in a text editor.
    let csv = template(root, "actuals", "a.csv");
    let filled = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("gomi,") {
                l.replace("令和7年度,,", "令和7年度,866,推計")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    assert!(filled.starts_with('\u{FEFF}'), "UTF-8 with BOM");
    std::fs::write(data.join("actuals-R7.csv"), filled).unwrap();
    let site = load(root);
    assert_eq!(actuals(&site, "gomi").last(), Some(&("866".to_string(), FiscalYear(2025))));
    let node = site.plans[0].nodes.iter().find(|n| n.id == "2-2").unwrap();
    let e = node.evaluations.last().unwrap();
    assert_eq!((e.year, e.grade, e.comment.as_str()), (FiscalYear(2025), Some(2), "テンプレートから記入した評価"));
    assert_eq!(e.budget.map(|q| q.display()), Some("9,100".into()));
    let out = tempfile::tempdir().unwrap();
    let o = build(root, Some(out.path()));
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(out.path().join("keikaku/3-1/index.html")).unwrap();
    assert!(page.contains("866"), "the node page shows the actual typed into the template");
}

#[test]
fn a_template_for_an_unknown_plan_or_year_says_so() {
    let root = fixture("progress");
    let o = planpress(&["template", "actuals", "--root", root.to_str().unwrap(), "--plan", "nai", "--year", "R6"]);
    assert!(!o.status.success() && text(&o).contains("計画「nai」がありません") && text(&o).contains("keikaku"));
    let o = planpress(&["template", "actuals", "--root", root.to_str().unwrap(), "--year", "来年"]);
    assert!(!o.status.success() && text(&o).contains("--year R6"), "{}", text(&o));
}

#[test]
fn a_new_site_from_init_says_how_to_make_a_sheet_and_the_sheet_imports() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("new-site");
    let o = planpress(&["init", dir.to_str().unwrap()]);
    assert!(o.status.success() && text(&o).contains("planpress template actuals"), "{}", text(&o));
    assert!(std::fs::read_to_string(dir.join("content/plan/_data/README.md")).unwrap().contains("planpress template"));
    let sheet = dir.join("content/plan/_data/actuals-R7.csv");
    let o = planpress(&[
        "template",
        "actuals",
        "--root",
        dir.to_str().unwrap(),
        "--year",
        "R7",
        "-o",
        sheet.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let filled = std::fs::read_to_string(&sheet).unwrap().replace("令和7年度,,", "令和7年度,55,");
    std::fs::write(&sheet, filled).unwrap();
    let site = load(&dir);
    let ind = site.plans[0].nodes.iter().flat_map(|n| &n.indicators).next().unwrap();
    assert_eq!(
        ind.actuals.iter().map(|m| (m.value.display(), m.year)).collect::<Vec<_>>(),
        [("55".into(), FiscalYear(2025))]
    );
    let out = tempfile::tempdir().unwrap();
    let o = build(&dir, Some(out.path()));
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn other_sheets_are_skipped_with_a_warning_and_a_node_column_may_hold_numbers() {
    let t = copy_site(&fixture("progress"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet();
    s.set_name("評価").unwrap();
    for (c, h) in ["施策", "評価"].iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    s.write_string(1, 0, "２－（２）").unwrap();
    s.write_string(1, 1, "C").unwrap();
    let s = book.add_worksheet();
    s.set_name("実績").unwrap();
    for (c, h) in ["指標ID", "実績値"].iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    s.write_string(1, 0, "jishubo").unwrap();
    s.write_number(1, 1, 0.861).unwrap(); // 「86.1%」 as Excel stores it
    let s = book.add_worksheet();
    s.set_name("集計").unwrap();
    s.write_string(0, 0, "合計").unwrap();
    std::fs::write(t.path().join("content/keikaku/_data/R7.xlsx"), book.save_to_buffer().unwrap()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = build(t.path(), Some(out.path()));
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("注意") && text(&o).contains("「集計」シートは実績の表でも評価の表でもない"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("「実績」シート 2 行目 B 列(実績値)の「0.861」を 0.861 % として読みました"),
        "{}",
        text(&o)
    );
    let site = load(t.path());
    let node = site.plans[0].nodes.iter().find(|n| n.id == "2-2").unwrap();
    assert_eq!(node.evaluations.last().map(|e| (e.year, e.grade)), Some((FiscalYear(2025), Some(3))));
}
