/**
 * OIDC sign-in to the console, for teams with an identity provider (beside personal tokens, ./session).
 *
 * `GET /auth/oidc/start` sends the browser to the provider (authorization code flow with PKCE S256, `state` and
 * `nonce`); `GET /auth/oidc/callback` takes the code back, exchanges it, and verifies the ID token: its signature
 * against the provider's JWKS (RS256 or ES256 only), `iss`, `aud`, `exp` and `nonce`, then requires a verified
 * `email`. That email names the operator (`overture operators add NAME --role ROLE --email ADDR`), whose role
 * applies; unknown or removed → 403. The protocol is openid-client's (discovery, PKCE, token request, ID token
 * checks); this module keeps the pending sign-ins and maps the result to an operator.
 *
 * A pending sign-in lives here (10 minutes, at most {@link MAX_PENDING}), found by a random id in an HttpOnly
 * cookie scoped to /auth/oidc (SameSite=Lax: it must come back with the provider's redirect). The callback
 * takes it out before anything else: each state works once, only in the browser that started it.
 */
import type http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Operator } from '../../stores/operators/store';
import { printable } from '../../../workflows/kit/safe-text';
import { SECURITY_HEADERS } from './http-helpers';
import { OIDC_CALLBACK_PATH, type OidcSettings } from './oidc-settings';
import type { Sessions } from './session';

const PENDING_COOKIE = 'overture_oidc';
const PENDING_TTL_MS = 10 * 60_000;
/** Pending sign-ins kept at once: the oldest are dropped past this (the start URL needs no credential). */
const MAX_PENDING = 1_000;
const ALLOWED_ALGS = new Set(['RS256', 'ES256']);
const IDP_TIMEOUT_SECONDS = 10;

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  expiresAt: number;
}

/** Where OIDC sign-in finds operators by their verified email (the operator store). */
export interface OperatorsByEmail {
  byEmail(email: string): Operator[] | Promise<Operator[]>;
}

export interface OidcSignInOptions {
  settings: OidcSettings;
  operators: OperatorsByEmail;
  sessions: Sessions;
  log: (line: string) => void;
}

/** OIDC sign-in's two routes; see the module's comment. */
export interface OidcSignIn {
  /** Answers `GET /auth/oidc/start` and `GET /auth/oidc/callback`; false for any other path. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean>;
  /** Once the server listens: its URL, the base of the default redirect URI. */
  setConsoleUrl(url: string): void;
}

/** A refused sign-in: the page says `message` (no personal data), the log says `why`. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly why: string,
    /** Counted against the address by the sign-in limiter (a forged callback is; a cancelled sign-in is not). */
    readonly counts = true,
  ) {
    super(message);
  }
}

function cookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The `alg` of a compact JWS's header, or undefined when it cannot be read. */
function jwsAlg(jws: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' ? header.alg : undefined;
  } catch {
    return undefined;
  }
}

/** An error's message, with its cause's (openid-client wraps oauth4webapi's, which names the claim or check). */
function whatFailed(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error && err.cause.message !== err.message ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}

/** The operator of a verified email: exactly one enabled operator has it, else a refusal naming no one but operators. */
export async function operatorForEmail(operators: OperatorsByEmail, email: string): Promise<Operator> {
  const matches = await operators.byEmail(email);
  const enabled = matches.filter((o) => !o.disabled);
  if (enabled.length === 1) return enabled[0]!;
  const ask = 'Ask an administrator to register you: overture operators add NAME --role ROLE --email <your address>.';
  if (enabled.length > 1) {
    throw new Refusal(
      403,
      'Several operators have this email address, so it names none of them. Ask an administrator to fix the operators.',
      `its email belongs to several operators (${enabled.map((o) => printable(o.name)).join(', ')})`,
    );
  }
  if (matches.length)
    throw new Refusal(403, `The operator of this email address was removed. ${ask}`, `operator ${printable(matches[0]!.name)} is removed`);
  throw new Refusal(403, `No operator has the email address your identity provider verified. ${ask}`, 'no operator has the verified email');
}

/** The OIDC sign-in of one console; the provider's metadata is fetched at the first sign-in (and again after a failure). */
export function createOidcSignIn(opts: OidcSignInOptions): OidcSignIn {
  const { settings, operators, sessions, log } = opts;
  const pending = new Map<string, Pending>();
  let consoleUrl = '';
  let discovered: Promise<oidc.Configuration> | undefined;
  const redirectUri = () => settings.redirectUri ?? `${consoleUrl}${OIDC_CALLBACK_PATH}`;
  const secureCookie = () => (redirectUri().startsWith('https:') ? '; Secure' : '');

  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(new URL(settings.issuer), settings.clientId, undefined, oidc.ClientSecretBasic(settings.clientSecret), {
        timeout: IDP_TIMEOUT_SECONDS,
        // The ID token's signature is checked against the provider's JWKS too, not only trusted for coming over TLS.
        execute: [oidc.enableNonRepudiationChecks, ...(settings.issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [])],
      })
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  };

  const prune = () => {
    const now = Date.now();
    for (const [id, p] of pending) if (p.expiresAt < now) pending.delete(id);
    while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
  };

  const provider = () =>
    configuration().catch((err: unknown) => {
      throw new Refusal(
        502,
        'The identity provider cannot be reached now. Try again later, or sign in with your operator token.',
        `discovery failed: ${err instanceof Error ? err.message : String(err)}`,
        false,
      );
    });

  const start = async (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const config = await provider();
    prune();
    const id = randomBytes(32).toString('base64url');
    const flow: Pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      expiresAt: Date.now() + PENDING_TTL_MS,
    };
    pending.set(id, flow);
    const target = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(),
      scope: settings.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    res.writeHead(303, {
      ...SECURITY_HEADERS,
      Location: target.href,
      'Set-Cookie': `${PENDING_COOKIE}=${id}; HttpOnly; SameSite=Lax; Path=/auth/oidc; Max-Age=${PENDING_TTL_MS / 1000}${secureCookie()}`,
    });
    res.end();
  };

  /** The operator the callback signs in (see the module's comment); throws a Refusal. */
  const verify = async (req: http.IncomingMessage, url: URL): Promise<{ operator: Operator; email: string }> => {
    const id = cookie(req, PENDING_COOKIE);
    const flow = id ? pending.get(id) : undefined;
    if (id) pending.delete(id);
    const state = url.searchParams.get('state') ?? '';
    if (!flow || flow.expiresAt < Date.now())
      throw new Refusal(
        400,
        'This sign-in has expired or was already used. Start again.',
        'no pending sign-in for this callback (unknown, used or expired)',
      );
    if (!sameText(state, flow.state))
      throw new Refusal(
        400,
        'This sign-in does not match the one started in this browser. Start again.',
        'the state does not match the pending sign-in',
      );
    const error = url.searchParams.get('error');
    if (error)
      throw new Refusal(
        401,
        `The identity provider did not sign you in (${printable(error.slice(0, 60))}).`,
        `the identity provider answered ${printable(error.slice(0, 60))}`,
        false,
      );
    const config = await provider();
    const current = new URL(redirectUri());
    current.search = url.search;
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      // The library's messages (and their causes') name the check that failed (audience, signature, nonce...), never the token.
      throw new Refusal(
        401,
        "The identity provider's answer did not verify. Start again, or sign in with your operator token.",
        `the ID token or code exchange did not verify: ${whatFailed(err)}`,
      );
    }
    const alg = tokens.id_token ? jwsAlg(tokens.id_token) : undefined;
    if (!alg || !ALLOWED_ALGS.has(alg))
      throw new Refusal(
        401,
        "The identity provider's ID token is not signed with RS256 or ES256.",
        `ID token signed with ${printable(String(alg))}`,
      );
    const claims = tokens.claims();
    const email = typeof claims?.email === 'string' ? claims.email.trim() : '';
    if (!email || claims?.email_verified !== true) {
      throw new Refusal(
        403,
        'Your identity provider did not give a verified email address, which is how the console finds your operator.',
        'the ID token has no verified email',
      );
    }
    return { operator: await operatorForEmail(operators, email), email };
  };

  const callback = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const { operator, email } = await verify(req, url);
    sessions.limiter.succeeded(req.socket.remoteAddress ?? 'unknown');
    sessions.openFor(res, operator, email);
  };

  return {
    async handle(req, res, url) {
      const route = url.pathname === '/auth/oidc/start' ? start : url.pathname === OIDC_CALLBACK_PATH ? callback : undefined;
      if (!route) return false;
      if (req.method !== 'GET') {
        sessions.sendSignInPage(res, 405, 'Method not allowed.', { Allow: 'GET' });
        return true;
      }
      const address = req.socket.remoteAddress ?? 'unknown';
      const wait = sessions.limiter.retryAfter(address);
      if (wait !== undefined) {
        sessions.sendSignInPage(res, 429, `Too many refused sign-ins: sign-in is locked, try again in ${wait} s.`, {
          'Retry-After': String(wait),
        });
        return true;
      }
      try {
        await route(req, res, url);
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        const why = `OIDC: ${printable(err.why.slice(0, 300))}`;
        if (err.counts) sessions.limiter.failed(address, undefined, why);
        else log(`refused a sign-in from ${printable(address)}: ${why}`);
        sessions.sendSignInPage(res, err.status, err.message, {
          'Set-Cookie': `${PENDING_COOKIE}=; HttpOnly; SameSite=Lax; Path=/auth/oidc; Max-Age=0${secureCookie()}`,
        });
      }
      return true;
    },

    setConsoleUrl(url) {
      consoleUrl = url;
    },
  };
}
