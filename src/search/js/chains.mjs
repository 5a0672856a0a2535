// Chains (src/search/chains.rs, src/search/mixed.rs): how a query term is looked up —
// runs of touching units (CJK, or words and CJK) through the chain terms of the index,
// everything else token by token.

import { continuesUnit } from './analyzer.mjs';

/** Chains of up to this many units are terms of their own (src/search/chains.rs `MAX_CHAIN`). */
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
 * The runs of a term's tokens: a CJK run of bigrams (`bi`), a word, or a lone CJK unit,
 * each {from, to (token indexes), start, end (positions), units (normalised texts), word}.
 */
function runsOf(term) {
  var t = term.tokens,
    runs = [];
  for (var i = 0; i < t.length; i++) {
    var kind = term.kinds[i],
      text = t[i][1];
    var last = runs[runs.length - 1];
    if (kind === 'bi' && last && last.bi && t[i][0] === last.end - 1) {
      last.end++;
      last.to = i;
      last.units.push(text.slice(firstUnitLength(text)));
      continue;
    }
    if (kind === 'bi') {
      var cut = firstUnitLength(text);
      runs.push({
        from: i,
        to: i,
        start: t[i][0],
        end: t[i][0] + 2,
        units: [text.slice(0, cut), text.slice(cut)],
        bi: true,
      });
    } else {
      runs.push({
        from: i,
        to: i,
        start: t[i][0],
        end: t[i][0] + 1,
        units: [text],
        word: kind === 'word',
      });
    }
  }
  return runs;
}

/**
 * The query tokens of the units `from` … `to − 1` of a segment (`runs`, touching, whose
 * first unit is at position `start`), in order, as [kind, position]: what the analyzer
 * gives for their text (a CJK run cut to one unit is its unigram).
 */
function windowTokens(runs, start, from, to) {
  var out = [];
  runs.forEach(function (r) {
    var a = Math.max(from, r.start - start),
      b = Math.min(to, r.end - start);
    if (a >= b) return;
    if (!r.bi) out.push([r.word ? 'word' : 'uni', start + a]);
    else if (b - a === 1) out.push(['uni', start + a]);
    else for (var k = a; k < b - 1; k++) out.push(['bi', start + k]);
  });
  return out;
}

/**
 * What to look up for a term: `units` [{key, rel, kind}] (kind 'chain' or the token's
 * kind), for every token of the term where its document frequency is (`src`: [unit, index
 * of the token among the chain's query tokens, or −1]), and its `guards`.
 *
 * The term is cut into segments: runs of tokens that touch (a CJK run, or words and CJK
 * units with no separator between them). A segment is looked up through chains, terms of
 * their own that count their occurrences (src/search/chains.rs for CJK units alone,
 * src/search/mixed.rs for words and CJK units): a segment that is the whole term and has
 * at most MAX_CHAIN units as that chain alone (no positions needed; a CJK run needs three
 * units, as two are a bigram); a segment of MAX_CHAIN units or more as chains of MAX_CHAIN
 * units at most MAX_CHAIN − 1 apart (which keeps them in one segment and includes every
 * token), whose positions must line up. Shorter segments in a longer term are looked up
 * token by token.
 */
export function plan(term) {
  var t = term.tokens,
    units = [],
    src = new Array(t.length);
  var runs = runsOf(term);
  var r = 0;
  while (r < runs.length) {
    var q = r;
    while (q + 1 < runs.length && runs[q + 1].start === runs[q].end && (runs[q].word || runs[q + 1].word)) q++;
    var seg = runs.slice(r, q + 1);
    var start = seg[0].start;
    var all = [];
    seg.forEach(function (x) {
      all.push.apply(all, x.units);
    });
    var n = all.length;
    var alone = r === 0 && q === runs.length - 1;
    var mixed = seg.length > 1;
    var chained = n >= MAX_CHAIN || (alone && (mixed || (seg[0].bi && n >= 3)));
    if (chained) {
      var offsets = [];
      if (n <= MAX_CHAIN) {
        offsets.push(0);
      } else {
        for (var o = 0; o + MAX_CHAIN < n; o += MAX_CHAIN - 1) offsets.push(o);
        offsets.push(n - MAX_CHAIN);
      }
      offsets.forEach(function (o) {
        var len = Math.min(MAX_CHAIN, n - o);
        var tokens = windowTokens(seg, start, o, o + len);
        var at = units.length;
        units.push({
          key: all.slice(o, o + len).join(''),
          rel: start + o,
          kind: 'chain',
        });
        // Each token of the term takes its document frequency from the first chain with it.
        for (var k = seg[0].from; k <= seg[seg.length - 1].to; k++) {
          if (src[k]) continue;
          var kind = term.kinds[k];
          for (var x = 0; x < tokens.length; x++) {
            if (tokens[x][0] === kind && tokens[x][1] === t[k][0]) {
              src[k] = [at, x];
              break;
            }
          }
        }
      });
    } else {
      for (var k2 = seg[0].from; k2 <= seg[seg.length - 1].to; k2++) {
        src[k2] = [units.length, -1];
        units.push({ key: t[k2][1], rel: t[k2][0], kind: term.kinds[k2] });
      }
    }
    r = q + 1;
  }
  return { units: units, src: src, guards: guards(runs) };
}

/**
 * The guards of a term (its `runs`): the mixed chains of two units (src/search/mixed.rs) where one of
 * its words touches the token before or after it, the word and the unit at the meeting
 * point (`ict化`, `dx推`). A term can only match in a field that has all of them.
 */
function guards(runs) {
  var out = [];
  for (var k = 1; k < runs.length; k++) {
    var a = runs[k - 1],
      b = runs[k];
    if ((a.word || b.word) && b.start === a.end) out.push(a.units[a.units.length - 1] + b.units[0]);
  }
  return out;
}
