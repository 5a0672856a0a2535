// Prettier for the repository's JavaScript modules: src/search/js/*.mjs, scripts/*.mjs and
// tests/browser/**/*.mjs (see "lint" and "format" in package.json). Close to the style the
// files were written in: two-space indent, single quotes, semicolons, 120 columns.
// The theme's classic scripts (themes/default/static/*.js) are not formatted: search.js is
// generated from src/search/js/ by scripts/bundle-search.mjs.

export default {
  printWidth: 120,
  singleQuote: true,
};
