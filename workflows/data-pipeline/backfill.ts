/**
 * A backfill: the data pipeline for every day of a date range, each day a child pipeline run reading that day's
 * inbox file, a bounded number at a time. Loads are once per batch, so a day already loaded inserts nothing.
 */
import { activitiesOf, runProcess, type NoticeActivities } from '../kit';
import { daysBetween } from './batch';
import { DATA_PIPELINE, PIPELINE_BACKFILL } from './shape';
import type { BackfillInput, BackfillResult, DataPipelineResult } from './types';

/** Runs the pipeline for each day from `from` to `to`; a failed day is reported and the others go on. */
export async function pipelineBackfill(input: BackfillInput): Promise<BackfillResult> {
  const { backfill, options } = input;
  const { dataset, from, to } = backfill;
  const request = { shape: PIPELINE_BACKFILL, options, activities: activitiesOf<NoticeActivities>(), subject: `${dataset} ${from}..${to}` };
  return runProcess(request, async (p) => {
    const step = p.step('runDays');
    const joined = await step.fanOut<string, DataPipelineResult>({
      workflowType: 'dataPipeline',
      itemProcess: DATA_PIPELINE.name,
      items: daysBetween(from, to),
      key: (day) => day,
      common: {
        dataset,
        maxRejectRatio: backfill.maxRejectRatio,
        partitionRows: backfill.partitionRows,
        maxParallelPartitions: backfill.maxParallelPartitions,
        options,
      },
      maxConcurrent: backfill.maxParallelDays,
      // Days are independent: a day that fails (its file never came) is reported, the other days still load.
      onItemFailure: 'continue',
    });
    const days = joined.results.map((r) => ({
      date: r.key,
      loaded: r.result.loaded,
      inserted: r.result.inserted,
      rejected: r.result.rejected,
    }));
    step.log(`${days.length} day(s) loaded, ${joined.failures.length} failed`, joined.failures.length ? 'warn' : 'info');
    return { state: 'completed', dataset, from, to, days, failedDays: joined.failures.map((f) => ({ date: f.key, error: f.error })) };
  });
}
