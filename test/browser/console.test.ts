/**
 * The operator console in a real headless Chromium (playwright-core, the system's /usr/bin/chromium):
 * sign in, start an onboarding with an injected permanent fault from the form, decide it from the inbox,
 * watch it complete on the run's process graph, see a refused decision's message, start a financial close
 * and see its graph (and a child run's), and run the side-by-side demo (on its own systems; a console with the demo
 * off offers none). Screenshots go to test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { addOperator } from '../helpers/operators';
import { periodOfItsOwn } from '../helpers/periods';

jest.setTimeout(120_000);

/** ops.browser's personal token (an approver), made once the stack's operator store exists. */
let TOKEN: string;
let stack: TestStack;
let operatorConsole: RunningConsole;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com', OVERTURE_DEMO: 'on' });
  TOKEN = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.browser', 'approver').token;
  operatorConsole = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port: 0,
    startOptions: { tuneOptions: fastOptions() },
  });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await browser?.close();
  await operatorConsole?.stop();
  await stack?.stop();
});

const byTestId = (id: string) => `[data-testid="${id}"]`;

it('refuses an unauthenticated request', async () => {
  const api = await page.request.get(`${operatorConsole.url}/api/runs`);
  expect(api.status()).toBe(401);
  const response = await page.goto(`${operatorConsole.url}/`);
  expect(response?.status()).toBe(401);
  await page.waitForSelector(byTestId('login-form'));
});

it('signs in with the personal token from the login link, as the operator the token belongs to', async () => {
  await page.goto(`${operatorConsole.url}/login#token=${TOKEN}`);
  await expect(page.inputValue(byTestId('login-token'))).resolves.toBe(TOKEN);
  expect(page.url()).not.toContain(TOKEN); // the fragment is cleared once read
  // No name to type: the operator is the token's.
  expect(await page.$(byTestId('login-operator'))).toBeNull();
  await Promise.all([page.waitForURL(`${operatorConsole.url}/`), page.click(byTestId('login-submit'))]);
  await page.waitForSelector(`${byTestId('operator-name')}:text-is("ops.browser")`);
  await page.waitForSelector(`${byTestId('operator-role')}:text-is("(approver)")`);
  // A selector, not waitForFunction: once it has to poll, a string predicate is eval'd in the page, which the console's CSP forbids.
  await page.waitForSelector(`${byTestId('counter-total')}:text-matches("^[0-9]+$")`);
});

it('starts an onboarding with a permanent fault, retries it from the inbox, shows a refused decision, and completes', async () => {
  await page.goto(`${operatorConsole.url}/#/start`);
  await page.waitForSelector(byTestId('start-form'));
  // Two permanent faults: once createWorkspace is retried the run escalates notifyTeam, so it stays open.
  await page.selectOption(byTestId('fault-createWorkspace'), 'permanent');
  await page.selectOption(byTestId('fault-notifyTeam'), 'permanent');
  await page.click(byTestId('start-submit'));
  await page.waitForURL(/#\/runs\/onboarding-/);
  const workflowId = decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));
  // The run page streams the process graph: the escalated step shows up there too.
  await page.waitForSelector(`${byTestId('graph-node-createWorkspace')}[data-state="escalated"]`, { timeout: 20_000 });

  await page.click(byTestId('nav-inbox'));
  const card = `${byTestId('inbox-item')}[data-run="${workflowId}"][data-step="createWorkspace"]`;
  await page.waitForSelector(card, { timeout: 20_000 });
  await page.click(`${card} ${byTestId('action-retry')}`);
  await page.waitForSelector(`${card} ${byTestId('decision-message')}:has-text("retry createWorkspace by ops.browser")`);

  // The card stays on screen; its Skip button is now stale and the workflow's validator refuses it.
  await page.click(`${card} ${byTestId('action-skip')}`);
  const refusal = await page.waitForSelector(`${card} ${byTestId('decision-error')}`);
  await expect(refusal.textContent()).resolves.toBe(
    'step createWorkspace is not escalated (its escalation was already decided: retry by ops.browser)',
  );

  await page.goto(`${operatorConsole.url}/#/runs/${encodeURIComponent(workflowId)}`);
  const question = `${byTestId('run-question')}[data-step="notifyTeam"]`;
  await page.waitForSelector(question, { timeout: 20_000 });
  await page.click(`${question} ${byTestId('action-retry')}`);
  await page.waitForSelector(`${byTestId('run-page-state')}:has-text("completed")`, { timeout: 20_000 });
  // The parallel branches stand in one column of the graph, after the step they need; the optional manual step was not taken.
  const column = (depth: number) => `${byTestId('process-graph')} ${byTestId('graph-column')}[data-depth="${depth}"]`;
  await page.waitForSelector(`${column(2)} ${byTestId('graph-node-sendWelcomeEmail')}[data-state="completed"]`);
  await page.waitForSelector(`${column(2)} ${byTestId('graph-node-createWorkspace')}[data-state="completed"]`);
  await page.waitForSelector(`${column(2)} ${byTestId('graph-node-requestEquipment')}[data-state="not_taken"]`);
  await page.waitForSelector(`${column(3)} ${byTestId('graph-node-notifyTeam')}[data-state="completed"]`);
  await page.waitForSelector(`${byTestId('run-log')} li:has-text("decision on createWorkspace: retry by ops.browser")`);
  const link = await page.getAttribute(byTestId('temporal-link'), 'href');
  expect(link).toBe(`${stack.config.temporalUiUrl}/namespaces/default/workflows/${workflowId}`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-run.png'), fullPage: true });

  // Other tests' runs share the server, so the list's first page need not hold this one: search for it by id.
  await page.click(byTestId('nav-runs'));
  await page.fill(byTestId('runs-q'), workflowId);
  await page.click(byTestId('runs-search-submit'));
  await page.waitForSelector(`${byTestId('run-row')}[data-run="${workflowId}"] ${byTestId('run-state')}:has-text("completed")`, {
    timeout: 20_000,
  });
  const counter = async (name: string) => Number(await page.textContent(byTestId(`counter-${name}`)));
  // Every run is in exactly one of the header's states, so they add up to the total.
  const [total, running, needsAttention, completed, failed, aborted] = await Promise.all(
    ['total', 'running', 'needsAttention', 'completed', 'failed', 'aborted'].map(counter),
  );
  expect(total).toBe(running! + needsAttention! + completed! + failed! + aborted!);
  expect(completed).toBeGreaterThanOrEqual(1);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-runs.png'), fullPage: true });
  expect(fs.existsSync(path.join(ARTIFACTS, 'console-runs.png'))).toBe(true);
});

it('starts a financial close from the start form and draws its process graph, coloured by state', async () => {
  await page.goto(`${operatorConsole.url}/#/start`);
  await page.waitForSelector(byTestId('start-form'));
  await page.selectOption(byTestId('start-process'), 'financial-close');
  // The form is built from the process's input schema, one field per input, prefilled with its example.
  await expect(page.inputValue(byTestId('field-entities'))).resolves.toBe('acme-us, acme-uk, acme-de');
  await expect(page.getAttribute(byTestId('field-controllerEmail'), 'type')).resolves.toBe('email');
  // A period of its own (test/helpers/periods): the workflow id is financial-close-<period>.
  const period = periodOfItsOwn();
  await page.fill(byTestId('field-period'), period);
  // Faults are offered for the activities only: the fan-out's items and the sign-off have none of their own.
  await page.waitForSelector(byTestId('fault-publishStatements'));
  expect(await page.$(byTestId('fault-reconcileEntities'))).toBeNull();
  expect(await page.$(byTestId('fault-controllerSignOff'))).toBeNull();
  await page.click(byTestId('start-submit'));
  const workflowId = `financial-close-${period}`;
  await page.waitForURL((url) => decodeURIComponent(url.hash) === `#/runs/${workflowId}`);

  await page.waitForSelector(`${byTestId('process-graph')}[data-process="financial-close"]`);
  await page.waitForSelector(`${byTestId('graph-node-lockPeriod')}[data-state="completed"]`, { timeout: 30_000 });
  const column = (depth: number) => `${byTestId('graph-column')}[data-depth="${depth}"]`;
  // The entity reconciliations and the revaluation run side by side, after the lock.
  await page.waitForSelector(`${column(1)} ${byTestId('graph-node-reconcileEntities')}`);
  await page.waitForSelector(`${column(1)} ${byTestId('graph-node-revalueForeignCurrency')}`);
  await page.waitForSelector(`${column(4)} ${byTestId('graph-node-publishStatements')}[data-state="pending"]`);
  const counter = await page.waitForSelector(
    `${byTestId('graph-node-reconcileEntities')}[data-state="running"] ${byTestId('fanout-counter-reconcileEntities')}`,
    { timeout: 30_000 },
  );
  await expect(counter.textContent()).resolves.toMatch(/^\d+\/3 completed, failed \d+/);
  const edges = await Promise.all((await page.$$('.graph-edges path.edge')).map((edge) => edge.getAttribute('data-edge')));
  expect(edges.sort()).toEqual(
    [
      'lockPeriod->reconcileEntities',
      'lockPeriod->revalueForeignCurrency',
      'reconcileEntities->postAccruals',
      'revalueForeignCurrency->postAccruals',
      'postAccruals->controllerSignOff',
      'controllerSignOff->publishStatements',
    ].sort(),
  );
  // Rates for a far-off period are never published: the revaluation ends on its fallback or with a person.
  const revalue = byTestId('graph-node-revalueForeignCurrency');
  await page.waitForSelector(`${revalue}[data-state="completed"], ${revalue}[data-state="escalated"]`, { timeout: 30_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-close-graph.png'), fullPage: true });

  // Each entity's reconciliation is a child run with its own questions: the inbox shows them by process, and
  // Skip offers the adjustment the later step needs.
  await page.click(byTestId('nav-inbox'));
  const card = `${byTestId('inbox-item')}[data-run="${workflowId}/reconcileEntities/acme-uk"][data-kind="escalation"]`;
  await page.waitForSelector(card, { timeout: 30_000 });
  await expect(page.textContent(`${card} ${byTestId('inbox-process')}`)).resolves.toBe('reconcile-entity');
  await expect(page.inputValue(`${card} ${byTestId('decision-output')}`)).resolves.toBe('{"adjustment":""}');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-inbox.png'), fullPage: true });

  // A child run (one entity's reconciliation) draws its own process and links back to the close.
  const child = `${workflowId}/reconcileEntities/acme-uk`;
  await page.goto(`${operatorConsole.url}/#/runs/${encodeURIComponent(child)}`);
  await page.waitForSelector(`${byTestId('process-graph')}[data-process="reconcile-entity"]`);
  await page.waitForSelector(`${byTestId('graph-node-reconcile')}:not([data-state="pending"])`, { timeout: 30_000 });
  await expect(page.getAttribute(byTestId('parent-link'), 'href')).resolves.toBe(`#/runs/${encodeURIComponent(workflowId)}`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-close-child.png'), fullPage: true });
});

it('completes a manual task from the inbox with its output', async () => {
  await page.goto(`${operatorConsole.url}/#/start`);
  await page.waitForSelector(byTestId('field-equipment'));
  await page.fill(byTestId('field-equipment'), 'laptop, badge');
  await page.click(byTestId('start-submit'));
  await page.waitForURL(/#\/runs\/onboarding-/);
  const workflowId = decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));
  await page.waitForSelector(`${byTestId('graph-node-requestEquipment')}[data-state="waiting"]`, { timeout: 20_000 });

  await page.click(byTestId('nav-inbox'));
  const card = `${byTestId('inbox-item')}[data-run="${workflowId}"][data-kind="task"]`;
  await page.waitForSelector(card, { timeout: 20_000 });
  await expect(page.textContent(`${card} ${byTestId('task-instructions')}`)).resolves.toContain('laptop, badge');
  await page.fill(`${card} ${byTestId('output-assetTags')}`, 'LAP-42');
  await page.click(`${card} ${byTestId('action-done')}`);
  await page.waitForSelector(`${card} ${byTestId('decision-message')}:has-text("done requestEquipment/task#1 by ops.browser")`);
  await page.goto(`${operatorConsole.url}/#/runs/${encodeURIComponent(workflowId)}`);
  await page.waitForSelector(`${byTestId('graph-node-requestEquipment')}[data-state="completed"]:has-text("assetTags: LAP-42")`, {
    timeout: 20_000,
  });
});

it('shows the plain script and Overture side by side on the same injected failure, on systems of its own', async () => {
  await page.goto(`${operatorConsole.url}/#/demo`);
  await page.waitForSelector(`${byTestId('nav-demo')}:visible`);
  await page.selectOption(byTestId('demo-inject'), 'createWorkspace');
  await page.click(byTestId('demo-run'));
  // The script stopped half done, and re-running it sent the welcome email a second time.
  await page.waitForSelector(`${byTestId('demo-script-emails')}:has-text("Welcome emails sent: 2")`, { timeout: 20_000 });
  await page.waitForSelector(`${byTestId('demo-overture-state')}:has-text("needs_attention")`, { timeout: 20_000 });
  await page.click(`${byTestId('demo-overture')} ${byTestId('action-retry')}`);
  await page.waitForSelector(`${byTestId('demo-overture-state')}:has-text("completed")`, { timeout: 20_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-demo.png'), fullPage: true });
  // Every email of the demo went to its in-memory outbox: the stack's SMTP receiver got none.
  const demoMails = stack.mail.messages().filter((m) => m.to.some((to) => to.startsWith('grace.hopper.demo-')));
  expect(demoMails).toEqual([]);
  expect(pageErrors).toEqual([]);
});

it('offers no demo when the console has it off', async () => {
  const offConsole = await startOperatorConsole({
    client: stack.client,
    config: { ...stack.config, OVERTURE_DEMO: 'off' },
    host: '127.0.0.1',
    port: 0,
  });
  // A context of its own: cookies are shared across ports of one host.
  const context = await browser.newContext();
  try {
    const offPage = await context.newPage();
    await offPage.goto(`${offConsole.url}/login#token=${TOKEN}`);
    await Promise.all([offPage.waitForURL(`${offConsole.url}/`), offPage.click(byTestId('login-submit'))]);
    await offPage.waitForSelector(`${byTestId('operator-name')}:text-is("ops.browser")`);
    expect(await offPage.isVisible(byTestId('nav-demo'))).toBe(false);
    await offPage.goto(`${offConsole.url}/#/demo`);
    await offPage.waitForSelector(`${byTestId('counter-total')}:text-matches("^[0-9]+$")`);
    expect(await offPage.$(byTestId('demo-run'))).toBeNull();
  } finally {
    await context.close();
    await offConsole.stop();
  }
});
