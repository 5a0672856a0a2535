// Search latency harness, run by bench/search.mjs in a Chromium that no automation
// protocol is attached to (Playwright's DevTools traffic shares the machine's cores and
// the page's main thread, and roughly doubled the figures it measured).
//
// Served at <site>/__bench/latency.html?report=URL next to the built site (same origin, so
// it can drive the search page in an iframe of the full window), it runs every query of
// __bench/queries.json:
//   first:    a fresh search/?q=QUERY page per query (the server sends no-store, so every
//             file is fetched again);
//   later:    each query typed into one search page after the ones before it;
//   repeated: each query once more in that page (all its files already fetched).
// Every figure is the 'pp-search' measure search.js records (search start → hits shown),
// with its 'pp-search-rank' part (search start → hits found and ranked).
// The rows are POSTed as JSON to the report URL.
(async function () {
  'use strict';
  var report = new URLSearchParams(location.search).get('report');
  var queries = await (await fetch('queries.json')).json();
  var rows = [];

  function frame(src) {
    var iframe = document.createElement('iframe');
    iframe.title = 'search';
    iframe.style.cssText = 'display:block;width:100vw;height:100vh;border:0';
    document.body.textContent = '';
    document.body.appendChild(iframe);
    return new Promise(function (resolve) {
      iframe.onload = function () { resolve(iframe.contentWindow); };
      iframe.src = src;
    });
  }
  function measures(w, name) {
    return w.performance.getEntriesByName(name || 'pp-search');
  }
  // Polls lightly (every 20 ms) until a new measure, a message that the query has no
  // terms, or 10 s.
  function settled(w, before) {
    var t0 = performance.now();
    return new Promise(function (resolve) {
      (function check() {
        var status = w.document.getElementById('pp-search-status');
        if (measures(w).length > before || (status && /入力してください|読み込めません/.test(status.textContent)) || performance.now() - t0 > 10000) {
          var done = measures(w).length > before;
          resolve(done ? { ms: measures(w)[before].duration, rank: measures(w, 'pp-search-rank')[before].duration } : null);
        } else {
          setTimeout(check, 20);
        }
      })();
    });
  }
  var pause = function () { return new Promise(function (r) { setTimeout(r, 50); }); };

  try {
    for (var q of queries) {
      var w = await frame('../search/?q=' + encodeURIComponent(q));
      var m = await settled(w, 0);
      if (m) rows.push({ q: q, round: 'first', ms: m.ms, rank: m.rank });
    }
    var page = await frame('../search/');
    for (var round of ['later', 'repeated']) {
      for (var q2 of queries) {
        var before = measures(page).length;
        page.document.getElementById('pp-search-q').value = q2;
        page.document.getElementById('pp-search-form').requestSubmit();
        var t = await settled(page, before);
        if (t) rows.push({ q: q2, round: round, ms: t.ms, rank: t.rank });
        await pause();
      }
    }
    await fetch(report, { method: 'POST', mode: 'no-cors', body: JSON.stringify({ rows: rows }) });
  } catch (e) {
    await fetch(report, { method: 'POST', mode: 'no-cors', body: JSON.stringify({ error: String(e && e.stack || e) }) });
  }
})();
