// The analyzer: NFKC, lower case, words and CJK unigrams and bigrams — rule for rule the
// twin of src/search/analyzer.rs (tests/search/tokenizer-vectors.json holds the two
// together).

var RE_MARK = /\p{M}/u;
var RE_WORD = /[\p{Alphabetic}\p{N}]/u;

function isIgnorable(c) {
  return (
    (c >= 0xfe00 && c <= 0xfe0f) ||
    (c >= 0xe0100 && c <= 0xe01ef) ||
    (c >= 0x200b && c <= 0x200d) ||
    c === 0x2060 ||
    c === 0xfeff ||
    c === 0xad
  );
}
function continuesSegment(ch) {
  return ch === '\uFF9E' || ch === '\uFF9F' || RE_MARK.test(ch);
}
function isCjk(c) {
  return (
    (c >= 0x3005 && c <= 0x3007) ||
    (c >= 0x3041 && c <= 0x3096) ||
    (c >= 0x3099 && c <= 0x309f) ||
    (c >= 0x30a1 && c <= 0x30fa) ||
    (c >= 0x30fc && c <= 0x30ff) ||
    (c >= 0x31f0 && c <= 0x31ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0x1b000 && c <= 0x1b16f) ||
    (c >= 0x20000 && c <= 0x323af)
  );
}
var SEP = 0;
var CJK = 1;
var WORD = 2;
function classOf(ch) {
  var c = ch.codePointAt(0);
  if (isCjk(c)) return CJK;
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) ? WORD : SEP;
  return RE_WORD.test(ch) ? WORD : SEP;
}

/** Characters NFKC and lower-casing leave alone (the bulk of Japanese text). */
function isStable(c) {
  return (
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0x3041 && c <= 0x3096) ||
    (c >= 0x30a1 && c <= 0x30fa) ||
    c === 0x30fc ||
    (c >= 0x3001 && c <= 0x3003) ||
    (c >= 0x3005 && c <= 0x3007) ||
    (c >= 0x300c && c <= 0x300f)
  );
}
/** Whether a normalised character belongs to the unit before it (a combining mark). */
export function continuesUnit(ch) {
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
  var ch = [],
    start = [],
    end = [];
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
export function normalizeChars(text) {
  var c = norm(text);
  return c.ch.map(function (x, i) {
    return { ch: x, start: c.start[i], end: c.end[i] };
  });
}

export function normalize(text) {
  return norm(text).ch.join('');
}

/**
 * Tokens of `text`: {text, position, start, end (UTF-16 offsets in text), kind, run}.
 * kind: 'word' | 'uni' | 'bi'; run: length of the CJK run (unigrams). With `wanted` (a
 * Set of token texts), only those tokens are returned (the same objects otherwise).
 */
export function tokenize(text, wanted) {
  var c = norm(text);
  var chs = c.ch,
    cs = c.start,
    ce = c.end;
  // Units: a character and the marks after it.
  var us = [],
    ue = [],
    uc = [],
    ut = [];
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
    wanted.forEach(function (w) {
      firsts.add(Array.from(w)[0]);
    });
  }
  var out = [];
  var pos = 0,
    gap = false,
    any = false;
  var a = 0,
    nu = us.length;
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
        if (!wanted || wanted.has(w))
          out.push({ text: w, position: pos, start: cs[us[a]], end: ce[ue[b - 1] - 1], kind: 'word', run: 0 });
        pos++;
      } else {
        var run = b - a;
        for (var k = a; k < b; k++) {
          var p = pos + (k - a);
          var t = ut[k];
          if (wanted && !firsts.has(Array.from(t)[0])) continue;
          if (!wanted || wanted.has(t))
            out.push({ text: t, position: p, start: cs[us[k]], end: ce[ue[k] - 1], kind: 'uni', run: run });
          if (k + 1 < b) {
            var bi = t + ut[k + 1];
            if (!wanted || wanted.has(bi))
              out.push({ text: bi, position: p, start: cs[us[k]], end: ce[ue[k + 1] - 1], kind: 'bi', run: run });
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
export function queryTokens(term) {
  return tokenize(term).filter(function (t) {
    return !(t.kind === 'uni' && t.run > 1);
  });
}
