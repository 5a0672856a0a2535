//! `planpress serve`: incremental rebuilds produce exactly what a full build produces, and
//! the running server follows edits, deletions, additions and broken files.

mod common;

use common::*;
use planpress::build::{self, BuildOptions};
use planpress::serve::project::{Changes, Project};
use planpress::serve::{serve, ServeOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BASE: &str = "http://127.0.0.1:9/";

fn opts(root: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        base_url: Some(BASE.into()),
        progress: false,
        minify: None,
        defer_search: false,
        private_output: false,
        drafts: false,
    }
}

/// HTML, JSON, CSV and XML of an output folder (search files are refreshed separately).
fn pages(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    // The marker lists the files of a full build; serve's edits do not rewrite it.
    snapshot(dir).into_iter().filter(|(p, _)| !p.starts_with("search") && !p.ends_with(".planpress-output")).collect()
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) -> Changes {
    let p = root.join(rel);
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(from), "{rel} lacks {from:?}");
    std::fs::write(&p, t.replacen(from, to, 1)).unwrap();
    changed(rel)
}

fn changed(rel: &str) -> Changes {
    let mut c = Changes::default();
    c.add(Path::new(rel), "default");
    c
}

/// A named edit of a site copy, returning what it changed.
type Step<'a> = (&'a str, Box<dyn Fn(&Path) -> Changes>);

#[test]
fn incremental_rebuilds_equal_full_builds() {
    let site = copy_site(&fixture("features"));
    let root = site.path();
    let t = tempfile::tempdir().unwrap();
    let inc = t.path().join("inc");
    let mut project = Project::open(opts(root, &inc)).unwrap();
    let steps: Vec<Step> = vec![
        ("body text", Box::new(|r| edit(r, "content/showcase/kyodo/7-3.md", "強みを活かして", "強みを生かして"))),
        // Redirect pages at old URLs: added, showing their page's title, moved, removed.
        (
            "add aliases",
            Box::new(|r| {
                edit(
                    r,
                    "content/showcase/kyodo/7-3.md",
                    "number = \"7-(3)\"",
                    "number = \"7-(3)\"\naliases = [\"/old/kyodo-3/\", \"old/7-3.html\"]",
                )
            }),
        ),
        (
            "title of a node with aliases",
            Box::new(|r| edit(r, "content/showcase/kyodo/7-3.md", "協働によるまちづくり", "協働のまちづくり")),
        ),
        (
            "chapter with an alias",
            Box::new(|r| {
                edit(r, "content/showcase/_pages/suishin.md", "+++\n", "+++\naliases = [\"/old/suishin/\"]\n")
            }),
        ),
        (
            "chapter title with an alias",
            Box::new(|r| edit(r, "content/showcase/_pages/suishin.md", "計画の推進にあたって", "計画の推進にあたり")),
        ),
        (
            "alias moved",
            Box::new(|r| edit(r, "content/showcase/kyodo/7-3.md", "\"/old/kyodo-3/\"", "\"/old/kyodo/3/\"")),
        ),
        (
            "aliases removed",
            Box::new(|r| {
                edit(r, "content/showcase/kyodo/7-3.md", "\naliases = [\"/old/kyodo/3/\", \"old/7-3.html\"]", "")
            }),
        ),
        (
            "measure title",
            Box::new(|r| edit(r, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実")),
        ),
        (
            "field title (navigation)",
            Box::new(|r| {
                edit(r, "content/showcase/kankyo/_index.md", "title = \"環境分野\"", "title = \"環境の分野\"")
            }),
        ),
        (
            "summary",
            Box::new(|r| {
                edit(r, "content/showcase/kankyo/3-1/_index.md", "地域課題解決の促進\"", "地域の課題解決の促進\"")
            }),
        ),
        ("indicator value", Box::new(|r| edit(r, "content/showcase/kyodo/7-3.md", "value = 57.9", "value = 58.0"))),
        // The plan over time: yearly pages, node histories, year links.
        (
            "evaluation comment",
            Box::new(|r| edit(r, "content/showcase/kankyo/3-2.md", "整備が遅れた。", "整備がやや遅れた。")),
        ),
        ("evaluation grade", Box::new(|r| edit(r, "content/showcase/kyodo/7-3.md", "grade = \"C\"", "grade = \"B\""))),
        (
            "evaluation in a new year",
            Box::new(|r| edit(r, "content/showcase/kankyo/3-2.md", "year = \"R6\"", "year = \"R7\"")),
        ),
        (
            "evaluation of a node without a page",
            Box::new(|r| edit(r, "content/showcase/kankyo/3-1/energy.md", "協定を2件締結した", "協定を3件締結した")),
        ),
        ("actual note", Box::new(|r| edit(r, "content/showcase/kankyo/_index.md", "速報値(テスト)", "確定値(テスト)"))),
        (
            "grade scale label",
            Box::new(|r| edit(r, "content/showcase/_plan.md", "label = \"要改善\"", "label = \"改善が必要\"")),
        ),
        (
            "plan subtitle, period left out",
            Box::new(|r| {
                edit(r, "content/showcase/_plan.md", "kind = \"基本計画\"", "subtitle = \"副題\"\nkind = \"基本計画\"");
                edit(r, "content/showcase/_plan.md", "period = { start = \"令和3年度\", end = \"R7\" }\n", "")
            }),
        ),
        ("sdgs", Box::new(|r| edit(r, "content/showcase/kankyo/3-2.md", "sdgs = [11, 15]", "sdgs = [11, 14]"))),
        (
            "departments",
            Box::new(|r| {
                edit(
                    r,
                    "content/showcase/kankyo/3-1/shigen.md",
                    "departments = [\"環境政策課\"]",
                    "departments = [\"環境政策課\", \"農林課\"]",
                )
            }),
        ),
        (
            "themes",
            Box::new(|r| {
                edit(r, "content/showcase/kankyo/3-2.md", "sdgs = [11, 14]", "sdgs = [11, 14]\nthemes = [\"kyodo\"]")
            }),
        ),
        (
            "unpaged child",
            Box::new(|r| {
                edit(r, "content/showcase/kankyo/3-1/energy.md", "省エネルギーの推進", "省エネルギーの一層の推進")
            }),
        ),
        (
            "chapter body",
            Box::new(|r| edit(r, "content/showcase/_pages/suishin.md", "有機的に推進します", "有機的に進めます")),
        ),
        (
            "add a node",
            Box::new(|r| {
                std::fs::write(
                    r.join("content/showcase/kankyo/3-3.md"),
                    "+++\nnumber = \"3-(3)\"\ntitle = \"美しい森林や海岸等の保全と活用の推進\"\n+++\n",
                )
                .unwrap();
                changed("content/showcase/kankyo/3-3.md")
            }),
        ),
        (
            "delete a node",
            Box::new(|r| {
                std::fs::remove_file(r.join("content/showcase/kankyo/3-2.md")).unwrap();
                changed("content/showcase/kankyo/3-2.md")
            }),
        ),
        // 最終更新日 of each kind of content page.
        (
            "node updated",
            Box::new(|r| {
                edit(
                    r,
                    "content/showcase/kyodo/7-3.md",
                    "number = \"7-(3)\"",
                    "number = \"7-(3)\"\nupdated = \"2026-04-01\"",
                )
            }),
        ),
        (
            "chapter updated",
            Box::new(|r| {
                edit(r, "content/showcase/_pages/suishin.md", "weight = 1", "weight = 1\nupdated = \"2025-10-01\"")
            }),
        ),
        (
            "free page updated",
            Box::new(|r| {
                edit(r, "content/info/accessibility.md", "footer = true", "footer = true\nupdated = 2025-06-30")
            }),
        ),
        (
            "plan updated",
            Box::new(|r| edit(r, "content/showcase/_plan.md", "vision = \"", "updated = \"2026-01-05\"\nvision = \"")),
        ),
        // Every page kind and every editable field (the page registry's reads).
        (
            "home body",
            Box::new(|r| edit(r, "content/_index.md", "このサイトはテスト用です。", "このサイトは試験用です。")),
        ),
        (
            "free page body",
            Box::new(|r| edit(r, "content/info/accessibility.md", "準拠することを目標とします", "準拠を目標とします")),
        ),
        (
            "free page title (footer of every page)",
            Box::new(|r| {
                edit(r, "content/info/accessibility.md", "ウェブアクセシビリティ方針", "アクセシビリティ方針")
            }),
        ),
        (
            "chapter title",
            Box::new(|r| edit(r, "content/showcase/_pages/suishin.md", "計画の推進にあたり", "計画の推進について")),
        ),
        (
            "field body (its summary page shows it)",
            Box::new(|r| edit(r, "content/showcase/kankyo/_index.md", "豊かな自然環境の保全", "豊かな自然の保全")),
        ),
        (
            "field summary (navigation)",
            Box::new(|r| edit(r, "content/showcase/kankyo/_index.md", "持続可能なまち\"", "持続可能な市\"")),
        ),
        ("plan vision", Box::new(|r| edit(r, "content/showcase/_plan.md", "希望が見えるまち", "希望の見えるまち"))),
        (
            "theme membership",
            Box::new(|r| edit(r, "content/showcase/kankyo/3-1/_index.md", "themes = [\"digital\"]", "themes = []")),
        ),
        (
            "indicator note",
            Box::new(|r| edit(r, "content/showcase/kankyo/_index.md", "テスト用の実績値", "試験用の実績値")),
        ),
        (
            "department renamed (pages renumbered)",
            Box::new(|r| {
                edit(
                    r,
                    "content/showcase/kankyo/_index.md",
                    "departments = [\"環境政策課\"]",
                    "departments = [\"環境課\"]",
                )
            }),
        ),
        (
            "measure number",
            Box::new(|r| edit(r, "content/showcase/kyodo/7-3.md", "number = \"7-(3)\"", "number = \"7-(4)\"")),
        ),
        (
            "field order (weight)",
            Box::new(|r| edit(r, "content/showcase/kankyo/_index.md", "weight = 1", "weight = 9")),
        ),
        (
            "no indicators left (no dashboard)",
            Box::new(|r| {
                let mut c = Changes::default();
                for rel in [
                    "content/showcase/kankyo/_index.md",
                    "content/showcase/kankyo/3-1/_index.md",
                    "content/showcase/kyodo/7-3.md",
                ] {
                    let p = r.join(rel);
                    let t = std::fs::read_to_string(&p).unwrap();
                    let (front, body) = t[3..].split_once("+++").unwrap();
                    let kept = front.split("\n[[indicators]]").next().unwrap();
                    std::fs::write(&p, format!("+++{kept}\n+++{body}")).unwrap();
                    c.add(Path::new(rel), "default");
                }
                c
            }),
        ),
        (
            "a first indicator again",
            Box::new(|r| {
                edit(
                    r,
                    "content/showcase/kyodo/7-3.md",
                    "themes = [\"kyodo\", \"digital\"]",
                    "themes = [\"kyodo\", \"digital\"]\n\n[[indicators]]\nname = \"参加者数\"\nunit = \"人\"\nbaseline = { value = 10, year = \"R1\" }\ntarget = { value = 20, year = \"R7\" }",
                )
            }),
        ),
        (
            "a node becomes a draft (left out, with the link to it)",
            Box::new(|r| edit(r, "content/showcase/kyodo/7-3.md", "+++\n", "+++\ndraft = true\n")),
        ),
        (
            "a draft folder node (its subtree left out)",
            Box::new(|r| edit(r, "content/showcase/kankyo/3-1/_index.md", "+++\n", "+++\ndraft = true\n")),
        ),
        (
            "the drafts published again",
            Box::new(|r| {
                let mut c = edit(r, "content/showcase/kyodo/7-3.md", "draft = true\n", "");
                edit(r, "content/showcase/kankyo/3-1/_index.md", "draft = true\n", "");
                c.add(Path::new("content/showcase/kankyo/3-1/_index.md"), "default");
                c
            }),
        ),
        (
            "template",
            Box::new(|r| {
                let dir = r.join("themes/default/templates");
                std::fs::create_dir_all(&dir).unwrap();
                let t = planpress::render::templates::DEFAULT_THEME
                    .iter()
                    .find(|f| f.path == "templates/theme.html")
                    .unwrap();
                std::fs::write(
                    dir.join("theme.html"),
                    t.contents.replace("この取組に関わる項目", "この取組に関係する項目"),
                )
                .unwrap();
                changed("themes/default/templates/theme.html")
            }),
        ),
    ];
    for (name, step) in steps {
        let changes = step(root);
        let r = project.rebuild(&changes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let full = t.path().join(format!("full-{}", name.replace(' ', "_")));
        build::build(&opts(root, &full)).unwrap();
        let (a, b) = (pages(&inc), pages(&full));
        let differing: Vec<_> = b.keys().chain(a.keys()).filter(|k| a.get(*k) != b.get(*k)).collect();
        assert!(
            differing.is_empty(),
            "after '{name}' ({} pages rendered) these differ from a full build: {differing:?}",
            r.rendered
        );
    }
}

#[test]
fn incremental_rebuilds_with_drafts_follow_draft_marks() {
    // serve shows drafts, each with its 「下書き」 banner: marking and unmarking re-render it.
    let site = copy_site(&fixture("features"));
    let root = site.path();
    let t = tempfile::tempdir().unwrap();
    let inc = t.path().join("inc");
    let with_drafts = |out: &Path| BuildOptions { drafts: true, ..opts(root, out) };
    let mut project = Project::open(with_drafts(&inc)).unwrap();
    let steps: Vec<Step> = vec![
        ("node draft", Box::new(|r| edit(r, "content/showcase/kyodo/7-3.md", "+++\n", "+++\ndraft = true\n"))),
        ("chapter draft", Box::new(|r| edit(r, "content/showcase/_pages/suishin.md", "+++\n", "+++\ndraft = true\n"))),
        ("free page draft", Box::new(|r| edit(r, "content/info/accessibility.md", "+++\n", "+++\ndraft = true\n"))),
        ("plan draft", Box::new(|r| edit(r, "content/showcase/_plan.md", "+++\n", "+++\ndraft = true\n"))),
        ("node published", Box::new(|r| edit(r, "content/showcase/kyodo/7-3.md", "draft = true\n", ""))),
        ("plan published", Box::new(|r| edit(r, "content/showcase/_plan.md", "draft = true\n", ""))),
    ];
    same_as_full_builds(&mut project, root, &inc, &with_drafts, steps);
    let page = String::from_utf8(pages(&inc)[Path::new("showcase/suishin/index.html")].clone()).unwrap();
    assert!(page.contains("draft-banner"), "the chapter is still a draft");
    let page = String::from_utf8(pages(&inc)[Path::new("showcase/7-3/index.html")].clone()).unwrap();
    assert!(!page.contains("draft-banner"), "the node is published");
}

/// Runs `steps` on `root`, rebuilding `project` (writing into `inc`) after each, and
/// compares its output with a full build made with `opts_at`.
fn same_as_full_builds(
    project: &mut Project,
    root: &Path,
    inc: &Path,
    opts_at: &dyn Fn(&Path) -> BuildOptions,
    steps: Vec<Step>,
) {
    let t = tempfile::tempdir().unwrap();
    for (name, step) in steps {
        let changes = step(root);
        project.rebuild(&changes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let full = t.path().join(format!("full-{}", name.replace(' ', "_")));
        build::build(&opts_at(&full)).unwrap();
        let (a, b) = (pages(inc), pages(&full));
        let differing: Vec<_> = b.keys().chain(a.keys()).filter(|k| a.get(*k) != b.get(*k)).collect();
        assert!(differing.is_empty(), "after '{name}' these differ from a full build: {differing:?}");
    }
}

#[test]
fn incremental_rebuilds_follow_declared_departments() {
    // Departments of site.toml: declared, renamed (same id, same URL), given a contact.
    let site = copy_site(&fixture("features"));
    let root = site.path();
    let t = tempfile::tempdir().unwrap();
    let inc = t.path().join("inc");
    let at = |out: &Path| opts(root, out);
    let mut project = Project::open(at(&inc)).unwrap();
    let declare = "\n[[departments]]\nid = \"kankyo\"\nname = \"環境政策課\"\n\n[[departments]]\nid = \"kikaku\"\nname = \"企画政策課\"\n\n[[departments]]\nid = \"kyodo\"\nname = \"市民協働課\"\n";
    let steps: Vec<Step> = vec![
        ("declared", Box::new(move |r| edit(r, "site.toml", "minify = false", &format!("minify = false\n{declare}")))),
        (
            "renamed",
            Box::new(|r| {
                edit(r, "site.toml", "name = \"環境政策課\"", "name = \"環境未来課\"\nformer_names = [\"環境政策課\"]")
            }),
        ),
        (
            "contact",
            Box::new(|r| {
                edit(r, "site.toml", "name = \"市民協働課\"", "name = \"市民協働課\"\nphone = \"0537-21-1111\"")
            }),
        ),
        (
            "node by id",
            Box::new(|r| {
                edit(r, "content/showcase/kyodo/7-3.md", "departments = [\"市民協働課\"]", "departments = [\"kikaku\"]")
            }),
        ),
    ];
    same_as_full_builds(&mut project, root, &inc, &at, steps);
    assert!(pages(&inc).contains_key(Path::new("departments/kankyo/index.html")));
}

#[test]
fn an_edit_in_one_plan_that_changes_site_wide_links_reaches_every_plan() {
    // Two plans; departments only in one file of the second. Removing them there takes the
    // "担当課から探す" link off every page, including the other plan's, whose shared
    // navigation must not be reused.
    let site = copy_site(&fixture("features"));
    let root = site.path();
    let content = root.join("content");
    for e in walkdir::WalkDir::new(content.join("showcase"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let to = content.join("second").join(e.path().strip_prefix(content.join("showcase")).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(e.path(), to).unwrap();
    }
    for e in walkdir::WalkDir::new(&content).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let keep = e.path().ends_with("second/kyodo/7-3.md");
        let lines: Vec<&str> = text.lines().filter(|l| keep || !l.starts_with("departments = ")).collect();
        std::fs::write(e.path(), lines.join("\n") + "\n").unwrap();
    }
    let t = tempfile::tempdir().unwrap();
    let inc = t.path().join("inc");
    let mut project = Project::open(opts(root, &inc)).unwrap();
    assert!(String::from_utf8(pages(&inc)[Path::new("showcase/index.html")].clone())
        .unwrap()
        .contains("担当課から探す"));
    project.rebuild(&edit(root, "content/second/kyodo/7-3.md", "departments = [\"市民協働課\"]\n", "")).unwrap();
    let full = t.path().join("full");
    build::build(&opts(root, &full)).unwrap();
    let (a, b) = (pages(&inc), pages(&full));
    let differing: Vec<_> = b.keys().chain(a.keys()).filter(|k| a.get(*k) != b.get(*k)).collect();
    assert!(differing.is_empty(), "{differing:?}");
    assert!(!String::from_utf8(a[Path::new("showcase/index.html")].clone()).unwrap().contains("担当課から探す"));
}

#[test]
fn an_unminified_project_stays_unminified() {
    // `serve` previews unminified HTML; its rebuilds must follow the same setting.
    let site = copy_site(&fixture("features"));
    let root = site.path();
    let t = tempfile::tempdir().unwrap();
    let plain = |out: &Path| BuildOptions { minify: Some(false), ..opts(root, out) };
    let inc = t.path().join("inc");
    let mut project = Project::open(plain(&inc)).unwrap();
    project.rebuild(&edit(root, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実")).unwrap();
    let full = t.path().join("full");
    build::build(&plain(&full)).unwrap();
    let (a, b) = (pages(&inc), pages(&full));
    let differing: Vec<_> = b.keys().filter(|k| a.get(*k) != b.get(*k)).collect();
    assert!(differing.is_empty(), "{differing:?}");
    let page = String::from_utf8(a[Path::new("showcase/3-2/index.html")].clone()).unwrap();
    assert!(
        page.contains("公園と緑地の充実") && page.contains("<html lang=\"ja\""),
        "unminified: attribute quotes are kept"
    );
}

#[test]
fn one_node_edit_renders_few_pages() {
    let site = copy_site(&repo());
    let root = site.path();
    let t = tempfile::tempdir().unwrap();
    let mut project = Project::open(opts(root, t.path())).unwrap();
    let r = project.rebuild(&edit(root, "content/kakegawa-2/3/3-4.md", "清流が流れ", "清流の流れ")).unwrap();
    assert!(
        r.rendered > 0 && r.rendered < 60,
        "a measure title edit renders its neighbourhood, not the site: {}",
        r.rendered
    );
    let page = std::fs::read_to_string(t.path().join("kakegawa-2/3-4/index.html")).unwrap();
    assert!(page.contains("清流の流れ"));
}

#[test]
fn failed_rebuild_keeps_the_last_good_output() {
    let site = copy_site(&fixture("mine"));
    let root = site.path();
    let t = tempfile::tempdir().unwrap();
    let mut project = Project::open(opts(root, t.path())).unwrap();
    let before = snapshot(t.path());
    let err = project.rebuild(&edit(root, "content/mine-2/5.md", "title = ", "title = = ")).unwrap_err();
    assert!(err.to_string().contains("content/mine-2/5.md"));
    assert_eq!(snapshot(t.path()), before);
    // Fixing it recovers.
    project.rebuild(&edit(root, "content/mine-2/5.md", "title = = ", "title = ")).unwrap();
    // The same for an error below the front matter (the body-only fast path).
    let before = snapshot(t.path());
    let p = root.join("content/mine-2/5.md");
    let text = std::fs::read_to_string(&p).unwrap();
    // (The image must exist: a missing one is an error of its own, `missing-file`.)
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/x.png"), b"png").unwrap();
    std::fs::write(&p, format!("{text}\n![](/x.png)\n")).unwrap();
    let err = project.rebuild(&changed("content/mine-2/5.md")).unwrap_err();
    assert!(err.to_string().contains("[image-alt]"), "{err}");
    assert_eq!(snapshot(t.path()), before);
    std::fs::write(&p, format!("{text}\n![地図](/x.png)\n")).unwrap();
    project.rebuild(&changed("content/mine-2/5.md")).unwrap();
    assert!(std::fs::read_to_string(t.path().join("mine-2/5/index.html")).unwrap().contains("地図"));
}

/// Collects Server-Sent Events from the running server.
fn listen(addr: std::net::SocketAddr) -> Arc<Mutex<String>> {
    let log = Arc::new(Mutex::new(String::new()));
    let l = log.clone();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET /__planpress/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            l.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    log
}

fn wait_for(what: &str, f: impl FnMut() -> bool) {
    wait_for_within(Duration::from_secs(15), what, f)
}

fn wait_for_within(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("timed out waiting for {what}");
}

fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let (status, _, body) = http_get(addr, path).unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[test]
fn serve_follows_edits_deletions_additions_and_errors() {
    let site = copy_site(&fixture("features"));
    let root = site.path().to_path_buf();
    let s = serve(ServeOptions {
        root: root.clone(),
        bind: "127.0.0.1".into(),
        port: 0,
        debounce: Duration::from_millis(30),
        base_url: None,
    })
    .unwrap();
    let addr = s.addr;
    let events = listen(addr);
    wait_for("the event stream", || events.lock().unwrap().contains("retry:"));
    // Pages first; the search files follow in the background.
    wait_for("the search files", || s.output.join("search/manifest.json").is_file());
    assert!(get(addr, "/").1.contains("/__planpress/livereload.js"), "the reload script is injected");
    assert!(
        !std::fs::read_to_string(s.output.join("index.html")).unwrap().contains("livereload"),
        "but not written to the site"
    );

    // Edit a node's title: the new title is served, and browsers are told to reload.
    edit(&root, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
    wait_for("the new title", || get(addr, "/showcase/3-2/").1.contains("公園と緑地の充実"));
    assert!(get(addr, "/showcase/kankyo/").1.contains("公園と緑地の充実"), "the parent lists the new title");
    wait_for("a reload event", || events.lock().unwrap().contains("event: reload"));

    // Delete a node: its page is 404 and nothing links to it.
    std::fs::remove_file(root.join("content/showcase/kankyo/3-2.md")).unwrap();
    wait_for("the deleted page to 404", || get(addr, "/showcase/3-2/").0 == 404);
    let broken = planpress::check::links::check_links(&s.output, "/");
    assert!(broken.is_empty(), "{broken:?}");
    assert!(!get(addr, "/showcase/kankyo/").1.contains("3-2/"));

    // Add a node: it appears in its parent's list and in the search files.
    std::fs::write(root.join("content/showcase/kyodo/7-4.md"), "+++\nnumber = \"7-(4)\"\ntitle = \"計画的・効率的で適正な行政経営に向けた改革の推進\"\n+++\n公共施設マネジメントの推進\n").unwrap();
    wait_for("the new node in its parent's list", || get(addr, "/showcase/kyodo/").1.contains("行政経営に向けた改革"));
    assert_eq!(get(addr, "/showcase/7-4/").0, 200);
    wait_for("the new node in search", || {
        walkdir::WalkDir::new(s.output.join("search"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .any(|e| {
                std::fs::read(e.path())
                    .map(|b| String::from_utf8_lossy(&b).contains("行政経営に向けた改革"))
                    .unwrap_or(false)
            })
    });

    // Break the TOML: an error event for the overlay, and the last good page is served.
    let before = get(addr, "/showcase/7-4/").1;
    edit(&root, "content/showcase/kyodo/7-4.md", "title = ", "title = = ");
    wait_for("the error overlay event", || events.lock().unwrap().contains("event: build-error"));
    assert!(events.lock().unwrap().contains("content/showcase/kyodo/7-4.md"));
    assert_eq!(get(addr, "/showcase/7-4/"), (200, before));
    // Fix it: recovers without a restart.
    let reloads = events.lock().unwrap().matches("event: reload").count();
    edit(&root, "content/showcase/kyodo/7-4.md", "title = = ", "title = ");
    wait_for("a reload after the fix", || events.lock().unwrap().matches("event: reload").count() > reloads);
    let out = s.output.clone();
    s.stop();
    assert!(!out.exists(), "the serve folder is cleaned up");
}

#[test]
fn stopping_serve_with_a_search_refresh_pending_leaves_nothing_behind() {
    // An edit queues a background search refresh; stopping serve before it runs must not
    // let it write the search files back into the removed folder.
    let site = copy_site(&fixture("features"));
    let root = site.path().to_path_buf();
    let s = serve(ServeOptions {
        root: root.clone(),
        bind: "127.0.0.1".into(),
        port: 0,
        debounce: Duration::from_millis(30),
        base_url: None,
    })
    .unwrap();
    let events = listen(s.addr);
    wait_for("the event stream", || events.lock().unwrap().contains("retry:"));
    edit(&root, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
    wait_for("a reload event", || events.lock().unwrap().contains("event: reload"));
    let out = s.output.clone();
    s.stop();
    assert!(!out.exists(), "the serve folder is removed");
    // Longer than the refresher's quiet second and a refresh of this small site.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!out.exists(), "and stays removed: {:?}", std::fs::read_dir(&out).map(|d| d.count()));
}

#[test]
fn a_site_fixed_after_a_failed_start_gets_its_search_files() {
    // serve starts on a broken template; removing it (the built-in one applies) builds the
    // site, whose search files must follow although no content changed.
    let site = copy_site(&fixture("features"));
    let root = site.path().to_path_buf();
    let broken = root.join("themes/default/templates/page.html");
    std::fs::create_dir_all(broken.parent().unwrap()).unwrap();
    std::fs::write(&broken, "{% if %}").unwrap();
    let s = serve(ServeOptions {
        root: root.clone(),
        bind: "127.0.0.1".into(),
        port: 0,
        debounce: Duration::from_millis(30),
        base_url: None,
    })
    .unwrap();
    let events = listen(s.addr);
    wait_for("the error event", || events.lock().unwrap().contains("event: build-error"));
    std::fs::remove_file(&broken).unwrap();
    wait_for("the home page", || get(s.addr, "/").0 == 200);
    wait_for("the search files", || s.output.join("search/manifest.json").is_file());
    s.stop();
}

#[test]
fn a_body_edit_copies_only_its_own_plan() {
    // The background search refresh holds the previous site while pages are rebuilt; an
    // edit must not copy every plan of a large site to change one.
    let site = copy_site(&fixture("features"));
    let root = site.path();
    let (from, to) = (root.join("content/showcase"), root.join("content/showcase2"));
    for e in walkdir::WalkDir::new(&from).into_iter().filter_map(Result::ok) {
        let target = to.join(e.path().strip_prefix(&from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
    let out = tempfile::tempdir().unwrap();
    let mut project = Project::open(opts(root, out.path())).unwrap();
    let before = project.site();
    let file = root.join("content/showcase/kankyo/3-2.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n公園の本文を足しました。\n")).unwrap();
    let r = project.rebuild(&changed("content/showcase/kankyo/3-2.md")).unwrap();
    assert_eq!(r.rendered, 1, "a body edit renders its own page");
    let after = project.site();
    let plan = |s: &planpress::content::Site, id: &str| s.plans.iter().position(|p| p.id == id).unwrap();
    let (edited, other) = (plan(&after, "showcase"), plan(&after, "showcase2"));
    assert!(!Arc::ptr_eq(&before.plans[edited], &after.plans[edited]), "the edited plan is a new copy");
    assert!(Arc::ptr_eq(&before.plans[other], &after.plans[other]), "the other plan is shared, not copied");
    assert!(std::fs::read_to_string(out.path().join("showcase/3-2/index.html"))
        .unwrap()
        .contains("公園の本文を足しました。"));
}

// Issue #12, item 6: serve stopped watching when folders came and went. Each test below
// drives a real serve through a change of folders and then checks that a later edit is
// still served.

/// A running serve that is stopped (and its folder removed) however the test ends.
struct Running(Option<planpress::serve::Serving>);

impl Running {
    fn start(root: &Path) -> Running {
        Running(Some(
            serve(ServeOptions {
                root: root.to_path_buf(),
                bind: "127.0.0.1".into(),
                port: 0,
                debounce: Duration::from_millis(30),
                base_url: None,
            })
            .unwrap(),
        ))
    }

    fn stop(mut self) {
        let out = self.output.clone();
        self.0.take().unwrap().stop();
        assert!(!out.exists(), "the serve folder is removed");
    }
}

impl std::ops::Deref for Running {
    type Target = planpress::serve::Serving;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.0.take() {
            s.stop();
        }
    }
}

/// How many events of `kind` (`reload`, `build-error`) the stream has carried.
fn count(events: &Mutex<String>, kind: &str) -> usize {
    events.lock().unwrap().matches(&format!("event: {kind}\n")).count()
}

/// Copies the folder `from` to `to`, file by file.
fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn regression_serve_follows_edits_after_content_is_deleted_and_restored() {
    let site = copy_site(&fixture("features"));
    let root = site.path().to_path_buf();
    let s = Running::start(&root);
    let addr = s.addr;
    let events = listen(addr);
    wait_for("the event stream", || events.lock().unwrap().contains("retry:"));
    assert!(get(addr, "/showcase/3-2/").1.contains("公園・緑地の充実"));

    // Moved beside the site (as `git stash` or a checkout in another tool does), and back.
    let away = tempfile::tempdir_in(root.parent().unwrap()).unwrap();
    std::fs::rename(root.join("content"), away.path().join("content")).unwrap();
    wait_for("the error of a site without content", || count(&events, "build-error") == 1);
    let reloads = count(&events, "reload");
    std::fs::rename(away.path().join("content"), root.join("content")).unwrap();
    wait_for("a rebuild once content is back", || count(&events, "reload") > reloads);
    edit(&root, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
    wait_for("the edit after the move back", || get(addr, "/showcase/3-2/").1.contains("公園と緑地の充実"));

    // Deleted, and copied back file by file.
    let saved = away.path().join("saved");
    copy_dir(&root.join("content"), &saved);
    std::fs::remove_dir_all(root.join("content")).unwrap();
    wait_for("the error of a site without content", || count(&events, "build-error") == 2);
    let reloads = count(&events, "reload");
    copy_dir(&saved, &root.join("content"));
    wait_for("a rebuild once content is back", || count(&events, "reload") > reloads);
    edit(&root, "content/showcase/kankyo/3-2.md", "公園と緑地の充実", "公園や緑地の充実");
    wait_for("the edit after the copy back", || get(addr, "/showcase/3-2/").1.contains("公園や緑地の充実"));
    assert!(get(addr, "/showcase/kankyo/").1.contains("公園や緑地の充実"), "the parent lists it too");
    s.stop();
}

/// Takes out the links into the showcase plan (the plan id is its folder's name, so a
/// rename breaks them): its own, and the home page's if `home`.
fn unlink_showcase(root: &Path, home: bool) {
    edit(
        root,
        "content/showcase/kankyo/3-1/_index.md",
        "[環境分野](@/showcase/kankyo/_index.md)、[協働](@/showcase/kyodo/7-3.md#現状と課題)",
        "環境分野、協働",
    );
    if home {
        edit(root, "content/_index.md", "[掛川市の計画](@/showcase/_plan.md)", "掛川市の計画");
    }
}

#[test]
fn regression_a_renamed_plan_folder_is_picked_up() {
    let site = copy_site(&fixture("features"));
    let root = site.path().to_path_buf();
    unlink_showcase(&root, true);
    let s = Running::start(&root);
    let addr = s.addr;
    assert_eq!(get(addr, "/showcase/3-2/").0, 200);
    std::fs::rename(root.join("content/showcase"), root.join("content/showcase2")).unwrap();
    wait_for("the plan under its new name", || get(addr, "/showcase2/3-2/").0 == 200);
    assert!(get(addr, "/showcase2/3-2/").1.contains("公園・緑地の充実"));
    assert_eq!(get(addr, "/showcase/3-2/").0, 404, "the old name is gone");
    // The renamed folder is watched: an edit in it, even in a subfolder, is served.
    edit(&root, "content/showcase2/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
    wait_for("the edit in the renamed folder", || get(addr, "/showcase2/3-2/").1.contains("公園と緑地の充実"));
    edit(&root, "content/showcase2/kankyo/_index.md", "title = \"環境分野\"", "title = \"環境の分野\"");
    wait_for("the second edit in the renamed folder", || get(addr, "/showcase2/kankyo/").1.contains("環境の分野"));
    s.stop();
}

#[test]
fn regression_a_rename_that_breaks_a_link_is_picked_up_once_the_link_is_fixed() {
    // The full re-read after the rename fails (the home page links to the old name); the
    // edit that fixes the link must still be read against the renamed folders, not the
    // files the last good build knew.
    let site = copy_site(&fixture("features"));
    let root = site.path().to_path_buf();
    unlink_showcase(&root, false);
    let s = Running::start(&root);
    let addr = s.addr;
    let events = listen(addr);
    wait_for("the event stream", || events.lock().unwrap().contains("retry:"));
    std::fs::rename(root.join("content/showcase"), root.join("content/showcase2")).unwrap();
    wait_for("the broken link's error", || count(&events, "build-error") == 1);
    assert!(events.lock().unwrap().contains("content/_index.md"), "{}", events.lock().unwrap());
    edit(&root, "content/_index.md", "@/showcase/_plan.md", "@/showcase2/_plan.md");
    wait_for("the plan under its new name", || get(addr, "/showcase2/3-2/").0 == 200);
    assert_eq!(get(addr, "/showcase/3-2/").0, 404, "the old name is gone");
    assert!(get(addr, "/").1.contains("showcase2/"), "the home page links to the new name");
    edit(&root, "content/showcase2/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
    wait_for("the edit in the renamed folder", || get(addr, "/showcase2/3-2/").1.contains("公園と緑地の充実"));
    s.stop();
}

/// The built-in `name` template with `from` replaced by `to`.
fn template(name: &str, from: &str, to: &str) -> String {
    let t = planpress::render::templates::DEFAULT_THEME.iter().find(|f| f.path == format!("templates/{name}")).unwrap();
    assert!(t.contents.contains(from), "{name} lacks {from:?}");
    t.contents.replacen(from, to, 1)
}

#[test]
fn regression_a_themes_folder_created_while_serving_is_watched() {
    let site = copy_site(&fixture("features"));
    let root = site.path().to_path_buf();
    assert!(!root.join("themes").exists());
    let s = Running::start(&root);
    let addr = s.addr;
    let dir = root.join("themes/default/templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("base.html"), template("base.html", "</body>", "<p>目印その一</p></body>")).unwrap();
    wait_for("the override", || get(addr, "/showcase/3-2/").1.contains("目印その一"));
    std::fs::write(dir.join("base.html"), template("base.html", "</body>", "<p>目印その二</p></body>")).unwrap();
    wait_for("the edited override", || get(addr, "/showcase/3-2/").1.contains("目印その二"));
    assert!(!get(addr, "/").1.contains("目印その一"));
    s.stop();
}

/// Starts serve on `root` in a thread and calls `save` while its first build writes pages
/// (the content has been read by then).
fn start_and_save_during_the_first_build(root: &Path, save: impl FnOnce()) -> Running {
    let r = root.to_path_buf();
    let started = std::thread::spawn(move || Running::start(&r));
    // serve builds into a staging folder beside its temp folder: `.planpress-serve-{pid}-{n}.staging-{pid}`.
    let staging = format!(".planpress-serve-{}-", std::process::id());
    let writing = || {
        std::fs::read_dir(std::env::temp_dir()).unwrap().filter_map(Result::ok).any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&staging) && name.contains(".staging-")
        })
    };
    wait_for_within(Duration::from_secs(60), "the first build to write pages", || started.is_finished() || writing());
    let during = !started.is_finished();
    save();
    let s = started.join().unwrap();
    assert!(during, "the save came after the first build: the test needs a larger site");
    s
}

#[test]
fn regression_an_edit_saved_during_the_first_build_is_not_lost() {
    let site = copy_site(&repo());
    let root = site.path().to_path_buf();
    let s = start_and_save_during_the_first_build(&root, || {
        edit(&root, "content/kakegawa-2/3/3-4.md", "清流が流れ", "清流の流れ");
    });
    wait_for_within(Duration::from_secs(60), "the edit saved during the first build", || {
        get(s.addr, "/kakegawa-2/3-4/").1.contains("清流の流れ")
    });
    s.stop();
}

#[test]
fn regression_a_themes_folder_created_during_the_first_build_is_watched() {
    // The folders that appear while the first build runs are watched too, not only read.
    let site = copy_site(&repo());
    let root = site.path().to_path_buf();
    // The repository's themes/ is the built-in theme: without it the site looks the same.
    std::fs::remove_dir_all(root.join("themes")).unwrap();
    let dir = root.join("themes/default/templates");
    let s = start_and_save_during_the_first_build(&root, || {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("base.html"), template("base.html", "</body>", "<p>目印その一</p></body>")).unwrap();
    });
    let addr = s.addr;
    wait_for_within(Duration::from_secs(60), "the override saved during the first build", || {
        get(addr, "/kakegawa-2/3-4/").1.contains("目印その一")
    });
    std::fs::write(dir.join("base.html"), template("base.html", "</body>", "<p>目印その二</p></body>")).unwrap();
    wait_for_within(Duration::from_secs(60), "the edited override", || {
        get(addr, "/kakegawa-2/3-4/").1.contains("目印その二")
    });
    s.stop();
}

#[test]
fn regression_serve_rests_once_a_folder_move_is_built() {
    // Building reads the folders it watches, and a read is not a move: neither the first
    // build nor the re-read after a move may start another one, over and over.
    let site = copy_site(&fixture("features"));
    let root = site.path().to_path_buf();
    unlink_showcase(&root, true);
    let s = Running::start(&root);
    let addr = s.addr;
    let events = listen(addr);
    wait_for("the event stream", || events.lock().unwrap().contains("retry:"));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(count(&events, "reload"), 0, "nothing changed since the first build");
    std::fs::rename(root.join("content/showcase"), root.join("content/showcase2")).unwrap();
    wait_for("the plan under its new name", || get(addr, "/showcase2/3-2/").0 == 200);
    // Longer than the debounce and a full build of this site, several times over.
    std::thread::sleep(Duration::from_millis(3000));
    let reloads = count(&events, "reload");
    std::thread::sleep(Duration::from_millis(3000));
    assert_eq!(count(&events, "reload"), reloads, "serve rebuilds with nothing changed");
    assert!(reloads <= 2, "one move, {reloads} rebuilds");
    s.stop();
}

#[test]
fn a_data_sheet_saved_from_excel_rebuilds_like_a_content_edit() {
    let site = copy_site(&fixture("progress"));
    let root = site.path();
    let t = tempfile::tempdir().unwrap();
    let inc = t.path().join("inc");
    let mut project = Project::open(opts(root, &inc)).unwrap();
    let data = root.join("content/keikaku/_data");
    // Excel saves through a temporary file: write it, move the old file aside, move the new
    // one into place, delete the old one. Every path is reported.
    let sheet = "content/keikaku/_data/実績_令和6年度.csv";
    let old = std::fs::read(root.join(sheet)).unwrap();
    let new = String::from_utf8(old).unwrap().replace("\"9,350\"", "\"9,777\"");
    std::fs::write(data.join("A1B2C3D4"), new).unwrap();
    std::fs::rename(root.join(sheet), data.join("~WRL0001.tmp")).unwrap();
    std::fs::rename(data.join("A1B2C3D4"), root.join(sheet)).unwrap();
    std::fs::remove_file(data.join("~WRL0001.tmp")).unwrap();
    let mut changes = Changes::default();
    for p in ["A1B2C3D4", "~WRL0001.tmp", "実績_令和6年度.csv"] {
        changes.add(&Path::new("content/keikaku/_data").join(p), "default");
    }
    assert_eq!(changes.content.len(), 1, "only the sheet: {changes:?}");
    let r = project.rebuild(&changes).unwrap();
    assert!(r.rendered > 0);
    let page = std::fs::read_to_string(inc.join("keikaku/1-1/index.html")).unwrap();
    assert!(page.contains("9,777") && !page.contains("9,350"), "the node page shows the new actual");
    let full = t.path().join("full");
    build::build(&opts(root, &full)).unwrap();
    assert_eq!(pages(&inc), pages(&full), "the same as a full build");

    // A bad cell: the error names it, the last good output stays; fixing it recovers.
    let text = std::fs::read_to_string(root.join(sheet)).unwrap();
    std::fs::write(root.join(sheet), text.replace("\"9,777\"", "9..7")).unwrap();
    let err = project.rebuild(&changed(sheet)).unwrap_err().to_string();
    assert!(err.contains("実績_令和6年度.csv") && err.contains("3 行目 D 列(実績値)"), "{err}");
    std::fs::write(root.join(sheet), text.replace("\"9,777\"", "9800")).unwrap();
    project.rebuild(&changed(sheet)).unwrap();
    assert!(std::fs::read_to_string(inc.join("keikaku/1-1/index.html")).unwrap().contains("9,800"));

    // An edit of a node of the same plan (the one-plan fast path) keeps the imported values.
    edit(root, "content/keikaku/1/1-1.md", "子育て支援の充実", "子育て支援のさらなる充実");
    project.rebuild(&changed("content/keikaku/1/1-1.md")).unwrap();
    let page = std::fs::read_to_string(inc.join("keikaku/1-1/index.html")).unwrap();
    assert!(page.contains("さらなる充実") && page.contains("9,800") && page.contains("8,910"), "imported values stay");
    // A new sheet appears, one is removed.
    std::fs::remove_file(data.join("actuals-R5.csv")).unwrap();
    project.rebuild(&changed("content/keikaku/_data/actuals-R5.csv")).unwrap();
    assert!(!std::fs::read_to_string(inc.join("keikaku/1-1/index.html")).unwrap().contains("8,910"));
    let full = t.path().join("full2");
    build::build(&opts(root, &full)).unwrap();
    assert_eq!(pages(&inc), pages(&full), "the same as a full build after every step");
}

#[test]
fn serve_follows_a_data_sheet() {
    let site = copy_site(&fixture("progress"));
    let root = site.path().to_path_buf();
    let s = serve(ServeOptions {
        root: root.clone(),
        bind: "127.0.0.1".into(),
        port: 0,
        debounce: Duration::from_millis(30),
        base_url: None,
    })
    .unwrap();
    let addr = s.addr;
    wait_for("the first page", || get(addr, "/keikaku/1-1/").1.contains("9,350"));
    let data = root.join("content/keikaku/_data");
    let sheet = data.join("実績_令和6年度.csv");
    let new = std::fs::read_to_string(&sheet).unwrap().replace("\"9,350\"", "\"9,555\"");
    // Saved as Excel does: a temporary file renamed into place.
    std::fs::write(data.join("0F1E2D3C"), new).unwrap();
    std::fs::rename(data.join("0F1E2D3C"), &sheet).unwrap();
    wait_for("the new actual", || get(addr, "/keikaku/1-1/").1.contains("9,555"));
    s.stop();
}
