/**
 * The systems page in a real browser, on the real console and the shared health store: an operator sees each system
 * with its health (a recorded failure shows as failing with its error), pauses email with a reason (the store holds
 * the pause, by that operator) and resumes it; labelled controls, no CSP refusal. Screenshot: test-artifacts/systems.png.
 */
import { openSystemHealth } from '../../src/stores/open';
import type { SystemHealthRecords } from '../../src/stores/system-health/sqlite-health';
import { byTestId, consoleInBrowser, type ConsoleInBrowser } from '../helpers/console-browser';

jest.setTimeout(120_000);

let app: ConsoleInBrowser;
let health: SystemHealthRecords;

beforeAll(async () => {
  app = await consoleInBrowser('operator');
  health = await openSystemHealth(app.stack.config);
  // Chat has been failing: the page shows it so, with the error.
  await health.recordFailure('chat', 'chat webhook answered 503', 60_000);
});

afterAll(async () => {
  await health?.close();
  await app?.stop();
});

it("shows each system's health, pauses email with a reason and resumes it", async () => {
  const { page } = app;
  await app.open('#/systems');
  const row = (system: string) => `${byTestId('system-row')}[data-system="${system}"]`;
  await page.waitForSelector(`${row('chat')} ${byTestId('system-health')}:text-is("failing")`, { timeout: 20_000 });
  await expect(page.textContent(row('chat'))).resolves.toContain('chat webhook answered 503');
  await page.waitForSelector(`${row('email')} ${byTestId('system-state')}:text-is("flowing")`);

  await page.getByLabel('Reason to pause email').fill('SMTP relay maintenance');
  await page.click(`${row('email')} ${byTestId('system-pause')}`);
  await page.waitForSelector(`${byTestId('systems-message')}:text-is("email: paused")`);
  await page.waitForSelector(`${row('email')} ${byTestId('system-state')}:text-is("paused")`);
  await expect(page.textContent(row('email'))).resolves.toContain('SMTP relay maintenance');
  const pause = await health.pauseOf('email');
  expect(pause).toMatchObject({ reason: 'SMTP relay maintenance', pausedBy: app.operator.name });
  await app.screenshot('systems');

  await page.getByLabel('Reason to resume email').fill('relay back');
  await page.click(`${row('email')} ${byTestId('system-resume')}`);
  await page.waitForSelector(`${row('email')} ${byTestId('system-state')}:text-is("flowing")`);
  expect(await health.pauseOf('email')).toBeUndefined();
  expect(app.problems).toEqual([]);
});
