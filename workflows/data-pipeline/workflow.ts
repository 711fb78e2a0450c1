/**
 * The data pipeline (ETL) of one batch: extract → validate → (a person, when too many rows are bad) → transform
 * (one child run per partition) → load (once per batch) → quality checks → (a person, when one fails) → the
 * summary to the team. Rows stay in staging files: the run carries paths and counts, never rows.
 */
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { runProcess, type NoticeActivities, type ProcessRun } from '../kit';
import type { PipelineActivities } from '../../activities/data-pipeline';
import { batchOf, partitionFileName, STAGED, type Batch } from './batch';
import { DATA_PIPELINE, TRANSFORM_PARTITION } from './shape';
import type { DataPipelineInput, DataPipelineResult, PartitionJob, PartitionResult } from './types';

type Activities = PipelineActivities & NoticeActivities;

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;

/** The batch of a run: a backfill's day (its item) reads that day's inbox file. A request naming none fails the run at once. */
function batchOfRun(input: DataPipelineInput): Batch {
  try {
    return batchOf(input.item ? { dataset: input.dataset, batchDate: input.item } : input);
  } catch (err) {
    throw ApplicationFailure.create({ type: 'InvalidPipelineRequest', message: (err as Error).message, nonRetryable: true });
  }
}

/** Loads one batch of a dataset into the warehouse, durably, with people where the data needs them. */
export async function dataPipeline(input: DataPipelineInput): Promise<DataPipelineResult> {
  const { options, dataset } = input;
  const batch = batchOfRun(input);
  return runProcess({ shape: DATA_PIPELINE, options, subject: batch.id }, async (p) => {
    const act = (step: string, summary: string) => p.activities<Activities>(step, summary);
    const support = p.support<Activities>('Undo or tidy a pipeline step');
    const assignee = options.escalation.contacts[0] ?? '';
    let runDir = '';
    let rejectsFile = '';
    let counts = { rowsIn: 0, valid: 0, rejected: 0, partitions: 0 };
    let transformed: PartitionResult[] = [];
    let loaded = { inBatch: 0, inserted: 0 };
    let quality = { passed: true, problems: '' };
    const acceptedBy: string[] = [];
    const rejectRatio = () => (counts.rowsIn === 0 ? 0 : counts.rejected / counts.rowsIn);

    await p.dag([
      {
        step: 'extract',
        run: async () => {
          const staged = await p.step<{ runDir: string; bytes?: string }, 'runDir'>(
            'extract',
            () => act('extract', `Extract ${batch.id} into staging`).extractSource({ source: batch.source, fault: p.fault('extract') }),
            { outputs: ['runDir'], undo: { done: "the run's staging files were removed (its rejects file stays)", run: () => support.discardStaging({}) } },
          );
          runDir = staged.runDir;
        },
      },
      {
        step: 'validate',
        run: async () => {
          const v = await p.step<{ rowsIn: string; valid: string; rejected: string; partitions: string; rejectsFile?: string }, 'rowsIn' | 'valid' | 'rejected' | 'partitions'>(
            'validate',
            () => act('validate', `Validate the rows of ${batch.id}`).validateBatch({ dataset, partitionRows: input.partitionRows, fault: p.fault('validate') }),
            { outputs: ['rowsIn', 'valid', 'rejected', 'partitions'] },
          );
          counts = { rowsIn: Number(v.rowsIn), valid: Number(v.valid), rejected: Number(v.rejected), partitions: Number(v.partitions) };
          rejectsFile = v.rejectsFile ?? `${runDir}/${STAGED.rejects}`;
          p.log(`${counts.valid} valid and ${counts.rejected} rejected of ${counts.rowsIn} rows (${percent(rejectRatio())}); reasons in ${rejectsFile}`, 'validate');
        },
      },
      {
        step: 'reviewRejects',
        when: { holds: () => rejectRatio() > input.maxRejectRatio, otherwise: `rejected rows within the threshold of ${percent(input.maxRejectRatio)}` },
        run: async () => {
          const { decision } = await p.ask('reviewRejects', {
            prompt: `${batch.id}: ${counts.rejected} of ${counts.rowsIn} rows rejected (${percent(rejectRatio())}, threshold ${percent(input.maxRejectRatio)}): continue with the ${counts.valid} good rows, or abort?`,
            details: `The rejected rows and why are in ${rejectsFile}.`,
            choices: ['continue', 'abort'],
            assignee,
            // Nobody looked at a bad batch: it is not loaded.
            onNoAnswer: 'abort',
            ends: { abort: 'abort' },
          });
          acceptedBy.push(decision.by);
        },
      },
      {
        step: 'transform',
        run: async () => {
          transformed = await transformPartitions(p, input, batch, runDir, counts.partitions);
        },
      },
      {
        step: 'load',
        run: async () => {
          const files = transformed.flatMap((t) => (t.outputFile ? [t.outputFile] : []));
          const load = await p.step<{ rowsInBatch?: string; inserted?: string; alreadyLoadedBy?: string }>(
            'load',
            () => act('load', `Load ${batch.id} into the warehouse`).loadBatch({ dataset, batchId: batch.id, batchDate: batch.date, files, fault: p.fault('load') }),
            { undo: { done: 'the batch was removed from the warehouse (when this run had loaded it)', run: () => support.unloadBatch({ dataset, batchId: batch.id }) } },
          );
          loaded = { inBatch: Number(load.rowsInBatch ?? 0), inserted: Number(load.inserted ?? 0) };
          if (load.alreadyLoadedBy) p.log(`${batch.id} was already in the warehouse (loaded by ${load.alreadyLoadedBy}): nothing inserted`, 'load', 'warn');
        },
      },
      {
        step: 'qualityChecks',
        run: async () => {
          const qc = await p.step<{ passed?: string; loaded?: string; problems?: string }>('qualityChecks', () =>
            act('qualityChecks', `Check the quality of ${batch.id}`).checkBatchQuality({
              dataset,
              batchId: batch.id,
              rowsIn: counts.rowsIn,
              rejected: counts.rejected,
              valid: counts.valid,
              transformed: transformed.reduce((sum, t) => sum + t.rowsOut, 0),
              fault: p.fault('qualityChecks'),
            }),
          );
          quality = { passed: qc.passed === 'true', problems: qc.problems ?? 'the checks were skipped' };
          if (qc.loaded !== undefined) loaded.inBatch = Number(qc.loaded);
        },
      },
      {
        step: 'reviewQuality',
        when: { holds: () => !quality.passed, otherwise: 'every quality check passed' },
        run: async () => {
          const { decision } = await p.ask('reviewQuality', {
            prompt: `${batch.id} failed its quality checks (${quality.problems}): accept the loaded batch, or abort (which removes this run's load)?`,
            choices: ['accept', 'abort'],
            assignee,
            onNoAnswer: 'abort',
            ends: { abort: 'abort' },
          });
          acceptedBy.push(decision.by);
        },
      },
      {
        step: 'publishSummary',
        run: async () => {
          const resumed = transformed.filter((t) => t.resumedFromRow > 0).length;
          const text = [
            `Data pipeline ${batch.id}${batch.date ? ` (${batch.date})` : ''}: ${loaded.inBatch} rows in the warehouse (${loaded.inserted} new),`,
            `${counts.rejected} of ${counts.rowsIn} rejected (${percent(rejectRatio())}; reasons in ${rejectsFile}).`,
            quality.passed ? 'Quality checks passed.' : `Quality checks failed (${quality.problems}); accepted by ${acceptedBy.join(', ')}.`,
            resumed ? `${resumed} partition(s) resumed from a checkpoint after losing their worker.` : '',
          ];
          await p.step('publishSummary', () =>
            act('publishSummary', `Post the summary of ${batch.id}`).postTeamSummary({ purpose: 'publishSummary', text: text.filter(Boolean).join(' '), fault: p.fault('publishSummary') }),
          );
        },
      },
    ]);
    await discardWorkingFiles(p, support);

    return {
      state: 'completed',
      dataset,
      batchId: batch.id,
      batchDate: batch.date,
      rowsIn: counts.rowsIn,
      rejected: counts.rejected,
      loaded: loaded.inBatch,
      inserted: loaded.inserted,
      rejectsFile,
      partitions: counts.partitions,
      resumed: transformed.filter((t) => t.resumedFromRow > 0).map((t) => ({ partition: t.partition, fromRow: t.resumedFromRow })),
      qualityPassed: quality.passed,
      acceptedBy,
      skippedSteps: p.skippedSteps(),
    };
  });
}

/**
 * The transform as a fan-out of child runs, one per partition, `maxParallelPartitions` at a time. Chosen over
 * parallel activities in this run: each partition gets its own status, retries and escalation (a person retries
 * or skips one partition, not the batch), a retry of the step reruns only unfinished partitions, and the window
 * lives in the fan-out's history, not this run's. The cost, a few workflow tasks per partition, is small next
 * to transforming tens of thousands of rows.
 */
async function transformPartitions(p: ProcessRun, input: DataPipelineInput, batch: Batch, runDir: string, partitions: number): Promise<PartitionResult[]> {
  const jobs: PartitionJob[] = Array.from({ length: partitions }, (_, index) => ({
    index,
    inputFile: `${runDir}/${STAGED.valid}/${partitionFileName(index)}`,
    outputFile: `${runDir}/${STAGED.transformed}/${partitionFileName(index)}`,
  }));
  const joined = await p.fanOut<PartitionJob, PartitionResult>('transform', {
    workflowType: 'transformPartition',
    itemProcess: TRANSFORM_PARTITION.name,
    items: jobs,
    key: (job) => `part-${job.index}`,
    common: { dataset: input.dataset, batchId: batch.id, options: input.options },
    maxConcurrent: input.maxParallelPartitions,
    // Every partition is needed for a whole batch: a failed one stops the others and a person decides.
    onItemFailure: 'stop',
  });
  const results = joined.results.map((r) => r.result);
  const resumed = results.filter((r) => r.resumedFromRow > 0);
  if (resumed.length) p.log(`resumed from checkpoints: ${resumed.map((r) => `partition ${r.partition} at row ${r.resumedFromRow}`).join(', ')}`, 'transform', 'warn');
  return results;
}

/** Removes the run's working files once the batch is loaded; the rejects file stays. Failing to is only logged. */
async function discardWorkingFiles(p: ProcessRun, support: Activities): Promise<void> {
  try {
    await support.discardStaging({});
  } catch (err) {
    if (isCancellation(err)) throw err;
    p.log(`could not remove the staging files: ${err instanceof Error ? err.message : String(err)}`, undefined, 'warn');
  }
}
