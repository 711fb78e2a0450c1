/**
 * What every CLI command shares: where it writes, how it reads an input FILE or stdin (`-`), the usage
 * mistake (exit code 2, nothing done), and how the process ends once its output is flushed.
 */
import fs from 'node:fs';
import { InputError, notJsonProblem, prototypeKeyProblems } from '../../../workflows/kit/input';

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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError([`(input): ${notJsonProblem(text)}`]);
  }
  // Whatever the command does with it next (start, emit, bulk): the same check the console and the event gateway make.
  const prototypeKeys = prototypeKeyProblems(value);
  if (prototypeKeys.length) throw new InputError(prototypeKeys);
  return value;
}

/**
 * Ends the process with the code once everything written to stdout and stderr is flushed. Output to a pipe
 * is written asynchronously: `process.exit` right after a large write would cut it off (at 64 KiB on Linux).
 */
export function exitAfterOutput(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/**
 * Whether output may carry decoration (status icons, colour): only for a person at a terminal, never into a pipe or
 * a file, and never when NO_COLOR is set to anything but the empty string (https://no-color.org).
 */
export function decorates(io: Io, env: NodeJS.ProcessEnv = process.env): boolean {
  return io.isTty && !env.NO_COLOR;
}
