//! Search over whole sites (the example site and every fixture): recall and precision of
//! the substring semantics, normalisation, the build's browser files and the CLI.
//! (The browser runtime is held to these results by tests/browser/search.test.mjs.)

mod common;

use common::*;
use planpress::build::{self, BuildOptions};
use planpress::search::analyzer::{is_word, normalize, normalize_chars};
use planpress::search::index::SearchIndex;
use planpress::search::variants::alternatives_with;
use planpress::search::{index_site, search, SearchOptions};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Site {
    name: &'static str,
    index: SearchIndex,
    /// Per document: the normalised text of each searched field (title, headings, body,
    /// listed).
    texts: Vec<[String; 4]>,
}

fn sites() -> &'static [Site] {
    static SITES: OnceLock<Vec<Site>> = OnceLock::new();
    SITES.get_or_init(|| {
        [
            ("example", repo()),
            ("features", fixture("features")),
            ("kikuchi", fixture("kikuchi")),
            ("mine", fixture("mine")),
        ]
        .into_iter()
        .map(|(name, root): (&'static str, PathBuf)| {
            let site = build::load(&BuildOptions { root, ..Default::default() }).unwrap();
            let index = index_site(&site).unwrap();
            let texts = index.corpus.docs.iter().map(|d| d.field_texts().map(|t| normalize(&t))).collect();
            Site { name, index, texts }
        })
        .collect()
    })
}

fn found(site: &Site, q: &str) -> BTreeSet<usize> {
    search(&site.index, q, &SearchOptions::default()).unwrap().hits.iter().map(|h| h.doc).collect()
}

/// The literal hits of `q` (not through a spelling variant or reading), after checking that
/// every variant hit comes after them and contains one of the query's other spellings.
fn found_literal(site: &Site, q: &str) -> BTreeSet<usize> {
    let r = search(&site.index, q, &SearchOptions::default()).unwrap();
    let first_variant = r.hits.iter().position(|h| h.variant).unwrap_or(r.hits.len());
    assert!(r.hits[first_variant..].iter().all(|h| h.variant), "{q}: a literal hit after a variant hit");
    // Spelling variants, then the site's words read as the term (readings).
    let alts: Vec<String> = r
        .parsed
        .include
        .iter()
        .flat_map(|t| alternatives_with(&t.raw, site.index.readings().words(&normalize(&t.raw))))
        .collect();
    for h in &r.hits[first_variant..] {
        assert!(alts.iter().any(|a| containing(site, a).contains(&h.doc)), "{q}: {} has no other spelling", h.url);
    }
    r.hits[..first_variant].iter().map(|h| h.doc).collect()
}

/// Documents whose normalised fields contain `s`.
fn containing(site: &Site, s: &str) -> BTreeSet<usize> {
    site.texts.iter().enumerate().filter(|(_, t)| t.iter().any(|f| f.contains(s))).map(|(i, _)| i).collect()
}

fn is_cjk_str(s: &str) -> bool {
    !s.is_empty() && s.chars().all(planpress::search::analyzer::is_cjk)
}

/// A substring of a normalised field that does not cut a word (letters/digits) and is
/// safe as a query (no quote or minus characters, which are query syntax).
fn pick(text: &str, start: usize, len: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 2 {
        return None;
    }
    let mut a = start.min(chars.len() - 1);
    let mut b = (a + len).min(chars.len());
    let word = |i: usize| i < chars.len() && is_word(chars[i]) && !planpress::search::analyzer::is_cjk(chars[i]);
    while a < b && a > 0 && word(a) && word(a - 1) {
        a += 1;
    }
    while b > a && b < chars.len() && word(b) && word(b - 1) {
        b -= 1;
    }
    let s: String = chars[a..b].iter().collect();
    let syntax = |c: char| matches!(c, '"' | '\u{FF02}' | '\u{201C}' | '\u{201D}' | '-' | '\u{FF0D}' | '\u{2212}');
    let mark = |c: Option<char>| {
        c.is_some_and(|c| normalize_chars(&c.to_string()).first().is_some_and(|n| unicode_mark(n.ch)))
    };
    if s.chars().any(syntax) || mark(s.chars().next()) || mark(chars.get(b).copied()) {
        return None;
    }
    Some(s)
}

fn unicode_mark(c: char) -> bool {
    // Combining marks belong to the character before them; never start or cut there.
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{3099}' | '\u{309A}' | '\u{FE00}'..='\u{FE0F}')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Recall: any 2–8 character substring of a page's normalised text finds that page
    /// (words are matched whole, so the substring does not cut one). Precision: when the
    /// substring is one CJK run, the literal results are exactly the pages containing it
    /// (and the others contain another spelling of it).
    #[test]
    fn any_substring_finds_its_page(site_i in 0usize..4, doc_r in any::<prop::sample::Index>(), field_r in any::<prop::sample::Index>(), start_r in any::<prop::sample::Index>(), len in 2usize..=8) {
        let site = &sites()[site_i];
        let doc = doc_r.index(site.texts.len());
        let fields: Vec<usize> = (0..4).filter(|&f| site.texts[doc][f].chars().count() >= 2).collect();
        prop_assume!(!fields.is_empty());
        let field = fields[field_r.index(fields.len())];
        let text = &site.texts[doc][field];
        let start = start_r.index(text.chars().count().saturating_sub(1).max(1));
        let Some(s) = pick(text, start, len) else { return Ok(()) };
        if planpress::search::query::parse(&s).include.is_empty() {
            return Ok(());
        }
        let got = found(site, &s);
        prop_assert!(got.contains(&doc), "{}: {:?} (field {field}) does not find doc {doc} ({})", site.name, s, site.index.corpus.docs[doc].url);
        if is_cjk_str(&s) {
            prop_assert_eq!(found_literal(site, &s), containing(site, &s), "{}: {:?}", site.name, s);
        }
    }

    /// A string of the site's own characters that occurs on no page finds nothing literally.
    #[test]
    fn absent_strings_find_nothing(site_i in 0usize..4, picks in prop::collection::vec(any::<prop::sample::Index>(), 2..6)) {
        let site = &sites()[site_i];
        let alphabet: Vec<char> = {
            let set: BTreeSet<char> = site.texts.iter().flat_map(|t| t[2].chars()).filter(|&c| planpress::search::analyzer::is_cjk(c)).collect();
            set.into_iter().collect()
        };
        let s: String = picks.iter().map(|i| alphabet[i.index(alphabet.len())]).collect();
        if containing(site, &s).is_empty() {
            prop_assert!(found_literal(site, &s).is_empty(), "{}: {:?} occurs nowhere but is found", site.name, s);
        }
    }
}

#[test]
fn full_width_and_case_find_the_same_pages() {
    for site in sites() {
        let dx = found(site, "dx");
        assert_eq!(found(site, "ＤＸ"), dx, "{}", site.name);
        assert_eq!(found(site, "DX"), dx, "{}", site.name);
        assert_eq!(found(site, "Dx"), dx, "{}", site.name);
        let want: BTreeSet<usize> =
            containing(site, "dx").into_iter().filter(|&d| site.texts[d].iter().any(|t| has_word(t, "dx"))).collect();
        assert_eq!(dx, want, "{}", site.name);
    }
    assert!(!found(&sites()[0], "ＤＸ").is_empty(), "the example site mentions DX");
}

fn has_word(text: &str, w: &str) -> bool {
    planpress::search::analyzer::tokenize(text).iter().any(|t| t.text == w)
}

#[test]
fn a_term_finds_pages_with_longer_words() {
    for site in sites() {
        let kosodate = found(site, "子育て");
        let shien = containing(site, "子育て支援");
        assert!(shien.is_subset(&kosodate), "{}", site.name);
        assert_eq!(kosodate, containing(site, "子育て"), "{}", site.name);
    }
    assert!(!containing(&sites()[0], "子育て支援").is_empty());
}

#[test]
fn all_terms_must_match_and_excluded_terms_must_not() {
    let site = &sites()[0];
    let both = found(site, "子育て　支援");
    let want: BTreeSet<usize> = containing(site, "子育て").intersection(&containing(site, "支援")).copied().collect();
    assert_eq!(both, want);
    let without = found(site, "まちづくり -協働");
    let want: BTreeSet<usize> = containing(site, "まちづくり").difference(&containing(site, "協働")).copied().collect();
    assert_eq!(without, want);
    assert!(found(site, "-協働").is_empty());
    assert_eq!(found(site, "\"地域循環共生圏\""), containing(site, "地域循環共生圏"));
}

#[test]
fn title_and_heading_matches_rank_higher() {
    let site = &sites()[0];
    let r = search(&site.index, "協働", &SearchOptions::default()).unwrap();
    assert!(r.hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(r.hits[0].title.contains("協働"), "{}", r.hits[0].title);
}

/// The example site's page at `url` (site-relative).
fn doc_at(site: &Site, url: &str) -> usize {
    site.index.corpus.docs.iter().position(|d| d.url == url).unwrap_or_else(|| panic!("no page {url}"))
}

fn top(site: &Site, q: &str) -> (usize, Vec<usize>) {
    let r = search(&site.index, q, &SearchOptions::default()).unwrap();
    assert!(!r.hits.is_empty(), "{q}: nothing found");
    (r.hits[0].doc, r.hits.iter().map(|h| h.doc).collect())
}

#[test]
fn regression_a_parent_is_found_by_the_titles_it_lists_below_the_child() {
    // #17: a page was not found by the titles of the pages it lists. 戦略5 lists
    // 「5-(2) 協働力によるシティプロモーションと移住・定住の促進」.
    let site = &sites()[0];
    let parent = doc_at(site, "kakegawa-2/5/");
    let child = doc_at(site, "kakegawa-2/5-2/");
    let (first, all) = top(site, "移住・定住");
    assert_eq!(first, child, "the page whose own text has the words comes first");
    assert!(all.contains(&parent), "the page listing it is found too: {all:?}");
    let hit = search(&site.index, "移住・定住", &SearchOptions::default()).unwrap().hits[1].clone();
    assert_eq!((hit.doc, hit.display.anchor.as_str()), (parent, "pp-children"), "links to its list");
}

#[test]
fn a_node_without_a_page_is_found_on_its_parent_at_its_section() {
    // 「④ 原子力災害に関する対策の推進」 has nothing but its title: it is a section of
    // 6-(1) (#16), and the hit links there.
    let site = &sites()[0];
    let hit = search(&site.index, "原子力災害", &SearchOptions::default()).unwrap().hits[0].clone();
    assert_eq!((hit.doc, hit.display.anchor.as_str()), (doc_at(site, "kakegawa-2/6-1/"), "6-1-4"));
}

#[test]
fn regression_terms_across_a_page_and_its_list_find_the_page() {
    // #17: 防災 is in 6-(1)'s title, 原子力 in its list of 施策の方向: nothing was found.
    let site = &sites()[0];
    let (first, all) = top(site, "防災 原子力");
    assert_eq!(first, doc_at(site, "kakegawa-2/6-1/"), "{all:?}");
}

#[test]
fn regression_indicator_values_are_searchable() {
    // #17: 「69.4%」 is 戦略1's 基準値 of an indicator; values were not indexed.
    let site = &sites()[0];
    let (first, _) = top(site, "69.4");
    assert_eq!(first, doc_at(site, "kakegawa-2/1/"));
    let (first, _) = top(site, "69.4%");
    assert_eq!(first, doc_at(site, "kakegawa-2/1/"));
}

#[test]
fn regression_the_most_specific_page_wins_over_short_titles_and_lists() {
    // #17: 「戦略5 シティプロモーション分野」 (short title, lists 5-(2)) ranked first and the
    // page about it (5-(2), whose section is 「① シティプロモーション戦略の推進」) below it.
    let site = &sites()[0];
    let (first, all) = top(site, "ｼﾃｨﾌﾟﾛﾓｰｼｮﾝ");
    let field = doc_at(site, "kakegawa-2/5/");
    assert_eq!(first, doc_at(site, "kakegawa-2/5-2/"), "{all:?}");
    let pos = |d: usize| all.iter().position(|&x| x == d).unwrap();
    assert!(pos(doc_at(site, "kakegawa-2/5-2/")) < pos(field));
}

#[test]
fn a_match_in_a_list_only_never_outranks_the_same_match_in_own_text() {
    // For every node page listing a linked child: the child's title finds both, child first.
    let site = &sites()[0];
    let docs = &site.index.corpus.docs;
    let mut checked = 0;
    for (parent, d) in docs.iter().enumerate() {
        for line in d.listed.iter().filter(|s| s.anchor == "pp-children").flat_map(|s| s.text.lines()) {
            let Some(child) = docs.iter().position(|c| c.title == line) else { continue };
            if docs.iter().filter(|c| c.title == line).count() > 1 {
                continue;
            }
            let r = search(&site.index, &format!("\"{line}\""), &SearchOptions::default()).unwrap();
            let pos = |x: usize| r.hits.iter().position(|h| h.doc == x);
            assert!(pos(parent).is_some(), "{line}: the listing page {} is not found", d.url);
            assert!(pos(child) < pos(parent), "{line}: {} ranks above {}", d.url, docs[child].url);
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn regression_excluding_a_phrase_missing_from_a_field_does_not_panic() {
    // With the `listed` field, tantivy's exclusion sought a phrase scorer past its end
    // (a debug assertion in `planpress search` over tests/search/queries.json).
    let site = &sites()[0];
    let with = found(site, "市民");
    let without: BTreeSet<usize> = with.difference(&containing(site, "地域包括ケアシステム")).copied().collect();
    assert!(without.len() < with.len());
    assert_eq!(found(site, "市民 -地域包括ケアシステム"), without);
}

#[test]
fn field_filter_and_counts() {
    let site = &sites()[0];
    let all = search(&site.index, "市民", &SearchOptions::default()).unwrap();
    assert_eq!(all.counts.iter().map(|c| c.count).sum::<usize>() + all.other, all.total);
    let c = &all.counts[0];
    let only = search(&site.index, "市民", &SearchOptions { field: Some(c.id.clone()), limit: None }).unwrap();
    assert_eq!(only.matched, c.count);
    assert!(only.hits.iter().all(|h| h.field.as_deref() == Some(c.id.as_str())));
    let node = c.id.rsplit('/').next().unwrap();
    let by_node = search(&site.index, "市民", &SearchOptions { field: Some(node.to_string()), limit: None }).unwrap();
    assert_eq!(by_node.matched, c.count);
    let outside = search(&site.index, "市民", &SearchOptions { field: Some("none".into()), limit: None }).unwrap();
    assert_eq!(outside.matched, all.other);
    assert!(search(&site.index, "市民", &SearchOptions { field: Some("no-such-field".into()), limit: None }).is_err());
}

#[test]
fn unpaged_nodes_are_found_on_their_host_page_with_their_anchor() {
    let site = &sites()[1]; // features: 主な事業 have no pages
    let r = search(&site.index, "公民連携によるエネルギーの地産地消", &SearchOptions::default()).unwrap();
    let hit = r.hits.first().expect("found");
    assert_eq!(hit.display.anchor, "energy-solar", "{hit:?}");
    assert!(!hit.url.contains('#'));
}

#[test]
fn build_writes_browser_files_and_a_search_page() {
    let out = tempfile::tempdir().unwrap();
    let opts = BuildOptions { root: fixture("features"), output: Some(out.path().to_path_buf()), ..Default::default() };
    build::build(&opts).unwrap();
    let dir = out.path().join("search");
    for f in ["index.html", "manifest.json", "docs.bin", "t/0.bin", "p/0.bin", "d/0.json"] {
        assert!(dir.join(f).is_file(), "search/{f}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], planpress::search::export::FORMAT_VERSION);
    assert_eq!(manifest["fields"].as_array().unwrap().len(), 4);
    assert_eq!(manifest["fields"][3]["name"], "listed", "the script scores the last field apart");
    assert!(out.path().join("assets/search.js").is_file());
    let sitemap = std::fs::read_to_string(out.path().join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains("/search/"));
    let attr = |file: PathBuf, sel: &str, name: &str| -> Vec<String> {
        let doc = scraper::Html::parse_document(&std::fs::read_to_string(file).unwrap());
        let sel = scraper::Selector::parse(sel).unwrap();
        doc.select(&sel).filter_map(|e| e.value().attr(name).map(str::to_string)).collect()
    };
    let home = out.path().join("index.html");
    assert_eq!(attr(home.clone(), "header form[role=search]", "action"), vec!["./search/"]);
    assert_eq!(attr(home, "header form[role=search] label[for=site-search-q] + * input[name=q], header form[role=search] input[name=q]", "id"), vec!["site-search-q"]);
    let page = dir.join("index.html");
    assert_eq!(attr(page.clone(), "script[src]", "src"), vec!["../assets/search.js"]);
    assert_eq!(attr(page.clone(), "main form[role=search] input[name=q]", "id"), vec!["pp-search-q"]);
    assert_eq!(attr(page.clone(), "[aria-live]", "aria-live"), vec!["polite"]);
    assert_eq!(
        attr(page.clone(), "header form", "action").len(),
        0,
        "no second search form in the header of the search page"
    );
    let html = std::fs::read_to_string(page).unwrap();
    assert!(html.contains("<noscript>"));
    assert!(html.contains("ひらがなの読み(こそだて)"), "the help says readings work");
}

#[test]
fn chains_gathered_in_many_passes_give_the_same_files() {
    // The export gathers the chains of CJK units in passes over ranges of their first
    // bigram, to bound its memory; the passes must not change a byte.
    let t = tempfile::tempdir().unwrap();
    let build = |name: &str, per_pass: Option<&str>| {
        let out = t.path().join(name);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_planpress"));
        cmd.args(["build", "-q", "--root"]).arg(repo()).arg("--output").arg(&out);
        if let Some(n) = per_pass {
            cmd.env("PLANPRESS_SEARCH_CHAIN_PASS", n);
        }
        assert!(cmd.status().unwrap().success());
        snapshot(&out.join("search"))
    };
    let one = build("one", None);
    let many = build("many", Some("1"));
    assert!(one.len() > 10);
    assert_eq!(one.keys().collect::<Vec<_>>(), many.keys().collect::<Vec<_>>());
    for (path, bytes) in &one {
        assert!(bytes == &many[path], "search/{} differs", path.display());
    }
}

#[test]
fn the_script_reads_this_format_version() {
    // The module the bundle is made from (scripts/test.sh checks that the bundle is).
    let js = std::fs::read_to_string(repo().join("src/search/js/format.mjs")).unwrap();
    let want = format!("var FORMAT_VERSION = {};", planpress::search::export::FORMAT_VERSION);
    assert!(js.contains(&want), "search.js does not declare {want}");
}

#[test]
fn fieldnorm_table_in_the_script_is_tantivys() {
    let js = std::fs::read_to_string(repo().join("src/search/js/bm25.mjs")).unwrap();
    let start = js.find("var FIELDNORM_TABLE = [").expect("table") + "var FIELDNORM_TABLE = [".len();
    let end = start + js[start..].find(']').unwrap();
    let table: Vec<u32> = js[start..end].split(',').map(|s| s.trim().parse().unwrap()).collect();
    let want: Vec<u32> = (0..=255u8).map(tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm).collect();
    assert_eq!(table, want);
}

#[test]
fn cli_prints_ranked_results_and_json() {
    let root = repo();
    let root = root.to_str().unwrap();
    let out = planpress(&["search", "協働", "--root", root, "--limit", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("「協働」の検索結果:") && text.contains(" 1. ") && text.contains("«協働»"), "{text}");
    let out = planpress(&["search", "茶", "--root", root, "--json", "--field", "4"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["field"] == "kakegawa-2/4" && h["score"].as_f64().unwrap() > 0.0));
    let out = planpress(&["search", "茶", "--root", root, "--field", "nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("分野「nope」はありません"));
}

/// Issue #17: 子供 finds the pages writing 子ども, 障害 those writing 障がい (after the
/// literal ones), each marked as a variant hit, and 取組 finds 取り組み.
#[test]
fn spelling_variants_find_each_other_after_literal_hits() {
    let site = &sites()[0];
    for (q, other) in [("子供", "子ども"), ("障害", "障がい"), ("取組", "取り組み"), ("子ども", "こども")]
    {
        let r = search(&site.index, q, &SearchOptions::default()).unwrap();
        let literal = containing(site, &normalize(q));
        assert_eq!(found_literal(site, q), literal, "{q}");
        let variant: BTreeSet<usize> = r.hits.iter().filter(|h| h.variant).map(|h| h.doc).collect();
        let want: BTreeSet<usize> = containing(site, other).difference(&literal).copied().collect();
        assert!(want.is_subset(&variant), "{q}: {want:?} not all in {variant:?}");
        if q != "子ども" {
            assert!(!variant.is_empty(), "{q} finds no page writing {other}");
            let h = r.hits.iter().find(|h| h.variant).unwrap();
            let marked: String = h
                .display
                .title
                .iter()
                .chain(&h.display.snippet)
                .chain(h.display.sections.iter().flat_map(|s| &s.heading))
                .filter(|(_, on)| *on)
                .map(|(t, _)| t.as_str())
                .collect();
            assert!(marked.contains(other), "{q}: {other} not marked in {}", h.url);
        }
    }
    // 障害 is written literally on one page: it comes first.
    let r = search(&site.index, "障害", &SearchOptions::default()).unwrap();
    assert!(!r.hits[0].variant && r.hits.iter().skip(1).any(|h| h.variant));
    // An excluded term still excludes the variant hits that contain it.
    let r = search(&site.index, "子供 -貧困", &SearchOptions::default()).unwrap();
    assert!(r.hits.iter().all(|h| !containing(site, "貧困").contains(&h.doc)));
    assert!(r.hits.iter().any(|h| h.variant));
}

#[test]
fn the_cli_marks_variant_hits() {
    let site = &sites()[0];
    let r = search(&site.index, "子供", &SearchOptions::default()).unwrap();
    let text = planpress::search::cli::text(&r, "/");
    assert!(text.contains(planpress::search::cli::VARIANT_LABEL), "{text}");
    let r = search(&site.index, "子ども", &SearchOptions::default()).unwrap();
    assert!(!planpress::search::cli::text(&r, "/").contains(planpress::search::cli::VARIANT_LABEL));
}

/// Issue #17: a hiragana term finds the pages that write the word read so (こそだて →
/// 子育て), as variant hits after the literal ones, and every hit holds one of the forms.
#[test]
fn regression_hiragana_found_nothing_of_the_kanji_words_read_so() {
    let site = &sites()[0];
    for (q, word) in [("こそだて", "子育て"), ("しょうがい", "障害"), ("ぼうさい", "防災"), ("かんきょう", "環境")]
    {
        let r = search(&site.index, q, &SearchOptions::default()).unwrap();
        let pages = containing(site, word);
        assert!(!pages.is_empty(), "{word} is on the example site");
        let hits: BTreeSet<usize> = r.hits.iter().map(|h| h.doc).collect();
        assert!(pages.is_subset(&hits), "{q}: every page with {word} is found");
        let literal = containing(site, q);
        for h in &r.hits {
            assert_eq!(h.variant, !literal.contains(&h.doc), "{q}: only literal hits are unmarked");
        }
        // Literal hits first.
        let first_variant = r.hits.iter().position(|h| h.variant).unwrap_or(r.hits.len());
        assert!(r.hits[first_variant..].iter().all(|h| h.variant), "{q}");
    }
    // Whole words only, and a term with kanji is no reading.
    assert_eq!(
        search(&site.index, "子育て", &SearchOptions::default()).unwrap().hits.iter().filter(|h| h.variant).count(),
        0
    );
}

/// A hit found through a reading (よう → 用, 様 …) is another spelling of the term, as a
/// variant is: the substring property test took it for a hit without one.
#[test]
fn regression_reading_hits_counted_as_hits_without_another_spelling() {
    for site in sites() {
        found_literal(site, "よう");
    }
}
