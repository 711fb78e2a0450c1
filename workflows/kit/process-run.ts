/**
 * What a process's body works with: a handle on each of its steps, named once and typed from the shape, DAGs of
 * those steps, and the run's log. A step's handle runs its activity with the step's policy and injected fault,
 * asks people (an approval, a manual task, a question), fans out, and waits for events and times.
 *
 * ```ts
 * await p.dag({
 *   createAccount: (step) => step.run((a) => a.createAccount({ employeeId }), { undo: { done: 'account disabled', run: (a) => a.disableAccount({ employeeId }) } }),
 *   notifyTeam: (step, done) => step.run((a) => a.notifyTeam({ accountId: done.createAccount.accountId })),
 * });
 * ```
 */
import { condition as waitCondition } from '@temporalio/workflow';
import { askQuestion, requestApproval, runManualStep, type ApprovalRequest, type ManualTask, type ProcessQuestion } from './questions';
import type { RunContext } from './context';
import { runDag, type DagNodes, type DagOutputs } from './dag';
import { isManualStep, manualInstructions } from './manual-steps';
import type { ProcessEvent } from './events';
import { runFanOut, type FanOutOutcome, type FanOutSpec } from './fan-out';
import { shownOutcome } from './outputs';
import type { ScheduledOutcome } from './scheduled-wait';
import type { DeclaredOutputs, StepName } from './shape';
import { runStep } from './step';
import { stepProxy, supportProxy, type StepActivities } from './step-proxies';
import type { DecisionRecord, Outcome, StepResult } from './types';

/** Names the activities a process's steps call, so that its step handles are typed: `activities: activitiesOf<MyActivities>()`. */
export interface ActivitiesOf<A> {
  /** Never set: only its type is read. */
  readonly activities?: A;
}

/** The witness of a process's activities type (it holds nothing at run time). */
export function activitiesOf<A extends object>(): ActivitiesOf<A> {
  return {};
}

/** What a step hands on: its declared outputs for sure (a person who skips it gives them), the rest as the activity gave them. */
export type Ran<O, D> = D & Partial<Omit<O, keyof D>>;

/** How a step runs, besides its activity call. */
export interface StepOptions<O, D, A> {
  /** What the Temporal UI shows on the step's activity, besides the run's subject (default: the step's title). */
  summary?: string;
  /** Another way to the same outcome, taken when retries are exhausted (never for a permanent error). */
  fallback?: { describe: string; run: (reason: string, activities: A) => Promise<Partial<O> & D & Outcome> };
  /** How to undo the step if the run is abandoned; registered when the step starts. */
  undo?: { done: string; run: (activities: A) => Promise<unknown> };
  /** For a step that cannot be undone: what the log says when the run is abandoned. */
  cannotUndo?: string;
  /** `ask` (default): a person decides (retry, skip, abort); `give-up`: the step fails, and a DAG may stop only its dependents. */
  onFailure?: 'ask' | 'give-up';
}

/** One step of a run, named once: everything the step does goes through here. */
export class StepHandle<Sh, K extends StepName<Sh>, A extends object> {
  constructor(
    private readonly ctx: RunContext,
    readonly name: K,
  ) {}

  /** The step's title in the shape. */
  get title(): string {
    return this.ctx.shape.steps.find((s) => s.name === this.name)?.title ?? this.name;
  }

  /**
   * Runs the step: `call` calls one of the process's activities, with the step's policy; the kit adds the injected
   * fault. Retries, the fallback, a person's decision and the undo follow the step's policy and options.
   */
  async run<O extends Outcome>(
    call: (activities: StepActivities<A>) => Promise<StepResult<O>>,
    opts: StepOptions<O, DeclaredOutputs<Sh, K>, A> = {},
  ): Promise<Ran<O, DeclaredOutputs<Sh, K>>> {
    // Decided by the run's options, frozen at its start: a run without manual steps takes the path it always took.
    if (isManualStep(this.ctx.shape, this.ctx.options, this.name)) return this.byHand(opts);
    const summary = opts.summary ?? this.title;
    const { undo, fallback } = opts;
    const output = await runStep<O>(this.ctx, this.name, () => call(stepProxy<A>(this.ctx, this.name, summary)), {
      ...(undo ? { undo: { done: undo.done, run: () => undo.run(supportProxy<A>(this.ctx, `Undo: ${summary}`)) } } : {}),
      ...(fallback
        ? {
            fallback: {
              describe: fallback.describe,
              run: (reason: string) => fallback.run(reason, supportProxy<A>(this.ctx, fallback.describe)) as Promise<unknown> as Promise<O>,
            },
          }
        : {}),
      ...(opts.cannotUndo ? { cannotUndo: opts.cannotUndo } : {}),
      ...(opts.onFailure ? { onFailure: opts.onFailure } : {}),
    });
    this.record(output);
    return output as unknown as Ran<O, DeclaredOutputs<Sh, K>>;
  }

  /**
   * The step done by a person instead of its activity: a task with the step's instructions, completed with the
   * outputs the shape declares, handed on as the activity's would be. Nothing automated undoes what a person did:
   * an abandoned run says to undo it by hand.
   */
  private async byHand<O extends Outcome>(opts: StepOptions<O, DeclaredOutputs<Sh, K>, A>): Promise<Ran<O, DeclaredOutputs<Sh, K>>> {
    const undoable = opts.undo
      ? `${this.name} was done by hand: undo it by hand (automated, its undo leaves: ${opts.undo.done})`
      : opts.cannotUndo;
    const output = await runManualStep(this.ctx, this.name, {
      instructions: manualInstructions(this.ctx.shape, this.name, this.ctx.subject),
      assignee: this.ctx.options.escalation.contacts[0] ?? '',
      ...(undoable ? { cannotUndo: undoable } : {}),
    });
    this.record(output);
    return output as unknown as Ran<O, DeclaredOutputs<Sh, K>>;
  }

  /** Waits for an approval on this step; a rejection (or no answer by the deadline) abandons the run with compensation. */
  approval(request: ApprovalRequest): Promise<DecisionRecord> {
    return requestApproval(this.ctx, this.name, request);
  }

  /** The step is done by a person: a task with its instructions, completed with the outputs the shape declares for it. */
  async manual(task: ManualTask): Promise<DeclaredOutputs<Sh, K> & Outcome> {
    const output = await runManualStep(this.ctx, this.name, task);
    this.record(output);
    return output as DeclaredOutputs<Sh, K> & Outcome;
  }

  /** Asks the process's own question ("which rate source?"); returns the decision and any output given. */
  async ask(question: ProcessQuestion): Promise<{ decision: DecisionRecord; output: Record<string, string> }> {
    const answered = await askQuestion(this.ctx, this.name, question);
    if (this.ctx.shape.steps.find((s) => s.name === this.name)?.kind === 'approval') this.record(answered.output);
    return answered;
  }

  /** One child run per item, a bounded number at a time, joined in item order (see ./fan-out.ts). */
  async fanOut<I, R>(spec: FanOutSpec<I>): Promise<FanOutOutcome<R>> {
    const outcome = await runFanOut<I, R>(this.ctx, this.name, spec);
    this.record({ completed: outcome.results.length, failed: outcome.failures.length });
    return outcome;
  }

  /**
   * Waits for an event of the type that matches, on a durable timer of `timeoutMs`. When none comes in time, the step
   * is failed (`onTimeout: 'fail'`, the default: the process decides what follows) or completed with
   * `{ timedOut: true }` (`'complete'`: no event is an answer too, e.g. a customer who never finished setup);
   * either way undefined is returned.
   */
  async awaitEvent(
    type: string,
    matches: (event: ProcessEvent) => boolean,
    timeoutMs: number,
    opts: { onTimeout?: 'fail' | 'complete' } = {},
  ): Promise<ProcessEvent | undefined> {
    const { tracker } = this.ctx;
    const status = tracker.step(this.name);
    status.state = 'waiting';
    status.startedAt ??= new Date().toISOString();
    tracker.log(`${this.name} waits for a ${type} event (up to ${Math.round(timeoutMs / 1000)} s)`, this.name);
    tracker.waits.stepWaits(this.name, { kind: 'event', eventType: type, ...waitTimes(timeoutMs) });
    tracker.publish();
    const event = await this.ctx.events.waitFor(type, matches, timeoutMs).finally(() => tracker.waits.stepDone(this.name));
    if (event) {
      tracker.stepCompleted(this.name, 0, { event: event.id }, 'primary');
      this.record({ event: event.id });
    } else if (opts.onTimeout === 'complete') {
      tracker.log(`no ${type} event came within ${Math.round(timeoutMs / 1000)} s`, this.name);
      tracker.stepCompleted(this.name, 0, { timedOut: true }, 'primary');
      this.record({ timedOut: true });
    } else tracker.stepFailed(this.name, 0, `no ${type} event within ${Math.round(timeoutMs / 1000)} s`);
    return event;
  }

  /**
   * Holds the step, shown as waiting, on a durable timer of `atMostMs` that ends early when `condition` holds (e.g.
   * an event another step took). Returns whether the condition held: the step then usually ends as not taken.
   */
  async waitFor(condition: () => boolean, atMostMs: number, why: string): Promise<boolean> {
    const { tracker } = this.ctx;
    const status = tracker.step(this.name);
    status.state = 'waiting';
    status.startedAt ??= new Date().toISOString();
    tracker.log(`${this.name} waits ${why}`, this.name);
    if (atMostMs > 0) tracker.waits.stepWaits(this.name, { kind: 'time', ...waitTimes(atMostMs) });
    tracker.publish();
    const held = atMostMs > 0 ? await waitCondition(condition, atMostMs).finally(() => tracker.waits.stepDone(this.name)) : condition();
    status.state = 'pending';
    return held;
  }

  /** Ends the step as not needed in this run (e.g. a reminder the customer made unnecessary), saying why. */
  notTaken(why: string): void {
    this.ctx.tracker.stepNotTaken(this.name, why);
    this.ctx.tracker.publish();
  }

  /** Waits until a time (ISO 8601), which people may move with the `reschedule` update: a new time, or now. */
  async waitUntil(at: string): Promise<ScheduledOutcome> {
    const outcome = await this.ctx.schedule.waitUntil(this.name, at);
    this.record(shownOutcome(outcome));
    return outcome;
  }

  /** Adds a line to the run's log about this step. */
  log(message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.ctx.tracker.log(message, this.name, level);
  }

  /** Keeps what the step hands on, for the steps that need it. */
  private record(output: Outcome): void {
    this.ctx.outputs.set(this.name, output);
  }
}

/** A wait's start and end by the workflow clock, as its status shows them. */
function waitTimes(forMs: number): { since: string; until: string } {
  return { since: new Date().toISOString(), until: new Date(Date.now() + forMs).toISOString() };
}

/** The handle of each step of a shape. */
export type StepHandles<Sh, A extends object> = { [K in StepName<Sh>]: StepHandle<Sh, K, A> };

/** What a process's body works with. */
export class ProcessRun<Sh, A extends object> {
  constructor(private readonly ctx: RunContext) {}

  get workflowId(): string {
    return this.ctx.workflowId;
  }

  /** A step of the process, for steps run one after another outside a DAG. */
  step<K extends StepName<Sh>>(name: K): StepHandle<Sh, K, A> {
    if (!this.ctx.tracker.has(name)) throw new Error(`${name} is not a step of process ${this.ctx.shape.name}`);
    return new StepHandle<Sh, K, A>(this.ctx, name);
  }

  /**
   * Runs steps as a DAG, each node keyed by its step: a node starts once the steps it needs are done, and gets its
   * step's handle and their declared outputs. Returns each node's step's declared outputs.
   */
  async dag<N extends DagNodes<Sh, StepHandles<Sh, A>>>(
    nodes: N & { [X in Exclude<keyof N, StepName<Sh>>]: never },
  ): Promise<DagOutputs<Sh, keyof N>> {
    const outputs = await runDag(this.ctx, nodes, (step) => new StepHandle(this.ctx, step as StepName<Sh>));
    return outputs as DagOutputs<Sh, keyof N>;
  }

  /** Activities with the support policy, outside any step: e.g. the process's last word when it is abandoned. */
  support(summary: string): A {
    return supportProxy<A>(this.ctx, summary);
  }

  /** Steps a person skipped, in the order of the process. */
  skippedSteps(): string[] {
    return this.ctx.tracker.status.steps.filter((s) => s.state === 'skipped').map((s) => s.step);
  }

  /** Adds a line to the run's log, about a step or the whole run. */
  log(message: string, step?: StepName<Sh>, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.ctx.tracker.log(message, step, level);
  }
}
