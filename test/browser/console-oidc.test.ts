/**
 * OIDC sign-in in a real headless Chromium (playwright-core, the system's /usr/bin/chromium): the provider on
 * another site (localhost) than the console (127.0.0.1), as a real identity provider is, so the browser comes
 * back to the console by a cross-site navigation (from the provider's page, where the person confirms); the SameSite=Strict session must still reach the console page.
 * Screenshots: test-artifacts/console-oidc-sign-in.png, test-artifacts/console-oidc-signed-in.png.
 */
import path from 'node:path';
import { findFreePort } from '../../src/tools/dev-stack/temporal-server';
import { type Browser } from 'playwright-core';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { addOperator } from '../helpers/operators';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider';
import { startTestStack, type TestStack } from '../helpers/test-stack';

const CLIENT = { clientId: 'overture-console', clientSecret: 'browser-client-secret-0123456789' };
let stack: TestStack;
let idp: TestOidcProvider;
let console_: RunningConsole;
let browser: Browser;

beforeAll(async () => {
  const port = await findFreePort();
  idp = await startOidcProvider({
    ...CLIENT,
    issuerHost: 'localhost',
    interactive: true,
    redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback`,
    accounts: {
      ana: { email: 'ana@example.com', email_verified: true },
      stranger: { email: 'stranger@example.com', email_verified: true },
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
  addOperator(stack.config.OVERTURE_DATA_DIR, 'ana', 'approver', 'ana@example.com');
  console_ = await startOperatorConsole({ client: stack.client, config: stack.config, host: '127.0.0.1', port });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await console_?.stop();
  await stack?.stop();
  await idp?.stop();
});

test('"Sign in with Example SSO" goes to the provider and back to the console, signed in as the operator of that email', async () => {
  await idp.signInAs('ana');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${console_.url}/login`);
  expect(await page.textContent('[data-testid="login-oidc"]')).toBe('Sign in with Example SSO');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-oidc-sign-in.png') });
  await page.click('[data-testid="login-oidc"]');
  // At the provider (another site): the person confirms there, and the provider's page sends the browser back.
  await page.waitForURL((url) => url.hostname === 'localhost');
  await page.click('#continue');
  // The continue page goes on to / by itself; the console page (not the sign-in form) must load there.
  await page.waitForURL(`${console_.url}/`);
  await page.waitForLoadState('networkidle');
  expect(await page.locator('[data-testid="login-form"]').count()).toBe(0);
  const session = await page.request.get(`${console_.url}/api/session`);
  expect(session.status()).toBe(200);
  expect(await session.json()).toMatchObject({ operator: 'ana', role: 'approver' });
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-oidc-signed-in.png') });
  await page.close();
});

test('a provider user who is no operator sees the refusal on the sign-in page', async () => {
  await idp.signInAs('stranger');
  const page = await browser.newPage();
  await page.goto(`${console_.url}/login`);
  await page.click('[data-testid="login-oidc"]');
  await page.waitForURL((url) => url.hostname === 'localhost');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${console_.url}/auth/oidc/callback`)),
    page.click('#continue'),
  ]);
  expect(response.status()).toBe(403);
  expect(await page.textContent('[data-testid="login-error"]')).toContain('No operator has the email address');
  expect((await page.request.get(`${console_.url}/api/session`)).status()).toBe(401);
  await page.close();
});
