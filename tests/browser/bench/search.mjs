// Search benchmark in headless Chromium (run by `cargo bench --bench search`):
//
//   node bench/search.mjs QUERIES.json name=/built/site [name=/built/site …]
//
// Per site, served under a sub-path with lib/server.mjs (in a process of its own):
//   first query: for every query, a fresh browser context opens search/?q=QUERY; the bytes
//     of assets/search.js and of every file under search/ it fetched are summed raw and
//     gzip-compressed (zlib level 6, as a web server would send them); the latency is the
//     'pp-search' performance measure search.js records (search start → results rendered).
//   later queries: every query typed into one page after the first (script and fetched
//     shards cached) — the same measure; then each query once more (all its files already
//     fetched: the time spent computing and rendering).
// Prints median / p95 / max; no assertions.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launchChromium } from '../lib/chromium.mjs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** lib/server.mjs in a child process, as a real web server would be. */
function startServer(dir, prefix) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../lib/serve-cli.mjs', import.meta.url)), dir, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
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

let rankTimes = [];
async function waitDone(page, n) {
  await page.waitForFunction(
    (n) => performance.getEntriesByName('pp-search').length >= n || /入力してください|読み込めません/.test(document.getElementById('pp-search-status')?.textContent ?? ''),
    n,
    { timeout: 60_000 },
  );
  const e = await page.evaluate(() => performance.getEntriesByName('pp-search').map((m) => m.duration));
  const r = await page.evaluate(() => performance.getEntriesByName('pp-search-rank').map((m) => m.duration));
  if (e.length >= n) rankTimes.push(r[n - 1]);
  return e.length >= n ? e[n - 1] : null;
}

const browser = await launchChromium();
try {
  for (const arg of siteArgs) {
    const [name, dir] = arg.split('=');
    const server = await startServer(dir, PREFIX);
    const first = []; // {q, raw, gz, files, ms}
    for (const q of queries) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const urls = new Set();
      page.on('requestfinished', (r) => urls.add(r.url()));
      await page.goto(`${server.url}search/?q=${encodeURIComponent(q)}`);
      const t = await waitDone(page, 1);
      let raw = 0, gz = 0, files = 0;
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
    // Later queries in one page.
    const page = await browser.newPage();
    await page.goto(`${server.url}search/`);
    const rankFirst = rankTimes;
    rankTimes = [];
    const warm = [], cached = [];
    let n = 0;
    for (const q of queries) {
      for (const into of [warm, cached]) {
        await page.fill('#pp-search-q', q);
        await page.press('#pp-search-q', 'Enter');
        const before = n;
        const t = await waitDone(page, before + 1).catch(() => null);
        if (t !== null && (await page.evaluate(() => performance.getEntriesByName('pp-search').length)) > before) {
          n++;
          into.push(t);
        }
      }
    }
    await page.close();
    await server.close();

    const rankLater = rankTimes;
    rankTimes = [];
    const gzs = first.map((f) => f.gz), lat = first.map((f) => f.ms);
    const script = sizes(path.join(dir, 'assets/search.js'));
    const worst = first.reduce((a, b) => (b.gz > a.gz ? b : a));
    console.log(`${name} (${first.length} queries with terms of ${queries.length}; search.js ${kb(script[0])}, gzip ${kb(script[1])})`);
    console.log(`  first query, bytes (search.js + search/ files, gzip): median ${kb(pct(gzs, 50))}, p95 ${kb(pct(gzs, 95))}, max ${kb(worst.gz)} (${JSON.stringify(worst.q)}, ${worst.files} files, ${kb(worst.raw)} raw)`);
    for (const q of ['協働', '茶', 'ＤＸ', '子育て 支援', '"地域循環共生圏"']) {
      const f = first.find((x) => x.q === q);
      if (f) console.log(`    ${q.padEnd(18)} ${kb(f.gz).padStart(9)} gzip  ${kb(f.raw).padStart(9)} raw  ${String(f.files).padStart(3)} files  ${ms(f.ms)}`);
    }
    console.log(`  first query latency (search start → results shown): median ${ms(pct(lat, 50))}, p95 ${ms(pct(lat, 95))}, max ${ms(Math.max(...lat))}`);
    console.log(`    of which finding and ranking the hits: median ${ms(pct(rankFirst, 50))}, p95 ${ms(pct(rankFirst, 95))}`);
    console.log(`  later queries latency (same page, fetching what they need): median ${ms(pct(warm, 50))}, p95 ${ms(pct(warm, 95))}, max ${ms(Math.max(...warm))}`);
    console.log(`    of which finding and ranking the hits: median ${ms(pct(rankLater.filter((_, i) => i % 2 === 0), 50))}, p95 ${ms(pct(rankLater.filter((_, i) => i % 2 === 0), 95))}`);
    console.log(`  repeated queries latency (same page, files cached: computing and rendering only): median ${ms(pct(cached, 50))}, p95 ${ms(pct(cached, 95))}, max ${ms(Math.max(...cached))}`);
  }
} finally {
  await browser.close();
}
