/**
 * "Simulate first" on the start page in a real browser, on the real console and its time-skipping simulation: with
 * the form's input and a permanent fault on one step, the page shows where the run would end, the simulated path
 * (the fault's step among its events, each at its simulated time) and the graph as the simulation left it; no real
 * run starts. No CSP refusal. Screenshot: test-artifacts/simulate.png.
 */
import { byTestId, consoleInBrowser, type ConsoleInBrowser } from '../helpers/console-browser';

jest.setTimeout(180_000);

let app: ConsoleInBrowser;

beforeAll(async () => {
  app = await consoleInBrowser('operator');
});

afterAll(async () => {
  await app?.stop();
});

it('simulates the form’s run with a fault and shows its path, without starting a run', async () => {
  const { page } = app;
  await app.open('#/start');
  await page.waitForSelector(byTestId('start-form'));
  await page.selectOption(byTestId('start-process'), 'onboarding');
  await page.selectOption(byTestId('fault-createWorkspace'), 'permanent');
  const runs = async () => (await app.stack.client.workflow.count()).count;
  const before = await runs();
  await page.click(byTestId('simulate-submit'));
  const result = await page.waitForSelector(byTestId('simulation-result'), { timeout: 90_000 });
  expect(['completed', 'failed', 'aborted', 'waiting']).toContain(await result.getAttribute('data-outcome'));
  // The fault's step is on the path, with a simulated time from the run's start.
  const events = await page.locator(byTestId('simulation-event')).allTextContents();
  expect(events.length).toBeGreaterThan(1);
  expect(events.every((text) => /^\s*\+/.test(text))).toBe(true);
  await page.waitForSelector(`${byTestId('simulation-event')}[data-step="createWorkspace"]`);
  // The graph shows how the simulated run left each step.
  await page.waitForSelector(`${byTestId('simulation-result')} ${byTestId('graph-node-createWorkspace')}:not([data-state="pending"])`);
  await page.waitForSelector('#simulation-title:focus');
  await app.screenshot('simulate');
  // Still on the start page, and no run was started.
  expect(new URL(page.url()).hash).toBe('#/start');
  await expect(runs()).resolves.toBe(before);
  expect(app.problems).toEqual([]);
});

it('plays what a person decides, and when: a retry two simulated hours after the escalation completes the run', async () => {
  const { page } = app;
  await app.open('#/start');
  await page.waitForSelector(byTestId('start-form'));
  await page.selectOption(byTestId('start-process'), 'onboarding');
  await page.selectOption(byTestId('fault-createWorkspace'), 'permanent');
  await page.click(`${byTestId('simulate-people')} summary`);
  await page.getByLabel('When createWorkspace asks a person').selectOption('retry');
  await page.getByLabel('after (e.g. +2h, +3d)').fill('+2h');
  await page.click(byTestId('simulate-submit'));
  await page.waitForSelector(`${byTestId('simulation-result')}[data-outcome="completed"]`, { timeout: 90_000 });
  // The decision is on the path two simulated hours after the escalation.
  const decision = await page.textContent(`${byTestId('simulation-event')}[data-kind="decision"][data-step="createWorkspace"]`);
  expect(decision).toMatch(/^\s*\+2 h/);
  expect(app.problems).toEqual([]);
});
