/**
 * The native cluster (`npm run cluster`): the full Temporal server 1.29.1 on a private PostgreSQL with 4 history
 * shards, not the dev server. Onboardings run to completion on it with each welcome email sent once, and a
 * SIGKILL of the server in the middle of runs loses none of them once accepted.
 *
 * The first run on a machine builds the server with Go (a few minutes on 2 cores) unless `.ci/run` or
 * `npm run cluster:provision` did it already.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { findFreeClusterPorts, startNativeCluster, type NativeCluster } from '../../src/tools/cluster/native-cluster';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';
import type { NewHire } from '../../workflows/onboarding/types';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

/** Runs per test: the 200 by default; OVERTURE_TEST_CLUSTER_RUNS sets another count. */
const RUNS = Number(process.env.OVERTURE_TEST_CLUSTER_RUNS ?? 200);
// A cold Go build of the server takes minutes; a warm start takes seconds.
jest.setTimeout(15 * 60_000);

let dataDir: string;
let cluster: NativeCluster;
let stack: TestStack;
const progress: string[] = [];

beforeAll(async () => {
  // PostgreSQL runs as `postgres` when the tests run as root: its data must sit under a directory it can enter.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-cluster-'));
  fs.chmodSync(dataDir, 0o755);
  cluster = await startNativeCluster({ dataDir, ...(await findFreeClusterPorts()), log: (line) => progress.push(line) });
  stack = await startTestStack({ TEMPORAL_ADDRESS: cluster.address });
});
afterAll(async () => {
  await stack?.stop();
  await cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Team notifications of the onboardings so far, by their idempotency key. */
const teamPosts = () =>
  stack.webhooks
    .received()
    .map((w) => String(w.headers['x-idempotency-key'] ?? ''))
    .filter((key) => key.includes('notifyTeam'));
const welcomes = (hire: NewHire) =>
  stack.mail.messages().filter((m) => m.to.includes(hire.email) && m.subject.startsWith('Welcome')).length;

it('is the full server on PostgreSQL with 4 history shards, set up with the namespace and search attributes', async () => {
  const info = await stack.client.connection.workflowService.getClusterInfo({});
  expect({
    persistence: info.persistenceStore,
    visibility: info.visibilityStore,
    shards: info.historyShardCount,
    version: info.serverVersion,
  }).toEqual({
    persistence: 'postgres12',
    visibility: 'postgres12',
    shards: 4,
    version: '1.29.1',
  });
  const attributes = await stack.client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  expect(Object.keys(attributes.customAttributes ?? {}).sort()).toEqual([
    'OvertureNeedsAttention',
    'OvertureProcess',
    'OvertureStatus',
    'OvertureStep',
    'OvertureWaitingFor',
    'OvertureWaitingSince',
  ]);
  expect(progress.join('\n')).toContain(`Temporal server ready on ${cluster.address}`);
  expect(fs.existsSync(path.join(dataDir, 'cluster', 'pg', 'PG_VERSION'))).toBe(true);
  expect(cluster.pgUrl).toMatch(/^postgresql:\/\/temporal:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
});

it(`runs ${RUNS} onboardings to completion, each welcome email exactly once, findable through SQL visibility`, async () => {
  const hires = Array.from({ length: RUNS }, () => newHire());
  const runs = await Promise.all(hires.map((hire) => startOnboarding(stack.client, stack.config, hire)));
  const results = await Promise.all(runs.map((r) => r.handle.result() as Promise<{ state?: string }>));
  expect(results.map((r) => r.state)).toEqual(runs.map(() => 'completed'));
  expect(hires.map(welcomes)).toEqual(hires.map(() => 1));

  const query = `OvertureProcess = 'onboarding' AND TaskQueue = '${stack.config.TEMPORAL_TASK_QUEUE}' AND ExecutionStatus = 'Completed'`;
  await eventually(
    async () => ((await stack.client.workflow.count(query)).count === RUNS ? true : undefined),
    30_000,
    `${RUNS} completed runs in visibility`,
  );
});

it('loses no accepted run when the server is killed with SIGKILL in the middle of runs and restarted on the same database', async () => {
  const postsBefore = teamPosts().length;
  const hires = Array.from({ length: RUNS }, () => newHire());
  const runs = await Promise.all(hires.map((hire) => startOnboarding(stack.client, stack.config, hire)));
  let completed = 0;
  const outcomes = runs.map((r) => (r.handle.result() as Promise<{ state?: string }>).then((result) => ((completed += 1), result)));
  // Kill it while runs are in flight: some have sent their welcome, the rest not yet.
  await eventually(() => hires.some((h) => welcomes(h) > 0) || undefined, 60_000, 'the first welcome email');
  const before = cluster.serverPid;
  await cluster.killServer('SIGKILL');
  const completedWhenKilled = completed;
  await cluster.restartServer();
  expect(cluster.serverPid).not.toBe(before);

  const results = await Promise.all(outcomes);
  expect(results.map((r) => r.state)).toEqual(runs.map(() => 'completed'));
  expect(hires.map(welcomes)).toEqual(hires.map(() => 1));
  // One team notification per run, none posted twice.
  const posts = teamPosts().slice(postsBefore);
  expect({ posts: posts.length, distinct: new Set(posts).size }).toEqual({ posts: RUNS, distinct: RUNS });
  // The kill did land mid-flight, not after every run had finished.
  expect(completedWhenKilled).toBeLessThan(RUNS);
});
