/**
 * Special files in the inbox, for real: a FIFO named like a CSV (and a link to one, a directory) is refused at
 * once, for good, without ever blocking a libuv threadpool thread in open(), so file reads and DNS lookups of
 * everything else on the worker go on; a file past the size limit is refused before it is copied.
 */
import { execFileSync } from 'node:child_process';
import { constants, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPipelineSourceActivities } from '../../../activities/data-pipeline/source';
import { activityEnvFor, failureOf } from '../../helpers/activity-env';

let dir: string;
let inbox: string;
const fifos: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pipeline-inbox-'));
  inbox = path.join(dir, 'inbox');
  mkdirSync(inbox);
});
afterEach(() => {
  // Were a reader still blocked in open() (the code before the fix), a writer opening the FIFO releases it.
  for (const fifo of fifos.splice(0)) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: no reader is waiting, as it should be.
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function extractFrom(name: string, limits = {}) {
  const { extractSource } = createPipelineSourceActivities({ inboxDir: inbox, stagingDir: path.join(dir, 'staging'), limits });
  return activityEnvFor(`pipeline-orders-${name.replace(/\W/g, '_')}`).runActivity(extractSource, { source: { inboxFile: name } });
}

/** Settles with the promise, or with "stalled" once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'stalled'> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), ms)));
  return Promise.race([promise, stalled]).finally(() => clearTimeout(timer));
}

describe('special files in the inbox', () => {
  it('refuses a FIFO named like a CSV at once, for good, and blocks nothing else on the worker', async () => {
    const fifo = path.join(inbox, 'orders-2026-11-01.csv');
    execFileSync('mkfifo', [fifo]);
    fifos.push(fifo);
    const other = path.join(dir, 'unrelated.txt');
    writeFileSync(other, 'still readable');

    // Four at once: as many as libuv has threadpool threads, which blocking opens would all hold.
    const attempts = Array.from({ length: 4 }, () => failureOf(extractFrom('orders-2026-11-01.csv')));
    // Time for them to reach open(); then a file read and a DNS lookup, which share the threadpool.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const unrelated = await within(Promise.all([readFile(other, 'utf8'), lookup('localhost').then(() => 'ok')]), 3_000);
    expect(unrelated).toEqual(['still readable', 'ok']);

    const failures = await within(Promise.all(attempts), 3_000);
    expect(failures).not.toBe('stalled');
    for (const failure of failures as Awaited<(typeof attempts)[number]>[]) {
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(
        'orders-2026-11-01.csv is a FIFO (named pipe), not a regular file: the pipeline reads regular files only',
      );
    }
  });

  it('refuses a link to a FIFO and a directory named like a CSV, for good', async () => {
    const fifo = path.join(inbox, 'pipe');
    execFileSync('mkfifo', [fifo]);
    fifos.push(fifo);
    symlinkSync(fifo, path.join(inbox, 'linked.csv'));
    mkdirSync(path.join(inbox, 'folder.csv'));

    const linked = await within(failureOf(extractFrom('linked.csv')), 3_000);
    if (linked === 'stalled') throw new Error('the extract of a link to a FIFO stalled');
    expect([linked.nonRetryable, linked.message]).toEqual([true, expect.stringContaining('linked.csv is a FIFO (named pipe)')]);
    const folder = await failureOf(extractFrom('folder.csv'));
    expect([folder.nonRetryable, folder.message]).toEqual([true, expect.stringContaining('folder.csv is a directory')]);
  });

  it('refuses a file past the size limit before copying it, and copies one within it', async () => {
    writeFileSync(path.join(inbox, 'big.csv'), Buffer.alloc(2048, 'a'));
    const failure = await failureOf(extractFrom('big.csv', { maxBytes: 1024 }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('big.csv is 2048 bytes, more than the 1024 a source file may be');

    writeFileSync(path.join(inbox, 'small.csv'), 'order_id\n');
    const { output } = await extractFrom('small.csv', { maxBytes: 1024 });
    expect(readFileSync(output.sourceFile, 'utf8')).toBe('order_id\n');
  });
});
