//! The windows of the chains ([`chains::windows`]) of every document, sorted by the pass of
//! [`super::terms::chain_entries`] their first bigram belongs to, in an unnamed file beside
//! the export: each pass reads its own windows back, and only those.
//!
//! Reading every document's bigrams again at every pass made the export quadratic: the
//! number of passes grows with the site (one per 500,000 occurrences) and so does each
//! pass; at 100,000 pages that was 500 passes over 280 million positions. Here the
//! bigrams are read once, and the file holds each window once, about 6 bytes of it.
//!
//! A segment is the windows of one pass in one field of one [`BigramChunk`]: records of a
//! document (LEB128: its distance from the record before, the first one's absolute), a
//! position (the distance from the one before in the same document, else absolute), the
//! window's length and its bigrams' codes ([`BigramCodes`]).

use super::codec::{get_varint, put_varint};
use crate::search::chains::{self, BigramChunk, BigramCodes, ChainKey, Postings};
use crate::search::index::TEXT_FIELDS;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// The windows of an export, by pass and field, in their file.
pub(super) struct Windows {
    file: File,
    /// By pass, then field: its segments, in document order.
    segments: Vec<[Vec<Segment>; TEXT_FIELDS.len()]>,
}

/// Where a segment's bytes are in the file.
#[derive(Debug, Clone, Copy)]
struct Segment {
    at: u64,
    len: usize,
}

impl Windows {
    /// The windows of `chunks` (by field, then chunk, as the export holds them) for
    /// `passes` passes, the pass of bigram `id` being `pass_of[id]`; their file is made in
    /// `dir` (and is gone once they are). The chunks are read in parallel, one per core at a
    /// time, and each batch written before the next is read.
    pub(super) fn spill(
        chunks: &[Vec<BigramChunk>],
        codes: &BigramCodes,
        pass_of: &[u32],
        passes: usize,
        dir: &Path,
    ) -> std::io::Result<Windows> {
        let mut file = std::io::BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?);
        let mut segments: Vec<[Vec<Segment>; TEXT_FIELDS.len()]> = (0..passes).map(|_| Default::default()).collect();
        let count = chunks.first().map_or(0, Vec::len);
        let batch = rayon::current_num_threads().max(1);
        let mut end = 0u64;
        for first in (0..count).step_by(batch) {
            let tasks: Vec<(usize, usize)> =
                (first..count.min(first + batch)).flat_map(|c| (0..chunks.len()).map(move |f| (c, f))).collect();
            let parts: Vec<(usize, Vec<Vec<u8>>)> = tasks
                .into_par_iter()
                .map(|(c, f)| (f, encode_chunk(&chunks[f][c], c * chains::CHUNK, codes, pass_of, passes)))
                .collect();
            for (f, by_pass) in parts {
                for (pass, b) in by_pass.into_iter().enumerate().filter(|(_, b)| !b.is_empty()) {
                    segments[pass][f].push(Segment { at: end, len: b.len() });
                    file.write_all(&b)?;
                    end += b.len() as u64;
                }
            }
        }
        let file = file.into_inner().map_err(|e| e.into_error())?;
        Ok(Windows { file, segments })
    }

    /// The chains of pass `pass` in field `field`: the windows of each segment, read and
    /// added on every core, and merged in document order.
    pub(super) fn chains(
        &self,
        pass: usize,
        field: usize,
        codes: &BigramCodes,
    ) -> std::io::Result<FxHashMap<ChainKey, Postings>> {
        let parts: Vec<FxHashMap<ChainKey, Postings>> = self.segments[pass][field]
            .par_iter()
            .map(|s| {
                let mut bytes = vec![0; s.len];
                crate::content::body::read_exact_at(&self.file, &mut bytes, s.at)?;
                let mut map = FxHashMap::default();
                decode_segment(&bytes, codes, |doc, position, window| {
                    chains::add_window(&mut map, doc, position, window)
                })
                .ok_or_else(|| std::io::Error::other("a segment of the chains' windows is damaged"))?;
                Ok(map)
            })
            .collect::<std::io::Result<_>>()?;
        Ok(chains::merge(parts))
    }
}

/// The segments of one chunk (its documents from `first_doc`), by pass.
fn encode_chunk(
    chunk: &BigramChunk,
    first_doc: usize,
    codes: &BigramCodes,
    pass_of: &[u32],
    passes: usize,
) -> Vec<Vec<u8>> {
    let mut by_pass: Vec<Vec<u8>> = vec![Vec::new(); passes];
    // Per pass: the document and position of its last record.
    let mut last: Vec<Option<(u32, u32)>> = vec![None; passes];
    let mut ids = Vec::new();
    for k in 0..chunk.len() {
        let doc = (first_doc + k) as u32;
        chunk.doc_into(k, codes, &mut ids);
        chains::windows(&ids, |position, window| {
            let pass = pass_of[window[0] as usize] as usize;
            let out = &mut by_pass[pass];
            match last[pass] {
                Some((d, p)) if d == doc => {
                    put_varint(out, 0);
                    put_varint(out, u64::from(position - p));
                }
                Some((d, _)) => {
                    put_varint(out, u64::from(doc - d));
                    put_varint(out, u64::from(position));
                }
                None => {
                    put_varint(out, u64::from(doc));
                    put_varint(out, u64::from(position));
                }
            }
            last[pass] = Some((doc, position));
            out.push(window.len() as u8);
            for &id in window {
                put_varint(out, u64::from(codes.code(id)));
            }
        });
    }
    by_pass
}

/// Calls `f(doc, position, window)` for every record of a segment, in order; None if the
/// bytes are not a segment.
fn decode_segment(bytes: &[u8], codes: &BigramCodes, mut f: impl FnMut(u32, u32, &[u32])) -> Option<()> {
    let mut at = 0;
    let (mut doc, mut position, mut first) = (0u32, 0u32, true);
    let mut window = [0u32; chains::MAX_CHAIN - 1];
    while at < bytes.len() {
        let step = get_u32(bytes, &mut at)?;
        let p = get_u32(bytes, &mut at)?;
        if first || step > 0 {
            doc = doc.checked_add(step)?;
            position = p;
        } else {
            position = position.checked_add(p)?;
        }
        first = false;
        let len = usize::from(*bytes.get(at)?);
        at += 1;
        if !(2..=window.len()).contains(&len) {
            return None;
        }
        for slot in &mut window[..len] {
            *slot = codes.id(get_u32(bytes, &mut at)?);
            if *slot == chains::NO_BIGRAM {
                return None;
            }
        }
        f(doc, position, &window[..len]);
    }
    Some(())
}

/// The number at `bytes[*at..]` ([`get_varint`]), if it fits in 32 bits.
fn get_u32(bytes: &[u8], at: &mut usize) -> Option<u32> {
    get_varint(bytes, at).and_then(|v| u32::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::chains::NO_BIGRAM;

    /// Two chunks (of one field) of bigrams 0..8, and their codes.
    fn chunks() -> (Vec<Vec<BigramChunk>>, BigramCodes) {
        let codes = BigramCodes::by_weight(&[3, 1, 4, 1, 5, 9, 2, 6]);
        let mut docs: Vec<Vec<u32>> = vec![Vec::new(); chains::CHUNK + 2];
        docs[0] = vec![0, 1, 2, 3, 4, NO_BIGRAM, 5, 6];
        docs[3] = vec![7, 7, 7, 7, 7, 7];
        docs[chains::CHUNK + 1] = vec![NO_BIGRAM, 2, 6, NO_BIGRAM, 1, 0, 5];
        let chunks =
            docs.chunks(chains::CHUNK).map(|c| BigramChunk::new(&codes, c.iter().map(Vec::as_slice))).collect();
        (vec![chunks], codes)
    }

    /// The chains of `chunks` (one field) whose first bigram is in `first`, read directly.
    fn direct(
        chunks: &[BigramChunk],
        codes: &BigramCodes,
        first: std::ops::Range<u32>,
    ) -> FxHashMap<ChainKey, Postings> {
        let mut map = FxHashMap::default();
        let mut ids = Vec::new();
        for (c, chunk) in chunks.iter().enumerate() {
            for k in 0..chunk.len() {
                chunk.doc_into(k, codes, &mut ids);
                chains::windows(&ids, |p, w| {
                    if first.contains(&w[0]) {
                        chains::add_window(&mut map, (c * chains::CHUNK + k) as u32, p, w)
                    }
                });
            }
        }
        map
    }

    #[test]
    fn each_pass_reads_back_the_chains_of_its_bigrams() {
        let (chunks, codes) = chunks();
        let pass_of = [0, 0, 0, 1, 1, 1, 2, 2];
        let dir = tempfile::tempdir().unwrap();
        let windows = Windows::spill(&chunks, &codes, &pass_of, 3, dir.path()).unwrap();
        for (pass, first) in [0..3, 3..6, 6..8].into_iter().enumerate() {
            let want = direct(&chunks[0], &codes, first.clone());
            assert!(!want.is_empty(), "pass {pass} has chains");
            assert_eq!(windows.chains(pass, 0, &codes).unwrap(), want, "pass {pass}");
        }
        let all = windows.chains(2, 0, &codes).unwrap();
        assert_eq!(all[&[7, 7, 7, 7]], Postings { docs: vec![3], tfs: vec![3], positions: vec![0, 1, 2] });
    }

    #[test]
    fn a_damaged_segment_is_an_error_not_a_panic() {
        let (_, codes) = chunks();
        for bytes in [&[0x80][..], &[0, 0, 9, 1, 1], &[0, 0, 2, 1], &[0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]] {
            assert_eq!(decode_segment(bytes, &codes, |_, _, _| {}), None, "{bytes:?}");
        }
        assert_eq!(decode_segment(&[], &codes, |_, _, _| panic!("no record")), Some(()));
    }
}
