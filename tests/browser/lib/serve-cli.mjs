// Runs lib/server.mjs in a process of its own (for benchmarks: the server then does not
// share an event loop with the Playwright client that drives the browser).
//
//   node lib/serve-cli.mjs DIR PREFIX   → prints the URL, serves until killed
import { startServer } from './server.mjs';

const [dir, prefix] = process.argv.slice(2);
const server = await startServer(dir, prefix);
console.log(server.url);
