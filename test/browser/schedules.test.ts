/**
 * The schedules page in a real browser, on the real console and Temporal's schedules: an operator sees a schedule,
 * pauses it with a reason and unpauses it (Temporal says so too), and triggers a run now (Temporal records it);
 * labelled controls, no CSP refusal. Screenshot: test-artifacts/schedules.png.
 */
import { randomUUID } from 'node:crypto';
import { listProcesses } from '../../src/apps/console/processes';
import { createSchedule } from '../../src/client/schedules';
import { eventually } from '../helpers/test-stack';
import { addOperator } from '../helpers/operators';
import { byTestId, consoleInBrowser, signedInPage, type ConsoleInBrowser } from '../helpers/console-browser';

jest.setTimeout(120_000);

let app: ConsoleInBrowser;
const name = `browser-onboarding-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  app = await consoleInBrowser('operator');
  await createSchedule(app.stack.client, app.stack.config, {
    name,
    process: 'onboarding',
    input: listProcesses().find((p) => p.name === 'onboarding')!.example,
    when: 'nightly',
    timezone: 'UTC',
    overlap: 'skip',
  });
});

afterAll(async () => {
  await app?.stack.client.schedule
    .getHandle(name)
    .delete()
    .catch(() => undefined);
  await app?.stop();
});

it('lists the schedule, pauses it with a reason, unpauses it and triggers a run now', async () => {
  const { page, stack } = app;
  await app.open('#/schedules');
  const row = `${byTestId('schedule-row')}[data-schedule="${name}"]`;
  await page.waitForSelector(`${row} ${byTestId('schedule-state')}:text-is("active")`, { timeout: 20_000 });
  await expect(page.textContent(row)).resolves.toContain('onboarding');

  // The reason's input is named by its label.
  await page.getByLabel(`Reason to pause ${name}`).fill('holiday week');
  await page.click(`${row} ${byTestId('schedule-pause')}`);
  await page.waitForSelector(`${byTestId('schedules-message')}:text-is("${name}: paused")`);
  await page.waitForSelector(`${row} ${byTestId('schedule-state')}:text-is("paused")`);
  const paused = await stack.client.schedule.getHandle(name).describe();
  expect(paused.state.paused).toBe(true);
  expect(paused.state.note).toContain('holiday week');
  await app.screenshot('schedules');

  await page.click(`${row} ${byTestId('schedule-unpause')}`);
  await page.waitForSelector(`${row} ${byTestId('schedule-state')}:text-is("active")`);
  await expect(stack.client.schedule.getHandle(name).describe()).resolves.toMatchObject({ state: { paused: false } });

  await page.click(`${row} ${byTestId('schedule-trigger')}`);
  await page.waitForSelector(`${byTestId('schedules-message')}:has-text("${name}: triggered")`);
  await eventually(
    async () => (await stack.client.schedule.getHandle(name).describe()).info.recentActions.length > 0,
    20_000,
    'the triggered run',
  );
  expect(app.problems).toEqual([]);
});

it('offers no changes to a viewer', async () => {
  const viewer = addOperator(app.stack.config.OVERTURE_DATA_DIR, 'ops.schedule-viewer', 'viewer');
  const page = await signedInPage(app.browser, app.console.url, viewer);
  await page.goto(`${app.console.url}/#/schedules`);
  await page.waitForSelector(`${byTestId('schedule-row')}[data-schedule="${name}"]`, { timeout: 20_000 });
  expect(await page.$(byTestId('schedule-trigger'))).toBeNull();
  expect(await page.$(byTestId('schedule-pause'))).toBeNull();
  await page.context().close();
});
