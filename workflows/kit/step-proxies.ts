/**
 * The proxies through which steps call their activities: the step's retry policy as Temporal activity options
 * (a local activity on the fast path), a summary the Temporal UI shows, and the fault injected into the step added
 * to every call's input by the kit, so that a process names a step once and never threads a fault by hand.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { activityOptions, localActivityOptions } from './activity-options';
import type { RunContext } from './context';

/**
 * The activities of `A` as a step calls them: without the `fault` the kit adds itself. A step's activity answers
 * with the attempt that did the work (`StepResult`); undos and fallbacks get the activities with the support policy.
 */
export type StepActivities<A> = {
  [K in keyof A]: A[K] extends (input: infer I) => Promise<infer R> ? (input: Omit<I, 'fault'>) => Promise<R> : A[K];
};

/**
 * A step's activities for one attempt. A step made slow on purpose (a latency fault) leaves the fast path, so that
 * people can still act on the run while it waits (a local activity holds the workflow task until it ends); so does a
 * step with a retry budget in time (email, chat), which may retry for hours through an outage.
 */
export function stepProxy<A extends object>(ctx: RunContext, step: string, summary: string): StepActivities<A> {
  const policy = ctx.options.policies[step] ?? ctx.options.supportPolicy;
  const shown = `${summary} (${ctx.subject})`;
  const fault = ctx.faults[step];
  const short = fault?.kind !== 'latency' && !(policy.retryBudgetMs && policy.retryBudgetMs > 0);
  const activities: Record<string, (input: object) => Promise<unknown>> =
    policy.runAs === 'local' && ctx.fastPath && short
      ? proxyLocalActivities(localActivityOptions(policy, shown))
      : proxyActivities(activityOptions(policy, shown));
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
