//! The HTML of the bodies, the largest part of the model (a third of it at 10,000 pages):
//! in memory, or, in a build that loads the site once, in an unnamed scratch file.
//!
//! A one-shot build spills every body as it is rendered ([`Spill`]) and reads it back
//! with `pread` each time a page, a summary or the open data shows it (three or four
//! times): the page cache holds the bodies, not the process, whose memory no longer grows
//! with the text of the site. `serve` keeps its bodies in memory: it compares them after
//! every edit.
//!
//! A body that cannot be read back (a failing disk) reads as empty and marks its file
//! ([`SpillFile::intact`]); the build checks that before it replaces the output, so a page
//! with a missing body is never published.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A body's HTML: held, or where it is in a [`SpillFile`].
#[derive(Clone, Default)]
pub struct Html(Repr);

#[derive(Clone)]
enum Repr {
    Held(String),
    Spilled { file: Arc<SpillFile>, at: u64, len: usize },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Held(String::new())
    }
}

impl Html {
    /// The HTML (read back from the scratch file if it is there).
    pub fn text(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Held(s) => Cow::Borrowed(s),
            Repr::Spilled { file, at, len } => Cow::Owned(file.read(*at, *len)),
        }
    }

    /// Whether there is no HTML.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Held(s) => s.is_empty(),
            Repr::Spilled { len, .. } => *len == 0,
        }
    }
}

impl From<String> for Html {
    fn from(s: String) -> Self {
        Html(Repr::Held(s))
    }
}

impl PartialEq for Html {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Held(a), Repr::Held(b)) => a == b,
            (Repr::Spilled { file: f, at: a, .. }, Repr::Spilled { file: g, at: b, .. })
                if Arc::ptr_eq(f, g) && a == b =>
            {
                true
            }
            _ => self.text() == other.text(),
        }
    }
}

/// The text, wherever it is: a model prints the same held or spilled.
impl fmt::Debug for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text(), f)
    }
}

/// The scratch file of a load's spilled bodies (unnamed: gone with the process).
pub struct SpillFile {
    file: File,
    intact: AtomicBool,
}

impl fmt::Debug for SpillFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpillFile").field("intact", &self.intact()).finish_non_exhaustive()
    }
}

impl SpillFile {
    /// Whether every body written was written, and every body read was read back.
    pub fn intact(&self) -> bool {
        self.intact.load(Ordering::Relaxed)
    }

    fn read(&self, at: u64, len: usize) -> String {
        let mut buf = vec![0u8; len];
        match read_exact_at(&self.file, &mut buf, at) {
            // The bytes are a Rust string's, written by `Spill::put`.
            Ok(()) => String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Err(_) => {
                self.intact.store(false, Ordering::Relaxed);
                String::new()
            }
        }
    }
}

/// Fills `buf` from `file` at byte `at`, without moving the file's position: threads
/// read one file at once. (Also the search index's scratch files, `search/scratch.rs`.)
#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

/// [`read_exact_at`] on Windows.
#[cfg(windows)]
pub(crate) fn read_exact_at(file: &File, mut buf: &mut [u8], mut at: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, at)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// Writes bodies into a new [`SpillFile`], in batches. The bodies it hands out can be
/// read once it is [finished](Spill::finish).
pub struct Spill {
    file: Arc<SpillFile>,
    buf: Vec<u8>,
    at: u64,
}

/// Bodies are written in batches of about this many bytes.
const BATCH: usize = 1 << 20;

impl Spill {
    /// A new scratch file in the OS's temporary folder.
    pub fn new() -> io::Result<Spill> {
        let file = tempfile::tempfile()?;
        Ok(Spill { file: Arc::new(SpillFile { file, intact: AtomicBool::new(true) }), buf: Vec::new(), at: 0 })
    }

    /// `html`, written to the file (an empty body stays held: nothing to write).
    pub fn put(&mut self, html: String) -> Html {
        if html.is_empty() {
            return Html::from(html);
        }
        let at = self.at + self.buf.len() as u64;
        self.buf.extend_from_slice(html.as_bytes());
        if self.buf.len() >= BATCH {
            self.flush();
        }
        Html(Repr::Spilled { file: self.file.clone(), at, len: html.len() })
    }

    fn flush(&mut self) {
        if (&self.file.file).write_all(&self.buf).is_err() {
            self.file.intact.store(false, Ordering::Relaxed);
        }
        self.at += self.buf.len() as u64;
        self.buf.clear();
    }

    /// Writes what is left; the file, to check [`SpillFile::intact`] with.
    pub fn finish(mut self) -> Arc<SpillFile> {
        self.flush();
        self.file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_bodies_read_back_as_written_and_compare_by_their_text() {
        let mut spill = Spill::new().unwrap();
        let big = "<p>総合計画</p>".repeat(BATCH / 10);
        let a = spill.put("<p>子育て支援</p>".into());
        let b = spill.put(big.clone());
        let c = spill.put(String::new());
        let d = spill.put("<p>子育て支援</p>".into());
        let file = spill.finish();
        assert_eq!(a.text(), "<p>子育て支援</p>");
        assert_eq!(b.text(), big);
        assert!(c.is_empty() && c.text().is_empty());
        assert!(!a.is_empty());
        assert_eq!(a, d, "the same text at two places");
        assert_eq!(a, Html::from("<p>子育て支援</p>".to_string()), "held and spilled");
        assert_ne!(a, b);
        assert!(file.intact());
    }

    #[test]
    fn a_body_that_cannot_be_read_back_reads_empty_and_marks_the_file() {
        let mut spill = Spill::new().unwrap();
        let a = spill.put("<p>本文</p>".into());
        let file = spill.finish();
        let lost = Html(Repr::Spilled { file: file.clone(), at: 1 << 20, len: 8 });
        assert_eq!(a.text(), "<p>本文</p>");
        assert!(file.intact());
        assert_eq!(lost.text(), "");
        assert!(!file.intact(), "the build checks this before it replaces the output");
    }
}
