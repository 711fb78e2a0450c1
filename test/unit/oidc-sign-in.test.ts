/**
 * The OIDC callback's checks of the ID token, against a hand-made provider over real HTTP whose token endpoint
 * answers with ID tokens this test signs (jose): a good one signs in; a wrong audience, issuer or nonce, an expired
 * one, a tampered one, one signed by a key not in the JWKS or with HS256, and an unverified email are refused.
 * Also: PKCE (the verifier sent matches the challenge) and the client's authentication at the token endpoint.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { createSessions } from '../../src/apps/console/session';
import { createOidcSignIn } from '../../src/apps/console/oidc-sign-in';
import { OperatorStore } from '../../src/stores/operators/store';

const CLIENT_ID = 'overture-console';
const CLIENT_SECRET = 'unit-client-secret-0123456789abcdef';

interface Keys {
  rsa: CryptoKey;
  ec: CryptoKey;
  stranger: CryptoKey;
  ps: CryptoKey;
}
let keys: Keys;
let issuer: string;
let consoleUrl: string;
let idp: http.Server;
let console_: http.Server;
let store: OperatorStore;
let dir: string;
const lines: string[] = [];
/** What the next token request answers with, given the nonce of the authorization request. */
let nextIdToken: () => Promise<string>;
let lastTokenRequest: { body: URLSearchParams; authorization?: string } | undefined;

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const ps = await generateKeyPair('PS256', { extractable: true });
  keys = { rsa: rsa.privateKey, ec: ec.privateKey, stranger: stranger.privateKey, ps: ps.privateKey };
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(ps.publicKey)), kid: 'ps', alg: 'PS256', use: 'sig' },
    ],
  };

  idp = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (value: unknown) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
      if (req.url === '/.well-known/openid-configuration') {
        return reply({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256', 'ES256', 'PS256', 'HS256'],
          code_challenge_methods_supported: ['S256'],
        });
      }
      if (req.url === '/jwks') return reply(jwks);
      if (req.url === '/token' && req.method === 'POST') {
        lastTokenRequest = { body: new URLSearchParams(Buffer.concat(chunks).toString()), authorization: req.headers.authorization };
        void nextIdToken().then((idToken) => reply({ access_token: 'at', token_type: 'Bearer', expires_in: 60, id_token: idToken }));
        return;
      }
      res.writeHead(404).end();
    });
  });
  issuer = await listen(idp);

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oidc-unit-'));
  store = new OperatorStore(path.join(dir, 'operators.db'));
  store.add({ name: 'ana', role: 'approver', email: 'ana@example.com' });
  const log = (line: string) => lines.push(line);
  // Generous limits: this file makes many refused sign-ins from one address on purpose.
  const sessions = createSessions(store, log, { perAddress: 1_000, global: 1_000 }, { oidcProvider: 'Unit IdP' });
  const oidc = createOidcSignIn({
    settings: { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: 'openid email', providerName: 'Unit IdP' },
    operators: store,
    sessions,
    log,
  });
  console_ = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    oidc.handle(req, res, url).then(
      (handled) => (handled ? undefined : res.writeHead(404).end()),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  consoleUrl = await listen(console_);
  oidc.setConsoleUrl(consoleUrl);
});

afterAll(async () => {
  await new Promise((resolve) => console_?.close(resolve));
  await new Promise((resolve) => idp?.close(resolve));
  store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Signing {
  claims?: JWTPayload;
  key?: CryptoKey | Uint8Array;
  alg?: string;
  kid?: string;
  /** Changes the signed token before it is sent (e.g. swaps its payload). */
  tamper?: (jwt: string) => string;
}

/** One sign-in: start, the provider's answer as `signing` makes it, the callback; the callback's status and page. */
async function attempt(signing: Signing = {}) {
  const start = await fetch(`${consoleUrl}/auth/oidc/start`, { redirect: 'manual' });
  const target = new URL(start.headers.get('location')!);
  const cookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
  const nonce = target.searchParams.get('nonce')!;
  nextIdToken = async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: issuer,
      aud: CLIENT_ID,
      sub: 'ana-at-idp',
      email: 'ana@example.com',
      email_verified: true,
      nonce,
      iat: now,
      exp: now + 300,
      ...signing.claims,
    };
    const alg = signing.alg ?? 'RS256';
    const jwt = await new SignJWT(payload)
      .setProtectedHeader({ alg, kid: signing.kid ?? (alg === 'ES256' ? 'ec' : 'rsa') })
      .sign(signing.key ?? keys.rsa);
    return signing.tamper ? signing.tamper(jwt) : jwt;
  };
  const callback = `${consoleUrl}/auth/oidc/callback?code=the-code&state=${target.searchParams.get('state')}`;
  const answer = await fetch(callback, { redirect: 'manual', headers: { Cookie: cookie } });
  return { status: answer.status, text: await answer.text(), setCookies: answer.headers.getSetCookie(), target };
}

test('a well-signed ID token (RS256 or ES256) with the right claims signs the operator in; PKCE and client auth are sent', async () => {
  const ok = await attempt();
  expect(ok.status).toBe(200);
  expect(ok.text).toContain('Signed in as ana');
  expect(ok.setCookies.join(';')).toContain('overture_session=');
  // PKCE: the verifier sent to the token endpoint hashes to the challenge of the authorization request.
  const verifier = lastTokenRequest!.body.get('code_verifier')!;
  expect(crypto.createHash('sha256').update(verifier).digest('base64url')).toBe(ok.target.searchParams.get('code_challenge'));
  expect(lastTokenRequest!.body.get('redirect_uri')).toBe(`${consoleUrl}/auth/oidc/callback`);
  // client_secret_basic: id and secret form-encoded (RFC 6749 2.3.1), then base64.
  const basic = Buffer.from(lastTokenRequest!.authorization!.replace(/^Basic /, ''), 'base64')
    .toString()
    .split(':')
    .map(decodeURIComponent);
  expect(basic).toEqual([CLIENT_ID, CLIENT_SECRET]);
  expect((await attempt({ alg: 'ES256', key: keys.ec })).status).toBe(200);
});

// Functions: the keys exist only once beforeAll has run.
test.each<[string, () => Signing, RegExp]>([
  ['another audience', () => ({ claims: { aud: 'someone-else' } }), /"aud" \(audience\)/],
  ['another issuer', () => ({ claims: { iss: 'https://evil.example' } }), /"iss" \(issuer\)/],
  ['another nonce', () => ({ claims: { nonce: 'not-the-one-sent' } }), /"nonce" claim/],
  [
    'an expired token',
    () => ({ claims: { iat: Math.floor(Date.now() / 1000) - 7_200, exp: Math.floor(Date.now() / 1000) - 3_600 } }),
    /"exp" \(expiration time\)/,
  ],
  ['a key not in the JWKS (same kid)', () => ({ key: keys.stranger, kid: 'rsa' }), /signature verification failed/],
  [
    'HS256 with the client secret',
    () => ({ alg: 'HS256', key: new TextEncoder().encode(CLIENT_SECRET), kid: 'hs' }),
    /unsupported JWS algorithm/,
  ],
  [
    'a tampered payload (another email, same signature)',
    () => ({
      tamper: (jwt: string) => {
        const [header, payload, signature] = jwt.split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as JWTPayload;
        return [
          header,
          Buffer.from(JSON.stringify({ ...claims, email: 'someone.else@example.com' })).toString('base64url'),
          signature,
        ].join('.');
      },
    }),
    /signature verification failed/,
  ],
])('an ID token with %s is refused (401), no session', async (_what, signing, reason) => {
  const refused = await attempt(signing());
  expect(refused.status).toBe(401);
  expect(refused.text).toContain('did not verify');
  // Refused for the reason under test: the log line names the failed check.
  expect(lines.at(-1)).toMatch(reason);
  expect(refused.setCookies.join(';')).not.toContain('overture_session=');
});

test('a valid signature with an algorithm other than RS256 or ES256 (PS256, in the JWKS) is refused', async () => {
  const refused = await attempt({ alg: 'PS256', key: keys.ps, kid: 'ps' });
  expect(refused.status).toBe(401);
  expect(refused.text).toContain('not signed with RS256 or ES256');
  expect(lines.at(-1)).toContain('ID token signed with PS256');
});

test('an email two operators share names neither (403); matching ignores case', async () => {
  store.add({ name: 'bo.one', role: 'admin', email: 'bo@example.com' });
  store.add({ name: 'bo.two', role: 'viewer', email: 'BO@example.com' });
  expect(store.byEmail('Bo@Example.com').map((o) => o.name)).toEqual(['bo.one', 'bo.two']);
  const refused = await attempt({ claims: { email: 'bo@example.com' } });
  expect(refused.status).toBe(403);
  expect(refused.text).toContain('Several operators have this email address');
  expect(lines.at(-1)).toContain('its email belongs to several operators (bo.one, bo.two)');
  store.remove('bo.two');
  const one = await attempt({ claims: { email: 'bo@example.com' } });
  expect(one.status).toBe(200);
  expect(one.text).toContain('Signed in as bo.one');
});

test('an unverified or missing email is refused (403); the log names no email', async () => {
  for (const claims of [{ email_verified: false }, { email: undefined }, { email_verified: 'true' as unknown as boolean }]) {
    const refused = await attempt({ claims });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('did not give a verified email');
  }
  expect(lines.some((l) => l.includes('OIDC: the ID token has no verified email'))).toBe(true);
  expect(lines.join('\n')).not.toMatch(/@example\.com/);
});
