//! Builds the example site and every fixture, and checks the output as a resident and a
//! crawler would meet it: every node has a page, every link and anchor resolves, every
//! page is reachable from the home page, pages are Japanese and well-formed.

mod common;

use common::*;
use planpress::build::{self, BuildOptions};
use planpress::check::links;
use planpress::content::Site;
use scraper::{Html, Selector};
use std::path::Path;

fn build_site(root: &Path, out: &Path) -> Site {
    let opts = BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        base_url: None,
        progress: false,
        minify: None,
        defer_search: false,
        private_output: false,
        drafts: false,
    };
    let report = build::build(&opts).unwrap_or_else(|e| panic!("{} failed to build:\n{e}", root.display()));
    assert!(report.pages > 0);
    build::load(&opts).unwrap()
}

fn read(out: &Path, rel: &str) -> Html {
    let text = std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Html::parse_document(&text)
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text_of(doc: &Html, s: &str) -> Vec<String> {
    doc.select(&sel(s)).map(|e| e.text().collect::<String>().trim().to_string()).collect()
}

/// The `content` of `<meta property|name=…>`.
fn meta_of(doc: &Html, key: &str) -> Option<String> {
    let s = format!("meta[property='{key}'], meta[name='{key}']");
    doc.select(&sel(&s)).next().and_then(|e| e.value().attr("content").map(str::to_string))
}

/// The JSON-LD of a page, parsed (it must be valid JSON).
fn json_ld(doc: &Html, rel: &str) -> Option<serde_json::Value> {
    let script = doc.select(&sel("script[type='application/ld+json']")).next()?;
    let text = script.text().collect::<String>();
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: JSON-LD is not JSON ({e}): {text}")))
}

/// The `@graph` item of type `ty`.
fn ld_item<'a>(ld: &'a serde_json::Value, ty: &str) -> Option<&'a serde_json::Value> {
    ld["@graph"].as_array()?.iter().find(|v| v["@type"] == ty)
}

/// Every page's own metadata: OGP, an icon, JSON-LD that parses, and a breadcrumb whose
/// last item is the page's own title (the h1), not the `<title>` with its suffix.
fn check_page_meta(site: &Site, doc: &Html, rel: &str) {
    let base = site.config.base_url.as_deref().filter(|b| b.contains("://"));
    let title = meta_of(doc, "og:title").unwrap_or_else(|| panic!("{rel}: og:title"));
    assert!(!title.is_empty() && !title.contains(" | "), "{rel}: og:title is the page's own title: {title:?}");
    assert_eq!(meta_of(doc, "og:locale").as_deref(), Some("ja_JP"), "{rel}");
    assert_eq!(meta_of(doc, "og:site_name").as_deref(), Some(site.config.title.as_str()), "{rel}");
    assert_eq!(meta_of(doc, "twitter:card").as_deref(), Some("summary"), "{rel}");
    if let Some(d) = meta_of(doc, "description") {
        assert!(!d.is_empty() && d.chars().count() <= 120, "{rel}: description {d:?}");
        assert_eq!(meta_of(doc, "og:description").as_deref(), Some(d.as_str()), "{rel}");
    }
    match base {
        Some(base) if rel != "404.html" => {
            let url = meta_of(doc, "og:url").unwrap_or_else(|| panic!("{rel}: og:url"));
            assert!(url.starts_with(base), "{rel}: og:url {url} is absolute");
        }
        // Without base_url there is no absolute URL to give.
        None => assert_eq!(meta_of(doc, "og:url"), None, "{rel}"),
        _ => {}
    }
    assert_eq!(doc.select(&sel("link[rel='icon'][href]")).count(), 1, "{rel}: one icon");
    let ld = json_ld(doc, rel);
    let current: Vec<String> = text_of(doc, ".crumb-current");
    if let Some(current) = current.first() {
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        let h1 = squash(&text_of(doc, "h1")[0]);
        assert!(h1.ends_with(&squash(current)), "{rel}: breadcrumb {current:?} is not the h1 {h1:?}");
        // A BreadcrumbList needs absolute URLs: none without base_url.
        if let Some(base) = base {
            let ld = ld.as_ref().unwrap_or_else(|| panic!("{rel}: a page with a breadcrumb has JSON-LD"));
            let list = ld_item(ld, "BreadcrumbList").unwrap_or_else(|| panic!("{rel}: BreadcrumbList"));
            let items = list["itemListElement"].as_array().unwrap();
            assert_eq!(items[0]["item"], base, "{rel}: the list starts at home");
            assert_eq!(items.last().unwrap()["name"], current.as_str(), "{rel}: the list ends at the page");
        }
    }
}

/// The checks every built site must pass.
fn check_site(root: &Path) {
    let out = tempfile::tempdir().unwrap();
    let site = build_site(root, out.path());
    let out = out.path();
    // Every node with a page has one, titled with the node's title; the others are
    // sections with their id on their host page.
    for plan in &site.plans {
        for (id, node) in plan.nodes.iter().enumerate() {
            let path = planpress::content::node_path(plan, id);
            let (page, frag) =
                path.split_once('#').map(|(p, f)| (p.to_string(), Some(f.to_string()))).unwrap_or((path.clone(), None));
            let doc = read(out, &format!("{page}index.html"));
            match frag {
                None => {
                    let h1 = text_of(&doc, "h1");
                    assert_eq!(h1.len(), 1, "{path}: one h1");
                    assert!(h1[0].contains(node.title.trim()), "{path}: h1 {:?} lacks {:?}", h1[0], node.title);
                }
                Some(id) => {
                    assert_eq!(doc.select(&sel(&format!("[id='{id}']"))).count(), 1, "{path}: section #{id}");
                }
            }
        }
    }
    // Every HTML page: lang="ja", one h1, one main, skip link to #main, no inline
    // scripts or styles, headings never skip a level.
    for entry in walkdir::WalkDir::new(out).into_iter().filter_map(Result::ok) {
        if entry.path().extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let rel = entry.path().strip_prefix(out).unwrap().to_string_lossy().into_owned();
        let doc = read(out, &rel);
        let html = doc.select(&sel("html")).next().unwrap();
        assert_eq!(html.value().attr("lang"), Some("ja"), "{rel}: lang");
        assert_eq!(doc.select(&sel("h1")).count(), 1, "{rel}: exactly one h1");
        assert_eq!(doc.select(&sel("main#main")).count(), 1, "{rel}: main#main");
        assert_eq!(doc.select(&sel("a.skip-link[href='#main']")).count(), 1, "{rel}: skip link");
        // JSON-LD is data, not a script: browsers neither run it nor apply script-src to it.
        assert_eq!(
            doc.select(&sel("script:not([src]):not([type='application/ld+json']), style, [style]")).count(),
            0,
            "{rel}: inline script/style"
        );
        check_page_meta(&site, &doc, &rel);
        assert!(!doc.html().contains('\u{FDD0}'), "{rel}: a content marker was left in the page");
        let mut last = 1;
        for h in doc.select(&sel("main h1, main h2, main h3, main h4, main h5, main h6")) {
            let level: usize = h.value().name()[1..].parse().unwrap();
            assert!(level <= last + 1, "{rel}: heading h{level} after h{last}: {:?}", h.text().collect::<String>());
            last = level;
        }
        let crumbs = doc.select(&sel("nav[aria-label='現在位置'] [aria-current='page']")).count();
        assert!(crumbs <= 1, "{rel}: one current breadcrumb");
    }
    // Every internal link and anchor resolves.
    let base_path = site.config.base_path();
    let broken = links::check_links(out, &base_path);
    assert!(
        broken.is_empty(),
        "broken links in {}:\n{}",
        root.display(),
        broken.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n")
    );
    // Every page is reachable from the home page; redirect pages at old URLs are not
    // linked (they are for links from outside), so they are left out.
    let reached = links::reachable(out, "index.html", &base_path);
    for entry in walkdir::WalkDir::new(out).into_iter().filter_map(Result::ok) {
        let rel = entry.path().strip_prefix(out).unwrap();
        if rel.extension().and_then(|e| e.to_str()) == Some("html")
            && rel != Path::new("404.html")
            && read(out, &rel.to_string_lossy()).select(&sel("meta[http-equiv='refresh']")).next().is_none()
        {
            assert!(reached.contains(rel), "{} is not reachable from the home page", rel.display());
        }
    }
    assert!(out.join("404.html").is_file());
    assert!(out.join("assets/style.css").is_file());
    match site.config.base_url.as_deref() {
        Some(base_url) => {
            let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
            assert!(sitemap.contains(&format!("<loc>{base_url}</loc>")));
        }
        // A sitemap needs absolute URLs: none without base_url (planpress init writes none).
        None => assert!(!out.join("sitemap.xml").exists()),
    }
    // robots.txt only at the root of a host: crawlers look for it nowhere else.
    if base_path == "/" && site.config.base_url.is_some() {
        let robots = std::fs::read_to_string(out.join("robots.txt")).unwrap();
        assert!(robots.contains("sitemap.xml"));
    } else {
        assert!(!out.join("robots.txt").exists(), "robots.txt under the sub-path {base_path}");
    }
}

#[test]
fn example_site_builds_and_every_page_checks_out() {
    check_site(&repo());
}

#[test]
fn kikuchi_fixture_builds() {
    check_site(&fixture("kikuchi"));
}

#[test]
fn mine_fixture_builds() {
    check_site(&fixture("mine"));
}

#[test]
fn features_fixture_builds() {
    check_site(&fixture("features"));
}

#[test]
fn bare_fixture_builds_correctly() {
    // No period, no level names, five levels, no base_url (tests/plan_shapes.rs reads its text).
    check_site(&fixture("bare"));
}

#[test]
fn kakegawa_plan_is_complete() {
    let out = tempfile::tempdir().unwrap();
    let site = build_site(&repo(), out.path());
    let plan = site.plans.iter().find(|p| p.id == "kakegawa-2").expect("kakegawa plan");
    assert_eq!(plan.levels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["戦略", "個別施策", "施策の方向"]);
    assert_eq!(plan.roots.len(), 7, "7 strategy fields");
    let measures: Vec<_> = plan.nodes.iter().filter(|n| n.depth == 1).collect();
    assert_eq!(measures.len(), 40, "40 個別施策");
    let per_field: Vec<usize> = plan.roots.iter().map(|&r| plan.nodes[r].children.len()).collect();
    assert_eq!(per_field, [4, 7, 6, 4, 2, 12, 5]);
    assert_eq!(plan.nodes.iter().filter(|n| n.depth == 2).count(), 177, "every 施策の方向");
    let indicators: usize = plan.nodes.iter().map(|n| n.indicators.len()).sum();
    assert_eq!(indicators, 21, "21 strategy indicators");
    assert_eq!(plan.period.unwrap().wareki(), "令和3年度〜令和7年度");
    // The first indicator as the seed has it: 69.4% in R1 → 80% in R7.
    let first = &plan.nodes[plan.roots[0]].indicators[0];
    assert_eq!(first.name, "子どもが健全に成長していると思う市民の割合");
    assert_eq!(
        (first.baseline.value.display(), first.baseline.year.wareki()),
        ("69.4".to_string(), "令和元年度".to_string())
    );
    assert_eq!((first.target.value.display(), first.target.year.wareki()), ("80".to_string(), "令和7年度".to_string()));
    // Measures are in the city's order: 6-(9) before 6-(10).
    let f6: Vec<&str> =
        plan.nodes[plan.roots[5]].children.iter().map(|&c| plan.nodes[c].number.as_deref().unwrap()).collect();
    assert_eq!(&f6[8..], ["6-(9)", "6-(10)", "6-(11)", "6-(12)"]);
    // The field page shows the indicator table with headers and 和暦.
    let doc = read(out.path(), "kakegawa-2/1/index.html");
    assert_eq!(text_of(&doc, "table.indicators caption").len(), 1);
    assert!(doc.select(&sel("table.indicators th[scope='col']")).count() >= 3);
    assert_eq!(doc.select(&sel("table.indicators tbody th[scope='row']")).count(), 3);
    assert!(text_of(&doc, "table.indicators td").iter().any(|t| t.contains("令和元年度")));
    // Navigation by policy field on every page lists the 7 strategies.
    for page in ["index.html", "kakegawa-2/index.html", "kakegawa-2/1-1/index.html", "404.html"] {
        let doc = read(out.path(), page);
        assert_eq!(doc.select(&sel("nav.global-nav li")).count(), 7, "{page}");
    }
}

#[test]
fn node_page_has_breadcrumbs_children_and_neighbours() {
    let out = tempfile::tempdir().unwrap();
    build_site(&repo(), out.path());
    let doc = read(out.path(), "kakegawa-2/1-2/index.html");
    let crumbs = text_of(&doc, "nav[aria-label='現在位置'] li");
    assert_eq!(crumbs.len(), 4, "{crumbs:?}");
    assert_eq!(crumbs[0], "ホーム");
    assert!(crumbs[3].contains("市民の生涯学習の拠点づくり"));
    let pager =
        doc.select(&sel("nav.pager a")).map(|a| a.value().attr("href").unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(pager, ["../../kakegawa-2/1-1/", "../../kakegawa-2/1/", "../../kakegawa-2/1-3/"]);
    assert_eq!(doc.select(&sel("#pp-children + ol.node-list > li")).count(), 3, "1-(2) has 3 施策の方向");
    // The global navigation marks the current field.
    let current = doc
        .select(&sel("nav.global-nav a[aria-current]"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(current, ["../../kakegawa-2/1/"]);
}

#[test]
fn content_is_escaped_and_pages_work_without_inline_code() {
    let out = tempfile::tempdir().unwrap();
    build_site(&fixture("features"), out.path());
    let raw = std::fs::read_to_string(out.path().join("showcase/7-3/index.html")).unwrap();
    assert!(!raw.contains("<img src=x"), "title markup is escaped");
    assert!(!raw.contains("<script>"), "summary and body scripts are escaped");
    assert!(raw.contains("&lt;img src=x onerror=alert(1)&gt;"));
    // The same title is escaped where it is listed, too.
    for page in [
        "showcase/kyodo/index.html",
        "showcase/themes/kyodo/index.html",
        "sdgs/16/index.html",
        "departments/2/index.html",
    ] {
        let raw = std::fs::read_to_string(out.path().join(page)).unwrap();
        assert!(!raw.contains("<img src=x") && raw.contains("&lt;img"), "{page}");
    }
}

#[test]
fn features_fixture_renders_every_kind_of_page() {
    let out = tempfile::tempdir().unwrap();
    build_site(&fixture("features"), out.path());
    let o = out.path();
    // Four levels, the last without pages: its nodes are sections on the 取組 page.
    let doc = read(o, "showcase/energy/index.html");
    assert_eq!(
        doc.select(&sel("section#energy-solar > h3")).count(),
        1,
        "an unpaged node is an h3 section under the h2 of its level"
    );
    assert!(!o.join("showcase/energy-solar/index.html").exists());
    // SDG pages list nodes across levels; the index counts them.
    let sdg7 = text_of(&read(o, "sdgs/7/index.html"), "main .node-links li");
    assert_eq!(sdg7.len(), 3, "{sdg7:?}");
    assert!(o.join("sdgs/index.html").is_file());
    // Department index with counts; a page per department, which node pages link to.
    let depts = read(o, "departments/index.html");
    assert_eq!(text_of(&depts, "main .department-list a"), ["企画政策課", "市民協働課", "環境政策課"]);
    assert_eq!(text_of(&depts, "main .department-list .count"), ["1件", "1件", "3件"]);
    let kankyo = text_of(&read(o, "departments/3/index.html"), "main .node-links li");
    assert_eq!(kankyo.len(), 3, "{kankyo:?}");
    assert_eq!(text_of(&read(o, "departments/3/index.html"), "main h1"), ["環境政策課の施策"]);
    let links: Vec<String> = read(o, "showcase/3-1/index.html")
        .select(&sel("main a[href*='departments/']"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(links, ["../../departments/3/", "../../departments/1/"]);
    // Cross-cutting theme pages.
    let theme = text_of(&read(o, "showcase/themes/digital/index.html"), "main .node-links li");
    assert_eq!(theme.len(), 2, "{theme:?}");
    // Actuals: the latest actual is shown; lower-is-better is said in words.
    let field = read(o, "showcase/kankyo/index.html");
    let cells = text_of(&field, "table.indicators td");
    assert!(cells.iter().any(|c| c.contains("80.3%") && c.contains("令和5年度")), "{cells:?}");
    assert!(text_of(&field, "table.indicators th").iter().any(|t| t.contains("低いほど良い")));
    // Markdown: footnotes, tables with scoped headers, images with alt, resolved links.
    let plan = read(o, "showcase/index.html");
    assert!(plan.select(&sel(".prose table th[scope='col']")).count() == 2);
    assert!(plan.select(&sel(".footnote-definition")).count() == 1);
    let chapter = read(o, "showcase/suishin/index.html");
    let img = chapter.select(&sel(".prose img")).next().unwrap();
    assert_eq!(img.value().attr("src"), Some("../../images/chart.svg"));
    assert!(o.join("images/chart.svg").is_file(), "static/ is copied");
    let m = read(o, "showcase/3-1/index.html");
    let hrefs: Vec<&str> = m.select(&sel(".prose a")).filter_map(|a| a.value().attr("href")).collect();
    assert_eq!(hrefs, ["../../showcase/kankyo/", "../../showcase/7-3/#%E7%8F%BE%E7%8A%B6%E3%81%A8%E8%AA%B2%E9%A1%8C"]);
    // Free page in a sub-folder, linked from the footer.
    assert!(o.join("info/accessibility/index.html").is_file());
    let home = read(o, "index.html");
    assert!(home.select(&sel("footer a[href='./info/accessibility/']")).count() == 1);
}

#[test]
fn base_url_override_and_sub_path_404() {
    let out = tempfile::tempdir().unwrap();
    let o = build(&fixture("kikuchi"), Some(out.path()));
    assert!(o.status.success(), "{}", text(&o));
    let o = planpress(&[
        "build",
        "--root",
        fixture("kikuchi").to_str().unwrap(),
        "--output",
        out.path().to_str().unwrap(),
        "--base-url",
        "http://localhost:8000/sub/dir",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(out.path().join("404.html")).unwrap();
    assert!(
        page.contains("href=/sub/dir/assets/style.css") || page.contains("href=\"/sub/dir/assets/style.css\""),
        "{page}"
    );
    let sitemap = std::fs::read_to_string(out.path().join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>http://localhost:8000/sub/dir/kikuchi-3/</loc>"), "{sitemap}");
}

#[test]
fn build_prints_one_line_summary() {
    let out = tempfile::tempdir().unwrap();
    let o = build(&fixture("mine"), Some(out.path()));
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("サイトを ") && stdout.contains("ページ") && stdout.contains("秒"), "{stdout}");
}

#[test]
fn init_creates_a_site_that_builds() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("new-site");
    let o = planpress(&["init", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    check_site(&dir);
}

#[test]
fn minify_can_be_switched_off() {
    let site = copy_site(&fixture("mine"));
    let out = tempfile::tempdir().unwrap();
    assert!(build(site.path(), Some(out.path())).status.success());
    let minified = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    std::fs::write(site.path().join("site.toml"), format!("{toml}\nminify = false\n")).unwrap();
    assert!(build(site.path(), Some(out.path())).status.success());
    let plain = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(plain.len() > minified.len());
    assert!(plain.contains("<html lang=\"ja\">"));
}

#[test]
fn theme_may_use_a_body_twice_or_inside_an_attribute() {
    // Bodies reach templates as markers that are swapped after minifying; a theme that
    // uses one where a marker cannot stand must still get the real text.
    let site = copy_site(&fixture("features"));
    let dir = site.path().join("themes/default/templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("page.html"),
        "{% extends \"base.html\" %}{% block head %}<meta property=\"og:description\" content=\"{{ page.body_html | striptags | trim }}\">{% endblock head %}\
         {% block main %}<h1>{{ page.title }}</h1><div class=\"a\">{{ page.body_html | safe }}</div><div class=\"b\">{{ page.body_html | safe }}</div>{% endblock main %}",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = build(site.path(), Some(out.path()));
    assert!(o.status.success(), "{}", text(&o));
    let doc = read(out.path(), "info/accessibility/index.html");
    let body = "JIS X 8341-3:2016 の適合レベル AA に準拠することを目標とします。";
    assert_eq!(text_of(&doc, "div.a p"), vec![body.to_string()]);
    assert_eq!(text_of(&doc, "div.b p"), vec![body.to_string()]);
    let meta = doc.select(&sel("meta[property='og:description']")).next().unwrap();
    assert_eq!(meta.value().attr("content"), Some(body));
    assert!(!doc.html().contains('\u{FDD0}'));
}

#[test]
fn a_build_that_defers_search_keeps_the_last_search_files() {
    // serve's builds leave the search files to its background refresher.
    let root = fixture("mine");
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("site");
    let opts = |defer_search| BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        base_url: None,
        progress: false,
        minify: None,
        defer_search,
        private_output: false,
        drafts: false,
    };
    build::build(&opts(true)).unwrap();
    assert!(out.join("index.html").is_file());
    assert!(out.join("search/index.html").is_file(), "the search page is there");
    assert!(!out.join("search/manifest.json").exists(), "but no search files");
    build::build(&opts(false)).unwrap();
    let before = snapshot(&out.join("search"));
    assert!(!before.is_empty());
    build::build(&opts(true)).unwrap();
    assert_eq!(snapshot(&out.join("search")), before, "the last ones kept");
}

#[test]
fn search_can_be_switched_off() {
    let site = copy_site(&fixture("mine"));
    let out = tempfile::tempdir().unwrap();
    assert!(build(site.path(), Some(out.path())).status.success());
    assert!(out.path().join("search/manifest.json").is_file());
    assert!(std::fs::read_to_string(out.path().join("index.html")).unwrap().contains("role=search"));
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    std::fs::write(site.path().join("site.toml"), format!("search = false\n{toml}")).unwrap();
    let o = build(site.path(), Some(out.path()));
    assert!(o.status.success(), "{}", text(&o));
    assert!(!out.path().join("search").exists(), "no search folder");
    for entry in walkdir::WalkDir::new(out.path()).into_iter().filter_map(Result::ok) {
        if entry.path().extension().and_then(|e| e.to_str()) == Some("html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            assert!(
                !html.contains("role=search") && !html.contains("search/"),
                "{}: still offers search",
                entry.path().display()
            );
        }
    }
    let base = planpress::config::SiteConfig::load(site.path()).unwrap().base_path();
    assert!(links::check_links(out.path(), &base).is_empty());
}

#[test]
fn open_data_round_trips_the_content() {
    for root in [repo(), fixture("features")] {
        let out = tempfile::tempdir().unwrap();
        let site = build_site(&root, out.path());
        for plan in &site.plans {
            // CSV: UTF-8 with BOM, the documented header, one row per indicator per year.
            let bytes = std::fs::read(out.path().join(format!("data/{}-indicators.csv", plan.id))).unwrap();
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
            let mut r = csv::Reader::from_reader(&bytes[3..]);
            let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
            assert_eq!(header, planpress::output::open_data::CSV_HEADER);
            let col = |name: &str| header.iter().position(|h| h == name).unwrap();
            let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
            let mut expected_rows = 0;
            for node in &plan.nodes {
                for ind in &node.indicators {
                    let mine: Vec<&csv::StringRecord> =
                        rows.iter().filter(|r| &r[col("指標ID")] == ind.id.as_str()).collect();
                    let first = ind.actuals.iter().map(|a| a.year).chain([ind.baseline.year]).min().unwrap();
                    let last = ind.actuals.iter().map(|a| a.year).chain([ind.target.year]).max().unwrap();
                    assert_eq!(mine.len() as i32, last.0 - first.0 + 1, "{}: a row per fiscal year", ind.name);
                    expected_rows += mine.len();
                    let year_col = col("年度(西暦)");
                    let cell = |year: i32, c: usize| {
                        mine.iter().find(|r| r[year_col] == year.to_string()).map(|r| r[c].to_string()).unwrap()
                    };
                    assert_eq!(
                        cell(ind.baseline.year.0, col("基準値")).parse::<f64>().unwrap(),
                        ind.baseline.value.value
                    );
                    assert_eq!(cell(ind.target.year.0, col("目標値")).parse::<f64>().unwrap(), ind.target.value.value);
                    assert_eq!(cell(ind.baseline.year.0, col("年度(和暦)")), ind.baseline.year.wareki());
                    for a in &ind.actuals {
                        assert_eq!(cell(a.year.0, col("実績値")), a.value.display_plain());
                    }
                    assert!(mine
                        .iter()
                        .all(|r| &r[col("指標名")] == ind.name.as_str() && &r[col("単位")] == ind.unit.as_str()));
                }
            }
            assert_eq!(rows.len(), expected_rows);
            // JSON: every node and indicator, nested as in the content.
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.path().join(format!("data/{}.json", plan.id))).unwrap())
                    .unwrap();
            fn count(nodes: &serde_json::Value, n: &mut usize, i: &mut usize) {
                for node in nodes.as_array().unwrap() {
                    *n += 1;
                    *i += node["indicators"].as_array().unwrap().len();
                    count(&node["children"], n, i);
                }
            }
            let (mut n, mut i) = (0, 0);
            count(&json["nodes"], &mut n, &mut i);
            assert_eq!(n, plan.nodes.len());
            assert_eq!(i, plan.nodes.iter().map(|n| n.indicators.len()).sum::<usize>());
            assert_eq!(json["period"]["start"]["fiscal_year"].as_i64(), plan.period.map(|p| i64::from(p.start.0)));
            // Evaluations CSV: the documented header, a row per node per evaluated year.
            let code = site.config.municipality_code.clone().unwrap_or_default();
            assert!(rows.iter().all(|r| (&r[0], &r[1]) == (code.as_str(), plan.municipality.as_str())));
            let bytes = std::fs::read(out.path().join(format!("data/{}-evaluations.csv", plan.id))).unwrap();
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
            let mut r = csv::Reader::from_reader(&bytes[3..]);
            assert_eq!(r.headers().unwrap(), &planpress::output::open_data::EVALUATIONS_CSV_HEADER[..]);
            let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
            assert_eq!(rows.len(), plan.nodes.iter().map(|n| n.evaluations.len()).sum::<usize>());
            assert_eq!(json["municipality_code"].as_str(), site.config.municipality_code.as_deref());
            assert_eq!(json["license"], site.config.license.as_str());
            let sitemap = std::fs::read_to_string(out.path().join("sitemap.xml")).unwrap();
            assert!(
                sitemap.contains(&format!("data/{}.json</loc>", plan.id))
                    && sitemap.contains(&format!("data/{}-indicators.csv</loc>", plan.id))
                    && sitemap.contains(&format!("data/{}-evaluations.csv</loc>", plan.id))
            );
        }
    }
}

#[test]
fn summaries_are_linked_with_gaiyouban_and_complete() {
    let out = tempfile::tempdir().unwrap();
    let site = build_site(&repo(), out.path());
    let plan = &site.plans[0];
    let link_texts = |page: &str| -> Vec<(String, String)> {
        read(out.path(), page)
            .select(&sel("main a"))
            .map(|a| (a.text().collect::<String>(), a.value().attr("href").unwrap_or("").to_string()))
            .collect()
    };
    assert!(link_texts("kakegawa-2/index.html")
        .iter()
        .any(|(t, h)| t.contains("概要版") && h.ends_with("kakegawa-2/summary/")));
    for &r in &plan.roots {
        let id = &plan.nodes[r].id;
        assert!(
            link_texts(&format!("kakegawa-2/{id}/index.html"))
                .iter()
                .any(|(t, h)| t.contains("概要版") && h.ends_with(&format!("summary/{id}/"))),
            "field {id} links its 概要版"
        );
    }
    let summary = read(out.path(), "kakegawa-2/summary/index.html");
    let text: String = summary.root_element().text().collect();
    assert!(text.contains(&plan.title) && text.contains("令和3年度〜令和7年度") && text.contains("2021〜2025年度"));
    assert!(text.contains(plan.vision.as_deref().unwrap()));
    for n in &plan.nodes {
        if n.depth <= 1 {
            assert!(text.contains(&n.title), "summary lists {}", n.title);
        }
        for i in &n.indicators {
            assert!(text.contains(&i.name), "summary lists indicator {}", i.name);
        }
    }
    assert_eq!(summary.select(&sel("button[data-print][hidden]")).count(), 1, "print button waits for its script");
    assert_eq!(summary.select(&sel("script[src$='assets/print.js']")).count(), 1);
}

#[test]
fn dashboard_counts_statuses_per_field() {
    let out = tempfile::tempdir().unwrap();
    let site = build_site(&fixture("features"), out.path());
    let plan = &site.plans[0];
    let rows_of = |doc: &Html| -> Vec<Vec<String>> {
        doc.select(&sel("table.counts tbody tr"))
            .map(|tr| tr.select(&sel("th, td")).map(|c| c.text().collect::<String>().trim().to_string()).collect())
            .collect()
    };
    // The default rule compares progress with the share of the plan period passed.
    // Latest actuals: 排出率 80.3 in R5 ((80.3-94.9)/(67.5-94.9) = 53% after 6 of 8 years, 75%),
    // 再エネ 23.1 in R5 (59% after 60%), 信頼 66.5 in R6 (50% after 83%): all 遅れ.
    let rows = rows_of(&read(out.path(), "showcase/dashboard/index.html"));
    assert_eq!(rows[0][1..], ["0", "0", "2", "0", "2"], "{rows:?}");
    assert_eq!(rows[1][1..], ["0", "0", "1", "0", "1"], "{rows:?}");
    // As of the end of R3: 排出率 88.0 (25% after 50% → 遅れ); 再エネ 19.5 (23% after 20% →
    // 順調; 遅れ under the old rule); kyodo: its indicator has no actual yet → 未評価.
    let doc = read(out.path(), "showcase/dashboard/2021/index.html");
    let rows = rows_of(&doc);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][1..], ["0", "1", "1", "0", "2"], "{rows:?}");
    assert_eq!(rows[1][1..], ["0", "0", "0", "1", "1"], "{rows:?}");
    assert_eq!(doc.select(&sel("svg.chart[role='img']")).count(), 3);
    assert_eq!(doc.select(&sel(".status-behind")).count(), 1 + 1, "one badge and the legend");
    let reasons: Vec<String> = doc.select(&sel(".db-meta .status-reason")).map(|r| r.text().collect()).collect();
    assert!(reasons.contains(&"令和3年度の実績: 期待される進捗 50% に対し 25%".to_string()), "{reasons:?}");
    assert!(reasons.contains(&"令和3年度の実績: 期待される進捗 20% に対し 23%".to_string()), "{reasons:?}");
    assert!(reasons.contains(&"令和3年度までの実績がまだありません".to_string()), "{reasons:?}");
    let legend: Vec<String> = doc.select(&sel(".status-legend li")).map(|r| r.text().collect()).collect();
    assert_eq!(legend.len(), 4, "{legend:?}");
    assert!(legend[1].contains("順調") && legend[1].contains("期待される進捗以上"), "{legend:?}");
    // The open data says the same as the page.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("data/showcase.json")).unwrap()).unwrap();
    let kankyo = json["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "kankyo").unwrap();
    let i = &kankyo["indicators"][0];
    assert_eq!(i["status"], "behind");
    assert_eq!(i["progress"], 0.53);
    assert_eq!(i["expected_progress"], 0.75);
    assert_eq!(i["status_reason"], "令和5年度の実績: 期待される進捗 75% に対し 53%");
    let _ = plan;
}

#[test]
fn progress_rule_comes_from_site_toml() {
    let site = copy_site(&fixture("features"));
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    let counts = |progress: &str| {
        std::fs::write(site.path().join("site.toml"), format!("{toml}\n[progress]\n{progress}")).unwrap();
        let out = tempfile::tempdir().unwrap();
        let o = build(site.path(), Some(out.path()));
        assert!(o.status.success(), "{}", text(&o));
        let doc = read(out.path(), "showcase/dashboard/index.html");
        let head: Vec<String> = doc.select(&sel("table.counts thead th")).map(|c| c.text().collect()).collect();
        let first: Vec<String> = doc
            .select(&sel("table.counts tbody tr"))
            .next()
            .unwrap()
            .select(&sel("td"))
            .map(|c| c.text().collect())
            .collect();
        (head, first)
    };
    // The old rule (progress against the target only): 53% and 59% are both 順調 over 50%;
    // with on_track = 0.55, 53% is 遅れ.
    let (_, first) = counts("rule = \"target\"\n");
    assert_eq!(first, ["0", "2", "0", "0", "2"], "both are 順調 under rule = target");
    let (_, first) = counts("rule = \"target\"\nachieved = 1.0\non_track = 0.55\n");
    assert_eq!(first, ["0", "1", "1", "0", "2"], "53% is 遅れ with on_track = 0.55");
    // 長与町-like: change from the baseline. 排出率 94.9 → 80.3 is 15% better (beyond ±10%),
    // 再エネ 17.2 → 23.1 is 34% better: both 改善.
    let (head, first) = counts("rule = \"baseline\"\n");
    assert_eq!(head, ["政策分野", "達成", "改善", "横ばい", "悪化", "未評価", "計"], "the columns follow the rule");
    assert_eq!(first, ["0", "2", "0", "0", "0", "2"]);
    let (_, first) = counts("rule = \"baseline\"\ntolerance = 0.2\n");
    assert_eq!(first, ["0", "1", "1", "0", "0", "2"], "15% better is 横ばい within ±20%");
    // A wrong value stops the build, naming the line.
    std::fs::write(site.path().join("site.toml"), format!("{toml}\n[progress]\nrule = \"fast\"\n")).unwrap();
    let o = build(site.path(), Some(tempfile::tempdir().unwrap().path()));
    assert!(!o.status.success());
    let line = toml.lines().count() + 3;
    assert!(text(&o).contains(&format!("site.toml:{line}")), "{}", text(&o));
    assert!(text(&o).contains("rule「fast」は使えません"), "{}", text(&o));
}

#[test]
fn open_data_is_dated_by_source_date_epoch_and_every_page_names_the_licence() {
    let out = tempfile::tempdir().unwrap();
    // 2024-12-31 15:00 UTC: already 1 January 2025 in Japan.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_planpress"))
        .args(["build", "--root", repo().to_str().unwrap(), "--output", out.path().to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1735657200")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("data/kakegawa-2.json")).unwrap()).unwrap();
    assert_eq!(json["modified"], "2025-01-01");
    assert_eq!(json["municipality_code"], "222135", "the example site's site.toml");
    assert_eq!(json["municipality"], "掛川市");
    for file in ["kakegawa-2-indicators.csv", "kakegawa-2-evaluations.csv"] {
        let bytes = std::fs::read(out.path().join("data").join(file)).unwrap();
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        let header = r.headers().unwrap().clone();
        assert_eq!((&header[0], &header[1]), ("全国地方公共団体コード", "地方公共団体名"), "{file}");
        let date = header.iter().position(|h| h == "更新日").unwrap();
        let license = header.iter().position(|h| h == "ライセンス").unwrap();
        for row in r.records().map(Result::unwrap) {
            assert_eq!((&row[0], &row[1]), ("222135", "掛川市"), "{file}");
            assert_eq!((&row[date], &row[license]), ("2025-01-01", "CC BY 4.0"), "{file}");
        }
    }
    let footer = Selector::parse("footer .license a[rel=license]").unwrap();
    for page in ["index.html", "kakegawa-2/index.html", "kakegawa-2/dashboard/index.html"] {
        let html = read(out.path(), page);
        let a = html.select(&footer).next().unwrap_or_else(|| panic!("{page}: no licence in the footer"));
        assert_eq!(a.value().attr("href"), Some("https://creativecommons.org/licenses/by/4.0/deed.ja"));
        assert_eq!(a.text().collect::<String>(), "CC BY 4.0");
        let p = a.ancestors().find_map(scraper::ElementRef::wrap).unwrap().text().collect::<String>();
        assert_eq!(p, "このサイトの内容は CC BY 4.0 で利用できます。", "{page}");
    }
}

#[test]
fn a_plan_without_actuals_says_so_on_its_dashboard() {
    let out = tempfile::tempdir().unwrap();
    let site = build_site(&repo(), out.path());
    let plan = &site.plans[0];
    assert!(plan.nodes.iter().flat_map(|n| &n.indicators).all(|i| i.actuals.is_empty()), "the seed has no actuals");
    let html = read(out.path(), "kakegawa-2/dashboard/index.html");
    let text: String = html.root_element().text().collect();
    assert!(text.contains("この計画にはまだ実績が登録されていません。"), "{text}");
    assert!(html.select(&Selector::parse("table.counts").unwrap()).next().is_none(), "no table of zeros");
    // A plan with actuals keeps its table.
    let out = tempfile::tempdir().unwrap();
    build_site(&fixture("features"), out.path());
    let html = read(out.path(), "showcase/dashboard/index.html");
    assert!(html.select(&Selector::parse("table.counts").unwrap()).next().is_some());
    assert!(!html.root_element().text().collect::<String>().contains("まだ実績が登録されていません"));
}

#[test]
fn pages_describe_themselves_and_the_home_page_carries_the_publisher_and_open_data() {
    let out = tempfile::tempdir().unwrap();
    let site = build_site(&repo(), out.path());
    let out = out.path();
    let pages = ["index.html", "kakegawa-2/index.html", "kakegawa-2/1/index.html", "kakegawa-2/1-1/index.html"];
    let descriptions: Vec<String> = pages
        .iter()
        .chain(["kakegawa-2/dashboard/index.html", "kakegawa-2/summary/index.html"].iter())
        .map(|p| meta_of(&read(out, p), "description").unwrap_or_else(|| panic!("{p}: description")))
        .collect();
    let distinct: std::collections::BTreeSet<&String> = descriptions.iter().collect();
    assert_eq!(distinct.len(), descriptions.len(), "every page its own description: {descriptions:#?}");
    // A node with a summary is described by it.
    let (plan, node) = site.nodes().find(|(_, n)| n.summary.as_deref().is_some_and(|s| s.len() > 3)).unwrap();
    let id = plan.nodes.iter().position(|n| n.id == node.id).unwrap();
    let doc = read(out, &format!("{}index.html", planpress::content::node_path(plan, id)));
    assert_eq!(meta_of(&doc, "description").as_deref(), node.summary.as_deref().map(str::trim));

    let home = read(out, "index.html");
    assert_eq!(meta_of(&home, "og:type").as_deref(), Some("website"));
    let ld = json_ld(&home, "index.html").expect("the home page has JSON-LD");
    let org = ld_item(&ld, "GovernmentOrganization").expect("the publisher");
    assert_eq!(org["name"], "掛川市");
    assert_eq!(org["identifier"]["value"], "222135");
    let datasets: Vec<&serde_json::Value> =
        ld["@graph"].as_array().unwrap().iter().filter(|v| v["@type"] == "Dataset").collect();
    assert_eq!(datasets.len(), 3 * site.plans.len(), "{ld}");
    for d in datasets {
        let dist = &d["distribution"][0];
        let url = dist["contentUrl"].as_str().unwrap();
        let file = url.strip_prefix(site.config.url_prefix()).expect("absolute");
        assert!(out.join(file).is_file(), "{url} is written");
        assert!(["text/csv", "application/json"].contains(&dist["encodingFormat"].as_str().unwrap()));
        assert!(d["license"].as_str().unwrap().starts_with("https://creativecommons.org/"), "{d}");
    }
    assert!(out.join("assets/favicon.svg").is_file(), "the default icon is written");
}

#[test]
fn regression_breadcrumb_title_is_escaped_once() {
    // `crumb_title | default(value=page_title)` escaped the title twice: the breadcrumb
    // showed 「&lt;img …&gt;」 as text where the h1 showed 「<img …>」.
    let out = tempfile::tempdir().unwrap();
    build_site(&fixture("features"), out.path());
    let raw = std::fs::read_to_string(out.path().join("showcase/7-3/index.html")).unwrap();
    assert!(!raw.contains("&amp;lt;"), "double-escaped text in the page");
    let doc = Html::parse_document(&raw);
    assert!(text_of(&doc, ".crumb-current")[0].contains("<img src=x onerror=alert(1)>"));
}

/// Runs git in `dir` with a fixed author and date.
fn git(dir: &Path, args: &[&str]) {
    let o = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.jp", "-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2025-01-15T12:00:00+09:00")
        .env("GIT_COMMITTER_DATE", "2025-01-15T12:00:00+09:00")
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn pages_show_their_last_update_from_front_matter_or_git_and_the_sitemap_has_it() {
    let site = copy_site(&fixture("features"));
    let root = site.path();
    let out = tempfile::tempdir().unwrap();
    // Not a checkout: no dates anywhere, and no error.
    build_site(root, out.path());
    let sitemap = std::fs::read_to_string(out.path().join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains("<lastmod>"), "{sitemap}");
    assert_eq!(read(out.path(), "index.html").select(&sel(".page-updated")).count(), 0);

    let node = root.join("content/showcase/kyodo/7-3.md");
    let text = std::fs::read_to_string(&node).unwrap();
    std::fs::write(&node, text.replacen("+++\n", "+++\nupdated = \"2026-04-01\"\n", 1)).unwrap();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "x"]);
    std::fs::write(root.join("static/icon.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    let toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    std::fs::write(root.join("site.toml"), format!("{toml}favicon = \"icon.png\"\n")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let built = build_site(root, out.path());
    let out = out.path();

    let doc = read(out, "showcase/7-3/index.html");
    let time = doc.select(&sel(".page-updated time")).next().expect("the node shows its date");
    assert_eq!(time.value().attr("datetime"), Some("2026-04-01"), "front matter wins over git");
    assert_eq!(time.text().collect::<String>(), "令和8年4月1日(2026年4月1日)");
    let plan = read(out, "showcase/index.html");
    let time = plan.select(&sel(".page-updated time")).next().expect("the plan page is dated by git");
    assert_eq!(time.value().attr("datetime"), Some("2025-01-15"));
    assert_eq!(read(out, "showcase/dashboard/index.html").select(&sel(".page-updated")).count(), 0);

    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let base = built.config.url_prefix();
    assert!(sitemap.contains(&format!("<loc>{base}showcase/7-3/</loc><lastmod>2026-04-01</lastmod>")), "{sitemap}");
    assert!(sitemap.contains(&format!("<loc>{base}showcase/</loc><lastmod>2025-01-15</lastmod>")), "{sitemap}");

    // site.toml's favicon replaces the theme's.
    let icon = doc.select(&sel("link[rel='icon']")).next().unwrap();
    assert_eq!(icon.value().attr("href"), Some("../../icon.png"));
    assert_eq!(icon.value().attr("type"), Some("image/png"));
    assert!(out.join("icon.png").is_file());
}

#[test]
fn a_base_url_without_a_host_leaves_out_every_absolute_url() {
    // `--base-url /sub/` (as the browser tests build): og:url, og:image and JSON-LD
    // items would be relative, and robots.txt could not name its sitemap.
    let out = tempfile::tempdir().unwrap();
    let opts = BuildOptions {
        root: fixture("kikuchi"),
        output: Some(out.path().to_path_buf()),
        base_url: Some("/".into()),
        progress: false,
        minify: None,
        defer_search: false,
        private_output: false,
        drafts: false,
    };
    build::build(&opts).unwrap();
    let doc = read(out.path(), "index.html");
    assert_eq!(meta_of(&doc, "og:url"), None);
    assert!(meta_of(&doc, "og:title").is_some());
    assert!(!out.path().join("robots.txt").exists());
    // regression: the sitemap listed relative URLs (`/kikuchi/`), which the sitemap
    // protocol does not allow, and pages had relative canonical links.
    assert!(!out.path().join("sitemap.xml").exists());
    let home = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(!home.contains("canonical"), "{home}");
    let ld = json_ld(&doc, "index.html").expect("the publisher needs no URL");
    assert!(ld_item(&ld, "GovernmentOrganization").unwrap().get("url").is_none(), "{ld}");
    assert!(ld_item(&ld, "Dataset").is_none(), "a Dataset without its URL: {ld}");
}
