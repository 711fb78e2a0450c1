/**
 * Opening an inbox file without ever blocking on it. Anyone who can write to the inbox can leave a FIFO, a
 * socket or a device there under a `.csv` name; a plain open() of a FIFO waits for a writer, holding one of
 * libuv's four threadpool threads (which file reads, DNS lookups and crypto share) until the worker dies. So the
 * file is checked before it is opened (lstat), opened without blocking and without following a link, and
 * checked again on what was opened (fstat), in case it was swapped in between; its size is bounded too.
 */
import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { PermanentError } from '../kit/errors';
import { resolveInboxFile } from './staging-files';

/** O_NOFOLLOW where the platform has it (not on Windows): the last component must not be a link. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0);

/** What a non-regular file is, for the refusal. */
function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function checkRegular(name: string, stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new PermanentError(`${name} is ${kindOf(stats)}, not a regular file: the pipeline reads regular files only`);
  if (stats.size > maxBytes) throw new PermanentError(`${name} is ${stats.size} bytes, more than the ${maxBytes} a source file may be`);
}

/** An inbox file opened for reading, if it is a regular file inside the inbox of at most `maxBytes`; refused for good otherwise. */
export async function openInboxFile(inboxDir: string, name: string, maxBytes: number): Promise<{ handle: FileHandle; size: number }> {
  const file = await resolveInboxFile(inboxDir, name);
  checkRegular(name, await lstat(file), maxBytes);
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new PermanentError(`${name} became a symbolic link while it was opened`);
    throw err;
  }
  try {
    const stats = await handle.stat();
    checkRegular(name, stats, maxBytes);
    return { handle, size: stats.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
