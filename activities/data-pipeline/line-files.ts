/**
 * Reading and writing large text files a line at a time, with byte offsets, so a step can stop anywhere and
 * resume exactly where its checkpoint says, and never hold a whole file in memory.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { PermanentError } from '../kit/errors';

const NEWLINE = 0x0a;

/** A line (without its newline or a trailing CR) and the byte offset just past it. */
export interface OffsetLine {
  line: string;
  end: number;
}

/** A line longer than the bound: refused as soon as it passes the bound, never held whole. */
export class LineTooLongError extends PermanentError {}

/** Longest line read when the caller names no bound (the pipeline's own files stay far below it). */
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * The lines of a file from a byte offset (the start of a line), each with the offset just past it. A line longer
 * than `maxLineBytes` fails with LineTooLongError once that many bytes of it are in, so memory stays bounded by a
 * chunk and the bound, whatever the file holds.
 */
export async function* linesFrom(file: string, start = 0, opts: { maxLineBytes?: number } = {}): AsyncGenerator<OffsetLine> {
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let offset = start;
  let lineNo = 0;
  let rest: Buffer = Buffer.alloc(0);
  const tooLong = () =>
    new LineTooLongError(`line ${lineNo + 1} (from byte ${offset}) is longer than ${maxLineBytes} bytes, the longest line a file may have`);
  for await (const chunk of createReadStream(file, { start, highWaterMark: 1 << 20 })) {
    const data = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let from = 0;
    for (let nl = data.indexOf(NEWLINE, from); nl !== -1; nl = data.indexOf(NEWLINE, from)) {
      const to = nl > from && data[nl - 1] === 0x0d ? nl - 1 : nl;
      if (to - from > maxLineBytes) throw tooLong();
      offset += nl + 1 - from;
      lineNo += 1;
      yield { line: data.toString('utf8', from, to), end: offset };
      from = nl + 1;
    }
    rest = data.subarray(from);
    // A line still without its end past the bound: no need to read (and hold) the rest of it.
    if (rest.length > maxLineBytes + 1) throw tooLong();
  }
  if (rest.length) {
    const to = rest[rest.length - 1] === 0x0d ? rest.length - 1 : rest.length;
    if (to > maxLineBytes) throw tooLong();
    yield { line: rest.toString('utf8', 0, to), end: offset + rest.length };
  }
}

/** Appends lines to a file through a buffer, at a known byte position (which a checkpoint may record). */
export class LineWriter {
  private pending: string[] = [];
  private pendingBytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    /** Bytes in the file once everything written so far is flushed. */
    public position: number,
  ) {}

  /** A new (or emptied) file. */
  static async create(file: string): Promise<LineWriter> {
    return new LineWriter(await open(file, 'w'), 0);
  }

  /** An existing file cut back to `position`: what was written past a checkpoint is discarded. */
  static async resume(file: string, position: number): Promise<LineWriter> {
    const handle = await open(file, 'r+');
    await handle.truncate(position);
    return new LineWriter(handle, position);
  }

  /** Buffers a line (without its newline). */
  write(line: string): void {
    this.pending.push(line);
    this.pendingBytes += line.length;
  }

  /** Flushes when a megabyte or so is waiting (by characters: close enough for a buffer size). */
  async maybeFlush(): Promise<void> {
    if (this.pendingBytes >= 1 << 20) await this.flush();
  }

  /** Writes what is buffered; afterwards {@link LineWriter.position} is the file's length. */
  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const data = Buffer.from(`${this.pending.join('\n')}\n`, 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
    for (let done = 0; done < data.length;) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }
}
