//! What the export reads back from the tantivy index, through its reader API: document
//! numbers, fieldnorm ids, token totals, the terms and their posting lists.

use crate::search::chains::Postings;
use crate::search::index::{SearchIndex, ORD_FIELD, TEXT_FIELDS};
use std::collections::BTreeSet;
use tantivy::postings::Postings as _;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, SegmentReader, Term, TERMINATED};

fn io(e: tantivy::TantivyError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The tantivy index of an export, and per segment the document number of every doc id.
pub(super) struct Source<'a> {
    index: &'a SearchIndex,
    ords: Vec<Vec<u32>>,
    /// One posting list as read: (document, start and end in `flat`), segment after segment.
    raw: Vec<(u32, u32, u32)>,
    flat: Vec<u32>,
}

impl<'a> Source<'a> {
    pub(super) fn new(index: &'a SearchIndex) -> std::io::Result<Self> {
        let segments = index.searcher.segment_readers();
        let mut ords: Vec<Vec<u32>> = Vec::with_capacity(segments.len());
        for seg in segments {
            let col = seg.fast_fields().u64(ORD_FIELD).map_err(io)?;
            ords.push((0..seg.max_doc()).map(|d| col.first(d).unwrap_or(0) as u32).collect());
        }
        Ok(Source { index, ords, raw: Vec::new(), flat: Vec::new() })
    }

    fn segments(&self) -> &'a [SegmentReader] {
        self.index.searcher.segment_readers()
    }

    /// Fieldnorm ids per text field and document, and the token totals BM25 averages over.
    pub(super) fn fieldnorms(&self) -> std::io::Result<(Vec<Vec<u8>>, [u64; TEXT_FIELDS.len()])> {
        // A field without fieldnorms (the title) scores as if every document had length 1,
        // whose fieldnorm id is 1.
        let mut norms = vec![vec![1u8; self.index.corpus.docs.len()]; TEXT_FIELDS.len()];
        let mut totals = [0u64; TEXT_FIELDS.len()];
        for (si, seg) in self.segments().iter().enumerate() {
            for (fi, &field) in self.index.fields.text.iter().enumerate() {
                totals[fi] += seg.inverted_index(field).map_err(io)?.total_num_tokens();
                if let Some(reader) = seg.fieldnorms_readers().get_field(field).map_err(io)? {
                    for d in 0..seg.max_doc() {
                        norms[fi][self.ords[si][d as usize] as usize] = reader.fieldnorm_id(d);
                    }
                }
            }
        }
        Ok((norms, totals))
    }

    /// Every term of every text field, in byte (= code point) order.
    pub(super) fn terms(&self) -> std::io::Result<BTreeSet<Vec<u8>>> {
        let mut keys: BTreeSet<Vec<u8>> = BTreeSet::new();
        for seg in self.segments() {
            for &field in &self.index.fields.text {
                let inv = seg.inverted_index(field).map_err(io)?;
                let mut stream = inv.terms().stream()?;
                while stream.advance() {
                    keys.insert(stream.key().to_vec());
                }
            }
        }
        Ok(keys)
    }

    /// The posting list of the term `key` in text field `fi`, documents in order.
    pub(super) fn postings(&mut self, fi: usize, key: &[u8]) -> std::io::Result<Postings> {
        let field = self.index.fields.text[fi];
        self.raw.clear();
        self.flat.clear();
        let term = Term::from_field_bytes(field, key);
        for (si, seg) in self.segments().iter().enumerate() {
            let inv = seg.inverted_index(field).map_err(io)?;
            let Some(info) = inv.get_term_info(&term)? else { continue };
            let mut p = inv.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqsAndPositions)?;
            while p.doc() != TERMINATED {
                let start = self.flat.len() as u32;
                p.append_positions_with_offset(0, &mut self.flat);
                self.raw.push((self.ords[si][p.doc() as usize], start, self.flat.len() as u32));
                p.advance();
            }
        }
        self.raw.sort_unstable_by_key(|r| r.0);
        let mut postings = Postings {
            docs: Vec::with_capacity(self.raw.len()),
            tfs: Vec::with_capacity(self.raw.len()),
            positions: Vec::with_capacity(self.flat.len()),
        };
        for &(d, a, b) in &self.raw {
            let pos = &self.flat[a as usize..b as usize];
            postings.docs.push(d);
            postings.tfs.push(pos.len() as u32);
            postings.positions.extend_from_slice(pos);
        }
        Ok(postings)
    }
}
