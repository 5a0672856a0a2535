// Browser tests for built planpress sites.
//
//   SITES='[{"name":"example","dir":"/tmp/out/example"}]' node --test a11y.test.mjs
//
// Every site is served under PREFIX ("/sub/planpress/") to prove sub-path
// hosting works. Every HTML page (each **/index.html as its directory URL,
// plus any other *.html) and one missing URL (which must answer 404 with the
// site's 404.html) is opened once in headless Chromium, with the real CSP:
//
//   pass B (load)  record CSP violations, console errors, uncaught exceptions,
//                  failed / >=400 same-origin requests, <html lang>, the number of
//                  <h1>, internal links
//   pass A (axe)   then, in the same page, evaluate axe-core over the DevTools protocol
//                  (CSP does not apply to it) and run the WCAG 2.0/2.1/2.2 A+AA rules
//                  at 1280 px and then at 375 px (with the メニュー and breadcrumb 「…」
//                  opened)
//
// Results are collected once per site, then asserted by the tests below so
// that every failure lists all offending pages at once.
//
// Env: SITES (required, else skipped), PREFIX, A11Y_CONCURRENCY (default 3),
//      CHROMIUM (default /usr/bin/chromium), EXPECT_LANG (default "ja").

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import { launchChromium } from './lib/chromium.mjs';
import { startServer } from './lib/server.mjs';
import { PREFIX, readSites, htmlPages, redirectPages, pool, SKIP_REASON } from './lib/sites.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_VERSION = require('axe-core/package.json').version;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** Widths axe runs at, in order: a desktop (the width the page loads at), then a phone with
 * its menus opened, so that what they hold is checked too. */
const AXE_WIDTHS = [
  { name: '1280px', viewport: { width: 1280, height: 800 }, open: [] },
  { name: '375px', viewport: { width: 375, height: 800 }, open: ['.site-menu > summary', '.crumbs-more > summary'] },
];
const CONCURRENCY = Math.max(1, Number(process.env.A11Y_CONCURRENCY) || 3);
const EXPECT_LANG = process.env.EXPECT_LANG || 'ja';
const MISSING = 'no-such-page/';

const sites = readSites();

// ---------------------------------------------------------------- helpers

const short = (s, n = 200) => {
  s = String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
};

/**
 * One worker = one long-lived page with the real CSP: it loads a URL as a visitor gets it
 * (pass B), then axe-core is evaluated into that same page over the DevTools protocol
 * (which CSP does not govern) and run at each width (pass A) without loading it again.
 * The page is reused across URLs (opening a fresh page per URL costs about as much as the
 * checks themselves) and recreated after any failure.
 */
class Worker {
  constructor(browser, origin) {
    this.browser = browser;
    this.origin = origin;
    this.cur = null; // collector for the URL pass B is loading
  }

  async open() {
    this.loadCtx ??= await this.browser.newContext({ locale: 'ja-JP', viewport: AXE_WIDTHS[0].viewport });
    this.loadPage ??= await this.newLoadPage();
  }

  async close() {
    await this.loadCtx?.close();
  }

  async reset() {
    const page = this.loadPage;
    this.loadPage = null;
    await page?.close().catch(() => {});
    await this.open();
  }

  /** Pass A: axe-core in the page pass B loaded, at each width (the first is the load's). */
  async runAxe() {
    const page = this.loadPage;
    const out = { violations: [], incomplete: [] };
    await page.evaluate(AXE_SOURCE);
    for (const w of AXE_WIDTHS) {
      await page.setViewportSize(w.viewport);
      for (const sel of w.open) {
        const summary = page.locator(sel).first();
        if ((await summary.count()) && (await summary.isVisible())) await summary.click();
      }
      const r = await page.evaluate(async (tags) => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations'],
        });
        return {
          violations: r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({
              target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' '),
              html: n.html,
            })),
          })),
          incomplete: r.incomplete.map((v) => v.id),
        };
      }, AXE_TAGS);
      out.violations.push(...r.violations.map((v) => ({ ...v, width: w.name })));
      out.incomplete.push(...r.incomplete);
    }
    return out;
  }

  async newLoadPage() {
    const origin = this.origin;
    const page = await this.loadCtx.newPage();
    await page.addInitScript(() => {
      window.__pp_csp = [];
      document.addEventListener(
        'securitypolicyviolation',
        (e) =>
          window.__pp_csp.push(
            `${e.disposition === 'report' ? '[report-only] ' : ''}${e.effectiveDirective || e.violatedDirective}` +
              ` blocked ${e.blockedURI || '(inline)'}` +
              (e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}` : '') +
              (e.sample ? ` sample=${JSON.stringify(e.sample)}` : ''),
          ),
        true,
      );
    });
    const local = (u) => !/^(data|blob|about):/.test(u);
    const sameOrigin = (u) => u.startsWith(origin + '/');
    page.on('console', (msg) => {
      const c = this.cur;
      if (!c || msg.type() !== 'error') return;
      const loc = msg.location();
      // Chromium logs the deliberate 404 of the main document as an error.
      if (c.expect404 && loc.url === c.url && /status of 404/.test(msg.text())) return;
      // Chromium probes <origin>/favicon.ico when a page declares no icon; that
      // URL is outside the site. Declared icons are checked with the links.
      if (loc.url === `${origin}/favicon.ico`) return;
      // Same-origin HTTP errors are already reported (with more detail) by the
      // response listener below.
      if (
        /^Failed to load resource: the server responded with a status of/.test(msg.text()) &&
        sameOrigin(loc.url ?? '')
      )
        return;
      c.problems.push(`console error: ${short(msg.text(), 300)}${loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    });
    page.on('pageerror', (err) =>
      this.cur?.problems.push(`uncaught exception: ${short(err.stack || err.message, 400)}`),
    );
    // Track in-flight requests so late fetches (search index etc.) are seen.
    page.on('request', (req) => {
      if (!this.cur) return;
      this.cur.pending.add(req);
      this.cur.lastActivity = Date.now();
    });
    page.on('requestfinished', (req) => {
      if (!this.cur) return;
      this.cur.pending.delete(req);
      this.cur.lastActivity = Date.now();
    });
    page.on('requestfailed', (req) => {
      const c = this.cur;
      if (!c) return;
      c.pending.delete(req);
      c.lastActivity = Date.now();
      const u = req.url();
      if (!local(u)) return;
      if (!sameOrigin(u)) return void c.crossOrigin.add(u);
      c.problems.push(`request failed: ${req.failure()?.errorText ?? '?'} ${u}`);
    });
    page.on('response', (res) => {
      const c = this.cur;
      if (!c) return;
      const u = res.url();
      if (!local(u)) return;
      if (!sameOrigin(u)) return void c.crossOrigin.add(u);
      if (res.status() < 400) return;
      if (c.expect404 && u === c.url && res.status() === 404) return;
      const p = new URL(u).pathname;
      const hint = p.startsWith(PREFIX) ? '' : ` — outside ${PREFIX}: a root-relative URL breaks sub-path hosting`;
      c.problems.push(`HTTP ${res.status()} for ${res.request().resourceType()} ${u}${hint}`);
    });
    return page;
  }

  /** Pass B: the page as a visitor gets it (real CSP). */
  async runLoad(url, expect404) {
    const page = this.loadPage;
    const c = { url, expect404, problems: [], crossOrigin: new Set(), pending: new Set(), lastActivity: Date.now() };
    this.cur = c;
    try {
      await page.setViewportSize(AXE_WIDTHS[0].viewport);
      const response = await page.goto(url, { waitUntil: 'load' });
      // Quiet = nothing in flight for 100 ms; give up waiting after 3 s.
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && (c.pending.size > 0 || Date.now() - c.lastActivity < 100)) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const dom = await page.evaluate(() => ({
        lang: document.documentElement.getAttribute('lang'),
        h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim().slice(0, 80)),
        title: document.title,
        links: [
          ...document.querySelectorAll('a[href], area[href], link[rel~="icon"][href], link[rel~="manifest"][href]'),
        ].map((a) => a.href),
        csp: window.__pp_csp ?? [],
      }));
      for (const v of dom.csp) c.problems.push(`CSP violation: ${v}`);
      return {
        status: response?.status() ?? 0,
        contentType: response?.headers()['content-type'] ?? '',
        body: expect404 ? await response?.text() : undefined,
        problems: c.problems,
        crossOrigin: [...c.crossOrigin],
        ...dom,
      };
    } finally {
      this.cur = null;
    }
  }

  async check(item) {
    const out = { ...item };
    await this.open();
    try {
      out.load = await this.runLoad(item.url, item.expect404);
      try {
        out.axe = await this.runAxe();
      } catch (e) {
        out.error = `axe: ${short(e.message, 400)}`;
        await this.reset();
      }
    } catch (e) {
      out.error = `load: ${short(e.message, 400)}`;
      await this.reset();
    }
    return out;
  }
}

function formatAxe(results) {
  // Group by rule so 300 pages with the same template bug stay readable.
  const byRule = new Map();
  for (const r of results) {
    for (const v of r.axe?.violations ?? []) {
      const key = `${v.id} at ${v.width}`;
      if (!byRule.has(key)) byRule.set(key, { v, pages: [] });
      byRule.get(key).pages.push({ url: r.url, nodes: v.nodes });
    }
  }
  const DETAIL_PAGES = 5;
  const LIST_PAGES = 40;
  const lines = [];
  let total = 0;
  for (const [id, { v, pages }] of byRule) {
    total += pages.length;
    lines.push('', `■ ${id} [${v.impact}] ${v.help} — ${pages.length} page(s)`, `  ${v.helpUrl}`);
    pages.forEach((p, i) => {
      if (i < DETAIL_PAGES) {
        lines.push(`  page: ${p.url}  (${p.nodes.length} node(s))`);
        for (const n of p.nodes.slice(0, 3)) {
          lines.push(`    - ${n.target}`, `      ${short(n.html, 240)}`);
        }
        if (p.nodes.length > 3) lines.push(`    … ${p.nodes.length - 3} more node(s)`);
      } else if (i < DETAIL_PAGES + LIST_PAGES) {
        lines.push(`  page: ${p.url}`);
      } else if (i === DETAIL_PAGES + LIST_PAGES) {
        lines.push(`  … and ${pages.length - i} more page(s)`);
      }
    });
  }
  return { total, rules: byRule.size, text: lines.join('\n') };
}

const fail = (title, entries) => assert.fail(`${title}: ${entries.length}\n\n${entries.join('\n')}\n`);

// ---------------------------------------------------------------- tests

describe('browser checks (axe-core, CSP, console, network)', { skip: sites ? false : SKIP_REASON }, () => {
  let browser;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const site of sites ?? []) {
    describe(site.name, () => {
      let server;
      let results = [];
      let missing; // result for the deliberate 404

      before(
        async () => {
          assert.ok(
            fs.existsSync(path.join(site.dir, 'index.html')),
            `${site.dir}/index.html does not exist — was the site built?`,
          );
          server = await startServer(site.dir, PREFIX);
          const pages = htmlPages(site.dir).map((p) => ({ ...p, url: server.url + p.urlPath, expect404: false }));
          const items = [...pages, { file: '(missing)', url: server.url + MISSING, expect404: true }];
          const t0 = Date.now();
          const workers = Array.from({ length: CONCURRENCY }, () => new Worker(browser, server.origin));
          const all = await pool(items, CONCURRENCY, (item, _i, w) => workers[w].check(item));
          await Promise.all(workers.map((w) => w.close()));
          missing = all.pop();
          results = all;
          const secs = ((Date.now() - t0) / 1000).toFixed(1);
          console.log(
            `# ${site.name}: checked ${results.length} page(s) + 404 in ${secs}s (axe-core ${AXE_VERSION}, concurrency ${CONCURRENCY})`,
          );
        },
        { timeout: 30 * 60 * 1000 },
      );
      after(async () => {
        await server?.close();
      });

      const everything = () => [...results, missing].filter(Boolean);

      test('every redirect page at an old URL leads to a page of the site', () => {
        // Redirect pages are left at once by a browser, so they are not opened above.
        const bad = redirectPages(site.dir)
          .filter((r) => !fs.existsSync(path.join(site.dir, r.targetFile)))
          .map((r) => `${r.file} → ${r.target} (no ${r.targetFile})`);
        if (bad.length) fail('redirects to nowhere', bad);
      });

      test('every page loads (no navigation / axe errors)', () => {
        const bad = everything()
          .filter((r) => r.error)
          .map((r) => `${r.url}\n    ${r.error}`);
        if (bad.length) fail('pages that could not be checked', bad);
      });

      test('pages answer 200 with text/html; charset=utf-8', () => {
        const bad = results
          .filter((r) => r.load && (r.load.status !== 200 || !/^text\/html/.test(r.load.contentType)))
          .map((r) => `${r.url}  status=${r.load.status} content-type=${r.load.contentType}`);
        if (bad.length) fail('pages with a wrong status', bad);
      });

      test(`missing URL ${PREFIX}${MISSING} answers 404 with the site's 404.html`, () => {
        const file = path.join(site.dir, '404.html');
        assert.ok(fs.existsSync(file), `no 404.html at the output root (${file})`);
        assert.ok(missing?.load, `could not load ${missing?.url}: ${missing?.error}`);
        assert.equal(missing.load.status, 404, 'status of the missing page');
        assert.equal(missing.load.body, fs.readFileSync(file, 'utf8'), 'body is not the site 404.html');
      });

      test(`axe-core: zero violations of ${AXE_TAGS.join(', ')} at ${AXE_WIDTHS.map((w) => w.name).join(' and ')}`, (t) => {
        const incomplete = new Map();
        for (const r of everything())
          for (const id of r.axe?.incomplete ?? []) incomplete.set(id, (incomplete.get(id) ?? 0) + 1);
        if (incomplete.size) {
          t.diagnostic(
            `needs manual review (axe "incomplete"): ${[...incomplete].map(([id, n]) => `${id}×${n}`).join(', ')}`,
          );
        }
        const { total, rules, text } = formatAxe(everything());
        if (total) assert.fail(`axe-core found ${rules} rule(s) violated on ${total} page/rule pair(s):\n${text}\n`);
      });

      test('no CSP violations, console errors, uncaught exceptions or failed same-origin requests', (t) => {
        const cross = new Set(everything().flatMap((r) => r.load?.crossOrigin ?? []));
        if (cross.size) t.diagnostic(`cross-origin requests: ${[...cross].slice(0, 10).join(' ')}`);
        const bad = everything()
          .filter((r) => r.load?.problems.length)
          .map((r) => `${r.url}\n${r.load.problems.map((p) => `    - ${p}`).join('\n')}`);
        if (bad.length) fail('pages with load problems', bad);
      });

      test(`every page has <html lang="${EXPECT_LANG}">`, () => {
        const bad = everything()
          .filter((r) => r.load && r.load.lang !== EXPECT_LANG)
          .map((r) => `${r.url}  lang=${JSON.stringify(r.load.lang)}`);
        if (bad.length) fail(`pages without lang="${EXPECT_LANG}"`, bad);
      });

      test('every page has exactly one <h1>', () => {
        const bad = everything()
          .filter((r) => r.load && r.load.h1.length !== 1)
          .map(
            (r) =>
              `${r.url}  ${r.load.h1.length} h1${r.load.h1.length ? ': ' + r.load.h1.map((h) => JSON.stringify(h)).join(', ') : ''}`,
          );
        if (bad.length) fail('pages without exactly one h1', bad);
      });

      test('every page has a non-empty <title>', () => {
        const bad = everything()
          .filter((r) => r.load && !r.load.title.trim())
          .map((r) => r.url);
        if (bad.length) fail('pages without a title', bad);
      });

      test(`internal links resolve under ${PREFIX}`, async () => {
        const from = new Map(); // target (no fragment) -> first page linking to it
        for (const r of everything()) {
          for (const href of r.load?.links ?? []) {
            if (!href.startsWith(server.origin + '/')) continue;
            const target = href.split('#')[0];
            if (target === r.url) continue; // self link (skip link, TOC): the page itself loaded
            if (!from.has(target)) from.set(target, r.url);
          }
        }
        const bad = [];
        await pool([...from.keys()], 8, async (target) => {
          const res = await fetch(target, { method: 'HEAD', redirect: 'follow' });
          if (res.status >= 400) {
            const p = new URL(target).pathname;
            const hint = p.startsWith(PREFIX) ? '' : ` (outside ${PREFIX}: root-relative link)`;
            bad.push(`${target} → ${res.status}${hint}\n    linked from ${from.get(target)}`);
          }
        });
        if (bad.length) fail('broken internal links', bad.sort());
      });
    });
  }
});
