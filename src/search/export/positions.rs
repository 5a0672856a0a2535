//! The positions files `p/<n>.bin`: filled one after the other until they pass
//! [`POSITIONS_TARGET_BYTES`], or, in place ([`Layout::in_place`]), one per term shard,
//! so that an edit rewrites only the shards whose terms it changes and their positions.

use super::codec::Entry;
use super::layout::{env_bytes, shard_of, Layout, POSITIONS_TARGET_BYTES};
use super::writer::Files;

/// Fills the positions files `p/<n>.bin` one after the other, or keeps the positions of
/// each shard in a buffer of its own, written as `p/<shard>.bin` at the end
/// ([`Layout::in_place`]). Holds the export's [`Files`] meanwhile.
pub(super) struct PositionsWriter {
    files: Files,
    target: usize,
    file: Vec<u8>,
    number: usize,
    /// By shard: the buffers, and the shard of the term being encoded.
    shards: Option<(Vec<Vec<u8>>, usize)>,
}

impl PositionsWriter {
    fn new(files: Files, target: usize) -> Self {
        PositionsWriter { files, target, file: Vec::new(), number: 0, shards: None }
    }

    pub(super) fn by_shard(files: Files, shards: usize) -> Self {
        PositionsWriter { shards: Some((vec![Vec::new(); shards], 0)), ..Self::new(files, 0) }
    }

    /// The term whose positions come next (by shard: they go to its shard's file).
    pub(super) fn term(&mut self, key: &[u8]) {
        if let Some((buffers, current)) = &mut self.shards {
            *current = shard_of(key, buffers.len());
        }
    }

    /// Appends `bytes`; returns (file number, offset, length).
    pub(super) fn add(&mut self, bytes: &[u8]) -> std::io::Result<(usize, usize, usize)> {
        if let Some((buffers, current)) = &mut self.shards {
            let buffer = &mut buffers[*current];
            let at = (*current, buffer.len(), bytes.len());
            buffer.extend_from_slice(bytes);
            return Ok(at);
        }
        let at = (self.number, self.file.len(), bytes.len());
        self.file.extend_from_slice(bytes);
        if self.file.len() >= self.target {
            self.flush()?;
        }
        Ok(at)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.files.write(&format!("p/{}.bin", self.number), &self.file)?;
        self.file.clear();
        self.number += 1;
        Ok(())
    }

    /// Writes what is left and hands the files back.
    pub(super) fn finish(mut self) -> std::io::Result<Files> {
        if let Some((buffers, _)) = self.shards.take() {
            for (i, bytes) in buffers.iter().enumerate().filter(|(_, b)| !b.is_empty()) {
                self.files.write(&format!("p/{i}.bin"), bytes)?;
            }
        } else if !self.file.is_empty() {
            self.flush()?;
        }
        Ok(self.files)
    }
}

/// The positions writer of an export, or, while the number of shards it needs is not
/// known, the files it will write with.
pub(super) enum Positions {
    Writing(PositionsWriter),
    Waiting(Files),
}

impl Positions {
    /// Positions are written as the entries are encoded, unless they go by shard and the
    /// number of shards depends on the entries' size: then the entries wait.
    pub(super) fn new(files: Files, layout: &Layout) -> Self {
        match (layout.in_place, layout.shards) {
            (false, _) => Positions::Writing(PositionsWriter::new(
                files,
                env_bytes("PLANPRESS_SEARCH_POSITIONS_BYTES", POSITIONS_TARGET_BYTES),
            )),
            (true, Some(shards)) => Positions::Writing(PositionsWriter::by_shard(files, shards)),
            (true, None) => Positions::Waiting(files),
        }
    }

    pub(super) fn files(&self) -> &Files {
        match self {
            Positions::Writing(w) => &w.files,
            Positions::Waiting(f) => f,
        }
    }

    /// Finishes `entry` now if its positions can be written, else keeps it waiting.
    pub(super) fn settle(&mut self, key: &[u8], entry: Entry) -> std::io::Result<Entry> {
        match self {
            Positions::Writing(w) => Ok(Entry { bytes: entry.finish(key, w)?, holes: Vec::new() }),
            Positions::Waiting(_) => Ok(entry),
        }
    }

    /// The writer, once the number of shards is known.
    pub(super) fn into_writer(self, shards: usize) -> PositionsWriter {
        match self {
            Positions::Writing(w) => w,
            Positions::Waiting(files) => PositionsWriter::by_shard(files, shards),
        }
    }
}
