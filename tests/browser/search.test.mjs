// Site search in Chromium: the browser runtime (themes/default/static/search.js, the
// bundle of src/search/js/, served as assets/search.js) against `planpress search`
// (tantivy), and the search page. search-node.test.mjs runs the checks that need no
// browser (tokenizer vectors, the same comparison under Node).
//
//   SITES='[{"name":"example","dir":"/tmp/out/example"}]' node --test search.test.mjs
//
// 1. For every built site whose source is known (example = repository root, otherwise
//    tests/fixtures/<name>), every query of tests/search/queries.json is run by
//    `planpress search --queries … --json` and by the site's own assets/search.js in
//    headless Chromium (fetched from the site served under PREFIX). Both must give the
//    same pages in the same order with scores within 1e-4, the same counts per policy
//    field, the same filtered lists and the same title / link / snippet / sections for the
//    first results.
// 2. End to end in Chromium: a query typed into the header box of the home page lands on
//    the search page with highlighted results; the policy field filter, keyboard use,
//    content escaping (a node titled <img src=x onerror=alert(1)>), a 375px wide header,
//    and the page without JavaScript.
//
// Env: SITES, PREFIX (as the other browser tests), PLANPRESS_BIN (default
//      $CARGO_TARGET_DIR/release/planpress, then target/release, then target/debug),
//      CHROMIUM (default /usr/bin/chromium).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launchChromium } from './lib/chromium.mjs';
import { compare, findBinary, planpressSearch, QUERIES, runAll, SHOWN, siteRoot } from './lib/search.mjs';
import { startServer } from './lib/server.mjs';
import { PREFIX, readSites, SKIP_REASON } from './lib/sites.mjs';

const sites = readSites();

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

      before(
        async () => {
          server = await startServer(site.dir, PREFIX);
          if (root && bin) {
            expected = planpressSearch(bin, root);
            assert.equal(expected.length, QUERIES.length);
          }
        },
        { timeout: 120_000 },
      );
      after(async () => {
        await server?.close();
      });

      test(
        `Chromium: ${QUERIES.length} queries give the results of planpress search`,
        { skip: root ? false : 'site source unknown' },
        async () => {
          assert.ok(bin, 'planpress binary not found (cargo build --release, or set PLANPRESS_BIN)');
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
        },
      );

      test('a query typed into the header box shows highlighted results on the search page', async () => {
        const page = await browser.newPage({ locale: 'ja-JP' });
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        try {
          const checks =
            site.name === 'example'
              ? [
                  ['協働', /協働/],
                  ['茶', /茶/],
                  ['ＤＸ', /DX/i],
                  ['子育て 支援', /子育て/],
                  ['"地域循環共生圏"', /地域循環共生圏/],
                  ['子供', /子ども/],
                  ['障害', /障がい/],
                ]
              : [[expected?.find((r) => r.total > 0)?.query ?? '計画', null]];
          for (const [q, want] of checks) {
            await page.goto(server.url);
            await page.fill('header form[role="search"] input[name="q"]', q);
            await page.press('header form[role="search"] input[name="q"]', 'Enter');
            await page.waitForURL(/\/search\/\?q=/);
            await page.waitForFunction(
              () =>
                !document.getElementById('pp-search').hasAttribute('aria-busy') &&
                document.getElementById('pp-search-status').textContent.includes('件'),
            );
            const seen = await page.evaluate(() => ({
              status: document.getElementById('pp-search-status').textContent,
              titles: [...document.querySelectorAll('#pp-search-results > li h3')].map((h) => h.textContent),
              links: [...document.querySelectorAll('#pp-search-results > li h3 a')].map((a) => a.href),
              marks: [...document.querySelectorAll('#pp-search-results mark')].map((m) => m.textContent),
              variants: [...document.querySelectorAll('#pp-search-results > li')].map(
                (li) => li.querySelector('.search-hit-variant')?.textContent ?? null,
              ),
              input: document.getElementById('pp-search-q').value,
            }));
            assert.equal(seen.input, q);
            const exp = expected?.[QUERIES.indexOf(q)];
            if (exp) {
              assert.match(seen.status, new RegExp(`${exp.total} 件`), `${q}: status ${seen.status}`);
              assert.deepEqual(
                seen.titles,
                exp.hits.slice(0, SHOWN).map((h) => h.title),
                `${q}: result titles`,
              );
              assert.deepEqual(
                seen.variants,
                exp.hits.slice(0, SHOWN).map((h) => (h.variant ? '読み・表記ゆれで一致' : null)),
                `${q}: hits marked 読み・表記ゆれで一致`,
              );
            }
            assert.ok(seen.titles.length > 0, `${q}: no results`);
            assert.ok(
              seen.links.every((l) => l.startsWith(server.url)),
              `${q}: result links outside ${PREFIX}`,
            );
            if (want)
              assert.ok(
                seen.marks.some((m) => want.test(m)),
                `${q}: no <mark> matching ${want} in ${seen.marks.slice(0, 5)}`,
              );
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
          while (!(await page.evaluate(() => document.activeElement?.id === 'pp-search-q')) && guard++ < 60)
            await page.keyboard.press('Tab');
          assert.ok(guard < 60, 'the search input is not reachable with Tab');
          await page.keyboard.type(r.query);
          await page.keyboard.press('Enter');
          await page.waitForFunction(() => document.querySelectorAll('#pp-search-filter input[type=radio]').length > 1);
          // Tab from the input reaches the filter; arrow keys move between fields.
          const target = r.counts[0];
          guard = 0;
          while (!(await page.evaluate(() => document.activeElement?.name === 'field')) && guard++ < 10)
            await page.keyboard.press('Tab');
          assert.ok(guard < 10, 'the field filter is not reachable with Tab');
          guard = 0;
          while (!(await page.evaluate((id) => document.activeElement?.value === id, target.id)) && guard++ < 20)
            await page.keyboard.press('ArrowRight');
          await page.waitForFunction(
            (n) =>
              document.querySelectorAll('#pp-search-results > li').length === Math.min(n, 10) &&
              document.getElementById('pp-search-status').textContent.includes(`${n} 件です`),
            target.count,
          );
          const shown = await page.$$eval('#pp-search-results > li', (l) => l.map((x) => Number(x.dataset.doc)));
          const want = r.hits
            .filter((h) => h.field === target.id)
            .slice(0, 10)
            .map((h) => h.doc);
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
          await page.waitForFunction(
            (n) => document.getElementById('pp-search-status').textContent.includes(`${n} 件です`),
            target.count,
          );
          await page.waitForTimeout(100);
          const shown = await page.$$eval('#pp-search-results > li', (l) => l.map((x) => Number(x.dataset.doc)));
          const want = r.hits
            .filter((h) => h.field === target.id)
            .slice(0, 10)
            .map((h) => h.doc);
          assert.deepEqual(shown, want);
        } finally {
          await page.close();
        }
      });

      // Only the features fixture has a node titled like markup (<img src=x onerror=…>).
      if (site.name === 'features')
        test('content is shown as text, never as markup', async () => {
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
            assert.ok(
              r.titles.some((t) => t.includes('<img src=x onerror=alert(1)>')),
              JSON.stringify(r.titles),
            );
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
              return {
                scroll: document.documentElement.scrollWidth,
                right: box.right,
                input: input.width,
                button: [button.width, button.height, button.right],
              };
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
