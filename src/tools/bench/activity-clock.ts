/**
 * When each activity of a run actually ran, as its worker saw it: a local activity leaves only a marker in history,
 * written when its workflow task completes, so the bench times activities in the worker (an activity interceptor;
 * the activities themselves are untouched). Same machine as the server: the clocks compare.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** One execution of an activity, in epoch milliseconds. */
export interface ActivitySpan {
  type: string;
  local: boolean;
  startMs: number;
  endMs: number;
}

/** Records every activity execution of the workers it is given to, by workflow id. */
export class ActivityClock {
  private readonly byRun = new Map<string, ActivitySpan[]>();

  /** The interceptor to put in a worker's `interceptors.activity`. */
  readonly interceptor: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      execute: async (input, next) => {
        const { activityType, isLocal, workflowExecution } = ctx.info;
        const startMs = Date.now();
        try {
          return await next(input);
        } finally {
          const key = workflowExecution?.workflowId ?? '';
          const spans = this.byRun.get(key) ?? [];
          spans.push({ type: activityType, local: isLocal, startMs, endMs: Date.now() });
          this.byRun.set(key, spans);
        }
      },
    },
  });

  /** The activity executions of a run, in the order they ended. */
  spans(workflowId: string): ActivitySpan[] {
    return this.byRun.get(workflowId) ?? [];
  }
}
