/**
 * Workers started together on a fresh data directory: each opens the same new SQLite files (directory, delivery
 * ledger, general ledger, warehouse, site, events) at the same moment. All of them come up and keep polling.
 * A preloaded barrier (test/helpers/sqlite-open-barrier.js) holds each worker's n-th open until all ten reach
 * theirs, so that their different start-up times do not spread the opens out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { kill, spawnWorker, type WorkerProcess } from '../helpers/processes';

const WORKERS = 10;
const workers: WorkerProcess[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => kill(w.child)));
});

it(`${WORKERS} workers started at once on a fresh data directory all poll their task queue, and none exits`, async () => {
  const address = process.env.OVERTURE_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('OVERTURE_TEST_TEMPORAL_ADDRESS is not set: run the tests with jest (globalSetup starts Temporal)');
  // Not created yet: the workers create it and every database in it.
  const dataDir = path.join(fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? '/tmp', 'fresh-')), 'data');
  const barrier = path.join(path.dirname(dataDir), 'barrier');
  fs.mkdirSync(barrier);
  const env = {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, '..', 'helpers', 'sqlite-open-barrier.js')}`.trim(),
    OVERTURE_TEST_OPEN_BARRIER: barrier,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    OVERTURE_DATA_DIR: dataDir,
    SMTP_URL: 'smtp://127.0.0.1:1',
    NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:1/hooks/team',
    // A worker needs its payload encryption keys (the test run's key file) before it opens anything.
    OVERTURE_CODEC_KEY_FILE: process.env.OVERTURE_TEST_CODEC_KEY_FILE ?? '',
  };
  for (let i = 0; i < WORKERS; i++) workers.push(spawnWorker(env));
  // Releases each open once every worker has reached it (a worker that is gone stops counting).
  const released = new Set<string>();
  const releaser = setInterval(() => {
    const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).map((w) => w.child.pid);
    const files = fs.readdirSync(barrier);
    for (let n = 0; files.some((f) => f.startsWith(`ready-${n}-`)); n++) {
      const ready = alive.every((pid) => files.includes(`ready-${n}-${pid}`));
      if (ready && !released.has(`go-${n}`)) {
        released.add(`go-${n}`);
        fs.writeFileSync(path.join(barrier, `go-${n}`), '');
      }
    }
  }, 10);

  const outcomes = await Promise.allSettled(workers.map((w) => w.ready));
  clearInterval(releaser);
  // Every worker opened its databases in the same rounds (at least the directory, the two ledgers and the site).
  expect(released.size).toBeGreaterThanOrEqual(4);
  const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
  expect(failures).toEqual([]);
  expect(workers.map((w) => w.output()).filter((out) => /database is locked/i.test(out))).toEqual([]);

  // Still running a moment later: none died after saying it polls.
  await new Promise((r) => setTimeout(r, 2_000));
  expect(workers.filter((w) => w.child.exitCode !== null || w.child.signalCode !== null).map((w) => w.output())).toEqual([]);
  expect(fs.readdirSync(dataDir)).toEqual(expect.arrayContaining(['directory.db', 'overture.db']));
}, 420_000);
