// The search engine: loads the manifest, term shards, positions and documents on demand
// and ranks as `planpress search` does (tantivy's BM25 over title, headings, body and listed,
// phrases for multi-token terms, chains for CJK runs, exclusions, spelling variants after
// literal matches, policy field counts).

import { f, idf, K1_PLUS_1, tfCache } from './bm25.mjs';
import { plan } from './chains.mjs';
import { decodeDocs, decodeGroups, decodePositions, decodeShard, FORMAT_VERSION, shardOf } from './format.mjs';
import { parse } from './query.mjs';
import { normalize } from './analyzer.mjs';
import { expand, isReading, variantHits } from './variants.mjs';

/**
 * The search engine over the files under search/. `load(name, kind)` returns a promise
 * of the file's contents: kind 'json' → parsed JSON, 'bin' → Uint8Array.
 */
export function Engine(load) {
  this.load = load;
  this.shards = new Map();
  this.docCache = new Map();
  this.ready = null;
}

Engine.prototype.init = function () {
  var self = this;
  if (!this.ready) {
    this.ready = Promise.all([this.load('manifest.json', 'json'), this.load('docs.bin', 'bin')]).then(function (r) {
      var m = r[0],
        bin = r[1];
      if (m.version !== FORMAT_VERSION) throw new Error('search index version ' + m.version + ' is not supported');
      self.manifest = m;
      self.n = m.docs;
      self.groups = m.groups.map(function (g) {
        var plan = m.plans[g[0]];
        return { id: plan[0] + '/' + g[1], label: g[2], plan: plan[1] };
      });
      var docInfo = decodeGroups(bin, m.docs);
      self.group = docInfo.group;
      self.depth = docInfo.depth;
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
    this.shards.set(
      i,
      this.load('t/' + i + '.bin', 'bin').then(function (bytes) {
        return decodeShard(bytes, self.manifest.fields.length);
      }),
    );
  }
  return this.shards.get(i);
};

/** The per-field entries of `key` ([{df, postings()}, …]) or null. */
Engine.prototype.term = function (key) {
  if (!this.manifest.shards) return Promise.resolve(null);
  return this.shard(this.shardOf(key)).then(function (map) {
    return map.get(key) || null;
  });
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
    entry.pos =
      entry.pos || decodePositions(bytes.subarray(entry.offset, entry.offset + entry.length), listOf(entry).tf);
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
    while (j + 1 < n && units[j].kind === 'bi' && units[j + 1].kind === 'bi' && units[j + 1].rel === units[j].rel + 1)
      j++;
    if (j - i >= 2) {
      // best[k]: cheapest cover of i..k that keeps k; from[k]: the previous kept index.
      var best = [],
        from = [];
      for (var k = i; k <= j; k++) {
        var c = per[k].length;
        if (k === i) {
          best[k] = c;
          from[k] = -1;
        } else {
          var a = best[k - 1],
            b = k - 2 >= i ? best[k - 2] : Infinity;
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
    if (how.open && !how.open[fi]) return;
    var per = entries.map(function (e) {
      return e ? e[fi] : null;
    });
    if (
      per.some(function (e) {
        return !e || !e.df;
      })
    )
      return;
    if (!candidates(per.map(listOf)).length) return;
    var keep = positionCover(how.units, per);
    per.forEach(function (e, k) {
      if (keep[k]) need.push(e);
    });
  });
  return need;
};

/**
 * Scores of one term (looked up as `how` = plan(term), `entries` per unit) per document:
 * {docs: matching documents in the order first met, hit: Uint8Array, score: Float64Array
 * (f32 values)}: the larger of the sum over the own fields (title, headings, body) of
 * boost × BM25 and boost × BM25 of `listed` (a phrase's idf is the sum of its bigrams'
 * idf; its term frequency is the number of phrase occurrences).
 */
Engine.prototype.termScores = function (how, entries) {
  var self = this;
  var units = how.units;
  var out = { docs: [], hit: new Uint8Array(this.n), score: new Float64Array(this.n) };
  // The last field (`listed`, format 5) scores apart; a term's score is the larger of the
  // own fields' sum and it (tantivy's DisjunctionMaxQuery).
  var last = this.fields.length - 1;
  var listed = new Float64Array(this.n);
  this.fields.forEach(function (field, fi) {
    if (how.open && !how.open[fi]) return;
    var per = entries.map(function (e) {
      return e ? e[fi] : null;
    });
    if (
      per.some(function (e) {
        return !e || !e.df;
      })
    )
      return;
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
      if (fi === last) {
        listed[doc] = s;
        if (!out.hit[doc]) {
          out.hit[doc] = 1;
          out.docs.push(doc);
        }
      } else if (out.hit[doc]) {
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
    countPhrases(units, per, lists, add);
  });
  out.docs.forEach(function (doc) {
    if (listed[doc] > out.score[doc]) out.score[doc] = listed[doc];
  });
  return out;
};

/**
 * Calls add(doc, count, norm) for every document where the units of a phrase (`per`: their
 * entries in one field, `lists`: their posting lists) occur at their relative positions,
 * `count` times.
 */
function countPhrases(units, per, lists, add) {
  var lead = lists[0];
  var cand = candidates(lists);
  if (!cand.length) return;
  var keep = positionCover(units, per);
  var check = [];
  for (var t0 = 1; t0 < lists.length; t0++) if (keep[t0]) check.push(t0);
  var pos = per.map(function (e) {
    return e.pos;
  });
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
        var t2 = check[c],
          j = idx[t2];
        ok = hasPosition(pos[t2].pos, pos[t2].start[j], pos[t2].start[j + 1], p + units[t2].rel);
      }
      if (ok) count++;
    }
    if (count > 0) add(doc, count, lead.norm[a]);
  });
}

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
 * hits: [{doc, score, variant?}]} — every match, best first, ties in document order, the
 * matches only through another spelling (variant: true) after the literal ones; `field`
 * (a policy field id, 'none' for pages outside fields, or null) filters the hits.
 */
Engine.prototype.search = function (input, field) {
  var self = this;
  var parsed = parse(input);
  var terms, plans, inc, exc, altsOf;
  return this.init()
    .then(function () {
      // The site's words read as the hiragana terms (y/<n>.json, src/search/readings.rs).
      var count = self.manifest.readings || 0;
      var wanted = parsed.include
        .map(function (t) {
          return normalize(t.raw);
        })
        .filter(isReading);
      if (!count || !wanted.length) return {};
      return Promise.all(
        wanted.map(function (n) {
          return self.readingShard(shardOf(n, count));
        }),
      ).then(function (shards) {
        var words = {};
        wanted.forEach(function (n, i) {
          words[n] = shards[i][n] || [];
        });
        return words;
      });
    })
    .then(function (words) {
      // Included terms, excluded terms, then every alternative spelling (variants.mjs).
      // (Only the reading terms were looked up.)
      expand(parsed, self.manifest.variants || [], function (n) {
        return words[n] || [];
      });
      terms = parsed.include.concat(parsed.exclude);
      inc = parsed.include.length;
      exc = parsed.exclude.length;
      altsOf = parsed.include.map(function (t) {
        return t.alts.map(function (a) {
          terms.push(a);
          return terms.length - 1;
        });
      });
      plans = terms.map(plan);
      // First the pairs of a term (chains.mjs `guards`), then, of a term of several
      // units, its chains, one after the other: a field without one of them cannot match,
      // and once no field can, nothing more is loaded (a term that occurs nowhere costs
      // one small file). Then the rest at once.
      return Promise.all(
        plans.map(function (how) {
          var probes = how.guards.slice();
          if (how.units.length > 1)
            how.units.forEach(function (u) {
              if (u.kind === 'chain') probes.push(u.key);
            });
          how.open = self.fields.map(function () {
            return true;
          });
          var probe = function (k) {
            if (k === probes.length || !how.open.some(Boolean)) return Promise.resolve();
            return self.term(probes[k]).then(function (g) {
              how.open = how.open.map(function (open, fi) {
                return open && !!g && !!g[fi] && g[fi].df > 0;
              });
              return probe(k + 1);
            });
          };
          return probe(0).then(function () {
            if (!how.open.some(Boolean))
              return how.units.map(function () {
                return null;
              });
            return Promise.all(
              how.units.map(function (u) {
                return self.term(u.key);
              }),
            );
          });
        }),
      );
    })
    .then(function (entries) {
      var need = [];
      plans.forEach(function (how, i) {
        need.push.apply(need, self.positionsNeeded(how, entries[i]));
      });
      return Promise.all(
        need.map(function (e) {
          return self.loadPositions(e);
        }),
      ).then(function () {
        return entries;
      });
    })
    .then(function (entries) {
      var scores = plans.map(function (how, i) {
        return self.termScores(how, entries[i]);
      });
      var excluded = scores.slice(inc, inc + exc);
      var all = rank(self, scores.slice(0, inc), excluded);
      var withAlts = altsOf.some(function (a) {
        return a.length;
      });
      if (withAlts) {
        var forms = altsOf.map(function (alts, i) {
          return [scores[i]].concat(
            alts.map(function (k) {
              return scores[k];
            }),
          );
        });
        all = all.concat(variantHits(self.n, all, forms, excluded));
      }
      var t = tally(self, all, field);
      return {
        parsed: parsed,
        total: all.length,
        counts: t.counts,
        other: t.other,
        matched: t.hits.length,
        hits: t.hits,
      };
    });
};

/** Readings shard `i` (y/<i>.json): {reading: [written forms]}. */
Engine.prototype.readingShard = function (i) {
  if (!this.readingFiles) this.readingFiles = new Map();
  if (!this.readingFiles.has(i)) this.readingFiles.set(i, this.load('y/' + i + '.json', 'json'));
  return this.readingFiles.get(i);
};

/** One document: {u: url, t: title, c: crumbs, s: [[anchor, heading, text], …]}. */
Engine.prototype.doc = function (d) {
  if (!this.docCache.has(d)) this.docCache.set(d, this.load('d/' + d + '.json', 'json'));
  return this.docCache.get(d);
};

/**
 * The documents in every term of `scored` and none of `excluded`, with the sum of their
 * scores, best first, ties deeper pages (of `engine`) first, then in document order.
 */
function rank(engine, scored, excluded) {
  var all = [];
  if (scored.length) {
    var smallest = scored.reduce(function (a, b) {
      return b.docs.length < a.docs.length ? b : a;
    });
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
  var depth = engine.depth;
  all.sort(function (a, b) {
    return b.score - a.score || depth[b.doc] - depth[a.doc] || a.doc - b.doc;
  });
  return all;
}

/**
 * The hits `all` per policy field of `engine`: {counts: [{id, label, count}] (fields with
 * hits), other (hits outside fields), hits (those in `field`, every hit for null/''/'all')}.
 */
function tally(engine, all, field) {
  var groups = engine.groups;
  var per = new Array(groups.length).fill(0),
    other = 0;
  all.forEach(function (h) {
    var g = engine.group[h.doc];
    if (g < 0) other++;
    else per[g]++;
  });
  var counts = [];
  groups.forEach(function (g, i) {
    if (per[i]) counts.push({ id: g.id, label: g.label, count: per[i] });
  });
  var want =
    field == null || field === '' || field === 'all'
      ? undefined
      : field === 'none'
        ? -1
        : groups.findIndex(function (g) {
            return g.id === field;
          });
  var hits =
    want === undefined
      ? all
      : all.filter(function (h) {
          return engine.group[h.doc] === want;
        });
  return { counts: counts, other: other, hits: hits };
}
