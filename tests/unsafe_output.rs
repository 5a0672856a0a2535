//! Unsafe output (issue #12, item 9): a `javascript:` link fails the build with the file
//! and line, and open-data CSV cells that a spreadsheet would run as formulas get a `'`.

mod common;

use common::*;
use std::path::Path;

/// Rewrites `content/<rel>` of the site at `root` with `f`, returning the new text.
fn edit(root: &Path, rel: &str, f: impl FnOnce(&str) -> String) -> String {
    let path = root.join("content").join(rel);
    let new = f(&std::fs::read_to_string(&path).unwrap());
    std::fs::write(&path, &new).unwrap();
    new
}

#[test]
fn javascript_link_fails_the_build_with_file_and_line() {
    let site = copy_site(&fixture("mine"));
    let root = site.path();
    let first = build(root, None);
    assert!(first.status.success(), "the fixture builds: {}", text(&first));
    let public = root.join("public");
    let before = snapshot(&public);
    assert!(!before.is_empty());

    let link = "[x](javascript:alert(1))";
    let new = edit(root, "mine-2/5.md", |t| {
        assert!(t.starts_with("+++\n") && t.matches("+++").count() == 2, "front matter, then the body");
        format!("{t}\n\n{link}\n")
    });
    let line = new[..new.find(link).unwrap()].matches('\n').count() + 1;

    let o = build(root, None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "exit code 1, got {:?}:\n{out}", o.status.code());
    assert!(!out.contains("panicked"), "{out}");
    assert!(out.contains(&format!("content/mine-2/5.md:{line}:")), "line {line}:\n{out}");
    assert!(out.contains("[unsafe-link]") && out.contains("javascript:alert(1)"), "{out}");
    assert!(out.contains("https:// で始まる URL"), "the help: {out}");
    assert_eq!(snapshot(&public), before, "public/ must be left as it was:\n{out}");

    // Into a new output folder: it is not created.
    let fresh = root.join("fresh-out");
    let o = build(root, Some(&fresh));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!fresh.exists(), "the output folder was created");
}

#[test]
fn formula_in_indicator_text_gets_a_quote_in_the_csv() {
    let site = copy_site(&fixture("mine"));
    let root = site.path();
    edit(root, "mine-2/5.md", |t| {
        // A table at the end of the front matter, before the closing +++.
        let close = t.rfind("+++").unwrap();
        let table = "[[indicators]]\nname = '=HYPERLINK(\"http://x\",\"y\")'\nunit = \"@件\"\n\
                     note = '=HYPERLINK(\"http://x\",\"y\")'\nbetter = \"lower\"\n\
                     baseline = { value = -3.5, year = \"R1\" }\ntarget = { value = -10, year = \"R7\" }\n";
        format!("{}{table}{}", &t[..close], &t[close..])
    });
    let o = build(root, None);
    assert!(o.status.success(), "{}", text(&o));

    let data = root.join("public/data");
    let csvs: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with("-indicators.csv"))
        .collect();
    assert_eq!(csvs.len(), 1, "{csvs:?}");
    let bytes = std::fs::read(&csvs[0]).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mine: Vec<_> = rows.iter().filter(|r| r[col("指標名")].contains("HYPERLINK")).collect();
    assert_eq!(mine.len(), 7, "R1..R7: {rows:?}");
    for r in &mine {
        assert_eq!(&r[col("指標名")], "'=HYPERLINK(\"http://x\",\"y\")", "指標名");
        assert_eq!(&r[col("単位")], "'@件", "単位");
    }
    let base = mine.iter().find(|r| &r[col("年度(西暦)")] == "2019").unwrap();
    assert_eq!(&base[col("基準値")], "-3.5", "the negative baseline stays a number");
    let target = mine.iter().find(|r| &r[col("年度(西暦)")] == "2025").unwrap();
    assert_eq!(&target[col("目標値")], "-10", "the negative target stays a number");
    let raw = String::from_utf8(bytes).unwrap();
    assert!(!raw.contains(",=") && !raw.contains(",\"=") && !raw.contains(",@"), "{raw}");
}

#[test]
fn regression_script_end_tag_in_a_title_stays_inside_the_json_ld() {
    // A title is copied into the page's JSON-LD: `</script>` in it must not end the element.
    let site = copy_site(&fixture("mine"));
    let root = site.path();
    let hostile = "</script><script>alert(1)</script><!--";
    edit(root, "mine-2/5.md", |t| {
        let start = t.find("\ntitle = ").unwrap() + 1;
        let end = start + t[start..].find('\n').unwrap();
        format!("{}title = '{hostile}'{}", &t[..start], &t[end..])
    });
    let o = build(root, None);
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(root.join("public/mine-2/5/index.html")).unwrap();
    let doc = scraper::Html::parse_document(&page);
    let scripts: Vec<(Option<&str>, String)> = doc
        .select(&scraper::Selector::parse("script").unwrap())
        .map(|e| (e.value().attr("type"), e.text().collect()))
        .collect();
    assert_eq!(scripts.len(), 1, "no script but the JSON-LD: {scripts:?}");
    assert_eq!(scripts[0].0, Some("application/ld+json"));
    let scripts: Vec<String> = scripts.into_iter().map(|s| s.1).collect();
    let ld: serde_json::Value = serde_json::from_str(&scripts[0]).unwrap();
    let items = ld["@graph"][0]["itemListElement"].as_array().unwrap();
    assert!(items.last().unwrap()["name"].as_str().unwrap().contains(hostile), "{ld}");
}
