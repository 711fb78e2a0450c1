/**
 * One partition's transform, a child run of the pipeline: its own status, retries and escalation, so a slow or
 * failing partition is seen (and decided) alone. The activity checkpoints by heartbeat; after a lost worker
 * the retry resumes from the last checkpoint, and the run logs from which row.
 */
import { runProcess } from '../kit';
import type { NoticeActivities } from '../kit';
import type { PipelineStagingActivities } from '../../activities/data-pipeline/staging';
import { TRANSFORM_PARTITION } from './shape';
import type { PartitionResult, TransformPartitionInput } from './types';

type Activities = PipelineStagingActivities & NoticeActivities;

/** Transforms one partition of a batch; the pipeline's fan-out runs one per partition. */
export async function transformPartition(input: TransformPartitionInput): Promise<PartitionResult> {
  const { dataset, batchId, options, item } = input;
  return runProcess({ shape: TRANSFORM_PARTITION, options, subject: `${batchId} partition ${item.index}` }, async (p) => {
    const done = await p.step<{ rowsOut?: string; resumedFromRow?: string; outputFile?: string }>('transformPartition', () =>
      p
        .activities<Activities>('transformPartition', `Transform partition ${item.index}`)
        .transformPartition({ dataset, inputFile: item.inputFile, outputFile: item.outputFile, fault: p.fault('transformPartition') }),
    );
    const resumedFromRow = Number(done.resumedFromRow ?? 0);
    if (resumedFromRow > 0) p.log(`resumed from its checkpoint at row ${resumedFromRow}, not from the start`, 'transformPartition', 'warn');
    return { partition: item.index, rowsOut: Number(done.rowsOut ?? 0), resumedFromRow, outputFile: done.outputFile };
  });
}
