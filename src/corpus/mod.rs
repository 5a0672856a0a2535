//! The benchmark corpus: deterministic, realistic plan content recombined from real plans,
//! so that every benchmark figure can be reproduced from a clone of the repository.
//!
//! [`generate`](crate::corpus::generate) builds plans → 政策分野 (~7) → 施策 (~6, with
//! SDGs, departments and 0–3 indicators with baseline and target by fiscal year) →
//! 施策の方向 (~5, leaves inside the 施策). `pages` counts the node pages: plans + fields +
//! measures. Text comes from the seed texts in `benches/seeds/` (embedded in the binary):
//! sentences, clause splices, bullet phrases, measure and direction titles and indicator
//! rows, shuffled by a seeded SplitMix64 generator of our own. Same `pages` and `seed` →
//! same bytes, on every platform; each plan has its own random stream, so a smaller corpus
//! is a prefix of a larger one with the same seed (only its last, truncated plan differs).
//!
//! The JSON ([`to_json`](crate::corpus::to_json)) has the schema of `shared/bench/synth.py`,
//! the generator the benchmarks used before, so other static-site generators can be fed
//! identical content; [`convert`](crate::corpus::convert) writes a corpus (ours or
//! synth.py's) as a planpress site. `planpress corpus` ([`run`](crate::corpus::run)) does
//! both from the command line, and `benches/` use the same functions.

mod generate;
mod rng;
mod seeds;
mod site;
mod text;

pub use generate::generate;
pub use site::convert;

use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The `format` of the JSON.
pub const FORMAT: &str = "planpress-synth-corpus";
/// The `version` of the JSON schema (synth.py's).
pub const VERSION: u32 = 1;
/// Changes whenever the generator writes different bytes for the same `pages` and
/// `seed`, so that caches keyed by it (the benchmarks') never serve an old corpus. A unit
/// test pins a digest of the output and says when to raise it.
pub const REVISION: u32 = 1;
/// The levels of every plan: 施策の方向 are leaves inside the 施策 pages.
pub const LEVELS: [&str; 4] = ["計画", "政策分野", "施策", "施策の方向"];

/// The `generator` of the JSON.
fn generator() -> String {
    format!("planpress corpus (src/corpus, revision {REVISION})")
}

/// A corpus: metadata and the plans. Metadata is optional when reading, so any generator
/// that writes the plans in this schema can be converted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corpus {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub generator: String,
    #[serde(default)]
    pub seed: u64,
    /// Node pages: plans + fields + measures.
    #[serde(default)]
    pub pages: usize,
    /// Level names, from the plan down to the leaves.
    #[serde(default)]
    pub levels: Vec<String>,
    /// Names of the seed texts.
    #[serde(default)]
    pub seed_files: Vec<String>,
    #[serde(default)]
    pub counts: Counts,
    pub plans: Vec<Plan>,
}

/// What a corpus holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub plans: usize,
    pub fields: usize,
    pub measures: usize,
    pub directions: usize,
    pub indicators: usize,
    /// Characters (not bytes) of all measure bodies.
    pub measure_body_chars: usize,
}

/// A plan (総合計画 / 基本計画): one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// `p001`.
    pub id: String,
    /// `plan`.
    #[serde(default)]
    pub kind: String,
    /// Empty.
    #[serde(default)]
    pub number: String,
    pub municipality: String,
    pub title: String,
    pub period: Period,
    pub summary: String,
    /// Markdown.
    pub body: String,
    pub fields: Vec<Field>,
}

/// Fiscal years (western), both included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub start_fy: i64,
    pub end_fy: i64,
}

/// A 政策分野: one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// `p001-f01`.
    pub id: String,
    /// `field`.
    #[serde(default)]
    pub kind: String,
    /// `1`.
    pub number: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub measures: Vec<Measure>,
}

/// A 施策: one page, with its indicators and 施策の方向.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// `p001-f01-m01`.
    pub id: String,
    /// `measure`.
    #[serde(default)]
    pub kind: String,
    /// `1-(1)`.
    pub number: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// SDGs goals, 1–17, ascending.
    pub sdgs: Vec<u32>,
    pub departments: Vec<String>,
    pub indicators: Vec<Indicator>,
    pub directions: Vec<Direction>,
}

/// A 成果指標.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    pub unit: String,
    /// `higher` or `lower`.
    pub better: String,
    pub baseline: Measurement,
    pub target: Measurement,
}

/// A value in a fiscal year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// A JSON number, kept as written: `70.0` stays a float with one decimal, which
    /// planpress displays as written; `120` stays an integer.
    pub value: serde_json::Number,
    pub fy: i64,
}

/// A 施策の方向: a leaf inside its measure's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Direction {
    /// `p001-f01-m01-d1`.
    pub id: String,
    /// `①`.
    pub number: String,
    pub title: String,
    pub body: String,
}

impl Corpus {
    /// Counts the plans, fields, measures, directions and indicators.
    pub fn count(&self) -> Counts {
        let fields = self.plans.iter().flat_map(|p| &p.fields);
        let measures: Vec<&Measure> = fields.clone().flat_map(|f| &f.measures).collect();
        Counts {
            plans: self.plans.len(),
            fields: fields.count(),
            measures: measures.len(),
            directions: measures.iter().map(|m| m.directions.len()).sum(),
            indicators: measures.iter().map(|m| m.indicators.len()).sum(),
            measure_body_chars: measures.iter().map(|m| m.body.chars().count()).sum(),
        }
    }
}

/// Errors of reading, writing and converting a corpus.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("--pages は 1 以上にしてください")]
    NoPages,
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: コーパスの JSON として読めません: {source}", path.display())]
    Json { path: PathBuf, source: serde_json::Error },
    #[error("{} は空でなく、planpress corpus が作ったサイトでもないので、置き換えません", .0.display())]
    NotACorpusSite(PathBuf),
    #[error("コーパスの ID {0:?} はノードの ID に使えません(半角英数字と - _ だけ)")]
    InvalidId(String),
}

impl CorpusError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CorpusError + '_ {
        move |source| CorpusError::Io { path: path.to_path_buf(), source }
    }
}

/// The corpus as one line of compact JSON (and a newline), like synth.py writes it.
pub fn to_json(corpus: &Corpus) -> String {
    let mut s = serde_json::to_string(corpus).expect("a corpus serializes");
    s.push('\n');
    s
}

/// A corpus from JSON (ours, synth.py's, or any generator's in the same schema).
pub fn from_json(text: &str) -> Result<Corpus, serde_json::Error> {
    serde_json::from_str(text)
}

/// Reads a corpus JSON file.
pub fn read_json(path: &Path) -> Result<Corpus, CorpusError> {
    let text = std::fs::read_to_string(path).map_err(CorpusError::io(path))?;
    from_json(&text).map_err(|source| CorpusError::Json { path: path.to_path_buf(), source })
}

/// Writes the corpus JSON to `path` through a temporary file beside it, so that an
/// interrupted run never leaves half a corpus under the final name.
pub fn write_json(corpus: &Corpus, path: &Path) -> Result<(), CorpusError> {
    let name = path.file_name().map_or_else(|| "corpus".into(), |n| n.to_string_lossy().into_owned());
    let partial = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let result = std::fs::File::create(&partial)
        .and_then(|mut f| f.write_all(to_json(corpus).as_bytes()).and_then(|()| f.sync_all()))
        .map_err(CorpusError::io(&partial))
        .and_then(|()| std::fs::rename(&partial, path).map_err(CorpusError::io(path)));
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Arguments of `planpress corpus`.
#[derive(Debug, Clone, Default)]
pub struct CliOptions {
    /// Node pages (plans + fields + measures).
    pub pages: usize,
    pub seed: u64,
    /// Write the JSON here (`-`: standard output).
    pub json: Option<PathBuf>,
    /// Write a planpress site here (a folder that is empty, missing, or an earlier corpus site).
    pub site: Option<PathBuf>,
}

/// What `planpress corpus` prints.
#[derive(Debug, Clone, Default)]
pub struct CliOutput {
    /// The JSON, when it goes to standard output.
    pub json: Option<String>,
    /// One line per file or folder written (for standard error when the JSON goes to
    /// standard output).
    pub summary: String,
}

/// Runs `planpress corpus`.
pub fn run(opts: &CliOptions) -> Result<CliOutput, CorpusError> {
    let corpus = generate(opts.pages, opts.seed)?;
    let c = &corpus.counts;
    let what = format!(
        "{} ページ(計画 {}、政策分野 {}、施策 {})、施策の方向 {}、指標 {}(seed {})",
        opts.pages, c.plans, c.fields, c.measures, c.directions, c.indicators, opts.seed
    );
    let mut out = CliOutput::default();
    let mut lines = Vec::new();
    match opts.json.as_deref() {
        Some(p) if p == Path::new("-") => {
            out.json = Some(to_json(&corpus));
            lines.push(format!("標準出力に合成コーパスを書き出しました: {what}"));
        }
        Some(p) => {
            write_json(&corpus, p)?;
            lines.push(format!("{} に合成コーパスを書き出しました: {what}", p.display()));
        }
        None => {}
    }
    if let Some(dir) = &opts.site {
        convert(&corpus, dir)?;
        lines.push(format!("{} に合成サイトを作りました: {what}", dir.display()));
        lines.push(format!("次に: planpress build --root {}", dir.display()));
    }
    out.summary = lines.join("\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// FNV-1a, 64 bits: a digest that needs no dependency.
    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    }

    #[test]
    fn corpus_same_arguments_same_bytes_other_seed_other_bytes() {
        let a = to_json(&generate(300, 1).unwrap());
        let b = to_json(&generate(300, 1).unwrap());
        assert_eq!(a, b);
        assert_ne!(a, to_json(&generate(300, 2).unwrap()));
        assert_ne!(a, to_json(&generate(301, 1).unwrap()));
    }

    #[test]
    fn corpus_output_is_pinned_to_its_revision() {
        // Caches are keyed by REVISION: if this fails because the generator changed on
        // purpose, raise REVISION and put the new digest here.
        let json = to_json(&generate(60, 1).unwrap());
        assert_eq!(
            (REVISION, format!("{:016x}", fnv1a(json.as_bytes()))),
            (1, "2efd7e4778ce5adb".to_string()),
            "the corpus for 60 pages, seed 1 changed: raise corpus::REVISION and update the digest"
        );
    }

    #[test]
    fn corpus_smaller_is_a_prefix_of_larger() {
        let small = generate(150, 9).unwrap();
        let large = generate(400, 9).unwrap();
        let n = small.plans.len() - 1;
        assert!(n >= 1);
        assert_eq!(small.plans[..n], large.plans[..n]);
    }

    #[test]
    fn corpus_shape() {
        for (pages, seed) in [(1, 1), (2, 5), (60, 1), (1000, 3)] {
            let c = generate(pages, seed).unwrap();
            let n = c.count();
            assert_eq!(n, c.counts);
            assert_eq!(n.plans + n.fields + n.measures, pages, "pages {pages}");
            assert_eq!((c.format.as_str(), c.version, c.pages, c.seed), (FORMAT, VERSION, pages, seed));
            assert_eq!(c.levels, LEVELS);
            let mut ids = HashSet::new();
            for p in &c.plans {
                assert!(ids.insert(p.id.clone()), "duplicate {}", p.id);
                assert_eq!(p.kind, "plan");
                assert!(p.period.start_fy < p.period.end_fy);
                assert!(p.title.contains(&p.municipality) && p.title.contains("総合計画"));
                assert!(!p.body.is_empty() && p.body.chars().count() <= 2500);
                for f in &p.fields {
                    assert!(ids.insert(f.id.clone()), "duplicate {}", f.id);
                    assert!(f.id.starts_with(&p.id));
                    assert!(!f.title.is_empty() && !f.summary.is_empty());
                    for m in &f.measures {
                        assert!(ids.insert(m.id.clone()), "duplicate {}", m.id);
                        assert!(m.number.starts_with(&format!("{}-(", f.number)) && m.number.ends_with(')'));
                        assert!(m.body.chars().count() <= 1500 && m.body.starts_with("## "));
                        assert!((1..=3).contains(&m.sdgs.len()));
                        assert!(m.sdgs.iter().all(|g| (1..=17).contains(g)));
                        assert!(m.sdgs.windows(2).all(|w| w[0] < w[1]), "sdgs sorted and distinct");
                        assert!((1..=2).contains(&m.departments.len()));
                        assert!(m.indicators.len() <= 3);
                        for ind in &m.indicators {
                            assert!(ind.baseline.fy < ind.target.fy, "{}", ind.name);
                            assert_eq!(ind.target.fy, p.period.end_fy);
                            let (b, t) = (ind.baseline.value.as_f64().unwrap(), ind.target.value.as_f64().unwrap());
                            assert_ne!(b, t, "{}", ind.name);
                            assert_eq!(ind.better, if t > b { "higher" } else { "lower" });
                            if ind.unit == "%" {
                                assert!(b <= 100.0 && t <= 100.0);
                            }
                        }
                        assert!((3..=8).contains(&m.directions.len()), "{}", m.id);
                        for (k, d) in m.directions.iter().enumerate() {
                            assert!(ids.insert(d.id.clone()), "duplicate {}", d.id);
                            assert_eq!(d.id, format!("{}-d{}", m.id, k + 1));
                            assert!(!d.title.is_empty() && d.body.ends_with('。'));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn corpus_shape_on_average_matches_synth_py() {
        let c = generate(10_000, 1).unwrap();
        let n = &c.counts;
        let per = |a: usize, b: usize| a as f64 / b as f64;
        assert!((5.0..=9.0).contains(&per(n.fields, n.plans)), "{n:?}");
        assert!((4.5..=7.5).contains(&per(n.measures, n.fields)), "{n:?}");
        assert!((4.0..=6.5).contains(&per(n.directions, n.measures)), "{n:?}");
        assert!((1.2..=1.8).contains(&per(n.indicators, n.measures)), "{n:?}");
        assert!((500.0..=1200.0).contains(&per(n.measure_body_chars, n.measures)), "{n:?}");
        let indicators = c.plans.iter().flat_map(|p| &p.fields).flat_map(|f| &f.measures).flat_map(|m| &m.indicators);
        for ind in indicators {
            assert_ne!(ind.baseline.value.as_f64(), ind.target.value.as_f64(), "{}", ind.name);
        }
        // Later plans reuse the municipalities with the next generation and half.
        assert!(c.plans.iter().any(|p| p.title.contains("後期")));
    }

    #[test]
    fn corpus_json_round_trips_with_the_synth_py_schema() {
        let c = generate(120, 4).unwrap();
        let json = to_json(&c);
        assert!(json.ends_with("}\n") && !json[..json.len() - 1].contains('\n'));
        let back = from_json(&json).unwrap();
        assert_eq!(back, c);
        // The field names and nesting synth.py writes.
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
        let mut top = keys(&v);
        top.sort();
        assert_eq!(top, ["counts", "format", "generator", "levels", "pages", "plans", "seed", "seed_files", "version"]);
        let m = &v["plans"][0]["fields"][0]["measures"][0];
        let mut mk = keys(m);
        mk.sort();
        assert_eq!(
            mk,
            ["body", "departments", "directions", "id", "indicators", "kind", "number", "sdgs", "summary", "title"]
        );
        assert!(v["plans"][0]["period"]["start_fy"].is_i64());
        assert_eq!(v["seed_files"][0], "kakegawa-2nd-plan-summary.txt");
        // A synth.py-style document with only the plans converts too.
        let minimal = serde_json::json!({ "plans": v["plans"] });
        assert_eq!(from_json(&minimal.to_string()).unwrap().plans, c.plans);
    }

    #[test]
    fn corpus_cli_writes_json_and_site_and_refuses_foreign_folders() {
        let t = tempfile::tempdir().unwrap();
        let json = t.path().join("c.json");
        let site = t.path().join("site");
        let opts = CliOptions { pages: 30, seed: 2, json: Some(json.clone()), site: Some(site.clone()) };
        let out = run(&opts).unwrap();
        assert!(out.json.is_none());
        assert!(out.summary.contains("30 ページ"), "{}", out.summary);
        assert_eq!(read_json(&json).unwrap(), generate(30, 2).unwrap());
        assert!(site.join("site.toml").is_file());
        // Again into the same folder: it is ours, so it is replaced.
        run(&opts).unwrap();
        let stdout = run(&CliOptions { json: Some("-".into()), site: None, ..opts.clone() }).unwrap();
        assert_eq!(stdout.json.unwrap(), std::fs::read_to_string(&json).unwrap());
        // A folder of someone else's is left alone.
        let foreign = t.path().join("mine");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "大事").unwrap();
        let err = run(&CliOptions { site: Some(foreign.clone()), json: None, ..opts }).unwrap_err();
        assert!(matches!(err, CorpusError::NotACorpusSite(_)), "{err}");
        assert_eq!(std::fs::read_to_string(foreign.join("notes.txt")).unwrap(), "大事");
        assert!(matches!(generate(0, 1), Err(CorpusError::NoPages)));
    }
}
