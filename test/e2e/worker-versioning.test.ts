/**
 * Safe deploys of workflow changes: two builds of the worker (OVERTURE_BUILD_ID v1 and v2, separate processes) on
 * one task queue of a real Temporal dev server. A run started while v1 is current waits for a person; v2 is made
 * current; a new run then runs on v2 while the old one, once approved, finishes on v1 — every workflow task and
 * activity of each run on its own build, as its history shows. `overture deployment` shows v1 draining while its
 * run is open and drained once it closed. The dev server is this file's own: its drainage checks run every 2 s
 * instead of every 3 minutes, so the test sees v1 drain.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

import { findFreePort, startTemporalDevServer, type DevServer } from '../../src/tools/dev-stack/temporal-server';
import type { DeploymentDescription } from '../../src/temporal/deployments/deployments';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { eventually, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { kill, runOverture, spawnWorker, type WorkerProcess } from '../helpers/processes';
import { addOperator, envAs } from '../helpers/operators';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(180_000);

// Temporal's defaults are 3 minutes each: first check after the grace period, then every refresh interval.
const QUICK_DRAINAGE_CHECKS: Array<[string, string]> = [
  ['matching.wv.VersionDrainageStatusVisibilityGracePeriod', '"2s"'],
  ['matching.wv.VersionDrainageStatusRefreshInterval', '"2s"'],
];

let server: DevServer;
let stack: TestStack;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  const binary = process.env.OVERTURE_TEST_TEMPORAL_BINARY;
  if (!binary) throw new Error('OVERTURE_TEST_TEMPORAL_BINARY is not set: run the tests with jest (globalSetup provisions Temporal)');
  const dir = fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? '/tmp', 'versioning-'));
  server = await startTemporalDevServer({
    binary,
    port: await findFreePort(),
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
    logFile: path.join(dir, 'temporal.log'),
    dynamicConfig: QUICK_DRAINAGE_CHECKS,
  });
  stack = await startTestStack({ TEMPORAL_ADDRESS: server.address }, { worker: false });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => kill(w.child)));
  await stack?.stop();
  await server?.stop();
});

/** `overture deployment ...` as the stack's bootstrap admin (or as the given environment's operator). */
const deployment = (args: string[], env = stack.env) => runOverture(['deployment', ...args], env);

async function describe(): Promise<DeploymentDescription> {
  const out = await deployment(['describe', '--json']);
  if (out.code !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout) as DeploymentDescription;
}

/** Waits until Temporal has seen the build's workers poll, so it may be made current. */
const buildKnown = (buildId: string) =>
  eventually(async () => (await describe()).builds.find((b) => b.buildId === buildId), 30_000, `build ${buildId} in the deployment`);

/** The build and identity of each workflow task a run completed, and the identity of each activity task it ran. */
async function tasksOf(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const workflowTasks = events.flatMap((e) => {
    const done = e.workflowTaskCompletedEventAttributes;
    if (!done) return [];
    const behavior =
      done.versioningBehavior === null || done.versioningBehavior === undefined
        ? undefined
        : temporal.api.enums.v1.VersioningBehavior[done.versioningBehavior];
    return [
      { build: `${done.deploymentVersion?.deploymentName}.${done.deploymentVersion?.buildId}`, behavior, identity: done.identity ?? '' },
    ];
  });
  const activityIdentities = events.flatMap((e) =>
    e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.identity ?? ''] : [],
  );
  return { workflowTasks, activityIdentities };
}

/** The run's versioning as Temporal describes it: behavior and the build it is on. */
async function versioningOf(handle: WorkflowHandle) {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { behavior: temporal.api.enums.v1.VersioningBehavior[info?.behavior ?? 0], build: info?.deploymentVersion?.buildId };
}

it('a run started on build v1 finishes on v1 while v2 takes the new runs; v1 drains, and set-current refuses an unknown build', async () => {
  const nobody = await deployment(['describe', '--deployment', 'nobody']);
  expect(nobody).toMatchObject({ code: 1, stdout: '' });
  expect(nobody.stderr).toContain('no worker deployment "nobody" in namespace default: no worker with OVERTURE_BUILD_ID set');

  // Both builds start now (bundling the workflow code takes a while); only the current one gets new runs.
  const v1 = spawnWorker({ ...stack.env, OVERTURE_BUILD_ID: 'v1' });
  const v2 = spawnWorker({ ...stack.env, OVERTURE_BUILD_ID: 'v2' });
  workers.push(v1, v2);
  await v1.ready;
  expect(v1.output()).toContain(
    `worker polling task queue ${stack.config.TEMPORAL_TASK_QUEUE} on ${server.address} (namespace default), deployment version overture.v1 (pinned)`,
  );
  await buildKnown('v1');

  // A build none of whose workers has polled cannot take runs: a clear refusal, nothing changed.
  const unknown = await deployment(['set-current', 'v9']);
  expect(unknown).toMatchObject({ code: 1, stdout: '' });
  expect(unknown.stderr).toContain(
    'unknown build "v9" in deployment overture: no worker with OVERTURE_BUILD_ID=v9 has polled yet (start its workers first, then try again); known builds: ',
  );
  expect(unknown.stderr).toContain('v1 (inactive)');
  const badId = await deployment(['set-current', '../v1']);
  expect(badId.code).toBe(2);
  expect(badId.stderr).toContain('"../v1" is not a build id');
  // Only an admin moves the runs of everyone.
  const olga = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.olga', 'operator');
  const notAdmin = await deployment(['set-current', 'v1'], envAs(stack.env, olga));
  expect(notAdmin).toMatchObject({
    code: 1,
    stderr: 'refused: changing which build takes new runs needs the role admin or above; ops.olga is operator\n',
  });
  expect((await describe()).routing.current).toBeUndefined();

  const toV1 = await deployment(['set-current', 'v1']);
  expect(toV1.stderr).toBe('');
  expect(toV1).toMatchObject({ code: 0, stdout: 'deployment overture: new runs: build v1; no ramp (was: unversioned workers; no ramp)\n' });

  // The old run: a privileged hire waits at the approval gate, on v1.
  const oldRun = await startOnboarding(stack.client, stack.config, newHire({ role: 'admin' }));
  await statusWhen(stack, oldRun.workflowId, (s) => s.state === 'awaiting_approval', 'the approval gate', 30_000);
  expect(await versioningOf(oldRun.handle)).toEqual({ behavior: 'VERSIONING_BEHAVIOR_PINNED', build: 'v1' });

  // The rollout: v2 beside v1, then current. Temporal may refuse until it has seen v2 poll both the workflow and
  // the activity task queue; the refusal says so, and the same command succeeds once it has.
  await v2.ready;
  await buildKnown('v2');
  const toV2 = await eventually(
    async () => {
      const out = await deployment(['set-current', 'v2']);
      if (out.code !== 0) expect(out.stderr).toMatch(/missing active task queues|unknown build "v2"/);
      return out.code === 0 ? out : undefined;
    },
    30_000,
    'v2 current',
  );
  expect(toV2.stdout).toBe(
    'deployment overture: new runs: build v2; no ramp (was: build v1; no ramp); runs pinned to v1 finish there: watch it drain with overture deployment describe, then stop its workers\n',
  );
  const again = await deployment(['set-current', 'v2']);
  expect(again).toMatchObject({ code: 0, stdout: 'deployment overture unchanged: new runs: build v2; no ramp\n' });

  // The builds' summaries follow the routing change within moments.
  const during = await eventually(
    async () => {
      const d = await describe();
      return d.builds.some((b) => b.buildId === 'v1' && b.drainage === 'draining') ? d : undefined;
    },
    15_000,
    'v1 draining',
  );
  expect(during.routing).toMatchObject({ current: 'v2' });
  expect(during.lastModifiedBy).toBe('overture-cli:admin');
  expect(during.builds.find((b) => b.buildId === 'v1')).toMatchObject({ status: 'draining', drainage: 'draining' });
  const text = await deployment(['describe']);
  expect(text.stdout).toMatch(/^v1\s+draining\s+runs pinned to it may still be open.*: keep its workers running$/m);
  expect(text.stdout).toMatch(/^v2\s+current\s+takes new runs since /m);

  // A new run goes to v2 and completes there.
  // Its email and team post fail once on the fast path, so each moves to a regular activity (several tasks, as the old run).
  const newRun = await startOnboarding(stack.client, stack.config, newHire(), {
    faults: { sendWelcomeEmail: { kind: 'transient', failures: 1 }, notifyTeam: { kind: 'transient', failures: 1 } },
  });
  await expect(newRun.handle.result()).resolves.toMatchObject({ state: 'completed' });

  // The old run goes on when approved, and completes on v1 although v2 is current.
  const approved = await runOverture(['approve', oldRun.workflowId, '--decision', 'approve'], stack.env);
  expect(approved).toMatchObject({ code: 0, stdout: 'approve by admin\n' });
  await expect(oldRun.handle.result()).resolves.toMatchObject({ state: 'completed' });

  const oldTasks = await tasksOf(oldRun.handle);
  const newTasks = await tasksOf(newRun.handle);
  // Each run had several workflow tasks (the approval alone splits the old one in two) and regular activities (the
  // old run's approval notices; the new run's email and post after their failed fast attempts).
  expect(oldTasks.workflowTasks.length).toBeGreaterThanOrEqual(3);
  expect(newTasks.workflowTasks.length).toBeGreaterThanOrEqual(2);
  expect(oldTasks.activityIdentities.length).toBeGreaterThanOrEqual(2);
  expect(newTasks.activityIdentities.length).toBeGreaterThanOrEqual(2);
  expect(new Set(oldTasks.workflowTasks.map((t) => `${t.build} ${t.behavior}`))).toEqual(
    new Set(['overture.v1 VERSIONING_BEHAVIOR_PINNED']),
  );
  expect(new Set(newTasks.workflowTasks.map((t) => `${t.build} ${t.behavior}`))).toEqual(
    new Set(['overture.v2 VERSIONING_BEHAVIOR_PINNED']),
  );
  // The same by process: the worker's identity is its pid@host.
  const byProcess = (identities: string[]) => new Set(identities.map((i) => i.split('@')[0]));
  expect(byProcess([...oldTasks.workflowTasks.map((t) => t.identity), ...oldTasks.activityIdentities])).toEqual(
    new Set([String(v1.child.pid)]),
  );
  expect(byProcess([...newTasks.workflowTasks.map((t) => t.identity), ...newTasks.activityIdentities])).toEqual(
    new Set([String(v2.child.pid)]),
  );
  expect(await versioningOf(oldRun.handle)).toEqual({ behavior: 'VERSIONING_BEHAVIOR_PINNED', build: 'v1' });
  expect(await versioningOf(newRun.handle)).toEqual({ behavior: 'VERSIONING_BEHAVIOR_PINNED', build: 'v2' });

  // With its last pinned run closed, v1 drains: the operator sees its workers may be stopped.
  await eventually(async () => (await describe()).builds.find((b) => b.buildId === 'v1' && b.status === 'drained'), 45_000, 'v1 drained');
  const drained = await deployment(['describe']);
  expect(drained.stdout).toMatch(/^v1\s+drained\s+no open run is pinned to it.*: its workers may be stopped$/m);
  const listed = await deployment(['list']);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(/^overture {2}new runs: build v2; no ramp/);
});

it('ramps a share of new runs to a build and ends the ramp, refusing what cannot be ramped', async () => {
  const v3 = spawnWorker({ ...stack.env, OVERTURE_BUILD_ID: 'v3' });
  workers.push(v3);
  await v3.ready;
  await buildKnown('v3');
  const ramp = await eventually(
    async () => {
      const out = await deployment(['ramp', 'v3', '25']);
      if (out.code !== 0) expect(out.stderr).toMatch(/missing active task queues/);
      return out.code === 0 ? out : undefined;
    },
    30_000,
    'v3 ramping',
  );
  expect(ramp.stdout).toBe('deployment overture: new runs: build v2; 25% to build v3 (was: build v2; no ramp)\n');
  await eventually(async () => (await describe()).builds.find((b) => b.buildId === 'v3' && b.status === 'ramping'), 15_000, 'v3 ramping');
  expect((await describe()).routing).toEqual({
    current: 'v2',
    ramping: { buildId: 'v3', percentage: 25 },
    changedAt: expect.any(String) as unknown,
  });

  const current = await deployment(['ramp', 'v2', '10']);
  expect(current).toMatchObject({
    code: 1,
    stderr: 'build v2 is already current in deployment overture: it takes every new run, there is nothing to ramp\n',
  });
  const tooMuch = await deployment(['ramp', 'v3', '101']);
  expect(tooMuch.code).toBe(2);
  expect(tooMuch.stderr).toContain('ramp takes a PERCENT from 0 to 100, not "101"');

  const cleared = await deployment(['ramp', '--clear']);
  expect(cleared).toMatchObject({ code: 0, stdout: 'deployment overture: new runs: build v2; no ramp (was: build v2; 25% to build v3)\n' });
  expect((await describe()).routing).toEqual(expect.not.objectContaining({ ramping: expect.anything() as unknown }));
});
