//! `planpress serve`: incremental rebuilds produce exactly what a full build produces, and
//! the running server follows edits, deletions, additions and broken files.

mod common;

use common::*;
use planpress::build::{self, BuildOptions};
use planpress::serve::project::{Changes, Project};
use planpress::serve::server::http_get;
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

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
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
