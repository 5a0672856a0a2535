//! The browser's copy of the index, written under `search/` in the output: read back from
//! the tantivy index through its reader API, so the script ranks exactly as tantivy does.
//!
//! # Files
//!
//! - `search/manifest.json` — format version, number of documents, per text field its name,
//!   boost and total number of tokens (for BM25's average field length), the number of
//!   term shards, the plans (`[id, title]`) and the policy fields (`[plan index, node id,
//!   label]`; the field's id is `<plan id>/<node id>`).
//! - `search/docs.bin` — the policy field of every document, as runs: varint number of
//!   runs, then per run varint `field + 1` (0 = none) and varint length.
//! - `search/t/<n>.bin` — term shards: every term is in shard [`shard_of`] (FNV-1a of its
//!   UTF-8 bytes modulo the number of shards, chosen so that shards average
//!   [`SHARD_TARGET_BYTES`]), terms of a shard in code point order. The terms are those
//!   of the tantivy index and the chains of 3 to [`MAX_CHAIN`](super::chains::MAX_CHAIN) CJK units
//!   (see [`super::chains`]). Per term: varint byte length and UTF-8 bytes; varint number
//!   of bigrams `c` of a chain (0 for terms of the index); then per text field: varint
//!   document frequency `df` and, when `df > 0`: the varint byte length of the document
//!   part — bit-packed document gaps (`doc − previous − 1`, the first one is the document
//!   number), bit-packed `term frequency − 1`, and the documents' fieldnorm ids (tantivy's
//!   quantised field lengths) as a varint minimum and bit-packed `id − minimum` — then
//!   where its positions are: varint `positions file + 1` (0: not kept — chains shorter
//!   than [`MAX_CHAIN`](super::chains::MAX_CHAIN)) and, when kept, varint byte offset and byte length; then `c`
//!   varints: the document frequency in this field of each bigram of the chain (its idf
//!   is theirs: tantivy scores a phrase with the sum of its terms' idf).
//! - `search/p/<n>.bin` — positions, fetched only for phrases the chains do not answer:
//!   per term and field, bit-packed first position in each document, then bit-packed
//!   `gap − 1` to the previous position in the same document (a chain's position is its
//!   first bigram's). Files are filled one after the other until they pass
//!   [`POSITIONS_TARGET_BYTES`] — or, when `serve` updates the files in place
//!   ([`Layout::in_place`]), there is one file per shard (`n` = the shard), so that an edit
//!   rewrites only the shards whose terms it changes and their positions.
//! - `search/d/<doc>.json` — one document: URL, title, breadcrumb and sections (anchor,
//!   heading, text), fetched only for results shown.
//!
//! Bit-packed stream: blocks of 128 values, each a byte `w` (bits per value) followed by
//! `ceil(count × w / 8)` bytes holding the values least significant bit first.

use super::analyzer;
use super::chains::{self, ChainKey, DocBigrams, Postings};
use super::docs::Corpus;
use super::index::{SearchIndex, ORD_FIELD, TEXT_FIELDS};
use crate::content::Site;
use crate::diagnostics::Diagnostic;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tantivy::postings::Postings as _;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Term, TERMINATED};

/// Format version written to the manifest (the script refuses others).
pub const FORMAT_VERSION: u32 = 4;

/// A term shard is closed once it holds at least this many bytes
/// (`PLANPRESS_SEARCH_SHARD_BYTES` overrides it, for experiments).
pub const SHARD_TARGET_BYTES: usize = 2 * 1024;

/// A positions file is closed once it holds at least this many bytes
/// (`PLANPRESS_SEARCH_POSITIONS_BYTES` overrides it).
pub const POSITIONS_TARGET_BYTES: usize = 2 * 1024;

/// How the files are laid out and written.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// `serve`'s layout: the positions of each shard in a file of its own, and files
    /// updated in place — only files whose bytes change are written (each whole, by
    /// renaming), and files no longer produced are removed. `false`: a fresh export into
    /// an empty folder, as `build` does.
    pub in_place: bool,
    /// The number of term shards: in place, the earlier export's, so that every term stays
    /// in its shard. `None`: as many as [`SHARD_TARGET_BYTES`] gives.
    pub shards: Option<usize>,
    /// Set by another thread to stop the export at its next file: `serve` stopping while
    /// a refresh writes. The export then returns an error of kind `Interrupted`.
    pub stop: Option<Arc<AtomicBool>>,
}

/// Values per bit-packed block.
const BLOCK: usize = 128;

/// What the export wrote.
#[derive(Debug, Clone, Default)]
pub struct ExportReport {
    /// Documents indexed.
    pub docs: usize,
    /// Distinct terms.
    pub terms: usize,
    /// Term shards.
    pub shards: usize,
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Of the files, those whose bytes changed (all of them in a fresh export).
    pub changed: usize,
    /// Files of an earlier export removed (in place only).
    pub removed: usize,
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    docs: usize,
    fields: Vec<FieldStats>,
    shards: usize,
    plans: Vec<(&'a str, &'a str)>,
    groups: Vec<(usize, &'a str, &'a str)>,
}

#[derive(Serialize)]
struct FieldStats {
    name: &'static str,
    boost: f32,
    tokens: u64,
}

#[derive(Serialize)]
struct DocFile<'a> {
    u: &'a str,
    t: &'a str,
    c: &'a [String],
    s: Vec<(&'a str, &'a str, &'a str)>,
}

/// Builds the search index of `site` and writes the browser files under `dir/search/`.
pub fn write(site: &Site, dir: &Path) -> Result<ExportReport, Diagnostic> {
    export(site, dir, Layout::default())
}

/// Builds the search index of `site` and updates the browser files of an earlier export
/// in `out` (its `search/` folder) in place, keeping its number of shards: `serve`'s
/// refresh after an edit, which then rewrites only the files the edit changes. Without an
/// earlier export (`shards` is `None`) it writes one in that layout. Setting `stop` ends
/// it early, with an error.
pub fn update(
    site: &Site,
    out: &Path,
    shards: Option<usize>,
    stop: Arc<AtomicBool>,
) -> Result<ExportReport, Diagnostic> {
    export(site, out, Layout { in_place: true, shards, stop: Some(stop) })
}

fn export(site: &Site, dir: &Path, layout: Layout) -> Result<ExportReport, Diagnostic> {
    let never = AtomicBool::new(false);
    let index = SearchIndex::build_unless(Corpus::new(site), layout.stop.as_deref().unwrap_or(&never))
        .map_err(|e| Diagnostic::new("search", "search-index", format!("検索用の索引を作れません: {e}")))?;
    write_index_with(&index, &dir.join("search"), layout).map_err(|e| {
        Diagnostic::new(dir.join("search"), "io", format!("検索用のファイルを書き出せません: {e}"))
            .help("出力先のフォルダに書き込めるか、ディスクの空きを確認してください")
    })
}

/// What an export writes in `search/`, beside the search page (`index.html`).
const ENTRIES: [&str; 5] = ["t", "p", "d", "docs.bin", "manifest.json"];

/// Moves the export in the folder `from` into the folder `to` (both `search/` folders),
/// replacing the one there and leaving the search page alone. The manifest comes last.
pub fn move_export(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for name in ENTRIES {
        let (src, dst) = (from.join(name), to.join(name));
        if !src.exists() {
            continue;
        }
        if dst.is_dir() {
            std::fs::remove_dir_all(&dst)?;
        } else if dst.exists() {
            std::fs::remove_file(&dst)?;
        }
        std::fs::rename(&src, &dst)?;
    }
    Ok(())
}

/// The number of shards of the export in `dir` (its `manifest.json`), if it can be read.
pub fn shards_of(dir: &Path) -> Option<usize> {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).ok()?).ok()?;
    if json.get("version")?.as_u64()? != u64::from(FORMAT_VERSION) {
        return None;
    }
    json.get("shards")?.as_u64().map(|n| n as usize).filter(|&n| n > 0)
}

/// Writes the browser files of `index` into `out` (created if needed).
pub fn write_index(index: &SearchIndex, out: &Path) -> std::io::Result<ExportReport> {
    write_index_with(index, out, Layout::default())
}

/// Writes the files of one export, plainly into a fresh folder or in place, and counts them.
struct Files {
    dir: PathBuf,
    in_place: bool,
    /// [`Layout::stop`].
    stop: Option<Arc<AtomicBool>>,
    /// Written this time (in place: to remove the others afterwards).
    written: rustc_hash::FxHashSet<PathBuf>,
    /// Counts for the [`ExportReport`]: files, bytes, changed, removed.
    files: usize,
    bytes: u64,
    changed: usize,
    removed: usize,
}

impl Files {
    fn new(dir: &Path, layout: &Layout) -> Self {
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
    fn check_stop(&self) -> std::io::Result<()> {
        if self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "stopped"));
        }
        Ok(())
    }

    fn write(&mut self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
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
    fn remove_others(&mut self, sub: &str) -> std::io::Result<()> {
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
    fn count_into(&self, report: &mut ExportReport) {
        report.files = self.files;
        report.bytes = self.bytes;
        report.changed = self.changed;
        report.removed = self.removed;
    }
}

/// [`write_index`] with a [`Layout`].
pub fn write_index_with(index: &SearchIndex, out: &Path, layout: Layout) -> std::io::Result<ExportReport> {
    let io = |e: tantivy::TantivyError| std::io::Error::other(e.to_string());
    let searcher = &index.searcher;
    let n = index.corpus.docs.len();
    let mut report = ExportReport { docs: n, ..Default::default() };
    std::fs::create_dir_all(out.join("t"))?;
    std::fs::create_dir_all(out.join("p"))?;
    std::fs::create_dir_all(out.join("d"))?;
    let mut files = Files::new(out, &layout);

    // Per segment: document number of every doc id.
    let segments = searcher.segment_readers();
    let mut ords: Vec<Vec<u32>> = Vec::with_capacity(segments.len());
    for seg in segments {
        let col = seg.fast_fields().u64(ORD_FIELD).map_err(io)?;
        ords.push((0..seg.max_doc()).map(|d| col.first(d).unwrap_or(0) as u32).collect());
    }

    // Fieldnorm ids per field and document, and the token totals BM25 averages over.
    let mut norms = vec![vec![0u8; n]; TEXT_FIELDS.len()];
    let mut totals = [0u64; 3];
    for (si, seg) in segments.iter().enumerate() {
        for (fi, &field) in index.fields.text.iter().enumerate() {
            totals[fi] += seg.inverted_index(field).map_err(io)?.total_num_tokens();
            if let Some(reader) = seg.fieldnorms_readers().get_field(field).map_err(io)? {
                for d in 0..seg.max_doc() {
                    norms[fi][ords[si][d as usize] as usize] = reader.fieldnorm_id(d);
                }
            }
        }
    }

    // docs.bin: the policy field of every document, as runs.
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for d in &index.corpus.docs {
        let g = d.group.map_or(0, |g| g as u64 + 1);
        match runs.last_mut() {
            Some((last, n)) if *last == g => *n += 1,
            _ => runs.push((g, 1)),
        }
    }
    let mut docs_bin = Vec::new();
    put_varint(&mut docs_bin, runs.len() as u64);
    for (g, n) in runs {
        put_varint(&mut docs_bin, g);
        put_varint(&mut docs_bin, n);
    }
    files.write("docs.bin", &docs_bin)?;

    // Every term of every text field, in byte (= code point) order.
    let mut keys: BTreeSet<Vec<u8>> = BTreeSet::new();
    for seg in segments {
        for &field in &index.fields.text {
            let inv = seg.inverted_index(field).map_err(io)?;
            let mut stream = inv.terms().stream()?;
            while stream.advance() {
                keys.insert(stream.key().to_vec());
            }
        }
    }

    let target = env_bytes("PLANPRESS_SEARCH_SHARD_BYTES", SHARD_TARGET_BYTES);
    // Positions are written as the entries are encoded, unless they go by shard and the
    // number of shards depends on the entries' size: then the entries wait.
    let mut positions = match (layout.in_place, layout.shards) {
        (false, _) => Positions::Writing(PositionsWriter::new(
            files,
            env_bytes("PLANPRESS_SEARCH_POSITIONS_BYTES", POSITIONS_TARGET_BYTES),
        )),
        (true, Some(shards)) => Positions::Writing(PositionsWriter::by_shard(files, shards)),
        (true, None) => Positions::Waiting(files),
    };
    let mut entries: Vec<(Vec<u8>, Entry)> = Vec::with_capacity(keys.len());
    // Bigrams: text, document frequency per field, and where each occurs (for chains).
    let mut bigrams: Vec<&str> = Vec::new();
    let mut bigram_df: Vec<[u32; 3]> = Vec::new();
    let mut occurrences: Vec<Vec<DocBigrams>> = vec![vec![Vec::new(); n]; TEXT_FIELDS.len()];
    // One posting list as read: (document, start and end in `flat`), segment after segment.
    let mut raw: Vec<(u32, u32, u32)> = Vec::new();
    let mut flat: Vec<u32> = Vec::new();
    for key in &keys {
        positions.files().check_stop()?;
        let text = std::str::from_utf8(key).unwrap_or("");
        let bigram = is_bigram(text).then(|| {
            bigrams.push(text);
            bigram_df.push([0; 3]);
            bigrams.len() as u32 - 1
        });
        let mut fields = Vec::with_capacity(TEXT_FIELDS.len());
        for (fi, &field) in index.fields.text.iter().enumerate() {
            raw.clear();
            flat.clear();
            let term = Term::from_field_bytes(field, key);
            for (si, seg) in segments.iter().enumerate() {
                let inv = seg.inverted_index(field).map_err(io)?;
                let Some(info) = inv.get_term_info(&term)? else { continue };
                let mut p = inv.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqsAndPositions)?;
                while p.doc() != TERMINATED {
                    let start = flat.len() as u32;
                    p.append_positions_with_offset(0, &mut flat);
                    raw.push((ords[si][p.doc() as usize], start, flat.len() as u32));
                    p.advance();
                }
            }
            raw.sort_unstable_by_key(|r| r.0);
            let mut postings = Postings {
                docs: Vec::with_capacity(raw.len()),
                tfs: Vec::with_capacity(raw.len()),
                positions: Vec::with_capacity(flat.len()),
            };
            for &(d, a, b) in &raw {
                let pos = &flat[a as usize..b as usize];
                postings.docs.push(d);
                postings.tfs.push(pos.len() as u32);
                postings.positions.extend_from_slice(pos);
                if let Some(id) = bigram {
                    occurrences[fi][d as usize].extend(pos.iter().map(|&p| (p, id)));
                }
            }
            if let Some(id) = bigram {
                bigram_df[id as usize][fi] = postings.docs.len() as u32;
            }
            fields.push(postings);
        }
        let entry = positions.settle(key, encode_entry(key, &fields, &[], &norms, true))?;
        entries.push((key.clone(), entry));
    }
    report.terms = keys.len();

    // Chains of CJK units (see chains.rs), in key order so the output is reproducible.
    let mut per_field: Vec<FxHashMap<ChainKey, Postings>> =
        occurrences.par_iter_mut().map(|docs| chains::chains(docs)).collect();
    drop(occurrences);
    let mut chain_keys: Vec<(String, ChainKey)> = per_field
        .iter()
        .flat_map(|m| m.keys())
        .collect::<rustc_hash::FxHashSet<_>>()
        .into_iter()
        .map(|k| (chain_text(k, &bigrams), *k))
        .collect();
    chain_keys.sort_unstable();
    for (text, key) in &chain_keys {
        let ids = &key[..chains::bigram_count(key)];
        let mut fields = Vec::with_capacity(TEXT_FIELDS.len());
        let mut dfs = Vec::with_capacity(TEXT_FIELDS.len());
        for (fi, map) in per_field.iter_mut().enumerate() {
            fields.push(map.remove(key).unwrap_or_default());
            dfs.push(ids.iter().map(|&b| bigram_df[b as usize][fi]).collect::<Vec<u32>>());
        }
        let entry = positions
            .settle(text.as_bytes(), encode_entry(text.as_bytes(), &fields, &dfs, &norms, chains::is_full(key)))?;
        entries.push((text.as_bytes().to_vec(), entry));
    }
    report.terms += chain_keys.len();

    // Term shards: each term goes to the shard its hash picks, so the script finds it
    // without a directory of terms.
    let total: usize = entries.iter().map(|(_, e)| e.size()).sum();
    let shards = layout.shards.unwrap_or_else(|| total.div_ceil(target).max(1));
    let mut writer = match positions {
        Positions::Writing(w) => w,
        Positions::Waiting(files) => PositionsWriter::by_shard(files, shards),
    };
    let mut buckets: Vec<Vec<(Vec<u8>, Vec<u8>)>> = vec![Vec::new(); shards];
    for (key, entry) in entries {
        let bytes = entry.finish(&key, &mut writer)?;
        buckets[shard_of(&key, shards)].push((key, bytes));
    }
    let mut files = writer.finish()?;
    // Documents and positions before the shards that point to them, the manifest last: a
    // file is only referred to by files written after it.
    for (i, d) in index.corpus.docs.iter().enumerate() {
        let file = DocFile {
            u: &d.url,
            t: &d.title,
            c: &d.crumbs,
            s: d.sections.iter().map(|s| (s.anchor.as_str(), s.heading.as_str(), s.text.as_str())).collect(),
        };
        let json = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
        files.write(&format!("d/{i}.json"), &json)?;
    }
    for (i, mut bucket) in buckets.into_iter().enumerate() {
        bucket.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let bytes: Vec<u8> = bucket.into_iter().flat_map(|(_, e)| e).collect();
        files.write(&format!("t/{i}.bin"), &bytes)?;
    }
    report.shards = shards;

    // Plans in site order (from their policy fields).
    let mut plans: Vec<(String, String)> = Vec::new();
    for g in &index.corpus.groups {
        let id = g.id.split_once('/').map_or("", |(p, _)| p);
        if !plans.iter().any(|(p, _)| p == id) {
            plans.push((id.to_string(), g.plan.clone()));
        }
    }
    let manifest = Manifest {
        version: FORMAT_VERSION,
        docs: n,
        fields: TEXT_FIELDS
            .iter()
            .zip(totals)
            .map(|(&(name, boost), tokens)| FieldStats { name, boost, tokens })
            .collect(),
        shards,
        plans: plans.iter().map(|(id, title)| (id.as_str(), title.as_str())).collect(),
        groups: index
            .corpus
            .groups
            .iter()
            .map(|g| {
                let (plan, node) = g.id.split_once('/').unwrap_or(("", g.id.as_str()));
                (plans.iter().position(|(id, _)| id == plan).unwrap_or(0), node, g.label.as_str())
            })
            .collect(),
    };
    let json = serde_json::to_vec(&manifest).map_err(std::io::Error::other)?;
    files.write("manifest.json", &json)?;
    for sub in ["t", "p", "d"] {
        files.remove_others(sub)?;
    }
    files.count_into(&mut report);
    Ok(report)
}

/// `name` from the environment as a byte count, or `default`.
fn env_bytes(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
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

/// The term shard of `key`: FNV-1a (32 bits) of its UTF-8 bytes, modulo `shards`.
pub fn shard_of(key: &[u8], shards: usize) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for &b in key {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h as usize % shards
}

/// Fills the positions files `p/<n>.bin` one after the other, or keeps the positions of
/// each shard in a buffer of its own, written as `p/<shard>.bin` at the end
/// ([`Layout::in_place`]). Holds the export's [`Files`] meanwhile.
struct PositionsWriter {
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

    fn by_shard(files: Files, shards: usize) -> Self {
        PositionsWriter { shards: Some((vec![Vec::new(); shards], 0)), ..Self::new(files, 0) }
    }

    /// The term whose positions come next (by shard: they go to its shard's file).
    fn term(&mut self, key: &[u8]) {
        if let Some((buffers, current)) = &mut self.shards {
            *current = shard_of(key, buffers.len());
        }
    }

    /// Appends `bytes`; returns (file number, offset, length).
    fn add(&mut self, bytes: &[u8]) -> std::io::Result<(usize, usize, usize)> {
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
    fn finish(mut self) -> std::io::Result<Files> {
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

/// One term's entry in its shard (see the module documentation). `dfs` holds, per field,
/// the document frequencies of a chain's bigrams (empty for terms of the index);
/// positions are written when `positions` is given.
fn encode_entry(key: &[u8], fields: &[Postings], dfs: &[Vec<u32>], norms: &[Vec<u8>], keep_positions: bool) -> Entry {
    let mut entry = Vec::new();
    let mut holes = Vec::new();
    put_varint(&mut entry, key.len() as u64);
    entry.extend_from_slice(key);
    put_varint(&mut entry, dfs.first().map_or(0, Vec::len) as u64);
    for (fi, p) in fields.iter().enumerate() {
        put_varint(&mut entry, p.docs.len() as u64);
        if p.docs.is_empty() {
            continue;
        }
        let block = encode_docs(&p.docs, &p.tfs, &norms[fi]);
        put_varint(&mut entry, block.len() as u64);
        entry.extend_from_slice(&block);
        if keep_positions {
            holes.push((entry.len(), encode_positions(&p.tfs, &p.positions)));
        } else {
            put_varint(&mut entry, 0);
        }
        for &df in dfs.get(fi).map_or(&[][..], Vec::as_slice) {
            put_varint(&mut entry, u64::from(df));
        }
    }
    Entry { bytes: entry, holes }
}

/// A term's entry whose positions may not be written yet: `holes` holds, in order, where
/// in `bytes` each field's positions location goes and those positions, encoded.
struct Entry {
    bytes: Vec<u8>,
    holes: Vec<(usize, Vec<u8>)>,
}

impl Entry {
    /// Its size in bytes once finished (exact without holes; a location is three varints,
    /// mostly of one or two bytes).
    fn size(&self) -> usize {
        self.bytes.len() + 5 * self.holes.len()
    }

    /// Writes its positions with `w` and returns the entry with their locations.
    fn finish(self, key: &[u8], w: &mut PositionsWriter) -> std::io::Result<Vec<u8>> {
        if self.holes.is_empty() {
            return Ok(self.bytes);
        }
        w.term(key);
        let mut out = Vec::with_capacity(self.size());
        let mut from = 0;
        for (at, positions) in &self.holes {
            out.extend_from_slice(&self.bytes[from..*at]);
            let (file, offset, len) = w.add(positions)?;
            put_varint(&mut out, file as u64 + 1);
            put_varint(&mut out, offset as u64);
            put_varint(&mut out, len as u64);
            from = *at;
        }
        out.extend_from_slice(&self.bytes[from..]);
        Ok(out)
    }
}

/// The positions writer of an export, or, while the number of shards it needs is not
/// known, the files it will write with.
enum Positions {
    Writing(PositionsWriter),
    Waiting(Files),
}

impl Positions {
    fn files(&self) -> &Files {
        match self {
            Positions::Writing(w) => &w.files,
            Positions::Waiting(f) => f,
        }
    }

    /// Finishes `entry` now if its positions can be written, else keeps it waiting.
    fn settle(&mut self, key: &[u8], entry: Entry) -> std::io::Result<Entry> {
        match self {
            Positions::Writing(w) => Ok(Entry { bytes: entry.finish(key, w)?, holes: Vec::new() }),
            Positions::Waiting(_) => Ok(entry),
        }
    }
}

/// Appends `v` as an unsigned LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Appends `values` bit-packed in blocks of 128 (see the module documentation).
pub fn put_packed(out: &mut Vec<u8>, values: &[u32]) {
    for block in values.chunks(BLOCK) {
        let max = block.iter().copied().max().unwrap_or(0);
        let width = 32 - max.leading_zeros();
        out.push(width as u8);
        let mut acc: u64 = 0;
        let mut bits = 0;
        for &v in block {
            acc |= (v as u64) << bits;
            bits += width;
            while bits >= 8 {
                out.push(acc as u8);
                acc >>= 8;
                bits -= 8;
            }
        }
        if bits > 0 {
            out.push(acc as u8);
        }
    }
}

/// Reads `count` bit-packed values from `bytes` at `*at` (the inverse of [`put_packed`]).
pub fn get_packed(bytes: &[u8], at: &mut usize, count: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let n = (count - out.len()).min(BLOCK);
        let width = bytes[*at] as u32;
        *at += 1;
        let mut acc: u64 = 0;
        let mut bits = 0;
        for _ in 0..n {
            while bits < width {
                acc |= (bytes[*at] as u64) << bits;
                *at += 1;
                bits += 8;
            }
            out.push((acc & ((1u64 << width) - 1)) as u32);
            acc >>= width;
            bits -= width;
        }
    }
    out
}

/// The document part of a posting list: gaps, `tf − 1`, and the documents' fieldnorm ids
/// (varint minimum, then packed `id − minimum`).
fn encode_docs(docs: &[u32], tfs: &[u32], norms: &[u8]) -> Vec<u8> {
    let mut gaps = Vec::with_capacity(docs.len());
    let mut prev: i64 = -1;
    for &d in docs {
        gaps.push((i64::from(d) - prev - 1) as u32);
        prev = i64::from(d);
    }
    let ids: Vec<u32> = docs.iter().map(|&d| u32::from(norms[d as usize])).collect();
    let min = ids.iter().copied().min().unwrap_or(0);
    let mut out = Vec::new();
    put_packed(&mut out, &gaps);
    put_packed(&mut out, &tfs.iter().map(|t| t - 1).collect::<Vec<_>>());
    put_varint(&mut out, u64::from(min));
    put_packed(&mut out, &ids.iter().map(|i| i - min).collect::<Vec<_>>());
    out
}

/// The positions of a posting list (`positions` holds `tfs[i]` ascending positions per
/// document): the first position in each document, then the other positions as
/// `gap − 1` from the previous one in the same document.
fn encode_positions(tfs: &[u32], positions: &[u32]) -> Vec<u8> {
    let mut firsts = Vec::with_capacity(tfs.len());
    let mut rest = Vec::with_capacity(positions.len() - tfs.len());
    let mut at = 0;
    for &tf in tfs {
        let doc = &positions[at..at + tf as usize];
        firsts.push(doc[0]);
        rest.extend(doc.windows(2).map(|w| w[1] - w[0] - 1));
        at += tf as usize;
    }
    let mut out = Vec::new();
    put_packed(&mut out, &firsts);
    put_packed(&mut out, &rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips() {
        for values in [vec![], vec![0u32; 5], (0..300).collect::<Vec<u32>>(), vec![1, 70000, 3, u32::MAX, 0]] {
            let mut out = Vec::new();
            put_packed(&mut out, &values);
            let mut at = 0;
            assert_eq!(get_packed(&out, &mut at, values.len()), values);
            assert_eq!(at, out.len());
        }
    }

    fn varint(bytes: &[u8], at: &mut usize) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = bytes[*at];
            *at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    /// Every term of the export in `dir`: per field its df, document part and positions
    /// bytes (read where the entry points), and the chain's bigram dfs.
    #[allow(clippy::type_complexity)]
    fn decode(dir: &Path) -> std::collections::BTreeMap<Vec<u8>, Vec<(u64, Vec<u8>, Option<Vec<u8>>, Vec<u64>)>> {
        let mut out = std::collections::BTreeMap::new();
        for e in std::fs::read_dir(dir.join("t")).unwrap() {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            let mut at = 0;
            while at < bytes.len() {
                let len = varint(&bytes, &mut at) as usize;
                let key = bytes[at..at + len].to_vec();
                at += len;
                let bigrams = varint(&bytes, &mut at);
                let mut fields = Vec::new();
                for _ in TEXT_FIELDS {
                    let df = varint(&bytes, &mut at);
                    if df == 0 {
                        fields.push((0, Vec::new(), None, Vec::new()));
                        continue;
                    }
                    let n = varint(&bytes, &mut at) as usize;
                    let docs = bytes[at..at + n].to_vec();
                    at += n;
                    let file = varint(&bytes, &mut at);
                    let positions = (file > 0).then(|| {
                        let (offset, len) = (varint(&bytes, &mut at) as usize, varint(&bytes, &mut at) as usize);
                        std::fs::read(dir.join(format!("p/{}.bin", file - 1))).unwrap()[offset..offset + len].to_vec()
                    });
                    let dfs = (0..bigrams).map(|_| varint(&bytes, &mut at)).collect();
                    fields.push((df, docs, positions, dfs));
                }
                out.insert(key, fields);
            }
        }
        out
    }

    fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
            .collect()
    }

    fn index_of(root: &Path) -> SearchIndex {
        let site =
            crate::build::load(&crate::build::BuildOptions { root: root.to_path_buf(), ..Default::default() }).unwrap();
        SearchIndex::build(Corpus::new(&site)).unwrap()
    }

    #[test]
    fn in_place_updates_rewrite_only_what_an_edit_changes() {
        let site = crate::test_support::fixture_copy("features");
        let root = site.path();
        let t = tempfile::tempdir().unwrap();
        let (fresh, live) = (t.path().join("fresh"), t.path().join("live"));
        let first = write_index(&index_of(root), &fresh).unwrap();
        // serve: the build's export, then refreshes in place with its number of shards.
        write_index(&index_of(root), &live).unwrap();
        let shards = shards_of(&live).unwrap();
        assert_eq!(shards, first.shards);
        write_index_with(&index_of(root), &live, Layout { in_place: true, shards: Some(shards), stop: None }).unwrap();
        assert_eq!(decode(&live), decode(&fresh), "the same terms, postings and positions, positions by shard");

        crate::test_support::edit(root, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
        let index = index_of(root);
        let r = write_index_with(&index, &live, Layout { in_place: true, shards: Some(shards), stop: None }).unwrap();
        // (On this 11-page fixture most shards hold a term of the edited page.)
        assert!(r.changed > 0 && r.changed < r.files, "an edit rewrites some files, not all: {r:?}");
        // The same as exporting the edited site afresh with that layout.
        let again = t.path().join("again");
        write_index_with(&index, &again, Layout { in_place: true, shards: Some(shards), stop: None }).unwrap();
        assert_eq!(tree(&live), tree(&again));
        let edited = t.path().join("edited");
        write_index(&index, &edited).unwrap();
        assert_eq!(decode(&live), decode(&edited));
        // Nothing changed: nothing written.
        let r = write_index_with(&index, &live, Layout { in_place: true, shards: Some(shards), stop: None }).unwrap();
        assert_eq!((r.changed, r.removed), (0, 0), "{r:?}");
    }

    #[test]
    fn a_first_export_in_serve_layout_holds_what_a_build_does() {
        let site = crate::test_support::fixture_copy("features");
        let t = tempfile::tempdir().unwrap();
        let (built, served) = (t.path().join("built"), t.path().join("served"));
        let report = write_index(&index_of(site.path()), &built).unwrap();
        let r =
            write_index_with(&index_of(site.path()), &served, Layout { in_place: true, ..Default::default() }).unwrap();
        assert_eq!(decode(&served), decode(&built));
        // About as many shards as a build (positions locations are estimated).
        assert!(r.shards.abs_diff(report.shards) * 8 <= report.shards, "{} vs {}", r.shards, report.shards);
        assert_eq!(r.changed, r.files);
    }

    #[test]
    fn a_stopped_update_writes_nothing() {
        let site = crate::test_support::fixture_copy("features");
        let root = site.path();
        let t = tempfile::tempdir().unwrap();
        let live = t.path().join("live");
        write_index(&index_of(root), &live).unwrap();
        let before = tree(&live);
        crate::test_support::edit(root, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
        let stop = Some(Arc::new(AtomicBool::new(true)));
        let layout = Layout { in_place: true, shards: shards_of(&live), stop };
        let err = write_index_with(&index_of(root), &live, layout).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::Interrupted);
        assert_eq!(tree(&live), before, "no file written or removed");
    }

    #[test]
    fn varints() {
        let mut v = Vec::new();
        put_varint(&mut v, 300);
        assert_eq!(v, vec![0xac, 0x02]);
    }

    #[test]
    fn bigrams_are_two_cjk_units() {
        assert!(is_bigram("子育"));
        assert!(is_bigram("か\u{3099}き"), "a unit keeps its mark");
        assert!(!is_bigram("子"));
        assert!(!is_bigram("子育て"));
        assert!(!is_bigram("ic"));
    }

    #[test]
    fn chain_text_joins_units() {
        let bigrams = ["まち", "ちづ", "づく", "か\u{3099}き"];
        assert_eq!(chain_text(&[0, 1, 2, u32::MAX], &bigrams), "まちづく");
        assert_eq!(chain_text(&[3, 3, u32::MAX, u32::MAX], &bigrams), "か\u{3099}きき");
    }

    #[test]
    fn shards_are_fnv1a() {
        // FNV-1a of "a" is 0xe40c292c. The script must hash alike: the equivalence tests
        // (tests/browser/search.test.mjs) find every term through it.
        assert_eq!(shard_of(b"a", usize::MAX), 0xe40c_292c);
        assert_eq!(shard_of("子育".as_bytes(), 1), 0);
    }
}
