// Runs lib/server.mjs in a process of its own (for benchmarks: the server then does not
// share an event loop with the Playwright client that drives the browser).
//
//   node lib/serve-cli.mjs DIR PREFIX [REL=FILE …]   → prints the URL, serves until killed
//
// REL=FILE serves FILE at PREFIX + REL (server.mjs's `extra`).
import { startServer } from './server.mjs';

const [dir, prefix, ...pairs] = process.argv.slice(2);
const extra = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
const server = await startServer(dir, prefix, { extra });
console.log(server.url);
