/**
 * The operator console: a small HTTP server (node:http, no framework) with a JSON API ({@link handleApi}),
 * a live event stream and one static page, to see every run of every registered process and act on the
 * ones waiting for a person. Bound to 127.0.0.1 by default; who may use it, and how POSTs are protected, is in ./session.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { ConfigError, type OvertureConfig } from '../../config/platform';
import type { StartOptions } from '../../client';
import { handleApi, type ApiContext } from './api';
import { createApprovalLinkRoutes } from './approval-links';
import { createCodecEndpoint } from './codec-endpoint';
import { openConsoleDemos } from './demo-routes';
import { payloadCodecFor } from '../../temporal/codec/data-converter';
import { sendError } from './error-response';
import { createEventStreams } from './events';
import { limitConnections } from './connection-limits';
import { HttpError, json } from './http-helpers';
import { createSessions } from './session';
import { createOidcSignIn } from './oidc-sign-in';
import { openOperators, openUsedLinks } from '../../stores/open';
import { insecureBindProblem, isLoopbackHost } from './startup-checks';
import { serveIndex, servePublicAsset } from './static-files';
import { listen } from '../../tools/dev-stack/listen';
import { handleHealthRoute, storesOpen, temporalReachable } from '../../temporal/observability/health';
import { startConsoleMetrics } from '../../temporal/observability/metrics-apps';
import { consoleRoute } from '../../temporal/observability/metrics-http';

export { countRuns, type Counters } from './runs';
export { escapeHtml } from './login-page';

export interface ConsoleOptions {
  client: Client;
  config: OvertureConfig;
  /** Defaults to config.CONSOLE_HOST (127.0.0.1). */
  host?: string;
  /** Defaults to config.CONSOLE_PORT; 0 picks a free port. */
  port?: number;
  log?: (line: string) => void;
  /** Options for runs the console starts (tests shorten retry intervals here). */
  startOptions?: Pick<StartOptions, 'tuneOptions'>;
}

export interface RunningConsole {
  url: string;
  /** The HTTP server (for supervision: `npm start` listens again if it closes unasked). */
  server: http.Server;
  stop(): Promise<void>;
}

/**
 * Starts the console; resolves once it listens. Refuses (ConfigError) a bind beyond loopback
 * without CONSOLE_ALLOW_INSECURE_BIND=true (then logs a warning). Bounded under load by the CONSOLE_* settings,
 * each per client where a client could otherwise starve the others: connections per address
 * (CONSOLE_MAX_CONNECTIONS_PER_ADDRESS) and in total (CONSOLE_MAX_CONNECTIONS, the busiest addresses give way; see
 * ./connection-limits), the time to send headers (CONSOLE_HEADERS_TIMEOUT_MS) and a whole request with its body
 * (CONSOLE_REQUEST_TIMEOUT_MS; 408), a socket's silence (CONSOLE_IDLE_TIMEOUT_MS; event streams are exempt, they
 * are bounded by CONSOLE_MAX_STREAMS_PER_OPERATOR and CONSOLE_MAX_STREAMS instead, see ./events), bodies (413),
 * wrong tokens per address (429, see ./sign-in-limiter) and sessions per operator (./session).
 */
export async function startOperatorConsole(opts: ConsoleOptions): Promise<RunningConsole> {
  const { client, config, startOptions } = opts;
  const log = opts.log ?? (() => undefined);
  // Operators sign in with their own tokens, from the operator store of the data directory (`overture operators`),
  // or the one every host shares (OPERATORS_URL).
  const operatorStore = await openOperators(config, log);
  const sessions = createSessions(
    operatorStore,
    log,
    { perAddress: config.CONSOLE_SIGNIN_FAILURES_PER_MINUTE, global: config.CONSOLE_SIGNIN_GLOBAL_FAILURES_PER_MINUTE },
    { oidcProvider: config.oidc?.providerName },
  );
  // Sign-in at the team's identity provider, when OIDC_* is configured (./oidc-sign-in): the verified email names the operator.
  const oidcSignIn = config.oidc ? createOidcSignIn({ settings: config.oidc, operators: operatorStore, sessions, log }) : undefined;
  const host = opts.host ?? config.CONSOLE_HOST;
  const bindProblem = insecureBindProblem(host, config.CONSOLE_ALLOW_INSECURE_BIND);
  if (bindProblem) throw new ConfigError(bindProblem);
  if (!isLoopbackHost(host)) {
    log(
      `WARNING: the console listens on ${host} in plain HTTP (CONSOLE_ALLOW_INSECURE_BIND=true): its token and session cookies cross the network in clear unless a TLS proxy is in front`,
    );
  }
  const requestedPort = opts.port ?? config.CONSOLE_PORT;
  const events = createEventStreams(client, config, {
    total: config.CONSOLE_MAX_STREAMS,
    perOperator: config.CONSOLE_MAX_STREAMS_PER_OPERATOR,
  });
  // The demos the installed processes offer (activities/<name>/demo.ts), with OVERTURE_DEMO=on only (./demo-routes.ts).
  const demos = openConsoleDemos({ client, config, tuneOptions: startOptions?.tuneOptions, log });
  const api: ApiContext = { client, config, log, startOptions, sessions, events, demos };
  // The Temporal UI's remote codec: decrypted payloads for signed-in operators (./codec-endpoint).
  const codec = createCodecEndpoint({ codec: payloadCodecFor(config), config, sessions, log });
  const approvalLinks = createApprovalLinkRoutes({
    client,
    config,
    log,
    usedLinks: await openUsedLinks(config, log),
    operatorsByEmail: (email) => operatorStore.byEmail(email),
  });

  // Probes' /healthz and /readyz, before any sign-in (src/temporal/observability/health.ts); metrics on CONSOLE_METRICS_PORT.
  let storesAreOpen = true;
  const readinessChecks = [temporalReachable(client.connection), storesOpen(() => storesAreOpen)];
  const metrics = await startConsoleMetrics(client, config);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const method = req.method ?? 'GET';
    metrics?.observe(req, res, consoleRoute(url.pathname));
    if (await handleHealthRoute(req, res, url.pathname, readinessChecks)) return;
    if (method === 'GET' && servePublicAsset(res, url.pathname)) return;
    // An approval link from an email: the signed link is the credential, no session is needed.
    if (url.pathname === '/act') return approvalLinks.handle(req, res, url);
    if (url.pathname === '/login') {
      if (method === 'POST') return sessions.login(req, res);
      if (method === 'GET') return sessions.sendSignInPage(res, 200);
      throw new HttpError(405, 'method not allowed');
    }
    if (url.pathname === '/codec' || url.pathname.startsWith('/codec/')) return codec(req, res, url);
    if (url.pathname.startsWith('/auth/oidc/') && oidcSignIn && (await oidcSignIn.handle(req, res, url))) return;
    const caller = await sessions.authenticate(req);
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      if (!caller)
        return json(
          res,
          401,
          { error: 'sign in first: Authorization: Bearer <token>, or POST /login' },
          { 'WWW-Authenticate': 'Bearer realm="overture"' },
        );
      return handleApi(api, req, res, url, caller);
    }
    // Escalation notices link to /runs/<workflow id>: the page routes runs by URL fragment.
    const runLink = /^\/runs\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && runLink) {
      res.writeHead(302, { Location: `/#/runs/${runLink[1]}` }).end();
      return;
    }
    if (method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
      if (!caller) return sessions.sendSignInPage(res, 401);
      return serveIndex(res);
    }
    throw new HttpError(404, 'not found');
  };

  const requestTimeout = config.CONSOLE_REQUEST_TIMEOUT_MS;
  const idleTimeout = config.CONSOLE_IDLE_TIMEOUT_MS;
  const server = http.createServer(
    {
      headersTimeout: Math.min(config.CONSOLE_HEADERS_TIMEOUT_MS, requestTimeout),
      requestTimeout,
      keepAliveTimeout: Math.min(5_000, idleTimeout),
      // How often the two timeouts above are checked (Node's default, 30 s, would let a slow sender stay 30 s more).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeout / 4))),
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => sendError(client, req, res, err, log));
    },
  );
  limitConnections(server, { total: config.CONSOLE_MAX_CONNECTIONS, perAddress: config.CONSOLE_MAX_CONNECTIONS_PER_ADDRESS }, log);
  // A socket silent this long is closed (event streams turn this off for their own socket).
  server.timeout = idleTimeout;

  await listen(server, requestedPort, host);
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  sessions.allowOrigins(url, host, port);
  if (oidcSignIn && config.oidc) {
    oidcSignIn.setConsoleUrl(url);
    log(
      `OIDC sign-in with ${config.oidc.providerName} (${config.oidc.issuer}); the client's redirect URI there: ${config.oidc.redirectUri ?? `${url}/auth/oidc/callback`}`,
    );
  }
  log(`operator console listening on ${url}`);
  if (metrics) log(`console metrics at ${metrics.url}`);

  return {
    url,
    server,
    async stop() {
      storesAreOpen = false;
      events.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      demos?.close();
      await metrics?.stop();
      await approvalLinks.close();
      await operatorStore.close();
    },
  };
}
