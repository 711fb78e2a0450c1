/**
 * The kit's own log lines from inside an activity: on the activity's logger, so that each carries its run, process
 * and step (src/logging/temporal-logger.ts); outside one (a test, a tool), on the process's logger.
 */
import { Context } from '@temporalio/activity';
import type { LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { rootLogger } from '../../src/logging/logger';

/** The current activity's logger, or the process's when no activity runs. */
export function activityLog(): Pick<TemporalLogger, 'info' | 'warn' | 'error'> {
  try {
    return Context.current().log;
  } catch {
    const worker = rootLogger().child({ component: 'worker' });
    return {
      info: (message: string, meta?: LogMetadata) => worker.info(meta ?? {}, message),
      warn: (message: string, meta?: LogMetadata) => worker.warn(meta ?? {}, message),
      error: (message: string, meta?: LogMetadata) => worker.error(meta ?? {}, message),
    };
  }
}
