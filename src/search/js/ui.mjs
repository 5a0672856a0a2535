// The search page (themes/default/templates/search.html, #pp-search): reads the query from
// the address (the header box of every page submits to it), shows the hits ten at a time
// and the policy field filter, and keeps the address in step.
//
// The page's parts and state are one object, `ui` (see searchPage); every search or
// filter change takes a new `ui.state.seq`, and work for an older one is dropped.

import { Engine } from './engine.mjs';
import { display } from './highlight.mjs';

var PAGE = 10;
/** How long the hits' documents may take before the field filter is drawn without them. */
var SLOW_DOCUMENTS_MS = 150;
/** More options than this make the field filter a select (portals). */
var MAX_RADIOS = 12;

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

/** Drives the search page of `doc`, if it is one. */
export function boot(doc) {
  var ui = searchPage(doc);
  if (!ui) return;
  listen(ui);
  readUrl(ui);
  // The index's metadata (preloaded by the page) is needed by any query: read it now.
  ui.engine.init().catch(function () {});
  run(ui);
}

/** The parts of the search page, its engine and its state (null without #pp-search). */
function searchPage(doc) {
  var box = doc.getElementById('pp-search');
  if (!box) return null;
  var base = new URL(box.getAttribute('data-index') || '../search/', doc.baseURI);
  return {
    doc: doc,
    box: box,
    form: doc.getElementById('pp-search-form'),
    input: doc.getElementById('pp-search-q'),
    status: doc.getElementById('pp-search-status'),
    filter: doc.getElementById('pp-search-filter'),
    filterList: doc.getElementById('pp-search-filter-options'),
    heading: doc.getElementById('pp-search-heading'),
    list: doc.getElementById('pp-search-results'),
    more: doc.getElementById('pp-search-more'),
    siteRoot: box.getAttribute('data-root') || '../',
    engine: new Engine(fetchLoader(base)),
    state: { q: '', field: 'all', result: null, shown: 0, seq: 0 },
    /** Policy field id → label shown (see fieldLabel). */
    fieldNames: null,
    /** The filter's select, when it is one. */
    selectBox: null,
  };
}

/** The engine's loader in a page: the index files under `base`, fetched. */
function fetchLoader(base) {
  return function (name, kind) {
    return fetch(new URL(name, base)).then(function (res) {
      if (!res.ok) throw new Error(res.status + ' ' + name);
      return kind === 'json'
        ? res.json()
        : res.arrayBuffer().then(function (b) {
            return new Uint8Array(b);
          });
    });
  };
}

/** The search form, the filter, the "more" button and the browser's back and forward. */
function listen(ui) {
  var state = ui.state;
  ui.form.addEventListener('submit', function (e) {
    e.preventDefault();
    state.q = ui.input.value;
    state.field = 'all';
    writeUrl(ui, true);
    run(ui);
  });
  ui.filter.addEventListener('change', function (e) {
    if (!e.target || e.target.name !== 'field') return;
    state.field = e.target.value;
    writeUrl(ui, false);
    refilter(ui);
  });
  ui.more.addEventListener('click', function () {
    showMore(ui, true);
  });
  window.addEventListener('popstate', function () {
    readUrl(ui);
    run(ui);
  });
}

function readUrl(ui) {
  var p = new URLSearchParams(ui.doc.location.search);
  ui.state.q = p.get('q') || '';
  ui.state.field = p.get('field') || 'all';
  ui.input.value = ui.state.q;
}
function writeUrl(ui, push) {
  var state = ui.state;
  var p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  if (state.field !== 'all') p.set('field', state.field);
  var s = p.toString();
  var url = ui.doc.location.pathname + (s ? '?' + s : '');
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

function say(ui, text) {
  ui.status.textContent = text;
}

function sayLoadFailed(ui, e) {
  say(ui, '検索用のデータを読み込めませんでした。時間をおいてもう一度お試しください。');
  if (typeof console !== 'undefined') console.warn('planpress search:', e);
}

/** Searches for the query of the state (clearing the results first). */
function run(ui) {
  var state = ui.state;
  var seq = ++state.seq;
  ui.list.textContent = '';
  ui.more.hidden = true;
  ui.filter.hidden = true;
  ui.heading.hidden = true;
  if (!state.q.trim()) {
    say(ui, '');
    return Promise.resolve();
  }
  if (typeof performance !== 'undefined' && performance.mark) performance.mark('pp-search-start');
  say(ui, '検索しています…');
  ui.box.setAttribute('aria-busy', 'true');
  return ui.engine
    .search(state.q, state.field)
    .then(function (r) {
      return showResults(ui, seq, r);
    })
    .catch(function (e) {
      if (seq !== state.seq) return;
      ui.box.removeAttribute('aria-busy');
      sayLoadFailed(ui, e);
    });
}

/** Shows the results `r` of search number `seq`: the first hits, then the filter. */
function showResults(ui, seq, r) {
  var state = ui.state;
  if (seq !== state.seq) return;
  state.result = r;
  state.shown = 0;
  if (!r.parsed.include.length) {
    ui.box.removeAttribute('aria-busy');
    say(ui, '検索する語を入力してください(記号だけの語や、除外する語だけでは検索できません)。');
    return;
  }
  if (typeof performance !== 'undefined' && performance.mark) performance.mark('pp-search-ranked');
  ui.heading.hidden = false;
  // The hits are shown and painted first, then the filter: on a portal it lists a
  // thousand fields or more, and building and styling them takes longer than finding
  // the hits. If the hits' documents are slow to come, the filter is drawn meanwhile.
  var drawn = false;
  var drawFilter = function () {
    if (drawn || seq !== state.seq) return;
    drawn = true;
    renderFilter(ui, r);
  };
  var slow = setTimeout(drawFilter, SLOW_DOCUMENTS_MS);
  return showMore(ui, false).then(function () {
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
      ui.box.removeAttribute('aria-busy');
      say(ui, summary(ui, r));
    });
  });
}

/** Shows the hits of the same query in the field chosen in the filter. */
function refilter(ui) {
  var state = ui.state;
  var seq = ++state.seq;
  ui.engine
    .search(state.q, state.field)
    .then(function (res) {
      if (seq !== state.seq) return;
      state.result = res;
      state.shown = 0;
      ui.list.textContent = '';
      return showMore(ui, false).then(function () {
        if (seq !== state.seq) return;
        ui.box.removeAttribute('aria-busy');
        say(ui, summary(ui, res));
      });
    })
    .catch(function (e) {
      if (seq !== state.seq) return;
      sayLoadFailed(ui, e);
    });
}

/** Resolves once what is in the page now has been painted (or after 100 ms in a tab
 * that does not paint, such as a hidden one). */
function afterPaint() {
  return new Promise(function (resolve) {
    // Whichever comes first (a promise resolves once).
    if (typeof requestAnimationFrame === 'function')
      requestAnimationFrame(function () {
        setTimeout(resolve, 0);
      });
    setTimeout(resolve, 100);
  });
}

/** A policy field's label, with its plan's title when the site has several plans. */
function fieldLabel(ui, id) {
  if (id === 'none') return '分野外のページ';
  if (!ui.fieldNames) {
    // Built once: a portal has a thousand or more fields.
    var names = (ui.fieldNames = new Map());
    var groups = ui.engine.groups;
    var manyPlans =
      new Set(
        groups.map(function (x) {
          return x.plan;
        }),
      ).size > 1;
    groups.forEach(function (g) {
      names.set(g.id, (manyPlans ? g.plan + ' ' : '') + g.label);
    });
  }
  return ui.fieldNames.get(id) || id;
}

function summary(ui, r) {
  var state = ui.state;
  var q = '「' + state.q.trim() + '」';
  if (!r.total) return q + 'に一致するページはありませんでした。語を減らすか、別の言葉で検索してください。';
  if (state.field === 'all') return q + 'の検索結果は ' + r.total + ' 件です。';
  return q + 'の検索結果 ' + r.total + ' 件のうち、' + fieldLabel(ui, state.field) + 'は ' + r.matched + ' 件です。';
}

/** Radio buttons for a few policy fields, a labelled select for many (portals). */
function renderFilter(ui, r) {
  ui.filterList.textContent = '';
  if (ui.selectBox) ui.selectBox.remove();
  ui.selectBox = null;
  if (!r.total) return;
  var options = filterOptions(ui, r);
  if (options.length > MAX_RADIOS) {
    ui.selectBox = fieldSelect(ui, options);
    ui.filter.appendChild(ui.selectBox);
    ui.filterList.hidden = true;
  } else {
    ui.filterList.hidden = false;
    options.forEach(function (o, i) {
      ui.filterList.appendChild(fieldRadio(ui, o, i));
    });
  }
  ui.filter.hidden = false;
}

/**
 * The filter's options, [id, label, count]: all hits, every field with hits, the pages
 * outside fields, and the field chosen (in the address) when it has none.
 */
function filterOptions(ui, r) {
  var field = ui.state.field;
  var options = [['all', 'すべて', r.total]];
  r.counts.forEach(function (c) {
    options.push([c.id, c.label, c.count]);
  });
  if (r.other) options.push(['none', '分野外のページ', r.other]);
  if (
    field !== 'all' &&
    !options.some(function (o) {
      return o[0] === field;
    })
  ) {
    options.push([field, fieldLabel(ui, field), 0]);
  }
  return options;
}

function optionText(ui, o) {
  return (o[0] === 'all' ? o[1] : fieldLabel(ui, o[0])) + '(' + o[2] + ' 件)';
}

/** The filter as a labelled select (in a div). */
function fieldSelect(ui, options) {
  var box = el('div', 'search-filter-select');
  var label = el('label', null, '分野');
  label.htmlFor = 'pp-search-field';
  var select = el('select');
  select.id = 'pp-search-field';
  select.name = 'field';
  options.forEach(function (o) {
    var opt = el('option', null, optionText(ui, o));
    opt.value = o[0];
    opt.selected = o[0] === ui.state.field;
    select.appendChild(opt);
  });
  box.appendChild(label);
  box.appendChild(select);
  return box;
}

/** Option `i` of the filter as a radio button and its label (in a li). */
function fieldRadio(ui, o, i) {
  var li = el('li');
  var radio = el('input');
  radio.type = 'radio';
  radio.name = 'field';
  radio.value = o[0];
  radio.id = 'pp-search-field-' + i;
  radio.checked = o[0] === ui.state.field;
  var label = el('label', null, optionText(ui, o));
  label.htmlFor = radio.id;
  li.appendChild(radio);
  li.appendChild(label);
  return li;
}

/** Appends the next page of hits, unless a newer search or filter (a new `seq`) has
 * replaced these results while their documents were loading. */
function showMore(ui, focusFirst) {
  var state = ui.state;
  var seq = state.seq;
  var r = state.result;
  var from = state.shown;
  var slice = r.hits.slice(from, from + PAGE);
  return Promise.all(
    slice.map(function (h) {
      return ui.engine.doc(h.doc);
    }),
  ).then(function (docs) {
    if (seq !== state.seq) return;
    var firstLink = null;
    docs.forEach(function (d, i) {
      var li = renderHit(d, r.parsed, slice[i], ui.siteRoot);
      ui.list.appendChild(li);
      if (!firstLink) firstLink = li.querySelector('a');
    });
    state.shown = from + slice.length;
    var rest = r.hits.length - state.shown;
    ui.more.hidden = rest <= 0;
    ui.more.textContent = 'さらに表示する(残り ' + rest + ' 件)';
    if (focusFirst && firstLink) firstLink.focus();
  });
}

/** One hit: its title (linked), the crumbs, the snippet and the matching sections. */
function renderHit(d, parsed, hit, siteRoot) {
  var shown = display(d, parsed);
  var li = el('li', 'search-hit');
  var h = el('h3', 'search-hit-title');
  var a = el('a');
  a.href = siteRoot + d.u + (shown.anchor ? '#' + shown.anchor : '');
  appendMarked(a, shown.title);
  h.appendChild(a);
  li.appendChild(h);
  // Found only through another spelling (src/search/cli.rs VARIANT_LABEL).
  if (hit.variant) li.appendChild(el('p', 'search-hit-variant', '読み・表記ゆれで一致'));
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
