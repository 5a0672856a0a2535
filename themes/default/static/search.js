/* planpress site search — no dependencies, no inline styles (runs under a strict CSP).
 *
 * Searches the files `planpress build` writes under search/ (see src/search/export.rs)
 * and ranks exactly as `planpress search` (tantivy's BM25). The analyzer, query syntax,
 * scoring and snippets mirror src/search/{analyzer,query,index,highlight}.rs rule for
 * rule; tests/search/tokenizer-vectors.json and tests/search/queries.json hold the two
 * together.
 *
 * In a page it drives the search page (#pp-search); under Node it is a CommonJS module
 * (the tests load the engine with a file loader).
 */
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    root.planpressSearch = api;
    if (typeof document !== 'undefined') api.boot(document);
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // ------------------------------------------------------------------ analyzer
  var RE_MARK = /\p{M}/u;
  var RE_WORD = /[\p{Alphabetic}\p{N}]/u;
  var RE_SPACE = /\p{White_Space}/u;

  function isIgnorable(c) {
    return (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef) || (c >= 0x200b && c <= 0x200d) ||
      c === 0x2060 || c === 0xfeff || c === 0xad;
  }
  function continuesSegment(ch) {
    return ch === '\uFF9E' || ch === '\uFF9F' || RE_MARK.test(ch);
  }
  function isCjk(c) {
    return (c >= 0x3005 && c <= 0x3007) || (c >= 0x3041 && c <= 0x3096) || (c >= 0x3099 && c <= 0x309f) ||
      (c >= 0x30a1 && c <= 0x30fa) || (c >= 0x30fc && c <= 0x30ff) || (c >= 0x31f0 && c <= 0x31ff) ||
      (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0x1b000 && c <= 0x1b16f) || (c >= 0x20000 && c <= 0x323af);
  }
  var SEP = 0, CJK = 1, WORD = 2;
  function classOf(ch) {
    var c = ch.codePointAt(0);
    if (isCjk(c)) return CJK;
    if (c < 128) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) ? WORD : SEP;
    return RE_WORD.test(ch) ? WORD : SEP;
  }

  /** Characters NFKC and lower-casing leave alone (the bulk of Japanese text). */
  function isStable(c) {
    return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3041 && c <= 0x3096) || (c >= 0x30a1 && c <= 0x30fa) ||
      c === 0x30fc || (c >= 0x3001 && c <= 0x3003) || (c >= 0x3005 && c <= 0x3007) || (c >= 0x300c && c <= 0x300f);
  }
  /** Whether a normalised character belongs to the unit before it (a combining mark). */
  function continuesUnit(ch) {
    var code = ch.charCodeAt(0);
    return code >= 0x300 && !isStable(code) && RE_MARK.test(ch);
  }
  function isContinuation(text, i) {
    var c = text.charCodeAt(i);
    if (c < 0x300 || isStable(c)) return false;
    return continuesSegment(String.fromCodePoint(text.codePointAt(i)));
  }

  /**
   * Normalised characters of `text` as parallel arrays: ch (strings), start and end (the
   * UTF-16 range of the source segment).
   */
  function norm(text) {
    var n = text.length;
    var ch = [], start = [], end = [];
    var i = 0;
    while (i < n) {
      var s0 = i;
      var cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff) {
        cp = text.codePointAt(i);
        i += cp > 0xffff ? 2 : 1;
      } else {
        i++;
      }
      var simple = i >= n || !isContinuation(text, i);
      if (simple && cp < 128) {
        ch.push(cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : text[s0]);
        start.push(s0);
        end.push(i);
        continue;
      }
      if (simple && isStable(cp)) {
        ch.push(text[s0]);
        start.push(s0);
        end.push(i);
        continue;
      }
      while (i < n && isContinuation(text, i)) i += text.codePointAt(i) > 0xffff ? 2 : 1;
      for (var c of text.slice(s0, i).normalize('NFKC')) {
        if (isIgnorable(c.codePointAt(0))) continue;
        for (var l of c.toLowerCase()) {
          ch.push(l);
          start.push(s0);
          end.push(i);
        }
      }
    }
    return { ch: ch, start: start, end: end };
  }

  /** Normalised characters of `text` with the UTF-16 range of their source segment. */
  function normalizeChars(text) {
    var c = norm(text);
    return c.ch.map(function (x, i) { return { ch: x, start: c.start[i], end: c.end[i] }; });
  }

  function normalize(text) {
    return norm(text).ch.join('');
  }

  /**
   * Tokens of `text`: {text, position, start, end (UTF-16 offsets in text), kind, run}.
   * kind: 'word' | 'uni' | 'bi'; run: length of the CJK run (unigrams). With `wanted` (a
   * Set of token texts), only those tokens are returned (the same objects otherwise).
   */
  function tokenize(text, wanted) {
    var c = norm(text);
    var chs = c.ch, cs = c.start, ce = c.end;
    // Units: a character and the marks after it.
    var us = [], ue = [], uc = [], ut = [];
    for (var i = 0; i < chs.length; i++) {
      var x = chs[i];
      if (us.length && continuesUnit(x)) {
        ue[ue.length - 1] = i + 1;
        ut[ut.length - 1] += x;
        continue;
      }
      us.push(i);
      ue.push(i + 1);
      uc.push(classOf(x));
      ut.push(x);
    }
    var firsts = null;
    if (wanted) {
      firsts = new Set();
      wanted.forEach(function (w) { firsts.add(Array.from(w)[0]); });
    }
    var out = [];
    var pos = 0, gap = false, any = false;
    var a = 0, nu = us.length;
    while (a < nu) {
      var cls = uc[a];
      var b = a + 1;
      while (b < nu && uc[b] === cls) b++;
      if (cls === SEP) {
        gap = true;
      } else {
        if (gap && any) pos++;
        gap = false;
        any = true;
        if (cls === WORD) {
          var w = ut.slice(a, b).join('');
          if (!wanted || wanted.has(w)) out.push({ text: w, position: pos, start: cs[us[a]], end: ce[ue[b - 1] - 1], kind: 'word', run: 0 });
          pos++;
        } else {
          var run = b - a;
          for (var k = a; k < b; k++) {
            var p = pos + (k - a);
            var t = ut[k];
            if (wanted && !firsts.has(Array.from(t)[0])) continue;
            if (!wanted || wanted.has(t)) out.push({ text: t, position: p, start: cs[us[k]], end: ce[ue[k] - 1], kind: 'uni', run: run });
            if (k + 1 < b) {
              var bi = t + ut[k + 1];
              if (!wanted || wanted.has(bi)) out.push({ text: bi, position: p, start: cs[us[k]], end: ce[ue[k + 1] - 1], kind: 'bi', run: run });
            }
          }
          pos += run;
        }
      }
      a = b;
    }
    return out;
  }

  /** Query tokens: all tokens but the unigrams of CJK runs longer than one unit. */
  function queryTokens(term) {
    return tokenize(term).filter(function (t) { return !(t.kind === 'uni' && t.run > 1); });
  }

  // ------------------------------------------------------------------ query syntax
  function isQuote(ch) { return ch === '"' || ch === '\uFF02' || ch === '\u201C' || ch === '\u201D'; }
  function isMinus(ch) { return ch === '-' || ch === '\uFF0D' || ch === '\u2212'; }

  /** [[excluded, raw], …] */
  function splitTerms(input) {
    var out = [];
    var cur = '', negated = false, started = false, quoted = false;
    var flush = function () {
      if (cur) out.push([negated, cur]);
      cur = '';
      negated = false;
      started = false;
    };
    for (var ch of input) {
      if (quoted) {
        if (isQuote(ch)) quoted = false;
        else cur += ch;
        continue;
      }
      if (isQuote(ch)) {
        quoted = true;
        started = true;
      } else if (RE_SPACE.test(ch)) {
        flush();
      } else if (!started && !negated && isMinus(ch)) {
        negated = true;
      } else {
        cur += ch;
        started = true;
      }
    }
    flush();
    return out;
  }

  /** {include: [{raw, tokens: [[pos, text], …]}], exclude: […]} */
  function parse(input) {
    var q = { include: [], exclude: [] };
    splitTerms(input).forEach(function (pair) {
      var toks = queryTokens(pair[1]);
      if (!toks.length) return;
      var first = toks[0].position;
      var term = { raw: pair[1], tokens: toks.map(function (t) { return [t.position - first, t.text]; }), kinds: toks.map(function (t) { return t.kind; }) };
      (pair[0] ? q.exclude : q.include).push(term);
    });
    return q;
  }

  // ------------------------------------------------------------------ BM25 (tantivy)
  // tantivy computes in f32; every step is rounded the same way here.
  var f = Math.fround;
  var K1 = f(1.2), B = f(0.75);
  var ONE_MINUS_B = f(1 - B), K1_PLUS_1 = f(1 + K1);
  // tantivy::fieldnorm::FIELD_NORMS_TABLE: fieldnorm id → field length.
  var FIELDNORM_TABLE = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    32, 33, 34, 35, 36, 37, 38, 39, 40, 42, 44, 46, 48, 50, 52, 54, 56, 60, 64, 68, 72, 76, 80, 84, 88, 96, 104, 112, 120,
    128, 136, 144, 152, 168, 184, 200, 216, 232, 248, 264, 280, 312, 344, 376, 408, 440, 472, 504, 536, 600, 664, 728, 792,
    856, 920, 984, 1048, 1176, 1304, 1432, 1560, 1688, 1816, 1944, 2072, 2328, 2584, 2840, 3096, 3352, 3608, 3864, 4120,
    4632, 5144, 5656, 6168, 6680, 7192, 7704, 8216, 9240, 10264, 11288, 12312, 13336, 14360, 15384, 16408, 18456, 20504,
    22552, 24600, 26648, 28696, 30744, 32792, 36888, 40984, 45080, 49176, 53272, 57368, 61464, 65560, 73752, 81944, 90136,
    98328, 106520, 114712, 122904, 131096, 147480, 163864, 180248, 196632, 213016, 229400, 245784, 262168, 294936, 327704,
    360472, 393240, 426008, 458776, 491544, 524312, 589848, 655384, 720920, 786456, 851992, 917528, 983064, 1048600,
    1179672, 1310744, 1441816, 1572888, 1703960, 1835032, 1966104, 2097176, 2359320, 2621464, 2883608, 3145752, 3407896,
    3670040, 3932184, 4194328, 4718616, 5242904, 5767192, 6291480, 6815768, 7340056, 7864344, 8388632, 9437208, 10485784,
    11534360, 12582936, 13631512, 14680088, 15728664, 16777240, 18874392, 20971544, 23068696, 25165848, 27263000, 29360152,
    31457304, 33554456, 37748760, 41943064, 46137368, 50331672, 54525976, 58720280, 62914584, 67108888, 75497496, 83886104,
    92274712, 100663320, 109051928, 117440536, 125829144, 134217752, 150994968, 167772184, 184549400, 201326616, 218103832,
    234881048, 251658264, 268435480, 301989912, 335544344, 369098776, 402653208, 436207640, 469762072, 503316504, 536870936,
    603979800, 671088664, 738197528, 805306392, 872415256, 939524120, 1006632984, 1073741848, 1207959576, 1342177304,
    1476395032, 1610612760, 1744830488, 1879048216, 2013265944
  ];

  function idf(df, n) {
    var x = f(f(f(n - df) + 0.5) / f(df + 0.5));
    return f(Math.log(f(1 + x)));
  }
  /** The `K1 * (1 - B + B * dl / avgdl)` cache of tantivy's Bm25Weight. */
  function tfCache(avg) {
    var c = new Float64Array(256);
    for (var id = 0; id < 256; id++) c[id] = f(K1 * f(ONE_MINUS_B + f(f(B * f(FIELDNORM_TABLE[id])) / avg)));
    return c;
  }

  // ------------------------------------------------------------------ index files
  /** The layout of search/ this script reads (src/search/export.rs FORMAT_VERSION). */
  var FORMAT_VERSION = 4;
  var utf8 = new TextDecoder();
  var utf8enc = new TextEncoder();

  /** The term shard of `key`: FNV-1a (32 bits) of its UTF-8 bytes modulo `shards`. */
  function shardOf(key, shards) {
    var h = 0x811c9dc5;
    var b = utf8enc.encode(key);
    for (var i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193) >>> 0;
    return h % shards;
  }

  /** Chains of up to this many CJK units are terms of their own (src/search/chains.rs). */
  var MAX_CHAIN = 5;

  /** Length (UTF-16) of the first unit of normalised `text`: a character and its marks. */
  function firstUnitLength(text) {
    var i = text.length ? (text.codePointAt(0) > 0xffff ? 2 : 1) : 0;
    while (i < text.length) {
      var ch = String.fromCodePoint(text.codePointAt(i));
      if (!continuesUnit(ch)) break;
      i += ch.length;
    }
    return i;
  }

  /**
   * What to look up for a term: `units` [{key, rel, kind}] (kind 'chain', 'bi' or the
   * token's kind) and, for every token of the term, where its document frequency is
   * (`src`: [unit, bigram index in the chain or −1]).
   *
   * A CJK run of the term is looked up through chains (src/search/chains.rs): a term that
   * is one run of at most MAX_CHAIN units as that chain alone (its entry counts the
   * occurrences: no positions needed); a run of MAX_CHAIN units or more as chains of
   * MAX_CHAIN units at most MAX_CHAIN − 1 apart (which keeps them in one run and includes
   * every bigram), whose positions must line up. Shorter runs in a longer term, words and
   * lone characters are looked up token by token.
   */
  function plan(term) {
    var t = term.tokens, units = [], src = [];
    var i = 0;
    while (i < t.length) {
      var j = i;
      while (j + 1 < t.length && term.kinds[j] === 'bi' && term.kinds[j + 1] === 'bi' && t[j + 1][0] === t[j][0] + 1) j++;
      var n = j - i + 2; // units of the run
      var alone = i === 0 && j === t.length - 1;
      if (term.kinds[i] === 'bi' && (n >= MAX_CHAIN || (alone && n >= 3))) {
        var us = [t[i][1].slice(0, firstUnitLength(t[i][1])), t[i][1].slice(firstUnitLength(t[i][1]))];
        for (var k = i + 1; k <= j; k++) us.push(t[k][1].slice(firstUnitLength(t[k][1])));
        var offsets = [];
        if (n <= MAX_CHAIN) {
          offsets.push(0);
        } else {
          for (var o = 0; o + MAX_CHAIN < n; o += MAX_CHAIN - 1) offsets.push(o);
          offsets.push(n - MAX_CHAIN);
        }
        offsets.forEach(function (o, x) {
          var len = Math.min(MAX_CHAIN, n - o);
          var next = x + 1 < offsets.length ? offsets[x + 1] : n;
          // The bigrams o … before the next chain's get their df from this chain.
          for (var b = o; b < Math.min(o + len - 1, next === n ? n - 1 : next); b++) src.push([units.length, b - o]);
          units.push({ key: us.slice(o, o + len).join(''), rel: t[i + o][0], kind: 'chain' });
        });
      } else {
        for (var k2 = i; k2 <= j; k2++) {
          src.push([units.length, -1]);
          units.push({ key: t[k2][1], rel: t[k2][0], kind: term.kinds[k2] });
        }
      }
      i = j + 1;
    }
    return { units: units, src: src };
  }

  function Reader(bytes) {
    this.b = bytes;
    this.at = 0;
  }
  Reader.prototype.varint = function () {
    var v = 0, mul = 1, byte;
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
    var b = this.b, at = this.at;
    var k = 0;
    while (k < count) {
      var n = Math.min(128, count - k);
      var width = b[at++];
      var acc = 0, bits = 0, i;
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
          var v = 0, got = 0;
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

  /** Document part of a posting list: doc numbers, term frequencies, fieldnorm ids. */
  function decodeDocs(bytes, df) {
    var r = new Reader(bytes);
    var gaps = r.packed(df);
    var tfs = r.packed(df);
    var min = r.varint();
    var ids = r.packed(df);
    var docs = new Uint32Array(df), tf = new Uint32Array(df), norm = new Uint8Array(df);
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
  function decodePositions(bytes, tf) {
    var df = tf.length;
    var r = new Reader(bytes);
    var firsts = r.packed(df);
    var total = 0;
    for (var i = 0; i < df; i++) total += tf[i] - 1;
    var rest = r.packed(total);
    var start = new Uint32Array(df + 1), pos = new Uint32Array(df + total);
    var at = 0, k = 0;
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

  /**
   * The search engine over the files under search/. `load(name, kind)` returns a promise
   * of the file's contents: kind 'json' → parsed JSON, 'bin' → Uint8Array.
   */
  function Engine(load) {
    this.load = load;
    this.shards = new Map();
    this.docCache = new Map();
    this.ready = null;
  }

  Engine.prototype.init = function () {
    var self = this;
    if (!this.ready) {
      this.ready = Promise.all([this.load('manifest.json', 'json'), this.load('docs.bin', 'bin')]).then(function (r) {
        var m = r[0], bin = r[1];
        if (m.version !== FORMAT_VERSION) throw new Error('search index version ' + m.version + ' is not supported');
        self.manifest = m;
        self.n = m.docs;
        self.groups = m.groups.map(function (g) {
          var plan = m.plans[g[0]];
          return { id: plan[0] + '/' + g[1], label: g[2], plan: plan[1] };
        });
        var rd = new Reader(bin);
        self.group = new Int32Array(m.docs);
        for (var runs = rd.varint(), d = 0; runs > 0; runs--) {
          var g = rd.varint() - 1;
          for (var len = rd.varint(); len > 0; len--) self.group[d++] = g;
        }
        self.fields = m.fields.map(function (fd) {
          var avg = f(f(fd.tokens) / f(m.docs));
          return { name: fd.name, boost: f(fd.boost), cache: tfCache(avg) };
        });
        return self;
      });
    }
    return this.ready;
  };

  Engine.prototype.shardOf = function (key) {
    return shardOf(key, this.manifest.shards);
  };

  Engine.prototype.shard = function (i) {
    var self = this;
    if (!this.shards.has(i)) {
      this.shards.set(i, this.load('t/' + i + '.bin', 'bin').then(function (bytes) {
        var map = new Map();
        var r = new Reader(bytes);
        while (r.at < bytes.length) {
          var len = r.varint();
          var key = utf8.decode(bytes.subarray(r.at, r.at + len));
          r.at += len;
          var bigrams = r.varint();
          var fields = [];
          for (var fi = 0; fi < self.manifest.fields.length; fi++) {
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
      }));
    }
    return this.shards.get(i);
  };

  /** The per-field entries of `key` ([{df, postings()}, …]) or null. */
  Engine.prototype.term = function (key) {
    if (!this.manifest.shards) return Promise.resolve(null);
    return this.shard(this.shardOf(key)).then(function (map) { return map.get(key) || null; });
  };

  function listOf(entry) {
    if (!entry.list) entry.list = decodeDocs(entry.bytes, entry.df);
    return entry.list;
  }

  /** Loads (once) the positions of a field entry into entry.pos. */
  Engine.prototype.loadPositions = function (entry) {
    if (entry.pos) return Promise.resolve(entry.pos);
    if (!this.posFiles) this.posFiles = new Map();
    if (!this.posFiles.has(entry.file)) this.posFiles.set(entry.file, this.load('p/' + entry.file + '.bin', 'bin'));
    return this.posFiles.get(entry.file).then(function (bytes) {
      entry.pos = entry.pos || decodePositions(bytes.subarray(entry.offset, entry.offset + entry.length), listOf(entry).tf);
      return entry.pos;
    });
  };

  /** Documents holding every token of a phrase in one field (ascending). */
  function candidates(lists) {
    var out = [];
    var idx = new Array(lists.length).fill(0);
    var lead = lists[0];
    for (var a = 0; a < lead.docs.length; a++) {
      var doc = lead.docs[a];
      var all = true;
      for (var t = 1; t < lists.length && all; t++) {
        var L = lists[t];
        while (idx[t] < L.docs.length && L.docs[idx[t]] < doc) idx[t]++;
        if (idx[t] >= L.docs.length || L.docs[idx[t]] !== doc) all = false;
      }
      if (all) out.push(a);
    }
    return out;
  }

  /**
   * Which units of a phrase need their positions checked in a field (`per`: their field
   * entries). Chains are always checked. A chain of bigrams at consecutive positions is one
   * CJK run of the query; within a run it is enough to check a subset that keeps its first
   * and last bigram and never skips two in a row: two bigrams two positions apart are in
   * the same run of the text (runs are separated by at least one position), so the skipped
   * bigram is there too. The subset with the fewest position bytes is chosen. Phrase
   * counts stay tantivy's.
   */
  function positionCover(units, per) {
    var n = units.length;
    var keep = new Array(n).fill(true);
    var i = 0;
    while (i < n) {
      var j = i;
      while (j + 1 < n && units[j].kind === 'bi' && units[j + 1].kind === 'bi' && units[j + 1].rel === units[j].rel + 1) j++;
      if (j - i >= 2) {
        // best[k]: cheapest cover of i..k that keeps k; from[k]: the previous kept index.
        var best = [], from = [];
        for (var k = i; k <= j; k++) {
          var c = per[k].length;
          if (k === i) {
            best[k] = c;
            from[k] = -1;
          } else {
            var a = best[k - 1], b = k - 2 >= i ? best[k - 2] : Infinity;
            best[k] = c + Math.min(a, b);
            from[k] = b < a ? k - 2 : k - 1;
          }
        }
        for (var m = i; m <= j; m++) keep[m] = false;
        for (var at = j; at >= 0; at = from[at]) keep[at] = true;
      }
      i = j + 1;
    }
    return keep;
  }

  /** The field entries whose positions a term needs: phrases with candidate documents. */
  Engine.prototype.positionsNeeded = function (how, entries) {
    var need = [];
    if (how.units.length < 2) return need;
    this.fields.forEach(function (_, fi) {
      var per = entries.map(function (e) { return e ? e[fi] : null; });
      if (per.some(function (e) { return !e || !e.df; })) return;
      if (!candidates(per.map(listOf)).length) return;
      var keep = positionCover(how.units, per);
      per.forEach(function (e, k) { if (keep[k]) need.push(e); });
    });
    return need;
  };

  /**
   * Scores of one term (looked up as `how` = plan(term), `entries` per unit) per document:
   * {docs: matching documents in the order first met, hit: Uint8Array, score: Float64Array
   * (f32 values)}, the sum over fields (title, headings, body) of boost × BM25 (a phrase's
   * idf is the sum of its bigrams' idf; its term frequency is the number of phrase
   * occurrences).
   */
  Engine.prototype.termScores = function (how, entries) {
    var self = this;
    var units = how.units;
    var out = { docs: [], hit: new Uint8Array(this.n), score: new Float64Array(this.n) };
    this.fields.forEach(function (field, fi) {
      var per = entries.map(function (e) { return e ? e[fi] : null; });
      if (per.some(function (e) { return !e || !e.df; })) return;
      var idfSum = 0;
      how.src.forEach(function (at) {
        var e = per[at[0]];
        idfSum = f(idfSum + idf(at[1] < 0 ? e.df : e.dfs[at[1]], self.n));
      });
      var weight = f(idfSum * K1_PLUS_1);
      if (field.boost !== 1) weight = f(weight * field.boost);
      var cache = field.cache;
      var add = function (doc, tf, norm) {
        var tff = f(tf);
        var s = f(weight * f(tff / f(tff + cache[norm])));
        if (out.hit[doc]) {
          out.score[doc] = f(out.score[doc] + s);
        } else {
          out.hit[doc] = 1;
          out.score[doc] = s;
          out.docs.push(doc);
        }
      };
      var lists = per.map(listOf);
      var lead = lists[0];
      if (lists.length === 1) {
        for (var k = 0; k < lead.docs.length; k++) add(lead.docs[k], lead.tf[k], lead.norm[k]);
        return;
      }
      // Phrase: documents holding every unit, then positions p with unit i at p + rel_i.
      var cand = candidates(lists);
      if (!cand.length) return;
      var keep = positionCover(units, per);
      var check = [];
      for (var t0 = 1; t0 < lists.length; t0++) if (keep[t0]) check.push(t0);
      var pos = per.map(function (e) { return e.pos; });
      var idx = new Array(lists.length).fill(0);
      cand.forEach(function (a) {
        var doc = lead.docs[a];
        for (var t = 1; t < lists.length; t++) {
          while (lists[t].docs[idx[t]] < doc) idx[t]++;
        }
        var count = 0;
        for (var pi = pos[0].start[a]; pi < pos[0].start[a + 1]; pi++) {
          var p = pos[0].pos[pi] - units[0].rel;
          var ok = true;
          for (var c = 0; c < check.length && ok; c++) {
            var t2 = check[c], j = idx[t2];
            ok = hasPosition(pos[t2].pos, pos[t2].start[j], pos[t2].start[j + 1], p + units[t2].rel);
          }
          if (ok) count++;
        }
        if (count > 0) add(doc, count, lead.norm[a]);
      });
    });
    return out;
  };

  function hasPosition(pos, lo, hi, want) {
    hi--;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (pos[mid] === want) return true;
      if (pos[mid] < want) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /**
   * Runs a query: {parsed, total, counts: [{id, label, count}], other, matched,
   * hits: [{doc, score}]} — every match, best first, ties in document order; `field`
   * (a policy field id, 'none' for pages outside fields, or null) filters the hits.
   */
  Engine.prototype.search = function (input, field) {
    var self = this;
    var parsed = parse(input);
    var terms = parsed.include.concat(parsed.exclude);
    var plans = terms.map(plan);
    return this.init().then(function () {
      return Promise.all(plans.map(function (how) {
        return Promise.all(how.units.map(function (u) { return self.term(u.key); }));
      }));
    }).then(function (entries) {
      var need = [];
      plans.forEach(function (how, i) { need.push.apply(need, self.positionsNeeded(how, entries[i])); });
      return Promise.all(need.map(function (e) { return self.loadPositions(e); })).then(function () { return entries; });
    }).then(function (entries) {
      var scores = plans.map(function (how, i) { return self.termScores(how, entries[i]); });
      var scored = scores.slice(0, parsed.include.length);
      var excluded = scores.slice(parsed.include.length);
      var all = [];
      if (scored.length) {
        var smallest = scored.reduce(function (a, b) { return b.docs.length < a.docs.length ? b : a; });
        smallest.docs.forEach(function (doc) {
          var total = 0;
          for (var i = 0; i < scored.length; i++) {
            if (!scored[i].hit[doc]) return;
            total = i === 0 ? scored[i].score[doc] : f(total + scored[i].score[doc]);
          }
          for (var x = 0; x < excluded.length; x++) if (excluded[x].hit[doc]) return;
          all.push({ doc: doc, score: total });
        });
      }
      all.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      var groups = self.groups;
      var per = new Array(groups.length).fill(0), other = 0;
      all.forEach(function (h) {
        var g = self.group[h.doc];
        if (g < 0) other++;
        else per[g]++;
      });
      var counts = [];
      groups.forEach(function (g, i) { if (per[i]) counts.push({ id: g.id, label: g.label, count: per[i] }); });
      var want = field == null || field === '' || field === 'all' ? undefined : field === 'none' ? -1 : groups.findIndex(function (g) { return g.id === field; });
      var hits = want === undefined ? all : all.filter(function (h) { return self.group[h.doc] === want; });
      return { parsed: parsed, total: all.length, counts: counts, other: other, matched: hits.length, hits: hits };
    });
  };

  /** One document: {u: url, t: title, c: crumbs, s: [[anchor, heading, text], …]}. */
  Engine.prototype.doc = function (d) {
    if (!this.docCache.has(d)) this.docCache.set(d, this.load('d/' + d + '.json', 'json'));
    return this.docCache.get(d);
  };

  // ------------------------------------------------------------------ snippets
  var SNIPPET_BEFORE = 30, SNIPPET_LENGTH = 110, MAX_SECTIONS = 3;

  /** Code point ranges [[start, end], …] where included terms occur in `text`, merged. */
  function occurrences(text, parsed) {
    if (!parsed.include.length || !text) return [];
    var cp = new Uint32Array(text.length + 1);
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      cp[i] = n;
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        cp[i + 1] = n + 1;
        i++;
      }
      n++;
    }
    cp[text.length] = n;
    var wanted = new Set();
    parsed.include.forEach(function (term) { term.tokens.forEach(function (t) { wanted.add(t[1]); }); });
    var toks = tokenize(text, wanted);
    var at = new Map(), byText = new Map();
    toks.forEach(function (t) {
      at.set(t.text + '\u0000' + t.position, t);
      if (!byText.has(t.text)) byText.set(t.text, []);
      byText.get(t.text).push(t.position);
    });
    var out = [];
    parsed.include.forEach(function (term) {
      (byText.get(term.tokens[0][1]) || []).forEach(function (p) {
        var s = -1, e = -1;
        for (var k = 0; k < term.tokens.length; k++) {
          var o = at.get(term.tokens[k][1] + '\u0000' + (p + term.tokens[k][0]));
          if (!o) return;
          s = s < 0 ? o.start : Math.min(s, o.start);
          e = Math.max(e, o.end);
        }
        out.push([cp[s], cp[e]]);
      });
    });
    out.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    out.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  function windowOf(chars, ranges, start, end) {
    var out = [];
    var push = function (a, b, marked) {
      if (a >= b) return;
      var s = chars.slice(a, b).join('').replace(/\n/g, ' ');
      var last = out[out.length - 1];
      if (last && last[1] === marked) last[0] += s;
      else out.push([s, marked]);
    };
    var cur = start;
    ranges.forEach(function (r) {
      var a = Math.max(r[0], start), b = Math.min(r[1], end);
      if (a >= b) return;
      push(cur, a, false);
      push(a, b, true);
      cur = b;
    });
    push(cur, end, false);
    return out;
  }

  function mark(text, ranges) {
    var chars = Array.from(text);
    return windowOf(chars, ranges, 0, chars.length);
  }

  function snippet(text, ranges) {
    var chars = Array.from(text);
    var len = chars.length;
    var start = ranges.length ? Math.max(0, ranges[0][0] - SNIPPET_BEFORE) : 0;
    var end = Math.min(start + SNIPPET_LENGTH, len);
    if (end - start < SNIPPET_LENGTH) start = Math.max(0, end - SNIPPET_LENGTH);
    var out = windowOf(chars, ranges, start, end);
    if (start > 0) out.unshift(['…', false]);
    if (end < len) out.push(['…', false]);
    var merged = [];
    out.forEach(function (p) {
      var last = merged[merged.length - 1];
      if (last && last[1] === p[1]) last[0] += p[0];
      else merged.push([p[0], p[1]]);
    });
    return merged;
  }

  /** How a hit is shown (see src/search/highlight.rs `display`). */
  function display(doc, parsed) {
    var title = mark(doc.t, occurrences(doc.t, parsed));
    var anchor = -1, from = null, sections = [];
    // Stops once nothing can change: a snippet found and the section list full.
    for (var i = 0; i < doc.s.length && !(from && sections.length >= MAX_SECTIONS); i++) {
      var s = doc.s[i];
      var h = occurrences(s[1], parsed), t = occurrences(s[2], parsed);
      if (!h.length && !t.length) continue;
      if (anchor < 0) anchor = i;
      if (!from && t.length) from = [i, t];
      if (s[0] && sections.length < MAX_SECTIONS) sections.push({ anchor: s[0], heading: mark(s[1], h) });
    }
    var snip;
    if (from) snip = snippet(doc.s[from[0]][2], from[1]);
    else if (anchor >= 0 && doc.s[anchor][2]) snip = snippet(doc.s[anchor][2], []);
    else {
      var first = doc.s.find(function (s) { return s[2]; });
      snip = first ? snippet(first[2], []) : [];
    }
    return { title: title, anchor: anchor >= 0 ? doc.s[anchor][0] : '', snippet: snip, sections: sections };
  }

  // ------------------------------------------------------------------ page UI
  var PAGE = 10;
  /** How long the hits' documents may take before the field filter is drawn without them. */
  var SLOW_DOCUMENTS_MS = 150;

  function el(name, cls, text) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  /** Appends marked parts as text and <mark> elements (never as HTML). */
  function appendMarked(parent, parts) {
    parts.forEach(function (p) {
      if (p[1]) parent.appendChild(el('mark', null, p[0]));
      else parent.appendChild(document.createTextNode(p[0]));
    });
  }

  function boot(doc) {
    var box = doc.getElementById('pp-search');
    if (!box) return;
    var form = doc.getElementById('pp-search-form');
    var input = doc.getElementById('pp-search-q');
    var status = doc.getElementById('pp-search-status');
    var filter = doc.getElementById('pp-search-filter');
    var filterList = doc.getElementById('pp-search-filter-options');
    var heading = doc.getElementById('pp-search-heading');
    var list = doc.getElementById('pp-search-results');
    var more = doc.getElementById('pp-search-more');
    var base = new URL(box.getAttribute('data-index') || '../search/', doc.baseURI);
    var siteRoot = box.getAttribute('data-root') || '../';
    var engine = new Engine(function (name, kind) {
      return fetch(new URL(name, base)).then(function (res) {
        if (!res.ok) throw new Error(res.status + ' ' + name);
        return kind === 'json' ? res.json() : res.arrayBuffer().then(function (b) { return new Uint8Array(b); });
      });
    });
    var state = { q: '', field: 'all', result: null, shown: 0, seq: 0 };

    function readUrl() {
      var p = new URLSearchParams(doc.location.search);
      state.q = p.get('q') || '';
      state.field = p.get('field') || 'all';
      input.value = state.q;
    }
    function writeUrl(push) {
      var p = new URLSearchParams();
      if (state.q) p.set('q', state.q);
      if (state.field !== 'all') p.set('field', state.field);
      var s = p.toString();
      var url = doc.location.pathname + (s ? '?' + s : '');
      if (push) history.pushState(null, '', url);
      else history.replaceState(null, '', url);
    }

    function say(text) {
      status.textContent = text;
    }

    function run() {
      var seq = ++state.seq;
      list.textContent = '';
      more.hidden = true;
      filter.hidden = true;
      heading.hidden = true;
      if (!state.q.trim()) {
        say('');
        return Promise.resolve();
      }
      if (typeof performance !== 'undefined' && performance.mark) performance.mark('pp-search-start');
      say('検索しています…');
      box.setAttribute('aria-busy', 'true');
      return engine.search(state.q, state.field).then(function (r) {
        if (seq !== state.seq) return;
        state.result = r;
        state.shown = 0;
        if (!r.parsed.include.length) {
          box.removeAttribute('aria-busy');
          say('検索する語を入力してください(記号だけの語や、除外する語だけでは検索できません)。');
          return;
        }
        if (typeof performance !== 'undefined' && performance.mark) performance.mark('pp-search-ranked');
        heading.hidden = false;
        // The hits are shown and painted first, then the filter: on a portal it lists a
        // thousand fields or more, and building and styling them takes longer than finding
        // the hits. If the hits' documents are slow to come, the filter is drawn meanwhile.
        var drawn = false;
        var drawFilter = function () {
          if (drawn || seq !== state.seq) return;
          drawn = true;
          renderFilter(r);
        };
        var slow = setTimeout(drawFilter, SLOW_DOCUMENTS_MS);
        return showMore(false).then(function () {
          if (seq !== state.seq) return;
          if (typeof performance !== 'undefined' && performance.mark) {
            performance.mark('pp-search-end');
            performance.measure('pp-search', 'pp-search-start', 'pp-search-end');
            performance.measure('pp-search-rank', 'pp-search-start', 'pp-search-ranked');
          }
          return afterPaint().then(function () {
            clearTimeout(slow);
            if (seq !== state.seq) return;
            drawFilter();
            box.removeAttribute('aria-busy');
            say(summary(r));
          });
        });
      }).catch(function (e) {
        if (seq !== state.seq) return;
        box.removeAttribute('aria-busy');
        say('検索用のデータを読み込めませんでした。時間をおいてもう一度お試しください。');
        if (typeof console !== 'undefined') console.warn('planpress search:', e);
      });
    }

    /** Resolves once what is in the page now has been painted (or after 100 ms in a tab
     * that does not paint, such as a hidden one). */
    function afterPaint() {
      return new Promise(function (resolve) {
        // Whichever comes first (a promise resolves once).
        if (typeof requestAnimationFrame === 'function') requestAnimationFrame(function () { setTimeout(resolve, 0); });
        setTimeout(resolve, 100);
      });
    }

    var fieldNames = null;

    /** A policy field's label, with its plan's title when the site has several plans. */
    function fieldLabel(id) {
      if (id === 'none') return '分野外のページ';
      if (!fieldNames) {
        // Built once: a portal has a thousand or more fields.
        fieldNames = new Map();
        var manyPlans = new Set(engine.groups.map(function (x) { return x.plan; })).size > 1;
        engine.groups.forEach(function (g) { fieldNames.set(g.id, (manyPlans ? g.plan + ' ' : '') + g.label); });
      }
      return fieldNames.get(id) || id;
    }

    function summary(r) {
      var q = '「' + state.q.trim() + '」';
      if (!r.total) return q + 'に一致するページはありませんでした。語を減らすか、別の言葉で検索してください。';
      if (state.field === 'all') return q + 'の検索結果は ' + r.total + ' 件です。';
      return q + 'の検索結果 ' + r.total + ' 件のうち、' + fieldLabel(state.field) + 'は ' + r.matched + ' 件です。';
    }

    var MAX_RADIOS = 12;
    var selectBox = null;

    /** Radio buttons for a few policy fields, a labelled select for many (portals). */
    function renderFilter(r) {
      filterList.textContent = '';
      if (selectBox) selectBox.remove();
      selectBox = null;
      if (!r.total) return;
      var options = [['all', 'すべて', r.total]];
      r.counts.forEach(function (c) { options.push([c.id, c.label, c.count]); });
      if (r.other) options.push(['none', '分野外のページ', r.other]);
      if (state.field !== 'all' && !options.some(function (o) { return o[0] === state.field; })) {
        options.push([state.field, fieldLabel(state.field), 0]);
      }
      var text = function (o) {
        return (o[0] === 'all' ? o[1] : fieldLabel(o[0])) + '(' + o[2] + ' 件)';
      };
      if (options.length > MAX_RADIOS) {
        selectBox = el('div', 'search-filter-select');
        var label = el('label', null, '分野');
        label.htmlFor = 'pp-search-field';
        var select = el('select');
        select.id = 'pp-search-field';
        select.name = 'field';
        options.forEach(function (o) {
          var opt = el('option', null, text(o));
          opt.value = o[0];
          opt.selected = o[0] === state.field;
          select.appendChild(opt);
        });
        selectBox.appendChild(label);
        selectBox.appendChild(select);
        filter.appendChild(selectBox);
        filterList.hidden = true;
      } else {
        filterList.hidden = false;
        options.forEach(function (o, i) {
          var li = el('li');
          var radio = el('input');
          radio.type = 'radio';
          radio.name = 'field';
          radio.value = o[0];
          radio.id = 'pp-search-field-' + i;
          radio.checked = o[0] === state.field;
          var label = el('label', null, text(o));
          label.htmlFor = radio.id;
          li.appendChild(radio);
          li.appendChild(label);
          filterList.appendChild(li);
        });
      }
      filter.hidden = false;
    }

    /** Appends the next page of hits, unless a newer search or filter (a new `seq`) has
     * replaced these results while their documents were loading. */
    function showMore(focusFirst) {
      var seq = state.seq;
      var r = state.result;
      var from = state.shown;
      var slice = r.hits.slice(from, from + PAGE);
      return Promise.all(slice.map(function (h) { return engine.doc(h.doc); })).then(function (docs) {
        if (seq !== state.seq) return;
        var firstLink = null;
        docs.forEach(function (d, i) {
          var li = renderHit(d, r.parsed, slice[i]);
          list.appendChild(li);
          if (!firstLink) firstLink = li.querySelector('a');
        });
        state.shown = from + slice.length;
        var rest = r.hits.length - state.shown;
        more.hidden = rest <= 0;
        more.textContent = 'さらに表示する(残り ' + rest + ' 件)';
        if (focusFirst && firstLink) firstLink.focus();
      });
    }

    function renderHit(d, parsed, hit) {
      var shown = display(d, parsed);
      var li = el('li', 'search-hit');
      var h = el('h3', 'search-hit-title');
      var a = el('a');
      a.href = siteRoot + d.u + (shown.anchor ? '#' + shown.anchor : '');
      appendMarked(a, shown.title);
      h.appendChild(a);
      li.appendChild(h);
      if (d.c.length > 1) li.appendChild(el('p', 'search-hit-crumbs', d.c.slice(1).join(' › ')));
      if (shown.snippet.length) {
        var p = el('p', 'search-hit-snippet');
        appendMarked(p, shown.snippet);
        li.appendChild(p);
      }
      if (shown.sections.length) {
        var ul = el('ul', 'search-hit-sections');
        ul.setAttribute('aria-label', '一致した見出し');
        shown.sections.forEach(function (s) {
          var sli = el('li');
          var sa = el('a');
          sa.href = siteRoot + d.u + '#' + s.anchor;
          appendMarked(sa, s.heading);
          sli.appendChild(sa);
          ul.appendChild(sli);
        });
        li.appendChild(ul);
      }
      li.setAttribute('data-doc', String(hit.doc));
      li.setAttribute('data-score', String(hit.score));
      return li;
    }

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      state.q = input.value;
      state.field = 'all';
      writeUrl(true);
      run();
    });
    filter.addEventListener('change', function (e) {
      if (!e.target || e.target.name !== 'field') return;
      state.field = e.target.value;
      writeUrl(false);
      var seq = ++state.seq;
      engine.search(state.q, state.field).then(function (res) {
        if (seq !== state.seq) return;
        state.result = res;
        state.shown = 0;
        list.textContent = '';
        return showMore(false).then(function () {
          if (seq !== state.seq) return;
          box.removeAttribute('aria-busy');
          say(summary(res));
        });
      }).catch(function (e) {
        if (seq !== state.seq) return;
        say('検索用のデータを読み込めませんでした。時間をおいてもう一度お試しください。');
        if (typeof console !== 'undefined') console.warn('planpress search:', e);
      });
    });
    more.addEventListener('click', function () { showMore(true); });
    window.addEventListener('popstate', function () {
      readUrl();
      run();
    });
    readUrl();
    // The index's metadata (preloaded by the page) is needed by any query: read it now.
    engine.init().catch(function () {});
    run();
  }

  return {
    normalize: normalize,
    normalizeChars: normalizeChars,
    tokenize: tokenize,
    queryTokens: queryTokens,
    splitTerms: splitTerms,
    parse: parse,
    idf: idf,
    FIELDNORM_TABLE: FIELDNORM_TABLE,
    Engine: Engine,
    decodeDocs: decodeDocs,
    decodePositions: decodePositions,
    occurrences: occurrences,
    snippet: snippet,
    display: display,
    boot: boot
  };
});
