//! The term entries: one per term of the tantivy index, one per chain of CJK units
//! (see [`crate::search::chains`]), one per mixed chain of words and CJK units (see
//! [`crate::search::mixed`]), and their term shards.

use super::codec::{encode_entry, Entry};
use super::layout::shard_of;
use super::positions::Positions;
use super::source::Source;
use super::windows::Windows;
use super::writer::Files;
use crate::search::analyzer;
use crate::search::chains::{self, BigramChunk, BigramCodes, ChainKey, Postings};
use crate::search::docs::Corpus;
use crate::search::index::TEXT_FIELDS;
use crate::search::mixed;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The entries of an export, in the order they were made. Their bytes wait in an unnamed
/// file beside the export until the term shards are written: they are about as large as
/// the shards (a tenth of a gigabyte at 10,000 pages), and memory holds only each entry's
/// key, where its bytes are, and the positions of an entry still waiting for them
/// ([`Positions::Waiting`]).
pub(super) struct Entries {
    file: File,
    /// Bytes in `file`.
    end: u64,
    items: Vec<Item>,
    /// Their size once finished ([`Entry::size`]).
    size: usize,
}

/// One entry of [`Entries`].
struct Item {
    key: Box<[u8]>,
    at: u64,
    len: usize,
    holes: Vec<(usize, Vec<u8>)>,
}

impl Entries {
    /// None yet; their file is made in `dir` (and is gone once they are).
    pub(super) fn new(dir: &Path) -> std::io::Result<Self> {
        Ok(Entries { file: tempfile::tempfile_in(dir)?, end: 0, items: Vec::new(), size: 0 })
    }

    /// Their size in bytes once finished, to choose the number of shards.
    pub(super) fn size(&self) -> usize {
        self.size
    }

    fn push(&mut self, key: &[u8], entry: Entry) -> std::io::Result<()> {
        self.size += entry.size();
        let (at, len) = self.append(&entry.bytes)?;
        self.items.push(Item { key: key.into(), at, len, holes: entry.holes });
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) -> std::io::Result<(u64, usize)> {
        let at = self.end;
        self.file.seek(SeekFrom::Start(at))?;
        self.file.write_all(bytes)?;
        self.end += bytes.len() as u64;
        Ok((at, bytes.len()))
    }

    /// Appends the bytes of entry `i` to `out`.
    fn read(&mut self, i: usize, out: &mut Vec<u8>) -> std::io::Result<()> {
        let Item { at, len, .. } = self.items[i];
        let start = out.len();
        out.resize(start + len, 0);
        self.file.seek(SeekFrom::Start(at))?;
        self.file.read_exact(&mut out[start..])
    }
}

/// The document frequency of every term of the index in each text field.
pub(super) type Dfs<'k> = FxHashMap<&'k [u8], [u32; TEXT_FIELDS.len()]>;

/// The bigrams of the index met so far: text and document frequency per field. Their ids
/// are their order among the terms.
pub(super) struct Bigrams<'k> {
    texts: Vec<&'k str>,
    df: Vec<[u32; TEXT_FIELDS.len()]>,
}

impl<'k> Bigrams<'k> {
    /// None yet.
    pub(super) fn new() -> Self {
        Bigrams { texts: Vec::new(), df: Vec::new() }
    }

    /// The id of the term `text` if it is a bigram (a new one).
    fn add(&mut self, text: &'k str) -> Option<u32> {
        is_bigram(text).then(|| {
            self.texts.push(text);
            self.df.push([0; TEXT_FIELDS.len()]);
            self.texts.len() as u32 - 1
        })
    }

    /// The bigrams of every document of `corpus`, by field, in chunks of
    /// [`chains::CHUNK`] documents: read off the documents' texts with the tokenizer of the
    /// index (the same positions as its postings), on every core; the bigrams found in
    /// more documents take the shorter codes.
    fn of_documents(&self, corpus: &Corpus) -> (BigramCodes, Vec<Vec<BigramChunk>>) {
        let ids: FxHashMap<&str, u32> = self.texts.iter().enumerate().map(|(id, &t)| (t, id as u32)).collect();
        let weights: Vec<u64> = self.df.iter().map(|df| df.iter().map(|&d| u64::from(d)).sum()).collect();
        let codes = BigramCodes::by_weight(&weights);
        let chunks: Vec<[BigramChunk; TEXT_FIELDS.len()]> = corpus
            .docs
            .par_chunks(chains::CHUNK)
            .map(|docs| {
                let mut fields: [Vec<Vec<u32>>; TEXT_FIELDS.len()] = Default::default();
                for d in docs {
                    for (fi, text) in d.field_texts().iter().enumerate() {
                        let mut at = Vec::new();
                        analyzer::for_each_token(text, |t| {
                            if t.kind != analyzer::Kind::Bigram {
                                return;
                            }
                            if let Some(&id) = ids.get(t.text) {
                                if at.len() <= t.position {
                                    at.resize(t.position + 1, chains::NO_BIGRAM);
                                }
                                at[t.position] = id;
                            }
                        });
                        fields[fi].push(at);
                    }
                }
                fields.map(|docs| BigramChunk::new(&codes, docs.iter().map(Vec::as_slice)))
            })
            .collect();
        let mut by_field: Vec<Vec<BigramChunk>> =
            (0..TEXT_FIELDS.len()).map(|_| Vec::with_capacity(chunks.len())).collect();
        for fields in chunks {
            for (fi, chunk) in fields.into_iter().enumerate() {
                by_field[fi].push(chunk);
            }
        }
        (codes, by_field)
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
    entries: &mut Entries,
) -> std::io::Result<()> {
    entries.items.reserve(keys.len());
    dfs.reserve(keys.len());
    for key in keys {
        positions.files().check_stop()?;
        let bigram = bigrams.add(std::str::from_utf8(key).unwrap_or(""));
        let mut fields = Vec::with_capacity(TEXT_FIELDS.len());
        let mut df = [0; TEXT_FIELDS.len()];
        for (fi, df) in df.iter_mut().enumerate() {
            let postings = source.postings(fi, key)?;
            if let Some(id) = bigram {
                bigrams.df[id as usize][fi] = postings.docs.len() as u32;
            }
            *df = postings.docs.len() as u32;
            fields.push(postings);
        }
        dfs.insert(key, df);
        let entry = positions.settle(key, encode_entry(key, &fields, &[], norms, true))?;
        entries.push(key, entry)?;
    }
    Ok(())
}

/// About how many chain occurrences one pass of [`chain_entries`] gathers: the chains of
/// one pass (a hash map of posting lists, some 70 bytes an occurrence) are what the export
/// holds at its peak (`PLANPRESS_SEARCH_CHAIN_PASS` overrides it; the files are the same
/// whatever it is). Each pass reads only its own windows back ([`Windows`]), so more passes
/// cost little: at 10,000 pages, 500,000 a pass held 40 MB less at the peak than 1,500,000.
const PASS_OCCURRENCES: usize = 500_000;

/// Appends the entries of the chains of `bigrams` to `entries`, in key order so the
/// output is reproducible; returns their number. The chains are gathered in passes over
/// ranges of their first bigram ([`passes`]), one range in memory at a time, each from
/// its windows in a scratch file made in `dir` ([`Windows`]).
pub(super) fn chain_entries(
    bigrams: Bigrams,
    corpus: &Corpus,
    norms: &[Vec<u8>],
    positions: &mut Positions,
    entries: &mut Entries,
    dir: &Path,
) -> std::io::Result<usize> {
    let (codes, occurrences) = bigrams.of_documents(corpus);
    let Bigrams { texts, df } = bigrams;
    let mut count = vec![0u64; texts.len()];
    let mut ids = Vec::new();
    for chunk in occurrences.iter().flatten() {
        for k in 0..chunk.len() {
            chunk.doc_into(k, &codes, &mut ids);
            for &id in ids.iter().filter(|&&id| id != chains::NO_BIGRAM) {
                count[id as usize] += 1;
            }
        }
    }
    let mut written = 0;
    let per_pass = super::layout::env_bytes("PLANPRESS_SEARCH_CHAIN_PASS", PASS_OCCURRENCES) as u64;
    let ranges = passes(&texts, &count, per_pass);
    let mut pass_of = vec![0u32; texts.len()];
    for (pass, range) in ranges.iter().enumerate() {
        for id in range.clone() {
            pass_of[id as usize] = pass as u32;
        }
    }
    let windows = Windows::spill(&occurrences, &codes, &pass_of, ranges.len(), dir)?;
    drop(occurrences);
    for pass in 0..ranges.len() {
        positions.files().check_stop()?;
        let mut per_field: Vec<FxHashMap<ChainKey, Postings>> = (0..TEXT_FIELDS.len())
            .into_par_iter()
            .map(|field| windows.chains(pass, field, &codes))
            .collect::<std::io::Result<_>>()?;
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
            entries.push(text.as_bytes(), entry)?;
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
        entries.push(&key, entry)?;
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

/// Finishes the entries (writing the positions still waiting, then the rest of the
/// positions files) and sorts them into `shards` term shards: each term goes to the shard
/// its hash picks, so the script finds it without a directory of terms. Returns the
/// shards, to be written once the files they point to are, and the export's files.
pub(super) fn into_shards(
    mut entries: Entries,
    positions: Positions,
    shards: usize,
) -> std::io::Result<(Shards, Files)> {
    let mut writer = positions.into_writer(shards);
    let mut bytes = Vec::new();
    for i in 0..entries.items.len() {
        if entries.items[i].holes.is_empty() {
            continue;
        }
        bytes.clear();
        entries.read(i, &mut bytes)?;
        let item = &mut entries.items[i];
        let entry = Entry { bytes: std::mem::take(&mut bytes), holes: std::mem::take(&mut item.holes) };
        let key = std::mem::take(&mut item.key);
        bytes = entry.finish(&key, &mut writer)?;
        (entries.items[i].at, entries.items[i].len) = entries.append(&bytes)?;
        entries.items[i].key = key;
    }
    let files = writer.finish()?;
    let shard: Vec<u32> = entries.items.iter().map(|item| shard_of(&item.key, shards) as u32).collect();
    let mut order: Vec<u32> = (0..entries.items.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        (shard[a], &entries.items[a].key).cmp(&(shard[b], &entries.items[b].key))
    });
    Ok((Shards { entries, shard, order, count: shards }, files))
}

/// The term shards of an export, their entries in order, read back as each is written.
pub(super) struct Shards {
    entries: Entries,
    /// The shard of each entry.
    shard: Vec<u32>,
    /// The entries by shard, then key.
    order: Vec<u32>,
    count: usize,
}

impl Shards {
    /// Writes every shard as `t/<n>.bin`.
    pub(super) fn write(mut self, files: &mut Files) -> std::io::Result<()> {
        let mut next = self.order.iter().map(|&i| i as usize).peekable();
        let mut bytes = Vec::new();
        for n in 0..self.count {
            bytes.clear();
            while let Some(i) = next.next_if(|&i| self.shard[i] as usize == n) {
                self.entries.read(i, &mut bytes)?;
            }
            files.write(&format!("t/{n}.bin"), &bytes)?;
        }
        Ok(())
    }
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
