/**
 * The activity behind scheduled runs: turns a schedule's input template into a process's run start, through
 * the registry, with the worker's configuration (the same options a manual start would freeze in).
 */
import { ApplicationFailure } from '@temporalio/common';
import { prepareRunStart } from '../../src/client';
import type { OvertureConfig } from '../../src/config/platform';
import { findProcess, UnknownProcessError } from '../../src/registry';
import { fillPlaceholders, placeholderValues } from '../../src/client/schedule-placeholders';
import { InputError } from '../../workflows/kit/input';
import type { ScheduledStartActivities } from '../../workflows/kit/scheduled-start';

/** The schedule activities, bound to the worker's configuration. */
export function createScheduleActivities(deps: { config: OvertureConfig }): ScheduledStartActivities {
  return {
    async resolveScheduledStart({ process, input, scheduledAt, timezone }) {
      try {
        const filled = fillPlaceholders(input, placeholderValues(new Date(scheduledAt), timezone ?? 'UTC'));
        return prepareRunStart(deps.config, findProcess(process, { startable: true }), filled);
      } catch (err) {
        // Retrying cannot fix an input or a process name: fail at once, the schedule shows the failure.
        if (err instanceof InputError || err instanceof UnknownProcessError) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw err;
      }
    },
  };
}
