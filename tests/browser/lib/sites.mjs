// Shared helpers for the browser tests: reading SITES, finding pages, a tiny
// promise pool.

import fs from 'node:fs';
import path from 'node:path';

/** URL prefix the sites are served under (proves sub-path hosting works). */
export const PREFIX = process.env.PREFIX || '/sub/planpress/';

/**
 * Parses env SITES = JSON array of {name, dir}.
 * Returns null when SITES is unset (tests are then skipped), throws on bad input.
 */
export function readSites() {
  const raw = process.env.SITES;
  if (raw === undefined || raw.trim() === '') return null;
  let sites;
  try {
    sites = JSON.parse(raw);
  } catch (e) {
    throw new Error(`SITES is not valid JSON: ${e.message}\nSITES=${raw}`, { cause: e });
  }
  if (!Array.isArray(sites) || sites.length === 0) {
    throw new Error(`SITES must be a non-empty JSON array of {name, dir}; got ${raw}`);
  }
  return sites.map((s, i) => {
    if (!s || typeof s.dir !== 'string') throw new Error(`SITES[${i}] has no "dir": ${JSON.stringify(s)}`);
    const dir = path.resolve(s.dir);
    return { name: String(s.name ?? path.basename(dir)), dir };
  });
}

export const SKIP_REASON =
  'SITES is not set (e.g. SITES=\'[{"name":"example","dir":"/tmp/out"}]\'); run scripts/test.sh';

/** Recursively lists files under dir (relative paths with "/" separators), sorted. */
export function listFiles(dir, filter = () => true) {
  const out = [];
  (function walk(rel) {
    const abs = path.join(dir, rel);
    for (const ent of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(r);
      else if (ent.isFile() && filter(r)) out.push(r);
    }
  })('');
  return out.sort();
}

/** URL path (below the prefix) for an HTML file: "a/b/index.html" -> "a/b/", "x.html" -> "x.html". */
export function pagePath(rel) {
  if (rel === 'index.html') return '';
  if (rel.endsWith('/index.html')) return rel.slice(0, -'index.html'.length);
  return rel;
}

/** Every HTML page of a built site except the root 404.html (tested via a missing URL). */
export function htmlPages(dir) {
  return listFiles(dir, (r) => r.endsWith('.html') && r !== '404.html')
    .filter((rel) => redirectTarget(dir, rel) === null)
    .map((rel) => ({
      file: rel,
      urlPath: pagePath(rel).split('/').map(encodeURIComponent).join('/'),
    }));
}

/**
 * The target of a redirect page at an old URL (`<meta http-equiv=refresh content="0; url=…">`),
 * relative to the page, or null for a page of its own. A browser leaves a redirect page at
 * once, so it is checked for where it leads (redirectPages), not opened like a page.
 */
export function redirectTarget(dir, rel) {
  const head = fs.readFileSync(path.join(dir, rel), 'utf8').slice(0, 4096);
  const tag = head.match(/<meta\b[^>]*\bhttp-equiv="?refresh\b[^>]*>/i);
  const url = tag && tag[0].match(/\burl=([^">]+)/i);
  return url ? decodeEntities(url[1].trim()) : null;
}

/** The text of an HTML attribute value (`&#x2F;` → `/`, `&amp;` → `&` …). */
function decodeEntities(value) {
  const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, e) => {
    if (e[0] !== '#') return named[e.toLowerCase()] ?? all;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** Every redirect page of the site: its file and the site file its target names. */
export function redirectPages(dir) {
  return listFiles(dir, (r) => r.endsWith('.html'))
    .map((rel) => ({ file: rel, target: redirectTarget(dir, rel) }))
    .filter((r) => r.target !== null)
    .map((r) => {
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(r.file), r.target.split('#')[0]));
      return { ...r, targetFile: resolved.endsWith('/') ? resolved + 'index.html' : resolved };
    });
}

/**
 * Runs fn(item, index, workerIndex) over items with at most `limit` in flight;
 * results keep input order.
 */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker(w) {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i, w);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, (_, w) => worker(w)));
  return results;
}
