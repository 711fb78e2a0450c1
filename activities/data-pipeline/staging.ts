/**
 * Pipeline activities on the staging area (files under PIPELINE_STAGING_DIR): validate a staged source,
 * transform a partition with checkpoints, discard a run's working files.
 *
 * Rows stay on disk: activities take and return paths and counts, never rows.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { datasetNamed, type DatasetDefinition } from './datasets';
import { insideDir, runDirFor, STAGED } from './staging-files';
import { transformFile, type TransformCheckpoint } from './transform-file';
import { validateFile } from './validate-file';
import type { FaultMode } from '../../workflows/kit/types';
import { stepActivity, attemptStep, PermanentError, type Faultable } from '../kit/step-attempt';
import { classified } from '../kit/classified';
import { SOURCE_LIMITS, type SourceLimits } from './source-limits';

export interface PipelineStagingDependencies {
  stagingDir: string;
  /** Rows between two checkpoints of a partition's transform. */
  chunkRows?: number;
  /** Bounds on a source file's lines and header; the defaults of ./source-limits.ts where absent. */
  limits?: Partial<SourceLimits>;
}

/** The staging folder of the run this activity belongs to. */
export function currentRunDir(stagingDir: string): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('a staging folder belongs to a workflow run');
  return runDirFor(stagingDir, execution.workflowId, execution.runId);
}

/** A dataset the pipeline knows; an unknown one will not become known on a retry. */
export function knownDataset(name: string): DatasetDefinition {
  try {
    return datasetNamed(name);
  } catch (err) {
    throw new PermanentError((err as Error).message);
  }
}

/** The last checkpoint a lost attempt of this activity heartbeated, if any. */
function lastCheckpoint(): TransformCheckpoint | undefined {
  const details = Context.current().info.heartbeatDetails as Partial<TransformCheckpoint> | undefined;
  if (typeof details?.rowsDone !== 'number' || typeof details.inputOffset !== 'number' || typeof details.outputOffset !== 'number')
    return undefined;
  return { rowsDone: details.rowsDone, inputOffset: details.inputOffset, outputOffset: details.outputOffset };
}

/**
 * A latency fault on the transform paces every chunk (rather than delaying the attempt once), so that a long
 * partition can be watched, or its worker killed, in the middle; other faults act before the work as usual.
 */
function splitFault(fault: FaultMode | undefined): { before?: FaultMode; paceMs: number } {
  return fault?.kind === 'latency' ? { paceMs: fault.ms } : { before: fault, paceMs: 0 };
}

/** The ignored columns as a step output: the first few by name, the others counted. */
function shownColumns(shown: readonly string[], count: number): string {
  return count > shown.length ? `${shown.join(',')} and ${count - shown.length} more` : shown.join(',');
}

/** Staging activities bound to the staging folder. */
export function createPipelineStagingActivities(deps: PipelineStagingDependencies) {
  const chunkRows = deps.chunkRows ?? 1_000;
  const limits = { ...SOURCE_LIMITS, ...deps.limits };

  return {
    /** Checks every staged row against its dataset's schema: valid rows into partitions, bad ones into the rejects file. */
    validateBatch: stepActivity(async (input: { dataset: string; partitionRows: number }) => {
      const dataset = knownDataset(input.dataset);
      const ctx = Context.current();
      const counts = await validateFile(
        dataset,
        currentRunDir(deps.stagingDir),
        input.partitionRows,
        (rowsRead) => ctx.heartbeat({ rowsRead }),
        limits,
      );
      return {
        rowsIn: counts.rowsIn,
        valid: counts.valid,
        rejected: counts.rejected,
        partitions: counts.partitions,
        rejectsFile: counts.rejectsFile,
        ignoredColumns: shownColumns(counts.ignoredColumns, counts.ignoredColumnCount),
      };
    }),

    /**
     * Transforms one partition, heartbeating its checkpoint after every chunk; an attempt after a lost one (a
     * killed worker) resumes from the last checkpoint that reached Temporal, not from the start.
     */
    async transformPartition(input: Faultable & { dataset: string; inputFile: string; outputFile: string }) {
      const { before, paceMs } = splitFault(input.fault);
      return attemptStep(before, async () => {
        const dataset = knownDataset(input.dataset);
        const inputFile = insideDir(deps.stagingDir, input.inputFile, 'a partition file');
        const outputFile = insideDir(deps.stagingDir, input.outputFile, 'a partition output');
        await mkdir(path.dirname(outputFile), { recursive: true });
        const ctx = Context.current();
        const outcome = await transformFile(dataset, inputFile, outputFile, {
          checkpoint: lastCheckpoint(),
          chunkRows,
          onChunk: async (checkpoint) => {
            ctx.heartbeat(checkpoint);
            // Context.sleep ends early with a cancellation: an abandoned run stops its partitions.
            if (paceMs > 0) await ctx.sleep(paceMs);
          },
        });
        return { rowsOut: outcome.rowsOut, resumedFromRow: outcome.resumedFromRow, outputFile };
      });
    },

    /** Removes a run's working files (source copy, partitions), keeping its rejects file as the record of bad rows. */
    async discardStaging(input: { runDir?: string }) {
      return classified(async () => {
        const runDir = input.runDir ? insideDir(deps.stagingDir, input.runDir, 'a staging folder') : currentRunDir(deps.stagingDir);
        for (const name of [STAGED.source, `${STAGED.source}.partial`, STAGED.valid, STAGED.transformed]) {
          await rm(path.join(runDir, name), { recursive: true, force: true });
        }
        return { discarded: runDir };
      });
    },
  };
}

export type PipelineStagingActivities = ReturnType<typeof createPipelineStagingActivities>;
