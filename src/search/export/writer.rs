//! Writing the files of one export — plainly into a fresh folder, or in place for
//! `serve` (only files whose bytes change are written, each whole; files no longer
//! produced are removed) — and counting them for the [`ExportReport`].

use super::{ExportReport, Layout};
use rustc_hash::FxHashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Writes the files of one export, plainly into a fresh folder or in place, and counts them.
pub(super) struct Files {
    dir: PathBuf,
    in_place: bool,
    /// [`Layout::stop`].
    stop: Option<Arc<AtomicBool>>,
    /// Written this time (in place: to remove the others afterwards).
    written: FxHashSet<PathBuf>,
    /// Counts for the [`ExportReport`]: files, bytes, changed, removed.
    files: usize,
    bytes: u64,
    changed: usize,
    removed: usize,
}

impl Files {
    pub(super) fn new(dir: &Path, layout: &Layout) -> Self {
        Files {
            dir: dir.to_path_buf(),
            in_place: layout.in_place,
            stop: layout.stop.clone(),
            written: Default::default(),
            files: 0,
            bytes: 0,
            changed: 0,
            removed: 0,
        }
    }

    /// An `Interrupted` error once [`Layout::stop`] is set.
    pub(super) fn check_stop(&self) -> std::io::Result<()> {
        if self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "stopped"));
        }
        Ok(())
    }

    /// Writes `bytes` as the file `rel` (relative to the export's folder).
    pub(super) fn write(&mut self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.check_stop()?;
        let path = self.dir.join(rel);
        self.files += 1;
        self.bytes += bytes.len() as u64;
        if !self.in_place {
            self.changed += 1;
            return std::fs::write(&path, bytes);
        }
        match std::fs::read(&path) {
            Ok(old) if old == bytes => {
                self.written.insert(path);
                return Ok(());
            }
            // Whole or not at all: a browser may be reading it.
            Ok(_) => {
                let tmp = path.with_extension("tmp");
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(&tmp, &path)?;
            }
            // New: only files written after it refer to it (see `write_index_with`).
            Err(_) => std::fs::write(&path, bytes)?,
        }
        self.changed += 1;
        self.written.insert(path);
        Ok(())
    }

    /// In place: removes the files of `sub` that this export did not write.
    pub(super) fn remove_others(&mut self, sub: &str) -> std::io::Result<()> {
        if !self.in_place {
            return Ok(());
        }
        for entry in std::fs::read_dir(self.dir.join(sub))? {
            let path = entry?.path();
            if !self.written.contains(&path) && std::fs::remove_file(&path).is_ok() {
                self.removed += 1;
            }
        }
        Ok(())
    }

    /// Adds the counts to `report`.
    pub(super) fn count_into(&self, report: &mut ExportReport) {
        report.files = self.files;
        report.bytes = self.bytes;
        report.changed = self.changed;
        report.removed = self.removed;
    }
}
