/**
 * Real worker processes that are killed while runs are in flight: a pool of workers on the stack's task queue,
 * one of them SIGKILLed at each interval (in turn) and a new one started in its place, until stopped.
 */
import path from 'node:path';
import { kill, spawnWorker, type WorkerProcess } from '../helpers/processes';

const WORKER_SCRIPT = path.join(__dirname, 'bundled-worker.ts');

/** A running pool of killed-and-restarted workers. */
export interface WorkerChaos {
  /** When each SIGKILL was sent (Date.now()), oldest first. */
  kills(): number[];
  /** Stops killing, then stops every worker (SIGKILL: nothing is left to drain). */
  stop(): Promise<void>;
}

/** Starts `size` worker processes and kills one every `everyMs` (after each restart is polling again). */
export async function startWorkerChaos(env: Record<string, string>, size: number, everyMs: number): Promise<WorkerChaos> {
  const workers: WorkerProcess[] = Array.from({ length: size }, () => spawnWorker(env, { script: WORKER_SCRIPT }));
  await Promise.all(workers.map((w) => w.ready));
  const killed: number[] = [];
  let stopping = false;
  let wake = () => undefined as void;
  const loop = (async () => {
    for (let turn = 0; !stopping; turn += 1) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, everyMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stopping) break;
      const slot = turn % size;
      killed.push(Date.now());
      await kill(workers[slot]!.child, 'SIGKILL');
      workers[slot] = spawnWorker(env, { script: WORKER_SCRIPT });
      await workers[slot].ready;
    }
  })();
  return {
    kills: () => [...killed],
    async stop() {
      stopping = true;
      wake();
      await loop;
      await Promise.all(workers.map((w) => kill(w.child, 'SIGKILL')));
    },
  };
}
