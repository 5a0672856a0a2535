// Chains (src/search/chains.rs): how a query term is looked up — CJK runs through the
// chain terms of the index, everything else token by token.

import { continuesUnit } from './analyzer.mjs';

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
export function plan(term) {
  var t = term.tokens,
    units = [],
    src = [];
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
  return { units: units, src: src, guards: guards(term) };
}

/**
 * The pairs of a term (src/search/pairs.rs): where one of its words touches the token
 * before or after it, the word and the unit at the meeting point (`ict化`, `dx推`). A term
 * can only match in a field that has all of them.
 */
export function guards(term) {
  var t = term.tokens,
    runs = [],
    out = [];
  for (var i = 0; i < t.length; i++) {
    var kind = term.kinds[i],
      text = t[i][1];
    var last = runs[runs.length - 1];
    if (kind === 'bi' && last && last.bi && t[i][0] === last.end - 1) {
      last.end++;
      last.last = text.slice(firstUnitLength(text));
      continue;
    }
    if (kind === 'bi') {
      var cut = firstUnitLength(text);
      runs.push({ start: t[i][0], end: t[i][0] + 2, first: text.slice(0, cut), last: text.slice(cut), bi: true });
    } else {
      runs.push({ start: t[i][0], end: t[i][0] + 1, first: text, last: text, word: kind === 'word' });
    }
  }
  for (var k = 1; k < runs.length; k++) {
    var a = runs[k - 1],
      b = runs[k];
    if ((a.word || b.word) && b.start === a.end) out.push(a.last + b.first);
  }
  return out;
}
