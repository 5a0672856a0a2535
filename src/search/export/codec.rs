//! Byte encodings of the export (tables in `docs/SEARCH_FORMAT.md`): unsigned LEB128
//! varints, bit-packed streams, the document and positions parts of a posting list, and a
//! term's entry in its shard.

use super::positions::PositionsWriter;
use crate::search::chains::Postings;

/// Values per bit-packed block.
const BLOCK: usize = 128;

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

/// The LEB128 number at `bytes[*at..]`, as [`put_varint`] writes it, moving `at` past it;
/// None if the bytes end first or it does not fit in 64 bits.
pub fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let (mut v, mut shift) = (0u64, 0u32);
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        if shift > 63 {
            return None;
        }
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
    }
}

/// Appends `values` bit-packed in blocks of 128: per block a byte `w` (bits per value),
/// then `ceil(count × w / 8)` bytes holding the values least significant bit first.
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

/// One term's entry in its shard (the term record of `docs/SEARCH_FORMAT.md`). `dfs`
/// holds, per field, the document frequencies of a chain's bigrams (empty for terms of
/// the index); positions are kept when `keep_positions`, their locations left as holes.
pub(super) fn encode_entry(
    key: &[u8],
    fields: &[Postings],
    dfs: &[Vec<u32>],
    norms: &[Vec<u8>],
    keep_positions: bool,
) -> Entry {
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
pub(super) struct Entry {
    pub(super) bytes: Vec<u8>,
    pub(super) holes: Vec<(usize, Vec<u8>)>,
}

impl Entry {
    /// Its size in bytes once finished (exact without holes; a location is three varints,
    /// mostly of one or two bytes).
    pub(super) fn size(&self) -> usize {
        self.bytes.len() + 5 * self.holes.len()
    }

    /// Writes its positions with `w` and returns the entry with their locations.
    pub(super) fn finish(self, key: &[u8], w: &mut PositionsWriter) -> std::io::Result<Vec<u8>> {
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
}
