//! Search benchmark: index build time, bytes a first query transfers, and query latency in
//! headless Chromium, on the example site and on the standard synthetic corpus.
//!
//! ```text
//! cargo bench --bench search
//! PLANPRESS_BENCH_PAGES=1000 cargo bench --bench search
//! ```
//!
//! What it does:
//!
//! 1. Builds the example site (the repository root) and the synthetic site with
//!    `PLANPRESS_BENCH_PAGES` pages (default 10000, seed `PLANPRESS_BENCH_SEED`, default 1)
//!    with the library, into `/dev/shm/planpress-bench/search-*` (tmpfs). The synthetic
//!    site is converted once from the standard corpus (the project's own generator,
//!    [`planpress::corpus`], or synth.py with `PLANPRESS_BENCH_SYNTH`; see `benches/build.rs`)
//!    into `search-site-<generator>-<N>-<seed>/`; delete it to convert again.
//! 2. Times the search index on its own: loading the site, building the tantivy index in
//!    memory, finding the readings of the site's words (the morphological analyser), and
//!    exporting the browser files (median of `PLANPRESS_BENCH_RUNS`, default 3); prints
//!    the binary's size (the analyser's dictionary is embedded in it).
//! 3. Runs `tests/browser/bench/search.mjs` (Node + playwright-core + /usr/bin/chromium;
//!    `scripts/test.sh` installs them): serves each site under a sub-path and, for every
//!    query of `tests/search/queries.json`, loads the search page in a fresh Playwright
//!    browser context and records what the first query transfers — `assets/search.js` and
//!    the files under `search/`, measured raw and gzip-compressed (level 6, as a web server
//!    would send them). Latency is measured apart, in a Chromium with no automation
//!    protocol attached (DevTools traffic doubled the figures on two cores), by
//!    `tests/browser/bench/latency.html` driving the search page in an iframe: from the
//!    start of the search to the rendered hits, for a first query in a fresh page, for
//!    later queries in one page, and for the same queries repeated (files cached).
//!
//! Figures are printed, not asserted; the targets are ≤ 60 KB for a first query on the
//! example site, ≤ 150 KB on 10,000 pages and p95 ≤ 50 ms.
//!
//! `cargo test --all-targets` also compiles and starts this file without `--bench`; it
//! then only prints a hint.

#[allow(dead_code)]
#[path = "build.rs"]
mod build_bench;

use planpress::build::{self, BuildOptions};
use planpress::search::{self, export};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/search.rs: not a test; run it with `cargo bench --bench search`");
        return;
    }
    let pages: usize = build_bench::env_number("PLANPRESS_BENCH_PAGES", 10_000);
    let seed: u64 = build_bench::env_number("PLANPRESS_BENCH_SEED", 1);
    let runs: usize = build_bench::env_number("PLANPRESS_BENCH_RUNS", 3).max(1);
    let work = build_bench::work_dir();
    std::fs::create_dir_all(&work).expect("work dir");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));

    // The synthetic site, converted once.
    let tag = build_bench::Source::from_env().tag();
    let synth = work.join(format!("search-site-{tag}-{pages}-{seed}"));
    if !synth.join("site.toml").is_file() {
        let corpus_path = build_bench::ensure_corpus(&work, pages, seed);
        let corpus = build_bench::read_corpus(&corpus_path);
        let started = Instant::now();
        build_bench::fresh_site(&corpus, &synth);
        println!(
            "converted the {pages}-page corpus into {} in {:.1} s",
            synth.display(),
            started.elapsed().as_secs_f64()
        );
    }

    println!();
    println!("planpress search benchmark");
    let mut sites = Vec::new();
    for (name, root) in [("example", repo.clone()), (&*format!("synthetic-{pages}"), synth.clone())] {
        let out = work.join(format!("search-out-{name}"));
        let t = Instant::now();
        let report =
            build::build(&BuildOptions { root: root.clone(), output: Some(out.clone()), ..Default::default() })
                .unwrap_or_else(|e| panic!("{name} does not build:\n{e}"));
        let build_time = t.elapsed();
        let (timing, exported) = index_timing(&root, runs);
        let files = dir_stats(&out.join("search"));
        println!();
        println!("{name}: {} pages, full build {:.2} s", report.pages, build_time.as_secs_f64());
        println!(
            "  search index (median of {runs}): load site {:.3} s, tantivy index {:.3} s, readings (analyser, one core) {:.3} s, export {:.3} s",
            timing[0].as_secs_f64(),
            timing[1].as_secs_f64(),
            timing[2].as_secs_f64(),
            timing[3].as_secs_f64()
        );
        println!(
            "  browser files: {} documents, {} terms in {} shards; {} files, {:.1} MB (search/)",
            exported.docs,
            exported.terms,
            exported.shards,
            files.0,
            files.1 as f64 / 1e6
        );
        sites.push(format!("{name}={}", out.display()));
    }

    // The binary, with the analyser's dictionary embedded (src/search/readings.rs).
    if let Ok(m) = std::fs::metadata(env!("CARGO_BIN_EXE_planpress")) {
        println!();
        println!(
            "binary: {:.1} MB (planpress, as built for this bench; the IPADIC dictionary is about 65 MB of it)",
            m.len() as f64 / 1e6
        );
    }

    // Bytes and latency in Chromium.
    let script = repo.join("tests/browser/bench/search.mjs");
    println!();
    let status = Command::new("node")
        .arg(&script)
        .arg(repo.join("tests/search/queries.json"))
        .args(&sites)
        .current_dir(repo.join("tests/browser"))
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            println!("(browser part failed: {s}; run scripts/test.sh once to install Chromium and playwright-core)")
        }
        Err(e) => println!("(browser part skipped: cannot run node: {e})"),
    }
}

/// Median time of loading the site, building the tantivy index, finding the readings of its
/// words (the analyser) and exporting the files.
fn index_timing(root: &Path, runs: usize) -> ([Duration; 4], export::ExportReport) {
    let mut t: [Vec<Duration>; 4] = Default::default();
    let mut report = export::ExportReport::default();
    let dir = tempdir_in_work("search-export");
    for _ in 0..runs {
        let a = Instant::now();
        let site = build::load(&BuildOptions { root: root.to_path_buf(), ..Default::default() }).expect("site loads");
        let b = Instant::now();
        let index = search::index_site(&site).expect("index");
        let c = Instant::now();
        let words = index.readings().len();
        std::hint::black_box(words);
        let r = Instant::now();
        report = export::write_index(&index, &dir).expect("export");
        let d = Instant::now();
        t[0].push(b - a);
        t[1].push(c - b);
        t[2].push(r - c);
        t[3].push(d - r);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let median = t.map(|mut v| {
        v.sort();
        v[v.len() / 2]
    });
    (median, report)
}

fn tempdir_in_work(name: &str) -> PathBuf {
    let d = build_bench::work_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// (files, bytes) under `dir`.
fn dir_stats(dir: &Path) -> (usize, u64) {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .fold((0, 0), |(n, b), e| (n + 1, b + e.metadata().map_or(0, |m| m.len())))
}
