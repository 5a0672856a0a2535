//! The documents' files: `docs.bin` (the policy field of every document) and
//! `d/<doc>.json` (what a result shows).

use super::codec::put_varint;
use super::writer::Files;
use crate::search::docs::{Corpus, SearchDoc};
use serde::Serialize;

/// `docs.bin`: the policy field of every document, as runs of documents in the same one.
pub(super) fn docs_bin(corpus: &Corpus) -> Vec<u8> {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for d in &corpus.docs {
        let g = d.group.map_or(0, |g| g as u64 + 1);
        match runs.last_mut() {
            Some((last, n)) if *last == g => *n += 1,
            _ => runs.push((g, 1)),
        }
    }
    let mut bytes = Vec::new();
    put_varint(&mut bytes, runs.len() as u64);
    for (g, n) in runs {
        put_varint(&mut bytes, g);
        put_varint(&mut bytes, n);
    }
    bytes
}

#[derive(Serialize)]
struct DocFile<'a> {
    u: &'a str,
    t: &'a str,
    c: &'a [String],
    s: Vec<(&'a str, &'a str, &'a str)>,
}

/// `d/<doc>.json` of one document.
fn doc_json(d: &SearchDoc) -> std::io::Result<Vec<u8>> {
    let file = DocFile {
        u: &d.url,
        t: &d.title,
        c: &d.crumbs,
        s: d.sections.iter().map(|s| (s.anchor.as_str(), s.heading.as_str(), s.text.as_str())).collect(),
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
