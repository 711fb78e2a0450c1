/**
 * The worker's /healthz and /readyz on HEALTH_PORT (METRICS_HOST), started before the worker is built: alive
 * from the first second (bundling the workflow code takes a while), ready only once the worker polls and, at each
 * probe, Temporal answers. Off when HEALTH_PORT is unset.
 */
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { OvertureConfig } from '../../config/platform';
import { startHealthServer, storesOpen, temporalReachable, type ReadinessCheck } from './health';

/** The worker's health endpoint: told of the worker once it exists, and of the stores closing when it stops. */
export interface WorkerHealth {
  /** The worker is built (its stores open, its connection made): readiness now follows its state. */
  attach(worker: Pick<Worker, 'getState'>, connection: NativeConnection): void;
  /** The worker stopped polling and its stores are about to close: not ready any more. */
  detach(): void;
  stop(): Promise<void>;
}

const NOT_YET: ReadinessCheck[] = [
  {
    name: 'worker',
    check: () => {
      throw new Error('starting');
    },
  },
];

/** Starts the health endpoint when HEALTH_PORT is set (and says where); otherwise one that does nothing. */
export async function startWorkerHealth(
  config: Pick<OvertureConfig, 'HEALTH_PORT' | 'METRICS_HOST'>,
  log: (line: string) => void,
): Promise<WorkerHealth> {
  if (config.HEALTH_PORT === undefined) return { attach: () => undefined, detach: () => undefined, stop: async () => undefined };
  let checks: readonly ReadinessCheck[] = NOT_YET;
  let attached = false;
  const server = await startHealthServer(config.METRICS_HOST, config.HEALTH_PORT, () => checks);
  log(`health at ${server.url}/healthz and ${server.url}/readyz`);
  return {
    attach(worker, connection) {
      attached = true;
      checks = [
        {
          // Polling: RUNNING until a shutdown signal (then STOPPING, DRAINING...) or a fatal error (FAILED).
          name: 'worker',
          check: () => {
            if (worker.getState() !== 'RUNNING') throw new Error(worker.getState());
          },
        },
        temporalReachable(connection),
        storesOpen(() => attached),
      ];
    },
    detach() {
      attached = false;
    },
    stop: () => server.stop(),
  };
}
