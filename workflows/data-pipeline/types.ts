/**
 * Types of the data pipeline (ETL) and its backfill, shared by their workflows, activities and clients.
 * Pure types only. Rows never travel through these: only paths, counts and keys.
 */
import type { ProcessOptions } from '../kit/types';

/** Where a batch comes from: a file dropped in the inbox folder (relative to it), or an http(s) URL. */
export type PipelineSource = { inboxFile: string } | { url: string };

/** One batch of a dataset to load: what the CLI, an event, a schedule or a backfill asks for. */
export interface PipelineRequest {
  /** A registered dataset, e.g. `orders`: it names the row schema and the warehouse table. */
  dataset: string;
  /** Without a source the batch is the inbox file of `batchDate`: `<dataset>-<date>.csv`. */
  source?: PipelineSource;
  /** YYYY-MM-DD (a nightly schedule passes `{{yesterday}}`, which it fills in when it fires). */
  batchDate?: string;
  /** Rejected rows above this share of the rows read ask a person whether to go on (0..1). */
  maxRejectRatio: number;
  /** Valid rows per partition: the unit of parallel transform and of its checkpoints. */
  partitionRows: number;
  /** Partitions transformed at once (child runs). */
  maxParallelPartitions: number;
}

/** The workflow's input: the request with the run's options frozen in. */
export interface DataPipelineInput extends PipelineRequest {
  options: ProcessOptions;
  /** The day a backfill hands this run (its fan-out's item): the batch is that day's inbox file. */
  item?: string;
}

/** One partition's transform, handed to its child run. */
export interface PartitionJob {
  index: number;
  /** The partition's valid rows (a staging file). */
  inputFile: string;
  /** Where its transformed rows go (a staging file). */
  outputFile: string;
}

export interface TransformPartitionInput {
  dataset: string;
  batchId: string;
  options: ProcessOptions;
  item: PartitionJob;
}

export interface PartitionResult {
  partition: number;
  rowsOut: number;
  /** The row the successful attempt started from: above 0 when it resumed from a checkpoint. */
  resumedFromRow: number;
  /** Absent when a person skipped the partition: nothing of it is loaded (the quality checks will say so). */
  outputFile?: string;
}

export interface DataPipelineResult {
  state: 'completed';
  dataset: string;
  batchId: string;
  batchDate?: string;
  rowsIn: number;
  rejected: number;
  /** Rows of the batch in the warehouse after the load (loaded by this run or an earlier one). */
  loaded: number;
  /** Rows this run inserted: 0 when the batch had already been loaded. */
  inserted: number;
  rejectsFile: string;
  partitions: number;
  /** Partitions whose transform resumed from a checkpoint after losing its worker. */
  resumed: Array<{ partition: number; fromRow: number }>;
  qualityPassed: boolean;
  /** Who accepted the batch when a threshold or a quality check asked a person. */
  acceptedBy: string[];
  skippedSteps: string[];
}

/** A backfill: the pipeline for every day of a date range, each day its own run. */
export interface BackfillRequest {
  dataset: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
  /** Day runs at once. */
  maxParallelDays: number;
  maxRejectRatio: number;
  partitionRows: number;
  maxParallelPartitions: number;
}

export interface BackfillInput {
  backfill: BackfillRequest;
  options: ProcessOptions;
}

export interface BackfillResult {
  state: 'completed';
  dataset: string;
  from: string;
  to: string;
  days: Array<{ date: string; loaded: number; inserted: number; rejected: number }>;
  failedDays: Array<{ date: string; error: string }>;
}
