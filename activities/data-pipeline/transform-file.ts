/**
 * The transform of one partition file into warehouse rows, in chunks, with a checkpoint after each chunk: the
 * rows done and the byte offsets reached in the input and the output. Resuming from a checkpoint cuts the output
 * back to its offset and reads on from the input's, so a partition interrupted anywhere is finished exactly once.
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PermanentError } from '../kit/errors';
import { csvLine, parseCsvLine } from './csv';
import type { DatasetDefinition } from './datasets';
import { linesFrom, LineWriter } from './line-files';

/** Progress of a partition, as its heartbeats carry it. */
export interface TransformCheckpoint {
  rowsDone: number;
  /** Input bytes consumed: the start of the next row. */
  inputOffset: number;
  /** Output bytes written for those rows (header included). */
  outputOffset: number;
}

export interface TransformOutcome {
  rowsOut: number;
  /** The row this pass started from: 0, or the checkpoint's. */
  resumedFromRow: number;
}

/** A checkpoint can be resumed only if the output still holds everything it counts (a lost disk write would not). */
async function resumable(checkpoint: TransformCheckpoint | undefined, outputFile: string): Promise<TransformCheckpoint | undefined> {
  if (!checkpoint || !Number.isSafeInteger(checkpoint.rowsDone) || checkpoint.rowsDone <= 0) return undefined;
  const size = await stat(outputFile).then(
    (s) => s.size,
    () => -1,
  );
  return size >= checkpoint.outputOffset ? checkpoint : undefined;
}

/**
 * Transforms `inputFile` (valid rows, a header first) into `outputFile` (warehouse rows, a header first), from
 * the checkpoint when one is given and usable. `onChunk` hears each checkpoint once its rows are written.
 */
export async function transformFile(
  dataset: DatasetDefinition,
  inputFile: string,
  outputFile: string,
  opts: { checkpoint?: TransformCheckpoint; chunkRows: number; onChunk: (checkpoint: TransformCheckpoint) => Promise<void> },
): Promise<TransformOutcome> {
  const from = await resumable(opts.checkpoint, outputFile);
  const writer = from ? await LineWriter.resume(outputFile, from.outputOffset) : await LineWriter.create(outputFile);
  if (!from) writer.write(dataset.table.columns.map((c) => c.name).join(','));
  let rowsDone = from?.rowsDone ?? 0;
  let headerPending = !from;
  let inChunk = 0;
  try {
    for await (const { line, end } of linesFrom(inputFile, from?.inputOffset ?? 0)) {
      if (headerPending) {
        if (line !== dataset.columns.join(','))
          throw new PermanentError(`${inputFile} is not a staged ${dataset.name} partition (unexpected header)`);
        headerPending = false;
        continue;
      }
      if (line === '') continue;
      writer.write(csvLine(dataset.transform(parseCsvLine(line) ?? [])));
      rowsDone += 1;
      inChunk += 1;
      if (inChunk === opts.chunkRows) {
        inChunk = 0;
        await writer.flush();
        await opts.onChunk({ rowsDone, inputOffset: end, outputOffset: writer.position });
      }
    }
  } finally {
    await writer.close();
  }
  return { rowsOut: rowsDone, resumedFromRow: from?.rowsDone ?? 0 };
}

/**
 * The warehouse rows of transformed partition files, one file in memory at a time (a partition is bounded by
 * partitionRows). Synchronous, for a load that runs inside one SQLite transaction.
 */
export function* transformedRows(files: readonly string[], dataset: DatasetDefinition): Generator<string[]> {
  const width = dataset.table.columns.length;
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 1; i < lines.length; i++) {
      const fields = lines[i] ? parseCsvLine(lines[i]!) : undefined;
      if (fields?.length === width) yield fields;
    }
  }
}
