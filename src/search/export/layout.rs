//! Where things go under `search/`: the layout options, the term shards (their number and
//! the hash that picks a term's shard), the export's entries, and the manifest that
//! describes them.

use super::FORMAT_VERSION;
use crate::search::docs::Corpus;
use crate::search::index::TEXT_FIELDS;
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

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

/// `name` from the environment as a byte count, or `default`.
pub(super) fn env_bytes(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
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

/// The number of term shards for entries of `total` bytes in all: shards that average
/// [`SHARD_TARGET_BYTES`], at least one.
pub(super) fn shard_count(total: usize) -> usize {
    total.div_ceil(env_bytes("PLANPRESS_SEARCH_SHARD_BYTES", SHARD_TARGET_BYTES)).max(1)
}

/// What an export writes in `search/`, beside the search page (`index.html`).
const ENTRIES: [&str; 6] = ["t", "p", "d", "y", "docs.bin", "manifest.json"];

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

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    docs: usize,
    fields: Vec<FieldStats>,
    shards: usize,
    plans: Vec<(&'a str, &'a str)>,
    groups: Vec<(usize, &'a str, &'a str)>,
    /// The spelling variant groups that occur in the site (`super::super::variants`).
    variants: Vec<Vec<&'static str>>,
    /// The number of readings shards `y/<n>.json` (0: no readings).
    readings: usize,
}

#[derive(Serialize)]
struct FieldStats {
    name: &'static str,
    boost: f32,
    tokens: u64,
}

/// `manifest.json` of an export of `corpus` in `shards` term shards and `readings`
/// readings shards; `totals` holds the number of tokens of each text field.
pub(super) fn manifest(
    corpus: &Corpus,
    totals: [u64; TEXT_FIELDS.len()],
    shards: usize,
    readings: usize,
) -> std::io::Result<Vec<u8>> {
    let plans = plans_of(corpus);
    let manifest = Manifest {
        version: FORMAT_VERSION,
        docs: corpus.docs.len(),
        fields: TEXT_FIELDS
            .iter()
            .zip(totals)
            .map(|(&(name, boost), tokens)| FieldStats { name, boost, tokens })
            .collect(),
        shards,
        plans: plans.iter().map(|(id, title)| (id.as_str(), title.as_str())).collect(),
        groups: corpus
            .groups
            .iter()
            .map(|g| {
                let (plan, node) = g.id.split_once('/').unwrap_or(("", g.id.as_str()));
                (plans.iter().position(|(id, _)| id == plan).unwrap_or(0), node, g.label.as_str())
            })
            .collect(),
        variants: crate::search::variants::used_groups(corpus),
        readings,
    };
    serde_json::to_vec(&manifest).map_err(std::io::Error::other)
}

/// Plans in site order (from their policy fields): `(id, title)`.
fn plans_of(corpus: &Corpus) -> Vec<(String, String)> {
    let mut plans: Vec<(String, String)> = Vec::new();
    for g in &corpus.groups {
        let id = g.id.split_once('/').map_or("", |(p, _)| p);
        if !plans.iter().any(|(p, _)| p == id) {
            plans.push((id.to_string(), g.plan.clone()));
        }
    }
    plans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_fnv1a() {
        // FNV-1a of "a" is 0xe40c292c. The script must hash alike: the equivalence tests
        // (tests/browser/search.test.mjs) find every term through it.
        assert_eq!(shard_of(b"a", usize::MAX), 0xe40c_292c);
        assert_eq!(shard_of("子育".as_bytes(), 1), 0);
    }
}
