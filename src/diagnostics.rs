//! Errors for webmasters: which file, which line, what is wrong and how to fix it.
//!
//! Loading and rendering collect every problem they find into [`Diagnostics`] instead of
//! stopping at the first one, so a webmaster can fix a whole batch before building again.
//! `planpress check` reports the faults it finds in the built output with the same type.
//! Every command prints them, and everything else it says, through [`print`].

pub mod command_line;
pub mod print;
pub mod toml;

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The build (or check) fails: 「エラー」.
    #[default]
    Error,
    /// Worth knowing, but nothing failed: 「注意」.
    Warning,
}

impl Severity {
    /// The word that starts the message: 「エラー」 or 「注意」.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "エラー",
            Severity::Warning => "注意",
        }
    }
}

/// One problem in the input (or, for `check`, in the built output), located as precisely
/// as we know. Serialized as it is for `planpress check --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, relative to the site root where possible.
    pub file: PathBuf,
    /// 1-based line number, when known.
    pub line: Option<usize>,
    /// Column, the line as written and the parser's own words, when known (boxed: most
    /// diagnostics have none, and `Result<_, Diagnostic>` stays small).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub spot: Option<Box<Spot>>,
    /// A short rule name for machines (`toml`, `encoding`, `duplicate-id`, ...).
    pub rule: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// An error unless made a warning with [`Diagnostic::warning`].
    pub severity: Severity,
}

impl Diagnostic {
    /// A diagnostic for `file` with `rule` and `message`.
    pub fn new(file: impl Into<PathBuf>, rule: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: None,
            spot: None,
            rule,
            message: message.into(),
            help: None,
            severity: Severity::Error,
        }
    }

    /// Makes it a warning: shown with 「注意」, and nothing fails because of it.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Sets the 1-based line.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the line if one is known.
    pub fn at_opt_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// Points at `column` (1-based, in characters) of the line `excerpt`.
    pub fn at_column(mut self, column: usize, excerpt: impl Into<String>) -> Self {
        let spot = self.spot.get_or_insert_with(Box::default);
        spot.column = Some(column);
        spot.excerpt = Some(excerpt.into());
        self
    }

    /// Keeps the parser's own message (see [`Spot::detail`]).
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.spot.get_or_insert_with(Box::default).detail = Some(detail.into());
        self
    }

    /// The 1-based column on the line, when known.
    pub fn column(&self) -> Option<usize> {
        self.spot.as_ref().and_then(|s| s.column)
    }

    /// The offending line as written, when known.
    pub fn excerpt(&self) -> Option<&str> {
        self.spot.as_ref().and_then(|s| s.excerpt.as_deref())
    }

    /// Adds how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Where exactly on its line a problem is, and what the parser said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Spot {
    /// 1-based column (in characters) on the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The offending line as written, shown under the message with a caret at `column`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// The parser's own words (English), kept for `check --format json` and bug reports;
    /// never the message a webmaster reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The plain text of [`print::diagnostic`] (no colour): for messages that do not go to
/// a terminal, such as the error shown over the page by `serve`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&print::diagnostic(self, print::Style::PLAIN))
    }
}

/// A batch of problems. A build fails when it is not empty.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Iterates over the problems.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorts by file and line so output is stable across parallel runs.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
        self.0.dedup();
    }

    /// `Ok(())` when empty, else `Err(self)`.
    /// True when any problem is an error (not only warnings).
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// `Ok` with the warnings when nothing is an error; else every problem, sorted (the
    /// warnings too: they are worth fixing in the same pass).
    pub fn into_warnings(mut self) -> Result<Vec<Diagnostic>, Diagnostics> {
        if self.0.iter().all(|d| d.severity == Severity::Warning) {
            self.sort();
            Ok(self.0)
        } else {
            self.sort();
            Err(self)
        }
    }

    /// `Ok` when there is no problem at all (warnings included); else every problem, sorted.
    pub fn into_result(mut self) -> Result<(), Diagnostics> {
        if self.is_empty() {
            Ok(())
        } else {
            self.sort();
            Err(self)
        }
    }
}

/// The plain text of [`print::diagnostics`]: every problem, then the count.
impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&print::diagnostics(self, print::Style::PLAIN))
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Lines of one text, for many [`line_of`] questions about it (each in O(log n)).
pub struct LineIndex {
    /// Byte offset of every `\n`.
    newlines: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        LineIndex { newlines: text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i).collect() }
    }

    /// 1-based line of byte `offset` (as [`line_of`]).
    pub fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }
}

/// Why a file operation failed, in plain Japanese (`std::io::Error`'s own text is English:
/// keep it with [`Diagnostic::detail`]).
pub fn io_reason(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "ファイルまたはフォルダがありません",
        PermissionDenied => "読み書きの権限(アクセス許可)がありません",
        AlreadyExists => "同じ名前のものがすでにあります",
        IsADirectory => "ファイルではなくフォルダです",
        NotADirectory => "フォルダではなくファイルです",
        DirectoryNotEmpty => "フォルダが空ではありません",
        StorageFull | QuotaExceeded | FileTooLarge => "ディスクの空きが足りません",
        ReadOnlyFilesystem => "読み取り専用の場所です",
        InvalidFilename => "ファイル名が長すぎるか、使えない文字を含みます",
        InvalidData => "中身を読み取れません(壊れているか、別の形式です)",
        ResourceBusy | ExecutableFileBusy => "ほかのソフトが使用中です",
        TimedOut | WouldBlock | Interrupted => "時間内に終わりませんでした",
        UnexpectedEof => "ファイルが途中で終わっています(壊れているか、書き込み中です)",
        _ => "ファイルを扱えませんでした",
    }
}

/// `path` relative to `root` when it is inside it, for shorter messages.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_rule_and_help() {
        let d = Diagnostic::new("content/a.md", "toml", "読めません").at_line(3).help("直す");
        assert_eq!(d.to_string(), "エラー: content/a.md:3: 読めません [toml]\n  直し方: 直す");
        assert_eq!(d.warning().to_string(), "注意: content/a.md:3: 読めません [toml]\n  直し方: 直す");
    }

    #[test]
    fn line_of_counts_newlines_before_offset() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 99), 3);
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(index.line(offset), line_of(text, offset), "offset {offset}");
        }
    }

    #[test]
    fn io_errors_are_told_in_japanese() {
        use std::io::{Error, ErrorKind};
        for kind in [ErrorKind::NotFound, ErrorKind::PermissionDenied, ErrorKind::StorageFull, ErrorKind::Other] {
            let reason = io_reason(&Error::from(kind));
            assert!(!reason.is_ascii() && !reason.contains("denied"), "{kind:?}: {reason}");
        }
        assert!(io_reason(&Error::from(ErrorKind::PermissionDenied)).contains("権限"));
    }

    #[test]
    fn into_result_sorts_and_dedups() {
        let mut ds = Diagnostics::default();
        ds.push(Diagnostic::new("b.md", "x", "m"));
        ds.push(Diagnostic::new("a.md", "x", "m"));
        ds.push(Diagnostic::new("a.md", "x", "m"));
        let err = ds.into_result().unwrap_err();
        assert_eq!(err.len(), 2);
        assert_eq!(err.0[0].file, PathBuf::from("a.md"));
    }
}
