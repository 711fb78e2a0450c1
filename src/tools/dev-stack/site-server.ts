/**
 * The local site: a static HTTP server for the site directory, where content publishing writes its pages
 * and feed. GET and HEAD only; a path is served only when it names a regular file inside the directory
 * (no `..`, no hidden files, no symlinks out of it), with headers that keep a browser from running anything.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { listen } from './listen';

/** Options for {@link startSiteServer}. */
export interface SiteServerOptions {
  /** The directory served. */
  dir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  log?: (line: string) => void;
}

/** Handle on a running site server. */
export interface SiteServer {
  port: number;
  /** e.g. http://127.0.0.1:4090 */
  url: string;
  /** The HTTP server (for supervision: `npm start` listens again if it closes unasked). */
  server: http.Server;
  stop(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.xml': 'application/rss+xml; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/** The file a request path names inside `root`, or undefined when it names nothing that may be served. */
export function resolveSitePath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter(Boolean);
  // No parent directories and no hidden files (the store's temporary files start with a dot).
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return undefined;
  if (segments.length === 0) segments.push('index.html');
  const file = path.resolve(root, ...segments);
  return file.startsWith(root + path.sep) ? file : undefined;
}

/** The real path of a regular file inside root (following symlinks), or undefined. */
function servable(root: string, file: string): string | undefined {
  try {
    const real = fs.realpathSync(file);
    if (!real.startsWith(fs.realpathSync(root) + path.sep)) return undefined;
    return fs.statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the site server and resolves once it is listening. */
export async function startSiteServer(opts: SiteServerOptions): Promise<SiteServer> {
  const root = path.resolve(opts.dir);
  fs.mkdirSync(root, { recursive: true });
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => undefined);

  const server = http.createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('content-security-policy', "default-src 'none'; img-src * data:; style-src 'unsafe-inline'");
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed');
      return;
    }
    const wanted = resolveSitePath(root, new URL(req.url ?? '/', 'http://site.invalid').pathname);
    const file = wanted && servable(root, wanted);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const size = fs.statSync(file).size;
    res.writeHead(200, { 'content-type': type, 'content-length': size, 'cache-control': 'no-cache' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file)
      .on('error', (err) => {
        log(`site server could not read ${path.basename(file)}: ${err.message}`);
        res.destroy();
      })
      .pipe(res);
  });

  await listen(server, opts.port ?? 0, host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`serving ${root} on ${url}`);
  return {
    port,
    url,
    server,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
