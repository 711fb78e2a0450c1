/**
 * The data pipeline end to end on the real server, real files and the SQLite warehouse: 100,000 rows with 1%
 * bad ones, a flaky URL source, too many bad rows or a failed quality check asking a person (each answer), and
 * a 7-day backfill.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { answerQuestion, getRunStatus, startProcess } from '../../../src/client';
import { parseCsvLine } from '../../../activities/data-pipeline/csv';
import { datasetNamed } from '../../../activities/data-pipeline/datasets';
import { writeOrderFile, type OrderFileSpec } from '../../../activities/data-pipeline/order-generator';
import { SqliteWarehouse } from '../../../activities/data-pipeline/sqlite-warehouse';
import type { BackfillResult, DataPipelineResult } from '../../../workflows/data-pipeline/types';
import { quickRetries, startPipeline, summariesOf, warehouseRows } from './helpers';
import { startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { decidedBy } from '../../helpers/operators';
import { settings as pipelineSettings } from '../../../activities/data-pipeline/settings';

let stack: TestStack;
/** The URL source the stack allows for orders (PIPELINE_SOURCE_HOSTS), and an internal service it does not. */
let exports_: { server: http.Server; port: number; respond: http.RequestListener };
let internal: { server: http.Server; port: number; requests: number };
const SECRET = 'INTERNAL_SECRET_TOKEN_5e1d';

async function listen(listener: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

beforeAll(async () => {
  exports_ = { ...(await listen((req, res) => exports_.respond(req, res))), respond: (_req, res) => res.writeHead(404).end() };
  internal = {
    ...(await listen((_req, res) => {
      internal.requests += 1;
      res.writeHead(200, { 'x-internal-token': SECRET }).end(`order_id,customer_id,order_date,amount,currency,country,${SECRET}\n`);
    })),
    requests: 0,
  };
  stack = await startTestStack({
    ESCALATION_CONTACTS: 'data-oncall@pipeline.example.com',
    PIPELINE_SOURCE_HOSTS: `orders=127.0.0.1:${exports_.port}`,
  });
});
afterAll(async () => {
  await stack.stop();
  exports_.server.close();
  internal.server.close();
});

/** Drops a generated order file into the inbox; returns its counts. */
function dropInInbox(spec: OrderFileSpec, name = `orders-${spec.date}.csv`) {
  return writeOrderFile(path.join(pipelineSettings.of(stack.config).inboxDir, name), spec);
}

describe('data pipeline', () => {
  it('loads 100,000 rows with 1% bad: loaded + rejected = rows in, reasons kept, summary posted once', async () => {
    const counts = await dropInInbox({ date: '2026-11-01', rows: 100_000, badRatio: 0.01 });
    const run = await startPipeline(stack, { source: { inboxFile: 'orders-2026-11-01.csv' } });
    expect(run.workflowId).toBe('pipeline-orders-2026-11-01');
    const result = (await run.handle.result()) as DataPipelineResult;

    expect(result).toMatchObject({
      batchId: 'orders/2026-11-01',
      batchDate: '2026-11-01',
      rowsIn: 100_000,
      rejected: 1_000,
      loaded: 99_000,
      inserted: 99_000,
      partitions: 4,
      qualityPassed: true,
    });
    expect(result.loaded + result.rejected).toBe(result.rowsIn);
    expect(counts).toEqual({ rows: 100_000, good: 99_000, bad: 1_000 });
    const rejects = fs.readFileSync(result.rejectsFile, 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(1_001);
    expect(parseCsvLine(rejects[1]!)).toEqual([
      '101',
      expect.stringMatching(/^customer_id: must be/),
      'O20261101-0000099,,2026-11-01,379.01,USD,GB',
    ]);
    expect(warehouseRows(stack, 'orders/2026-11-01')).toBe(99_000);
    expect(summariesOf(stack, 'orders/2026-11-01')).toEqual([
      expect.stringContaining('99000 rows in the warehouse (99000 new), 1000 of 100000 rejected (1%'),
    ]);
    // The working files are gone once loaded; the rejects file stays.
    expect(fs.existsSync(path.join(path.dirname(result.rejectsFile), 'source.csv'))).toBe(false);

    const status = await getRunStatus(stack.client, run.workflowId);
    expect(status.steps.map((s) => [s.step, s.state])).toEqual([
      ['extract', 'completed'],
      ['validate', 'completed'],
      ['reviewRejects', 'not_taken'],
      ['transform', 'completed'],
      ['load', 'completed'],
      ['qualityChecks', 'completed'],
      ['reviewQuality', 'not_taken'],
      ['publishSummary', 'completed'],
    ]);
    expect(status.steps.find((s) => s.step === 'transform')!.fanOut).toMatchObject({ total: 4, completed: 4, failed: 0 });
  });

  it('retries a flaky URL source with backoff, then loads it', async () => {
    const file = path.join(stack.config.OVERTURE_DATA_DIR, 'export.csv');
    await writeOrderFile(file, { date: '2026-11-02', rows: 500, badRatio: 0 });
    let requests = 0;
    exports_.respond = (_req, res) => {
      requests += 1;
      if (requests <= 2) res.writeHead(503).end('busy');
      else fs.createReadStream(file).pipe(res.writeHead(200, { 'content-type': 'text/csv' }));
    };
    const url = `http://127.0.0.1:${exports_.port}/exports/orders-2026-11-02.csv?signature=abc`;
    const run = await startPipeline(stack, { source: { url } });
    const result = (await run.handle.result()) as DataPipelineResult;
    expect(result).toMatchObject({ batchId: 'orders/2026-11-02', loaded: 500, rejected: 0 });
    expect(requests).toBe(3);
    const extract = (await getRunStatus(stack.client, run.workflowId)).steps.find((s) => s.step === 'extract')!;
    expect(extract.attempts).toBe(3);
  });

  it('fetches nothing from a URL on a host its dataset does not allow: no request, nothing in the status or the warehouse', async () => {
    exports_.respond = (_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/secret.csv` }).end();
    for (const [key, url] of [
      ['2026-11-20', `http://127.0.0.1:${internal.port}/orders-2026-11-20.csv`],
      ['2026-11-21', `http://localhost:${internal.port}/orders-2026-11-21.csv`],
      ['2026-11-22', `http://127.0.0.1:${exports_.port}/orders-2026-11-22.csv`],
    ]) {
      const run = await startPipeline(stack, { source: { url } });
      const status = await statusWhen(stack, run.workflowId, (s) => s.state !== 'running', 'the run to stop or ask', 30_000);
      expect(internal.requests).toBe(0);
      expect(status.state).toBe('needs_attention');
      const extract = status.steps.find((s) => s.step === 'extract')!;
      // Refused for good: the first attempt is the only one.
      expect(extract.attempts).toBe(1);
      expect(extract.lastError).toMatch(/which the data pipeline does not fetch: host not on the allow-list/);
      expect(JSON.stringify(status)).not.toContain(SECRET);
      expect(warehouseRows(stack, `orders/${key}`)).toBe(0);
      await run.handle.terminate('test over');
    }
    expect(internal.requests).toBe(0);
  });

  it('asks a person when too many rows are bad; "continue" loads the good rows', async () => {
    const counts = await dropInInbox({ date: '2026-11-03', rows: 2_000, badRatio: 0.1 });
    const run = await startPipeline(stack, { source: { inboxFile: 'orders-2026-11-03.csv' } });
    const asking = await statusWhen(stack, run.workflowId, (s) => s.questions.some((q) => q.open), 'the reject question', 30_000);
    expect(asking.state).toBe('awaiting_input');
    expect(asking.steps.find((s) => s.step === 'reviewRejects')!.state).toBe('waiting');
    expect(asking.questions[0]!.prompt).toContain('200 of 2000 rows rejected (10%, threshold 5%)');
    expect(warehouseRows(stack, 'orders/2026-11-03')).toBe(0);

    await answerQuestion(stack.client, run.workflowId, { decision: 'continue', ...decidedBy('data.owner'), reason: 'known export bug' });
    const result = (await run.handle.result()) as DataPipelineResult;
    expect(result).toMatchObject({ loaded: counts.good, rejected: counts.bad, acceptedBy: ['data.owner'] });
    expect(warehouseRows(stack, 'orders/2026-11-03')).toBe(counts.good);
  });

  it('asks a person when too many rows are bad; "abort" loads nothing and keeps the rejects', async () => {
    await dropInInbox({ date: '2026-11-04', rows: 1_000, badRatio: 0.2 });
    const run = await startPipeline(stack, { source: { inboxFile: 'orders-2026-11-04.csv' } });
    await statusWhen(stack, run.workflowId, (s) => s.questions.some((q) => q.open), 'the reject question', 30_000);
    await answerQuestion(stack.client, run.workflowId, { decision: 'abort', ...decidedBy('data.owner'), reason: 'wrong export' });

    const error: unknown = await run.handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toContain('aborted by data.owner: wrong export');
    const status = await getRunStatus(stack.client, run.workflowId);
    expect(status.state).toBe('aborted');
    expect(status.steps.find((s) => s.step === 'transform')!.state).toBe('cancelled');
    expect(status.steps.find((s) => s.step === 'extract')!.state).toBe('compensated');
    expect(warehouseRows(stack, 'orders/2026-11-04')).toBe(0);
    expect(summariesOf(stack, 'orders/2026-11-04')).toEqual([]);
  });

  it("asks a person when a quality check fails: accept publishes, abort leaves another run's load alone", async () => {
    // Each batch was already loaded from an earlier, shorter export: this run's rows in do not add up.
    const warehouse = new SqliteWarehouse(pipelineSettings.of(stack.config).warehouseDbPath);
    for (const date of ['2026-11-05', '2026-11-06']) {
      warehouse.loadBatch(datasetNamed('orders'), { batchId: `orders/${date}`, loadId: 'an-earlier-run/load' }, () => [
        ['E1', 'C1', date, date.slice(0, 7), 100, 'EUR', 'DE'],
      ]);
      await dropInInbox({ date, rows: 300, badRatio: 0 });
    }
    warehouse.close();

    const accepted = await startPipeline(stack, { batchDate: '2026-11-05' });
    const asking = await statusWhen(stack, accepted.workflowId, (s) => s.questions.some((q) => q.open), 'the quality question', 30_000);
    expect(asking.questions[0]!.prompt).toContain('rows in (300) ≠ loaded (1) + rejected (0)');
    await answerQuestion(stack.client, accepted.workflowId, {
      decision: 'accept',
      ...decidedBy('data.owner'),
      reason: 'the earlier export stands',
    });
    expect(await accepted.handle.result()).toMatchObject({ loaded: 1, inserted: 0, qualityPassed: false, acceptedBy: ['data.owner'] });
    expect(summariesOf(stack, 'orders/2026-11-05')).toEqual([expect.stringContaining('accepted by data.owner')]);

    const aborted = await startPipeline(stack, { batchDate: '2026-11-06' });
    await statusWhen(stack, aborted.workflowId, (s) => s.questions.some((q) => q.open), 'the quality question', 30_000);
    await answerQuestion(stack.client, aborted.workflowId, { decision: 'abort', ...decidedBy('data.owner') });
    await expect(aborted.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await getRunStatus(stack.client, aborted.workflowId)).steps.find((s) => s.step === 'load')!.state).toBe('compensated');
    expect(warehouseRows(stack, 'orders/2026-11-06')).toBe(1);
  });

  it('backfills 7 days, 3 at a time, each day loaded once', async () => {
    const days = ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'];
    for (const date of days) await dropInInbox({ date, rows: 2_000, badRatio: 0.01 });
    const backfill = await startProcess(
      stack.client,
      stack.config,
      'data-pipeline-backfill',
      { dataset: 'orders', from: days[0], to: days[6], maxParallelDays: 3, partitionRows: 1_000 },
      { tuneOptions: quickRetries },
    );
    expect(backfill.workflowId).toBe('pipeline-backfill-orders-2026-10-01-2026-10-07');
    const result = (await backfill.handle.result()) as BackfillResult;
    expect(result.failedDays).toEqual([]);
    expect(result.days).toEqual(days.map((date) => ({ date, loaded: 1_980, inserted: 1_980, rejected: 20 })));
    for (const date of days) expect(warehouseRows(stack, `orders/${date}`)).toBe(1_980);

    // One child run per day, never more than 3 at once.
    const spans = await Promise.all(
      days.map(async (date) => stack.client.workflow.getHandle(`${backfill.workflowId}/runDays/${date}`).describe()),
    );
    const runningAtStart = spans.map((s) => spans.filter((o) => o.startTime <= s.startTime && s.startTime < o.closeTime!).length);
    expect(Math.max(...runningAtStart)).toBeLessThanOrEqual(3);

    // The same day run again on its own finds its batch loaded: nothing doubles.
    const again = await startPipeline(stack, { batchDate: days[2] });
    expect(again.workflowId).toBe(`pipeline-orders-${days[2]}`);
    expect(await again.handle.result()).toMatchObject({ loaded: 1_980, inserted: 0, qualityPassed: true });
    expect(warehouseRows(stack, `orders/${days[2]}`)).toBe(1_980);
  });
});
