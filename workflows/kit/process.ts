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
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { activityOptions } from './activity-options';
import { askPerson, howToAct } from './ask-person';
import type { Abandonment, NoticeActivities, RunContext } from './context';
import { DecisionDesk } from './decision-desk';
import { EventInbox } from './events';
import { failureMessage, isCancellation } from './failures';
import { kitVersionOf } from './kit-version';
import { PROCESS_ABORTED } from './fan-out';
import { answerQuestionUpdate, decideApprovalUpdate, injectFaultUpdate, resolveEscalationUpdate, statusQuery } from './messages';
import { countRunEnded, countRunStarted } from './metrics';
import { ProcessRun, type ActivitiesOf } from './process-run';
import { RunTracker } from './run-tracker';
import { Saga } from './saga';
import { ScheduledWaits } from './scheduled-wait';
import type { ProcessShape } from './shape';
import { SystemResumes, systemResumedSignal } from './system-pause';
import type { EscalationDecision, FaultInjection, Outcome, ProcessOptions, QuestionAnswer } from './types';
import { describeFault, FAILED_UNDO_CHOICES } from './vocabulary';

/** How a process describes one run to the kit. */
export interface RunRequest<Sh extends ProcessShape, A extends object> {
  shape: Sh;
  options: ProcessOptions;
  /** The activities the process's steps call: `activitiesOf<MyActivities>()`. */
  activities: ActivitiesOf<A>;
  /** The run's business key for summaries and logs (an employee id, a period): never personal data. */
  subject: string;
  /** What the process does last when abandoned, after its undos (e.g. tell the team). */
  onAbandoned?: (p: ProcessRun<Sh, A>, reason: string) => Promise<void>;
}

const ENDED = { abort: 'aborted', reject: 'rejected' } as const;

/** The patch that introduced local activities for short steps and fewer search-attribute upserts. */
const FAST_PATH = 'overture-fast-path';

/**
 * Runs a process body with everything a run needs. An abort, a rejection or a Temporal cancellation
 * undoes the registered steps newest first; a failed undo leaves the run asking a person.
 */
export async function runProcess<Sh extends ProcessShape, A extends object, R>(
  request: RunRequest<Sh, A>,
  body: (p: ProcessRun<Sh, A>) => Promise<R>,
): Promise<R> {
  const { shape, options, subject } = request;
  const { workflowId } = workflowInfo();
  // Decided once, first thing: a run keeps the path it started on, and histories from before replay unchanged.
  // Version 2 runs have the fast path without its patch marker (and the search attribute upsert core adds with it).
  const kitVersion = kitVersionOf(options);
  const fastPath = kitVersion >= 2 || patched(FAST_PATH);
  const tracker = new RunTracker(shape, workflowId, subject, { filterableOnly: fastPath });
  const faults = { ...options.faults };
  const desk = new DecisionDesk(tracker, faults);
  const saga = new Saga(tracker);
  const work = new CancellationScope();
  const systemResumes = new SystemResumes();
  const events = new EventInbox();
  const schedule = new ScheduledWaits(tracker);
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
    kitVersion,
    faults,
    outputs: new Map<string, Outcome>(),
    events,
    schedule,
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
        if (r.status === 'rejected')
          tracker.log(`could not deliver notice "${noticeSubject}": ${failureMessage(r.reason)}`, undefined, 'warn');
      }
    },
    abandon(kind, record): never {
      abandonment = { kind, record };
      work.cancel();
      throw new CancelledFailure(`${shape.name} ${kind === 'reject' ? 'rejected' : 'aborted'} by ${record.by}`);
    },
  };
  const run = new ProcessRun<Sh, A>(ctx);
  if (request.onAbandoned) ctx.onAbandoned = (reason) => request.onAbandoned!(run, reason);

  for (const [name, fault] of Object.entries(faults)) {
    if (fault && tracker.has(name)) tracker.step(name).fault = describeFault(fault);
  }
  setHandler(statusQuery, () => tracker.status);
  setHandler(resolveEscalationUpdate, (decision) => desk.resolveEscalation(decision), {
    validator: (decision: EscalationDecision) => desk.validateEscalation(decision),
  });
  for (const update of [answerQuestionUpdate, decideApprovalUpdate]) {
    setHandler(update, (answer) => desk.answer(answer), { validator: (answer: QuestionAnswer) => desk.validateAnswer(answer) });
  }
  // A signal handler adds nothing to the history by itself: runs recorded before it replay unchanged.
  setHandler(systemResumedSignal, ({ system }) => systemResumes.resumed(system));
  setHandler(injectFaultUpdate, (injection) => desk.inject(injection), {
    validator: (injection: FaultInjection) => desk.validateInjection(injection),
  });
  events.listen((event) => tracker.log(`event ${event.type} received (${event.id})`));
  // Child runs say when they wait for a person (./run-waits.ts): a signal handler adds nothing to the history by itself.
  tracker.waits.listen(() => tracker.publish());
  schedule.listen();

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
      record: {
        action: 'abort',
        by: 'temporal',
        reason: 'workflow cancellation requested',
        at: new Date().toISOString(),
        automatic: false,
      },
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
  for (const s of tracker.status.steps)
    if (s.state === 'pending' || s.state === 'running' || s.state === 'escalated' || s.state === 'waiting') s.state = 'cancelled';
  for (const q of tracker.status.questions)
    if (q.open) ctx.desk.decideAutomatically(q, 'cancelled', reason, `${q.id} closed: the run was abandoned`);
  while (failed.length > 0) {
    const step = failed[0]!;
    const question = ctx.desk.open('question', step, {
      prompt: `undo failed for ${failed.join(', ')}: retry the failed undos, or accept and clean up by hand`,
      choices: [...FAILED_UNDO_CHOICES],
    });
    tracker.publish();
    const decision = await askPerson(ctx, {
      question,
      contacts: ctx.options.escalation.contacts,
      ladder: ctx.options.escalation.ladder,
      subject: `[Overture] ${ctx.workflowId}: undo of ${failed.join(', ')} failed`,
      body: `The run was abandoned (${reason}) and could not undo ${failed.join(', ')}.\n${howToAct(`overture approve ${ctx.workflowId} --question ${question.id} --decision ${FAILED_UNDO_CHOICES.join('|')}`)}`,
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
