/**
 * OIDC sign-in to the console against a real OpenID Connect provider (oidc-provider, in a child process) and a
 * real stack: the sign-in page's link, the provider's redirects, the callback, and the session it opens for the
 * operator registered with the verified email, with that operator's role; refusals of unknown, removed and
 * unverified users, of forged, replayed and foreign states; the session re-checked against the store.
 */
import { findFreePort } from '../../src/tools/dev-stack/temporal-server';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { OperatorStore, operatorsDbPath } from '../../src/stores/operators/store';
import { addOperator } from '../helpers/operators';
import { CookieJar, get, startOidcProvider, walkToCallback, type TestOidcProvider } from '../helpers/oidc-provider';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { newHire } from '../processes/onboarding/helpers';

const CLIENT = { clientId: 'overture-console', clientSecret: 'test-client-secret-0123456789abcdef' };
let stack: TestStack;
let idp: TestOidcProvider;
let console_: RunningConsole;
let store: OperatorStore;
const lines: string[] = [];

beforeAll(async () => {
  const port = await findFreePort();
  idp = await startOidcProvider({
    ...CLIENT,
    redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback`,
    accounts: {
      ana: { email: 'ana@example.com', email_verified: true },
      vic: { email: 'vic@example.com', email_verified: true },
      rem: { email: 'rem@example.com', email_verified: true },
      stranger: { email: 'stranger@example.com', email_verified: true },
      unverified: { email: 'ana@example.com', email_verified: false },
    },
  });
  stack = await startTestStack(
    {
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: CLIENT.clientId,
      OIDC_CLIENT_SECRET: CLIENT.clientSecret,
      OIDC_PROVIDER_NAME: 'Example SSO',
    },
    { worker: false },
  );
  const dataDir = stack.config.OVERTURE_DATA_DIR;
  // Registered in another case than the provider spells it: emails match without case.
  addOperator(dataDir, 'ana', 'approver', 'Ana@Example.COM');
  addOperator(dataDir, 'vic', 'viewer', 'vic@example.com');
  addOperator(dataDir, 'rem', 'approver', 'rem@example.com');
  store = new OperatorStore(operatorsDbPath(dataDir));
  store.remove('rem');
  console_ = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port,
    log: (line) => lines.push(line),
  });
}, 120_000);

afterAll(async () => {
  await console_?.stop();
  store?.close();
  await stack?.stop();
  await idp?.stop();
});

/** Signs in at the provider as `account` in a fresh browser; returns the jar and the callback URL not yet visited. */
async function startSignIn(account: string) {
  await idp.signInAs(account);
  const jar = new CookieJar();
  return { jar, callbackUrl: await walkToCallback(jar, console_.url) };
}

/** A signed-in browser of `account`: the callback's answer and the session's CSRF token. */
async function signIn(account: string) {
  const { jar, callbackUrl } = await startSignIn(account);
  const answer = await get(jar, callbackUrl);
  const csrf = /overture_csrf=([^;]+)/.exec(jar.header(console_.url))?.[1];
  return { jar, answer, text: await answer.text(), csrf };
}

async function api(jar: CookieJar, method: string, path: string, csrf?: string, body?: unknown) {
  const response = await fetch(`${console_.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      Cookie: jar.header(console_.url),
      ...(csrf ? { 'X-CSRF-Token': csrf, Origin: console_.url } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined };
}

const startRun = (jar: CookieJar, csrf?: string) => api(jar, 'POST', '/api/runs', csrf, { process: 'onboarding', input: newHire() });

test('the sign-in page offers the provider beside the token form', async () => {
  const page = await (await fetch(`${console_.url}/login`)).text();
  expect(page).toContain('href="/auth/oidc/start"');
  expect(page).toContain('Sign in with Example SSO');
  expect(page).toContain('name="token"');
});

test('the start redirects to the provider with PKCE S256, state and nonce, and a Lax HttpOnly cookie for the callback', async () => {
  const response = await fetch(`${console_.url}/auth/oidc/start`, { redirect: 'manual' });
  expect(response.status).toBe(303);
  const target = new URL(response.headers.get('location')!);
  expect(target.origin).toBe(idp.issuer);
  expect(target.searchParams.get('client_id')).toBe(CLIENT.clientId);
  expect(target.searchParams.get('redirect_uri')).toBe(`${console_.url}/auth/oidc/callback`);
  expect(target.searchParams.get('code_challenge_method')).toBe('S256');
  expect(target.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(target.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(target.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(target.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
  expect(response.headers.get('set-cookie')).toMatch(
    /^overture_oidc=[A-Za-z0-9_-]+; HttpOnly; SameSite=Lax; Path=\/auth\/oidc; Max-Age=600$/,
  );
});

test('an approver signs in at the provider: the session is that operator, with its role, and may start a run', async () => {
  const { jar, answer, text, csrf } = await signIn('ana');
  expect(answer.status).toBe(200);
  expect(text).toContain('Signed in as ana');
  expect(text).toContain('http-equiv="refresh" content="0;url=/"');
  expect(csrf).toBeDefined();
  const session = await api(jar, 'GET', '/api/session');
  expect(session.status).toBe(200);
  expect(session.body).toMatchObject({ operator: 'ana', role: 'approver' });
  // The console page itself, not the sign-in page.
  const index = await get(jar, `${console_.url}/`);
  expect(index.status).toBe(200);
  expect(await index.text()).not.toContain('login-form');
  const started = await startRun(jar, csrf);
  expect(started.status).toBe(201);
  expect(lines).toContain('ana signed in through OIDC (approver)');
  expect(lines.join('\n')).not.toMatch(/ana@example\.com/i);
  // CSRF still guards POSTs of an OIDC session.
  expect((await startRun(jar)).status).toBe(403);
});

test('a viewer signs in the same way and is refused a POST (403)', async () => {
  const { jar, answer, csrf } = await signIn('vic');
  expect(answer.status).toBe(200);
  expect((await api(jar, 'GET', '/api/session')).body).toMatchObject({ operator: 'vic', role: 'viewer' });
  const refused = await startRun(jar, csrf);
  expect(refused.status).toBe(403);
  expect(String(refused.body?.error)).toContain('needs the role operator');
});

test('a provider user with no operator, a removed operator and an unverified email are refused (403), no session', async () => {
  for (const [account, message] of [
    ['stranger', 'No operator has the email address'],
    ['rem', 'was removed'],
    ['unverified', 'did not give a verified email'],
  ] as const) {
    const { jar, answer, text } = await signIn(account);
    expect(answer.status).toBe(403);
    expect(text).toContain(message);
    expect(jar.header(console_.url)).not.toContain('overture_session');
    expect((await api(jar, 'GET', '/api/session')).status).toBe(401);
  }
  const log = lines.join('\n');
  expect(log).toContain('OIDC: no operator has the verified email');
  expect(log).toContain('OIDC: operator rem is removed');
  expect(log).not.toMatch(/stranger@example\.com|rem@example\.com/);
});

test('a replayed callback, a forged state and a callback in another browser are refused', async () => {
  // Replayed: the first use works, the second is refused.
  const first = await startSignIn('ana');
  expect((await get(first.jar, first.callbackUrl)).status).toBe(200);
  const replay = await get(first.jar, first.callbackUrl);
  expect(replay.status).toBe(400);
  expect(await replay.text()).toContain('expired or was already used');

  // Forged state: refused, and the pending sign-in is spent (the genuine callback does not work afterwards).
  const forged = await startSignIn('ana');
  const bad = new URL(forged.callbackUrl);
  bad.searchParams.set('state', 'forged-state-value-0123456789');
  const refused = await get(forged.jar, bad.href);
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain('does not match');
  expect((await get(forged.jar, forged.callbackUrl)).status).toBe(400);

  // Another browser (no pending-sign-in cookie) cannot use someone's callback URL.
  const stolen = await startSignIn('ana');
  const other = await get(new CookieJar(), stolen.callbackUrl);
  expect(other.status).toBe(400);
  expect(other.headers.getSetCookie().join(';')).not.toContain('overture_session=');
});

test('the session follows the store: a role change and a removal take effect at once; logout ends it', async () => {
  const ana = await signIn('ana');
  expect((await startRun(ana.jar, ana.csrf)).status).toBe(201);
  store.setRole('ana', 'viewer');
  try {
    expect((await startRun(ana.jar, ana.csrf)).status).toBe(403);
    expect((await api(ana.jar, 'GET', '/api/session')).body).toMatchObject({ role: 'viewer' });
  } finally {
    store.setRole('ana', 'approver');
  }
  const logout = await api(ana.jar, 'POST', '/api/logout', ana.csrf);
  expect(logout.status).toBe(200);
  expect((await api(ana.jar, 'GET', '/api/session')).status).toBe(401);

  const again = await signIn('ana');
  expect((await api(again.jar, 'GET', '/api/session')).status).toBe(200);
  store.remove('ana');
  expect((await api(again.jar, 'GET', '/api/session')).status).toBe(401);
});
