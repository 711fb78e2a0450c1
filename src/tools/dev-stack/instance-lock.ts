/**
 * One `npm start` per data directory: a pid file created with the exclusive 'wx' flag.
 *
 * The file is shaped like PostgreSQL's postmaster.pid: the pid alone on the first line (so
 * `kill $(head -1 .data/overture.pid)` works), then where the running stack can be reached.
 * A file left behind by a process that is gone (crash, SIGKILL) is stale and gets replaced.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir } from '../../stores/private-files';

/** Where a running instance can be reached, as recorded in its pid file. */
export interface InstanceInfo {
  temporalAddress: string;
  temporalUiUrl: string;
}

/** Another live process holds the lock. */
export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
  constructor(
    readonly pid: number,
    readonly info: Partial<InstanceInfo>,
    readonly pidFile: string,
  ) {
    super(`another instance (pid ${pid}) holds ${pidFile}`);
  }

  /** What to tell the person who tried to start a second instance. */
  explain(): string {
    const { pid, info } = this;
    const where = `Temporal at ${info.temporalAddress ?? '(unknown)'}, UI at ${info.temporalUiUrl ?? '(unknown)'}`;
    return (
      `Overture is already running (pid ${pid}): ${where} — stop it with Ctrl-C in its terminal or \`kill ${pid}\`\n` +
      `(lock file: ${this.pidFile}; if pid ${pid} is not Overture, delete that file)`
    );
  }
}

/** A held lock; release() removes the pid file (only if it is still ours) and is safe to call twice. */
export interface InstanceLock {
  pidFile: string;
  release(): void;
}

const MAX_ATTEMPTS = 3;

/** Takes the lock or throws AlreadyRunningError; a stale pid file is replaced. */
export function acquireInstanceLock(pidFile: string, info: InstanceInfo): InstanceLock {
  makePrivateDir(dirname(pidFile));
  const content = `${process.pid}\n${info.temporalAddress}\n${info.temporalUiUrl}\n`;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let fd: number;
    try {
      fd = openSync(pidFile, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPidFile(pidFile);
      if (holder && isOtherLiveProcess(holder.pid)) throw new AlreadyRunningError(holder.pid, holder.info, pidFile);
      removeIfPresent(pidFile); // stale: its process is gone; the next attempt creates ours
      continue;
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      pidFile,
      release() {
        if (released) return;
        released = true;
        // Never delete a lock another instance took after ours was (wrongly) judged stale.
        if (readPidFile(pidFile)?.pid === process.pid) removeIfPresent(pidFile);
      },
    };
  }
  throw new Error(`could not take the lock ${pidFile}: it keeps reappearing; is another Overture starting right now?`);
}

/** The pid and recorded addresses in a pid file, or undefined if it is missing or unreadable. */
export function readPidFile(pidFile: string): { pid: number; info: Partial<InstanceInfo> } | undefined {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, temporalAddress, temporalUiUrl] = text.split('\n').map((l) => l.trim());
  const pid = Number(pidLine);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, info: { temporalAddress: temporalAddress || undefined, temporalUiUrl: temporalUiUrl || undefined } };
}

/** True if pid is a live process other than this one (or its tsx parent, which a container restart may have given the old pid). */
function isOtherLiveProcess(pid: number): boolean {
  if (pid === process.pid || pid === process.ppid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // On Linux, a recycled pid now running something other than Node is not ours.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node|tsx|overture/i.test(cmdline);
  } catch {
    return true; // no /proc (macOS) or not readable: trust the liveness check
  }
}

function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
