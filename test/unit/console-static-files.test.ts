/**
 * The console's static files over a real HTTP server: the browser modules and the vendored Preact/htm are served from
 * a fixed list (nothing else on disk is reachable, however the path is spelled), and the CSP allows no inline script
 * but the import map, by the hash of its exact text.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { servePublicAsset } from '../../src/apps/console/static-files';
import { SECURITY_HEADERS } from '../../src/apps/console/http-helpers';

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://console.invalid').pathname;
    if (!servePublicAsset(res, pathname)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('serves the browser modules and the vendored libraries as JavaScript, with the security headers', async () => {
  for (const url of ['/main.js', '/routes.js', '/pages/runs.js', '/components/table.js', '/vendor/preact.mjs', '/vendor/htm-preact.mjs']) {
    const response = await fetch(`${base}${url}`);
    expect([url, response.status, response.headers.get('content-type')]).toEqual([url, 200, 'text/javascript; charset=utf-8']);
    expect(response.headers.get('content-security-policy')).toBe(SECURITY_HEADERS['Content-Security-Policy']);
  }
  const preact = await (await fetch(`${base}/vendor/preact.mjs`)).text();
  expect(preact).toBe(fs.readFileSync(path.join(__dirname, '..', '..', 'node_modules', 'preact', 'dist', 'preact.mjs'), 'utf8'));
  await expect(fetch(`${base}/style.css`).then((r) => r.headers.get('content-type'))).resolves.toBe('text/css; charset=utf-8');
});

it('serves nothing off the list: types, configuration, traversal, other packages', async () => {
  for (const url of [
    '/api-types.d.ts',
    '/tsconfig.json',
    '/index.html',
    '/vendor/../../package.json',
    '/%2e%2e/static-files.ts',
    '/vendor/preact/package.json',
    '/vendor/zod.mjs',
  ]) {
    const response = await fetch(`${base}${url}`);
    expect([url, response.status]).toEqual([url, 404]);
  }
});

it('allows no inline script but the import map, by the SHA-256 of its text', () => {
  const csp = SECURITY_HEADERS['Content-Security-Policy']!;
  const html = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'apps', 'console', 'static', 'index.html'), 'utf8');
  const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const hash = crypto.createHash('sha256').update(map, 'utf8').digest('base64');
  expect(/script-src ([^;]*)/.exec(csp)![1]).toBe(`'self' 'sha256-${hash}'`);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|strict-dynamic|https?:/);
  // The map names only the vendored files the server serves.
  const imports = (JSON.parse(map) as { imports: Record<string, string> }).imports;
  expect(Object.values(imports).every((url) => url.startsWith('/vendor/'))).toBe(true);
});
