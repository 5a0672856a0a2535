// Spelling variants (src/search/variants.rs): the other spellings of a query term, from
// the groups of the site (`variants` in manifest.json), and the ranking of the documents
// found only through them, after the literal matches.

import { normalize, queryTokens } from './analyzer.mjs';
import { f } from './bm25.mjs';

/** At most this many alternatives per term (src/search/variants.rs MAX_ALTERNATIVES). */
var MAX_ALTERNATIVES = 16;

function units(s) {
  return Array.from(s).length;
}

/**
 * Whether the normalised term `norm` is looked up as a reading (src/search/readings.rs
 * `is_reading`): two or more hiragana (and ー), nothing else.
 */
export function isReading(norm) {
  var cs = Array.from(norm);
  return (
    cs.length >= 2 &&
    cs.every(function (c) {
      var x = c.codePointAt(0);
      return (x >= 0x3041 && x <= 0x3096) || x === 0x30fc;
    })
  );
}

/**
 * The other spellings of `term` (normalised): for each group whose form (longest first)
 * occurs in the term, every occurrence replaced by each other form of the group; then
 * the words of `extra` (the site's words read as the term) not yet there
 * (src/search/variants.rs `alternatives_with`).
 */
export function alternatives(term, groups, extra) {
  var norm = normalize(term);
  var out = [];
  groups.forEach(function (group) {
    var forms = group.slice().sort(function (a, b) {
      return units(b) - units(a);
    });
    var found = forms.find(function (x) {
      return norm.indexOf(x) >= 0;
    });
    if (found === undefined) return;
    forms.forEach(function (other) {
      if (other === found) return;
      var alt = norm.split(found).join(other);
      if (alt !== norm && out.indexOf(alt) < 0 && out.length < MAX_ALTERNATIVES) out.push(alt);
    });
  });
  (extra || []).forEach(function (w) {
    if (out.length < MAX_ALTERNATIVES && w !== norm && out.indexOf(w) < 0) out.push(w);
  });
  return out;
}

/**
 * Adds `alts` (terms {raw, tokens, kinds}) to every included term of `parsed`; `words(norm)`
 * gives the site's words read as a normalised term (or nothing).
 */
export function expand(parsed, groups, words) {
  parsed.include.forEach(function (term) {
    term.alts = [];
    var extra = words ? words(normalize(term.raw)) : [];
    alternatives(term.raw, groups, extra).forEach(function (a) {
      var toks = queryTokens(a);
      if (!toks.length) return;
      var first = toks[0].position;
      term.alts.push({
        raw: a,
        tokens: toks.map(function (t) {
          return [t.position - first, t.text];
        }),
        kinds: toks.map(function (t) {
          return t.kind;
        }),
      });
    });
  });
  return parsed;
}

/**
 * The documents found only through alternatives: not in `literal` (the literal hits),
 * in no excluded term, and matching every included term by one of its forms. `forms[i]`
 * holds the scores of term i's forms (literal first). Score: the sum over terms of the
 * best score of their forms; best first, ties in document order; each hit has variant: true.
 */
export function variantHits(n, literal, forms, excluded) {
  if (!forms.length) return [];
  var skip = new Uint8Array(n);
  literal.forEach(function (h) {
    skip[h.doc] = 1;
  });
  excluded.forEach(function (s) {
    s.docs.forEach(function (d) {
      skip[d] = 1;
    });
  });
  var best = forms.map(function (list) {
    var hit = new Uint8Array(n),
      score = new Float64Array(n),
      docs = [];
    list.forEach(function (s) {
      s.docs.forEach(function (d) {
        if (!hit[d]) {
          hit[d] = 1;
          score[d] = s.score[d];
          docs.push(d);
        } else if (s.score[d] > score[d]) score[d] = s.score[d];
      });
    });
    return { hit: hit, score: score, docs: docs };
  });
  var out = [];
  best[0].docs.forEach(function (d) {
    if (skip[d]) return;
    var total = 0;
    for (var i = 0; i < best.length; i++) {
      if (!best[i].hit[d]) return;
      total = i === 0 ? best[i].score[d] : f(total + best[i].score[d]);
    }
    out.push({ doc: d, score: total, variant: true });
  });
  out.sort(function (a, b) {
    return b.score - a.score || a.doc - b.doc;
  });
  return out;
}
