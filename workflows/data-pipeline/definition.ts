/**
 * The data pipeline in the registry: its input, workflow id, step policies, example and the `file.arrived` event
 * that starts it; the per-partition transform it fans out to; and the backfill of a date range.
 */
import { z } from 'zod';
import { defineProcess, type EventRoute } from '../kit/definition';
import { safeText } from '../kit/input';
import { hasUnsafeText } from '../kit/safe-text';
import type { StepPolicy } from '../kit/types';
import { DATASET_NAMES } from '../../activities/data-pipeline/datasets';
import { batchOf, pipelineWorkflowId, sourceStem, STEM_PATTERN } from './batch';
import { DATA_PIPELINE, PIPELINE_BACKFILL, TRANSFORM_PARTITION } from './shape';
import type { BackfillRequest, PipelineRequest, PipelineSource, TransformPartitionInput } from './types';

const MINUTE = 60_000;

/**
 * Retry policies of the pipeline's steps. The long steps heartbeat, so a killed worker is noticed within the
 * heartbeat timeout (not the half hour of the step's timeout) and the step is retried on another worker.
 */
const policies = {
  // A flaky source (a URL answering 503, a file still being copied in) is given time: 2, 4, 8, 16, 32 s.
  extract: {
    startToCloseTimeoutMs: 30 * MINUTE,
    heartbeatTimeoutMs: 10_000,
    initialIntervalMs: 2_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
    maximumAttempts: 6,
  },
  validate: {
    startToCloseTimeoutMs: 30 * MINUTE,
    heartbeatTimeoutMs: 10_000,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 30_000,
    maximumAttempts: 3,
  },
  // Checkpoints every 1,000 rows: a 5 s heartbeat timeout retries a lost partition quickly, from its checkpoint.
  transformPartition: {
    startToCloseTimeoutMs: 60 * MINUTE,
    heartbeatTimeoutMs: 5_000,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 30_000,
    maximumAttempts: 10,
  },
  // One transaction that holds the worker's thread ~0.5 s per 100,000 rows without heartbeating: 30 s of slack.
  load: {
    startToCloseTimeoutMs: 30 * MINUTE,
    heartbeatTimeoutMs: 30_000,
    initialIntervalMs: 2_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
    maximumAttempts: 5,
  },
  // Two counting queries and one webhook post: the fast path.
  qualityChecks: {
    startToCloseTimeoutMs: 60_000,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 30_000,
    maximumAttempts: 5,
    runAs: 'local',
  },
  publishSummary: {
    startToCloseTimeoutMs: 30_000,
    initialIntervalMs: 2_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
    maximumAttempts: 4,
    runAs: 'local',
  },
} satisfies Record<string, StepPolicy>;

export const datasetName = z.enum(DATASET_NAMES, { error: `must be a known dataset (${DATASET_NAMES.join(', ')})` });

const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

export const day = z.string({ error: 'must be a date as YYYY-MM-DD' }).refine(isDay, 'must be a date as YYYY-MM-DD');

const stemIsNameable = (source: PipelineSource) => STEM_PATTERN.test(sourceStem(source));

/** A file in the inbox, relative to it: no absolute path, no `..` (and the worker checks where it really leads). */
const inboxFile = z
  .string({ error: 'must be a file name' })
  .max(300, 'must be at most 300 characters')
  .regex(
    /^(?:[A-Za-z0-9][A-Za-z0-9_.-]*\/)*[A-Za-z0-9][A-Za-z0-9_.-]*\.csv$/i,
    'must be a .csv file in the inbox, named by a relative path of letters, digits, ".", "_" or "-"',
  )
  .refine((f) => stemIsNameable({ inboxFile: f }), 'its name (without .csv) must be at most 100 characters: it names the batch');

// The URL check drops tabs and line breaks silently: the text is refused for them (and every other control) first.
const sourceUrl = z
  .string({ error: 'must be an http(s) URL' })
  .max(2_000, 'must be at most 2000 characters')
  .refine((u) => !hasUnsafeText(u) && !/\s/.test(u), 'must not contain spaces, control characters or direction overrides')
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
  .refine(
    (u) => stemIsNameable({ url: u }),
    'must end in a file name of letters, digits, ".", "_" or "-" (it names the batch), e.g. …/orders-2026-11-01.csv',
  );

const sourceSchema = z
  .object({ inboxFile: inboxFile.optional(), url: sourceUrl.optional() }, { error: 'must be {"inboxFile": …} or {"url": …}' })
  .strict()
  .refine((s) => (s.inboxFile === undefined) !== (s.url === undefined), 'name either inboxFile or url')
  .transform((s): PipelineSource => (s.inboxFile !== undefined ? { inboxFile: s.inboxFile } : { url: s.url! }));

/** The bounds of a run's tuning, shared with the backfill. */
export const pipelineTuning = {
  maxRejectRatio: z.number().min(0).max(1).default(0.05),
  partitionRows: z.number().int().min(100).max(1_000_000).default(25_000),
  maxParallelPartitions: z.number().int().min(1).max(32).default(4),
};

export const pipelineRequestSchema = z
  .object({
    dataset: datasetName,
    source: sourceSchema.optional(),
    batchDate: day.optional(),
    ...pipelineTuning,
  })
  .strict()
  .refine((r) => r.source !== undefined || r.batchDate !== undefined, {
    message: 'name a source (inboxFile or url) or a batchDate',
    path: ['source'],
  });

/** The data of a `file.arrived` event: which dataset, which file (or URL), and the day it holds if it says. */
export const fileArrivedSchema = z
  .object({ dataset: datasetName, file: inboxFile.optional(), url: sourceUrl.optional(), date: day.optional() })
  .strict()
  .refine((e) => (e.file === undefined) !== (e.url === undefined), { message: 'name either file (in the inbox) or url', path: ['file'] });

export type FileArrived = z.infer<typeof fileArrivedSchema>;

/** The pipeline request a `file.arrived` event starts, with the default tuning. */
function requestForArrival(event: FileArrived): PipelineRequest {
  const source = event.file !== undefined ? { inboxFile: event.file } : { url: event.url! };
  return pipelineRequestSchema.parse({ dataset: event.dataset, source, ...(event.date ? { batchDate: event.date } : {}) });
}

/**
 * A file landed in the inbox (or is ready at a URL): it starts the pipeline run of its batch, correlated by
 * dataset and file stem, so the same file announced twice reaches the same run.
 */
export const fileArrivedRoute: EventRoute<FileArrived, PipelineRequest> = {
  type: 'file.arrived',
  description: 'a CSV landed in the inbox (data: dataset, file or url, date?); starts the pipeline run of its batch',
  schema: fileArrivedSchema,
  workflowId: (event) => pipelineWorkflowId(requestForArrival(event)),
  startInput: requestForArrival,
};

/** Where a batch comes from, for people: an inbox file, or a URL's host (its path or query may hold a token). */
function describeSource(source: PipelineSource): string {
  return 'inboxFile' in source ? `inbox file ${source.inboxFile}` : `a URL on ${new URL(source.url).host}`;
}

export const dataPipelineDefinition = defineProcess({
  shape: DATA_PIPELINE,
  workflowType: 'dataPipeline',
  inputSchema: pipelineRequestSchema,
  workflowId: (request: PipelineRequest) => pipelineWorkflowId(request),
  subject: (request) => batchOf(request).id,
  policies,
  stepSystems: { publishSummary: 'chat' },
  workflowArgs: (request, options) => [{ ...request, options }],
  describe: (request) => {
    const batch = batchOf(request);
    return {
      summary: `Data pipeline of ${batch.id}`,
      details: `Process: data-pipeline\nDataset: ${batch.dataset}\nBatch: ${batch.key}${batch.date ? ` (${batch.date})` : ''}\nSource: ${describeSource(batch.source)}`,
    };
  },
  example: 'examples/data-pipeline.json',
  events: [fileArrivedRoute],
});

const partitionInputSchema = z.object({
  dataset: datasetName,
  batchId: safeText({ max: 200 }),
  item: z.object({ index: z.number().int().min(0), inputFile: safeText({ max: 1_000 }), outputFile: safeText({ max: 1_000 }) }),
});

/** One partition's transform: started by the pipeline's fan-out, listed and decided like any run. */
export const transformPartitionDefinition = defineProcess({
  shape: TRANSFORM_PARTITION,
  workflowType: 'transformPartition',
  internal: true,
  inputSchema: partitionInputSchema,
  workflowId: (input: Omit<TransformPartitionInput, 'options'>) =>
    `pipeline-${input.batchId.replace('/', '-')}/transform/part-${input.item.index}`,
  subject: (input) => `${input.batchId} partition ${input.item.index}`,
  policies: { transformPartition: policies.transformPartition },
  workflowArgs: (input, options) => [{ ...input, options }],
  describe: (input) => ({
    summary: `Transform of partition ${input.item.index} of ${input.batchId}`,
    details: `Process: transform-partition\nBatch: ${input.batchId}`,
  }),
});

/** The longest range one backfill covers: its days are child runs of one fan-out. */
const MAX_DAYS = 366;

const daysIn = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;

export const backfillRequestSchema = z
  .object({
    dataset: datasetName,
    from: day,
    to: day,
    maxParallelDays: z.number().int().min(1).max(16).default(2),
    ...pipelineTuning,
  })
  .strict()
  .refine((b) => b.from <= b.to, { message: 'must not be before from', path: ['to'] })
  .refine((b) => daysIn(b.from, b.to) <= MAX_DAYS, { message: `a backfill covers at most ${MAX_DAYS} days`, path: ['to'] });

export const pipelineBackfillDefinition = defineProcess({
  shape: PIPELINE_BACKFILL,
  workflowType: 'pipelineBackfill',
  inputSchema: backfillRequestSchema,
  workflowId: (b: BackfillRequest) => `pipeline-backfill-${b.dataset}-${b.from}-${b.to}`,
  subject: (b) => `${b.dataset} ${b.from}..${b.to}`,
  // Its days are pipeline runs: they run with the pipeline's own step policies.
  policies: {},
  workflowArgs: (backfill, options) => [{ backfill, options }],
  describe: (b) => ({
    summary: `Backfill of ${b.dataset} from ${b.from} to ${b.to} (${daysIn(b.from, b.to)} days, ${b.maxParallelDays} at a time)`,
    details: `Process: data-pipeline-backfill\nDataset: ${b.dataset}\nDays: ${b.from} to ${b.to}`,
  }),
  example: 'examples/data-pipeline-backfill.json',
});

/** The pipeline, its partitions' transform and its backfill, as the registry reads them. */
export const definitions = [dataPipelineDefinition, transformPartitionDefinition, pipelineBackfillDefinition];
