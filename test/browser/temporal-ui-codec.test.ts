/**
 * The Temporal UI (a real dev server's, UI 2.42) shows a run's decrypted input through the console's codec
 * endpoint to an operator signed in to the console, and only to them. Headless Chromium (playwright-core, the
 * system's /usr/bin/chromium, as test/browser/console.test.ts). The UI and the console are both opened on
 * 127.0.0.1 (same site), so the console's SameSite=Strict session cookie goes with the UI's codec requests.
 * Screenshots go to test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext } from 'playwright-core';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';

import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { uiCodecEndpoint } from '../../src/apps/console/codec-endpoint';
import { findFreePort, startTemporalDevServer, type DevServer } from '../../src/tools/dev-stack/temporal-server';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { addOperator, type TestOperator } from '../helpers/operators';
import type { NewHire } from '../../workflows/onboarding/types';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(180_000);

let server: DevServer;
let stack: TestStack;
let operatorConsole: RunningConsole;
let browser: Browser;
let viewer: TestOperator;
let hire: NewHire;
let workflowId: string;
let codecEndpoint: string;

beforeAll(async () => {
  const binary = process.env.OVERTURE_TEST_TEMPORAL_BINARY;
  if (!binary) throw new Error('OVERTURE_TEST_TEMPORAL_BINARY is not set: run the tests with jest (globalSetup provisions Temporal)');
  // The console's port is chosen first: the UI is told its codec endpoint when it starts, as `npm start` does.
  const [consolePort, temporalPort, uiPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const env = { TEMPORAL_UI_PORT: String(uiPort), CONSOLE_PORT: String(consolePort) };
  codecEndpoint = uiCodecEndpoint({ CONSOLE_HOST: '127.0.0.1', CONSOLE_PORT: consolePort } as Parameters<typeof uiCodecEndpoint>[0]);
  server = await startTemporalDevServer({
    binary,
    port: temporalPort,
    uiPort,
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
    uiCodecEndpoint: codecEndpoint,
  });
  stack = await startTestStack({ ...env, TEMPORAL_ADDRESS: server.address });
  viewer = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.ui-viewer', 'viewer');
  operatorConsole = await startOperatorConsole({ client: stack.client, config: stack.config, host: '127.0.0.1', port: consolePort });
  hire = newHire();
  const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
  workflowId = started.workflowId;
  await started.handle.result();
  browser = await launchBrowser();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await operatorConsole?.stop();
  await stack?.stop();
  await server?.stop();
});

/**
 * A browser profile whose Temporal UI sends cross-origin credentials to the codec endpoint: UI 2.42 takes that
 * from its server config (which `temporal server start-dev` leaves off) or from the browser's own codec setting
 * ("Use my browser setting", endpoint, "Include cross-origin credentials"), which lives in the UI origin's
 * localStorage. An operator sets it once in the UI's codec dialog; the test writes the same keys.
 */
async function uiProfile(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const settings = { overrideRemoteCodecConfiguration: true, endpoint: codecEndpoint, includeCredentials: true, passAccessToken: false };
  // A script as text: it runs in the page, where this file's (Node) types do not apply.
  await context.addInitScript({
    content: `if (location.origin === ${JSON.stringify(new URL(server.uiUrl!).origin)}) {
      for (const [key, value] of Object.entries(${JSON.stringify(settings)})) localStorage.setItem(key, JSON.stringify(value));
    }`,
  });
  return context;
}

const workflowPage = () => `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`;

it('points the UI at the console codec endpoint on the same host name as the UI', () => {
  expect(new URL(codecEndpoint).hostname).toBe(new URL(server.uiUrl!).hostname);
  expect(codecEndpoint).toBe(`${operatorConsole.url}/codec`);
});

it('shows the decrypted hire email in the run input to an operator signed in to the console', async () => {
  const context = await uiProfile();
  const page = await context.newPage();
  const codecCalls: number[] = [];
  page.on('response', (r) => {
    if (r.url().startsWith(codecEndpoint) && r.request().method() === 'POST') codecCalls.push(r.status());
  });
  await page.goto(`${operatorConsole.url}/login`);
  await page.fill('[data-testid="login-token"]', viewer.token);
  await Promise.all([page.waitForURL(`${operatorConsole.url}/`), page.click('[data-testid="login-submit"]')]);

  await page.goto(workflowPage());
  await page.waitForSelector(`text=${hire.email}`, { timeout: 45_000 });
  expect(codecCalls.length).toBeGreaterThan(0);
  expect(codecCalls.every((s) => s === 200)).toBe(true);
  await page.screenshot({ path: path.join(ARTIFACTS, 'temporal-ui-decrypted.png'), fullPage: true });
  expect(fs.existsSync(path.join(ARTIFACTS, 'temporal-ui-decrypted.png'))).toBe(true);
  await context.close();
});

it('does not show it without a console sign-in: the codec endpoint answers 401', async () => {
  const context = await uiProfile();
  const page = await context.newPage();
  const codecCalls: number[] = [];
  page.on('response', (r) => {
    if (r.url().startsWith(codecEndpoint) && r.request().method() === 'POST') codecCalls.push(r.status());
  });
  await page.goto(workflowPage());
  // The page is there (the run's id shows), and the UI did ask the codec endpoint...
  await page.waitForSelector(`text=${workflowId}`, { timeout: 45_000 });
  const deadline = Date.now() + 30_000;
  while (codecCalls.length === 0 && Date.now() < deadline) await page.waitForTimeout(250);
  await page.waitForTimeout(2_000);
  expect(codecCalls.length).toBeGreaterThan(0);
  expect(codecCalls.every((s) => s === 401)).toBe(true);
  // ...but nothing decrypted reaches the page.
  const html = await page.content();
  expect(html).not.toContain(hire.email);
  expect(html).not.toContain(hire.fullName);
  await page.screenshot({ path: path.join(ARTIFACTS, 'temporal-ui-not-signed-in.png'), fullPage: true });
  await context.close();
});
