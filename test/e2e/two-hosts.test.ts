/**
 * Two "hosts" on the native cluster: two worker processes, each with its own working directory and data
 * directory (so nothing on disk is shared), sharing only the Temporal server and the PostgreSQL delivery ledger,
 * directory and system health records. 200 onboardings run in two waves while one of them is killed with SIGKILL in each (and started again each
 * time, as a supervisor would): every run completes, and each welcome email and team notification goes out once.
 *
 * "Once" as the recipient sees it: one message per Message-ID (email) and per X-Idempotency-Key (webhook). The
 * ledger cannot make SMTP or a plain webhook POST atomic with its receipt: a message the relay accepted in the
 * instant before the SIGKILL, whose receipt the dead worker never wrote, is sent again by the retry, with the same
 * Message-ID and key, so that mail systems and webhook consumers drop it (src/stores/delivery-ledger/postgres-ledger.ts). The
 * test checks what the ledger promises: no copy of a message arrives after its receipt was written (never a second
 * send of a finished delivery), judged against the receipts' times in the shared ledger. How long before a kill each
 * repeat's first copy came is printed: the window a SIGKILL leaves open.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';

import { findFreeClusterPorts, startNativeCluster, type NativeCluster } from '../../src/tools/cluster/native-cluster';
import { getRunStatus } from '../../src/client';
import { GREETING_DELAY_MS, overlappingWelcome, START_TO_CLOSE_MS } from '../helpers/overlap';
import { kill, spawnWorker, type WorkerProcess } from '../helpers/processes';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';
import type { NewHire } from '../../workflows/onboarding/types';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';
import { messageIdFor } from '../../activities/kit/mail';

/** The issue's scale; OVERTURE_TEST_CLUSTER_RUNS sets another count. */
const RUNS = Number(process.env.OVERTURE_TEST_CLUSTER_RUNS ?? 200);
jest.setTimeout(15 * 60_000);

let tmp: string;
let cluster: NativeCluster;
let stack: TestStack;
let ledgerUrl: string;
let directoryUrl: string;
const workers: WorkerProcess[] = [];

/** A database URL on the cluster's PostgreSQL: its `postgres` URL with another database name. */
function databaseUrl(name: string): string {
  const url = new URL(cluster.pgUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

beforeAll(async () => {
  // PostgreSQL runs as `postgres` when the tests run as root: its data must sit under a directory it can enter.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-two-hosts-'));
  fs.chmodSync(tmp, 0o755);
  cluster = await startNativeCluster({ dataDir: path.join(tmp, 'cluster-data'), ...(await findFreeClusterPorts()) });
  const admin = new PgClient({ connectionString: cluster.pgUrl });
  await admin.connect();
  try {
    for (const db of ['overture_ledger', 'overture_directory']) await admin.query(`CREATE DATABASE ${db}`);
  } finally {
    await admin.end();
  }
  ledgerUrl = databaseUrl('overture_ledger');
  directoryUrl = databaseUrl('overture_directory');
  // The client and the SMTP and webhook receivers only: the workers are the two "hosts" below.
  // The system health and pause records too (SYSTEMS_URL): its database is created by the first worker to start.
  stack = await startTestStack(
    { TEMPORAL_ADDRESS: cluster.address, LEDGER_URL: ledgerUrl, DIRECTORY_URL: directoryUrl, SYSTEMS_URL: databaseUrl('overture_systems') },
    { worker: false },
  );
});
afterAll(async () => {
  await Promise.all(workers.map((w) => kill(w.child)));
  await stack?.stop();
  await cluster?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Starts the worker of one host: its own working directory and data directory, the shared task queue and stores. */
async function startHost(name: string): Promise<WorkerProcess> {
  const home = path.join(tmp, name);
  fs.mkdirSync(path.join(home, 'data'), { recursive: true });
  const worker = spawnWorker({ ...stack.env, OVERTURE_DATA_DIR: path.join(home, 'data') }, { cwd: home });
  workers.push(worker);
  await worker.ready;
  return worker;
}

const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;
const welcomeMails = () => stack.mail.messages().filter((m) => m.subject.startsWith('Welcome'));
const welcomes = (hire: NewHire) =>
  new Set(
    welcomeMails()
      .filter((m) => m.to.includes(hire.email))
      .map((m) => m.messageId),
  ).size;
const teamPosts = () => stack.webhooks.received().filter((w) => String(w.headers['x-idempotency-key'] ?? '').includes('notifyTeam'));
/** How long before a SIGKILL a message may have been accepted and still lack its receipt (a loaded worker's event loop). */
const RECEIPT_WINDOW_MS = 3_000;
/** A receipt's time is its transaction's start (PostgreSQL's now()): a copy may arrive this much later and still precede it. */
const RECEIPT_CLOCK_SLACK_MS = 1_000;

/** When each delivery's receipt was written in the shared ledger, by what the recipient sees: Message-ID or key. */
async function receiptTimes(): Promise<Map<string, number>> {
  const ledger = new PgClient({ connectionString: ledgerUrl });
  await ledger.connect();
  try {
    const { rows } = await ledger.query<{ idempotency_key: string; channel: string; at: string }>(
      `SELECT idempotency_key, channel, (extract(epoch FROM delivered_at) * 1000)::float8 AS at FROM deliveries`,
    );
    return new Map(rows.map((r) => [r.channel === 'email' ? messageIdFor(r.idempotency_key) : r.idempotency_key, Number(r.at)]));
  } finally {
    await ledger.end();
  }
}

/** The deliveries after the first of each identity, each with how long before the nearest later kill its first copy came. */
function repeats(
  deliveries: Array<{ identity: string; at: number }>,
  kills: number[],
): Array<{ identity: string; firstCopyBeforeKillMs: number | undefined }> {
  const first = new Map<string, number>();
  const out: Array<{ identity: string; firstCopyBeforeKillMs: number | undefined }> = [];
  for (const d of [...deliveries].sort((a, b) => a.at - b.at)) {
    const firstAt = first.get(d.identity);
    if (firstAt === undefined) {
      first.set(d.identity, d.at);
      continue;
    }
    const kill = kills.find((k) => k >= firstAt);
    out.push({ identity: d.identity, firstCopyBeforeKillMs: kill === undefined ? undefined : kill - firstAt });
  }
  return out;
}

it(`runs ${RUNS} onboardings on two hosts sharing the PostgreSQL ledger and directory while one host's worker is SIGKILLed twice`, async () => {
  const hostA = await startHost('host-a');
  const hostB = await startHost('host-b');
  for (const host of [hostA, hostB])
    await eventually(
      () =>
        /ledger on PostgreSQL .*overture_ledger, directory on PostgreSQL .*overture_directory, system health and pauses on PostgreSQL .*overture_systems/.test(
          host.output(),
        )
          ? true
          : undefined,
      10_000,
      'the stores line',
    );
  // Each host keeps its own data directory: neither has a delivery ledger or directory file (both are in PostgreSQL).
  for (const host of ['host-a', 'host-b'])
    expect(fs.readdirSync(path.join(tmp, host, 'data'))).not.toEqual(expect.arrayContaining(['overture.db']));

  // Two waves of runs, each started while both hosts are up, and host A's worker is SIGKILLed in the middle of each
  // (then started again, as a supervisor would). One wave for both kills was at the mercy of timing: while host A
  // restarted after the first kill, host B alone could finish every run before the second.
  const hires = Array.from({ length: RUNS }, () => newHire());
  const waves = [hires.slice(0, Math.ceil(RUNS / 2)), hires.slice(Math.ceil(RUNS / 2))];
  const runs: Awaited<ReturnType<typeof startOnboarding>>[] = [];
  const outcomes: Promise<{ state?: string }>[] = [];
  const inFlightAtKill: number[] = [];
  const killedAt: number[] = [];
  let victim = hostA;
  for (const wave of waves) {
    let completed = 0;
    const started = await Promise.all(wave.map((hire) => startOnboarding(stack.client, stack.config, hire)));
    runs.push(...started);
    outcomes.push(...started.map((r) => (r.handle.result() as Promise<{ state?: string }>).then((result) => ((completed += 1), result))));
    await eventually(
      () => (wave.filter((h) => welcomes(h) > 0).length >= wave.length * 0.3 ? true : undefined),
      5 * 60_000,
      "30% of the wave's welcome emails",
    );
    killedAt.push(Date.now());
    await kill(victim.child, 'SIGKILL');
    expect(alive(victim)).toBe(false);
    inFlightAtKill.push(wave.length - completed);
    victim = await startHost('host-a');
  }

  const results = await Promise.all(outcomes);
  expect(results.map((r) => r.state)).toEqual(runs.map(() => 'completed'));
  // Exactly once across both hosts, as the recipients see it: one welcome per hire, one team notification per run.
  expect(hires.map(welcomes)).toEqual(hires.map(() => 1));
  const posts = teamPosts();
  expect(new Set(posts.map((p) => p.headers['x-idempotency-key'])).size).toBe(RUNS);
  // Any copy beyond those is a resend of a message accepted just before a kill, never a second send of a finished one.
  const resent = [
    ...repeats(
      welcomeMails().map((m) => ({ identity: m.messageId ?? m.id, at: Date.parse(m.receivedAt) })),
      killedAt,
    ),
    ...repeats(
      posts.map((p) => ({ identity: String(p.headers['x-idempotency-key']), at: Date.parse(p.receivedAt) })),
      killedAt,
    ),
  ];
  console.info(
    `two hosts, ${RUNS} runs, ${killedAt.length} SIGKILLs: ${welcomeMails().length} welcome emails and ${posts.length} team posts delivered; resent after a kill: ${resent.length}${resent.length ? ` (first copies ${resent.map((r) => r.firstCopyBeforeKillMs).join(', ')} ms before the kill)` : ''}`,
  );
  // What the ledger promises: every copy, the repeats included, arrived before its delivery's receipt was written.
  const receipts = await receiptTimes();
  const copies = [
    ...welcomeMails().map((m) => ({ identity: m.messageId ?? m.id, at: Date.parse(m.receivedAt) })),
    ...posts.map((p) => ({ identity: String(p.headers['x-idempotency-key']), at: Date.parse(p.receivedAt) })),
  ];
  expect(copies.filter((c) => !receipts.has(c.identity))).toEqual([]);
  expect(copies.filter((c) => c.at > receipts.get(c.identity)! + RECEIPT_CLOCK_SLACK_MS)).toEqual([]);
  const outsideWindow = resent.filter((r) => r.firstCopyBeforeKillMs === undefined || r.firstCopyBeforeKillMs > RECEIPT_WINDOW_MS);
  if (outsideWindow.length)
    console.info(
      `repeats whose first copy came over ${RECEIPT_WINDOW_MS} ms before a kill (a send held up before its receipt): ${outsideWindow.length}`,
    );
  // Both kills landed mid-flight: some of the wave's runs had not finished yet.
  expect(inFlightAtKill.every((n) => n > 0)).toBe(true);
  // The shared directory holds one account per hire, whichever host created it.
  const directory = new PgClient({ connectionString: directoryUrl });
  await directory.connect();
  try {
    const { rows } = await directory.query<{ n: string }>('SELECT count(*) AS n FROM accounts');
    expect(Number(rows[0]?.n)).toBe(RUNS);
  } finally {
    await directory.end();
  }
  // The other host never stopped.
  expect(alive(hostB)).toBe(true);
});

it('does not repeat a send that outlives its attempt on one host when the retry runs on the other', async () => {
  // Fresh workers on both hosts (a graceful stop first): their pooled SMTP connections would skip the slow greeting.
  await Promise.all(workers.filter(alive).map((w) => kill(w.child, 'SIGTERM')));
  await Promise.all([startHost('host-a'), startHost('host-b')]);
  stack.mail.delayGreeting(GREETING_DELAY_MS);
  try {
    // Each attempt times out after 2 s while the relay greets after 4 s, so every run's email is retried while its
    // first send is still going, and each retry goes to whichever host polls first. With a ledger per host, a retry
    // on the other host would send a second email (for 6 runs, all retries staying on one host is about 1 in 4,000).
    const hires = Array.from({ length: 6 }, () => newHire());
    const runs = await Promise.all(
      hires.map((hire) => startOnboarding(stack.client, stack.config, hire, { tuneOptions: overlappingWelcome('activity') })),
    );
    const results = await Promise.all(runs.map((r) => r.handle.result() as Promise<{ state?: string }>));
    expect(results.map((r) => r.state)).toEqual(runs.map(() => 'completed'));
    for (const run of runs) {
      const welcome = (await getRunStatus(stack.client, run.workflowId)).steps.find((step) => step.step === 'sendWelcomeEmail');
      expect(welcome?.attempts).toBeGreaterThanOrEqual(2);
    }
    // A second send started by any attempt would land within another greeting delay.
    await new Promise((r) => setTimeout(r, GREETING_DELAY_MS + START_TO_CLOSE_MS));
    const raw = (hire: NewHire) => welcomeMails().filter((m) => m.to.includes(hire.email)).length;
    expect(hires.map(raw)).toEqual(hires.map(() => 1));
  } finally {
    stack.mail.delayGreeting(0);
  }
});
