/**
 * The worker's Temporal logger: the SDK's, the workflows' and the activities' lines on Overture's logger, each
 * run's named by its process as the registry knows it.
 */
import { PROCESSES } from '../registry';
import { rootLogger, type Logger } from './logger';
import { PinoTemporalLogger } from './temporal-logger';

let processes: Map<string, string> | undefined;

/** The installed process whose workflow type this is (a process's internal workflows count as it). */
export function processOfWorkflow(workflowType: string): string | undefined {
  processes ??= new Map(PROCESSES.map((p) => [p.workflowType, p.shape.name]));
  return processes.get(workflowType);
}

/** The logger to install in the worker's Temporal runtime, under the `worker` component. */
export function workerTemporalLogger(logger: Logger = rootLogger()): PinoTemporalLogger {
  return new PinoTemporalLogger(logger.child({ component: 'worker' }), processOfWorkflow);
}
