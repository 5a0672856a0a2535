// Site search under Node only (no browser): the runtime (themes/default/static/search.js,
// the bundle of src/search/js/, served as assets/search.js) against `planpress search`
// (tantivy). search.test.mjs runs the same comparison in Chromium, and the page itself.
//
//   node --test search-node.test.mjs                    (1 only)
//   SITES='[{"name":"example","dir":"/tmp/out/example"}]' npm run test:node
//
// 1. The JavaScript analyzer reproduces tests/search/tokenizer-vectors.json (always runs;
//    the Rust analyzer runs the same file in `cargo test`), in the bundle and in the ES
//    modules it is built from.
// 2. For every built site whose source is known (example = repository root, otherwise
//    tests/fixtures/<name>), every query of tests/search/queries.json, and 60 substrings
//    of the site's pages, are run by `planpress search --queries … --json` and by the
//    site's own assets/search.js with the files read from disk. Both must give the same
//    pages in the same order with scores within 1e-4, the same counts per policy field,
//    the same filtered lists and the same title / link / snippet / sections for the first
//    results.
//
// Env: SITES (as the other browser tests), PLANPRESS_BIN (default
//      $CARGO_TARGET_DIR/release/planpress, then target/release, then target/debug).

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

import {
  compare,
  fileLoader,
  findBinary,
  planpressSearch,
  QUERIES,
  REPO,
  runAll,
  SCRIPT,
  SHOWN,
  siteRoot,
  VECTORS_FILE,
} from './lib/search.mjs';
import { readSites, SKIP_REASON } from './lib/sites.mjs';

const require = createRequire(import.meta.url);
const sites = readSites();

// ---------------------------------------------------------------- analyzer

describe('search analyzer (JavaScript)', () => {
  const api = require(SCRIPT);
  const vectors = JSON.parse(fs.readFileSync(VECTORS_FILE, 'utf8'));

  /** Mismatches of `impl` with the shared tokenizer vectors, one line each. */
  function vectorMismatches(impl) {
    const cp = (s, u) => Array.from(s.slice(0, u)).length;
    const bad = [];
    for (const v of vectors) {
      const tokens = impl.tokenize(v.input).map((t) => [t.text, t.position, cp(v.input, t.start), cp(v.input, t.end)]);
      const query = impl.queryTokens(v.input).map((t) => [t.text, t.position]);
      if (JSON.stringify(tokens) !== JSON.stringify(v.tokens)) {
        bad.push(`${JSON.stringify(v.input)} tokens ${JSON.stringify(tokens)}`);
      }
      if (JSON.stringify(query) !== JSON.stringify(v.query)) {
        bad.push(`${JSON.stringify(v.input)} query ${JSON.stringify(query)}`);
      }
      if (v.normalized !== undefined && impl.normalize(v.input) !== v.normalized) {
        bad.push(`${JSON.stringify(v.input)} normalised ${impl.normalize(v.input)}`);
      }
    }
    return bad;
  }

  test(`reproduces the ${vectors.length} shared tokenizer vectors`, () => {
    assert.deepEqual(vectorMismatches(api), []);
  });

  test('the ES modules of src/search/js/ give the API of the bundle', async () => {
    const { api: modules } = await import(pathToFileURL(path.join(REPO, 'src/search/js/main.mjs')).href);
    assert.deepEqual(Object.keys(modules), Object.keys(api));
    for (const [k, v] of Object.entries(api)) assert.equal(typeof modules[k], typeof v, k);
    assert.deepEqual(modules.FIELDNORM_TABLE, api.FIELDNORM_TABLE);
    assert.deepEqual(vectorMismatches(modules), []);
  });

  test('query syntax: spaces (U+3000 too), quotes, exclusion', () => {
    assert.deepEqual(api.splitTerms('子育て　支援 -協働'), [
      [false, '子育て'],
      [false, '支援'],
      [true, '協働'],
    ]);
    assert.deepEqual(api.splitTerms('"地域 循環" -"a b"'), [
      [false, '地域 循環'],
      [true, 'a b'],
    ]);
    assert.deepEqual(api.splitTerms('- x-y －z'), [
      [false, 'x-y'],
      [true, 'z'],
    ]);
    assert.deepEqual(api.parse('、 「子育て」 -ＤＸ').include[0].tokens, [
      [0, '子育'],
      [1, '育て'],
    ]);
  });

  test('idf follows tantivy (f32)', () => {
    assert.equal(api.idf(1, 2), Math.fround(Math.log(Math.fround(1 + Math.fround(1.5 / 1.5)))));
    assert.equal(api.FIELDNORM_TABLE.length, 256);
  });
});

// ---------------------------------------------------------------- sites

describe('site search under Node (runtime = planpress search)', { skip: sites ? false : SKIP_REASON }, () => {
  const bin = findBinary();

  for (const site of sites ?? []) {
    describe(site.name, () => {
      let expected = null;
      const root = siteRoot(site.name);
      const skip = root ? false : 'site source unknown';

      before(
        () => {
          if (root && bin) {
            expected = planpressSearch(bin, root);
            assert.equal(expected.length, QUERIES.length);
          }
        },
        { timeout: 120_000 },
      );

      test(`${QUERIES.length} queries give the results of planpress search`, { skip }, async () => {
        assert.ok(bin, 'planpress binary not found (cargo build --release, or set PLANPRESS_BIN)');
        const api = require(path.join(site.dir, 'assets/search.js'));
        const engine = new api.Engine(fileLoader(site.dir));
        const actual = await runAll(api, engine, QUERIES, SHOWN);
        const bad = compare(actual, expected);
        assert.deepEqual(bad, [], bad.join('\n'));
        const matched = expected.filter((r) => r.total > 0).length;
        assert.ok(site.name !== 'example' || matched >= 40, `only ${matched} queries match on the example site`);
      });

      test('a term that occurs nowhere costs one small file after the manifest', { skip }, async () => {
        const api = require(path.join(site.dir, 'assets/search.js'));
        // Terms of tokens that each occur often (ict, 化, dx, 推進, の) but not together.
        for (const q of ['ICT化', 'DX推進', 'AI化', '第99次', '存在しない語句です', 'の存在しない語句']) {
          const loaded = [];
          const load = fileLoader(site.dir);
          const engine = new api.Engine((name, kind) => {
            loaded.push([name, fs.statSync(path.join(site.dir, 'search', name)).size]);
            return load(name, kind);
          });
          await engine.init();
          const before = loaded.length;
          const r = await engine.search(q, null);
          if (r.total) continue;
          const after = loaded.slice(before);
          assert.ok(after.length <= 1, `${q}: ${JSON.stringify(after)}`);
          assert.ok(
            after.every(([, size]) => size <= 16384),
            `${q}: ${JSON.stringify(after)}`,
          );
        }
      });

      test(
        'substrings of the pages (runs of 3–12 characters and mixed) give the results of planpress search',
        { skip },
        async () => {
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
          const want = planpressSearch(bin, root, file);
          const api = require(path.join(site.dir, 'assets/search.js'));
          const actual = await runAll(api, new api.Engine(fileLoader(site.dir)), queries, SHOWN);
          const bad = compare(actual, want, queries);
          assert.deepEqual(bad, [], bad.join('\n'));
          assert.ok(want.filter((r) => r.total > 0).length >= 30, 'most substrings of pages find their page');
        },
      );
    });
  }
});
