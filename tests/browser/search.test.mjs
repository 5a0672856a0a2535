// Site search: the browser runtime (themes/default/static/search.js, served as
// assets/search.js) against `planpress search` (tantivy).
//
//   SITES='[{"name":"example","dir":"/tmp/out/example"}]' node --test search.test.mjs
//
// 1. The JavaScript analyzer reproduces tests/search/tokenizer-vectors.json (always runs;
//    the Rust analyzer runs the same file in `cargo test`).
// 2. For every built site whose source is known (example = repository root, otherwise
//    tests/fixtures/<name>), every query of tests/search/queries.json is run by
//    `planpress search --queries … --json` and by the site's own assets/search.js, once
//    under Node (files read from disk) and once in headless Chromium (fetched from the
//    site served under PREFIX). Both must give the same pages in the same order with
//    scores within 1e-4, the same counts per policy field, the same filtered lists and
//    the same title / link / snippet / sections for the first results.
// 3. End to end in Chromium: a query typed into the header box of the home page lands on
//    the search page with highlighted results; the policy field filter, keyboard use,
//    content escaping (a node titled <img src=x onerror=alert(1)>), a 375px wide header,
//    and the page without JavaScript.
//
// Env: SITES, PREFIX (as the other browser tests), PLANPRESS_BIN (default
//      $CARGO_TARGET_DIR/release/planpress, then target/release, then target/debug),
//      CHROMIUM (default /usr/bin/chromium).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './lib/chromium.mjs';
import { startServer } from './lib/server.mjs';
import { PREFIX, readSites, SKIP_REASON } from './lib/sites.mjs';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VECTORS_FILE = path.join(REPO, 'tests/search/tokenizer-vectors.json');
const QUERIES_FILE = path.join(REPO, 'tests/search/queries.json');
const QUERIES = JSON.parse(fs.readFileSync(QUERIES_FILE, 'utf8'));
const SHOWN = 10; // results compared in full (title, link, snippet, sections)
const sites = readSites();

function findBinary() {
  const candidates = [
    process.env.PLANPRESS_BIN,
    process.env.CARGO_TARGET_DIR && path.join(process.env.CARGO_TARGET_DIR, 'release/planpress'),
    path.join(REPO, 'target/release/planpress'),
    path.join(REPO, 'target/debug/planpress'),
  ].filter(Boolean);
  return candidates.find((p) => fs.existsSync(p));
}

function siteRoot(name) {
  if (name === 'example') return REPO;
  const dir = path.join(REPO, 'tests/fixtures', name);
  return fs.existsSync(path.join(dir, 'site.toml')) ? dir : null;
}

/** Loader for the engine under Node: files of <site>/search/. */
function fileLoader(dir) {
  return async (name, kind) => {
    const b = fs.readFileSync(path.join(dir, 'search', name));
    return kind === 'json' ? JSON.parse(b.toString('utf8')) : new Uint8Array(b.buffer, b.byteOffset, b.length);
  };
}

/**
 * What the runtime computes for every query: results, the same per policy field, and the
 * display of the first results. Runs in Node and, serialised, in the page.
 */
async function runAll(api, engine, queries, shown) {
  const out = [];
  for (const q of queries) {
    const r = await engine.search(q, null);
    const filtered = {};
    for (const id of [...r.counts.map((c) => c.id), ...(r.other ? ['none'] : [])]) {
      filtered[id] = (await engine.search(q, id)).hits.map((h) => h.doc);
    }
    const displays = [];
    for (const h of r.hits.slice(0, shown)) {
      const d = await engine.doc(h.doc);
      displays.push({ url: d.u, display: api.display(d, r.parsed) });
    }
    out.push({ total: r.total, counts: r.counts, other: r.other, hits: r.hits.map((h) => [h.doc, h.score]), filtered, displays });
  }
  return out;
}

/** Differences between the runtime's results and `planpress search`'s, one line each. */
function compare(actual, expected, queries = QUERIES) {
  const bad = [];
  queries.forEach((q, i) => {
    const a = actual[i], e = expected[i];
    const where = `query ${JSON.stringify(q)}`;
    if (a.total !== e.total) bad.push(`${where}: ${a.total} matches, planpress search has ${e.total}`);
    const ad = a.hits.map((h) => h[0]).join(','), ed = e.hits.map((h) => h.doc).join(',');
    if (ad !== ed) bad.push(`${where}: order differs\n    runtime: ${ad.slice(0, 200)}\n    tantivy: ${ed.slice(0, 200)}`);
    a.hits.forEach((h, k) => {
      const s = e.hits[k]?.score;
      if (s !== undefined && Math.abs(h[1] - s) > 1e-4) bad.push(`${where}: score of doc ${h[0]} is ${h[1]}, tantivy ${s}`);
    });
    if (JSON.stringify(a.counts) !== JSON.stringify(e.counts) || a.other !== e.other) {
      bad.push(`${where}: counts ${JSON.stringify([a.counts, a.other])} ≠ ${JSON.stringify([e.counts, e.other])}`);
    }
    for (const [id, docs] of Object.entries(a.filtered)) {
      const want = e.hits.filter((h) => (id === 'none' ? h.field == null : h.field === id)).map((h) => h.doc);
      if (docs.join(',') !== want.join(',')) bad.push(`${where}: filtered by ${id}: ${docs} ≠ ${want}`);
    }
    a.displays.forEach((d, k) => {
      const h = e.hits[k];
      if (!h) return;
      if (d.url !== h.url) bad.push(`${where}: hit ${k} url ${d.url} ≠ ${h.url}`);
      if (JSON.stringify(d.display) !== JSON.stringify(h.display)) {
        bad.push(`${where}: hit ${k} (${h.url}) shown differently\n    runtime: ${JSON.stringify(d.display).slice(0, 400)}\n    planpress: ${JSON.stringify(h.display).slice(0, 400)}`);
      }
    });
  });
  return bad;
}

// ---------------------------------------------------------------- analyzer

describe('search analyzer (JavaScript)', () => {
  const api = require(path.join(REPO, 'themes/default/static/search.js'));
  const vectors = JSON.parse(fs.readFileSync(VECTORS_FILE, 'utf8'));

  test(`reproduces the ${vectors.length} shared tokenizer vectors`, () => {
    const cp = (s, u) => Array.from(s.slice(0, u)).length;
    const bad = [];
    for (const v of vectors) {
      const tokens = api.tokenize(v.input).map((t) => [t.text, t.position, cp(v.input, t.start), cp(v.input, t.end)]);
      const query = api.queryTokens(v.input).map((t) => [t.text, t.position]);
      if (JSON.stringify(tokens) !== JSON.stringify(v.tokens)) bad.push(`${JSON.stringify(v.input)} tokens ${JSON.stringify(tokens)}`);
      if (JSON.stringify(query) !== JSON.stringify(v.query)) bad.push(`${JSON.stringify(v.input)} query ${JSON.stringify(query)}`);
      if (v.normalized !== undefined && api.normalize(v.input) !== v.normalized) bad.push(`${JSON.stringify(v.input)} normalised ${api.normalize(v.input)}`);
    }
    assert.deepEqual(bad, []);
  });

  test('query syntax: spaces (U+3000 too), quotes, exclusion', () => {
    assert.deepEqual(api.splitTerms('子育て　支援 -協働'), [[false, '子育て'], [false, '支援'], [true, '協働']]);
    assert.deepEqual(api.splitTerms('"地域 循環" -"a b"'), [[false, '地域 循環'], [true, 'a b']]);
    assert.deepEqual(api.splitTerms('- x-y －z'), [[false, 'x-y'], [true, 'z']]);
    assert.deepEqual(api.parse('、 「子育て」 -ＤＸ').include[0].tokens, [[0, '子育'], [1, '育て']]);
  });

  test('idf follows tantivy (f32)', () => {
    assert.equal(api.idf(1, 2), Math.fround(Math.log(Math.fround(1 + Math.fround(1.5 / 1.5)))));
    assert.equal(api.FIELDNORM_TABLE.length, 256);
  });
});

// ---------------------------------------------------------------- sites

describe('site search (runtime = planpress search, UI)', { skip: sites ? false : SKIP_REASON }, () => {
  let browser;
  const bin = findBinary();

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const site of sites ?? []) {
    describe(site.name, () => {
      let server;
      let expected = null;
      const root = siteRoot(site.name);
      const searchUrl = () => `${server.url}search/`;

      before(async () => {
        server = await startServer(site.dir, PREFIX);
        if (root && bin) {
          const out = execFileSync(bin, ['search', '--root', root, '--queries', QUERIES_FILE, '--limit', '1000000'], { maxBuffer: 1 << 28 });
          expected = JSON.parse(out.toString('utf8'));
          assert.equal(expected.length, QUERIES.length);
        }
      }, { timeout: 120_000 });
      after(async () => {
        await server?.close();
      });

      test(`Node: ${QUERIES.length} queries give the results of planpress search`, { skip: root ? false : 'site source unknown' }, async () => {
        assert.ok(bin, 'planpress binary not found (cargo build --release, or set PLANPRESS_BIN)');
        const api = require(path.join(site.dir, 'assets/search.js'));
        const engine = new api.Engine(fileLoader(site.dir));
        const actual = await runAll(api, engine, QUERIES, SHOWN);
        const bad = compare(actual, expected);
        assert.deepEqual(bad, [], bad.join('\n'));
        const matched = expected.filter((r) => r.total > 0).length;
        assert.ok(site.name !== 'example' || matched >= 40, `only ${matched} queries match on the example site`);
      });

      test('Node: substrings of the pages (runs of 3–12 characters and mixed) give the results of planpress search', { skip: root ? false : 'site source unknown' }, async () => {
        assert.ok(bin, 'planpress binary not found (cargo build --release, or set PLANPRESS_BIN)');
        // Seeded, so a failure names queries that fail again.
        let seed = 20261201;
        const rand = (n) => {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
          return (seed >>> 8) % n;
        };
        const texts = [];
        for (const f of fs.readdirSync(path.join(site.dir, 'search/d'))) {
          const d = JSON.parse(fs.readFileSync(path.join(site.dir, 'search/d', f), 'utf8'));
          for (const sec of d.s) if (sec[2]) texts.push(sec[2]);
        }
        const queries = [];
        while (queries.length < 60 && texts.length) {
          const chars = Array.from(texts[rand(texts.length)]);
          const len = 3 + rand(10);
          if (chars.length < len) continue;
          const start = rand(chars.length - len + 1);
          const q = chars.slice(start, start + len).join('');
          if (q.trim()) queries.push(q);
        }
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pp-queries-')), 'q.json');
        fs.writeFileSync(file, JSON.stringify(queries));
        const want = JSON.parse(execFileSync(bin, ['search', '--root', root, '--queries', file, '--limit', '1000000'], { maxBuffer: 1 << 28 }).toString('utf8'));
        const api = require(path.join(site.dir, 'assets/search.js'));
        const actual = await runAll(api, new api.Engine(fileLoader(site.dir)), queries, SHOWN);
        const bad = compare(actual, want, queries);
        assert.deepEqual(bad, [], bad.join('\n'));
        assert.ok(want.filter((r) => r.total > 0).length >= 30, 'most substrings of pages find their page');
      });

      test(`Chromium: ${QUERIES.length} queries give the results of planpress search`, { skip: root ? false : 'site source unknown' }, async () => {
        const page = await browser.newPage();
        try {
          await page.goto(searchUrl());
          await page.waitForFunction(() => window.planpressSearch);
          const actual = await page.evaluate(
            async ({ queries, shown, runAllSrc }) => {
              const api = window.planpressSearch;
              const base = new URL(document.getElementById('pp-search').dataset.index, document.baseURI);
              const engine = new api.Engine(async (name, kind) => {
                const res = await fetch(new URL(name, base));
                if (!res.ok) throw new Error(`${res.status} ${name}`);
                return kind === 'json' ? res.json() : new Uint8Array(await res.arrayBuffer());
              });
              // eslint-disable-next-line no-new-func
              const runAll = new Function(`return (${runAllSrc})`)();
              return runAll(api, engine, queries, shown);
            },
            { queries: QUERIES, shown: SHOWN, runAllSrc: runAll.toString() },
          );
          const bad = compare(actual, expected);
          assert.deepEqual(bad, [], bad.join('\n'));
        } finally {
          await page.close();
        }
      });

      test('a query typed into the header box shows highlighted results on the search page', async () => {
        const page = await browser.newPage({ locale: 'ja-JP' });
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        try {
          const checks = site.name === 'example'
            ? [
                ['協働', /協働/],
                ['茶', /茶/],
                ['ＤＸ', /DX/i],
                ['子育て 支援', /子育て/],
                ['"地域循環共生圏"', /地域循環共生圏/],
              ]
            : [[expected?.find((r) => r.total > 0)?.query ?? '計画', null]];
          for (const [q, want] of checks) {
            await page.goto(server.url);
            await page.fill('header form[role="search"] input[name="q"]', q);
            await page.press('header form[role="search"] input[name="q"]', 'Enter');
            await page.waitForURL(/\/search\/\?q=/);
            await page.waitForFunction(() => !document.getElementById('pp-search').hasAttribute('aria-busy') && document.getElementById('pp-search-status').textContent.includes('件'));
            const seen = await page.evaluate(() => ({
              status: document.getElementById('pp-search-status').textContent,
              titles: [...document.querySelectorAll('#pp-search-results > li h3')].map((h) => h.textContent),
              links: [...document.querySelectorAll('#pp-search-results > li h3 a')].map((a) => a.href),
              marks: [...document.querySelectorAll('#pp-search-results mark')].map((m) => m.textContent),
              input: document.getElementById('pp-search-q').value,
            }));
            assert.equal(seen.input, q);
            const exp = expected?.[QUERIES.indexOf(q)];
            if (exp) {
              assert.match(seen.status, new RegExp(`${exp.total} 件`), `${q}: status ${seen.status}`);
              assert.deepEqual(seen.titles, exp.hits.slice(0, SHOWN).map((h) => h.title), `${q}: result titles`);
            }
            assert.ok(seen.titles.length > 0, `${q}: no results`);
            assert.ok(seen.links.every((l) => l.startsWith(server.url)), `${q}: result links outside ${PREFIX}`);
            if (want) assert.ok(seen.marks.some((m) => want.test(m)), `${q}: no <mark> matching ${want} in ${seen.marks.slice(0, 5)}`);
            const first = await page.request.get(seen.links[0].split('#')[0]);
            assert.equal(first.status(), 200, `${q}: first result ${seen.links[0]}`);
          }
          assert.deepEqual(errors, []);
        } finally {
          await page.close();
        }
      });

      test('filter by policy field and keyboard-only use', async () => {
        const r = expected?.find((x) => x.counts.length >= 2) ?? expected?.find((x) => x.counts.length >= 1);
        if (!r) return;
        const page = await browser.newPage();
        try {
          await page.goto(searchUrl());
          // Keyboard only: focus the input, type, submit with Enter.
          await page.keyboard.press('Tab'); // skip link
          let guard = 0;
          while (!(await page.evaluate(() => document.activeElement?.id === 'pp-search-q')) && guard++ < 60) await page.keyboard.press('Tab');
          assert.ok(guard < 60, 'the search input is not reachable with Tab');
          await page.keyboard.type(r.query);
          await page.keyboard.press('Enter');
          await page.waitForFunction(() => document.querySelectorAll('#pp-search-filter input[type=radio]').length > 1);
          // Tab from the input reaches the filter; arrow keys move between fields.
          const target = r.counts[0];
          guard = 0;
          while (!(await page.evaluate(() => document.activeElement?.name === 'field')) && guard++ < 10) await page.keyboard.press('Tab');
          assert.ok(guard < 10, 'the field filter is not reachable with Tab');
          guard = 0;
          while (!(await page.evaluate((id) => document.activeElement?.value === id, target.id)) && guard++ < 20) await page.keyboard.press('ArrowRight');
          await page.waitForFunction((n) => document.querySelectorAll('#pp-search-results > li').length === Math.min(n, 10) && document.getElementById('pp-search-status').textContent.includes(`${n} 件です`), target.count);
          const shown = await page.$$eval('#pp-search-results > li', (l) => l.map((x) => Number(x.dataset.doc)));
          const want = r.hits.filter((h) => h.field === target.id).slice(0, 10).map((h) => h.doc);
          assert.deepEqual(shown, want);
          assert.match(page.url(), /[?&]field=/);
          const status = await page.getAttribute('#pp-search-status', 'aria-live');
          assert.equal(status, 'polite');
        } finally {
          await page.close();
        }
      });

      test('a filter chosen while results are still loading shows only that field', async () => {
        // Regression: the first page of results, still fetching its documents when a field
        // was chosen, was appended below the filtered results once they arrived.
        const r = expected?.find((x) => x.counts.length >= 2 && x.total > x.counts[0].count);
        if (!r) return;
        const target = r.counts[0];
        const page = await browser.newPage();
        const held = [];
        let hold = true;
        await page.route('**/search/d/**', (route) => (hold ? held.push(route) : route.continue()));
        try {
          await page.goto(`${searchUrl()}?q=${encodeURIComponent(r.query)}`);
          await page.waitForFunction(() => document.querySelectorAll('#pp-search-filter input[type=radio]').length > 1);
          // The page asked for the documents before drawing the filter (drawn because they
          // are slow to come); the requests reach this route handler.
          for (let waited = 0; !held.length && waited < 5000; waited += 20) await page.waitForTimeout(20);
          assert.ok(held.length > 0, 'the documents of the first results were never requested');
          await page.check(`#pp-search-filter input[value="${target.id}"]`);
          await page.waitForTimeout(300); // the filtered search runs on cached shards
          hold = false;
          for (const route of held.splice(0)) await route.continue();
          await page.waitForFunction((n) => document.getElementById('pp-search-status').textContent.includes(`${n} 件です`), target.count);
          await page.waitForTimeout(100);
          const shown = await page.$$eval('#pp-search-results > li', (l) => l.map((x) => Number(x.dataset.doc)));
          const want = r.hits.filter((h) => h.field === target.id).slice(0, 10).map((h) => h.doc);
          assert.deepEqual(shown, want);
        } finally {
          await page.close();
        }
      });

      // Only the features fixture has a node titled like markup (<img src=x onerror=…>).
      if (site.name === 'features') test('content is shown as text, never as markup', async () => {
        const page = await browser.newPage();
        let dialog = false;
        page.on('dialog', async (d) => {
          dialog = true;
          await d.dismiss();
        });
        try {
          await page.goto(`${searchUrl()}?q=onerror`);
          await page.waitForFunction(() => document.querySelectorAll('#pp-search-results > li').length > 0);
          const r = await page.evaluate(() => ({
            titles: [...document.querySelectorAll('#pp-search-results h3')].map((h) => h.textContent),
            imgs: document.querySelectorAll('#pp-search-area img, #pp-search img').length,
            scripts: document.querySelectorAll('#pp-search script').length,
          }));
          assert.ok(r.titles.some((t) => t.includes('<img src=x onerror=alert(1)>')), JSON.stringify(r.titles));
          assert.equal(r.imgs, 0);
          assert.equal(r.scripts, 0);
          await page.goto(`${searchUrl()}?q=${encodeURIComponent('alert summary')}`);
          await page.waitForFunction(() => document.getElementById('pp-search-status').textContent.includes('件'));
          await new Promise((res) => setTimeout(res, 200));
          assert.equal(dialog, false, 'content ran as script');
        } finally {
          await page.close();
        }
      });

      test('the header stays usable 375px wide', async () => {
        const page = await browser.newPage({ viewport: { width: 375, height: 720 } });
        try {
          for (const url of [server.url, searchUrl()]) {
            await page.goto(url);
            const m = await page.evaluate(() => {
              const form = document.querySelector('header form[role="search"], #pp-search-form');
              const box = form.getBoundingClientRect();
              const input = form.querySelector('input[name="q"]').getBoundingClientRect();
              const button = form.querySelector('button').getBoundingClientRect();
              return { scroll: document.documentElement.scrollWidth, right: box.right, input: input.width, button: [button.width, button.height, button.right] };
            });
            assert.ok(m.scroll <= 375, `${url}: page is ${m.scroll}px wide at 375px`);
            assert.ok(m.right <= 375 && m.button[2] <= 375, `${url}: search form overflows: ${JSON.stringify(m)}`);
            assert.ok(m.input >= 150, `${url}: search input only ${m.input}px wide`);
            assert.ok(m.button[1] >= 44, `${url}: search button ${m.button[1]}px high`);
          }
        } finally {
          await page.close();
        }
      });

      test('without JavaScript the search page points to the field navigation', async () => {
        const ctx = await browser.newContext({ javaScriptEnabled: false });
        try {
          const page = await ctx.newPage();
          await page.goto(`${searchUrl()}?q=test`);
          const text = await page.textContent('main');
          assert.match(text, /JavaScript が必要です/);
          const links = await page.$$eval('main noscript a, main .search-noscript a', (l) => l.length);
          assert.ok(links > 0 || /ホーム/.test(text));
        } finally {
          await ctx.close();
        }
      });
    });
  }
});
