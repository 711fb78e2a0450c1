/**
 * Who may use the console. Every page and /api request needs an operator's personal token (see
 * `overture operators`), either as `Authorization: Bearer <token>` or through the session cookie `POST /login`
 * sets (HttpOnly, SameSite=Strict). The caller is that operator, with their role: the name comes from the
 * operator store, never from the request. Every POST must carry `X-CSRF-Token` equal to the session's CSRF
 * token (also sent as the readable `overture_csrf` cookie, double-submit), and its Origin, when present, must
 * be the console's. With OIDC configured (./oidc-sign-in), an operator may instead sign in at the team's identity
 * provider: its verified email names the operator, and {@link Sessions.openFor} opens the same kind of session.
 */
import type http from 'node:http';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpError, json, readBody, SECURITY_HEADERS, send } from './http-helpers';
import { continuePage, sendLoginPage } from './login-page';
import { createSignInLimiter, type SignInLimiter } from './sign-in-limiter';
import { printable } from '../../../workflows/kit/safe-text';
import type { Operator } from '../../stores/operators/store';
import { looksLikeToken, tokenHash } from '../../stores/operators/tokens';
import { roleAtLeast } from '../../../workflows/kit/roles';
import type { DecisionIdentity, OperatorRole } from '../../../workflows/kit/types';

const SESSION_COOKIE = 'overture_session';
const CSRF_COOKIE = 'overture_csrf';
const SESSION_TTL_MS = 12 * 3_600_000;
/** Sessions at once; past this a new sign-in ends the least recently used session of whoever holds the most. */
const MAX_SESSIONS = 1_000;
/** Sessions of one operator at once (browsers, devices); past this their own least recently used one ends. */
export const MAX_SESSIONS_PER_OPERATOR = 10;

interface Session {
  /** Whose session it is, by name when opened: the caps count per operator. */
  operator: string;
  /** The hash of the token signed in with: the session ends when that token is rotated or its operator removed. */
  tokenHash?: string;
  /** Signed in through OIDC: the operator and the verified email; the session ends when either no longer matches. */
  oidc?: { operator: string; email: string };
  csrf: string;
  expiresAt: number;
}

/** A signed-in caller, by session cookie or bearer token. */
export interface Caller {
  /** The operator's name, as registered (the same as `identity.operator`). */
  operator: string;
  /** Who the caller is, as their decisions record it: via `console` for a session, `api` for a bearer token. */
  identity: DecisionIdentity;
  csrf: string;
  /** The session id for cookie sessions; undefined for bearer requests. */
  sessionId?: string;
}

/** Where the console finds operators by token (the operator store of its data directory, or OPERATORS_URL's). */
export interface OperatorDirectory {
  /** The enabled operator of this token, or undefined. */
  authenticate(token: string): Operator | undefined | Promise<Operator | undefined>;
  /** The enabled operator whose current token has this hash, or undefined. */
  byTokenHash(hash: string): Operator | undefined | Promise<Operator | undefined>;
  /** The operator of this name, removed ones included (`disabled`), or undefined. */
  find(name: string): Operator | undefined | Promise<Operator | undefined>;
}

/** Refuses (403) a caller whose role is below `needed`, naming the role needed. */
export function requireCallerRole(caller: Caller, needed: OperatorRole, what: string): void {
  if (!roleAtLeast(caller.identity.role, needed)) {
    throw new HttpError(403, `${what} needs the role ${needed} or above; you (${caller.operator}) are ${caller.identity.role}`);
  }
}

function identityOf(operator: Operator, via: 'console' | 'api'): DecisionIdentity {
  return { operator: operator.name, ...(operator.email ? { email: operator.email } : {}), role: operator.role, via };
}

/** The console's sign-in state; see {@link createSessions}. */
export interface Sessions {
  /** Who is calling: a bearer token or a live session; undefined when neither. */
  authenticate(req: http.IncomingMessage): Promise<Caller | undefined>;
  /** CSRF and Origin checks of a state-changing request; throws a 403 HttpError. */
  checkPost(req: http.IncomingMessage, caller: Caller): void;
  /** `POST /login`: checks the operator's token, opens a session, sets its cookies and redirects to /. */
  login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /**
   * After an OIDC sign-in (./oidc-sign-in): opens a session for this operator, signed in with this verified email,
   * sets its cookies and answers with a page that continues to / (see {@link continuePage}).
   */
  openFor(res: http.ServerResponse, operator: Operator, email: string): void;
  /** The sign-in page (with the "Sign in with <provider>" link when OIDC is configured). */
  sendSignInPage(res: http.ServerResponse, status: number, message?: string, headers?: Record<string, string>): void;
  /** Wrong tokens and refused OIDC sign-ins count here alike (see ./sign-in-limiter). */
  readonly limiter: SignInLimiter;
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

/** The key a token is proven under in the limiter (its hash), or undefined for text that is no token. */
const credentialOf = (token: string): string | undefined => (looksLikeToken(token) ? tokenHash(token) : undefined);

/** Answer of a token check from a locked address. */
const lockedOut = (seconds: number) =>
  new HttpError(
    429,
    `too many wrong tokens from your address: sign-in is locked, try again in ${seconds} s`,
    { retryAfterSeconds: seconds },
    { 'Retry-After': String(seconds) },
  );

/**
 * In-memory sessions for one console, one per operator sign-in, at most {@link MAX_SESSIONS_PER_OPERATOR} per
 * operator and 1,000 in all (see makeRoomFor). Wrong tokens are bounded per address (see
 * ./sign-in-limiter); the defaults are CONSOLE_SIGNIN_*'s.
 */
export function createSessions(
  operators: OperatorDirectory,
  log: (line: string) => void,
  limits: { perAddress: number; global: number } = { perAddress: 5, global: 100 },
  signIn: { oidcProvider?: string } = {},
): Sessions {
  const limiter = createSignInLimiter(limits, log);
  const page = (res: http.ServerResponse, status: number, message?: string, headers: Record<string, string> = {}) =>
    sendLoginPage(res, status, message, headers, signIn.oidcProvider);
  // Bearer callers have no session; their CSRF token is fixed per server start and read from /api/session.
  const bearerCsrf = createHmac('sha256', randomBytes(32)).update('bearer-csrf').digest('base64url');
  const sessions = new Map<string, Session>();
  let allowedOrigins = new Set<string>();

  // The map's order is use: authenticate moves a session to the end, so the first of an operator is their least recently used.
  const makeRoomFor = (operator: string) => {
    const now = Date.now();
    const held = new Map<string, string[]>(); // operator → session ids, least recently used first
    for (const [id, s] of sessions) {
      if (s.expiresAt < now) sessions.delete(id);
      else if (held.has(s.operator)) held.get(s.operator)!.push(id);
      else held.set(s.operator, [id]);
    }
    const mine = held.get(operator) ?? [];
    while (mine.length >= MAX_SESSIONS_PER_OPERATOR) sessions.delete(mine.shift()!);
    if (sessions.size < MAX_SESSIONS) return;
    // Full: whoever holds the most gives up their least recently used, the newcomer first among equals, so no
    // one's sign-ins end the session of an operator holding fewer than they do.
    let [heaviest, ids] = [operator, mine];
    for (const [name, theirs] of held) if (theirs.length > ids.length) [heaviest, ids] = [name, theirs];
    if (ids[0] === undefined) return;
    sessions.delete(ids[0]);
    log(
      `ended the least recently used session of ${printable(heaviest)} (${ids.length} open) to make room: ${MAX_SESSIONS} sessions at most`,
    );
  };
  const originAllowed = (req: http.IncomingMessage): boolean => req.headers.origin === undefined || allowedOrigins.has(req.headers.origin);
  /** Opens a session; returns the cookies that carry it. */
  const open = (how: Pick<Session, 'operator' | 'tokenHash' | 'oidc'>): string[] => {
    makeRoomFor(how.operator);
    const sessionId = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    sessions.set(sessionId, { ...how, csrf, expiresAt: Date.now() + SESSION_TTL_MS });
    const maxAge = Math.floor(SESSION_TTL_MS / 1000);
    return [
      `${SESSION_COOKIE}=${sessionId}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}`,
      `${CSRF_COOKIE}=${csrf}; SameSite=Strict; Path=/; Max-Age=${maxAge}`,
    ];
  };
  /** The session's operator as the store has it now, or undefined once it no longer may sign in this way. */
  const currentOperator = async (session: Session): Promise<Operator | undefined> => {
    if (session.tokenHash) return operators.byTokenHash(session.tokenHash);
    if (!session.oidc) return undefined;
    const operator = await operators.find(session.oidc.operator);
    const fold = (email: string) => email.trim().normalize('NFC').toLowerCase();
    const sameEmail = operator?.email !== undefined && fold(operator.email) === fold(session.oidc.email);
    return operator && !operator.disabled && sameEmail ? operator : undefined;
  };

  return {
    async authenticate(req) {
      const auth = req.headers.authorization;
      if (auth?.startsWith('Bearer ')) {
        const address = addressOf(req);
        const token = auth.slice('Bearer '.length).trim();
        const credential = credentialOf(token);
        const wait = limiter.retryAfter(address, credential);
        if (wait !== undefined) throw lockedOut(wait);
        // The bearer is the operator's own token; no header can name anyone else (X-Operator is ignored).
        const operator = await operators.authenticate(token);
        if (!operator) {
          limiter.failed(address);
          return undefined;
        }
        limiter.proved(credential!);
        return { operator: operator.name, identity: identityOf(operator, 'api'), csrf: bearerCsrf };
      }
      const sessionId = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (!sessionId) return undefined;
      const session = sessions.get(sessionId);
      // Looked up on every request: a removed operator, a rotated token or a changed role takes effect at once.
      const operator = session && session.expiresAt >= Date.now() ? await currentOperator(session) : undefined;
      if (!session || !operator) {
        if (session) sessions.delete(sessionId);
        return undefined;
      }
      sessions.delete(sessionId);
      sessions.set(sessionId, session);
      return { operator: operator.name, identity: identityOf(operator, 'console'), csrf: session.csrf, sessionId };
    },

    checkPost(req, caller) {
      if (!originAllowed(req)) throw new HttpError(403, 'cross-origin request refused');
      const header = req.headers['x-csrf-token'];
      if (typeof header !== 'string' || !sameSecret(header, caller.csrf)) throw new HttpError(403, 'missing or wrong X-CSRF-Token');
    },

    async login(req, res) {
      if (!originAllowed(req)) return page(res, 403, 'Cross-origin sign-in refused.');
      const form = new URLSearchParams(await readBody(req));
      const given = (form.get('token') ?? '').trim();
      const address = addressOf(req);
      const credential = credentialOf(given);
      const wait = limiter.retryAfter(address, credential);
      if (wait !== undefined)
        return page(res, 429, `Too many wrong tokens from your address: sign-in is locked, try again in ${wait} s.`, {
          'Retry-After': String(wait),
        });
      const operator = given ? await operators.authenticate(given) : undefined;
      if (!operator) {
        limiter.failed(address);
        return page(res, 401, 'Wrong token (unknown, rotated or of a removed operator).');
      }
      limiter.succeeded(address, credential);
      const cookies = open({ operator: operator.name, tokenHash: tokenHash(given) });
      // The name is the store's (validated plain text when added); printable all the same, a log line is one line.
      log(`${printable(operator.name)} signed in (${operator.role})`);
      res.writeHead(303, { ...SECURITY_HEADERS, Location: '/', 'Set-Cookie': cookies });
      res.end();
    },

    openFor(res, operator, email) {
      const cookies = open({ operator: operator.name, oidc: { operator: operator.name, email } });
      log(`${printable(operator.name)} signed in through OIDC (${operator.role})`);
      // Not a redirect: the browser arrives here from the identity provider, a cross-site navigation, and would not
      // send the SameSite=Strict cookie on a redirect that continues it. The page's own navigation to / does.
      send(res, 200, continuePage(operator.name), 'text/html; charset=utf-8', { 'Set-Cookie': cookies });
    },

    sendSignInPage: page,
    limiter,

    logout(res, caller) {
      if (caller.sessionId) sessions.delete(caller.sessionId);
      json(
        res,
        200,
        { ok: true },
        {
          'Set-Cookie': [
            `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`,
            `${CSRF_COOKIE}=; SameSite=Strict; Path=/; Max-Age=0`,
          ],
        },
      );
    },

    allowOrigins(url, host, port) {
      const loopback = ['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(host);
      allowedOrigins = new Set([
        url,
        ...(loopback ? [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`] : []),
      ]);
    },
  };
}
