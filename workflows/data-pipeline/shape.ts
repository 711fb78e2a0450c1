/**
 * The shapes of the data pipeline, of the per-partition transform it fans out to, and of a backfill.
 */
import type { ProcessShape } from '../kit/types';

export const DATA_PIPELINE: ProcessShape = {
  name: 'data-pipeline',
  title: 'Data pipeline: load one batch of a dataset into the warehouse',
  steps: [
    { name: 'extract', title: 'Copy the source file into staging', needs: [], kind: 'activity', outputs: ['runDir'] },
    { name: 'validate', title: 'Check every row against the schema; quarantine the bad ones', needs: ['extract'], kind: 'activity', outputs: ['rowsIn', 'valid', 'rejected', 'partitions'] },
    { name: 'reviewRejects', title: 'A person decides on a batch with too many bad rows', needs: ['validate'], kind: 'approval', optional: true },
    { name: 'transform', title: 'Transform the partitions (one child run per partition)', needs: ['reviewRejects'], kind: 'fan-out' },
    { name: 'load', title: 'Load the batch into the warehouse, once', needs: ['transform'], kind: 'activity' },
    { name: 'qualityChecks', title: 'Rows in = loaded + rejected; no empty keys', needs: ['load'], kind: 'activity' },
    { name: 'reviewQuality', title: 'A person decides on a batch that failed a quality check', needs: ['qualityChecks'], kind: 'approval', optional: true },
    { name: 'publishSummary', title: 'Post the batch summary to the team', needs: ['reviewQuality'], kind: 'activity' },
  ],
};

export const TRANSFORM_PARTITION: ProcessShape = {
  name: 'transform-partition',
  title: "Transform one partition of a pipeline's batch",
  steps: [{ name: 'transformPartition', title: 'Transform the rows, checkpointing as it goes', needs: [], kind: 'activity' }],
};

export const PIPELINE_BACKFILL: ProcessShape = {
  name: 'data-pipeline-backfill',
  title: 'Backfill: the data pipeline for every day of a date range',
  steps: [{ name: 'runDays', title: 'Run the pipeline for each day (one child run per day)', needs: [], kind: 'fan-out' }],
};
