/**
 * Who may use the console. Every page and /api request needs the operator token, either as
 * `Authorization: Bearer <token>` or through the session cookie `POST /login` sets (HttpOnly,
 * SameSite=Strict). Every POST must carry `X-CSRF-Token` equal to the session's CSRF token (also sent as
 * the readable `overture_csrf` cookie, double-submit), and its Origin, when present, must be the console's.
 */
import type http from 'node:http';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpError, json, readBody, SECURITY_HEADERS } from './http-helpers';
import { sendLoginPage } from './login-page';
import { ConfigError } from '../config';
import { createSignInLimiter } from './sign-in-limiter';
import { weakTokenProblem } from './startup-checks';
import { hasUnsafeText, printable } from '../terminal-safe';

const SESSION_COOKIE = 'overture_session';
const CSRF_COOKIE = 'overture_csrf';
const SESSION_TTL_MS = 12 * 3_600_000;
const MAX_SESSIONS = 1_000;

interface Session {
  operator: string;
  csrf: string;
  expiresAt: number;
}

/** A signed-in caller, by session cookie or bearer token. */
export interface Caller {
  operator: string;
  csrf: string;
  /** The session id for cookie sessions; undefined for bearer requests. */
  sessionId?: string;
}

/** The console's sign-in state; see {@link createSessions}. */
export interface Sessions {
  /** Who is calling: a bearer token or a live session; undefined when neither. */
  authenticate(req: http.IncomingMessage): Caller | undefined;
  /** CSRF and Origin checks of a state-changing request; throws a 403 HttpError. */
  checkPost(req: http.IncomingMessage, caller: Caller): void;
  /** `POST /login`: checks the token and name, opens a session, sets its cookies and redirects to /. */
  login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /** `POST /api/logout`: ends the caller's session and expires its cookies. */
  logout(res: http.ServerResponse, caller: Caller): void;
  /** Once the server listens: the Origins a POST may come from (its URL, and loopback aliases). */
  allowOrigins(url: string, host: string, port: number): void;
}

/** Compares through fixed-length hashes, so neither the length nor the content leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      // a malformed cookie is ignored
    }
  }
  return cookies;
}

/** The client's address, as sign-in failures are counted. */
const addressOf = (req: http.IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

/** Answer of a token check from a locked address (or while every sign-in is locked). */
const lockedOut = (seconds: number) =>
  new HttpError(429, `too many wrong tokens: sign-in is locked, try again in ${seconds} s`, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });

/**
 * In-memory sessions for one console; throws a ConfigError when the token is empty or weak. Wrong tokens are
 * bounded per address and in total (see ./sign-in-limiter); the defaults are CONSOLE_SIGNIN_*'s.
 */
export function createSessions(token: string, log: (line: string) => void, limits: { perAddress: number; global: number } = { perAddress: 5, global: 100 }): Sessions {
  if (!token || token.trim().length === 0) throw new ConfigError('the operator console needs a token (CONSOLE_TOKEN)');
  const weak = weakTokenProblem(token);
  if (weak) throw new ConfigError(`the operator console refuses a weak token: ${weak}`);
  const limiter = createSignInLimiter(limits, log);
  // Bearer callers have no session; their CSRF token is fixed per server start and read from /api/session.
  const bearerCsrf = createHmac('sha256', randomBytes(32)).update('bearer-csrf').digest('base64url');
  const sessions = new Map<string, Session>();
  let allowedOrigins = new Set<string>();

  const pruneSessions = () => {
    const now = Date.now();
    for (const [id, s] of sessions) if (s.expiresAt < now) sessions.delete(id);
    while (sessions.size > MAX_SESSIONS) {
      const oldest = sessions.keys().next().value;
      if (oldest === undefined) break;
      sessions.delete(oldest);
    }
  };
  const originAllowed = (req: http.IncomingMessage): boolean => req.headers.origin === undefined || allowedOrigins.has(req.headers.origin);

  return {
    authenticate(req) {
      const auth = req.headers.authorization;
      if (auth?.startsWith('Bearer ')) {
        const address = addressOf(req);
        const wait = limiter.retryAfter(address);
        if (wait !== undefined) throw lockedOut(wait);
        if (!sameSecret(auth.slice('Bearer '.length).trim(), token)) {
          limiter.failed(address);
          return undefined;
        }
        const named = req.headers['x-operator'];
        const operator = typeof named === 'string' && named.trim() && named.length <= 100 ? named.trim() : 'api';
        return { operator, csrf: bearerCsrf };
      }
      const sessionId = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (!sessionId) return undefined;
      const session = sessions.get(sessionId);
      if (!session || session.expiresAt < Date.now()) {
        if (session) sessions.delete(sessionId);
        return undefined;
      }
      return { operator: session.operator, csrf: session.csrf, sessionId };
    },

    checkPost(req, caller) {
      if (!originAllowed(req)) throw new HttpError(403, 'cross-origin request refused');
      const header = req.headers['x-csrf-token'];
      if (typeof header !== 'string' || !sameSecret(header, caller.csrf)) throw new HttpError(403, 'missing or wrong X-CSRF-Token');
    },

    async login(req, res) {
      if (!originAllowed(req)) return sendLoginPage(res, 403, 'Cross-origin sign-in refused.');
      const form = new URLSearchParams(await readBody(req));
      const given = form.get('token') ?? '';
      const operator = (form.get('operator') ?? '').trim();
      const address = addressOf(req);
      const wait = limiter.retryAfter(address);
      if (wait !== undefined) return sendLoginPage(res, 429, `Too many wrong tokens: sign-in is locked, try again in ${wait} s.`, { 'Retry-After': String(wait) });
      if (!given || !sameSecret(given, token)) {
        limiter.failed(address, operator);
        return sendLoginPage(res, 401, 'Wrong token.');
      }
      limiter.succeeded(address);
      if (!operator || operator.length > 100) return sendLoginPage(res, 400, 'Say who you are: your name is recorded with your decisions.');
      if (hasUnsafeText(operator)) return sendLoginPage(res, 400, 'Your name must be plain text: no control or direction characters.');
      pruneSessions();
      const sessionId = randomBytes(32).toString('base64url');
      const csrf = randomBytes(32).toString('base64url');
      sessions.set(sessionId, { operator, csrf, expiresAt: Date.now() + SESSION_TTL_MS });
      log(`${printable(operator)} signed in`);
      const maxAge = Math.floor(SESSION_TTL_MS / 1000);
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        Location: '/',
        'Set-Cookie': [
          `${SESSION_COOKIE}=${sessionId}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}`,
          `${CSRF_COOKIE}=${csrf}; SameSite=Strict; Path=/; Max-Age=${maxAge}`,
        ],
      });
      res.end();
    },

    logout(res, caller) {
      if (caller.sessionId) sessions.delete(caller.sessionId);
      json(res, 200, { ok: true }, {
        'Set-Cookie': [`${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`, `${CSRF_COOKIE}=; SameSite=Strict; Path=/; Max-Age=0`],
      });
    },

    allowOrigins(url, host, port) {
      const loopback = ['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(host);
      allowedOrigins = new Set([url, ...(loopback ? [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`] : [])]);
    },
  };
}
