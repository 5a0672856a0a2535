// Unit tests for lib/server.mjs (no browser, no SITES needed).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from './lib/server.mjs';

/** Raw GET so the path is sent exactly as written (fetch would normalise "..") */
function get(origin, rawPath) {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: rawPath }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      })
      .on('error', reject);
  });
}

describe('lib/server.mjs', () => {
  let tmp, dir, srv;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-server-'));
    dir = path.join(tmp, 'site');
    fs.mkdirSync(path.join(dir, 'a', '計画'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>top</title>');
    fs.writeFileSync(path.join(dir, 'a', 'index.html'), 'A');
    fs.writeFileSync(path.join(dir, 'a', '計画', 'index.html'), '計画');
    fs.writeFileSync(path.join(dir, '404.html'), 'NOT FOUND PAGE');
    for (const ext of ['css', 'js', 'json', 'svg', 'png', 'xml', 'txt', 'csv'])
      fs.writeFileSync(path.join(dir, `f.${ext}`), ext);
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'SECRET');
    fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(dir, 'link.txt'));
    srv = await startServer(dir, '/sub/planpress/');
  });
  after(async () => {
    await srv?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('url is on 127.0.0.1 with the prefix', () => {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/sub\/planpress\/$/);
  });

  test('directory URLs serve index.html', async () => {
    const r = await get(srv.origin, '/sub/planpress/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(r.body, /top/);
    assert.equal((await get(srv.origin, '/sub/planpress/a/')).body, 'A');
    assert.equal((await get(srv.origin, '/sub/planpress/a/%E8%A8%88%E7%94%BB/')).body, '計画');
  });

  test('directories without a slash redirect', async () => {
    let r = await get(srv.origin, '/sub/planpress/a?x=1');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/sub/planpress/a/?x=1');
    r = await get(srv.origin, '/sub/planpress');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/sub/planpress/');
  });

  test('content types', async () => {
    const want = {
      css: 'text/css; charset=utf-8',
      js: 'text/javascript; charset=utf-8',
      json: 'application/json; charset=utf-8',
      svg: 'image/svg+xml; charset=utf-8',
      png: 'image/png',
      xml: 'application/xml; charset=utf-8',
      txt: 'text/plain; charset=utf-8',
      csv: 'text/csv; charset=utf-8',
    };
    for (const [ext, type] of Object.entries(want)) {
      const r = await get(srv.origin, `/sub/planpress/f.${ext}`);
      assert.equal(r.status, 200, ext);
      assert.equal(r.headers['content-type'], type, ext);
    }
  });

  test('missing files get 404.html with status 404', async () => {
    for (const p of ['/sub/planpress/nope/', '/sub/planpress/nope.css', '/elsewhere/', '/', '/sub/planpress/f.css/']) {
      const r = await get(srv.origin, p);
      assert.equal(r.status, 404, p);
      assert.equal(r.body, 'NOT FOUND PAGE', p);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8', p);
    }
  });

  test('path traversal is refused', async () => {
    for (const p of [
      '/sub/planpress/../secret.txt',
      '/sub/planpress/a/../../secret.txt',
      '/sub/planpress/%2e%2e/secret.txt',
      '/sub/planpress/%2E%2E%2Fsecret.txt',
      '/sub/planpress/..%5Csecret.txt',
      '/sub/planpress/%00',
      '/sub/planpress/link.txt',
    ]) {
      const r = await get(srv.origin, p);
      assert.ok(r.status === 400 || r.status === 404, `${p} -> ${r.status}`);
      assert.doesNotMatch(r.body, /SECRET/, p);
    }
  });

  test('HEAD has no body, other methods are refused', async () => {
    const { hostname, port } = new URL(srv.origin);
    const req = (method) =>
      new Promise((resolve, reject) => {
        const r = http.request({ hostname, port, method, path: '/sub/planpress/' }, (res) => {
          let n = 0;
          res.on('data', (c) => (n += c.length));
          res.on('end', () => resolve({ status: res.statusCode, bytes: n }));
        });
        r.on('error', reject);
        r.end();
      });
    assert.deepEqual(await req('HEAD'), { status: 200, bytes: 0 });
    assert.equal((await req('POST')).status, 405);
  });
});
