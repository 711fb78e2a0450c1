/**
 * Fan-out/fan-in: one child run per item with bounded concurrency, results joined in item order.
 *
 * The window runs in a workflow of its own (`fanOut`), which continues as new every few hundred items, so
 * neither it nor the process's run grows its history past Temporal's limits however many items there are.
 * The process states what a failed item does: stop all, continue and report, or stop past a threshold.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  defineQuery,
  executeChild,
  isCancellation,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { RunContext } from './context';
import { PROCESS } from './search-attributes';
import { failureMessage } from './failures';
import { NoticeRelay } from './run-waits';
import { runStep } from './step';
import type { DecisionRecord, FanOutProgress } from './types';

/** What a failed item does to the rest. */
export type ItemFailurePolicy = 'stop' | 'continue' | { stopAfterFailures: number };

export interface FanOutInput {
  /** The item workflow's type; each child gets `{ ...common, item }`. */
  workflowType: string;
  /** The items' process name, set on each child so that `overture list` finds it. */
  itemProcess?: string;
  items: Array<{ key: string; value: unknown }>;
  common: Record<string, unknown>;
  maxConcurrent: number;
  onItemFailure: ItemFailurePolicy;
  /** Child workflow ids are `<idPrefix>/<item key>`. */
  idPrefix: string;
  /** Items started per run of the fan-out workflow before it continues as new. */
  batchSize?: number;
}

export interface ItemResult {
  key: string;
  result: unknown;
}

export interface ItemFailure {
  key: string;
  error: string;
}

/** The join: every item's result or failure, and the items never started because the fan-out stopped. */
export interface FanOutSummary {
  results: ItemResult[];
  failures: ItemFailure[];
  notStarted: string[];
  stopped: boolean;
  /** A person aborted the whole process from one item's run. */
  abortedBy?: DecisionRecord;
}

export const fanOutProgressQuery = defineQuery<FanOutProgress & { workflowType: string }>('fanOutProgress');

/** The failure type a process run ends with when a person aborts it; its details carry the decision. */
export const PROCESS_ABORTED = 'ProcessAborted';

/** The failure type of a fan-out stopped by its items' failures; its details carry the summary so far. */
const FAN_OUT_STOPPED = 'FanOutStopped';

const DEFAULT_BATCH = 500;

function tooManyFailures(policy: ItemFailurePolicy, failures: number): boolean {
  if (policy === 'stop') return failures > 0;
  if (policy === 'continue') return false;
  return failures > policy.stopAfterFailures;
}

/** The abort decision carried by an item run that a person aborted, if that is how it failed. */
function abortOf(err: unknown): DecisionRecord | undefined {
  if (!(err instanceof ChildWorkflowFailure)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === PROCESS_ABORTED) return cause.details?.[0] as DecisionRecord | undefined;
  return undefined;
}

/** The fan-out workflow: a sliding window of child runs; continues as new between batches. */
export async function fanOut(
  input: FanOutInput,
  carried: FanOutSummary = { results: [], failures: [], notStarted: [], stopped: false },
): Promise<FanOutSummary> {
  const summary: FanOutSummary = { ...carried, results: [...carried.results], failures: [...carried.failures] };
  const batch = input.batchSize ?? DEFAULT_BATCH;
  const total = summary.results.length + summary.failures.length + input.items.length;
  let running = 0;
  let next = 0;
  const window = new CancellationScope();
  // Items that ask a person say so; the process run that fanned out hears it through here.
  const relay = new NoticeRelay();
  relay.listen();
  setHandler(fanOutProgressQuery, () => ({
    workflowType: input.workflowType,
    total,
    running,
    completed: summary.results.length,
    failed: summary.failures.length,
    failedItems: summary.failures.slice(0, 20).map((f) => ({ item: f.key, error: f.error })),
  }));

  const stop = (abortedBy?: DecisionRecord) => {
    if (summary.stopped) return;
    summary.stopped = true;
    summary.abortedBy = abortedBy;
    window.cancel();
  };

  const runItem = async (item: { key: string; value: unknown }) => {
    const workflowId = `${input.idPrefix}/${item.key}`;
    try {
      const child = await startChild(input.workflowType, {
        workflowId,
        args: [{ ...input.common, item: item.value }],
        ...(input.itemProcess ? { typedSearchAttributes: [{ key: PROCESS, value: input.itemProcess }] } : {}),
      });
      summary.results.push({ key: item.key, result: await child.result() });
    } catch (err) {
      if (isCancellation(err) && summary.stopped) {
        summary.failures.push({ key: item.key, error: 'cancelled: the fan-out stopped' });
        return;
      }
      const abortedBy = abortOf(err);
      if (!(err instanceof ChildWorkflowFailure) && !abortedBy) throw err;
      summary.failures.push({ key: item.key, error: failureMessage(err) });
      if (abortedBy || tooManyFailures(input.onItemFailure, summary.failures.length)) stop(abortedBy);
    } finally {
      running -= 1;
      relay.ended(workflowId);
    }
  };

  await window
    .run(async () => {
      while (next < input.items.length && next < batch && !summary.stopped) {
        await condition(() => running < input.maxConcurrent || summary.stopped);
        if (summary.stopped) break;
        running += 1;
        void runItem(input.items[next]!);
        next += 1;
      }
      await condition(() => running === 0);
    })
    .catch((err: unknown) => {
      if (!(isCancellation(err) && summary.stopped)) throw err;
    });
  await condition(() => running === 0);

  if (summary.stopped) {
    summary.notStarted.push(...input.items.slice(next).map((i) => i.key));
    // Failing (not returning) makes the parent's step see a child failure, which it escalates like any step.
    if (summary.abortedBy) {
      throw ApplicationFailure.create({
        type: PROCESS_ABORTED,
        message: `an item was aborted by ${summary.abortedBy.by}`,
        nonRetryable: true,
        details: [summary.abortedBy],
      });
    }
    const listed = summary.failures
      .slice(0, 5)
      .map((f) => `${f.key}: ${f.error}`)
      .join('; ');
    throw ApplicationFailure.create({
      type: FAN_OUT_STOPPED,
      message: `${summary.failures.length} of ${total} item(s) failed (${listed}); ${summary.notStarted.length} not started`,
      nonRetryable: true,
      details: [summary],
    });
  }
  if (next < input.items.length) await continueAsNew<typeof fanOut>({ ...input, items: input.items.slice(next) }, summary);
  return summary;
}

export interface FanOutSpec<I> {
  workflowType: string;
  itemProcess?: string;
  items: I[];
  /** The item's part of its child's workflow id: no personal data. */
  key: (item: I) => string;
  common: Record<string, unknown>;
  maxConcurrent: number;
  onItemFailure: ItemFailurePolicy;
  batchSize?: number;
}

export interface FanOutOutcome<R> {
  results: Array<{ key: string; result: R }>;
  failures: ItemFailure[];
}

/**
 * A fan-out step: runs the `fanOut` workflow as a child and joins its results. When it stops on failed items
 * the step escalates like any other; a retry runs only the items that did not complete.
 */
export async function runFanOut<I, R>(run: RunContext, step: string, spec: FanOutSpec<I>): Promise<FanOutOutcome<R>> {
  const keys = spec.items.map(spec.key);
  if (new Set(keys).size !== keys.length) throw new Error(`fan-out ${step}: item keys must be unique`);
  const byKey = new Map(spec.items.map((item, i) => [keys[i]!, item]));
  const completed = new Map<string, unknown>();
  let lastFailures: ItemFailure[] = [];
  let round = 0;
  const progress: FanOutProgress = { total: keys.length, running: 0, completed: 0, failed: 0, failedItems: [] };
  run.tracker.step(step).fanOut = progress;

  await runStep(run, step, async () => {
    round += 1;
    const remaining = keys.filter((k) => !completed.has(k));
    progress.running = remaining.length;
    let summary: FanOutSummary;
    const itemPrefix = `${workflowInfo().workflowId}/${step}/`;
    try {
      summary = await executeChild(fanOut, {
        workflowId: `${workflowInfo().workflowId}/${step}#${round}`,
        args: [
          {
            workflowType: spec.workflowType,
            itemProcess: spec.itemProcess,
            items: remaining.map((key) => ({ key, value: byKey.get(key) })),
            common: spec.common,
            maxConcurrent: spec.maxConcurrent,
            onItemFailure: spec.onItemFailure,
            idPrefix: `${workflowInfo().workflowId}/${step}`,
            batchSize: spec.batchSize,
          },
        ],
        staticSummary: `${step}: ${remaining.length} item(s), ${spec.maxConcurrent} at a time`,
      });
    } catch (err) {
      const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === PROCESS_ABORTED) run.abandon('abort', cause.details?.[0] as DecisionRecord);
      if (cause instanceof ApplicationFailure && cause.type === FAN_OUT_STOPPED) record(cause.details?.[0] as FanOutSummary);
      throw err;
    } finally {
      // Every item of this round has ended: none waits for a person any more, whatever notice is still on its way.
      if (run.tracker.waits.childrenEnded(itemPrefix)) run.tracker.publish();
    }
    record(summary);
    return { output: { completed: completed.size, failed: summary.failures.length }, attempt: 1 };
  });
  return {
    results: keys.filter((k) => completed.has(k)).map((key) => ({ key, result: completed.get(key) as R })),
    failures: lastFailures,
  };

  function record(summary: FanOutSummary): void {
    run.tracker.kpis.items(run.tracker.status, step, round, summary.results, summary.failures);
    for (const r of summary.results) completed.set(r.key, r.result);
    lastFailures = summary.failures;
    Object.assign(progress, {
      running: 0,
      completed: completed.size,
      failed: summary.failures.length,
      failedItems: summary.failures.slice(0, 20).map((f) => ({ item: f.key, error: f.error })),
    });
  }
}
