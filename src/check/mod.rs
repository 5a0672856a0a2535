//! `planpress check`: content errors (the same as `build`), then faults in the built
//! output — broken links and anchors, images without alt, skipped heading levels, empty
//! link text, tables without headers, duplicate ids, missing lang — reported like a
//! compiler: file, line, rule, message, and a count. Both kinds are
//! [`Diagnostic`]s, printed by [`crate::diagnostics::print`].

pub mod accessibility;
pub mod links;

use crate::build::{self, BuildOptions};
use crate::diagnostics::Diagnostic;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// 1-based line of the first occurrence of `needle` in `text`, if any.
pub fn line_of_text(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|i| crate::diagnostics::line_of(text, i))
}

/// 1-based line of the `n`-th (0-based) `<tag` in `text`.
pub fn line_of_nth_tag(text: &str, tag: &str, n: usize) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let pat = format!("<{tag}");
    let mut from = 0;
    let mut seen = 0;
    while let Some(i) = lower[from..].find(&pat) {
        let at = from + i;
        let next = lower.as_bytes().get(at + pat.len()).copied().unwrap_or(b' ');
        if next.is_ascii_whitespace() || next == b'>' || next == b'/' {
            if seen == n {
                return Some(crate::diagnostics::line_of(text, at));
            }
            seen += 1;
        }
        from = at + pat.len();
    }
    None
}

/// Every `.html` file under `dir` that reads as UTF-8: (path relative to `dir`, text).
pub fn html_files(dir: &Path) -> impl Iterator<Item = (PathBuf, String)> + '_ {
    walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok).filter_map(move |entry| {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            return None;
        }
        let text = std::fs::read_to_string(path).ok()?;
        Some((path.strip_prefix(dir).unwrap_or(path).to_path_buf(), text))
    })
}

/// Every fault in a built output folder (files relative to it), sorted by file and line.
pub fn check_output(dir: &Path, base_path: &str) -> Vec<Diagnostic> {
    let mut out = links::check_links(dir, base_path);
    out.extend(accessibility::check_dir(dir));
    out.sort_by(|a, b| (&a.file, a.line, a.rule).cmp(&(&b.file, b.line, b.rule)));
    out
}

/// The result of `planpress check`; `--format json` prints it as it is.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Content errors (as `build` reports them) or output faults (files under `(出力)/`).
    pub findings: Vec<Diagnostic>,
    /// Pages checked.
    pub pages: usize,
}

/// Validates the content and checks a fresh, unminified build of it (in a temporary
/// folder; `public/` is not touched).
pub fn run(root: &Path) -> Report {
    let out = TempDir(std::env::temp_dir().join(format!("planpress-check-{}", std::process::id())));
    let opts = BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.0.join("site")),
        base_url: None,
        progress: false,
        minify: Some(false),
        defer_search: false,
        private_output: false,
        drafts: false,
    };
    match build::build(&opts) {
        Err(diags) => Report { findings: diags.0, pages: 0 },
        Ok(report) => {
            // The build just read site.toml successfully; its base path is all that is needed.
            let base_path = crate::config::SiteConfig::load(root).map(|c| c.base_path()).unwrap_or_else(|_| "/".into());
            let findings = check_output(&out.0.join("site"), &base_path)
                .into_iter()
                .map(|f| Diagnostic { file: PathBuf::from("(出力)").join(&f.file), ..f })
                .collect();
            Report { findings, pages: report.pages }
        }
    }
}

/// A folder removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_report_shape() {
        let report = Report {
            findings: vec![
                Diagnostic::new("(出力)/a/index.html", "image-alt", "画像 x.png に alt 属性がありません").at_line(7),
                Diagnostic::new("content/a.md", "toml", "読めません").help("直す"),
            ],
            pages: 0,
        };
        let v: serde_json::Value = serde_json::from_str(&crate::diagnostics::print::json(&report)).unwrap();
        assert_eq!(v["pages"], 0);
        let findings = v["findings"].as_array().unwrap();
        let mut keys: Vec<&str> = findings[0].as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["file", "help", "line", "message", "rule", "severity"]);
        assert_eq!(findings[0]["file"], "(出力)/a/index.html");
        assert_eq!(findings[0]["line"], 7);
        assert_eq!(findings[0]["rule"], "image-alt");
        assert_eq!(findings[0]["help"], serde_json::Value::Null);
        assert_eq!(findings[0]["severity"], "error");
        assert_eq!(findings[1]["line"], serde_json::Value::Null);
        assert_eq!(findings[1]["help"], "直す");
    }
}
