// Search benchmark in headless Chromium (run by `cargo bench --bench search`):
//
//   node bench/search.mjs QUERIES.json name=/built/site [name=/built/site …]
//
// Per site, served under a sub-path with lib/server.mjs (in a process of its own):
//   bytes: for every query, a fresh Playwright browser context opens search/?q=QUERY; the
//     bytes of assets/search.js and of every file under search/ it fetched are summed raw
//     and gzip-compressed (zlib level 6, as a web server would send them).
//   latency: bench/latency.html, served next to the site, drives the search page in an
//     iframe of a Chromium started with no automation protocol attached (Playwright's
//     DevTools traffic competes for the page's main thread and the machine's two cores: it
//     roughly doubled the figures) — first query in a fresh page, later queries in one
//     page, repeated queries (files cached). Each figure is the 'pp-search' measure that
//     search.js records (search start → hits shown). The Playwright figure of the first
//     query is printed too, for comparison with earlier notes.
// Prints median / p95 / max; no assertions.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import http from 'node:http';
import { launchChromium, CHROMIUM, CHROMIUM_ARGS } from '../lib/chromium.mjs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));

/** lib/server.mjs in a child process, as a real web server would be, with the latency
 * harness at PREFIX/__bench/. */
function startServer(dir, prefix, queriesFile) {
  const extra = [
    `__bench/latency.html=${here('latency.html')}`,
    `__bench/latency.js=${here('latency.js')}`,
    `__bench/queries.json=${path.resolve(queriesFile)}`,
  ];
  const child = spawn(process.execPath, [here('../lib/serve-cli.mjs'), dir, prefix, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d) => resolve({ url: d.toString().trim(), close: async () => child.kill() }));
  });
}

const PREFIX = '/sub/planpress/';
const [queriesFile, ...siteArgs] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(queriesFile, 'utf8'));

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const ms = (x) => `${x.toFixed(1)} ms`;

const gzCache = new Map();
function sizes(file) {
  if (!gzCache.has(file)) {
    const body = fs.readFileSync(file);
    gzCache.set(file, [body.length, zlib.gzipSync(body, { level: 6 }).length]);
  }
  return gzCache.get(file);
}

async function waitDone(page) {
  await page.waitForFunction(
    () =>
      performance.getEntriesByName('pp-search').length >= 1 ||
      /入力してください|読み込めません/.test(document.getElementById('pp-search-status')?.textContent ?? ''),
    null,
    { timeout: 60_000 },
  );
  const e = await page.evaluate(() => performance.getEntriesByName('pp-search').map((m) => m.duration));
  return e.length ? e[0] : null;
}

/** Runs bench/latency.html in a Chromium of its own (no DevTools protocol) and returns
 * its rows: {q, round: 'first'|'later'|'repeated', ms, rank}. */
async function harness(siteUrl) {
  let got;
  const posted = new Promise((resolve) => (got = resolve));
  const collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.end();
      got(body);
    });
  });
  await new Promise((r) => collector.listen(0, '127.0.0.1', r));
  const report = `http://127.0.0.1:${collector.address().port}/`;
  const browser = spawn(
    CHROMIUM,
    [...CHROMIUM_ARGS, '--window-size=1280,720', `${siteUrl}__bench/latency.html?report=${encodeURIComponent(report)}`],
    { stdio: 'ignore' },
  );
  const timeout = setTimeout(() => got(JSON.stringify({ error: 'no report within 10 minutes' })), 600_000);
  try {
    const answer = JSON.parse(await posted);
    if (answer.error) throw new Error(`latency harness: ${answer.error}`);
    return answer.rows;
  } finally {
    clearTimeout(timeout);
    browser.kill();
    collector.close();
  }
}

const browser = await launchChromium();
try {
  for (const arg of siteArgs) {
    const [name, dir] = arg.split('=');
    const server = await startServer(dir, PREFIX, queriesFile);
    const first = []; // {q, raw, gz, files, ms}
    for (const q of queries) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const urls = new Set();
      page.on('requestfinished', (r) => urls.add(r.url()));
      await page.goto(`${server.url}search/?q=${encodeURIComponent(q)}`);
      const t = await waitDone(page);
      let raw = 0,
        gz = 0,
        files = 0;
      for (const u of urls) {
        const p = decodeURIComponent(new URL(u).pathname).slice(PREFIX.length);
        if (!(p === 'assets/search.js' || (p.startsWith('search/') && p !== 'search/'))) continue;
        const [r, g] = sizes(path.join(dir, p));
        raw += r;
        gz += g;
        files++;
      }
      if (t !== null) first.push({ q, raw, gz, files, ms: t });
      await ctx.close();
    }
    const rows = await harness(server.url);
    await server.close();

    const gzs = first.map((f) => f.gz);
    const script = sizes(path.join(dir, 'assets/search.js'));
    const worst = first.reduce((a, b) => (b.gz > a.gz ? b : a));
    const round = (name) => rows.filter((r) => r.round === name);
    const line = (xs) => `median ${ms(pct(xs, 50))}, p95 ${ms(pct(xs, 95))}, max ${ms(Math.max(...xs))}`;
    console.log(
      `${name} (${first.length} queries with terms of ${queries.length}; search.js ${kb(script[0])}, gzip ${kb(script[1])})`,
    );
    console.log(
      `  first query, bytes (search.js + search/ files, gzip): median ${kb(pct(gzs, 50))}, p95 ${kb(pct(gzs, 95))}, max ${kb(worst.gz)} (${JSON.stringify(worst.q)}, ${worst.files} files, ${kb(worst.raw)} raw)`,
    );
    for (const q of ['協働', '茶', 'ＤＸ', '子育て 支援', '"地域循環共生圏"']) {
      const f = first.find((x) => x.q === q);
      const h = round('first').find((x) => x.q === q);
      if (f)
        console.log(
          `    ${q.padEnd(18)} ${kb(f.gz).padStart(9)} gzip  ${kb(f.raw).padStart(9)} raw  ${String(f.files).padStart(3)} files  ${h ? ms(h.ms) : ''}`,
        );
    }
    console.log(
      `  latency (search start → hits shown; ${round('first').length}, ${round('later').length}, ${round('repeated').length} queries):`,
    );
    for (const [key, what] of [
      ['first', 'first query, fresh page'],
      ['later', 'later queries, same page'],
      ['repeated', 'repeated queries, files cached'],
    ]) {
      const r = round(key);
      console.log(`    ${what.padEnd(31)} ${line(r.map((x) => x.ms))}`);
      console.log(`      of which finding and ranking   ${line(r.map((x) => x.rank))}`);
    }
    const lat = first.map((f) => f.ms);
    console.log(
      `    first query under Playwright (DevTools attached, for comparison): median ${ms(pct(lat, 50))}, p95 ${ms(pct(lat, 95))}`,
    );
  }
} finally {
  await browser.close();
}
