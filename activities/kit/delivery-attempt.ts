/**
 * How an activity attempt claims a delivery in the ledger: for longer than its own start-to-close timeout (so
 * Temporal has given the attempt up before anyone may take its claim over), waiting a while for an overlapping
 * attempt's send to end, and heartbeating meanwhile when it is a regular activity (a local activity cannot).
 */
import { Context } from '@temporalio/activity';
import type { DeliverOptions } from '../../src/stores/delivery-ledger/sqlite-ledger';

/** Added to the attempt's start-to-close timeout: the claim outlives the attempt by this much. */
export const CLAIM_MARGIN_MS = 30_000;
/** The longest an attempt waits for another attempt's claim before failing transiently (and retrying later). */
const MAX_WAIT_MS = 30_000;

/** Heartbeats the current activity when it is a regular one; nothing outside an activity or in a local one. */
export function heartbeatIfAble(details?: unknown): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  if (!context.info.isLocal) context.heartbeat(details);
}

/** The ledger options of a delivery made by the current activity attempt; defaults outside an activity. */
export function attemptDeliveryOptions(): DeliverOptions {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return {};
  }
  const { info } = context;
  const timeout = info.startToCloseTimeoutMs;
  const timed = Number.isFinite(timeout) && timeout > 0;
  return {
    // Without a start-to-close timeout the ledger's default claim (longer than any step's timeout here) holds.
    ...(timed ? { claimMs: timeout + CLAIM_MARGIN_MS } : {}),
    // At most half the attempt's own time, so that it still fails in time with the clear message.
    waitMs: timed ? Math.min(Math.floor(timeout / 2), MAX_WAIT_MS) : MAX_WAIT_MS,
    heartbeat: info.isLocal ? undefined : () => context.heartbeat(),
    claimant: `${info.workflowExecution?.workflowId ?? 'no workflow'} ${info.activityType} attempt ${info.attempt} (pid ${process.pid})`,
  };
}
