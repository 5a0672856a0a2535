//! Property test: no content file, however broken, makes the loader panic. Whatever the
//! input, loading ends in diagnostics that name a file, or in a site whose every page renders.

use planpress::build::{self, BuildOptions};
use proptest::prelude::*;
use std::path::Path;

const SITE: &str = "title = \"t\"\nmunicipality = \"m\"\nbase_url = \"https://example.jp/\"\n";
const PLAN: &str = "+++\ntitle = \"計画\"\nperiod = { start = \"R3\", end = 2025 }\nlevels = [\"分野\", \"施策\", { name = \"方向\", pages = false }]\n[[themes]]\nid = \"dx\"\ntitle = \"DX\"\n+++\n本文\n";

/// Front-matter-ish text: TOML fragments the loader knows, mixed with noise.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("title = \"題名\"\n".to_string()),
        Just("id = \"a-1\"\n".to_string()),
        Just("number = \"1-(1)\"\n".to_string()),
        Just("sdgs = [1, 17, 18, 0, -3]\n".to_string()),
        Just("themes = [\"dx\", \"nope\"]\n".to_string()),
        Just("weight = 9223372036854775807\n".to_string()),
        Just("[[indicators]]\nname = \"指標\"\nbaseline = { value = 1.5, year = \"R1\" }\ntarget = { value = 1e308, year = \"令和元年度\" }\n".to_string()),
        Just("actuals = [{ year = \"H31\", value = -0.0 }, { year = \"R99\", value = 2 }]\n".to_string()),
        Just("[[children]]\ntitle = \"子\"\nbody = \"![](x.png) [a](@/none.md)\"\n".to_string()),
        Just("[[children]]\n[[children.children]]\ntitle = \"孫\"\n[[children.children.children]]\ntitle = \"曾孫\"\n".to_string()),
        Just("+++\n".to_string()),
        Just("\"\"\"\n".to_string()),
        "[a-z_=\\[\\]{}\",.0-9 \n]{0,40}",
        "\\PC{0,30}",
    ]
}

fn node_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Arbitrary bytes, including invalid UTF-8.
        proptest::collection::vec(any::<u8>(), 0..200),
        // Arbitrary text.
        "\\PC{0,200}".prop_map(String::into_bytes),
        // Front matter built from fragments, then a Markdown body of noise and syntax.
        (proptest::collection::vec(fragment(), 0..8), "[#*\\[\\]()!|`@/\\-a-z0-9 \n>]{0,120}", "\\PC{0,60}")
            .prop_map(|(frags, md, tail)| format!("+++\n{}+++\n{md}{tail}", frags.concat()).into_bytes()),
    ]
}

fn load(dir: &Path) {
    let opts = BuildOptions {
        root: dir.to_path_buf(),
        output: Some(dir.join("out")),
        base_url: None,
        progress: false,
        minify: None,
        defer_search: false,
        private_output: false,
        drafts: false,
    };
    match build::load(&opts) {
        Ok(site) => {
            // A site that loads renders every page without error.
            let tera = planpress::render::templates::load_templates(dir, "default").unwrap();
            let shared = planpress::render::Shared::new(&site);
            for kind in planpress::render::site_pages(&site) {
                let page = planpress::render::render_page(&site, &tera, &shared, kind).unwrap();
                // Minified (the default) or not: the quotes may be left out.
                let html = String::from_utf8_lossy(&page.html).replace('"', "");
                assert!(html.contains("<html lang=ja>"), "{kind:?}");
            }
        }
        Err(diags) => {
            for d in diags.iter() {
                assert!(!d.file.as_os_str().is_empty() || d.rule == "content", "diagnostic without a file: {d}");
                assert!(!d.message.trim().is_empty(), "diagnostic without a message: {d:?}");
                assert!(d.help.is_some(), "every error says how to fix it: {d}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_node_file_loads_or_fails_cleanly(node in node_text(), nested in node_text()) {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::write(d.join("site.toml"), SITE).unwrap();
        std::fs::create_dir_all(d.join("content/p/f")).unwrap();
        std::fs::write(d.join("content/p/_plan.md"), PLAN).unwrap();
        std::fs::write(d.join("content/p/f/_index.md"), &node).unwrap();
        std::fs::write(d.join("content/p/f/x.md"), &nested).unwrap();
        load(d);
    }

    #[test]
    fn any_plan_file_loads_or_fails_cleanly(plan in node_text(), site_extra in "\\PC{0,40}") {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::write(d.join("site.toml"), format!("{SITE}{site_extra}")).unwrap();
        std::fs::create_dir_all(d.join("content/p")).unwrap();
        std::fs::write(d.join("content/p/_plan.md"), &plan).unwrap();
        std::fs::write(d.join("content/p/a.md"), "+++\ntitle = \"a\"\n+++\n").unwrap();
        load(d);
    }
}
