//! The one place that writes to the terminal. Every command prints through a [`Printer`]:
//! problems ([`Diagnostic`]s, or a plain message with 「エラー」/「注意」), status lines,
//! results as they are, JSON, and the progress line of long builds.
//!
//! On a terminal, problems are coloured: 「エラー」 in red, 「注意」 in yellow, and the
//! file and line in bold. Nothing is coloured when the stream is not a terminal (a file,
//! a pipe, a test) or when `NO_COLOR` is set to anything but the empty string
//! (<https://no-color.org>), so what is saved or parsed never holds escape codes.
//!
//! How much is said is set once per process with [`set_verbosity`] (`--quiet`,
//! `--verbose`): quiet leaves only errors and results, verbose adds the figures behind a
//! summary ([`Printer::verbose`]) and the parser's own words under each problem
//! ([`crate::diagnostics::Spot::detail`]).
//!
//! Write errors (a closed pipe, `planpress search … | head`) are ignored: the message had
//! nowhere to go, and a command does not fail, or panic, because of it.

use super::{Diagnostic, Diagnostics, Severity};
use serde::Serialize;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

/// How much a command says besides its results and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// `--quiet`: errors and results only (no status lines, warnings or progress).
    Quiet,
    /// The default: status lines in plain words, warnings, errors.
    Normal,
    /// `--verbose`: also counts, timings per stage and the parser's own words.
    Verbose,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

/// Sets how much every [`Printer`] of this process says (from `--quiet`/`--verbose`).
pub fn set_verbosity(v: Verbosity) {
    VERBOSITY.store(v as u8, Ordering::Relaxed);
}

/// How much this process says (see [`set_verbosity`]).
pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        2 => Verbosity::Verbose,
        _ => Verbosity::Normal,
    }
}

/// Standard output or standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// What a command produces: results, reports, status lines.
    Stdout,
    /// Problems, and what is said besides the result.
    Stderr,
}

impl Stream {
    fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        }
    }

    /// Writes `text` at once (lines from several threads do not interleave) and flushes.
    fn write(self, text: &str) {
        fn to(mut w: impl Write, text: &str) {
            let _ = w.write_all(text.as_bytes()).and_then(|()| w.flush());
        }
        match self {
            Stream::Stdout => to(std::io::stdout().lock(), text),
            Stream::Stderr => to(std::io::stderr().lock(), text),
        }
    }
}

/// Whether to colour a stream: only a terminal, and only while `NO_COLOR` (its value is
/// `no_color`) is unset or empty.
pub fn colour_wanted(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// Plain text, or text with ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    colour: bool,
    detail: bool,
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const BOLD_RED: &str = "\x1b[1;31m";
const BOLD_YELLOW: &str = "\x1b[1;33m";

impl Style {
    /// No escape codes.
    pub const PLAIN: Style = Style { colour: false, detail: false };
    /// Colours, for a terminal.
    pub const COLOUR: Style = Style { colour: true, detail: false };

    /// The style for `stream` in this process: colour on a terminal unless `NO_COLOR`,
    /// and the parser's words with `--verbose`.
    pub fn for_stream(stream: Stream) -> Style {
        Style {
            colour: colour_wanted(stream.is_terminal(), std::env::var_os("NO_COLOR").as_deref()),
            detail: verbosity() == Verbosity::Verbose,
        }
    }

    /// The same style, also showing each problem's [`crate::diagnostics::Spot::detail`]
    /// (the parser's own words, in English) on a line of its own.
    pub fn with_detail(self) -> Style {
        Style { detail: true, ..self }
    }

    /// Whether it colours.
    pub fn colours(self) -> bool {
        self.colour
    }

    /// Appends `text` to `out` in `code` (an SGR sequence), or as it is.
    fn paint(self, out: &mut String, code: &str, text: &str) {
        if self.colour {
            out.push_str(code);
            out.push_str(text);
            out.push_str(RESET);
        } else {
            out.push_str(text);
        }
    }

    /// Appends 「エラー」 (red) or 「注意」 (yellow).
    fn label(self, out: &mut String, severity: Severity) {
        self.paint(out, caret_code(severity), severity.label());
    }
}

/// One problem as text: `エラー: file:line: message [rule]`, then `  直し方: help` on a
/// line of its own when there is help. No newline at the end.
pub fn diagnostic(d: &Diagnostic, style: Style) -> String {
    let mut out = String::new();
    style.label(&mut out, d.severity);
    out.push_str(": ");
    let mut place = d.file.display().to_string();
    if let Some(line) = d.line {
        let _ = write!(place, ":{line}");
        if let Some(col) = d.column() {
            let _ = write!(place, ":{col}");
        }
    }
    style.paint(&mut out, BOLD, &place);
    let _ = write!(out, ": {} [{}]", d.message, d.rule);
    if let (Some(excerpt), Some(col)) = (d.excerpt(), d.column()) {
        excerpt_with_caret(&mut out, d.line, excerpt, col, caret_code(d.severity), style);
    }
    if let Some(help) = &d.help {
        let _ = write!(out, "\n  直し方: {help}");
    }
    if let Some(detail) = d.spot.as_ref().and_then(|s| s.detail.as_deref()).filter(|_| style.detail) {
        for (i, line) in detail.trim_end().lines().enumerate() {
            let _ = write!(out, "\n  {}{line}", if i == 0 { "詳細: " } else { "      " });
        }
    }
    out
}

/// The offending line under the message and a caret under its `col`-th character:
///
/// ```text
///    3 | title = “子育て”
///      |         ^
/// ```
/// Wide characters (kanji, kana, full-width forms) take two terminal columns.
/// The caret is coloured as the problem's label.
fn excerpt_with_caret(out: &mut String, line: Option<usize>, excerpt: &str, col: usize, code: &str, style: Style) {
    let number = line.map(|l| l.to_string()).unwrap_or_default();
    let gutter = " ".repeat(number.len());
    let shown: String = excerpt.trim_end_matches(['\r', '\n']).replace('\t', " ");
    let before: usize = shown.chars().take(col.saturating_sub(1)).map(display_width).sum();
    let _ = write!(out, "\n  {number} | {shown}\n  {gutter} | {}", " ".repeat(before));
    style.paint(out, code, "^");
}

/// The colour of a problem's label and caret.
fn caret_code(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => BOLD_RED,
        Severity::Warning => BOLD_YELLOW,
    }
}

/// Terminal columns of `c`: 2 for East Asian wide and full-width characters, else 1.
fn display_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// Every problem of a batch, one after another, then how many there are
/// (`3 件のエラーがあります。`). No newline at the end.
pub fn diagnostics(ds: &Diagnostics, style: Style) -> String {
    let mut out = String::new();
    for d in ds.iter() {
        out.push_str(&diagnostic(d, style));
        out.push('\n');
    }
    out.push_str(&count(ds.iter()));
    out
}

/// `3 件のエラーがあります。`, or `3 件のエラーと 1 件の注意があります。`.
fn count<'a>(ds: impl Iterator<Item = &'a Diagnostic>) -> String {
    let (mut errors, mut warnings) = (0, 0);
    for d in ds {
        match d.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
        }
    }
    match (errors, warnings) {
        (e, 0) => format!("{e} 件のエラーがあります。"),
        (0, w) => format!("{w} 件の注意があります。"),
        (e, w) => format!("{e} 件のエラーと {w} 件の注意があります。"),
    }
}

/// A problem that has no file: `エラー: message`. No newline at the end.
pub fn problem(severity: Severity, message: &str, style: Style) -> String {
    let mut out = String::new();
    style.label(&mut out, severity);
    out.push_str(": ");
    out.push_str(message);
    out
}

/// `value` as pretty JSON (what `check --format json` prints).
pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("the reports serialize (string keys, no maps of other keys)")
}

/// Whether a problem of `severity` is shown: errors always, warnings unless `--quiet`.
fn shown(severity: Severity) -> bool {
    severity == Severity::Error || verbosity() > Verbosity::Quiet
}

/// Prints to one stream, coloured as [`Style::for_stream`] says.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    stream: Stream,
    style: Style,
}

/// A printer to standard output.
pub fn out() -> Printer {
    Printer::new(Stream::Stdout)
}

/// A printer to standard error.
pub fn err() -> Printer {
    Printer::new(Stream::Stderr)
}

impl Printer {
    /// A printer to `stream`, coloured only on a terminal and without `NO_COLOR`.
    pub fn new(stream: Stream) -> Printer {
        Printer { stream, style: Style::for_stream(stream) }
    }

    /// Its style.
    pub fn style(&self) -> Style {
        self.style
    }

    /// One problem, as its severity says (a warning is not shown with `--quiet`).
    pub fn diagnostic(&self, d: &Diagnostic) {
        if shown(d.severity) {
            self.line(diagnostic(d, self.style));
        }
    }

    /// Every problem of a batch, and the count (with `--quiet`, the errors only).
    pub fn diagnostics(&self, ds: &Diagnostics) {
        if verbosity() == Verbosity::Quiet {
            let errors = Diagnostics(ds.iter().filter(|d| d.severity == Severity::Error).cloned().collect());
            if !errors.is_empty() {
                self.line(diagnostics(&errors, self.style));
            }
        } else {
            self.line(diagnostics(ds, self.style));
        }
    }

    /// A problem without a file: `エラー: message` or `注意: message`.
    pub fn problem(&self, severity: Severity, message: impl std::fmt::Display) {
        if shown(severity) {
            self.line(problem(severity, &message.to_string(), self.style));
        }
    }

    /// A status line (「組み立てました」, a summary, a hint): not shown with `--quiet`.
    pub fn status(&self, text: impl std::fmt::Display) {
        if verbosity() > Verbosity::Quiet {
            self.line(text);
        }
    }

    /// The figures behind a status line (counts, ms per page, timings): only with
    /// `--verbose`.
    pub fn verbose(&self, text: impl std::fmt::Display) {
        if verbosity() == Verbosity::Verbose {
            self.line(text);
        }
    }

    /// `エラー: message`.
    pub fn error(&self, message: impl std::fmt::Display) {
        self.problem(Severity::Error, message);
    }

    /// `注意: message`.
    pub fn warning(&self, message: impl std::fmt::Display) {
        self.problem(Severity::Warning, message);
    }

    /// A line of text as it is (a status line, a summary, a hint).
    pub fn line(&self, text: impl std::fmt::Display) {
        let mut text = text.to_string();
        text.push('\n');
        self.stream.write(&text);
    }

    /// Text as it is, ending with a newline whether or not it had one (search results,
    /// a JSON document).
    pub fn text(&self, text: &str) {
        if text.ends_with('\n') {
            self.stream.write(text);
        } else {
            self.line(text);
        }
    }

    /// Text exactly as it is, without adding a newline (a document written to standard
    /// output).
    pub fn raw(&self, text: &str) {
        self.stream.write(text);
    }

    /// `value` as pretty JSON, and a newline.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) {
        self.line(json(value));
    }

    /// The progress line of a long build (`ページを書き出しています… 120/4000`), rewritten
    /// in place; only on a terminal. End it with [`Printer::end_progress`].
    pub fn progress(&self, what: &str, done: usize, total: usize) {
        if self.stream.is_terminal() && verbosity() > Verbosity::Quiet {
            self.stream.write(&format!("\r{what}… {done}/{total}"));
        }
    }

    /// Erases the progress line.
    pub fn end_progress(&self) {
        if self.stream.is_terminal() {
            self.stream.write("\r\x1b[2K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnostic {
        Diagnostic::new("content/a.md", "toml", "読めません").at_line(3).help("直す")
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour_wanted(true, None));
        assert!(colour_wanted(true, Some(OsStr::new(""))), "an empty NO_COLOR is as if unset");
        assert!(!colour_wanted(true, Some(OsStr::new("1"))));
        assert!(!colour_wanted(false, None), "not a terminal");
        assert!(!colour_wanted(false, Some(OsStr::new("1"))));
    }

    #[test]
    fn plain_text_has_no_escape_codes() {
        let text = diagnostic(&sample(), Style::PLAIN);
        assert_eq!(text, "エラー: content/a.md:3: 読めません [toml]\n  直し方: 直す");
        assert!(!text.contains('\x1b'));
        let mut ds = Diagnostics::default();
        ds.push(sample());
        ds.push(sample().warning());
        let text = diagnostics(&ds, Style::PLAIN);
        assert!(!text.contains('\x1b'), "{text}");
        assert!(text.contains("\n注意: content/a.md:3:"), "{text}");
        assert!(text.ends_with("1 件のエラーと 1 件の注意があります。"), "{text}");
        assert_eq!(problem(Severity::Error, "開けません", Style::PLAIN), "エラー: 開けません");
        // Display is the plain text.
        assert_eq!(sample().to_string(), diagnostic(&sample(), Style::PLAIN));
        assert_eq!(ds.to_string(), text);
    }

    #[test]
    fn colour_marks_severity_and_place() {
        let text = diagnostic(&sample(), Style::COLOUR);
        assert!(
            text.starts_with("\x1b[1;31mエラー\x1b[0m: \x1b[1mcontent/a.md:3\x1b[0m: 読めません [toml]"),
            "{text:?}"
        );
        let text = diagnostic(&sample().warning(), Style::COLOUR);
        assert!(text.starts_with("\x1b[1;33m注意\x1b[0m: "), "{text:?}");
        assert!(problem(Severity::Warning, "x", Style::COLOUR).starts_with("\x1b[1;33m注意\x1b[0m"));
    }

    #[test]
    fn caret_is_coloured_as_the_label() {
        let d = Diagnostic::new("site.toml", "toml", "m").at_line(3).at_column(2, "a = 1");
        let text = diagnostic(&d, Style::COLOUR);
        assert!(text.ends_with("\n    |  \x1b[1;31m^\x1b[0m"), "{text:?}");
        let text = diagnostic(&d.clone().warning(), Style::COLOUR);
        assert!(text.ends_with("\x1b[1;33m^\x1b[0m"), "{text:?}");
        assert!(diagnostic(&d, Style::PLAIN).ends_with("\n    |  ^"));
    }

    #[test]
    fn detail_only_when_asked() {
        let d = sample().detail("expected `=`\nat line 3");
        assert!(!diagnostic(&d, Style::PLAIN).contains("expected"), "the default hides the parser's English");
        assert!(!d.to_string().contains("expected"));
        let text = diagnostic(&d, Style::PLAIN.with_detail());
        assert!(text.ends_with("\n  詳細: expected `=`\n        at line 3"), "{text:?}");
    }

    #[test]
    fn json_shape() {
        let v: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "file": "content/a.md",
                "line": 3,
                "rule": "toml",
                "message": "読めません",
                "help": "直す",
                "severity": "error",
            })
        );
        let v: serde_json::Value = serde_json::from_str(&json(&Diagnostic::new("a", "r", "m").warning())).unwrap();
        assert_eq!(v["line"], serde_json::Value::Null);
        assert_eq!(v["help"], serde_json::Value::Null);
        assert_eq!(v["severity"], "warning");
    }
}
