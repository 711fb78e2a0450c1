/**
 * The KPI pages in a real browser, on the real console and Temporal: onboardings run to their end (one through an
 * escalation decided by a person), then the overview lists the process with its counts, and the process's page shows
 * its graph as a heat map (each node with its figures and a heat level), its dependencies in words, the steps' table,
 * and uPlot's charts of runs and durations per day with their tables, with no CSP refusal. Screenshots:
 * test-artifacts/kpis.png (the process's page) and test-artifacts/kpis-overview.png.
 */
import { listProcesses } from '../../src/apps/console/processes';
import { resolveEscalation, startProcess } from '../../src/client';
import { eventually, fastOptions } from '../helpers/test-stack';
import { decidedBy } from '../helpers/operators';
import { byTestId, consoleInBrowser, type ConsoleInBrowser } from '../helpers/console-browser';

jest.setTimeout(180_000);

let app: ConsoleInBrowser;

/** A fresh onboarding input (new business keys each time, as the start form's example). */
const onboardingInput = () => listProcesses().find((p) => p.name === 'onboarding')!.example;

beforeAll(async () => {
  app = await consoleInBrowser('viewer');
  const { client, config } = app.stack;
  // Two that go straight through, and one whose workspace fails for good until a person retries it.
  const plain = await Promise.all(
    [1, 2].map(() => startProcess(client, config, 'onboarding', onboardingInput(), { tuneOptions: fastOptions() })),
  );
  const escalated = await startProcess(client, config, 'onboarding', onboardingInput(), {
    tuneOptions: fastOptions(),
    faults: { createWorkspace: { kind: 'permanent' } },
  });
  await eventually(
    () =>
      resolveEscalation(client, escalated.workflowId, { step: 'createWorkspace', action: 'retry', ...decidedBy('ops.kpi') }).then(
        () => true,
      ),
    30_000,
    'the escalation of createWorkspace',
  );
  await Promise.all([...plain, escalated].map((run) => run.handle.result()));
});

afterAll(async () => {
  await app?.stop();
});

it('lists each process with its runs over the period, linking to its own page', async () => {
  const { page } = app;
  await app.open('#/kpis');
  const row = `${byTestId('kpi-row')}[data-process="onboarding"]`;
  // The KPIs come from the worker's projection: wait until the three runs are counted.
  await page.waitForSelector(`${row} ${byTestId('kpi-completed')}:text-matches("^[3-9]$")`, { timeout: 30_000 });
  await expect(page.textContent(`${row} ${byTestId('kpi-started')}`)).resolves.toMatch(/^[3-9]$/);
  // A process with no runs yet is listed too (with its page to open), not left out.
  await expect(page.textContent(`${byTestId('kpi-row')}[data-process="financial-close"] ${byTestId('kpi-started')}`)).resolves.toBe('0');
  // Every control has a label a screen reader names it by.
  await expect(page.getByLabel('Period').count()).resolves.toBe(1);
  await app.screenshot('kpis-overview');
  await page.click(`${row} ${byTestId('kpi-process-link')}`);
  await page.waitForURL(/#\/kpis\/onboarding/);
});

it("draws the process's graph as a heat map with each step's figures, its dependencies in words, and charts over time", async () => {
  const { page } = app;
  await app.open('#/kpis/onboarding?since=7d');
  await page.waitForSelector(`${byTestId('process-kpis')}[data-process="onboarding"]`, { timeout: 30_000 });
  await expect(page.textContent(byTestId('kpi-summary-completed'))).resolves.toMatch(/^[3-9]$/);

  // Each step that ran has a heat level and states its figure in words; the escalated step shows its escalation rate.
  const node = (step: string) => `${byTestId('process-graph')} ${byTestId(`graph-node-${step}`)}`;
  await page.waitForSelector(`${node('createWorkspace')}[data-heat]:not([data-heat="none"])`);
  await expect(page.textContent(`${node('createWorkspace')} ${byTestId('kpi-node-figure')}`)).resolves.toMatch(
    /median time: .+ \((lowest|low|middle|high|highest)\)/,
  );
  // An optional step no run took has no figures, and says so.
  await expect(page.getAttribute(node('requestEquipment'), 'data-heat')).resolves.toBe('none');
  const escalation = await page.textContent(`${byTestId('kpi-step-row')}[data-step="createWorkspace"]`);
  expect(escalation).toMatch(/33(\.3)? %/); // one visit in three was handed to a person

  // Colour by escalation rate: the only escalated step is the hottest, the others the coolest.
  await page.selectOption(byTestId('kpi-heat-measure'), 'escalation');
  await page.waitForURL(/by=escalation/);
  await page.waitForSelector(`${node('createWorkspace')}[data-heat="4"]`);
  await page.waitForSelector(`${node('sendWelcomeEmail')}[data-heat="0"]`);

  // The graph's dependencies in text, for those who do not see its arrows.
  await expect(page.textContent(byTestId('kpi-dependencies'))).resolves.toContain('notifyTeam runs after');

  // uPlot drew both charts on canvases, and each has its table of the same figures.
  for (const chart of ['kpi-runs-chart', 'kpi-durations-chart']) {
    await page.waitForSelector(`${byTestId(chart)} canvas`);
    const box = await page.locator(`${byTestId(chart)} canvas`).boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(box?.height).toBeGreaterThan(100);
  }
  const today = new Date().toISOString().slice(0, 10);
  await page.click(`${byTestId('kpi-runs-chart')} summary`);
  const todayRow = await page.textContent(`${byTestId('kpi-runs-chart-table')} tr:has(th:text-is("${today}"))`);
  expect(todayRow).toMatch(new RegExp(`${today}\\s*[3-9]`));
  // The screenshot the README shows: coloured by the time spent waiting for a person, the escalated step stands out.
  await page.selectOption(byTestId('kpi-heat-measure'), 'personWait');
  await page.waitForURL(/by=personWait/);
  await page.waitForSelector(`${node('createWorkspace')}[data-heat="4"]`);
  await expect(page.textContent(`${node('createWorkspace')} ${byTestId('kpi-node-figure')}`)).resolves.toMatch(
    /share waiting for a person: [1-9][0-9.]* % \(highest\)/,
  );
  await app.screenshot('kpis');
  expect(app.problems).toEqual([]);
});

it('moves keyboard focus visibly through the page controls', async () => {
  const { page } = app;
  await app.open('#/kpis/onboarding');
  await page.waitForSelector(byTestId('kpi-period'));
  // Focus by keyboard (Tab back onto the control), as :focus-visible styles it.
  await page.focus(byTestId('kpi-period'));
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const focused = page.locator(`${byTestId('kpi-period')}:focus-visible`);
  await focused.waitFor();
  // The focus is drawn (the page's style keeps an outline on keyboard focus).
  type Styled = { getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string } };
  const outline = await focused.evaluate((el) => {
    const style = (globalThis as unknown as Styled).getComputedStyle(el);
    return { style: style.outlineStyle, width: style.outlineWidth };
  });
  expect(outline.style).not.toBe('none');
  expect(outline.width).not.toBe('0px');
});
