// Shared helpers of the site search tests (search-node.test.mjs under Node only,
// search.test.mjs in Chromium): the shared query file, `planpress search`, the runtime's
// results and their comparison.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const VECTORS_FILE = path.join(REPO, 'tests/search/tokenizer-vectors.json');
export const QUERIES_FILE = path.join(REPO, 'tests/search/queries.json');
export const QUERIES = JSON.parse(fs.readFileSync(QUERIES_FILE, 'utf8'));
/** The theme's script (the bundle of src/search/js/, scripts/bundle-search.mjs). */
export const SCRIPT = path.join(REPO, 'themes/default/static/search.js');
export const SHOWN = 10; // results compared in full (title, link, snippet, sections)

/** PLANPRESS_BIN, else $CARGO_TARGET_DIR/release, target/release, target/debug (or undefined). */
export function findBinary() {
  const candidates = [
    process.env.PLANPRESS_BIN,
    process.env.CARGO_TARGET_DIR && path.join(process.env.CARGO_TARGET_DIR, 'release/planpress'),
    path.join(REPO, 'target/release/planpress'),
    path.join(REPO, 'target/debug/planpress'),
  ].filter(Boolean);
  return candidates.find((p) => fs.existsSync(p));
}

/** The source of a built site: example = repository root, else tests/fixtures/<name> (or null). */
export function siteRoot(name) {
  if (name === 'example') return REPO;
  const dir = path.join(REPO, 'tests/fixtures', name);
  return fs.existsSync(path.join(dir, 'site.toml')) ? dir : null;
}

/** `planpress search --queries <file> --json`: one result per query, every hit. */
export function planpressSearch(bin, root, queriesFile = QUERIES_FILE) {
  const out = execFileSync(bin, ['search', '--root', root, '--queries', queriesFile, '--limit', '1000000'], {
    maxBuffer: 1 << 28,
  });
  return JSON.parse(out.toString('utf8'));
}

/** Loader for the engine under Node: files of <site>/search/. */
export function fileLoader(dir) {
  return async (name, kind) => {
    const b = fs.readFileSync(path.join(dir, 'search', name));
    return kind === 'json' ? JSON.parse(b.toString('utf8')) : new Uint8Array(b.buffer, b.byteOffset, b.length);
  };
}

/**
 * What the runtime computes for every query: results, the same per policy field, and the
 * display of the first results. Runs in Node and, serialised, in the page (so it uses
 * nothing from outside).
 */
export async function runAll(api, engine, queries, shown) {
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
    out.push({
      total: r.total,
      counts: r.counts,
      other: r.other,
      hits: r.hits.map((h) => [h.doc, h.score, !!h.variant]),
      filtered,
      displays,
    });
  }
  return out;
}

/** Differences between the runtime's results and `planpress search`'s, one line each. */
export function compare(actual, expected, queries = QUERIES) {
  const bad = [];
  queries.forEach((q, i) => {
    const a = actual[i],
      e = expected[i];
    const where = `query ${JSON.stringify(q)}`;
    if (a.total !== e.total) bad.push(`${where}: ${a.total} matches, planpress search has ${e.total}`);
    const ad = a.hits.map((h) => h[0]).join(','),
      ed = e.hits.map((h) => h.doc).join(',');
    if (ad !== ed)
      bad.push(`${where}: order differs\n    runtime: ${ad.slice(0, 200)}\n    tantivy: ${ed.slice(0, 200)}`);
    a.hits.forEach((h, k) => {
      const s = e.hits[k]?.score;
      if (s !== undefined && Math.abs(h[1] - s) > 1e-4)
        bad.push(`${where}: score of doc ${h[0]} is ${h[1]}, tantivy ${s}`);
      // Found only through another spelling (読み・表記ゆれで一致) on both sides.
      if (e.hits[k] && h[2] !== e.hits[k].variant)
        bad.push(`${where}: doc ${h[0]} variant ${h[2]}, tantivy ${e.hits[k].variant}`);
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
        bad.push(
          `${where}: hit ${k} (${h.url}) shown differently\n    runtime: ${JSON.stringify(d.display).slice(0, 400)}\n    planpress: ${JSON.stringify(h.display).slice(0, 400)}`,
        );
      }
    });
  });
  return bad;
}
