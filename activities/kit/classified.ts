/** Support activities (fallbacks, compensations, notices) classify their errors like steps do. */
import { Context } from '@temporalio/activity';
import { toStepFailure } from './step-attempt';
import { boundedResult } from './result-size';

/** Runs work, converting any error into the permanent-or-transient ApplicationFailure the workflow reads; its result is bounded. */
export async function classified<T>(work: () => Promise<T>): Promise<T> {
  try {
    return boundedResult(await work());
  } catch (err) {
    throw toStepFailure(err, Context.current().info.attempt);
  }
}
