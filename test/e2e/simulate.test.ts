/**
 * `overture simulate` against the real thing: for each installed process, one scenario simulated (time-skipping test
 * server, in-memory systems) and the same scenario run for real (the Temporal dev server, the real SMTP and webhook
 * receivers, the worker of the test stack), with the same faults, answers and events. The simulated run takes the same
 * path — the steps in the order they started, each step's final state — and ends in the same state. A person's answer
 * comes hours after the question in the simulation and at once for real: the ladder's reminders differ, the path not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { answerQuestion, decisionIdFor, getRunStatus, resolveEscalation, sendEvent, startProcess, type RunStatus } from '../../src/client';
import { settings as pipelineSettings } from '../../activities/data-pipeline/settings';
import { prepareSimulation, runSimulation, type PreparedSimulation } from '../../src/simulate/runner';
import type { SimulationReport } from '../../src/simulate/path-report';
import { FINAL_RUN_STATES } from '../../workflows/kit/vocabulary';
import type { DecisionIdentity } from '../../workflows/kit/types';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { ROOT, runOverture } from '../helpers/processes';

jest.setTimeout(240_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  // The pipeline's file, where both runs read it: the stack's inbox (the simulation reads the configured inbox).
  const inbox = pipelineSettings.of(stack.config).inboxDir;
  fs.mkdirSync(inbox, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'examples', 'data-pipeline', 'orders-2026-11-01.csv'), path.join(inbox, 'orders-2026-11-01.csv'));
});
afterAll(async () => stack?.stop());

const example = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', `${name}.json`), 'utf8')) as Record<string, unknown>;

/** The steps of a run in the order they started (its own log, not its child runs'). */
function startOrder(log: ReadonlyArray<{ message: string; step?: string }>): string[] {
  return log.filter((l) => l.step && l.message === `${l.step} started`).map((l) => l.step!);
}

const finalStates = (steps: RunStatus['steps']) => Object.fromEntries(steps.map((s) => [s.step, s.state]));

const PERSON: DecisionIdentity = { operator: 'e2e', role: 'admin', via: 'api' };

/** Plays the scenario for real: the same faults, each answer as soon as its question is open, each event right after the start. */
async function runForReal(prepared: PreparedSimulation, input: unknown): Promise<RunStatus> {
  const { definition, scenario } = prepared;
  const started = await startProcess(stack.client, stack.config, definition.shape.name, input, { faults: scenario.faults });
  for (const event of prepared.events)
    await sendEvent(stack.client, started.workflowId, { type: event.type, id: `real-${event.type}`, data: event.data });
  const answered = new Set<string>();
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const status = await getRunStatus(stack.client, started.workflowId);
    if (FINAL_RUN_STATES.includes(status.state) && status.execution.status !== 'RUNNING') return status;
    const description = await started.handle.describe();
    const runs = [
      status,
      ...(await Promise.all((description.raw.pendingChildren ?? []).map((c) => descendants(c.workflowId ?? ''))).then((x) => x.flat())),
    ];
    for (const run of runs)
      for (const q of run.questions.filter((x) => x.open && !answered.has(`${run.workflowId}:${x.id}`))) {
        const spec = scenario.answers.find((a) => a.question === q.id || a.question === q.step);
        if (!spec) continue;
        answered.add(`${run.workflowId}:${q.id}`);
        const base = { by: PERSON.operator, identity: PERSON, decisionId: decisionIdFor(q, spec.decision) };
        if (q.kind === 'escalation')
          await resolveEscalation(stack.client, run.workflowId, { ...base, step: q.step, action: spec.decision as 'abort' });
        else await answerQuestion(stack.client, run.workflowId, { ...base, question: q.id, decision: spec.decision });
      }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the real ${definition.shape.name} run did not end in time`);
}

/** The process runs under a child (a fan-out's items), with their statuses. */
async function descendants(workflowId: string): Promise<RunStatus[]> {
  if (!workflowId) return [];
  const description = await stack.client.workflow.getHandle(workflowId).describe();
  const below = (await Promise.all((description.raw.pendingChildren ?? []).map((c) => descendants(c.workflowId ?? '')))).flat();
  const own = await getRunStatus(stack.client, workflowId).catch(() => undefined);
  return own && Array.isArray(own.steps) ? [own, ...below] : below;
}

// Each simulation on a test server of its own, as the CLI does: a server whose clock a failed run with child runs left
// held (test server 1.31) would hold the next simulation's too.
const simulate = (prepared: PreparedSimulation) =>
  runSimulation(prepared, {
    config: stack.config,
    workflowBundle: { codePath: process.env.OVERTURE_TEST_WORKFLOW_BUNDLE! },
  });

/** A scenario per process: its input, and the faults, answers and events both runs get. */
const SCENARIOS: Array<{
  process: string;
  input: () => Record<string, unknown>;
  specs: Parameters<typeof prepareSimulation>[2];
  ends: string;
}> = [
  {
    process: 'onboarding',
    input: () => ({ ...example('onboarding'), employeeId: `SIM${Date.now().toString(36).toUpperCase()}` }),
    specs: { faults: ['createWorkspace=permanent'], answers: ['createWorkspace=skip@+5h'] },
    ends: 'completed',
  },
  {
    // acme-uk's bank statement does not match its books: the entity's reconciliation escalates, and is aborted a day on.
    process: 'financial-close',
    input: () => example('financial-close'),
    specs: { answers: ['reconcile=abort@+1d'] },
    ends: 'aborted',
  },
  {
    // A draft without links (nothing to probe), approved by the editor two hours after being asked, published at once.
    process: 'content-publishing',
    input: () => ({
      ...example('content-publishing'),
      contentId: `sim-${Date.now().toString(36)}`,
      body: '# Every step in its place\n\nOverture runs each step of a business process and asks a person when a step cannot succeed.\n',
    }),
    specs: { answers: ['editorialReview=approve@+2h'] },
    ends: 'completed',
  },
  {
    process: 'data-pipeline',
    input: () => example('data-pipeline'),
    specs: { faults: ['transform=transient:2'], answers: ['reviewRejects=approve@+1h', 'reviewQuality=approve@+1h'] },
    ends: 'completed',
  },
  {
    // The customer completes setup a day in: the welcome sequence stops.
    process: 'customer-onboarding',
    input: () => ({ ...example('customer-onboarding'), customerId: `C-SIM${Date.now().toString(36).toUpperCase()}` }),
    specs: { events: ['customer.setup-completed@+1d'] },
    ends: 'completed',
  },
];

it.each(SCENARIOS)('simulates $process as it runs for real', async ({ process: name, input: makeInput, specs, ends }) => {
  const input = makeInput();
  const prepared = prepareSimulation(name, input, specs);
  const began = Date.now();
  const report: SimulationReport = await simulate(prepared);
  const simulatedIn = Date.now() - began;
  const real = await runForReal(prepared, input);

  expect(report.finalState).toBe(real.state);
  expect(report.outcome).toBe(ends);
  expect(finalStates(report.steps)).toEqual(finalStates(real.steps));
  const simulatedOrder = startOrder(report.path.filter((e) => !e.detail.startsWith('[')).map((e) => ({ message: e.detail, step: e.step })));
  expect(simulatedOrder).toEqual(startOrder(real.log));
  // Nothing of the simulation reached the stack's outlets: the real run's emails are the only ones the receiver has.
  expect(stack.mail.messages().some((m) => m.subject.includes('simulation'))).toBe(false);
  console.log(
    `${name}: simulated ${report.outcome} after ${Math.round(report.endedAfterMs / 60_000)} min of simulated time in ${simulatedIn} ms (${report.wallClockMs} ms once the worker was up)`,
  );
});

it('simulates from the CLI with --json, and refuses a bad scenario before starting anything', async () => {
  const env = stack.env;
  const file = path.join(ROOT, 'examples', 'onboarding.json');
  const bad = await runOverture(
    ['simulate', 'onboarding', file, '--answer', 'createWorksp=skip@+2d', '--event', 'x@+1d', '--until', '+0'],
    env,
  );
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('unknown question createWorksp');
  expect(bad.stderr).toContain('the process takes hr.employee-hired');
  const ok = await runOverture(
    ['simulate', 'onboarding', file, '--fault', 'createWorkspace=permanent', '--no-answer', 'createWorkspace', '--json'],
    env,
  );
  expect(ok.code).toBe(0);
  const report = JSON.parse(ok.stdout) as SimulationReport;
  expect(report).toMatchObject({ process: 'onboarding', outcome: 'aborted', finalState: 'aborted' });
  // Nobody answers: a reminder at 4 h, the next contact at 24 h, the automatic abort at 72 h, on the run's clock.
  const at = (kind: string) => report.path.find((e) => e.kind === kind && e.step === 'createWorkspace')!.atMs;
  const opened = at('escalation');
  expect([at('reminder') - opened, at('hand-over') - opened, at('decision') - opened].map((ms) => Math.round(ms / 3_600_000))).toEqual([
    4, 24, 72,
  ]);
});
