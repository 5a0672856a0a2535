// Nu HTML Checker (vnu.jar from the vnu-jar npm package) over every built site.
//
//   SITES='[{"name":"example","dir":"/tmp/out/example"}]' node --test vnu.test.mjs
//
// One JVM run checks all site directories (vnu recurses into directories;
// --skip-non-html limits it to *.html/*.htm/*.xhtml). vnu prints its JSON
// report on stderr and exits 1 when it found errors, so the exit code alone
// is not treated as a failure: the JSON is.
//
// Env: SITES (required, else skipped), JAVA (default "java").

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

import { readSites, listFiles, SKIP_REASON } from './lib/sites.mjs';

const require = createRequire(import.meta.url);
const VNU_JAR = String(require('vnu-jar'));
const JAVA = process.env.JAVA || 'java';
const sites = readSites();

function runVnu(dirs) {
  const args = ['-Xss16m', '-jar', VNU_JAR, '--errors-only', '--format', 'json', '--skip-non-html', ...dirs];
  return new Promise((resolve, reject) => {
    execFile(JAVA, args, { maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      // Exit status 1 just means "errors found"; anything we can't parse is fatal.
      const text = [stderr, stdout].find((s) => s.trimStart().startsWith('{'));
      if (!text) {
        return reject(
          new Error(
            `vnu produced no JSON report (exit ${error?.code ?? 0})\n${error?.message ?? ''}\nstdout: ${stdout}\nstderr: ${stderr}`,
          ),
        );
      }
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new Error(`cannot parse vnu JSON: ${e.message}\n${text.slice(0, 2000)}`));
      }
    });
  });
}

function fileOf(msg) {
  if (!msg.url) return '(unknown file)';
  try {
    return fileURLToPath(msg.url.replace(/^file:(?!\/\/)/, 'file://'));
  } catch {
    return msg.url;
  }
}

describe('Nu HTML Checker (vnu)', { skip: sites ? false : SKIP_REASON, timeout: 30 * 60 * 1000 }, () => {
  let report;

  before(async () => {
    const t0 = Date.now();
    report = await runVnu(sites.map((s) => s.dir));
    const n = sites.reduce((acc, s) => acc + listFiles(s.dir, (r) => /\.x?html?$/.test(r)).length, 0);
    console.log(`# vnu ${report.version}: checked ${n} HTML file(s) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  });

  for (const site of sites ?? []) {
    test(`${site.name}: zero HTML errors`, () => {
      const mine = report.messages.filter((m) => {
        const f = fileOf(m);
        return f === site.dir || f.startsWith(site.dir + path.sep);
      });
      const errors = mine.filter((m) => m.type === 'error' || m.type === 'non-document-error');
      if (!errors.length) return;

      // Group by file; print file:line:col, message and the extract.
      const byFile = new Map();
      for (const m of errors) {
        const f = path.relative(site.dir, fileOf(m)) || fileOf(m);
        if (!byFile.has(f)) byFile.set(f, []);
        byFile.get(f).push(m);
      }
      const MAX_FILES = 30;
      const lines = [];
      [...byFile.keys()].sort().forEach((f, i) => {
        if (i === MAX_FILES) lines.push(`… and ${byFile.size - MAX_FILES} more file(s)`);
        if (i >= MAX_FILES) return;
        const at = (m) => (m.lastLine ?? m.firstLine ?? 0) * 1e6 + (m.firstColumn ?? m.lastColumn ?? 0);
        for (const m of byFile.get(f).sort((a, b) => at(a) - at(b))) {
          const line = m.lastLine ?? m.firstLine ?? '?';
          const col = m.firstColumn ?? m.lastColumn ?? '?';
          lines.push(`${f}:${line}:${col}: ${m.type === 'error' ? '' : m.type + ': '}${m.message}`);
          if (m.extract) lines.push(`    ${m.extract.replace(/\s+/g, ' ')}`);
        }
      });
      // Also summarise by message so template-wide problems are obvious.
      const byMsg = new Map();
      for (const m of errors) byMsg.set(m.message, (byMsg.get(m.message) ?? 0) + 1);
      const summary = [...byMsg].sort((a, b) => b[1] - a[1]).map(([msg, n]) => `  ${n}× ${msg}`);
      assert.fail(
        `vnu found ${errors.length} error(s) in ${byFile.size} file(s) of ${site.dir}\n\n` +
          `${lines.join('\n')}\n\nBy message:\n${summary.join('\n')}\n`,
      );
    });
  }
});
