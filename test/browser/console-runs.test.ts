/**
 * The console's runs list, run page and inbox in a real headless Chromium, against a real stack: the list searches on
 * the server (by id prefix, a page at a time), shows durations and counters, folds a financial close's child runs
 * under it and unfolds them; the run page states each step's dependencies in text, shows the timeline and what the run
 * waits for; the inbox previews a bulk retry (the runs it will change) before it is confirmed. Every control has an
 * accessible name, focus is visible, the page has landmarks. Screenshots go to test-artifacts/.
 */
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { startProcess } from '../../src/client';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { addOperator } from '../helpers/operators';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';
import { periodOfItsOwn } from '../helpers/periods';

jest.setTimeout(180_000);

let stack: TestStack;
let operatorConsole: RunningConsole;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** A prefix of this file's own onboarding ids (other files' runs may share the dev server). */
const PREFIX = `FE${Date.now().toString(36).toUpperCase()}`;
const onboardings = [1, 2, 3].map((n) => `onboarding-${PREFIX}${n}`);
const period = periodOfItsOwn();
const close = `financial-close-${period}`;

beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com' });
  const token = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.lists', 'operator').token;
  operatorConsole = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port: 0,
    startOptions: { tuneOptions: fastOptions() },
  });
  // Three onboardings that complete, and a financial close whose entity reconciliations are child runs.
  await Promise.all(
    [1, 2, 3].map((n) =>
      startOnboarding(stack.client, stack.config, newHire({ employeeId: `${PREFIX}${n}` }), { tuneOptions: fastOptions() }),
    ),
  );
  await startProcess(
    stack.client,
    stack.config,
    'financial-close',
    { period, entities: ['acme-us', 'acme-uk', 'acme-de'], controllerEmail: 'controller@example.com' },
    { tuneOptions: fastOptions() },
  );
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${operatorConsole.url}/login#token=${token}`);
  await Promise.all([page.waitForURL(`${operatorConsole.url}/`), page.click(byTestId('login-submit'))]);
  await page.waitForSelector(`${byTestId('operator-name')}:text-is("ops.lists")`);
});

afterAll(async () => {
  await browser?.close();
  await operatorConsole?.stop();
  await stack?.stop();
});

const byTestId = (id: string) => `[data-testid="${id}"]`;

/** Data attribute `name` of every element the selector matches, in page order. */
async function attributes(p: Page, selector: string, name: string): Promise<(string | null)[]> {
  return Promise.all((await p.$$(selector)).map((el) => el.getAttribute(name)));
}

/**
 * The controls in the page's main region that have no accessible name, from the browser's accessibility tree (its
 * ARIA snapshot lists each as `- role "name"`, or `- role` with no name).
 */
async function unnamedControls(p: Page): Promise<string[]> {
  const snapshot = await p.locator('main').ariaSnapshot();
  return snapshot
    .split('\n')
    .filter((line) => /^\s*- (textbox|searchbox|combobox|checkbox|spinbutton|button|listbox)(\s*\[[^\]]*\])*:?\s*$/.test(line));
}

/** What has keyboard focus: its test id, text, id and outline style (string expressions: the console's CSP forbids page eval only). */
const focused = {
  testId: () => page.locator(':focus').getAttribute('data-testid'),
  text: () => page.locator(':focus').textContent(),
  id: () => page.locator(':focus').getAttribute('id'),
  outline: () => page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle'),
};
it('searches runs on the server a page at a time, with durations and counters, and unfolds a parent run', async () => {
  for (const id of onboardings) await statusWhen(stack, id, (s) => s.state === 'completed', `${id} completed`);
  await page.goto(`${operatorConsole.url}/#/?q=onboarding-${PREFIX}&pageSize=2`);
  const rows = `${byTestId('runs-body')} ${byTestId('run-row')}`;
  // Two of the three on the first page, the third on the next; Previous goes back to the first.
  await page.waitForSelector(`${rows} >> nth=1`, { timeout: 30_000 });
  const first = await attributes(page, rows, 'data-run');
  expect(first).toHaveLength(2);
  await expect(page.inputValue(byTestId('runs-q'))).resolves.toBe(`onboarding-${PREFIX}`);
  await page.click(byTestId('runs-next'));
  const [last] = onboardings.filter((id) => !first.includes(id));
  await page.waitForSelector(`${rows}[data-run="${last}"]`);
  expect(await page.$$(rows)).toHaveLength(1);
  expect(await page.isDisabled(byTestId('runs-next'))).toBe(true);
  await page.click(byTestId('runs-previous'));
  await page.waitForSelector(`${rows}[data-run="${first[0]}"]`);
  expect(await attributes(page, rows, 'data-run')).toEqual(first);
  // Each run's duration, and counters over the same search (from visibility counts, not from the page).
  await expect(page.textContent(`${rows}[data-run="${first[0]}"] ${byTestId('run-duration')}`)).resolves.toMatch(/^\d+(\.\d)? (ms|s)$/);
  await page.waitForSelector(`${byTestId('runs-counter-completed')}:text-is("3")`);

  // A search typed into the labelled form: the close, its entity reconciliations folded under it.
  await page.getByLabel('Run id starts with', { exact: true }).fill(close);
  await page.getByLabel('Runs per page', { exact: true }).selectOption('50');
  await page.click(byTestId('runs-search-submit'));
  const closeRow = `${rows}[data-run="${close}"]`;
  await page.waitForSelector(closeRow, { timeout: 30_000 });
  expect(await page.$$(rows)).toHaveLength(1); // the children are not listed as runs of their own
  const toggle = `${closeRow} ${byTestId('run-children-toggle')}`;
  await page.waitForSelector(`${toggle}:has-text("Show 3 child runs")`, { timeout: 30_000 });
  await page.click(toggle);
  await expect(page.getAttribute(toggle, 'aria-expanded')).resolves.toBe('true');
  const children = `${byTestId('run-child-row')}[data-parent="${close}"]`;
  await page.waitForSelector(`${children}[data-run="${close}/reconcileEntities/acme-uk"]`);
  expect((await attributes(page, children, 'data-run')).sort()).toEqual(
    ['acme-de', 'acme-uk', 'acme-us'].map((e) => `${close}/reconcileEntities/${e}`),
  );
  expect(await unnamedControls(page)).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-runs-search.png'), fullPage: true });
  expect(pageErrors).toEqual([]);
});

it("shows under a search only that search's runs, even when an earlier search answers after it", async () => {
  // The unfiltered list's answer is held back until the new search has been answered and shown, then let through.
  const unfiltered = (url: string) => {
    const u = new URL(url);
    return u.pathname === '/api/runs' && !u.searchParams.has('q');
  };
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const matcher = (url: URL) => unfiltered(url.href);
  await page.route(matcher, async (route) => {
    await held;
    await route.continue();
  });
  try {
    const asked = page.waitForRequest((r) => unfiltered(r.url()));
    await page.goto(`${operatorConsole.url}/#/`);
    await asked;
    await page.goto(`${operatorConsole.url}/#/?q=onboarding-${PREFIX}&pageSize=2`);
    const rows = `${byTestId('runs-body')} ${byTestId('run-row')}`;
    await page.waitForSelector(`${rows} >> nth=1`, { timeout: 30_000 });
    const answeredLate = page.waitForResponse((r) => unfiltered(r.url()));
    release();
    await (await answeredLate).finished();
    await page.waitForTimeout(300); // the page's handling of the late answer, had it kept it
    const shown = await attributes(page, rows, 'data-run');
    expect(shown).toHaveLength(2);
    expect(shown.every((id) => id?.startsWith(`onboarding-${PREFIX}`))).toBe(true);
  } finally {
    release();
    await page.unroute(matcher);
  }
  expect(pageErrors).toEqual([]);
});

it("states a run's dependencies in text, shows its timeline and what it waits for, with landmarks and visible focus", async () => {
  await page.goto(`${operatorConsole.url}/#/runs/${encodeURIComponent(close)}`);
  await page.waitForSelector(`${byTestId('process-graph')}[data-process="financial-close"]`, { timeout: 30_000 });
  const needs = (step: string) => page.textContent(`${byTestId('run-step-row')}[data-step="${step}"] ${byTestId('step-needs')}`);
  await expect(needs('lockPeriod')).resolves.toBe('(starts first)');
  await expect(needs('reconcileEntities')).resolves.toBe('lockPeriod');
  await expect(needs('postAccruals')).resolves.toBe('reconcileEntities, revalueForeignCurrency');
  // The graph's nodes say the same to a screen reader (the drawn edges are hidden from it).
  await expect(page.textContent(byTestId('graph-node-postAccruals'))).resolves.toContain('needs reconcileEntities, revalueForeignCurrency');
  await expect(page.getAttribute('.graph-edges', 'aria-hidden')).resolves.toBe('true');
  // The event timeline, from the run's history and log.
  await page.waitForSelector(`${byTestId('run-timeline')} ${byTestId('timeline-event')}`, { timeout: 30_000 });
  // The entity reconciliations ask a person: the close says it waits for a person in one of them, and links to it.
  const wait = await page.waitForSelector(`${byTestId('run-wait')}[data-kind="child"]`, { timeout: 30_000 });
  const child = new RegExp(`child run (${close}/reconcileEntities/acme-[a-z]{2})`).exec((await wait.textContent()) ?? '')?.[1];
  expect(child).toBeDefined();
  await expect(page.getAttribute(`${byTestId('run-wait')} ${byTestId('run-wait-link')}`, 'href')).resolves.toBe(
    `#/runs/${encodeURIComponent(child!)}`,
  );

  // Landmarks, and a state a screen reader hears change.
  for (const landmark of ['header', 'nav[aria-label="Console pages"]', 'main#main']) expect(await page.$(landmark)).not.toBeNull();
  await expect(page.getAttribute(`p:has(${byTestId('run-page-state')})`, 'aria-live')).resolves.toBe('polite');
  // The keyboard: after navigating, focus is on the page's content, and Tab goes on from there with a visible ring.
  await expect(focused.id()).resolves.toBe('main');
  await page.keyboard.press('Tab');
  await expect(focused.text()).resolves.toBe('← all runs');
  await expect(focused.outline()).resolves.toBe('solid');
  // On a fresh load, the first Tab reaches the skip link, and Enter moves focus to the content.
  await page.reload();
  await page.waitForSelector(byTestId('process-graph'));
  await page.keyboard.press('Tab');
  await expect(focused.text()).resolves.toBe('Skip to content');
  await expect(focused.outline()).resolves.toBe('solid');
  await page.keyboard.press('Enter');
  await expect(focused.id()).resolves.toBe('main');
  expect(await unnamedControls(page)).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-run-page.png'), fullPage: true });
  expect(pageErrors).toEqual([]);
});

it('previews a bulk retry in the inbox, lists the runs it will change, and applies it only once confirmed', async () => {
  // Two onboardings whose createWorkspace fails for good: each escalates it.
  const hires = [newHire({ employeeId: `${PREFIX}B1` }), newHire({ employeeId: `${PREFIX}B2` })];
  const runs = await Promise.all(
    hires.map((hire) =>
      startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions(), faults: { createWorkspace: { kind: 'permanent' } } }),
    ),
  );
  const escalated = (s: { steps: { step: string; state: string }[] }) =>
    s.steps.some((x) => x.step === 'createWorkspace' && x.state === 'escalated');
  for (const run of runs) await statusWhen(stack, run.workflowId, escalated, `${run.workflowId} escalated`);

  await page.goto(`${operatorConsole.url}/#/inbox`);
  for (const run of runs) await page.waitForSelector(`${byTestId('inbox-item')}[data-run="${run.workflowId}"]`, { timeout: 30_000 });
  await page.getByLabel('Escalated step', { exact: true }).selectOption('createWorkspace');
  await page.getByLabel('Process', { exact: true }).selectOption('onboarding');
  await page.getByLabel('Decision', { exact: true }).selectOption('retry');
  await page.locator(byTestId('bulk-reason')).fill('workspace service fixed');
  await page.click(byTestId('bulk-preview'));
  const preview = byTestId('bulk-preview-list');
  await page.waitForSelector(preview);
  const previewed = await attributes(page, `${preview} ${byTestId('bulk-preview-row')}`, 'data-run');
  expect(previewed).toEqual(expect.arrayContaining(runs.map((r) => r.workflowId)));
  await expect(page.textContent(byTestId('bulk-preview-count'))).resolves.toBe(
    `Retry createWorkspace in ${previewed.length} run${previewed.length === 1 ? '' : 's'}:`,
  );
  // Focus moves to the preview, so a keyboard or screen-reader user lands on what will change.
  await expect(focused.testId()).resolves.toBe('bulk-preview-count');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-inbox-bulk-preview.png'), fullPage: true });
  // Nothing was decided by the preview.
  for (const run of runs) {
    const status = await statusWhen(stack, run.workflowId, () => true, 'status');
    expect(escalated(status)).toBe(true);
  }
  expect(await unnamedControls(page)).toEqual([]);

  await page.click(byTestId('bulk-confirm'));
  const report = await page.waitForSelector(byTestId('bulk-report'), { timeout: 30_000 });
  for (const run of runs)
    await expect(page.textContent(`${byTestId('bulk-outcome')}[data-run="${run.workflowId}"]`)).resolves.toContain(
      'retry createWorkspace by ops.lists',
    );
  await expect(page.textContent(byTestId('bulk-failed'))).resolves.toBe('0');
  await expect(report.getAttribute('role')).resolves.toBe('status');
  for (const run of runs) await statusWhen(stack, run.workflowId, (s) => !escalated(s), `${run.workflowId} retried`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-inbox-bulk-done.png'), fullPage: true });
  expect(pageErrors).toEqual([]);
});
