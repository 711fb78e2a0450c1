/**
 * Finding runs through search attributes: filters return exactly the runs that match, on a mix of
 * completed, escalated, waiting-for-approval and running runs; those waiting longest come first.
 */
import { listRuns, type ListFilters } from '../../../src/client';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { runOverture } from '../../helpers/processes';
import { newHire, startOnboarding } from './helpers';

let stack: TestStack;
const ids = { completed: [] as string[], escalated: [] as string[], approval: '', running: '' };

beforeAll(async () => {
  stack = await startTestStack();
  const start = (hire = newHire(), faults = {}) =>
    startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions(), faults });
  for (let i = 0; i < 2; i += 1) {
    const run = await start();
    await run.handle.result();
    ids.completed.push(run.workflowId);
  }
  for (let i = 0; i < 2; i += 1) {
    const run = await start(newHire(), { createWorkspace: { kind: 'permanent' } });
    await statusWhen(stack, run.workflowId, (s) => s.state === 'needs_attention', 'escalation');
    ids.escalated.push(run.workflowId);
  }
  const approval = await start(newHire({ role: 'admin' }));
  await statusWhen(stack, approval.workflowId, (s) => s.state === 'awaiting_approval', 'approval');
  ids.approval = approval.workflowId;
  const running = await start(newHire(), { createAccount: { kind: 'latency', ms: 60_000 } });
  await statusWhen(stack, running.workflowId, (s) => s.steps[0]!.state === 'running', 'running');
  ids.running = running.workflowId;
}, 90_000);

afterAll(async () => {
  for (const id of [...ids.escalated, ids.approval, ids.running])
    await stack.client.workflow
      .getHandle(id)
      .terminate('test done')
      .catch(() => undefined);
  await stack.stop();
});

/** The workflow IDs a filter returns, once visibility has caught up with the expected count. */
async function matching(filters: ListFilters, expected: number): Promise<string[]> {
  return eventually(
    async () => {
      const runs = await listRuns(stack.client, { ...filters, taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
      return runs.length === expected ? runs.map((r) => r.workflowId) : undefined;
    },
    15_000,
    `${expected} runs for ${JSON.stringify(filters)}`,
  );
}

it('filters by status', async () => {
  expect((await matching({ state: 'completed' }, 2)).sort()).toEqual([...ids.completed].sort());
  expect(await matching({ state: 'running' }, 1)).toEqual([ids.running]);
  expect(await matching({ state: 'awaiting_approval' }, 1)).toEqual([ids.approval]);
  expect((await matching({ state: 'needs_attention' }, 2)).sort()).toEqual([...ids.escalated].sort());
});

it('finds every run that needs a person, longest waiting first', async () => {
  expect(await matching({ needsAttention: true }, 3)).toEqual([...ids.escalated, ids.approval]);
  expect((await matching({ needsAttention: false }, 3)).sort()).toEqual([...ids.completed, ids.running].sort());
});

it('filters by process', async () => {
  expect(await matching({}, 6)).toHaveLength(6);
  expect(await matching({ process: 'month-end-close' }, 0)).toEqual([]);
});

it('offers the same filters on the CLI', async () => {
  const result = await runOverture(['list', '--needs-attention', '--task-queue', stack.config.TEMPORAL_TASK_QUEUE, '--json'], stack.env);
  expect(result.code).toBe(0);
  const runs = JSON.parse(result.stdout) as Array<{ workflowId: string; needsAttention: boolean; step: string; waitingSince: string }>;
  expect(runs.map((r) => r.workflowId)).toEqual([...ids.escalated, ids.approval]);
  expect(runs[0]).toMatchObject({ needsAttention: true, step: 'createWorkspace' });
  expect(runs[2]).toMatchObject({ step: 'assignPermissions' });
});

it('no longer counts a run that was terminated while it waited', async () => {
  const run = await startOnboarding(stack.client, stack.config, newHire(), {
    tuneOptions: fastOptions(),
    faults: { notifyTeam: { kind: 'permanent' } },
  });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'needs_attention', 'escalation');
  await matching({ needsAttention: true }, 4);
  await run.handle.terminate('hire withdrew; cleaned up by hand');
  expect(await matching({ needsAttention: true }, 3)).not.toContain(run.workflowId);
  const all = await listRuns(stack.client, { taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
  expect(all.find((r) => r.workflowId === run.workflowId)).toMatchObject({ state: 'terminated', needsAttention: false });
});
