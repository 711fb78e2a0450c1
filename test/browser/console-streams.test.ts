/**
 * A console page whose live stream is replaced by the same operator's newer ones (other tabs, a script) says so
 * and stops, in a real headless Chromium: it does not reconnect and take the place back, which would end the
 * newer streams in turn, a tug of war every two seconds.
 */
import { type Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { addOperator } from '../helpers/operators';
import { openStream } from '../helpers/console-client';

jest.setTimeout(120_000);

let stack: TestStack;
let operatorConsole: RunningConsole;
let browser: Browser;
let token: string;

beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
  token = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.tabs', 'viewer').token;
  operatorConsole = await startOperatorConsole({
    client: stack.client,
    config: { ...stack.config, CONSOLE_MAX_STREAMS_PER_OPERATOR: 2 },
    host: '127.0.0.1',
    port: 0,
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await operatorConsole?.stop();
  await stack?.stop();
});

const byTestId = (id: string) => `[data-testid="${id}"]`;

it("stops a page's stream replaced by the same operator's newer ones, with a note, and leaves the newer ones be", async () => {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const base = operatorConsole.url;
  await page.goto(`${base}/login#token=${token}`);
  await Promise.all([page.waitForURL(`${base}/`), page.click(byTestId('login-submit'))]);
  await page.waitForSelector(`${byTestId('counter-total')}:text-matches("^[0-9]+$")`);

  // Two more streams of ops.tabs (its limit): the page's, the oldest, is replaced.
  const newer = [
    await openStream(base, { Authorization: `Bearer ${token}` }),
    await openStream(base, { Authorization: `Bearer ${token}` }),
  ];
  try {
    expect(newer.map((s) => s.status)).toEqual([200, 200]);
    const note = await page.waitForSelector(byTestId('stream-note'));
    expect(await note.textContent()).toBe(
      'Closed: you opened more than 2 live streams (other tabs?); this was your oldest. Reload to watch live again.',
    );
    // Past the page's reconnection delay (2 s) twice over: it has not come back to replace them.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(newer.map((s) => s.ended())).toEqual([false, false]);
    expect(newer.map((s) => s.frames('replaced'))).toEqual([0, 0]);
    expect(pageErrors).toEqual([]);
  } finally {
    for (const s of newer) s.close();
    await page.close();
  }
});
