/**
 * The shapes of the data pipeline, of the per-partition transform it fans out to, and of a backfill.
 */
import { defineShape } from '../kit/shape';

export const DATA_PIPELINE = defineShape({
  name: 'data-pipeline',
  title: 'Data pipeline: load one batch of a dataset into the warehouse',
  steps: {
    extract: { title: 'Copy the source file into staging', kind: 'activity', outputs: { runDir: 'text', bytes: 'integer?' } },
    validate: {
      title: 'Check every row against the schema; quarantine the bad ones',
      needs: ['extract'],
      kind: 'activity',
      outputs: { rowsIn: 'integer', valid: 'integer', rejected: 'integer', partitions: 'integer', rejectsFile: 'text?' },
    },
    reviewRejects: { title: 'A person decides on a batch with too many bad rows', needs: ['validate'], kind: 'approval', optional: true },
    transform: { title: 'Transform the partitions (one child run per partition)', needs: ['reviewRejects'], kind: 'fan-out' },
    load: {
      title: 'Load the batch into the warehouse, once',
      needs: ['transform'],
      kind: 'activity',
      outputs: { rowsInBatch: 'integer?', inserted: 'integer?', alreadyLoadedBy: 'text?' },
    },
    qualityChecks: {
      title: 'Rows in = loaded + rejected; no empty keys',
      needs: ['load'],
      kind: 'activity',
      outputs: { passed: 'boolean?', loaded: 'integer?', problems: 'text?' },
    },
    reviewQuality: {
      title: 'A person decides on a batch that failed a quality check',
      needs: ['qualityChecks'],
      kind: 'approval',
      optional: true,
    },
    publishSummary: { title: 'Post the batch summary to the team', needs: ['reviewQuality'], kind: 'activity' },
  },
});

export const TRANSFORM_PARTITION = defineShape({
  name: 'transform-partition',
  title: "Transform one partition of a pipeline's batch",
  steps: {
    transformPartition: {
      title: 'Transform the rows, checkpointing as it goes',
      kind: 'activity',
      outputs: { rowsOut: 'integer?', resumedFromRow: 'integer?', outputFile: 'text?' },
    },
  },
});

export const PIPELINE_BACKFILL = defineShape({
  name: 'data-pipeline-backfill',
  title: 'Backfill: the data pipeline for every day of a date range',
  steps: { runDays: { title: 'Run the pipeline for each day (one child run per day)', kind: 'fan-out' } },
});
