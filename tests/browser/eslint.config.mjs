// ESLint for the repository's JavaScript, run from the repository root by `npm run lint`
// (eslint -c tests/browser/eslint.config.mjs …): the recommended rules, with the globals
// of where each file runs.

import js from '@eslint/js';
import globals from 'globals';

export default [
  // search.js is the minified bundle of src/search/js/ (linted there; scripts/bundle-search.mjs
  // refuses names that would clash in one scope).
  { ignores: ['**/node_modules/', 'target/', 'public/', 'themes/default/static/search.js'] },
  js.configs.recommended,
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    // The search runtime's modules: browser code (imported as they are by Node tests too).
    files: ['src/search/js/**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  {
    // The theme's classic scripts.
    files: ['themes/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, module: 'readonly' } },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    // Node tests; the functions they hand to page.evaluate() run in the page.
    files: ['tests/browser/**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
  {
    // The latency harness, a page script.
    files: ['tests/browser/bench/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
  },
];
