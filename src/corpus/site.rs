//! A corpus as a planpress site: one folder per plan (`_plan.md`), one folder per 政策分野
//! (`_index.md`), one file per 施策 with its indicators, and its 施策の方向 as inline
//! `[[children]]` (a level without pages).

use super::{Corpus, CorpusError, Field, Measure, Plan};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// The hierarchy every converted plan declares: 施策の方向 are headings in the 施策 page.
const LEVELS: &str = r#"["政策分野", "施策", { name = "施策の方向", pages = false }]"#;

/// The first line of the `site.toml` of a converted site. A folder whose `site.toml` has
/// it may be replaced by the next conversion; any other non-empty folder is left alone.
pub(crate) const MARKER: &str =
    "# planpress corpus: 合成コーパスから作ったサイトです。作り直すと、このフォルダは置き換えられます。";

/// Writes the corpus as a planpress site into `site`, which must be missing, empty, or a
/// site an earlier conversion wrote (it is then replaced). Nothing is written when an id
/// of the corpus cannot be a planpress node id.
pub fn convert(corpus: &Corpus, site: &Path) -> Result<(), CorpusError> {
    check_ids(corpus)?;
    prepare(site)?;
    let io = CorpusError::io;
    let content = site.join("content");
    fs::create_dir_all(&content).map_err(io(&content))?;

    let municipality = corpus.plans.first().map_or("ベンチ市", |p| p.municipality.as_str());
    let mut toml = format!("{MARKER}\n");
    kv(&mut toml, "title", "planpress ベンチマーク");
    kv(&mut toml, "municipality", municipality);
    kv(&mut toml, "base_url", "https://example.jp/bench/");
    let site_toml = site.join("site.toml");
    fs::write(&site_toml, toml).map_err(io(&site_toml))?;

    for plan in &corpus.plans {
        let plan_dir = content.join(&plan.id);
        fs::create_dir_all(&plan_dir).map_err(io(&plan_dir))?;
        let file = plan_dir.join("_plan.md");
        fs::write(&file, plan_file(plan)).map_err(io(&file))?;
        for field in &plan.fields {
            let field_dir = plan_dir.join(&field.id);
            fs::create_dir_all(&field_dir).map_err(io(&field_dir))?;
            let file = field_dir.join("_index.md");
            fs::write(&file, field_file(field)).map_err(io(&file))?;
            for measure in &field.measures {
                let file = field_dir.join(format!("{}.md", measure.id));
                fs::write(&file, measure_file(measure)).map_err(io(&file))?;
            }
        }
    }
    Ok(())
}

/// Makes `site` a missing or empty folder, removing it only if a conversion wrote it.
fn prepare(site: &Path) -> Result<(), CorpusError> {
    let meta = match fs::symlink_metadata(site) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(CorpusError::io(site)(e)),
    };
    if !meta.is_dir() {
        return Err(CorpusError::NotACorpusSite(site.to_path_buf()));
    }
    if fs::read_dir(site).map_err(CorpusError::io(site))?.next().is_none() {
        return Ok(());
    }
    let ours = fs::read_to_string(site.join("site.toml")).is_ok_and(|t| t.lines().any(|l| l == MARKER));
    if !ours {
        return Err(CorpusError::NotACorpusSite(site.to_path_buf()));
    }
    fs::remove_dir_all(site).map_err(CorpusError::io(site))
}

/// Node ids become URLs and folder names, so planpress only accepts ASCII letters, digits,
/// `-` and `_`. The generator's ids are like that (`p001-f01-m01-d1`); another generator's
/// might not be.
fn check_ids(corpus: &Corpus) -> Result<(), CorpusError> {
    let check = |id: &str| {
        let ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(())
        } else {
            Err(CorpusError::InvalidId(id.to_string()))
        }
    };
    for p in &corpus.plans {
        check(&p.id)?;
        for f in &p.fields {
            check(&f.id)?;
            for m in &f.measures {
                check(&m.id)?;
                m.directions.iter().try_for_each(|d| check(&d.id))?;
            }
        }
    }
    Ok(())
}

/// `_plan.md`.
fn plan_file(plan: &Plan) -> String {
    let mut fm = String::new();
    kv(&mut fm, "title", &plan.title);
    kv(&mut fm, "municipality", &plan.municipality);
    writeln!(fm, "period = {{ start = {}, end = {} }}", plan.period.start_fy, plan.period.end_fy).unwrap();
    kv(&mut fm, "summary", &plan.summary);
    writeln!(fm, "levels = {LEVELS}").unwrap();
    markdown_file(&fm, &plan.body)
}

/// A 政策分野: the `_index.md` of its folder.
fn field_file(field: &Field) -> String {
    let mut fm = String::new();
    kv(&mut fm, "id", &field.id);
    kv(&mut fm, "number", &field.number);
    kv(&mut fm, "title", &field.title);
    kv(&mut fm, "summary", &field.summary);
    markdown_file(&fm, &field.body)
}

/// A 施策: a node file with its indicators and its 施策の方向 as `[[children]]`.
fn measure_file(m: &Measure) -> String {
    let mut fm = String::new();
    kv(&mut fm, "id", &m.id);
    kv(&mut fm, "number", &m.number);
    kv(&mut fm, "title", &m.title);
    kv(&mut fm, "summary", &m.summary);
    let sdgs: Vec<String> = m.sdgs.iter().map(u32::to_string).collect();
    writeln!(fm, "sdgs = [{}]", sdgs.join(", ")).unwrap();
    let departments: Vec<String> = m.departments.iter().map(|d| toml_str(d)).collect();
    writeln!(fm, "departments = [{}]", departments.join(", ")).unwrap();
    for ind in &m.indicators {
        fm.push_str("\n[[indicators]]\n");
        kv(&mut fm, "name", &ind.name);
        kv(&mut fm, "unit", &ind.unit);
        kv(&mut fm, "better", &ind.better);
        writeln!(fm, "baseline = {{ value = {}, year = {} }}", ind.baseline.value, ind.baseline.fy).unwrap();
        writeln!(fm, "target = {{ value = {}, year = {} }}", ind.target.value, ind.target.fy).unwrap();
    }
    for d in &m.directions {
        fm.push_str("\n[[children]]\n");
        kv(&mut fm, "id", &d.id);
        kv(&mut fm, "number", &d.number);
        kv(&mut fm, "title", &d.title);
        kv(&mut fm, "body", &d.body);
    }
    markdown_file(&fm, &m.body)
}

/// A content file: TOML front matter between `+++` lines, then the Markdown body.
fn markdown_file(front_matter: &str, body: &str) -> String {
    format!("+++\n{front_matter}+++\n\n{}\n", body.trim_end())
}

/// Appends `key = "value"` to a TOML document.
fn kv(out: &mut String, key: &str, value: &str) {
    writeln!(out, "{key} = {}", toml_str(value)).unwrap();
}

/// `s` as a TOML basic string: `"` and `\` escaped, control characters as escapes.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => write!(out, "\\u{:04X}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{self, BuildOptions};
    use crate::corpus::{from_json, generate, to_json};
    use proptest::prelude::*;

    fn round_trip(s: &str) -> Option<String> {
        let doc = format!("s = {}", toml_str(s));
        let table: toml::Table = toml::from_str(&doc).unwrap_or_else(|e| panic!("invalid TOML {doc:?}: {e}"));
        table["s"].as_str().map(str::to_string)
    }

    #[test]
    fn corpus_toml_escaping_round_trips() {
        let tricky = "引用符\" バックスラッシュ\\ 改行\n タブ\t CR\r NUL\u{0} DEL\u{7f} \u{85} ①";
        assert_eq!(round_trip(tricky).as_deref(), Some(tricky));
    }

    proptest! {
        #[test]
        fn corpus_toml_escaping_round_trips_any_string(s in any::<String>()) {
            prop_assert_eq!(round_trip(&s), Some(s));
        }
    }

    #[test]
    fn corpus_converts_into_a_site_that_builds() {
        // Through JSON, as the benchmarks do.
        let corpus = from_json(&to_json(&generate(60, 1).unwrap())).unwrap();
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("site");
        convert(&corpus, &root).unwrap();
        let c = &corpus.counts;
        let md = walkdir::WalkDir::new(root.join("content"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .count();
        assert_eq!(md, 60);
        assert_eq!(c.plans + c.fields + c.measures, 60);
        let measure = &corpus.plans[0].fields[0].measures[0];
        let text = fs::read_to_string(root.join("content/p001/p001-f01").join(format!("{}.md", measure.id))).unwrap();
        assert!(text.starts_with("+++\nid = \"p001-f01-m01\"\n"), "{text}");
        assert_eq!(text.matches("[[children]]").count(), measure.directions.len());
        assert_eq!(text.matches("[[indicators]]").count(), measure.indicators.len());

        let out = t.path().join("public");
        let report =
            build::build(&BuildOptions { root: root.clone(), output: Some(out.clone()), ..Default::default() })
                .unwrap_or_else(|e| panic!("the converted corpus does not build:\n{e}"));
        // Plan pages are not node pages.
        assert_eq!(report.node_pages, c.fields + c.measures);
        assert!(report.pages > 60, "{} pages", report.pages);
        assert!(report.warnings.is_empty(), "warnings: {:?}", report.warnings);
        assert!(out.join("p001/index.html").is_file());
        assert!(out.join(format!("p001/{}/index.html", measure.id)).is_file());
    }

    #[test]
    fn corpus_conversion_replaces_only_its_own_sites() {
        let corpus = generate(5, 1).unwrap();
        let t = tempfile::tempdir().unwrap();
        // An empty folder is fine, and so is an earlier conversion (with a build in it).
        let site = t.path().join("s");
        fs::create_dir(&site).unwrap();
        convert(&corpus, &site).unwrap();
        fs::write(site.join("stale.md"), "x").unwrap();
        convert(&corpus, &site).unwrap();
        assert!(!site.join("stale.md").exists());
        // A file, or a folder without the marker, is not touched.
        let file = t.path().join("f");
        fs::write(&file, "x").unwrap();
        assert!(matches!(convert(&corpus, &file), Err(CorpusError::NotACorpusSite(_))));
        let other = t.path().join("o");
        fs::create_dir(&other).unwrap();
        fs::write(other.join("site.toml"), "title = \"本物\"\n").unwrap();
        assert!(matches!(convert(&corpus, &other), Err(CorpusError::NotACorpusSite(_))));
        assert_eq!(fs::read_to_string(other.join("site.toml")).unwrap(), "title = \"本物\"\n");
        // Ids that cannot be node ids: an error, and nothing written.
        let mut bad = corpus.clone();
        bad.plans[0].fields[0].id = "../逃げる".into();
        let fresh = t.path().join("n");
        assert!(matches!(convert(&bad, &fresh), Err(CorpusError::InvalidId(_))));
        assert!(!fresh.exists());
    }
}
