/**
 * The Temporal SDK's logs (the runtime's, the worker's, and those of workflows and activities, whose attributes
 * name their run) on Overture's logger. Each line from a run carries `runId`, `workflowId`, `process` (found from the
 * workflow type) and, from an activity, `step` (a step's activity is named after its step, workflows/kit/step-proxies.ts).
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from 'pino';

/** The process a workflow type belongs to, if it is one of the installed processes'. */
export type ProcessOfWorkflow = (workflowType: string) => string | undefined;

/** The SDK's attributes as Overture's fields: run, process and step named the same on every line; the task token left out. */
export function runFields(meta: LogMetadata | undefined, processOf: ProcessOfWorkflow): Record<string, unknown> {
  if (!meta) return {};
  const { workflowRunId, runId, workflowType, activityType, sdkComponent, error, ...rest } = meta as Record<string, unknown>;
  const fields: Record<string, unknown> = { ...rest };
  // A task token completes the activity for whoever holds it: not for a log.
  delete fields.taskToken;
  if (sdkComponent !== undefined) fields.sdkComponent = sdkComponent;
  if (workflowRunId ?? runId) fields.runId = workflowRunId ?? runId;
  if (typeof workflowType === 'string') fields.process = processOf(workflowType) ?? workflowType;
  if (typeof activityType === 'string') fields.step = activityType;
  if (error !== undefined) fields.err = error;
  return fields;
}

/** A Logger for `Runtime.install({ logger })`, writing to pino with run fields. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(
    private readonly logger: Logger,
    private readonly processOf: ProcessOfWorkflow,
  ) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
    this.logger[method](runFields(meta, this.processOf), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
