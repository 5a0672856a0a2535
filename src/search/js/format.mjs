// The files `planpress build` writes under search/ (src/search/export.rs): format
// version, term shards, docs.bin, and the bit-packed posting lists and positions.

/** The layout of search/ this script reads (src/search/export.rs FORMAT_VERSION; tests/search.rs checks it). */
export var FORMAT_VERSION = 7;
var utf8 = new TextDecoder();
var utf8enc = new TextEncoder();

/** The term shard of `key`: FNV-1a (32 bits) of its UTF-8 bytes modulo `shards`. */
export function shardOf(key, shards) {
  var h = 0x811c9dc5;
  var b = utf8enc.encode(key);
  for (var i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193) >>> 0;
  return h % shards;
}

function Reader(bytes) {
  this.b = bytes;
  this.at = 0;
}
Reader.prototype.varint = function () {
  var v = 0,
    mul = 1,
    byte;
  do {
    byte = this.b[this.at++];
    v += (byte & 0x7f) * mul;
    mul *= 128;
  } while (byte & 0x80);
  return v;
};
/** `count` bit-packed values (blocks of 128: width byte, then LSB-first bits). */
Reader.prototype.packed = function (count) {
  var out = new Uint32Array(count);
  var b = this.b,
    at = this.at;
  var k = 0;
  while (k < count) {
    var n = Math.min(128, count - k);
    var width = b[at++];
    var acc = 0,
      bits = 0,
      i;
    if (width <= 24) {
      // acc never holds more than width + 7 <= 31 bits.
      var mask = (1 << width) - 1;
      for (i = 0; i < n; i++) {
        while (bits < width) {
          acc |= b[at++] << bits;
          bits += 8;
        }
        out[k++] = acc & mask;
        acc >>>= width;
        bits -= width;
      }
    } else {
      for (i = 0; i < n; i++) {
        var v = 0,
          got = 0;
        while (got < width) {
          if (bits === 0) {
            acc = b[at++];
            bits = 8;
          }
          var take = Math.min(bits, width - got);
          v += (acc & ((1 << take) - 1)) * Math.pow(2, got);
          acc >>>= take;
          bits -= take;
          got += take;
        }
        out[k++] = v;
      }
    }
  }
  this.at = at;
  return out;
};

/**
 * From docs.bin, {group: the policy field group of every document (runs of (group + 1,
 * length); −1 for pages outside fields), depth: its depth (runs of (depth, length))}.
 */
export function decodeGroups(bytes, docs) {
  var rd = new Reader(bytes);
  var group = new Int32Array(docs);
  var depth = new Int32Array(docs);
  for (var runs = rd.varint(), d = 0; runs > 0; runs--) {
    var g = rd.varint() - 1;
    for (var len = rd.varint(); len > 0; len--) group[d++] = g;
  }
  for (runs = rd.varint(), d = 0; runs > 0; runs--) {
    var v = rd.varint();
    for (len = rd.varint(); len > 0; len--) depth[d++] = v;
  }
  return { group: group, depth: depth };
}

/**
 * A term shard t/<i>.bin: term → its entries in each of the `fieldCount` text fields,
 * {df: 0} or {df, bytes (the document part of its posting list), file, offset, length
 * (where its positions are in p/<file>.bin; file −1: none), dfs (the document frequency of
 * each bigram of a chain, else null), list, pos (decoded on demand)}.
 */
export function decodeShard(bytes, fieldCount) {
  var map = new Map();
  var r = new Reader(bytes);
  while (r.at < bytes.length) {
    var len = r.varint();
    var key = utf8.decode(bytes.subarray(r.at, r.at + len));
    r.at += len;
    var bigrams = r.varint();
    var fields = [];
    for (var fi = 0; fi < fieldCount; fi++) {
      var df = r.varint();
      if (df > 0) {
        var n = r.varint();
        var part = bytes.subarray(r.at, r.at + n);
        r.at += n;
        var e = { df: df, bytes: part, file: r.varint() - 1, offset: 0, length: 0, list: null, pos: null, dfs: null };
        if (e.file >= 0) {
          e.offset = r.varint();
          e.length = r.varint();
        }
        if (bigrams) {
          e.dfs = [];
          for (var k = 0; k < bigrams; k++) e.dfs.push(r.varint());
        }
        fields.push(e);
      } else {
        fields.push({ df: 0 });
      }
    }
    map.set(key, fields);
  }
  return map;
}

/** Document part of a posting list: doc numbers, term frequencies, fieldnorm ids. */
export function decodeDocs(bytes, df) {
  var r = new Reader(bytes);
  var gaps = r.packed(df);
  var tfs = r.packed(df);
  var min = r.varint();
  var ids = r.packed(df);
  var docs = new Uint32Array(df),
    tf = new Uint32Array(df),
    norm = new Uint8Array(df);
  var prev = -1;
  for (var d = 0; d < df; d++) {
    prev = prev + gaps[d] + 1;
    docs[d] = prev;
    tf[d] = tfs[d] + 1;
    norm[d] = ids[d] + min;
  }
  return { docs: docs, tf: tf, norm: norm };
}

/** Positions of a posting list (per document `tf[d]` of them, from `start[d]`). */
export function decodePositions(bytes, tf) {
  var df = tf.length;
  var r = new Reader(bytes);
  var firsts = r.packed(df);
  var total = 0;
  for (var i = 0; i < df; i++) total += tf[i] - 1;
  var rest = r.packed(total);
  var start = new Uint32Array(df + 1),
    pos = new Uint32Array(df + total);
  var at = 0,
    k = 0;
  for (var d = 0; d < df; d++) {
    start[d] = at;
    var last = firsts[d];
    pos[at++] = last;
    for (var j = 1; j < tf[d]; j++) {
      last = last + rest[k++] + 1;
      pos[at++] = last;
    }
  }
  start[df] = at;
  return { start: start, pos: pos };
}
