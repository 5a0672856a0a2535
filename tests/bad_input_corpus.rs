//! The bad-input corpus: one named test per mistake a webmaster, an editor, Excel or a
//! file system can make. Each breaks a copy of the 美祢 fixture and asserts what the
//! webmaster is shown and what is left on disk:
//!
//! - `fails!`: exit code 1 (never a panic or a signal), every message says how to fix
//!   it (直し方), the message names the file (and line, where one is given), the last
//!   good `public/` is byte-for-byte as it was, and no staging folder is left;
//! - `survives!`: inputs that are odd but not wrong (huge, deep, empty): the build ends
//!   by itself with 0 or 1, never a panic, an abort or a hang, and a failure follows the
//!   rules above.
//!
//! The named cases of tests/bad_input.rs and tests/output_safety.rs belong to the same
//! corpus; they need more than a mutation and a few strings.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// A good build of the fixture, made once: each case starts from a copy of it.
fn good_public() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = BUILT.get_or_init(|| {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        let o = build(&fixture("mine"), Some(&out));
        assert!(o.status.success(), "the fixture builds: {}", text(&o));
        (t, out)
    });
    p
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A copy of the fixture with its last good build in `public/`.
fn site() -> tempfile::TempDir {
    let site = copy_site(&fixture("mine"));
    copy_dir(good_public(), &site.path().join("public"));
    site
}

/// Runs `planpress build` with a time limit; kills it past the limit (a hang fails). The
/// limit is far above any case's time (the slowest, one line of 1,000,000 議, takes 1 s in
/// release and 20 s in the debug binary on an idle machine): it catches hangs, and stays
/// clear of a slow, shared CI machine.
fn build_bounded(root: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_planpress"));
    cmd.args(["build", "--root", root.to_str().unwrap()]).args(extra);
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("planpress build did not end within 180 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn check_failure(
    root: &Path,
    o: &std::process::Output,
    before: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
) -> String {
    let out = text(o);
    assert_eq!(o.status.code(), Some(1), "exit code 1 (not a panic or a signal), got {:?}:\n{out}", o.status);
    assert!(!out.contains("panicked") && !out.contains("RUST_BACKTRACE"), "{out}");
    assert!(out.contains("直し方:"), "every error says how to fix it:\n{out}");
    assert!(out.contains("エラー"), "{out}");
    let after = snapshot(&root.join("public"));
    let changed: Vec<_> = before.keys().chain(after.keys()).filter(|k| before.get(*k) != after.get(*k)).collect();
    assert!(changed.is_empty(), "public/ must be left as it was; changed: {changed:?}\n{out}");
    let leftovers: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "staging folder left behind: {leftovers:?}");
    out
}

/// Breaks a fresh site with `mutate`, builds, and checks the failure; returns the output.
fn fails(mutate: impl FnOnce(&Path), extra: &[&str], expect: &[&str]) -> String {
    let site = site();
    let root = site.path();
    mutate(root);
    // After the mutation: a case may put a file into public/ itself.
    let before = snapshot(&root.join("public"));
    let o = build_bounded(root, extra);
    let out = check_failure(root, &o, &before);
    for e in expect {
        assert!(out.contains(e), "expected {e:?} in:\n{out}");
    }
    out
}

/// An odd input: the build ends by itself, and a failure follows the rules.
fn survives(mutate: impl FnOnce(&Path)) {
    let site = site();
    let root = site.path();
    let before = snapshot(&root.join("public"));
    mutate(root);
    let o = build_bounded(root, &[]);
    if !o.status.success() {
        check_failure(root, &o, &before);
    }
}

/// One test per case: `fails!(name, |root| mutation, ["expected", …])`.
macro_rules! fails {
    ($name:ident, args $args:expr, $mutate:expr, [$($e:expr),* $(,)?]) => {
        #[test]
        fn $name() {
            fails($mutate, &$args, &[$($e),*]);
        }
    };
    ($name:ident, $mutate:expr, [$($e:expr),* $(,)?]) => {
        #[test]
        fn $name() {
            fails($mutate, &[], &[$($e),*]);
        }
    };
}

macro_rules! survives {
    ($name:ident, $mutate:expr) => {
        #[test]
        fn $name() {
            survives($mutate);
        }
    };
}

fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let p = root.join(rel);
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(p, f(t)).unwrap();
}

/// Puts `lines` at the start of 5.md's front matter (they become its lines 2, 3, …).
fn front(root: &Path, lines: &str) {
    edit(root, "content/mine-2/5.md", |t| t.replacen("+++\n", &format!("+++\n{lines}\n"), 1));
}

/// Replaces 5.md's `title = …` line.
fn title(root: &Path, line: &str) {
    edit(root, "content/mine-2/5.md", |t| {
        t.lines().map(|l| if l.starts_with("title = ") { line } else { l }).collect::<Vec<_>>().join("\n") + "\n"
    });
}

/// Appends Markdown to 5.md's body.
fn body(root: &Path, md: &str) {
    edit(root, "content/mine-2/5.md", |t| format!("{t}\n{md}\n"));
}

/// Appends a line to site.toml.
fn site_toml(root: &Path, line: &str) {
    edit(root, "site.toml", |t| format!("{t}{line}\n"));
}

/// Replaces a key's line in site.toml.
fn site_key(root: &Path, key: &str, line: &str) {
    edit(root, "site.toml", |t| {
        t.lines().map(|l| if l.starts_with(&format!("{key} =")) { line } else { l }).collect::<Vec<_>>().join("\n")
            + "\n"
    });
}

fn plan(root: &Path, f: impl FnOnce(String) -> String) {
    edit(root, "content/mine-2/_plan.md", f);
}

fn plan_key(root: &Path, key: &str, line: &str) {
    plan(root, |t| {
        t.lines().map(|l| if l.starts_with(&format!("{key} =")) { line } else { l }).collect::<Vec<_>>().join("\n")
            + "\n"
    });
}

/// Appends an `[[indicators]]` entry to the end of 5.md's front matter. (At the start, 5.md's
/// own `number` and `title` would land in the indicator, and every case failed on them.)
fn indicator(root: &Path, fields: &str) {
    end_of_front(root, &format!("[[indicators]]\n{fields}"));
}

/// Puts `lines` at the end of 5.md's front matter, before its closing `+++`.
fn end_of_front(root: &Path, lines: &str) {
    edit(root, PAGE, |t| {
        let close = t[3..].find("+++\n").unwrap() + 3;
        format!("{}{lines}\n{}", &t[..close], &t[close..])
    });
}

const GOOD_INDICATOR: &str =
    "name = \"割合\"\nunit = \"%\"\nbaseline = { value = 57.9, year = \"R1\" }\ntarget = { value = 75, year = \"R7\" }";

fn template(root: &Path, name: &str, text: &str) {
    write(root, &format!("themes/default/templates/{name}"), text);
}

const PAGE: &str = "content/mine-2/5.md";

// ------------------------------------------------------------------ encodings
fails!(
    encoding_shift_jis_node,
    |r| { write(r, PAGE, encoding_rs::SHIFT_JIS.encode("+++\ntitle = \"議会との連携\"\n+++\n本文。\n").0) },
    ["content/mine-2/5.md:2:", "Shift_JIS", "UTF-8"]
);
fails!(
    encoding_shift_jis_plan_file,
    |r| {
        let t = std::fs::read_to_string(r.join("content/mine-2/_plan.md")).unwrap();
        write(r, "content/mine-2/_plan.md", encoding_rs::SHIFT_JIS.encode(&t).0)
    },
    ["content/mine-2/_plan.md", "UTF-8"]
);
fails!(
    encoding_shift_jis_site_toml,
    |r| {
        let t = std::fs::read_to_string(r.join("site.toml")).unwrap();
        write(r, "site.toml", encoding_rs::SHIFT_JIS.encode(&t).0)
    },
    ["site.toml", "UTF-8"]
);
fails!(
    encoding_euc_jp_node,
    |r| { write(r, PAGE, encoding_rs::EUC_JP.encode("+++\ntitle = \"議会との連携\"\n+++\n本文。\n").0) },
    ["content/mine-2/5.md", "UTF-8"]
);
fails!(
    encoding_utf16le_with_bom,
    |r| {
        let mut b = vec![0xFF, 0xFE];
        for u in "+++\ntitle = \"議会\"\n+++\n".encode_utf16() {
            b.extend(u.to_le_bytes());
        }
        write(r, PAGE, b)
    },
    ["content/mine-2/5.md", "UTF-8"]
);
fails!(
    encoding_utf16be_with_bom,
    |r| {
        let mut b = vec![0xFE, 0xFF];
        for u in "+++\ntitle = \"議会\"\n+++\n".encode_utf16() {
            b.extend(u.to_be_bytes());
        }
        write(r, PAGE, b)
    },
    ["content/mine-2/5.md", "UTF-8"]
);
fails!(
    encoding_latin1_byte_in_body,
    |r| {
        let mut b = std::fs::read(r.join(PAGE)).unwrap();
        b.extend(b"\ncaf\xE9\n");
        write(r, PAGE, b)
    },
    ["content/mine-2/5.md", "UTF-8"]
);
fails!(
    encoding_lone_continuation_byte,
    |r| write(r, PAGE, b"+++\ntitle = \"\x80\"\n+++\n"),
    ["content/mine-2/5.md:2:", "UTF-8"]
);
fails!(
    encoding_truncated_multibyte_at_end,
    |r| {
        let mut b = std::fs::read(r.join(PAGE)).unwrap();
        b.extend(&"議".as_bytes()[..2]);
        write(r, PAGE, b)
    },
    ["content/mine-2/5.md", "UTF-8"]
);
fails!(
    encoding_shift_jis_index_file,
    |r| {
        let t = std::fs::read_to_string(r.join("content/mine-2/2/_index.md")).unwrap();
        write(r, "content/mine-2/2/_index.md", encoding_rs::SHIFT_JIS.encode(&t).0)
    },
    ["content/mine-2/2/_index.md", "UTF-8"]
);
fails!(
    encoding_shift_jis_template,
    |r| {
        let t = "{% extends \"base.html\" %}{% block main %}議会{% endblock main %}";
        write(r, "themes/default/templates/page.html", encoding_rs::SHIFT_JIS.encode(t).0)
    },
    ["themes/default/templates/page.html", "UTF-8"]
);
survives!(encoding_utf8_bom_is_accepted, |r| {
    let mut b = vec![0xEF, 0xBB, 0xBF];
    b.extend(std::fs::read(r.join(PAGE)).unwrap());
    write(r, PAGE, b)
});
survives!(encoding_crlf_line_ends_are_accepted, |r| edit(r, PAGE, |t| t.replace('\n', "\r\n")));
survives!(encoding_cr_only_line_ends, |r| edit(r, PAGE, |t| t.replace('\n', "\r")));

// ------------------------------------------------------------------ front-matter fences
fails!(fence_missing_closing, |r| write(r, PAGE, "+++\ntitle = \"議会\"\n本文。\n"), ["content/mine-2/5.md"]);
fails!(fence_missing_opening, |r| write(r, PAGE, "title = \"議会\"\n+++\n本文。\n"), ["content/mine-2/5.md"]);
fails!(fence_yaml_dashes, |r| write(r, PAGE, "---\ntitle: 議会\n---\n"), ["content/mine-2/5.md:1:", "TOML"]);
fails!(fence_full_width_plus, |r| write(r, PAGE, "＋＋＋\ntitle = \"議会\"\n＋＋＋\n"), ["content/mine-2/5.md"]);
fails!(fence_four_plus_signs, |r| write(r, PAGE, "++++\ntitle = \"議会\"\n++++\n"), ["content/mine-2/5.md"]);
fails!(fence_empty_front_matter, |r| write(r, PAGE, "+++\n+++\n本文。\n"), ["content/mine-2/5.md", "title"]);
fails!(fence_no_front_matter_at_all, |r| write(r, PAGE, "本文だけ。\n"), ["content/mine-2/5.md"]);
fails!(fence_empty_file, |r| write(r, PAGE, ""), ["content/mine-2/5.md"]);
fails!(fence_only_whitespace, |r| write(r, PAGE, "  \n\n\t\n"), ["content/mine-2/5.md"]);
fails!(fence_blank_line_before_opening, |r| write(r, PAGE, "\n+++\ntitle = \"議会\"\n+++\n"), ["content/mine-2/5.md"]);
survives!(fence_trailing_spaces_after_plus, |r| write(r, PAGE, "+++  \nid = \"5\"\ntitle = \"議会\"\n+++ \n本文。\n"));
survives!(fence_three_fences, |r| write(r, PAGE, "+++\nid = \"5\"\ntitle = \"議会\"\n+++\nid = \"x\"\n+++\n"));

// ------------------------------------------------------------------ TOML syntax
fails!(toml_double_equals, |r| title(r, "title = = \"議会\""), ["content/mine-2/5.md:4:", "[toml]"]);
fails!(toml_unquoted_string, |r| title(r, "title = 議会との連携"), ["content/mine-2/5.md:4:"]);
fails!(toml_curly_quotes, |r| title(r, "title = “議会との連携”"), ["content/mine-2/5.md:4:"]);
fails!(toml_full_width_equals, |r| title(r, "title ＝ \"議会との連携\""), ["content/mine-2/5.md:4:"]);
fails!(toml_unclosed_string, |r| title(r, "title = \"議会との連携"), ["content/mine-2/5.md:4:"]);
fails!(toml_unclosed_array, |r| front(r, "sdgs = [3, 4"), ["content/mine-2/5.md"]);
fails!(
    toml_unclosed_inline_table,
    |r| indicator(r, "name = \"x\"\nbaseline = { value = 1, year = \"R1\"\ntarget = { value = 2, year = \"R7\" }"),
    ["content/mine-2/5.md"]
);
fails!(toml_invalid_escape, |r| title(r, "title = \"議会\\q\""), ["content/mine-2/5.md:4:"]);
fails!(toml_duplicate_key, |r| front(r, "title = \"重複\""), ["content/mine-2/5.md"]);
fails!(toml_key_without_value, |r| front(r, "weight ="), ["content/mine-2/5.md:2:"]);
fails!(toml_value_without_key, |r| front(r, "= 5"), ["content/mine-2/5.md:2:"]);
fails!(toml_bare_key_with_space, |r| front(r, "my key = 1"), ["content/mine-2/5.md:2:"]);
fails!(toml_ideographic_comma_in_array, |r| front(r, "sdgs = [2、15]"), ["content/mine-2/5.md:2:"]);
fails!(
    toml_thousands_separator_in_number,
    |r| indicator(
        r,
        "name = \"x\"\nbaseline = { value = 1,800, year = \"R1\" }\ntarget = { value = 2, year = \"R7\" }"
    ),
    ["content/mine-2/5.md"]
);
fails!(toml_table_header_unclosed, |r| front(r, "[[indicators]\nname = \"x\""), ["content/mine-2/5.md:2:"]);
fails!(toml_nul_byte, |r| title(r, "title = \"議\0会\""), ["content/mine-2/5.md"]);
fails!(toml_date_as_title, |r| title(r, "title = 2024-01-01"), ["content/mine-2/5.md"]);

// ------------------------------------------------------------------ TOML types
fails!(type_title_number, |r| title(r, "title = 5"), ["content/mine-2/5.md:4:", "[toml]"]);
fails!(type_title_array, |r| title(r, "title = [\"a\"]"), ["content/mine-2/5.md:4:"]);
fails!(type_title_empty, |r| title(r, "title = \"\""), ["content/mine-2/5.md"]);
fails!(type_title_only_spaces, |r| title(r, "title = \"　 \""), ["content/mine-2/5.md"]);
fails!(
    type_weight_string,
    |r| edit(r, PAGE, |t| t.replacen("weight = 5", "weight = \"5\"", 1)),
    ["content/mine-2/5.md"]
);
fails!(type_weight_float, |r| edit(r, PAGE, |t| t.replacen("weight = 5", "weight = 5.5", 1)), ["content/mine-2/5.md"]);
fails!(type_id_number, |r| edit(r, PAGE, |t| t.replacen("id = \"5\"", "id = 5", 1)), ["content/mine-2/5.md:2:"]);
fails!(
    type_number_bool,
    |r| edit(r, PAGE, |t| t.replacen("number = \"5\"", "number = true", 1)),
    ["content/mine-2/5.md:3:"]
);
fails!(type_sdgs_string, |r| front(r, "sdgs = \"3\""), ["content/mine-2/5.md:2:"]);
fails!(type_sdgs_zero, |r| front(r, "sdgs = [0]"), ["content/mine-2/5.md:2:"]);
fails!(type_sdgs_negative, |r| front(r, "sdgs = [-1]"), ["content/mine-2/5.md:2:"]);
fails!(type_sdgs_eighteen, |r| front(r, "sdgs = [18]"), ["content/mine-2/5.md:2:", "1〜17"]);
fails!(type_sdgs_float, |r| front(r, "sdgs = [1.5]"), ["content/mine-2/5.md:2:"]);
fails!(type_sdgs_huge, |r| front(r, "sdgs = [99999999999]"), ["content/mine-2/5.md:2:"]);
fails!(type_departments_string, |r| front(r, "departments = \"企画課\""), ["content/mine-2/5.md:2:"]);
fails!(type_departments_numbers, |r| front(r, "departments = [1, 2]"), ["content/mine-2/5.md:2:"]);
fails!(type_themes_unknown, |r| front(r, "themes = [\"nope\"]"), ["content/mine-2/5.md:2:", "[unknown-theme]"]);
fails!(type_misspelled_key, |r| front(r, "titel = \"x\""), ["content/mine-2/5.md:2:", "titel"]);
// #15: serde's English becomes Japanese, with the nearest name for a typo.
fails!(
    key_misspelled_names_the_nearest_key,
    |r| front(r, "departmnets = [\"企画課\"]"),
    ["content/mine-2/5.md:2:", "項目 departmnets は使えません。departments のつもりですか?"]
);
fails!(
    value_misspelled_names_the_nearest_value,
    |r| indicator(r, &format!("{GOOD_INDICATOR}\nbetter = \"hgher\"")),
    ["値 \"hgher\" は使えません", "\"higher\" のつもり"]
);
// #15: keys written after a `[[…]]` header belong to its last entry.
fails!(
    scope_page_key_after_indicators,
    |r| end_of_front(r, &format!("[[indicators]]\n{GOOD_INDICATOR}\n\ndepartments = [\"企画課\"]")),
    ["content/mine-2/5.md:12:", "項目 departments は [[indicators]](6 行目から)の中に", "より前に移して"]
);
fails!(type_children_not_array_of_tables, |r| front(r, "children = \"x\""), ["content/mine-2/5.md:2:"]);
fails!(type_indicators_not_array_of_tables, |r| front(r, "indicators = 3"), ["content/mine-2/5.md:2:"]);

// ------------------------------------------------------------------ indicators
fails!(
    indicator_without_name,
    |r| indicator(r, "baseline = { value = 1, year = \"R1\" }\ntarget = { value = 2, year = \"R7\" }"),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_without_baseline,
    |r| indicator(r, "name = \"x\"\ntarget = { value = 2, year = \"R7\" }"),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_without_target,
    |r| indicator(r, "name = \"x\"\nbaseline = { value = 1, year = \"R1\" }"),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_value_string_with_unit,
    |r| indicator(
        r,
        "name = \"x\"\nbaseline = { value = \"80%\", year = \"R1\" }\ntarget = { value = 90, year = \"R7\" }"
    ),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_value_text,
    |r| indicator(
        r,
        "name = \"x\"\nbaseline = { value = \"多い\", year = \"R1\" }\ntarget = { value = 90, year = \"R7\" }"
    ),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_year_unreadable,
    |r| indicator(r, "name = \"x\"\nbaseline = { value = 1, year = \"R1x\" }\ntarget = { value = 2, year = \"R7\" }"),
    ["content/mine-2/5.md", "年度"]
);
fails!(
    indicator_year_era_unknown,
    |r| indicator(
        r,
        "name = \"x\"\nbaseline = { value = 1, year = \"大正5年度\" }\ntarget = { value = 2, year = \"R7\" }"
    ),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_year_missing,
    |r| indicator(r, "name = \"x\"\nbaseline = { value = 1 }\ntarget = { value = 2, year = \"R7\" }"),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_better_unknown,
    |r| indicator(r, &format!("{GOOD_INDICATOR}\nbetter = \"up\"")),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_actual_without_year,
    |r| indicator(r, &format!("{GOOD_INDICATOR}\nactuals = [{{ value = 3 }}]")),
    ["content/mine-2/5.md"]
);
fails!(indicator_unknown_key, |r| indicator(r, &format!("{GOOD_INDICATOR}\ntarge = 1")), ["content/mine-2/5.md"]);
fails!(
    indicator_duplicate_id,
    |r| indicator(r, &format!("id = \"a\"\n{GOOD_INDICATOR}\n[[indicators]]\nid = \"a\"\n{GOOD_INDICATOR}")),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_value_nan,
    |r| indicator(r, "name = \"x\"\nbaseline = { value = nan, year = \"R1\" }\ntarget = { value = 2, year = \"R7\" }"),
    ["content/mine-2/5.md"]
);
fails!(
    indicator_value_infinite,
    |r| indicator(r, "name = \"x\"\nbaseline = { value = inf, year = \"R1\" }\ntarget = { value = 2, year = \"R7\" }"),
    ["content/mine-2/5.md"]
);
survives!(indicator_rounding_error_between_baseline_and_target, |r| indicator(
    r,
    "name = \"x\"\nbaseline = { value = 8.17, year = \"R1\" }\ntarget = { value = 8.170000000000002, year = \"R7\" }"
));
survives!(indicator_values_near_the_float_maximum, |r| {
    indicator(r, "name = \"x\"\nbaseline = { value = 1.7976931348623157e308, year = \"R1\" }\ntarget = { value = -1.7976931348623157e308, year = \"R7\" }")
});
survives!(indicator_target_before_baseline, |r| indicator(
    r,
    "name = \"x\"\nbaseline = { value = 1, year = \"R7\" }\ntarget = { value = 2, year = \"R1\" }"
));
survives!(indicator_year_far_future, |r| indicator(
    r,
    "name = \"x\"\nbaseline = { value = 1, year = \"2020\" }\ntarget = { value = 2, year = \"9999\" }"
));
survives!(indicator_many_actuals, |r| {
    let actuals: Vec<String> = (2000..2100).map(|y| format!("{{ value = {y}, year = \"{y}\" }}")).collect();
    indicator(r, &format!("{GOOD_INDICATOR}\nactuals = [{}]", actuals.join(", ")))
});

// ------------------------------------------------------------------ plan file
fails!(
    plan_period_end_before_start,
    |r| plan_key(r, "period", "period = { start = \"R11\", end = \"R7\" }"),
    ["content/mine-2/_plan.md"]
);
fails!(
    plan_period_unreadable_year,
    |r| plan_key(r, "period", "period = { start = \"R7x\", end = \"R11\" }"),
    ["content/mine-2/_plan.md"]
);
fails!(
    plan_title_missing,
    |r| plan(r, |t| t.lines().filter(|l| !l.starts_with("title =")).collect::<Vec<_>>().join("\n")),
    ["content/mine-2/_plan.md"]
);
fails!(plan_levels_string, |r| plan_key(r, "levels", "levels = \"章\""), ["content/mine-2/_plan.md"]);
// A plan may leave out its period and level names, or name fewer levels than it has (§3).
fails!(
    plan_period_empty_table,
    |r| plan_key(r, "period", "period = {}"),
    ["content/mine-2/_plan.md:", "[period]", "period の行を消して"]
);
fails!(
    plan_period_undecided,
    |r| plan_key(r, "period", "period = { start = \"未定\", end = \"未定\" }"),
    ["content/mine-2/_plan.md:", "[period]", "period の行を消して"]
);
fails!(
    plan_period_empty_start,
    |r| plan_key(r, "period", "period = { start = \"\" }"),
    ["content/mine-2/_plan.md:", "[period]"]
);
fails!(
    plan_period_end_undecided,
    |r| plan_key(r, "period", "period = { start = \"R7\", end = \"\" }"),
    ["content/mine-2/_plan.md:", "[period]", "end を消して"]
);
fails!(
    plan_period_end_only,
    |r| plan_key(r, "period", "period = { end = \"R11\" }"),
    ["content/mine-2/_plan.md:", "[period]", "start"]
);
survives!(plan_period_start_only, |r| plan_key(r, "period", "period = { start = \"R7\" }"));
survives!(plan_without_period, |r| plan(r, |t| t
    .lines()
    .filter(|l| !l.starts_with("period"))
    .collect::<Vec<_>>()
    .join("\n")));
survives!(plan_levels_empty, |r| plan_key(r, "levels", "levels = []"));
survives!(plan_levels_empty_names, |r| plan_key(r, "levels", "levels = [\"\", \" \"]"));
survives!(plan_levels_too_few, |r| plan_key(r, "levels", "levels = [\"章\"]"));
fails!(
    node_children_nested_too_deep,
    |r| {
        let nested: String =
            (0..40).map(|k| format!("[[{}children]]\ntitle = \"深い{k}\"\n", "children.".repeat(k))).collect();
        edit(r, "content/mine-2/5.md", |t| {
            let end = t.rfind("+++").unwrap();
            format!("{}{nested}{}", &t[..end], &t[end..])
        })
    },
    ["content/mine-2/5.md:", "[layout]", "階層が深すぎます"]
);
fails!(
    plan_unknown_key,
    |r| plan(r, |t| t.replacen("+++\n", "+++\nvission = \"x\"\n", 1)),
    ["content/mine-2/_plan.md:2:"]
);
fails!(plan_toml_error, |r| plan_key(r, "kind", "kind = = \"策定方針\""), ["content/mine-2/_plan.md"]);
fails!(
    plan_file_nested_too_deep,
    |r| write(r, "content/mine-2/2/_plan.md", "+++\ntitle = \"x\"\n+++\n"),
    ["content/mine-2/2/_plan.md"]
);
fails!(
    plan_theme_duplicate_id,
    |r| plan(r, |t| t.replacen(
        "+++\n",
        "+++\n[[themes]]\nid = \"a\"\ntitle = \"A\"\n[[themes]]\nid = \"a\"\ntitle = \"B\"\n",
        1
    )),
    ["content/mine-2/_plan.md"]
);

// ------------------------------------------------------------------ site.toml
fails!(config_toml_error, |r| site_toml(r, "minify = yes"), ["site.toml:6:"]);
fails!(config_minify_string, |r| site_toml(r, "minify = \"yes\""), ["site.toml"]);
fails!(config_search_number, |r| site_toml(r, "search = 1"), ["site.toml"]);
fails!(config_unknown_key, |r| site_toml(r, "titel = \"x\""), ["site.toml"]);
fails!(config_progress_unknown_rule, |r| site_toml(r, "[progress]\nrule = \"fast\""), ["site.toml:7:", "rule「fast」"]);
fails!(config_progress_nan, |r| site_toml(r, "[progress]\nachieved = nan"), ["site.toml:7:", "achieved"]);
fails!(
    config_progress_tolerance_without_baseline,
    |r| site_toml(r, "[progress]\nrule = \"target\"\ntolerance = 0.1"),
    ["site.toml:8:", "tolerance"]
);
fails!(
    config_title_missing,
    |r| edit(r, "site.toml", |t| t.lines().filter(|l| !l.starts_with("title")).collect::<Vec<_>>().join("\n")),
    ["site.toml"]
);
// [[departments]]: declared once in site.toml (docs/CONTENT.md §2).
fails!(
    department_unknown_with_declarations,
    |r| {
        site_toml(r, "[[departments]]\nid = \"kikaku\"\nname = \"企画政策課\"");
        front(r, "departments = [\"企画制作課\"]");
    },
    ["content/mine-2/5.md:2:", "企画制作課", "もしかして「企画政策課」"]
);
fails!(
    department_duplicate_id,
    |r| site_toml(
        r,
        "[[departments]]\nid = \"kikaku\"\nname = \"企画政策課\"\n[[departments]]\nid = \"kikaku\"\nname = \"財政課\""
    ),
    ["site.toml:9:", "kikaku"]
);
fails!(
    department_bad_id,
    |r| site_toml(r, "[[departments]]\nid = \"企画\"\nname = \"企画政策課\""),
    ["site.toml:6:", "URL に使えません"]
);
fails!(
    department_name_twice,
    |r| {
        site_toml(r, "[[departments]]\nid = \"a\"\nname = \"企画課\"\n[[departments]]\nid = \"b\"\nname = \"企画政策課\"\nformer_names = [\"企画課\"]")
    },
    ["site.toml:9:", "企画課"]
);
fails!(
    department_bad_email,
    |r| site_toml(r, "[[departments]]\nid = \"kikaku\"\nname = \"企画政策課\"\nemail = \"kikaku at city\""),
    ["site.toml:6:", "email"]
);
fails!(config_base_url_not_a_url, |r| site_key(r, "base_url", "base_url = \"www.city.mine\""), ["site.toml"]);
fails!(config_base_url_javascript, |r| site_key(r, "base_url", "base_url = \"javascript:alert(1)\""), ["site.toml"]);
fails!(config_theme_missing, |r| site_toml(r, "theme = \"nope\""), ["site.toml", "themes/nope"]);
fails!(config_output_is_the_root, |r| site_toml(r, "output_dir = \".\""), ["site.toml"]);
fails!(config_output_is_content, |r| site_toml(r, "output_dir = \"content\""), ["site.toml"]);
fails!(config_output_inside_static, |r| site_toml(r, "output_dir = \"static/out\""), ["site.toml"]);
fails!(config_missing, |r| std::fs::remove_file(r.join("site.toml")).unwrap(), ["site.toml"]);
fails!(
    config_is_a_folder,
    |r| {
        std::fs::remove_file(r.join("site.toml")).unwrap();
        std::fs::create_dir(r.join("site.toml")).unwrap();
    },
    ["site.toml"]
);
fails!(config_empty, |r| write(r, "site.toml", ""), ["site.toml"]);
fails!(node_updated_not_a_date, |r| front(r, "updated = \"2026-02-30\""), ["mine-2/5.md:2:", "updated「2026-02-30」"]);
fails!(config_favicon_missing, |r| site_toml(r, "favicon = \"nai.png\""), ["site.toml:6:", "static/nai.png"]);
fails!(
    config_image_outside_static,
    |r| site_toml(r, "image = \"../site.toml\""),
    ["site.toml:6:", "image「../site.toml」"]
);
fails!(config_base_url_override_bad, args ["--base-url", "not a url"], |_| {}, ["--base-url"]);
fails!(
    config_municipality_code_check_digit,
    |r| site_toml(r, "municipality_code = \"352153\""),
    ["site.toml:6:", "[municipality-code]", "検査数字は 2", "\"352152\""]
);
fails!(
    config_municipality_code_five_digits,
    |r| site_toml(r, "municipality_code = \"35215\""),
    ["site.toml:6:", "[municipality-code]", "\"352152\""]
);
fails!(config_municipality_code_not_digits, |r| site_toml(r, "municipality_code = \"美祢市\""), ["site.toml:6:"]);
fails!(config_license_blank, |r| site_toml(r, "license = \"\""), ["site.toml:6:", "license"]);

// ------------------------------------------------------------------ names and ids
fails!(
    name_duplicate_node_id,
    |r| write(r, "content/mine-2/6b.md", "+++\nid = \"5\"\ntitle = \"重複\"\n+++\n"),
    ["content/mine-2/6b.md:2:", "content/mine-2/5.md"]
);
fails!(
    name_id_with_slash,
    |r| edit(r, PAGE, |t| t.replacen("id = \"5\"", "id = \"a/b\"", 1)),
    ["content/mine-2/5.md:2:"]
);
fails!(name_id_dot_dot, |r| edit(r, PAGE, |t| t.replacen("id = \"5\"", "id = \"..\"", 1)), ["content/mine-2/5.md:2:"]);
fails!(
    name_id_with_space,
    |r| edit(r, PAGE, |t| t.replacen("id = \"5\"", "id = \"a b\"", 1)),
    ["content/mine-2/5.md:2:"]
);
fails!(name_id_empty, |r| edit(r, PAGE, |t| t.replacen("id = \"5\"", "id = \"\"", 1)), ["content/mine-2/5.md:2:"]);
fails!(name_id_html, |r| edit(r, PAGE, |t| t.replacen("id = \"5\"", "id = \"<b>\"", 1)), ["content/mine-2/5.md:2:"]);
fails!(
    name_plan_folder_reserved_search,
    |r| {
        std::fs::rename(r.join("content/mine-2"), r.join("content/search")).unwrap();
        site_key(r, "main_plan", "main_plan = \"search\"");
    },
    ["content/search"]
);
fails!(
    name_plan_folder_reserved_assets,
    |r| {
        std::fs::rename(r.join("content/mine-2"), r.join("content/assets")).unwrap();
        site_key(r, "main_plan", "main_plan = \"assets\"");
    },
    ["content/assets"]
);
fails!(
    name_underscore_file,
    |r| write(r, "content/mine-2/_draft.md", "+++\ntitle = \"x\"\n+++\n"),
    ["content/mine-2/_draft.md"]
);
fails!(
    name_pages_subfolder,
    |r| write(r, "content/mine-2/_pages/a/b.md", "+++\ntitle = \"x\"\n+++\n"),
    ["content/mine-2/_pages/a/b.md"]
);

// ------------------------------------------------------------------ folders
fails!(
    folder_node_without_index,
    |r| write(r, "content/mine-2/9/9-1.md", "+++\ntitle = \"迷子\"\n+++\n"),
    ["content/mine-2/9/9-1.md", "_index.md"]
);
fails!(folder_content_missing, |r| std::fs::remove_dir_all(r.join("content")).unwrap(), ["content"]);
fails!(
    folder_content_is_a_file,
    |r| {
        std::fs::remove_dir_all(r.join("content")).unwrap();
        std::fs::write(r.join("content"), "x").unwrap();
    },
    ["content"]
);
fails!(
    folder_content_empty,
    |r| {
        std::fs::remove_dir_all(r.join("content")).unwrap();
        std::fs::create_dir(r.join("content")).unwrap();
    },
    ["content"]
);
fails!(
    folder_plan_file_in_content_root,
    |r| write(r, "content/_plan.md", "+++\ntitle = \"x\"\n+++\n"),
    ["content/_plan.md"]
);
survives!(folder_empty_subfolder, |r| std::fs::create_dir_all(r.join("content/mine-2/empty/deeper")).unwrap());
survives!(folder_hidden_files_are_skipped, |r| write(r, "content/mine-2/.5.md.swp", b"\x00\x01garbage"));
survives!(folder_very_deep_tree, |r| {
    let mut p = r.join("content/deep");
    for i in 0..120 {
        p = p.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("x.md"), "+++\ntitle = \"深い\"\n+++\n").unwrap();
});

// ------------------------------------------------------------------ symlinks
#[cfg(unix)]
survives!(symlink_loop_in_content, |r| std::os::unix::fs::symlink(r.join("content"), r.join("content/mine-2/loop"))
    .unwrap());
#[cfg(unix)]
survives!(symlink_dangling_in_content, |r| std::os::unix::fs::symlink(
    r.join("nowhere.md"),
    r.join("content/mine-2/7.md")
)
.unwrap());
#[cfg(unix)]
survives!(symlink_loop_in_static, |r| {
    std::fs::create_dir_all(r.join("static")).unwrap();
    std::os::unix::fs::symlink(r.join("static"), r.join("static/loop")).unwrap();
});
#[cfg(unix)]
survives!(symlink_self_loop_in_themes, |r| {
    std::fs::create_dir_all(r.join("themes/default/templates")).unwrap();
    std::os::unix::fs::symlink(r.join("themes/default/templates/a.html"), r.join("themes/default/templates/a.html"))
        .unwrap();
});

// ------------------------------------------------------------------ templates
fails!(
    template_syntax_error,
    |r| template(
        r,
        "page.html",
        "{% extends \"base.html\" %}\n{% block main %}\n{% if page.title %}\n{% endblock main %}\n"
    ),
    ["themes/default/templates/page.html:"]
);
fails!(
    template_unclosed_variable,
    |r| template(r, "node.html", "{% extends \"base.html\" %}\n{% block main %}{{ node.title {% endblock main %}"),
    ["themes/default/templates/node.html"]
);
fails!(
    template_unknown_filter,
    |r| template(
        r,
        "node.html",
        "{% extends \"base.html\" %}{% block main %}{{ node.title | nosuchfilter }}{% endblock main %}"
    ),
    ["node.html"]
);
fails!(
    template_include_missing,
    |r| template(
        r,
        "node.html",
        "{% extends \"base.html\" %}{% block main %}{% include \"nope.html\" %}{% endblock main %}"
    ),
    ["node.html"]
);
fails!(template_extends_missing, |r| template(r, "node.html", "{% extends \"nope.html\" %}"), ["node.html"]);
fails!(
    template_includes_itself,
    |r| template(r, "page.html", "<p>\n{% include \"page.html\" %}</p>"),
    ["themes/default/templates/page.html:2:", "template-recursion"]
);
fails!(
    template_include_cycle,
    |r| {
        template(r, "a.html", "{% include \"b.html\" %}");
        template(r, "b.html", "{% include \"a.html\" %}");
    },
    ["template-recursion", "a.html → b.html → a.html"]
);
fails!(
    template_macro_calls_itself,
    |r| {
        template(r, "macros.html", "{% macro node_title(number, title) %}\n{{ self::node_title(number=number, title=title) }}{% endmacro node_title %}")
    },
    ["themes/default/templates/macros.html:2:", "template-recursion"]
);
fails!(
    template_unknown_variable,
    |r| template(
        r,
        "node.html",
        "{% extends \"base.html\" %}{% block main %}{{ nosuchvariable.x }}{% endblock main %}"
    ),
    ["node.html"]
);
fails!(
    template_unknown_macro,
    |r| {
        template(r, "node.html", "{% import \"macros.html\" as m %}{% extends \"base.html\" %}{% block main %}{{ m::nope() }}{% endblock main %}")
    },
    ["node.html"]
);
survives!(template_endblock_mismatch, |r| template(
    r,
    "home.html",
    "{% extends \"base.html\" %}{% block main %}x{% endblock other %}"
));
fails!(
    template_extends_cycle,
    |r| {
        template(r, "a.html", "{% extends \"b.html\" %}");
        template(r, "b.html", "{% extends \"a.html\" %}");
    },
    ["templates"]
);

// ------------------------------------------------------------------ links and images
fails!(
    link_broken_content_link,
    |r| body(r, "[前の章](@/mine-2/no-such.md)"),
    ["content/mine-2/5.md:", "[broken-link]"]
);
// #15: images and files that are not there fail the build at the line.
fails!(
    image_missing_in_static,
    |r| body(r, "![地図](/images/nai.png)"),
    ["content/mine-2/5.md:", "static/images/nai.png", "missing-file"]
);
fails!(
    image_missing_beside_markdown,
    |r| body(r, "![地図](map.png)"),
    ["content/mine-2/5.md:", "content/mine-2/map.png", "missing-file"]
);
fails!(
    image_beside_markdown_escaping_content,
    |r| body(r, "![地図](../../site.toml)"),
    ["content/mine-2/5.md:", "missing-file"]
);
fails!(
    link_to_missing_static_pdf,
    |r| body(r, "[計画書](/files/%E8%A8%88%E7%94%BB.pdf)"),
    ["static/files/計画.pdf", "missing-file"]
);
fails!(link_javascript, |r| body(r, "[x](javascript:alert(1))"), ["content/mine-2/5.md:", "unsafe-link"]);
fails!(link_javascript_mixed_case, |r| body(r, "[x](JaVaScRiPt:alert(1))"), ["unsafe-link"]);
fails!(link_javascript_entity, |r| body(r, "[x](&#106;avascript:alert(1))"), ["unsafe-link"]);
fails!(link_javascript_autolink, |r| body(r, "<javascript:alert(1)>"), ["unsafe-link"]);
fails!(link_javascript_reference, |r| body(r, "[x][r]\n\n[r]: javascript:alert(1)"), ["unsafe-link"]);
fails!(link_vbscript, |r| body(r, "[x](vbscript:msgbox)"), ["unsafe-link"]);
fails!(link_data_url, |r| body(r, "[x](data:text/html;base64,PHNjcmlwdD4=)"), ["unsafe-link"]);
fails!(image_data_url, |r| body(r, "![地図](data:image/png;base64,iVBOR)"), ["unsafe-link"]);
fails!(image_without_alt, |r| body(r, "![](/images/x.png)"), ["content/mine-2/5.md:", "[image-alt]"]);
fails!(image_alt_only_spaces, |r| body(r, "![　](/images/x.png)"), ["content/mine-2/5.md:"]);

// ------------------------------------------------------------------ Markdown bodies that must not break a build
survives!(body_deep_blockquotes, |r| body(r, &">".repeat(5000)));
survives!(body_deep_lists, |r| body(
    r,
    &(0..2000).map(|i| format!("{}- x", "  ".repeat(i))).collect::<Vec<_>>().join("\n")
));
survives!(body_many_brackets, |r| body(r, &"[".repeat(50_000)));
survives!(body_many_emphasis, |r| body(r, &"*a".repeat(50_000)));
survives!(body_huge_table, |r| body(r, &format!("| a | b |\n|---|---|\n{}", "| 1 | 2 |\n".repeat(20_000))));
survives!(body_raw_html, |r| body(r, "<script>alert(1)</script><iframe src=x></iframe>"));
survives!(body_long_line, |r| body(r, &"議".repeat(1_000_000)));
survives!(body_heading_only_hashes, |r| body(r, "######\n#\n##"));
survives!(body_control_characters, |r| body(r, "a\u{1}b\u{7}c\u{1b}[31m"));
survives!(body_zero_width_and_bidi, |r| body(r, "a\u{200b}b\u{202e}c\u{feff}"));
survives!(body_tab_separated_paste, |r| body(r, "年度\t値\nR1\t3\nR2\t4"));
survives!(title_very_long, |r| title(r, &format!("title = \"{}\"", "長".repeat(100_000))));
survives!(title_with_html, |r| title(r, "title = \"<script>alert(1)</script>&amp;\""));
survives!(many_nodes, |r| {
    for i in 0..120 {
        write(r, &format!("content/mine-2/x{i}.md"), format!("+++\nid = \"x{i}\"\ntitle = \"多数 {i}\"\n+++\n"));
    }
});
survives!(many_inline_children, |r| front(
    r,
    &(0..500).map(|i| format!("[[children]]\nid = \"c{i}\"\ntitle = \"子 {i}\"")).collect::<Vec<_>>().join("\n")
));

// ------------------------------------------------------------------ output folders
fails!(
    output_foreign_folder,
    |r| {
        std::fs::create_dir_all(r.join("elsewhere")).unwrap();
        std::fs::write(r.join("elsewhere/report.docx"), "x").unwrap();
        site_toml(r, "output_dir = \"elsewhere\"");
    },
    ["report.docx", "output-not-own"]
);
fails!(output_file_added_by_hand, |r| std::fs::write(r.join("public/upload.pdf"), "x").unwrap(), ["upload.pdf"]);
fails!(
    output_is_a_file,
    |r| {
        std::fs::write(r.join("out.html"), "x").unwrap();
        site_toml(r, "output_dir = \"out.html\"");
    },
    ["out.html"]
);
#[cfg(unix)]
fails!(
    output_symlink_loop,
    |r| {
        std::os::unix::fs::symlink(r.join("b"), r.join("a")).unwrap();
        std::os::unix::fs::symlink(r.join("a"), r.join("b")).unwrap();
        site_toml(r, "output_dir = \"a\"");
    },
    ["循環"]
);
#[cfg(unix)]
fails!(
    output_symlink_to_foreign_folder,
    |r| {
        std::fs::create_dir_all(r.join("www")).unwrap();
        std::fs::write(r.join("www/index.php"), "<?php").unwrap();
        std::os::unix::fs::symlink(r.join("www"), r.join("linked")).unwrap();
        site_toml(r, "output_dir = \"linked\"");
    },
    ["index.php", "リンク先"]
);
#[cfg(unix)]
fails!(
    output_symlink_to_content,
    |r| {
        std::os::unix::fs::symlink(r.join("content"), r.join("linked")).unwrap();
        site_toml(r, "output_dir = \"linked\"");
    },
    ["出力先"]
);

// Spreadsheets in a plan's `_data/` (#14): every bad cell names file, sheet, row and column.
fails!(
    data_sheet_unknown_indicator,
    |r| write(r, "content/mine-2/_data/actuals-R7.csv", "指標名,実績値\n市民の満足度,12..3\n"),
    ["content/mine-2/_data/actuals-R7.csv:2:", "2 行目 A 列(指標名)", "この計画にありません"]
);
fails!(
    data_sheet_unknown_node_in_shift_jis,
    |r| write(
        r,
        "content/mine-2/_data/評価_R7.csv",
        encoding_rs::SHIFT_JIS.encode("施策番号,コメント\n9-(9),よい\n").0
    ),
    ["評価_R7.csv:2:", "2 行目 A 列(施策番号)の「9-(9)」という施策番号はこの計画にありません"]
);
fails!(
    data_old_excel_file,
    |r| write(r, "content/mine-2/_data/actuals-R7.xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
    ["content/mine-2/_data/actuals-R7.xls", ".xls", "*.xlsx"]
);
fails!(
    data_broken_xlsx,
    |r| write(r, "content/mine-2/_data/actuals-R7.xlsx", b"PK\x03\x04 not really a workbook"),
    ["content/mine-2/_data/actuals-R7.xlsx", "Excel ファイル(.xlsx)として開けません"]
);
fails!(
    data_csv_in_no_known_encoding,
    |r| write(r, "content/mine-2/_data/actuals-R7.csv", [0x81u8, 0x20, 0xFF, 0x80, 0x0A]),
    ["content/mine-2/_data/actuals-R7.csv", "Shift_JIS"]
);
survives!(data_sheet_of_a_million_blank_rows, |r| {
    let mut text = String::from("指標名,年度,実績値\n");
    text.push_str(&",,\n".repeat(1_000_000));
    write(r, "content/mine-2/_data/actuals-R7.csv", text)
});
fails!(
    data_sheet_of_a_million_rows,
    |r| {
        let mut text = String::from("指標名,年度,実績値\n");
        text.push_str(&"x,R7,\n".repeat(1_000_000));
        write(r, "content/mine-2/_data/actuals-R7.csv", text)
    },
    ["content/mine-2/_data/actuals-R7.csv", "表が長すぎます"]
);

// Japanese file names and moved pages (#15).
fails!(
    file_name_with_a_full_width_space,
    |r| write(r, "content/mine-2/基本　構想.md", "+++\ntitle = \"基本構想\"\n+++\n"),
    ["content/mine-2/基本　構想.md:1:", "URL に使えません", "空白と記号"]
);
fails!(
    alias_where_a_page_is,
    |r| front(r, "aliases = [\"/mine-2/6/\"]"),
    ["content/mine-2/5.md:2:", "aliases の /mine-2/6/ には、ページがあります", "[alias]"]
);
fails!(
    alias_outside_the_site,
    |r| front(r, "aliases = [\"https://example.com/old/\"]"),
    ["content/mine-2/5.md:2:", "サイトの外の URL です", "[alias]"]
);
fails!(
    alias_written_twice,
    |r| front(r, "aliases = [\"/old/\", \"/old\"]"),
    ["content/mine-2/5.md:2:", "が2回あります", "[alias]"]
);
fails!(
    alias_of_two_pages,
    |r| {
        front(r, "aliases = [\"/old/\"]");
        edit(r, "content/mine-2/6.md", |t| t.replacen("+++\n", "+++\naliases = [\"old/\"]\n", 1));
    },
    ["content/mine-2/6.md:2:", "content/mine-2/5.md:2 の aliases にもあります"]
);
fails!(
    alias_with_a_query,
    |r| front(r, "aliases = [\"/keikaku/page.php?id=12\"]"),
    ["content/mine-2/5.md:2:", "? や # の付いた URL"]
);
