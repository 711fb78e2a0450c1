/**
 * The questions a process puts to people besides escalations: an approval gate, a manual step done by a
 * person, and a process's own question with its own choices. Each has a notice, the reminder ladder,
 * a validator (in the desk) and an audit record.
 */
import { askPerson, howToAct } from './ask-person';
import type { RunContext } from './context';
import { outputTypes, requiredOutputs, shownOutcome, typedOutputs } from './outputs';
import type { Undo } from './saga';
import type { DecisionRecord, Outcome } from './types';
import { APPROVAL_CHOICES, TASK_DONE } from './vocabulary';

export interface ApprovalRequest {
  /** What is to be approved, e.g. "privileged permissions (admin)". */
  subject: string;
  /** The approver asked first; the ladder then hands over to the escalation contacts. */
  approver: string;
  /** The notice's first lines: what the approver needs to know. */
  details: string;
}

/** Waits for an approval; a rejection (or no answer by the deadline) abandons the run with compensation. */
export async function requestApproval(run: RunContext, step: string, request: ApprovalRequest): Promise<DecisionRecord> {
  // An approval may be a step of its own in the graph, or a gate inside another step (which stays pending).
  const ownStep = run.shape.steps.find((s) => s.name === step)?.kind === 'approval';
  if (ownStep) {
    const status = run.tracker.step(step);
    status.state = 'waiting';
    status.startedAt ??= new Date().toISOString();
  }
  const question = run.desk.open('approval', step, { prompt: request.subject, choices: [...APPROVAL_CHOICES], assignee: request.approver });
  run.tracker.log(`${request.subject} wait for approval by ${request.approver ? 'the approver' : 'an operator'}`, step, 'warn');
  run.tracker.publish();
  const decision = await askPerson(run, {
    question,
    contacts: [request.approver, ...run.options.escalation.contacts],
    ladder: run.options.approval.ladder,
    subject: `[Overture] ${run.workflowId}: approve ${request.subject}`,
    body: `${request.details}\n${howToAct(`overture approve ${run.workflowId} --decision ${APPROVAL_CHOICES.join('|')} --reason "..."`)}`,
    reminderLog: 'reminder sent to the approver about the pending approval',
    handOverLog: (level) => `pending approval handed to escalation contact #${level}`,
    onNoAnswer: {
      action: 'reject',
      reason: 'no approval before the deadline',
      logMessage: 'no approval before the deadline: rejected automatically',
    },
    linkChoices: [...APPROVAL_CHOICES],
  });
  if (decision.action === 'reject') run.abandon('reject', decision);
  if (ownStep) run.tracker.stepCompleted(step, 0, { approvedBy: decision.by }, 'person');
  return decision;
}

export interface ManualTask {
  /** What the person is to do, in the notice and the console. */
  instructions: string;
  /** Who does it (an address; empty: any operator, by webhook). */
  assignee: string;
  undo?: Undo;
  cannotUndo?: string;
}

/**
 * A step done by a person: a task with instructions, an assignee and the ladder, completed with the outputs the
 * shape declares for the step (e.g. asset tags later steps use), read as their types. It sits in the process graph
 * like any step, so it can later become an activity without changing the shape.
 */
export async function runManualStep(run: RunContext, step: string, task: ManualTask): Promise<Outcome> {
  const declared = run.shape.steps.find((s) => s.name === step)?.outputs;
  const outputs = requiredOutputs(declared);
  if (task.undo) run.saga.register(step, task.undo);
  else if (task.cannotUndo) run.saga.cannotUndo(step, task.cannotUndo);
  const status = run.tracker.step(step);
  status.state = 'waiting';
  status.startedAt ??= new Date().toISOString();
  const question = run.desk.open('task', step, {
    prompt: task.instructions,
    choices: [TASK_DONE],
    requiredOutput: outputs,
    outputTypes: outputTypes(declared),
    assignee: task.assignee,
  });
  run.tracker.log(
    `${step} is a manual task for ${task.assignee ? 'its assignee' : 'an operator'}; waiting for it to be done`,
    step,
    'warn',
  );
  run.tracker.publish();
  const example = JSON.stringify(Object.fromEntries(outputs.map((k) => [k, '...'])));
  await askPerson(run, {
    question,
    contacts: [task.assignee, ...run.options.escalation.contacts],
    ladder: run.options.approval.ladder,
    subject: `[Overture] ${run.workflowId}: task ${step} is yours`,
    body: `${task.instructions}\nWhen it is done: overture complete ${run.workflowId} --step ${step} --output '${example}'`,
    reminderLog: `reminder sent about the manual task ${step}`,
    handOverLog: (level) => `manual task ${step} handed to escalation contact #${level}`,
    // Only a person can do it: past the deadline the run keeps waiting, and says so.
    onNoAnswer: 'keep-waiting',
  });
  const output = typedOutputs(declared, question.output ?? {});
  run.tracker.stepCompleted(step, 0, shownOutcome(output), 'person');
  return output;
}

export interface ProcessQuestion {
  prompt: string;
  choices: string[];
  assignee: string;
  /** Output keys an answer must carry (except a `reject`). */
  outputs?: string[];
  /** The choice taken when nobody answers by the deadline; without one the run keeps waiting. */
  onNoAnswer?: string;
  /** The notice's first lines, before how to answer: what the person needs to know (kept out of the status). */
  details?: string;
  /** Choices that end the run, abandoned with compensation: as rejected (like a refused approval) or as aborted. */
  ends?: Partial<Record<string, 'reject' | 'abort'>>;
}

/**
 * Asks a process's own question ("which rate source?") and returns the decision and any output given. A
 * question that is a step of its own in the graph (kind `approval`) shows as waiting, then as decided.
 */
export async function askQuestion(
  run: RunContext,
  step: string,
  q: ProcessQuestion,
): Promise<{ decision: DecisionRecord; output: Record<string, string> }> {
  const ownStep = run.shape.steps.find((s) => s.name === step)?.kind === 'approval';
  if (ownStep) {
    const status = run.tracker.step(step);
    status.state = 'waiting';
    status.startedAt ??= new Date().toISOString();
    status.endedAt = undefined;
  }
  const question = run.desk.open('question', step, {
    prompt: q.prompt,
    choices: q.choices,
    requiredOutput: q.outputs,
    assignee: q.assignee,
  });
  run.tracker.log(`question for ${q.assignee ? 'its assignee' : 'an operator'}: ${q.prompt}`, step, 'warn');
  run.tracker.publish();
  const decision = await askPerson(run, {
    question,
    contacts: [q.assignee, ...run.options.escalation.contacts],
    ladder: run.options.approval.ladder,
    subject: `[Overture] ${run.workflowId}: ${q.prompt}`,
    body: `${q.details ? `${q.details}\n` : ''}${q.prompt}\n${howToAct(`overture approve ${run.workflowId} --question ${question.id} --decision ${q.choices.join('|')}`)}`,
    reminderLog: `reminder sent about question ${question.id}`,
    handOverLog: (level) => `question ${question.id} handed to escalation contact #${level}`,
    onNoAnswer: q.onNoAnswer
      ? {
          action: q.onNoAnswer,
          reason: 'no answer before the deadline',
          logMessage: `no answer to ${question.id} before the deadline: ${q.onNoAnswer}`,
        }
      : 'keep-waiting',
    // A link cannot carry an output: choices that need one are answered on the console or the CLI.
    linkChoices: q.outputs?.length ? q.choices.filter((c) => c === 'reject') : q.choices,
  });
  const ending = q.ends && Object.hasOwn(q.ends, decision.action) ? q.ends[decision.action] : undefined;
  if (ending) run.abandon(ending, decision);
  if (ownStep) run.tracker.stepCompleted(step, 0, { decision: decision.action, by: decision.by }, 'person');
  return { decision, output: question.output ?? {} };
}
