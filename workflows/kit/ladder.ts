/**
 * The durable timers of a question put to a person: remind, hand over to the next contact, then act alone.
 */
import { condition } from '@temporalio/workflow';
import type { EscalationLadder } from './types';

export interface LadderRungs {
  /** T1: the same contact is reminded. */
  remind(): Promise<void>;
  /** T2: the question goes to the next contact. */
  handOver(): Promise<void>;
  /** T3: nobody answered; the configured automatic action is taken. */
  actAlone(): void;
}

/** Waits until `answered()` holds, climbing the ladder's rungs on durable timers while nobody answers. */
export async function waitForPerson(ladder: EscalationLadder, answered: () => boolean, rungs: LadderRungs): Promise<void> {
  if (await condition(answered, ladder.reminderAfterMs)) return;
  await rungs.remind();
  if (await condition(answered, ladder.nextContactAfterMs - ladder.reminderAfterMs)) return;
  await rungs.handOver();
  if (await condition(answered, ladder.automaticActionAfterMs - ladder.nextContactAfterMs)) return;
  rungs.actAlone();
}
