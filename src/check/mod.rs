//! Checks over a built site: links and anchors resolve. (`planpress check` builds on this.)

pub mod links;

use std::path::PathBuf;

/// One fault found in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Output file, relative to the output folder.
    pub file: PathBuf,
    /// Rule name (`broken-link`, `broken-anchor` …).
    pub rule: &'static str,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} [{}]", self.file.display(), self.message, self.rule)
    }
}
