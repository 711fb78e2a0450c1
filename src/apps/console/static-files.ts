/**
 * The browser app: index.html, its ES modules and style.css from ./static, and the vendored libraries it imports
 * (Preact, htm) from node_modules, sent with the security headers. Nothing comes from a CDN and nothing is built:
 * the browser resolves the libraries' bare names through the import map in index.html, whose hash the CSP allows.
 */
import type http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { send } from './http-helpers';

const STATIC_DIR = path.join(__dirname, 'static');
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * The libraries the browser imports, by URL: the ES module builds of packages in `dependencies` (so the image, which
 * keeps only those, serves them too). The import map in index.html maps each bare name to one of these.
 */
const VENDOR_FILES: Record<string, string> = {
  '/vendor/preact.mjs': 'preact/dist/preact.mjs',
  '/vendor/preact-hooks.mjs': 'preact/hooks/dist/hooks.mjs',
  '/vendor/htm.mjs': 'htm/dist/htm.mjs',
  '/vendor/htm-preact.mjs': 'htm/preact/index.mjs',
  // The KPI pages' charts: uPlot's ES module and its style sheet (linked by components/time-chart.js).
  '/vendor/uplot.mjs': 'uplot/dist/uPlot.esm.js',
  '/vendor/uplot.css': 'uplot/dist/uPlot.min.css',
};

/**
 * A file of an installed package, found the way Node finds packages: in the nearest node_modules up from here (the
 * packages' `exports` do not list these paths, so require.resolve refuses them).
 */
function fromNodeModules(file: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', file);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`node_modules/${file} is missing: npm install`);
  }
}

/** Every .js and .css file under ./static, by URL path (`/pages/runs.js`): a fixed list, so no path reaches another file. */
function staticAssets(): Map<string, string> {
  const assets = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (TYPES[path.extname(entry.name)]) assets.set(`/${path.relative(STATIC_DIR, file).split(path.sep).join('/')}`, file);
    }
  };
  walk(STATIC_DIR);
  for (const [url, file] of Object.entries(VENDOR_FILES)) assets.set(url, fromNodeModules(file));
  return assets;
}

// Code and style carry no data: the login page needs them before anyone is signed in.
const PUBLIC_ASSETS = staticAssets();

/** Serves a public asset (a module, a vendored library, style.css) and returns true, or returns false for any other path. */
export function servePublicAsset(res: http.ServerResponse, pathname: string): boolean {
  const file = PUBLIC_ASSETS.get(pathname);
  if (!file) return false;
  const type = TYPES[path.extname(file)] ?? 'text/javascript; charset=utf-8'; // the vendored .mjs files
  send(res, 200, fs.readFileSync(file, 'utf8'), type);
  return true;
}

/** Serves the app's page; only for a signed-in caller. */
export function serveIndex(res: http.ServerResponse): void {
  send(res, 200, fs.readFileSync(path.join(STATIC_DIR, 'index.html'), 'utf8'), 'text/html; charset=utf-8');
}
