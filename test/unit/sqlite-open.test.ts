/**
 * Opening one fresh SQLite file from many processes at once (workers started together on a new data directory):
 * every store opens it through src/stores/sqlite.ts, so none fails with "database is locked".
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isBusyError, openDatabase, retryWhileBusy } from '../../src/stores/sqlite';
import { ROOT } from '../helpers/processes';

const PROCESSES = 10;
/** Rounds of fresh files the same processes open together: a lost race is likely within a few. */
const ROUNDS = 15;
const SEED = path.join(ROOT, 'examples', 'financial-close', 'ledger.json');

/**
 * A child that loads every store and says "ready"; then, for each round, waits for the round's go file and opens
 * every store on fresh files of that round's data directory as a worker does, saying how it went.
 */
const childScript = (dir: string) => `
  const fs = require('node:fs');
  const req = (m) => require(${JSON.stringify(ROOT)} + '/' + m);
  const { SqliteDeliveryLedger } = req('src/stores/delivery-ledger/sqlite-ledger');
  const { SqliteDirectory } = req('src/stores/directory/sqlite-directory');
  const { EventReceipts } = req('src/stores/event-receipts/sqlite-receipts');
  const { SqliteWarehouse } = req('activities/data-pipeline/sqlite-warehouse');
  const { SqliteGeneralLedger } = req('activities/financial-close/sqlite-general-ledger');
  const { SiteStore } = req('activities/content-publishing/site-store');
  const root = ${JSON.stringify(dir)};
  const wait = new Int32Array(new SharedArrayBuffer(4));
  console.log('ready');
  (async () => {
    for (let round = 0; round < ${ROUNDS}; round++) {
      while (!fs.existsSync(root + '/go-' + round)) Atomics.wait(wait, 0, 0, 1);
      const dir = root + '/data-' + round;
      try {
        const stores = [new SqliteDeliveryLedger(dir + '/overture.db'), new SqliteDirectory(dir + '/directory.db', 'https://ws.example'), new EventReceipts(dir + '/events.db'), new SqliteWarehouse(dir + '/warehouse.db'), new SiteStore(dir + '/site', dir + '/site.db', 'http://site')];
        const books = new SqliteGeneralLedger(dir + '/accounting.db');
        await books.seedFrom(${JSON.stringify(SEED)});
        await stores[0].deliverOnce('k/' + process.pid, 'email', async () => 'r');
        for (const s of [...stores, books]) s.close();
        console.log('round ' + round + ' opened');
      } catch (err) {
        console.log('round ' + round + ' FAILED ' + (err.code ?? '') + ' ' + err.message);
      }
    }
  })();
`;

/** Starts the children, releases them round by round, and returns each child's output. */
async function openFromManyProcesses(dir: string): Promise<string[]> {
  const children = Array.from({ length: PROCESSES }, () => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', childScript(dir)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const state = { output: '' };
    child.stdout.on('data', (chunk: Buffer) => (state.output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (state.output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { state, exited };
  });
  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + 120_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${children.map((c) => c.state.output).join('\n---\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until('the children to load', () => children.every((c) => c.state.output.includes('ready')));
  // All loaded first, then released together for each round: the opens race for real.
  for (let round = 0; round < ROUNDS; round++) {
    writeFileSync(path.join(dir, `go-${round}`), '');
    await until(`round ${round}`, () => children.every((c) => c.state.output.includes(`round ${round} `)));
  }
  await Promise.all(children.map((c) => c.exited));
  return children.map((c) => c.state.output);
}

describe('openDatabase', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'overture-sqlite-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(`opens every store's fresh files from ${PROCESSES} processes at once (${ROUNDS} rounds): WAL, each schema once, seeded once`, async () => {
    const outputs = await openFromManyProcesses(dir);
    const failures = outputs.flatMap((out) => out.split('\n').filter((line) => line.includes('FAILED')));
    expect(failures).toEqual([]);
    expect(outputs.map((out) => (out.match(/ opened/g) ?? []).length)).toEqual(Array(PROCESSES).fill(ROUNDS));

    const expected: Record<string, string> = {
      'overture.db': 'delivery_claims',
      'directory.db': 'accounts',
      'events.db': 'event_receipts',
      'warehouse.db': 'loaded_batches',
      // The site's feed index is no SQLite file any more: JSON entries beside the pages (content-publishing/site-store.ts).
      'accounting.db': 'entities',
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, table] of Object.entries(expected)) {
        const db = new Database(path.join(dir, `data-${round}`, name), {
          readonly: true,
          nativeBinding: process.env.BETTER_SQLITE3_BINDING,
        });
        try {
          expect([name, db.pragma('journal_mode', { simple: true })]).toEqual([name, 'wal']);
          expect([name, db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)]).toEqual([
            name,
            { n: 1 },
          ]);
          if (name === 'accounting.db') expect((db.prepare('SELECT COUNT(*) AS n FROM entities').get() as { n: number }).n).toBe(3);
          if (name === 'overture.db') expect((db.prepare('SELECT COUNT(*) AS n FROM deliveries').get() as { n: number }).n).toBe(PROCESSES);
        } finally {
          db.close();
        }
      }
    }
  }, 240_000);

  it('creates the directory, sets the busy timeout before WAL, and runs the schema idempotently', () => {
    const file = path.join(dir, 'nested', 'a.db');
    const schema = 'CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY); CREATE INDEX IF NOT EXISTS t_k ON t (k);';
    const first = openDatabase(file, { schema, busyTimeoutMs: 1234, pragmas: ['foreign_keys = ON'] });
    const second = openDatabase(file, { schema });
    try {
      expect(existsSync(file)).toBe(true);
      expect(first.pragma('busy_timeout', { simple: true })).toBe(1234);
      expect(first.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(second.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(second.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('t', 't_k')").get()).toEqual({ n: 2 });
    } finally {
      first.close();
      second.close();
    }
  });

  it('fails with a clear message when the file stays locked past the retry window, and closes its connection', () => {
    const file = path.join(dir, 'locked.db');
    const holder = openDatabase(file);
    holder.prepare('BEGIN EXCLUSIVE').run();
    try {
      const started = Date.now();
      let error: unknown;
      try {
        openDatabase(file, { schema: 'CREATE TABLE IF NOT EXISTS t (k TEXT)', busyTimeoutMs: 50, retryForMs: 300 });
      } catch (err) {
        error = err;
      }
      expect(isBusyError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^creating the schema of .*locked\.db: the database stayed locked for 300 ms \(\d+ tries\)/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      holder.prepare('ROLLBACK').run();
      holder.close();
    }
  });

  it('retryWhileBusy passes other errors through at once', () => {
    let calls = 0;
    expect(() =>
      retryWhileBusy('x', 1_000, () => {
        calls += 1;
        throw Object.assign(new Error('no such table: t'), { code: 'SQLITE_ERROR' });
      }),
    ).toThrow('no such table: t');
    expect(calls).toBe(1);
  });
});
