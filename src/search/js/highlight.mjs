// Snippets (src/search/highlight.rs): where the included terms occur in a text, and how
// a hit is shown — its title, the snippet and the matching sections, parts marked.

import { tokenize } from './analyzer.mjs';

var SNIPPET_BEFORE = 30;
var SNIPPET_LENGTH = 110;
var MAX_SECTIONS = 3;

/** Code point ranges [[start, end], …] where included terms (or their alts) occur in `text`, merged. */
export function occurrences(text, parsed) {
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
  // Included terms and their other spellings (variants.mjs).
  var forms = [];
  parsed.include.forEach(function (term) {
    forms.push(term);
    (term.alts || []).forEach(function (a) {
      forms.push(a);
    });
  });
  var wanted = new Set();
  forms.forEach(function (term) {
    term.tokens.forEach(function (t) {
      wanted.add(t[1]);
    });
  });
  var toks = tokenize(text, wanted);
  var at = new Map(),
    byText = new Map();
  toks.forEach(function (t) {
    at.set(t.text + '\u0000' + t.position, t);
    if (!byText.has(t.text)) byText.set(t.text, []);
    byText.get(t.text).push(t.position);
  });
  var out = [];
  forms.forEach(function (term) {
    (byText.get(term.tokens[0][1]) || []).forEach(function (p) {
      var s = -1,
        e = -1;
      for (var k = 0; k < term.tokens.length; k++) {
        var o = at.get(term.tokens[k][1] + '\u0000' + (p + term.tokens[k][0]));
        if (!o) return;
        s = s < 0 ? o.start : Math.min(s, o.start);
        e = Math.max(e, o.end);
      }
      out.push([cp[s], cp[e]]);
    });
  });
  out.sort(function (a, b) {
    return a[0] - b[0] || a[1] - b[1];
  });
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
    var a = Math.max(r[0], start),
      b = Math.min(r[1], end);
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

export function snippet(text, ranges) {
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
export function display(doc, parsed) {
  var title = mark(doc.t, occurrences(doc.t, parsed));
  var anchor = -1,
    from = null,
    sections = [];
  // Stops once nothing can change: a snippet found and the section list full.
  for (var i = 0; i < doc.s.length && !(from && sections.length >= MAX_SECTIONS); i++) {
    var s = doc.s[i];
    var h = occurrences(s[1], parsed),
      t = occurrences(s[2], parsed);
    if (!h.length && !t.length) continue;
    if (anchor < 0) anchor = i;
    if (!from && t.length) from = [i, t];
    if (s[0] && sections.length < MAX_SECTIONS) sections.push({ anchor: s[0], heading: mark(s[1], h) });
  }
  var snip;
  if (from) snip = snippet(doc.s[from[0]][2], from[1]);
  else if (anchor >= 0 && doc.s[anchor][2]) snip = snippet(doc.s[anchor][2], []);
  else {
    var first = doc.s.find(function (s) {
      return s[2];
    });
    snip = first ? snippet(first[2], []) : [];
  }
  return { title: title, anchor: anchor >= 0 ? doc.s[anchor][0] : '', snippet: snip, sections: sections };
}
