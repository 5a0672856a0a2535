//! The browser's copy of the index, written under `search/` in the output: read back from
//! the tantivy index through its reader API, so the script ranks exactly as tantivy does.
//!
//! The files, record by record, are specified in `docs/SEARCH_FORMAT.md` (format version
//! [`FORMAT_VERSION`]): `manifest.json` (fields, shards, plans, policy fields),
//! `docs.bin` (the policy field of every document), the term shards `t/<n>.bin` (every
//! term of the index, every chain of CJK units and every mixed chain of words and CJK units,
//! in shard [`shard_of`]), the positions
//! `p/<n>.bin` and the documents `d/<doc>.json`.
//!
//! - `layout`: layout options, shards, the manifest, moving an export.
//! - `source`: reading the tantivy index (documents, fieldnorms, terms, postings).
//! - `terms`: the entries of the terms and chains, and their shards.
//! - `codec`: varints, bit-packed streams, posting lists, term entries.
//! - `positions`: filling the positions files.
//! - `windows`: the chains' windows by pass, in a scratch file.
//! - `documents`: `docs.bin` and `d/<doc>.json`.
//! - `writer`: writing the files, fresh or in place, and counting them.

mod codec;
mod documents;
mod layout;
mod positions;
mod readings;
mod source;
mod terms;
mod windows;
mod writer;

pub use codec::{get_packed, get_varint, put_packed, put_varint};
pub use layout::{move_export, shard_of, shards_of, Layout, POSITIONS_TARGET_BYTES, SHARD_TARGET_BYTES};

use super::docs::Corpus;
use super::index::SearchIndex;
use super::readings::Readings;
use crate::content::Site;
use crate::diagnostics::Diagnostic;
use positions::Positions;
use source::Source;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use terms::Bigrams;
use writer::Files;

/// Format version written to the manifest (the script refuses others).
pub const FORMAT_VERSION: u32 = 7;

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

/// Runs `export_here` on a thread pool of its own: the export runs beside the pages (in
/// `build`) or beside serve's rebuilds, and on their pool its parallel steps would queue
/// behind every page, leaving all of its work to a serial tail after them. On two pools
/// the cores are shared between the two from the start.
fn export(site: &Site, dir: &Path, layout: Layout) -> Result<ExportReport, Diagnostic> {
    match rayon::ThreadPoolBuilder::new().thread_name(|i| format!("planpress-search-{i}")).build() {
        Ok(pool) => pool.install(|| export_here(site, dir, layout)),
        Err(_) => export_here(site, dir, layout),
    }
}

fn export_here(site: &Site, dir: &Path, layout: Layout) -> Result<ExportReport, Diagnostic> {
    let never = AtomicBool::new(false);
    let corpus = Corpus::new(site);
    // The analyser first: its dictionary (over 150 MB once loaded) is gone before the
    // tantivy index is built, so that the two are never in memory at once.
    let readings = Readings::of_corpus(&corpus);
    let index = SearchIndex::build_unless(corpus, layout.stop.as_deref().unwrap_or(&never))
        .map_err(|e| Diagnostic::new("search", "search-index", format!("検索用の索引を作れません: {e}")))?;
    write_held(Held::Owned(Box::new(index), readings), &dir.join("search"), layout).map_err(|e| {
        Diagnostic::new(
            dir.join("search"),
            "io",
            format!("検索用のファイルを書き出せません({})", crate::diagnostics::io_reason(&e)),
        )
        .help("出力先のフォルダに書き込めるか、ディスクの空きを確認してください")
        .detail(e.to_string())
    })
}

/// Writes the browser files of `index` into `out` (created if needed).
pub fn write_index(index: &SearchIndex, out: &Path) -> std::io::Result<ExportReport> {
    write_index_with(index, out, Layout::default())
}

/// [`write_index`] with a [`Layout`].
pub fn write_index_with(index: &SearchIndex, out: &Path, layout: Layout) -> std::io::Result<ExportReport> {
    write_held(Held::Borrowed(index), out, layout)
}

/// The index an export reads: the caller's, or its own (with the readings of its corpus),
/// which it drops once the terms are read, so that the chains reuse that memory.
enum Held<'a> {
    Borrowed(&'a SearchIndex),
    Owned(Box<SearchIndex>, Readings),
}

/// Writes the files of [`write_index_with`].
///
/// A file is only referred to by files written after it: `docs.bin`, the positions and
/// the documents before the term shards that point to them, the manifest last; in place,
/// the files no longer produced are removed after that.
fn write_held(held: Held, out: &Path, layout: Layout) -> std::io::Result<ExportReport> {
    let index = match &held {
        Held::Borrowed(index) => *index,
        Held::Owned(index, _) => index,
    };
    let mut report = ExportReport { docs: index.corpus.docs.len(), ..Default::default() };
    for sub in ["t", "p", "d", "y"] {
        std::fs::create_dir_all(out.join(sub))?;
    }
    let mut files = Files::new(out, &layout);
    let mut source = Source::new(index)?;
    let (norms, totals) = source.fieldnorms()?;
    files.write("docs.bin", &documents::docs_bin(&index.corpus))?;

    // Term entries, their positions written as they are encoded when the layout allows.
    let keys = source.terms()?;
    let mut positions = Positions::new(files, &layout);
    let mut bigrams = Bigrams::new();
    let mut dfs = terms::Dfs::default();
    let mut entries = terms::Entries::new(out)?;
    terms::index_entries(&mut source, &keys, &norms, &mut positions, &mut bigrams, &mut dfs, &mut entries)?;
    drop(source);
    let owned;
    let (corpus, readings) = match held {
        Held::Borrowed(index) => (&index.corpus, index.readings()),
        Held::Owned(index, readings) => {
            let SearchIndex { corpus, .. } = *index;
            owned = (corpus, readings);
            (&owned.0, &owned.1)
        }
    };
    report.terms = keys.len();
    report.terms += terms::chain_entries(bigrams, corpus, &norms, &mut positions, &mut entries, out)?;
    report.terms += terms::mixed_entries(corpus, &dfs, &norms, &mut positions, &mut entries)?;
    drop(dfs);

    let shards = layout.shards.unwrap_or_else(|| layout::shard_count(entries.size()));
    let (shard_files, mut files) = terms::into_shards(entries, positions, shards)?;
    documents::write_docs(&mut files, corpus)?;
    shard_files.write(&mut files)?;
    report.shards = shards;
    let reading_shards = readings::shards(readings)?;
    for (i, bytes) in reading_shards.iter().enumerate() {
        files.write(&format!("y/{i}.json"), bytes)?;
    }
    files.write("manifest.json", &layout::manifest(corpus, totals, shards, reading_shards.len())?)?;

    for sub in ["t", "p", "d", "y"] {
        files.remove_others(sub)?;
    }
    files.count_into(&mut report);
    Ok(report)
}

#[cfg(test)]
mod tests;
