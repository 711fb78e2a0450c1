/**
 * The operators page in a real browser, on the real console and operator store: an admin adds an operator and sees
 * the token once (it signs the new operator in; the page shows it no more after a reload), changes their role (the
 * store says so) and revokes them (their token stops working); a non-admin is offered no such page. Labelled
 * controls, no CSP refusal. Screenshot: test-artifacts/operators.png.
 */
import path from 'node:path';
import { OperatorStore, operatorsDbPath } from '../../src/stores/operators/store';
import { addOperator } from '../helpers/operators';
import { byTestId, consoleInBrowser, signedInPage, type ConsoleInBrowser } from '../helpers/console-browser';

jest.setTimeout(120_000);

let app: ConsoleInBrowser;

beforeAll(async () => {
  app = await consoleInBrowser('admin');
});

afterAll(async () => {
  await app?.stop();
});

/** The operator's record in the store the console uses. */
function storedOperator(name: string) {
  const store = new OperatorStore(operatorsDbPath(path.resolve(app.stack.config.OVERTURE_DATA_DIR)));
  try {
    return store.find(name);
  } finally {
    store.close();
  }
}

it('adds an operator and shows the token once, changes the role, and revokes them', async () => {
  const { page } = app;
  await app.open('#/operators');
  await page.waitForSelector(`${byTestId('operator-row')}[data-operator="${app.operator.name}"]`, { timeout: 20_000 });

  await page.getByLabel('Name').fill('ops.newcomer');
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.click(byTestId('operator-add'));
  const token = (await page.textContent(byTestId('operator-token')))!.trim();
  expect(token.length).toBeGreaterThan(20);
  await expect(page.textContent(byTestId('operator-token-link'))).resolves.toContain(`/login#token=${encodeURIComponent(token)}`);
  const row = `${byTestId('operator-row')}[data-operator="ops.newcomer"]`;
  await page.waitForSelector(`${row} ${byTestId('operator-row-role')}:text-is("viewer")`);
  await app.screenshot('operators');

  // The token signs the newcomer in; after a reload the page no longer has it.
  const newcomer = await signedInPage(app.browser, app.console.url, { name: 'ops.newcomer', role: 'viewer', token });
  await page.reload();
  await page.waitForSelector(row);
  expect(await page.$(byTestId('operator-token'))).toBeNull();

  await page.getByLabel('New role of ops.newcomer').selectOption('approver');
  await page.click(`${row} ${byTestId('operator-role-submit')}`);
  await page.waitForSelector(`${byTestId('operators-message')}:text-is("ops.newcomer: role is now approver")`);
  await page.waitForSelector(`${row} ${byTestId('operator-row-role')}:text-is("approver")`);
  expect(storedOperator('ops.newcomer')?.role).toBe('approver');

  page.once('dialog', (dialog) => void dialog.accept());
  await page.click(`${row} ${byTestId('operator-revoke')}`);
  await page.waitForSelector(`${byTestId('operators-message')}:text-is("ops.newcomer: revoked")`);
  // The revoked token no longer reads anything.
  const refused = await newcomer.request.get(`${app.console.url}/api/session`);
  expect(refused.status()).toBe(401);
  await newcomer.context().close();
  expect(app.problems).toEqual([]);
});

it('is offered to admins only', async () => {
  const operator = addOperator(app.stack.config.OVERTURE_DATA_DIR, 'ops.not-admin', 'approver');
  const page = await signedInPage(app.browser, app.console.url, operator);
  expect(await page.isVisible(byTestId('nav-operators'))).toBe(false);
  await expect(page.request.get(`${app.console.url}/api/operators`).then((r) => r.status())).resolves.toBe(403);
  await page.context().close();
  await expect(app.page.isVisible(byTestId('nav-operators'))).resolves.toBe(true);
});
