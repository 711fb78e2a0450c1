/**
 * A process run: the handlers every run answers (status, decisions, answers, faults, events), the scope in
 * which its steps run, and what happens when it ends — completed, or abandoned and compensated.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { activityOptions, localActivityOptions } from './activity-options';
import { askPerson, howToAct } from './ask-person';
import type { Abandonment, NoticeActivities, RunContext } from './context';
import { DecisionDesk } from './decision-desk';
import { runDag, type DagNode } from './dag';
import { EventInbox, type ProcessEvent } from './events';
import { failureMessage, isCancellation } from './failures';
import { PROCESS_ABORTED, runFanOut, type FanOutOutcome, type FanOutSpec } from './fan-out';
import { answerQuestionUpdate, decideApprovalUpdate, injectFaultUpdate, resolveEscalationUpdate, statusQuery } from './messages';
import { askQuestion, requestApproval, runManualStep, type ApprovalRequest, type ManualTask, type ProcessQuestion } from './questions';
import { countRunEnded, countRunStarted } from './metrics';
import { RunTracker } from './run-tracker';
import { Saga } from './saga';
import { ScheduledWaits, type ScheduledOutcome } from './scheduled-wait';
import { runStep, type StepOptions, type StepOutput } from './step';
import { SystemResumes, systemResumedSignal } from './system-pause';
import { describeFault, type DecisionRecord, type EscalationDecision, type FaultInjection, type QuestionAnswer, type FaultMode, type Outcome, type ProcessOptions, type ProcessShape, type StepResult } from './types';

/** What a process's body works with: its steps, questions, patterns and proxies to its activities. */
export class ProcessRun {
  readonly events = new EventInbox();
  readonly schedule: ScheduledWaits;

  constructor(private readonly ctx: RunContext) {
    this.schedule = new ScheduledWaits(ctx.tracker);
  }

  get workflowId(): string {
    return this.ctx.workflowId;
  }

  /** The fault currently injected into a step, to hand to its activity. */
  fault(step: string): FaultMode | undefined {
    return this.ctx.faults[step];
  }

  /** Activities with a step's policy (local ones on the fast path), and a summary the Temporal UI shows on them. */
  activities<A extends object>(step: string, summary: string): A {
    const policy = this.ctx.options.policies[step] ?? this.ctx.options.supportPolicy;
    const shown = `${summary} (${this.ctx.subject})`;
    // A step made slow on purpose (a latency fault) is no longer short: it leaves the fast path, so that people
    // can still act on the run while it waits (a local activity holds the workflow task until it ends).
    // So is a step with a retry budget in time (email, chat): it may retry for hours through an outage, which a
    // local activity would spend holding its workflow task (and the SDK does not end it at the budget).
    const short = this.fault(step)?.kind !== 'latency' && !(policy.retryBudgetMs && policy.retryBudgetMs > 0);
    if (policy.runAs === 'local' && this.ctx.fastPath && short) return proxyLocalActivities<A>(localActivityOptions(policy, shown)) as A;
    return proxyActivities<A>(activityOptions(policy, shown)) as A;
  }

  /** Activities with the support policy: fallbacks, undos, notices. */
  support<A extends object>(summary: string): A {
    return proxyActivities<A>(activityOptions(this.ctx.options.supportPolicy, `${summary} (${this.ctx.subject})`)) as A;
  }

  /** Steps a person skipped, in the order of the process. */
  skippedSteps(): string[] {
    return this.ctx.tracker.status.steps.filter((s) => s.state === 'skipped').map((s) => s.step);
  }

  log(message: string, step?: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.ctx.tracker.log(message, step, level);
  }

  step<O extends Outcome, K extends keyof O & string = never>(name: string, attempt: () => Promise<StepResult<O>>, opts?: StepOptions<O, K>): Promise<StepOutput<O, K>> {
    return runStep(this.ctx, name, attempt, opts);
  }

  approval(step: string, request: ApprovalRequest): Promise<DecisionRecord> {
    return requestApproval(this.ctx, step, request);
  }

  manualStep(step: string, task: ManualTask): Promise<Record<string, string>> {
    return runManualStep(this.ctx, step, task);
  }

  ask(step: string, question: ProcessQuestion): Promise<{ decision: DecisionRecord; output: Record<string, string> }> {
    return askQuestion(this.ctx, step, question);
  }

  dag(nodes: DagNode[]): Promise<Map<string, unknown>> {
    return runDag(this.ctx, nodes);
  }

  fanOut<I, R>(step: string, spec: FanOutSpec<I>): Promise<FanOutOutcome<R>> {
    return runFanOut<I, R>(this.ctx, step, spec);
  }

  /** A step that waits until a time (ISO 8601), which people may move with the `reschedule` update: a new time, or now. */
  waitUntil(step: string, at: string): Promise<ScheduledOutcome> {
    return this.schedule.waitUntil(step, at);
  }

  /** A step that waits for an event; on timeout the step is marked failed and undefined returned: the process decides what follows. */
  async awaitEvent(step: string, type: string, matches: (event: ProcessEvent) => boolean, timeoutMs: number): Promise<ProcessEvent | undefined> {
    const { tracker } = this.ctx;
    const status = tracker.step(step);
    status.state = 'waiting';
    status.startedAt ??= new Date().toISOString();
    tracker.log(`${step} waits for a ${type} event (up to ${Math.round(timeoutMs / 1000)} s)`, step);
    tracker.publish();
    const event = await this.events.waitFor(type, matches, timeoutMs);
    if (event) tracker.stepCompleted(step, 0, { event: event.id }, 'primary');
    else tracker.stepFailed(step, 0, `no ${type} event within ${Math.round(timeoutMs / 1000)} s`);
    return event;
  }
}

/** How a process describes one run to the kit. */
export interface RunRequest {
  shape: ProcessShape;
  options: ProcessOptions;
  /** The run's business key for summaries and logs (an employee id, a period): never personal data. */
  subject: string;
  /** What the process does last when abandoned, after its undos (e.g. tell the team). */
  onAbandoned?: (p: ProcessRun, reason: string) => Promise<void>;
}

const ENDED = { abort: 'aborted', reject: 'rejected' } as const;

/** The patch that introduced local activities for short steps and fewer search-attribute upserts. */
const FAST_PATH = 'overture-fast-path';

/**
 * Runs a process body with everything a run needs. An abort, a rejection or a Temporal cancellation
 * undoes the registered steps newest first; a failed undo leaves the run asking a person.
 */
export async function runProcess<R>(request: RunRequest, body: (p: ProcessRun) => Promise<R>): Promise<R> {
  const { shape, options, subject } = request;
  const { workflowId } = workflowInfo();
  // Decided once, first thing: a run keeps the path it started on, and histories from before replay unchanged.
  const fastPath = patched(FAST_PATH);
  const tracker = new RunTracker(shape, workflowId, subject, { filterableOnly: fastPath });
  const faults = { ...options.faults };
  const desk = new DecisionDesk(tracker, faults);
  const saga = new Saga(tracker);
  const work = new CancellationScope();
  const systemResumes = new SystemResumes();
  let abandonment: Abandonment | undefined;

  const ctx: RunContext = {
    shape,
    options,
    workflowId,
    subject,
    tracker,
    desk,
    saga,
    fastPath,
    faults,
    systemResumes,
    async notify(key, to, noticeSubject, text, actions) {
      const consolePath = `/runs/${encodeURIComponent(workflowId)}`;
      const notices = proxyActivities<NoticeActivities>(activityOptions(options.supportPolicy, `Send a notice to a person (${subject})`));
      const results = await Promise.allSettled([
        // Without an address the notice goes to the webhook only: an email nobody can receive would just retry.
        // The worker adds the link to the run in its own console (a client's console URL may not be the worker's).
        // Links that act as the recipient go by email only: the team channel is read by others.
        ...(to ? [notices.sendNotice({ key, to, subject: noticeSubject, text, consolePath, ...(actions ? { actions } : {}) })] : []),
        notices.postNotice({ key, text: `${noticeSubject}\n${text}`, consolePath }),
      ]);
      for (const r of results) {
        if (r.status === 'rejected') tracker.log(`could not deliver notice "${noticeSubject}": ${failureMessage(r.reason)}`, undefined, 'warn');
      }
    },
    abandon(kind, record): never {
      abandonment = { kind, record };
      work.cancel();
      throw new CancelledFailure(`${shape.name} ${kind === 'reject' ? 'rejected' : 'aborted'} by ${record.by}`);
    },
  };
  const run = new ProcessRun(ctx);
  if (request.onAbandoned) ctx.onAbandoned = (reason) => request.onAbandoned!(run, reason);

  for (const [name, fault] of Object.entries(faults)) {
    if (fault && tracker.has(name)) tracker.step(name).fault = describeFault(fault);
  }
  setHandler(statusQuery, () => tracker.status);
  setHandler(resolveEscalationUpdate, (decision) => desk.resolveEscalation(decision), { validator: (decision: EscalationDecision) => desk.validateEscalation(decision) });
  for (const update of [answerQuestionUpdate, decideApprovalUpdate]) {
    setHandler(update, (answer) => desk.answer(answer), { validator: (answer: QuestionAnswer) => desk.validateAnswer(answer) });
  }
  // A signal handler adds nothing to the history by itself: runs recorded before it replay unchanged.
  setHandler(systemResumedSignal, ({ system }) => systemResumes.resumed(system));
  setHandler(injectFaultUpdate, (injection) => desk.inject(injection), { validator: (injection: FaultInjection) => desk.validateInjection(injection) });
  run.events.listen((event) => tracker.log(`event ${event.type} received (${event.id})`));
  run.schedule.listen();

  tracker.log(`${shape.name} ${subject} started (${shape.steps.length} steps)`);
  tracker.publish();
  countRunStarted(shape.name);
  try {
    const result = await work.run(() => body(run));
    tracker.setState('completed');
    countRunEnded(shape.name, 'completed');
    tracker.log(`${shape.name} completed`);
    await condition(allHandlersFinished);
    return result;
  } catch (err) {
    if (!isCancellation(err)) {
      tracker.setState('failed');
      countRunEnded(shape.name, 'failed');
      throw err;
    }
    // A person's or the ladder's abort, a refused approval, or a cancellation requested through Temporal.
    const ending = abandonment ?? {
      kind: 'abort' as const,
      record: { action: 'abort', by: 'temporal', reason: 'workflow cancellation requested', at: new Date().toISOString(), automatic: false },
    };
    const reason = `${ending.kind === 'reject' ? 'approval rejected' : 'aborted'} by ${ending.record.by}: ${ending.record.reason}`;
    const compensated = await CancellationScope.nonCancellable(() => compensate(ctx, reason, ending));
    if (!abandonment) throw err;
    throw ApplicationFailure.create({
      type: ending.kind === 'reject' ? 'ProcessRejected' : PROCESS_ABORTED,
      message: `${shape.name} ${subject} ${reason}${compensated ? '' : ' (some undos failed: see the run)'}`,
      nonRetryable: true,
      details: [ending.record],
    });
  }
}

/** Undoes the run newest first; when an undo fails, asks a person to retry the failed undos or accept. */
async function compensate(ctx: RunContext, reason: string, ending: Abandonment): Promise<boolean> {
  const { tracker, saga } = ctx;
  tracker.setState('compensating');
  tracker.log(`compensating completed steps: ${reason}`, undefined, 'warn');
  let failed = await saga.compensate();
  for (const s of tracker.status.steps) if (s.state === 'pending' || s.state === 'running' || s.state === 'escalated' || s.state === 'waiting') s.state = 'cancelled';
  for (const q of tracker.status.questions) if (q.open) ctx.desk.decideAutomatically(q, 'cancelled', reason, `${q.id} closed: the run was abandoned`);
  while (failed.length > 0) {
    const step = failed[0]!;
    const question = ctx.desk.open('question', step, {
      prompt: `undo failed for ${failed.join(', ')}: retry the failed undos, or accept and clean up by hand`,
      choices: ['retry', 'accept'],
    });
    tracker.publish();
    const decision = await askPerson(ctx, {
      question,
      contacts: ctx.options.escalation.contacts,
      ladder: ctx.options.escalation.ladder,
      subject: `[Overture] ${ctx.workflowId}: undo of ${failed.join(', ')} failed`,
      body: `The run was abandoned (${reason}) and could not undo ${failed.join(', ')}.\n${howToAct(`overture approve ${ctx.workflowId} --question ${question.id} --decision retry|accept`)}`,
      reminderLog: `reminder sent about the failed undo of ${failed.join(', ')}`,
      handOverLog: (level) => `failed undo handed to escalation contact #${level + 1}`,
      onNoAnswer: 'keep-waiting',
    });
    if (decision.action === 'accept') break;
    failed = await saga.compensate(failed);
  }
  await ctx.onAbandoned?.(reason);
  tracker.setState(failed.length > 0 ? 'compensation_failed' : ENDED[ending.kind]);
  countRunEnded(ctx.shape.name, tracker.status.state);
  await condition(allHandlersFinished);
  return failed.length === 0;
}
