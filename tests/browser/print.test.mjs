// Printable summaries (概要版) of built planpress sites, printed to PDF by
// headless Chromium and read back with poppler-utils.
//
//   SITES='[{"name":"example","dir":"/tmp/out/example"}]' node --test print.test.mjs
//
// For every site and every plan published as data/<plan>.json, the plan
// summary <plan>/summary/ and each field summary <plan>/summary/<top-node>/
// is served under PREFIX, opened in Chromium and printed with page.pdf()
// (which renders with print media). Then:
//
//   pdftotext          the PDF contains the plan title, the field titles and
//                      their children's titles, and every indicator name of
//                      the plan / field; it does not contain the skip link or
//                      the navigation, and it does contain the printed page URL.
//                      Plan summaries: page 1 is the cover (title, subtitle,
//                      kind, municipality, period in 和暦 and western years
//                      when the plan has one, 将来像, 基本理念)
//                      and nothing else; the 施策体系図 opens page 2; every
//                      field marked to start a page (.summary-field-page) has
//                      its title at the top of a page; 横断的取組 and the SDGs
//                      table are printed when the plan has them
//   pdfinfo            every page is A4 portrait; each plan summary prints on
//                      the number of pages that PLAN_PAGES gives (these
//                      bounds are the design: change them with it); field
//                      summaries are at most 3 pages
//   the DOM            the 施策体系図 is a nested list with a box per field and
//                      per measure; each indicator has its chart as inline
//                      SVG; the SDGs × fields table has a caption, a column
//                      header per goal that occurs and a row header per field
//   pdftoppm           every page of the kakegawa-2 summary and page 1 of one
//                      field summary are saved as PNG for humans to look at
//
// Text is compared with all whitespace removed on both sides: pdftotext breaks
// long Japanese strings wherever the line wrapped. The text is extracted twice:
// with -layout, and in pdftotext's default reading order. -layout puts
// side-by-side boxes on the same text lines, so a title that wraps inside one
// column of the two-column list of measures, or inside a table cell, comes out
// interleaved with its neighbour ("…の維持管6-(7)交通弱者の移動手段の確保理の推進");
// reading order keeps each column and cell together. A string counts as
// printed when either text contains it; screen-only text must be in neither.
//
// Env: SITES (required, else skipped), PREFIX, CHROMIUM (default
//      /usr/bin/chromium), PRINT_ARTIFACTS (directory for the PNGs; default a
//      temporary directory, which is kept and logged).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { launchChromium } from './lib/chromium.mjs';
import { startServer } from './lib/server.mjs';
import { PREFIX, readSites, SKIP_REASON } from './lib/sites.mjs';

const run = promisify(execFile);
const PDF_OPTIONS = { format: 'A4', printBackground: true, preferCSSPageSize: true };

// A4 in PostScript points (210 x 297 mm); Chromium writes 595.92 x 842.88.
const A4 = { width: 595, height: 842, tolerance: 2 };
// The main plan of the example site (its pages are saved as PNG).
const MAIN = { site: 'example', plan: 'kakegawa-2' };
// Pages of each plan summary (site:plan), as designed: a cover page, the 施策体系図
// (kakegawa-2: 7 fields, 40 measures on one page), then each field with indicators or
// many nodes on pages of its own (kakegawa-2: 21 indicators with their charts, 177
// 施策の方向; 4 of the 7 fields take two pages), then 横断的取組 and SDGs. Measured
// with Debian's Chromium and Noto Sans CJK: example 13, features 5, kikuchi 2, mine 3.
// A plan not listed here must print on 2 pages or more (the cover is a page of its own).
const PLAN_PAGES = {
  'example:kakegawa-2': { min: 11, max: 15 },
  'features:showcase': { min: 4, max: 6 },
  'kikuchi:kikuchi-3': { min: 2, max: 3 },
  'mine:mine-2': { min: 2, max: 4 },
};
const PLAN_MIN_PAGES = 2;
// A field summary is a hand-out for one policy field.
const FIELD_MAX_PAGES = 3;
// Headings of the plan summary (summary.html).
const STRUCTURE_HEADING = '施策の体系';
const THEMES_HEADING = '横断的取組';
const SDGS_HEADING = 'SDGs の目標との対応';

// Text that only the screen layout shows (skip link, global navigation, footer links).
const SKIP_LINK_TEXT = '本文へ移動';
const FOOTER_SDGS_TEXT = 'SDGs の目標から探す';

const sites = readSites();

// ---------------------------------------------------------------- helpers

/** Removes all whitespace (pdftotext inserts line breaks and spaces where lines wrap). */
const norm = (s) => String(s ?? '').replace(/\s+/gu, '');

const fail = (title, entries) => assert.fail(`${title}: ${entries.length}\n\n${entries.join('\n')}\n`);

/** Plans of a built site, read from data/*.json (not data/plan.schema.json). */
function readPlans(dir) {
  const dataDir = path.join(dir, 'data');
  if (!fs.existsSync(dataDir)) return [];
  return fs
    .readdirSync(dataDir)
    .filter((f) => f.endsWith('.json') && f !== 'plan.schema.json')
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dataDir, f), 'utf8')));
}

/** Indicator names of the given nodes and all their descendants, in order. */
function indicatorNames(nodes) {
  const out = [];
  (function walk(list) {
    for (const n of list ?? []) {
      for (const i of n.indicators ?? []) out.push(i.name);
      walk(n.children);
    }
  })(nodes);
  return out;
}

/** The summaries of a plan: the whole plan, then one per top-level node. */
function summaries(plan) {
  const top = plan.nodes ?? [];
  const list = [
    { kind: 'plan', plan, path: `${plan.id}/summary/`, fields: top, titles: [plan.title, ...top.map((n) => n.title)] },
  ];
  for (const n of top) {
    list.push({
      kind: 'field',
      plan,
      node: n,
      path: `${plan.id}/summary/${encodeURIComponent(n.id)}/`,
      fields: [n],
      titles: [plan.title, n.title],
    });
  }
  return list;
}

/** Page count and every page's size (pts) of a PDF, via pdfinfo. */
async function pdfInfo(file) {
  const { stdout: head } = await run('pdfinfo', [file]);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(head)?.[1]);
  assert.ok(pages > 0, `pdfinfo found no pages in ${file}\n${head}`);
  const { stdout } = await run('pdfinfo', ['-f', '1', '-l', String(pages), file]);
  const sizes = [...stdout.matchAll(/^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts/gm)].map((m) => ({
    page: Number(m[1]),
    width: Number(m[2]),
    height: Number(m[3]),
  }));
  return { pages, sizes };
}

/**
 * Where `needle` (normalised) is missing from `hay` (normalised), shows the
 * text around the longest prefix of it that does occur, to see how the PDF
 * text differs.
 */
function excerptFor(hay, needle, mode, width = 120) {
  for (let len = needle.length - 1; len >= 2; len--) {
    const at = hay.indexOf(needle.slice(0, len));
    if (at >= 0) {
      return `[${mode}] longest prefix found: ${JSON.stringify(needle.slice(0, len))} — PDF text there: …${hay.slice(Math.max(0, at - 20), at + width)}…`;
    }
  }
  return `[${mode}] no prefix found; PDF text starts: ${hay.slice(0, 600)}…`;
}

/** pdftotext output (UTF-8) of a whole PDF. */
async function pdfText(file, mode) {
  const { stdout } = await run('pdftotext', [...mode, '-enc', 'UTF-8', file, '-'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Opens url and prints it to pdfPath; returns what the page shows on screen. */
async function printPage(page, url, pdfPath) {
  const response = await page.goto(url, { waitUntil: 'load' });
  assert.equal(response?.status(), 200, `GET ${url}`);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const dom = await page.evaluate(() => {
    const header = document.querySelector('.print-header');
    let headerUrl = null;
    if (header) {
      const copy = header.cloneNode(true);
      copy.querySelectorAll('.print-date').forEach((e) => e.remove());
      headerUrl = copy.textContent.trim();
    }
    const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim());
    const count = (sel) => document.querySelectorAll(sel).length;
    const sdgs = document.querySelector('table.summary-sdgs');
    return {
      canonical: document.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? null,
      headerUrl,
      skipLinks: text('.skip-link'),
      navTitles: text('.global-nav-title'),
      footerLinks: text('.footer-links a'),
      cover: count('.summary-cover'),
      treeFields: text('.summary-tree > li > .summary-tree-node'),
      treeMeasures: text('.summary-tree > li > ol > li > .summary-tree-node'),
      treeLists: count('.summary-diagram ol ol'),
      pageFields: [...document.querySelectorAll('.summary-field-page > h2')].map((h) => ({
        heading: h.textContent.trim(),
        title: h.querySelector('.title')?.textContent.trim() ?? h.textContent.trim(),
      })),
      charts: [...document.querySelectorAll('.summary-chart')].map((f) => ({
        name: f.querySelector('figcaption')?.textContent.trim() ?? '',
        svg: f.querySelectorAll('svg.chart[role="img"]').length,
      })),
      sdgTable: sdgs && {
        caption: sdgs.querySelector('caption')?.textContent.trim() ?? '',
        cols: [...sdgs.querySelectorAll('thead th[scope="col"]')].slice(1).map((th) => th.textContent.trim()),
        rows: [...sdgs.querySelectorAll('tbody th[scope="row"]')].map((th) => th.textContent.trim()),
        marks: [...sdgs.querySelectorAll('tbody tr')].map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => td.textContent.trim() !== ''),
        ),
      },
    };
  });
  await page.pdf({ path: pdfPath, ...PDF_OPTIONS });
  return dom;
}

// ---------------------------------------------------------------- tests

describe('printable summaries (概要版)', { skip: sites ? false : SKIP_REASON, timeout: 30 * 60 * 1000 }, () => {
  let browser;
  let context;
  let page;
  let tmp;
  let artifacts;
  const measured = []; // [label, pages] for the log

  before(async () => {
    for (const tool of ['pdftotext', 'pdfinfo', 'pdftoppm']) {
      await run(tool, ['-v']).catch((e) => {
        if (e.code === 'ENOENT') throw new Error(`${tool} not found (apt-get install poppler-utils)`);
      });
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-print-'));
    artifacts = process.env.PRINT_ARTIFACTS
      ? path.resolve(process.env.PRINT_ARTIFACTS)
      : fs.mkdtempSync(path.join(os.tmpdir(), 'pp-print-png-'));
    fs.mkdirSync(artifacts, { recursive: true });
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'ja-JP' });
    page = await context.newPage();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (measured.length) console.log(`# 概要版 page counts: ${measured.map(([l, n]) => `${l}=${n}`).join(', ')}`);
  });

  for (const site of sites ?? []) {
    describe(site.name, () => {
      let server;
      let plans = [];
      let plansError = null;
      try {
        plans = readPlans(site.dir);
      } catch (e) {
        plansError = e;
      }

      before(async () => {
        server = await startServer(site.dir, PREFIX);
      });
      after(async () => {
        await server?.close();
      });

      test('publishes at least one plan (data/<plan>.json)', () => {
        if (plansError) throw plansError;
        assert.ok(
          fs.existsSync(path.join(site.dir, 'index.html')),
          `${site.dir}/index.html does not exist — was the site built?`,
        );
        assert.ok(plans.length > 0, `no data/*.json plan files in ${site.dir}/data`);
      });

      for (const plan of plans) {
        for (const s of summaries(plan)) {
          const isMain = site.name === MAIN.site && plan.id === MAIN.plan;
          const label = `${site.name}:${s.path}`;

          describe(s.path, () => {
            let r; // { url, pdf, dom, info, texts: [normalised -layout text, normalised reading-order text], pages: [normalised reading-order text of each page] }
            const printed = (str) => r.texts.some((t) => t.includes(norm(str)));
            const why = (str) =>
              excerptFor(r.texts[0], norm(str), '-layout') +
              '\n      ' +
              excerptFor(r.texts[1], norm(str), 'reading order');

            before(
              async () => {
                const url = server.url + s.path;
                const pdf = path.join(
                  tmp,
                  `${site.name}-${s.path.replace(/\/$/, '').replace(/[^A-Za-z0-9_-]+/g, '-')}.pdf`,
                );
                let dom;
                try {
                  dom = await printPage(page, url, pdf);
                } catch (e) {
                  // Start the next summary on a fresh page.
                  await page.close().catch(() => {});
                  page = await context.newPage();
                  throw e;
                }
                const [layout, reading, info] = await Promise.all([
                  pdfText(pdf, ['-layout']),
                  pdfText(pdf, []),
                  pdfInfo(pdf),
                ]);
                // pdftotext ends each page with a form feed.
                const pages = reading.split('\f').map(norm);
                r = { url, pdf, dom, info, texts: [norm(layout), norm(reading)], pages };
                measured.push([label, info.pages]);
              },
              { timeout: 120 * 1000 },
            );

            test('every page is A4 portrait', (t) => {
              t.diagnostic(`${r.info.pages} page(s): ${r.url}`);
              assert.equal(r.info.sizes.length, r.info.pages, 'pdfinfo reported a size for every page');
              const bad = r.info.sizes
                .filter(
                  (p) => Math.abs(p.width - A4.width) > A4.tolerance || Math.abs(p.height - A4.height) > A4.tolerance,
                )
                .map(
                  (p) =>
                    `page ${p.page}: ${p.width} x ${p.height} pts (A4 portrait is ${A4.width} x ${A4.height} ±${A4.tolerance})`,
                );
              if (bad.length) fail('pages that are not A4 portrait', bad);
            });

            if (s.kind === 'field') {
              test(`is at most ${FIELD_MAX_PAGES} pages`, () => {
                assert.ok(
                  r.info.pages <= FIELD_MAX_PAGES,
                  `${r.url} prints on ${r.info.pages} pages (at most ${FIELD_MAX_PAGES})`,
                );
              });
            } else {
              const bounds = PLAN_PAGES[`${site.name}:${plan.id}`] ?? { min: PLAN_MIN_PAGES, max: Infinity };
              test(`prints on ${bounds.min}–${bounds.max} pages`, () => {
                assert.ok(
                  r.info.pages >= bounds.min && r.info.pages <= bounds.max,
                  `${r.url} prints on ${r.info.pages} pages (expected ${bounds.min}–${bounds.max})`,
                );
              });

              test('page 1 is the cover: title, kind, municipality, period, 将来像, and nothing else', () => {
                assert.equal(r.dom.cover, 1, 'the page has one .summary-cover');
                const [first, second = ''] = r.pages;
                // The period, subtitle and 基本理念 only when the plan has them (never invented).
                const expected = [plan.title, plan.municipality];
                for (const y of [plan.period?.start, plan.period?.end].filter(Boolean))
                  expected.push(y.wareki, String(y.fiscal_year));
                if (plan.subtitle) expected.push(plan.subtitle);
                for (const p of plan.principles) expected.push(p);
                if (plan.kind) expected.push(plan.kind);
                if (plan.vision) expected.push(plan.vision);
                const missing = expected.filter((x) => !first.includes(norm(x)));
                if (missing.length)
                  fail(
                    `cover text missing from page 1 of ${r.url}`,
                    missing.map((m) => `  - ${m}`),
                  );
                assert.ok(
                  !first.includes(norm(STRUCTURE_HEADING)),
                  `the 施策体系図 starts on page 1 of ${r.url}: the cover must be a page of its own`,
                );
                assert.ok(
                  second.startsWith(norm(STRUCTURE_HEADING)),
                  `page 2 of ${r.url} does not open with 「${STRUCTURE_HEADING}」: …${second.slice(0, 120)}…`,
                );
              });

              test('the 施策体系図 is a nested list: the 将来像, a box per field and per measure', () => {
                const top = plan.nodes ?? [];
                assert.deepEqual(
                  r.dom.treeFields.map(norm),
                  top.map((n) => norm(`${n.number ?? ''}${n.title}`)),
                  'one box per field, in order',
                );
                const measures = top.flatMap((n) => (n.children ?? []).map((c) => norm(`${c.number ?? ''}${c.title}`)));
                assert.deepEqual(r.dom.treeMeasures.map(norm), measures, 'one box per measure, in order');
                if (measures.length) assert.ok(r.dom.treeLists > 0, 'the measures are lists nested in the fields');
                const printedPages = r.pages.slice(1).join('');
                if (plan.vision)
                  assert.ok(printedPages.includes(norm(plan.vision)), 'the diagram starts at the 将来像');
                const missing = [
                  ...top.map((n) => n.title),
                  ...top.flatMap((n) => n.children ?? []).map((c) => c.title),
                ].filter((t) => !r.pages[1].includes(norm(t)) && !(r.pages[2] ?? '').includes(norm(t)));
                if (missing.length)
                  fail(
                    `titles missing from the 施策体系図 (pages 2–3) of ${r.url}`,
                    missing.map((m) => `  - ${m}`),
                  );
              });

              test('each field with indicators or many nodes starts a page', (t) => {
                t.diagnostic(`${r.dom.pageFields.length} field(s) on pages of their own`);
                const withIndicators = (plan.nodes ?? []).filter((n) => indicatorNames([n]).length > 0);
                assert.ok(
                  r.dom.pageFields.length >= withIndicators.length,
                  `${withIndicators.length} fields have indicators, only ${r.dom.pageFields.length} start a page`,
                );
                // The heading opens the page; pdftotext may put its small level label after the title.
                const bad = r.dom.pageFields
                  .filter(
                    ({ heading, title }) =>
                      !r.pages.some((p) => p.slice(0, norm(heading).length).includes(norm(title))),
                  )
                  .map(({ heading }) => `  - ${heading}`);
                if (bad.length) fail(`fields that do not start a printed page of ${r.url}`, bad);
              });

              test('横断的取組 and the SDGs × fields table', () => {
                const themes = plan.themes ?? [];
                if (themes.length) {
                  const missing = [THEMES_HEADING, ...themes.map((x) => x.title)].filter((x) => !printed(x));
                  if (missing.length)
                    fail(
                      `横断的取組 missing from ${r.url}`,
                      missing.map((m) => `  - ${m}`),
                    );
                }
                // Goals per field, from the open data.
                const goals = (n) => [...(n.sdgs ?? []), ...(n.children ?? []).flatMap(goals)];
                const perField = (plan.nodes ?? []).map((n) => new Set(goals(n)));
                const all = [...new Set(perField.flatMap((g) => [...g]))].sort((a, b) => a - b);
                if (!all.length) {
                  assert.equal(r.dom.sdgTable, null, 'no SDGs table for a plan without SDGs');
                  return;
                }
                const tbl = r.dom.sdgTable;
                assert.ok(tbl, `${r.url} has no table.summary-sdgs`);
                assert.ok(tbl.caption.length > 0, 'the SDGs table has a caption');
                assert.deepEqual(
                  tbl.cols.map((c) => Number(/\d+/.exec(c)?.[0])),
                  all,
                  'a column per goal that occurs',
                );
                assert.deepEqual(
                  tbl.rows.map(norm),
                  (plan.nodes ?? []).map((n) => norm(`${n.number ?? ''}${n.title}`)),
                  'a row per field',
                );
                assert.deepEqual(
                  tbl.marks,
                  perField.map((g) => all.map((x) => g.has(x))),
                  'a mark (with its text) where the field has the goal',
                );
                assert.ok(printed(SDGS_HEADING), `「${SDGS_HEADING}」 is not printed`);
              });
            }

            test('each indicator has its chart as inline SVG', () => {
              const names = indicatorNames(s.fields);
              assert.deepEqual(
                r.dom.charts.map((c) => c.name),
                names,
                'a chart per indicator, named by its caption, in order',
              );
              const bad = r.dom.charts.filter((c) => c.svg !== 1).map((c) => `  - ${c.name}: ${c.svg} svg.chart`);
              if (bad.length) fail(`charts without their SVG on ${r.url}`, bad);
            });

            test('contains the plan title, field titles and their children', () => {
              const expected = [...s.titles];
              for (const f of s.fields) for (const c of f.children ?? []) expected.push(c.title);
              const missing = expected.filter((title) => !printed(title));
              if (missing.length)
                fail(
                  `titles missing from the PDF text of ${r.url}`,
                  missing.map((m) => `  - ${m}\n      ${why(m)}`),
                );
            });

            test('contains every indicator name', (t) => {
              const names = indicatorNames(s.fields);
              t.diagnostic(`${names.length} indicator(s)`);
              const missing = names.filter((name) => !printed(name));
              if (missing.length) {
                fail(
                  `indicator names missing from the PDF text of ${r.url} (of ${names.length})`,
                  missing.map((m) => `  - ${m}\n      ${why(m)}`),
                );
              }
            });

            test('hides the navigation and prints the page URL', (t) => {
              const { dom, texts } = r;
              const bad = [];
              // Screen-only text must be on the page (else the check proves nothing) …
              assert.ok(
                dom.skipLinks.includes(SKIP_LINK_TEXT),
                `the page has no skip link 「${SKIP_LINK_TEXT}」: ${JSON.stringify(dom.skipLinks)}`,
              );
              const hidden = [SKIP_LINK_TEXT, ...dom.navTitles];
              if (dom.footerLinks.includes(FOOTER_SDGS_TEXT)) hidden.push(FOOTER_SDGS_TEXT);
              else t.diagnostic(`no footer link 「${FOOTER_SDGS_TEXT}」 on this site`);
              // … and not in the PDF.
              for (const h of hidden) {
                const t = texts.find((x) => x.includes(norm(h)));
                if (t)
                  bad.push(
                    `screen-only text is printed: 「${h}」 — …${t.slice(Math.max(0, t.indexOf(norm(h)) - 40), t.indexOf(norm(h)) + 80)}…`,
                  );
              }
              // The URL needs a base_url with a host (as the canonical link does); the test
              // sites are built with a path only (--base-url /sub/planpress/), so neither is
              // there: tests/build_sites.rs checks the printed URL with a host.
              assert.ok(dom.headerUrl !== null, `no .print-header on ${r.url}`);
              if (dom.headerUrl === '' && dom.canonical === null) {
                t.diagnostic('no base_url host: no page URL printed (and no canonical link)');
                if (bad.length) fail(`print layout problems on ${r.url}`, bad);
                return;
              }
              assert.ok(dom.headerUrl, `no .print-header URL on ${r.url}`);
              assert.ok(
                dom.headerUrl.endsWith(s.path),
                `.print-header ${JSON.stringify(dom.headerUrl)} does not end with the page path ${s.path}`,
              );
              if (dom.canonical !== null && dom.canonical !== dom.headerUrl) {
                bad.push(
                  `.print-header URL ${JSON.stringify(dom.headerUrl)} differs from <link rel=canonical> ${JSON.stringify(dom.canonical)}`,
                );
              }
              if (!printed(dom.headerUrl))
                bad.push(`the page URL ${dom.headerUrl} is not printed\n      ${why(dom.headerUrl)}`);
              if (bad.length) fail(`print layout problems on ${r.url}`, bad);
            });

            // PNGs for humans: every page of the main plan's summary, page 1 of its first
            // field summary.
            if (isMain && (s.kind === 'plan' || s.node === plan.nodes[0])) {
              test(s.kind === 'plan' ? 'every page rendered to PNG' : 'page 1 rendered to PNG', async (t) => {
                const base = path.join(
                  artifacts,
                  `${site.name}-${s.path.replace(/\/$/, '').replace(/[^A-Za-z0-9_-]+/g, '-')}`,
                );
                const last = s.kind === 'plan' ? r.info.pages : 1;
                // pdftoppm names them <base>-1.png or <base>-01.png …, by the number of pages.
                const mine = (f) =>
                  f.startsWith(path.basename(base) + '-') && /^-\d+\.png$/.test(f.slice(path.basename(base).length));
                const pngsNow = () => fs.readdirSync(artifacts).filter(mine);
                for (const f of pngsNow()) fs.rmSync(path.join(artifacts, f)); // of an earlier run
                await run('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', String(last), r.pdf, base]);
                const pngs = pngsNow().map((f) => path.join(artifacts, f));
                assert.equal(pngs.length, last, `pdftoppm wrote ${pngs.length} PNGs for ${last} pages`);
                for (const png of pngs) assert.ok(fs.statSync(png).size > 0, `${png} is empty`);
                t.diagnostic(`PNG: ${base}-*.png`);
                console.log(`# 概要版 ${label}: ${last} page(s) as ${base}-*.png`);
              });
            }
          });
        }
      }
    });
  }
});

// ------------------------------------------------- yearly progress reports
//
// 「令和N年度の進捗状況」 (<plan>/progress/<year>/) is the report a city attaches to its
// council papers. For the latest year of every plan that has one: A4 portrait; the
// print header names the municipality, the plan and the year; the navigation and the
// year links are not printed; every field with evaluated nodes starts a page; every
// evaluated node's title and grade are printed; and it fits REPORT_MAX_PAGES.

/** The fiscal years (western, sorted) that have a progress page in a built plan. */
function progressYears(dir, planId) {
  const base = path.join(dir, planId, 'progress');
  if (!fs.existsSync(base)) return [];
  return fs
    .readdirSync(base)
    .filter((y) => /^\d{4}$/.test(y) && fs.existsSync(path.join(base, y, 'index.html')))
    .sort();
}

// features: 2 fields on pages of their own after the counts (measured: 3 pages).
const REPORT_MAX_PAGES = { 'features:showcase': 4 };
const REPORT_DEFAULT_MAX_PAGES = 20;

describe(
  'yearly progress reports (令和N年度の進捗状況)',
  { skip: sites ? false : SKIP_REASON, timeout: 10 * 60 * 1000 },
  () => {
    let browser;
    let page;
    let tmp;
    before(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-print-year-'));
      browser = await launchChromium();
      page = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
    });
    after(async () => {
      await browser?.close();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    for (const site of sites ?? []) {
      let plans;
      try {
        plans = readPlans(site.dir);
      } catch {
        plans = []; // reported by the summaries' own test
      }
      for (const plan of plans) {
        const years = progressYears(site.dir, plan.id);
        if (!years.length) continue;
        const year = years[years.length - 1];
        const rel = `${plan.id}/progress/${year}/`;
        describe(`${site.name}:${rel}`, () => {
          let server;
          let r;
          before(
            async () => {
              server = await startServer(site.dir, PREFIX);
              const url = server.url + rel;
              const response = await page.goto(url, { waitUntil: 'load' });
              assert.equal(response?.status(), 200, `GET ${url}`);
              await page.evaluate(() => document.fonts.ready.then(() => undefined));
              const dom = await page.evaluate(() => {
                const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim());
                return {
                  h1: text('main h1')[0] ?? '',
                  header: text('.print-header .print-title')[0] ?? '',
                  fields: text('.progress-field > h2'),
                  nodes: text('.progress-node-title'),
                  grades: text('.evaluation-grade dd'),
                  navTitles: text('.global-nav-title'),
                };
              });
              const pdf = path.join(tmp, `${site.name}-${plan.id}-${year}.pdf`);
              await page.pdf({ path: pdf, ...PDF_OPTIONS });
              const [reading, info] = await Promise.all([pdfText(pdf, []), pdfInfo(pdf)]);
              r = { url, dom, info, text: norm(reading), pages: reading.split('\f').map(norm) };
            },
            { timeout: 120 * 1000 },
          );
          after(async () => {
            await server?.close();
          });

          test('is A4 portrait and short enough to attach', (t) => {
            t.diagnostic(`${r.info.pages} page(s): ${r.url}`);
            const bad = r.info.sizes.filter(
              (p) => Math.abs(p.width - A4.width) > A4.tolerance || Math.abs(p.height - A4.height) > A4.tolerance,
            );
            assert.deepEqual(bad, [], 'pages that are not A4 portrait');
            const max = REPORT_MAX_PAGES[`${site.name}:${plan.id}`] ?? REPORT_DEFAULT_MAX_PAGES;
            assert.ok(r.info.pages >= 1 && r.info.pages <= max, `${r.info.pages} pages, at most ${max}`);
          });

          test('the print header names the plan and the year; no navigation is printed', () => {
            assert.ok(r.dom.header.includes(plan.title) && r.dom.header.includes(r.dom.h1), r.dom.header);
            assert.ok(r.pages[0].startsWith(norm(r.dom.header)), `page 1 starts: ${r.pages[0].slice(0, 120)}`);
            for (const hidden of [SKIP_LINK_TEXT, ...r.dom.navTitles, '年度ごとの進捗状況']) {
              assert.ok(!r.text.includes(norm(hidden)), `screen-only text is printed: 「${hidden}」`);
            }
          });

          test('each field starts a page; every evaluated node and grade is printed', () => {
            assert.ok(r.dom.fields.length > 0, 'no field sections');
            const late = r.dom.fields.filter((f) => !r.pages.slice(1).some((p) => p.startsWith(norm(f))));
            assert.deepEqual(late, [], 'fields that do not start a printed page');
            const missing = [...r.dom.nodes, ...r.dom.grades].filter((x) => !r.text.includes(norm(x)));
            assert.deepEqual(missing, [], 'not printed');
          });
        });
      }
    }
  },
);
