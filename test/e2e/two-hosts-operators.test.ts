/**
 * Two "hosts" on the native cluster sharing the operators, the used approval links and the event receipts on its
 * PostgreSQL (OPERATORS_URL, APPROVAL_LINKS_URL, EVENT_RECEIPTS_URL), each with its own data directory and worker:
 * - an operator made with host A's CLI decides on a run with host B's CLI and signs in to host B's console, and the
 *   decision is recorded as that operator;
 * - the same event posted to host A's and host B's gateways (two processes) at once, several times, starts one run
 *   and reaches it once;
 * - an approval link used on host A's console is refused on host B's.
 * One cluster for the file; the counts are printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { getRunStatus } from '../../src/client';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { loadLinkKey, newNonce, signLink } from '../../src/approval-links';
import { signedHeaders, unixSeconds } from '../../src/apps/events/signature';
import { findFreePort } from '../../src/tools/dev-stack/temporal-server';
import { findFreeClusterPorts, startNativeCluster, type NativeCluster } from '../../src/tools/cluster/native-cluster';
import { kill, ROOT, runOverture, spawnWorker, type WorkerProcess } from '../helpers/processes';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(10 * 60_000);

const HIRED = 'hr.employee-hired';
const HR_SECRET = 'h'.repeat(64);
/** Events posted to both gateways, and copies of each posted at once (half to each gateway). */
const EVENTS = 5;
const COPIES = 8;

let tmp: string;
let cluster: NativeCluster;
let stack: TestStack;
const children: ChildProcess[] = [];
const consoles: RunningConsole[] = [];

/** The environment of one host: the shared cluster and stores, its own data directory. */
function hostEnv(name: string): Record<string, string> {
  const dataDir = path.join(tmp, name, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  return { ...stack.env, OVERTURE_DATA_DIR: dataDir, APPROVAL_LINK_KEY_FILE: path.join(tmp, 'link-key') };
}

beforeAll(async () => {
  // PostgreSQL runs as `postgres` when the tests run as root: its data must sit under a directory it can enter.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-two-hosts-operators-'));
  fs.chmodSync(tmp, 0o755);
  cluster = await startNativeCluster({ dataDir: path.join(tmp, 'cluster-data'), ...(await findFreeClusterPorts()) });
  // One database for the three stores (their migration sets are apart); it is created by the first host to open it.
  const shared = new URL(cluster.pgUrl);
  shared.pathname = '/overture_shared';
  stack = await startTestStack(
    {
      TEMPORAL_ADDRESS: cluster.address,
      OPERATORS_URL: shared.toString(),
      APPROVAL_LINKS_URL: shared.toString(),
      EVENT_RECEIPTS_URL: shared.toString(),
      EVENT_SOURCES: JSON.stringify({ hr: { secret: HR_SECRET, types: [HIRED] } }),
    },
    { worker: false },
  );
  const workers: WorkerProcess[] = ['host-a', 'host-b'].map((host) => spawnWorker(hostEnv(host), { cwd: path.join(tmp, host) }));
  children.push(...workers.map((w) => w.child));
  await Promise.all(workers.map((w) => w.ready));
});
afterAll(async () => {
  await Promise.all(consoles.map((c) => c.stop()));
  await Promise.all(children.map((c) => kill(c, 'SIGTERM')));
  await stack?.stop();
  await cluster?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Host `name`'s console, in this process with that host's configuration. */
async function consoleOf(name: string): Promise<RunningConsole> {
  const config = { ...loadConfig(hostEnv(name)), CONSOLE_SIGNIN_FAILURES_PER_MINUTE: 100 };
  const running = await startOperatorConsole({ client: stack.client, config, host: '127.0.0.1', port: await findFreePort() });
  consoles.push(running);
  return running;
}

/** Starts host `name`'s event gateway as its own process (`npm run events`); resolves with its URL once it listens. */
async function gatewayOf(name: string): Promise<string> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(ROOT, 'src', 'apps', 'events', 'server.ts')], {
    cwd: path.join(tmp, name),
    env: { ...process.env, ...hostEnv(name), EVENTS_HOST: '127.0.0.1', EVENTS_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`the ${name} gateway exited:\n${output}`);
      return output.includes('event gateway: POST') ? true : undefined;
    },
    60_000,
    `the ${name} gateway`,
  );
  return `http://127.0.0.1:${port}`;
}

it('verifies on host B a token made with host A’s CLI, and records host B’s decision as that operator', async () => {
  const added = await runOverture(['operators', 'add', 'ada.lovelace', '--role', 'operator', '--json'], hostEnv('host-a'));
  expect(added).toMatchObject({ code: 0, stderr: '' });
  const { token } = JSON.parse(added.stdout) as { token: string };
  // Neither host keeps an operators file: the store is the shared one.
  for (const host of ['host-a', 'host-b']) expect(fs.existsSync(path.join(tmp, host, 'data', 'operators.db'))).toBe(false);

  const run = await startOnboarding(stack.client, stack.config, newHire(), {
    tuneOptions: fastOptions(),
    faults: { createWorkspace: { kind: 'permanent' } },
  });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'needs_attention', 'escalation');
  const decided = await runOverture(
    ['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'retry', '--reason', 'disk replaced'],
    {
      ...hostEnv('host-b'),
      OVERTURE_TOKEN: token,
    },
  );
  expect(decided).toMatchObject({ code: 0, stderr: '', stdout: 'retry createWorkspace by ada.lovelace\n' });
  const decision = (await getRunStatus(stack.client, run.workflowId)).questions.find((q) => q.step === 'createWorkspace')?.decision;
  expect(decision).toMatchObject({ action: 'retry', by: 'ada.lovelace', via: 'cli', role: 'operator' });

  // Host B's console signs the same operator in, and refuses the token once host A's CLI rotated it.
  const consoleB = await consoleOf('host-b');
  const session = (bearer: string) => fetch(`${consoleB.url}/api/session`, { headers: { Authorization: `Bearer ${bearer}` } });
  const signedIn = await session(token);
  expect(signedIn.status).toBe(200);
  expect(await signedIn.json()).toMatchObject({ operator: 'ada.lovelace', role: 'operator' });
  expect((await runOverture(['operators', 'rotate-token', 'ada.lovelace'], hostEnv('host-a'))).code).toBe(0);
  expect((await session(token)).status).toBe(401);
  console.info(
    `operators across hosts: made on host A, decided on host B as ${decision?.by} (${decision?.via}); rotated on A, refused on B`,
  );
});

it('starts one run for an event posted to two gateways at once, and delivers it once', async () => {
  const gateways = await Promise.all([gatewayOf('host-a'), gatewayOf('host-b')]);
  const answers = new Map<number, number>();
  const signals: number[] = [];
  const runs: number[] = [];
  for (let round = 0; round < EVENTS; round++) {
    const hire = newHire();
    const body = JSON.stringify({ id: `hris-${hire.employeeId}`, data: hire });
    // Each copy signed afresh (a sender's retries are), so that only the receipts, not the replay check, can tell copies apart:
    // each a second older than the one before, from one clock reading (read per copy, a second's tick could give two
    // copies the same time, hence the same signature, which the replay check refuses with 401).
    const now = unixSeconds();
    const copies = Array.from({ length: COPIES }, (_, i) =>
      fetch(`${gateways[i % 2]}/events/${HIRED}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...signedHeaders('hr', HR_SECRET, body, now - i) },
        body,
      }),
    );
    for (const response of await Promise.all(copies)) answers.set(response.status, (answers.get(response.status) ?? 0) + 1);
    const workflowId = `onboarding-${hire.employeeId}`;
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    signals.push((history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length);
    runs.push(await eventually(async () => (await countRuns(workflowId)) || undefined, 30_000, `${workflowId} in visibility`));
  }
  console.info(
    `one event to two gateways at once, ${EVENTS} times with ${COPIES} copies each: runs started per event ${runs.join(', ')}; ` +
      `event signals per run ${signals.join(', ')}; answers ${[...answers].map(([status, n]) => `${n}×${status}`).join(', ')}`,
  );
  expect(runs).toEqual(runs.map(() => 1));
  expect(signals).toEqual(signals.map(() => 1));
  expect(answers.get(202)).toBe(EVENTS);
  // The other copies were told the event is being delivered (409, retry) or was delivered (200, duplicate).
  expect((answers.get(409) ?? 0) + (answers.get(200) ?? 0)).toBe(EVENTS * (COPIES - 1));
});

/** The runs Temporal has for a workflow id (open and closed). */
async function countRuns(workflowId: string): Promise<number> {
  let n = 0;
  for await (const execution of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    if (execution.workflowId === workflowId) n += 1;
  return n;
}

it('refuses on host B an approval link used on host A', async () => {
  const [consoleA, consoleB] = [await consoleOf('host-a'), consoleOf('host-b')];
  const hire = newHire({ role: 'admin', managerEmail: 'approving.manager@example.com' });
  const run = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
  const status = await statusWhen(stack, run.workflowId, (s) => s.questions.some((q) => q.kind === 'approval' && q.open), 'approval');
  const question = status.questions.find((q) => q.kind === 'approval')!;
  const key = loadLinkKey(path.join(tmp, 'link-key'));
  const link = signLink(key, {
    workflowId: run.workflowId,
    question: question.id,
    decision: 'approve',
    approver: 'approving.manager@example.com',
    expiresAt: Date.now() + 3_600_000,
    nonce: newNonce(),
  });
  const confirm = (at: RunningConsole) =>
    fetch(`${at.url}/act`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: at.url },
      body: new URLSearchParams({ t: link }).toString(),
    });
  const onA = await confirm(consoleA);
  expect(onA.status).toBe(200);
  const b = await consoleB;
  const opened = await fetch(`${b.url}/act?t=${encodeURIComponent(link)}`);
  const onB = await confirm(b);
  const text = await onB.text();
  console.info(`approval link: used on host A (${onA.status}), opened on host B (${opened.status}), confirmed on host B (${onB.status})`);
  expect([opened.status, onB.status]).toEqual([409, 409]);
  expect(text).toContain('This link was already used, by approving.manager@example.com');
  expect((await getRunStatus(stack.client, run.workflowId)).questions.find((q) => q.id === question.id)?.decision).toMatchObject({
    action: 'approve',
    via: 'email-link',
  });
});
