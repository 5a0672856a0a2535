//! `y/<n>.json`: the readings of the site's words ([`crate::search::readings`]), in
//! shards, so that a hiragana query loads one small file.

use super::layout::shard_of;
use crate::search::readings::Readings;
use std::collections::BTreeMap;

/// About how many bytes a readings shard holds.
pub const READINGS_TARGET_BYTES: usize = 2048;

/// The shards of `readings`: shard `n` holds, as one JSON object in code point order of
/// its keys, the readings `r` with `shard_of(r) = n` and their written forms. None when
/// there are no readings.
pub(super) fn shards(readings: &Readings) -> std::io::Result<Vec<Vec<u8>>> {
    if readings.is_empty() {
        return Ok(Vec::new());
    }
    // A reading's share of its shard: `"r":["w",…],`.
    let total: usize = readings.iter().map(|(r, w)| r.len() + 6 + w.iter().map(|x| x.len() + 3).sum::<usize>()).sum();
    let n = total.div_ceil(READINGS_TARGET_BYTES).max(1);
    let mut buckets: Vec<BTreeMap<&str, &Vec<String>>> = vec![BTreeMap::new(); n];
    for (r, w) in readings.iter() {
        buckets[shard_of(r.as_bytes(), n)].insert(r, w);
    }
    buckets.iter().map(|b| serde_json::to_vec(b).map_err(std::io::Error::other)).collect()
}
