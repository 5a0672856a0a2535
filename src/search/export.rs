//! The browser's copy of the index, written under `search/` in the output: read back from
//! the tantivy index through its reader API, so the script ranks exactly as tantivy does.
//!
//! # Files
//!
//! - `search/manifest.json` — format version, number of documents, per text field its name,
//!   boost and total number of tokens (for BM25's average field length), the first term
//!   (shortest separating prefix) of every term shard, the plans (`[id, title]`) and the
//!   policy fields (`[plan index, node id, label]`; the field's id is `<plan id>/<node id>`).
//! - `search/docs.bin` — the policy field of every document, as runs: varint number of
//!   runs, then per run varint `field + 1` (0 = none) and varint length.
//! - `search/t/<n>.bin` — term shards: terms in code point order, packed until a shard
//!   passes [`SHARD_TARGET_BYTES`]. Per term: varint byte length and UTF-8 bytes; then per
//!   text field: varint document frequency `df` and, when `df > 0`: the varint byte length
//!   of the document part — bit-packed document gaps (`doc − previous − 1`, the first one
//!   is the document number), bit-packed `term frequency − 1`, and the documents'
//!   fieldnorm ids (tantivy's quantised field lengths) as a varint minimum and bit-packed
//!   `id − minimum` — followed by where its positions are: varint positions file number,
//!   byte offset and byte length.
//! - `search/p/<n>.bin` — positions, fetched only for phrases (terms of two or more
//!   tokens): per term and field, bit-packed first position in each document, then
//!   bit-packed `gap − 1` to the previous position in the same document. Files are filled
//!   in term order until they pass [`POSITIONS_TARGET_BYTES`].
//! - `search/d/<doc>.json` — one document: URL, title, breadcrumb and sections (anchor,
//!   heading, text), fetched only for results shown.
//!
//! Bit-packed stream: blocks of 128 values, each a byte `w` (bits per value) followed by
//! `ceil(count × w / 8)` bytes holding the values least significant bit first.

use super::docs::Corpus;
use super::index::{SearchIndex, ORD_FIELD, TEXT_FIELDS};
use crate::content::Site;
use crate::diagnostics::Diagnostic;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::Path;
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Term, TERMINATED};

/// Format version written to the manifest (the script refuses others).
pub const FORMAT_VERSION: u32 = 3;

/// A term shard is closed once it holds at least this many bytes
/// (`PLANPRESS_SEARCH_SHARD_BYTES` overrides it, for experiments).
pub const SHARD_TARGET_BYTES: usize = 4 * 1024;

/// A positions file is closed once it holds at least this many bytes
/// (`PLANPRESS_SEARCH_POSITIONS_BYTES` overrides it).
pub const POSITIONS_TARGET_BYTES: usize = 8 * 1024;

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
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    docs: usize,
    fields: Vec<FieldStats>,
    shards: Vec<String>,
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
    let index = SearchIndex::build(Corpus::new(site))
        .map_err(|e| Diagnostic::new("search", "search-index", format!("検索用の索引を作れません: {e}")))?;
    write_index(&index, &dir.join("search")).map_err(|e| {
        Diagnostic::new(dir.join("search"), "io", format!("検索用のファイルを書き出せません: {e}"))
            .help("出力先のフォルダに書き込めるか、ディスクの空きを確認してください")
    })
}

/// Writes the browser files of `index` into `out` (created if needed).
pub fn write_index(index: &SearchIndex, out: &Path) -> std::io::Result<ExportReport> {
    let io = |e: tantivy::TantivyError| std::io::Error::other(e.to_string());
    let searcher = &index.searcher;
    let n = index.corpus.docs.len();
    let mut report = ExportReport { docs: n, ..Default::default() };
    std::fs::create_dir_all(out.join("t"))?;
    std::fs::create_dir_all(out.join("p"))?;
    std::fs::create_dir_all(out.join("d"))?;
    let write = |path: &Path, bytes: &[u8], report: &mut ExportReport| -> std::io::Result<()> {
        std::fs::write(path, bytes)?;
        report.files += 1;
        report.bytes += bytes.len() as u64;
        Ok(())
    };

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
    write(&out.join("docs.bin"), &docs_bin, &mut report)?;

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
    report.terms = keys.len();

    let target = std::env::var("PLANPRESS_SEARCH_SHARD_BYTES").ok().and_then(|v| v.parse().ok()).unwrap_or(SHARD_TARGET_BYTES);
    let pos_target = std::env::var("PLANPRESS_SEARCH_POSITIONS_BYTES").ok().and_then(|v| v.parse().ok()).unwrap_or(POSITIONS_TARGET_BYTES);
    let mut separators: Vec<String> = Vec::new();
    let mut shard: Vec<u8> = Vec::new();
    let mut pos_file: Vec<u8> = Vec::new();
    let mut pos_files = 0usize;
    let mut last_key: Vec<u8> = Vec::new();
    let mut entry = Vec::new();
    let mut postings: Vec<(u32, Vec<u32>)> = Vec::new();
    let mut positions = Vec::new();
    for key in &keys {
        entry.clear();
        put_varint(&mut entry, key.len() as u64);
        entry.extend_from_slice(key);
        for (fi, &field) in index.fields.text.iter().enumerate() {
            postings.clear();
            let term = Term::from_field_bytes(field, key);
            for (si, seg) in segments.iter().enumerate() {
                let inv = seg.inverted_index(field).map_err(io)?;
                let Some(info) = inv.get_term_info(&term)? else { continue };
                let mut p = inv.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqsAndPositions)?;
                while p.doc() != TERMINATED {
                    positions.clear();
                    p.positions(&mut positions);
                    postings.push((ords[si][p.doc() as usize], positions.clone()));
                    p.advance();
                }
            }
            postings.sort_by_key(|(d, _)| *d);
            put_varint(&mut entry, postings.len() as u64);
            if postings.is_empty() {
                continue;
            }
            let block = encode_docs(&postings, &norms[fi]);
            put_varint(&mut entry, block.len() as u64);
            entry.extend_from_slice(&block);
            let pos = encode_positions(&postings);
            put_varint(&mut entry, pos_files as u64);
            put_varint(&mut entry, pos_file.len() as u64);
            put_varint(&mut entry, pos.len() as u64);
            pos_file.extend_from_slice(&pos);
            if pos_file.len() >= pos_target {
                write(&out.join(format!("p/{pos_files}.bin")), &pos_file, &mut report)?;
                pos_file.clear();
                pos_files += 1;
            }
        }
        if shard.is_empty() {
            separators.push(if separators.is_empty() { String::new() } else { separator(&last_key, key) });
        }
        shard.extend_from_slice(&entry);
        last_key.clone_from(key);
        if shard.len() >= target {
            write(&out.join(format!("t/{}.bin", separators.len() - 1)), &shard, &mut report)?;
            shard.clear();
        }
    }
    if !shard.is_empty() {
        write(&out.join(format!("t/{}.bin", separators.len() - 1)), &shard, &mut report)?;
    }
    if !pos_file.is_empty() {
        write(&out.join(format!("p/{pos_files}.bin")), &pos_file, &mut report)?;
    }
    report.shards = separators.len();

    for (i, d) in index.corpus.docs.iter().enumerate() {
        let file = DocFile { u: &d.url, t: &d.title, c: &d.crumbs, s: d.sections.iter().map(|s| (s.anchor.as_str(), s.heading.as_str(), s.text.as_str())).collect() };
        let json = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
        write(&out.join(format!("d/{i}.json")), &json, &mut report)?;
    }

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
        fields: TEXT_FIELDS.iter().zip(totals).map(|(&(name, boost), tokens)| FieldStats { name, boost, tokens }).collect(),
        shards: separators,
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
    write(&out.join("manifest.json"), &json, &mut report)?;
    Ok(report)
}

/// The shortest prefix of `next` (in whole characters) that sorts after `prev`.
fn separator(prev: &[u8], next: &[u8]) -> String {
    let next = String::from_utf8_lossy(next);
    let mut end = 0;
    for (i, c) in next.char_indices() {
        end = i + c.len_utf8();
        if next.as_bytes()[..end] > *prev {
            break;
        }
    }
    next[..end].to_string()
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
fn encode_docs(postings: &[(u32, Vec<u32>)], norms: &[u8]) -> Vec<u8> {
    let mut gaps = Vec::with_capacity(postings.len());
    let mut tfs = Vec::with_capacity(postings.len());
    let mut prev: i64 = -1;
    for (d, p) in postings {
        gaps.push((*d as i64 - prev - 1) as u32);
        prev = *d as i64;
        tfs.push(p.len() as u32 - 1);
    }
    let ids: Vec<u32> = postings.iter().map(|(d, _)| u32::from(norms[*d as usize])).collect();
    let min = ids.iter().copied().min().unwrap_or(0);
    let mut out = Vec::new();
    put_packed(&mut out, &gaps);
    put_packed(&mut out, &tfs);
    put_varint(&mut out, u64::from(min));
    put_packed(&mut out, &ids.iter().map(|i| i - min).collect::<Vec<_>>());
    out
}

/// The positions of a posting list: the first position in each document, then the other
/// positions as `gap − 1` from the previous one in the same document.
fn encode_positions(postings: &[(u32, Vec<u32>)]) -> Vec<u8> {
    let firsts: Vec<u32> = postings.iter().map(|(_, p)| p[0]).collect();
    let rest: Vec<u32> = postings.iter().flat_map(|(_, p)| p.windows(2).map(|w| w[1] - w[0] - 1)).collect();
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

    #[test]
    fn varints() {
        let mut v = Vec::new();
        put_varint(&mut v, 300);
        assert_eq!(v, vec![0xac, 0x02]);
    }

    #[test]
    fn separators_are_shortest_prefixes() {
        assert_eq!(separator("子育".as_bytes(), "子供".as_bytes()), "子供");
        assert_eq!(separator("子".as_bytes(), "支援".as_bytes()), "支");
        assert_eq!(separator("ab".as_bytes(), "abc".as_bytes()), "abc");
    }
}
