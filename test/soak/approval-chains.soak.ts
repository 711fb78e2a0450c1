/**
 * 500 runs that wait on a manager's approval (onboardings of privileged hires), each decided the way people and
 * their tools really send decisions: once before the question is asked, then — once it is — the same decision
 * twice at the same moment under its one decision id, a third copy as the first is applied, and the same approval
 * from another channel under an id of its own. Each decision must be applied exactly once, as the run itself
 * records it (its log and its question's audit record), and none lost: every run goes on and completes.
 *
 * The product's contract for an early decision (workflows/kit/decision-desk.ts): a run refuses an answer to a
 * question it has not asked ("this run is not waiting for an approval or an answer"), and keeps no trace of it;
 * the sender sends it again once the question is open. Receipts are reported, not judged: the run's own record is.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { answerQuestion, decisionIdFor, getRunStatus } from '../../src/client';
import type { QuestionAnswer, RunStatus } from '../../workflows/kit/types';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { identityOf } from '../helpers/operators';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';
import { inPool, median, percentile, reportFigures, secondsSince, soakSize } from './figures';
import { patientOptions } from './patient-options';
import { startWorkerChaos, type WorkerChaos } from './worker-chaos';

const CHAINS = soakSize('SOAK_APPROVALS', 500);
const MANAGER = 'soak.manager@example.com';
const NOT_ASKED = 'this run is not waiting for an approval or an answer';
/** Runs in flight at once: each polls its status about once a second while it waits for its question. */
const IN_FLIGHT = 80;

let stack: TestStack;
let workers: WorkerChaos | undefined;

beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
});
afterAll(async () => {
  await workers?.stop();
  await stack?.stop();
});

/** What became of each copy of a decision: its receipt, or the run's refusal. */
type Delivery = { applied: boolean; repeat?: boolean } | { refused: string };

async function deliver(workflowId: string, answer: QuestionAnswer): Promise<Delivery> {
  try {
    const receipt = await answerQuestion(stack.client, workflowId, answer);
    return { applied: receipt.applied, repeat: receipt.repeat === true };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return { refused: err.cause?.message ?? err.message };
    // A copy that meets the run as it closes is answered so: nothing was applied.
    if (err instanceof WorkflowNotFoundError) return { refused: `run closed: ${err.message}` };
    throw err;
  }
}

interface Chain {
  workflowId: string;
  early: Delivery;
  copies: Delivery[];
  final: RunStatus;
  state: string;
  grants: number;
  ms: number;
  /** Milliseconds from the start to the early decision's answer, to the question, to the last copy's answer, to the end. */
  phases: number[];
}

const approvalOpen = (status: RunStatus) => status.questions.some((q) => q.kind === 'approval' && q.open);

/**
 * The run's status once it asks for its approval (or stops running), polled every 750 ms for up to a minute: with
 * hundreds of runs waiting at once, tighter polling would spend the CPU the runs need.
 */
async function untilAsked(workflowId: string): Promise<RunStatus | undefined> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const status = await getRunStatus(stack.client, workflowId).catch(() => undefined);
    if (status && (approvalOpen(status) || status.state !== 'running')) return status;
    await new Promise((resolve) => setTimeout(resolve, 750));
  }
  return undefined;
}

it(`${CHAINS} approval chains with decisions early, twice and concurrently: 0 lost, 0 double-applied`, async () => {
  const startedAt = Date.now();
  // Two worker processes; no kills here (the onboarding soak has those): what is judged is the decisions' path.
  workers = await startWorkerChaos(stack.env, 2, 3_600_000);
  const manager = { by: 'soak.manager', identity: identityOf('soak.manager', 'approver', MANAGER) };

  const chains = await inPool(
    Array.from({ length: CHAINS }, () => newHire({ role: 'admin', managerEmail: MANAGER })),
    IN_FLIGHT,
    async (hire): Promise<Chain> => {
      const began = Date.now();
      // A slow directory keeps the question unasked for a while: the early decision meets a run that is not yet
      // waiting. A slow chat service keeps the run open after the answer: the late copy meets the run, not its end.
      const run = await startOnboarding(stack.client, stack.config, hire, {
        tuneOptions: patientOptions,
        faults: { createAccount: { kind: 'latency', ms: 600 }, notifyTeam: { kind: 'latency', ms: 1_000 } },
      });
      const { workflowId } = run;
      // The decision id every client makes for this question (src/client/decisions.ts); the early copy already carries it.
      const decisionId = decisionIdFor({ id: 'assignPermissions/approval#1' }, 'approve');
      const approve = { decision: 'approve', reason: 'soak', decisionId, ...manager };
      const early = await deliver(workflowId, approve);
      const earlyAt = Date.now();

      const asked = await untilAsked(workflowId);
      const askedAt = Date.now();
      const question = asked?.questions.find((q) => q.kind === 'approval');
      const copies: Delivery[] = [];
      if (question) {
        const id = decisionIdFor(question, 'approve');
        // Twice at once under one id (a double click), and the same approval by another channel under its own id.
        const concurrent = [
          deliver(workflowId, { ...approve, decisionId: id }),
          deliver(workflowId, { ...approve, decisionId: id }),
          deliver(workflowId, { ...approve, decisionId: `link-${workflowId}` }),
        ];
        copies.push(...(await Promise.all(concurrent)));
        // Once more after the answer is in: a retried command.
        copies.push(await deliver(workflowId, { ...approve, decisionId: id }));
      }
      const decidedAt = Date.now();
      const state = await run.handle.result().then(
        (r) => r.state,
        (err: unknown) => `failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      // The run has ended: a worker answers the query by replaying it, behind every chain still in flight on 2 cores.
      // What this soak counts is lost and double-applied decisions, not query latency: a minute, not the CLI's 10 s.
      const final = await getRunStatus(stack.client, workflowId, 60_000);
      const grants = stack.directory.inventory(hire.employeeId).grants.filter((g) => g === 'admin').length;
      const phases = [earlyAt - began, askedAt - earlyAt, decidedAt - askedAt, Date.now() - decidedAt];
      return { workflowId, early, copies, final, state, grants, ms: Date.now() - began, phases };
    },
  );
  await workers.stop();
  workers = undefined;

  const applications = (c: Chain) => c.final.log.filter((l) => l.message.startsWith('approval granted by')).length;
  const decided = (c: Chain) => c.final.questions.filter((q) => q.kind === 'approval' && q.decision?.action === 'approve').length;
  const lost = chains.filter((c) => c.state !== 'completed' || applications(c) === 0);
  const doubleApplied = chains.filter((c) => applications(c) > 1 || decided(c) > 1 || c.grants > 1);
  const earlyRefused = chains.filter((c) => 'refused' in c.early && c.early.refused === NOT_ASKED).length;
  const earlyApplied = chains.filter((c) => 'applied' in c.early && c.early.applied).length;
  const earlyOther = chains.filter((c) => !('applied' in c.early) && !('refused' in c.early && c.early.refused === NOT_ASKED));
  const copies = chains.flatMap((c) => c.copies);
  const appliedReceipts = copies.filter((d) => 'applied' in d && d.applied).length;
  const times = chains.map((c) => c.ms);
  reportFigures('approval chains with early, repeated and concurrent decisions', {
    chains: CHAINS,
    'decisions sent': chains.length + copies.length,
    'early decisions refused (not asked yet) / applied': `${earlyRefused} / ${earlyApplied}`,
    'copies sent once asked (2 concurrent same id, 1 other channel, 1 retry)': copies.length,
    'copies answered applied:true / repeat / refused': `${appliedReceipts} / ${copies.filter((d) => 'repeat' in d && d.repeat).length} / ${copies.filter((d) => 'refused' in d).length}`,
    completed: chains.filter((c) => c.state === 'completed').length,
    lost: lost.length,
    'double-applied': doubleApplied.length,
    'chain time median / p95': `${median(times)} / ${percentile(times, 95)} ms`,
    'median ms: start+early decision / until asked / copies / until completed': [0, 1, 2, 3]
      .map((i) => median(chains.map((c) => c.phases[i]!)))
      .join(' / '),
    'wall time': secondsSince(startedAt),
  });
  expect(lost.map((c) => `${c.workflowId}: ${c.state}, ${applications(c)} applications`)).toEqual([]);
  expect(doubleApplied.map((c) => `${c.workflowId}: ${applications(c)} log lines, ${decided(c)} decisions, ${c.grants} grants`)).toEqual(
    [],
  );
  // An early decision is refused clearly (and sent again), never swallowed: a run that had asked already may take it.
  expect(earlyOther.map((c) => `${c.workflowId}: ${JSON.stringify(c.early)}`)).toEqual([]);
}, 1_800_000);
