//! The documents' files: `docs.bin` (the policy field of every document) and
//! `d/<doc>.json` (what a result shows).

use super::codec::put_varint;
use super::writer::Files;
use crate::search::docs::{Corpus, SearchDoc};
use serde::Serialize;

/// `docs.bin`: the policy field of every document, as runs of documents in the same one,
/// then their depths (for ties, see [`SearchDoc::depth`]) as runs of the same depth.
pub(super) fn docs_bin(corpus: &Corpus) -> Vec<u8> {
    let mut bytes = Vec::new();
    put_runs(&mut bytes, corpus.docs.iter().map(|d| d.group.map_or(0, |g| g as u64 + 1)));
    put_runs(&mut bytes, corpus.docs.iter().map(|d| d.depth() as u64));
    bytes
}

#[derive(Serialize)]
struct DocFile<'a> {
    u: &'a str,
    t: &'a str,
    c: &'a [String],
    s: Vec<(&'a str, &'a str, &'a str)>,
}

/// `values` as runs of equal values: the number of runs, then each run's value and length.
fn put_runs(bytes: &mut Vec<u8>, values: impl Iterator<Item = u64>) {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for v in values {
        match runs.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => runs.push((v, 1)),
        }
    }
    put_varint(bytes, runs.len() as u64);
    for (v, n) in runs {
        put_varint(bytes, v);
        put_varint(bytes, n);
    }
}

/// `d/<doc>.json` of one document.
fn doc_json(d: &SearchDoc) -> std::io::Result<Vec<u8>> {
    let file = DocFile {
        u: &d.url,
        t: &d.title,
        c: &d.crumbs,
        s: d.display_sections().map(|s| (s.anchor.as_str(), s.heading.as_str(), &*s.text)).collect(),
    };
    serde_json::to_vec(&file).map_err(std::io::Error::other)
}

/// Writes `d/<doc>.json` for every document of `corpus`.
pub(super) fn write_docs(files: &mut Files, corpus: &Corpus) -> std::io::Result<()> {
    for (i, d) in corpus.docs.iter().enumerate() {
        files.write(&format!("d/{i}.json"), &doc_json(d)?)?;
    }
    Ok(())
}
