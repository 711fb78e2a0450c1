/**
 * Validation of a staged source file, row by row against its dataset's schema: good rows go to partition files
 * of a fixed size (the transform's units of work), bad rows to a rejects file with the reason, never dropped.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { partitionFileName } from '../../workflows/data-pipeline/batch';
import { PermanentError } from '../kit/errors';
import { csvLine, parseCsvLine } from './csv';
import type { DatasetDefinition } from './datasets';
import { linesFrom, LineWriter } from './line-files';
import { STAGED } from './staging-files';
import { SOURCE_LIMITS, type SourceLimits } from './source-limits';
import { clip } from '../../workflows/kit/limits';

export interface ValidationCounts {
  /** Data rows read (blank lines are not rows). */
  rowsIn: number;
  valid: number;
  rejected: number;
  partitions: number;
  /** Source columns the dataset does not use: the first few, each clipped (a header is the source's, untrusted). */
  ignoredColumns: string[];
  /** How many columns the dataset does not use, all told. */
  ignoredColumnCount: number;
  rejectsFile: string;
}

/** The reason a row is bad: the first problem of each field, e.g. "customer_id: must be 1-64 letters…". */
function schemaReason(dataset: DatasetDefinition, record: Record<string, string>): string | undefined {
  const parsed = dataset.row.safeParse(record);
  if (parsed.success) return undefined;
  const byField = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const field = issue.path.join('.') || '(row)';
    if (!byField.has(field)) byField.set(field, `${field}: ${issue.message}`);
  }
  return [...byField.values()].join('; ');
}

/** Ignored column names a result carries at most, and their length: the rest are only counted. */
const SHOWN_COLUMNS = 10;
const SHOWN_COLUMN_CHARS = 40;

/** Where each dataset column is in the source header; a missing column or too many fail the whole file for good. */
function columnPositions(
  dataset: DatasetDefinition,
  headerLine: string | undefined,
  maxColumns: number,
): { positions: number[]; width: number; ignored: string[] } {
  if (headerLine === undefined) throw new PermanentError('the source file is empty: it has no header line');
  const header = (parseCsvLine(headerLine.replace(/^\uFEFF/, '')) ?? []).map((c) => c.trim());
  if (header.length > maxColumns)
    throw new PermanentError(`the source header has ${header.length} columns, more than the ${maxColumns} a source file may have`);
  const missing = dataset.columns.filter((c) => !header.includes(c));
  if (missing.length) throw new PermanentError(`the source header lacks column(s) ${missing.join(', ')} of dataset ${dataset.name}`);
  return {
    positions: dataset.columns.map((c) => header.indexOf(c)),
    width: header.length,
    ignored: header.filter((c) => !dataset.columns.includes(c)),
  };
}

/** The valid rows in partition files of `partitionRows` rows each, under `<runDir>/valid/`. */
class PartitionWriter {
  private writer: LineWriter | undefined;
  private rowsInPart = 0;
  partitions = 0;

  constructor(
    private readonly dir: string,
    private readonly header: string,
    private readonly partitionRows: number,
  ) {}

  async write(line: string): Promise<void> {
    if (!this.writer || this.rowsInPart === this.partitionRows) {
      await this.writer?.close();
      this.writer = await LineWriter.create(path.join(this.dir, partitionFileName(this.partitions)));
      this.writer.write(this.header);
      this.partitions += 1;
      this.rowsInPart = 0;
    }
    this.writer.write(line);
    this.rowsInPart += 1;
    await this.writer.maybeFlush();
  }

  async close(): Promise<void> {
    await this.writer?.close();
  }
}

/**
 * Validates `<runDir>/source.csv`; reports progress every 10,000 rows. A retry starts over: it is one pass. A
 * line or a header past the limits fails the file for good (LineTooLongError, PermanentError).
 */
export async function validateFile(
  dataset: DatasetDefinition,
  runDir: string,
  partitionRows: number,
  progress: (rowsRead: number) => void,
  limits: Pick<SourceLimits, 'maxLineBytes' | 'maxColumns'> = SOURCE_LIMITS,
): Promise<ValidationCounts> {
  const validDir = path.join(runDir, STAGED.valid);
  await mkdir(validDir, { recursive: true });
  const rejectsFile = path.join(runDir, STAGED.rejects);
  const rejects = await LineWriter.create(rejectsFile);
  rejects.write('line,reason,record');
  const partitions = new PartitionWriter(validDir, dataset.columns.join(','), partitionRows);
  // The first line of each key, to name it when a duplicate comes: one entry per valid row.
  const seen = new Map<string, number>();
  const counts = { rowsIn: 0, valid: 0, rejected: 0 };
  let columns: ReturnType<typeof columnPositions> | undefined;
  let lineNo = 0;

  const reject = async (line: string, reason: string) => {
    counts.rejected += 1;
    rejects.write(csvLine([lineNo, reason, line]));
    await rejects.maybeFlush();
  };

  try {
    for await (const { line } of linesFrom(path.join(runDir, STAGED.source), 0, { maxLineBytes: limits.maxLineBytes })) {
      lineNo += 1;
      if (!columns) {
        columns = columnPositions(dataset, line, limits.maxColumns);
        continue;
      }
      if (line.trim() === '') continue;
      counts.rowsIn += 1;
      if (counts.rowsIn % 10_000 === 0) progress(counts.rowsIn);
      const fields = parseCsvLine(line);
      if (!fields) {
        await reject(line, 'unbalanced quotes (a record must fit on one line)');
        continue;
      }
      if (fields.length !== columns.width) {
        await reject(line, `has ${fields.length} fields, the header has ${columns.width}`);
        continue;
      }
      const values = columns.positions.map((p) => fields[p]!.trim());
      const record = Object.fromEntries(dataset.columns.map((c, i) => [c, values[i]!]));
      const reason = schemaReason(dataset, record);
      if (reason) {
        await reject(line, reason);
        continue;
      }
      const key = record[dataset.rowKey]!;
      const first = seen.get(key);
      if (first !== undefined) {
        await reject(line, `${dataset.rowKey}: duplicate of line ${first}`);
        continue;
      }
      seen.set(key, lineNo);
      counts.valid += 1;
      await partitions.write(csvLine(values));
    }
    // No line at all: not even a header.
    if (!columns) columnPositions(dataset, undefined, limits.maxColumns);
  } finally {
    await partitions.close();
    await rejects.close();
  }
  const ignored = columns?.ignored ?? [];
  return {
    ...counts,
    partitions: partitions.partitions,
    ignoredColumns: ignored.slice(0, SHOWN_COLUMNS).map((c) => clip(c, SHOWN_COLUMN_CHARS)),
    ignoredColumnCount: ignored.length,
    rejectsFile,
  };
}
