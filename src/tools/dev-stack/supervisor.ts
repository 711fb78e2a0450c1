/**
 * Keeps `npm start`'s parts up. A part that goes down without being asked to is brought back where it was: the
 * Temporal dev server on the same port and data file (the worker and the clients reconnect by themselves), an
 * in-process server (mail, webhooks, site, events, console) listening again on its port. Each part may come
 * back at most `max` times in `windowMs`, after a pause that doubles each time; past that, or once a stop was
 * requested, it is left down and `giveUp` is told why, so the stack stops with a clear message.
 */
import type { AddressInfo, Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listen } from './listen';
import type { DevServer } from './temporal-server';

/** How often a part may come back: at most `max` times within any `windowMs`. */
export interface RestartLimits {
  max: number;
  windowMs: number;
  /** The pause before the first attempt of a restart, doubled for each later one in the window. */
  firstPauseMs: number;
}

export const DEFAULT_RESTART_LIMITS: RestartLimits = { max: 3, windowMs: 5 * 60_000, firstPauseMs: 500 };

/** The restarts taken within the last window. */
export class RestartBudget {
  private readonly times: number[] = [];

  constructor(
    readonly limits: RestartLimits = DEFAULT_RESTART_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one restart: its number within the window (1..max), or undefined once the budget is spent. */
  take(): number | undefined {
    const now = this.now();
    while (this.times.length > 0 && now - this.times[0]! >= this.limits.windowMs) this.times.shift();
    if (this.times.length >= this.limits.max) return undefined;
    this.times.push(now);
    return this.times.length;
  }

  pauseMs(restart: number): number {
    return this.limits.firstPauseMs * 2 ** (restart - 1);
  }

  /** e.g. "3 restarts within 5 min". */
  describe(): string {
    const { max, windowMs } = this.limits;
    const window = windowMs >= 60_000 ? `${windowMs / 60_000} min` : `${windowMs / 1000} s`;
    return `${max} restart${max === 1 ? '' : 's'} within ${window}`;
  }
}

export interface SuperviseOptions {
  /** The part's own log (e.g. prefixed `[temporal]`). */
  log: (line: string) => void;
  /** True once the stack is stopping (asked to, or after a failure): a part that goes down now stays down. */
  stopping: () => boolean;
  /** Called when a part is down for good; the stack should stop. */
  giveUp: (reason: string) => void;
  limits?: RestartLimits;
}

const message = (e: unknown) => (e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e));

/** A supervised Temporal dev server: stop() stops whichever server runs now, and no restart follows. */
export interface SupervisedTemporal {
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Watches a Temporal dev server started by `start` and starts it again (same options, so same port and data
 * file) whenever it exits unasked. `onPid` hears each new server's pid.
 */
export function superviseTemporal(
  first: DevServer,
  start: () => Promise<DevServer>,
  opts: SuperviseOptions & { dbFile: string; onPid: (pid: number) => void },
): SupervisedTemporal {
  const budget = new RestartBudget(opts.limits);
  let current = first;
  let stopped = false;
  let restarting: Promise<void> | undefined;
  const down = () => stopped || opts.stopping();

  const restart = async (how: string) => {
    const since = Date.now();
    for (;;) {
      const n = budget.take();
      if (n === undefined) {
        return opts.giveUp(`the Temporal server ${how} after ${budget.describe()}: giving up`);
      }
      opts.log(`the server ${how}; restarting on ${opts.dbFile} (${n}/${budget.limits.max})`);
      await sleep(budget.pauseMs(n));
      if (down()) return;
      try {
        current = await start();
      } catch (e) {
        how = `could not be restarted (${message(e)})`;
        continue;
      }
      opts.onPid(current.pid);
      if (down()) return current.stop();
      opts.log(`back after ${Date.now() - since} ms`);
      return watch(current);
    }
  };
  const watch = (server: DevServer) => {
    void server.exit.then((how) => {
      if (!down()) restarting = restart(`exited (${how})`);
    });
  };
  watch(first);

  return {
    get pid() {
      return current.pid;
    },
    async stop() {
      stopped = true;
      await restarting;
      await current.stop();
    },
  };
}

/** Stops watching a server, before it is closed on purpose. */
export type Release = () => void;

/**
 * Watches an in-process server: if it closes unasked, or fails and stops listening, it listens again on the
 * address it had. Errors of a server that is still listening (a failed accept) are only logged: unhandled, they
 * would end the whole process.
 */
export function superviseServer(what: string, server: Server, opts: SuperviseOptions): Release {
  const { port, address: host } = server.address() as AddressInfo;
  const budget = new RestartBudget(opts.limits);
  let released = false;
  let bringingBack = false;
  const down = () => released || opts.stopping();

  const bringBack = async (how: string) => {
    if (bringingBack || down()) return;
    bringingBack = true;
    const since = Date.now();
    for (;;) {
      const n = budget.take();
      if (n === undefined) {
        return opts.giveUp(`the ${what} on ${host}:${port} ${how} after ${budget.describe()}: giving up`);
      }
      opts.log(`the ${what} ${how}; listening again on ${host}:${port} (${n}/${budget.limits.max})`);
      await sleep(budget.pauseMs(n));
      if (down()) return;
      try {
        await listen(server, port, host);
      } catch (e) {
        how = `could not listen again (${message(e)})`;
        continue;
      }
      opts.log(`the ${what} is back after ${Date.now() - since} ms`);
      bringingBack = false;
      return;
    }
  };
  const onClose = () => void bringBack('closed unexpectedly');
  const onError = (e: Error) => {
    opts.log(`${what} error: ${e.message}`);
    if (!server.listening) void bringBack(`failed (${e.message})`);
  };
  server.on('close', onClose);
  server.on('error', onError);
  return () => {
    released = true;
    server.off('close', onClose);
    server.off('error', onError);
  };
}
