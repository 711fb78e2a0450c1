/**
 * One partition's transform, a child run of the pipeline: its own status, retries and escalation, so a slow or
 * failing partition is seen (and decided) alone. The activity checkpoints by heartbeat; after a lost worker
 * the retry resumes from the last checkpoint, and the run logs from which row.
 */
import { activitiesOf, runProcess, type NoticeActivities } from '../kit';
import type { PipelineStagingActivities } from '../../activities/data-pipeline/staging';
import { TRANSFORM_PARTITION } from './shape';
import type { PartitionResult, TransformPartitionInput } from './types';

/** Transforms one partition of a batch; the pipeline's fan-out runs one per partition. */
export async function transformPartition(input: TransformPartitionInput): Promise<PartitionResult> {
  const { dataset, batchId, options, item } = input;
  const request = {
    shape: TRANSFORM_PARTITION,
    options,
    activities: activitiesOf<PipelineStagingActivities & NoticeActivities>(),
    subject: `${batchId} partition ${item.index}`,
  };
  return runProcess(request, async (p) => {
    const step = p.step('transformPartition');
    const done = await step.run((a) => a.transformPartition({ dataset, inputFile: item.inputFile, outputFile: item.outputFile }), {
      summary: `Transform partition ${item.index}`,
    });
    const resumedFromRow = done.resumedFromRow ?? 0;
    if (resumedFromRow > 0) step.log(`resumed from its checkpoint at row ${resumedFromRow}, not from the start`, 'warn');
    return { partition: item.index, rowsOut: done.rowsOut ?? 0, resumedFromRow, outputFile: done.outputFile };
  });
}
