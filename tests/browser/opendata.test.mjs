// Open data checks for built planpress sites (docs/OPEN_DATA.md).
//
//   SITES='[{"name":"example","dir":"/tmp/out/example"}]' node --test opendata.test.mjs
//
// For every site and every plan published as data/<plan>.json:
//   - the JSON validates against docs/plan.schema.json (Ajv, JSON Schema 2020-12)
//   - served under PREFIX it answers with Content-Type application/json
//   - data/<plan>-indicators.csv is UTF-8 with a BOM, has the 22 documented
//     columns in every row (parsed as RFC 4180), and each indicator's baseline
//     and target in the CSV equal the values in the JSON
//   - data/<plan>-evaluations.csv has the 18 documented columns, one row per
//     evaluation in the JSON, with the same grades
//   - every CSV row starts with the JSON's municipality_code and municipality
//     and ends with its license and modified date
// and the site's copy of data/plan.schema.json is the one in docs/.
//
// No browser needed: files are read from disk and fetched through lib/server.mjs.
//
// Env: SITES (required, else skipped), PREFIX.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

import { startServer } from './lib/server.mjs';
import { PREFIX, readSites, SKIP_REASON } from './lib/sites.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA_PATH = path.resolve(HERE, '../../docs/plan.schema.json');
const SCHEMA_FILE = 'plan.schema.json';

/** The CSV columns, in order, as documented in docs/OPEN_DATA.md. */
const CSV_COLUMNS = [
  '全国地方公共団体コード',
  '地方公共団体名',
  '計画ID',
  '分野ID',
  '分野',
  '項目ID',
  '番号',
  '項目名',
  '階層',
  '指標ID',
  '指標名',
  '単位',
  '評価の向き',
  '累計',
  '年度(西暦)',
  '年度(和暦)',
  '基準値',
  '実績値',
  '目標値',
  '備考',
  'ライセンス',
  '更新日',
];
const COL = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, i]));

/** The evaluations CSV columns, in order, as documented in docs/OPEN_DATA.md. */
const EVAL_COLUMNS = [
  '全国地方公共団体コード',
  '地方公共団体名',
  '計画ID',
  '年度(西暦)',
  '年度(和暦)',
  '施策ID',
  '番号',
  '階層',
  '名称',
  '評価記号',
  '評価',
  '評価の定義',
  'コメント',
  '主な取組の実績',
  '予算額(千円)',
  '決算額(千円)',
  'ライセンス',
  '更新日',
];
const ECOL = Object.fromEntries(EVAL_COLUMNS.map((c, i) => [c, i]));

/** A text cell as planpress writes it: a leading ' when it would start a formula. */
const textCell = (s) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

const sites = readSites();

// ---------------------------------------------------------------- helpers

const short = (s, n = 200) => {
  s = String(s ?? '');
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
};

const fail = (title, entries) => assert.fail(`${title}: ${entries.length}\n\n${entries.join('\n')}\n`);

/**
 * RFC 4180 parser: fields separated by ",", records by CRLF (a bare LF or CR
 * is accepted too), fields may be quoted with '"' and then contain commas,
 * line breaks and doubled quotes (""). A final line break does not start an
 * empty record. Throws on malformed quoting, with the line number.
 *
 * @param {string} text  CSV text without a BOM
 * @returns {string[][]}
 */
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let i = 0;
  let line = 1;
  let fieldStarted = false; // true once the current record has any content
  const n = text.length;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
    fieldStarted = false;
  };
  while (i < n) {
    const ch = text[i];
    if (ch === '"' && field === '' && (record.length === 0 || text[i - 1] === ',')) {
      // Quoted field.
      const startLine = line;
      i++;
      for (;;) {
        if (i >= n) throw new Error(`CSV line ${startLine}: unterminated quoted field`);
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      fieldStarted = true;
      if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        throw new Error(`CSV line ${line}: unexpected ${JSON.stringify(text[i])} after a closing quote`);
      }
      continue;
    }
    if (ch === ',') {
      endField();
      fieldStarted = true;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else {
      if (ch === '"') throw new Error(`CSV line ${line}: '"' inside an unquoted field`);
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (fieldStarted || field !== '' || record.length) endRecord();
  return records;
}

/** Every node of a plan JSON, depth first, with its top-level ancestor. */
function* walkNodes(nodes, top = null) {
  for (const node of nodes ?? []) {
    const field = top ?? node;
    yield { node, field };
    yield* walkNodes(node.children, field);
  }
}

/** Plans of a built site: data/*.json except the schema and anything that isn't a plan. */
function planFiles(dir) {
  const dataDir = path.join(dir, 'data');
  if (!fs.existsSync(dataDir)) return [];
  return fs
    .readdirSync(dataDir)
    .filter((f) => f.endsWith('.json') && f !== SCHEMA_FILE)
    .sort()
    .map((f) => ({ file: f, id: f.slice(0, -'.json'.length), abs: path.join(dataDir, f) }));
}

function formatAjvErrors(errors, data) {
  const at = (pointer) => {
    let v = data;
    for (const seg of pointer.split('/').slice(1)) {
      if (v === null || typeof v !== 'object') return undefined;
      v = v[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return v;
  };
  return errors.map((e) => {
    const where = e.instancePath || '(root)';
    const params = Object.entries(e.params ?? {})
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    const value = at(e.instancePath);
    const shown = value === undefined ? '' : `\n      value: ${short(JSON.stringify(value), 160)}`;
    return `  - ${where}: ${e.message}${params ? ` (${params})` : ''}\n      schema: ${e.schemaPath}${shown}`;
  });
}

const numEq = (cell, value) => cell !== undefined && cell.trim() !== '' && Number(cell) === Number(value);

// ---------------------------------------------------------------- tests

describe('parseCsv (RFC 4180)', () => {
  test('quoted fields with commas, quotes and line breaks; CRLF; final line break', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n,,\r\n"",3,\r\n';
    assert.deepEqual(parseCsv(text), [
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['', '', ''],
      ['', '3', ''],
    ]);
  });
  test('no final line break, bare LF', () => {
    assert.deepEqual(parseCsv('a,b\nc,"d"'), [
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });
  test('rejects malformed quoting', () => {
    assert.throws(() => parseCsv('a,"b\r\n'), /unterminated/);
    assert.throws(() => parseCsv('a,"b"c\r\n'), /after a closing quote/);
    assert.throws(() => parseCsv('a,b"c\r\n'), /inside an unquoted field/);
  });
});

describe('open data (data/<plan>.json, data/<plan>-indicators.csv)', { skip: sites ? false : SKIP_REASON }, () => {
  let validate;
  let schema;

  before(() => {
    assert.ok(fs.existsSync(SCHEMA_PATH), `schema not found at ${SCHEMA_PATH}`);
    schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
    // strict: false — the schema annotates properties with "description" and
    // uses union types (["string", "null"]), which Ajv's strict mode rejects.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    validate = ajv.compile(schema);
  });

  for (const site of sites ?? []) {
    describe(site.name, () => {
      let server;
      const plans = planFiles(site.dir);

      before(async () => {
        server = await startServer(site.dir, PREFIX);
      });
      after(async () => {
        await server?.close();
      });

      test('publishes at least one data/<plan>.json', () => {
        assert.ok(
          fs.existsSync(path.join(site.dir, 'index.html')),
          `${site.dir}/index.html does not exist — was the site built?`,
        );
        assert.ok(plans.length > 0, `no data/*.json plan files in ${site.dir}/data`);
      });

      test(`data/${SCHEMA_FILE} is docs/${SCHEMA_FILE}`, async () => {
        const res = await fetch(server.url + 'data/' + SCHEMA_FILE);
        assert.equal(res.status, 200, `GET data/${SCHEMA_FILE}`);
        assert.deepEqual(await res.json(), schema);
      });

      for (const plan of plans) {
        describe(`data/${plan.file}`, () => {
          let data;
          let csv; // { bytes, text, rows }
          let csvError;

          before(async () => {
            data = JSON.parse(fs.readFileSync(plan.abs, 'utf8'));
            try {
              const res = await fetch(server.url + `data/${encodeURIComponent(plan.id)}-indicators.csv`);
              assert.equal(res.status, 200, `GET data/${plan.id}-indicators.csv`);
              const bytes = Buffer.from(await res.arrayBuffer());
              csv = { bytes, contentType: res.headers.get('content-type') };
            } catch (e) {
              csvError = e;
            }
          });

          test('validates against docs/plan.schema.json', () => {
            if (!validate(data)) {
              assert.fail(
                `${plan.abs} does not match ${SCHEMA_PATH}: ${validate.errors.length} error(s)\n${formatAjvErrors(validate.errors, data).join('\n')}\n`,
              );
            }
            assert.equal(data.id, plan.id, 'plan id equals the file name');
          });

          test('is served as application/json', async () => {
            const res = await fetch(server.url + `data/${encodeURIComponent(plan.file)}`);
            assert.equal(res.status, 200);
            const type = res.headers.get('content-type') ?? '';
            assert.ok(type.startsWith('application/json'), `Content-Type is ${JSON.stringify(type)}`);
            assert.deepEqual(await res.json(), data, 'served JSON differs from the file on disk');
          });

          describe(`data/${plan.id}-indicators.csv`, () => {
            const rows = () => {
              if (csvError) throw csvError;
              if (!csv.rows) {
                // TextDecoder drops a leading BOM (ignoreBOM defaults to false).
                const text = new TextDecoder('utf-8', { fatal: true }).decode(csv.bytes);
                csv.rows = parseCsv(text);
              }
              return csv.rows;
            };

            test('starts with the UTF-8 BOM (EF BB BF)', () => {
              if (csvError) throw csvError;
              assert.deepEqual(
                [...csv.bytes.subarray(0, 3)],
                [0xef, 0xbb, 0xbf],
                `first bytes: ${csv.bytes.subarray(0, 8).toString('hex')}`,
              );
            });

            test('decodes as UTF-8 without replacement characters', () => {
              if (csvError) throw csvError;
              let text;
              try {
                text = new TextDecoder('utf-8', { fatal: true }).decode(csv.bytes);
              } catch (e) {
                assert.fail(`not valid UTF-8: ${e.message}`);
              }
              const at = text.indexOf('\uFFFD');
              assert.equal(
                at,
                -1,
                `U+FFFD at character ${at}: …${short(text.slice(Math.max(0, at - 40), at + 40), 100)}…`,
              );
            });

            test('header row is the 22 documented columns', () => {
              assert.deepEqual(rows()[0], CSV_COLUMNS);
            });

            test('every row has 22 fields', () => {
              const all = rows();
              const indicators = [...walkNodes(data.nodes)].reduce(
                (n, { node }) => n + (node.indicators ?? []).length,
                0,
              );
              if (indicators > 0)
                assert.ok(
                  all.length > indicators,
                  `${indicators} indicator(s) in the JSON but only ${all.length - 1} data row(s)`,
                );
              else assert.equal(all.length, 1, 'a plan without indicators has only the header row');
              const bad = [];
              all.forEach((r, i) => {
                if (r.length !== CSV_COLUMNS.length)
                  bad.push(`record ${i + 1}: ${r.length} field(s): ${short(JSON.stringify(r), 240)}`);
              });
              if (bad.length) fail(`records without ${CSV_COLUMNS.length} fields`, bad);
            });

            test('baseline and target of every indicator match the JSON', () => {
              const body = rows().slice(1);
              const byIndicator = new Map();
              for (const r of body) {
                if (r[COL['計画ID']] !== data.id) continue;
                const id = r[COL['指標ID']];
                if (!byIndicator.has(id)) byIndicator.set(id, []);
                byIndicator.get(id).push(r);
              }
              const bad = [];
              let checked = 0;
              for (const { node, field } of walkNodes(data.nodes)) {
                for (const ind of node.indicators ?? []) {
                  checked++;
                  const label = `${ind.id} ${ind.name} (node ${node.id})`;
                  const mine = byIndicator.get(ind.id) ?? [];
                  if (!mine.length) {
                    bad.push(`${label}: no rows with 指標ID=${ind.id}`);
                    continue;
                  }
                  const wrongNode = mine.filter((r) => r[COL['項目ID']] !== node.id || r[COL['分野ID']] !== field.id);
                  if (wrongNode.length) {
                    bad.push(
                      `${label}: ${wrongNode.length} row(s) not under 分野ID=${field.id} 項目ID=${node.id}, e.g. ${short(JSON.stringify(wrongNode[0]), 200)}`,
                    );
                  }
                  for (const [kind, col] of [
                    ['baseline', '基準値'],
                    ['target', '目標値'],
                  ]) {
                    const v = ind[kind];
                    const atYear = mine.filter((r) => r[COL['年度(西暦)']] === String(v.fiscal_year));
                    if (atYear.length !== 1) {
                      bad.push(`${label}: ${atYear.length} row(s) for ${kind} year ${v.fiscal_year} (expected 1)`);
                      continue;
                    }
                    const cell = atYear[0][COL[col]];
                    if (!numEq(cell, v.value)) {
                      bad.push(
                        `${label}: ${col} in ${v.fiscal_year} is ${JSON.stringify(cell)}, JSON ${kind} is ${v.value}`,
                      );
                    }
                  }
                }
              }
              if (bad.length) fail(`indicators whose CSV values differ from the JSON (of ${checked})`, bad);
            });

            test('every row names the municipality, the licence and the date of the JSON', () => {
              const bad = [];
              rows()
                .slice(1)
                .forEach((r, i) => {
                  const want = [data.municipality_code ?? '', textCell(data.municipality)];
                  const end = [textCell(data.license), data.modified];
                  if (
                    r[0] !== want[0] ||
                    r[1] !== want[1] ||
                    r[COL['ライセンス']] !== end[0] ||
                    r[COL['更新日']] !== end[1]
                  )
                    bad.push(`record ${i + 2}: ${short(JSON.stringify(r), 240)}`);
                });
              if (bad.length) fail('records whose code, name, licence or date differ from the JSON', bad);
            });
          });

          describe(`data/${plan.id}-evaluations.csv`, () => {
            let erows;
            before(async () => {
              const res = await fetch(server.url + `data/${encodeURIComponent(plan.id)}-evaluations.csv`);
              assert.equal(res.status, 200, `GET data/${plan.id}-evaluations.csv`);
              const bytes = Buffer.from(await res.arrayBuffer());
              assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
              erows = parseCsv(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
            });

            test('header row is the 18 documented columns, every row has 18 fields', () => {
              assert.deepEqual(erows[0], EVAL_COLUMNS);
              const bad = erows
                .map((r, i) => [r, i])
                .filter(([r]) => r.length !== EVAL_COLUMNS.length)
                .map(([r, i]) => `record ${i + 1}: ${r.length} field(s)`);
              if (bad.length) fail(`records without ${EVAL_COLUMNS.length} fields`, bad);
            });

            test('one row per evaluation in the JSON, with its grade and amounts', () => {
              const body = erows.slice(1);
              const expected = [];
              for (const { node } of walkNodes(data.nodes))
                for (const e of node.evaluations ?? []) expected.push({ node, e });
              assert.equal(body.length, expected.length, 'rows = evaluations in the JSON');
              const bad = [];
              for (const { node, e } of expected) {
                const r = body.find(
                  (x) => x[ECOL['施策ID']] === textCell(node.id) && x[ECOL['年度(西暦)']] === String(e.fiscal_year),
                );
                const label = `${node.id} ${e.wareki}`;
                if (!r) {
                  bad.push(`${label}: no row`);
                  continue;
                }
                if (r[ECOL['評価記号']] !== textCell(e.grade ?? ''))
                  bad.push(`${label}: 評価記号 ${r[ECOL['評価記号']]}`);
                if (r[ECOL['年度(和暦)']] !== e.wareki) bad.push(`${label}: 年度(和暦) ${r[ECOL['年度(和暦)']]}`);
                for (const [kind, col] of [
                  ['budget', '予算額(千円)'],
                  ['settlement', '決算額(千円)'],
                ]) {
                  const cell = r[ECOL[col]];
                  if (e[kind] === null ? cell !== '' : !numEq(cell, e[kind])) bad.push(`${label}: ${col} ${cell}`);
                }
                if (r[0] !== (data.municipality_code ?? '') || r[ECOL['更新日']] !== data.modified)
                  bad.push(`${label}: code or date`);
              }
              if (bad.length) fail('evaluations whose CSV row differs from the JSON', bad);
            });
          });
        });
      }
    });
  }
});
