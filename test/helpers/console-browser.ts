/**
 * A console page test's setup: a real stack (Temporal dev server, worker), the real console on it, an operator of the
 * role asked for, and a real headless Chromium signed in with that operator's token. It records the page's errors and
 * every CSP refusal (the console's libraries must run without eval or inline style), for the test to assert none.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchBrowser } from './browser';
import { addOperator, type TestOperator } from './operators';
import { fastOptions, startTestStack, type TestStack } from './test-stack';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import type { OperatorRole } from '../../workflows/kit/types';

export interface ConsoleInBrowser {
  stack: TestStack;
  console: RunningConsole;
  browser: Browser;
  page: Page;
  operator: TestOperator;
  /** Uncaught errors in the page, and console messages that report a CSP refusal. */
  problems: string[];
  /** Opens a page of the console (`#/kpis`) and waits for the header. */
  open(fragment: string): Promise<void>;
  /** Saves a full-page screenshot as test-artifacts/<name>.png. */
  screenshot(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** `[data-testid="…"]` */
export const byTestId = (id: string): string => `[data-testid="${id}"]`;

/**
 * A page of its own (its own cookies) signed in as the operator through the token link; page errors and CSP refusals
 * go to `problems`.
 */
export async function signedInPage(browser: Browser, url: string, operator: TestOperator, problems: string[] = []): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  await page.goto(`${url}/login#token=${operator.token}`);
  await Promise.all([page.waitForURL(`${url}/`), page.click(byTestId('login-submit'))]);
  await page.waitForSelector(`${byTestId('operator-name')}:text-is("${operator.name}")`);
  return page;
}

/** Starts the stack and the console, signs an operator of `role` in, and returns the page. */
export async function consoleInBrowser(role: OperatorRole, env: Record<string, string> = {}): Promise<ConsoleInBrowser> {
  const stack = await startTestStack(env);
  const operator = addOperator(stack.config.OVERTURE_DATA_DIR, `ops.${role}`, role);
  const running = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port: 0,
    startOptions: { tuneOptions: fastOptions() },
  });
  const browser = await launchBrowser();
  const problems: string[] = [];
  const page = await signedInPage(browser, running.url, operator, problems);
  return {
    stack,
    console: running,
    browser,
    page,
    operator,
    problems,
    async open(fragment) {
      await page.goto(`${running.url}/${fragment}`);
      await page.waitForSelector(`${byTestId('operator-name')}:text-is("${operator.name}")`);
    },
    async screenshot(name) {
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async stop() {
      await browser.close();
      await running.stop();
      await stack.stop();
    },
  };
}
