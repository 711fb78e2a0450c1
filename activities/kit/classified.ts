/** Support activities (fallbacks, compensations, notices) classify their errors like steps do. */
import { Context } from '@temporalio/activity';
import { toStepFailure } from './step-attempt';

/** Runs work, converting any error into the permanent-or-transient ApplicationFailure the workflow reads. */
export async function classified<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toStepFailure(err, Context.current().info.attempt);
  }
}
