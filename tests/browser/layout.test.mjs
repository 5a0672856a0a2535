// Layout checks for phones and wide screens: every page of every built site is opened in
// headless Chromium at 375 px and at 1280 px wide (real CSP, no JavaScript needed).
//
//   SITES='[{"name":"example","dir":"/tmp/out/example"}]' node --test layout.test.mjs
//
// At 375 px:
//   - the <h1> starts within the first 250 CSS px (header, menu and breadcrumbs stay small);
//   - the page never scrolls sideways (tables and charts scroll or fit inside themselves);
//   - the global navigation sits behind the 「メニュー」 button (a <details> summary) and
//     opens with it; the search box stays in the header;
//   - chart text is at least 12 CSS px (charts scale with their column);
//   - table headers of a few characters stay on one line, numbers are never split.
// At 1280 px the navigation and the search box show without the button.
//
// Env: SITES (required, else skipped), PREFIX, LAYOUT_CONCURRENCY (default 3),
//      SHOTS (a folder: one screenshot per page type and width is written there),
//      H1_MAX (default 250).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { launchChromium } from './lib/chromium.mjs';
import { startServer } from './lib/server.mjs';
import { PREFIX, readSites, htmlPages, pool, SKIP_REASON } from './lib/sites.mjs';

const CONCURRENCY = Math.max(1, Number(process.env.LAYOUT_CONCURRENCY) || 3);
const H1_MAX = Number(process.env.H1_MAX) || 250;
const SHOTS = process.env.SHOTS ? path.resolve(process.env.SHOTS) : null;
const PHONE = { width: 375, height: 900 };
const WIDE = { width: 1280, height: 900 };
const MISSING = 'no-such-page/';

const sites = readSites();

/** What kind of page a URL path (below the prefix) is, for the report and the screenshots. */
function pageType(urlPath, isNode, depth) {
  const p = decodeURIComponent(urlPath);
  if (p === '') return 'home';
  if (p === MISSING) return '404';
  if (p === 'search/') return 'search';
  if (p === 'sdgs/') return 'sdgs';
  if (/^sdgs\/\d+\/$/.test(p)) return 'sdg';
  if (p === 'departments/') return 'departments';
  if (/^departments\/\d+\/$/.test(p)) return 'department';
  if (/^[^/]+\/summary\/$/.test(p)) return 'summary';
  if (/^[^/]+\/summary\/[^/]+\/$/.test(p)) return 'field-summary';
  if (/^[^/]+\/dashboard\/$/.test(p)) return 'dashboard';
  if (/^[^/]+\/themes\/$/.test(p)) return 'themes';
  if (/^[^/]+\/themes\/[^/]+\/$/.test(p)) return 'theme';
  if (isNode) return `node-${depth}`;
  if (/^[^/]+\/$/.test(p) && depth === 0) return 'plan';
  return 'page';
}

/** Measures one page at the current viewport; runs in the page. */
function measure() {
  const r = (el) => el.getBoundingClientRect();
  const h1 = document.querySelector('h1');
  const visible = (el) =>
    !!el && el.checkVisibility({ contentVisibilityAuto: true, opacityProperty: true, visibilityProperty: true });
  const lines = (el) => {
    // Line boxes of el's text: the distinct tops of its text fragments.
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)));
    return tops.size;
  };
  const chartText = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const vb = svg.viewBox.baseVal;
    const scale = vb && vb.width ? r(svg).width / vb.width : 1;
    for (const t of svg.querySelectorAll('text')) {
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      chartText.push({ px: Math.round(px * 10) / 10, text: t.textContent.slice(0, 30) });
    }
  }
  const brokenHeaders = [...document.querySelectorAll('main thead th')]
    .filter((th) => th.textContent.trim().length <= 6 && !th.querySelector('wbr') && lines(th) > 1)
    .map((th) => th.textContent.trim());
  const brokenNumbers = [...document.querySelectorAll('main .value, main table.counts td')]
    .filter((v) => visible(v) && lines(v) > 1)
    .map((v) => v.textContent.trim());
  const crumbs = document.querySelector('nav.breadcrumbs');
  const summary = document.querySelector('.site-menu > summary');
  const nav = document.querySelector('nav.global-nav');
  const search = document.querySelector('form.site-search');
  return {
    h1Top: h1 ? Math.round(r(h1).top + window.scrollY) : null,
    h1Text: h1?.textContent.trim().slice(0, 60) ?? '',
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    chartText,
    brokenHeaders,
    brokenNumbers,
    crumbs: crumbs ? [...crumbs.querySelectorAll('li')].filter(visible).map((li) => li.textContent.trim()) : [],
    menuButton: visible(summary),
    navVisible: visible(nav?.querySelector('a')),
    searchVisible: visible(search?.querySelector('input')),
    hasNav: !!nav,
    hasSearch: !!search,
    isNode: !!document.querySelector('article.node'),
    depth: crumbs ? crumbs.querySelectorAll('li a').length - 1 : -1,
  };
}

async function check(page, item) {
  const out = { ...item };
  await page.setViewportSize(PHONE);
  const res = await page.goto(item.url, { waitUntil: 'load' });
  out.status = res?.status();
  out.phone = await page.evaluate(measure);
  out.type = pageType(item.urlPath, out.phone.isNode, out.phone.depth);
  out.shots = [];
  if (SHOTS && item.shoot) out.shots.push(await shot(page, item, out.type, '375'));
  if (out.phone.menuButton) {
    await page.click('.site-menu > summary');
    out.phoneOpen = await page.evaluate(measure);
    if (SHOTS && item.shoot) {
      const more = page.locator('.crumbs-more > summary');
      if (await more.isVisible()) await more.click();
      await page.mouse.move(0, PHONE.height - 1);
      out.shots.push(await shot(page, item, out.type, '375-open'));
      if (await more.isVisible()) await more.click();
    }
    await page.click('.site-menu > summary');
  }
  await page.setViewportSize(WIDE);
  out.wide = await page.evaluate(measure);
  if (SHOTS && item.shoot) out.shots.push(await shot(page, item, out.type, '1280'));
  return out;
}

async function shot(page, item, type, width) {
  const file = path.join(SHOTS, `${item.site}-${type}-${width}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

describe('layout at 375 px and 1280 px', { skip: sites ? false : SKIP_REASON }, () => {
  let browser;
  before(async () => {
    browser = await launchChromium();
    if (SHOTS) fs.mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  for (const site of sites ?? []) {
    describe(site.name, () => {
      let server;
      let results = [];

      before(
        async () => {
          server = await startServer(site.dir, PREFIX);
          const items = [...htmlPages(site.dir), { file: '(missing)', urlPath: MISSING }].map((p) => ({
            ...p,
            site: site.name,
            url: server.url + p.urlPath,
          }));
          // Screenshots: the first page of each URL shape (types are known after loading,
          // so every page may shoot; the first of each type per width is kept below).
          const seen = new Set();
          const contexts = await Promise.all(
            Array.from({ length: CONCURRENCY }, () => browser.newContext({ locale: 'ja-JP' })),
          );
          const pages = await Promise.all(contexts.map((c) => c.newPage()));
          results = await pool(items, CONCURRENCY, async (item, _i, w) => {
            try {
              const r = await check(pages[w], { ...item, shoot: false });
              if (SHOTS && !seen.has(r.type)) {
                seen.add(r.type);
                return await check(pages[w], { ...item, shoot: true });
              }
              return r;
            } catch (e) {
              return { ...item, error: String(e.message).slice(0, 400) };
            }
          });
          await Promise.all(contexts.map((c) => c.close()));
          const byType = new Map();
          for (const r of results.filter((x) => x.phone)) {
            const t = byType.get(r.type) ?? { n: 0, max: -Infinity, min: Infinity, worst: '' };
            t.n++;
            if (r.phone.h1Top > t.max) Object.assign(t, { max: r.phone.h1Top, worst: r.urlPath });
            t.min = Math.min(t.min, r.phone.h1Top);
            byType.set(r.type, t);
          }
          console.log(`# ${site.name}: h1 top at 375 px by page type (min–max, pages, worst page)`);
          for (const [type, t] of [...byType].sort())
            console.log(`#   ${type.padEnd(14)} ${t.min}–${t.max} px  (${t.n})  ${decodeURIComponent(t.worst)}`);
        },
        { timeout: 30 * 60 * 1000 },
      );
      after(async () => {
        await server?.close();
      });

      const ok = () => results.filter((r) => r.phone);
      const fail = (title, bad) =>
        assert.fail(
          `${title}: ${bad.length}\n\n${bad.slice(0, 20).join('\n')}${bad.length > 20 ? `\n… ${bad.length - 20} more` : ''}\n`,
        );

      test('every page could be measured', () => {
        const bad = results.filter((r) => r.error).map((r) => `${r.url}\n    ${r.error}`);
        if (bad.length) fail('pages that could not be measured', bad);
      });

      test(`at 375 px the h1 starts within ${H1_MAX} px`, () => {
        const bad = ok()
          .filter((r) => r.phone.h1Top === null || r.phone.h1Top > H1_MAX)
          .map(
            (r) => `${r.url}  h1 at ${r.phone.h1Top} px: ${r.phone.h1Text}  crumbs=${JSON.stringify(r.phone.crumbs)}`,
          );
        if (bad.length) fail('pages whose h1 starts too low', bad);
      });

      test('at 375 px no page scrolls sideways', () => {
        const bad = ok()
          .filter((r) => r.phone.scrollWidth > r.phone.innerWidth)
          .map((r) => `${r.url}  ${r.phone.scrollWidth} px wide`);
        if (bad.length) fail('pages wider than the phone', bad);
      });

      test('at 375 px the navigation is behind the メニュー button, which opens it; the search box shows', () => {
        const bad = ok()
          .filter(
            (r) =>
              (r.phone.hasNav && (!r.phone.menuButton || r.phone.navVisible || !r.phoneOpen?.navVisible)) ||
              (r.phone.hasSearch && !r.phone.searchVisible),
          )
          .map(
            (r) =>
              `${r.url}  button=${r.phone.menuButton} nav=${r.phone.navVisible} search=${r.phone.searchVisible}` +
              ` open: nav=${r.phoneOpen?.navVisible}`,
          );
        if (bad.length) fail('pages whose menu does not collapse and open', bad);
      });

      test('at 1280 px the navigation and the search box show without the button', () => {
        const bad = ok()
          .filter(
            (r) =>
              r.wide.menuButton || (r.wide.hasNav && !r.wide.navVisible) || (r.wide.hasSearch && !r.wide.searchVisible),
          )
          .map((r) => `${r.url}  button=${r.wide.menuButton} nav=${r.wide.navVisible} search=${r.wide.searchVisible}`);
        if (bad.length) fail('pages whose navigation is hidden on a wide screen', bad);
      });

      test('chart text is at least 12 px at 375 px', () => {
        const bad = ok().flatMap((r) =>
          r.phone.chartText.filter((t) => t.px < 12).map((t) => `${r.url}  ${t.px} px: ${t.text}`),
        );
        if (bad.length) fail('chart labels smaller than 12 px', bad);
      });

      test('short table headers and numbers are never broken across lines', () => {
        const bad = ok().flatMap((r) =>
          ['phone', 'wide'].flatMap((w) => [
            ...r[w].brokenHeaders.map((h) => `${r.url} (${w})  header broken: ${h}`),
            ...r[w].brokenNumbers.map((h) => `${r.url} (${w})  number broken: ${h}`),
          ]),
        );
        if (bad.length) fail('broken headers or numbers', bad);
      });
    });
  }
});
