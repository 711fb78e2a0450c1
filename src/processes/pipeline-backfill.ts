/** The pipeline's backfill in the registry: a date range, one child pipeline run per day. */
import path from 'node:path';
import { z } from 'zod';
import { PIPELINE_BACKFILL } from '../../workflows/data-pipeline/shape';
import type { BackfillRequest } from '../../workflows/data-pipeline/types';
import { datasetName, day, pipelineOptions, pipelineTuning } from './data-pipeline';
import type { ProcessDefinition } from '../registry/types';

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

export const pipelineBackfillProcess: ProcessDefinition<BackfillRequest> = {
  shape: PIPELINE_BACKFILL,
  workflowType: 'pipelineBackfill',
  inputSchema: backfillRequestSchema,
  workflowId: (b) => `pipeline-backfill-${b.dataset}-${b.from}-${b.to}`,
  subject: (b) => `${b.dataset} ${b.from}..${b.to}`,
  options: pipelineOptions,
  workflowArgs: (backfill, options) => [{ backfill, options }],
  describe: (b) => ({
    summary: `Backfill of ${b.dataset} from ${b.from} to ${b.to} (${daysIn(b.from, b.to)} days, ${b.maxParallelDays} at a time)`,
    details: `Process: data-pipeline-backfill\nDataset: ${b.dataset}\nDays: ${b.from} to ${b.to}`,
  }),
  example: path.join('examples', 'data-pipeline-backfill.json'),
};
