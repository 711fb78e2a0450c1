/**
 * Bounds on what a source file may hold, on real files: a line past the limit (50 MB on one line) and a header
 * past the column limit (1,000,000 columns) fail validation for good, with the bound in the reason, without
 * holding the line in memory; the column names a result carries are few and short; and no step hands back a
 * result Temporal would refuse.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createPipelineStagingActivities } from '../../../activities/data-pipeline/staging';
import { runDirFor, STAGED } from '../../../activities/data-pipeline/staging-files';
import { stepActivity } from '../../../activities/kit/step-attempt';
import { activityEnvFor, failureOf } from '../../helpers/activity-env';

const WORKFLOW_ID = 'pipeline-orders-bounds';
const HEADER = 'order_id,customer_id,order_date,amount,currency,country';
let staging: string;
let sourceFile: string;

beforeEach(() => {
  staging = mkdtempSync(path.join(os.tmpdir(), 'pipeline-bounds-'));
  const runDir = runDirFor(staging, WORKFLOW_ID, 'run-1');
  mkdirSync(runDir, { recursive: true });
  sourceFile = path.join(runDir, STAGED.source);
});
afterEach(() => rmSync(staging, { recursive: true, force: true }));

/** Writes the staged source: `parts` in order, a megabyte at a time (never the whole file in memory). */
async function writeSource(parts: Array<string | { repeat: string; times: number }>): Promise<void> {
  const out = createWriteStream(sourceFile);
  for (const part of parts) {
    if (typeof part === 'string') out.write(part);
    else
      for (let left = part.times; left > 0; left -= 100_000) {
        if (!out.write(part.repeat.repeat(Math.min(left, 100_000)))) await once(out, 'drain');
      }
  }
  out.end();
  await once(out, 'close');
}

const validate = (limits = {}) =>
  activityEnvFor(WORKFLOW_ID).runActivity(createPipelineStagingActivities({ stagingDir: staging, limits }).validateBatch, {
    dataset: 'orders',
    partitionRows: 1_000,
  });

describe('bounds on a source file', () => {
  it('fails a file with a 50 MB line for good, reading no more of it than the limit', async () => {
    await writeSource([
      `${HEADER}\nO1,C1,2026-11-01,12.50,EUR,DE\n`,
      { repeat: 'x', times: 50_000_000 },
      '\nO2,C1,2026-11-01,1.00,EUR,DE\n',
    ]);
    const before = process.memoryUsage().rss;
    const failure = await failureOf(validate());
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('line 3 (from byte 86) is longer than 65536 bytes, the longest line a file may have');
    // The line was never held whole (50 MB as bytes, 100 MB as a string).
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  it('fails a 1,000,000-column header for good', async () => {
    await writeSource([HEADER, { repeat: ',extra', times: 1_000_000 }, '\nO1,C1,2026-11-01,12.50,EUR,DE\n']);
    const failure = await failureOf(validate());
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^line 1 \(from byte 0\) is longer than 65536 bytes/);
  });

  it('fails a header with more columns than the limit for good, even within the line limit', async () => {
    const extra = Array.from({ length: 1_500 }, (_, i) => `c${i}`).join(',');
    writeFileSync(sourceFile, `${HEADER},${extra}\n`);
    const failure = await failureOf(validate());
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('the source header has 1506 columns, more than the 1000 a source file may have');
  });

  it('names only the first ignored columns, each clipped, and counts the rest', async () => {
    const extra = Array.from({ length: 25 }, (_, i) => `INTERNAL_SECRET_TOKEN_${i}_${'z'.repeat(60)}`);
    writeFileSync(sourceFile, `${HEADER},${extra.join(',')}\nO1,C1,2026-11-01,12.50,EUR,DE${',v'.repeat(25)}\n`);
    const { output } = await validate();
    expect(output).toMatchObject({ rowsIn: 1, valid: 1 });
    const names = output.ignoredColumns.replace(/ and 15 more$/, '').split(',');
    expect(names).toHaveLength(10);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(40);
    expect(output.ignoredColumns).toMatch(/ and 15 more$/);
  });

  it('takes the limits from the settings', async () => {
    writeFileSync(sourceFile, `${HEADER}\nO1,C1,2026-11-01,12.50,EUR,DE\n`);
    const failure = await failureOf(validate({ maxLineBytes: 40 }));
    expect(failure.message).toBe('line 1 (from byte 0) is longer than 40 bytes, the longest line a file may have');
    const narrow = await failureOf(validate({ maxColumns: 5 }));
    expect(narrow.message).toBe('the source header has 6 columns, more than the 5 a source file may have');
  });
});

describe('bounds on a step result', () => {
  it('fails a step whose result Temporal would refuse for good, saying why', async () => {
    const oversized = stepActivity(async (input: { columns: number }) => ({
      ignored: Array.from({ length: input.columns }, (_, i) => `c${i}`).join(','),
    }));
    const failure = await failureOf(activityEnvFor(WORKFLOW_ID).runActivity(oversized, { columns: 1_000_000 }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^the step's result is \d+ bytes, more than the 524288 a result may hold/);
    const { output } = await activityEnvFor(WORKFLOW_ID).runActivity(oversized, { columns: 3 });
    expect(output).toEqual({ ignored: 'c0,c1,c2' });
  });
});
