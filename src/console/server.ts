/**
 * The operator console: a small HTTP server (node:http, no framework) with a JSON API ({@link handleApi}),
 * a live event stream and one static page, to see every run of every registered process and act on the
 * ones waiting for a person. Bound to 127.0.0.1 by default; who may use it, and how POSTs are protected, is in ./session.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../config';
import type { StartOptions } from '../client';
import { handleApi, type ApiContext } from './api';
import { createDemo } from './demo';
import { sendError } from './error-response';
import { createEventStreams } from './events';
import { HttpError, json } from './http-helpers';
import { sendLoginPage } from './login-page';
import type { ScriptChainSystems } from './script-chain';
import { createSessions } from './session';
import { serveIndex, servePublicAsset } from './static-files';

export { countRuns, type Counters } from './runs';
export { escapeHtml } from './login-page';

export interface ConsoleOptions {
  client: Client;
  config: OvertureConfig;
  /** Defaults to config.CONSOLE_HOST (127.0.0.1). */
  host?: string;
  /** Defaults to config.CONSOLE_PORT; 0 picks a free port. */
  port?: number;
  /** The operator token; required (an empty token is refused). */
  token: string;
  log?: (line: string) => void;
  /** Options for runs the console starts (tests shorten retry intervals here). */
  startOptions?: Pick<StartOptions, 'tuneOptions'>;
  /** The systems the demo's plain script calls; built from config when the demo first runs. */
  scriptSystems?: ScriptChainSystems;
}

export interface RunningConsole {
  url: string;
  stop(): Promise<void>;
}

/** Starts the console; resolves once it listens. */
export async function startOperatorConsole(opts: ConsoleOptions): Promise<RunningConsole> {
  const { client, config, startOptions } = opts;
  const log = opts.log ?? (() => undefined);
  const sessions = createSessions(opts.token, log);
  const host = opts.host ?? config.CONSOLE_HOST;
  const requestedPort = opts.port ?? config.CONSOLE_PORT;
  const events = createEventStreams(client, config);
  const demo = createDemo(client, config, { scriptSystems: opts.scriptSystems, startOptions, log });
  const api: ApiContext = { client, config, log, startOptions, sessions, events, demo };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const method = req.method ?? 'GET';
    if (method === 'GET' && servePublicAsset(res, url.pathname)) return;
    if (url.pathname === '/login') {
      if (method === 'POST') return sessions.login(req, res);
      if (method === 'GET') return sendLoginPage(res, 200);
      throw new HttpError(405, 'method not allowed');
    }
    const caller = sessions.authenticate(req);
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      if (!caller) return json(res, 401, { error: 'sign in first: Authorization: Bearer <token>, or POST /login' }, { 'WWW-Authenticate': 'Bearer realm="overture"' });
      return handleApi(api, req, res, url, caller);
    }
    // Escalation notices link to /runs/<workflow id>: the page routes runs by URL fragment.
    const runLink = /^\/runs\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && runLink) {
      res.writeHead(302, { Location: `/#/runs/${runLink[1]}` }).end();
      return;
    }
    if (method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
      if (!caller) return sendLoginPage(res, 401);
      return serveIndex(res);
    }
    throw new HttpError(404, 'not found');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(client, req, res, err, log));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(requestedPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  sessions.allowOrigins(url, host, port);
  log(`operator console listening on ${url}`);

  return {
    url,
    async stop() {
      events.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      demo.close();
    },
  };
}
