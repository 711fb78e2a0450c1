/**
 * The pipeline's validation on real files: CSV records, batch naming, the request's bounds, the inbox fence,
 * and validateBatch on a generated order file (every bad row quarantined with its reason, partitions sized).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPipelineStagingActivities } from '../../../activities/data-pipeline/staging';
import { createPipelineSourceActivities } from '../../../activities/data-pipeline/source';
import { csvLine, parseCsvLine } from '../../../activities/data-pipeline/csv';
import { writeOrderFile } from '../../../activities/data-pipeline/order-generator';
import { runDirFor } from '../../../activities/data-pipeline/staging-files';
import { backfillRequestSchema, fileArrivedRoute, pipelineRequestSchema } from '../../../workflows/data-pipeline/definition';
import { batchOf, pipelineWorkflowId } from '../../../workflows/data-pipeline/batch';
import { activityEnvFor, failureOf } from '../../helpers/activity-env';

const WORKFLOW_ID = 'pipeline-orders-2026-11-01';
let dir: string;
let inbox: string;
let staging: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pipeline-validation-'));
  inbox = path.join(dir, 'inbox');
  staging = path.join(dir, 'staging');
  mkdirSync(inbox);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('CSV records', () => {
  it('reads quoted fields and writes them back the same', () => {
    expect(parseCsvLine('a,"b, c","say ""hi""",')).toEqual(['a', 'b, c', 'say "hi"', '']);
    expect(parseCsvLine('a,"open')).toBeUndefined();
    const values = ['x', 'a,b', 'q"q', 7];
    expect(parseCsvLine(csvLine(values))).toEqual(values.map(String));
  });
});

describe('naming a batch', () => {
  it('keys a batch by its file stem without the dataset prefix, the same from the CLI and an event', () => {
    expect(batchOf({ dataset: 'orders', source: { inboxFile: 'orders-2026-11-01.csv' } })).toMatchObject({
      key: '2026-11-01',
      id: 'orders/2026-11-01',
      date: '2026-11-01',
    });
    expect(
      pipelineWorkflowId({ dataset: 'orders', source: { url: 'https://exports.example.com/d/orders-2026-11-01.csv?token=s3cret' } }),
    ).toBe(WORKFLOW_ID);
    expect(pipelineWorkflowId({ dataset: 'orders', source: { inboxFile: 'eu/export_17.csv' }, batchDate: '2026-11-01' })).toBe(
      'pipeline-orders-export_17',
    );
    const event = fileArrivedRoute.schema.parse({ dataset: 'orders', file: 'orders-2026-11-01.csv' });
    expect(fileArrivedRoute.workflowId(event)).toBe(WORKFLOW_ID);
    expect(fileArrivedRoute.startInput!(event)).toMatchObject({ source: { inboxFile: 'orders-2026-11-01.csv' }, maxRejectRatio: 0.05 });
  });

  it("reads a dated batch without a source (a nightly schedule's) from that day's inbox file", () => {
    expect(batchOf({ dataset: 'orders', batchDate: '2026-11-01' })).toMatchObject({
      id: 'orders/2026-11-01',
      source: { inboxFile: 'orders-2026-11-01.csv' },
    });
  });

  it('refuses inbox paths that leave the inbox, unknown datasets and requests naming nothing', () => {
    for (const inboxFile of ['../secrets.csv', '/etc/passwd.csv', 'a/../../b.csv', 'orders.txt']) {
      expect(pipelineRequestSchema.safeParse({ dataset: 'orders', source: { inboxFile } }).success).toBe(false);
    }
    expect(pipelineRequestSchema.safeParse({ dataset: 'payroll', batchDate: '2026-11-01' }).success).toBe(false);
    expect(pipelineRequestSchema.safeParse({ dataset: 'orders' }).success).toBe(false);
    expect(pipelineRequestSchema.safeParse({ dataset: 'orders', source: { url: 'ftp://x.example/a.csv' } }).success).toBe(false);
    expect(backfillRequestSchema.safeParse({ dataset: 'orders', from: '2026-11-07', to: '2026-11-01' }).success).toBe(false);
    expect(backfillRequestSchema.parse({ dataset: 'orders', from: '2026-11-01', to: '2026-11-07' })).toMatchObject({ maxParallelDays: 2 });
  });
});

describe('extract', () => {
  it('refuses an inbox file that is a link to outside the inbox, for good', async () => {
    writeFileSync(path.join(dir, 'outside.csv'), 'order_id\n');
    symlinkSync(path.join(dir, 'outside.csv'), path.join(inbox, 'sneaky.csv'));
    const { extractSource } = createPipelineSourceActivities({ inboxDir: inbox, stagingDir: staging });
    const failure = await failureOf(activityEnvFor(WORKFLOW_ID).runActivity(extractSource, { source: { inboxFile: 'sneaky.csv' } }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('must be inside');
  });

  it('treats a file not yet in the inbox as transient', async () => {
    const { extractSource } = createPipelineSourceActivities({ inboxDir: inbox, stagingDir: staging });
    const failure = await failureOf(
      activityEnvFor(WORKFLOW_ID).runActivity(extractSource, { source: { inboxFile: 'orders-2026-11-01.csv' } }),
    );
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('not in the inbox');
  });
});

describe('validateBatch', () => {
  it('quarantines every bad row with its reason and partitions the good ones', async () => {
    const counts = await writeOrderFile(path.join(inbox, 'orders-2026-11-01.csv'), { date: '2026-11-01', rows: 2_500, badRatio: 0.06 });
    const env = activityEnvFor(WORKFLOW_ID);
    const { extractSource } = createPipelineSourceActivities({ inboxDir: inbox, stagingDir: staging });
    const { validateBatch } = createPipelineStagingActivities({ stagingDir: staging });
    const staged = await env.runActivity(extractSource, { source: { inboxFile: 'orders-2026-11-01.csv' } });
    expect(staged.output.runDir).toBe(runDirFor(staging, WORKFLOW_ID, 'run-1'));

    const { output } = await env.runActivity(validateBatch, { dataset: 'orders', partitionRows: 1_000 });
    expect(output).toMatchObject({ rowsIn: 2500, valid: counts.good, rejected: counts.bad, partitions: 3 });
    const rejects = readFileSync(output.rejectsFile, 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(counts.bad + 1);
    const reasons = rejects.slice(1).join('\n');
    for (const why of [
      'customer_id: must be',
      'order_date: must be a date',
      'amount: must be an amount',
      'currency: must be a 3-letter',
      'has 5 fields, the header has 6',
      'order_id: duplicate of line 2',
    ]) {
      expect(reasons).toContain(why);
    }
    const part = readFileSync(path.join(staged.output.runDir, 'valid', 'part-0000.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(part[0]).toBe('order_id,customer_id,order_date,amount,currency,country');
    expect(part).toHaveLength(1_001);
  });

  it('fails for good on a file whose header lacks a column', async () => {
    writeFileSync(path.join(inbox, 'orders-bad.csv'), 'order_id,customer_id,amount\nA1,C1,3.00\n');
    const env = activityEnvFor('pipeline-orders-bad');
    await env.runActivity(createPipelineSourceActivities({ inboxDir: inbox, stagingDir: staging }).extractSource, {
      source: { inboxFile: 'orders-bad.csv' },
    });
    const failure = await failureOf(
      env.runActivity(createPipelineStagingActivities({ stagingDir: staging }).validateBatch, { dataset: 'orders', partitionRows: 1_000 }),
    );
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('lacks column(s) order_date, currency, country');
  });
});
