//! Departments declared once in `site.toml` (`[[departments]]`): stable URLs by id, the
//! index in 五十音 order, former names, and the お問い合わせ block of node pages.

mod common;

use common::*;
use std::path::Path;

/// The features fixture (環境政策課, 企画政策課, 市民協働課) with its departments declared.
/// 市民協働課 is referred to by its id, 企画政策課 by a former name.
fn declared() -> tempfile::TempDir {
    let t = copy_site(&fixture("features"));
    let root = t.path();
    let toml = root.join("site.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(
        "\n[[departments]]\nid = \"kyodo\"\nname = \"市民協働課\"\nreading = \"しみんきょうどうか\"\n\
         phone = \"0537-21-1111\"\nemail = \"kyodo@city.example.lg.jp\"\nurl = \"https://www.city.example.lg.jp/kyodo/\"\n\
         \n[[departments]]\nid = \"kankyo\"\nname = \"環境政策課\"\nreading = \"カンキョウセイサクカ\"\n\
         \n[[departments]]\nid = \"kikaku\"\nname = \"企画政策課\"\nreading = \"きかくせいさくか\"\nformer_names = [\"企画課\"]\n",
    );
    std::fs::write(&toml, text).unwrap();
    replace(root, "content/showcase/kyodo/7-3.md", "departments = [\"市民協働課\"]", "departments = [\"kyodo\"]");
    replace(
        root,
        "content/showcase/kankyo/3-1/_index.md",
        "departments = [\"環境政策課\", \"企画政策課\"]",
        "departments = [\"環境政策課\", \"企画課\"]",
    );
    t
}

fn replace(root: &Path, rel: &str, from: &str, to: &str) {
    let p = root.join(rel);
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(from), "{rel} lacks {from:?}");
    std::fs::write(&p, t.replacen(from, to, 1)).unwrap();
}

/// A file of the output, with the `/` that the templates escape in attributes unescaped.
fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}")).replace("&#x2F;", "/")
}

fn build_ok(root: &Path, out: &Path) -> String {
    let o = build(root, Some(out));
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}

#[test]
fn declared_departments_have_pages_by_id_in_gojuon_order() {
    let site = declared();
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let out = out.path();
    for id in ["kyodo", "kankyo", "kikaku"] {
        assert!(out.join(format!("departments/{id}/index.html")).is_file(), "{id}");
    }
    assert!(!out.join("departments/1").exists(), "no numbered pages when departments are declared");
    // 読み: かんきょう (written in katakana) < きかく < しみん.
    let index = read(out, "departments/index.html");
    let at = |name: &str| index.find(name).unwrap_or_else(|| panic!("{name} not on the index"));
    assert!(at("環境政策課") < at("企画政策課") && at("企画政策課") < at("市民協働課"), "{index}");
    // The former name and the id lead to the department under its current name.
    let field = read(out, "showcase/3-1/index.html");
    assert!(field.contains("departments/kikaku/") && field.contains("企画政策課") && !field.contains("企画課<"));
    assert!(read(out, "departments/kikaku/index.html").contains("3-1/"));
    // Open data: the current name, and the id that stays when the name changes.
    let json: serde_json::Value = serde_json::from_str(&read(out, "data/showcase.json")).unwrap();
    let field = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["children"].as_array().unwrap())
        .find(|n| n["id"] == "3-1")
        .unwrap();
    assert_eq!(field["departments"], serde_json::json!(["環境政策課", "企画政策課"]));
    assert_eq!(field["department_ids"], serde_json::json!(["kankyo", "kikaku"]));
}

#[test]
fn node_pages_show_the_contact_of_their_department() {
    let site = declared();
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), out.path());
    let page = read(out.path(), "showcase/7-3/index.html");
    assert!(page.contains("このページに関するお問い合わせ"), "{page}");
    for want in [
        "href=\"tel:0537211111\"",
        ">0537-21-1111<",
        "href=\"mailto:kyodo@city.example.lg.jp\"",
        "www.city.example.lg.jp",
        "市民協働課のページ",
        "departments/kyodo/",
    ] {
        assert!(page.contains(want), "{want} missing");
    }
    // No contact details: no block (environment and planning declare none).
    assert!(!read(out.path(), "showcase/3-1/index.html").contains("このページに関するお問い合わせ"));
}

#[test]
fn regression_a_renamed_department_keeps_its_url() {
    // Numbered by name, a department's URL changed whenever a name was added or renamed.
    let site = declared();
    let root = site.path();
    let before = tempfile::tempdir().unwrap();
    build_ok(root, before.path());
    replace(root, "site.toml", "name = \"環境政策課\"", "name = \"環境未来課\"\nformer_names = [\"環境政策課\"]");
    replace(root, "site.toml", "reading = \"カンキョウセイサクカ\"", "reading = \"かんきょうみらいか\"");
    let after = tempfile::tempdir().unwrap();
    build_ok(root, after.path());
    let page = read(after.path(), "departments/kankyo/index.html");
    assert!(page.contains("環境未来課"), "the page keeps its URL under the new name");
    for id in ["kyodo", "kikaku"] {
        let rel = format!("departments/{id}/index.html");
        assert!(before.path().join(&rel).is_file() && after.path().join(&rel).is_file(), "{id}");
    }
}

#[test]
fn an_unknown_department_is_an_error_with_the_line_and_a_suggestion() {
    let site = declared();
    let root = site.path();
    replace(root, "content/showcase/kyodo/7-3.md", "departments = [\"kyodo\"]", "departments = [\"市民共同課\"]");
    let out = tempfile::tempdir().unwrap();
    let o = build(root, Some(out.path()));
    let said = text(&o);
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(said.contains("content/showcase/kyodo/7-3.md:6"), "{said}");
    assert!(said.contains("もしかして「市民協働課」"), "{said}");
}

#[test]
fn without_declarations_departments_stay_free_names_numbered_by_name() {
    let out = tempfile::tempdir().unwrap();
    build_ok(&fixture("features"), out.path());
    let index = read(out.path(), "departments/index.html");
    assert!(index.contains("departments/1/") && out.path().join("departments/1/index.html").is_file());
    assert!(!read(out.path(), "showcase/7-3/index.html").contains("このページに関するお問い合わせ"));
}

#[test]
fn the_site_level_pages_listed_from_the_shared_index_are_those_of_a_walk() {
    // serve lists them with the department index it keeps instead of walking every node.
    for site in [declared(), copy_site(&fixture("features"))] {
        let opts = planpress::build::BuildOptions { root: site.path().to_path_buf(), ..Default::default() };
        let loaded = planpress::build::load(&opts).unwrap_or_else(|_| panic!("loads"));
        let shared = planpress::render::Shared::new(&loaded);
        let pages = planpress::render::site_level_pages(&loaded);
        assert!(pages.iter().filter(|k| matches!(k, planpress::render::PageKind::Department(_))).count() == 3);
        assert_eq!(shared.site_level_pages(&loaded), pages);
    }
}
