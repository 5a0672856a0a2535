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
//! Bigrams at consecutive positions are always in the same run (runs are at least three
//! positions apart), so a chain is read off the positions alone.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::ops::Range;

/// The longest chain written as a term (in units); chains of this length keep positions.
pub const MAX_CHAIN: usize = 5;

/// A chain as the ids of its bigrams in order; unused slots hold `u32::MAX`.
pub type ChainKey = [u32; MAX_CHAIN - 1];

/// The bigrams of one document in one field: `(position, bigram id)`, in any order.
pub type DocBigrams = Vec<(u32, u32)>;

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

/// Every chain of 3 to [`MAX_CHAIN`] units of one field whose first bigram is in `first`;
/// `docs[d]` holds the bigrams of document `d` (sorted here). The export gathers the chains
/// in passes over ranges of first bigrams, so that only one range's chains are in memory.
pub fn chains(docs: &mut [DocBigrams], first: Range<u32>) -> FxHashMap<ChainKey, Postings> {
    const CHUNK: usize = 256;
    let parts: Vec<FxHashMap<ChainKey, Postings>> = docs
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut map: FxHashMap<ChainKey, Postings> = FxHashMap::default();
            let mut found: Vec<(ChainKey, u32)> = Vec::new();
            for (k, bigrams) in chunk.iter_mut().enumerate() {
                bigrams.sort_unstable();
                found.clear();
                doc_chains(bigrams, &first, &mut found);
                found.sort_unstable();
                let doc = (c * CHUNK + k) as u32;
                let mut i = 0;
                while i < found.len() {
                    let key = found[i].0;
                    let mut j = i;
                    while j < found.len() && found[j].0 == key {
                        j += 1;
                    }
                    let p = map.entry(key).or_default();
                    p.docs.push(doc);
                    p.tfs.push((j - i) as u32);
                    if is_full(&key) {
                        p.positions.extend(found[i..j].iter().map(|f| f.1));
                    }
                    i = j;
                }
            }
            map
        })
        .collect();
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

/// Pushes `(chain, start position)` for every chain of one document's sorted bigrams.
fn doc_chains(bigrams: &[(u32, u32)], first: &Range<u32>, out: &mut Vec<(ChainKey, u32)>) {
    let mut start = 0;
    while start < bigrams.len() {
        let mut end = start + 1;
        while end < bigrams.len() && bigrams[end].0 == bigrams[end - 1].0 + 1 {
            end += 1;
        }
        let run = &bigrams[start..end];
        for i in 0..run.len() {
            if !first.contains(&run[i].1) {
                continue;
            }
            for n in 2..MAX_CHAIN {
                if i + n > run.len() {
                    break;
                }
                let mut key = [u32::MAX; MAX_CHAIN - 1];
                for (slot, b) in key.iter_mut().zip(&run[i..i + n]) {
                    *slot = b.1;
                }
                out.push((key, run[i].0));
            }
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: u32 = u32::MAX;

    #[test]
    fn chains_follow_consecutive_positions_only() {
        // Bigrams 0 1 2 at positions 0 1 2, then a new run: 3 at 5, 4 at 6.
        let mut docs = vec![vec![(6, 4), (0, 0), (2, 2), (1, 1), (5, 3)]];
        let map = chains(&mut docs, 0..u32::MAX);
        let mut keys: Vec<_> = map.keys().copied().collect();
        keys.sort();
        assert_eq!(keys, vec![[0, 1, 2, M], [0, 1, M, M], [1, 2, M, M], [3, 4, M, M]]);
        assert_eq!(map[&[0, 1, 2, M]].tfs, vec![1]);
        assert!(map[&[0, 1, 2, M]].positions.is_empty(), "only chains of MAX_CHAIN units keep positions");
    }

    #[test]
    fn counts_overlapping_occurrences_and_keeps_positions_of_full_chains() {
        // ああああああ: the bigram ああ (id 7) at positions 10..15.
        let mut docs = vec![vec![], (10..15).map(|p| (p, 7)).collect()];
        let map = chains(&mut docs, 0..u32::MAX);
        assert_eq!(map[&[7, 7, M, M]], Postings { docs: vec![1], tfs: vec![4], positions: vec![] });
        assert_eq!(map[&[7, 7, 7, 7]], Postings { docs: vec![1], tfs: vec![2], positions: vec![10, 11] });
    }

    #[test]
    fn documents_stay_in_order_across_chunks() {
        let mut docs: Vec<DocBigrams> =
            (0..600).map(|d| if d % 7 == 0 { vec![(0, 1), (1, 2)] } else { vec![] }).collect();
        let map = chains(&mut docs, 0..u32::MAX);
        let want: Vec<u32> = (0..600).filter(|d| d % 7 == 0).collect();
        assert_eq!(map[&[1, 2, M, M]].docs, want);
    }

    #[test]
    fn only_chains_starting_in_the_range_are_gathered() {
        let mut docs = vec![vec![(0, 0), (1, 1), (2, 2), (3, 3)]];
        let map = chains(&mut docs, 1..2);
        let mut keys: Vec<_> = map.keys().copied().collect();
        keys.sort();
        assert_eq!(keys, vec![[1, 2, 3, M], [1, 2, M, M]]);
    }
}
