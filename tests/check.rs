//! `planpress check`: zero findings on the example site; every rule named, with file and
//! line, on a broken site; content errors reported like `build` does.

mod common;

use common::*;

fn check(root: &std::path::Path, json: bool) -> (i32, String) {
    let mut args = vec!["check", "--root", root.to_str().unwrap()];
    if json {
        args.extend(["--format", "json"]);
    }
    let o = planpress(&args);
    (o.status.code().unwrap_or(-1), text(&o))
}

#[test]
fn example_site_and_fixtures_have_no_findings() {
    for root in [repo(), fixture("kikuchi"), fixture("mine"), fixture("features")] {
        let (code, out) = check(&root, false);
        assert_eq!(code, 0, "{}:\n{out}", root.display());
        assert!(out.contains("問題はありません"), "{out}");
    }
}

#[test]
fn broken_output_names_every_rule_with_a_line() {
    let (code, out) = check(&repo().join("tests/check/broken"), false);
    assert_eq!(code, 1, "{out}");
    for (rule, with_line) in [
        ("html-lang", "404.html:2:"),
        ("image-alt", "about/index.html:"),
        ("heading-order", "about/index.html:"),
        ("link-name", "about/index.html:"),
        ("table-header", "about/index.html:"),
        ("duplicate-id", "about/index.html:"),
        ("broken-link", "about/index.html:"),
        ("broken-anchor", "about/index.html:"),
    ] {
        let line =
            out.lines().find(|l| l.ends_with(&format!("[{rule}]"))).unwrap_or_else(|| panic!("{rule} missing:\n{out}"));
        assert!(line.contains(with_line), "{rule} without file:line: {line}");
    }
    assert!(out.trim_end().ends_with("件の問題があります。"), "{out}");
}

#[test]
fn json_format_is_machine_readable() {
    let (code, out) = check(&repo().join("tests/check/broken"), true);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() >= 8);
    assert!(findings.iter().all(|f| f["rule"].is_string() && f["file"].is_string() && f["message"].is_string()));
}

#[test]
fn content_errors_are_the_same_as_build() {
    let site = copy_site(&fixture("mine"));
    let p = site.path().join("content/mine-2/5.md");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, t.replacen("+++\n", "+++\nsdgs = [18]\n", 1)).unwrap();
    let (code, out) = check(site.path(), false);
    assert_eq!(code, 1);
    assert!(out.contains("content/mine-2/5.md:2:") && out.contains("[sdgs]"), "{out}");
    assert!(!site.path().join("public").exists(), "check never writes public/");
}

#[test]
fn output_off_a_terminal_has_no_escape_codes() {
    // Captured output is a pipe, not a terminal: plain text, whatever NO_COLOR says.
    let broken = repo().join("tests/check/broken");
    let args = ["check", "--root", broken.to_str().unwrap()];
    for no_color in [None, Some("1")] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_planpress"));
        cmd.args(args);
        match no_color {
            Some(v) => cmd.env("NO_COLOR", v),
            None => cmd.env_remove("NO_COLOR"),
        };
        let out = text(&cmd.output().unwrap());
        assert!(out.contains("エラー: (出力)/404.html:2:"), "{out}");
        assert!(!out.contains('\x1b'), "{no_color:?}: {out:?}");
    }
}

#[test]
fn a_terminal_gets_colour_unless_no_color() {
    // `script` runs the command on a pseudo-terminal (util-linux; skipped without it).
    let broken = repo().join("tests/check/broken");
    let command = format!("{} check --root {}", env!("CARGO_BIN_EXE_planpress"), broken.display());
    let on_a_terminal = |no_color: Option<&str>| -> Option<String> {
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &command, "/dev/null"]);
        match no_color {
            Some(v) => cmd.env("NO_COLOR", v),
            None => cmd.env_remove("NO_COLOR"),
        };
        let out = cmd.output().ok().filter(|o| o.status.code() == Some(1))?;
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let Some(coloured) = on_a_terminal(None) else {
        eprintln!("skipped: no `script` to run planpress on a terminal");
        return;
    };
    assert!(coloured.contains("\x1b[1;31mエラー\x1b[0m: \x1b[1m(出力)/404.html:2\x1b[0m:"), "{coloured:?}");
    for no_color in ["1", "yes"] {
        let plain = on_a_terminal(Some(no_color)).unwrap();
        assert!(plain.contains("エラー: (出力)/404.html:2:") && !plain.contains('\x1b'), "{plain:?}");
    }
}

/// The printable summaries (`<plan>/summary/`, one folder deeper than the pages whose
/// bodies they show) linked those bodies' images and `@/` links one level too high.
#[test]
fn regression_summary_pages_show_bodies_with_working_links_and_images() {
    let site = copy_site(&fixture("mine"));
    let r = site.path();
    std::fs::write(r.join("content/mine-2/2/map.png"), b"png").unwrap();
    let append = |rel: &str, text: &str| {
        let path = r.join(rel);
        let old = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{old}\n{text}\n")).unwrap();
    };
    append("content/mine-2/2/_index.md", "![地図](map.png) [策定の趣旨](@/mine-2/1.md)");
    append("content/mine-2/_plan.md", "[位置づけ](@/mine-2/2/_index.md)");
    let (code, out) = check(r, false);
    assert_eq!(code, 0, "{out}");
    let public = r.join("out");
    let o = planpress(&["build", "-q", "-r", r.to_str().unwrap(), "-o", public.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let summary = std::fs::read_to_string(public.join("mine-2/summary/2/index.html")).unwrap();
    assert!(summary.contains(r#"src="../../../mine-2/2/map.png""#), "{summary}");
}
