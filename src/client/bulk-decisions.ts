/**
 * One decision taken for many runs: every run with an open escalation of one step gets the same action, each
 * through its own update with its own decision id (the bulk id and the run), so each run keeps its own audit
 * record (the operator, and a reason that names the bulk id) and a repeated bulk is acknowledged, not applied again.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { listOpenQuestions, resolveEscalation, type OpenQuestion } from '.';
import type { DecisionIdentity } from '../../workflows/kit/types';
import { ESCALATION_ACTIONS, type EscalationAction } from '../../workflows/kit/vocabulary';

/** A bulk decision is any escalation action (the kit's vocabulary: retry, skip, abort). */
export type BulkAction = EscalationAction;
/** The actions a bulk decision may take: the kit's escalation actions, named once in workflows/kit/vocabulary.ts. */
export const BULK_ACTIONS: readonly BulkAction[] = ESCALATION_ACTIONS;

export interface BulkRequest {
  step: string;
  action: BulkAction;
  identity: DecisionIdentity;
  reason?: string;
  /** Only runs of this process. */
  process?: string;
  /** Only runs on this task queue (one deployment's runs). */
  taskQueue?: string;
  /** Output of a skipped step, the same for every run. */
  output?: Record<string, string>;
  /** The id of a bulk decision to repeat (its runs acknowledge it instead of applying it twice); new when absent. */
  bulkId?: string;
}

/** What one run answered. */
export interface BulkOutcome {
  workflowId: string;
  ok: boolean;
  /** False when the run had already applied this bulk decision (a repeat). */
  applied: boolean;
  message: string;
}

export interface BulkReport {
  bulkId: string;
  step: string;
  action: BulkAction;
  outcomes: BulkOutcome[];
  applied: number;
  acknowledged: number;
  failed: number;
}

const BULK_ID = /^bulk-[a-z0-9-]{4,40}$/;
/** How many runs are decided at once: enough to be quick, few enough not to flood the server. */
const PARALLEL = 8;

/** A new bulk id, e.g. `bulk-3f9c2a1b07`. */
export function newBulkId(): string {
  return `bulk-${randomBytes(5).toString('hex')}`;
}

/** The bulk id given (checked) or a new one. */
export function bulkIdOf(given: string | undefined): string {
  if (given === undefined) return newBulkId();
  if (!BULK_ID.test(given))
    throw new RangeError(`a bulk id looks like bulk-3f9c2a1b07 (lowercase letters, digits, "-"), not "${given.slice(0, 50)}"`);
  return given;
}

/** The decision id one run gets from a bulk decision: the same for a repeat of the same bulk on the same run. */
export function bulkDecisionId(bulkId: string, workflowId: string): string {
  return `${bulkId}:${workflowId}`;
}

/** The reason each run records: the operator's, and the bulk it came with. */
export function bulkReason(bulkId: string, reason: string | undefined): string {
  return reason ? `${reason} (bulk ${bulkId})` : `bulk decision ${bulkId}`;
}

/**
 * The open escalations a bulk decision would decide: one per run (its oldest), in workflow id order. The preview
 * shows these, and {@link resolveInBulk} decides exactly these runs, so a person sees what they are about to change.
 */
export async function bulkTargets(client: Client, request: Pick<BulkRequest, 'step' | 'process' | 'taskQueue'>): Promise<OpenQuestion[]> {
  const open = await listOpenQuestions(client, { process: request.process, taskQueue: request.taskQueue });
  const byRun = new Map<string, OpenQuestion>();
  for (const q of open) if (q.kind === 'escalation' && q.step === request.step && !byRun.has(q.workflowId)) byRun.set(q.workflowId, q);
  return [...byRun.values()].sort((a, b) => a.workflowId.localeCompare(b.workflowId));
}

/** Finds every run with an open escalation of the step and sends each its decision; never throws for one run's refusal. */
export async function resolveInBulk(client: Client, request: BulkRequest): Promise<BulkReport> {
  const bulkId = bulkIdOf(request.bulkId);
  const targets = (await bulkTargets(client, request)).map((q) => q.workflowId);
  const outcomes: BulkOutcome[] = [];
  const queue = [...targets];
  const decide = async (workflowId: string): Promise<BulkOutcome> => {
    const decisionId = bulkDecisionId(bulkId, workflowId);
    try {
      // Each request is an update of its own: the run recognises the decision id and acknowledges a repeat.
      const receipt = await resolveEscalation(client, workflowId, {
        step: request.step,
        action: request.action,
        by: request.identity.operator,
        identity: request.identity,
        reason: bulkReason(bulkId, request.reason),
        ...(request.action === 'skip' && request.output ? { output: request.output } : {}),
        decisionId,
      });
      return { workflowId, ok: true, applied: receipt.applied, message: receipt.message };
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      return { workflowId, ok: false, applied: false, message: cause ?? (err instanceof Error ? err.message : String(err)) };
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) outcomes.push(await decide(id));
    }),
  );
  outcomes.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
  return {
    bulkId,
    step: request.step,
    action: request.action,
    outcomes,
    applied: outcomes.filter((o) => o.ok && o.applied).length,
    acknowledged: outcomes.filter((o) => o.ok && !o.applied).length,
    failed: outcomes.filter((o) => !o.ok).length,
  };
}
