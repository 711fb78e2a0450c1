/**
 * A financial close on two "hosts" of the native cluster: two worker processes, each with its own working and data
 * directory (nothing on disk shared), polling the same task queue, sharing the Temporal server and the books on
 * PostgreSQL (ACCOUNTING_URL), seeded once by whichever host starts first.
 *
 * Eight entities spread the fan-out's reconciliations over both hosts; four of them differ from their bank by a
 * fee, so a person enters an adjustment and its posting runs on either host. The fault: the host that writes the
 * first adjustment stalls mid-write (SIGSTOP while a trigger holds its insert for a second; a GC pause or a frozen VM
 * alike), its transaction open and the books' writer lock held past the attempts' timeout. The attempts caught by it
 * time out and are retried on whichever host Temporal hands them to (the other one, or the stalled worker's pending
 * polls once it wakes), and each retry finds its entry posted or posts it. The proof: each host ran reconciliations,
 * postings were retried while a write was still in flight, and the one set of books holds each of the close's
 * entries once: 2 accruals per entity and one adjustment per entity with a difference, no key twice. How many
 * postings one host wrote and a retry on the other completed is printed.
 *
 * The ledger steps run as regular activities here (they are local activities by default), so that Temporal
 * dispatches each one, and each retry, to either host, and the history names the worker that ran it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { answerQuestion, resolveEscalation, startProcess } from '../../src/client';
import { findFreeClusterPorts, startNativeCluster, type NativeCluster } from '../../src/tools/cluster/native-cluster';
import type { ProcessOptions } from '../../workflows/kit/types';
import type { FinancialCloseResult } from '../../workflows/financial-close/types';
import { decidedBy } from '../helpers/operators';
import { kill, ROOT, spawnWorker, type WorkerProcess } from '../helpers/processes';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';

jest.setTimeout(10 * 60_000);

const PERIOD = '2026-10';
const ENTITIES = Array.from({ length: 8 }, (_, i) => `acme-${String(i + 1).padStart(2, '0')}`);
/** Every other entity's bank charged a fee the books do not have yet. */
const WITH_FEE = ENTITIES.filter((_, i) => i % 2 === 0);
const FEE = '-12.50';
const CONTROLLER = 'controller@close.example.com';
const EXAMPLE = path.join(ROOT, 'examples', 'financial-close');
/** The adjustment's attempt timeout, and how long a trigger holds each adjustment's insert (to catch a writer mid-write). */
const ADJUSTMENT_TIMEOUT_MS = 5_000;
const FAULT_SLEEP_S = 1;

let tmp: string;
let cluster: NativeCluster;
let stack: TestStack;
let booksUrl: string;
const workers: WorkerProcess[] = [];

/** A database URL on the cluster's PostgreSQL, its sessions named `application_name`. */
function databaseUrl(name: string, applicationName?: string): string {
  const url = new URL(cluster.pgUrl);
  url.pathname = `/${name}`;
  if (applicationName) url.searchParams.set('application_name', applicationName);
  return url.toString();
}

async function booksQuery<R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
  const db = new PgClient({ connectionString: booksUrl });
  await db.connect();
  try {
    return (await db.query<R>(sql, params)).rows;
  } finally {
    await db.end();
  }
}

/** The example's books with eight USD entities like acme-us, and their bank statements (some with a fee). */
function writeBooksAndStatements(dir: string): { seed: string; bankDir: string } {
  const example = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'ledger.json'), 'utf8')) as {
    entities: Array<{ entity: string; name: string; entries: Array<{ key: string }> }>;
  };
  const us = example.entities.find((e) => e.entity === 'acme-us')!;
  const entities = ENTITIES.map((entity) => ({
    ...us,
    entity,
    name: `Acme ${entity}`,
    entries: us.entries.map((e) => ({ ...e, key: e.key.replace('acme-us', entity) })),
  }));
  const seed = path.join(dir, 'ledger.json');
  fs.writeFileSync(seed, JSON.stringify({ ...example, entities }));
  const bankDir = path.join(dir, 'bank');
  fs.mkdirSync(bankDir);
  const statement = fs.readFileSync(path.join(EXAMPLE, 'bank', `acme-us-${PERIOD}.csv`), 'utf8').trimEnd();
  for (const entity of ENTITIES) {
    const fee = WITH_FEE.includes(entity) ? `\n2026-10-30,Wire fee,${FEE},214402.50` : '';
    fs.writeFileSync(path.join(bankDir, `${entity}-${PERIOD}.csv`), `${statement}${fee}\n`);
  }
  return { seed, bankDir };
}

beforeAll(async () => {
  // PostgreSQL runs as `postgres` when the tests run as root: its data must sit under a directory it can enter.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-two-hosts-close-'));
  fs.chmodSync(tmp, 0o755);
  cluster = await startNativeCluster({ dataDir: path.join(tmp, 'cluster-data'), ...(await findFreeClusterPorts()) });
  booksUrl = databaseUrl('overture_books');
  const { seed, bankDir } = writeBooksAndStatements(tmp);
  stack = await startTestStack(
    {
      TEMPORAL_ADDRESS: cluster.address,
      LEDGER_URL: databaseUrl('overture_ledger'),
      ACCOUNTING_SEED: seed,
      BANK_STATEMENTS_DIR: bankDir,
      RATES_SOURCE: path.join(EXAMPLE, `rates-${PERIOD}.json`),
      ESCALATION_CONTACTS: 'finance-oncall@close.example.com',
    },
    { worker: false },
  );
});

afterAll(async () => {
  await Promise.all(workers.map((w) => kill(w.child)));
  await stack?.stop();
  await cluster?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Starts one host's worker: its own directories, the shared task queue, the books as `application_name` `books-<name>`. */
async function startHost(name: string): Promise<WorkerProcess> {
  const home = path.join(tmp, name);
  fs.mkdirSync(path.join(home, 'data'), { recursive: true });
  const worker = spawnWorker(
    { ...stack.env, OVERTURE_DATA_DIR: path.join(home, 'data'), ACCOUNTING_URL: databaseUrl('overture_books', `books-${name}`) },
    { cwd: home },
  );
  workers.push(worker);
  await worker.ready;
  return worker;
}

/** Fast retries, and every ledger step a regular activity: dispatched (and retried) to either host. */
function spreadOptions<O extends ProcessOptions>(options: O): O {
  const fast = fastOptions()(options);
  const activity = { ...fast.supportPolicy, startToCloseTimeoutMs: 10_000, maximumAttempts: 5, runAs: 'activity' as const };
  const policies = Object.fromEntries(Object.entries(fast.policies).map(([step, p]) => [step, { ...p, runAs: 'activity' as const }]));
  return {
    ...fast,
    // Enough attempts to outlast the stalled write, which holds the books' writer lock.
    policies: {
      ...policies,
      reconcile: activity,
      postAdjustment: { ...activity, startToCloseTimeoutMs: ADJUSTMENT_TIMEOUT_MS, maximumAttempts: 12 },
    },
  };
}

/** Each execution of the activity type in the runs' histories: which worker (pid@host) ran its last attempt, and which attempt. */
async function activityRuns(
  workflowIds: string[],
  activityType: string,
): Promise<Array<{ workflowId: string; identity: string; attempt: number }>> {
  const runs = [];
  for (const workflowId of workflowIds) {
    const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = new Map<string, string>();
    for (const e of events) {
      const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (type) scheduled.set(String(e.eventId), type);
      const started = e.activityTaskStartedEventAttributes;
      if (started && scheduled.get(String(started.scheduledEventId)) === activityType)
        runs.push({ workflowId, identity: started.identity ?? '?', attempt: started.attempt ?? 1 });
    }
  }
  return runs;
}

/** The sessions of one host's books (`books-host-a`) in a wait: PgSleep (the trigger), or an advisory lock (the writer lock). */
async function sessionsWaiting(host: string, wait: 'PgSleep' | 'advisory'): Promise<number> {
  const rows = await booksQuery<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event = $2',
    [`books-${host}`, wait],
  );
  return rows[0]!.n;
}

/**
 * Stalls the first host caught writing an adjustment (SIGSTOP) past its attempt's timeout, until the other host
 * waits on the lock the stalled transaction holds, then wakes it (SIGCONT); returns the stalled host's name.
 */
async function stallFirstWriter(workers: Record<'host-a' | 'host-b', WorkerProcess>): Promise<'host-a' | 'host-b'> {
  const writer = await eventually(
    async () => {
      for (const host of ['host-a', 'host-b'] as const) if ((await sessionsWaiting(host, 'PgSleep')) > 0) return host;
      return undefined;
    },
    120_000,
    'a host writing an adjustment',
  );
  const other = writer === 'host-a' ? 'host-b' : 'host-a';
  workers[writer].child.kill('SIGSTOP');
  try {
    // Past the attempt's timeout: it is retried while its write is still open.
    await new Promise((resolve) => setTimeout(resolve, ADJUSTMENT_TIMEOUT_MS + 1_500));
    await eventually(
      async () => ((await sessionsWaiting(other, 'advisory')) > 0 ? true : undefined),
      60_000,
      `${other}'s retry to wait on the lock`,
    );
  } finally {
    workers[writer].child.kill('SIGCONT');
  }
  return writer;
}

it('closes the books of 8 entities with reconciliations on both hosts, each entry posted once in the shared books', async () => {
  const hostA = await startHost('host-a');
  const hostB = await startHost('host-b');
  // Seeded once, by whichever host opened the books first.
  expect(await booksQuery<{ n: number }>('SELECT count(*)::int AS n FROM entities')).toEqual([{ n: ENTITIES.length }]);
  const opening = await booksQuery<{ n: number }>("SELECT count(*)::int AS n FROM journal_entries WHERE kind IN ('opening', 'posting')");
  expect(opening[0]!.n).toBe(ENTITIES.length * 7);

  // The fault: a write of an adjustment sleeps past its attempt's timeout (and notes which host wrote it).
  await booksQuery(`CREATE TABLE slow_writes (idempotency_key text NOT NULL, application_name text NOT NULL)`);
  await booksQuery(`CREATE FUNCTION slow_adjustment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.kind = 'adjustment' THEN
        INSERT INTO slow_writes VALUES (NEW.idempotency_key, current_setting('application_name'));
        PERFORM pg_sleep(${FAULT_SLEEP_S});
      END IF;
      RETURN NEW;
    END $$`);
  await booksQuery('CREATE TRIGGER slow_adjustment BEFORE INSERT ON journal_entries FOR EACH ROW EXECUTE FUNCTION slow_adjustment()');

  const close = await startProcess(
    stack.client,
    stack.config,
    'financial-close',
    { period: PERIOD, entities: ENTITIES, controllerEmail: CONTROLLER, toleranceCents: 0 },
    { tuneOptions: spreadOptions },
  );
  const child = (entity: string) => `${close.workflowId}/reconcileEntities/${entity}`;
  const stalled = stallFirstWriter({ 'host-a': hostA, 'host-b': hostB });
  stalled.catch(() => undefined); // awaited below; a failure must not surface early as an unhandled rejection
  await Promise.all(
    WITH_FEE.map(async (entity) => {
      await statusWhen(
        stack,
        child(entity),
        (s) => s.questions.some((q) => q.kind === 'escalation' && q.open),
        `${entity} to escalate`,
        60_000,
      );
      await resolveEscalation(stack.client, child(entity), {
        step: 'reconcile',
        action: 'skip',
        ...decidedBy('fin.ops'),
        reason: 'wire fee not booked',
        output: { adjustment: FEE, memo: 'wire fee' },
      });
    }),
  );
  const stalledHost = await stalled;
  await statusWhen(stack, close.workflowId, (s) => s.questions.some((q) => q.kind === 'approval' && q.open), 'the sign-off', 120_000);
  await answerQuestion(stack.client, close.workflowId, { decision: 'approve', ...decidedBy('the.controller'), reason: 'books agree' });
  const result = (await close.handle.result()) as FinancialCloseResult;
  expect(result.state).toBe('completed');
  expect(result.reconciliations.filter((r) => r.result === 'adjusted').map((r) => r.entity)).toEqual(WITH_FEE);

  // Both hosts ran reconciliations.
  const hosts = new Map([hostA, hostB].map((h, i) => [`${h.child.pid}@${os.hostname()}`, i === 0 ? 'host-a' : 'host-b']));
  const reconciled = await activityRuns(ENTITIES.map(child), 'reconcileEntity');
  const adjusted = await activityRuns(WITH_FEE.map(child), 'postReconciliationAdjustment');
  const count = (runs: Array<{ identity: string }>, host: string) => runs.filter((r) => hosts.get(r.identity) === host).length;
  expect(reconciled.every((r) => hosts.has(r.identity))).toBe(true);
  expect(reconciled).toHaveLength(ENTITIES.length);
  expect([count(reconciled, 'host-a'), count(reconciled, 'host-b')].map((n) => n > 0)).toEqual([true, true]);

  // One set of books, each of the close's entries once: two accruals per entity, one adjustment per fee.
  const closeEntries = await booksQuery<{ kind: string; entries: number; keys: number }>(
    `SELECT kind, count(*)::int AS entries, count(DISTINCT idempotency_key)::int AS keys FROM journal_entries
     WHERE period = $1 AND kind NOT IN ('opening', 'posting') GROUP BY kind ORDER BY kind`,
    [PERIOD],
  );
  expect(closeEntries).toEqual([
    { kind: 'accrual', entries: ENTITIES.length * 2, keys: ENTITIES.length * 2 },
    { kind: 'adjustment', entries: WITH_FEE.length, keys: WITH_FEE.length },
  ]);
  const adjustmentsPerEntity = await booksQuery<{ entity: string; n: number }>(
    "SELECT entity, count(*)::int AS n FROM journal_entries WHERE kind = 'adjustment' GROUP BY entity ORDER BY entity",
  );
  expect(adjustmentsPerEntity).toEqual(WITH_FEE.map((entity) => ({ entity, n: 1 })));
  // Every line of an entry written once too: two per adjustment, none left by a timed-out attempt.
  const adjustmentLines = await booksQuery<{ n: number }>(
    "SELECT count(*)::int AS n FROM journal_lines l JOIN journal_entries e USING (entry_id) WHERE e.kind = 'adjustment'",
  );
  expect(adjustmentLines[0]!.n).toBe(WITH_FEE.length * 2);
  for (const entity of WITH_FEE) {
    // 214,415.00 on the books, 12.50 fee: the books now agree with the bank.
    const cash = await booksQuery<{ cents: number }>(
      `SELECT sum(l.debit_cents - l.credit_cents)::float8 AS cents FROM journal_lines l WHERE l.entity = $1 AND l.account = '1000'`,
      [entity],
    );
    expect(cash[0]!.cents).toBe(21_440_250);
  }
  // Which host's attempt wrote each adjustment, and which host's attempt completed the step.
  const slow = await booksQuery<{ idempotency_key: string; application_name: string }>('SELECT * FROM slow_writes');
  expect(slow).toHaveLength(WITH_FEE.length);
  const writer = (entity: string) =>
    slow.find((w) => w.idempotency_key === `adjustment/${PERIOD}/${entity}/bank-reconciliation`)!.application_name.replace('books-', '');
  const crossHost = adjusted.filter((r) => hosts.get(r.identity) !== writer(r.workflowId.split('/').pop()!));
  // The stalled posting outlived its attempt: it (and any caught behind it) completed on a retry.
  expect(adjusted.some((r) => r.attempt > 1)).toBe(true);
  const statements = stack.mail.messages().filter((m) => m.to.includes(CONTROLLER) && !m.subject.includes('approve'));
  expect(statements).toHaveLength(1);
  console.info(
    `two-host close of ${ENTITIES.length} entities: reconciliations host A ${count(reconciled, 'host-a')}, host B ${count(reconciled, 'host-b')}; ` +
      `adjustments written by host A ${slow.filter((w) => w.application_name === 'books-host-a').length}, host B ${slow.filter((w) => w.application_name === 'books-host-b').length}; ` +
      `${stalledHost} stalled mid-write; completed (attempts ${adjusted.map((r) => r.attempt).join(', ')}) on host A ${count(adjusted, 'host-a')}, host B ${count(adjusted, 'host-b')}, ` +
      `${crossHost.length} by a retry on the other host than the write; ` +
      `close entries in the shared books: ${closeEntries.map((c) => `${c.entries} ${c.kind} (${c.keys} keys)`).join(', ')}`,
  );
});
