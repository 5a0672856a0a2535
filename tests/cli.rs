//! The command line as a webmaster meets it: flags, help, how much is said, and
//! `planpress new` from real tables of contents (tests/fixtures/toc/, made from the plan
//! texts of Kakegawa, Kikuchi and Mine).

mod common;

use common::{copy_site, fixture, planpress, repo, text};
use std::io::Write;
use std::process::{Command, Stdio};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn short_flags_quiet_and_verbose_build() {
    let out = tempfile::tempdir().unwrap();
    let (root, dest) = (fixture("mine"), out.path().join("site"));
    let args = ["build", "-r", root.to_str().unwrap(), "-o", dest.to_str().unwrap()];
    let o = planpress(&args);
    assert!(o.status.success(), "{}", text(&o));
    let said = stdout(&o);
    assert!(said.starts_with("サイトを ") && said.contains(" ページ、ほかのファイル "), "{said}");
    assert!(!said.contains("ノード") && !said.contains("ms"), "figures only with --verbose: {said}");
    assert!(dest.join("index.html").is_file());
    let o = planpress(&[&args[..], &["--quiet"]].concat());
    assert!(o.status.success());
    assert_eq!(text(&o), "", "--quiet says nothing when all is well");
    let o = planpress(&[&["-v"], &args[..]].concat());
    assert!(o.status.success());
    let said = stdout(&o);
    assert!(said.contains("うちノードのページ") && said.contains("段階ごと: 読み込み"), "{said}");
    let o = planpress(&["build", "-q", "-v", "-r", root.to_str().unwrap()]);
    assert!(!o.status.success(), "--quiet and --verbose together are refused");
}

#[test]
fn parser_text_only_with_verbose_and_no_colour_in_a_pipe() {
    let site = copy_site(&fixture("mine"));
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    std::fs::write(site.path().join("site.toml"), format!("{toml}\ntitle = = \"x\"\n")).unwrap();
    let root = site.path().to_str().unwrap();
    let o = planpress(&["build", "-r", root]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("エラー: site.toml:"), "{err}");
    assert!(!err.contains("詳細:"), "{err}");
    assert!(!err.contains('\x1b'), "no colour when stderr is not a terminal: {err:?}");
    let o = planpress(&["build", "--verbose", "-r", root]);
    let err = stderr(&o);
    assert!(err.contains("\n  詳細: "), "{err}");
    // Errors are shown even with --quiet.
    let o = planpress(&["build", "--quiet", "-r", root]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("エラー: site.toml:"));
}

#[test]
fn every_command_has_japanese_help_with_examples() {
    let o = planpress(&["--help"]);
    let top = stdout(&o);
    let order: Vec<usize> = ["init", "new", "serve", "build", "check", "template", "search"]
        .iter()
        .map(|c| top.find(&format!("\n  {c} ")).unwrap_or_else(|| panic!("{c} in {top}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "commands in the order they are used: {top}");
    for cmd in ["init", "new", "serve", "build", "check", "template", "search", "corpus"] {
        let o = planpress(&[cmd, "--help"]);
        assert!(o.status.success(), "{cmd}");
        let help = stdout(&o);
        assert!(help.contains("例:\n  planpress "), "{cmd}: {help}");
        for english in ["Print help", "Options:", "[default:", "Usage:"] {
            assert!(!help.contains(english), "{cmd}: {english} in {help}");
        }
    }
}

#[test]
fn new_scaffolds_a_plan_that_builds() {
    let t = tempfile::tempdir().unwrap();
    let site = t.path().join("site");
    assert!(planpress(&["init", site.to_str().unwrap()]).status.success());
    let root = site.to_str().unwrap();
    let toc = repo().join("tests/fixtures/toc/kakegawa.txt");
    let o = planpress(&["new", "kakegawa", "-r", root, "--from", toc.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let said = stdout(&o);
    assert!(said.contains("content/kakegawa/1/1-1.md") && said.contains("ノード 35 個、2 階層"), "{said}");
    let plan_file = site.join("content/kakegawa/_plan.md");
    let plan = std::fs::read_to_string(&plan_file).unwrap();
    assert!(plan.contains("title = \"第2次掛川市総合計画 ポストコロナ編 基本計画\""), "{plan}");
    let node = std::fs::read_to_string(site.join("content/kakegawa/1/1-2.md")).unwrap();
    assert_eq!(node, "+++\nnumber = \"1-2)\"\ntitle = \"市民の生涯学習の拠点づくり\"\n+++\n");
    // Period and levels may be left out: it builds as it is.
    let o = planpress(&["build", "-r", root]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(site.join("public/kakegawa/1-2/index.html").is_file());
    let plan = plan
        .replace("+++\ntitle", "+++\nperiod = { start = \"R3\", end = \"R7\" }\nlevels = [\"分野\", \"施策\"]\ntitle");
    std::fs::write(&plan_file, plan).unwrap();
    let o = planpress(&["build", "-r", root]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(site.join("public/kakegawa/1-2/index.html").is_file());
    // Never overwrites.
    std::fs::write(site.join("content/kakegawa/7.md"), "mine").unwrap_or_default();
    let o = planpress(&["new", "kakegawa", "-r", root, "--from", toc.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("[new-exists]"), "{}", text(&o));
    assert!(std::fs::read_to_string(site.join("content/kakegawa/_plan.md")).unwrap().contains("period"));
}

#[test]
fn new_reads_standard_input_and_names_levels_it_is_told() {
    let t = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_planpress"))
        .args(["new", "kihon", "--title", "基本計画", "-r", t.path().to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let toc = "基本目標1 子育て …… 3\n\u{3000}施策1 保育 …… 4\n\u{3000}施策2 教育 …… 6\n基本目標2 健康 …… 9\n";
    child.stdin.take().unwrap().write_all(toc.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let plan = std::fs::read_to_string(t.path().join("content/kihon/_plan.md")).unwrap();
    assert!(plan.contains("levels = [\"基本目標\", \"施策\"]"), "{plan}");
    let node = std::fs::read_to_string(t.path().join("content/kihon/1/1-2.md")).unwrap();
    assert!(node.contains("number = \"施策2\"\ntitle = \"教育\""), "{node}");
    assert!(t.path().join("content/kihon/2.md").is_file());
}

#[test]
fn new_refuses_bad_input_with_a_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let toc = t.path().join("toc.txt");
    std::fs::write(&toc, "1 教育\n").unwrap();
    let o = planpress(&["new", "p", "-r", t.path().to_str().unwrap(), "--from", toc.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("toc.txt:1: 計画の名前が分かりません [new-title]") && err.contains("直し方: "), "{err}");
    let o = planpress(&["new", "計画", "-r", t.path().to_str().unwrap(), "--from", toc.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("[new-plan-id]"));
    std::fs::write(&toc, b"\x82\xa0\x82\xa2\n").unwrap(); // Shift_JIS
    let o = planpress(&["new", "p", "-r", t.path().to_str().unwrap(), "--from", toc.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("toc.txt"), "{}", text(&o));
    assert!(!t.path().join("content").exists(), "nothing written");
}

#[test]
fn init_template_points_to_the_docs_without_placeholder_urls() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let o = planpress(&["init", dir.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("planpress serve -r "), "{}", text(&o));
    let toml = std::fs::read_to_string(dir.join("site.toml")).unwrap();
    let comments: Vec<&str> = toml.lines().filter(|l| l.starts_with('#')).collect();
    assert!(comments[0].contains("docs/CONTENT.md"), "{toml}");
    assert!(comments.iter().all(|c| !c.contains("http")), "{toml}");
}

/// #15 item 3: clap's English (`error: unrecognized subcommand`) reached webmasters.
#[test]
fn regression_command_line_mistakes_are_explained_in_japanese() {
    let o = planpress(&["biuld"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("「biuld」というコマンドはありません") && err.contains("「build」のつもりですか"), "{err}");
    assert!(!err.contains("error:") && !err.contains("unrecognized"), "{err}");
    let o = planpress(&["build", "--outptu", "x"]);
    assert!(stderr(&o).contains("「--outptu」というオプションはありません"), "{}", text(&o));
    let o = planpress(&["-v", "build", "--outptu", "x"]);
    assert!(stderr(&o).contains("詳細: error:"), "the original with --verbose: {}", text(&o));
    assert!(planpress(&["--help"]).status.success(), "help is no error");
}
