/**
 * The two kinds of failure every external call is sorted into, where it happens.
 */

/** An error that retrying will not fix: a rejected address, an unknown role, an unresolvable conflict. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/** An error that may go away by itself: a refused connection, a timeout, a busy server. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}
