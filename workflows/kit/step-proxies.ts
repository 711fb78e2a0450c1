/**
 * The proxies through which steps call their activities: the step's retry policy as Temporal activity options
 * (a local activity on the fast path), a summary the Temporal UI shows, and the fault injected into the step added
 * to every call's input by the kit, so that a process names a step once and never threads a fault by hand.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { activityOptions, durableOptions, fastAttemptOptions, localActivityOptions } from './activity-options';
import type { RunContext } from './context';
import { failureMessage, isTransientStepFailure } from './failures';
import type { StepPolicy } from './types';

/**
 * The activities of `A` as a step calls them: without the `fault` the kit adds itself. A step's activity answers
 * with the attempt that did the work (`StepResult`); undos and fallbacks get the activities with the support policy.
 */
export type StepActivities<A> = {
  [K in keyof A]: A[K] extends (input: infer I) => Promise<infer R> ? (input: Omit<I, 'fault' | 'attemptOffset'>) => Promise<R> : A[K];
};

type Calls = Record<string, (input: object) => Promise<unknown>>;

/** Below this, what remains of a budget is rounded up: the durable activity still gets one real attempt. */
const MIN_DURABLE_BUDGET_MS = 1_000;

/**
 * A budgeted step (email, chat: retried for hours through an outage) on the fast path: one local attempt, and only
 * after a transient failure the same activity as a durable, budgeted activity with what remains of the budget. The
 * happy path costs one marker; an outage costs one more activity, retried by the server, and pages no one. Both
 * attempts run in the same workflow run with the same purpose, so the idempotency key (and the Message-ID) is the same.
 */
function fastThenDurable(ctx: RunContext, step: string, policy: StepPolicy, budgetMs: number, summary: string): Calls {
  const fast = proxyLocalActivities(fastAttemptOptions(policy, summary)) as Calls;
  return new Proxy(fast, {
    get: (target, name: string) => async (input: object) => {
      const startedAt = Date.now();
      try {
        return await target[name]!(input);
      } catch (err) {
        // Permanent failures, paused systems and cancellations are the step's to handle (step.ts), as before.
        if (!isTransientStepFailure(err)) throw err;
        // Workflow time stands still within a task: the durable budget may overshoot by the fast attempt (≤ 5 s).
        const remainingMs = Math.max(MIN_DURABLE_BUDGET_MS, budgetMs - (Date.now() - startedAt));
        ctx.tracker.log(
          `${step}: its fast attempt failed (${failureMessage(err)}); retrying as a durable activity for up to ${Math.round(remainingMs / 1000)} s`,
          step,
          'warn',
        );
        const durable = proxyActivities(durableOptions(policy, summary, remainingMs)) as Calls;
        return durable[name]!({ ...input, attemptOffset: 1 });
      }
    },
  });
}

/** How a step's activities run: local, fast then durable (a budgeted step), or as regular activities. */
function callsFor(ctx: RunContext, step: string, policy: StepPolicy, shown: string): Calls {
  const budgetMs = policy.retryBudgetMs && policy.retryBudgetMs > 0 ? policy.retryBudgetMs : undefined;
  // A step made slow on purpose (a latency fault) leaves the fast path, so that people can still act on the run
  // while it waits (a local activity holds the workflow task until it ends).
  const local = policy.runAs === 'local' && ctx.fastPath && ctx.faults[step]?.kind !== 'latency';
  if (local && budgetMs === undefined) return proxyLocalActivities(localActivityOptions(policy, shown));
  // Version 1 runs took a budgeted step off the fast path altogether; they replay that way.
  if (local && budgetMs !== undefined && ctx.kitVersion >= 2) return fastThenDurable(ctx, step, policy, budgetMs, shown);
  return proxyActivities(activityOptions(policy, shown));
}

/** A step's activities for one attempt, with the fault injected into the step added to each call's input. */
export function stepProxy<A extends object>(ctx: RunContext, step: string, summary: string): StepActivities<A> {
  const policy = ctx.options.policies[step] ?? ctx.options.supportPolicy;
  const activities = callsFor(ctx, step, policy, `${summary} (${ctx.subject})`);
  // Read when the call is made: a fault injected or cleared between attempts applies to the next one.
  const withFault = new Proxy(activities, {
    get: (target, name: string) => (input: object) => target[name]!({ ...input, fault: ctx.faults[step] }),
  });
  return withFault as unknown as StepActivities<A>;
}

/** Activities with the support policy (undos, fallbacks, notices), with a summary the Temporal UI shows. */
export function supportProxy<A extends object>(ctx: RunContext, summary: string): A {
  return proxyActivities<A>(activityOptions(ctx.options.supportPolicy, `${summary} (${ctx.subject})`)) as A;
}
