// Query syntax (src/search/query.rs): terms split on white space (U+3000 too), "quoted
// phrases" and -excluded terms; every term becomes its query tokens.

import { queryTokens } from './analyzer.mjs';

var RE_SPACE = /\p{White_Space}/u;

function isQuote(ch) {
  return ch === '"' || ch === '\uFF02' || ch === '\u201C' || ch === '\u201D';
}
function isMinus(ch) {
  return ch === '-' || ch === '\uFF0D' || ch === '\u2212';
}

/** [[excluded, raw], …] */
export function splitTerms(input) {
  var out = [];
  var cur = '',
    negated = false,
    started = false,
    quoted = false;
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
export function parse(input) {
  var q = { include: [], exclude: [] };
  splitTerms(input).forEach(function (pair) {
    var toks = queryTokens(pair[1]);
    if (!toks.length) return;
    var first = toks[0].position;
    var term = {
      raw: pair[1],
      tokens: toks.map(function (t) {
        return [t.position - first, t.text];
      }),
      kinds: toks.map(function (t) {
        return t.kind;
      }),
    };
    (pair[0] ? q.exclude : q.include).push(term);
  });
  return q;
}
