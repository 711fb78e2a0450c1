/**
 * The data pipeline (ETL) of one batch: extract → validate → (a person, when too many rows are bad) → transform
 * (one child run per partition) → load (once per batch) → quality checks → (a person, when one fails) → the
 * summary to the team. Rows stay in staging files: the run carries paths and counts, never rows.
 */
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { activitiesOf, runProcess, type NoticeActivities, type ProcessRun, type StepHandle } from '../kit';
import type { PipelineActivities } from '../../activities/data-pipeline/activities';
import { batchOf, partitionFileName, STAGED, type Batch } from './batch';
import { DATA_PIPELINE, TRANSFORM_PARTITION } from './shape';
import type { DataPipelineInput, DataPipelineResult, PartitionJob, PartitionResult } from './types';

type Activities = PipelineActivities & NoticeActivities;
type PipelineRun = ProcessRun<typeof DATA_PIPELINE, Activities>;

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
  const request = { shape: DATA_PIPELINE, options, activities: activitiesOf<Activities>(), subject: batch.id };
  return runProcess(request, async (p) => {
    const assignee = options.escalation.contacts[0] ?? '';
    let transformed: PartitionResult[] = [];
    const acceptedBy: string[] = [];
    const rejectRatio = (v: { rowsIn: number; rejected: number }) => (v.rowsIn === 0 ? 0 : v.rejected / v.rowsIn);
    const rejectsFileOf = (v: { rejectsFile?: string }, runDir: string) => v.rejectsFile ?? `${runDir}/${STAGED.rejects}`;
    // Checks a person skipped did not pass: the batch then waits for a person to accept it.
    const qualityPassed = (q: { passed?: boolean }) => q.passed === true;

    const done = await p.dag({
      extract: (step) =>
        step.run((a) => a.extractSource({ source: batch.source, dataset: batch.dataset }), {
          summary: `Extract ${batch.id} into staging`,
          undo: { done: "the run's staging files were removed (its rejects file stays)", run: (a) => a.discardStaging({}) },
        }),
      validate: async (step, { extract }) => {
        const v = await step.run((a) => a.validateBatch({ dataset, partitionRows: input.partitionRows }), {
          summary: `Validate the rows of ${batch.id}`,
        });
        step.log(
          `${v.valid} valid and ${v.rejected} rejected of ${v.rowsIn} rows (${percent(rejectRatio(v))}); reasons in ${rejectsFileOf(v, extract.runDir)}`,
        );
      },
      reviewRejects: {
        when: {
          holds: ({ validate }) => rejectRatio(validate) > input.maxRejectRatio,
          otherwise: `rejected rows within the threshold of ${percent(input.maxRejectRatio)}`,
        },
        run: async (step, { extract, validate: v }) => {
          const { decision } = await step.ask({
            prompt: `${batch.id}: ${v.rejected} of ${v.rowsIn} rows rejected (${percent(rejectRatio(v))}, threshold ${percent(input.maxRejectRatio)}): continue with the ${v.valid} good rows, or abort?`,
            details: `The rejected rows and why are in ${rejectsFileOf(v, extract.runDir)}.`,
            choices: ['continue', 'abort'],
            assignee,
            // Nobody looked at a bad batch: it is not loaded.
            onNoAnswer: 'abort',
            ends: { abort: 'abort' },
          });
          acceptedBy.push(decision.by);
        },
      },
      transform: async (step, { extract, validate }) => {
        transformed = await transformPartitions(step, input, batch, extract.runDir, validate.partitions);
      },
      load: async (step) => {
        const files = transformed.flatMap((t) => (t.outputFile ? [t.outputFile] : []));
        const load = await step.run((a) => a.loadBatch({ dataset, batchId: batch.id, batchDate: batch.date, files }), {
          summary: `Load ${batch.id} into the warehouse`,
          undo: {
            done: 'the batch was removed from the warehouse (when this run had loaded it)',
            run: (a) => a.unloadBatch({ dataset, batchId: batch.id }),
          },
        });
        if (load.alreadyLoadedBy)
          step.log(`${batch.id} was already in the warehouse (loaded by ${load.alreadyLoadedBy}): nothing inserted`, 'warn');
      },
      qualityChecks: (step, { validate: v }) =>
        step.run(
          (a) =>
            a.checkBatchQuality({
              dataset,
              batchId: batch.id,
              rowsIn: v.rowsIn,
              rejected: v.rejected,
              valid: v.valid,
              transformed: transformed.reduce((sum, t) => sum + t.rowsOut, 0),
            }),
          { summary: `Check the quality of ${batch.id}` },
        ),
      reviewQuality: {
        when: { holds: ({ qualityChecks }) => !qualityPassed(qualityChecks), otherwise: 'every quality check passed' },
        run: async (step, { qualityChecks }) => {
          const { decision } = await step.ask({
            prompt: `${batch.id} failed its quality checks (${qualityChecks.problems ?? 'the checks were skipped'}): accept the loaded batch, or abort (which removes this run's load)?`,
            choices: ['accept', 'abort'],
            assignee,
            onNoAnswer: 'abort',
            ends: { abort: 'abort' },
          });
          acceptedBy.push(decision.by);
        },
      },
      publishSummary: (step, { extract, validate: v, load, qualityChecks }) => {
        const loaded = qualityChecks.loaded ?? load.rowsInBatch ?? 0;
        const resumed = transformed.filter((t) => t.resumedFromRow > 0).length;
        const text = [
          `Data pipeline ${batch.id}${batch.date ? ` (${batch.date})` : ''}: ${loaded} rows in the warehouse (${load.inserted ?? 0} new),`,
          `${v.rejected} of ${v.rowsIn} rejected (${percent(rejectRatio(v))}; reasons in ${rejectsFileOf(v, extract.runDir)}).`,
          qualityPassed(qualityChecks)
            ? 'Quality checks passed.'
            : `Quality checks failed (${qualityChecks.problems ?? 'the checks were skipped'}); accepted by ${acceptedBy.join(', ')}.`,
          resumed ? `${resumed} partition(s) resumed from a checkpoint after losing their worker.` : '',
        ];
        return step.run((a) => a.postTeamSummary({ purpose: 'publishSummary', text: text.filter(Boolean).join(' ') }), {
          summary: `Post the summary of ${batch.id}`,
        });
      },
    });
    await discardWorkingFiles(p);

    const { validate: v, load, qualityChecks } = done;
    return {
      state: 'completed',
      dataset,
      batchId: batch.id,
      batchDate: batch.date,
      rowsIn: v.rowsIn,
      rejected: v.rejected,
      loaded: qualityChecks.loaded ?? load.rowsInBatch ?? 0,
      inserted: load.inserted ?? 0,
      rejectsFile: rejectsFileOf(v, done.extract.runDir),
      partitions: v.partitions,
      resumed: transformed.filter((t) => t.resumedFromRow > 0).map((t) => ({ partition: t.partition, fromRow: t.resumedFromRow })),
      qualityPassed: qualityPassed(qualityChecks),
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
async function transformPartitions(
  step: StepHandle<typeof DATA_PIPELINE, 'transform', Activities>,
  input: DataPipelineInput,
  batch: Batch,
  runDir: string,
  partitions: number,
): Promise<PartitionResult[]> {
  const jobs: PartitionJob[] = Array.from({ length: partitions }, (_, index) => ({
    index,
    inputFile: `${runDir}/${STAGED.valid}/${partitionFileName(index)}`,
    outputFile: `${runDir}/${STAGED.transformed}/${partitionFileName(index)}`,
  }));
  const joined = await step.fanOut<PartitionJob, PartitionResult>({
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
  if (resumed.length)
    step.log(`resumed from checkpoints: ${resumed.map((r) => `partition ${r.partition} at row ${r.resumedFromRow}`).join(', ')}`, 'warn');
  return results;
}

/** Removes the run's working files once the batch is loaded; the rejects file stays. Failing to is only logged. */
async function discardWorkingFiles(p: PipelineRun): Promise<void> {
  try {
    await p.support('Undo or tidy a pipeline step').discardStaging({});
  } catch (err) {
    if (isCancellation(err)) throw err;
    p.log(`could not remove the staging files: ${err instanceof Error ? err.message : String(err)}`, undefined, 'warn');
  }
}
