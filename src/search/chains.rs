//! Chains: the substrings of 3 to [`MAX_CHAIN`] units of CJK runs, with their term
//! frequency per document, derived from the positions of the bigrams in the tantivy index.
//!
//! A query term made of one CJK run is, for tantivy, the phrase of its bigrams; its term
//! frequency in a document is the number of positions where the bigrams follow each other,
//! which is the number of times the run occurs in the text. The browser would need the
//! positions of every bigram of the term to count that — for frequent bigrams hundreds of
//! kilobytes. The export therefore also writes each chain as a term of its own with its
//! counts: a term of up to [`MAX_CHAIN`] units needs no positions, a longer one the
//! positions of the few chains of [`MAX_CHAIN`] units that cover it (see
//! `src/search/export.rs`).
//!
//! Bigrams at consecutive positions are always in the same run (the last unit of a run
//! has no bigram, so two runs' bigrams are at least two positions apart), so a chain is
//! read off the positions alone.

use super::export::{get_varint, put_varint};
use rustc_hash::FxHashMap;

/// The longest chain written as a term (in units); chains of this length keep positions.
pub const MAX_CHAIN: usize = 5;

/// A chain as the ids of its bigrams in order; unused slots hold `u32::MAX`.
pub type ChainKey = [u32; MAX_CHAIN - 1];

/// A position of a document without a bigram.
pub const NO_BIGRAM: u32 = u32::MAX;

/// Documents per [`BigramChunk`] (and per segment of the export's chain windows).
pub const CHUNK: usize = 256;

/// How [`BigramChunk`]s write the id of a bigram: as a code, the more frequent a bigram
/// the smaller its code, in as few bytes as it needs (LEB128: 7 bits a byte). Code 0 is
/// [`NO_BIGRAM`]; a site's hundred or so most frequent bigrams take one byte a position,
/// the next sixteen thousand two, where a fixed width would take three everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BigramCodes {
    /// The code of each bigram id.
    code: Box<[u32]>,
    /// The bigram id of each code (`id[0]` is [`NO_BIGRAM`]).
    id: Box<[u32]>,
}

impl BigramCodes {
    /// The codes of bigrams `0..weights.len()`, by descending `weights[id]` (how often
    /// each occurs, or an estimate; ties by id), so that the same weights give the same
    /// codes.
    pub fn by_weight(weights: &[u64]) -> BigramCodes {
        let mut order: Vec<u32> = (0..weights.len() as u32).collect();
        order.sort_by_key(|&id| (std::cmp::Reverse(weights[id as usize]), id));
        let mut code = vec![0; weights.len()];
        for (rank, &id) in order.iter().enumerate() {
            code[id as usize] = rank as u32 + 1;
        }
        let id = std::iter::once(NO_BIGRAM).chain(order).collect();
        BigramCodes { code: code.into_boxed_slice(), id }
    }

    /// The code of bigram `id` (0 for [`NO_BIGRAM`]).
    pub fn code(&self, id: u32) -> u32 {
        if id == NO_BIGRAM {
            0
        } else {
            self.code[id as usize]
        }
    }

    /// The bigram of `code` ([`NO_BIGRAM`] for 0, or for a code no bigram has).
    pub fn id(&self, code: u32) -> u32 {
        self.id.get(code as usize).copied().unwrap_or(NO_BIGRAM)
    }

    fn encode(&self, id: u32, out: &mut Vec<u8>) {
        put_varint(out, u64::from(self.code(id)));
    }
}

/// The bigrams of [`CHUNK`] consecutive documents (the last chunk may hold fewer) in one
/// field, by position: each document's ids of the bigram at each position, or
/// [`NO_BIGRAM`], up to its last bigram, written with [`BigramCodes`]. The export holds
/// these for every document at once (tens of millions of positions at 10,000 pages), in
/// one block per chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BigramChunk {
    bytes: Box<[u8]>,
    /// Where each document's codes end in `bytes`.
    ends: Box<[usize]>,
}

impl BigramChunk {
    /// The chunk of `docs` (ids by position, [`NO_BIGRAM`] where none; trailing ones are
    /// dropped), each id written with `codes`.
    pub fn new<'a>(codes: &BigramCodes, docs: impl IntoIterator<Item = &'a [u32]>) -> BigramChunk {
        let (mut bytes, mut ends) = (Vec::new(), Vec::new());
        for ids in docs {
            let used = ids.iter().rposition(|&id| id != NO_BIGRAM).map_or(0, |p| p + 1);
            for &id in &ids[..used] {
                codes.encode(id, &mut bytes);
            }
            ends.push(bytes.len());
        }
        BigramChunk { bytes: bytes.into_boxed_slice(), ends: ends.into_boxed_slice() }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether it holds no document.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Document `k`'s ids, in `out` (cleared first); `codes` are those it was made with.
    pub fn doc_into(&self, k: usize, codes: &BigramCodes, out: &mut Vec<u32>) {
        out.clear();
        let mut at = if k == 0 { 0 } else { self.ends[k - 1] };
        let bytes = &self.bytes[..self.ends[k]];
        while let Some(code) = get_varint(bytes, &mut at) {
            out.push(u32::try_from(code).map_or(NO_BIGRAM, |code| codes.id(code)));
        }
    }
}

/// Where a term (here a chain, in the export any term) occurs in one field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Postings {
    /// Documents holding the term (ascending).
    pub docs: Vec<u32>,
    /// Occurrences per document (parallel to `docs`).
    pub tfs: Vec<u32>,
    /// Positions, document after document (ascending within each); empty when not kept
    /// (chains shorter than [`MAX_CHAIN`] units). A chain's position is its first bigram's.
    pub positions: Vec<u32>,
}

/// Whether `key` has [`MAX_CHAIN`] units (and so keeps positions).
pub fn is_full(key: &ChainKey) -> bool {
    key[MAX_CHAIN - 2] != u32::MAX
}

/// Number of bigrams in `key`.
pub fn bigram_count(key: &ChainKey) -> usize {
    key.iter().take_while(|&&b| b != u32::MAX).count()
}

/// Calls `f(position, window)` at every position of one document's bigrams (by position)
/// where chains start, a bigram followed by another: `window` holds the bigrams from there
/// on, up to [`MAX_CHAIN`] - 1 of them and up to the first position without one (2 to 4
/// ids). The chains of a window are its beginnings of two bigrams or more ([`add_window`]).
pub fn windows(ids: &[u32], mut f: impl FnMut(u32, &[u32])) {
    for p in 0..ids.len() {
        let last = ids.len().min(p + MAX_CHAIN - 1);
        let end = (p..last).find(|&q| ids[q] == NO_BIGRAM).unwrap_or(last);
        if end >= p + 2 {
            f(p as u32, &ids[p..end]);
        }
    }
}

/// Adds the chains of `window` (see [`windows`]), at `position` in document `doc`, to
/// `map`: one per beginning of two bigrams or more. Windows come in document order and,
/// within a document, in position order, so that every posting list stays in order.
pub fn add_window(map: &mut FxHashMap<ChainKey, Postings>, doc: u32, position: u32, window: &[u32]) {
    let mut key = [NO_BIGRAM; MAX_CHAIN - 1];
    key[0] = window[0];
    for (n, &id) in window.iter().enumerate().skip(1) {
        key[n] = id;
        let p = map.entry(key).or_default();
        match p.tfs.last_mut() {
            Some(tf) if p.docs.last() == Some(&doc) => *tf += 1,
            _ => {
                p.docs.push(doc);
                p.tfs.push(1);
            }
        }
        if is_full(&key) {
            p.positions.push(position);
        }
    }
}

/// The chains of `parts`, each made of documents after those of the part before it, as
/// one map: every posting list of a later part goes after the same chain's earlier ones.
pub fn merge(parts: impl IntoIterator<Item = FxHashMap<ChainKey, Postings>>) -> FxHashMap<ChainKey, Postings> {
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_default();
    for part in parts {
        for (key, p) in part {
            match all.entry(key) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let e = e.get_mut();
                    e.docs.extend(p.docs);
                    e.tfs.extend(p.tfs);
                    e.positions.extend(p.positions);
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(p);
                }
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::Range;

    const M: u32 = u32::MAX;

    /// A document's ids by position from `(position, bigram id)` pairs.
    fn at(pairs: &[(u32, u32)]) -> Vec<u32> {
        let mut ids = Vec::new();
        for &(p, id) in pairs {
            if ids.len() <= p as usize {
                ids.resize(p as usize + 1, NO_BIGRAM);
            }
            ids[p as usize] = id;
        }
        ids
    }

    /// The chains of the chunks `chunks` whose first bigram is in `first`, as the export
    /// gathers them: the windows of each document, in order, one map per chunk, merged.
    fn chains(chunks: &[BigramChunk], codes: &BigramCodes, first: Range<u32>) -> FxHashMap<ChainKey, Postings> {
        let mut ids = Vec::new();
        merge(chunks.iter().enumerate().map(|(c, chunk)| {
            let mut map = FxHashMap::default();
            for k in 0..chunk.len() {
                chunk.doc_into(k, codes, &mut ids);
                windows(&ids, |position, window| {
                    if first.contains(&window[0]) {
                        add_window(&mut map, (c * CHUNK + k) as u32, position, window);
                    }
                });
            }
            map
        }))
    }

    #[test]
    fn windows_stop_at_a_position_without_a_bigram_and_at_four_bigrams() {
        let mut seen = Vec::new();
        windows(&[1, 2, NO_BIGRAM, 3, 4, 5, 6, 7, NO_BIGRAM, 8], |p, w| seen.push((p, w.to_vec())));
        assert_eq!(
            seen,
            vec![(0, vec![1, 2]), (3, vec![3, 4, 5, 6]), (4, vec![4, 5, 6, 7]), (5, vec![5, 6, 7]), (6, vec![6, 7])]
        );
        windows(&[], |_, _| panic!("no window in an empty document"));
        windows(&[9], |_, _| panic!("one bigram is no chain"));
    }

    /// The chunks of `docs` and their codes (every id below 8 as frequent as the next).
    fn chunked(docs: &[Vec<u32>]) -> (Vec<BigramChunk>, BigramCodes) {
        let codes = BigramCodes::by_weight(&[1; 8]);
        (docs.chunks(CHUNK).map(|c| BigramChunk::new(&codes, c.iter().map(Vec::as_slice))).collect(), codes)
    }

    #[test]
    fn a_chunk_gives_back_its_ids_and_frequent_ones_take_one_byte() {
        // Bigram 299 is the most frequent, 0 the least; ids 1..299 as frequent as each other.
        let mut weights = vec![5; 300];
        weights[299] = 9;
        weights[0] = 1;
        let codes = BigramCodes::by_weight(&weights);
        let docs = [vec![0, NO_BIGRAM, 299, 5, NO_BIGRAM, NO_BIGRAM], vec![], vec![NO_BIGRAM], vec![7, 298]];
        let chunk = BigramChunk::new(&codes, docs.iter().map(Vec::as_slice));
        assert_eq!(chunk.len(), docs.len());
        let mut out = Vec::new();
        for (k, ids) in docs.iter().enumerate() {
            chunk.doc_into(k, &codes, &mut out);
            let used = ids.iter().rposition(|&id| id != NO_BIGRAM).map_or(0, |p| p + 1);
            assert_eq!(out, ids[..used], "document {k}");
        }
        let size = |ids: &[u32]| BigramChunk::new(&codes, [ids]).bytes.len();
        assert_eq!(size(&[299, NO_BIGRAM, 1]), 3, "the most frequent, none and the next take a byte each");
        assert_eq!(size(&[0]), 2, "the 300th most frequent takes two");
        assert_eq!(size(&[298, 0]), 4, "so does the 299th");
        // Past 16,383 codes, three bytes; the ids still come back.
        let codes = BigramCodes::by_weight(&vec![1; 20_000]);
        let ids: Vec<u32> = vec![19_999, 3, NO_BIGRAM, 16_383, 16_382];
        let chunk = BigramChunk::new(&codes, [ids.as_slice()]);
        assert_eq!(chunk.bytes.len(), 3 + 1 + 1 + 3 + 2);
        chunk.doc_into(0, &codes, &mut out);
        assert_eq!(out, ids);
    }

    #[test]
    fn chains_follow_consecutive_positions_only() {
        // Bigrams 0 1 2 at positions 0 1 2, then a new run: 3 at 5, 4 at 6.
        let (docs, codes) = chunked(&[at(&[(6, 4), (0, 0), (2, 2), (1, 1), (5, 3)])]);
        let map = chains(&docs, &codes, 0..u32::MAX);
        let mut keys: Vec<_> = map.keys().copied().collect();
        keys.sort();
        assert_eq!(keys, vec![[0, 1, 2, M], [0, 1, M, M], [1, 2, M, M], [3, 4, M, M]]);
        assert_eq!(map[&[0, 1, 2, M]].tfs, vec![1]);
        assert!(map[&[0, 1, 2, M]].positions.is_empty(), "only chains of MAX_CHAIN units keep positions");
    }

    #[test]
    fn counts_overlapping_occurrences_and_keeps_positions_of_full_chains() {
        // ああああああ: the bigram ああ (id 7) at positions 10..15.
        let (docs, codes) = chunked(&[vec![], at(&(10..15).map(|p| (p, 7)).collect::<Vec<_>>())]);
        let map = chains(&docs, &codes, 0..u32::MAX);
        assert_eq!(map[&[7, 7, M, M]], Postings { docs: vec![1], tfs: vec![4], positions: vec![] });
        assert_eq!(map[&[7, 7, 7, 7]], Postings { docs: vec![1], tfs: vec![2], positions: vec![10, 11] });
    }

    #[test]
    fn documents_stay_in_order_across_chunks() {
        let docs: Vec<Vec<u32>> = (0..600).map(|d| if d % 7 == 0 { at(&[(0, 1), (1, 2)]) } else { vec![] }).collect();
        let (docs, codes) = chunked(&docs);
        let map = chains(&docs, &codes, 0..u32::MAX);
        let want: Vec<u32> = (0..600).filter(|d| d % 7 == 0).collect();
        assert_eq!(map[&[1, 2, M, M]].docs, want);
    }

    #[test]
    fn only_chains_starting_in_the_range_are_gathered() {
        let (docs, codes) = chunked(&[at(&[(0, 0), (1, 1), (2, 2), (3, 3)])]);
        let map = chains(&docs, &codes, 1..2);
        let mut keys: Vec<_> = map.keys().copied().collect();
        keys.sort();
        assert_eq!(keys, vec![[1, 2, 3, M], [1, 2, M, M]]);
    }
}
