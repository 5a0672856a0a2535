/* planpress site search — no dependencies, no inline styles (runs under a strict CSP).
 *
 * Searches the files `planpress build` writes under search/ (see src/search/export.rs)
 * and ranks exactly as `planpress search` (tantivy's BM25). The analyzer, query syntax,
 * scoring and snippets mirror src/search/{analyzer,query,index,highlight}.rs rule for
 * rule; tests/search/tokenizer-vectors.json and tests/search/queries.json hold the two
 * together.
 *
 * In a page it drives the search page (#pp-search); under Node it is a CommonJS module
 * (the tests load the engine with a file loader).
 */

// The entry module: the API the bundle returns (window.planpressSearch in a page, whose
// boot(document) is then called; module.exports under Node). Imported as an ES module
// (tests), it is the same object.

import { normalize, normalizeChars, queryTokens, tokenize } from './analyzer.mjs';
import { FIELDNORM_TABLE, idf } from './bm25.mjs';
import { Engine } from './engine.mjs';
import { decodeDocs, decodePositions } from './format.mjs';
import { display, occurrences, snippet } from './highlight.mjs';
import { parse, splitTerms } from './query.mjs';
import { boot } from './ui.mjs';
import { alternatives } from './variants.mjs';

export var api = {
  normalize: normalize,
  normalizeChars: normalizeChars,
  tokenize: tokenize,
  queryTokens: queryTokens,
  splitTerms: splitTerms,
  parse: parse,
  alternatives: alternatives,
  idf: idf,
  FIELDNORM_TABLE: FIELDNORM_TABLE,
  Engine: Engine,
  decodeDocs: decodeDocs,
  decodePositions: decodePositions,
  occurrences: occurrences,
  snippet: snippet,
  display: display,
  boot: boot,
};
