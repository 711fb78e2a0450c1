/**
 * What every CLI command shares: where it writes, how it reads an input FILE or stdin (`-`), and the usage
 * mistake (exit code 2, nothing done).
 */
import fs from 'node:fs';
import { InputError } from './schemas';

/** A usage mistake: exit code 2, nothing started. */
export class UsageError extends Error {}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
  isTty: boolean;
}

/** The JSON in a file, or on stdin for `-`: UsageError when it cannot be read, InputError when it is not JSON. */
export function readInput(source: string, io: Io): unknown {
  let text: string;
  try {
    text = source === '-' ? io.readStdin() : fs.readFileSync(source, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError([`(input): not valid JSON (${(err as Error).message})`]);
  }
}
