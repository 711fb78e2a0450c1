/**
 * Naming a batch: its key, id, date and workflow id, from the request alone. Pure functions shared by the
 * workflow (no Node builtins) and the registry, so an event, a schedule and the CLI name a batch the same way.
 */
import type { PipelineRequest, PipelineSource } from './types';

/** The files of one run under its staging folder. */
export const STAGED = {
  source: 'source.csv',
  rejects: 'rejects.csv',
  /** Valid rows, one file per partition. */
  valid: 'valid',
  /** Warehouse rows, one file per partition. */
  transformed: 'transformed',
} as const;

/** A file name's stem (no extension) as it may appear in a workflow id and a batch id. */
export const STEM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface Batch {
  dataset: string;
  /** The batch within its dataset: the source file's stem without a leading `<dataset>-` (often the date). */
  key: string;
  /** `<dataset>/<key>`: the warehouse loads each batch id once. */
  id: string;
  date?: string;
  source: PipelineSource;
}

/** The inbox file a dated batch is read from when the request names no source. */
export function inboxFileFor(dataset: string, date: string): string {
  return `${dataset}-${date}.csv`;
}

/** The last path segment of a source, without its extension. */
export function sourceStem(source: PipelineSource): string {
  // The URL's path by hand: the workflow sandbox is not promised a URL class.
  const name = 'inboxFile' in source ? source.inboxFile : source.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/, '');
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The batch a request names: its source, or else the inbox file of its date. */
export function batchOf(request: Pick<PipelineRequest, 'dataset' | 'source' | 'batchDate'>): Batch {
  const { dataset } = request;
  const date = request.batchDate;
  if (!request.source && !date) throw new Error('a pipeline request names a source or a batch date');
  const source = request.source ?? { inboxFile: inboxFileFor(dataset, date!) };
  const stem = sourceStem(source);
  const key = stem.startsWith(`${dataset}-`) && stem.length > dataset.length + 1 ? stem.slice(dataset.length + 1) : stem;
  return { dataset, key, id: `${dataset}/${key}`, date: date ?? (ISO_DAY.test(key) ? key : undefined), source };
}

/** The pipeline run of a batch: `pipeline-<dataset>-<key>`, e.g. pipeline-orders-2026-11-01. */
export function pipelineWorkflowId(request: Pick<PipelineRequest, 'dataset' | 'source' | 'batchDate'>): string {
  const batch = batchOf(request);
  return `pipeline-${batch.dataset}-${batch.key}`;
}

/** Every day from `from` to `to`, inclusive (YYYY-MM-DD, UTC). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The staging name of a partition's file: part-0000.csv. */
export function partitionFileName(index: number): string {
  return `part-${String(index).padStart(4, '0')}.csv`;
}
