#!/usr/bin/env node
// Bundles the site search runtime: the ES modules of src/search/js/ become the one classic
// script the theme ships, themes/default/static/search.js (embedded in the binary by
// src/render/templates.rs and served as assets/search.js; a plain script, as the pages'
// CSP allows only 'self' scripts and old browsers need no module support).
//
//   node scripts/bundle-search.mjs           writes the bundle (when it changed)
//   node scripts/bundle-search.mjs --check   exits 1 when the checked-in bundle differs
//
// The bundle is one IIFE in UMD style: the modules, in
// dependency order from the entry (main.mjs), are concatenated into one function scope
// with their import statements removed and `export` dropped from their declarations; the
// entry's exported `api` is returned, then assigned to module.exports under Node or to
// window.planpressSearch in a page (which then runs api.boot(document)). The entry's
// leading block comment becomes the bundle's header, after a note that it is generated.
// The bundle is then minified with terser (tests/browser's pinned devDependency, installed
// by `npm ci` there): it is on every first search, and minified it is about half the bytes.
//
// Because every module shares one scope, the script refuses what would change meaning once
// concatenated: renamed or default imports/exports, `import *`, imports of names a module
// does not export, imports from outside src/search/js/, top-level names declared by two
// modules, and modules the entry does not reach.

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC_DIR = 'src/search/js';
const ENTRY = 'main.mjs';
const OUT = 'themes/default/static/search.js';
const RULE = '// ------------------------------------------------------------------';

class BundleError extends Error {}

/** A module's source, its imports, exports and top-level names; the text it bundles to. */
function readModule(name) {
  const file = path.join(REPO, SRC_DIR, name);
  if (!fs.existsSync(file)) throw new BundleError(`${SRC_DIR}/${name}: no such module`);
  const source = fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  const where = (index) => `${SRC_DIR}/${name}:${source.slice(0, index).split('\n').length}`;
  const imports = [];
  const exports = new Set();

  // import { a, b } from './x.mjs';  (possibly over several lines), and blank lines after it
  let text = source.replace(
    /^import\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2;?[ \t]*\n(?:[ \t]*\n)*/gm,
    (_, names, _q, from, offset) => {
      if (!/^\.\/[\w-]+\.mjs$/.test(from)) {
        throw new BundleError(`${where(offset)}: imports ${from}; only './<name>.mjs' of ${SRC_DIR} can be bundled`);
      }
      imports.push({ from: from.slice(2), names: nameList(names, where(offset)), where: where(offset) });
      return '';
    },
  );
  // export { a, b };
  text = text.replace(/^export\s*\{([^}]*)\};?[ \t]*\n/gm, (_, names) => {
    for (const n of nameList(names, `${SRC_DIR}/${name}`)) exports.add(n);
    return '';
  });
  // export function f / export var x / export class C …
  text = text.replace(/^export\s+((?:async\s+)?function\*?|var|let|const|class)\s+([\w$]+)/gm, (_, kind, n) => {
    exports.add(n);
    return `${kind} ${n}`;
  });
  const left = /^(import|export)\b.*$/m.exec(text);
  if (left) {
    const at = source.indexOf(left[0]);
    throw new BundleError(
      `${where(at)}: cannot bundle \`${left[0].trim()}\` (use import { … } from './x.mjs' and export declarations)`,
    );
  }
  return { name, imports, exports, topLevel: topLevelNames(text), text: text.trim() };
}

function nameList(list, where) {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!/^[\w$]+$/.test(n)) throw new BundleError(`${where}: cannot bundle '${n}' (no renaming with 'as')`);
  }
  return names;
}

/** Names declared at the top level of a module (statements that start a line). */
function topLevelNames(text) {
  const names = [];
  const re = /^(?:(?:async\s+)?function\*?|var|let|const|class)\s+([\w$]+)/gm;
  for (let m; (m = re.exec(text));) names.push(m[1]);
  return names;
}

/** The modules the entry reaches, each after the modules it imports. */
function orderModules() {
  const modules = new Map();
  const order = [];
  const visiting = new Set();
  const visit = (name, chain) => {
    if (modules.has(name)) return;
    if (visiting.has(name)) throw new BundleError(`import cycle: ${[...chain, name].join(' → ')}`);
    visiting.add(name);
    const m = readModule(name);
    for (const imp of m.imports) visit(imp.from, [...chain, name]);
    visiting.delete(name);
    modules.set(name, m);
    order.push(m);
  };
  visit(ENTRY, []);
  for (const m of order) {
    for (const imp of m.imports) {
      const target = modules.get(imp.from);
      for (const n of imp.names) {
        if (!target.exports.has(n)) throw new BundleError(`${imp.where}: ${imp.from} does not export ${n}`);
      }
    }
  }
  const unused = fs
    .readdirSync(path.join(REPO, SRC_DIR))
    .filter((f) => f.endsWith('.mjs') && !modules.has(f))
    .sort();
  if (unused.length) throw new BundleError(`${SRC_DIR}: ${unused.join(', ')} not imported by ${ENTRY}`);
  const owner = new Map();
  for (const m of order) {
    for (const n of m.topLevel) {
      if (owner.has(n) && owner.get(n) !== m.name) {
        throw new BundleError(
          `${n} is declared at the top level of both ${owner.get(n)} and ${m.name} (one scope once bundled)`,
        );
      }
      owner.set(n, m.name);
    }
  }
  if (!modules.get(ENTRY).exports.has('api')) throw new BundleError(`${SRC_DIR}/${ENTRY} must export 'api'`);
  return order;
}

function wrap(text, width) {
  const lines = [''];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last && last.length + 1 + word.length > width) lines.push(word);
    else lines[lines.length - 1] = last ? `${last} ${word}` : word;
  }
  return lines;
}

/** The bundle's text. */
export function bundle() {
  const order = orderModules();
  const entry = order[order.length - 1];
  // The entry's leading block comment describes the runtime: it heads the bundle.
  let about = [];
  const lead = /^\/\*([\s\S]*?)\*\/\n*/.exec(entry.text);
  if (lead) {
    about = lead[1]
      .split('\n')
      .map((l, i) => (i === 0 ? l.trim() : l.replace(/^\s*\* ?/, '').trimEnd()))
      .filter((l, i, all) => l || (i > 0 && i < all.length - 1));
    entry.text = entry.text.slice(lead[0].length);
  }
  const header = [
    `GENERATED by scripts/bundle-search.mjs from the ES modules of ${SRC_DIR}/: do not edit.`,
    ...wrap(`Modules, in order: ${order.map((m) => m.name).join(', ')}.`, 88),
    'Edit the modules and run `node scripts/bundle-search.mjs`; scripts/test.sh runs it with',
    '--check, which fails when this file is not up to date. Minified by terser.',
    ...(about.length ? ['', ...about] : []),
  ];
  const out = [
    '/* ' + header[0],
    ...header.slice(1).map((l) => (l ? ` * ${l}` : ' *')),
    ' */',
    '(function (root, factory) {',
    "  'use strict';",
    '  var api = factory();',
    "  if (typeof module === 'object' && module.exports) {",
    '    module.exports = api;',
    '  } else {',
    '    root.planpressSearch = api;',
    "    if (typeof document !== 'undefined') api.boot(document);",
    '  }',
    "})(typeof self !== 'undefined' ? self : this, function () {",
    "  'use strict';",
    '',
  ];
  for (const m of order) out.push(`${RULE} ${m.name}`, m.text, '');
  out.push('return api;', '});', '');
  const text = out.join('\n');
  try {
    new vm.Script(text, { filename: OUT });
  } catch (e) {
    throw new BundleError(`the bundle does not compile: ${e.message}`);
  }
  return text;
}

/** `text` minified (terser, from tests/browser/node_modules), its header comment kept. */
export async function minify(text) {
  const require = createRequire(path.join(REPO, 'tests/browser/package.json'));
  let terser;
  try {
    terser = await import(pathToFileURL(require.resolve('terser')).href);
  } catch {
    throw new BundleError('terser is not installed: run `npm ci` in tests/browser');
  }
  const out = await terser.minify(text, {
    compress: { passes: 2 },
    mangle: true,
    format: { comments: (_, comment) => comment.pos === 0, ascii_only: false },
  });
  return out.code + '\n';
}

async function main(args) {
  const check = args.includes('--check');
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length) {
    console.error(`usage: node scripts/bundle-search.mjs [--check]  (unknown: ${unknown.join(' ')})`);
    return 2;
  }
  let text;
  try {
    text = await minify(bundle());
  } catch (e) {
    if (!(e instanceof BundleError)) throw e;
    console.error(`bundle-search: ${e.message}`);
    return 1;
  }
  const file = path.join(REPO, OUT);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  if (check) {
    if (current === text) {
      console.log(`${OUT} is up to date with ${SRC_DIR}/`);
      return 0;
    }
    console.error(`bundle-search: ${OUT} is not the bundle of ${SRC_DIR}/: run \`node scripts/bundle-search.mjs\``);
    if (current !== null) {
      const a = current.split('\n');
      const b = text.split('\n');
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      console.error(`  first difference at line ${i + 1}:`);
      console.error(`    checked in: ${a[i] === undefined ? '(end of file)' : JSON.stringify(a[i])}`);
      console.error(`    bundle:     ${b[i] === undefined ? '(end of file)' : JSON.stringify(b[i])}`);
    }
    return 1;
  }
  if (current === text) {
    console.log(`${OUT} is up to date`);
  } else {
    fs.writeFileSync(file, text);
    console.log(`wrote ${OUT} (${text.split('\n').length - 1} lines)`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
