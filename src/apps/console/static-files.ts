/** The browser app: index.html, its scripts and style.css from ./static, sent with the security headers. */
import type http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { send } from './http-helpers';

const STATIC_DIR = path.join(__dirname, 'static');
// Code and style carry no data: the login page needs them before anyone is signed in.
const PUBLIC_ASSETS: Record<string, { file: string; type: string }> = {
  '/common.js': { file: 'common.js', type: 'text/javascript; charset=utf-8' },
  '/graph.js': { file: 'graph.js', type: 'text/javascript; charset=utf-8' },
  '/decisions.js': { file: 'decisions.js', type: 'text/javascript; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** Serves a public asset (a script, style.css) and returns true, or returns false for any other path. */
export function servePublicAsset(res: http.ServerResponse, pathname: string): boolean {
  const asset = PUBLIC_ASSETS[pathname];
  if (!asset) return false;
  send(res, 200, fs.readFileSync(path.join(STATIC_DIR, asset.file), 'utf8'), asset.type);
  return true;
}

/** Serves the app's page; only for a signed-in caller. */
export function serveIndex(res: http.ServerResponse): void {
  send(res, 200, fs.readFileSync(path.join(STATIC_DIR, 'index.html'), 'utf8'), 'text/html; charset=utf-8');
}
