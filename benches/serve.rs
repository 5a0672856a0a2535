//! `planpress serve` benchmark: time from a one-node edit to the rebuilt page being served.
//!
//!     cargo bench --bench serve
//!
//! Uses the standard corpus ([`planpress::corpus`], 10,000 pages, seed 1; override with
//! PLANPRESS_BENCH_PAGES / PLANPRESS_BENCH_SEED, or take synth.py's with
//! PLANPRESS_BENCH_SYNTH as in `benches/build.rs`), converted into a site of its own (edits
//! change it). Starts `serve` on a free loopback
//! port, then edits measure files one at a time — PLANPRESS_BENCH_EDITS (default 24),
//! alternating a body edit and a title edit, PLANPRESS_BENCH_EDIT_INTERVAL_MS apart
//! (default 1500, about the pace of saving in an editor) — and polls the measure's page over
//! HTTP until it shows the edit. Prints median and max per kind, and a full build of the
//! same site for comparison. Search files are refreshed in the background and are not part
//! of the figure.

#[path = "build.rs"]
#[allow(dead_code)]
mod build_bench;

#[path = "../tests/common/mod.rs"]
mod common;

use common::http_get;
use planpress::serve::{serve, ServeOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/serve.rs: not a test; run it with `cargo bench --bench serve`");
        return;
    }
    let pages: usize = build_bench::env_number("PLANPRESS_BENCH_PAGES", 10_000);
    let seed: u64 = build_bench::env_number("PLANPRESS_BENCH_SEED", 1);
    let edits: usize = build_bench::env_number("PLANPRESS_BENCH_EDITS", 24).max(2);
    let interval = Duration::from_millis(build_bench::env_number("PLANPRESS_BENCH_EDIT_INTERVAL_MS", 1500));
    let work = build_bench::work_dir();
    std::fs::create_dir_all(&work).expect("work dir");
    let site = work.join(format!("serve-site-{pages}-{seed}"));
    let corpus_path = build_bench::ensure_corpus(&work, pages, seed);
    let corpus = build_bench::read_corpus(&corpus_path);
    build_bench::fresh_site(&corpus, &site);

    println!("planpress serve benchmark");
    println!("corpus: {pages} pages (seed {seed}), site {}", site.display());
    let started = Instant::now();
    let s = serve(ServeOptions {
        root: site.clone(),
        bind: "127.0.0.1".into(),
        port: 0,
        debounce: Duration::from_millis(30),
        base_url: None,
    })
    .expect("serve starts");
    let initial = started.elapsed();
    println!("initial build and start: {:.2} s", initial.as_secs_f64());

    let measures = measure_files(&site.join("content"));
    assert!(measures.len() >= edits, "not enough measures to edit");
    let step = measures.len() / edits;
    let (mut body_times, mut title_times) = (Vec::new(), Vec::new());
    for k in 0..edits {
        std::thread::sleep(interval);
        let file = &measures[k * step];
        let id = file.file_stem().unwrap().to_string_lossy().into_owned();
        let plan = file.components().rev().nth(2).unwrap().as_os_str().to_string_lossy().into_owned();
        let url = format!("/{plan}/{id}/");
        let token = format!("編集{k}番");
        let text = std::fs::read_to_string(file).unwrap();
        let title_edit = k % 2 == 1;
        let edited = if title_edit {
            text.replacen("\ntitle = \"", &format!("\ntitle = \"{token}"), 1)
        } else {
            format!("{text}\n\n{token}の本文を追加しました。\n")
        };
        let t0 = Instant::now();
        std::fs::write(file, edited).unwrap();
        loop {
            let (status, _, body) = http_get(s.addr, &url).expect("GET");
            if status == 200 && String::from_utf8_lossy(&body).contains(&token) {
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(60), "edit {k} of {} never showed", file.display());
            std::thread::sleep(Duration::from_millis(1));
        }
        let took = t0.elapsed();
        if title_edit { &mut title_times } else { &mut body_times }.push(took);
    }
    let all: Vec<Duration> = body_times.iter().chain(&title_times).copied().collect();
    let report = |name: &str, v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        println!(
            "{name:<12} n={:<3} median {:>7.1} ms   max {:>7.1} ms",
            v.len(),
            v[v.len() / 2].as_secs_f64() * 1000.0,
            v[v.len() - 1].as_secs_f64() * 1000.0
        );
    };
    report("body edit", &body_times);
    report("title edit", &title_times);
    report("all edits", &all);
    s.stop();

    let out = work.join(format!("serve-full-{pages}-{seed}"));
    let t0 = Instant::now();
    planpress::build::build(&planpress::build::BuildOptions {
        root: site.clone(),
        output: Some(out.clone()),
        base_url: None,
        progress: false,
        minify: None,
        defer_search: false,
        private_output: false,
        drafts: false,
    })
    .expect("full build");
    println!("full rebuild for comparison: {:.2} s", t0.elapsed().as_secs_f64());
    let _ = std::fs::remove_dir_all(&out);
}

/// Measure files (`<plan>/<field>/<measure>.md`), sorted.
fn measure_files(content: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.depth() == 3 && e.path().extension().and_then(|x| x.to_str()) == Some("md"))
        .filter(|e| e.file_name() != "_index.md")
        .map(|e| e.path().to_path_buf())
        .collect();
    v.sort();
    v
}
