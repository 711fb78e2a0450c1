/**
 * The "which approach?" page in a real browser, on the real console: every question is a labelled group of choices;
 * answering all of them gets a recommendation (sequential, DAG or event-driven) with its reasons and a link to the
 * installed process that shows it, which opens that process's page. No CSP refusal. Screenshot:
 * test-artifacts/choose.png.
 */
import { byTestId, consoleInBrowser, type ConsoleInBrowser } from '../helpers/console-browser';

jest.setTimeout(120_000);

let app: ConsoleInBrowser;

beforeAll(async () => {
  app = await consoleInBrowser('viewer');
});

afterAll(async () => {
  await app?.stop();
});

it('asks the questions, recommends an approach with its reasons, and links to a process that shows it', async () => {
  const { page } = app;
  await app.open('#/choose');
  await page.waitForSelector(byTestId('choose-form'), { timeout: 20_000 });
  const legends = (await page.locator(`${byTestId('choose-question')} legend`).allTextContents()).map((text) => text.trim());
  expect(legends.length).toBeGreaterThan(1);
  // Each question is a group named by its text (legend), each choice a radio named by its label: answer with the first.
  for (const legend of legends) {
    expect(legend.length).toBeGreaterThan(0);
    const group = page.getByRole('group', { name: legend });
    await group.getByRole('radio').first().check();
  }
  await page.click(byTestId('choose-submit'));
  const result = await page.waitForSelector(byTestId('choose-result'));
  expect(['sequential', 'dag', 'event-driven']).toContain(await result.getAttribute('data-approach'));
  expect(await page.$$(`${byTestId('choose-reasons')} li`)).not.toHaveLength(0);
  // The answer takes focus, so a screen reader reads it next.
  await page.waitForSelector('#choose-result-title:focus');
  await app.screenshot('choose');

  const example = await page.getAttribute(byTestId('choose-example'), 'href');
  expect(example).toMatch(/^#\/kpis\/[a-z-]+$/);
  await page.click(byTestId('choose-example'));
  await page.waitForSelector(byTestId('process-kpis'), { timeout: 20_000 });
  expect(app.problems).toEqual([]);
});
