//! The term entries: one per term of the tantivy index, one per chain of CJK units
//! (see [`crate::search::chains`]), one per mixed chain of words and CJK units (see
//! [`crate::search::mixed`]), and their term shards.

use super::codec::{encode_entry, Entry};
use super::layout::shard_of;
use super::positions::Positions;
use super::source::Source;
use super::writer::Files;
use crate::search::analyzer;
use crate::search::chains::{self, ChainKey, DocBigrams, Postings};
use crate::search::docs::Corpus;
use crate::search::index::TEXT_FIELDS;
use crate::search::mixed;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;

/// A term (its UTF-8 bytes) and its entry.
pub(super) type Entries = Vec<(Vec<u8>, Entry)>;

/// The document frequency of every term of the index in each text field.
pub(super) type Dfs<'k> = FxHashMap<&'k [u8], [u32; TEXT_FIELDS.len()]>;

/// The bigrams of the index met so far: text, document frequency per field, and where
/// each occurs (for chains).
pub(super) struct Bigrams<'k> {
    texts: Vec<&'k str>,
    df: Vec<[u32; TEXT_FIELDS.len()]>,
    occurrences: Vec<Vec<DocBigrams>>,
}

impl<'k> Bigrams<'k> {
    /// None yet, in a corpus of `docs` documents.
    pub(super) fn new(docs: usize) -> Self {
        Bigrams { texts: Vec::new(), df: Vec::new(), occurrences: vec![vec![Vec::new(); docs]; TEXT_FIELDS.len()] }
    }

    /// The id of the term `text` if it is a bigram (a new one).
    fn add(&mut self, text: &'k str) -> Option<u32> {
        is_bigram(text).then(|| {
            self.texts.push(text);
            self.df.push([0; TEXT_FIELDS.len()]);
            self.texts.len() as u32 - 1
        })
    }

    /// Records where bigram `id` occurs in text field `fi`.
    fn record(&mut self, id: u32, fi: usize, p: &Postings) {
        let mut at = 0;
        for (&d, &tf) in p.docs.iter().zip(&p.tfs) {
            let ids = &mut self.occurrences[fi][d as usize];
            for &p in &p.positions[at..at + tf as usize] {
                chains::place(ids, p, id);
            }
            at += tf as usize;
        }
        self.df[id as usize][fi] = p.docs.len() as u32;
    }
}

/// The entries of the terms `keys` of the index, in order; meets their bigrams and
/// notes every term's document frequencies in `dfs`.
pub(super) fn index_entries<'k>(
    source: &mut Source,
    keys: &'k BTreeSet<Vec<u8>>,
    norms: &[Vec<u8>],
    positions: &mut Positions,
    bigrams: &mut Bigrams<'k>,
    dfs: &mut Dfs<'k>,
) -> std::io::Result<Entries> {
    let mut entries = Vec::with_capacity(keys.len());
    dfs.reserve(keys.len());
    for key in keys {
        positions.files().check_stop()?;
        let bigram = bigrams.add(std::str::from_utf8(key).unwrap_or(""));
        let mut fields = Vec::with_capacity(TEXT_FIELDS.len());
        let mut df = [0; TEXT_FIELDS.len()];
        for (fi, df) in df.iter_mut().enumerate() {
            let postings = source.postings(fi, key)?;
            if let Some(id) = bigram {
                bigrams.record(id, fi, &postings);
            }
            *df = postings.docs.len() as u32;
            fields.push(postings);
        }
        dfs.insert(key, df);
        let entry = positions.settle(key, encode_entry(key, &fields, &[], norms, true))?;
        entries.push((key.clone(), entry));
    }
    Ok(entries)
}

/// About how many chain occurrences one pass of [`chain_entries`] gathers: the chains of
/// one pass (a hash map of posting lists) are what the export holds at its peak
/// (`PLANPRESS_SEARCH_CHAIN_PASS` overrides it; the files are the same whatever it is).
const PASS_OCCURRENCES: usize = 1_500_000;

/// Appends the entries of the chains of `bigrams` to `entries`, in key order so the
/// output is reproducible; returns their number. The chains are gathered in passes over
/// ranges of their first bigram ([`passes`]), one range in memory at a time.
pub(super) fn chain_entries(
    bigrams: Bigrams,
    norms: &[Vec<u8>],
    positions: &mut Positions,
    entries: &mut Entries,
) -> std::io::Result<usize> {
    let Bigrams { texts, df, mut occurrences } = bigrams;
    // Grown a bigram at a time, they may hold up to twice the room they need.
    occurrences.par_iter_mut().flatten().for_each(|ids| ids.shrink_to_fit());
    let mut count = vec![0u64; texts.len()];
    for &id in occurrences.iter().flatten().flatten() {
        if id != chains::NO_BIGRAM {
            count[id as usize] += 1;
        }
    }
    let mut written = 0;
    let per_pass = super::layout::env_bytes("PLANPRESS_SEARCH_CHAIN_PASS", PASS_OCCURRENCES) as u64;
    for range in passes(&texts, &count, per_pass) {
        positions.files().check_stop()?;
        let mut per_field: Vec<FxHashMap<ChainKey, Postings>> =
            occurrences.par_iter().map(|docs| chains::chains(docs, range.clone())).collect();
        let mut chain_keys: Vec<(String, ChainKey)> = per_field
            .iter()
            .flat_map(|m| m.keys())
            .collect::<FxHashSet<_>>()
            .into_iter()
            .map(|k| (chain_text(k, &texts), *k))
            .collect();
        chain_keys.sort_unstable();
        for (text, key) in &chain_keys {
            let ids = &key[..chains::bigram_count(key)];
            let mut fields = Vec::with_capacity(TEXT_FIELDS.len());
            let mut dfs = Vec::with_capacity(TEXT_FIELDS.len());
            for (fi, map) in per_field.iter_mut().enumerate() {
                fields.push(map.remove(key).unwrap_or_default());
                dfs.push(ids.iter().map(|&b| df[b as usize][fi]).collect::<Vec<u32>>());
            }
            let entry = positions
                .settle(text.as_bytes(), encode_entry(text.as_bytes(), &fields, &dfs, norms, chains::is_full(key)))?;
            entries.push((text.as_bytes().to_vec(), entry));
        }
        written += chain_keys.len();
    }
    Ok(written)
}

/// Appends the entries of the mixed chains of `corpus` (see [`crate::search::mixed`]), in
/// key order, after the chains; returns their number. Each has the document frequencies of
/// its query tokens (`dfs`: those of the index), and those of [`chains::MAX_CHAIN`] units
/// keep their positions.
pub(super) fn mixed_entries(
    corpus: &Corpus,
    dfs: &Dfs,
    norms: &[Vec<u8>],
    positions: &mut Positions,
    entries: &mut Entries,
) -> std::io::Result<usize> {
    positions.files().check_stop()?;
    let found = mixed::mixed_chains(&corpus.docs, |d| d.field_texts());
    let count = found.len();
    for chain in found {
        let tokens = analyzer::query_tokens(&chain.key);
        let token_dfs: Vec<Vec<u32>> = (0..TEXT_FIELDS.len())
            .map(|fi| tokens.iter().map(|t| dfs.get(t.text.as_bytes()).map_or(0, |d| d[fi])).collect())
            .collect();
        let key = chain.key.into_bytes();
        let entry = positions.settle(&key, encode_entry(&key, &chain.fields, &token_dfs, norms, chain.full))?;
        entries.push((key, entry));
    }
    Ok(count)
}

/// Ranges of bigram ids whose chains make about `per_pass` occurrences each (`count[id]`:
/// the occurrences of bigram `id`). Ids are in text order, and a range never ends between
/// two bigrams one of which could be a prefix of the other (the same first unit and the
/// same character after it, `か` and `か゛`): so every chain of one range sorts before
/// every chain of the next, and the passes give the chains in key order.
fn passes(texts: &[&str], count: &[u64], per_pass: u64) -> Vec<std::ops::Range<u32>> {
    fn stem(t: &str) -> &str {
        let first = analyzer::first_unit_len(t);
        let next = t[first..].chars().next().map_or(0, char::len_utf8);
        &t[..first + next]
    }
    let mut out = Vec::new();
    let (mut start, mut sum) = (0, 0);
    for i in 0..texts.len() {
        sum += count[i];
        let last = i + 1 == texts.len();
        if last || (sum >= per_pass && stem(texts[i]) != stem(texts[i + 1])) {
            out.push(start as u32..i as u32 + 1);
            (start, sum) = (i + 1, 0);
        }
    }
    out
}

/// Their size in bytes once finished, to choose the number of shards.
pub(super) fn size(entries: &Entries) -> usize {
    entries.iter().map(|(_, e)| e.size()).sum()
}

/// Finishes the entries (writing the positions still waiting, then the rest of the
/// positions files) and sorts them into `shards` term shards: each term goes to the shard
/// its hash picks, so the script finds it without a directory of terms. Returns the bytes
/// of every shard, its terms in order, and the export's files.
pub(super) fn into_shards(
    entries: Entries,
    positions: Positions,
    shards: usize,
) -> std::io::Result<(Vec<Vec<u8>>, Files)> {
    let mut writer = positions.into_writer(shards);
    let mut buckets: Vec<Vec<(Vec<u8>, Vec<u8>)>> = vec![Vec::new(); shards];
    for (key, entry) in entries {
        let bytes = entry.finish(&key, &mut writer)?;
        buckets[shard_of(&key, shards)].push((key, bytes));
    }
    let files = writer.finish()?;
    let shards = buckets
        .into_iter()
        .map(|mut bucket| {
            bucket.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            bucket.into_iter().flat_map(|(_, e)| e).collect()
        })
        .collect();
    Ok((shards, files))
}

/// Whether a term of the index is a bigram (two CJK units).
fn is_bigram(text: &str) -> bool {
    let first = analyzer::first_unit_len(text);
    first > 0
        && first < text.len()
        && analyzer::first_unit_len(&text[first..]) == text.len() - first
        && text.chars().next().is_some_and(analyzer::is_cjk)
        && text[first..].chars().next().is_some_and(analyzer::is_cjk)
}

/// The text of a chain: its first bigram, then the second unit of each next one.
fn chain_text(key: &ChainKey, bigrams: &[&str]) -> String {
    let mut text = String::new();
    for (i, &b) in key.iter().take_while(|&&b| b != u32::MAX).enumerate() {
        let b = bigrams[b as usize];
        text.push_str(if i == 0 { b } else { &b[analyzer::first_unit_len(b)..] });
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_are_two_cjk_units() {
        assert!(is_bigram("子育"));
        assert!(is_bigram("か\u{3099}き"), "a unit keeps its mark");
        assert!(!is_bigram("子"));
        assert!(!is_bigram("子育て"));
        assert!(!is_bigram("ic"));
    }

    #[test]
    fn passes_cover_every_bigram_and_never_split_a_stem() {
        let texts = ["かき", "かき\u{3099}", "かく", "まち", "ちづ"];
        let all = passes(&texts, &[5, 5, 5, 5, 5], 1);
        assert_eq!(all, vec![0..2, 2..3, 3..4, 4..5], "か き and か き゛ stay together");
        assert_eq!(passes(&texts, &[1; 5], 100), vec![0..5]);
        assert_eq!(passes(&[], &[], 1), Vec::<std::ops::Range<u32>>::new());
    }

    #[test]
    fn chain_text_joins_units() {
        let bigrams = ["まち", "ちづ", "づく", "か\u{3099}き"];
        assert_eq!(chain_text(&[0, 1, 2, u32::MAX], &bigrams), "まちづく");
        assert_eq!(chain_text(&[3, 3, u32::MAX, u32::MAX], &bigrams), "か\u{3099}きき");
    }
}
