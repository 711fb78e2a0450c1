/**
 * The data pipeline in the registry: its input, workflow id, step policies, example, the per-partition
 * transform it fans out to, and the `file.arrived` event that starts it.
 */
import path from 'node:path';
import { z } from 'zod';
import { processOptionsFrom, type OvertureConfig } from '../config';
import { DATASET_NAMES } from '../../activities/data-pipeline/datasets';
import type { ProcessOptions, StepPolicy, SystemName } from '../../workflows/kit/types';
import { batchOf, pipelineWorkflowId, sourceStem, STEM_PATTERN } from '../../workflows/data-pipeline/batch';
import { DATA_PIPELINE, TRANSFORM_PARTITION } from '../../workflows/data-pipeline/shape';
import type { PipelineRequest, PipelineSource, TransformPartitionInput } from '../../workflows/data-pipeline/types';
import type { EventRoute, ProcessDefinition } from '../registry/types';
import { safeText } from '../../workflows/kit/input';
import { hasUnsafeText } from '../../workflows/kit/safe-text';

const MINUTE = 60_000;

/**
 * Retry policies of the pipeline's steps. The long steps heartbeat, so a killed worker is noticed within the
 * heartbeat timeout (not the half hour of the step's timeout) and the step is retried on another worker.
 */
export const PIPELINE_STEP_POLICIES: Record<string, StepPolicy> = {
  // A flaky source (a URL answering 503, a file still being copied in) is given time: 2, 4, 8, 16, 32 s.
  extract: { startToCloseTimeoutMs: 30 * MINUTE, heartbeatTimeoutMs: 10_000, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 6 },
  validate: { startToCloseTimeoutMs: 30 * MINUTE, heartbeatTimeoutMs: 10_000, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 3 },
  // Checkpoints every 1,000 rows: a 5 s heartbeat timeout retries a lost partition quickly, from its checkpoint.
  transformPartition: { startToCloseTimeoutMs: 60 * MINUTE, heartbeatTimeoutMs: 5_000, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 10 },
  // One transaction that holds the worker's thread ~0.5 s per 100,000 rows without heartbeating: 30 s of slack.
  load: { startToCloseTimeoutMs: 30 * MINUTE, heartbeatTimeoutMs: 30_000, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 5 },
  // Two counting queries and one webhook post: the fast path.
  qualityChecks: { startToCloseTimeoutMs: 60_000, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 5, runAs: 'local' },
  publishSummary: { startToCloseTimeoutMs: 30_000, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 4, runAs: 'local' },
};

/** The steps that send through a downstream system: they retry for that system's time budget (src/config.ts). */
export const PIPELINE_STEP_SYSTEMS: Partial<Record<string, SystemName>> = { publishSummary: 'chat' };

/** The run options of the pipeline, its partitions and its backfills. */
export function pipelineOptions(config: OvertureConfig): ProcessOptions {
  return processOptionsFrom(config, PIPELINE_STEP_POLICIES, PIPELINE_STEP_SYSTEMS);
}

export const datasetName = z.enum(DATASET_NAMES, { error: `must be a known dataset (${DATASET_NAMES.join(', ')})` });

const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

export const day = z.string({ error: 'must be a date as YYYY-MM-DD' }).refine(isDay, 'must be a date as YYYY-MM-DD');

const stemIsNameable = (source: PipelineSource) => STEM_PATTERN.test(sourceStem(source));

/** A file in the inbox, relative to it: no absolute path, no `..` (and the worker checks where it really leads). */
const inboxFile = z
  .string({ error: 'must be a file name' })
  .max(300, 'must be at most 300 characters')
  .regex(/^(?:[A-Za-z0-9][A-Za-z0-9_.-]*\/)*[A-Za-z0-9][A-Za-z0-9_.-]*\.csv$/i, 'must be a .csv file in the inbox, named by a relative path of letters, digits, ".", "_" or "-"')
  .refine((f) => stemIsNameable({ inboxFile: f }), 'its name (without .csv) must be at most 100 characters: it names the batch');

// The URL check drops tabs and line breaks silently: the text is refused for them (and every other control) first.
const sourceUrl = z
  .string({ error: 'must be an http(s) URL' })
  .max(2_000, 'must be at most 2000 characters')
  .refine((u) => !hasUnsafeText(u) && !/\s/.test(u), 'must not contain spaces, control characters or direction overrides')
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
  .refine((u) => stemIsNameable({ url: u }), 'must end in a file name of letters, digits, ".", "_" or "-" (it names the batch), e.g. …/orders-2026-11-01.csv');

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
  .refine((r) => r.source !== undefined || r.batchDate !== undefined, { message: 'name a source (inboxFile or url) or a batchDate', path: ['source'] });

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

export const dataPipelineProcess: ProcessDefinition<PipelineRequest> = {
  shape: DATA_PIPELINE,
  workflowType: 'dataPipeline',
  inputSchema: pipelineRequestSchema,
  workflowId: (request) => pipelineWorkflowId(request),
  subject: (request) => batchOf(request).id,
  options: pipelineOptions,
  workflowArgs: (request, options) => [{ ...request, options }],
  describe: (request) => {
    const batch = batchOf(request);
    return {
      summary: `Data pipeline of ${batch.id}`,
      details: `Process: data-pipeline\nDataset: ${batch.dataset}\nBatch: ${batch.key}${batch.date ? ` (${batch.date})` : ''}\nSource: ${describeSource(batch.source)}`,
    };
  },
  example: path.join('examples', 'data-pipeline.json'),
  events: [fileArrivedRoute],
};

const partitionInputSchema = z.object({
  dataset: datasetName,
  batchId: safeText({ max: 200 }),
  item: z.object({ index: z.number().int().min(0), inputFile: safeText({ max: 1_000 }), outputFile: safeText({ max: 1_000 }) }),
});

/** One partition's transform: started by the pipeline's fan-out, listed and decided like any run. */
export const transformPartitionProcess: ProcessDefinition<Omit<TransformPartitionInput, 'options'>> = {
  shape: TRANSFORM_PARTITION,
  workflowType: 'transformPartition',
  internal: true,
  inputSchema: partitionInputSchema,
  workflowId: (input) => `pipeline-${input.batchId.replace('/', '-')}/transform/part-${input.item.index}`,
  subject: (input) => `${input.batchId} partition ${input.item.index}`,
  options: pipelineOptions,
  workflowArgs: (input, options) => [{ ...input, options }],
  describe: (input) => ({ summary: `Transform of partition ${input.item.index} of ${input.batchId}`, details: `Process: transform-partition\nBatch: ${input.batchId}` }),
  example: path.join('examples', 'data-pipeline.json'),
};
