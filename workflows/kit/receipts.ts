/**
 * Receipts that say what happened to each request. A decision carries a decision id (the same decision on the same
 * question has the same id) and reaches the run as an update of its own, whose id names the request. The run keeps,
 * per decision id, what was decided and by which request: a request that repeats it is told so (nothing changed),
 * and a request that decides something else under that id is refused.
 *
 * The validator refuses what it can see; the handler has the last word, since only it runs after every request
 * accepted before it (two requests may both be accepted before either is applied).
 */
import { ApplicationFailure, currentUpdateInfo } from '@temporalio/workflow';
import { DECISION_LIMITS, tooMany } from './limits';
import type { DecisionReceipt } from './types';

/** A decision as a request asks for it: what it is about (undefined: the one open question), its choice, its output. */
export interface DecisionRequest {
  target?: string;
  choice: string;
  output?: Readonly<Record<string, string>>;
}

/** A decision as it was applied: every name of what it decided (a question's id and its step), its choice and output. */
export interface AppliedDecision {
  targets: readonly string[];
  choice: string;
  output?: Readonly<Record<string, string>>;
}

/** The output keys whose values differ (no output and `{}` are the same). */
export function differingKeys(a: Readonly<Record<string, string>> = {}, b: Readonly<Record<string, string>> = {}): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((key) => a[key] !== b[key]).sort();
}

/** How a request differs from the decision applied under its id, or undefined when it asks for the same. */
function difference(applied: AppliedDecision, request: DecisionRequest): string | undefined {
  if (request.target !== undefined && !applied.targets.includes(request.target)) return `it names ${request.target}`;
  if (request.choice !== applied.choice) return `it decides ${request.choice}`;
  const keys = differingKeys(applied.output, request.output);
  return keys.length ? `its output differs (${keys.join(', ')})` : undefined;
}

/**
 * Runs a handler's check, failing the update with its message: a plain error in a handler would fail the
 * workflow task (retried for ever), not the update.
 */
export function refusedInHandler<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw ApplicationFailure.create({ type: 'DecisionRefused', message: (err as Error).message, nonRetryable: true });
  }
}

const appliedBy = (receipt: DecisionReceipt) =>
  [receipt.request ? `by request ${receipt.request}` : '', receipt.at ? `at ${receipt.at}` : ''].filter(Boolean).join(' ');

/** Decision ids already used in a run, with what each decided and the receipt of the request that applied it. */
export class DecisionReceipts {
  private readonly applied = new Map<string, { decision: AppliedDecision; receipt: DecisionReceipt }>();
  /** Repeats acknowledged: each is an update in the run's history, so they are capped like decisions. */
  private repeats = 0;

  constructor(private readonly what: string) {}

  /** What was decided under a decision id, if it was used. */
  appliedUnder(decisionId: string | undefined): AppliedDecision | undefined {
    return decisionId ? this.applied.get(decisionId)?.decision : undefined;
  }

  /**
   * For the validator: true when the request repeats the decision applied under its id (the handler acknowledges
   * it), false when the id is unused. A different decision under a used id is refused, and so are repeats past
   * the run's share.
   */
  isRepeat(decisionId: string | undefined, request: DecisionRequest): boolean {
    const earlier = decisionId ? this.applied.get(decisionId) : undefined;
    if (!earlier) return false;
    this.refuseDifferent(decisionId!, earlier, request);
    const refusal = tooMany(this.repeats, DECISION_LIMITS.repeatsPerRun, `repeated ${this.what}`, 'further repeats are refused');
    if (refusal) throw new Error(`${this.repeatMessage(earlier.receipt)}; ${refusal.message}`);
    return true;
  }

  /**
   * For the handler: the receipt of a request that repeats an applied decision (applied: false, repeat: true),
   * undefined when the id is unused. A different decision under a used id fails the update.
   */
  repeatOf(decisionId: string | undefined, request: DecisionRequest): DecisionReceipt | undefined {
    const earlier = decisionId ? this.applied.get(decisionId) : undefined;
    if (!earlier) return undefined;
    refusedInHandler(() => this.refuseDifferent(decisionId!, earlier, request));
    this.repeats += 1;
    return { ...earlier.receipt, applied: false, repeat: true, message: this.repeatMessage(earlier.receipt) };
  }

  /** For the handler: records an applied decision; its receipt names the request that applied it, and when. */
  remember(decisionId: string | undefined, decision: AppliedDecision, message: string): DecisionReceipt {
    const request = currentUpdateInfo()?.id;
    const receipt: DecisionReceipt = {
      applied: true,
      message,
      ...(decisionId ? { decisionId } : {}),
      ...(request ? { request } : {}),
      at: new Date().toISOString(),
    };
    if (decisionId) this.applied.set(decisionId, { decision, receipt });
    return receipt;
  }

  private repeatMessage(receipt: DecisionReceipt): string {
    return `already applied ${appliedBy(receipt)}: ${receipt.message}; nothing changed`;
  }

  private refuseDifferent(decisionId: string, earlier: { decision: AppliedDecision; receipt: DecisionReceipt }, request: DecisionRequest) {
    const differs = difference(earlier.decision, request);
    if (!differs) return;
    throw new Error(
      `decision ${decisionId} was already applied ${appliedBy(earlier.receipt)} (${earlier.receipt.message}), and this one differs: ${differs}. An applied decision is not changed`,
    );
  }
}
