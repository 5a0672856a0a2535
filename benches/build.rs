//! Build benchmark: how long `planpress build` takes, and how much memory it uses, on the
//! standard synthetic corpus.
//!
//! Run it with
//!
//! ```text
//! cargo bench --bench build
//! PLANPRESS_BENCH_PAGES=1000 PLANPRESS_BENCH_SEED=2 PLANPRESS_BENCH_RUNS=3 cargo bench --bench build
//! PLANPRESS_BENCH_SYNTH=../shared/bench/synth.py cargo bench --bench build
//! ```
//!
//! What it does:
//!
//! 1. Generates the corpus with the project's own generator, [`planpress::corpus`] (the
//!    same as `planpress corpus --pages N --seed S --json FILE`), from the seed texts in
//!    `benches/seeds/`, with N = `PLANPRESS_BENCH_PAGES` node pages (default 10000: plans +
//!    fields + measures) and seed `PLANPRESS_BENCH_SEED` (default 1). The JSON is cached as
//!    `/dev/shm/planpress-bench/corpus-rs<revision>-<N>-<seed>.json` (the system temp dir if
//!    there is no `/dev/shm`); the generator is deterministic and its revision changes
//!    whenever its output does, so the cache never goes stale.
//!
//!    With `PLANPRESS_BENCH_SYNTH=path/to/synth.py` (relative to the repository root) the
//!    corpus comes from `python3 <that script> --pages N --seed S --out …` instead, for
//!    comparisons with other generators fed the same content; it is cached as
//!    `corpus-synth-<digest of the script and its seeds>-<N>-<seed>.json`.
//! 2. Converts the corpus into a planpress site in `…/planpress-bench/site-<N>-<seed>/`,
//!    fresh each run, with [`planpress::corpus::convert`]: one folder per plan
//!    (`_plan.md`), one folder per 政策分野 (`_index.md`), one file per 施策 with its
//!    indicators and its 施策の方向 as inline `[[children]]` (a level without pages). The
//!    conversion is timed and printed, but it is not part of the build figure.
//! 3. Runs the real binary, `planpress build --root <site> --output <site>/public`, once to
//!    warm up and then `PLANPRESS_BENCH_RUNS` times (default 5); then the same again with
//!    `search = false` in `site.toml` (the site without its search index), without deleting the
//!    output in between (a build replaces it atomically). Each run's wall time is measured
//!    around the child process, which includes process start-up; the child's CPU time
//!    (user + sys) and peak memory (maximum resident set size) come from `wait4` (Linux
//!    only).
//! 4. Prints a report: corpus generator and counts, conversion time, pages written (from
//!    planpress's own summary line), median/min/max build time, time per page, CPU time and
//!    peak memory, and where the bytes go: HTML by page kind (node pages by level) and the
//!    other files by folder. Wall time suffers when other processes compete for the CPUs (the report
//!    shows the load average for that reason); CPU time is the steadier figure on a busy
//!    machine.
//!
//! The site is built on tmpfs on purpose: on ext4, allocating inodes after a large output
//! folder has been deleted can triple the wall time and the figure would measure the disk.
//!
//! `benches/search.rs` and `benches/serve.rs` include this file (`#[path]`) for the corpus
//! helpers: [`ensure_corpus`], [`read_corpus`], [`fresh_site`], [`work_dir`], [`env_number`].
//!
//! This is a `harness = false` bench, so `cargo test --all-targets` (or `--benches`) also
//! compiles and starts it, without the `--bench` argument that `cargo bench` passes. In
//! that case it only prints a hint and exits, so test runs stay fast.

use planpress::corpus::Corpus;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/build.rs: not a test; run it with `cargo bench --bench build`");
        return;
    }
    let pages: usize = env_number("PLANPRESS_BENCH_PAGES", 10_000);
    let seed: u64 = env_number("PLANPRESS_BENCH_SEED", 1);
    let runs: usize = env_number("PLANPRESS_BENCH_RUNS", 5);
    assert!(pages >= 1 && runs >= 1, "PLANPRESS_BENCH_PAGES and PLANPRESS_BENCH_RUNS must be at least 1");

    let work = work_dir();
    fs::create_dir_all(&work).unwrap_or_else(|e| panic!("cannot create {}: {e}", work.display()));

    // 1. Corpus.
    let corpus_path = ensure_corpus(&work, pages, seed);
    let corpus = read_corpus(&corpus_path);

    // 2. Conversion into a planpress site (timed separately).
    let site = work.join(format!("site-{pages}-{seed}"));
    let started = Instant::now();
    fresh_site(&corpus, &site);
    let convert_time = started.elapsed();

    // 3. Builds: the full site, then the same site with `search = false`.
    let load_before = load_average();
    let output = site.join("public");
    let log = work.join(format!("build-{pages}-{seed}"));
    let with_search = measure(&site, &output, &log, runs);
    let bytes = bytes_by_kind(&site, &output);
    let toml = fs::read_to_string(site.join("site.toml")).expect("site.toml");
    fs::write(site.join("site.toml"), format!("search = false\n{toml}")).expect("site.toml");
    let without_search = measure(&site, &output, &log, runs);

    // 4. Report.
    let c = corpus.count();
    let generator = if corpus.generator.is_empty() { "unknown generator" } else { corpus.generator.as_str() };
    println!();
    println!("planpress build benchmark");
    println!(
        "corpus: {pages} pages (seed {seed}): {} plans, {} fields, {} measures, {} directions, {} indicators",
        c.plans, c.fields, c.measures, c.directions, c.indicators
    );
    println!("corpus file: {} ({generator})", corpus_path.display());
    println!("site: {}", site.display());
    println!("convert: {:.2} s", convert_time.as_secs_f64());
    with_search.print("full build (with the search index)", runs);
    without_search.print("build without search (site.toml: search = false)", runs);
    print!("{bytes}");
    if let Some(load) = load_before {
        println!(
            "load average: {load} (before the builds) / {} (after); {} CPUs",
            load_average().unwrap_or_default(),
            cpus_available()
        );
    }
}

/// The figures of one series of builds.
struct Series {
    pages: usize,
    walls: Vec<Duration>,
    cpus: Vec<Duration>,
    peak_rss_kib: Option<u64>,
}

/// One warm-up build, then `runs` measured ones.
fn measure(site: &Path, output: &Path, log: &Path, runs: usize) -> Series {
    let warm_up = run_build(site, output, log);
    let measured: Vec<Run> = (0..runs).map(|_| run_build(site, output, log)).collect();
    let mut walls: Vec<Duration> = measured.iter().map(|r| r.wall).collect();
    walls.sort();
    let mut cpus: Vec<Duration> = measured.iter().filter_map(|r| r.cpu).collect();
    cpus.sort();
    Series {
        pages: measured.last().map_or(warm_up.pages, |r| r.pages),
        walls,
        cpus,
        peak_rss_kib: measured.iter().chain([&warm_up]).filter_map(|r| r.max_rss_kib).max(),
    }
}

impl Series {
    fn print(&self, label: &str, runs: usize) {
        let median_wall = median(&self.walls);
        println!();
        println!("{label}");
        println!("  pages written: {} (as reported by planpress's own summary line)", self.pages);
        println!(
            "  build (median of {runs}): {:.3} s  min {:.3} s  max {:.3} s",
            median_wall.as_secs_f64(),
            self.walls[0].as_secs_f64(),
            self.walls[self.walls.len() - 1].as_secs_f64()
        );
        println!(
            "  per page: {:.3} ms (median wall / pages written)",
            median_wall.as_secs_f64() * 1000.0 / self.pages.max(1) as f64
        );
        if !self.cpus.is_empty() {
            println!("  cpu time (median): {:.3} s user+sys", median(&self.cpus).as_secs_f64());
        }
        match self.peak_rss_kib {
            Some(kib) => println!("  peak memory: {:.1} MiB (max RSS of the build process)", kib as f64 / 1024.0),
            None => println!("  peak memory: not measured on this platform"),
        }
    }
}

/// Where the bytes go, as a report: the HTML of the last build by page kind (node pages by
/// level), then the other files by top folder (`search/`, `assets/` …) and open data,
/// largest first.
fn bytes_by_kind(site: &Path, output: &Path) -> String {
    use planpress::build::{self, BuildOptions};
    use planpress::render::{self, PageKind};
    use std::collections::{BTreeMap, HashSet};
    use std::fmt::Write;
    let Ok(loaded) = build::load(&BuildOptions { root: site.to_path_buf(), ..Default::default() }) else {
        return "bytes by page kind: the site did not load\n".to_string();
    };
    let mut kinds: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let mut pages = HashSet::new();
    for kind in render::site_pages(&loaded) {
        let path = render::page_path(&loaded, kind);
        let file = if path.ends_with(".html") { path.clone() } else { format!("{path}index.html") };
        let name = match kind {
            PageKind::Node(pi, ni) => {
                let plan = &loaded.plans[pi];
                let depth = std::iter::successors(Some(ni), |&n| plan.nodes[n].parent).count();
                format!("Node (level {depth})")
            }
            other => format!("{other:?}").split('(').next().unwrap_or_default().to_string(),
        };
        let bytes = fs::metadata(output.join(&file)).map(|m| m.len()).unwrap_or(0);
        let e = kinds.entry(name).or_default();
        e.0 += 1;
        e.1 += bytes;
        pages.insert(output.join(file));
    }
    let mut others: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let mut stack = vec![output.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() && !pages.contains(&path) => {
                    let rel = path.strip_prefix(output).unwrap_or(&path);
                    let top = match rel.components().count() {
                        1 => rel.display().to_string(),
                        _ => format!("{}/", rel.components().next().unwrap().as_os_str().to_string_lossy()),
                    };
                    let top =
                        if rel.extension().is_some_and(|x| x == "json" || x == "csv") && !top.starts_with("search") {
                            "open data (.json, .csv)".to_string()
                        } else {
                            top
                        };
                    let e = others.entry(top).or_default();
                    e.0 += 1;
                    e.1 += entry.metadata().map(|m| m.len()).unwrap_or(0);
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    let mut table = |title: &str, rows: BTreeMap<String, (usize, u64)>| {
        let total: u64 = rows.values().map(|r| r.1).sum();
        let _ = writeln!(out, "\n{title}: {:.1} MB", total as f64 / 1e6);
        let mut rows: Vec<_> = rows.into_iter().collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.1 .1));
        for (name, (n, bytes)) in rows {
            let _ = writeln!(
                out,
                "  {name:<28} {n:>7} files {:>9.1} MB  {:>7.1} KB each  {:>5.1} %",
                bytes as f64 / 1e6,
                bytes as f64 / 1e3 / n.max(1) as f64,
                bytes as f64 * 100.0 / total.max(1) as f64
            );
        }
    };
    table("HTML by page kind (last build with search)", kinds);
    table("other files by folder", others);
    out
}

/// The 1/5/15-minute load averages from `/proc/loadavg` (Linux), e.g. `0.52 0.61 0.70`.
fn load_average() -> Option<String> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    Some(text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn cpus_available() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A numeric environment variable, or `default` when it is unset.
pub(crate) fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a valid number")),
        Err(_) => default,
    }
}

/// `/dev/shm/planpress-bench` (tmpfs), or the same folder in the system temp dir.
pub(crate) fn work_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
    base.join("planpress-bench")
}

// ------------------------------------------------------------------------------- corpus

/// Where the corpus comes from: the project's own generator ([`planpress::corpus`]), or a
/// synth.py-compatible script named by `PLANPRESS_BENCH_SYNTH` (for comparisons).
pub(crate) enum Source {
    Planpress,
    Synth(PathBuf),
}

impl Source {
    pub(crate) fn from_env() -> Source {
        match std::env::var_os("PLANPRESS_BENCH_SYNTH") {
            Some(p) if !p.is_empty() => Source::Synth(PathBuf::from(p)),
            _ => Source::Planpress,
        }
    }

    /// A short name for cache files: `rs<revision>`, or `synth-<digest>` of the script and
    /// the seed texts beside it, so that a cache never holds another generator's corpus.
    pub(crate) fn tag(&self) -> String {
        match self {
            Source::Planpress => format!("rs{}", planpress::corpus::REVISION),
            Source::Synth(script) => {
                let mut bytes = fs::read(script)
                    .unwrap_or_else(|e| panic!("PLANPRESS_BENCH_SYNTH: cannot read {}: {e}", script.display()));
                let seeds = script.parent().unwrap_or(Path::new(".")).join("../seeds");
                let mut files: Vec<PathBuf> = fs::read_dir(&seeds)
                    .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
                    .unwrap_or_default();
                files.sort();
                for f in files {
                    bytes.extend(fs::read(&f).unwrap_or_default());
                }
                let digest = bytes
                    .iter()
                    .fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
                format!("synth-{:08x}", digest >> 32)
            }
        }
    }
}

/// The cached corpus JSON for (`pages`, `seed`), generated if it is missing:
/// `<work>/corpus-<tag>-<pages>-<seed>.json` (see [`Source::tag`]).
pub(crate) fn ensure_corpus(work: &Path, pages: usize, seed: u64) -> PathBuf {
    let source = Source::from_env();
    let path = work.join(format!("corpus-{}-{pages}-{seed}.json", source.tag()));
    if path.is_file() {
        return path;
    }
    let started = Instant::now();
    match &source {
        Source::Planpress => {
            let corpus = planpress::corpus::generate(pages, seed).unwrap_or_else(|e| panic!("corpus: {e}"));
            planpress::corpus::write_json(&corpus, &path).unwrap_or_else(|e| panic!("corpus: {e}"));
        }
        Source::Synth(script) => {
            // Write to a temporary name and rename, so an interrupted run leaves no half file.
            let partial = path.with_extension(format!("json.partial-{}", std::process::id()));
            let status = Command::new("python3")
                .arg(script)
                .args(["--pages", &pages.to_string(), "--seed", &seed.to_string(), "--out"])
                .arg(&partial)
                .status()
                .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
            assert!(status.success(), "{} failed ({status})", script.display());
            fs::rename(&partial, &path).unwrap_or_else(|e| panic!("cannot move the corpus to {}: {e}", path.display()));
        }
    }
    println!("generated {} in {:.2} s", path.display(), started.elapsed().as_secs_f64());
    path
}

/// Reads a corpus JSON file back.
pub(crate) fn read_corpus(path: &Path) -> Corpus {
    planpress::corpus::read_json(path).unwrap_or_else(|e| panic!("{e}"))
}

/// Converts `corpus` into `site`, removing whatever an earlier run left there (the folder
/// is under the benchmarks' own work dir).
pub(crate) fn fresh_site(corpus: &Corpus, site: &Path) {
    if let Err(e) = fs::remove_dir_all(site) {
        assert!(e.kind() == std::io::ErrorKind::NotFound, "cannot remove {}: {e}", site.display());
    }
    planpress::corpus::convert(corpus, site)
        .unwrap_or_else(|e| panic!("cannot write the site into {}: {e}", site.display()));
}

// ------------------------------------------------------------------------------- builds

/// One `planpress build`.
struct Run {
    wall: Duration,
    /// Pages written, from planpress's summary line.
    pages: usize,
    /// CPU time of the child, user + sys (`None` where not measured).
    cpu: Option<Duration>,
    /// Peak resident set size of the child in KiB (`None` where not measured).
    max_rss_kib: Option<u64>,
}

/// Runs `planpress build` on `site`; its stdout and stderr go to `<log>.stdout` / `.stderr`
/// (files, not pipes, so a chatty failure can never block the child).
fn run_build(site: &Path, output: &Path, log: &Path) -> Run {
    let stdout_path = log.with_extension("stdout");
    let stderr_path = log.with_extension("stderr");
    let create = |p: &Path| fs::File::create(p).unwrap_or_else(|e| panic!("cannot create {}: {e}", p.display()));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planpress"));
    cmd.arg("build")
        .arg("--root")
        .arg(site)
        .arg("--output")
        .arg(output)
        .stdin(Stdio::null())
        .stdout(create(&stdout_path))
        .stderr(create(&stderr_path));

    let started = Instant::now();
    let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", env!("CARGO_BIN_EXE_planpress")));
    let (status, usage) = wait_with_rusage(child);
    let wall = started.elapsed();

    let stdout = fs::read_to_string(&stdout_path).unwrap_or_default();
    if !status.success() {
        let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
        eprintln!("{stderr}");
        panic!(
            "`planpress build --root {} --output {}` failed ({status}); its stderr is above and in {}",
            site.display(),
            output.display(),
            stderr_path.display()
        );
    }
    let pages = pages_written(&stdout)
        .unwrap_or_else(|| panic!("no `…に書き出しました: N ページ` summary line in planpress's output:\n{stdout}"));
    Run { wall, pages, cpu: usage.map(|u| u.cpu), max_rss_kib: usage.map(|u| u.max_rss_kib) }
}

/// Resources used by one child process.
#[derive(Clone, Copy)]
struct Usage {
    cpu: Duration,
    max_rss_kib: u64,
}

/// Waits for `child` and returns its exit status and resource usage (`wait4`: the rusage
/// of exactly this child, so the figures do not mix in earlier runs).
#[cfg(target_os = "linux")]
fn wait_with_rusage(child: std::process::Child) -> (ExitStatus, Option<Usage>) {
    use std::os::unix::process::ExitStatusExt;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: zeroed is a valid `rusage`; wait4 writes the status and usage of our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        assert!(r == -1 && err.kind() == std::io::ErrorKind::Interrupted, "wait4 failed: {err}");
    }
    // The child is reaped; `Child` does not wait on drop, so dropping it is fine.
    drop(child);
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    // On Linux ru_maxrss is in KiB.
    let usage = Usage { cpu: time(usage.ru_utime) + time(usage.ru_stime), max_rss_kib: usage.ru_maxrss as u64 };
    (ExitStatus::from_raw(status), Some(usage))
}

#[cfg(not(target_os = "linux"))]
fn wait_with_rusage(mut child: std::process::Child) -> (ExitStatus, Option<Usage>) {
    (child.wait().expect("cannot wait for planpress"), None)
}

/// The page count from planpress's summary line (「…に書き出しました: 10234 ページ、…」).
fn pages_written(stdout: &str) -> Option<usize> {
    planpress::build::BuildReport::pages_in_summary(stdout)
}

/// The median of sorted, non-empty `xs` (mean of the middle two for an even count).
fn median(xs: &[Duration]) -> Duration {
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2
    }
}
