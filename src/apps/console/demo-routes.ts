/**
 * The console's demo routes, which exist only with OVERTURE_DEMO=on (otherwise they answer 404 like any unknown
 * route, and GET /api/session says `demo: false`, so the browser offers no demo):
 *
 *   GET  /api/demos              the installed processes' demos
 *   POST /api/demos/:process     { inject }  runs one: its script and its Overture run, both on in-memory sandboxes
 *
 * A demo starts a run each time, so each operator runs one at a time (409 while theirs runs) and at most
 * {@link DEMO_RUNS_PER_WINDOW} in {@link DEMO_WINDOW_MS} (429 with Retry-After).
 */
import type http from 'node:http';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ConsoleDemo, DemoRunner } from '../../../activities/kit/demo';
import { demoTaskQueue } from '../../../activities/kit/demo-sandbox';
import type { OvertureConfig } from '../../config/platform';
import type { StartOptions } from '../../client';
import { processDemos } from '../../registry';
import { requireStep } from './api-input';
import { HttpError, json, readJson } from './http-helpers';
import type { Caller } from './session';

/** How many demos one operator may run in {@link DEMO_WINDOW_MS}. */
export const DEMO_RUNS_PER_WINDOW = 5;
export const DEMO_WINDOW_MS = 10 * 60_000;

/** The demos a console offers, and who is running one. */
export interface ConsoleDemos {
  byProcess: ReadonlyMap<string, { demo: ConsoleDemo; runner: DemoRunner }>;
  gate: DemoGate;
  client: Client;
  config: OvertureConfig;
  close(): void;
}

/** One demo at a time per operator, and a few per window: each demo starts a run that stays until someone ends it. */
export class DemoGate {
  private readonly running = new Set<string>();
  private readonly started = new Map<string, number[]>();

  constructor(
    private readonly perWindow = DEMO_RUNS_PER_WINDOW,
    private readonly windowMs = DEMO_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Lets the operator's demo begin and returns its release, or throws 409 (one running) or 429 (too many lately). */
  begin(operator: string): () => void {
    if (this.running.has(operator)) throw new HttpError(409, 'your previous demo is still running: wait for it to finish');
    const now = this.now();
    const recent = (this.started.get(operator) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.perWindow) {
      const wait = Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
      throw new HttpError(
        429,
        `at most ${this.perWindow} demos in ${this.windowMs / 60_000} minutes: try again in ${wait} s`,
        {},
        {
          'Retry-After': String(wait),
        },
      );
    }
    this.started.set(operator, [...recent, now]);
    this.running.add(operator);
    return () => this.running.delete(operator);
  }
}

/** The demos the installed processes offer, when OVERTURE_DEMO=on; undefined (no routes) when it is off. */
export function openConsoleDemos(context: {
  client: Client;
  config: OvertureConfig;
  tuneOptions?: StartOptions['tuneOptions'];
  log: (line: string) => void;
}): ConsoleDemos | undefined {
  if (context.config.OVERTURE_DEMO !== 'on') return undefined;
  const byProcess = new Map(processDemos().map((demo) => [demo.process, { demo, runner: demo.open(context) }]));
  return {
    byProcess,
    gate: new DemoGate(),
    client: context.client,
    config: context.config,
    close: () => byProcess.forEach(({ runner }) => runner.close()),
  };
}

/** Refuses a demo that no worker would run: its Overture run would wait on the demo's task queue for ever. */
async function requireDemoWorker(demos: ConsoleDemos): Promise<void> {
  const { pollers } = await demos.client.workflowService.describeTaskQueue({
    namespace: demos.config.TEMPORAL_NAMESPACE,
    taskQueue: { name: demoTaskQueue(demos.config) },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  if (!pollers?.length)
    throw new HttpError(
      503,
      'no worker runs the demo: start the worker with OVERTURE_DEMO=on (npm start does)',
      {},
      { 'Retry-After': '10' },
    );
}

/** Answers GET /api/demos and POST /api/demos/:process; false for any other path (the caller answers 404). */
export async function handleDemoRoute(
  demos: ConsoleDemos,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  parts: readonly string[],
  caller: Caller,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const [, , process, extra] = parts;
  if (method === 'GET' && parts.length === 2) {
    json(
      res,
      200,
      [...demos.byProcess.values()].map(({ demo }) => ({
        process: demo.process,
        title: demo.title,
        description: demo.description,
        steps: demo.steps,
        defaultStep: demo.defaultStep,
      })),
    );
    return true;
  }
  if (method !== 'POST' || process === undefined || extra !== undefined) return false;
  const found = demos.byProcess.get(process);
  if (!found) throw new HttpError(404, `no demo of process "${process}"`);
  const body = await readJson(req);
  const inject = requireStep(body.inject ?? found.demo.defaultStep, found.demo.steps, 'inject');
  const release = demos.gate.begin(caller.operator);
  try {
    await requireDemoWorker(demos);
    json(res, 200, await found.runner.run(inject, caller.operator));
  } finally {
    release();
  }
  return true;
}
