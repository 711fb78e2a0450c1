/**
 * A bound on what an activity hands back to its run. Temporal refuses a result past its payload limits (2 MiB
 * by default, less with gRPC's framing): the activity then looks lost, times out on its heartbeat and is
 * retried, and every retry ends the same way. A result over the bound fails the step for good instead, saying
 * why; activities hand back paths, counts and keys, far below it.
 */
import { PermanentError } from './errors';

export const ACTIVITY_LIMITS: { readonly resultBytes: number } = Object.freeze({
  /** Bytes of an activity's result as JSON (a quarter of Temporal's 2 MiB blob limit: room for encryption). */
  resultBytes: 512 * 1024,
});

/** The result, if its JSON fits the bound; a PermanentError naming its size otherwise. */
export function boundedResult<T>(result: T, maxBytes: number = ACTIVITY_LIMITS.resultBytes): T {
  const json = JSON.stringify(result);
  const bytes = json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes)
    throw new PermanentError(
      `the step's result is ${bytes} bytes, more than the ${maxBytes} a result may hold; the input that produced it needs fixing, a retry would end the same way`,
    );
  return result;
}
