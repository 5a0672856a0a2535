// Minimal static file server for browser tests (node:http only, no deps).
//
// Serves `dir` under the URL prefix `prefix` (e.g. "/sub/planpress/") so the
// tests prove that a built site works when hosted below a sub-path.
//
//   const { url, close } = await startServer('/tmp/site', '/sub/planpress/');
//   // url === 'http://127.0.0.1:<port>/sub/planpress/'
//
// Behaviour:
//   - directory URL ("/sub/planpress/a/")  -> a/index.html
//   - directory without slash ("/sub/planpress/a") -> 301 to "/sub/planpress/a/"
//   - the prefix without its trailing slash ("/sub/planpress") -> 301 to the prefix
//   - missing file -> <dir>/404.html with status 404 (plain text if absent)
//   - anything outside the prefix -> 404
//   - path traversal ("..", encoded "%2e%2e", backslashes, NUL) -> 400/404,
//     and resolved paths are always re-checked to be inside `dir`
//   - only GET and HEAD (405 otherwise)
//   - `extra` ({'rel/path': '/abs/file'}): files served at prefix + rel/path from outside
//     `dir` (the search benchmark's harness page, which must share the site's origin)

import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

export function contentType(file) {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

async function statOrNull(p) {
  try {
    return await fs.stat(p);
  } catch {
    return null;
  }
}

/**
 * @param {string} dir     directory to serve
 * @param {string} prefix  URL prefix, e.g. "/sub/planpress/" (default "/")
 * @param {{extra?: Record<string, string>}} [options]
 * @returns {Promise<{url: string, origin: string, port: number, close: () => Promise<void>}>}
 */
export async function startServer(dir, prefix = '/', { extra = {} } = {}) {
  const root = path.resolve(dir);
  if (!prefix.startsWith('/')) prefix = '/' + prefix;
  if (!prefix.endsWith('/')) prefix += '/';
  const prefixNoSlash = prefix.slice(0, -1);

  async function send(req, res, status, file, extraHeaders = {}) {
    const body = await fs.readFile(file);
    res.writeHead(status, {
      'Content-Type': contentType(file),
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...extraHeaders,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function plain(req, res, status, text, extraHeaders = {}) {
    const body = Buffer.from(text + '\n', 'utf8');
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      ...extraHeaders,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function notFound(req, res) {
    const page = path.join(root, '404.html');
    if (await statOrNull(page)) return send(req, res, 404, page);
    return plain(req, res, 404, 'Not Found');
  }

  async function handle(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return plain(req, res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    }
    const rawPath = (req.url ?? '/').split(/[?#]/, 1)[0];
    const query = (req.url ?? '').slice(rawPath.length);

    if (rawPath === prefixNoSlash && prefixNoSlash !== '') {
      return plain(req, res, 301, 'Moved Permanently', { Location: prefix + query });
    }
    if (!rawPath.startsWith(prefix)) return notFound(req, res);

    let rel;
    try {
      rel = decodeURIComponent(rawPath.slice(prefix.length));
    } catch {
      return plain(req, res, 400, 'Bad Request');
    }
    if (Object.hasOwn(extra, rel)) return send(req, res, 200, extra[rel]);
    // Refuse traversal outright rather than normalising it away.
    const segments = rel.split('/');
    if (
      rel.includes('\0') ||
      rel.includes('\\') ||
      segments.some((s) => s === '..' || s === '.') ||
      path.isAbsolute(rel)
    ) {
      return plain(req, res, 400, 'Bad Request');
    }

    let file = path.join(root, ...segments.filter((s) => s !== ''));
    if (file !== root && !file.startsWith(root + path.sep)) {
      return plain(req, res, 400, 'Bad Request');
    }

    let st = await statOrNull(file);
    if (st?.isDirectory()) {
      if (!rawPath.endsWith('/')) {
        return plain(req, res, 301, 'Moved Permanently', { Location: rawPath + '/' + query });
      }
      file = path.join(file, 'index.html');
      st = await statOrNull(file);
    } else if (st && rawPath.endsWith('/')) {
      // "/file.html/" is not a directory.
      st = null;
    }
    if (!st?.isFile()) return notFound(req, res);

    // Symlinks could still point outside the root.
    const real = await fs.realpath(file);
    const realRoot = await fs.realpath(root);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return notFound(req, res);

    return send(req, res, 200, file);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) plain(req, res, 500, `Internal Server Error: ${err.message}`);
      else res.destroy(err);
    });
  });
  // Playwright keeps connections alive; don't let them block close().
  server.keepAliveTimeout = 1000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin + prefix,
    origin,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
